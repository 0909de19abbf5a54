//! C.1 third-party association: 1:1 both ways, by consent, with the status following the unit.

use chrono::TimeDelta;
use serde_json::json;

use crate::helpers::{Api, Receiver, delivered_events, grant, platform, subscribe, world};

#[tokio::test]
async fn c1_associate_verify_and_follow_the_unit() {
    let api = Api::start().await;
    let w = world(&api).await;
    let tr = platform(&api, &w.operator, "GreenCert", "third_party_registry").await;
    let tr2 = platform(&api, &w.operator, "BlueCert", "third_party_registry").await;
    let tp = platform(&api, &w.operator, "Exchange", "trading_platform").await;
    let receiver = Receiver::start(0).await;
    subscribe(&api, &tr.token, &receiver, json!(["association.changed"])).await;
    let associate = |serial: u64, certificate: &str| json!({"account_id": w.a, "unit_type": "ACCU", "serial": serial, "certificate_id": certificate});

    // No consent yet: the account does not exist for the registry.
    api.post("/v1/associations")
        .token(&tr.token)
        .json(associate(3_000_005, "GC-1"))
        .send()
        .await
        .assert_problem(404, "not-found");
    let later = api.at(TimeDelta::days(90));
    grant(&api, &w.alice, &w.a, &tr.id, json!(["association"]), &later).await;
    grant(
        &api,
        &w.alice,
        &w.a,
        &tr2.id,
        json!(["association"]),
        &later,
    )
    .await;
    grant(
        &api,
        &w.alice,
        &w.a,
        &tp.id,
        json!(["holdings_read"]),
        &later,
    )
    .await;

    // The association scope reads holdings to verify, nothing more.
    assert_eq!(api.holdings(&tr.token, &w.a).await.len(), 1);
    api.get(&format!("/v1/accounts/{}", w.a))
        .token(&tr.token)
        .send()
        .await
        .assert_problem(403, "consent-required");

    let created = api
        .post("/v1/associations")
        .token(&tr.token)
        .json(associate(3_000_005, "GC-1"))
        .send()
        .await;
    let body = created.expect(201);
    assert_eq!(
        (body["status"].as_str(), body["registry_id"].as_str()),
        (Some("active"), Some(tr.id.as_str()))
    );
    let first = created.text("association_id");

    let refusals = [
        (
            &tr.token,
            associate(3_000_005, "GC-2"),
            409,
            "association-conflict",
        ),
        (
            &tr.token,
            associate(3_000_006, "GC-1"),
            409,
            "association-conflict",
        ),
        (
            &tr2.token,
            associate(3_000_005, "BC-1"),
            409,
            "association-conflict",
        ),
        (
            &tr.token,
            associate(3_005_000, "GC-3"),
            409,
            "units-not-held",
        ),
        (
            &tr.token,
            associate(3_000_006, ""),
            422,
            "validation-failed",
        ),
        (
            &tp.token,
            associate(3_000_006, "TP-1"),
            // REQ-ACCESS-006: no consent could open this to a trading platform.
            403,
            "forbidden",
        ),
        (&w.alice, associate(3_000_006, "AL-1"), 403, "forbidden"),
    ];
    for (token, body, status, kind) in refusals {
        let reply = api
            .post("/v1/associations")
            .token(token)
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
    // The same certificate ID is fine at another registry.
    api.post("/v1/associations")
        .token(&tr2.token)
        .json(associate(3_000_007, "GC-1"))
        .send()
        .await
        .expect(201);

    // Verification: the registry and the account's representatives see it.
    let path = format!("/v1/associations/{first}");
    api.get(&path).token(&tr.token).send().await.expect(200);
    api.get(&path).token(&w.alice).send().await.expect(200);
    for token in [&w.carol, &tr2.token, &tp.token] {
        api.get(&path)
            .token(token)
            .send()
            .await
            .assert_problem(404, "not-found");
    }
    assert_eq!(
        api.all_pages(Some(&tr.token), "/v1/associations", 1)
            .await
            .len(),
        1
    );
    assert_eq!(
        api.all_pages(Some(&w.bob), "/v1/associations", 1)
            .await
            .len(),
        2
    );
    let by_certificate = api
        .all_pages(Some(&w.bob), "/v1/associations?certificate_id=GC-1", 1)
        .await;
    assert_eq!(by_certificate.len(), 2);

    // The unit is transferred away: the association follows, and frees both sides.
    let transfer = api
        .post("/v1/transfers")
        .token(&w.alice)
        .json(
            json!({"from_account_id": w.a, "to_account_id": w.b, "unit_type": "ACCU",
                     "serial_ranges": [{"serial_start": 3000001, "serial_end": 3000005}]}),
        )
        .send()
        .await;
    let transfer_id = transfer.text("transfer_id");
    let pending = api.get(&path).token(&tr.token).send().await;
    assert_eq!(pending.expect(200)["status"], "active");
    api.post(&format!("/v1/transfers/{transfer_id}/approve"))
        .token(&w.bob)
        .send()
        .await
        .expect(200);
    let moved = api.get(&path).token(&tr.token).send().await;
    assert_eq!(moved.expect(200)["status"], "transferred");
    let second = api
        .post("/v1/associations")
        .token(&tr.token)
        .json(associate(3_000_020, "GC-1"))
        .send()
        .await;
    let second = second.expect(201)["association_id"]
        .as_str()
        .unwrap()
        .to_owned();

    // Cancellation: the association stays live as cancelled; dissolving ends it.
    let cancellation = api
        .post("/v1/cancellations")
        .token(&w.alice)
        .json(json!({"account_id": w.a, "unit_type": "ACCU",
                     "serial_ranges": [{"serial_start": 3000020, "serial_end": 3000020}]}))
        .send()
        .await;
    let cancellation_id = cancellation.text("cancellation_id");
    api.post(&format!("/v1/cancellations/{cancellation_id}/approve"))
        .token(&w.bob)
        .send()
        .await
        .expect(200);
    let second_path = format!("/v1/associations/{second}");
    let cancelled = api.get(&second_path).token(&tr.token).send().await;
    assert_eq!(cancelled.expect(200)["status"], "cancelled");
    api.post("/v1/associations")
        .token(&tr.token)
        .json(associate(3_000_021, "GC-1"))
        .send()
        .await
        .assert_problem(409, "association-conflict");
    api.post(&format!("{second_path}/dissolve"))
        .token(&w.alice)
        .send()
        .await
        .assert_problem(403, "forbidden");
    let dissolved = api
        .post(&format!("{second_path}/dissolve"))
        .token(&tr.token)
        .send()
        .await;
    assert_eq!(dissolved.expect(200)["status"], "dissolved");
    api.post(&format!("{second_path}/dissolve"))
        .token(&tr.token)
        .send()
        .await
        .assert_problem(409, "invalid-state");
    api.post(&format!("{path}/dissolve"))
        .token(&tr.token)
        .send()
        .await
        .assert_problem(409, "invalid-state");
    let statuses: Vec<String> = api
        .all_pages(Some(&tr.token), "/v1/associations", 5)
        .await
        .iter()
        .map(|a| a["status"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(statuses, ["transferred", "dissolved"]);
    let live = api
        .all_pages(Some(&w.alice), "/v1/associations?status=active", 5)
        .await;
    assert_eq!(live.len(), 1);

    let changes: Vec<(String, String)> = delivered_events(&api, &receiver)
        .await
        .into_iter()
        .map(|(_, data)| {
            (
                data["association_id"].as_str().unwrap().to_owned(),
                data["status"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert_eq!(
        changes,
        vec![
            (first.clone(), "transferred".to_owned()),
            (second.clone(), "cancelled".to_owned()),
            (second, "dissolved".to_owned()),
        ]
    );
    api.check_invariants();
}
