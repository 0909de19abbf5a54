//! The HTML report: one self-contained page (inline CSS, no scripts, no external assets) that a
//! person can read and attach to a certification request. It shows the target, the date, the
//! capabilities declared, and per model its flows (the operations its checks exercise) and its
//! checks with results, failure messages and the HTTP exchanges as evidence.

use std::collections::BTreeSet;
use std::fmt::Write as _;

use crate::model::Model;
use crate::report::{
    CheckReport, CheckStatus, ExchangeRecord, Provisioning, Report, Summary, status_word,
};

/// How much of each body the page shows.
const HTML_BODY_LIMIT: usize = 4096;

const STYLE: &str = "\
body{font-family:system-ui,-apple-system,'Segoe UI',sans-serif;margin:2rem auto;max-width:70rem;padding:0 1rem;color:#1b1f24}\
h1{font-size:1.6rem}h2{font-size:1.25rem;margin-top:2rem;border-bottom:1px solid #ccd;padding-bottom:.3rem}\
table{border-collapse:collapse;width:100%}th,td{text-align:left;padding:.3rem .5rem;border-bottom:1px solid #e4e6ea;vertical-align:top}\
dl.meta{display:grid;grid-template-columns:max-content auto;gap:.2rem 1rem}dl.meta dt{font-weight:600}\
.status{font-weight:700;font-family:ui-monospace,monospace;white-space:nowrap}\
.passed{color:#176f2c}.failed,.unexpected_pass{color:#b3261e}.skipped{color:#6b6f76}.expected_failure{color:#8a5a00}\
code,pre{font-family:ui-monospace,'SFMono-Regular',monospace;font-size:.85rem}\
pre{background:#f5f6f8;padding:.5rem;overflow-x:auto;white-space:pre-wrap;word-break:break-all}\
.message{white-space:pre-wrap}.flows{color:#444}details{margin:.3rem 0}.id{white-space:nowrap}\
table.overview{width:auto}table.overview td.n{text-align:right}";

/// Escapes text for HTML element content and attribute values.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

fn status_class(status: CheckStatus) -> &'static str {
    match status {
        CheckStatus::Passed => "passed",
        CheckStatus::Failed => "failed",
        CheckStatus::Skipped => "skipped",
        CheckStatus::ExpectedFailure => "expected_failure",
        CheckStatus::UnexpectedPass => "unexpected_pass",
    }
}

fn summary_text(summary: &Summary) -> String {
    format!("{} checks: {}", summary.total, summary.line())
}

/// The HTML report.
pub fn render_html(report: &Report) -> String {
    let mut out = String::new();
    let verdict = if report.summary.ok() {
        "conforms for the checks that ran"
    } else {
        "does not conform"
    };
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>UCR conformance report: {target}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n\
         <h1>UCR interoperability API conformance report</h1>\n",
        target = escape(&report.target)
    );
    let _ = writeln!(out, "<dl class=\"meta\">");
    let mut meta = |name: &str, value: String| {
        let _ = writeln!(out, "<dt>{}</dt><dd>{value}</dd>", escape(name));
    };
    meta("Target", escape(&report.target));
    meta(
        "Base URL",
        format!("<code>{}</code>", escape(&report.base_url)),
    );
    meta(
        "Date",
        escape(
            &report
                .started_at
                .to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        ),
    );
    meta(
        "Suite",
        escape(&format!("{} {}", report.tool, report.tool_version)),
    );
    meta(
        "Duration",
        escape(&format!("{:.1} s", report.duration_ms as f64 / 1000.0)),
    );
    let models: Vec<String> = report
        .capabilities
        .models
        .iter()
        .map(|m| format!("{m} {}", m.title()))
        .collect();
    meta(
        "Models declared",
        escape(&if models.is_empty() {
            "none".to_owned()
        } else {
            models.join("; ")
        }),
    );
    let features: Vec<&str> = report
        .capabilities
        .features
        .iter()
        .map(|f| f.name())
        .collect();
    meta(
        "Features declared",
        escape(&if features.is_empty() {
            "none".to_owned()
        } else {
            features.join(", ")
        }),
    );
    meta(
        "Declared webhook retry base",
        escape(&format!("{} ms", report.webhook_backoff_ms)),
    );
    meta(
        "Fixtures",
        escape(match report.provisioning {
            Provisioning::Sandbox => "created per check through the sandbox API",
            Provisioning::Configured => {
                "the configured accounts, one check at a time; checks that need fresh fixtures are skipped"
            }
        }),
    );
    meta(
        "Result",
        format!(
            "<span class=\"status {}\">{}</span>: {}",
            if report.summary.ok() {
                "passed"
            } else {
                "failed"
            },
            escape(verdict),
            escape(&summary_text(&report.summary))
        ),
    );
    let _ = writeln!(out, "</dl>");
    write_overview(&mut out, report);

    for model in Model::ALL {
        let checks: Vec<&CheckReport> =
            report.checks.iter().filter(|c| c.model == *model).collect();
        if checks.is_empty() {
            continue;
        }
        let summary = Summary::of(&checks.iter().map(|c| (*c).clone()).collect::<Vec<_>>());
        let declared = report.capabilities.models.contains(model);
        let _ = writeln!(
            out,
            "<section id=\"model-{code}\">\n<h2>{model} {title}</h2>\n<p>{declared}; {summary}</p>",
            code = model.code(),
            title = escape(model.title()),
            declared = if declared {
                "Declared by the target"
            } else {
                "Not declared by the target (its checks are skipped)"
            },
            summary = escape(&summary_text(&summary)),
        );
        let flows: BTreeSet<&str> = checks
            .iter()
            .flat_map(|c| c.operations.iter().map(String::as_str))
            .collect();
        let _ = writeln!(
            out,
            "<p class=\"flows\">Flows exercised: {}</p>",
            flows
                .iter()
                .map(|op| format!("<code>{}</code>", escape(op)))
                .collect::<Vec<_>>()
                .join(", ")
        );
        let _ = writeln!(
            out,
            "<table>\n<thead><tr><th>Result</th><th>Check</th><th>What it verifies</th><th>Time</th></tr></thead>\n<tbody>"
        );
        for check in checks {
            write_check(&mut out, check);
        }
        let _ = writeln!(out, "</tbody>\n</table>\n</section>");
    }
    let _ = writeln!(
        out,
        "<p>{}</p>\n</body>\n</html>",
        escape(&summary_text(&report.summary))
    );
    out
}

/// One row per model present in the report: declared or not, and its counts.
fn write_overview(out: &mut String, report: &Report) {
    let _ = writeln!(
        out,
        "<table class=\"overview\">\n<thead><tr><th>Model</th><th>Declared</th><th>Passed</th><th>Failed</th>\
         <th>Skipped</th><th>Expected failures</th><th>Unexpectedly passed</th></tr></thead>\n<tbody>"
    );
    for model in Model::ALL {
        let checks: Vec<CheckReport> = report
            .checks
            .iter()
            .filter(|c| c.model == *model)
            .cloned()
            .collect();
        if checks.is_empty() {
            continue;
        }
        let summary = Summary::of(&checks);
        let _ = writeln!(
            out,
            "<tr><td><a href=\"#model-{code}\">{model}</a> {title}</td><td>{declared}</td><td class=\"n\">{}</td>\
             <td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td></tr>",
            summary.passed,
            summary.failed,
            summary.skipped,
            summary.expected_failures,
            summary.unexpected_passes,
            code = model.code(),
            title = escape(model.title()),
            declared = if report.capabilities.models.contains(model) {
                "yes"
            } else {
                "no"
            },
        );
    }
    let _ = writeln!(out, "</tbody>\n</table>");
}

fn write_check(out: &mut String, check: &CheckReport) {
    let class = status_class(check.status);
    let _ = writeln!(
        out,
        "<tr id=\"{id}\"><td class=\"status {class}\">{word}</td><td><code class=\"id\">{id}</code></td><td>{description}",
        id = escape(&check.id),
        word = status_word(check.status),
        description = escape(&check.description),
    );
    let _ = writeln!(
        out,
        "<div class=\"flows\">Operations: {}; requires: {}; cites: {}</div>",
        escape(&check.operations.join(", ")),
        escape(&check.requires.join(", ")),
        escape(&if check.cites.is_empty() {
            "no requirement yet".to_owned()
        } else {
            check.cites.join(", ")
        })
    );
    if let Some(reason) = &check.expected_failure {
        let _ = writeln!(
            out,
            "<div class=\"message\">Expected to fail: {}</div>",
            escape(reason)
        );
    }
    if check.status != CheckStatus::Passed
        && let Some(message) = &check.message
    {
        let _ = writeln!(out, "<div class=\"message\">{}</div>", escape(message));
    }
    if !check.violated.is_empty() {
        let _ = write!(out, "<ul class=\"violated\">");
        for requirement in &check.violated {
            let _ = write!(
                out,
                "<li>Violates <code>{}</code>: {}</li>",
                escape(&requirement.id),
                escape(&requirement.text)
            );
        }
        let _ = writeln!(out, "</ul>");
    }
    if let Some(evidence) = &check.evidence {
        let _ = writeln!(
            out,
            "<div class=\"flows\">Evidence file: <code>{}</code></div>",
            escape(evidence)
        );
    }
    if let Some(exchange) = &check.failed_exchange
        && matches!(
            check.status,
            CheckStatus::Failed | CheckStatus::ExpectedFailure
        )
    {
        let _ = writeln!(
            out,
            "<details open><summary>The exchange that failed it</summary>{}</details>",
            exchange_html(exchange)
        );
    }
    if !check.exchanges.is_empty() {
        let _ = write!(
            out,
            "<details><summary>Evidence: {} HTTP exchanges</summary>",
            check.exchanges.len()
        );
        for exchange in &check.exchanges {
            out.push_str(&exchange_html(exchange));
        }
        let _ = writeln!(out, "</details>");
    }
    let _ = writeln!(out, "</td><td>{}&nbsp;ms</td></tr>", check.duration_ms);
}

fn body_html(body: &str) -> String {
    let pretty = serde_json::from_str::<serde_json::Value>(body)
        .ok()
        .and_then(|v| serde_json::to_string_pretty(&v).ok())
        .unwrap_or_else(|| body.to_owned());
    let shown = if pretty.len() > HTML_BODY_LIMIT {
        let mut end = HTML_BODY_LIMIT;
        while !pretty.is_char_boundary(end) {
            end -= 1;
        }
        format!("{}… [{} more bytes]", &pretty[..end], pretty.len() - end)
    } else {
        pretty
    };
    escape(&shown)
}

fn exchange_html(exchange: &ExchangeRecord) -> String {
    let mut text = format!(
        "{} {}  ({})\n",
        exchange.method, exchange.url, exchange.operation_id
    );
    for header in &exchange.request_headers {
        let _ = writeln!(text, "{}: {}", header.name, header.value);
    }
    let mut out = format!("<pre>{}", escape(&text));
    if !exchange.request_body.is_empty() {
        let _ = write!(out, "\n{}\n", body_html(&exchange.request_body));
    }
    let mut response = match exchange.status {
        Some(status) => format!("\n→ HTTP {status}\n"),
        None => "\n→ no response\n".to_owned(),
    };
    for header in &exchange.response_headers {
        let _ = writeln!(response, "{}: {}", header.name, header.value);
    }
    out.push_str(&escape(&response));
    if !exchange.response_body.is_empty() {
        let _ = write!(out, "\n{}", body_html(&exchange.response_body));
    }
    out.push_str("</pre>");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup_and_quotes() {
        assert_eq!(
            escape(r#"<script>alert("x&y")</script> 'q'"#),
            "&lt;script&gt;alert(&quot;x&amp;y&quot;)&lt;/script&gt; &#39;q&#39;"
        );
    }
}
