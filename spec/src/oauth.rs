//! The authorization server's types: discovery metadata (RFC 8414), the authorization request and
//! the consent page's decision (authorization code with PKCE, RFC 6749 section 4.1 and RFC 7636),
//! token revocation (RFC 7009) and the sandbox's registration of representatives' OAuth clients.
//!
//! The token endpoint's request and response (shared with the client-credentials grant) are in
//! [`crate::platforms`]; the scopes and which operation needs which are in [`crate::scopes`].

use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

/// Lifetime of an authorization code, in seconds of the registry clock.
pub const AUTHORIZATION_CODE_LIFETIME_SECONDS: u64 = 60;

/// Lifetime of an access token issued by any grant, in seconds of the registry clock.
pub const ACCESS_TOKEN_LIFETIME_SECONDS: u64 = 3600;

/// Lifetime of a consent created through the authorization code flow, in days.
pub const FLOW_CONSENT_LIFETIME_DAYS: u64 = 365;

/// Authorization server metadata (RFC 8414 section 2), served at
/// `/.well-known/oauth-authorization-server`. Every URL is absolute.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[schema(example = json!({
    "issuer": "http://127.0.0.1:8080",
    "authorization_endpoint": "http://127.0.0.1:8080/v1/oauth/authorize",
    "token_endpoint": "http://127.0.0.1:8080/v1/oauth/token",
    "revocation_endpoint": "http://127.0.0.1:8080/v1/oauth/revoke",
    "response_types_supported": ["code"],
    "grant_types_supported": ["authorization_code", "refresh_token", "client_credentials"],
    "code_challenge_methods_supported": ["S256"],
    "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post", "none"],
    "revocation_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post", "none"],
    "scopes_supported": ["accounts:read", "transfers:write"]
}))]
pub struct AuthorizationServerMetadata {
    /// The registry's base URL (scheme, host and port, no path).
    pub issuer: String,
    /// Absolute URL of `authorize`.
    pub authorization_endpoint: String,
    /// Absolute URL of `issue_token`.
    pub token_endpoint: String,
    /// Absolute URL of `revoke_token`.
    pub revocation_endpoint: String,
    /// Always `["code"]`.
    pub response_types_supported: Vec<String>,
    /// `authorization_code`, `refresh_token` and `client_credentials`.
    pub grant_types_supported: Vec<String>,
    /// Always `["S256"]`: `plain` is refused.
    pub code_challenge_methods_supported: Vec<String>,
    /// `client_secret_basic`, `client_secret_post` and `none` (public clients).
    pub token_endpoint_auth_methods_supported: Vec<String>,
    /// The same as `token_endpoint_auth_methods_supported`.
    pub revocation_endpoint_auth_methods_supported: Vec<String>,
    /// Every representative scope and every consent scope (`consent:<scope>`).
    pub scopes_supported: Vec<String>,
}

/// The authorization request (RFC 6749 section 4.1.1 with PKCE, RFC 7636 section 4.3), as the
/// query of `GET /v1/oauth/authorize`.
///
/// Parameters are declared optional because the server, not the schema, answers a missing one:
/// without a known `client_id` and one of its exact `redirect_uris`, `400`; otherwise a redirect
/// carrying `error`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AuthorizeQuery {
    /// Must be `code`.
    #[param(example = "code")]
    pub response_type: Option<String>,
    /// The client's ID: a representative's own app (`create_oauth_client`) or a trading platform
    /// or third-party registry (`create_platform`).
    pub client_id: Option<String>,
    /// Exactly one of the client's registered redirect URIs (string comparison, no prefix or
    /// pattern matching).
    pub redirect_uri: Option<String>,
    /// Space-separated scopes: representative scopes (`accounts:read`, ...), or, for a trading
    /// platform or third-party registry, consent scopes (`consent:holdings_read`, ...), never both.
    #[param(example = "accounts:read transfers:write")]
    pub scope: Option<String>,
    /// Opaque value the client uses against CSRF; returned unchanged on the redirect.
    pub state: Option<String>,
    /// BASE64URL(SHA256(code_verifier)) without padding (43 characters).
    pub code_challenge: Option<String>,
    /// Must be `S256`; `plain` is refused.
    #[param(example = "S256")]
    pub code_challenge_method: Option<String>,
    /// The account the consent is asked for; required with consent scopes, refused without.
    pub account_id: Option<String>,
    /// Sandbox only: a representative ID. The request is approved at once as that
    /// representative, with no page: a `302` straight to the redirect URI (the non-interactive
    /// shortcut for automated tests). Ignored outside the sandbox.
    pub login_hint: Option<String>,
}

/// What the signed-in representative decided on the consent page.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum AuthorizationDecision {
    /// Grant what the client asks for.
    Approve,
    /// Refuse: the client receives `error=access_denied`.
    Decline,
}

/// The consent page's form (`POST /v1/oauth/authorize`, form-encoded).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct AuthorizationForm {
    /// The pending request, from the page's hidden field.
    pub request_id: String,
    /// The representative who signs in and decides (one of the page's options).
    pub representative_id: String,
    /// `approve` or `decline`.
    pub decision: AuthorizationDecision,
}

/// Token revocation request (RFC 7009 section 2.1), form-encoded.
///
/// A confidential client authenticates as at the token endpoint (HTTP Basic or `client_id` and
/// `client_secret` in the body); a public client sends `client_id` alone.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct RevocationRequest {
    /// The access or refresh token to revoke.
    pub token: String,
    /// `access_token` or `refresh_token`; a hint only, the server looks the token up either way.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token_type_hint: Option<String>,
    /// The client's ID, when it does not use HTTP Basic.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_id: Option<String>,
    /// The client's secret (confidential clients not using HTTP Basic).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_secret: Option<String>,
}

/// Whether an OAuth client can keep a secret (RFC 6749 section 2.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum OAuthClientType {
    /// Cannot keep a secret (a mobile or desktop app): authenticates with `client_id` alone and
    /// relies on PKCE.
    Public,
    /// Keeps a secret (a back-office system): authenticates with its `client_secret`.
    Confidential,
}

/// Request to register a representative's own OAuth client (sandbox).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "name": "Holder's mobile app",
    "client_type": "public",
    "redirect_uris": ["http://127.0.0.1:8765/callback"]
}))]
pub struct NewOAuthClient {
    /// The app's name, shown on the consent page; 1–200 characters, not blank.
    #[schema(min_length = 1, max_length = 200)]
    pub name: String,
    /// Public (mobile) or confidential (back-office).
    pub client_type: OAuthClientType,
    /// At least one, at most 10 absolute `http` or `https` URIs without a fragment.
    pub redirect_uris: Vec<String>,
}

/// A registered OAuth client and its credentials, returned once.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct OAuthClientCredential {
    /// The client ID.
    pub client_id: String,
    /// The client secret; confidential clients only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_secret: Option<String>,
    /// The app's name.
    pub name: String,
    /// Public or confidential.
    pub client_type: OAuthClientType,
    /// The registered redirect URIs.
    pub redirect_uris: Vec<String>,
}
