//! Webhooks: subscriptions, Standard Webhooks signatures checked by an independent receiver,
//! redelivery with the same `webhook-id`, the delivery log, and delivery from the standalone server.

use std::time::Duration;

use chrono::TimeDelta;
use serde_json::{Value, json};
use ucr_mock::MockRegistry;

use crate::helpers::{Api, Receiver, grant, platform, subscribe, world};

fn fast() -> ucr_mock::MockRegistryBuilder {
    MockRegistry::builder().webhook_backoff(Duration::from_millis(25))
}

#[tokio::test]
async fn deliveries_are_signed_retried_with_the_same_id_and_logged() {
    let api = Api::start_with(fast()).await;
    let w = world(&api).await;
    let tp = platform(&api, &w.operator, "Exchange", "trading_platform").await;
    let receiver = Receiver::start(1).await;
    // A secret of the caller's own: whsec_ + base64 of 32 bytes.
    let secret = format!(
        "whsec_{}",
        base64::Engine::encode(&base64::engine::general_purpose::STANDARD, [7u8; 32])
    );
    let created = api
        .post("/v1/webhook-subscriptions")
        .token(&tp.token)
        .json(
            json!({"url": receiver.url(), "event_types": ["consent.revoked", "consent.expired"],
                     "secret": secret}),
        )
        .send()
        .await;
    assert_eq!(created.expect(201)["secret"], secret.as_str());
    receiver.set_secret(&secret);
    let subscription = created.text("subscription_id");

    let consent = grant(
        &api,
        &w.alice,
        &w.a,
        &tp.id,
        json!(["holdings_read"]),
        &api.at(TimeDelta::days(1)),
    )
    .await;
    api.post(&format!("/v1/consents/{consent}/revoke"))
        .token(&w.bob)
        .send()
        .await
        .expect(200);
    assert!(api.mock.webhooks_idle(Duration::from_secs(10)).await);

    let received = receiver.received();
    assert_eq!(
        received.len(),
        2,
        "one failure, one redelivery: {received:?}"
    );
    assert!(received.iter().all(|r| r.verified), "{received:?}");
    assert_eq!(
        received.iter().map(|r| r.answered).collect::<Vec<_>>(),
        [500, 200]
    );
    assert_eq!(received[0].id, received[1].id);
    assert_eq!(received[0].body, received[1].body);
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    assert!(received.iter().all(|r| now.abs_diff(r.timestamp) < 300));
    let event = &received[1].body;
    assert_eq!(event["type"], "consent.revoked");
    assert_eq!(event["data"]["event_id"], received[1].id.as_str());
    assert_eq!(event["data"]["consent_id"], consent.as_str());
    assert_eq!(event["data"]["account_id"], w.a.as_str());
    assert_eq!(event["data"]["status"], "revoked");

    let log = api
        .all_pages(
            Some(&tp.token),
            &format!("/v1/webhook-subscriptions/{subscription}/deliveries"),
            10,
        )
        .await;
    assert_eq!(log.len(), 1);
    assert_eq!(log[0]["event_id"], received[0].id.as_str());
    assert_eq!(log[0]["event_type"], "consent.revoked");
    assert_eq!(log[0]["state"], "delivered");
    assert_eq!(log[0]["attempts"], 2);
    assert_eq!(log[0]["last_status"], 200);
    assert!(log[0]["last_attempt_at"].is_string());

    // A consent the grantee relinquishes sends nothing; one that lapses sends consent.expired.
    let relinquished = grant(
        &api,
        &w.alice,
        &w.a,
        &tp.id,
        json!(["holdings_read"]),
        &api.at(TimeDelta::days(1)),
    )
    .await;
    api.post(&format!("/v1/consents/{relinquished}/revoke"))
        .token(&tp.token)
        .send()
        .await
        .expect(200);
    let lapsing = grant(
        &api,
        &w.alice,
        &w.a,
        &tp.id,
        json!(["holdings_read"]),
        &api.at(TimeDelta::hours(2)),
    )
    .await;
    api.post("/v1/sandbox/clock/advance")
        .token(&w.operator)
        .json(json!({"seconds": 7200}))
        .send()
        .await
        .expect(200);
    assert!(api.mock.webhooks_idle(Duration::from_secs(10)).await);
    let log = api
        .all_pages(
            Some(&tp.token),
            &format!("/v1/webhook-subscriptions/{subscription}/deliveries?state=delivered"),
            10,
        )
        .await;
    assert_eq!(log.len(), 2);
    assert_eq!(log[1]["event_type"], "consent.expired");
    let last = receiver.received().pop().unwrap();
    assert_eq!(last.body["data"]["consent_id"], lapsing.as_str());

    // Listing shows no secret; deleting stops everything; the log goes with the subscription.
    let listed = api
        .all_pages(Some(&tp.token), "/v1/webhook-subscriptions", 5)
        .await;
    assert_eq!(listed.len(), 1);
    assert!(listed[0].get("secret").is_none());
    let deleted = api
        .delete(&format!("/v1/webhook-subscriptions/{subscription}"))
        .token(&tp.token)
        .send()
        .await;
    assert_eq!(
        deleted.expect(200)["subscription_id"],
        subscription.as_str()
    );
    assert!(deleted.body.get("secret").is_none());
    for reply in [
        api.delete(&format!("/v1/webhook-subscriptions/{subscription}"))
            .token(&tp.token)
            .send()
            .await,
        api.get(&format!(
            "/v1/webhook-subscriptions/{subscription}/deliveries"
        ))
        .token(&tp.token)
        .send()
        .await,
    ] {
        reply.assert_problem(404, "not-found");
    }
    api.check_invariants();
}

#[tokio::test]
async fn a_receiver_that_keeps_failing_gets_six_attempts() {
    let api = Api::start_with(fast()).await;
    let w = world(&api).await;
    let tp = platform(&api, &w.operator, "Exchange", "trading_platform").await;
    let receiver = Receiver::failing().await;
    let subscription = subscribe(&api, &tp.token, &receiver, json!(["consent.revoked"])).await;
    // A second subscription to a port nobody listens on: connection failures.
    let closed = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let address = listener.local_addr().unwrap();
        drop(listener);
        format!("http://{address}/hooks")
    };
    let unreachable = api
        .post("/v1/webhook-subscriptions")
        .token(&tp.token)
        .json(json!({"url": closed, "event_types": ["consent.revoked"]}))
        .send()
        .await;
    let generated = unreachable.text("secret");
    let key = base64::Engine::decode(
        &base64::engine::general_purpose::STANDARD,
        generated.strip_prefix("whsec_").unwrap(),
    )
    .unwrap();
    assert_eq!(key.len(), 32);
    let unreachable = unreachable.text("subscription_id");

    let consent = grant(
        &api,
        &w.alice,
        &w.a,
        &tp.id,
        json!(["holdings_read"]),
        &api.at(TimeDelta::days(1)),
    )
    .await;
    api.post(&format!("/v1/consents/{consent}/revoke"))
        .token(&w.alice)
        .send()
        .await
        .expect(200);
    let pending = api
        .all_pages(
            Some(&tp.token),
            &format!("/v1/webhook-subscriptions/{subscription}/deliveries?state=pending"),
            5,
        )
        .await;
    assert!(pending.len() <= 1);
    assert!(api.mock.webhooks_idle(Duration::from_secs(20)).await);

    let received = receiver.received();
    assert_eq!(received.len(), 6);
    assert!(
        received
            .iter()
            .all(|r| r.verified && r.id == received[0].id)
    );
    let failed = |id: &str| {
        let path = format!("/v1/webhook-subscriptions/{id}/deliveries?state=failed");
        let api = &api;
        let token = tp.token.clone();
        async move { api.all_pages(Some(&token), &path, 5).await }
    };
    let log = failed(&subscription).await;
    assert_eq!(log.len(), 1);
    assert_eq!(
        (log[0]["attempts"].as_u64(), log[0]["last_status"].as_u64()),
        (Some(6), Some(500))
    );
    let log = failed(&unreachable).await;
    assert_eq!(log.len(), 1);
    assert_eq!(log[0]["attempts"], 6);
    assert!(log[0].get("last_status").is_none());
}

#[tokio::test]
async fn subscriptions_are_for_platforms_and_representatives_and_validated() {
    let api = Api::start().await;
    let w = world(&api).await;
    let tr = platform(&api, &w.operator, "GreenCert", "third_party_registry").await;
    let body = |url: &str, events: Value, secret: Option<&str>| {
        let mut body = json!({"url": url, "event_types": events});
        if let Some(secret) = secret {
            body["secret"] = json!(secret);
        }
        body
    };
    let ok_events = json!(["association.changed"]);
    // A sandbox operator holds no subscriptions; a representative does (its accounts' events).
    api.post("/v1/webhook-subscriptions")
        .token(&w.operator)
        .json(body("http://127.0.0.1:9/", ok_events.clone(), None))
        .send()
        .await
        .assert_problem(403, "forbidden");
    api.get("/v1/webhook-subscriptions")
        .token(&w.operator)
        .send()
        .await
        .assert_problem(403, "forbidden");
    let mine = api
        .post("/v1/webhook-subscriptions")
        .token(&w.alice)
        .json(body(
            "http://127.0.0.1:9/",
            json!(["transfer.pending_approval"]),
            None,
        ))
        .send()
        .await
        .text("subscription_id");
    let listed = api
        .get("/v1/webhook-subscriptions")
        .token(&w.alice)
        .send()
        .await;
    assert_eq!(
        listed.expect(200)["items"][0]["subscription_id"],
        mine.as_str()
    );
    api.get(&format!("/v1/webhook-subscriptions/{mine}/deliveries"))
        .token(&tr.token)
        .send()
        .await
        .assert_problem(404, "not-found");
    // The representative's subscription is its own: it reads its log and deletes it
    // (Schemathesis found the deletion answered 404: ownership counted platforms only).
    api.get(&format!("/v1/webhook-subscriptions/{mine}/deliveries"))
        .token(&w.alice)
        .send()
        .await
        .expect(200);
    api.delete(&format!("/v1/webhook-subscriptions/{mine}"))
        .token(&tr.token)
        .send()
        .await
        .assert_problem(404, "not-found");
    api.delete(&format!("/v1/webhook-subscriptions/{mine}"))
        .token(&w.alice)
        .send()
        .await
        .expect(200);
    let short = format!(
        "whsec_{}",
        base64::Engine::encode(&base64::engine::general_purpose::STANDARD, [1u8; 23])
    );
    let long = format!(
        "whsec_{}",
        base64::Engine::encode(&base64::engine::general_purpose::STANDARD, [1u8; 65])
    );
    let cases = [
        body("ftp://127.0.0.1/hooks", ok_events.clone(), None),
        body("/hooks", ok_events.clone(), None),
        body("not a url", ok_events.clone(), None),
        body("http://127.0.0.1:9/", json!([]), None),
        body(
            "http://127.0.0.1:9/",
            json!(["association.changed", "association.changed"]),
            None,
        ),
        body("http://127.0.0.1:9/", ok_events.clone(), Some(&short)),
        body("http://127.0.0.1:9/", ok_events.clone(), Some(&long)),
        body("http://127.0.0.1:9/", ok_events.clone(), Some("whsec_!!!!")),
        body(
            "http://127.0.0.1:9/",
            ok_events.clone(),
            Some("c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0"),
        ),
    ];
    for case in cases {
        let reply = api
            .post("/v1/webhook-subscriptions")
            .token(&tr.token)
            .json(case.clone())
            .send()
            .await;
        assert_eq!(reply.status, 422, "{case}: {:?}", reply.body);
        reply.assert_problem(422, "validation-failed");
    }
    api.post("/v1/webhook-subscriptions")
        .token(&tr.token)
        .json(json!({"url": "http://127.0.0.1:9/", "event_types": ["no.such.event"]}))
        .send()
        .await
        .assert_problem(400, "malformed-request");
    let created = api
        .post("/v1/webhook-subscriptions")
        .token(&tr.token)
        .json(body("https://127.0.0.1:9/hooks", ok_events.clone(), None))
        .send()
        .await;
    let id = created.text("subscription_id");
    let other = platform(&api, &w.operator, "Other", "trading_platform").await;
    for reply in [
        api.delete(&format!("/v1/webhook-subscriptions/{id}"))
            .token(&other.token)
            .send()
            .await,
        api.get(&format!("/v1/webhook-subscriptions/{id}/deliveries"))
            .token(&w.alice)
            .send()
            .await,
    ] {
        reply.assert_problem(404, "not-found");
    }
    let wrong_method = api
        .get(&format!("/v1/webhook-subscriptions/{id}"))
        .token(&tr.token)
        .send()
        .await;
    wrong_method.assert_problem(405, "method-not-allowed");
    assert_eq!(wrong_method.header("allow"), Some("DELETE"));
    let both = api
        .call(reqwest::Method::PUT, "/v1/escrows")
        .token(&tr.token)
        .send()
        .await;
    assert_eq!(both.header("allow"), Some("GET, POST"));
}

#[tokio::test]
async fn the_standalone_server_delivers_webhooks() {
    let router = MockRegistry::builder()
        .webhook_backoff(Duration::from_millis(25))
        .router()
        .unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let registry = std::sync::Arc::clone(router.registry());
    let server = tokio::spawn(ucr_mock::serve(listener, router, async {
        let _ = stopped.await;
    }));
    let http = reqwest::Client::new();
    let post = |path: &str, token: Option<&str>, body: Value| {
        let mut request = http
            .post(format!("{base}{path}"))
            .header("idempotency-key", uuid::Uuid::new_v4().to_string());
        if !body.is_null() {
            request = request.json(&body);
        }
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        async move {
            let response = request.send().await.unwrap();
            let status = response.status().as_u16();
            (
                status,
                response.json::<Value>().await.unwrap_or(Value::Null),
            )
        }
    };
    let (_, session) = post("/v1/sandbox/operator-sessions", None, json!({})).await;
    let operator = session["token"].as_str().unwrap().to_owned();
    let (status, tp) = post(
        "/v1/sandbox/platforms",
        Some(&operator),
        json!({"name": "Exchange", "kind": "trading_platform"}),
    )
    .await;
    assert_eq!(status, 201);
    let tp_token = tp["token"].as_str().unwrap().to_owned();
    let tp_id = tp["platform"]["platform_id"].as_str().unwrap().to_owned();
    let holder = tp["platform"]["holder_id"].as_str().unwrap();
    let (_, custodial) = post(
        "/v1/sandbox/accounts",
        Some(&operator),
        json!({"holder_id": holder, "name": "Custody", "kind": "custodial"}),
    )
    .await;
    let custodial = custodial["account_id"].as_str().unwrap().to_owned();
    let (_, rep) = post(
        &format!("/v1/sandbox/accounts/{custodial}/representatives"),
        Some(&operator),
        json!({"name": "Solo", "roles": ["initiator", "approver"]}),
    )
    .await;
    let rep = rep["token"].as_str().unwrap().to_owned();
    let receiver = Receiver::start(1).await;
    let (status, subscription) = post(
        "/v1/webhook-subscriptions",
        Some(&tp_token),
        json!({"url": receiver.url(), "event_types": ["consent.revoked"]}),
    )
    .await;
    assert_eq!(status, 201);
    receiver.set_secret(subscription["secret"].as_str().unwrap());
    let expires = (chrono::Utc::now() + TimeDelta::days(1)).to_rfc3339();
    let (status, consent) = post(
        &format!("/v1/accounts/{custodial}/consents"),
        Some(&rep),
        json!({"grantee_id": tp_id, "scopes": ["transactions_read"], "expires_at": expires}),
    )
    .await;
    assert_eq!(status, 201, "{consent}");
    let consent = consent["consent_id"].as_str().unwrap();
    let (status, _) = post(
        &format!("/v1/consents/{consent}/revoke"),
        Some(&rep),
        Value::Null,
    )
    .await;
    assert_eq!(status, 200);

    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    while registry.read().unwrap().pending_deliveries() > 0
        && tokio::time::Instant::now() < deadline
    {
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let received = receiver.received();
    assert_eq!(
        received
            .iter()
            .map(|r| (r.verified, r.answered))
            .collect::<Vec<_>>(),
        [(true, 500), (true, 200)]
    );
    assert_eq!(received[0].id, received[1].id);
    stop.send(()).unwrap();
    server.await.unwrap().unwrap();
}
