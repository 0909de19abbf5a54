//! The conformance suite's speed: wall time of the whole default suite against its built-in mock
//! (release build, start-up included), beside the number of checks it ran.

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Instant;

use serde_json::Value;

use super::{Row, Section, Settings, Verdict, binary, judge, median};

/// Runs the section.
pub fn run(release: &Path, settings: &Settings) -> Result<Section, String> {
    let report = std::env::temp_dir().join(format!("ucr-bench-report-{}.json", std::process::id()));
    let started = Instant::now();
    let status = Command::new(binary(release, "ucr-conformance"))
        .args(["--format", "json", "--output"])
        .arg(&report)
        .stderr(Stdio::null())
        .status()
        .map_err(|e| e.to_string())?;
    let wall = started.elapsed().as_secs_f64();
    let report_text = std::fs::read_to_string(&report).map_err(|e| e.to_string())?;
    let _ = std::fs::remove_file(&report);
    let report: Value = serde_json::from_str(&report_text).map_err(|e| e.to_string())?;
    let summary = &report["summary"];
    let (passed, failed) = (
        summary["passed"].as_u64().unwrap_or_default(),
        summary["failed"].as_u64().unwrap_or_default(),
    );
    let durations: Vec<f64> = report["checks"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|c| c["duration_ms"].as_f64())
        .collect();
    if durations.is_empty() {
        return Err("the conformance report lists no checks".into());
    }
    let count = durations.len();
    // A suite that fails against its own mock measured nothing worth timing.
    let verdict = if status.success() && failed == 0 {
        judge(settings, wall < 10.0)
    } else {
        Verdict::Failed
    };
    Ok(Section {
        title: "Conformance suite".into(),
        intro: "`target/release/ucr-conformance` with no arguments: the whole default suite \
                against its built-in mock."
            .into(),
        rows: vec![
            Row::goal(
                format!(
                    "whole default suite, {count} checks ({passed} passed, {failed} failed): wall \
                     time incl. start-up"
                ),
                format!("{wall:.2} s"),
                "< 10 s",
                verdict,
            ),
            Row::info("per-check median", format!("{:.0} ms", median(durations))),
        ],
        outro: String::new(),
    })
}
