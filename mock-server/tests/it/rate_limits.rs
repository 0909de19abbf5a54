//! Rate limiting (`REQ-RATE-*`): off by default; with a limit, a token bucket per principal, the
//! `RateLimit-Policy` and `RateLimit` fields on every response and `429 rate-limited` with
//! `Retry-After` over the limit, changing nothing.

use reqwest::Method;
use serde_json::json;
use ucr_mock::{MockRegistry, RateLimit};

use crate::helpers::{Api, Reply};

async fn operator(api: &Api) -> String {
    api.call(Method::POST, "/v1/sandbox/operator-sessions")
        .send()
        .await
        .expect(201)["token"]
        .as_str()
        .unwrap()
        .to_owned()
}

async fn clock(api: &Api, token: &str) -> Reply {
    api.call(Method::GET, "/v1/sandbox/clock")
        .token(token)
        .send()
        .await
}

#[tokio::test]
async fn without_a_limit_nothing_is_limited_and_no_field_is_sent() {
    let api = Api::start().await;
    let token = operator(&api).await;
    for _ in 0..30 {
        let reply = clock(&api, &token).await;
        reply.expect(200);
        assert_eq!(reply.header("ratelimit"), None);
        assert_eq!(reply.header("ratelimit-policy"), None);
    }
}

#[tokio::test]
async fn over_the_limit_a_principal_gets_429_with_retry_after_and_nothing_changes() {
    let api =
        Api::start_with(MockRegistry::builder().rate_limit(RateLimit::per_second(2).unwrap()))
            .await;
    let token = operator(&api).await;
    let first = clock(&api, &token).await;
    first.expect(200);
    assert_eq!(first.header("ratelimit-policy"), Some("\"ucr\";q=2;w=1"));
    assert_eq!(first.header("ratelimit"), Some("\"ucr\";r=1;t=1"));
    let before = first.body["now"].clone();
    // Spend the bucket with writes that would move the clock: the refused one moves nothing.
    let mut limited = None;
    let mut moved = 0;
    for _ in 0..10 {
        let reply = api
            .call(Method::POST, "/v1/sandbox/clock/advance")
            .token(&token)
            .json(json!({"seconds": 3600}))
            .send()
            .await;
        match reply.status {
            200 => moved += 1,
            _ => {
                limited = Some(reply);
                break;
            }
        }
    }
    let limited = limited.expect("ten requests at once exceed 2/s");
    limited.assert_problem(429, "rate-limited");
    let retry_after: u64 = limited.header("retry-after").unwrap().parse().unwrap();
    assert_eq!(
        retry_after, 1,
        "one request of a 2/s bucket is back within a second"
    );
    assert_eq!(limited.header("ratelimit-policy"), Some("\"ucr\";q=2;w=1"));
    assert!(
        limited
            .header("ratelimit")
            .unwrap()
            .starts_with("\"ucr\";r=0;t="),
        "{:?}",
        limited.header("ratelimit")
    );
    // Another principal (here: callers without a token) has a bucket of its own.
    let other = operator(&api).await;
    // After Retry-After seconds the principal may send again; the clock moved only by the
    // requests that were answered 200.
    tokio::time::sleep(std::time::Duration::from_secs(retry_after)).await;
    let after = clock(&api, &token).await;
    after.expect(200);
    let elapsed = |v: &serde_json::Value| {
        chrono::DateTime::parse_from_rfc3339(v.as_str().unwrap())
            .unwrap()
            .timestamp()
    };
    let advanced = elapsed(&after.body["now"]) - elapsed(&before);
    assert!(
        (moved * 3600..moved * 3600 + 60).contains(&advanced),
        "{moved} advances answered 200, the clock moved {advanced} s"
    );
    clock(&api, &other).await.expect(200);
}
