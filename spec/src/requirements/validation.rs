//! Requirements on request validation: which faults are `400` syntax refusals and which are
//! `422 validation-failed`, and how query strings and bodies are read.

use super::paging::LISTS;
use super::{Requirement, Verification::Api};

/// The keyed writes that declare no request body.
const NO_BODY: &[&str] = &[
    "approve_transfer",
    "rescind_transfer",
    "approve_cancellation",
    "rescind_cancellation",
    "revoke_consent",
    "revoke_delegation",
    "release_reservation",
    "release_escrow",
    "approve_escrow",
    "dissolve_association",
];

/// The validation requirements (`REQ-VALIDATION-*`).
pub const REQUIREMENTS: &[Requirement] = &[
    Requirement {
        id: "REQ-VALIDATION-001",
        text: "A request body that does not match its schema's structure MUST be refused with `400 malformed-request`: a body that is not JSON or not a JSON object, an unknown member, a missing required member, `null` for a non-nullable member, a value of the wrong JSON type, a number that is not an integer from 0 to 2^64 - 1 where the schema says `uint64`, a string outside the schema's `enum`, or a `date`/`date-time` that does not parse.",
        operations: &[],
        verification: Api,
    },
    Requirement {
        id: "REQ-VALIDATION-002",
        text: "A structurally valid body that breaks a rule on values MUST be refused with `422 validation-failed`: a number outside the schema's `minimum`/`maximum`, a string longer than its `maxLength`, a blank name or text, an empty array the schema requires non-empty, an expiry in the past or beyond its documented maximum, an unknown unit type code, or a combination of members the operation forbids.",
        operations: &[],
        verification: Api,
    },
    Requirement {
        id: "REQ-VALIDATION-003",
        text: "An operation that declares no request body MUST accept an empty body or `{}` and MUST refuse any other body with `400 malformed-request`, as if its body schema were an object with no members.",
        operations: NO_BODY,
        verification: Api,
    },
    Requirement {
        id: "REQ-VALIDATION-004",
        text: "A list operation MUST refuse a query parameter it does not declare, or a declared one given more than once, with `400 invalid-parameter` naming it, so that a filter added in a later `/v1` version is never silently ignored.",
        operations: LISTS,
        verification: Api,
    },
    Requirement {
        id: "REQ-VALIDATION-005",
        text: "Clients MUST send JSON bodies with `Content-Type: application/json`, and implementations MAY refuse a body sent with a `Content-Type` that is neither `application/json` nor another `+json` type with `400 malformed-request`, or MAY read it as JSON regardless.",
        operations: &[],
        verification: Api,
    },
    Requirement {
        id: "REQ-VALIDATION-006",
        text: "Unit type codes MUST be matched case-sensitively, and `ACCU` and `SMC` are the only codes of `/v1` until the document adds more.",
        operations: &[],
        verification: Api,
    },
    Requirement {
        id: "REQ-VALIDATION-007",
        text: "`serial_ranges` MUST be refused with `422 validation-failed` when a range has `serial_end` below `serial_start`, when two ranges overlap, when the array is empty, or when it is sent together with `quantity`, `vintage` or `project_id`, and a request with neither `quantity` nor `serial_ranges` (other than a transfer of a reservation) MUST be refused the same way.",
        operations: &[
            "initiate_transfer",
            "initiate_cancellation",
            "create_reservation",
            "create_escrow",
        ],
        verification: Api,
    },
    Requirement {
        id: "REQ-VALIDATION-008",
        text: "A request by `quantity` MUST take the source account's available blocks matching `unit_type` and any `vintage` and `project_id` filters in ascending serial order across all of them, splitting the last block taken when needed.",
        operations: &[
            "initiate_transfer",
            "initiate_cancellation",
            "create_reservation",
            "create_escrow",
        ],
        verification: Api,
    },
    Requirement {
        id: "REQ-VALIDATION-009",
        text: "A request body larger than the implementation's limit MUST be refused with `400 malformed-request`, and that limit MUST be at least 1 MiB.",
        operations: &[],
        verification: Api,
    },
    Requirement {
        id: "REQ-VALIDATION-010",
        text: "`delete_webhook_subscription`, `create_operator_session` and `reset_sandbox`, which declare neither a request body nor a `400` response, MUST ignore any request body.",
        operations: &[
            "delete_webhook_subscription",
            "create_operator_session",
            "reset_sandbox",
        ],
        verification: Api,
    },
    Requirement {
        id: "REQ-VALIDATION-011",
        text: "An operation that declares no query parameters MUST ignore any query string sent to it.",
        operations: &[],
        verification: Api,
    },
];
