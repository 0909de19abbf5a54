//! Transport-agnostic HTTP handling: route → authenticate → idempotency → parse → model → response.
//!
//! [`Router::handle`] takes a request's method, path, query, headers and body and returns a status,
//! headers and body. The wiremock adapter and the hyper server both call it. The registry lock is
//! taken once per request and never held across an await (there are none here).
//!
//! Every error is a problem document except at the OAuth token and revocation endpoints
//! (`/v1/oauth/token`, `/v1/oauth/revoke`), which answer RFC 6749 `{error, error_description}`
//! JSON as OAuth clients expect, and the authorization endpoint's redirects (RFC 6749 4.1.2.1).
//!
//! - `routes`: the routing table (one entry per operation of the contract) and path resolution.
//! - `dispatch`: one line per operation, from the operation to its handler.
//! - `lists`, `reads`, `writes`: the handlers, by the shape of the operation; `page_json`: the
//!   holdings and history pages written as JSON from the records, while the registry is read
//!   (`Router::shared`); `registers`: the
//!   public registers' lists (JSON pages or CSV) and lookups by ID, over `register_rows` (their
//!   rows as JSON values and serialised text, prepared once).
//! - `idempotency`: the `Idempotency-Key` rules every write runs under.
//! - `extract`: the bearer token, the query string and the body, parsed.
//! - `oauth`: the token endpoint; `oauth_form`: its form and client authentication, shared with
//!   `revoke` (RFC 7009); `discovery` (RFC 8414); `authorize` and `consent_page`: the
//!   authorization endpoint and its HTML page; `scope`: flow tokens' scopes enforced.
//! - `call`, `exchange`: the handler's context; requests, responses and refusals.

mod authorize;
mod call;
mod consent_page;
mod discovery;
mod dispatch;
mod exchange;
mod extract;
mod idempotency;
mod lists;
mod oauth;
mod oauth_form;
mod page_json;
mod reads;
mod register_rows;
mod registers;
mod revoke;
mod routes;
mod scope;
mod writes;

use std::sync::{Arc, PoisonError, RwLock, RwLockReadGuard, RwLockWriteGuard};
use std::time::Instant;

use http::HeaderValue;
use http::header::{CONTENT_TYPE, WWW_AUTHENTICATE};
use ucr_spec::problem::PROBLEM_JSON;

pub use exchange::{ApiRequest, ApiResponse, IDEMPOTENCY_KEY, IDEMPOTENT_REPLAYED, REQUEST_ID};

use crate::faults::{Fault, Faults};
use crate::public_registers::PublicRegisters;
use crate::rate_limit::{Decision, Limiter, RateLimit};
use crate::registry::Registry;
use exchange::{JSON, Refusal, problem_response};
use register_rows::PreparedRegisters;

/// Routes requests to the registry model. Cheap to clone: clones share the same state.
#[derive(Debug, Clone)]
pub struct Router {
    registry: Arc<RwLock<Registry>>,
    registers: Arc<PublicRegisters>,
    /// The registers' rows, prepared once for the register operations.
    prepared: Arc<PreparedRegisters>,
    sandbox: bool,
    /// The registry's deliberate bugs, copied at construction (see [`crate::faults`]).
    faults: Faults,
    /// The rate limiter, when a limit is configured (see [`crate::rate_limit`]).
    limiter: Option<Arc<Limiter>>,
}

impl Router {
    /// A router over `registry` and `registers`; with `sandbox` false every `/v1/sandbox` path
    /// answers `404 sandbox-unavailable`.
    pub fn new(
        registry: Arc<RwLock<Registry>>,
        registers: Arc<PublicRegisters>,
        sandbox: bool,
    ) -> Self {
        let faults = registry
            .write()
            .unwrap_or_else(PoisonError::into_inner)
            .faults();
        Router {
            registry,
            prepared: Arc::new(PreparedRegisters::new(registers.clone())),
            registers,
            sandbox,
            faults,
            limiter: None,
        }
    }

    /// Limits each principal's requests to `limit`, or nothing with `None` (the default).
    pub fn with_rate_limit(mut self, limit: Option<RateLimit>) -> Self {
        self.limiter = limit.map(|limit| Arc::new(Limiter::new(limit)));
        self
    }

    /// The shared registry state.
    pub fn registry(&self) -> &Arc<RwLock<Registry>> {
        &self.registry
    }

    /// The public registers served.
    pub fn registers(&self) -> &Arc<PublicRegisters> {
        &self.registers
    }

    /// Whether the sandbox API is enabled.
    pub fn sandbox_enabled(&self) -> bool {
        self.sandbox
    }

    /// Answers one request. Never panics on any input and never answers 5xx.
    pub fn handle(&self, request: &ApiRequest<'_>) -> ApiResponse {
        let decision = self.limiter.as_ref().map(|limiter| {
            let principal = extract::authenticate(&self.lock(), request.headers).ok();
            (limiter.limit(), limiter.take(principal, Instant::now()))
        });
        let dispatched = match decision {
            Some((_, Decision::Limited { retry_after, .. })) => Err(rate_limited(retry_after)),
            _ => self.dispatch(request),
        };
        let mut response = match dispatched {
            Ok(response) => response,
            Err(refusal) => {
                let mut response = problem_response(refusal.problem, request.path);
                response.headers.extend(refusal.headers);
                response
            }
        };
        if self.faults.has(Fault::MissingWwwAuthenticate) {
            // FAULT(missing-www-authenticate): the 401 challenge is forgotten.
            response.headers.remove(WWW_AUTHENTICATE);
        }
        if self.faults.has(Fault::ProblemPlainJson)
            && response.headers.get(CONTENT_TYPE) == Some(&HeaderValue::from_static(PROBLEM_JSON))
        {
            // FAULT(problem-plain-json): problems go out with the generic JSON media type.
            response
                .headers
                .insert(CONTENT_TYPE, HeaderValue::from_static(JSON));
        }
        if let Some((limit, decision)) = decision {
            response.headers.extend(decision.headers(limit));
        }
        // A version 4 UUID from the thread's generator, formatted on the stack: `Uuid::new_v4`
        // asks the kernel for its random bytes on every call.
        let id = uuid::Builder::from_random_bytes(rand::random()).into_uuid();
        let mut text = [0; uuid::fmt::Hyphenated::LENGTH];
        if let Ok(id) = HeaderValue::from_str(id.hyphenated().encode_lower(&mut text)) {
            response.headers.insert(REQUEST_ID, id);
        }
        tracing::debug!(method = %request.method, path = request.path, status = response.status.as_u16(), "request");
        response
    }

    /// The registry, locked for writing (a panic elsewhere does not poison it for good).
    fn lock(&self) -> RwLockWriteGuard<'_, Registry> {
        self.registry
            .write()
            .unwrap_or_else(PoisonError::into_inner)
    }

    /// The registry, shared with other readers (a panic elsewhere does not poison it for good).
    fn read(&self) -> RwLockReadGuard<'_, Registry> {
        self.registry.read().unwrap_or_else(PoisonError::into_inner)
    }
}

/// `429 rate-limited` with `Retry-After` (`REQ-RATE-001`); nothing is dispatched.
fn rate_limited(retry_after: u64) -> Refusal {
    let mut refusal = Refusal::from(ucr_spec::ProblemType::RateLimited.problem(format!(
        "this principal sent more requests than its rate limit allows; retry after {retry_after} s"
    )));
    if let Ok(value) = HeaderValue::from_str(&retry_after.to_string()) {
        refusal.headers.insert(http::header::RETRY_AFTER, value);
    }
    refusal
}
