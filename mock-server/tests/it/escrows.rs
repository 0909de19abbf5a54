//! B.5 escrow: units escrowed in the seller's account under a platform's control; settlement,
//! release, automatic release on expiry, and what the seller may no longer do.

use chrono::TimeDelta;
use serde_json::json;

use crate::helpers::{Api, Receiver, delivered_events, grant, platform, subscribe, world};

#[tokio::test]
async fn b5_escrow_settle_release_and_expiry() {
    let api = Api::start().await;
    let w = world(&api).await;
    let tp = platform(&api, &w.operator, "Exchange", "trading_platform").await;
    let tr = platform(&api, &w.operator, "GreenCert", "third_party_registry").await;
    let other = platform(&api, &w.operator, "Other", "trading_platform").await;
    let receiver = Receiver::start(0).await;
    subscribe(
        &api,
        &tp.token,
        &receiver,
        json!(["escrow.settled", "escrow.released", "transfer.completed"]),
    )
    .await;
    let escrow = |serials: (u64, u64), controller: &str, days: i64| {
        json!({"account_id": w.a, "controller_id": controller, "unit_type": "ACCU",
               "serial_ranges": [{"serial_start": serials.0, "serial_end": serials.1}],
               "expires_at": api.at(TimeDelta::days(days))})
    };

    for (body, case) in [
        (
            escrow((3_000_101, 3_000_200), &tp.id, 400),
            "more than a year",
        ),
        (
            escrow((3_000_101, 3_000_200), &tr.id, 30),
            "a registry controller",
        ),
        (escrow((3_000_101, 3_000_200), &tp.id, -1), "in the past"),
    ] {
        let reply = api
            .post("/v1/escrows")
            .token(&w.alice)
            .json(body)
            .send()
            .await;
        assert_eq!(reply.status, 422, "{case}: {:?}", reply.body);
    }
    api.post("/v1/escrows")
        .token(&w.bob)
        .json(escrow((3_000_101, 3_000_200), &tp.id, 30))
        .send()
        .await
        .assert_problem(403, "forbidden");

    let created = api
        .post("/v1/escrows")
        .token(&w.alice)
        .json(escrow((3_000_101, 3_000_200), &tp.id, 30))
        .send()
        .await;
    let body = created.expect(201);
    assert_eq!(body["status"], "pending_approval");
    assert_eq!(body["quantity"], 100);
    assert_eq!(body["blocks"][0]["status"], "escrowed");
    assert_eq!(body["blocks"][0]["vintage"], "2023-24");
    let escrow_id = created.text("escrow_id");
    let path = format!("/v1/escrows/{escrow_id}");

    // Four eyes: the controller and the initiator may not approve; the approver does.
    api.post(&format!("{path}/settle"))
        .token(&tp.token)
        .json(json!({"to_account_id": w.b}))
        .send()
        .await
        .assert_problem(409, "invalid-state");
    api.post(&format!("{path}/approve"))
        .token(&tp.token)
        .send()
        .await
        .assert_problem(403, "forbidden");
    api.post(&format!("{path}/approve"))
        .token(&w.alice)
        .send()
        .await
        .assert_problem(403, "forbidden");
    let approved = api
        .post(&format!("{path}/approve"))
        .token(&w.bob)
        .send()
        .await;
    assert_eq!(approved.expect(200)["status"], "active");
    let account = api
        .get(&format!("/v1/accounts/{}", w.a))
        .token(&w.bob)
        .send()
        .await;
    let controllers: Vec<&serde_json::Value> = account.expect(200)["representatives"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["kind"] == "escrow_controller")
        .collect();
    assert_eq!(controllers.len(), 1);
    assert_eq!(controllers[0]["representative_id"], tp.id.as_str());
    assert_eq!(controllers[0]["escrow_ids"], json!([escrow_id]));

    // The seller can no longer move the units.
    api.post("/v1/transfers")
        .token(&w.alice)
        .json(
            json!({"from_account_id": w.a, "to_account_id": w.b, "unit_type": "ACCU",
                     "serial_ranges": [{"serial_start": 3000150, "serial_end": 3000160}]}),
        )
        .send()
        .await
        .assert_problem(409, "units-locked");
    api.post("/v1/transfers")
        .token(&w.alice)
        .json(json!({"from_account_id": w.a, "to_account_id": w.b, "unit_type": "ACCU", "quantity": 901}))
        .send()
        .await
        .assert_problem(409, "insufficient-units");
    api.post(&format!("{path}/settle"))
        .token(&w.alice)
        .json(json!({"to_account_id": w.b}))
        .send()
        .await
        .assert_problem(403, "forbidden");
    api.post(&format!("{path}/release"))
        .token(&w.alice)
        .send()
        .await
        .assert_problem(403, "forbidden");
    for token in [&w.carol, &other.token] {
        api.get(&path)
            .token(token)
            .send()
            .await
            .assert_problem(404, "not-found");
        api.post(&format!("{path}/settle"))
            .token(token)
            .json(json!({"to_account_id": w.b}))
            .send()
            .await
            .assert_problem(404, "not-found");
    }
    // The controller sees its escrow, without any consent, and nothing else of the account.
    assert_eq!(
        api.get(&path).token(&tp.token).send().await.expect(200)["controller_id"],
        tp.id.as_str()
    );
    assert_eq!(
        api.all_pages(Some(&tp.token), "/v1/escrows", 1).await.len(),
        1
    );
    api.get(&format!("/v1/accounts/{}", w.a))
        .token(&tp.token)
        .send()
        .await
        .assert_problem(404, "not-found");
    for (body, kind) in [
        (json!({"to_account_id": w.a}), "validation-failed"),
        (json!({"to_account_id": "AU-1999999"}), "unknown-account"),
    ] {
        api.post(&format!("{path}/settle"))
            .token(&tp.token)
            .json(body)
            .send()
            .await
            .assert_problem(422, kind);
    }
    api.check_invariants();

    // Settlement: one completed transfer, recorded in both histories.
    let settled = api
        .post(&format!("{path}/settle"))
        .token(&tp.token)
        .json(json!({"to_account_id": w.b, "reference": "trade 42"}))
        .send()
        .await;
    assert_eq!(settled.expect(200)["status"], "settled");
    assert_eq!(settled.body["settled_to_account_id"], w.b.as_str());
    let transfer_id = settled.text("transaction_id");
    let transfer = api
        .get(&format!("/v1/transfers/{transfer_id}"))
        .token(&w.carol)
        .send()
        .await;
    let transfer = transfer.expect(200);
    assert_eq!(transfer["status"], "completed");
    assert_eq!(transfer["escrow_id"], escrow_id.as_str());
    assert_eq!(transfer["initiated_by"], tp.id.as_str());
    assert_eq!(transfer["decided_by"], tp.id.as_str());
    assert_eq!(transfer["reference"], "trade 42");
    api.get(&format!("/v1/transfers/{transfer_id}"))
        .token(&tp.token)
        .send()
        .await
        .expect(200);
    assert_eq!(
        api.holdings(&w.carol, &w.b).await,
        vec![(3_000_101, 3_000_200, "available".to_owned())]
    );
    for (token, account) in [(&w.alice, &w.a), (&w.carol, &w.b)] {
        let history = api
            .all_pages(
                Some(token),
                &format!("/v1/accounts/{account}/transactions?kind=transfer"),
                5,
            )
            .await;
        assert_eq!(history.len(), 1, "{account}");
        assert_eq!(history[0]["transaction_id"], transfer_id.as_str());
    }
    api.post(&format!("{path}/settle"))
        .token(&tp.token)
        .json(json!({"to_account_id": w.b}))
        .send()
        .await
        .assert_problem(409, "invalid-state");

    // Release by the controller.
    let second = api
        .post("/v1/escrows")
        .token(&w.alice)
        .json(
            json!({"account_id": w.a, "controller_id": tp.id, "unit_type": "ACCU", "quantity": 50,
                     "expires_at": api.at(TimeDelta::days(30))}),
        )
        .send()
        .await;
    let second_id = second.text("escrow_id");
    api.post(&format!("/v1/escrows/{second_id}/approve"))
        .token(&w.bob)
        .send()
        .await
        .expect(200);
    let released = api
        .post(&format!("/v1/escrows/{second_id}/release"))
        .token(&tp.token)
        .send()
        .await;
    assert_eq!(released.expect(200)["status"], "released");
    api.post(&format!("/v1/escrows/{second_id}/release"))
        .token(&tp.token)
        .send()
        .await
        .assert_problem(409, "invalid-state");

    // An escrow still active at its expiry is released automatically.
    let third = api
        .post("/v1/escrows")
        .token(&w.alice)
        .json(escrow((3_000_900, 3_000_909), &tp.id, 1))
        .send()
        .await;
    let third_id = third.text("escrow_id");
    api.advance_clock(TimeDelta::days(1));
    let lapsed = api
        .get(&format!("/v1/escrows/{third_id}"))
        .token(&w.alice)
        .send()
        .await;
    assert_eq!(lapsed.expect(200)["status"], "released");
    assert_eq!(
        api.holdings(&w.alice, &w.a).await,
        vec![
            (3_000_001, 3_000_100, "available".to_owned()),
            (3_000_201, 3_001_000, "available".to_owned())
        ]
    );
    let statuses: Vec<String> = api
        .all_pages(
            Some(&w.alice),
            &format!("/v1/escrows?account_id={}", w.a),
            1,
        )
        .await
        .iter()
        .map(|e| e["status"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(statuses, ["settled", "released", "released"]);

    // `data.transfer_id` is the settlement's transfer on `escrow.settled` (as `EventData`
    // documents it) and on `transfer.completed`, and absent on `escrow.released`.
    let text = |value: &serde_json::Value| value.as_str().unwrap_or("-").to_owned();
    let events: Vec<(String, String, String)> = delivered_events(&api, &receiver)
        .await
        .into_iter()
        .map(|(kind, data)| (kind, text(&data["escrow_id"]), text(&data["transfer_id"])))
        .collect();
    let event = |kind: &str, escrow: &str, transfer: &str| {
        (kind.to_owned(), escrow.to_owned(), transfer.to_owned())
    };
    assert_eq!(
        events,
        vec![
            event("escrow.settled", &escrow_id, &transfer_id),
            event("transfer.completed", "-", &transfer_id),
            event("escrow.released", &second_id, "-"),
            event("escrow.released", &third_id, "-"),
        ]
    );
    api.check_invariants();
}

#[tokio::test]
async fn transfer_completed_goes_to_platforms_with_a_read_consent() {
    let api = Api::start().await;
    let w = world(&api).await;
    let seer = platform(&api, &w.operator, "Seer", "trading_platform").await;
    let blind = platform(&api, &w.operator, "Blind", "trading_platform").await;
    let (seer_hooks, blind_hooks) = (Receiver::start(0).await, Receiver::start(0).await);
    subscribe(
        &api,
        &seer.token,
        &seer_hooks,
        json!(["transfer.completed"]),
    )
    .await;
    subscribe(
        &api,
        &blind.token,
        &blind_hooks,
        json!(["transfer.completed"]),
    )
    .await;
    // Seer may read the destination's history; Blind only reserved units of the source.
    grant(
        &api,
        &w.carol,
        &w.b,
        &seer.id,
        json!(["transactions_read"]),
        &api.at(TimeDelta::days(3)),
    )
    .await;
    grant(
        &api,
        &w.alice,
        &w.a,
        &blind.id,
        json!(["reserved_units_read"]),
        &api.at(TimeDelta::days(3)),
    )
    .await;
    let transfer = api
        .post("/v1/transfers")
        .token(&w.alice)
        .json(json!({"from_account_id": w.a, "to_account_id": w.b, "unit_type": "ACCU", "quantity": 5}))
        .send()
        .await;
    let transfer_id = transfer.text("transfer_id");
    api.post(&format!("/v1/transfers/{transfer_id}/approve"))
        .token(&w.bob)
        .send()
        .await
        .expect(200);
    let seen = delivered_events(&api, &seer_hooks).await;
    assert_eq!(seen.len(), 1);
    assert_eq!(seen[0].0, "transfer.completed");
    assert_eq!(seen[0].1["transfer_id"], transfer_id.as_str());
    assert_eq!(seen[0].1["account_id"], w.b.as_str());
    assert_eq!(seen[0].1["status"], "completed");
    assert!(blind_hooks.received().is_empty());
}
