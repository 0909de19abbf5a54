//! Tests of the requirements catalogue: well-formed IDs, real operations, one-sentence texts, and
//! its emission into the published document.

use std::collections::BTreeSet;

use serde_json::Value;

use super::emit::{EXTENSION, WEBHOOK_PREFIX};
use super::{Verification, all};
use crate::openapi_json;
use crate::webhooks::EventType;

fn well_formed(id: &str) -> bool {
    let mut parts = id.split('-');
    let (Some("REQ"), Some(area), Some(number), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return false;
    };
    !area.is_empty()
        && area.bytes().all(|b| b.is_ascii_uppercase())
        && number.len() == 3
        && number.bytes().all(|b| b.is_ascii_digit())
        && number != "000"
}

#[test]
fn ids_are_unique_and_well_formed() {
    let mut seen = BTreeSet::new();
    for requirement in all() {
        assert!(
            well_formed(requirement.id),
            "{} is not REQ-<AREA>-<NNN>",
            requirement.id
        );
        assert!(
            seen.insert(requirement.id),
            "{} is used twice",
            requirement.id
        );
    }
    assert!(!seen.is_empty(), "the catalogue is empty");
}

#[test]
fn well_formed_rejects_near_misses() {
    for bad in [
        "REQ-paging-001",
        "REQ-PAGING-01",
        "REQ-PAGING-0001",
        "REQ--001",
        "RQ-A-001",
        "REQ-A-000",
        "REQ-A-001-x",
    ] {
        assert!(!well_formed(bad), "{bad} passed");
    }
    assert!(well_formed("REQ-PAGING-003"));
}

/// Every operation a requirement names is an `operationId` of the document or a declared webhook
/// event type, and no requirement names the same one twice.
#[test]
fn every_named_operation_exists() {
    let doc = openapi_json();
    let mut known: BTreeSet<String> = doc["paths"]
        .as_object()
        .unwrap()
        .values()
        .flat_map(|item| item.as_object().unwrap().values())
        .map(|op| op["operationId"].as_str().unwrap().to_owned())
        .collect();
    known.extend(
        EventType::ALL
            .iter()
            .map(|e| format!("{WEBHOOK_PREFIX}{}", e.name())),
    );
    for requirement in all() {
        let mut named = BTreeSet::new();
        for op in requirement.operations {
            assert!(
                known.contains(*op),
                "{} names unknown operation {op}",
                requirement.id
            );
            assert!(named.insert(op), "{} names {op} twice", requirement.id);
        }
    }
}

/// The first byte index of a sentence break inside `text` (". " and the like before a capital
/// letter), if any.
fn inner_sentence_break(text: &str) -> Option<usize> {
    let bytes = text.as_bytes();
    (0..bytes.len().saturating_sub(2)).find(|&i| {
        matches!(bytes[i], b'.' | b'!' | b'?')
            && bytes[i + 1] == b' '
            && bytes[i + 2].is_ascii_uppercase()
    })
}

#[test]
fn texts_are_one_normative_sentence() {
    for requirement in all() {
        let text = requirement.text;
        let id = requirement.id;
        assert!(!text.trim().is_empty(), "{id} has no text");
        assert_eq!(text, text.trim(), "{id}: surrounding whitespace");
        assert!(!text.contains('\n'), "{id}: one line");
        assert!(
            text.ends_with('.'),
            "{id}: a sentence ends with a full stop"
        );
        assert!(
            text.starts_with(|c: char| c.is_uppercase() || c == '`' || c == '"'),
            "{id}: a sentence starts with a capital"
        );
        assert!(
            inner_sentence_break(text).is_none(),
            "{id}: more than one sentence: {text}"
        );
        assert!(
            text.contains("MUST") || text.contains("MAY"),
            "{id}: no RFC 2119 keyword (MUST, MUST NOT, MAY)"
        );
        for lowercase in [" must ", " may ", " shall ", " should "] {
            assert!(
                !text.contains(lowercase),
                "{id}: `{}` is ambiguous; write it in capitals or rephrase",
                lowercase.trim()
            );
        }
    }
}

#[test]
fn sentence_break_detection() {
    assert!(inner_sentence_break("A MUST b. C MAY d.").is_some());
    assert!(inner_sentence_break("A MUST b (e.g. c) and `d.e` MAY f.").is_none());
}

#[test]
fn untestable_requirements_say_why() {
    for requirement in all() {
        if let Verification::Untestable(why) = requirement.verification {
            assert!(
                why.split_whitespace().count() >= 3,
                "{}: the reason it cannot be observed is missing or too short",
                requirement.id
            );
        }
    }
}

/// The published document carries the whole catalogue, and each requirement is visible where a
/// reader looks: its operations' (or webhooks') descriptions, or `info.description`.
#[test]
fn the_document_carries_and_renders_every_requirement() {
    let doc = openapi_json();
    let emitted = doc[EXTENSION]
        .as_array()
        .expect("x-ucr-requirements is an array");
    assert_eq!(emitted.len(), all().len());
    let mut descriptions: std::collections::BTreeMap<String, String> = Default::default();
    for item in doc["paths"].as_object().unwrap().values() {
        for op in item.as_object().unwrap().values() {
            descriptions.insert(
                op["operationId"].as_str().unwrap().to_owned(),
                op["description"].as_str().unwrap_or_default().to_owned(),
            );
        }
    }
    for (name, item) in doc["webhooks"].as_object().unwrap() {
        descriptions.insert(
            format!("{WEBHOOK_PREFIX}{name}"),
            item["post"]["description"]
                .as_str()
                .unwrap_or_default()
                .to_owned(),
        );
    }
    let info = doc["info"]["description"].as_str().unwrap();
    for (requirement, json) in all().into_iter().zip(emitted) {
        assert_eq!(json["id"], requirement.id);
        assert_eq!(json["text"], requirement.text);
        assert_eq!(
            json["operations"].as_array().unwrap().len(),
            requirement.operations.len()
        );
        match requirement.verification {
            Verification::Api => assert!(json.get("untestable").is_none()),
            Verification::Untestable(why) => assert_eq!(json["untestable"], Value::from(why)),
        }
        let line = format!("`{}` {}", requirement.id, requirement.text);
        if requirement.operations.is_empty() {
            assert!(
                info.contains(&line),
                "{} is not in info.description",
                requirement.id
            );
        }
        for op in requirement.operations {
            assert!(
                descriptions[*op].contains(&line),
                "{} is not in the description of {op}",
                requirement.id
            );
        }
    }
}
