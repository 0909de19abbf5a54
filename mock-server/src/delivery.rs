//! Webhook delivery (Standard Webhooks): a dispatcher thread with its own tokio runtime sends each
//! delivery the registry records, signs every attempt, retries with exponential backoff and reports
//! each attempt back to the registry's delivery log.
//!
//! The registry only hands over delivery IDs through a channel, so `respond` (wiremock) and the
//! hyper service never wait for a receiver. The dispatcher holds the registry weakly: when the
//! router is dropped, the registry and its channel go, and the thread ends.

use std::sync::{Arc, PoisonError, RwLock, Weak};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;
use tokio::sync::mpsc::UnboundedReceiver;

use crate::faults::{Fault, Faults};
use crate::registry::{DeliveryJob, MAX_ATTEMPTS, Registry, SECRET_PREFIX};

/// Delay before the first retry; each further retry waits twice as long (0.5 s, 1 s, 2 s, 4 s, 8 s).
pub const DEFAULT_BACKOFF: Duration = Duration::from_millis(500);

/// How long one attempt may take before it counts as failed.
pub const ATTEMPT_TIMEOUT: Duration = Duration::from_secs(5);

/// The `webhook-signature` of one attempt: `v1,` and the base64 HMAC-SHA256 of
/// `"{id}.{timestamp}.{body}"` keyed with the decoded subscription secret.
pub fn sign(key: &[u8], id: &str, timestamp: u64, body: &[u8]) -> String {
    let Ok(mut mac) = <Hmac<Sha256> as KeyInit>::new_from_slice(key) else {
        // HMAC takes keys of any length; this branch is unreachable.
        return String::from("v1,");
    };
    mac.update(id.as_bytes());
    mac.update(b".");
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    format!("v1,{}", STANDARD.encode(mac.finalize().into_bytes()))
}

/// Attaches a dispatcher to `registry`: every delivery recorded from now on is sent from a
/// dedicated thread, retried after `backoff`, `2 × backoff`, ... up to [`MAX_ATTEMPTS`] attempts.
/// `faults` may break the dispatcher on purpose (see [`crate::faults`]).
pub(crate) fn start(registry: &Arc<RwLock<Registry>>, backoff: Duration, faults: Faults) {
    let (sink, jobs) = tokio::sync::mpsc::unbounded_channel();
    registry
        .write()
        .unwrap_or_else(PoisonError::into_inner)
        .attach_webhook_sink(sink);
    let weak = Arc::downgrade(registry);
    let spawned = std::thread::Builder::new()
        .name("ucr-mock-webhooks".to_owned())
        .spawn(move || run(weak, jobs, backoff, faults));
    if let Err(error) = spawned {
        tracing::error!(%error, "cannot start the webhook dispatcher; deliveries stay pending");
    }
}

/// The dispatcher thread: one task per delivery, until the registry is gone.
fn run(
    registry: Weak<RwLock<Registry>>,
    mut jobs: UnboundedReceiver<DeliveryJob>,
    backoff: Duration,
    faults: Faults,
) {
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(error) => {
            tracing::error!(%error, "cannot start the webhook dispatcher's runtime; deliveries stay pending");
            return;
        }
    };
    let client = match reqwest::Client::builder()
        .timeout(ATTEMPT_TIMEOUT)
        .redirect(reqwest::redirect::Policy::none())
        .no_proxy()
        .user_agent(concat!("ucr-mock/", env!("CARGO_PKG_VERSION"), " webhooks"))
        .build()
    {
        Ok(client) => client,
        Err(error) => {
            tracing::error!(%error, "cannot build the webhook HTTP client; deliveries stay pending");
            return;
        }
    };
    runtime.block_on(async move {
        while let Some(job) = jobs.recv().await {
            tokio::spawn(deliver(
                registry.clone(),
                client.clone(),
                job,
                backoff,
                faults,
            ));
        }
    });
}

/// Sends one delivery until it is acknowledged, abandoned, or every attempt failed.
async fn deliver(
    registry: Weak<RwLock<Registry>>,
    client: reqwest::Client,
    job: DeliveryJob,
    backoff: Duration,
    faults: Faults,
) {
    for attempt in 1..=MAX_ATTEMPTS {
        let Some(plan) = with_registry(&registry, |r| r.delivery_attempt(&job)).flatten() else {
            return;
        };
        let timestamp = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |elapsed| elapsed.as_secs());
        let mut key = plan.key;
        if faults.has(Fault::WebhookBadSignature) {
            // FAULT(webhook-bad-signature): keyed with the secret's text, not its decoded bytes.
            key = format!("{SECRET_PREFIX}{}", STANDARD.encode(&key)).into_bytes();
        }
        let mut event_id = plan.event_id;
        if faults.has(Fault::WebhookIdChangesOnRetry) && attempt > 1 {
            // FAULT(webhook-id-changes-on-retry): each attempt is sent as a new message.
            event_id = format!("{event_id}-{attempt}");
        }
        let signature = sign(&key, &event_id, timestamp, &plan.body);
        let answer = client
            .post(&plan.url)
            .header("webhook-id", &event_id)
            .header("webhook-timestamp", timestamp.to_string())
            .header("webhook-signature", signature)
            .header(http::header::CONTENT_TYPE, "application/json")
            .body(plan.body)
            .send()
            .await;
        let status = match answer {
            Ok(response) => Some(response.status().as_u16()),
            Err(error) => {
                tracing::debug!(%error, delivery = job.delivery_id, attempt, "webhook attempt failed");
                None
            }
        };
        if with_registry(&registry, |r| {
            r.record_delivery_attempt(&job, attempt, status)
        })
        .is_none()
        {
            return;
        }
        if status.is_some_and(|s| (200..300).contains(&s)) {
            return;
        }
        if faults.has(Fault::WebhookNoRetryAfter4xx)
            && status.is_some_and(|s| (400..500).contains(&s))
        {
            // FAULT(webhook-client-error-not-retried): a client error is taken as final.
            return;
        }
        if faults.has(Fault::WebhookNoRetry) {
            // FAULT(webhook-no-retry): the retry is never scheduled; the delivery stays pending.
            return;
        }
        if attempt < MAX_ATTEMPTS {
            tokio::time::sleep(backoff.saturating_mul(1 << (attempt - 1))).await;
        }
    }
}

/// Runs `f` on the registry if it still exists.
fn with_registry<T>(
    registry: &Weak<RwLock<Registry>>,
    f: impl FnOnce(&mut Registry) -> T,
) -> Option<T> {
    let registry = registry.upgrade()?;
    let mut guard = registry.write().unwrap_or_else(PoisonError::into_inner);
    Some(f(&mut guard))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signature_matches_the_standard_webhooks_example() {
        // The example of the Standard Webhooks specification.
        let key = STANDARD.decode("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw").unwrap();
        let body = br#"{"test": 2432232314}"#;
        assert_eq!(
            sign(&key, "msg_p5jXN8AQM9LWM0D4loKWxJek", 1_614_265_330, body),
            "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
        );
    }
}
