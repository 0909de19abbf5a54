//! Open enumerations (`REQ-CONV-009`): a transaction kind or event type a later `/v1` adds
//! deserialises as `Unknown` instead of failing the whole response; known values are unchanged.

use serde_json::json;
use ucr_sdk::types::{EventType, Transaction, TransactionKind, WebhookSubscription};

#[test]
fn an_unknown_transaction_kind_deserialises_as_unknown() {
    let row = json!({
        "transaction_id": "TRF-000123",
        "kind": "conversion",
        "status": "completed",
        "unit_type": "ACCU",
        "quantity": 10,
        "serial_ranges": [{"serial_start": 3000001, "serial_end": 3000010}],
        "created_at": "2026-11-29T10:00:00Z",
        "updated_at": "2026-11-29T10:00:00Z",
    });
    let transaction: Transaction = serde_json::from_value(row).expect("a new kind is tolerated");
    assert_eq!(transaction.kind, TransactionKind::Unknown);
    assert_eq!(transaction.kind.to_string(), "unknown");
    let known: TransactionKind = serde_json::from_value(json!("transfer")).unwrap();
    assert_eq!(known, TransactionKind::Transfer);
}

#[test]
fn an_unknown_event_type_deserialises_as_unknown() {
    let subscription = json!({
        "subscription_id": "WHS-000001",
        "url": "http://127.0.0.1:9/hook",
        "event_types": ["transfer.completed", "unit.converted"],
        "created_at": "2026-11-29T10:00:00Z",
    });
    let subscription: WebhookSubscription =
        serde_json::from_value(subscription).expect("a new event type is tolerated");
    assert_eq!(
        subscription.event_types,
        [EventType::TransferCompleted, EventType::Unknown]
    );
}

#[test]
fn closed_enums_stay_strict() {
    // Only the enumerations the contract marks open tolerate new values.
    assert!(serde_json::from_value::<ucr_sdk::types::BlockStatus>(json!("melted")).is_err());
}
