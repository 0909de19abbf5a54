//! B.4: the seller reserves units for a trading platform; the platform sees only reserved units;
//! a trade moves them through the platform's interim custodial account; reserved units are locked
//! for everything else.

use chrono::SubsecRound;
use futures::TryStreamExt;
use ucr_sdk::ProblemKind;
use ucr_sdk::types::{
    BlockStatus, ConsentScope, EventType, Reservation, ReservationRequest, ReservationStatus, Role,
    SerialRange, TransactionStatus,
};

use super::B4;
use super::support::fleeting;
use super::support::{
    approve, by_reservation, escrow_request, expect_event_data, expect_status, get_reservation,
    get_transfer, initiate, release, reservation_request, reserve, revoke_consent,
};
use crate::assert::{SdkResultExt, assert_unchanged, ensure_eq, ranges_of, serials, total};
use crate::check::Check;
use crate::ctx::{Ctx, by_quantity, by_serials, cancel_serials};
use crate::ensure;
use crate::outcome::Failure;

pub(super) const CHECKS: &[Check] = &[
    check! {
        id: "B4-RESERVE-001",
        model: B4,
        seed: B4,
        operations: ["create_reservation", "get_reservation", "list_reservations", "list_holdings", "get_account"],
        description: "Reserving by quantity takes the lowest serials, makes them reserved (out of the available balance) and is listed for the account; no consent is needed and a reservation ten years ahead is accepted",
        run: reservation_separates_units,
        cites: ["REQ-RESERVATION-002", "REQ-RESERVATION-003", "REQ-RESERVATION-007", "REQ-RESERVATION-009", "REQ-VALIDATION-008", "REQ-UNITS-006", "REQ-CONV-001"],
    },
    check! {
        id: "B4-RESERVE-002",
        model: B4,
        seed: B4,
        operations: ["list_holdings", "get_account", "list_transactions", "get_reservation", "list_reservations", "revoke_consent"],
        description: "With reserved_units_read the platform sees only its reserved blocks and reservations (account and history 403), cannot release (403 forbidden); after revocation 403",
        run: platform_sees_only_reserved_units,
        cites: ["REQ-SCOPE-002", "REQ-SCOPE-004", "REQ-SCOPE-006", "REQ-SCOPE-008", "REQ-RESERVATION-004", "REQ-RESERVATION-008"],
    },
    check! {
        id: "B4-RESERVE-003",
        model: B4,
        seed: B4,
        operations: ["initiate_transfer", "approve_transfer", "get_reservation", "list_holdings"],
        description: "Trade: the seller moves the reservation to the custodial account (consumed, signed reservation.consumed), the platform's representatives to the buyer",
        run: reservation_trade,
        cites: ["REQ-RESERVATION-003", "REQ-RESERVATION-006", "REQ-TRANSFER-007", "REQ-TRANSFER-003", "REQ-EVENT-005", "REQ-SCOPE-004"],
    },
    check! {
        id: "B4-RESERVE-004",
        model: B4,
        seed: B4,
        operations: ["initiate_transfer", "initiate_cancellation", "create_escrow", "create_reservation"],
        description: "Reserved units are refused by serial (409 units-locked) and never picked by quantity; nothing changes",
        run: reserved_units_are_locked,
        cites: ["REQ-UNITS-008", "REQ-UNITS-011", "REQ-CONV-006"],
    },
    check! {
        id: "B4-RESERVE-005",
        model: B4,
        seed: B4,
        operations: ["initiate_transfer"],
        description: "A transfer quoting a reservation to another destination, or with a quantity too, answers 422 validation-failed; nothing changes",
        run: reservation_transfer_must_go_to_custody,
        cites: ["REQ-TRANSFER-007", "REQ-CONV-006"],
    },
    check! {
        id: "B4-RESERVE-006",
        model: B4,
        seed: B4,
        operations: ["release_reservation", "get_transfer", "approve_transfer", "list_holdings"],
        description: "Releasing while the reservation's transfer is pending succeeds at once: the transfer is rescinded (no longer approvable), the units available; releasing again answers 409",
        run: release_rescinds_pending_transfer,
        cites: ["REQ-RESERVATION-005", "REQ-RESERVATION-006", "REQ-RESERVATION-011"],
    },
    check! {
        id: "B4-RESERVE-007",
        model: B4,
        seed: B4,
        operations: ["create_reservation"],
        description: "A holding, another platform's or the reserving account as custodial account, a registry as platform, a past expiry (422), an unknown custodial account (422 unknown-account), an approver-only caller (403), too many units (409) are refused",
        run: invalid_reservations_refused,
        cites: ["REQ-RESERVATION-001", "REQ-APPROVAL-001", "REQ-UNITS-011", "REQ-CONV-006"],
    },
    check! {
        id: "B4-RESERVE-008",
        model: B4,
        seed: B4,
        operations: ["get_reservation", "list_holdings", "release_reservation"],
        description: "At its expiry (sandbox clock) a reservation is expired with ended_at its expires_at, its units available, reservation.expired is sent stamped expires_at; releasing answers 409",
        run: reservation_expires,
        phase: Clock,
        cites: ["REQ-RESERVATION-003", "REQ-RESERVATION-005", "REQ-RESERVATION-006", "REQ-RESERVATION-007", "REQ-EVENT-003", "REQ-EVENT-005", "REQ-CONV-003"],
    },
    check! {
        id: "B4-RESERVE-009",
        model: B4,
        seed: B4,
        operations: ["create_reservation", "get_reservation", "list_holdings", "grant_consent"],
        description: "Creating a reservation sends signed reservation.created to its platform only; the reservation alone is no view consent (403 consent-required) until the holder grants reserved_units_read",
        run: reservation_created_is_announced,
        cites: ["REQ-EVENT-014", "REQ-RESERVATION-010", "REQ-SCOPE-004"],
    },
    check! {
        id: "B4-RESERVE-010",
        model: B4,
        seed: B4,
        operations: ["list_transactions", "get_transfer", "get_account"],
        description: "Through fleeting custody buyer and seller stay anonymous: neither side's history, transfer or account names the other's account or holder, only the custodial account",
        run: fleeting_custody_keeps_parties_anonymous,
        cites: ["REQ-RESERVATION-012"],
    },
];

const DAY: i64 = 86_400;

async fn reservations_of(
    client: &ucr_sdk::Client,
    account_id: Option<&str>,
    what: &str,
) -> Result<Vec<Reservation>, Failure> {
    let mut request = client.list_reservations().limit(200u32);
    if let Some(account_id) = account_id {
        request = request.account_id(account_id);
    }
    request
        .stream()
        .try_collect()
        .await
        .map_err(|e| Failure::from(e).context(what))
}

async fn reservation_separates_units(ctx: Ctx) -> Result<(), Failure> {
    let f = fleeting(&ctx, 100).await?;
    // Whole seconds, so that every precision an implementation may emit holds the instant exactly
    // (REQ-CONV-001).
    let expires_at = ctx.registry_in(7 * DAY).await?.trunc_subsecs(0);
    let reservation = f.reserve_until(30, expires_at).await?;
    let s = f.first_serial;
    ensure_eq(
        "create_reservation: status",
        ReservationStatus::Active,
        reservation.status,
    )?;
    ensure_eq(
        "create_reservation: (account, platform, custodial account, unit type, quantity, created_by)",
        (
            f.seller.account_id.as_str(),
            f.platform.platform_id.as_str(),
            f.custodial.account_id.as_str(),
            "ACCU",
            30,
            f.seller.initiator.id.as_str(),
        ),
        (
            reservation.account_id.as_str(),
            reservation.platform_id.as_str(),
            reservation.custodial_account_id.as_str(),
            reservation.unit_type.as_str(),
            reservation.quantity,
            reservation.created_by.as_str(),
        ),
    )?;
    ensure_eq(
        "create_reservation: serial_ranges (the lowest available serials)",
        vec![(s, s + 29)],
        ranges_of(&reservation.serial_ranges),
    )?;
    ensure_eq(
        "create_reservation: expires_at (as an instant)",
        expires_at,
        reservation.expires_at,
    )?;
    ensure!(
        reservation.ended_at.is_none() && reservation.transfer_id.is_none(),
        "create_reservation: an active reservation has no ended_at or transfer_id"
    );
    let blocks = ctx
        .holdings(&f.seller.approver.client, &f.seller.account_id)
        .await?;
    ensure_eq(
        "the seller's reserved serials",
        vec![(s, s + 29)],
        serials(&blocks, "ACCU", Some(BlockStatus::Reserved)),
    )?;
    ensure_eq(
        "the seller's available serials",
        vec![(s + 30, s + 99)],
        serials(&blocks, "ACCU", Some(BlockStatus::Available)),
    )?;
    let account = f
        .seller
        .approver
        .client
        .get_account()
        .account_id(&f.seller.account_id)
        .send()
        .await
        .expect_ok("get_account")?;
    let balance = account
        .balances
        .iter()
        .find(|b| b.unit_type == "ACCU")
        .map(|b| (b.available, b.reserved, b.pending));
    ensure_eq(
        "get_account: ACCU (available, reserved, pending)",
        Some((70, 30, 0)),
        balance,
    )?;
    let fetched = get_reservation(
        &f.seller.approver.client,
        &reservation.reservation_id,
        "get_reservation by the seller's approver",
    )
    .await?;
    ensure_eq("get_reservation", &reservation, &fetched)?;
    let listed = reservations_of(
        &f.seller.initiator.client,
        Some(&f.seller.account_id),
        "list_reservations of the seller's account",
    )
    .await?;
    ensure_eq(
        "list_reservations of the seller's account",
        vec![&reservation],
        listed.iter().collect(),
    )?;
    // REQ-RESERVATION-002: no consent is needed (the platform holds none) and expires_at has no
    // upper bound.
    let far = ctx.registry_in(10 * 366 * DAY).await?;
    let distant = f.reserve_until(10, far).await?;
    ensure_eq(
        "create_reservation ten years ahead: status",
        ReservationStatus::Active,
        distant.status,
    )
}

async fn platform_sees_only_reserved_units(ctx: Ctx) -> Result<(), Failure> {
    let f = fleeting(&ctx, 100).await?;
    let mine = f.reserve(&ctx, 30).await?;
    let rival = ctx.trading_platform().await?;
    let rival_custody = ctx
        .custodial_account(&rival, &[&[Role::Initiator, Role::Approver]])
        .await?;
    let theirs = reserve(
        &f.seller.initiator.client,
        reservation_request(
            &f.seller.account_id,
            &rival,
            &rival_custody.account_id,
            20,
            ctx.registry_in(7 * DAY).await?,
        ),
        "create_reservation for another platform",
    )
    .await?;
    let consent = ctx
        .grant(
            &f.seller.initiator,
            &f.seller.account_id,
            &f.platform,
            &[ConsentScope::ReservedUnitsRead],
        )
        .await?;

    let seen = ctx
        .holdings(&f.platform.client, &f.seller.account_id)
        .await
        .map_err(|e| e.context("with a reserved_units_read consent"))?;
    ensure!(
        seen.iter().all(|b| b.status == BlockStatus::Reserved),
        "list_holdings with reserved_units_read must show only reserved blocks, got statuses {:?}",
        seen.iter().map(|b| b.status).collect::<Vec<_>>()
    );
    ensure_eq(
        "list_holdings with reserved_units_read: exactly the serials reserved for the platform",
        ranges_of(&mine.serial_ranges),
        serials(&seen, "ACCU", None),
    )?;
    f.platform
        .client
        .get_account()
        .account_id(&f.seller.account_id)
        .send()
        .await
        .expect_problem(
            "get_account by a platform with reserved_units_read only",
            403,
            ProblemKind::ConsentRequired,
        )?;
    f.platform
        .client
        .list_transactions()
        .account_id(&f.seller.account_id)
        .send()
        .await
        .expect_problem(
            "list_transactions by a platform with reserved_units_read only",
            403,
            ProblemKind::ConsentRequired,
        )?;
    let fetched = get_reservation(
        &f.platform.client,
        &mine.reservation_id,
        "get_reservation by the platform it is made for",
    )
    .await?;
    ensure_eq("get_reservation by the platform", &mine, &fetched)?;
    let listed = reservations_of(
        &f.platform.client,
        None,
        "list_reservations by the platform",
    )
    .await?;
    ensure_eq(
        "list_reservations by the platform: only the reservation made for it",
        vec![mine.reservation_id.as_str()],
        listed.iter().map(|r| r.reservation_id.as_str()).collect(),
    )?;
    // REQ-RESERVATION-008: another platform's reservation is invisible, `404` only.
    f.platform
        .client
        .get_reservation()
        .reservation_id(&theirs.reservation_id)
        .send()
        .await
        .expect_problem(
            "get_reservation by a platform of a reservation made for another platform",
            404,
            ProblemKind::NotFound,
        )?;

    // REQ-RESERVATION-004: the platform the reservation is made for cannot release it.
    f.platform
        .client
        .release_reservation()
        .reservation_id(&mine.reservation_id)
        .send()
        .await
        .expect_problem(
            "release_reservation by the platform it is made for",
            403,
            ProblemKind::Forbidden,
        )?;
    revoke_consent(
        &f.seller.approver.client,
        &consent.consent_id,
        "revoke_consent",
    )
    .await?;
    f.platform
        .client
        .get_reservation()
        .reservation_id(&mine.reservation_id)
        .send()
        .await
        .expect_problem(
            "get_reservation by the platform after its consent was revoked",
            403,
            ProblemKind::ConsentRequired,
        )?;
    let listed = reservations_of(
        &f.platform.client,
        None,
        "list_reservations by the platform after the revocation",
    )
    .await?;
    ensure!(
        listed.is_empty(),
        "list_reservations by the platform after its consent was revoked lists {:?}",
        listed.iter().map(|r| &r.reservation_id).collect::<Vec<_>>()
    );
    f.platform
        .client
        .list_holdings()
        .account_id(&f.seller.account_id)
        .send()
        .await
        .expect_problem(
            "list_holdings by the platform after the revocation",
            403,
            ProblemKind::ConsentRequired,
        )?;
    Ok(())
}

async fn reservation_trade(ctx: Ctx) -> Result<(), Failure> {
    let f = fleeting(&ctx, 100).await?;
    let hook = ctx
        .subscribe(&f.platform, &[EventType::ReservationConsumed])
        .await?;
    ctx.grant(
        &f.seller.initiator,
        &f.seller.account_id,
        &f.platform,
        &[ConsentScope::ReservedUnitsRead],
    )
    .await?;
    let reservation = f.reserve(&ctx, 40).await?;
    let reserved = ranges_of(&reservation.serial_ranges);

    let delivery = initiate(
        &f.seller.initiator.client,
        by_reservation(
            &f.seller.account_id,
            &f.custodial.account_id,
            &reservation.reservation_id,
        ),
        "initiate_transfer of the reservation to the custodial account by the seller",
    )
    .await?;
    expect_status(
        "the reservation's transfer",
        TransactionStatus::PendingApproval,
        delivery.status,
    )?;
    ensure_eq(
        "the reservation's transfer: (reservation_id, quantity, serials)",
        (
            Some(reservation.reservation_id.as_str()),
            40,
            reserved.clone(),
        ),
        (
            delivery.reservation_id.as_deref(),
            delivery.quantity,
            ranges_of(&delivery.serial_ranges),
        ),
    )?;
    let blocks = ctx
        .holdings(&f.seller.approver.client, &f.seller.account_id)
        .await?;
    ensure_eq(
        "the seller's pending serials while the reservation's transfer is pending",
        reserved.clone(),
        serials(&blocks, "ACCU", Some(BlockStatus::Pending)),
    )?;
    let still = get_reservation(
        &f.seller.approver.client,
        &reservation.reservation_id,
        "get_reservation while its transfer is pending",
    )
    .await?;
    ensure_eq(
        "the reservation while its transfer is pending: status",
        ReservationStatus::Active,
        still.status,
    )?;

    let done = approve(
        &f.seller.approver.client,
        &delivery.transfer_id,
        "approve_transfer of the reservation's transfer by the seller's approver",
    )
    .await?;
    expect_status(
        "the reservation's transfer",
        TransactionStatus::Completed,
        done.status,
    )?;
    let consumed = get_reservation(
        &f.seller.approver.client,
        &reservation.reservation_id,
        "get_reservation after its transfer",
    )
    .await?;
    ensure_eq(
        "the reservation after its transfer: status",
        ReservationStatus::Consumed,
        consumed.status,
    )?;
    ensure_eq(
        "the reservation after its transfer: transfer_id",
        Some(delivery.transfer_id.as_str()),
        consumed.transfer_id.as_deref(),
    )?;
    ensure!(
        consumed.ended_at.is_some(),
        "a consumed reservation must have ended_at"
    );
    let event = hook
        .expect_event(
            EventType::ReservationConsumed,
            "after the reservation's transfer was approved",
            |d| d.reservation_id.as_deref() == Some(reservation.reservation_id.as_str()),
        )
        .await?;
    expect_event_data(
        "reservation.consumed",
        &event,
        &f.seller.account_id,
        "consumed",
    )?;
    ensure_eq(
        "reservation.consumed: data.transfer_id",
        Some(delivery.transfer_id.as_str()),
        event.event.data.transfer_id.as_deref(),
    )?;

    let (trader, checker) = (&f.custodial.reps[0], &f.custodial.reps[1]);
    let in_custody = ctx
        .holdings(&trader.client, &f.custodial.account_id)
        .await?;
    ensure_eq(
        "the custodial account's available serials",
        reserved.clone(),
        serials(&in_custody, "ACCU", Some(BlockStatus::Available)),
    )?;
    let sale = initiate(
        &trader.client,
        by_serials(
            &f.custodial.account_id,
            &f.buyer.account_id,
            "ACCU",
            &reserved,
        ),
        "initiate_transfer custodial account → buyer by the platform's representative",
    )
    .await?;
    approve(
        &checker.client,
        &sale.transfer_id,
        "approve_transfer custodial account → buyer",
    )
    .await?;
    ensure_eq(
        "the buyer's serials",
        reserved,
        serials(
            &ctx.holdings(&f.buyer.rep.client, &f.buyer.account_id)
                .await?,
            "ACCU",
            Some(BlockStatus::Available),
        ),
    )?;
    let visible = ctx
        .holdings(&f.platform.client, &f.seller.account_id)
        .await?;
    ensure!(
        visible.is_empty(),
        "with reserved_units_read and no reservation left, list_holdings shows {} blocks",
        visible.len()
    );
    Ok(())
}

async fn reserved_units_are_locked(ctx: Ctx) -> Result<(), Failure> {
    let f = fleeting(&ctx, 100).await?;
    let reservation = f.reserve(&ctx, 60).await?;
    let s = f.first_serial;
    ensure_eq(
        "the reservation's serials",
        vec![(s, s + 59)],
        ranges_of(&reservation.serial_ranges),
    )?;
    let seller = &f.seller;
    let before = ctx
        .snapshot(&seller.approver.client, &seller.account_id)
        .await?;
    seller
        .initiator
        .client
        .initiate_transfer()
        .body(by_serials(
            &seller.account_id,
            &f.buyer.account_id,
            "ACCU",
            &[(s + 10, s + 19)],
        ))
        .send()
        .await
        .expect_problem(
            "initiate_transfer of reserved serials",
            409,
            ProblemKind::UnitsLocked,
        )?;
    seller
        .initiator
        .client
        .initiate_transfer()
        .body(by_quantity(
            &seller.account_id,
            &f.buyer.account_id,
            "ACCU",
            50,
        ))
        .send()
        .await
        .expect_problem(
            "initiate_transfer of 50 units by quantity when 40 are available and 60 reserved",
            409,
            ProblemKind::InsufficientUnits,
        )?;
    seller
        .initiator
        .client
        .initiate_cancellation()
        .body(cancel_serials(&seller.account_id, "ACCU", &[(s, s + 4)]))
        .send()
        .await
        .expect_problem(
            "initiate_cancellation of reserved serials",
            409,
            ProblemKind::UnitsLocked,
        )?;
    let mut escrow = escrow_request(
        &seller.account_id,
        &f.platform,
        5,
        ctx.registry_in(DAY).await?,
    );
    escrow.quantity = None;
    escrow.serial_ranges = Some(vec![SerialRange {
        serial_start: s,
        serial_end: s + 4,
    }]);
    seller
        .initiator
        .client
        .create_escrow()
        .body(escrow)
        .send()
        .await
        .expect_problem(
            "create_escrow of reserved serials",
            409,
            ProblemKind::UnitsLocked,
        )?;
    let mut again = reservation_request(
        &seller.account_id,
        &f.platform,
        &f.custodial.account_id,
        5,
        ctx.registry_in(DAY).await?,
    );
    again.quantity = None;
    again.serial_ranges = Some(vec![SerialRange {
        serial_start: s + 20,
        serial_end: s + 24,
    }]);
    seller
        .initiator
        .client
        .create_reservation()
        .body(again)
        .send()
        .await
        .expect_problem(
            "create_reservation of already reserved serials",
            409,
            ProblemKind::UnitsLocked,
        )?;
    let after = ctx
        .snapshot(&seller.approver.client, &seller.account_id)
        .await?;
    assert_unchanged("after the refused requests", &before, &after)?;

    let transfer = initiate(
        &seller.initiator.client,
        by_quantity(&seller.account_id, &f.buyer.account_id, "ACCU", 40),
        "initiate_transfer of the 40 available units by quantity",
    )
    .await?;
    ensure_eq(
        "a quantity transfer next to a reservation takes only unreserved serials",
        vec![(s + 60, s + 99)],
        ranges_of(&transfer.serial_ranges),
    )
}

async fn reservation_transfer_must_go_to_custody(ctx: Ctx) -> Result<(), Failure> {
    let f = fleeting(&ctx, 50).await?;
    let reservation = f.reserve(&ctx, 20).await?;
    let before = ctx
        .snapshot(&f.seller.approver.client, &f.seller.account_id)
        .await?;
    f.seller
        .initiator
        .client
        .initiate_transfer()
        .body(by_reservation(
            &f.seller.account_id,
            &f.buyer.account_id,
            &reservation.reservation_id,
        ))
        .send()
        .await
        .expect_problem(
            "initiate_transfer quoting the reservation to the buyer instead of the custodial account",
            422,
            ProblemKind::ValidationFailed,
        )?;
    let mut with_quantity = by_reservation(
        &f.seller.account_id,
        &f.custodial.account_id,
        &reservation.reservation_id,
    );
    with_quantity.quantity = std::num::NonZeroU64::new(20);
    f.seller
        .initiator
        .client
        .initiate_transfer()
        .body(with_quantity)
        .send()
        .await
        .expect_problem(
            "initiate_transfer quoting the reservation and giving a quantity too",
            422,
            ProblemKind::ValidationFailed,
        )?;
    let after = ctx
        .snapshot(&f.seller.approver.client, &f.seller.account_id)
        .await?;
    assert_unchanged("after the refused transfers", &before, &after)?;
    let still = get_reservation(
        &f.seller.approver.client,
        &reservation.reservation_id,
        "get_reservation",
    )
    .await?;
    ensure_eq(
        "the reservation after the refused transfers",
        &reservation,
        &still,
    )
}

async fn release_rescinds_pending_transfer(ctx: Ctx) -> Result<(), Failure> {
    let f = fleeting(&ctx, 50).await?;
    let reservation = f.reserve(&ctx, 20).await?;
    let transfer = initiate(
        &f.seller.initiator.client,
        by_reservation(
            &f.seller.account_id,
            &f.custodial.account_id,
            &reservation.reservation_id,
        ),
        "initiate_transfer of the reservation",
    )
    .await?;
    // "At any time, reserved units can be unreserved by the account holder."
    let released = release(
        &f.seller.approver.client,
        &reservation.reservation_id,
        "release_reservation while its transfer is pending",
    )
    .await
    .map_err(|e| e.violates("REQ-RESERVATION-011"))?;
    ensure_eq(
        "release_reservation while its transfer is pending: status",
        ReservationStatus::Released,
        released.status,
    )?;
    let rescinded = get_transfer(
        &f.seller.initiator.client,
        &transfer.transfer_id,
        "get_transfer of the reservation's transfer after the release",
    )
    .await?;
    if rescinded.status != TransactionStatus::Rescinded {
        return Err(Failure::new(format!(
            "the reservation's pending transfer {} after the release: expected rescinded, got {:?}",
            transfer.transfer_id, rescinded.status
        ))
        .violates("REQ-RESERVATION-011"));
    }
    let blocks = ctx
        .holdings(&f.seller.approver.client, &f.seller.account_id)
        .await?;
    ensure_eq(
        "available units after the release",
        50,
        total(&blocks, "ACCU", Some(BlockStatus::Available)),
    )?;
    f.seller
        .approver
        .client
        .approve_transfer()
        .transfer_id(&transfer.transfer_id)
        .send()
        .await
        .expect_problem(
            "approve_transfer of the transfer the release rescinded",
            409,
            ProblemKind::InvalidState,
        )?;
    f.seller
        .approver
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
    let blocks = ctx
        .holdings(&f.seller.approver.client, &f.seller.account_id)
        .await?;
    ensure_eq(
        "available units after the refused requests",
        50,
        total(&blocks, "ACCU", Some(BlockStatus::Available)),
    )
}

async fn reservation_created_is_announced(ctx: Ctx) -> Result<(), Failure> {
    let f = fleeting(&ctx, 30).await?;
    let hook = ctx
        .subscribe(&f.platform, &[EventType::ReservationCreated])
        .await?;
    let bystander = ctx.trading_platform().await?;
    let silent = ctx
        .subscribe(&bystander, &[EventType::ReservationCreated])
        .await?;
    let reservation = f.reserve(&ctx, 10).await?;
    let event = hook
        .expect_event(
            EventType::ReservationCreated,
            "after create_reservation",
            |d| d.reservation_id.as_deref() == Some(reservation.reservation_id.as_str()),
        )
        .await
        .map_err(|e| e.violates("REQ-EVENT-014"))?;
    expect_event_data(
        "reservation.created",
        &event,
        &f.seller.account_id,
        "active",
    )?;
    let got = silent
        .wait_deliveries(std::time::Duration::from_secs(1), |d| !d.is_empty())
        .await;
    if !got.is_empty() {
        return Err(Failure::new(format!(
            "reservation.created reached {}, which the reservation is not made for",
            bystander.platform_id
        ))
        .violates("REQ-EVENT-014"));
    }
    // The reservation alone is no view consent.
    f.platform
        .client
        .get_reservation()
        .reservation_id(&reservation.reservation_id)
        .send()
        .await
        .expect_problem(
            "get_reservation by the platform before any consent",
            403,
            ProblemKind::ConsentRequired,
        )
        .map_err(|e| e.violates("REQ-RESERVATION-010"))?;
    ctx.grant(
        &f.seller.initiator,
        &f.seller.account_id,
        &f.platform,
        &[ConsentScope::ReservedUnitsRead],
    )
    .await?;
    get_reservation(
        &f.platform.client,
        &reservation.reservation_id,
        "get_reservation by the platform with reserved_units_read",
    )
    .await?;
    let blocks = ctx
        .holdings(&f.platform.client, &f.seller.account_id)
        .await?;
    ensure_eq(
        "list_holdings by the platform with reserved_units_read: the reserved serials",
        ranges_of(&reservation.serial_ranges),
        serials(&blocks, "ACCU", None),
    )
}

async fn fleeting_custody_keeps_parties_anonymous(ctx: Ctx) -> Result<(), Failure> {
    let f = fleeting(&ctx, 40).await?;
    let reservation = f.reserve(&ctx, 25).await?;
    let into_custody = initiate(
        &f.seller.initiator.client,
        by_reservation(
            &f.seller.account_id,
            &f.custodial.account_id,
            &reservation.reservation_id,
        ),
        "initiate_transfer of the reservation to the custodial account",
    )
    .await?;
    approve(
        &f.seller.approver.client,
        &into_custody.transfer_id,
        "approve_transfer into custody",
    )
    .await?;
    let (trader, checker) = (&f.custodial.reps[0], &f.custodial.reps[1]);
    let to_buyer = initiate(
        &trader.client,
        by_serials(
            &f.custodial.account_id,
            &f.buyer.account_id,
            "ACCU",
            &ranges_of(&reservation.serial_ranges),
        ),
        "initiate_transfer from custody to the buyer",
    )
    .await?;
    approve(
        &checker.client,
        &to_buyer.transfer_id,
        "approve_transfer from custody to the buyer",
    )
    .await?;

    // What each side reads, as JSON text, must not name the other side.
    let side = |client: &ucr_sdk::Client, account_id: &str, transfer_id: &str| {
        let (ctx, client, account_id, transfer_id) = (
            &ctx,
            client.clone(),
            account_id.to_owned(),
            transfer_id.to_owned(),
        );
        async move {
            let history = ctx.history(&client, &account_id).await?;
            let transfer = get_transfer(&client, &transfer_id, "get_transfer").await?;
            let account = client
                .get_account()
                .account_id(&account_id)
                .send()
                .await
                .expect_ok("get_account")?;
            Ok::<_, Failure>(format!(
                "{} {} {}",
                serde_json::to_string(&history).unwrap_or_default(),
                serde_json::to_string(&transfer).unwrap_or_default(),
                serde_json::to_string(&account).unwrap_or_default()
            ))
        }
    };
    let buyer_sees = side(
        &f.buyer.rep.client,
        &f.buyer.account_id,
        &to_buyer.transfer_id,
    )
    .await?;
    let seller_sees = side(
        &f.seller.approver.client,
        &f.seller.account_id,
        &into_custody.transfer_id,
    )
    .await?;
    for (reader, text, other, names) in [
        (
            "the buyer",
            &buyer_sees,
            "seller",
            [
                f.seller.account_id.as_str(),
                f.seller.holder.holder_id.as_str(),
                f.seller.holder.name.as_str(),
            ],
        ),
        (
            "the seller",
            &seller_sees,
            "buyer",
            [
                f.buyer.account_id.as_str(),
                f.buyer.holder.holder_id.as_str(),
                f.buyer.holder.name.as_str(),
            ],
        ),
    ] {
        if let Some(name) = names.iter().find(|n| text.contains(**n)) {
            return Err(Failure::new(format!(
                "{reader}'s history, transfer and account name the {other} ({name}); each side's counterparty must be the custodial account {}",
                f.custodial.account_id
            ))
            .violates("REQ-RESERVATION-012"));
        }
    }
    ensure!(
        buyer_sees.contains(&f.custodial.account_id)
            && seller_sees.contains(&f.custodial.account_id),
        "each side's history should show the custodial account {} as its counterparty",
        f.custodial.account_id
    );
    Ok(())
}

async fn invalid_reservations_refused(ctx: Ctx) -> Result<(), Failure> {
    let f = fleeting(&ctx, 30).await?;
    let rival = ctx.trading_platform().await?;
    let rival_custody = ctx
        .custodial_account(&rival, &[&[Role::Initiator, Role::Approver]])
        .await?;
    let registry = ctx.third_party_registry().await?;
    let week = ctx.registry_in(7 * DAY).await?;
    let request = |custodial: &str, quantity: u64, expires_at| {
        reservation_request(
            &f.seller.account_id,
            &f.platform,
            custodial,
            quantity,
            expires_at,
        )
    };
    let before = ctx
        .snapshot(&f.seller.approver.client, &f.seller.account_id)
        .await?;
    let initiator = &f.seller.initiator.client;
    let cases = [
        (
            "a holding account (the buyer's) as custodial_account_id",
            request(&f.buyer.account_id, 10, week),
        ),
        (
            "another platform's custodial account as custodial_account_id",
            request(&rival_custody.account_id, 10, week),
        ),
        (
            "expires_at a minute ago by the registry's clock",
            request(&f.custodial.account_id, 10, ctx.registry_in(-60).await?),
        ),
        (
            "the reserving account itself as custodial_account_id",
            request(&f.seller.account_id, 10, week),
        ),
        (
            "a third-party registry as platform_id",
            ReservationRequest {
                platform_id: registry.platform_id.clone(),
                ..request(&f.custodial.account_id, 10, week)
            },
        ),
    ];
    for (case, body) in cases {
        initiator
            .create_reservation()
            .body(body)
            .send()
            .await
            .expect_problem(
                &format!("create_reservation with {case}"),
                422,
                ProblemKind::ValidationFailed,
            )?;
    }
    initiator
        .create_reservation()
        .body(request("AU-9999999", 10, week))
        .send()
        .await
        .expect_problem(
            "create_reservation with a custodial_account_id that names no account",
            422,
            ProblemKind::UnknownAccount,
        )?;
    f.seller
        .approver
        .client
        .create_reservation()
        .body(request(&f.custodial.account_id, 10, week))
        .send()
        .await
        .expect_problem(
            "create_reservation by a representative with the approver role only",
            403,
            ProblemKind::Forbidden,
        )?;
    initiator
        .create_reservation()
        .body(request(&f.custodial.account_id, 31, week))
        .send()
        .await
        .expect_problem(
            "create_reservation of 31 units when 30 are available",
            409,
            ProblemKind::InsufficientUnits,
        )?;
    let after = ctx
        .snapshot(&f.seller.approver.client, &f.seller.account_id)
        .await?;
    assert_unchanged("after the refused reservations", &before, &after)?;
    let listed = reservations_of(
        &f.seller.approver.client,
        Some(&f.seller.account_id),
        "list_reservations",
    )
    .await?;
    ensure!(
        listed.is_empty(),
        "refused reservations must create nothing, but list_reservations shows {:?}",
        listed.iter().map(|r| &r.reservation_id).collect::<Vec<_>>()
    );
    Ok(())
}

async fn reservation_expires(ctx: Ctx) -> Result<(), Failure> {
    let f = fleeting(&ctx, 40).await?;
    let hook = ctx
        .subscribe(&f.platform, &[EventType::ReservationExpired])
        .await?;
    let expires_at = ctx.registry_in(3600).await?;
    let reservation = f.reserve_until(25, expires_at).await?;
    ctx.advance_clock(3600 + 60).await?;
    let expired = get_reservation(
        &f.seller.approver.client,
        &reservation.reservation_id,
        "get_reservation after its expiry",
    )
    .await?;
    ensure_eq(
        "the reservation after its expiry: status",
        ReservationStatus::Expired,
        expired.status,
    )?;
    ensure_eq(
        "the reservation after its expiry: ended_at (its expires_at)",
        Some(reservation.expires_at),
        expired.ended_at,
    )?;
    let blocks = ctx
        .holdings(&f.seller.approver.client, &f.seller.account_id)
        .await?;
    ensure_eq(
        "available units after the reservation expired",
        40,
        total(&blocks, "ACCU", Some(BlockStatus::Available)),
    )?;
    let event = hook
        .expect_event(EventType::ReservationExpired, "after the expiry", |d| {
            d.reservation_id.as_deref() == Some(reservation.reservation_id.as_str())
        })
        .await?;
    expect_event_data(
        "reservation.expired",
        &event,
        &f.seller.account_id,
        "expired",
    )?;
    ensure_eq(
        "reservation.expired: timestamp (the reservation's expires_at)",
        reservation.expires_at,
        event.event.timestamp,
    )?;
    f.seller
        .approver
        .client
        .release_reservation()
        .reservation_id(&reservation.reservation_id)
        .send()
        .await
        .expect_problem(
            "release_reservation of an expired reservation",
            409,
            ProblemKind::InvalidState,
        )?;
    Ok(())
}
