//! Requirements on event routing: which platforms, registries and representatives receive which
//! event types, and what each event carries.

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
    "webhook:transfer.pending_approval",
    "webhook:transfer.rejected",
    "webhook:transfer.rescinded",
    "webhook:transfer.expired",
    "webhook:cancellation.pending_approval",
    "webhook:cancellation.completed",
    "webhook:cancellation.rejected",
    "webhook:cancellation.rescinded",
    "webhook:cancellation.expired",
    "webhook:consent.granted",
    "webhook:escrow.pending_approval",
    "webhook:escrow.activated",
    "webhook:escrow.rejected",
];

/// The event routing requirements (`REQ-EVENT-*`).
pub const REQUIREMENTS: &[Requirement] = &[
    Requirement {
        id: "REQ-EVENT-001",
        text: "An event routed to a platform, registry or representative MUST be delivered once to each of its subscriptions that lists the event's type and to no other subscription, all deliveries of that event sharing one `event_id`.",
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
        text: "`reservation.released`, `reservation.expired` and `reservation.consumed` MUST be routed, among platforms and registries, to the reservation's platform only.",
        operations: &[
            "webhook:reservation.released",
            "webhook:reservation.expired",
            "webhook:reservation.consumed",
        ],
        verification: Api,
    },
    Requirement {
        id: "REQ-EVENT-006",
        text: "`escrow.settled` and `escrow.released` MUST be routed, among platforms and registries, to the escrow's controller only.",
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
        text: "`consent.expired` MUST be routed, among platforms and registries, to the consent's grantee only.",
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
    Requirement {
        id: "REQ-EVENT-012",
        text: "A change concerning an account MUST be routed to every authorised representative of that account at the time of the change (each getting the event once, with `data.account_id` that account, or the source account of a transfer when it represents both): for a transfer from or to it `transfer.pending_approval` on initiation and `transfer.completed`, `transfer.rejected`, `transfer.rescinded` or `transfer.expired` when it leaves `pending_approval` (with `data.transfer_id`); for a cancellation on it `cancellation.pending_approval`, `cancellation.completed`, `cancellation.rejected`, `cancellation.rescinded` or `cancellation.expired` (with `data.cancellation_id`); for a consent on it `consent.granted`, `consent.revoked` or `consent.expired`; for a reservation of it `reservation.released`, `reservation.expired` or `reservation.consumed`; for an escrow of it `escrow.pending_approval`, `escrow.activated`, `escrow.rejected`, `escrow.settled` or `escrow.released`.",
        operations: &[
            "create_webhook_subscription",
            "webhook:transfer.pending_approval",
            "webhook:transfer.completed",
            "webhook:transfer.rejected",
            "webhook:transfer.rescinded",
            "webhook:transfer.expired",
            "webhook:cancellation.pending_approval",
            "webhook:cancellation.completed",
            "webhook:cancellation.rejected",
            "webhook:cancellation.rescinded",
            "webhook:cancellation.expired",
            "webhook:consent.granted",
            "webhook:consent.revoked",
            "webhook:consent.expired",
            "webhook:reservation.released",
            "webhook:reservation.expired",
            "webhook:reservation.consumed",
            "webhook:escrow.pending_approval",
            "webhook:escrow.activated",
            "webhook:escrow.rejected",
            "webhook:escrow.settled",
            "webhook:escrow.released",
        ],
        verification: Api,
    },
    Requirement {
        id: "REQ-EVENT-013",
        text: "An event concerning an account MUST NOT be routed to a representative who does not represent that account at the time of the change, and `transfer.pending_approval`, `transfer.rejected`, `transfer.rescinded`, `transfer.expired`, `cancellation.*`, `consent.granted`, `escrow.pending_approval`, `escrow.activated` and `escrow.rejected` MUST NOT be routed to any platform or registry.",
        operations: &["create_webhook_subscription"],
        verification: Api,
    },
];
