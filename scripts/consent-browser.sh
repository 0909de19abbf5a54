#!/usr/bin/env bash
# The mock's sign-in and consent page in headless Chromium (issue 13): starts a standalone
# ucr-mock on a free loopback port and runs tools/contract/consent-flow.mjs against it, which
# completes the authorization code flow with PKCE by clicking approve (then reads holdings with
# the token) and checks that clicking decline yields error=access_denied and the state at the
# redirect URI. The screenshot of the consent page is kept as target/ci-artefacts/consent-page.png.
#
#   scripts/consent-browser.sh [--mock PATH]   (default target/debug/ucr-mock, built if missing)
#
# playwright-core comes from tools/contract's pinned npm install and Chromium from Debian's
# packages (scripts/contract-tools.sh installs both on first use).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/contract-tools.sh

mock="target/debug/ucr-mock"
while [[ $# -gt 0 ]]; do
  case "$1" in
    --mock) mock="$2"; shift 2 ;;
    -h|--help) sed -n '2,12p' "$0"; exit 0 ;;
    *) echo "unknown argument: $1 (see --help)" >&2; exit 2 ;;
  esac
done

contract_npm_tools
contract_chromium
mkdir -p target/ci-artefacts
contract_start_mock "$mock" target/ci-artefacts/consent-browser-ucr-mock.log
url="$contract_mock_url"
node tools/contract/consent-flow.mjs "$url" target/ci-artefacts/consent-page.png
