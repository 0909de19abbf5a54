//! `cargo xtask bench`: calibrated measurements of the mock's speed and memory, the suite's run
//! time and the SDK's build cost, written to `docs/benchmarks.md`.
//!
//! Load comes from `wrk`, never from the bench's own client, and every throughput figure stands
//! beside the generator's ceiling: what wrk, shaped the same way, gets from a bare hyper server
//! answering a few bytes. A figure within 20 % of that ceiling says more about wrk than about the
//! server and is marked "generator-bound", never "met". Ratios are taken side by side in one run:
//! the standalone `ucr-mock` and the bare server returning the same bytes, alternately, median of
//! N. Absolute numbers on a shared 2-core machine mean little; ratios and ceilings do.

mod baseline;
mod build_cost;
mod client;
mod cpu;
mod memory;
mod plot;
mod process;
mod profile;
mod report;
mod scale;
mod suite;
mod throughput;
mod tools;
mod writes;
mod wrk;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

pub use baseline::baseline;
pub use report::{Report, Row, Section, Verdict};

/// A throughput within this share of the generator's ceiling is generator-bound.
pub const GENERATOR_BOUND: f64 = 0.8;

/// How the bench is run; `--quick` shortens every phase for a smoke run and judges no goal.
#[derive(Debug, Clone)]
pub struct Settings {
    /// A smoke run: short, small, no goals judged, written under `target/`.
    pub quick: bool,
    /// wrk's threads, connections and sample length.
    pub shape: wrk::Shape,
    /// Samples per server (alternating); the median is reported.
    pub samples: usize,
    /// Requests before the second RSS reading.
    pub memory_requests: u64,
    /// Whether to time clean builds of the SDK (slow).
    pub build_cost: bool,
    /// Whether to profile the holdings page with perf.
    pub profile: bool,
    /// Unit blocks of the synthetic registries of the growth curve, ascending; the first is the
    /// reference the others' page latencies are compared with.
    pub sizes: Vec<u64>,
    /// Requests per page and registry whose median latency is compared.
    pub latency_rounds: usize,
    /// Whether to build the release binaries first (`--no-build` uses those in `target/release`).
    pub build: bool,
    /// Another `ucr-mock` binary to measure (`--mock PATH`), e.g. an older build for a `before`
    /// profile.
    pub mock: Option<PathBuf>,
}

impl Settings {
    /// The settings `cargo xtask bench` uses.
    pub fn full() -> Self {
        Self {
            quick: false,
            shape: wrk::Shape {
                threads: 1,
                connections: 16,
                duration: Duration::from_secs(5),
            },
            samples: 5,
            memory_requests: 1_000_000,
            build_cost: true,
            profile: true,
            sizes: vec![1_000, 10_000, 100_000, 1_000_000, 10_000_000],
            latency_rounds: 300,
            build: true,
            mock: None,
        }
    }

    /// A short smoke run (CI).
    pub fn quick() -> Self {
        Self {
            quick: true,
            shape: wrk::Shape {
                threads: 1,
                connections: 16,
                duration: Duration::from_secs(1),
            },
            samples: 1,
            memory_requests: 50_000,
            build_cost: false,
            // Only if perf and inferno are already installed: a smoke run installs nothing slow.
            profile: true,
            sizes: vec![1_000, 10_000, 100_000],
            latency_rounds: 40,
            build: true,
            mock: None,
        }
    }

    /// Applies the command line's options: `--quick`, `--no-build`, `--no-build-cost`,
    /// `--max-blocks N` (the growth curve stops there), `--mock PATH`.
    pub fn from_args(args: &[String]) -> Result<Self, String> {
        let mut settings = if args.iter().any(|a| a == "--quick") {
            Self::quick()
        } else {
            Self::full()
        };
        let mut it = args.iter();
        while let Some(arg) = it.next() {
            match arg.as_str() {
                "--quick" => {}
                "--no-build" => settings.build = false,
                "--no-build-cost" => settings.build_cost = false,
                "--max-blocks" => {
                    let max: u64 = it
                        .next()
                        .and_then(|n| n.parse().ok())
                        .ok_or("--max-blocks needs a number")?;
                    settings.sizes.retain(|&size| size <= max);
                }
                "--mock" => settings.mock = Some(it.next().ok_or("--mock needs a path")?.into()),
                "--profile-only" => {
                    it.next();
                }
                other => return Err(format!("bench: unknown option {other}")),
            }
        }
        Ok(settings)
    }

    /// The `ucr-mock` binary measured.
    fn mock_binary(&self, release: &Path) -> PathBuf {
        self.mock
            .clone()
            .unwrap_or_else(|| binary(release, "ucr-mock"))
    }
}

/// Judges `ok` unless this is a quick run.
pub fn judge(settings: &Settings, ok: bool) -> Verdict {
    match (settings.quick, ok) {
        (true, _) => Verdict::NotJudged,
        (false, true) => Verdict::Met,
        (false, false) => Verdict::Missed,
    }
}

/// Runs every benchmark, prints the report and writes it (`docs/benchmarks.md`, or
/// `target/benchmarks-quick.md` for `--quick`).
pub fn run(root: &Path, settings: &Settings) -> Result<(), String> {
    let wrk = tools::wrk()?;
    if settings.build {
        build_release(root)?;
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .map_err(|e| e.to_string())?;
    let release = root.join("target/release");
    let docs = root.join("docs");
    let mut report = Report::new(settings);
    let load_before = load_average();
    runtime.block_on(async {
        report.push(throughput::run(&release, &wrk, settings).await?);
        report.push(writes::run(&release, &wrk, settings).await?);
        report.push(memory::run(&release, &wrk, settings).await?);
        report.push(suite::run(&release, settings)?);
        let plot = if settings.quick {
            root.join("target/scale-quick.svg")
        } else {
            docs.join("scale.svg")
        };
        report.push(scale::run(&release, settings, &plot, &docs).await?);
        if settings.profile {
            let (dir, name) = if settings.quick {
                (root.join("target"), "quick")
            } else {
                (docs.clone(), "after")
            };
            report.push(profile::section(&release, &wrk, settings, &dir, name).await);
        }
        Ok::<_, String>(())
    })?;
    if settings.build_cost {
        report.push(build_cost::run(root)?);
    }
    report.note(&format!(
        "The machine's load while the bench ran (`/proc/loadavg`, 1, 5 and 15 minutes; the bench \
         itself adds about 2): {load_before} at the start, {} at the end. {} CPUs.",
        load_average(),
        std::thread::available_parallelism().map_or(0, usize::from)
    ));
    let text = report.render();
    print!("{text}");
    let path = if settings.quick {
        root.join("target/benchmarks-quick.md")
    } else {
        docs.join("benchmarks.md")
    };
    std::fs::write(&path, text).map_err(|e| format!("writing {}: {e}", path.display()))?;
    println!("wrote {}", path.display());
    let failures = report.failures();
    if !failures.is_empty() {
        let rows: Vec<String> = failures
            .iter()
            .map(|r| format!("{}: {}", r.what, r.value))
            .collect();
        return Err(format!(
            "{} measurement(s) failed:\n{}",
            rows.len(),
            rows.join("\n")
        ));
    }
    Ok(())
}

/// `cargo xtask bench --profile-only NAME`: only the holdings-page profile, written to
/// `docs/profile-holdings-NAME.svg` and `.txt` (`before` keeps the profile an optimisation
/// started from; the full bench writes `after` and shows both).
pub fn profile_only(root: &Path, name: &str, settings: &Settings) -> Result<(), String> {
    let wrk = tools::wrk()?;
    if settings.build {
        build_release(root)?;
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .map_err(|e| e.to_string())?;
    let section = runtime.block_on(profile::section(
        &root.join("target/release"),
        &wrk,
        settings,
        &root.join("docs"),
        name,
    ));
    print!("{}", Report::single(settings, section).render());
    Ok(())
}

fn build_release(root: &Path) -> Result<(), String> {
    eprintln!("building ucr-mock, ucr-conformance and the baseline server in release mode…");
    let status = Command::new(env!("CARGO"))
        .args([
            "build",
            "--release",
            "--locked",
            "-p",
            "ucr-mock",
            "--bin",
            "ucr-mock",
            "-p",
            "ucr-conformance",
            "--bin",
            "ucr-conformance",
            "-p",
            "xtask",
            "--bin",
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

/// The 1, 5 and 15 minute load averages.
fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .ok()
        .map(|text| {
            text.split_whitespace()
                .take(3)
                .collect::<Vec<_>>()
                .join(" / ")
        })
        .unwrap_or_else(|| "unknown".to_owned())
}

/// The release binary `name`.
fn binary(release: &Path, name: &str) -> PathBuf {
    release.join(name)
}

/// The median of `values` (not empty).
pub fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    let mid = values.len() / 2;
    if values.len().is_multiple_of(2) {
        (values[mid - 1] + values[mid]) / 2.0
    } else {
        values[mid]
    }
}
