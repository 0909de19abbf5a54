//! The rate-limit fields of draft-ietf-httpapi-ratelimit-headers-09 (`RateLimit-Policy`,
//! `RateLimit`): their declaration on every success response and on the `429`, and their syntax,
//! which the mock writes through the same functions (`REQ-RATE-*`).

use serde_json::{Value, json};

/// The name of the one quota policy the mock applies (a String item of the fields' lists).
pub const POLICY: &str = "ucr";

/// The `RateLimit-Policy` value: `quota` requests per `window` seconds.
pub fn policy_field(quota: u64, window: u64) -> String {
    format!("\"{POLICY}\";q={quota};w={window}")
}

/// The `RateLimit` value: `remaining` requests left, the quota whole again in `reset` seconds.
pub fn limit_field(remaining: u64, reset: u64) -> String {
    format!("\"{POLICY}\";r={remaining};t={reset}")
}

/// `components.headers`: the two fields, optional (an implementation that does not limit sends
/// neither).
pub fn components() -> Value {
    json!({
        "RateLimit-Policy": {
            "description": "The quota policy that applies to the caller (draft-ietf-httpapi-ratelimit-headers-09, section 3): a list of policies `\"<name>\";q=<quota>;w=<window seconds>`, e.g. `\"ucr\";q=20;w=1`. Sent only by an implementation that limits the caller (`REQ-RATE-002`).",
            "schema": {"type": "string"},
            "example": policy_field(20, 1)
        },
        "RateLimit": {
            "description": "The caller's current service limit (draft-ietf-httpapi-ratelimit-headers-09, section 4): `\"<name>\";r=<requests remaining>;t=<seconds until the quota is whole again>`, e.g. `\"ucr\";r=19;t=1`. Sent only by an implementation that limits the caller (`REQ-RATE-002`).",
            "schema": {"type": "string"},
            "example": limit_field(19, 1)
        }
    })
}

/// References to both fields, for a response's `headers`.
pub fn references() -> Value {
    json!({
        "RateLimit-Policy": {"$ref": "#/components/headers/RateLimit-Policy"},
        "RateLimit": {"$ref": "#/components/headers/RateLimit"}
    })
}

/// Adds both fields to every success response of `op`.
pub fn declare(op: &mut Value) {
    for (status, response) in op["responses"]
        .as_object_mut()
        .into_iter()
        .flat_map(|r| r.iter_mut())
    {
        if !status.starts_with('2') || response.get("$ref").is_some() {
            continue;
        }
        let headers = response
            .as_object_mut()
            .expect("a response is an object")
            .entry("headers")
            .or_insert_with(|| json!({}));
        for (name, reference) in references().as_object().expect("an object") {
            headers[name] = reference.clone();
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::openapi_json;

    /// Every success response of every operation, and the `429`, declare both fields.
    #[test]
    fn every_success_response_and_the_429_declare_the_fields() {
        let doc = openapi_json();
        let expected = super::references();
        let mut seen = 0;
        let mut redirect_only = Vec::new();
        for item in doc["paths"].as_object().unwrap().values() {
            for op in item.as_object().unwrap().values() {
                let responses = op["responses"].as_object().unwrap();
                if !responses.keys().any(|s| s.starts_with('2')) {
                    redirect_only.push(op["operationId"].as_str().unwrap());
                }
                for (status, response) in responses {
                    if status.starts_with('2') {
                        for name in ["RateLimit", "RateLimit-Policy"] {
                            assert_eq!(response["headers"][name], expected[name], "{status}");
                        }
                        seen += 1;
                    }
                }
            }
        }
        // The consent page's form answers only a `303` redirect: no success response to carry them.
        assert_eq!(redirect_only, ["decide_authorization"]);
        assert_eq!(seen, crate::ERRORS.len() - redirect_only.len());
        let limited = &doc["components"]["responses"]["Problem429"]["headers"];
        assert_eq!(limited["RateLimit"], expected["RateLimit"]);
        assert_eq!(limited["RateLimit-Policy"], expected["RateLimit-Policy"]);
        assert_eq!(
            (super::policy_field(20, 1), super::limit_field(0, 1)),
            ("\"ucr\";q=20;w=1".to_owned(), "\"ucr\";r=0;t=1".to_owned())
        );
    }
}
