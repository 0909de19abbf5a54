//! The model's invariants, checked over the whole state: conservation of units, no overlapping
//! serials, and every locked block accounted for by exactly one live transaction, reservation or
//! escrow.

use std::collections::{BTreeMap, BTreeSet};

use ucr_spec::model::{BlockStatus, SerialRange, TransactionStatus};
use ucr_spec::trading::{EscrowStatus, ReservationStatus};

use super::Registry;

impl Registry {
    /// Checks the model's invariants: per unit type, units issued equal units held in all accounts
    /// (any status); serial ranges never overlap across all accounts; `pending` blocks belong to
    /// exactly one pending transaction of their account and add up to its quantity; `reserved`
    /// blocks to exactly one active reservation of their account (not inside a transfer) and
    /// `escrowed` blocks to exactly one active escrow of their account, each adding up to its
    /// quantity; no other block carries a holder; live associations are 1:1 and sit on units where
    /// their status says. Returns the first violation found.
    pub fn check_invariants(&self) -> Result<(), String> {
        let mut held: BTreeMap<&str, u64> = BTreeMap::new();
        let mut all: Vec<(&str, SerialRange, &str)> = Vec::new();
        let mut pending: BTreeMap<&str, u64> = BTreeMap::new();
        let mut locked: BTreeMap<&str, u64> = BTreeMap::new();
        for account in self.accounts.values() {
            let id = account.account_id.as_str();
            for (unit_type, range, status, transaction) in account.holdings.ranges() {
                if range.serial_start > range.serial_end {
                    return Err(format!(
                        "{id}: block {unit_type}-{} ends before it starts",
                        range.serial_start
                    ));
                }
                *held.entry(unit_type).or_default() += range.quantity();
                all.push((unit_type, range, id));
                match (status, transaction) {
                    (BlockStatus::Pending, Some(tx)) => {
                        let (source, status) = match self.transfers.view_by_id(tx) {
                            Some(t) => (t.from_account_id, t.status),
                            None => match self.cancellations.get(tx) {
                                Some(c) => (c.account_id.as_str(), c.status),
                                None => {
                                    return Err(format!(
                                        "{id}: pending block held by unknown transaction {tx}"
                                    ));
                                }
                            },
                        };
                        if source != id || status != TransactionStatus::PendingApproval {
                            return Err(format!(
                                "{id}: block pending in {tx}, which is {status:?} from {source}"
                            ));
                        }
                        *pending.entry(tx).or_default() += range.quantity();
                    }
                    (BlockStatus::Pending, None) => {
                        return Err(format!(
                            "{id}: pending block {unit_type}-{} has no transaction",
                            range.serial_start
                        ));
                    }
                    (BlockStatus::Reserved, Some(holder)) => {
                        let owner = self.reservations.get(holder).filter(|r| {
                            r.reservation.account_id == id
                                && r.reservation.status == ReservationStatus::Active
                                && r.pending_transfer.is_none()
                        });
                        if owner.is_none() {
                            return Err(format!(
                                "{id}: reserved block {unit_type}-{} belongs to no active reservation of the \
                                 account ({holder})",
                                range.serial_start
                            ));
                        }
                        *locked.entry(holder).or_default() += range.quantity();
                    }
                    (BlockStatus::Escrowed, Some(holder)) => {
                        let owner = self
                            .escrows
                            .get(holder)
                            .filter(|e| e.account_id == id && escrow_is_live(e.status));
                        if owner.is_none() {
                            return Err(format!(
                                "{id}: escrowed block {unit_type}-{} belongs to no pending or active escrow \
                                 of the account ({holder})",
                                range.serial_start
                            ));
                        }
                        *locked.entry(holder).or_default() += range.quantity();
                    }
                    (BlockStatus::Reserved | BlockStatus::Escrowed, None) => {
                        return Err(format!(
                            "{id}: {status:?} block {unit_type}-{} belongs to nothing",
                            range.serial_start
                        ));
                    }
                    (_, Some(tx)) => {
                        return Err(format!(
                            "{id}: {status:?} block {unit_type}-{} names transaction {tx}",
                            range.serial_start
                        ));
                    }
                    (_, None) => {}
                }
            }
        }
        for unit_type in held
            .keys()
            .copied()
            .chain(self.issued.keys().map(String::as_str))
            .collect::<BTreeSet<_>>()
        {
            let (h, i) = (
                held.get(unit_type).copied().unwrap_or(0),
                self.issued.get(unit_type).copied().unwrap_or(0),
            );
            if h != i {
                return Err(format!(
                    "conservation: {i} {unit_type} units issued but {h} held"
                ));
            }
        }
        all.sort_by_key(|(unit_type, range, _)| (*unit_type, range.serial_start));
        for pair in all.windows(2) {
            let ((t1, r1, a1), (t2, r2, a2)) = (pair[0], pair[1]);
            if t1 == t2 && r1.serial_end >= r2.serial_start {
                return Err(format!(
                    "overlap: {t1} {}–{} in {a1} and {}–{} in {a2}",
                    r1.serial_start, r1.serial_end, r2.serial_start, r2.serial_end
                ));
            }
        }
        let pending_transactions = self
            .transfers
            .iter()
            .filter(|t| t.status == TransactionStatus::PendingApproval)
            .map(|t| (t.transfer_id.to_string(), t.quantity))
            .chain(
                self.cancellations
                    .values()
                    .filter(|c| c.status == TransactionStatus::PendingApproval)
                    .map(|c| (c.cancellation_id.clone(), c.quantity)),
            );
        for (id, quantity) in pending_transactions {
            let in_it = pending.get(id.as_str()).copied().unwrap_or(0);
            if in_it != quantity {
                return Err(format!(
                    "{id} is pending for {quantity} units but {in_it} are pending in it"
                ));
            }
        }
        for record in self.reservations.values() {
            let reservation = &record.reservation;
            let id = reservation.reservation_id.as_str();
            let active = reservation.status == ReservationStatus::Active;
            match (&record.pending_transfer, active) {
                (Some(transfer_id), true) => {
                    let consistent = self.transfers.view_by_id(transfer_id).is_some_and(|t| {
                        t.status == TransactionStatus::PendingApproval
                            && t.reservation_id == Some(id)
                            && *t.serial_ranges == *reservation.serial_ranges
                    });
                    if !consistent {
                        return Err(format!(
                            "{id} is in transfer {transfer_id}, which is not a pending transfer of its units"
                        ));
                    }
                }
                (Some(transfer_id), false) => {
                    return Err(format!("{id} is not active but in transfer {transfer_id}"));
                }
                (None, true) => {
                    let reserved = locked.get(id).copied().unwrap_or(0);
                    if reserved != reservation.quantity {
                        return Err(format!(
                            "{id} reserves {} units but {reserved} are reserved in it",
                            reservation.quantity
                        ));
                    }
                }
                (None, false) => {}
            }
        }
        for transfer in self.transfers.iter() {
            if let Some(reservation_id) = transfer.reservation_id
                && transfer.status == TransactionStatus::PendingApproval
                && self
                    .reservations
                    .get(reservation_id)
                    .and_then(|r| r.pending_transfer.as_ref())
                    .map(String::as_str)
                    != Some(&*transfer.transfer_id.text())
            {
                return Err(format!(
                    "{} is pending with {reservation_id}, which does not know it",
                    transfer.transfer_id
                ));
            }
        }
        for escrow in self.escrows.values() {
            if escrow_is_live(escrow.status) {
                let escrowed = locked.get(escrow.escrow_id.as_str()).copied().unwrap_or(0);
                if escrowed != escrow.quantity {
                    return Err(format!(
                        "{} escrows {} units but {escrowed} are escrowed in it",
                        escrow.escrow_id, escrow.quantity
                    ));
                }
            }
        }
        self.check_associations()
    }
}

/// Whether an escrow still holds its units `escrowed`: pending approval or active.
fn escrow_is_live(status: EscrowStatus) -> bool {
    matches!(status, EscrowStatus::PendingApproval | EscrowStatus::Active)
}
