//! Conformance profiles (`--profile`): a capability set a target claims in full, naming the checks
//! it requires. Under a profile a required check that is skipped (undeclared capability, or a
//! target that offered nothing to verify) fails the run instead of passing silently.

use std::fmt;
use std::str::FromStr;

use crate::capability::{Capabilities, Feature};
use crate::check::Check;
use crate::model::Model;
use crate::report::{CheckStatus, Report, Summary};

/// A capability set claimed in full.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Profile {
    /// What the profile was called on the command line (`full`, `A.1,webhooks`, ...).
    pub name: String,
    /// The capabilities whose checks are required.
    pub capabilities: Capabilities,
}

/// A `--profile` that names no model or feature.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "{0:?} is neither `full` nor a model (A.1, B.1, ... C.1, AS) nor a feature (sandbox, sandbox_clock, \
     public_registers, oauth_client_credentials, webhooks)"
)]
pub struct ProfileError(String);

impl FromStr for Profile {
    type Err = ProfileError;

    /// `full` (every model and feature) or a comma-separated list of models and features, e.g.
    /// `A.1` or `A.1,B.4,webhooks`.
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let name = text.trim().to_owned();
        if name.eq_ignore_ascii_case("full") {
            return Ok(Self {
                name,
                capabilities: Capabilities::default(),
            });
        }
        let mut capabilities = Capabilities {
            models: Default::default(),
            features: Default::default(),
        };
        for part in name.split(',').map(str::trim) {
            if let Some(model) = Model::ALL
                .iter()
                .find(|m| m.to_string().eq_ignore_ascii_case(part) || m.code() == part)
            {
                capabilities.models.insert(*model);
            } else if let Some(feature) = Feature::ALL.iter().find(|f| f.name() == part) {
                capabilities.features.insert(*feature);
            } else {
                return Err(ProfileError(part.to_owned()));
            }
        }
        if capabilities.models.is_empty() {
            return Err(ProfileError(name));
        }
        Ok(Self { name, capabilities })
    }
}

impl fmt::Display for Profile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.name)
    }
}

impl Profile {
    /// Whether the profile requires `check`: the profile's capabilities cover everything it needs.
    pub fn requires(&self, check: &Check) -> bool {
        self.capabilities.missing(&check.requirements()).is_empty()
    }

    /// Fails every skipped check of `report` that the profile requires (looked up in `checks`),
    /// saying what the target lacked, and recounts the summary.
    pub fn apply(&self, report: &mut Report, checks: &[Check]) {
        for entry in &mut report.checks {
            if entry.status != CheckStatus::Skipped {
                continue;
            }
            let Some(check) = checks.iter().find(|c| c.id == entry.id) else {
                continue;
            };
            if !self.requires(check) {
                continue;
            }
            entry.status = CheckStatus::Failed;
            entry.message = Some(format!(
                "required by profile {}, but skipped: the target lacked what it needs: {}",
                self.name,
                entry.message.as_deref().unwrap_or("no reason given")
            ));
        }
        report.summary = Summary::of(&report.checks);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn profiles_parse_models_and_features() {
        let full: Profile = "full".parse().expect("full");
        assert_eq!(full.capabilities, Capabilities::default());
        let a1: Profile = "A.1,webhooks".parse().expect("A.1,webhooks");
        assert_eq!(a1.capabilities.models, [Model::A1].into());
        assert_eq!(a1.capabilities.features, [Feature::Webhooks].into());
        assert!(
            "webhooks".parse::<Profile>().is_err(),
            "a profile needs a model"
        );
        assert!("A.9".parse::<Profile>().is_err());
    }

    #[test]
    fn a_model_profile_requires_exactly_the_checks_its_capabilities_cover() {
        let checks = crate::checks::registry();
        let a1: Profile = "A.1".parse().expect("A.1");
        let required: Vec<&Check> = checks.iter().filter(|c| a1.requires(c)).collect();
        assert!(!required.is_empty(), "A.1 requires some checks");
        assert!(required.iter().all(|c| c.model == Model::A1));
        let full: Profile = "full".parse().expect("full");
        assert!(checks.iter().all(|c| full.requires(c)));
    }
}
