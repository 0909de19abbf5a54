//! Lowering of the published OpenAPI 3.1 document to the 3.0.3 dialect progenitor reads.
//!
//! progenitor 0.15 parses documents with the `openapiv3` crate, which knows only 3.0.x. The
//! lowering rewrites each 3.1 construct utoipa emits into its 3.0 equivalent and refuses, naming
//! the JSON pointer, anything it cannot express in 3.0 rather than dropping meaning silently.

use serde_json::{Map, Value, json};
use std::fmt;

/// Why a document could not be lowered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LowerError {
    /// JSON pointer of the offending node.
    pub pointer: String,
    /// What was found there.
    pub reason: String,
}

impl fmt::Display for LowerError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "cannot lower `{}` to OpenAPI 3.0: {}",
            self.pointer, self.reason
        )
    }
}

impl std::error::Error for LowerError {}

/// JSON Schema 2020-12 keywords with no OpenAPI 3.0 equivalent.
const UNLOWERABLE: &[&str] = &[
    "prefixItems",
    "if",
    "then",
    "else",
    "$defs",
    "dependentSchemas",
    "dependentRequired",
    "unevaluatedProperties",
    "unevaluatedItems",
    "contains",
    "minContains",
    "maxContains",
    "$dynamicRef",
    "$anchor",
    "patternProperties",
];

/// Keywords dropped because 3.0 has no place for them and they carry no validation meaning the
/// generated client could use.
const DROPPED_SCHEMA_KEYWORDS: &[&str] =
    &["propertyNames", "$schema", "$comment", "contentMediaType"];

/// Lowers a 3.1 document to 3.0.3. The input is not modified.
pub fn lower(doc: &Value) -> Result<Value, LowerError> {
    let version = doc["openapi"].as_str().unwrap_or_default();
    if !version.starts_with("3.1.") {
        return Err(LowerError {
            pointer: "/openapi".into(),
            reason: format!("expected a 3.1.x document, found `{version}`"),
        });
    }
    let mut out = doc.clone();
    let root = out
        .as_object_mut()
        .expect("checked above: the document is an object");
    root.insert("openapi".into(), json!("3.0.3"));
    root.remove("jsonSchemaDialect");
    // Top-level webhooks have no 3.0 form. They describe requests the registry sends, not
    // operations a client calls, so the generated client loses nothing; their payload schemas stay
    // in components.
    if let Some(webhooks) = root.remove("webhooks") {
        check_webhook_refs(&webhooks, doc)?;
    }
    // Specification extensions (`x-…`) are valid at the root of a 3.0 document too, so the
    // requirements catalogue (`x-ucr-requirements`) passes through unchanged: the derived document
    // states the same rules as the published one.
    if let Some(license) = root
        .get_mut("info")
        .and_then(|i| i.get_mut("license"))
        .and_then(Value::as_object_mut)
    {
        license.remove("identifier");
    }
    if let Some(schemas) = out
        .pointer_mut("/components/schemas")
        .and_then(Value::as_object_mut)
    {
        for (name, schema) in schemas.iter_mut() {
            lower_schema(schema, &format!("/components/schemas/{name}"))?;
        }
    }
    walk_non_schema(&mut out, "")?;
    Ok(out)
}

/// Every structured schema a webhook refers to must live in `components/schemas`, or dropping the
/// section would lose it (inline scalar header schemas carry nothing a client is generated from).
fn check_webhook_refs(webhooks: &Value, doc: &Value) -> Result<(), LowerError> {
    match webhooks {
        Value::Object(map) => {
            if let Some(Value::String(reference)) = map.get("$ref") {
                let pointer = reference.trim_start_matches('#');
                if doc.pointer(pointer).is_none() {
                    return Err(LowerError {
                        pointer: "/webhooks".into(),
                        reason: format!("refers to `{reference}`, which is not in the document"),
                    });
                }
            } else if map.get("schema").is_some_and(|s| {
                s.get("$ref").is_none()
                    && (s.get("properties").is_some()
                        || s.get("type").is_some_and(|t| t == "object" || t == "array"))
            }) {
                return Err(LowerError {
                    pointer: "/webhooks".into(),
                    reason: "an inline webhook schema would be lost; move it to components".into(),
                });
            }
            map.values().try_for_each(|v| check_webhook_refs(v, doc))
        }
        Value::Array(items) => items.iter().try_for_each(|v| check_webhook_refs(v, doc)),
        _ => Ok(()),
    }
}

/// Finds every `schema` under paths and components other than `components/schemas` and lowers it.
fn walk_non_schema(node: &mut Value, pointer: &str) -> Result<(), LowerError> {
    if pointer == "/components/schemas" {
        return Ok(());
    }
    match node {
        Value::Object(map) => {
            for (key, child) in map.iter_mut() {
                let child_ptr = format!("{pointer}/{}", escape(key));
                if key == "schema" && child.is_object() {
                    lower_schema(child, &child_ptr)?;
                } else if key == "examples" && pointer.ends_with("application~1json") {
                    // Media-type `examples` is a 3.0 construct too: keep it.
                } else {
                    walk_non_schema(child, &child_ptr)?;
                }
            }
        }
        Value::Array(items) => {
            for (i, child) in items.iter_mut().enumerate() {
                walk_non_schema(child, &format!("{pointer}/{i}"))?;
            }
        }
        _ => {}
    }
    Ok(())
}

fn escape(key: &str) -> String {
    key.replace('~', "~0").replace('/', "~1")
}

/// Lowers one schema object and, recursively, its subschemas.
pub fn lower_schema(schema: &mut Value, pointer: &str) -> Result<(), LowerError> {
    let Some(map) = schema.as_object_mut() else {
        return match schema {
            Value::Bool(_) => Err(LowerError {
                pointer: pointer.into(),
                reason: "boolean schemas have no 3.0 form".into(),
            }),
            _ => Ok(()),
        };
    };
    for keyword in UNLOWERABLE {
        if map.contains_key(*keyword) {
            return Err(LowerError {
                pointer: format!("{pointer}/{keyword}"),
                reason: format!("`{keyword}` has no OpenAPI 3.0 equivalent"),
            });
        }
    }
    for keyword in DROPPED_SCHEMA_KEYWORDS {
        map.remove(*keyword);
    }

    // Recurse first, so nullable wrappers below see lowered children.
    for key in ["items", "not", "additionalProperties"] {
        if let Some(child) = map.get_mut(key)
            && child.is_object()
        {
            lower_schema(child, &format!("{pointer}/{key}"))?;
        }
    }
    if let Some(props) = map.get_mut("properties").and_then(Value::as_object_mut) {
        for (name, child) in props.iter_mut() {
            lower_schema(child, &format!("{pointer}/properties/{}", escape(name)))?;
        }
    }
    for key in ["allOf", "anyOf", "oneOf"] {
        if let Some(list) = map.get_mut(key).and_then(Value::as_array_mut) {
            for (i, child) in list.iter_mut().enumerate() {
                lower_schema(child, &format!("{pointer}/{key}/{i}"))?;
            }
        }
    }

    lower_type_array(map, pointer)?;
    lower_null_alternative(map, pointer)?;
    if let Some(value) = map.remove("const") {
        map.insert("enum".into(), Value::Array(vec![value]));
    }
    if let Some(examples) = map.remove("examples") {
        match examples {
            Value::Array(mut list) if !list.is_empty() => {
                map.entry("example").or_insert(list.swap_remove(0));
            }
            Value::Array(_) => {}
            other => {
                return Err(LowerError {
                    pointer: format!("{pointer}/examples"),
                    reason: format!("schema `examples` must be an array, found {other}"),
                });
            }
        }
    }
    for (bound, plain) in [
        ("exclusiveMinimum", "minimum"),
        ("exclusiveMaximum", "maximum"),
    ] {
        match map.get(bound) {
            Some(Value::Number(n)) => {
                let n = Value::Number(n.clone());
                map.insert(plain.into(), n);
                map.insert(bound.into(), Value::Bool(true));
            }
            Some(Value::Bool(_)) | None => {}
            Some(other) => {
                return Err(LowerError {
                    pointer: format!("{pointer}/{bound}"),
                    reason: format!("expected a number, found {other}"),
                });
            }
        }
    }
    wrap_ref_with_siblings(map);
    Ok(())
}

/// `type: [T, "null"]` → `type: T, nullable: true`.
fn lower_type_array(map: &mut Map<String, Value>, pointer: &str) -> Result<(), LowerError> {
    let Some(Value::Array(types)) = map.get("type") else {
        return Ok(());
    };
    let nullable = types.iter().any(|t| t == "null");
    let rest: Vec<&Value> = types.iter().filter(|t| *t != "null").collect();
    let single = match rest.as_slice() {
        [one] => (*one).clone(),
        _ => {
            return Err(LowerError {
                pointer: format!("{pointer}/type"),
                reason: format!("a type union {types:?} has no 3.0 form; use oneOf"),
            });
        }
    };
    map.insert("type".into(), single);
    if nullable {
        map.insert("nullable".into(), Value::Bool(true));
    }
    Ok(())
}

/// `oneOf`/`anyOf: [S, {type: null}]` → `allOf: [S], nullable: true`.
fn lower_null_alternative(map: &mut Map<String, Value>, pointer: &str) -> Result<(), LowerError> {
    for key in ["oneOf", "anyOf"] {
        let Some(Value::Array(list)) = map.get(key) else {
            continue;
        };
        let is_null = |s: &Value| s.get("type").is_some_and(|t| t == "null");
        let nulls = list.iter().filter(|s| is_null(s)).count();
        if nulls == 0 {
            continue;
        }
        let rest: Vec<Value> = list.iter().filter(|s| !is_null(s)).cloned().collect();
        if rest.len() != 1 {
            return Err(LowerError {
                pointer: format!("{pointer}/{key}"),
                reason: "a nullable union of several schemas has no faithful 3.0 form".into(),
            });
        }
        map.remove(key);
        map.insert("allOf".into(), Value::Array(rest));
        map.insert("nullable".into(), Value::Bool(true));
    }
    Ok(())
}

/// In 3.0 a `$ref` replaces its whole object: siblings would be ignored, so move the reference
/// into an `allOf` and keep the siblings (description, nullable, default, ...).
fn wrap_ref_with_siblings(map: &mut Map<String, Value>) {
    if map.len() > 1
        && let Some(reference) = map.remove("$ref")
    {
        map.insert("allOf".into(), json!([{ "$ref": reference }]));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc_with(schema: Value) -> Value {
        json!({
            "openapi": "3.1.0",
            "info": {"title": "t", "version": "1", "license": {"name": "MIT", "identifier": "MIT"}},
            "paths": {},
            "components": {"schemas": {"S": schema}}
        })
    }

    fn lowered(schema: Value) -> Value {
        lower(&doc_with(schema)).unwrap()["components"]["schemas"]["S"].clone()
    }

    #[test]
    fn the_requirements_extension_passes_through() {
        let mut doc = doc_with(json!({"type": "string"}));
        let catalogue = json!([{"id": "REQ-X-001", "text": "A MUST b.", "operations": ["op"], "untestable": "why"}]);
        doc["x-ucr-requirements"] = catalogue.clone();
        assert_eq!(lower(&doc).unwrap()["x-ucr-requirements"], catalogue);
    }

    #[test]
    fn type_arrays_become_nullable() {
        let s = lowered(json!({"type": ["string", "null"], "description": "d"}));
        assert_eq!(
            s,
            json!({"type": "string", "nullable": true, "description": "d"})
        );
    }

    #[test]
    fn null_alternatives_become_nullable_all_of() {
        let s = lowered(json!({"oneOf": [{"type": "null"}, {"$ref": "#/components/schemas/X"}]}));
        assert_eq!(
            s,
            json!({"allOf": [{"$ref": "#/components/schemas/X"}], "nullable": true})
        );
    }

    #[test]
    fn refs_with_siblings_are_wrapped() {
        let s = lowered(json!({"properties": {"a": {"$ref": "#/x", "description": "d"}}}));
        assert_eq!(
            s["properties"]["a"],
            json!({"allOf": [{"$ref": "#/x"}], "description": "d"})
        );
        let bare = lowered(json!({"properties": {"a": {"$ref": "#/x"}}}));
        assert_eq!(bare["properties"]["a"], json!({"$ref": "#/x"}));
    }

    #[test]
    fn examples_const_and_exclusive_bounds() {
        let s = lowered(json!({"type": "integer", "examples": [3, 4], "exclusiveMinimum": 0}));
        assert_eq!(
            s,
            json!({"type": "integer", "example": 3, "minimum": 0, "exclusiveMinimum": true})
        );
        assert_eq!(lowered(json!({"const": "a"})), json!({"enum": ["a"]}));
    }

    #[test]
    fn root_fields_are_lowered() {
        let out = lower(&doc_with(json!({"type": "string"}))).unwrap();
        assert_eq!(out["openapi"], "3.0.3");
        assert!(out["info"]["license"].get("identifier").is_none());
    }

    #[test]
    fn refuses_what_it_cannot_lower() {
        for (schema, pointer) in [
            (
                json!({"prefixItems": []}),
                "/components/schemas/S/prefixItems",
            ),
            (
                json!({"properties": {"a": {"if": {}}}}),
                "/components/schemas/S/properties/a/if",
            ),
            (json!({"$defs": {}}), "/components/schemas/S/$defs"),
            (
                json!({"type": ["string", "integer"]}),
                "/components/schemas/S/type",
            ),
            (
                json!({"oneOf": [{"type": "null"}, {"type": "a"}, {"type": "b"}]}),
                "/components/schemas/S/oneOf",
            ),
        ] {
            let err = lower(&doc_with(schema.clone())).unwrap_err();
            assert_eq!(err.pointer, pointer, "{schema}");
        }
        let err = lower(&json!({"openapi": "3.0.3"})).unwrap_err();
        assert_eq!(err.pointer, "/openapi");
    }

    #[test]
    fn webhooks_are_dropped_only_when_their_schemas_survive() {
        let mut doc = doc_with(json!({"type": "object"}));
        let body = "/webhooks/e/post/requestBody/content/application~1json/schema";
        doc["webhooks"] = json!({"e": {"post": {"requestBody": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/S"}}}}}}});
        assert!(lower(&doc).unwrap().get("webhooks").is_none());
        *doc.pointer_mut(body).unwrap() = json!({"type": "object"});
        assert_eq!(lower(&doc).unwrap_err().pointer, "/webhooks");
        *doc.pointer_mut(body).unwrap() = json!({"$ref": "#/components/schemas/Gone"});
        assert_eq!(lower(&doc).unwrap_err().pointer, "/webhooks");
    }

    #[test]
    fn parameter_and_response_schemas_are_lowered() {
        let mut doc = doc_with(json!({}));
        doc["paths"] = json!({"/a": {"get": {
            "parameters": [{"name": "q", "in": "query", "schema": {"type": ["integer", "null"]}}],
            "responses": {"200": {"description": "ok", "content": {"application/json": {"schema": {"const": 1}}}}}
        }}});
        let out = lower(&doc).unwrap();
        assert_eq!(
            out["paths"]["/a"]["get"]["parameters"][0]["schema"],
            json!({"type": "integer", "nullable": true})
        );
        assert_eq!(
            out["paths"]["/a"]["get"]["responses"]["200"]["content"]["application/json"]["schema"],
            json!({"enum": [1]})
        );
    }

    #[test]
    fn the_real_document_lowers_and_parses_as_3_0() {
        let out = lower(&ucr_spec::openapi_json()).unwrap();
        let text = serde_json::to_string(&out).unwrap();
        assert!(
            !text.contains("\"null\""),
            "a null type survived the lowering"
        );
        serde_json::from_value::<openapiv3::OpenAPI>(out)
            .expect("openapiv3 parses the lowered document");
    }
}
