//! The OAuth 2.0 token endpoint: client-credentials grant, RFC 6749 errors, expiry on the registry
//! clock.

use chrono::TimeDelta;
use serde_json::json;

use crate::helpers::{Api, Reply, platform};

async fn token_request(api: &Api, body: &str, content_type: Option<&str>) -> Reply {
    api.post("/v1/oauth/token")
        .no_key()
        .raw(body.as_bytes(), content_type)
        .send()
        .await
}

const FORM: Option<&str> = Some("application/x-www-form-urlencoded");

#[track_caller]
fn assert_oauth_error(reply: &Reply, status: u16, error: &str) {
    assert_eq!(
        (reply.status, reply.body["error"].as_str()),
        (status, Some(error)),
        "{:?}",
        reply.body
    );
    assert_eq!(reply.header("content-type"), Some("application/json"));
    assert!(reply.body["error_description"].is_string());
}

#[tokio::test]
async fn tokens_are_issued_used_and_expire_on_the_registry_clock() {
    let api = Api::start().await;
    let operator = api.mock.operator_token();
    let tp = platform(&api, &operator, "Exchange", "trading_platform").await;
    let form = format!(
        "grant_type=client_credentials&client_id={}&client_secret={}&scope=anything&extra=ignored",
        tp.client_id, tp.client_secret
    );
    let issued = token_request(&api, &form, FORM).await;
    let body = issued.expect(200);
    assert_eq!(body["token_type"], "Bearer");
    assert_eq!(body["expires_in"], 3600);
    assert_eq!(issued.header("content-type"), Some("application/json"));
    assert_eq!(issued.header("cache-control"), Some("no-store"));
    let token = issued.text("access_token");

    let me = api
        .get(&format!("/v1/platforms/{}", tp.id))
        .token(&token)
        .send()
        .await;
    assert_eq!(me.expect(200)["kind"], "trading_platform");
    assert!(
        api.all_pages(Some(&token), "/v1/accounts", 5)
            .await
            .is_empty()
    );
    // A platform token writes with an Idempotency-Key like anyone else.
    let subscription =
        json!({"url": "http://127.0.0.1:9/hooks", "event_types": ["consent.revoked"]});
    api.post("/v1/webhook-subscriptions")
        .token(&token)
        .json(subscription.clone())
        .no_key()
        .send()
        .await
        .assert_problem(400, "idempotency-key-required");
    api.post("/v1/webhook-subscriptions")
        .token(&token)
        .json(subscription)
        .send()
        .await
        .expect(201);

    api.advance_clock(TimeDelta::seconds(3599));
    api.get("/v1/accounts")
        .token(&token)
        .send()
        .await
        .expect(200);
    api.advance_clock(TimeDelta::seconds(1));
    let expired = api.get("/v1/accounts").token(&token).send().await;
    expired.assert_problem(401, "unauthenticated");
    assert_eq!(
        expired.header("www-authenticate"),
        Some("Bearer error=\"invalid_token\"")
    );
    // The platform's own bearer token does not expire; a fresh access token works again.
    api.get("/v1/accounts")
        .token(&tp.token)
        .send()
        .await
        .expect(200);
    let again = token_request(&api, &form, FORM).await;
    let fresh = again.text("access_token");
    api.get("/v1/accounts")
        .token(&fresh)
        .send()
        .await
        .expect(200);

    // HTTP Basic client authentication works too.
    let basic = base64::Engine::encode(
        &base64::engine::general_purpose::STANDARD,
        format!("{}:{}", tp.client_id, tp.client_secret),
    );
    let reply = api
        .http
        .post(format!("{}/v1/oauth/token", api.mock.uri()))
        .header("authorization", format!("Basic {basic}"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body("grant_type=client_credentials")
        .send()
        .await
        .unwrap();
    assert_eq!(reply.status(), 200);
}

#[tokio::test]
async fn token_errors_follow_rfc_6749() {
    let api = Api::start().await;
    let operator = api.mock.operator_token();
    let tp = platform(&api, &operator, "Exchange", "trading_platform").await;
    let with = |grant: &str, id: &str, secret: &str| {
        format!("grant_type={grant}&client_id={id}&client_secret={secret}")
    };
    let cases = [
        (with("client_credentials", &tp.client_id, "wrong"), FORM, 401, "invalid_client"),
        (with("client_credentials", "nobody", &tp.client_secret), FORM, 401, "invalid_client"),
        (format!("grant_type=client_credentials&client_id={}", tp.client_id), FORM, 400, "invalid_request"),
        ("grant_type=client_credentials".to_owned(), FORM, 401, "invalid_client"),
        (with("password", &tp.client_id, &tp.client_secret), FORM, 400, "unsupported_grant_type"),
        (format!("client_id={}&client_secret={}", tp.client_id, tp.client_secret), FORM, 400, "invalid_request"),
        (
            format!("{}&grant_type=client_credentials", with("client_credentials", &tp.client_id, &tp.client_secret)),
            FORM,
            400,
            "invalid_request",
        ),
        (
            json!({"grant_type": "client_credentials", "client_id": tp.client_id, "client_secret": tp.client_secret}).to_string(),
            Some("application/json"),
            400,
            "invalid_request",
        ),
        (with("client_credentials", &tp.client_id, &tp.client_secret), None, 400, "invalid_request"),
    ];
    for (body, content_type, status, error) in cases {
        let reply = token_request(&api, &body, content_type).await;
        assert_oauth_error(&reply, status, error);
    }
    let get = api.get("/v1/oauth/token").send().await;
    assert_eq!(get.status, 405);
    assert_eq!(get.header("allow"), Some("POST"));
    assert_eq!(get.body["error"], "invalid_request");
    // The token endpoint is not a bearer-token endpoint: a platform token does not matter.
    let reply = api
        .post("/v1/oauth/token")
        .no_key()
        .token(&tp.token)
        .raw(
            with("client_credentials", &tp.client_id, "wrong").as_bytes(),
            FORM,
        )
        .send()
        .await;
    assert_oauth_error(&reply, 401, "invalid_client");
}
