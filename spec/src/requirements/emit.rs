//! Emission of the requirements catalogue into the OpenAPI document: the `x-ucr-requirements`
//! extension and the requirement lines at the end of each description.

use serde_json::{Value, json};

use super::{Requirement, Verification, all};

/// The name of the top-level extension holding the catalogue.
pub const EXTENSION: &str = "x-ucr-requirements";

/// The prefix naming a webhook event type in [`Requirement::operations`].
pub const WEBHOOK_PREFIX: &str = "webhook:";

/// The catalogue as the `x-ucr-requirements` array: `{id, text, operations, untestable?}` objects
/// in catalogue order.
pub fn extension() -> Value {
    Value::Array(all().into_iter().map(entry).collect())
}

fn entry(requirement: &Requirement) -> Value {
    let mut out = json!({
        "id": requirement.id,
        "text": requirement.text,
        "operations": requirement.operations,
    });
    if let Verification::Untestable(why) = requirement.verification {
        out["untestable"] = json!(why);
    }
    out
}

/// One requirement as a Markdown list line: ``- `REQ-…` text``, marked when untestable.
pub fn line(requirement: &Requirement) -> String {
    match requirement.verification {
        Verification::Api => format!("- `{}` {}", requirement.id, requirement.text),
        Verification::Untestable(why) => format!(
            "- `{}` {} (Not observable over the API: {why}.)",
            requirement.id, requirement.text
        ),
    }
}

/// The requirement lines for one operation (or `webhook:<type>`), sorted by ID; empty if none.
pub fn block_for(operation: &str) -> String {
    let mut governing: Vec<&Requirement> = all()
        .into_iter()
        .filter(|r| r.operations.contains(&operation))
        .collect();
    governing.sort_by_key(|r| r.id);
    governing
        .into_iter()
        .map(line)
        .collect::<Vec<_>>()
        .join("\n")
}

/// The cross-cutting requirements (those naming no operation) as Markdown lines, sorted by ID.
pub fn cross_cutting_block() -> String {
    let mut general: Vec<&Requirement> = all()
        .into_iter()
        .filter(|r| r.operations.is_empty())
        .collect();
    general.sort_by_key(|r| r.id);
    general.into_iter().map(line).collect::<Vec<_>>().join("\n")
}

/// Adds the extension to `doc` and appends each operation's and webhook's requirements to its
/// description, and the cross-cutting ones to `info.description`.
pub fn apply(doc: &mut Value) {
    doc[EXTENSION] = extension();
    let general = cross_cutting_block();
    if !general.is_empty() {
        append(
            &mut doc["info"]["description"],
            &format!("## Requirements that apply to every operation\n{general}"),
        );
    }
    for section in ["paths", "webhooks"] {
        let Some(items) = doc.get_mut(section).and_then(Value::as_object_mut) else {
            continue;
        };
        for (name, item) in items.iter_mut() {
            for op in item
                .as_object_mut()
                .into_iter()
                .flat_map(|o| o.values_mut())
            {
                let key = if section == "webhooks" {
                    format!("{WEBHOOK_PREFIX}{name}")
                } else {
                    op["operationId"].as_str().unwrap_or_default().to_owned()
                };
                let block = block_for(&key);
                if !block.is_empty() {
                    append(&mut op["description"], &format!("Requirements:\n{block}"));
                }
            }
        }
    }
}

/// Appends a paragraph to a Markdown description, creating it if absent.
fn append(description: &mut Value, paragraph: &str) {
    *description = match description.as_str() {
        Some(text) if !text.trim().is_empty() => {
            Value::String(format!("{}\n\n{paragraph}", text.trim_end()))
        }
        _ => Value::String(paragraph.to_owned()),
    };
}
