//! The run-wide state every check shares: what was provisioned or configured, and the ledger of
//! what the run created (for the conservation checks).

use super::*;

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
    pub(super) fn rep_with(&self, roles: &[Role]) -> Option<&Rep> {
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
    /// Whether the run may reset the sandbox ([`crate::RunOptions::allow_reset`]).
    pub(crate) allow_reset: bool,
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
            // The suite sees every answer as the target gave it: a retried 503 would hide a fault,
            // so no status is ever retried. Only a call that got no answer at all (connection
            // refused or reset, a timeout) is tried again, twice at most: on a loaded loopback a
            // listener's backlog can refuse a connection that says nothing about the target.
            .retry(ucr_sdk::RetryPolicy {
                statuses: Vec::new(),
                ..ucr_sdk::RetryPolicy::default()
            })
            .build()?;
        // Redirects are answers to judge (the authorization endpoint's), never followed: the
        // client's redirect URI is not the target's.
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
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
