//! Event routing: who gets an event and who must not. A subscription gets only the event types it
//! lists, a deleted subscription nothing, and a platform whose consent ended no `transfer.completed`.
//! Each check completes one transfer and waits for a subscription that must get its event; the
//! subscription that must not is then given a grace period before its silence is asserted.

use std::time::Duration;

use ucr_sdk::types::{ConsentScope, EventType};

use super::B1;
use super::support::{Funded, approve, funded, initiate};
use crate::assert::SdkResultExt;
use crate::check::Check;
use crate::ctx::{Ctx, by_quantity};
use crate::ensure;
use crate::outcome::Failure;
use crate::receiver::Hook;

pub(super) const CHECKS: &[Check] = &[
    check! {
        id: "B1-EVENT-001",
        model: B1,
        seed: B1,
        operations: ["create_webhook_subscription", "approve_transfer"],
        description: "An event goes only to the subscriptions that list its type: a subscription for consent.revoked only gets no transfer.completed",
        run: only_listed_types,
        cites: ["REQ-EVENT-001", "REQ-EVENT-009"],
    },
    check! {
        id: "B1-EVENT-002",
        model: B1,
        seed: B1,
        operations: ["create_webhook_subscription", "delete_webhook_subscription", "approve_transfer"],
        description: "A deleted subscription gets no later event",
        run: deleted_gets_nothing,
        cites: ["REQ-EVENT-001", "REQ-EVENT-009", "REQ-WEBHOOK-011"],
    },
    check! {
        id: "B1-EVENT-003",
        model: B1,
        seed: B1,
        operations: ["create_webhook_subscription", "revoke_consent", "approve_transfer"],
        description: "transfer.completed goes to platforms holding an active read consent when it completes, not to one whose consent was revoked",
        run: ended_consent_gets_nothing,
        cites: ["REQ-EVENT-001", "REQ-EVENT-009", "REQ-EVENT-010"],
    },
];

/// How long a subscription that must not get an event is watched after one that must got it:
/// deliveries of one event are attempted at once (REQ-WEBHOOK-007).
const GRACE: Duration = Duration::from_secs(2);

/// A funded source account whose holdings `platform` may read.
async fn consented(ctx: &Ctx) -> Result<(Funded, crate::ctx::Platform), Failure> {
    let f = funded(ctx, 30).await?;
    let platform = ctx.trading_platform().await?;
    ctx.grant(
        &f.source.initiator,
        &f.source.account_id,
        &platform,
        &[ConsentScope::HoldingsRead],
    )
    .await?;
    Ok((f, platform))
}

/// Completes a transfer of 5 out of the source, waits for `expected` to get its
/// `transfer.completed`, then requires `silent` to have received nothing within [`GRACE`].
async fn complete_and_watch(
    f: &Funded,
    expected: &Hook,
    silent: &Hook,
    why: &str,
) -> Result<(), Failure> {
    let transfer = initiate(
        &f.source.initiator.client,
        by_quantity(&f.source.account_id, &f.dest.account_id, "ACCU", 5),
        "initiate_transfer",
    )
    .await?;
    approve(
        &f.source.approver.client,
        &transfer.transfer_id,
        "approve_transfer",
    )
    .await?;
    expected
        .expect_event(EventType::TransferCompleted, "after the approval", |d| {
            d.transfer_id.as_deref() == Some(transfer.transfer_id.as_str())
        })
        .await?;
    let got = silent.wait_deliveries(GRACE, |d| !d.is_empty()).await;
    ensure!(
        got.is_empty(),
        "{why}, yet it received {} deliveries: {:?}",
        got.len(),
        got.iter()
            .map(|d| crate::text::snippet(&d.body, 160))
            .collect::<Vec<_>>()
    );
    Ok(())
}

async fn only_listed_types(ctx: Ctx) -> Result<(), Failure> {
    let (f, platform) = consented(&ctx).await?;
    let listed = ctx
        .subscribe(&platform, &[EventType::TransferCompleted])
        .await?;
    let other = ctx
        .subscribe(&platform, &[EventType::ConsentRevoked])
        .await?;
    complete_and_watch(
        &f,
        &listed,
        &other,
        "the platform's subscription listing only consent.revoked must not get transfer.completed",
    )
    .await
}

async fn deleted_gets_nothing(ctx: Ctx) -> Result<(), Failure> {
    let (f, platform) = consented(&ctx).await?;
    let kept = ctx
        .subscribe(&platform, &[EventType::TransferCompleted])
        .await?;
    let deleted = ctx
        .subscribe(&platform, &[EventType::TransferCompleted])
        .await?;
    platform
        .client
        .delete_webhook_subscription()
        .subscription_id(&deleted.subscription_id)
        .send()
        .await
        .expect_ok("delete_webhook_subscription")?;
    complete_and_watch(
        &f,
        &kept,
        &deleted,
        "a deleted subscription must get no event",
    )
    .await
}

async fn ended_consent_gets_nothing(ctx: Ctx) -> Result<(), Failure> {
    let (f, platform) = consented(&ctx).await?;
    let watching = ctx
        .subscribe(&platform, &[EventType::TransferCompleted])
        .await?;
    let former = ctx.trading_platform().await?;
    let consent = ctx
        .grant(
            &f.source.initiator,
            &f.source.account_id,
            &former,
            &[ConsentScope::HoldingsRead, ConsentScope::TransactionsRead],
        )
        .await?;
    let silent = ctx
        .subscribe(&former, &[EventType::TransferCompleted])
        .await?;
    f.source
        .initiator
        .client
        .revoke_consent()
        .consent_id(&consent.consent_id)
        .send()
        .await
        .expect_ok("revoke_consent")?;
    complete_and_watch(
        &f,
        &watching,
        &silent,
        "a platform whose only consent on the source was revoked before the transfer completed must not get transfer.completed",
    )
    .await
}
