# The contract tooling's pinned installs and the standalone mock they run against, sourced by
# scripts/contract-*.sh and scripts/consent-browser.sh (not run on its own).
#
#   contract_npm_tools      npm tools of tools/contract/package.json at the versions in its
#                           package-lock.json (`npm ci`, from the npm registry), on PATH
#   contract_python_tools   PyPI tools of tools/contract/requirements.txt in a virtualenv, on PATH
#   contract_chromium       Debian's chromium (apt-get), when /usr/bin/chromium is missing
#   contract_semver_checks  cargo-semver-checks at a pinned version (cargo install --locked)
#   contract_start_mock     the standalone ucr-mock on a free loopback port (sets contract_mock_url)
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

# contract_start_mock MOCK LOG [ARGS...]: starts the standalone mock (built with cargo when MOCK is
# missing) on a free loopback port with ARGS, its output in LOG, stopped when the script exits;
# waits until it says where it listens and sets contract_mock_url.
contract_start_mock() {
  local mock="$1" log="$2"
  shift 2
  if [[ ! -x "$mock" ]]; then
    cargo build --locked -p ucr-mock --bin ucr-mock
  fi
  "$mock" --addr 127.0.0.1:0 "$@" >"$log" 2>&1 &
  contract_mock_pid=$!
  trap 'kill "$contract_mock_pid" 2>/dev/null || true; wait "$contract_mock_pid" 2>/dev/null || true' EXIT
  contract_mock_url=""
  for _ in $(seq 1 300); do
    contract_mock_url="$(grep -o 'http://127\.0\.0\.1:[0-9]*' "$log" | head -1 || true)"
    if [[ -n "$contract_mock_url" ]]; then break; fi
    if ! kill -0 "$contract_mock_pid" 2>/dev/null; then
      echo "ucr-mock exited early:" >&2
      cat "$log" >&2
      exit 1
    fi
    sleep 0.1
  done
  if [[ -z "$contract_mock_url" ]]; then
    echo "ucr-mock did not say where it listens within 30 s; its log:" >&2
    cat "$log" >&2
    exit 1
  fi
  echo "ucr-mock listening on $contract_mock_url"
}
