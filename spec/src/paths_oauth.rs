//! Operations of the authorization server (issue 13): discovery, the authorization endpoint and
//! its consent page, token revocation, and the sandbox's registration of representatives' OAuth
//! clients. The token endpoint itself (`issue_token`) is in [`crate::paths_platforms`].

#![allow(dead_code)]

use crate::oauth::{
    AuthorizationForm, AuthorizationServerMetadata, AuthorizeQuery, NewOAuthClient,
    OAuthClientCredential, RevocationRequest,
};
use crate::platforms::OAuthError;

/// Authorization server metadata (RFC 8414).
///
/// Public. The URLs are absolute, built from the scheme, host and port the request reached.
#[utoipa::path(get, path = "/.well-known/oauth-authorization-server", tag = "authorization", operation_id = "get_authorization_server_metadata",
    responses((status = 200, description = "The metadata.", body = AuthorizationServerMetadata)))]
pub fn get_authorization_server_metadata() {}

/// Start the authorization code flow: the sign-in and consent page (RFC 6749 section 4.1.1, PKCE
/// S256 required).
///
/// Public; a browser opens it. An unknown `client_id`, or a `redirect_uri` that is not exactly one
/// of the client's registered URIs, answers a `400` problem and never redirects. Any other error
/// redirects (`302`) to the redirect URI with `error` (`invalid_request`, `invalid_scope`,
/// `unsupported_response_type`), `error_description` and `state`. A valid request answers the
/// page: a form with the representatives who may approve, the client's name, the account and
/// every scope in words, and approve and decline buttons. With `login_hint` (sandbox only) the
/// request is approved at once as that representative: `302` to the redirect URI with `code` and
/// `state` (`error=invalid_request` when it names no representative who may approve).
#[utoipa::path(get, path = "/v1/oauth/authorize", tag = "authorization", operation_id = "authorize",
    params(AuthorizeQuery),
    responses(
        (status = 200, description = "The sign-in and consent page (HTML form, no JavaScript).", content_type = "text/html", body = String),
        (status = 302, description = "Redirect to the client's redirect URI: `code` and `state` (the `login_hint` shortcut), or `error`, `error_description` and `state`.",
            headers(("Location" = String, description = "The redirect URI with the result in its query.")))))]
pub fn authorize() {}

/// Submit the consent page's decision.
///
/// Public; the page's form posts it. Approve answers `303` to the redirect URI with `code` and
/// `state`; decline answers `303` with `error=access_denied` and `state`. An unknown or already
/// decided `request_id`, or a representative not offered on the page, answers `400`. The redirect
/// carries only `code` (or `error`) and `state`: tokens never appear in a URL.
#[utoipa::path(post, path = "/v1/oauth/authorize", tag = "authorization", operation_id = "decide_authorization",
    request_body(content = AuthorizationForm, content_type = "application/x-www-form-urlencoded"),
    responses(
        (status = 303, description = "Redirect to the client's redirect URI with `code` and `state`, or `error=access_denied` and `state`.",
            headers(("Location" = String, description = "The redirect URI with the result in its query.")))))]
pub fn decide_authorization() {}

/// Revoke an access or refresh token (RFC 7009).
///
/// The client authenticates as at the token endpoint (a public client sends `client_id` alone).
/// The answer is `200` with an empty body whether or not the token was known; revoking a refresh
/// token also revokes every access token of its authorization. Errors are RFC 6749 JSON: `400
/// invalid_request`, `401 invalid_client`.
#[utoipa::path(post, path = "/v1/oauth/revoke", tag = "authorization", operation_id = "revoke_token",
    request_body(content = RevocationRequest, content_type = "application/x-www-form-urlencoded"),
    responses(
        (status = 200, description = "Revoked, or unknown; a token of another client is left valid (`REQ-AUTHZ-022`)."),
        (status = 400, description = "Malformed request.", body = OAuthError),
        (status = 401, description = "Client authentication failed.", body = OAuthError,
            headers(("WWW-Authenticate" = String, description = "`Basic` (with any parameters, e.g. `realm`) when the client tried HTTP Basic")))))]
pub fn revoke_token() {}

/// Register a representative's own OAuth client (sandbox): a mobile app (public) or a
/// back-office system (confidential).
#[utoipa::path(post, path = "/v1/sandbox/oauth-clients", tag = "sandbox", operation_id = "create_oauth_client",
    request_body = NewOAuthClient,
    responses((status = 201, description = "The client and its credentials.", body = OAuthClientCredential)))]
pub fn create_oauth_client() {}
