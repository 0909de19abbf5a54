//! `ucr-soak`: a bounded soak of the standalone `ucr-mock` binary.
//!
//! Starts the binary on a free loopback port, provisions holders, accounts, representatives,
//! units, a trading platform with a custodial account and consents through the sandbox API (with
//! the SDK), then runs concurrent clients doing mixed reads and writes (transfers initiated and
//! approved, rejected or rescinded; cancellations; reservations released or consumed; escrows
//! settled or released; platform reads by consent) for the first half of the time and reads only
//! for the second half. Afterwards it verifies through the API that units are conserved per unit
//! type, that serial ranges are disjoint, that nothing is left locked, and that memory is bounded.
//!
//! `cargo xtask soak` builds and runs it; CI runs it with the binaries the test build produced.

use std::collections::{BTreeMap, HashMap};
use std::num::NonZeroU64;
use std::path::PathBuf;
use std::process::{Child, Command, ExitCode, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicU8, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use clap::Parser;
use futures::TryStreamExt;
use ucr_sdk::{Client, Error, ResponseValue, RetryPolicy, types};

/// Soak the standalone mock registry with concurrent mixed reads and writes.
#[derive(Debug, Parser)]
#[command(name = "ucr-soak", version)]
struct Args {
    /// How long the load runs: the first half mixes reads and writes, the second half only reads
    /// (e.g. `60s`, `2m`, `500ms`).
    #[arg(long, default_value = "60s", value_parser = parse_duration)]
    duration: Duration,

    /// Concurrent clients.
    #[arg(long, default_value_t = 16)]
    clients: usize,

    /// The `ucr-mock` binary to start.
    #[arg(long, default_value = "target/debug/ucr-mock")]
    mock: PathBuf,

    /// Holding accounts to provision (each with an initiator and an approver).
    #[arg(long, default_value_t = 8)]
    accounts: usize,

    /// Seed of the clients' random choices.
    #[arg(long, default_value_t = 1)]
    seed: u64,

    /// Allowed RSS growth over the read-only second half, as a factor of the RSS at its start.
    #[arg(long, default_value_t = 1.10)]
    read_growth: f64,

    /// Allowed RSS growth over the write phase, in KiB per successful write (state grows with
    /// every transaction, block split and remembered idempotency key).
    #[arg(long, default_value_t = 8.0)]
    kib_per_write: f64,
}

fn parse_duration(text: &str) -> Result<Duration, String> {
    let text = text.trim();
    let split = text
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(text.len());
    let (number, unit) = text.split_at(split);
    let n: u64 = number
        .parse()
        .map_err(|_| format!("`{text}` is not a duration such as 60s, 2m or 500ms"))?;
    match unit {
        "ms" => Ok(Duration::from_millis(n)),
        "" | "s" => Ok(Duration::from_secs(n)),
        "m" => Ok(Duration::from_secs(n * 60)),
        _ => Err(format!(
            "unknown unit `{unit}` in `{text}` (use ms, s or m)"
        )),
    }
}

#[tokio::main]
async fn main() -> ExitCode {
    let args = Args::parse();
    match run(args).await {
        Ok(()) => {
            println!("\nsoak passed");
            ExitCode::SUCCESS
        }
        Err(error) => {
            eprintln!("\nsoak FAILED: {error:#}");
            ExitCode::FAILURE
        }
    }
}

/// The mock's process, killed on drop.
struct Mock {
    child: Child,
    base_url: String,
}

impl Drop for Mock {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Mock {
    async fn start(program: &PathBuf) -> anyhow::Result<Self> {
        // Bind port 0 to learn a free port, release it, and hand it to the mock.
        let addr = std::net::TcpListener::bind("127.0.0.1:0")?.local_addr()?;
        let child = Command::new(program)
            .args(["--addr", &addr.to_string(), "--webhook-backoff-ms", "50"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .with_context(|| {
                format!(
                    "starting {} (build it with `cargo build -p ucr-mock`, or pass --mock)",
                    program.display()
                )
            })?;
        let mut mock = Self {
            child,
            base_url: format!("http://{addr}"),
        };
        for _ in 0..200 {
            if tokio::net::TcpStream::connect(addr).await.is_ok() {
                return Ok(mock);
            }
            if let Some(status) = mock.child.try_wait()? {
                bail!(
                    "{} exited with {status} before listening",
                    program.display()
                );
            }
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
        bail!("nothing listens on {addr} 5 s after starting the mock")
    }

    /// Resident set size in KiB, from `/proc/<pid>/status`.
    fn rss_kib(&mut self) -> anyhow::Result<u64> {
        if let Some(status) = self.child.try_wait()? {
            bail!("the mock exited with {status}");
        }
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id()))
            .context("reading the mock's /proc status (the soak's memory check needs Linux)")?;
        status
            .lines()
            .find_map(|l| l.strip_prefix("VmRSS:"))
            .and_then(|v| v.split_whitespace().next()?.parse().ok())
            .context("no VmRSS line in /proc/<pid>/status")
    }
}

/// A holding account with a separate initiator and approver.
struct Holding {
    account_id: String,
    initiator: Client,
    approver: Client,
}

/// Everything the clients share.
struct World {
    accounts: Vec<Holding>,
    platform_id: String,
    platform: Client,
    custodial_id: String,
    /// The custodial account's only representative (both roles).
    custodian: Client,
    anonymous: Client,
    /// Units issued per unit type.
    issued: BTreeMap<String, u64>,
}

const UNIT_TYPES: [&str; 2] = ["ACCU", "SMC"];
const ISSUED_PER_ACCOUNT: u64 = 1_000_000;

async fn provision(base_url: &str, accounts: usize) -> anyhow::Result<World> {
    let anonymous = Client::builder(base_url)
        .retry(RetryPolicy::none())
        .build()?;
    let session = anonymous
        .create_operator_session()
        .send()
        .await
        .context("starting an operator session")?;
    let operator = anonymous.with_bearer_token(&session.token);

    let platform = operator
        .create_platform()
        .body(types::NewPlatform {
            kind: types::PlatformKind::TradingPlatform,
            name: "Soak Exchange".parse()?,
            redirect_uris: Vec::new(),
        })
        .send()
        .await
        .context("registering the trading platform")?
        .into_inner();
    let custodial_id = operator
        .create_account()
        .body(types::NewAccount {
            holder_id: platform.platform.holder_id.clone(),
            kind: types::AccountKind::Custodial,
            name: "Soak Exchange custody".parse()?,
        })
        .send()
        .await
        .context("opening the custodial account")?
        .into_inner()
        .account_id;
    let custodian = appoint(
        &operator,
        &custodial_id,
        "Soak custodian",
        vec![types::Role::Initiator, types::Role::Approver],
    )
    .await?;

    let mut issued = BTreeMap::new();
    let mut holdings = Vec::with_capacity(accounts);
    let expires = chrono::Utc::now() + chrono::Duration::days(365);
    for n in 0..accounts {
        let holder = operator
            .create_account_holder()
            .body(types::NewAccountHolder {
                name: format!("Soak holder {n}").parse()?,
            })
            .send()
            .await
            .context("creating a holder")?;
        let account_id = operator
            .create_account()
            .body(types::NewAccount {
                holder_id: holder.holder_id.clone(),
                kind: types::AccountKind::Holding,
                name: format!("Soak account {n}").parse()?,
            })
            .send()
            .await
            .context("opening an account")?
            .into_inner()
            .account_id;
        let initiator = appoint(
            &operator,
            &account_id,
            &format!("Initiator {n}"),
            vec![types::Role::Initiator],
        )
        .await?;
        let approver = appoint(
            &operator,
            &account_id,
            &format!("Approver {n}"),
            vec![types::Role::Approver],
        )
        .await?;
        for unit_type in UNIT_TYPES {
            operator
                .issue_units()
                .body(types::IssuanceRequest {
                    account_id: account_id.clone(),
                    unit_type: unit_type.into(),
                    quantity: NonZeroU64::new(ISSUED_PER_ACCOUNT).expect("not zero"),
                    project_id: (unit_type == "ACCU").then(|| format!("ERF10{n:04}")),
                    vintage: "2023-24".into(),
                    method: (unit_type == "ACCU").then(|| "Plantation forestry".into()),
                    facility_id: (unit_type == "SMC").then(|| format!("SGF-10{n:04}")),
                    facility_name: (unit_type == "SMC").then(|| format!("Safeguard facility {n}")),
                    issuance_year: (unit_type == "SMC").then_some(2025),
                    kyoto_status: None,
                    state: "NSW".into(),
                    issued_on: None,
                })
                .send()
                .await
                .with_context(|| format!("issuing {unit_type} into {account_id}"))?;
            *issued.entry(unit_type.to_owned()).or_insert(0) += ISSUED_PER_ACCOUNT;
        }
        initiator
            .grant_consent()
            .account_id(&account_id)
            .body(types::ConsentRequest {
                expires_at: expires,
                subset: None,
                grantee_id: platform.platform.platform_id.clone(),
                scopes: vec![
                    types::ConsentScope::HoldingsRead,
                    types::ConsentScope::TransactionsRead,
                ],
            })
            .send()
            .await
            .with_context(|| format!("granting the platform consent on {account_id}"))?;
        holdings.push(Holding {
            account_id,
            initiator,
            approver,
        });
    }
    Ok(World {
        accounts: holdings,
        platform_id: platform.platform.platform_id,
        platform: anonymous.with_bearer_token(&platform.token),
        custodial_id,
        custodian,
        anonymous,
        issued,
    })
}

async fn appoint(
    operator: &Client,
    account_id: &str,
    name: &str,
    roles: Vec<types::Role>,
) -> anyhow::Result<Client> {
    let credential = operator
        .appoint_representative()
        .account_id(account_id)
        .body(types::NewRepresentative {
            name: name.into(),
            roles,
            representative_id: None,
        })
        .send()
        .await
        .with_context(|| format!("appointing {name} to {account_id}"))?
        .into_inner();
    Ok(operator.with_bearer_token(&credential.token))
}

/// What one call's outcome counts as.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
enum Outcome {
    /// A declared response with this status.
    Status(u16),
    /// A status the spec does not declare for the operation.
    Undeclared(u16),
    /// A declared status whose body does not match the spec.
    InvalidBody,
    /// No response: connection refused, reset, timed out.
    Transport,
}

impl std::fmt::Display for Outcome {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Outcome::Status(s) => write!(f, "{s}"),
            Outcome::Undeclared(s) => write!(f, "{s} (undeclared)"),
            Outcome::InvalidBody => f.write_str("invalid body"),
            Outcome::Transport => f.write_str("transport error"),
        }
    }
}

impl Outcome {
    /// Acceptable under concurrent load: success, or a 409 because another client got there
    /// first (units taken, a transaction already decided).
    fn acceptable(&self) -> bool {
        matches!(self, Outcome::Status(s) if *s < 300 || *s == 409)
    }
}

/// Per-client tallies, merged at the end.
#[derive(Default)]
struct Tally {
    /// (operation, outcome) → count.
    counts: BTreeMap<(&'static str, Outcome), u64>,
    /// operation → latencies.
    latencies: HashMap<&'static str, Vec<Duration>>,
    /// Successful writes, by phase (0 warm-up, 1 measured writes, 2 read-only).
    writes: [u64; 3],
    /// The first few unacceptable outcomes, with what the registry said.
    failures: Vec<String>,
}

impl Tally {
    fn merge(&mut self, other: Tally) {
        for (key, n) in other.counts {
            *self.counts.entry(key).or_insert(0) += n;
        }
        for (op, mut l) in other.latencies {
            self.latencies.entry(op).or_default().append(&mut l);
        }
        for (mine, theirs) in self.writes.iter_mut().zip(other.writes) {
            *mine += theirs;
        }
        for f in other.failures {
            if self.failures.len() < 20 {
                self.failures.push(f);
            }
        }
    }
}

const WARMUP: u8 = 0;
const WRITES: u8 = 1;
const READS: u8 = 2;
const STOP: u8 = 3;

/// One client's loop and its bookkeeping.
struct Driver {
    world: Arc<World>,
    phase: Arc<AtomicU8>,
    rng: fastrand::Rng,
    tally: Tally,
    /// Transfers this client created (with the index of their source account), for
    /// `get_transfer` reads.
    transfers: Vec<(String, usize)>,
    /// The phase in which the current operation (a sequence of calls) started.
    op_phase: u8,
    /// Clients that have seen the read-only phase begin.
    in_reads: Arc<AtomicUsize>,
}

impl Driver {
    /// Times one call and records its outcome; returns the value on a 2xx.
    async fn call<T, F>(&mut self, op: &'static str, future: F) -> Option<T>
    where
        F: std::future::IntoFuture<Output = Result<ResponseValue<T>, Error<types::Problem>>>,
    {
        let phase = self.op_phase.min(READS) as usize;
        let started = Instant::now();
        let result = future.await;
        let elapsed = started.elapsed();
        let (outcome, value, detail) = match result {
            Ok(v) => (
                Outcome::Status(v.status().as_u16()),
                Some(v.into_inner()),
                None,
            ),
            Err(Error::ErrorResponse(r)) => {
                let detail = format!("{} {}", r.type_, r.detail.clone().unwrap_or_default());
                (Outcome::Status(r.status().as_u16()), None, Some(detail))
            }
            Err(Error::UnexpectedResponse(r)) => {
                let status = r.status().as_u16();
                let body = r.text().await.unwrap_or_default();
                (Outcome::Undeclared(status), None, Some(body))
            }
            Err(Error::InvalidResponsePayload(body, e)) => (
                Outcome::InvalidBody,
                None,
                Some(format!("{e}: {}", String::from_utf8_lossy(&body))),
            ),
            Err(e) => (Outcome::Transport, None, Some(e.to_string())),
        };
        if !outcome.acceptable() && self.tally.failures.len() < 20 {
            self.tally
                .failures
                .push(format!("{op}: {outcome}: {}", detail.unwrap_or_default()));
        }
        if value.is_some() && !op.starts_with("get_") && !op.starts_with("list_") {
            self.tally.writes[phase] += 1;
        }
        *self.tally.counts.entry((op, outcome)).or_insert(0) += 1;
        self.tally.latencies.entry(op).or_default().push(elapsed);
        value
    }

    fn pick_two(&mut self) -> (usize, usize) {
        let n = self.world.accounts.len();
        let a = self.rng.usize(..n);
        let b = (a + 1 + self.rng.usize(..n - 1)) % n;
        (a, b)
    }

    fn unit_type(&mut self) -> &'static str {
        UNIT_TYPES[self.rng.usize(..UNIT_TYPES.len())]
    }

    async fn run(mut self) -> Tally {
        let mut counted = false;
        loop {
            self.op_phase = self.phase.load(Ordering::Relaxed);
            if self.op_phase >= READS && !counted {
                counted = true;
                self.in_reads.fetch_add(1, Ordering::SeqCst);
            }
            match self.op_phase {
                STOP => return self.tally,
                READS => self.read().await,
                _ => {
                    if self.rng.u8(..100) < 40 {
                        self.read().await;
                    } else {
                        self.write().await;
                    }
                }
            }
        }
    }

    async fn read(&mut self) {
        let world = Arc::clone(&self.world);
        let a = &world.accounts[self.rng.usize(..world.accounts.len())];
        match self.rng.u8(..9) {
            0 => {
                let limit = self.rng.u32(1..=200);
                self.call(
                    "list_holdings",
                    a.initiator
                        .list_holdings()
                        .account_id(&a.account_id)
                        .limit(limit)
                        .send(),
                )
                .await;
            }
            1 => {
                let limit = self.rng.u32(1..=200);
                self.call(
                    "list_transactions",
                    a.approver
                        .list_transactions()
                        .account_id(&a.account_id)
                        .limit(limit)
                        .send(),
                )
                .await;
            }
            2 => {
                self.call(
                    "get_account",
                    a.approver.get_account().account_id(&a.account_id).send(),
                )
                .await;
            }
            3 => {
                // A platform reading by consent.
                self.call(
                    "list_holdings",
                    world
                        .platform
                        .list_holdings()
                        .account_id(&a.account_id)
                        .limit(50)
                        .send(),
                )
                .await;
            }
            4 => {
                self.call(
                    "list_reservations",
                    world.platform.list_reservations().limit(50).send(),
                )
                .await;
            }
            5 => {
                self.call(
                    "list_escrows",
                    world.platform.list_escrows().limit(50).send(),
                )
                .await;
            }
            6 => {
                self.call(
                    "list_accu_projects",
                    world.anonymous.list_accu_projects().limit(20).send(),
                )
                .await;
            }
            7 if !self.transfers.is_empty() => {
                let (id, source) = self.transfers[self.rng.usize(..self.transfers.len())].clone();
                let reader = &world.accounts[source].approver;
                self.call(
                    "get_transfer",
                    reader.get_transfer().transfer_id(&id).send(),
                )
                .await;
            }
            _ => {
                self.call(
                    "list_transactions",
                    world
                        .platform
                        .list_transactions()
                        .account_id(&a.account_id)
                        .limit(20)
                        .send(),
                )
                .await;
            }
        }
    }

    async fn write(&mut self) {
        match self.rng.u8(..100) {
            0..45 => self.transfer().await,
            45..60 => self.cancellation().await,
            60..75 => self.reservation().await,
            75..90 => self.escrow().await,
            _ => self.out_of_custody().await,
        }
    }

    /// Initiate, then approve (60%), reject (20%) or rescind (20%); now and then a second,
    /// conflicting decision that must be refused with 409.
    async fn transfer(&mut self) {
        let world = Arc::clone(&self.world);
        let (a, b) = self.pick_two();
        let (from, to) = (&world.accounts[a], &world.accounts[b]);
        let unit_type = self.unit_type();
        let quantity = self.rng.u64(1..=100);
        let Some(transfer) = self
            .call(
                "initiate_transfer",
                from.initiator
                    .initiate_transfer()
                    .body(by_quantity(
                        &from.account_id,
                        &to.account_id,
                        unit_type,
                        quantity,
                    ))
                    .send(),
            )
            .await
        else {
            return;
        };
        let id = transfer.transfer_id;
        if self.transfers.len() < 256 {
            self.transfers.push((id.clone(), a));
        } else {
            let slot = self.rng.usize(..256);
            self.transfers[slot] = (id.clone(), a);
        }
        match self.rng.u8(..10) {
            0..6 => {
                self.call(
                    "approve_transfer",
                    from.approver.approve_transfer().transfer_id(&id).send(),
                )
                .await;
            }
            6..8 => {
                self.call(
                    "reject_transfer",
                    from.approver
                        .reject_transfer()
                        .transfer_id(&id)
                        .body(types::RejectRequest { reason: None })
                        .send(),
                )
                .await;
            }
            _ => {
                self.call(
                    "rescind_transfer",
                    from.initiator.rescind_transfer().transfer_id(&id).send(),
                )
                .await;
            }
        }
        if self.rng.u8(..10) == 0 {
            // Deciding an already decided transfer: 409 invalid-state, and nothing changes.
            self.call(
                "approve_transfer",
                from.approver.approve_transfer().transfer_id(&id).send(),
            )
            .await;
        }
    }

    async fn cancellation(&mut self) {
        let world = Arc::clone(&self.world);
        let account = &world.accounts[self.rng.usize(..world.accounts.len())];
        let unit_type = self.unit_type();
        let quantity = self.rng.u64(1..=20);
        let Some(cancellation) = self
            .call(
                "initiate_cancellation",
                account
                    .initiator
                    .initiate_cancellation()
                    .body(types::CancellationRequest {
                        account_id: account.account_id.clone(),
                        unit_type: unit_type.into(),
                        quantity: NonZeroU64::new(quantity),
                        serial_ranges: None,
                        vintage: None,
                        project_id: None,
                        reason: None,
                    })
                    .send(),
            )
            .await
        else {
            return;
        };
        let id = cancellation.cancellation_id;
        if self.rng.bool() {
            self.call(
                "approve_cancellation",
                account
                    .approver
                    .approve_cancellation()
                    .cancellation_id(&id)
                    .send(),
            )
            .await;
        } else {
            self.call(
                "rescind_cancellation",
                account
                    .initiator
                    .rescind_cancellation()
                    .cancellation_id(&id)
                    .send(),
            )
            .await;
        }
    }

    /// Reserve for the platform, then release it or move it into custody.
    async fn reservation(&mut self) {
        let world = Arc::clone(&self.world);
        let account = &world.accounts[self.rng.usize(..world.accounts.len())];
        let unit_type = self.unit_type();
        let quantity = self.rng.u64(1..=50);
        let Some(reservation) = self
            .call(
                "create_reservation",
                account
                    .initiator
                    .create_reservation()
                    .body(types::ReservationRequest {
                        account_id: account.account_id.clone(),
                        custodial_account_id: world.custodial_id.clone(),
                        platform_id: world.platform_id.clone(),
                        expires_at: chrono::Utc::now() + chrono::Duration::days(1),
                        unit_type: unit_type.into(),
                        quantity: NonZeroU64::new(quantity),
                        serial_ranges: None,
                        vintage: None,
                        project_id: None,
                    })
                    .send(),
            )
            .await
        else {
            return;
        };
        let id = reservation.reservation_id;
        if self.rng.bool() {
            self.call(
                "release_reservation",
                account
                    .approver
                    .release_reservation()
                    .reservation_id(&id)
                    .send(),
            )
            .await;
            return;
        }
        let Some(transfer) = self
            .call(
                "initiate_transfer",
                account
                    .initiator
                    .initiate_transfer()
                    .body(types::TransferRequest {
                        from_account_id: account.account_id.clone(),
                        to_account_id: world.custodial_id.clone(),
                        unit_type: unit_type.into(),
                        quantity: None,
                        serial_ranges: None,
                        vintage: None,
                        project_id: None,
                        reference: None,
                        reservation_id: Some(id.clone()),
                    })
                    .send(),
            )
            .await
        else {
            // Nothing moved: give the units back.
            self.call(
                "release_reservation",
                account
                    .approver
                    .release_reservation()
                    .reservation_id(&id)
                    .send(),
            )
            .await;
            return;
        };
        self.call(
            "approve_transfer",
            account
                .approver
                .approve_transfer()
                .transfer_id(&transfer.transfer_id)
                .send(),
        )
        .await;
    }

    /// Escrow for the platform, approved by the seller's approver; the platform then settles to
    /// another account or releases.
    async fn escrow(&mut self) {
        let world = Arc::clone(&self.world);
        let (a, b) = self.pick_two();
        let (seller, buyer) = (&world.accounts[a], &world.accounts[b]);
        let unit_type = self.unit_type();
        let quantity = self.rng.u64(1..=50);
        let Some(escrow) = self
            .call(
                "create_escrow",
                seller
                    .initiator
                    .create_escrow()
                    .body(types::EscrowRequest {
                        account_id: seller.account_id.clone(),
                        controller_id: world.platform_id.clone(),
                        expires_at: chrono::Utc::now() + chrono::Duration::days(30),
                        unit_type: unit_type.into(),
                        quantity: NonZeroU64::new(quantity),
                        serial_ranges: None,
                        vintage: None,
                        project_id: None,
                    })
                    .send(),
            )
            .await
        else {
            return;
        };
        let id = escrow.escrow_id;
        // Four eyes: the seller's approver approves before the platform may act.
        if self
            .call(
                "approve_escrow",
                seller.approver.approve_escrow().escrow_id(&id).send(),
            )
            .await
            .is_none()
        {
            return;
        }
        if self.rng.bool() {
            self.call(
                "settle_escrow",
                world
                    .platform
                    .settle_escrow()
                    .escrow_id(&id)
                    .body(types::SettleRequest {
                        to_account_id: buyer.account_id.clone(),
                        reference: None,
                    })
                    .send(),
            )
            .await;
        } else {
            self.call(
                "release_escrow",
                world.platform.release_escrow().escrow_id(&id).send(),
            )
            .await;
        }
    }

    /// The custodian (sole representative, so it may approve its own) moves units back out.
    async fn out_of_custody(&mut self) {
        let world = Arc::clone(&self.world);
        let to = &world.accounts[self.rng.usize(..world.accounts.len())];
        let unit_type = self.unit_type();
        let quantity = self.rng.u64(1..=20);
        let Some(transfer) = self
            .call(
                "initiate_transfer",
                world
                    .custodian
                    .initiate_transfer()
                    .body(by_quantity(
                        &world.custodial_id,
                        &to.account_id,
                        unit_type,
                        quantity,
                    ))
                    .send(),
            )
            .await
        else {
            return;
        };
        self.call(
            "approve_transfer",
            world
                .custodian
                .approve_transfer()
                .transfer_id(&transfer.transfer_id)
                .send(),
        )
        .await;
    }
}

fn by_quantity(from: &str, to: &str, unit_type: &str, quantity: u64) -> types::TransferRequest {
    types::TransferRequest {
        from_account_id: from.into(),
        to_account_id: to.into(),
        unit_type: unit_type.into(),
        quantity: NonZeroU64::new(quantity),
        serial_ranges: None,
        vintage: None,
        project_id: None,
        reference: None,
        reservation_id: None,
    }
}

/// Reads every account's holdings and checks conservation, disjoint serials and that nothing is
/// left pending, reserved or escrowed (every client decided what it started).
async fn verify(world: &World) -> anyhow::Result<Vec<String>> {
    let mut readers: Vec<(&str, &Client)> = world
        .accounts
        .iter()
        .map(|h| (h.account_id.as_str(), &h.approver))
        .collect();
    readers.push((&world.custodial_id, &world.custodian));
    let mut held: BTreeMap<String, u64> = BTreeMap::new();
    let mut ranges: BTreeMap<String, Vec<(u64, u64, String)>> = BTreeMap::new();
    let mut problems = Vec::new();
    for (account_id, reader) in readers {
        let blocks: Vec<types::UnitBlock> = reader
            .list_holdings()
            .account_id(account_id)
            .limit(200)
            .stream()
            .try_collect()
            .await
            .with_context(|| format!("reading the holdings of {account_id}"))?;
        for block in blocks {
            if block.serial_end < block.serial_start
                || block.serial_end - block.serial_start + 1 != block.quantity
            {
                problems.push(format!(
                    "{account_id}: block {} has quantity {} for serials {}..={}",
                    block.block_id, block.quantity, block.serial_start, block.serial_end
                ));
            }
            if !matches!(
                block.status,
                types::BlockStatus::Available | types::BlockStatus::Cancelled
            ) {
                problems.push(format!(
                    "{account_id}: block {} is still {} after every client decided what it started",
                    block.block_id, block.status
                ));
            }
            *held.entry(block.unit_type.clone()).or_insert(0) += block.quantity;
            ranges.entry(block.unit_type.clone()).or_default().push((
                block.serial_start,
                block.serial_end,
                account_id.to_owned(),
            ));
        }
    }
    for (unit_type, issued) in &world.issued {
        let found = held.get(unit_type).copied().unwrap_or(0);
        println!("conservation {unit_type}: issued {issued}, held in all accounts {found}");
        if found != *issued {
            problems.push(format!(
                "{unit_type}: {issued} units issued but {found} held across all accounts"
            ));
        }
    }
    for (unit_type, mut list) in ranges {
        list.sort();
        let blocks = list.len();
        let mut overlaps = 0;
        for pair in list.windows(2) {
            let ((_, end, first), (start, _, second)) = (&pair[0], &pair[1]);
            if start <= end {
                overlaps += 1;
                problems.push(format!(
                    "{unit_type}: serials overlap: a block of {first} ends at {end}, one of {second} starts at {start}"
                ));
            }
        }
        println!("serials {unit_type}: {blocks} blocks, {overlaps} overlapping pairs");
    }
    Ok(problems)
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let rank = ((sorted.len() as f64) * p).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

fn ms(d: Duration) -> String {
    format!("{:.1}", d.as_secs_f64() * 1000.0)
}

async fn run(args: Args) -> anyhow::Result<()> {
    if args.clients == 0 || args.accounts < 2 {
        bail!("need at least one client and two accounts");
    }
    let mut mock = Mock::start(&args.mock).await?;
    println!(
        "ucr-soak: {} clients for {:?} against {} ({}), {} accounts",
        args.clients,
        args.duration,
        args.mock.display(),
        mock.base_url,
        args.accounts
    );
    let rss_start = mock.rss_kib()?;
    let world = Arc::new(provision(&mock.base_url, args.accounts).await?);
    let phase = Arc::new(AtomicU8::new(WARMUP));
    let in_reads = Arc::new(AtomicUsize::new(0));
    let tasks: Vec<_> = (0..args.clients)
        .map(|n| {
            let driver = Driver {
                world: Arc::clone(&world),
                phase: Arc::clone(&phase),
                rng: fastrand::Rng::with_seed(args.seed.wrapping_mul(1_000_003) + n as u64),
                tally: Tally::default(),
                transfers: Vec::new(),
                op_phase: WARMUP,
                in_reads: Arc::clone(&in_reads),
            };
            tokio::spawn(driver.run())
        })
        .collect();
    let started = Instant::now();
    let half = args.duration / 2;
    let warmup = (args.duration / 10).min(Duration::from_secs(10));
    tokio::time::sleep(warmup).await;
    let rss_warm = mock.rss_kib()?;
    phase.store(WRITES, Ordering::Relaxed);
    tokio::time::sleep(half.saturating_sub(warmup)).await;
    phase.store(READS, Ordering::Relaxed);
    // Let every client finish the write it is in the middle of before measuring.
    while in_reads.load(Ordering::SeqCst) < args.clients {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let rss_writes = mock.rss_kib()?;
    tokio::time::sleep(args.duration.saturating_sub(half)).await;
    phase.store(STOP, Ordering::Relaxed);
    let mut tally = Tally::default();
    for task in tasks {
        tally.merge(task.await.context("a client task panicked")?);
    }
    let elapsed = started.elapsed();
    let rss_end = mock.rss_kib()?;

    // The table.
    let total: u64 = tally.counts.values().sum();
    println!(
        "\n{total} requests in {:.1} s ({:.0}/s)\n",
        elapsed.as_secs_f64(),
        total as f64 / elapsed.as_secs_f64()
    );
    println!(
        "| operation | requests | by status | p50 ms | p99 ms |\n| --- | ---: | --- | ---: | ---: |"
    );
    let mut ops: Vec<_> = tally.latencies.keys().copied().collect();
    ops.sort_unstable();
    for op in ops {
        let mut l = tally.latencies.remove(op).unwrap_or_default();
        l.sort_unstable();
        let statuses: Vec<String> = tally
            .counts
            .iter()
            .filter(|((o, _), _)| *o == op)
            .map(|((_, s), n)| format!("{s}: {n}"))
            .collect();
        println!(
            "| {op} | {} | {} | {} | {} |",
            l.len(),
            statuses.join(", "),
            ms(percentile(&l, 0.50)),
            ms(percentile(&l, 0.99))
        );
    }

    let mut failures = Vec::new();
    let bad: u64 = tally
        .counts
        .iter()
        .filter(|((_, o), _)| !o.acceptable())
        .map(|(_, n)| n)
        .sum();
    if bad > 0 {
        failures.push(format!(
            "{bad} responses were 5xx, undeclared, invalid, transport errors or unexpected 4xx; first ones:\n  {}",
            tally.failures.join("\n  ")
        ));
    }

    // Memory. Writes add state (transactions, split blocks, remembered idempotency keys), so the
    // write phase is bounded per write; the read-only half adds none, so it is bounded by a factor.
    let [_, writes, reads_writes] = tally.writes;
    let write_bound = rss_warm as f64 + args.kib_per_write * writes as f64;
    let read_bound = rss_writes as f64 * args.read_growth;
    println!(
        "\n| RSS | KiB |\n| --- | ---: |\n| at start | {rss_start} |\n| after provisioning and warm-up | {rss_warm} |\n| after the write phase ({writes} successful writes) | {rss_writes} |\n| after the read-only phase | {rss_end} |"
    );
    println!(
        "write phase: {:+} KiB, {:.2} KiB per write (bound {} KiB per write: {:.0} KiB)",
        rss_writes as i64 - rss_warm as i64,
        (rss_writes as f64 - rss_warm as f64) / writes.max(1) as f64,
        args.kib_per_write,
        write_bound
    );
    println!(
        "read-only phase: {:+} KiB, {:.3}x (bound {:.2}x: {:.0} KiB)",
        rss_end as i64 - rss_writes as i64,
        rss_end as f64 / rss_writes as f64,
        args.read_growth,
        read_bound
    );
    if reads_writes != 0 {
        failures.push(format!(
            "{reads_writes} writes happened in the read-only phase"
        ));
    }
    if rss_writes as f64 > write_bound {
        failures.push(format!(
            "RSS grew from {rss_warm} to {rss_writes} KiB over {writes} writes, more than {} KiB per write",
            args.kib_per_write
        ));
    }
    if rss_end as f64 > read_bound {
        failures.push(format!(
            "RSS grew from {rss_writes} to {rss_end} KiB over the read-only phase, more than {:.2}x",
            args.read_growth
        ));
    }

    println!();
    failures.extend(verify(&world).await?);
    mock.rss_kib().context("the mock after the soak")?;
    if failures.is_empty() {
        Ok(())
    } else {
        bail!("{}", failures.join("\n"))
    }
}
