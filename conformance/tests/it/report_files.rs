//! The published report formats: the JSON Schema committed at `conformance/report.schema.json`
//! must match the report type, and the HTML page's structure is pinned by a snapshot of a small,
//! deterministic report.

use std::path::Path;

use ucr_conformance::report::{
    CheckReport, CheckStatus, ExchangeRecord, Header, Provisioning, Report, RequirementRef,
    Summary, json_schema, render_human, render_json, render_junit, render_summary,
};
use ucr_conformance::{Capabilities, Feature, Model};

#[test]
fn the_published_json_schema_matches_the_report_type() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("report.schema.json");
    let current = serde_json::to_string_pretty(&json_schema()).expect("schema serialises") + "\n";
    if std::env::var_os("UCR_UPDATE_SCHEMA").is_some() {
        std::fs::write(&path, &current).expect("schema written");
    }
    let published = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        published == current,
        "conformance/report.schema.json is out of date with the Report type: regenerate it with \
         `UCR_UPDATE_SCHEMA=1 cargo test -p ucr-conformance --test it report_files` (the same text as \
         `ucr-conformance --report-schema`) and commit it"
    );
}

fn exchange(status: u16, response_body: &str) -> ExchangeRecord {
    ExchangeRecord {
        operation_id: "initiate_transfer".into(),
        method: "POST".into(),
        url: "http://127.0.0.1:8080/v1/transfers".into(),
        request_headers: vec![Header {
            name: "authorization".into(),
            value: "Bearer <redacted>".into(),
        }],
        request_body: r#"{"from_account_id":"AU-1000001","quantity":10}"#.into(),
        status: Some(status),
        response_headers: vec![Header {
            name: "content-type".into(),
            value: "application/problem+json".into(),
        }],
        response_body: response_body.into(),
    }
}

fn check(id: &str, model: Model, status: CheckStatus) -> CheckReport {
    CheckReport {
        id: id.into(),
        model,
        seed: "Types of APIs: write access to an ANREU account".into(),
        operations: vec!["initiate_transfer".into(), "get_transfer".into()],
        description: format!("{id} verifies <something> & more"),
        requires: vec![format!("model {model}")],
        cites: vec!["REQ-TRANSFER-001".into()],
        violated: Vec::new(),
        status,
        duration_ms: 12,
        message: None,
        expected_failure: None,
        evidence: None,
        failed_exchange: None,
        exchanges: Vec::new(),
    }
}

/// A small report with one check of every status.
fn sample() -> Report {
    let failing = exchange(200, r#"{"note":"<script>alert('x')</script>"}"#);
    let checks = vec![
        CheckReport {
            exchanges: vec![exchange(201, r#"{"transfer_id":"TRF-000001"}"#)],
            evidence: Some("evidence/A1-TRANSFER-001.json".into()),
            ..check("A1-TRANSFER-001", Model::A1, CheckStatus::Passed)
        },
        CheckReport {
            message: Some("expected HTTP 409 units-locked, got HTTP 200 \"success\"".into()),
            violated: vec![RequirementRef {
                id: "REQ-UNITS-004".into(),
                text: "Units <locked> & pending MUST NOT move.".into(),
            }],
            failed_exchange: Some(failing.clone()),
            exchanges: vec![failing],
            ..check("A1-TRANSFER-002", Model::A1, CheckStatus::Failed)
        },
        CheckReport {
            message: Some("needs the sandbox API to issue units".into()),
            ..check("A1-TRANSFER-003", Model::A1, CheckStatus::Skipped)
        },
        CheckReport {
            message: Some("a bare 404".into()),
            expected_failure: Some("fixed in release 2.4".into()),
            ..check("A1-PROBLEM-003", Model::A1, CheckStatus::ExpectedFailure)
        },
        CheckReport {
            message: Some("unexpectedly passed — remove it from the expected-failures file".into()),
            expected_failure: Some("was broken".into()),
            ..check("B4-RESERVE-001", Model::B4, CheckStatus::UnexpectedPass)
        },
    ];
    Report {
        tool: "ucr-conformance".into(),
        tool_version: "0.0.0-test".into(),
        target: "Example <registry> & co".into(),
        base_url: "http://127.0.0.1:8080".into(),
        started_at: "2026-11-25T10:00:00Z".parse().expect("a timestamp"),
        duration_ms: 1234,
        capabilities: Capabilities {
            models: [Model::A1, Model::B1].into_iter().collect(),
            features: [Feature::PublicRegisters].into_iter().collect(),
        },
        provisioning: Provisioning::Configured,
        webhook_backoff_ms: 500,
        summary: Summary::of(&checks),
        checks,
    }
}

#[test]
fn the_html_report_is_self_contained_and_escaped() {
    let html = ucr_conformance::html::render_html(&sample());
    assert!(html.starts_with("<!DOCTYPE html>"));
    for external in ["<script", "<link", "src=", "http://fonts", "@import"] {
        assert!(!html.contains(external), "{external} in the page");
    }
    assert!(html.contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;"));
    assert!(html.contains("Example &lt;registry&gt; &amp; co"));
    insta::assert_snapshot!("html_report", html);
}

#[test]
fn junit_notes_expected_failures_and_fails_unexpected_passes() {
    let xml = render_junit(&sample());
    assert!(
        xml.contains(
            r#"<testsuites name="ucr-conformance" tests="5" failures="2" errors="0" skipped="2""#
        ),
        "{xml}"
    );
    assert!(
        xml.contains(r#"<skipped type="expected-failure" message="expected failure (fixed in release 2.4): a bare 404"/>"#),
        "{xml}"
    );
    assert!(xml.contains(r#"type="unexpected-pass""#), "{xml}");
    assert!(
        xml.contains(r#"<skipped message="needs the sandbox API to issue units"/>"#),
        "{xml}"
    );
}

#[test]
fn every_format_quotes_the_violated_requirement_of_a_failure() {
    let report = sample();
    let html = ucr_conformance::html::render_html(&report);
    let formats = [
        ("human", render_human(&report)),
        ("summary", render_summary(&report)),
        ("junit", render_junit(&report)),
        ("json", render_json(&report)),
        ("html", html),
    ];
    for (format, text) in formats {
        assert!(
            text.contains("REQ-UNITS-004"),
            "the {format} report does not name the violated requirement"
        );
        assert!(
            text.contains("MUST NOT move"),
            "the {format} report does not quote the violated requirement's text"
        );
    }
    let json: serde_json::Value = serde_json::from_str(&render_json(&report)).expect("json");
    let failed = &json["checks"][1];
    assert_eq!(failed["violated"][0]["id"], "REQ-UNITS-004");
    assert_eq!(json["checks"][0]["cites"][0], "REQ-TRANSFER-001");
    assert!(
        json["checks"][0].get("violated").is_none(),
        "a passed check quotes no violated requirement"
    );
}
