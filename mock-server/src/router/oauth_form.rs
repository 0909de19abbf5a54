//! What the token and revocation endpoints share: the form-encoded body (RFC 6749 section 3.2;
//! a known parameter given twice is refused, unknown ones are ignored), client credentials by
//! HTTP Basic or in the body (section 2.3.1), and errors as RFC 6749 JSON with `no-store`.

use std::collections::HashSet;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use http::header::{AUTHORIZATION, CACHE_CONTROL, CONTENT_TYPE, PRAGMA, WWW_AUTHENTICATE};
use http::{HeaderMap, HeaderValue, StatusCode};
use ucr_spec::platforms::OAuthError;

use super::exchange::{ApiRequest, ApiResponse, json};

/// The media type of a token or revocation request.
const FORM: &str = "application/x-www-form-urlencoded";

/// A parsed form body.
pub(super) struct Form(Vec<(String, String)>);

impl Form {
    /// The value of `name`, if given.
    pub(super) fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
}

/// Parses a form body: `400 invalid_request` for another media type, a body that is not a form,
/// or a parameter of `known` given more than once.
pub(super) fn parse_form(request: &ApiRequest<'_>, known: &[&str]) -> Result<Form, ApiResponse> {
    let essence = request
        .headers
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .map(|v| v.trim().to_ascii_lowercase());
    if essence.as_deref() != Some(FORM) {
        return Err(invalid_request(
            "send the parameters form-encoded (Content-Type: application/x-www-form-urlencoded)",
        ));
    }
    let Ok(pairs) = serde_urlencoded::from_bytes::<Vec<(String, String)>>(request.body) else {
        return Err(invalid_request(
            "the body is not a valid form-encoded parameter list",
        ));
    };
    let mut seen = HashSet::new();
    if let Some((name, _)) = pairs
        .iter()
        .find(|(name, _)| known.contains(&name.as_str()) && !seen.insert(name.as_str()))
    {
        return Err(invalid_request(&format!(
            "parameter {name} is given more than once"
        )));
    }
    Ok(Form(pairs))
}

/// How the client identified itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum ClientCredentials {
    /// Neither HTTP Basic nor `client_id`.
    None,
    /// `client_id` alone: a public client.
    IdOnly(String),
    /// ID and secret, by HTTP Basic (`basic`) or in the body.
    Secret {
        id: String,
        secret: String,
        basic: bool,
    },
}

impl ClientCredentials {
    /// Whether the client tried HTTP Basic (its `401` then carries a Basic challenge).
    pub(super) fn used_basic(&self) -> bool {
        matches!(self, ClientCredentials::Secret { basic: true, .. })
    }
}

/// The client's credentials: `400 invalid_request` for malformed HTTP Basic, for Basic and body
/// credentials at once, and for a secret without `client_id`.
pub(super) fn client_credentials(
    headers: &HeaderMap,
    form: &Form,
) -> Result<ClientCredentials, ApiResponse> {
    let in_body = form.get("client_id").is_some() || form.get("client_secret").is_some();
    match (basic_credentials(headers), in_body) {
        (Some(Err(())), _) => Err(invalid_request(
            "the Authorization header is not valid HTTP Basic",
        )),
        (Some(Ok(_)), true) => Err(invalid_request(
            "authenticate the client one way: HTTP Basic or client_id and client_secret in the body",
        )),
        (Some(Ok((id, secret))), false) => Ok(ClientCredentials::Secret {
            id,
            secret,
            basic: true,
        }),
        (None, _) => match (form.get("client_id"), form.get("client_secret")) {
            (Some(id), Some(secret)) => Ok(ClientCredentials::Secret {
                id: id.to_owned(),
                secret: secret.to_owned(),
                basic: false,
            }),
            (Some(id), None) => Ok(ClientCredentials::IdOnly(id.to_owned())),
            (None, None) => Ok(ClientCredentials::None),
            (None, Some(_)) => Err(invalid_request("send client_id with client_secret")),
        },
    }
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

/// An RFC 6749 error response.
pub(super) fn oauth_error(status: StatusCode, error: &str, description: &str) -> ApiResponse {
    json(
        status,
        &OAuthError {
            error: error.to_owned(),
            error_description: Some(description.to_owned()),
        },
    )
}

/// `400 invalid_request`.
pub(super) fn invalid_request(description: &str) -> ApiResponse {
    oauth_error(StatusCode::BAD_REQUEST, "invalid_request", description)
}

/// `401 invalid_client`, with a Basic challenge when the client tried HTTP Basic.
pub(super) fn invalid_client(credentials: &ClientCredentials) -> ApiResponse {
    let mut response = oauth_error(
        StatusCode::UNAUTHORIZED,
        "invalid_client",
        "unknown client, wrong secret, or no client authentication; a confidential client sends \
         its client_id and client_secret (HTTP Basic or the body), a public client its client_id \
         alone",
    );
    if credentials.used_basic() {
        response.headers.insert(
            WWW_AUTHENTICATE,
            HeaderValue::from_static("Basic realm=\"ucr\""),
        );
    }
    response
}

/// Marks a token endpoint response as not to be cached (RFC 6749 section 5.1).
pub(super) fn no_store(mut response: ApiResponse) -> ApiResponse {
    response
        .headers
        .insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
        .headers
        .insert(PRAGMA, HeaderValue::from_static("no-cache"));
    response
}
