//! B.4's notifications redelivered after any failed attempt: a 4xx answer from the receiver is a
//! failure like a 5xx, so the event comes again.

use ucr_sdk::types::{DeliveryState, EventType};

use super::B4_NOTIFY;
use super::support::{delivery_log_entry, fleeting, release};
use crate::assert::ensure_eq;
use crate::check::Check;
use crate::ctx::Ctx;
use crate::ensure;
use crate::outcome::Failure;
use crate::receiver::EVENT_WAIT;

pub(super) const CHECKS: &[Check] = &[check! {
    id: "B4-REDELIVERY-001",
    model: B4,
    seed: B4_NOTIFY,
    operations: ["create_webhook_subscription", "release_reservation", "list_webhook_deliveries"],
    description: "After the receiver answers 400 once, the event is redelivered with the same webhook-id (any non-2xx is a failed attempt); the log shows it delivered",
    run: redelivered_after_4xx,
    cites: ["REQ-WEBHOOK-005", "REQ-WEBHOOK-007", "REQ-WEBHOOK-008", "REQ-WEBHOOK-009"],
}];

async fn redelivered_after_4xx(ctx: Ctx) -> Result<(), Failure> {
    let f = fleeting(&ctx, 20).await?;
    let hook = ctx
        .subscribe(&f.platform, &[EventType::ReservationReleased])
        .await?;
    hook.fail_next_with(1, 400);
    let reservation = f.reserve(&ctx, 10).await?;
    release(
        &f.seller.initiator.client,
        &reservation.reservation_id,
        "release_reservation",
    )
    .await?;
    let deliveries = hook
        .wait_deliveries(EVENT_WAIT, |d| d.iter().any(|d| d.answered == 200))
        .await;
    ensure!(
        deliveries.len() >= 2,
        "after the receiver answered 400 to the first delivery, {} deliveries arrived within {} s (expected a redelivery)",
        deliveries.len(),
        EVENT_WAIT.as_secs()
    );
    ensure_eq(
        "the receiver's answers (the first delivery refused on purpose)",
        (400, 200),
        (deliveries[0].answered, deliveries[1].answered),
    )?;
    let first = hook.verify(&deliveries[0])?;
    hook.verify(&deliveries[1])?;
    ensure_eq(
        "the redelivery's webhook-id",
        deliveries[0].webhook_id(),
        deliveries[1].webhook_id(),
    )?;
    let entry = delivery_log_entry(
        &f.platform.client,
        &hook.subscription_id,
        &first.data.event_id,
        |d| d.state == DeliveryState::Delivered,
    )
    .await?;
    ensure_eq(
        "the delivery log's entry: (state, last_status)",
        (DeliveryState::Delivered, Some(200)),
        (entry.state, entry.last_status),
    )
}
