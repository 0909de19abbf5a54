//! Webhook subscriptions, events and the delivery log (Standard Webhooks).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

/// Kinds of event the registry sends.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, ToSchema,
)]
pub enum EventType {
    /// The holder reserved units for the subscriber: list them.
    #[serde(rename = "reservation.created")]
    ReservationCreated,
    /// The holder released (unreserved) a reservation: halt the listing.
    #[serde(rename = "reservation.released")]
    ReservationReleased,
    /// A reservation lapsed.
    #[serde(rename = "reservation.expired")]
    ReservationExpired,
    /// A reservation's units reached the platform's custodial account.
    #[serde(rename = "reservation.consumed")]
    ReservationConsumed,
    /// An escrow was settled to a buyer.
    #[serde(rename = "escrow.settled")]
    EscrowSettled,
    /// An escrow was released back to the seller (by its controller or on expiry).
    #[serde(rename = "escrow.released")]
    EscrowReleased,
    /// A consent was revoked or relinquished (who is told: `REQ-EVENT-007`, `REQ-EVENT-012`).
    #[serde(rename = "consent.revoked")]
    ConsentRevoked,
    /// A consent lapsed (told to its grantee and the account's representatives).
    #[serde(rename = "consent.expired")]
    ConsentExpired,
    /// A transfer into or out of an account the subscriber may see was completed.
    #[serde(rename = "transfer.completed")]
    TransferCompleted,
    /// One of the subscriber's associations changed status.
    #[serde(rename = "association.changed")]
    AssociationChanged,
    /// Representatives: a transfer from or to an account they represent awaits an approver.
    #[serde(rename = "transfer.pending_approval")]
    TransferPendingApproval,
    /// Representatives: such a transfer was rejected by an approver.
    #[serde(rename = "transfer.rejected")]
    TransferRejected,
    /// Representatives: such a transfer was rescinded by an initiator.
    #[serde(rename = "transfer.rescinded")]
    TransferRescinded,
    /// Representatives: such a transfer expired undecided.
    #[serde(rename = "transfer.expired")]
    TransferExpired,
    /// Representatives: a cancellation on an account they represent awaits an approver.
    #[serde(rename = "cancellation.pending_approval")]
    CancellationPendingApproval,
    /// Representatives: such a cancellation was approved; its units are cancelled.
    #[serde(rename = "cancellation.completed")]
    CancellationCompleted,
    /// Representatives: such a cancellation was rejected by an approver.
    #[serde(rename = "cancellation.rejected")]
    CancellationRejected,
    /// Representatives: such a cancellation was rescinded by an initiator.
    #[serde(rename = "cancellation.rescinded")]
    CancellationRescinded,
    /// Representatives: such a cancellation expired undecided.
    #[serde(rename = "cancellation.expired")]
    CancellationExpired,
    /// Representatives: a consent on an account they represent was granted.
    #[serde(rename = "consent.granted")]
    ConsentGranted,
    /// Representatives: an escrow on an account they represent awaits an approver.
    #[serde(rename = "escrow.pending_approval")]
    EscrowPendingApproval,
    /// Representatives: such an escrow was approved; its controller may now act on its units.
    #[serde(rename = "escrow.activated")]
    EscrowActivated,
    /// Representatives: such an escrow was rejected by an approver; its units are available.
    #[serde(rename = "escrow.rejected")]
    EscrowRejected,
}

impl EventType {
    /// Every event type.
    pub const ALL: &'static [EventType] = &[
        EventType::ReservationCreated,
        EventType::ReservationReleased,
        EventType::ReservationExpired,
        EventType::ReservationConsumed,
        EventType::EscrowSettled,
        EventType::EscrowReleased,
        EventType::ConsentRevoked,
        EventType::ConsentExpired,
        EventType::TransferCompleted,
        EventType::AssociationChanged,
        EventType::TransferPendingApproval,
        EventType::TransferRejected,
        EventType::TransferRescinded,
        EventType::TransferExpired,
        EventType::CancellationPendingApproval,
        EventType::CancellationCompleted,
        EventType::CancellationRejected,
        EventType::CancellationRescinded,
        EventType::CancellationExpired,
        EventType::ConsentGranted,
        EventType::EscrowPendingApproval,
        EventType::EscrowActivated,
        EventType::EscrowRejected,
    ];

    /// The wire name, e.g. `reservation.released`.
    pub fn name(self) -> String {
        serde_json::to_value(self)
            .ok()
            .and_then(|v| v.as_str().map(str::to_owned))
            .unwrap_or_default()
    }
}

/// A webhook subscription of a platform, registry or authorised representative.
///
/// A representative's subscription receives the events of every account it represents at the
/// time of each change (A.1: mobile apps, daily reconciliation), and of no other account.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct WebhookSubscription {
    /// Identifier, `WHS-…`.
    pub subscription_id: String,
    /// Where events are POSTed.
    pub url: String,
    /// The events sent to this subscription.
    pub event_types: Vec<EventType>,
    /// The signing secret (`whsec_` + base64), shown only in the response that creates the
    /// subscription.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secret: Option<String>,
    /// When it was created.
    pub created_at: DateTime<Utc>,
}

/// Request to subscribe to events.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "url": "https://platform.example/hooks/ucr",
    "event_types": ["reservation.released", "reservation.expired"]
}))]
pub struct WebhookSubscriptionRequest {
    /// An absolute `http` or `https` URL with a host.
    pub url: String,
    /// At least one event type.
    pub event_types: Vec<EventType>,
    /// A signing secret of your own (`whsec_` + base64 of 24–64 bytes); generated if absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secret: Option<String>,
}

/// The body of every webhook request: `{type, timestamp, data}` per Standard Webhooks.
///
/// Sent with headers `webhook-id` (the event ID, stable across retries), `webhook-timestamp` (Unix
/// seconds of the wall clock, never the sandbox-shifted registry clock) and `webhook-signature`
/// (`v1,<base64 HMAC-SHA256 of "{id}.{timestamp}.{body}">` keyed with the subscription secret).
/// Deliveries answered with anything but 2xx are retried with exponential backoff.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct WebhookEvent {
    /// The event type.
    #[serde(rename = "type")]
    pub type_: EventType,
    /// When the change happened, on the registry clock (for an expiry, the `expires_at` instant).
    pub timestamp: DateTime<Utc>,
    /// What the event is about.
    pub data: EventData,
}

/// The resource an event is about, with its state after the event.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, ToSchema)]
pub struct EventData {
    /// Event identifier (also the `webhook-id` header), `EVT-…`.
    pub event_id: String,
    /// The account concerned.
    pub account_id: String,
    /// The reservation, for `reservation.*`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reservation_id: Option<String>,
    /// The escrow, for `escrow.*`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub escrow_id: Option<String>,
    /// The consent, for `consent.*`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub consent_id: Option<String>,
    /// The transfer, for `transfer.*` and `reservation.consumed`; for `escrow.settled`, the transfer
    /// that recorded the settlement (the escrow's `transaction_id`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub transfer_id: Option<String>,
    /// The cancellation, for `cancellation.*`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cancellation_id: Option<String>,
    /// The association, for `association.changed`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub association_id: Option<String>,
    /// The resource's status after the event.
    pub status: String,
}

/// Outcome of delivering one event to one subscription.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum DeliveryState {
    /// Not yet delivered; another attempt is scheduled.
    Pending,
    /// A 2xx answer was received.
    Delivered,
    /// Every attempt failed, or the subscription was deleted; no more will be made.
    Failed,
}

/// One event's delivery to one subscription, with its attempts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct WebhookDelivery {
    /// Identifier, `DLV-…`.
    pub delivery_id: String,
    /// The event delivered (also its `webhook-id`).
    pub event_id: String,
    /// The event type.
    pub event_type: EventType,
    /// Current state.
    pub state: DeliveryState,
    /// Attempts made so far.
    pub attempts: u32,
    /// HTTP status of the last attempt; absent or `null` before the first attempt and when the
    /// last attempt got no HTTP answer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_status: Option<u16>,
    /// When the event was created.
    pub created_at: DateTime<Utc>,
    /// When the last attempt was made.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_attempt_at: Option<DateTime<Utc>>,
}

/// Paging for the delivery log.
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct DeliveriesQuery {
    /// Only deliveries in this state.
    pub state: Option<DeliveryState>,
    /// Maximum items per page (1–200, default 50).
    #[param(minimum = 1, maximum = 200, default = 50)]
    pub limit: Option<u32>,
    /// Opaque token from a previous page's `next_page`.
    pub page_token: Option<String>,
}
