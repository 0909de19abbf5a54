//! The mock never answers 5xx and every error is a problem document, whatever it is sent.

use rand::rngs::StdRng;
use rand::seq::IndexedRandom;
use rand::{Rng, SeedableRng};
use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::{Api, world};

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
];

fn random_body(rng: &mut StdRng, w: &crate::helpers::World) -> Vec<u8> {
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
    match rng.random_range(0..9) {
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
        _ => br#"{"reason": "\ud800"}"#.to_vec(),
    }
}

#[tokio::test]
async fn garbage_never_gets_a_5xx() {
    let api = Api::start().await;
    let w = world(&api).await;
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
    ];
    let mut seen = std::collections::BTreeMap::<(u16, String), usize>::new();
    for round in 0..600 {
        let mut path = if rng.random_bool(0.75) {
            let id = [
                w.a.as_str(),
                w.b.as_str(),
                "TRF-000001",
                "TRF-000002",
                "CAN-000001",
                "AU-1000003",
                "%FF",
            ]
            .choose(&mut rng)
            .copied()
            .unwrap_or("x");
            let template = ROUTES.choose(&mut rng).copied().unwrap_or("/v1/accounts");
            template.replace("{id}", id)
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
        let write = ["approve", "reject", "rescind", "transfers", "cancellations"]
            .iter()
            .any(|s| route.ends_with(s))
            || route.starts_with("/v1/sandbox");
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
            Some("text/plain"),
            Some("application/merge-patch+json"),
        ]
        .choose(&mut rng)
        .copied()
        .flatten();
        let body = random_body(&mut rng, &w);
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
    eprintln!("{seen:?}");
    assert!(
        seen.len() >= 8,
        "the inputs reach many different answers: {seen:?}"
    );
    assert!(
        seen.keys().any(|(status, _)| *status < 300),
        "some inputs succeed: {seen:?}"
    );
    api.check_invariants();
}
