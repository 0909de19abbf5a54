//! Write access: the transfer lifecycle (initiate, approve, reject, rescind) and unit selection.

use chrono::TimeDelta;
use ucr_sdk::ProblemKind;
use ucr_sdk::types::{BlockStatus, RejectRequest, Role, TransactionStatus, Transfer, UnitBlock};

use super::support::{
    Funded, all_available, approve, by_reservation, expect_restored, expect_status, fleeting,
    funded, get_transfer, initiate, initiate_cancellation, release, rescind,
};
use super::{B4, WRITE};
use crate::assert::{
    SdkResultExt, assert_unchanged, ensure_eq, normalize, ranges_of, serials, total,
};
use crate::check::Check;
use crate::ctx::{Attrs, Ctx, by_quantity, by_serials, cancel_quantity};
use crate::ensure;
use crate::outcome::Failure;

pub(super) const CHECKS: &[Check] = &[
    check! {
        id: "A1-TRANSFER-001",
        model: A1,
        seed: WRITE,
        operations: ["initiate_transfer", "get_transfer", "list_holdings", "get_account"],
        description: "A transfer by quantity is pending_approval, takes the lowest serials, makes them pending and expires exactly 7 days after initiation",
        run: initiate_by_quantity,
        cites: ["REQ-TRANSFER-001", "REQ-TRANSFER-003", "REQ-TRANSFER-004", "REQ-TRANSFER-006", "REQ-TRANSFER-010", "REQ-UNITS-004", "REQ-UNITS-006", "REQ-VALIDATION-008"],
    },
    check! {
        id: "A1-TRANSFER-002",
        model: A1,
        seed: WRITE,
        operations: ["approve_transfer", "list_holdings"],
        description: "Approval by a second representative completes the transfer: the source block splits, the destination holds the units with their serials and attributes",
        run: approve_moves_units,
        cites: ["REQ-TRANSFER-001", "REQ-TRANSFER-003", "REQ-TRANSFER-005", "REQ-TRANSFER-010", "REQ-UNITS-009"],
    },
    check! {
        id: "A1-TRANSFER-003",
        model: A1,
        seed: WRITE,
        operations: ["initiate_transfer", "approve_transfer", "list_holdings"],
        description: "A transfer of a serial range in the middle of a block splits it three ways, pending and after approval",
        run: middle_serial_range,
        cites: ["REQ-TRANSFER-003", "REQ-TRANSFER-010", "REQ-UNITS-002", "REQ-UNITS-009"],
    },
    check! {
        id: "A1-TRANSFER-004",
        model: A1,
        seed: WRITE,
        operations: ["get_transfer", "approve_transfer", "reject_transfer", "rescind_transfer"],
        description: "The destination account's representative can read the transfer, pending and completed, but approve, reject and rescind answer it 403 forbidden and change nothing",
        run: visible_to_destination,
        cites: ["REQ-ACCESS-005", "REQ-TRANSFER-010", "REQ-APPROVAL-002", "REQ-APPROVAL-003"],
    },
    check! {
        id: "A1-TRANSFER-005",
        model: A1,
        seed: WRITE,
        operations: ["reject_transfer", "get_transfer", "list_holdings"],
        description: "Rejection by an approver makes the transfer rejected, keeps the reason and returns the units to available",
        run: reject_returns_units,
        cites: ["REQ-TRANSFER-001", "REQ-TRANSFER-003", "REQ-TRANSFER-005", "REQ-UNITS-009"],
    },
    check! {
        id: "A1-TRANSFER-006",
        model: A1,
        seed: WRITE,
        operations: ["rescind_transfer", "get_transfer", "list_holdings"],
        description: "Rescission by the initiator makes the transfer rescinded and returns the units to available",
        run: rescind_returns_units,
        cites: ["REQ-TRANSFER-001", "REQ-TRANSFER-003", "REQ-TRANSFER-005", "REQ-APPROVAL-005", "REQ-UNITS-009"],
    },
    check! {
        id: "A1-TRANSFER-007",
        model: A1,
        seed: WRITE,
        operations: ["rescind_transfer", "approve_transfer"],
        description: "Approving a rescinded transfer is refused with 409 invalid-state and changes nothing",
        run: approve_after_rescind,
        cites: ["REQ-TRANSFER-002"],
    },
    check! {
        id: "A1-TRANSFER-008",
        model: A1,
        seed: WRITE,
        operations: ["initiate_transfer", "approve_transfer"],
        description: "A quantity transfer filtered by vintage takes only units of that vintage",
        run: vintage_filter,
        cites: ["REQ-VALIDATION-008"],
    },
    check! {
        id: "A1-TRANSFER-009",
        model: A1,
        seed: WRITE,
        operations: ["initiate_transfer", "approve_transfer"],
        description: "A quantity transfer filtered by project_id takes only units of that project",
        run: project_filter,
        cites: ["REQ-VALIDATION-008"],
    },
    check! {
        id: "A1-TRANSFER-010",
        model: A1,
        seed: WRITE,
        operations: ["approve_transfer", "reject_transfer", "rescind_transfer"],
        description: "A completed transfer is immutable: approve, reject and rescind answer 409 invalid-state and change nothing",
        run: completed_is_immutable,
        cites: ["REQ-TRANSFER-001", "REQ-TRANSFER-002"],
    },
    check! {
        id: "A1-TRANSFER-011",
        model: A1,
        seed: WRITE,
        operations: ["rescind_transfer"],
        description: "Any initiator of the source account may rescind, not only the one who initiated",
        run: any_initiator_rescinds,
        cites: ["REQ-APPROVAL-003", "REQ-TRANSFER-005"],
    },
    check! {
        id: "A1-TRANSFER-012",
        model: A1,
        seed: WRITE,
        operations: ["initiate_transfer"],
        description: "A quantity transfer spanning two blocks takes whole lower blocks first and splits only the last",
        run: spans_blocks_lowest_first,
        cites: ["REQ-VALIDATION-008"],
    },
    check! {
        id: "A1-TRANSFER-013",
        model: A1,
        seed: WRITE,
        operations: ["initiate_transfer", "initiate_cancellation", "get_transfer", "get_cancellation", "list_holdings", "approve_transfer", "approve_cancellation"],
        description: "At its expires_at (sandbox clock) a pending transfer or cancellation is expired (decided_at = expires_at, no decider), its units available again; approving answers 409 (moves the clock: runs alone, after the others)",
        run: pending_expires,
        phase: Clock,
        cites: ["REQ-TRANSFER-002", "REQ-TRANSFER-003", "REQ-TRANSFER-004", "REQ-CANCELLATION-002", "REQ-CANCELLATION-003", "REQ-CANCELLATION-004", "REQ-CONV-003"],
    },
    check! {
        id: "A1-TRANSFER-014",
        model: A1,
        seed: WRITE,
        operations: ["approve_transfer", "appoint_representative"],
        description: "Roles count at the time of each request: an approver whose approver role is withdrawn after the initiation cannot approve (403 forbidden), and can once it is restored",
        run: roles_at_decision_time,
        cites: ["REQ-APPROVAL-006", "REQ-APPROVAL-002"],
    },
    check! {
        id: "A1-TRANSFER-015",
        model: A1,
        seed: WRITE,
        operations: ["initiate_transfer"],
        description: "to_account_id naming no account answers 422 unknown-account, naming the source 422 validation-failed; nothing changes",
        run: destination_must_be_another_account,
        cites: ["REQ-TRANSFER-006", "REQ-CONV-006"],
    },
    check! {
        id: "B4-TRANSFER-001",
        model: B4,
        seed: B4,
        operations: ["initiate_transfer", "reject_transfer", "release_reservation"],
        description: "A transfer of a reservation takes all its units; with a quantity or an unknown reservation 422; a second one while the first is pending 409 units-locked; rejected, the units are reserved again; once released 409 invalid-state",
        run: reservation_transfer_states,
        cites: ["REQ-TRANSFER-003", "REQ-TRANSFER-007", "REQ-TRANSFER-008"],
    },
];

/// Checks the fields every freshly initiated transfer must have.
fn check_pending(
    what: &str,
    transfer: &Transfer,
    f: &Funded,
    quantity: u64,
) -> Result<(), Failure> {
    expect_status(what, TransactionStatus::PendingApproval, transfer.status)?;
    ensure_eq(
        &format!("{what}: (from_account_id, to_account_id, unit_type, quantity)"),
        (
            f.source.account_id.as_str(),
            f.dest.account_id.as_str(),
            "ACCU",
            quantity,
        ),
        (
            transfer.from_account_id.as_str(),
            transfer.to_account_id.as_str(),
            transfer.unit_type.as_str(),
            transfer.quantity,
        ),
    )?;
    ensure_eq(
        &format!("{what}: initiated_by"),
        f.source.initiator.id.as_str(),
        transfer.initiated_by.as_str(),
    )?;
    ensure!(
        transfer.decided_by.is_none() && transfer.decided_at.is_none(),
        "{what}: a pending transfer has decided_by {:?} / decided_at {:?}",
        transfer.decided_by,
        transfer.decided_at
    );
    let serial_count: u64 = ranges_of(&transfer.serial_ranges)
        .iter()
        .map(|(s, e)| e - s + 1)
        .sum();
    ensure_eq(
        &format!("{what}: units in serial_ranges"),
        quantity,
        serial_count,
    )?;
    Ok(())
}

async fn initiate_by_quantity(ctx: Ctx) -> Result<(), Failure> {
    let f = funded(&ctx, 100).await?;
    let (s, e) = (f.block.serial_start, f.block.serial_end);
    let mut request = by_quantity(&f.source.account_id, &f.dest.account_id, "ACCU", 40);
    request.reference = "Conformance trade 001".parse().ok();
    let transfer = initiate(
        &f.source.initiator.client,
        request,
        "initiate_transfer of 40 ACCU",
    )
    .await?;
    check_pending("initiate_transfer", &transfer, &f, 40)?;
    ensure_eq(
        "initiate_transfer: serial_ranges (lowest serials first)",
        vec![(s, s + 39)],
        ranges_of(&transfer.serial_ranges),
    )?;
    ensure_eq(
        "initiate_transfer: reference",
        Some("Conformance trade 001"),
        transfer.reference.as_deref(),
    )?;
    ensure!(
        transfer.expires_at > transfer.initiated_at,
        "initiate_transfer: expires_at {} is not after initiated_at {}",
        transfer.expires_at,
        transfer.initiated_at
    );
    let window = transfer.expires_at - transfer.initiated_at;
    ensure!(
        window == TimeDelta::days(7),
        "initiate_transfer: a transfer expires exactly 7 days after initiation (REQ-TRANSFER-004), but expires_at - initiated_at is {window}"
    );

    let holdings = ctx
        .holdings(&f.source.initiator.client, &f.source.account_id)
        .await?;
    ensure_eq(
        "source holdings: pending serials",
        vec![(s, s + 39)],
        serials(&holdings, "ACCU", Some(BlockStatus::Pending)),
    )?;
    ensure_eq(
        "source holdings: available serials",
        vec![(s + 40, e)],
        serials(&holdings, "ACCU", Some(BlockStatus::Available)),
    )?;
    for block in holdings.iter().filter(|b| b.status == BlockStatus::Pending) {
        ensure_eq(
            &format!(
                "source holdings: transaction_id of pending block {}",
                block.block_id
            ),
            Some(transfer.transfer_id.as_str()),
            block.transaction_id.as_deref(),
        )?;
    }
    let account = f
        .source
        .initiator
        .client
        .get_account()
        .account_id(&f.source.account_id)
        .send()
        .await
        .expect_ok("get_account")?;
    let balance = account.balances.iter().find(|b| b.unit_type == "ACCU");
    ensure_eq(
        "get_account: ACCU (available, pending) while the transfer is pending",
        Some((60, 40)),
        balance.map(|b| (b.available, b.pending)),
    )?;
    let dest = ctx.holdings(&f.dest.rep.client, &f.dest.account_id).await?;
    ensure!(
        dest.is_empty(),
        "destination holdings: {} blocks arrived before approval",
        dest.len()
    );

    let fetched = get_transfer(
        &f.source.initiator.client,
        &transfer.transfer_id,
        "get_transfer",
    )
    .await?;
    ensure_eq(
        "get_transfer: the transfer as initiate_transfer answered it",
        &transfer,
        &fetched,
    )?;
    Ok(())
}

/// Checks that `blocks` carry the attributes of the issued `block`.
fn same_attributes(what: &str, issued: &UnitBlock, blocks: &[UnitBlock]) -> Result<(), Failure> {
    for block in blocks {
        ensure_eq(
            &format!(
                "{what}: attributes of block {} (project_id, vintage, method, kyoto_status, state, issued_on)",
                block.block_id
            ),
            (
                &issued.project_id,
                &issued.vintage,
                &issued.method,
                issued.kyoto_status,
                &issued.state,
                issued.issued_on,
            ),
            (
                &block.project_id,
                &block.vintage,
                &block.method,
                block.kyoto_status,
                &block.state,
                block.issued_on,
            ),
        )?;
    }
    Ok(())
}

async fn approve_moves_units(ctx: Ctx) -> Result<(), Failure> {
    let f = funded(&ctx, 100).await?;
    let (s, e) = (f.block.serial_start, f.block.serial_end);
    let transfer = initiate(
        &f.source.initiator.client,
        by_quantity(&f.source.account_id, &f.dest.account_id, "ACCU", 40),
        "initiate_transfer of 40 ACCU",
    )
    .await?;
    let done = approve(
        &f.source.approver.client,
        &transfer.transfer_id,
        "approve_transfer by the second representative",
    )
    .await?;
    expect_status(
        "approve_transfer",
        TransactionStatus::Completed,
        done.status,
    )?;
    ensure_eq(
        "approve_transfer: transfer_id",
        transfer.transfer_id.as_str(),
        done.transfer_id.as_str(),
    )?;
    ensure_eq(
        "approve_transfer: decided_by",
        Some(f.source.approver.id.as_str()),
        done.decided_by.as_deref(),
    )?;
    ensure!(
        done.decided_at.is_some_and(|d| d >= done.initiated_at),
        "approve_transfer: decided_at {:?} missing or before initiated_at {}",
        done.decided_at,
        done.initiated_at
    );
    ensure_eq(
        "approve_transfer: serial_ranges (unchanged by approval)",
        ranges_of(&transfer.serial_ranges),
        ranges_of(&done.serial_ranges),
    )?;

    let source = ctx
        .holdings(&f.source.initiator.client, &f.source.account_id)
        .await?;
    let dest = ctx.holdings(&f.dest.rep.client, &f.dest.account_id).await?;
    ensure_eq(
        "source holdings after approval: serials (the rest of the split block)",
        vec![(s + 40, e)],
        serials(&source, "ACCU", None),
    )?;
    all_available("source holdings after approval", &source)?;
    ensure_eq(
        "destination holdings after approval: serials",
        vec![(s, s + 39)],
        serials(&dest, "ACCU", None),
    )?;
    all_available("destination holdings after approval", &dest)?;
    ensure_eq(
        "destination holdings: units",
        40,
        total(&dest, "ACCU", None),
    )?;
    same_attributes("destination holdings", &f.block, &dest)?;
    same_attributes("source holdings", &f.block, &source)?;

    let fetched = get_transfer(
        &f.source.initiator.client,
        &transfer.transfer_id,
        "get_transfer after approval",
    )
    .await?;
    expect_status(
        "get_transfer after approval",
        TransactionStatus::Completed,
        fetched.status,
    )?;
    Ok(())
}

async fn middle_serial_range(ctx: Ctx) -> Result<(), Failure> {
    let f = funded(&ctx, 100).await?;
    let (s, e) = (f.block.serial_start, f.block.serial_end);
    let middle = (s + 30, s + 59);
    let transfer = initiate(
        &f.source.initiator.client,
        by_serials(&f.source.account_id, &f.dest.account_id, "ACCU", &[middle]),
        "initiate_transfer of serials in the middle of a block",
    )
    .await?;
    check_pending("initiate_transfer by serial", &transfer, &f, 30)?;
    ensure_eq(
        "initiate_transfer by serial: serial_ranges",
        vec![middle],
        ranges_of(&transfer.serial_ranges),
    )?;

    let pending = ctx
        .holdings(&f.source.initiator.client, &f.source.account_id)
        .await?;
    ensure_eq(
        "source holdings while pending: available serials (both sides of the range)",
        vec![(s, s + 29), (s + 60, e)],
        serials(&pending, "ACCU", Some(BlockStatus::Available)),
    )?;
    ensure_eq(
        "source holdings while pending: pending serials",
        vec![middle],
        serials(&pending, "ACCU", Some(BlockStatus::Pending)),
    )?;
    ensure_eq(
        "source holdings while pending: number of distinct runs (three-way split)",
        3,
        normalize(&pending).len(),
    )?;

    approve(
        &f.source.approver.client,
        &transfer.transfer_id,
        "approve_transfer",
    )
    .await?;
    let source = ctx
        .holdings(&f.source.initiator.client, &f.source.account_id)
        .await?;
    let dest = ctx.holdings(&f.dest.rep.client, &f.dest.account_id).await?;
    ensure_eq(
        "source holdings after approval: serials",
        vec![(s, s + 29), (s + 60, e)],
        serials(&source, "ACCU", None),
    )?;
    all_available("source holdings after approval", &source)?;
    ensure_eq(
        "destination holdings after approval: serials",
        vec![middle],
        serials(&dest, "ACCU", None),
    )?;
    all_available("destination holdings after approval", &dest)?;
    same_attributes("destination holdings", &f.block, &dest)?;
    Ok(())
}

async fn visible_to_destination(ctx: Ctx) -> Result<(), Failure> {
    let f = funded(&ctx, 60).await?;
    let transfer = initiate(
        &f.source.initiator.client,
        by_quantity(&f.source.account_id, &f.dest.account_id, "ACCU", 10),
        "initiate_transfer",
    )
    .await?;
    let seen = get_transfer(
        &f.dest.rep.client,
        &transfer.transfer_id,
        "get_transfer by the destination's representative (pending)",
    )
    .await?;
    ensure_eq(
        "get_transfer by the destination: the pending transfer",
        &transfer,
        &seen,
    )?;
    // REQ-APPROVAL-002, REQ-APPROVAL-003: the destination sees the transfer but decides nothing.
    let dest = &f.dest.rep.client;
    let id = transfer.transfer_id.as_str();
    let what = |op: &str| format!("{op} by the destination's representative (both roles there)");
    dest.approve_transfer()
        .transfer_id(id)
        .send()
        .await
        .expect_problem(&what("approve_transfer"), 403, ProblemKind::Forbidden)?;
    dest.reject_transfer()
        .transfer_id(id)
        .body(RejectRequest { reason: None })
        .send()
        .await
        .expect_problem(&what("reject_transfer"), 403, ProblemKind::Forbidden)?;
    dest.rescind_transfer()
        .transfer_id(id)
        .send()
        .await
        .expect_problem(&what("rescind_transfer"), 403, ProblemKind::Forbidden)?;
    ensure_eq(
        "get_transfer after the destination's refused decisions: unchanged",
        &transfer,
        &get_transfer(dest, id, "get_transfer by the destination").await?,
    )?;
    let done = approve(
        &f.source.approver.client,
        &transfer.transfer_id,
        "approve_transfer",
    )
    .await?;
    let seen = get_transfer(
        &f.dest.rep.client,
        &transfer.transfer_id,
        "get_transfer by the destination's representative (completed)",
    )
    .await?;
    ensure_eq(
        "get_transfer by the destination: the completed transfer",
        &done,
        &seen,
    )?;
    Ok(())
}

async fn reject_returns_units(ctx: Ctx) -> Result<(), Failure> {
    let f = funded(&ctx, 80).await?;
    let before = ctx
        .snapshot(&f.source.initiator.client, &f.source.account_id)
        .await?;
    let transfer = initiate(
        &f.source.initiator.client,
        by_quantity(&f.source.account_id, &f.dest.account_id, "ACCU", 25),
        "initiate_transfer",
    )
    .await?;
    let rejected = f
        .source
        .approver
        .client
        .reject_transfer()
        .transfer_id(&transfer.transfer_id)
        .body(RejectRequest {
            reason: "Price no longer agreed".parse().ok(),
        })
        .send()
        .await
        .expect_ok("reject_transfer by an approver")?;
    expect_status(
        "reject_transfer",
        TransactionStatus::Rejected,
        rejected.status,
    )?;
    ensure_eq(
        "reject_transfer: reason",
        Some("Price no longer agreed"),
        rejected.reason.as_deref(),
    )?;
    ensure_eq(
        "reject_transfer: decided_by",
        Some(f.source.approver.id.as_str()),
        rejected.decided_by.as_deref(),
    )?;

    expect_restored(
        &ctx,
        &f.source.initiator.client,
        &f.source.account_id,
        &before,
        "source holdings after rejection",
    )
    .await?;
    let dest = ctx.holdings(&f.dest.rep.client, &f.dest.account_id).await?;
    ensure!(
        dest.is_empty(),
        "destination holdings: {} blocks arrived from a rejected transfer",
        dest.len()
    );
    let fetched = get_transfer(
        &f.source.initiator.client,
        &transfer.transfer_id,
        "get_transfer after rejection",
    )
    .await?;
    expect_status(
        "get_transfer after rejection",
        TransactionStatus::Rejected,
        fetched.status,
    )?;
    Ok(())
}

async fn rescind_returns_units(ctx: Ctx) -> Result<(), Failure> {
    let f = funded(&ctx, 80).await?;
    let before = ctx
        .snapshot(&f.source.initiator.client, &f.source.account_id)
        .await?;
    let transfer = initiate(
        &f.source.initiator.client,
        by_quantity(&f.source.account_id, &f.dest.account_id, "ACCU", 25),
        "initiate_transfer",
    )
    .await?;
    let rescinded = rescind(
        &f.source.initiator.client,
        &transfer.transfer_id,
        "rescind_transfer by the initiator",
    )
    .await?;
    expect_status(
        "rescind_transfer",
        TransactionStatus::Rescinded,
        rescinded.status,
    )?;
    ensure_eq(
        "rescind_transfer: decided_by",
        Some(f.source.initiator.id.as_str()),
        rescinded.decided_by.as_deref(),
    )?;
    expect_restored(
        &ctx,
        &f.source.initiator.client,
        &f.source.account_id,
        &before,
        "source holdings after rescission",
    )
    .await?;
    let fetched = get_transfer(
        &f.source.initiator.client,
        &transfer.transfer_id,
        "get_transfer after rescission",
    )
    .await?;
    expect_status(
        "get_transfer after rescission",
        TransactionStatus::Rescinded,
        fetched.status,
    )?;
    Ok(())
}

async fn approve_after_rescind(ctx: Ctx) -> Result<(), Failure> {
    let f = funded(&ctx, 50).await?;
    let transfer = initiate(
        &f.source.initiator.client,
        by_quantity(&f.source.account_id, &f.dest.account_id, "ACCU", 20),
        "initiate_transfer",
    )
    .await?;
    rescind(
        &f.source.initiator.client,
        &transfer.transfer_id,
        "rescind_transfer",
    )
    .await?;
    let source_before = ctx
        .snapshot(&f.source.initiator.client, &f.source.account_id)
        .await?;
    let dest_before = ctx.snapshot(&f.dest.rep.client, &f.dest.account_id).await?;
    f.source
        .approver
        .client
        .approve_transfer()
        .transfer_id(&transfer.transfer_id)
        .send()
        .await
        .expect_problem(
            "approve_transfer of a rescinded transfer",
            409,
            ProblemKind::InvalidState,
        )?;
    assert_unchanged(
        "after the refused approval",
        &source_before,
        &ctx.snapshot(&f.source.initiator.client, &f.source.account_id)
            .await?,
    )?;
    assert_unchanged(
        "after the refused approval",
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
        TransactionStatus::Rescinded,
        fetched.status,
    )?;
    Ok(())
}

/// Issues two blocks that differ in one attribute, transfers a quantity filtered to the second
/// (higher-serial) block and checks only its units moved.
async fn filtered_transfer(ctx: &Ctx, by_vintage: bool) -> Result<(), Failure> {
    let source = ctx.holder_with_two_reps().await?;
    let dest = ctx.holder_with_one_rep().await?;
    let (first_attrs, second_attrs) = if by_vintage {
        (
            Attrs::accu().vintage("2019-20"),
            Attrs::accu().vintage("2022-23"),
        )
    } else {
        (
            Attrs::accu().project("ERF990301"),
            Attrs::accu().project("ERF990302"),
        )
    };
    let first = ctx.issue(&source.account_id, 50, &first_attrs).await?;
    let second = ctx.issue(&source.account_id, 50, &second_attrs).await?;
    let mut request = by_quantity(&source.account_id, &dest.account_id, "ACCU", 30);
    let filter = if by_vintage {
        request.vintage = Some(second.vintage.clone());
        format!("vintage={}", second.vintage)
    } else {
        request.project_id = second.project_id.clone();
        format!(
            "project_id={}",
            second.project_id.as_deref().unwrap_or_default()
        )
    };
    let transfer = initiate(
        &source.initiator.client,
        request,
        &format!("initiate_transfer of 30 ACCU with {filter}"),
    )
    .await?;
    ensure_eq(
        &format!(
            "initiate_transfer with {filter}: serial_ranges (the lowest serials of the matching block only)"
        ),
        vec![(second.serial_start, second.serial_start + 29)],
        ranges_of(&transfer.serial_ranges),
    )?;
    approve(
        &source.approver.client,
        &transfer.transfer_id,
        "approve_transfer",
    )
    .await?;
    let moved = ctx.holdings(&dest.rep.client, &dest.account_id).await?;
    ensure_eq(
        "destination holdings: units received",
        30,
        total(&moved, "ACCU", None),
    )?;
    same_attributes("destination holdings", &second, &moved)?;
    let kept = ctx
        .holdings(&source.initiator.client, &source.account_id)
        .await?;
    ensure_eq(
        "source holdings: serials of the non-matching block (untouched)",
        vec![(first.serial_start, first.serial_end)],
        serials(
            &kept
                .iter()
                .filter(|b| b.vintage == first.vintage && b.project_id == first.project_id)
                .cloned()
                .collect::<Vec<_>>(),
            "ACCU",
            Some(BlockStatus::Available),
        ),
    )?;
    Ok(())
}

async fn vintage_filter(ctx: Ctx) -> Result<(), Failure> {
    filtered_transfer(&ctx, true).await
}

async fn project_filter(ctx: Ctx) -> Result<(), Failure> {
    filtered_transfer(&ctx, false).await
}

async fn completed_is_immutable(ctx: Ctx) -> Result<(), Failure> {
    let f = funded(&ctx, 50).await?;
    let transfer = initiate(
        &f.source.initiator.client,
        by_quantity(&f.source.account_id, &f.dest.account_id, "ACCU", 20),
        "initiate_transfer",
    )
    .await?;
    approve(
        &f.source.approver.client,
        &transfer.transfer_id,
        "approve_transfer",
    )
    .await?;
    let source_before = ctx
        .snapshot(&f.source.initiator.client, &f.source.account_id)
        .await?;
    let dest_before = ctx.snapshot(&f.dest.rep.client, &f.dest.account_id).await?;
    let id = transfer.transfer_id.as_str();
    f.source
        .approver
        .client
        .approve_transfer()
        .transfer_id(id)
        .send()
        .await
        .expect_problem(
            "approving the completed transfer again (new Idempotency-Key)",
            409,
            ProblemKind::InvalidState,
        )?;
    f.source
        .approver
        .client
        .reject_transfer()
        .transfer_id(id)
        .body(RejectRequest { reason: None })
        .send()
        .await
        .expect_problem(
            "rejecting the completed transfer",
            409,
            ProblemKind::InvalidState,
        )?;
    f.source
        .initiator
        .client
        .rescind_transfer()
        .transfer_id(id)
        .send()
        .await
        .expect_problem(
            "rescinding the completed transfer",
            409,
            ProblemKind::InvalidState,
        )?;
    assert_unchanged(
        "after the refused actions",
        &source_before,
        &ctx.snapshot(&f.source.initiator.client, &f.source.account_id)
            .await?,
    )?;
    assert_unchanged(
        "after the refused actions",
        &dest_before,
        &ctx.snapshot(&f.dest.rep.client, &f.dest.account_id).await?,
    )?;
    let fetched = get_transfer(&f.source.initiator.client, id, "get_transfer").await?;
    expect_status(
        "get_transfer after the refused actions",
        TransactionStatus::Completed,
        fetched.status,
    )?;
    Ok(())
}

async fn any_initiator_rescinds(ctx: Ctx) -> Result<(), Failure> {
    let (_, account_id, reps) = ctx
        .holder_with_reps(&[&[Role::Initiator], &[Role::Initiator], &[Role::Approver]])
        .await?;
    let dest = ctx.holder_with_one_rep().await?;
    ctx.issue(&account_id, 40, &Attrs::accu()).await?;
    let transfer = initiate(
        &reps[0].client,
        by_quantity(&account_id, &dest.account_id, "ACCU", 10),
        "initiate_transfer by initiator 1",
    )
    .await?;
    let rescinded = rescind(
        &reps[1].client,
        &transfer.transfer_id,
        "rescind_transfer by initiator 2 (not the one who initiated)",
    )
    .await?;
    expect_status(
        "rescind_transfer by another initiator",
        TransactionStatus::Rescinded,
        rescinded.status,
    )?;
    ensure_eq(
        "rescind_transfer: decided_by",
        Some(reps[1].id.as_str()),
        rescinded.decided_by.as_deref(),
    )?;
    let holdings = ctx.holdings(&reps[0].client, &account_id).await?;
    all_available("source holdings after rescission", &holdings)?;
    Ok(())
}

async fn spans_blocks_lowest_first(ctx: Ctx) -> Result<(), Failure> {
    let source = ctx.holder_with_two_reps().await?;
    let dest = ctx.holder_with_one_rep().await?;
    let low = ctx
        .issue(&source.account_id, 20, &Attrs::accu().vintage("2016-17"))
        .await?;
    let high = ctx
        .issue(&source.account_id, 30, &Attrs::accu().vintage("2017-18"))
        .await?;
    let transfer = initiate(
        &source.initiator.client,
        by_quantity(&source.account_id, &dest.account_id, "ACCU", 35),
        "initiate_transfer of 35 ACCU across two blocks of 20 and 30",
    )
    .await?;
    ensure_eq(
        "initiate_transfer: serial_ranges (all of the lower block, then the lowest 15 of the next)",
        crate::assert::merge_ranges([
            (low.serial_start, low.serial_end),
            (high.serial_start, high.serial_start + 14),
        ]),
        ranges_of(&transfer.serial_ranges),
    )?;
    let holdings = ctx
        .holdings(&source.initiator.client, &source.account_id)
        .await?;
    ensure_eq(
        "source holdings: available serials (the rest of the upper block)",
        vec![(high.serial_start + 15, high.serial_end)],
        serials(&holdings, "ACCU", Some(BlockStatus::Available)),
    )?;
    Ok(())
}

/// Pending transactions lapse: 7 days after initiation (by the registry's clock) a transfer and a
/// cancellation nobody decided are `expired`, their units `available` again, and they can no
/// longer be approved.
async fn pending_expires(ctx: Ctx) -> Result<(), Failure> {
    let f = funded(&ctx, 60).await?;
    let before = ctx
        .snapshot(&f.source.initiator.client, &f.source.account_id)
        .await?;
    let transfer = initiate(
        &f.source.initiator.client,
        by_quantity(&f.source.account_id, &f.dest.account_id, "ACCU", 20),
        "initiate_transfer",
    )
    .await?;
    let cancellation = initiate_cancellation(
        &f.source.initiator.client,
        cancel_quantity(&f.source.account_id, "ACCU", 10),
        "initiate_cancellation",
    )
    .await?;
    let now = ctx.registry_now().await?;
    let last = transfer.expires_at.max(cancellation.expires_at);
    ensure!(
        last > now,
        "the pending transactions expire at {last}, not after the registry's time {now}"
    );
    let seconds = u64::try_from((last - now).num_seconds()).unwrap_or(0) + 60;
    ctx.advance_clock(seconds).await?;

    let expired = get_transfer(
        &f.source.initiator.client,
        &transfer.transfer_id,
        "get_transfer after its expiry",
    )
    .await?;
    expect_status(
        "the transfer after its expiry",
        TransactionStatus::Expired,
        expired.status,
    )?;
    ensure_eq(
        "the expired transfer: (decided_at, decided_by)",
        (Some(transfer.expires_at), None),
        (expired.decided_at, expired.decided_by.as_deref()),
    )?;
    let lapsed = f
        .source
        .initiator
        .client
        .get_cancellation()
        .cancellation_id(&cancellation.cancellation_id)
        .send()
        .await
        .expect_ok("get_cancellation after its expiry")?;
    expect_status(
        "the cancellation after its expiry",
        TransactionStatus::Expired,
        lapsed.status,
    )?;
    ensure_eq(
        "the expired cancellation: (decided_at, decided_by)",
        (Some(cancellation.expires_at), None),
        (lapsed.decided_at, lapsed.decided_by.as_deref()),
    )?;
    expect_restored(
        &ctx,
        &f.source.initiator.client,
        &f.source.account_id,
        &before,
        "source holdings after the expiries",
    )
    .await?;
    f.source
        .approver
        .client
        .approve_transfer()
        .transfer_id(&transfer.transfer_id)
        .send()
        .await
        .expect_problem(
            "approve_transfer of an expired transfer",
            409,
            ProblemKind::InvalidState,
        )?;
    f.source
        .approver
        .client
        .approve_cancellation()
        .cancellation_id(&cancellation.cancellation_id)
        .send()
        .await
        .expect_problem(
            "approve_cancellation of an expired cancellation",
            409,
            ProblemKind::InvalidState,
        )?;
    Ok(())
}

/// Roles are read at each request (REQ-APPROVAL-006): the sandbox re-appoints the approver with
/// other roles between the initiation and the decision.
async fn roles_at_decision_time(ctx: Ctx) -> Result<(), Failure> {
    let f = funded(&ctx, 30).await?;
    let transfer = initiate(
        &f.source.initiator.client,
        by_quantity(&f.source.account_id, &f.dest.account_id, "ACCU", 5),
        "initiate_transfer",
    )
    .await?;
    ctx.appoint_existing(&f.source.account_id, &f.source.approver, &[Role::Initiator])
        .await?;
    f.source
        .approver
        .client
        .approve_transfer()
        .transfer_id(&transfer.transfer_id)
        .send()
        .await
        .expect_problem(
            "approve_transfer by a representative whose approver role was withdrawn after the initiation",
            403,
            ProblemKind::Forbidden,
        )?;
    let fetched = get_transfer(
        &f.source.initiator.client,
        &transfer.transfer_id,
        "get_transfer after the refused approval",
    )
    .await?;
    expect_status(
        "the transfer after the refused approval",
        TransactionStatus::PendingApproval,
        fetched.status,
    )?;
    ctx.appoint_existing(&f.source.account_id, &f.source.approver, &[Role::Approver])
        .await?;
    let done = approve(
        &f.source.approver.client,
        &transfer.transfer_id,
        "approve_transfer once the approver role is restored",
    )
    .await?;
    expect_status(
        "approve_transfer once the approver role is restored",
        TransactionStatus::Completed,
        done.status,
    )
}

async fn destination_must_be_another_account(ctx: Ctx) -> Result<(), Failure> {
    let f = funded(&ctx, 30).await?;
    let client = &f.source.initiator.client;
    let before = ctx.snapshot(client, &f.source.account_id).await?;
    let unknown = format!("{}9", f.dest.account_id);
    client
        .initiate_transfer()
        .body(by_quantity(&f.source.account_id, &unknown, "ACCU", 5))
        .send()
        .await
        .expect_problem(
            "initiate_transfer to an account that does not exist",
            422,
            ProblemKind::UnknownAccount,
        )?;
    client
        .initiate_transfer()
        .body(by_quantity(
            &f.source.account_id,
            &f.source.account_id,
            "ACCU",
            5,
        ))
        .send()
        .await
        .expect_problem(
            "initiate_transfer to the source account itself",
            422,
            ProblemKind::ValidationFailed,
        )?;
    let after = ctx.snapshot(client, &f.source.account_id).await?;
    assert_unchanged("after the refused transfers", &before, &after)
}

async fn reservation_transfer_states(ctx: Ctx) -> Result<(), Failure> {
    let f = fleeting(&ctx, 50).await?;
    let reservation = f.reserve(&ctx, 20).await?;
    let seller = &f.seller;
    let client = &seller.initiator.client;
    let account = seller.account_id.as_str();
    let custodial = f.custodial.account_id.as_str();
    let before = ctx.snapshot(client, account).await?;
    let mut with_quantity = by_reservation(account, custodial, &reservation.reservation_id);
    with_quantity.quantity = std::num::NonZeroU64::new(20);
    let unknown = by_reservation(
        account,
        custodial,
        &format!("{}9", reservation.reservation_id),
    );
    for (what, request) in [
        ("with a quantity as well", with_quantity),
        ("of a reservation that does not exist", unknown),
    ] {
        client
            .initiate_transfer()
            .body(request)
            .send()
            .await
            .expect_problem(
                &format!("initiate_transfer {what}"),
                422,
                ProblemKind::ValidationFailed,
            )?;
    }
    assert_unchanged(
        "after the refused reservation transfers",
        &before,
        &ctx.snapshot(client, account).await?,
    )?;

    let first = initiate(
        client,
        by_reservation(account, custodial, &reservation.reservation_id),
        "initiate_transfer of the reservation",
    )
    .await?;
    ensure_eq(
        "the reservation's transfer: serial_ranges (every unit of the reservation)",
        ranges_of(&reservation.serial_ranges),
        ranges_of(&first.serial_ranges),
    )?;
    let pending = ctx.snapshot(client, account).await?;
    client
        .initiate_transfer()
        .body(by_reservation(
            account,
            custodial,
            &reservation.reservation_id,
        ))
        .send()
        .await
        .expect_problem(
            "a second initiate_transfer of the reservation while the first is pending",
            409,
            ProblemKind::UnitsLocked,
        )?;
    assert_unchanged(
        "after the refused second transfer",
        &pending,
        &ctx.snapshot(client, account).await?,
    )?;

    seller
        .approver
        .client
        .reject_transfer()
        .transfer_id(&first.transfer_id)
        .body(RejectRequest { reason: None })
        .send()
        .await
        .expect_ok("reject_transfer of the reservation's transfer")?;
    let holdings = ctx.holdings(client, account).await?;
    ensure_eq(
        "holdings after the rejection: reserved serials (the reservation's again)",
        ranges_of(&reservation.serial_ranges),
        serials(&holdings, "ACCU", Some(BlockStatus::Reserved)),
    )?;
    release(client, &reservation.reservation_id, "release_reservation").await?;
    let released = ctx.snapshot(client, account).await?;
    client
        .initiate_transfer()
        .body(by_reservation(
            account,
            custodial,
            &reservation.reservation_id,
        ))
        .send()
        .await
        .expect_problem(
            "initiate_transfer of a released reservation",
            409,
            ProblemKind::InvalidState,
        )?;
    assert_unchanged(
        "after the refused transfer of a released reservation",
        &released,
        &ctx.snapshot(client, account).await?,
    )
}
