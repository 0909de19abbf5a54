//! Write throughput: transfers (initiate + approve) per second over kept-alive connections and the
//! 99th percentile latency of a write, driven by a wrk Lua script (`transfers.lua`) and calibrated
//! by the same script against the bare server.

use std::collections::BTreeMap;
use std::path::Path;
use std::time::Duration;

use super::client::provision;
use super::process::Server;
use super::throughput::{Ceiling, clean, sample, spread};
use super::wrk::{Load, Outcome};
use super::{Row, Section, Settings, Verdict, baseline, median};

const SCRIPT: &str = include_str!("transfers.lua");

/// What the bare server answers to every write: a transfer awaiting approval, so the script
/// exercises the same branches as against the mock.
const PENDING: &str = r#"{"transfer_id":"TRF-CALIBRATION","status":"pending_approval"}"#;

/// A script-printed count.
fn count(outcome: &Outcome, key: &str) -> Result<u64, String> {
    outcome
        .script
        .iter()
        .find(|(k, _)| k == key)
        .and_then(|(_, v)| v.parse().ok())
        .ok_or_else(|| format!("transfers.lua printed no `{key}` count"))
}

/// Runs the section.
pub async fn run(release: &Path, wrk_path: &Path, settings: &Settings) -> Result<Section, String> {
    let script =
        std::env::temp_dir().join(format!("ucr-bench-transfers-{}.lua", std::process::id()));
    std::fs::write(&script, SCRIPT).map_err(|e| format!("writing {}: {e}", script.display()))?;
    let mock = Server::start(&settings.mock_binary(release), &[], Duration::from_secs(5)).await?;
    let account = provision(mock.addr, 0).await?;
    let mut bodies = BTreeMap::new();
    bodies.insert(baseline::FALLBACK.to_owned(), PENDING.to_owned());
    let bare = baseline::start(release, &bodies).await?;
    let seconds = settings.shape.duration.as_secs_f64().max(1.0);
    let (mut ceiling, mut requests, mut transfers, mut p99) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    let (mut cost, mut busy) = (Vec::new(), Vec::new());
    let mut failures = Vec::new();
    for round in 0..settings.samples {
        let args = |prefix: String| {
            vec![
                account.token.clone(),
                account.seller.clone(),
                account.buyer.clone(),
                prefix,
            ]
        };
        let bare_load = Load {
            addr: bare.addr,
            pid: bare.pid(),
            path: "/v1/transfers",
            headers: Vec::new(),
            script: Some((&script, args(format!("calibration-{round}")))),
        };
        let outcome = sample(
            wrk_path,
            "bare server, scripted calibration",
            &bare_load,
            settings.shape,
        )?;
        match clean(&outcome, "the bare server under transfers.lua") {
            Ok(rps) => ceiling.push(rps),
            Err(failure) => failures.push(failure),
        }
        let mock_load = Load {
            addr: mock.addr,
            pid: mock.pid(),
            path: "/v1/transfers",
            headers: Vec::new(),
            script: Some((
                &script,
                args(format!("bench-{}-{round}", std::process::id())),
            )),
        };
        let outcome = sample(wrk_path, "ucr-mock, transfers", &mock_load, settings.shape)?;
        let refused = count(&outcome, "refused")?;
        let completed = count(&outcome, "transfers")?;
        if refused > 0 || outcome.socket_errors > 0 || completed == 0 {
            failures.push(format!(
                "ucr-mock refused {refused} writes, completed {completed} transfers and had {} \
                 socket errors under load",
                outcome.socket_errors
            ));
            continue;
        }
        eprintln!(
            "  transfers {} initiated {} p99 {:.2} ms",
            count(&outcome, "transfers")?,
            count(&outcome, "initiated")?,
            outcome.p99_ms
        );
        requests.push(outcome.rps);
        cost.push(outcome.server_us_per_request());
        busy.push(outcome.generator_busy(settings.shape.threads));
        transfers.push(count(&outcome, "transfers")? as f64 / seconds);
        p99.push(outcome.p99_ms);
    }
    let _ = std::fs::remove_file(&script);
    let flags = settings.shape.flags();
    if !failures.is_empty() {
        eprintln!("{}", failures.join("\n"));
        return Ok(Section {
            title: "Writes: transfers".into(),
            intro: format!("`wrk {flags} --latency -s transfers.lua`."),
            rows: vec![Row::goal(
                "writes: transfers under load",
                failures.join("; "),
                "every answer 2xx",
                Verdict::Failed,
            )],
            outro: String::new(),
        });
    }
    let ceiling_rps = Ceiling {
        rps: median(ceiling.clone()),
    };
    let write_rps = median(requests.clone());
    let bound = if ceiling_rps.binds(write_rps) {
        Verdict::GeneratorBound
    } else {
        Verdict::Info
    };
    let rows = vec![
        Row::info(
            format!(
                "generator ceiling: `wrk {flags} -s transfers.lua` against the bare server (median of {})",
                settings.samples
            ),
            format!("{:.0} req/s ({})", ceiling_rps.rps, spread(&ceiling)),
        ),
        Row::goal(
            format!(
                "writes: ucr-mock write requests/s, initiate or approve (median of {}; wrk busy \
                 {:.0} %)",
                settings.samples,
                100.0 * median(busy)
            ),
            format!("{write_rps:.0} ({})", spread(&requests)),
            "",
            bound,
        )
        .with_ceiling(ceiling_rps.cell(write_rps)),
        Row::info(
            "writes: completed transfers/s (initiate + approve)",
            format!("{:.0} ({})", median(transfers.clone()), spread(&transfers)),
        ),
        Row::info(
            "writes: ucr-mock CPU time per write request (median of the samples)",
            format!("{:.1} µs", median(cost)),
        ),
        Row::info(
            "writes: p99 latency of a write request (median of the samples' p99)",
            format!("{:.2} ms", median(p99)),
        ),
    ];
    Ok(Section {
        title: "Writes: transfers".into(),
        intro: format!(
            "`wrk {flags} --latency -s transfers.lua`: {} kept-alive connections each send \
             `POST /v1/transfers` (one unit, a fresh `Idempotency-Key`), and a connection whose \
             turn comes while a transfer awaits approval sends its \
             `POST /v1/transfers/{{id}}/approve` instead. Every answer must be 2xx (the script \
             counts the others; any fails the section) and transfers must complete. The ceiling \
             is the same script against the bare server answering every write with a pending \
             transfer; samples alternate.",
            settings.shape.connections
        ),
        rows,
        outro: String::new(),
    })
}
