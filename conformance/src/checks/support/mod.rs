//! Fixtures and flows that several check modules share.

pub(super) mod authz;
pub(super) mod registers;
pub(super) mod spec;
pub(super) mod subset;

use std::num::NonZeroU64;
use std::time::Duration;

use chrono::{DateTime, Utc};
use futures::TryStreamExt;
use ucr_sdk::Client;
use ucr_sdk::types::{
    Account, BlockStatus, Cancellation, CancellationRequest, Escrow, EscrowRequest, Reservation,
    ReservationRequest, TransactionStatus, Transfer, TransferRequest, UnitBlock, WebhookDelivery,
};

use crate::assert::{SdkResultExt, ensure_eq, normalize};
use crate::snapshot::Snapshot;
use std::collections::HashSet;

use ucr_sdk::types::Role;

use crate::ctx::Custodial;
use crate::ctx::{Attrs, Ctx, FourEyes, Party, Platform};
use crate::outcome::Failure;
use crate::receiver::Received;

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

/// Like [`funded`], but the source's units come from [`Ctx::stock`]: on a target without the
/// sandbox, the configured accounts serve, and the source account may hold more than `block`.
/// Only for checks whose assertions hold whatever else the accounts hold and that complete no
/// transaction (refusals, access, authentication); the engine rescinds what they leave pending.
pub(super) async fn funded_shared(ctx: &Ctx, quantity: u64) -> Result<Funded, Failure> {
    let source = ctx.holder_with_two_reps().await?;
    let dest = ctx.holder_with_one_rep().await?;
    let block = ctx
        .stock(&source.account_id, quantity, &Attrs::accu())
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

/// Rescinds pending transfer `transfer_id` through `client`; `what` names the step in a failure.
pub(super) async fn rescind(
    client: &Client,
    transfer_id: &str,
    what: &str,
) -> Result<Transfer, Failure> {
    client
        .rescind_transfer()
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

/// Reads `account_id`'s holdings and expects them as they were in `before`: every unit available,
/// in the same runs of serials (`what` names them, e.g. "source holdings after rejection").
pub(super) async fn expect_restored(
    ctx: &Ctx,
    client: &Client,
    account_id: &str,
    before: &Snapshot,
    what: &str,
) -> Result<(), Failure> {
    let after = ctx.holdings(client, account_id).await?;
    all_available(what, &after)?;
    ensure_eq(
        &format!("{what}: runs of serials"),
        &before.holdings,
        &normalize(&after),
    )
}

/// Waits a few milliseconds so that consecutive transactions get distinct timestamps.
pub(super) async fn tick() {
    tokio::time::sleep(Duration::from_millis(4)).await;
}

/// A seller's account (an `initiator` and a separate `approver`) holding `quantity` ACCUs in one
/// block, a buyer's account, and a trading platform.
pub(super) struct Market {
    pub(super) seller: FourEyes,
    pub(super) buyer: Party,
    pub(super) platform: Platform,
    pub(super) block: UnitBlock,
}

pub(super) async fn market(ctx: &Ctx, quantity: u64) -> Result<Market, Failure> {
    let Funded {
        source,
        dest,
        block,
    } = funded(ctx, quantity).await?;
    let platform = ctx.trading_platform().await?;
    Ok(Market {
        seller: source,
        buyer: dest,
        platform,
        block,
    })
}

/// A request reserving `quantity` ACCUs of `account_id` for `platform`, to move only to
/// `custodial_account_id`.
pub(super) fn reservation_request(
    account_id: &str,
    platform: &Platform,
    custodial_account_id: &str,
    quantity: u64,
    expires_at: DateTime<Utc>,
) -> ReservationRequest {
    ReservationRequest {
        account_id: account_id.to_owned(),
        platform_id: platform.platform_id.clone(),
        custodial_account_id: custodial_account_id.to_owned(),
        unit_type: "ACCU".into(),
        quantity: NonZeroU64::new(quantity),
        serial_ranges: None,
        vintage: None,
        project_id: None,
        expires_at,
    }
}

/// A request placing `quantity` ACCUs of `account_id` in escrow under `controller`.
pub(super) fn escrow_request(
    account_id: &str,
    controller: &Platform,
    quantity: u64,
    expires_at: DateTime<Utc>,
) -> EscrowRequest {
    EscrowRequest {
        account_id: account_id.to_owned(),
        controller_id: controller.platform_id.clone(),
        unit_type: "ACCU".into(),
        quantity: NonZeroU64::new(quantity),
        serial_ranges: None,
        vintage: None,
        project_id: None,
        expires_at,
    }
}

/// A transfer request moving every unit of reservation `reservation_id`.
pub(super) fn by_reservation(from: &str, to: &str, reservation_id: &str) -> TransferRequest {
    TransferRequest {
        from_account_id: from.to_owned(),
        to_account_id: to.to_owned(),
        unit_type: "ACCU".into(),
        quantity: None,
        serial_ranges: None,
        vintage: None,
        project_id: None,
        reference: None,
        reservation_id: Some(reservation_id.to_owned()),
    }
}

pub(super) async fn reserve(
    client: &Client,
    request: ReservationRequest,
    what: &str,
) -> Result<Reservation, Failure> {
    client
        .create_reservation()
        .body(request)
        .send()
        .await
        .expect_ok(what)
}

/// Releases reservation `reservation_id` through `client`; `what` names the step in a failure.
pub(super) async fn release(
    client: &Client,
    reservation_id: &str,
    what: &str,
) -> Result<Reservation, Failure> {
    client
        .release_reservation()
        .reservation_id(reservation_id)
        .send()
        .await
        .expect_ok(what)
}

pub(super) async fn get_reservation(
    client: &Client,
    reservation_id: &str,
    what: &str,
) -> Result<Reservation, Failure> {
    client
        .get_reservation()
        .reservation_id(reservation_id)
        .send()
        .await
        .expect_ok(what)
}

/// An active escrow: created by `initiator`, then approved by `approver` (a second
/// representative, or the same one on a single-representative account).
pub(super) async fn escrow(
    initiator: &Client,
    approver: &Client,
    request: EscrowRequest,
    what: &str,
) -> Result<Escrow, Failure> {
    let created = initiator
        .create_escrow()
        .body(request)
        .send()
        .await
        .expect_ok(what)?;
    approver
        .approve_escrow()
        .escrow_id(&created.escrow_id)
        .send()
        .await
        .expect_ok(&format!("{what}, then approve_escrow"))
}

pub(super) async fn get_escrow(
    client: &Client,
    escrow_id: &str,
    what: &str,
) -> Result<Escrow, Failure> {
    client
        .get_escrow()
        .escrow_id(escrow_id)
        .send()
        .await
        .expect_ok(what)
}

/// Every account `client` may list.
pub(super) async fn account_ids(client: &Client, what: &str) -> Result<Vec<String>, Failure> {
    let accounts: Vec<Account> = client
        .list_accounts()
        .limit(200u32)
        .stream()
        .try_collect()
        .await
        .map_err(|e| Failure::from(e).context(what))?;
    Ok(accounts.into_iter().map(|a| a.account_id).collect())
}

/// Waits (bounded) until the delivery log of `subscription_id` shows event `event_id` in a state
/// that satisfies `done`; returns the entry as last seen.
pub(super) async fn delivery_log_entry(
    client: &Client,
    subscription_id: &str,
    event_id: &str,
    done: impl Fn(&WebhookDelivery) -> bool,
) -> Result<WebhookDelivery, Failure> {
    let deadline = tokio::time::Instant::now() + crate::receiver::EVENT_WAIT;
    loop {
        let log: Vec<WebhookDelivery> = client
            .list_webhook_deliveries()
            .subscription_id(subscription_id)
            .limit(200u32)
            .stream()
            .try_collect()
            .await
            .map_err(|e| {
                Failure::from(e).context(format!(
                    "list_webhook_deliveries of subscription {subscription_id}"
                ))
            })?;
        let entry = log.into_iter().find(|d| d.event_id == event_id);
        match entry {
            Some(entry) if done(&entry) => return Ok(entry),
            entry if tokio::time::Instant::now() >= deadline => {
                return match entry {
                    Some(entry) => Ok(entry),
                    None => Err(Failure::new(format!(
                        "the delivery log of subscription {subscription_id} has no entry for event {event_id}"
                    ))),
                };
            }
            _ => tokio::time::sleep(Duration::from_millis(100)).await,
        }
    }
}

/// Expects the event's `data.status` and `data.account_id`.
pub(super) fn expect_event_data(
    what: &str,
    received: &Received,
    account_id: &str,
    status: &str,
) -> Result<(), Failure> {
    let data = &received.event.data;
    ensure_eq(
        &format!("{what}: data.account_id"),
        account_id,
        data.account_id.as_str(),
    )?;
    ensure_eq(
        &format!("{what}: data.status"),
        status,
        data.status.as_str(),
    )
}

/// A market whose platform has a custodial account with two representatives (initiator, approver).
pub(in crate::checks) struct Fleeting {
    pub(super) seller: FourEyes,
    pub(super) buyer: Party,
    pub(super) platform: Platform,
    pub(super) custodial: Custodial,
    pub(super) first_serial: u64,
}

pub(in crate::checks) async fn fleeting(ctx: &Ctx, quantity: u64) -> Result<Fleeting, Failure> {
    let Market {
        seller,
        buyer,
        platform,
        block,
    } = market(ctx, quantity).await?;
    let custodial = ctx
        .custodial_account(&platform, &[&[Role::Initiator], &[Role::Approver]])
        .await?;
    Ok(Fleeting {
        seller,
        buyer,
        platform,
        custodial,
        first_serial: block.serial_start,
    })
}

/// Compares a walk with the reference list by key, naming duplicates, missing and extra items.
pub(in crate::checks) fn compare_walk(
    what: &str,
    reference: &[String],
    walked: &[String],
) -> Result<(), Failure> {
    let dups = duplicates(walked.iter().map(String::as_str));
    if !dups.is_empty() {
        return Err(Failure::new(format!(
            "{what}: items repeated across pages: {dups:?}"
        )));
    }
    let walked_set: HashSet<&str> = walked.iter().map(String::as_str).collect();
    let reference_set: HashSet<&str> = reference.iter().map(String::as_str).collect();
    let missing: Vec<&str> = reference
        .iter()
        .map(String::as_str)
        .filter(|k| !walked_set.contains(k))
        .collect();
    if !missing.is_empty() {
        return Err(Failure::new(format!(
            "{what}: items of the big page never served: {missing:?}"
        )));
    }
    let extra: Vec<&str> = walked
        .iter()
        .map(String::as_str)
        .filter(|k| !reference_set.contains(k))
        .collect();
    if !extra.is_empty() {
        return Err(Failure::new(format!(
            "{what}: items not on the big page: {extra:?}"
        )));
    }
    ensure_eq(&format!("{what}: order of items"), reference, walked)
}

impl Fleeting {
    /// Reserves `quantity` units for the platform, as the seller's initiator, for a week.
    pub(super) async fn reserve(&self, ctx: &Ctx, quantity: u64) -> Result<Reservation, Failure> {
        let expires_at = ctx.registry_in(7 * 86_400).await?;
        self.reserve_until(quantity, expires_at).await
    }

    pub(super) async fn reserve_until(
        &self,
        quantity: u64,
        expires_at: chrono::DateTime<chrono::Utc>,
    ) -> Result<Reservation, Failure> {
        reserve(
            &self.seller.initiator.client,
            reservation_request(
                &self.seller.account_id,
                &self.platform,
                &self.custodial.account_id,
                quantity,
                expires_at,
            ),
            &format!("create_reservation of {quantity} units by the seller's initiator"),
        )
        .await
    }
}

pub(in crate::checks) fn duplicates<'a>(keys: impl IntoIterator<Item = &'a str>) -> Vec<&'a str> {
    let mut seen = HashSet::new();
    keys.into_iter().filter(|k| !seen.insert(*k)).collect()
}

/// Reads consent `id` through `client`; `what` names the step in a failure.
pub(crate) async fn get_consent(
    client: &ucr_sdk::Client,
    id: &str,
    what: &str,
) -> Result<ucr_sdk::types::Consent, Failure> {
    client
        .get_consent()
        .consent_id(id)
        .send()
        .await
        .expect_ok(what)
}

/// Revokes consent `id` through `client`; `what` names the step in a failure.
pub(super) async fn revoke_consent(
    client: &ucr_sdk::Client,
    id: &str,
    what: &str,
) -> Result<ucr_sdk::types::Consent, Failure> {
    client
        .revoke_consent()
        .consent_id(id)
        .send()
        .await
        .expect_ok(what)
}
