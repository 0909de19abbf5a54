//! The whole suite against the in-process mock registry: every check passes, and the report
//! round-trips through JSON and conforms to its own JSON Schema.

use serde_json::Value;
use ucr_conformance::report::{self, CheckStatus, Report};
use ucr_conformance::{RunOptions, registry, run};
use ucr_mock::MockRegistry;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_check_passes_against_the_mock() {
    let mock = MockRegistry::start().await;
    let checks = registry();
    assert!(
        checks.len() >= 48,
        "the suite has only {} checks",
        checks.len()
    );
    // The mock is this test's own, so the last check may reset it.
    let options = RunOptions {
        allow_reset: true,
        ..RunOptions::default()
    };
    let report = run(&mock.uri(), checks.clone(), &options)
        .await
        .expect("the mock can be tested");

    let not_passed: Vec<String> = report
        .checks
        .iter()
        .filter(|c| c.status != CheckStatus::Passed)
        .map(|c| {
            format!(
                "{} {:?}: {}",
                c.id,
                c.status,
                c.message.as_deref().unwrap_or_default()
            )
        })
        .collect();
    assert!(
        not_passed.is_empty(),
        "checks that did not pass:\n{}\n\n{}",
        not_passed.join("\n"),
        report::render_human(&report)
    );
    assert_eq!(report.checks.len(), checks.len());
    assert_eq!(report.summary.passed, checks.len());
    let ids: Vec<&str> = report.checks.iter().map(|c| c.id.as_str()).collect();
    let expected: Vec<&str> = checks.iter().map(|c| c.id).collect();
    assert_eq!(ids, expected, "the report lists checks in registry order");
    assert!(
        report.checks.iter().all(|c| !c.exchanges.is_empty()),
        "every check talks to the target and keeps its exchanges as evidence"
    );
    mock.check_invariants()
        .expect("the mock's own invariants hold after the run");

    let human = report::render_human(&report);
    assert_eq!(
        human.lines().last(),
        Some(format!("{} passed, 0 failed", checks.len()).as_str())
    );

    let json = report::render_json(&report);
    let back: Report = serde_json::from_str(&json).expect("the JSON report parses back");
    assert_eq!(back, report, "the JSON report round-trips");
    let instance: Value = serde_json::from_str(&json).expect("JSON");
    let schema = report::json_schema();
    let errors = validate(&schema, &schema, &instance, "$");
    assert!(
        errors.is_empty(),
        "the JSON report does not conform to --report-schema:\n{}",
        errors.join("\n")
    );
}

/// A small structural validator for the JSON Schema subset schemars emits: `$ref` into `$defs`,
/// `type` (string or list), `properties`, `required`, `additionalProperties: false`, `items`,
/// `enum`, `const`, `oneOf`/`anyOf`, `minimum`.
fn validate(root: &Value, schema: &Value, instance: &Value, at: &str) -> Vec<String> {
    let mut errors = Vec::new();
    let Some(schema) = schema.as_object() else {
        return errors;
    };
    if let Some(reference) = schema.get("$ref").and_then(Value::as_str) {
        let target = reference
            .strip_prefix("#/")
            .map(|path| path.split('/').fold(root, |node, key| &node[key]))
            .filter(|node| !node.is_null());
        match target {
            Some(target) => errors.extend(validate(root, target, instance, at)),
            None => errors.push(format!("{at}: unresolvable $ref {reference}")),
        }
    }
    if let Some(types) = schema.get("type") {
        let allowed: Vec<&str> = match types {
            Value::String(t) => vec![t.as_str()],
            Value::Array(ts) => ts.iter().filter_map(Value::as_str).collect(),
            _ => Vec::new(),
        };
        let actual = match instance {
            Value::Null => "null",
            Value::Bool(_) => "boolean",
            Value::Number(n) if n.is_u64() || n.is_i64() => "integer",
            Value::Number(_) => "number",
            Value::String(_) => "string",
            Value::Array(_) => "array",
            Value::Object(_) => "object",
        };
        if !allowed
            .iter()
            .any(|t| *t == actual || (*t == "number" && actual == "integer"))
        {
            errors.push(format!(
                "{at}: {actual} where the schema allows {allowed:?}"
            ));
        }
    }
    if let Some(values) = schema.get("enum").and_then(Value::as_array)
        && !values.contains(instance)
    {
        errors.push(format!("{at}: {instance} is not one of {values:?}"));
    }
    if let Some(value) = schema.get("const")
        && value != instance
    {
        errors.push(format!("{at}: {instance} is not {value}"));
    }
    if let Some(minimum) = schema.get("minimum").and_then(Value::as_f64)
        && instance.as_f64().is_some_and(|n| n < minimum)
    {
        errors.push(format!("{at}: {instance} is below the minimum {minimum}"));
    }
    for keyword in ["oneOf", "anyOf"] {
        if let Some(options) = schema.get(keyword).and_then(Value::as_array) {
            let matching = options
                .iter()
                .filter(|o| validate(root, o, instance, at).is_empty())
                .count();
            let ok = if keyword == "oneOf" {
                matching == 1
            } else {
                matching >= 1
            };
            if !ok {
                errors.push(format!(
                    "{at}: {matching} of the {keyword} alternatives match"
                ));
            }
        }
    }
    if let Value::Object(object) = instance {
        let properties = schema.get("properties").and_then(Value::as_object);
        for required in schema
            .get("required")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
        {
            if !object.contains_key(required) {
                errors.push(format!("{at}: required member `{required}` missing"));
            }
        }
        for (key, value) in object {
            match properties.and_then(|p| p.get(key)) {
                Some(property) => {
                    errors.extend(validate(root, property, value, &format!("{at}.{key}")))
                }
                None if schema.get("additionalProperties") == Some(&Value::Bool(false)) => {
                    errors.push(format!("{at}: member `{key}` is not in the schema"))
                }
                None => {}
            }
        }
    }
    if let (Value::Array(items), Some(item_schema)) = (instance, schema.get("items")) {
        for (index, item) in items.iter().enumerate() {
            errors.extend(validate(root, item_schema, item, &format!("{at}[{index}]")));
        }
    }
    errors
}

#[test]
fn the_validator_rejects_a_broken_report() {
    let schema = report::json_schema();
    let broken =
        serde_json::json!({"tool": "ucr-conformance", "checks": [{"id": 5, "status": "maybe"}]});
    let errors = validate(&schema, &schema, &broken, "$");
    assert!(
        errors
            .iter()
            .any(|e| e.contains("required member `tool_version`")),
        "{errors:?}"
    );
    assert!(
        errors.iter().any(|e| e.contains("$.checks[0].id")),
        "{errors:?}"
    );
    assert!(
        errors.iter().any(|e| e.contains("$.checks[0].status")),
        "{errors:?}"
    );
}
