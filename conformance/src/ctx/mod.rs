//! What a running check gets: clients, fixture provisioning through the sandbox API, raw HTTP for
//! deliberately malformed requests, and evidence recording.
//!
//! Every exchange made while a check runs (through the SDK's observer or [`RawRequest`]) lands in
//! that check's evidence: the engine runs each check inside a task-local [`Recorder`](crate::evidence::Recorder) scope.

use std::collections::{BTreeMap, BTreeSet};
use std::num::NonZeroU64;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use bytes::Bytes;
use futures::TryStreamExt;
use reqwest::header::{AUTHORIZATION, CONTENT_TYPE, HeaderMap};
use ucr_sdk::types::{
    AccountHolder, BlockStatus, CancellationRequest, KyotoStatus, Role, SerialRange, Transaction,
    TransferRequest, UnitBlock,
};
use ucr_sdk::{Client, Exchange, ProblemKind};

use crate::assert::SdkResultExt;
use crate::capability::{Capabilities, Feature};
use crate::evidence::record;
use crate::outcome::{Failure, Phase};
use crate::receiver::Receiver;
use crate::snapshot::{Snapshot, normalize};

mod platforms;

pub(crate) use platforms::certificate;
pub use platforms::{Custodial, Platform};

/// Everything the run created, for the run-wide conservation checks.
#[derive(Debug, Default, Clone)]
pub(crate) struct Ledger {
    /// Every block the run issued, as the issuance answered.
    pub(crate) issued: Vec<UnitBlock>,
    /// Every account the run created, with a token that can read it (if one was appointed).
    pub(crate) accounts: BTreeMap<String, Option<String>>,
}

/// Where a run's fixtures come from: the seam between the checks and the target's set-up.
pub(crate) enum Provision {
    /// Fresh holders, accounts, representatives, units and platforms through the sandbox API, as
    /// this SDK client with the operator's token.
    Sandbox(Client),
    /// Only the accounts and platforms a configuration file provides (verified at start-up);
    /// anything that needs the sandbox is skipped.
    Provided(Provided),
}

/// What a configuration file provides, as the target reports it.
#[derive(Debug, Clone, Default)]
pub(crate) struct Provided {
    pub(crate) accounts: Vec<ProvidedAccount>,
    pub(crate) platforms: Vec<Platform>,
}

/// A provisioned account as the target reports it, with the configured representatives.
#[derive(Debug, Clone)]
pub(crate) struct ProvidedAccount {
    pub(crate) holder: AccountHolder,
    pub(crate) account_id: String,
    /// How many representatives the account has in all (configured or not): four eyes depends on
    /// it.
    pub(crate) representatives: usize,
    /// The configured representatives, with their roles on the account.
    pub(crate) reps: Vec<Rep>,
}

impl ProvidedAccount {
    /// A representative with `roles` exactly (in any order).
    fn rep_with(&self, roles: &[Role]) -> Option<&Rep> {
        self.reps.iter().find(|r| {
            r.roles.len() == roles.len() && roles.iter().all(|role| r.roles.contains(role))
        })
    }
}

/// State shared by every check of a run.
pub(crate) struct RunState {
    pub(crate) base_url: String,
    /// SDK client without credentials; its observer records into the current check.
    pub(crate) client: Client,
    /// Where fixtures come from.
    pub(crate) provision: Provision,
    /// What the target declares.
    pub(crate) capabilities: Capabilities,
    /// Raw HTTP client for requests the SDK cannot express.
    pub(crate) http: reqwest::Client,
    /// Short random tag that makes fixture names unique to this run.
    pub(crate) run_tag: String,
    pub(crate) ledger: Mutex<Ledger>,
    /// The run's webhook receiver.
    pub(crate) receiver: Receiver,
    /// The target's declared webhook retry base ([`crate::RunOptions::webhook_backoff`]).
    pub(crate) webhook_backoff: Duration,
}

impl RunState {
    /// Builds the clients for `base_url`; the operator session is opened by the engine's probe.
    pub(crate) fn clients(
        base_url: &str,
        timeout: Duration,
    ) -> Result<(Client, reqwest::Client), reqwest::Error> {
        let client = Client::builder(base_url)
            .timeout(timeout)
            .user_agent(concat!("ucr-conformance/", env!("CARGO_PKG_VERSION")))
            .observer(record)
            .build()?;
        let http = reqwest::Client::builder()
            .connect_timeout(timeout)
            .timeout(timeout)
            .user_agent(concat!("ucr-conformance/", env!("CARGO_PKG_VERSION")))
            .build()?;
        Ok((client, http))
    }

    pub(crate) fn ledger(&self) -> Ledger {
        self.ledger
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }
}

/// The attributes of units to issue.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attrs {
    /// Unit type code.
    pub unit_type: String,
    /// Project (ACCU) or facility (SMC) ID.
    pub project_id: String,
    /// Financial year, `YYYY-YY`.
    pub vintage: String,
    /// Method name.
    pub method: String,
    /// Kyoto eligibility (ACCUs only).
    pub kyoto_status: Option<KyotoStatus>,
    /// State or territory.
    pub state: String,
}

impl Attrs {
    /// ACCUs of a vegetation project in NSW, vintage 2023-24.
    pub fn accu() -> Self {
        Self {
            unit_type: "ACCU".into(),
            project_id: "ERF990001".into(),
            vintage: "2023-24".into(),
            method: "Human-induced regeneration of a permanent even-aged native forest".into(),
            kyoto_status: Some(KyotoStatus::NonKyoto),
            state: "NSW".into(),
        }
    }

    /// SMCs of a Safeguard facility in WA, vintage 2024-25.
    pub fn smc() -> Self {
        Self {
            unit_type: "SMC".into(),
            project_id: "SGF-000417".into(),
            vintage: "2024-25".into(),
            method: "Safeguard Mechanism: emissions below baseline".into(),
            kyoto_status: None,
            state: "WA".into(),
        }
    }

    /// The same attributes with another vintage.
    pub fn vintage(mut self, vintage: &str) -> Self {
        self.vintage = vintage.into();
        self
    }

    /// The same attributes with another project.
    pub fn project(mut self, project_id: &str) -> Self {
        self.project_id = project_id.into();
        self
    }

    /// The same attributes with another state.
    pub fn state(mut self, state: &str) -> Self {
        self.state = state.into();
        self
    }

    /// ACCU attributes that differ for every `n` (vintage and project), so that blocks issued with
    /// them can never be merged by the implementation.
    pub fn distinct(n: usize) -> Self {
        let year = 2012 + (n % 13);
        Self::accu()
            .vintage(&format!("{year}-{:02}", (year + 1) % 100))
            .project(&format!("ERF99{:04}", n % 10_000))
    }
}

/// An authorised representative appointed by a fixture, with a client that authenticates as it.
#[derive(Clone)]
pub struct Rep {
    /// Registry identifier.
    pub id: String,
    /// Full name.
    pub name: String,
    /// Roles on the account it was appointed to by the fixture.
    pub roles: Vec<Role>,
    /// SDK client authenticating as this representative.
    pub client: Client,
    token: String,
}

impl Rep {
    /// A representative whose credentials come from elsewhere (a configuration file).
    pub(crate) fn provided(
        id: String,
        name: String,
        roles: Vec<Role>,
        client: Client,
        token: String,
    ) -> Self {
        Self {
            id,
            name,
            roles,
            client,
            token,
        }
    }
}

impl Rep {
    /// The bearer token, for raw requests.
    pub fn token(&self) -> &str {
        &self.token
    }
}

impl std::fmt::Debug for Rep {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Rep")
            .field("id", &self.id)
            .field("roles", &self.roles)
            .finish_non_exhaustive()
    }
}

/// A holder's account with one representative holding both roles.
#[derive(Debug, Clone)]
pub struct Party {
    /// The account holder.
    pub holder: AccountHolder,
    /// The account.
    pub account_id: String,
    /// Its only representative (`initiator` and `approver`).
    pub rep: Rep,
}

/// A holder's account with two representatives: one `initiator`, one `approver`.
#[derive(Debug, Clone)]
pub struct FourEyes {
    /// The account holder.
    pub holder: AccountHolder,
    /// The account.
    pub account_id: String,
    /// Representative with the `initiator` role only.
    pub initiator: Rep,
    /// Representative with the `approver` role only.
    pub approver: Rep,
}

/// What a running check gets from the engine.
#[derive(Clone)]
pub struct Ctx {
    run: Arc<RunState>,
    check_id: &'static str,
    phase: Phase,
    seq: Arc<AtomicUsize>,
    /// The provided accounts this check has taken (each serves one fixture per check).
    taken: Arc<Mutex<BTreeSet<String>>>,
}

impl Ctx {
    pub(crate) fn new(run: Arc<RunState>, check_id: &'static str, phase: Phase) -> Self {
        Self {
            run,
            check_id,
            phase,
            seq: Arc::new(AtomicUsize::new(0)),
            taken: Arc::default(),
        }
    }

    pub(crate) fn run_state(&self) -> &RunState {
        &self.run
    }

    /// The ID of the running check.
    pub fn check_id(&self) -> &'static str {
        self.check_id
    }

    /// The target's declared webhook retry base: the wait before the first redelivery; each
    /// further retry waits twice as long.
    pub fn webhook_backoff(&self) -> Duration {
        self.run.webhook_backoff
    }

    /// The target's base URL (scheme, host, port; no `/v1`).
    pub fn base_url(&self) -> &str {
        &self.run.base_url
    }

    /// SDK client authenticated as the sandbox operator, for `what` (e.g. `issue units`); a
    /// target without the sandbox API skips the check, saying what it needed.
    pub fn operator(&self, what: &str) -> Result<&Client, Failure> {
        match &self.run.provision {
            Provision::Sandbox(operator) => Ok(operator),
            Provision::Provided(_) => Err(Failure::skipped(format!(
                "needs the sandbox API to {what}; the target does not declare `sandbox` and its \
                 configuration cannot provide that"
            ))),
        }
    }

    /// What the target declares it implements.
    pub fn capabilities(&self) -> &Capabilities {
        &self.run.capabilities
    }

    /// Skips the check unless the target declares `feature` (for features a check's operations
    /// do not reveal, e.g. webhooks received after a transfer).
    pub fn require(&self, feature: Feature, what: &str) -> Result<(), Failure> {
        if self.run.capabilities.has(feature) {
            Ok(())
        } else {
            Err(Failure::skipped(format!(
                "needs `{feature}` to {what}; the target does not declare it (capabilities)"
            )))
        }
    }

    /// Takes the first provided platform of `kind` not yet taken by this check; `None` when the run
    /// uses the sandbox. `Err` (skipped) when none is left.
    pub(crate) fn take_provided_platform(
        &self,
        kind: ucr_sdk::types::PlatformKind,
    ) -> Option<Result<Platform, Failure>> {
        let Provision::Provided(Provided { platforms, .. }) = &self.run.provision else {
            return None;
        };
        let mut taken = self.taken.lock().unwrap_or_else(|e| e.into_inner());
        let found = platforms
            .iter()
            .find(|p| p.kind == kind && !taken.contains(&p.platform_id))
            .cloned();
        Some(match found {
            Some(platform) => {
                taken.insert(platform.platform_id.clone());
                Ok(platform)
            }
            None => Err(Failure::skipped(format!(
                "needs a {kind} of its own; without the sandbox API the configuration must provide one, \
                 and it has no further {kind} ({} platforms provided)",
                platforms.len()
            ))),
        })
    }

    /// Takes the first provided account not yet taken by this check for which `pick` finds a
    /// fixture; `None` when the run uses the sandbox. `Err` (skipped) when none is left.
    fn take_provided<T>(
        &self,
        what: &str,
        pick: impl Fn(&ProvidedAccount) -> Option<T>,
    ) -> Option<Result<T, Failure>> {
        let Provision::Provided(Provided { accounts, .. }) = &self.run.provision else {
            return None;
        };
        let mut taken = self.taken.lock().unwrap_or_else(|e| e.into_inner());
        for account in accounts {
            if taken.contains(&account.account_id) {
                continue;
            }
            if let Some(fixture) = pick(account) {
                taken.insert(account.account_id.clone());
                return Some(Ok(fixture));
            }
        }
        Some(Err(Failure::skipped(format!(
            "needs {what}; without the sandbox API the configuration must provide one, and it has no \
             further account of that shape ({} provided, {} already used by this check)",
            accounts.len(),
            accounts
                .iter()
                .filter(|a| taken.contains(&a.account_id))
                .count()
        ))))
    }

    /// SDK client that sends no credentials.
    pub fn anonymous(&self) -> Client {
        self.run.client.anonymous()
    }

    /// SDK client authenticating with `token`.
    pub fn client_with_token(&self, token: &str) -> Client {
        self.run.client.with_bearer_token(token)
    }

    /// The raw HTTP client (no credentials, the run's timeout). Exchanges made with it directly are
    /// not recorded as evidence; prefer [`Ctx::raw`].
    pub fn http(&self) -> &reqwest::Client {
        &self.run.http
    }

    /// A name unique to this check and run, e.g. for holders and accounts.
    pub fn unique(&self, what: &str) -> String {
        let n = self.next_seq();
        format!("{what} {} {}-{n}", self.check_id, self.run.run_tag)
    }

    /// The next number of this check's sequence (shared by [`Ctx::unique`] and webhook paths).
    fn next_seq(&self) -> usize {
        self.seq.fetch_add(1, Ordering::Relaxed)
    }

    /// Notes an account the run created, and a token that can read it, for the run-wide checks.
    fn note_account(&self, account_id: &str, reader: Option<&str>) {
        let mut ledger = self.run.ledger.lock().unwrap_or_else(|e| e.into_inner());
        let entry = ledger.accounts.entry(account_id.to_owned()).or_default();
        if entry.is_none() {
            *entry = reader.map(str::to_owned);
        }
    }

    /// Creates an account holder.
    pub async fn new_holder(&self) -> Result<AccountHolder, Failure> {
        let name = self.unique("Conformance holder");
        let body = ucr_sdk::types::NewAccountHolder {
            name: parse(&name, "holder name")?,
        };
        self.operator("create an account holder")?
            .create_account_holder()
            .body(body)
            .send()
            .await
            .expect_ok("creating an account holder (sandbox)")
    }

    /// Opens a holding account for `holder_id`.
    pub async fn new_account(&self, holder_id: &str) -> Result<String, Failure> {
        self.open_account(holder_id, ucr_sdk::types::AccountKind::Holding)
            .await
    }

    /// Opens an account of `kind` for `holder_id`.
    pub async fn open_account(
        &self,
        holder_id: &str,
        kind: ucr_sdk::types::AccountKind,
    ) -> Result<String, Failure> {
        let body = ucr_sdk::types::NewAccount {
            holder_id: holder_id.to_owned(),
            kind,
            name: parse(&self.unique("Conformance account"), "account name")?,
        };
        let account = self
            .operator("open an account")?
            .create_account()
            .body(body)
            .send()
            .await
            .expect_ok("opening an account (sandbox)")?;
        self.note_account(&account.account_id, None);
        Ok(account.account_id)
    }

    /// Appoints a new representative with `roles` to `account_id`.
    pub async fn appoint(&self, account_id: &str, roles: &[Role]) -> Result<Rep, Failure> {
        let name = self.unique("Conformance AR");
        let body = ucr_sdk::types::NewRepresentative {
            name: parse(&name, "representative name")?,
            roles: roles.to_vec(),
            representative_id: None,
        };
        let credential = self
            .operator("appoint a representative")?
            .appoint_representative()
            .account_id(account_id)
            .body(body)
            .send()
            .await
            .expect_ok("appointing a representative (sandbox)")?;
        self.note_reader(account_id, &credential.token);
        Ok(Rep {
            id: credential.representative_id,
            name: credential.name,
            roles: credential.roles,
            client: self.client_with_token(&credential.token),
            token: credential.token,
        })
    }

    /// Appoints an existing representative to another account with `roles`; it keeps its token.
    pub async fn appoint_existing(
        &self,
        account_id: &str,
        rep: &Rep,
        roles: &[Role],
    ) -> Result<(), Failure> {
        let body = ucr_sdk::types::NewRepresentative {
            name: parse(&rep.name, "representative name")?,
            roles: roles.to_vec(),
            representative_id: Some(rep.id.clone()),
        };
        let credential = self
            .operator("appoint a representative to another account")?
            .appoint_representative()
            .account_id(account_id)
            .body(body)
            .send()
            .await
            .expect_ok("appointing an existing representative to a second account (sandbox)")?;
        if credential.representative_id != rep.id {
            return Err(Failure::new(format!(
                "appointing existing representative {} answered with representative {}",
                rep.id, credential.representative_id
            )));
        }
        self.note_reader(account_id, rep.token());
        Ok(())
    }

    fn note_reader(&self, account_id: &str, token: &str) {
        self.note_account(account_id, Some(token));
    }

    /// A new holder with one account and one representative per entry of `roles`.
    pub async fn holder_with_reps(
        &self,
        roles: &[&[Role]],
    ) -> Result<(AccountHolder, String, Vec<Rep>), Failure> {
        let holder = self.new_holder().await?;
        let account_id = self.new_account(&holder.holder_id).await?;
        let mut reps = Vec::with_capacity(roles.len());
        for r in roles {
            reps.push(self.appoint(&account_id, r).await?);
        }
        Ok((holder, account_id, reps))
    }

    /// A new holder with one account, an `initiator` and a separate `approver`. Without the
    /// sandbox: the next provided account with an initiator-only and an approver-only
    /// representative.
    pub async fn holder_with_two_reps(&self) -> Result<FourEyes, Failure> {
        if let Some(provided) = self.take_provided(
            "an account with an initiator-only and an approver-only representative",
            |a| {
                Some(FourEyes {
                    holder: a.holder.clone(),
                    account_id: a.account_id.clone(),
                    initiator: a.rep_with(&[Role::Initiator])?.clone(),
                    approver: a.rep_with(&[Role::Approver])?.clone(),
                })
            },
        ) {
            return provided;
        }
        let (holder, account_id, mut reps) = self
            .holder_with_reps(&[&[Role::Initiator], &[Role::Approver]])
            .await?;
        let approver = reps
            .pop()
            .ok_or_else(|| Failure::new("fixture: approver missing"))?;
        let initiator = reps
            .pop()
            .ok_or_else(|| Failure::new("fixture: initiator missing"))?;
        Ok(FourEyes {
            holder,
            account_id,
            initiator,
            approver,
        })
    }

    /// A new holder with one account and a single representative holding both roles. Without the
    /// sandbox: the next provided account whose only representative holds both roles.
    pub async fn holder_with_one_rep(&self) -> Result<Party, Failure> {
        if let Some(provided) = self.take_provided(
            "an account whose only representative is both initiator and approver",
            |a| {
                (a.representatives == 1).then_some(())?;
                Some(Party {
                    holder: a.holder.clone(),
                    account_id: a.account_id.clone(),
                    rep: a.rep_with(&[Role::Initiator, Role::Approver])?.clone(),
                })
            },
        ) {
            return provided;
        }
        let (holder, account_id, mut reps) = self
            .holder_with_reps(&[&[Role::Initiator, Role::Approver]])
            .await?;
        let rep = reps
            .pop()
            .ok_or_else(|| Failure::new("fixture: representative missing"))?;
        Ok(Party {
            holder,
            account_id,
            rep,
        })
    }

    /// Issues `quantity` units with `attrs` into `account_id` and records them in the run's ledger.
    pub async fn issue(
        &self,
        account_id: &str,
        quantity: u64,
        attrs: &Attrs,
    ) -> Result<UnitBlock, Failure> {
        let quantity = NonZeroU64::new(quantity)
            .ok_or_else(|| Failure::new("fixture: cannot issue zero units"))?;
        let body = ucr_sdk::types::IssuanceRequest {
            account_id: account_id.to_owned(),
            unit_type: attrs.unit_type.clone(),
            quantity,
            project_id: attrs.project_id.clone(),
            vintage: attrs.vintage.clone(),
            method: attrs.method.clone(),
            kyoto_status: attrs.kyoto_status,
            state: attrs.state.clone(),
            issued_on: None,
        };
        let block = self
            .operator("issue units")?
            .issue_units()
            .body(body)
            .send()
            .await
            .expect_ok("issuing units (sandbox)")?;
        self.run
            .ledger
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .issued
            .push(block.clone());
        if block.quantity != quantity.get()
            || block
                .serial_end
                .checked_sub(block.serial_start)
                .map(|d| d + 1)
                != Some(quantity.get())
        {
            return Err(Failure::new(format!(
                "issuing {quantity} units answered with block {} of quantity {} (serials {}..={})",
                block.block_id, block.quantity, block.serial_start, block.serial_end
            )));
        }
        Ok(block)
    }

    /// `quantity` units of `attrs.unit_type` in `account_id` that the check may use, for checks
    /// whose assertions hold whatever else the account holds (refusals, access, authentication).
    /// With the sandbox they are freshly issued (like [`Ctx::issue`]); on a provided account they
    /// are the first `quantity` serials of an `available` block of that unit type the account
    /// already holds, and the returned block describes exactly those serials. Without such a block
    /// the check is skipped.
    pub async fn stock(
        &self,
        account_id: &str,
        quantity: u64,
        attrs: &Attrs,
    ) -> Result<UnitBlock, Failure> {
        let Provision::Provided(Provided { accounts, .. }) = &self.run.provision else {
            return self.issue(account_id, quantity, attrs).await;
        };
        if quantity == 0 {
            return Err(Failure::new("fixture: cannot use zero units"));
        }
        let reader = accounts
            .iter()
            .find(|a| a.account_id == account_id)
            .and_then(|a| a.reps.first())
            .ok_or_else(|| {
                Failure::skipped(format!(
                    "needs units in {account_id}, which is not a configured account (sandbox needed)"
                ))
            })?;
        let blocks = self.holdings(&reader.client, account_id).await?;
        let block = blocks
            .into_iter()
            .filter(|b| {
                b.status == BlockStatus::Available
                    && b.unit_type == attrs.unit_type
                    && b.quantity >= quantity
            })
            .min_by_key(|b| b.serial_start)
            .ok_or_else(|| {
                Failure::skipped(format!(
                    "needs {quantity} available {} in one block of the configured account {account_id}; \
                     it holds none (provision more units)",
                    attrs.unit_type
                ))
            })?;
        Ok(UnitBlock {
            quantity,
            serial_end: block.serial_start + quantity - 1,
            ..block
        })
    }

    /// Every block of `account_id` (all statuses), read through `client`, across all pages.
    pub async fn holdings(
        &self,
        client: &Client,
        account_id: &str,
    ) -> Result<Vec<UnitBlock>, Failure> {
        client
            .list_holdings()
            .account_id(account_id)
            .limit(200u32)
            .stream()
            .try_collect()
            .await
            .map_err(|e| Failure::from(e).context(format!("listing the holdings of {account_id}")))
    }

    /// Every block of `account_id` with `status`.
    pub async fn holdings_with_status(
        &self,
        client: &Client,
        account_id: &str,
        status: BlockStatus,
    ) -> Result<Vec<UnitBlock>, Failure> {
        Ok(self
            .holdings(client, account_id)
            .await?
            .into_iter()
            .filter(|b| b.status == status)
            .collect())
    }

    /// The full transaction history of `account_id`, read through `client`.
    pub async fn history(
        &self,
        client: &Client,
        account_id: &str,
    ) -> Result<Vec<Transaction>, Failure> {
        client
            .list_transactions()
            .account_id(account_id)
            .limit(200u32)
            .stream()
            .try_collect()
            .await
            .map_err(|e| {
                Failure::from(e).context(format!("listing the transactions of {account_id}"))
            })
    }

    /// The account's holdings and history, for [`crate::assert::assert_unchanged`].
    pub async fn snapshot(&self, client: &Client, account_id: &str) -> Result<Snapshot, Failure> {
        let holdings = self.holdings(client, account_id).await?;
        let history = self.history(client, account_id).await?;
        Ok(Snapshot {
            account_id: account_id.to_owned(),
            holdings: normalize(&holdings),
            history,
        })
    }

    /// A raw request to `path` (starting with `/v1`), recorded as `operation_id` in the evidence.
    pub fn raw(
        &self,
        operation_id: &'static str,
        method: reqwest::Method,
        path: &str,
    ) -> RawRequest {
        let is_write = method != reqwest::Method::GET && method != reqwest::Method::HEAD;
        RawRequest {
            http: self.run.http.clone(),
            url: format!("{}{path}", self.run.base_url),
            operation_id,
            method,
            query: Vec::new(),
            headers: Vec::new(),
            body: None,
            idempotency_key: is_write.then(|| uuid::Uuid::new_v4().to_string()),
        }
    }
}

fn parse<T: std::str::FromStr>(value: &str, what: &str) -> Result<T, Failure>
where
    T::Err: std::fmt::Display,
{
    value
        .parse()
        .map_err(|e| Failure::new(format!("fixture: invalid {what} {value:?}: {e}")))
}

/// A transfer request choosing units by quantity.
pub fn by_quantity(from: &str, to: &str, unit_type: &str, quantity: u64) -> TransferRequest {
    TransferRequest {
        from_account_id: from.to_owned(),
        to_account_id: to.to_owned(),
        unit_type: unit_type.to_owned(),
        quantity: NonZeroU64::new(quantity),
        serial_ranges: None,
        vintage: None,
        project_id: None,
        reference: None,
        reservation_id: None,
    }
}

/// A transfer request choosing units by serial ranges.
pub fn by_serials(from: &str, to: &str, unit_type: &str, ranges: &[(u64, u64)]) -> TransferRequest {
    TransferRequest {
        from_account_id: from.to_owned(),
        to_account_id: to.to_owned(),
        unit_type: unit_type.to_owned(),
        quantity: None,
        serial_ranges: Some(
            ranges
                .iter()
                .map(|&(s, e)| SerialRange {
                    serial_start: s,
                    serial_end: e,
                })
                .collect(),
        ),
        vintage: None,
        project_id: None,
        reference: None,
        reservation_id: None,
    }
}

/// A cancellation request choosing units by quantity.
pub fn cancel_quantity(account: &str, unit_type: &str, quantity: u64) -> CancellationRequest {
    CancellationRequest {
        account_id: account.to_owned(),
        unit_type: unit_type.to_owned(),
        quantity: NonZeroU64::new(quantity),
        serial_ranges: None,
        vintage: None,
        project_id: None,
        reason: None,
    }
}

/// A cancellation request choosing units by serial ranges.
pub fn cancel_serials(
    account: &str,
    unit_type: &str,
    ranges: &[(u64, u64)],
) -> CancellationRequest {
    CancellationRequest {
        account_id: account.to_owned(),
        unit_type: unit_type.to_owned(),
        quantity: None,
        serial_ranges: Some(
            ranges
                .iter()
                .map(|&(s, e)| SerialRange {
                    serial_start: s,
                    serial_end: e,
                })
                .collect(),
        ),
        vintage: None,
        project_id: None,
        reason: None,
    }
}

/// A request built by hand, for what the SDK cannot express (malformed bodies, missing headers,
/// out-of-range parameters). Writes get a fresh `Idempotency-Key` unless told otherwise.
#[derive(Debug)]
pub struct RawRequest {
    http: reqwest::Client,
    url: String,
    operation_id: &'static str,
    method: reqwest::Method,
    query: Vec<(String, String)>,
    headers: Vec<(String, String)>,
    body: Option<Bytes>,
    idempotency_key: Option<String>,
}

impl RawRequest {
    /// Authenticates with this bearer token.
    pub fn bearer(self, token: &str) -> Self {
        self.header("authorization", &format!("Bearer {token}"))
    }

    /// Adds a header.
    pub fn header(mut self, name: &str, value: &str) -> Self {
        self.headers
            .push((name.to_ascii_lowercase(), value.to_owned()));
        self
    }

    /// Adds a query parameter (encoded).
    pub fn query(mut self, name: &str, value: &str) -> Self {
        self.query.push((name.to_owned(), value.to_owned()));
        self
    }

    /// Uses this `Idempotency-Key`.
    pub fn idempotency_key(mut self, key: &str) -> Self {
        self.idempotency_key = Some(key.to_owned());
        self
    }

    /// Sends no `Idempotency-Key`.
    pub fn no_idempotency_key(mut self) -> Self {
        self.idempotency_key = None;
        self
    }

    /// Sends `value` as a JSON body.
    pub fn json(self, value: &serde_json::Value) -> Self {
        self.body_text(&value.to_string())
    }

    /// Sends `pairs` as an `application/x-www-form-urlencoded` body (e.g. an OAuth token request).
    pub fn form(mut self, pairs: &[(&str, &str)]) -> Self {
        let encoded = serde_urlencoded::to_string(pairs).unwrap_or_default();
        self.body = Some(Bytes::from(encoded));
        self.header("content-type", "application/x-www-form-urlencoded")
    }

    /// Sends `text` verbatim with `Content-Type: application/json` (for malformed JSON).
    pub fn body_text(mut self, text: &str) -> Self {
        self.body = Some(Bytes::copy_from_slice(text.as_bytes()));
        self.header("content-type", "application/json")
    }

    /// Sends the request and records the exchange.
    pub async fn send(self) -> Result<RawResponse, Failure> {
        let mut url = reqwest::Url::parse(&self.url)
            .map_err(|e| Failure::new(format!("invalid request URL {}: {e}", self.url)))?;
        if !self.query.is_empty() {
            url.query_pairs_mut().extend_pairs(self.query.iter());
        }
        let mut request = self
            .http
            .request(self.method.clone(), url.clone())
            .header("accept", "application/json");
        let mut shown_headers = vec![("accept".to_owned(), "application/json".to_owned())];
        for (name, value) in &self.headers {
            request = request.header(name.as_str(), value.as_str());
            let shown = if name == AUTHORIZATION.as_str() {
                redact_authorization(value)
            } else {
                value.clone()
            };
            shown_headers.push((name.clone(), shown));
        }
        if let Some(key) = &self.idempotency_key {
            request = request.header(ucr_sdk::IDEMPOTENCY_KEY, key.as_str());
            shown_headers.push((ucr_sdk::IDEMPOTENCY_KEY.to_owned(), key.clone()));
        }
        if let Some(body) = &self.body {
            request = request.body(body.clone());
        }
        let mut exchange = Exchange {
            operation_id: self.operation_id,
            method: self.method.to_string(),
            url: url.to_string(),
            request_headers: shown_headers,
            request_body: self.body.clone().unwrap_or_default(),
            status: None,
            response_headers: Vec::new(),
            response_body: Bytes::new(),
        };
        let outcome = async {
            let response = request.send().await?;
            let status = response.status().as_u16();
            let headers = response.headers().clone();
            let body = response.bytes().await?;
            Ok::<_, reqwest::Error>((status, headers, body))
        }
        .await;
        match outcome {
            Ok((status, headers, body)) => {
                exchange.status = Some(status);
                exchange.response_headers = headers
                    .iter()
                    .map(|(n, v)| {
                        (
                            n.as_str().to_owned(),
                            String::from_utf8_lossy(v.as_bytes()).into_owned(),
                        )
                    })
                    .collect();
                exchange.response_body = body.clone();
                record(exchange);
                Ok(RawResponse {
                    url: url.to_string(),
                    status,
                    headers,
                    body,
                })
            }
            Err(error) => {
                exchange.response_body = Bytes::from(error.to_string());
                record(exchange);
                Err(Failure::new(format!(
                    "{} {} failed: {error}",
                    self.method, self.url
                )))
            }
        }
    }
}

fn redact_authorization(value: &str) -> String {
    match value.split_once(' ') {
        Some((scheme, _)) => format!("{scheme} <redacted>"),
        None => "<redacted>".to_owned(),
    }
}

/// The answer to a [`RawRequest`].
#[derive(Debug, Clone)]
pub struct RawResponse {
    /// The request URL.
    pub url: String,
    /// HTTP status.
    pub status: u16,
    /// Response headers.
    pub headers: HeaderMap,
    /// Response body.
    pub body: Bytes,
}

impl RawResponse {
    /// A header's value, if present and text.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// The `Content-Type` header.
    pub fn content_type(&self) -> Option<&str> {
        self.header(CONTENT_TYPE.as_str())
    }

    /// The body parsed as JSON.
    pub fn json(&self) -> Result<serde_json::Value, Failure> {
        serde_json::from_slice(&self.body).map_err(|e| {
            Failure::new(format!(
                "HTTP {} answered a body that is not JSON ({e}): {}",
                self.status,
                crate::text::snippet(&self.body, 200)
            ))
        })
    }

    /// The problem document's `type`, if the body is one.
    pub fn problem_type(&self) -> Option<String> {
        serde_json::from_slice::<serde_json::Value>(&self.body)
            .ok()
            .and_then(|v| v.get("type").and_then(|t| t.as_str()).map(str::to_owned))
    }

    /// Expects a successful `status`; returns the JSON body.
    pub fn expect_status(&self, what: &str, status: u16) -> Result<serde_json::Value, Failure> {
        if self.status != status {
            let problem = self
                .problem_type()
                .map(|t| format!(" {t}"))
                .unwrap_or_default();
            return Err(Failure::new(format!(
                "{what}: expected HTTP {status}, got {}{problem}",
                self.status
            )));
        }
        self.json().map_err(|f| f.context(what))
    }

    /// Expects a problem document of `kind` with `status`; returns the document.
    pub fn expect_problem(
        &self,
        what: &str,
        status: u16,
        kind: ProblemKind,
    ) -> Result<serde_json::Value, Failure> {
        let got_type = self.problem_type();
        if self.status != status || got_type.as_deref() != Some(kind.uri()) {
            return Err(Failure::new(format!(
                "{what}: expected HTTP {status} {}, got HTTP {} {}",
                kind.uri(),
                self.status,
                got_type.unwrap_or_else(|| format!(
                    "without a problem type (body: {})",
                    crate::text::snippet(&self.body, 200)
                ))
            )));
        }
        let document = self.json().map_err(|f| f.context(what))?;
        if document.get("status").and_then(|s| s.as_u64()) != Some(u64::from(status)) {
            return Err(Failure::new(format!(
                "{what}: the problem document's `status` member is {}, not the HTTP status {status}",
                document
                    .get("status")
                    .map(|s| s.to_string())
                    .unwrap_or_else(|| "missing".into())
            )));
        }
        Ok(document)
    }
}
