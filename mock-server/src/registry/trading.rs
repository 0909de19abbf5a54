//! Reservations (fleeting custody, B.4) and escrows (B.5): units locked for a trading platform
//! inside the seller's account.

use chrono::{DateTime, SubsecRound, Utc};
use ucr_spec::ProblemType;
use ucr_spec::model::{
    AccountKind, AccountStatus, BlockStatus, Representative, RepresentativeKind, Role, SerialRange,
    TransactionKind, TransactionStatus,
};
use ucr_spec::platforms::{ConsentScope, PlatformKind};
use ucr_spec::problem::Problem;
use ucr_spec::trading::{
    Escrow, EscrowRequest, EscrowStatus, Reservation, ReservationRequest, ReservationStatus,
    SettleRequest,
};
use ucr_spec::transactions::{RejectRequest, Transfer};
use ucr_spec::webhooks::{EventData, EventType};

use super::Registry;
use super::holdings::coalesce;
use super::platforms::check_expiry;
use super::principal::Principal;
use super::records::Due;
use super::transaction_id::TransactionId;
use super::transactions::{MAX_NOTE, choose_units, require_open, require_role};
use super::validate::{check_optional_text, validation_failed, wire_name};
use crate::faults::Fault;

/// How far ahead an escrow may lapse.
const MAX_ESCROW_MONTHS: u32 = 12;

/// A reservation as stored, with the transfer its units are in while one is pending.
#[derive(Debug, Clone)]
pub(super) struct ReservationRecord {
    pub reservation: Reservation,
    pub pending_transfer: Option<String>,
}

/// Scopes that let a platform see its reservations on an account.
const RESERVATION_SCOPES: &[ConsentScope] =
    &[ConsentScope::ReservedUnitsRead, ConsentScope::HoldingsRead];

impl Registry {
    // ---- reservations --------------------------------------------------------------------------

    /// Reserves units of an account for a trading platform (an `initiator` of the account): they
    /// become `reserved` and may move only to the platform's custodial account, by a transfer
    /// quoting the reservation.
    pub fn create_reservation(
        &mut self,
        who: &Principal,
        request: ReservationRequest,
    ) -> Result<Reservation, Problem> {
        self.expire_due();
        let account = self.represented_account(who, &request.account_id, "reserve units of")?;
        require_role(account, who, Role::Initiator, "reserve units of")?;
        let selection = choose_units(
            &request.unit_type,
            request.quantity,
            request.serial_ranges.as_deref(),
            request.vintage.as_deref(),
            request.project_id.as_deref(),
        )?;
        let now = self.now();
        let expires_at = request.expires_at.trunc_subsecs(3);
        check_expiry("/expires_at", expires_at, now, None)?;
        let Some(platform) = self
            .platforms
            .get(&request.platform_id)
            .map(|p| &p.platform)
            .filter(|p| p.kind == PlatformKind::TradingPlatform)
        else {
            return Err(validation_failed(
                "/platform_id",
                format!("{} is not a trading platform", request.platform_id),
            ));
        };
        if request.custodial_account_id == request.account_id {
            return Err(validation_failed(
                "/custodial_account_id",
                "the custodial account must differ from the reserving account",
            ));
        }
        let Some(custodial) = self.accounts.get(&request.custodial_account_id) else {
            return Err(ProblemType::UnknownAccount.problem(format!(
                "there is no account {}; give a custodial account of platform {}",
                request.custodial_account_id, request.platform_id
            )));
        };
        // FAULT(foreign-custodial-account-accepted): only the kind is checked, not whose it is.
        let any_holder = self.fault(Fault::ForeignCustodialAccountAccepted);
        if custodial.kind != AccountKind::Custodial
            || (custodial.holder_id != platform.holder_id && !any_holder)
        {
            return Err(validation_failed(
                "/custodial_account_id",
                format!(
                    "account {} is not a custodial account of platform {}",
                    request.custodial_account_id, request.platform_id
                ),
            ));
        }
        if custodial.status != AccountStatus::Open {
            return Err(validation_failed(
                "/custodial_account_id",
                format!("account {} is closed", request.custodial_account_id),
            ));
        }
        require_open(account)?;
        let ranges =
            account
                .holdings
                .select(&account.account_id, &request.unit_type, &selection)?;

        self.ids.reservation += 1;
        let reservation_id = format!("RES-{:06}", self.ids.reservation);
        let reservation = Reservation {
            reservation_id: reservation_id.clone(),
            account_id: request.account_id,
            platform_id: request.platform_id,
            custodial_account_id: request.custodial_account_id,
            unit_type: request.unit_type,
            quantity: ranges.iter().map(SerialRange::quantity).sum(),
            serial_ranges: ranges,
            status: ReservationStatus::Active,
            created_by: who.representative_id().unwrap_or_default().to_owned(),
            created_at: now,
            expires_at,
            ended_at: None,
            transfer_id: None,
        };
        self.set_units(
            &reservation.account_id,
            &reservation.unit_type,
            &reservation.serial_ranges,
            BlockStatus::Reserved,
            Some(&reservation_id),
        );
        self.expiries
            .insert((expires_at, Due::Reservation(reservation_id.clone())));
        self.reservations.insert(
            reservation_id.clone(),
            ReservationRecord {
                reservation: reservation.clone(),
                pending_transfer: None,
            },
        );
        // FAULT(reservation-created-not-sent): the platform is not told.
        if !self.fault(Fault::ReservationCreatedNotSent) {
            self.emit(
                &reservation.platform_id,
                EventType::ReservationCreated,
                now,
                EventData {
                    account_id: reservation.account_id.clone(),
                    reservation_id: Some(reservation_id),
                    status: wire_name(&ReservationStatus::Active),
                    ..EventData::default()
                },
            );
        }
        Ok(reservation)
    }

    /// The reservations `who` may see: its accounts' (representative), or those made for it on
    /// accounts where it holds an active `reserved_units_read` or `holdings_read` consent.
    pub fn reservations(
        &mut self,
        who: &Principal,
        account_id: Option<&str>,
        status: Option<ReservationStatus>,
    ) -> Vec<Reservation> {
        self.expire_due();
        self.reservations
            .values()
            .map(|r| &r.reservation)
            .filter(|r| account_id.is_none_or(|a| a == r.account_id))
            .filter(|r| status.is_none_or(|s| s == r.status))
            .filter(|r| match who {
                Principal::Platform(p) => {
                    r.platform_id == *p
                        && self.has_scope(p, &r.account_id, RESERVATION_SCOPES)
                        && self.reservation_selected(p, r)
                }
                _ => self.represents(who, &r.account_id),
            })
            .cloned()
            .collect()
    }

    /// One reservation: for the account's representatives, or its platform while it holds an
    /// active `reserved_units_read` or `holdings_read` consent (else `403 consent-required`).
    pub fn reservation(
        &mut self,
        who: &Principal,
        reservation_id: &str,
    ) -> Result<Reservation, Problem> {
        self.expire_due();
        let reservation = self.visible_reservation(who, reservation_id)?;
        // FAULT(reservation-grants-view): the reservation alone is taken as view consent.
        if let Some(platform_id) = who.platform_id()
            && !self.fault(Fault::ReservationGrantsView)
            && (!self.has_scope(platform_id, &reservation.account_id, RESERVATION_SCOPES)
                || !self.reservation_selected(platform_id, reservation))
        {
            return Err(ProblemType::ConsentRequired.problem(format!(
                "to read {reservation_id} you need an active reserved_units_read or holdings_read consent on \
                 account {}",
                reservation.account_id
            )));
        }
        Ok(reservation.clone())
    }

    /// Releases an active reservation (any representative of the account): its units return to
    /// `available` and the platform is told (`reservation.released`).
    pub fn release_reservation(
        &mut self,
        who: &Principal,
        reservation_id: &str,
    ) -> Result<Reservation, Problem> {
        self.expire_due();
        let reservation = self.visible_reservation(who, reservation_id)?;
        if who.platform_id().is_some() {
            return Err(ProblemType::Forbidden.problem(format!(
                "only a representative of account {} may release {reservation_id}",
                reservation.account_id
            )));
        }
        if reservation.status != ReservationStatus::Active {
            return Err(ProblemType::InvalidState.problem(format!(
                "{reservation_id} is {}; only an active reservation can be released",
                wire_name(&reservation.status)
            )));
        }
        let pending = self
            .reservations
            .get(reservation_id)
            .and_then(|r| r.pending_transfer.clone());
        if let Some(transfer_id) = &pending
            // FAULT(release-refused-while-pending): the release waits for the transfer.
            && self.fault(Fault::ReleaseRefusedWhilePending)
        {
            return Err(ProblemType::InvalidState.problem(format!(
                "the units of {reservation_id} are in pending transfer {transfer_id}; reject or rescind it first"
            )));
        }
        let now = self.now();
        if let Some(transfer_id) = pending {
            // REQ-RESERVATION-011: "at any time": the pending transfer is rescinded in the same
            // step, and its units come back to the reservation, which is then released.
            let expires_at = self
                .transfers
                .view_by_id(&transfer_id)
                .map(|t| t.expires_at);
            if let Some(expires_at) = expires_at {
                self.expiries
                    .remove(&(expires_at, Due::Transfer(transfer_id.clone())));
            }
            self.decide_transfer(&transfer_id, TransactionStatus::Rescinded, who, now, None)?;
            if let Some(record) = self.reservations.get_mut(reservation_id) {
                record.pending_transfer = None;
            }
        }
        self.end_reservation(reservation_id, ReservationStatus::Released, now)
            .ok_or_else(|| reservation_not_found(reservation_id))
    }

    /// Expires an active reservation at `at` (from the expiry queue). One whose units are in a
    /// pending transfer lapses only if that transfer ends without approval.
    pub(super) fn expire_reservation(&mut self, reservation_id: &str, at: DateTime<Utc>) {
        let Some(record) = self.reservations.get(reservation_id) else {
            return;
        };
        if record.reservation.status != ReservationStatus::Active
            || record.pending_transfer.is_some()
            // FAULT(expired-reservation-kept): the expiry job skips reservations.
            || self.fault(Fault::ExpiredReservationKept)
        {
            return;
        }
        self.end_reservation(reservation_id, ReservationStatus::Expired, at);
    }

    /// Ends an active reservation as released or expired: units `available`, event to the platform.
    fn end_reservation(
        &mut self,
        reservation_id: &str,
        status: ReservationStatus,
        at: DateTime<Utc>,
    ) -> Option<Reservation> {
        let record = self.reservations.get_mut(reservation_id)?;
        let reservation = &mut record.reservation;
        reservation.status = status;
        reservation.ended_at = Some(at);
        let reservation = reservation.clone();
        self.expiries.remove(&(
            reservation.expires_at,
            Due::Reservation(reservation_id.to_owned()),
        ));
        self.set_units(
            &reservation.account_id,
            &reservation.unit_type,
            &reservation.serial_ranges,
            BlockStatus::Available,
            None,
        );
        let event = if status == ReservationStatus::Released {
            EventType::ReservationReleased
        } else {
            EventType::ReservationExpired
        };
        self.notify_reservation(&reservation, event, at);
        if event == EventType::ReservationReleased && self.fault(Fault::UnreserveWithoutWebhook) {
            // FAULT(unreserve-without-webhook): the platform is not told.
            return Some(reservation);
        }
        self.emit(
            &reservation.platform_id,
            event,
            at,
            EventData {
                account_id: reservation.account_id.clone(),
                reservation_id: Some(reservation_id.to_owned()),
                status: wire_name(&status),
                ..EventData::default()
            },
        );
        Some(reservation)
    }

    /// The reservation's units go back to `reserved` after its transfer ended without approval;
    /// if its expiry passed meanwhile, it expires now.
    pub(super) fn restore_reservation(&mut self, reservation_id: &str, at: DateTime<Utc>) {
        let Some(record) = self.reservations.get_mut(reservation_id) else {
            return;
        };
        record.pending_transfer = None;
        let reservation = record.reservation.clone();
        self.set_units(
            &reservation.account_id,
            &reservation.unit_type,
            &reservation.serial_ranges,
            BlockStatus::Reserved,
            Some(reservation_id),
        );
        if reservation.status == ReservationStatus::Active && reservation.expires_at <= at {
            self.end_reservation(reservation_id, ReservationStatus::Expired, at);
        }
    }

    /// Marks a reservation consumed by its approved transfer and tells the platform.
    pub(super) fn consume_reservation(
        &mut self,
        reservation_id: &str,
        transfer_id: &str,
        at: DateTime<Utc>,
    ) {
        let Some(record) = self.reservations.get_mut(reservation_id) else {
            return;
        };
        record.pending_transfer = None;
        let reservation = &mut record.reservation;
        reservation.status = ReservationStatus::Consumed;
        reservation.ended_at = Some(at);
        reservation.transfer_id = Some(transfer_id.to_owned());
        let reservation = reservation.clone();
        self.expiries.remove(&(
            reservation.expires_at,
            Due::Reservation(reservation_id.to_owned()),
        ));
        self.notify_reservation(&reservation, EventType::ReservationConsumed, at);
        self.emit(
            &reservation.platform_id,
            EventType::ReservationConsumed,
            at,
            EventData {
                account_id: reservation.account_id,
                reservation_id: Some(reservation_id.to_owned()),
                transfer_id: Some(transfer_id.to_owned()),
                status: wire_name(&ReservationStatus::Consumed),
                ..EventData::default()
            },
        );
    }

    /// Whether every unit of the reservation is selected by the platform's consents that open
    /// reservations (REQ-SCOPE-018).
    fn reservation_selected(&self, platform_id: &str, reservation: &Reservation) -> bool {
        // FAULT(consent-subset-leaks-reservations): subsets are not looked at.
        if self.fault(Fault::ConsentSubsetLeaksReservations) {
            return true;
        }
        let lens = self.lens(platform_id, &reservation.account_id, RESERVATION_SCOPES);
        lens.is_empty()
            || self.selected_units(&lens, &reservation.unit_type, &reservation.serial_ranges)
                == reservation.serial_ranges
    }

    /// A reservation the caller may know of: its account's representatives and its platform.
    fn visible_reservation(
        &self,
        who: &Principal,
        reservation_id: &str,
    ) -> Result<&Reservation, Problem> {
        self.reservations
            .get(reservation_id)
            .map(|r| &r.reservation)
            .filter(|r| match who {
                Principal::Platform(p) => r.platform_id == *p,
                _ => self.represents(who, &r.account_id),
            })
            .ok_or_else(|| reservation_not_found(reservation_id))
    }

    // ---- escrows -------------------------------------------------------------------------------

    /// Allocates units of an account to an escrow controlled by a trading platform (an
    /// `initiator` of the account): they become `escrowed` and the escrow awaits an approver.
    pub fn create_escrow(
        &mut self,
        who: &Principal,
        request: EscrowRequest,
    ) -> Result<Escrow, Problem> {
        self.expire_due();
        let account = self.represented_account(who, &request.account_id, "escrow units of")?;
        require_role(account, who, Role::Initiator, "escrow units of")?;
        let selection = choose_units(
            &request.unit_type,
            request.quantity,
            request.serial_ranges.as_deref(),
            request.vintage.as_deref(),
            request.project_id.as_deref(),
        )?;
        let now = self.now();
        let expires_at = request.expires_at.trunc_subsecs(3);
        check_expiry("/expires_at", expires_at, now, Some(MAX_ESCROW_MONTHS))?;
        if self.platform_kind(&request.controller_id) != Some(PlatformKind::TradingPlatform) {
            return Err(validation_failed(
                "/controller_id",
                format!("{} is not a trading platform", request.controller_id),
            ));
        }
        require_open(account)?;
        let ranges =
            account
                .holdings
                .select(&account.account_id, &request.unit_type, &selection)?;

        self.ids.escrow += 1;
        let escrow_id = format!("ESC-{:06}", self.ids.escrow);
        self.set_units(
            &request.account_id,
            &request.unit_type,
            &ranges,
            BlockStatus::Escrowed,
            Some(&escrow_id),
        );
        let blocks = self
            .accounts
            .get(&request.account_id)
            .map(|a| {
                a.holdings
                    .blocks_where(|status, holder| {
                        status == BlockStatus::Escrowed && holder == Some(escrow_id.as_str())
                    })
                    .collect()
            })
            .unwrap_or_default();
        let escrow = Escrow {
            escrow_id: escrow_id.clone(),
            account_id: request.account_id,
            controller_id: request.controller_id,
            unit_type: request.unit_type,
            quantity: ranges.iter().map(SerialRange::quantity).sum(),
            blocks,
            // FAULT(escrow-skips-approval): the escrow is active at once, with no approver.
            status: if self.fault(Fault::EscrowSkipsApproval) {
                EscrowStatus::Active
            } else {
                EscrowStatus::PendingApproval
            },
            created_by: who.representative_id().unwrap_or_default().to_owned(),
            created_at: now,
            expires_at,
            decided_by: None,
            decided_at: None,
            reason: None,
            ended_at: None,
            settled_to_account_id: None,
            transaction_id: None,
        };
        self.expiries
            .insert((expires_at, Due::Escrow(escrow_id.clone())));
        self.escrows.insert(escrow_id, escrow.clone());
        if escrow.status == EscrowStatus::PendingApproval {
            self.notify_escrow(&escrow, EventType::EscrowPendingApproval, now);
        }
        Ok(escrow)
    }

    /// The escrows `who` may see: its accounts' (representative) or those it controls (platform).
    pub fn escrows(
        &mut self,
        who: &Principal,
        account_id: Option<&str>,
        status: Option<EscrowStatus>,
    ) -> Vec<Escrow> {
        self.expire_due();
        self.escrows
            .values()
            .filter(|e| account_id.is_none_or(|a| a == e.account_id))
            .filter(|e| status.is_none_or(|s| s == e.status))
            .filter(|e| self.escrow_is_visible(who, e))
            .cloned()
            .collect()
    }

    /// One escrow, for its controller or a representative of its account.
    pub fn escrow(&mut self, who: &Principal, escrow_id: &str) -> Result<Escrow, Problem> {
        self.expire_due();
        self.visible_escrow(who, escrow_id).cloned()
    }

    /// Approves an escrow pending approval (an `approver` of its account, four eyes as for a
    /// transfer): it becomes `active` and its controller may act on its units.
    pub fn approve_escrow(&mut self, who: &Principal, escrow_id: &str) -> Result<Escrow, Problem> {
        self.expire_due();
        self.decidable_escrow(who, escrow_id, "approve")?;
        let now = self.now();
        let escrow = self
            .escrows
            .get_mut(escrow_id)
            .ok_or_else(|| escrow_not_found(escrow_id))?;
        escrow.status = EscrowStatus::Active;
        escrow.decided_by = who.representative_id().map(str::to_owned);
        escrow.decided_at = Some(now);
        let escrow = escrow.clone();
        self.notify_escrow(&escrow, EventType::EscrowActivated, now);
        Ok(escrow)
    }

    /// Rejects an escrow pending approval (same rules as approval): its units are `available`
    /// again.
    pub fn reject_escrow(
        &mut self,
        who: &Principal,
        escrow_id: &str,
        request: RejectRequest,
    ) -> Result<Escrow, Problem> {
        self.expire_due();
        self.decidable_escrow(who, escrow_id, "reject")?;
        check_optional_text("/reason", request.reason.as_deref(), MAX_NOTE)?;
        let now = self.now();
        let decided_by = who.representative_id().map(str::to_owned);
        self.end_escrow(escrow_id, EscrowStatus::Rejected, now, |e| {
            e.decided_by = decided_by;
            e.decided_at = Some(now);
            e.reason = request.reason;
        })
        .ok_or_else(|| escrow_not_found(escrow_id))
    }

    /// An escrow `who` may approve or reject: visible, `who` an approver of its account, the
    /// escrow pending approval, and four eyes satisfied.
    fn decidable_escrow(
        &self,
        who: &Principal,
        escrow_id: &str,
        action: &str,
    ) -> Result<(), Problem> {
        let escrow = self.visible_escrow(who, escrow_id)?;
        let account = self.account_record(&escrow.account_id)?;
        require_role(
            account,
            who,
            Role::Approver,
            &format!("{action} escrows of"),
        )?;
        if escrow.status != EscrowStatus::PendingApproval {
            return Err(ProblemType::InvalidState.problem(format!(
                "{escrow_id} is {}; only an escrow pending approval can be {action}d",
                wire_name(&escrow.status)
            )));
        }
        self.four_eyes(account, who, &escrow.created_by, escrow_id, action)
    }

    /// The escrow controllers of an account, as restricted representatives: one per controller
    /// of a pending or active escrow there, with those escrows' IDs.
    pub(super) fn escrow_controllers(&self, account_id: &str) -> Vec<Representative> {
        let mut controllers: std::collections::BTreeMap<&str, Vec<String>> = Default::default();
        for escrow in self.escrows.values().filter(|e| {
            e.account_id == account_id
                && matches!(
                    e.status,
                    EscrowStatus::PendingApproval | EscrowStatus::Active
                )
        }) {
            controllers
                .entry(escrow.controller_id.as_str())
                .or_default()
                .push(escrow.escrow_id.clone());
        }
        controllers
            .into_iter()
            .map(|(controller_id, mut escrow_ids)| {
                escrow_ids.sort();
                Representative {
                    representative_id: controller_id.to_owned(),
                    name: self
                        .platforms
                        .get(controller_id)
                        .map(|p| p.platform.name.clone())
                        .unwrap_or_default(),
                    roles: Vec::new(),
                    kind: RepresentativeKind::EscrowController,
                    escrow_ids,
                }
            })
            .collect()
    }

    /// Whether `platform_id` controls an escrow pending or active on the account.
    pub(super) fn controls_escrow_on(&self, platform_id: &str, account_id: &str) -> bool {
        self.escrows.values().any(|e| {
            e.account_id == account_id
                && e.controller_id == platform_id
                && matches!(
                    e.status,
                    EscrowStatus::PendingApproval | EscrowStatus::Active
                )
        })
    }

    /// Settles an active escrow (its controller only): every escrowed unit moves to the buyer in
    /// one step, recorded as a completed transfer with `escrow_id`.
    pub fn settle_escrow(
        &mut self,
        who: &Principal,
        escrow_id: &str,
        request: SettleRequest,
    ) -> Result<Escrow, Problem> {
        self.expire_due();
        let escrow = self.controlled_escrow(who, escrow_id, "settle")?;
        require_active_escrow(escrow, "settled")?;
        check_optional_text("/reference", request.reference.as_deref(), MAX_NOTE)?;
        if request.to_account_id == escrow.account_id {
            return Err(validation_failed(
                "/to_account_id",
                "the buyer's account must differ from the seller's",
            ));
        }
        let Some(destination) = self.accounts.get(&request.to_account_id) else {
            return Err(ProblemType::UnknownAccount.problem(format!(
                "there is no account {}; check the buyer's account number",
                request.to_account_id
            )));
        };
        if destination.status != AccountStatus::Open {
            return Err(validation_failed(
                "/to_account_id",
                format!("account {} is closed", request.to_account_id),
            ));
        }
        require_open(self.account_record(&escrow.account_id)?)?;

        let now = self.now();
        let controller = escrow.controller_id.clone();
        let (seller, unit_type) = (escrow.account_id.clone(), escrow.unit_type.clone());
        let ranges = coalesce(escrow.blocks.iter().map(|b| SerialRange {
            serial_start: b.serial_start,
            serial_end: b.serial_end,
        }));
        self.ids.transfer += 1;
        let reference = TransactionId::new(TransactionKind::Transfer, self.ids.transfer);
        let transfer_id = reference.to_string();
        let transfer = Transfer {
            transfer_id: transfer_id.clone(),
            status: TransactionStatus::Completed,
            from_account_id: seller.clone(),
            to_account_id: request.to_account_id.clone(),
            unit_type: unit_type.clone(),
            quantity: ranges.iter().map(SerialRange::quantity).sum(),
            serial_ranges: ranges.clone(),
            reference: request.reference,
            initiated_by: controller.clone(),
            initiated_at: now,
            expires_at: now,
            decided_by: Some(controller.clone()),
            decided_at: Some(now),
            reason: None,
            reservation_id: None,
            escrow_id: Some(escrow_id.to_owned()),
        };
        self.move_units(&seller, &request.to_account_id, &unit_type, &ranges);
        for account_id in [&seller, &request.to_account_id] {
            if let Some(account) = self.accounts.get_mut(account_id) {
                account.history.record(transfer.initiated_at, reference);
            }
        }
        self.transfers.insert(transfer.clone());
        let escrow = self.end_escrow(escrow_id, EscrowStatus::Settled, now, |e| {
            e.settled_to_account_id = Some(request.to_account_id.clone());
            e.transaction_id = Some(transfer_id.clone());
        });
        if !self.fault(Fault::SettlementKeepsAssociations) {
            // FAULT(settlement-keeps-associations): settlement skips the association update.
            self.units_left(&seller, &unit_type, &ranges, now);
        }
        self.announce_transfer(&transfer, Some(&controller));
        self.notify_transfer(&transfer, EventType::TransferCompleted, now);
        escrow.ok_or_else(|| escrow_not_found(escrow_id))
    }

    /// Releases an active escrow (its controller only): the units are `available` to the seller
    /// again.
    pub fn release_escrow(&mut self, who: &Principal, escrow_id: &str) -> Result<Escrow, Problem> {
        self.expire_due();
        let escrow = if self.fault(Fault::EscrowReleasedBySeller) {
            // FAULT(escrow-released-by-seller): anyone who sees the escrow may release it.
            self.visible_escrow(who, escrow_id)?
        } else {
            self.controlled_escrow(who, escrow_id, "release")?
        };
        require_active_escrow(escrow, "released")?;
        let now = self.now();
        self.end_escrow(escrow_id, EscrowStatus::Released, now, |_| {})
            .ok_or_else(|| escrow_not_found(escrow_id))
    }

    /// Releases an escrow still pending or active at its expiry (from the expiry queue).
    pub(super) fn expire_escrow(&mut self, escrow_id: &str, at: DateTime<Utc>) {
        // FAULT(expired-escrow-kept): the expiry job skips escrows.
        if self.escrows.get(escrow_id).is_some_and(|e| {
            matches!(
                e.status,
                EscrowStatus::PendingApproval | EscrowStatus::Active
            )
        }) && !self.fault(Fault::ExpiredEscrowKept)
        {
            self.end_escrow(escrow_id, EscrowStatus::Released, at, |_| {});
        }
    }

    /// Ends an active escrow: units still escrowed become `available`, and the controller is told.
    fn end_escrow(
        &mut self,
        escrow_id: &str,
        status: EscrowStatus,
        at: DateTime<Utc>,
        update: impl FnOnce(&mut Escrow),
    ) -> Option<Escrow> {
        let escrow = self.escrows.get_mut(escrow_id)?;
        escrow.status = status;
        escrow.ended_at = Some(at);
        update(escrow);
        let escrow = escrow.clone();
        self.expiries
            .remove(&(escrow.expires_at, Due::Escrow(escrow_id.to_owned())));
        if status != EscrowStatus::Settled {
            let ranges: Vec<SerialRange> = escrow
                .blocks
                .iter()
                .map(|b| SerialRange {
                    serial_start: b.serial_start,
                    serial_end: b.serial_end,
                })
                .collect();
            self.set_units(
                &escrow.account_id,
                &escrow.unit_type,
                &ranges,
                BlockStatus::Available,
                None,
            );
        }
        let event = match status {
            EscrowStatus::Settled => EventType::EscrowSettled,
            EscrowStatus::Released => EventType::EscrowReleased,
            // The controller never had power over a rejected escrow's units: nothing to halt.
            _ => {
                self.notify_escrow(&escrow, EventType::EscrowRejected, at);
                return Some(escrow);
            }
        };
        self.notify_escrow(&escrow, event, at);
        self.emit(
            &escrow.controller_id,
            event,
            at,
            EventData {
                account_id: escrow.account_id.clone(),
                escrow_id: Some(escrow_id.to_owned()),
                transfer_id: escrow.transaction_id.clone(),
                status: wire_name(&status),
                ..EventData::default()
            },
        );
        Some(escrow)
    }

    /// Tells the representatives of an escrow's account about it.
    fn notify_escrow(&mut self, escrow: &Escrow, event: EventType, at: DateTime<Utc>) {
        self.notify_representatives(
            &[&escrow.account_id],
            event,
            at,
            EventData {
                escrow_id: Some(escrow.escrow_id.clone()),
                transfer_id: escrow.transaction_id.clone(),
                status: wire_name(&escrow.status),
                ..EventData::default()
            },
        );
    }

    /// Tells the representatives of a reservation's account about it.
    fn notify_reservation(
        &mut self,
        reservation: &Reservation,
        event: EventType,
        at: DateTime<Utc>,
    ) {
        self.notify_representatives(
            &[&reservation.account_id],
            event,
            at,
            EventData {
                reservation_id: Some(reservation.reservation_id.clone()),
                transfer_id: reservation.transfer_id.clone(),
                status: wire_name(&reservation.status),
                ..EventData::default()
            },
        );
    }

    fn escrow_is_visible(&self, who: &Principal, escrow: &Escrow) -> bool {
        match who {
            Principal::Platform(p) => escrow.controller_id == *p,
            _ => self.represents(who, &escrow.account_id),
        }
    }

    fn visible_escrow(&self, who: &Principal, escrow_id: &str) -> Result<&Escrow, Problem> {
        self.escrows
            .get(escrow_id)
            .filter(|e| self.escrow_is_visible(who, e))
            .ok_or_else(|| escrow_not_found(escrow_id))
    }

    /// An escrow only its controller may act on: the account's representatives get `403`,
    /// anyone else `404`.
    fn controlled_escrow(
        &self,
        who: &Principal,
        escrow_id: &str,
        action: &str,
    ) -> Result<&Escrow, Problem> {
        let escrow = self.visible_escrow(who, escrow_id)?;
        if who.platform_id() != Some(escrow.controller_id.as_str()) {
            return Err(ProblemType::Forbidden.problem(format!(
                "only the escrow's controller {} may {action} {escrow_id}; the seller cannot move escrowed units",
                escrow.controller_id
            )));
        }
        Ok(escrow)
    }

    /// Whether `who` is an authorised representative of the account.
    pub(super) fn represents(&self, who: &Principal, account_id: &str) -> bool {
        self.accounts
            .get(account_id)
            .is_some_and(|a| a.is_visible_to(who))
    }
}

fn require_active_escrow(escrow: &Escrow, action: &str) -> Result<(), Problem> {
    if escrow.status == EscrowStatus::Active {
        return Ok(());
    }
    Err(ProblemType::InvalidState.problem(format!(
        "{} is {}; only an active escrow can be {action}",
        escrow.escrow_id,
        wire_name(&escrow.status)
    )))
}

fn escrow_not_found(escrow_id: &str) -> Problem {
    ProblemType::NotFound.problem(format!(
        "no escrow {escrow_id} is visible to you: it does not exist, or you neither control it nor represent its \
         account"
    ))
}

fn reservation_not_found(reservation_id: &str) -> Problem {
    ProblemType::NotFound.problem(format!(
        "no reservation {reservation_id} is visible to you: it does not exist, or it is neither made for you nor \
         on an account you represent"
    ))
}
