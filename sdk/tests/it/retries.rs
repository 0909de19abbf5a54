//! Retries: a refused-for-now write is retried with the same key and has one effect.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use ucr_sdk::{Client, Exchange, RetryPolicy, types};
use wiremock::matchers::{method, path};
use wiremock::{Mock, ResponseTemplate};

use crate::helpers::{funded, transfer_of};

fn observed_client(base: String, token: &str, sink: Arc<Mutex<Vec<Exchange>>>) -> Client {
    Client::builder(base)
        .bearer_token(token)
        .retry(RetryPolicy {
            initial_backoff: Duration::from_millis(10),
            ..RetryPolicy::default()
        })
        .observer(move |e: Exchange| sink.lock().unwrap().push(e))
        .build()
        .unwrap()
}

fn key_of(e: &Exchange) -> String {
    e.request_headers
        .iter()
        .find(|(n, _)| n == "idempotency-key")
        .unwrap()
        .1
        .clone()
}

#[tokio::test]
async fn a_503_on_a_write_is_retried_with_the_same_key_and_one_effect() {
    let f = funded().await;
    Mock::given(method("POST"))
        .and(path("/v1/transfers"))
        .respond_with(ResponseTemplate::new(503))
        .up_to_n_times(1)
        .with_priority(1)
        .mount(f.registry.server())
        .await;
    let seen = Arc::<Mutex<Vec<Exchange>>>::default();
    let client = observed_client(f.registry.uri(), &f.initiator_token, seen.clone());
    let transfer = client
        .initiate_transfer()
        .body(transfer_of(&f, 40))
        .send()
        .await
        .unwrap();
    assert_eq!(transfer.quantity, 40);

    let exchanges = seen.lock().unwrap().clone();
    let writes: Vec<_> = exchanges
        .iter()
        .filter(|e| e.operation_id == "initiate_transfer")
        .collect();
    assert_eq!(
        writes.iter().map(|e| e.status).collect::<Vec<_>>(),
        [Some(503), Some(201)]
    );
    assert_eq!(
        key_of(writes[0]),
        key_of(writes[1]),
        "the retry changed the Idempotency-Key"
    );

    let pending = client
        .list_holdings()
        .account_id(&f.account_id)
        .status(types::BlockStatus::Pending)
        .send()
        .await
        .unwrap();
    assert_eq!(
        pending.items.iter().map(|b| b.quantity).sum::<u64>(),
        40,
        "the write took effect more than once"
    );
}

#[tokio::test]
async fn a_429_with_retry_after_is_waited_out_and_retried() {
    let f = funded().await;
    Mock::given(method("GET"))
        .and(path(format!("/v1/accounts/{}", f.account_id)))
        .respond_with(ResponseTemplate::new(429).insert_header("retry-after", "1"))
        .up_to_n_times(1)
        .with_priority(1)
        .mount(f.registry.server())
        .await;
    let seen = Arc::<Mutex<Vec<Exchange>>>::default();
    let client = observed_client(f.registry.uri(), &f.initiator_token, seen.clone());
    let started = std::time::Instant::now();
    let account = client
        .get_account()
        .account_id(&f.account_id)
        .send()
        .await
        .unwrap();
    assert_eq!(account.account_id, f.account_id);
    assert!(
        started.elapsed() >= Duration::from_millis(900),
        "Retry-After was not honoured"
    );
    let statuses: Vec<_> = seen.lock().unwrap().iter().map(|e| e.status).collect();
    assert_eq!(statuses, [Some(429), Some(200)]);
}

#[tokio::test]
async fn retries_stop_after_max_attempts() {
    let f = funded().await;
    Mock::given(method("GET"))
        .and(path(format!("/v1/accounts/{}", f.account_id)))
        .respond_with(ResponseTemplate::new(503))
        .with_priority(1)
        .mount(f.registry.server())
        .await;
    let seen = Arc::<Mutex<Vec<Exchange>>>::default();
    let client = observed_client(f.registry.uri(), &f.initiator_token, seen.clone());
    let err = client
        .get_account()
        .account_id(&f.account_id)
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(503));
    assert_eq!(seen.lock().unwrap().len(), 3);
}

#[tokio::test]
async fn a_429_on_a_write_is_retried_after_retry_after_with_one_effect() {
    let f = funded().await;
    Mock::given(method("POST"))
        .and(path("/v1/transfers"))
        .respond_with(ResponseTemplate::new(429).insert_header("retry-after", "1"))
        .up_to_n_times(1)
        .with_priority(1)
        .mount(f.registry.server())
        .await;
    let seen = Arc::<Mutex<Vec<Exchange>>>::default();
    let client = observed_client(f.registry.uri(), &f.initiator_token, seen.clone());
    let transfer = client
        .initiate_transfer()
        .body(transfer_of(&f, 25))
        .send()
        .await
        .unwrap();
    assert_eq!(transfer.quantity, 25);
    let exchanges = seen.lock().unwrap().clone();
    let writes: Vec<_> = exchanges
        .iter()
        .filter(|e| e.operation_id == "initiate_transfer")
        .collect();
    assert_eq!(
        writes.iter().map(|e| e.status).collect::<Vec<_>>(),
        [Some(429), Some(201)]
    );
    assert_eq!(key_of(writes[0]), key_of(writes[1]));
    let pending = client
        .list_holdings()
        .account_id(&f.account_id)
        .status(types::BlockStatus::Pending)
        .send()
        .await
        .unwrap();
    assert_eq!(
        pending.items.iter().map(|b| b.quantity).sum::<u64>(),
        25,
        "the write took effect more than once"
    );
}

#[test]
fn the_client_is_cheap_to_clone_and_shareable_across_threads() {
    fn assert_send_sync_clone<T: Send + Sync + Clone + 'static>() {}
    assert_send_sync_clone::<Client>();
}
