//! Unit tests of the state model: splitting, conservation, four eyes, decisions, expiry, refusals.

use chrono::TimeDelta;
use ucr_spec::ProblemType;
use ucr_spec::model::{
    AccountKind, BlockStatus, HoldingsQuery, Role, SerialRange, TransactionStatus,
    TransactionsQuery, UnitBlock,
};
use ucr_spec::problem::Problem;
use ucr_spec::sandbox::{IssuanceRequest, NewAccount, NewAccountHolder, NewRepresentative};
use ucr_spec::transactions::{CancellationRequest, RejectRequest, TransferRequest};

use super::{APPROVAL_WINDOW, Principal, Registry};

/// Two accounts; the first has an initiator (alice) and an approver (bob), the second one
/// representative with both roles (carol). 1000 ACCUs issued to the first.
struct World {
    registry: Registry,
    alice: Principal,
    bob: Principal,
    carol: Principal,
    from: String,
    to: String,
}

fn world() -> World {
    let mut registry = Registry::new();
    let holder = registry
        .create_account_holder(NewAccountHolder {
            name: "Mallee Carbon Pty Ltd".into(),
        })
        .unwrap();
    let other = registry
        .create_account_holder(NewAccountHolder {
            name: "Saltbush Land Ltd".into(),
        })
        .unwrap();
    let open = |registry: &mut Registry, holder_id: &str| {
        registry
            .create_account(NewAccount {
                holder_id: holder_id.into(),
                name: "Trading".into(),
                kind: AccountKind::Holding,
            })
            .unwrap()
            .account_id
    };
    let from = open(&mut registry, &holder.holder_id);
    let to = open(&mut registry, &other.holder_id);
    let appoint = |registry: &mut Registry, account: &str, name: &str, roles: Vec<Role>| {
        let credential = registry
            .appoint_representative(
                account,
                NewRepresentative {
                    name: name.into(),
                    roles,
                    representative_id: None,
                },
            )
            .unwrap();
        registry.authenticate(&credential.token).unwrap()
    };
    let alice = appoint(&mut registry, &from, "Alice", vec![Role::Initiator]);
    let bob = appoint(&mut registry, &from, "Bob", vec![Role::Approver]);
    let carol = appoint(
        &mut registry,
        &to,
        "Carol",
        vec![Role::Initiator, Role::Approver],
    );
    issue(&mut registry, &from, 1000, "2023-24");
    World {
        registry,
        alice,
        bob,
        carol,
        from,
        to,
    }
}

fn issue(registry: &mut Registry, account: &str, quantity: u64, vintage: &str) -> UnitBlock {
    registry
        .issue_units(IssuanceRequest {
            account_id: account.into(),
            unit_type: "ACCU".into(),
            quantity,
            project_id: Some("ERF101234".into()),
            vintage: vintage.into(),
            method: Some("Landfill gas".into()),
            facility_id: None,
            facility_name: None,
            issuance_year: None,
            kyoto_status: None,
            state: "NSW".into(),
            issued_on: None,
        })
        .unwrap()
}

fn by_quantity(from: &str, to: &str, quantity: u64) -> TransferRequest {
    TransferRequest {
        from_account_id: from.into(),
        to_account_id: to.into(),
        unit_type: "ACCU".into(),
        quantity: Some(quantity),
        serial_ranges: None,
        vintage: None,
        project_id: None,
        reference: None,
        reservation_id: None,
    }
}

fn by_serials(from: &str, to: &str, ranges: &[(u64, u64)]) -> TransferRequest {
    TransferRequest {
        quantity: None,
        serial_ranges: Some(
            ranges
                .iter()
                .map(|(s, e)| SerialRange {
                    serial_start: *s,
                    serial_end: *e,
                })
                .collect(),
        ),
        ..by_quantity(from, to, 0)
    }
}

fn blocks(registry: &mut Registry, who: &Principal, account: &str) -> Vec<(u64, u64, BlockStatus)> {
    registry
        .holdings(who, account, &HoldingsQuery::default())
        .unwrap()
        .into_iter()
        .map(|b| (b.serial_start, b.serial_end, b.status))
        .collect()
}

fn kind(result: Result<impl std::fmt::Debug, Problem>) -> ProblemType {
    let problem = result.expect_err("expected a refusal");
    ProblemType::from_uri(&problem.type_).unwrap()
}

/// Blocks of both accounts and the length of the source's history.
type Snapshot = (
    Vec<(u64, u64, BlockStatus)>,
    Vec<(u64, u64, BlockStatus)>,
    usize,
);

/// Everything observable about the units, for "a refused request changes nothing".
fn snapshot(w: &mut World) -> Snapshot {
    let (alice, carol) = (w.alice.clone(), w.carol.clone());
    let (from, to) = (w.from.clone(), w.to.clone());
    let history = w
        .registry
        .history(&alice, &from, &TransactionsQuery::default())
        .unwrap()
        .len();
    (
        blocks(&mut w.registry, &alice, &from),
        blocks(&mut w.registry, &carol, &to),
        history,
    )
}

#[test]
fn partial_transfer_splits_and_approval_moves_units() {
    let mut w = world();
    let transfer = w
        .registry
        .initiate_transfer(&w.alice, by_quantity(&w.from, &w.to, 100))
        .unwrap();
    assert_eq!(
        transfer.serial_ranges,
        vec![SerialRange {
            serial_start: 3_000_001,
            serial_end: 3_000_100
        }]
    );
    assert_eq!(
        blocks(&mut w.registry, &w.alice, &w.from),
        vec![
            (3_000_001, 3_000_100, BlockStatus::Pending),
            (3_000_101, 3_001_000, BlockStatus::Available)
        ]
    );
    w.registry.check_invariants().unwrap();
    let approved = w
        .registry
        .approve_transfer(&w.bob, &transfer.transfer_id)
        .unwrap();
    assert_eq!(approved.status, TransactionStatus::Completed);
    assert_eq!(approved.decided_by.as_deref(), w.bob.representative_id());
    assert_eq!(
        blocks(&mut w.registry, &w.alice, &w.from),
        vec![(3_000_101, 3_001_000, BlockStatus::Available)]
    );
    assert_eq!(
        blocks(&mut w.registry, &w.carol, &w.to),
        vec![(3_000_001, 3_000_100, BlockStatus::Available)]
    );
    w.registry.check_invariants().unwrap();
}

#[test]
fn serial_transfer_from_the_middle_splits_in_three() {
    let mut w = world();
    let transfer = w
        .registry
        .initiate_transfer(
            &w.alice,
            by_serials(&w.from, &w.to, &[(3_000_201, 3_000_300)]),
        )
        .unwrap();
    assert_eq!(transfer.quantity, 100);
    assert_eq!(
        blocks(&mut w.registry, &w.alice, &w.from),
        vec![
            (3_000_001, 3_000_200, BlockStatus::Available),
            (3_000_201, 3_000_300, BlockStatus::Pending),
            (3_000_301, 3_001_000, BlockStatus::Available),
        ]
    );
    w.registry.check_invariants().unwrap();
}

#[test]
fn rescind_and_reject_return_units_and_merge_blocks_back() {
    let mut w = world();
    let first = w
        .registry
        .initiate_transfer(
            &w.alice,
            by_serials(&w.from, &w.to, &[(3_000_201, 3_000_300)]),
        )
        .unwrap();
    let rescinded = w
        .registry
        .rescind_transfer(&w.alice, &first.transfer_id)
        .unwrap();
    assert_eq!(rescinded.status, TransactionStatus::Rescinded);
    assert_eq!(
        blocks(&mut w.registry, &w.alice, &w.from),
        vec![(3_000_001, 3_001_000, BlockStatus::Available)]
    );

    let second = w
        .registry
        .initiate_transfer(&w.alice, by_quantity(&w.from, &w.to, 10))
        .unwrap();
    let rejected = w
        .registry
        .reject_transfer(
            &w.bob,
            &second.transfer_id,
            RejectRequest {
                reason: Some("wrong buyer".into()),
            },
        )
        .unwrap();
    assert_eq!(rejected.status, TransactionStatus::Rejected);
    assert_eq!(rejected.reason.as_deref(), Some("wrong buyer"));
    assert_eq!(
        blocks(&mut w.registry, &w.alice, &w.from),
        vec![(3_000_001, 3_001_000, BlockStatus::Available)]
    );
    assert_eq!(
        kind(w.registry.approve_transfer(&w.bob, &second.transfer_id)),
        ProblemType::InvalidState
    );
    assert_eq!(
        kind(w.registry.rescind_transfer(&w.alice, &second.transfer_id)),
        ProblemType::InvalidState
    );
    w.registry.check_invariants().unwrap();
}

#[test]
fn four_eyes_unless_single_representative() {
    let mut w = world();
    // Give alice the approver role too: she still may not approve her own transfer.
    let alice_id = w.alice.representative_id().unwrap().to_owned();
    w.registry
        .appoint_representative(
            &w.from,
            NewRepresentative {
                name: String::new(),
                roles: vec![Role::Initiator, Role::Approver],
                representative_id: Some(alice_id),
            },
        )
        .unwrap();
    let transfer = w
        .registry
        .initiate_transfer(&w.alice, by_quantity(&w.from, &w.to, 5))
        .unwrap();
    let before = snapshot(&mut w);
    assert_eq!(
        kind(w.registry.approve_transfer(&w.alice, &transfer.transfer_id)),
        ProblemType::SecondApproverRequired
    );
    let reject =
        w.registry
            .reject_transfer(&w.alice, &transfer.transfer_id, RejectRequest::default());
    assert_eq!(kind(reject), ProblemType::SecondApproverRequired);
    assert_eq!(snapshot(&mut w), before);

    // Carol is the only representative of her account: she approves her own transfer.
    issue(&mut w.registry, &w.to.clone(), 50, "2024-25");
    let own = w
        .registry
        .initiate_transfer(&w.carol, by_quantity(&w.to, &w.from, 20))
        .unwrap();
    assert_eq!(
        w.registry
            .approve_transfer(&w.carol, &own.transfer_id)
            .unwrap()
            .status,
        TransactionStatus::Completed
    );
    w.registry.check_invariants().unwrap();
}

#[test]
fn roles_and_visibility() {
    let mut w = world();
    // Bob is an approver only; carol is not appointed to the source account.
    let refused = w
        .registry
        .initiate_transfer(&w.bob, by_quantity(&w.from, &w.to, 5));
    assert_eq!(kind(refused), ProblemType::Forbidden);
    assert_eq!(
        kind(
            w.registry
                .initiate_transfer(&w.carol, by_quantity(&w.from, &w.to, 5))
        ),
        ProblemType::NotFound
    );
    assert_eq!(
        kind(w.registry.account(&w.carol, &w.from)),
        ProblemType::NotFound
    );
    let transfer = w
        .registry
        .initiate_transfer(&w.alice, by_quantity(&w.from, &w.to, 5))
        .unwrap();
    // The destination's representative sees the transfer but may not decide it.
    assert!(w.registry.transfer(&w.carol, &transfer.transfer_id).is_ok());
    assert_eq!(
        kind(w.registry.approve_transfer(&w.carol, &transfer.transfer_id)),
        ProblemType::Forbidden
    );
    assert_eq!(
        kind(w.registry.approve_transfer(&w.alice, &transfer.transfer_id)),
        ProblemType::Forbidden
    );
    assert_eq!(
        kind(w.registry.rescind_transfer(&w.bob, &transfer.transfer_id)),
        ProblemType::Forbidden
    );
    // An operator has no appointments.
    let token = w.registry.create_operator_session().token;
    let operator = w.registry.authenticate(&token).unwrap();
    assert!(w.registry.accounts(&operator).is_empty());
    assert_eq!(
        kind(w.registry.transfer(&operator, &transfer.transfer_id)),
        ProblemType::NotFound
    );
    assert_eq!(
        kind(w.registry.transfer(&w.alice, "TRF-999999")),
        ProblemType::NotFound
    );
}

#[test]
fn refusals_change_nothing() {
    let mut w = world();
    let pending = w
        .registry
        .initiate_transfer(
            &w.alice,
            by_serials(&w.from, &w.to, &[(3_000_001, 3_000_010)]),
        )
        .unwrap();
    let before = snapshot(&mut w);
    let (from, to) = (w.from.clone(), w.to.clone());
    let cases: Vec<(TransferRequest, ProblemType)> = vec![
        (
            by_quantity(&from, &to, 2_000),
            ProblemType::InsufficientUnits,
        ),
        (by_quantity(&from, &to, 0), ProblemType::ValidationFailed),
        (by_quantity(&from, &from, 1), ProblemType::ValidationFailed),
        (
            by_quantity(&from, "AU-9999999", 1),
            ProblemType::UnknownAccount,
        ),
        (
            TransferRequest {
                unit_type: "LGC".into(),
                ..by_quantity(&from, &to, 1)
            },
            ProblemType::ValidationFailed,
        ),
        (
            TransferRequest {
                serial_ranges: None,
                ..by_serials(&from, &to, &[])
            },
            ProblemType::ValidationFailed,
        ),
        (by_serials(&from, &to, &[]), ProblemType::ValidationFailed),
        (
            TransferRequest {
                quantity: Some(1),
                ..by_serials(&from, &to, &[(3_000_500, 3_000_501)])
            },
            ProblemType::ValidationFailed,
        ),
        (
            by_serials(&from, &to, &[(3_000_600, 3_000_500)]),
            ProblemType::ValidationFailed,
        ),
        (
            by_serials(
                &from,
                &to,
                &[(3_000_500, 3_000_600), (3_000_550, 3_000_650)],
            ),
            ProblemType::ValidationFailed,
        ),
        (
            TransferRequest {
                vintage: Some("2023-24".into()),
                ..by_serials(&from, &to, &[(3_000_500, 3_000_501)])
            },
            ProblemType::ValidationFailed,
        ),
        (
            by_serials(&from, &to, &[(3_000_990, 3_001_010)]),
            ProblemType::UnitsNotHeld,
        ),
        (by_serials(&from, &to, &[(1, 5)]), ProblemType::UnitsNotHeld),
        (
            by_serials(&from, &to, &[(3_000_005, 3_000_020)]),
            ProblemType::UnitsLocked,
        ),
        // Not held takes precedence over locked.
        (
            by_serials(
                &from,
                &to,
                &[(3_000_005, 3_000_006), (3_001_001, 3_001_001)],
            ),
            ProblemType::UnitsNotHeld,
        ),
        (
            TransferRequest {
                vintage: Some("2019-20".into()),
                ..by_quantity(&from, &to, 1)
            },
            ProblemType::InsufficientUnits,
        ),
        (
            TransferRequest {
                reference: Some("x".repeat(201)),
                ..by_quantity(&from, &to, 1)
            },
            ProblemType::ValidationFailed,
        ),
    ];
    for (request, expected) in cases {
        let debug = format!("{request:?}");
        assert_eq!(
            kind(w.registry.initiate_transfer(&w.alice, request)),
            expected,
            "{debug}"
        );
        assert_eq!(snapshot(&mut w), before, "{debug} changed state");
    }
    // Locked units cannot be cancelled either; the pending transfer is untouched.
    let cancel = CancellationRequest {
        account_id: from.clone(),
        unit_type: "ACCU".into(),
        quantity: None,
        serial_ranges: Some(vec![SerialRange {
            serial_start: 3_000_001,
            serial_end: 3_000_001,
        }]),
        vintage: None,
        project_id: None,
        reason: None,
    };
    assert_eq!(
        kind(w.registry.initiate_cancellation(&w.alice, cancel)),
        ProblemType::UnitsLocked
    );
    assert_eq!(snapshot(&mut w), before);
    assert_eq!(
        w.registry
            .transfer(&w.alice, &pending.transfer_id)
            .unwrap()
            .status,
        TransactionStatus::PendingApproval
    );
    w.registry.check_invariants().unwrap();
}

#[test]
fn quantity_picks_lowest_serials_matching_filters() {
    let mut w = world();
    let newer = issue(&mut w.registry, &w.from.clone(), 100, "2024-25");
    let transfer = w
        .registry
        .initiate_transfer(
            &w.alice,
            TransferRequest {
                vintage: Some("2024-25".into()),
                ..by_quantity(&w.from, &w.to, 30)
            },
        )
        .unwrap();
    assert_eq!(
        transfer.serial_ranges,
        vec![SerialRange {
            serial_start: newer.serial_start,
            serial_end: newer.serial_start + 29
        }]
    );
    // A quantity spanning two issuances yields one coalesced range when their serials touch.
    let spanning = w
        .registry
        .initiate_transfer(&w.alice, by_quantity(&w.from, &w.to, 1_010))
        .unwrap();
    assert_eq!(
        spanning.serial_ranges,
        vec![
            SerialRange {
                serial_start: 3_000_001,
                serial_end: 3_001_000
            },
            SerialRange {
                serial_start: newer.serial_start + 30,
                serial_end: newer.serial_start + 39
            },
        ]
    );
    w.registry.check_invariants().unwrap();
}

#[test]
fn expiry_returns_units_after_seven_days() {
    let mut w = world();
    let transfer = w
        .registry
        .initiate_transfer(&w.alice, by_quantity(&w.from, &w.to, 100))
        .unwrap();
    assert_eq!(transfer.expires_at - transfer.initiated_at, APPROVAL_WINDOW);
    w.registry
        .advance_clock(APPROVAL_WINDOW - TimeDelta::minutes(1))
        .unwrap();
    assert_eq!(
        w.registry
            .transfer(&w.alice, &transfer.transfer_id)
            .unwrap()
            .status,
        TransactionStatus::PendingApproval
    );
    w.registry.advance_clock(TimeDelta::minutes(2)).unwrap();
    let expired = w
        .registry
        .transfer(&w.alice, &transfer.transfer_id)
        .unwrap();
    assert_eq!(expired.status, TransactionStatus::Expired);
    assert_eq!(expired.decided_at, Some(transfer.expires_at));
    assert_eq!(
        blocks(&mut w.registry, &w.alice, &w.from),
        vec![(3_000_001, 3_001_000, BlockStatus::Available)]
    );
    assert_eq!(
        kind(w.registry.approve_transfer(&w.bob, &transfer.transfer_id)),
        ProblemType::InvalidState
    );
    assert!(w.registry.advance_clock(TimeDelta::seconds(-1)).is_err());
    w.registry.check_invariants().unwrap();
}

#[test]
fn cancellation_lifecycle_keeps_cancelled_units_in_the_account() {
    let mut w = world();
    let request = CancellationRequest {
        account_id: w.from.clone(),
        unit_type: "ACCU".into(),
        quantity: Some(25),
        serial_ranges: None,
        vintage: None,
        project_id: None,
        reason: Some("FY2025-26 offsets".into()),
    };
    let cancellation = w
        .registry
        .initiate_cancellation(&w.alice, request.clone())
        .unwrap();
    assert_eq!(
        kind(
            w.registry
                .cancellation(&w.carol, &cancellation.cancellation_id)
        ),
        ProblemType::NotFound
    );
    let approved = w
        .registry
        .approve_cancellation(&w.bob, &cancellation.cancellation_id)
        .unwrap();
    assert_eq!(approved.status, TransactionStatus::Completed);
    assert_eq!(
        blocks(&mut w.registry, &w.alice, &w.from),
        vec![
            (3_000_001, 3_000_025, BlockStatus::Cancelled),
            (3_000_026, 3_001_000, BlockStatus::Available)
        ]
    );
    // Cancelled units never move.
    let moved = w.registry.initiate_transfer(
        &w.alice,
        by_serials(&w.from, &w.to, &[(3_000_001, 3_000_001)]),
    );
    assert_eq!(kind(moved), ProblemType::UnitsLocked);
    let balances = w.registry.account(&w.alice, &w.from).unwrap().balances;
    assert_eq!((balances[0].available, balances[0].cancelled), (975, 25));
    // Rescind returns units.
    let second = w.registry.initiate_cancellation(&w.alice, request).unwrap();
    w.registry
        .rescind_cancellation(&w.alice, &second.cancellation_id)
        .unwrap();
    let history = w
        .registry
        .history(&w.alice, &w.from, &TransactionsQuery::default())
        .unwrap();
    let ids: Vec<&str> = history.iter().map(|t| t.transaction_id.as_str()).collect();
    assert_eq!(ids.len(), 3, "{ids:?}");
    assert!(ids.contains(&"ISS-000001"));
    w.registry.check_invariants().unwrap();
}

#[test]
fn conservation_and_no_overlap_under_many_moves() {
    let mut w = world();
    issue(&mut w.registry, &w.to.clone(), 500, "2022-23");
    for round in 0..40u64 {
        let (who, from, to) = if round % 2 == 0 {
            (w.alice.clone(), w.from.clone(), w.to.clone())
        } else {
            (w.carol.clone(), w.to.clone(), w.from.clone())
        };
        let Ok(transfer) = w
            .registry
            .initiate_transfer(&who, by_quantity(&from, &to, 7 + round * 3))
        else {
            continue;
        };
        let approver = if round % 2 == 0 {
            w.bob.clone()
        } else {
            w.carol.clone()
        };
        match round % 3 {
            0 => drop(
                w.registry
                    .approve_transfer(&approver, &transfer.transfer_id)
                    .unwrap(),
            ),
            1 => drop(
                w.registry
                    .reject_transfer(&approver, &transfer.transfer_id, RejectRequest::default())
                    .unwrap(),
            ),
            _ => {}
        }
        w.registry.check_invariants().unwrap();
    }
    assert_eq!(w.registry.issued().get("ACCU"), Some(&1_500));
}

#[test]
fn reset_keeps_operators_and_forgets_the_rest() {
    let mut w = world();
    let operator_token = w.registry.create_operator_session().token;
    let summary = w.registry.reset();
    assert_eq!(summary.accounts_removed, 2);
    assert_eq!(summary.transactions_removed, 1);
    assert!(w.registry.authenticate(&operator_token).is_some());
    assert!(w.registry.accounts(&w.alice).is_empty());
    assert!(w.registry.issued().is_empty());
    let holder = w
        .registry
        .create_account_holder(NewAccountHolder {
            name: "Again".into(),
        })
        .unwrap();
    assert_eq!(holder.holder_id, "AH-000001");
    w.registry.check_invariants().unwrap();
}

#[test]
fn issuance_validation() {
    let mut w = world();
    let good = IssuanceRequest {
        account_id: w.from.clone(),
        unit_type: "SMC".into(),
        quantity: 10,
        project_id: None,
        vintage: "2025-26".into(),
        method: None,
        facility_id: Some("F-0001".into()),
        facility_name: Some("Pilbara Gas Processing Plant".into()),
        issuance_year: Some(2026),
        kyoto_status: None,
        state: "WA".into(),
        issued_on: None,
    };
    let block = w.registry.issue_units(good.clone()).unwrap();
    assert_eq!(block.serial_start, 9_000_001);
    for bad in [
        IssuanceRequest {
            quantity: 0,
            ..good.clone()
        },
        IssuanceRequest {
            unit_type: "XYZ".into(),
            ..good.clone()
        },
        IssuanceRequest {
            vintage: "2025-27".into(),
            ..good.clone()
        },
        IssuanceRequest {
            state: "Queensland".into(),
            ..good.clone()
        },
        IssuanceRequest {
            kyoto_status: Some(ucr_spec::model::KyotoStatus::Kyoto),
            ..good.clone()
        },
        IssuanceRequest {
            project_id: Some("ERF101234".into()),
            ..good.clone()
        },
        IssuanceRequest {
            method: Some("Safeguard".into()),
            ..good.clone()
        },
        IssuanceRequest {
            facility_name: None,
            ..good.clone()
        },
        IssuanceRequest {
            issuance_year: None,
            ..good.clone()
        },
        IssuanceRequest {
            unit_type: "ACCU".into(),
            ..good.clone()
        },
    ] {
        assert_eq!(
            kind(w.registry.issue_units(bad)),
            ProblemType::ValidationFailed
        );
    }
    assert_eq!(
        kind(w.registry.issue_units(IssuanceRequest {
            account_id: "AU-1".into(),
            ..good
        })),
        ProblemType::UnknownAccount
    );
    w.registry.check_invariants().unwrap();
}

/// A trading platform with a custodial account, a third-party registry with an association
/// consent on `from`, one reservation, one escrow and one association.
fn platform_world() -> (World, String, String, String, String) {
    use ucr_spec::associations::AssociationRequest;
    use ucr_spec::platforms::{ConsentRequest, ConsentScope, PlatformKind};
    use ucr_spec::sandbox::NewPlatform;
    use ucr_spec::trading::{EscrowRequest, EscrowStatus, ReservationRequest};

    let mut w = world();
    let registry = &mut w.registry;
    let tp = registry
        .create_platform(NewPlatform {
            name: "Exchange".into(),
            kind: PlatformKind::TradingPlatform,
            redirect_uris: Vec::new(),
        })
        .unwrap()
        .platform;
    let tr = registry
        .create_platform(NewPlatform {
            name: "GreenCert".into(),
            kind: PlatformKind::ThirdPartyRegistry,
            redirect_uris: Vec::new(),
        })
        .unwrap()
        .platform;
    let custodial = registry
        .create_account(NewAccount {
            holder_id: tp.holder_id.clone(),
            name: "Custody".into(),
            kind: AccountKind::Custodial,
        })
        .unwrap()
        .account_id;
    let later = registry.now() + TimeDelta::days(30);
    registry
        .grant_consent(
            &w.alice,
            &w.from,
            ConsentRequest {
                grantee_id: tr.platform_id.clone(),
                scopes: vec![ConsentScope::Association],
                expires_at: later,
                subset: None,
            },
        )
        .unwrap();
    let reservation = registry
        .create_reservation(
            &w.alice,
            ReservationRequest {
                account_id: w.from.clone(),
                platform_id: tp.platform_id.clone(),
                custodial_account_id: custodial,
                unit_type: "ACCU".into(),
                quantity: Some(100),
                serial_ranges: None,
                vintage: None,
                project_id: None,
                expires_at: later,
            },
        )
        .unwrap()
        .reservation_id;
    let escrow = registry
        .create_escrow(
            &w.alice,
            EscrowRequest {
                account_id: w.from.clone(),
                controller_id: tp.platform_id.clone(),
                unit_type: "ACCU".into(),
                quantity: Some(50),
                serial_ranges: None,
                vintage: None,
                project_id: None,
                expires_at: later,
            },
        )
        .unwrap()
        .escrow_id;
    let approved = registry.approve_escrow(&w.bob, &escrow).unwrap();
    assert_eq!(approved.status, EscrowStatus::Active);
    let registry_principal = Principal::Platform(tr.platform_id.clone());
    let association = registry
        .create_association(
            &registry_principal,
            AssociationRequest {
                account_id: w.from.clone(),
                unit_type: "ACCU".into(),
                serial: 3_000_500,
                certificate_id: "GC-1".into(),
            },
        )
        .unwrap()
        .association_id;
    w.registry.check_invariants().unwrap();
    (w, tp.platform_id, reservation, escrow, association)
}

#[test]
fn reservations_and_escrows_lock_blocks_that_never_merge_across_holders() {
    let (mut w, _, _, _, _) = platform_world();
    assert_eq!(
        blocks(&mut w.registry, &w.alice, &w.from),
        vec![
            (3_000_001, 3_000_100, BlockStatus::Reserved),
            (3_000_101, 3_000_150, BlockStatus::Escrowed),
            (3_000_151, 3_001_000, BlockStatus::Available),
        ]
    );
    // No locked block shows a transaction; only pending ones do.
    let holdings = w
        .registry
        .holdings(&w.alice, &w.from, &HoldingsQuery::default())
        .unwrap();
    assert!(holdings.iter().all(|b| b.transaction_id.is_none()));
}

#[test]
fn invariants_catch_a_reserved_block_without_its_reservation() {
    use ucr_spec::trading::ReservationStatus;
    let (mut w, _, reservation, _, _) = platform_world();
    if let Some(record) = w.registry.reservations.get_mut(&reservation) {
        record.reservation.status = ReservationStatus::Released;
    }
    let error = w.registry.check_invariants().unwrap_err();
    assert!(error.contains("no active reservation"), "{error}");
}

#[test]
fn invariants_catch_an_escrow_whose_units_are_not_all_escrowed() {
    let (mut w, _, _, escrow, _) = platform_world();
    if let Some(record) = w.registry.escrows.get_mut(&escrow) {
        record.quantity += 1;
    }
    let error = w.registry.check_invariants().unwrap_err();
    assert!(error.contains("escrowed in it"), "{error}");
}

#[test]
fn invariants_catch_two_live_associations_of_one_unit() {
    let (mut w, _, _, _, association) = platform_world();
    let mut twin = w.registry.associations[&association].clone();
    twin.association_id = "ASN-999999".into();
    twin.certificate_id = "GC-2".into();
    w.registry
        .associations
        .insert(twin.association_id.clone(), twin);
    let error = w.registry.check_invariants().unwrap_err();
    assert!(error.contains("not 1:1"), "{error}");
}

#[test]
fn settling_moves_escrowed_units_and_associations_follow() {
    use ucr_spec::associations::AssociationStatus;
    use ucr_spec::trading::{EscrowStatus, SettleRequest};
    let (mut w, tp, _, escrow, association) = platform_world();
    let controller = Principal::Platform(tp);
    // The seller cannot settle; the controller can, in one step.
    assert_eq!(
        kind(w.registry.settle_escrow(
            &w.alice,
            &escrow,
            SettleRequest {
                to_account_id: w.to.clone(),
                reference: None
            }
        )),
        ProblemType::Forbidden
    );
    let settled = w
        .registry
        .settle_escrow(
            &controller,
            &escrow,
            SettleRequest {
                to_account_id: w.to.clone(),
                reference: None,
            },
        )
        .unwrap();
    assert_eq!(settled.status, EscrowStatus::Settled);
    assert_eq!(
        blocks(&mut w.registry, &w.carol, &w.to),
        vec![(3_000_101, 3_000_150, BlockStatus::Available)]
    );
    // The associated unit (3000500) did not move.
    assert_eq!(
        w.registry.associations[&association].status,
        AssociationStatus::Active
    );
    let transfer = w
        .registry
        .initiate_transfer(
            &w.alice,
            by_serials(&w.from, &w.to, &[(3_000_500, 3_000_500)]),
        )
        .unwrap();
    w.registry
        .approve_transfer(&w.bob, &transfer.transfer_id)
        .unwrap();
    assert_eq!(
        w.registry.associations[&association].status,
        AssociationStatus::Transferred
    );
    w.registry.check_invariants().unwrap();
}

#[test]
fn association_refuses_a_trading_platform_and_locked_or_unheld_serials() {
    use ucr_spec::associations::AssociationRequest;
    use ucr_spec::model::SerialRange;
    use ucr_spec::platforms::{ConsentRequest, ConsentScope};
    let (mut w, tp, _, _, _) = platform_world();
    let tr = w
        .registry
        .associations
        .values()
        .next()
        .unwrap()
        .registry_id
        .clone();
    let request = |account: &str, serial: u64, certificate: &str| AssociationRequest {
        account_id: account.into(),
        unit_type: "ACCU".into(),
        serial,
        certificate_id: certificate.into(),
    };
    // REQ-ACCESS-006: a trading platform can never be granted `association`, so on an account
    // it can see it is `403 forbidden`; on one it cannot see, `404`.
    let platform = Principal::Platform(tp.clone());
    assert_eq!(
        kind(
            w.registry
                .create_association(&platform, request(&w.from, 3_000_600, "GC-tp"))
        ),
        ProblemType::NotFound
    );
    let later = w.registry.now() + TimeDelta::days(30);
    w.registry
        .grant_consent(
            &w.alice,
            &w.from,
            ConsentRequest {
                grantee_id: tp,
                scopes: vec![ConsentScope::HoldingsRead],
                expires_at: later,
                subset: None,
            },
        )
        .unwrap();
    assert_eq!(
        kind(
            w.registry
                .create_association(&platform, request(&w.from, 3_000_600, "GC-tp"))
        ),
        ProblemType::Forbidden
    );
    // REQ-ASSOCIATION-002: a serial not held is `units-not-held`, a cancelled one `units-locked`.
    let registry = Principal::Platform(tr);
    assert_eq!(
        kind(
            w.registry
                .create_association(&registry, request(&w.from, 2_999_999, "GC-unheld"))
        ),
        ProblemType::UnitsNotHeld
    );
    let cancellation = w
        .registry
        .initiate_cancellation(
            &w.alice,
            CancellationRequest {
                account_id: w.from.clone(),
                unit_type: "ACCU".into(),
                quantity: None,
                serial_ranges: Some(vec![SerialRange {
                    serial_start: 3_000_700,
                    serial_end: 3_000_700,
                }]),
                vintage: None,
                project_id: None,
                reason: None,
            },
        )
        .unwrap();
    w.registry
        .approve_cancellation(&w.bob, &cancellation.cancellation_id)
        .unwrap();
    assert_eq!(
        kind(
            w.registry
                .create_association(&registry, request(&w.from, 3_000_700, "GC-cancelled"))
        ),
        ProblemType::UnitsLocked
    );
    w.registry.check_invariants().unwrap();
}

#[test]
fn escrows_need_a_second_representative_and_list_their_controller() {
    use ucr_spec::model::RepresentativeKind;
    use ucr_spec::trading::{EscrowRequest, EscrowStatus};
    let (mut w, tp, _, active, _) = platform_world();
    let later = w.registry.now() + TimeDelta::days(30);
    let pending = w
        .registry
        .create_escrow(
            &w.alice,
            EscrowRequest {
                account_id: w.from.clone(),
                controller_id: tp.clone(),
                unit_type: "ACCU".into(),
                quantity: Some(10),
                serial_ranges: None,
                vintage: None,
                project_id: None,
                expires_at: later,
            },
        )
        .unwrap();
    assert_eq!(pending.status, EscrowStatus::PendingApproval);
    w.registry.check_invariants().unwrap();
    // The controller and the initiator-only representative may not decide.
    let controller = Principal::Platform(tp.clone());
    assert_eq!(
        kind(w.registry.approve_escrow(&controller, &pending.escrow_id)),
        ProblemType::Forbidden
    );
    assert_eq!(
        kind(w.registry.approve_escrow(&w.alice, &pending.escrow_id)),
        ProblemType::Forbidden
    );
    // Listed once, with both escrows, no roles; reads of the account still refused.
    let account = w.registry.account(&w.bob, &w.from).unwrap();
    let controllers: Vec<_> = account
        .representatives
        .iter()
        .filter(|r| r.kind == RepresentativeKind::EscrowController)
        .collect();
    assert_eq!(controllers.len(), 1);
    assert_eq!(controllers[0].representative_id, tp);
    assert!(controllers[0].roles.is_empty());
    let mut ids = vec![active.clone(), pending.escrow_id.clone()];
    ids.sort();
    assert_eq!(controllers[0].escrow_ids, ids);
    assert_eq!(
        kind(w.registry.account(&controller, &w.from)),
        ProblemType::NotFound
    );
    let rejected = w
        .registry
        .reject_escrow(&w.bob, &pending.escrow_id, RejectRequest::default())
        .unwrap();
    assert_eq!(rejected.status, EscrowStatus::Rejected);
    assert_eq!(
        kind(w.registry.approve_escrow(&w.bob, &pending.escrow_id)),
        ProblemType::InvalidState
    );
    w.registry.check_invariants().unwrap();
    let account = w.registry.account(&w.bob, &w.from).unwrap();
    let controller_entry = account
        .representatives
        .iter()
        .find(|r| r.kind == RepresentativeKind::EscrowController)
        .unwrap();
    assert_eq!(controller_entry.escrow_ids, vec![active]);
}
