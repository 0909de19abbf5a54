#!/usr/bin/env bash
# The SDK's half of the breaking-change gate: cargo-semver-checks (pinned, compiled from crates.io
# on first use by scripts/contract-tools.sh) on ucr-sdk against the SDK as it was when the last
# contract was released, i.e. the highest spec/released/vX.Y.Z.json: $UCR_SDK_BASELINE_REV if set,
# else the git tag `contract-vX.Y.Z` if it exists, else the last commit that wrote that file. Fails,
# naming each broken item, when the SDK's public Rust API breaks and ucr-sdk's version in
# sdk/Cargo.toml does not announce it (for 0.x: a new minor), docs/versioning.md.
#
#   scripts/sdk-semver.sh
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/contract-tools.sh

release="$(ls spec/released | grep -E '^v[0-9]+\.[0-9]+\.[0-9]+\.json$' | sort -V | tail -1)"
version="${release%.json}"
rev="${UCR_SDK_BASELINE_REV:-}"
if [[ -z "$rev" ]] && git rev-parse -q --verify "refs/tags/contract-$version" >/dev/null; then
  rev="contract-$version"
fi
if [[ -z "$rev" ]]; then
  # Released files are never edited after their release commit, so the last commit that wrote
  # the file is the release.
  rev="$(git log -1 --format=%H -- "spec/released/$release")"
fi
if [[ -z "$rev" ]]; then
  echo "no baseline for ucr-sdk: spec/released/$release is not in this clone's history" \
    "(a shallow clone?) and there is no tag contract-$version; fetch the history" \
    "(git fetch --unshallow) or set UCR_SDK_BASELINE_REV to the release commit" >&2
  exit 1
fi
echo "cargo semver-checks: ucr-sdk $(sed -n 's/^version = "\(.*\)"/\1/p' sdk/Cargo.toml | head -1)" \
  "against $rev (the SDK of contract $version)"
contract_semver_checks
cargo semver-checks check-release --package ucr-sdk --baseline-rev "$rev"
