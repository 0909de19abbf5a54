//! The expected-failures file (`--expected-failures FILE`, TOML): check IDs the target is known to
//! fail, each with a reason. Listed failures do not fail the run; a listed check that passes does,
//! so that the file stays honest.
//!
//! ```toml
//! # check ID = why it is expected to fail (and, ideally, when that will change)
//! "A1-PAGING-005" = "page tokens do not carry filters yet; fixed in release 2.4"
//! "B4-NOTIFY-001" = "webhooks are delivered by a batch job every 5 minutes"
//! ```

use std::collections::BTreeMap;
use std::path::Path;

use crate::check::Check;
use crate::report::{CheckStatus, Report, Summary};

/// Check IDs and why each is expected to fail.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ExpectedFailures {
    entries: BTreeMap<String, String>,
}

impl ExpectedFailures {
    /// Reads a file and checks every ID against `checks` (the whole registry).
    pub fn from_path(path: impl AsRef<Path>, checks: &[Check]) -> Result<Self, String> {
        let path = path.as_ref();
        let text = std::fs::read_to_string(path)
            .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        Self::parse(&text, checks).map_err(|e| format!("{}: {e}", path.display()))
    }

    /// Parses TOML `text` (`"CHECK-ID" = "reason"` lines) and checks every ID against `checks`.
    pub fn parse(text: &str, checks: &[Check]) -> Result<Self, String> {
        let entries: BTreeMap<String, String> = toml::from_str(text)
            .map_err(|e| format!("not a list of `\"CHECK-ID\" = \"reason\"` lines: {e}"))?;
        let unknown: Vec<&str> = entries
            .keys()
            .filter(|id| !checks.iter().any(|c| c.id == id.as_str()))
            .map(String::as_str)
            .collect();
        if !unknown.is_empty() {
            return Err(format!(
                "unknown check IDs (see --list): {}",
                unknown.join(", ")
            ));
        }
        if let Some((id, _)) = entries.iter().find(|(_, reason)| reason.trim().is_empty()) {
            return Err(format!("{id}: give a reason"));
        }
        Ok(Self { entries })
    }

    /// How many checks the file lists.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether the file lists no check.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Marks the listed checks of `report`: a failure becomes an expected failure, a pass an
    /// unexpected pass; a skipped check stays skipped (with the reason noted). Recounts the
    /// summary.
    pub fn apply(&self, report: &mut Report) {
        for check in &mut report.checks {
            let Some(reason) = self.entries.get(&check.id) else {
                continue;
            };
            check.expected_failure = Some(reason.clone());
            match check.status {
                CheckStatus::Failed => check.status = CheckStatus::ExpectedFailure,
                CheckStatus::Passed => {
                    check.status = CheckStatus::UnexpectedPass;
                    check.message = Some(
                        "unexpectedly passed — remove it from the expected-failures file"
                            .to_owned(),
                    );
                }
                CheckStatus::Skipped
                | CheckStatus::ExpectedFailure
                | CheckStatus::UnexpectedPass => {}
            }
        }
        report.summary = Summary::of(&report.checks);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::CheckReport;

    fn report(statuses: &[(&Check, CheckStatus)]) -> Report {
        let checks: Vec<CheckReport> = statuses
            .iter()
            .map(|(check, status)| CheckReport {
                status: *status,
                message: (*status != CheckStatus::Passed).then(|| "it broke".to_owned()),
                ..CheckReport::new(check, Vec::new())
            })
            .collect();
        Report {
            tool: "ucr-conformance".into(),
            tool_version: "0".into(),
            target: "t".into(),
            base_url: "http://127.0.0.1:1".into(),
            started_at: chrono::DateTime::UNIX_EPOCH,
            duration_ms: 0,
            capabilities: Default::default(),
            provisioning: crate::report::Provisioning::Sandbox,
            webhook_backoff_ms: 500,
            summary: Summary::of(&checks),
            checks,
        }
    }

    #[test]
    fn listed_failures_pass_the_run_and_listed_passes_fail_it() {
        let all = crate::checks::registry();
        let (a, b, c, d) = (&all[0], &all[1], &all[2], &all[3]);
        let file = format!(
            "\"{}\" = \"known bug 12\"\n\"{}\" = \"fixed meanwhile\"\n\"{}\" = \"no data\"\n",
            a.id, b.id, c.id
        );
        let expected = ExpectedFailures::parse(&file, &all).unwrap();
        assert_eq!(expected.len(), 3);
        let mut run = report(&[
            (a, CheckStatus::Failed),
            (b, CheckStatus::Passed),
            (c, CheckStatus::Skipped),
            (d, CheckStatus::Failed),
        ]);
        expected.apply(&mut run);
        let statuses: Vec<CheckStatus> = run.checks.iter().map(|c| c.status).collect();
        assert_eq!(
            statuses,
            [
                CheckStatus::ExpectedFailure,
                CheckStatus::UnexpectedPass,
                CheckStatus::Skipped,
                CheckStatus::Failed
            ]
        );
        assert!(
            run.checks[1]
                .message
                .as_deref()
                .unwrap()
                .contains("remove it")
        );
        assert_eq!(
            run.checks[0].expected_failure.as_deref(),
            Some("known bug 12")
        );
        assert_eq!(run.summary.failed, 1);
        assert_eq!(run.summary.unexpected_passes, 1);
        assert!(!run.summary.ok());

        let only_expected =
            ExpectedFailures::parse(&format!("\"{}\" = \"bug\"", a.id), &all).unwrap();
        let mut run = report(&[(a, CheckStatus::Failed), (b, CheckStatus::Passed)]);
        only_expected.apply(&mut run);
        assert!(run.summary.ok(), "{:?}", run.summary);
        assert_eq!(
            run.summary.line(),
            "1 passed, 0 failed, 1 expected failures"
        );
    }

    #[test]
    fn unknown_ids_and_missing_reasons_are_errors() {
        let all = crate::checks::registry();
        let error = ExpectedFailures::parse("\"A1-NOPE-001\" = \"x\"", &all).unwrap_err();
        assert!(error.contains("A1-NOPE-001"), "{error}");
        let error =
            ExpectedFailures::parse(&format!("\"{}\" = \" \"", all[0].id), &all).unwrap_err();
        assert!(error.contains("reason"), "{error}");
        assert!(ExpectedFailures::parse("A1 = [1]", &all).is_err());
    }
}
