#!/usr/bin/env bash
# Lints the published contract, spec/openapi.json, with three independent tools:
#   1. openapi-spec-validator (PyPI, pinned): the OpenAPI 3.1 meta-schema and its semantic checks;
#   2. Redocly CLI `lint` (npm, pinned), the `recommended` ruleset, configured in redocly.yaml;
#   3. Spectral (npm, pinned), the `spectral:oas` ruleset, configured in .spectral.yaml.
# Each must report 0 errors and 0 warnings (infos and hints are printed, not counted). Every
# finding is listed, then one summary line per tool; exits 1 when any tool found anything or
# could not run.
#
#   scripts/contract-lint.sh [SPEC]     (default spec/openapi.json)
#
# The tools are installed by the script (scripts/contract-tools.sh) on first use.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/contract-tools.sh

spec="${1:-spec/openapi.json}"
out="target/contract-lint"
mkdir -p "$out"
contract_python_tools
contract_npm_tools

summary=()
failed=0

# Reads a tool's findings from its output file and prints them; prints "errors warnings others".
count() {
  python3 - "$@" <<'PY'
import json, re, sys

tool, path = sys.argv[1], sys.argv[2]
text = open(path, encoding="utf-8").read()
errors = warnings = others = 0
if tool == "validator":
    # One "Validation Error: [n]" block per finding; a bare "Error:" when the validator itself
    # stopped on a malformed document; "<file>: OK" only when there is nothing to report.
    found = re.findall(r": Validation Error: \[\d+\]", text) + re.findall(r": Error: ", text)
    for block in re.split(r"(?m)^(?=\S+: (?:Validation )?Error)", text):
        if "Error" in block.split("\n", 1)[0]:
            print("  " + block.strip().split("\n")[0], file=sys.stderr)
    errors = len(found)
    if errors == 0 and not re.search(r": OK\s*$", text):
        print(text, file=sys.stderr)
        sys.exit(3)
elif tool == "redocly":
    report = json.loads(text)
    for p in report["problems"]:
        loc = p["location"][0]
        line = loc.get("start", {}).get("line", "?")
        print(f"  {loc['source']['ref']}:{line}  {p['severity']}  {p['ruleId']}  "
              f"{loc.get('pointer', '')}  {p['message']}", file=sys.stderr)
    errors = report["totals"]["errors"]
    warnings = report["totals"]["warnings"]
elif tool == "spectral":
    names = {0: "error", 1: "warning", 2: "info", 3: "hint"}
    for p in json.loads(text):
        line = p["range"]["start"]["line"] + 1
        where = ".".join(str(s) for s in p["path"])
        print(f"  {p['source']}:{line}  {names[p['severity']]}  {p['code']}  {where}  "
              f"{p['message']}", file=sys.stderr)
        errors += p["severity"] == 0
        warnings += p["severity"] == 1
        others += p["severity"] > 1
print(errors, warnings, others)
PY
}

# Runs one tool (its exit code is not trusted: the counts decide) and records its summary line.
lint() {
  local name="$1" tool="$2" file="$3"
  shift 3
  echo "--- $name" >&2
  "$@" >"$file" 2>"$file.stderr" || true
  local counts
  if counts="$(count "$tool" "$file")"; then
    read -r errors warnings others <<<"$counts"
    local extra=""
    if ((others > 0)); then extra=" ($others infos/hints, not counted)"; fi
    summary+=("$name: $errors errors, $warnings warnings$extra")
    if ((errors + warnings > 0)); then failed=1; fi
  else
    echo "  $name did not produce a report; its stderr:" >&2
    sed 's/^/  /' "$file.stderr" >&2
    summary+=("$name: did not run (see above)")
    failed=1
  fi
}

lint "openapi-spec-validator $(openapi-spec-validator --version 2>&1 | awk '{print $NF}') (OpenAPI 3.1)" \
  validator "$out/openapi-spec-validator.txt" \
  openapi-spec-validator --schema 3.1 --validation-errors all "$spec"
lint "redocly lint $(redocly --version 2>/dev/null | tail -1) (recommended, redocly.yaml)" \
  redocly "$out/redocly.json" \
  redocly lint --config redocly.yaml --format json "$spec"
lint "spectral $(spectral --version) (spectral:oas, .spectral.yaml)" \
  spectral "$out/spectral.json" \
  spectral lint --ruleset .spectral.yaml --format json --quiet "$spec"

echo
printf '%s\n' "${summary[@]}"
exit "$failed"
