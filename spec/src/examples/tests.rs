//! The examples are complete (every parameter, request body, success response and problem type of
//! every operation has one) and each is valid against its schema in the published document.

use serde_json::Value;

use crate::openapi_json;
use crate::problem::{PROBLEM_JSON, ProblemType};

/// Validates `value` against `schema`, resolving `$ref`s in `doc` (JSON Schema 2020-12, the
/// dialect of OpenAPI 3.1, with `format` asserted).
fn violations(doc: &Value, schema: &Value, value: &Value) -> Vec<String> {
    let mut root = doc.clone();
    root["allOf"] = Value::Array(vec![schema.clone()]);
    root["$schema"] = "https://json-schema.org/draft/2020-12/schema".into();
    let validator = jsonschema::options()
        .with_draft(jsonschema::Draft::Draft202012)
        .should_validate_formats(true)
        .build(&root)
        .unwrap_or_else(|e| panic!("the schema does not compile: {e}"));
    validator
        .iter_errors(value)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect()
}

/// Every example of a map `{name: {summary, value}}`.
fn named(examples: &Value) -> Vec<(String, Value)> {
    examples
        .as_object()
        .into_iter()
        .flatten()
        .map(|(name, example)| {
            assert!(
                example["summary"].is_string(),
                "example {name} has no summary"
            );
            (name.clone(), example["value"].clone())
        })
        .collect()
}

/// Every place an example sits: (where, schema, value).
fn every_example(doc: &Value) -> Vec<(String, Value, Value)> {
    let mut out = Vec::new();
    let media = |place: String, media: &Value, out: &mut Vec<(String, Value, Value)>| {
        for (name, value) in named(&media["examples"]) {
            out.push((format!("{place} {name}"), media["schema"].clone(), value));
        }
    };
    for item in doc["paths"].as_object().unwrap().values() {
        for op in item.as_object().unwrap().values() {
            let id = op["operationId"].as_str().unwrap();
            for param in op["parameters"].as_array().into_iter().flatten() {
                let place = format!("{id} parameter {}", param["name"]);
                for (name, value) in named(&param["examples"]) {
                    out.push((format!("{place} {name}"), param["schema"].clone(), value));
                }
            }
            for (type_, content) in op["requestBody"]["content"]
                .as_object()
                .into_iter()
                .flatten()
            {
                media(format!("{id} request {type_}"), content, &mut out);
            }
            for (status, response) in op["responses"].as_object().unwrap() {
                for (type_, content) in response["content"].as_object().into_iter().flatten() {
                    media(format!("{id} {status} {type_}"), content, &mut out);
                }
            }
        }
    }
    for (name, item) in doc["webhooks"].as_object().unwrap() {
        for param in item["post"]["parameters"].as_array().into_iter().flatten() {
            for (example, value) in named(&param["examples"]) {
                let place = format!("webhook {name} parameter {} {example}", param["name"]);
                out.push((place, param["schema"].clone(), value));
            }
        }
        let content = &item["post"]["requestBody"]["content"]["application/json"];
        assert!(
            !named(&content["examples"]).is_empty(),
            "webhook {name} has no example"
        );
        media(format!("webhook {name}"), content, &mut out);
    }
    for (name, response) in doc["components"]["responses"].as_object().unwrap() {
        for content in response["content"]
            .as_object()
            .into_iter()
            .flatten()
            .map(|(_, c)| c)
        {
            media(format!("response {name}"), content, &mut out);
        }
    }
    out
}

#[test]
fn every_example_is_valid_against_its_schema() {
    let doc = openapi_json();
    let examples = every_example(&doc);
    let mut failures = Vec::new();
    for (place, schema, value) in &examples {
        for violation in violations(&doc, schema, value) {
            failures.push(format!("{place}: {violation}"));
        }
    }
    assert!(
        failures.is_empty(),
        "invalid examples:\n{}",
        failures.join("\n")
    );
    assert!(examples.len() > 250, "only {} examples", examples.len());
}

/// The validator really validates: a wrong value is refused.
#[test]
fn an_invalid_example_is_refused() {
    let doc = openapi_json();
    let schema = serde_json::json!({"$ref": "#/components/schemas/Transfer"});
    let transfer = &doc["paths"]["/v1/transfers/{transfer_id}"]["get"]["responses"]["200"]["content"]
        ["application/json"]["examples"]["pending"]["value"];
    assert!(violations(&doc, &schema, transfer).is_empty());
    let mut wrong = transfer.clone();
    wrong["from_account_id"] = "1000001".into();
    wrong["initiated_at"] = "yesterday".into();
    assert_eq!(violations(&doc, &schema, &wrong).len(), 2, "{wrong}");
}

#[test]
fn every_parameter_body_and_response_has_a_named_example() {
    let doc = openapi_json();
    let mut missing = Vec::new();
    for item in doc["paths"].as_object().unwrap().values() {
        for op in item.as_object().unwrap().values() {
            let id = op["operationId"].as_str().unwrap();
            for param in op["parameters"].as_array().into_iter().flatten() {
                if named(&param["examples"]).is_empty() {
                    missing.push(format!("{id}: parameter {}", param["name"]));
                }
            }
            for (type_, content) in op["requestBody"]["content"]
                .as_object()
                .into_iter()
                .flatten()
            {
                if named(&content["examples"]).is_empty() {
                    missing.push(format!("{id}: request body {type_}"));
                }
            }
            for (status, response) in op["responses"].as_object().unwrap() {
                if response.get("$ref").is_some() {
                    continue;
                }
                for (type_, content) in response["content"].as_object().into_iter().flatten() {
                    if named(&content["examples"]).is_empty() {
                        missing.push(format!("{id}: {status} {type_}"));
                    }
                }
            }
        }
    }
    // A problem type of a status no operation declares (`405`) is answered by no operation.
    for kind in ProblemType::ALL {
        let Some(response) =
            doc["components"]["responses"].get(format!("Problem{}", kind.status()))
        else {
            continue;
        };
        if response["content"][PROBLEM_JSON]["examples"]
            .get(kind.slug())
            .is_none()
        {
            missing.push(format!("problem type {}", kind.slug()));
        }
    }
    assert!(missing.is_empty(), "no example:\n{}", missing.join("\n"));
}

/// Every example has a unique name within its operation and documents a status the operation
/// declares.
#[test]
fn examples_are_uniquely_named_and_document_declared_statuses() {
    let doc = openapi_json();
    let mut seen = std::collections::BTreeSet::new();
    for example in super::all() {
        assert!(
            seen.insert((example.operation, example.name)),
            "{} has two examples named {}",
            example.operation,
            example.name
        );
        let op = doc["paths"]
            .as_object()
            .unwrap()
            .values()
            .flat_map(|item| item.as_object().unwrap().values())
            .find(|op| op["operationId"] == example.operation)
            .unwrap_or_else(|| panic!("{} is no operation", example.operation));
        assert!(
            op["responses"][example.status.to_string()].is_object(),
            "{}/{}: {} is not declared",
            example.operation,
            example.name,
            example.status
        );
    }
}
