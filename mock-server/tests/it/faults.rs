//! Named faults: off by default, switched on by the builder or `ucr-mock --fault`, kept across a
//! sandbox reset. (That the conformance suite catches each one is proved in the conformance
//! crate's `faults` test.)

use std::process::Command;

use ucr_mock::{Fault, Faults, MockRegistry};

/// The `Content-Type` of the problem an unknown path gets.
async fn problem_media_type(mock: &MockRegistry) -> String {
    let reply = reqwest::get(format!("{}/v1/no-such-thing", mock.uri()))
        .await
        .unwrap();
    assert_eq!(reply.status(), 404);
    reply.headers()["content-type"].to_str().unwrap().to_owned()
}

#[tokio::test]
async fn a_fault_is_off_by_default_and_on_when_asked_even_after_a_reset() {
    let clean = MockRegistry::start().await;
    assert_eq!(clean.with_registry(|r| r.faults()), Faults::NONE);
    assert_eq!(problem_media_type(&clean).await, "application/problem+json");

    let broken = MockRegistry::builder()
        .fault(Fault::ProblemPlainJson)
        .fault(Fault::Overdraw)
        .start()
        .await;
    assert_eq!(
        broken
            .with_registry(|r| r.faults())
            .iter()
            .collect::<Vec<_>>(),
        [Fault::Overdraw, Fault::ProblemPlainJson]
    );
    assert_eq!(problem_media_type(&broken).await, "application/json");
    broken.with_registry(|r| r.reset());
    assert!(
        broken
            .with_registry(|r| r.faults())
            .has(Fault::ProblemPlainJson),
        "a sandbox reset keeps the faults"
    );
}

#[test]
fn the_binary_lists_every_fault_and_refuses_unknown_names() {
    let listed = Command::new(env!("CARGO_BIN_EXE_ucr-mock"))
        .arg("--list-faults")
        .output()
        .unwrap();
    assert!(listed.status.success());
    let stdout = String::from_utf8(listed.stdout).unwrap();
    let names: Vec<&str> = stdout
        .lines()
        .filter_map(|l| l.split_whitespace().next())
        .collect();
    let expected: Vec<&str> = Fault::ALL.iter().map(|f| f.name()).collect();
    assert_eq!(names, expected);

    let refused = Command::new(env!("CARGO_BIN_EXE_ucr-mock"))
        .args(["--fault", "self-approval", "--fault", "no-such-fault"])
        .output()
        .unwrap();
    assert_eq!(refused.status.code(), Some(2), "a usage error");
    let stderr = String::from_utf8(refused.stderr).unwrap();
    assert!(
        stderr.contains("no fault named \"no-such-fault\""),
        "{stderr}"
    );
}
