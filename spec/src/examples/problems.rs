//! Examples of the error responses: one per problem type on the shared problem response of its
//! status, and one per OAuth error on the token and revocation endpoints' responses.

use serde_json::{Value, json};

use crate::problem::{PROBLEM_JSON, ProblemType};

/// The OAuth errors the token endpoint answers (RFC 6749 section 5.2), by status.
const OAUTH_ERRORS: &[(u16, &str, &str)] = &[
    (400, "invalid_request", "grant_type is missing"),
    (
        400,
        "unsupported_grant_type",
        "grant_type password is not supported",
    ),
    (
        400,
        "invalid_grant",
        "the code is expired, used, or was issued to another client",
    ),
    (
        400,
        "unauthorized_client",
        "this client may not use the authorization_code grant",
    ),
    (
        400,
        "invalid_scope",
        "transfers:write was not granted to this refresh token",
    ),
    (401, "invalid_client", "unknown client or wrong secret"),
];

/// The OAuth errors the revocation endpoint answers (RFC 7009 section 2.2.1), by status.
const REVOCATION_ERRORS: &[(u16, &str, &str)] = &[
    (400, "invalid_request", "token is missing"),
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

/// Adds the examples to `components.responses` and to the token and revocation endpoints.
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
    let endpoints = [("token", OAUTH_ERRORS), ("revoke", REVOCATION_ERRORS)];
    for (endpoint, status, error, description) in endpoints
        .iter()
        .flat_map(|(endpoint, errors)| errors.iter().map(move |(s, e, d)| (endpoint, s, e, d)))
    {
        let pointer = format!(
            "/paths/~1v1~1oauth~1{endpoint}/post/responses/{status}/content/application~1json"
        );
        let media = doc
            .pointer_mut(&pointer)
            .unwrap_or_else(|| panic!("the {endpoint} endpoint declares no JSON {status}"));
        if media.get("examples").is_none() {
            media["examples"] = json!({});
        }
        media["examples"][*error] = json!({
            "summary": error,
            "value": {"error": error, "error_description": description}
        });
    }
}
