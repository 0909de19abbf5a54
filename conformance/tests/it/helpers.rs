//! Shared set-up: running selections of checks against a mock registry, and wiremock matchers for
//! making it misbehave.

use ucr_conformance::report::{CheckReport, CheckStatus, Report};
use ucr_conformance::{RunOptions, registry, run, select};
use wiremock::{Match, Request};

/// Runs the checks matching `patterns` against `base_url`.
pub async fn run_selected(base_url: &str, patterns: &str) -> Report {
    let checks = select(&registry(), patterns).expect("the patterns match checks");
    run(base_url, checks, &RunOptions::default())
        .await
        .expect("the target can be tested")
}

/// The report entry of check `id`.
pub fn check<'a>(report: &'a Report, id: &str) -> &'a CheckReport {
    report
        .checks
        .iter()
        .find(|c| c.id == id)
        .unwrap_or_else(|| panic!("{id} is not in the report"))
}

/// Asserts that check `id` failed and returns its message.
pub fn assert_failed(report: &Report, id: &str) -> String {
    let entry = check(report, id);
    assert_eq!(
        entry.status,
        CheckStatus::Failed,
        "{id} should fail against the misbehaving target, but it {:?}:\n{}",
        entry.status,
        ucr_conformance::report::render_human(report)
    );
    entry.message.clone().expect("a failed check has a message")
}

/// Matches requests that carry no `Authorization` header.
pub struct NoAuthorization;

impl Match for NoAuthorization {
    fn matches(&self, request: &Request) -> bool {
        !request.headers.contains_key("authorization")
    }
}

/// Matches requests that carry a `page_token` query parameter.
pub struct HasPageToken;

impl Match for HasPageToken {
    fn matches(&self, request: &Request) -> bool {
        request
            .url
            .query_pairs()
            .any(|(name, _)| name == "page_token")
    }
}
