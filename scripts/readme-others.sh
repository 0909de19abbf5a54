#!/usr/bin/env bash
# Runs every command README.md shows besides its two main ones (scripts/readme_commands.py
# others), each as written, in README order, so that none can silently rot. Commands that would
# reach the outside world run against loopback stand-ins:
#   - the README's standalone-mock command (`cargo run -p ucr-mock -- --addr 127.0.0.1:8080 …`) is
#     started first, in the background, exactly as written; the `curl` after it and every
#     `--base-url https://registry.example.test` run against it (the URL rewritten to it);
#   - `--config target.toml`: target.toml is the README's ```toml block with `base_url` pointed at
#     `ucr-mock --no-sandbox --fixture scripts/readme-target-fixture.json` (accounts, representatives
#     and the platform the block names) on loopback, the block's token variables set to that
#     fixture's tokens; `known-failures.toml` is an empty list (both written at the root, as a user
#     would, and removed afterwards with the reports the commands write);
#   - `cargo xtask spec` must leave the committed generated files unchanged;
#   - `cargo xtask bench` is skipped, saying so: .ci/run's bench step runs `--quick` (a full
#     benchmark takes many minutes).
# Every other command runs verbatim; one that fails fails this script. Output goes to
# target/readme-commands/<n>.log; a summary line per command is printed.
set -euo pipefail
cd "$(dirname "$0")/.."

out=target/readme-commands
rm -rf "$out" && mkdir -p "$out"
# The files the README's commands read and write, at the root as a user would have them.
made=(target.toml known-failures.toml report.xml report.json report.html evidence)
for f in "${made[@]}"; do
  [[ -e "$f" ]] && { echo "$f exists at the root; move it away first (this script writes it)" >&2; exit 2; }
done
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill -- "-$pid" 2>/dev/null || true; done
  rm -rf "${made[@]}"
}
trap cleanup EXIT

wait_for() { # URL SECONDS
  local deadline=$((SECONDS + $2))
  until curl -fsS -o /dev/null "$1" 2>/dev/null; do
    if ((SECONDS > deadline)); then echo "no answer from $1 after $2 s" >&2; return 1; fi
    sleep 0.5
  done
}

mapfile -t commands < <(python3 scripts/readme_commands.py others)
((${#commands[@]} > 0)) || { echo "README.md shows no other commands?" >&2; exit 1; }

# The README's standalone mock, as written, for the curl and --base-url lines.
mock_cmd=""
for c in "${commands[@]}"; do [[ "$c" == "cargo run -p ucr-mock --"* ]] && mock_cmd="$c"; done
[[ -n "$mock_cmd" ]] || { echo "README.md no longer shows how to start the standalone mock" >&2; exit 1; }
mock_url="http://$(sed -E 's/.*--addr ([^ ]+).*/\1/' <<<"$mock_cmd")"
echo "--- starting the README's standalone mock: $mock_cmd"
setsid bash -c "$mock_cmd" >"$out/standalone-mock.log" 2>&1 &
pids+=($!)
wait_for "$mock_url/v1/registers/accu-projects?limit=1" 300

# The --config target: the README's TOML against a fixture mock on loopback.
fixture_addr="127.0.0.1:18091"
setsid target/debug/ucr-mock --addr "$fixture_addr" --no-sandbox \
  --fixture scripts/readme-target-fixture.json >"$out/fixture-mock.log" 2>&1 &
pids+=($!)
wait_for "http://$fixture_addr/v1/registers/accu-projects?limit=1" 60
python3 scripts/readme_commands.py toml \
  | sed -E "s#^base_url = .*#base_url = \"http://$fixture_addr\"#" >target.toml
printf '# no known failures\n' >known-failures.toml
export UCR_TOKEN_INITIATOR=readme-initiator UCR_TOKEN_APPROVER=readme-approver \
  UCR_TOKEN_OTHER=readme-other UCR_TOKEN_EXCHANGE=readme-exchange \
  UCR_EXCHANGE_SECRET=readme-exchange-secret

n=0
for cmd in "${commands[@]}"; do
  n=$((n + 1))
  log="$out/$n.log"
  started=$SECONDS
  run="$cmd"
  case "$cmd" in
    "$mock_cmd") echo "[$n] running in the background since the start: $cmd"; continue ;;
    "cargo xtask bench" | "cargo xtask bench "*)
      # .ci/run runs `cargo xtask bench --quick` as its own step; a full benchmark takes many
      # minutes.
      echo "[$n] skipped (the bench step of .ci/run runs cargo xtask bench --quick): $cmd"
      continue ;;
    *registry.example.test*) run="${cmd//https:\/\/registry.example.test/$mock_url}" ;;
  esac
  if ! bash -c "$run" >"$log" 2>&1; then
    echo "[$n] FAILED after $((SECONDS - started)) s: $cmd (log: $log)"
    tail -n 40 "$log"
    exit 1
  fi
  case "$cmd" in
    curl*) grep -q '"items"' "$log" || { echo "[$n] curl did not return a page: $(head -c 300 "$log")"; exit 1; } ;;
    "cargo xtask spec")
      git diff --exit-code --stat -- spec sdk || { echo "[$n] cargo xtask spec changed committed files"; exit 1; } ;;
  esac
  echo "[$n] ok in $((SECONDS - started)) s: $cmd"
done
echo "all README commands ran: $n"
