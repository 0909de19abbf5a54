//! The mock never answers 5xx and every error is a problem document, whatever it is sent.

use rand::rngs::StdRng;
use rand::seq::IndexedRandom;
use rand::{Rng, SeedableRng};
use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::{Api, exchange, grant, platform, world};

const SEGMENTS: &[&str] = &[
    "v1",
    "v1",
    "v1",
    "accounts",
    "transfers",
    "cancellations",
    "registers",
    "accu-projects",
    "carbon-abatement-contracts",
    "guarantee-of-origin-projects",
    "sandbox",
    "issuances",
    "reset",
    "approve",
    "reject",
    "rescind",
    "holdings",
    "transactions",
    "representatives",
    "operator-sessions",
    "account-holders",
    "AU-1000001",
    "AU-1000002",
    "TRF-000001",
    "CAN-000001",
    "%00",
    "%FF%FE",
    "..",
    ".",
    "%2F",
    "a%20b",
    "",
    "ÄÖ",
    "9999999999999999999999",
    "consents",
    "revoke",
    "delegations",
    "reservations",
    "release",
    "escrows",
    "settle",
    "associations",
    "dissolve",
    "webhook-subscriptions",
    "deliveries",
    "platforms",
    "oauth",
    "token",
    "clock",
    "advance",
    "TP-0001",
    "TR-0001",
    "CON-000001",
    "RES-000001",
    "ESC-000001",
    "ASN-000001",
    "WHS-000001",
    "DEL-000001",
];
const ROUTES: &[&str] = &[
    "/v1/accounts",
    "/v1/accounts/{id}",
    "/v1/accounts/{id}/holdings",
    "/v1/accounts/{id}/transactions",
    "/v1/transfers",
    "/v1/transfers",
    "/v1/transfers",
    "/v1/transfers/{id}",
    "/v1/transfers/{id}/approve",
    "/v1/transfers/{id}/reject",
    "/v1/transfers/{id}/rescind",
    "/v1/cancellations",
    "/v1/cancellations/{id}",
    "/v1/cancellations/{id}/approve",
    "/v1/cancellations/{id}/rescind",
    "/v1/registers/accu-projects",
    "/v1/registers/carbon-abatement-contracts",
    "/v1/registers/guarantee-of-origin-projects",
    "/v1/sandbox/operator-sessions",
    "/v1/sandbox/account-holders",
    "/v1/sandbox/accounts",
    "/v1/sandbox/accounts/{id}/representatives",
    "/v1/sandbox/issuances",
    "/v1/sandbox/issuances",
    "/v1/oauth/token",
    "/v1/platforms/{id}",
    "/v1/accounts/{id}/consents",
    "/v1/accounts/{id}/delegations",
    "/v1/accounts/{id}/delegations/{id}/revoke",
    "/v1/consents",
    "/v1/consents/{id}",
    "/v1/consents/{id}/revoke",
    "/v1/reservations",
    "/v1/reservations/{id}",
    "/v1/reservations/{id}/release",
    "/v1/escrows",
    "/v1/escrows/{id}",
    "/v1/escrows/{id}/settle",
    "/v1/escrows/{id}/release",
    "/v1/associations",
    "/v1/associations/{id}",
    "/v1/associations/{id}/dissolve",
    "/v1/webhook-subscriptions",
    "/v1/webhook-subscriptions/{id}",
    "/v1/webhook-subscriptions/{id}/deliveries",
    "/v1/sandbox/platforms",
    "/v1/sandbox/platforms/{id}/representatives",
    "/v1/sandbox/clock",
    "/v1/sandbox/clock/advance",
];
const PARAMETERS: &[&str] = &[
    "limit",
    "page_token",
    "state",
    "status",
    "from",
    "to",
    "kind",
    "unit_type",
    "revoked",
    "x",
    "account_id",
    "certificate_id",
    "state",
];
const VALUES: &[&str] = &[
    "-1",
    "0",
    "1",
    "200",
    "201",
    "abc",
    "true",
    "2026-13-45T00:00:00Z",
    "2026-11-25T00:00:00Z",
    "%ZZ",
    "",
    "WyJhY2N1LXByb2plY3RzIiwiRVJGMSJd",
    "pending_approval",
    "18446744073709551616",
    "active",
    "delivered",
    "AU-1000001",
];

/// The body kind of `random_body` that fits a route, if any.
fn body_kind_for(route: &str) -> Option<u32> {
    let kinds: &[(&str, u32)] = &[
        ("/transfers", 5),
        ("/cancellations", 7),
        ("/issuances", 7),
        ("/consents", 9),
        ("/reservations", 10),
        ("/escrows", 16),
        ("/associations", 11),
        ("/webhook-subscriptions", 12),
        ("/advance", 13),
        ("/settle", 14),
        ("/delegations", 17),
        ("/platforms", 18),
        ("/representatives", 18),
        ("/token", 15),
    ];
    kinds
        .iter()
        .find(|(suffix, _)| route.ends_with(suffix))
        .map(|(_, kind)| *kind)
}

fn random_body(
    rng: &mut StdRng,
    w: &crate::helpers::World,
    times: &[String; 3],
    kind: Option<u32>,
) -> Vec<u8> {
    let serial = |rng: &mut StdRng| -> Value {
        [
            json!(3_000_000 + rng.random_range(0..1_200u64)),
            json!(u64::MAX),
            json!(0),
            json!(-1),
            json!("x"),
        ]
        .choose(rng)
        .cloned()
        .unwrap_or(Value::Null)
    };
    let future = [
        times[0].as_str(),
        times[1].as_str(),
        times[2].as_str(),
        "soon",
    ]
    .choose(rng)
    .copied()
    .unwrap_or("");
    match kind.unwrap_or_else(|| rng.random_range(0..19)) {
        0 => Vec::new(),
        1 => b"{}".to_vec(),
        2 => (0..rng.random_range(1..64))
            .map(|_| rng.random::<u8>())
            .collect(),
        3 => format!("{}{}", "[".repeat(5000), "]".repeat(5000)).into_bytes(),
        4 => br#"{"quantity": 1e400, "serial_ranges": null}"#.to_vec(),
        5 | 6 => {
            let mut body = json!({
                "from_account_id": ([w.a.as_str(), w.b.as_str(), "AU-1"].choose(rng)),
                "to_account_id": ([w.a.as_str(), w.b.as_str(), "AU-1"].choose(rng)),
                "unit_type": (["ACCU", "SMC", "accu", ""].choose(rng)),
            });
            if rng.random_bool(0.5) {
                body["quantity"] = json!(([0u64, 1, 7, 500, 5_000, u64::MAX].choose(rng)));
            }
            if rng.random_bool(0.5) {
                let ranges: Vec<Value> = (0..rng.random_range(0..4))
                    .map(|_| json!({"serial_start": serial(rng), "serial_end": serial(rng)}))
                    .collect();
                body["serial_ranges"] = Value::Array(ranges);
            }
            if rng.random_bool(0.2) {
                body["vintage"] = json!("2023-24");
            }
            serde_json::to_vec(&body).unwrap_or_default()
        }
        7 => serde_json::to_vec(&json!({
            "account_id": ([w.a.as_str(), "AU-1000003"].choose(rng)),
            "unit_type": "ACCU",
            "quantity": ([1u64, 0, 1_000_000_000, 1_000_000_001, u64::MAX].choose(rng)),
            "project_id": "ERF101234",
            "vintage": (["2023-24", "2023-25", "23-24", "２０２３-24"].choose(rng)),
            "method": "Landfill gas",
            "state": (["NSW", "XX"].choose(rng)),
            "name": "x",
            "roles": ([["initiator"], ["boss"]].choose(rng)),
            "holder_id": "AH-000001",
            "kind": "holding",
        }))
        .unwrap_or_default(),
        8 => br#"{"reason": "\ud800"}"#.to_vec(),
        9 => serde_json::to_vec(&json!({
            "grantee_id": (["TP-0001", "TR-0001", "TP-0099", ""].choose(rng)),
            "scopes": ([json!([]), json!(["holdings_read"]), json!(["association"]), json!(["reserved_units_read", "transactions_read"]), json!(["nope"])].choose(rng)),
            "expires_at": future,
        }))
        .unwrap_or_default(),
        10 | 16 => {
            let mut body = json!({
                "account_id": ([w.a.as_str(), w.b.as_str(), "AU-1"].choose(rng)),
                "unit_type": (["ACCU", "ACCU", "SMC", "accu"].choose(rng)),
                "expires_at": future,
            });
            if rng.random_bool(0.7) {
                body["quantity"] = json!(([0u64, 1, 50, 5_000, u64::MAX].choose(rng)));
            } else {
                body["serial_ranges"] = json!([{"serial_start": serial(rng), "serial_end": serial(rng)}]);
            }
            if kind == Some(10) || rng.random_bool(0.5) {
                body["platform_id"] = json!((["TP-0001", "TR-0001", "x"].choose(rng)));
                body["custodial_account_id"] = json!((["AU-1000003", w.b.as_str(), "AU-9"].choose(rng)));
            } else {
                body["controller_id"] = json!((["TP-0001", "TR-0001", "x"].choose(rng)));
            }
            serde_json::to_vec(&body).unwrap_or_default()
        }
        11 => serde_json::to_vec(&json!({
            "account_id": ([w.a.as_str(), "AU-1"].choose(rng)),
            "unit_type": "ACCU",
            "serial": serial(rng),
            "certificate_id": (["GC-1", "", "x".repeat(101).as_str()].choose(rng)),
        }))
        .unwrap_or_default(),
        12 => serde_json::to_vec(&json!({
            "url": (["http://127.0.0.1:9/h", "ftp://x", "", "https://[::1]:9/"].choose(rng)),
            "event_types": ([json!(["consent.revoked"]), json!([]), json!(["x"])].choose(rng)),
            "secret": (["whsec_AAAA", "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSwMfKQ9r8GKYqr", "nope"].choose(rng)),
        }))
        .unwrap_or_default(),
        13 => serde_json::to_vec(&json!({
            "seconds": ([json!(0), json!(1), json!(60), json!(31_622_401), json!(-5), json!(u64::MAX)].choose(rng)),
        }))
        .unwrap_or_default(),
        14 => serde_json::to_vec(&json!({
            "to_account_id": ([w.a.as_str(), w.b.as_str(), "AU-1"].choose(rng)),
        }))
        .unwrap_or_default(),
        17 => serde_json::to_vec(&json!({
            "representative_id": (["AR-000001", "AR-000004", "AR-000005", "AR-999999"].choose(rng)),
            "roles": ([json!(["initiator"]), json!([]), json!(["approver", "initiator"])].choose(rng)),
        }))
        .unwrap_or_default(),
        18 => serde_json::to_vec(&json!({
            "name": (["Exchange", "", "x"].choose(rng)),
            "kind": (["trading_platform", "third_party_registry", "bank"].choose(rng)),
        }))
        .unwrap_or_default(),
        _ => ["grant_type=client_credentials&client_id=x&client_secret=y", "grant_type=password", "%%%", "a=1&a=2"]
            .choose(rng)
            .map(|b| b.as_bytes().to_vec())
            .unwrap_or_default(),
    }
}

#[tokio::test]
async fn garbage_never_gets_a_5xx() {
    let api = Api::start_with(
        ucr_mock::MockRegistry::builder().webhook_backoff(std::time::Duration::from_millis(5)),
    )
    .await;
    let w = world(&api).await;
    // Platforms, a consent of each kind, a reservation, an escrow, an association and a
    // subscription, so that the IDs the paths use exist.
    let ex = exchange(&api, &w.operator).await;
    let tr = platform(&api, &w.operator, "GreenCert", "third_party_registry").await;
    let later = api.at(chrono::TimeDelta::days(30));
    grant(
        &api,
        &w.alice,
        &w.a,
        &ex.platform.id,
        json!(["holdings_read"]),
        &later,
    )
    .await;
    grant(&api, &w.alice, &w.a, &tr.id, json!(["association"]), &later).await;
    let setup = [
        (
            &w.alice,
            "/v1/reservations",
            json!({"account_id": w.a, "platform_id": ex.platform.id,
            "custodial_account_id": ex.custodial, "unit_type": "ACCU", "quantity": 10, "expires_at": later}),
        ),
        (
            &w.alice,
            "/v1/escrows",
            json!({"account_id": w.a, "controller_id": ex.platform.id,
            "unit_type": "ACCU", "quantity": 10, "expires_at": later}),
        ),
        (
            &tr.token,
            "/v1/associations",
            json!({"account_id": w.a, "unit_type": "ACCU", "serial": 3000500,
            "certificate_id": "GC-0"}),
        ),
        (
            &ex.platform.token,
            "/v1/webhook-subscriptions",
            json!({"url": "http://127.0.0.1:9/hooks",
            "event_types": ["consent.revoked", "transfer.completed", "escrow.settled"]}),
        ),
    ];
    for (token, path, body) in setup {
        api.post(path)
            .token(token)
            .json(body)
            .send()
            .await
            .expect(201);
    }
    let mut rng = StdRng::seed_from_u64(2026);
    let methods = [
        "GET", "GET", "POST", "POST", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS", "BREW",
    ];
    let tokens = [
        None,
        Some(w.alice.as_str()),
        Some(w.alice.as_str()),
        Some(w.bob.as_str()),
        Some(w.carol.as_str()),
        Some(w.operator.as_str()),
        Some(w.operator.as_str()),
        Some("junk"),
        Some(ex.platform.token.as_str()),
        Some(ex.rep.as_str()),
        Some(tr.token.as_str()),
    ];
    let times = [
        api.at(chrono::TimeDelta::days(10)),
        api.at(chrono::TimeDelta::days(-1)),
        api.at(chrono::TimeDelta::days(2000)),
    ];
    let mut seen = std::collections::BTreeMap::<(u16, String), usize>::new();
    for round in 0..1500 {
        let mut path = if rng.random_bool(0.75) {
            let template = ROUTES.choose(&mut rng).copied().unwrap_or("/v1/accounts");
            let fitting: &[&str] = match template.split('/').nth(2).unwrap_or("") {
                "accounts" => &[w.a.as_str(), w.b.as_str(), "AU-1000003"],
                "transfers" => &["TRF-000001", "TRF-000002"],
                "consents" => &["CON-000001", "CON-000002"],
                "reservations" => &["RES-000001"],
                "escrows" => &["ESC-000001"],
                "associations" => &["ASN-000001"],
                "webhook-subscriptions" => &["WHS-000001"],
                "platforms" => &["TP-0001", "TR-0001"],
                _ => &[],
            };
            let any = [
                w.a.as_str(),
                w.b.as_str(),
                "TRF-000001",
                "TRF-000002",
                "CAN-000001",
                "AU-1000003",
                "%FF",
                "TP-0001",
                "TR-0001",
                "CON-000001",
                "CON-000002",
                "RES-000001",
                "ESC-000001",
                "ASN-000001",
                "WHS-000001",
                "DEL-000001",
            ]
            .choose(&mut rng)
            .copied()
            .unwrap_or("x");
            let id = match fitting.choose(&mut rng) {
                Some(id) if rng.random_bool(0.6) => id,
                _ => any,
            };
            template
                .replacen("{id}", id, 1)
                .replace("{id}", "DEL-000001")
        } else {
            let depth = rng.random_range(1..6);
            let segments: Vec<&str> = (0..depth)
                .map(|_| *SEGMENTS.choose(&mut rng).unwrap_or(&"v1"))
                .collect();
            format!("/{}", segments.join("/"))
        };
        if rng.random_bool(0.5) {
            let pairs: Vec<String> = (0..rng.random_range(1..4))
                .map(|_| {
                    let parameter = PARAMETERS.choose(&mut rng).unwrap_or(&"x");
                    let value = VALUES.choose(&mut rng).unwrap_or(&"");
                    format!("{parameter}={value}")
                })
                .collect();
            path = format!("{path}?{}", pairs.join("&"));
        }
        let route = path.split('?').next().unwrap_or("");
        let write = [
            "approve",
            "reject",
            "rescind",
            "transfers",
            "cancellations",
            "revoke",
            "release",
            "settle",
            "dissolve",
            "token",
            "advance",
        ]
        .iter()
        .any(|s| route.ends_with(s))
            || (route.starts_with("/v1/sandbox") && route != "/v1/sandbox/clock")
            || ([
                "consents",
                "delegations",
                "reservations",
                "escrows",
                "associations",
                "webhook-subscriptions",
            ]
            .iter()
            .any(|s| route.ends_with(s))
                && rng.random_bool(0.5));
        let method = if rng.random_bool(0.7) {
            if write { Method::POST } else { Method::GET }
        } else {
            Method::from_bytes(methods.choose(&mut rng).unwrap_or(&"GET").as_bytes()).unwrap()
        };
        let mut call = api.call(method.clone(), &path);
        if let Some(token) = *tokens.choose(&mut rng).unwrap_or(&None) {
            call = call.token(token);
        }
        match rng.random_range(0..6) {
            0 => call = call.no_key(),
            1 => call = call.key(&format!("key-{}", rng.random_range(0..5))),
            2 => call = call.key("has space"),
            _ => {}
        }
        let content_type = [
            None,
            Some("application/json"),
            Some("application/json"),
            Some("text/plain"),
            Some("application/merge-patch+json"),
            Some("application/x-www-form-urlencoded"),
        ]
        .choose(&mut rng)
        .copied()
        .flatten();
        let kind = body_kind_for(route).filter(|_| rng.random_bool(0.6));
        let body = random_body(&mut rng, &w, &times, kind);
        let reply = call.raw(&body, content_type).send().await;
        assert!(
            reply.status < 500,
            "round {round}: {method} {path} answered {}",
            reply.status
        );
        *seen
            .entry((reply.status, reply.problem().to_owned()))
            .or_default() += 1;
        if reply.status >= 400 && method != Method::HEAD {
            if route == "/v1/oauth/token" {
                // RFC 6749 errors, not problem documents.
                assert_eq!(reply.header("content-type"), Some("application/json"));
                assert!(
                    reply.body["error"].is_string(),
                    "round {round}: {:?}",
                    reply.body
                );
            } else {
                assert_eq!(
                    reply.header("content-type"),
                    Some("application/problem+json"),
                    "round {round}: {method} {path}"
                );
                assert_eq!(
                    reply.body["status"], reply.status,
                    "round {round}: {method} {path}"
                );
            }
        }
    }
    eprintln!("{seen:?}");
    assert!(
        seen.len() >= 14,
        "the inputs reach many different answers: {seen:?}"
    );
    assert!(
        seen.keys().any(|(status, _)| *status < 300),
        "some inputs succeed: {seen:?}"
    );
    api.check_invariants();
}
