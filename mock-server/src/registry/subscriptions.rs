//! Webhook subscriptions, events and the delivery log.
//!
//! The model records every delivery (one per event and matching subscription) and hands its ID to
//! the attached [`WebhookSink`]; the dispatcher (the crate's `delivery` module) sends it and reports each
//! attempt back with [`Registry::record_delivery_attempt`]. No I/O happens here.

use base64::Engine;
use base64::alphabet::STANDARD;
use base64::engine::general_purpose::{GeneralPurpose, GeneralPurposeConfig};
use base64::engine::{DecodePaddingMode, general_purpose};
use bytes::Bytes;
use chrono::{DateTime, Utc};
use ucr_spec::ProblemType;
use ucr_spec::problem::Problem;
use ucr_spec::webhooks::{
    DeliveryState, EventData, EventType, WebhookDelivery, WebhookEvent, WebhookSubscription,
    WebhookSubscriptionRequest,
};

use super::Registry;
use super::principal::Principal;
use super::validate::validation_failed;
use crate::faults::Fault;

/// Attempts made per delivery before it is `failed`.
pub const MAX_ATTEMPTS: u32 = 6;

/// Prefix of every signing secret.
pub const SECRET_PREFIX: &str = "whsec_";

/// Bytes of a generated secret.
const GENERATED_SECRET_BYTES: usize = 32;

/// Accepted lengths of a caller's secret, in decoded bytes.
const SECRET_BYTES: std::ops::RangeInclusive<usize> = 24..=64;

/// Longest accepted subscription URL.
const MAX_URL: usize = 2048;

/// Standard base64, padding optional.
const LENIENT_BASE64: GeneralPurpose = GeneralPurpose::new(
    &STANDARD,
    GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent),
);

/// One delivery to send, named by ID within one registry generation (a sandbox reset starts a
/// new one, so a late report about an old delivery is ignored).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeliveryJob {
    /// The registry generation the delivery belongs to.
    pub epoch: u64,
    /// The delivery, `DLV-…`.
    pub delivery_id: String,
}

/// Where the registry hands recorded deliveries.
pub type WebhookSink = tokio::sync::mpsc::UnboundedSender<DeliveryJob>;

/// What one attempt of a delivery sends.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeliveryAttempt {
    /// The subscription's URL.
    pub url: String,
    /// The decoded signing secret.
    pub key: Vec<u8>,
    /// The event ID, sent as `webhook-id`.
    pub event_id: String,
    /// The JSON `WebhookEvent`, the same bytes on every attempt.
    pub body: Bytes,
}

/// A subscription as stored: the wire form (without its secret), its owner and its key.
#[derive(Debug, Clone)]
pub(super) struct SubscriptionRecord {
    subscription: WebhookSubscription,
    owner: String,
    key: Vec<u8>,
}

/// A delivery as stored, with the body every attempt sends.
#[derive(Debug, Clone)]
pub(super) struct DeliveryRecord {
    delivery: WebhookDelivery,
    subscription_id: String,
    body: Bytes,
}

impl Registry {
    /// Hands every delivery recorded from now on to `sink`.
    pub fn attach_webhook_sink(&mut self, sink: WebhookSink) {
        self.webhook_sink = Some(sink);
    }

    /// The registry generation (incremented by every sandbox reset).
    pub fn epoch(&self) -> u64 {
        self.epoch
    }

    /// Subscribes a platform or registry to events. The response carries the secret; nothing
    /// else ever shows it again.
    pub fn create_webhook_subscription(
        &mut self,
        who: &Principal,
        request: WebhookSubscriptionRequest,
    ) -> Result<WebhookSubscription, Problem> {
        self.expire_due();
        let owner = subscriber(who)?.to_owned();
        check_url(&request.url)?;
        if request.event_types.is_empty() {
            return Err(validation_failed(
                "/event_types",
                "give at least one event type",
            ));
        }
        let mut distinct = request.event_types.clone();
        distinct.sort();
        distinct.dedup();
        if distinct.len() != request.event_types.len() {
            return Err(validation_failed(
                "/event_types",
                "list each event type once",
            ));
        }
        let (secret, key) = match request.secret {
            Some(secret) => {
                let key = decode_secret(&secret)?;
                (secret, key)
            }
            None => {
                let key: [u8; GENERATED_SECRET_BYTES] = rand::random();
                (
                    format!("{SECRET_PREFIX}{}", general_purpose::STANDARD.encode(key)),
                    key.to_vec(),
                )
            }
        };
        self.ids.subscription += 1;
        let subscription_id = format!("WHS-{:06}", self.ids.subscription);
        let subscription = WebhookSubscription {
            subscription_id: subscription_id.clone(),
            url: request.url,
            event_types: request.event_types,
            secret: None,
            created_at: self.now(),
        };
        self.subscriptions.insert(
            subscription_id,
            SubscriptionRecord {
                subscription: subscription.clone(),
                owner,
                key,
            },
        );
        Ok(WebhookSubscription {
            secret: Some(secret),
            ..subscription
        })
    }

    /// The caller's subscriptions, without secrets. Representatives have none (`403`).
    pub fn webhook_subscriptions(
        &mut self,
        who: &Principal,
    ) -> Result<Vec<WebhookSubscription>, Problem> {
        self.expire_due();
        let owner = subscriber(who)?;
        // FAULT(subscription-list-leaks): the owner filter is left out of the list.
        let everyone = self.fault(Fault::SubscriptionListLeaks);
        Ok(self
            .subscriptions
            .values()
            .filter(|s| everyone || s.owner == owner)
            .map(|s| s.subscription.clone())
            .collect())
    }

    /// Deletes one of the caller's subscriptions; deliveries still pending to it are abandoned
    /// (`failed`).
    pub fn delete_webhook_subscription(
        &mut self,
        who: &Principal,
        subscription_id: &str,
    ) -> Result<WebhookSubscription, Problem> {
        self.expire_due();
        self.own_subscription(who, subscription_id)?;
        if self.fault(Fault::DeletedSubscriptionDelivered) {
            // FAULT(deleted-subscription-delivered): the deletion is answered but never made.
            if let Some(record) = self.subscriptions.get(subscription_id) {
                return Ok(record.subscription.clone());
            }
        }
        let Some(record) = self.subscriptions.remove(subscription_id) else {
            return Err(subscription_not_found(subscription_id));
        };
        for delivery in self.deliveries.values_mut().filter(|d| {
            d.subscription_id == subscription_id && d.delivery.state == DeliveryState::Pending
        }) {
            delivery.delivery.state = DeliveryState::Failed;
        }
        Ok(record.subscription)
    }

    /// The delivery log of one of the caller's subscriptions, filtered by state.
    pub fn webhook_deliveries(
        &mut self,
        who: &Principal,
        subscription_id: &str,
        state: Option<DeliveryState>,
    ) -> Result<Vec<WebhookDelivery>, Problem> {
        self.expire_due();
        self.own_subscription(who, subscription_id)?;
        Ok(self
            .deliveries
            .values()
            .filter(|d| d.subscription_id == subscription_id)
            .filter(|d| state.is_none_or(|s| s == d.delivery.state))
            .map(|d| d.delivery.clone())
            .collect())
    }

    /// Number of deliveries still `pending`.
    pub fn pending_deliveries(&self) -> usize {
        self.deliveries
            .values()
            .filter(|d| d.delivery.state == DeliveryState::Pending)
            .count()
    }

    /// What the next attempt of a delivery sends, or `None` when it is no longer wanted (delivered,
    /// failed, its subscription deleted, or the registry reset since).
    pub fn delivery_attempt(&self, job: &DeliveryJob) -> Option<DeliveryAttempt> {
        if job.epoch != self.epoch {
            return None;
        }
        let delivery = self
            .deliveries
            .get(&job.delivery_id)
            .filter(|d| d.delivery.state == DeliveryState::Pending)?;
        let subscription = self.subscriptions.get(&delivery.subscription_id)?;
        Some(DeliveryAttempt {
            url: subscription.subscription.url.clone(),
            key: subscription.key.clone(),
            event_id: delivery.delivery.event_id.clone(),
            body: delivery.body.clone(),
        })
    }

    /// Records attempt number `attempt` of a delivery: the status answered (`None` for a
    /// connection failure or timeout). A 2xx makes it `delivered`; a failure of the last attempt
    /// makes it `failed`.
    pub fn record_delivery_attempt(
        &mut self,
        job: &DeliveryJob,
        attempt: u32,
        status: Option<u16>,
    ) {
        if job.epoch != self.epoch {
            return;
        }
        let now = self.now();
        let Some(record) = self.deliveries.get_mut(&job.delivery_id) else {
            return;
        };
        if record.delivery.state != DeliveryState::Pending {
            return;
        }
        let delivery = &mut record.delivery;
        delivery.attempts = delivery.attempts.max(attempt);
        delivery.last_status = status;
        delivery.last_attempt_at = Some(now);
        if status.is_some_and(|s| (200..300).contains(&s)) {
            delivery.state = DeliveryState::Delivered;
        } else if delivery.attempts >= MAX_ATTEMPTS {
            delivery.state = DeliveryState::Failed;
        }
    }

    /// Tells the representatives of each account in `accounts` about a change (`REQ-EVENT-012`):
    /// each representative once, naming the first of those accounts it represents.
    pub(super) fn notify_representatives(
        &mut self,
        accounts: &[&str],
        event_type: EventType,
        at: DateTime<Utc>,
        data: EventData,
    ) {
        let mut recipients: Vec<(String, String)> = Vec::new();
        for account_id in accounts {
            let Some(account) = self.accounts.get(*account_id) else {
                continue;
            };
            let mut representatives: Vec<String> = account.appointments.keys().cloned().collect();
            if self.fault(Fault::HolderEventsLeakOtherAccounts) {
                // FAULT(holder-events-leak-other-accounts): every representative who subscribed
                // gets the event, whichever accounts it represents.
                representatives.extend(
                    self.subscriptions
                        .values()
                        .filter(|s| self.representatives.contains_key(&s.owner))
                        .map(|s| s.owner.clone()),
                );
            }
            for representative_id in representatives {
                if !recipients.iter().any(|(r, _)| *r == representative_id) {
                    recipients.push((representative_id, (*account_id).to_owned()));
                }
            }
        }
        for (representative_id, account_id) in recipients {
            self.emit(
                &representative_id,
                event_type,
                at,
                EventData {
                    account_id,
                    ..data.clone()
                },
            );
        }
    }

    /// Records an event for `recipient` (a platform, registry or representative) and one delivery per subscription
    /// of it that lists the event type. `data.event_id` is assigned here.
    pub(super) fn emit(
        &mut self,
        recipient: &str,
        event_type: EventType,
        at: DateTime<Utc>,
        mut data: EventData,
    ) {
        self.ids.event += 1;
        data.event_id = format!("EVT-{:06}", self.ids.event);
        // FAULT(event-type-filter-ignored): every subscription of the recipient gets the event.
        let any_type = self.fault(Fault::EventTypeFilterIgnored);
        let subscriptions: Vec<String> = self
            .subscriptions
            .iter()
            .filter(|(_, s)| {
                s.owner == recipient
                    && (any_type || s.subscription.event_types.contains(&event_type))
            })
            .map(|(id, _)| id.clone())
            .collect();
        if subscriptions.is_empty() {
            return;
        }
        let event_id = data.event_id.clone();
        let event = WebhookEvent {
            type_: event_type,
            timestamp: at,
            data,
        };
        let body = Bytes::from(serde_json::to_vec(&event).unwrap_or_default());
        for subscription_id in subscriptions {
            self.ids.delivery += 1;
            let delivery_id = format!("DLV-{:06}", self.ids.delivery);
            self.deliveries.insert(
                delivery_id.clone(),
                DeliveryRecord {
                    delivery: WebhookDelivery {
                        delivery_id: delivery_id.clone(),
                        event_id: event_id.clone(),
                        event_type,
                        state: DeliveryState::Pending,
                        attempts: 0,
                        last_status: None,
                        created_at: at,
                        last_attempt_at: None,
                    },
                    subscription_id,
                    body: body.clone(),
                },
            );
            if let Some(sink) = &self.webhook_sink {
                let job = DeliveryJob {
                    epoch: self.epoch,
                    delivery_id,
                };
                if sink.send(job).is_err() {
                    tracing::warn!(
                        "the webhook dispatcher has stopped; the delivery stays pending"
                    );
                }
            }
        }
    }

    fn own_subscription(
        &self,
        who: &Principal,
        subscription_id: &str,
    ) -> Result<&SubscriptionRecord, Problem> {
        self.subscriptions
            .get(subscription_id)
            .filter(|s| subscriber(who).ok() == Some(s.owner.as_str()))
            .ok_or_else(|| subscription_not_found(subscription_id))
    }
}

/// The platform a subscription belongs to: only platforms and registries subscribe (`403`).
fn subscriber(who: &Principal) -> Result<&str, Problem> {
    who.platform_id()
        .or_else(|| who.representative_id())
        .ok_or_else(|| {
            ProblemType::Forbidden.problem(
                "webhook subscriptions belong to trading platforms, third-party registries and authorised \
                 representatives; a sandbox operator session has none",
            )
        })
}

fn subscription_not_found(subscription_id: &str) -> Problem {
    ProblemType::NotFound.problem(format!(
        "you have no webhook subscription {subscription_id}; GET /v1/webhook-subscriptions lists yours"
    ))
}

/// An absolute `http` or `https` URL with a host.
fn check_url(url: &str) -> Result<(), Problem> {
    let refuse = |reason: &str| Err(validation_failed("/url", reason));
    if url.len() > MAX_URL {
        return refuse("must be at most 2048 characters");
    }
    let Ok(parsed) = reqwest::Url::parse(url) else {
        return refuse("must be an absolute http or https URL");
    };
    if !matches!(parsed.scheme(), "http" | "https") {
        return refuse("the scheme must be http or https");
    }
    if parsed.host_str().is_none_or(str::is_empty) {
        return refuse("the URL needs a host");
    }
    Ok(())
}

/// The key of a `whsec_` secret: standard base64 of 24 to 64 bytes.
pub(crate) fn decode_secret(secret: &str) -> Result<Vec<u8>, Problem> {
    let reason = "must be whsec_ followed by the standard base64 of 24 to 64 random bytes";
    let key = secret
        .strip_prefix(SECRET_PREFIX)
        .and_then(|encoded| LENIENT_BASE64.decode(encoded).ok())
        .filter(|key| SECRET_BYTES.contains(&key.len()));
    key.ok_or_else(|| validation_failed("/secret", reason))
}
