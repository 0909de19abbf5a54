//! Every refusal gets the right status and problem type and changes nothing.

use serde_json::{Value, json};

use crate::helpers::{Api, World, world};

/// What a refusal must not change: both accounts' holdings and history, and the model invariants.
async fn state(
    api: &Api,
    w: &World,
) -> (Vec<(u64, u64, String)>, Vec<(u64, u64, String)>, Vec<Value>) {
    api.check_invariants();
    let history = api
        .all_pages(
            Some(&w.alice),
            &format!("/v1/accounts/{}/transactions", w.a),
            200,
        )
        .await;
    (
        api.holdings(&w.alice, &w.a).await,
        api.holdings(&w.carol, &w.b).await,
        history,
    )
}

#[tokio::test]
async fn bad_transfers_are_refused_without_effect() {
    let api = Api::start().await;
    let w = world(&api).await;
    // A pending transfer locks 3000001–3000010.
    let lock = json!({"from_account_id": w.a, "to_account_id": w.b, "unit_type": "ACCU",
                      "serial_ranges": [{"serial_start": 3000001, "serial_end": 3000010}]});
    assert_eq!(
        api.post("/v1/transfers")
            .token(&w.alice)
            .json(lock)
            .send()
            .await
            .status,
        201
    );
    let before = state(&api, &w).await;

    let base = json!({"from_account_id": w.a, "to_account_id": w.b, "unit_type": "ACCU"});
    let with = |extra: Value| {
        let mut body = base.clone();
        body.as_object_mut()
            .unwrap()
            .extend(extra.as_object().unwrap().clone());
        body
    };
    let serials = |ranges: Value| with(json!({"serial_ranges": ranges}));
    let cases: Vec<(&str, Value, u16, &str)> = vec![
        (
            "quantity 0",
            with(json!({"quantity": 0})),
            422,
            "validation-failed",
        ),
        (
            "both",
            with(
                json!({"quantity": 1, "serial_ranges": [{"serial_start": 3000500, "serial_end": 3000500}]}),
            ),
            422,
            "validation-failed",
        ),
        ("neither", base.clone(), 422, "validation-failed"),
        (
            "end before start",
            serials(json!([{"serial_start": 3000600, "serial_end": 3000500}])),
            422,
            "validation-failed",
        ),
        ("empty ranges", serials(json!([])), 422, "validation-failed"),
        (
            "overlapping ranges",
            serials(
                json!([{"serial_start": 3000500, "serial_end": 3000600}, {"serial_start": 3000600, "serial_end": 3000700}]),
            ),
            422,
            "validation-failed",
        ),
        (
            "vintage with serials",
            with(
                json!({"vintage": "2023-24", "serial_ranges": [{"serial_start": 3000500, "serial_end": 3000500}]}),
            ),
            422,
            "validation-failed",
        ),
        (
            "same account",
            with(json!({"to_account_id": w.a, "quantity": 1})),
            422,
            "validation-failed",
        ),
        (
            "unknown unit type",
            with(json!({"unit_type": "LGC", "quantity": 1})),
            422,
            "validation-failed",
        ),
        (
            "reference too long",
            with(json!({"quantity": 1, "reference": "x".repeat(201)})),
            422,
            "validation-failed",
        ),
        (
            "unknown destination",
            with(json!({"to_account_id": "AU-9999999", "quantity": 1})),
            422,
            "unknown-account",
        ),
        (
            "too many",
            with(json!({"quantity": 991})),
            409,
            "insufficient-units",
        ),
        (
            "vintage not held",
            with(json!({"quantity": 1, "vintage": "2015-16"})),
            409,
            "insufficient-units",
        ),
        (
            "serial not held",
            serials(json!([{"serial_start": 3000995, "serial_end": 3001005}])),
            409,
            "units-not-held",
        ),
        (
            "serial locked",
            serials(json!([{"serial_start": 3000005, "serial_end": 3000020}])),
            409,
            "units-locked",
        ),
        (
            "not json",
            Value::String("{".into()),
            400,
            "malformed-request",
        ),
        (
            "wrong type",
            with(json!({"quantity": "ten"})),
            400,
            "malformed-request",
        ),
        (
            "negative",
            with(json!({"quantity": -5})),
            400,
            "malformed-request",
        ),
        (
            "unknown field",
            with(json!({"quantity": 1, "quantiy": 2})),
            400,
            "malformed-request",
        ),
        (
            "missing field",
            json!({"from_account_id": w.a, "unit_type": "ACCU", "quantity": 1}),
            400,
            "malformed-request",
        ),
        ("array", json!([1, 2]), 400, "malformed-request"),
    ];
    for (name, body, status, kind) in cases {
        let call = api.post("/v1/transfers").token(&w.alice);
        let reply = match body {
            Value::String(raw) => {
                call.raw(raw.as_bytes(), Some("application/json"))
                    .send()
                    .await
            }
            body => call.json(body).send().await,
        };
        assert_eq!(
            (reply.status, reply.problem()),
            (status, kind),
            "{name}: {:?}",
            reply.body
        );
        reply.assert_problem(status, kind);
        assert_eq!(reply.body["instance"], "/v1/transfers", "{name}");
        assert_eq!(state(&api, &w).await, before, "{name} changed state");
    }
    let serde_detail = api
        .post("/v1/transfers")
        .token(&w.alice)
        .json(with(json!({"quantiy": 2})))
        .send()
        .await;
    assert!(
        serde_detail.body["detail"]
            .as_str()
            .unwrap()
            .contains("unknown field `quantiy`")
    );
    let not_json = api
        .post("/v1/transfers")
        .token(&w.alice)
        .raw(b"quantity=1", Some("text/plain"))
        .send()
        .await;
    not_json.assert_problem(400, "malformed-request");
    assert_eq!(state(&api, &w).await, before);
}

#[tokio::test]
async fn access_roles_and_decisions_are_refused_without_effect() {
    let api = Api::start().await;
    let w = world(&api).await;
    let transfer =
        json!({"from_account_id": w.a, "to_account_id": w.b, "unit_type": "ACCU", "quantity": 10});
    let pending = api
        .post("/v1/transfers")
        .token(&w.alice)
        .json(transfer.clone())
        .send()
        .await;
    let id = pending.body["transfer_id"].as_str().unwrap().to_owned();
    let before = state(&api, &w).await;

    // Another holder's account is indistinguishable from a missing one.
    for path in ["", "/holdings", "/transactions"] {
        let reply = api
            .get(&format!("/v1/accounts/{}{path}", w.a))
            .token(&w.carol)
            .send()
            .await;
        reply.assert_problem(404, "not-found");
        let missing = api
            .get(&format!("/v1/accounts/AU-9999999{path}"))
            .token(&w.carol)
            .send()
            .await;
        missing.assert_problem(404, "not-found");
    }
    api.post("/v1/transfers")
        .token(&w.carol)
        .json(transfer.clone())
        .send()
        .await
        .assert_problem(404, "not-found");
    api.get("/v1/transfers/TRF-999999")
        .token(&w.alice)
        .send()
        .await
        .assert_problem(404, "not-found");
    // Missing roles on a visible account.
    api.post("/v1/transfers")
        .token(&w.bob)
        .json(transfer.clone())
        .send()
        .await
        .assert_problem(403, "forbidden");
    api.post(&format!("/v1/transfers/{id}/approve"))
        .token(&w.alice)
        .send()
        .await
        .assert_problem(403, "forbidden");
    api.post(&format!("/v1/transfers/{id}/approve"))
        .token(&w.carol)
        .send()
        .await
        .assert_problem(403, "forbidden");
    api.post(&format!("/v1/transfers/{id}/rescind"))
        .token(&w.bob)
        .send()
        .await
        .assert_problem(403, "forbidden");
    // The operator has no appointments.
    api.get(&format!("/v1/accounts/{}", w.a))
        .token(&w.operator)
        .send()
        .await
        .assert_problem(404, "not-found");
    // Bodies of body-less operations.
    let reply = api
        .post(&format!("/v1/transfers/{id}/approve"))
        .token(&w.bob)
        .json(json!({"force": true}))
        .send()
        .await;
    reply.assert_problem(400, "malformed-request");
    let reply = api
        .post(&format!("/v1/transfers/{id}/reject"))
        .token(&w.bob)
        .json(json!({"why": "x"}))
        .send()
        .await;
    reply.assert_problem(400, "malformed-request");
    // Idempotency-Key rules.
    let reply = api
        .post(&format!("/v1/transfers/{id}/approve"))
        .token(&w.bob)
        .no_key()
        .send()
        .await;
    reply.assert_problem(400, "idempotency-key-required");
    let reply = api
        .post(&format!("/v1/transfers/{id}/approve"))
        .token(&w.bob)
        .key(&"k".repeat(256))
        .send()
        .await;
    reply.assert_problem(400, "invalid-parameter");
    assert_eq!(state(&api, &w).await, before);

    // Four eyes: Dave holds both roles on the account and initiates; he may not approve.
    let dave = api
        .post(&format!("/v1/sandbox/accounts/{}/representatives", w.a))
        .token(&w.operator)
        .json(json!({"name": "Dave Ong", "roles": ["initiator", "approver"]}))
        .send()
        .await
        .body["token"]
        .as_str()
        .unwrap()
        .to_owned();
    let own = api
        .post("/v1/transfers")
        .token(&dave)
        .json(transfer)
        .send()
        .await;
    let own_id = own.body["transfer_id"].as_str().unwrap().to_owned();
    let before = state(&api, &w).await;
    let reply = api
        .post(&format!("/v1/transfers/{own_id}/approve"))
        .token(&dave)
        .send()
        .await;
    reply.assert_problem(403, "second-approver-required");
    let reply = api
        .post(&format!("/v1/transfers/{own_id}/reject"))
        .token(&dave)
        .send()
        .await;
    reply.assert_problem(403, "second-approver-required");
    assert_eq!(state(&api, &w).await, before);

    // Decided transactions are final.
    assert_eq!(
        api.post(&format!("/v1/transfers/{id}/approve"))
            .token(&w.bob)
            .send()
            .await
            .status,
        200
    );
    let before = state(&api, &w).await;
    for action in ["approve", "reject", "rescind"] {
        let token = if action == "rescind" {
            &w.alice
        } else {
            &w.bob
        };
        let reply = api
            .post(&format!("/v1/transfers/{id}/{action}"))
            .token(token)
            .send()
            .await;
        reply.assert_problem(409, "invalid-state");
    }
    assert_eq!(state(&api, &w).await, before);
}

/// A refused request: case, token, path, body, status, problem kind.
type Refused<'a> = (&'a str, &'a str, String, Option<Value>, u16, &'a str);

/// Everything observable about the platform models, as the parties see it.
async fn platform_state(api: &Api, w: &World, platform_token: &str, custodial: &str) -> Vec<Value> {
    api.check_invariants();
    let mut state = Vec::new();
    for (token, path) in [
        (&w.alice, format!("/v1/accounts/{}/holdings", w.a)),
        (&w.alice, format!("/v1/accounts/{}/transactions", w.a)),
        (&w.carol, format!("/v1/accounts/{}/holdings", w.b)),
        (&w.alice, format!("/v1/accounts/{}/consents", w.a)),
        (&w.bob, format!("/v1/accounts/{}/delegations", w.a)),
        (&w.alice, "/v1/reservations".to_owned()),
        (&w.alice, "/v1/escrows".to_owned()),
        (&w.alice, "/v1/associations".to_owned()),
        (
            &platform_token.to_owned(),
            "/v1/webhook-subscriptions".to_owned(),
        ),
        (&platform_token.to_owned(), "/v1/consents".to_owned()),
    ] {
        state.push(Value::Array(api.all_pages(Some(token), &path, 200).await));
    }
    let custody = api
        .mock
        .with_registry(|r| r.check_invariants().map(|()| r.pending_deliveries()));
    state.push(json!([custodial, custody.unwrap()]));
    state
}

#[tokio::test]
async fn refused_platform_operations_change_nothing() {
    use chrono::TimeDelta;

    use crate::helpers::{exchange, grant, platform, platform_representative};

    let api = Api::start().await;
    let w = world(&api).await;
    let ex = exchange(&api, &w.operator).await;
    let tr = platform(&api, &w.operator, "GreenCert", "third_party_registry").await;
    let (delegate_id, _) = platform_representative(&api, &w.operator, &ex.platform.id, "Del").await;
    let later = api.at(TimeDelta::days(30));
    let consent = grant(&api, &w.alice, &w.a, &tr.id, json!(["association"]), &later).await;
    grant(
        &api,
        &w.alice,
        &w.a,
        &ex.platform.id,
        json!(["reserved_units_read"]),
        &later,
    )
    .await;
    let reservation = api
        .post("/v1/reservations")
        .token(&w.alice)
        .json(json!({"account_id": w.a, "platform_id": ex.platform.id, "custodial_account_id": ex.custodial,
                     "unit_type": "ACCU", "quantity": 10, "expires_at": later}))
        .send()
        .await
        .text("reservation_id");
    let escrow = api
        .post("/v1/escrows")
        .token(&w.alice)
        .json(json!({"account_id": w.a, "controller_id": ex.platform.id, "unit_type": "ACCU", "quantity": 10,
                     "expires_at": later}))
        .send()
        .await
        .text("escrow_id");
    api.post(&format!("/v1/escrows/{escrow}/approve"))
        .token(&w.bob)
        .send()
        .await
        .expect(200);
    let association = api
        .post("/v1/associations")
        .token(&tr.token)
        .json(json!({"account_id": w.a, "unit_type": "ACCU", "serial": 3000900, "certificate_id": "GC-9"}))
        .send()
        .await
        .text("association_id");
    let delegation = api
        .post(&format!("/v1/accounts/{}/delegations", w.a))
        .token(&w.bob)
        .json(json!({"representative_id": delegate_id, "roles": ["initiator"]}))
        .send()
        .await
        .text("delegation_id");
    let before = platform_state(&api, &w, &ex.platform.token, &ex.custodial).await;

    let a = &w.a;
    let cases: Vec<Refused> = vec![
        (
            "carol grants on a",
            &w.carol,
            format!("/v1/accounts/{a}/consents"),
            Some(
                json!({"grantee_id": ex.platform.id, "scopes": ["holdings_read"], "expires_at": later}),
            ),
            404,
            "not-found",
        ),
        (
            "grant to nobody",
            &w.alice,
            format!("/v1/accounts/{a}/consents"),
            Some(
                json!({"grantee_id": "TP-0042", "scopes": ["holdings_read"], "expires_at": later}),
            ),
            422,
            "validation-failed",
        ),
        (
            "carol revokes",
            &w.carol,
            format!("/v1/consents/{consent}/revoke"),
            None,
            404,
            "not-found",
        ),
        (
            "initiator delegates",
            &w.alice,
            format!("/v1/accounts/{a}/delegations"),
            Some(json!({"representative_id": delegate_id, "roles": ["approver"]})),
            403,
            "forbidden",
        ),
        (
            "delegate twice",
            &w.bob,
            format!("/v1/accounts/{a}/delegations"),
            Some(json!({"representative_id": delegate_id, "roles": ["approver"]})),
            409,
            "invalid-state",
        ),
        (
            "carol revokes a delegation",
            &w.carol,
            format!("/v1/accounts/{a}/delegations/{delegation}/revoke"),
            None,
            404,
            "not-found",
        ),
        (
            "approver reserves",
            &w.bob,
            "/v1/reservations".to_owned(),
            Some(
                json!({"account_id": a, "platform_id": ex.platform.id, "custodial_account_id": ex.custodial,
                     "unit_type": "ACCU", "quantity": 1, "expires_at": later}),
            ),
            403,
            "forbidden",
        ),
        (
            "reserve too many",
            &w.alice,
            "/v1/reservations".to_owned(),
            Some(
                json!({"account_id": a, "platform_id": ex.platform.id, "custodial_account_id": ex.custodial,
                     "unit_type": "ACCU", "quantity": 981, "expires_at": later}),
            ),
            409,
            "insufficient-units",
        ),
        (
            "reserve for a registry",
            &w.alice,
            "/v1/reservations".to_owned(),
            Some(
                json!({"account_id": a, "platform_id": tr.id, "custodial_account_id": ex.custodial,
                     "unit_type": "ACCU", "quantity": 1, "expires_at": later}),
            ),
            422,
            "validation-failed",
        ),
        (
            "platform releases",
            &ex.platform.token,
            format!("/v1/reservations/{reservation}/release"),
            None,
            403,
            "forbidden",
        ),
        (
            "carol releases",
            &w.carol,
            format!("/v1/reservations/{reservation}/release"),
            None,
            404,
            "not-found",
        ),
        (
            "escrow reserved serials",
            &w.alice,
            "/v1/escrows".to_owned(),
            Some(
                json!({"account_id": a, "controller_id": ex.platform.id, "unit_type": "ACCU",
                     "serial_ranges": [{"serial_start": 3000001, "serial_end": 3000001}], "expires_at": later}),
            ),
            409,
            "units-locked",
        ),
        (
            "seller settles",
            &w.alice,
            format!("/v1/escrows/{escrow}/settle"),
            Some(json!({"to_account_id": w.b})),
            403,
            "forbidden",
        ),
        (
            "settle to the seller",
            &ex.platform.token,
            format!("/v1/escrows/{escrow}/settle"),
            Some(json!({"to_account_id": a})),
            422,
            "validation-failed",
        ),
        (
            "settle with a typo",
            &ex.platform.token,
            format!("/v1/escrows/{escrow}/settle"),
            Some(json!({"to_acount_id": w.b})),
            400,
            "malformed-request",
        ),
        (
            "registry settles",
            &tr.token,
            format!("/v1/escrows/{escrow}/settle"),
            Some(json!({"to_account_id": w.b})),
            404,
            "not-found",
        ),
        (
            "seller releases",
            &w.bob,
            format!("/v1/escrows/{escrow}/release"),
            None,
            403,
            "forbidden",
        ),
        (
            "associate twice",
            &tr.token,
            "/v1/associations".to_owned(),
            Some(
                json!({"account_id": a, "unit_type": "ACCU", "serial": 3000900, "certificate_id": "GC-10"}),
            ),
            409,
            "association-conflict",
        ),
        (
            "associate a reserved unit's twin cert",
            &tr.token,
            "/v1/associations".to_owned(),
            Some(
                json!({"account_id": a, "unit_type": "ACCU", "serial": 3000001, "certificate_id": "GC-9"}),
            ),
            409,
            "association-conflict",
        ),
        (
            "alice dissolves",
            &w.alice,
            format!("/v1/associations/{association}/dissolve"),
            None,
            403,
            "forbidden",
        ),
        (
            "a sandbox operator subscribes",
            &w.operator,
            "/v1/webhook-subscriptions".to_owned(),
            Some(json!({"url": "http://127.0.0.1:9/", "event_types": ["consent.revoked"]})),
            403,
            "forbidden",
        ),
        (
            "bad url",
            &ex.platform.token,
            "/v1/webhook-subscriptions".to_owned(),
            Some(json!({"url": "mailto:x@example.com", "event_types": ["consent.revoked"]})),
            422,
            "validation-failed",
        ),
        (
            "transfer a reservation elsewhere",
            &w.alice,
            "/v1/transfers".to_owned(),
            Some(
                json!({"from_account_id": a, "to_account_id": w.b, "unit_type": "ACCU", "reservation_id": reservation}),
            ),
            422,
            "validation-failed",
        ),
    ];
    for (case, token, path, body, status, kind) in cases {
        let mut call = api.post(&path).token(token);
        if let Some(body) = body {
            call = call.json(body);
        }
        let reply = call.send().await;
        assert_eq!(
            (reply.status, reply.problem()),
            (status, kind),
            "{case}: {:?}",
            reply.body
        );
    }
    let after = platform_state(&api, &w, &ex.platform.token, &ex.custodial).await;
    assert_eq!(before, after);
}

/// An integer query parameter above the contract's `maximum` (2^53-1) is refused with `400
/// invalid-parameter`, while a text parameter takes the same digits (Schemathesis found
/// `volume_delivered_to=9007199254740992` answered 200).
#[tokio::test]
async fn integer_parameters_above_the_safe_maximum_are_refused() {
    let api = Api::start().await;
    let path = "/v1/registers/carbon-abatement-contracts";
    api.get(&format!("{path}?volume_delivered_to=9007199254740991"))
        .send()
        .await
        .expect(200);
    api.get(&format!("{path}?volume_delivered_to=9007199254740992"))
        .send()
        .await
        .assert_problem(400, "invalid-parameter");
    api.get(&format!("{path}?contractor=9007199254740992"))
        .send()
        .await
        .expect(200);
}
