//! The `ucr-mock` binary: the mock registry as a standalone HTTP server.

use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::Parser;
use tracing_subscriber::EnvFilter;
use ucr_mock::{DEFAULT_SEED, Fault, Fixture, MockRegistry, Synthetic, serve};

/// A stateful mock of the CER Unit and Certificate Registry interoperability API.
///
/// Serves the whole `/v1` API: accounts, holdings, transaction history, transfers and
/// cancellations under the four-eyes rule, the public registers (generated from --seed),
/// trading platforms and third-party registries (OAuth client credentials, consents, delegations,
/// reservations, escrows, associations, signed webhooks with retries) and the sandbox API for
/// test set-up (bootstrap with POST /v1/sandbox/operator-sessions; move the registry clock with
/// POST /v1/sandbox/clock/advance).
#[derive(Debug, Parser)]
#[command(
    name = "ucr-mock",
    version,
    after_help = "\
Examples:
  ucr-mock                                  serve on 127.0.0.1:8080, sandbox enabled
  ucr-mock --addr 0.0.0.0:9000 --seed 7     another port, other public-register rows
  ucr-mock --fixture world.json             start with holders, accounts and tokens from a file
  ucr-mock --no-sandbox                     production-like: /v1/sandbox answers 404
  ucr-mock --fault self-approval            deliberately broken, to test a test suite (--list-faults)
  ucr-mock --synthetic-accounts 10000 --synthetic-blocks 1000000 --synthetic-transactions 1000000
                                            a large registry for scale tests

  curl -s -X POST http://127.0.0.1:8080/v1/sandbox/operator-sessions
  curl -s 'http://127.0.0.1:8080/v1/registers/accu-projects?state=QLD&limit=5'
  curl -s -X POST http://127.0.0.1:8080/v1/sandbox/platforms -H \"authorization: Bearer $OP\" \\
       -H 'content-type: application/json' -d '{\"name\": \"Exchange\", \"kind\": \"trading_platform\"}'
  curl -s -X POST http://127.0.0.1:8080/v1/oauth/token \\
       -d grant_type=client_credentials -d client_id=$ID -d client_secret=$SECRET

Webhooks are POSTed with Standard Webhooks signatures; a delivery answered with anything but 2xx
is retried with exponential backoff (0.5, 1, 2, 4, 8 s by default; see --webhook-backoff-ms).

Logs go to stderr; set RUST_LOG=debug to log every request."
)]
struct Args {
    /// Address to listen on, HOST:PORT.
    #[arg(long, default_value = "127.0.0.1:8080", value_name = "HOST:PORT")]
    addr: String,

    /// Seed of the generated public registers; the same seed gives the same rows.
    #[arg(long, default_value_t = DEFAULT_SEED, value_name = "N")]
    seed: u64,

    /// JSON fixture applied at start-up: holders, accounts, representatives with fixed tokens,
    /// issuances (see the `ucr_mock::fixture` docs for the format).
    #[arg(long, value_name = "FILE")]
    fixture: Option<PathBuf>,

    /// Disable the sandbox API: every /v1/sandbox path answers 404 sandbox-unavailable.
    #[arg(long)]
    no_sandbox: bool,

    /// Limit each principal to N requests per second (a token bucket of N): over it, 429
    /// rate-limited with Retry-After, and the RateLimit-Policy and RateLimit fields on every
    /// response. Off by default.
    #[arg(long, value_name = "N/s")]
    rate_limit: Option<ucr_mock::RateLimit>,

    /// Delay before the first webhook redelivery, in milliseconds; each retry waits twice as long.
    #[arg(long, default_value_t = 500, value_name = "MS")]
    webhook_backoff_ms: u64,

    /// Switch on a deliberate implementation bug, to check that a test suite notices it
    /// (repeatable; see --list-faults). Never use it for anything else.
    #[arg(long = "fault", value_name = "NAME")]
    faults: Vec<Fault>,

    /// Print every fault --fault accepts (name, area, description) and exit.
    #[arg(long)]
    list_faults: bool,

    /// Start from a synthetic registry with this many accounts (scale tests; generated from
    /// --seed, the same seed giving the same registry). Needs --synthetic-blocks and
    /// --synthetic-transactions.
    #[arg(long, value_name = "N", requires_all = ["synthetic_blocks", "synthetic_transactions"])]
    synthetic_accounts: Option<u64>,

    /// Unit blocks of the synthetic registry: issuances of 10 blocks of 100 ACCUs, each block
    /// but the first of an issuance transferred to another account.
    #[arg(long, value_name = "N", requires = "synthetic_accounts")]
    synthetic_blocks: Option<u64>,

    /// Transactions of the synthetic registry, at least one per block; those beyond the blocks
    /// are rejected transfers.
    #[arg(long, value_name = "N", requires = "synthetic_accounts")]
    synthetic_transactions: Option<u64>,
}

#[tokio::main]
async fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal())
        .with_env_filter(
            EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info")),
        )
        .init();
    match run(Args::parse()).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error:#}");
            ExitCode::FAILURE
        }
    }
}

async fn run(args: Args) -> anyhow::Result<()> {
    if args.list_faults {
        use std::io::Write;
        let mut out = std::io::stdout().lock();
        for fault in Fault::ALL {
            let line = format!(
                "{:<36} {:<12} {}  [caught by {}]",
                fault.name(),
                fault.area(),
                fault.description(),
                fault.catchers().join(", ")
            );
            // A closed pipe (`| head`) ends the listing quietly.
            if writeln!(out, "{line}").is_err() {
                break;
            }
        }
        return Ok(());
    }
    let mut builder = MockRegistry::builder()
        .seed(args.seed)
        .sandbox(!args.no_sandbox)
        .webhook_backoff(std::time::Duration::from_millis(args.webhook_backoff_ms));
    for fault in &args.faults {
        builder = builder.fault(*fault);
    }
    if let Some(limit) = args.rate_limit {
        builder = builder.rate_limit(limit);
    }
    if let (Some(accounts), Some(blocks), Some(transactions)) = (
        args.synthetic_accounts,
        args.synthetic_blocks,
        args.synthetic_transactions,
    ) {
        let size = Synthetic::new(accounts, blocks, transactions).map_err(anyhow::Error::msg)?;
        builder = builder.synthetic(size);
    }
    if let Some(path) = &args.fixture {
        builder = builder.fixture(Fixture::from_path(path)?);
    }
    let started = std::time::Instant::now();
    let router = builder.router()?;
    if args.synthetic_accounts.is_some() {
        tracing::info!(
            "synthetic registry of {} accounts, {} blocks, {} transactions built in {:.2} s",
            args.synthetic_accounts.unwrap_or_default(),
            args.synthetic_blocks.unwrap_or_default(),
            args.synthetic_transactions.unwrap_or_default(),
            started.elapsed().as_secs_f64()
        );
    }
    let listener = tokio::net::TcpListener::bind(&args.addr)
        .await
        .with_context(|| {
            format!(
                "cannot listen on {} (is another server using it? choose another with --addr)",
                args.addr
            )
        })?;
    let address = listener
        .local_addr()
        .context("cannot read the listening address")?;
    if !args.faults.is_empty() {
        let names: Vec<&str> = args.faults.iter().map(|f| f.name()).collect();
        tracing::warn!(
            "deliberately broken: running with fault(s) {}",
            names.join(", ")
        );
    }
    tracing::info!(
        "ucr-mock listening on http://{address} (seed {}, {} public-register rows, sandbox {})",
        args.seed,
        router.registers().len(),
        if args.no_sandbox {
            "disabled"
        } else {
            "enabled"
        },
    );
    let shutdown = async {
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
        tracing::info!("shutting down");
    };
    serve(listener, router, shutdown)
        .await
        .context("server failed")?;
    Ok(())
}
