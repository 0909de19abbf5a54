//! RFC 9457 problem documents and the stable catalogue of problem types.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// The media type of every error body.
pub const PROBLEM_JSON: &str = "application/problem+json";

/// Prefix of every problem `type` URI this API defines.
pub const PROBLEM_TYPE_PREFIX: &str = "urn:ucr:problem:";

/// An RFC 9457 problem document: the body of every 4xx response except those of the token and
/// revocation endpoints (RFC 6749 errors there), and of a 5xx when the implementation itself
/// answers (`REQ-PROBLEM-001`, `REQ-PROBLEM-009`).
///
/// `type` is a stable URI from the catalogue in the API description (`urn:ucr:problem:<kind>`);
/// clients branch on it, never on `title` or `detail`, which are for people.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[schema(example = json!({
    "type": "urn:ucr:problem:insufficient-units",
    "title": "Insufficient units",
    "status": 409,
    "detail": "account AU-1000001 holds 40 available ACCU units matching the request; 100 were requested",
    "instance": "/v1/transfers"
}))]
pub struct Problem {
    /// Stable URI identifying the kind of problem; one of the catalogue in the API description.
    #[serde(rename = "type")]
    pub type_: String,
    /// Short, human-readable summary of the problem kind, for people: it may be the catalogue's
    /// title or worded otherwise (`REQ-PROBLEM-005`).
    pub title: String,
    /// The HTTP status code of this response, repeated for convenience: a client or server error.
    #[schema(minimum = 400, maximum = 599)]
    pub status: u16,
    /// Human-readable explanation of this occurrence: what went wrong and what to do. Always
    /// present and non-empty in a 4xx problem (`REQ-PROBLEM-005`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    /// The request path this problem occurred on (the `/v1/…` path as received, without scheme,
    /// host or query). Always present in a 4xx problem (`REQ-PROBLEM-004`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub instance: Option<String>,
    /// Request fields that failed validation, when the problem is about the request's content:
    /// always listing the offending query parameter or header of an `invalid-parameter`, and
    /// optional for `malformed-request` and `validation-failed` (`REQ-PROBLEM-006`,
    /// `REQ-PROBLEM-007`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[schema(default = json!([]))]
    pub invalid_params: Vec<InvalidParam>,
}

/// One request field that failed validation (RFC 9457 section 3 `invalid-params` extension).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct InvalidParam {
    /// JSON pointer or parameter name of the offending field, e.g. `/quantity` or `limit`.
    pub name: String,
    /// Why the value was refused.
    pub reason: String,
}

macro_rules! problem_types {
    ($( $(#[doc = $doc:literal])* $variant:ident = ($slug:literal, $status:literal, $title:literal), )*) => {
        /// The catalogue of problem kinds. Each has a stable `type` URI, an HTTP status and a title.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum ProblemType {
            $( $(#[doc = $doc])* $variant, )*
        }

        impl ProblemType {
            /// Every problem kind, in catalogue order.
            pub const ALL: &'static [ProblemType] = &[$(ProblemType::$variant,)*];

            /// The short kebab-case name, the last segment of the `type` URI.
            pub fn slug(self) -> &'static str {
                match self { $(ProblemType::$variant => $slug,)* }
            }

            /// The HTTP status code this kind is always served with.
            pub fn status(self) -> u16 {
                match self { $(ProblemType::$variant => $status,)* }
            }

            /// The fixed human-readable title.
            pub fn title(self) -> &'static str {
                match self { $(ProblemType::$variant => $title,)* }
            }

            /// What the kind means, as written in the API description.
            pub fn meaning(self) -> &'static str {
                match self { $(ProblemType::$variant => concat!($($doc),*).trim_ascii(),)* }
            }
        }
    };
}

problem_types! {
    /// The request body is not valid JSON, has a value of the wrong type, misses a required field or has a field the schema does not allow.
    MalformedRequest = ("malformed-request", 400, "Malformed request"),
    /// A query parameter or header is not one the operation declares, is given more than once or has a value that is not acceptable (unparseable, out of range, a `page_token` not issued for this request); a path that names nothing answers `404` whatever its form.
    InvalidParameter = ("invalid-parameter", 400, "Invalid parameter"),
    /// A write was sent without the required `Idempotency-Key` header.
    IdempotencyKeyRequired = ("idempotency-key-required", 400, "Idempotency-Key required"),
    /// No bearer token was sent, or it is unknown, expired or revoked. The response carries `WWW-Authenticate`.
    Unauthenticated = ("unauthenticated", 401, "Authentication required"),
    /// The caller is authenticated but its role does not allow this action on a resource it can see.
    Forbidden = ("forbidden", 403, "Forbidden"),
    /// The caller is a platform or registry whose consent on this account lacks the needed scope, was revoked or has expired, or (with a `subset`) does not select the units the request concerns.
    ConsentRequired = ("consent-required", 403, "Consent required"),
    /// The bearer token comes from the authorization code flow and lacks the scope this operation needs (its `x-ucr-scope`). The response carries `WWW-Authenticate: Bearer error="insufficient_scope", scope="<the scope>"`.
    InsufficientScope = ("insufficient-scope", 403, "Insufficient scope"),
    /// The approver is the initiator, and the account has more than one authorised representative (four-eyes rule).
    SecondApproverRequired = ("second-approver-required", 403, "Second approver required"),
    /// The resource does not exist, or the caller may not know that it exists.
    NotFound = ("not-found", 404, "Not found"),
    /// The method is not supported on this path.
    MethodNotAllowed = ("method-not-allowed", 405, "Method not allowed"),
    /// The source account does not hold enough available units matching the request.
    InsufficientUnits = ("insufficient-units", 409, "Insufficient units"),
    /// Some requested serials are not held by the source account.
    UnitsNotHeld = ("units-not-held", 409, "Units not held"),
    /// Some requested serials are held but not available (pending, reserved, escrowed or cancelled).
    UnitsLocked = ("units-locked", 409, "Units locked"),
    /// The resource (transaction, consent, delegation, reservation, escrow or association) is not in a state that allows this action (e.g. approving a completed transfer), or the delegate is already a representative of the account.
    InvalidState = ("invalid-state", 409, "Invalid state"),
    /// The unit or the certificate already has a live association (associations are 1:1).
    AssociationConflict = ("association-conflict", 409, "Association conflict"),
    /// A request with the same `Idempotency-Key` is still being processed.
    IdempotencyKeyInUse = ("idempotency-key-in-use", 409, "Idempotency-Key in use"),
    /// The `Idempotency-Key` was already used with a different request.
    IdempotencyKeyReused = ("idempotency-key-reused", 422, "Idempotency-Key reused"),
    /// The request is well-formed but its content is not acceptable (zero quantity, unknown unit type, same source and destination, ...).
    ValidationFailed = ("validation-failed", 422, "Validation failed"),
    /// The destination or referenced account does not exist.
    UnknownAccount = ("unknown-account", 422, "Unknown account"),
    /// The sandbox API is not enabled on this implementation or this credential is not an operator's.
    SandboxUnavailable = ("sandbox-unavailable", 404, "Sandbox unavailable"),
    /// The caller sent more requests than its rate limit allows; retry after `Retry-After` seconds.
    RateLimited = ("rate-limited", 429, "Too many requests"),
}

impl ProblemType {
    /// The full `type` URI, e.g. `urn:ucr:problem:insufficient-units`.
    pub fn uri(self) -> String {
        format!("{PROBLEM_TYPE_PREFIX}{}", self.slug())
    }

    /// Parses a `type` URI back into a kind.
    pub fn from_uri(uri: &str) -> Option<Self> {
        let slug = uri.strip_prefix(PROBLEM_TYPE_PREFIX)?;
        Self::ALL.iter().copied().find(|k| k.slug() == slug)
    }

    /// A problem document of this kind with the given detail.
    pub fn problem(self, detail: impl Into<String>) -> Problem {
        Problem {
            type_: self.uri(),
            title: self.title().to_owned(),
            status: self.status(),
            detail: Some(detail.into()),
            instance: None,
            invalid_params: Vec::new(),
        }
    }
}

/// Markdown table of the catalogue, embedded in the API description.
pub fn catalogue_markdown() -> String {
    let mut out = String::from("| `type` | status | meaning |\n| --- | --- | --- |\n");
    for kind in ProblemType::ALL {
        out.push_str(&format!(
            "| `{}` | {} | {} |\n",
            kind.uri(),
            kind.status(),
            kind.meaning()
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uris_round_trip_and_are_unique() {
        let mut seen = std::collections::HashSet::new();
        for kind in ProblemType::ALL {
            assert!(seen.insert(kind.slug()), "duplicate slug {}", kind.slug());
            assert_eq!(ProblemType::from_uri(&kind.uri()), Some(*kind));
            assert!((400..600).contains(&kind.status()));
            assert!(!kind.meaning().is_empty());
        }
        assert_eq!(ProblemType::from_uri("urn:ucr:problem:nope"), None);
    }
}
