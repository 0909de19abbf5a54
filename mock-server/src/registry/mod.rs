//! The registry's state model: holders, accounts, representatives, unit blocks, transactions,
//! platforms and their tokens, consents, delegations, reservations, escrows, associations,
//! webhook subscriptions and the delivery log, idempotency records and the clock. Pure and
//! synchronous: no I/O, no HTTP. Recorded webhook deliveries are handed to a [`WebhookSink`]
//! channel; sending them is the dispatcher's business (`crate::webhooks`).
//!
//! Every operation validates everything first and mutates only when it cannot be refused, so a
//! refused operation leaves the registry exactly as it was. Refusals are [`Problem`]s built from
//! the spec's [`ProblemType`] catalogue (without `instance`, which the router adds).

mod associations;
mod history;
mod holdings;
mod idempotency;
mod platforms;
mod synthetic;
mod trading;
mod transactions;
mod webhooks;

#[cfg(test)]
mod tests;

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::Arc;

use chrono::{DateTime, SubsecRound, TimeDelta, Utc};
use serde::Serialize;
use ucr_spec::ProblemType;
use ucr_spec::associations::Association;
use ucr_spec::model::{
    Account, AccountHolder, AccountKind, AccountStatus, BlockStatus, HoldingsQuery, Representative,
    Role, SerialRange, Transaction, TransactionKind, TransactionStatus, TransactionsQuery,
    UNIT_TYPES, UnitBlock,
};
use ucr_spec::platforms::{Consent, Delegation};
use ucr_spec::problem::{InvalidParam, Problem};
use ucr_spec::sandbox::{
    ClockAdvance, IssuanceRequest, NewAccount, NewAccountHolder, NewRepresentative,
    OperatorSession, RepresentativeCredential, SandboxClock, SandboxReset,
};
use ucr_spec::trading::{Escrow, EscrowStatus, ReservationStatus};
use ucr_spec::transactions::{Cancellation, Transfer};
use uuid::Uuid;

use crate::faults::{Fault, Faults};
pub use associations::AssociationFilter;
use history::History;
pub use history::HistoryKey;
use holdings::{Holdings, UnitAttributes};
use idempotency::IdempotencyStore;
pub use idempotency::{
    IDEMPOTENCY_RETENTION, IdempotencyRecord, RequestFingerprint, StoredResponse,
};
pub use platforms::ACCESS_TOKEN_LIFETIME;
use platforms::{AccountRead, HoldingsView, PlatformRecord};
pub use synthetic::{MAX_SYNTHETIC_ACCOUNTS, MAX_SYNTHETIC_ITEMS, PIECE_UNITS, PIECES, Synthetic};
use trading::ReservationRecord;
pub use webhooks::{DeliveryAttempt, DeliveryJob, MAX_ATTEMPTS, SECRET_PREFIX, WebhookSink};
use webhooks::{DeliveryRecord, SubscriptionRecord};

/// How long a transfer or cancellation may wait for a decision before it expires.
pub const APPROVAL_WINDOW: TimeDelta = TimeDelta::days(7);

/// Australian states and territories, the accepted `state` codes.
pub const STATES: &[&str] = &["NSW", "VIC", "QLD", "WA", "SA", "TAS", "NT", "ACT"];

/// Largest step of the sandbox clock, in seconds (366 days).
pub const MAX_CLOCK_ADVANCE: u64 = 31_622_400;

/// Largest quantity one issuance may create.
pub const MAX_ISSUANCE: u64 = 1_000_000_000;

/// Time the clock must still be able to move past its current instant (expiries, retention).
const CLOCK_HEADROOM: TimeDelta = TimeDelta::days(36_500);

/// First serial issued for each unit type; other types start at 1.
const FIRST_SERIALS: &[(&str, u64)] = &[("ACCU", 3_000_001), ("SMC", 9_000_001)];

/// Who a bearer token authenticates as.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Principal {
    /// An authorised representative, by `representative_id` (`AR-000001`); possibly a trading
    /// platform's representative.
    Representative(String),
    /// A trading platform (`TP-0001`) or third-party registry (`TR-0001`) acting as itself. It is
    /// no representative: it reads by consent, controls escrows, associates and subscribes.
    Platform(String),
    /// A sandbox operator session (`OP-000001`). It has no account appointments.
    Operator(String),
}

impl Principal {
    /// The representative's id, if this is a representative.
    pub fn representative_id(&self) -> Option<&str> {
        match self {
            Principal::Representative(id) => Some(id),
            Principal::Platform(_) | Principal::Operator(_) => None,
        }
    }

    /// The platform's id, if this is a platform or registry acting as itself.
    pub fn platform_id(&self) -> Option<&str> {
        match self {
            Principal::Platform(id) => Some(id),
            Principal::Representative(_) | Principal::Operator(_) => None,
        }
    }

    /// Whether this is a sandbox operator.
    pub fn is_operator(&self) -> bool {
        matches!(self, Principal::Operator(_))
    }
}

/// An account as stored.
#[derive(Debug, Clone)]
struct AccountRecord {
    account_id: String,
    name: String,
    kind: AccountKind,
    status: AccountStatus,
    holder_id: String,
    opened_at: DateTime<Utc>,
    /// Appointed representatives and their roles on this account.
    appointments: BTreeMap<String, BTreeSet<Role>>,
    holdings: Holdings,
    /// Transactions touching this account, in the order they are served.
    history: History,
}

impl AccountRecord {
    fn roles_of(&self, who: &Principal) -> Option<&BTreeSet<Role>> {
        self.appointments.get(who.representative_id()?)
    }

    fn is_visible_to(&self, who: &Principal) -> bool {
        self.roles_of(who).is_some()
    }
}

/// An authorised representative as stored.
#[derive(Debug, Clone)]
struct RepresentativeRecord {
    name: String,
    token: String,
    /// The trading platform the representative works for, if any.
    platform_id: Option<String>,
}

/// Units created by the sandbox operator.
#[derive(Debug, Clone)]
struct Issuance {
    account_id: String,
    unit_type: String,
    range: SerialRange,
    created_at: DateTime<Utc>,
}

/// A reference to one transaction of any kind, by id.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
enum TransactionRef {
    Issuance(String),
    Transfer(String),
    Cancellation(String),
}

impl TransactionRef {
    fn kind(&self) -> TransactionKind {
        match self {
            TransactionRef::Issuance(_) => TransactionKind::Issuance,
            TransactionRef::Transfer(_) => TransactionKind::Transfer,
            TransactionRef::Cancellation(_) => TransactionKind::Cancellation,
        }
    }
}

/// Something that lapses at an instant unless it ended before: the registry's expiry queue.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
enum Due {
    Transfer(String),
    Cancellation(String),
    Consent(String),
    Reservation(String),
    Escrow(String),
}

/// The last number used for each kind of identifier.
#[derive(Debug, Clone, Default)]
struct IdCounters {
    holder: u64,
    account: u64,
    representative: u64,
    transfer: u64,
    cancellation: u64,
    issuance: u64,
    operator: u64,
    trading_platform: u64,
    third_party_registry: u64,
    consent: u64,
    delegation: u64,
    reservation: u64,
    escrow: u64,
    association: u64,
    subscription: u64,
    event: u64,
    delivery: u64,
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
    issuances: BTreeMap<String, Issuance>,
    transfers: BTreeMap<String, Transfer>,
    cancellations: BTreeMap<String, Cancellation>,
    /// What lapses when: pending transactions, consents, reservations, escrows.
    expiries: BTreeSet<(DateTime<Utc>, Due)>,
    idempotency: IdempotencyStore,
    platforms: BTreeMap<String, PlatformRecord>,
    /// OAuth client IDs to platform IDs.
    clients: HashMap<String, String>,
    /// OAuth access tokens: the platform and when the token lapses (registry clock).
    access_tokens: HashMap<String, (String, DateTime<Utc>)>,
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
            issuances: BTreeMap::new(),
            transfers: BTreeMap::new(),
            cancellations: BTreeMap::new(),
            expiries: BTreeSet::new(),
            idempotency: IdempotencyStore::default(),
            platforms: BTreeMap::new(),
            clients: HashMap::new(),
            access_tokens: HashMap::new(),
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

    // ---- clock ---------------------------------------------------------------------------------

    /// The registry's time: system UTC time plus the offset added by [`Registry::advance_clock`],
    /// to the millisecond.
    pub fn now(&self) -> DateTime<Utc> {
        (Utc::now() + self.clock_offset).trunc_subsecs(3)
    }

    /// Moves the registry clock forward by `by`, then expires what became due. Returns the new time.
    ///
    /// Refuses (`validation-failed`) a negative duration: time only moves forward.
    pub fn advance_clock(&mut self, by: TimeDelta) -> Result<DateTime<Utc>, Problem> {
        if by < TimeDelta::zero() {
            return Err(validation_failed(
                "/seconds",
                "the clock only moves forward; give a positive duration",
            ));
        }
        let Some(offset) = self.clock_offset.checked_add(&by).filter(|o| {
            o.checked_add(&CLOCK_HEADROOM)
                .and_then(|h| Utc::now().checked_add_signed(h))
                .is_some()
        }) else {
            return Err(validation_failed(
                "/seconds",
                "that would move the clock beyond the representable range",
            ));
        };
        self.clock_offset = offset;
        self.expire_due();
        Ok(self.now())
    }

    /// The sandbox clock, after whatever became due.
    pub fn clock(&mut self) -> SandboxClock {
        self.expire_due();
        SandboxClock { now: self.now() }
    }

    /// Moves the sandbox clock forward by 1 to 31,622,400 seconds (`422` otherwise); every expiry
    /// that became due takes effect and emits its events.
    pub fn advance_sandbox_clock(
        &mut self,
        request: ClockAdvance,
    ) -> Result<SandboxClock, Problem> {
        if !(1..=MAX_CLOCK_ADVANCE).contains(&request.seconds) {
            return Err(validation_failed(
                "/seconds",
                format!("move the clock forward by 1 to {MAX_CLOCK_ADVANCE} seconds (366 days)"),
            ));
        }
        let seconds = i64::try_from(request.seconds).unwrap_or(i64::MAX);
        let now = self.advance_clock(TimeDelta::seconds(seconds))?;
        Ok(SandboxClock { now })
    }

    // ---- authentication ------------------------------------------------------------------------

    /// The principal a bearer token authenticates as, if the token is known and, for an OAuth
    /// access token, not yet expired on the registry clock.
    pub fn authenticate(&self, token: &str) -> Option<Principal> {
        if let Some(principal) = self.tokens.get(token) {
            return Some(principal.clone());
        }
        let (platform_id, expires_at) = self.access_tokens.get(token)?;
        // FAULT(expired-token-accepted): the token's lifetime is not compared with the clock.
        let expired = *expires_at <= self.now() && !self.fault(Fault::ExpiredTokenAccepted);
        (!expired).then(|| Principal::Platform(platform_id.clone()))
    }

    /// Starts a sandbox operator session and returns its token.
    pub fn create_operator_session(&mut self) -> OperatorSession {
        self.ids.operator += 1;
        let principal = Principal::Operator(format!("OP-{:06}", self.ids.operator));
        let token = format!("ucr_op_{}", Uuid::new_v4().simple());
        self.tokens.insert(token.clone(), principal);
        OperatorSession { token }
    }

    /// Registers a fixed token for an operator session (fixtures and tests).
    pub(crate) fn add_operator_token(&mut self, token: &str) -> Result<(), String> {
        if self.tokens.contains_key(token) {
            return Err(format!("token {token:?} is already in use"));
        }
        self.ids.operator += 1;
        self.tokens.insert(
            token.to_owned(),
            Principal::Operator(format!("OP-{:06}", self.ids.operator)),
        );
        Ok(())
    }

    // ---- sandbox set-up ------------------------------------------------------------------------

    /// Creates an account holder (`AH-000001`, ...).
    pub fn create_account_holder(
        &mut self,
        request: NewAccountHolder,
    ) -> Result<AccountHolder, Problem> {
        self.create_account_holder_with_id(None, request)
    }

    pub(crate) fn create_account_holder_with_id(
        &mut self,
        holder_id: Option<&str>,
        request: NewAccountHolder,
    ) -> Result<AccountHolder, Problem> {
        check_text("/name", &request.name, 200)?;
        let holder_id = match holder_id {
            None => format!("{}{:06}", ids::HOLDER, self.ids.holder + 1),
            Some(id) => {
                let Some(number) = ids::number(id, ids::HOLDER, 6).filter(|n| *n > 0) else {
                    return Err(validation_failed(
                        "/holder_id",
                        format!("{id:?} is not of the form AH-000001"),
                    ));
                };
                if self.holders.contains_key(id) {
                    return Err(validation_failed(
                        "/holder_id",
                        format!("holder {id} already exists"),
                    ));
                }
                self.ids.holder = self.ids.holder.max(number - 1);
                id.to_owned()
            }
        };
        self.ids.holder += 1;
        self.holders.insert(holder_id.clone(), request.name.clone());
        Ok(AccountHolder {
            holder_id,
            name: request.name,
        })
    }

    /// Opens an account (`AU-1000001`, ...) for an existing holder.
    pub fn create_account(&mut self, request: NewAccount) -> Result<Account, Problem> {
        self.create_account_with_id(None, request)
    }

    pub(crate) fn create_account_with_id(
        &mut self,
        account_id: Option<&str>,
        request: NewAccount,
    ) -> Result<Account, Problem> {
        check_text("/name", &request.name, 200)?;
        if !self.holders.contains_key(&request.holder_id) {
            return Err(validation_failed(
                "/holder_id",
                format!(
                    "there is no account holder {}; create one with POST /v1/sandbox/account-holders",
                    request.holder_id
                ),
            ));
        }
        let account_id = match account_id {
            None => format!(
                "{}{}",
                ids::ACCOUNT,
                ids::ACCOUNT_BASE + self.ids.account + 1
            ),
            Some(id) => {
                let number = ids::number(id, ids::ACCOUNT, 7).filter(|n| *n > ids::ACCOUNT_BASE);
                let Some(number) = number else {
                    return Err(validation_failed(
                        "/account_id",
                        format!("{id:?} is not of the form AU-1000001"),
                    ));
                };
                if self.accounts.contains_key(id) {
                    return Err(validation_failed(
                        "/account_id",
                        format!("account {id} already exists"),
                    ));
                }
                self.ids.account = self.ids.account.max(number - ids::ACCOUNT_BASE - 1);
                id.to_owned()
            }
        };
        self.ids.account += 1;
        let record = AccountRecord {
            account_id: account_id.clone(),
            name: request.name,
            kind: request.kind,
            status: AccountStatus::Open,
            holder_id: request.holder_id,
            opened_at: self.now(),
            appointments: BTreeMap::new(),
            holdings: Holdings::new(self.faults),
            history: History::default(),
        };
        let view = self.account_view(&record);
        self.accounts.insert(account_id, record);
        Ok(view)
    }

    /// Appoints a new or existing representative to an account with the given roles.
    ///
    /// An existing representative (by `representative_id`) keeps its token; appointing it again to
    /// the same account replaces its roles there. Unknown account → `404 not-found`.
    pub fn appoint_representative(
        &mut self,
        account_id: &str,
        request: NewRepresentative,
    ) -> Result<RepresentativeCredential, Problem> {
        self.appoint_representative_with(account_id, request, None)
    }

    /// As [`Registry::appoint_representative`], with a fixed id and token for a new representative.
    pub(crate) fn appoint_representative_with(
        &mut self,
        account_id: &str,
        request: NewRepresentative,
        fixed: Option<(&str, &str)>,
    ) -> Result<RepresentativeCredential, Problem> {
        if !self.accounts.contains_key(account_id) {
            return Err(ProblemType::NotFound.problem(format!(
                "there is no account {account_id}; open one with POST /v1/sandbox/accounts"
            )));
        }
        if request.roles.is_empty() {
            return Err(validation_failed(
                "/roles",
                "give at least one role: initiator, approver or both",
            ));
        }
        let roles: BTreeSet<Role> = request.roles.iter().copied().collect();
        let (representative_id, name, token) = match (&request.representative_id, fixed) {
            (Some(id), _) => {
                let Some(existing) = self.representatives.get(id) else {
                    return Err(validation_failed(
                        "/representative_id",
                        format!(
                            "there is no representative {id}; omit representative_id to create a new one"
                        ),
                    ));
                };
                if let Some(platform_id) = &existing.platform_id {
                    let platform_holder = self
                        .platforms
                        .get(platform_id)
                        .map(|p| &p.platform.holder_id);
                    let account_holder = self.accounts.get(account_id).map(|a| &a.holder_id);
                    if platform_holder != account_holder {
                        return Err(validation_failed(
                            "/representative_id",
                            format!(
                                "{id} represents platform {platform_id}; appoint it only to that platform's own \
                                 accounts, and to holders' accounts by delegation"
                            ),
                        ));
                    }
                }
                if self.is_delegate(account_id, id) {
                    return Err(validation_failed(
                        "/representative_id",
                        format!(
                            "{id} is a delegate on account {account_id}; revoke the delegation first"
                        ),
                    ));
                }
                (id.clone(), existing.name.clone(), existing.token.clone())
            }
            (None, fixed) => {
                check_text("/name", &request.name, 200)?;
                let (id, token) = match fixed {
                    Some((id, token)) => {
                        let Some(number) =
                            ids::number(id, ids::REPRESENTATIVE, 6).filter(|n| *n > 0)
                        else {
                            return Err(validation_failed(
                                "/representative_id",
                                format!("{id:?} is not of the form AR-000001"),
                            ));
                        };
                        if self.representatives.contains_key(id) {
                            return Err(validation_failed(
                                "/representative_id",
                                format!("{id} already exists"),
                            ));
                        }
                        if token.is_empty() || self.tokens.contains_key(token) {
                            return Err(validation_failed(
                                "/token",
                                "tokens must be non-empty and unique",
                            ));
                        }
                        self.ids.representative = self.ids.representative.max(number - 1);
                        (id.to_owned(), token.to_owned())
                    }
                    None => (
                        format!("{}{:06}", ids::REPRESENTATIVE, self.ids.representative + 1),
                        format!("ucr_ar_{}", Uuid::new_v4().simple()),
                    ),
                };
                self.ids.representative += 1;
                self.representatives.insert(
                    id.clone(),
                    RepresentativeRecord {
                        name: request.name.clone(),
                        token: token.clone(),
                        platform_id: None,
                    },
                );
                self.tokens
                    .insert(token.clone(), Principal::Representative(id.clone()));
                (id, request.name.clone(), token)
            }
        };
        if let Some(account) = self.accounts.get_mut(account_id) {
            account
                .appointments
                .insert(representative_id.clone(), roles.clone());
        }
        Ok(RepresentativeCredential {
            representative_id,
            account_id: account_id.to_owned(),
            name,
            roles: roles.into_iter().collect(),
            token,
        })
    }

    /// Issues new units into an account: the only way units are created.
    ///
    /// Serials come from the unit type's counter, so issued ranges never overlap.
    pub fn issue_units(&mut self, request: IssuanceRequest) -> Result<UnitBlock, Problem> {
        self.expire_due();
        check_unit_type(&request.unit_type)?;
        if request.quantity == 0 || request.quantity > MAX_ISSUANCE {
            return Err(validation_failed(
                "/quantity",
                format!("issue between 1 and {MAX_ISSUANCE} units"),
            ));
        }
        check_text("/project_id", &request.project_id, 50)?;
        check_text("/method", &request.method, 200)?;
        check_vintage(&request.vintage)?;
        if !STATES.contains(&request.state.as_str()) {
            return Err(validation_failed(
                "/state",
                format!("use one of {}", STATES.join(", ")),
            ));
        }
        if request.kyoto_status.is_some() && request.unit_type != "ACCU" {
            return Err(validation_failed(
                "/kyoto_status",
                "kyoto_status applies to ACCUs only; omit it",
            ));
        }
        let Some(account) = self.accounts.get(&request.account_id) else {
            return Err(ProblemType::UnknownAccount.problem(format!(
                "there is no account {}; open one with POST /v1/sandbox/accounts",
                request.account_id
            )));
        };
        if account.status != AccountStatus::Open {
            return Err(validation_failed(
                "/account_id",
                format!("account {} is closed", request.account_id),
            ));
        }
        let first = self.next_serial(&request.unit_type);
        let Some(last) = first
            .checked_add(request.quantity - 1)
            .filter(|last| last.checked_add(1).is_some())
        else {
            return Err(validation_failed(
                "/quantity",
                format!("{} serials are exhausted", request.unit_type),
            ));
        };
        let issued_total = self.issued.get(&request.unit_type).copied().unwrap_or(0);
        let Some(issued_total) = issued_total.checked_add(request.quantity) else {
            return Err(validation_failed(
                "/quantity",
                "that would overflow the unit type's total",
            ));
        };

        let now = self.now();
        self.ids.issuance += 1;
        let issuance_id = format!("ISS-{:06}", self.ids.issuance);
        let range = SerialRange {
            serial_start: first,
            serial_end: last,
        };
        let attributes = Arc::new(UnitAttributes {
            issuance_id: issuance_id.clone(),
            project_id: request.project_id,
            vintage: request.vintage,
            method: request.method,
            kyoto_status: request.kyoto_status,
            state: request.state,
            issued_on: request.issued_on.unwrap_or_else(|| now.date_naive()),
        });
        self.next_serial.insert(request.unit_type.clone(), last + 1);
        self.issued.insert(request.unit_type.clone(), issued_total);
        let block = UnitBlock {
            block_id: format!("{}-{}", request.unit_type, first),
            unit_type: request.unit_type.clone(),
            serial_start: first,
            serial_end: last,
            quantity: request.quantity,
            status: BlockStatus::Available,
            project_id: attributes.project_id.clone(),
            vintage: attributes.vintage.clone(),
            method: attributes.method.clone(),
            kyoto_status: attributes.kyoto_status,
            state: attributes.state.clone(),
            issued_on: attributes.issued_on,
            transaction_id: None,
        };
        if let Some(account) = self.accounts.get_mut(&request.account_id) {
            account
                .holdings
                .receive(&request.unit_type, range, attributes);
            account
                .history
                .record(now, &TransactionRef::Issuance(issuance_id.clone()));
        }
        self.issuances.insert(
            issuance_id,
            Issuance {
                account_id: request.account_id,
                unit_type: request.unit_type,
                range,
                created_at: now,
            },
        );
        Ok(block)
    }

    /// Removes every holder, account, representative, transaction, platform, consent,
    /// delegation, reservation, escrow, association, webhook subscription and delivery, and every
    /// idempotency record.
    ///
    /// Operator sessions and the clock offset are kept; serials start again from the beginning.
    /// Deliveries still being attempted are abandoned.
    pub fn reset(&mut self) -> SandboxReset {
        let summary = SandboxReset {
            accounts_removed: self.accounts.len() as u64,
            transactions_removed: (self.issuances.len()
                + self.transfers.len()
                + self.cancellations.len()) as u64,
        };
        self.tokens.retain(|_, principal| principal.is_operator());
        let operator = self.ids.operator;
        *self = Registry {
            clock_offset: self.clock_offset,
            tokens: std::mem::take(&mut self.tokens),
            ids: IdCounters {
                operator,
                ..IdCounters::default()
            },
            webhook_sink: self.webhook_sink.take(),
            epoch: self.epoch + 1,
            faults: self.faults,
            ..Registry::new()
        };
        summary
    }

    fn next_serial(&self, unit_type: &str) -> u64 {
        self.next_serial.get(unit_type).copied().unwrap_or_else(|| {
            FIRST_SERIALS
                .iter()
                .find(|(t, _)| *t == unit_type)
                .map_or(1, |(_, first)| *first)
        })
    }

    // ---- reads ---------------------------------------------------------------------------------

    /// The accounts `who` may see, ordered by `account_id`: those a representative is appointed
    /// to, or those where a platform holds at least one active consent.
    pub fn accounts(&mut self, who: &Principal) -> Vec<Account> {
        self.expire_due();
        let now = self.now();
        self.accounts
            .values()
            .filter(|a| {
                // A platform lists the accounts whose details it may read: an active consent
                // with `holdings_read`. Narrower consents are found through `list_consents`.
                a.is_visible_to(who)
                    || who.platform_id().is_some_and(|p| {
                        self.active_scopes(p, &a.account_id, now).is_some_and(|s| {
                            s.contains(&ucr_spec::platforms::ConsentScope::HoldingsRead)
                        })
                    })
            })
            .map(|a| self.account_view(a))
            .collect()
    }

    /// One account: for a representative appointed to it, or a platform with an active
    /// `holdings_read` consent (`404` never consented, `403 consent-required` otherwise).
    pub fn account(&mut self, who: &Principal, account_id: &str) -> Result<Account, Problem> {
        self.expire_due();
        let (record, _) = self.readable_account(who, account_id, AccountRead::Details)?;
        Ok(self.account_view(record))
    }

    /// An account's blocks matching the query's filters (its paging fields are ignored), ordered by
    /// unit type then `serial_start`. A platform whose only holdings scope is
    /// `reserved_units_read` sees only the `reserved` blocks of its own active reservations.
    pub fn holdings(
        &mut self,
        who: &Principal,
        account_id: &str,
        filter: &HoldingsQuery,
    ) -> Result<Vec<UnitBlock>, Problem> {
        self.holdings_page(who, account_id, filter, None, usize::MAX)
    }

    /// The first `count` blocks of [`Registry::holdings`] whose key `(unit_type, serial_start)`
    /// follows `after`. Found from the cursor by a range lookup: only the blocks visited up to the
    /// `count`th match are built.
    pub fn holdings_page(
        &mut self,
        who: &Principal,
        account_id: &str,
        filter: &HoldingsQuery,
        after: Option<&(String, u64)>,
        count: usize,
    ) -> Result<Vec<UnitBlock>, Problem> {
        self.expire_due();
        let (record, view) = self.readable_account(who, account_id, AccountRead::Holdings)?;
        let reserved_for: Option<BTreeSet<&str>> = match view {
            HoldingsView::All => None,
            HoldingsView::ReservedFor(platform_id) => Some(
                self.reservations
                    .values()
                    .map(|r| &r.reservation)
                    .filter(|r| {
                        r.account_id == account_id
                            && r.platform_id == platform_id
                            && r.status == ReservationStatus::Active
                    })
                    .map(|r| r.reservation_id.as_str())
                    .collect(),
            ),
        };
        Ok(record
            .holdings
            .blocks_after(after, |status, holder| match &reserved_for {
                None => true,
                Some(ids) => {
                    status == BlockStatus::Reserved && holder.is_some_and(|h| ids.contains(h))
                }
            })
            .filter(|b| filter.unit_type.as_ref().is_none_or(|t| *t == b.unit_type))
            // FAULT(holdings-status-filter-ignored): the status filter is dropped.
            .filter(|b| {
                self.fault(Fault::HoldingsStatusFilterIgnored)
                    || filter.status.is_none_or(|s| s == b.status)
            })
            .filter(|b| filter.vintage.as_ref().is_none_or(|v| *v == b.vintage))
            .filter(|b| {
                filter
                    .project_id
                    .as_ref()
                    .is_none_or(|p| *p == b.project_id)
            })
            .take(count)
            .collect())
    }

    /// An account's transaction history matching the query's filters (paging fields ignored),
    /// ordered by `created_at` then `transaction_id`. A platform needs an active
    /// `transactions_read` consent.
    pub fn history(
        &mut self,
        who: &Principal,
        account_id: &str,
        filter: &TransactionsQuery,
    ) -> Result<Vec<Transaction>, Problem> {
        self.history_page(who, account_id, filter, None, usize::MAX)
    }

    /// The first `count` entries of [`Registry::history`] whose key `(created_at,
    /// transaction_id)` follows `after`. Found from the cursor (and `from`/`to`) by a range lookup
    /// in the account's ordered history: only the entries visited up to the `count`th match are
    /// built.
    pub fn history_page(
        &mut self,
        who: &Principal,
        account_id: &str,
        filter: &TransactionsQuery,
        after: Option<&HistoryKey>,
        count: usize,
    ) -> Result<Vec<Transaction>, Problem> {
        self.expire_due();
        let (record, _) = self.readable_account(who, account_id, AccountRead::Transactions)?;
        Ok(record
            .history
            .window(after, filter.from, filter.to)
            .filter(|(_, reference)| filter.kind.is_none_or(|k| k == reference.kind()))
            .filter_map(|(_, reference)| self.transaction_view(&reference))
            // FAULT(history-missing-incoming): only the source account's history gets transfers.
            .filter(|t| {
                !(self.fault(Fault::HistoryMissingIncoming)
                    && t.kind == TransactionKind::Transfer
                    && t.to_account_id.as_deref() == Some(account_id))
            })
            .filter(|t| filter.status.is_none_or(|s| s == t.status))
            .filter(|t| filter.from.is_none_or(|from| t.created_at >= from))
            .filter(|t| filter.to.is_none_or(|to| t.created_at < to))
            .take(count)
            .collect())
    }

    /// Units issued so far per unit type.
    pub fn issued(&self) -> &BTreeMap<String, u64> {
        &self.issued
    }

    // ---- idempotency ---------------------------------------------------------------------------

    /// The record stored for `who`'s `key`, if any and younger than [`IDEMPOTENCY_RETENTION`].
    pub fn recall(&mut self, who: &Principal, key: &str) -> Option<&IdempotencyRecord> {
        let now = self.now();
        self.idempotency.get(who, key, now)
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

    // ---- invariants ----------------------------------------------------------------------------

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
                        let (source, status) = match self.transfers.get(tx) {
                            Some(t) => (t.from_account_id.as_str(), t.status),
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
                            .filter(|e| e.account_id == id && e.status == EscrowStatus::Active);
                        if owner.is_none() {
                            return Err(format!(
                                "{id}: escrowed block {unit_type}-{} belongs to no active escrow of the \
                                 account ({holder})",
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
            .values()
            .filter(|t| t.status == TransactionStatus::PendingApproval)
            .map(|t| (t.transfer_id.as_str(), t.quantity))
            .chain(
                self.cancellations
                    .values()
                    .filter(|c| c.status == TransactionStatus::PendingApproval)
                    .map(|c| (c.cancellation_id.as_str(), c.quantity)),
            );
        for (id, quantity) in pending_transactions {
            let in_it = pending.get(id).copied().unwrap_or(0);
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
                    let consistent = self.transfers.get(transfer_id).is_some_and(|t| {
                        t.status == TransactionStatus::PendingApproval
                            && t.reservation_id.as_deref() == Some(id)
                            && t.serial_ranges == reservation.serial_ranges
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
        for transfer in self.transfers.values() {
            if let Some(reservation_id) = &transfer.reservation_id
                && transfer.status == TransactionStatus::PendingApproval
                && self
                    .reservations
                    .get(reservation_id)
                    .and_then(|r| r.pending_transfer.as_ref())
                    != Some(&transfer.transfer_id)
            {
                return Err(format!(
                    "{} is pending with {reservation_id}, which does not know it",
                    transfer.transfer_id
                ));
            }
        }
        for escrow in self.escrows.values() {
            if escrow.status == EscrowStatus::Active {
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

    // ---- helpers -------------------------------------------------------------------------------

    fn visible_account(
        &self,
        who: &Principal,
        account_id: &str,
    ) -> Result<&AccountRecord, Problem> {
        if self.fault(Fault::ForeignAccountForbidden)
            && self
                .accounts
                .get(account_id)
                .is_some_and(|a| !a.is_visible_to(who))
        {
            // FAULT(foreign-account-forbidden): refused as forbidden, which tells it exists.
            return Err(ProblemType::Forbidden
                .problem(format!("you are not appointed to account {account_id}")));
        }
        self.accounts.get(account_id).filter(|a| a.is_visible_to(who)).ok_or_else(|| {
            ProblemType::NotFound.problem(format!(
                "no account {account_id} is visible to you: it does not exist or you are not appointed to it; \
                 GET /v1/accounts lists your accounts"
            ))
        })
    }

    fn account_view(&self, record: &AccountRecord) -> Account {
        Account {
            account_id: record.account_id.clone(),
            name: record.name.clone(),
            kind: record.kind,
            status: record.status,
            holder: AccountHolder {
                holder_id: record.holder_id.clone(),
                name: self
                    .holders
                    .get(&record.holder_id)
                    .cloned()
                    .unwrap_or_default(),
            },
            representatives: record
                .appointments
                .iter()
                .map(|(id, roles)| Representative {
                    representative_id: id.clone(),
                    name: self
                        .representatives
                        .get(id)
                        .map(|r| r.name.clone())
                        .unwrap_or_default(),
                    roles: roles.iter().copied().collect(),
                })
                .collect(),
            balances: record.holdings.balances(),
            opened_at: record.opened_at,
        }
    }

    fn transaction_view(&self, reference: &TransactionRef) -> Option<Transaction> {
        Some(match reference {
            TransactionRef::Issuance(id) => {
                let issuance = self.issuances.get(id)?;
                Transaction {
                    transaction_id: id.clone(),
                    kind: TransactionKind::Issuance,
                    status: TransactionStatus::Completed,
                    unit_type: issuance.unit_type.clone(),
                    quantity: issuance.range.quantity(),
                    serial_ranges: vec![issuance.range],
                    from_account_id: None,
                    to_account_id: Some(issuance.account_id.clone()),
                    reference: None,
                    created_at: issuance.created_at,
                    updated_at: issuance.created_at,
                }
            }
            TransactionRef::Transfer(id) => {
                let transfer = self.transfers.get(id)?;
                Transaction {
                    transaction_id: id.clone(),
                    kind: TransactionKind::Transfer,
                    status: transfer.status,
                    unit_type: transfer.unit_type.clone(),
                    quantity: transfer.quantity,
                    serial_ranges: transfer.serial_ranges.clone(),
                    from_account_id: Some(transfer.from_account_id.clone()),
                    to_account_id: Some(transfer.to_account_id.clone()),
                    reference: transfer.reference.clone(),
                    created_at: transfer.initiated_at,
                    updated_at: transfer.decided_at.unwrap_or(transfer.initiated_at),
                }
            }
            TransactionRef::Cancellation(id) => {
                let cancellation = self.cancellations.get(id)?;
                Transaction {
                    transaction_id: id.clone(),
                    kind: TransactionKind::Cancellation,
                    status: cancellation.status,
                    unit_type: cancellation.unit_type.clone(),
                    quantity: cancellation.quantity,
                    serial_ranges: cancellation.serial_ranges.clone(),
                    from_account_id: Some(cancellation.account_id.clone()),
                    to_account_id: None,
                    reference: cancellation.reason.clone(),
                    created_at: cancellation.initiated_at,
                    updated_at: cancellation.decided_at.unwrap_or(cancellation.initiated_at),
                }
            }
        })
    }
}

/// The wire name of a unit enum value, e.g. `revoked` for `ConsentStatus::Revoked`.
pub(crate) fn wire_name<T: Serialize>(value: &T) -> String {
    serde_json::to_value(value)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default()
}

/// A `422 validation-failed` problem naming the offending field (a JSON pointer).
pub(crate) fn validation_failed(pointer: &str, reason: impl Into<String>) -> Problem {
    let reason = reason.into();
    let mut problem = ProblemType::ValidationFailed.problem(format!("{pointer}: {reason}"));
    problem.invalid_params.push(InvalidParam {
        name: pointer.to_owned(),
        reason,
    });
    problem
}

/// Refuses a unit type code this version does not know.
fn check_unit_type(unit_type: &str) -> Result<(), Problem> {
    if UNIT_TYPES.contains(&unit_type) {
        Ok(())
    } else {
        Err(validation_failed(
            "/unit_type",
            format!(
                "unknown unit type {unit_type:?}; this registry knows {}",
                UNIT_TYPES.join(", ")
            ),
        ))
    }
}

/// Requires 1 to `max` characters.
fn check_text(pointer: &str, value: &str, max: usize) -> Result<(), Problem> {
    let length = value.chars().count();
    if value.trim().is_empty() || length > max {
        return Err(validation_failed(
            pointer,
            format!("must be 1 to {max} characters, not blank"),
        ));
    }
    Ok(())
}

/// Allows an absent value or up to `max` characters.
fn check_optional_text(pointer: &str, value: Option<&str>, max: usize) -> Result<(), Problem> {
    match value {
        Some(v) if v.chars().count() > max => Err(validation_failed(
            pointer,
            format!("must be at most {max} characters"),
        )),
        _ => Ok(()),
    }
}

/// A financial year `YYYY-YY` whose second part follows the first, e.g. `2023-24`.
fn check_vintage(vintage: &str) -> Result<(), Problem> {
    let bytes = vintage.as_bytes();
    let well_formed = bytes.len() == 7
        && bytes[4] == b'-'
        && bytes
            .iter()
            .enumerate()
            .all(|(i, b)| i == 4 || b.is_ascii_digit());
    let consecutive = well_formed
        && match (vintage[..4].parse::<u32>(), vintage[5..].parse::<u32>()) {
            (Ok(start), Ok(end)) => (start + 1) % 100 == end,
            _ => false,
        };
    if consecutive {
        Ok(())
    } else {
        Err(validation_failed(
            "/vintage",
            format!("{vintage:?} is not a financial year such as 2023-24"),
        ))
    }
}
