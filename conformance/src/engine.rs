//! The one engine: selects checks, opens a sandbox operator session on the target, starts the
//! webhook receiver, runs the checks phase by phase (concurrently, then the clock-moving ones one
//! at a time, then the run-wide ones; see [`Phase`]), and collects a report.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use futures::FutureExt;
use tokio::sync::Semaphore;
use ucr_sdk::Error;
use ucr_sdk::types::{ConsentStatus, Role, TransactionStatus};

use crate::capability::{Capabilities, Feature};
use crate::check::Check;
use crate::config::{AccountConfig, PlatformConfig};
use crate::ctx::{Ctx, Ledger, Platform, Provided, ProvidedAccount, Provision, Rep, RunState};
use crate::evidence::Recorder;
use crate::outcome::{Failure, Phase};
use crate::receiver::Receiver;
use crate::report::{
    CheckReport, CheckStatus, EXCHANGE_BODY_LIMIT, ExchangeRecord, FAILED_EXCHANGE_BODY_LIMIT,
    Provisioning, Report, RequirementRef, Summary,
};

/// A callback the engine calls with each finished check's report.
pub type CheckDone = Arc<dyn Fn(&CheckReport) + Send + Sync>;

/// How to run the checks.
#[derive(Clone)]
pub struct RunOptions {
    /// How many checks run at the same time (at least 1).
    pub concurrency: usize,
    /// Timeout of each HTTP request.
    pub timeout: Duration,
    /// How the target is described in the report (defaults to its base URL).
    pub target_label: Option<String>,
    /// Called as each check finishes (e.g. to advance a progress bar).
    pub on_check_done: Option<CheckDone>,
    /// Where the suite's webhook receiver listens (port 0: any free port).
    pub webhook_listen: SocketAddr,
    /// The receiver's base URL as the target reaches it (scheme, host, port), when the target
    /// cannot reach `webhook_listen` directly (e.g. behind a tunnel); `None`: the listening
    /// address itself.
    pub webhook_url: Option<String>,
    /// What the target declares it implements; checks needing anything else are skipped.
    /// Default: everything.
    pub capabilities: Capabilities,
    /// Accounts provisioned on the target, used instead of sandbox fixtures when `capabilities`
    /// lacks [`Feature::Sandbox`].
    pub accounts: Vec<AccountConfig>,
    /// Platforms provisioned on the target, used instead of sandbox-registered ones when
    /// `capabilities` lacks [`Feature::Sandbox`].
    pub platforms: Vec<PlatformConfig>,
    /// The target's declared webhook retry base: the wait before the first redelivery, each
    /// further retry waiting twice as long. The redelivery checks hold the target to the schedule
    /// this declares. Default [`DOCUMENTED_WEBHOOK_BACKOFF`].
    pub webhook_backoff: Duration,
    /// Whether the [`Phase::Reset`] checks may reset the sandbox, removing everything on it (a
    /// shared sandbox loses other users' fixtures too); without it they are skipped. Default
    /// `false`.
    pub allow_reset: bool,
}

/// The retry base the API documents for a registry: 0.5 s, doubling (0.5, 1, 2, 4, 8 s).
pub const DOCUMENTED_WEBHOOK_BACKOFF: Duration = Duration::from_millis(500);

impl Default for RunOptions {
    fn default() -> Self {
        Self {
            concurrency: 8,
            timeout: Duration::from_secs(15),
            target_label: None,
            on_check_done: None,
            webhook_listen: SocketAddr::from(([127, 0, 0, 1], 0)),
            webhook_url: None,
            capabilities: Capabilities::default(),
            accounts: Vec::new(),
            platforms: Vec::new(),
            webhook_backoff: DOCUMENTED_WEBHOOK_BACKOFF,
            allow_reset: false,
        }
    }
}

impl std::fmt::Debug for RunOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RunOptions")
            .field("concurrency", &self.concurrency)
            .field("timeout", &self.timeout)
            .field("target_label", &self.target_label)
            .field("webhook_listen", &self.webhook_listen)
            .field("webhook_url", &self.webhook_url)
            .field("capabilities", &self.capabilities)
            .field("accounts", &self.accounts)
            .field("platforms", &self.platforms)
            .field("webhook_backoff", &self.webhook_backoff)
            .field("allow_reset", &self.allow_reset)
            .finish_non_exhaustive()
    }
}

/// The target cannot be tested.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum TargetError {
    /// The HTTP client could not be built.
    #[error("cannot initialise the HTTP client: {0}")]
    Client(#[source] reqwest::Error),
    /// Nothing answered at the base URL.
    #[error("cannot reach {url}: {message}")]
    Unreachable {
        /// The target's base URL.
        url: String,
        /// The transport error.
        message: String,
    },
    /// The target answered `404` to `POST /v1/sandbox/operator-sessions`.
    #[error(
        "{url} does not offer the sandbox API (POST /v1/sandbox/operator-sessions answered 404). This version of \
         ucr-conformance provisions its test holders, accounts, representatives and units only through the sandbox \
         API; enable it on the target (never in production) and run again"
    )]
    SandboxUnavailable {
        /// The target's base URL.
        url: String,
    },
    /// The webhook receiver cannot listen where it was told to.
    #[error("the webhook receiver cannot listen on {addr}: {message}")]
    WebhookReceiver {
        /// The address it was told to listen on.
        addr: SocketAddr,
        /// The error.
        message: String,
    },
    /// A provisioned account or token from the configuration does not work on the target.
    #[error("the configuration does not match {url}: {message}")]
    Config {
        /// The target's base URL.
        url: String,
        /// Which account or representative, and what the target answered.
        message: String,
    },
    /// The target answered the sandbox bootstrap in an unexpected way.
    #[error("{url} answered POST /v1/sandbox/operator-sessions unexpectedly: {message}")]
    Unexpected {
        /// The target's base URL.
        url: String,
        /// What came back.
        message: String,
    },
}

/// A `--only` selection that cannot be used.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[non_exhaustive]
pub enum SelectError {
    /// The selection is empty.
    #[error(
        "the selection is empty: give one or more comma-separated glob patterns, e.g. 'A1-TRANSFER-*,A1-AUTH-001'"
    )]
    Empty,
    /// A pattern matched no check ID.
    #[error("the pattern {0:?} matches no check ID (see --list)")]
    Unmatched(String),
}

/// Matches `text` against a glob with `*` (any run of characters) and `?` (one character),
/// case-insensitively.
pub fn glob_match(pattern: &str, text: &str) -> bool {
    let p: Vec<char> = pattern.to_ascii_uppercase().chars().collect();
    let t: Vec<char> = text.to_ascii_uppercase().chars().collect();
    let (mut pi, mut ti) = (0, 0);
    let mut backtrack: Option<(usize, usize)> = None;
    while ti < t.len() {
        if pi < p.len() && (p[pi] == '?' || p[pi] == t[ti]) {
            pi += 1;
            ti += 1;
        } else if pi < p.len() && p[pi] == '*' {
            backtrack = Some((pi, ti));
            pi += 1;
        } else if let Some((star, matched)) = backtrack {
            pi = star + 1;
            ti = matched + 1;
            backtrack = Some((star, matched + 1));
        } else {
            return false;
        }
    }
    p[pi..].iter().all(|&c| c == '*')
}

/// The checks whose IDs match any of the comma-separated glob `patterns`, in registry order.
/// Every pattern must match at least one check.
pub fn select(checks: &[Check], patterns: &str) -> Result<Vec<Check>, SelectError> {
    let patterns: Vec<&str> = patterns
        .split(',')
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .collect();
    if patterns.is_empty() {
        return Err(SelectError::Empty);
    }
    for pattern in &patterns {
        if !checks.iter().any(|c| glob_match(pattern, c.id)) {
            return Err(SelectError::Unmatched((*pattern).to_owned()));
        }
    }
    Ok(checks
        .iter()
        .filter(|c| patterns.iter().any(|p| glob_match(p, c.id)))
        .copied()
        .collect())
}

/// Opens a sandbox operator session: the probe that the target offers the sandbox API.
async fn probe(base_url: &str, client: &ucr_sdk::Client) -> Result<String, TargetError> {
    let url = base_url.to_owned();
    match client.create_operator_session().send().await {
        Ok(session) => Ok(session.into_inner().token),
        Err(Error::ErrorResponse(response)) if response.status().as_u16() == 404 => {
            Err(TargetError::SandboxUnavailable { url })
        }
        Err(Error::UnexpectedResponse(response)) if response.status().as_u16() == 404 => {
            Err(TargetError::SandboxUnavailable { url })
        }
        Err(Error::CommunicationError(e)) => Err(TargetError::Unreachable {
            url,
            message: e.to_string(),
        }),
        Err(other) => Err(TargetError::Unexpected {
            url,
            message: crate::assert::describe_error(&other),
        }),
    }
}

/// Reads every provided account with each of its configured tokens: each must read the account,
/// and its representative must be appointed there. Roles and names come from the target.
async fn verify_accounts(
    base_url: &str,
    client: &ucr_sdk::Client,
    accounts: &[AccountConfig],
) -> Result<Vec<ProvidedAccount>, TargetError> {
    let config_error = |message: String| TargetError::Config {
        url: base_url.to_owned(),
        message,
    };
    let mut provided = Vec::with_capacity(accounts.len());
    for (i, account) in accounts.iter().enumerate() {
        let mut holder = None;
        let mut reps = Vec::with_capacity(account.representatives.len());
        let mut representatives = 0;
        for (j, configured) in account.representatives.iter().enumerate() {
            let at = format!(
                "accounts[{i}] ({}).representatives[{j}] ({})",
                account.account_id, configured.representative_id
            );
            let as_rep = client.with_bearer_token(configured.token());
            let seen = as_rep
                .get_account()
                .account_id(&account.account_id)
                .send()
                .await
                .map_err(|e| {
                    refused_token(
                        base_url,
                        &format!("{at}: its token cannot read the account"),
                        e,
                    )
                })?
                .into_inner();
            let Some(me) = seen
                .representatives
                .iter()
                .find(|r| r.representative_id == configured.representative_id)
            else {
                return Err(config_error(format!(
                    "{at}: the account's representatives are {:?}; the configured representative is not among them",
                    seen.representatives
                        .iter()
                        .map(|r| r.representative_id.as_str())
                        .collect::<Vec<_>>()
                )));
            };
            reps.push(Rep::provided(
                me.representative_id.clone(),
                me.name.clone(),
                me.roles.clone(),
                as_rep,
                configured.token().to_owned(),
            ));
            representatives = seen.representatives.len();
            holder = Some(seen.holder);
        }
        let holder = holder.ok_or_else(|| {
            config_error(format!(
                "accounts[{i}] ({}): no representative",
                account.account_id
            ))
        })?;
        provided.push(ProvidedAccount {
            holder,
            account_id: account.account_id.clone(),
            representatives,
            reps,
        });
    }
    Ok(provided)
}

/// A configured token's first read failed: the target is unreachable, or the configuration is
/// wrong (`what` names the entry and what its token could not read).
fn refused_token(base_url: &str, what: &str, error: ucr_sdk::ApiError) -> TargetError {
    match error {
        Error::CommunicationError(e) => TargetError::Unreachable {
            url: base_url.to_owned(),
            message: e.to_string(),
        },
        other => TargetError::Config {
            url: base_url.to_owned(),
            message: format!("{what}: {}", crate::assert::describe_error(&other)),
        },
    }
}

/// Reads every provided platform with its own token; kind, name and holder come from the target.
async fn verify_platforms(
    base_url: &str,
    client: &ucr_sdk::Client,
    platforms: &[PlatformConfig],
) -> Result<Vec<Platform>, TargetError> {
    let mut provided = Vec::with_capacity(platforms.len());
    for (i, configured) in platforms.iter().enumerate() {
        let as_platform = client.with_bearer_token(configured.token());
        let seen = as_platform
            .get_platform()
            .platform_id(&configured.platform_id)
            .send()
            .await
            .map_err(|e| {
                let at = format!("platforms[{i}] ({})", configured.platform_id);
                refused_token(
                    base_url,
                    &format!("{at}: its token cannot read the platform"),
                    e,
                )
            })?
            .into_inner();
        provided.push(Platform::provided(
            seen,
            as_platform,
            configured.token().to_owned(),
            configured.client_id.clone().unwrap_or_default(),
            configured.client_secret.clone().unwrap_or_default(),
        ));
    }
    Ok(provided)
}

/// Runs `checks` against the implementation at `base_url`: `Main` checks concurrently, then the
/// `Clock` checks one at a time, then the `AfterAll` checks, then the `Reset` checks one at a time. Fails only if the target cannot be
/// tested at all; failing checks are in the report.
pub async fn run(
    base_url: &str,
    checks: Vec<Check>,
    options: &RunOptions,
) -> Result<Report, TargetError> {
    let base_url = base_url.trim_end_matches('/').to_owned();
    let started_at = chrono::Utc::now();
    let started = Instant::now();
    let (client, http) =
        RunState::clients(&base_url, options.timeout).map_err(TargetError::Client)?;
    let provision = if options.capabilities.has(Feature::Sandbox) {
        let operator_token = probe(&base_url, &client).await?;
        Provision::Sandbox(client.with_bearer_token(&operator_token))
    } else {
        Provision::Provided(Provided {
            accounts: verify_accounts(&base_url, &client, &options.accounts).await?,
            platforms: verify_platforms(&base_url, &client, &options.platforms).await?,
        })
    };
    let secrets: Vec<String> = options
        .accounts
        .iter()
        .flat_map(|a| a.representatives.iter())
        .map(|r| r.token().to_owned())
        .chain(
            options
                .platforms
                .iter()
                .flat_map(|p| std::iter::once(p.token().to_owned()).chain(p.client_secret.clone())),
        )
        .collect();
    // Provided accounts are shared by every check, so checks must not see each other's writes:
    // without the sandbox, checks run one at a time.
    let shared_fixtures = matches!(provision, Provision::Provided(_));
    let receiver = Receiver::start(options.webhook_listen, options.webhook_url.as_deref())
        .await
        .map_err(|e| TargetError::WebhookReceiver {
            addr: options.webhook_listen,
            message: e.to_string(),
        })?;
    let state = Arc::new(RunState {
        base_url: base_url.clone(),
        provision,
        capabilities: options.capabilities.clone(),
        client,
        http,
        run_tag: uuid::Uuid::new_v4().simple().to_string()[..8].to_owned(),
        ledger: Mutex::new(Ledger::default()),
        receiver,
        webhook_backoff: options.webhook_backoff,
        allow_reset: options.allow_reset,
    });
    let secrets = Arc::new(secrets);

    let concurrency = options.concurrency.max(1);
    let mut results: Vec<Option<CheckReport>> = vec![None; checks.len()];
    for &phase in Phase::ALL {
        let permits = if matches!(phase, Phase::Clock | Phase::Reset) || shared_fixtures {
            1
        } else {
            concurrency
        };
        let semaphore = Arc::new(Semaphore::new(permits));
        let mut tasks = tokio::task::JoinSet::new();
        for (index, check) in checks.iter().enumerate().filter(|(_, c)| c.phase == phase) {
            let check = *check;
            let state = state.clone();
            let semaphore = semaphore.clone();
            let on_done = options.on_check_done.clone();
            let timeout = options.timeout;
            let secrets = secrets.clone();
            tasks.spawn(async move {
                let _permit = semaphore.acquire_owned().await.ok();
                let report = run_one(check, state, timeout, &secrets).await;
                if let Some(on_done) = on_done {
                    on_done(&report);
                }
                (index, report)
            });
        }
        while let Some(joined) = tasks.join_next().await {
            match joined {
                Ok((index, report)) => results[index] = Some(report),
                Err(e) => {
                    return Err(TargetError::Unexpected {
                        url: base_url,
                        message: format!("engine task failed: {e}"),
                    });
                }
            }
        }
    }

    let checks: Vec<CheckReport> = results.into_iter().flatten().collect();
    let summary = Summary::of(&checks);
    Ok(Report {
        tool: env!("CARGO_PKG_NAME").to_owned(),
        tool_version: env!("CARGO_PKG_VERSION").to_owned(),
        target: options
            .target_label
            .clone()
            .unwrap_or_else(|| base_url.clone()),
        base_url,
        started_at,
        duration_ms: millis(started.elapsed()),
        capabilities: options.capabilities.clone(),
        provisioning: if shared_fixtures {
            Provisioning::Configured
        } else {
            Provisioning::Sandbox
        },
        webhook_backoff_ms: millis(options.webhook_backoff),
        summary,
        checks,
    })
}

fn millis(duration: Duration) -> u64 {
    u64::try_from(duration.as_millis()).unwrap_or(u64::MAX)
}

/// How long one check may run in all: a backstop against a target whose pages never end.
fn check_deadline(request_timeout: Duration) -> Duration {
    (request_timeout * 20).max(Duration::from_secs(60))
}

async fn run_one(
    check: Check,
    state: Arc<RunState>,
    request_timeout: Duration,
    secrets: &[String],
) -> CheckReport {
    let requirements = check.requirements();
    let missing = state.capabilities.missing(&requirements);
    let requires: Vec<String> = requirements.iter().map(ToString::to_string).collect();
    if !missing.is_empty() {
        return CheckReport {
            status: CheckStatus::Skipped,
            message: Some(Capabilities::skip_reason(&missing)),
            ..CheckReport::new(&check, requires)
        };
    }
    let recorder = Arc::new(Recorder::default());
    let ctx = Ctx::new(state.clone(), check.id, check.phase);
    let notes_of = ctx.clone();
    let started = Instant::now();
    let deadline = check_deadline(request_timeout);
    let body =
        std::panic::AssertUnwindSafe(recorder.clone().scope((check.run)(ctx))).catch_unwind();
    let outcome = match tokio::time::timeout(deadline, body).await {
        Ok(outcome) => outcome,
        Err(_) => Ok(Err(Failure::new(format!(
            "the check did not finish within {} s (20 request timeouts); a list that never ends?",
            deadline.as_secs()
        )))),
    };
    let duration_ms = millis(started.elapsed());
    let outcome = outcome.unwrap_or_else(|panic| {
        let message = panic
            .downcast_ref::<String>()
            .cloned()
            .or_else(|| panic.downcast_ref::<&str>().map(|s| (*s).to_owned()))
            .unwrap_or_else(|| "unknown panic".into());
        Err(Failure::new(format!("the check panicked: {message}")))
    });
    let mut exchanges = recorder.take();
    // A failure is pinned to the check's own last exchange, not to the tidy-up's.
    let last_of_check = exchanges.last().cloned();
    let mut outcome = outcome;
    if let Some(failure) = crate::exchange_rules::broken(&exchanges) {
        outcome = Err(match outcome {
            Ok(()) => failure,
            Err(earlier) if earlier.skipped => failure,
            Err(earlier) => Failure {
                message: format!("{}\n{}", earlier.message, failure.message),
                ..earlier
            },
        });
    }
    if let Provision::Provided(provided) = &state.provision {
        let tidy = recorder.clone().scope(tidy_up(provided, &exchanges)).await;
        exchanges.extend(recorder.take());
        if let Err(problem) = tidy {
            let note = format!(
                "tidying up the configured accounts failed, so later checks may see this check's writes: {problem}"
            );
            outcome = Err(match outcome {
                Ok(()) => Failure::new(note),
                Err(failure) => Failure {
                    message: format!("{}\n{note}", failure.message),
                    ..failure
                },
            });
        }
    }
    let notes = notes_of.notes();
    let (status, message, failed_exchange, violated) = match outcome {
        Ok(()) => (
            CheckStatus::Passed,
            (!notes.is_empty()).then(|| notes.join("; ")),
            None,
            Vec::new(),
        ),
        Err(failure) if failure.skipped => (
            CheckStatus::Skipped,
            Some(failure.message),
            None,
            Vec::new(),
        ),
        Err(failure) => {
            let exchange = failure
                .exchange
                .map(|e| *e)
                .or_else(|| last_of_check.clone());
            let violated = violated_requirements(&check, &failure.violates);
            (
                CheckStatus::Failed,
                Some(failure.message),
                exchange.map(|e| {
                    ExchangeRecord::from(&e)
                        .scrubbed(secrets)
                        .capped(FAILED_EXCHANGE_BODY_LIMIT)
                }),
                violated,
            )
        }
    };
    CheckReport {
        status,
        duration_ms,
        message,
        failed_exchange,
        violated,
        exchanges: exchanges
            .iter()
            .map(|e| {
                ExchangeRecord::from(e)
                    .scrubbed(secrets)
                    .capped(EXCHANGE_BODY_LIMIT)
            })
            .collect(),
        ..CheckReport::new(&check, requires)
    }
}

/// The requirements a failure quotes: those the failing assertion names when they are among the
/// check's citations, else every requirement the check cites.
fn violated_requirements(check: &Check, named: &[&'static str]) -> Vec<RequirementRef> {
    let named: Vec<&str> = named
        .iter()
        .copied()
        .filter(|id| check.cites.contains(id))
        .collect();
    let ids: &[&str] = if named.is_empty() {
        check.cites
    } else {
        &named
    };
    ids.iter().map(|id| RequirementRef::of(id)).collect()
}

/// Undoes what a check left behind on the configured accounts and platforms, so that the next
/// check finds them as configured: rescinds transfers and cancellations left pending (as a
/// configured initiator of the source account), revokes consents left active (as a configured
/// representative of the account) and deletes webhook subscriptions (as their platform). Only
/// what this check's own exchanges created is touched.
async fn tidy_up(provided: &Provided, exchanges: &[ucr_sdk::Exchange]) -> Result<(), String> {
    let accounts = &provided.accounts;
    let mut problems = Vec::new();
    let pending = TransactionStatus::PendingApproval.to_string();
    let active = ConsentStatus::Active.to_string();
    let gone = |error: &ucr_sdk::ApiError| matches!(error, Error::ErrorResponse(r) if matches!(r.status().as_u16(), 404 | 409));
    for exchange in exchanges {
        if !matches!(exchange.status, Some(200..=299)) {
            continue;
        }
        let Ok(body) = serde_json::from_slice::<serde_json::Value>(&exchange.response_body) else {
            continue;
        };
        let member = |name: &str| body.get(name).and_then(|v| v.as_str()).map(str::to_owned);
        let (kind, id_member, account_member) = match exchange.operation_id {
            "initiate_transfer" => ("transfer", "transfer_id", "from_account_id"),
            "initiate_cancellation" => ("cancellation", "cancellation_id", "account_id"),
            "grant_consent" => {
                let (Some(id), Some(account_id)) = (member("consent_id"), member("account_id"))
                else {
                    continue;
                };
                if member("status").as_deref() != Some(active.as_str()) {
                    continue;
                }
                let Some(rep) = accounts
                    .iter()
                    .find(|a| a.account_id == account_id)
                    .and_then(|a| a.reps.first())
                else {
                    continue;
                };
                match rep.client.revoke_consent().consent_id(&id).send().await {
                    Ok(_) => {}
                    Err(error) if gone(&error) => {}
                    Err(error) => problems.push(format!(
                        "revoking consent {id}: {}",
                        crate::assert::describe_error(&error)
                    )),
                }
                continue;
            }
            "create_webhook_subscription" => {
                let Some(id) = member("subscription_id") else {
                    continue;
                };
                // Subscriptions do not name their platform: ask each until one owns it.
                for platform in &provided.platforms {
                    match platform
                        .client
                        .delete_webhook_subscription()
                        .subscription_id(&id)
                        .send()
                        .await
                    {
                        Ok(_) => break,
                        Err(error) if gone(&error) => {}
                        Err(error) => problems.push(format!(
                            "deleting webhook subscription {id}: {}",
                            crate::assert::describe_error(&error)
                        )),
                    }
                }
                continue;
            }
            _ => continue,
        };
        if member("status").as_deref() != Some(pending.as_str()) {
            continue;
        }
        let (Some(id), Some(account_id)) = (member(id_member), member(account_member)) else {
            continue;
        };
        let Some(rep) = accounts
            .iter()
            .find(|a| a.account_id == account_id)
            .and_then(|a| a.reps.iter().find(|r| r.roles.contains(&Role::Initiator)))
        else {
            problems.push(format!(
                "{kind} {id} from {account_id} stays pending: no configured initiator of {account_id}"
            ));
            continue;
        };
        let result = if kind == "transfer" {
            rep.client
                .rescind_transfer()
                .transfer_id(&id)
                .send()
                .await
                .map(drop)
        } else {
            rep.client
                .rescind_cancellation()
                .cancellation_id(&id)
                .send()
                .await
                .map(drop)
        };
        match result {
            Ok(()) => {}
            // Decided meanwhile (by the check itself): nothing is left pending.
            Err(Error::ErrorResponse(response)) if response.status().as_u16() == 409 => {}
            Err(error) => problems.push(format!(
                "rescinding {kind} {id}: {}",
                crate::assert::describe_error(&error)
            )),
        }
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(problems.join("; "))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn globs_match_ids() {
        assert!(glob_match("A1-TRANSFER-*", "A1-TRANSFER-003"));
        assert!(glob_match("a1-auth-00?", "A1-AUTH-001"));
        assert!(glob_match("*", "A1-AUTH-001"));
        assert!(glob_match("A1-*-001", "A1-AUTH-001"));
        assert!(!glob_match("A1-AUTH-*", "A1-ACCESS-001"));
        assert!(!glob_match("A1-AUTH-001", "A1-AUTH-0011"));
        assert!(glob_match("*1", "A1-AUTH-001"));
        assert!(!glob_match("", "A1"));
    }

    #[test]
    fn selection_requires_every_pattern_to_match() {
        let checks = crate::checks::registry();
        let picked = select(&checks, "A1-AUTH-*, A1-TRANSFER-001").expect("patterns match");
        assert!(
            picked
                .iter()
                .all(|c| c.id.starts_with("A1-AUTH-") || c.id == "A1-TRANSFER-001")
        );
        assert!(picked.iter().any(|c| c.id == "A1-TRANSFER-001"));
        assert_eq!(
            select(&checks, "A1-AUTH-*,NOPE-*").unwrap_err(),
            SelectError::Unmatched("NOPE-*".into())
        );
        assert_eq!(select(&checks, " , ").unwrap_err(), SelectError::Empty);
    }
}
