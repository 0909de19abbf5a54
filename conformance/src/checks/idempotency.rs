//! Idempotency keys on writes: required, replayed with one effect, refused when reused for another
//! request, scoped per principal.

use reqwest::Method;
use serde_json::{Value, json};
use ucr_sdk::ProblemKind;
use ucr_sdk::types::{BlockStatus, TransactionKind, TransactionStatus};

use super::WRITE;
use super::support::{expect_status, funded, get_transfer, initiate};
use crate::assert::{assert_unchanged, ensure_eq, total};
use crate::check::{Check, Failure};
use crate::ctx::{Attrs, Ctx, by_quantity};
use crate::ensure;

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
