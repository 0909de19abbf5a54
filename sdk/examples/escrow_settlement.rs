//! B.5: delivery versus payment through a registry escrow controlled by a trading platform.
//!
//! The seller's initiator escrows units for a trade and its approver approves the escrow (four
//! eyes, as for a transfer); the seller can no longer move them, and the platform shows on the
//! account as a restricted `escrow_controller` representative. Once the platform has the buyer's
//! payment it settles, moving every escrowed unit to the buyer in one step. A second trade falls
//! through and the platform releases its escrow, giving the units back.
//!
//! Run with `cargo run -p ucr-sdk --example escrow_settlement` (against the in-process mock), or
//! set `UCR_BASE_URL` to use another registry's sandbox.

mod common;

use std::num::NonZeroU64;

use anyhow::{Context, bail, ensure};
use ucr_sdk::{Client, PageStreamExt, ProblemExt, ProblemKind, types};

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let target = common::target().await?;
    let now = common::registry_now(&target).await?;
    let seller = common::holding_account(&target, "Mulga Ridge Carbon Pty Ltd").await?;
    let buyer = common::holding_account(&target, "Harbour Energy Ltd").await?;
    common::issue(
        &target,
        &seller.account_id,
        "ACCU",
        800,
        "ERF107788",
        "2023-24",
    )
    .await?;
    let platform = common::platform(
        &target,
        "Southern Cross Exchange",
        types::PlatformKind::TradingPlatform,
    )
    .await?;
    println!(
        "seller {}, buyer {}, platform {}",
        seller.account_id, buyer.account_id, platform.platform_id
    );

    // Trade 1: 300 ACCU, escrowed by the seller for the platform.
    let escrow_for = |quantity| {
        types::EscrowRequest::builder()
            .account_id(&seller.account_id)
            .controller_id(&platform.platform_id)
            .unit_type("ACCU")
            .quantity(NonZeroU64::new(quantity))
            .expires_at(now + chrono::Duration::days(14))
    };
    let proposed = seller
        .initiator
        .create_escrow()
        .body(escrow_for(300))
        .send()
        .await
        .context("escrowing units for trade 1")?;
    println!(
        "trade 1: seller's initiator escrowed {} ACCU as {} (status {:?})",
        proposed.quantity, proposed.escrow_id, proposed.status
    );
    // Until a second representative approves, the platform has no power over the units.
    let escrow = seller
        .approver
        .approve_escrow()
        .escrow_id(&proposed.escrow_id)
        .send()
        .await
        .context("approving the escrow of trade 1")?;
    ensure!(
        escrow.status == types::EscrowStatus::Active,
        "the escrow is {:?} after approval",
        escrow.status
    );
    let account = seller
        .approver
        .get_account()
        .account_id(&seller.account_id)
        .send()
        .await
        .context("reading the seller's account")?;
    for rep in &account.representatives {
        println!(
            "trade 1: representative {} ({:?}, roles {:?}, escrows {:?})",
            rep.representative_id, rep.kind, rep.roles, rep.escrow_ids
        );
    }

    // The escrowed units are locked for the seller.
    let blocks = seller
        .initiator
        .list_holdings()
        .account_id(&seller.account_id)
        .status(types::BlockStatus::Escrowed)
        .stream()
        .collect_at_most(1_000)
        .await?;
    let first = blocks.first().context("no escrowed block")?;
    let attempt = seller
        .initiator
        .initiate_transfer()
        .body(
            types::TransferRequest::builder()
                .from_account_id(&seller.account_id)
                .to_account_id(&buyer.account_id)
                .unit_type("ACCU")
                .serial_ranges(Some(vec![types::SerialRange {
                    serial_start: first.serial_start,
                    serial_end: first.serial_start,
                }])),
        )
        .send()
        .await;
    match attempt {
        Err(err) if err.is(ProblemKind::UnitsLocked) => {
            println!(
                "trade 1: the seller cannot move escrowed serial {} (units-locked)",
                first.serial_start
            )
        }
        Err(err) => return Err(err).context("moving an escrowed unit"),
        Ok(transfer) => bail!("the seller moved escrowed units ({})", transfer.transfer_id),
    }

    // The platform sees the escrow with its blocks, and settles it once the buyer has paid.
    let seen = platform
        .client
        .get_escrow()
        .escrow_id(&escrow.escrow_id)
        .send()
        .await
        .context("the controller reading its escrow")?;
    let described: Vec<String> = seen
        .blocks
        .iter()
        .map(|b| {
            format!(
                "{}×{} {} {}",
                b.quantity,
                b.unit_type,
                b.project_id.as_deref().unwrap_or("-"),
                b.vintage
            )
        })
        .collect();
    println!("trade 1: platform sees {}", described.join(", "));
    let settled = platform
        .client
        .settle_escrow()
        .escrow_id(&escrow.escrow_id)
        .body(
            types::SettleRequest::builder()
                .to_account_id(&buyer.account_id)
                .reference(Some("SCX trade 2026-000417".parse().context("reference")?)),
        )
        .send()
        .await
        .context("settling trade 1")?;
    ensure!(
        settled.status == types::EscrowStatus::Settled,
        "the escrow is {:?} after settlement",
        settled.status
    );
    let transaction_id = settled
        .transaction_id
        .clone()
        .context("a settled escrow without its transaction")?;
    let transfer = seller
        .initiator
        .get_transfer()
        .transfer_id(&transaction_id)
        .send()
        .await
        .context("reading the settlement transfer")?;
    println!(
        "trade 1: settled by {} as {} ({:?}, {} units, escrow {})",
        transfer.initiated_by,
        transfer.transfer_id,
        transfer.status,
        transfer.quantity,
        transfer.escrow_id.as_deref().unwrap_or("-")
    );

    // Trade 2: 100 ACCU, escrowed and then released by the platform when the buyer walks away.
    let second = seller
        .initiator
        .create_escrow()
        .body(escrow_for(100))
        .send()
        .await
        .context("escrowing units for trade 2")?;
    let second = seller
        .approver
        .approve_escrow()
        .escrow_id(&second.escrow_id)
        .send()
        .await
        .context("approving the escrow of trade 2")?;
    let refused = seller
        .approver
        .release_escrow()
        .escrow_id(&second.escrow_id)
        .send()
        .await;
    match refused {
        Err(err) if err.is(ProblemKind::Forbidden) => {
            println!(
                "trade 2: only the controller may release {} (forbidden for the seller)",
                second.escrow_id
            )
        }
        other => bail!("the seller released an escrow it does not control: {other:?}"),
    }
    let released = platform
        .client
        .release_escrow()
        .escrow_id(&second.escrow_id)
        .send()
        .await
        .context("releasing trade 2")?;
    println!(
        "trade 2: platform released {} ({:?})",
        released.escrow_id, released.status
    );

    // Where the units are now.
    let seller_totals = totals(&seller.initiator, &seller.account_id).await?;
    let buyer_totals = totals(&buyer.initiator, &buyer.account_id).await?;
    println!("seller holds {seller_totals:?}\nbuyer holds  {buyer_totals:?}");
    ensure!(
        seller_totals == (500, 0) && buyer_totals == (300, 0),
        "unexpected holdings after settlement and release"
    );
    println!("delivery versus payment completed: 300 ACCU to the buyer, 100 back to the seller");
    Ok(())
}

/// (available, escrowed) ACCU in an account.
async fn totals(client: &Client, account_id: &str) -> anyhow::Result<(u64, u64)> {
    let account = client.get_account().account_id(account_id).send().await?;
    let accu = account.balances.iter().find(|b| b.unit_type == "ACCU");
    Ok(accu.map_or((0, 0), |b| (b.available, b.escrowed)))
}
