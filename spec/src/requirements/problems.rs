//! Requirements on problem documents: the RFC 9457 body of every refusal and its members.

use super::{Requirement, Verification::Api};

/// The problem-document requirements (`REQ-PROBLEM-*`).
pub const REQUIREMENTS: &[Requirement] = &[
    Requirement {
        id: "REQ-PROBLEM-001",
        text: "Every 4xx response of every operation except `issue_token` MUST carry an RFC 9457 problem document with `Content-Type: application/problem+json`.",
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
];
