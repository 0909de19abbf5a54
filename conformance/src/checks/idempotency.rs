//! Idempotency checks (`*-IDEMPOTENCY-*`): keys on writes (transfers, consents, escrows, …) are
//! required, replayed with one effect, refused when reused for another request, scoped per principal.

use super::B5;
use super::CONSENT;
use super::WRITE;
use super::matrix::Actor;
use super::matrix::Body;
use super::matrix::Request;
use super::matrix::World;
use super::matrix::writes::effect;
use super::matrix::writes::observe;
use super::matrix::writes::over_operations;
use super::matrix::writes::problem_document;
use super::matrix::writes::succeed;
use super::matrix::writes::valid;
use super::matrix::writes::writes;
use super::support::Funded;
use super::support::expect_status;
use super::support::funded;
use super::support::get_consent;
use super::support::get_transfer;
use super::support::initiate;
use super::support::market;
use super::support::spec;
use crate::assert::SdkResultExt;
use crate::assert::assert_unchanged;
use crate::assert::ensure_eq;
use crate::assert::total;
use crate::check::Check;
use crate::ctx::Attrs;
use crate::ctx::Ctx;
use crate::ctx::by_quantity;
use crate::ensure;
use crate::outcome::Failure;
use futures::TryStreamExt;
use reqwest::Method;
use serde_json::Value;
use serde_json::json;
use std::collections::BTreeSet;
use ucr_sdk::ProblemKind;
use ucr_sdk::types::BlockStatus;
use ucr_sdk::types::Consent;
use ucr_sdk::types::ConsentStatus;
use ucr_sdk::types::Escrow;
use ucr_sdk::types::TransactionKind;
use ucr_sdk::types::TransactionStatus;

const DAY: i64 = 86_400;

pub(super) const CHECKS: &[Check] = &[
    check! {
        id: "A1-IDEMPOTENCY-001",
        model: A1,
        seed: WRITE,
        operations: ["initiate_transfer", "approve_transfer", "initiate_cancellation", "create_operator_session", "create_account_holder"],
        description: "A write without Idempotency-Key is refused with 400 idempotency-key-required; an empty, over-long, non-visible-ASCII or repeated key with 400; nothing changes; sandbox writes need no key",
        run: key_required,
        cites: ["REQ-IDEMPOTENCY-001", "REQ-IDEMPOTENCY-002", "REQ-IDEMPOTENCY-011", "REQ-CONV-006"],
    },
    check! {
        id: "A1-IDEMPOTENCY-002",
        model: A1,
        seed: WRITE,
        operations: ["initiate_transfer", "list_holdings", "list_transactions"],
        description: "Replaying an initiation with the same key and body returns the same status and body (Idempotent-Replayed) and has one effect",
        run: replay_initiation,
        cites: ["REQ-IDEMPOTENCY-004", "REQ-IDEMPOTENCY-005"],
    },
    check! {
        id: "A1-IDEMPOTENCY-003",
        model: A1,
        seed: WRITE,
        operations: ["initiate_transfer"],
        description: "The same key with a different body is refused with 422 idempotency-key-reused; only the first request took effect",
        run: key_reused,
        cites: ["REQ-IDEMPOTENCY-007", "REQ-CONV-006"],
    },
    check! {
        id: "A1-IDEMPOTENCY-004",
        model: A1,
        seed: WRITE,
        operations: ["approve_transfer"],
        description: "Replaying an approval with the same key returns the same 200 body; a new key answers 409 invalid-state",
        run: replay_approval,
        cites: ["REQ-IDEMPOTENCY-005", "REQ-TRANSFER-002"],
    },
    check! {
        id: "A1-IDEMPOTENCY-005",
        model: A1,
        seed: WRITE,
        operations: ["initiate_transfer"],
        description: "Keys are scoped per principal: two representatives using the same key make two transfers",
        run: keys_per_principal,
        cites: ["REQ-IDEMPOTENCY-003"],
    },
    check! {
        id: "A1-IDEMPOTENCY-006",
        model: A1,
        seed: WRITE,
        operations: [],
        description: "Every write operation taking an Idempotency-Key: a replay with the same key and body answers the same status and body (Idempotent-Replayed) and has no further effect",
        run: every_write_replayed,
        cites: ["REQ-IDEMPOTENCY-004", "REQ-IDEMPOTENCY-005"],
    },
    check! {
        id: "A1-IDEMPOTENCY-007",
        model: A1,
        seed: WRITE,
        operations: [],
        description: "Every write operation taking an Idempotency-Key: the same key with another request is refused with 422 idempotency-key-reused; nothing changes",
        run: every_write_key_reused,
        cites: ["REQ-IDEMPOTENCY-007", "REQ-CONV-006"],
    },
    check! {
        id: "A1-IDEMPOTENCY-008",
        model: A1,
        seed: WRITE,
        operations: [],
        description: "Every write operation taking an Idempotency-Key: 8 concurrent duplicates with one key answer alike and have exactly the effect of one request",
        run: every_write_concurrent_duplicates,
        cites: ["REQ-IDEMPOTENCY-008"],
    },
    check! {
        id: "A1-IDEMPOTENCY-009",
        model: A1,
        seed: WRITE,
        operations: ["initiate_transfer", "list_holdings", "list_transactions"],
        description: "A refused write is replayed too: after the cause is gone the same key and body answer the stored 409 (Idempotent-Replayed) and change nothing; a new key succeeds",
        run: refusal_replayed,
        cites: ["REQ-IDEMPOTENCY-005", "REQ-UNITS-011"],
    },
    check! {
        id: "A1-IDEMPOTENCY-010",
        model: A1,
        seed: WRITE,
        operations: ["initiate_transfer", "list_holdings"],
        description: "A malformed body refused with 400 may be stored with its key or not: the corrected request with that key either succeeds or is 422 idempotency-key-reused, and a new key succeeds once",
        run: malformed_refusal_key,
        cites: ["REQ-IDEMPOTENCY-006", "REQ-IDEMPOTENCY-007"],
    },
    check! {
        id: "B1-IDEMPOTENCY-001",
        model: B1,
        seed: CONSENT,
        operations: ["grant_consent", "revoke_consent", "create_webhook_subscription", "list_account_consents", "delete_webhook_subscription"],
        description: "Consent and subscription writes need Idempotency-Key (400); a replayed grant returns the same 201 body (Idempotent-Replayed) and grants once; deleting a subscription needs no key, again is 404",
        run: consent_writes_are_idempotent,
        cites: ["REQ-IDEMPOTENCY-001", "REQ-IDEMPOTENCY-005", "REQ-IDEMPOTENCY-012"],
    },
    check! {
        id: "B5-IDEMPOTENCY-001",
        model: B5,
        seed: B5,
        operations: ["create_escrow", "settle_escrow"],
        description: "Escrow writes need Idempotency-Key (400); replaying a creation or a settlement returns the same body (Idempotent-Replayed) and has one effect",
        run: escrow_writes_are_idempotent,
        cites: ["REQ-IDEMPOTENCY-001", "REQ-IDEMPOTENCY-005"],
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
    bad_keys(&ctx, &f).await?;
    sandbox_writes_need_no_key(&ctx).await
}

/// Sends a transfer of 1 ACCU with the `Idempotency-Key` headers `keys` (none when empty).
async fn send_with_keys(
    ctx: &Ctx,
    f: &Funded,
    keys: &[&str],
) -> Result<crate::ctx::RawResponse, Failure> {
    let mut request = ctx
        .raw("initiate_transfer", Method::POST, "/v1/transfers")
        .bearer(f.source.initiator.token())
        .no_idempotency_key()
        .json(&transfer_body(&f.source.account_id, &f.dest.account_id, 1));
    for key in keys {
        request = request.header("idempotency-key", key);
    }
    request.send().await
}

/// Expects `400 invalid-parameter` naming `Idempotency-Key` in `invalid_params`.
fn expect_key_parameter(what: &str, response: &crate::ctx::RawResponse) -> Result<(), Failure> {
    let document = response.expect_problem(what, 400, ProblemKind::InvalidParameter)?;
    let named = document
        .get("invalid_params")
        .and_then(Value::as_array)
        .is_some_and(|entries| {
            entries.iter().any(|e| {
                e.get("name")
                    .and_then(Value::as_str)
                    .is_some_and(|n| n.eq_ignore_ascii_case("idempotency-key"))
            })
        });
    ensure!(
        named,
        "{what}: `invalid_params` does not name Idempotency-Key: {document} (REQ-IDEMPOTENCY-002)"
    );
    Ok(())
}

/// REQ-IDEMPOTENCY-001/-002: an empty key is either refusal, a key outside 1..=255 visible ASCII
/// characters or a repeated header is `400 invalid-parameter`; nothing changes; 255 characters do.
async fn bad_keys(ctx: &Ctx, f: &Funded) -> Result<(), Failure> {
    let before = ctx
        .snapshot(&f.source.initiator.client, &f.source.account_id)
        .await?;
    let empty = send_with_keys(ctx, f, &[""]).await?;
    if empty.problem_type().as_deref() == Some(ProblemKind::IdempotencyKeyRequired.uri()) {
        empty.expect_problem(
            "initiate_transfer with an empty Idempotency-Key",
            400,
            ProblemKind::IdempotencyKeyRequired,
        )?;
    } else {
        expect_key_parameter("initiate_transfer with an empty Idempotency-Key", &empty)?;
    }
    let long = "k".repeat(256);
    let a = format!("ucr-conformance-{}", uuid::Uuid::new_v4());
    let b = format!("ucr-conformance-{}", uuid::Uuid::new_v4());
    for (what, keys) in [
        ("a 256-character Idempotency-Key", vec![long.as_str()]),
        ("an Idempotency-Key with a space", vec!["ucr conformance"]),
        ("two Idempotency-Key headers", vec![a.as_str(), b.as_str()]),
    ] {
        let response = send_with_keys(ctx, f, &keys).await?;
        expect_key_parameter(&format!("initiate_transfer with {what}"), &response)?;
    }
    assert_unchanged(
        "after the refused keys",
        &before,
        &ctx.snapshot(&f.source.initiator.client, &f.source.account_id)
            .await?,
    )?;
    let longest = format!("{}{}", uuid::Uuid::new_v4().simple(), "~".repeat(255 - 32));
    send_with_keys(ctx, f, &[longest.as_str()])
        .await?
        .expect_status(
            "initiate_transfer with a 255-character Idempotency-Key",
            201,
        )?;
    Ok(())
}

/// REQ-IDEMPOTENCY-011: sandbox writes accept requests without `Idempotency-Key`.
async fn sandbox_writes_need_no_key(ctx: &Ctx) -> Result<(), Failure> {
    ctx.operator("create an account holder without Idempotency-Key")?;
    let session = ctx
        .raw(
            "create_operator_session",
            Method::POST,
            "/v1/sandbox/operator-sessions",
        )
        .no_idempotency_key()
        .send()
        .await?
        .expect_status("create_operator_session without Idempotency-Key", 201)?;
    let token = session
        .get("token")
        .and_then(Value::as_str)
        .ok_or_else(|| {
            Failure::new(format!(
                "create_operator_session answered no token: {session}"
            ))
        })?;
    ctx.raw(
        "create_account_holder",
        Method::POST,
        "/v1/sandbox/account-holders",
    )
    .bearer(token)
    .no_idempotency_key()
    .json(&json!({"name": "ucr-conformance holder without a key"}))
    .send()
    .await?
    .expect_status("create_account_holder without Idempotency-Key", 201)?;
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
    ensure_eq(
        "replayed initiate_transfer: Idempotent-Replayed header (REQ-IDEMPOTENCY-005)",
        Some("true"),
        replay.header("idempotent-replayed"),
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
    if replay.header("idempotent-replayed") != Some("true") {
        found.push(format!(
            "the replay's Idempotent-Replayed header is {:?}, expected \"true\" (REQ-IDEMPOTENCY-005)",
            replay.header("idempotent-replayed")
        ));
    }
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

async fn consent_writes_are_idempotent(ctx: Ctx) -> Result<(), Failure> {
    let seller = ctx.holder_with_one_rep().await?;
    let platform = ctx.trading_platform().await?;
    let body = serde_json::json!({
        "grantee_id": platform.platform_id,
        "scopes": ["holdings_read"],
        "expires_at": ctx.registry_in(30 * DAY).await?,
    });
    let path = format!("/v1/accounts/{}/consents", seller.account_id);
    ctx.raw("grant_consent", reqwest::Method::POST, &path)
        .bearer(seller.rep.token())
        .no_idempotency_key()
        .json(&body)
        .send()
        .await?
        .expect_problem(
            "grant_consent without Idempotency-Key",
            400,
            ProblemKind::IdempotencyKeyRequired,
        )?;
    let (url, _) = ctx.webhook_url();
    ctx.raw(
        "create_webhook_subscription",
        reqwest::Method::POST,
        "/v1/webhook-subscriptions",
    )
    .bearer(platform.token())
    .no_idempotency_key()
    .json(&serde_json::json!({"url": url, "event_types": ["consent.revoked"]}))
    .send()
    .await?
    .expect_problem(
        "create_webhook_subscription without Idempotency-Key",
        400,
        ProblemKind::IdempotencyKeyRequired,
    )?;

    // The account may hold consents already (a configured target's shared account): the grant and
    // its replay must add exactly the granted one.
    let list = || async {
        seller
            .rep
            .client
            .list_account_consents()
            .account_id(&seller.account_id)
            .limit(200u32)
            .stream()
            .try_collect::<Vec<Consent>>()
            .await
            .map_err(|e| Failure::from(e).context("list_account_consents"))
    };
    let before: BTreeSet<String> = list().await?.into_iter().map(|c| c.consent_id).collect();
    let key = uuid::Uuid::new_v4().to_string();
    let send = || {
        ctx.raw("grant_consent", reqwest::Method::POST, &path)
            .bearer(seller.rep.token())
            .idempotency_key(&key)
            .json(&body)
            .send()
    };
    let first = send().await?;
    let granted = first.expect_status("grant_consent", 201)?;
    let replay = send().await?;
    let replayed =
        replay.expect_status("grant_consent replayed with the same key and body", 201)?;
    ensure_eq("the replayed grant_consent's body", &granted, &replayed)?;
    ensure_eq(
        "the replayed grant_consent's Idempotent-Replayed header",
        Some("true"),
        replay.header("idempotent-replayed"),
    )?;
    let consent_id = granted
        .get("consent_id")
        .and_then(|v| v.as_str())
        .ok_or_else(|| Failure::new(format!("grant_consent answered no consent_id: {granted}")))?;
    let added: Vec<String> = list()
        .await?
        .into_iter()
        .map(|c| c.consent_id)
        .filter(|id| !before.contains(id))
        .collect();
    ensure_eq(
        "consents added by a grant and its replay",
        vec![consent_id.to_owned()],
        added,
    )?;
    ctx.raw(
        "revoke_consent",
        reqwest::Method::POST,
        &format!("/v1/consents/{consent_id}/revoke"),
    )
    .bearer(seller.rep.token())
    .no_idempotency_key()
    .send()
    .await?
    .expect_problem(
        "revoke_consent without Idempotency-Key",
        400,
        ProblemKind::IdempotencyKeyRequired,
    )?;
    ensure_eq(
        "the consent after the refused revocation: status",
        ConsentStatus::Active,
        get_consent(&seller.rep.client, consent_id, "get_consent")
            .await?
            .status,
    )?;

    // REQ-IDEMPOTENCY-012: deleting a subscription takes no key; deleting it again is 404.
    let created = ctx
        .raw(
            "create_webhook_subscription",
            reqwest::Method::POST,
            "/v1/webhook-subscriptions",
        )
        .bearer(platform.token())
        .json(&serde_json::json!({"url": url, "event_types": ["consent.revoked"]}))
        .send()
        .await?
        .expect_status("create_webhook_subscription", 201)?;
    let subscription_id = created
        .get("subscription_id")
        .and_then(|v| v.as_str())
        .ok_or_else(|| {
            Failure::new(format!(
                "create_webhook_subscription answered no subscription_id: {created}"
            ))
        })?;
    let delete = || {
        ctx.raw(
            "delete_webhook_subscription",
            reqwest::Method::DELETE,
            &format!("/v1/webhook-subscriptions/{subscription_id}"),
        )
        .bearer(platform.token())
        .no_idempotency_key()
        .send()
    };
    let deleted = delete().await?;
    ensure!(
        deleted.status == 200,
        "delete_webhook_subscription without Idempotency-Key: expected HTTP 200, got HTTP {} {}",
        deleted.status,
        crate::text::snippet(&deleted.body, 200)
    );
    delete().await?.expect_problem(
        "delete_webhook_subscription of a subscription already deleted",
        404,
        ProblemKind::NotFound,
    )?;
    Ok(())
}

async fn escrow_writes_are_idempotent(ctx: Ctx) -> Result<(), Failure> {
    let m = market(&ctx, 40).await?;
    let body = serde_json::json!({
        "account_id": m.seller.account_id,
        "controller_id": m.platform.platform_id,
        "unit_type": "ACCU",
        "quantity": 10,
        "expires_at": ctx.registry_in(30 * DAY).await?,
    });
    let create = |key: Option<&str>| {
        let request = ctx
            .raw("create_escrow", reqwest::Method::POST, "/v1/escrows")
            .bearer(m.seller.initiator.token())
            .json(&body);
        match key {
            Some(key) => request.idempotency_key(key),
            None => request.no_idempotency_key(),
        }
        .send()
    };
    create(None).await?.expect_problem(
        "create_escrow without Idempotency-Key",
        400,
        ProblemKind::IdempotencyKeyRequired,
    )?;
    let key = uuid::Uuid::new_v4().to_string();
    let created = create(Some(&key))
        .await?
        .expect_status("create_escrow", 201)?;
    let replay = create(Some(&key)).await?;
    ensure_eq(
        "the replayed create_escrow's body",
        &created,
        &replay.expect_status("create_escrow replayed with the same key and body", 201)?,
    )?;
    ensure_eq(
        "the replayed create_escrow's Idempotent-Replayed header",
        Some("true"),
        replay.header("idempotent-replayed"),
    )?;
    let escrows: Vec<Escrow> = m
        .seller
        .approver
        .client
        .list_escrows()
        .account_id(&m.seller.account_id)
        .limit(200u32)
        .stream()
        .try_collect()
        .await
        .map_err(|e| Failure::from(e).context("list_escrows"))?;
    ensure_eq("escrows after a creation and its replay", 1, escrows.len())?;
    let escrow_id = escrows[0].escrow_id.clone();
    m.seller
        .approver
        .client
        .approve_escrow()
        .escrow_id(&escrow_id)
        .send()
        .await
        .expect_ok("approve_escrow by the seller's approver")?;

    let path = format!("/v1/escrows/{escrow_id}/settle");
    let settle_body = serde_json::json!({"to_account_id": m.buyer.account_id});
    let settle = |key: Option<&str>| {
        let request = ctx
            .raw("settle_escrow", reqwest::Method::POST, &path)
            .bearer(m.platform.token())
            .json(&settle_body);
        match key {
            Some(key) => request.idempotency_key(key),
            None => request.no_idempotency_key(),
        }
        .send()
    };
    settle(None).await?.expect_problem(
        "settle_escrow without Idempotency-Key",
        400,
        ProblemKind::IdempotencyKeyRequired,
    )?;
    let key = uuid::Uuid::new_v4().to_string();
    let settled = settle(Some(&key))
        .await?
        .expect_status("settle_escrow", 200)?;
    let replay = settle(Some(&key)).await?;
    ensure_eq(
        "the replayed settle_escrow's body",
        &settled,
        &replay.expect_status("settle_escrow replayed with the same key and body", 200)?,
    )?;
    ensure_eq(
        "the replayed settle_escrow's Idempotent-Replayed header",
        Some("true"),
        replay.header("idempotent-replayed"),
    )?;
    ensure_eq(
        "the buyer's units after a settlement and its replay",
        10,
        total(
            &ctx.holdings(&m.buyer.rep.client, &m.buyer.account_id)
                .await?,
            "ACCU",
            None,
        ),
    )?;
    let transfers = ctx
        .history(&m.buyer.rep.client, &m.buyer.account_id)
        .await?
        .into_iter()
        .filter(|t| t.kind == TransactionKind::Transfer)
        .count();
    ensure_eq(
        "transfers into the buyer's account after a settlement and its replay",
        1,
        transfers,
    )
}

async fn malformed_refusal_key(ctx: Ctx) -> Result<(), Failure> {
    let f = funded(&ctx, 50).await?;
    let key = format!("ucr-conformance-{}", uuid::Uuid::new_v4());
    let send = |key: String, text: String| {
        ctx.raw("initiate_transfer", Method::POST, "/v1/transfers")
            .bearer(f.source.initiator.token())
            .idempotency_key(&key)
            .body_text(&text)
            .send()
    };
    let corrected = transfer_body(&f.source.account_id, &f.dest.account_id, 10).to_string();
    let malformed = corrected.replacen("\"quantity\"", "\"quantitiy\"", 1);
    send(key.clone(), malformed.clone()).await?.expect_problem(
        "initiate_transfer with a misspelt member",
        400,
        ProblemKind::MalformedRequest,
    )?;
    // The same malformed request again: 400 either way (replayed when stored).
    send(key.clone(), malformed).await?.expect_problem(
        "the same malformed initiate_transfer with the same key",
        400,
        ProblemKind::MalformedRequest,
    )?;
    let pending = || async {
        Ok::<u64, Failure>(total(
            &ctx.holdings(&f.source.initiator.client, &f.source.account_id)
                .await?,
            "ACCU",
            Some(BlockStatus::Pending),
        ))
    };
    ensure_eq(
        "pending units after the malformed requests",
        0,
        pending().await?,
    )?;
    // REQ-IDEMPOTENCY-006: the 400 may or may not have been stored with the key.
    let retried = send(key.clone(), corrected.clone()).await?;
    let expected = match retried.status {
        201 => 10,
        _ => {
            retried.expect_problem(
                "the corrected initiate_transfer with the malformed request's key (201 if the 400 was not stored)",
                422,
                ProblemKind::IdempotencyKeyReused,
            )?;
            0
        }
    };
    ensure_eq(
        "pending units after the corrected request with the old key",
        expected,
        pending().await?,
    )?;
    send(
        format!("ucr-conformance-{}", uuid::Uuid::new_v4()),
        corrected,
    )
    .await?
    .expect_status("the corrected initiate_transfer with a new key", 201)?;
    ensure_eq(
        "pending units after the corrected request with a new key",
        expected + 10,
        pending().await?,
    )
}
