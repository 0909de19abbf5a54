//! Examples of the webhook operations: the trading platform's subscriptions, and later the log of
//! deliveries the story's reservation and escrow events made.

use serde_json::{Value, json};

use super::Example;
use super::world::*;

/// Where the platform receives events.
pub const HOOK_URL: &str = "https://platform.example/hooks/ucr";
/// A signing secret the platform chose.
const SECRET: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

const EVENTS: &[&str] = &[
    "reservation.released",
    "reservation.expired",
    "escrow.settled",
    "escrow.released",
];

fn subscription(id: &str, events: &[&str], secret: Option<&str>) -> Value {
    let mut value = json!({
        "subscription_id": id,
        "url": HOOK_URL,
        "event_types": events,
        "created_at": LATER
    });
    if let Some(secret) = secret {
        value["secret"] = json!(secret);
    }
    value
}

/// The platform subscribes (before the events of the story happen).
pub(super) fn subscriptions() -> Vec<Example> {
    let create = |name, summary, id, events: &[&str], secret: Option<&str>, shown: &str| {
        let mut body = json!({"url": HOOK_URL, "event_types": events});
        if let Some(secret) = secret {
            body["secret"] = json!(secret);
        }
        Example::new("create_webhook_subscription", name, summary)
            .by(ACCESS_TOKEN)
            .body(body)
            .answers(201, subscription(id, events, Some(shown)))
    };
    vec![
        create(
            "trading_events",
            "Subscribe to reservation and escrow events with a secret of your own.",
            "WHS-000001",
            EVENTS,
            Some(SECRET),
            SECRET,
        ),
        create(
            "consent_events",
            "Subscribe to consent events; the registry generates the secret.",
            "WHS-000002",
            &["consent.revoked", "consent.expired"],
            None,
            "whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD",
        ),
        create(
            "transfer_events",
            "Subscribe to completed transfers (deleted below).",
            "WHS-000003",
            &["transfer.completed"],
            None,
            "whsec_8Qx3nJ2kLm5pR7tV9wY1zB4dF6hK0cE2",
        ),
        Example::new(
            "delete_webhook_subscription",
            "unsubscribe",
            "Delete a subscription.",
        )
        .by(ACCESS_TOKEN)
        .path("subscription_id", "WHS-000003")
        .answers(
            200,
            subscription("WHS-000003", &["transfer.completed"], None),
        ),
        Example::new(
            "list_webhook_subscriptions",
            "first_page",
            "The platform's subscriptions, one per page.",
        )
        .by(ACCESS_TOKEN)
        .query("limit", 1)
        .answers(
            200,
            page(
                vec![subscription("WHS-000001", EVENTS, None)],
                Some("pg_whs_1"),
            ),
        ),
        Example::new("list_webhook_subscriptions", "next_page", "The next page.")
            .by(ACCESS_TOKEN)
            .query("page_token", "pg_whs_1")
            .answers(
                200,
                page(
                    vec![subscription(
                        "WHS-000002",
                        &["consent.revoked", "consent.expired"],
                        None,
                    )],
                    None,
                ),
            ),
        Example::new(
            "create_webhook_subscription",
            "representative",
            "A representative subscribes to what awaits an approver on the accounts it represents.",
        )
        .by(APPROVER_TOKEN)
        .body(json!({"url": REP_HOOK_URL, "event_types": REP_EVENTS}))
        .answers(201, {
            let mut value = subscription("WHS-000004", REP_EVENTS, Some(REP_SECRET));
            value["url"] = json!(REP_HOOK_URL);
            value
        }),
    ]
}

/// Where a representative's app receives events.
const REP_HOOK_URL: &str = "https://approvals.mallee-carbon.example/hooks/ucr";
/// The secret the registry generated for the representative's subscription.
const REP_SECRET: &str = "whsec_R3pQm7Lk2Jx9Vb5Nc1Zd8Fh4Gt6Ys0Wa";
/// What a representative's subscription listens for: work awaiting an approver.
const REP_EVENTS: &[&str] = &[
    "transfer.pending_approval",
    "cancellation.pending_approval",
    "escrow.pending_approval",
];

/// The delivery log, once the reservation and escrow events have happened.
pub(super) fn deliveries() -> Vec<Example> {
    let delivery = |id: &str, event: &str, kind: &str| {
        json!({
            "delivery_id": id,
            "event_id": event,
            "event_type": kind,
            "state": "pending",
            "attempts": 1,
            "last_status": 503,
            "created_at": LATER,
            "last_attempt_at": LATER
        })
    };
    vec![
        Example::new(
            "list_webhook_deliveries",
            "first_page",
            "A subscription's deliveries, one per page.",
        )
        .by(ACCESS_TOKEN)
        .path("subscription_id", "WHS-000001")
        .query("limit", 1)
        .answers(
            200,
            page(
                vec![delivery("DLV-000001", "EVT-000001", "reservation.released")],
                Some("pg_dlv_1"),
            ),
        ),
        Example::new("list_webhook_deliveries", "next_page", "The next page.")
            .by(ACCESS_TOKEN)
            .path("subscription_id", "WHS-000001")
            .query("page_token", "pg_dlv_1")
            .answers(
                200,
                page(
                    vec![delivery("DLV-000002", "EVT-000002", "escrow.settled")],
                    Some("pg_dlv_2"),
                ),
            ),
        Example::new(
            "list_webhook_deliveries",
            "pending",
            "Only the deliveries still being retried.",
        )
        .by(ACCESS_TOKEN)
        .path("subscription_id", "WHS-000001")
        .query("state", "pending")
        .answers(
            200,
            page(
                vec![
                    delivery("DLV-000001", "EVT-000001", "reservation.released"),
                    delivery("DLV-000002", "EVT-000002", "escrow.settled"),
                    delivery("DLV-000003", "EVT-000003", "escrow.released"),
                ],
                None,
            ),
        ),
    ]
}

/// One payload per event type, for the `webhooks` section: what the story's events look like.
/// A type without a line here gets a payload with only its `status` (so adding an event type
/// needs no line here, only a better example).
pub(super) fn payloads() -> Vec<(crate::webhooks::EventType, serde_json::Value)> {
    use crate::webhooks::EventType::{self, *};
    let data: &[(EventType, Value)] = &[
        (
            ReservationCreated,
            json!({"reservation_id": "RES-000001", "status": "active"}),
        ),
        (
            ReservationReleased,
            json!({"reservation_id": "RES-000002", "status": "released"}),
        ),
        (
            ReservationExpired,
            json!({"reservation_id": "RES-000001", "status": "expired"}),
        ),
        (
            ReservationConsumed,
            json!({"reservation_id": "RES-000001", "transfer_id": "TRF-000005", "status": "consumed"}),
        ),
        (
            EscrowSettled,
            json!({"escrow_id": "ESC-000001", "transfer_id": "TRF-000004", "status": "settled"}),
        ),
        (
            EscrowReleased,
            json!({"escrow_id": "ESC-000002", "status": "released"}),
        ),
        (
            ConsentRevoked,
            json!({"consent_id": "CON-000003", "status": "revoked"}),
        ),
        (
            ConsentExpired,
            json!({"consent_id": "CON-000001", "status": "expired"}),
        ),
        (
            TransferCompleted,
            json!({"transfer_id": "TRF-000001", "status": "completed"}),
        ),
        (
            AssociationChanged,
            json!({"association_id": "ASN-000002", "status": "dissolved"}),
        ),
        (
            TransferPendingApproval,
            json!({"transfer_id": "TRF-000001", "status": "pending_approval"}),
        ),
        (
            TransferRejected,
            json!({"transfer_id": "TRF-000002", "status": "rejected"}),
        ),
        (
            TransferRescinded,
            json!({"transfer_id": "TRF-000003", "status": "rescinded"}),
        ),
        (
            TransferExpired,
            json!({"transfer_id": "TRF-000006", "status": "expired"}),
        ),
        (
            CancellationPendingApproval,
            json!({"cancellation_id": "CAN-000001", "status": "pending_approval"}),
        ),
        (
            CancellationCompleted,
            json!({"cancellation_id": "CAN-000001", "status": "completed"}),
        ),
        (
            CancellationRejected,
            json!({"cancellation_id": "CAN-000003", "status": "rejected"}),
        ),
        (
            CancellationRescinded,
            json!({"cancellation_id": "CAN-000002", "status": "rescinded"}),
        ),
        (
            CancellationExpired,
            json!({"cancellation_id": "CAN-000004", "status": "expired"}),
        ),
        (
            ConsentGranted,
            json!({"consent_id": "CON-000001", "status": "active"}),
        ),
        (
            EscrowPendingApproval,
            json!({"escrow_id": "ESC-000001", "status": "pending_approval"}),
        ),
        (
            EscrowActivated,
            json!({"escrow_id": "ESC-000001", "status": "active"}),
        ),
        (
            EscrowRejected,
            json!({"escrow_id": "ESC-000003", "status": "rejected"}),
        ),
    ];
    EventType::ALL
        .iter()
        .copied()
        .zip(1..)
        .map(|(kind, n): (EventType, u32)| {
            let mut body = json!({"event_id": format!("EVT-{n:06}"), "account_id": ACCOUNT});
            let extra = data
                .iter()
                .find(|(k, _)| *k == kind)
                .map_or_else(|| json!({"status": "changed"}), |(_, v)| v.clone());
            super::world::merge(&mut body, extra);
            (
                kind,
                json!({"type": kind.name(), "timestamp": LATER, "data": body}),
            )
        })
        .collect()
}
