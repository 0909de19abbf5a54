//! B.1: a trading platform reads an account by the holder's consent, only while the consent is
//! active and only within its scopes, and reads the public registers for project attributes.

use std::collections::BTreeSet;

use futures::TryStreamExt;
use ucr_sdk::ProblemKind;
use ucr_sdk::types::{
    AccuProject, Consent, ConsentScope, ConsentStatus, EventType, PlatformKind, TransactionStatus,
};

use super::support::{
    account_ids, approve, delivery_log_entry, expect_event_data, funded, initiate,
};
use super::{B1, CONSENT};
use crate::assert::{
    SdkResultExt, assert_unchanged, ensure_eq, expect_problem_of, normalize, total,
};
use crate::check::Check;
use crate::ctx::{Attrs, Ctx, by_quantity, cancel_quantity};
use crate::ensure;
use crate::outcome::Failure;

pub(super) const CHECKS: &[Check] = &[
    check! {
        id: "B1-CONSENT-001",
        model: B1,
        seed: B1,
        operations: ["get_platform", "grant_consent", "get_consent", "list_consents", "list_account_consents", "list_accounts", "get_account", "list_holdings"],
        description: "With a holdings_read consent the platform lists the account and reads its details and every block with its attributes",
        run: holdings_read_consent,
    },
    check! {
        id: "B1-CONSENT-002",
        model: B1,
        seed: CONSENT,
        operations: ["list_transactions", "grant_consent"],
        description: "History needs transactions_read: with holdings_read only it answers 403 consent-required; a second consent adds it (union)",
        run: transactions_read_needed,
    },
    check! {
        id: "B1-CONSENT-003",
        model: B1,
        seed: CONSENT,
        operations: ["get_account", "list_holdings", "list_transactions", "list_accounts"],
        description: "An account the platform never held a consent for answers 404 not-found, exactly like an absent account",
        run: never_consented_is_hidden,
        cites: ["REQ-ACCESS-001", "REQ-ACCESS-003"],
    },
    check! {
        id: "B1-CONSENT-004",
        model: B1,
        seed: CONSENT,
        operations: ["revoke_consent", "list_holdings", "get_account", "list_transactions", "list_accounts", "get_consent"],
        description: "Revocation applies from the very next request (403 consent-required), drops the account from the platform's list; revoking again answers 409",
        run: revocation_is_immediate,
    },
    check! {
        id: "B1-CONSENT-005",
        model: B1,
        seed: B1,
        operations: ["list_accounts"],
        description: "A platform's list_accounts returns exactly the accounts where it holds an active holdings_read consent, across holders, in account_id order; narrower consents are not listed",
        run: platform_lists_consented_accounts,
    },
    check! {
        id: "B1-CONSENT-006",
        model: B1,
        seed: CONSENT,
        operations: ["revoke_consent", "list_account_consents", "list_holdings", "list_webhook_deliveries"],
        description: "The grantee may relinquish its own consent: its access ends at once, the holder sees it revoked, no consent.revoked is sent",
        run: grantee_relinquishes,
    },
    check! {
        id: "B1-CONSENT-007",
        model: B1,
        seed: CONSENT,
        operations: ["grant_consent", "list_account_consents"],
        description: "No scopes, duplicate scopes, an expiry not in the future or over 3 years ahead, association for a trading platform: 422; nothing is granted",
        run: invalid_consents_refused,
    },
    check! {
        id: "B1-CONSENT-008",
        model: B1,
        seed: CONSENT,
        operations: ["get_consent", "revoke_consent", "list_account_consents", "grant_consent"],
        description: "A consent is visible only to its account's representatives and its grantee: other platforms and holders get 404 and change nothing",
        run: consents_are_private,
    },
    check! {
        id: "B1-CONSENT-009",
        model: B1,
        seed: CONSENT,
        operations: ["get_consent", "list_holdings", "get_account", "list_accounts", "revoke_consent"],
        description: "At its expiry (sandbox clock) a consent is expired: 403 consent-required from the next request, consent.expired is sent, revoking answers 409",
        run: consent_expires,
        phase: Clock,
    },
    check! {
        id: "B1-REGISTER-001",
        model: B1,
        seed: B1,
        operations: ["list_holdings", "list_accu_projects"],
        description: "A platform finds the project attributes of the units it sees in the public ACCU project register",
        run: platform_reads_project_attributes,
    },
    check! {
        id: "B1-WEBHOOK-001",
        model: B1,
        seed: CONSENT,
        operations: ["create_webhook_subscription", "revoke_consent", "list_webhook_deliveries"],
        description: "Revoking a consent sends a signed consent.revoked event to the grantee; the delivery log shows it delivered",
        run: revocation_notifies_grantee,
    },
    check! {
        id: "B1-WEBHOOK-002",
        model: B1,
        seed: B1,
        operations: ["create_webhook_subscription", "approve_transfer"],
        description: "A completed transfer out of an account the platform may read sends it a signed transfer.completed event",
        run: transfer_completed_notifies_platform,
    },
    check! {
        id: "B1-IDEMPOTENCY-001",
        model: B1,
        seed: CONSENT,
        operations: ["grant_consent", "revoke_consent", "create_webhook_subscription", "list_account_consents"],
        description: "Consent and subscription writes need Idempotency-Key (400); a replayed grant returns the same 201 body (Idempotent-Replayed) and grants once",
        run: consent_writes_are_idempotent,
    },
    check! {
        id: "B1-ACCESS-002",
        model: B1,
        seed: CONSENT,
        operations: ["advance_clock", "get_clock", "create_platform", "create_platform_representative", "issue_units", "get_platform"],
        description: "Platform and platform-representative tokens cannot use the sandbox (404 sandbox-unavailable): no clock moves, no platforms, no issuance",
        run: platforms_cannot_use_the_sandbox,
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
];

const DAY: i64 = 86_400;

async fn get_consent(client: &ucr_sdk::Client, id: &str, what: &str) -> Result<Consent, Failure> {
    client
        .get_consent()
        .consent_id(id)
        .send()
        .await
        .expect_ok(what)
}

async fn holdings_read_consent(ctx: Ctx) -> Result<(), Failure> {
    let seller = ctx.holder_with_one_rep().await?;
    let attrs = Attrs::accu();
    let block = ctx.issue(&seller.account_id, 40, &attrs).await?;
    ctx.issue(&seller.account_id, 5, &Attrs::smc()).await?;
    let platform = ctx.trading_platform().await?;

    let looked_up = seller
        .rep
        .client
        .get_platform()
        .platform_id(&platform.platform_id)
        .send()
        .await
        .expect_ok("get_platform by the holder's representative, before consenting")?;
    ensure_eq(
        "get_platform: platform_id",
        platform.platform_id.as_str(),
        looked_up.platform_id.as_str(),
    )?;
    ensure_eq(
        "get_platform: kind",
        PlatformKind::TradingPlatform,
        looked_up.kind,
    )?;
    ensure_eq(
        "get_platform: name",
        platform.name.as_str(),
        &looked_up.name,
    )?;

    let consent = ctx
        .grant(
            &seller.rep,
            &seller.account_id,
            &platform,
            &[ConsentScope::HoldingsRead],
        )
        .await?;
    ensure_eq(
        "grant_consent: status",
        ConsentStatus::Active,
        consent.status,
    )?;
    ensure_eq(
        "grant_consent: account_id",
        seller.account_id.as_str(),
        &consent.account_id,
    )?;
    ensure_eq(
        "grant_consent: grantee_id",
        platform.platform_id.as_str(),
        &consent.grantee_id,
    )?;
    ensure_eq(
        "grant_consent: grantee_kind",
        PlatformKind::TradingPlatform,
        consent.grantee_kind,
    )?;
    ensure_eq(
        "grant_consent: scopes",
        vec![ConsentScope::HoldingsRead],
        consent.scopes.clone(),
    )?;
    ensure_eq(
        "grant_consent: granted_by",
        seller.rep.id.as_str(),
        &consent.granted_by,
    )?;
    ensure!(
        consent.revoked_at.is_none() && consent.expires_at > consent.granted_at,
        "grant_consent: a new consent must have no revoked_at and expire after it was granted, got granted_at {} expires_at {} revoked_at {:?}",
        consent.granted_at,
        consent.expires_at,
        consent.revoked_at
    );

    let seen = get_consent(
        &platform.client,
        &consent.consent_id,
        "get_consent by the grantee",
    )
    .await?;
    ensure_eq("get_consent by the grantee", &consent, &seen)?;
    let mine: Vec<Consent> = platform
        .client
        .list_consents()
        .limit(200u32)
        .stream()
        .try_collect()
        .await
        .map_err(|e| Failure::from(e).context("list_consents by the grantee"))?;
    ensure_eq(
        "list_consents by the grantee: consent IDs",
        vec![consent.consent_id.as_str()],
        mine.iter().map(|c| c.consent_id.as_str()).collect(),
    )?;
    let on_account: Vec<Consent> = seller
        .rep
        .client
        .list_account_consents()
        .account_id(&seller.account_id)
        .limit(200u32)
        .stream()
        .try_collect()
        .await
        .map_err(|e| Failure::from(e).context("list_account_consents by the representative"))?;
    ensure_eq(
        "list_account_consents by the representative",
        vec![&consent],
        on_account.iter().collect(),
    )?;

    ensure_eq(
        "list_accounts by the platform",
        vec![seller.account_id.clone()],
        account_ids(&platform.client, "list_accounts by the platform").await?,
    )?;
    let account = platform
        .client
        .get_account()
        .account_id(&seller.account_id)
        .send()
        .await
        .expect_ok("get_account by the platform (holdings_read)")?;
    ensure_eq(
        "get_account by the platform: holder",
        &seller.holder.holder_id,
        &account.holder.holder_id,
    )?;
    let accu = account
        .balances
        .iter()
        .find(|b| b.unit_type == "ACCU")
        .map(|b| b.available);
    ensure_eq(
        "get_account by the platform: ACCU available",
        Some(40),
        accu,
    )?;
    let seen = ctx.holdings(&platform.client, &seller.account_id).await?;
    let own = ctx.holdings(&seller.rep.client, &seller.account_id).await?;
    ensure_eq(
        "list_holdings by the platform: every block, as the representative sees them",
        normalize(&own),
        normalize(&seen),
    )?;
    let issued = seen
        .iter()
        .find(|b| b.serial_start == block.serial_start)
        .ok_or_else(|| {
            Failure::new(format!(
                "list_holdings by the platform: no block starts at serial {}",
                block.serial_start
            ))
        })?;
    ensure_eq(
        "list_holdings by the platform: attributes of the issued block",
        (
            &attrs.project_id,
            &attrs.vintage,
            &attrs.method,
            attrs.kyoto_status,
            &attrs.state,
        ),
        (
            &issued.project_id,
            &issued.vintage,
            &issued.method,
            issued.kyoto_status,
            &issued.state,
        ),
    )?;
    Ok(())
}

async fn transactions_read_needed(ctx: Ctx) -> Result<(), Failure> {
    let seller = ctx.holder_with_one_rep().await?;
    ctx.issue(&seller.account_id, 30, &Attrs::accu()).await?;
    let platform = ctx.trading_platform().await?;
    ctx.grant(
        &seller.rep,
        &seller.account_id,
        &platform,
        &[ConsentScope::HoldingsRead],
    )
    .await?;
    platform
        .client
        .list_transactions()
        .account_id(&seller.account_id)
        .send()
        .await
        .expect_problem(
            "list_transactions by a platform whose consent has holdings_read only",
            403,
            ProblemKind::ConsentRequired,
        )?;
    ctx.grant(
        &seller.rep,
        &seller.account_id,
        &platform,
        &[ConsentScope::TransactionsRead],
    )
    .await?;
    let seen = ctx.history(&platform.client, &seller.account_id).await?;
    let own = ctx.history(&seller.rep.client, &seller.account_id).await?;
    ensure!(
        !own.is_empty(),
        "the representative's history of {} is empty after an issuance",
        seller.account_id
    );
    ensure_eq(
        "list_transactions by the platform with transactions_read: the history the representative sees",
        own,
        seen,
    )?;
    ctx.holdings(&platform.client, &seller.account_id)
        .await
        .map_err(|f| f.context("with two consents (holdings_read; transactions_read)"))?;
    Ok(())
}

async fn never_consented_is_hidden(ctx: Ctx) -> Result<(), Failure> {
    let seller = ctx.holder_with_one_rep().await?;
    ctx.issue(&seller.account_id, 10, &Attrs::accu()).await?;
    let platform = ctx.trading_platform().await?;
    for account_id in [seller.account_id.as_str(), "AU-9999999"] {
        let what = |op: &str| {
            format!("{op} of {account_id} by a platform that never held a consent for it")
        };
        platform
            .client
            .get_account()
            .account_id(account_id)
            .send()
            .await
            .expect_problem(&what("get_account"), 404, ProblemKind::NotFound)?;
        platform
            .client
            .list_holdings()
            .account_id(account_id)
            .send()
            .await
            .expect_problem(&what("list_holdings"), 404, ProblemKind::NotFound)?;
        platform
            .client
            .list_transactions()
            .account_id(account_id)
            .send()
            .await
            .expect_problem(&what("list_transactions"), 404, ProblemKind::NotFound)?;
    }
    ensure_eq(
        "list_accounts by a platform without any consent",
        Vec::<String>::new(),
        account_ids(&platform.client, "list_accounts by the platform").await?,
    )
}

async fn revocation_is_immediate(ctx: Ctx) -> Result<(), Failure> {
    let seller = ctx.holder_with_one_rep().await?;
    ctx.issue(&seller.account_id, 10, &Attrs::accu()).await?;
    let platform = ctx.trading_platform().await?;
    let consent = ctx
        .grant(
            &seller.rep,
            &seller.account_id,
            &platform,
            &[ConsentScope::HoldingsRead, ConsentScope::TransactionsRead],
        )
        .await?;
    ctx.holdings(&platform.client, &seller.account_id)
        .await
        .map_err(|f| f.context("before the revocation"))?;

    let revoked = seller
        .rep
        .client
        .revoke_consent()
        .consent_id(&consent.consent_id)
        .send()
        .await
        .expect_ok("revoke_consent by the account's representative")?;
    platform
        .client
        .list_holdings()
        .account_id(&seller.account_id)
        .send()
        .await
        .expect_problem(
            "list_holdings by the platform on the request right after the revocation",
            403,
            ProblemKind::ConsentRequired,
        )?;
    ensure_eq(
        "revoke_consent: status",
        ConsentStatus::Revoked,
        revoked.status,
    )?;
    ensure!(
        revoked.revoked_at.is_some(),
        "revoke_consent: a revoked consent must have revoked_at"
    );
    platform
        .client
        .get_account()
        .account_id(&seller.account_id)
        .send()
        .await
        .expect_problem(
            "get_account by the platform after the revocation",
            403,
            ProblemKind::ConsentRequired,
        )?;
    platform
        .client
        .list_transactions()
        .account_id(&seller.account_id)
        .send()
        .await
        .expect_problem(
            "list_transactions by the platform after the revocation",
            403,
            ProblemKind::ConsentRequired,
        )?;
    ensure_eq(
        "list_accounts by the platform after the revocation",
        Vec::<String>::new(),
        account_ids(&platform.client, "list_accounts by the platform").await?,
    )?;
    let seen = get_consent(
        &platform.client,
        &consent.consent_id,
        "get_consent by the grantee after the revocation",
    )
    .await?;
    ensure_eq(
        "get_consent by the grantee after the revocation: status",
        ConsentStatus::Revoked,
        seen.status,
    )?;
    seller
        .rep
        .client
        .revoke_consent()
        .consent_id(&consent.consent_id)
        .send()
        .await
        .expect_problem(
            "revoke_consent of an already revoked consent",
            409,
            ProblemKind::InvalidState,
        )?;
    Ok(())
}

async fn platform_lists_consented_accounts(ctx: Ctx) -> Result<(), Failure> {
    let platform = ctx.trading_platform().await?;
    let other = ctx.trading_platform().await?;
    let first = ctx.holder_with_one_rep().await?;
    let second = ctx.holder_with_one_rep().await?;
    let third = ctx.holder_with_one_rep().await?;
    // The first holder's second account is not consented.
    let unconsented = ctx.new_account(&first.holder.holder_id).await?;
    ctx.appoint_existing(
        &unconsented,
        &first.rep,
        &[
            ucr_sdk::types::Role::Initiator,
            ucr_sdk::types::Role::Approver,
        ],
    )
    .await?;
    ctx.grant(
        &first.rep,
        &first.account_id,
        &platform,
        &[ConsentScope::HoldingsRead],
    )
    .await?;
    ctx.grant(
        &second.rep,
        &second.account_id,
        &platform,
        &[ConsentScope::TransactionsRead],
    )
    .await?;
    ctx.grant(
        &third.rep,
        &third.account_id,
        &other,
        &[ConsentScope::HoldingsRead],
    )
    .await?;
    // The second holder's account is under a transactions_read consent only: no account view.
    let fourth = ctx.holder_with_one_rep().await?;
    ctx.grant(
        &fourth.rep,
        &fourth.account_id,
        &platform,
        &[ConsentScope::HoldingsRead, ConsentScope::TransactionsRead],
    )
    .await?;
    let mut expected = vec![first.account_id.clone(), fourth.account_id.clone()];
    expected.sort();
    ensure_eq(
        "list_accounts by the platform: exactly the accounts with an active holdings_read consent, in account_id order",
        expected,
        account_ids(&platform.client, "list_accounts by the platform").await?,
    )?;
    ensure_eq(
        "list_accounts by the other platform",
        vec![third.account_id.clone()],
        account_ids(&other.client, "list_accounts by the other platform").await?,
    )
}

async fn grantee_relinquishes(ctx: Ctx) -> Result<(), Failure> {
    let seller = ctx.holder_with_one_rep().await?;
    ctx.issue(&seller.account_id, 10, &Attrs::accu()).await?;
    let platform = ctx.trading_platform().await?;
    let hook = ctx
        .subscribe(&platform, &[EventType::ConsentRevoked])
        .await?;
    let consent = ctx
        .grant(
            &seller.rep,
            &seller.account_id,
            &platform,
            &[ConsentScope::HoldingsRead],
        )
        .await?;
    let relinquished = platform
        .client
        .revoke_consent()
        .consent_id(&consent.consent_id)
        .send()
        .await
        .expect_ok("revoke_consent by the grantee (relinquishing it)")?;
    ensure_eq(
        "revoke_consent by the grantee: status",
        ConsentStatus::Revoked,
        relinquished.status,
    )?;
    platform
        .client
        .list_holdings()
        .account_id(&seller.account_id)
        .send()
        .await
        .expect_problem(
            "list_holdings by the platform after relinquishing its consent",
            403,
            ProblemKind::ConsentRequired,
        )?;
    let list = |status: ConsentStatus| {
        seller
            .rep
            .client
            .list_account_consents()
            .account_id(&seller.account_id)
            .status(status)
            .limit(200u32)
            .stream()
            .try_collect::<Vec<Consent>>()
    };
    let revoked = list(ConsentStatus::Revoked)
        .await
        .map_err(|e| Failure::from(e).context("list_account_consents status=revoked"))?;
    ensure_eq(
        "list_account_consents status=revoked by the representative",
        vec![consent.consent_id.as_str()],
        revoked.iter().map(|c| c.consent_id.as_str()).collect(),
    )?;
    let active = list(ConsentStatus::Active)
        .await
        .map_err(|e| Failure::from(e).context("list_account_consents status=active"))?;
    ensure!(
        active.is_empty(),
        "list_account_consents status=active lists {} consents after the only one was relinquished",
        active.len()
    );
    // consent.revoked is for revocations by the account's side, not for the grantee's own.
    let log = platform
        .client
        .list_webhook_deliveries()
        .subscription_id(&hook.subscription_id)
        .send()
        .await
        .expect_ok("list_webhook_deliveries")?;
    let arrived = hook
        .wait_deliveries(std::time::Duration::from_secs(1), |d| !d.is_empty())
        .await;
    ensure!(
        log.items.is_empty() && arrived.is_empty(),
        "relinquishing its own consent must not send the grantee consent.revoked, but the delivery log has {} entries and {} deliveries arrived",
        log.items.len(),
        arrived.len()
    );
    Ok(())
}

async fn invalid_consents_refused(ctx: Ctx) -> Result<(), Failure> {
    let seller = ctx.holder_with_one_rep().await?;
    let platform = ctx.trading_platform().await?;
    let future = ctx.registry_in(30 * DAY).await?;
    let past = ctx.registry_in(-60).await?;
    let too_late = ctx.registry_in(4 * 366 * DAY).await?;
    let cases: [(&str, Vec<ConsentScope>, _); 5] = [
        ("no scopes", vec![], future),
        (
            "a duplicate scope",
            vec![ConsentScope::HoldingsRead, ConsentScope::HoldingsRead],
            future,
        ),
        (
            "expires_at a minute ago by the registry's clock",
            vec![ConsentScope::HoldingsRead],
            past,
        ),
        (
            "expires_at four years ahead (at most three)",
            vec![ConsentScope::HoldingsRead],
            too_late,
        ),
        (
            "the association scope for a trading platform",
            vec![ConsentScope::Association],
            future,
        ),
    ];
    // Compared with what was there before (a configured target's shared account may hold
    // consents already): refused grants add nothing.
    let list = || async {
        seller
            .rep
            .client
            .list_account_consents()
            .account_id(&seller.account_id)
            .limit(200u32)
            .stream()
            .try_collect::<Vec<Consent>>()
            .await
            .map_err(|e| Failure::from(e).context("list_account_consents"))
    };
    let consents_before: Vec<String> = list().await?.into_iter().map(|c| c.consent_id).collect();
    let visible_before = account_ids(&platform.client, "list_accounts by the platform").await?;
    for (case, scopes, expires_at) in cases {
        seller
            .rep
            .client
            .grant_consent()
            .account_id(&seller.account_id)
            .body(ucr_sdk::types::ConsentRequest {
                grantee_id: platform.platform_id.clone(),
                scopes,
                expires_at,
            })
            .send()
            .await
            .expect_problem(
                &format!("grant_consent with {case}"),
                422,
                ProblemKind::ValidationFailed,
            )?;
    }
    let consents: Vec<String> = list().await?.into_iter().map(|c| c.consent_id).collect();
    ensure!(
        consents == consents_before,
        "refused grants must create nothing, but list_account_consents shows {consents:?} (before: {consents_before:?})"
    );
    ensure_eq(
        "list_accounts by the platform after refused grants",
        visible_before,
        account_ids(&platform.client, "list_accounts by the platform").await?,
    )
}

async fn consents_are_private(ctx: Ctx) -> Result<(), Failure> {
    let seller = ctx.holder_with_one_rep().await?;
    let stranger = ctx.holder_with_one_rep().await?;
    let platform = ctx.trading_platform().await?;
    let other = ctx.trading_platform().await?;
    let consent = ctx
        .grant(
            &seller.rep,
            &seller.account_id,
            &platform,
            &[ConsentScope::HoldingsRead],
        )
        .await?;
    for (who, client) in [
        ("another platform", &other.client),
        ("another holder's representative", &stranger.rep.client),
    ] {
        client
            .get_consent()
            .consent_id(&consent.consent_id)
            .send()
            .await
            .expect_problem(&format!("get_consent by {who}"), 404, ProblemKind::NotFound)?;
        client
            .revoke_consent()
            .consent_id(&consent.consent_id)
            .send()
            .await
            .expect_problem(
                &format!("revoke_consent by {who}"),
                404,
                ProblemKind::NotFound,
            )?;
        client
            .list_account_consents()
            .account_id(&seller.account_id)
            .send()
            .await
            .expect_problem(
                &format!("list_account_consents of the account by {who}"),
                404,
                ProblemKind::NotFound,
            )?;
        let theirs: Vec<Consent> = client
            .list_consents()
            .limit(200u32)
            .stream()
            .try_collect()
            .await
            .map_err(|e| Failure::from(e).context(format!("list_consents by {who}")))?;
        ensure!(
            theirs.iter().all(|c| c.consent_id != consent.consent_id),
            "list_consents by {who} shows consent {} of another account and grantee",
            consent.consent_id
        );
    }
    stranger
        .rep
        .client
        .grant_consent()
        .account_id(&seller.account_id)
        .body(ucr_sdk::types::ConsentRequest {
            grantee_id: other.platform_id.clone(),
            scopes: vec![ConsentScope::HoldingsRead],
            expires_at: ctx.registry_in(DAY).await?,
        })
        .send()
        .await
        .expect_problem(
            "grant_consent on an account of another holder",
            404,
            ProblemKind::NotFound,
        )?;
    let still = get_consent(
        &seller.rep.client,
        &consent.consent_id,
        "get_consent by the account's representative",
    )
    .await?;
    ensure_eq(
        "the consent after refused requests by others",
        &consent,
        &still,
    )?;
    ensure_eq(
        "list_accounts by the other platform",
        Vec::<String>::new(),
        account_ids(&other.client, "list_accounts by the other platform").await?,
    )
}

async fn consent_expires(ctx: Ctx) -> Result<(), Failure> {
    let seller = ctx.holder_with_one_rep().await?;
    ctx.issue(&seller.account_id, 10, &Attrs::accu()).await?;
    let platform = ctx.trading_platform().await?;
    let hook = ctx
        .subscribe(&platform, &[EventType::ConsentExpired])
        .await?;
    let expires_at = ctx.registry_in(3600).await?;
    let consent = ctx
        .grant_until(
            &seller.rep,
            &seller.account_id,
            &platform,
            &[ConsentScope::HoldingsRead],
            expires_at,
        )
        .await?;
    ctx.holdings(&platform.client, &seller.account_id)
        .await
        .map_err(|f| f.context("before the expiry"))?;
    ctx.advance_clock(3600 + 60).await?;
    platform
        .client
        .list_holdings()
        .account_id(&seller.account_id)
        .send()
        .await
        .expect_problem(
            "list_holdings by the platform on the first request after its consent expired",
            403,
            ProblemKind::ConsentRequired,
        )?;
    platform
        .client
        .get_account()
        .account_id(&seller.account_id)
        .send()
        .await
        .expect_problem(
            "get_account by the platform after its consent expired",
            403,
            ProblemKind::ConsentRequired,
        )?;
    ensure_eq(
        "list_accounts by the platform after its only consent expired",
        Vec::<String>::new(),
        account_ids(&platform.client, "list_accounts by the platform").await?,
    )?;
    let expired = get_consent(
        &seller.rep.client,
        &consent.consent_id,
        "get_consent after the expiry",
    )
    .await?;
    ensure_eq(
        "get_consent after the expiry: status",
        ConsentStatus::Expired,
        expired.status,
    )?;
    let event = hook
        .expect_event(EventType::ConsentExpired, "after the expiry", |d| {
            d.consent_id.as_deref() == Some(consent.consent_id.as_str())
        })
        .await?;
    expect_event_data("consent.expired", &event, &seller.account_id, "expired")?;
    seller
        .rep
        .client
        .revoke_consent()
        .consent_id(&consent.consent_id)
        .send()
        .await
        .expect_problem(
            "revoke_consent of an expired consent",
            409,
            ProblemKind::InvalidState,
        )?;
    Ok(())
}

async fn platform_reads_project_attributes(ctx: Ctx) -> Result<(), Failure> {
    let first_page = ctx
        .anonymous()
        .list_accu_projects()
        .revoked(false)
        .limit(20u32)
        .send()
        .await
        .expect_ok("list_accu_projects (public)")?;
    let project = first_page.items.last().cloned().ok_or_else(|| {
        Failure::skipped("the ACCU project register has no current project to issue units of")
    })?;
    let seller = ctx.holder_with_one_rep().await?;
    let attrs = Attrs {
        method: project.method.clone(),
        ..Attrs::accu()
            .project(&project.project_id)
            .state(&project.state)
    };
    ctx.issue(&seller.account_id, 15, &attrs).await?;
    let platform = ctx.trading_platform().await?;
    ctx.grant(
        &seller.rep,
        &seller.account_id,
        &platform,
        &[ConsentScope::HoldingsRead],
    )
    .await?;
    let blocks = ctx.holdings(&platform.client, &seller.account_id).await?;
    let project_id = blocks
        .first()
        .map(|b| b.project_id.clone())
        .ok_or_else(|| Failure::new("list_holdings by the platform: no blocks"))?;
    // The platform walks the public register (no token) to find the units' project.
    let register: Vec<AccuProject> = ctx
        .anonymous()
        .list_accu_projects()
        .limit(200u32)
        .stream()
        .try_collect()
        .await
        .map_err(|e| Failure::from(e).context("walking list_accu_projects"))?;
    let row = register
        .iter()
        .find(|p| p.project_id == project_id)
        .ok_or_else(|| {
            Failure::new(format!(
                "project {project_id} of the units the platform sees is not in the ACCU project register ({} rows)",
                register.len()
            ))
        })?;
    ensure_eq("the register's row for the units' project", &project, row)?;
    ensure_eq(
        "the units' method and the register's",
        row.method.as_str(),
        blocks[0].method.as_str(),
    )
}

async fn revocation_notifies_grantee(ctx: Ctx) -> Result<(), Failure> {
    let seller = ctx.holder_with_one_rep().await?;
    let platform = ctx.trading_platform().await?;
    let hook = ctx
        .subscribe(&platform, &[EventType::ConsentRevoked])
        .await?;
    let consent = ctx
        .grant(
            &seller.rep,
            &seller.account_id,
            &platform,
            &[ConsentScope::HoldingsRead],
        )
        .await?;
    seller
        .rep
        .client
        .revoke_consent()
        .consent_id(&consent.consent_id)
        .send()
        .await
        .expect_ok("revoke_consent by the account's representative")?;
    let event = hook
        .expect_event(EventType::ConsentRevoked, "after the revocation", |d| {
            d.consent_id.as_deref() == Some(consent.consent_id.as_str())
        })
        .await?;
    expect_event_data("consent.revoked", &event, &seller.account_id, "revoked")?;
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
    let platform = ctx.trading_platform().await?;
    ctx.grant(
        &f.source.initiator,
        &f.source.account_id,
        &platform,
        &[ConsentScope::HoldingsRead],
    )
    .await?;
    let hook = ctx
        .subscribe(&platform, &[EventType::TransferCompleted])
        .await?;
    let transfer = initiate(
        &f.source.initiator.client,
        by_quantity(&f.source.account_id, &f.dest.account_id, "ACCU", 12),
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
    let event = hook
        .expect_event(EventType::TransferCompleted, "after the approval", |d| {
            d.transfer_id.as_deref() == Some(transfer.transfer_id.as_str())
        })
        .await?;
    let data = &event.event.data;
    ensure!(
        data.account_id == f.source.account_id || data.account_id == f.dest.account_id,
        "transfer.completed: data.account_id {} is neither the source {} nor the destination {}",
        data.account_id,
        f.source.account_id,
        f.dest.account_id
    );
    ensure_eq("transfer.completed: data.status", "completed", &data.status)
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
                project_id: "ERF990001".into(),
                vintage: "2023-24".into(),
                method: "Human-induced regeneration of a permanent even-aged native forest".into(),
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
    )
}

async fn consent_writes_are_idempotent(ctx: Ctx) -> Result<(), Failure> {
    let seller = ctx.holder_with_one_rep().await?;
    let platform = ctx.trading_platform().await?;
    let body = serde_json::json!({
        "grantee_id": platform.platform_id,
        "scopes": ["holdings_read"],
        "expires_at": ctx.registry_in(30 * DAY).await?,
    });
    let path = format!("/v1/accounts/{}/consents", seller.account_id);
    ctx.raw("grant_consent", reqwest::Method::POST, &path)
        .bearer(seller.rep.token())
        .no_idempotency_key()
        .json(&body)
        .send()
        .await?
        .expect_problem(
            "grant_consent without Idempotency-Key",
            400,
            ProblemKind::IdempotencyKeyRequired,
        )?;
    let (url, _) = ctx.webhook_url();
    ctx.raw(
        "create_webhook_subscription",
        reqwest::Method::POST,
        "/v1/webhook-subscriptions",
    )
    .bearer(platform.token())
    .no_idempotency_key()
    .json(&serde_json::json!({"url": url, "event_types": ["consent.revoked"]}))
    .send()
    .await?
    .expect_problem(
        "create_webhook_subscription without Idempotency-Key",
        400,
        ProblemKind::IdempotencyKeyRequired,
    )?;

    // The account may hold consents already (a configured target's shared account): the grant and
    // its replay must add exactly the granted one.
    let list = || async {
        seller
            .rep
            .client
            .list_account_consents()
            .account_id(&seller.account_id)
            .limit(200u32)
            .stream()
            .try_collect::<Vec<Consent>>()
            .await
            .map_err(|e| Failure::from(e).context("list_account_consents"))
    };
    let before: BTreeSet<String> = list().await?.into_iter().map(|c| c.consent_id).collect();
    let key = uuid::Uuid::new_v4().to_string();
    let send = || {
        ctx.raw("grant_consent", reqwest::Method::POST, &path)
            .bearer(seller.rep.token())
            .idempotency_key(&key)
            .json(&body)
            .send()
    };
    let first = send().await?;
    let granted = first.expect_status("grant_consent", 201)?;
    let replay = send().await?;
    let replayed =
        replay.expect_status("grant_consent replayed with the same key and body", 201)?;
    ensure_eq("the replayed grant_consent's body", &granted, &replayed)?;
    ensure_eq(
        "the replayed grant_consent's Idempotent-Replayed header",
        Some("true"),
        replay.header("idempotent-replayed"),
    )?;
    let consent_id = granted
        .get("consent_id")
        .and_then(|v| v.as_str())
        .ok_or_else(|| Failure::new(format!("grant_consent answered no consent_id: {granted}")))?;
    let added: Vec<String> = list()
        .await?
        .into_iter()
        .map(|c| c.consent_id)
        .filter(|id| !before.contains(id))
        .collect();
    ensure_eq(
        "consents added by a grant and its replay",
        vec![consent_id.to_owned()],
        added,
    )?;
    ctx.raw(
        "revoke_consent",
        reqwest::Method::POST,
        &format!("/v1/consents/{consent_id}/revoke"),
    )
    .bearer(seller.rep.token())
    .no_idempotency_key()
    .send()
    .await?
    .expect_problem(
        "revoke_consent without Idempotency-Key",
        400,
        ProblemKind::IdempotencyKeyRequired,
    )?;
    ensure_eq(
        "the consent after the refused revocation: status",
        ConsentStatus::Active,
        get_consent(&seller.rep.client, consent_id, "get_consent")
            .await?
            .status,
    )
}
