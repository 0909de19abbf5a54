//! The records the registry stores beside the spec's own types: accounts with their appointments,
//! holdings and history; representatives; issuances; the expiry queue's entries; identifier
//! counters and formats.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Utc};
use ucr_spec::model::{AccountKind, AccountStatus, Role, SerialRange};

use super::history::History;
use super::holdings::Holdings;
use super::principal::Principal;

/// An account as stored.
#[derive(Debug, Clone)]
pub(super) struct AccountRecord {
    pub(super) account_id: String,
    pub(super) name: String,
    pub(super) kind: AccountKind,
    pub(super) status: AccountStatus,
    pub(super) holder_id: String,
    pub(super) opened_at: DateTime<Utc>,
    /// Appointed representatives and their roles on this account.
    pub(super) appointments: BTreeMap<String, BTreeSet<Role>>,
    pub(super) holdings: Holdings,
    /// Transactions touching this account, in the order they are served.
    pub(super) history: History,
}

impl AccountRecord {
    pub(super) fn roles_of(&self, who: &Principal) -> Option<&BTreeSet<Role>> {
        self.appointments.get(who.representative_id()?)
    }

    pub(super) fn is_visible_to(&self, who: &Principal) -> bool {
        self.roles_of(who).is_some()
    }
}

/// An authorised representative as stored.
#[derive(Debug, Clone)]
pub(super) struct RepresentativeRecord {
    pub(super) name: String,
    pub(super) token: String,
    /// The trading platform the representative works for, if any.
    pub(super) platform_id: Option<String>,
}

/// Units created by the sandbox operator.
#[derive(Debug, Clone)]
pub(super) struct Issuance {
    pub(super) account_id: String,
    pub(super) unit_type: String,
    pub(super) range: SerialRange,
    /// The project (ACCUs; none for SMCs) and vintage of the units: what a consent subset selects by.
    pub(super) project_id: Option<String>,
    pub(super) vintage: String,
    pub(super) created_at: DateTime<Utc>,
}

/// Something that lapses at an instant unless it ended before: the registry's expiry queue.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(super) enum Due {
    Transfer(String),
    Cancellation(String),
    Consent(String),
    Reservation(String),
    Escrow(String),
}

/// The last number used for each kind of identifier.
#[derive(Debug, Clone, Default)]
pub(super) struct IdCounters {
    pub(super) holder: u64,
    pub(super) account: u64,
    pub(super) representative: u64,
    pub(super) transfer: u64,
    pub(super) cancellation: u64,
    pub(super) issuance: u64,
    pub(super) operator: u64,
    pub(super) trading_platform: u64,
    pub(super) third_party_registry: u64,
    pub(super) consent: u64,
    pub(super) delegation: u64,
    pub(super) reservation: u64,
    pub(super) escrow: u64,
    pub(super) association: u64,
    pub(super) subscription: u64,
    pub(super) event: u64,
    pub(super) delivery: u64,
}

/// Prefixes and widths of identifiers: `AH-000001`, `AU-1000001`, `AR-000001`, ...
pub(crate) mod ids {
    /// Account holder ids: `AH-` and six digits.
    pub const HOLDER: &str = "AH-";
    /// Account ids: `AU-` and seven digits, from `AU-1000001`.
    pub const ACCOUNT: &str = "AU-";
    /// Account numbers start after this.
    pub const ACCOUNT_BASE: u64 = 1_000_000;
    /// Representative ids: `AR-` and six digits.
    pub const REPRESENTATIVE: &str = "AR-";

    /// The number in an id of the given prefix, if it is well formed (`digits` digits exactly).
    pub fn number(id: &str, prefix: &str, digits: usize) -> Option<u64> {
        let rest = id.strip_prefix(prefix)?;
        if rest.len() != digits || !rest.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        rest.parse().ok()
    }
}
