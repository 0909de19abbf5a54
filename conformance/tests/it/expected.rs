//! `--expected-failures`: listed failures do not fail the run, listed passes do, unknown IDs are
//! usage errors; JUnit and the human report say which is which.

use std::path::PathBuf;
use std::process::{Command, Output};

use ucr_mock::MockRegistry;
use wiremock::matchers::path;
use wiremock::{Mock, ResponseTemplate};

fn temp_file(name: &str, contents: &str) -> PathBuf {
    let file = std::env::temp_dir().join(format!(
        "ucr-expected-{}-{name}",
        uuid::Uuid::new_v4().simple()
    ));
    std::fs::write(&file, contents).expect("written");
    file
}

fn run(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_ucr-conformance"))
        .args(args)
        .output()
        .expect("the binary runs")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// The mock registry, answering the unknown path of `A1-PROBLEM-003` with a bare 404 (no problem
/// document), so that check fails.
async fn broken_mock() -> MockRegistry {
    let mock = MockRegistry::start().await;
    Mock::given(path("/v1/no-such-resource"))
        .respond_with(ResponseTemplate::new(404).set_body_string("not here"))
        .with_priority(1)
        .mount(mock.server())
        .await;
    mock
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_listed_failure_does_not_fail_the_run() {
    let mock = broken_mock().await;
    let uri = mock.uri();
    let file = temp_file(
        "xfail.toml",
        "# known bugs\n\"A1-PROBLEM-003\" = \"unknown paths answer a bare 404 until release 2.4\"\n",
    );
    let uri1 = uri.clone();
    let without = tokio::task::spawn_blocking(move || {
        run(&["--base-url", &uri1, "--only", "A1-PROBLEM-00*"])
    })
    .await
    .expect("ran");
    assert_eq!(without.status.code(), Some(1), "{}", text(&without.stdout));

    let (uri2, file2) = (uri.clone(), file.clone());
    let output = tokio::task::spawn_blocking(move || {
        run(&[
            "--base-url",
            &uri2,
            "--only",
            "A1-PROBLEM-00*",
            "--expected-failures",
            file2.to_str().expect("UTF-8"),
        ])
    })
    .await
    .expect("ran");
    let stdout = text(&output.stdout);
    assert_eq!(output.status.code(), Some(0), "{stdout}");
    assert!(stdout.contains("XFAIL  A1-PROBLEM-003"), "{stdout}");
    assert!(
        stdout.contains("expected to fail: unknown paths answer a bare 404 until release 2.4"),
        "{stdout}"
    );
    assert!(
        stdout
            .lines()
            .any(|l| l == "2 passed, 0 failed, 1 expected failures"),
        "{stdout}"
    );

    let (uri3, file3) = (uri.clone(), file.clone());
    let junit = tokio::task::spawn_blocking(move || {
        run(&[
            "--base-url",
            &uri3,
            "--only",
            "A1-PROBLEM-00*",
            "--expected-failures",
            file3.to_str().expect("UTF-8"),
            "--format",
            "junit",
        ])
    })
    .await
    .expect("ran");
    assert_eq!(junit.status.code(), Some(0));
    let xml = text(&junit.stdout);
    assert!(
        xml.contains("<skipped type=\"expected-failure\" message=\"expected failure (unknown paths answer a bare 404"),
        "{xml}"
    );
    assert!(xml.contains("failures=\"0\""), "{xml}");
    let _ = std::fs::remove_file(&file);
}

#[test]
fn a_listed_check_that_passes_fails_the_run() {
    let file = temp_file("xpass.toml", "\"A1-AUTH-001\" = \"was broken in 2.2\"\n");
    let output = run(&[
        "--only",
        "A1-AUTH-*",
        "--expected-failures",
        file.to_str().expect("UTF-8"),
    ]);
    let stdout = text(&output.stdout);
    assert_eq!(output.status.code(), Some(1), "{stdout}");
    assert!(stdout.contains("XPASS  A1-AUTH-001"), "{stdout}");
    assert!(
        stdout.contains("unexpectedly passed — remove it from the expected-failures file"),
        "{stdout}"
    );
    assert!(
        stdout
            .lines()
            .any(|l| l == "5 passed, 0 failed, 1 unexpectedly passed"),
        "{stdout}"
    );
    let _ = std::fs::remove_file(&file);
}

#[test]
fn unknown_ids_in_the_file_are_a_usage_error() {
    let file = temp_file("unknown.toml", "\"A1-NOPE-042\" = \"typo\"\n");
    let output = run(&[
        "--only",
        "A1-AUTH-001",
        "--expected-failures",
        file.to_str().expect("UTF-8"),
    ]);
    assert_eq!(output.status.code(), Some(2));
    let stderr = text(&output.stderr);
    assert!(
        stderr.contains("A1-NOPE-042") && stderr.contains("unknown check IDs"),
        "{stderr}"
    );
    let _ = std::fs::remove_file(&file);
}
