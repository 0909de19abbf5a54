//! The authorization server over HTTP: discovery, the authorization code flow with PKCE through
//! the `login_hint` shortcut and through the consent page's form, codes, refresh rotation,
//! revocation, scopes on representatives' tokens, and consents granted through the flow.

use std::collections::BTreeMap;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::TimeDelta;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use ucr_mock::MockRegistry;

use crate::helpers::{Api, Reply, World, platform, world};

const FORM: Option<&str> = Some("application/x-www-form-urlencoded");
const REDIRECT: &str = "http://127.0.0.1:9/callback";

/// A mock and a client that does not follow redirects (the test reads `Location` itself).
async fn start() -> Api {
    Api {
        mock: MockRegistry::start().await,
        http: reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap(),
    }
}

/// A PKCE pair: `(verifier, S256 challenge)`.
fn pkce(seed: &str) -> (String, String) {
    let verifier = format!("verifier-{seed}-{}", "x".repeat(40));
    let challenge = URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()));
    (verifier, challenge)
}

fn form(pairs: &[(&str, &str)]) -> String {
    serde_urlencoded::to_string(pairs).unwrap()
}

/// The query of a `Location`, as a map.
fn query_of(location: &str) -> BTreeMap<String, String> {
    let query = location.split_once('?').map_or("", |(_, q)| q);
    serde_urlencoded::from_str::<Vec<(String, String)>>(query)
        .unwrap()
        .into_iter()
        .collect()
}

/// Registers a representative's app; returns `(client_id, client_secret)`.
async fn app(api: &Api, operator: &str, client_type: &str) -> (String, Option<String>) {
    let reply = api
        .post("/v1/sandbox/oauth-clients")
        .token(operator)
        .json(json!({"name": "Holder's <app>", "client_type": client_type, "redirect_uris": [REDIRECT]}))
        .send()
        .await;
    let body = reply.expect(201).clone();
    assert_eq!(body["redirect_uris"], json!([REDIRECT]));
    (
        body["client_id"].as_str().unwrap().to_owned(),
        body["client_secret"].as_str().map(str::to_owned),
    )
}

/// The representative IDs of an account, by name.
async fn representative_ids(api: &Api, token: &str, account: &str) -> BTreeMap<String, String> {
    let reply = api
        .get(&format!("/v1/accounts/{account}"))
        .token(token)
        .send()
        .await;
    reply.expect(200)["representatives"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["name"].as_str().unwrap().to_owned(),
                r["representative_id"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

async fn authorize(api: &Api, params: &[(&str, &str)]) -> Reply {
    api.get(&format!("/v1/oauth/authorize?{}", form(params)))
        .send()
        .await
}

/// The standard parameters of an authorization request.
fn params<'a>(client_id: &'a str, scope: &'a str, challenge: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("response_type", "code"),
        ("client_id", client_id),
        ("redirect_uri", REDIRECT),
        ("scope", scope),
        ("state", "st-<1>&x"),
        ("code_challenge", challenge),
        ("code_challenge_method", "S256"),
    ]
}

/// Asserts a redirect to the client's URI and returns its query.
#[track_caller]
fn redirected(reply: &Reply, status: u16) -> BTreeMap<String, String> {
    assert_eq!(
        reply.status,
        status,
        "{:?}",
        String::from_utf8_lossy(&reply.raw)
    );
    let location = reply.header("location").expect("a Location");
    assert!(location.starts_with(REDIRECT), "{location}");
    query_of(location)
}

async fn token(api: &Api, pairs: &[(&str, &str)]) -> Reply {
    api.post("/v1/oauth/token")
        .no_key()
        .raw(form(pairs).as_bytes(), FORM)
        .send()
        .await
}

#[track_caller]
fn assert_oauth_error(reply: &Reply, status: u16, error: &str) {
    assert_eq!(
        (reply.status, reply.body["error"].as_str()),
        (status, Some(error)),
        "{:?}",
        reply.body
    );
}

/// A public app signed in as Alice through the shortcut: `(world, client_id, Alice's ID, the
/// token response)`.
async fn signed_in(api: &Api, scope: &str) -> (World, String, String, Value) {
    let w = world(api).await;
    let (client_id, _) = app(api, &w.operator, "public").await;
    let ids = representative_ids(api, &w.alice, &w.a).await;
    let alice = ids["Alice Nguyen"].clone();
    let (verifier, challenge) = pkce("signed-in");
    let mut p = params(&client_id, scope, &challenge);
    p.push(("login_hint", &alice));
    let query = redirected(&authorize(api, &p).await, 302);
    assert_eq!(query.len(), 2, "only code and state: {query:?}");
    assert_eq!(query["state"], "st-<1>&x");
    let reply = token(
        api,
        &[
            ("grant_type", "authorization_code"),
            ("code", &query["code"]),
            ("redirect_uri", REDIRECT),
            ("code_verifier", &verifier),
            ("client_id", &client_id),
        ],
    )
    .await;
    assert_eq!(reply.header("cache-control"), Some("no-store"));
    let body = reply.expect(200).clone();
    (w, client_id, alice, body)
}

#[tokio::test]
async fn discovery_describes_the_server_with_absolute_urls() {
    let api = start().await;
    let reply = api
        .get("/.well-known/oauth-authorization-server")
        .send()
        .await;
    let body = reply.expect(200);
    let base = api.mock.uri();
    assert_eq!(body["issuer"], base);
    assert_eq!(
        body["authorization_endpoint"],
        format!("{base}/v1/oauth/authorize")
    );
    assert_eq!(body["token_endpoint"], format!("{base}/v1/oauth/token"));
    assert_eq!(
        body["revocation_endpoint"],
        format!("{base}/v1/oauth/revoke")
    );
    assert_eq!(body["code_challenge_methods_supported"], json!(["S256"]));
    assert_eq!(body["response_types_supported"], json!(["code"]));
    let scopes = body["scopes_supported"].as_array().unwrap();
    for scope in ["accounts:read", "transfers:write", "consent:holdings_read"] {
        assert!(scopes.contains(&json!(scope)), "{scope}");
    }
}

#[tokio::test]
async fn the_shortcut_signs_in_and_the_token_carries_exactly_its_scopes() {
    let api = start().await;
    let (w, _, _, body) = signed_in(&api, "accounts:read").await;
    assert_eq!(body["token_type"], "Bearer");
    assert_eq!(body["expires_in"], 3600);
    assert_eq!(body["scope"], "accounts:read");
    assert!(body["refresh_token"].is_string());
    let access = body["access_token"].as_str().unwrap();
    let accounts = api.get("/v1/accounts").token(access).send().await;
    assert_eq!(accounts.expect(200)["items"][0]["account_id"], w.a);
    // Without transfers:write, initiating is refused with the RFC 6750 challenge and nothing is
    // created.
    let transfer =
        json!({"from_account_id": w.a, "to_account_id": w.b, "unit_type": "ACCU", "quantity": 1});
    let refused = api
        .post("/v1/transfers")
        .token(access)
        .json(transfer.clone())
        .send()
        .await;
    refused.assert_problem(403, "insufficient-scope");
    assert_eq!(
        refused.header("www-authenticate"),
        Some("Bearer error=\"insufficient_scope\", scope=\"transfers:write\"")
    );
    let history = format!("/v1/accounts/{}/transactions", w.a);
    let before = api.all_pages(Some(&w.alice), &history, 50).await;
    let refused_again = api
        .post("/v1/transfers")
        .token(access)
        .json(transfer.clone())
        .send()
        .await;
    refused_again.assert_problem(403, "insufficient-scope");
    assert_eq!(
        api.all_pages(Some(&w.alice), &history, 50).await,
        before,
        "nothing was created"
    );
    // The sandbox's own token keeps every scope.
    api.post("/v1/transfers")
        .token(&w.alice)
        .json(transfer)
        .send()
        .await
        .expect(201);
    api.check_invariants();
}

#[tokio::test]
async fn the_consent_page_approves_and_declines_through_its_form() {
    let api = start().await;
    let w = world(&api).await;
    let (client_id, _) = app(&api, &w.operator, "public").await;
    let ids = representative_ids(&api, &w.alice, &w.a).await;
    let (verifier, challenge) = pkce("page");
    let p = params(&client_id, "accounts:read transfers:write", &challenge);
    let page = authorize(&api, &p).await;
    assert_eq!(page.status, 200);
    assert!(
        page.header("content-type")
            .unwrap()
            .starts_with("text/html")
    );
    let html = String::from_utf8(page.raw.clone()).unwrap();
    assert!(
        html.contains("Holder&#39;s &lt;app&gt;"),
        "the client's name, escaped"
    );
    assert!(html.contains("transfers:write") && html.contains("Initiate, approve"));
    assert!(html.contains(&format!("value=\"{}\"", ids["Bob Barker"])));
    assert!(!html.contains("<script"));
    let request_id = html
        .split("name=\"request_id\" value=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .unwrap()
        .to_owned();
    let decide = |request_id: String, representative: String, decision: &'static str| {
        let api = &api;
        async move {
            api.post("/v1/oauth/authorize")
                .no_key()
                .raw(
                    form(&[
                        ("request_id", &request_id),
                        ("representative_id", &representative),
                        ("decision", decision),
                    ])
                    .as_bytes(),
                    FORM,
                )
                .send()
                .await
        }
    };
    // A representative who was not offered cannot decide; the request stays pending.
    decide(request_id.clone(), "AR-999999".into(), "approve")
        .await
        .assert_problem(400, "malformed-request");
    let approved = decide(request_id.clone(), ids["Bob Barker"].clone(), "approve").await;
    let query = redirected(&approved, 303);
    assert_eq!(query.keys().collect::<Vec<_>>(), ["code", "state"]);
    // Decided: the same request cannot be decided again.
    decide(request_id, ids["Bob Barker"].clone(), "decline")
        .await
        .assert_problem(400, "malformed-request");
    let issued = token(
        &api,
        &[
            ("grant_type", "authorization_code"),
            ("code", &query["code"]),
            ("redirect_uri", REDIRECT),
            ("code_verifier", &verifier),
            ("client_id", &client_id),
        ],
    )
    .await;
    assert_eq!(issued.expect(200)["scope"], "accounts:read transfers:write");
    // Bob is the approver: his flow token acts as Bob.
    let access = issued.text("access_token");
    let account = api
        .get(&format!("/v1/accounts/{}", w.a))
        .token(&access)
        .send()
        .await;
    account.expect(200);

    // Declining redirects with access_denied and the state.
    let page = authorize(&api, &p).await;
    let html = String::from_utf8(page.raw.clone()).unwrap();
    let request_id = html
        .split("name=\"request_id\" value=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .unwrap()
        .to_owned();
    let declined = decide(request_id, ids["Alice Nguyen"].clone(), "decline").await;
    let query = redirected(&declined, 303);
    assert_eq!(query["error"], "access_denied");
    assert_eq!(query["state"], "st-<1>&x");
    assert!(!query.contains_key("code"));
}

#[tokio::test]
async fn pkce_is_required_and_verified() {
    let api = start().await;
    let w = world(&api).await;
    let (client_id, _) = app(&api, &w.operator, "public").await;
    let ids = representative_ids(&api, &w.alice, &w.a).await;
    let (_, challenge) = pkce("pkce");
    for (name, value) in [
        ("code_challenge_method", "plain"),
        ("code_challenge_method", ""),
        ("code_challenge", "too-short"),
    ] {
        let mut p: Vec<(&str, &str)> = params(&client_id, "accounts:read", &challenge)
            .into_iter()
            .filter(|(n, _)| *n != name)
            .collect();
        if !value.is_empty() {
            p.push((name, value));
        }
        let query = redirected(&authorize(&api, &p).await, 302);
        assert_eq!(query["error"], "invalid_request", "{name}={value}");
        assert_eq!(query["state"], "st-<1>&x");
        assert!(query["error_description"].contains("S256") || name == "code_challenge");
    }
    // A verifier that does not hash to the challenge is refused, and the code stays unused.
    let mut p = params(&client_id, "accounts:read", &challenge);
    p.push(("login_hint", &ids["Alice Nguyen"]));
    let code = redirected(&authorize(&api, &p).await, 302)["code"].clone();
    let exchange = |verifier: String| {
        let (api, code, client_id) = (&api, code.clone(), client_id.clone());
        async move {
            token(
                api,
                &[
                    ("grant_type", "authorization_code"),
                    ("code", &code),
                    ("redirect_uri", REDIRECT),
                    ("code_verifier", &verifier),
                    ("client_id", &client_id),
                ],
            )
            .await
        }
    };
    assert_oauth_error(&exchange(pkce("other").0).await, 400, "invalid_grant");
    exchange(pkce("pkce").0).await.expect(200);
}

#[tokio::test]
async fn codes_are_single_use_short_lived_and_bound_to_the_redirect_uri() {
    let api = start().await;
    let w = world(&api).await;
    let (client_id, _) = app(&api, &w.operator, "public").await;
    let ids = representative_ids(&api, &w.alice, &w.a).await;
    let (verifier, challenge) = pkce("codes");
    let mut p = params(&client_id, "accounts:read", &challenge);
    p.push(("login_hint", &ids["Alice Nguyen"]));
    let exchange = |code: String, redirect: &'static str| {
        let (api, client_id, verifier) = (&api, client_id.clone(), verifier.clone());
        async move {
            token(
                api,
                &[
                    ("grant_type", "authorization_code"),
                    ("code", &code),
                    ("redirect_uri", redirect),
                    ("code_verifier", &verifier),
                    ("client_id", &client_id),
                ],
            )
            .await
        }
    };
    // Reuse: refused, and the tokens of the first exchange are revoked.
    let code = redirected(&authorize(&api, &p).await, 302)["code"].clone();
    let first = exchange(code.clone(), REDIRECT).await;
    let access = first.expect(200)["access_token"]
        .as_str()
        .unwrap()
        .to_owned();
    let refresh = first.text("refresh_token");
    api.get("/v1/accounts")
        .token(&access)
        .send()
        .await
        .expect(200);
    assert_oauth_error(&exchange(code, REDIRECT).await, 400, "invalid_grant");
    api.get("/v1/accounts")
        .token(&access)
        .send()
        .await
        .assert_problem(401, "unauthenticated");
    let refreshed = token(
        &api,
        &[
            ("grant_type", "refresh_token"),
            ("refresh_token", &refresh),
            ("client_id", &client_id),
        ],
    )
    .await;
    assert_oauth_error(&refreshed, 400, "invalid_grant");
    // Another redirect URI than the request's.
    let code = redirected(&authorize(&api, &p).await, 302)["code"].clone();
    assert_oauth_error(
        &exchange(code.clone(), "http://127.0.0.1:9/callback/other").await,
        400,
        "invalid_grant",
    );
    // Expiry after 60 s of registry time.
    api.advance_clock(TimeDelta::seconds(61));
    assert_oauth_error(&exchange(code, REDIRECT).await, 400, "invalid_grant");
}

#[tokio::test]
async fn untrusted_clients_and_redirect_uris_get_400_not_a_redirect() {
    let api = start().await;
    let w = world(&api).await;
    let (client_id, _) = app(&api, &w.operator, "public").await;
    let (_, challenge) = pkce("redirects");
    for (client, redirect) in [
        ("unknown-client", REDIRECT),
        (client_id.as_str(), "http://127.0.0.1:9/callback/more"),
        (client_id.as_str(), "http://127.0.0.1:9/callbac"),
        (client_id.as_str(), "http://127.0.0.1:9/callback?x=1"),
    ] {
        let p: Vec<(&str, &str)> = params(client, "accounts:read", &challenge)
            .into_iter()
            .map(|(n, v)| {
                if n == "redirect_uri" {
                    (n, redirect)
                } else {
                    (n, v)
                }
            })
            .collect();
        let reply = authorize(&api, &p).await;
        reply.assert_problem(400, "invalid-parameter");
        assert!(reply.header("location").is_none(), "{client} {redirect}");
    }
    // Other errors are redirected with the state.
    let mut p = params(&client_id, "accounts:read", &challenge);
    p[0] = ("response_type", "token");
    let query = redirected(&authorize(&api, &p).await, 302);
    assert_eq!(query["error"], "unsupported_response_type");
    for scope in ["", "accounts:write", "consent:holdings_read"] {
        let query = redirected(
            &authorize(&api, &params(&client_id, scope, &challenge)).await,
            302,
        );
        assert_eq!(query["error"], "invalid_scope", "{scope:?}");
    }
}

#[tokio::test]
async fn refresh_tokens_rotate_and_a_reused_one_revokes_the_family() {
    let api = start().await;
    let (_, client_id, _, body) = signed_in(&api, "accounts:read transfers:write").await;
    let refresh_with = |refresh: String, scope: Option<&'static str>| {
        let (api, client_id) = (&api, client_id.clone());
        async move {
            let mut pairs = vec![
                ("grant_type", "refresh_token"),
                ("refresh_token", refresh.as_str()),
                ("client_id", client_id.as_str()),
            ];
            if let Some(scope) = scope {
                pairs.push(("scope", scope));
            }
            token(api, &pairs).await
        }
    };
    let first_refresh = body["refresh_token"].as_str().unwrap().to_owned();
    let rotated = refresh_with(first_refresh.clone(), Some("accounts:read")).await;
    let rotated_body = rotated.expect(200).clone();
    assert_eq!(rotated_body["scope"], "accounts:read");
    let second_refresh = rotated.text("refresh_token");
    assert_ne!(second_refresh, first_refresh);
    let narrowed = rotated.text("access_token");
    api.get("/v1/accounts")
        .token(&narrowed)
        .send()
        .await
        .expect(200);
    assert_oauth_error(
        &refresh_with(second_refresh.clone(), Some("cancellations:write")).await,
        400,
        "invalid_scope",
    );
    // The scope refused changed nothing: the refresh token is still current.
    let third = refresh_with(second_refresh, None).await;
    assert_eq!(third.expect(200)["scope"], "accounts:read transfers:write");
    let live = third.text("access_token");
    let third_refresh = third.text("refresh_token");
    // Reusing the first refresh token: refused, and every token of the family is revoked.
    assert_oauth_error(
        &refresh_with(first_refresh, None).await,
        400,
        "invalid_grant",
    );
    for access in [&narrowed, &live] {
        api.get("/v1/accounts")
            .token(access)
            .send()
            .await
            .assert_problem(401, "unauthenticated");
    }
    assert_oauth_error(
        &refresh_with(third_refresh, None).await,
        400,
        "invalid_grant",
    );
}

#[tokio::test]
async fn revocation_ends_tokens_at_once_and_answers_200_regardless() {
    let api = start().await;
    let (w, client_id, _, body) = signed_in(&api, "accounts:read").await;
    let revoke = |pairs: Vec<(&'static str, String)>| {
        let api = &api;
        async move {
            let pairs: Vec<(&str, &str)> = pairs.iter().map(|(n, v)| (*n, v.as_str())).collect();
            api.post("/v1/oauth/revoke")
                .no_key()
                .raw(form(&pairs).as_bytes(), FORM)
                .send()
                .await
        }
    };
    let access = body["access_token"].as_str().unwrap().to_owned();
    let refresh = body["refresh_token"].as_str().unwrap().to_owned();
    // Another client cannot revoke this client's token: 200 all the same, and it stays valid.
    let (other, _) = app(&api, &w.operator, "public").await;
    let reply = revoke(vec![("token", access.clone()), ("client_id", other)]).await;
    assert_eq!((reply.status, reply.raw.len()), (200, 0));
    api.get("/v1/accounts")
        .token(&access)
        .send()
        .await
        .expect(200);
    // An unknown token: 200 with an empty body.
    let reply = revoke(vec![
        ("token", "nothing".into()),
        ("client_id", client_id.clone()),
    ])
    .await;
    assert_eq!((reply.status, reply.raw.len()), (200, 0));
    // Refused requests.
    assert_oauth_error(
        &revoke(vec![("client_id", client_id.clone())]).await,
        400,
        "invalid_request",
    );
    assert_oauth_error(
        &revoke(vec![("token", access.clone())]).await,
        401,
        "invalid_client",
    );
    // Revoking the refresh token ends the access token too, from the next request.
    let reply = revoke(vec![
        ("token", refresh.clone()),
        ("token_type_hint", "refresh_token".into()),
        ("client_id", client_id.clone()),
    ])
    .await;
    reply.expect(200);
    api.get("/v1/accounts")
        .token(&access)
        .send()
        .await
        .assert_problem(401, "unauthenticated");
    let refreshed = token(
        &api,
        &[
            ("grant_type", "refresh_token"),
            ("refresh_token", &refresh),
            ("client_id", &client_id),
        ],
    )
    .await;
    assert_oauth_error(&refreshed, 400, "invalid_grant");
}

#[tokio::test]
async fn confidential_clients_authenticate_with_their_secret() {
    let api = start().await;
    let w = world(&api).await;
    let (client_id, secret) = app(&api, &w.operator, "confidential").await;
    let secret = secret.expect("a confidential client has a secret");
    let ids = representative_ids(&api, &w.alice, &w.a).await;
    let (verifier, challenge) = pkce("confidential");
    let mut p = params(&client_id, "accounts:read", &challenge);
    p.push(("login_hint", &ids["Bob Barker"]));
    let code = redirected(&authorize(&api, &p).await, 302)["code"].clone();
    let grant = [
        ("grant_type", "authorization_code"),
        ("code", code.as_str()),
        ("redirect_uri", REDIRECT),
        ("code_verifier", verifier.as_str()),
    ];
    // client_id alone is not enough for a confidential client.
    let mut alone = grant.to_vec();
    alone.push(("client_id", &client_id));
    assert_oauth_error(&token(&api, &alone).await, 401, "invalid_client");
    let basic = base64::engine::general_purpose::STANDARD.encode(format!("{client_id}:{secret}"));
    let reply = api
        .http
        .post(format!("{}/v1/oauth/token", api.mock.uri()))
        .header("authorization", format!("Basic {basic}"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(form(&grant))
        .send()
        .await
        .unwrap();
    assert_eq!(reply.status(), 200);
    // The client-credentials grant is for platforms.
    let reply = token(
        &api,
        &[
            ("grant_type", "client_credentials"),
            ("client_id", &client_id),
            ("client_secret", &secret),
        ],
    )
    .await;
    assert_oauth_error(&reply, 400, "unauthorized_client");
}

#[tokio::test]
async fn a_platform_gets_a_consent_through_the_flow() {
    let api = start().await;
    let w = world(&api).await;
    let reply = api
        .post("/v1/sandbox/platforms")
        .token(&w.operator)
        .json(json!({"name": "Exchange", "kind": "trading_platform", "redirect_uris": [REDIRECT]}))
        .send()
        .await;
    let body = reply.expect(201).clone();
    let client_id = body["client_id"].as_str().unwrap().to_owned();
    let secret = body["client_secret"].as_str().unwrap().to_owned();
    let ids = representative_ids(&api, &w.alice, &w.a).await;
    let (verifier, challenge) = pkce("consent");
    let consents = |token: String| {
        let api = &api;
        async move { api.all_pages(Some(&token), "/v1/consents", 50).await }
    };
    // Refused scopes and a missing account.
    for (scope, account, error) in [
        ("accounts:read", Some(w.a.as_str()), "invalid_scope"),
        ("consent:association", Some(w.a.as_str()), "invalid_scope"),
        ("consent:holdings_read", None, "invalid_request"),
        (
            "consent:holdings_read",
            Some("AU-9999999"),
            "invalid_request",
        ),
    ] {
        let mut p = params(&client_id, scope, &challenge);
        if let Some(account) = account {
            p.push(("account_id", account));
        }
        let query = redirected(&authorize(&api, &p).await, 302);
        assert_eq!(query["error"], error, "{scope} {account:?}");
    }
    // Carol is not appointed to account a: she may not approve.
    let mut p = params(
        &client_id,
        "consent:holdings_read consent:transactions_read",
        &challenge,
    );
    p.push(("account_id", &w.a));
    let mut carol = p.clone();
    let carol_id = representative_ids(&api, &w.carol, &w.b).await["Carol Tjapaltjarri"].clone();
    carol.push(("login_hint", &carol_id));
    assert_eq!(
        redirected(&authorize(&api, &carol).await, 302)["error"],
        "invalid_request"
    );
    assert!(
        consents(w.alice.clone()).await.is_empty(),
        "nothing was created"
    );
    // Bob approves through the shortcut: the consent exists at once.
    p.push(("login_hint", &ids["Bob Barker"]));
    let code = redirected(&authorize(&api, &p).await, 302)["code"].clone();
    let listed = consents(w.alice.clone()).await;
    assert_eq!(listed.len(), 1);
    let consent = &listed[0];
    assert_eq!(consent["granted_by"], ids["Bob Barker"].as_str());
    assert_eq!(
        consent["scopes"],
        json!(["holdings_read", "transactions_read"])
    );
    assert_eq!(consent["status"], "active");
    let issued = token(
        &api,
        &[
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("redirect_uri", REDIRECT),
            ("code_verifier", &verifier),
            ("client_id", &client_id),
            ("client_secret", &secret),
        ],
    )
    .await;
    assert_eq!(
        issued.expect(200)["scope"],
        "consent:holdings_read consent:transactions_read"
    );
    let access = issued.text("access_token");
    let path = format!("/v1/accounts/{}", w.a);
    api.get(&path).token(&access).send().await.expect(200);
    assert_eq!(consents(access.clone()).await.len(), 1);
    let revoke = format!(
        "/v1/consents/{}/revoke",
        consent["consent_id"].as_str().unwrap()
    );
    api.post(&revoke).token(&w.alice).send().await.expect(200);
    api.get(&path)
        .token(&access)
        .send()
        .await
        .assert_problem(403, "consent-required");
    api.check_invariants();
}

#[tokio::test]
async fn oauth_clients_are_validated_and_a_reset_forgets_them() {
    let api = start().await;
    let operator = api.mock.operator_token();
    for uris in [
        json!([]),
        json!(["ftp://host/cb"]),
        json!(["http://host/cb#frag"]),
        json!(["/relative"]),
        json!(["http:///nohost"]),
    ] {
        let reply = api
            .post("/v1/sandbox/oauth-clients")
            .token(&operator)
            .json(json!({"name": "App", "client_type": "public", "redirect_uris": uris}))
            .send()
            .await;
        reply.assert_problem(422, "validation-failed");
    }
    let (public, secret) = app(&api, &operator, "public").await;
    assert!(secret.is_none(), "a public client has no secret");
    let bad = api
        .post("/v1/sandbox/platforms")
        .token(&operator)
        .json(json!({"name": "X", "kind": "trading_platform", "redirect_uris": ["nope"]}))
        .send()
        .await;
    bad.assert_problem(422, "validation-failed");
    let tp = platform(&api, &operator, "Exchange", "trading_platform").await;
    assert!(!tp.client_id.is_empty());
    api.post("/v1/sandbox/reset")
        .token(&operator)
        .send()
        .await
        .expect(200);
    let (_, challenge) = pkce("reset");
    authorize(&api, &params(&public, "accounts:read", &challenge))
        .await
        .assert_problem(400, "invalid-parameter");
}
