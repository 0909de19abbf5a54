//! Checks cite the contract: every check cites known requirement IDs, and every requirement a
//! client can observe over the API is cited by some check. The gaps are explicit lists that can
//! only shrink.

use std::collections::BTreeSet;

use ucr_conformance::registry;
use ucr_spec::requirements::{Verification, all, find};

/// Checks that do not cite a requirement yet (their citations are being filled area by area).
/// The test fails if a check outside this list cites nothing, or if a listed check now cites
/// something (then remove it here): the list can only shrink, and every new check must cite.
const NOT_YET_CITING: &[&str] = &[
    "A1-INPUT-001",
    "A1-INPUT-002",
    "A1-INPUT-003",
    "A1-INPUT-004",
    "A1-INPUT-005",
    "A1-INPUT-006",
    "A1-INPUT-007",
    "A1-INPUT-008",
    "A1-INPUT-009",
    "A1-INPUT-010",
    "A1-INPUT-011",
    "A1-INPUT-012",
    "A1-INPUT-013",
    "A1-INPUT-014",
    "A1-INPUT-015",
    "A1-INPUT-016",
    "A1-INPUT-017",
    "A1-PROBLEM-001",
    "A1-PROBLEM-002",
    "A1-PROBLEM-003",
    "A1-AUTH-001",
    "A1-AUTH-002",
    "A1-AUTH-003",
    "A1-IDEMPOTENCY-001",
    "A1-IDEMPOTENCY-002",
    "A1-IDEMPOTENCY-003",
    "A1-IDEMPOTENCY-004",
    "A1-IDEMPOTENCY-005",
    "A1-IDEMPOTENCY-006",
    "A1-IDEMPOTENCY-007",
    "A1-IDEMPOTENCY-008",
    "A1-IDEMPOTENCY-009",
    "B1-IDEMPOTENCY-001",
    "B1-OAUTH-001",
    "B1-OAUTH-002",
    "B1-OAUTH-003",
    "B5-IDEMPOTENCY-001",
];

/// `Verification::Api` requirements no check cites yet: the suite's known coverage gap. The test
/// fails if a listed ID becomes cited (remove it here) or if an uncited API requirement is not
/// listed, so the gap is visible and can only shrink.
const UNCOVERED: &[&str] = &[
    "REQ-CONV-002",
    "REQ-CONV-004",
    "REQ-CONV-005",
    "REQ-CONV-007",
    "REQ-PROBLEM-001",
    "REQ-PROBLEM-002",
    "REQ-PROBLEM-003",
    "REQ-PROBLEM-004",
    "REQ-PROBLEM-005",
    "REQ-PROBLEM-006",
    "REQ-PROBLEM-007",
    "REQ-PROBLEM-008",
    "REQ-AUTH-002",
    "REQ-AUTH-003",
    "REQ-AUTH-005",
    "REQ-AUTH-007",
    "REQ-VALIDATION-001",
    "REQ-VALIDATION-002",
    "REQ-VALIDATION-003",
    "REQ-VALIDATION-004",
    "REQ-VALIDATION-005",
    "REQ-VALIDATION-006",
    "REQ-VALIDATION-009",
    "REQ-VALIDATION-010",
    "REQ-VALIDATION-011",
    "REQ-IDEMPOTENCY-001",
    "REQ-IDEMPOTENCY-002",
    "REQ-IDEMPOTENCY-003",
    "REQ-IDEMPOTENCY-004",
    "REQ-IDEMPOTENCY-006",
    "REQ-IDEMPOTENCY-007",
    "REQ-IDEMPOTENCY-008",
    "REQ-IDEMPOTENCY-011",
    "REQ-IDEMPOTENCY-012",
    "REQ-IDEMPOTENCY-013",
    "REQ-PAGING-001",
    "REQ-PAGING-009",
    "REQ-PAGING-011",
    "REQ-SANDBOX-001",
    "REQ-SANDBOX-003",
    "REQ-SANDBOX-004",
    "REQ-SANDBOX-005",
    "REQ-SANDBOX-006",
    "REQ-SANDBOX-007",
    "REQ-SANDBOX-008",
    "REQ-SANDBOX-009",
    "REQ-SANDBOX-010",
    "REQ-SANDBOX-011",
    "REQ-OAUTH-001",
    "REQ-OAUTH-002",
    "REQ-OAUTH-003",
    "REQ-OAUTH-004",
    "REQ-OAUTH-005",
    "REQ-OAUTH-007",
];

#[test]
fn every_cited_id_is_a_requirement_of_the_catalogue() {
    for check in registry() {
        for id in check.cites {
            assert!(
                find(id).is_some(),
                "{} cites {id}, which the contract's catalogue does not have",
                check.id
            );
        }
        let unique: BTreeSet<&str> = check.cites.iter().copied().collect();
        assert_eq!(
            unique.len(),
            check.cites.len(),
            "{} cites an ID twice",
            check.id
        );
    }
}

#[test]
fn every_check_cites_a_requirement_except_the_listed_gap() {
    let listed: BTreeSet<&str> = NOT_YET_CITING.iter().copied().collect();
    assert_eq!(
        listed.len(),
        NOT_YET_CITING.len(),
        "NOT_YET_CITING lists an ID twice"
    );
    let checks = registry();
    let ids: BTreeSet<&str> = checks.iter().map(|c| c.id).collect();
    for id in &listed {
        assert!(
            ids.contains(id),
            "NOT_YET_CITING names {id}, which is not a check"
        );
    }
    for check in &checks {
        match (check.cites.is_empty(), listed.contains(check.id)) {
            (true, false) => panic!("{} cites no requirement", check.id),
            (false, true) => panic!(
                "{} now cites {:?}: remove it from NOT_YET_CITING",
                check.id, check.cites
            ),
            _ => {}
        }
    }
}

#[test]
fn every_api_requirement_is_cited_by_a_check_except_the_listed_gap() {
    let cited: BTreeSet<&str> = registry()
        .iter()
        .flat_map(|c| c.cites.iter().copied())
        .collect();
    let uncovered: BTreeSet<&str> = UNCOVERED.iter().copied().collect();
    assert_eq!(
        uncovered.len(),
        UNCOVERED.len(),
        "UNCOVERED lists an ID twice"
    );
    for id in &uncovered {
        let requirement = find(id).unwrap_or_else(|| panic!("UNCOVERED names unknown {id}"));
        assert_eq!(
            requirement.verification,
            Verification::Api,
            "UNCOVERED names {id}, which is not verifiable over the API"
        );
        assert!(
            !cited.contains(id),
            "{id} is now cited: remove it from UNCOVERED"
        );
    }
    for requirement in all() {
        if requirement.verification == Verification::Api
            && !cited.contains(requirement.id)
            && !uncovered.contains(requirement.id)
        {
            panic!(
                "{} is verifiable over the API but no check cites it and UNCOVERED does not list it",
                requirement.id
            );
        }
    }
}
