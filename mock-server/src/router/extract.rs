//! What a request carries, parsed: the caller's bearer token as a principal, the query string as a
//! spec query type, and the JSON body (required, optional or none).

use std::collections::HashSet;

use http::header::{AUTHORIZATION, CONTENT_TYPE, WWW_AUTHENTICATE};
use http::{HeaderMap, HeaderValue};
use serde::de::DeserializeOwned;
use ucr_spec::ProblemType;

use super::exchange::{ApiRequest, JSON, Refusal};
use crate::paging::invalid_parameter;
use crate::registry::{Principal, Registry};

/// The token of `Authorization: Bearer <token>`, if the request sends one.
pub(crate) fn bearer_token(headers: &HeaderMap) -> Option<&str> {
    headers
        .get(AUTHORIZATION)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| {
            let (scheme, token) = value.trim().split_once(' ')?;
            scheme.eq_ignore_ascii_case("bearer").then(|| token.trim())
        })
}

/// The caller's principal from `Authorization: Bearer <token>`, or `401 unauthenticated`.
pub(crate) fn authenticate(registry: &Registry, headers: &HeaderMap) -> Result<Principal, Refusal> {
    let token = bearer_token(headers);
    let (detail, challenge) = match token {
        None => (
            "send Authorization: Bearer <token>. In the sandbox, POST /v1/sandbox/operator-sessions gives an \
             operator token and appointing a representative gives that representative's token",
            "Bearer",
        ),
        Some(token) => match registry.authenticate(token) {
            Some(principal) => return Ok(principal),
            None => (
                "the bearer token is unknown to this registry or has expired (access tokens from \
                 /v1/oauth/token last 3600 s of registry time; a sandbox reset removes every token but \
                 operators'); get a new one",
                "Bearer error=\"invalid_token\"",
            ),
        },
    };
    let mut refusal = Refusal::from(ProblemType::Unauthenticated.problem(detail));
    refusal
        .headers
        .insert(WWW_AUTHENTICATE, HeaderValue::from_static(challenge));
    Err(refusal)
}

/// Parses the query string into a spec query type; failures name the parameter when they can.
/// An integer parameter above the contract's `maximum` (2^53-1, every `uint64`) is refused.
pub(crate) fn parse_query<Q: DeserializeOwned>(query: Option<&str>) -> Result<Q, Refusal> {
    let query = query.unwrap_or("");
    let parsed = parse_query_types::<Q>(query)?;
    let pairs: Vec<(String, String)> = serde_urlencoded::from_str(query).unwrap_or_default();
    for (name, value) in &pairs {
        let too_large = value.bytes().all(|b| b.is_ascii_digit())
            && value
                .parse::<u128>()
                .map_or(true, |n| n > u128::from(ucr_spec::MAX_SAFE_INTEGER));
        if !too_large || value.is_empty() {
            continue;
        }
        // An integer parameter fails to parse when given a word; a text parameter takes it.
        let as_word: Vec<(&str, &str)> = pairs
            .iter()
            .map(|(n, v)| (n.as_str(), if n == name { "x" } else { v.as_str() }))
            .collect();
        let numeric = serde_urlencoded::to_string(&as_word)
            .ok()
            .is_none_or(|q| serde_urlencoded::from_str::<Q>(&q).is_err());
        if numeric {
            return Err(invalid_parameter(
                name,
                format!(
                    "{value} is greater than {}, the largest integer the contract allows",
                    ucr_spec::MAX_SAFE_INTEGER
                ),
            )
            .into());
        }
    }
    Ok(parsed)
}

/// Parses the query string into a spec query type; failures name the parameter when they can.
fn parse_query_types<Q: DeserializeOwned>(query: &str) -> Result<Q, Refusal> {
    serde_urlencoded::from_str::<Q>(query).map_err(|error| {
        let pairs: Vec<(String, String)> = serde_urlencoded::from_str(query).unwrap_or_default();
        let mut seen = HashSet::new();
        let culprit = pairs.iter().find_map(|(name, value)| {
            if !seen.insert(name.as_str()) {
                return Some((name.clone(), "given more than once".to_owned()));
            }
            let single = serde_urlencoded::to_string([(name, value)]).ok()?;
            serde_urlencoded::from_str::<Q>(&single)
                .err()
                .map(|e| (name.clone(), e.to_string()))
        });
        match culprit {
            Some((name, reason)) => invalid_parameter(&name, reason).into(),
            None => ProblemType::InvalidParameter
                .problem(format!("the query string is not acceptable: {error}"))
                .into(),
        }
    })
}

/// Refuses a body declared as something other than JSON.
fn check_content_type(headers: &HeaderMap) -> Result<(), Refusal> {
    let Some(value) = headers.get(CONTENT_TYPE) else {
        return Ok(());
    };
    let essence = value
        .to_str()
        .unwrap_or("")
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    if essence == JSON || (essence.starts_with("application/") && essence.ends_with("+json")) {
        Ok(())
    } else {
        Err(ProblemType::MalformedRequest
            .problem(format!(
                "the body must be JSON (Content-Type: application/json), not {essence:?}"
            ))
            .into())
    }
}

fn malformed(error: serde_json::Error) -> Refusal {
    ProblemType::MalformedRequest
        .problem(format!(
            "the request body does not match the operation's schema: {error}"
        ))
        .into()
}

/// A required JSON body of type `T`.
pub(crate) fn parse_json<T: DeserializeOwned>(request: &ApiRequest<'_>) -> Result<T, Refusal> {
    check_content_type(request.headers)?;
    serde_json::from_slice(request.body).map_err(malformed)
}

/// An optional JSON body: empty means `T::default()`.
pub(crate) fn parse_optional<T: DeserializeOwned + Default>(
    request: &ApiRequest<'_>,
) -> Result<T, Refusal> {
    if request.body.trim_ascii().is_empty() {
        return Ok(T::default());
    }
    parse_json(request)
}

/// No body: empty or `{}`.
pub(crate) fn parse_empty(request: &ApiRequest<'_>) -> Result<(), Refusal> {
    /// An object with no fields.
    #[derive(serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    struct NoFields {}
    if request.body.trim_ascii().is_empty() {
        return Ok(());
    }
    check_content_type(request.headers)?;
    match serde_json::from_slice::<serde_json::Value>(request.body) {
        Ok(serde_json::Value::Object(_)) => serde_json::from_slice::<NoFields>(request.body)
            .map(|_| ())
            .map_err(malformed),
        Ok(_) => Err(ProblemType::MalformedRequest
            .problem("this operation takes no body; send none, or {}")
            .into()),
        Err(error) => Err(malformed(error)),
    }
}
