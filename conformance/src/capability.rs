//! What a target implements: the interoperability models and the optional parts of the API. A
//! check runs only when the target declares everything it [requires](crate::Check::requirements);
//! otherwise it is reported as skipped, naming what is missing.

use std::collections::BTreeSet;
use std::fmt;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::check::Model;

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
        match operation_id {
            "get_clock" | "advance_clock" => Some(Feature::SandboxClock),
            "create_operator_session"
            | "create_account_holder"
            | "create_account"
            | "appoint_representative"
            | "issue_units"
            | "create_platform"
            | "create_platform_representative" => Some(Feature::Sandbox),
            "list_accu_projects"
            | "list_carbon_abatement_contracts"
            | "list_guarantee_of_origin_projects" => Some(Feature::PublicRegisters),
            "issue_token" => Some(Feature::OauthClientCredentials),
            op if op.contains("webhook") => Some(Feature::Webhooks),
            _ => None,
        }
    }
}

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
