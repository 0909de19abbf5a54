//! Access checks (`*-ACCESS-*`): access is never wider than the caller's appointments, hidden
//! resources answer 404 exactly like absent ones, and a platform token is not a representative's
//! (no writes for the holder, no sandbox).

use super::A1;
use super::CONSENT;
use super::support::expect_status;
use super::support::funded_shared;
use super::support::get_transfer;
use super::support::initiate;
use super::support::initiate_cancellation;
use super::support::revoke_consent;
use crate::assert::SdkResultExt;
use crate::assert::assert_unchanged;
use crate::assert::ensure_eq;
use crate::assert::expect_problem_of;
use crate::assert::total;
use crate::check::Check;
use crate::ctx::Attrs;
use crate::ctx::Ctx;
use crate::ctx::by_quantity;
use crate::ctx::cancel_quantity;
use crate::ensure;
use crate::outcome::Failure;
use ucr_sdk::ProblemKind;
use ucr_sdk::types::ConsentScope;
use ucr_sdk::types::PlatformKind;
use ucr_sdk::types::Problem;
use ucr_sdk::types::RejectRequest;
use ucr_sdk::types::Role;
use ucr_sdk::types::TransactionStatus;

pub(super) const CHECKS: &[Check] = &[
    check! {
        id: "A1-ACCESS-001",
        model: A1,
        seed: A1,
        operations: ["get_account", "list_holdings", "list_transactions"],
        description: "Another holder's account answers 404 not-found to get, holdings and history, exactly like an absent account",
        run: foreign_account_hidden,
        cites: ["REQ-ACCESS-001", "REQ-ACCESS-002"],
    },
    check! {
        id: "A1-ACCESS-002",
        model: A1,
        seed: A1,
        operations: ["initiate_transfer", "initiate_cancellation"],
        description: "Initiating a transfer or cancellation from another holder's account answers 404 not-found; nothing changes",
        run: foreign_initiation_refused,
        cites: ["REQ-ACCESS-001", "REQ-CONV-006"],
    },
    check! {
        id: "A1-ACCESS-003",
        model: A1,
        seed: A1,
        operations: ["get_transfer", "approve_transfer", "reject_transfer", "rescind_transfer"],
        description: "Another holder's transfer answers 404 not-found to get, approve, reject and rescind; it stays pending",
        run: foreign_transfer_hidden,
        cites: ["REQ-ACCESS-001", "REQ-ACCESS-005"],
    },
    check! {
        id: "A1-ACCESS-004",
        model: A1,
        seed: A1,
        operations: ["get_cancellation", "approve_cancellation", "rescind_cancellation"],
        description: "Another holder's cancellation answers 404 not-found to get, approve and rescind; it stays pending",
        run: foreign_cancellation_hidden,
        cites: ["REQ-ACCESS-001", "REQ-ACCESS-005"],
    },
    check! {
        id: "A1-ACCESS-005",
        model: A1,
        seed: A1,
        operations: ["get_account", "list_holdings", "initiate_transfer"],
        description: "An account of the same holder that the representative is not appointed to answers 404 not-found",
        run: same_holder_other_account_hidden,
        cites: ["REQ-ACCESS-001", "REQ-ACCESS-002"],
    },
    check! {
        id: "B1-ACCESS-002",
        model: B1,
        seed: CONSENT,
        operations: ["advance_clock", "get_clock", "create_platform", "create_platform_representative", "issue_units", "get_platform"],
        description: "Platform and platform-representative tokens cannot use the sandbox (404 sandbox-unavailable): no clock moves, no platforms, no issuance; get_platform answers them, 404 for an unknown platform",
        run: platforms_cannot_use_the_sandbox,
        cites: ["REQ-SANDBOX-002", "REQ-ACCESS-009"],
    },
    check! {
        id: "B1-ACCESS-001",
        model: B1,
        seed: CONSENT,
        operations: ["initiate_transfer", "initiate_cancellation"],
        description: "A platform token is not a representative: with read consents it still cannot initiate a transfer or cancellation (403 forbidden, REQ-SCOPE-010); nothing changes",
        run: platform_cannot_write,
        cites: ["REQ-ACCESS-006", "REQ-SCOPE-010"],
    },
    check! {
        id: "B1-ACCESS-003",
        model: B1,
        seed: CONSENT,
        operations: ["get_account", "list_transactions", "revoke_consent"],
        description: "A platform's access is the union of its active consents on the account, and a revocation takes effect from the very next request (403 consent-required, the account still seen)",
        run: access_is_the_union_of_active_consents,
        cites: ["REQ-SCOPE-001", "REQ-ACCESS-007", "REQ-ACCESS-003"],
    },
];

async fn foreign_account_hidden(ctx: Ctx) -> Result<(), Failure> {
    let stranger = ctx.holder_with_one_rep().await?;
    let f = funded_shared(&ctx, 30).await?;
    let theirs = f.source.account_id.as_str();
    let client = &stranger.rep.client;
    let seen = client
        .get_account()
        .account_id(theirs)
        .send()
        .await
        .expect_problem(
            "get_account of another holder's account",
            404,
            ProblemKind::NotFound,
        )?;
    client
        .list_holdings()
        .account_id(theirs)
        .send()
        .await
        .expect_problem(
            "list_holdings of another holder's account",
            404,
            ProblemKind::NotFound,
        )?;
    client
        .list_transactions()
        .account_id(theirs)
        .send()
        .await
        .expect_problem(
            "list_transactions of another holder's account",
            404,
            ProblemKind::NotFound,
        )?;
    let absent = format!("AU-9{:06}", uuid::Uuid::new_v4().as_u128() % 1_000_000);
    let missing: Problem = client
        .get_account()
        .account_id(&absent)
        .send()
        .await
        .expect_problem(
            "get_account of an account that does not exist",
            404,
            ProblemKind::NotFound,
        )?;
    ensure_eq(
        "hidden vs absent account: (status, type, title) must not reveal existence",
        (
            missing.status,
            missing.type_.as_str(),
            missing.title.as_str(),
        ),
        (seen.status, seen.type_.as_str(), seen.title.as_str()),
    )?;
    Ok(())
}

async fn foreign_initiation_refused(ctx: Ctx) -> Result<(), Failure> {
    let stranger = ctx.holder_with_one_rep().await?;
    let f = funded_shared(&ctx, 30).await?;
    let theirs = f.source.account_id.as_str();
    let before = ctx.snapshot(&f.source.initiator.client, theirs).await?;
    let mine_before = ctx
        .snapshot(&stranger.rep.client, &stranger.account_id)
        .await?;
    stranger
        .rep
        .client
        .initiate_transfer()
        .body(by_quantity(theirs, &stranger.account_id, "ACCU", 10))
        .send()
        .await
        .expect_problem(
            "initiate_transfer from another holder's account into the caller's",
            404,
            ProblemKind::NotFound,
        )?;
    stranger
        .rep
        .client
        .initiate_cancellation()
        .body(cancel_quantity(theirs, "ACCU", 10))
        .send()
        .await
        .expect_problem(
            "initiate_cancellation on another holder's account",
            404,
            ProblemKind::NotFound,
        )?;
    assert_unchanged(
        "after the refused initiations",
        &before,
        &ctx.snapshot(&f.source.initiator.client, theirs).await?,
    )?;
    assert_unchanged(
        "after the refused initiations",
        &mine_before,
        &ctx.snapshot(&stranger.rep.client, &stranger.account_id)
            .await?,
    )?;
    Ok(())
}

async fn foreign_transfer_hidden(ctx: Ctx) -> Result<(), Failure> {
    let stranger = ctx.holder_with_one_rep().await?;
    let f = funded_shared(&ctx, 30).await?;
    let transfer = initiate(
        &f.source.initiator.client,
        by_quantity(&f.source.account_id, &f.dest.account_id, "ACCU", 10),
        "initiate_transfer",
    )
    .await?;
    let before = ctx
        .snapshot(&f.source.initiator.client, &f.source.account_id)
        .await?;
    let client = &stranger.rep.client;
    let id = transfer.transfer_id.as_str();
    client
        .get_transfer()
        .transfer_id(id)
        .send()
        .await
        .expect_problem(
            "get_transfer of another holder's transfer",
            404,
            ProblemKind::NotFound,
        )?;
    client
        .approve_transfer()
        .transfer_id(id)
        .send()
        .await
        .expect_problem(
            "approve_transfer of another holder's transfer",
            404,
            ProblemKind::NotFound,
        )?;
    client
        .reject_transfer()
        .transfer_id(id)
        .body(RejectRequest { reason: None })
        .send()
        .await
        .expect_problem(
            "reject_transfer of another holder's transfer",
            404,
            ProblemKind::NotFound,
        )?;
    client
        .rescind_transfer()
        .transfer_id(id)
        .send()
        .await
        .expect_problem(
            "rescind_transfer of another holder's transfer",
            404,
            ProblemKind::NotFound,
        )?;
    assert_unchanged(
        "after the refused actions",
        &before,
        &ctx.snapshot(&f.source.initiator.client, &f.source.account_id)
            .await?,
    )?;
    let fetched = get_transfer(
        &f.source.initiator.client,
        id,
        "get_transfer by the source's initiator",
    )
    .await?;
    expect_status(
        "get_transfer after the refused actions",
        TransactionStatus::PendingApproval,
        fetched.status,
    )?;
    Ok(())
}

async fn foreign_cancellation_hidden(ctx: Ctx) -> Result<(), Failure> {
    let stranger = ctx.holder_with_one_rep().await?;
    let f = funded_shared(&ctx, 30).await?;
    let cancellation = initiate_cancellation(
        &f.source.initiator.client,
        cancel_quantity(&f.source.account_id, "ACCU", 10),
        "initiate_cancellation",
    )
    .await?;
    let before = ctx
        .snapshot(&f.source.initiator.client, &f.source.account_id)
        .await?;
    let client = &stranger.rep.client;
    let id = cancellation.cancellation_id.as_str();
    client
        .get_cancellation()
        .cancellation_id(id)
        .send()
        .await
        .expect_problem(
            "get_cancellation of another holder's cancellation",
            404,
            ProblemKind::NotFound,
        )?;
    client
        .approve_cancellation()
        .cancellation_id(id)
        .send()
        .await
        .expect_problem(
            "approve_cancellation of another holder's cancellation",
            404,
            ProblemKind::NotFound,
        )?;
    client
        .rescind_cancellation()
        .cancellation_id(id)
        .send()
        .await
        .expect_problem(
            "rescind_cancellation of another holder's cancellation",
            404,
            ProblemKind::NotFound,
        )?;
    assert_unchanged(
        "after the refused actions",
        &before,
        &ctx.snapshot(&f.source.initiator.client, &f.source.account_id)
            .await?,
    )?;
    let fetched = f
        .source
        .initiator
        .client
        .get_cancellation()
        .cancellation_id(id)
        .send()
        .await
        .expect_ok("get_cancellation by the account's initiator")?;
    expect_status(
        "get_cancellation after the refused actions",
        TransactionStatus::PendingApproval,
        fetched.status,
    )?;
    Ok(())
}

async fn same_holder_other_account_hidden(ctx: Ctx) -> Result<(), Failure> {
    let holder = ctx.new_holder().await?;
    let mine = ctx.new_account(&holder.holder_id).await?;
    let sibling = ctx.new_account(&holder.holder_id).await?;
    let rep = ctx
        .appoint(&mine, &[Role::Initiator, Role::Approver])
        .await?;
    let sibling_rep = ctx
        .appoint(&sibling, &[Role::Initiator, Role::Approver])
        .await?;
    ctx.issue(&sibling, 20, &Attrs::accu()).await?;
    let before = ctx.snapshot(&sibling_rep.client, &sibling).await?;
    rep.client
        .get_account()
        .account_id(&sibling)
        .send()
        .await
        .expect_problem(
            "get_account of the same holder's account the representative is not appointed to",
            404,
            ProblemKind::NotFound,
        )?;
    rep.client
        .list_holdings()
        .account_id(&sibling)
        .send()
        .await
        .expect_problem(
            "list_holdings of the same holder's account the representative is not appointed to",
            404,
            ProblemKind::NotFound,
        )?;
    rep.client
        .initiate_transfer()
        .body(by_quantity(&sibling, &mine, "ACCU", 5))
        .send()
        .await
        .expect_problem("initiate_transfer from the same holder's account the representative is not appointed to", 404, ProblemKind::NotFound)?;
    assert_unchanged(
        "after the refused requests",
        &before,
        &ctx.snapshot(&sibling_rep.client, &sibling).await?,
    )?;
    Ok(())
}

async fn platforms_cannot_use_the_sandbox(ctx: Ctx) -> Result<(), Failure> {
    let platform = ctx.trading_platform().await?;
    let rep = ctx.platform_rep(&platform).await?;
    let holder = ctx.holder_with_one_rep().await?;
    let before = ctx.registry_now().await?;
    for (who, client) in [
        ("the platform's token", &platform.client),
        ("a platform representative's token", &rep.client),
    ] {
        let what = |op: &str| format!("{op} with {who}");
        client
            .advance_clock()
            .body(ucr_sdk::types::ClockAdvance {
                seconds: std::num::NonZeroU64::MIN,
            })
            .send()
            .await
            .expect_problem(&what("advance_clock"), 404, ProblemKind::SandboxUnavailable)?;
        client.get_clock().send().await.expect_problem(
            &what("get_clock"),
            404,
            ProblemKind::SandboxUnavailable,
        )?;
        client
            .create_platform()
            .body(ucr_sdk::types::NewPlatform {
                kind: PlatformKind::TradingPlatform,
                name: ctx
                    .unique("Rogue platform")
                    .parse()
                    .map_err(|e| Failure::new(format!("platform name: {e}")))?,
                redirect_uris: Vec::new(),
            })
            .send()
            .await
            .expect_problem(
                &what("create_platform"),
                404,
                ProblemKind::SandboxUnavailable,
            )?;
        client
            .create_platform_representative()
            .platform_id(&platform.platform_id)
            .body(ucr_sdk::types::NewPlatformRepresentative {
                name: ctx
                    .unique("Rogue AR")
                    .parse()
                    .map_err(|e| Failure::new(format!("representative name: {e}")))?,
            })
            .send()
            .await
            .expect_problem(
                &what("create_platform_representative"),
                404,
                ProblemKind::SandboxUnavailable,
            )?;
        client
            .issue_units()
            .body(ucr_sdk::types::IssuanceRequest {
                account_id: holder.account_id.clone(),
                unit_type: "ACCU".into(),
                quantity: std::num::NonZeroU64::MIN,
                project_id: Some("ERF990001".into()),
                vintage: "2023-24".into(),
                method: Some(
                    "Human-induced regeneration of a permanent even-aged native forest".into(),
                ),
                facility_id: None,
                facility_name: None,
                issuance_year: None,
                kyoto_status: None,
                state: "NSW".into(),
                issued_on: None,
            })
            .send()
            .await
            .expect_problem(&what("issue_units"), 404, ProblemKind::SandboxUnavailable)?;
    }
    let after = ctx.registry_now().await?;
    ensure!(
        after - before < chrono::Duration::seconds(60),
        "the registry's clock moved from {before} to {after} while only non-operators asked to advance it"
    );
    ensure!(
        ctx.holdings(&holder.rep.client, &holder.account_id)
            .await?
            .is_empty(),
        "units appeared in {} although only non-operators asked to issue them",
        holder.account_id
    );
    let looked_up = rep
        .client
        .get_platform()
        .platform_id(&platform.platform_id)
        .send()
        .await
        .expect_ok("get_platform by a platform representative")?;
    ensure_eq(
        "get_platform by a platform representative: platform_id",
        platform.platform_id.as_str(),
        &looked_up.platform_id,
    )?;
    // REQ-ACCESS-009: an unknown platform is 404 to every caller.
    rep.client
        .get_platform()
        .platform_id(format!("{}9", platform.platform_id))
        .send()
        .await
        .expect_problem(
            "get_platform of a platform that does not exist",
            404,
            ProblemKind::NotFound,
        )?;
    Ok(())
}

async fn platform_cannot_write(ctx: Ctx) -> Result<(), Failure> {
    let seller = ctx.holder_with_one_rep().await?;
    let buyer = ctx.holder_with_one_rep().await?;
    ctx.issue(&seller.account_id, 20, &Attrs::accu()).await?;
    let platform = ctx.trading_platform().await?;
    ctx.grant(
        &seller.rep,
        &seller.account_id,
        &platform,
        &[ConsentScope::HoldingsRead, ConsentScope::TransactionsRead],
    )
    .await?;
    let before = ctx.snapshot(&seller.rep.client, &seller.account_id).await?;
    // REQ-ACCESS-006, REQ-SCOPE-010: no scope opens a write, so no consent could allow these:
    // `403 forbidden`, never `consent-required`.
    let refusals = [(403, ProblemKind::Forbidden)];
    expect_problem_of(
        "initiate_transfer by a platform token with read consents",
        platform
            .client
            .initiate_transfer()
            .body(by_quantity(
                &seller.account_id,
                &buyer.account_id,
                "ACCU",
                5,
            ))
            .send()
            .await,
        &refusals,
    )?;
    expect_problem_of(
        "initiate_cancellation by a platform token with read consents",
        platform
            .client
            .initiate_cancellation()
            .body(cancel_quantity(&seller.account_id, "ACCU", 5))
            .send()
            .await,
        &refusals,
    )?;
    let after = ctx.snapshot(&seller.rep.client, &seller.account_id).await?;
    assert_unchanged("after the platform's refused writes", &before, &after)?;
    ensure_eq(
        "available ACCUs after the refused writes",
        20,
        total(
            &ctx.holdings(&seller.rep.client, &seller.account_id).await?,
            "ACCU",
            Some(ucr_sdk::types::BlockStatus::Available),
        ),
    )?;
    Ok(())
}

/// Two consents with one scope each open what both scopes open; revoking one closes its part at
/// once, and the account stays visible (a consent was granted once).
async fn access_is_the_union_of_active_consents(ctx: Ctx) -> Result<(), Failure> {
    let seller = ctx.holder_with_one_rep().await?;
    ctx.issue(&seller.account_id, 10, &Attrs::accu()).await?;
    let platform = ctx.trading_platform().await?;
    let holdings = ctx
        .grant(
            &seller.rep,
            &seller.account_id,
            &platform,
            &[ConsentScope::HoldingsRead],
        )
        .await?;
    let transactions = ctx
        .grant(
            &seller.rep,
            &seller.account_id,
            &platform,
            &[ConsentScope::TransactionsRead],
        )
        .await?;
    let account = || {
        platform
            .client
            .get_account()
            .account_id(&seller.account_id)
            .send()
    };
    let history = || {
        platform
            .client
            .list_transactions()
            .account_id(&seller.account_id)
            .send()
    };
    account()
        .await
        .expect_ok("get_account with a holdings_read consent and a transactions_read consent")?;
    history().await.expect_ok(
        "list_transactions with a holdings_read consent and a transactions_read consent",
    )?;

    revoke_consent(
        &seller.rep.client,
        &transactions.consent_id,
        "revoke_consent of the transactions_read consent",
    )
    .await?;
    history().await.expect_problem(
        "list_transactions right after its consent was revoked",
        403,
        ProblemKind::ConsentRequired,
    )?;
    account()
        .await
        .expect_ok("get_account with the holdings_read consent still active")?;

    revoke_consent(
        &seller.rep.client,
        &holdings.consent_id,
        "revoke_consent of the holdings_read consent",
    )
    .await?;
    account().await.expect_problem(
        "get_account right after the last consent was revoked",
        403,
        ProblemKind::ConsentRequired,
    )?;
    Ok(())
}
