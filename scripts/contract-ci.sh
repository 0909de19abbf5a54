#!/usr/bin/env bash
# The contract's tooling in one entry for CI (.ci/run calls it): runs every step in order, each to
# the end even when an earlier one failed, prints each step's time and result, then a summary;
# exits 1 when any step failed. Each step installs its own pinned tools on first use
# (scripts/contract-tools.sh).
#
#   1. lint       scripts/contract-lint.sh      openapi-spec-validator, Redocly lint, Spectral
#   2. clients    scripts/contract-clients.sh   TypeScript types + tsc --strict; Python client and
#                                               a transfer scenario against the standalone mock
#   3. diff       cargo xtask diff              Optic against spec/released/ (breaking changes)
#   4. docs       scripts/contract-docs.sh      cargo xtask docs and the page in headless Chromium
#
# Not here: cargo-semver-checks (scripts/contract-breaking.sh runs it after `cargo xtask diff`).
# crates.io ships it as source only, and compiling it on a fresh 2-core machine does not fit CI's
# time budget, so it is run by hand before a release. `cargo xtask check` (progenitor's input and the
# SDK in step with the contract) is a step of .ci/run itself.
#
#   scripts/contract-ci.sh [--mock PATH]    (--mock goes to step 2)
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
step clients scripts/contract-clients.sh "${mock_args[@]}"
step diff cargo xtask diff
step docs scripts/contract-docs.sh

printf '\ncontract tooling summary\n'
printf '%s\n' "${results[@]}"
exit "$failed"
