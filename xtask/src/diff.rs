//! `cargo xtask diff`: the breaking-change gate between the last released contract and `spec/openapi.json`.
//!
//! The baseline is the highest `spec/released/vX.Y.Z.json`. Optic (`@useoptic/optic`, pinned in
//! `tools/contract/package.json`) compares it with the current document under its built-in
//! `breaking-changes` ruleset (`tools/contract/optic.yml`); this module reads Optic's report,
//! classifies every change it lists as breaking or not, and fails, naming each breaking change,
//! unless the current `info.version` has a higher major version than the baseline's.
//!
//! Optic's own rules stand down when the major version was bumped, so Optic is given both
//! documents under the baseline's version and the bump is judged here.
//!
//! Optic only diffs `paths`. So that webhook payloads are gated too, both documents are compared
//! in a form where each 3.1 webhook is a `GET /webhooks/<event>` whose 200 response is the payload:
//! a webhook consumer reads the payload as a client reads a response, so the response rules
//! (removing a property, widening an enum, ...) are the right ones for it.

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::{Map, Value, json};

/// Where the released contracts are kept, one `vX.Y.Z.json` per release.
pub const RELEASED_DIR: &str = "spec/released";
/// The published contract.
pub const CURRENT: &str = "spec/openapi.json";
const OPTIC_STANDARD: &str = "tools/contract/optic.yml";
const WORK_DIR: &str = "target/contract-diff";

/// One change Optic listed, with the rules it broke (none: not breaking).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    /// The operation (`GET /v1/accounts`), `webhook <event>`, or `specification`.
    pub operation: String,
    /// Where in the operation, outermost first (`response 200`, `body application/json`).
    pub context: Vec<String>,
    /// The change itself (`property /schema/properties/name: removed`).
    pub what: String,
    /// Each breaking-change rule it failed, with Optic's message.
    pub broken_rules: Vec<String>,
}

impl Change {
    fn describe(&self) -> String {
        let mut parts = vec![self.operation.clone()];
        parts.extend(self.context.iter().cloned());
        parts.push(self.what.clone());
        parts.join(" › ")
    }
}

/// Runs the gate from the workspace root.
pub fn run(root: &Path) -> Result<(), String> {
    let (baseline_path, baseline_version) = latest_release(root)?;
    let baseline = read_json(&baseline_path)?;
    let current = read_json(&root.join(CURRENT))?;
    let current_version = info_version(&current, CURRENT)?;
    println!(
        "comparing {CURRENT} ({current_version}) with {} ({})",
        relative(root, &baseline_path),
        version_string(baseline_version)
    );

    install_optic(root)?;
    let work = root.join(WORK_DIR);
    std::fs::create_dir_all(&work).map_err(|e| format!("creating {}: {e}", work.display()))?;
    let base_file = work.join("baseline.json");
    let head_file = work.join("current.json");
    write_json(&base_file, &with_webhooks_as_paths(&baseline))?;
    // Optic's rules stand down when the major version was bumped; give both copies the baseline's
    // version so that every change is classified on its content, and decide on the bump here.
    let mut head = with_webhooks_as_paths(&current);
    head["info"]["version"] = json!(version_string(baseline_version));
    write_json(&head_file, &head)?;

    let output = Command::new(root.join("tools/contract/node_modules/.bin/optic"))
        .current_dir(root)
        .args(["diff"])
        .arg(&base_file)
        .arg(&head_file)
        .args(["--check", "--standard", OPTIC_STANDARD])
        .env("NO_COLOR", "1")
        .env("FORCE_COLOR", "0")
        .env("OPTIC_TELEMETRY_LEVEL", "off")
        .env("NO_UPDATE_NOTIFIER", "1")
        .output()
        .map_err(|e| format!("running optic: {e}"))?;
    let text = String::from_utf8_lossy(&output.stdout).into_owned();
    std::fs::write(work.join("optic.txt"), &text).map_err(|e| e.to_string())?;
    let changes = parse_optic(&text);
    check_consistency(&text, output.status.code(), &changes).map_err(|why| {
        format!(
            "{why}\noptic's output (also in {WORK_DIR}/optic.txt):\n{text}\n{}",
            String::from_utf8_lossy(&output.stderr)
        )
    })?;

    let (breaking, compatible): (Vec<&Change>, Vec<&Change>) =
        changes.iter().partition(|c| !c.broken_rules.is_empty());
    println!(
        "{} changes: {} breaking, {} not breaking",
        changes.len(),
        breaking.len(),
        compatible.len()
    );
    for change in &compatible {
        println!("  not breaking: {}", change.describe());
    }
    for change in &breaking {
        println!("  BREAKING: {}", change.describe());
        for rule in &change.broken_rules {
            println!("      {rule}");
        }
    }
    decide(
        baseline_version,
        parse_version(&current_version)?,
        breaking.len(),
    )
}

/// The verdict: breaking changes pass only with a higher major version.
pub fn decide(baseline: Version, current: Version, breaking: usize) -> Result<(), String> {
    if current < baseline {
        return Err(format!(
            "info.version {} is lower than the released {}",
            version_string(current),
            version_string(baseline)
        ));
    }
    if breaking == 0 {
        println!("no breaking change against the released contract");
        return Ok(());
    }
    if current.0 > baseline.0 {
        println!(
            "{breaking} breaking change(s), released as major version {} (baseline {})",
            current.0, baseline.0
        );
        return Ok(());
    }
    Err(format!(
        "{breaking} breaking change(s) against the released {} while info.version is {}: undo \
         them, or make them a new major version (info.version in spec/src, then `cargo xtask \
         spec`; see docs/versioning.md)",
        version_string(baseline),
        version_string(current)
    ))
}

/// `(major, minor, patch)`.
pub type Version = (u64, u64, u64);

fn parse_version(text: &str) -> Result<Version, String> {
    let numbers: Vec<u64> = text
        .split('.')
        .map(|n| n.parse::<u64>())
        .collect::<Result<_, _>>()
        .map_err(|_| format!("`{text}` is not a MAJOR.MINOR.PATCH version"))?;
    match numbers.as_slice() {
        [major, minor, patch] => Ok((*major, *minor, *patch)),
        _ => Err(format!("`{text}` is not a MAJOR.MINOR.PATCH version")),
    }
}

fn version_string((major, minor, patch): Version) -> String {
    format!("{major}.{minor}.{patch}")
}

/// The highest `vX.Y.Z.json` in the released directory; its name must match its `info.version`.
fn latest_release(root: &Path) -> Result<(PathBuf, Version), String> {
    let dir = root.join(RELEASED_DIR);
    let entries = std::fs::read_dir(&dir).map_err(|e| format!("reading {}: {e}", dir.display()))?;
    let mut best: Option<(Version, PathBuf)> = None;
    for entry in entries {
        let path = entry.map_err(|e| e.to_string())?.path();
        let name = path
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or_default();
        let Some(version) = name.strip_prefix('v').and_then(|n| n.strip_suffix(".json")) else {
            continue;
        };
        let version = parse_version(version)?;
        if best.as_ref().is_none_or(|(v, _)| version > *v) {
            best = Some((version, path));
        }
    }
    let (version, path) =
        best.ok_or_else(|| format!("no released contract (vX.Y.Z.json) in {RELEASED_DIR}"))?;
    let declared = info_version(&read_json(&path)?, &relative(root, &path))?;
    if parse_version(&declared)? != version {
        return Err(format!(
            "{} declares info.version {declared}",
            relative(root, &path)
        ));
    }
    Ok((path, version))
}

fn info_version(doc: &Value, name: &str) -> Result<String, String> {
    doc.pointer("/info/version")
        .and_then(Value::as_str)
        .map(str::to_owned)
        .ok_or_else(|| format!("{name} has no info.version"))
}

/// A copy of the document with each webhook as `GET /webhooks/<event>` answering its payload.
pub fn with_webhooks_as_paths(doc: &Value) -> Value {
    let mut out = doc.clone();
    let Some(webhooks) = out
        .as_object_mut()
        .and_then(|o| o.remove("webhooks"))
        .and_then(|w| w.as_object().cloned())
    else {
        return out;
    };
    let mut paths = out["paths"].as_object().cloned().unwrap_or_default();
    for (event, item) in webhooks {
        let mut responses = Map::new();
        for operation in item.as_object().into_iter().flat_map(|i| i.values()) {
            let content = operation
                .pointer("/requestBody/content")
                .cloned()
                .unwrap_or(json!({}));
            responses.insert(
                "200".into(),
                json!({"description": format!("the `{event}` payload"), "content": content}),
            );
        }
        paths.insert(
            format!("/webhooks/{event}"),
            json!({"get": {"operationId": format!("webhook_{event}"), "responses": responses}}),
        );
    }
    out["paths"] = Value::Object(paths);
    out
}

/// Reads Optic's text report: each `- ...` line that does not open a group is a change, and each
/// `x [rule] message` line below it is a breaking-change rule that change failed.
pub fn parse_optic(text: &str) -> Vec<Change> {
    let mut changes: Vec<Change> = Vec::new();
    let mut operation = String::new();
    let mut groups: Vec<(usize, String)> = Vec::new();
    for line in text.lines() {
        let trimmed = line.trim_end();
        let body = trimmed.trim_start();
        if body.is_empty() {
            continue;
        }
        let indent = trimmed.len() - body.len();
        if indent == 0 && !body.starts_with("- ") {
            groups.clear();
            if body == "specification details:" {
                operation = "specification".into();
            } else if let Some((op, rest)) = operation_header(body) {
                operation = op;
                if !rest.is_empty() {
                    changes.push(change(&operation, &groups, rest));
                }
            }
            continue;
        }
        if let Some(item) = body.strip_prefix("- ") {
            while groups.last().is_some_and(|(i, _)| *i >= indent) {
                groups.pop();
            }
            match item.strip_suffix(':') {
                Some(group) => groups.push((indent, group.to_owned())),
                None => changes.push(change(&operation, &groups, item)),
            }
        } else if let Some(rule) = body.strip_prefix("x [") {
            if changes.last().is_none_or(|c| c.operation != operation) {
                changes.push(change(&operation, &groups, "(the operation)"));
            }
            let (name, message) = rule.split_once("] ").unwrap_or((rule, ""));
            let last = changes.last_mut().expect("pushed above");
            last.broken_rules.push(format!("{name}: {message}"));
        }
    }
    changes
}

fn change(operation: &str, groups: &[(usize, String)], what: &str) -> Change {
    Change {
        operation: operation.to_owned(),
        context: groups.iter().map(|(_, g)| g.clone()).collect(),
        what: what.to_owned(),
        broken_rules: Vec::new(),
    }
}

/// `x GET /v1/accounts: ` → (`GET /v1/accounts`, ``); a webhook's path is named as the webhook.
fn operation_header(line: &str) -> Option<(String, &str)> {
    let (_, rest) = line.split_once(' ')?;
    let (method, rest) = rest.split_once(' ')?;
    const METHODS: &[&str] = &["GET", "PUT", "POST", "DELETE", "OPTIONS", "HEAD", "PATCH"];
    if !METHODS.contains(&method) {
        return None;
    }
    let (path, rest) = rest.split_once(':')?;
    let name = match path.strip_prefix("/webhooks/") {
        Some(event) => format!("webhook {event} (payload)"),
        None => format!("{method} {path}"),
    };
    Some((name, rest.trim()))
}

/// Optic's exit code and its own count of failed checks must agree with what was parsed, or the
/// report format has changed under the parser and the verdict cannot be trusted.
fn check_consistency(text: &str, code: Option<i32>, changes: &[Change]) -> Result<(), String> {
    let failed_rules = text
        .lines()
        .filter(|l| l.trim_start().starts_with("x ["))
        .count();
    let parsed: usize = changes.iter().map(|c| c.broken_rules.len()).sum();
    if failed_rules != parsed {
        return Err(format!(
            "optic reported {failed_rules} failed rules but {parsed} were read"
        ));
    }
    match (code, parsed) {
        (Some(0), 0) | (Some(1), 1..) => Ok(()),
        (Some(1), 0) => Err("optic failed without reporting a failed rule".into()),
        (Some(0), _) => Err("optic passed while reporting failed rules".into()),
        (other, _) => Err(format!("optic exited with {other:?}")),
    }
}

fn install_optic(root: &Path) -> Result<(), String> {
    let status = Command::new("bash")
        .current_dir(root)
        .args([
            "-c",
            "source scripts/contract-tools.sh && contract_npm_tools",
        ])
        .status()
        .map_err(|e| format!("running scripts/contract-tools.sh: {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err("installing the npm tools (scripts/contract-tools.sh) failed".into())
    }
}

fn read_json(path: &Path) -> Result<Value, String> {
    let text =
        std::fs::read_to_string(path).map_err(|e| format!("reading {}: {e}", path.display()))?;
    serde_json::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))
}

fn write_json(path: &Path, value: &Value) -> Result<(), String> {
    let text = serde_json::to_string_pretty(value).map_err(|e| e.to_string())?;
    std::fs::write(path, text).map_err(|e| format!("writing {}: {e}", path.display()))
}

fn relative(root: &Path, path: &Path) -> String {
    path.strip_prefix(root)
        .unwrap_or(path)
        .display()
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Optic 1.0.9's report for a removed response property, an optional query parameter made
    /// required, an added one, and an info change (trimmed from a real run).
    const REPORT: &str = "\
x CER Unit and Certificate Registry interoperability API spec/openapi.json
Operations: 3 operations changed
x  Checks: 3/5 passed 

specification details:
- /info/description changed

\u{2714} POST /v1/sandbox/issuances: 
  - response 201: 
    - body application/json: 
      - property /schema/properties/note: added
x GET /v1/accounts/{account_id}/holdings: 
  - query parameter sort: added
    
  - query parameter unit_type: 
    - /required changed
    
    x [prevent requiring existing query parameters] cannot make optional query parameter 'unit_type' required. This is a breaking change.
    at new2.json:627:26633
    
x GET /webhooks/escrow.settled: 
  - response 200: 
    - body application/json: 
      - property /schema/properties/name: removed
      
        x [prevent removing response property] cannot remove response property 'name'. This is a breaking change.
        at a.json:1:2
        
      - property /schema/properties/items: changed
Rerun this command with the --web flag to view the detailed changes in your browser
";

    #[test]
    fn every_listed_change_is_classified() {
        let changes = parse_optic(REPORT);
        let seen: Vec<(String, bool)> = changes
            .iter()
            .map(|c| (c.describe(), !c.broken_rules.is_empty()))
            .collect();
        let expected = [
            ("specification › /info/description changed", false),
            (
                "POST /v1/sandbox/issuances › response 201 › body application/json › property /schema/properties/note: added",
                false,
            ),
            (
                "GET /v1/accounts/{account_id}/holdings › query parameter sort: added",
                false,
            ),
            (
                "GET /v1/accounts/{account_id}/holdings › query parameter unit_type › /required changed",
                true,
            ),
            (
                "webhook escrow.settled (payload) › response 200 › body application/json › property /schema/properties/name: removed",
                true,
            ),
            (
                "webhook escrow.settled (payload) › response 200 › body application/json › property /schema/properties/items: changed",
                false,
            ),
        ];
        let expected: Vec<(String, bool)> =
            expected.iter().map(|(d, b)| (d.to_string(), *b)).collect();
        assert_eq!(seen, expected);
        assert_eq!(
            changes[3].broken_rules,
            [
                "prevent requiring existing query parameters: cannot make optional query parameter \
              'unit_type' required. This is a breaking change."
            ]
        );
        assert_eq!(check_consistency(REPORT, Some(1), &changes), Ok(()));
        assert!(check_consistency(REPORT, Some(0), &changes).is_err());
        assert!(check_consistency(REPORT, Some(2), &changes).is_err());
    }

    #[test]
    fn breaking_changes_need_a_major_version() {
        assert!(decide((1, 0, 0), (1, 0, 0), 0).is_ok());
        assert!(decide((1, 0, 0), (1, 4, 0), 0).is_ok());
        let refused = decide((1, 0, 0), (1, 1, 0), 2).unwrap_err();
        assert!(refused.contains("2 breaking change(s)"), "{refused}");
        assert!(decide((1, 0, 0), (2, 0, 0), 2).is_ok());
        assert!(decide((1, 2, 0), (1, 1, 9), 0).is_err());
        assert!(parse_version("1.0").is_err());
    }

    #[test]
    fn webhooks_become_paths_answering_their_payload() {
        let doc = json!({
            "paths": {"/v1/a": {}},
            "webhooks": {"escrow.settled": {"post": {"requestBody": {"content": {
                "application/json": {"schema": {"$ref": "#/components/schemas/E"}}}}}}}
        });
        let out = with_webhooks_as_paths(&doc);
        assert!(out.get("webhooks").is_none());
        assert_eq!(
            out["paths"]["/webhooks/escrow.settled"]["get"]["responses"]["200"]["content"],
            json!({"application/json": {"schema": {"$ref": "#/components/schemas/E"}}})
        );
        assert!(out["paths"]["/v1/a"].is_object());
    }

    #[test]
    fn the_baseline_is_a_release_of_the_current_contract() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
        let (_, baseline) = latest_release(root).unwrap();
        let current = info_version(&read_json(&root.join(CURRENT)).unwrap(), CURRENT).unwrap();
        assert!(parse_version(&current).unwrap() >= baseline);
    }
}
