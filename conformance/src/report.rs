//! The run's report and its three renderings: human text, JSON (with a JSON Schema) and JUnit XML.

use std::fmt::Write as _;

use chrono::{DateTime, Utc};
use quick_xml::Writer;
use quick_xml::events::{BytesDecl, BytesText, Event};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::check::Model;

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
    /// Counts by status.
    pub summary: Summary,
    /// One entry per selected check, in registry order.
    pub checks: Vec<CheckReport>,
}

/// Counts by status.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Summary {
    /// Checks run.
    pub total: usize,
    /// Checks passed.
    pub passed: usize,
    /// Checks failed.
    pub failed: usize,
    /// Checks that did not apply.
    pub skipped: usize,
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
        }
    }

    /// `N passed, M failed` (and `, K skipped` when some were).
    pub fn line(&self) -> String {
        let mut line = format!("{} passed, {} failed", self.passed, self.failed);
        if self.skipped > 0 {
            let _ = write!(line, ", {} skipped", self.skipped);
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
    /// The check did not apply; see `message`.
    Skipped,
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
    /// Outcome.
    pub status: CheckStatus,
    /// How long the check took, in milliseconds.
    pub duration_ms: u64,
    /// Why it failed or was skipped.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// The exchange that failed the check (by default its last).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub failed_exchange: Option<ExchangeRecord>,
    /// Every HTTP exchange the check made, fixture set-up included, in order.
    pub exchanges: Vec<ExchangeRecord>,
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

impl ExchangeRecord {
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

/// The JSON Schema of the JSON report.
pub fn json_schema() -> serde_json::Value {
    serde_json::to_value(schemars::schema_for!(Report)).unwrap_or_default()
}

/// The JSON report, pretty-printed.
pub fn render_json(report: &Report) -> String {
    serde_json::to_string_pretty(report).unwrap_or_default() + "\n"
}

/// At most `max` bytes of `body` as text, marked when cut.
pub fn snippet(body: &[u8], max: usize) -> String {
    let text = String::from_utf8_lossy(body);
    truncate(&text, max)
}

fn truncate(text: &str, max: usize) -> String {
    if text.len() <= max {
        return text.to_owned();
    }
    let mut end = max;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}… [{} more bytes]", &text[..end], text.len() - end)
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

fn status_word(status: CheckStatus) -> &'static str {
    match status {
        CheckStatus::Passed => "PASS",
        CheckStatus::Failed => "FAIL",
        CheckStatus::Skipped => "SKIP",
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
            if check.status != CheckStatus::Passed
                && let Some(message) = &check.message
            {
                let _ = writeln!(out, "{}", indent(message, "        "));
            }
            if check.status == CheckStatus::Failed
                && let Some(exchange) = &check.failed_exchange
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

/// A short summary for stderr when the report goes to a file: failed checks and the summary line.
pub fn render_summary(report: &Report) -> String {
    let mut out = String::new();
    for check in report
        .checks
        .iter()
        .filter(|c| c.status == CheckStatus::Failed)
    {
        let _ = writeln!(
            out,
            "FAIL  {}  {}",
            check.id,
            check.message.as_deref().unwrap_or_default()
        );
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
    let failures = report.summary.failed.to_string();
    let skipped = report.summary.skipped.to_string();
    let time = seconds(report.duration_ms);
    let timestamp = report.started_at.to_rfc3339();
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
                let failures = summary.failed.to_string();
                let skipped = summary.skipped.to_string();
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
        CheckStatus::Failed => {
            let mut text = format!("{}\n{}\n", check.description, message);
            if let Some(exchange) = &check.failed_exchange {
                text.push('\n');
                text.push_str(&exchange_text(exchange));
            }
            let text = xml_safe(&text);
            element.write_inner_content(|writer| {
                writer
                    .create_element("failure")
                    .with_attribute(("message", message.as_str()))
                    .with_attribute(("type", "conformance"))
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
