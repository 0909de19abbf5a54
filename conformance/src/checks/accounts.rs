//! Read access: the accounts a representative sees and their details and balances.

use std::collections::BTreeSet;

use futures::TryStreamExt;
use ucr_sdk::types::{Account, AccountKind, AccountStatus, Balance, BlockStatus, Role};

use super::support::{approve_cancellation, initiate, initiate_cancellation};
use super::{A1, READ};
use crate::assert::{SdkResultExt, ensure_eq, total};
use crate::check::Check;
use crate::ctx::{Attrs, Ctx, by_quantity, cancel_quantity};
use crate::ensure;
use crate::outcome::Failure;

pub(super) const CHECKS: &[Check] = &[
    check! {
        id: "A1-ACCOUNTS-001",
        model: A1,
        seed: A1,
        operations: ["list_accounts"],
        description: "list_accounts returns exactly the accounts the representative is appointed to (two here), in account_id order",
        run: lists_exactly_appointed_accounts,
        cites: ["REQ-ACCESS-002", "REQ-ACCESS-008", "REQ-ACCESS-011", "REQ-PAGING-002", "REQ-PAGING-005"],
    },
    check! {
        id: "A1-ACCOUNTS-002",
        model: A1,
        seed: READ,
        operations: ["get_account"],
        description: "get_account shows the holder, status, kind and every representative with its roles",
        run: account_details,
        cites: ["REQ-ACCESS-011"],
    },
    check! {
        id: "A1-ACCOUNTS-003",
        model: A1,
        seed: READ,
        operations: ["get_account", "list_holdings"],
        description: "Account balances per unit type and status equal the sums of the account's blocks",
        run: balances_match_holdings,
        cites: ["REQ-UNITS-006", "REQ-UNITS-007", "REQ-TRANSFER-003", "REQ-CANCELLATION-003"],
    },
];

async fn lists_exactly_appointed_accounts(ctx: Ctx) -> Result<(), Failure> {
    let holder = ctx.new_holder().await?;
    let first = ctx.new_account(&holder.holder_id).await?;
    let second = ctx.new_account(&holder.holder_id).await?;
    let not_appointed = ctx.new_account(&holder.holder_id).await?;
    let rep = ctx.appoint(&first, &[Role::Initiator]).await?;
    ctx.appoint_existing(&second, &rep, &[Role::Approver])
        .await?;
    // Someone else represents the holder's third account; another holder's account exists too.
    ctx.appoint(&not_appointed, &[Role::Initiator, Role::Approver])
        .await?;
    let other = ctx.holder_with_one_rep().await?;

    let expected: Vec<String> = [first.clone(), second.clone()]
        .into_iter()
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let page = rep
        .client
        .list_accounts()
        .send()
        .await
        .expect_ok("list_accounts")?;
    let listed: Vec<String> = page.items.iter().map(|a| a.account_id.clone()).collect();
    if listed.contains(&not_appointed) || listed.contains(&other.account_id) {
        return Err(Failure::new(format!(
            "list_accounts shows an account the representative is not appointed to: listed {listed:?}, appointed \
             only to {expected:?}"
        )));
    }
    ensure_eq(
        "list_accounts: the account IDs listed, in account_id order",
        &expected,
        &listed,
    )?;
    ensure!(
        page.next_page.is_none(),
        "list_accounts: two accounts fit one page, but next_page is {:?}",
        page.next_page
    );

    let streamed: Vec<Account> = rep
        .client
        .list_accounts()
        .limit(1u32)
        .stream()
        .try_collect()
        .await
        .map_err(|e| Failure::from(e).context("list_accounts with limit=1, across pages"))?;
    let streamed_ids: Vec<String> = streamed.iter().map(|a| a.account_id.clone()).collect();
    ensure_eq(
        "list_accounts with limit=1: the account IDs across pages",
        &expected,
        &streamed_ids,
    )?;

    for (account_id, role) in [(&first, Role::Initiator), (&second, Role::Approver)] {
        let account = page
            .items
            .iter()
            .find(|a| &a.account_id == account_id)
            .ok_or_else(|| Failure::new(format!("list_accounts: {account_id} missing")))?;
        let shown = account
            .representatives
            .iter()
            .find(|r| r.representative_id == rep.id)
            .ok_or_else(|| {
                Failure::new(format!(
                    "list_accounts: account {account_id} does not list representative {}",
                    rep.id
                ))
            })?;
        ensure_eq(
            &format!("list_accounts: roles of {} on {account_id}", rep.id),
            vec![role],
            shown.roles.clone(),
        )?;
    }
    Ok(())
}

async fn account_details(ctx: Ctx) -> Result<(), Failure> {
    let fixture = ctx.holder_with_two_reps().await?;
    let account = fixture
        .initiator
        .client
        .get_account()
        .account_id(&fixture.account_id)
        .send()
        .await
        .expect_ok("get_account as the initiator")?;
    ensure_eq(
        "get_account: account_id",
        fixture.account_id.as_str(),
        account.account_id.as_str(),
    )?;
    ensure_eq(
        "get_account: holder (holder_id, name)",
        (
            fixture.holder.holder_id.as_str(),
            fixture.holder.name.as_str(),
        ),
        (
            account.holder.holder_id.as_str(),
            account.holder.name.as_str(),
        ),
    )?;
    ensure_eq(
        "get_account: status of a new account",
        AccountStatus::Open,
        account.status,
    )?;
    ensure_eq(
        "get_account: kind of an account opened as a holding account",
        AccountKind::Holding,
        account.kind,
    )?;

    let expected: BTreeSet<(String, String, Vec<Role>)> = [&fixture.initiator, &fixture.approver]
        .iter()
        .map(|r| (r.id.clone(), r.name.clone(), sorted(r.roles.clone())))
        .collect();
    let shown: BTreeSet<(String, String, Vec<Role>)> = account
        .representatives
        .iter()
        .map(|r| {
            (
                r.representative_id.clone(),
                r.name.clone(),
                sorted(r.roles.clone()),
            )
        })
        .collect();
    ensure_eq(
        "get_account: representatives (id, name, roles)",
        &expected,
        &shown,
    )?;
    ensure!(
        account.representatives.len() == 2,
        "get_account: expected 2 representatives, got {} entries",
        account.representatives.len()
    );

    let as_approver = fixture
        .approver
        .client
        .get_account()
        .account_id(&fixture.account_id)
        .send()
        .await
        .expect_ok("get_account as the approver")?;
    ensure_eq(
        "get_account: the same account seen by its two representatives",
        &account,
        &as_approver,
    )?;
    Ok(())
}

fn sorted(mut roles: Vec<Role>) -> Vec<Role> {
    roles.sort();
    roles
}

async fn balances_match_holdings(ctx: Ctx) -> Result<(), Failure> {
    let fixture = ctx.holder_with_two_reps().await?;
    let dest = ctx.holder_with_one_rep().await?;
    let account_id = fixture.account_id.as_str();
    ctx.issue(account_id, 100, &Attrs::accu()).await?;
    ctx.issue(account_id, 50, &Attrs::smc()).await?;
    initiate(
        &fixture.initiator.client,
        by_quantity(account_id, &dest.account_id, "ACCU", 30),
        "initiating a transfer of 30 ACCU",
    )
    .await?;
    let cancellation = initiate_cancellation(
        &fixture.initiator.client,
        cancel_quantity(account_id, "SMC", 10),
        "initiating a cancellation of 10 SMC",
    )
    .await?;
    approve_cancellation(
        &fixture.approver.client,
        &cancellation.cancellation_id,
        "approving the cancellation",
    )
    .await?;

    let holdings = ctx.holdings(&fixture.initiator.client, account_id).await?;
    let account = fixture
        .initiator
        .client
        .get_account()
        .account_id(account_id)
        .send()
        .await
        .expect_ok("get_account")?;

    let expected_totals = [("ACCU", 70, 30, 0), ("SMC", 40, 0, 10)];
    for (unit_type, available, pending, cancelled) in expected_totals {
        let from_holdings = Balance {
            unit_type: unit_type.to_owned(),
            available: total(&holdings, unit_type, Some(BlockStatus::Available)),
            pending: total(&holdings, unit_type, Some(BlockStatus::Pending)),
            reserved: total(&holdings, unit_type, Some(BlockStatus::Reserved)),
            escrowed: total(&holdings, unit_type, Some(BlockStatus::Escrowed)),
            cancelled: total(&holdings, unit_type, Some(BlockStatus::Cancelled)),
        };
        ensure_eq(
            &format!(
                "holdings of {unit_type}: (available, pending, cancelled) after issuing, transferring and cancelling"
            ),
            (available, pending, cancelled),
            (
                from_holdings.available,
                from_holdings.pending,
                from_holdings.cancelled,
            ),
        )?;
        let balance = account
            .balances
            .iter()
            .find(|b| b.unit_type == unit_type)
            .ok_or_else(|| {
                Failure::new(format!(
                    "get_account: no balance for {unit_type}, which the account holds"
                ))
            })?;
        ensure_eq(
            &format!("get_account: balance of {unit_type} vs the sums of its blocks"),
            &from_holdings,
            balance,
        )?;
    }
    for balance in account
        .balances
        .iter()
        .filter(|b| !matches!(b.unit_type.as_str(), "ACCU" | "SMC"))
    {
        let sum = balance.available
            + balance.pending
            + balance.reserved
            + balance.escrowed
            + balance.cancelled;
        ensure!(
            sum == 0,
            "get_account: balance of {} shows {sum} units, but the account holds none",
            balance.unit_type
        );
    }
    Ok(())
}
