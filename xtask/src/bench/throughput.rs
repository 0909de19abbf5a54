//! Read throughput: the generator's ceiling, then three pages (a public-register page, a holdings
//! page, a transaction-history page) from the standalone mock against the bare server returning
//! the same bytes, alternating, median of N.

use std::collections::BTreeMap;
use std::path::Path;
use std::time::Duration;

use super::client::{ISSUANCES, body, provision};
use super::process::Server;
use super::report::ratio_text;
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
        "wrk {} {label} {}:\n{}\nserver CPU {:.1} µs per request; wrk busy {:.0} % of its {} thread(s)",
        shape.flags(),
        load.path,
        outcome.summary.trim_end(),
        outcome.server_us_per_request(),
        100.0 * outcome.generator_busy(shape.threads),
        shape.threads
    );
    Ok(outcome)
}

/// Requests/s of a run that must have no errors.
pub fn clean(outcome: &Outcome, what: &str) -> Result<f64, String> {
    if outcome.non_2xx > 0 || outcome.socket_errors > 0 {
        return Err(format!(
            "{what}: {} non-2xx answers and {} socket errors under load",
            outcome.non_2xx, outcome.socket_errors
        ));
    }
    Ok(outcome.rps)
}

/// How a ratio of ucr-mock to the bare server stands against `goal`. A figure near the generator's
/// ceiling measured the generator: if it is ucr-mock's, nothing can be said; if it is the bare
/// server's, its true rate is higher, so the true ratio is lower than measured and a ratio already
/// below the goal is missed, while one above it proves nothing.
pub fn ratio_verdict(
    settings: &Settings,
    ceiling: Ceiling,
    ours: f64,
    theirs: f64,
    goal: f64,
) -> Verdict {
    let ratio = ours / theirs;
    if ceiling.binds(ours) {
        Verdict::GeneratorBound
    } else if ratio < goal {
        judge(settings, false)
    } else if ceiling.binds(theirs) {
        Verdict::GeneratorBound
    } else {
        judge(settings, true)
    }
}

/// What a page must be before it is timed: a JSON page of `items` objects, each with `field`.
#[derive(Debug, Clone, Copy)]
pub struct Expect {
    /// Items on the page.
    pub items: usize,
    /// A field every item has.
    pub field: &'static str,
}

impl Expect {
    /// Checks `body` (answered `200`): `Err` says how it is not the page it should be.
    pub fn check(&self, path: &str, body: &[u8]) -> Result<(), String> {
        let page: serde_json::Value = serde_json::from_slice(body)
            .map_err(|e| format!("GET {path}: the body is not JSON: {e}"))?;
        let items = page["items"]
            .as_array()
            .ok_or_else(|| format!("GET {path}: no `items` array"))?;
        if items.len() != self.items {
            return Err(format!(
                "GET {path}: {} items, expected {}",
                items.len(),
                self.items
            ));
        }
        if let Some(item) = items.iter().find(|item| item.get(self.field).is_none()) {
            return Err(format!(
                "GET {path}: an item without `{}`: {item}",
                self.field
            ));
        }
        Ok(())
    }
}

/// The small body the ceiling is measured with.
pub const CALIBRATION_BODY: &str = r#"{"ok":true}"#;

/// One page compared.
struct Page {
    name: &'static str,
    path: String,
    token: Option<String>,
    goal: f64,
    expect: Expect,
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
            expect: Expect {
                items: 50,
                field: "project_id",
            },
        },
        Page {
            name: "holdings page",
            path: format!("/v1/accounts/{}/holdings?limit=50", account.seller),
            token: Some(account.token.clone()),
            goal: 0.5,
            // The 40 issuances, each one block (the transfers took serials from the first).
            expect: Expect {
                items: ISSUANCES,
                field: "block_id",
            },
        },
        Page {
            name: "transaction-history page",
            path: format!("/v1/accounts/{}/transactions?limit=50", account.seller),
            token: Some(account.token.clone()),
            goal: 0.5,
            expect: Expect {
                items: 50,
                field: "transaction_id",
            },
        },
    ];
    let mut bodies = BTreeMap::new();
    bodies.insert(
        baseline::CALIBRATION_PATH.to_owned(),
        CALIBRATION_BODY.to_owned(),
    );
    let mut sizes = Vec::new();
    for page in &pages {
        // What is timed is what the row says: the page, whole, from ucr-mock.
        let bytes = body(mock.addr, &page.path, page.token.as_deref()).await?;
        page.expect.check(&page.path, &bytes)?;
        sizes.push(bytes.len());
        bodies.insert(
            page.path.clone(),
            String::from_utf8(bytes.to_vec()).map_err(|e| e.to_string())?,
        );
    }
    let bare = baseline::start(release, &bodies).await?;
    // ... and the bare server answers the same bytes, and a few bytes for the calibration.
    for (path, expected) in &bodies {
        let token = pages
            .iter()
            .find(|p| p.path == *path)
            .and_then(|p| p.token.as_deref());
        let bytes = body(bare.addr, path, token).await?;
        if bytes != expected.as_bytes() {
            return Err(format!(
                "the bare server answers GET {path} with other bytes than ucr-mock"
            ));
        }
    }
    let flags = settings.shape.flags();
    let calibration = Load {
        addr: bare.addr,
        pid: bare.pid(),
        path: baseline::CALIBRATION_PATH,
        headers: Vec::new(),
        script: None,
    };
    let mut rows = Vec::new();
    for (page, size) in pages.iter().zip(sizes) {
        let headers: Vec<String> = page
            .token
            .iter()
            .map(|t| format!("Authorization: Bearer {t}"))
            .collect();
        let ours_load = Load {
            addr: mock.addr,
            pid: mock.pid(),
            path: &page.path,
            headers: headers.clone(),
            script: None,
        };
        let bare_load = Load {
            addr: bare.addr,
            pid: bare.pid(),
            path: &page.path,
            headers,
            script: None,
        };
        // The ceiling is measured beside each page, in the same rounds, so that a change in the
        // machine's load during the run moves the ceiling with the figures it bounds.
        let (mut ceilings, mut ours, mut theirs) = (Vec::new(), Vec::new(), Vec::new());
        let mut failures = Vec::new();
        for _ in 0..settings.samples {
            let outcome = sample(
                wrk_path,
                "bare server, calibration",
                &calibration,
                settings.shape,
            )?;
            match clean(&outcome, "the bare server's calibration") {
                Ok(_) => ceilings.push(outcome),
                Err(failure) => failures.push(failure),
            }
            let outcome = sample(wrk_path, "ucr-mock", &ours_load, settings.shape)?;
            match clean(&outcome, &format!("ucr-mock on {}", page.path)) {
                Ok(_) => ours.push(outcome),
                Err(failure) => failures.push(failure),
            }
            let outcome = sample(wrk_path, "bare server", &bare_load, settings.shape)?;
            match clean(&outcome, &format!("bare server on {}", page.path)) {
                Ok(_) => theirs.push(outcome),
                Err(failure) => failures.push(failure),
            }
        }
        if !failures.is_empty() {
            eprintln!("{}", failures.join("\n"));
            rows.push(Row::goal(
                format!("{}: ratio ucr-mock / bare", page.name),
                failures.join("; "),
                format!("≥ {:.2}", page.goal),
                Verdict::Failed,
            ));
            continue;
        }
        let threads = settings.shape.threads;
        let busy = |outcomes: &[Outcome]| {
            median(outcomes.iter().map(|o| o.generator_busy(threads)).collect())
        };
        let rates = |outcomes: &[Outcome]| outcomes.iter().map(|o| o.rps).collect::<Vec<_>>();
        let cost = |outcomes: &[Outcome]| {
            median(
                outcomes
                    .iter()
                    .map(Outcome::server_us_per_request)
                    .collect(),
            )
        };
        let (our, their) = (median(rates(&ours)), median(rates(&theirs)));
        let ceiling = Ceiling {
            rps: median(rates(&ceilings)),
        };
        rows.push(Row::info(
            format!(
                "{}: generator ceiling, `wrk {flags}` against the bare server answering {} bytes, \
                 in the same rounds (median of {}; wrk's thread busy {:.0} % of the time)",
                page.name,
                CALIBRATION_BODY.len(),
                settings.samples,
                100.0 * busy(&ceilings)
            ),
            format!("{:.0} req/s ({})", ceiling.rps, spread(&rates(&ceilings))),
        ));
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
                    "{described}: ucr-mock req/s (median of {}; wrk busy {:.0} %)",
                    settings.samples,
                    100.0 * busy(&ours)
                ),
                format!("{our:.0} ({})", spread(&rates(&ours))),
                "",
                bound(our),
            )
            .with_ceiling(ceiling.cell(our)),
        );
        rows.push(
            Row::goal(
                format!(
                    "{}: bare hyper req/s, same bytes (wrk busy {:.0} %)",
                    page.name,
                    100.0 * busy(&theirs)
                ),
                format!("{their:.0} ({})", spread(&rates(&theirs))),
                "",
                bound(their),
            )
            .with_ceiling(ceiling.cell(their)),
        );
        let ratio = our / their;
        let verdict = ratio_verdict(settings, ceiling, our, their, page.goal);
        rows.push(Row::goal(
            format!("{}: ratio ucr-mock / bare", page.name),
            ratio_text(ratio, page.goal),
            format!("≥ {:.2}", page.goal),
            verdict,
        ));
        let (our_cost, their_cost) = (cost(&ours), cost(&theirs));
        rows.push(Row::info(
            format!(
                "{}: server CPU time per request, ucr-mock / bare (median of {})",
                page.name, settings.samples
            ),
            format!("{our_cost:.1} µs / {their_cost:.1} µs"),
        ));
        rows.push(Row::goal(
            format!(
                "{}: CPU ratio bare / ucr-mock (not bound by the generator)",
                page.name
            ),
            ratio_text(their_cost / our_cost, page.goal),
            format!("≥ {:.2}", page.goal),
            judge(settings, their_cost / our_cost >= page.goal),
        ));
    }
    Ok(Section {
        title: "Reads: throughput against a bare server".into(),
        intro: format!(
            "`wrk {flags} --latency`, {} rounds per page, each round timing the generator's \
             ceiling (the bare server's 11-byte answer), ucr-mock and the bare hyper server \
             answering the same bytes (same headers sent) in turn; medians reported with the \
             range of the samples. The holdings and history pages belong to an account with 40 issuances and \
             300 completed transfers, read with a bearer token. Before timing, each page is \
             fetched from ucr-mock and checked (200, JSON, the expected number of items) and the \
             bare server is checked to answer the same bytes; a sample with any non-2xx answer or \
             socket error fails its row. A ratio is met only when neither server is within 20 % \
             of the generator's ceiling; when only the bare server is, a ratio below the goal is \
             still missed (the bare server's true rate is higher). Beside each rate: how busy \
             wrk's thread was (its CPU time over the sample's wall time, from `/proc`; near 100 % \
             the generator could send no faster) and what each request cost the server in CPU \
             time (user + system, all its threads, over the requests wrk completed). The CPU \
             ratio, bare over ucr-mock, is what the ratio of rates would be if each server had \
             the CPUs to itself; no generator bounds it, so it is judged against the same goal \
             even where the ratio of rates is generator-bound. It is not free of the generator \
             either: a server that waits for wrk spends CPU parking and waking its threads, and \
             the bare server, nearer the ceiling, waits more, so if anything this ratio flatters \
             ucr-mock.",
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_ratio_is_met_only_when_neither_figure_is_near_the_ceiling() {
        let full = Settings::full();
        let ceiling = Ceiling { rps: 100_000.0 };
        // Both well below the ceiling: judged.
        let met = ratio_verdict(&full, ceiling, 40_000.0, 60_000.0, 0.5);
        assert_eq!(met, Verdict::Met);
        let missed = ratio_verdict(&full, ceiling, 20_000.0, 60_000.0, 0.5);
        assert_eq!(missed, Verdict::Missed);
        // The bare server at the ceiling: a ratio above the goal proves nothing...
        let bound = ratio_verdict(&full, ceiling, 50_000.0, 90_000.0, 0.5);
        assert_eq!(bound, Verdict::GeneratorBound);
        // ... one below it is missed all the more.
        let missed = ratio_verdict(&full, ceiling, 30_000.0, 90_000.0, 0.5);
        assert_eq!(missed, Verdict::Missed);
        // ucr-mock itself at the ceiling: nothing can be said.
        let bound = ratio_verdict(&full, ceiling, 85_000.0, 95_000.0, 0.5);
        assert_eq!(bound, Verdict::GeneratorBound);
        // A quick run judges nothing, but still says generator-bound.
        let quick = Settings::quick();
        let not_judged = ratio_verdict(&quick, ceiling, 40_000.0, 60_000.0, 0.5);
        assert_eq!(not_judged, Verdict::NotJudged);
    }

    #[test]
    fn a_page_is_checked_before_it_is_timed() {
        let expect = Expect {
            items: 2,
            field: "block_id",
        };
        let page = br#"{"items":[{"block_id":"a"},{"block_id":"b"}],"next_page":null}"#;
        assert!(expect.check("/p", page).is_ok());
        let short = br#"{"items":[{"block_id":"a"}],"next_page":null}"#;
        assert!(expect.check("/p", short).is_err());
        let other = br#"{"items":[{"block_id":"a"},{"id":"b"}],"next_page":null}"#;
        assert!(expect.check("/p", other).is_err());
        assert!(expect.check("/p", b"<html>").is_err());
    }
}
