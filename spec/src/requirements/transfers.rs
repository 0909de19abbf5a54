//! Requirements on transfers: their states and transitions, expiry, reservation transfers and
//! their rows in the transaction history.

use super::{Requirement, Verification::Api};

/// The transfer requirements (`REQ-TRANSFER-*`).
pub const REQUIREMENTS: &[Requirement] = &[
    Requirement {
        id: "REQ-TRANSFER-001",
        text: "`initiate_transfer` MUST create a transfer in status `pending_approval`, which MUST leave that status at most once, to `completed` (approved), `rejected`, `rescinded` or `expired`, after which it MUST never change again.",
        operations: &[
            "initiate_transfer",
            "approve_transfer",
            "reject_transfer",
            "rescind_transfer",
            "get_transfer",
        ],
        verification: Api,
    },
    Requirement {
        id: "REQ-TRANSFER-002",
        text: "Approving, rejecting or rescinding a transfer that is not `pending_approval` MUST be answered `409 invalid-state` and change nothing.",
        operations: &["approve_transfer", "reject_transfer", "rescind_transfer"],
        verification: Api,
    },
    Requirement {
        id: "REQ-TRANSFER-003",
        text: "While a transfer is `pending_approval` its units MUST be `pending` in the source account; on approval they MUST leave the source account and arrive `available` in the destination account in one step, and on rejection, rescission or expiry they MUST return to the source account's `available` units, or to `reserved` for a transfer of a reservation.",
        operations: &[
            "initiate_transfer",
            "approve_transfer",
            "reject_transfer",
            "rescind_transfer",
        ],
        verification: Api,
    },
    Requirement {
        id: "REQ-TRANSFER-004",
        text: "A transfer's `expires_at` MUST be its `initiated_at` plus exactly 7 days, and a transfer still `pending_approval` at that instant MUST be reported `expired` by every request made at or after it, with `decided_at` equal to `expires_at` and no `decided_by`.",
        operations: &["initiate_transfer", "get_transfer", "list_transactions"],
        verification: Api,
    },
    Requirement {
        id: "REQ-TRANSFER-005",
        text: "When a representative approves, rejects or rescinds a transfer, `decided_by` MUST be that representative's ID and `decided_at` the time of that request, and a rejection's `reason`, when given, MUST be kept on the transfer.",
        operations: &["approve_transfer", "reject_transfer", "rescind_transfer"],
        verification: Api,
    },
    Requirement {
        id: "REQ-TRANSFER-006",
        text: "`to_account_id` MUST be allowed to name any open account, whether or not the caller can see it, and MUST be answered `422 unknown-account` when it names no account and `422 validation-failed` when it names the source account.",
        operations: &["initiate_transfer"],
        verification: Api,
    },
    Requirement {
        id: "REQ-TRANSFER-007",
        text: "A transfer with `reservation_id` MUST take every unit of that reservation, and MUST be answered `422 validation-failed` when `quantity`, `serial_ranges`, `vintage` or `project_id` is also sent, when the reservation is unknown or not one of the source account, when `unit_type` is not the reservation's or when `to_account_id` is not the reservation's custodial account.",
        operations: &["initiate_transfer"],
        verification: Api,
    },
    Requirement {
        id: "REQ-TRANSFER-008",
        text: "A transfer with `reservation_id` MUST be answered `409 invalid-state` when the reservation is not `active`, and `409 units-locked` when its units are already in a pending transfer.",
        operations: &["initiate_transfer"],
        verification: Api,
    },
    Requirement {
        id: "REQ-TRANSFER-009",
        text: "A transfer MUST appear in the transaction history of both its source and its destination account from its initiation on, in every status, with kind `transfer`, its `reference` and its current status.",
        operations: &["list_transactions"],
        verification: Api,
    },
    Requirement {
        id: "REQ-TRANSFER-010",
        text: "A transfer MUST carry the request's `from_account_id`, `to_account_id`, `unit_type` and `reference`, the `quantity` and `serial_ranges` of the units it took, the initiating representative as `initiated_by` and, while `pending_approval`, no `decided_by` or `decided_at`, and `get_transfer` MUST answer it as the last change to it left it.",
        operations: &[
            "initiate_transfer",
            "get_transfer",
            "approve_transfer",
            "reject_transfer",
            "rescind_transfer",
        ],
        verification: Api,
    },
];
