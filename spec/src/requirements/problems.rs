//! Requirements on problem documents: the RFC 9457 body of every refusal and its members.

use super::{Requirement, Verification::Api, Verification::Untestable};

/// The problem-document requirements (`REQ-PROBLEM-*`).
pub const REQUIREMENTS: &[Requirement] = &[
    Requirement {
        id: "REQ-PROBLEM-001",
        text: "Every 4xx response except those of the token and revocation endpoints (`issue_token`, `revoke_token`), which answer RFC 6749 errors (REQ-OAUTH-001, REQ-AUTHZ-023), MUST carry an RFC 9457 problem document with `Content-Type: application/problem+json`.",
        operations: &[],
        verification: Api,
    },
    Requirement {
        id: "REQ-PROBLEM-002",
        text: "A 4xx problem document's `type` MUST be a `urn:ucr:problem:<kind>` URI from the problem catalogue, and the response status MUST be the status the catalogue gives that kind.",
        operations: &[],
        verification: Api,
    },
    Requirement {
        id: "REQ-PROBLEM-003",
        text: "A problem document's `status` member MUST equal the HTTP status code of the response that carries it.",
        operations: &[],
        verification: Api,
    },
    Requirement {
        id: "REQ-PROBLEM-004",
        text: "A problem document's `instance` member MUST be present and MUST be the path of the request (the `/v1/…` path exactly as received, without scheme, host or query string).",
        operations: &[],
        verification: Api,
    },
    Requirement {
        id: "REQ-PROBLEM-005",
        text: "A problem document MUST have a non-empty `detail` explaining this occurrence, and a non-empty `title` that implementations MAY take from the catalogue or word otherwise, since clients MUST NOT branch on `title` or `detail`.",
        operations: &[],
        verification: Api,
    },
    Requirement {
        id: "REQ-PROBLEM-006",
        text: "A `400 invalid-parameter` MUST list the offending query parameter or header by name in `invalid_params`, and any `invalid_params` entry MUST name a body member by JSON pointer (such as `/quantity`) and a query parameter or header by its name (such as `limit` or `Idempotency-Key`).",
        operations: &[],
        verification: Api,
    },
    Requirement {
        id: "REQ-PROBLEM-007",
        text: "`400 malformed-request` and `422 validation-failed` MAY list the members to blame in `invalid_params` or leave it out, and clients MUST accept either.",
        operations: &[],
        verification: Api,
    },
    Requirement {
        id: "REQ-PROBLEM-008",
        text: "Implementations MAY add extension members to problem documents, and clients MUST ignore members they do not know and MUST handle a `type` they do not know by its HTTP status, since new problem types MAY be added within `/v1`.",
        operations: &[],
        verification: Api,
    },
    Requirement {
        id: "REQ-PROBLEM-009",
        text: "The body of a 5xx response MAY be a problem document whose `type` is outside the catalogue (such as `urn:ucr:problem:internal-error`), so clients MUST treat any 5xx as a failure whose effect is unknown and retry it with the same `Idempotency-Key`.",
        operations: &[],
        verification: Untestable(
            "a conforming implementation offers no way to provoke a 5xx over the API",
        ),
    },
];
