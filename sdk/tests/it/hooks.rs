//! Auth, idempotency keys, observation and secret redaction.

use std::sync::{Arc, Mutex};

use ucr_sdk::{Client, Exchange};
use wiremock::matchers::{header_exists, method, path};
use wiremock::{Mock, ResponseTemplate};

use crate::helpers::{funded, transfer_of};

#[tokio::test]
async fn every_write_gets_an_idempotency_key_and_a_bearer_token() {
    let f = funded().await;
    let seen: Arc<Mutex<Vec<Exchange>>> = Arc::default();
    let sink = seen.clone();
    let client = Client::builder(f.registry.uri())
        .bearer_token(&f.initiator_token)
        .observer(move |e: Exchange| sink.lock().unwrap().push(e))
        .build()
        .unwrap();
    client
        .initiate_transfer()
        .body(transfer_of(&f, 5))
        .send()
        .await
        .unwrap();
    let exchanges = seen.lock().unwrap();
    let write = exchanges
        .iter()
        .find(|e| e.operation_id == "initiate_transfer")
        .unwrap();
    let key = header(write, "idempotency-key").expect("an Idempotency-Key was added");
    assert!(uuid_like(&key), "{key}");
    assert_eq!(
        header(write, "authorization").as_deref(),
        Some("Bearer <redacted>")
    );
    assert_eq!(write.status, Some(201));
}

#[tokio::test]
async fn an_explicit_idempotency_key_replays_instead_of_transferring_twice() {
    let f = funded().await;
    let first = f
        .initiator
        .initiate_transfer()
        .idempotency_key("trade-17")
        .body(transfer_of(&f, 10))
        .send()
        .await
        .unwrap();
    let again = f
        .initiator
        .initiate_transfer()
        .idempotency_key("trade-17")
        .body(transfer_of(&f, 10))
        .send()
        .await
        .unwrap();
    assert_eq!(first.transfer_id, again.transfer_id);
    assert_eq!(
        again
            .headers()
            .get("idempotent-replayed")
            .map(|v| v.to_str().unwrap()),
        Some("true")
    );
}

#[tokio::test]
async fn the_token_never_shows_in_debug_output() {
    let client = Client::builder("http://127.0.0.1:9")
        .bearer_token("s3cret-token")
        .build()
        .unwrap();
    let debug = format!("{client:?}");
    assert!(!debug.contains("s3cret-token"), "{debug}");
    assert!(debug.contains("redacted"), "{debug}");
}

#[tokio::test]
async fn a_mounted_fault_takes_precedence_over_the_registry() {
    let f = funded().await;
    Mock::given(method("GET"))
        .and(path(format!("/v1/accounts/{}", f.account_id)))
        .and(header_exists("authorization"))
        .respond_with(ResponseTemplate::new(503))
        .up_to_n_times(1)
        .with_priority(1)
        .mount(f.registry.server())
        .await;
    let no_retries = Client::builder(f.registry.uri())
        .bearer_token(&f.initiator_token)
        .retry(ucr_sdk::RetryPolicy::none())
        .build()
        .unwrap();
    let first = no_retries
        .get_account()
        .account_id(&f.account_id)
        .send()
        .await
        .unwrap_err();
    assert_eq!(first.status().map(|s| s.as_u16()), Some(503));
    let second = no_retries
        .get_account()
        .account_id(&f.account_id)
        .send()
        .await
        .unwrap();
    assert_eq!(second.account_id, f.account_id);
}

fn header(exchange: &Exchange, name: &str) -> Option<String> {
    exchange
        .request_headers
        .iter()
        .find(|(n, _)| n == name)
        .map(|(_, v)| v.clone())
}

fn uuid_like(key: &str) -> bool {
    key.len() == 36 && key.chars().filter(|c| *c == '-').count() == 4
}
