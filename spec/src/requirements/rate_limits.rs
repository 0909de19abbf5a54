//! Rate limits: when an implementation may refuse for rate, and what the `RateLimit` and
//! `RateLimit-Policy` fields let a client rely on.

use super::{Requirement, Verification::Untestable};

/// Why the suite does not check these: nothing tells it whether or at which rate an implementation
/// limits, and a run with no limit configured must pass.
const NOT_OBSERVABLE: &str = "whether and at which rate an implementation limits is its configuration, which the API does not reveal, and an implementation that does not limit conforms; the mock's test `rate_limits` shows the behaviour with a limit configured";

/// The rate-limit requirements (`REQ-RATE-*`).
pub const REQUIREMENTS: &[Requirement] = &[
    Requirement {
        id: "REQ-RATE-001",
        text: "An implementation MAY limit the rate of requests per principal (the principal a token authenticates; requests without a token count together), and MUST answer a request over its limit with `429 rate-limited` carrying `Retry-After` in whole seconds, at least 1; such a request MUST change nothing, and the same request sent again after `Retry-After` seconds, with no other request of that principal in between, MUST NOT be refused for rate.",
        operations: &[],
        verification: Untestable(NOT_OBSERVABLE),
    },
    Requirement {
        id: "REQ-RATE-002",
        text: "An implementation that limits MUST send on every response to a limited principal, the `429` included, the fields of draft-ietf-httpapi-ratelimit-headers-09: `RateLimit-Policy: \"<name>\";q=<quota>;w=<window seconds>` and `RateLimit: \"<name>\";r=<requests remaining>;t=<seconds until the quota is whole again>`; clients MAY pace themselves by them, MUST ignore parameters they do not know, and MUST NOT treat their absence as a promise that no limit applies.",
        operations: &[],
        verification: Untestable(NOT_OBSERVABLE),
    },
];
