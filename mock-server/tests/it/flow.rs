//! The A.1 own-account flow end to end: set-up, transfers by quantity and by serial, approval,
//! split holdings, history, cancellation.

use serde_json::json;

use crate::helpers::{Api, world};

#[tokio::test]
async fn a1_own_account_flow() {
    let api = Api::start().await;
    let w = world(&api).await;

    // Alice sees exactly her account.
    let accounts = api.all_pages(Some(&w.alice), "/v1/accounts", 50).await;
    assert_eq!(accounts.len(), 1);
    assert_eq!(accounts[0]["account_id"], w.a.as_str());
    assert_eq!(accounts[0]["representatives"].as_array().unwrap().len(), 2);
    assert_eq!(accounts[0]["balances"][0]["available"], 1000);

    // Transfer by quantity: the lowest serials.
    let by_quantity = json!({"from_account_id": w.a, "to_account_id": w.b, "unit_type": "ACCU", "quantity": 100,
                              "reference": "Trade 17"});
    let first = api
        .post("/v1/transfers")
        .token(&w.alice)
        .json(by_quantity)
        .send()
        .await;
    assert_eq!(first.status, 201, "{:?}", first.body);
    assert_eq!(first.header("content-type"), Some("application/json"));
    assert_eq!(first.body["status"], "pending_approval");
    assert_eq!(
        first.body["serial_ranges"],
        json!([{"serial_start": 3000001, "serial_end": 3000100}])
    );
    let first_id = first.body["transfer_id"].as_str().unwrap().to_owned();
    let account = api
        .get(&format!("/v1/accounts/{}", w.a))
        .token(&w.alice)
        .send()
        .await;
    assert_eq!(
        (
            account.body["balances"][0]["available"].as_u64(),
            account.body["balances"][0]["pending"].as_u64()
        ),
        (Some(900), Some(100))
    );

    let approved = api
        .post(&format!("/v1/transfers/{first_id}/approve"))
        .token(&w.bob)
        .send()
        .await;
    assert_eq!(approved.status, 200, "{:?}", approved.body);
    assert_eq!(approved.body["status"], "completed");

    // Transfer by serial from the middle of the remaining block.
    let by_serial = json!({"from_account_id": w.a, "to_account_id": w.b, "unit_type": "ACCU",
                           "serial_ranges": [{"serial_start": 3000501, "serial_end": 3000550}]});
    let second = api
        .post("/v1/transfers")
        .token(&w.alice)
        .json(by_serial)
        .send()
        .await;
    assert_eq!(second.status, 201, "{:?}", second.body);
    let second_id = second.body["transfer_id"].as_str().unwrap().to_owned();
    // The destination's representative sees it too.
    let seen = api
        .get(&format!("/v1/transfers/{second_id}"))
        .token(&w.carol)
        .send()
        .await;
    assert_eq!(
        (seen.status, seen.body["quantity"].as_u64()),
        (200, Some(50))
    );
    let approved = api
        .post(&format!("/v1/transfers/{second_id}/approve"))
        .token(&w.bob)
        .json(json!({}))
        .send()
        .await;
    assert_eq!(approved.status, 200, "{:?}", approved.body);

    // Holdings split.
    let available = |from: u64, to: u64| (from, to, "available".to_owned());
    assert_eq!(
        api.holdings(&w.alice, &w.a).await,
        vec![
            available(3_000_101, 3_000_500),
            available(3_000_551, 3_001_000)
        ]
    );
    assert_eq!(
        api.holdings(&w.carol, &w.b).await,
        vec![
            available(3_000_001, 3_000_100),
            available(3_000_501, 3_000_550)
        ]
    );

    // Cancellation: initiate, approve; the units stay in the account as cancelled.
    let cancel = json!({"account_id": w.a, "unit_type": "ACCU", "quantity": 25, "reason": "FY2025-26 offsets"});
    let cancellation = api
        .post("/v1/cancellations")
        .token(&w.alice)
        .json(cancel)
        .send()
        .await;
    assert_eq!(cancellation.status, 201, "{:?}", cancellation.body);
    let cancellation_id = cancellation.body["cancellation_id"]
        .as_str()
        .unwrap()
        .to_owned();
    let hidden = api
        .get(&format!("/v1/cancellations/{cancellation_id}"))
        .token(&w.carol)
        .send()
        .await;
    hidden.assert_problem(404, "not-found");
    let approved = api
        .post(&format!("/v1/cancellations/{cancellation_id}/approve"))
        .token(&w.bob)
        .send()
        .await;
    assert_eq!(
        (approved.status, approved.body["status"].as_str()),
        (200, Some("completed"))
    );
    assert_eq!(
        api.holdings(&w.alice, &w.a).await,
        vec![
            (3_000_101, 3_000_125, "cancelled".to_owned()),
            available(3_000_126, 3_000_500),
            available(3_000_551, 3_001_000)
        ]
    );
    let cancelled_only = api
        .get(&format!("/v1/accounts/{}/holdings?status=cancelled", w.a))
        .token(&w.alice)
        .send()
        .await;
    assert_eq!(cancelled_only.body["items"].as_array().unwrap().len(), 1);

    // History: issuance, two transfers, one cancellation, in creation order.
    let history = api
        .all_pages(
            Some(&w.alice),
            &format!("/v1/accounts/{}/transactions", w.a),
            50,
        )
        .await;
    let kinds: Vec<&str> = history
        .iter()
        .map(|t| t["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["issuance", "transfer", "transfer", "cancellation"]);
    assert!(history.iter().all(|t| t["status"] == "completed"));
    assert_eq!(history[1]["reference"], "Trade 17");
    let transfers_only = api
        .all_pages(
            Some(&w.alice),
            &format!("/v1/accounts/{}/transactions?kind=transfer", w.a),
            50,
        )
        .await;
    assert_eq!(transfers_only.len(), 2);
    let carol_history = api
        .all_pages(
            Some(&w.carol),
            &format!("/v1/accounts/{}/transactions", w.b),
            50,
        )
        .await;
    assert_eq!(carol_history.len(), 2);

    let account = api
        .get(&format!("/v1/accounts/{}", w.a))
        .token(&w.alice)
        .send()
        .await;
    let balance = &account.body["balances"][0];
    assert_eq!(
        (balance["available"].as_u64(), balance["cancelled"].as_u64()),
        (Some(825), Some(25))
    );
    api.check_invariants();
}

#[tokio::test]
async fn rescind_reject_and_expiry_over_http() {
    let api = Api::start().await;
    let w = world(&api).await;
    let transfer =
        json!({"from_account_id": w.a, "to_account_id": w.b, "unit_type": "ACCU", "quantity": 10});
    let send = || {
        api.post("/v1/transfers")
            .token(&w.alice)
            .json(transfer.clone())
            .send()
    };

    let first = send().await.body["transfer_id"]
        .as_str()
        .unwrap()
        .to_owned();
    let rescinded = api
        .post(&format!("/v1/transfers/{first}/rescind"))
        .token(&w.alice)
        .send()
        .await;
    assert_eq!(rescinded.body["status"], "rescinded");
    assert_eq!(rescinded.body["decided_by"], rescinded.body["initiated_by"]);

    let second = send().await.body["transfer_id"]
        .as_str()
        .unwrap()
        .to_owned();
    let rejected = api
        .post(&format!("/v1/transfers/{second}/reject"))
        .token(&w.bob)
        .json(json!({"reason": "no"}))
        .send()
        .await;
    assert_eq!(
        (
            rejected.body["status"].as_str(),
            rejected.body["reason"].as_str()
        ),
        (Some("rejected"), Some("no"))
    );

    let third = send().await.body["transfer_id"]
        .as_str()
        .unwrap()
        .to_owned();
    api.advance_clock(chrono::TimeDelta::days(7));
    let expired = api
        .get(&format!("/v1/transfers/{third}"))
        .token(&w.alice)
        .send()
        .await;
    assert_eq!(expired.body["status"], "expired");
    let late = api
        .post(&format!("/v1/transfers/{third}/approve"))
        .token(&w.bob)
        .send()
        .await;
    late.assert_problem(409, "invalid-state");

    assert_eq!(
        api.holdings(&w.alice, &w.a).await,
        vec![(3_000_001, 3_001_000, "available".to_owned())]
    );
    let statuses: Vec<String> = api
        .all_pages(
            Some(&w.alice),
            &format!("/v1/accounts/{}/transactions?kind=transfer", w.a),
            1,
        )
        .await
        .iter()
        .map(|t| t["status"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(statuses, ["rescinded", "rejected", "expired"]);
    api.check_invariants();
}
