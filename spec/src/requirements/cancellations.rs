//! Requirements on voluntary cancellations: their states and transitions, expiry and their rows in
//! the transaction history.

use super::{Requirement, Verification::Api};

/// The cancellation requirements (`REQ-CANCELLATION-*`).
pub const REQUIREMENTS: &[Requirement] = &[
    Requirement {
        id: "REQ-CANCELLATION-001",
        text: "`initiate_cancellation` MUST create a cancellation in status `pending_approval`, which MUST leave that status at most once, to `completed` (approved), `rejected`, `rescinded` or `expired`, after which it MUST never change again.",
        operations: &[
            "initiate_cancellation",
            "approve_cancellation",
            "reject_cancellation",
            "rescind_cancellation",
            "get_cancellation",
        ],
        verification: Api,
    },
    Requirement {
        id: "REQ-CANCELLATION-002",
        text: "Approving, rejecting or rescinding a cancellation that is not `pending_approval` MUST be answered `409 invalid-state` and change nothing.",
        operations: &[
            "approve_cancellation",
            "reject_cancellation",
            "rescind_cancellation",
        ],
        verification: Api,
    },
    Requirement {
        id: "REQ-CANCELLATION-003",
        text: "While a cancellation is `pending_approval` its units MUST be `pending`; on approval they MUST become `cancelled` in the same account, and on rescission or expiry they MUST return to `available`.",
        operations: &[
            "initiate_cancellation",
            "approve_cancellation",
            "rescind_cancellation",
        ],
        verification: Api,
    },
    Requirement {
        id: "REQ-CANCELLATION-004",
        text: "A cancellation's `expires_at` MUST be its `initiated_at` plus exactly 7 days, and a cancellation still `pending_approval` at that instant MUST be reported `expired` by every request made at or after it, with `decided_at` equal to `expires_at` and no `decided_by`.",
        operations: &[
            "initiate_cancellation",
            "get_cancellation",
            "list_transactions",
        ],
        verification: Api,
    },
    Requirement {
        id: "REQ-CANCELLATION-005",
        text: "When a representative approves or rescinds a cancellation, `decided_by` MUST be that representative's ID and `decided_at` the time of that request.",
        operations: &["approve_cancellation", "rescind_cancellation"],
        verification: Api,
    },
    Requirement {
        id: "REQ-CANCELLATION-006",
        text: "A cancellation MUST appear in its account's transaction history from its initiation on, in every status, with kind `cancellation`, `from_account_id` the account, no `to_account_id`, and `reference` equal to the cancellation's `reason` (absent when it has none).",
        operations: &["list_transactions"],
        verification: Api,
    },
    Requirement {
        id: "REQ-CANCELLATION-007",
        text: "A cancellation MUST carry the request's `account_id`, `unit_type` and `reason`, the `quantity` and `serial_ranges` of the units it took, the initiating representative as `initiated_by` and, while `pending_approval`, no `decided_by` or `decided_at`, and `get_cancellation` MUST answer it as the last change to it left it.",
        operations: &[
            "initiate_cancellation",
            "get_cancellation",
            "approve_cancellation",
            "rescind_cancellation",
        ],
        verification: Api,
    },
    Requirement {
        id: "REQ-CANCELLATION-008",
        text: "`reject_cancellation` MUST follow the rules of `reject_transfer`: it MUST be allowed only to a current representative of the account holding the `approver` role (every other caller that can see the cancellation MUST be answered `403 forbidden`), under the four-eyes rule of `REQ-APPROVAL-004`, and a rejected cancellation MUST have status `rejected`, its units `available` again, `decided_by` the rejecting representative, `decided_at` the time of that request and `rejection_reason` the request's `reason` (absent when it gave none).",
        operations: &["reject_cancellation", "get_cancellation"],
        verification: Api,
    },
];
