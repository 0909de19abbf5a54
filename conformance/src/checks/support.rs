//! Fixtures and flows that several check modules share.

use std::time::Duration;

use ucr_sdk::Client;
use ucr_sdk::types::{
    BlockStatus, Cancellation, CancellationRequest, TransactionStatus, Transfer, TransferRequest,
    UnitBlock,
};

use crate::assert::{SdkResultExt, ensure_eq};
use crate::check::Failure;
use crate::ctx::{Attrs, Ctx, FourEyes, Party};

/// A two-representative source account holding `quantity` ACCUs in one block, and a destination
/// account of another holder.
pub(super) struct Funded {
    pub(super) source: FourEyes,
    pub(super) dest: Party,
    pub(super) block: UnitBlock,
}

pub(super) async fn funded(ctx: &Ctx, quantity: u64) -> Result<Funded, Failure> {
    let source = ctx.holder_with_two_reps().await?;
    let dest = ctx.holder_with_one_rep().await?;
    let block = ctx
        .issue(&source.account_id, quantity, &Attrs::accu())
        .await?;
    Ok(Funded {
        source,
        dest,
        block,
    })
}

pub(super) async fn initiate(
    client: &Client,
    request: TransferRequest,
    what: &str,
) -> Result<Transfer, Failure> {
    client
        .initiate_transfer()
        .body(request)
        .send()
        .await
        .expect_ok(what)
}

pub(super) async fn approve(
    client: &Client,
    transfer_id: &str,
    what: &str,
) -> Result<Transfer, Failure> {
    client
        .approve_transfer()
        .transfer_id(transfer_id)
        .send()
        .await
        .expect_ok(what)
}

pub(super) async fn get_transfer(
    client: &Client,
    transfer_id: &str,
    what: &str,
) -> Result<Transfer, Failure> {
    client
        .get_transfer()
        .transfer_id(transfer_id)
        .send()
        .await
        .expect_ok(what)
}

pub(super) async fn initiate_cancellation(
    client: &Client,
    request: CancellationRequest,
    what: &str,
) -> Result<Cancellation, Failure> {
    client
        .initiate_cancellation()
        .body(request)
        .send()
        .await
        .expect_ok(what)
}

pub(super) async fn approve_cancellation(
    client: &Client,
    cancellation_id: &str,
    what: &str,
) -> Result<Cancellation, Failure> {
    client
        .approve_cancellation()
        .cancellation_id(cancellation_id)
        .send()
        .await
        .expect_ok(what)
}

/// Expects a transaction's status.
pub(super) fn expect_status(
    what: &str,
    expected: TransactionStatus,
    actual: TransactionStatus,
) -> Result<(), Failure> {
    ensure_eq(&format!("{what}: status"), expected, actual)
}

/// Expects every block of the account to be `available` (e.g. after a rejection or rescission).
pub(super) fn all_available(what: &str, blocks: &[UnitBlock]) -> Result<(), Failure> {
    if let Some(block) = blocks.iter().find(|b| b.status != BlockStatus::Available) {
        return Err(Failure::new(format!(
            "{what}: expected every unit to be available again, but block {} ({}..={}) is {}",
            block.block_id, block.serial_start, block.serial_end, block.status
        )));
    }
    Ok(())
}

/// Waits a few milliseconds so that consecutive transactions get distinct timestamps.
pub(super) async fn tick() {
    tokio::time::sleep(Duration::from_millis(4)).await;
}
