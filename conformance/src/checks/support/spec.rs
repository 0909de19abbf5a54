//! The published API description (`spec/openapi.json`, embedded at build time) as data for the
//! checks that must cover every operation: the access matrix and the robustness checks derive
//! their lists of operations, methods, paths, success statuses, documented problem statuses and
//! request-body fields from it, so a new operation is covered (or fails loudly) without editing
//! them.

use std::collections::BTreeSet;
use std::sync::LazyLock;

use serde_json::Value;

/// The published OpenAPI document, as committed next to the code that generates it.
const OPENAPI: &str = include_str!("../../../../spec/openapi.json");

/// One operation of the API.
#[derive(Debug, Clone)]
pub(crate) struct Operation {
    /// `operationId`.
    pub(crate) id: String,
    /// HTTP method.
    pub(crate) method: reqwest::Method,
    /// Path template, e.g. `/v1/transfers/{transfer_id}/approve`.
    pub(crate) path: String,
    /// The documented success status: the one 2xx response, or the 3xx of an operation that only
    /// redirects (`decide_authorization`).
    pub(crate) success: u16,
    /// The documented 4xx statuses.
    pub(crate) problems: BTreeSet<u16>,
    /// The request body's fields, if it has a JSON body.
    pub(crate) body: Option<Vec<Field>>,
    /// Whether the operation takes an `Idempotency-Key` header.
    pub(crate) idempotent: bool,
}

impl Operation {
    /// Whether the operation writes (anything but `GET`).
    pub(crate) fn is_write(&self) -> bool {
        self.method != reqwest::Method::GET
    }
}

/// The JSON type a request-body field must have.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum JsonType {
    String,
    Integer,
    Number,
    Boolean,
    Array,
    Object,
}

/// One top-level field of a request body.
#[derive(Debug, Clone)]
pub(crate) struct Field {
    pub(crate) name: String,
    pub(crate) required: bool,
    pub(crate) json_type: JsonType,
}

static OPERATIONS: LazyLock<Vec<Operation>> = LazyLock::new(|| {
    let doc: Value = serde_json::from_str(OPENAPI).expect("spec/openapi.json is JSON");
    parse_operations(&doc)
});

/// Every operation of the API, in the document's order.
pub(crate) fn operations() -> &'static [Operation] {
    &OPERATIONS
}

/// The operation with this `operationId`.
pub(crate) fn operation(id: &str) -> Option<&'static Operation> {
    operations().iter().find(|o| o.id == id)
}

/// The members of the component schema `name` (e.g. `Transaction`), with their JSON types.
pub(crate) fn schema_fields(name: &str) -> Vec<Field> {
    let doc: Value = serde_json::from_str(OPENAPI).expect("spec/openapi.json is JSON");
    let schema = doc["components"]["schemas"][name].clone();
    fields(&doc, &schema)
}

fn parse_operations(doc: &Value) -> Vec<Operation> {
    let mut out = Vec::new();
    let Some(paths) = doc["paths"].as_object() else {
        return out;
    };
    for (path, item) in paths {
        let Some(item) = item.as_object() else {
            continue;
        };
        for (method, op) in item {
            let Some(id) = op["operationId"].as_str() else {
                continue;
            };
            let Ok(method) = method.to_ascii_uppercase().parse::<reqwest::Method>() else {
                continue;
            };
            let responses = op["responses"].as_object();
            let statuses: Vec<u16> = responses
                .into_iter()
                .flat_map(|r| r.keys())
                .filter_map(|k| k.parse().ok())
                .collect();
            let success = statuses
                .iter()
                .copied()
                .find(|s| (200..400).contains(s))
                .unwrap_or(200);
            let problems = statuses
                .iter()
                .copied()
                .filter(|s| (400..500).contains(s))
                .collect();
            let body = op["requestBody"]["content"]["application/json"]
                .get("schema")
                .map(|schema| fields(doc, schema));
            let idempotent = op["parameters"]
                .as_array()
                .into_iter()
                .flatten()
                .any(|p| p["in"] == "header" && p["name"] == "Idempotency-Key");
            out.push(Operation {
                idempotent,
                id: id.to_owned(),
                method,
                path: path.clone(),
                success,
                problems,
                body,
            });
        }
    }
    out
}

/// Follows a local `$ref`.
fn resolve<'a>(doc: &'a Value, schema: &'a Value) -> &'a Value {
    match schema["$ref"].as_str() {
        Some(reference) => reference
            .strip_prefix("#/")
            .map(|p| p.split('/').fold(doc, |v, part| &v[part]))
            .unwrap_or(schema),
        None => schema,
    }
}

fn fields(doc: &Value, schema: &Value) -> Vec<Field> {
    let schema = resolve(doc, schema);
    let required: BTreeSet<&str> = schema["required"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .collect();
    schema["properties"]
        .as_object()
        .into_iter()
        .flatten()
        .filter_map(|(name, property)| {
            Some(Field {
                name: name.clone(),
                required: required.contains(name.as_str()),
                json_type: json_type(doc, property)?,
            })
        })
        .collect()
}

fn json_type(doc: &Value, schema: &Value) -> Option<JsonType> {
    let schema = resolve(doc, schema);
    let named = |name: &str| match name {
        "string" => Some(JsonType::String),
        "integer" => Some(JsonType::Integer),
        "number" => Some(JsonType::Number),
        "boolean" => Some(JsonType::Boolean),
        "array" => Some(JsonType::Array),
        "object" => Some(JsonType::Object),
        _ => None,
    };
    match &schema["type"] {
        Value::String(name) => return named(name),
        Value::Array(names) => {
            return names
                .iter()
                .filter_map(Value::as_str)
                .filter(|n| *n != "null")
                .find_map(named);
        }
        _ => {}
    }
    for key in ["oneOf", "anyOf", "allOf"] {
        if let Some(found) = schema[key]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|s| s["type"] != "null")
            .find_map(|s| json_type(doc, s))
        {
            return Some(found);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_embedded_document_lists_operations_with_methods_and_statuses() {
        let ops = operations();
        assert!(ops.len() >= 50, "only {} operations", ops.len());
        let transfer = operation("initiate_transfer").expect("initiate_transfer");
        assert_eq!(transfer.method, reqwest::Method::POST);
        assert_eq!(transfer.path, "/v1/transfers");
        assert_eq!(transfer.success, 201);
        assert!(transfer.problems.contains(&422));
        let fields = transfer.body.as_ref().expect("a JSON body");
        let quantity = fields.iter().find(|f| f.name == "quantity").unwrap();
        assert_eq!(quantity.json_type, JsonType::Integer);
        assert!(!quantity.required);
        assert!(
            fields
                .iter()
                .any(|f| f.name == "from_account_id" && f.required)
        );
        let approve = operation("approve_transfer").unwrap();
        assert!(approve.body.is_none() && approve.is_write());
        assert!(
            operation("issue_token").unwrap().body.is_none(),
            "a form, not JSON"
        );
        assert!(transfer.idempotent && approve.idempotent);
        assert!(!operation("create_account").unwrap().idempotent);
    }
}
