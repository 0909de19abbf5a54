//! Examples of the error responses: one per problem type on the shared problem response of its
//! status, and one per OAuth error on the token endpoint's responses.

use serde_json::{Value, json};

use crate::problem::{PROBLEM_JSON, ProblemType};

/// The OAuth errors the token endpoint answers (RFC 6749 section 5.2), by status.
const OAUTH_ERRORS: &[(u16, &str, &str)] = &[
    (400, "invalid_request", "grant_type is missing"),
    (
        400,
        "unsupported_grant_type",
        "only client_credentials is supported",
    ),
    (401, "invalid_client", "unknown client or wrong secret"),
];

/// The documented problem document of one type.
pub fn problem(kind: ProblemType) -> Value {
    let mut problem = json!({
        "type": kind.uri(),
        "title": kind.title(),
        "status": kind.status(),
        "detail": kind.meaning(),
        "instance": "/v1/transfers/TRF-000001/approve"
    });
    if kind.slug() == "validation-failed" {
        problem["invalid_params"] = json!([{"name": "/quantity", "reason": "must be at least 1"}]);
    }
    problem
}

/// Adds the examples to `components.responses` and to the token endpoint.
pub(super) fn apply(doc: &mut Value) {
    for kind in ProblemType::ALL {
        let pointer = format!(
            "/components/responses/Problem{}/content/{}",
            kind.status(),
            PROBLEM_JSON.replace('/', "~1")
        );
        let Some(media) = doc.pointer_mut(&pointer) else {
            continue;
        };
        if media.get("examples").is_none() {
            media["examples"] = json!({});
        }
        media["examples"][kind.slug()] = json!({"summary": kind.title(), "value": problem(*kind)});
    }
    for (status, error, description) in OAUTH_ERRORS {
        let pointer =
            format!("/paths/~1v1~1oauth~1token/post/responses/{status}/content/application~1json");
        let media = doc
            .pointer_mut(&pointer)
            .unwrap_or_else(|| panic!("the token endpoint declares no JSON {status}"));
        if media.get("examples").is_none() {
            media["examples"] = json!({});
        }
        media["examples"][*error] = json!({
            "summary": error,
            "value": {"error": error, "error_description": description}
        });
    }
}
