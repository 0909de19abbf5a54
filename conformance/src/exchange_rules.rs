//! What the engine holds every exchange of every check to, whatever the check asserts: no `5xx`
//! or `429` answer (the suite never retries), and every problem document's `instance` is the
//! request's path (REQ-PROBLEM-004).

use ucr_sdk::Exchange;

use crate::outcome::Failure;

/// A failure naming every exchange among a check's `exchanges` that breaks a run-wide rule, pinned
/// to the first of them; `None` when they all keep them.
pub(crate) fn broken(exchanges: &[Exchange]) -> Option<Failure> {
    let mut first = None;
    let mut problems = Vec::new();
    // Deliveries to the suite's receiver carry the receiver's own answers (a 500 on purpose).
    for exchange in exchanges
        .iter()
        .filter(|e| e.operation_id != crate::receiver::WEBHOOK_DELIVERY)
    {
        let found = server_error(exchange).or_else(|| wrong_instance(exchange));
        if let Some(problem) = found {
            first.get_or_insert(exchange);
            problems.push(problem);
        }
    }
    let first = first?;
    Some(Failure::new(problems.join("; ")).with_exchange(first.clone()))
}

/// A `5xx` or `429` answer. No requirement lets a conforming target give either to the suite's
/// requests: REQ-PROBLEM-009 makes any `5xx` a failure whose effect is unknown, and the contract
/// defines no rate limit. The suite's client never retries, so an intermittent `503` shows here.
fn server_error(exchange: &Exchange) -> Option<String> {
    let status = exchange.status?;
    (status == 429 || (500..=599).contains(&status)).then(|| {
        format!(
            "{} {} answered HTTP {status}: the suite never retries, and no requirement allows a \
             server error or rate limit here (REQ-PROBLEM-009: any 5xx is a failure)",
            exchange.method, exchange.url
        )
    })
}

/// A problem document (`application/problem+json`) whose `instance` is missing or is not the
/// request's path. REQ-PROBLEM-004: "`instance` member MUST be present and MUST be the path of the
/// request (the `/v1/…` path exactly as received, without scheme, host or query string)".
fn wrong_instance(exchange: &Exchange) -> Option<String> {
    let is_problem = exchange.response_headers.iter().any(|(name, value)| {
        name.eq_ignore_ascii_case("content-type")
            && value
                .split(';')
                .next()
                .is_some_and(|m| m.trim().eq_ignore_ascii_case("application/problem+json"))
    });
    if !is_problem {
        return None;
    }
    let path = reqwest::Url::parse(&exchange.url).ok()?.path().to_owned();
    let document: serde_json::Value = serde_json::from_slice(&exchange.response_body).ok()?;
    let instance = document.get("instance");
    (instance.and_then(|i| i.as_str()) != Some(path.as_str())).then(|| {
        format!(
            "{} {} answered a problem document whose `instance` is {}, expected the request path \
             {path:?} (REQ-PROBLEM-004)",
            exchange.method,
            exchange.url,
            instance.map_or_else(|| "missing".to_owned(), ToString::to_string)
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn exchange(status: u16, content_type: &str, body: &str) -> Exchange {
        Exchange {
            operation_id: "get_account",
            method: "GET".into(),
            url: "http://127.0.0.1:1/v1/accounts/AU-1?limit=2".into(),
            request_headers: Vec::new(),
            request_body: Default::default(),
            status: Some(status),
            response_headers: vec![("content-type".into(), content_type.into())],
            response_body: body.to_owned().into(),
        }
    }

    #[test]
    fn server_errors_and_rate_limits_break_the_rules() {
        for status in [429, 500, 503] {
            let failure = broken(&[exchange(status, "text/plain", "")]).expect("broken");
            assert!(failure.message.contains(&format!("HTTP {status}")));
        }
        assert!(broken(&[exchange(404, "text/plain", "")]).is_none());
        let delivery = Exchange {
            operation_id: crate::receiver::WEBHOOK_DELIVERY,
            ..exchange(500, "text/plain", "")
        };
        assert!(broken(&[delivery]).is_none(), "the receiver's own 500");
    }

    #[test]
    fn problem_instances_must_be_the_request_path() {
        let problem = "application/problem+json; charset=utf-8";
        assert!(
            broken(&[exchange(
                404,
                problem,
                r#"{"instance":"/v1/accounts/AU-1"}"#
            )])
            .is_none()
        );
        for body in [
            r#"{"type":"x"}"#,
            r#"{"instance":"/v1/accounts/AU-1?limit=2"}"#,
            r#"{"instance":"http://127.0.0.1:1/v1/accounts/AU-1"}"#,
            r#"{"instance":"urn:uuid:1"}"#,
        ] {
            let failure = broken(&[exchange(404, problem, body)]).expect(body);
            assert!(
                failure.message.contains("REQ-PROBLEM-004"),
                "{}",
                failure.message
            );
        }
    }
}
