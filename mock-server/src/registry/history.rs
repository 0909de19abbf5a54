//! The transaction history of one account, kept in the order it is served: `created_at`, then
//! `transaction_id`. A page is found from its cursor by a range lookup, so serving a page costs the
//! same on an account with ten transactions as on one with a million.

use std::borrow::Cow;
use std::collections::BTreeSet;
use std::ops::Bound;

use chrono::{DateTime, Utc};
use ucr_spec::model::{SerialRange, Transaction, TransactionStatus};

use super::transaction_id::TransactionId;

/// One row of an account's history as a read shows it, borrowed from the records it comes from
/// (the wire form is [`HistoryRow::transaction`]): the router writes a page of them without
/// copying them out first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct HistoryRow<'a> {
    /// The transaction's ID, which also gives its kind.
    pub transaction_id: TransactionId,
    pub status: TransactionStatus,
    pub unit_type: &'a str,
    pub quantity: u64,
    pub serial_ranges: Cow<'a, [SerialRange]>,
    pub from_account_id: Option<&'a str>,
    pub to_account_id: Option<&'a str>,
    pub reference: Option<&'a str>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl HistoryRow<'_> {
    /// The wire form.
    pub fn transaction(&self) -> Transaction {
        Transaction {
            transaction_id: self.transaction_id.to_string(),
            kind: self.transaction_id.kind(),
            status: self.status,
            unit_type: self.unit_type.to_owned(),
            quantity: self.quantity,
            serial_ranges: self.serial_ranges.to_vec(),
            from_account_id: self.from_account_id.map(str::to_owned),
            to_account_id: self.to_account_id.map(str::to_owned),
            reference: self.reference.map(str::to_owned),
            created_at: self.created_at,
            updated_at: self.updated_at,
        }
    }
}

/// The key a history page's cursor names: `(created_at, transaction_id)` of the last entry served.
pub type HistoryKey = (DateTime<Utc>, String);

/// One account's transactions, ordered by `(created_at, transaction_id)`: 20 bytes an entry.
///
/// A transaction's `created_at` never changes, so an entry never moves once recorded.
#[derive(Debug, Clone, Default)]
pub(crate) struct History {
    entries: BTreeSet<(DateTime<Utc>, TransactionId)>,
}

impl History {
    /// Records a transaction created at `at`.
    pub fn record(&mut self, at: DateTime<Utc>, id: TransactionId) {
        self.entries.insert((at, id));
    }

    /// A history of these transactions (built in one pass; fastest when they come in order).
    pub fn from_entries(entries: impl IntoIterator<Item = (DateTime<Utc>, TransactionId)>) -> Self {
        History {
            entries: entries.into_iter().collect(),
        }
    }

    /// How many transactions are recorded.
    #[cfg(test)]
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// The entries after `after` (exclusive), created at or after `from` and before `to`, in
    /// order. Only the entries the caller consumes are visited.
    pub fn window<'a>(
        &'a self,
        after: Option<&'a HistoryKey>,
        from: Option<DateTime<Utc>>,
        to: Option<DateTime<Utc>>,
    ) -> impl Iterator<Item = (DateTime<Utc>, TransactionId)> + 'a {
        // The lower bound is the later of the cursor (exclusive) and `from` (inclusive; the
        // smallest identifier sorts before every identifier created at that instant).
        let after = after.filter(|after| from.is_none_or(|from| after.0 >= from));
        let lower = match (after, from) {
            (Some((at, id)), _) => match TransactionId::parse(id) {
                Some(id) => Bound::Excluded((*at, id)),
                // A cursor naming an ID the registry never writes: start at its instant and
                // skip, below, what sorts up to its text.
                None => Bound::Included((*at, TransactionId::MIN)),
            },
            (None, Some(from)) => Bound::Included((from, TransactionId::MIN)),
            (None, None) => Bound::Unbounded,
        };
        let upper = match to {
            Some(to) => Bound::Excluded((to, TransactionId::MIN)),
            None => Bound::Unbounded,
        };
        // `BTreeSet::range` panics on an inverted or empty-exclusive range; such a window is empty.
        let empty = match (&lower, &upper) {
            (Bound::Included(l) | Bound::Excluded(l), Bound::Excluded(u)) => l >= u,
            _ => false,
        };
        let range = if empty {
            None
        } else {
            Some(self.entries.range((lower, upper)))
        };
        range
            .into_iter()
            .flatten()
            .skip_while(move |(at, id)| {
                after.is_some_and(|(after_at, after_id)| {
                    at == after_at && id.text().as_str() <= after_id.as_str()
                })
            })
            .copied()
    }
}

#[cfg(test)]
mod tests {
    use chrono::TimeDelta;

    use ucr_spec::model::TransactionKind;

    use super::*;

    fn at(ms: i64) -> DateTime<Utc> {
        DateTime::UNIX_EPOCH + TimeDelta::milliseconds(ms)
    }

    fn ids(
        history: &History,
        after: Option<&HistoryKey>,
        from: Option<i64>,
        to: Option<i64>,
    ) -> Vec<String> {
        history
            .window(after, from.map(at), to.map(at))
            .map(|(_, id)| id.to_string())
            .collect()
    }

    #[test]
    fn windows_follow_created_at_then_id_and_respect_cursor_and_bounds() {
        let mut history = History::default();
        // Recorded out of order on purpose; equal instants are ordered by id.
        let id = |kind, n| TransactionId::new(kind, n);
        history.record(at(20), id(TransactionKind::Transfer, 2));
        history.record(at(10), id(TransactionKind::Issuance, 1));
        history.record(at(20), id(TransactionKind::Cancellation, 1));
        history.record(at(30), id(TransactionKind::Transfer, 3));
        assert_eq!(history.len(), 4);
        let all = ["ISS-000001", "CAN-000001", "TRF-000002", "TRF-000003"];
        assert_eq!(ids(&history, None, None, None), all);
        let cursor = (at(20), "CAN-000001".to_owned());
        assert_eq!(ids(&history, Some(&cursor), None, None), all[2..]);
        assert_eq!(ids(&history, None, Some(20), None), all[1..]);
        assert_eq!(ids(&history, None, None, Some(20)), all[..1]);
        assert_eq!(ids(&history, Some(&cursor), Some(10), Some(30)), all[2..3]);
        // A cursor before `from` starts at `from`; windows that are empty do not panic.
        let early = (at(5), "ISS-000000".to_owned());
        assert_eq!(ids(&history, Some(&early), Some(30), None), all[3..]);
        assert!(ids(&history, Some(&cursor), None, Some(20)).is_empty());
        assert!(ids(&history, Some(&cursor), None, Some(10)).is_empty());
        assert!(ids(&history, None, Some(30), Some(30)).is_empty());
        assert!(ids(&history, None, Some(30), Some(10)).is_empty());
        // A cursor naming an ID the registry never writes finds its place by the ID's text.
        let odd = (at(20), "CAN-5".to_owned());
        assert_eq!(ids(&history, Some(&odd), None, None), all[2..]);
        let odd = (at(20), "BBB".to_owned());
        assert_eq!(ids(&history, Some(&odd), None, None), all[1..]);
    }
}
