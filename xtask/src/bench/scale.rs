//! Scale: synthetic registries along a growth curve (1k → 10k → … unit blocks, a hundredth as many
//! accounts, one transaction per block): start-up, resident memory, memory per block, and the
//! first, middle and last holdings and history pages of the busiest account against the smallest
//! registry's, side by side. Plotted to an SVG.

use std::net::SocketAddr;
use std::path::Path;
use std::time::Duration;

use hyper::StatusCode;

use super::client::{Connection, appoint_reader};
use super::plot::{self, Point};
use super::process::{Server, available_kib};
use super::{Row, Section, Settings, judge, median};

/// The account of a synthetic registry that receives a tenth of everything.
const BUSY_ACCOUNT: &str = "AU-1000001";

/// Goal for the memory one more block costs.
const BYTES_PER_BLOCK_GOAL: f64 = 400.0;

/// The most memory a registry of the growth curve may take (the machine is shared).
const MAX_REGISTRY_BYTES: f64 = 12.0 * 1024.0 * 1024.0 * 1024.0;

/// The largest size whose memory is split between blocks and transactions.
const SPLIT_SIZE: u64 = 1_000_000;

/// The pages timed, in plot order.
const PAGES: [&str; 6] = [
    "holdings first",
    "holdings middle",
    "holdings last",
    "history first",
    "history middle",
    "history last",
];

/// A registry started with `--synthetic-*`.
struct Registry {
    server: Server,
    blocks: u64,
    accounts: u64,
    token: String,
    /// Page URLs of the six timed pages, in [`PAGES`] order.
    pages: Vec<String>,
    /// Pages in the holdings and history lists.
    counts: (usize, usize),
}

fn accounts_for(blocks: u64) -> u64 {
    (blocks / 100).max(10)
}

/// Starts ucr-mock with a synthetic registry of `blocks` blocks and `transactions` transactions.
async fn spawn(program: &Path, blocks: u64, transactions: u64) -> Result<Server, String> {
    let accounts = accounts_for(blocks);
    eprintln!(
        "scale: starting ucr-mock with {accounts} accounts, {blocks} blocks, {transactions} \
         transactions…"
    );
    let args: Vec<String> = [
        "--synthetic-accounts",
        &accounts.to_string(),
        "--synthetic-blocks",
        &blocks.to_string(),
        "--synthetic-transactions",
        &transactions.to_string(),
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    Server::start(program, &args, Duration::from_secs(900)).await
}

async fn start(program: &Path, blocks: u64) -> Result<Registry, String> {
    let accounts = accounts_for(blocks);
    let server = spawn(program, blocks, blocks).await?;
    let token = appoint_reader(server.addr, BUSY_ACCOUNT).await?;
    let holdings = walk(
        server.addr,
        &format!("/v1/accounts/{BUSY_ACCOUNT}/holdings?limit=50"),
        &token,
    )
    .await?;
    let history = walk(
        server.addr,
        &format!("/v1/accounts/{BUSY_ACCOUNT}/transactions?limit=50"),
        &token,
    )
    .await?;
    let pick = |pages: &[String]| {
        vec![
            pages[0].clone(),
            pages[pages.len() / 2].clone(),
            pages[pages.len() - 1].clone(),
        ]
    };
    let mut pages = pick(&holdings);
    pages.extend(pick(&history));
    Ok(Registry {
        server,
        blocks,
        accounts,
        token,
        pages,
        counts: (holdings.len(), history.len()),
    })
}

/// Every page URL of `list` (a path with `?limit=`) in order, over one kept-alive connection.
async fn walk(addr: SocketAddr, list: &str, token: &str) -> Result<Vec<String>, String> {
    let mut connection = Connection::open(addr).await?;
    let mut urls = vec![list.to_owned()];
    loop {
        let url = urls.last().map_or(list, |u| u).to_owned();
        let page = connection.expect("GET", &url, Some(token), None).await?;
        match page["next_page"].as_str() {
            Some(next) => urls.push(format!("{list}&page_token={next}")),
            None => return Ok(urls),
        }
    }
}

/// Median latency in ms of each page of `big` and of `small`, requested in turn `rounds` times
/// over one kept-alive connection per registry (after a warm-up round), so drift hits both alike.
async fn latencies(
    big: &Registry,
    small: &Registry,
    rounds: usize,
) -> Result<(Vec<f64>, Vec<f64>), String> {
    let mut connections = [
        Connection::open(big.server.addr).await?,
        Connection::open(small.server.addr).await?,
    ];
    let registries = [big, small];
    let mut samples = vec![vec![Vec::with_capacity(rounds); PAGES.len()]; 2];
    for round in 0..=rounds {
        for page in 0..PAGES.len() {
            for ((registry, connection), samples) in
                registries.iter().zip(&mut connections).zip(&mut samples)
            {
                let url = &registry.pages[page];
                let (status, _, took) = connection
                    .send("GET", url, Some(&registry.token), None)
                    .await?;
                if status != StatusCode::OK {
                    return Err(format!("{url} answered {status}"));
                }
                if round > 0 {
                    samples[page].push(took.as_secs_f64() * 1000.0);
                }
            }
        }
    }
    let mut medians = samples
        .into_iter()
        .map(|pages| pages.into_iter().map(median).collect::<Vec<_>>());
    Ok((
        medians.next().unwrap_or_default(),
        medians.next().unwrap_or_default(),
    ))
}

/// Where a block's bytes go: a registry of the largest measured size up to [`SPLIT_SIZE`] started
/// again with twice as many transactions (the extra ones rejected transfers, which move no units)
/// gives the memory of one transaction; the rest of a block's share is its holdings entry (and,
/// for one block in ten, its issuance).
async fn split(
    program: &Path,
    smallest: u64,
    small_rss: u64,
    measured: &[(u64, u64)],
) -> Result<Vec<Row>, String> {
    let Some(&(blocks, rss)) = measured.iter().rev().find(|(b, _)| *b <= SPLIT_SIZE) else {
        return Ok(Vec::new());
    };
    let needed_kib = 2 * rss;
    if needed_kib > available_kib()? {
        return Ok(vec![Row::info(
            format!("memory per transaction ({blocks} blocks, twice as many transactions)"),
            "not measured: not enough memory available",
        )]);
    }
    let doubled = spawn(program, blocks, 2 * blocks).await?;
    let doubled_rss = doubled.rss_kib()?;
    drop(doubled);
    let per_transaction = doubled_rss.saturating_sub(rss) as f64 * 1024.0 / blocks as f64;
    let per_block = rss.saturating_sub(small_rss) as f64 * 1024.0 / (blocks - smallest) as f64;
    Ok(vec![
        Row::info(
            format!(
                "where a block's bytes go ({blocks} blocks): one more transaction (RSS with \
                 {} transactions minus RSS with {blocks}, over {blocks}; a rejected transfer: its \
                 record with a reason, entered in two accounts' histories)",
                2 * blocks
            ),
            format!("{per_transaction:.0} bytes"),
        ),
        Row::info(
            format!(
                "where a block's bytes go ({blocks} blocks): the rest of a block's {per_block:.0} \
                 bytes (its holdings entry, its share of an issuance and of the accounts)"
            ),
            format!("{:.0} bytes", per_block - per_transaction),
        ),
    ])
}

/// Runs the section; the growth curve goes to `plot_path` (linked relative to `docs`).
pub async fn run(
    release: &Path,
    settings: &Settings,
    plot_path: &Path,
    docs: &Path,
) -> Result<Section, String> {
    let program = settings.mock_binary(release);
    let (&smallest, larger) = settings
        .sizes
        .split_first()
        .ok_or("no registry sizes to measure")?;
    let small = start(&program, smallest).await?;
    let small_rss = small.server.rss_kib()?;
    let mut table = String::from(
        "| unit blocks | accounts | start-up | RSS | bytes per block | holdings pages | history pages | page latency, ms (holdings first / middle / last; history first / middle / last) |\n\
         | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |\n",
    );
    table.push_str(&format!(
        "| {smallest} (reference) | {} | {:.2} s | {:.1} MiB | | {} | {} | timed beside each row's registry |\n",
        small.accounts,
        small.server.startup.as_secs_f64(),
        small_rss as f64 / 1024.0,
        small.counts.0,
        small.counts.1,
    ));
    let mut points = Vec::new();
    let mut rows = Vec::new();
    let mut skipped = String::new();
    let mut per_block_estimate = 2_000.0;
    let mut measured: Vec<(u64, u64)> = Vec::new();
    for &blocks in larger {
        let needed_kib = (per_block_estimate * blocks as f64 * 1.3 / 1024.0) as u64 + small_rss;
        let available = available_kib()?;
        let cap_kib = (MAX_REGISTRY_BYTES / 1024.0) as u64;
        if needed_kib > available.min(cap_kib) {
            skipped = format!(
                "The {blocks}-block registry was not started: at {per_block_estimate:.0} bytes per \
                 block it needs about {:.1} GiB; {:.1} GiB was available and the bench allows \
                 itself {:.0} GiB on this shared machine.",
                needed_kib as f64 / 1_048_576.0,
                available as f64 / 1_048_576.0,
                MAX_REGISTRY_BYTES / 1024.0 / 1024.0 / 1024.0
            );
            break;
        }
        let big = start(&program, blocks).await?;
        let rss = big.server.rss_kib()?;
        measured.push((blocks, rss));
        let per_block =
            rss.saturating_sub(small_rss) as f64 * 1024.0 / (blocks - smallest).max(1) as f64;
        per_block_estimate = per_block.max(100.0);
        let (ours, reference) = latencies(&big, &small, settings.latency_rounds).await?;
        let startup = big.server.startup.as_secs_f64();
        table.push_str(&format!(
            "| {} | {} | {startup:.2} s | {:.1} MiB | {per_block:.0} | {} | {} | {} |\n",
            big.blocks,
            big.accounts,
            rss as f64 / 1024.0,
            big.counts.0,
            big.counts.1,
            ours.iter()
                .map(|ms| format!("{ms:.3}"))
                .collect::<Vec<_>>()
                .join(" / ")
        ));
        points.push(Point {
            blocks,
            bytes_per_block: per_block,
            latencies: ours.clone(),
        });
        if blocks == 1_000_000 {
            rows.push(Row::goal(
                format!("start-up with {blocks} blocks (spawn → port answers)"),
                format!("{startup:.2} s"),
                "< 10 s",
                judge(settings, startup < 10.0),
            ));
        }
        // The rows below describe the largest registry measured; a larger one replaces them.
        rows.retain(|r: &Row| !r.what.starts_with("largest"));
        rows.push(Row::goal(
            format!("largest registry measured ({blocks} blocks): memory per block (RSS difference vs {smallest} blocks / block difference)"),
            format!("{per_block:.0} bytes"),
            format!("≤ {BYTES_PER_BLOCK_GOAL:.0} bytes"),
            judge(settings, per_block <= BYTES_PER_BLOCK_GOAL),
        ));
        for (page, (big_ms, small_ms)) in PAGES.iter().zip(ours.iter().zip(&reference)) {
            let ratio = big_ms / small_ms;
            rows.push(Row::goal(
                format!("largest registry measured ({blocks} blocks): {page} page of {BUSY_ACCOUNT}, median ms vs the {smallest}-block registry"),
                format!("{big_ms:.3} / {small_ms:.3} = {ratio:.2}"),
                "≤ 2.00",
                judge(settings, ratio <= 2.0),
            ));
        }
        drop(big);
    }
    rows.extend(split(&program, smallest, small_rss, &measured).await?);
    plot::scale(plot_path, &points, BYTES_PER_BLOCK_GOAL, &PAGES)?;
    let link = plot_path.strip_prefix(docs).map_or_else(
        |_| plot_path.display().to_string(),
        |p| p.display().to_string(),
    );
    let mut outro = format!(
        "![growth curve: memory per block and page latency against registry size]({link})\n"
    );
    if !skipped.is_empty() {
        outro.push('\n');
        outro.push_str(&skipped);
        outro.push('\n');
    }
    Ok(Section {
        title: "Scale".into(),
        intro: format!(
            "Synthetic registries (`ucr-mock --synthetic-accounts N/100 --synthetic-blocks N \
             --synthetic-transactions N`), one at a time beside the {smallest}-block reference. \
             Bytes per block: RSS difference from the reference over the block difference (each \
             block comes with about one transaction). Latency: median of {} requests over a \
             kept-alive connection, alternating with the same page of the reference.\n\n{table}",
            settings.latency_rounds
        ),
        rows,
        outro,
    })
}
