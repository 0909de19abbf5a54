//! Documented lifetimes, held to the instant on the sandbox clock: an OAuth access token works until
//! 3600 s after issue, an Idempotency-Key is remembered for at least 24 hours, and a reservation is
//! expired from the very instant of its `expires_at`.

use std::time::Duration;

use chrono::Timelike;
use reqwest::Method;
use ucr_sdk::types::ReservationStatus;

use super::support::{fleeting, funded, get_reservation};
use super::{A1, B1, B4};
use crate::assert::{SdkResultExt, ensure_eq};
use crate::check::Check;
use crate::ctx::{Ctx, by_quantity};
use crate::ensure;
use crate::outcome::Failure;

pub(super) const CHECKS: &[Check] = &[
    check! {
        id: "B1-LIFETIME-001",
        model: B1,
        seed: B1,
        operations: ["advance_clock", "issue_token", "list_accounts"],
        description: "An access token (expires_in 3600) still works 3540 s after issue on the sandbox clock",
        run: token_lasts_its_lifetime,
        phase: Clock,
        cites: ["REQ-AUTH-004", "REQ-OAUTH-006"],
    },
    check! {
        id: "A1-LIFETIME-001",
        model: A1,
        seed: A1,
        operations: ["advance_clock", "initiate_transfer"],
        description: "An Idempotency-Key is remembered 23 hours later on the sandbox clock: the retry answers the stored 201 with Idempotent-Replayed and has no effect",
        run: key_remembered_a_day,
        phase: Clock,
        cites: ["REQ-IDEMPOTENCY-005", "REQ-IDEMPOTENCY-010"],
    },
    check! {
        id: "B4-LIFETIME-001",
        model: B4,
        seed: B4,
        operations: ["advance_clock", "get_clock", "create_reservation", "get_reservation"],
        description: "A reservation is expired from the instant of its expires_at: read less than a second after it, it is expired with ended_at = expires_at",
        run: expired_at_the_instant,
        phase: Clock,
        cites: ["REQ-CONV-003", "REQ-RESERVATION-003", "REQ-RESERVATION-007"],
    },
];

async fn token_lasts_its_lifetime(ctx: Ctx) -> Result<(), Failure> {
    let platform = ctx.trading_platform().await?;
    let issued = ctx
        .anonymous()
        .issue_token()
        .body(ucr_sdk::types::TokenRequest {
            grant_type: "client_credentials".into(),
            client_id: Some(platform.client_id.clone()),
            client_secret: Some(platform.client_secret().to_owned()),
            scope: None,
            code: None,
            redirect_uri: None,
            code_verifier: None,
            refresh_token: None,
        })
        .send()
        .await
        .map_err(|e| Failure::new(format!("issue_token: expected an access token, got {e}")))?
        .into_inner();
    ensure_eq("issue_token: expires_in", 3600, issued.expires_in)?;
    // A minute short of the lifetime: the real time between issue and use (seconds on a loaded
    // machine) also counts on the registry clock.
    ctx.advance_clock(3540).await?;
    ctx.client_with_token(&issued.access_token)
        .list_accounts()
        .send()
        .await
        .expect_ok("list_accounts with an access token issued 3540 s ago on the sandbox clock (expires_in 3600)")?;
    Ok(())
}

async fn key_remembered_a_day(ctx: Ctx) -> Result<(), Failure> {
    let f = funded(&ctx, 30).await?;
    let key = format!("ucr-conformance-{}", uuid::Uuid::new_v4());
    let body = serde_json::to_value(by_quantity(
        &f.source.account_id,
        &f.dest.account_id,
        "ACCU",
        10,
    ))
    .map_err(|e| Failure::new(format!("serialising the transfer request: {e}")))?;
    let send = || {
        ctx.raw("initiate_transfer", Method::POST, "/v1/transfers")
            .bearer(f.source.initiator.token())
            .idempotency_key(&key)
            .json(&body)
            .send()
    };
    let first = send().await?;
    let first_body = first.expect_status("initiate_transfer with a new Idempotency-Key", 201)?;
    ctx.advance_clock(23 * 3600).await?;
    let replay = send().await?;
    let replay_body = replay.expect_status(
        "the same initiate_transfer (key and body) 23 hours later",
        201,
    )?;
    ensure_eq(
        "the retry 23 hours later: Idempotent-Replayed",
        Some("true"),
        replay.header("idempotent-replayed"),
    )?;
    ensure!(
        first_body == replay_body,
        "the retry 23 hours later answered another body than the first response:\nfirst:  {first_body}\nretry:  {replay_body}"
    );
    let history = ctx
        .history(&f.source.initiator.client, &f.source.account_id)
        .await?;
    let transfers = history
        .iter()
        .filter(|t| t.kind == ucr_sdk::types::TransactionKind::Transfer)
        .count();
    ensure_eq("source history after the retry: transfers", 1, transfers)
}

/// How many reservations `expired_at_the_instant` may try before it judges the last read: a read
/// that may have left the second of the expiry (a slow machine) proves nothing about that second.
const INSTANT_ATTEMPTS: u64 = 3;

async fn expired_at_the_instant(ctx: Ctx) -> Result<(), Failure> {
    let f = fleeting(&ctx, 10 * INSTANT_ATTEMPTS).await?;
    for attempt in 1..=INSTANT_ATTEMPTS {
        // A whole second, so that the read lands inside the very second the reservation expires in.
        let in_five_minutes = ctx.registry_in(300).await?;
        let expires_at = in_five_minutes
            .with_nanosecond(0)
            .ok_or_else(|| Failure::new("a whole second cannot be formed"))?;
        let reservation = f.reserve_until(10, expires_at).await?;
        // The sandbox clock moves by whole seconds, and the registry clock runs on: wait until the
        // distance to the expiry is just under a whole number of seconds, so the advance lands
        // about 0.1 s after it.
        let now = ctx.registry_now().await?;
        let left_ms = (expires_at - now).num_milliseconds();
        let wait_ms = u64::try_from(left_ms.rem_euclid(1000) + 100).unwrap_or(100);
        tokio::time::sleep(Duration::from_millis(wait_ms)).await;
        let now = ctx.registry_now().await?;
        let seconds = u64::try_from((expires_at - now).num_milliseconds().div_euclid(1000) + 1)
            .unwrap_or(1)
            .max(1);
        let moved_to = ctx.advance_clock(seconds).await?;
        let read = get_reservation(
            &f.seller.initiator.client,
            &reservation.reservation_id,
            "get_reservation just after its expires_at",
        )
        .await?;
        if moved_to < expires_at {
            return Err(Failure::new(format!(
                "advancing the clock by {seconds} s reached {moved_to}, before the expiry {expires_at}; the check cannot judge"
            )));
        }
        // An expired read proves the instant only if it was made inside the second of the expiry;
        // the clock read after it bounds when that was. Otherwise try again with a new reservation.
        let after = ctx.registry_now().await?;
        if read.status == ReservationStatus::Expired
            && after.timestamp() > expires_at.timestamp()
            && attempt < INSTANT_ATTEMPTS
        {
            continue;
        }
        ensure_eq(
            &format!(
                "the reservation read at {moved_to} or later, expires_at {expires_at}: status"
            ),
            ReservationStatus::Expired,
            read.status,
        )?;
        return ensure_eq(
            "the expired reservation: ended_at",
            Some(expires_at),
            read.ended_at,
        );
    }
    Ok(())
}
