//! Associations of third-party certificates with units (C.1): 1:1 both ways while live, and their
//! status following the unit.

use chrono::{DateTime, Utc};
use ucr_spec::ProblemType;
use ucr_spec::associations::{Association, AssociationRequest, AssociationStatus};
use ucr_spec::model::{BlockStatus, SerialRange};
use ucr_spec::platforms::{ConsentScope, PlatformKind};
use ucr_spec::problem::Problem;
use ucr_spec::webhooks::{EventData, EventType};

use super::Registry;
use super::platforms::not_visible;
use super::principal::Principal;
use super::validate::{check_text, check_unit_type, wire_name};
use crate::faults::Fault;

/// Longest certificate ID.
const MAX_CERTIFICATE_ID: usize = 100;

/// Filters of the association list.
#[derive(Debug, Clone, Copy, Default)]
pub struct AssociationFilter<'a> {
    /// Only associations on this account.
    pub account_id: Option<&'a str>,
    /// Only associations with this status.
    pub status: Option<AssociationStatus>,
    /// Only the association of this certificate.
    pub certificate_id: Option<&'a str>,
}

impl Registry {
    /// Associates a certificate of the calling third-party registry with one unit of an account
    /// on which it holds an active `association` consent.
    pub fn create_association(
        &mut self,
        who: &Principal,
        request: AssociationRequest,
    ) -> Result<Association, Problem> {
        self.expire_due();
        let Some(registry_id) = who.platform_id() else {
            // Access matrix (docs/design-decisions.md, "Access: 404 or 403"): an account the caller cannot
            // see answers 404 first, exactly like an absent one; only its own representatives
            // learn that registries alone associate.
            self.visible_account(who, &request.account_id)?;
            return Err(ProblemType::Forbidden.problem(
                "only third-party registries associate certificates with units; authenticate with the registry's \
                 token",
            ));
        };
        // REQ-ACCESS-006, REQ-SCOPE-011: `association` can never be granted to a trading platform,
        // so no consent could open this request for one: `403 forbidden` on an account it can see.
        if self.platform_kind(registry_id) == Some(PlatformKind::TradingPlatform) {
            if !self.accounts.contains_key(&request.account_id)
                || !self.ever_consented(registry_id, &request.account_id)
            {
                return Err(not_visible(&request.account_id));
            }
            return Err(ProblemType::Forbidden.problem(
                "only third-party registries associate certificates with units; a trading platform can never be \
                 granted the association scope",
            ));
        }
        self.require_consent(
            registry_id,
            &request.account_id,
            &[ConsentScope::Association],
            "associate certificates with units of",
        )?;
        check_unit_type(&request.unit_type)?;
        check_text(
            "/certificate_id",
            &request.certificate_id,
            MAX_CERTIFICATE_ID,
        )?;
        // REQ-SCOPE-019: only serials the registry's association consents select; refused
        // before anything tells whether the account holds the serial.
        let serial = SerialRange {
            serial_start: request.serial,
            serial_end: request.serial,
        };
        let lens = self.lens(
            registry_id,
            &request.account_id,
            &[ConsentScope::Association],
        );
        // FAULT(association-outside-subset-accepted): the subsets are not looked at.
        if !self.fault(Fault::AssociationOutsideSubsetAccepted)
            && !lens.is_empty()
            && self
                .selected_units(&lens, &request.unit_type, &[serial])
                .is_empty()
        {
            return Err(ProblemType::ConsentRequired.problem(format!(
                "{} serial {} is outside the set of holdings your association consents on account {} name; \
                 ask the account holder for a consent that covers it",
                request.unit_type, request.serial, request.account_id
            )));
        }
        let held = self
            .accounts
            .get(&request.account_id)
            .and_then(|a| a.holdings.status_of(&request.unit_type, request.serial));
        // REQ-ASSOCIATION-002: a serial not held is `units-not-held`; a cancelled one is held but
        // locked for good, `units-locked`.
        match held {
            None => {
                return Err(ProblemType::UnitsNotHeld.problem(format!(
                    "account {} does not hold {} serial {}; associate a unit the account holds",
                    request.account_id, request.unit_type, request.serial
                )));
            }
            Some(BlockStatus::Cancelled) => {
                return Err(ProblemType::UnitsLocked.problem(format!(
                    "{} serial {} of account {} is cancelled; a cancelled unit cannot back a certificate",
                    request.unit_type, request.serial, request.account_id
                )));
            }
            Some(_) => {}
        }
        let unit = (request.unit_type.clone(), request.serial);
        // FAULT(association-not-one-to-one): the unit's live association is not looked up.
        if let Some(existing) = self
            .live_by_serial
            .get(&unit)
            .filter(|_| !self.fault(Fault::AssociationNotOneToOne))
        {
            return Err(ProblemType::AssociationConflict.problem(format!(
                "{} serial {} already has a live association ({existing}); a unit backs one certificate",
                request.unit_type, request.serial
            )));
        }
        let certificate = (registry_id.to_owned(), request.certificate_id.clone());
        if let Some(existing) = self.live_by_certificate.get(&certificate) {
            return Err(ProblemType::AssociationConflict.problem(format!(
                "certificate {} already has a live association ({existing}); a certificate is backed by one unit",
                request.certificate_id
            )));
        }

        let now = self.now();
        self.ids.association += 1;
        let association_id = format!("ASN-{:06}", self.ids.association);
        let association = Association {
            association_id: association_id.clone(),
            registry_id: registry_id.to_owned(),
            certificate_id: request.certificate_id,
            account_id: request.account_id,
            unit_type: request.unit_type,
            serial: request.serial,
            status: AssociationStatus::Active,
            created_at: now,
            updated_at: now,
        };
        self.live_by_serial.insert(unit, association_id.clone());
        self.live_by_certificate
            .insert(certificate, association_id.clone());
        self.associations
            .insert(association_id, association.clone());
        Ok(association)
    }

    /// The associations `who` may see: a registry's own, or those on a representative's accounts.
    pub fn associations(
        &mut self,
        who: &Principal,
        filter: AssociationFilter<'_>,
    ) -> Vec<Association> {
        self.expire_due();
        // FAULT(association-list-leaks): the visibility filter is left out of the list.
        let everything = self.fault(Fault::AssociationListLeaks);
        self.associations
            .values()
            .filter(|a| everything || self.association_is_visible(who, a))
            .filter(|a| filter.account_id.is_none_or(|id| id == a.account_id))
            .filter(|a| filter.status.is_none_or(|s| s == a.status))
            .filter(|a| filter.certificate_id.is_none_or(|c| c == a.certificate_id))
            .cloned()
            .collect()
    }

    /// One association (verification): its registry or a representative of its account.
    pub fn association(
        &mut self,
        who: &Principal,
        association_id: &str,
    ) -> Result<Association, Problem> {
        self.expire_due();
        self.visible_association(who, association_id).cloned()
    }

    /// Dissolves a live association (the registry that made it).
    pub fn dissolve_association(
        &mut self,
        who: &Principal,
        association_id: &str,
    ) -> Result<Association, Problem> {
        self.expire_due();
        let association = self.visible_association(who, association_id)?;
        if who.platform_id() != Some(association.registry_id.as_str()) {
            return Err(ProblemType::Forbidden.problem(format!(
                "only registry {} may dissolve {association_id}",
                association.registry_id
            )));
        }
        if !is_live(association.status) {
            return Err(ProblemType::InvalidState.problem(format!(
                "{association_id} is {}; only an active or cancelled association can be dissolved",
                wire_name(&association.status)
            )));
        }
        let now = self.now();
        self.change_association(association_id, AssociationStatus::Dissolved, now)
            .ok_or_else(|| association_not_found(association_id))
    }

    /// Units of `ranges` left `account_id` by a completed transfer: their active associations
    /// become `transferred`.
    pub(super) fn units_left(
        &mut self,
        account_id: &str,
        unit_type: &str,
        ranges: &[SerialRange],
        at: DateTime<Utc>,
    ) {
        if self.fault(Fault::AssociationSurvivesTransfer) {
            // FAULT(association-survives-transfer): transfers do not touch associations.
            return;
        }
        for id in self.live_in(account_id, unit_type, ranges, AssociationStatus::Active) {
            self.change_association(&id, AssociationStatus::Transferred, at);
        }
    }

    /// Units of `ranges` were cancelled in `account_id`: their active associations become
    /// `cancelled` (and stay live).
    pub(super) fn units_cancelled(
        &mut self,
        account_id: &str,
        unit_type: &str,
        ranges: &[SerialRange],
        at: DateTime<Utc>,
    ) {
        if self.fault(Fault::AssociationSurvivesCancellation) {
            // FAULT(association-survives-cancellation): cancellations do not touch associations.
            return;
        }
        for id in self.live_in(account_id, unit_type, ranges, AssociationStatus::Active) {
            self.change_association(&id, AssociationStatus::Cancelled, at);
        }
    }

    /// Whether `(unit_type, serial)` and `(registry, certificate)` each have at most one live
    /// association, the indexes agree with the records, and every live association's unit is
    /// where its status says.
    pub(super) fn check_associations(&self) -> Result<(), String> {
        let live: Vec<&Association> = self
            .associations
            .values()
            .filter(|a| is_live(a.status))
            .collect();
        if live.len() != self.live_by_serial.len() || live.len() != self.live_by_certificate.len() {
            return Err(format!(
                "{} live associations but {} units and {} certificates indexed: not 1:1",
                live.len(),
                self.live_by_serial.len(),
                self.live_by_certificate.len()
            ));
        }
        for association in live {
            let id = &association.association_id;
            let unit = (association.unit_type.clone(), association.serial);
            let certificate = (
                association.registry_id.clone(),
                association.certificate_id.clone(),
            );
            if self.live_by_serial.get(&unit) != Some(id)
                || self.live_by_certificate.get(&certificate) != Some(id)
            {
                return Err(format!(
                    "{id} is live but not indexed as the one of its unit and certificate"
                ));
            }
            let status = self.accounts.get(&association.account_id).and_then(|a| {
                a.holdings
                    .status_of(&association.unit_type, association.serial)
            });
            let consistent = match association.status {
                AssociationStatus::Active => status.is_some_and(|s| s != BlockStatus::Cancelled),
                _ => status == Some(BlockStatus::Cancelled),
            };
            if !consistent {
                return Err(format!(
                    "{id} is {:?} but {} serial {} is {status:?} in {}",
                    association.status,
                    association.unit_type,
                    association.serial,
                    association.account_id
                ));
            }
        }
        Ok(())
    }

    /// IDs of the live associations with `status` on units of `ranges` in `account_id`.
    fn live_in(
        &self,
        account_id: &str,
        unit_type: &str,
        ranges: &[SerialRange],
        status: AssociationStatus,
    ) -> Vec<String> {
        ranges
            .iter()
            .flat_map(|range| {
                self.live_by_serial.range(
                    (unit_type.to_owned(), range.serial_start)
                        ..=(unit_type.to_owned(), range.serial_end),
                )
            })
            .map(|(_, id)| id)
            .filter(|id| {
                self.associations
                    .get(*id)
                    .is_some_and(|a| a.account_id == account_id && a.status == status)
            })
            .cloned()
            .collect()
    }

    /// Sets an association's status, unindexes it when it stops being live, and tells its registry.
    fn change_association(
        &mut self,
        association_id: &str,
        status: AssociationStatus,
        at: DateTime<Utc>,
    ) -> Option<Association> {
        let association = self.associations.get_mut(association_id)?;
        association.status = status;
        association.updated_at = at;
        let association = association.clone();
        if !is_live(status) {
            self.live_by_serial
                .remove(&(association.unit_type.clone(), association.serial));
            self.live_by_certificate.remove(&(
                association.registry_id.clone(),
                association.certificate_id.clone(),
            ));
        }
        self.emit(
            &association.registry_id,
            EventType::AssociationChanged,
            at,
            EventData {
                account_id: association.account_id.clone(),
                association_id: Some(association_id.to_owned()),
                status: wire_name(&status),
                ..EventData::default()
            },
        );
        Some(association)
    }

    fn association_is_visible(&self, who: &Principal, association: &Association) -> bool {
        match who {
            Principal::Platform(p) => association.registry_id == *p,
            _ => self.represents(who, &association.account_id),
        }
    }

    fn visible_association(
        &self,
        who: &Principal,
        association_id: &str,
    ) -> Result<&Association, Problem> {
        self.associations
            .get(association_id)
            .filter(|a| self.association_is_visible(who, a))
            .ok_or_else(|| association_not_found(association_id))
    }
}

/// `active` and `cancelled` associations are live: they hold their unit and certificate.
fn is_live(status: AssociationStatus) -> bool {
    matches!(
        status,
        AssociationStatus::Active | AssociationStatus::Cancelled
    )
}

fn association_not_found(association_id: &str) -> Problem {
    ProblemType::NotFound.problem(format!(
        "no association {association_id} is visible to you: it does not exist, or it is neither yours nor on an \
         account you represent"
    ))
}
