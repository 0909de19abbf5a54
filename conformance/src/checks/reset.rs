//! The sandbox reset: it removes the run's representatives' and platforms' tokens but keeps the
//! operator's, keeps the clock, counts exactly what it removed, and forgets non-operators'
//! idempotency keys. It wipes the whole sandbox, so it runs last, alone, and only when allowed.

use reqwest::Method;
use serde_json::json;
use ucr_sdk::types::PlatformKind;

use super::A1;
use crate::check::Check;
use crate::ctx::{Attrs, Ctx, Party};
use crate::ensure;
use crate::outcome::Failure;

pub(super) const CHECKS: &[Check] = &[check! {
    id: "A1-RESET-001",
    model: A1,
    seed: A1,
    operations: ["reset_sandbox"],
    description: "reset_sandbox removes the run's representative and platform tokens (401) but keeps the operator's, keeps the clock, reports exactly the accounts and transactions removed (1 and 1 after one holder, account and issuance), and forgets a removed representative's idempotency keys",
    run: reset_removes_exactly_what_it_reports,
    phase: Reset,
    requires: [Sandbox],
    cites: ["REQ-SANDBOX-009", "REQ-SANDBOX-010", "REQ-IDEMPOTENCY-013", "REQ-AUTH-005"],
}];

/// The Idempotency-Key the removed representative and its same-ID successor both send.
const KEY: &str = "a1-reset-001-cancellation";

async fn reset_removes_exactly_what_it_reports(ctx: Ctx) -> Result<(), Failure> {
    ctx.may_reset()?;
    // Tokens that must stop working: every representative the run appointed, and a platform.
    let platform = ctx.new_platform(PlatformKind::TradingPlatform).await?;
    let mut removed: Vec<(String, String)> = ctx
        .ledger_tokens()
        .into_iter()
        .map(|t| {
            (
                "a representative appointed earlier in the run".to_owned(),
                t,
            )
        })
        .collect();
    removed.push((
        format!("platform {}", platform.platform_id),
        platform.token().to_owned(),
    ));
    let before = ctx.registry_now().await?;
    ctx.reset_sandbox().await?;
    let after = ctx.registry_now().await?;
    if after < before {
        return Err(Failure::new(format!(
            "the sandbox clock went back across reset_sandbox: {before} before, {after} after"
        ))
        .violates("REQ-SANDBOX-009"));
    }
    for (who, token) in &removed {
        let status = ctx
            .raw("list_accounts", Method::GET, "/v1/accounts")
            .bearer(token)
            .send()
            .await?
            .status;
        if status != 401 {
            return Err(Failure::new(format!(
                "after reset_sandbox the token of {who} answered list_accounts with HTTP \
                 {status}, not 401: the reset did not remove it"
            ))
            .violates("REQ-AUTH-005"));
        }
    }

    // A known state: exactly one holder, one account (with one representative) and one issuance.
    // The operator's token still works: it creates them.
    let party = ctx.holder_with_one_rep().await.map_err(|f| {
        f.context("after reset_sandbox, the operator's token (which a reset keeps)")
    })?;
    ctx.issue(&party.account_id, 10, &Attrs::accu()).await?;
    let summary = ctx.reset_sandbox().await?;
    if summary.accounts_removed != 1 || summary.transactions_removed != 1 {
        return Err(Failure::new(format!(
            "after a reset and then exactly one account and one issuance, reset_sandbox answered \
             accounts_removed {} and transactions_removed {}, not 1 and 1",
            summary.accounts_removed, summary.transactions_removed
        ))
        .violates("REQ-SANDBOX-010"));
    }

    // A representative that writes with KEY, then is removed; a representative created after the
    // reset with the same ID writes with KEY again (another body): it must not get the old answer.
    let earlier = funded(&ctx).await?;
    let first = cancel(&ctx, &earlier, 1).await?;
    ensure!(
        (200..300).contains(&first.status),
        "initiate_cancellation of 1 ACCU with an Idempotency-Key (before the reset) answered \
         HTTP {}, not a success",
        first.status
    );
    ctx.reset_sandbox().await?;
    let later = funded(&ctx).await?;
    if later.rep.id != earlier.rep.id {
        ctx.note(format!(
            "the representative created after the reset has ID {}, not the removed one's {}: \
             REQ-IDEMPOTENCY-013 (keys of a removed principal) could not be observed",
            later.rep.id, earlier.rep.id
        ));
        return Ok(());
    }
    let response = cancel(&ctx, &later, 2).await?;
    if !(200..300).contains(&response.status) {
        return Err(Failure::new(format!(
            "representative {} (created after the reset with the removed one's ID) sent \
             initiate_cancellation of 2 ACCU with the Idempotency-Key the removed one used: HTTP \
             {} (the reset kept the removed principal's key)",
            later.rep.id, response.status
        ))
        .violates("REQ-IDEMPOTENCY-013"));
    }
    let body = response.json()?;
    if body.get("quantity") != Some(&json!(2)) {
        return Err(Failure::new(format!(
            "representative {} (created after the reset with the removed one's ID) sent \
             initiate_cancellation of 2 ACCU with the Idempotency-Key the removed one used for 1 \
             ACCU, and got a cancellation of {} ACCU: the reset kept the removed principal's key \
             and replayed its answer",
            later.rep.id,
            body.get("quantity")
                .map_or("no".to_owned(), ToString::to_string)
        ))
        .violates("REQ-IDEMPOTENCY-013"));
    }
    Ok(())
}

/// One holder, one account, one representative holding both roles, and 10 ACCU.
async fn funded(ctx: &Ctx) -> Result<Party, Failure> {
    let party = ctx.holder_with_one_rep().await?;
    ctx.issue(&party.account_id, 10, &Attrs::accu()).await?;
    Ok(party)
}

/// Initiates a cancellation of `quantity` ACCU on `party`'s account with [`KEY`].
async fn cancel(
    ctx: &Ctx,
    party: &Party,
    quantity: u64,
) -> Result<crate::ctx::RawResponse, Failure> {
    ctx.raw("initiate_cancellation", Method::POST, "/v1/cancellations")
        .bearer(party.rep.token())
        .idempotency_key(KEY)
        .json(&json!({"account_id": party.account_id, "unit_type": "ACCU", "quantity": quantity}))
        .send()
        .await
}
