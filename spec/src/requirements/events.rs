//! Requirements on event routing: which platforms and registries receive which event types, and
//! what each event carries.

use super::{Requirement, Verification::Api};

/// Every event type, as requirements name them.
pub(super) const ALL_EVENTS: &[&str] = &[
    "webhook:reservation.released",
    "webhook:reservation.expired",
    "webhook:reservation.consumed",
    "webhook:escrow.settled",
    "webhook:escrow.released",
    "webhook:consent.revoked",
    "webhook:consent.expired",
    "webhook:transfer.completed",
    "webhook:association.changed",
];

/// The event routing requirements (`REQ-EVENT-*`).
pub const REQUIREMENTS: &[Requirement] = &[
    Requirement {
        id: "REQ-EVENT-001",
        text: "An event routed to a platform or registry MUST be delivered once to each of its subscriptions that lists the event's type and to no other subscription, all deliveries of that event sharing one `event_id`.",
        operations: ALL_EVENTS,
        verification: Api,
    },
    Requirement {
        id: "REQ-EVENT-002",
        text: "Each recipient of a change MUST get its own event with its own `event_id`, and `event_id`s MUST be unique across the registry.",
        operations: ALL_EVENTS,
        verification: Api,
    },
    Requirement {
        id: "REQ-EVENT-003",
        text: "An event's `timestamp` MUST be the registry-clock instant of the change (for an expiry, the `expires_at` instant), and its `data.account_id` the account the change concerns (the seller's account for reservation and escrow events).",
        operations: ALL_EVENTS,
        verification: Api,
    },
    Requirement {
        id: "REQ-EVENT-004",
        text: "`data` members that do not apply to the event's type MAY be `null` or absent, and receivers MUST accept either.",
        operations: ALL_EVENTS,
        verification: Api,
    },
    Requirement {
        id: "REQ-EVENT-005",
        text: "`reservation.released`, `reservation.expired` and `reservation.consumed` MUST be routed to the reservation's platform only.",
        operations: &[
            "webhook:reservation.released",
            "webhook:reservation.expired",
            "webhook:reservation.consumed",
        ],
        verification: Api,
    },
    Requirement {
        id: "REQ-EVENT-006",
        text: "`escrow.settled` and `escrow.released` MUST be routed to the escrow's controller only.",
        operations: &["webhook:escrow.settled", "webhook:escrow.released"],
        verification: Api,
    },
    Requirement {
        id: "REQ-EVENT-007",
        text: "`consent.revoked` MUST be routed to the consent's grantee when a representative of the account revokes the consent, and when the grantee revokes its own consent implementations MAY route it to the grantee or not, so clients MUST NOT rely on either.",
        operations: &["webhook:consent.revoked", "revoke_consent"],
        verification: Api,
    },
    Requirement {
        id: "REQ-EVENT-008",
        text: "`consent.expired` MUST be routed to the consent's grantee only.",
        operations: &["webhook:consent.expired"],
        verification: Api,
    },
    Requirement {
        id: "REQ-EVENT-009",
        text: "`transfer.completed` MUST be routed to every platform or registry that, when the transfer completes, holds an active consent with `holdings_read` or `transactions_read` on its source or destination account, and to the controller of the escrow it settles, with `data.account_id` the source account when the recipient qualifies on it and the destination account otherwise.",
        operations: &["webhook:transfer.completed"],
        verification: Api,
    },
    Requirement {
        id: "REQ-EVENT-010",
        text: "`transfer.completed` MAY also be routed to the platform whose reservation the transfer consumes, and MUST NOT be routed to any other platform or registry.",
        operations: &["webhook:transfer.completed"],
        verification: Api,
    },
    Requirement {
        id: "REQ-EVENT-011",
        text: "`association.changed` MUST be routed to the registry that made the association, on every change of its status after creation (including a dissolution the registry asked for), and MUST NOT be sent when the association is created.",
        operations: &["webhook:association.changed"],
        verification: Api,
    },
];
