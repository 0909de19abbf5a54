//! Integration tests of `ucr-spec`: the problem catalogue per operation (`ERRORS`) names exactly
//! the operations of the committed `spec/openapi.json`, each once.

use std::collections::BTreeSet;

use ucr_spec::ERRORS;

/// The `operationId` of every operation in `spec/openapi.json` (webhooks are not operations).
fn spec_operation_ids() -> Vec<String> {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/openapi.json");
    let text = std::fs::read_to_string(path).expect("spec/openapi.json is readable");
    let doc: serde_json::Value = serde_json::from_str(&text).expect("spec/openapi.json is JSON");
    doc["paths"]
        .as_object()
        .expect("paths")
        .values()
        .flat_map(|item| item.as_object().expect("a path item").values())
        .map(|operation| {
            operation["operationId"]
                .as_str()
                .expect("an operationId")
                .to_owned()
        })
        .collect()
}

#[test]
fn errors_name_exactly_the_operations_of_the_spec_once_each() {
    let ids = spec_operation_ids();
    let spec: BTreeSet<&str> = ids.iter().map(String::as_str).collect();
    assert_eq!(spec.len(), ids.len(), "an operationId is used twice");
    let errors: BTreeSet<&str> = ERRORS.iter().map(|(id, _)| *id).collect();
    assert_eq!(
        errors.len(),
        ERRORS.len(),
        "an operation is listed twice in ERRORS"
    );
    let missing: Vec<_> = spec.difference(&errors).collect();
    let extra: Vec<_> = errors.difference(&spec).collect();
    assert!(
        missing.is_empty() && extra.is_empty(),
        "ERRORS and spec/openapi.json disagree; no ERRORS entry: {missing:?}; not in the spec: \
         {extra:?} (ERRORS is in spec/src/lib.rs; after a contract change run `cargo xtask spec`)"
    );
}
