//! Fixtures: a JSON description of holders, accounts, representatives (with fixed tokens) and
//! issuances, applied to an empty registry at start-up.
//!
//! ```json
//! {
//!   "operator_tokens": ["operator-secret"],
//!   "holders": [{"holder_id": "AH-000001", "name": "Mallee Carbon Pty Ltd"}],
//!   "accounts": [{"account_id": "AU-1000001", "holder_id": "AH-000001",
//!                 "name": "Mallee Carbon trading account", "kind": "holding"}],
//!   "representatives": [{"representative_id": "AR-000001", "name": "Priya Natarajan", "token": "priya",
//!                        "appointments": [{"account_id": "AU-1000001", "roles": ["initiator"]}]}],
//!   "issuances": [{"account_id": "AU-1000001", "unit_type": "ACCU", "quantity": 1000,
//!                  "project_id": "ERF101234", "vintage": "2023-24",
//!                  "method": "Human-induced regeneration of a permanent even-aged native forest",
//!                  "kyoto_status": "NON_KYOTO", "state": "NSW", "issued_on": "2024-09-12"}],
//!   "platforms": [{"platform_id": "TP-0001", "kind": "trading_platform", "name": "Carbon Exchange",
//!                  "token": "exchange", "client_id": "exchange-client", "client_secret": "exchange-secret"}]
//! }
//! ```
//!
//! Ids are given explicitly so that tests can name them; ids the sandbox creates later continue
//! after the highest fixture id. Issuances are applied in order, so their serials are deterministic.
//! Platforms are registered after the representatives, in order, each with its own account holder
//! (after the fixture's holders); their IDs are assigned as in the sandbox (`TP-0001`, `TR-0001`,
//! …), so list them in that order, and their credentials are the fixed ones given.

use std::path::Path;

use serde::{Deserialize, Serialize};
use ucr_spec::model::{AccountKind, Role};
use ucr_spec::platforms::PlatformKind;
use ucr_spec::problem::Problem;
use ucr_spec::sandbox::{
    IssuanceRequest, NewAccount, NewAccountHolder, NewPlatform, NewRepresentative,
};

use crate::registry::Registry;

/// A start-up world for the mock registry.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Fixture {
    /// Fixed sandbox operator tokens.
    #[serde(default)]
    pub operator_tokens: Vec<String>,
    /// Account holders.
    #[serde(default)]
    pub holders: Vec<FixtureHolder>,
    /// Accounts, each owned by one of `holders`.
    #[serde(default)]
    pub accounts: Vec<FixtureAccount>,
    /// Authorised representatives with their tokens and appointments.
    #[serde(default)]
    pub representatives: Vec<FixtureRepresentative>,
    /// Units issued into `accounts`, in order.
    #[serde(default)]
    pub issuances: Vec<IssuanceRequest>,
    /// Trading platforms and third-party registries with fixed credentials.
    #[serde(default)]
    pub platforms: Vec<FixturePlatform>,
}

/// A trading platform or third-party registry with fixed credentials.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FixturePlatform {
    /// The ID the registry assigns in order (`TP-0001`, `TP-0002`, …; `TR-0001`, …).
    pub platform_id: String,
    /// Trading platform or third-party registry.
    pub kind: PlatformKind,
    /// Organisation name.
    pub name: String,
    /// The bearer token that authenticates as the platform.
    pub token: String,
    /// OAuth 2.0 client ID.
    pub client_id: String,
    /// OAuth 2.0 client secret.
    pub client_secret: String,
}

/// An account holder with a fixed id.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FixtureHolder {
    /// `AH-` and six digits.
    pub holder_id: String,
    /// Legal name.
    pub name: String,
}

/// An account with a fixed number.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FixtureAccount {
    /// `AU-` and seven digits, above `AU-1000000`.
    pub account_id: String,
    /// The owning holder's id.
    pub holder_id: String,
    /// Account name.
    pub name: String,
    /// Holding or custodial.
    #[serde(default = "holding")]
    pub kind: AccountKind,
}

fn holding() -> AccountKind {
    AccountKind::Holding
}

/// A representative with a fixed id and token, appointed to one or more accounts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FixtureRepresentative {
    /// `AR-` and six digits.
    pub representative_id: String,
    /// Full name.
    pub name: String,
    /// The bearer token that authenticates as this representative.
    pub token: String,
    /// Accounts and roles; at least one.
    pub appointments: Vec<FixtureAppointment>,
}

/// Roles on one account.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FixtureAppointment {
    /// The account.
    pub account_id: String,
    /// Roles there; at least one.
    pub roles: Vec<Role>,
}

/// Why a fixture could not be read or applied: which entry, and why.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum FixtureError {
    /// The file could not be read.
    #[error("cannot read fixture {path}: {cause}")]
    Read {
        /// The file.
        path: String,
        /// The I/O error.
        cause: std::io::Error,
    },
    /// The file is not a valid fixture document.
    #[error("fixture {path} is not valid: {cause}")]
    Parse {
        /// The file.
        path: String,
        /// Where and why, from serde.
        cause: serde_json::Error,
    },
    /// An entry was refused by the registry.
    #[error("fixture entry {entry} refused: {reason}")]
    Entry {
        /// The entry, e.g. `accounts[1] (AU-1000002)`.
        entry: String,
        /// Why.
        reason: String,
    },
}

impl Fixture {
    /// Reads a fixture from a JSON file.
    pub fn from_path(path: impl AsRef<Path>) -> Result<Self, FixtureError> {
        let path = path.as_ref();
        let display = path.display().to_string();
        let text = std::fs::read(path).map_err(|cause| FixtureError::Read {
            path: display.clone(),
            cause,
        })?;
        serde_json::from_slice(&text).map_err(|cause| FixtureError::Parse {
            path: display,
            cause,
        })
    }

    /// Parses a fixture from JSON text.
    pub fn from_json(text: &str) -> Result<Self, FixtureError> {
        serde_json::from_str(text).map_err(|cause| FixtureError::Parse {
            path: "(inline)".to_owned(),
            cause,
        })
    }

    /// Applies the fixture to `registry`, entry by entry. Stops at the first refused entry; use a
    /// fresh registry, since entries before it stay applied.
    pub fn apply(&self, registry: &mut Registry) -> Result<(), FixtureError> {
        for (i, token) in self.operator_tokens.iter().enumerate() {
            registry
                .add_operator_token(token)
                .map_err(|reason| FixtureError::Entry {
                    entry: format!("operator_tokens[{i}]"),
                    reason,
                })?;
        }
        for (i, holder) in self.holders.iter().enumerate() {
            registry
                .create_account_holder_with_id(
                    Some(&holder.holder_id),
                    NewAccountHolder {
                        name: holder.name.clone(),
                    },
                )
                .map_err(|p| entry(format!("holders[{i}] ({})", holder.holder_id), p))?;
        }
        for (i, account) in self.accounts.iter().enumerate() {
            let request = NewAccount {
                holder_id: account.holder_id.clone(),
                name: account.name.clone(),
                kind: account.kind,
            };
            registry
                .create_account_with_id(Some(&account.account_id), request)
                .map_err(|p| entry(format!("accounts[{i}] ({})", account.account_id), p))?;
        }
        for (i, representative) in self.representatives.iter().enumerate() {
            let name = format!(
                "representatives[{i}] ({})",
                representative.representative_id
            );
            if representative.appointments.is_empty() {
                return Err(FixtureError::Entry {
                    entry: name,
                    reason: "give at least one appointment".to_owned(),
                });
            }
            for (j, appointment) in representative.appointments.iter().enumerate() {
                let first = j == 0;
                let request = NewRepresentative {
                    name: representative.name.clone(),
                    roles: appointment.roles.clone(),
                    representative_id: (!first).then(|| representative.representative_id.clone()),
                };
                let fixed = first.then_some((
                    representative.representative_id.as_str(),
                    representative.token.as_str(),
                ));
                registry
                    .appoint_representative_with(&appointment.account_id, request, fixed)
                    .map_err(|p| {
                        entry(
                            format!("{name}.appointments[{j}] ({})", appointment.account_id),
                            p,
                        )
                    })?;
            }
        }
        for (i, platform) in self.platforms.iter().enumerate() {
            let name = format!("platforms[{i}] ({})", platform.platform_id);
            let credential = registry
                .create_platform(NewPlatform {
                    kind: platform.kind,
                    name: platform.name.clone(),
                    redirect_uris: Vec::new(),
                })
                .map_err(|p| entry(name.clone(), p))?;
            if credential.platform.platform_id != platform.platform_id {
                return Err(FixtureError::Entry {
                    entry: name,
                    reason: format!(
                        "the registry assigns {} here: list platforms in ID order",
                        credential.platform.platform_id
                    ),
                });
            }
            registry
                .set_platform_credentials(
                    &platform.platform_id,
                    &platform.token,
                    &platform.client_id,
                    &platform.client_secret,
                )
                .map_err(|reason| FixtureError::Entry {
                    entry: name,
                    reason,
                })?;
        }
        for (i, issuance) in self.issuances.iter().enumerate() {
            registry
                .issue_units(issuance.clone())
                .map_err(|p| entry(format!("issuances[{i}] ({})", issuance.account_id), p))?;
        }
        Ok(())
    }
}

fn entry(entry: String, problem: Problem) -> FixtureError {
    FixtureError::Entry {
        entry,
        reason: problem.detail.unwrap_or(problem.title),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::registry::Principal;

    const EXAMPLE: &str = r#"{
      "operator_tokens": ["op"],
      "holders": [{"holder_id": "AH-000007", "name": "Mallee Carbon Pty Ltd"}],
      "accounts": [{"account_id": "AU-1000010", "holder_id": "AH-000007", "name": "Trading", "kind": "holding"},
                   {"account_id": "AU-1000011", "holder_id": "AH-000007", "name": "Offsets"}],
      "representatives": [{"representative_id": "AR-000003", "name": "Priya Natarajan", "token": "priya",
                           "appointments": [{"account_id": "AU-1000010", "roles": ["initiator"]},
                                            {"account_id": "AU-1000011", "roles": ["initiator", "approver"]}]}],
      "issuances": [{"account_id": "AU-1000010", "unit_type": "ACCU", "quantity": 1000, "project_id": "ERF101234",
                     "vintage": "2023-24", "method": "Landfill gas", "state": "NSW", "issued_on": "2024-09-12"}]
    }"#;

    #[test]
    fn example_applies_and_sandbox_ids_continue_after_it() {
        let fixture = Fixture::from_json(EXAMPLE).unwrap();
        let mut registry = Registry::new();
        fixture.apply(&mut registry).unwrap();
        let priya = registry.authenticate("priya").unwrap();
        assert_eq!(priya, Principal::Representative("AR-000003".into()));
        assert_eq!(registry.accounts(&priya).len(), 2);
        assert!(registry.authenticate("op").unwrap().is_operator());
        let holder = registry
            .create_account_holder(NewAccountHolder {
                name: "Next".into(),
            })
            .unwrap();
        assert_eq!(holder.holder_id, "AH-000008");
        let account = registry
            .create_account(NewAccount {
                holder_id: "AH-000007".into(),
                name: "Next".into(),
                kind: AccountKind::Holding,
            })
            .unwrap();
        assert_eq!(account.account_id, "AU-1000012");
        registry.check_invariants().unwrap();
    }

    #[test]
    fn platforms_get_fixed_credentials() {
        let mut fixture = Fixture::from_json(EXAMPLE).unwrap();
        fixture.platforms = vec![
            FixturePlatform {
                platform_id: "TP-0001".into(),
                kind: PlatformKind::TradingPlatform,
                name: "Carbon Exchange".into(),
                token: "exchange".into(),
                client_id: "exchange-client".into(),
                client_secret: "exchange-secret".into(),
            },
            FixturePlatform {
                platform_id: "TR-0001".into(),
                kind: PlatformKind::ThirdPartyRegistry,
                name: "Green Registry".into(),
                token: "registry".into(),
                client_id: "registry-client".into(),
                client_secret: "registry-secret".into(),
            },
        ];
        let mut registry = Registry::new();
        fixture.apply(&mut registry).unwrap();
        assert_eq!(
            registry.authenticate("exchange").unwrap(),
            Principal::Platform("TP-0001".into())
        );
        assert_eq!(
            registry.authenticate("registry").unwrap(),
            Principal::Platform("TR-0001".into())
        );
        registry.check_invariants().unwrap();

        let mut out_of_order = Fixture::from_json(EXAMPLE).unwrap();
        out_of_order.platforms = vec![FixturePlatform {
            platform_id: "TP-0002".into(),
            ..fixture.platforms[0].clone()
        }];
        let error = out_of_order
            .apply(&mut Registry::new())
            .unwrap_err()
            .to_string();
        assert!(
            error.contains("platforms[0] (TP-0002)") && error.contains("TP-0001"),
            "{error}"
        );
    }

    #[test]
    fn errors_name_the_entry() {
        let mut fixture = Fixture::from_json(EXAMPLE).unwrap();
        fixture.accounts[1].holder_id = "AH-000099".into();
        let error = fixture.apply(&mut Registry::new()).unwrap_err().to_string();
        assert!(error.contains("accounts[1] (AU-1000011)"), "{error}");
        assert!(error.contains("AH-000099"), "{error}");
        let error = Fixture::from_json(r#"{"holders": [{"name": "x"}]}"#)
            .unwrap_err()
            .to_string();
        assert!(error.contains("holder_id"), "{error}");
    }
}
