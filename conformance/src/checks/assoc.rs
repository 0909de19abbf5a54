//! C.1: a third-party registry, by the holder's association consent, associates its certificates
//! 1:1 with units; the association follows the unit (transferred, cancelled) and can be dissolved.

use futures::TryStreamExt;
use ucr_sdk::ProblemKind;
use ucr_sdk::types::{
    Association, AssociationRequest, AssociationStatus, ConsentScope, ConsentSubset, EscrowStatus,
    EventType, SerialRange, SettleRequest, TransactionStatus,
};

use super::C1;
use super::support::{
    approve, approve_cancellation, escrow, escrow_request, expect_event_data, expect_status,
    initiate, initiate_cancellation, revoke_consent,
};
use crate::assert::{SdkResultExt, ensure_eq};
use crate::check::Check;
use crate::ctx::{Attrs, Ctx, Party, Platform, by_serials, cancel_serials, certificate};
use crate::ensure;
use crate::outcome::Failure;
use crate::receiver::Hook;

pub(super) const CHECKS: &[Check] = &[
    check! {
        id: "C1-ASSOC-001",
        model: C1,
        seed: C1,
        operations: ["grant_consent", "list_holdings", "create_association", "get_association", "list_associations"],
        description: "With an association consent a registry reads holdings, associates a certificate with one unit and verifies it; the holder sees it too",
        run: registry_associates,
        cites: ["REQ-SCOPE-003", "REQ-SCOPE-009"],
    },
    check! {
        id: "C1-ASSOC-002",
        model: C1,
        seed: C1,
        operations: ["get_association", "create_association", "approve_transfer"],
        description: "When the unit is transferred away the association becomes transferred (signed association.changed) and the certificate is free again",
        run: association_follows_transfer,
        cites: ["REQ-ASSOCIATION-003", "REQ-ASSOCIATION-004"],
    },
    check! {
        id: "C1-ASSOC-003",
        model: C1,
        seed: C1,
        operations: ["get_association", "approve_cancellation", "create_association", "dissolve_association"],
        description: "When the unit is cancelled the association becomes cancelled (association.changed) and stays live: its certificate cannot be reused",
        run: association_follows_cancellation,
        cites: ["REQ-ASSOCIATION-003", "REQ-ASSOCIATION-004", "REQ-ASSOCIATION-006", "REQ-ASSOCIATION-007"],
    },
    check! {
        id: "C1-ASSOC-004",
        model: C1,
        seed: C1,
        operations: ["create_association", "list_associations"],
        description: "A unit takes one live association across registries, a certificate one unit per registry: else 409 association-conflict",
        run: associations_are_one_to_one,
        cites: ["REQ-ASSOCIATION-003"],
    },
    check! {
        id: "C1-ASSOC-005",
        model: C1,
        seed: C1,
        operations: ["create_association", "revoke_consent"],
        description: "Without association consent: never consented 404, holdings_read only or revoked 403 consent-required; nothing is associated",
        run: association_needs_consent,
        cites: ["REQ-ACCESS-001", "REQ-ACCESS-006", "REQ-SCOPE-009"],
    },
    check! {
        id: "C1-ASSOC-006",
        model: C1,
        seed: C1,
        operations: ["create_association"],
        description: "A serial the account does not hold answers 409 units-not-held; a cancelled one (held but locked for good) answers 409 units-locked (REQ-ASSOCIATION-002)",
        run: association_needs_held_units,
        cites: ["REQ-ASSOCIATION-002"],
    },
    check! {
        id: "C1-ASSOC-007",
        model: C1,
        seed: C1,
        operations: ["dissolve_association", "get_association", "create_association"],
        description: "The registry dissolves its association (association.changed, none on creation); again 409 invalid-state; the account's representative 403, another registry 404; the unit can be associated anew",
        run: registry_dissolves,
        cites: ["REQ-ASSOCIATION-003", "REQ-ASSOCIATION-005", "REQ-ASSOCIATION-006", "REQ-ASSOCIATION-008", "REQ-EVENT-011"],
    },
    check! {
        id: "C1-ASSOC-008",
        model: C1,
        seed: C1,
        operations: ["get_association", "list_associations"],
        description: "Associations are visible to their registry and the account's representatives only: others get 404 and see none listed; representatives cannot associate (403 on their account, else 404)",
        run: associations_are_private,
        cites: ["REQ-ASSOCIATION-001", "REQ-ASSOCIATION-008"],
    },
    check! {
        id: "C1-ASSOC-009",
        model: C1,
        seed: C1,
        operations: ["create_escrow", "settle_escrow", "get_association", "create_association"],
        description: "When the unit leaves by escrow settlement the association becomes transferred (signed association.changed) and the certificate is free again",
        run: association_follows_settlement,
        cites: ["REQ-ASSOCIATION-003", "REQ-ASSOCIATION-004"],
    },
    check! {
        id: "C1-ASSOC-010",
        model: C1,
        seed: C1,
        operations: ["grant_consent", "list_holdings", "create_association", "list_associations"],
        description: "A registry whose association consent names a serial range sees only those units and associates only them: a serial outside answers 403 consent-required and creates nothing",
        run: association_within_subset,
        cites: ["REQ-SCOPE-019", "REQ-SCOPE-014"],
    },
];

/// A holder's account (one representative) holding 20 ACCUs, and a registry with an association
/// consent on it.
struct Holding {
    seller: Party,
    registry: Platform,
    first_serial: u64,
}

async fn holding(ctx: &Ctx) -> Result<Holding, Failure> {
    let seller = ctx.holder_with_one_rep().await?;
    let block = ctx.issue(&seller.account_id, 20, &Attrs::accu()).await?;
    let registry = association_registry(ctx, &seller).await?;
    Ok(Holding {
        seller,
        registry,
        first_serial: block.serial_start,
    })
}

/// A third-party registry with an association consent on `seller`'s account.
async fn association_registry(ctx: &Ctx, seller: &Party) -> Result<Platform, Failure> {
    let registry = ctx.third_party_registry().await?;
    ctx.grant(
        &seller.rep,
        &seller.account_id,
        &registry,
        &[ConsentScope::Association],
    )
    .await?;
    Ok(registry)
}

/// A certificate ID unique to this run.
fn certificate_id(ctx: &Ctx) -> String {
    ctx.unique("GC").replace(' ', "-")
}

fn request(
    account_id: &str,
    serial: u64,
    certificate_id: &str,
) -> Result<AssociationRequest, Failure> {
    Ok(AssociationRequest {
        account_id: account_id.to_owned(),
        unit_type: "ACCU".into(),
        serial,
        certificate_id: certificate(certificate_id)?,
    })
}

async fn associate(
    registry: &Platform,
    account_id: &str,
    serial: u64,
    certificate_id: &str,
) -> Result<Association, Failure> {
    registry
        .client
        .create_association()
        .body(request(account_id, serial, certificate_id)?)
        .send()
        .await
        .expect_ok(&format!(
            "create_association of certificate {certificate_id} with serial {serial} by {}",
            registry.platform_id
        ))
}

async fn get_association(
    client: &ucr_sdk::Client,
    association_id: &str,
    what: &str,
) -> Result<Association, Failure> {
    client
        .get_association()
        .association_id(association_id)
        .send()
        .await
        .expect_ok(what)
}

/// Expects `hook` to receive the `association.changed` event of `made` with `status` (`when` names
/// the moment, e.g. "after the dissolution"), its data on `account_id`.
async fn expect_association_changed(
    hook: &Hook,
    made: &Association,
    account_id: &str,
    status: &str,
    when: &str,
) -> Result<(), Failure> {
    let event = hook
        .expect_event(EventType::AssociationChanged, when, |d| {
            d.association_id.as_deref() == Some(made.association_id.as_str()) && d.status == status
        })
        .await?;
    expect_event_data("association.changed", &event, account_id, status)
}

async fn associations(client: &ucr_sdk::Client, what: &str) -> Result<Vec<Association>, Failure> {
    client
        .list_associations()
        .limit(200u32)
        .stream()
        .try_collect()
        .await
        .map_err(|e| Failure::from(e).context(what))
}

async fn registry_associates(ctx: Ctx) -> Result<(), Failure> {
    let Holding {
        seller,
        registry,
        first_serial: s,
    } = holding(&ctx).await?;
    let blocks = ctx
        .holdings(&registry.client, &seller.account_id)
        .await
        .map_err(|e| e.context("by the registry with an association consent"))?;
    ensure!(
        blocks
            .iter()
            .any(|b| b.serial_start <= s + 3 && s + 3 <= b.serial_end),
        "the registry's view of the holdings does not contain serial {}",
        s + 3
    );
    let cert = certificate_id(&ctx);
    let made = associate(&registry, &seller.account_id, s + 3, &cert).await?;
    ensure_eq(
        "create_association: status",
        AssociationStatus::Active,
        made.status,
    )?;
    ensure_eq(
        "create_association: (registry, certificate, account, unit type, serial)",
        (
            registry.platform_id.as_str(),
            cert.as_str(),
            seller.account_id.as_str(),
            "ACCU",
            s + 3,
        ),
        (
            made.registry_id.as_str(),
            made.certificate_id.as_str(),
            made.account_id.as_str(),
            made.unit_type.as_str(),
            made.serial,
        ),
    )?;
    let verified = get_association(
        &registry.client,
        &made.association_id,
        "get_association by the registry",
    )
    .await?;
    ensure_eq("get_association by the registry", &made, &verified)?;
    ensure_eq(
        "list_associations by the registry",
        vec![&made],
        associations(&registry.client, "list_associations by the registry")
            .await?
            .iter()
            .collect(),
    )?;
    let by_certificate: Vec<Association> = registry
        .client
        .list_associations()
        .certificate_id(&cert)
        .limit(200u32)
        .stream()
        .try_collect()
        .await
        .map_err(|e| Failure::from(e).context("list_associations certificate_id filter"))?;
    ensure_eq(
        "list_associations by certificate_id",
        vec![made.association_id.as_str()],
        by_certificate
            .iter()
            .map(|a| a.association_id.as_str())
            .collect(),
    )?;
    let holder_view: Vec<Association> = seller
        .rep
        .client
        .list_associations()
        .account_id(&seller.account_id)
        .limit(200u32)
        .stream()
        .try_collect()
        .await
        .map_err(|e| Failure::from(e).context("list_associations by the representative"))?;
    ensure_eq(
        "list_associations of the account by its representative",
        vec![&made],
        holder_view.iter().collect(),
    )?;
    ensure_eq(
        "get_association by the account's representative",
        &made,
        &get_association(
            &seller.rep.client,
            &made.association_id,
            "get_association by the account's representative",
        )
        .await?,
    )
}

async fn association_follows_transfer(ctx: Ctx) -> Result<(), Failure> {
    let Holding {
        seller,
        registry,
        first_serial: s,
    } = holding(&ctx).await?;
    let buyer = ctx.holder_with_one_rep().await?;
    let hook = ctx
        .subscribe_if_declared(&registry, &[EventType::AssociationChanged], None)
        .await?;
    let cert = certificate_id(&ctx);
    let made = associate(&registry, &seller.account_id, s + 3, &cert).await?;
    let transfer = initiate(
        &seller.rep.client,
        by_serials(&seller.account_id, &buyer.account_id, "ACCU", &[(s, s + 4)]),
        "initiate_transfer of the associated unit",
    )
    .await?;
    let done = approve(
        &seller.rep.client,
        &transfer.transfer_id,
        "approve_transfer of the associated unit",
    )
    .await?;
    expect_status("the transfer", TransactionStatus::Completed, done.status)?;
    let moved = get_association(
        &registry.client,
        &made.association_id,
        "get_association after the unit was transferred",
    )
    .await?;
    ensure_eq(
        "the association after the unit was transferred: status",
        AssociationStatus::Transferred,
        moved.status,
    )?;
    ensure!(
        moved.updated_at >= made.created_at,
        "the association's updated_at {} is before its created_at {}",
        moved.updated_at,
        made.created_at
    );
    if let Some(hook) = &hook {
        expect_association_changed(
            hook,
            &made,
            &seller.account_id,
            "transferred",
            "after the unit was transferred",
        )
        .await?;
    }
    registry
        .client
        .create_association()
        .body(request(&seller.account_id, s + 3, "GC-elsewhere")?)
        .send()
        .await
        .expect_problem(
            "create_association of a serial that left the account",
            409,
            ProblemKind::UnitsNotHeld,
        )?;
    let again = associate(&registry, &seller.account_id, s + 10, &cert).await?;
    ensure_eq(
        "re-using the certificate of a transferred association: status",
        AssociationStatus::Active,
        again.status,
    )
}

async fn association_follows_cancellation(ctx: Ctx) -> Result<(), Failure> {
    let Holding {
        seller,
        registry,
        first_serial: s,
    } = holding(&ctx).await?;
    let hook = ctx
        .subscribe_if_declared(&registry, &[EventType::AssociationChanged], None)
        .await?;
    let cert = certificate_id(&ctx);
    let made = associate(&registry, &seller.account_id, s + 5, &cert).await?;
    let cancellation = initiate_cancellation(
        &seller.rep.client,
        cancel_serials(&seller.account_id, "ACCU", &[(s + 5, s + 5)]),
        "initiate_cancellation of the associated unit",
    )
    .await?;
    approve_cancellation(
        &seller.rep.client,
        &cancellation.cancellation_id,
        "approve_cancellation of the associated unit",
    )
    .await?;
    let cancelled = get_association(
        &registry.client,
        &made.association_id,
        "get_association after the unit was cancelled",
    )
    .await?;
    ensure_eq(
        "the association after the unit was cancelled: status",
        AssociationStatus::Cancelled,
        cancelled.status,
    )?;
    if let Some(hook) = &hook {
        expect_association_changed(
            hook,
            &made,
            &seller.account_id,
            "cancelled",
            "after the unit was cancelled",
        )
        .await?;
    }
    registry
        .client
        .create_association()
        .body(request(&seller.account_id, s + 6, &cert)?)
        .send()
        .await
        .expect_problem(
            "create_association re-using the certificate of a cancelled (still live) association",
            409,
            ProblemKind::AssociationConflict,
        )?;
    let dissolved = registry
        .client
        .dissolve_association()
        .association_id(&made.association_id)
        .send()
        .await
        .expect_ok("dissolve_association of a cancelled association")?;
    ensure_eq(
        "dissolve_association of a cancelled association: status",
        AssociationStatus::Dissolved,
        dissolved.status,
    )
}

async fn associations_are_one_to_one(ctx: Ctx) -> Result<(), Failure> {
    let Holding {
        seller,
        registry,
        first_serial: s,
    } = holding(&ctx).await?;
    let other = association_registry(&ctx, &seller).await?;
    let cert = certificate_id(&ctx);
    let made = associate(&registry, &seller.account_id, s, &cert).await?;
    let conflicts = [
        (
            "a second certificate of the same registry for the same unit",
            &registry,
            request(&seller.account_id, s, &format!("{cert}-B"))?,
        ),
        (
            "another registry's certificate for the same unit",
            &other,
            request(&seller.account_id, s, &format!("{cert}-X"))?,
        ),
        (
            "the same certificate for another unit",
            &registry,
            request(&seller.account_id, s + 1, &cert)?,
        ),
    ];
    for (case, by, body) in conflicts {
        by.client
            .create_association()
            .body(body)
            .send()
            .await
            .expect_problem(
                &format!("create_association of {case}"),
                409,
                ProblemKind::AssociationConflict,
            )?;
    }
    let same_id = associate(&other, &seller.account_id, s + 1, &cert).await?;
    ensure_eq(
        "another registry using the same certificate ID for another unit: status",
        AssociationStatus::Active,
        same_id.status,
    )?;
    ensure_eq(
        "list_associations by the first registry",
        vec![made.association_id.as_str()],
        associations(&registry.client, "list_associations by the first registry")
            .await?
            .iter()
            .map(|a| a.association_id.as_str())
            .collect(),
    )?;
    ensure_eq(
        "list_associations by the second registry",
        vec![same_id.association_id.as_str()],
        associations(&other.client, "list_associations by the second registry")
            .await?
            .iter()
            .map(|a| a.association_id.as_str())
            .collect(),
    )
}

async fn association_needs_consent(ctx: Ctx) -> Result<(), Failure> {
    let seller = ctx.holder_with_one_rep().await?;
    let block = ctx.issue(&seller.account_id, 10, &Attrs::accu()).await?;
    let s = block.serial_start;
    let stranger = ctx.third_party_registry().await?;
    stranger
        .client
        .create_association()
        .body(request(&seller.account_id, s, "GC-1")?)
        .send()
        .await
        .expect_problem(
            "create_association by a registry that never held a consent for the account",
            404,
            ProblemKind::NotFound,
        )?;
    let reader = ctx.third_party_registry().await?;
    ctx.grant(
        &seller.rep,
        &seller.account_id,
        &reader,
        &[ConsentScope::HoldingsRead],
    )
    .await?;
    reader
        .client
        .create_association()
        .body(request(&seller.account_id, s, "GC-2")?)
        .send()
        .await
        .expect_problem(
            "create_association by a registry whose consent has holdings_read only",
            403,
            ProblemKind::ConsentRequired,
        )?;
    let former = ctx.third_party_registry().await?;
    let consent = ctx
        .grant(
            &seller.rep,
            &seller.account_id,
            &former,
            &[ConsentScope::Association],
        )
        .await?;
    revoke_consent(
        &seller.rep.client,
        &consent.consent_id,
        "revoke_consent of the association consent",
    )
    .await?;
    former
        .client
        .create_association()
        .body(request(&seller.account_id, s, "GC-3")?)
        .send()
        .await
        .expect_problem(
            "create_association after the association consent was revoked",
            403,
            ProblemKind::ConsentRequired,
        )?;
    let listed: Vec<Association> = seller
        .rep
        .client
        .list_associations()
        .account_id(&seller.account_id)
        .limit(200u32)
        .stream()
        .try_collect()
        .await
        .map_err(|e| Failure::from(e).context("list_associations by the representative"))?;
    ensure!(
        listed.is_empty(),
        "refused associations must create nothing, but the account has {:?}",
        listed.iter().map(|a| &a.association_id).collect::<Vec<_>>()
    );
    Ok(())
}

async fn association_needs_held_units(ctx: Ctx) -> Result<(), Failure> {
    let Holding {
        seller,
        registry,
        first_serial: s,
    } = holding(&ctx).await?;
    let elsewhere = ctx.holder_with_one_rep().await?;
    let foreign = ctx.issue(&elsewhere.account_id, 5, &Attrs::accu()).await?;
    registry
        .client
        .create_association()
        .body(request(
            &seller.account_id,
            foreign.serial_start,
            "GC-foreign",
        )?)
        .send()
        .await
        .expect_problem(
            "create_association of a serial held by another account",
            409,
            ProblemKind::UnitsNotHeld,
        )?;
    let cancellation = initiate_cancellation(
        &seller.rep.client,
        cancel_serials(&seller.account_id, "ACCU", &[(s + 19, s + 19)]),
        "initiate_cancellation",
    )
    .await?;
    approve_cancellation(
        &seller.rep.client,
        &cancellation.cancellation_id,
        "approve_cancellation",
    )
    .await?;
    registry
        .client
        .create_association()
        .body(request(&seller.account_id, s + 19, "GC-cancelled")?)
        .send()
        .await
        .expect_problem(
            "create_association of a cancelled serial",
            409,
            ProblemKind::UnitsLocked,
        )?;
    ensure!(
        associations(&registry.client, "list_associations by the registry")
            .await?
            .is_empty(),
        "refused associations must create nothing"
    );
    Ok(())
}

async fn registry_dissolves(ctx: Ctx) -> Result<(), Failure> {
    let Holding {
        seller,
        registry,
        first_serial: s,
    } = holding(&ctx).await?;
    let other = association_registry(&ctx, &seller).await?;
    let hook = ctx
        .subscribe_if_declared(&registry, &[EventType::AssociationChanged], None)
        .await?;
    let cert = certificate_id(&ctx);
    let made = associate(&registry, &seller.account_id, s + 7, &cert).await?;
    // REQ-ASSOCIATION-005: the account's representative cannot dissolve it.
    seller
        .rep
        .client
        .dissolve_association()
        .association_id(&made.association_id)
        .send()
        .await
        .expect_problem(
            "dissolve_association by the account's representative",
            403,
            ProblemKind::Forbidden,
        )?;
    other
        .client
        .dissolve_association()
        .association_id(&made.association_id)
        .send()
        .await
        .expect_problem(
            "dissolve_association by another registry",
            404,
            ProblemKind::NotFound,
        )?;
    let dissolved = registry
        .client
        .dissolve_association()
        .association_id(&made.association_id)
        .send()
        .await
        .expect_ok("dissolve_association by its registry")?;
    ensure_eq(
        "dissolve_association: status",
        AssociationStatus::Dissolved,
        dissolved.status,
    )?;
    if let Some(hook) = &hook {
        expect_association_changed(
            hook,
            &made,
            &seller.account_id,
            "dissolved",
            "after the dissolution",
        )
        .await?;
        // REQ-EVENT-011: nothing is sent when the association is created, so the dissolution's
        // is the only event (deliveries may be unordered: wait a little for a stray one).
        let arrived = hook
            .wait_deliveries(std::time::Duration::from_millis(500), |d| d.len() > 1)
            .await;
        let mut statuses = Vec::with_capacity(arrived.len());
        for delivery in &arrived {
            statuses.push(hook.verify(delivery)?.data.status);
        }
        ensure_eq(
            "association.changed events for an association created then dissolved (none on creation)",
            vec!["dissolved".to_owned()],
            statuses,
        )?;
    }
    registry
        .client
        .dissolve_association()
        .association_id(&made.association_id)
        .send()
        .await
        .expect_problem(
            "dissolve_association of a dissolved association",
            409,
            ProblemKind::InvalidState,
        )?;
    let anew = associate(&other, &seller.account_id, s + 7, &cert).await?;
    ensure_eq(
        "a new association of the unit after the dissolution: status",
        AssociationStatus::Active,
        anew.status,
    )
}

async fn associations_are_private(ctx: Ctx) -> Result<(), Failure> {
    let Holding {
        seller,
        registry,
        first_serial: s,
    } = holding(&ctx).await?;
    let cert = certificate_id(&ctx);
    let made = associate(&registry, &seller.account_id, s, &cert).await?;
    let other = ctx.third_party_registry().await?;
    let stranger = ctx.holder_with_one_rep().await?;
    // REQ-ASSOCIATION-001: representatives do not associate: 403 on their own account, 404 on
    // another's.
    let own = certificate_id(&ctx);
    for (who, client, status, kind) in [
        (
            "the account's representative",
            &seller.rep.client,
            403,
            ProblemKind::Forbidden,
        ),
        (
            "another holder's representative",
            &stranger.rep.client,
            404,
            ProblemKind::NotFound,
        ),
    ] {
        client
            .create_association()
            .body(request(&seller.account_id, s + 1, &own)?)
            .send()
            .await
            .expect_problem(
                &format!("create_association on the account by {who}"),
                status,
                kind,
            )?;
    }
    let platform = ctx.trading_platform().await?;
    for (who, client) in [
        ("another registry", &other.client),
        ("another holder's representative", &stranger.rep.client),
        ("a trading platform", &platform.client),
    ] {
        client
            .get_association()
            .association_id(&made.association_id)
            .send()
            .await
            .expect_problem(
                &format!("get_association by {who}"),
                404,
                ProblemKind::NotFound,
            )?;
        let listed = associations(client, &format!("list_associations by {who}")).await?;
        ensure!(
            listed
                .iter()
                .all(|a| a.association_id != made.association_id),
            "list_associations by {who} shows association {}",
            made.association_id
        );
    }
    Ok(())
}

/// Escrow settlement is a transfer too: the associations of the settled units follow them.
async fn association_follows_settlement(ctx: Ctx) -> Result<(), Failure> {
    let Holding {
        seller,
        registry,
        first_serial: s,
    } = holding(&ctx).await?;
    let buyer = ctx.holder_with_one_rep().await?;
    let controller = ctx.trading_platform().await?;
    let hook = ctx
        .subscribe_if_declared(&registry, &[EventType::AssociationChanged], None)
        .await?;
    let cert = certificate_id(&ctx);
    let made = associate(&registry, &seller.account_id, s + 2, &cert).await?;
    let expires_at = ctx.registry_in(30 * 86_400).await?;
    let placed = escrow(
        &seller.rep.client,
        &seller.rep.client,
        escrow_request(&seller.account_id, &controller, 5, expires_at),
        "create_escrow of the five lowest units, the associated one among them",
    )
    .await?;
    let settled = controller
        .client
        .settle_escrow()
        .escrow_id(&placed.escrow_id)
        .body(SettleRequest {
            to_account_id: buyer.account_id.clone(),
            reference: None,
        })
        .send()
        .await
        .expect_ok("settle_escrow to the buyer")?;
    ensure_eq(
        "the escrow after settlement: status",
        EscrowStatus::Settled,
        settled.status,
    )?;
    let moved = get_association(
        &registry.client,
        &made.association_id,
        "get_association after the unit was settled to the buyer",
    )
    .await?;
    ensure_eq(
        "the association after its unit was settled to the buyer: status",
        AssociationStatus::Transferred,
        moved.status,
    )?;
    if let Some(hook) = &hook {
        expect_association_changed(
            hook,
            &made,
            &seller.account_id,
            "transferred",
            "after the unit was settled to the buyer",
        )
        .await?;
    }
    let again = associate(&registry, &seller.account_id, s + 10, &cert).await?;
    ensure_eq(
        "re-using the certificate of the settled unit's association: status",
        AssociationStatus::Active,
        again.status,
    )
}

async fn association_within_subset(ctx: Ctx) -> Result<(), Failure> {
    let seller = ctx.holder_with_one_rep().await?;
    let registry = ctx.third_party_registry().await?;
    let block = ctx.issue(&seller.account_id, 20, &Attrs::accu()).await?;
    let s = block.serial_start;
    ctx.grant_subset(
        &seller.rep,
        &seller.account_id,
        &registry,
        &[ConsentScope::Association],
        ConsentSubset {
            serial_ranges: vec![SerialRange {
                serial_start: s,
                serial_end: s + 9,
            }],
            ..ConsentSubset::default()
        },
    )
    .await?;
    let seen = ctx.holdings(&registry.client, &seller.account_id).await?;
    let serials: Vec<(u64, u64)> = seen
        .iter()
        .map(|b| (b.serial_start, b.serial_end))
        .collect();
    if serials != [(s, s + 9)] {
        return Err(Failure::new(format!(
            "list_holdings by the registry whose association consent names serials {s}..={}: got {serials:?}",
            s + 9
        ))
        .violates("REQ-SCOPE-014"));
    }
    let cert = certificate_id(&ctx);
    registry
        .client
        .create_association()
        .body(request(&seller.account_id, s + 15, &cert)?)
        .send()
        .await
        .expect_problem(
            "create_association of a serial outside the registry's consent",
            403,
            ProblemKind::ConsentRequired,
        )
        .map_err(|f| f.violates("REQ-SCOPE-019"))?;
    let made = associations(&registry.client, "list_associations by the registry").await?;
    ensure!(
        made.is_empty(),
        "a refused create_association must create nothing, yet the registry lists {made:?}"
    );
    let inside = associate(&registry, &seller.account_id, s + 5, &cert).await?;
    ensure_eq(
        "create_association inside the consent: serial",
        s + 5,
        inside.serial,
    )
}
