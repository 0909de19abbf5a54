//! Read throughput: the generator's ceiling, then three pages (a public-register page, a holdings
//! page, a transaction-history page) from the standalone mock against the bare server returning
//! the same bytes, alternating, median of N.

use std::collections::BTreeMap;
use std::path::Path;
use std::time::Duration;

use super::client::{body, provision};
use super::process::Server;
use super::wrk::{self, Load, Outcome, Shape};
use super::{GENERATOR_BOUND, Row, Section, Settings, Verdict, baseline, judge, median};

/// The generator's ceiling: median requests/s of wrk against the bare server's tiny body.
#[derive(Debug, Clone, Copy)]
pub struct Ceiling {
    /// Requests per second.
    pub rps: f64,
}

impl Ceiling {
    /// Whether `rps` is within 20 % of the ceiling.
    pub fn binds(&self, rps: f64) -> bool {
        rps >= GENERATOR_BOUND * self.rps
    }

    /// The ceiling cell of a row whose figure is `rps`.
    pub fn cell(&self, rps: f64) -> String {
        format!(
            "{:.0} req/s; this is {:.0} %",
            self.rps,
            100.0 * rps / self.rps
        )
    }
}

/// `samples` runs of `load`, each logged to stderr under `label`.
pub fn sample(
    wrk_path: &Path,
    label: &str,
    load: &Load<'_>,
    shape: Shape,
) -> Result<Outcome, String> {
    let outcome = wrk::run(wrk_path, load, shape)?;
    eprintln!(
        "wrk {} {label} {}:\n{}",
        shape.flags(),
        load.path,
        outcome.summary.trim_end()
    );
    Ok(outcome)
}

/// Requests/s of a run that must have no errors.
fn clean(outcome: &Outcome, what: &str) -> Result<f64, String> {
    if outcome.non_2xx > 0 || outcome.socket_errors > 0 {
        return Err(format!(
            "{what}: {} non-2xx answers and {} socket errors under load",
            outcome.non_2xx, outcome.socket_errors
        ));
    }
    Ok(outcome.rps)
}

/// Measures the ceiling: `samples` runs against the bare server's tiny body.
pub fn calibrate(
    wrk_path: &Path,
    bare: &Server,
    settings: &Settings,
) -> Result<(Ceiling, Vec<f64>), String> {
    let load = Load {
        addr: bare.addr,
        path: baseline::CALIBRATION_PATH,
        headers: Vec::new(),
        script: None,
    };
    let mut runs = Vec::new();
    for _ in 0..settings.samples {
        let outcome = sample(wrk_path, "bare server, calibration", &load, settings.shape)?;
        runs.push(clean(&outcome, "calibration")?);
    }
    Ok((
        Ceiling {
            rps: median(runs.clone()),
        },
        runs,
    ))
}

/// The small body the ceiling is measured with.
pub const CALIBRATION_BODY: &str = r#"{"ok":true}"#;

/// One page compared.
struct Page {
    name: &'static str,
    path: String,
    token: Option<String>,
    goal: f64,
}

/// Runs the section.
pub async fn run(release: &Path, wrk_path: &Path, settings: &Settings) -> Result<Section, String> {
    let mock = Server::start(&settings.mock_binary(release), &[], Duration::from_secs(5)).await?;
    let account = provision(mock.addr, 300).await?;
    let pages = [
        Page {
            name: "register page",
            path: "/v1/registers/accu-projects?limit=50".to_owned(),
            token: None,
            goal: 0.7,
        },
        Page {
            name: "holdings page",
            path: format!("/v1/accounts/{}/holdings?limit=50", account.seller),
            token: Some(account.token.clone()),
            goal: 0.5,
        },
        Page {
            name: "transaction-history page",
            path: format!("/v1/accounts/{}/transactions?limit=50", account.seller),
            token: Some(account.token.clone()),
            goal: 0.5,
        },
    ];
    let mut bodies = BTreeMap::new();
    bodies.insert(
        baseline::CALIBRATION_PATH.to_owned(),
        CALIBRATION_BODY.to_owned(),
    );
    let mut sizes = Vec::new();
    for page in &pages {
        let bytes = body(mock.addr, &page.path, page.token.as_deref()).await?;
        sizes.push(bytes.len());
        bodies.insert(
            page.path.clone(),
            String::from_utf8(bytes.to_vec()).map_err(|e| e.to_string())?,
        );
    }
    let bare = baseline::start(release, &bodies).await?;
    let (ceiling, runs) = calibrate(wrk_path, &bare, settings)?;
    let flags = settings.shape.flags();
    let mut rows = vec![Row::info(
        format!(
            "generator ceiling: `wrk {flags}` against the bare server answering {} bytes (median of {})",
            CALIBRATION_BODY.len(),
            settings.samples
        ),
        format!("{:.0} req/s ({})", ceiling.rps, spread(&runs)),
    )];
    for (page, size) in pages.iter().zip(sizes) {
        let headers: Vec<String> = page
            .token
            .iter()
            .map(|t| format!("Authorization: Bearer {t}"))
            .collect();
        let ours_load = Load {
            addr: mock.addr,
            path: &page.path,
            headers: headers.clone(),
            script: None,
        };
        let bare_load = Load {
            addr: bare.addr,
            path: &page.path,
            headers,
            script: None,
        };
        let (mut ours, mut theirs) = (Vec::new(), Vec::new());
        for _ in 0..settings.samples {
            let outcome = sample(wrk_path, "ucr-mock", &ours_load, settings.shape)?;
            ours.push(clean(&outcome, &format!("ucr-mock on {}", page.path))?);
            let outcome = sample(wrk_path, "bare server", &bare_load, settings.shape)?;
            theirs.push(clean(&outcome, &format!("bare server on {}", page.path))?);
        }
        let (our, their) = (median(ours.clone()), median(theirs.clone()));
        let bound = |rps: f64| {
            if ceiling.binds(rps) {
                Verdict::GeneratorBound
            } else {
                Verdict::Info
            }
        };
        let described = format!(
            "{} (`GET {}`, {:.1} KB)",
            page.name,
            page.path.replace(&account.seller, "{id}"),
            size as f64 / 1000.0
        );
        rows.push(
            Row::goal(
                format!(
                    "{described}: ucr-mock req/s (median of {})",
                    settings.samples
                ),
                format!("{our:.0} ({})", spread(&ours)),
                "",
                bound(our),
            )
            .with_ceiling(ceiling.cell(our)),
        );
        rows.push(
            Row::goal(
                format!("{}: bare hyper req/s, same bytes", page.name),
                format!("{their:.0} ({})", spread(&theirs)),
                "",
                bound(their),
            )
            .with_ceiling(ceiling.cell(their)),
        );
        let ratio = our / their;
        let verdict = if ceiling.binds(our) || ceiling.binds(their) {
            Verdict::GeneratorBound
        } else {
            judge(settings, ratio >= page.goal)
        };
        rows.push(Row::goal(
            format!("{}: ratio ucr-mock / bare", page.name),
            format!("{ratio:.2}"),
            format!("≥ {:.2}", page.goal),
            verdict,
        ));
    }
    Ok(Section {
        title: "Reads: throughput against a bare server".into(),
        intro: format!(
            "`wrk {flags} --latency`, {} samples per server alternating ucr-mock / bare hyper \
             server (same bytes, same headers sent), median reported with the range of the \
             samples. The holdings and history pages belong to an account with 40 issuances and \
             300 completed transfers, read with a bearer token.",
            settings.samples
        ),
        rows,
        outro: String::new(),
    })
}

/// `min–max` of `values`.
pub fn spread(values: &[f64]) -> String {
    let min = values.iter().copied().fold(f64::INFINITY, f64::min);
    let max = values.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    format!("{min:.0}–{max:.0}")
}
