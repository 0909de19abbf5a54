#!/usr/bin/env bash
# The contract's tooling in one entry for CI: runs every step in order, each to the end even when
# an earlier one failed, prints each step's time and result, then a summary; exits 1 when any
# step failed. Each step installs its own pinned tools on first use (scripts/contract-tools.sh).
#
#   1. lint       scripts/contract-lint.sh      openapi-spec-validator, Redocly lint, Spectral
#   2. derived    cargo xtask check             progenitor's 3.0 input and the SDK are in step
#                                               with spec/openapi.json (no 3.0 document is published)
#   3. clients    scripts/contract-clients.sh   TypeScript types + tsc --strict; Python client and
#                                               a transfer scenario against the standalone mock
#   4. breaking   scripts/contract-breaking.sh  cargo xtask diff (Optic) and cargo-semver-checks
#   5. docs       scripts/contract-docs.sh      cargo xtask docs and the page in headless Chromium
#
#   scripts/contract-ci.sh [--mock PATH]    (--mock goes to step 3)
set -uo pipefail
cd "$(dirname "$0")/.."

mock_args=()
if [[ "${1:-}" == "--mock" ]]; then mock_args=(--mock "$2"); fi

results=()
failed=0
step() {
  local name="$1"
  shift
  printf '\n==> contract step %s: %s\n' "$name" "$*"
  local started=$SECONDS status
  "$@"
  status=$?
  local took=$((SECONDS - started))
  local verdict="ok"
  if ((status != 0)); then verdict="FAILED (exit $status)"; failed=1; fi
  printf '<== contract step %s: %s in %d s\n' "$name" "$verdict" "$took"
  results+=("$(printf '%-9s %-22s %5d s' "$name" "$verdict" "$took")")
}

step lint scripts/contract-lint.sh
step derived cargo xtask check
step clients scripts/contract-clients.sh "${mock_args[@]}"
step breaking scripts/contract-breaking.sh
step docs scripts/contract-docs.sh

printf '\ncontract tooling summary\n'
printf '%s\n' "${results[@]}"
exit "$failed"
