//! Requirements on reservations (fleeting custody, B.4): creating, releasing, consuming and
//! expiring them.

use super::{Requirement, Verification::Api};

/// The reservation requirements (`REQ-RESERVATION-*`).
pub const REQUIREMENTS: &[Requirement] = &[
    Requirement {
        id: "REQ-RESERVATION-001",
        text: "`create_reservation` MUST be answered `422 validation-failed` when `platform_id` is not a trading platform, when `custodial_account_id` is the reserving account or is not a `custodial` account whose holder is that platform's holder, or when `expires_at` is not after the registry's current time, and `422 unknown-account` when `custodial_account_id` names no account.",
        operations: &["create_reservation"],
        verification: Api,
    },
    Requirement {
        id: "REQ-RESERVATION-002",
        text: "`create_reservation` MUST NOT require the platform to hold any consent on the account, and MUST accept every `expires_at` after the registry's current time, without an upper bound.",
        operations: &["create_reservation"],
        verification: Api,
    },
    Requirement {
        id: "REQ-RESERVATION-003",
        text: "A reservation MUST be created `active` with its units `reserved`, and MUST leave `active` at most once: to `released` by `release_reservation`, to `consumed` when a transfer of it is approved, or to `expired` at its `expires_at`, except that a reservation whose units are then in a pending transfer MUST stay `active` until that transfer ends and expire only if it ends unapproved.",
        operations: &[
            "create_reservation",
            "release_reservation",
            "approve_transfer",
            "get_reservation",
        ],
        verification: Api,
    },
    Requirement {
        id: "REQ-RESERVATION-004",
        text: "`release_reservation` MUST be allowed to every current representative of the reservation's account whatever its roles, and the platform the reservation is made for MUST be answered `403 forbidden`.",
        operations: &["release_reservation"],
        verification: Api,
    },
    Requirement {
        id: "REQ-RESERVATION-005",
        text: "`release_reservation` MUST be answered `409 invalid-state` when the reservation is not `active`; a pending transfer of its units does not stop the release (REQ-RESERVATION-011).",
        operations: &["release_reservation"],
        verification: Api,
    },
    Requirement {
        id: "REQ-RESERVATION-006",
        text: "When a reservation is released or expires its units MUST become `available`, and when it is consumed they MUST be in the custodial account as `available` and the reservation MUST carry the approved transfer's ID as `transfer_id`.",
        operations: &["release_reservation", "approve_transfer", "get_reservation"],
        verification: Api,
    },
    Requirement {
        id: "REQ-RESERVATION-007",
        text: "`ended_at` MUST be absent while a reservation is `active` and MUST be the instant it left `active` afterwards, which for an expiry is its `expires_at`, or the instant the pending transfer holding its units ended unapproved when that was later.",
        operations: &["get_reservation", "list_reservations"],
        verification: Api,
    },
    Requirement {
        id: "REQ-RESERVATION-008",
        text: "A reservation MUST be visible only to the current representatives of its account and to the platform it is made for, so that every other caller, another trading platform with a consent on the account included, MUST be answered `404 not-found`.",
        operations: &[
            "get_reservation",
            "release_reservation",
            "list_reservations",
        ],
        verification: Api,
    },
    Requirement {
        id: "REQ-RESERVATION-009",
        text: "A reservation's `transfer_id` MUST be absent or `null` unless the reservation is `consumed`.",
        operations: &["get_reservation", "list_reservations", "create_reservation"],
        verification: Api,
    },
    Requirement {
        id: "REQ-RESERVATION-010",
        text: "Reserving units for a trading platform MUST NOT by itself open any read to that platform: it sees a reservation and its units only through an active consent of the account holder carrying `reserved_units_read` or `holdings_read` (REQ-SCOPE-004, REQ-SCOPE-008), which a `reserved_units_read` consent gives over all the units reserved for it.",
        operations: &["create_reservation", "get_reservation", "list_holdings"],
        verification: Api,
    },
    Requirement {
        id: "REQ-RESERVATION-011",
        text: "`release_reservation` of an active reservation whose units are in a pending transfer MUST succeed and in the same step end that transfer `rescinded` at the release's instant, so that the reservation is `released`, its units `available` in the seller's account, and the transfer can no longer be approved.",
        operations: &["release_reservation", "get_transfer", "approve_transfer"],
        verification: Api,
    },
    Requirement {
        id: "REQ-RESERVATION-012",
        text: "In a trade through a reservation and the platform's custodial account, nothing the buyer's representatives read (`list_transactions`, `get_transfer`, `get_account`) MUST name the seller's account or holder, and nothing the seller's representatives read MUST name the buyer's: each side's counterparty is the custodial account.",
        operations: &["list_transactions", "get_transfer", "get_account"],
        verification: Api,
    },
];
