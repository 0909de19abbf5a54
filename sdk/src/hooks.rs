//! The hand-written layer around the generated client: configuration, auth, idempotency keys and
//! exchange observation, wired in through progenitor's `ClientHooks`.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use progenitor_client::{ClientHooks, ClientInfo, OperationInfo};
use reqwest::header::{AUTHORIZATION, HeaderMap, HeaderValue};

use tracing::Instrument;

use crate::generated::Client;
use crate::retry::RetryPolicy;

/// The request header carrying a write's idempotency key.
pub const IDEMPOTENCY_KEY: &str = "idempotency-key";

/// One HTTP exchange as the client saw it, for logging and evidence. The `Authorization` header is
/// redacted.
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
    /// Request body, if any.
    pub request_body: Bytes,
    /// Response status, or `None` when no response arrived.
    pub status: Option<u16>,
    /// Response headers.
    pub response_headers: Vec<(String, String)>,
    /// Response body, or the transport error's text.
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

/// A bearer token that never shows itself in `Debug` output.
#[derive(Clone)]
struct Secret(Arc<str>);

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(<redacted>)")
    }
}

/// Per-client configuration the hooks read. Built by [`ClientBuilder`].
#[derive(Clone, Default)]
pub struct ClientState {
    token: Option<Secret>,
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
    timeout: Duration,
    user_agent: String,
}

impl ClientBuilder {
    pub(crate) fn new(base_url: impl Into<String>) -> Self {
        Self {
            base_url: base_url.into().trim_end_matches('/').to_owned(),
            state: ClientState::default(),
            timeout: Duration::from_secs(15),
            user_agent: concat!("ucr-sdk/", env!("CARGO_PKG_VERSION")).to_owned(),
        }
    }

    /// Authenticates every request with this bearer token.
    pub fn bearer_token(mut self, token: impl AsRef<str>) -> Self {
        self.state.token = Some(Secret(token.as_ref().into()));
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
        Ok(Client::new_with_client(&self.base_url, http, self.state))
    }
}

impl Client {
    /// A copy of this client that authenticates with another bearer token, sharing connections.
    pub fn with_bearer_token(&self, token: impl AsRef<str>) -> Client {
        let mut state = self.inner().clone();
        state.token = Some(Secret(token.as_ref().into()));
        Client::new_with_client(self.baseurl(), self.client().clone(), state)
    }

    /// A copy of this client that sends no credentials.
    pub fn anonymous(&self) -> Client {
        let mut state = self.inner().clone();
        state.token = None;
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
                "Bearer <redacted>".to_owned()
            } else {
                String::from_utf8_lossy(value.as_bytes()).into_owned()
            };
            (name.as_str().to_owned(), shown)
        })
        .collect()
}

impl ClientHooks<ClientState> for Client {
    async fn pre<E>(
        &self,
        request: &mut reqwest::Request,
        _info: &OperationInfo,
    ) -> Result<(), progenitor_client::Error<E>> {
        let state = self.inner();
        if let Some(token) = &state.token
            && !request.headers().contains_key(AUTHORIZATION)
        {
            let mut value =
                HeaderValue::from_str(&format!("Bearer {}", token.0)).map_err(|_| {
                    progenitor_client::Error::InvalidRequest(
                        "the bearer token is not a valid header value".into(),
                    )
                })?;
            value.set_sensitive(true);
            request.headers_mut().insert(AUTHORIZATION, value);
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
        );
        self.exec_with_retries(request, info).instrument(span).await
    }
}

impl Client {
    /// Sends `request`, retrying as the client's [`RetryPolicy`] allows. Every attempt is a clone
    /// of the same request, so a write keeps its `Idempotency-Key`.
    async fn exec_with_retries(
        &self,
        request: reqwest::Request,
        info: &OperationInfo,
    ) -> reqwest::Result<reqwest::Response> {
        let policy = &self.inner().retry;
        let retryable = policy.allows(&request);
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
            let span = tracing::Span::current();
            span.record("attempts", attempt);
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
                .map(Bytes::copy_from_slice)
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
        exchange.response_body = body.clone();
        observer.observe(exchange);
        let mut rebuilt = http::Response::new(body);
        *rebuilt.status_mut() = status;
        *rebuilt.headers_mut() = headers;
        *rebuilt.version_mut() = version;
        Ok(reqwest::Response::from(rebuilt))
    }
}
