//! The four-eyes rule and roles: who may initiate, approve, reject and rescind.

use ucr_sdk::ProblemKind;
use ucr_sdk::types::{RejectRequest, Role, TransactionStatus};

use super::WRITE;
use super::support::{approve, expect_status, get_transfer, initiate, initiate_cancellation};
use crate::assert::{SdkResultExt, assert_unchanged, ensure_eq, total};
use crate::check::Check;
use crate::ctx::{Attrs, Ctx, by_quantity, cancel_quantity};
use crate::outcome::Failure;

pub(super) const CHECKS: &[Check] = &[
    check! {
        id: "A1-APPROVAL-001",
        model: A1,
        seed: WRITE,
        operations: ["approve_transfer"],
        description: "On a two-representative account the initiator cannot approve its own transfer (403 second-approver-required); nothing changes",
        run: self_approval_refused,
        cites: ["REQ-APPROVAL-004"],
    },
    check! {
        id: "A1-APPROVAL-002",
        model: A1,
        seed: WRITE,
        operations: ["initiate_transfer", "approve_transfer"],
        description: "On a single-representative account the representative may approve its own transfer",
        run: single_rep_self_approves,
        cites: ["REQ-APPROVAL-004"],
    },
    check! {
        id: "A1-APPROVAL-003",
        model: A1,
        seed: WRITE,
        operations: ["approve_transfer", "reject_transfer"],
        description: "A representative without the approver role cannot approve or reject (403 forbidden); nothing changes",
        run: initiator_cannot_approve,
        cites: ["REQ-APPROVAL-002"],
    },
    check! {
        id: "A1-APPROVAL-004",
        model: A1,
        seed: WRITE,
        operations: ["initiate_transfer", "initiate_cancellation"],
        description: "A representative without the initiator role cannot initiate a transfer or cancellation (403 forbidden); nothing changes",
        run: approver_cannot_initiate,
        cites: ["REQ-APPROVAL-001"],
    },
    check! {
        id: "A1-APPROVAL-005",
        model: A1,
        seed: WRITE,
        operations: ["reject_transfer"],
        description: "On a two-representative account the initiator cannot reject its own transfer (403 second-approver-required)",
        run: self_rejection_refused,
        cites: ["REQ-APPROVAL-004"],
    },
    check! {
        id: "A1-APPROVAL-006",
        model: A1,
        seed: WRITE,
        operations: ["rescind_transfer"],
        description: "A representative without the initiator role cannot rescind (403 forbidden); the transfer stays pending",
        run: approver_cannot_rescind,
        cites: ["REQ-APPROVAL-003"],
    },
];

async fn self_approval_refused(ctx: Ctx) -> Result<(), Failure> {
    let (_, account_id, reps) = ctx
        .holder_with_reps(&[&[Role::Initiator, Role::Approver], &[Role::Approver]])
        .await?;
    let dest = ctx.holder_with_one_rep().await?;
    ctx.issue(&account_id, 60, &Attrs::accu()).await?;
    let (both, other) = (&reps[0], &reps[1]);
    let transfer = initiate(
        &both.client,
        by_quantity(&account_id, &dest.account_id, "ACCU", 20),
        "initiate_transfer",
    )
    .await?;
    let source_before = ctx.snapshot(&both.client, &account_id).await?;
    let dest_before = ctx.snapshot(&dest.rep.client, &dest.account_id).await?;
    both.client.approve_transfer().transfer_id(&transfer.transfer_id).send().await.expect_problem(
        "approve_transfer by its own initiator (who also holds the approver role) on a two-representative account",
        403,
        ProblemKind::SecondApproverRequired,
    )?;
    assert_unchanged(
        "after the refused self-approval",
        &source_before,
        &ctx.snapshot(&both.client, &account_id).await?,
    )?;
    assert_unchanged(
        "after the refused self-approval",
        &dest_before,
        &ctx.snapshot(&dest.rep.client, &dest.account_id).await?,
    )?;
    let fetched = get_transfer(&both.client, &transfer.transfer_id, "get_transfer").await?;
    expect_status(
        "get_transfer after the refused self-approval",
        TransactionStatus::PendingApproval,
        fetched.status,
    )?;
    let done = approve(
        &other.client,
        &transfer.transfer_id,
        "approve_transfer by the other representative",
    )
    .await?;
    expect_status(
        "approve_transfer by the other representative",
        TransactionStatus::Completed,
        done.status,
    )?;
    Ok(())
}

async fn single_rep_self_approves(ctx: Ctx) -> Result<(), Failure> {
    let party = ctx.holder_with_one_rep().await?;
    let dest = ctx.holder_with_one_rep().await?;
    ctx.issue(&party.account_id, 30, &Attrs::accu()).await?;
    let transfer = initiate(
        &party.rep.client,
        by_quantity(&party.account_id, &dest.account_id, "ACCU", 12),
        "initiate_transfer",
    )
    .await?;
    let done = approve(
        &party.rep.client,
        &transfer.transfer_id,
        "approve_transfer by the account's only representative",
    )
    .await?;
    expect_status(
        "approve_transfer by the only representative",
        TransactionStatus::Completed,
        done.status,
    )?;
    ensure_eq(
        "approve_transfer: decided_by",
        Some(party.rep.id.as_str()),
        done.decided_by.as_deref(),
    )?;
    let received = ctx.holdings(&dest.rep.client, &dest.account_id).await?;
    ensure_eq(
        "destination holdings: units received",
        12,
        total(&received, "ACCU", None),
    )?;
    Ok(())
}

async fn initiator_cannot_approve(ctx: Ctx) -> Result<(), Failure> {
    let (_, account_id, reps) = ctx
        .holder_with_reps(&[&[Role::Initiator], &[Role::Initiator], &[Role::Approver]])
        .await?;
    let dest = ctx.holder_with_one_rep().await?;
    ctx.issue(&account_id, 60, &Attrs::accu()).await?;
    let transfer = initiate(
        &reps[0].client,
        by_quantity(&account_id, &dest.account_id, "ACCU", 20),
        "initiate_transfer",
    )
    .await?;
    let before = ctx.snapshot(&reps[0].client, &account_id).await?;
    let other_initiator = &reps[1].client;
    other_initiator.approve_transfer().transfer_id(&transfer.transfer_id).send().await.expect_problem(
        "approve_transfer by a representative with only the initiator role (not the initiator of this transfer)",
        403,
        ProblemKind::Forbidden,
    )?;
    other_initiator
        .reject_transfer()
        .transfer_id(&transfer.transfer_id)
        .body(RejectRequest { reason: None })
        .send()
        .await
        .expect_problem(
            "reject_transfer by a representative with only the initiator role",
            403,
            ProblemKind::Forbidden,
        )?;
    assert_unchanged(
        "after the refused approval and rejection",
        &before,
        &ctx.snapshot(&reps[0].client, &account_id).await?,
    )?;
    let fetched = get_transfer(&reps[0].client, &transfer.transfer_id, "get_transfer").await?;
    expect_status(
        "get_transfer after the refused actions",
        TransactionStatus::PendingApproval,
        fetched.status,
    )?;
    Ok(())
}

async fn approver_cannot_initiate(ctx: Ctx) -> Result<(), Failure> {
    let fixture = ctx.holder_with_two_reps().await?;
    let dest = ctx.holder_with_one_rep().await?;
    ctx.issue(&fixture.account_id, 40, &Attrs::accu()).await?;
    let before = ctx
        .snapshot(&fixture.approver.client, &fixture.account_id)
        .await?;
    let dest_before = ctx.snapshot(&dest.rep.client, &dest.account_id).await?;
    fixture
        .approver
        .client
        .initiate_transfer()
        .body(by_quantity(
            &fixture.account_id,
            &dest.account_id,
            "ACCU",
            10,
        ))
        .send()
        .await
        .expect_problem(
            "initiate_transfer by a representative with only the approver role",
            403,
            ProblemKind::Forbidden,
        )?;
    fixture
        .approver
        .client
        .initiate_cancellation()
        .body(cancel_quantity(&fixture.account_id, "ACCU", 10))
        .send()
        .await
        .expect_problem(
            "initiate_cancellation by a representative with only the approver role",
            403,
            ProblemKind::Forbidden,
        )?;
    assert_unchanged(
        "after the refused initiations",
        &before,
        &ctx.snapshot(&fixture.approver.client, &fixture.account_id)
            .await?,
    )?;
    assert_unchanged(
        "after the refused initiations",
        &dest_before,
        &ctx.snapshot(&dest.rep.client, &dest.account_id).await?,
    )?;
    // The same requests from the initiator are accepted: the refusal was about the role.
    initiate_cancellation(
        &fixture.initiator.client,
        cancel_quantity(&fixture.account_id, "ACCU", 10),
        "initiate_cancellation by the initiator",
    )
    .await?;
    Ok(())
}

async fn self_rejection_refused(ctx: Ctx) -> Result<(), Failure> {
    let (_, account_id, reps) = ctx
        .holder_with_reps(&[&[Role::Initiator, Role::Approver], &[Role::Approver]])
        .await?;
    let dest = ctx.holder_with_one_rep().await?;
    ctx.issue(&account_id, 60, &Attrs::accu()).await?;
    let both = &reps[0];
    let transfer = initiate(
        &both.client,
        by_quantity(&account_id, &dest.account_id, "ACCU", 20),
        "initiate_transfer",
    )
    .await?;
    let before = ctx.snapshot(&both.client, &account_id).await?;
    both.client
        .reject_transfer()
        .transfer_id(&transfer.transfer_id)
        .body(RejectRequest { reason: None })
        .send()
        .await
        .expect_problem(
            "reject_transfer by its own initiator (who also holds the approver role) on a two-representative account",
            403,
            ProblemKind::SecondApproverRequired,
        )?;
    assert_unchanged(
        "after the refused self-rejection",
        &before,
        &ctx.snapshot(&both.client, &account_id).await?,
    )?;
    let fetched = get_transfer(&both.client, &transfer.transfer_id, "get_transfer").await?;
    expect_status(
        "get_transfer after the refused self-rejection",
        TransactionStatus::PendingApproval,
        fetched.status,
    )?;
    Ok(())
}

async fn approver_cannot_rescind(ctx: Ctx) -> Result<(), Failure> {
    let fixture = ctx.holder_with_two_reps().await?;
    let dest = ctx.holder_with_one_rep().await?;
    ctx.issue(&fixture.account_id, 40, &Attrs::accu()).await?;
    let transfer = initiate(
        &fixture.initiator.client,
        by_quantity(&fixture.account_id, &dest.account_id, "ACCU", 10),
        "initiate_transfer",
    )
    .await?;
    let before = ctx
        .snapshot(&fixture.initiator.client, &fixture.account_id)
        .await?;
    fixture
        .approver
        .client
        .rescind_transfer()
        .transfer_id(&transfer.transfer_id)
        .send()
        .await
        .expect_problem(
            "rescind_transfer by a representative with only the approver role",
            403,
            ProblemKind::Forbidden,
        )?;
    assert_unchanged(
        "after the refused rescission",
        &before,
        &ctx.snapshot(&fixture.initiator.client, &fixture.account_id)
            .await?,
    )?;
    let fetched = get_transfer(
        &fixture.initiator.client,
        &transfer.transfer_id,
        "get_transfer",
    )
    .await?;
    expect_status(
        "get_transfer after the refused rescission",
        TransactionStatus::PendingApproval,
        fetched.status,
    )?;
    Ok(())
}
