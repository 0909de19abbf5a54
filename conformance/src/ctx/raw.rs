//! Raw HTTP for deliberately malformed requests the SDK cannot express, recorded in the evidence
//! with credentials redacted.

use super::*;

impl Ctx {
    /// A raw request to `path` (starting with `/v1`), recorded as `operation_id` in the evidence.
    pub fn raw(
        &self,
        operation_id: &'static str,
        method: reqwest::Method,
        path: &str,
    ) -> RawRequest {
        let is_write = method != reqwest::Method::GET && method != reqwest::Method::HEAD;
        RawRequest {
            http: self.run.http.clone(),
            url: format!("{}{path}", self.run.base_url),
            operation_id,
            method,
            query: Vec::new(),
            headers: Vec::new(),
            body: None,
            idempotency_key: is_write.then(|| uuid::Uuid::new_v4().to_string()),
        }
    }
}

/// A request built by hand, for what the SDK cannot express (malformed bodies, missing headers,
/// out-of-range parameters). Writes get a fresh `Idempotency-Key` unless told otherwise.
#[derive(Debug)]
pub struct RawRequest {
    http: reqwest::Client,
    url: String,
    operation_id: &'static str,
    method: reqwest::Method,
    query: Vec<(String, String)>,
    headers: Vec<(String, String)>,
    body: Option<Bytes>,
    idempotency_key: Option<String>,
}

impl RawRequest {
    /// Authenticates with this bearer token.
    pub fn bearer(self, token: &str) -> Self {
        self.header("authorization", &format!("Bearer {token}"))
    }

    /// Adds a header.
    pub fn header(mut self, name: &str, value: &str) -> Self {
        self.headers
            .push((name.to_ascii_lowercase(), value.to_owned()));
        self
    }

    /// Does not follow a redirect: the answer is the `3xx` itself (for the authorization
    /// endpoint, whose redirects go to a client's redirect URI).
    pub fn without_redirects(mut self) -> Self {
        static NO_REDIRECTS: std::sync::OnceLock<reqwest::Client> = std::sync::OnceLock::new();
        self.http = NO_REDIRECTS
            .get_or_init(|| {
                reqwest::Client::builder()
                    .redirect(reqwest::redirect::Policy::none())
                    .connect_timeout(std::time::Duration::from_secs(30))
                    .timeout(std::time::Duration::from_secs(30))
                    .user_agent(concat!("ucr-conformance/", env!("CARGO_PKG_VERSION")))
                    .build()
                    .unwrap_or_default()
            })
            .clone();
        self
    }

    /// Adds a query parameter (encoded).
    pub fn query(mut self, name: &str, value: &str) -> Self {
        self.query.push((name.to_owned(), value.to_owned()));
        self
    }

    /// Uses this `Idempotency-Key`.
    pub fn idempotency_key(mut self, key: &str) -> Self {
        self.idempotency_key = Some(key.to_owned());
        self
    }

    /// Sends no `Idempotency-Key`.
    pub fn no_idempotency_key(mut self) -> Self {
        self.idempotency_key = None;
        self
    }

    /// Sends `value` as a JSON body.
    pub fn json(self, value: &serde_json::Value) -> Self {
        self.body_text(&value.to_string())
    }

    /// Sends `pairs` as an `application/x-www-form-urlencoded` body (e.g. an OAuth token request).
    pub fn form(mut self, pairs: &[(&str, &str)]) -> Self {
        let encoded = serde_urlencoded::to_string(pairs).unwrap_or_default();
        self.body = Some(Bytes::from(encoded));
        self.header("content-type", "application/x-www-form-urlencoded")
    }

    /// Sends `text` verbatim with `Content-Type: application/json` (for malformed JSON).
    pub fn body_text(self, text: &str) -> Self {
        self.body_typed(text, "application/json")
    }

    /// Sends `text` verbatim with this `Content-Type`.
    pub fn body_typed(mut self, text: &str, content_type: &str) -> Self {
        self.body = Some(Bytes::copy_from_slice(text.as_bytes()));
        self.header("content-type", content_type)
    }

    /// Sends the request and records the exchange.
    pub async fn send(self) -> Result<RawResponse, Failure> {
        let mut url = reqwest::Url::parse(&self.url)
            .map_err(|e| Failure::new(format!("invalid request URL {}: {e}", self.url)))?;
        if !self.query.is_empty() {
            url.query_pairs_mut().extend_pairs(self.query.iter());
        }
        let mut request = self
            .http
            .request(self.method.clone(), url.clone())
            .header("accept", "application/json");
        let mut shown_headers = vec![("accept".to_owned(), "application/json".to_owned())];
        for (name, value) in &self.headers {
            request = request.header(name.as_str(), value.as_str());
            let shown = if name == AUTHORIZATION.as_str() {
                redact_authorization(value)
            } else {
                value.clone()
            };
            shown_headers.push((name.clone(), shown));
        }
        if let Some(key) = &self.idempotency_key {
            request = request.header(ucr_sdk::IDEMPOTENCY_KEY, key.as_str());
            shown_headers.push((ucr_sdk::IDEMPOTENCY_KEY.to_owned(), key.clone()));
        }
        if let Some(body) = &self.body {
            request = request.body(body.clone());
        }
        let mut exchange = Exchange {
            operation_id: self.operation_id,
            method: self.method.to_string(),
            url: url.to_string(),
            request_headers: shown_headers,
            request_body: self.body.clone().unwrap_or_default(),
            status: None,
            response_headers: Vec::new(),
            response_body: Bytes::new(),
        };
        let outcome = async {
            let response = request.send().await?;
            let status = response.status().as_u16();
            let headers = response.headers().clone();
            let body = response.bytes().await?;
            Ok::<_, reqwest::Error>((status, headers, body))
        }
        .await;
        match outcome {
            Ok((status, headers, body)) => {
                exchange.status = Some(status);
                exchange.response_headers = headers
                    .iter()
                    .map(|(n, v)| {
                        (
                            n.as_str().to_owned(),
                            String::from_utf8_lossy(v.as_bytes()).into_owned(),
                        )
                    })
                    .collect();
                exchange.response_body = body.clone();
                record(exchange);
                Ok(RawResponse {
                    url: url.to_string(),
                    status,
                    headers,
                    body,
                })
            }
            Err(error) => {
                exchange.response_body = Bytes::from(error.to_string());
                record(exchange);
                Err(Failure::new(format!(
                    "{} {} failed: {error}",
                    self.method, self.url
                )))
            }
        }
    }
}

fn redact_authorization(value: &str) -> String {
    match value.split_once(' ') {
        Some((scheme, _)) => format!("{scheme} <redacted>"),
        None => "<redacted>".to_owned(),
    }
}

/// The answer to a [`RawRequest`].
#[derive(Debug, Clone)]
pub struct RawResponse {
    /// The request URL.
    pub url: String,
    /// HTTP status.
    pub status: u16,
    /// Response headers.
    pub headers: HeaderMap,
    /// Response body.
    pub body: Bytes,
}

impl RawResponse {
    /// A header's value, if present and text.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// The `Content-Type` header.
    pub fn content_type(&self) -> Option<&str> {
        self.header(CONTENT_TYPE.as_str())
    }

    /// The body parsed as JSON.
    pub fn json(&self) -> Result<serde_json::Value, Failure> {
        serde_json::from_slice(&self.body).map_err(|e| {
            Failure::new(format!(
                "HTTP {} answered a body that is not JSON ({e}): {}",
                self.status,
                crate::text::snippet(&self.body, 200)
            ))
        })
    }

    /// The problem document's `type`, if the body is one.
    pub fn problem_type(&self) -> Option<String> {
        serde_json::from_slice::<serde_json::Value>(&self.body)
            .ok()
            .and_then(|v| v.get("type").and_then(|t| t.as_str()).map(str::to_owned))
    }

    /// Expects a successful `status`; returns the JSON body.
    pub fn expect_status(&self, what: &str, status: u16) -> Result<serde_json::Value, Failure> {
        if self.status != status {
            let problem = self
                .problem_type()
                .map(|t| format!(" {t}"))
                .unwrap_or_default();
            return Err(Failure::new(format!(
                "{what}: expected HTTP {status}, got {}{problem}",
                self.status
            )));
        }
        self.json().map_err(|f| f.context(what))
    }

    /// Expects a problem document of `kind` with `status`; returns the document.
    pub fn expect_problem(
        &self,
        what: &str,
        status: u16,
        kind: ProblemKind,
    ) -> Result<serde_json::Value, Failure> {
        let got_type = self.problem_type();
        if self.status != status || got_type.as_deref() != Some(kind.uri()) {
            return Err(Failure::new(format!(
                "{what}: expected HTTP {status} {}, got HTTP {} {}",
                kind.uri(),
                self.status,
                got_type.unwrap_or_else(|| format!(
                    "without a problem type (body: {})",
                    crate::text::snippet(&self.body, 200)
                ))
            )));
        }
        let document = self.json().map_err(|f| f.context(what))?;
        if document.get("status").and_then(|s| s.as_u64()) != Some(u64::from(status)) {
            return Err(Failure::new(format!(
                "{what}: the problem document's `status` member is {}, not the HTTP status {status}",
                document
                    .get("status")
                    .map(|s| s.to_string())
                    .unwrap_or_else(|| "missing".into())
            )));
        }
        Ok(document)
    }
}
