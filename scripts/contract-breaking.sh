#!/usr/bin/env bash
# The breaking-change gate, for the contract and for the SDK generated from it:
#   1. `cargo xtask diff`: every change between the highest spec/released/vX.Y.Z.json and
#      spec/openapi.json, classified by Optic as breaking or not; fails naming each breaking
#      change unless info.version's major was bumped (docs/versioning.md);
#   2. cargo-semver-checks (pinned, compiled from crates.io on first use) on ucr-sdk against the
#      SDK as it was at that release: $UCR_SDK_BASELINE_REV if set, else the git tag
#      `contract-vX.Y.Z` if it exists, else the commit that added spec/released/vX.Y.Z.json.
#
#   scripts/contract-breaking.sh
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/contract-tools.sh

echo "--- cargo xtask diff"
cargo xtask diff

release="$(ls spec/released | grep -E '^v[0-9]+\.[0-9]+\.[0-9]+\.json$' | sort -V | tail -1)"
version="${release%.json}"
rev="${UCR_SDK_BASELINE_REV:-}"
if [[ -z "$rev" ]] && git rev-parse -q --verify "refs/tags/contract-$version" >/dev/null; then
  rev="contract-$version"
fi
if [[ -z "$rev" ]]; then
  rev="$(git log --diff-filter=A --format=%H -- "spec/released/$release" | tail -1)"
fi
if [[ -z "$rev" ]]; then
  echo "no baseline for ucr-sdk: spec/released/$release is not committed and there is no tag" \
    "contract-$version (set UCR_SDK_BASELINE_REV)" >&2
  exit 1
fi
echo "--- cargo semver-checks: ucr-sdk against $rev (the SDK of contract $version)"
contract_semver_checks
cargo semver-checks check-release --package ucr-sdk --baseline-rev "$rev"
