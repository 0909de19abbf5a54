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
