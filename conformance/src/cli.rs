//! The `ucr-conformance` command line: target selection, check selection, output formats and exit
//! codes.

use std::io::{IsTerminal, Write};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use clap::{Parser, ValueEnum};

use crate::check::Check;

use crate::config::Config;
use crate::engine::{CheckDone, DOCUMENTED_WEBHOOK_BACKOFF, RunOptions, run, select};
use crate::expected::ExpectedFailures;
use crate::outcome::Phase;
use crate::report::{self, Report};

/// The webhook retry base the built-in mock is started with and checked against.
pub const EMBEDDED_WEBHOOK_BACKOFF: Duration = Duration::from_millis(50);

/// The registry the CLI starts in-process when given no target (kept alive for the run).
#[cfg(feature = "embedded-mock")]
type Embedded = ucr_mock::MockRegistry;
/// Without the `embedded-mock` feature there is no embedded registry.
#[cfg(not(feature = "embedded-mock"))]
type Embedded = std::convert::Infallible;

const AFTER_HELP: &str = "\
Examples:
  Run every check against the embedded mock registry (no target needed):
    ucr-conformance

  Run against another implementation that offers the sandbox API:
    ucr-conformance --base-url http://localhost:8080

  Also let the last check reset that sandbox (it removes everything on it):
    ucr-conformance --base-url http://localhost:8080 --allow-reset

  Run against an implementation without the sandbox API, described by a configuration file
  (base URL, declared models and features, provisioned accounts and tokens; see README), keep
  each check's exchanges as evidence and write a page for a certification request:
    ucr-conformance --config target.toml --evidence evidence/ --format html --output report.html

  Accept known failures while they are being fixed (a listed check that passes fails the run):
    ucr-conformance --config target.toml --expected-failures known-failures.toml

  Run only the transfer checks and one auth check, as JUnit for CI:
    ucr-conformance --only 'A1-TRANSFER-*,A1-AUTH-001' --format junit --output conformance.xml

  List the checks without running them:
    ucr-conformance --list

  Run the webhook checks against a remote target that reaches this machine through a tunnel
  forwarding https://hooks.example.net to local port 9000:
    ucr-conformance --base-url https://ucr.example.net --webhook-listen 0.0.0.0:9000 \
      --webhook-url https://hooks.example.net

Exit codes:
  0  at least one check passed, and every other selected check passed, was skipped (the target
     lacks what it needs; the reason is in the report) or is a listed expected failure
  1  one or more checks failed, a check listed in --expected-failures passed, or nothing was
     verified (no check passed: every selected check skipped or expected to fail)
  2  usage or configuration error: bad arguments, a --only pattern that matches no check, an
     invalid --config or --expected-failures file (unknown check IDs included), an unreachable
     target, a target without the sandbox API that declares `sandbox`
     (POST /v1/sandbox/operator-sessions answered 404), a configured token that cannot read its
     account, or a report or evidence that cannot be written";

/// Conformance suite for implementations of the CER Unit and Certificate Registry
/// interoperability API.
///
/// Runs checks (each with a stable ID such as A1-TRANSFER-003 or B4-RESERVE-001) against a target
/// over HTTP. Every check provisions its own holders, accounts, representatives, platforms and
/// units through the target's sandbox API, so checks are independent and run concurrently; the
/// checks that move the sandbox clock then run one at a time, then the run-wide conservation
/// checks, and last, alone, the sandbox-reset check (only with --allow-reset, or against the
/// embedded mock). Webhooks are received by the suite's own HTTP receiver. Without --base-url or
/// --config the suite starts the embedded mock registry in-process and runs against it.
///
/// A target without the sandbox API is described by a --config file: it declares the models and
/// optional features it implements and provides accounts with representatives' tokens. Checks
/// needing anything it lacks are reported as skipped, with the reason, never as passed.
#[derive(Debug, Parser)]
#[command(name = "ucr-conformance", version, after_help = AFTER_HELP)]
pub struct Args {
    /// Base URL of the implementation to test (scheme, host, port; without /v1). Without it, the
    /// embedded mock registry is started in-process and tested.
    #[arg(long, value_name = "URL", conflicts_with = "config")]
    pub base_url: Option<String>,

    /// Target configuration file (TOML): base URL, declared capabilities, provisioned accounts and
    /// representatives' tokens. Needed for a target without the sandbox API.
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,

    /// Check IDs the target is known to fail, each with a reason (TOML: `"ID" = "reason"`).
    /// Listed failures do not fail the run; a listed check that passes does.
    #[arg(long, value_name = "FILE")]
    pub expected_failures: Option<PathBuf>,

    /// Write every check's HTTP exchanges (credentials redacted) to `DIR/<CHECK-ID>.json`; the
    /// reports refer to these files.
    #[arg(long, value_name = "DIR")]
    pub evidence: Option<PathBuf>,

    /// Print the checks (ID, model, operations, description) and exit without running anything.
    #[arg(long)]
    pub list: bool,

    /// Run only checks whose ID matches one of these comma-separated globs (`*`, `?`), e.g.
    /// 'A1-TRANSFER-*,A1-AUTH-001'. A pattern that matches no check is an error.
    #[arg(long, value_name = "PATTERNS")]
    pub only: Option<String>,

    /// Claim a capability set in full: `full` (every model and feature) or a comma-separated list
    /// of models and features, e.g. 'A.1,sandbox' or 'B.4,sandbox,webhooks'. Every selected check
    /// that set covers is required: if it is skipped (the target does not declare what it needs,
    /// or offered nothing to verify) it fails the run, with what the target lacked.
    #[arg(long, value_name = "PROFILE")]
    pub profile: Option<crate::profile::Profile>,

    /// Report format.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub format: Format,

    /// Write the report to FILE instead of stdout; a short summary still goes to stderr.
    #[arg(long, value_name = "FILE")]
    pub output: Option<PathBuf>,

    /// How many checks run at the same time.
    #[arg(long, value_name = "N", default_value_t = 8, value_parser = clap::value_parser!(u16).range(1..=256))]
    pub concurrency: u16,

    /// Timeout of each HTTP request, in seconds. A check as a whole may take at most 20 times
    /// this (at least 60 s).
    #[arg(long, value_name = "SECS", default_value_t = 15, value_parser = clap::value_parser!(u64).range(1..=3600))]
    pub timeout: u64,

    /// Address the suite's webhook receiver listens on (port 0: any free port).
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:0")]
    pub webhook_listen: SocketAddr,

    /// Base URL (scheme, host, port) at which the target reaches the webhook receiver, when it
    /// cannot reach --webhook-listen directly (a remote target). Default: the receiver's own
    /// address.
    #[arg(long, value_name = "BASE")]
    pub webhook_url: Option<String>,

    /// The target's declared webhook retry base in milliseconds: the wait before the first
    /// redelivery, each further retry waiting twice as long. The redelivery checks hold the target
    /// to this schedule. Default: 500 (the documented 0.5, 1, 2, 4, 8 s) for --base-url; the
    /// built-in mock is started with, and checked against, 50 unless this is given.
    /// REQ-WEBHOOK-006 bounds it to 50..=60000.
    #[arg(long, value_name = "MS", value_parser = parse_webhook_backoff)]
    pub webhook_backoff_ms: Option<u64>,

    /// Let the sandbox-reset checks run: they reset the target's sandbox last of all, removing
    /// every holder, account, representative, platform, transaction and token but operators' (a
    /// shared sandbox loses other users' fixtures too). Without it they are skipped. The embedded
    /// mock registry (no --base-url or --config) always allows it.
    #[arg(long)]
    pub allow_reset: bool,

    /// Print the JSON Schema of the JSON report and exit.
    #[arg(long)]
    pub report_schema: bool,
}

/// The retry bases REQ-WEBHOOK-006 allows, in milliseconds: "one retry base `b` from 0.05 s to
/// 60 s".
pub const WEBHOOK_BACKOFF_MS: std::ops::RangeInclusive<u64> = 50..=60_000;

/// Parses `--webhook-backoff-ms`, refusing a base the contract does not allow.
fn parse_webhook_backoff(text: &str) -> Result<u64, String> {
    let ms: u64 = text
        .parse()
        .map_err(|_| format!("{text:?} is not a whole number of milliseconds"))?;
    if WEBHOOK_BACKOFF_MS.contains(&ms) {
        Ok(ms)
    } else {
        Err(format!(
            "{ms} ms is outside what the contract allows: REQ-WEBHOOK-006 requires a retry base from \
             0.05 s to 60 s ({}..={} ms)",
            WEBHOOK_BACKOFF_MS.start(),
            WEBHOOK_BACKOFF_MS.end()
        ))
    }
}

/// Report formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// Text for people: checks by model, failures with the failing request and response.
    Human,
    /// JSON with every exchange as evidence (schema: --report-schema).
    Json,
    /// JUnit XML: one testsuite per model, one testcase per check.
    Junit,
    /// One self-contained HTML page: target, date, capabilities, each model's flows and checks
    /// with results, failure messages and exchanges.
    Html,
}

/// Renders the report in `format`.
pub fn render(report: &Report, format: Format) -> String {
    match format {
        Format::Human => report::render_human(report),
        Format::Json => report::render_json(report),
        Format::Junit => report::render_junit(report),
        Format::Html => crate::html::render_html(report),
    }
}

/// The `--list` output.
pub fn render_list(checks: &[Check], format: Format) -> Result<String, String> {
    match format {
        Format::Human => {
            let width = checks.iter().map(|c| c.id.len()).max().unwrap_or(0);
            let mut out = String::new();
            for check in checks {
                let after = match check.phase {
                    Phase::Main => "",
                    Phase::Clock => " (moves the clock: runs alone, after the others)",
                    Phase::AfterAll => " (runs after the others)",
                    Phase::Reset => {
                        " (resets the sandbox: runs alone, last of all, only when resets are allowed)"
                    }
                };
                let cites = if check.cites.is_empty() {
                    "(cites no requirement)".to_string()
                } else {
                    check.cites.join(",")
                };
                out.push_str(&format!(
                    "{:<width$}  {}  {}  {}{after}  [{cites}]\n",
                    check.id,
                    check.model,
                    check.operations.join(","),
                    check.description
                ));
            }
            out.push_str(&format!("{} checks\n", checks.len()));
            Ok(out)
        }
        Format::Json => {
            let list: Vec<serde_json::Value> = checks
                .iter()
                .map(|c| {
                    serde_json::json!({
                        "id": c.id,
                        "model": c.model,
                        "seed": c.seed,
                        "operations": c.operations,
                        "description": c.description,
                        "after_all": c.phase == Phase::AfterAll,
                        "moves_clock": c.phase == Phase::Clock,
                        "resets_sandbox": c.phase == Phase::Reset,
                        "requires": c.requirements().iter().map(ToString::to_string).collect::<Vec<_>>(),
                        "requirements": c.cited().iter().map(|r| match r {
                            Ok(r) => serde_json::json!({"id": r.id, "text": r.text}),
                            Err(id) => serde_json::json!({"id": id, "text": null}),
                        }).collect::<Vec<_>>(),
                    })
                })
                .collect();
            Ok(serde_json::to_string_pretty(&list).unwrap_or_default() + "\n")
        }
        Format::Junit | Format::Html => Err("--list supports --format human or json".into()),
    }
}

/// Writes to stdout, ignoring a closed pipe (e.g. `--list | head`).
fn emit(text: &str) {
    let mut stdout = std::io::stdout().lock();
    let _ = stdout
        .write_all(text.as_bytes())
        .and_then(|()| stdout.flush());
}

fn usage_error(message: impl std::fmt::Display) -> ExitCode {
    eprintln!("ucr-conformance: error: {message}");
    ExitCode::from(2)
}

/// Runs the command line; returns the process exit code.
pub async fn main(args: Args) -> ExitCode {
    if args.report_schema {
        println!(
            "{}",
            serde_json::to_string_pretty(&report::json_schema()).unwrap_or_default()
        );
        return ExitCode::SUCCESS;
    }
    let all = crate::checks::registry();
    let expected = match &args.expected_failures {
        Some(path) => match ExpectedFailures::from_path(path, &all) {
            Ok(expected) => Some(expected),
            Err(e) => return usage_error(format!("--expected-failures {e}")),
        },
        None => None,
    };
    let config = match &args.config {
        Some(path) => match Config::from_path(path) {
            Ok(config) => Some(config),
            Err(e) => return usage_error(format!("--config {e}")),
        },
        None => None,
    };
    let registry = all.clone();
    let checks = match &args.only {
        Some(patterns) => match select(&all, patterns) {
            Ok(checks) => checks,
            Err(e) => return usage_error(e),
        },
        None => all,
    };
    if args.list {
        return match render_list(&checks, args.format) {
            Ok(text) => {
                emit(&text);
                ExitCode::SUCCESS
            }
            Err(e) => usage_error(e),
        };
    }

    if let Some(url) = &args.webhook_url
        && reqwest::Url::parse(url)
            .map(|u| !matches!(u.scheme(), "http" | "https") || u.cannot_be_a_base())
            .unwrap_or(true)
    {
        return usage_error(format!("--webhook-url {url:?} is not an http(s) URL"));
    }

    // The built-in mock retries on a short base so the redelivery checks take ~1.5 s, not 15.5 s;
    // the suite is told that base and holds the mock to it as strictly as a remote target.
    let webhook_backoff = match (args.webhook_backoff_ms, &args.base_url) {
        (Some(ms), _) => Duration::from_millis(ms),
        (None, Some(_)) => DOCUMENTED_WEBHOOK_BACKOFF,
        (None, None) => EMBEDDED_WEBHOOK_BACKOFF,
    };

    // Keep the embedded registry alive for the whole run.
    let (embedded, base_url, label): (Option<Embedded>, String, String) = match (
        &args.base_url,
        &config,
    ) {
        (_, Some(config)) => (
            None,
            config.base_url.clone(),
            config
                .label
                .clone()
                .unwrap_or_else(|| config.base_url.clone()),
        ),
        (Some(url), None) => {
            if reqwest::Url::parse(url)
                .map(|u| !matches!(u.scheme(), "http" | "https"))
                .unwrap_or(true)
            {
                return usage_error(format!("--base-url {url:?} is not an http(s) URL"));
            }
            (None, url.clone(), url.clone())
        }
        #[cfg(not(feature = "embedded-mock"))]
        (None, None) => {
            return usage_error(
                "no target: pass --base-url URL or --config FILE (this build has no embedded mock \
                 registry: the `embedded-mock` feature of ucr-conformance is off)",
            );
        }
        #[cfg(feature = "embedded-mock")]
        (None, None) => {
            let registry = ucr_mock::MockRegistry::builder()
                .webhook_backoff(webhook_backoff)
                .start()
                .await;
            let uri = registry.uri();
            (
                Some(registry),
                uri.clone(),
                "embedded ucr-mock (in-process)".to_owned(),
            )
        }
    };

    let progress = std::io::stderr().is_terminal().then(|| {
        let bar = indicatif::ProgressBar::new(checks.len() as u64);
        bar.set_style(
            indicatif::ProgressStyle::with_template("{spinner} [{bar:30}] {pos}/{len} {msg}")
                .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar())
                .progress_chars("=> "),
        );
        bar.enable_steady_tick(Duration::from_millis(120));
        bar
    });
    let options = RunOptions {
        concurrency: usize::from(args.concurrency),
        timeout: Duration::from_secs(args.timeout),
        target_label: Some(label),
        on_check_done: progress.clone().map(|bar| {
            Arc::new(move |check: &report::CheckReport| {
                bar.inc(1);
                bar.set_message(check.id.clone());
            }) as CheckDone
        }),
        webhook_listen: args.webhook_listen,
        webhook_url: args.webhook_url.clone(),
        capabilities: config
            .as_ref()
            .map(|c| c.capabilities.clone())
            .unwrap_or_default(),
        accounts: config
            .as_ref()
            .map(|c| c.accounts.clone())
            .unwrap_or_default(),
        platforms: config
            .as_ref()
            .map(|c| c.platforms.clone())
            .unwrap_or_default(),
        webhook_backoff,
        // The embedded registry is the run's own: nobody else's fixtures are on it.
        allow_reset: args.allow_reset || embedded.is_some(),
    };
    let outcome = run(&base_url, checks, &options).await;
    if let Some(bar) = progress {
        bar.finish_and_clear();
    }
    #[cfg(feature = "embedded-mock")]
    drop(embedded);
    #[cfg(not(feature = "embedded-mock"))]
    let _ = embedded;
    let mut report = match outcome {
        Ok(report) => report,
        Err(e) => return usage_error(e),
    };
    if let Some(profile) = &args.profile {
        profile.apply(&mut report, &registry);
    }
    if let Some(expected) = &expected {
        expected.apply(&mut report);
    }
    if let Some(dir) = &args.evidence
        && let Err(e) = report::write_evidence(&mut report, dir)
    {
        return usage_error(format!(
            "cannot write the evidence to {}: {e}",
            dir.display()
        ));
    }

    let rendered = render(&report, args.format);
    match &args.output {
        Some(path) => {
            if let Err(e) = std::fs::write(path, rendered) {
                return usage_error(format!(
                    "cannot write the report to {}: {e}",
                    path.display()
                ));
            }
            eprint!("{}", report::render_summary(&report));
            eprintln!("report written to {}", path.display());
        }
        None => {
            let mut stdout = std::io::stdout().lock();
            if stdout
                .write_all(rendered.as_bytes())
                .and_then(|()| stdout.flush())
                .is_err()
            {
                return ExitCode::from(2);
            }
            if args.format != Format::Human {
                eprint!("{}", report::render_summary(&report));
            }
        }
    }
    if report.summary.passed == 0 {
        eprintln!(
            "ucr-conformance: nothing was verified: no check passed ({} selected: {})",
            report.summary.total,
            report.summary.line()
        );
        ExitCode::from(1)
    } else if report.summary.ok() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}
