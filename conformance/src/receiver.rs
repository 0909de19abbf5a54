//! The suite's webhook receiver and an independent Standard Webhooks verifier.
//!
//! The engine starts one receiver per run: a small HTTP/1.1 server (127.0.0.1 on a free port
//! unless told otherwise) that records every request it gets, raw body and headers included, and
//! answers `200` (or `500` while a check asked it to fail). Each check subscribes with its own path
//! (`/hooks/<check-id>/<n>`) and its own secret, so checks running at the same time never see
//! each other's events; a [`Hook`] waits (bounded) for an event and verifies every delivery on its
//! path. Signatures are verified here, from the Standard Webhooks definition, with no code shared
//! with any implementation: HMAC-SHA256 over `"{webhook-id}.{webhook-timestamp}.{body}"` keyed with
//! the base64-decoded `whsec_` secret, compared with every `v1,` signature of the header.

use std::collections::HashMap;
use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use bytes::Bytes;
use chrono::{DateTime, Utc};
use hmac::{Hmac, KeyInit, Mac};
use http_body_util::{BodyExt, Full, Limited};
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use sha2::Sha256;
use tokio::net::TcpListener;
use tokio::sync::Notify;
use tokio::task::JoinHandle;
use ucr_sdk::Exchange;
use ucr_sdk::types::{EventData, EventType, WebhookEvent};

use crate::outcome::Failure;

/// How far a `webhook-timestamp` may be from the receiver's clock (Standard Webhooks' default
/// tolerance against replays).
pub const TIMESTAMP_TOLERANCE: Duration = Duration::from_secs(5 * 60);

/// How long a check waits for an event before failing.
pub const EVENT_WAIT: Duration = Duration::from_secs(15);

/// The prefix of every path the receiver hands out.
const HOOK_PREFIX: &str = "/hooks/";

/// Largest webhook body the receiver reads.
const MAX_BODY_BYTES: usize = 256 * 1024;

/// The `operation_id` of a recorded delivery to the receiver: an exchange in which the target is
/// the client and the suite answers.
pub const WEBHOOK_DELIVERY: &str = "webhook_delivery";

/// One HTTP request the receiver got.
#[derive(Debug, Clone)]
pub struct Delivery {
    /// Request path.
    pub path: String,
    /// Request method.
    pub method: String,
    /// Headers with lower-case names, in arrival order.
    pub headers: Vec<(String, String)>,
    /// The raw body, exactly as received.
    pub body: Bytes,
    /// When it arrived, by the receiver's clock.
    pub received_at: DateTime<Utc>,
    /// The status the receiver answered with.
    pub answered: u16,
}

impl Delivery {
    /// The first value of header `name` (lower-case).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    /// The `webhook-id` header.
    pub fn webhook_id(&self) -> Option<&str> {
        self.header("webhook-id")
    }

    /// The delivery as an exchange, for a check's evidence.
    fn exchange(&self, url: &str) -> Exchange {
        Exchange {
            operation_id: WEBHOOK_DELIVERY,
            method: self.method.clone(),
            url: url.to_owned(),
            request_headers: self.headers.clone(),
            request_body: self.body.clone(),
            status: Some(self.answered),
            response_headers: Vec::new(),
            response_body: Bytes::new(),
        }
    }
}

#[derive(Debug, Default)]
struct InboxState {
    deliveries: Vec<Delivery>,
    /// Path → how many more requests to answer with which failing status (`500` by default).
    failures: HashMap<String, (u32, u16)>,
}

/// Everything the receiver got, shared between its connections and the checks.
#[derive(Debug, Default)]
pub(crate) struct Inbox {
    state: Mutex<InboxState>,
    arrived: Notify,
}

impl Inbox {
    fn lock(&self) -> std::sync::MutexGuard<'_, InboxState> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Records a request and decides the answer.
    fn receive(
        &self,
        path: String,
        method: String,
        headers: Vec<(String, String)>,
        body: Bytes,
    ) -> u16 {
        let answered = {
            let mut state = self.lock();
            let answered = if !path.starts_with(HOOK_PREFIX) {
                404
            } else if let Some((left, status)) =
                state.failures.get_mut(&path).filter(|(n, _)| *n > 0)
            {
                *left -= 1;
                *status
            } else {
                200
            };
            state.deliveries.push(Delivery {
                path,
                method,
                headers,
                body,
                received_at: Utc::now(),
                answered,
            });
            answered
        };
        self.arrived.notify_waiters();
        answered
    }

    fn fail_next(&self, path: &str, times: u32, status: u16) {
        self.lock()
            .failures
            .insert(path.to_owned(), (times, status));
    }

    fn deliveries(&self, path: &str) -> Vec<Delivery> {
        self.lock()
            .deliveries
            .iter()
            .filter(|d| d.path == path)
            .cloned()
            .collect()
    }

    /// Waits until `found` returns something for the deliveries on `path`, or `wait` has passed.
    async fn wait_for<T>(
        &self,
        path: &str,
        wait: Duration,
        mut found: impl FnMut(&[Delivery]) -> Option<T>,
    ) -> Option<T> {
        let deadline = tokio::time::Instant::now() + wait;
        loop {
            let arrived = self.arrived.notified();
            tokio::pin!(arrived);
            arrived.as_mut().enable();
            if let Some(hit) = found(&self.deliveries(path)) {
                return Some(hit);
            }
            if tokio::time::timeout_at(deadline, arrived).await.is_err() {
                return found(&self.deliveries(path));
            }
        }
    }
}

/// The run's webhook receiver. Dropping it stops the server.
#[derive(Debug)]
pub(crate) struct Receiver {
    base_url: String,
    inbox: Arc<Inbox>,
    task: JoinHandle<()>,
}

impl Receiver {
    /// Listens on `listen`; subscriptions point at `public_base` (the externally reachable base
    /// URL) or, without it, at the listening address itself.
    pub(crate) async fn start(
        listen: SocketAddr,
        public_base: Option<&str>,
    ) -> std::io::Result<Receiver> {
        let listener = TcpListener::bind(listen).await?;
        let local_addr = listener.local_addr()?;
        let base_url = match public_base {
            Some(base) => base.trim_end_matches('/').to_owned(),
            None => format!("http://{local_addr}"),
        };
        let inbox = Arc::new(Inbox::default());
        let task = tokio::spawn(serve(listener, inbox.clone()));
        Ok(Receiver {
            base_url,
            inbox,
            task,
        })
    }

    /// The callback URL of `path`.
    pub(crate) fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base_url)
    }

    pub(crate) fn inbox(&self) -> Arc<Inbox> {
        self.inbox.clone()
    }
}

impl Drop for Receiver {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// Accepts connections until aborted; aborting drops the connections' tasks with it.
async fn serve(listener: TcpListener, inbox: Arc<Inbox>) {
    let mut connections = tokio::task::JoinSet::new();
    loop {
        let stream = match listener.accept().await {
            Ok((stream, _)) => stream,
            Err(_) => {
                // Typically out of file descriptors: back off instead of spinning.
                tokio::time::sleep(Duration::from_millis(100)).await;
                continue;
            }
        };
        while connections.try_join_next().is_some() {}
        let inbox = inbox.clone();
        let service = service_fn(move |request| {
            let inbox = inbox.clone();
            async move { Ok::<_, Infallible>(answer(&inbox, request).await) }
        });
        connections.spawn(async move {
            let _ = http1::Builder::new()
                .serve_connection(TokioIo::new(stream), service)
                .await;
        });
    }
}

async fn answer(inbox: &Inbox, request: http::Request<Incoming>) -> http::Response<Full<Bytes>> {
    let (parts, body) = request.into_parts();
    let body = Limited::new(body, MAX_BODY_BYTES)
        .collect()
        .await
        .map(|collected| collected.to_bytes())
        .unwrap_or_default();
    let headers = parts
        .headers
        .iter()
        .map(|(name, value)| {
            (
                name.as_str().to_owned(),
                String::from_utf8_lossy(value.as_bytes()).into_owned(),
            )
        })
        .collect();
    let status = inbox.receive(
        parts.uri.path().to_owned(),
        parts.method.to_string(),
        headers,
        body,
    );
    let mut response = http::Response::new(Full::new(Bytes::new()));
    *response.status_mut() =
        http::StatusCode::from_u16(status).unwrap_or(http::StatusCode::INTERNAL_SERVER_ERROR);
    response
}

/// Verifies a Standard Webhooks signature header: at least one of its space-separated `v1,<base64>`
/// signatures must be the HMAC-SHA256 of `"{webhook_id}.{timestamp}.{body}"` keyed with the
/// base64-decoded part of `secret` after `whsec_`. Other versions are ignored.
pub fn verify_signature(
    secret: &str,
    webhook_id: &str,
    timestamp: &str,
    body: &[u8],
    signature_header: &str,
) -> Result<(), String> {
    let key = decode_secret(secret)?;
    let mut mac = Hmac::<Sha256>::new_from_slice(&key)
        .map_err(|e| format!("the secret cannot key HMAC-SHA256: {e}"))?;
    mac.update(webhook_id.as_bytes());
    mac.update(b".");
    mac.update(timestamp.as_bytes());
    mac.update(b".");
    mac.update(body);
    let signatures: Vec<&str> = signature_header
        .split_ascii_whitespace()
        .filter_map(|entry| entry.strip_prefix("v1,"))
        .collect();
    if signatures.is_empty() {
        return Err(format!(
            "webhook-signature {signature_header:?} has no `v1,<base64>` signature"
        ));
    }
    let matched = signatures.iter().any(|signature| {
        STANDARD
            .decode(signature)
            .is_ok_and(|bytes| mac.clone().verify_slice(&bytes).is_ok())
    });
    if matched {
        Ok(())
    } else {
        let expected = STANDARD.encode(mac.finalize().into_bytes());
        Err(format!(
            "no signature in webhook-signature {signature_header:?} is the HMAC-SHA256 of \
             \"{{webhook-id}}.{{webhook-timestamp}}.{{body}}\" with the subscription's secret \
             (expected v1,{expected})"
        ))
    }
}

/// The key bytes of a `whsec_` secret.
pub fn decode_secret(secret: &str) -> Result<Vec<u8>, String> {
    let encoded = secret
        .strip_prefix("whsec_")
        .ok_or_else(|| "the secret does not start with `whsec_`".to_owned())?;
    STANDARD
        .decode(encoded)
        .map_err(|e| format!("the secret after `whsec_` is not base64: {e}"))
}

/// A new secret: `whsec_` + base64 of 32 random bytes.
pub fn new_secret() -> String {
    let mut bytes = Vec::with_capacity(32);
    bytes.extend_from_slice(uuid::Uuid::new_v4().as_bytes());
    bytes.extend_from_slice(uuid::Uuid::new_v4().as_bytes());
    format!("whsec_{}", STANDARD.encode(bytes))
}

/// Checks that a `webhook-timestamp` (Unix seconds) is within [`TIMESTAMP_TOLERANCE`] of `now`.
pub fn check_timestamp(timestamp: &str, now: DateTime<Utc>) -> Result<(), String> {
    let seconds: i64 = timestamp
        .trim()
        .parse()
        .map_err(|_| format!("webhook-timestamp {timestamp:?} is not Unix seconds"))?;
    let skew = (now.timestamp() - seconds).unsigned_abs();
    if skew > TIMESTAMP_TOLERANCE.as_secs() {
        return Err(format!(
            "webhook-timestamp {seconds} is {skew} s away from the receiver's clock ({}); at most {} s are \
             tolerated",
            now.timestamp(),
            TIMESTAMP_TOLERANCE.as_secs()
        ));
    }
    Ok(())
}

/// An event that arrived and passed verification.
#[derive(Debug, Clone)]
pub struct Received {
    /// The parsed body.
    pub event: WebhookEvent,
    /// The raw request.
    pub delivery: Delivery,
}

/// A webhook subscription made by a check, with the path and secret the receiver checks it by.
#[derive(Debug, Clone)]
pub struct Hook {
    /// The subscription's identifier.
    pub subscription_id: String,
    /// The callback URL subscribed.
    pub url: String,
    /// The signing secret.
    pub secret: String,
    path: String,
    inbox: Arc<Inbox>,
    /// How many of this hook's deliveries are already in the check's evidence.
    recorded: Arc<AtomicUsize>,
}

impl Hook {
    pub(crate) fn new(
        subscription_id: String,
        url: String,
        secret: String,
        path: String,
        inbox: Arc<Inbox>,
    ) -> Self {
        Self {
            subscription_id,
            url,
            secret,
            path,
            inbox,
            recorded: Arc::new(AtomicUsize::new(0)),
        }
    }

    /// The receiver's path for this subscription.
    pub fn path(&self) -> &str {
        &self.path
    }

    /// Answers the next `times` deliveries to this subscription with `500`.
    pub fn fail_next(&self, times: u32) {
        self.inbox.fail_next(&self.path, times, 500);
    }

    /// Answers the next `times` deliveries to this subscription with `status` (a failing one).
    pub fn fail_next_with(&self, times: u32, status: u16) {
        self.inbox.fail_next(&self.path, times, status);
    }

    /// Every request received for this subscription so far.
    pub fn deliveries(&self) -> Vec<Delivery> {
        self.inbox.deliveries(&self.path)
    }

    /// Adds the deliveries not yet recorded to the running check's evidence.
    fn record_new(&self, deliveries: &[Delivery]) {
        let from = self.recorded.fetch_max(deliveries.len(), Ordering::Relaxed);
        for delivery in deliveries.iter().skip(from) {
            crate::evidence::record(delivery.exchange(&self.url));
        }
    }

    /// Verifies one delivery: a POST whose body is a webhook event, whose `webhook-id` is the
    /// event's ID, whose timestamp is fresh and whose signature is right.
    pub fn verify(&self, delivery: &Delivery) -> Result<WebhookEvent, Failure> {
        let failure = |message: String| {
            Failure::new(format!("webhook delivery to {}: {message}", self.url))
                .with_exchange(delivery.exchange(&self.url))
        };
        if delivery.method != "POST" {
            return Err(failure(format!("sent with {}, not POST", delivery.method)));
        }
        let event: WebhookEvent = serde_json::from_slice(&delivery.body).map_err(|e| {
            failure(format!(
                "the body is not a webhook event {{type, timestamp, data}} ({e}): {}",
                crate::text::snippet(&delivery.body, 300)
            ))
        })?;
        let header = |name: &str| {
            delivery
                .header(name)
                .ok_or_else(|| failure(format!("the `{name}` header is missing")))
        };
        let id = header("webhook-id")?;
        let timestamp = header("webhook-timestamp")?;
        let signature = header("webhook-signature")?;
        if id != event.data.event_id {
            return Err(failure(format!(
                "webhook-id {id:?} is not the event's data.event_id {:?}",
                event.data.event_id
            )));
        }
        check_timestamp(timestamp, delivery.received_at).map_err(failure)?;
        verify_signature(&self.secret, id, timestamp, &delivery.body, signature)
            .map_err(failure)?;
        Ok(event)
    }

    /// Waits (at most [`EVENT_WAIT`]) for an event of `kind` whose data satisfies `matches`, then
    /// verifies every delivery received for this subscription so far. `what` names the event in
    /// the failure message.
    pub async fn expect_event(
        &self,
        kind: EventType,
        what: &str,
        matches: impl Fn(&EventData) -> bool,
    ) -> Result<Received, Failure> {
        let found = self
            .inbox
            .wait_for(&self.path, EVENT_WAIT, |deliveries| {
                deliveries.iter().find_map(|delivery| {
                    let event: WebhookEvent = serde_json::from_slice(&delivery.body).ok()?;
                    (event.type_ == kind && matches(&event.data)).then(|| Received {
                        event,
                        delivery: delivery.clone(),
                    })
                })
            })
            .await;
        let deliveries = self.deliveries();
        self.record_new(&deliveries);
        for delivery in &deliveries {
            self.verify(delivery)?;
        }
        found.ok_or_else(|| {
            let got: Vec<String> = deliveries
                .iter()
                .map(|d| {
                    serde_json::from_slice::<WebhookEvent>(&d.body)
                        .map(|e| format!("{} {:?}", e.type_, e.data))
                        .unwrap_or_else(|_| crate::text::snippet(&d.body, 120))
                })
                .collect();
            Failure::new(format!(
                "{what}: no {kind} event arrived at {} within {} s (received {}: {got:?})",
                self.url,
                EVENT_WAIT.as_secs(),
                deliveries.len()
            ))
        })
    }

    /// Waits (at most `wait`) until `done` holds for this subscription's deliveries; returns them
    /// (recorded as evidence) either way.
    pub async fn wait_deliveries(
        &self,
        wait: Duration,
        done: impl Fn(&[Delivery]) -> bool,
    ) -> Vec<Delivery> {
        let deliveries = self
            .inbox
            .wait_for(&self.path, wait, |deliveries| {
                done(deliveries).then(|| deliveries.to_vec())
            })
            .await
            .unwrap_or_else(|| self.deliveries());
        self.record_new(&deliveries);
        deliveries
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The example of the Standard Webhooks specification.
    const SECRET: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    const ID: &str = "msg_p5jXN8AQM9LWM0D4loKWxJek";
    const TIMESTAMP: &str = "1614265330";
    const BODY: &[u8] = br#"{"test": 2432232314}"#;
    const SIGNATURE: &str = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=";

    #[test]
    fn the_standard_webhooks_example_verifies() {
        assert_eq!(
            verify_signature(SECRET, ID, TIMESTAMP, BODY, SIGNATURE),
            Ok(())
        );
        let several = format!("v2,abc v1,bm90IGl0 {SIGNATURE}");
        assert_eq!(
            verify_signature(SECRET, ID, TIMESTAMP, BODY, &several),
            Ok(())
        );
    }

    #[test]
    fn any_change_breaks_the_signature() {
        assert!(verify_signature(SECRET, ID, "1614265331", BODY, SIGNATURE).is_err());
        assert!(verify_signature(SECRET, "msg_other", TIMESTAMP, BODY, SIGNATURE).is_err());
        assert!(
            verify_signature(SECRET, ID, TIMESTAMP, br#"{"test":2432232314}"#, SIGNATURE).is_err()
        );
        assert!(verify_signature(&new_secret(), ID, TIMESTAMP, BODY, SIGNATURE).is_err());
        let message = verify_signature(
            SECRET,
            ID,
            TIMESTAMP,
            BODY,
            "v2,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=",
        )
        .unwrap_err();
        assert!(message.contains("no `v1,"), "{message}");
        assert!(
            verify_signature(
                "MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
                ID,
                TIMESTAMP,
                BODY,
                SIGNATURE
            )
            .is_err()
        );
    }

    #[test]
    fn new_secrets_decode_to_32_bytes() {
        let secret = new_secret();
        assert_eq!(decode_secret(&secret).map(|k| k.len()), Ok(32));
        assert_ne!(secret, new_secret());
    }

    /// REQ-EVENT-004: `data` members that do not apply MAY be `null` or absent; the receiver
    /// reads both the same.
    #[test]
    fn inapplicable_event_data_may_be_null_or_absent() {
        let absent = r#"{"type":"consent.revoked","timestamp":"2026-01-01T00:00:00Z","data":{"event_id":"EVT-1","account_id":"AU-1","consent_id":"CON-1","status":"revoked"}}"#;
        let null = r#"{"type":"consent.revoked","timestamp":"2026-01-01T00:00:00Z","data":{"event_id":"EVT-1","account_id":"AU-1","consent_id":"CON-1","status":"revoked","transfer_id":null,"reservation_id":null,"escrow_id":null,"association_id":null}}"#;
        let absent: WebhookEvent = serde_json::from_str(absent).expect("absent members");
        let null: WebhookEvent = serde_json::from_str(null).expect("null members");
        assert_eq!(absent, null);
        assert_eq!(absent.data.transfer_id, None);
    }

    #[test]
    fn timestamps_must_be_fresh() {
        let now = DateTime::from_timestamp(1_614_265_330, 0).expect("valid");
        assert!(check_timestamp("1614265330", now).is_ok());
        assert!(check_timestamp("1614265030", now).is_ok());
        assert!(check_timestamp("1614265029", now).is_err());
        assert!(check_timestamp("1614265631", now).is_err());
        assert!(check_timestamp("soon", now).is_err());
    }

    #[tokio::test]
    async fn the_receiver_records_and_fails_on_request() {
        let receiver = Receiver::start("127.0.0.1:0".parse().expect("address"), None)
            .await
            .expect("bind");
        let inbox = receiver.inbox();
        let url = receiver.url("/hooks/T-1/0");
        assert!(url.starts_with("http://127.0.0.1:"));
        inbox.fail_next("/hooks/T-1/0", 1, 500);
        let http = reqwest::Client::new();
        let first = http
            .post(&url)
            .header("webhook-id", "evt_1")
            .body("{}")
            .send()
            .await
            .expect("POST");
        let second = http.post(&url).body("{}").send().await.expect("POST");
        let elsewhere = http
            .post(receiver.url("/other"))
            .send()
            .await
            .expect("POST");
        assert_eq!(
            (
                first.status().as_u16(),
                second.status().as_u16(),
                elsewhere.status().as_u16()
            ),
            (500, 200, 404)
        );
        let deliveries = inbox.deliveries("/hooks/T-1/0");
        assert_eq!(deliveries.len(), 2);
        assert_eq!(deliveries[0].webhook_id(), Some("evt_1"));
        assert_eq!(deliveries[0].body.as_ref(), b"{}");
        let found = inbox
            .wait_for("/hooks/T-1/0", Duration::from_millis(50), |d| {
                (d.len() == 2).then_some(())
            })
            .await;
        assert_eq!(found, Some(()));
        let missing = inbox
            .wait_for("/hooks/T-1/0", Duration::from_millis(50), |d| {
                (d.len() == 3).then_some(())
            })
            .await;
        assert_eq!(missing, None);
    }
}
