//! Request date-times read as the instants they name: a consent's `expires_at` sent with a
//! `+10:00` offset is kept as that instant, never as its wall-clock time taken for UTC.

use chrono::{FixedOffset, Timelike};
use reqwest::Method;
use serde_json::json;
use ucr_sdk::types::Consent;

use super::CONSENT;
use crate::check::Check;
use crate::ctx::{Attrs, Ctx};
use crate::ensure;
use crate::outcome::Failure;

pub(super) const CHECKS: &[Check] = &[check! {
    id: "B1-TIME-001",
    model: B1,
    seed: CONSENT,
    operations: ["grant_consent"],
    description: "A consent's expires_at sent with a +10:00 offset is granted with expires_at the instant it names, not its wall-clock time read as UTC",
    run: offset_is_the_same_instant,
    cites: ["REQ-CONV-008"],
}];

async fn offset_is_the_same_instant(ctx: Ctx) -> Result<(), Failure> {
    let seller = ctx.holder_with_one_rep().await?;
    ctx.issue(&seller.account_id, 10, &Attrs::accu()).await?;
    let platform = ctx.trading_platform().await?;
    let instant = ctx
        .registry_in(20 * 86_400)
        .await?
        .with_nanosecond(0)
        .ok_or_else(|| Failure::new("a whole second cannot be formed"))?;
    let brisbane = FixedOffset::east_opt(10 * 3600)
        .ok_or_else(|| Failure::new("the +10:00 offset cannot be formed"))?;
    let sent = instant.with_timezone(&brisbane).to_rfc3339();
    let response = ctx
        .raw(
            "grant_consent",
            Method::POST,
            &format!("/v1/accounts/{}/consents", seller.account_id),
        )
        .bearer(seller.rep.token())
        .json(&json!({
            "grantee_id": platform.platform_id,
            "scopes": ["holdings_read"],
            "expires_at": sent,
        }))
        .send()
        .await?;
    let body = response.expect_status(&format!("grant_consent with expires_at {sent}"), 201)?;
    let consent: Consent = serde_json::from_value(body.clone()).map_err(|e| {
        Failure::new(format!(
            "grant_consent: the 201 body is not a consent ({e}): {body}"
        ))
    })?;
    ensure!(
        consent.expires_at.timestamp() == instant.timestamp(),
        "grant_consent with expires_at {sent} (= {instant}) answered expires_at {}, another instant",
        consent.expires_at
    );
    Ok(())
}
