//! The run's report and its renderings: human text, JSON (with a JSON Schema, published as
//! `conformance/report.schema.json`), JUnit XML and a self-contained HTML page (the `html` module).

use std::fmt::Write as _;

use chrono::{DateTime, Utc};
use quick_xml::Writer;
use quick_xml::events::{BytesDecl, BytesText, Event};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::capability::Capabilities;
use crate::check::Check;
use crate::model::Model;
pub use crate::text::snippet;
use crate::text::truncate;

/// How much of a body the human and JUnit reports show.
const BODY_LIMIT: usize = 4096;
/// How much of each body the JSON report keeps for the exchange that failed a check.
pub const FAILED_EXCHANGE_BODY_LIMIT: usize = 64 * 1024;
/// How much of each body the JSON report keeps for every other exchange.
pub const EXCHANGE_BODY_LIMIT: usize = 8 * 1024;

/// The result of a run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Report {
    /// Always `ucr-conformance`.
    pub tool: String,
    /// Version of the suite.
    pub tool_version: String,
    /// The target as described on the command line (e.g. `embedded ucr-mock`).
    pub target: String,
    /// The target's base URL.
    pub base_url: String,
    /// When the run started.
    pub started_at: DateTime<Utc>,
    /// Wall-clock duration of the run, in milliseconds.
    pub duration_ms: u64,
    /// What the target declared it implements; checks needing anything else were skipped.
    pub capabilities: Capabilities,
    /// Where the fixtures came from.
    pub provisioning: Provisioning,
    /// The target's declared webhook retry base `b` in milliseconds (REQ-WEBHOOK-006), which the
    /// redelivery checks held it to.
    pub webhook_backoff_ms: u64,
    /// Counts by status.
    pub summary: Summary,
    /// One entry per selected check, in registry order.
    pub checks: Vec<CheckReport>,
}

/// Where a run's fixtures came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Provisioning {
    /// Fresh holders, accounts, representatives and units per check, through the sandbox API.
    Sandbox,
    /// The accounts and tokens of a configuration file; checks that need fresh fixtures were
    /// skipped, and checks ran one at a time.
    Configured,
}

/// Counts by status.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Summary {
    /// Checks selected.
    pub total: usize,
    /// Checks passed.
    pub passed: usize,
    /// Checks failed (not counting expected failures).
    pub failed: usize,
    /// Checks that did not apply or were not run.
    pub skipped: usize,
    /// Failures listed in the expected-failures file.
    pub expected_failures: usize,
    /// Checks listed in the expected-failures file that passed: they fail the run.
    pub unexpected_passes: usize,
}

impl Summary {
    /// Counts `checks` by status.
    pub fn of(checks: &[CheckReport]) -> Self {
        let count = |s: CheckStatus| checks.iter().filter(|c| c.status == s).count();
        Self {
            total: checks.len(),
            passed: count(CheckStatus::Passed),
            failed: count(CheckStatus::Failed),
            skipped: count(CheckStatus::Skipped),
            expected_failures: count(CheckStatus::ExpectedFailure),
            unexpected_passes: count(CheckStatus::UnexpectedPass),
        }
    }

    /// Whether the run succeeded: nothing failed and no expected failure passed.
    pub fn ok(&self) -> bool {
        self.failed == 0 && self.unexpected_passes == 0
    }

    /// `N passed, M failed` (and `, K skipped`, `, E expected failures`, `, U unexpectedly passed`
    /// when there were some).
    pub fn line(&self) -> String {
        let mut line = format!("{} passed, {} failed", self.passed, self.failed);
        if self.skipped > 0 {
            let _ = write!(line, ", {} skipped", self.skipped);
        }
        if self.expected_failures > 0 {
            let _ = write!(line, ", {} expected failures", self.expected_failures);
        }
        if self.unexpected_passes > 0 {
            let _ = write!(line, ", {} unexpectedly passed", self.unexpected_passes);
        }
        line
    }
}

/// Outcome of one check.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum CheckStatus {
    /// The target behaved as the API requires.
    Passed,
    /// It did not; see `message` and `failed_exchange`.
    Failed,
    /// The check did not apply, or the target lacks what it needs; see `message`.
    Skipped,
    /// It failed, and the expected-failures file lists it (see `expected_failure`); does not fail
    /// the run.
    ExpectedFailure,
    /// It passed although the expected-failures file lists it: remove it from the file. Fails the
    /// run.
    UnexpectedPass,
}

/// One check's result with its evidence.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct CheckReport {
    /// Stable check ID, e.g. `A1-TRANSFER-003`.
    pub id: String,
    /// Interoperability model, e.g. `A.1`.
    pub model: Model,
    /// Section of the CER's paper the behaviour comes from.
    pub seed: String,
    /// `operationId`s the check exercises.
    pub operations: Vec<String>,
    /// What the check verifies.
    pub description: String,
    /// What the target must declare for the check to run (its model, optional features).
    pub requires: Vec<String>,
    /// The IDs of the contract's requirements the check verifies (`x-ucr-requirements` in
    /// `spec/openapi.json`); it asserts nothing more than they say.
    #[serde(default)]
    pub cites: Vec<String>,
    /// For a failed check (or an expected failure): the requirement(s) the target violated, with
    /// their text — the one the failing assertion verifies when the check names it, else every
    /// requirement the check cites.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub violated: Vec<RequirementRef>,
    /// Outcome.
    pub status: CheckStatus,
    /// How long the check took, in milliseconds.
    pub duration_ms: u64,
    /// Why it failed or was skipped; for a passed check, the part of it that did not run (e.g. its
    /// webhook assertions on a target without `webhooks`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// The reason the expected-failures file gives, when it lists the check.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expected_failure: Option<String>,
    /// The evidence file holding the check's exchanges (with `--evidence`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub evidence: Option<String>,
    /// The exchange that failed the check (by default its last).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub failed_exchange: Option<ExchangeRecord>,
    /// Every HTTP exchange the check made, fixture set-up included, in order.
    pub exchanges: Vec<ExchangeRecord>,
}

impl CheckReport {
    /// A passed report of `check` with no exchanges, for filling in.
    pub fn new(check: &Check, requires: Vec<String>) -> Self {
        Self {
            id: check.id.to_owned(),
            model: check.model,
            seed: check.seed.to_owned(),
            operations: check.operations.iter().map(|s| (*s).to_owned()).collect(),
            description: check.description.to_owned(),
            requires,
            cites: check.cites.iter().map(|s| (*s).to_owned()).collect(),
            violated: Vec::new(),
            status: CheckStatus::Passed,
            duration_ms: 0,
            message: None,
            expected_failure: None,
            evidence: None,
            failed_exchange: None,
            exchanges: Vec::new(),
        }
    }
}

/// A requirement of the contract, as a failure quotes it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct RequirementRef {
    /// `REQ-<AREA>-<NNN>`.
    pub id: String,
    /// The requirement's sentence, as `x-ucr-requirements` in `spec/openapi.json` states it.
    pub text: String,
}

impl RequirementRef {
    /// The catalogue entry of `id`; an ID the catalogue lacks is quoted with a note saying so.
    pub fn of(id: &str) -> Self {
        let text = match ucr_spec::requirements::find(id) {
            Some(requirement) => requirement.text.to_owned(),
            None => "(not in the contract's requirements catalogue)".to_owned(),
        };
        Self {
            id: id.to_owned(),
            text,
        }
    }

    /// `REQ-…: text`, the line every report format shows.
    pub fn line(&self) -> String {
        format!("{}: {}", self.id, self.text)
    }
}

/// One HTTP request and its response. Credentials are redacted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct ExchangeRecord {
    /// The operation's `operationId`.
    pub operation_id: String,
    /// Request method.
    pub method: String,
    /// Request URL.
    pub url: String,
    /// Request headers.
    pub request_headers: Vec<Header>,
    /// Request body as text (empty when none), cut after 8 KiB (64 KiB for `failed_exchange`).
    pub request_body: String,
    /// Response status; absent when no response arrived.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<u16>,
    /// Response headers.
    pub response_headers: Vec<Header>,
    /// Response body as text, or the transport error, cut after 8 KiB (64 KiB for
    /// `failed_exchange`).
    pub response_body: String,
}

/// An HTTP header.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Header {
    /// Lower-case name.
    pub name: String,
    /// Value.
    pub value: String,
}

impl From<&ucr_sdk::Exchange> for ExchangeRecord {
    fn from(exchange: &ucr_sdk::Exchange) -> Self {
        let headers = |pairs: &[(String, String)]| {
            pairs
                .iter()
                .map(|(name, value)| Header {
                    name: name.clone(),
                    value: value.clone(),
                })
                .collect()
        };
        let response_body = redact_tokens(&String::from_utf8_lossy(&exchange.response_body));
        let request_body = redact_tokens(&String::from_utf8_lossy(&exchange.request_body));
        Self {
            operation_id: exchange.operation_id.to_owned(),
            method: exchange.method.clone(),
            url: exchange.url.clone(),
            request_headers: headers(&exchange.request_headers),
            request_body,
            status: exchange.status,
            response_headers: headers(&exchange.response_headers),
            response_body,
        }
    }
}

/// Headers whose values are credentials, whatever their scheme.
const SECRET_HEADERS: &[&str] = &[
    "authorization",
    "proxy-authorization",
    "cookie",
    "set-cookie",
    "webhook-signature",
];

impl ExchangeRecord {
    /// The record with credential headers redacted and every occurrence of `secrets` (the
    /// configuration's tokens) replaced with `<redacted>`, wherever it appears.
    pub fn scrubbed(mut self, secrets: &[String]) -> Self {
        let scrub = |text: &mut String| {
            for secret in secrets.iter().filter(|s| !s.is_empty()) {
                if text.contains(secret.as_str()) {
                    *text = text.replace(secret.as_str(), "<redacted>");
                }
            }
        };
        for header in self
            .request_headers
            .iter_mut()
            .chain(self.response_headers.iter_mut())
        {
            if SECRET_HEADERS.contains(&header.name.as_str())
                && !header.value.contains("<redacted>")
            {
                header.value = match header.value.split_once(' ') {
                    Some((scheme, _)) if header.name.ends_with("authorization") => {
                        format!("{scheme} <redacted>")
                    }
                    _ => "<redacted>".to_owned(),
                };
            }
            scrub(&mut header.value);
        }
        scrub(&mut self.url);
        scrub(&mut self.request_body);
        scrub(&mut self.response_body);
        self
    }

    /// The record with both bodies cut after `max` bytes.
    pub fn capped(mut self, max: usize) -> Self {
        self.request_body = truncate(&self.request_body, max);
        self.response_body = truncate(&self.response_body, max);
        self
    }
}

/// Members of a JSON object body, or fields of a form body, that carry credentials: sandbox and
/// platform tokens, OAuth client secrets and access tokens, webhook signing secrets.
const SECRET_MEMBERS: &[&str] = &["token", "client_secret", "access_token", "secret"];

/// Replaces the credential members of a JSON object body or a form body ([`SECRET_MEMBERS`]) with
/// `<redacted>`; other bodies are kept as they are.
fn redact_tokens(body: &str) -> String {
    const REDACTED: &str = "<redacted>";
    if let Ok(serde_json::Value::Object(mut object)) = serde_json::from_str(body) {
        let mut changed = false;
        for member in SECRET_MEMBERS {
            if let Some(value) = object.get_mut(*member)
                && value.is_string()
            {
                *value = serde_json::Value::String(REDACTED.into());
                changed = true;
            }
        }
        return if changed {
            serde_json::Value::Object(object).to_string()
        } else {
            body.to_owned()
        };
    }
    if !body.trim_start().starts_with('{')
        && body.contains('=')
        && let Ok(pairs) = serde_urlencoded::from_str::<Vec<(String, String)>>(body)
        && pairs
            .iter()
            .any(|(name, _)| SECRET_MEMBERS.contains(&name.as_str()))
    {
        let redacted: Vec<(String, String)> = pairs
            .into_iter()
            .map(|(name, value)| {
                if SECRET_MEMBERS.contains(&name.as_str()) {
                    (name, REDACTED.to_owned())
                } else {
                    (name, value)
                }
            })
            .collect();
        return serde_urlencoded::to_string(redacted).unwrap_or_else(|_| body.to_owned());
    }
    body.to_owned()
}

/// Writes one JSON file per check into `dir` (created if needed): `<CHECK-ID>.json` with the
/// check's ID, status, message and every exchange (credentials redacted), and sets each check's
/// `evidence` to the file's path.
pub fn write_evidence(report: &mut Report, dir: &std::path::Path) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)?;
    for check in &mut report.checks {
        let path = dir.join(format!("{}.json", check.id));
        let evidence = serde_json::json!({
            "id": check.id,
            "status": check.status,
            "message": check.message,
            "cites": check.cites,
            "violated": check.violated,
            "expected_failure": check.expected_failure,
            "target": report.base_url,
            "started_at": report.started_at,
            "failed_exchange": check.failed_exchange,
            "exchanges": check.exchanges,
        });
        std::fs::write(
            &path,
            serde_json::to_string_pretty(&evidence).unwrap_or_default() + "\n",
        )?;
        check.evidence = Some(path.display().to_string());
    }
    Ok(())
}

/// The JSON Schema of the JSON report.
pub fn json_schema() -> serde_json::Value {
    serde_json::to_value(schemars::schema_for!(Report)).unwrap_or_default()
}

/// The JSON report, pretty-printed.
pub fn render_json(report: &Report) -> String {
    serde_json::to_string_pretty(report).unwrap_or_default() + "\n"
}

/// A body for people: pretty-printed when it is JSON, truncated after a few KB.
fn pretty_body(body: &str) -> String {
    let pretty = serde_json::from_str::<serde_json::Value>(body)
        .ok()
        .and_then(|v| serde_json::to_string_pretty(&v).ok())
        .unwrap_or_else(|| body.to_owned());
    truncate(&pretty, BODY_LIMIT)
}

fn indent(text: &str, prefix: &str) -> String {
    text.lines()
        .map(|l| format!("{prefix}{l}"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// The request and response of an exchange, for people.
pub fn exchange_text(exchange: &ExchangeRecord) -> String {
    let mut out = format!(
        "request:  {} {}  ({})\n",
        exchange.method, exchange.url, exchange.operation_id
    );
    for header in &exchange.request_headers {
        if matches!(
            header.name.as_str(),
            "authorization" | "idempotency-key" | "content-type"
        ) {
            let _ = writeln!(out, "          {}: {}", header.name, header.value);
        }
    }
    if !exchange.request_body.is_empty() {
        let _ = writeln!(
            out,
            "{}",
            indent(&pretty_body(&exchange.request_body), "          ")
        );
    }
    match exchange.status {
        Some(status) => {
            let _ = writeln!(out, "response: HTTP {status}");
            for header in &exchange.response_headers {
                if matches!(
                    header.name.as_str(),
                    "content-type" | "www-authenticate" | "location"
                ) {
                    let _ = writeln!(out, "          {}: {}", header.name, header.value);
                }
            }
        }
        None => {
            let _ = writeln!(out, "response: none");
        }
    }
    if !exchange.response_body.is_empty() {
        let _ = writeln!(
            out,
            "{}",
            indent(&pretty_body(&exchange.response_body), "          ")
        );
    }
    out
}

/// The short word for a status, as the human report shows it.
pub fn status_word(status: CheckStatus) -> &'static str {
    match status {
        CheckStatus::Passed => "PASS",
        CheckStatus::Failed => "FAIL",
        CheckStatus::Skipped => "SKIP",
        CheckStatus::ExpectedFailure => "XFAIL",
        CheckStatus::UnexpectedPass => "XPASS",
    }
}

/// The human report: checks grouped by model with PASS/FAIL and duration, failures with their
/// message and failing exchange, and the summary line last.
pub fn render_human(report: &Report) -> String {
    let mut out = format!(
        "{} {} against {}",
        report.tool, report.tool_version, report.target
    );
    if report.target != report.base_url {
        let _ = write!(out, " ({})", report.base_url);
    }
    out.push('\n');
    let _ = writeln!(out, "{}", capabilities_line(report));
    for model in Model::ALL {
        let checks: Vec<&CheckReport> =
            report.checks.iter().filter(|c| c.model == *model).collect();
        if checks.is_empty() {
            continue;
        }
        let _ = writeln!(out, "\n{model}  {}", model.title());
        for check in checks {
            let _ = writeln!(
                out,
                "  {}  {:<22} {:>6} ms  {}",
                status_word(check.status),
                check.id,
                check.duration_ms,
                check.description
            );
            if let Some(reason) = &check.expected_failure {
                let _ = writeln!(out, "        expected to fail: {reason}");
            }
            if check.status != CheckStatus::Passed
                && let Some(message) = &check.message
            {
                let _ = writeln!(out, "{}", indent(message, "        "));
            }
            for requirement in &check.violated {
                let _ = writeln!(out, "        violates {}", requirement.line());
            }
            if let Some(evidence) = &check.evidence
                && check.status != CheckStatus::Passed
            {
                let _ = writeln!(out, "        evidence: {evidence}");
            }
            if matches!(
                check.status,
                CheckStatus::Failed | CheckStatus::ExpectedFailure
            ) && let Some(exchange) = &check.failed_exchange
            {
                let _ = writeln!(
                    out,
                    "{}",
                    indent(exchange_text(exchange).trim_end(), "        ")
                );
            }
        }
    }
    let _ = writeln!(
        out,
        "\n{} checks in {:.1} s",
        report.summary.total,
        report.duration_ms as f64 / 1000.0
    );
    let _ = writeln!(out, "{}", report.summary.line());
    out
}

/// What the target declared and where fixtures came from, on one line.
pub fn capabilities_line(report: &Report) -> String {
    let models: Vec<String> = report
        .capabilities
        .models
        .iter()
        .map(ToString::to_string)
        .collect();
    let features: Vec<&str> = report
        .capabilities
        .features
        .iter()
        .map(|f| f.name())
        .collect();
    format!(
        "declared: models {}; features {}; webhook retry base {} ms; fixtures: {}",
        if models.is_empty() {
            "none".to_owned()
        } else {
            models.join(", ")
        },
        if features.is_empty() {
            "none".to_owned()
        } else {
            features.join(", ")
        },
        report.webhook_backoff_ms,
        match report.provisioning {
            Provisioning::Sandbox => "sandbox API",
            Provisioning::Configured => "configured accounts (checks run one at a time)",
        }
    )
}

/// A short summary for stderr when the report goes to a file: failed checks and the summary line.
pub fn render_summary(report: &Report) -> String {
    let mut out = String::new();
    for check in report
        .checks
        .iter()
        .filter(|c| matches!(c.status, CheckStatus::Failed | CheckStatus::UnexpectedPass))
    {
        let _ = writeln!(
            out,
            "{}  {}  {}",
            status_word(check.status),
            check.id,
            check.message.as_deref().unwrap_or_default()
        );
        for requirement in &check.violated {
            let _ = writeln!(out, "      violates {}", requirement.line());
        }
    }
    let _ = writeln!(out, "{}", report.summary.line());
    out
}

/// XML 1.0 cannot carry most control characters, even escaped.
fn xml_safe(text: &str) -> String {
    text.chars()
        .map(|c| {
            if c.is_control() && !matches!(c, '\n' | '\r' | '\t') {
                '\u{FFFD}'
            } else {
                c
            }
        })
        .collect()
}

fn seconds(ms: u64) -> String {
    format!("{:.3}", ms as f64 / 1000.0)
}

/// JUnit XML: `testsuites` → one `testsuite` per model → one `testcase` per check.
pub fn render_junit(report: &Report) -> String {
    let mut writer = Writer::new_with_indent(Vec::new(), b' ', 2);
    let result = write_junit(&mut writer, report);
    debug_assert!(result.is_ok(), "writing to a Vec cannot fail");
    String::from_utf8(writer.into_inner()).unwrap_or_default() + "\n"
}

fn write_junit(writer: &mut Writer<Vec<u8>>, report: &Report) -> std::io::Result<()> {
    writer.write_event(Event::Decl(BytesDecl::new("1.0", Some("UTF-8"), None)))?;
    let total = report.summary.total.to_string();
    let failures = junit_failures(&report.summary).to_string();
    let skipped = junit_skipped(&report.summary).to_string();
    let time = seconds(report.duration_ms);
    let timestamp = report.started_at.to_rfc3339();
    let backoff = report.webhook_backoff_ms.to_string();
    writer
        .create_element("testsuites")
        .with_attribute(("name", "ucr-conformance"))
        .with_attribute(("tests", total.as_str()))
        .with_attribute(("failures", failures.as_str()))
        .with_attribute(("errors", "0"))
        .with_attribute(("skipped", skipped.as_str()))
        .with_attribute(("time", time.as_str()))
        .with_attribute(("timestamp", timestamp.as_str()))
        .write_inner_content(|writer| {
            for model in Model::ALL {
                let checks: Vec<&CheckReport> =
                    report.checks.iter().filter(|c| c.model == *model).collect();
                if checks.is_empty() {
                    continue;
                }
                let summary = Summary::of(&checks.iter().map(|c| (*c).clone()).collect::<Vec<_>>());
                let name = model.to_string();
                let tests = summary.total.to_string();
                let failures = junit_failures(&summary).to_string();
                let skipped = junit_skipped(&summary).to_string();
                let time = seconds(checks.iter().map(|c| c.duration_ms).sum());
                let target = xml_safe(&report.target);
                writer
                    .create_element("testsuite")
                    .with_attribute(("name", name.as_str()))
                    .with_attribute(("tests", tests.as_str()))
                    .with_attribute(("failures", failures.as_str()))
                    .with_attribute(("errors", "0"))
                    .with_attribute(("skipped", skipped.as_str()))
                    .with_attribute(("time", time.as_str()))
                    .with_attribute(("hostname", target.as_str()))
                    .write_inner_content(|writer| {
                        writer
                            .create_element("properties")
                            .write_inner_content(|writer| {
                                writer
                                    .create_element("property")
                                    .with_attribute(("name", "webhook_backoff_ms"))
                                    .with_attribute(("value", backoff.as_str()))
                                    .write_empty()?;
                                Ok(())
                            })?;
                        for check in &checks {
                            write_testcase(writer, &name, check)?;
                        }
                        Ok(())
                    })?;
            }
            Ok(())
        })?;
    Ok(())
}

/// JUnit failures: failed checks and unexpected passes.
fn junit_failures(summary: &Summary) -> usize {
    summary.failed + summary.unexpected_passes
}

/// JUnit skipped: skipped checks and expected failures (as pytest reports `xfail`).
fn junit_skipped(summary: &Summary) -> usize {
    summary.skipped + summary.expected_failures
}

fn write_testcase(
    writer: &mut Writer<Vec<u8>>,
    suite: &str,
    check: &CheckReport,
) -> std::io::Result<()> {
    let time = seconds(check.duration_ms);
    let element = writer
        .create_element("testcase")
        .with_attribute(("classname", suite))
        .with_attribute(("name", check.id.as_str()))
        .with_attribute(("time", time.as_str()));
    let message = xml_safe(check.message.as_deref().unwrap_or_default());
    match check.status {
        CheckStatus::Passed => {
            element.write_empty()?;
        }
        CheckStatus::Skipped => {
            element.write_inner_content(|writer| {
                writer
                    .create_element("skipped")
                    .with_attribute(("message", message.as_str()))
                    .write_empty()?;
                Ok(())
            })?;
        }
        CheckStatus::ExpectedFailure => {
            let violated: Vec<&str> = check.violated.iter().map(|r| r.id.as_str()).collect();
            let noted = xml_safe(&format!(
                "expected failure ({}): {message}{}",
                check.expected_failure.as_deref().unwrap_or_default(),
                if violated.is_empty() {
                    String::new()
                } else {
                    format!(" (violates {})", violated.join(", "))
                }
            ));
            element.write_inner_content(|writer| {
                writer
                    .create_element("skipped")
                    .with_attribute(("type", "expected-failure"))
                    .with_attribute(("message", noted.as_str()))
                    .write_empty()?;
                Ok(())
            })?;
        }
        CheckStatus::Failed | CheckStatus::UnexpectedPass => {
            let kind = if check.status == CheckStatus::Failed {
                "conformance"
            } else {
                "unexpected-pass"
            };
            let mut text = format!("{}\n{}\n", check.description, message);
            for requirement in &check.violated {
                text.push_str(&format!("violates {}\n", requirement.line()));
            }
            if let Some(evidence) = &check.evidence {
                text.push_str(&format!("evidence: {evidence}\n"));
            }
            if let Some(exchange) = &check.failed_exchange {
                text.push('\n');
                text.push_str(&exchange_text(exchange));
            }
            let text = xml_safe(&text);
            element.write_inner_content(|writer| {
                writer
                    .create_element("failure")
                    .with_attribute(("message", message.as_str()))
                    .with_attribute(("type", kind))
                    .write_text_content(BytesText::new(&text))?;
                Ok(())
            })?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn truncation_respects_char_boundaries() {
        let text = "é".repeat(10);
        let cut = truncate(&text, 5);
        assert!(cut.starts_with("éé"));
        assert!(cut.contains("more bytes"));
        assert_eq!(truncate("short", 10), "short");
    }

    #[test]
    fn sandbox_tokens_are_redacted() {
        assert_eq!(
            redact_tokens(r#"{"token":"s3cret","name":"x"}"#),
            r#"{"token":"<redacted>","name":"x"}"#
        );
        assert_eq!(redact_tokens("not json"), "not json");
    }

    #[test]
    fn platform_credentials_and_webhook_secrets_are_redacted() {
        assert_eq!(
            redact_tokens(
                r#"{"platform":{"platform_id":"TP-0001"},"token":"t","client_id":"c","client_secret":"s"}"#
            ),
            r#"{"platform":{"platform_id":"TP-0001"},"token":"<redacted>","client_id":"c","client_secret":"<redacted>"}"#
        );
        assert_eq!(
            redact_tokens(r#"{"access_token":"a","token_type":"Bearer","expires_in":3600}"#),
            r#"{"access_token":"<redacted>","token_type":"Bearer","expires_in":3600}"#
        );
        assert_eq!(
            redact_tokens(r#"{"url":"http://x/hooks","secret":"whsec_abc"}"#),
            r#"{"url":"http://x/hooks","secret":"<redacted>"}"#
        );
        assert_eq!(
            redact_tokens("grant_type=client_credentials&client_id=c&client_secret=s%26t"),
            "grant_type=client_credentials&client_id=c&client_secret=%3Credacted%3E"
        );
        assert_eq!(redact_tokens(r#"{"quantity":5}"#), r#"{"quantity":5}"#);
        assert_eq!(redact_tokens("a=b"), "a=b");
    }

    #[test]
    fn control_characters_are_replaced_for_xml() {
        assert_eq!(xml_safe("a\u{1}b\nc"), "a\u{FFFD}b\nc");
    }
}
