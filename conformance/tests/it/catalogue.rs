//! The shape of the check catalogue: stable, unique, well-formed IDs, real operations, full
//! coverage of the API's operations.

use std::collections::BTreeSet;

use ucr_conformance::{Check, Model, Phase, registry};

/// `^[A-Z0-9]+-[A-Z]+-[0-9]{3}$`, without a regex engine.
fn well_formed(id: &str) -> bool {
    let parts: Vec<&str> = id.split('-').collect();
    matches!(parts.as_slice(), [model, area, number]
        if !model.is_empty() && model.bytes().all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
        && !area.is_empty() && area.bytes().all(|b| b.is_ascii_uppercase())
        && number.len() == 3 && number.bytes().all(|b| b.is_ascii_digit()))
}

#[test]
fn the_id_format_check_rejects_bad_ids() {
    for good in ["A1-TRANSFER-003", "B4-RESERVE-001", "C1-ASSOC-002"] {
        assert!(well_formed(good), "{good}");
    }
    for bad in [
        "A1-TRANSFER-03",
        "a1-TRANSFER-003",
        "A1-TRANSFER2-003",
        "A1--003",
        "A1-TRANSFER-003-X",
        "A1_TRANSFER-003",
        "B4-RESERVE-1",
        "C1-ASSOC2-002",
        "b4-RESERVE-001",
    ] {
        assert!(!well_formed(bad), "{bad}");
    }
}

#[test]
fn ids_are_unique_well_formed_and_start_with_the_model_code() {
    let checks = registry();
    assert!(checks.len() >= 48, "only {} checks", checks.len());
    let mut seen = BTreeSet::new();
    for check in &checks {
        assert!(seen.insert(check.id), "duplicate check ID {}", check.id);
        assert!(
            well_formed(check.id),
            "{} does not match ^[A-Z0-9]+-[A-Z]+-[0-9]{{3}}$",
            check.id
        );
        assert!(
            check.id.starts_with(&format!("{}-", check.model.code())),
            "{} is not prefixed by {}",
            check.id,
            check.model.code()
        );
    }
}

#[test]
fn every_check_is_described_and_sourced() {
    for check in registry() {
        assert!(
            !check.description.is_empty() && !check.description.contains('\n'),
            "{}: description must be one line",
            check.id
        );
        assert!(!check.seed.is_empty(), "{}: seed section missing", check.id);
        let shown = check.model.to_string();
        assert_eq!(
            shown.replace('.', ""),
            check.model.code(),
            "{}: model {shown} is not displayed as its code with a dot",
            check.id
        );
    }
    let after_all: Vec<&str> = registry()
        .iter()
        .filter(|c| c.phase == Phase::AfterAll)
        .map(|c| c.id)
        .collect();
    assert_eq!(after_all, ["A1-CONSERVE-001", "A1-CONSERVE-002"]);
    let clock: Vec<&str> = registry()
        .iter()
        .filter(|c| c.phase == Phase::Clock)
        .map(|c| c.id)
        .collect();
    assert_eq!(
        clock,
        [
            "A1-TRANSFER-013",
            "A1-INPUT-022",
            "A1-MATRIX-026",
            "A1-LIFETIME-001",
            "B1-CONSENT-009",
            "B1-OAUTH-003",
            "B1-LIFETIME-001",
            "B4-RESERVE-008",
            "B4-LIFETIME-001",
            "B5-ESCROW-008",
            "AS-CODE-003"
        ],
        "the checks that move the sandbox clock"
    );
}

#[test]
fn every_model_has_checks_listed_in_the_papers_order() {
    assert_eq!(
        Model::ALL.iter().map(|m| m.to_string()).collect::<Vec<_>>(),
        ["A.1", "B.1", "B.2", "B.3", "B.4", "B.5", "C.1", "AS"]
    );
    let checks = registry();
    for model in Model::ALL {
        let count = checks.iter().filter(|c| c.model == *model).count();
        assert!(count >= 3, "{model} has only {count} checks");
        assert!(!model.title().is_empty());
    }
    let order: Vec<usize> = checks
        .iter()
        .map(|c| {
            Model::ALL
                .iter()
                .position(|m| *m == c.model)
                .expect("every model is in Model::ALL")
        })
        .collect();
    assert!(
        order.windows(2).all(|w| w[0] <= w[1]),
        "the registry must list the checks model by model, in the paper's order"
    );
}

fn spec_operations() -> BTreeSet<String> {
    let text =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../spec/openapi.json"))
            .expect("spec/openapi.json");
    let spec: serde_json::Value = serde_json::from_str(&text).expect("the spec is JSON");
    let mut operations = BTreeSet::new();
    for item in spec["paths"].as_object().expect("paths").values() {
        for operation in item.as_object().expect("path item").values() {
            if let Some(id) = operation.get("operationId").and_then(|v| v.as_str()) {
                operations.insert(id.to_owned());
            }
        }
    }
    operations
}

#[test]
fn operations_are_real_and_every_api_operation_is_checked() {
    let spec = spec_operations();
    let checks: Vec<Check> = registry();
    let mut covered = BTreeSet::new();
    for check in &checks {
        for operation in check.operations {
            assert!(
                spec.contains(*operation),
                "{} names {operation}, which is not an operationId of the API",
                check.id
            );
            covered.insert(operation.to_string());
        }
    }
    let sandbox: BTreeSet<&str> = [
        "create_operator_session",
        "create_account_holder",
        "create_account",
        "appoint_representative",
        "issue_units",
        "reset_sandbox",
        "create_platform",
        "create_platform_representative",
        "get_clock",
        "advance_clock",
    ]
    .into();
    let unchecked: Vec<&String> = spec
        .iter()
        .filter(|op| !sandbox.contains(op.as_str()) && !covered.contains(*op))
        .collect();
    assert!(
        unchecked.is_empty(),
        "operations no check exercises: {unchecked:?}"
    );
}
