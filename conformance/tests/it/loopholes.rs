//! Proof that the engine's loopholes stay closed: a run that verified nothing fails, a profile
//! fails the checks it requires when they are skipped, the declared webhook retry base is bounded
//! and reported, the suite never retries a 5xx, every problem document's `instance` is the request
//! path, and checks that subscribe to webhooks still assert state without `webhooks`.

use std::path::PathBuf;
use std::process::{Command, Output};

use serde_json::json;
use ucr_conformance::report::CheckStatus;
use ucr_conformance::{Capabilities, Feature, RunOptions, registry, run, select};
use ucr_mock::MockRegistry;
use wiremock::matchers::{method, path, path_regex};
use wiremock::{Mock, ResponseTemplate};

use crate::helpers::{assert_failed, check, run_selected};

fn binary(args: Vec<String>) -> Output {
    Command::new(env!("CARGO_BIN_EXE_ucr-conformance"))
        .args(args)
        .output()
        .expect("the binary runs")
}

/// Runs the binary off the async runtime, so the in-process mock keeps answering.
async fn run_binary(args: &[&str]) -> Output {
    let args: Vec<String> = args.iter().map(|a| (*a).to_owned()).collect();
    tokio::task::spawn_blocking(move || binary(args))
        .await
        .expect("join")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// A configuration declaring only model A.1 with the sandbox, for the mock at `base_url`.
fn a1_only_config(base_url: &str, name: &str) -> PathBuf {
    let file =
        std::env::temp_dir().join(format!("ucr-loopholes-{}-{name}.toml", std::process::id()));
    std::fs::write(
        &file,
        format!(
            "base_url = \"{base_url}\"\n[capabilities]\nmodels = [\"A.1\"]\nfeatures = [\"sandbox\"]\n"
        ),
    )
    .expect("write the configuration");
    file
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_run_where_every_check_is_skipped_exits_1() {
    let mock = MockRegistry::start().await;
    let config = a1_only_config(&mock.uri(), "all-skipped");
    let output = run_binary(&[
        "--config",
        config.to_str().expect("UTF-8 path"),
        "--only",
        "B4-RESERVE-001,B5-ESCROW-001",
    ])
    .await;
    let stderr = text(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("nothing was verified") && stderr.contains("0 passed"),
        "{stderr}"
    );
    assert!(
        text(&output.stdout).contains("SKIP"),
        "both checks are skipped"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_profile_fails_the_required_checks_the_target_skipped() {
    let mock = MockRegistry::start().await;
    let config = a1_only_config(&mock.uri(), "profile");
    let config = config.to_str().expect("UTF-8 path");
    let only = "A1-AUTH-001,B4-RESERVE-001";

    // Without a profile, the undeclared B.4 check is skipped and the run passes.
    let output = run_binary(&["--config", config, "--only", only]).await;
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));

    // A profile the declaration covers requires nothing of B.4: the run still passes.
    let output = run_binary(&[
        "--config",
        config,
        "--only",
        only,
        "--profile",
        "A.1,sandbox",
    ])
    .await;
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));

    // `full` requires every check: the skipped B.4 check fails the run, saying what was lacking.
    let output = run_binary(&[
        "--config",
        config,
        "--only",
        only,
        "--profile",
        "full",
        "--format",
        "json",
    ])
    .await;
    assert_eq!(output.status.code(), Some(1), "{}", text(&output.stderr));
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).expect("a JSON report");
    let reserve = report["checks"]
        .as_array()
        .expect("checks")
        .iter()
        .find(|c| c["id"] == "B4-RESERVE-001")
        .expect("B4-RESERVE-001 is reported");
    assert_eq!(reserve["status"], "failed", "{reserve}");
    let message = reserve["message"].as_str().unwrap_or_default();
    assert!(
        message.contains("required by profile full") && message.contains("model B.4"),
        "{message}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_profile_fails_a_check_skipped_because_the_register_is_empty() {
    let mock = MockRegistry::start().await;
    Mock::given(method("GET"))
        .and(path_regex(r"^/v1/registers/"))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!({"items": [], "next_page": null})),
        )
        .with_priority(1)
        .mount(mock.server())
        .await;
    let uri = mock.uri();
    let ids = registry()
        .iter()
        .filter(|c| c.id.contains("-REGISTER-"))
        .map(|c| c.id)
        .collect::<Vec<_>>()
        .join(",");
    let output = run_binary(&[
        "--base-url",
        &uri,
        "--only",
        &ids,
        "--profile",
        "full",
        "--format",
        "json",
    ])
    .await;
    assert_eq!(output.status.code(), Some(1), "{}", text(&output.stderr));
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).expect("a JSON report");
    let checks = report["checks"].as_array().expect("checks");
    assert!(
        checks.iter().all(|c| c["status"] != "skipped"),
        "under a profile nothing required is skipped: {report:#}"
    );
    assert!(
        checks.iter().any(|c| {
            c["status"] == "failed"
                && c["message"].as_str().is_some_and(|m| {
                    m.contains("required by profile full") && m.contains("register is empty")
                })
        }),
        "an empty register fails a required check, saying what the target lacked: {report:#}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_webhook_backoff_outside_the_contract_is_a_usage_error() {
    for ms in ["49", "60001", "0"] {
        let output = run_binary(&["--webhook-backoff-ms", ms, "--only", "A1-AUTH-001"]).await;
        let stderr = text(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{ms}: {stderr}");
        assert!(stderr.contains("REQ-WEBHOOK-006"), "{ms}: {stderr}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_report_format_records_the_declared_webhook_schedule() {
    let mock = MockRegistry::start().await;
    let options = RunOptions {
        webhook_backoff: std::time::Duration::from_millis(1234),
        ..RunOptions::default()
    };
    let checks = select(&registry(), "A1-AUTH-001").expect("matches");
    let report = run(&mock.uri(), checks, &options).await.expect("runs");
    assert_eq!(report.webhook_backoff_ms, 1234);
    let human = ucr_conformance::report::render_human(&report);
    assert!(human.contains("webhook retry base 1234 ms"), "{human}");
    let json: serde_json::Value =
        serde_json::from_str(&ucr_conformance::report::render_json(&report)).expect("JSON");
    assert_eq!(json["webhook_backoff_ms"], 1234);
    let junit = ucr_conformance::report::render_junit(&report);
    assert!(
        junit.contains(r#"<property name="webhook_backoff_ms" value="1234"/>"#),
        "{junit}"
    );
    let html = ucr_conformance::html::render_html(&report);
    assert!(
        html.contains("Declared webhook retry base") && html.contains("1234 ms"),
        "the HTML page shows the declared base"
    );
    let schema: serde_json::Value = serde_json::from_str(include_str!("../../report.schema.json"))
        .expect("the committed schema is JSON");
    assert!(
        schema["required"]
            .as_array()
            .is_some_and(|r| r.iter().any(|n| n == "webhook_backoff_ms")),
        "the report schema requires webhook_backoff_ms"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_single_503_fails_the_check_that_got_it() {
    let mock = MockRegistry::start().await;
    Mock::given(method("GET"))
        .and(path_regex(r"^/v1/accounts$"))
        .respond_with(ResponseTemplate::new(503))
        .up_to_n_times(1)
        .with_priority(1)
        .mount(mock.server())
        .await;
    let report = run_selected(&mock.uri(), "A1-ACCOUNTS-001").await;
    let message = assert_failed(&report, "A1-ACCOUNTS-001");
    assert!(
        message.contains("answered HTTP 503") && message.contains("never retries"),
        "{message}"
    );
    let failing = check(&report, "A1-ACCOUNTS-001")
        .failed_exchange
        .as_ref()
        .expect("the 503 is attached");
    assert_eq!(failing.status, Some(503));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_429_fails_the_check_that_got_it() {
    let mock = MockRegistry::start().await;
    Mock::given(method("GET"))
        .and(path_regex(r"^/v1/accounts$"))
        .respond_with(ResponseTemplate::new(429).insert_header("retry-after", "0"))
        .up_to_n_times(1)
        .with_priority(1)
        .mount(mock.server())
        .await;
    let report = run_selected(&mock.uri(), "A1-ACCOUNTS-001").await;
    let message = assert_failed(&report, "A1-ACCOUNTS-001");
    assert!(message.contains("answered HTTP 429"), "{message}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_problem_instance_other_than_the_path_fails_the_check() {
    let mock = MockRegistry::start().await;
    let body = json!({
        "type": "urn:ucr:problem:not-found",
        "title": "Not found",
        "status": 404,
        "detail": "no such resource",
        "instance": "urn:uuid:00000000-0000-0000-0000-000000000000",
    });
    Mock::given(method("GET"))
        .and(path("/v1/no-such-resource"))
        .respond_with(
            ResponseTemplate::new(404).set_body_raw(body.to_string(), "application/problem+json"),
        )
        .with_priority(1)
        .mount(mock.server())
        .await;
    let report = run_selected(&mock.uri(), "A1-PROBLEM-003").await;
    let message = assert_failed(&report, "A1-PROBLEM-003");
    assert!(
        message.contains("instance") && message.contains("REQ-PROBLEM-004"),
        "{message}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_problem_instance_is_checked_in_every_check_not_only_the_problem_checks() {
    let mock = MockRegistry::start().await;
    // Any problem the target gives, here for an unknown transfer, must name the request path.
    let body = json!({
        "type": "urn:ucr:problem:not-found",
        "title": "Not found",
        "status": 404,
        "detail": "no such transfer",
    });
    Mock::given(method("GET"))
        .and(path_regex(r"^/v1/transfers/[^/]+$"))
        .respond_with(
            ResponseTemplate::new(404).set_body_raw(body.to_string(), "application/problem+json"),
        )
        .with_priority(1)
        .mount(mock.server())
        .await;
    let report = run_selected(&mock.uri(), "A1-ACCESS-*").await;
    let failed: Vec<&str> = report
        .checks
        .iter()
        .filter(|c| {
            c.status == CheckStatus::Failed
                && c.message
                    .as_deref()
                    .is_some_and(|m| m.contains("`instance` is missing"))
        })
        .map(|c| c.id.as_str())
        .collect();
    assert!(
        !failed.is_empty(),
        "a problem document without `instance` fails the check that saw it:\n{}",
        ucr_conformance::report::render_human(&report)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_webhooks_subscribing_checks_still_assert_state() {
    let ids = "B5-ESCROW-002,B5-ESCROW-003,C1-ASSOC-002,C1-ASSOC-003,C1-ASSOC-007,C1-ASSOC-009";
    let no_webhooks = Capabilities {
        features: Feature::ALL
            .iter()
            .copied()
            .filter(|f| *f != Feature::Webhooks)
            .collect(),
        ..Capabilities::default()
    };
    let options = RunOptions {
        capabilities: no_webhooks,
        ..RunOptions::default()
    };

    // A target that answers settlements wrongly fails the state assertions without webhooks.
    let mock = MockRegistry::start().await;
    Mock::given(method("POST"))
        .and(path_regex(r"^/v1/escrows/[^/]+/settle$"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"status": "nonsense"})))
        .with_priority(1)
        .mount(mock.server())
        .await;
    let checks = select(&registry(), ids).expect("matches");
    let report = run(&mock.uri(), checks, &options).await.expect("runs");
    for id in ["B5-ESCROW-002", "C1-ASSOC-009"] {
        assert_failed(&report, id);
    }

    // A conforming target passes them, and the report says the webhook part did not run.
    let mock = MockRegistry::start().await;
    let checks = select(&registry(), ids).expect("matches");
    let report = run(&mock.uri(), checks, &options).await.expect("runs");
    for id in ids.split(',') {
        let entry = check(&report, id);
        assert_eq!(
            entry.status,
            CheckStatus::Passed,
            "{id}:\n{}",
            ucr_conformance::report::render_human(&report)
        );
        let message = entry.message.as_deref().unwrap_or_default();
        assert!(
            message.contains("webhook assertions") && message.contains("`webhooks`"),
            "{id}: {message:?}"
        );
    }
}
