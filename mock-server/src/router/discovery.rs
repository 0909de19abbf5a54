//! Authorization server metadata (RFC 8414) at `/.well-known/oauth-authorization-server`: absolute
//! URLs built from the `Host` the request reached.

use http::StatusCode;
use http::header::HOST;
use ucr_spec::oauth::AuthorizationServerMetadata;
use ucr_spec::scopes::scopes_supported;

use super::exchange::{ApiRequest, ApiResponse, json};

/// The issuer when a request names no usable `Host` (HTTP/1.0 without one).
const DEFAULT_ISSUER: &str = "http://127.0.0.1";

/// The metadata, for the base URL the request reached.
pub(crate) fn metadata(request: &ApiRequest<'_>) -> ApiResponse {
    let issuer = issuer(request);
    let auth_methods = vec![
        "client_secret_basic".to_owned(),
        "client_secret_post".to_owned(),
        "none".to_owned(),
    ];
    json(
        StatusCode::OK,
        &AuthorizationServerMetadata {
            authorization_endpoint: format!("{issuer}/v1/oauth/authorize"),
            token_endpoint: format!("{issuer}/v1/oauth/token"),
            revocation_endpoint: format!("{issuer}/v1/oauth/revoke"),
            response_types_supported: vec!["code".to_owned()],
            grant_types_supported: ["authorization_code", "refresh_token", "client_credentials"]
                .map(str::to_owned)
                .to_vec(),
            code_challenge_methods_supported: vec!["S256".to_owned()],
            token_endpoint_auth_methods_supported: auth_methods.clone(),
            revocation_endpoint_auth_methods_supported: auth_methods,
            scopes_supported: scopes_supported(),
            issuer,
        },
    )
}

/// `http://<Host>`: the mock serves plain HTTP. A `Host` that is not a plain authority (it has a
/// path, spaces or user information) is ignored.
fn issuer(request: &ApiRequest<'_>) -> String {
    request
        .headers
        .get(HOST)
        .and_then(|h| h.to_str().ok())
        .map(str::trim)
        .filter(|h| {
            !h.is_empty()
                && h.bytes().all(|b| {
                    b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b':' | b'[' | b']')
                })
        })
        .map_or_else(|| DEFAULT_ISSUER.to_owned(), |h| format!("http://{h}"))
}
