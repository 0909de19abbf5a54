//! Consent checks (`*-CONSENT-*`): a trading platform reads an account by the holder's consent,
//! only while the consent is active and only within its scopes.

use futures::TryStreamExt;
use ucr_sdk::ProblemKind;
use ucr_sdk::types::{Consent, ConsentScope, ConsentStatus, EventType, PlatformKind};

use super::support::{account_ids, expect_event_data, get_consent};
use super::{B1, CONSENT};
use crate::assert::{SdkResultExt, ensure_eq, normalize};
use crate::check::Check;
use crate::ctx::{Attrs, Ctx};
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
        cites: ["REQ-CONSENT-001", "REQ-CONSENT-005", "REQ-CONSENT-006", "REQ-CONSENT-007", "REQ-CONSENT-008", "REQ-CONSENT-010", "REQ-SCOPE-002", "REQ-SCOPE-003", "REQ-SCOPE-007", "REQ-ACCESS-009"],
    },
    check! {
        id: "B1-CONSENT-002",
        model: B1,
        seed: CONSENT,
        operations: ["list_transactions", "grant_consent"],
        description: "History needs transactions_read: with holdings_read only it answers 403 consent-required; a second consent adds it (union)",
        run: transactions_read_needed,
        cites: ["REQ-CONSENT-004", "REQ-SCOPE-001", "REQ-SCOPE-006"],
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
        description: "Revocation applies from the very next request (403 consent-required), drops the account from the platform's list, keeps expires_at; revoking again answers 409",
        run: revocation_is_immediate,
        cites: ["REQ-CONSENT-009", "REQ-CONSENT-010", "REQ-CONSENT-011", "REQ-ACCESS-007", "REQ-SCOPE-002", "REQ-SCOPE-005", "REQ-SCOPE-006", "REQ-SCOPE-007"],
    },
    check! {
        id: "B1-CONSENT-005",
        model: B1,
        seed: B1,
        operations: ["list_accounts"],
        description: "A platform's list_accounts returns exactly the accounts where it holds an active holdings_read consent, across holders, in account_id order; narrower consents are not listed",
        run: platform_lists_consented_accounts,
        cites: ["REQ-SCOPE-007", "REQ-PAGING-005"],
    },
    check! {
        id: "B1-CONSENT-006",
        model: B1,
        seed: CONSENT,
        operations: ["revoke_consent", "list_account_consents", "list_holdings", "list_webhook_deliveries"],
        description: "The grantee may relinquish its own consent: its access ends at once, the holder sees it revoked; at most one consent.revoked is sent to it (either is allowed)",
        run: grantee_relinquishes,
        cites: ["REQ-CONSENT-006", "REQ-CONSENT-009", "REQ-CONSENT-010", "REQ-SCOPE-005", "REQ-ACCESS-007", "REQ-EVENT-007"],
    },
    check! {
        id: "B1-CONSENT-007",
        model: B1,
        seed: CONSENT,
        operations: ["grant_consent", "list_account_consents"],
        description: "No scopes, duplicate scopes, an expiry not in the future or over 3 years ahead, association for a trading platform: 422; nothing is granted",
        run: invalid_consents_refused,
        cites: ["REQ-CONSENT-002", "REQ-CONSENT-003", "REQ-CONV-006"],
    },
    check! {
        id: "B1-CONSENT-008",
        model: B1,
        seed: CONSENT,
        operations: ["get_consent", "revoke_consent", "list_account_consents", "grant_consent"],
        description: "A consent is visible only to its account's representatives and its grantee: other platforms and holders get 404 and change nothing",
        run: consents_are_private,
        cites: ["REQ-CONSENT-007", "REQ-CONSENT-008", "REQ-CONSENT-009", "REQ-ACCESS-001", "REQ-CONV-006"],
    },
    check! {
        id: "B1-CONSENT-009",
        model: B1,
        seed: CONSENT,
        operations: ["get_consent", "list_holdings", "get_account", "list_accounts", "revoke_consent"],
        description: "At its expiry (sandbox clock) a consent is expired: 403 consent-required from the next request, consent.expired is sent to the grantee only, stamped expires_at; revoking answers 409",
        run: consent_expires,
        phase: Clock,
        cites: ["REQ-CONSENT-010", "REQ-CONSENT-011", "REQ-EVENT-003", "REQ-EVENT-008", "REQ-SCOPE-002", "REQ-SCOPE-005", "REQ-SCOPE-007", "REQ-CONV-003"],
    },
];

const DAY: i64 = 86_400;

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
        revoked
            .revoked_at
            .is_some_and(|at| at >= consent.granted_at && at < consent.expires_at),
        "revoke_consent: a revoked consent must have revoked_at, the time of the revocation (granted_at {}), got {:?}",
        consent.granted_at,
        revoked.revoked_at
    );
    ensure_eq(
        "revoke_consent: expires_at (kept)",
        consent.expires_at,
        revoked.expires_at,
    )?;
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
    // REQ-EVENT-007: when the grantee relinquishes its own consent, consent.revoked MAY be sent
    // to it or not; if it is, it is one event about this consent, delivered to the subscription.
    let arrived = hook
        .wait_deliveries(std::time::Duration::from_secs(1), |d| !d.is_empty())
        .await;
    let mut events = Vec::with_capacity(arrived.len());
    for delivery in &arrived {
        events.push(hook.verify(delivery)?);
    }
    for event in &events {
        ensure!(
            event.type_ == EventType::ConsentRevoked
                && event.data.consent_id.as_deref() == Some(consent.consent_id.as_str()),
            "after relinquishing consent {} the grantee's consent.revoked subscription received {} about consent {:?}",
            consent.consent_id,
            event.type_,
            event.data.consent_id
        );
        ensure_eq(
            "consent.revoked after relinquishing: data (account_id, status)",
            (seller.account_id.as_str(), "revoked"),
            (event.data.account_id.as_str(), event.data.status.as_str()),
        )?;
    }
    let mut event_ids: Vec<&str> = events.iter().map(|e| e.data.event_id.as_str()).collect();
    event_ids.sort_unstable();
    event_ids.dedup();
    ensure!(
        event_ids.len() <= 1,
        "relinquishing one consent may send the grantee at most one consent.revoked event, but {} distinct events arrived: {event_ids:?}",
        event_ids.len()
    );
    let log = platform
        .client
        .list_webhook_deliveries()
        .subscription_id(&hook.subscription_id)
        .send()
        .await
        .expect_ok("list_webhook_deliveries")?;
    ensure!(
        log.items.len() <= 1
            && log
                .items
                .iter()
                .all(|d| d.event_type == EventType::ConsentRevoked),
        "relinquishing one consent may log at most one consent.revoked delivery for the grantee, but the delivery log has {:?}",
        log.items
            .iter()
            .map(|d| (&d.event_id, d.event_type))
            .collect::<Vec<_>>()
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
    // REQ-EVENT-008: consent.expired goes to the grantee only, not to another platform whose
    // own consent on the account is still active.
    let bystander = ctx.trading_platform().await?;
    let bystander_hook = ctx
        .subscribe(&bystander, &[EventType::ConsentExpired])
        .await?;
    ctx.grant_until(
        &seller.rep,
        &seller.account_id,
        &bystander,
        &[ConsentScope::HoldingsRead],
        ctx.registry_in(30 * DAY).await?,
    )
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
    ensure_eq(
        "consent.expired: timestamp (the consent's expires_at)",
        consent.expires_at,
        event.event.timestamp,
    )?;
    let arrived = bystander_hook
        .wait_deliveries(std::time::Duration::from_secs(1), |d| !d.is_empty())
        .await;
    ensure!(
        arrived.is_empty(),
        "consent.expired must go to the consent's grantee only, but {} deliveries arrived for another platform with a consent on the account",
        arrived.len()
    );
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
