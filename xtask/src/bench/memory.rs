//! Memory under load: the standalone mock's resident memory after about 10k holdings-page
//! requests and again after `memory_requests`, which must not grow by more than a fifth.

use std::path::Path;
use std::time::Duration;

use super::client::provision;
use super::process::Server;
use super::throughput::sample;
use super::wrk::{Load, Shape};
use super::{Row, Section, Settings, judge};

/// Runs the section.
pub async fn run(release: &Path, wrk_path: &Path, settings: &Settings) -> Result<Section, String> {
    let mock = Server::start(&settings.mock_binary(release), &[], Duration::from_secs(5)).await?;
    let account = provision(mock.addr, 0).await?;
    let path = format!("/v1/accounts/{}/holdings?limit=50", account.seller);
    let load = Load {
        addr: mock.addr,
        pid: mock.pid(),
        path: &path,
        headers: vec![format!("Authorization: Bearer {}", account.token)],
        script: None,
    };
    let short = Shape {
        duration: Duration::from_secs(1),
        ..settings.shape
    };
    let mut served = 0;
    while served < 10_000 {
        served += sample(wrk_path, "ucr-mock, memory warm-up", &load, short)?.requests;
    }
    let (first_count, first) = (served, mock.rss_kib()?);
    let long = Shape {
        duration: Duration::from_secs(10),
        ..settings.shape
    };
    while served < settings.memory_requests {
        let outcome = sample(wrk_path, "ucr-mock, memory", &load, long)?;
        if outcome.non_2xx > 0 || outcome.socket_errors > 0 {
            return Err("ucr-mock failed requests in the memory run".into());
        }
        served += outcome.requests;
    }
    let second = mock.rss_kib()?;
    let growth = second as f64 / first as f64;
    Ok(Section {
        title: "Memory under load".into(),
        intro: "A fresh ucr-mock serving one holdings page over and over (wrk, as above).".into(),
        rows: vec![
            Row::info(
                format!("ucr-mock RSS after {first_count} requests"),
                format!("{:.1} MiB", first as f64 / 1024.0),
            ),
            Row::info(
                format!("ucr-mock RSS after {served} requests"),
                format!("{:.1} MiB", second as f64 / 1024.0),
            ),
            Row::goal(
                "growth ratio",
                format!("{growth:.2}"),
                "≤ 1.20",
                judge(settings, growth <= 1.2),
            ),
        ],
        outro: String::new(),
    })
}
