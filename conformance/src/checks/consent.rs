//! Consent checks (`*-CONSENT-*`): a trading platform reads an account by the holder's consent,
//! only while the consent is active and only within its scopes.

use futures::TryStreamExt;
use ucr_sdk::ProblemKind;
use ucr_sdk::types::{
    BlockStatus, Consent, ConsentRequest, ConsentScope, ConsentStatus, ConsentSubset, EventType,
    PlatformKind, Role, SerialRange, UnitBlock,
};

use super::support::subset::{by_status, count, selected, selected_blocks};
use super::support::{
    account_ids, approve, expect_event_data, get_consent, initiate, reservation_request, reserve,
    revoke_consent,
};
use super::{B1, CONSENT};
use crate::assert::{SdkResultExt, ensure_eq, merge_ranges, normalize, ranges_of};
use crate::check::Check;
use crate::ctx::{Attrs, Ctx, by_serials};
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
    check! {
        id: "B1-CONSENT-010",
        model: B1,
        seed: CONSENT,
        operations: ["grant_consent", "list_holdings", "get_account", "list_transactions", "list_reservations", "get_reservation"],
        description: "A platform whose consents name sets of holdings (a project and serial range; a vintage) never sees a unit outside their union: holdings cut at the subset's edges, balances, history rows narrowed, reservations and transfer.completed events",
        run: subset_consent_never_leaks,
        cites: ["REQ-SCOPE-013", "REQ-SCOPE-014", "REQ-SCOPE-015", "REQ-SCOPE-016", "REQ-SCOPE-017", "REQ-SCOPE-018", "REQ-SCOPE-001", "REQ-EVENT-009"],
    },
    check! {
        id: "B1-CONSENT-011",
        model: B1,
        seed: CONSENT,
        operations: ["grant_consent", "get_consent"],
        description: "A consent's subset is returned as granted; a subset that narrows nothing, names an unknown unit type or a reversed serial range answers 422 validation-failed",
        run: subset_consent_validated,
        cites: ["REQ-CONSENT-012", "REQ-CONV-006"],
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

    let revoked = revoke_consent(
        &seller.rep.client,
        &consent.consent_id,
        "revoke_consent by the account's representative",
    )
    .await?;
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
    let relinquished = revoke_consent(
        &platform.client,
        &consent.consent_id,
        "revoke_consent by the grantee (relinquishing it)",
    )
    .await?;
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
                subset: None,
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
            subset: None,
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

/// The seller's three issuances in [`subset_consent_never_leaks`]: two projects of one vintage
/// and a third project of another.
const SUBSET_PROJECTS: [&str; 3] = ["ERF990301", "ERF990302", "ERF990303"];
const SUBSET_VINTAGES: [&str; 2] = ["2021-22", "2019-20"];

async fn subset_consent_never_leaks(ctx: Ctx) -> Result<(), Failure> {
    let seller = ctx.holder_with_two_reps().await?;
    let buyer = ctx.holder_with_one_rep().await?;
    let platform = ctx.trading_platform().await?;
    let custodial = ctx
        .custodial_account(&platform, &[&[Role::Initiator, Role::Approver]])
        .await?;
    let issue = |n: usize, quantity: u64| {
        let attrs = Attrs::accu()
            .project(SUBSET_PROJECTS[n])
            .vintage(SUBSET_VINTAGES[usize::from(n == 2)]);
        let ctx = &ctx;
        let account = seller.account_id.clone();
        async move { ctx.issue(&account, quantity, &attrs).await }
    };
    let a = issue(0, 100).await?.serial_start;
    let b = issue(1, 100).await?.serial_start;
    issue(2, 30).await?;

    // S1: project 0's serials a+10..=a+59, for holdings, history and reserved units. S2: the
    // other vintage, for holdings only.
    let s1 = ConsentSubset {
        project_ids: vec![SUBSET_PROJECTS[0].to_owned()],
        serial_ranges: vec![SerialRange {
            serial_start: a + 10,
            serial_end: a + 59,
        }],
        unit_types: vec![],
        vintages: vec![],
    };
    let s2 = ConsentSubset {
        vintages: vec![SUBSET_VINTAGES[1].to_owned()],
        ..ConsentSubset::default()
    };
    let hook = ctx
        .subscribe(&platform, &[EventType::TransferCompleted])
        .await?;
    ctx.grant_subset(
        &seller.initiator,
        &seller.account_id,
        &platform,
        &[
            ConsentScope::HoldingsRead,
            ConsentScope::TransactionsRead,
            ConsentScope::ReservedUnitsRead,
        ],
        s1.clone(),
    )
    .await?;
    ctx.grant_subset(
        &seller.approver,
        &seller.account_id,
        &platform,
        &[ConsentScope::HoldingsRead],
        s2.clone(),
    )
    .await?;

    // Activity: a transfer of units outside both subsets (below the serial range, and project
    // 1), one inside S1, a reservation for the platform outside, one inside.
    let move_units = |ranges: Vec<(u64, u64)>, what: &'static str| {
        let (seller, buyer) = (&seller, &buyer);
        async move {
            let transfer = initiate(
                &seller.initiator.client,
                by_serials(&seller.account_id, &buyer.account_id, "ACCU", &ranges),
                what,
            )
            .await?;
            approve(&seller.approver.client, &transfer.transfer_id, what).await
        }
    };
    let outside = move_units(
        vec![(a, a + 4), (b, b + 19)],
        "a transfer of units outside the subsets",
    )
    .await?;
    let inside = move_units(vec![(a + 10, a + 14)], "a transfer of units inside S1").await?;
    let expires_at = ctx.registry_in(7 * 86_400).await?;
    let reserve_serials = |range: (u64, u64), what: &'static str| {
        let mut request = reservation_request(
            &seller.account_id,
            &platform,
            &custodial.account_id,
            1,
            expires_at,
        );
        request.quantity = None;
        request.serial_ranges = Some(vec![SerialRange {
            serial_start: range.0,
            serial_end: range.1,
        }]);
        let client = &seller.initiator.client;
        async move { reserve(client, request, what).await }
    };
    let hidden = reserve_serials((b + 50, b + 59), "a reservation outside the subsets").await?;
    let shown = reserve_serials((a + 40, a + 49), "a reservation inside S1").await?;

    // Holdings: exactly the parts of the representative's blocks that S1 or S2 selects.
    let full = ctx
        .holdings(&seller.approver.client, &seller.account_id)
        .await?;
    let seen = ctx.holdings(&platform.client, &seller.account_id).await?;
    let expected = selected_blocks(&[&s1, &s2], &full, "ACCU");
    let got = by_status(
        seen.iter()
            .map(|block| (block.status, (block.serial_start, block.serial_end))),
    );
    if got != expected {
        return Err(Failure::new(format!(
            "list_holdings under the subset consents: expected the serials {expected:?} by status, got {got:?}"
        ))
        .violates("REQ-SCOPE-014"));
    }
    for block in &seen {
        let own = full.iter().find(|f| {
            f.unit_type == block.unit_type
                && f.serial_start <= block.serial_start
                && block.serial_end <= f.serial_end
        });
        let well_formed = block.block_id == format!("{}-{}", block.unit_type, block.serial_start)
            && block.quantity == block.serial_end - block.serial_start + 1
            && own.is_some_and(|f| {
                (&f.project_id, &f.vintage, f.status)
                    == (&block.project_id, &block.vintage, block.status)
            });
        if !well_formed {
            return Err(Failure::new(format!(
                "list_holdings under the subset consents: block {} ({}..={}, quantity {}) is not a part of one of the account's blocks with its own block_id and quantity",
                block.block_id, block.serial_start, block.serial_end, block.quantity
            ))
            .violates("REQ-SCOPE-014"));
        }
    }
    let paged: Vec<UnitBlock> = platform
        .client
        .list_holdings()
        .account_id(&seller.account_id)
        .limit(1u32)
        .stream()
        .try_collect()
        .await
        .map_err(|e| Failure::from(e).context("list_holdings one block a page"))?;
    ensure_eq(
        "list_holdings under the subset consents, one block a page: the blocks",
        block_keys(&seen),
        block_keys(&paged),
    )?;

    // Balances: the totals of what S1 and S2 select.
    let account = platform
        .client
        .get_account()
        .account_id(&seller.account_id)
        .send()
        .await
        .expect_ok("get_account by the platform")?;
    let balance = account
        .balances
        .iter()
        .find(|b| b.unit_type == "ACCU")
        .map(|b| (b.available, b.pending, b.reserved, b.escrowed, b.cancelled))
        .unwrap_or_default();
    let total_of = |status: BlockStatus| {
        expected
            .iter()
            .find(|(s, _)| *s == status)
            .map(|(_, r)| count(r))
            .unwrap_or(0)
    };
    let wanted = (
        total_of(BlockStatus::Available),
        total_of(BlockStatus::Pending),
        total_of(BlockStatus::Reserved),
        total_of(BlockStatus::Escrowed),
        total_of(BlockStatus::Cancelled),
    );
    if balance != wanted {
        return Err(Failure::new(format!(
            "get_account by the platform: ACCU balances (available, pending, reserved, escrowed, cancelled) should be {wanted:?}, the units its holdings_read consents select; got {balance:?}"
        ))
        .violates("REQ-SCOPE-015"));
    }

    // History: only S1 carries transactions_read; rows narrowed to what S1 selects, judged by the
    // project and vintage each serial was issued with.
    let attrs_of = |serial: u64| {
        if (a..a + 100).contains(&serial) {
            (SUBSET_PROJECTS[0], SUBSET_VINTAGES[0])
        } else if (b..b + 100).contains(&serial) {
            (SUBSET_PROJECTS[1], SUBSET_VINTAGES[0])
        } else {
            (SUBSET_PROJECTS[2], SUBSET_VINTAGES[1])
        }
    };
    let narrow = |ranges: &[SerialRange]| {
        merge_ranges(ranges.iter().flat_map(|r| {
            // Cut at the issuances' edges, then select each piece by its attributes.
            let cuts = [a, a + 100, b, b + 100];
            let mut pieces = vec![(r.serial_start, r.serial_end)];
            for cut in cuts {
                pieces = pieces
                    .into_iter()
                    .flat_map(|(s, e)| {
                        if s < cut && cut <= e {
                            vec![(s, cut - 1), (cut, e)]
                        } else {
                            vec![(s, e)]
                        }
                    })
                    .collect();
            }
            pieces.into_iter().flat_map(|(s, e)| {
                let (project, vintage) = attrs_of(s);
                selected(&[&s1], "ACCU", Some(project), vintage, (s, e))
            })
        }))
    };
    let mut expected_rows: Vec<(String, Vec<(u64, u64)>)> = ctx
        .history(&seller.approver.client, &seller.account_id)
        .await?
        .iter()
        .map(|t| (t.transaction_id.clone(), narrow(&t.serial_ranges)))
        .filter(|(_, ranges)| !ranges.is_empty())
        .collect();
    let rows = ctx.history(&platform.client, &seller.account_id).await?;
    let mut got_rows: Vec<(String, Vec<(u64, u64)>)> = rows
        .iter()
        .map(|t| (t.transaction_id.clone(), ranges_of(&t.serial_ranges)))
        .collect();
    expected_rows.sort();
    got_rows.sort();
    if got_rows != expected_rows {
        return Err(Failure::new(format!(
            "list_transactions under the subset consents: expected the rows (id, serials) {expected_rows:?}, got {got_rows:?} (transfer {} moved only units outside)",
            outside.transfer_id
        ))
        .violates("REQ-SCOPE-016"));
    }
    if let Some(row) = rows
        .iter()
        .find(|t| t.quantity != count(&ranges_of(&t.serial_ranges)))
    {
        return Err(Failure::new(format!(
            "list_transactions under the subset consents: row {} has quantity {} for serials {:?}",
            row.transaction_id,
            row.quantity,
            ranges_of(&row.serial_ranges)
        ))
        .violates("REQ-SCOPE-016"));
    }

    // Reservations: the one outside is neither listed nor readable.
    let listed: Vec<String> = platform
        .client
        .list_reservations()
        .account_id(&seller.account_id)
        .limit(200u32)
        .stream()
        .map_ok(|r| r.reservation_id)
        .try_collect()
        .await
        .map_err(|e| Failure::from(e).context("list_reservations by the platform"))?;
    if listed != [shown.reservation_id.clone()] {
        return Err(Failure::new(format!(
            "list_reservations by the platform: expected only {} (inside S1), got {listed:?} ({} reserves units outside its consents)",
            shown.reservation_id, hidden.reservation_id
        ))
        .violates("REQ-SCOPE-018"));
    }
    platform
        .client
        .get_reservation()
        .reservation_id(&hidden.reservation_id)
        .send()
        .await
        .expect_problem(
            "get_reservation by the platform of the reservation outside its consents",
            403,
            ProblemKind::ConsentRequired,
        )
        .map_err(|f| f.violates("REQ-SCOPE-018"))?;

    // Events: transfer.completed for the transfer inside, none for the one outside.
    hook.expect_event(
        EventType::TransferCompleted,
        "after the transfer inside S1",
        |d| d.transfer_id.as_deref() == Some(inside.transfer_id.as_str()),
    )
    .await?;
    let deliveries = hook
        .wait_deliveries(std::time::Duration::from_secs(1), |_| false)
        .await;
    let leaked = deliveries.iter().any(|d| {
        serde_json::from_slice::<ucr_sdk::types::WebhookEvent>(&d.body)
            .is_ok_and(|e| e.data.transfer_id.as_deref() == Some(outside.transfer_id.as_str()))
    });
    if leaked {
        return Err(Failure::new(format!(
            "transfer.completed for {} reached the platform, though it moved no unit its consents select",
            outside.transfer_id
        ))
        .violates("REQ-SCOPE-017"));
    }
    Ok(())
}

/// `(block_id, serial_start, serial_end, status)` of each block, in order.
fn block_keys(blocks: &[UnitBlock]) -> Vec<(String, u64, u64, BlockStatus)> {
    blocks
        .iter()
        .map(|b| (b.block_id.clone(), b.serial_start, b.serial_end, b.status))
        .collect()
}

async fn subset_consent_validated(ctx: Ctx) -> Result<(), Failure> {
    let party = ctx.holder_with_one_rep().await?;
    let platform = ctx.trading_platform().await?;
    let subset = ConsentSubset {
        unit_types: vec!["ACCU".to_owned()],
        vintages: vec!["2021-22".to_owned(), "2022-23".to_owned()],
        project_ids: vec!["ERF990301".to_owned()],
        serial_ranges: vec![SerialRange {
            serial_start: 1,
            serial_end: 1_000,
        }],
    };
    let granted = ctx
        .grant_subset(
            &party.rep,
            &party.account_id,
            &platform,
            &[ConsentScope::HoldingsRead],
            subset.clone(),
        )
        .await?;
    let read = get_consent(
        &platform.client,
        &granted.consent_id,
        "get_consent of the subset consent",
    )
    .await?;
    for (what, consent) in [("grant_consent", &granted), ("get_consent", &read)] {
        let mut got = consent.subset.clone().unwrap_or_default();
        got.vintages.sort();
        ensure_eq(&format!("{what}: subset"), Some(&subset), Some(&got))?;
    }
    let expires_at = ctx.registry_in(86_400).await?;
    let refusals = [
        ("a subset that narrows nothing", ConsentSubset::default()),
        (
            "an unknown unit type",
            ConsentSubset {
                unit_types: vec!["XYZ".to_owned()],
                ..ConsentSubset::default()
            },
        ),
        (
            "a reversed serial range",
            ConsentSubset {
                serial_ranges: vec![SerialRange {
                    serial_start: 10,
                    serial_end: 9,
                }],
                ..ConsentSubset::default()
            },
        ),
    ];
    for (what, subset) in refusals {
        party
            .rep
            .client
            .grant_consent()
            .account_id(&party.account_id)
            .body(ConsentRequest {
                grantee_id: platform.platform_id.clone(),
                scopes: vec![ConsentScope::HoldingsRead],
                expires_at,
                subset: Some(subset),
            })
            .send()
            .await
            .expect_problem(
                &format!("grant_consent with {what}"),
                422,
                ProblemKind::ValidationFailed,
            )
            .map_err(|f| f.violates("REQ-CONSENT-012"))?;
    }
    Ok(())
}
