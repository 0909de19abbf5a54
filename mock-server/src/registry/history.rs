//! The transaction history of one account, kept in the order it is served: `created_at`, then
//! `transaction_id`. A page is found from its cursor by a range lookup, so serving a page costs the
//! same on an account with ten transactions as on one with a million.

use std::collections::BTreeMap;
use std::ops::Bound;

use chrono::{DateTime, Utc};
use ucr_spec::model::TransactionKind;

/// A reference to one transaction of any kind, by id.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) enum TransactionRef {
    Issuance(String),
    Transfer(String),
    Cancellation(String),
}

impl TransactionRef {
    pub(crate) fn kind(&self) -> TransactionKind {
        match self {
            TransactionRef::Issuance(_) => TransactionKind::Issuance,
            TransactionRef::Transfer(_) => TransactionKind::Transfer,
            TransactionRef::Cancellation(_) => TransactionKind::Cancellation,
        }
    }
}

/// The key a history page's cursor names: `(created_at, transaction_id)` of the last entry served.
pub type HistoryKey = (DateTime<Utc>, String);

/// What kind of transaction an entry is; with the id in the key it rebuilds the reference.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Issuance,
    Transfer,
    Cancellation,
}

/// One account's transactions, ordered by `(created_at, transaction_id)`.
///
/// A transaction's `created_at` never changes, so an entry never moves once recorded.
#[derive(Debug, Clone, Default)]
pub(crate) struct History {
    entries: BTreeMap<HistoryKey, Kind>,
}

impl History {
    /// Records a transaction created at `at`.
    pub fn record(&mut self, at: DateTime<Utc>, reference: &TransactionRef) {
        let (key, kind) = entry(at, reference.clone());
        self.entries.insert(key, kind);
    }

    /// A history of these transactions (built in one pass; fastest when they come in order).
    pub fn from_entries(
        entries: impl IntoIterator<Item = (DateTime<Utc>, TransactionRef)>,
    ) -> Self {
        History {
            entries: entries
                .into_iter()
                .map(|(at, reference)| entry(at, reference))
                .collect(),
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
        after: Option<&HistoryKey>,
        from: Option<DateTime<Utc>>,
        to: Option<DateTime<Utc>>,
    ) -> impl Iterator<Item = (DateTime<Utc>, TransactionRef)> + 'a {
        // The lower bound is the later of the cursor (exclusive) and `from` (inclusive; the empty
        // id sorts before every id created at that instant).
        let lower = match (after, from) {
            (Some(after), Some(from)) if after.0 < from => Bound::Included((from, String::new())),
            (Some(after), _) => Bound::Excluded(after.clone()),
            (None, Some(from)) => Bound::Included((from, String::new())),
            (None, None) => Bound::Unbounded,
        };
        let upper = match to {
            Some(to) => Bound::Excluded((to, String::new())),
            None => Bound::Unbounded,
        };
        // `BTreeMap::range` panics on an inverted or empty-exclusive range; such a window is empty.
        let empty = match (&lower, &upper) {
            (Bound::Included(l) | Bound::Excluded(l), Bound::Excluded(u)) => l >= u,
            _ => false,
        };
        let range = if empty {
            None
        } else {
            Some(self.entries.range((lower, upper)))
        };
        range.into_iter().flatten().map(|((at, id), kind)| {
            let reference = match kind {
                Kind::Issuance => TransactionRef::Issuance(id.clone()),
                Kind::Transfer => TransactionRef::Transfer(id.clone()),
                Kind::Cancellation => TransactionRef::Cancellation(id.clone()),
            };
            (*at, reference)
        })
    }
}

fn entry(at: DateTime<Utc>, reference: TransactionRef) -> (HistoryKey, Kind) {
    match reference {
        TransactionRef::Issuance(id) => ((at, id), Kind::Issuance),
        TransactionRef::Transfer(id) => ((at, id), Kind::Transfer),
        TransactionRef::Cancellation(id) => ((at, id), Kind::Cancellation),
    }
}

#[cfg(test)]
mod tests {
    use chrono::TimeDelta;

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
            .map(|(_, r)| match r {
                TransactionRef::Issuance(id)
                | TransactionRef::Transfer(id)
                | TransactionRef::Cancellation(id) => id,
            })
            .collect()
    }

    #[test]
    fn windows_follow_created_at_then_id_and_respect_cursor_and_bounds() {
        let mut history = History::default();
        // Recorded out of order on purpose; equal instants are ordered by id.
        history.record(at(20), &TransactionRef::Transfer("TRF-000002".into()));
        history.record(at(10), &TransactionRef::Issuance("ISS-000001".into()));
        history.record(at(20), &TransactionRef::Cancellation("CAN-000001".into()));
        history.record(at(30), &TransactionRef::Transfer("TRF-000003".into()));
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
    }
}
