//! B.3: the seller transfers units to the trading platform's custodial account, and the platform's
//! representatives transfer them on to the buyer, with four eyes, as on any account.

use ucr_sdk::ProblemKind;
use ucr_sdk::types::{
    AccountKind, Balance, BlockStatus, Role, TransactionKind, TransactionStatus, UnitBlock,
};

use super::B3;
use super::support::{Market, account_ids, approve, expect_status, initiate, market};
use crate::assert::{SdkResultExt, assert_unchanged, ensure_eq, ranges_of, serials};
use crate::check::Check;
use crate::ctx::{Attrs, Ctx, by_quantity, by_serials};
use crate::ensure;
use crate::outcome::Failure;

pub(super) const CHECKS: &[Check] = &[
    check! {
        id: "B3-CUSTODY-001",
        model: B3,
        seed: B3,
        operations: ["initiate_transfer", "approve_transfer", "get_account", "list_holdings", "list_transactions"],
        description: "Seller → custodial account → buyer: serials and attributes travel intact, balances and histories are right at every step",
        run: full_custody_path,
        cites: ["REQ-TRANSFER-003", "REQ-TRANSFER-009", "REQ-UNITS-005", "REQ-UNITS-006"],
    },
    check! {
        id: "B3-CUSTODY-002",
        model: B3,
        seed: B3,
        operations: ["list_accounts", "approve_transfer"],
        description: "A platform representative sees only the custodial accounts it is appointed to, and four eyes holds on them (403 second-approver-required)",
        run: custodial_four_eyes,
        cites: ["REQ-ACCESS-002", "REQ-APPROVAL-004"],
    },
    check! {
        id: "B3-CUSTODY-003",
        model: B3,
        seed: B3,
        operations: ["initiate_transfer", "get_account", "list_holdings"],
        description: "Once in custody, the seller's and the buyer's representatives cannot see or move the units (404 not-found); nothing changes",
        run: custody_is_the_platforms,
        cites: ["REQ-ACCESS-001", "REQ-ACCESS-002", "REQ-CONV-006"],
    },
    check! {
        id: "B3-CUSTODY-004",
        model: B3,
        seed: B3,
        operations: ["initiate_transfer", "approve_transfer", "list_holdings"],
        description: "Withdrawal (Figure 4): the platform's representatives return units from custody to the seller's account, which they cannot see, under four eyes; the seller holds the same serials and attributes, available",
        run: custodial_withdrawal,
        cites: ["REQ-TRANSFER-003", "REQ-TRANSFER-006", "REQ-UNITS-006"],
    },
];

async fn custodial_withdrawal(ctx: Ctx) -> Result<(), Failure> {
    let Market {
        seller,
        platform,
        block,
        ..
    } = market(&ctx, 40).await?;
    let custodial = ctx
        .custodial_account(&platform, &[&[Role::Initiator], &[Role::Approver]])
        .await?;
    let (trader, checker) = (&custodial.reps[0], &custodial.reps[1]);
    let listing = initiate(
        &seller.initiator.client,
        by_quantity(&seller.account_id, &custodial.account_id, "ACCU", 15),
        "initiate_transfer seller → custodial account",
    )
    .await?;
    approve(
        &seller.approver.client,
        &listing.transfer_id,
        "approve_transfer seller → custodial account",
    )
    .await?;
    let listed = ranges_of(&listing.serial_ranges);

    // The seller withdraws its listing: the platform sends the same serials back.
    let withdrawal = initiate(
        &trader.client,
        by_serials(&custodial.account_id, &seller.account_id, "ACCU", &listed),
        "initiate_transfer custodial account → seller (withdrawal), by the platform's initiator",
    )
    .await
    .map_err(|f| f.violates("REQ-TRANSFER-006"))?;
    let returned = approve(
        &checker.client,
        &withdrawal.transfer_id,
        "approve_transfer of the withdrawal, by the platform's approver",
    )
    .await?;
    expect_status(
        "the withdrawal",
        TransactionStatus::Completed,
        returned.status,
    )?;
    let in_custody = ctx.holdings(&trader.client, &custodial.account_id).await?;
    ensure_eq(
        "the custodial account's ACCU serials after the withdrawal",
        Vec::<(u64, u64)>::new(),
        serials(&in_custody, "ACCU", None),
    )
    .map_err(|f| f.violates("REQ-TRANSFER-003"))?;
    let home = ctx
        .holdings(&seller.approver.client, &seller.account_id)
        .await?;
    let s = block.serial_start;
    ensure_eq(
        "the seller's available serials after the withdrawal",
        vec![(s, s + 39)],
        serials(&home, "ACCU", Some(BlockStatus::Available)),
    )
    .map_err(|f| f.violates("REQ-TRANSFER-003"))?;
    for b in home.iter().filter(|b| b.unit_type == "ACCU") {
        ensure_eq(
            "the attributes of a returned block",
            attributes(&block),
            attributes(b),
        )
        .map_err(|f| f.violates("REQ-UNITS-006"))?;
    }
    Ok(())
}

fn accu_balance(balances: &[Balance]) -> (u64, u64) {
    balances
        .iter()
        .find(|b| b.unit_type == "ACCU")
        .map(|b| (b.available, b.pending))
        .unwrap_or_default()
}

fn attributes(block: &UnitBlock) -> (Option<String>, String, Option<String>, String) {
    (
        block.project_id.clone(),
        block.vintage.clone(),
        block.method.clone(),
        block.state.clone(),
    )
}

/// The account's ACCU balance: (available, pending).
async fn balances(client: &ucr_sdk::Client, account_id: &str) -> Result<(u64, u64), Failure> {
    let account = client
        .get_account()
        .account_id(account_id)
        .send()
        .await
        .expect_ok(&format!("get_account {account_id}"))?;
    Ok(accu_balance(&account.balances))
}

async fn full_custody_path(ctx: Ctx) -> Result<(), Failure> {
    let Market {
        seller,
        buyer,
        platform,
        block,
    } = market(&ctx, 60).await?;
    let custodial = ctx
        .custodial_account(&platform, &[&[Role::Initiator], &[Role::Approver]])
        .await?;
    let (trader, checker) = (&custodial.reps[0], &custodial.reps[1]);
    let account = trader
        .client
        .get_account()
        .account_id(&custodial.account_id)
        .send()
        .await
        .expect_ok("get_account of the custodial account by its platform representative")?;
    ensure_eq(
        "the custodial account: kind",
        AccountKind::Custodial,
        account.kind,
    )?;
    ensure_eq(
        "the custodial account: holder",
        platform.holder_id.as_str(),
        &account.holder.holder_id,
    )?;

    // The seller lists on the platform by transferring units into custody.
    let listing = initiate(
        &seller.initiator.client,
        by_quantity(&seller.account_id, &custodial.account_id, "ACCU", 25),
        "initiate_transfer seller → custodial account",
    )
    .await?;
    ensure_eq(
        "the seller's ACCU balance (available, pending) while the listing transfer is pending",
        (35, 25),
        balances(&seller.approver.client, &seller.account_id).await?,
    )?;
    let listed = approve(
        &seller.approver.client,
        &listing.transfer_id,
        "approve_transfer seller → custodial account",
    )
    .await?;
    expect_status(
        "the listing transfer",
        TransactionStatus::Completed,
        listed.status,
    )?;
    let moved = ranges_of(&listed.serial_ranges);
    let in_custody = ctx.holdings(&trader.client, &custodial.account_id).await?;
    ensure_eq(
        "the custodial account's available serials after the listing",
        moved.clone(),
        serials(&in_custody, "ACCU", Some(BlockStatus::Available)),
    )?;
    for held in &in_custody {
        ensure_eq(
            "attributes of the units in custody",
            attributes(&block),
            attributes(held),
        )?;
    }
    ensure_eq(
        "the custodial account's ACCU balance (available, pending)",
        (25, 0),
        balances(&trader.client, &custodial.account_id).await?,
    )?;

    // A trade on the platform: its representatives settle from custody to the buyer.
    let pairs: Vec<(u64, u64)> = moved.clone();
    let sale = initiate(
        &trader.client,
        by_serials(&custodial.account_id, &buyer.account_id, "ACCU", &pairs),
        "initiate_transfer custodial account → buyer by the platform's representative",
    )
    .await?;
    ensure_eq(
        "the custodial account's ACCU balance while the sale is pending",
        (0, 25),
        balances(&checker.client, &custodial.account_id).await?,
    )?;
    let sold = approve(
        &checker.client,
        &sale.transfer_id,
        "approve_transfer custodial account → buyer by the platform's second representative",
    )
    .await?;
    expect_status("the sale", TransactionStatus::Completed, sold.status)?;
    let bought = ctx.holdings(&buyer.rep.client, &buyer.account_id).await?;
    ensure_eq(
        "the buyer's available serials",
        moved,
        serials(&bought, "ACCU", Some(BlockStatus::Available)),
    )?;
    for held in &bought {
        ensure_eq(
            "attributes of the bought units",
            attributes(&block),
            attributes(held),
        )?;
    }
    ensure_eq(
        "the custodial account's ACCU balance after the sale",
        (0, 0),
        balances(&trader.client, &custodial.account_id).await?,
    )?;
    ensure_eq(
        "the seller's ACCU balance after the sale",
        (35, 0),
        balances(&seller.initiator.client, &seller.account_id).await?,
    )?;

    let completed_transfers = |history: &[ucr_sdk::types::Transaction]| {
        let mut ids: Vec<String> = history
            .iter()
            .filter(|t| {
                t.kind == TransactionKind::Transfer && t.status == TransactionStatus::Completed
            })
            .map(|t| t.transaction_id.clone())
            .collect();
        ids.sort();
        ids
    };
    let mut both = vec![listing.transfer_id.clone(), sale.transfer_id.clone()];
    both.sort();
    ensure_eq(
        "the custodial account's history: completed transfers",
        both,
        completed_transfers(&ctx.history(&trader.client, &custodial.account_id).await?),
    )?;
    ensure_eq(
        "the seller's history: completed transfers",
        vec![listing.transfer_id.clone()],
        completed_transfers(
            &ctx.history(&seller.initiator.client, &seller.account_id)
                .await?,
        ),
    )?;
    ensure_eq(
        "the buyer's history: completed transfers",
        vec![sale.transfer_id.clone()],
        completed_transfers(&ctx.history(&buyer.rep.client, &buyer.account_id).await?),
    )
}

async fn custodial_four_eyes(ctx: Ctx) -> Result<(), Failure> {
    let platform = ctx.trading_platform().await?;
    let buyer = ctx.holder_with_one_rep().await?;
    let custodial = ctx
        .custodial_account(
            &platform,
            &[&[Role::Initiator, Role::Approver], &[Role::Approver]],
        )
        .await?;
    let other = ctx
        .custodial_account(&platform, &[&[Role::Initiator, Role::Approver]])
        .await?;
    ctx.issue(&custodial.account_id, 30, &Attrs::accu()).await?;
    let (trader, checker) = (&custodial.reps[0], &custodial.reps[1]);
    ensure_eq(
        "list_accounts by the platform representative",
        vec![custodial.account_id.clone()],
        account_ids(
            &trader.client,
            "list_accounts by the platform representative",
        )
        .await?,
    )?;
    ensure_eq(
        "list_accounts by the other custodial account's representative",
        vec![other.account_id.clone()],
        account_ids(&other.reps[0].client, "list_accounts").await?,
    )?;
    let sale = initiate(
        &trader.client,
        by_quantity(&custodial.account_id, &buyer.account_id, "ACCU", 10),
        "initiate_transfer from the custodial account",
    )
    .await?;
    trader
        .client
        .approve_transfer()
        .transfer_id(&sale.transfer_id)
        .send()
        .await
        .expect_problem(
            "approve_transfer by its initiator on a custodial account with two representatives",
            403,
            ProblemKind::SecondApproverRequired,
        )?;
    let done = approve(
        &checker.client,
        &sale.transfer_id,
        "approve_transfer by the second platform representative",
    )
    .await?;
    expect_status(
        "approve_transfer by the second platform representative",
        TransactionStatus::Completed,
        done.status,
    )
}

async fn custody_is_the_platforms(ctx: Ctx) -> Result<(), Failure> {
    let Market {
        seller,
        buyer,
        platform,
        ..
    } = market(&ctx, 20).await?;
    let custodial = ctx
        .custodial_account(&platform, &[&[Role::Initiator, Role::Approver]])
        .await?;
    let listing = initiate(
        &seller.initiator.client,
        by_quantity(&seller.account_id, &custodial.account_id, "ACCU", 20),
        "initiate_transfer seller → custodial account",
    )
    .await?;
    approve(
        &seller.approver.client,
        &listing.transfer_id,
        "approve_transfer seller → custodial account",
    )
    .await?;
    let keeper = &custodial.reps[0];
    let before = ctx.snapshot(&keeper.client, &custodial.account_id).await?;
    for (who, client) in [
        ("the seller's initiator", &seller.initiator.client),
        ("the buyer's representative", &buyer.rep.client),
    ] {
        client
            .initiate_transfer()
            .body(by_quantity(
                &custodial.account_id,
                &buyer.account_id,
                "ACCU",
                5,
            ))
            .send()
            .await
            .expect_problem(
                &format!("initiate_transfer out of the custodial account by {who}"),
                404,
                ProblemKind::NotFound,
            )?;
        client
            .get_account()
            .account_id(&custodial.account_id)
            .send()
            .await
            .expect_problem(
                &format!("get_account of the custodial account by {who}"),
                404,
                ProblemKind::NotFound,
            )?;
        client
            .list_holdings()
            .account_id(&custodial.account_id)
            .send()
            .await
            .expect_problem(
                &format!("list_holdings of the custodial account by {who}"),
                404,
                ProblemKind::NotFound,
            )?;
    }
    let after = ctx.snapshot(&keeper.client, &custodial.account_id).await?;
    assert_unchanged(
        "the custodial account after refused requests",
        &before,
        &after,
    )?;
    ensure!(
        after.holdings.iter().map(|r| r.quantity()).sum::<u64>() == 20,
        "the custodial account should hold the 20 listed units"
    );
    Ok(())
}
