//! What a target implements: the interoperability models and the optional parts of the API. A
//! check runs only when the target declares everything it [requires](crate::Check::requirements);
//! otherwise it is reported as skipped, naming what is missing.

use std::collections::BTreeSet;
use std::fmt;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::model::Model;

/// An optional part of the API that a target may or may not offer.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Feature {
    /// The sandbox provisioning API: operator sessions, holders, accounts, representatives,
    /// issuance, platforms. Without it the suite works on the accounts a configuration file
    /// provides, and checks that need fresh fixtures are skipped.
    Sandbox,
    /// The sandbox clock (`get_clock`, `advance_clock`): checks of expiry.
    SandboxClock,
    /// The public registers (ACCU projects, carbon abatement contracts, guarantee-of-origin
    /// projects).
    PublicRegisters,
    /// OAuth 2.0 client credentials for platforms (`issue_token`).
    OauthClientCredentials,
    /// Webhook subscriptions and signed deliveries.
    Webhooks,
}

impl Feature {
    /// Every feature.
    pub const ALL: &'static [Feature] = &[
        Feature::Sandbox,
        Feature::SandboxClock,
        Feature::PublicRegisters,
        Feature::OauthClientCredentials,
        Feature::Webhooks,
    ];

    /// The name used in configuration files and reports, e.g. `sandbox_clock`.
    pub fn name(self) -> &'static str {
        match self {
            Feature::Sandbox => "sandbox",
            Feature::SandboxClock => "sandbox_clock",
            Feature::PublicRegisters => "public_registers",
            Feature::OauthClientCredentials => "oauth_client_credentials",
            Feature::Webhooks => "webhooks",
        }
    }

    /// The feature an `operationId` belongs to, if it is optional.
    pub fn of_operation(operation_id: &str) -> Option<Feature> {
        OPERATION_FEATURES
            .iter()
            .find(|(op, _)| *op == operation_id)
            .and_then(|(_, feature)| *feature)
    }
}

/// Every operation of `spec/openapi.json`, exactly once, with the optional feature it belongs to
/// (`None`: the core API of the operation's model). A test ties this list to the spec, so a new
/// operation cannot go unclassified.
const OPERATION_FEATURES: &[(&str, Option<Feature>)] = &[
    ("list_accounts", None),
    ("get_account", None),
    ("list_holdings", None),
    ("list_transactions", None),
    ("initiate_transfer", None),
    ("get_transfer", None),
    ("approve_transfer", None),
    ("reject_transfer", None),
    ("rescind_transfer", None),
    ("initiate_cancellation", None),
    ("get_cancellation", None),
    ("approve_cancellation", None),
    ("rescind_cancellation", None),
    ("reject_cancellation", None),
    ("list_accu_projects", Some(Feature::PublicRegisters)),
    ("get_accu_project", Some(Feature::PublicRegisters)),
    (
        "get_carbon_abatement_contract",
        Some(Feature::PublicRegisters),
    ),
    (
        "get_guarantee_of_origin_project",
        Some(Feature::PublicRegisters),
    ),
    (
        "list_carbon_abatement_contracts",
        Some(Feature::PublicRegisters),
    ),
    (
        "list_guarantee_of_origin_projects",
        Some(Feature::PublicRegisters),
    ),
    ("create_operator_session", Some(Feature::Sandbox)),
    ("create_account_holder", Some(Feature::Sandbox)),
    ("create_account", Some(Feature::Sandbox)),
    ("appoint_representative", Some(Feature::Sandbox)),
    ("issue_units", Some(Feature::Sandbox)),
    ("reset_sandbox", None),
    ("create_platform", Some(Feature::Sandbox)),
    ("create_platform_representative", Some(Feature::Sandbox)),
    ("get_clock", Some(Feature::SandboxClock)),
    ("advance_clock", Some(Feature::SandboxClock)),
    ("issue_token", Some(Feature::OauthClientCredentials)),
    // The authorization server (issue 13) is part of the core contract; registering a
    // representative's own client is a sandbox operation.
    ("get_authorization_server_metadata", None),
    ("authorize", None),
    ("decide_authorization", None),
    ("revoke_token", None),
    ("create_oauth_client", Some(Feature::Sandbox)),
    ("get_platform", None),
    ("grant_consent", None),
    ("list_account_consents", None),
    ("list_consents", None),
    ("get_consent", None),
    ("revoke_consent", None),
    ("appoint_delegate", None),
    ("list_delegations", None),
    ("revoke_delegation", None),
    ("create_reservation", None),
    ("list_reservations", None),
    ("get_reservation", None),
    ("release_reservation", None),
    ("create_escrow", None),
    ("list_escrows", None),
    ("get_escrow", None),
    ("settle_escrow", None),
    ("release_escrow", None),
    ("approve_escrow", None),
    ("reject_escrow", None),
    ("create_association", None),
    ("list_associations", None),
    ("get_association", None),
    ("dissolve_association", None),
    ("create_webhook_subscription", Some(Feature::Webhooks)),
    ("list_webhook_subscriptions", Some(Feature::Webhooks)),
    ("delete_webhook_subscription", Some(Feature::Webhooks)),
    ("list_webhook_deliveries", Some(Feature::Webhooks)),
];

impl fmt::Display for Feature {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Something a check needs from the target.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Requirement {
    /// The target implements this interoperability model.
    Model(Model),
    /// The target offers this optional part of the API.
    Feature(Feature),
}

impl fmt::Display for Requirement {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Requirement::Model(model) => write!(f, "model {model}"),
            Requirement::Feature(feature) => write!(f, "{feature}"),
        }
    }
}

/// What a target declares it implements.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Capabilities {
    /// Interoperability models, e.g. `["A.1", "B.1"]`.
    pub models: BTreeSet<Model>,
    /// Optional parts of the API, e.g. `["public_registers", "webhooks"]`.
    pub features: BTreeSet<Feature>,
}

impl Default for Capabilities {
    /// Everything: every model and every feature (a target with the full sandbox, like the mock).
    fn default() -> Self {
        Self {
            models: Model::ALL.iter().copied().collect(),
            features: Feature::ALL.iter().copied().collect(),
        }
    }
}

impl Capabilities {
    /// Whether the target declares `feature`.
    pub fn has(&self, feature: Feature) -> bool {
        self.features.contains(&feature)
    }

    /// Whether the target declares `requirement`.
    pub fn satisfies(&self, requirement: Requirement) -> bool {
        match requirement {
            Requirement::Model(model) => self.models.contains(&model),
            Requirement::Feature(feature) => self.has(feature),
        }
    }

    /// The requirements of `requirements` the target does not declare, in order.
    pub fn missing(&self, requirements: &[Requirement]) -> Vec<Requirement> {
        requirements
            .iter()
            .copied()
            .filter(|r| !self.satisfies(*r))
            .collect()
    }

    /// The skip message for a check whose `missing` requirements are not declared.
    pub fn skip_reason(missing: &[Requirement]) -> String {
        let names: Vec<String> = missing.iter().map(ToString::to_string).collect();
        format!(
            "the target does not declare {} (capabilities)",
            names.join(", ")
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every spec operation appears exactly once in [`OPERATION_FEATURES`], and nothing else.
    #[test]
    fn operation_features_list_every_spec_operation_once() {
        let spec: serde_json::Value =
            serde_json::from_str(include_str!("../../spec/openapi.json")).expect("spec is JSON");
        let mut in_spec: Vec<&str> = spec["paths"]
            .as_object()
            .expect("paths")
            .values()
            .flat_map(|item| item.as_object().expect("path item").values())
            .filter_map(|op| op.get("operationId").and_then(|id| id.as_str()))
            .collect();
        in_spec.sort_unstable();
        let mut listed: Vec<&str> = OPERATION_FEATURES.iter().map(|(op, _)| *op).collect();
        listed.sort_unstable();
        let mut unique = listed.clone();
        unique.dedup();
        assert_eq!(listed, unique, "an operation is listed twice");
        assert_eq!(
            listed, in_spec,
            "OPERATION_FEATURES must list exactly the spec's operations"
        );
    }

    #[test]
    fn operations_map_to_features() {
        assert_eq!(
            Feature::of_operation("advance_clock"),
            Some(Feature::SandboxClock)
        );
        assert_eq!(
            Feature::of_operation("list_webhook_deliveries"),
            Some(Feature::Webhooks)
        );
        assert_eq!(
            Feature::of_operation("issue_token"),
            Some(Feature::OauthClientCredentials)
        );
        assert_eq!(
            Feature::of_operation("list_accu_projects"),
            Some(Feature::PublicRegisters)
        );
        assert_eq!(Feature::of_operation("issue_units"), Some(Feature::Sandbox));
        assert_eq!(Feature::of_operation("initiate_transfer"), None);
    }

    #[test]
    fn missing_names_what_is_not_declared() {
        let declared = Capabilities {
            models: [Model::A1].into(),
            features: [Feature::PublicRegisters].into(),
        };
        let missing = declared.missing(&[
            Requirement::Model(Model::A1),
            Requirement::Model(Model::B4),
            Requirement::Feature(Feature::Webhooks),
            Requirement::Feature(Feature::PublicRegisters),
        ]);
        assert_eq!(
            missing,
            [
                Requirement::Model(Model::B4),
                Requirement::Feature(Feature::Webhooks)
            ]
        );
        assert_eq!(
            Capabilities::skip_reason(&missing),
            "the target does not declare model B.4, webhooks (capabilities)"
        );
        assert!(Capabilities::default().missing(&missing).is_empty());
    }

    #[test]
    fn names_match_serde() {
        for feature in Feature::ALL {
            assert_eq!(
                serde_json::to_value(feature).unwrap(),
                serde_json::Value::String(feature.name().into())
            );
        }
    }
}
