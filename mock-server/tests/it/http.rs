//! Protocol behaviour: 401 with `WWW-Authenticate`, 404/405 problems, the sandbox gate.

use reqwest::Method;
use serde_json::json;
use ucr_mock::MockRegistry;

use crate::helpers::{Api, world};

#[tokio::test]
async fn missing_and_unknown_tokens_are_401_with_a_challenge() {
    let api = Api::start().await;
    let missing = api.get("/v1/accounts").send().await;
    missing.assert_problem(401, "unauthenticated");
    assert_eq!(missing.header("www-authenticate"), Some("Bearer"));
    assert_eq!(missing.body["instance"], "/v1/accounts");
    let unknown = api.get("/v1/accounts").token("nope").send().await;
    unknown.assert_problem(401, "unauthenticated");
    assert_eq!(
        unknown.header("www-authenticate"),
        Some("Bearer error=\"invalid_token\"")
    );
    let sandbox = api
        .post("/v1/sandbox/accounts")
        .json(json!({}))
        .send()
        .await;
    sandbox.assert_problem(401, "unauthenticated");
    // The public registers need no token, and ignore a bad one.
    assert_eq!(
        api.get("/v1/registers/accu-projects").send().await.status,
        200
    );
    assert_eq!(
        api.get("/v1/registers/accu-projects")
            .token("nope")
            .send()
            .await
            .status,
        200
    );
}

#[tokio::test]
async fn unknown_routes_and_wrong_methods() {
    let api = Api::start().await;
    for path in [
        "/",
        "/v1",
        "/v1/",
        "/v2/accounts",
        "/v1/nope",
        "/v1/accounts/",
        "/v1/accounts/AU-1000001/x",
        "/v1/registers",
    ] {
        let reply = api.get(path).send().await;
        reply.assert_problem(404, "not-found");
    }
    let reply = api.call(Method::DELETE, "/v1/accounts").send().await;
    reply.assert_problem(405, "method-not-allowed");
    assert_eq!(reply.header("allow"), Some("GET"));
    let reply = api.get("/v1/transfers").send().await;
    reply.assert_problem(405, "method-not-allowed");
    assert_eq!(reply.header("allow"), Some("POST"));
    let reply = api
        .call(Method::PUT, "/v1/registers/accu-projects")
        .send()
        .await;
    assert_eq!((reply.status, reply.header("allow")), (405, Some("GET")));
}

#[tokio::test]
async fn sandbox_needs_an_operator_and_can_be_disabled() {
    let api = Api::start().await;
    let w = world(&api).await;
    let reply = api
        .post("/v1/sandbox/account-holders")
        .token(&w.alice)
        .json(json!({"name": "X"}))
        .send()
        .await;
    reply.assert_problem(404, "sandbox-unavailable");
    let reply = api
        .post("/v1/sandbox/accounts/AU-9999999/representatives")
        .token(&w.operator)
        .json(json!({"name": "X", "roles": ["initiator"]}))
        .send()
        .await;
    reply.assert_problem(404, "not-found");
    let reply = api
        .post("/v1/sandbox/accounts")
        .token(&w.operator)
        .json(json!({"holder_id": "AH-999999", "name": "X", "kind": "holding"}))
        .send()
        .await;
    reply.assert_problem(422, "validation-failed");
    let reply = api.post("/v1/sandbox/issuances").token(&w.operator)
        .json(json!({"account_id": "AU-9999999", "unit_type": "ACCU", "quantity": 1, "project_id": "ERF1",
                     "vintage": "2023-24", "method": "m", "state": "NSW"})).send().await;
    reply.assert_problem(422, "unknown-account");

    let reset = api
        .post("/v1/sandbox/reset")
        .token(&w.operator)
        .send()
        .await;
    assert_eq!(
        (reset.status, reset.body["accounts_removed"].as_u64()),
        (200, Some(2))
    );
    api.get("/v1/accounts")
        .token(&w.alice)
        .send()
        .await
        .assert_problem(401, "unauthenticated");
    api.check_invariants();

    let closed = Api {
        mock: MockRegistry::builder().sandbox(false).start().await,
        http: reqwest::Client::new(),
    };
    closed
        .post("/v1/sandbox/operator-sessions")
        .send()
        .await
        .assert_problem(404, "sandbox-unavailable");
    closed
        .get("/v1/sandbox/anything")
        .send()
        .await
        .assert_problem(404, "sandbox-unavailable");
    assert_eq!(
        closed
            .get("/v1/registers/accu-projects")
            .send()
            .await
            .status,
        200
    );
}

#[tokio::test]
async fn same_seed_same_registers() {
    let one = MockRegistry::builder().seed(7).start().await;
    let two = MockRegistry::builder().seed(7).start().await;
    assert_eq!(one.registers(), two.registers());
    let default = MockRegistry::start().await;
    assert_ne!(one.registers(), default.registers());
}
