//! Cross-cutting conventions: time and the registry clock, identifiers, response members and
//! what a refused request may change.

use super::{Requirement, Verification::Api, Verification::Untestable};

/// The conventions requirements (`REQ-CONV-*`).
pub const REQUIREMENTS: &[Requirement] = &[
    Requirement {
        id: "REQ-CONV-001",
        text: "Every timestamp MUST be an RFC 3339 date-time in UTC written with `Z`, implementations MAY emit whole seconds or a fraction of a second, and clients MUST accept any precision and compare timestamps as instants, not as strings.",
        operations: &[],
        verification: Api,
    },
    Requirement {
        id: "REQ-CONV-002",
        text: "The registry clock MUST be UTC wall-clock time plus the total the sandbox clock has been advanced, MUST never move backwards, and MUST be the clock of every timestamp in responses and event bodies and of every expiry.",
        operations: &[],
        verification: Api,
    },
    Requirement {
        id: "REQ-CONV-003",
        text: "An item with an `expires_at` MUST be treated as expired by every request made when the registry clock is at or after that instant, whether or not anything has looked at it since.",
        operations: &[],
        verification: Api,
    },
    Requirement {
        id: "REQ-CONV-004",
        text: "Identifiers MUST start with their documented prefix (`AU-`, `TRF-`, `CON-` and so on) and are otherwise opaque, so clients MUST NOT derive meaning from the rest and MUST compare them as exact strings.",
        operations: &[],
        verification: Api,
    },
    Requirement {
        id: "REQ-CONV-005",
        text: "Clients MUST ignore response members they do not know, and implementations MUST NOT remove, rename or change the type of a documented member within `/v1`.",
        operations: &[],
        verification: Api,
    },
    Requirement {
        id: "REQ-CONV-006",
        text: "A request answered with a 4xx MUST change no registry state: no unit, transaction, consent, delegation, reservation, escrow, association, subscription or event is created, changed or removed because of it, and only the record of its `Idempotency-Key` MAY be kept.",
        operations: &[],
        verification: Api,
    },
    Requirement {
        id: "REQ-CONV-007",
        text: "Successful responses with a body MUST use `Content-Type: application/json`, except a register list's CSV download (REQ-REGISTER-009) and the authorization endpoint's HTML page (REQ-AUTHZ-007), and problem documents MUST use `application/problem+json`.",
        operations: &[],
        verification: Api,
    },
    Requirement {
        id: "REQ-CONV-008",
        text: "A date-time in a request (a body member or a query parameter) MUST be accepted with any RFC 3339 offset, `Z` or `+hh:mm`/`-hh:mm`, and read as the instant it names, never as its wall-clock time taken for UTC.",
        operations: &[],
        verification: Api,
    },
    Requirement {
        id: "REQ-CONV-009",
        text: "The enumerations marked `x-ucr-open-enum` (transaction `kind`, event `type`) are open: implementations MAY add values within `/v1`, and clients MUST accept a value they do not know, as they accept unit types they do not know (`unit_type` is a string), rather than fail.",
        operations: &[],
        verification: Untestable(
            "a rule for clients: an implementation cannot show over the API that its clients tolerate new values; the SDK's tolerance is tested in the SDK's own tests",
        ),
    },
];
