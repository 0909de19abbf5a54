#!/usr/bin/env bash
# The contract's API reference page: `cargo xtask docs` renders spec/openapi.json with Redocly
# build-docs into target/api-reference/index.html; tools/contract/check-reference-page.mjs opens
# it in headless Chromium (Debian's, installed with apt when missing) and fails on any console
# error, page error or outside request, then saves target/api-reference/screenshot.png.
#
#   scripts/contract-docs.sh
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/contract-tools.sh

contract_npm_tools
contract_chromium
cargo xtask docs
node tools/contract/check-reference-page.mjs target/api-reference/index.html \
  target/api-reference/screenshot.png
