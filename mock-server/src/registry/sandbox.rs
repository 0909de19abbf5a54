//! The sandbox set-up operations: account holders, accounts, representatives, issuing units (the
//! only way units are created) and resetting the registry.

use std::collections::BTreeMap;
use std::collections::BTreeSet;
use std::sync::Arc;

use ucr_spec::ProblemType;
use ucr_spec::model::{
    Account, AccountHolder, AccountStatus, BlockStatus, Role, SerialRange, TransactionKind,
    UnitBlock,
};
use ucr_spec::problem::Problem;
use ucr_spec::sandbox::{
    IssuanceRequest, NewAccount, NewAccountHolder, NewRepresentative, RepresentativeCredential,
    SandboxReset,
};
use uuid::Uuid;

use super::Registry;
use super::history::History;
use super::holdings::{Holdings, TextCache, UnitAttributes};
use super::principal::Principal;
use super::records::{AccountRecord, IdCounters, Issuance, RepresentativeRecord, ids};
use super::transaction_id::TransactionId;
use super::validate::{check_text, check_unit_type, check_vintage, validation_failed};
use crate::faults::Fault;

/// Australian states and territories, the accepted `state` codes.
pub const STATES: &[&str] = &["NSW", "VIC", "QLD", "WA", "SA", "TAS", "NT", "ACT"];

/// Largest quantity one issuance may create.
pub const MAX_ISSUANCE: u64 = 1_000_000_000;

/// First serial issued for each unit type; other types start at 1.
const FIRST_SERIALS: &[(&str, u64)] = &[("ACCU", 3_000_001), ("SMC", 9_000_001)];

impl Registry {
    /// Creates an account holder (`AH-000001`, ...).
    pub fn create_account_holder(
        &mut self,
        request: NewAccountHolder,
    ) -> Result<AccountHolder, Problem> {
        self.create_account_holder_with_id(None, request)
    }

    pub(crate) fn create_account_holder_with_id(
        &mut self,
        holder_id: Option<&str>,
        request: NewAccountHolder,
    ) -> Result<AccountHolder, Problem> {
        check_text("/name", &request.name, 200)?;
        let holder_id = match holder_id {
            None => format!("{}{:06}", ids::HOLDER, self.ids.holder + 1),
            Some(id) => {
                let Some(number) = ids::number(id, ids::HOLDER, 6).filter(|n| *n > 0) else {
                    return Err(validation_failed(
                        "/holder_id",
                        format!("{id:?} is not of the form AH-000001"),
                    ));
                };
                if self.holders.contains_key(id) {
                    return Err(validation_failed(
                        "/holder_id",
                        format!("holder {id} already exists"),
                    ));
                }
                self.ids.holder = self.ids.holder.max(number - 1);
                id.to_owned()
            }
        };
        self.ids.holder += 1;
        self.holders.insert(holder_id.clone(), request.name.clone());
        Ok(AccountHolder {
            holder_id,
            name: request.name,
        })
    }

    /// Opens an account (`AU-1000001`, ...) for an existing holder.
    pub fn create_account(&mut self, request: NewAccount) -> Result<Account, Problem> {
        self.create_account_with_id(None, request)
    }

    pub(crate) fn create_account_with_id(
        &mut self,
        account_id: Option<&str>,
        request: NewAccount,
    ) -> Result<Account, Problem> {
        check_text("/name", &request.name, 200)?;
        if !self.holders.contains_key(&request.holder_id) {
            return Err(validation_failed(
                "/holder_id",
                format!(
                    "there is no account holder {}; create one with POST /v1/sandbox/account-holders",
                    request.holder_id
                ),
            ));
        }
        let account_id = match account_id {
            None => format!(
                "{}{}",
                ids::ACCOUNT,
                ids::ACCOUNT_BASE + self.ids.account + 1
            ),
            Some(id) => {
                let number = ids::number(id, ids::ACCOUNT, 7).filter(|n| *n > ids::ACCOUNT_BASE);
                let Some(number) = number else {
                    return Err(validation_failed(
                        "/account_id",
                        format!("{id:?} is not of the form AU-1000001"),
                    ));
                };
                if self.accounts.contains_key(id) {
                    return Err(validation_failed(
                        "/account_id",
                        format!("account {id} already exists"),
                    ));
                }
                self.ids.account = self.ids.account.max(number - ids::ACCOUNT_BASE - 1);
                id.to_owned()
            }
        };
        self.ids.account += 1;
        let record = AccountRecord {
            account_id: account_id.clone(),
            name: request.name,
            kind: request.kind,
            status: AccountStatus::Open,
            holder_id: request.holder_id,
            opened_at: self.now(),
            appointments: BTreeMap::new(),
            holdings: Holdings::new(self.faults),
            history: History::default(),
        };
        let view = self.account_view(&record);
        self.accounts.insert(account_id, record);
        Ok(view)
    }

    /// Appoints a new or existing representative to an account with the given roles.
    ///
    /// An existing representative (by `representative_id`) keeps its token; appointing it again to
    /// the same account replaces its roles there. Unknown account → `404 not-found`.
    pub fn appoint_representative(
        &mut self,
        account_id: &str,
        request: NewRepresentative,
    ) -> Result<RepresentativeCredential, Problem> {
        self.appoint_representative_with(account_id, request, None)
    }

    /// As [`Registry::appoint_representative`], with a fixed id and token for a new representative.
    pub(crate) fn appoint_representative_with(
        &mut self,
        account_id: &str,
        request: NewRepresentative,
        fixed: Option<(&str, &str)>,
    ) -> Result<RepresentativeCredential, Problem> {
        if !self.accounts.contains_key(account_id) {
            return Err(ProblemType::NotFound.problem(format!(
                "there is no account {account_id}; open one with POST /v1/sandbox/accounts"
            )));
        }
        if request.roles.is_empty() {
            return Err(validation_failed(
                "/roles",
                "give at least one role: initiator, approver or both",
            ));
        }
        let roles: BTreeSet<Role> = request.roles.iter().copied().collect();
        let (representative_id, name, token) = match (&request.representative_id, fixed) {
            (Some(id), _) => {
                let Some(existing) = self.representatives.get(id) else {
                    return Err(validation_failed(
                        "/representative_id",
                        format!(
                            "there is no representative {id}; omit representative_id to create a new one"
                        ),
                    ));
                };
                if let Some(platform_id) = &existing.platform_id {
                    let platform_holder = self
                        .platforms
                        .get(platform_id)
                        .map(|p| &p.platform.holder_id);
                    let account_holder = self.accounts.get(account_id).map(|a| &a.holder_id);
                    if platform_holder != account_holder {
                        return Err(validation_failed(
                            "/representative_id",
                            format!(
                                "{id} represents platform {platform_id}; appoint it only to that platform's own \
                                 accounts, and to holders' accounts by delegation"
                            ),
                        ));
                    }
                }
                if self.is_delegate(account_id, id) {
                    return Err(validation_failed(
                        "/representative_id",
                        format!(
                            "{id} is a delegate on account {account_id}; revoke the delegation first"
                        ),
                    ));
                }
                (id.clone(), existing.name.clone(), existing.token.clone())
            }
            (None, fixed) => {
                check_text("/name", &request.name, 200)?;
                let (id, token) = match fixed {
                    Some((id, token)) => {
                        let Some(number) =
                            ids::number(id, ids::REPRESENTATIVE, 6).filter(|n| *n > 0)
                        else {
                            return Err(validation_failed(
                                "/representative_id",
                                format!("{id:?} is not of the form AR-000001"),
                            ));
                        };
                        if self.representatives.contains_key(id) {
                            return Err(validation_failed(
                                "/representative_id",
                                format!("{id} already exists"),
                            ));
                        }
                        if token.is_empty() || self.tokens.contains_key(token) {
                            return Err(validation_failed(
                                "/token",
                                "tokens must be non-empty and unique",
                            ));
                        }
                        self.ids.representative = self.ids.representative.max(number - 1);
                        (id.to_owned(), token.to_owned())
                    }
                    None => (
                        format!("{}{:06}", ids::REPRESENTATIVE, self.ids.representative + 1),
                        format!("ucr_ar_{}", Uuid::new_v4().simple()),
                    ),
                };
                self.ids.representative += 1;
                self.representatives.insert(
                    id.clone(),
                    RepresentativeRecord {
                        name: request.name.clone(),
                        token: token.clone(),
                        platform_id: None,
                    },
                );
                self.tokens
                    .insert(token.clone(), Principal::Representative(id.clone()));
                (id, request.name.clone(), token)
            }
        };
        if let Some(account) = self.accounts.get_mut(account_id) {
            account
                .appointments
                .insert(representative_id.clone(), roles.clone());
        }
        Ok(RepresentativeCredential {
            representative_id,
            account_id: account_id.to_owned(),
            name,
            roles: roles.into_iter().collect(),
            token,
        })
    }

    /// The attributes of the request's unit type, present and well-formed, and none of another's
    /// (`REQ-UNITS-013`): ACCUs come from a project under a method, SMCs from a Safeguard facility.
    fn check_unit_attributes(&self, request: &IssuanceRequest) -> Result<(), Problem> {
        let accu = request.unit_type == "ACCU";
        let required: [(&str, Option<&str>, usize); 2] = if accu {
            [
                ("/project_id", request.project_id.as_deref(), 50),
                ("/method", request.method.as_deref(), 200),
            ]
        } else {
            [
                ("/facility_id", request.facility_id.as_deref(), 50),
                ("/facility_name", request.facility_name.as_deref(), 200),
            ]
        };
        for (pointer, value, max) in required {
            check_text(pointer, value.unwrap_or_default(), max)?;
        }
        if !accu
            && !request
                .issuance_year
                .is_some_and(|y| (2023..=2100).contains(&y))
        {
            return Err(validation_failed(
                "/issuance_year",
                "SMCs need the year they are issued in, 2023 to 2100",
            ));
        }
        // FAULT(unit-attributes-unchecked): another unit type's attributes are accepted and kept.
        if self.fault(Fault::UnitAttributesUnchecked) {
            return Ok(());
        }
        let foreign: &[(&str, bool)] = if accu {
            &[
                ("/facility_id", request.facility_id.is_some()),
                ("/facility_name", request.facility_name.is_some()),
                ("/issuance_year", request.issuance_year.is_some()),
            ]
        } else {
            &[
                ("/project_id", request.project_id.is_some()),
                ("/method", request.method.is_some()),
            ]
        };
        if let Some((pointer, _)) = foreign.iter().find(|(_, present)| *present) {
            return Err(validation_failed(
                pointer,
                format!(
                    "{} units do not carry {}: ACCUs carry project_id and method, SMCs facility_id, facility_name and issuance_year",
                    request.unit_type,
                    &pointer[1..]
                ),
            ));
        }
        Ok(())
    }

    /// Issues new units into an account: the only way units are created.
    ///
    /// Serials come from the unit type's counter, so issued ranges never overlap.
    pub fn issue_units(&mut self, request: IssuanceRequest) -> Result<UnitBlock, Problem> {
        self.expire_due();
        check_unit_type(&request.unit_type)?;
        if request.quantity == 0 || request.quantity > MAX_ISSUANCE {
            return Err(validation_failed(
                "/quantity",
                format!("issue between 1 and {MAX_ISSUANCE} units"),
            ));
        }
        self.check_unit_attributes(&request)?;
        check_vintage(&request.vintage)?;
        if !STATES.contains(&request.state.as_str()) {
            return Err(validation_failed(
                "/state",
                format!("use one of {}", STATES.join(", ")),
            ));
        }
        if request.kyoto_status.is_some() && request.unit_type != "ACCU" {
            return Err(validation_failed(
                "/kyoto_status",
                "kyoto_status applies to ACCUs only; omit it",
            ));
        }
        let Some(account) = self.accounts.get(&request.account_id) else {
            return Err(ProblemType::UnknownAccount.problem(format!(
                "there is no account {}; open one with POST /v1/sandbox/accounts",
                request.account_id
            )));
        };
        if account.status != AccountStatus::Open {
            return Err(validation_failed(
                "/account_id",
                format!("account {} is closed", request.account_id),
            ));
        }
        let first = self.next_serial(&request.unit_type);
        let Some(last) = first
            .checked_add(request.quantity - 1)
            .filter(|last| last.checked_add(1).is_some())
        else {
            return Err(validation_failed(
                "/quantity",
                format!("{} serials are exhausted", request.unit_type),
            ));
        };
        let issued_total = self.issued.get(&request.unit_type).copied().unwrap_or(0);
        let Some(issued_total) = issued_total.checked_add(request.quantity) else {
            return Err(validation_failed(
                "/quantity",
                "that would overflow the unit type's total",
            ));
        };

        let now = self.now();
        self.ids.issuance += 1;
        let reference = TransactionId::new(TransactionKind::Issuance, self.ids.issuance);
        let issuance_id = reference.to_string();
        let range = SerialRange {
            serial_start: first,
            serial_end: last,
        };
        let attributes = Arc::new(UnitAttributes {
            issuance_id: issuance_id.clone(),
            project_id: request.project_id,
            vintage: request.vintage,
            method: request.method,
            facility_id: request.facility_id,
            facility_name: request.facility_name,
            issuance_year: request.issuance_year.and_then(|y| u16::try_from(y).ok()),
            kyoto_status: request.kyoto_status,
            state: request.state,
            issued_on: request.issued_on.unwrap_or_else(|| now.date_naive()),
            json: TextCache::default(),
        });
        self.next_serial.insert(request.unit_type.clone(), last + 1);
        self.issued.insert(request.unit_type.clone(), issued_total);
        let block = UnitBlock {
            block_id: format!("{}-{}", request.unit_type, first),
            unit_type: request.unit_type.clone(),
            serial_start: first,
            serial_end: last,
            quantity: request.quantity,
            status: BlockStatus::Available,
            project_id: attributes.project_id.clone(),
            vintage: attributes.vintage.clone(),
            method: attributes.method.clone(),
            facility_id: attributes.facility_id.clone(),
            facility_name: attributes.facility_name.clone(),
            issuance_year: attributes.issuance_year,
            kyoto_status: attributes.kyoto_status,
            state: attributes.state.clone(),
            issued_on: attributes.issued_on,
            transaction_id: None,
        };
        if let Some(account) = self.accounts.get_mut(&request.account_id) {
            account
                .holdings
                .receive(&request.unit_type, range, attributes);
            account.history.record(now, reference);
        }
        // Numbered in order from 1, so issuance n is at n - 1.
        self.issuances.push(Issuance {
            account_id: request.account_id,
            unit_type: request.unit_type,
            range,
            project_id: block.project_id.clone(),
            vintage: block.vintage.clone(),
            created_at: now,
        });
        Ok(block)
    }

    /// Removes every holder, account, representative, transaction, platform, consent,
    /// delegation, reservation, escrow, association, webhook subscription and delivery, and every
    /// idempotency record.
    ///
    /// Operator sessions and the clock offset are kept; serials start again from the beginning.
    /// Deliveries still being attempted are abandoned.
    pub fn reset(&mut self) -> SandboxReset {
        let summary = SandboxReset {
            accounts_removed: self.accounts.len() as u64,
            transactions_removed: (self.issuances.len()
                + self.transfers.len()
                + self.cancellations.len()) as u64,
        };
        self.tokens.retain(|_, principal| principal.is_operator());
        let operator = self.ids.operator;
        *self = Registry {
            clock_offset: self.clock_offset,
            tokens: std::mem::take(&mut self.tokens),
            ids: IdCounters {
                operator,
                ..IdCounters::default()
            },
            webhook_sink: self.webhook_sink.take(),
            epoch: self.epoch + 1,
            faults: self.faults,
            ..Registry::new()
        };
        summary
    }

    pub(super) fn next_serial(&self, unit_type: &str) -> u64 {
        self.next_serial.get(unit_type).copied().unwrap_or_else(|| {
            FIRST_SERIALS
                .iter()
                .find(|(t, _)| *t == unit_type)
                .map_or(1, |(_, first)| *first)
        })
    }
}
