//! Robustness: helpers the checks over every write operation share (what a client can observe of
//! an access-matrix [`World`], problem documents), and races for the same units.
//!
//! The write operations come from the published spec ([`super::support::spec`]) and their valid requests
//! from the access matrix's fixtures ([`super::matrix::target`]), so a new write operation is
//! covered by the input and idempotency checks without editing them (and fails them until the
//! matrix knows how to build a request for it).

use ucr_sdk::types::{BlockStatus, TransactionStatus};
use ucr_sdk::{ProblemExt, ProblemKind};

use super::WRITE;
use super::support::{approve, expect_status, funded};
use crate::assert::{ensure_eq, merge_ranges, total};
use crate::check::Check;
use crate::ctx::{Ctx, by_quantity, by_serials};
use crate::ensure;
use crate::outcome::Failure;

pub(super) const CHECKS: &[Check] = &[
    check! {
        id: "A1-RACE-001",
        model: A1,
        seed: WRITE,
        operations: ["initiate_transfer", "approve_transfer", "list_holdings"],
        description: "40 concurrent transfers of 7 units racing for 100: exactly 14 succeed, the rest 409 insufficient-units; after concurrent approvals units are conserved and serials disjoint",
        run: race_by_quantity,
        cites: ["REQ-UNITS-005", "REQ-UNITS-008", "REQ-UNITS-011"],
    },
    check! {
        id: "A1-RACE-002",
        model: A1,
        seed: WRITE,
        operations: ["initiate_transfer", "approve_transfer", "rescind_transfer", "list_holdings"],
        description: "20 concurrent transfers of the same serials: one succeeds, the rest 409 units-locked; concurrent approvals and rescissions of it: exactly one decision wins",
        run: race_by_serials,
        cites: ["REQ-UNITS-008", "REQ-TRANSFER-001", "REQ-TRANSFER-002"],
    },
    check! {
        id: "A1-RACE-003",
        model: A1,
        seed: WRITE,
        operations: ["initiate_transfer", "initiate_cancellation", "create_reservation", "create_escrow"],
        description: "A transfer, a cancellation, a reservation and an escrow racing for the same serials: exactly one takes them, the others answer 409; units are conserved",
        run: race_across_kinds,
        cites: ["REQ-UNITS-005", "REQ-UNITS-008"],
    },
];

async fn race_by_quantity(ctx: Ctx) -> Result<(), Failure> {
    let f = funded(&ctx, 100).await?;
    let mut dests = Vec::new();
    for _ in 0..4 {
        dests.push(ctx.holder_with_one_rep().await?);
    }
    let source = f.source.account_id.as_str();
    let attempts = futures::future::join_all((0..40).map(|i| {
        let to = dests[i % dests.len()].account_id.clone();
        let client = f.source.initiator.client.clone();
        async move {
            client
                .initiate_transfer()
                .body(by_quantity(source, &to, "ACCU", 7))
                .send()
                .await
        }
    }))
    .await;
    let mut won = Vec::new();
    let mut refused = 0;
    for attempt in attempts {
        match attempt {
            Ok(transfer) => won.push(transfer.into_inner()),
            Err(error) => {
                let kind = error.problem_kind();
                ensure!(
                    kind == Some(ProblemKind::InsufficientUnits),
                    "a losing initiation answered {} instead of 409 insufficient-units",
                    crate::assert::describe_error(&error)
                );
                refused += 1;
            }
        }
    }
    ensure_eq("initiations that won 7 of 100 units", 14, won.len())?;
    ensure_eq("initiations refused", 26, refused)?;
    let holdings = ctx.holdings(&f.source.initiator.client, source).await?;
    ensure_eq(
        "pending units in the source (never overdrawn)",
        98,
        total(&holdings, "ACCU", Some(BlockStatus::Pending)),
    )?;
    let pending: Vec<(u64, u64)> = merge_ranges(won.iter().flat_map(|t| {
        t.serial_ranges
            .iter()
            .map(|r| (r.serial_start, r.serial_end))
    }));
    let claimed: u64 = won
        .iter()
        .flat_map(|t| t.serial_ranges.iter())
        .map(|r| r.serial_end - r.serial_start + 1)
        .sum();
    let merged: u64 = pending.iter().map(|(s, e)| e - s + 1).sum();
    ensure_eq(
        "serials claimed by the winning transfers are disjoint (sum of ranges = their union)",
        merged,
        claimed,
    )?;
    let approvals = futures::future::join_all(won.iter().map(|t| {
        approve(
            &f.source.approver.client,
            &t.transfer_id,
            "approve_transfer (concurrent)",
        )
    }))
    .await;
    for approval in approvals {
        expect_status(
            "a concurrent approval",
            TransactionStatus::Completed,
            approval?.status,
        )?;
    }
    let mut all = ctx.holdings(&f.source.initiator.client, source).await?;
    for dest in &dests {
        all.extend(ctx.holdings(&dest.rep.client, &dest.account_id).await?);
    }
    ensure_eq(
        "units over the source and the four destinations (conserved)",
        100,
        total(&all, "ACCU", None),
    )?;
    let ranges: Vec<(u64, u64)> = all.iter().map(|b| (b.serial_start, b.serial_end)).collect();
    let union = merge_ranges(ranges.iter().copied());
    ensure_eq(
        "serials over the accounts: disjoint and exactly the issued block",
        vec![(f.block.serial_start, f.block.serial_end)],
        union,
    )?;
    let held: u64 = ranges.iter().map(|(s, e)| e - s + 1).sum();
    ensure_eq("serials held (no serial in two blocks)", 100, held)?;
    Ok(())
}

async fn race_by_serials(ctx: Ctx) -> Result<(), Failure> {
    let f = funded(&ctx, 30).await?;
    let s = f.block.serial_start;
    let (src, dst) = (f.source.account_id.as_str(), f.dest.account_id.as_str());
    let attempts = futures::future::join_all((0..20).map(|_| {
        f.source
            .initiator
            .client
            .initiate_transfer()
            .body(by_serials(src, dst, "ACCU", &[(s, s + 9)]))
            .send()
    }))
    .await;
    let mut won = Vec::new();
    for attempt in attempts {
        match attempt {
            Ok(transfer) => won.push(transfer.into_inner()),
            Err(error) => ensure!(
                error.problem_kind() == Some(ProblemKind::UnitsLocked),
                "a losing initiation of the same serials answered {} instead of 409 units-locked",
                crate::assert::describe_error(&error)
            ),
        }
    }
    ensure_eq("initiations of the same serials that won", 1, won.len())?;
    let transfer = &won[0];
    let decisions = futures::future::join_all((0..10).map(|i| {
        let id = transfer.transfer_id.clone();
        let approver = f.source.approver.client.clone();
        let initiator = f.source.initiator.client.clone();
        async move {
            if i % 2 == 0 {
                approver
                    .approve_transfer()
                    .transfer_id(&id)
                    .send()
                    .await
                    .map(|t| t.into_inner())
            } else {
                initiator
                    .rescind_transfer()
                    .transfer_id(&id)
                    .send()
                    .await
                    .map(|t| t.into_inner())
            }
        }
    }))
    .await;
    let mut winners = Vec::new();
    for decision in decisions {
        match decision {
            Ok(t) => winners.push(t.status),
            Err(error) => ensure!(
                error.problem_kind() == Some(ProblemKind::InvalidState),
                "a losing decision answered {} instead of 409 invalid-state",
                crate::assert::describe_error(&error)
            ),
        }
    }
    ensure_eq("decisions that won", 1, winners.len())?;
    let source = ctx.holdings(&f.source.initiator.client, src).await?;
    let dest = ctx.holdings(&f.dest.rep.client, dst).await?;
    let moved = total(&dest, "ACCU", None);
    let expected = if winners[0] == TransactionStatus::Completed {
        10
    } else {
        0
    };
    ensure_eq(
        &format!("units in the destination after the {} decision", winners[0]),
        expected,
        moved,
    )?;
    ensure_eq(
        "units over both accounts (conserved)",
        30,
        total(&source, "ACCU", None) + moved,
    )?;
    Ok(())
}

async fn race_across_kinds(ctx: Ctx) -> Result<(), Failure> {
    let f = funded(&ctx, 20).await?;
    let platform = ctx.trading_platform().await?;
    let custodial = ctx
        .custodial_account(&platform, &[&[ucr_sdk::types::Role::Initiator]])
        .await?;
    let s = f.block.serial_start;
    let ranges = vec![ucr_sdk::types::SerialRange {
        serial_start: s,
        serial_end: s + 4,
    }];
    let day = ctx.registry_in(86_400).await?;
    let (src, dst) = (f.source.account_id.as_str(), f.dest.account_id.as_str());
    let client = &f.source.initiator.client;
    let mut reservation =
        super::support::reservation_request(src, &platform, &custodial.account_id, 1, day);
    reservation.quantity = None;
    reservation.serial_ranges = Some(ranges.clone());
    let mut escrow = super::support::escrow_request(src, &platform, 1, day);
    escrow.quantity = None;
    escrow.serial_ranges = Some(ranges.clone());
    let mut cancellation = crate::ctx::cancel_quantity(src, "ACCU", 1);
    cancellation.quantity = None;
    cancellation.serial_ranges = Some(ranges.clone());
    let transfer = by_serials(src, dst, "ACCU", &[(s, s + 4)]);
    let (t, c, r, e) = tokio::join!(
        async {
            client
                .initiate_transfer()
                .body(transfer)
                .send()
                .await
                .map(|_| ())
        },
        async {
            client
                .initiate_cancellation()
                .body(cancellation)
                .send()
                .await
                .map(|_| ())
        },
        async {
            client
                .create_reservation()
                .body(reservation)
                .send()
                .await
                .map(|_| ())
        },
        async { client.create_escrow().body(escrow).send().await.map(|_| ()) },
    );
    let mut winners = 0;
    for (what, outcome) in [
        ("initiate_transfer", t),
        ("initiate_cancellation", c),
        ("create_reservation", r),
        ("create_escrow", e),
    ] {
        match outcome {
            Ok(()) => winners += 1,
            Err(error) => ensure!(
                error.problem_kind() == Some(ProblemKind::UnitsLocked),
                "{what} losing the race answered {} instead of 409 units-locked",
                crate::assert::describe_error(&error)
            ),
        }
    }
    ensure_eq("operations that took the same five serials", 1, winners)?;
    let holdings = ctx.holdings(client, src).await?;
    ensure_eq(
        "units in the source (conserved)",
        20,
        total(&holdings, "ACCU", None),
    )?;
    ensure_eq(
        "units still available (15 untouched)",
        15,
        total(&holdings, "ACCU", Some(BlockStatus::Available)),
    )?;
    Ok(())
}
