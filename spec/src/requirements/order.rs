//! Requirements on the order in which a request's checks apply when several would refuse it.

use super::{Requirement, Verification::Api};

/// The order-of-checks requirements (`REQ-ORDER-*`).
pub const REQUIREMENTS: &[Requirement] = &[
    Requirement {
        id: "REQ-ORDER-001",
        text: "A path that matches no operation MUST be answered `404 not-found`, and a known path with a method it does not support `405 method-not-allowed` (an RFC 6749 error body on the token endpoint) with an `Allow` header, both before and regardless of authentication.",
        operations: &[],
        verification: Api,
    },
    Requirement {
        id: "REQ-ORDER-002",
        text: "When the sandbox is not offered, every `/v1/sandbox/…` path MUST answer `404 sandbox-unavailable` before and regardless of authentication.",
        operations: &[
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
        ],
        verification: Api,
    },
    Requirement {
        id: "REQ-ORDER-003",
        text: "Authentication (`401`) MUST be checked before anything about the request's headers, parameters or body, so an unauthenticated request is answered `401` whatever else is wrong with it.",
        operations: &[],
        verification: Api,
    },
    Requirement {
        id: "REQ-ORDER-004",
        text: "On an operation taking `Idempotency-Key`, the key checks (`400 idempotency-key-required` or `400 invalid-parameter` for the header) MUST come after authentication and before the replay decision, which MUST come before any check of the query or body.",
        operations: &[],
        verification: Api,
    },
    Requirement {
        id: "REQ-ORDER-005",
        text: "Syntax refusals (`400 malformed-request` for the body, `400 invalid-parameter` for query parameters) MUST come before any refusal that depends on registry state, so a malformed request about a resource the caller cannot see is answered `400`, not `404`.",
        operations: &[],
        verification: Api,
    },
    Requirement {
        id: "REQ-ORDER-006",
        text: "A resource hidden from the caller MUST be answered `404 not-found` before any `403`, `409` or `422` about it, and `403 forbidden` or `403 consent-required` MUST come before any `409` or `422`, so a refusal never discloses state hidden from the caller.",
        operations: &[],
        verification: Api,
    },
    Requirement {
        id: "REQ-ORDER-007",
        text: "When a request would be refused for several reasons among `403 second-approver-required`, `409` and `422`, implementations MAY answer any one of them, and clients MUST accept any.",
        operations: &[],
        verification: Api,
    },
];
