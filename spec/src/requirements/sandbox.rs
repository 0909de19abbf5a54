//! Requirements on the sandbox: its availability, who may use it, and what its set-up operations
//! accept, refuse and reset.

use super::{Requirement, Verification::Api};

/// Every sandbox operation.
const SANDBOX: &[&str] = &[
    "create_operator_session",
    "create_account_holder",
    "create_account",
    "appoint_representative",
    "issue_units",
    "reset_sandbox",
    "create_platform",
    "create_platform_representative",
    "get_clock",
    "advance_clock",
];

/// The sandbox requirements (`REQ-SANDBOX-*`).
pub const REQUIREMENTS: &[Requirement] = &[
    Requirement {
        id: "REQ-SANDBOX-001",
        text: "A production implementation MUST NOT offer the sandbox operations, and any implementation MAY leave them out, answering every `/v1/sandbox/…` request `404 sandbox-unavailable`.",
        operations: SANDBOX,
        verification: Api,
    },
    Requirement {
        id: "REQ-SANDBOX-002",
        text: "Where the sandbox is offered, `create_operator_session` MUST need no token, and every other sandbox operation MUST answer `401 unauthenticated` without a valid token and `404 sandbox-unavailable` to a valid token that is not an operator's.",
        operations: SANDBOX,
        verification: Api,
    },
    Requirement {
        id: "REQ-SANDBOX-003",
        text: "`create_account` with a `holder_id` that names no account holder MUST be refused with `422 validation-failed` naming `/holder_id`.",
        operations: &["create_account"],
        verification: Api,
    },
    Requirement {
        id: "REQ-SANDBOX-004",
        text: "`issue_units` into an account that does not exist MUST be refused with `422 unknown-account`.",
        operations: &["issue_units"],
        verification: Api,
    },
    Requirement {
        id: "REQ-SANDBOX-005",
        text: "`appoint_representative` on an account that does not exist MUST answer `404 not-found`, with a `representative_id` that names no representative MUST be refused with `422 validation-failed`, and with one already appointed to the account MUST replace that representative's roles there and answer `201`.",
        operations: &["appoint_representative"],
        verification: Api,
    },
    Requirement {
        id: "REQ-SANDBOX-006",
        text: "`appoint_representative` with the `representative_id` of a platform's representative MUST be refused with `422 validation-failed` unless the account belongs to that platform's account holder, since such representatives reach holders' accounts only by delegation.",
        operations: &["appoint_representative"],
        verification: Api,
    },
    Requirement {
        id: "REQ-SANDBOX-007",
        text: "`issue_units` MUST accept `kyoto_status` for ACCUs only (absent means `null`) and refuse it for other unit types with `422 validation-failed`, MUST refuse a blank `project_id`, `method`, `facility_id` or `facility_name` or a `state` that is not an Australian state or territory code with `422 validation-failed`, and MUST default `issued_on` to the registry clock's UTC date.",
        operations: &["issue_units"],
        verification: Api,
    },
    Requirement {
        id: "REQ-SANDBOX-008",
        text: "Implementations MAY choose the first serial of each unit type and the numbering of identifiers after their documented prefixes, and clients MUST NOT rely on either.",
        operations: &[],
        verification: Api,
    },
    Requirement {
        id: "REQ-SANDBOX-009",
        text: "`reset_sandbox` MUST remove every account holder, account, representative, platform, OAuth client, unit, transaction, consent, delegation, reservation, escrow, association, webhook subscription and delivery, and every token but operators', MUST keep the clock where it is, and MAY restart or continue serial and identifier counters.",
        operations: &["reset_sandbox"],
        verification: Api,
    },
    Requirement {
        id: "REQ-SANDBOX-010",
        text: "`reset_sandbox` MUST report in `transactions_removed` the number of issuances, transfers and cancellations it removed, and in `accounts_removed` the number of accounts.",
        operations: &["reset_sandbox"],
        verification: Api,
    },
    Requirement {
        id: "REQ-SANDBOX-011",
        text: "`advance_clock` MUST move the registry clock forward by 1 to 31,622,400 seconds, refuse 0 or more than 31,622,400 with `422 validation-failed`, refuse a negative or non-integer number with `400 malformed-request`, and apply every expiry that falls due at the first request after the move.",
        operations: &["advance_clock", "get_clock"],
        verification: Api,
    },
];
