//! `Location` on `201 Created`: the URL of the resource created, where the contract declares one
//! (`ucr_spec::locations`), also on an idempotent replay; none where the result has no URL.

use serde_json::json;

use crate::helpers::{Api, world};

#[tokio::test]
async fn a_created_transfer_is_at_its_location_also_on_a_replay() {
    let api = Api::start().await;
    let w = world(&api).await;
    let body =
        json!({"from_account_id": w.a, "to_account_id": w.b, "unit_type": "ACCU", "quantity": 5});
    let send = || {
        api.post("/v1/transfers")
            .token(&w.alice)
            .key("location-1")
            .json(body.clone())
            .send()
    };
    let created = send().await;
    let id = created.expect(201)["transfer_id"]
        .as_str()
        .unwrap()
        .to_owned();
    let location = created.header("location").expect("a Location").to_owned();
    assert_eq!(location, format!("/v1/transfers/{id}"));
    let there = api.get(&location).token(&w.alice).send().await;
    assert_eq!(there.expect(200)["transfer_id"], id.as_str());

    let replay = send().await;
    assert_eq!(replay.header("idempotent-replayed"), Some("true"));
    assert_eq!(replay.header("location"), Some(location.as_str()));
}

#[tokio::test]
async fn sandbox_creates_have_a_location_only_when_the_result_has_a_url() {
    let api = Api::start().await;
    let w = world(&api).await;
    let platform = api
        .post("/v1/sandbox/platforms")
        .token(&w.operator)
        .json(json!({"name": "Exchange", "kind": "trading_platform"}))
        .send()
        .await;
    let id = platform.expect(201)["platform"]["platform_id"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(
        platform.header("location"),
        Some(format!("/v1/platforms/{id}").as_str())
    );

    let holder = api
        .post("/v1/sandbox/account-holders")
        .token(&w.operator)
        .json(json!({"name": "No URL Pty Ltd"}))
        .send()
        .await;
    holder.expect(201);
    assert_eq!(holder.header("location"), None);
}
