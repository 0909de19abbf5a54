//! B.1 view consent: a platform reads an account only through an active consent with the scope;
//! revocation and expiry apply from the very next request.

use chrono::TimeDelta;
use serde_json::json;

use crate::helpers::{Api, grant, platform, world};

#[tokio::test]
async fn b1_consent_read_and_revocation() {
    let api = Api::start().await;
    let w = world(&api).await;
    let tp = platform(&api, &w.operator, "Exchange", "trading_platform").await;
    let account = format!("/v1/accounts/{}", w.a);
    let holdings = format!("{account}/holdings");
    let history = format!("{account}/transactions");

    // Never consented: the account does not exist for the platform.
    for path in [&account, &holdings, &history] {
        api.get(path)
            .token(&tp.token)
            .send()
            .await
            .assert_problem(404, "not-found");
    }
    assert!(
        api.all_pages(Some(&tp.token), "/v1/accounts", 50)
            .await
            .is_empty()
    );

    let consent = grant(
        &api,
        &w.alice,
        &w.a,
        &tp.id,
        json!(["holdings_read"]),
        &api.at(TimeDelta::days(30)),
    )
    .await;
    let details = api.get(&account).token(&tp.token).send().await;
    assert_eq!(details.expect(200)["balances"][0]["available"], 1000);
    let blocks = api.all_pages(Some(&tp.token), &holdings, 10).await;
    assert_eq!(blocks.len(), 1);
    // A narrower consent: no history.
    api.get(&history)
        .token(&tp.token)
        .send()
        .await
        .assert_problem(403, "consent-required");
    let accounts = api.all_pages(Some(&tp.token), "/v1/accounts", 50).await;
    assert_eq!(accounts.len(), 1);
    assert_eq!(accounts[0]["account_id"], w.a.as_str());
    // A platform token reads; it never writes (it can see the account, so 403).
    let writes = [
        (
            "/v1/transfers",
            json!({"from_account_id": w.a, "to_account_id": w.b, "unit_type": "ACCU", "quantity": 5}),
        ),
        (
            "/v1/cancellations",
            json!({"account_id": w.a, "unit_type": "ACCU", "quantity": 5}),
        ),
    ];
    for (path, body) in writes {
        api.post(path)
            .token(&tp.token)
            .json(body)
            .send()
            .await
            .assert_problem(403, "forbidden");
    }

    // Who sees the consent.
    let path = format!("/v1/consents/{consent}");
    let seen = api.get(&path).token(&tp.token).send().await;
    assert_eq!(seen.expect(200)["status"], "active");
    assert_eq!(seen.body["grantee_kind"], "trading_platform");
    api.get(&path).token(&w.bob).send().await.expect(200);
    api.get(&path)
        .token(&w.carol)
        .send()
        .await
        .assert_problem(404, "not-found");
    assert_eq!(
        api.all_pages(Some(&tp.token), "/v1/consents", 1)
            .await
            .len(),
        1
    );
    assert!(
        api.all_pages(Some(&w.carol), "/v1/consents", 1)
            .await
            .is_empty()
    );
    let on_account = format!("{account}/consents");
    assert_eq!(api.all_pages(Some(&w.bob), &on_account, 5).await.len(), 1);
    api.get(&on_account)
        .token(&tp.token)
        .send()
        .await
        .assert_problem(403, "forbidden");
    api.get(&on_account)
        .token(&w.carol)
        .send()
        .await
        .assert_problem(404, "not-found");

    // Revocation takes effect at once.
    let revoked = api
        .post(&format!("/v1/consents/{consent}/revoke"))
        .token(&w.bob)
        .send()
        .await;
    assert_eq!(revoked.expect(200)["status"], "revoked");
    assert!(revoked.body["revoked_at"].is_string());
    for path in [&account, &holdings, &history] {
        api.get(path)
            .token(&tp.token)
            .send()
            .await
            .assert_problem(403, "consent-required");
    }
    assert!(
        api.all_pages(Some(&tp.token), "/v1/accounts", 50)
            .await
            .is_empty()
    );
    api.post(&format!("/v1/consents/{consent}/revoke"))
        .token(&w.alice)
        .send()
        .await
        .assert_problem(409, "invalid-state");
    let revoked_only = api
        .all_pages(Some(&w.alice), &format!("{on_account}?status=revoked"), 5)
        .await;
    assert_eq!(revoked_only.len(), 1);
    api.check_invariants();
}

#[tokio::test]
async fn bad_consents_are_refused() {
    let api = Api::start().await;
    let w = world(&api).await;
    let tp = platform(&api, &w.operator, "Exchange", "trading_platform").await;
    let tr = platform(&api, &w.operator, "GreenCert", "third_party_registry").await;
    let later = api.at(TimeDelta::days(30));
    let path = format!("/v1/accounts/{}/consents", w.a);
    let cases = [
        (
            json!({"grantee_id": tp.id, "scopes": ["association"], "expires_at": later}),
            "association to a platform",
        ),
        (
            json!({"grantee_id": tp.id, "scopes": [], "expires_at": later}),
            "no scopes",
        ),
        (
            json!({"grantee_id": tp.id, "scopes": ["holdings_read", "holdings_read"], "expires_at": later}),
            "duplicate",
        ),
        (
            json!({"grantee_id": tp.id, "scopes": ["holdings_read"], "expires_at": api.at(TimeDelta::days(-1))}),
            "past",
        ),
        (
            json!({"grantee_id": tp.id, "scopes": ["holdings_read"], "expires_at": api.at(TimeDelta::days(5000))}),
            "too far",
        ),
        (
            json!({"grantee_id": "TP-0099", "scopes": ["holdings_read"], "expires_at": later}),
            "unknown grantee",
        ),
    ];
    for (body, case) in cases {
        let reply = api.post(&path).token(&w.alice).json(body).send().await;
        assert_eq!(reply.status, 422, "{case}: {:?}", reply.body);
        reply.assert_problem(422, "validation-failed");
    }
    let typo =
        json!({"grantee_id": tp.id, "scopes": ["holdings_read"], "expires_at": later, "scope": 1});
    api.post(&path)
        .token(&w.alice)
        .json(typo)
        .send()
        .await
        .assert_problem(400, "malformed-request");
    let good = json!({"grantee_id": tr.id, "scopes": ["association", "holdings_read"], "expires_at": later});
    api.post(&path)
        .token(&w.alice)
        .json(good.clone())
        .no_key()
        .send()
        .await
        .assert_problem(400, "idempotency-key-required");
    api.post(&path)
        .token(&w.carol)
        .json(good.clone())
        .send()
        .await
        .assert_problem(404, "not-found");
    let granted = api
        .post(&path)
        .token(&w.alice)
        .json(good.clone())
        .send()
        .await;
    assert_eq!(granted.expect(201)["grantee_kind"], "third_party_registry");
    // The registry can see the account now, but may not grant on it.
    api.post(&path)
        .token(&tr.token)
        .json(good)
        .send()
        .await
        .assert_problem(403, "forbidden");
    assert!(
        api.all_pages(Some(&w.operator), "/v1/consents", 5)
            .await
            .is_empty()
    );
    api.check_invariants();
}

#[tokio::test]
async fn consents_expire_on_the_clock_and_can_be_relinquished() {
    let api = Api::start().await;
    let w = world(&api).await;
    let tp = platform(&api, &w.operator, "Exchange", "trading_platform").await;
    let history = format!("/v1/accounts/{}/transactions", w.a);
    let consent = grant(
        &api,
        &w.alice,
        &w.a,
        &tp.id,
        json!(["transactions_read"]),
        &api.at(TimeDelta::hours(1)),
    )
    .await;
    assert_eq!(api.all_pages(Some(&tp.token), &history, 5).await.len(), 1);

    // The sandbox clock, over HTTP.
    let before = api.get("/v1/sandbox/clock").token(&w.operator).send().await;
    let before = before.text("now");
    api.get("/v1/sandbox/clock")
        .token(&w.alice)
        .send()
        .await
        .assert_problem(404, "sandbox-unavailable");
    for seconds in [json!(0), json!(31_622_401)] {
        api.post("/v1/sandbox/clock/advance")
            .token(&w.operator)
            .json(json!({ "seconds": seconds }))
            .send()
            .await
            .assert_problem(422, "validation-failed");
    }
    let advanced = api
        .post("/v1/sandbox/clock/advance")
        .token(&w.operator)
        .json(json!({"seconds": 3600}))
        .send()
        .await;
    let after = advanced.text("now");
    let parse = |t: &str| chrono::DateTime::parse_from_rfc3339(t).unwrap();
    assert!(parse(&after) - parse(&before) >= TimeDelta::seconds(3600));

    api.get(&history)
        .token(&tp.token)
        .send()
        .await
        .assert_problem(403, "consent-required");
    let expired = api
        .get(&format!("/v1/consents/{consent}"))
        .token(&tp.token)
        .send()
        .await;
    assert_eq!(expired.expect(200)["status"], "expired");
    api.post(&format!("/v1/consents/{consent}/revoke"))
        .token(&w.alice)
        .send()
        .await
        .assert_problem(409, "invalid-state");

    // A new consent; the platform relinquishes it itself.
    let again = grant(
        &api,
        &w.bob,
        &w.a,
        &tp.id,
        json!(["transactions_read"]),
        &api.at(TimeDelta::days(1)),
    )
    .await;
    assert_eq!(api.all_pages(Some(&tp.token), &history, 5).await.len(), 1);
    let relinquished = api
        .post(&format!("/v1/consents/{again}/revoke"))
        .token(&tp.token)
        .send()
        .await;
    assert_eq!(relinquished.expect(200)["status"], "revoked");
    api.get(&history)
        .token(&tp.token)
        .send()
        .await
        .assert_problem(403, "consent-required");
    let statuses: Vec<String> = api
        .all_pages(Some(&tp.token), "/v1/consents", 1)
        .await
        .iter()
        .map(|c| c["status"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(statuses, ["expired", "revoked"]);
    api.check_invariants();
}
