//! Write access: voluntary cancellation, its four-eyes rule, and cancelled units never moving.

use chrono::TimeDelta;
use ucr_sdk::ProblemKind;
use ucr_sdk::types::{BlockStatus, RejectRequest, Role, TransactionStatus};

use super::WRITE;
use super::support::{
    approve_cancellation, expect_restored, expect_status, funded, initiate_cancellation,
};
use crate::assert::{SdkResultExt, assert_unchanged, ensure_eq, ranges_of, serials};
use crate::check::Check;
use crate::ctx::{Attrs, Ctx, by_quantity, by_serials, cancel_quantity, cancel_serials};
use crate::ensure;
use crate::outcome::Failure;

pub(super) const CHECKS: &[Check] = &[
    check! {
        id: "A1-CANCEL-001",
        model: A1,
        seed: WRITE,
        operations: ["initiate_cancellation", "approve_cancellation", "get_cancellation", "list_holdings", "get_account"],
        description: "An approved cancellation leaves its units in holdings as cancelled blocks and counts them in balances.cancelled",
        run: cancel_and_approve,
        cites: ["REQ-CANCELLATION-001", "REQ-CANCELLATION-003", "REQ-CANCELLATION-004", "REQ-CANCELLATION-005", "REQ-CANCELLATION-007", "REQ-UNITS-004", "REQ-UNITS-006", "REQ-UNITS-007", "REQ-UNITS-010"],
    },
    check! {
        id: "A1-CANCEL-002",
        model: A1,
        seed: WRITE,
        operations: ["rescind_cancellation", "approve_cancellation", "get_cancellation"],
        description: "A rescinded cancellation returns its units to available and can no longer be approved (409 invalid-state)",
        run: rescind_cancellation,
        cites: ["REQ-CANCELLATION-001", "REQ-CANCELLATION-002", "REQ-CANCELLATION-003", "REQ-APPROVAL-005"],
    },
    check! {
        id: "A1-CANCEL-003",
        model: A1,
        seed: WRITE,
        operations: ["initiate_transfer"],
        description: "Cancelled units cannot be transferred by serial (409 units-locked); nothing changes",
        run: cancelled_units_locked,
        cites: ["REQ-UNITS-008", "REQ-UNITS-010", "REQ-CONV-006"],
    },
    check! {
        id: "A1-CANCEL-004",
        model: A1,
        seed: WRITE,
        operations: ["approve_cancellation"],
        description: "On a two-representative account the initiator cannot approve its own cancellation (403 second-approver-required)",
        run: cancellation_self_approval_refused,
        cites: ["REQ-APPROVAL-004"],
    },
    check! {
        id: "A1-CANCEL-005",
        model: A1,
        seed: WRITE,
        operations: ["initiate_transfer", "initiate_cancellation"],
        description: "Cancelled units are never chosen by quantity: with only cancelled units left, requests answer 409 insufficient-units",
        run: cancelled_units_not_counted,
        cites: ["REQ-UNITS-008", "REQ-UNITS-011"],
    },
    check! {
        id: "A1-CANCEL-006",
        model: A1,
        seed: WRITE,
        operations: ["reject_cancellation", "get_cancellation", "list_holdings"],
        description: "An approver rejects a pending cancellation: rejected with decided_by and rejection_reason, its units available again; an initiator-only representative gets 403 forbidden, the initiator holding both roles 403 second-approver-required, a second rejection 409",
        run: reject_cancellation,
        cites: ["REQ-CANCELLATION-001", "REQ-CANCELLATION-002", "REQ-CANCELLATION-008", "REQ-APPROVAL-004"],
    },
];

async fn reject(
    client: &ucr_sdk::Client,
    cancellation_id: &str,
    reason: Option<&str>,
) -> Result<ucr_sdk::ResponseValue<ucr_sdk::types::Cancellation>, ucr_sdk::ApiError> {
    client
        .reject_cancellation()
        .cancellation_id(cancellation_id)
        .body(RejectRequest {
            reason: reason.and_then(|r| r.parse().ok()),
        })
        .send()
        .await
}

async fn reject_cancellation(ctx: Ctx) -> Result<(), Failure> {
    let (_, account_id, reps) = ctx
        .holder_with_reps(&[
            &[Role::Initiator, Role::Approver],
            &[Role::Approver],
            &[Role::Initiator],
        ])
        .await?;
    ctx.issue(&account_id, 30, &Attrs::accu()).await?;
    let (both, approver, initiator) = (&reps[0], &reps[1], &reps[2]);
    let before = ctx.snapshot(&approver.client, &account_id).await?;
    let pending = initiate_cancellation(
        &both.client,
        cancel_quantity(&account_id, "ACCU", 12),
        "initiate_cancellation",
    )
    .await?;
    let id = pending.cancellation_id.as_str();
    let locked = ctx.snapshot(&approver.client, &account_id).await?;
    reject(&initiator.client, id, None)
        .await
        .expect_problem(
            "reject_cancellation by a representative with only the initiator role",
            403,
            ProblemKind::Forbidden,
        )
        .map_err(|f| f.violates("REQ-CANCELLATION-008"))?;
    reject(&both.client, id, None)
        .await
        .expect_problem(
            "reject_cancellation by its own initiator (who also holds the approver role) on a three-representative account",
            403,
            ProblemKind::SecondApproverRequired,
        )
        .map_err(|f| f.violates("REQ-CANCELLATION-008"))?;
    assert_unchanged(
        "after the refused rejections",
        &locked,
        &ctx.snapshot(&approver.client, &account_id).await?,
    )?;
    let rejected = reject(&approver.client, id, Some("Offset claim withdrawn"))
        .await
        .expect_ok("reject_cancellation by a second approver")?;
    expect_status(
        "reject_cancellation",
        TransactionStatus::Rejected,
        rejected.status,
    )
    .map_err(|f| f.violates("REQ-CANCELLATION-008"))?;
    ensure_eq(
        "reject_cancellation: (decided_by, rejection_reason)",
        (Some(approver.id.as_str()), Some("Offset claim withdrawn")),
        (
            rejected.decided_by.as_deref(),
            rejected.rejection_reason.as_deref(),
        ),
    )
    .map_err(|f| f.violates("REQ-CANCELLATION-008"))?;
    ensure!(
        rejected.decided_at.is_some(),
        "reject_cancellation: decided_at must be set"
    );
    expect_restored(
        &ctx,
        &approver.client,
        &account_id,
        &before,
        "holdings after the rejection",
    )
    .await?;
    let after = ctx.snapshot(&approver.client, &account_id).await?;
    reject(&approver.client, id, None)
        .await
        .expect_problem(
            "reject_cancellation of a rejected cancellation",
            409,
            ProblemKind::InvalidState,
        )
        .map_err(|f| f.violates("REQ-CANCELLATION-002"))?;
    assert_unchanged(
        "after the refused second rejection",
        &after,
        &ctx.snapshot(&approver.client, &account_id).await?,
    )?;
    let fetched = approver
        .client
        .get_cancellation()
        .cancellation_id(&pending.cancellation_id)
        .send()
        .await
        .expect_ok("get_cancellation")?;
    ensure_eq("get_cancellation after the rejection", &rejected, &fetched)
}

async fn cancel_and_approve(ctx: Ctx) -> Result<(), Failure> {
    let f = funded(&ctx, 100).await?;
    let (s, e) = (f.block.serial_start, f.block.serial_end);
    let account_id = f.source.account_id.as_str();
    let mut request = cancel_quantity(account_id, "ACCU", 25);
    request.reason = "Offset of FY2025-26 scope 1 emissions".parse().ok();
    let pending = initiate_cancellation(
        &f.source.initiator.client,
        request,
        "initiate_cancellation of 25 ACCU",
    )
    .await?;
    expect_status(
        "initiate_cancellation",
        TransactionStatus::PendingApproval,
        pending.status,
    )?;
    ensure_eq(
        "initiate_cancellation: (account_id, unit_type, quantity)",
        (account_id, "ACCU", 25),
        (
            pending.account_id.as_str(),
            pending.unit_type.as_str(),
            pending.quantity,
        ),
    )?;
    ensure_eq(
        "initiate_cancellation: serial_ranges (lowest serials first)",
        vec![(s, s + 24)],
        ranges_of(&pending.serial_ranges),
    )?;
    ensure_eq(
        "initiate_cancellation: initiated_by",
        f.source.initiator.id.as_str(),
        pending.initiated_by.as_str(),
    )?;
    ensure_eq(
        "initiate_cancellation: reason",
        Some("Offset of FY2025-26 scope 1 emissions"),
        pending.reason.as_deref(),
    )?;
    let window = pending.expires_at - pending.initiated_at;
    ensure!(
        window == TimeDelta::days(7),
        "initiate_cancellation: a cancellation expires exactly 7 days after initiation (REQ-CANCELLATION-004), but expires_at - initiated_at is {window}"
    );
    let holdings = ctx.holdings(&f.source.initiator.client, account_id).await?;
    ensure_eq(
        "holdings while pending: pending serials",
        vec![(s, s + 24)],
        serials(&holdings, "ACCU", Some(BlockStatus::Pending)),
    )?;
    for block in holdings.iter().filter(|b| b.status == BlockStatus::Pending) {
        ensure_eq(
            &format!(
                "holdings while pending: transaction_id of block {}",
                block.block_id
            ),
            Some(pending.cancellation_id.as_str()),
            block.transaction_id.as_deref(),
        )?;
    }

    let done = approve_cancellation(
        &f.source.approver.client,
        &pending.cancellation_id,
        "approve_cancellation by the second representative",
    )
    .await?;
    expect_status(
        "approve_cancellation",
        TransactionStatus::Completed,
        done.status,
    )?;
    ensure_eq(
        "approve_cancellation: decided_by",
        Some(f.source.approver.id.as_str()),
        done.decided_by.as_deref(),
    )?;

    let holdings = ctx.holdings(&f.source.initiator.client, account_id).await?;
    ensure_eq(
        "holdings after approval: cancelled serials (cancelled blocks stay in the account)",
        vec![(s, s + 24)],
        serials(&holdings, "ACCU", Some(BlockStatus::Cancelled)),
    )?;
    ensure_eq(
        "holdings after approval: available serials",
        vec![(s + 25, e)],
        serials(&holdings, "ACCU", Some(BlockStatus::Available)),
    )?;
    ensure_eq(
        "holdings after approval: pending serials",
        Vec::<(u64, u64)>::new(),
        serials(&holdings, "ACCU", Some(BlockStatus::Pending)),
    )?;
    // REQ-UNITS-004: only a pending block names a transaction.
    if let Some(block) = holdings.iter().find(|b| b.transaction_id.is_some()) {
        return Err(Failure::new(format!(
            "holdings after approval: {} block {} carries transaction_id {:?}, which only a pending block may",
            block.status, block.block_id, block.transaction_id
        )));
    }

    let account = f
        .source
        .initiator
        .client
        .get_account()
        .account_id(account_id)
        .send()
        .await
        .expect_ok("get_account")?;
    let balance = account.balances.iter().find(|b| b.unit_type == "ACCU");
    ensure_eq(
        "get_account: ACCU (available, pending, cancelled) after the cancellation",
        Some((75, 0, 25)),
        balance.map(|b| (b.available, b.pending, b.cancelled)),
    )?;
    let fetched = f
        .source
        .initiator
        .client
        .get_cancellation()
        .cancellation_id(&pending.cancellation_id)
        .send()
        .await
        .expect_ok("get_cancellation")?;
    ensure_eq(
        "get_cancellation: the cancellation as approve_cancellation answered it",
        &done,
        &fetched,
    )?;
    Ok(())
}

async fn rescind_cancellation(ctx: Ctx) -> Result<(), Failure> {
    let f = funded(&ctx, 60).await?;
    let account_id = f.source.account_id.as_str();
    let before = ctx.snapshot(&f.source.initiator.client, account_id).await?;
    let pending = initiate_cancellation(
        &f.source.initiator.client,
        cancel_quantity(account_id, "ACCU", 20),
        "initiate_cancellation",
    )
    .await?;
    let rescinded = f
        .source
        .initiator
        .client
        .rescind_cancellation()
        .cancellation_id(&pending.cancellation_id)
        .send()
        .await
        .expect_ok("rescind_cancellation by the initiator")?;
    expect_status(
        "rescind_cancellation",
        TransactionStatus::Rescinded,
        rescinded.status,
    )?;
    expect_restored(
        &ctx,
        &f.source.initiator.client,
        account_id,
        &before,
        "holdings after rescission",
    )
    .await?;

    let after = ctx.snapshot(&f.source.initiator.client, account_id).await?;
    f.source
        .approver
        .client
        .approve_cancellation()
        .cancellation_id(&pending.cancellation_id)
        .send()
        .await
        .expect_problem(
            "approve_cancellation of a rescinded cancellation",
            409,
            ProblemKind::InvalidState,
        )?;
    assert_unchanged(
        "after the refused approval",
        &after,
        &ctx.snapshot(&f.source.initiator.client, account_id).await?,
    )?;
    let fetched = f
        .source
        .approver
        .client
        .get_cancellation()
        .cancellation_id(&pending.cancellation_id)
        .send()
        .await
        .expect_ok("get_cancellation")?;
    expect_status(
        "get_cancellation after rescission",
        TransactionStatus::Rescinded,
        fetched.status,
    )?;
    Ok(())
}

async fn cancelled_units_locked(ctx: Ctx) -> Result<(), Failure> {
    let f = funded(&ctx, 50).await?;
    let s = f.block.serial_start;
    let account_id = f.source.account_id.as_str();
    let pending = initiate_cancellation(
        &f.source.initiator.client,
        cancel_serials(account_id, "ACCU", &[(s, s + 9)]),
        "initiate_cancellation of 10 serials",
    )
    .await?;
    approve_cancellation(
        &f.source.approver.client,
        &pending.cancellation_id,
        "approve_cancellation",
    )
    .await?;
    let before = ctx.snapshot(&f.source.initiator.client, account_id).await?;
    let dest_before = ctx.snapshot(&f.dest.rep.client, &f.dest.account_id).await?;
    for range in [(s, s + 9), (s + 5, s + 14)] {
        f.source
            .initiator
            .client
            .initiate_transfer()
            .body(by_serials(account_id, &f.dest.account_id, "ACCU", &[range]))
            .send()
            .await
            .expect_problem(
                &format!(
                    "initiate_transfer of serials {}..={} (some or all cancelled)",
                    range.0, range.1
                ),
                409,
                ProblemKind::UnitsLocked,
            )?;
    }
    assert_unchanged(
        "after the refused transfers",
        &before,
        &ctx.snapshot(&f.source.initiator.client, account_id).await?,
    )?;
    assert_unchanged(
        "after the refused transfers",
        &dest_before,
        &ctx.snapshot(&f.dest.rep.client, &f.dest.account_id).await?,
    )?;
    Ok(())
}

async fn cancellation_self_approval_refused(ctx: Ctx) -> Result<(), Failure> {
    let (_, account_id, reps) = ctx
        .holder_with_reps(&[&[Role::Initiator, Role::Approver], &[Role::Approver]])
        .await?;
    ctx.issue(&account_id, 40, &Attrs::accu()).await?;
    let both = &reps[0];
    let pending = initiate_cancellation(
        &both.client,
        cancel_quantity(&account_id, "ACCU", 10),
        "initiate_cancellation",
    )
    .await?;
    let before = ctx.snapshot(&both.client, &account_id).await?;
    both.client.approve_cancellation().cancellation_id(&pending.cancellation_id).send().await.expect_problem(
        "approve_cancellation by its own initiator (who also holds the approver role) on a two-representative account",
        403,
        ProblemKind::SecondApproverRequired,
    )?;
    assert_unchanged(
        "after the refused self-approval",
        &before,
        &ctx.snapshot(&both.client, &account_id).await?,
    )?;
    let fetched = both
        .client
        .get_cancellation()
        .cancellation_id(&pending.cancellation_id)
        .send()
        .await
        .expect_ok("get_cancellation")?;
    expect_status(
        "get_cancellation after the refused self-approval",
        TransactionStatus::PendingApproval,
        fetched.status,
    )?;
    let done = approve_cancellation(
        &reps[1].client,
        &pending.cancellation_id,
        "approve_cancellation by the other representative",
    )
    .await?;
    expect_status(
        "approve_cancellation by the other representative",
        TransactionStatus::Completed,
        done.status,
    )?;
    Ok(())
}

async fn cancelled_units_not_counted(ctx: Ctx) -> Result<(), Failure> {
    let f = funded(&ctx, 30).await?;
    let account_id = f.source.account_id.as_str();
    let pending = initiate_cancellation(
        &f.source.initiator.client,
        cancel_quantity(account_id, "ACCU", 30),
        "initiate_cancellation of every unit",
    )
    .await?;
    approve_cancellation(
        &f.source.approver.client,
        &pending.cancellation_id,
        "approve_cancellation",
    )
    .await?;
    let before = ctx.snapshot(&f.source.initiator.client, account_id).await?;
    f.source
        .initiator
        .client
        .initiate_transfer()
        .body(by_quantity(account_id, &f.dest.account_id, "ACCU", 1))
        .send()
        .await
        .expect_problem(
            "initiate_transfer of 1 ACCU when every unit is cancelled",
            409,
            ProblemKind::InsufficientUnits,
        )?;
    f.source
        .initiator
        .client
        .initiate_cancellation()
        .body(cancel_quantity(account_id, "ACCU", 1))
        .send()
        .await
        .expect_problem(
            "initiate_cancellation of 1 ACCU when every unit is cancelled",
            409,
            ProblemKind::InsufficientUnits,
        )?;
    assert_unchanged(
        "after the refused requests",
        &before,
        &ctx.snapshot(&f.source.initiator.client, account_id).await?,
    )?;
    Ok(())
}
