# The contract tooling's pinned installs, sourced by scripts/contract-*.sh (not run on its own).
#
#   contract_npm_tools      npm tools of tools/contract/package.json at the versions in its
#                           package-lock.json (`npm ci`, from the npm registry), on PATH
#   contract_python_tools   PyPI tools of tools/contract/requirements.txt in a virtualenv, on PATH
#   contract_chromium       Debian's chromium (apt-get), when /usr/bin/chromium is missing
#   contract_semver_checks  cargo-semver-checks at a pinned version (cargo install --locked)
#
# Each install is skipped while its lock file is unchanged since the last one (a stamp beside the
# install records the lock file's hash), so a second run costs nothing. Telemetry and update
# checks of the tools are switched off: they would only wait on hosts this machine cannot reach.

contract_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
contract_npm_dir="$contract_root/tools/contract"
contract_venv="${CONTRACT_VENV:-$contract_root/target/contract-tools/venv}"

export REDOCLY_TELEMETRY=off
export REDOCLY_SUPPRESS_UPDATE_NOTICE=true
export OPTIC_TELEMETRY_LEVEL=off
export NO_UPDATE_NOTIFIER=1
export SCARF_ANALYTICS=false
export DO_NOT_TRACK=1
export NPM_CONFIG_UPDATE_NOTIFIER=false

contract_hash() { sha256sum "$1" | cut -d' ' -f1; }

contract_npm_tools() {
  local stamp="$contract_npm_dir/node_modules/.ucr-lock.sha256"
  local want
  want="$(contract_hash "$contract_npm_dir/package-lock.json")"
  if [[ "$(cat "$stamp" 2>/dev/null)" != "$want" ]]; then
    echo "installing the npm tools (npm ci in tools/contract)" >&2
    (cd "$contract_npm_dir" && npm ci --no-audit --no-fund --loglevel=error >&2)
    echo "$want" >"$stamp"
  fi
  export PATH="$contract_npm_dir/node_modules/.bin:$PATH"
}

contract_python_tools() {
  local stamp="$contract_venv/.ucr-requirements.sha256"
  local want
  want="$(contract_hash "$contract_npm_dir/requirements.txt")"
  if [[ "$(cat "$stamp" 2>/dev/null)" != "$want" ]]; then
    echo "installing the PyPI tools into $contract_venv" >&2
    python3 -m venv "$contract_venv"
    "$contract_venv/bin/pip" install --quiet --disable-pip-version-check \
      -r "$contract_npm_dir/requirements.txt" >&2
    echo "$want" >"$stamp"
  fi
  export PATH="$contract_venv/bin:$PATH"
}

# Debian's Chromium for the reference page check (apt; CI runs as root on a fresh machine).
contract_chromium() {
  if [[ -x "${CHROMIUM:-/usr/bin/chromium}" ]]; then return; fi
  echo "installing chromium (apt)" >&2
  apt-get update -q >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium >&2
}

# cargo-semver-checks, compiled from crates.io at the pinned version.
CONTRACT_SEMVER_CHECKS_VERSION="0.51.0"
contract_semver_checks() {
  if [[ "$(cargo semver-checks --version 2>/dev/null)" == *"$CONTRACT_SEMVER_CHECKS_VERSION"* ]]; then
    return
  fi
  echo "installing cargo-semver-checks $CONTRACT_SEMVER_CHECKS_VERSION (cargo install, minutes)" >&2
  cargo install --locked "cargo-semver-checks@$CONTRACT_SEMVER_CHECKS_VERSION" >&2
}
