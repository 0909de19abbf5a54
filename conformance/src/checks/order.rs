//! The order of checks: which refusal wins when a request would be refused for several reasons.

use reqwest::Method;
use serde_json::json;
use ucr_sdk::ProblemKind;
use ucr_sdk::types::{Role, TransactionStatus};

use super::WRITE;
use super::support::{expect_status, get_transfer, initiate, rescind};
use crate::assert::{SdkResultExt, assert_unchanged, expect_problem_of};
use crate::capability::Feature;
use crate::check::Check;
use crate::ctx::{Attrs, Ctx, by_quantity};
use crate::ensure;
use crate::outcome::Failure;

pub(super) const CHECKS: &[Check] = &[
    check! {
        id: "A1-ORDER-001",
        model: A1,
        seed: WRITE,
        operations: ["initiate_transfer"],
        description: "Before authentication: an unknown path answers 404 not-found and a known path with an unsupported method 405 with Allow; then 401 before any body check; then the Idempotency-Key before the body",
        run: before_the_body,
        cites: ["REQ-ORDER-001", "REQ-ORDER-003", "REQ-ORDER-004"],
    },
    check! {
        id: "A1-ORDER-002",
        model: A1,
        seed: WRITE,
        operations: ["initiate_transfer", "approve_transfer"],
        description: "Refusals never disclose hidden state: a malformed body about a hidden account is 400, a hidden account 404 before 409/422, 403 forbidden before 409; self-approving a rescinded transfer may be 403 second-approver-required or 409; nothing changes",
        run: hidden_state_first,
        cites: ["REQ-ORDER-005", "REQ-ORDER-006", "REQ-ORDER-007", "REQ-CONV-006"],
    },
    check! {
        id: "A1-ORDER-003",
        model: A1,
        seed: WRITE,
        operations: ["create_operator_session", "get_clock"],
        description: "Where the sandbox is not offered, /v1/sandbox paths answer 404 sandbox-unavailable before authentication; where it is, 401 without a token",
        run: sandbox_absent_first,
        // It runs where the sandbox is absent too: that is the case it checks.
        requires: [],
        cites: ["REQ-ORDER-002", "REQ-SANDBOX-002"],
    },
];

/// 404 and 405 before authentication, 401 before the body, the key before the body.
async fn before_the_body(ctx: Ctx) -> Result<(), Failure> {
    let party = ctx.holder_with_one_rep().await?;
    let unknown = ctx
        .raw("unknown", Method::GET, "/v1/no-such-resource")
        .send()
        .await?;
    unknown.expect_problem(
        "GET /v1/no-such-resource without a token",
        404,
        ProblemKind::NotFound,
    )?;
    for token in [None, Some("not-a-token")] {
        let mut request = ctx.raw("initiate_transfer", Method::DELETE, "/v1/transfers");
        if let Some(token) = token {
            request = request.bearer(token);
        }
        let what = format!(
            "DELETE /v1/transfers (POST only) {}",
            if token.is_some() {
                "with an unknown token"
            } else {
                "without a token"
            }
        );
        let response = request.send().await?;
        response.expect_problem(&what, 405, ProblemKind::MethodNotAllowed)?;
        let allow = response.header("allow").unwrap_or_default().to_owned();
        ensure!(
            allow
                .split(',')
                .any(|m| m.trim().eq_ignore_ascii_case("POST")),
            "{what}: the Allow header is {allow:?}, which does not name POST"
        );
    }
    ctx.raw("initiate_transfer", Method::POST, "/v1/transfers")
        .no_idempotency_key()
        .body_text("{not json")
        .send()
        .await?
        .expect_problem(
            "POST /v1/transfers without a token, without Idempotency-Key and with a malformed body",
            401,
            ProblemKind::Unauthenticated,
        )?;
    ctx.raw("initiate_transfer", Method::POST, "/v1/transfers")
        .bearer(party.rep.token())
        .no_idempotency_key()
        .body_text("{not json")
        .send()
        .await?
        .expect_problem(
            "POST /v1/transfers without Idempotency-Key and with a malformed body",
            400,
            ProblemKind::IdempotencyKeyRequired,
        )?;
    Ok(())
}

/// The refusals that protect hidden state come first; among 403 second-approver-required, 409
/// and 422 any may win.
async fn hidden_state_first(ctx: Ctx) -> Result<(), Failure> {
    let (_, account_id, reps) = ctx
        .holder_with_reps(&[&[Role::Initiator, Role::Approver], &[Role::Approver]])
        .await?;
    let (both, approver) = (&reps[0], &reps[1]);
    let foreign = ctx.holder_with_one_rep().await?;
    ctx.issue(&account_id, 20, &Attrs::accu()).await?;
    ctx.issue(&foreign.account_id, 20, &Attrs::accu()).await?;
    let own_before = ctx.snapshot(&both.client, &account_id).await?;
    let foreign_before = ctx
        .snapshot(&foreign.rep.client, &foreign.account_id)
        .await?;

    // REQ-ORDER-005: syntax first, even about an account the caller cannot see.
    ctx.raw("initiate_transfer", Method::POST, "/v1/transfers")
        .bearer(both.token())
        .json(
            &json!({"from_account_id": foreign.account_id, "to_account_id": account_id,
                      "unit_type": "ACCU", "quantity": 1, "no_such_member": true}),
        )
        .send()
        .await?
        .expect_problem(
            "initiate_transfer from a hidden account with an unknown body member",
            400,
            ProblemKind::MalformedRequest,
        )?;
    // REQ-ORDER-006: the hidden account wins over what is wrong with the request.
    for (what, to, quantity) in [
        ("more units than it holds", account_id.as_str(), 1_000_000),
        ("itself as destination", foreign.account_id.as_str(), 1),
    ] {
        both.client
            .initiate_transfer()
            .body(by_quantity(&foreign.account_id, to, "ACCU", quantity))
            .send()
            .await
            .expect_problem(
                &format!("initiate_transfer from a hidden account with {what}"),
                404,
                ProblemKind::NotFound,
            )?;
    }
    // REQ-ORDER-006: 403 forbidden before 409.
    approver
        .client
        .initiate_transfer()
        .body(by_quantity(
            &account_id,
            &foreign.account_id,
            "ACCU",
            1_000_000,
        ))
        .send()
        .await
        .expect_problem(
            "initiate_transfer of more units than held, by a representative without the initiator role",
            403,
            ProblemKind::Forbidden,
        )?;
    assert_unchanged(
        "the hidden account after the refused requests",
        &foreign_before,
        &ctx.snapshot(&foreign.rep.client, &foreign.account_id)
            .await?,
    )?;
    // REQ-ORDER-007: self-approval (four eyes) of a rescinded transfer (invalid state): either.
    let transfer = initiate(
        &both.client,
        by_quantity(&account_id, &foreign.account_id, "ACCU", 5),
        "initiate_transfer",
    )
    .await?;
    rescind(
        &both.client,
        &transfer.transfer_id,
        "rescind_transfer by its initiator",
    )
    .await?;
    let own_rescinded = ctx.snapshot(&both.client, &account_id).await?;
    expect_problem_of(
        "approve_transfer of its own rescinded transfer on a two-representative account",
        both.client
            .approve_transfer()
            .transfer_id(&transfer.transfer_id)
            .send()
            .await,
        &[
            (403, ProblemKind::SecondApproverRequired),
            (409, ProblemKind::InvalidState),
        ],
    )?;
    let fetched = get_transfer(&both.client, &transfer.transfer_id, "get_transfer").await?;
    expect_status(
        "the transfer after the refused approval",
        TransactionStatus::Rescinded,
        fetched.status,
    )?;
    assert_unchanged(
        "the own account after the refused approval",
        &own_rescinded,
        &ctx.snapshot(&both.client, &account_id).await?,
    )?;
    ensure!(
        own_before.holdings == own_rescinded.holdings,
        "the own account's holdings changed through refused requests and a rescinded transfer"
    );
    Ok(())
}

/// Where the sandbox is not offered its paths answer `404 sandbox-unavailable` before
/// authentication; where it is, they answer `401` without a token (REQ-SANDBOX-002) and the
/// check notes that REQ-ORDER-002's case did not run.
async fn sandbox_absent_first(ctx: Ctx) -> Result<(), Failure> {
    if ctx.capabilities().has(Feature::Sandbox) {
        ctx.raw("get_clock", Method::GET, "/v1/sandbox/clock")
            .send()
            .await?
            .expect_problem(
                "GET /v1/sandbox/clock without a token, where the sandbox is offered",
                401,
                ProblemKind::Unauthenticated,
            )?;
        ctx.note(
            "the sandbox is offered here, so REQ-ORDER-002 (404 sandbox-unavailable before authentication) was not probed",
        );
        return Ok(());
    }
    for (operation, method, path) in [
        (
            "create_operator_session",
            Method::POST,
            "/v1/sandbox/operator-sessions",
        ),
        ("get_clock", Method::GET, "/v1/sandbox/clock"),
    ] {
        ctx.raw(operation, method.clone(), path)
            .send()
            .await?
            .expect_problem(
                &format!("{method} {path} without a token, where the sandbox is not offered"),
                404,
                ProblemKind::SandboxUnavailable,
            )?;
    }
    Ok(())
}
