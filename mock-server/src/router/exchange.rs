//! What crosses the router's boundary: the request and response types, the headers the API
//! defines, refusals, and the two ways to build a response (JSON and problem documents).

use bytes::Bytes;
use http::header::{CONTENT_TYPE, HeaderName};
use http::{HeaderMap, HeaderValue, Method, StatusCode};
use serde::Serialize;
use ucr_spec::problem::{PROBLEM_JSON, Problem};

/// The `Idempotency-Key` request header.
pub const IDEMPOTENCY_KEY: HeaderName = HeaderName::from_static("idempotency-key");
/// Set to `true` on a response replayed for a repeated `Idempotency-Key`.
pub const IDEMPOTENT_REPLAYED: HeaderName = HeaderName::from_static("idempotent-replayed");
/// A unique id on every response.
pub const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// The JSON media type.
pub(crate) const JSON: &str = "application/json";

/// An HTTP request as the router sees it, borrowed from whichever server received it.
#[derive(Debug, Clone, Copy)]
pub struct ApiRequest<'a> {
    /// Request method.
    pub method: &'a Method,
    /// Path, e.g. `/v1/accounts/AU-1000001`.
    pub path: &'a str,
    /// Raw query string without `?`, if any.
    pub query: Option<&'a str>,
    /// Request headers.
    pub headers: &'a HeaderMap,
    /// The whole request body.
    pub body: &'a [u8],
}

/// The router's answer.
#[derive(Debug, Clone)]
pub struct ApiResponse {
    /// Response status; never 5xx.
    pub status: StatusCode,
    /// Response headers, including `content-type` and `x-request-id`.
    pub headers: HeaderMap,
    /// Response body.
    pub body: Bytes,
}

/// A refused request: the problem and any headers it needs (`WWW-Authenticate`, `Allow`).
pub(crate) struct Refusal {
    /// What is refused and why.
    pub(crate) problem: Problem,
    /// Headers the refusal needs.
    pub(crate) headers: HeaderMap,
}

impl From<Problem> for Refusal {
    fn from(problem: Problem) -> Self {
        Refusal {
            problem,
            headers: HeaderMap::new(),
        }
    }
}

/// A success response with a JSON body.
pub(crate) fn json<T: Serialize>(status: StatusCode, value: &T) -> ApiResponse {
    let mut headers = HeaderMap::new();
    headers.insert(CONTENT_TYPE, HeaderValue::from_static(JSON));
    let body = serde_json::to_vec(value).unwrap_or_else(|_| b"{}".to_vec());
    ApiResponse {
        status,
        headers,
        body: Bytes::from(body),
    }
}

/// An `application/problem+json` response; `instance` is the request path.
pub(crate) fn problem_response(mut problem: Problem, path: &str) -> ApiResponse {
    problem.instance = Some(path.to_owned());
    let status = StatusCode::from_u16(problem.status).unwrap_or(StatusCode::BAD_REQUEST);
    let mut response = json(status, &problem);
    response
        .headers
        .insert(CONTENT_TYPE, HeaderValue::from_static(PROBLEM_JSON));
    response
}
