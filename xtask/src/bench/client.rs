//! The bench's own HTTP client, for set-up and single timed requests (never for load: `wrk` does
//! that): one-off calls, a kept-alive connection, and a funded account provisioned through the
//! sandbox API.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::client::conn::http1::SendRequest;
use hyper::{Request, StatusCode};
use serde_json::{Value, json};

/// One kept-alive HTTP/1.1 connection.
pub struct Connection {
    addr: SocketAddr,
    sender: SendRequest<Full<Bytes>>,
}

impl Connection {
    /// Connects to `addr`.
    pub async fn open(addr: SocketAddr) -> Result<Self, String> {
        let stream = tokio::net::TcpStream::connect(addr)
            .await
            .map_err(|e| format!("connecting to {addr}: {e}"))?;
        let (sender, conn) =
            hyper::client::conn::http1::handshake(hyper_util::rt::TokioIo::new(stream))
                .await
                .map_err(|e| e.to_string())?;
        tokio::spawn(conn);
        Ok(Connection { addr, sender })
    }

    /// Sends one request and reads the whole answer; returns it with the time it took.
    pub async fn send(
        &mut self,
        method: &str,
        path: &str,
        token: Option<&str>,
        body: Option<&Value>,
    ) -> Result<(StatusCode, Bytes, Duration), String> {
        let mut request = Request::builder()
            .method(method)
            .uri(path)
            .header("host", self.addr.to_string());
        if let Some(token) = token {
            request = request.header("authorization", format!("Bearer {token}"));
        }
        if method == "POST" {
            request = request
                .header("idempotency-key", idempotency_key())
                .header("content-type", "application/json");
        }
        let body = body.map(|b| Bytes::from(b.to_string())).unwrap_or_default();
        let request = request.body(Full::new(body)).map_err(|e| e.to_string())?;
        // The previous answer may still be finishing on the connection's task: wait until it can
        // take the next request (hyper refuses one sent too early as "canceled").
        self.sender
            .ready()
            .await
            .map_err(|e| format!("{method} {path}: the connection closed: {e}"))?;
        let started = Instant::now();
        let response = self
            .sender
            .send_request(request)
            .await
            .map_err(|e| format!("{method} {path}: {e}"))?;
        let status = response.status();
        let bytes = response
            .into_body()
            .collect()
            .await
            .map_err(|e| e.to_string())?
            .to_bytes();
        Ok((status, bytes, started.elapsed()))
    }

    /// Sends one request and parses a 2xx JSON answer; anything else is an error.
    pub async fn expect(
        &mut self,
        method: &str,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
    ) -> Result<Value, String> {
        let (status, bytes, _) = self.send(method, path, token, body.as_ref()).await?;
        if !status.is_success() {
            return Err(format!(
                "{method} {path} answered {status}: {}",
                String::from_utf8_lossy(&bytes)
            ));
        }
        serde_json::from_slice(&bytes).map_err(|e| format!("{method} {path}: {e}"))
    }
}

fn idempotency_key() -> String {
    static NEXT: AtomicU64 = AtomicU64::new(1);
    format!(
        "bench-{}-{}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    )
}

fn text(value: &Value, field: &str) -> Result<String, String> {
    value[field]
        .as_str()
        .map(str::to_owned)
        .ok_or_else(|| format!("no `{field}` in {value}"))
}

/// Issuances of 1,000,000 ACCUs [`provision`] makes into the funded account.
pub const ISSUANCES: usize = 40;

/// A funded account and its counterparty, set up through the sandbox API.
pub struct Provisioned {
    /// A representative of `seller` with the initiator and approver roles.
    pub token: String,
    /// [`ISSUANCES`] issuances of 1,000,000 ACCUs, `transfers` transfers of 7 moved to `buyer`.
    pub seller: String,
    /// The counterparty.
    pub buyer: String,
}

/// Opens two accounts, funds the first with [`ISSUANCES`] issuances and completes `transfers`
/// transfers from it, so its holdings and history pages are full ones.
pub async fn provision(addr: SocketAddr, transfers: usize) -> Result<Provisioned, String> {
    let mut c = Connection::open(addr).await?;
    let op = text(
        &c.expect("POST", "/v1/sandbox/operator-sessions", None, None)
            .await?,
        "token",
    )?;
    let op = Some(op.as_str());
    let mut accounts = Vec::new();
    for name in ["Bench Seller Pty Ltd", "Bench Buyer Pty Ltd"] {
        let holder = c
            .expect(
                "POST",
                "/v1/sandbox/account-holders",
                op,
                Some(json!({"name": name})),
            )
            .await?;
        let account = c
            .expect(
                "POST",
                "/v1/sandbox/accounts",
                op,
                Some(json!({"holder_id": holder["holder_id"], "name": name, "kind": "holding"})),
            )
            .await?;
        accounts.push(text(&account, "account_id")?);
    }
    let rep = c
        .expect(
            "POST",
            &format!("/v1/sandbox/accounts/{}/representatives", accounts[0]),
            op,
            Some(json!({"name": "Bench Rep", "roles": ["initiator", "approver"]})),
        )
        .await?;
    let token = text(&rep, "token")?;
    for n in 0..ISSUANCES {
        c.expect(
            "POST",
            "/v1/sandbox/issuances",
            op,
            Some(json!({
                "account_id": accounts[0], "unit_type": "ACCU", "quantity": 1_000_000,
                "project_id": format!("ERF1{:05}", 10_000 + n), "vintage": "2023-24",
                "method": "Plantation forestry", "kyoto_status": "NON_KYOTO", "state": "NSW"
            })),
        )
        .await?;
    }
    for _ in 0..transfers {
        let transfer = c
            .expect(
                "POST",
                "/v1/transfers",
                Some(&token),
                Some(
                    json!({"from_account_id": accounts[0], "to_account_id": accounts[1],
                    "unit_type": "ACCU", "quantity": 7}),
                ),
            )
            .await?;
        let id = text(&transfer, "transfer_id")?;
        c.expect(
            "POST",
            &format!("/v1/transfers/{id}/approve"),
            Some(&token),
            None,
        )
        .await?;
    }
    let buyer = accounts.pop().unwrap_or_default();
    let seller = accounts.pop().unwrap_or_default();
    Ok(Provisioned {
        token,
        seller,
        buyer,
    })
}

/// A representative (initiator) of `account` appointed through the sandbox API; its token.
pub async fn appoint_reader(addr: SocketAddr, account: &str) -> Result<String, String> {
    let mut c = Connection::open(addr).await?;
    let op = text(
        &c.expect("POST", "/v1/sandbox/operator-sessions", None, None)
            .await?,
        "token",
    )?;
    let rep = c
        .expect(
            "POST",
            &format!("/v1/sandbox/accounts/{account}/representatives"),
            Some(&op),
            Some(json!({"name": "Bench Reader", "roles": ["initiator"]})),
        )
        .await?;
    text(&rep, "token")
}

/// The bytes `path` answers with (200 expected).
pub async fn body(addr: SocketAddr, path: &str, token: Option<&str>) -> Result<Bytes, String> {
    let mut c = Connection::open(addr).await?;
    let (status, bytes, _) = c.send("GET", path, token, None).await?;
    if status != StatusCode::OK {
        return Err(format!(
            "GET {path} answered {status}: {}",
            String::from_utf8_lossy(&bytes)
        ));
    }
    Ok(bytes)
}
