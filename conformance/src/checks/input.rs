//! Bad input to writes: each refused with the right status and problem type, changing nothing.

use reqwest::Method;
use serde_json::{Value, json};
use ucr_sdk::ProblemKind;
use ucr_sdk::types::{BlockStatus, Problem, Role, TransactionStatus, TransferRequest};

use super::WRITE;
use super::matrix::writes::{
    may_succeed_now, observe, over_operations, problem_document, succeed, valid, writes,
};
use super::matrix::{Actor, Body, Request, World};
use super::support::spec::{self, JsonType};
use super::support::{Funded, funded, funded_shared, initiate};
use crate::assert::{SdkResultExt, assert_unchanged};
use crate::capability::Feature;
use crate::check::Check;
use crate::ctx::{Attrs, Ctx, by_quantity, by_serials};
use crate::ensure;
use crate::outcome::Failure;
use crate::snapshot::Snapshot;

pub(super) const CHECKS: &[Check] = &[
    check! {
        id: "A1-INPUT-001",
        model: A1,
        seed: WRITE,
        operations: ["initiate_transfer", "initiate_cancellation"],
        description: "A body that is not valid JSON is refused with 400 malformed-request; nothing changes; JSON sent as text/plain is refused the same way or read",
        run: malformed_json,
        cites: ["REQ-VALIDATION-001", "REQ-VALIDATION-005", "REQ-CONV-006"],
    },
    check! {
        id: "A1-INPUT-002",
        model: A1,
        seed: WRITE,
        operations: ["initiate_transfer"],
        description: "A body with an unknown field is refused with 400 malformed-request; nothing changes",
        run: unknown_field,
        cites: ["REQ-VALIDATION-001", "REQ-CONV-006"],
    },
    check! {
        id: "A1-INPUT-003",
        model: A1,
        seed: WRITE,
        operations: ["initiate_transfer"],
        description: "A field of the wrong type is refused with 400 malformed-request; nothing changes",
        run: wrong_type,
        cites: ["REQ-VALIDATION-001", "REQ-CONV-006"],
    },
    check! {
        id: "A1-INPUT-004",
        model: A1,
        seed: WRITE,
        operations: ["initiate_transfer"],
        description: "A negative quantity is refused with 400 malformed-request; nothing changes",
        run: negative_quantity,
        cites: ["REQ-VALIDATION-001", "REQ-CONV-006"],
    },
    check! {
        id: "A1-INPUT-005",
        model: A1,
        seed: WRITE,
        operations: ["initiate_transfer"],
        description: "A zero quantity is refused with 422 validation-failed; nothing changes",
        run: zero_quantity,
        cites: ["REQ-VALIDATION-002", "REQ-CONV-006"],
    },
    check! {
        id: "A1-INPUT-006",
        model: A1,
        seed: WRITE,
        operations: ["initiate_transfer"],
        description: "Both quantity and serial_ranges, neither, or reversed, overlapping or empty serial_ranges are refused with 422 validation-failed; nothing changes",
        run: both_or_neither,
        cites: ["REQ-VALIDATION-007", "REQ-CONV-006"],
    },
    check! {
        id: "A1-INPUT-007",
        model: A1,
        seed: WRITE,
        operations: ["initiate_transfer"],
        description: "More units than available (also after a vintage filter) is refused with 409 insufficient-units; nothing changes",
        run: insufficient_units,
        cites: ["REQ-UNITS-011", "REQ-CONV-006"],
    },
    check! {
        id: "A1-INPUT-008",
        model: A1,
        seed: WRITE,
        operations: ["initiate_transfer"],
        description: "Serials the source account does not hold are refused with 409 units-not-held; nothing changes",
        run: units_not_held,
        cites: ["REQ-UNITS-011", "REQ-SANDBOX-008", "REQ-CONV-006"],
    },
    check! {
        id: "A1-INPUT-009",
        model: A1,
        seed: WRITE,
        operations: ["initiate_transfer"],
        description: "Serials already pending in another transfer are refused with 409 units-locked; nothing changes",
        run: pending_serials_locked,
        cites: ["REQ-UNITS-008", "REQ-CONV-006"],
    },
    check! {
        id: "A1-INPUT-010",
        model: A1,
        seed: WRITE,
        operations: ["initiate_transfer"],
        description: "An unknown destination account is refused with 422 unknown-account; nothing changes",
        run: unknown_destination,
        cites: ["REQ-TRANSFER-006", "REQ-CONV-006"],
    },
    check! {
        id: "A1-INPUT-011",
        model: A1,
        seed: WRITE,
        operations: ["initiate_transfer"],
        description: "The same source and destination account is refused with 422 validation-failed; nothing changes",
        run: same_account,
        cites: ["REQ-TRANSFER-006", "REQ-CONV-006"],
    },
    check! {
        id: "A1-INPUT-012",
        model: A1,
        seed: WRITE,
        operations: ["initiate_transfer"],
        description: "An unknown unit type code, or a known one in another case (accu), is refused with 422 validation-failed; nothing changes",
        run: unknown_unit_type,
        cites: ["REQ-VALIDATION-002", "REQ-VALIDATION-006", "REQ-CONV-006"],
    },
    check! {
        id: "A1-INPUT-013",
        model: A1,
        seed: WRITE,
        operations: [],
        description: "Every write operation of the spec: a body that is not JSON, or not a JSON object, is refused with 400 malformed-request; nothing changes; operations without a body then accept {}",
        run: every_write_malformed,
        cites: ["REQ-VALIDATION-001", "REQ-VALIDATION-003", "REQ-CONV-006"],
    },
    check! {
        id: "A1-INPUT-014",
        model: A1,
        seed: WRITE,
        operations: [],
        description: "Every write operation of the spec: each body field sent with the wrong JSON type is refused with 400 malformed-request; nothing changes",
        run: every_write_wrong_types,
        cites: ["REQ-VALIDATION-001", "REQ-CONV-006"],
    },
    check! {
        id: "A1-INPUT-015",
        model: A1,
        seed: WRITE,
        operations: [],
        description: "Every write operation of the spec: each required body field left out is refused with 400 malformed-request; nothing changes",
        run: every_write_missing_fields,
        cites: ["REQ-VALIDATION-001", "REQ-CONV-006"],
    },
    check! {
        id: "A1-INPUT-016",
        model: A1,
        seed: WRITE,
        operations: [],
        description: "Every write operation of the spec: negative or out-of-range integers get 400, the largest u64 a documented 409/422 problem; nothing changes",
        run: every_write_numbers,
        cites: ["REQ-VALIDATION-001", "REQ-VALIDATION-002", "REQ-CONV-006"],
    },
    check! {
        id: "A1-INPUT-017",
        model: A1,
        seed: WRITE,
        operations: [],
        description: "Every write operation of the spec: unknown IDs in the path get 404 not-found, in the body a documented 404/422 problem; nothing changes",
        run: every_write_unknown_ids,
        cites: ["REQ-ACCESS-001", "REQ-CONV-006"],
    },
    check! {
        id: "A1-INPUT-018",
        model: A1,
        seed: WRITE,
        operations: ["initiate_transfer", "list_holdings"],
        description: "A body of exactly 1 MiB (a valid transfer padded with JSON whitespace) is accepted: the body limit is at least 1 MiB",
        run: one_mebibyte_accepted,
        cites: ["REQ-VALIDATION-009"],
    },
    check! {
        id: "A1-INPUT-019",
        model: A1,
        seed: WRITE,
        operations: ["initiate_transfer", "list_holdings"],
        description: "A transfer by quantity takes the available matching units in ascending serial order across blocks, splitting the last block",
        run: quantity_takes_lowest_serials,
        cites: ["REQ-VALIDATION-008", "REQ-UNITS-008"],
    },
    check! {
        id: "A1-INPUT-020",
        model: A1,
        seed: WRITE,
        operations: ["create_operator_session", "delete_webhook_subscription", "get_account", "get_transfer"],
        description: "Operations declaring no body and no 400 ignore any body; operations declaring no query parameters ignore a query string",
        run: bodies_and_queries_ignored,
        cites: ["REQ-VALIDATION-010", "REQ-VALIDATION-011"],
    },
    check! {
        id: "A1-INPUT-021",
        model: A1,
        seed: WRITE,
        operations: ["create_operator_session", "create_account_holder", "create_account", "issue_units", "appoint_representative", "initiate_transfer"],
        description: "Sandbox set-up refuses unknown holders, accounts and representatives, bad issuance attributes and platform representatives on other holders' accounts; re-appointing replaces roles; issued_on defaults to the registry date",
        run: sandbox_setup_refusals,
        cites: ["REQ-SANDBOX-002", "REQ-SANDBOX-003", "REQ-SANDBOX-004", "REQ-SANDBOX-005", "REQ-SANDBOX-006", "REQ-SANDBOX-007"],
    },
    check! {
        id: "A1-INPUT-023",
        model: A1,
        seed: WRITE,
        operations: [],
        description: "A target without the sandbox answers every /v1/sandbox path 404 sandbox-unavailable, without a token or with an unknown one; one with it opens an operator session without a token",
        run: sandbox_left_out,
        requires: [],
        cites: ["REQ-SANDBOX-001", "REQ-SANDBOX-002", "REQ-ORDER-002"],
    },
    check! {
        id: "A1-INPUT-022",
        model: A1,
        seed: WRITE,
        operations: ["advance_clock", "get_clock", "initiate_transfer", "get_transfer"],
        description: "advance_clock refuses 0 and more than 31,622,400 s with 422 and negative or fractional seconds with 400; 1 s moves the registry clock by 1 s; a transfer is expired once the clock reaches its expires_at",
        run: clock_advance_bounds,
        phase: Clock,
        cites: ["REQ-SANDBOX-011", "REQ-CONV-002", "REQ-CONV-003"],
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
    unchanged(&ctx, &f, &before, "after the malformed requests").await?;
    // REQ-VALIDATION-005: a valid JSON body sent as text/plain may be refused or read as JSON.
    let response = ctx
        .raw("initiate_transfer", Method::POST, "/v1/transfers")
        .bearer(f.source.initiator.token())
        .body_typed(&valid_body(&f).to_string(), "text/plain")
        .send()
        .await?;
    if response.status != 201 {
        response.expect_problem(
            "initiate_transfer of valid JSON sent as Content-Type: text/plain (may be refused or read)",
            400,
            ProblemKind::MalformedRequest,
        )?;
    }
    Ok(())
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
    // REQ-VALIDATION-007: reversed, overlapping or empty serial_ranges.
    for (what, ranges) in [
        (
            "a reversed serial range",
            json!([{"serial_start": s + 9, "serial_end": s}]),
        ),
        (
            "two overlapping serial ranges",
            json!([
                {"serial_start": s, "serial_end": s + 4},
                {"serial_start": s + 3, "serial_end": s + 8},
            ]),
        ),
        ("an empty serial_ranges array", json!([])),
    ] {
        let mut body = valid_body(&f);
        if let Some(object) = body.as_object_mut() {
            object.remove("quantity");
            object.insert("serial_ranges".into(), ranges);
        }
        refuse_transfer(
            &ctx,
            &f,
            &format!("initiate_transfer with {what}"),
            body,
            422,
            ProblemKind::ValidationFailed,
        )
        .await?;
    }
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
    // REQ-VALIDATION-006: unit type codes are case-sensitive.
    expect_transfer_problem(
        &f,
        "initiate_transfer of unit type \"accu\" (codes are case-sensitive)",
        by_quantity(&f.source.account_id, &f.dest.account_id, "accu", 10),
        422,
        ProblemKind::ValidationFailed,
    )
    .await?;
    unchanged(&ctx, &f, &before, "after the refused request").await
}

// ---- bad input on every write operation ----------------------------------------------------------

/// What a bad request must be answered with.
#[derive(Debug, Clone)]
enum Expect {
    /// Exactly this status and problem type.
    Exactly(u16, ProblemKind),
    /// A problem document with one of these statuses (those the operation documents).
    OneOf(Vec<u16>),
}

/// A bad variant of a valid request.
struct Variant {
    what: String,
    request: Request,
    expect: Expect,
}

fn with_body(request: &Request, body: Body) -> Request {
    Request {
        body,
        ..request.clone()
    }
}

/// The valid request's JSON body, if it has one.
fn json_body(request: &Request) -> Option<&serde_json::Map<String, Value>> {
    match &request.body {
        Body::Json(Value::Object(map)) => Some(map),
        _ => None,
    }
}

fn malformed_variants(op: &spec::Operation, request: &Request) -> Vec<Variant> {
    if !op.problems.contains(&400) || matches!(request.body, Body::Form(_)) {
        return Vec::new();
    }
    let bad = |what: &str, text: &str| Variant {
        what: what.to_owned(),
        request: with_body(request, Body::Text(text.to_owned())),
        expect: Expect::Exactly(400, ProblemKind::MalformedRequest),
    };
    vec![
        bad("a truncated JSON body", r#"{"account_id": "#),
        bad("a body that is not JSON", "quantity=1&unit_type=ACCU"),
        bad("a JSON array instead of an object", "[1, 2]"),
        bad("a JSON string instead of an object", r#""hello""#),
    ]
}

/// A value of another JSON type than `json_type`.
fn wrong_value(json_type: JsonType) -> Value {
    match json_type {
        JsonType::String => json!(12345),
        JsonType::Integer | JsonType::Number => json!("ten"),
        JsonType::Boolean => json!("yes"),
        JsonType::Array => json!("not-a-list"),
        JsonType::Object => json!(7),
    }
}

fn wrong_type_variants(op: &spec::Operation, request: &Request) -> Vec<Variant> {
    let (Some(fields), Some(body)) = (&op.body, json_body(request)) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for field in fields {
        let mut bad = body.clone();
        bad.insert(field.name.clone(), wrong_value(field.json_type));
        out.push(Variant {
            what: format!("{} as {}", field.name, bad[&field.name]),
            request: with_body(request, Body::Json(Value::Object(bad))),
            expect: Expect::Exactly(400, ProblemKind::MalformedRequest),
        });
        if field.json_type == JsonType::Integer {
            let mut bad = body.clone();
            bad.insert(field.name.clone(), json!(1.5));
            out.push(Variant {
                what: format!("{} as 1.5", field.name),
                request: with_body(request, Body::Json(Value::Object(bad))),
                expect: Expect::Exactly(400, ProblemKind::MalformedRequest),
            });
        }
    }
    out
}

fn missing_variants(op: &spec::Operation, request: &Request) -> Vec<Variant> {
    let (Some(fields), Some(body)) = (&op.body, json_body(request)) else {
        return Vec::new();
    };
    fields
        .iter()
        .filter(|f| f.required)
        .map(|field| {
            let mut bad = body.clone();
            bad.remove(&field.name);
            Variant {
                what: format!("without required field {}", field.name),
                request: with_body(request, Body::Json(Value::Object(bad))),
                expect: Expect::Exactly(400, ProblemKind::MalformedRequest),
            }
        })
        .collect()
}

fn number_variants(op: &spec::Operation, request: &Request) -> Vec<Variant> {
    let (Some(fields), Some(body)) = (&op.body, json_body(request)) else {
        return Vec::new();
    };
    let refusals: Vec<u16> = [409, 422]
        .into_iter()
        .filter(|s| op.problems.contains(s))
        .collect();
    let mut out = Vec::new();
    for field in fields.iter().filter(|f| f.json_type == JsonType::Integer) {
        let mut set = |what: &str, value: Value, expect: Expect| {
            let mut bad = body.clone();
            bad.insert(field.name.clone(), value);
            out.push(Variant {
                what: format!("{} {what}", field.name),
                request: with_body(request, Body::Json(Value::Object(bad))),
                expect,
            });
        };
        let malformed = Expect::Exactly(400, ProblemKind::MalformedRequest);
        set("-1", json!(-1), malformed.clone());
        set(
            "-1000000000000",
            json!(-1_000_000_000_000i64),
            malformed.clone(),
        );
        // 2^64: no unsigned 64-bit integer (written by hand: serde_json cannot hold it).
        let mut without = body.clone();
        without.remove(&field.name);
        let rest = Value::Object(without).to_string();
        let huge = format!("\"{}\":18446744073709551616", field.name);
        let text = match rest.strip_prefix('{') {
            Some("}") | None => Body::Text(format!("{{{huge}}}")),
            Some(tail) => Body::Text(format!("{{{huge},{tail}")),
        };
        set(
            "18446744073709551615 (u64::MAX)",
            json!(u64::MAX),
            Expect::OneOf(refusals.clone()),
        );
        out.push(Variant {
            what: format!("{} 18446744073709551616 (2^64)", field.name),
            request: with_body(request, text),
            expect: malformed,
        });
    }
    out
}

/// A well-formed identifier that names nothing: the valid one's prefix and nine digits.
fn unknown_like(valid: &str) -> String {
    let prefix = valid.rsplit_once('-').map(|(p, _)| p).unwrap_or("X");
    format!(
        "{prefix}-9{:08}",
        uuid::Uuid::new_v4().as_u128() % 100_000_000
    )
}

fn unknown_id_variants(op: &spec::Operation, request: &Request) -> Vec<Variant> {
    let mut out = Vec::new();
    let template: Vec<&str> = op.path.split('/').collect();
    let concrete: Vec<&str> = request.path.split('/').collect();
    if template.len() == concrete.len() && op.problems.contains(&404) {
        for (i, segment) in template.iter().enumerate() {
            if !segment.starts_with('{') {
                continue;
            }
            let mut path = concrete.clone();
            let unknown = unknown_like(concrete[i]);
            path[i] = &unknown;
            out.push(Variant {
                what: format!(
                    "unknown {} {unknown} in the path",
                    segment.trim_matches(['{', '}'])
                ),
                request: Request {
                    path: path.join("/"),
                    ..request.clone()
                },
                expect: Expect::Exactly(404, ProblemKind::NotFound),
            });
        }
    }
    if let Some(body) = json_body(request) {
        let refusals: Vec<u16> = [404, 422]
            .into_iter()
            .filter(|s| op.problems.contains(s))
            .collect();
        // The registry's own identifiers; a certificate or project ID is the caller's free text.
        for (name, value) in body {
            let Some(valid) = value.as_str() else {
                continue;
            };
            if !name.ends_with("_id") || name == "certificate_id" || name == "project_id" {
                continue;
            }
            let mut bad = body.clone();
            let unknown = unknown_like(valid);
            bad.insert(name.clone(), json!(unknown));
            out.push(Variant {
                what: format!("unknown {name} {unknown}"),
                request: with_body(request, Body::Json(Value::Object(bad))),
                expect: Expect::OneOf(refusals.clone()),
            });
        }
    }
    out
}

/// Sends every bad variant `variants` makes of a fresh valid request for `op` as `actor`; each must
/// get its problem document and leave the world as it was; then the valid request must succeed.
async fn bad_input_for(
    ctx: &Ctx,
    world: &World,
    op: &'static spec::Operation,
    actor: Actor,
    variants: fn(&spec::Operation, &Request) -> Vec<Variant>,
) -> Result<Vec<String>, Failure> {
    let request = valid(ctx, world, op).await?;
    let variants = variants(op, &request);
    if variants.is_empty() {
        return Ok(Vec::new());
    }
    let mut found = Vec::new();
    let before = observe(ctx, world, Some(&request)).await?;
    for variant in &variants {
        let response = world.send(ctx, actor, &variant.request, None).await?;
        let verdict = match problem_document(&response) {
            Err(e) => Err(e),
            Ok(kind) => match &variant.expect {
                Expect::Exactly(status, expected)
                    if response.status == *status && kind == *expected =>
                {
                    Ok(())
                }
                Expect::Exactly(status, expected) => Err(format!(
                    "HTTP {} {}, expected {status} {}",
                    response.status,
                    kind.uri(),
                    expected.uri()
                )),
                Expect::OneOf(statuses) if statuses.contains(&response.status) => Ok(()),
                Expect::OneOf(statuses) => Err(format!(
                    "HTTP {} {}, expected one of the documented {statuses:?}",
                    response.status,
                    kind.uri()
                )),
            },
        };
        if let Err(e) = verdict {
            found.push(format!("{} as {}: {e}", variant.what, actor.label()));
        }
    }
    let after = observe(ctx, world, Some(&request)).await?;
    if let Some(difference) = before.difference(&after) {
        found.push(format!(
            "the refused requests changed something: {difference}"
        ));
    }
    if found.is_empty() && may_succeed_now(op) {
        // REQ-VALIDATION-003: an operation that declares no body accepts `{}` as an empty body.
        let request = match request.body {
            Body::None if op.problems.contains(&400) => {
                with_body(&request, Body::Text("{}".to_owned()))
            }
            _ => request,
        };
        succeed(ctx, world, op, actor, &request, None)
            .await
            .map_err(|f| f.context("after the refused requests"))?;
    }
    Ok(found)
}

async fn every_write_with(
    ctx: Ctx,
    variants: fn(&spec::Operation, &Request) -> Vec<Variant>,
) -> Result<(), Failure> {
    let world = World::build(&ctx).await?;
    let ops = writes(|_| true);
    over_operations(&ctx, &world, ops, |ctx, world, op, actor| {
        bad_input_for(ctx, world, op, actor, variants)
    })
    .await
}

async fn every_write_malformed(ctx: Ctx) -> Result<(), Failure> {
    every_write_with(ctx, malformed_variants).await
}

async fn every_write_wrong_types(ctx: Ctx) -> Result<(), Failure> {
    every_write_with(ctx, wrong_type_variants).await
}

async fn every_write_missing_fields(ctx: Ctx) -> Result<(), Failure> {
    every_write_with(ctx, missing_variants).await
}

async fn every_write_numbers(ctx: Ctx) -> Result<(), Failure> {
    every_write_with(ctx, number_variants).await
}

async fn every_write_unknown_ids(ctx: Ctx) -> Result<(), Failure> {
    every_write_with(ctx, unknown_id_variants).await
}

// ---- limits, unit selection, ignored input, sandbox set-up ---------------------------------------

/// One mebibyte, the least body limit an implementation may have.
const MIB: usize = 1 << 20;

async fn one_mebibyte_accepted(ctx: Ctx) -> Result<(), Failure> {
    let f = funded_shared(&ctx, 50).await?;
    let compact = valid_body(&f).to_string();
    let inner = compact
        .strip_suffix('}')
        .ok_or_else(|| Failure::new("a JSON object ends with }"))?;
    let padded = format!("{inner}{}}}", " ".repeat(MIB - compact.len()));
    debug_assert_eq!(padded.len(), MIB);
    let body = ctx
        .raw("initiate_transfer", Method::POST, "/v1/transfers")
        .bearer(f.source.initiator.token())
        .body_text(&padded)
        .send()
        .await?
        .expect_status(
            "initiate_transfer with a body of exactly 1 MiB (JSON whitespace padding)",
            201,
        )?;
    let transfer_id = body
        .get("transfer_id")
        .and_then(Value::as_str)
        .ok_or_else(|| {
            Failure::new(format!("initiate_transfer answered no transfer_id: {body}"))
        })?;
    let pending: u64 = ctx
        .holdings(&f.source.initiator.client, &f.source.account_id)
        .await?
        .iter()
        .filter(|b| b.transaction_id.as_deref() == Some(transfer_id))
        .map(|b| b.quantity)
        .sum();
    ensure!(
        pending == 10,
        "after the 1 MiB transfer of 10 ACCU: {pending} units are pending in it, expected 10"
    );
    Ok(())
}

/// The serials of `blocks` in `status`, ascending.
fn serials_in(blocks: &[ucr_sdk::types::UnitBlock], status: BlockStatus) -> Vec<u64> {
    let mut serials: Vec<u64> = blocks
        .iter()
        .filter(|b| b.status == status)
        .flat_map(|b| b.serial_start..=b.serial_end)
        .collect();
    serials.sort_unstable();
    serials
}

async fn quantity_takes_lowest_serials(ctx: Ctx) -> Result<(), Failure> {
    let f = funded(&ctx, 10).await?;
    let other = ctx
        .issue(
            &f.source.account_id,
            10,
            &Attrs {
                vintage: "2021-22".into(),
                ..Attrs::accu()
            },
        )
        .await?;
    let smc = ctx.issue(&f.source.account_id, 5, &Attrs::smc()).await?;
    let (src, dst) = (f.source.account_id.as_str(), f.dest.account_id.as_str());
    // Lock the lowest ACCU serial by serial, so selection by quantity must skip it.
    let lowest = f.block.serial_start.min(other.serial_start);
    initiate(
        &f.source.initiator.client,
        by_serials(src, dst, "ACCU", &[(lowest, lowest)]),
        "initiate_transfer of the lowest ACCU serial",
    )
    .await?;
    let mut available: Vec<u64> = (f.block.serial_start..=f.block.serial_end)
        .chain(other.serial_start..=other.serial_end)
        .filter(|s| *s != lowest)
        .collect();
    available.sort_unstable();
    let before = serials_in(
        &ctx.holdings(&f.source.initiator.client, src).await?,
        BlockStatus::Pending,
    );
    initiate(
        &f.source.initiator.client,
        by_quantity(src, dst, "ACCU", 12),
        "initiate_transfer of 12 ACCU by quantity across two vintages",
    )
    .await?;
    let after = serials_in(
        &ctx.holdings(&f.source.initiator.client, src).await?,
        BlockStatus::Pending,
    );
    let taken: Vec<u64> = after.into_iter().filter(|s| !before.contains(s)).collect();
    let expected: Vec<u64> = available[..12].to_vec();
    ensure!(
        taken == expected,
        "12 ACCU by quantity took serials {taken:?}; the 12 lowest available ACCU serials \
         across both vintages are {expected:?} (REQ-VALIDATION-008; SMC {}..={} must not be taken)",
        smc.serial_start,
        smc.serial_end
    );
    Ok(())
}

/// A fresh sandbox operator token, from a raw `create_operator_session` with `body` (if any).
async fn operator_session(ctx: &Ctx, body: Option<&str>) -> Result<String, Failure> {
    ctx.operator("open an operator session")?;
    let request = ctx
        .raw(
            "create_operator_session",
            Method::POST,
            "/v1/sandbox/operator-sessions",
        )
        .no_idempotency_key();
    let request = match body {
        Some(body) => request.body_text(body),
        None => request,
    };
    let session = request.send().await?.expect_status(
        &format!(
            "create_operator_session{}",
            if body.is_some() {
                " with a body it must ignore"
            } else {
                ""
            }
        ),
        201,
    )?;
    session
        .get("token")
        .and_then(Value::as_str)
        .map(str::to_owned)
        .ok_or_else(|| {
            Failure::new(format!(
                "create_operator_session answered no token: {session}"
            ))
        })
}

async fn bodies_and_queries_ignored(ctx: Ctx) -> Result<(), Failure> {
    let f = funded_shared(&ctx, 50).await?;
    // REQ-VALIDATION-010: no body and no 400 declared: any body is ignored.
    operator_session(&ctx, Some(r#"{"colour": "blue""#)).await?;
    let platform = ctx.trading_platform().await?;
    let (url, _) = ctx.webhook_url();
    let created = ctx
        .raw(
            "create_webhook_subscription",
            Method::POST,
            "/v1/webhook-subscriptions",
        )
        .bearer(platform.token())
        .json(&json!({"url": url, "event_types": ["consent.revoked"]}))
        .send()
        .await?
        .expect_status("create_webhook_subscription", 201)?;
    let subscription_id = created
        .get("subscription_id")
        .and_then(Value::as_str)
        .ok_or_else(|| Failure::new(format!("no subscription_id in {created}")))?;
    let deleted = ctx
        .raw(
            "delete_webhook_subscription",
            Method::DELETE,
            &format!("/v1/webhook-subscriptions/{subscription_id}"),
        )
        .bearer(platform.token())
        .no_idempotency_key()
        .body_text("not json at all [")
        .send()
        .await?;
    ensure!(
        deleted.status == 200,
        "delete_webhook_subscription with a body it must ignore: expected HTTP 200, got HTTP {} {}",
        deleted.status,
        crate::text::snippet(&deleted.body, 200)
    );
    // REQ-VALIDATION-011: no query parameters declared: any query string is ignored.
    let transfer = initiate(
        &f.source.initiator.client,
        by_quantity(&f.source.account_id, &f.dest.account_id, "ACCU", 1),
        "initiate_transfer",
    )
    .await?;
    for (operation, path) in [
        (
            "get_account",
            format!("/v1/accounts/{}", f.source.account_id),
        ),
        (
            "get_transfer",
            format!("/v1/transfers/{}", transfer.transfer_id),
        ),
    ] {
        ctx.raw(operation, Method::GET, &path)
            .bearer(f.source.initiator.token())
            .query("colour", "blue")
            .query("limit", "0")
            .send()
            .await?
            .expect_status(
                &format!("{operation} with the query string ?colour=blue&limit=0 it must ignore"),
                200,
            )?;
    }
    Ok(())
}

async fn sandbox_setup_refusals(ctx: Ctx) -> Result<(), Failure> {
    // A fixture of its own: the check re-appoints its initiator.
    let f = funded(&ctx, 10).await?;
    let token = operator_session(&ctx, None).await?;
    let sandbox = |operation: &'static str, path: &str, body: Value| {
        ctx.raw(operation, Method::POST, path)
            .bearer(&token)
            .no_idempotency_key()
            .json(&body)
            .send()
    };
    // REQ-SANDBOX-002: a valid token that is not an operator's gets sandbox-unavailable.
    ctx.raw(
        "create_account_holder",
        Method::POST,
        "/v1/sandbox/account-holders",
    )
    .bearer(f.source.initiator.token())
    .no_idempotency_key()
    .json(&json!({"name": "ucr-conformance"}))
    .send()
    .await?
    .expect_problem(
        "create_account_holder with a representative's token",
        404,
        ProblemKind::SandboxUnavailable,
    )?;
    // REQ-SANDBOX-003
    let unknown_holder = unknown_like(&f.dest.holder.holder_id);
    let document = sandbox(
        "create_account",
        "/v1/sandbox/accounts",
        json!({"holder_id": unknown_holder, "name": "ucr-conformance", "kind": "holding"}),
    )
    .await?
    .expect_problem(
        &format!("create_account for holder {unknown_holder}, which does not exist"),
        422,
        ProblemKind::ValidationFailed,
    )?;
    let names_holder = document
        .get("invalid_params")
        .and_then(Value::as_array)
        .is_some_and(|p| {
            p.iter()
                .any(|e| e.get("name").and_then(Value::as_str) == Some("/holder_id"))
        });
    ensure!(
        names_holder,
        "create_account for an unknown holder: `invalid_params` does not name /holder_id: {document} (REQ-SANDBOX-003)"
    );
    // REQ-SANDBOX-004 and -007
    let unknown_account = unknown_like(&f.dest.account_id);
    let issuance = |account: &str| {
        json!({
            "account_id": account,
            "unit_type": "ACCU",
            "quantity": 5,
            "project_id": "ERF990001",
            "vintage": "2023-24",
            "method": "Human-induced regeneration of a permanent even-aged native forest",
            "kyoto_status": "NON_KYOTO",
            "state": "NSW",
        })
    };
    sandbox(
        "issue_units",
        "/v1/sandbox/issuances",
        issuance(&unknown_account),
    )
    .await?
    .expect_problem(
        &format!("issue_units into {unknown_account}, which does not exist"),
        422,
        ProblemKind::UnknownAccount,
    )?;
    let holdings_before = ctx
        .holdings(&f.dest.rep.client, &f.dest.account_id)
        .await?
        .len();
    for (what, change) in [
        ("SMC with a kyoto_status", ("unit_type", json!("SMC"))),
        ("a blank project_id", ("project_id", json!("  "))),
        ("a blank method", ("method", json!(""))),
        ("state \"XX\"", ("state", json!("XX"))),
    ] {
        let mut body = issuance(&f.dest.account_id);
        body[change.0] = change.1;
        sandbox("issue_units", "/v1/sandbox/issuances", body)
            .await?
            .expect_problem(
                &format!("issue_units of {what}"),
                422,
                ProblemKind::ValidationFailed,
            )?;
    }
    ensure!(
        ctx.holdings(&f.dest.rep.client, &f.dest.account_id)
            .await?
            .len()
            == holdings_before,
        "the refused issuances changed the account's holdings (REQ-CONV-006)"
    );
    // issued_on defaults to the registry clock's UTC date.
    let today = ctx.registry_now().await?.date_naive();
    let block = ctx.issue(&f.dest.account_id, 1, &Attrs::accu()).await?;
    let after = ctx.registry_now().await?.date_naive();
    ensure!(
        block.issued_on == today || block.issued_on == after,
        "issue_units without issued_on: issued_on is {}, expected the registry date {today} (REQ-SANDBOX-007)",
        block.issued_on
    );
    // REQ-SANDBOX-005
    let unknown_path = format!("/v1/sandbox/accounts/{unknown_account}/representatives");
    sandbox(
        "appoint_representative",
        &unknown_path,
        json!({"name": "ucr-conformance", "roles": ["initiator"]}),
    )
    .await?
    .expect_problem(
        "appoint_representative on an account that does not exist",
        404,
        ProblemKind::NotFound,
    )?;
    let path = format!("/v1/sandbox/accounts/{}/representatives", f.dest.account_id);
    sandbox(
        "appoint_representative",
        &path,
        json!({
            "name": "ucr-conformance",
            "roles": ["initiator"],
            "representative_id": unknown_like(&f.dest.rep.id),
        }),
    )
    .await?
    .expect_problem(
        "appoint_representative of a representative_id that names nobody",
        422,
        ProblemKind::ValidationFailed,
    )?;
    // Re-appointing the source's initiator as approver only replaces its roles there.
    let initiator = &f.source.initiator;
    let source_path = format!(
        "/v1/sandbox/accounts/{}/representatives",
        f.source.account_id
    );
    sandbox(
        "appoint_representative",
        &source_path,
        json!({
            "name": initiator.name,
            "roles": ["approver"],
            "representative_id": initiator.id,
        }),
    )
    .await?
    .expect_status(
        "appoint_representative of the account's initiator again, as approver only",
        201,
    )?;
    initiator
        .client
        .initiate_transfer()
        .body(by_quantity(&f.source.account_id, &f.dest.account_id, "ACCU", 1))
        .send()
        .await
        .expect_problem(
            "initiate_transfer by the representative re-appointed as approver only (REQ-SANDBOX-005)",
            403,
            ProblemKind::Forbidden,
        )?;
    // REQ-SANDBOX-006: a platform's representative is appointed only to its holder's accounts.
    let platform = ctx.trading_platform().await?;
    let platform_rep = ctx.platform_rep(&platform).await?;
    sandbox(
        "appoint_representative",
        &path,
        json!({
            "name": platform_rep.name,
            "roles": ["initiator"],
            "representative_id": platform_rep.id,
        }),
    )
    .await?
    .expect_problem(
        "appoint_representative of a platform's representative to another holder's account",
        422,
        ProblemKind::ValidationFailed,
    )?;
    let custodial = ctx
        .custodial_account(&platform, &[&[Role::Initiator]])
        .await?;
    sandbox(
        "appoint_representative",
        &format!(
            "/v1/sandbox/accounts/{}/representatives",
            custodial.account_id
        ),
        json!({
            "name": platform_rep.name,
            "roles": ["approver"],
            "representative_id": platform_rep.id,
        }),
    )
    .await?
    .expect_status(
        "appoint_representative of a platform's representative to its own holder's account",
        201,
    )?;
    Ok(())
}

async fn clock_advance_bounds(ctx: Ctx) -> Result<(), Failure> {
    let token = operator_session(&ctx, None).await?;
    let advance = |text: &str| {
        ctx.raw("advance_clock", Method::POST, "/v1/sandbox/clock/advance")
            .bearer(&token)
            .no_idempotency_key()
            .body_text(text)
            .send()
    };
    let before = ctx.registry_now().await?;
    for seconds in ["0", "31622401"] {
        advance(&format!(r#"{{"seconds": {seconds}}}"#))
            .await?
            .expect_problem(
                &format!("advance_clock by {seconds} s"),
                422,
                ProblemKind::ValidationFailed,
            )?;
    }
    for seconds in ["-1", "1.5"] {
        advance(&format!(r#"{{"seconds": {seconds}}}"#))
            .await?
            .expect_problem(
                &format!("advance_clock by {seconds} s"),
                400,
                ProblemKind::MalformedRequest,
            )?;
    }
    let refused = ctx.registry_now().await?;
    ensure!(
        refused >= before && refused - before < chrono::Duration::seconds(60),
        "the registry clock moved from {before} to {refused} across refused advances (REQ-CONV-002)"
    );
    advance(r#"{"seconds": 1}"#)
        .await?
        .expect_status("advance_clock by 1 s", 200)?;
    let after = ctx.registry_now().await?;
    ensure!(
        after - refused >= chrono::Duration::seconds(1)
            && after - refused < chrono::Duration::seconds(61),
        "advance_clock by 1 s moved the registry clock from {refused} to {after}; expected 1 s plus the time between the reads (REQ-SANDBOX-011, REQ-CONV-002)"
    );
    // A pending transfer expires at the first request once the clock reaches its expires_at,
    // though nothing looked at it in between (REQ-SANDBOX-011, REQ-CONV-003).
    let f = funded(&ctx, 5).await?;
    let transfer = initiate(
        &f.source.initiator.client,
        by_quantity(&f.source.account_id, &f.dest.account_id, "ACCU", 5),
        "initiate_transfer",
    )
    .await?;
    let now = ctx.registry_now().await?;
    let due = transfer.expires_at - now;
    let seconds = u64::try_from((due.num_milliseconds() + 999).div_euclid(1000))
        .unwrap_or(1)
        .max(1);
    advance(&format!(r#"{{"seconds": {seconds}}}"#))
        .await?
        .expect_status(
            &format!("advance_clock by {seconds} s, to the transfer's expires_at"),
            200,
        )?;
    let fetched = f
        .source
        .initiator
        .client
        .get_transfer()
        .transfer_id(&transfer.transfer_id)
        .send()
        .await
        .expect_ok("get_transfer once the registry clock reached its expires_at")?;
    ensure!(
        fetched.status == TransactionStatus::Expired,
        "get_transfer at or after its expires_at {}: status {:?}, expected expired (REQ-CONV-003, REQ-SANDBOX-011)",
        transfer.expires_at,
        fetched.status
    );
    Ok(())
}

async fn sandbox_left_out(ctx: Ctx) -> Result<(), Failure> {
    if ctx.capabilities().has(Feature::Sandbox) {
        // The sandbox is offered: its bootstrap needs no token (REQ-SANDBOX-002).
        operator_session(&ctx, None).await?;
        ctx.note(
            "the sandbox-unavailable assertions did not run: the target declares `sandbox`, so it \
             offers the sandbox operations",
        );
        return Ok(());
    }
    let unknown = format!("ucr-conformance-unknown-{}", uuid::Uuid::new_v4().simple());
    for (operation, method, path) in [
        (
            "create_operator_session",
            Method::POST,
            "/v1/sandbox/operator-sessions",
        ),
        (
            "create_account_holder",
            Method::POST,
            "/v1/sandbox/account-holders",
        ),
        ("create_account", Method::POST, "/v1/sandbox/accounts"),
        (
            "appoint_representative",
            Method::POST,
            "/v1/sandbox/accounts/AU-1000001/representatives",
        ),
        ("issue_units", Method::POST, "/v1/sandbox/issuances"),
        ("reset_sandbox", Method::POST, "/v1/sandbox/reset"),
        ("create_platform", Method::POST, "/v1/sandbox/platforms"),
        (
            "create_platform_representative",
            Method::POST,
            "/v1/sandbox/platforms/TP-000001/representatives",
        ),
        ("get_clock", Method::GET, "/v1/sandbox/clock"),
        ("advance_clock", Method::POST, "/v1/sandbox/clock/advance"),
    ] {
        for token in [None, Some(unknown.as_str())] {
            let request = ctx
                .raw(operation, method.clone(), path)
                .no_idempotency_key();
            let request = match token {
                Some(token) => request.bearer(token),
                None => request,
            };
            let request = if method == Method::POST {
                request.body_text("{}")
            } else {
                request
            };
            request.send().await?.expect_problem(
                &format!(
                    "{method} {path} {}",
                    if token.is_some() {
                        "with an unknown token"
                    } else {
                        "without a token"
                    }
                ),
                404,
                ProblemKind::SandboxUnavailable,
            )?;
        }
    }
    Ok(())
}
