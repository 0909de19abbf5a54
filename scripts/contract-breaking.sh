#!/usr/bin/env bash
# The breaking-change gate, for the contract and for the SDK generated from it:
#   1. `cargo xtask diff`: every change between the highest spec/released/vX.Y.Z.json and
#      spec/openapi.json, classified by Optic as breaking or not; fails naming each breaking
#      change unless info.version's major was bumped (docs/versioning.md);
#   2. scripts/sdk-semver.sh: cargo-semver-checks (pinned) on ucr-sdk against the SDK as it was at
#      that release.
# CI runs both through scripts/contract-ci.sh.
#
#   scripts/contract-breaking.sh
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/contract-tools.sh

echo "--- cargo xtask diff"
cargo xtask diff

echo "--- the SDK: scripts/sdk-semver.sh"
scripts/sdk-semver.sh
