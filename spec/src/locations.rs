//! The `Location` header of `201 Created` responses: the URL of the resource each create made.
//!
//! A create whose result has a URL of its own answers with `Location` (RFC 9110 section 10.2.2);
//! the template's `{field}`s are fields of the response body. The sandbox's account holders,
//! representatives, issuances, operator sessions and platform representatives, and delegations,
//! have no URL of their own, so those `201`s carry no `Location`.

use serde_json::{Value, json};

/// `(operationId, Location template)` of every create whose result has a URL.
pub const LOCATIONS: &[(&str, &str)] = &[
    ("initiate_transfer", "/v1/transfers/{transfer_id}"),
    (
        "initiate_cancellation",
        "/v1/cancellations/{cancellation_id}",
    ),
    ("grant_consent", "/v1/consents/{consent_id}"),
    ("create_reservation", "/v1/reservations/{reservation_id}"),
    ("create_escrow", "/v1/escrows/{escrow_id}"),
    ("create_association", "/v1/associations/{association_id}"),
    (
        "create_webhook_subscription",
        "/v1/webhook-subscriptions/{subscription_id}",
    ),
    ("create_account", "/v1/accounts/{account_id}"),
    ("create_platform", "/v1/platforms/{platform.platform_id}"),
];

/// The `Location` template of an operation, if its `201` carries one.
pub fn template(operation_id: &str) -> Option<&'static str> {
    LOCATIONS
        .iter()
        .find(|(id, _)| *id == operation_id)
        .map(|(_, template)| *template)
}

/// The `Location` of a `201` of `operation_id` whose body is `body`: the template with each
/// `{field}` replaced by that string field of the body (`a.b` is field `b` of object `a`); `None` when the operation has no template
/// or the body lacks a field.
pub fn location(operation_id: &str, body: &Value) -> Option<String> {
    let mut rest = template(operation_id)?;
    let mut out = String::new();
    while let Some(open) = rest.find('{') {
        let close = rest[open..].find('}')? + open;
        out.push_str(&rest[..open]);
        let pointer = format!("/{}", rest[open + 1..close].replace('.', "/"));
        out.push_str(body.pointer(&pointer)?.as_str()?);
        rest = &rest[close + 1..];
    }
    out.push_str(rest);
    Some(out)
}

/// Declares `Location` on the `201` response of an operation listed in [`LOCATIONS`].
pub(crate) fn declare(op: &mut Value) {
    let id = op["operationId"].as_str().unwrap_or_default();
    let Some(template) = template(id) else {
        return;
    };
    if let Some(created) = op.pointer_mut("/responses/201") {
        created["headers"]["Location"] = json!({
            "description": format!("The URL of the resource created: `{template}`."),
            "required": true,
            "schema": {"type": "string", "format": "uri-reference"}
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fills_the_template_from_the_body() {
        let body = json!({"transfer_id": "TRF-000007", "status": "pending_approval"});
        assert_eq!(
            location("initiate_transfer", &body).as_deref(),
            Some("/v1/transfers/TRF-000007")
        );
        assert_eq!(location("initiate_transfer", &json!({})), None);
        let platform = json!({"platform": {"platform_id": "TP-0001"}, "token": "t"});
        assert_eq!(
            location("create_platform", &platform).as_deref(),
            Some("/v1/platforms/TP-0001")
        );
        assert_eq!(location("issue_units", &body), None);
    }

    /// Every listed operation exists, answers `201`, and its `Location` is a path of the contract
    /// (with a `GET` or `DELETE` there) whose parameters are fields of the `201` body.
    #[test]
    fn every_location_is_a_resource_of_the_contract() {
        let doc = crate::openapi_json();
        let paths = doc["paths"].as_object().unwrap();
        for (id, template) in LOCATIONS {
            let op = paths
                .values()
                .flat_map(|item| item.as_object().unwrap().values())
                .find(|op| op["operationId"] == *id)
                .unwrap_or_else(|| panic!("{id} is not an operation"));
            let created = &op["responses"]["201"];
            assert!(created["headers"]["Location"].is_object(), "{id}");
            // The path template names the parameter by its last segment: `{platform_id}`.
            let path = template.replace("{platform.", "{");
            let item = paths
                .get(&path)
                .unwrap_or_else(|| panic!("{path} is not a path"));
            assert!(
                item.get("get").is_some() || item.get("delete").is_some(),
                "{template} is not a resource"
            );
            let schema = created["content"]["application/json"]["schema"]["$ref"]
                .as_str()
                .unwrap()
                .rsplit('/')
                .next()
                .unwrap();
            let field = template[template.find('{').unwrap() + 1..template.len() - 1]
                .split('.')
                .next()
                .unwrap();
            assert!(
                doc["components"]["schemas"][schema]["properties"]
                    .get(field)
                    .is_some(),
                "{id}: {schema} has no {field}"
            );
        }
    }
}
