//! Test helpers: a started mock registry, a small HTTP client, and the A.1 set-up done over HTTP.

use reqwest::Method;
use reqwest::header::HeaderMap;
use serde_json::{Value, json};
use ucr_mock::MockRegistry;

/// A mock registry and a client for it.
pub struct Api {
    pub mock: MockRegistry,
    pub http: reqwest::Client,
}

/// One response, its body parsed as JSON when it is JSON.
#[derive(Debug)]
pub struct Reply {
    pub status: u16,
    pub headers: HeaderMap,
    pub body: Value,
    pub raw: Vec<u8>,
}

impl Reply {
    /// The problem `type` slug (`not-found`), or "" when the body is no problem document.
    pub fn problem(&self) -> &str {
        self.body["type"]
            .as_str()
            .and_then(|t| t.strip_prefix("urn:ucr:problem:"))
            .unwrap_or("")
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// Asserts the status, showing the body otherwise, and returns the body.
    #[track_caller]
    pub fn expect(&self, status: u16) -> &Value {
        assert_eq!(self.status, status, "unexpected reply: {:?}", self.body);
        &self.body
    }

    /// A string field of the body.
    #[track_caller]
    pub fn text(&self, field: &str) -> String {
        self.body[field]
            .as_str()
            .unwrap_or_else(|| panic!("no string {field} in {:?}", self.body))
            .to_owned()
    }

    /// Asserts a problem response of this status and kind, with the problem media type.
    #[track_caller]
    pub fn assert_problem(&self, status: u16, kind: &str) {
        assert_eq!(
            (self.status, self.problem()),
            (status, kind),
            "unexpected reply: {:?}",
            self.body
        );
        assert_eq!(
            self.header("content-type"),
            Some("application/problem+json")
        );
        assert_eq!(self.body["status"], status);
        assert!(self.body["detail"].as_str().is_some_and(|d| !d.is_empty()));
    }
}

/// A request under construction.
pub struct Call<'a> {
    api: &'a Api,
    method: Method,
    path: String,
    token: Option<String>,
    key: Option<String>,
    body: Option<Vec<u8>>,
    content_type: Option<String>,
}

impl Call<'_> {
    pub fn token(mut self, token: &str) -> Self {
        self.token = Some(token.to_owned());
        self
    }

    /// Sets the `Idempotency-Key` (writes outside the sandbox get a fresh one by default).
    pub fn key(mut self, key: &str) -> Self {
        self.key = Some(key.to_owned());
        self
    }

    pub fn no_key(mut self) -> Self {
        self.key = None;
        self
    }

    pub fn json(mut self, body: Value) -> Self {
        self.body = Some(serde_json::to_vec(&body).unwrap());
        self.content_type = Some("application/json".to_owned());
        self
    }

    pub fn raw(mut self, body: &[u8], content_type: Option<&str>) -> Self {
        self.body = Some(body.to_vec());
        self.content_type = content_type.map(str::to_owned);
        self
    }

    pub async fn send(self) -> Reply {
        let url = format!("{}{}", self.api.mock.uri(), self.path);
        let mut request = self.api.http.request(self.method, url);
        if let Some(token) = &self.token {
            request = request.bearer_auth(token);
        }
        if let Some(key) = &self.key {
            request = request.header("idempotency-key", key);
        }
        if let Some(content_type) = &self.content_type {
            request = request.header("content-type", content_type);
        }
        if let Some(body) = self.body {
            request = request.body(body);
        }
        let response = request.send().await.expect("the mock answers");
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let raw = response.bytes().await.expect("a body").to_vec();
        let body = serde_json::from_slice(&raw).unwrap_or(Value::Null);
        assert!(
            headers.contains_key("x-request-id"),
            "every response has x-request-id"
        );
        Reply {
            status,
            headers,
            body,
            raw,
        }
    }
}

impl Api {
    pub async fn start() -> Self {
        Api {
            mock: MockRegistry::start().await,
            http: reqwest::Client::new(),
        }
    }

    pub fn call(&self, method: Method, path: &str) -> Call<'_> {
        let key = (method == Method::POST && !path.starts_with("/v1/sandbox"))
            .then(|| uuid::Uuid::new_v4().to_string());
        Call {
            api: self,
            method,
            path: path.to_owned(),
            token: None,
            key,
            body: None,
            content_type: None,
        }
    }

    pub fn get(&self, path: &str) -> Call<'_> {
        self.call(Method::GET, path)
    }

    pub fn post(&self, path: &str) -> Call<'_> {
        self.call(Method::POST, path)
    }

    pub fn delete(&self, path: &str) -> Call<'_> {
        self.call(Method::DELETE, path)
    }

    /// A registry started from `builder`.
    pub async fn start_with(builder: ucr_mock::MockRegistryBuilder) -> Self {
        Api {
            mock: builder.start().await,
            http: reqwest::Client::new(),
        }
    }

    /// The registry clock moved by `by`, as RFC 3339 (for `expires_at` fields).
    pub fn at(&self, by: chrono::TimeDelta) -> String {
        let now = self.mock.with_registry(|registry| registry.now());
        (now + by).to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
    }

    /// All items of a paged list, walking `next_page` with the given page size.
    pub async fn all_pages(&self, token: Option<&str>, path: &str, limit: u32) -> Vec<Value> {
        let separator = if path.contains('?') { '&' } else { '?' };
        let mut items = Vec::new();
        let mut page_token: Option<String> = None;
        loop {
            let mut url = format!("{path}{separator}limit={limit}");
            if let Some(t) = &page_token {
                url.push_str(&format!("&page_token={t}"));
            }
            let mut call = self.get(&url);
            if let Some(token) = token {
                call = call.token(token);
            }
            let reply = call.send().await;
            assert_eq!(reply.status, 200, "{url}: {:?}", reply.body);
            let page = reply.body["items"].as_array().unwrap().clone();
            assert!(page.len() <= limit as usize);
            let next = reply.body["next_page"].as_str().map(str::to_owned);
            if next.is_some() {
                assert_eq!(page.len(), limit as usize, "a page before the last is full");
            }
            items.extend(page);
            match next {
                Some(next) => page_token = Some(next),
                None => return items,
            }
        }
    }

    /// The current holdings of an account as `(serial_start, serial_end, status)`.
    pub async fn holdings(&self, token: &str, account: &str) -> Vec<(u64, u64, String)> {
        self.all_pages(
            Some(token),
            &format!("/v1/accounts/{account}/holdings"),
            200,
        )
        .await
        .iter()
        .map(|b| {
            (
                b["serial_start"].as_u64().unwrap(),
                b["serial_end"].as_u64().unwrap(),
                b["status"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
    }

    /// Moves the registry clock forward.
    pub fn advance_clock(&self, by: chrono::TimeDelta) {
        let moved = self
            .mock
            .with_registry(|registry| registry.advance_clock(by).is_ok());
        assert!(moved, "the clock moves forward");
    }

    pub fn check_invariants(&self) {
        self.mock.check_invariants().expect("model invariants hold");
    }
}

/// The A.1 world, set up through the sandbox over HTTP.
///
/// Holder 1 owns account `a` with Alice (initiator) and Bob (approver); holder 2 owns account `b`
/// with Carol (both roles). 1000 ACCUs (serials 3000001–3001000, vintage 2023-24) issued to `a`.
pub struct World {
    pub operator: String,
    pub a: String,
    pub b: String,
    pub alice: String,
    pub bob: String,
    pub carol: String,
}

pub async fn world(api: &Api) -> World {
    let session = api.post("/v1/sandbox/operator-sessions").send().await;
    assert_eq!(session.status, 201);
    let operator = session.body["token"].as_str().unwrap().to_owned();
    let holder = |name: &'static str| {
        let operator = operator.clone();
        async move {
            let reply = api
                .post("/v1/sandbox/account-holders")
                .token(&operator)
                .json(json!({"name": name}))
                .send()
                .await;
            assert_eq!(reply.status, 201, "{:?}", reply.body);
            reply.body["holder_id"].as_str().unwrap().to_owned()
        }
    };
    let mallee = holder("Mallee Carbon Pty Ltd").await;
    let saltbush = holder("Saltbush Land Ltd").await;
    let account = |holder_id: String, name: &'static str| {
        let operator = operator.clone();
        async move {
            let body = json!({"holder_id": holder_id, "name": name, "kind": "holding"});
            let reply = api
                .post("/v1/sandbox/accounts")
                .token(&operator)
                .json(body)
                .send()
                .await;
            assert_eq!(reply.status, 201, "{:?}", reply.body);
            reply.body["account_id"].as_str().unwrap().to_owned()
        }
    };
    let a = account(mallee, "Mallee Carbon trading account").await;
    let b = account(saltbush, "Saltbush offsets account").await;
    let appoint = |account: String, name: &'static str, roles: Value| {
        let operator = operator.clone();
        async move {
            let body = json!({"name": name, "roles": roles});
            let path = format!("/v1/sandbox/accounts/{account}/representatives");
            let reply = api.post(&path).token(&operator).json(body).send().await;
            assert_eq!(reply.status, 201, "{:?}", reply.body);
            reply.body["token"].as_str().unwrap().to_owned()
        }
    };
    let alice = appoint(a.clone(), "Alice Nguyen", json!(["initiator"])).await;
    let bob = appoint(a.clone(), "Bob Barker", json!(["approver"])).await;
    let carol = appoint(
        b.clone(),
        "Carol Tjapaltjarri",
        json!(["initiator", "approver"]),
    )
    .await;
    let reply = issue(api, &operator, &a, 1000, "2023-24").await;
    assert_eq!(
        (reply["serial_start"].as_u64(), reply["serial_end"].as_u64()),
        (Some(3_000_001), Some(3_001_000))
    );
    World {
        operator,
        a,
        b,
        alice,
        bob,
        carol,
    }
}

pub async fn issue(
    api: &Api,
    operator: &str,
    account: &str,
    quantity: u64,
    vintage: &str,
) -> Value {
    let body = json!({
        "account_id": account,
        "unit_type": "ACCU",
        "quantity": quantity,
        "project_id": "ERF101234",
        "vintage": vintage,
        "method": "Human-induced regeneration of a permanent even-aged native forest",
        "kyoto_status": "NON_KYOTO",
        "state": "NSW",
        "issued_on": "2024-09-12"
    });
    let reply = api
        .post("/v1/sandbox/issuances")
        .token(operator)
        .json(body)
        .send()
        .await;
    assert_eq!(reply.status, 201, "{:?}", reply.body);
    reply.body
}

/// A platform's sandbox credentials.
pub struct PlatformCredential {
    pub id: String,
    pub token: String,
    pub holder_id: String,
    pub client_id: String,
    pub client_secret: String,
}

/// Registers a trading platform (`kind` `trading_platform`) or registry (`third_party_registry`).
pub async fn platform(api: &Api, operator: &str, name: &str, kind: &str) -> PlatformCredential {
    let reply = api
        .post("/v1/sandbox/platforms")
        .token(operator)
        .json(json!({"name": name, "kind": kind}))
        .send()
        .await;
    let body = reply.expect(201);
    let text = |v: &Value| v.as_str().unwrap().to_owned();
    PlatformCredential {
        id: text(&body["platform"]["platform_id"]),
        token: text(&body["token"]),
        holder_id: text(&body["platform"]["holder_id"]),
        client_id: text(&body["client_id"]),
        client_secret: text(&body["client_secret"]),
    }
}

/// Opens an account of `kind` (`holding` or `custodial`) for a holder.
pub async fn open_account(api: &Api, operator: &str, holder_id: &str, kind: &str) -> String {
    let reply = api
        .post("/v1/sandbox/accounts")
        .token(operator)
        .json(json!({"holder_id": holder_id, "name": "Account", "kind": kind}))
        .send()
        .await;
    reply.expect(201);
    reply.text("account_id")
}

/// Creates a representative of a trading platform: `(representative_id, token)`.
pub async fn platform_representative(
    api: &Api,
    operator: &str,
    platform_id: &str,
    name: &str,
) -> (String, String) {
    let reply = api
        .post(&format!(
            "/v1/sandbox/platforms/{platform_id}/representatives"
        ))
        .token(operator)
        .json(json!({"name": name}))
        .send()
        .await;
    reply.expect(201);
    (reply.text("representative_id"), reply.text("token"))
}

/// Appoints an existing representative to an account.
pub async fn appoint_existing(
    api: &Api,
    operator: &str,
    account: &str,
    representative_id: &str,
    roles: Value,
) -> Reply {
    api.post(&format!("/v1/sandbox/accounts/{account}/representatives"))
        .token(operator)
        .json(json!({"name": "", "roles": roles, "representative_id": representative_id}))
        .send()
        .await
}

/// Grants a consent on `account` and returns its ID.
pub async fn grant(
    api: &Api,
    token: &str,
    account: &str,
    grantee: &str,
    scopes: Value,
    expires_at: &str,
) -> String {
    let reply = api
        .post(&format!("/v1/accounts/{account}/consents"))
        .token(token)
        .json(json!({"grantee_id": grantee, "scopes": scopes, "expires_at": expires_at}))
        .send()
        .await;
    reply.expect(201);
    reply.text("consent_id")
}

/// A trading platform with a custodial account and one representative (both roles) on it.
pub struct Exchange {
    pub platform: PlatformCredential,
    pub custodial: String,
    pub rep_id: String,
    pub rep: String,
}

pub async fn exchange(api: &Api, operator: &str) -> Exchange {
    let platform = platform(
        api,
        operator,
        "Southern Cross Carbon Exchange",
        "trading_platform",
    )
    .await;
    let custodial = open_account(api, operator, &platform.holder_id, "custodial").await;
    let (rep_id, rep) = platform_representative(api, operator, &platform.id, "Dana Exchange").await;
    appoint_existing(
        api,
        operator,
        &custodial,
        &rep_id,
        json!(["initiator", "approver"]),
    )
    .await
    .expect(201);
    Exchange {
        platform,
        custodial,
        rep_id,
        rep,
    }
}

/// One webhook request as a receiver saw it.
#[derive(Debug, Clone)]
pub struct Received {
    pub id: String,
    pub timestamp: u64,
    pub body: Value,
    /// Whether the signature verified with the receiver's secret, computed here independently.
    pub verified: bool,
    /// What the receiver answered.
    pub answered: u16,
}

#[derive(Debug, Default)]
struct ReceiverState {
    key: Option<Vec<u8>>,
    failures_left: usize,
    always_fail: bool,
    received: Vec<Received>,
}

/// A webhook receiver on loopback: verifies every signature with its own HMAC, answers 500 to the
/// first `fail_first` requests (or to all), 200 otherwise, and records what it got.
pub struct Receiver {
    pub server: wiremock::MockServer,
    state: std::sync::Arc<std::sync::Mutex<ReceiverState>>,
}

struct ReceiverResponder(std::sync::Arc<std::sync::Mutex<ReceiverState>>);

impl wiremock::Respond for ReceiverResponder {
    fn respond(&self, request: &wiremock::Request) -> wiremock::ResponseTemplate {
        use hmac::{KeyInit, Mac};
        let header = |name: &str| {
            request
                .headers
                .get(name)
                .and_then(|v| v.to_str().ok())
                .unwrap_or("")
                .to_owned()
        };
        let mut state = self.0.lock().unwrap();
        let (id, timestamp) = (header("webhook-id"), header("webhook-timestamp"));
        let verified = state.key.as_ref().is_some_and(|key| {
            let mut mac = <hmac::Hmac<sha2::Sha256> as KeyInit>::new_from_slice(key).unwrap();
            mac.update(format!("{id}.{timestamp}.").as_bytes());
            mac.update(&request.body);
            let expected = format!(
                "v1,{}",
                base64::Engine::encode(
                    &base64::engine::general_purpose::STANDARD,
                    mac.finalize().into_bytes()
                )
            );
            header("webhook-signature")
                .split(' ')
                .any(|candidate| candidate == expected)
        });
        let answered = if !verified || header("content-type") != "application/json" {
            400
        } else if state.always_fail || state.failures_left > 0 {
            state.failures_left = state.failures_left.saturating_sub(1);
            500
        } else {
            200
        };
        state.received.push(Received {
            id,
            timestamp: timestamp.parse().unwrap_or(0),
            body: serde_json::from_slice(&request.body).unwrap_or(Value::Null),
            verified,
            answered,
        });
        wiremock::ResponseTemplate::new(answered)
    }
}

impl Receiver {
    /// A receiver answering 500 to its first `fail_first` requests.
    pub async fn start(fail_first: usize) -> Self {
        Self::start_with(fail_first, false).await
    }

    /// A receiver that answers 500 to everything.
    pub async fn failing() -> Self {
        Self::start_with(0, true).await
    }

    async fn start_with(fail_first: usize, always_fail: bool) -> Self {
        let state = std::sync::Arc::new(std::sync::Mutex::new(ReceiverState {
            failures_left: fail_first,
            always_fail,
            ..ReceiverState::default()
        }));
        let server = wiremock::MockServer::start().await;
        wiremock::Mock::given(wiremock::matchers::method("POST"))
            .respond_with(ReceiverResponder(state.clone()))
            .mount(&server)
            .await;
        Receiver { server, state }
    }

    /// The URL to subscribe.
    pub fn url(&self) -> String {
        format!("{}/hooks", self.server.uri())
    }

    /// The subscription's secret, to verify signatures with.
    pub fn set_secret(&self, secret: &str) {
        let encoded = secret.strip_prefix("whsec_").expect("a whsec_ secret");
        let key =
            base64::Engine::decode(&base64::engine::general_purpose::STANDARD, encoded).unwrap();
        self.state.lock().unwrap().key = Some(key);
    }

    pub fn received(&self) -> Vec<Received> {
        self.state.lock().unwrap().received.clone()
    }
}

/// Subscribes `token`'s platform to `events` at the receiver and gives the receiver the secret.
pub async fn subscribe(api: &Api, token: &str, receiver: &Receiver, events: Value) -> String {
    let reply = api
        .post("/v1/webhook-subscriptions")
        .token(token)
        .json(json!({"url": receiver.url(), "event_types": events}))
        .send()
        .await;
    reply.expect(201);
    receiver.set_secret(&reply.text("secret"));
    reply.text("subscription_id")
}

/// The events a receiver acknowledged, as `(type, body.data)`, once deliveries settled.
pub async fn delivered_events(api: &Api, receiver: &Receiver) -> Vec<(String, Value)> {
    assert!(
        api.mock
            .webhooks_idle(std::time::Duration::from_secs(20))
            .await,
        "deliveries settle"
    );
    let mut events: Vec<(String, Value)> = receiver
        .received()
        .into_iter()
        .filter(|r| r.answered == 200)
        .map(|r| {
            assert!(r.verified);
            (
                r.body["type"].as_str().unwrap_or("").to_owned(),
                r.body["data"].clone(),
            )
        })
        .collect();
    // Deliveries run concurrently; event IDs give the order the events happened in.
    events.sort_by(|a, b| a.1["event_id"].as_str().cmp(&b.1["event_id"].as_str()));
    events
}
