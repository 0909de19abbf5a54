//! B.2 delegation and B.3 full custody: a platform's representatives act as authorised
//! representatives where they are appointed.

use serde_json::json;

use crate::helpers::{Api, appoint_existing, exchange, platform_representative, world};

#[tokio::test]
async fn b2_delegates_initiate_and_approve_by_role_until_revoked() {
    let api = Api::start().await;
    let w = world(&api).await;
    let ex = exchange(&api, &w.operator).await;
    let (approver_id, approver) =
        platform_representative(&api, &w.operator, &ex.platform.id, "Eli Exchange").await;
    let delegations = format!("/v1/accounts/{}/delegations", w.a);
    let appoint =
        |id: &str, roles: serde_json::Value| json!({"representative_id": id, "roles": roles});

    // Only an approver may delegate; only platform representatives can be delegates.
    api.post(&delegations)
        .token(&w.alice)
        .json(appoint(&ex.rep_id, json!(["initiator"])))
        .send()
        .await
        .assert_problem(403, "forbidden");
    api.post(&delegations)
        .token(&w.carol)
        .json(appoint(&ex.rep_id, json!(["initiator"])))
        .send()
        .await
        .assert_problem(404, "not-found");
    let carol_id = api
        .get(&format!("/v1/accounts/{}", w.b))
        .token(&w.carol)
        .send()
        .await
        .body["representatives"][0]["representative_id"]
        .as_str()
        .unwrap()
        .to_owned();
    api.post(&delegations)
        .token(&w.bob)
        .json(appoint(&carol_id, json!(["initiator"])))
        .send()
        .await
        .assert_problem(422, "validation-failed");
    api.post(&delegations)
        .token(&w.bob)
        .json(appoint(&ex.rep_id, json!([])))
        .send()
        .await
        .assert_problem(422, "validation-failed");

    let delegation = api
        .post(&delegations)
        .token(&w.bob)
        .json(appoint(&ex.rep_id, json!(["initiator"])))
        .send()
        .await;
    let body = delegation.expect(201);
    assert_eq!(
        (body["status"].as_str(), body["platform_id"].as_str()),
        (Some("active"), Some(ex.platform.id.as_str()))
    );
    let delegation_id = delegation.text("delegation_id");
    api.post(&delegations)
        .token(&w.bob)
        .json(appoint(&ex.rep_id, json!(["approver"])))
        .send()
        .await
        .assert_problem(409, "invalid-state");
    // Platform representatives reach holders' accounts only by delegation.
    appoint_existing(&api, &w.operator, &w.a, &approver_id, json!(["approver"]))
        .await
        .assert_problem(422, "validation-failed");

    // The delegate is a representative: it sees the account and initiates.
    let account = api
        .get(&format!("/v1/accounts/{}", w.a))
        .token(&ex.rep)
        .send()
        .await;
    assert_eq!(
        account.expect(200)["representatives"]
            .as_array()
            .unwrap()
            .len(),
        3
    );
    let transfer = |quantity: u64| json!({"from_account_id": w.a, "to_account_id": w.b, "unit_type": "ACCU", "quantity": quantity});
    let first = api
        .post("/v1/transfers")
        .token(&ex.rep)
        .json(transfer(10))
        .send()
        .await;
    let first_id = first.expect(201)["transfer_id"]
        .as_str()
        .unwrap()
        .to_owned();
    api.post(&format!("/v1/transfers/{first_id}/approve"))
        .token(&ex.rep)
        .send()
        .await
        .assert_problem(403, "forbidden");
    let approved = api
        .post(&format!("/v1/transfers/{first_id}/approve"))
        .token(&w.bob)
        .send()
        .await;
    assert_eq!(approved.expect(200)["status"], "completed");

    // A second delegate approves what Alice initiates (four eyes: it is someone else).
    api.post(&delegations)
        .token(&w.bob)
        .json(appoint(&approver_id, json!(["approver"])))
        .send()
        .await
        .expect(201);
    let second = api
        .post("/v1/transfers")
        .token(&w.alice)
        .json(transfer(20))
        .send()
        .await;
    let second_id = second.text("transfer_id");
    let approved = api
        .post(&format!("/v1/transfers/{second_id}/approve"))
        .token(&approver)
        .send()
        .await;
    assert_eq!(approved.expect(200)["decided_by"], approver_id.as_str());
    assert_eq!(
        api.all_pages(Some(&w.alice), &delegations, 1).await.len(),
        2
    );

    // Revocation: the delegate's pending transfer stays pending; the delegate sees nothing more.
    let third = api
        .post("/v1/transfers")
        .token(&ex.rep)
        .json(transfer(30))
        .send()
        .await;
    let third_id = third.text("transfer_id");
    let revoke = format!("{delegations}/{delegation_id}/revoke");
    let revoked = api.post(&revoke).token(&w.alice).send().await;
    assert_eq!(revoked.expect(200)["status"], "revoked");
    for path in [
        format!("/v1/accounts/{}", w.a),
        format!("/v1/transfers/{third_id}"),
        delegations.clone(),
    ] {
        api.get(&path)
            .token(&ex.rep)
            .send()
            .await
            .assert_problem(404, "not-found");
    }
    api.post("/v1/transfers")
        .token(&ex.rep)
        .json(transfer(1))
        .send()
        .await
        .assert_problem(404, "not-found");
    api.post(&revoke)
        .token(&ex.rep)
        .send()
        .await
        .assert_problem(404, "not-found");
    api.post(&revoke)
        .token(&w.bob)
        .send()
        .await
        .assert_problem(409, "invalid-state");
    api.post(&format!("{delegations}/DEL-999999/revoke"))
        .token(&w.bob)
        .send()
        .await
        .assert_problem(404, "not-found");
    let pending = api
        .get(&format!("/v1/transfers/{third_id}"))
        .token(&w.alice)
        .send()
        .await;
    assert_eq!(pending.expect(200)["status"], "pending_approval");
    api.post(&format!("/v1/transfers/{third_id}/approve"))
        .token(&w.bob)
        .send()
        .await
        .expect(200);

    // The second delegate resigns.
    let delegations_now = api.all_pages(Some(&approver), &delegations, 5).await;
    let mine = delegations_now
        .iter()
        .find(|d| d["representative_id"] == approver_id.as_str())
        .unwrap()["delegation_id"]
        .as_str()
        .unwrap()
        .to_owned();
    api.post(&format!("{delegations}/{mine}/revoke"))
        .token(&approver)
        .send()
        .await
        .expect(200);
    let account = api
        .get(&format!("/v1/accounts/{}", w.a))
        .token(&w.alice)
        .send()
        .await;
    assert_eq!(account.body["representatives"].as_array().unwrap().len(), 2);
    assert_eq!(account.body["balances"][0]["available"], 940);
    api.check_invariants();
}

#[tokio::test]
async fn b3_full_custody_through_the_platforms_custodial_account() {
    let api = Api::start().await;
    let w = world(&api).await;
    let ex = exchange(&api, &w.operator).await;

    // The seller moves units into the platform's custody.
    let into_custody = api
        .post("/v1/transfers")
        .token(&w.alice)
        .json(
            json!({"from_account_id": w.a, "to_account_id": ex.custodial, "unit_type": "ACCU",
                     "quantity": 100, "reference": "listing 7"}),
        )
        .send()
        .await;
    let id = into_custody.text("transfer_id");
    api.post(&format!("/v1/transfers/{id}/approve"))
        .token(&w.bob)
        .send()
        .await
        .expect(200);
    assert_eq!(
        api.holdings(&ex.rep, &ex.custodial).await,
        vec![(3_000_001, 3_000_100, "available".to_owned())]
    );

    // The platform's representative sells 60 on to the buyer; it is the account's only
    // representative, so it approves its own transfer.
    let to_buyer = api
        .post("/v1/transfers")
        .token(&ex.rep)
        .json(json!({"from_account_id": ex.custodial, "to_account_id": w.b, "unit_type": "ACCU", "quantity": 60}))
        .send()
        .await;
    let id = to_buyer.text("transfer_id");
    let approved = api
        .post(&format!("/v1/transfers/{id}/approve"))
        .token(&ex.rep)
        .send()
        .await;
    assert_eq!(approved.expect(200)["status"], "completed");
    assert_eq!(
        api.holdings(&ex.rep, &ex.custodial).await,
        vec![(3_000_061, 3_000_100, "available".to_owned())]
    );
    assert_eq!(
        api.holdings(&w.carol, &w.b).await,
        vec![(3_000_001, 3_000_060, "available".to_owned())]
    );
    let history = api
        .all_pages(
            Some(&ex.rep),
            &format!("/v1/accounts/{}/transactions?kind=transfer", ex.custodial),
            1,
        )
        .await;
    assert_eq!(history.len(), 2);
    // The platform itself (its token) is no representative of its custodial account.
    api.get(&format!("/v1/accounts/{}", ex.custodial))
        .token(&ex.platform.token)
        .send()
        .await
        .assert_problem(404, "not-found");
    api.check_invariants();
}
