//! OAuth 2.0 authorization code flow with PKCE (RFC 6749 section 4.1, RFC 7636 S256): a
//! representative's own app signs in, or a platform asks a representative for consent; then the
//! code is exchanged, tokens are refreshed (keeping the rotated refresh token) and revoked
//! (RFC 7009), and a client refreshes its access token before it expires.

use std::fmt;
use std::sync::Arc;
use std::time::{Duration, Instant};

use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use futures::FutureExt;
use futures::future::BoxFuture;
use reqwest::Url;
use serde::Deserialize;
use sha2::{Digest, Sha256};

use crate::generated::Client;
use crate::secret::{AccessToken, Secret};

/// The path of the discovery document (RFC 8414 section 3).
const DISCOVERY_PATH: &str = "/.well-known/oauth-authorization-server";

/// Why a step of the authorization code flow failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum AuthorizationError {
    /// The request did not reach the registry or its answer could not be read.
    #[error("transport: {0}")]
    Transport(#[from] reqwest::Error),
    /// The redirect's `state` is not the one this authorization request sent: the redirect may be
    /// forged (a login CSRF), so its code is not exchanged.
    #[error("the redirect's state does not match the authorization request's (possible CSRF)")]
    StateMismatch,
    /// The authorization server answered the authorization request with an error at the redirect
    /// URI (RFC 6749 section 4.1.2.1), e.g. `access_denied` when the representative declined.
    #[error("authorization refused: {error}{}", describe(.description))]
    AuthorizationRefused {
        /// The `error` code, e.g. `access_denied` or `invalid_scope`.
        error: String,
        /// The `error_description`, if any.
        description: Option<String>,
    },
    /// The token or revocation endpoint refused the request (RFC 6749 section 5.2), e.g.
    /// `invalid_grant` for a used code or refresh token.
    #[error("HTTP {status} {error}{}", describe(.description))]
    TokenRefused {
        /// The HTTP status.
        status: u16,
        /// The `error` code.
        error: String,
        /// The `error_description`, if any.
        description: Option<String>,
    },
    /// An answer the protocol does not allow: a redirect with neither code nor error, a token
    /// response without an access token, a discovery document that does not parse.
    #[error("unexpected answer: {0}")]
    Unexpected(String),
}

fn describe(description: &Option<String>) -> String {
    description
        .as_ref()
        .map(|d| format!(" ({d})"))
        .unwrap_or_default()
}

/// An authorization server's metadata (RFC 8414): where to send the user and the code.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct ServerMetadata {
    /// The issuer: the registry's base URL.
    pub issuer: String,
    /// Where the user's browser is sent to sign in and approve.
    pub authorization_endpoint: String,
    /// Where codes and refresh tokens are exchanged for tokens.
    pub token_endpoint: String,
    /// Where tokens are revoked (RFC 7009).
    #[serde(default)]
    pub revocation_endpoint: Option<String>,
    /// The scopes the server knows.
    #[serde(default)]
    pub scopes_supported: Vec<String>,
    /// The PKCE methods the server accepts (`S256`).
    #[serde(default)]
    pub code_challenge_methods_supported: Vec<String>,
}

impl ServerMetadata {
    /// The registry's endpoints at their conventional paths under `base_url`, without asking it.
    pub fn for_base_url(base_url: &str) -> Self {
        let base = base_url.trim_end_matches('/');
        ServerMetadata {
            issuer: base.to_owned(),
            authorization_endpoint: format!("{base}/v1/oauth/authorize"),
            token_endpoint: format!("{base}/v1/oauth/token"),
            revocation_endpoint: Some(format!("{base}/v1/oauth/revoke")),
            scopes_supported: Vec::new(),
            code_challenge_methods_supported: vec!["S256".to_owned()],
        }
    }

    /// Fetches the registry's discovery document (`/.well-known/oauth-authorization-server`).
    pub async fn discover(client: &Client) -> Result<Self, AuthorizationError> {
        let url = format!("{}{DISCOVERY_PATH}", client.baseurl());
        let response = client.client().get(&url).send().await?;
        let status = response.status();
        let body = response.bytes().await?;
        if !status.is_success() {
            return Err(AuthorizationError::Unexpected(format!(
                "GET {DISCOVERY_PATH}: HTTP {}",
                status.as_u16()
            )));
        }
        let metadata: ServerMetadata = serde_json::from_slice(&body)
            .map_err(|e| AuthorizationError::Unexpected(format!("GET {DISCOVERY_PATH}: {e}")))?;
        if !metadata.code_challenge_methods_supported.is_empty()
            && !metadata
                .code_challenge_methods_supported
                .iter()
                .any(|m| m == "S256")
        {
            return Err(AuthorizationError::Unexpected(
                "the authorization server does not offer PKCE S256".to_owned(),
            ));
        }
        Ok(metadata)
    }
}

use crate::generated::ClientInfo as _;

/// A registered OAuth client application: a representative's app (public: a mobile app, no
/// secret; confidential: a back-office system) or a platform asking for consent.
#[derive(Clone)]
pub struct OAuthApp {
    client_id: String,
    client_secret: Option<Secret>,
    redirect_uri: String,
    metadata: ServerMetadata,
    http: reqwest::Client,
}

impl fmt::Debug for OAuthApp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OAuthApp")
            .field("client_id", &self.client_id)
            .field("client_secret", &self.client_secret)
            .field("redirect_uri", &self.redirect_uri)
            .field("issuer", &self.metadata.issuer)
            .finish()
    }
}

impl OAuthApp {
    /// A public client (no secret) with this registered redirect URI, talking to the server
    /// `metadata` describes through `client`'s connections.
    pub fn public(
        client: &Client,
        metadata: ServerMetadata,
        client_id: impl Into<String>,
        redirect_uri: impl Into<String>,
    ) -> Self {
        OAuthApp {
            client_id: client_id.into(),
            client_secret: None,
            redirect_uri: redirect_uri.into(),
            metadata,
            http: client.client().clone(),
        }
    }

    /// A confidential client: it authenticates at the token and revocation endpoints with HTTP
    /// Basic (`client_secret_basic`).
    pub fn confidential(
        client: &Client,
        metadata: ServerMetadata,
        client_id: impl Into<String>,
        client_secret: impl AsRef<str>,
        redirect_uri: impl Into<String>,
    ) -> Self {
        OAuthApp {
            client_secret: Some(Secret::new(client_secret)),
            ..OAuthApp::public(client, metadata, client_id, redirect_uri)
        }
    }

    /// The client ID.
    pub fn client_id(&self) -> &str {
        &self.client_id
    }

    /// The redirect URI every authorization request and code exchange of this app uses.
    pub fn redirect_uri(&self) -> &str {
        &self.redirect_uri
    }

    /// The server this app talks to.
    pub fn metadata(&self) -> &ServerMetadata {
        &self.metadata
    }

    /// Starts an authorization request for `scopes`.
    pub fn authorization_request<S: Into<String>>(
        &self,
        scopes: impl IntoIterator<Item = S>,
    ) -> AuthorizationRequest {
        AuthorizationRequest {
            authorization_endpoint: self.metadata.authorization_endpoint.clone(),
            client_id: self.client_id.clone(),
            redirect_uri: self.redirect_uri.clone(),
            scopes: scopes.into_iter().map(Into::into).collect(),
            account_id: None,
            login_hint: None,
        }
    }

    /// Exchanges the code the authorization server sent to the redirect URI for tokens, after
    /// checking that the redirect's `state` is the request's (else
    /// [`AuthorizationError::StateMismatch`], and nothing is sent). `redirected_to` is the full
    /// URL the browser was sent to. A redirect carrying an `error` (the representative declined:
    /// `access_denied`) gives [`AuthorizationError::AuthorizationRefused`].
    pub async fn exchange_code(
        &self,
        pending: &PendingAuthorization,
        redirected_to: &str,
    ) -> Result<TokenSet, AuthorizationError> {
        let code = pending.code_from(redirected_to)?;
        self.exchange_code_unchecked(&code, pending.verifier.expose())
            .await
    }

    /// Exchanges `code` with `code_verifier` without looking at a redirect (for callers that
    /// already checked the `state` themselves).
    pub async fn exchange_code_unchecked(
        &self,
        code: &str,
        code_verifier: &str,
    ) -> Result<TokenSet, AuthorizationError> {
        self.token_request(&[
            ("grant_type", "authorization_code"),
            ("code", code),
            ("redirect_uri", &self.redirect_uri),
            ("code_verifier", code_verifier),
        ])
        .await
    }

    /// Exchanges the refresh token of `tokens` for new tokens. The registry rotates refresh
    /// tokens: the returned set holds the new one, and the old one must not be used again (a
    /// reused refresh token revokes every token of the authorization). `scope` narrows the new
    /// access token to some of the approved scopes.
    pub async fn refresh(
        &self,
        tokens: &TokenSet,
        scope: Option<&[&str]>,
    ) -> Result<TokenSet, AuthorizationError> {
        let refresh_token = tokens.refresh_token.as_ref().ok_or_else(|| {
            AuthorizationError::Unexpected("these tokens have no refresh token".to_owned())
        })?;
        let scope = scope.map(|s| s.join(" "));
        let mut form = vec![
            ("grant_type", "refresh_token"),
            ("refresh_token", refresh_token.expose()),
        ];
        if let Some(scope) = &scope {
            form.push(("scope", scope));
        }
        let mut fresh = self.token_request(&form).await?;
        if fresh.refresh_token.is_none() {
            // RFC 6749 section 6: a server that does not rotate leaves the old one valid.
            fresh.refresh_token = tokens.refresh_token.clone();
        }
        Ok(fresh)
    }

    /// Revokes `token` (an access or a refresh token) at the revocation endpoint (RFC 7009).
    /// Revoking a refresh token also revokes the access tokens issued with it. The registry
    /// answers `200` whether or not it knew the token.
    pub async fn revoke(
        &self,
        token: &str,
        hint: Option<TokenTypeHint>,
    ) -> Result<(), AuthorizationError> {
        let endpoint = self.metadata.revocation_endpoint.clone().ok_or_else(|| {
            AuthorizationError::Unexpected("the server has no revocation endpoint".to_owned())
        })?;
        let mut form = vec![("token", token)];
        if let Some(hint) = hint {
            form.push(("token_type_hint", hint.as_str()));
        }
        let response = self.authenticated_post(&endpoint, &form).send().await?;
        let status = response.status();
        let body = response.bytes().await?;
        if status.is_success() {
            return Ok(());
        }
        Err(refusal(status.as_u16(), &body))
    }

    /// Revokes both tokens of `tokens`: the refresh token first (which ends the whole
    /// authorization), then the access token.
    pub async fn revoke_all(&self, tokens: &TokenSet) -> Result<(), AuthorizationError> {
        if let Some(refresh) = &tokens.refresh_token {
            self.revoke(refresh.expose(), Some(TokenTypeHint::RefreshToken))
                .await?;
        }
        self.revoke(
            tokens.access_token.expose(),
            Some(TokenTypeHint::AccessToken),
        )
        .await
    }

    /// A form POST to `url` with this client's authentication: HTTP Basic for a confidential
    /// client, `client_id` in the body for a public one.
    fn authenticated_post(&self, url: &str, form: &[(&str, &str)]) -> reqwest::RequestBuilder {
        let mut form: Vec<(&str, &str)> = form.to_vec();
        let request = self.http.post(url);
        let request = match &self.client_secret {
            Some(secret) => {
                let pair = format!(
                    "{}:{}",
                    form_encode(&self.client_id),
                    form_encode(secret.expose())
                );
                let mut value = reqwest::header::HeaderValue::from_str(&format!(
                    "Basic {}",
                    STANDARD.encode(pair)
                ))
                .expect("base64 is a valid header value");
                value.set_sensitive(true);
                request.header(reqwest::header::AUTHORIZATION, value)
            }
            None => {
                form.push(("client_id", &self.client_id));
                request
            }
        };
        let body = serde_urlencoded::to_string(&form).expect("string pairs always encode");
        request
            .header(
                reqwest::header::CONTENT_TYPE,
                "application/x-www-form-urlencoded",
            )
            .body(body)
    }

    async fn token_request(&self, form: &[(&str, &str)]) -> Result<TokenSet, AuthorizationError> {
        let obtained = Instant::now();
        let response = self
            .authenticated_post(&self.metadata.token_endpoint, form)
            .send()
            .await?;
        let status = response.status();
        let body = response.bytes().await?;
        if !status.is_success() {
            return Err(refusal(status.as_u16(), &body));
        }
        let parsed: TokenResponse = serde_json::from_slice(&body).map_err(|e| {
            AuthorizationError::Unexpected(format!("the token response does not parse: {e}"))
        })?;
        if !parsed.token_type.eq_ignore_ascii_case("bearer") || parsed.access_token.is_empty() {
            return Err(AuthorizationError::Unexpected(format!(
                "the token response has token_type {:?} or an empty access token",
                parsed.token_type
            )));
        }
        Ok(TokenSet {
            access_token: Secret::new(parsed.access_token),
            refresh_token: parsed.refresh_token.map(Secret::new),
            scopes: parsed
                .scope
                .unwrap_or_default()
                .split_whitespace()
                .map(str::to_owned)
                .collect(),
            lifetime: Duration::from_secs(parsed.expires_in),
            obtained,
        })
    }
}

/// A value form-encoded as RFC 6749 section 2.3.1 asks for the parts of HTTP Basic credentials.
fn form_encode(value: &str) -> String {
    url::form_urlencoded::byte_serialize(value.as_bytes()).collect()
}

/// An RFC 6749 section 5.2 error, or the raw answer when it is not one.
fn refusal(status: u16, body: &[u8]) -> AuthorizationError {
    #[derive(Deserialize)]
    struct OAuthErrorBody {
        error: String,
        #[serde(default)]
        error_description: Option<String>,
    }
    match serde_json::from_slice::<OAuthErrorBody>(body) {
        Ok(e) => AuthorizationError::TokenRefused {
            status,
            error: e.error,
            description: e.error_description,
        },
        Err(_) => AuthorizationError::Unexpected(format!(
            "HTTP {status}: {}",
            String::from_utf8_lossy(&body[..body.len().min(300)])
        )),
    }
}

/// A successful token response (RFC 6749 section 5.1).
#[derive(Deserialize)]
struct TokenResponse {
    access_token: String,
    token_type: String,
    expires_in: u64,
    #[serde(default)]
    refresh_token: Option<String>,
    #[serde(default)]
    scope: Option<String>,
}

/// Which kind of token a revocation names (RFC 7009 section 2.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenTypeHint {
    /// An access token.
    AccessToken,
    /// A refresh token.
    RefreshToken,
}

impl TokenTypeHint {
    fn as_str(self) -> &'static str {
        match self {
            TokenTypeHint::AccessToken => "access_token",
            TokenTypeHint::RefreshToken => "refresh_token",
        }
    }
}

/// An authorization request being built: scopes, and for a consent scope the account.
#[derive(Debug, Clone)]
pub struct AuthorizationRequest {
    authorization_endpoint: String,
    client_id: String,
    redirect_uri: String,
    scopes: Vec<String>,
    account_id: Option<String>,
    login_hint: Option<String>,
}

impl AuthorizationRequest {
    /// The account a consent scope is asked for (required with `consent:*` scopes).
    pub fn account_id(mut self, account_id: impl Into<String>) -> Self {
        self.account_id = Some(account_id.into());
        self
    }

    /// Sandbox only: the representative who approves at once, with no page (the documented
    /// shortcut for automated tests). A production registry ignores or refuses it.
    pub fn login_hint(mut self, representative_id: impl Into<String>) -> Self {
        self.login_hint = Some(representative_id.into());
        self
    }

    /// Makes a fresh PKCE verifier (32 random bytes, 43 characters), its S256 challenge and a
    /// random `state`, and the URL to send the user's browser to.
    pub fn build(self) -> Result<PendingAuthorization, AuthorizationError> {
        let verifier = random_token(32);
        let state = random_token(16);
        let mut url = Url::parse(&self.authorization_endpoint).map_err(|e| {
            AuthorizationError::Unexpected(format!(
                "the authorization endpoint {:?} is not a URL: {e}",
                self.authorization_endpoint
            ))
        })?;
        {
            let mut query = url.query_pairs_mut();
            query
                .append_pair("response_type", "code")
                .append_pair("client_id", &self.client_id)
                .append_pair("redirect_uri", &self.redirect_uri)
                .append_pair("scope", &self.scopes.join(" "))
                .append_pair("state", &state)
                .append_pair("code_challenge", &code_challenge(&verifier))
                .append_pair("code_challenge_method", "S256");
            if let Some(account_id) = &self.account_id {
                query.append_pair("account_id", account_id);
            }
            if let Some(hint) = &self.login_hint {
                query.append_pair("login_hint", hint);
            }
        }
        Ok(PendingAuthorization {
            url,
            state,
            verifier: Secret::new(verifier),
        })
    }
}

/// A started authorization: the URL to open, and what the code exchange needs (keep it until the
/// redirect arrives, and do not reuse it).
#[derive(Debug, Clone)]
pub struct PendingAuthorization {
    url: Url,
    state: String,
    verifier: Secret,
}

impl PendingAuthorization {
    /// The authorization URL to open in the user's browser.
    pub fn url(&self) -> &Url {
        &self.url
    }

    /// The random `state` the redirect must echo.
    pub fn state(&self) -> &str {
        &self.state
    }

    /// The PKCE code verifier (secret until the code is exchanged).
    pub fn code_verifier(&self) -> &str {
        self.verifier.expose()
    }

    /// The code of a redirect to the redirect URI, once its `state` is checked.
    pub fn code_from(&self, redirected_to: &str) -> Result<String, AuthorizationError> {
        let url = Url::parse(redirected_to).map_err(|e| {
            AuthorizationError::Unexpected(format!("the redirect {redirected_to:?}: {e}"))
        })?;
        let parameter = |name: &str| {
            url.query_pairs()
                .find(|(n, _)| n == name)
                .map(|(_, v)| v.into_owned())
        };
        if parameter("state").as_deref() != Some(self.state.as_str()) {
            return Err(AuthorizationError::StateMismatch);
        }
        if let Some(error) = parameter("error") {
            return Err(AuthorizationError::AuthorizationRefused {
                error,
                description: parameter("error_description"),
            });
        }
        parameter("code").ok_or_else(|| {
            AuthorizationError::Unexpected("the redirect carries neither code nor error".into())
        })
    }
}

/// `bytes` random bytes from the thread's CSPRNG, base64url without padding.
fn random_token(bytes: usize) -> String {
    let mut buffer = vec![0u8; bytes];
    rand::fill(buffer.as_mut_slice());
    URL_SAFE_NO_PAD.encode(buffer)
}

/// The S256 code challenge of a verifier: BASE64URL(SHA256(verifier)) (RFC 7636 section 4.2).
pub fn code_challenge(verifier: &str) -> String {
    URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()))
}

/// The tokens of one authorization: access token, refresh token and the approved scopes.
#[derive(Clone)]
pub struct TokenSet {
    access_token: Secret,
    refresh_token: Option<Secret>,
    scopes: Vec<String>,
    lifetime: Duration,
    obtained: Instant,
}

impl fmt::Debug for TokenSet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TokenSet")
            .field("access_token", &self.access_token)
            .field("refresh_token", &self.refresh_token)
            .field("scopes", &self.scopes)
            .field("expires_in", &self.lifetime.as_secs())
            .finish()
    }
}

impl TokenSet {
    /// The bearer token.
    pub fn access_token(&self) -> &str {
        self.access_token.expose()
    }

    /// The refresh token, if the server issued one.
    pub fn refresh_token(&self) -> Option<&str> {
        self.refresh_token.as_ref().map(Secret::expose)
    }

    /// The scopes the access token carries.
    pub fn scopes(&self) -> &[String] {
        &self.scopes
    }

    /// The access token's lifetime when issued (`expires_in`).
    pub fn expires_in(&self) -> Duration {
        self.lifetime
    }

    fn cached(&self) -> AccessToken {
        AccessToken {
            token: self.access_token.clone(),
            obtained: self.obtained,
            lifetime: self.lifetime,
        }
    }
}

/// The tokens of a signed-in user, refreshed before the access token expires (the same margin as
/// client credentials: a tenth of its life, at most a minute). Clones share the tokens; after a
/// refresh, [`UserTokens::current`] holds the rotated refresh token to persist.
#[derive(Clone)]
pub struct UserTokens(Arc<Refreshing>);

struct Refreshing {
    app: OAuthApp,
    tokens: tokio::sync::Mutex<TokenSet>,
}

impl fmt::Debug for UserTokens {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("UserTokens")
            .field("client_id", &self.0.app.client_id)
            .finish_non_exhaustive()
    }
}

impl UserTokens {
    /// Tokens of `app`, refreshed through it.
    pub fn new(app: OAuthApp, tokens: TokenSet) -> Self {
        UserTokens(Arc::new(Refreshing {
            app,
            tokens: tokio::sync::Mutex::new(tokens),
        }))
    }

    /// The tokens as they are now (after any refresh).
    pub async fn current(&self) -> TokenSet {
        self.0.tokens.lock().await.clone()
    }

    /// The access token to send now, refreshing first when it is about to expire. Concurrent
    /// callers wait for one refresh.
    pub(crate) fn token(&self) -> BoxFuture<'_, Result<Secret, AuthorizationError>> {
        async move {
            let mut tokens = self.0.tokens.lock().await;
            if tokens.cached().is_fresh(Instant::now()) || tokens.refresh_token.is_none() {
                return Ok(tokens.access_token.clone());
            }
            let fresh = self.0.app.refresh(&tokens, None).await?;
            *tokens = fresh;
            Ok(tokens.access_token.clone())
        }
        .boxed()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn client(base: &str) -> Client {
        Client::builder(base).build().expect("a client")
    }

    #[test]
    fn the_challenge_is_rfc_7636s_example() {
        // RFC 7636 appendix B.
        assert_eq!(
            code_challenge("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"),
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
        );
    }

    #[test]
    fn the_url_carries_a_fresh_verifiers_challenge_and_state() {
        let metadata = ServerMetadata::for_base_url("http://127.0.0.1:9/");
        let app = OAuthApp::public(
            &client("http://127.0.0.1:9"),
            metadata,
            "app-1",
            "http://127.0.0.1:8/cb",
        );
        let first = app
            .authorization_request(["accounts:read", "transfers:write"])
            .login_hint("REP-1")
            .build()
            .unwrap();
        let second = app
            .authorization_request(["accounts:read"])
            .build()
            .unwrap();
        let verifier = first.code_verifier();
        assert!((43..=128).contains(&verifier.len()), "{verifier}");
        assert!(
            verifier
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"-._~".contains(&b))
        );
        assert_ne!(verifier, second.code_verifier());
        assert_ne!(first.state(), second.state());
        assert!(first.state().len() >= 22);
        let url = first.url();
        assert_eq!(url.path(), "/v1/oauth/authorize");
        let pairs: Vec<(String, String)> = url.query_pairs().into_owned().collect();
        let get = |name: &str| {
            pairs
                .iter()
                .find(|(n, _)| n == name)
                .map(|(_, v)| v.as_str())
        };
        assert_eq!(get("response_type"), Some("code"));
        assert_eq!(get("client_id"), Some("app-1"));
        assert_eq!(get("redirect_uri"), Some("http://127.0.0.1:8/cb"));
        assert_eq!(get("scope"), Some("accounts:read transfers:write"));
        assert_eq!(get("state"), Some(first.state()));
        assert_eq!(get("code_challenge_method"), Some("S256"));
        assert_eq!(
            get("code_challenge"),
            Some(code_challenge(verifier).as_str())
        );
        assert_eq!(get("login_hint"), Some("REP-1"));
        assert_eq!(get("account_id"), None);
        assert!(
            !url.as_str().contains(verifier),
            "the verifier stays secret"
        );
    }

    #[test]
    fn a_redirect_is_read_only_when_its_state_matches() {
        let app = OAuthApp::public(
            &client("http://127.0.0.1:9"),
            ServerMetadata::for_base_url("http://127.0.0.1:9"),
            "app-1",
            "http://127.0.0.1:8/cb",
        );
        let pending = app
            .authorization_request(["accounts:read"])
            .build()
            .unwrap();
        let state = pending.state().to_owned();
        let ok = format!("http://127.0.0.1:8/cb?code=abc&state={state}");
        assert_eq!(pending.code_from(&ok).unwrap(), "abc");
        for forged in [
            "http://127.0.0.1:8/cb?code=abc".to_owned(),
            "http://127.0.0.1:8/cb?code=abc&state=other".to_owned(),
            "http://127.0.0.1:8/cb?error=access_denied".to_owned(),
        ] {
            assert!(
                matches!(
                    pending.code_from(&forged),
                    Err(AuthorizationError::StateMismatch)
                ),
                "{forged}"
            );
        }
        let declined = format!("http://127.0.0.1:8/cb?error=access_denied&state={state}");
        assert!(matches!(
            pending.code_from(&declined),
            Err(AuthorizationError::AuthorizationRefused { error, .. }) if error == "access_denied"
        ));
    }

    #[tokio::test]
    async fn exchange_refresh_and_revoke_send_what_rfc_6749_and_7009_ask() {
        use wiremock::matchers::{body_string_contains, header_exists, method, path};
        use wiremock::{Mock, MockServer, ResponseTemplate};
        let server = MockServer::start().await;
        let token = |access: &str, refresh: &str| {
            ResponseTemplate::new(200).set_body_json(serde_json::json!({
                "access_token": access, "token_type": "Bearer", "expires_in": 3600,
                "refresh_token": refresh, "scope": "accounts:read transfers:write",
            }))
        };
        let app = OAuthApp::public(
            &client(&server.uri()),
            ServerMetadata::for_base_url(&server.uri()),
            "app-1",
            "http://127.0.0.1:8/cb",
        );
        let pending = app
            .authorization_request(["accounts:read"])
            .build()
            .unwrap();
        let verifier = form_encode(pending.code_verifier());
        Mock::given(method("POST"))
            .and(path("/v1/oauth/token"))
            .and(body_string_contains("grant_type=authorization_code"))
            .and(body_string_contains("code=the-code"))
            .and(body_string_contains(format!("code_verifier={verifier}")))
            .and(body_string_contains("client_id=app-1"))
            .respond_with(token("at-1", "rt-1"))
            .expect(1)
            .mount(&server)
            .await;
        Mock::given(method("POST"))
            .and(path("/v1/oauth/token"))
            .and(body_string_contains("grant_type=refresh_token"))
            .and(body_string_contains("refresh_token=rt-1"))
            .respond_with(token("at-2", "rt-2"))
            .expect(1)
            .mount(&server)
            .await;
        Mock::given(method("POST"))
            .and(path("/v1/oauth/token"))
            .and(body_string_contains("refresh_token=rt-2"))
            .respond_with(ResponseTemplate::new(400).set_body_json(
                serde_json::json!({"error": "invalid_grant", "error_description": "used"}),
            ))
            .mount(&server)
            .await;
        Mock::given(method("POST"))
            .and(path("/v1/oauth/revoke"))
            .and(body_string_contains("token=rt-2"))
            .and(body_string_contains("token_type_hint=refresh_token"))
            .respond_with(ResponseTemplate::new(200))
            .expect(1)
            .mount(&server)
            .await;

        let forged = "http://127.0.0.1:8/cb?code=the-code&state=forged";
        assert!(matches!(
            app.exchange_code(&pending, forged).await,
            Err(AuthorizationError::StateMismatch)
        ));
        let redirect = format!(
            "http://127.0.0.1:8/cb?code=the-code&state={}",
            pending.state()
        );
        let tokens = app.exchange_code(&pending, &redirect).await.unwrap();
        assert_eq!(tokens.access_token(), "at-1");
        assert_eq!(tokens.scopes(), ["accounts:read", "transfers:write"]);
        assert!(!format!("{tokens:?}").contains("at-1"));
        let rotated = app.refresh(&tokens, None).await.unwrap();
        assert_eq!(
            (rotated.access_token(), rotated.refresh_token()),
            ("at-2", Some("rt-2"))
        );
        let again = app.refresh(&rotated, None).await.unwrap_err();
        assert!(
            matches!(&again, AuthorizationError::TokenRefused { status: 400, error, .. } if error == "invalid_grant"),
            "{again}"
        );
        app.revoke("rt-2", Some(TokenTypeHint::RefreshToken))
            .await
            .unwrap();

        // A confidential client authenticates with HTTP Basic, not with client_id in the body.
        let confidential = OAuthApp::confidential(
            &client(&server.uri()),
            ServerMetadata::for_base_url(&server.uri()),
            "back office",
            "s3cret:",
            "http://127.0.0.1:8/cb",
        );
        Mock::given(method("POST"))
            .and(path("/v1/oauth/revoke"))
            .and(header_exists("authorization"))
            .and(body_string_contains("token=at-9"))
            .respond_with(ResponseTemplate::new(200))
            .expect(1)
            .mount(&server)
            .await;
        confidential.revoke("at-9", None).await.unwrap();
        let requests = server.received_requests().await.unwrap();
        let last = requests.last().unwrap();
        assert_eq!(
            last.headers.get("authorization").unwrap(),
            &format!("Basic {}", STANDARD.encode("back+office:s3cret%3A"))
        );
        assert!(!String::from_utf8_lossy(&last.body).contains("client_id"));
    }

    #[tokio::test]
    async fn user_tokens_refresh_before_expiry() {
        use wiremock::matchers::{body_string_contains, method, path};
        use wiremock::{Mock, MockServer, ResponseTemplate};
        let server = MockServer::start().await;
        Mock::given(method("POST"))
            .and(path("/v1/oauth/token"))
            .and(body_string_contains("refresh_token=rt-1"))
            .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!({
                "access_token": "at-2", "token_type": "Bearer", "expires_in": 3600,
                "refresh_token": "rt-2",
            })))
            .expect(1)
            .mount(&server)
            .await;
        let app = OAuthApp::public(
            &client(&server.uri()),
            ServerMetadata::for_base_url(&server.uri()),
            "app-1",
            "http://127.0.0.1:8/cb",
        );
        let set = |access: &str, lifetime: u64| TokenSet {
            access_token: Secret::new(access),
            refresh_token: Some(Secret::new("rt-1")),
            scopes: Vec::new(),
            lifetime: Duration::from_secs(lifetime),
            obtained: Instant::now(),
        };
        let fresh = UserTokens::new(app.clone(), set("at-1", 3600));
        assert_eq!(fresh.token().await.unwrap().expose(), "at-1");
        let expiring = UserTokens::new(app, set("at-1", 0));
        assert_eq!(expiring.token().await.unwrap().expose(), "at-2");
        assert_eq!(expiring.token().await.unwrap().expose(), "at-2");
        assert_eq!(expiring.current().await.refresh_token(), Some("rt-2"));
    }
}
