//! Class A: a holder's daily reconciliation. Sums the account's holdings per unit type and status,
//! checks them against the account's balances, and checks each unit type's total against the net
//! of its transaction history (issued and received, less sent).
//!
//! Run with `cargo run -p ucr-sdk --example reconciliation` (against the in-process mock), or set
//! `UCR_BASE_URL` to reconcile on another registry's sandbox.

mod common;

use std::collections::BTreeMap;
use std::num::NonZeroU64;

use anyhow::{Context, bail};
use ucr_sdk::{Client, PageStreamExt, types};

/// More blocks or transactions than this means something is wrong with the account, not a reason
/// to hold them all in memory.
const MAX_ITEMS: usize = 100_000;

/// Units per status of one unit type.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
struct Totals {
    available: u64,
    pending: u64,
    reserved: u64,
    escrowed: u64,
    cancelled: u64,
}

impl Totals {
    fn add(&mut self, status: types::BlockStatus, quantity: u64) {
        let slot = match status {
            types::BlockStatus::Available => &mut self.available,
            types::BlockStatus::Pending => &mut self.pending,
            types::BlockStatus::Reserved => &mut self.reserved,
            types::BlockStatus::Escrowed => &mut self.escrowed,
            types::BlockStatus::Cancelled => &mut self.cancelled,
        };
        *slot += quantity;
    }

    fn held(&self) -> u64 {
        self.available + self.pending + self.reserved + self.escrowed + self.cancelled
    }
}

impl From<&types::Balance> for Totals {
    fn from(b: &types::Balance) -> Self {
        Totals {
            available: b.available,
            pending: b.pending,
            reserved: b.reserved,
            escrowed: b.escrowed,
            cancelled: b.cancelled,
        }
    }
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let target = common::target().await?;
    let (account_id, client) = provision(&target).await?;
    reconcile(&client, &account_id).await
}

/// A day's activity on a fresh account: two issuances, a completed sale, a sale awaiting
/// approval, and a voluntary cancellation.
async fn provision(target: &common::Target) -> anyhow::Result<(String, Client)> {
    let seller = common::holding_account(target, "Mallee Carbon Pty Ltd").await?;
    let buyer = common::holding_account(target, "Riverina Offsets Pty Ltd").await?;
    common::issue(
        target,
        &seller.account_id,
        "ACCU",
        1_000,
        "ERF101234",
        "2023-24",
    )
    .await?;
    common::issue(
        target,
        &seller.account_id,
        "SMC",
        400,
        "SMF000017",
        "2024-25",
    )
    .await?;

    let sale = |quantity, unit_type: &str| {
        types::TransferRequest::builder()
            .from_account_id(&seller.account_id)
            .to_account_id(&buyer.account_id)
            .unit_type(unit_type)
            .quantity(NonZeroU64::new(quantity))
    };
    let completed = seller
        .initiator
        .initiate_transfer()
        .body(sale(250, "ACCU"))
        .send()
        .await
        .context("initiating a sale")?;
    seller
        .approver
        .approve_transfer()
        .transfer_id(&completed.transfer_id)
        .send()
        .await
        .context("approving the sale")?;
    seller
        .initiator
        .initiate_transfer()
        .body(sale(60, "SMC"))
        .send()
        .await
        .context("initiating a second sale")?;
    let cancellation = seller
        .initiator
        .initiate_cancellation()
        .body(types::CancellationRequest {
            account_id: seller.account_id.clone(),
            unit_type: "ACCU".into(),
            quantity: NonZeroU64::new(100),
            project_id: None,
            reason: None,
            serial_ranges: None,
            vintage: None,
        })
        .send()
        .await
        .context("initiating a cancellation")?;
    seller
        .approver
        .approve_cancellation()
        .cancellation_id(&cancellation.cancellation_id)
        .send()
        .await
        .context("approving the cancellation")?;
    Ok((seller.account_id, seller.approver))
}

async fn reconcile(client: &Client, account_id: &str) -> anyhow::Result<()> {
    let account = client
        .get_account()
        .account_id(account_id)
        .send()
        .await
        .context("reading the account")?
        .into_inner();
    let blocks = client
        .list_holdings()
        .account_id(account_id)
        .stream()
        .collect_at_most(MAX_ITEMS)
        .await
        .context("reading the holdings")?;
    let history = client
        .list_transactions()
        .account_id(account_id)
        .stream()
        .collect_at_most(MAX_ITEMS)
        .await
        .context("reading the transaction history")?;

    let mut from_blocks: BTreeMap<String, Totals> = BTreeMap::new();
    for block in &blocks {
        from_blocks
            .entry(block.unit_type.clone())
            .or_default()
            .add(block.status, block.quantity);
    }
    let from_balances: BTreeMap<String, Totals> = account
        .balances
        .iter()
        .map(|b| (b.unit_type.clone(), Totals::from(b)))
        .collect();
    // Net of the history: issuances and completed transfers in, less completed transfers out.
    // Cancelled units stay in the account (as `cancelled`), so cancellations do not count.
    let mut from_history: BTreeMap<String, i128> = BTreeMap::new();
    for t in &history {
        let net = from_history.entry(t.unit_type.clone()).or_default();
        let quantity = i128::from(t.quantity);
        match t.kind {
            types::TransactionKind::Issuance => *net += quantity,
            types::TransactionKind::Transfer if t.status == types::TransactionStatus::Completed => {
                if t.to_account_id.as_deref() == Some(account_id) {
                    *net += quantity;
                }
                if t.from_account_id.as_deref() == Some(account_id) {
                    *net -= quantity;
                }
            }
            _ => {}
        }
    }

    println!(
        "\nreconciliation of account {} ({}), {} blocks, {} transactions",
        account.account_id,
        account.holder.name,
        blocks.len(),
        history.len()
    );
    println!(
        "{:<6} {:>10} {:>10} {:>10} {:>10} {:>10} {:>10} {:>10}  result",
        "unit", "available", "pending", "reserved", "escrowed", "cancelled", "held", "history"
    );
    let mut unit_types: Vec<&String> = from_blocks.keys().chain(from_balances.keys()).collect();
    unit_types.sort();
    unit_types.dedup();
    let mut mismatches = Vec::new();
    for unit_type in unit_types {
        let held = from_blocks.get(unit_type).cloned().unwrap_or_default();
        let balance = from_balances.get(unit_type).cloned().unwrap_or_default();
        let net = from_history.get(unit_type).copied().unwrap_or_default();
        let mut problems = Vec::new();
        if held != balance {
            problems.push(format!("holdings {held:?} ≠ balances {balance:?}"));
        }
        if i128::from(held.held()) != net {
            problems.push(format!("held {} ≠ history net {net}", held.held()));
        }
        println!(
            "{:<6} {:>10} {:>10} {:>10} {:>10} {:>10} {:>10} {:>10}  {}",
            unit_type,
            held.available,
            held.pending,
            held.reserved,
            held.escrowed,
            held.cancelled,
            held.held(),
            net,
            if problems.is_empty() {
                "ok"
            } else {
                "MISMATCH"
            }
        );
        mismatches.extend(problems.into_iter().map(|p| format!("{unit_type}: {p}")));
    }
    if !mismatches.is_empty() {
        bail!(
            "the account does not reconcile:\n  {}",
            mismatches.join("\n  ")
        );
    }
    println!("\nholdings, balances and history agree");
    Ok(())
}
