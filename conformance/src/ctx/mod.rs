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

mod parties;
mod platforms;
mod provision;
mod raw;
mod reads;
mod requests;
mod reset;
mod run;

pub use parties::{Attrs, FourEyes, Party, Rep};
pub(crate) use platforms::certificate;
pub use platforms::{Custodial, Platform};
pub use raw::{RawRequest, RawResponse};
use requests::parse;
pub use requests::{by_quantity, by_serials, cancel_quantity, cancel_serials};
pub(crate) use run::{Ledger, Provided, ProvidedAccount, Provision, RunState};

/// What a running check gets from the engine.
#[derive(Clone)]
pub struct Ctx {
    run: Arc<RunState>,
    check_id: &'static str,
    phase: Phase,
    seq: Arc<AtomicUsize>,
    /// The provided accounts this check has taken (each serves one fixture per check).
    taken: Arc<Mutex<BTreeSet<String>>>,
    /// What the check left unverified although it passed (see [`Ctx::note`]).
    notes: Arc<Mutex<Vec<String>>>,
}

impl Ctx {
    pub(crate) fn new(run: Arc<RunState>, check_id: &'static str, phase: Phase) -> Self {
        Self {
            run,
            check_id,
            phase,
            seq: Arc::new(AtomicUsize::new(0)),
            taken: Arc::default(),
            notes: Arc::default(),
        }
    }

    /// Records a part of the check that did not run (e.g. its webhook assertions on a target
    /// without `webhooks`); the engine reports it with the check's result.
    pub fn note(&self, text: impl Into<String>) {
        self.notes
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(text.into());
    }

    /// The notes recorded so far.
    pub(crate) fn notes(&self) -> Vec<String> {
        self.notes.lock().unwrap_or_else(|e| e.into_inner()).clone()
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
}
