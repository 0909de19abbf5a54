//! Bad input to writes: each refused with the right status and problem type, changing nothing.

use reqwest::Method;
use serde_json::{Value, json};
use ucr_sdk::ProblemKind;
use ucr_sdk::types::{Problem, TransferRequest};

use super::WRITE;
use super::support::{Funded, funded, funded_shared, initiate};
use crate::assert::{SdkResultExt, assert_unchanged};
use crate::check::{Check, Failure};
use crate::ctx::{Attrs, Ctx, Snapshot, by_quantity, by_serials};

pub(super) const CHECKS: &[Check] = &[
    check! {
        id: "A1-INPUT-001",
        model: A1,
        seed: WRITE,
        operations: ["initiate_transfer", "initiate_cancellation"],
        description: "A body that is not valid JSON is refused with 400 malformed-request; nothing changes",
        run: malformed_json,
    },
    check! {
        id: "A1-INPUT-002",
        model: A1,
        seed: WRITE,
        operations: ["initiate_transfer"],
        description: "A body with an unknown field is refused with 400 malformed-request; nothing changes",
        run: unknown_field,
    },
    check! {
        id: "A1-INPUT-003",
        model: A1,
        seed: WRITE,
        operations: ["initiate_transfer"],
        description: "A field of the wrong type is refused with 400 malformed-request; nothing changes",
        run: wrong_type,
    },
    check! {
        id: "A1-INPUT-004",
        model: A1,
        seed: WRITE,
        operations: ["initiate_transfer"],
        description: "A negative quantity is refused with 400 malformed-request; nothing changes",
        run: negative_quantity,
    },
    check! {
        id: "A1-INPUT-005",
        model: A1,
        seed: WRITE,
        operations: ["initiate_transfer"],
        description: "A zero quantity is refused with 422 validation-failed; nothing changes",
        run: zero_quantity,
    },
    check! {
        id: "A1-INPUT-006",
        model: A1,
        seed: WRITE,
        operations: ["initiate_transfer"],
        description: "Both quantity and serial_ranges, or neither, is refused with 422 validation-failed; nothing changes",
        run: both_or_neither,
    },
    check! {
        id: "A1-INPUT-007",
        model: A1,
        seed: WRITE,
        operations: ["initiate_transfer"],
        description: "More units than available (also after a vintage filter) is refused with 409 insufficient-units; nothing changes",
        run: insufficient_units,
    },
    check! {
        id: "A1-INPUT-008",
        model: A1,
        seed: WRITE,
        operations: ["initiate_transfer"],
        description: "Serials the source account does not hold are refused with 409 units-not-held; nothing changes",
        run: units_not_held,
    },
    check! {
        id: "A1-INPUT-009",
        model: A1,
        seed: WRITE,
        operations: ["initiate_transfer"],
        description: "Serials already pending in another transfer are refused with 409 units-locked; nothing changes",
        run: pending_serials_locked,
    },
    check! {
        id: "A1-INPUT-010",
        model: A1,
        seed: WRITE,
        operations: ["initiate_transfer"],
        description: "An unknown destination account is refused with 422 unknown-account; nothing changes",
        run: unknown_destination,
    },
    check! {
        id: "A1-INPUT-011",
        model: A1,
        seed: WRITE,
        operations: ["initiate_transfer"],
        description: "The same source and destination account is refused with 422 validation-failed; nothing changes",
        run: same_account,
    },
    check! {
        id: "A1-INPUT-012",
        model: A1,
        seed: WRITE,
        operations: ["initiate_transfer"],
        description: "An unknown unit type code is refused with 422 validation-failed; nothing changes",
        run: unknown_unit_type,
    },
];

/// Snapshots of the fixture's two accounts.
async fn snapshots(ctx: &Ctx, f: &Funded) -> Result<(Snapshot, Snapshot), Failure> {
    Ok((
        ctx.snapshot(&f.source.initiator.client, &f.source.account_id)
            .await?,
        ctx.snapshot(&f.dest.rep.client, &f.dest.account_id).await?,
    ))
}

async fn unchanged(
    ctx: &Ctx,
    f: &Funded,
    before: &(Snapshot, Snapshot),
    what: &str,
) -> Result<(), Failure> {
    let after = snapshots(ctx, f).await?;
    assert_unchanged(what, &before.0, &after.0)?;
    assert_unchanged(what, &before.1, &after.1)
}

/// A valid transfer body of 10 ACCU from the fixture's source to its destination.
fn valid_body(f: &Funded) -> Value {
    json!({
        "from_account_id": f.source.account_id,
        "to_account_id": f.dest.account_id,
        "unit_type": "ACCU",
        "quantity": 10,
    })
}

/// Sends `body` (JSON text) to `POST /v1/transfers` as the initiator and expects a problem.
async fn refuse_transfer_text(
    ctx: &Ctx,
    f: &Funded,
    what: &str,
    body: &str,
    status: u16,
    kind: ProblemKind,
) -> Result<(), Failure> {
    ctx.raw("initiate_transfer", Method::POST, "/v1/transfers")
        .bearer(f.source.initiator.token())
        .body_text(body)
        .send()
        .await?
        .expect_problem(what, status, kind)?;
    Ok(())
}

async fn refuse_transfer(
    ctx: &Ctx,
    f: &Funded,
    what: &str,
    body: Value,
    status: u16,
    kind: ProblemKind,
) -> Result<(), Failure> {
    refuse_transfer_text(ctx, f, what, &body.to_string(), status, kind).await
}

async fn malformed_json(ctx: Ctx) -> Result<(), Failure> {
    let f = funded_shared(&ctx, 50).await?;
    let before = snapshots(&ctx, &f).await?;
    let truncated = format!(
        r#"{{"from_account_id": "{}", "to_account_id": "#,
        f.source.account_id
    );
    refuse_transfer_text(
        &ctx,
        &f,
        "initiate_transfer with a truncated JSON body",
        &truncated,
        400,
        ProblemKind::MalformedRequest,
    )
    .await?;
    refuse_transfer_text(
        &ctx,
        &f,
        "initiate_transfer with a body that is not JSON",
        "quantity=10",
        400,
        ProblemKind::MalformedRequest,
    )
    .await?;
    ctx.raw("initiate_cancellation", Method::POST, "/v1/cancellations")
        .bearer(f.source.initiator.token())
        .body_text(r#"{"account_id": "#)
        .send()
        .await?
        .expect_problem(
            "initiate_cancellation with a truncated JSON body",
            400,
            ProblemKind::MalformedRequest,
        )?;
    unchanged(&ctx, &f, &before, "after the malformed requests").await
}

async fn unknown_field(ctx: Ctx) -> Result<(), Failure> {
    let f = funded_shared(&ctx, 50).await?;
    let before = snapshots(&ctx, &f).await?;
    let mut body = valid_body(&f);
    body["colour"] = json!("blue");
    refuse_transfer(
        &ctx,
        &f,
        "initiate_transfer with an unknown field \"colour\"",
        body,
        400,
        ProblemKind::MalformedRequest,
    )
    .await?;
    let mut body = valid_body(&f);
    body["quantitiy"] = json!(5);
    refuse_transfer(
        &ctx,
        &f,
        "initiate_transfer with a misspelt field \"quantitiy\"",
        body,
        400,
        ProblemKind::MalformedRequest,
    )
    .await?;
    unchanged(&ctx, &f, &before, "after the refused requests").await
}

async fn wrong_type(ctx: Ctx) -> Result<(), Failure> {
    let f = funded_shared(&ctx, 50).await?;
    let before = snapshots(&ctx, &f).await?;
    let mut body = valid_body(&f);
    body["quantity"] = json!("ten");
    refuse_transfer(
        &ctx,
        &f,
        "initiate_transfer with quantity \"ten\"",
        body,
        400,
        ProblemKind::MalformedRequest,
    )
    .await?;
    let mut body = valid_body(&f);
    body["quantity"] = json!(10.5);
    refuse_transfer(
        &ctx,
        &f,
        "initiate_transfer with quantity 10.5",
        body,
        400,
        ProblemKind::MalformedRequest,
    )
    .await?;
    let mut body = valid_body(&f);
    body["to_account_id"] = json!(1000001);
    refuse_transfer(
        &ctx,
        &f,
        "initiate_transfer with a numeric to_account_id",
        body,
        400,
        ProblemKind::MalformedRequest,
    )
    .await?;
    unchanged(&ctx, &f, &before, "after the refused requests").await
}

async fn negative_quantity(ctx: Ctx) -> Result<(), Failure> {
    let f = funded_shared(&ctx, 50).await?;
    let before = snapshots(&ctx, &f).await?;
    let mut body = valid_body(&f);
    body["quantity"] = json!(-5);
    refuse_transfer(
        &ctx,
        &f,
        "initiate_transfer with quantity -5",
        body,
        400,
        ProblemKind::MalformedRequest,
    )
    .await?;
    unchanged(&ctx, &f, &before, "after the refused request").await
}

async fn zero_quantity(ctx: Ctx) -> Result<(), Failure> {
    let f = funded_shared(&ctx, 50).await?;
    let before = snapshots(&ctx, &f).await?;
    let mut body = valid_body(&f);
    body["quantity"] = json!(0);
    refuse_transfer(
        &ctx,
        &f,
        "initiate_transfer with quantity 0",
        body,
        422,
        ProblemKind::ValidationFailed,
    )
    .await?;
    unchanged(&ctx, &f, &before, "after the refused request").await
}

async fn both_or_neither(ctx: Ctx) -> Result<(), Failure> {
    let f = funded_shared(&ctx, 50).await?;
    let s = f.block.serial_start;
    let before = snapshots(&ctx, &f).await?;
    let mut body = valid_body(&f);
    body["serial_ranges"] = json!([{"serial_start": s, "serial_end": s + 9}]);
    refuse_transfer(
        &ctx,
        &f,
        "initiate_transfer with both quantity and serial_ranges",
        body,
        422,
        ProblemKind::ValidationFailed,
    )
    .await?;
    let mut body = valid_body(&f);
    if let Some(object) = body.as_object_mut() {
        object.remove("quantity");
    }
    refuse_transfer(
        &ctx,
        &f,
        "initiate_transfer with neither quantity nor serial_ranges",
        body,
        422,
        ProblemKind::ValidationFailed,
    )
    .await?;
    unchanged(&ctx, &f, &before, "after the refused requests").await
}

async fn expect_transfer_problem(
    f: &Funded,
    what: &str,
    request: TransferRequest,
    status: u16,
    kind: ProblemKind,
) -> Result<Problem, Failure> {
    f.source
        .initiator
        .client
        .initiate_transfer()
        .body(request)
        .send()
        .await
        .expect_problem(what, status, kind)
}

async fn insufficient_units(ctx: Ctx) -> Result<(), Failure> {
    let f = funded(&ctx, 50).await?;
    let before = snapshots(&ctx, &f).await?;
    let (src, dst) = (f.source.account_id.as_str(), f.dest.account_id.as_str());
    expect_transfer_problem(
        &f,
        "initiate_transfer of 51 ACCU from an account holding 50",
        by_quantity(src, dst, "ACCU", 51),
        409,
        ProblemKind::InsufficientUnits,
    )
    .await?;
    let mut filtered = by_quantity(src, dst, "ACCU", 1);
    filtered.vintage = Some("2001-02".into());
    expect_transfer_problem(
        &f,
        "initiate_transfer of 1 ACCU of vintage 2001-02 (none held)",
        filtered,
        409,
        ProblemKind::InsufficientUnits,
    )
    .await?;
    expect_transfer_problem(
        &f,
        "initiate_transfer of 1 SMC from an account holding none",
        by_quantity(src, dst, "SMC", 1),
        409,
        ProblemKind::InsufficientUnits,
    )
    .await?;
    unchanged(&ctx, &f, &before, "after the refused requests").await
}

async fn units_not_held(ctx: Ctx) -> Result<(), Failure> {
    let f = funded(&ctx, 50).await?;
    let elsewhere = ctx.issue(&f.dest.account_id, 20, &Attrs::accu()).await?;
    let before = snapshots(&ctx, &f).await?;
    let (src, dst) = (f.source.account_id.as_str(), f.dest.account_id.as_str());
    expect_transfer_problem(
        &f,
        "initiate_transfer of serials held by another account",
        by_serials(
            src,
            dst,
            "ACCU",
            &[(elsewhere.serial_start, elsewhere.serial_end)],
        ),
        409,
        ProblemKind::UnitsNotHeld,
    )
    .await?;
    let (s, e) = (f.block.serial_start, f.block.serial_end);
    expect_transfer_problem(
        &f,
        &format!(
            "initiate_transfer of serials {}..={} of which only {}..={e} are held",
            s + 40,
            e + 5,
            s + 40
        ),
        by_serials(src, dst, "ACCU", &[(s + 40, e + 5)]),
        409,
        ProblemKind::UnitsNotHeld,
    )
    .await?;
    unchanged(&ctx, &f, &before, "after the refused requests").await
}

async fn pending_serials_locked(ctx: Ctx) -> Result<(), Failure> {
    let f = funded_shared(&ctx, 50).await?;
    let s = f.block.serial_start;
    let (src, dst) = (f.source.account_id.as_str(), f.dest.account_id.as_str());
    initiate(
        &f.source.initiator.client,
        by_serials(src, dst, "ACCU", &[(s, s + 9)]),
        "initiate_transfer of serials to lock them",
    )
    .await?;
    let before = snapshots(&ctx, &f).await?;
    expect_transfer_problem(
        &f,
        &format!(
            "initiate_transfer of serials {s}..={} (pending in another transfer)",
            s + 9
        ),
        by_serials(src, dst, "ACCU", &[(s, s + 9)]),
        409,
        ProblemKind::UnitsLocked,
    )
    .await?;
    expect_transfer_problem(
        &f,
        &format!(
            "initiate_transfer of serials {}..={} (half pending)",
            s + 5,
            s + 14
        ),
        by_serials(src, dst, "ACCU", &[(s + 5, s + 14)]),
        409,
        ProblemKind::UnitsLocked,
    )
    .await?;
    unchanged(&ctx, &f, &before, "after the refused requests").await
}

async fn unknown_destination(ctx: Ctx) -> Result<(), Failure> {
    let f = funded_shared(&ctx, 50).await?;
    let before = snapshots(&ctx, &f).await?;
    let unknown = format!("AU-9{:06}", uuid::Uuid::new_v4().as_u128() % 1_000_000);
    expect_transfer_problem(
        &f,
        &format!("initiate_transfer to {unknown}, an account that does not exist"),
        by_quantity(&f.source.account_id, &unknown, "ACCU", 10),
        422,
        ProblemKind::UnknownAccount,
    )
    .await?;
    unchanged(&ctx, &f, &before, "after the refused request").await
}

async fn same_account(ctx: Ctx) -> Result<(), Failure> {
    let f = funded_shared(&ctx, 50).await?;
    let before = snapshots(&ctx, &f).await?;
    expect_transfer_problem(
        &f,
        "initiate_transfer with the source account as destination",
        by_quantity(&f.source.account_id, &f.source.account_id, "ACCU", 10),
        422,
        ProblemKind::ValidationFailed,
    )
    .await?;
    unchanged(&ctx, &f, &before, "after the refused request").await
}

async fn unknown_unit_type(ctx: Ctx) -> Result<(), Failure> {
    let f = funded_shared(&ctx, 50).await?;
    let before = snapshots(&ctx, &f).await?;
    expect_transfer_problem(
        &f,
        "initiate_transfer of unit type \"XQZ\" (no such unit type)",
        by_quantity(&f.source.account_id, &f.dest.account_id, "XQZ", 10),
        422,
        ProblemKind::ValidationFailed,
    )
    .await?;
    unchanged(&ctx, &f, &before, "after the refused request").await
}
