//! The two transports: wiremock (with test mocks taking precedence) and the standalone hyper server.

use std::sync::Arc;

use serde_json::json;
use ucr_mock::{Fixture, MockRegistry, serve};
use wiremock::matchers::any;
use wiremock::{Mock, ResponseTemplate};

use crate::helpers::Api;

#[tokio::test]
async fn a_higher_priority_mock_answers_first_then_the_registry_again() {
    let api = Api::start().await;
    Mock::given(any())
        .respond_with(ResponseTemplate::new(503))
        .up_to_n_times(1)
        .mount(api.mock.server())
        .await;
    let path = "/v1/registers/accu-projects?limit=1";
    assert_eq!(
        api.http
            .get(format!("{}{path}", api.mock.uri()))
            .send()
            .await
            .unwrap()
            .status(),
        503
    );
    let reply = api.get(path).send().await;
    assert_eq!(
        (reply.status, reply.body["items"].as_array().map(Vec::len)),
        (200, Some(1))
    );
}

#[tokio::test]
async fn the_standalone_server_answers_on_loopback_and_shuts_down() {
    let router = MockRegistry::builder().seed(3).router().unwrap();
    let registers = Arc::clone(router.registers());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(serve(listener, router, async {
        let _ = stopped.await;
    }));

    let http = reqwest::Client::new();
    let page = http
        .get(format!("{base}/v1/registers/accu-projects?limit=3"))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 200);
    assert!(page.headers().contains_key("x-request-id"));
    let page: serde_json::Value = page.json().await.unwrap();
    assert_eq!(
        page["items"][0]["project_id"],
        registers.accu_projects[0].project_id.as_str()
    );

    let session = http
        .post(format!("{base}/v1/sandbox/operator-sessions"))
        .send()
        .await
        .unwrap();
    assert_eq!(session.status(), 201);
    let token = session.json::<serde_json::Value>().await.unwrap()["token"]
        .as_str()
        .unwrap()
        .to_owned();
    let holder = http
        .post(format!("{base}/v1/sandbox/account-holders"))
        .bearer_auth(&token)
        .json(&json!({"name": "Standalone Pty Ltd"}))
        .send()
        .await
        .unwrap();
    assert_eq!(holder.status(), 201);
    let unknown = http.get(format!("{base}/nowhere")).send().await.unwrap();
    assert_eq!(unknown.status(), 404);
    assert_eq!(
        unknown.headers()["content-type"],
        "application/problem+json"
    );
    let too_big = http
        .post(format!("{base}/v1/transfers"))
        .bearer_auth(&token)
        .body(vec![b' '; ucr_mock::MAX_BODY_BYTES + 1])
        .send()
        .await
        .unwrap();
    assert_eq!(too_big.status(), 400);

    stop.send(()).unwrap();
    server.await.unwrap().unwrap();
}

#[tokio::test]
async fn a_fixture_gives_fixed_tokens_and_units() {
    let fixture = Fixture::from_json(
        r#"{
        "holders": [{"holder_id": "AH-000001", "name": "Mallee Carbon Pty Ltd"}],
        "accounts": [{"account_id": "AU-1000001", "holder_id": "AH-000001", "name": "Trading"}],
        "representatives": [{"representative_id": "AR-000001", "name": "Priya", "token": "priya",
                             "appointments": [{"account_id": "AU-1000001", "roles": ["initiator", "approver"]}]}],
        "issuances": [{"account_id": "AU-1000001", "unit_type": "ACCU", "quantity": 10, "project_id": "ERF101234",
                       "vintage": "2023-24", "method": "Landfill gas", "state": "VIC", "issued_on": "2024-01-02"}]
    }"#,
    )
    .unwrap();
    let api = Api {
        mock: MockRegistry::builder().fixture(fixture).start().await,
        http: reqwest::Client::new(),
    };
    assert_eq!(
        api.holdings("priya", "AU-1000001").await,
        vec![(3_000_001, 3_000_010, "available".to_owned())]
    );

    let broken = Fixture::from_json(
        r#"{"accounts": [{"account_id": "AU-1000001", "holder_id": "AH-000001", "name": "x"}]}"#,
    )
    .unwrap();
    let error = MockRegistry::builder()
        .fixture(broken)
        .try_start()
        .await
        .unwrap_err()
        .to_string();
    assert!(
        error.contains("accounts[0] (AU-1000001)") && error.contains("AH-000001"),
        "{error}"
    );
}
