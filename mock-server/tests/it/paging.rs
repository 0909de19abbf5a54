//! Keyset paging: small pages walk exactly the items of one big page; bad limits and tokens refused.

use std::collections::BTreeSet;

use serde_json::{Value, json};

use crate::helpers::{Api, issue, world};

fn ids(items: &[Value], field: &str) -> Vec<String> {
    items
        .iter()
        .map(|i| i[field].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn registers_walked_in_small_pages_match_big_pages() {
    let api = Api::start().await;
    for (path, field) in [
        ("/v1/registers/accu-projects", "project_id"),
        (
            "/v1/registers/accu-projects?state=QLD&revoked=false",
            "project_id",
        ),
        ("/v1/registers/carbon-abatement-contracts", "contract_id"),
        (
            "/v1/registers/carbon-abatement-contracts?status=active&contractor=carbon",
            "contract_id",
        ),
        ("/v1/registers/guarantee-of-origin-projects", "profile_id"),
        (
            "/v1/registers/guarantee-of-origin-projects?energy_source=Solar",
            "profile_id",
        ),
    ] {
        let small = ids(&api.all_pages(None, path, 7).await, field);
        let big = ids(&api.all_pages(None, path, 200).await, field);
        assert!(!big.is_empty(), "{path}");
        assert_eq!(small, big, "{path}");
        let unique: BTreeSet<&String> = small.iter().collect();
        assert_eq!(unique.len(), small.len(), "{path}: duplicates");
        let mut sorted = small.clone();
        sorted.sort();
        assert_eq!(sorted, small, "{path}: ordered by id");
    }
    let all = api
        .all_pages(None, "/v1/registers/accu-projects", 200)
        .await;
    assert_eq!(all.len(), api.mock.registers().accu_projects.len());
}

#[tokio::test]
async fn default_limit_and_last_page() {
    let api = Api::start().await;
    let first = api
        .get("/v1/registers/guarantee-of-origin-projects")
        .send()
        .await;
    assert_eq!(first.body["items"].as_array().unwrap().len(), 50);
    assert!(first.body["next_page"].is_string());
    let total = api.mock.registers().guarantee_of_origin_projects.len();
    let everything = api
        .get(&format!(
            "/v1/registers/guarantee-of-origin-projects?limit={}",
            total.min(200)
        ))
        .send()
        .await;
    if total <= 200 {
        assert_eq!(
            everything.body["next_page"],
            Value::Null,
            "no token before an empty page"
        );
    }
    let none = api.get("/v1/registers/accu-projects?state=XX").send().await;
    assert_eq!(none.body, json!({"items": [], "next_page": null}));
}

#[tokio::test]
async fn bad_limits_tokens_and_filters_are_invalid_parameters() {
    let api = Api::start().await;
    let token = api
        .get("/v1/registers/accu-projects?limit=1")
        .send()
        .await
        .body["next_page"]
        .as_str()
        .unwrap()
        .to_owned();
    for (query, parameter) in [
        ("limit=0", "limit"),
        ("limit=201", "limit"),
        ("limit=abc", "limit"),
        ("limit=-1", "limit"),
        ("limit=1&limit=2", "limit"),
        ("page_token=garbage", "page_token"),
        ("page_token=", "page_token"),
        ("revoked=maybe", "revoked"),
        ("colour=green", "colour"),
    ] {
        let reply = api
            .get(&format!("/v1/registers/accu-projects?{query}"))
            .send()
            .await;
        reply.assert_problem(400, "invalid-parameter");
        assert_eq!(
            reply.body["invalid_params"][0]["name"], parameter,
            "{query}: {:?}",
            reply.body
        );
    }
    // A token of one list is refused by another.
    let reply = api
        .get(&format!(
            "/v1/registers/carbon-abatement-contracts?page_token={token}"
        ))
        .send()
        .await;
    reply.assert_problem(400, "invalid-parameter");
    let status = api
        .get("/v1/registers/carbon-abatement-contracts?status=paused")
        .send()
        .await;
    status.assert_problem(400, "invalid-parameter");
}

#[tokio::test]
async fn holdings_and_history_pages() {
    let api = Api::start().await;
    let w = world(&api).await;
    for vintage in ["2019-20", "2020-21", "2021-22", "2022-23"] {
        issue(&api, &w.operator, &w.a, 10, vintage).await;
    }
    // Carve the first block into several with transfers that stay pending.
    for start in [3_000_011u64, 3_000_031, 3_000_051] {
        let body = json!({"from_account_id": w.a, "to_account_id": w.b, "unit_type": "ACCU",
                          "serial_ranges": [{"serial_start": start, "serial_end": start + 4}]});
        assert_eq!(
            api.post("/v1/transfers")
                .token(&w.alice)
                .json(body)
                .send()
                .await
                .status,
            201
        );
    }
    let holdings_path = format!("/v1/accounts/{}/holdings", w.a);
    let small = api.all_pages(Some(&w.alice), &holdings_path, 2).await;
    let big = api.all_pages(Some(&w.alice), &holdings_path, 200).await;
    assert_eq!(small, big);
    assert_eq!(big.len(), 11);
    let quantity: u64 = big.iter().map(|b| b["quantity"].as_u64().unwrap()).sum();
    assert_eq!(quantity, 1040);

    let history_path = format!("/v1/accounts/{}/transactions", w.a);
    let small = api.all_pages(Some(&w.alice), &history_path, 1).await;
    let big = api.all_pages(Some(&w.alice), &history_path, 200).await;
    assert_eq!(small, big);
    assert_eq!(big.len(), 8);
    let ids: BTreeSet<&str> = big
        .iter()
        .map(|t| t["transaction_id"].as_str().unwrap())
        .collect();
    assert_eq!(ids.len(), 8);

    // A holdings token is refused for history, and for another account's holdings.
    let token = api
        .get(&format!("{holdings_path}?limit=1"))
        .token(&w.alice)
        .send()
        .await
        .body["next_page"]
        .as_str()
        .unwrap()
        .to_owned();
    let reply = api
        .get(&format!("{history_path}?page_token={token}"))
        .token(&w.alice)
        .send()
        .await;
    reply.assert_problem(400, "invalid-parameter");
    let reply = api
        .get(&format!("/v1/accounts/{}/holdings?page_token={token}", w.b))
        .token(&w.carol)
        .send()
        .await;
    reply.assert_problem(400, "invalid-parameter");
}
