//! The registry's webhook events as a typed, open enum: [`Event`], one variant per event type of
//! the contract's `WebhookPayload` (each holding the generated payload type), and
//! [`Event::Other`] for a type this SDK does not know yet (`REQ-WEBHOOK-013`).
//!
//! The variants come from one table (`event_types!` below): adding an event type is one line.
//!
//! ```
//! use ucr_sdk::events::Event;
//!
//! let body = br#"{"type":"reservation.released","timestamp":"2026-07-01T00:00:00Z",
//!     "data":{"event_id":"EVT-000001","account_id":"AU-1000001","reservation_id":"RES-000001","status":"released"}}"#;
//! match Event::from_json(body).unwrap() {
//!     Event::ReservationReleased(event) => {
//!         assert_eq!(event.data.reservation_id.as_deref(), Some("RES-000001"))
//!     }
//!     other => panic!("unexpected {}", other.type_name()),
//! }
//!
//! // A type added to the contract after this SDK was built is kept, not refused.
//! let newer = br#"{"type":"reservation.extended","timestamp":"2026-07-01T00:00:00Z","data":{}}"#;
//! let event = Event::from_json(newer).unwrap();
//! assert!(matches!(event, Event::Other { .. }));
//! assert_eq!(event.type_name(), "reservation.extended");
//! ```

use serde_json::Value;

use crate::generated::types;

macro_rules! event_types {
    ($($(#[$doc:meta])* $variant:ident($payload:ident) = $name:literal,)*) => {
        /// One webhook event, by type. Match on it with a wildcard arm: new types arrive as
        /// [`Event::Other`] until the SDK knows them, and then as a new variant.
        #[derive(Debug, Clone, PartialEq)]
        #[non_exhaustive]
        pub enum Event {
            $($(#[$doc])* $variant(types::$payload),)*
            /// An event type this SDK does not know: acknowledge it (answer 2xx) and ignore it,
            /// or read its body.
            Other {
                /// The event's `type`.
                type_: String,
                /// The whole body.
                body: Value,
            },
        }

        /// The wire names of the event types [`Event`] has a variant for.
        pub const KNOWN_TYPES: &[&str] = &[$($name),*];

        impl Event {
            /// The event's `type`, e.g. `reservation.released`.
            pub fn type_name(&self) -> &str {
                match self {
                    $(Event::$variant(_) => $name,)*
                    Event::Other { type_, .. } => type_,
                }
            }

            /// The `data` of a known event type (the resource it is about).
            pub fn data(&self) -> Option<&types::EventData> {
                match self {
                    $(Event::$variant(event) => Some(&event.data),)*
                    Event::Other { .. } => None,
                }
            }

            /// Reads an event of a known type from its body's JSON value.
            fn known(type_: &str, body: Value) -> Result<Event, serde_json::Error> {
                Ok(match type_ {
                    $($name => Event::$variant(serde_json::from_value(body)?),)*
                    _ => Event::Other { type_: type_.to_owned(), body },
                })
            }
        }
    };
}

event_types! {
    /// The holder reserved units for the subscriber: list them.
    ReservationCreated(ReservationCreatedEvent) = "reservation.created",
    /// The holder released a reservation: halt the listing.
    ReservationReleased(ReservationReleasedEvent) = "reservation.released",
    /// A reservation lapsed.
    ReservationExpired(ReservationExpiredEvent) = "reservation.expired",
    /// A reservation's units reached the platform's custodial account.
    ReservationConsumed(ReservationConsumedEvent) = "reservation.consumed",
    /// An escrow was settled to a buyer.
    EscrowSettled(EscrowSettledEvent) = "escrow.settled",
    /// An escrow was released back to the seller.
    EscrowReleased(EscrowReleasedEvent) = "escrow.released",
    /// A consent granted to the subscriber was revoked.
    ConsentRevoked(ConsentRevokedEvent) = "consent.revoked",
    /// A consent granted to the subscriber lapsed.
    ConsentExpired(ConsentExpiredEvent) = "consent.expired",
    /// A transfer the subscriber may see was completed.
    TransferCompleted(TransferCompletedEvent) = "transfer.completed",
    /// One of the subscriber's associations changed status.
    AssociationChanged(AssociationChangedEvent) = "association.changed",
    /// Representatives: a transfer from or to an account they represent awaits an approver.
    TransferPendingApproval(TransferPendingApprovalEvent) = "transfer.pending_approval",
    /// Representatives: such a transfer was rejected by an approver.
    TransferRejected(TransferRejectedEvent) = "transfer.rejected",
    /// Representatives: such a transfer was rescinded by an initiator.
    TransferRescinded(TransferRescindedEvent) = "transfer.rescinded",
    /// Representatives: such a transfer expired undecided.
    TransferExpired(TransferExpiredEvent) = "transfer.expired",
    /// Representatives: a cancellation on an account they represent awaits an approver.
    CancellationPendingApproval(CancellationPendingApprovalEvent) = "cancellation.pending_approval",
    /// Representatives: such a cancellation was approved; its units are cancelled.
    CancellationCompleted(CancellationCompletedEvent) = "cancellation.completed",
    /// Representatives: such a cancellation was rejected by an approver.
    CancellationRejected(CancellationRejectedEvent) = "cancellation.rejected",
    /// Representatives: such a cancellation was rescinded by an initiator.
    CancellationRescinded(CancellationRescindedEvent) = "cancellation.rescinded",
    /// Representatives: such a cancellation expired undecided.
    CancellationExpired(CancellationExpiredEvent) = "cancellation.expired",
    /// Representatives: a consent on an account they represent was granted.
    ConsentGranted(ConsentGrantedEvent) = "consent.granted",
    /// Representatives: an escrow on an account they represent awaits an approver.
    EscrowPendingApproval(EscrowPendingApprovalEvent) = "escrow.pending_approval",
    /// Representatives: such an escrow was approved; its controller may now act on its units.
    EscrowActivated(EscrowActivatedEvent) = "escrow.activated",
    /// Representatives: such an escrow was rejected by an approver; its units are available.
    EscrowRejected(EscrowRejectedEvent) = "escrow.rejected",
}

impl Event {
    /// Parses a webhook body: a known `type` into its variant (refused if its body does not match
    /// that type's schema), any other `type` into [`Event::Other`]; a body that is no JSON object
    /// with a string `type` is refused.
    pub fn from_json(body: &[u8]) -> Result<Event, serde_json::Error> {
        let value: Value = serde_json::from_slice(body)?;
        let Some(type_) = value.get("type").and_then(Value::as_str).map(str::to_owned) else {
            return Err(serde::de::Error::custom(
                "a webhook body is a JSON object with a string `type`",
            ));
        };
        Event::known(&type_, value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The table has exactly the event types of the contract's `webhooks` section.
    #[test]
    fn the_table_matches_the_contract() {
        let spec: Value =
            serde_json::from_str(include_str!("../../spec/openapi.json")).expect("the contract");
        let mut contract: Vec<&str> = spec["webhooks"]
            .as_object()
            .expect("webhooks")
            .keys()
            .map(String::as_str)
            .collect();
        contract.sort_unstable();
        let mut known = KNOWN_TYPES.to_vec();
        known.sort_unstable();
        assert_eq!(
            known, contract,
            "add a line to `event_types!` per new event type"
        );
    }

    #[test]
    fn every_known_type_parses_into_its_variant_and_back() {
        for name in KNOWN_TYPES {
            let body = format!(
                r#"{{"type":"{name}","timestamp":"2026-07-01T00:00:00Z","data":{{"event_id":"EVT-000001","account_id":"AU-1000001","status":"s"}}}}"#
            );
            let event = Event::from_json(body.as_bytes()).unwrap();
            assert_eq!(event.type_name(), *name);
            assert!(!matches!(event, Event::Other { .. }), "{name}");
            assert_eq!(event.data().unwrap().event_id, "EVT-000001");
        }
    }

    #[test]
    fn unknown_types_are_kept_and_malformed_bodies_refused() {
        let event = Event::from_json(br#"{"type":"holding.moved","x":1}"#).unwrap();
        assert_eq!(
            event,
            Event::Other {
                type_: "holding.moved".into(),
                body: serde_json::json!({"type": "holding.moved", "x": 1})
            }
        );
        assert!(event.data().is_none());
        // A known type whose body does not match its schema is refused, not passed on as Other.
        assert!(Event::from_json(br#"{"type":"escrow.settled","data":{}}"#).is_err());
        assert!(Event::from_json(br#"{"data":{}}"#).is_err());
        assert!(Event::from_json(b"[]").is_err());
        assert!(Event::from_json(b"not json").is_err());
    }
}
