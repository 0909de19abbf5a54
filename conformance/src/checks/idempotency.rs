//! Idempotency keys on writes: required, replayed with one effect, refused when reused for another
//! request, scoped per principal.

use reqwest::Method;
use serde_json::{Value, json};
use ucr_sdk::ProblemKind;
use ucr_sdk::types::{BlockStatus, TransactionKind, TransactionStatus};

use super::WRITE;
use super::matrix::writes::{
    effect, observe, over_operations, problem_document, succeed, valid, writes,
};
use super::matrix::{Actor, Body, Request, World};
use super::support::spec;
use super::support::{expect_status, funded, get_transfer, initiate};
use crate::assert::{assert_unchanged, ensure_eq, total};
use crate::check::Check;
use crate::ctx::{Attrs, Ctx, by_quantity};
use crate::ensure;
use crate::outcome::Failure;

pub(super) const CHECKS: &[Check] = &[
    check! {
        id: "A1-IDEMPOTENCY-001",
        model: A1,
        seed: WRITE,
        operations: ["initiate_transfer", "approve_transfer", "initiate_cancellation"],
        description: "A write without Idempotency-Key is refused with 400 idempotency-key-required; nothing changes",
        run: key_required,
    },
    check! {
        id: "A1-IDEMPOTENCY-002",
        model: A1,
        seed: WRITE,
        operations: ["initiate_transfer", "list_holdings", "list_transactions"],
        description: "Replaying an initiation with the same key and body returns the same status and body and has one effect",
        run: replay_initiation,
    },
    check! {
        id: "A1-IDEMPOTENCY-003",
        model: A1,
        seed: WRITE,
        operations: ["initiate_transfer"],
        description: "The same key with a different body is refused with 422 idempotency-key-reused; only the first request took effect",
        run: key_reused,
    },
    check! {
        id: "A1-IDEMPOTENCY-004",
        model: A1,
        seed: WRITE,
        operations: ["approve_transfer"],
        description: "Replaying an approval with the same key returns the same 200 body; a new key answers 409 invalid-state",
        run: replay_approval,
    },
    check! {
        id: "A1-IDEMPOTENCY-005",
        model: A1,
        seed: WRITE,
        operations: ["initiate_transfer"],
        description: "Keys are scoped per principal: two representatives using the same key make two transfers",
        run: keys_per_principal,
    },
    check! {
        id: "A1-IDEMPOTENCY-006",
        model: A1,
        seed: WRITE,
        operations: [],
        description: "Every write operation taking an Idempotency-Key: a replay with the same key and body answers the same status and body and has no further effect",
        run: every_write_replayed,
    },
    check! {
        id: "A1-IDEMPOTENCY-007",
        model: A1,
        seed: WRITE,
        operations: [],
        description: "Every write operation taking an Idempotency-Key: the same key with another request is refused with 422 idempotency-key-reused; nothing changes",
        run: every_write_key_reused,
    },
    check! {
        id: "A1-IDEMPOTENCY-008",
        model: A1,
        seed: WRITE,
        operations: [],
        description: "Every write operation taking an Idempotency-Key: 8 concurrent duplicates with one key answer alike and have exactly the effect of one request",
        run: every_write_concurrent_duplicates,
    },
    check! {
        id: "A1-IDEMPOTENCY-009",
        model: A1,
        seed: WRITE,
        operations: ["initiate_transfer", "list_holdings", "list_transactions"],
        description: "A refused write is replayed too: after the cause is gone the same key and body answer the stored 409 (Idempotent-Replayed) and change nothing; a new key succeeds",
        run: refusal_replayed,
    },
];

fn transfer_body(from: &str, to: &str, quantity: u64) -> Value {
    json!({"from_account_id": from, "to_account_id": to, "unit_type": "ACCU", "quantity": quantity})
}

async fn key_required(ctx: Ctx) -> Result<(), Failure> {
    let f = funded(&ctx, 50).await?;
    let transfer = initiate(
        &f.source.initiator.client,
        by_quantity(&f.source.account_id, &f.dest.account_id, "ACCU", 10),
        "initiate_transfer",
    )
    .await?;
    let before = ctx
        .snapshot(&f.source.initiator.client, &f.source.account_id)
        .await?;
    let dest_before = ctx.snapshot(&f.dest.rep.client, &f.dest.account_id).await?;
    ctx.raw("initiate_transfer", Method::POST, "/v1/transfers")
        .bearer(f.source.initiator.token())
        .no_idempotency_key()
        .json(&transfer_body(&f.source.account_id, &f.dest.account_id, 5))
        .send()
        .await?
        .expect_problem(
            "initiate_transfer without Idempotency-Key",
            400,
            ProblemKind::IdempotencyKeyRequired,
        )?;
    ctx.raw("initiate_cancellation", Method::POST, "/v1/cancellations")
        .bearer(f.source.initiator.token())
        .no_idempotency_key()
        .json(&json!({"account_id": f.source.account_id, "unit_type": "ACCU", "quantity": 5}))
        .send()
        .await?
        .expect_problem(
            "initiate_cancellation without Idempotency-Key",
            400,
            ProblemKind::IdempotencyKeyRequired,
        )?;
    ctx.raw(
        "approve_transfer",
        Method::POST,
        &format!("/v1/transfers/{}/approve", transfer.transfer_id),
    )
    .bearer(f.source.approver.token())
    .no_idempotency_key()
    .send()
    .await?
    .expect_problem(
        "approve_transfer without Idempotency-Key",
        400,
        ProblemKind::IdempotencyKeyRequired,
    )?;
    assert_unchanged(
        "after the refused writes",
        &before,
        &ctx.snapshot(&f.source.initiator.client, &f.source.account_id)
            .await?,
    )?;
    assert_unchanged(
        "after the refused writes",
        &dest_before,
        &ctx.snapshot(&f.dest.rep.client, &f.dest.account_id).await?,
    )?;
    let fetched = get_transfer(
        &f.source.initiator.client,
        &transfer.transfer_id,
        "get_transfer",
    )
    .await?;
    expect_status(
        "get_transfer after the refused approval",
        TransactionStatus::PendingApproval,
        fetched.status,
    )?;
    Ok(())
}

async fn replay_initiation(ctx: Ctx) -> Result<(), Failure> {
    let f = funded(&ctx, 50).await?;
    let key = format!("ucr-conformance-{}", uuid::Uuid::new_v4());
    let body = transfer_body(&f.source.account_id, &f.dest.account_id, 10);
    let send = || {
        ctx.raw("initiate_transfer", Method::POST, "/v1/transfers")
            .bearer(f.source.initiator.token())
            .idempotency_key(&key)
            .json(&body)
            .send()
    };
    let first = send().await?;
    let first_body = first.expect_status("initiate_transfer with a new Idempotency-Key", 201)?;
    let replay = send().await?;
    ensure_eq(
        "replayed initiate_transfer (same key and body): HTTP status",
        first.status,
        replay.status,
    )?;
    let replay_body = replay
        .json()
        .map_err(|e| e.context("replayed initiate_transfer"))?;
    ensure!(
        first_body == replay_body,
        "replayed initiate_transfer (same key and body): the body differs from the first response:\nfirst:  {first_body}\nreplay: {replay_body}"
    );
    let holdings = ctx
        .holdings(&f.source.initiator.client, &f.source.account_id)
        .await?;
    ensure_eq(
        "source holdings after the replay: pending units (one transfer of 10, not two)",
        10,
        total(&holdings, "ACCU", Some(BlockStatus::Pending)),
    )?;
    let history = ctx
        .history(&f.source.initiator.client, &f.source.account_id)
        .await?;
    let transfers = history
        .iter()
        .filter(|t| t.kind == TransactionKind::Transfer)
        .count();
    ensure_eq("source history after the replay: transfers", 1, transfers)?;
    Ok(())
}

async fn key_reused(ctx: Ctx) -> Result<(), Failure> {
    let f = funded(&ctx, 50).await?;
    let key = format!("ucr-conformance-{}", uuid::Uuid::new_v4());
    let send = |quantity: u64| {
        ctx.raw("initiate_transfer", Method::POST, "/v1/transfers")
            .bearer(f.source.initiator.token())
            .idempotency_key(&key)
            .json(&transfer_body(
                &f.source.account_id,
                &f.dest.account_id,
                quantity,
            ))
            .send()
    };
    send(10)
        .await?
        .expect_status("initiate_transfer of 10 with a new Idempotency-Key", 201)?;
    let before = ctx
        .snapshot(&f.source.initiator.client, &f.source.account_id)
        .await?;
    send(11).await?.expect_problem(
        "initiate_transfer of 11 with the key already used for 10",
        422,
        ProblemKind::IdempotencyKeyReused,
    )?;
    assert_unchanged(
        "after the refused reuse",
        &before,
        &ctx.snapshot(&f.source.initiator.client, &f.source.account_id)
            .await?,
    )?;
    let holdings = ctx
        .holdings(&f.source.initiator.client, &f.source.account_id)
        .await?;
    ensure_eq(
        "source holdings: pending units (the first request only)",
        10,
        total(&holdings, "ACCU", Some(BlockStatus::Pending)),
    )?;
    Ok(())
}

async fn replay_approval(ctx: Ctx) -> Result<(), Failure> {
    let f = funded(&ctx, 50).await?;
    let transfer = initiate(
        &f.source.initiator.client,
        by_quantity(&f.source.account_id, &f.dest.account_id, "ACCU", 15),
        "initiate_transfer",
    )
    .await?;
    let key = format!("ucr-conformance-{}", uuid::Uuid::new_v4());
    let path = format!("/v1/transfers/{}/approve", transfer.transfer_id);
    let send = |key: String| {
        ctx.raw("approve_transfer", Method::POST, &path)
            .bearer(f.source.approver.token())
            .idempotency_key(&key)
            .send()
    };
    let first = send(key.clone()).await?;
    let first_body = first.expect_status("approve_transfer", 200)?;
    let replay = send(key.clone()).await?;
    let replay_body = replay.expect_status("replayed approve_transfer (same key)", 200)?;
    ensure!(
        first_body == replay_body,
        "replayed approve_transfer (same key): the body differs from the first response:\nfirst:  {first_body}\nreplay: {replay_body}"
    );
    let received = ctx.holdings(&f.dest.rep.client, &f.dest.account_id).await?;
    ensure_eq(
        "destination holdings after the replayed approval: units (moved once)",
        15,
        total(&received, "ACCU", None),
    )?;
    send(format!("ucr-conformance-{}", uuid::Uuid::new_v4()))
        .await?
        .expect_problem(
            "approve_transfer again with a new key",
            409,
            ProblemKind::InvalidState,
        )?;
    let fetched = get_transfer(
        &f.source.initiator.client,
        &transfer.transfer_id,
        "get_transfer",
    )
    .await?;
    expect_status("get_transfer", TransactionStatus::Completed, fetched.status)?;
    Ok(())
}

async fn keys_per_principal(ctx: Ctx) -> Result<(), Failure> {
    let first = ctx.holder_with_one_rep().await?;
    let second = ctx.holder_with_one_rep().await?;
    ctx.issue(&first.account_id, 20, &Attrs::accu()).await?;
    ctx.issue(&second.account_id, 20, &Attrs::accu()).await?;
    let key = format!("ucr-conformance-{}", uuid::Uuid::new_v4());
    let a = ctx
        .raw("initiate_transfer", Method::POST, "/v1/transfers")
        .bearer(first.rep.token())
        .idempotency_key(&key)
        .json(&transfer_body(&first.account_id, &second.account_id, 5))
        .send()
        .await?
        .expect_status("initiate_transfer by representative 1 with key K", 201)?;
    let b = ctx
        .raw("initiate_transfer", Method::POST, "/v1/transfers")
        .bearer(second.rep.token())
        .idempotency_key(&key)
        .json(&transfer_body(&second.account_id, &first.account_id, 7))
        .send()
        .await?
        .expect_status(
            "initiate_transfer by representative 2 with the same key K",
            201,
        )?;
    ensure!(
        a.get("transfer_id") != b.get("transfer_id"),
        "two representatives using the same key got the same transfer {:?}",
        a.get("transfer_id")
    );
    for (party, quantity) in [(&first, 5), (&second, 7)] {
        let holdings = ctx.holdings(&party.rep.client, &party.account_id).await?;
        ensure_eq(
            &format!("holdings of {}: pending units", party.account_id),
            quantity,
            total(&holdings, "ACCU", Some(BlockStatus::Pending)),
        )?;
    }
    Ok(())
}

// ---- every write operation ---------------------------------------------------------------------

fn new_key() -> String {
    format!("ucr-conformance-{}", uuid::Uuid::new_v4())
}

/// The body of a response as JSON (`Null` when it is not JSON).
fn body_of(response: &crate::ctx::RawResponse) -> Value {
    serde_json::from_slice(&response.body).unwrap_or(Value::Null)
}

async fn replayed(
    ctx: &Ctx,
    world: &World,
    op: &'static spec::Operation,
    actor: Actor,
) -> Result<Vec<String>, Failure> {
    let request = valid(ctx, world, op).await?;
    let key = new_key();
    let first = succeed(ctx, world, op, actor, &request, Some(&key)).await?;
    let settled = observe(ctx, world, Some(&request)).await?;
    let replay = world.send(ctx, actor, &request, Some(&key)).await?;
    let mut found = Vec::new();
    if replay.status != first.status || body_of(&replay) != body_of(&first) {
        found.push(format!(
            "the replay answered HTTP {} {}, the first request HTTP {} {}",
            replay.status,
            crate::text::snippet(&replay.body, 200),
            first.status,
            crate::text::snippet(&first.body, 200)
        ));
    }
    if let Some(difference) = settled.difference(&observe(ctx, world, Some(&request)).await?) {
        found.push(format!("the replay had an effect: {difference}"));
    }
    Ok(found)
}

/// Another valid request of the same operation: a fresh object's, or the same body with one value
/// changed when a fresh object gives the very same request.
async fn another(
    ctx: &Ctx,
    world: &World,
    op: &spec::Operation,
    first: &Request,
) -> Result<Option<Request>, Failure> {
    let mut second = valid(ctx, world, op).await?;
    let same = second.path == first.path
        && match (&second.body, &first.body) {
            (Body::Json(a), Body::Json(b)) => a == b,
            (Body::None, Body::None) => true,
            _ => false,
        };
    if !same {
        return Ok(Some(second));
    }
    let Body::Json(Value::Object(body)) = &mut second.body else {
        return Ok(None);
    };
    if let Some(quantity) = body.get("quantity").and_then(Value::as_u64) {
        body.insert("quantity".into(), json!(quantity + 1));
    } else if let Some(at) = body
        .get("expires_at")
        .and_then(Value::as_str)
        .and_then(|t| chrono::DateTime::parse_from_rfc3339(t).ok())
    {
        body.insert(
            "expires_at".into(),
            json!((at + chrono::Duration::seconds(1)).with_timezone(&chrono::Utc)),
        );
    } else {
        return Ok(None);
    }
    Ok(Some(second))
}

async fn key_reused_for(
    ctx: &Ctx,
    world: &World,
    op: &'static spec::Operation,
    actor: Actor,
) -> Result<Vec<String>, Failure> {
    let request = valid(ctx, world, op).await?;
    let key = new_key();
    succeed(ctx, world, op, actor, &request, Some(&key)).await?;
    let Some(other) = another(ctx, world, op, &request).await? else {
        return Ok(vec![
            "suite gap: no second, different valid request to reuse the key with".into(),
        ]);
    };
    let before = observe(ctx, world, Some(&other)).await?;
    let response = world.send(ctx, actor, &other, Some(&key)).await?;
    let mut found = Vec::new();
    match problem_document(&response) {
        Ok(ProblemKind::IdempotencyKeyReused) if response.status == 422 => {}
        Ok(kind) => found.push(format!(
            "another request with a used key answered HTTP {} {}, expected 422 {}",
            response.status,
            kind.uri(),
            ProblemKind::IdempotencyKeyReused.uri()
        )),
        Err(e) => found.push(format!("another request with a used key answered {e}")),
    }
    if let Some(difference) = before.difference(&observe(ctx, world, Some(&other)).await?) {
        found.push(format!("the refused reuse changed something: {difference}"));
    }
    if found.is_empty() {
        succeed(ctx, world, op, actor, &other, None)
            .await
            .map_err(|f| f.context("the other request with a new key"))?;
    }
    Ok(found)
}

async fn concurrent_duplicates_for(
    ctx: &Ctx,
    world: &World,
    op: &'static spec::Operation,
    actor: Actor,
) -> Result<Vec<String>, Failure> {
    // The effect of one execution, measured on a fresh object.
    let single = valid(ctx, world, op).await?;
    let before = observe(ctx, world, None).await?.signature();
    succeed(ctx, world, op, actor, &single, None).await?;
    let one = effect(&before, &observe(ctx, world, None).await?.signature());

    let request = valid(ctx, world, op).await?;
    let before = observe(ctx, world, None).await?.signature();
    let key = new_key();
    let responses =
        futures::future::join_all((0..8).map(|_| world.send(ctx, actor, &request, Some(&key))))
            .await;
    let many = effect(&before, &observe(ctx, world, None).await?.signature());
    let mut found = Vec::new();
    let mut first: Option<Value> = None;
    for response in responses {
        let response = response?;
        if response.status == op.success {
            let body = body_of(&response);
            match &first {
                None => first = Some(body),
                Some(first) if *first == body => {}
                Some(first) => found.push(format!(
                    "two duplicates answered different bodies: {first} and {body}"
                )),
            }
        } else if !matches!(
            problem_document(&response),
            Ok(ProblemKind::IdempotencyKeyInUse)
        ) {
            found.push(format!(
                "a duplicate answered HTTP {} {}, neither the success nor 409 idempotency-key-in-use",
                response.status,
                response.problem_type().unwrap_or_default()
            ));
        }
    }
    if first.is_none() {
        found.push("no duplicate succeeded".into());
    }
    if many != one {
        found.push(format!(
            "8 concurrent duplicates had the effect {many:?}; one request has {one:?}"
        ));
    }
    Ok(found)
}

async fn every_write_replayed(ctx: Ctx) -> Result<(), Failure> {
    let world = World::build(&ctx).await?;
    over_operations(&ctx, &world, writes(|op| op.idempotent), replayed).await
}

async fn every_write_key_reused(ctx: Ctx) -> Result<(), Failure> {
    let world = World::build(&ctx).await?;
    over_operations(&ctx, &world, writes(|op| op.idempotent), key_reused_for).await
}

async fn every_write_concurrent_duplicates(ctx: Ctx) -> Result<(), Failure> {
    let world = World::build(&ctx).await?;
    over_operations(
        &ctx,
        &world,
        writes(|op| op.idempotent),
        concurrent_duplicates_for,
    )
    .await
}

/// A refusal is the response to its key as much as a success is: a retry of a refused write with
/// the same key must not run again once the cause is gone (here: the units arrive meanwhile).
async fn refusal_replayed(ctx: Ctx) -> Result<(), Failure> {
    let f = funded(&ctx, 20).await?;
    let key = format!("ucr-conformance-{}", uuid::Uuid::new_v4());
    let body = transfer_body(&f.source.account_id, &f.dest.account_id, 30);
    let send = |key: String| {
        ctx.raw("initiate_transfer", Method::POST, "/v1/transfers")
            .bearer(f.source.initiator.token())
            .idempotency_key(&key)
            .json(&body)
            .send()
    };
    let first = send(key.clone()).await?;
    first.expect_problem(
        "initiate_transfer of 30 from an account holding 20",
        409,
        ProblemKind::InsufficientUnits,
    )?;
    ctx.issue(&f.source.account_id, 20, &Attrs::accu()).await?;
    let before = ctx
        .snapshot(&f.source.initiator.client, &f.source.account_id)
        .await?;
    let replay = send(key.clone()).await?;
    replay.expect_problem(
        "the same initiate_transfer with the same key after 20 more units arrived (a replay)",
        409,
        ProblemKind::InsufficientUnits,
    )?;
    ensure_eq(
        "the replayed refusal: Idempotent-Replayed header",
        Some("true"),
        replay.header("idempotent-replayed"),
    )?;
    ensure!(
        first.body == replay.body,
        "the replayed refusal's body differs from the first response:\nfirst:  {}\nreplay: {}",
        String::from_utf8_lossy(&first.body),
        String::from_utf8_lossy(&replay.body)
    );
    assert_unchanged(
        "after the replayed refusal",
        &before,
        &ctx.snapshot(&f.source.initiator.client, &f.source.account_id)
            .await?,
    )?;
    send(format!("ucr-conformance-{}", uuid::Uuid::new_v4()))
        .await?
        .expect_status("the same initiate_transfer with a new key", 201)?;
    Ok(())
}
