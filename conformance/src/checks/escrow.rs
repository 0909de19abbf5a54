//! B.5: the seller places units in escrow inside its account; only the controlling platform can
//! settle them to a buyer (in one step) or release them; the seller cannot move them meanwhile.

use chrono::SubsecRound;
use futures::TryStreamExt;
use ucr_sdk::ProblemKind;
use ucr_sdk::types::{
    Account, BlockStatus, ConsentScope, Escrow, EscrowStatus, EventType, RejectRequest,
    RepresentativeKind, Role, SerialRange, SettleRequest, TransactionKind, TransactionStatus,
    UnitBlock,
};

use super::B5;
use super::support::{
    Market, escrow, escrow_request, expect_event_data, expect_status, get_escrow, get_transfer,
    market, reservation_request,
};
use crate::assert::{
    SdkResultExt, assert_unchanged, ensure_eq, expect_problem_of, merge_ranges, serials, total,
};
use crate::check::Check;
use crate::ctx::{Attrs, Ctx, by_quantity, by_serials, cancel_serials};
use crate::ensure;
use crate::outcome::Failure;
use crate::receiver::new_secret;

pub(super) const CHECKS: &[Check] = &[
    check! {
        id: "B5-ESCROW-001",
        model: B5,
        seed: B5,
        operations: ["create_escrow", "get_escrow", "list_escrows", "list_holdings", "get_account"],
        description: "Escrowed units stay in the seller's account as escrowed; the controller sees them (escrowed) with their attributes through get_escrow, without consent",
        run: escrow_holds_units,
        cites: ["REQ-ESCROW-002", "REQ-ESCROW-003", "REQ-ESCROW-010", "REQ-ESCROW-011", "REQ-ESCROW-009", "REQ-VALIDATION-008", "REQ-UNITS-006", "REQ-CONV-001"],
    },
    check! {
        id: "B5-ESCROW-002",
        model: B5,
        seed: B5,
        operations: ["settle_escrow", "get_transfer", "list_holdings", "list_transactions"],
        description: "The controller settles: the buyer holds the units, the seller no longer; a completed transfer with escrow_id, decided when initiated; signed escrow.settled and transfer.completed",
        run: controller_settles,
        cites: ["REQ-ESCROW-003", "REQ-ESCROW-006", "REQ-ESCROW-007", "REQ-ESCROW-011", "REQ-ACCESS-005", "REQ-TRANSFER-009", "REQ-EVENT-006", "REQ-EVENT-009", "REQ-WEBHOOK-010"],
    },
    check! {
        id: "B5-ESCROW-003",
        model: B5,
        seed: B5,
        operations: ["release_escrow", "list_holdings"],
        description: "The controller releases: the units are available to the seller again and escrow.released is sent to the controller only",
        run: controller_releases,
        cites: ["REQ-ESCROW-003", "REQ-ESCROW-008", "REQ-ESCROW-011", "REQ-EVENT-006"],
    },
    check! {
        id: "B5-ESCROW-004",
        model: B5,
        seed: B5,
        operations: ["settle_escrow", "release_escrow", "initiate_transfer", "initiate_cancellation", "create_reservation"],
        description: "The seller cannot move escrowed units (409 units-locked, not chosen by quantity) nor settle or release them (403 forbidden); nothing changes",
        run: seller_cannot_touch_escrow,
        cites: ["REQ-ESCROW-004", "REQ-UNITS-008", "REQ-UNITS-011", "REQ-CONV-006"],
    },
    check! {
        id: "B5-ESCROW-005",
        model: B5,
        seed: B5,
        operations: ["settle_escrow", "release_escrow"],
        description: "Settling or releasing an escrow that is no longer active answers 409 invalid-state",
        run: finished_escrows_are_final,
        cites: ["REQ-ESCROW-005"],
    },
    check! {
        id: "B5-ESCROW-006",
        model: B5,
        seed: B5,
        operations: ["get_account", "list_holdings", "list_transactions", "get_escrow", "settle_escrow", "release_escrow", "list_escrows"],
        description: "The controller sees nothing else of the account (404); another platform gets 404 on the escrow; settling to the seller's own account answers 422, to an unknown account 422 unknown-account",
        run: controller_is_confined,
        cites: ["REQ-ESCROW-006", "REQ-ESCROW-009", "REQ-ACCESS-001", "REQ-CONV-006"],
    },
    check! {
        id: "B5-ESCROW-007",
        model: B5,
        seed: B5,
        operations: ["create_escrow"],
        description: "An expiry past or over a year ahead or a registry as controller (422), an approver-only caller (403), too many units (409) are refused",
        run: invalid_escrows_refused,
        cites: ["REQ-ESCROW-001", "REQ-APPROVAL-001", "REQ-UNITS-011", "REQ-CONV-006"],
    },
    check! {
        id: "B5-ESCROW-008",
        model: B5,
        seed: B5,
        operations: ["get_escrow", "list_holdings", "settle_escrow"],
        description: "At its expiry (sandbox clock) an active escrow is released automatically with ended_at its expires_at (escrow.released stamped expires_at); it can no longer be settled",
        run: escrow_expires,
        phase: Clock,
        cites: ["REQ-ESCROW-003", "REQ-ESCROW-005", "REQ-ESCROW-008", "REQ-EVENT-003", "REQ-EVENT-006", "REQ-CONV-003"],
    },
    check! {
        id: "B5-ESCROW-009",
        model: B5,
        seed: B5,
        operations: ["create_escrow", "approve_escrow", "settle_escrow", "release_escrow", "get_escrow"],
        description: "An escrow is created pending_approval: its controller can neither settle nor release it (409) nor approve it (403); its initiator cannot approve it on a two-representative account (403 second-approver-required); the approver makes it active",
        run: escrow_needs_an_approver,
        cites: ["REQ-ESCROW-003", "REQ-ESCROW-005", "REQ-ESCROW-012", "REQ-ESCROW-013"],
    },
    check! {
        id: "B5-ESCROW-010",
        model: B5,
        seed: B5,
        operations: ["reject_escrow", "approve_escrow", "get_escrow", "list_holdings"],
        description: "An approver rejects a pending escrow: rejected with decided_by, decided_at, ended_at and reason, its units available again; approving or rejecting it afterwards answers 409",
        run: approver_rejects_escrow,
        cites: ["REQ-ESCROW-003", "REQ-ESCROW-012", "REQ-ESCROW-013"],
    },
    check! {
        id: "B5-ESCROW-011",
        model: B5,
        seed: B5,
        operations: ["get_account", "list_holdings", "list_transactions", "initiate_transfer", "approve_escrow"],
        description: "The controller is listed on the account as an escrow_controller representative (no roles, its escrows) while an escrow is pending or active, and gone once it settled; it still cannot read or act on the account",
        run: controller_is_a_restricted_representative,
        cites: ["REQ-ESCROW-014", "REQ-ESCROW-015", "REQ-ESCROW-012"],
    },
];

const DAY: i64 = 86_400;

/// An escrow of `quantity` units created by the seller's initiator and not yet decided.
async fn propose(ctx: &Ctx, m: &Market, quantity: u64) -> Result<Escrow, Failure> {
    let expires_at = ctx.registry_in(30 * DAY).await?;
    m.seller
        .initiator
        .client
        .create_escrow()
        .body(escrow_request(
            &m.seller.account_id,
            &m.platform,
            quantity,
            expires_at,
        ))
        .send()
        .await
        .expect_ok(&format!(
            "create_escrow of {quantity} units by the seller's initiator"
        ))
}

async fn escrow_needs_an_approver(ctx: Ctx) -> Result<(), Failure> {
    let m = market(&ctx, 40).await?;
    let proposed = propose(&ctx, &m, 20).await?;
    expect_escrow_status(
        "create_escrow",
        EscrowStatus::PendingApproval,
        proposed.status,
    )
    .map_err(|f| f.violates("REQ-ESCROW-003"))?;
    let before = ctx
        .snapshot(&m.seller.approver.client, &m.seller.account_id)
        .await?;
    settle(&m.platform.client, &proposed.escrow_id, &m.buyer.account_id)
        .await
        .expect_problem(
            "settle_escrow of an escrow pending approval, by its controller",
            409,
            ProblemKind::InvalidState,
        )
        .map_err(|f| f.violates("REQ-ESCROW-005"))?;
    m.platform
        .client
        .release_escrow()
        .escrow_id(&proposed.escrow_id)
        .send()
        .await
        .expect_problem(
            "release_escrow of an escrow pending approval, by its controller",
            409,
            ProblemKind::InvalidState,
        )?;
    m.platform
        .client
        .approve_escrow()
        .escrow_id(&proposed.escrow_id)
        .send()
        .await
        .expect_problem(
            "approve_escrow by the escrow's controller",
            403,
            ProblemKind::Forbidden,
        )
        .map_err(|f| f.violates("REQ-ESCROW-012"))?;
    m.seller
        .initiator
        .client
        .approve_escrow()
        .escrow_id(&proposed.escrow_id)
        .send()
        .await
        .expect_problem(
            "approve_escrow by its initiator (initiator role only)",
            403,
            ProblemKind::Forbidden,
        )
        .map_err(|f| f.violates("REQ-ESCROW-012"))?;
    assert_unchanged(
        "after the refused settle, release and approvals",
        &before,
        &ctx.snapshot(&m.seller.approver.client, &m.seller.account_id)
            .await?,
    )?;
    // Four eyes: an initiator who is also an approver cannot approve its own escrow while the
    // account has a second representative.
    let (_, both_account, reps) = ctx
        .holder_with_reps(&[&[Role::Initiator, Role::Approver], &[Role::Approver]])
        .await?;
    ctx.issue(&both_account, 10, &Attrs::accu()).await?;
    let both = &reps[0];
    let own = both
        .client
        .create_escrow()
        .body(escrow_request(
            &both_account,
            &m.platform,
            5,
            ctx.registry_in(30 * DAY).await?,
        ))
        .send()
        .await
        .expect_ok("create_escrow by a representative holding both roles")?;
    both.client
        .approve_escrow()
        .escrow_id(&own.escrow_id)
        .send()
        .await
        .expect_problem(
            "approve_escrow by its own initiator (who also holds the approver role) on a two-representative account",
            403,
            ProblemKind::SecondApproverRequired,
        )
        .map_err(|f| f.violates("REQ-ESCROW-012"))?;
    reps[1]
        .client
        .approve_escrow()
        .escrow_id(&own.escrow_id)
        .send()
        .await
        .expect_ok("approve_escrow by the second representative")?;
    let still = get_escrow(&m.platform.client, &proposed.escrow_id, "get_escrow").await?;
    expect_escrow_status(
        "get_escrow after the refusals",
        EscrowStatus::PendingApproval,
        still.status,
    )?;

    let at = ctx.registry_now().await?;
    let approved = m
        .seller
        .approver
        .client
        .approve_escrow()
        .escrow_id(&proposed.escrow_id)
        .send()
        .await
        .expect_ok("approve_escrow by the seller's approver")?;
    expect_escrow_status("approve_escrow", EscrowStatus::Active, approved.status)?;
    ensure_eq(
        "approve_escrow: decided_by",
        Some(m.seller.approver.id.as_str()),
        approved.decided_by.as_deref(),
    )
    .map_err(|f| f.violates("REQ-ESCROW-013"))?;
    ensure!(
        approved
            .decided_at
            .is_some_and(|d| d >= at.trunc_subsecs(0)),
        "approve_escrow: decided_at {:?} is not the time of the approval (at or after {at})",
        approved.decided_at
    );
    let settled = settle(&m.platform.client, &proposed.escrow_id, &m.buyer.account_id)
        .await
        .expect_ok("settle_escrow of the approved escrow, by its controller")?;
    expect_escrow_status("settle_escrow", EscrowStatus::Settled, settled.status)
}

async fn approver_rejects_escrow(ctx: Ctx) -> Result<(), Failure> {
    let m = market(&ctx, 40).await?;
    let s = m.block.serial_start;
    let proposed = propose(&ctx, &m, 15).await?;
    let rejected = m
        .seller
        .approver
        .client
        .reject_escrow()
        .escrow_id(&proposed.escrow_id)
        .body(RejectRequest {
            reason: "Trade called off".parse().ok(),
        })
        .send()
        .await
        .expect_ok("reject_escrow by the seller's approver")?;
    expect_escrow_status("reject_escrow", EscrowStatus::Rejected, rejected.status)?;
    ensure_eq(
        "reject_escrow: (decided_by, reason)",
        (
            Some(m.seller.approver.id.as_str()),
            Some("Trade called off"),
        ),
        (rejected.decided_by.as_deref(), rejected.reason.as_deref()),
    )
    .map_err(|f| f.violates("REQ-ESCROW-013"))?;
    ensure!(
        rejected.decided_at.is_some() && rejected.decided_at == rejected.ended_at,
        "reject_escrow: decided_at {:?} and ended_at {:?} must both be the time of the rejection",
        rejected.decided_at,
        rejected.ended_at
    );
    let blocks = ctx
        .holdings(&m.seller.approver.client, &m.seller.account_id)
        .await?;
    ensure_eq(
        "the seller's available serials after the rejection",
        vec![(s, s + 39)],
        serials(&blocks, "ACCU", Some(BlockStatus::Available)),
    )
    .map_err(|f| f.violates("REQ-ESCROW-013"))?;
    let before = ctx
        .snapshot(&m.seller.approver.client, &m.seller.account_id)
        .await?;
    m.seller
        .approver
        .client
        .approve_escrow()
        .escrow_id(&proposed.escrow_id)
        .send()
        .await
        .expect_problem(
            "approve_escrow of a rejected escrow",
            409,
            ProblemKind::InvalidState,
        )
        .map_err(|f| f.violates("REQ-ESCROW-012"))?;
    m.seller
        .approver
        .client
        .reject_escrow()
        .escrow_id(&proposed.escrow_id)
        .body(RejectRequest { reason: None })
        .send()
        .await
        .expect_problem(
            "reject_escrow of a rejected escrow",
            409,
            ProblemKind::InvalidState,
        )?;
    assert_unchanged(
        "after the refused decisions",
        &before,
        &ctx.snapshot(&m.seller.approver.client, &m.seller.account_id)
            .await?,
    )?;
    let seen = get_escrow(&m.platform.client, &proposed.escrow_id, "get_escrow").await?;
    expect_escrow_status(
        "get_escrow after the refusals",
        EscrowStatus::Rejected,
        seen.status,
    )
}

/// The account's representatives of kind `escrow_controller`, as (ID, roles held, escrow IDs).
fn controllers(account: &Account) -> Vec<(String, usize, Vec<String>)> {
    account
        .representatives
        .iter()
        .filter(|r| r.kind == RepresentativeKind::EscrowController)
        .map(|r| {
            (
                r.representative_id.clone(),
                r.roles.len(),
                r.escrow_ids.clone(),
            )
        })
        .collect()
}

async fn controller_is_a_restricted_representative(ctx: Ctx) -> Result<(), Failure> {
    let m = market(&ctx, 40).await?;
    let read = |what: &'static str| {
        let client = m.seller.approver.client.clone();
        let account_id = m.seller.account_id.clone();
        async move {
            client
                .get_account()
                .account_id(&account_id)
                .send()
                .await
                .expect_ok(what)
        }
    };
    let before = read("get_account before any escrow").await?;
    ensure_eq(
        "get_account before any escrow: escrow controllers",
        Vec::<(String, usize, Vec<String>)>::new(),
        controllers(&before),
    )?;
    let pending = propose(&ctx, &m, 10).await?;
    let active = place(&ctx, &m, 10).await?;
    let mut both = vec![pending.escrow_id.clone(), active.escrow_id.clone()];
    both.sort();
    let during = read("get_account with one pending and one active escrow").await?;
    ensure_eq(
        "get_account: the escrow controllers (id, number of roles, escrow_ids)",
        vec![(m.platform.platform_id.clone(), 0, both)],
        controllers(&during),
    )
    .map_err(|f| f.violates("REQ-ESCROW-014"))?;
    ensure!(
        during
            .representatives
            .iter()
            .filter(|r| r.representative_id != m.platform.platform_id)
            .all(|r| r.kind == RepresentativeKind::Authorised),
        "get_account: every other representative must be of kind authorised"
    );

    // Listed as a representative, the controller still reads nothing of the account and acts on
    // nothing but its escrows.
    let c = &m.platform.client;
    let account_id = m.seller.account_id.as_str();
    c.get_account()
        .account_id(account_id)
        .send()
        .await
        .expect_problem(
            "get_account by the escrow controller",
            404,
            ProblemKind::NotFound,
        )
        .map_err(|f| f.violates("REQ-ESCROW-015"))?;
    c.list_holdings()
        .account_id(account_id)
        .send()
        .await
        .expect_problem(
            "list_holdings by the escrow controller",
            404,
            ProblemKind::NotFound,
        )
        .map_err(|f| f.violates("REQ-ESCROW-015"))?;
    c.list_transactions()
        .account_id(account_id)
        .send()
        .await
        .expect_problem(
            "list_transactions by the escrow controller",
            404,
            ProblemKind::NotFound,
        )
        .map_err(|f| f.violates("REQ-ESCROW-015"))?;
    c.initiate_transfer()
        .body(by_quantity(account_id, &m.buyer.account_id, "ACCU", 1))
        .send()
        .await
        .expect_problem(
            "initiate_transfer by the escrow controller",
            404,
            ProblemKind::NotFound,
        )
        .map_err(|f| f.violates("REQ-ESCROW-015"))?;

    m.seller
        .approver
        .client
        .reject_escrow()
        .escrow_id(&pending.escrow_id)
        .body(RejectRequest { reason: None })
        .send()
        .await
        .expect_ok("reject_escrow of the pending escrow")?;
    settle(&m.platform.client, &active.escrow_id, &m.buyer.account_id)
        .await
        .expect_ok("settle_escrow of the active escrow")?;
    let after = read("get_account once no escrow is pending or active").await?;
    ensure_eq(
        "get_account once no escrow is pending or active: escrow controllers",
        Vec::<(String, usize, Vec<String>)>::new(),
        controllers(&after),
    )
    .map_err(|f| f.violates("REQ-ESCROW-014"))
}

fn expect_escrow_status(
    what: &str,
    expected: EscrowStatus,
    actual: EscrowStatus,
) -> Result<(), Failure> {
    ensure_eq(&format!("{what}: status"), expected, actual)
}

async fn place(ctx: &Ctx, m: &Market, quantity: u64) -> Result<Escrow, Failure> {
    let expires_at = ctx.registry_in(30 * DAY).await?;
    escrow(
        &m.seller.initiator.client,
        &m.seller.approver.client,
        escrow_request(&m.seller.account_id, &m.platform, quantity, expires_at),
        &format!("create_escrow of {quantity} units by the seller's initiator"),
    )
    .await
}

fn escrowed_serials(escrow: &Escrow) -> Vec<(u64, u64)> {
    merge_ranges(escrow.blocks.iter().map(|b| (b.serial_start, b.serial_end)))
}

fn attributes(block: &UnitBlock) -> (Option<&str>, &str, Option<&str>, &str) {
    (
        block.project_id.as_deref(),
        &block.vintage,
        block.method.as_deref(),
        &block.state,
    )
}

async fn settle(
    client: &ucr_sdk::Client,
    escrow_id: &str,
    to_account_id: &str,
) -> Result<ucr_sdk::ResponseValue<Escrow>, ucr_sdk::ApiError> {
    client
        .settle_escrow()
        .escrow_id(escrow_id)
        .body(SettleRequest {
            to_account_id: to_account_id.to_owned(),
            reference: None,
        })
        .send()
        .await
}

async fn escrow_holds_units(ctx: Ctx) -> Result<(), Failure> {
    let m = market(&ctx, 100).await?;
    let s = m.block.serial_start;
    // Whole seconds, so that every precision an implementation may emit holds the instant exactly
    // (REQ-CONV-001).
    let expires_at = ctx.registry_in(30 * DAY).await?.trunc_subsecs(0);
    let placed = escrow(
        &m.seller.initiator.client,
        &m.seller.approver.client,
        escrow_request(&m.seller.account_id, &m.platform, 30, expires_at),
        "create_escrow",
    )
    .await?;
    ensure_eq(
        "create_escrow, then approve_escrow: status",
        EscrowStatus::Active,
        placed.status,
    )?;
    ensure_eq(
        "create_escrow: (account, controller, unit type, quantity, created_by)",
        (
            m.seller.account_id.as_str(),
            m.platform.platform_id.as_str(),
            "ACCU",
            30,
            m.seller.initiator.id.as_str(),
        ),
        (
            placed.account_id.as_str(),
            placed.controller_id.as_str(),
            placed.unit_type.as_str(),
            placed.quantity,
            placed.created_by.as_str(),
        ),
    )?;
    ensure_eq(
        "create_escrow: expires_at (as an instant)",
        expires_at,
        placed.expires_at,
    )?;
    ensure_eq(
        "create_escrow: the escrowed blocks' serials (the lowest available)",
        vec![(s, s + 29)],
        escrowed_serials(&placed),
    )?;
    ensure!(
        placed.ended_at.is_none()
            && placed.settled_to_account_id.is_none()
            && placed.transaction_id.is_none(),
        "an active escrow has no ended_at, settled_to_account_id or transaction_id"
    );
    let blocks = ctx
        .holdings(&m.seller.approver.client, &m.seller.account_id)
        .await?;
    ensure_eq(
        "the seller's escrowed serials",
        vec![(s, s + 29)],
        serials(&blocks, "ACCU", Some(BlockStatus::Escrowed)),
    )?;
    let account = m
        .seller
        .approver
        .client
        .get_account()
        .account_id(&m.seller.account_id)
        .send()
        .await
        .expect_ok("get_account")?;
    ensure_eq(
        "get_account: ACCU (available, escrowed)",
        Some((70, 30)),
        account
            .balances
            .iter()
            .find(|b| b.unit_type == "ACCU")
            .map(|b| (b.available, b.escrowed)),
    )?;

    let seen = get_escrow(
        &m.platform.client,
        &placed.escrow_id,
        "get_escrow by the controller (no consent)",
    )
    .await?;
    ensure_eq(
        "get_escrow by the controller: escrowed serials",
        vec![(s, s + 29)],
        escrowed_serials(&seen),
    )?;
    for block in &seen.blocks {
        ensure_eq(
            "get_escrow by the controller of an active escrow: status of a block",
            BlockStatus::Escrowed,
            block.status,
        )?;
        ensure_eq(
            "get_escrow by the controller: attributes of an escrowed block",
            attributes(&m.block),
            attributes(block),
        )?;
        ensure_eq(
            "get_escrow by the controller: unit type of an escrowed block",
            "ACCU",
            block.unit_type.as_str(),
        )?;
    }
    let controlled: Vec<Escrow> = m
        .platform
        .client
        .list_escrows()
        .limit(200u32)
        .stream()
        .try_collect()
        .await
        .map_err(|e| Failure::from(e).context("list_escrows by the controller"))?;
    ensure_eq(
        "list_escrows by the controller",
        vec![placed.escrow_id.as_str()],
        controlled.iter().map(|e| e.escrow_id.as_str()).collect(),
    )?;
    let of_account: Vec<Escrow> = m
        .seller
        .approver
        .client
        .list_escrows()
        .account_id(&m.seller.account_id)
        .limit(200u32)
        .stream()
        .try_collect()
        .await
        .map_err(|e| Failure::from(e).context("list_escrows by the seller's representative"))?;
    ensure_eq(
        "list_escrows of the seller's account",
        vec![&placed],
        of_account.iter().collect(),
    )
}

async fn controller_settles(ctx: Ctx) -> Result<(), Failure> {
    let m = market(&ctx, 60).await?;
    let hook = ctx
        .subscribe_if_declared(
            &m.platform,
            &[EventType::EscrowSettled, EventType::TransferCompleted],
            Some(new_secret()),
        )
        .await?;
    let placed = place(&ctx, &m, 25).await?;
    let moved = escrowed_serials(&placed);
    let settled = settle(&m.platform.client, &placed.escrow_id, &m.buyer.account_id)
        .await
        .expect_ok("settle_escrow by the controller")?;
    ensure_eq(
        "settle_escrow: status",
        EscrowStatus::Settled,
        settled.status,
    )?;
    ensure_eq(
        "settle_escrow: settled_to_account_id",
        Some(m.buyer.account_id.as_str()),
        settled.settled_to_account_id.as_deref(),
    )?;
    ensure!(
        settled.ended_at.is_some(),
        "a settled escrow must have ended_at"
    );
    let transaction_id = settled.transaction_id.clone().ok_or_else(|| {
        Failure::new("settle_escrow: a settled escrow must name its transaction_id")
    })?;

    let bought = ctx
        .holdings(&m.buyer.rep.client, &m.buyer.account_id)
        .await?;
    ensure_eq(
        "the buyer's available serials after the settlement",
        moved.clone(),
        serials(&bought, "ACCU", Some(BlockStatus::Available)),
    )?;
    for block in &bought {
        ensure_eq(
            "attributes of the settled units",
            attributes(&m.block),
            attributes(block),
        )?;
    }
    let left = ctx
        .holdings(&m.seller.approver.client, &m.seller.account_id)
        .await?;
    ensure_eq(
        "the seller's units after the settlement: none escrowed, 35 available",
        (0, 35),
        (
            total(&left, "ACCU", Some(BlockStatus::Escrowed)),
            total(&left, "ACCU", Some(BlockStatus::Available)),
        ),
    )?;
    let still_held: Vec<(u64, u64)> = serials(&left, "ACCU", None)
        .into_iter()
        .filter(|(a, b)| moved.iter().any(|(c, d)| a <= d && c <= b))
        .collect();
    ensure!(
        still_held.is_empty(),
        "the seller still holds settled serials {still_held:?}"
    );

    let transfer = get_transfer(
        &m.buyer.rep.client,
        &transaction_id,
        "get_transfer of the settlement by the buyer's representative",
    )
    .await?;
    expect_status(
        "the settlement transfer",
        TransactionStatus::Completed,
        transfer.status,
    )?;
    ensure_eq(
        "the settlement transfer: (escrow_id, from, to, quantity, initiated_by, decided_by)",
        (
            Some(placed.escrow_id.as_str()),
            m.seller.account_id.as_str(),
            m.buyer.account_id.as_str(),
            25,
            m.platform.platform_id.as_str(),
            Some(m.platform.platform_id.as_str()),
        ),
        (
            transfer.escrow_id.as_deref(),
            transfer.from_account_id.as_str(),
            transfer.to_account_id.as_str(),
            transfer.quantity,
            transfer.initiated_by.as_str(),
            transfer.decided_by.as_deref(),
        ),
    )?;
    ensure_eq(
        "the settlement transfer: serials",
        moved,
        crate::assert::ranges_of(&transfer.serial_ranges),
    )?;
    ensure_eq(
        "the settlement transfer: decided_at (its initiated_at)",
        Some(transfer.initiated_at),
        transfer.decided_at,
    )?;
    ensure!(
        transfer.expires_at >= transfer.initiated_at,
        "the settlement transfer: expires_at {} is before initiated_at {}",
        transfer.expires_at,
        transfer.initiated_at
    );
    let history = ctx
        .history(&m.seller.initiator.client, &m.seller.account_id)
        .await?;
    let entry = history
        .iter()
        .find(|t| t.transaction_id == transaction_id)
        .ok_or_else(|| {
            Failure::new(format!(
                "the seller's history does not list the settlement {transaction_id}"
            ))
        })?;
    ensure_eq(
        "the settlement in the seller's history: (kind, status)",
        (TransactionKind::Transfer, TransactionStatus::Completed),
        (entry.kind, entry.status),
    )?;

    if let Some(hook) = &hook {
        let event = hook
            .expect_event(EventType::EscrowSettled, "after the settlement", |d| {
                d.escrow_id.as_deref() == Some(placed.escrow_id.as_str())
            })
            .await?;
        expect_event_data("escrow.settled", &event, &m.seller.account_id, "settled")?;
        let completed = hook
            .expect_event(
                EventType::TransferCompleted,
                "after the settlement (the controller gets transfer.completed for it)",
                |d| d.transfer_id.as_deref() == Some(transaction_id.as_str()),
            )
            .await?;
        ensure_eq(
            "transfer.completed for the settlement: data.status",
            "completed",
            completed.event.data.status.as_str(),
        )?;
    }
    Ok(())
}

async fn controller_releases(ctx: Ctx) -> Result<(), Failure> {
    let m = market(&ctx, 40).await?;
    let hook = ctx
        .subscribe_if_declared(&m.platform, &[EventType::EscrowReleased], None)
        .await?;
    // REQ-EVENT-006: escrow events go to the controller only, not to another platform reading
    // the seller's account.
    let bystander = ctx.trading_platform().await?;
    ctx.grant(
        &m.seller.initiator,
        &m.seller.account_id,
        &bystander,
        &[ConsentScope::HoldingsRead, ConsentScope::TransactionsRead],
    )
    .await?;
    let bystander_hook = ctx
        .subscribe_if_declared(&bystander, &[EventType::EscrowReleased], None)
        .await?;
    let placed = place(&ctx, &m, 15).await?;
    let released = m
        .platform
        .client
        .release_escrow()
        .escrow_id(&placed.escrow_id)
        .send()
        .await
        .expect_ok("release_escrow by the controller")?;
    ensure_eq(
        "release_escrow: status",
        EscrowStatus::Released,
        released.status,
    )?;
    ensure!(
        released.ended_at.is_some() && released.transaction_id.is_none(),
        "a released escrow has ended_at and no transaction_id"
    );
    let blocks = ctx
        .holdings(&m.seller.approver.client, &m.seller.account_id)
        .await?;
    ensure_eq(
        "the seller's available units after the release",
        40,
        total(&blocks, "ACCU", Some(BlockStatus::Available)),
    )?;
    if let Some(hook) = &hook {
        let event = hook
            .expect_event(EventType::EscrowReleased, "after the release", |d| {
                d.escrow_id.as_deref() == Some(placed.escrow_id.as_str())
            })
            .await?;
        expect_event_data("escrow.released", &event, &m.seller.account_id, "released")?;
    }
    if let Some(bystander_hook) = &bystander_hook {
        let arrived = bystander_hook
            .wait_deliveries(std::time::Duration::from_secs(1), |d| !d.is_empty())
            .await;
        ensure!(
            arrived.is_empty(),
            "escrow.released must go to the escrow's controller only, but {} deliveries arrived for another platform with a consent on the seller's account",
            arrived.len()
        );
    }
    // The units can be moved by the seller again.
    let transfer = super::support::initiate(
        &m.seller.initiator.client,
        by_serials(
            &m.seller.account_id,
            &m.buyer.account_id,
            "ACCU",
            &escrowed_serials(&placed),
        ),
        "initiate_transfer of the released units by the seller",
    )
    .await?;
    expect_status(
        "the transfer of released units",
        TransactionStatus::PendingApproval,
        transfer.status,
    )
}

async fn seller_cannot_touch_escrow(ctx: Ctx) -> Result<(), Failure> {
    let m = market(&ctx, 100).await?;
    let placed = place(&ctx, &m, 60).await?;
    let s = m.block.serial_start;
    ensure_eq(
        "the escrow's serials",
        vec![(s, s + 59)],
        escrowed_serials(&placed),
    )?;
    let before = ctx
        .snapshot(&m.seller.approver.client, &m.seller.account_id)
        .await?;
    settle(
        &m.seller.initiator.client,
        &placed.escrow_id,
        &m.buyer.account_id,
    )
    .await
    .expect_problem(
        "settle_escrow by the seller's initiator",
        403,
        ProblemKind::Forbidden,
    )?;
    m.seller
        .approver
        .client
        .release_escrow()
        .escrow_id(&placed.escrow_id)
        .send()
        .await
        .expect_problem(
            "release_escrow by the seller's approver",
            403,
            ProblemKind::Forbidden,
        )?;
    let seller = &m.seller.initiator.client;
    seller
        .initiate_transfer()
        .body(by_serials(
            &m.seller.account_id,
            &m.buyer.account_id,
            "ACCU",
            &[(s + 5, s + 9)],
        ))
        .send()
        .await
        .expect_problem(
            "initiate_transfer of escrowed serials",
            409,
            ProblemKind::UnitsLocked,
        )?;
    seller
        .initiate_transfer()
        .body(by_quantity(
            &m.seller.account_id,
            &m.buyer.account_id,
            "ACCU",
            41,
        ))
        .send()
        .await
        .expect_problem(
            "initiate_transfer of 41 units by quantity when 40 are available and 60 escrowed",
            409,
            ProblemKind::InsufficientUnits,
        )?;
    seller
        .initiate_cancellation()
        .body(cancel_serials(&m.seller.account_id, "ACCU", &[(s, s)]))
        .send()
        .await
        .expect_problem(
            "initiate_cancellation of an escrowed serial",
            409,
            ProblemKind::UnitsLocked,
        )?;
    let custodial = ctx
        .custodial_account(&m.platform, &[&[ucr_sdk::types::Role::Initiator]])
        .await?;
    let mut reservation = reservation_request(
        &m.seller.account_id,
        &m.platform,
        &custodial.account_id,
        1,
        ctx.registry_in(DAY).await?,
    );
    reservation.quantity = None;
    reservation.serial_ranges = Some(vec![SerialRange {
        serial_start: s + 1,
        serial_end: s + 1,
    }]);
    seller
        .create_reservation()
        .body(reservation)
        .send()
        .await
        .expect_problem(
            "create_reservation of an escrowed serial",
            409,
            ProblemKind::UnitsLocked,
        )?;
    let after = ctx
        .snapshot(&m.seller.approver.client, &m.seller.account_id)
        .await?;
    assert_unchanged("after the seller's refused requests", &before, &after)?;
    ensure_eq(
        "the escrow after the seller's refused requests: status",
        EscrowStatus::Active,
        get_escrow(&m.platform.client, &placed.escrow_id, "get_escrow")
            .await?
            .status,
    )
}

async fn finished_escrows_are_final(ctx: Ctx) -> Result<(), Failure> {
    let m = market(&ctx, 40).await?;
    let first = place(&ctx, &m, 10).await?;
    settle(&m.platform.client, &first.escrow_id, &m.buyer.account_id)
        .await
        .expect_ok("settle_escrow")?;
    let second = place(&ctx, &m, 10).await?;
    m.platform
        .client
        .release_escrow()
        .escrow_id(&second.escrow_id)
        .send()
        .await
        .expect_ok("release_escrow")?;
    for (state, escrow) in [("settled", &first), ("released", &second)] {
        settle(&m.platform.client, &escrow.escrow_id, &m.buyer.account_id)
            .await
            .expect_problem(
                &format!("settle_escrow of a {state} escrow"),
                409,
                ProblemKind::InvalidState,
            )?;
        m.platform
            .client
            .release_escrow()
            .escrow_id(&escrow.escrow_id)
            .send()
            .await
            .expect_problem(
                &format!("release_escrow of a {state} escrow"),
                409,
                ProblemKind::InvalidState,
            )?;
    }
    ensure_eq(
        "the buyer's units (only the first escrow's)",
        10,
        total(
            &ctx.holdings(&m.buyer.rep.client, &m.buyer.account_id)
                .await?,
            "ACCU",
            None,
        ),
    )
}

async fn controller_is_confined(ctx: Ctx) -> Result<(), Failure> {
    let m = market(&ctx, 40).await?;
    let placed = place(&ctx, &m, 10).await?;
    let rival = ctx.trading_platform().await?;
    let controller = &m.platform.client;
    let what = |op: &str| format!("{op} of the seller's account by the escrow's controller");
    controller
        .get_account()
        .account_id(&m.seller.account_id)
        .send()
        .await
        .expect_problem(&what("get_account"), 404, ProblemKind::NotFound)?;
    controller
        .list_holdings()
        .account_id(&m.seller.account_id)
        .send()
        .await
        .expect_problem(&what("list_holdings"), 404, ProblemKind::NotFound)?;
    controller
        .list_transactions()
        .account_id(&m.seller.account_id)
        .send()
        .await
        .expect_problem(&what("list_transactions"), 404, ProblemKind::NotFound)?;

    let before = ctx
        .snapshot(&m.seller.approver.client, &m.seller.account_id)
        .await?;
    rival
        .client
        .get_escrow()
        .escrow_id(&placed.escrow_id)
        .send()
        .await
        .expect_problem("get_escrow by another platform", 404, ProblemKind::NotFound)?;
    settle(&rival.client, &placed.escrow_id, &m.buyer.account_id)
        .await
        .expect_problem(
            "settle_escrow of another platform's escrow",
            404,
            ProblemKind::NotFound,
        )?;
    rival
        .client
        .release_escrow()
        .escrow_id(&placed.escrow_id)
        .send()
        .await
        .expect_problem(
            "release_escrow of another platform's escrow",
            404,
            ProblemKind::NotFound,
        )?;
    m.buyer
        .rep
        .client
        .get_escrow()
        .escrow_id(&placed.escrow_id)
        .send()
        .await
        .expect_problem(
            "get_escrow by the buyer's representative",
            404,
            ProblemKind::NotFound,
        )?;
    let theirs: Vec<Escrow> = rival
        .client
        .list_escrows()
        .limit(200u32)
        .stream()
        .try_collect()
        .await
        .map_err(|e| Failure::from(e).context("list_escrows by another platform"))?;
    ensure!(
        theirs.is_empty(),
        "list_escrows by another platform shows {:?}",
        theirs.iter().map(|e| &e.escrow_id).collect::<Vec<_>>()
    );
    expect_problem_of(
        "settle_escrow to the seller's own account",
        settle(&m.platform.client, &placed.escrow_id, &m.seller.account_id).await,
        &[(422, ProblemKind::ValidationFailed)],
    )?;
    settle(&m.platform.client, &placed.escrow_id, "AU-9999999")
        .await
        .expect_problem(
            "settle_escrow to an account that does not exist",
            422,
            ProblemKind::UnknownAccount,
        )?;
    let after = ctx
        .snapshot(&m.seller.approver.client, &m.seller.account_id)
        .await?;
    assert_unchanged("after the refused requests", &before, &after)?;
    ensure_eq(
        "the escrow after the refused requests: status",
        EscrowStatus::Active,
        get_escrow(
            controller,
            &placed.escrow_id,
            "get_escrow by the controller",
        )
        .await?
        .status,
    )
}

async fn invalid_escrows_refused(ctx: Ctx) -> Result<(), Failure> {
    let m = market(&ctx, 30).await?;
    let registry = ctx.third_party_registry().await?;
    let month = ctx.registry_in(30 * DAY).await?;
    let before = ctx
        .snapshot(&m.seller.approver.client, &m.seller.account_id)
        .await?;
    let cases = [
        (
            "expires_at a minute ago by the registry's clock",
            escrow_request(
                &m.seller.account_id,
                &m.platform,
                10,
                ctx.registry_in(-60).await?,
            ),
        ),
        (
            "expires_at more than a year ahead",
            escrow_request(
                &m.seller.account_id,
                &m.platform,
                10,
                ctx.registry_in(367 * DAY).await?,
            ),
        ),
        (
            "a third-party registry as controller",
            escrow_request(&m.seller.account_id, &registry, 10, month),
        ),
    ];
    for (case, body) in cases {
        m.seller
            .initiator
            .client
            .create_escrow()
            .body(body)
            .send()
            .await
            .expect_problem(
                &format!("create_escrow with {case}"),
                422,
                ProblemKind::ValidationFailed,
            )?;
    }
    m.seller
        .approver
        .client
        .create_escrow()
        .body(escrow_request(&m.seller.account_id, &m.platform, 10, month))
        .send()
        .await
        .expect_problem(
            "create_escrow by a representative with the approver role only",
            403,
            ProblemKind::Forbidden,
        )?;
    m.seller
        .initiator
        .client
        .create_escrow()
        .body(escrow_request(&m.seller.account_id, &m.platform, 31, month))
        .send()
        .await
        .expect_problem(
            "create_escrow of 31 units when 30 are available",
            409,
            ProblemKind::InsufficientUnits,
        )?;
    let after = ctx
        .snapshot(&m.seller.approver.client, &m.seller.account_id)
        .await?;
    assert_unchanged("after the refused escrows", &before, &after)
}

async fn escrow_expires(ctx: Ctx) -> Result<(), Failure> {
    let m = market(&ctx, 20).await?;
    let hook = ctx
        .subscribe_if_declared(&m.platform, &[EventType::EscrowReleased], None)
        .await?;
    let placed = escrow(
        &m.seller.initiator.client,
        &m.seller.approver.client,
        escrow_request(
            &m.seller.account_id,
            &m.platform,
            12,
            ctx.registry_in(3600).await?,
        ),
        "create_escrow expiring in an hour",
    )
    .await?;
    ctx.advance_clock(3600 + 60).await?;
    let released = get_escrow(
        &m.platform.client,
        &placed.escrow_id,
        "get_escrow after its expiry",
    )
    .await?;
    ensure_eq(
        "the escrow after its expiry: (status, ended_at: its expires_at)",
        (EscrowStatus::Released, Some(placed.expires_at)),
        (released.status, released.ended_at),
    )?;
    let blocks = ctx
        .holdings(&m.seller.approver.client, &m.seller.account_id)
        .await?;
    ensure_eq(
        "the seller's available units after the escrow expired",
        20,
        total(&blocks, "ACCU", Some(BlockStatus::Available)),
    )?;
    if let Some(hook) = &hook {
        let event = hook
            .expect_event(EventType::EscrowReleased, "after the expiry", |d| {
                d.escrow_id.as_deref() == Some(placed.escrow_id.as_str())
            })
            .await?;
        expect_event_data(
            "escrow.released on expiry",
            &event,
            &m.seller.account_id,
            "released",
        )?;
        ensure_eq(
            "escrow.released on expiry: timestamp (the escrow's expires_at)",
            placed.expires_at,
            event.event.timestamp,
        )?;
    }
    settle(&m.platform.client, &placed.escrow_id, &m.buyer.account_id)
        .await
        .expect_problem(
            "settle_escrow of an expired (released) escrow",
            409,
            ProblemKind::InvalidState,
        )?;
    Ok(())
}
