//! The registry's state model: holders, accounts, representatives, unit blocks, transactions,
//! platforms and their tokens, consents, delegations, reservations, escrows, associations,
//! webhook subscriptions and the delivery log, idempotency records and the clock. Pure and
//! synchronous: no I/O, no HTTP. Recorded webhook deliveries are handed to a [`WebhookSink`]
//! channel; sending them is the dispatcher's business (the crate's `delivery` module).
//!
//! Every operation validates everything first and mutates only when it cannot be refused, so a
//! refused operation leaves the registry exactly as it was. Refusals are [`Problem`]s built from
//! the spec's [`ProblemType`] catalogue (without `instance`, which the router adds).
//!
//! [`Registry`] (below) holds the whole state; each file adds the operations of one area to it:
//!
//! - leaves: `principal` (who a token is), `records` (stored accounts, representatives,
//!   issuances, expiries, id counters), `holdings` (an account's unit blocks), `history` (an
//!   account's ordered transactions), `transaction_id` (transaction IDs as numbers that sort as
//!   their text), `transfer_records` (transfers stored compactly), `validate` (field checks and `422`).
//! - set-up and time: `sandbox`, `clock`, `auth` (tokens and operator sessions).
//! - the authorization server: `oauth_clients` (representatives' apps, platforms as clients,
//!   client authentication), `authorization` (authorization requests and the consent decision),
//!   `grants` (codes, token families, refresh rotation, revocation, flow tokens' scopes).
//! - the API's areas: `accounts` (reads), `transactions` (transfers and cancellations),
//!   `platforms` (platforms, OAuth clients, consents, delegations), `subset` (what consents'
//!   subsets select), `trading` (reservations and
//!   escrows), `associations`, `subscriptions` (webhook subscriptions, events, delivery log).
//! - `idempotency` (stored responses by key), `invariants` (`check_invariants`), `synthetic`
//!   (large generated registries for scale tests).
//!
//! [`Problem`]: ucr_spec::problem::Problem
//! [`ProblemType`]: ucr_spec::ProblemType

mod accounts;
mod associations;
mod auth;
mod authorization;
mod clock;
mod grants;
mod history;
mod holdings;
mod idempotency;
mod invariants;
mod oauth_clients;
mod platforms;
mod principal;
mod records;
mod sandbox;
mod subscriptions;
mod subset;
mod synthetic;
mod trading;
mod transaction_id;
mod transactions;
mod transfer_records;
mod validate;

#[cfg(test)]
mod tests;

use std::collections::{BTreeMap, BTreeSet, HashMap};

use chrono::{DateTime, TimeDelta, Utc};
use ucr_spec::associations::Association;
use ucr_spec::platforms::{Consent, Delegation};
use ucr_spec::trading::Escrow;
use ucr_spec::transactions::Cancellation;

use crate::faults::{Fault, Faults};
pub use associations::AssociationFilter;
pub use authorization::{Authorization, AuthorizeError, ConsentPage, redirect_with};
pub use clock::MAX_CLOCK_ADVANCE;
pub use grants::{GrantError, s256};
pub use history::HistoryKey;
pub(crate) use history::HistoryRow;
#[cfg(test)]
pub(crate) use holdings::TextCache;
pub(crate) use holdings::{HeldBlock, UnitAttributes};
use idempotency::IdempotencyStore;
pub use idempotency::{
    IDEMPOTENCY_RETENTION, IdempotencyRecord, RequestFingerprint, StoredResponse,
};
use oauth_clients::OAuthClientRecord;
pub use oauth_clients::{ClientOwner, MAX_REDIRECT_URIS, OAuthClient};
pub use platforms::ACCESS_TOKEN_LIFETIME;
use platforms::PlatformRecord;
pub use principal::Principal;
use records::{AccountRecord, Due, IdCounters, Issuance, RepresentativeRecord};
pub use sandbox::{MAX_ISSUANCE, STATES};
pub use subscriptions::{DeliveryAttempt, DeliveryJob, MAX_ATTEMPTS, SECRET_PREFIX, WebhookSink};
use subscriptions::{DeliveryRecord, SubscriptionRecord};
pub use synthetic::{MAX_SYNTHETIC_ACCOUNTS, MAX_SYNTHETIC_ITEMS, PIECE_UNITS, PIECES, Synthetic};
use trading::ReservationRecord;
#[cfg(test)]
pub(crate) use transaction_id::TransactionId;
pub use transactions::APPROVAL_WINDOW;
use transfer_records::TransferRecords;

/// The whole mutable state of the mock registry.
#[derive(Debug)]
pub struct Registry {
    clock_offset: TimeDelta,
    holders: BTreeMap<String, String>,
    accounts: BTreeMap<String, AccountRecord>,
    representatives: BTreeMap<String, RepresentativeRecord>,
    tokens: HashMap<String, Principal>,
    ids: IdCounters,
    /// Next serial to issue, per unit type.
    next_serial: BTreeMap<String, u64>,
    /// Units issued so far, per unit type.
    issued: BTreeMap<String, u64>,
    /// Issuances by number: `ISS-000001` is the first.
    issuances: Vec<Issuance>,
    transfers: TransferRecords,
    cancellations: BTreeMap<String, Cancellation>,
    /// What lapses when: pending transactions, consents, reservations, escrows.
    expiries: BTreeSet<(DateTime<Utc>, Due)>,
    idempotency: IdempotencyStore,
    platforms: BTreeMap<String, PlatformRecord>,
    /// OAuth client IDs to platform IDs.
    clients: HashMap<String, String>,
    /// OAuth access tokens: the platform and when the token lapses (registry clock).
    access_tokens: HashMap<String, (String, DateTime<Utc>)>,
    /// Representatives' own OAuth clients, by client ID.
    oauth_clients: BTreeMap<String, OAuthClientRecord>,
    /// Authorization requests waiting for the consent page's decision, by `request_id`.
    pending_authorizations: BTreeMap<String, authorization::PendingAuthorization>,
    /// The authorization code flow's codes and token families.
    authorization: grants::AuthorizationServer,
    consents: BTreeMap<String, Consent>,
    delegations: BTreeMap<String, Delegation>,
    reservations: BTreeMap<String, ReservationRecord>,
    escrows: BTreeMap<String, Escrow>,
    associations: BTreeMap<String, Association>,
    /// Live (`active` or `cancelled`) associations by `(unit_type, serial)`.
    live_by_serial: BTreeMap<(String, u64), String>,
    /// Live associations by `(registry_id, certificate_id)`.
    live_by_certificate: HashMap<(String, String), String>,
    subscriptions: BTreeMap<String, SubscriptionRecord>,
    deliveries: BTreeMap<String, DeliveryRecord>,
    /// Where recorded deliveries are handed for sending, if a dispatcher is attached.
    webhook_sink: Option<WebhookSink>,
    /// Incremented by every reset, so a delivery of a previous generation is never confused with
    /// a new one of the same ID.
    epoch: u64,
    /// Deliberate bugs switched on (none by default); see [`crate::faults`].
    faults: Faults,
}

impl Default for Registry {
    fn default() -> Self {
        Self::new()
    }
}

impl Registry {
    /// An empty registry whose clock is the system clock.
    pub fn new() -> Self {
        Registry {
            clock_offset: TimeDelta::zero(),
            holders: BTreeMap::new(),
            accounts: BTreeMap::new(),
            representatives: BTreeMap::new(),
            tokens: HashMap::new(),
            ids: IdCounters::default(),
            next_serial: BTreeMap::new(),
            issued: BTreeMap::new(),
            issuances: Vec::new(),
            transfers: TransferRecords::default(),
            cancellations: BTreeMap::new(),
            expiries: BTreeSet::new(),
            idempotency: IdempotencyStore::default(),
            platforms: BTreeMap::new(),
            clients: HashMap::new(),
            access_tokens: HashMap::new(),
            oauth_clients: BTreeMap::new(),
            pending_authorizations: BTreeMap::new(),
            authorization: grants::AuthorizationServer::default(),
            consents: BTreeMap::new(),
            delegations: BTreeMap::new(),
            reservations: BTreeMap::new(),
            escrows: BTreeMap::new(),
            associations: BTreeMap::new(),
            live_by_serial: BTreeMap::new(),
            live_by_certificate: HashMap::new(),
            subscriptions: BTreeMap::new(),
            deliveries: BTreeMap::new(),
            webhook_sink: None,
            epoch: 0,
            faults: Faults::NONE,
        }
    }

    /// The deliberate bugs this registry runs with (none unless switched on).
    pub fn faults(&self) -> Faults {
        self.faults
    }

    /// Switches deliberate bugs on (see [`crate::faults`]); a test-only way to break the registry.
    pub fn set_faults(&mut self, faults: Faults) {
        self.faults = faults;
        for record in self.accounts.values_mut() {
            record.holdings.set_faults(faults);
        }
    }

    /// Whether the deliberate bug `fault` is switched on.
    pub(crate) fn fault(&self, fault: Fault) -> bool {
        self.faults.has(fault)
    }
}
