//! B.4 fleeting custody: reserved units, the reserved-only consent scope, the transfer that
//! consumes a reservation, release, expiry and their webhooks.

use chrono::TimeDelta;
use serde_json::{Value, json};

use crate::helpers::{
    Api, Receiver, delivered_events, exchange, grant, platform, subscribe, world,
};

#[tokio::test]
async fn b4_reserve_transfer_to_custody_release_and_expire() {
    let api = Api::start_with(
        ucr_mock::MockRegistry::builder().webhook_backoff(std::time::Duration::from_millis(20)),
    )
    .await;
    let w = world(&api).await;
    let ex = exchange(&api, &w.operator).await;
    let receiver = Receiver::start(0).await;
    subscribe(
        &api,
        &ex.platform.token,
        &receiver,
        json!([
            "reservation.released",
            "reservation.expired",
            "reservation.consumed",
            "transfer.completed"
        ]),
    )
    .await;
    let consent = grant(
        &api,
        &w.alice,
        &w.a,
        &ex.platform.id,
        json!(["reserved_units_read"]),
        &api.at(TimeDelta::days(60)),
    )
    .await;
    let reserve = |quantity: u64, days: i64| {
        json!({"account_id": w.a, "platform_id": ex.platform.id, "custodial_account_id": ex.custodial,
               "unit_type": "ACCU", "quantity": quantity, "expires_at": api.at(TimeDelta::days(days))})
    };

    let created = api
        .post("/v1/reservations")
        .token(&w.alice)
        .json(reserve(200, 10))
        .send()
        .await;
    let body = created.expect(201);
    assert_eq!(body["status"], "active");
    assert_eq!(
        body["serial_ranges"],
        json!([{"serial_start": 3000001, "serial_end": 3000200}])
    );
    let reservation = created.text("reservation_id");
    assert_eq!(
        api.holdings(&w.alice, &w.a).await,
        vec![
            (3_000_001, 3_000_200, "reserved".to_owned()),
            (3_000_201, 3_001_000, "available".to_owned())
        ]
    );

    // Reserved-only scope: the platform sees just its reserved blocks, nothing else.
    assert_eq!(
        api.holdings(&ex.platform.token, &w.a).await,
        vec![(3_000_001, 3_000_200, "reserved".to_owned())]
    );
    for path in [
        format!("/v1/accounts/{}", w.a),
        format!("/v1/accounts/{}/transactions", w.a),
    ] {
        api.get(&path)
            .token(&ex.platform.token)
            .send()
            .await
            .assert_problem(403, "consent-required");
    }
    let seen = api
        .get(&format!("/v1/reservations/{reservation}"))
        .token(&ex.platform.token)
        .send()
        .await;
    assert_eq!(seen.expect(200)["quantity"], 200);

    // Reserved units are refused everywhere else.
    let serials = json!([{"serial_start": 3000001, "serial_end": 3000010}]);
    let refusals: Vec<(&str, Value, u16, &str)> = vec![
        (
            "/v1/transfers",
            json!({"from_account_id": w.a, "to_account_id": w.b, "unit_type": "ACCU", "serial_ranges": serials}),
            409,
            "units-locked",
        ),
        (
            "/v1/transfers",
            json!({"from_account_id": w.a, "to_account_id": w.b, "unit_type": "ACCU", "quantity": 801}),
            409,
            "insufficient-units",
        ),
        (
            "/v1/cancellations",
            json!({"account_id": w.a, "unit_type": "ACCU", "serial_ranges": serials}),
            409,
            "units-locked",
        ),
        (
            "/v1/escrows",
            json!({"account_id": w.a, "controller_id": ex.platform.id, "unit_type": "ACCU", "serial_ranges": serials,
                               "expires_at": api.at(TimeDelta::days(1))}),
            409,
            "units-locked",
        ),
        (
            "/v1/transfers",
            json!({"from_account_id": w.a, "to_account_id": w.b, "unit_type": "ACCU", "reservation_id": reservation}),
            422,
            "validation-failed",
        ),
        (
            "/v1/transfers",
            json!({"from_account_id": w.a, "to_account_id": ex.custodial, "unit_type": "ACCU", "reservation_id": reservation, "quantity": 5}),
            422,
            "validation-failed",
        ),
        (
            "/v1/transfers",
            json!({"from_account_id": w.a, "to_account_id": ex.custodial, "unit_type": "ACCU", "reservation_id": "RES-999999"}),
            422,
            "validation-failed",
        ),
        (
            "/v1/transfers",
            json!({"from_account_id": w.a, "to_account_id": ex.custodial, "unit_type": "SMC", "reservation_id": reservation}),
            422,
            "validation-failed",
        ),
        (
            "/v1/reservations",
            json!({"account_id": w.a, "platform_id": ex.platform.id, "custodial_account_id": w.b, "unit_type": "ACCU", "quantity": 1,
                                    "expires_at": api.at(TimeDelta::days(1))}),
            422,
            "validation-failed",
        ),
        (
            "/v1/reservations",
            json!({"account_id": w.a, "platform_id": ex.platform.id, "custodial_account_id": "AU-1999999", "unit_type": "ACCU", "quantity": 1,
                                    "expires_at": api.at(TimeDelta::days(1))}),
            422,
            "unknown-account",
        ),
        (
            "/v1/reservations",
            json!({"account_id": w.a, "platform_id": ex.platform.id, "custodial_account_id": ex.custodial, "unit_type": "ACCU", "quantity": 1,
                                    "expires_at": api.at(TimeDelta::days(-1))}),
            422,
            "validation-failed",
        ),
    ];
    for (path, body, status, kind) in refusals {
        let reply = api
            .post(path)
            .token(&w.alice)
            .json(body.clone())
            .send()
            .await;
        assert_eq!(
            (reply.status, reply.problem()),
            (status, kind),
            "{body}: {:?}",
            reply.body
        );
    }
    api.post("/v1/reservations")
        .token(&w.bob)
        .json(reserve(1, 1))
        .send()
        .await
        .assert_problem(403, "forbidden");
    api.post("/v1/reservations")
        .token(&w.carol)
        .json(reserve(1, 1))
        .send()
        .await
        .assert_problem(404, "not-found");
    api.check_invariants();

    // The transfer quoting the reservation; rejection returns the units to reserved.
    let to_custody = json!({"from_account_id": w.a, "to_account_id": ex.custodial, "unit_type": "ACCU",
                            "reservation_id": reservation});
    let first = api
        .post("/v1/transfers")
        .token(&w.alice)
        .json(to_custody.clone())
        .send()
        .await;
    assert_eq!(first.expect(201)["reservation_id"], reservation.as_str());
    assert_eq!(first.body["quantity"], 200);
    let first_id = first.text("transfer_id");
    assert_eq!(
        api.holdings(&w.alice, &w.a).await[0],
        (3_000_001, 3_000_200, "pending".to_owned())
    );
    api.post("/v1/transfers")
        .token(&w.alice)
        .json(to_custody.clone())
        .send()
        .await
        .assert_problem(409, "units-locked");
    api.post(&format!("/v1/transfers/{first_id}/reject"))
        .token(&w.bob)
        .send()
        .await
        .expect(200);
    assert_eq!(
        api.holdings(&w.alice, &w.a).await[0],
        (3_000_001, 3_000_200, "reserved".to_owned())
    );
    api.check_invariants();

    let second = api
        .post("/v1/transfers")
        .token(&w.alice)
        .json(to_custody)
        .send()
        .await;
    let second_id = second.text("transfer_id");
    api.post(&format!("/v1/transfers/{second_id}/approve"))
        .token(&w.bob)
        .send()
        .await
        .expect(200);
    let consumed = api
        .get(&format!("/v1/reservations/{reservation}"))
        .token(&w.alice)
        .send()
        .await;
    assert_eq!(consumed.expect(200)["status"], "consumed");
    assert_eq!(consumed.body["transfer_id"], second_id.as_str());
    assert_eq!(
        api.holdings(&ex.rep, &ex.custodial).await,
        vec![(3_000_001, 3_000_200, "available".to_owned())]
    );
    api.post(&format!("/v1/reservations/{reservation}/release"))
        .token(&w.alice)
        .send()
        .await
        .assert_problem(409, "invalid-state");

    // Release: units available again, the platform is told.
    let released = api
        .post("/v1/reservations")
        .token(&w.alice)
        .json(reserve(50, 10))
        .send()
        .await;
    let released_id = released.text("reservation_id");
    api.post(&format!("/v1/reservations/{released_id}/release"))
        .token(&ex.platform.token)
        .send()
        .await
        .assert_problem(403, "forbidden");
    let done = api
        .post(&format!("/v1/reservations/{released_id}/release"))
        .token(&w.bob)
        .send()
        .await;
    assert_eq!(done.expect(200)["status"], "released");

    // Expiry on the clock.
    let expiring = api
        .post("/v1/reservations")
        .token(&w.alice)
        .json(reserve(25, 1))
        .send()
        .await;
    let expiring_id = expiring.text("reservation_id");
    api.advance_clock(TimeDelta::days(1));
    let expired = api
        .get(&format!("/v1/reservations/{expiring_id}"))
        .token(&ex.platform.token)
        .send()
        .await;
    assert_eq!(expired.expect(200)["status"], "expired");
    assert_eq!(
        api.holdings(&w.alice, &w.a).await,
        vec![(3_000_201, 3_001_000, "available".to_owned())]
    );

    let events = delivered_events(&api, &receiver).await;
    let summary: Vec<(String, Option<&str>)> = events
        .iter()
        .map(|(kind, data)| (kind.clone(), data["reservation_id"].as_str()))
        .collect();
    assert_eq!(
        summary,
        vec![
            (
                "reservation.consumed".to_owned(),
                Some(reservation.as_str())
            ),
            (
                "reservation.released".to_owned(),
                Some(released_id.as_str())
            ),
            ("reservation.expired".to_owned(), Some(expiring_id.as_str())),
        ],
        "transfer.completed needs a holdings or transactions consent: {events:?}"
    );
    assert_eq!(events[0].1["transfer_id"], second_id.as_str());

    // The platform lists its reservations while its consent lasts.
    let listed = api
        .all_pages(Some(&ex.platform.token), "/v1/reservations", 2)
        .await;
    assert_eq!(listed.len(), 3);
    let active_only = api
        .all_pages(Some(&w.alice), "/v1/reservations?status=expired", 2)
        .await;
    assert_eq!(active_only.len(), 1);
    api.post(&format!("/v1/consents/{consent}/revoke"))
        .token(&w.alice)
        .send()
        .await
        .expect(200);
    api.get(&format!("/v1/reservations/{reservation}"))
        .token(&ex.platform.token)
        .send()
        .await
        .assert_problem(403, "consent-required");
    assert!(
        api.all_pages(Some(&ex.platform.token), "/v1/reservations", 2)
            .await
            .is_empty()
    );
    let other = platform(&api, &w.operator, "Other", "trading_platform").await;
    api.get(&format!("/v1/reservations/{reservation}"))
        .token(&other.token)
        .send()
        .await
        .assert_problem(404, "not-found");
    api.get(&format!("/v1/reservations/{reservation}"))
        .token(&w.carol)
        .send()
        .await
        .assert_problem(404, "not-found");
    api.check_invariants();
}

#[tokio::test]
async fn a_reservation_inside_a_pending_transfer_expires_when_the_transfer_ends() {
    let api = Api::start().await;
    let w = world(&api).await;
    let ex = exchange(&api, &w.operator).await;
    let created = api
        .post("/v1/reservations")
        .token(&w.alice)
        .json(json!({"account_id": w.a, "platform_id": ex.platform.id, "custodial_account_id": ex.custodial,
                     "unit_type": "ACCU", "serial_ranges": [{"serial_start": 3000501, "serial_end": 3000600}],
                     "expires_at": api.at(TimeDelta::days(1))}))
        .send()
        .await;
    let reservation = created.text("reservation_id");
    let transfer = api
        .post("/v1/transfers")
        .token(&w.alice)
        .json(
            json!({"from_account_id": w.a, "to_account_id": ex.custodial, "unit_type": "ACCU",
                     "reservation_id": reservation}),
        )
        .send()
        .await;
    let transfer_id = transfer.text("transfer_id");
    // Past the reservation's expiry the units stay in the pending transfer.
    api.advance_clock(TimeDelta::days(2));
    let still = api
        .get(&format!("/v1/reservations/{reservation}"))
        .token(&w.alice)
        .send()
        .await;
    assert_eq!(still.expect(200)["status"], "active");
    api.check_invariants();
    // When the transfer lapses (7 days), the reservation lapses with it.
    api.advance_clock(TimeDelta::days(5));
    let transfer = api
        .get(&format!("/v1/transfers/{transfer_id}"))
        .token(&w.alice)
        .send()
        .await;
    assert_eq!(transfer.expect(200)["status"], "expired");
    let reservation = api
        .get(&format!("/v1/reservations/{reservation}"))
        .token(&w.alice)
        .send()
        .await;
    assert_eq!(reservation.expect(200)["status"], "expired");
    assert_eq!(
        api.holdings(&w.alice, &w.a).await,
        vec![(3_000_001, 3_001_000, "available".to_owned())]
    );
    api.check_invariants();
}

#[tokio::test]
async fn releasing_a_reservation_rescinds_its_pending_transfer() {
    let api = Api::start().await;
    let w = world(&api).await;
    let ex = exchange(&api, &w.operator).await;
    let created = api
        .post("/v1/reservations")
        .token(&w.alice)
        .json(json!({"account_id": w.a, "platform_id": ex.platform.id, "custodial_account_id": ex.custodial,
                     "unit_type": "ACCU", "serial_ranges": [{"serial_start": 3000501, "serial_end": 3000600}],
                     "expires_at": api.at(TimeDelta::days(1))}))
        .send()
        .await;
    let reservation = created.text("reservation_id");
    let transfer = api
        .post("/v1/transfers")
        .token(&w.alice)
        .json(
            json!({"from_account_id": w.a, "to_account_id": ex.custodial, "unit_type": "ACCU",
                     "reservation_id": reservation}),
        )
        .send()
        .await;
    let transfer_id = transfer.text("transfer_id");
    // "At any time": the release ends the pending transfer as rescinded in the same step.
    let released = api
        .post(&format!("/v1/reservations/{reservation}/release"))
        .token(&w.bob)
        .send()
        .await;
    assert_eq!(released.expect(200)["status"], "released");
    let transfer = api
        .get(&format!("/v1/transfers/{transfer_id}"))
        .token(&w.alice)
        .send()
        .await;
    assert_eq!(transfer.expect(200)["status"], "rescinded");
    assert_eq!(
        api.holdings(&w.alice, &w.a).await,
        vec![(3_000_001, 3_001_000, "available".to_owned())]
    );
    api.post(&format!("/v1/transfers/{transfer_id}/approve"))
        .token(&w.bob)
        .send()
        .await
        .assert_problem(409, "invalid-state");
    api.check_invariants();
}
