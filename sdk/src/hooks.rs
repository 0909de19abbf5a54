//! The hand-written layer around the generated client: configuration, auth, idempotency keys,
//! retries, tracing and exchange observation, wired in through progenitor's `ClientHooks`.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use progenitor_client::{ClientHooks, ClientInfo, OperationInfo};
use reqwest::header::{AUTHORIZATION, HeaderMap, HeaderValue};

use tracing::Instrument;

use crate::auth::{ClientCredentials, ISSUE_TOKEN, Secret, TokenSource, token_error};
use crate::authorization::UserTokens;
use crate::generated::Client;
use crate::retry::RetryPolicy;

/// The request header carrying a write's idempotency key.
pub const IDEMPOTENCY_KEY: &str = "idempotency-key";

/// One HTTP exchange as the client saw it, for logging and evidence.
///
/// Credentials are redacted: the `Authorization` header, and in JSON and form-encoded bodies
/// (request and response) every member named in [`REDACTED_FIELDS`], such as the client secret
/// sent to the token endpoint and the access token it returns.
#[derive(Debug, Clone)]
pub struct Exchange {
    /// The operation's `operationId`.
    pub operation_id: &'static str,
    /// Request method.
    pub method: String,
    /// Full request URL.
    pub url: String,
    /// Request headers, with credentials redacted.
    pub request_headers: Vec<(String, String)>,
    /// Request body, if any, with credentials redacted.
    pub request_body: Bytes,
    /// Response status, or `None` when no response arrived.
    pub status: Option<u16>,
    /// Response headers.
    pub response_headers: Vec<(String, String)>,
    /// Response body with credentials redacted, or the transport error's text.
    pub response_body: Bytes,
}

/// Receives every exchange the client makes (see [`ClientBuilder::observer`]).
pub trait ExchangeObserver: Send + Sync {
    /// Called once per HTTP exchange, after the response body has been read.
    fn observe(&self, exchange: Exchange);
}

impl<F: Fn(Exchange) + Send + Sync> ExchangeObserver for F {
    fn observe(&self, exchange: Exchange) {
        self(exchange)
    }
}

/// Body members whose values [`Exchange`] never shows: credentials in requests and responses of
/// the token endpoint, sandbox sessions, platform registration and webhook subscriptions.
pub const REDACTED_FIELDS: &[&str] = &[
    "access_token",
    "client_secret",
    "refresh_token",
    "secret",
    "token",
];

/// What a redacted value is replaced with.
const REDACTED: &str = "<redacted>";

/// Per-client configuration the hooks read. Built by [`ClientBuilder`].
#[derive(Clone, Default)]
pub struct ClientState {
    token: TokenSource,
    observer: Option<Arc<dyn ExchangeObserver>>,
    retry: RetryPolicy,
}

impl fmt::Debug for ClientState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientState")
            .field("token", &self.token)
            .field("observer", &self.observer.as_ref().map(|_| "<observer>"))
            .field("retry", &self.retry)
            .finish()
    }
}

/// Configures a [`Client`].
#[derive(Debug)]
pub struct ClientBuilder {
    base_url: String,
    state: ClientState,
    client_credentials: Option<(String, Secret)>,
    timeout: Duration,
    user_agent: String,
}

impl ClientBuilder {
    pub(crate) fn new(base_url: impl Into<String>) -> Self {
        Self {
            base_url: base_url.into().trim_end_matches('/').to_owned(),
            state: ClientState::default(),
            client_credentials: None,
            timeout: Duration::from_secs(15),
            user_agent: concat!("ucr-sdk/", env!("CARGO_PKG_VERSION")).to_owned(),
        }
    }

    /// Authenticates every request with this bearer token (a representative's or the sandbox
    /// operator's). Replaces [`ClientBuilder::client_credentials`].
    pub fn bearer_token(mut self, token: impl AsRef<str>) -> Self {
        self.state.token = TokenSource::Static(Secret::new(token));
        self.client_credentials = None;
        self
    }

    /// Authenticates as a trading platform or third-party registry with OAuth 2.0 client
    /// credentials. Replaces [`ClientBuilder::bearer_token`].
    ///
    /// The client exchanges them for an access token at the registry's `POST /v1/oauth/token` on
    /// its first request, caches the token (clones of the client share it), and fetches a new one
    /// shortly before it expires (when less than a tenth of its life, or less than a minute,
    /// remains). Concurrent requests wait for a single fetch. When the registry nevertheless
    /// answers `401`, the request is sent once more with a newly fetched token.
    ///
    /// A token that cannot be obtained fails the request: with [`Error::Custom`](crate::Error)
    /// naming the OAuth error code (for example `401 invalid_client`) when the token endpoint
    /// refuses the credentials, or with the transport error. Each fetch runs in a
    /// `ucr_token_fetch` tracing span. Neither the secret nor the tokens appear in `Debug`
    /// output, tracing fields or observed exchanges.
    pub fn client_credentials(
        mut self,
        client_id: impl Into<String>,
        client_secret: impl AsRef<str>,
    ) -> Self {
        self.state.token = TokenSource::Anonymous;
        self.client_credentials = Some((client_id.into(), Secret::new(client_secret)));
        self
    }

    /// Sends every exchange to `observer` (for evidence, logging or tests).
    pub fn observer(mut self, observer: impl ExchangeObserver + 'static) -> Self {
        self.state.observer = Some(Arc::new(observer));
        self
    }

    /// How requests are retried; [`RetryPolicy::default`] unless set ([`RetryPolicy::none`] turns
    /// retries off).
    pub fn retry(mut self, policy: RetryPolicy) -> Self {
        self.state.retry = policy;
        self
    }

    /// Per-request timeout (connect and whole request); 15 s by default.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// The `User-Agent` header; `ucr-sdk/<version>` by default.
    pub fn user_agent(mut self, user_agent: impl Into<String>) -> Self {
        self.user_agent = user_agent.into();
        self
    }

    /// Builds the client. Fails only if the HTTP stack cannot be initialised.
    pub fn build(self) -> Result<Client, reqwest::Error> {
        let http = reqwest::Client::builder()
            .connect_timeout(self.timeout)
            .timeout(self.timeout)
            .user_agent(self.user_agent)
            .build()?;
        let client = Client::new_with_client(&self.base_url, http, self.state);
        Ok(match self.client_credentials {
            Some((client_id, client_secret)) => {
                client.with_client_credentials(client_id, client_secret.expose())
            }
            None => client,
        })
    }
}

impl Client {
    /// A copy of this client that authenticates with another bearer token, sharing connections.
    pub fn with_bearer_token(&self, token: impl AsRef<str>) -> Client {
        self.with_token_source(TokenSource::Static(Secret::new(token)))
    }

    /// A copy of this client that authenticates with OAuth 2.0 client credentials, sharing
    /// connections, observer and retry policy (see [`ClientBuilder::client_credentials`]). The
    /// copy has its own token cache, shared by its clones.
    pub fn with_client_credentials(
        &self,
        client_id: impl Into<String>,
        client_secret: impl AsRef<str>,
    ) -> Client {
        let token_client = self.anonymous();
        let credentials =
            ClientCredentials::new(client_id.into(), Secret::new(client_secret), token_client);
        self.with_token_source(TokenSource::ClientCredentials(Arc::new(credentials)))
    }

    /// A copy of this client that authenticates as a signed-in user (a representative's app after
    /// the authorization code flow), refreshing the access token before it expires and keeping
    /// the rotated refresh token in `tokens`. Clones share the tokens.
    pub fn with_user_tokens(&self, tokens: UserTokens) -> Client {
        self.with_token_source(TokenSource::User(tokens))
    }

    /// A copy of this client that sends no credentials.
    pub fn anonymous(&self) -> Client {
        self.with_token_source(TokenSource::Anonymous)
    }

    fn with_token_source(&self, token: TokenSource) -> Client {
        let mut state = self.inner().clone();
        state.token = token;
        Client::new_with_client(self.baseurl(), self.client().clone(), state)
    }
}

fn is_write(method: &reqwest::Method) -> bool {
    !matches!(
        *method,
        reqwest::Method::GET | reqwest::Method::HEAD | reqwest::Method::OPTIONS
    )
}

fn header_pairs(headers: &HeaderMap) -> Vec<(String, String)> {
    headers
        .iter()
        .map(|(name, value)| {
            let shown = if name == AUTHORIZATION {
                format!("Bearer {REDACTED}")
            } else {
                String::from_utf8_lossy(value.as_bytes()).into_owned()
            };
            (name.as_str().to_owned(), shown)
        })
        .collect()
}

/// `body` with the values of [`REDACTED_FIELDS`] replaced, when it is JSON or form-encoded (as
/// `content_type` says, or as it parses). Other bodies, and bodies without credentials, are
/// returned unchanged.
fn redact_body(body: &[u8], content_type: Option<&str>) -> Bytes {
    let form = content_type.is_some_and(|t| t.starts_with("application/x-www-form-urlencoded"));
    if form {
        if let Ok(mut pairs) = serde_urlencoded::from_bytes::<Vec<(String, String)>>(body)
            && pairs
                .iter()
                .any(|(name, _)| REDACTED_FIELDS.contains(&&**name))
        {
            for (name, value) in &mut pairs {
                if REDACTED_FIELDS.contains(&&**name) {
                    *value = REDACTED.to_owned();
                }
            }
            if let Ok(text) = serde_urlencoded::to_string(&pairs) {
                return Bytes::from(text);
            }
        }
        return Bytes::copy_from_slice(body);
    }
    if let Ok(mut value) = serde_json::from_slice::<serde_json::Value>(body)
        && redact_json(&mut value)
        && let Ok(text) = serde_json::to_vec(&value)
    {
        return Bytes::from(text);
    }
    Bytes::copy_from_slice(body)
}

/// Replaces credential members anywhere in `value`; whether any was found.
fn redact_json(value: &mut serde_json::Value) -> bool {
    match value {
        serde_json::Value::Object(members) => {
            let mut found = false;
            for (name, member) in members.iter_mut() {
                if REDACTED_FIELDS.contains(&name.as_str()) && member.is_string() {
                    *member = serde_json::Value::String(REDACTED.to_owned());
                    found = true;
                } else {
                    found |= redact_json(member);
                }
            }
            found
        }
        serde_json::Value::Array(items) => items
            .iter_mut()
            .fold(false, |found, item| redact_json(item) | found),
        _ => false,
    }
}

fn content_type(headers: &HeaderMap) -> Option<&str> {
    headers
        .get(reqwest::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
}

/// The bearer token a request carries.
fn bearer_of(request: &reqwest::Request) -> Option<&str> {
    request
        .headers()
        .get(AUTHORIZATION)?
        .to_str()
        .ok()?
        .strip_prefix("Bearer ")
}

fn set_bearer(request: &mut reqwest::Request, token: &Secret) -> Result<(), String> {
    let mut value = HeaderValue::from_str(&format!("Bearer {}", token.expose()))
        .map_err(|_| "the bearer token is not a valid header value".to_owned())?;
    value.set_sensitive(true);
    request.headers_mut().insert(AUTHORIZATION, value);
    Ok(())
}

impl ClientHooks<ClientState> for Client {
    async fn pre<E>(
        &self,
        request: &mut reqwest::Request,
        info: &OperationInfo,
    ) -> Result<(), progenitor_client::Error<E>> {
        // The token endpoint takes neither a bearer token nor an idempotency key.
        if info.operation_id == ISSUE_TOKEN {
            return Ok(());
        }
        if !request.headers().contains_key(AUTHORIZATION)
            && let Some(token) = self.inner().token.token().await.map_err(token_error)?
        {
            set_bearer(request, &token).map_err(progenitor_client::Error::InvalidRequest)?;
        }
        if is_write(request.method()) && !request.headers().contains_key(IDEMPOTENCY_KEY) {
            let key = uuid::Uuid::new_v4().to_string();
            request.headers_mut().insert(
                IDEMPOTENCY_KEY,
                HeaderValue::from_str(&key).expect("a UUID is a valid header value"),
            );
        }
        Ok(())
    }

    async fn exec(
        &self,
        request: reqwest::Request,
        info: &OperationInfo,
    ) -> reqwest::Result<reqwest::Response> {
        let span = tracing::info_span!(
            "ucr_request",
            operation = info.operation_id,
            method = %request.method(),
            path = request.url().path(),
            status = tracing::field::Empty,
            request_id = tracing::field::Empty,
            attempts = tracing::field::Empty,
            reauthenticated = tracing::field::Empty,
        );
        self.exec_authenticated(request, info)
            .instrument(span)
            .await
    }
}

impl Client {
    /// Sends `request` with retries; when the client uses client credentials and the registry
    /// answers `401`, sends it once more with a newly fetched token.
    async fn exec_authenticated(
        &self,
        request: reqwest::Request,
        info: &OperationInfo,
    ) -> reqwest::Result<reqwest::Response> {
        let span = tracing::Span::current();
        let mut attempts = 0;
        let renewable = match &self.inner().token {
            TokenSource::ClientCredentials(credentials) if bearer_of(&request).is_some() => {
                request.try_clone().map(|spare| (credentials, spare))
            }
            _ => None,
        };
        let mut result = self.exec_with_retries(request, info, &mut attempts).await;
        if let Some((credentials, mut again)) = renewable
            && matches!(&result, Ok(r) if r.status() == reqwest::StatusCode::UNAUTHORIZED)
        {
            let rejected = bearer_of(&again).unwrap_or_default().to_owned();
            match credentials.renew(&rejected).await {
                Ok(token) if set_bearer(&mut again, &token).is_ok() => {
                    span.record("reauthenticated", true);
                    tracing::debug!("401 with a cached access token; retrying with a new one");
                    result = self.exec_with_retries(again, info, &mut attempts).await;
                }
                Ok(_) => {}
                Err(error) => {
                    let error: progenitor_client::Error<()> = token_error(error);
                    tracing::warn!(%error, "401, and no new access token could be obtained");
                }
            }
        }
        span.record("attempts", attempts);
        result
    }

    /// Sends `request`, retrying as the client's [`RetryPolicy`] allows, and counts the exchanges
    /// in `attempts`. Every attempt is a clone of the same request, so a write keeps its
    /// `Idempotency-Key`.
    async fn exec_with_retries(
        &self,
        request: reqwest::Request,
        info: &OperationInfo,
        attempts: &mut u32,
    ) -> reqwest::Result<reqwest::Response> {
        let policy = &self.inner().retry;
        // A token request is safe to repeat: at worst the registry issues one more token.
        let retryable = policy.allows(&request)
            || (info.operation_id == ISSUE_TOKEN && policy.max_attempts > 1);
        let mut attempt = 1;
        let mut pending = Some(request);
        loop {
            let original = pending
                .take()
                .expect("a request is pending on every attempt");
            let spare = if retryable && attempt < policy.max_attempts {
                original.try_clone()
            } else {
                None
            };
            let result = self.exec_once(original, info).await;
            *attempts += 1;
            let span = tracing::Span::current();
            if let Ok(response) = &result {
                span.record("status", response.status().as_u16());
                if let Some(id) = response
                    .headers()
                    .get("x-request-id")
                    .and_then(|v| v.to_str().ok())
                {
                    span.record("request_id", id);
                }
            }
            let Some(next) = spare else { return result };
            let delay = match &result {
                Ok(response) if policy.retries_status(response.status()) => {
                    policy.delay(attempt, Some(response.headers()))
                }
                Err(error) if error.is_connect() || error.is_timeout() => {
                    policy.delay(attempt, None)
                }
                _ => return result,
            };
            tracing::debug!(attempt, ?delay, "retrying");
            tokio::time::sleep(delay).await;
            pending = Some(next);
            attempt += 1;
        }
    }

    /// One HTTP exchange, reported to the observer when there is one.
    async fn exec_once(
        &self,
        request: reqwest::Request,
        info: &OperationInfo,
    ) -> reqwest::Result<reqwest::Response> {
        let Some(observer) = self.inner().observer.clone() else {
            return self.client().execute(request).await;
        };
        let mut exchange = Exchange {
            operation_id: info.operation_id,
            method: request.method().to_string(),
            url: request.url().to_string(),
            request_headers: header_pairs(request.headers()),
            request_body: request
                .body()
                .and_then(|b| b.as_bytes())
                .map(|body| redact_body(body, content_type(request.headers())))
                .unwrap_or_default(),
            status: None,
            response_headers: Vec::new(),
            response_body: Bytes::new(),
        };
        let response = match self.client().execute(request).await {
            Ok(response) => response,
            Err(error) => {
                exchange.response_body = Bytes::from(error.to_string());
                observer.observe(exchange);
                return Err(error);
            }
        };
        let status = response.status();
        let headers = response.headers().clone();
        let version = response.version();
        let body = match response.bytes().await {
            Ok(body) => body,
            Err(error) => {
                exchange.status = Some(status.as_u16());
                exchange.response_body = Bytes::from(error.to_string());
                observer.observe(exchange);
                return Err(error);
            }
        };
        exchange.status = Some(status.as_u16());
        exchange.response_headers = header_pairs(&headers);
        exchange.response_body = redact_body(&body, content_type(&headers));
        observer.observe(exchange);
        let mut rebuilt = http::Response::new(body);
        *rebuilt.status_mut() = status;
        *rebuilt.headers_mut() = headers;
        *rebuilt.version_mut() = version;
        Ok(reqwest::Response::from(rebuilt))
    }
}
