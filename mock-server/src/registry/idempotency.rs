//! Idempotency records: the first response to each (principal, `Idempotency-Key`), kept 24 hours.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, TimeDelta, Utc};

use super::Registry;
use super::principal::Principal;

/// How long a key is remembered, in registry clock time.
pub const IDEMPOTENCY_RETENTION: TimeDelta = TimeDelta::hours(24);

/// What identifies "the same request" for a key: method, path and the exact body bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestFingerprint {
    /// HTTP method, e.g. `POST`.
    pub method: String,
    /// Request path, e.g. `/v1/transfers`.
    pub path: String,
    /// The request body, byte for byte.
    pub body: Vec<u8>,
}

/// A response as first sent, replayed verbatim for a retry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredResponse {
    /// HTTP status code.
    pub status: u16,
    /// `Content-Type` of the body.
    pub content_type: String,
    /// The body bytes.
    pub body: Vec<u8>,
}

/// The first request seen with a key, and its response.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdempotencyRecord {
    /// The request the key was first used with.
    pub fingerprint: RequestFingerprint,
    /// The response that request got.
    pub response: StoredResponse,
    /// When it was stored (registry clock).
    pub stored_at: DateTime<Utc>,
}

/// Records keyed per principal, evicted in storage order once older than the retention. Both are
/// B-trees, which grow a node at a time: as a hash table and a ring buffer, each doubling moved
/// every record kept so far while the registry was locked for a write, and the writes bench's p99
/// rose and fell with the doublings (up to 382 ms in a 5-second sample).
#[derive(Debug, Default)]
pub(crate) struct IdempotencyStore {
    records: BTreeMap<(Principal, String), IdempotencyRecord>,
    by_age: BTreeSet<(DateTime<Utc>, Principal, String)>,
}

impl IdempotencyStore {
    pub fn get(
        &mut self,
        who: &Principal,
        key: &str,
        now: DateTime<Utc>,
    ) -> Option<&IdempotencyRecord> {
        self.evict(now);
        self.records.get(&(who.clone(), key.to_owned()))
    }

    pub fn insert(&mut self, who: &Principal, key: &str, record: IdempotencyRecord) {
        self.evict(record.stored_at);
        let slot = (who.clone(), key.to_owned());
        if self.records.contains_key(&slot) {
            return;
        }
        self.by_age
            .insert((record.stored_at, who.clone(), key.to_owned()));
        self.records.insert(slot, record);
    }

    pub fn len(&self) -> usize {
        self.records.len()
    }

    fn evict(&mut self, now: DateTime<Utc>) {
        while let Some((stored_at, _, _)) = self.by_age.first() {
            if *stored_at + IDEMPOTENCY_RETENTION > now {
                break;
            }
            if let Some((_, who, key)) = self.by_age.pop_first() {
                self.records.remove(&(who, key));
            }
        }
    }
}

impl Registry {
    /// The record stored for `who`'s `key`, if any and younger than [`IDEMPOTENCY_RETENTION`].
    pub fn recall(&mut self, who: &Principal, key: &str) -> Option<&IdempotencyRecord> {
        let now = self.now();
        // FAULT(idempotency-record-short-lived): records are treated as gone after one hour.
        let short_lived = self.fault(crate::faults::Fault::IdempotencyRecordShortLived);
        self.idempotency
            .get(who, key, now)
            .filter(|r| !short_lived || r.stored_at + TimeDelta::hours(1) > now)
    }

    /// Stores the first response to `who`'s `key`. A key already stored is left as it is.
    pub fn remember(
        &mut self,
        who: &Principal,
        key: &str,
        fingerprint: RequestFingerprint,
        response: StoredResponse,
    ) {
        let stored_at = self.now();
        self.idempotency.insert(
            who,
            key,
            IdempotencyRecord {
                fingerprint,
                response,
                stored_at,
            },
        );
    }

    /// Number of idempotency records currently kept.
    pub fn idempotency_records(&self) -> usize {
        self.idempotency.len()
    }
}
