//! Event routing: who gets an event and who must not. A subscription gets only the event types it
//! lists, a deleted subscription nothing, and a platform whose consent ended no `transfer.completed`.
//! Representatives (A.1) hear of their own accounts' transactions, consents and escrows, and of no
//! other account's. Each check waits for a subscription that must get its event; a subscription
//! that must not is then given a grace period before its silence is asserted.

use std::time::Duration;

use ucr_sdk::types::{ConsentScope, EventData, EventType, RejectRequest, SettleRequest};

use super::support::{
    Funded, approve, escrow, escrow_request, funded, initiate, initiate_cancellation, rescind,
    revoke_consent,
};
use super::{A1, B1};
use crate::assert::SdkResultExt;
use crate::check::Check;
use crate::ctx::{Ctx, by_quantity, cancel_quantity};
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
    check! {
        id: "A1-EVENT-001",
        model: A1,
        seed: A1,
        operations: ["create_webhook_subscription", "initiate_transfer", "approve_transfer"],
        description: "A representative subscribes: the second representative is told (signed) that a transfer awaits its approval, then that it completed; the destination's representative hears of it too",
        run: approver_told_of_pending_transfer,
        cites: ["REQ-EVENT-001", "REQ-EVENT-012", "REQ-WEBHOOK-003", "REQ-ACCESS-010"],
    },
    check! {
        id: "A1-EVENT-002",
        model: A1,
        seed: A1,
        operations: ["create_webhook_subscription", "initiate_transfer", "approve_transfer", "initiate_cancellation"],
        description: "A representative never receives events of an account it does not represent, and a platform with a read consent receives no approval-workflow event",
        run: no_events_of_other_accounts,
        cites: ["REQ-EVENT-013"],
    },
    check! {
        id: "A1-EVENT-003",
        model: A1,
        seed: A1,
        operations: ["create_webhook_subscription", "initiate_cancellation", "reject_cancellation", "rescind_transfer", "grant_consent", "revoke_consent", "create_escrow", "approve_escrow", "reject_escrow", "settle_escrow"],
        description: "A representative hears of every change on its account: cancellation pending and rejected, transfer rescinded, consent granted and revoked, escrow pending, activated, rejected and settled",
        run: representative_hears_every_change,
        cites: ["REQ-EVENT-012"],
    },
];

/// Every event type a representative may subscribe to for its accounts (`REQ-EVENT-012`).
const HOLDER_EVENTS: &[EventType] = &[
    EventType::TransferPendingApproval,
    EventType::TransferCompleted,
    EventType::TransferRejected,
    EventType::TransferRescinded,
    EventType::TransferExpired,
    EventType::CancellationPendingApproval,
    EventType::CancellationCompleted,
    EventType::CancellationRejected,
    EventType::CancellationRescinded,
    EventType::CancellationExpired,
    EventType::ConsentGranted,
    EventType::ConsentRevoked,
    EventType::ConsentExpired,
    EventType::ReservationReleased,
    EventType::ReservationExpired,
    EventType::ReservationConsumed,
    EventType::EscrowPendingApproval,
    EventType::EscrowActivated,
    EventType::EscrowRejected,
    EventType::EscrowSettled,
    EventType::EscrowReleased,
];

/// Whether an event's data names `account_id` and, through `id`, the resource concerned.
fn about(data: &EventData, account_id: &str, id: Option<&str>, resource: &str) -> bool {
    data.account_id == account_id && id == Some(resource)
}

async fn approver_told_of_pending_transfer(ctx: Ctx) -> Result<(), Failure> {
    let f = funded(&ctx, 30).await?;
    let approver = ctx
        .subscribe_representative(
            &f.source.approver,
            &[
                EventType::TransferPendingApproval,
                EventType::TransferCompleted,
            ],
        )
        .await?;
    let destination = ctx
        .subscribe_representative(&f.dest.rep, &[EventType::TransferCompleted])
        .await?;
    let transfer = initiate(
        &f.source.initiator.client,
        by_quantity(&f.source.account_id, &f.dest.account_id, "ACCU", 5),
        "initiate_transfer",
    )
    .await?;
    let told = approver
        .expect_event(
            EventType::TransferPendingApproval,
            "the second representative, after the initiation",
            |d| {
                about(
                    d,
                    &f.source.account_id,
                    d.transfer_id.as_deref(),
                    &transfer.transfer_id,
                )
            },
        )
        .await
        .map_err(|f| f.violates("REQ-EVENT-012"))?;
    ensure!(
        told.event.data.status == "pending_approval",
        "transfer.pending_approval: data.status is {:?}, not pending_approval",
        told.event.data.status
    );
    approve(
        &f.source.approver.client,
        &transfer.transfer_id,
        "approve_transfer",
    )
    .await?;
    approver
        .expect_event(
            EventType::TransferCompleted,
            "the approver, after its approval",
            |d| {
                about(
                    d,
                    &f.source.account_id,
                    d.transfer_id.as_deref(),
                    &transfer.transfer_id,
                )
            },
        )
        .await
        .map_err(|f| f.violates("REQ-EVENT-012"))?;
    destination
        .expect_event(
            EventType::TransferCompleted,
            "the destination's representative, after the approval",
            |d| {
                about(
                    d,
                    &f.dest.account_id,
                    d.transfer_id.as_deref(),
                    &transfer.transfer_id,
                )
            },
        )
        .await
        .map_err(|f| f.violates("REQ-EVENT-012"))?;
    Ok(())
}

async fn no_events_of_other_accounts(ctx: Ctx) -> Result<(), Failure> {
    let f = funded(&ctx, 30).await?;
    let outsider = ctx.holder_with_one_rep().await?;
    let silent = ctx
        .subscribe_representative(&outsider.rep, HOLDER_EVENTS)
        .await?;
    let platform = ctx.trading_platform().await?;
    ctx.grant(
        &f.source.initiator,
        &f.source.account_id,
        &platform,
        &[ConsentScope::HoldingsRead, ConsentScope::TransactionsRead],
    )
    .await?;
    let platform_hook = ctx
        .subscribe(
            &platform,
            &[
                EventType::TransferPendingApproval,
                EventType::CancellationPendingApproval,
                EventType::ConsentGranted,
            ],
        )
        .await?;
    let watching = ctx
        .subscribe_representative(&f.source.approver, HOLDER_EVENTS)
        .await?;
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
    let cancellation = initiate_cancellation(
        &f.source.initiator.client,
        cancel_quantity(&f.source.account_id, "ACCU", 3),
        "initiate_cancellation",
    )
    .await?;
    watching
        .expect_event(
            EventType::CancellationPendingApproval,
            "the account's own representative, after the cancellation",
            |d| {
                about(
                    d,
                    &f.source.account_id,
                    d.cancellation_id.as_deref(),
                    &cancellation.cancellation_id,
                )
            },
        )
        .await?;
    for (hook, why) in [
        (
            &silent,
            "a representative of another account must get no event of this one",
        ),
        (
            &platform_hook,
            "a platform must get no transfer.pending_approval, cancellation.pending_approval or consent.granted",
        ),
    ] {
        let got = hook.wait_deliveries(GRACE, |d| !d.is_empty()).await;
        ensure!(
            got.is_empty(),
            "{why}, yet it received {} deliveries: {:?}",
            got.len(),
            got.iter()
                .map(|d| crate::text::snippet(&d.body, 160))
                .collect::<Vec<_>>()
        );
    }
    Ok(())
}

async fn representative_hears_every_change(ctx: Ctx) -> Result<(), Failure> {
    let f = funded(&ctx, 60).await?;
    let account = f.source.account_id.as_str();
    let hook = ctx
        .subscribe_representative(&f.source.approver, HOLDER_EVENTS)
        .await?;
    let heard = |kind: EventType, id: String, pick: fn(&EventData) -> Option<&str>| {
        let hook = &hook;
        async move {
            hook.expect_event(kind, &format!("the approver, about {id}"), |d| {
                about(d, account, pick(d), &id)
            })
            .await
            .map_err(|f| f.violates("REQ-EVENT-012"))
        }
    };
    fn transfer_of(d: &EventData) -> Option<&str> {
        d.transfer_id.as_deref()
    }
    fn cancellation_of(d: &EventData) -> Option<&str> {
        d.cancellation_id.as_deref()
    }
    fn consent_of(d: &EventData) -> Option<&str> {
        d.consent_id.as_deref()
    }
    fn escrow_of(d: &EventData) -> Option<&str> {
        d.escrow_id.as_deref()
    }

    let cancellation = initiate_cancellation(
        &f.source.initiator.client,
        cancel_quantity(account, "ACCU", 4),
        "initiate_cancellation",
    )
    .await?;
    heard(
        EventType::CancellationPendingApproval,
        cancellation.cancellation_id.clone(),
        cancellation_of,
    )
    .await?;
    f.source
        .approver
        .client
        .reject_cancellation()
        .cancellation_id(&cancellation.cancellation_id)
        .body(RejectRequest { reason: None })
        .send()
        .await
        .expect_ok("reject_cancellation")?;
    heard(
        EventType::CancellationRejected,
        cancellation.cancellation_id.clone(),
        cancellation_of,
    )
    .await?;

    let transfer = initiate(
        &f.source.initiator.client,
        by_quantity(account, &f.dest.account_id, "ACCU", 2),
        "initiate_transfer",
    )
    .await?;
    rescind(
        &f.source.initiator.client,
        &transfer.transfer_id,
        "rescind_transfer",
    )
    .await?;
    heard(
        EventType::TransferRescinded,
        transfer.transfer_id.clone(),
        transfer_of,
    )
    .await?;

    let platform = ctx.trading_platform().await?;
    let consent = ctx
        .grant(
            &f.source.initiator,
            account,
            &platform,
            &[ConsentScope::HoldingsRead],
        )
        .await?;
    heard(
        EventType::ConsentGranted,
        consent.consent_id.clone(),
        consent_of,
    )
    .await?;
    revoke_consent(
        &f.source.initiator.client,
        &consent.consent_id,
        "revoke_consent",
    )
    .await?;
    heard(
        EventType::ConsentRevoked,
        consent.consent_id.clone(),
        consent_of,
    )
    .await?;

    let expires_at = ctx.registry_in(30 * 86_400).await?;
    let rejected = f
        .source
        .initiator
        .client
        .create_escrow()
        .body(escrow_request(account, &platform, 5, expires_at))
        .send()
        .await
        .expect_ok("create_escrow")?;
    heard(
        EventType::EscrowPendingApproval,
        rejected.escrow_id.clone(),
        escrow_of,
    )
    .await?;
    f.source
        .approver
        .client
        .reject_escrow()
        .escrow_id(&rejected.escrow_id)
        .body(RejectRequest { reason: None })
        .send()
        .await
        .expect_ok("reject_escrow")?;
    heard(
        EventType::EscrowRejected,
        rejected.escrow_id.clone(),
        escrow_of,
    )
    .await?;
    let active = escrow(
        &f.source.initiator.client,
        &f.source.approver.client,
        escrow_request(account, &platform, 5, expires_at),
        "create_escrow",
    )
    .await?;
    heard(
        EventType::EscrowActivated,
        active.escrow_id.clone(),
        escrow_of,
    )
    .await?;
    platform
        .client
        .settle_escrow()
        .escrow_id(&active.escrow_id)
        .body(SettleRequest {
            to_account_id: f.dest.account_id.clone(),
            reference: None,
        })
        .send()
        .await
        .expect_ok("settle_escrow by the controller")?;
    heard(
        EventType::EscrowSettled,
        active.escrow_id.clone(),
        escrow_of,
    )
    .await?;
    Ok(())
}

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
    revoke_consent(
        &f.source.initiator.client,
        &consent.consent_id,
        "revoke_consent",
    )
    .await?;
    complete_and_watch(
        &f,
        &watching,
        &silent,
        "a platform whose only consent on the source was revoked before the transfer completed must not get transfer.completed",
    )
    .await
}
