#!/usr/bin/env bash
# Clients in other languages from the published contract, spec/openapi.json:
#   1. TypeScript: openapi-typescript (npm, pinned) generates target/contract-clients/ts/ucr.d.ts;
#      `tsc --strict` compiles it with tools/contract/clients/usage.ts, the uses a client relies
#      on (holdings pages, a transfer request, the required Idempotency-Key, problem documents);
#   2. Python: openapi-python-client (PyPI, pinned) generates the package `ucr_client` into
#      target/contract-clients/python (any generator warning fails), then
#      scripts/contract_client_scenario.py runs one scenario with it against a standalone ucr-mock
#      on a free loopback port, started here with scripts/contract-clients-fixture.json: read
#      holdings, initiate and approve a transfer, check both accounts' holdings moved.
#
#   scripts/contract-clients.sh [--mock PATH]   (default target/debug/ucr-mock, built if missing)
#
# Exits non-zero on the first failure. The tools are installed on first use
# (scripts/contract-tools.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/contract-tools.sh

mock="target/debug/ucr-mock"
while [[ $# -gt 0 ]]; do
  case "$1" in
    --mock) mock="$2"; shift 2 ;;
    -h|--help) sed -n '2,15p' "$0"; exit 0 ;;
    *) echo "unknown argument: $1 (see --help)" >&2; exit 2 ;;
  esac
done

contract_npm_tools
contract_python_tools
out="target/contract-clients"
rm -rf "$out"
mkdir -p "$out/ts" "$out/python"

echo "--- TypeScript: openapi-typescript $(openapi-typescript --version), tsc $(tsc --version)"
# Run from the output directory: in the root, openapi-typescript would take redocly.yaml as its
# own configuration and refuse to generate while the lint rules there fail (a lint is step 1's
# job, not this one's).
(cd "$out/ts" && openapi-typescript ../../../spec/openapi.json --output ucr.d.ts)
cp tools/contract/clients/usage.ts "$out/ts/usage.ts"
tsc --strict --noEmit --target es2022 --module es2022 --moduleResolution bundler \
  "$out/ts/ucr.d.ts" "$out/ts/usage.ts"
echo "tsc --strict: the generated types and usage.ts compile"

echo "--- Python: openapi-python-client $(openapi-python-client --version | awk '{print $NF}')"
generator_log="$out/python/openapi-python-client.log"
openapi-python-client generate --path spec/openapi.json \
  --config tools/contract/openapi-python-client.yaml \
  --output-path "$out/python/ucr_client" --meta none >"$generator_log" 2>&1 || {
  cat "$generator_log" >&2
  exit 1
}
if grep -qi "warning" "$generator_log"; then
  echo "openapi-python-client warned (some pieces of the client may be missing):" >&2
  cat "$generator_log" >&2
  exit 1
fi
echo "openapi-python-client: generated $out/python/ucr_client without warnings"

contract_start_mock "$mock" "$out/ucr-mock.log" --fixture scripts/contract-clients-fixture.json
url="$contract_mock_url"
PYTHONPATH="$out/python" "$contract_venv/bin/python" scripts/contract_client_scenario.py "$url"
