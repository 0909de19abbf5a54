//! Requirements on escrows (B.5): allocating units to a controller, settling and releasing.

use super::{Requirement, Verification::Api};

/// The escrow requirements (`REQ-ESCROW-*`).
pub const REQUIREMENTS: &[Requirement] = &[
    Requirement {
        id: "REQ-ESCROW-001",
        text: "`create_escrow` MUST be answered `422 validation-failed` when `controller_id` is not a trading platform, or when `expires_at` is not after the registry's current time or is after the same instant one calendar year later (the last day of the month when that date does not exist).",
        operations: &["create_escrow"],
        verification: Api,
    },
    Requirement {
        id: "REQ-ESCROW-002",
        text: "`create_escrow` MUST NOT require the controller to hold any consent on the account.",
        operations: &["create_escrow"],
        verification: Api,
    },
    Requirement {
        id: "REQ-ESCROW-003",
        text: "An escrow MUST be created `pending_approval` with its units `escrowed` in the seller's account, MUST leave `pending_approval` at most once (to `active` by `approve_escrow`, to `rejected` by `reject_escrow`, or to `released` when still pending at its `expires_at`), and MUST leave `active` at most once: to `settled` by `settle_escrow`, or to `released` by `release_escrow` or, when still `active` at its `expires_at`, at that instant.",
        operations: &[
            "create_escrow",
            "approve_escrow",
            "reject_escrow",
            "settle_escrow",
            "release_escrow",
            "get_escrow",
        ],
        verification: Api,
    },
    Requirement {
        id: "REQ-ESCROW-004",
        text: "`settle_escrow` and `release_escrow` MUST be allowed only to the escrow's controller, and the current representatives of its account MUST be answered `403 forbidden`.",
        operations: &["settle_escrow", "release_escrow"],
        verification: Api,
    },
    Requirement {
        id: "REQ-ESCROW-005",
        text: "Settling or releasing an escrow that is not `active` MUST be answered `409 invalid-state` and change nothing.",
        operations: &["settle_escrow", "release_escrow"],
        verification: Api,
    },
    Requirement {
        id: "REQ-ESCROW-006",
        text: "`settle_escrow` MUST move every escrowed unit to `to_account_id` in one step, where they arrive `available`, MUST set the escrow's `settled_to_account_id` and `transaction_id`, and MUST be answered `422 validation-failed` when `to_account_id` is the seller's account and `422 unknown-account` when it names no account.",
        operations: &["settle_escrow"],
        verification: Api,
    },
    Requirement {
        id: "REQ-ESCROW-007",
        text: "The transfer recording a settlement MUST be `completed` from its creation, with `escrow_id` set, the controller's platform ID as both `initiated_by` and `decided_by`, and `decided_at` equal to `initiated_at`; its `expires_at` MUST NOT be before `initiated_at` and clients MUST NOT give it a meaning.",
        operations: &["settle_escrow", "get_transfer", "list_transactions"],
        verification: Api,
    },
    Requirement {
        id: "REQ-ESCROW-008",
        text: "When an escrow is released, by its controller or on expiry, its units MUST become `available` in the seller's account again, and `ended_at` MUST be the instant the escrow left `active` (its `expires_at` for an expiry).",
        operations: &["release_escrow", "get_escrow"],
        verification: Api,
    },
    Requirement {
        id: "REQ-ESCROW-009",
        text: "An escrow MUST be visible only to the current representatives of its account and to its controller, so that every other caller MUST be answered `404 not-found`.",
        operations: &[
            "get_escrow",
            "settle_escrow",
            "release_escrow",
            "list_escrows",
        ],
        verification: Api,
    },
    Requirement {
        id: "REQ-ESCROW-010",
        text: "An escrow's `blocks` MUST give the serial ranges and attributes of the units allocated at its creation, with status `escrowed` while it is `active`; once it has ended implementations MAY report these blocks with any status, and clients MUST NOT rely on it.",
        operations: &["create_escrow", "get_escrow", "list_escrows"],
        verification: Api,
    },
    Requirement {
        id: "REQ-ESCROW-011",
        text: "An escrow's `ended_at` MUST be absent or `null` while it is `active`, and its `settled_to_account_id` and `transaction_id` MUST be absent or `null` unless it is `settled`.",
        operations: &[
            "create_escrow",
            "get_escrow",
            "list_escrows",
            "release_escrow",
        ],
        verification: Api,
    },
    Requirement {
        id: "REQ-ESCROW-012",
        text: "`approve_escrow` and `reject_escrow` MUST follow the rules of `approve_transfer`: they MUST be allowed only to a current representative of the escrow's account holding the `approver` role (every other caller that can see the escrow, its controller included, MUST be answered `403 forbidden`), MUST be answered `403 second-approver-required` when the caller is the escrow's `created_by` and the account has more than one representative (counted as in `REQ-APPROVAL-004`, escrow controllers not counted), and MUST be answered `409 invalid-state`, changing nothing, when the escrow is not `pending_approval`.",
        operations: &["approve_escrow", "reject_escrow"],
        verification: Api,
    },
    Requirement {
        id: "REQ-ESCROW-013",
        text: "Approving an escrow MUST make it `active` with `decided_by` the approving representative and `decided_at` the time of that request; rejecting it MUST make it `rejected` with `decided_by` the rejecting representative, `decided_at` and `ended_at` the time of that request, `reason` the request's `reason` (absent when it gave none), and its units `available` in the seller's account again.",
        operations: &["approve_escrow", "reject_escrow", "get_escrow"],
        verification: Api,
    },
    Requirement {
        id: "REQ-ESCROW-014",
        text: "While an account has an escrow that is `pending_approval` or `active`, `get_account` MUST list the escrow's controller among the account's `representatives` exactly once, with kind `escrow_controller`, the platform's ID as `representative_id`, no roles, and in `escrow_ids` the IDs of the account's pending and active escrows under that controller, ascending; when none remains the entry MUST be gone, and every other representative MUST have kind `authorised`.",
        operations: &["get_account", "list_accounts"],
        verification: Api,
    },
    Requirement {
        id: "REQ-ESCROW-015",
        text: "An escrow controller's only power on the account MUST be over the units of the escrows it controls: it MUST NOT be able to read the account, its holdings or its history, or to initiate, decide or rescind any transaction, reservation or escrow on it, for which it MUST be refused exactly as a platform without a consent on the account is.",
        operations: &[
            "get_account",
            "list_holdings",
            "list_transactions",
            "initiate_transfer",
            "initiate_cancellation",
            "create_escrow",
            "approve_escrow",
            "approve_transfer",
        ],
        verification: Api,
    },
];
