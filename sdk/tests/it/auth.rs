//! OAuth 2.0 client credentials: token caching and renewal, one retry after a `401`, a single
//! fetch for concurrent calls, and secrets kept out of `Debug`, exchanges and traces.

use std::io::Write;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use futures::{StreamExt, TryStreamExt};
use ucr_sdk::{Client, Exchange, ProblemExt, ProblemKind, types};
use wiremock::matchers::{method, path};
use wiremock::{Mock, ResponseTemplate};

use crate::helpers::{Funded, funded, transfer_of};

const CLIENT_ID: &str = "TP-0001-client";
const CLIENT_SECRET: &str = "cs_very-secret-value-42";

/// A token endpoint mounted over the registry's that counts its calls and hands out `token` (a
/// credential the registry knows) with the given lifetime.
async fn token_endpoint(f: &Funded, token: &str, expires_in: u64) -> Arc<AtomicUsize> {
    let calls = Arc::new(AtomicUsize::new(0));
    let counter = calls.clone();
    let token = token.to_owned();
    Mock::given(method("POST"))
        .and(path("/v1/oauth/token"))
        .respond_with(move |request: &wiremock::Request| {
            counter.fetch_add(1, Ordering::SeqCst);
            let form: Vec<(String, String)> = serde_urlencoded::from_bytes(&request.body).unwrap();
            let field = |name: &str| {
                form.iter()
                    .find(|(n, _)| n == name)
                    .map(|(_, v)| v.as_str())
            };
            if field("grant_type") != Some("client_credentials") {
                return ResponseTemplate::new(400)
                    .set_body_json(serde_json::json!({"error": "unsupported_grant_type"}));
            }
            if field("client_id") != Some(CLIENT_ID)
                || field("client_secret") != Some(CLIENT_SECRET)
            {
                return ResponseTemplate::new(401).set_body_json(serde_json::json!({
                    "error": "invalid_client",
                    "error_description": "unknown client or wrong secret",
                }));
            }
            ResponseTemplate::new(200).set_body_json(serde_json::json!({
                "access_token": token,
                "expires_in": expires_in,
                "token_type": "Bearer",
            }))
        })
        .with_priority(1)
        .mount(f.registry.server())
        .await;
    calls
}

fn observed(f: &Funded, sink: Arc<Mutex<Vec<Exchange>>>) -> Client {
    Client::builder(f.registry.uri())
        .client_credentials(CLIENT_ID, CLIENT_SECRET)
        .observer(move |e: Exchange| sink.lock().unwrap().push(e))
        .build()
        .unwrap()
}

fn trail(seen: &Mutex<Vec<Exchange>>) -> Vec<(&'static str, Option<u16>)> {
    seen.lock()
        .unwrap()
        .iter()
        .map(|e| (e.operation_id, e.status))
        .collect()
}

#[tokio::test]
async fn the_token_is_fetched_once_and_reused() {
    let f = funded().await;
    let calls = token_endpoint(&f, &f.initiator_token, 3600).await;
    let client = Client::builder(f.registry.uri())
        .client_credentials(CLIENT_ID, CLIENT_SECRET)
        .build()
        .unwrap();
    for _ in 0..3 {
        let account = client
            .get_account()
            .account_id(&f.account_id)
            .send()
            .await
            .unwrap();
        assert_eq!(account.account_id, f.account_id);
    }
    // Clones share the cache.
    client
        .clone()
        .list_accounts()
        .send()
        .await
        .expect("a clone reuses the token");
    assert_eq!(calls.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn a_stream_keeps_working_across_token_renewals() {
    let f = funded().await;
    // Six blocks in the account: five pending transfers of one unit, and the rest available.
    for _ in 0..5 {
        f.initiator
            .initiate_transfer()
            .body(transfer_of(&f, 1))
            .send()
            .await
            .unwrap();
    }
    // Tokens live one second and are renewed in their last tenth.
    let calls = token_endpoint(&f, &f.initiator_token, 1).await;
    let seen = Arc::<Mutex<Vec<Exchange>>>::default();
    let client = observed(&f, seen.clone());
    let blocks: Vec<types::UnitBlock> = client
        .list_holdings()
        .account_id(&f.account_id)
        .limit(2)
        .stream()
        .then(|block| async move {
            tokio::time::sleep(Duration::from_millis(400)).await;
            block
        })
        .try_collect()
        .await
        .unwrap();
    assert_eq!(blocks.iter().map(|b| b.quantity).sum::<u64>(), 1000);
    assert_eq!(blocks.len(), 6);
    let pages = trail(&seen)
        .into_iter()
        .filter(|(op, _)| *op == "list_holdings")
        .collect::<Vec<_>>();
    assert_eq!(pages, vec![("list_holdings", Some(200)); 3]);
    assert!(
        calls.load(Ordering::SeqCst) >= 2,
        "the token was not renewed during the walk: {:?}",
        trail(&seen)
    );
}

#[tokio::test]
async fn a_401_is_retried_once_with_a_new_token() {
    let f = funded().await;
    let calls = token_endpoint(&f, &f.initiator_token, 3600).await;
    Mock::given(method("GET"))
        .and(path(format!("/v1/accounts/{}", f.account_id)))
        .respond_with(
            ResponseTemplate::new(401)
                .insert_header("www-authenticate", "Bearer error=\"invalid_token\"")
                .set_body_json(serde_json::json!({
                    "type": ProblemKind::Unauthenticated.uri(),
                    "title": "Unauthenticated",
                    "status": 401,
                })),
        )
        .up_to_n_times(1)
        .with_priority(1)
        .mount(f.registry.server())
        .await;
    let seen = Arc::<Mutex<Vec<Exchange>>>::default();
    let client = observed(&f, seen.clone());
    let account = client
        .get_account()
        .account_id(&f.account_id)
        .send()
        .await
        .unwrap();
    assert_eq!(account.account_id, f.account_id);
    assert_eq!(
        trail(&seen),
        [
            ("issue_token", Some(200)),
            ("get_account", Some(401)),
            ("issue_token", Some(200)),
            ("get_account", Some(200)),
        ]
    );
    assert_eq!(calls.load(Ordering::SeqCst), 2);
}

#[tokio::test]
async fn a_second_401_is_returned_without_another_retry() {
    let f = funded().await;
    let calls = token_endpoint(&f, &f.initiator_token, 3600).await;
    Mock::given(method("GET"))
        .and(path(format!("/v1/accounts/{}", f.account_id)))
        .respond_with(ResponseTemplate::new(401).set_body_json(serde_json::json!({
            "type": ProblemKind::Unauthenticated.uri(),
            "title": "Unauthenticated",
            "status": 401,
        })))
        .with_priority(1)
        .mount(f.registry.server())
        .await;
    let seen = Arc::<Mutex<Vec<Exchange>>>::default();
    let client = observed(&f, seen.clone());
    let err = client
        .get_account()
        .account_id(&f.account_id)
        .send()
        .await
        .unwrap_err();
    assert!(err.is(ProblemKind::Unauthenticated), "{err:?}");
    assert_eq!(calls.load(Ordering::SeqCst), 2);
    let gets = trail(&seen)
        .iter()
        .filter(|(op, _)| *op == "get_account")
        .count();
    assert_eq!(gets, 2, "one retry, no more");
}

#[tokio::test]
async fn a_static_token_is_not_retried_on_401() {
    let f = funded().await;
    let seen = Arc::<Mutex<Vec<Exchange>>>::default();
    let sink = seen.clone();
    let client = Client::builder(f.registry.uri())
        .bearer_token("not-a-known-token")
        .observer(move |e: Exchange| sink.lock().unwrap().push(e))
        .build()
        .unwrap();
    let err = client.list_accounts().send().await.unwrap_err();
    assert!(err.is(ProblemKind::Unauthenticated));
    assert_eq!(trail(&seen), [("list_accounts", Some(401))]);
}

#[tokio::test]
async fn concurrent_calls_share_one_token_fetch() {
    let f = funded().await;
    // A slow token endpoint makes the calls overlap.
    Mock::given(method("POST"))
        .and(path("/v1/oauth/token"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(serde_json::json!({
                    "access_token": f.initiator_token,
                    "expires_in": 3600,
                    "token_type": "Bearer",
                }))
                .set_delay(Duration::from_millis(300)),
        )
        .with_priority(1)
        .expect(1)
        .mount(f.registry.server())
        .await;
    let client = Client::builder(f.registry.uri())
        .client_credentials(CLIENT_ID, CLIENT_SECRET)
        .build()
        .unwrap();
    let calls_made = (0..8).map(|_| {
        let client = client.clone();
        let account_id = f.account_id.clone();
        tokio::spawn(async move { client.get_account().account_id(account_id).send().await })
    });
    for call in futures::future::join_all(calls_made).await {
        call.unwrap().unwrap();
    }
    f.registry.server().verify().await;
}

#[tokio::test]
async fn rejected_credentials_fail_the_call_with_the_oauth_error() {
    let f = funded().await;
    token_endpoint(&f, &f.initiator_token, 3600).await;
    let seen = Arc::<Mutex<Vec<Exchange>>>::default();
    let sink = seen.clone();
    let client = Client::builder(f.registry.uri())
        .client_credentials(CLIENT_ID, "wrong")
        .observer(move |e: Exchange| sink.lock().unwrap().push(e))
        .build()
        .unwrap();
    let err = client.list_accounts().send().await.unwrap_err();
    let ucr_sdk::Error::Custom(message) = &err else {
        panic!("{err:?}")
    };
    assert!(message.contains("401 invalid_client"), "{message}");
    assert_eq!(
        trail(&seen),
        [("issue_token", Some(401))],
        "no request reached the registry"
    );
}

#[tokio::test]
async fn secrets_stay_out_of_debug_exchanges_and_traces() {
    let f = funded().await;
    token_endpoint(&f, &f.initiator_token, 3600).await;
    let traces = TraceBuffer::default();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_span_events(tracing_subscriber::fmt::format::FmtSpan::CLOSE)
        .with_ansi(false)
        .with_writer(traces.clone())
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);

    let builder = Client::builder(f.registry.uri()).client_credentials(CLIENT_ID, CLIENT_SECRET);
    let builder_debug = format!("{builder:?}");
    let seen = Arc::<Mutex<Vec<Exchange>>>::default();
    let sink = seen.clone();
    let client = builder
        .observer(move |e: Exchange| sink.lock().unwrap().push(e))
        .build()
        .unwrap();
    client
        .get_account()
        .account_id(&f.account_id)
        .send()
        .await
        .unwrap();
    let client_debug = format!("{client:?}");

    let secrets = [CLIENT_SECRET, f.initiator_token.as_str()];
    for (what, text) in [("builder", &builder_debug), ("client", &client_debug)] {
        for secret in secrets {
            assert!(
                !text.contains(secret),
                "{what} Debug shows a secret: {text}"
            );
        }
        assert!(text.contains("redacted"), "{text}");
    }
    let exchanges = seen.lock().unwrap().clone();
    let token_request = &exchanges[0];
    assert_eq!(token_request.operation_id, "issue_token");
    let request_body = String::from_utf8_lossy(&token_request.request_body);
    assert!(
        request_body.contains(&format!("client_id={CLIENT_ID}"))
            && request_body.contains("client_secret=%3Credacted%3E"),
        "{request_body}"
    );
    assert!(
        String::from_utf8_lossy(&token_request.response_body)
            .contains(r#""access_token":"<redacted>""#)
    );
    assert!(
        token_request
            .request_headers
            .iter()
            .all(|(name, _)| name != "authorization" && name != "idempotency-key"),
        "the token request carries no bearer token or idempotency key"
    );
    for exchange in &exchanges {
        let text = format!("{exchange:?}");
        for secret in secrets {
            assert!(!text.contains(secret), "an exchange shows a secret: {text}");
        }
    }
    let traced = traces.text();
    assert!(traced.contains("ucr_token_fetch"), "{traced}");
    assert!(traced.contains("ucr_request"), "{traced}");
    for secret in secrets {
        assert!(!traced.contains(secret), "a trace shows a secret: {traced}");
    }
}

#[tokio::test]
async fn writes_keep_their_idempotency_key_across_the_reauthentication() {
    let f = funded().await;
    token_endpoint(&f, &f.initiator_token, 3600).await;
    Mock::given(method("POST"))
        .and(path("/v1/transfers"))
        .respond_with(ResponseTemplate::new(401))
        .up_to_n_times(1)
        .with_priority(1)
        .mount(f.registry.server())
        .await;
    let seen = Arc::<Mutex<Vec<Exchange>>>::default();
    let client = observed(&f, seen.clone());
    let transfer = client
        .initiate_transfer()
        .body(transfer_of(&f, 3))
        .send()
        .await
        .unwrap();
    assert_eq!(transfer.quantity, 3);
    let exchanges = seen.lock().unwrap().clone();
    let keys: Vec<_> = exchanges
        .iter()
        .filter(|e| e.operation_id == "initiate_transfer")
        .map(|e| {
            e.request_headers
                .iter()
                .find(|(n, _)| n == "idempotency-key")
                .map(|(_, v)| v.clone())
        })
        .collect();
    assert_eq!(keys.len(), 2);
    assert_eq!(keys[0], keys[1]);
}

#[tokio::test]
async fn a_403_is_not_mistaken_for_an_expired_token() {
    // Only a 401 renews the token: a 403 comes back as the typed problem.
    let f = funded().await;
    let calls = token_endpoint(&f, &f.initiator_token, 3600).await;
    let client = Client::builder(f.registry.uri())
        .client_credentials(CLIENT_ID, CLIENT_SECRET)
        .build()
        .unwrap();
    let transfer = client
        .initiate_transfer()
        .body(transfer_of(&f, 1))
        .send()
        .await
        .unwrap();
    let err = client
        .approve_transfer()
        .transfer_id(&transfer.transfer_id)
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.problem_kind(), Some(ProblemKind::Forbidden));
    assert_eq!(calls.load(Ordering::SeqCst), 1);
}

/// Collects formatted trace output.
#[derive(Clone, Default)]
struct TraceBuffer(Arc<Mutex<Vec<u8>>>);

impl TraceBuffer {
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().unwrap()).into_owned()
    }
}

impl Write for TraceBuffer {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> tracing_subscriber::fmt::MakeWriter<'a> for TraceBuffer {
    type Writer = TraceBuffer;

    fn make_writer(&'a self) -> Self::Writer {
        self.clone()
    }
}

/// A trading platform registered in the mock's sandbox: its credentials and an operator client.
async fn registered_platform() -> (ucr_mock::MockRegistry, Client, types::PlatformCredential) {
    let registry = ucr_mock::MockRegistry::start().await;
    let operator = Client::builder(registry.uri())
        .bearer_token(registry.operator_token())
        .build()
        .unwrap();
    let credential = operator
        .create_platform()
        .body(types::NewPlatform {
            kind: types::PlatformKind::TradingPlatform,
            name: "Southern Cross Exchange".parse().unwrap(),
            redirect_uris: Vec::new(),
        })
        .send()
        .await
        .unwrap()
        .into_inner();
    (registry, operator, credential)
}

#[tokio::test]
async fn the_registry_token_outliving_its_expiry_is_replaced_after_one_401() {
    let (registry, operator, credential) = registered_platform().await;
    let seen = Arc::<Mutex<Vec<Exchange>>>::default();
    let sink = seen.clone();
    let platform = Client::builder(registry.uri())
        .client_credentials(&credential.client_id, &credential.client_secret)
        .observer(move |e: Exchange| sink.lock().unwrap().push(e))
        .build()
        .unwrap();
    platform.list_accounts().send().await.unwrap();
    // The registry's clock jumps past the token's hour; our cache still thinks it fresh.
    operator
        .advance_clock()
        .body(types::ClockAdvance {
            seconds: std::num::NonZeroU64::new(3601).unwrap(),
        })
        .send()
        .await
        .unwrap();
    platform.list_accounts().send().await.unwrap();
    assert_eq!(
        trail(&seen),
        [
            ("issue_token", Some(200)),
            ("list_accounts", Some(200)),
            ("list_accounts", Some(401)),
            ("issue_token", Some(200)),
            ("list_accounts", Some(200)),
        ]
    );
    for exchange in seen.lock().unwrap().iter() {
        let text = format!("{exchange:?}");
        assert!(!text.contains(&credential.client_secret), "{text}");
    }
}

#[tokio::test]
async fn the_registry_refuses_a_wrong_secret_with_invalid_client() {
    let (registry, _operator, credential) = registered_platform().await;
    let platform = Client::builder(registry.uri())
        .client_credentials(&credential.client_id, "not-the-secret")
        .build()
        .unwrap();
    let err = platform.list_accounts().send().await.unwrap_err();
    assert!(
        matches!(&err, ucr_sdk::Error::Custom(m) if m.contains("401 invalid_client")),
        "{err:?}"
    );
}
