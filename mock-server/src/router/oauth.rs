//! The OAuth 2.0 token endpoint (`/v1/oauth/token`, client-credentials grant): a form-encoded
//! body, client authentication in the body or by HTTP Basic, and errors in RFC 6749 form
//! (`{error, error_description}`) rather than as problem documents.

use std::collections::HashSet;
use std::sync::{Mutex, PoisonError};

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use http::header::{ALLOW, AUTHORIZATION, CACHE_CONTROL, CONTENT_TYPE, PRAGMA, WWW_AUTHENTICATE};
use http::{HeaderMap, HeaderValue, Method, StatusCode};
use ucr_spec::platforms::OAuthError;

use super::exchange::{ApiRequest, ApiResponse, json};
use crate::registry::Registry;

/// The media type of a token request.
const FORM: &str = "application/x-www-form-urlencoded";

/// The OAuth 2.0 token endpoint (client-credentials grant, RFC 6749 section 4.4): a
/// form-encoded body, client authentication in the body or by HTTP Basic, errors as RFC 6749
/// JSON. Unrecognised parameters are ignored, as RFC 6749 requires.
pub(crate) fn issue_token(registry: &Mutex<Registry>, request: &ApiRequest<'_>) -> ApiResponse {
    if *request.method != Method::POST {
        let mut response = oauth_error(
            StatusCode::METHOD_NOT_ALLOWED,
            "invalid_request",
            "the token endpoint takes POST",
        );
        response
            .headers
            .insert(ALLOW, HeaderValue::from_static("POST"));
        return response;
    }
    let bad =
        |description: &str| oauth_error(StatusCode::BAD_REQUEST, "invalid_request", description);
    let essence = request
        .headers
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .map(|v| v.trim().to_ascii_lowercase());
    if essence.as_deref() != Some(FORM) {
        return bad(
            "send the parameters form-encoded (Content-Type: application/x-www-form-urlencoded)",
        );
    }
    let Ok(pairs) = serde_urlencoded::from_bytes::<Vec<(String, String)>>(request.body) else {
        return bad("the body is not a valid form-encoded parameter list");
    };
    let mut seen = HashSet::new();
    let known = ["grant_type", "client_id", "client_secret", "scope"];
    if let Some((name, _)) = pairs
        .iter()
        .find(|(name, _)| known.contains(&name.as_str()) && !seen.insert(name.as_str()))
    {
        return bad(&format!("parameter {name} is given more than once"));
    }
    let parameter = |name: &str| {
        pairs
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    };
    match parameter("grant_type") {
        None => return bad("grant_type is required; use grant_type=client_credentials"),
        Some("client_credentials") => {}
        Some(other) => {
            return oauth_error(
                StatusCode::BAD_REQUEST,
                "unsupported_grant_type",
                &format!("grant type {other:?} is not supported; use client_credentials"),
            );
        }
    }
    let basic = basic_credentials(request.headers);
    let used_basic = basic.is_some();
    let in_body = parameter("client_id").is_some() || parameter("client_secret").is_some();
    let credentials = match (basic, in_body) {
        (Some(Err(())), _) => return bad("the Authorization header is not valid HTTP Basic"),
        (Some(Ok(_)), true) => {
            return bad(
                "authenticate the client one way: HTTP Basic or client_id and client_secret in the body",
            );
        }
        (Some(Ok(pair)), false) => Some(pair),
        (None, _) => match (parameter("client_id"), parameter("client_secret")) {
            (Some(id), Some(secret)) => Some((id.to_owned(), secret.to_owned())),
            (None, None) => None,
            _ => return bad("send both client_id and client_secret"),
        },
    };
    let token = credentials.and_then(|(id, secret)| {
        registry
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .issue_token(&id, &secret)
    });
    let mut response = match token {
        Some(token) => json(StatusCode::OK, &token),
        None => {
            let mut response = oauth_error(
                StatusCode::UNAUTHORIZED,
                "invalid_client",
                "unknown client, wrong secret, or no client authentication; use the client_id and \
                 client_secret the platform was registered with",
            );
            if used_basic {
                response.headers.insert(
                    WWW_AUTHENTICATE,
                    HeaderValue::from_static("Basic realm=\"ucr\""),
                );
            }
            response
        }
    };
    response
        .headers
        .insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
        .headers
        .insert(PRAGMA, HeaderValue::from_static("no-cache"));
    response
}

/// HTTP Basic client credentials (RFC 6749 section 2.3.1: both parts form-encoded), if the request
/// sends `Authorization: Basic`; `Err` when that header is malformed.
fn basic_credentials(headers: &HeaderMap) -> Option<Result<(String, String), ()>> {
    let value = headers.get(AUTHORIZATION)?.to_str().ok()?.trim();
    let (scheme, encoded) = value.split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("basic") {
        return None;
    }
    let decode = || {
        let decoded = STANDARD.decode(encoded.trim()).ok()?;
        let text = String::from_utf8(decoded).ok()?;
        let (id, secret) = text.split_once(':')?;
        let unescape = |part: &str| -> Option<String> {
            let pairs: Vec<(String, String)> =
                serde_urlencoded::from_str(&format!("v={part}")).ok()?;
            pairs.into_iter().next().map(|(_, v)| v)
        };
        Some((unescape(id)?, unescape(secret)?))
    };
    Some(decode().ok_or(()))
}

/// An RFC 6749 error response from the token endpoint.
fn oauth_error(status: StatusCode, error: &str, description: &str) -> ApiResponse {
    json(
        status,
        &OAuthError {
            error: error.to_owned(),
            error_description: Some(description.to_owned()),
        },
    )
}
