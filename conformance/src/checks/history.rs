//! Read access: an account's transaction history and its filters.

use chrono::{DateTime, TimeDelta, Utc};
use futures::TryStreamExt;
use ucr_sdk::types::{Transaction, TransactionKind, TransactionStatus};

use super::READ;
use super::support::{
    approve, approve_cancellation, funded, initiate, initiate_cancellation, rescind, tick,
};
use crate::assert::{SdkResultExt, ensure_eq, ranges_of};
use crate::check::Check;
use crate::ctx::{Attrs, Ctx, by_quantity, cancel_quantity};
use crate::ensure;
use crate::outcome::Failure;

pub(super) const CHECKS: &[Check] = &[
    check! {
        id: "A1-HISTORY-001",
        model: A1,
        seed: READ,
        operations: ["list_transactions"],
        description: "History lists the issuance, transfer and cancellation with kind, status, accounts, quantity, serials and reference (a cancellation's reason), in order",
        run: lists_every_kind,
        cites: ["REQ-UNITS-012", "REQ-TRANSFER-009", "REQ-CANCELLATION-006", "REQ-PAGING-012"],
    },
    check! {
        id: "A1-HISTORY-002",
        model: A1,
        seed: READ,
        operations: ["list_transactions"],
        description: "The kind filter returns exactly the issuances, transfers or cancellations",
        run: filter_kind,
        cites: ["REQ-PAGING-005", "REQ-UNITS-012", "REQ-TRANSFER-009", "REQ-CANCELLATION-006"],
    },
    check! {
        id: "A1-HISTORY-003",
        model: A1,
        seed: READ,
        operations: ["list_transactions"],
        description: "The status filter returns exactly the completed, rejected, rescinded or pending transactions",
        run: filter_status,
        cites: ["REQ-PAGING-005", "REQ-TRANSFER-001", "REQ-TRANSFER-009"],
    },
    check! {
        id: "A1-HISTORY-004",
        model: A1,
        seed: READ,
        operations: ["list_transactions"],
        description: "The from (inclusive) and to (exclusive) filters return exactly the transactions created in the range",
        run: filter_dates,
        cites: ["REQ-PAGING-012", "REQ-UNITS-012"],
    },
    check! {
        id: "A1-HISTORY-005",
        model: A1,
        seed: READ,
        operations: ["list_transactions"],
        description: "An incoming transfer appears in the destination account's history from its initiation on, pending then completed, with its reference",
        run: incoming_transfer,
        cites: ["REQ-TRANSFER-009", "REQ-UNITS-012"],
    },
];

/// A `from`/`to` query window; `None` leaves that end open.
type Window = (Option<DateTime<Utc>>, Option<DateTime<Utc>>);

fn is_sorted(history: &[Transaction]) -> bool {
    history
        .windows(2)
        .all(|w| (w[0].created_at, &w[0].transaction_id) <= (w[1].created_at, &w[1].transaction_id))
}

fn find<'a>(
    history: &'a [Transaction],
    what: &str,
    pred: impl Fn(&Transaction) -> bool,
) -> Result<&'a Transaction, Failure> {
    let found: Vec<&Transaction> = history.iter().filter(|t| pred(t)).collect();
    match found.as_slice() {
        [one] => Ok(one),
        [] => Err(Failure::new(format!(
            "list_transactions: no entry for {what}"
        ))),
        many => Err(Failure::new(format!(
            "list_transactions: {} entries for {what}, expected one",
            many.len()
        ))),
    }
}

async fn lists_every_kind(ctx: Ctx) -> Result<(), Failure> {
    let f = funded(&ctx, 100).await?;
    let account_id = f.source.account_id.as_str();
    tick().await;
    let mut request = by_quantity(account_id, &f.dest.account_id, "ACCU", 20);
    request.reference = "History trade 001".parse().ok();
    let transfer = initiate(&f.source.initiator.client, request, "initiating a transfer").await?;
    let transfer = approve(
        &f.source.approver.client,
        &transfer.transfer_id,
        "approving the transfer",
    )
    .await?;
    tick().await;
    let mut request = cancel_quantity(account_id, "ACCU", 5);
    request.reason = "History retirement".parse().ok();
    let cancellation = initiate_cancellation(
        &f.source.initiator.client,
        request,
        "initiating a cancellation",
    )
    .await?;
    let cancellation = approve_cancellation(
        &f.source.approver.client,
        &cancellation.cancellation_id,
        "approving the cancellation",
    )
    .await?;

    let history = ctx.history(&f.source.initiator.client, account_id).await?;
    ensure!(
        history.len() == 3,
        "list_transactions: expected 3 entries (issuance, transfer, cancellation), got {}",
        history.len()
    );
    ensure!(
        is_sorted(&history),
        "list_transactions: entries are not ordered by created_at, then transaction_id"
    );

    let issuance = find(&history, "the issuance", |t| {
        t.kind == TransactionKind::Issuance
    })?;
    ensure_eq(
        "issuance entry: status",
        TransactionStatus::Completed,
        issuance.status,
    )?;
    ensure_eq(
        "issuance entry: (unit_type, quantity)",
        ("ACCU", 100),
        (issuance.unit_type.as_str(), issuance.quantity),
    )?;
    ensure_eq(
        "issuance entry: serial_ranges",
        vec![(f.block.serial_start, f.block.serial_end)],
        ranges_of(&issuance.serial_ranges),
    )?;
    ensure_eq(
        "issuance entry: (from_account_id, to_account_id)",
        (None, Some(account_id)),
        (
            issuance.from_account_id.as_deref(),
            issuance.to_account_id.as_deref(),
        ),
    )?;

    let moved = find(
        &history,
        &format!("transfer {}", transfer.transfer_id),
        |t| t.transaction_id == transfer.transfer_id,
    )?;
    ensure_eq(
        "transfer entry: (kind, status)",
        (TransactionKind::Transfer, TransactionStatus::Completed),
        (moved.kind, moved.status),
    )?;
    ensure_eq(
        "transfer entry: (unit_type, quantity)",
        ("ACCU", 20),
        (moved.unit_type.as_str(), moved.quantity),
    )?;
    ensure_eq(
        "transfer entry: reference (REQ-TRANSFER-009)",
        Some("History trade 001"),
        moved.reference.as_deref(),
    )?;
    ensure_eq(
        "transfer entry: serial_ranges",
        ranges_of(&transfer.serial_ranges),
        ranges_of(&moved.serial_ranges),
    )?;
    ensure_eq(
        "transfer entry: (from_account_id, to_account_id)",
        (Some(account_id), Some(f.dest.account_id.as_str())),
        (
            moved.from_account_id.as_deref(),
            moved.to_account_id.as_deref(),
        ),
    )?;

    let cancelled = find(
        &history,
        &format!("cancellation {}", cancellation.cancellation_id),
        |t| t.transaction_id == cancellation.cancellation_id,
    )?;
    ensure_eq(
        "cancellation entry: (kind, status)",
        (TransactionKind::Cancellation, TransactionStatus::Completed),
        (cancelled.kind, cancelled.status),
    )?;
    ensure_eq("cancellation entry: quantity", 5, cancelled.quantity)?;
    ensure_eq(
        "cancellation entry: reference (the cancellation's reason, REQ-CANCELLATION-006)",
        Some("History retirement"),
        cancelled.reference.as_deref(),
    )?;
    ensure_eq(
        "cancellation entry: serial_ranges",
        ranges_of(&cancellation.serial_ranges),
        ranges_of(&cancelled.serial_ranges),
    )?;
    ensure_eq(
        "cancellation entry: (from_account_id, to_account_id)",
        (Some(account_id), None),
        (
            cancelled.from_account_id.as_deref(),
            cancelled.to_account_id.as_deref(),
        ),
    )?;
    ensure!(
        issuance.created_at <= moved.created_at && moved.created_at <= cancelled.created_at,
        "list_transactions: created_at does not follow the order the transactions were made in ({}, {}, {})",
        issuance.created_at,
        moved.created_at,
        cancelled.created_at
    );
    Ok(())
}

fn compare(what: &str, expected: Vec<&Transaction>, got: &[Transaction]) -> Result<(), Failure> {
    let got: Vec<&Transaction> = got.iter().collect();
    if expected != got {
        let ids = |list: &[&Transaction]| {
            list.iter()
                .map(|t| format!("{} ({} {})", t.transaction_id, t.kind, t.status))
                .collect::<Vec<_>>()
                .join(", ")
        };
        return Err(Failure::new(format!(
            "list_transactions with {what}: expected exactly [{}] (the unfiltered list restricted), got [{}]",
            ids(&expected),
            ids(&got)
        )));
    }
    Ok(())
}

async fn filter_kind(ctx: Ctx) -> Result<(), Failure> {
    let f = funded(&ctx, 100).await?;
    let account_id = f.source.account_id.as_str();
    ctx.issue(account_id, 10, &Attrs::smc()).await?;
    let transfer = initiate(
        &f.source.initiator.client,
        by_quantity(account_id, &f.dest.account_id, "ACCU", 20),
        "initiating a transfer",
    )
    .await?;
    approve(
        &f.source.approver.client,
        &transfer.transfer_id,
        "approving the transfer",
    )
    .await?;
    let cancellation = initiate_cancellation(
        &f.source.initiator.client,
        cancel_quantity(account_id, "SMC", 5),
        "initiating a cancellation",
    )
    .await?;
    approve_cancellation(
        &f.source.approver.client,
        &cancellation.cancellation_id,
        "approving the cancellation",
    )
    .await?;

    let client = &f.source.initiator.client;
    let all = ctx.history(client, account_id).await?;
    for kind in [
        TransactionKind::Issuance,
        TransactionKind::Transfer,
        TransactionKind::Cancellation,
    ] {
        let expected: Vec<&Transaction> = all.iter().filter(|t| t.kind == kind).collect();
        ensure!(
            !expected.is_empty(),
            "fixture: no {kind} in the history; the check cannot tell anything"
        );
        let got: Vec<Transaction> = client
            .list_transactions()
            .account_id(account_id)
            .kind(kind)
            .stream()
            .try_collect()
            .await
            .map_err(|e| Failure::from(e).context(format!("list_transactions with kind={kind}")))?;
        compare(&format!("kind={kind}"), expected, &got)?;
    }
    Ok(())
}

async fn filter_status(ctx: Ctx) -> Result<(), Failure> {
    let f = funded(&ctx, 100).await?;
    let account_id = f.source.account_id.as_str();
    let initiator = &f.source.initiator.client;
    let approver = &f.source.approver.client;
    let dest = f.dest.account_id.as_str();
    let completed = initiate(
        initiator,
        by_quantity(account_id, dest, "ACCU", 10),
        "initiating transfer 1",
    )
    .await?;
    approve(approver, &completed.transfer_id, "approving transfer 1").await?;
    let rejected = initiate(
        initiator,
        by_quantity(account_id, dest, "ACCU", 10),
        "initiating transfer 2",
    )
    .await?;
    approver
        .reject_transfer()
        .transfer_id(&rejected.transfer_id)
        .body(ucr_sdk::types::RejectRequest { reason: None })
        .send()
        .await
        .expect_ok("rejecting transfer 2")?;
    let rescinded = initiate(
        initiator,
        by_quantity(account_id, dest, "ACCU", 10),
        "initiating transfer 3",
    )
    .await?;
    rescind(initiator, &rescinded.transfer_id, "rescinding transfer 3").await?;
    initiate(
        initiator,
        by_quantity(account_id, dest, "ACCU", 10),
        "initiating transfer 4",
    )
    .await?;

    let all = ctx.history(initiator, account_id).await?;
    for status in [
        TransactionStatus::Completed,
        TransactionStatus::Rejected,
        TransactionStatus::Rescinded,
        TransactionStatus::PendingApproval,
        TransactionStatus::Expired,
    ] {
        let expected: Vec<&Transaction> = all.iter().filter(|t| t.status == status).collect();
        ensure!(
            status == TransactionStatus::Expired || !expected.is_empty(),
            "list_transactions: no {status} transaction in the unfiltered history, although one was made"
        );
        let got: Vec<Transaction> = initiator
            .list_transactions()
            .account_id(account_id)
            .status(status)
            .stream()
            .try_collect()
            .await
            .map_err(|e| {
                Failure::from(e).context(format!("list_transactions with status={status}"))
            })?;
        compare(&format!("status={status}"), expected, &got)?;
    }
    Ok(())
}

async fn filter_dates(ctx: Ctx) -> Result<(), Failure> {
    let party = ctx.holder_with_one_rep().await?;
    for n in 0..5 {
        ctx.issue(&party.account_id, 10, &Attrs::distinct(n))
            .await?;
        tick().await;
    }
    let client = &party.rep.client;
    let all = ctx.history(client, &party.account_id).await?;
    ensure!(
        all.len() == 5,
        "list_transactions: expected the 5 issuances, got {} entries",
        all.len()
    );
    let first = all.iter().map(|t| t.created_at).min().unwrap_or_default();
    let last = all.iter().map(|t| t.created_at).max().unwrap_or_default();
    let middle = all[2].created_at;
    let second = TimeDelta::seconds(1);
    let windows: [Window; 6] = [
        (Some(middle), None),
        (None, Some(middle)),
        (Some(first), Some(last + second)),
        (Some(middle), Some(middle)),
        (Some(last + second), None),
        (None, Some(first)),
    ];
    for (from, to) in windows {
        let expected: Vec<&Transaction> = all
            .iter()
            .filter(|t| {
                from.is_none_or(|f| t.created_at >= f) && to.is_none_or(|u| t.created_at < u)
            })
            .collect();
        let mut request = client.list_transactions().account_id(&party.account_id);
        if let Some(from) = from {
            request = request.from(from);
        }
        if let Some(to) = to {
            request = request.to(to);
        }
        let what = format!(
            "from={} to={}",
            from.map(|f| f.to_rfc3339()).unwrap_or_else(|| "-".into()),
            to.map(|u| u.to_rfc3339()).unwrap_or_else(|| "-".into())
        );
        let got: Vec<Transaction> = request
            .stream()
            .try_collect()
            .await
            .map_err(|e| Failure::from(e).context(format!("list_transactions with {what}")))?;
        compare(&what, expected, &got)?;
    }
    Ok(())
}

async fn incoming_transfer(ctx: Ctx) -> Result<(), Failure> {
    let f = funded(&ctx, 50).await?;
    let mut request = by_quantity(&f.source.account_id, &f.dest.account_id, "ACCU", 15);
    request.reference = "Incoming trade".parse().ok();
    let transfer = initiate(&f.source.initiator.client, request, "initiating a transfer").await?;
    // REQ-TRANSFER-009: the destination sees the transfer from its initiation on.
    let history = ctx.history(&f.dest.rep.client, &f.dest.account_id).await?;
    let pending = find(
        &history,
        &format!("pending incoming transfer {}", transfer.transfer_id),
        |t| t.transaction_id == transfer.transfer_id,
    )?;
    ensure_eq(
        "destination's history while pending: (kind, status, reference)",
        (
            TransactionKind::Transfer,
            TransactionStatus::PendingApproval,
            Some("Incoming trade"),
        ),
        (pending.kind, pending.status, pending.reference.as_deref()),
    )?;
    let transfer = approve(
        &f.source.approver.client,
        &transfer.transfer_id,
        "approving the transfer",
    )
    .await?;
    let history = ctx.history(&f.dest.rep.client, &f.dest.account_id).await?;
    let incoming = find(
        &history,
        &format!("incoming transfer {}", transfer.transfer_id),
        |t| t.transaction_id == transfer.transfer_id,
    )?;
    ensure_eq(
        "destination's history: (kind, status, quantity, reference)",
        (
            TransactionKind::Transfer,
            TransactionStatus::Completed,
            15,
            Some("Incoming trade"),
        ),
        (
            incoming.kind,
            incoming.status,
            incoming.quantity,
            incoming.reference.as_deref(),
        ),
    )?;
    ensure_eq(
        "destination's history: (from_account_id, to_account_id)",
        (
            Some(f.source.account_id.as_str()),
            Some(f.dest.account_id.as_str()),
        ),
        (
            incoming.from_account_id.as_deref(),
            incoming.to_account_id.as_deref(),
        ),
    )?;
    ensure_eq(
        "destination's history: serial_ranges",
        ranges_of(&transfer.serial_ranges),
        ranges_of(&incoming.serial_ranges),
    )?;
    Ok(())
}
