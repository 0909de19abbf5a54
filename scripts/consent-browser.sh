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
if [[ ! -x "$mock" ]]; then
  cargo build --locked -p ucr-mock --bin ucr-mock
fi
mkdir -p target/ci-artefacts
mock_log="target/ci-artefacts/consent-browser-ucr-mock.log"
"$mock" --addr 127.0.0.1:0 >"$mock_log" 2>&1 &
mock_pid=$!
trap 'kill "$mock_pid" 2>/dev/null || true; wait "$mock_pid" 2>/dev/null || true' EXIT
url=""
for _ in $(seq 1 300); do
  url="$(grep -o 'http://127\.0\.0\.1:[0-9]*' "$mock_log" | head -1 || true)"
  if [[ -n "$url" ]]; then break; fi
  if ! kill -0 "$mock_pid" 2>/dev/null; then
    echo "ucr-mock exited early:" >&2
    cat "$mock_log" >&2
    exit 1
  fi
  sleep 0.1
done
if [[ -z "$url" ]]; then
  echo "ucr-mock did not say where it listens within 30 s; its log:" >&2
  cat "$mock_log" >&2
  exit 1
fi
echo "ucr-mock listening on $url"
node tools/contract/consent-flow.mjs "$url" target/ci-artefacts/consent-page.png
