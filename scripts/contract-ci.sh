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
#   5. semver     scripts/sdk-semver.sh         cargo-semver-checks on ucr-sdk against the release
#
# crates.io ships cargo-semver-checks as source only, and compiling it takes minutes on a fresh
# 2-core machine, so when it is missing its `cargo install` starts first, in the background at the
# lowest priority, and overlaps steps 1-4 (mostly downloads and Node); step 5 waits for it.
# `cargo xtask check` (progenitor's input and the SDK in step with the contract) is a step of
# .ci/run itself.
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

source scripts/contract-tools.sh
mkdir -p target/ci-artefacts
install_log=target/ci-artefacts/cargo-semver-checks-install.log
install_pid=""
if [[ "$(cargo semver-checks --version 2>/dev/null)" != *"$CONTRACT_SEMVER_CHECKS_VERSION"* ]]; then
  printf 'installing cargo-semver-checks %s in the background (log: %s)\n' \
    "$CONTRACT_SEMVER_CHECKS_VERSION" "$install_log"
  (nice -n 19 bash -c 'source scripts/contract-tools.sh && contract_semver_checks') \
    >"$install_log" 2>&1 &
  install_pid=$!
fi
# Step 5: waits for the background install (its log printed if it failed), then the check.
semver() {
  if [[ -n "$install_pid" ]]; then
    local waited=$SECONDS
    if ! wait "$install_pid"; then
      cat "$install_log" >&2
      echo "installing cargo-semver-checks failed (log above)" >&2
      return 1
    fi
    echo "waited $((SECONDS - waited)) s for the cargo-semver-checks install"
  fi
  scripts/sdk-semver.sh
}

step lint scripts/contract-lint.sh
step clients scripts/contract-clients.sh "${mock_args[@]}"
step diff cargo xtask diff
step docs scripts/contract-docs.sh
step semver semver

printf '\ncontract tooling summary\n'
printf '%s\n' "${results[@]}"
exit "$failed"
