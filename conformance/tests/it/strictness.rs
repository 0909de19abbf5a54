//! Proof that checks can fail: higher-priority wiremock mocks on the mock registry's server make
//! the target misbehave in one specific way, and the check for that behaviour must then fail.

use serde_json::json;
use std::sync::Arc;
use std::sync::atomic::AtomicBool;
use ucr_conformance::report::CheckStatus;
use ucr_conformance::{RunOptions, TargetError, registry, run};

use ucr_mock::{ApiRequest, MockRegistry, Router};
use wiremock::matchers::{body_string_contains, method, path, path_regex, query_param};
use wiremock::{Mock, Respond, ResponseTemplate};

use crate::helpers::{
    After, HasPageToken, NoAuthorization, Saw, assert_failed, check, run_selected,
};

fn problem(kind: &str, status: u16) -> ResponseTemplate {
    let body = json!({"type": format!("urn:ucr:problem:{kind}"), "title": kind, "status": status});
    ResponseTemplate::new(status).set_body_raw(body.to_string(), "application/problem+json")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn self_approval_accepted_fails_the_four_eyes_check() {
    let mock = MockRegistry::start().await;
    let completed = json!({
        "transfer_id": "TRF-999999",
        "status": "completed",
        "from_account_id": "AU-1000001",
        "to_account_id": "AU-1000002",
        "unit_type": "ACCU",
        "quantity": 20,
        "serial_ranges": [{"serial_start": 3000001, "serial_end": 3000020}],
        "initiated_by": "AR-000001",
        "initiated_at": "2026-01-01T00:00:00Z",
        "expires_at": "2026-01-08T00:00:00Z",
        "decided_by": "AR-000001",
        "decided_at": "2026-01-01T00:01:00Z"
    });
    Mock::given(method("POST"))
        .and(path_regex(r"^/v1/transfers/[^/]+/approve$"))
        .respond_with(ResponseTemplate::new(200).set_body_json(completed))
        .with_priority(1)
        .mount(mock.server())
        .await;

    let report = run_selected(&mock.uri(), "A1-APPROVAL-001").await;
    let message = assert_failed(&report, "A1-APPROVAL-001");
    assert!(
        message.contains("second-approver-required") && message.contains("success"),
        "{message}"
    );
    let failing = check(&report, "A1-APPROVAL-001")
        .failed_exchange
        .as_ref()
        .expect("the failing exchange is attached");
    assert_eq!(failing.method, "POST");
    assert!(failing.url.ends_with("/approve"), "{}", failing.url);
    assert_eq!(failing.status, Some(200));
    assert!(failing.response_body.contains("TRF-999999"));
    // The failure quotes the requirement it violates, with the contract's own text.
    let violated = &check(&report, "A1-APPROVAL-001").violated;
    let expected = ucr_spec::requirements::find("REQ-APPROVAL-004").expect("in the catalogue");
    assert!(
        violated
            .iter()
            .any(|r| r.id == expected.id && r.text == expected.text),
        "{violated:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_401_without_www_authenticate_fails_the_auth_check() {
    let mock = MockRegistry::start().await;
    Mock::given(method("GET"))
        .and(path_regex(r"^/v1/accounts"))
        .and(NoAuthorization)
        .respond_with(problem("unauthenticated", 401))
        .with_priority(1)
        .mount(mock.server())
        .await;

    let report = run_selected(&mock.uri(), "A1-AUTH-001").await;
    let message = assert_failed(&report, "A1-AUTH-001");
    assert!(
        message.contains("without a WWW-Authenticate header"),
        "{message}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_register_page_repeating_a_row_fails_the_paging_check() {
    let mock = MockRegistry::start().await;
    let first: serde_json::Value =
        reqwest::get(format!("{}/v1/registers/accu-projects?limit=1", mock.uri()))
            .await
            .expect("GET")
            .json()
            .await
            .expect("JSON");
    let repeated = json!({"items": [first["items"][0].clone()], "next_page": null});
    Mock::given(method("GET"))
        .and(path("/v1/registers/accu-projects"))
        .and(query_param("limit", "7"))
        .and(HasPageToken)
        .respond_with(ResponseTemplate::new(200).set_body_json(repeated))
        .with_priority(1)
        .mount(mock.server())
        .await;

    let report = run_selected(&mock.uri(), "A1-REGISTER-001").await;
    let message = assert_failed(&report, "A1-REGISTER-001");
    assert!(message.contains("repeated"), "{message}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_holdings_page_dropping_items_fails_the_paging_check() {
    let mock = MockRegistry::start().await;
    Mock::given(method("GET"))
        .and(path_regex(r"^/v1/accounts/[^/]+/holdings$"))
        .and(HasPageToken)
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!({"items": [], "next_page": null})),
        )
        .with_priority(1)
        .mount(mock.server())
        .await;

    let report = run_selected(&mock.uri(), "A1-PAGING-001").await;
    let message = assert_failed(&report, "A1-PAGING-001");
    assert!(message.contains("never served"), "{message}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_404_that_is_not_a_problem_document_fails_the_problem_check() {
    let mock = MockRegistry::start().await;
    Mock::given(method("GET"))
        .and(path("/v1/no-such-resource"))
        .respond_with(ResponseTemplate::new(404).set_body_raw(
            r#"{"type":"urn:ucr:problem:not-found","title":"Not found","status":404}"#,
            "application/json",
        ))
        .with_priority(1)
        .mount(mock.server())
        .await;

    let report = run_selected(&mock.uri(), "A1-PROBLEM-003").await;
    let message = assert_failed(&report, "A1-PROBLEM-003");
    assert!(message.contains("Content-Type"), "{message}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn issued_units_that_never_arrive_fail_the_conservation_checks() {
    let mock = MockRegistry::start().await;
    let phantom = json!({
        "block_id": "ACCU-1",
        "unit_type": "ACCU",
        "serial_start": 1,
        "serial_end": 10,
        "quantity": 10,
        "status": "available",
        "project_id": "ERF990001",
        "vintage": "2023-24",
        "method": "Human-induced regeneration of a permanent even-aged native forest",
        "kyoto_status": "NON_KYOTO",
        "state": "NSW",
        "issued_on": "2026-01-01"
    });
    Mock::given(method("POST"))
        .and(path("/v1/sandbox/issuances"))
        .respond_with(ResponseTemplate::new(201).set_body_json(phantom))
        .with_priority(1)
        .mount(mock.server())
        .await;

    let report = run_selected(&mock.uri(), "A1-PAGING-003,A1-CONSERVE-*").await;
    let message = assert_failed(&report, "A1-CONSERVE-001");
    assert!(message.contains("ACCU: issued 10, held 0"), "{message}");
    let message = assert_failed(&report, "A1-CONSERVE-002");
    assert!(message.contains("not the serials issued"), "{message}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn conservation_is_skipped_when_the_run_issued_nothing() {
    let mock = MockRegistry::start().await;
    let report = run_selected(&mock.uri(), "A1-CONSERVE-001").await;
    assert_eq!(
        check(&report, "A1-CONSERVE-001").status,
        CheckStatus::Skipped
    );
    assert_eq!(report.summary.skipped, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_target_without_the_sandbox_cannot_be_tested() {
    let mock = MockRegistry::builder().sandbox(false).start().await;
    let outcome = run(&mock.uri(), registry(), &RunOptions::default()).await;
    assert!(
        matches!(outcome, Err(TargetError::SandboxUnavailable { .. })),
        "{outcome:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_revoked_consent_still_answering_holdings_fails_the_revocation_check() {
    let mock = MockRegistry::start().await;
    let revoked = Arc::new(AtomicBool::new(false));
    Mock::given(Saw {
        flag: revoked.clone(),
        prefix: "/v1/consents/",
        suffix: "/revoke",
    })
    .respond_with(ResponseTemplate::new(500))
    .with_priority(1)
    .mount(mock.server())
    .await;
    Mock::given(method("GET"))
        .and(path_regex(r"^/v1/accounts/[^/]+/holdings$"))
        .and(After(revoked))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!({"items": [], "next_page": null})),
        )
        .with_priority(2)
        .mount(mock.server())
        .await;

    let report = run_selected(&mock.uri(), "B1-CONSENT-004").await;
    let message = assert_failed(&report, "B1-CONSENT-004");
    assert!(
        message.contains("right after the revocation")
            && message.contains("consent-required")
            && message.contains("success"),
        "{message}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_settlement_by_the_seller_fails_the_escrow_control_check() {
    let mock = MockRegistry::start().await;
    let settled = json!({
        "escrow_id": "ESC-999999",
        "account_id": "AU-1000001",
        "controller_id": "TP-0001",
        "unit_type": "ACCU",
        "quantity": 60,
        "blocks": [],
        "status": "settled",
        "created_by": "AR-000001",
        "created_at": "2026-01-01T00:00:00Z",
        "expires_at": "2026-02-01T00:00:00Z",
        "ended_at": "2026-01-01T00:01:00Z",
        "settled_to_account_id": "AU-1000002",
        "transaction_id": "TRF-999999"
    });
    Mock::given(method("POST"))
        .and(path_regex(r"^/v1/escrows/[^/]+/settle$"))
        .respond_with(ResponseTemplate::new(200).set_body_json(settled))
        .with_priority(1)
        .mount(mock.server())
        .await;

    let report = run_selected(&mock.uri(), "B5-ESCROW-004").await;
    let message = assert_failed(&report, "B5-ESCROW-004");
    assert!(
        message.contains("settle_escrow by the seller") && message.contains("forbidden"),
        "{message}"
    );
    let failing = check(&report, "B5-ESCROW-004")
        .failed_exchange
        .as_ref()
        .expect("the failing exchange is attached");
    assert!(failing.url.ends_with("/settle"), "{}", failing.url);
    assert_eq!(failing.status, Some(200));
}

/// Answers through the mock's router, but hands out another (valid) secret than the one the
/// registry signs with.
struct SwappedSecret(Router);

impl Respond for SwappedSecret {
    fn respond(&self, request: &wiremock::Request) -> ResponseTemplate {
        let response = self.0.handle(&ApiRequest {
            method: &request.method,
            path: request.url.path(),
            query: request.url.query(),
            headers: &request.headers,
            body: &request.body,
        });
        let mut body: serde_json::Value =
            serde_json::from_slice(&response.body).unwrap_or_default();
        if let Some(secret) = body.get_mut("secret") {
            *secret = json!(ucr_conformance::receiver::new_secret());
        }
        ResponseTemplate::new(response.status).set_body_json(body)
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_webhook_signed_with_another_secret_fails_the_release_check() {
    let mock = MockRegistry::start().await;
    Mock::given(method("POST"))
        .and(path("/v1/webhook-subscriptions"))
        .respond_with(SwappedSecret(mock.router().clone()))
        .with_priority(1)
        .mount(mock.server())
        .await;

    let report = run_selected(&mock.uri(), "B4-WEBHOOK-001").await;
    let message = assert_failed(&report, "B4-WEBHOOK-001");
    assert!(
        message.contains("webhook-signature") && message.contains("HMAC-SHA256"),
        "{message}"
    );
    let failing = check(&report, "B4-WEBHOOK-001")
        .failed_exchange
        .as_ref()
        .expect("the failing delivery is attached");
    assert_eq!(failing.operation_id, "webhook_delivery");
    assert!(
        failing
            .request_headers
            .iter()
            .any(|h| h.name == "webhook-signature"),
        "{failing:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_token_error_as_a_problem_document_fails_the_oauth_check() {
    let mock = MockRegistry::start().await;
    Mock::given(method("POST"))
        .and(path("/v1/oauth/token"))
        .and(body_string_contains("client_secret=not-the-secret"))
        .respond_with(problem("unauthenticated", 401))
        .with_priority(1)
        .mount(mock.server())
        .await;

    let report = run_selected(&mock.uri(), "B1-OAUTH-002").await;
    let message = assert_failed(&report, "B1-OAUTH-002");
    assert!(
        message.contains("wrong client secret") && message.contains("RFC 6749"),
        "{message}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn retries_off_the_documented_schedule_fail_the_redelivery_checks() {
    let mock = MockRegistry::builder()
        .webhook_backoff(std::time::Duration::from_millis(20))
        .start()
        .await;
    let report = run_selected(&mock.uri(), "B4-WEBHOOK-002,B4-WEBHOOK-005").await;
    let message = assert_failed(&report, "B4-WEBHOOK-002");
    assert!(message.contains("waits 0.5 s first"), "{message}");
    let message = assert_failed(&report, "B4-WEBHOOK-005");
    assert!(
        message.contains("the waits between attempts were"),
        "{message}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn retries_off_a_declared_short_base_fail_the_redelivery_checks() {
    // The built-in mock's configuration: a short declared base. A target retrying faster than it
    // declares still fails, as does one retrying slower.
    for (actual, declared) in [(20, 50), (400, 50)] {
        let mock = MockRegistry::builder()
            .webhook_backoff(std::time::Duration::from_millis(actual))
            .start()
            .await;
        let options = RunOptions {
            webhook_backoff: std::time::Duration::from_millis(declared),
            ..RunOptions::default()
        };
        let checks = ucr_conformance::select(&registry(), "B4-WEBHOOK-002,B4-WEBHOOK-005")
            .expect("the patterns match checks");
        let report = run(&mock.uri(), checks, &options)
            .await
            .expect("the target can be tested");
        let message = assert_failed(&report, "B4-WEBHOOK-002");
        assert!(message.contains("waits 0.05 s first"), "{message}");
        // Too fast: the waits are off schedule. Too slow: fewer than six attempts arrive in the
        // declared schedule's time.
        let message = assert_failed(&report, "B4-WEBHOOK-005");
        assert!(
            message.contains("the waits between attempts were")
                || message.contains("attempts of a delivery the receiver always answers"),
            "{message}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn retries_on_the_declared_short_base_pass_the_redelivery_checks() {
    let mock = MockRegistry::builder()
        .webhook_backoff(std::time::Duration::from_millis(50))
        .start()
        .await;
    let options = RunOptions {
        webhook_backoff: std::time::Duration::from_millis(50),
        ..RunOptions::default()
    };
    let checks = ucr_conformance::select(&registry(), "B4-WEBHOOK-002,B4-WEBHOOK-005")
        .expect("the patterns match checks");
    let report = run(&mock.uri(), checks, &options)
        .await
        .expect("the target can be tested");
    for id in ["B4-WEBHOOK-002", "B4-WEBHOOK-005"] {
        assert_eq!(
            check(&report, id).status,
            CheckStatus::Passed,
            "{}",
            ucr_conformance::report::render_human(&report)
        );
    }
}
