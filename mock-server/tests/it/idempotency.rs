//! `Idempotency-Key`: one effect, the same response; other body refused; scoped; 24 h retention.

use serde_json::json;

use crate::helpers::{Api, issue, world};

#[tokio::test]
async fn replay_has_one_effect_and_the_same_response() {
    let api = Api::start().await;
    let w = world(&api).await;
    let body =
        json!({"from_account_id": w.a, "to_account_id": w.b, "unit_type": "ACCU", "quantity": 100});
    let first = api
        .post("/v1/transfers")
        .token(&w.alice)
        .key("trade-1")
        .json(body.clone())
        .send()
        .await;
    assert_eq!(first.status, 201);
    assert_eq!(first.header("idempotent-replayed"), None);
    let again = api
        .post("/v1/transfers")
        .token(&w.alice)
        .key("trade-1")
        .json(body.clone())
        .send()
        .await;
    assert_eq!((again.status, &again.raw), (201, &first.raw));
    assert_eq!(again.header("idempotent-replayed"), Some("true"));
    assert_eq!(again.header("content-type"), Some("application/json"));
    let pending = api
        .get(&format!("/v1/accounts/{}", w.a))
        .token(&w.alice)
        .send()
        .await
        .body["balances"][0]["pending"]
        .clone();
    assert_eq!(pending, 100, "one effect");

    // Same key, other body or path: refused.
    let other =
        json!({"from_account_id": w.a, "to_account_id": w.b, "unit_type": "ACCU", "quantity": 5});
    let reused = api
        .post("/v1/transfers")
        .token(&w.alice)
        .key("trade-1")
        .json(other.clone())
        .send()
        .await;
    reused.assert_problem(422, "idempotency-key-reused");
    let cancel = json!({"account_id": w.a, "unit_type": "ACCU", "quantity": 5});
    let reused = api
        .post("/v1/cancellations")
        .token(&w.alice)
        .key("trade-1")
        .json(cancel)
        .send()
        .await;
    reused.assert_problem(422, "idempotency-key-reused");

    // Keys are scoped per principal: Carol's "trade-1" is hers.
    issue(&api, &w.operator, &w.b, 50, "2024-25").await;
    let carols =
        json!({"from_account_id": w.b, "to_account_id": w.a, "unit_type": "ACCU", "quantity": 5});
    let reply = api
        .post("/v1/transfers")
        .token(&w.carol)
        .key("trade-1")
        .json(carols)
        .send()
        .await;
    assert_eq!(reply.status, 201);
    api.check_invariants();
}

#[tokio::test]
async fn refusals_are_replayed_but_unparsed_requests_are_not_stored() {
    let api = Api::start().await;
    let w = world(&api).await;
    let big = json!({"from_account_id": w.a, "to_account_id": w.b, "unit_type": "ACCU", "quantity": 1500});
    let refused = api
        .post("/v1/transfers")
        .token(&w.alice)
        .key("k-refused")
        .json(big.clone())
        .send()
        .await;
    refused.assert_problem(409, "insufficient-units");
    issue(&api, &w.operator, &w.a, 1000, "2024-25").await;
    let replayed = api
        .post("/v1/transfers")
        .token(&w.alice)
        .key("k-refused")
        .json(big.clone())
        .send()
        .await;
    assert_eq!((replayed.status, &replayed.raw), (409, &refused.raw));
    assert_eq!(replayed.header("idempotent-replayed"), Some("true"));
    assert_eq!(
        replayed.header("content-type"),
        Some("application/problem+json")
    );
    let fresh = api
        .post("/v1/transfers")
        .token(&w.alice)
        .key("k-fresh")
        .json(big)
        .send()
        .await;
    assert_eq!(fresh.status, 201);

    // A malformed body is not stored: the key stays free.
    let malformed = api
        .post("/v1/transfers")
        .token(&w.alice)
        .key("k-typo")
        .raw(b"{\"from", None)
        .send()
        .await;
    malformed.assert_problem(400, "malformed-request");
    let good =
        json!({"from_account_id": w.a, "to_account_id": w.b, "unit_type": "ACCU", "quantity": 1});
    assert_eq!(
        api.post("/v1/transfers")
            .token(&w.alice)
            .key("k-typo")
            .json(good)
            .send()
            .await
            .status,
        201
    );

    // Authentication comes first: no token and no key is a 401.
    let reply = api
        .post("/v1/transfers")
        .no_key()
        .json(json!({}))
        .send()
        .await;
    reply.assert_problem(401, "unauthenticated");
    api.check_invariants();
}

#[tokio::test]
async fn keys_are_forgotten_after_24_hours_and_sandbox_keys_are_optional() {
    let api = Api::start().await;
    let w = world(&api).await;
    let body =
        json!({"from_account_id": w.a, "to_account_id": w.b, "unit_type": "ACCU", "quantity": 1});
    let first = api
        .post("/v1/transfers")
        .token(&w.alice)
        .key("daily")
        .json(body.clone())
        .send()
        .await;
    api.advance_clock(chrono::TimeDelta::hours(24));
    let second = api
        .post("/v1/transfers")
        .token(&w.alice)
        .key("daily")
        .json(body)
        .send()
        .await;
    assert_eq!(second.status, 201);
    assert_ne!(first.body["transfer_id"], second.body["transfer_id"]);
    assert_eq!(second.header("idempotent-replayed"), None);

    // Sandbox writes honour a key when one is sent.
    let holder = json!({"name": "Keyed Holder Pty Ltd"});
    let one = api
        .post("/v1/sandbox/account-holders")
        .token(&w.operator)
        .key("h")
        .json(holder.clone())
        .send()
        .await;
    let two = api
        .post("/v1/sandbox/account-holders")
        .token(&w.operator)
        .key("h")
        .json(holder.clone())
        .send()
        .await;
    assert_eq!((one.status, two.status, &one.raw), (201, 201, &two.raw));
    let three = api
        .post("/v1/sandbox/account-holders")
        .token(&w.operator)
        .json(holder)
        .send()
        .await;
    assert_ne!(three.body["holder_id"], one.body["holder_id"]);
}
