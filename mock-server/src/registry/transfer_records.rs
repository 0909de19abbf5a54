//! The registry's transfers, stored compactly: a transfer is found by its number (`TRF-000042` is
//! the 42nd slot); the account, representative and unit type IDs it names are numbers into one
//! table of names kept once per registry; its serial range (usually one) is kept inline; and the
//! fields few transfers have (a rejection's reason, a reservation, an escrow) sit behind one
//! pointer. A stored transfer is about 120 bytes with no allocation of its own, where a
//! [`Transfer`] keyed by its ID in a map took some 600 with eight allocations: at scale most of a
//! unit block's memory was its transaction. Finding one is an index, not a dozen string
//! comparisons, which was much of what finding a history page's rows cost.
//!
//! The wire form, [`Transfer`], is built only when a whole transfer is shown or changed;
//! [`TransferView`] reads one in place.

use std::collections::HashMap;
use std::num::NonZeroU32;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use smallvec::SmallVec;
use ucr_spec::model::{SerialRange, TransactionKind, TransactionStatus};
use ucr_spec::transactions::Transfer;

use super::transaction_id::TransactionId;

/// Every transfer, by number.
#[derive(Debug, Clone, Default)]
pub(crate) struct TransferRecords {
    /// Slot `n - 1` holds transfer `n`; `None` where a number was never used.
    slots: Vec<Option<StoredTransfer>>,
    /// How many slots are filled.
    count: usize,
    /// The IDs and unit types stored transfers name, each kept once.
    names: Names,
}

/// One transfer as stored: names are numbers in [`Names`]. [`TransferRecords::view`] reads it.
#[derive(Debug, Clone)]
struct StoredTransfer {
    status: TransactionStatus,
    from_account_id: NameId,
    to_account_id: NameId,
    unit_type: NameId,
    quantity: u64,
    serial_ranges: SmallVec<[SerialRange; 1]>,
    reference: Option<Box<str>>,
    initiated_by: NameId,
    initiated_at: DateTime<Utc>,
    expires_at: DateTime<Utc>,
    decided_by: Option<NameId>,
    decided_at: Option<DateTime<Utc>>,
    rare: Option<Box<Rare>>,
}

/// What few transfers have.
#[derive(Debug, Clone, Default)]
struct Rare {
    reason: Option<String>,
    reservation_id: Option<String>,
    escrow_id: Option<String>,
}

/// A stored transfer as it reads, borrowed from the records; [`TransferView::transfer`] is its
/// wire form.
#[derive(Debug, Clone, Copy)]
pub(crate) struct TransferView<'a> {
    pub transfer_id: TransactionId,
    pub status: TransactionStatus,
    pub from_account_id: &'a str,
    pub to_account_id: &'a str,
    pub unit_type: &'a str,
    pub quantity: u64,
    pub serial_ranges: &'a [SerialRange],
    pub reference: Option<&'a str>,
    pub initiated_by: &'a str,
    pub initiated_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    pub decided_by: Option<&'a str>,
    pub decided_at: Option<DateTime<Utc>>,
    pub reason: Option<&'a str>,
    pub reservation_id: Option<&'a str>,
    pub escrow_id: Option<&'a str>,
}

impl TransferView<'_> {
    /// The wire form.
    pub fn transfer(&self) -> Transfer {
        Transfer {
            transfer_id: self.transfer_id.to_string(),
            status: self.status,
            from_account_id: self.from_account_id.to_owned(),
            to_account_id: self.to_account_id.to_owned(),
            unit_type: self.unit_type.to_owned(),
            quantity: self.quantity,
            serial_ranges: self.serial_ranges.to_vec(),
            reference: self.reference.map(str::to_owned),
            initiated_by: self.initiated_by.to_owned(),
            initiated_at: self.initiated_at,
            expires_at: self.expires_at,
            decided_by: self.decided_by.map(str::to_owned),
            decided_at: self.decided_at,
            reason: self.reason.map(str::to_owned),
            reservation_id: self.reservation_id.map(str::to_owned),
            escrow_id: self.escrow_id.map(str::to_owned),
        }
    }
}

/// How a pending transfer ends.
#[derive(Debug, Clone)]
pub(crate) struct Decision<'a> {
    pub status: TransactionStatus,
    /// Who decided; `None` when it expired.
    pub decided_by: Option<&'a str>,
    pub at: DateTime<Utc>,
    pub reason: Option<String>,
}

impl TransferRecords {
    /// Stores `transfer`, whose ID must be one the registry writes (`TRF-` and its number);
    /// a transfer already stored under that number is replaced.
    ///
    /// # Panics
    /// When `transfer.transfer_id` is not such an ID: the registry numbers every transfer it makes.
    pub fn insert(&mut self, transfer: Transfer) {
        let number = number_of(&transfer.transfer_id)
            .filter(|n| *n > 0)
            .unwrap_or_else(|| panic!("{} is not a transfer ID", transfer.transfer_id));
        let names = &mut self.names;
        let rare = Rare {
            reason: transfer.reason,
            reservation_id: transfer.reservation_id,
            escrow_id: transfer.escrow_id,
        };
        let rare =
            (rare.reason.is_some() || rare.reservation_id.is_some() || rare.escrow_id.is_some())
                .then(|| Box::new(rare));
        let stored = StoredTransfer {
            status: transfer.status,
            from_account_id: names.intern(&transfer.from_account_id),
            to_account_id: names.intern(&transfer.to_account_id),
            unit_type: names.intern(&transfer.unit_type),
            quantity: transfer.quantity,
            serial_ranges: SmallVec::from_vec(transfer.serial_ranges),
            reference: transfer.reference.map(String::into_boxed_str),
            initiated_by: names.intern(&transfer.initiated_by),
            initiated_at: transfer.initiated_at,
            expires_at: transfer.expires_at,
            decided_by: transfer.decided_by.as_deref().map(|id| names.intern(id)),
            decided_at: transfer.decided_at,
            rare,
        };
        let index = number as usize - 1;
        if self.slots.len() <= index {
            self.slots.resize(index + 1, None);
        }
        if self.slots[index].replace(stored).is_none() {
            self.count += 1;
        }
    }

    /// The transfer numbered `number`.
    pub fn view(&self, number: u32) -> Option<TransferView<'_>> {
        let stored = self
            .slots
            .get((number as usize).checked_sub(1)?)?
            .as_ref()?;
        let name = |id: NameId| self.names.get(id);
        let rare = stored.rare.as_deref();
        Some(TransferView {
            transfer_id: TransactionId::new(TransactionKind::Transfer, u64::from(number)),
            status: stored.status,
            from_account_id: name(stored.from_account_id),
            to_account_id: name(stored.to_account_id),
            unit_type: name(stored.unit_type),
            quantity: stored.quantity,
            serial_ranges: &stored.serial_ranges,
            reference: stored.reference.as_deref(),
            initiated_by: name(stored.initiated_by),
            initiated_at: stored.initiated_at,
            expires_at: stored.expires_at,
            decided_by: stored.decided_by.map(name),
            decided_at: stored.decided_at,
            reason: rare.and_then(|r| r.reason.as_deref()),
            reservation_id: rare.and_then(|r| r.reservation_id.as_deref()),
            escrow_id: rare.and_then(|r| r.escrow_id.as_deref()),
        })
    }

    /// The transfer with the ID `transfer_id`.
    pub fn view_by_id(&self, transfer_id: &str) -> Option<TransferView<'_>> {
        self.view(number_of(transfer_id)?)
    }

    /// The transfer with the ID `transfer_id`, in its wire form.
    #[cfg(test)]
    pub fn get(&self, transfer_id: &str) -> Option<Transfer> {
        Some(self.view_by_id(transfer_id)?.transfer())
    }

    /// Ends the transfer `transfer_id` as `decision` says, and gives its wire form.
    pub fn decide(&mut self, transfer_id: &str, decision: Decision<'_>) -> Option<Transfer> {
        let number = number_of(transfer_id)?;
        let index = (number as usize).checked_sub(1)?;
        // Looked up before a name is interned for it: an unknown transfer changes nothing.
        self.slots.get(index)?.as_ref()?;
        let decided_by = decision.decided_by.map(|id| self.names.intern(id));
        let stored = self.slots.get_mut(index)?.as_mut()?;
        stored.status = decision.status;
        stored.decided_by = decided_by;
        stored.decided_at = Some(decision.at);
        match (&mut stored.rare, decision.reason) {
            (Some(rare), reason) => rare.reason = reason,
            (None, Some(reason)) => {
                stored.rare = Some(Box::new(Rare {
                    reason: Some(reason),
                    ..Rare::default()
                }));
            }
            (None, None) => {}
        }
        Some(self.view(number)?.transfer())
    }

    /// How many transfers are stored.
    pub fn len(&self) -> usize {
        self.count
    }

    /// Every transfer, in number order.
    pub fn iter(&self) -> impl Iterator<Item = TransferView<'_>> + '_ {
        (1..=self.slots.len() as u32).filter_map(|number| self.view(number))
    }
}

impl FromIterator<Transfer> for TransferRecords {
    fn from_iter<I: IntoIterator<Item = Transfer>>(transfers: I) -> Self {
        let mut records = TransferRecords::default();
        for transfer in transfers {
            records.insert(transfer);
        }
        records
    }
}

/// The number of a transfer ID the registry writes.
fn number_of(transfer_id: &str) -> Option<u32> {
    TransactionId::parse(transfer_id)
        .filter(|id| id.kind() == TransactionKind::Transfer)
        .map(TransactionId::number)
}

/// A name's number in [`Names`]: four bytes where a shared string would take sixteen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct NameId(NonZeroU32);

/// Strings kept once each and named by number.
#[derive(Debug, Clone, Default)]
struct Names {
    /// Name `n` is at `n - 1`.
    texts: Vec<Arc<str>>,
    numbers: HashMap<Arc<str>, NameId>,
}

impl Names {
    fn intern(&mut self, text: &str) -> NameId {
        if let Some(id) = self.numbers.get(text) {
            return *id;
        }
        let shared: Arc<str> = Arc::from(text);
        self.texts.push(Arc::clone(&shared));
        let number = u32::try_from(self.texts.len())
            .ok()
            .and_then(NonZeroU32::new)
            .unwrap_or_else(|| panic!("more than {} distinct names", u32::MAX));
        let id = NameId(number);
        self.numbers.insert(shared, id);
        id
    }

    fn get(&self, id: NameId) -> &str {
        self.texts
            .get(id.0.get() as usize - 1)
            .map_or("", |text| text)
    }
}

#[cfg(test)]
mod tests {
    use chrono::TimeDelta;

    use super::*;

    fn transfer(number: u64) -> Transfer {
        let at = DateTime::UNIX_EPOCH + TimeDelta::seconds(number as i64);
        Transfer {
            transfer_id: format!("TRF-{number:06}"),
            status: TransactionStatus::PendingApproval,
            from_account_id: "AU-1000001".into(),
            to_account_id: "AU-1000002".into(),
            unit_type: "ACCU".into(),
            quantity: 150,
            serial_ranges: vec![
                SerialRange {
                    serial_start: 1,
                    serial_end: 100,
                },
                SerialRange {
                    serial_start: 201,
                    serial_end: 250,
                },
            ],
            reference: Some("Trade 17".into()),
            initiated_by: "AR-000001".into(),
            initiated_at: at,
            expires_at: at + TimeDelta::days(7),
            decided_by: None,
            decided_at: None,
            reason: None,
            reservation_id: Some("RSV-000001".into()),
            escrow_id: None,
        }
    }

    #[test]
    fn a_stored_transfer_comes_back_as_it_went_in() {
        let mut records = TransferRecords::default();
        let (first, third) = (transfer(1), transfer(3));
        records.insert(third.clone());
        records.insert(first.clone());
        assert_eq!(records.len(), 2);
        assert_eq!(records.get("TRF-000001"), Some(first.clone()));
        assert_eq!(records.get("TRF-000003"), Some(third.clone()));
        assert_eq!(records.get("TRF-000002"), None);
        assert_eq!(records.get("TRF-1"), None);
        assert_eq!(records.get("TRF-000000"), None);
        assert_eq!(records.get("CAN-000001"), None);
        let all: Vec<Transfer> = records.iter().map(|t| t.transfer()).collect();
        assert_eq!(all, [first, third]);
        // Names are kept once, not copied per transfer: two accounts, a unit type, an initiator.
        assert_eq!(records.names.texts.len(), 4);
        let (a, b) = (records.view(1), records.view(3));
        assert!(
            a.zip(b)
                .is_some_and(|(a, b)| std::ptr::eq(a.unit_type, b.unit_type))
        );
    }

    #[test]
    fn a_decision_changes_status_decider_time_and_reason_only() {
        let mut records: TransferRecords = [transfer(1), transfer(2)].into_iter().collect();
        let at = DateTime::UNIX_EPOCH + TimeDelta::days(1);
        let decided = records.decide(
            "TRF-000002",
            Decision {
                status: TransactionStatus::Rejected,
                decided_by: Some("AR-000002"),
                at,
                reason: Some("wrong account".into()),
            },
        );
        let expected = Transfer {
            status: TransactionStatus::Rejected,
            decided_by: Some("AR-000002".into()),
            decided_at: Some(at),
            reason: Some("wrong account".into()),
            ..transfer(2)
        };
        assert_eq!(decided, Some(expected.clone()));
        assert_eq!(records.get("TRF-000002"), Some(expected));
        assert_eq!(records.get("TRF-000001"), Some(transfer(1)));
        let mut plain = transfer(3);
        plain.reservation_id = None;
        records.insert(plain.clone());
        let expired = records.decide(
            "TRF-000003",
            Decision {
                status: TransactionStatus::Expired,
                decided_by: None,
                at,
                reason: None,
            },
        );
        let expected = Transfer {
            status: TransactionStatus::Expired,
            decided_at: Some(at),
            ..plain
        };
        assert_eq!(expired, Some(expected));
        assert_eq!(
            records.decide(
                "TRF-000009",
                Decision {
                    status: TransactionStatus::Expired,
                    decided_by: None,
                    at,
                    reason: None
                }
            ),
            None
        );
    }
}
