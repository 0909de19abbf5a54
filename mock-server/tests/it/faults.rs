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
    for (line, fault) in stdout.lines().zip(Fault::ALL) {
        let catchers = format!("[caught by {}]", fault.catchers().join(", "));
        assert!(line.ends_with(&catchers), "{line} does not end {catchers}");
    }

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

/// Every `FAULT(<name>[, <name>])` marker under `dir`, recursively.
fn markers(dir: &std::path::Path, found: &mut std::collections::BTreeSet<String>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            markers(&path, found);
        } else if path.extension().is_some_and(|e| e == "rs") {
            let text = std::fs::read_to_string(&path).unwrap();
            for (_, rest) in text
                .match_indices("// FAULT(")
                .map(|(i, _)| text.split_at(i + 9))
            {
                let names = rest.split(')').next().unwrap_or_default();
                found.extend(names.split(',').map(|n| n.trim().to_owned()));
            }
        }
    }
}

#[test]
fn every_fault_is_one_marked_branch_in_the_source() {
    let mut found = std::collections::BTreeSet::new();
    markers(
        &std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src"),
        &mut found,
    );
    let expected: std::collections::BTreeSet<String> =
        Fault::ALL.iter().map(|f| f.name().to_owned()).collect();
    assert_eq!(
        found, expected,
        "each fault is marked `// FAULT(<name>)` where the bug lives, and every marker names a fault"
    );
}
