//! The webhook payloads as a `oneOf` per event type: one schema per [`EventType`] (a
//! `WebhookEvent`, the common shape, whose `type` is a one-value `enum`: openapi-python-client cannot merge a `const` with the `EventType` enum), and `WebhookPayload`, their union
//! with a discriminator on `type`, the body of every entry of the `webhooks` section. Derived from
//! [`EventType::ALL`], so a new event type is one line there.
//!
//! Clients MUST accept event types they do not know (`REQ-WEBHOOK-013`), so the union is open by
//! that rule, not by its schema.

use serde_json::{Map, Value, json};

use crate::webhooks::EventType;

/// The name of an event type's payload schema: `reservation.released` → `ReservationReleasedEvent`.
pub fn schema_name(event: EventType) -> String {
    let mut name = String::new();
    for part in event.name().split(['.', '_']) {
        let mut chars = part.chars();
        if let Some(first) = chars.next() {
            name.extend(first.to_uppercase());
            name.push_str(chars.as_str());
        }
    }
    name.push_str("Event");
    name
}

/// A reference to an event type's payload schema.
pub fn reference(event: EventType) -> Value {
    json!({"$ref": format!("#/components/schemas/{}", schema_name(event))})
}

/// A reference to the union, the schema of every webhook request body.
pub fn union_reference() -> Value {
    json!({"$ref": "#/components/schemas/WebhookPayload"})
}

/// The per-type schemas and their union, to add to `components.schemas`.
pub fn schemas() -> Map<String, Value> {
    let mut out = Map::new();
    let mut mapping = Map::new();
    let mut members = Vec::new();
    for event in EventType::ALL.iter().copied() {
        let name = event.name();
        out.insert(
            schema_name(event),
            json!({
                "description": format!("The body of a `{name}` event: a `WebhookEvent` whose `type` is `{name}`."),
                "allOf": [
                    {"$ref": "#/components/schemas/WebhookEvent"},
                    {
                        "type": "object",
                        "required": ["type"],
                        "properties": {"type": {"type": "string", "enum": [name]}}
                    }
                ]
            }),
        );
        let target = reference(event)["$ref"].clone();
        mapping.insert(name, target);
        members.push(reference(event));
    }
    out.insert(
        "WebhookPayload".into(),
        json!({
            "description": "The body of every webhook request, one schema per event type, told apart by `type`. New event types may appear within `/v1`: a receiver MUST accept a type it does not know (`REQ-WEBHOOK-013`), e.g. by acknowledging and ignoring it.",
            "oneOf": members,
            "discriminator": {"propertyName": "type", "mapping": mapping}
        }),
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::openapi_json;

    #[test]
    fn names_follow_the_wire_names() {
        assert_eq!(
            schema_name(EventType::ReservationReleased),
            "ReservationReleasedEvent"
        );
        assert_eq!(
            schema_name(EventType::AssociationChanged),
            "AssociationChangedEvent"
        );
    }

    /// Every webhook's body is the union, in which its type's schema is the member of its name.
    #[test]
    fn every_webhook_has_its_own_payload_schema_in_the_union() {
        let doc = openapi_json();
        let union = &doc["components"]["schemas"]["WebhookPayload"];
        let webhooks = doc["webhooks"].as_object().unwrap();
        assert_eq!(webhooks.len(), EventType::ALL.len());
        assert_eq!(
            union["oneOf"].as_array().unwrap().len(),
            EventType::ALL.len()
        );
        for event in EventType::ALL.iter().copied() {
            let name = event.name();
            let body = &webhooks[&name]["post"]["requestBody"]["content"]["application/json"];
            assert_eq!(body["schema"], union_reference(), "{name}");
            assert_eq!(
                union["discriminator"]["mapping"][&name],
                reference(event)["$ref"]
            );
            let schema = &doc["components"]["schemas"][schema_name(event)];
            assert_eq!(
                schema["allOf"][1]["properties"]["type"]["enum"],
                json!([name])
            );
        }
    }
}
