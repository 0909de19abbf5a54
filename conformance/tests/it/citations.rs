//! Checks cite the contract: every check cites known requirement IDs, and every requirement a
//! client can observe over the API is cited by some check. The gaps are explicit lists that can
//! only shrink.

use std::collections::BTreeSet;

use ucr_conformance::registry;
use ucr_spec::requirements::{Verification, all, find};

/// Checks that do not cite a requirement yet (their citations are being filled area by area).
/// The test fails if a check outside this list cites nothing, or if a listed check now cites
/// something (then remove it here): the list can only shrink, and every new check must cite.
const NOT_YET_CITING: &[&str] = &[];

/// `Verification::Api` requirements no check cites yet: the suite's known coverage gap. The test
/// fails if a listed ID becomes cited (remove it here) or if an uncited API requirement is not
/// listed, so the gap is visible and can only shrink.
const UNCOVERED: &[&str] = &[];

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
