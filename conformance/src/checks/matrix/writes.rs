//! Generic write-operation helpers over the access matrix's [`World`]: what a client can observe
//! of it, the documented success and problem documents, and running a check over every write
//! operation of the spec. Used by the race, input and idempotency checks.

use std::collections::{BTreeMap, BTreeSet};

use reqwest::Method;
use serde_json::Value;
use ucr_sdk::ProblemKind;

use super::super::support::spec;
use super::{Actor, Request, World, first_allowed, target};
use crate::ctx::{Ctx, RawResponse};
use crate::outcome::Failure;

/// One GET of an observation: its label (the path), status and body.
type Seen = (String, u16, Value);

/// What a client can observe of a [`World`] through the API.
#[derive(Debug, Clone, PartialEq)]
pub(in crate::checks) struct Observed(Vec<Seen>);

impl Observed {
    /// The first difference from `other`, if any.
    pub(in crate::checks) fn difference(&self, other: &Observed) -> Option<String> {
        for (a, b) in self.0.iter().zip(&other.0) {
            if a != b {
                return Some(format!(
                    "GET {} answered HTTP {} {} before and HTTP {} {} after",
                    a.0,
                    a.1,
                    crate::text::snippet(a.2.to_string().as_bytes(), 300),
                    b.1,
                    crate::text::snippet(b.2.to_string().as_bytes(), 300)
                ));
            }
        }
        None
    }

    /// The effect signature: units per (account, unit type, status) and the number of items of
    /// every other list. Two executions of the same request have the same signature difference.
    pub(in crate::checks) fn signature(&self) -> BTreeMap<String, i64> {
        let mut out = BTreeMap::new();
        for (label, _, body) in &self.0 {
            let Some(items) = body["items"].as_array() else {
                continue;
            };
            // Block boundaries may merge and split (docs/design-decisions.md, invariant 2): holdings count
            // units by status, other lists their items.
            if !label.ends_with("/holdings") {
                *out.entry(format!("{label} items")).or_default() += items.len() as i64;
            } else {
                for block in items {
                    let key = format!(
                        "{label} {} {}",
                        block["unit_type"].as_str().unwrap_or("?"),
                        block["status"].as_str().unwrap_or("?")
                    );
                    *out.entry(key).or_default() += block["quantity"].as_i64().unwrap_or(0);
                }
            }
        }
        out
    }
}

/// The difference `after - before` of two signatures (zero entries dropped).
pub(in crate::checks) fn effect(
    before: &BTreeMap<String, i64>,
    after: &BTreeMap<String, i64>,
) -> BTreeMap<String, i64> {
    let keys: BTreeSet<&String> = before.keys().chain(after.keys()).collect();
    keys.into_iter()
        .filter_map(|k| {
            let d = after.get(k).copied().unwrap_or(0) - before.get(k).copied().unwrap_or(0);
            (d != 0).then(|| (k.clone(), d))
        })
        .collect()
}

/// Observes the world: the owner's account, its holdings, history, consents, delegations,
/// reservations, escrows and associations (as its initiator), the destination's holdings, the
/// `holdings_read` platform's subscriptions, and the object `request` acts on (its parent path,
/// for an action such as `/approve`).
pub(in crate::checks) async fn observe(
    ctx: &Ctx,
    world: &World,
    request: Option<&Request>,
) -> Result<Observed, Failure> {
    let owner = world.account();
    let as_owner = world.token(Actor::Initiator).unwrap_or_default();
    let mut gets: Vec<(&'static str, String, String)> = vec![
        (
            "get_account",
            format!("/v1/accounts/{owner}"),
            as_owner.into(),
        ),
        (
            "list_holdings",
            format!("/v1/accounts/{owner}/holdings"),
            as_owner.into(),
        ),
        (
            "list_transactions",
            format!("/v1/accounts/{owner}/transactions"),
            as_owner.into(),
        ),
        (
            "list_account_consents",
            format!("/v1/accounts/{owner}/consents"),
            as_owner.into(),
        ),
        (
            "list_delegations",
            format!("/v1/accounts/{owner}/delegations"),
            as_owner.into(),
        ),
        (
            "list_reservations",
            format!("/v1/reservations?account_id={owner}"),
            as_owner.into(),
        ),
        (
            "list_escrows",
            format!("/v1/escrows?account_id={owner}"),
            as_owner.into(),
        ),
        (
            "list_associations",
            format!("/v1/associations?account_id={owner}"),
            as_owner.into(),
        ),
        (
            "list_holdings",
            format!("/v1/accounts/{}/holdings", world.dest.account_id),
            world.dest.rep.token().into(),
        ),
        (
            "list_webhook_subscriptions",
            "/v1/webhook-subscriptions".into(),
            world.token(Actor::HoldingsRead).unwrap_or_default().into(),
        ),
    ];
    if let Some(request) = request
        && let Some(path) = object_path(request)
    {
        gets.push(("get_object", path, as_owner.into()));
    }
    let mut seen = Vec::with_capacity(gets.len());
    for (operation, path, token) in gets {
        let (path_only, query) = match path.split_once('?') {
            Some((p, q)) => (p.to_owned(), Some(q.to_owned())),
            None => (path.clone(), None),
        };
        let mut raw = ctx
            .raw(operation, Method::GET, &path_only)
            .query("limit", "200")
            .bearer(&token);
        if let Some((name, value)) = query.as_deref().and_then(|q| q.split_once('=')) {
            raw = raw.query(name, value);
        }
        let response = raw.send().await?;
        let body = serde_json::from_slice(&response.body).unwrap_or(Value::Null);
        seen.push((path, response.status, body));
    }
    Ok(Observed(seen))
}

/// The path of the object an action acts on: `/v1/transfers/T` for `/v1/transfers/T/approve`.
fn object_path(request: &Request) -> Option<String> {
    let op = spec::operation(request.operation)?;
    let template: Vec<&str> = op.path.split('/').collect();
    let n = template.len();
    let last_is_action =
        n >= 2 && !template[n - 1].starts_with('{') && template[n - 2].starts_with('{');
    if !last_is_action
        || template[1..n - 1]
            .iter()
            .filter(|s| s.starts_with('{'))
            .count()
            != 1
    {
        return None;
    }
    request
        .path
        .rsplit_once('/')
        .map(|(parent, _)| parent.to_owned())
}

/// Checks that `response` is an RFC 9457 problem document of a known type whose `status` member
/// and type agree with the HTTP status; returns its kind.
pub(in crate::checks) fn problem_document(response: &RawResponse) -> Result<ProblemKind, String> {
    let content_type = response.content_type().unwrap_or("");
    if !content_type.starts_with("application/problem+json") {
        return Err(format!(
            "HTTP {} with Content-Type {content_type:?}, not application/problem+json",
            response.status
        ));
    }
    let document: Value = serde_json::from_slice(&response.body)
        .map_err(|e| format!("HTTP {} with a body that is not JSON: {e}", response.status))?;
    let kind = document["type"]
        .as_str()
        .and_then(ProblemKind::from_uri)
        .ok_or_else(|| {
            format!(
                "HTTP {} with problem type {} (not in the catalogue)",
                response.status, document["type"]
            )
        })?;
    if kind.status() != response.status
        || document["status"].as_u64() != Some(u64::from(response.status))
    {
        return Err(format!(
            "HTTP {} with problem type {} (status {}) and member status {}",
            response.status,
            kind.uri(),
            kind.status(),
            document["status"]
        ));
    }
    Ok(kind)
}

/// The write operations a generic check covers, with the actor the access matrix allows (the
/// first in its columns). `want` filters by the operation's description.
pub(in crate::checks) fn writes(
    want: impl Fn(&spec::Operation) -> bool,
) -> Vec<(&'static spec::Operation, Actor)> {
    spec::operations()
        .iter()
        .filter(|op| op.is_write() && want(op))
        .filter_map(|op| first_allowed(&op.id).map(|actor| (op, actor)))
        .collect()
}

/// Whether sending the operation's valid request in a `Main`-phase check is harmless to the other
/// checks: moving the sandbox clock is not (it belongs to the `Clock` phase).
pub(in crate::checks) fn may_succeed_now(op: &spec::Operation) -> bool {
    op.id != "advance_clock"
}

/// Runs `each` for every operation of `ops` in turn on one shared world and collects the
/// failures; fails with all of them.
pub(in crate::checks) async fn over_operations<'a, F, Fut>(
    ctx: &'a Ctx,
    world: &'a World,
    ops: Vec<(&'static spec::Operation, Actor)>,
    each: F,
) -> Result<(), Failure>
where
    F: Fn(&'a Ctx, &'a World, &'static spec::Operation, Actor) -> Fut,
    Fut: Future<Output = Result<Vec<String>, Failure>>,
{
    if ops.is_empty() {
        return Err(Failure::skipped("no write operation to check"));
    }
    let mut problems = Vec::new();
    let count = ops.len();
    for (op, actor) in ops {
        match each(ctx, world, op, actor).await {
            Ok(found) => problems.extend(found.into_iter().map(|p| format!("{}: {p}", op.id))),
            Err(failure) => problems.push(format!("{}: {failure}", op.id)),
        }
    }
    if problems.is_empty() {
        return Ok(());
    }
    Err(Failure::new(format!(
        "{} finding(s) over {count} write operations:\n  {}",
        problems.len(),
        problems.join("\n  ")
    )))
}

/// Sends `request` as `actor` and expects the operation's documented success.
pub(in crate::checks) async fn succeed(
    ctx: &Ctx,
    world: &World,
    op: &spec::Operation,
    actor: Actor,
    request: &Request,
    key: Option<&str>,
) -> Result<RawResponse, Failure> {
    let response = world.send(ctx, actor, request, key).await?;
    super::note_issuance(ctx, &op.id, &response);
    if response.status != op.success {
        return Err(Failure::new(format!(
            "the valid request answered HTTP {} {}, not {}",
            response.status,
            response.problem_type().unwrap_or_default(),
            op.success
        )));
    }
    Ok(response)
}

/// Builds a fresh valid request for `op`.
pub(in crate::checks) async fn valid(
    ctx: &Ctx,
    world: &World,
    op: &spec::Operation,
) -> Result<Request, Failure> {
    target(ctx, world, &op.id).await
}

// ---- races -------------------------------------------------------------------------------------
