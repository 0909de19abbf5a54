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

/// Matches nothing, but raises `flag` when it sees a `POST` whose path starts with `prefix` and
/// ends with `suffix`: mounted with the highest priority it watches every request, so that another
/// mock can misbehave only after a given write (see [`After`]).
pub struct Saw {
    pub flag: std::sync::Arc<std::sync::atomic::AtomicBool>,
    pub prefix: &'static str,
    pub suffix: &'static str,
}

impl Match for Saw {
    fn matches(&self, request: &Request) -> bool {
        let path = request.url.path();
        if request.method.as_str() == "POST"
            && path.starts_with(self.prefix)
            && path.ends_with(self.suffix)
        {
            self.flag.store(true, std::sync::atomic::Ordering::SeqCst);
        }
        false
    }
}

/// Matches once `flag` is raised.
pub struct After(pub std::sync::Arc<std::sync::atomic::AtomicBool>);

impl Match for After {
    fn matches(&self, _: &Request) -> bool {
        self.0.load(std::sync::atomic::Ordering::SeqCst)
    }
}
