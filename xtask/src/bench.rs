//! `cargo xtask bench`: measured speed and memory of the mock, the suite and the SDK.
//!
//! Every ratio is taken side by side in one run on this machine: the standalone `ucr-mock` and a
//! bare hyper server returning the same bytes are driven by the same load generator, alternately,
//! and the medians compared. Absolute numbers on a shared 2-core machine mean little; ratios do.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::{Request, StatusCode};
use serde_json::{Value, json};

/// How the bench is run; `--quick` shortens every phase for a smoke run.
#[derive(Debug, Clone, Copy)]
pub struct Settings {
    /// Seconds each throughput sample lasts.
    pub sample: Duration,
    /// Samples per server (alternating).
    pub samples: usize,
    /// Concurrent connections of the load generator.
    pub connections: usize,
    /// Requests before the second RSS reading.
    pub memory_requests: u64,
    /// Whether to time clean builds of the SDK (slow).
    pub build_cost: bool,
    /// The large synthetic registry of the scale section: accounts, blocks, transactions.
    pub scale: (u64, u64, u64),
    /// Requests per page and registry whose median latency is compared.
    pub latency_rounds: usize,
}

impl Settings {
    /// The settings `cargo xtask bench` uses.
    pub fn full() -> Self {
        Self {
            sample: Duration::from_secs(3),
            samples: 5,
            connections: 16,
            memory_requests: 1_000_000,
            build_cost: true,
            scale: (10_000, 1_000_000, 1_000_000),
            latency_rounds: 300,
        }
    }

    /// A short smoke run.
    pub fn quick() -> Self {
        Self {
            sample: Duration::from_millis(500),
            samples: 2,
            connections: 8,
            memory_requests: 50_000,
            build_cost: false,
            scale: (1_000, 100_000, 100_000),
            latency_rounds: 60,
        }
    }
}

/// One row of the results table.
struct Row {
    what: String,
    value: String,
    goal: String,
    met: Option<bool>,
}

/// Runs every benchmark, prints the table and writes `docs/benchmarks.md` (a `--quick` run writes
/// `target/benchmarks-quick.md` instead: a smoke run never replaces the committed figures).
pub fn run(root: &Path, settings: Settings) -> Result<(), String> {
    build_release(root)?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .map_err(|e| e.to_string())?;
    let mut rows = Vec::new();
    runtime.block_on(async {
        throughput_and_memory(root, settings, &mut rows).await?;
        conformance_time(root, &mut rows)?;
        scale(root, settings, &mut rows).await?;
        Ok::<_, String>(())
    })?;
    if settings.build_cost {
        build_cost(root, &mut rows)?;
    }
    let table = render(&rows, settings);
    print!("{table}");
    let path = if settings.scale == Settings::full().scale {
        root.join("docs/benchmarks.md")
    } else {
        root.join("target/benchmarks-quick.md")
    };
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(|e| e.to_string())?;
    }
    std::fs::write(&path, table).map_err(|e| format!("writing {}: {e}", path.display()))?;
    println!("wrote {}", path.display());
    Ok(())
}

fn build_release(root: &Path) -> Result<(), String> {
    eprintln!("building ucr-mock and ucr-conformance in release mode…");
    let status = Command::new(env!("CARGO"))
        .args([
            "build",
            "--release",
            "--locked",
            "-p",
            "ucr-mock",
            "-p",
            "ucr-conformance",
            "-p",
            "xtask",
        ])
        .current_dir(root)
        .status()
        .map_err(|e| e.to_string())?;
    status
        .success()
        .then_some(())
        .ok_or_else(|| "release build failed".to_owned())
}

/// A child process killed on drop.
struct Server {
    child: Child,
    addr: SocketAddr,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Server {
    fn rss_kib(&self) -> Option<u64> {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id())).ok()?;
        status
            .lines()
            .find_map(|l| l.strip_prefix("VmRSS:"))
            .and_then(|v| v.split_whitespace().next()?.parse().ok())
    }
}

fn free_addr() -> Result<SocketAddr, String> {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").map_err(|e| e.to_string())?;
    listener.local_addr().map_err(|e| e.to_string())
}

async fn wait_until_up(addr: SocketAddr) -> Result<(), String> {
    wait_until_up_within(addr, Duration::from_secs(5)).await
}

/// Waits until `addr` accepts a connection, polling every 10 ms, for at most `limit`.
async fn wait_until_up_within(addr: SocketAddr, limit: Duration) -> Result<(), String> {
    let started = Instant::now();
    while started.elapsed() < limit {
        if tokio::net::TcpStream::connect(addr).await.is_ok() {
            return Ok(());
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    Err(format!(
        "nothing listens on {addr} after {} s",
        limit.as_secs()
    ))
}

async fn start(program: &Path, args: &[String]) -> Result<Server, String> {
    let addr = free_addr()?;
    let mut all = args.to_vec();
    all.extend(["--addr".to_owned(), addr.to_string()]);
    let child = Command::new(program)
        .args(&all)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| format!("starting {}: {e}", program.display()))?;
    let server = Server { child, addr };
    wait_until_up(addr).await?;
    Ok(server)
}

/// One HTTP/1.1 request/response on a fresh or kept-alive connection.
async fn call(
    addr: SocketAddr,
    method: &str,
    path: &str,
    token: Option<&str>,
    body: Option<Value>,
) -> Result<(StatusCode, Bytes), String> {
    let stream = tokio::net::TcpStream::connect(addr)
        .await
        .map_err(|e| e.to_string())?;
    let (mut sender, conn) =
        hyper::client::conn::http1::handshake(hyper_util::rt::TokioIo::new(stream))
            .await
            .map_err(|e| e.to_string())?;
    tokio::spawn(conn);
    let mut request = Request::builder()
        .method(method)
        .uri(path)
        .header("host", addr.to_string());
    if let Some(token) = token {
        request = request.header("authorization", format!("Bearer {token}"));
    }
    if method == "POST" {
        request = request
            .header("idempotency-key", uuid_like())
            .header("content-type", "application/json");
    }
    let body = body.map(|b| Bytes::from(b.to_string())).unwrap_or_default();
    let response = sender
        .send_request(request.body(Full::new(body)).map_err(|e| e.to_string())?)
        .await
        .map_err(|e| e.to_string())?;
    let status = response.status();
    let bytes = response
        .into_body()
        .collect()
        .await
        .map_err(|e| e.to_string())?
        .to_bytes();
    Ok((status, bytes))
}

fn uuid_like() -> String {
    static NEXT: AtomicU64 = AtomicU64::new(1);
    format!(
        "bench-{}-{}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    )
}

async fn expect(
    addr: SocketAddr,
    method: &str,
    path: &str,
    token: Option<&str>,
    body: Option<Value>,
) -> Result<Value, String> {
    let (status, bytes) = call(addr, method, path, token, body).await?;
    if !status.is_success() {
        return Err(format!(
            "{method} {path} answered {status}: {}",
            String::from_utf8_lossy(&bytes)
        ));
    }
    serde_json::from_slice(&bytes).map_err(|e| format!("{method} {path}: {e}"))
}

/// A funded account with history, through the sandbox API. Returns (token, account id).
async fn provision(addr: SocketAddr) -> Result<(String, String, String), String> {
    let op = expect(addr, "POST", "/v1/sandbox/operator-sessions", None, None).await?["token"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let op = Some(op.as_str());
    let mut accounts = Vec::new();
    for name in ["Bench Seller Pty Ltd", "Bench Buyer Pty Ltd"] {
        let holder = expect(
            addr,
            "POST",
            "/v1/sandbox/account-holders",
            op,
            Some(json!({"name": name})),
        )
        .await?;
        let account = expect(
            addr,
            "POST",
            "/v1/sandbox/accounts",
            op,
            Some(json!({"holder_id": holder["holder_id"], "name": name, "kind": "holding"})),
        )
        .await?;
        accounts.push(
            account["account_id"]
                .as_str()
                .unwrap_or_default()
                .to_owned(),
        );
    }
    let rep = expect(
        addr,
        "POST",
        &format!("/v1/sandbox/accounts/{}/representatives", accounts[0]),
        op,
        Some(json!({"name": "Bench Rep", "roles": ["initiator", "approver"]})),
    )
    .await?;
    let token = rep["token"].as_str().unwrap_or_default().to_owned();
    for n in 0..40 {
        expect(
            addr,
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
    Ok((token, accounts[0].clone(), accounts[1].clone()))
}

/// Requests served per second by `addr` for `sample`, with `connections` kept-alive connections
/// each sending `path` in a loop. Non-200 answers count as errors.
async fn rps(
    addr: SocketAddr,
    path: &str,
    token: Option<&str>,
    connections: usize,
    limit: Limit,
) -> Result<(f64, u64), String> {
    let done = Arc::new(AtomicU64::new(0));
    let errors = Arc::new(AtomicU64::new(0));
    let started = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..connections {
        let (done, errors, path) = (done.clone(), errors.clone(), path.to_owned());
        let auth = token.map(|t| format!("Bearer {t}"));
        tasks.push(tokio::spawn(async move {
            let stream = tokio::net::TcpStream::connect(addr)
                .await
                .map_err(|e| e.to_string())?;
            let (mut sender, conn) =
                hyper::client::conn::http1::handshake(hyper_util::rt::TokioIo::new(stream))
                    .await
                    .map_err(|e| e.to_string())?;
            tokio::spawn(conn);
            loop {
                match limit {
                    Limit::Time(d) if started.elapsed() >= d => break,
                    Limit::Count(n) if done.load(Ordering::Relaxed) >= n => break,
                    _ => {}
                }
                let mut request = Request::get(path.as_str()).header("host", addr.to_string());
                if let Some(auth) = &auth {
                    request = request.header("authorization", auth.as_str());
                }
                let response = sender
                    .send_request(
                        request
                            .body(Full::new(Bytes::new()))
                            .map_err(|e| e.to_string())?,
                    )
                    .await
                    .map_err(|e| e.to_string())?;
                let ok = response.status() == StatusCode::OK;
                response
                    .into_body()
                    .collect()
                    .await
                    .map_err(|e| e.to_string())?;
                if ok {
                    done.fetch_add(1, Ordering::Relaxed);
                } else {
                    errors.fetch_add(1, Ordering::Relaxed);
                }
            }
            Ok::<_, String>(())
        }));
    }
    for task in tasks {
        task.await.map_err(|e| e.to_string())??;
    }
    let elapsed = started.elapsed().as_secs_f64();
    Ok((
        done.load(Ordering::Relaxed) as f64 / elapsed,
        errors.load(Ordering::Relaxed),
    ))
}

#[derive(Clone, Copy)]
enum Limit {
    Time(Duration),
    Count(u64),
}

fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    let mid = values.len() / 2;
    if values.len().is_multiple_of(2) {
        (values[mid - 1] + values[mid]) / 2.0
    } else {
        values[mid]
    }
}

async fn throughput_and_memory(
    root: &Path,
    settings: Settings,
    rows: &mut Vec<Row>,
) -> Result<(), String> {
    let release = root.join("target/release");
    let mock = start(&release.join("ucr-mock"), &[]).await?;
    let (token, seller, buyer) = provision(mock.addr).await?;
    // History: a few hundred completed transfers so the page is a real one.
    for _ in 0..300 {
        let transfer = expect(mock.addr, "POST", "/v1/transfers", Some(&token),
            Some(json!({"from_account_id": seller, "to_account_id": buyer, "unit_type": "ACCU", "quantity": 7}))).await?;
        let id = transfer["transfer_id"].as_str().unwrap_or_default();
        expect(
            mock.addr,
            "POST",
            &format!("/v1/transfers/{id}/approve"),
            Some(&token),
            None,
        )
        .await?;
    }
    let holdings = format!("/v1/accounts/{seller}/holdings?limit=50");
    let history = format!("/v1/accounts/{seller}/transactions?limit=50");
    let mut bodies = BTreeMap::new();
    for path in [&holdings, &history] {
        let (_, bytes) = call(mock.addr, "GET", path, Some(&token), None).await?;
        bodies.insert(path.clone(), String::from_utf8_lossy(&bytes).into_owned());
    }
    let body_file =
        std::env::temp_dir().join(format!("ucr-bench-bodies-{}.json", std::process::id()));
    std::fs::write(
        &body_file,
        serde_json::to_string(&bodies).map_err(|e| e.to_string())?,
    )
    .map_err(|e| e.to_string())?;
    let baseline = start(
        &release.join("xtask"),
        &[
            "bench-baseline".to_owned(),
            "--bodies".to_owned(),
            body_file.display().to_string(),
        ],
    )
    .await?;

    for (name, path) in [
        ("holdings page", &holdings),
        ("transaction-history page", &history),
    ] {
        let (mut ours, mut bare) = (Vec::new(), Vec::new());
        for _ in 0..settings.samples {
            let (r, e) = rps(
                mock.addr,
                path,
                Some(&token),
                settings.connections,
                Limit::Time(settings.sample),
            )
            .await?;
            if e > 0 {
                return Err(format!("ucr-mock answered {e} non-200s on {path}"));
            }
            ours.push(r);
            let (r, _) = rps(
                baseline.addr,
                path,
                None,
                settings.connections,
                Limit::Time(settings.sample),
            )
            .await?;
            bare.push(r);
        }
        let (ours, bare) = (median(ours), median(bare));
        let ratio = ours / bare;
        rows.push(Row {
            what: format!("{name}: ucr-mock req/s (median of {})", settings.samples),
            value: format!("{ours:.0}"),
            goal: String::new(),
            met: None,
        });
        rows.push(Row {
            what: format!("{name}: bare hyper req/s, same bytes"),
            value: format!("{bare:.0}"),
            goal: String::new(),
            met: None,
        });
        rows.push(Row {
            what: format!("{name}: ratio ucr-mock / bare"),
            value: format!("{ratio:.2}"),
            goal: "≥ 0.70".into(),
            met: Some(ratio >= 0.7),
        });
    }

    // Writes: initiate + approve, `connections` clients in parallel.
    let done = Arc::new(AtomicU64::new(0));
    let started = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..settings.connections.min(8) {
        let (done, token, seller, buyer, addr) = (
            done.clone(),
            token.clone(),
            seller.clone(),
            buyer.clone(),
            mock.addr,
        );
        let deadline = settings.sample * settings.samples as u32 / 2;
        tasks.push(tokio::spawn(async move {
            while started.elapsed() < deadline {
                let t = expect(addr, "POST", "/v1/transfers", Some(&token), Some(json!({"from_account_id": seller, "to_account_id": buyer, "unit_type": "ACCU", "quantity": 1}))).await?;
                let id = t["transfer_id"].as_str().unwrap_or_default().to_owned();
                expect(addr, "POST", &format!("/v1/transfers/{id}/approve"), Some(&token), None).await?;
                done.fetch_add(1, Ordering::Relaxed);
            }
            Ok::<_, String>(())
        }));
    }
    for task in tasks {
        task.await.map_err(|e| e.to_string())??;
    }
    let tps = done.load(Ordering::Relaxed) as f64 / started.elapsed().as_secs_f64();
    rows.push(Row {
        what: "writes: transfers/s (initiate + approve, new connection per request)".into(),
        value: format!("{tps:.0}"),
        goal: String::new(),
        met: None,
    });

    // Memory: RSS after 10k requests, then after `memory_requests`.
    let fresh = start(&release.join("ucr-mock"), &[]).await?;
    let (token, seller, _) = provision(fresh.addr).await?;
    let path = format!("/v1/accounts/{seller}/holdings?limit=50");
    rps(
        fresh.addr,
        &path,
        Some(&token),
        settings.connections,
        Limit::Count(10_000),
    )
    .await?;
    let first = fresh.rss_kib().ok_or("cannot read the mock's RSS")?;
    rps(
        fresh.addr,
        &path,
        Some(&token),
        settings.connections,
        Limit::Count(settings.memory_requests),
    )
    .await?;
    let second = fresh.rss_kib().ok_or("cannot read the mock's RSS")?;
    let growth = second as f64 / first as f64;
    rows.push(Row {
        what: "memory: ucr-mock RSS after 10k requests".into(),
        value: format!("{:.1} MiB", first as f64 / 1024.0),
        goal: String::new(),
        met: None,
    });
    rows.push(Row {
        what: format!(
            "memory: ucr-mock RSS after {} requests",
            settings.memory_requests
        ),
        value: format!("{:.1} MiB", second as f64 / 1024.0),
        goal: String::new(),
        met: None,
    });
    rows.push(Row {
        what: "memory: growth ratio".into(),
        value: format!("{growth:.2}"),
        goal: "≤ 1.20".into(),
        met: Some(growth <= 1.2),
    });
    let _ = std::fs::remove_file(body_file);
    Ok(())
}

fn conformance_time(root: &Path, rows: &mut Vec<Row>) -> Result<(), String> {
    let report = std::env::temp_dir().join(format!("ucr-bench-report-{}.json", std::process::id()));
    let started = Instant::now();
    let status = Command::new(root.join("target/release/ucr-conformance"))
        .args(["--format", "json", "--output"])
        .arg(&report)
        .stderr(Stdio::null())
        .status()
        .map_err(|e| e.to_string())?;
    let wall = started.elapsed().as_secs_f64();
    if !status.success() {
        return Err("the conformance suite failed against the built-in mock".into());
    }
    let report: Value =
        serde_json::from_str(&std::fs::read_to_string(&report).map_err(|e| e.to_string())?)
            .map_err(|e| e.to_string())?;
    let durations: Vec<f64> = report["checks"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|c| c["duration_ms"].as_f64())
        .collect();
    let count = durations.len();
    rows.push(Row {
        what: format!(
            "conformance: whole default suite ({count} checks), wall time incl. start-up"
        ),
        value: format!("{wall:.2} s"),
        goal: "< 10 s".into(),
        met: Some(wall < 10.0),
    });
    rows.push(Row {
        what: "conformance: per-check median".into(),
        value: format!("{:.0} ms", median(durations)),
        goal: String::new(),
        met: None,
    });
    Ok(())
}

/// A `ucr-mock` seeded with a synthetic registry, and how long it took to answer.
struct Seeded {
    server: Server,
    startup: Duration,
    rss_kib: u64,
    token: String,
}

/// Starts the release `ucr-mock` with a synthetic registry of `(accounts, blocks, transactions)`,
/// timing spawn → port answers, and appoints a representative to the busy account `AU-1000001`
/// through the sandbox API.
async fn seeded(
    program: &Path,
    (accounts, blocks, transactions): (u64, u64, u64),
) -> Result<Seeded, String> {
    let addr = free_addr()?;
    let started = Instant::now();
    let child = Command::new(program)
        .args(["--addr", &addr.to_string()])
        .args(["--synthetic-accounts", &accounts.to_string()])
        .args(["--synthetic-blocks", &blocks.to_string()])
        .args(["--synthetic-transactions", &transactions.to_string()])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| format!("starting {}: {e}", program.display()))?;
    let server = Server { child, addr };
    wait_until_up_within(addr, Duration::from_secs(120)).await?;
    let startup = started.elapsed();
    let rss_kib = server.rss_kib().ok_or("cannot read the mock's RSS")?;
    let op = expect(addr, "POST", "/v1/sandbox/operator-sessions", None, None).await?["token"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let rep = expect(
        addr,
        "POST",
        &format!("/v1/sandbox/accounts/{BUSY_ACCOUNT}/representatives"),
        Some(&op),
        Some(json!({"name": "Bench Reader", "roles": ["initiator"]})),
    )
    .await?;
    let token = rep["token"].as_str().unwrap_or_default().to_owned();
    Ok(Seeded {
        server,
        startup,
        rss_kib,
        token,
    })
}

/// The account of a synthetic registry that receives a tenth of everything.
const BUSY_ACCOUNT: &str = "AU-1000001";

/// Walks every page of `list` (a path with `?limit=`) and returns the page URLs in order: the
/// first without a token, each other with the token the previous page gave.
async fn page_urls(addr: SocketAddr, list: &str, token: &str) -> Result<Vec<String>, String> {
    let mut urls = vec![list.to_owned()];
    loop {
        let page = expect(
            addr,
            "GET",
            urls.last().map_or(list, |u| u),
            Some(token),
            None,
        )
        .await?;
        match page["next_page"].as_str() {
            Some(next) => urls.push(format!("{list}&page_token={next}")),
            None => return Ok(urls),
        }
    }
}

/// Median latency in ms of each `(server, path)`, requested in turn `rounds` times over one
/// kept-alive connection per target (after a warm-up round), so drift hits all alike.
async fn median_latencies(
    targets: &[(SocketAddr, String, String)],
    rounds: usize,
) -> Result<Vec<f64>, String> {
    let mut senders = Vec::new();
    for (addr, _, _) in targets {
        let stream = tokio::net::TcpStream::connect(addr)
            .await
            .map_err(|e| e.to_string())?;
        let (sender, conn) =
            hyper::client::conn::http1::handshake(hyper_util::rt::TokioIo::new(stream))
                .await
                .map_err(|e| e.to_string())?;
        tokio::spawn(conn);
        senders.push(sender);
    }
    let mut samples = vec![Vec::with_capacity(rounds); targets.len()];
    for round in 0..=rounds {
        for (i, ((addr, path, token), sender)) in targets.iter().zip(&mut senders).enumerate() {
            let request = Request::get(path.as_str())
                .header("host", addr.to_string())
                .header("authorization", format!("Bearer {token}"))
                .body(Full::new(Bytes::new()))
                .map_err(|e| e.to_string())?;
            let started = Instant::now();
            let response = sender
                .send_request(request)
                .await
                .map_err(|e| e.to_string())?;
            let status = response.status();
            response
                .into_body()
                .collect()
                .await
                .map_err(|e| e.to_string())?;
            let elapsed = started.elapsed().as_secs_f64() * 1000.0;
            if status != StatusCode::OK {
                return Err(format!("{path} answered {status}"));
            }
            if round > 0 {
                samples[i].push(elapsed);
            }
        }
    }
    Ok(samples.into_iter().map(median).collect())
}

/// The scale section: a large synthetic registry against one of 1,000 blocks, side by side.
async fn scale(root: &Path, settings: Settings, rows: &mut Vec<Row>) -> Result<(), String> {
    let program = root.join("target/release/ucr-mock");
    let (accounts, blocks, transactions) = settings.scale;
    let small_size = ((accounts * 1_000 / blocks).max(3), 1_000, 1_000);
    eprintln!(
        "scale: starting ucr-mock with {accounts} accounts, {blocks} blocks, {transactions} transactions…"
    );
    let big = seeded(&program, settings.scale).await?;
    let small = seeded(&program, small_size).await?;
    let size = format!("{accounts} accounts / {blocks} blocks / {transactions} transactions");
    let startup = big.startup.as_secs_f64();
    rows.push(Row {
        what: format!("scale: start-up with {size} (spawn → port answers)"),
        value: format!("{startup:.2} s"),
        goal: "< 10 s".into(),
        met: Some(startup < 10.0),
    });
    rows.push(Row {
        what: format!(
            "scale: start-up with {} accounts / 1000 blocks / 1000 transactions",
            small_size.0
        ),
        value: format!("{:.2} s", small.startup.as_secs_f64()),
        goal: String::new(),
        met: None,
    });
    rows.push(Row {
        what: format!("scale: ucr-mock RSS after start-up, {size}"),
        value: format!("{:.1} MiB", big.rss_kib as f64 / 1024.0),
        goal: String::new(),
        met: None,
    });
    let per_block = (big.rss_kib.saturating_sub(small.rss_kib)) as f64 * 1024.0
        / (blocks.saturating_sub(1_000)).max(1) as f64;
    rows.push(Row {
        what: "scale: memory per block (RSS difference vs the 1,000-block registry / block difference; each block comes with about one transaction)".into(),
        value: format!("{per_block:.0} bytes"),
        goal: String::new(),
        met: None,
    });

    for (name, list) in [
        (
            "holdings",
            format!("/v1/accounts/{BUSY_ACCOUNT}/holdings?limit=50"),
        ),
        (
            "history",
            format!("/v1/accounts/{BUSY_ACCOUNT}/transactions?limit=50"),
        ),
    ] {
        let big_pages = page_urls(big.server.addr, &list, &big.token).await?;
        let small_pages = page_urls(small.server.addr, &list, &small.token).await?;
        let pick = |pages: &[String], which: &str| -> String {
            match which {
                "first" => pages[0].clone(),
                "middle" => pages[pages.len() / 2].clone(),
                _ => pages[pages.len() - 1].clone(),
            }
        };
        for which in ["first", "middle", "last"] {
            let targets = [
                (big.server.addr, pick(&big_pages, which), big.token.clone()),
                (
                    small.server.addr,
                    pick(&small_pages, which),
                    small.token.clone(),
                ),
            ];
            let medians = median_latencies(&targets, settings.latency_rounds).await?;
            let ratio = medians[0] / medians[1];
            rows.push(Row {
                what: format!(
                    "scale: {name} page, {which} of {} ({BUSY_ACCOUNT}, 50 a page), median ms: large / 1,000-block ({} pages)",
                    big_pages.len(),
                    small_pages.len()
                ),
                value: format!("{:.3} / {:.3} = {ratio:.2}", medians[0], medians[1]),
                goal: "≤ 2.00".into(),
                met: Some(ratio <= 2.0),
            });
        }
    }
    Ok(())
}

fn build_cost(root: &Path, rows: &mut Vec<Row>) -> Result<(), String> {
    for (what, args) in [
        (
            "SDK cost: clean build of ucr-sdk alone",
            vec!["build", "--locked", "-p", "ucr-sdk"],
        ),
        (
            "SDK cost: clean build of a minimal binary using it (examples/minimal.rs)",
            vec!["build", "--locked", "-p", "ucr-sdk", "--example", "minimal"],
        ),
    ] {
        let target: PathBuf =
            std::env::temp_dir().join(format!("ucr-bench-target-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&target);
        let started = Instant::now();
        let status = Command::new(env!("CARGO"))
            .args(&args)
            .env("CARGO_TARGET_DIR", &target)
            .current_dir(root)
            .stderr(Stdio::null())
            .status()
            .map_err(|e| e.to_string())?;
        let secs = started.elapsed().as_secs_f64();
        let _ = std::fs::remove_dir_all(&target);
        if !status.success() {
            return Err(format!("{what}: build failed"));
        }
        rows.push(Row {
            what: what.into(),
            value: format!("{secs:.0} s"),
            goal: String::new(),
            met: None,
        });
    }
    Ok(())
}

fn render(rows: &[Row], settings: Settings) -> String {
    let mut out = String::from("# Benchmarks\n\nWritten by `cargo xtask bench`");
    out.push_str(&format!(
        " ({} connections, {} samples of {:.1} s per server, alternating). One run on this machine; \
         compare ratios, not absolute numbers.\n\n",
        settings.connections,
        settings.samples,
        settings.sample.as_secs_f64()
    ));
    if settings.scale != Settings::full().scale {
        out.push_str(&format!(
            "This is a `--quick` run: the scale section uses a smaller registry ({} accounts / {} \
             blocks / {} transactions) than the full bench's 10,000 / 1,000,000 / 1,000,000.\n\n",
            settings.scale.0, settings.scale.1, settings.scale.2
        ));
    }
    out.push_str("| measurement | value | goal | |\n| --- | --- | --- | --- |\n");
    for row in rows {
        let mark = match row.met {
            Some(true) => "met",
            Some(false) => "**missed**",
            None => "",
        };
        out.push_str(&format!(
            "| {} | {} | {} | {} |\n",
            row.what, row.value, row.goal, mark
        ));
    }
    out
}

/// `xtask bench-baseline`: a bare hyper server answering each path with fixed bytes.
pub fn baseline(args: &[String]) -> Result<(), String> {
    let mut addr = None;
    let mut bodies = None;
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        match arg.as_str() {
            "--addr" => addr = it.next().cloned(),
            "--bodies" => bodies = it.next().cloned(),
            other => return Err(format!("bench-baseline: unknown argument {other}")),
        }
    }
    let addr: SocketAddr = addr
        .ok_or("--addr is required")?
        .parse()
        .map_err(|e| format!("--addr: {e}"))?;
    let text = std::fs::read_to_string(bodies.ok_or("--bodies is required")?)
        .map_err(|e| e.to_string())?;
    let map: BTreeMap<String, String> = serde_json::from_str(&text).map_err(|e| e.to_string())?;
    let map: Arc<BTreeMap<String, Bytes>> =
        Arc::new(map.into_iter().map(|(k, v)| (k, Bytes::from(v))).collect());
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| e.to_string())?;
    runtime.block_on(async move {
        let listener = tokio::net::TcpListener::bind(addr)
            .await
            .map_err(|e| e.to_string())?;
        loop {
            let (stream, _) = listener.accept().await.map_err(|e| e.to_string())?;
            let map = map.clone();
            tokio::spawn(async move {
                let service =
                    hyper::service::service_fn(move |request: Request<hyper::body::Incoming>| {
                        let key = request
                            .uri()
                            .path_and_query()
                            .map(|p| p.as_str().to_owned())
                            .unwrap_or_default();
                        let body = map.get(&key).cloned().unwrap_or_default();
                        async move {
                            hyper::Response::builder()
                                .header("content-type", "application/json")
                                .body(Full::new(body))
                        }
                    });
                let _ = hyper::server::conn::http1::Builder::new()
                    .serve_connection(hyper_util::rt::TokioIo::new(stream), service)
                    .await;
            });
        }
    })
}
