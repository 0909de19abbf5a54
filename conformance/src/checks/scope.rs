//! B.1's consent scopes as a union of the active consents only: a revoked consent's scopes stop
//! counting even while another consent on the account stays active.

use ucr_sdk::ProblemKind;
use ucr_sdk::types::ConsentScope;

use super::CONSENT;
use super::support::revoke_consent;
use crate::assert::SdkResultExt;
use crate::check::Check;
use crate::ctx::{Attrs, Ctx};
use crate::outcome::Failure;

pub(super) const CHECKS: &[Check] = &[check! {
    id: "B1-SCOPE-001",
    model: B1,
    seed: CONSENT,
    operations: ["grant_consent", "revoke_consent", "list_transactions", "list_holdings"],
    description: "Scopes are the union of the active consents only: after its transactions_read consent is revoked, history answers 403 consent-required while a holdings_read consent still reads holdings",
    run: revoked_scopes_stop_counting,
    cites: ["REQ-SCOPE-001", "REQ-SCOPE-003", "REQ-SCOPE-006"],
}];

async fn revoked_scopes_stop_counting(ctx: Ctx) -> Result<(), Failure> {
    let seller = ctx.holder_with_one_rep().await?;
    ctx.issue(&seller.account_id, 20, &Attrs::accu()).await?;
    let platform = ctx.trading_platform().await?;
    ctx.grant(
        &seller.rep,
        &seller.account_id,
        &platform,
        &[ConsentScope::HoldingsRead],
    )
    .await?;
    let history = ctx
        .grant(
            &seller.rep,
            &seller.account_id,
            &platform,
            &[ConsentScope::TransactionsRead],
        )
        .await?;
    ctx.history(&platform.client, &seller.account_id)
        .await
        .map_err(|f| f.context("with consents holdings_read and transactions_read"))?;
    revoke_consent(
        &seller.rep.client,
        &history.consent_id,
        "revoke_consent of the transactions_read consent",
    )
    .await?;
    platform
        .client
        .list_transactions()
        .account_id(&seller.account_id)
        .send()
        .await
        .expect_problem(
            "list_transactions after the transactions_read consent was revoked (holdings_read still active)",
            403,
            ProblemKind::ConsentRequired,
        )?;
    ctx.holdings(&platform.client, &seller.account_id)
        .await
        .map_err(|f| f.context("with the holdings_read consent still active"))?;
    Ok(())
}
