//! Webhook checks (`*-WEBHOOK-*`): a platform is told by webhook when its consent is revoked, when
//! a transfer it may see completes (B.1) and when units are unreserved (B.4). Signatures, content,
//! redelivery after a failure, the delivery log, and who may subscribe.

use super::B1;
use super::B4_NOTIFY;
use super::CONSENT;
use super::support::approve;
use super::support::delivery_log_entry;
use super::support::expect_event_data;
use super::support::fleeting;
use super::support::funded;
use super::support::initiate;
use super::support::release;
use super::support::revoke_consent;
use crate::assert::SdkResultExt;
use crate::assert::ensure_eq;
use crate::assert::ranges_of;
use crate::assert::serials;
use crate::check::Check;
use crate::ctx::Ctx;
use crate::ctx::by_quantity;
use crate::ensure;
use crate::outcome::Failure;
use crate::receiver::EVENT_WAIT;
use crate::receiver::decode_secret;
use crate::receiver::new_secret;
use futures::TryStreamExt;
use std::time::Duration;
use ucr_sdk::ProblemKind;
use ucr_sdk::types::BlockStatus;
use ucr_sdk::types::ConsentScope;
use ucr_sdk::types::DeliveryState;
use ucr_sdk::types::EventType;
use ucr_sdk::types::ReservationStatus;
use ucr_sdk::types::TransactionStatus;
use ucr_sdk::types::WebhookSubscription;
use ucr_sdk::types::WebhookSubscriptionRequest;

pub(super) const CHECKS: &[Check] = &[
    check! {
        id: "B4-WEBHOOK-001",
        model: B4,
        seed: B4_NOTIFY,
        operations: ["create_webhook_subscription", "release_reservation", "list_holdings"],
        description: "Unreserving sends the platform, and no other, a signed reservation.released (type, IDs, status, stamped ended_at); the units are available and leave its view; releasing again answers 409",
        run: release_notifies_platform,
        cites: ["REQ-EVENT-003", "REQ-EVENT-005", "REQ-RESERVATION-004", "REQ-RESERVATION-005", "REQ-RESERVATION-006", "REQ-RESERVATION-007", "REQ-SCOPE-004", "REQ-WEBHOOK-003"],
    },
    check! {
        id: "B4-WEBHOOK-002",
        model: B4,
        seed: B4_NOTIFY,
        operations: ["create_webhook_subscription", "release_reservation", "list_webhook_deliveries"],
        description: "After the receiver answers 500 once, the event is redelivered (same webhook-id, validly signed) after the declared retry base (documented 0.5 s); the log shows attempts ≥ 2, delivered",
        run: failed_delivery_is_retried,
        cites: ["REQ-WEBHOOK-003", "REQ-WEBHOOK-004", "REQ-WEBHOOK-005", "REQ-WEBHOOK-007", "REQ-WEBHOOK-008", "REQ-WEBHOOK-009"],
    },
    check! {
        id: "B4-WEBHOOK-003",
        model: B4,
        seed: B4_NOTIFY,
        operations: ["create_webhook_subscription", "list_webhook_subscriptions"],
        description: "A relative or non-http URL, no event types or a malformed secret answer 422; nothing is created",
        run: invalid_subscriptions_refused,
        cites: ["REQ-WEBHOOK-001", "REQ-CONV-006"],
    },
    check! {
        id: "B4-WEBHOOK-004",
        model: B4,
        seed: B4_NOTIFY,
        operations: ["create_webhook_subscription", "list_webhook_subscriptions", "delete_webhook_subscription", "list_webhook_deliveries"],
        description: "Secrets are whsec_ + base64 of 24–64 bytes and shown only on creation; subscriptions are private to their platform and can be deleted",
        run: subscription_lifecycle,
        cites: ["REQ-WEBHOOK-002", "REQ-WEBHOOK-011", "REQ-WEBHOOK-012"],
    },
    check! {
        id: "B4-WEBHOOK-005",
        model: B4,
        seed: B4_NOTIFY,
        operations: ["release_reservation", "list_webhook_deliveries"],
        description: "A receiver that always fails gets six attempts in all, each wait doubling from the declared retry base (documented 0.5, 1, 2, 4, 8 s); then the delivery log shows it failed",
        run: failing_receiver_gets_six_attempts,
        cites: ["REQ-WEBHOOK-005", "REQ-WEBHOOK-007", "REQ-WEBHOOK-008", "REQ-WEBHOOK-009"],
    },
    check! {
        id: "B4-WEBHOOK-006",
        model: B4,
        seed: B4_NOTIFY,
        operations: ["release_reservation", "delete_webhook_subscription", "list_webhook_deliveries"],
        description: "Deleting a subscription whose delivery the receiver keeps failing stops the attempts at once; then its delivery log answers 404",
        run: deletion_stops_pending_attempts,
        cites: ["REQ-WEBHOOK-011"],
    },
    check! {
        id: "B1-WEBHOOK-001",
        model: B1,
        seed: CONSENT,
        operations: ["create_webhook_subscription", "revoke_consent", "list_webhook_deliveries"],
        description: "Revoking a consent sends a signed consent.revoked event to the grantee, once to each subscription listing the type under one event_id and to no other; the delivery log shows it delivered",
        run: revocation_notifies_grantee,
        cites: ["REQ-EVENT-001", "REQ-EVENT-003", "REQ-EVENT-004", "REQ-EVENT-007", "REQ-WEBHOOK-003", "REQ-WEBHOOK-009"],
    },
    check! {
        id: "B1-WEBHOOK-002",
        model: B1,
        seed: B1,
        operations: ["create_webhook_subscription", "approve_transfer", "grant_consent"],
        description: "A completed transfer sends a signed transfer.completed, each with its own event_id, to platforms with holdings_read or transactions_read on the source (data.account_id the source) or on the destination only (the destination); not to one with reserved_units_read only or without consent",
        run: transfer_completed_notifies_platform,
        cites: ["REQ-EVENT-002", "REQ-EVENT-003", "REQ-EVENT-009", "REQ-EVENT-010", "REQ-WEBHOOK-003"],
    },
];

/// Attempts of a delivery the receiver always fails: the first and five retries.
const ATTEMPTS: usize = 6;

/// The retry schedule of a target declaring retry base `base`: the waits before the 2nd to 6th
/// attempts, in ms (0.5, 1, 2, 4, 8 s for the documented 0.5 s base).
fn schedule_ms(base: Duration) -> Vec<i64> {
    let base = i64::try_from(base.as_millis()).unwrap_or(i64::MAX / 64);
    (0..ATTEMPTS as u32 - 1).map(|n| base << n).collect()
}

/// How late a wait may run past twice its scheduled length (delivery and scheduling jitter):
/// 1 s for the documented 0.5 s base, scaled with the base, but never under 200 ms.
fn late_slack_ms(base: Duration) -> i64 {
    i64::try_from(base.as_millis() * 2)
        .unwrap_or(i64::MAX / 4)
        .max(200)
}

/// Whether an observed wait fits a scheduled one: at least 80% of it, at most twice it plus the
/// slack.
fn on_schedule(gap_ms: i64, scheduled_ms: i64, base: Duration) -> bool {
    gap_ms >= scheduled_ms * 8 / 10 && gap_ms <= scheduled_ms * 2 + late_slack_ms(base)
}

async fn subscriptions(
    client: &ucr_sdk::Client,
    what: &str,
) -> Result<Vec<WebhookSubscription>, Failure> {
    client
        .list_webhook_subscriptions()
        .limit(200u32)
        .stream()
        .try_collect()
        .await
        .map_err(|e| Failure::from(e).context(what))
}

async fn release_notifies_platform(ctx: Ctx) -> Result<(), Failure> {
    let f = fleeting(&ctx, 50).await?;
    let hook = ctx
        .subscribe(&f.platform, &[EventType::ReservationReleased])
        .await?;
    ctx.grant(
        &f.seller.initiator,
        &f.seller.account_id,
        &f.platform,
        &[ConsentScope::ReservedUnitsRead],
    )
    .await?;
    // REQ-EVENT-005: reservation events go to the reservation's platform only, not to another
    // platform reading the seller's account.
    let bystander = ctx.trading_platform().await?;
    ctx.grant(
        &f.seller.initiator,
        &f.seller.account_id,
        &bystander,
        &[ConsentScope::HoldingsRead, ConsentScope::TransactionsRead],
    )
    .await?;
    let bystander_hook = ctx
        .subscribe(&bystander, &[EventType::ReservationReleased])
        .await?;
    let reservation = f.reserve(&ctx, 20).await?;
    let listed = ctx
        .holdings(&f.platform.client, &f.seller.account_id)
        .await?;
    ensure_eq(
        "the platform's view of the reserved units",
        ranges_of(&reservation.serial_ranges),
        serials(&listed, "ACCU", Some(BlockStatus::Reserved)),
    )?;

    let released = release(
        &f.seller.approver.client,
        &reservation.reservation_id,
        "release_reservation by the seller's approver (any representative)",
    )
    .await?;
    ensure_eq(
        "release_reservation: status",
        ReservationStatus::Released,
        released.status,
    )?;
    let ended_at = released.ended_at.ok_or_else(|| {
        Failure::new("release_reservation: a released reservation must have ended_at")
    })?;
    let event = hook
        .expect_event(
            EventType::ReservationReleased,
            "after the holder unreserved the units",
            |d| d.reservation_id.as_deref() == Some(reservation.reservation_id.as_str()),
        )
        .await?;
    expect_event_data(
        "reservation.released",
        &event,
        &f.seller.account_id,
        "released",
    )?;
    ensure_eq(
        "reservation.released: timestamp (the instant the reservation ended)",
        ended_at,
        event.event.timestamp,
    )?;
    let arrived = bystander_hook
        .wait_deliveries(Duration::from_secs(1), |d| !d.is_empty())
        .await;
    ensure!(
        arrived.is_empty(),
        "reservation.released must go to the reservation's platform only, but {} deliveries arrived for another platform with a consent on the seller's account",
        arrived.len()
    );

    let blocks = ctx
        .holdings(&f.seller.approver.client, &f.seller.account_id)
        .await?;
    ensure_eq(
        "the seller's available serials after the release",
        serials(&blocks, "ACCU", None),
        serials(&blocks, "ACCU", Some(BlockStatus::Available)),
    )?;
    let visible = ctx
        .holdings(&f.platform.client, &f.seller.account_id)
        .await?;
    ensure!(
        visible.is_empty(),
        "after the release the platform (reserved_units_read) still sees {} blocks",
        visible.len()
    );
    f.seller
        .initiator
        .client
        .release_reservation()
        .reservation_id(&reservation.reservation_id)
        .send()
        .await
        .expect_problem(
            "release_reservation of a released reservation",
            409,
            ProblemKind::InvalidState,
        )?;
    Ok(())
}

async fn failed_delivery_is_retried(ctx: Ctx) -> Result<(), Failure> {
    let f = fleeting(&ctx, 20).await?;
    let hook = ctx
        .subscribe(&f.platform, &[EventType::ReservationReleased])
        .await?;
    hook.fail_next(1);
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
        "after the receiver answered 500 to the first delivery, {} deliveries arrived within {} s (expected a redelivery)",
        deliveries.len(),
        EVENT_WAIT.as_secs()
    );
    ensure_eq(
        "the receiver's answers (the first delivery failed on purpose)",
        (500, 200),
        (deliveries[0].answered, deliveries[1].answered),
    )?;
    let mut events = Vec::with_capacity(deliveries.len());
    for delivery in &deliveries {
        events.push(hook.verify(delivery)?);
    }
    ensure_eq(
        "the redelivery's webhook-id (the event ID, stable across retries)",
        deliveries[0].webhook_id(),
        deliveries[1].webhook_id(),
    )?;
    ensure_eq("the redelivered event", &events[0].data, &events[1].data)?;
    let base = ctx.webhook_backoff();
    let gap = (deliveries[1].received_at - deliveries[0].received_at).num_milliseconds();
    let first = schedule_ms(base)[0];
    ensure!(
        on_schedule(gap, first, base),
        "the redelivery came {gap} ms after the failed attempt; the retry schedule waits {} s first (the target's declared retry base)",
        base.as_secs_f64()
    );
    let event_id = events[0].data.event_id.clone();
    let entry = delivery_log_entry(&f.platform.client, &hook.subscription_id, &event_id, |d| {
        d.state == DeliveryState::Delivered
    })
    .await?;
    ensure!(
        entry.state == DeliveryState::Delivered
            && entry.attempts >= 2
            && entry.last_status == Some(200),
        "the delivery log's entry for {event_id}: expected state delivered, attempts ≥ 2, last_status 200, got {} after {} attempts, last_status {:?}",
        entry.state,
        entry.attempts,
        entry.last_status
    );
    ensure_eq(
        "the delivery log's entry: event_type",
        EventType::ReservationReleased,
        entry.event_type,
    )?;
    // Nothing more arrives for a delivered event: wait past when a third attempt would come.
    tokio::time::sleep((base * 12 / 5).max(Duration::from_millis(300))).await;
    let later = hook.wait_deliveries(Duration::ZERO, |_| true).await;
    ensure_eq(
        "deliveries after the event was delivered",
        deliveries.len(),
        later.len(),
    )
}

async fn invalid_subscriptions_refused(ctx: Ctx) -> Result<(), Failure> {
    let platform = ctx.trading_platform().await?;
    let (url, _) = ctx.webhook_url();
    let request = |url: &str, event_types: Vec<EventType>, secret: Option<String>| {
        WebhookSubscriptionRequest {
            url: url.to_owned(),
            event_types,
            secret,
        }
    };
    let released = || vec![EventType::ReservationReleased];
    let short = format!(
        "whsec_{}",
        base64::Engine::encode(&base64::engine::general_purpose::STANDARD, [7u8; 8])
    );
    let cases = [
        (
            "a relative URL",
            request("/hooks/relative", released(), None),
        ),
        (
            "an ftp URL",
            request("ftp://127.0.0.1/hooks", released(), None),
        ),
        ("no event types", request(&url, vec![], None)),
        (
            "a secret of 8 bytes",
            request(&url, released(), Some(short)),
        ),
        (
            "a secret without the whsec_ prefix",
            request(
                &url,
                released(),
                Some("c2VjcmV0LXdpdGhvdXQtcHJlZml4LTEyMzQ1Njc4".into()),
            ),
        ),
    ];
    for (case, body) in cases {
        platform
            .client
            .create_webhook_subscription()
            .body(body)
            .send()
            .await
            .expect_problem(
                &format!("create_webhook_subscription with {case}"),
                422,
                ProblemKind::ValidationFailed,
            )?;
    }
    let listed = subscriptions(
        &platform.client,
        "list_webhook_subscriptions by the platform",
    )
    .await?;
    ensure!(
        listed.is_empty(),
        "refused subscriptions must create nothing, but the platform has {:?}",
        listed
            .iter()
            .map(|s| &s.subscription_id)
            .collect::<Vec<_>>()
    );
    Ok(())
}

async fn subscription_lifecycle(ctx: Ctx) -> Result<(), Failure> {
    let platform = ctx.trading_platform().await?;
    let rival = ctx.trading_platform().await?;
    let generated = ctx
        .subscribe(&platform, &[EventType::ReservationReleased])
        .await?;
    let key = decode_secret(&generated.secret).map_err(|e| {
        Failure::new(format!(
            "create_webhook_subscription: the generated secret is not whsec_ + base64: {e}"
        ))
    })?;
    ensure!(
        (24..=64).contains(&key.len()),
        "create_webhook_subscription: the generated secret decodes to {} bytes, not 24–64",
        key.len()
    );
    let own = new_secret();
    let chosen = ctx
        .subscribe_with_secret(
            &platform,
            &[
                EventType::ReservationExpired,
                EventType::ReservationConsumed,
            ],
            Some(own),
        )
        .await?;

    let listed = subscriptions(
        &platform.client,
        "list_webhook_subscriptions by the platform",
    )
    .await?;
    let mut ids: Vec<&str> = listed.iter().map(|s| s.subscription_id.as_str()).collect();
    ids.sort_unstable();
    let mut expected = vec![
        generated.subscription_id.as_str(),
        chosen.subscription_id.as_str(),
    ];
    expected.sort_unstable();
    ensure_eq("list_webhook_subscriptions: IDs", expected, ids)?;
    ensure!(
        listed.iter().all(|s| s.secret.is_none()),
        "list_webhook_subscriptions must not show secrets (they are shown only on creation)"
    );
    let listed_chosen = listed
        .iter()
        .find(|s| s.subscription_id == chosen.subscription_id)
        .ok_or_else(|| Failure::new("the second subscription is not listed"))?;
    // The contract gives the subscription's event types as a set: any order is allowed.
    let mut listed_types: Vec<String> = listed_chosen
        .event_types
        .iter()
        .map(ToString::to_string)
        .collect();
    listed_types.sort_unstable();
    ensure_eq(
        "list_webhook_subscriptions: url and event types (in any order)",
        (
            chosen.url.as_str(),
            vec![
                EventType::ReservationConsumed.to_string(),
                EventType::ReservationExpired.to_string(),
            ],
        ),
        (listed_chosen.url.as_str(), listed_types),
    )?;

    ensure!(
        subscriptions(
            &rival.client,
            "list_webhook_subscriptions by another platform"
        )
        .await?
        .is_empty(),
        "another platform sees this platform's subscriptions"
    );
    rival
        .client
        .delete_webhook_subscription()
        .subscription_id(&generated.subscription_id)
        .send()
        .await
        .expect_problem(
            "delete_webhook_subscription by another platform",
            404,
            ProblemKind::NotFound,
        )?;
    rival
        .client
        .list_webhook_deliveries()
        .subscription_id(&generated.subscription_id)
        .send()
        .await
        .expect_problem(
            "list_webhook_deliveries of another platform's subscription",
            404,
            ProblemKind::NotFound,
        )?;
    let log = platform
        .client
        .list_webhook_deliveries()
        .subscription_id(&generated.subscription_id)
        .send()
        .await
        .expect_ok("list_webhook_deliveries of a new subscription")?;
    ensure!(
        log.items.is_empty(),
        "a subscription nothing happened for has {} deliveries",
        log.items.len()
    );

    let deleted = platform
        .client
        .delete_webhook_subscription()
        .subscription_id(&chosen.subscription_id)
        .send()
        .await
        .expect_ok("delete_webhook_subscription by its platform")?;
    ensure_eq(
        "delete_webhook_subscription: subscription_id",
        chosen.subscription_id.as_str(),
        &deleted.subscription_id,
    )?;
    ensure!(
        deleted.secret.is_none(),
        "delete_webhook_subscription must not show the secret"
    );
    let left = subscriptions(
        &platform.client,
        "list_webhook_subscriptions after the deletion",
    )
    .await?;
    ensure_eq(
        "list_webhook_subscriptions after the deletion",
        vec![generated.subscription_id.as_str()],
        left.iter().map(|s| s.subscription_id.as_str()).collect(),
    )?;
    platform
        .client
        .list_webhook_deliveries()
        .subscription_id(&chosen.subscription_id)
        .send()
        .await
        .expect_problem(
            "list_webhook_deliveries of a deleted subscription",
            404,
            ProblemKind::NotFound,
        )?;
    platform
        .client
        .delete_webhook_subscription()
        .subscription_id(&chosen.subscription_id)
        .send()
        .await
        .expect_problem(
            "delete_webhook_subscription of a deleted subscription",
            404,
            ProblemKind::NotFound,
        )?;
    Ok(())
}

async fn failing_receiver_gets_six_attempts(ctx: Ctx) -> Result<(), Failure> {
    let f = fleeting(&ctx, 20).await?;
    let hook = ctx
        .subscribe(&f.platform, &[EventType::ReservationReleased])
        .await?;
    hook.fail_next(u32::MAX);
    let reservation = f.reserve(&ctx, 10).await?;
    release(
        &f.seller.initiator.client,
        &reservation.reservation_id,
        "release_reservation",
    )
    .await?;
    let base = ctx.webhook_backoff();
    let schedule = schedule_ms(base);
    let total: i64 = schedule.iter().sum();
    let wait = Duration::from_millis(u64::try_from(total).unwrap_or(0)) + EVENT_WAIT;
    let deliveries = hook.wait_deliveries(wait, |d| d.len() >= ATTEMPTS).await;
    // A seventh attempt would come 32 bases after the sixth; any sooner than 4 is caught here.
    tokio::time::sleep((base * 4).max(Duration::from_millis(300))).await;
    let deliveries = {
        let later = hook.wait_deliveries(Duration::ZERO, |_| true).await;
        if later.len() > deliveries.len() {
            later
        } else {
            deliveries
        }
    };
    ensure_eq(
        "attempts of a delivery the receiver always answers with 500",
        ATTEMPTS,
        deliveries.len(),
    )?;
    let mut ids = Vec::with_capacity(deliveries.len());
    for delivery in &deliveries {
        ids.push(hook.verify(delivery)?.data.event_id);
    }
    ensure!(
        ids.iter().all(|id| *id == ids[0]),
        "every attempt must carry the same event (webhook-id), got {ids:?}"
    );
    let gaps: Vec<i64> = deliveries
        .windows(2)
        .map(|w| (w[1].received_at - w[0].received_at).num_milliseconds())
        .collect();
    let kept = gaps
        .iter()
        .zip(&schedule)
        .all(|(gap, scheduled)| on_schedule(*gap, *scheduled, base));
    ensure!(
        kept,
        "the waits between attempts were {gaps:?} ms; the schedule is {schedule:?} ms (doubling from the target's declared retry base of {} s)",
        base.as_secs_f64()
    );
    let entry = delivery_log_entry(&f.platform.client, &hook.subscription_id, &ids[0], |d| {
        d.state == DeliveryState::Failed
    })
    .await?;
    ensure!(
        entry.state == DeliveryState::Failed
            && entry.attempts == 6
            && entry.last_status == Some(500),
        "the delivery log's entry for {}: expected state failed after 6 attempts with last_status 500, got {} after {} attempts, last_status {:?}",
        ids[0],
        entry.state,
        entry.attempts,
        entry.last_status
    );
    Ok(())
}

async fn deletion_stops_pending_attempts(ctx: Ctx) -> Result<(), Failure> {
    let f = fleeting(&ctx, 20).await?;
    let hook = ctx
        .subscribe(&f.platform, &[EventType::ReservationReleased])
        .await?;
    hook.fail_next(u32::MAX);
    let reservation = f.reserve(&ctx, 10).await?;
    release(
        &f.seller.initiator.client,
        &reservation.reservation_id,
        "release_reservation",
    )
    .await?;
    let first = hook.wait_deliveries(EVENT_WAIT, |d| !d.is_empty()).await;
    ensure!(
        !first.is_empty(),
        "no reservation.released delivery arrived within {} s of the release",
        EVENT_WAIT.as_secs()
    );
    f.platform
        .client
        .delete_webhook_subscription()
        .subscription_id(&hook.subscription_id)
        .send()
        .await
        .expect_ok("delete_webhook_subscription while its delivery is pending")?;
    let deleted_at = chrono::Utc::now();
    // An attempt already under way when the deletion was answered may still arrive: allow for
    // loopback latency. Attempts that keep going would bring the next two retries within
    // 2·b·2^(n−1) + 2·b·2^n of the n-th failure (REQ-WEBHOOK-007), so wait that long.
    let base = ctx.webhook_backoff();
    let slack = base.max(Duration::from_millis(200));
    let n = u32::try_from(first.len()).unwrap_or(1).clamp(1, 4);
    let window = base * 2 * (1 << (n - 1)) + base * 2 * (1 << n) + slack;
    tokio::time::sleep(window).await;
    let all = hook.wait_deliveries(Duration::ZERO, |_| true).await;
    let late: Vec<String> = all
        .iter()
        .filter(|d| d.received_at > deleted_at + slack)
        .map(|d| d.received_at.to_rfc3339())
        .collect();
    ensure!(
        late.is_empty(),
        "after the subscription was deleted (at {deleted_at}) attempts of its pending delivery kept arriving: {late:?}"
    );
    f.platform
        .client
        .list_webhook_deliveries()
        .subscription_id(&hook.subscription_id)
        .send()
        .await
        .expect_problem(
            "list_webhook_deliveries of the deleted subscription",
            404,
            ProblemKind::NotFound,
        )?;
    Ok(())
}

async fn revocation_notifies_grantee(ctx: Ctx) -> Result<(), Failure> {
    let seller = ctx.holder_with_one_rep().await?;
    let platform = ctx.trading_platform().await?;
    let hook = ctx
        .subscribe(&platform, &[EventType::ConsentRevoked])
        .await?;
    // REQ-EVENT-001: every subscription of the grantee listing the type gets the event once,
    // under one event_id; a subscription not listing it gets nothing.
    let also = ctx
        .subscribe(
            &platform,
            &[EventType::ConsentExpired, EventType::ConsentRevoked],
        )
        .await?;
    let other_type = ctx
        .subscribe(&platform, &[EventType::TransferCompleted])
        .await?;
    let consent = ctx
        .grant(
            &seller.rep,
            &seller.account_id,
            &platform,
            &[ConsentScope::HoldingsRead],
        )
        .await?;
    revoke_consent(
        &seller.rep.client,
        &consent.consent_id,
        "revoke_consent by the account's representative",
    )
    .await?;
    let event = hook
        .expect_event(EventType::ConsentRevoked, "after the revocation", |d| {
            d.consent_id.as_deref() == Some(consent.consent_id.as_str())
        })
        .await?;
    expect_event_data("consent.revoked", &event, &seller.account_id, "revoked")?;
    let second = also
        .expect_event(
            EventType::ConsentRevoked,
            "after the revocation, at the grantee's second subscription",
            |d| d.consent_id.as_deref() == Some(consent.consent_id.as_str()),
        )
        .await?;
    ensure_eq(
        "consent.revoked at the grantee's two subscriptions: one event_id",
        event.event.data.event_id.as_str(),
        second.event.data.event_id.as_str(),
    )?;
    for (which, subscription) in [("first", &hook), ("second", &also)] {
        let received = subscription
            .wait_deliveries(Duration::from_millis(500), |d| d.len() > 1)
            .await;
        ensure_eq(
            &format!("deliveries of consent.revoked to the grantee's {which} subscription"),
            1,
            received.len(),
        )?;
    }
    let stray = other_type
        .wait_deliveries(Duration::from_millis(500), |d| !d.is_empty())
        .await;
    ensure!(
        stray.is_empty(),
        "a subscription listing only transfer.completed received {} deliveries after a consent was revoked",
        stray.len()
    );
    let entry = delivery_log_entry(
        &platform.client,
        &hook.subscription_id,
        &event.event.data.event_id,
        |d| d.state == ucr_sdk::types::DeliveryState::Delivered,
    )
    .await?;
    ensure_eq(
        "the delivery log's entry: state",
        ucr_sdk::types::DeliveryState::Delivered,
        entry.state,
    )?;
    ensure_eq(
        "the delivery log's entry: event_type",
        EventType::ConsentRevoked,
        entry.event_type,
    )?;
    ensure!(
        entry.attempts >= 1 && entry.last_status == Some(200),
        "the delivery log's entry: expected at least 1 attempt and last_status 200 (what the receiver answered), got {} attempts, last_status {:?}",
        entry.attempts,
        entry.last_status
    );
    Ok(())
}

async fn transfer_completed_notifies_platform(ctx: Ctx) -> Result<(), Failure> {
    let f = funded(&ctx, 30).await?;
    let elsewhere = ctx.holder_with_one_rep().await?;
    // REQ-EVENT-009: recipients by a holdings_read or a transactions_read consent on the source,
    // or a consent on the destination only (then data.account_id is the destination).
    let holdings = ctx.trading_platform().await?;
    let history = ctx.trading_platform().await?;
    let on_dest = ctx.trading_platform().await?;
    // REQ-EVENT-010: nobody else, neither a platform whose consent on the source has neither
    // scope, nor one whose only consent is on another account.
    let narrow = ctx.trading_platform().await?;
    let stranger = ctx.trading_platform().await?;
    let source = f.source.account_id.as_str();
    let dest = f.dest.account_id.as_str();
    for (platform, rep, account_id, scope) in [
        (
            &holdings,
            &f.source.initiator,
            source,
            ConsentScope::HoldingsRead,
        ),
        (
            &history,
            &f.source.initiator,
            source,
            ConsentScope::TransactionsRead,
        ),
        (&on_dest, &f.dest.rep, dest, ConsentScope::HoldingsRead),
        (
            &narrow,
            &f.source.initiator,
            source,
            ConsentScope::ReservedUnitsRead,
        ),
        (
            &stranger,
            &elsewhere.rep,
            elsewhere.account_id.as_str(),
            ConsentScope::HoldingsRead,
        ),
    ] {
        ctx.grant(rep, account_id, platform, &[scope]).await?;
    }
    let mut hooks = Vec::with_capacity(5);
    for platform in [&holdings, &history, &on_dest, &narrow, &stranger] {
        hooks.push(
            ctx.subscribe(platform, &[EventType::TransferCompleted])
                .await?,
        );
    }
    let transfer = initiate(
        &f.source.initiator.client,
        by_quantity(source, dest, "ACCU", 12),
        "initiate_transfer",
    )
    .await?;
    let done = approve(
        &f.source.approver.client,
        &transfer.transfer_id,
        "approve_transfer",
    )
    .await?;
    ensure_eq(
        "approve_transfer: status",
        TransactionStatus::Completed,
        done.status,
    )?;
    let decided_at = done
        .decided_at
        .ok_or_else(|| Failure::new("approve_transfer: a completed transfer has no decided_at"))?;
    let mut event_ids = Vec::with_capacity(3);
    for (hook, who, account_id) in [
        (
            &hooks[0],
            "a platform with holdings_read on the source",
            source,
        ),
        (
            &hooks[1],
            "a platform with transactions_read only on the source",
            source,
        ),
        (
            &hooks[2],
            "a platform with a consent on the destination only",
            dest,
        ),
    ] {
        let event = hook
            .expect_event(
                EventType::TransferCompleted,
                &format!("after the approval, to {who}"),
                |d| d.transfer_id.as_deref() == Some(transfer.transfer_id.as_str()),
            )
            .await?;
        expect_event_data(
            &format!("transfer.completed to {who}"),
            &event,
            account_id,
            "completed",
        )?;
        ensure!(
            event.event.timestamp == decided_at,
            "transfer.completed to {who}: timestamp {} is not the instant the transfer completed (decided_at {decided_at})",
            event.event.timestamp
        );
        event_ids.push(event.event.data.event_id);
    }
    let mut unique = event_ids.clone();
    unique.sort_unstable();
    unique.dedup();
    ensure!(
        unique.len() == event_ids.len(),
        "each recipient of transfer.completed must get its own event_id, got {event_ids:?}"
    );
    // The qualified recipients' events have arrived; deliveries may run concurrently, so give
    // the others a further second to show up.
    for (hook, who) in [
        (
            &hooks[3],
            "a platform with only reserved_units_read on the source",
        ),
        (&hooks[4], "a platform without a consent on either account"),
    ] {
        let arrived = hook
            .wait_deliveries(Duration::from_secs(1), |d| !d.is_empty())
            .await;
        ensure!(
            arrived.is_empty(),
            "transfer.completed must not be sent to {who}, but {} deliveries arrived",
            arrived.len()
        );
    }
    Ok(())
}
