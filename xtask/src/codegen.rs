//! Generation of the committed artefacts: the two OpenAPI documents and the SDK's generated code.

use std::path::{Path, PathBuf};

use progenitor::{GenerationSettings, Generator, HooksMode, InterfaceStyle, TagStyle};
use serde_json::{Value, json};

use crate::lower;

/// The published OpenAPI 3.1 document.
pub const SPEC_31: &str = "spec/openapi.json";
/// The derived OpenAPI 3.0.3 document progenitor reads. It lives with the SDK, not beside the
/// published document: it is an input to code generation, deliberately not a faithful copy of the
/// contract (see [`derive_progenitor_document`]).
pub const PROGENITOR_INPUT: &str = "sdk/progenitor-input.json";
/// Files an earlier `cargo xtask spec` wrote and no longer does, with where their content went.
/// `spec` deletes them and `check` fails while one is still there.
pub const RETIRED: &[(&str, &str)] = &[(
    "spec/openapi-3.0.json",
    "the 3.0 document is no longer published; progenitor's input is sdk/progenitor-input.json",
)];
/// The generated SDK code.
pub const SDK_GENERATED: &str = "sdk/src/generated.rs";
/// The SDK's enum of problem kinds, from the spec's catalogue.
pub const SDK_PROBLEM_KINDS: &str = "sdk/src/problem_kinds.rs";

/// Every generated file with its expected contents, computed in memory.
pub fn generate() -> Result<Vec<(&'static str, String)>, String> {
    let published = ucr_spec::openapi_string();
    let derived = derive_progenitor_document(&ucr_spec::openapi_json())?;
    let mut derived_text = serde_json::to_string_pretty(&derived).map_err(|e| e.to_string())?;
    derived_text.push('\n');
    let sdk = generate_sdk(&derived)?;
    Ok(vec![
        (SPEC_31, published),
        (PROGENITOR_INPUT, derived_text),
        (SDK_GENERATED, sdk),
        (SDK_PROBLEM_KINDS, generate_problem_kinds()?),
    ])
}

/// Writes every generated file; returns the paths written.
pub fn write_all(root: &Path) -> Result<Vec<PathBuf>, String> {
    let mut written = Vec::new();
    for (relative, contents) in generate()? {
        let path = root.join(relative);
        std::fs::write(&path, contents).map_err(|e| format!("writing {}: {e}", path.display()))?;
        written.push(path);
    }
    for (relative, _) in RETIRED {
        let path = root.join(relative);
        if path.exists() {
            std::fs::remove_file(&path).map_err(|e| format!("removing {}: {e}", path.display()))?;
            println!("removed {} (retired)", path.display());
        }
    }
    Ok(written)
}

/// Fails, naming each stale file and the command that fixes it, when anything committed differs.
pub fn check_all(root: &Path) -> Result<(), String> {
    let mut stale = Vec::new();
    for (relative, expected) in generate()? {
        let actual = std::fs::read_to_string(root.join(relative)).unwrap_or_default();
        if actual != expected {
            stale.push(relative.to_string());
        }
    }
    for (relative, why) in RETIRED {
        if root.join(relative).exists() {
            stale.push(format!("{relative} (should not exist: {why})"));
        }
    }
    if stale.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "generated files are stale: {}\nrun `cargo xtask spec` and commit the result",
            stale.join(", ")
        ))
    }
}

/// The 3.0.3 document progenitor reads: the lowering of the published one, plus adaptations for
/// the generated client that change no wire behaviour but make the document an unfaithful
/// description of the API, which is why it is not published (`spec/openapi.json` is the only
/// contract; 3.0-only tools are not served):
///
/// - problem responses are declared under `application/json` as well as
///   `application/problem+json`, because progenitor only types JSON bodies;
/// - the `Idempotency-Key` header is optional, because the SDK's hook adds one to every write that
///   lacks it (and keeps it across retries); callers may still set their own;
/// - the 3.1 `webhooks` are dropped by the lowering (a client calls none of them);
/// - the `default` (problem) response of every operation is dropped: progenitor reads `default`
///   as a success response, and the SDK turns any undeclared status into an error anyway;
/// - the token endpoint's `429` is dropped: progenitor takes one error type per operation, and
///   that endpoint's other errors are RFC 6749 documents, its `429` a problem document;
/// - string `pattern`s are dropped: typify would turn every identifier into a validating newtype,
///   and the SDK passes identifiers through as strings (the server judges them);
/// - a top-level `x-progenitor-input` says all this to anyone who opens the file.
pub fn derive_progenitor_document(published: &Value) -> Result<Value, String> {
    let mut doc = lower::lower(published).map_err(|e| e.to_string())?;
    doc["x-progenitor-input"] = json!(
        "Derived from spec/openapi.json by `cargo xtask spec` as progenitor's input for \
         sdk/src/generated.rs; do not edit. Not the contract: Idempotency-Key is optional here \
         (the SDK adds one), problems are also declared as application/json, webhooks, `default` \
         responses and string patterns are dropped, and so are the browser operations `authorize` \
         and `decide_authorization` (an HTML page and redirects, which a client does not call: it \
         sends the browser there)."
    );
    drop_string_patterns(&mut doc);
    drop_browser_operations(&mut doc);
    if let Some(responses) = doc
        .pointer_mut("/components/responses")
        .and_then(Value::as_object_mut)
    {
        for response in responses.values_mut() {
            if let Some(content) = response.get_mut("content").and_then(Value::as_object_mut)
                && let Some(problem) = content.get(ucr_spec::problem::PROBLEM_JSON).cloned()
            {
                content.insert("application/json".into(), problem);
            }
        }
    }
    for item in doc["paths"]
        .as_object_mut()
        .into_iter()
        .flat_map(|p| p.values_mut())
    {
        for op in item
            .as_object_mut()
            .into_iter()
            .flat_map(|o| o.values_mut())
        {
            if let Some(responses) = op.get_mut("responses").and_then(Value::as_object_mut) {
                responses.remove("default");
                if (op["operationId"] == "issue_token" || op["operationId"] == "revoke_token")
                    && let Some(responses) = op["responses"].as_object_mut()
                {
                    responses.remove("429");
                }
            }
            for param in op
                .get_mut("parameters")
                .and_then(Value::as_array_mut)
                .into_iter()
                .flatten()
            {
                if param["name"] == "Idempotency-Key" {
                    param["required"] = json!(false);
                }
            }
        }
    }
    Ok(doc)
}

/// The operations a browser, not a client, calls: the authorization endpoint's page and its
/// form's decision answer HTML and redirects, which progenitor cannot type (one response type per
/// operation), and an SDK only builds their URL.
pub const BROWSER_OPERATIONS: &[&str] = &["authorize", "decide_authorization"];

/// Removes [`BROWSER_OPERATIONS`] from the derived document (and any path item left empty).
fn drop_browser_operations(doc: &mut Value) {
    let Some(paths) = doc["paths"].as_object_mut() else {
        return;
    };
    for item in paths.values_mut() {
        if let Some(methods) = item.as_object_mut() {
            methods.retain(|_, op| {
                !op["operationId"]
                    .as_str()
                    .is_some_and(|id| BROWSER_OPERATIONS.contains(&id))
            });
        }
    }
    paths.retain(|_, item| item.as_object().is_none_or(|m| !m.is_empty()));
}

/// Runs progenitor on the derived document and formats the result.
pub fn generate_sdk(derived: &Value) -> Result<String, String> {
    let spec: openapiv3::OpenAPI = serde_json::from_value(derived.clone())
        .map_err(|e| format!("the derived document is not valid OpenAPI 3.0: {e}"))?;
    let mut settings = GenerationSettings::new();
    settings
        .with_interface(InterfaceStyle::Builder)
        .with_tag(TagStyle::Merged)
        .with_inner_type("crate::ClientState".parse().expect("a path parses"))
        .with_hooks(HooksMode::Expected)
        .with_map_type("::std::collections::BTreeMap")
        .with_derive("PartialEq");
    let mut generator = Generator::new(&settings);
    let tokens = generator
        .generate_tokens(&spec)
        .map_err(|e| format!("progenitor: {e}"))?;
    let mut file: syn::File =
        syn::parse2(tokens).map_err(|e| format!("progenitor output does not parse: {e}"))?;
    open_enums(&mut file, &open_enum_names(derived))?;
    Ok(format!(
        "// Generated by `cargo xtask spec` from {PROGENITOR_INPUT} with progenitor; do not edit.\n\n{}",
        prettyplease::unparse(&file)
    ))
}

/// The schemas the document marks `x-ucr-open-enum` (`REQ-CONV-009`).
fn open_enum_names(doc: &Value) -> Vec<String> {
    doc["components"]["schemas"]
        .as_object()
        .into_iter()
        .flatten()
        .filter(|(_, schema)| schema["x-ucr-open-enum"] == json!(true))
        .map(|(name, _)| name.clone())
        .collect()
}

/// Gives each open enum of the generated `types` module a catch-all `Unknown` variant
/// (`#[serde(other)]`), so that a value a later `/v1` adds deserialises instead of failing, and the
/// arm its `Display` needs. Progenitor has no setting for this; the generator, not a person, adds it.
fn open_enums(file: &mut syn::File, names: &[String]) -> Result<(), String> {
    let types = file
        .items
        .iter_mut()
        .find_map(|item| match item {
            syn::Item::Mod(m) if m.ident == "types" => m.content.as_mut(),
            _ => None,
        })
        .ok_or("progenitor output has no `types` module")?;
    for name in names {
        let mut patched = 0;
        for item in types.1.iter_mut() {
            match item {
                syn::Item::Enum(e) if e.ident == name => {
                    e.variants.push(syn::parse_quote! {
                        /// A value this version of the SDK does not know: the enumeration is open
                        /// (`REQ-CONV-009`), so later `/v1` versions may add values.
                        #[serde(other)]
                        Unknown
                    });
                    patched += 1;
                }
                syn::Item::Impl(i)
                    if matches!(&*i.self_ty, syn::Type::Path(p) if p.path.is_ident(name.as_str()))
                        && i.trait_.as_ref().is_some_and(|(_, path, _)| {
                            path.segments.last().is_some_and(|s| s.ident == "Display")
                        }) =>
                {
                    for impl_item in &mut i.items {
                        let syn::ImplItem::Fn(f) = impl_item else {
                            continue;
                        };
                        for stmt in &mut f.block.stmts {
                            if let syn::Stmt::Expr(syn::Expr::Match(m), _) = stmt {
                                m.arms.push(syn::parse_quote! {
                                    Self::Unknown => f.write_str("unknown"),
                                });
                                patched += 1;
                            }
                        }
                    }
                }
                _ => {}
            }
        }
        if patched != 2 {
            return Err(format!(
                "open enum {name}: expected its enum and its Display match in the generated types, patched {patched}"
            ));
        }
    }
    Ok(())
}

/// The SDK's `ProblemKind` enum, one variant per entry of the spec's problem catalogue.
pub fn generate_problem_kinds() -> Result<String, String> {
    use ucr_spec::ProblemType;
    let variant = |k: &ProblemType| -> String {
        k.slug()
            .split('-')
            .map(|w| format!("{}{}", w[..1].to_uppercase(), &w[1..]))
            .collect()
    };
    let mut variants = String::new();
    let mut all = String::new();
    let mut uris = String::new();
    let mut statuses = String::new();
    for kind in ProblemType::ALL {
        let v = variant(kind);
        variants.push_str(&format!("#[doc = {:?}] {v},\n", kind.meaning()));
        all.push_str(&format!("ProblemKind::{v},"));
        uris.push_str(&format!("ProblemKind::{v} => {:?},", kind.uri()));
        statuses.push_str(&format!("ProblemKind::{v} => {},", kind.status()));
    }
    let code = format!(
        r#"
        /// A problem `type` the API declares: match on this rather than on titles or details.
        ///
        /// New kinds may be added within `/v1`, so the enum is non-exhaustive.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum ProblemKind {{ {variants} }}

        impl ProblemKind {{
            /// Every kind, in the catalogue's order.
            pub const ALL: &'static [ProblemKind] = &[{all}];

            /// The kind's `type` URI.
            pub fn uri(self) -> &'static str {{ match self {{ {uris} }} }}

            /// The HTTP status the kind is served with.
            pub fn status(self) -> u16 {{ match self {{ {statuses} }} }}

            /// The kind a `type` URI names, if this SDK version knows it.
            pub fn from_uri(uri: &str) -> Option<Self> {{
                Self::ALL.iter().copied().find(|k| k.uri() == uri)
            }}
        }}
        "#
    );
    let file: syn::File =
        syn::parse_str(&code).map_err(|e| format!("problem kinds do not parse: {e}"))?;
    Ok(format!(
        "// Generated by `cargo xtask spec` from the problem catalogue in spec/src/problem.rs; do not edit.\n\n{}",
        prettyplease::unparse(&file)
    ))
}

/// Removes `pattern` from every string schema (see [`derive_progenitor_document`]).
fn drop_string_patterns(value: &mut Value) {
    match value {
        Value::Object(map) => {
            if map.get("type").and_then(Value::as_str) == Some("string") {
                map.remove("pattern");
            }
            map.values_mut().for_each(drop_string_patterns);
        }
        Value::Array(items) => items.iter_mut().for_each(drop_string_patterns),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `cargo test` fails when a committed generated file is stale.
    #[test]
    fn generated_files_are_fresh() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
        if let Err(message) = check_all(root) {
            panic!("{message}");
        }
    }

    #[test]
    fn every_list_gets_a_stream() {
        let derived = derive_progenitor_document(&ucr_spec::openapi_json()).unwrap();
        let code = generate_sdk(&derived).unwrap();
        for (id, _) in ucr_spec::ERRORS
            .iter()
            .filter(|(id, _)| id.starts_with("list_"))
        {
            let builder = id
                .split('_')
                .map(|w| format!("{}{}", w[..1].to_uppercase(), &w[1..]))
                .collect::<String>();
            let needle = format!("impl<'a> {builder}<'a>");
            let start = code
                .find(&needle)
                .unwrap_or_else(|| panic!("no builder {builder}"));
            let end = code[start..]
                .find("\n    }\n")
                .map_or(code.len(), |e| start + e);
            assert!(
                code[start..end].contains("pub fn stream("),
                "{id} has no stream()"
            );
        }
    }
}
