//! Transfers and voluntary cancellations: initiation, the four-eyes decision, rescission and
//! expiry, and how each moves or locks units.

use std::collections::BTreeSet;

use chrono::{DateTime, TimeDelta, Utc};
use ucr_spec::ProblemType;
use ucr_spec::model::{
    AccountKind, AccountStatus, BlockStatus, Role, SerialRange, TransactionKind, TransactionStatus,
};
use ucr_spec::platforms::ConsentScope;
use ucr_spec::problem::Problem;
use ucr_spec::trading::ReservationStatus;
use ucr_spec::transactions::{
    Cancellation, CancellationRequest, RejectRequest, Transfer, TransferRequest,
};
use ucr_spec::webhooks::{EventData, EventType};

use crate::faults::Fault;

use super::Registry;
use super::holdings::{UnitSelection, describe};
use super::principal::Principal;
use super::records::{AccountRecord, Due};
use super::transaction_id::TransactionId;
use super::transfer_records::{Decision, TransferView};
use super::validate::{check_optional_text, check_unit_type, validation_failed, wire_name};

/// How long a transfer or cancellation may wait for a decision before it expires.
pub const APPROVAL_WINDOW: TimeDelta = TimeDelta::days(7);

/// Longest `reference`, `reason` accepted.
pub(super) const MAX_NOTE: usize = 200;

impl Registry {
    // ---- transfers -----------------------------------------------------------------------------

    /// Initiates a transfer: the chosen units become `pending` in the source account.
    ///
    /// `who` must be an `initiator` on the source account (`404` if not appointed, `403` without
    /// the role). Then the request's content is validated (`422`), the destination looked up
    /// (`422 unknown-account`) and the units chosen (`409`). With `reservation_id` the transfer
    /// takes every unit of that active reservation to its custodial account.
    pub fn initiate_transfer(
        &mut self,
        who: &Principal,
        request: TransferRequest,
    ) -> Result<Transfer, Problem> {
        self.expire_due();
        let source =
            self.represented_account(who, &request.from_account_id, "initiate transfers from")?;
        require_role(source, who, Role::Initiator, "initiate transfers from")?;
        let custodial = source.kind == AccountKind::Custodial;
        let mut request = request;
        if let Some(ranges) = request.serial_ranges.as_mut() {
            if self.fault(Fault::ReversedRangeAccepted) {
                // FAULT(reversed-range-accepted): a reversed range is read the other way round.
                for range in ranges.iter_mut() {
                    if range.serial_end < range.serial_start {
                        std::mem::swap(&mut range.serial_start, &mut range.serial_end);
                    }
                }
            }
            if self.fault(Fault::OverlappingRangesAccepted) {
                // FAULT(overlapping-ranges-accepted): overlapping ranges are merged, not refused.
                ranges.sort();
                let mut merged: Vec<SerialRange> = Vec::with_capacity(ranges.len());
                for range in ranges.iter().copied() {
                    match merged.last_mut() {
                        Some(last)
                            if range.serial_start >= last.serial_start
                                && range.serial_start <= last.serial_end =>
                        {
                            last.serial_end = last.serial_end.max(range.serial_end);
                        }
                        _ => merged.push(range),
                    }
                }
                *ranges = merged;
            }
        }
        let selection = match &request.reservation_id {
            None => Some(choose_units(
                &request.unit_type,
                request.quantity,
                request.serial_ranges.as_deref(),
                request.vintage.as_deref(),
                request.project_id.as_deref(),
            )?),
            Some(_) => {
                check_unit_type(&request.unit_type)?;
                if request.quantity.is_some()
                    || request.serial_ranges.is_some()
                    || request.vintage.is_some()
                    || request.project_id.is_some()
                {
                    return Err(validation_failed(
                        "/reservation_id",
                        "a transfer of a reservation takes all of its units; omit quantity, serial_ranges, vintage \
                         and project_id",
                    ));
                }
                None
            }
        };
        check_optional_text("/reference", request.reference.as_deref(), MAX_NOTE)?;
        if request.to_account_id == request.from_account_id {
            return Err(validation_failed(
                "/to_account_id",
                "the destination must differ from the source account",
            ));
        }
        let reservation = match &request.reservation_id {
            None => None,
            Some(reservation_id) => {
                // FAULT(foreign-reservation-accepted): the reservation's account is not compared.
                let any_account = self.fault(Fault::ForeignReservationAccepted);
                let Some(record) = self
                    .reservations
                    .get(reservation_id)
                    .filter(|r| any_account || r.reservation.account_id == request.from_account_id)
                else {
                    return Err(validation_failed(
                        "/reservation_id",
                        format!(
                            "account {} has no reservation {reservation_id}",
                            request.from_account_id
                        ),
                    ));
                };
                let reservation = &record.reservation;
                if reservation.unit_type != request.unit_type {
                    return Err(validation_failed(
                        "/unit_type",
                        format!("{reservation_id} reserves {} units", reservation.unit_type),
                    ));
                }
                if reservation.custodial_account_id != request.to_account_id {
                    return Err(validation_failed(
                        "/to_account_id",
                        format!(
                            "the units of {reservation_id} may go only to its custodial account {}",
                            reservation.custodial_account_id
                        ),
                    ));
                }
                Some(record)
            }
        };
        let Some(destination) = self.accounts.get(&request.to_account_id) else {
            return Err(ProblemType::UnknownAccount.problem(format!(
                "there is no account {}; check the destination account number",
                request.to_account_id
            )));
        };
        if destination.status != AccountStatus::Open {
            return Err(validation_failed(
                "/to_account_id",
                format!("account {} is closed", request.to_account_id),
            ));
        }
        require_open(source)?;
        let ranges = match (&selection, reservation) {
            (Some(selection), _) => {
                source
                    .holdings
                    .select(&source.account_id, &request.unit_type, selection)?
            }
            (None, Some(record)) => {
                let reservation = &record.reservation;
                if reservation.status != ReservationStatus::Active {
                    return Err(ProblemType::InvalidState.problem(format!(
                        "{} is {}; only an active reservation's units can be transferred",
                        reservation.reservation_id,
                        wire_name(&reservation.status)
                    )));
                }
                if let Some(transfer_id) = &record.pending_transfer {
                    return Err(ProblemType::UnitsLocked.problem(format!(
                        "the units of {} are already pending in transfer {transfer_id}",
                        reservation.reservation_id
                    )));
                }
                if reservation.account_id != source.account_id {
                    // FAULT(foreign-reservation-accepted): the serials are looked for in the source.
                    let serials = UnitSelection::Serials(reservation.serial_ranges.clone());
                    source
                        .holdings
                        .select(&source.account_id, &request.unit_type, &serials)?
                } else {
                    reservation.serial_ranges.clone()
                }
            }
            (None, None) => {
                return Err(validation_failed(
                    "/quantity",
                    "choose units by serial_ranges or by quantity",
                ));
            }
        };

        let now = self.now();
        self.ids.transfer += 1;
        let reference = TransactionId::new(TransactionKind::Transfer, self.ids.transfer);
        let transfer_id = reference.to_string();
        let transfer = Transfer {
            transfer_id: transfer_id.clone(),
            status: TransactionStatus::PendingApproval,
            from_account_id: request.from_account_id,
            to_account_id: request.to_account_id,
            unit_type: request.unit_type,
            quantity: ranges.iter().map(SerialRange::quantity).sum(),
            serial_ranges: ranges,
            reference: request.reference,
            initiated_by: who.representative_id().unwrap_or_default().to_owned(),
            initiated_at: now,
            expires_at: now + APPROVAL_WINDOW,
            decided_by: None,
            decided_at: None,
            reason: None,
            reservation_id: request.reservation_id,
            escrow_id: None,
        };
        self.set_units(
            &transfer.from_account_id,
            &transfer.unit_type,
            &transfer.serial_ranges,
            BlockStatus::Pending,
            Some(&transfer_id),
        );
        if let Some(record) = transfer
            .reservation_id
            .as_ref()
            .and_then(|id| self.reservations.get_mut(id))
        {
            record.pending_transfer = Some(transfer_id.clone());
        }
        for account_id in [&transfer.from_account_id, &transfer.to_account_id] {
            if let Some(account) = self.accounts.get_mut(account_id) {
                account.history.record(transfer.initiated_at, reference);
            }
        }
        self.expiries
            .insert((transfer.expires_at, Due::Transfer(transfer_id.clone())));
        self.transfers.insert(transfer.clone());
        // FAULT(holder-events-missing-approval): no representative is told a transfer awaits approval.
        if !self.fault(Fault::HolderEventsMissingApproval) {
            self.notify_transfer(&transfer, EventType::TransferPendingApproval, now);
        }
        if custodial && self.fault(Fault::CustodySkipsApproval) {
            // FAULT(custody-skips-approval): the platform's own transfers bypass four eyes.
            let (from, to, unit_type, ranges) = (
                transfer.from_account_id.clone(),
                transfer.to_account_id.clone(),
                transfer.unit_type.clone(),
                transfer.serial_ranges.clone(),
            );
            self.move_units(&from, &to, &unit_type, &ranges);
            self.expiries
                .remove(&(transfer.expires_at, Due::Transfer(transfer_id.clone())));
            let transfer =
                self.decide_transfer(&transfer_id, TransactionStatus::Completed, who, now, None)?;
            self.units_left(&from, &unit_type, &ranges, now);
            self.announce_transfer(&transfer, None);
            return Ok(transfer);
        }
        Ok(transfer)
    }

    /// A transfer visible to `who`: a representative of its source or destination account.
    pub fn transfer(&mut self, who: &Principal, transfer_id: &str) -> Result<Transfer, Problem> {
        self.expire_due();
        self.visible_transfer(who, transfer_id)
    }

    /// Approves a pending transfer: its units move to the destination as `available`.
    ///
    /// Needs the `approver` role on the source account and, when the account has more than one
    /// representative, someone other than the initiator.
    pub fn approve_transfer(
        &mut self,
        who: &Principal,
        transfer_id: &str,
    ) -> Result<Transfer, Problem> {
        self.expire_due();
        let transfer = self.visible_transfer(who, transfer_id)?;
        let source = self.account_record(&transfer.from_account_id)?;
        require_role(source, who, Role::Approver, "approve transfers from")?;
        if !self.fault(Fault::DecidedTransferApprovable) {
            // FAULT(decided-transfer-approvable): without this the status is never looked at.
            require_pending(transfer_id, transfer.status, "approved")?;
        }
        self.four_eyes(source, who, &transfer.initiated_by, transfer_id, "approve")?;
        self.account_record(&transfer.to_account_id)?;

        let now = self.now();
        let (from, to, unit_type, ranges, expires_at) = (
            transfer.from_account_id.clone(),
            transfer.to_account_id.clone(),
            transfer.unit_type.clone(),
            transfer.serial_ranges.clone(),
            transfer.expires_at,
        );
        let reservation_id = transfer.reservation_id.clone();
        self.move_units(&from, &to, &unit_type, &ranges);
        self.expiries
            .remove(&(expires_at, Due::Transfer(transfer_id.to_owned())));
        let transfer =
            self.decide_transfer(transfer_id, TransactionStatus::Completed, who, now, None)?;
        if let Some(reservation_id) = reservation_id {
            self.consume_reservation(&reservation_id, transfer_id, now);
        }
        self.units_left(&from, &unit_type, &ranges, now);
        self.announce_transfer(&transfer, None);
        self.notify_transfer(&transfer, EventType::TransferCompleted, now);
        Ok(transfer)
    }

    /// Rejects a pending transfer: its units return to `available`. Same rules as approval.
    pub fn reject_transfer(
        &mut self,
        who: &Principal,
        transfer_id: &str,
        request: RejectRequest,
    ) -> Result<Transfer, Problem> {
        self.expire_due();
        let transfer = self.visible_transfer(who, transfer_id)?;
        let source = self.account_record(&transfer.from_account_id)?;
        require_role(source, who, Role::Approver, "reject transfers from")?;
        require_pending(transfer_id, transfer.status, "rejected")?;
        self.four_eyes(source, who, &transfer.initiated_by, transfer_id, "reject")?;
        check_optional_text("/reason", request.reason.as_deref(), MAX_NOTE)?;

        let now = self.now();
        let expires_at = transfer.expires_at;
        self.expiries
            .remove(&(expires_at, Due::Transfer(transfer_id.to_owned())));
        let transfer = self.decide_transfer(
            transfer_id,
            TransactionStatus::Rejected,
            who,
            now,
            request.reason,
        )?;
        self.return_units(&transfer, now);
        self.notify_transfer(&transfer, EventType::TransferRejected, now);
        Ok(transfer)
    }

    /// Rescinds a pending transfer: its units return to `available`. Any `initiator` of the source
    /// account may rescind.
    pub fn rescind_transfer(
        &mut self,
        who: &Principal,
        transfer_id: &str,
    ) -> Result<Transfer, Problem> {
        self.expire_due();
        let transfer = self.visible_transfer(who, transfer_id)?;
        let source = self.account_record(&transfer.from_account_id)?;
        require_role(source, who, Role::Initiator, "rescind transfers from")?;
        require_pending(transfer_id, transfer.status, "rescinded")?;

        let now = self.now();
        let expires_at = transfer.expires_at;
        self.expiries
            .remove(&(expires_at, Due::Transfer(transfer_id.to_owned())));
        let transfer =
            self.decide_transfer(transfer_id, TransactionStatus::Rescinded, who, now, None)?;
        self.return_units(&transfer, now);
        self.notify_transfer(&transfer, EventType::TransferRescinded, now);
        Ok(transfer)
    }

    // ---- cancellations -------------------------------------------------------------------------

    /// Initiates a voluntary cancellation: the chosen units become `pending`.
    pub fn initiate_cancellation(
        &mut self,
        who: &Principal,
        request: CancellationRequest,
    ) -> Result<Cancellation, Problem> {
        self.expire_due();
        let account =
            self.represented_account(who, &request.account_id, "initiate cancellations from")?;
        require_role(account, who, Role::Initiator, "initiate cancellations from")?;
        let selection = choose_units(
            &request.unit_type,
            request.quantity,
            request.serial_ranges.as_deref(),
            request.vintage.as_deref(),
            request.project_id.as_deref(),
        )?;
        check_optional_text("/reason", request.reason.as_deref(), MAX_NOTE)?;
        require_open(account)?;
        let ranges =
            account
                .holdings
                .select(&account.account_id, &request.unit_type, &selection)?;

        let now = self.now();
        self.ids.cancellation += 1;
        let reference = TransactionId::new(TransactionKind::Cancellation, self.ids.cancellation);
        let cancellation_id = reference.to_string();
        let cancellation = Cancellation {
            cancellation_id: cancellation_id.clone(),
            status: TransactionStatus::PendingApproval,
            account_id: request.account_id,
            unit_type: request.unit_type,
            quantity: ranges.iter().map(SerialRange::quantity).sum(),
            serial_ranges: ranges,
            reason: request.reason,
            initiated_by: who.representative_id().unwrap_or_default().to_owned(),
            initiated_at: now,
            expires_at: now + APPROVAL_WINDOW,
            decided_by: None,
            decided_at: None,
            rejection_reason: None,
        };
        self.set_units(
            &cancellation.account_id,
            &cancellation.unit_type,
            &cancellation.serial_ranges,
            BlockStatus::Pending,
            Some(&cancellation_id),
        );
        if let Some(account) = self.accounts.get_mut(&cancellation.account_id) {
            account.history.record(cancellation.initiated_at, reference);
        }
        self.expiries.insert((
            cancellation.expires_at,
            Due::Cancellation(cancellation_id.clone()),
        ));
        self.cancellations
            .insert(cancellation_id, cancellation.clone());
        self.notify_cancellation(&cancellation, EventType::CancellationPendingApproval, now);
        Ok(cancellation)
    }

    /// A cancellation visible to `who`: a representative of its account.
    pub fn cancellation(
        &mut self,
        who: &Principal,
        cancellation_id: &str,
    ) -> Result<Cancellation, Problem> {
        self.expire_due();
        self.visible_cancellation(who, cancellation_id).cloned()
    }

    /// Approves a pending cancellation: its units become `cancelled` and stay in the account.
    pub fn approve_cancellation(
        &mut self,
        who: &Principal,
        cancellation_id: &str,
    ) -> Result<Cancellation, Problem> {
        self.expire_due();
        let cancellation = self.visible_cancellation(who, cancellation_id)?;
        let account = self.account_record(&cancellation.account_id)?;
        require_role(account, who, Role::Approver, "approve cancellations from")?;
        require_pending(cancellation_id, cancellation.status, "approved")?;
        self.four_eyes(
            account,
            who,
            &cancellation.initiated_by,
            cancellation_id,
            "approve",
        )?;

        let now = self.now();
        let (account_id, unit_type, ranges, expires_at) = (
            cancellation.account_id.clone(),
            cancellation.unit_type.clone(),
            cancellation.serial_ranges.clone(),
            cancellation.expires_at,
        );
        if self.fault(Fault::CancellationDropsUnits) {
            // FAULT(cancellation-drops-units): cancelled units are deleted, not kept as cancelled.
            if let Some(account) = self.accounts.get_mut(&account_id) {
                for range in &ranges {
                    account.holdings.take(&unit_type, *range);
                }
            }
        } else {
            // FAULT(cancelled-units-stay-available): the units are unlocked instead of cancelled.
            let status = if self.fault(Fault::CancelledUnitsStayAvailable) {
                BlockStatus::Available
            } else {
                BlockStatus::Cancelled
            };
            self.set_units(&account_id, &unit_type, &ranges, status, None);
        }
        self.expiries
            .remove(&(expires_at, Due::Cancellation(cancellation_id.to_owned())));
        let cancellation =
            self.decide_cancellation(cancellation_id, TransactionStatus::Completed, who, now)?;
        self.units_cancelled(&account_id, &unit_type, &ranges, now);
        self.notify_cancellation(&cancellation, EventType::CancellationCompleted, now);
        Ok(cancellation)
    }

    /// Rejects a pending cancellation: its units return to `available`. Same rules as rejecting a
    /// transfer, four eyes included.
    pub fn reject_cancellation(
        &mut self,
        who: &Principal,
        cancellation_id: &str,
        request: RejectRequest,
    ) -> Result<Cancellation, Problem> {
        self.expire_due();
        let cancellation = self.visible_cancellation(who, cancellation_id)?;
        let account = self.account_record(&cancellation.account_id)?;
        require_role(account, who, Role::Approver, "reject cancellations from")?;
        require_pending(cancellation_id, cancellation.status, "rejected")?;
        if !self.fault(Fault::CancellationRejectedByInitiator) {
            // FAULT(cancellation-rejected-by-initiator): the four-eyes rule is skipped on rejection.
            self.four_eyes(
                account,
                who,
                &cancellation.initiated_by,
                cancellation_id,
                "reject",
            )?;
        }
        check_optional_text("/reason", request.reason.as_deref(), MAX_NOTE)?;

        let now = self.now();
        let (account_id, unit_type, ranges, expires_at) = (
            cancellation.account_id.clone(),
            cancellation.unit_type.clone(),
            cancellation.serial_ranges.clone(),
            cancellation.expires_at,
        );
        self.set_units(
            &account_id,
            &unit_type,
            &ranges,
            BlockStatus::Available,
            None,
        );
        self.expiries
            .remove(&(expires_at, Due::Cancellation(cancellation_id.to_owned())));
        let mut cancellation =
            self.decide_cancellation(cancellation_id, TransactionStatus::Rejected, who, now)?;
        if let Some(stored) = self.cancellations.get_mut(cancellation_id) {
            stored.rejection_reason = request.reason;
            cancellation = stored.clone();
        }
        self.notify_cancellation(&cancellation, EventType::CancellationRejected, now);
        Ok(cancellation)
    }

    /// Rescinds a pending cancellation: its units return to `available`.
    pub fn rescind_cancellation(
        &mut self,
        who: &Principal,
        cancellation_id: &str,
    ) -> Result<Cancellation, Problem> {
        self.expire_due();
        let cancellation = self.visible_cancellation(who, cancellation_id)?;
        let account = self.account_record(&cancellation.account_id)?;
        require_role(account, who, Role::Initiator, "rescind cancellations from")?;
        require_pending(cancellation_id, cancellation.status, "rescinded")?;

        let now = self.now();
        let (account_id, unit_type, ranges, expires_at) = (
            cancellation.account_id.clone(),
            cancellation.unit_type.clone(),
            cancellation.serial_ranges.clone(),
            cancellation.expires_at,
        );
        self.set_units(
            &account_id,
            &unit_type,
            &ranges,
            BlockStatus::Available,
            None,
        );
        self.expiries
            .remove(&(expires_at, Due::Cancellation(cancellation_id.to_owned())));
        let cancellation =
            self.decide_cancellation(cancellation_id, TransactionStatus::Rescinded, who, now)?;
        self.notify_cancellation(&cancellation, EventType::CancellationRescinded, now);
        Ok(cancellation)
    }

    // ---- expiry --------------------------------------------------------------------------------

    /// Takes every expiry whose instant is not after now, in time order: pending transactions
    /// (units back), consents, reservations, escrows (with their events). Called first by every
    /// operation, so expiry is observed as soon as time is.
    pub(crate) fn expire_due(&mut self) {
        let now = self.now();
        while let Some((at, due)) = self.expiries.first().cloned() {
            if !self.lapsed(at, now) {
                break;
            }
            self.expiries.pop_first();
            match &due {
                Due::Transfer(id) => {
                    if self.fault(Fault::PendingTransferNeverExpires) {
                        // FAULT(pending-transfer-never-expires): the expiry job skips transfers.
                        continue;
                    }
                    let pending = self.transfers.view_by_id(id).map(|t| t.status)
                        == Some(TransactionStatus::PendingApproval);
                    if !pending {
                        continue;
                    }
                    let expiry = Decision {
                        status: TransactionStatus::Expired,
                        decided_by: None,
                        at,
                        reason: None,
                    };
                    let Some(transfer) = self.transfers.decide(id, expiry) else {
                        continue;
                    };
                    self.return_units(&transfer, at);
                    self.notify_transfer(&transfer, EventType::TransferExpired, at);
                }
                Due::Cancellation(id) => {
                    let Some(cancellation) = self.cancellations.get_mut(id) else {
                        continue;
                    };
                    if cancellation.status != TransactionStatus::PendingApproval {
                        continue;
                    }
                    cancellation.status = TransactionStatus::Expired;
                    cancellation.decided_at = Some(at);
                    let expired = cancellation.clone();
                    self.set_units(
                        &expired.account_id,
                        &expired.unit_type,
                        &expired.serial_ranges,
                        BlockStatus::Available,
                        None,
                    );
                    self.notify_cancellation(&expired, EventType::CancellationExpired, at);
                }
                Due::Consent(id) => self.expire_consent(id, at),
                Due::Reservation(id) => self.expire_reservation(id, at),
                Due::Escrow(id) => self.expire_escrow(id, at),
            }
        }
    }

    /// Whether [`Registry::expire_due`] would change anything now: a read that finds nothing
    /// due can run on the registry as it is, beside other reads.
    pub(crate) fn expiry_due(&self) -> bool {
        self.expiries
            .first()
            .is_some_and(|(at, _)| self.lapsed(*at, self.now()))
    }

    /// Whether an expiry at `at` has taken effect at `now`.
    fn lapsed(&self, at: DateTime<Utc>, now: DateTime<Utc>) -> bool {
        // FAULT(expiry-off-by-one): whole seconds compared with `>`, so an item lapses only once
        // the second after its expiry has begun.
        let off_by_one = self.fault(Fault::ExpiryOffByOne);
        !(at > now || (off_by_one && now.timestamp() <= at.timestamp()))
    }

    // ---- helpers -------------------------------------------------------------------------------

    fn visible_transfer(&self, who: &Principal, transfer_id: &str) -> Result<Transfer, Problem> {
        let visible = |t: &TransferView<'_>| {
            [t.from_account_id, t.to_account_id]
                .into_iter()
                .any(|id| self.accounts.get(id).is_some_and(|a| a.is_visible_to(who)))
                || t.escrow_id.is_some_and(|escrow_id| {
                    who.platform_id().is_some_and(|p| {
                        self.escrows
                            .get(escrow_id)
                            .is_some_and(|e| e.controller_id == p)
                    })
                })
        };
        self.transfers
            .view_by_id(transfer_id)
            .filter(visible)
            .map(|t| t.transfer())
            .ok_or_else(|| {
            ProblemType::NotFound.problem(format!(
                "no transfer {transfer_id} is visible to you: it does not exist or you represent neither its source \
                 nor its destination account"
            ))
        })
    }

    fn visible_cancellation(
        &self,
        who: &Principal,
        cancellation_id: &str,
    ) -> Result<&Cancellation, Problem> {
        let visible = |c: &&Cancellation| {
            self.accounts
                .get(&c.account_id)
                .is_some_and(|a| a.is_visible_to(who))
        };
        self.cancellations.get(cancellation_id).filter(visible).ok_or_else(|| {
            ProblemType::NotFound.problem(format!(
                "no cancellation {cancellation_id} is visible to you: it does not exist or you do not represent its account"
            ))
        })
    }

    /// An account a stored transaction refers to. Always present; a missing one is refused
    /// rather than half-applied.
    pub(super) fn account_record(&self, account_id: &str) -> Result<&AccountRecord, Problem> {
        self.accounts.get(account_id).ok_or_else(|| {
            ProblemType::InvalidState.problem(format!("account {account_id} no longer exists"))
        })
    }

    /// Sets the status and holder of `ranges` in an account.
    pub(super) fn set_units(
        &mut self,
        account_id: &str,
        unit_type: &str,
        ranges: &[SerialRange],
        status: BlockStatus,
        holder: Option<&str>,
    ) {
        if let Some(account) = self.accounts.get_mut(account_id) {
            for range in ranges {
                account
                    .holdings
                    .set_status(unit_type, *range, status, holder);
            }
        }
    }

    /// Moves `ranges` from one account to another, where they arrive `available`.
    pub(super) fn move_units(
        &mut self,
        from: &str,
        to: &str,
        unit_type: &str,
        ranges: &[SerialRange],
    ) {
        let mut moved = Vec::new();
        if let Some(source) = self.accounts.get_mut(from) {
            for range in ranges {
                moved.extend(source.holdings.take(unit_type, *range));
            }
        }
        if let Some(destination) = self.accounts.get_mut(to) {
            for (range, attributes) in moved {
                destination.holdings.receive(unit_type, range, attributes);
            }
        }
    }

    /// The units of a transfer that ended without approval go back: to `available`, or to
    /// `reserved` when they came from a reservation.
    fn return_units(&mut self, transfer: &Transfer, at: DateTime<Utc>) {
        match &transfer.reservation_id {
            Some(reservation_id) => self.restore_reservation(reservation_id, at),
            None => self.set_units(
                &transfer.from_account_id,
                &transfer.unit_type,
                &transfer.serial_ranges,
                BlockStatus::Available,
                None,
            ),
        }
    }

    /// Sends `transfer.completed` to every platform holding an active `holdings_read` or
    /// `transactions_read` consent on the source or destination account, and to the escrow's
    /// controller for a settlement. The event names the source account unless the platform sees
    /// only the destination.
    pub(super) fn announce_transfer(&mut self, transfer: &Transfer, controller: Option<&str>) {
        let scopes = [ConsentScope::HoldingsRead, ConsentScope::TransactionsRead];
        let (from, to) = (&transfer.from_account_id, &transfer.to_account_id);
        let recipients: Vec<(String, String)> = self
            .platforms
            .keys()
            .filter_map(|platform_id| {
                // FAULT(event-after-consent-ended): any consent ever held counts, revoked ones too.
                let ended_too = self.fault(Fault::EventAfterConsentEnded);
                // FAULT(consent-subset-leaks-events): a consent's subset is not looked at.
                let any_units = self.fault(Fault::ConsentSubsetLeaksEvents);
                let sees = |account: &str| {
                    (self.has_scope(platform_id, account, &scopes)
                        // REQ-SCOPE-017: a subset consent counts only for its own units.
                        && (any_units
                            || !self
                                .selected_units(
                                    &self.lens(platform_id, account, &scopes),
                                    &transfer.unit_type,
                                    &transfer.serial_ranges,
                                )
                                .is_empty()))
                        || (ended_too && self.ever_consented(platform_id, account))
                };
                let on_from = controller == Some(platform_id.as_str()) || sees(from);
                let account = if on_from {
                    from
                } else if sees(to) {
                    to
                } else {
                    return None;
                };
                Some((platform_id.clone(), account.clone()))
            })
            .collect();
        let at = transfer.decided_at.unwrap_or(transfer.initiated_at);
        for (platform_id, account_id) in recipients {
            self.emit(
                &platform_id,
                EventType::TransferCompleted,
                at,
                EventData {
                    account_id,
                    transfer_id: Some(transfer.transfer_id.clone()),
                    status: wire_name(&transfer.status),
                    ..EventData::default()
                },
            );
        }
    }

    /// Tells the representatives of a transfer's source and destination accounts about it.
    pub(super) fn notify_transfer(
        &mut self,
        transfer: &Transfer,
        event: EventType,
        at: DateTime<Utc>,
    ) {
        self.notify_representatives(
            &[&transfer.from_account_id, &transfer.to_account_id],
            event,
            at,
            EventData {
                transfer_id: Some(transfer.transfer_id.clone()),
                status: wire_name(&transfer.status),
                ..EventData::default()
            },
        );
    }

    /// Tells the representatives of a cancellation's account about it.
    fn notify_cancellation(
        &mut self,
        cancellation: &Cancellation,
        event: EventType,
        at: DateTime<Utc>,
    ) {
        self.notify_representatives(
            &[&cancellation.account_id],
            event,
            at,
            EventData {
                cancellation_id: Some(cancellation.cancellation_id.clone()),
                status: wire_name(&cancellation.status),
                ..EventData::default()
            },
        );
    }

    pub(super) fn decide_transfer(
        &mut self,
        transfer_id: &str,
        status: TransactionStatus,
        who: &Principal,
        at: chrono::DateTime<chrono::Utc>,
        reason: Option<String>,
    ) -> Result<Transfer, Problem> {
        let decision = Decision {
            status,
            decided_by: who.representative_id(),
            at,
            reason,
        };
        self.transfers
            .decide(transfer_id, decision)
            .ok_or_else(|| ProblemType::NotFound.problem(format!("no transfer {transfer_id}")))
    }

    fn decide_cancellation(
        &mut self,
        cancellation_id: &str,
        status: TransactionStatus,
        who: &Principal,
        at: chrono::DateTime<chrono::Utc>,
    ) -> Result<Cancellation, Problem> {
        let cancellation = self.cancellations.get_mut(cancellation_id).ok_or_else(|| {
            ProblemType::NotFound.problem(format!("no cancellation {cancellation_id}"))
        })?;
        cancellation.status = status;
        cancellation.decided_by = who.representative_id().map(str::to_owned);
        cancellation.decided_at = Some(at);
        Ok(cancellation.clone())
    }
}

/// `403 forbidden` unless `who` holds `role` on the (visible) account.
pub(super) fn require_role(
    account: &AccountRecord,
    who: &Principal,
    role: Role,
    action: &str,
) -> Result<(), Problem> {
    let roles = account.roles_of(who);
    if roles.is_some_and(|r| r.contains(&role)) {
        return Ok(());
    }
    let role_name = match role {
        Role::Initiator => "initiator",
        Role::Approver => "approver",
    };
    let held = match roles {
        Some(r) if !r.is_empty() => {
            let names: Vec<&str> = r
                .iter()
                .map(|r| match r {
                    Role::Initiator => "initiator",
                    Role::Approver => "approver",
                })
                .collect();
            format!("you hold {} there", names.join(" and "))
        }
        _ => "you hold no role there".to_owned(),
    };
    Err(ProblemType::Forbidden.problem(format!(
        "only an {role_name} of account {} may {action} it; {held}. Ask the account holder to appoint an {role_name}",
        account.account_id
    )))
}

/// `409 invalid-state` unless the transaction is still pending.
fn require_pending(id: &str, status: TransactionStatus, action: &str) -> Result<(), Problem> {
    if status == TransactionStatus::PendingApproval {
        return Ok(());
    }
    let status = match status {
        TransactionStatus::PendingApproval => "pending approval",
        TransactionStatus::Completed => "completed",
        TransactionStatus::Rejected => "rejected",
        TransactionStatus::Rescinded => "rescinded",
        TransactionStatus::Expired => "expired",
    };
    Err(ProblemType::InvalidState.problem(format!(
        "{id} is {status}; only a transaction pending approval can be {action}. Completed transactions are \
         immutable: make a new transaction instead"
    )))
}

impl Registry {
    /// Four eyes: `403 second-approver-required` when the decider initiated the transaction and
    /// the account has more than one representative.
    pub(super) fn four_eyes(
        &self,
        account: &AccountRecord,
        who: &Principal,
        initiated_by: &str,
        id: &str,
        action: &str,
    ) -> Result<(), Problem> {
        if self.fault(Fault::SelfApproval) {
            // FAULT(self-approval): the four-eyes rule is not applied.
            return Ok(());
        }
        let mut representatives = account.appointments.len();
        if self.fault(Fault::DelegateNotCountedForFourEyes) {
            // FAULT(delegate-not-counted-for-four-eyes): delegates are left out of the count.
            representatives = account
                .appointments
                .keys()
                .filter(|id| !self.is_delegate(&account.account_id, id))
                .count();
        }
        four_eyes(representatives, account, who, initiated_by, id, action)
    }
}

/// Four eyes: `403 second-approver-required` when the decider initiated the transaction and the
/// account has more than one (`representatives`) representative.
fn four_eyes(
    representatives: usize,
    account: &AccountRecord,
    who: &Principal,
    initiated_by: &str,
    id: &str,
    action: &str,
) -> Result<(), Problem> {
    if who.representative_id() == Some(initiated_by) && representatives > 1 {
        return Err(ProblemType::SecondApproverRequired.problem(format!(
            "you initiated {id} and account {} has {representatives} authorised representatives, so another \
             approver must {action} it (four-eyes rule)",
            account.account_id
        )));
    }
    Ok(())
}

/// Units move only in and out of open accounts.
pub(super) fn require_open(account: &AccountRecord) -> Result<(), Problem> {
    if account.status == AccountStatus::Open {
        Ok(())
    } else {
        Err(ProblemType::InvalidState.problem(format!(
            "account {} is closed; no units move in or out",
            account.account_id
        )))
    }
}

/// Validates how a transfer or cancellation chooses units (`422 validation-failed`).
pub(crate) fn choose_units(
    unit_type: &str,
    quantity: Option<u64>,
    serial_ranges: Option<&[SerialRange]>,
    vintage: Option<&str>,
    project_id: Option<&str>,
) -> Result<UnitSelection, Problem> {
    check_unit_type(unit_type)?;
    match (quantity, serial_ranges) {
        (Some(_), Some(_)) => Err(validation_failed(
            "/serial_ranges",
            "choose units either by serial_ranges or by quantity, not both",
        )),
        (None, None) => Err(validation_failed(
            "/quantity",
            "choose units by serial_ranges or by quantity",
        )),
        (Some(0), None) => Err(validation_failed("/quantity", "must be at least 1")),
        (Some(quantity), None) => Ok(UnitSelection::Quantity {
            quantity,
            vintage: vintage.map(str::to_owned),
            project_id: project_id.map(str::to_owned),
        }),
        (None, Some(ranges)) => {
            if vintage.is_some() || project_id.is_some() {
                let field = if vintage.is_some() {
                    "/vintage"
                } else {
                    "/project_id"
                };
                return Err(validation_failed(
                    field,
                    "vintage and project_id filter a choice by quantity; serial_ranges already name the units",
                ));
            }
            if ranges.is_empty() {
                return Err(validation_failed(
                    "/serial_ranges",
                    "give at least one serial range",
                ));
            }
            if let Some((i, _)) = ranges
                .iter()
                .enumerate()
                .find(|(_, r)| r.serial_end < r.serial_start)
            {
                return Err(validation_failed(
                    &format!("/serial_ranges/{i}"),
                    "serial_end must not be less than serial_start",
                ));
            }
            let mut sorted = ranges.to_vec();
            sorted.sort();
            if let Some(pair) = sorted
                .windows(2)
                .find(|pair| pair[0].serial_end >= pair[1].serial_start)
            {
                return Err(validation_failed(
                    "/serial_ranges",
                    format!(
                        "ranges {} and {} overlap; list each serial once",
                        describe(pair[0]),
                        describe(pair[1])
                    ),
                ));
            }
            let distinct: BTreeSet<SerialRange> = sorted.iter().copied().collect();
            Ok(UnitSelection::Serials(distinct.into_iter().collect()))
        }
    }
}
