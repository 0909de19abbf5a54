//! The `ucr-conformance` binary: listing, selection, formats, output files and exit codes.

use std::path::PathBuf;
use std::process::{Command, Output};

use quick_xml::Reader;
use quick_xml::events::Event;
use ucr_conformance::report::{CheckStatus, Report};
use ucr_mock::MockRegistry;

fn binary() -> Command {
    Command::new(env!("CARGO_BIN_EXE_ucr-conformance"))
}

fn run(args: &[&str]) -> Output {
    binary().args(args).output().expect("the binary runs")
}

fn temp_file(name: &str) -> PathBuf {
    std::env::temp_dir().join(format!(
        "ucr-conformance-{}-{name}",
        uuid::Uuid::new_v4().simple()
    ))
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn list_prints_every_check_without_running() {
    let output = run(&["--list"]);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    let stdout = text(&output.stdout);
    let checks = ucr_conformance::registry();
    for check in &checks {
        let line = stdout
            .lines()
            .find(|l| l.starts_with(check.id))
            .unwrap_or_else(|| panic!("{} not listed", check.id));
        assert!(
            line.contains(&check.model.to_string()) && line.contains(check.description),
            "{line}"
        );
        assert!(
            check.operations.iter().all(|op| line.contains(op)),
            "{line}"
        );
        assert!(check.cites.iter().all(|id| line.contains(id)), "{line}");
    }
    assert_eq!(
        stdout.lines().last(),
        Some(format!("{} checks", checks.len()).as_str())
    );
    insta::assert_snapshot!("list", stdout);
}

#[test]
fn json_list_gives_each_check_its_cited_requirements_with_their_text() {
    let output = run(&["--list", "--format", "json"]);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    let list: Vec<serde_json::Value> =
        serde_json::from_slice(&output.stdout).expect("--list --format json prints a JSON array");
    let checks = ucr_conformance::registry();
    assert_eq!(list.len(), checks.len());
    for (entry, check) in list.iter().zip(&checks) {
        assert_eq!(entry["id"], check.id);
        let cited = entry["requirements"]
            .as_array()
            .expect("requirements array");
        let ids: Vec<&str> = cited.iter().filter_map(|r| r["id"].as_str()).collect();
        assert_eq!(ids, check.cites, "{}", check.id);
        for r in cited {
            let id = r["id"].as_str().unwrap_or_default();
            let expected = ucr_spec::requirements::find(id).map(|req| req.text);
            assert_eq!(r["text"].as_str(), expected, "{}: {id}", check.id);
        }
    }
}

#[test]
fn only_selects_checks_and_writes_a_json_report() {
    let file = temp_file("auth.json");
    let output = run(&[
        "--only",
        "A1-AUTH-*",
        "--format",
        "json",
        "--output",
        file.to_str().expect("UTF-8 path"),
    ]);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    assert!(
        output.stdout.is_empty(),
        "with --output nothing goes to stdout"
    );
    let stderr = text(&output.stderr);
    assert!(
        stderr.lines().any(|l| l == "6 passed, 0 failed"),
        "{stderr}"
    );
    let report: Report =
        serde_json::from_str(&std::fs::read_to_string(&file).expect("report written"))
            .expect("valid JSON report");
    let _ = std::fs::remove_file(&file);
    let ids: Vec<&str> = report.checks.iter().map(|c| c.id.as_str()).collect();
    assert_eq!(
        ids,
        [
            "A1-AUTH-001",
            "A1-AUTH-002",
            "A1-AUTH-003",
            "A1-AUTH-004",
            "A1-AUTH-005",
            "A1-AUTH-006"
        ]
    );
    assert!(
        report
            .checks
            .iter()
            .all(|c| c.status == CheckStatus::Passed)
    );
    assert_eq!(report.target, "embedded ucr-mock (in-process)");
}

#[test]
fn an_unmatched_pattern_is_a_usage_error() {
    let output = run(&["--only", "NOPE-*"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        text(&output.stderr).contains("NOPE-*"),
        "{}",
        text(&output.stderr)
    );
    let output = run(&["--only", "A1-AUTH-001,NOPE-*", "--list"]);
    assert_eq!(output.status.code(), Some(2));
}

#[test]
fn bad_arguments_are_usage_errors() {
    assert_eq!(run(&["--format", "yaml"]).status.code(), Some(2));
    assert_eq!(run(&["--concurrency", "0"]).status.code(), Some(2));
    assert_eq!(
        run(&["--base-url", "not a url", "--only", "A1-AUTH-001"])
            .status
            .code(),
        Some(2)
    );
    assert_eq!(
        run(&["--webhook-url", "ftp://x", "--only", "A1-AUTH-001"])
            .status
            .code(),
        Some(2)
    );
    assert_eq!(
        run(&["--webhook-listen", "nowhere", "--only", "A1-AUTH-001"])
            .status
            .code(),
        Some(2)
    );
}

#[test]
fn junit_output_is_well_formed_xml() {
    let output = run(&["--only", "A1-INPUT-*,A1-TRANSFER-00?", "--format", "junit"]);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    let xml = text(&output.stdout);
    let mut reader = Reader::from_str(&xml);
    let (mut suites, mut cases, mut failures) = (0, 0, 0);
    loop {
        match reader
            .read_event()
            .unwrap_or_else(|e| panic!("malformed XML at {}: {e}\n{xml}", reader.buffer_position()))
        {
            Event::Start(e) | Event::Empty(e) => match e.name().as_ref() {
                b"testsuite" => suites += 1,
                b"testcase" => cases += 1,
                b"failure" => failures += 1,
                _ => {}
            },
            Event::Eof => break,
            _ => {}
        }
    }
    let selected =
        ucr_conformance::select(&ucr_conformance::registry(), "A1-INPUT-*,A1-TRANSFER-00?")
            .expect("matches")
            .len();
    assert_eq!((suites, cases, failures), (1, selected, 0));
}

#[test]
fn report_schema_is_a_json_schema() {
    let output = run(&["--report-schema"]);
    assert_eq!(output.status.code(), Some(0));
    let schema: serde_json::Value = serde_json::from_slice(&output.stdout).expect("JSON");
    assert_eq!(schema["title"], "Report");
    assert!(schema["properties"]["checks"].is_object());
}

#[test]
fn help_documents_examples_and_exit_codes() {
    let output = run(&["--help"]);
    assert_eq!(output.status.code(), Some(0));
    let help = text(&output.stdout);
    for needle in [
        "--base-url",
        "--only",
        "--format",
        "--output",
        "--concurrency",
        "--timeout",
        "--webhook-listen",
        "--webhook-url",
        "--config",
        "--expected-failures",
        "--evidence",
        "html",
        "Exit codes:",
        "Examples:",
    ] {
        assert!(help.contains(needle), "--help lacks {needle}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_target_without_sandbox_exits_2() {
    let mock = MockRegistry::builder().sandbox(false).start().await;
    let uri = mock.uri();
    let output =
        tokio::task::spawn_blocking(move || run(&["--base-url", &uri, "--only", "A1-AUTH-001"]))
            .await
            .expect("join");
    assert_eq!(output.status.code(), Some(2));
    let stderr = text(&output.stderr);
    assert!(
        stderr.contains("sandbox API") && stderr.contains("404"),
        "{stderr}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn failures_exit_1_and_show_the_failing_exchange() {
    let mock = MockRegistry::start().await;
    wiremock::Mock::given(wiremock::matchers::method("GET"))
        .and(wiremock::matchers::path("/v1/no-such-resource"))
        .respond_with(wiremock::ResponseTemplate::new(404).set_body_raw("{}", "text/plain"))
        .with_priority(1)
        .mount(mock.server())
        .await;
    let uri = mock.uri();
    let output = tokio::task::spawn_blocking(move || {
        run(&["--base-url", &uri, "--only", "A1-PROBLEM-003,A1-AUTH-001"])
    })
    .await
    .expect("join");
    assert_eq!(output.status.code(), Some(1), "{}", text(&output.stderr));
    let stdout = text(&output.stdout);
    assert!(stdout.contains("FAIL  A1-PROBLEM-003"), "{stdout}");
    assert!(stdout.contains("PASS  A1-AUTH-001"), "{stdout}");
    assert!(
        stdout.contains("request:  GET") && stdout.contains("/v1/no-such-resource"),
        "{stdout}"
    );
    assert!(stdout.contains("response: HTTP 404"), "{stdout}");
    assert_eq!(stdout.lines().last(), Some("1 passed, 1 failed"));
}
