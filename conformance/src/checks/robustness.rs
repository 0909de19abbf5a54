//! Robustness: helpers the checks over every write operation share (what a client can observe of
//! an access-matrix [`World`], problem documents), and races for the same units.
//!
//! The write operations come from the published spec ([`super::spec`]) and their valid requests
//! from the access matrix's fixtures ([`super::matrix::target`]), so a new write operation is
//! covered by the input and idempotency checks without editing them (and fails them until the
//! matrix knows how to build a request for it).

use std::collections::{BTreeMap, BTreeSet};

use reqwest::Method;
use serde_json::Value;
use ucr_sdk::types::{BlockStatus, TransactionStatus};
use ucr_sdk::{ProblemExt, ProblemKind};

use super::WRITE;
use super::matrix::{Actor, Request, World, first_allowed, target};
use super::spec;
use super::support::{approve, expect_status, funded};
use crate::assert::{ensure_eq, merge_ranges, total};
use crate::check::Check;
use crate::ctx::{Ctx, RawResponse, by_quantity, by_serials};
use crate::ensure;
use crate::outcome::Failure;

pub(super) const CHECKS: &[Check] = &[
    check! {
        id: "A1-RACE-001",
        model: A1,
        seed: WRITE,
        operations: ["initiate_transfer", "approve_transfer", "list_holdings"],
        description: "40 concurrent transfers of 7 units racing for 100: exactly 14 succeed, the rest 409 insufficient-units; after concurrent approvals units are conserved and serials disjoint",
        run: race_by_quantity,
    },
    check! {
        id: "A1-RACE-002",
        model: A1,
        seed: WRITE,
        operations: ["initiate_transfer", "approve_transfer", "rescind_transfer", "list_holdings"],
        description: "20 concurrent transfers of the same serials: one succeeds, the rest 409 units-locked; concurrent approvals and rescissions of it: exactly one decision wins",
        run: race_by_serials,
    },
    check! {
        id: "A1-RACE-003",
        model: A1,
        seed: WRITE,
        operations: ["initiate_transfer", "initiate_cancellation", "create_reservation", "create_escrow"],
        description: "A transfer, a cancellation, a reservation and an escrow racing for the same serials: exactly one takes them, the others answer 409; units are conserved",
        run: race_across_kinds,
    },
];

/// One GET of an observation: its label (the path), status and body.
type Seen = (String, u16, Value);

/// What a client can observe of a [`World`] through the API.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Observed(Vec<Seen>);

impl Observed {
    /// The first difference from `other`, if any.
    pub(super) fn difference(&self, other: &Observed) -> Option<String> {
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
    pub(super) fn signature(&self) -> BTreeMap<String, i64> {
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
pub(super) fn effect(
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
pub(super) async fn observe(
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
pub(super) fn problem_document(response: &RawResponse) -> Result<ProblemKind, String> {
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
pub(super) fn writes(
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
pub(super) fn may_succeed_now(op: &spec::Operation) -> bool {
    op.id != "advance_clock"
}

/// Runs `each` for every operation of `ops` in turn on one shared world and collects the
/// failures; fails with all of them.
pub(super) async fn over_operations<'a, F, Fut>(
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
pub(super) async fn succeed(
    ctx: &Ctx,
    world: &World,
    op: &spec::Operation,
    actor: Actor,
    request: &Request,
    key: Option<&str>,
) -> Result<RawResponse, Failure> {
    let response = world.send(ctx, actor, request, key).await?;
    super::matrix::note_issuance(ctx, &op.id, &response);
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
pub(super) async fn valid(
    ctx: &Ctx,
    world: &World,
    op: &spec::Operation,
) -> Result<Request, Failure> {
    target(ctx, world, &op.id).await
}

// ---- races -------------------------------------------------------------------------------------

async fn race_by_quantity(ctx: Ctx) -> Result<(), Failure> {
    let f = funded(&ctx, 100).await?;
    let mut dests = Vec::new();
    for _ in 0..4 {
        dests.push(ctx.holder_with_one_rep().await?);
    }
    let source = f.source.account_id.as_str();
    let attempts = futures::future::join_all((0..40).map(|i| {
        let to = dests[i % dests.len()].account_id.clone();
        let client = f.source.initiator.client.clone();
        async move {
            client
                .initiate_transfer()
                .body(by_quantity(source, &to, "ACCU", 7))
                .send()
                .await
        }
    }))
    .await;
    let mut won = Vec::new();
    let mut refused = 0;
    for attempt in attempts {
        match attempt {
            Ok(transfer) => won.push(transfer.into_inner()),
            Err(error) => {
                let kind = error.problem_kind();
                ensure!(
                    kind == Some(ProblemKind::InsufficientUnits),
                    "a losing initiation answered {} instead of 409 insufficient-units",
                    crate::assert::describe_error(&error)
                );
                refused += 1;
            }
        }
    }
    ensure_eq("initiations that won 7 of 100 units", 14, won.len())?;
    ensure_eq("initiations refused", 26, refused)?;
    let holdings = ctx.holdings(&f.source.initiator.client, source).await?;
    ensure_eq(
        "pending units in the source (never overdrawn)",
        98,
        total(&holdings, "ACCU", Some(BlockStatus::Pending)),
    )?;
    let pending: Vec<(u64, u64)> = merge_ranges(won.iter().flat_map(|t| {
        t.serial_ranges
            .iter()
            .map(|r| (r.serial_start, r.serial_end))
    }));
    let claimed: u64 = won
        .iter()
        .flat_map(|t| t.serial_ranges.iter())
        .map(|r| r.serial_end - r.serial_start + 1)
        .sum();
    let merged: u64 = pending.iter().map(|(s, e)| e - s + 1).sum();
    ensure_eq(
        "serials claimed by the winning transfers are disjoint (sum of ranges = their union)",
        merged,
        claimed,
    )?;
    let approvals = futures::future::join_all(won.iter().map(|t| {
        approve(
            &f.source.approver.client,
            &t.transfer_id,
            "approve_transfer (concurrent)",
        )
    }))
    .await;
    for approval in approvals {
        expect_status(
            "a concurrent approval",
            TransactionStatus::Completed,
            approval?.status,
        )?;
    }
    let mut all = ctx.holdings(&f.source.initiator.client, source).await?;
    for dest in &dests {
        all.extend(ctx.holdings(&dest.rep.client, &dest.account_id).await?);
    }
    ensure_eq(
        "units over the source and the four destinations (conserved)",
        100,
        total(&all, "ACCU", None),
    )?;
    let ranges: Vec<(u64, u64)> = all.iter().map(|b| (b.serial_start, b.serial_end)).collect();
    let union = merge_ranges(ranges.iter().copied());
    ensure_eq(
        "serials over the accounts: disjoint and exactly the issued block",
        vec![(f.block.serial_start, f.block.serial_end)],
        union,
    )?;
    let held: u64 = ranges.iter().map(|(s, e)| e - s + 1).sum();
    ensure_eq("serials held (no serial in two blocks)", 100, held)?;
    Ok(())
}

async fn race_by_serials(ctx: Ctx) -> Result<(), Failure> {
    let f = funded(&ctx, 30).await?;
    let s = f.block.serial_start;
    let (src, dst) = (f.source.account_id.as_str(), f.dest.account_id.as_str());
    let attempts = futures::future::join_all((0..20).map(|_| {
        f.source
            .initiator
            .client
            .initiate_transfer()
            .body(by_serials(src, dst, "ACCU", &[(s, s + 9)]))
            .send()
    }))
    .await;
    let mut won = Vec::new();
    for attempt in attempts {
        match attempt {
            Ok(transfer) => won.push(transfer.into_inner()),
            Err(error) => ensure!(
                error.problem_kind() == Some(ProblemKind::UnitsLocked),
                "a losing initiation of the same serials answered {} instead of 409 units-locked",
                crate::assert::describe_error(&error)
            ),
        }
    }
    ensure_eq("initiations of the same serials that won", 1, won.len())?;
    let transfer = &won[0];
    let decisions = futures::future::join_all((0..10).map(|i| {
        let id = transfer.transfer_id.clone();
        let approver = f.source.approver.client.clone();
        let initiator = f.source.initiator.client.clone();
        async move {
            if i % 2 == 0 {
                approver
                    .approve_transfer()
                    .transfer_id(&id)
                    .send()
                    .await
                    .map(|t| t.into_inner())
            } else {
                initiator
                    .rescind_transfer()
                    .transfer_id(&id)
                    .send()
                    .await
                    .map(|t| t.into_inner())
            }
        }
    }))
    .await;
    let mut winners = Vec::new();
    for decision in decisions {
        match decision {
            Ok(t) => winners.push(t.status),
            Err(error) => ensure!(
                error.problem_kind() == Some(ProblemKind::InvalidState),
                "a losing decision answered {} instead of 409 invalid-state",
                crate::assert::describe_error(&error)
            ),
        }
    }
    ensure_eq("decisions that won", 1, winners.len())?;
    let source = ctx.holdings(&f.source.initiator.client, src).await?;
    let dest = ctx.holdings(&f.dest.rep.client, dst).await?;
    let moved = total(&dest, "ACCU", None);
    let expected = if winners[0] == TransactionStatus::Completed {
        10
    } else {
        0
    };
    ensure_eq(
        &format!("units in the destination after the {} decision", winners[0]),
        expected,
        moved,
    )?;
    ensure_eq(
        "units over both accounts (conserved)",
        30,
        total(&source, "ACCU", None) + moved,
    )?;
    Ok(())
}

async fn race_across_kinds(ctx: Ctx) -> Result<(), Failure> {
    let f = funded(&ctx, 20).await?;
    let platform = ctx.trading_platform().await?;
    let custodial = ctx
        .custodial_account(&platform, &[&[ucr_sdk::types::Role::Initiator]])
        .await?;
    let s = f.block.serial_start;
    let ranges = vec![ucr_sdk::types::SerialRange {
        serial_start: s,
        serial_end: s + 4,
    }];
    let day = ctx.registry_in(86_400).await?;
    let (src, dst) = (f.source.account_id.as_str(), f.dest.account_id.as_str());
    let client = &f.source.initiator.client;
    let mut reservation =
        super::support::reservation_request(src, &platform, &custodial.account_id, 1, day);
    reservation.quantity = None;
    reservation.serial_ranges = Some(ranges.clone());
    let mut escrow = super::support::escrow_request(src, &platform, 1, day);
    escrow.quantity = None;
    escrow.serial_ranges = Some(ranges.clone());
    let mut cancellation = crate::ctx::cancel_quantity(src, "ACCU", 1);
    cancellation.quantity = None;
    cancellation.serial_ranges = Some(ranges.clone());
    let transfer = by_serials(src, dst, "ACCU", &[(s, s + 4)]);
    let (t, c, r, e) = tokio::join!(
        async {
            client
                .initiate_transfer()
                .body(transfer)
                .send()
                .await
                .map(|_| ())
        },
        async {
            client
                .initiate_cancellation()
                .body(cancellation)
                .send()
                .await
                .map(|_| ())
        },
        async {
            client
                .create_reservation()
                .body(reservation)
                .send()
                .await
                .map(|_| ())
        },
        async { client.create_escrow().body(escrow).send().await.map(|_| ()) },
    );
    let mut winners = 0;
    for (what, outcome) in [
        ("initiate_transfer", t),
        ("initiate_cancellation", c),
        ("create_reservation", r),
        ("create_escrow", e),
    ] {
        match outcome {
            Ok(()) => winners += 1,
            Err(error) => ensure!(
                error.problem_kind() == Some(ProblemKind::UnitsLocked),
                "{what} losing the race answered {} instead of 409 units-locked",
                crate::assert::describe_error(&error)
            ),
        }
    }
    ensure_eq("operations that took the same five serials", 1, winners)?;
    let holdings = ctx.holdings(client, src).await?;
    ensure_eq(
        "units in the source (conserved)",
        20,
        total(&holdings, "ACCU", None),
    )?;
    ensure_eq(
        "units still available (15 untouched)",
        15,
        total(&holdings, "ACCU", Some(BlockStatus::Available)),
    )?;
    Ok(())
}
