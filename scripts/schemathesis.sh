#!/usr/bin/env bash
# Property-based fuzzing of the standalone mock from the published spec with Schemathesis.
#
#   scripts/schemathesis.sh [--mock PATH] [--max-time SECONDS] [-- extra schemathesis args]
#
# Starts `ucr-mock` on a free loopback port with scripts/schemathesis-fixture.json (fixed tokens,
# accounts and units), seeds it through the API with scripts/schemathesis_seed.py (platforms,
# consents, a reservation, an escrow, an association, pending transactions, so that the stateful
# phase has real IDs to follow), then runs Schemathesis twice from spec/openapi.json:
#   1. as the authorised representative AR-000001 (both roles on AU-1000001 and AU-1000002) over
#      every operation outside /v1/sandbox, stateful through the spec's OpenAPI links;
#   2. as the sandbox operator over /v1/sandbox (the operator's token is not a representative's).
# Checks: no server error, status codes, content types, response headers and response bodies as
# the spec declares them, and the spec's own constraints on accepted and refused input. Exits
# non-zero on any failure; reports go to target/schemathesis/.
#
# Schemathesis is installed from PyPI into a virtualenv (pinned below; reused when present).
# `--mock` defaults to target/debug/ucr-mock, built with cargo if missing.
set -euo pipefail
cd "$(dirname "$0")/.."

SCHEMATHESIS_VERSION="4.32.5"
mock="target/debug/ucr-mock"
max_time="${SCHEMATHESIS_MAX_TIME:-90}"
seed="${SCHEMATHESIS_SEED:-20261125}"
extra=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    --mock) mock="$2"; shift 2 ;;
    --max-time) max_time="$2"; shift 2 ;;
    --seed) seed="$2"; shift 2 ;;
    --) shift; extra=("$@"); break ;;
    -h|--help) sed -n '2,16p' "$0"; exit 0 ;;
    *) echo "unknown argument: $1 (see --help)" >&2; exit 2 ;;
  esac
done

venv="${SCHEMATHESIS_VENV:-${TMPDIR:-/tmp}/ucr-schemathesis-venv}"
if [[ "$("$venv/bin/schemathesis" --version 2>/dev/null)" != *"$SCHEMATHESIS_VERSION"* ]]; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check "schemathesis==$SCHEMATHESIS_VERSION"
fi
"$venv/bin/schemathesis" --version

if [[ ! -x "$mock" ]]; then
  cargo build --locked -p ucr-mock --bin ucr-mock
fi

port="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
url="http://127.0.0.1:$port"
reports="target/schemathesis"
mkdir -p "$reports"
"$mock" --addr "127.0.0.1:$port" --fixture scripts/schemathesis-fixture.json \
  --webhook-backoff-ms 50 2>"$reports/ucr-mock.log" &
mock_pid=$!
trap 'kill "$mock_pid" 2>/dev/null || true; wait "$mock_pid" 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do
  if python3 -c "import socket; socket.create_connection(('127.0.0.1', $port), 1)" 2>/dev/null; then
    break
  fi
  if ! kill -0 "$mock_pid" 2>/dev/null; then
    echo "ucr-mock exited early:" >&2
    cat "$reports/ucr-mock.log" >&2
    exit 1
  fi
  sleep 0.1
done

python3 scripts/schemathesis_seed.py "$url"

# Every check that compares a response with the spec, plus the negative ones (schema-invalid
# input, a missing required header, an undeclared method and a missing token must be refused).
# Not positive_data_acceptance: it demands 2xx for any schema-valid request, but the spec
# documents 400/422 for input that is well-formed yet wrong (an unknown unit type, a page_token
# this list never issued, a vintage that is not consecutive years); those answers are the
# contract, not a violation of it.
checks="not_a_server_error,status_code_conformance,content_type_conformance"
checks+=",response_headers_conformance,response_schema_conformance,negative_data_rejection"
checks+=",missing_required_header,unsupported_method,use_after_free"
checks+=",ensure_resource_availability,ignored_auth"

# A fresh Idempotency-Key per positive request, as a real client sends (scripts/schemathesis_hooks.py).
export PYTHONPATH="scripts${PYTHONPATH:+:$PYTHONPATH}" SCHEMATHESIS_HOOKS=schemathesis_hooks

run() {
  local name="$1" token="$2"
  shift 2
  echo "--- schemathesis: $name (max ${max_time}s, seed $seed)"
  "$venv/bin/schemathesis" run spec/openapi.json \
    --url "$url" \
    --header "Authorization: Bearer $token" \
    --checks "$checks" \
    --max-time "$max_time" \
    --seed "$seed" \
    --workers 2 \
    --request-timeout 10 \
    --report junit --report-junit-path "$reports/$name.xml" \
    "$@" "${extra[@]}"
}

status=0
run representative schemathesis-representative --exclude-path-regex '^/v1/sandbox' || status=1
run operator schemathesis-operator --include-path-regex '^/v1/sandbox' || status=1
if ! kill -0 "$mock_pid" 2>/dev/null; then
  echo "ucr-mock died during the run; its log:" >&2
  tail -50 "$reports/ucr-mock.log" >&2
  status=1
fi
exit "$status"
