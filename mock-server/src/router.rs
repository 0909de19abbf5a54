//! Transport-agnostic HTTP handling: route → authenticate → idempotency → parse → model → response.
//!
//! [`Router::handle`] takes a request's method, path, query, headers and body and returns a status,
//! headers and body. The wiremock adapter and the hyper server both call it. The registry lock is
//! taken once per request and never held across an await (there are none here).

use std::collections::HashSet;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use bytes::Bytes;
use http::header::{ALLOW, AUTHORIZATION, CONTENT_TYPE, HeaderName, WWW_AUTHENTICATE};
use http::{HeaderMap, HeaderValue, Method, StatusCode};
use serde::Serialize;
use serde::de::DeserializeOwned;
use ucr_spec::ProblemType;
use ucr_spec::model::{HoldingsQuery, PageQuery, TransactionsQuery};
use ucr_spec::paging::{
    AccountPage, AccuProjectPage, CarbonAbatementContractPage, GuaranteeOfOriginProjectPage,
    TransactionPage, UnitBlockPage,
};
use ucr_spec::problem::{InvalidParam, PROBLEM_JSON, Problem};
use ucr_spec::registers::{
    AccuProjectQuery, CarbonAbatementContractQuery, GuaranteeOfOriginProjectQuery,
};
use ucr_spec::sandbox::{IssuanceRequest, NewAccount, NewAccountHolder, NewRepresentative};
use ucr_spec::transactions::{CancellationRequest, RejectRequest, TransferRequest};
use uuid::Uuid;

use crate::paging::{PageRequest, invalid_parameter, scope_query};
use crate::registers::PublicRegisters;
use crate::registry::{Principal, Registry, RequestFingerprint, StoredResponse};

/// The `Idempotency-Key` request header.
pub const IDEMPOTENCY_KEY: HeaderName = HeaderName::from_static("idempotency-key");
/// Set to `true` on a response replayed for a repeated `Idempotency-Key`.
pub const IDEMPOTENT_REPLAYED: HeaderName = HeaderName::from_static("idempotent-replayed");
/// A unique id on every response.
pub const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

const JSON: &str = "application/json";

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

/// Routes requests to the registry model. Cheap to clone: clones share the same state.
#[derive(Debug, Clone)]
pub struct Router {
    registry: Arc<Mutex<Registry>>,
    registers: Arc<PublicRegisters>,
    sandbox: bool,
}

/// A refused request: the problem and any headers it needs (`WWW-Authenticate`, `Allow`).
struct Refusal {
    problem: Problem,
    headers: HeaderMap,
}

impl From<Problem> for Refusal {
    fn from(problem: Problem) -> Self {
        Refusal {
            problem,
            headers: HeaderMap::new(),
        }
    }
}

/// One operation of the API, with its path parameter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Operation<'a> {
    ListAccounts,
    GetAccount(&'a str),
    ListHoldings(&'a str),
    ListTransactions(&'a str),
    InitiateTransfer,
    GetTransfer(&'a str),
    ApproveTransfer(&'a str),
    RejectTransfer(&'a str),
    RescindTransfer(&'a str),
    InitiateCancellation,
    GetCancellation(&'a str),
    ApproveCancellation(&'a str),
    RescindCancellation(&'a str),
    ListAccuProjects,
    ListCarbonAbatementContracts,
    ListGuaranteeOfOriginProjects,
    CreateOperatorSession,
    CreateAccountHolder,
    CreateAccount,
    AppointRepresentative(&'a str),
    IssueUnits,
    ResetSandbox,
}

/// The operation at `path` and the one method it answers, if any.
fn resolve(path: &str) -> Option<(Method, Operation<'_>)> {
    use Operation::*;
    let rest = path.strip_prefix("/v1/")?;
    let segments: Vec<&str> = rest.split('/').collect();
    if segments.iter().any(|s| s.is_empty()) {
        return None;
    }
    let (get, post) = (Method::GET, Method::POST);
    Some(match segments.as_slice() {
        ["accounts"] => (get, ListAccounts),
        ["accounts", id] => (get, GetAccount(id)),
        ["accounts", id, "holdings"] => (get, ListHoldings(id)),
        ["accounts", id, "transactions"] => (get, ListTransactions(id)),
        ["transfers"] => (post, InitiateTransfer),
        ["transfers", id] => (get, GetTransfer(id)),
        ["transfers", id, "approve"] => (post, ApproveTransfer(id)),
        ["transfers", id, "reject"] => (post, RejectTransfer(id)),
        ["transfers", id, "rescind"] => (post, RescindTransfer(id)),
        ["cancellations"] => (post, InitiateCancellation),
        ["cancellations", id] => (get, GetCancellation(id)),
        ["cancellations", id, "approve"] => (post, ApproveCancellation(id)),
        ["cancellations", id, "rescind"] => (post, RescindCancellation(id)),
        ["registers", "accu-projects"] => (get, ListAccuProjects),
        ["registers", "carbon-abatement-contracts"] => (get, ListCarbonAbatementContracts),
        ["registers", "guarantee-of-origin-projects"] => (get, ListGuaranteeOfOriginProjects),
        ["sandbox", "operator-sessions"] => (post, CreateOperatorSession),
        ["sandbox", "account-holders"] => (post, CreateAccountHolder),
        ["sandbox", "accounts"] => (post, CreateAccount),
        ["sandbox", "accounts", id, "representatives"] => (post, AppointRepresentative(id)),
        ["sandbox", "issuances"] => (post, IssueUnits),
        ["sandbox", "reset"] => (post, ResetSandbox),
        _ => return None,
    })
}

impl Router {
    /// A router over `registry` and `registers`; with `sandbox` false every `/v1/sandbox` path
    /// answers `404 sandbox-unavailable`.
    pub fn new(
        registry: Arc<Mutex<Registry>>,
        registers: Arc<PublicRegisters>,
        sandbox: bool,
    ) -> Self {
        Router {
            registry,
            registers,
            sandbox,
        }
    }

    /// The shared registry state.
    pub fn registry(&self) -> &Arc<Mutex<Registry>> {
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
        let mut response = match self.dispatch(request) {
            Ok(response) => response,
            Err(refusal) => {
                let mut response = problem_response(refusal.problem, request.path);
                response.headers.extend(refusal.headers);
                response
            }
        };
        if let Ok(id) = HeaderValue::from_str(&Uuid::new_v4().to_string()) {
            response.headers.insert(REQUEST_ID, id);
        }
        tracing::debug!(method = %request.method, path = request.path, status = response.status.as_u16(), "request");
        response
    }

    fn lock(&self) -> MutexGuard<'_, Registry> {
        self.registry.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn dispatch(&self, request: &ApiRequest<'_>) -> Result<ApiResponse, Refusal> {
        let is_sandbox = request.path == "/v1/sandbox" || request.path.starts_with("/v1/sandbox/");
        if is_sandbox && !self.sandbox {
            return Err(ProblemType::SandboxUnavailable
                .problem("the sandbox API is disabled on this server (started with --no-sandbox)")
                .into());
        }
        let Some((method, operation)) = resolve(request.path) else {
            return Err(ProblemType::NotFound
                .problem(format!(
                    "there is no operation at {}; the API's operations are listed in its OpenAPI document",
                    request.path
                ))
                .into());
        };
        if *request.method != method {
            let mut refusal = Refusal::from(ProblemType::MethodNotAllowed.problem(format!(
                "{} is not supported on {}; use {method}",
                request.method, request.path
            )));
            refusal.headers.insert(
                ALLOW,
                HeaderValue::from_static(if method == Method::GET { "GET" } else { "POST" }),
            );
            return Err(refusal);
        }
        match operation {
            Operation::ListAccuProjects => {
                let (query, list) = scope_query("accu-projects", request.query)?;
                let list = list.as_str();
                let query: AccuProjectQuery = parse_query(Some(&query))?;
                let paging =
                    PageRequest::<String>::parse(list, query.limit, query.page_token.as_deref())?;
                let (items, next_page) =
                    paging.page(list, self.registers.accu_projects(&query).cloned(), |p| {
                        p.project_id.clone()
                    });
                Ok(json(StatusCode::OK, &AccuProjectPage { items, next_page }))
            }
            Operation::ListCarbonAbatementContracts => {
                let (query, list) = scope_query("carbon-abatement-contracts", request.query)?;
                let list = list.as_str();
                let query: CarbonAbatementContractQuery = parse_query(Some(&query))?;
                let paging =
                    PageRequest::<String>::parse(list, query.limit, query.page_token.as_deref())?;
                let rows = self.registers.carbon_abatement_contracts(&query).cloned();
                let (items, next_page) = paging.page(list, rows, |c| c.contract_id.clone());
                Ok(json(
                    StatusCode::OK,
                    &CarbonAbatementContractPage { items, next_page },
                ))
            }
            Operation::ListGuaranteeOfOriginProjects => {
                let (query, list) = scope_query("guarantee-of-origin-projects", request.query)?;
                let list = list.as_str();
                let query: GuaranteeOfOriginProjectQuery = parse_query(Some(&query))?;
                let paging =
                    PageRequest::<String>::parse(list, query.limit, query.page_token.as_deref())?;
                let rows = self.registers.guarantee_of_origin_projects(&query).cloned();
                let (items, next_page) = paging.page(list, rows, |g| g.profile_id.clone());
                Ok(json(
                    StatusCode::OK,
                    &GuaranteeOfOriginProjectPage { items, next_page },
                ))
            }
            Operation::CreateOperatorSession => {
                let session = self.lock().create_operator_session();
                Ok(json(StatusCode::CREATED, &session))
            }
            operation => {
                let mut registry = self.lock();
                let who = authenticate(&registry, request.headers)?;
                self.perform(&mut registry, &who, operation, request)
            }
        }
    }

    /// Runs an authenticated operation.
    fn perform(
        &self,
        registry: &mut Registry,
        who: &Principal,
        operation: Operation<'_>,
        request: &ApiRequest<'_>,
    ) -> Result<ApiResponse, Refusal> {
        use Operation::*;
        let created = StatusCode::CREATED;
        let ok = StatusCode::OK;
        match operation {
            ListAccounts => {
                let (query, list) = scope_query("accounts", request.query)?;
                let list = list.as_str();
                let query: PageQuery = parse_query(Some(&query))?;
                let paging =
                    PageRequest::<String>::parse(list, query.limit, query.page_token.as_deref())?;
                let (items, next_page) =
                    paging.page(list, registry.accounts(who), |a| a.account_id.clone());
                Ok(json(ok, &AccountPage { items, next_page }))
            }
            GetAccount(id) => Ok(json(ok, &registry.account(who, id)?)),
            ListHoldings(id) => {
                let (query, list) = scope_query(&format!("holdings {id}"), request.query)?;
                let query: HoldingsQuery = parse_query(Some(&query))?;
                let paging = PageRequest::<(String, u64)>::parse(
                    &list,
                    query.limit,
                    query.page_token.as_deref(),
                )?;
                let blocks = registry.holdings(who, id, &query)?;
                let (items, next_page) =
                    paging.page(&list, blocks, |b| (b.unit_type.clone(), b.serial_start));
                Ok(json(ok, &UnitBlockPage { items, next_page }))
            }
            ListTransactions(id) => {
                let (query, list) = scope_query(&format!("transactions {id}"), request.query)?;
                let query: TransactionsQuery = parse_query(Some(&query))?;
                if let (Some(from), Some(to)) = (query.from, query.to)
                    && to < from
                {
                    return Err(
                        invalid_parameter("to", "must not be before from".to_owned()).into(),
                    );
                }
                let paging = PageRequest::parse(&list, query.limit, query.page_token.as_deref())?;
                let entries = registry.history(who, id, &query)?;
                let (items, next_page) =
                    paging.page(&list, entries, |t| (t.created_at, t.transaction_id.clone()));
                Ok(json(ok, &TransactionPage { items, next_page }))
            }
            GetTransfer(id) => Ok(json(ok, &registry.transfer(who, id)?)),
            GetCancellation(id) => Ok(json(ok, &registry.cancellation(who, id)?)),
            InitiateTransfer => write(
                registry,
                who,
                request,
                Key::Required,
                created,
                parse_json,
                |r, body: TransferRequest| r.initiate_transfer(who, body),
            ),
            ApproveTransfer(id) => write(
                registry,
                who,
                request,
                Key::Required,
                ok,
                parse_empty,
                |r, ()| r.approve_transfer(who, id),
            ),
            RejectTransfer(id) => write(
                registry,
                who,
                request,
                Key::Required,
                ok,
                parse_optional,
                |r, body: RejectRequest| r.reject_transfer(who, id, body),
            ),
            RescindTransfer(id) => write(
                registry,
                who,
                request,
                Key::Required,
                ok,
                parse_empty,
                |r, ()| r.rescind_transfer(who, id),
            ),
            InitiateCancellation => write(
                registry,
                who,
                request,
                Key::Required,
                created,
                parse_json,
                |r, body: CancellationRequest| r.initiate_cancellation(who, body),
            ),
            ApproveCancellation(id) => write(
                registry,
                who,
                request,
                Key::Required,
                ok,
                parse_empty,
                |r, ()| r.approve_cancellation(who, id),
            ),
            RescindCancellation(id) => write(
                registry,
                who,
                request,
                Key::Required,
                ok,
                parse_empty,
                |r, ()| r.rescind_cancellation(who, id),
            ),
            sandbox => {
                if !who.is_operator() {
                    return Err(ProblemType::SandboxUnavailable
                        .problem(
                            "the sandbox API needs an operator's token and this one is not; start an operator \
                             session with POST /v1/sandbox/operator-sessions and use its token",
                        )
                        .into());
                }
                match sandbox {
                    CreateAccountHolder => write(
                        registry,
                        who,
                        request,
                        Key::Optional,
                        created,
                        parse_json,
                        |r, body: NewAccountHolder| r.create_account_holder(body),
                    ),
                    CreateAccount => write(
                        registry,
                        who,
                        request,
                        Key::Optional,
                        created,
                        parse_json,
                        |r, body: NewAccount| r.create_account(body),
                    ),
                    AppointRepresentative(id) => write(
                        registry,
                        who,
                        request,
                        Key::Optional,
                        created,
                        parse_json,
                        |r, body: NewRepresentative| r.appoint_representative(id, body),
                    ),
                    IssueUnits => write(
                        registry,
                        who,
                        request,
                        Key::Optional,
                        created,
                        parse_json,
                        |r, body: IssuanceRequest| r.issue_units(body),
                    ),
                    ResetSandbox => Ok(json(ok, &registry.reset())),
                    _ => Err(ProblemType::NotFound
                        .problem(format!("there is no operation at {}", request.path))
                        .into()),
                }
            }
        }
    }
}

/// Whether a write needs an `Idempotency-Key`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Key {
    Required,
    Optional,
}

/// Runs a write under the idempotency rules: authenticate (done) → key → replay or refuse reuse →
/// parse (refusals not stored) → model (response stored, success or refusal).
fn write<T, R: Serialize>(
    registry: &mut Registry,
    who: &Principal,
    request: &ApiRequest<'_>,
    key: Key,
    success: StatusCode,
    parse: fn(&ApiRequest<'_>) -> Result<T, Refusal>,
    perform: impl FnOnce(&mut Registry, T) -> Result<R, Problem>,
) -> Result<ApiResponse, Refusal> {
    let key = idempotency_key(request.headers, key)?;
    let fingerprint = RequestFingerprint {
        method: request.method.to_string(),
        path: request.path.to_owned(),
        body: request.body.to_vec(),
    };
    if let Some(key) = &key
        && let Some(record) = registry.recall(who, key)
    {
        if record.fingerprint != fingerprint {
            return Err(ProblemType::IdempotencyKeyReused
                .problem(format!(
                    "Idempotency-Key {key:?} was first used with {} {} and a different body; \
                     use a new key for a new request",
                    record.fingerprint.method, record.fingerprint.path
                ))
                .into());
        }
        let stored = &record.response;
        let mut headers = HeaderMap::new();
        if let Ok(content_type) = HeaderValue::from_str(&stored.content_type) {
            headers.insert(CONTENT_TYPE, content_type);
        }
        headers.insert(IDEMPOTENT_REPLAYED, HeaderValue::from_static("true"));
        return Ok(ApiResponse {
            status: StatusCode::from_u16(stored.status).unwrap_or(StatusCode::OK),
            headers,
            body: Bytes::from(stored.body.clone()),
        });
    }
    let body = parse(request)?;
    let response = match perform(registry, body) {
        Ok(value) => json(success, &value),
        Err(problem) => problem_response(problem, request.path),
    };
    if let Some(key) = key {
        let content_type = response
            .headers
            .get(CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or(JSON)
            .to_owned();
        let stored = StoredResponse {
            status: response.status.as_u16(),
            content_type,
            body: response.body.to_vec(),
        };
        registry.remember(who, &key, fingerprint, stored);
    }
    Ok(response)
}

/// The caller's principal from `Authorization: Bearer <token>`, or `401 unauthenticated`.
fn authenticate(registry: &Registry, headers: &HeaderMap) -> Result<Principal, Refusal> {
    let token = headers
        .get(AUTHORIZATION)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| {
            let (scheme, token) = value.trim().split_once(' ')?;
            scheme.eq_ignore_ascii_case("bearer").then(|| token.trim())
        });
    let (detail, challenge) = match token {
        None => (
            "send Authorization: Bearer <token>. In the sandbox, POST /v1/sandbox/operator-sessions gives an \
             operator token and appointing a representative gives that representative's token",
            "Bearer",
        ),
        Some(token) => match registry.authenticate(token) {
            Some(principal) => return Ok(principal),
            None => (
                "the bearer token is not known to this registry (a sandbox reset removes representatives' \
                 tokens); get a new one",
                "Bearer error=\"invalid_token\"",
            ),
        },
    };
    let mut refusal = Refusal::from(ProblemType::Unauthenticated.problem(detail));
    refusal
        .headers
        .insert(WWW_AUTHENTICATE, HeaderValue::from_static(challenge));
    Err(refusal)
}

/// The `Idempotency-Key`: 1–255 visible ASCII characters.
fn idempotency_key(headers: &HeaderMap, key: Key) -> Result<Option<String>, Refusal> {
    let mut values = headers.get_all(IDEMPOTENCY_KEY).iter();
    let Some(value) = values.next() else {
        return match key {
            Key::Required => Err(ProblemType::IdempotencyKeyRequired
                .problem("this write needs an Idempotency-Key header: a fresh UUID per logical request, reused only on retries")
                .into()),
            Key::Optional => Ok(None),
        };
    };
    let invalid = |reason: &str| -> Refusal {
        let mut problem =
            ProblemType::InvalidParameter.problem(format!("header Idempotency-Key: {reason}"));
        problem.invalid_params.push(InvalidParam {
            name: "Idempotency-Key".to_owned(),
            reason: reason.to_owned(),
        });
        problem.into()
    };
    if values.next().is_some() {
        return Err(invalid("send the header once"));
    }
    let bytes = value.as_bytes();
    if bytes.is_empty() || bytes.len() > 255 || !bytes.iter().all(|b| (0x21..=0x7e).contains(b)) {
        return Err(invalid(
            "must be 1 to 255 visible ASCII characters (a UUID is recommended)",
        ));
    }
    Ok(Some(String::from_utf8_lossy(bytes).into_owned()))
}

/// Parses the query string into a spec query type; failures name the parameter when they can.
fn parse_query<Q: DeserializeOwned>(query: Option<&str>) -> Result<Q, Refusal> {
    let query = query.unwrap_or("");
    serde_urlencoded::from_str::<Q>(query).map_err(|error| {
        let pairs: Vec<(String, String)> = serde_urlencoded::from_str(query).unwrap_or_default();
        let mut seen = HashSet::new();
        let culprit = pairs.iter().find_map(|(name, value)| {
            if !seen.insert(name.as_str()) {
                return Some((name.clone(), "given more than once".to_owned()));
            }
            let single = serde_urlencoded::to_string([(name, value)]).ok()?;
            serde_urlencoded::from_str::<Q>(&single)
                .err()
                .map(|e| (name.clone(), e.to_string()))
        });
        match culprit {
            Some((name, reason)) => invalid_parameter(&name, reason).into(),
            None => ProblemType::InvalidParameter
                .problem(format!("the query string is not acceptable: {error}"))
                .into(),
        }
    })
}

/// Refuses a body declared as something other than JSON.
fn check_content_type(headers: &HeaderMap) -> Result<(), Refusal> {
    let Some(value) = headers.get(CONTENT_TYPE) else {
        return Ok(());
    };
    let essence = value
        .to_str()
        .unwrap_or("")
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    if essence == JSON || (essence.starts_with("application/") && essence.ends_with("+json")) {
        Ok(())
    } else {
        Err(ProblemType::MalformedRequest
            .problem(format!(
                "the body must be JSON (Content-Type: application/json), not {essence:?}"
            ))
            .into())
    }
}

fn malformed(error: serde_json::Error) -> Refusal {
    ProblemType::MalformedRequest
        .problem(format!(
            "the request body does not match the operation's schema: {error}"
        ))
        .into()
}

/// A required JSON body of type `T`.
fn parse_json<T: DeserializeOwned>(request: &ApiRequest<'_>) -> Result<T, Refusal> {
    check_content_type(request.headers)?;
    serde_json::from_slice(request.body).map_err(malformed)
}

/// An optional JSON body: empty means `T::default()`.
fn parse_optional<T: DeserializeOwned + Default>(request: &ApiRequest<'_>) -> Result<T, Refusal> {
    if request.body.trim_ascii().is_empty() {
        return Ok(T::default());
    }
    parse_json(request)
}

/// No body: empty or `{}`.
fn parse_empty(request: &ApiRequest<'_>) -> Result<(), Refusal> {
    /// An object with no fields.
    #[derive(serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    struct NoFields {}
    if request.body.trim_ascii().is_empty() {
        return Ok(());
    }
    check_content_type(request.headers)?;
    match serde_json::from_slice::<serde_json::Value>(request.body) {
        Ok(serde_json::Value::Object(_)) => serde_json::from_slice::<NoFields>(request.body)
            .map(|_| ())
            .map_err(malformed),
        Ok(_) => Err(ProblemType::MalformedRequest
            .problem("this operation takes no body; send none, or {}")
            .into()),
        Err(error) => Err(malformed(error)),
    }
}

/// A success response with a JSON body.
fn json<T: Serialize>(status: StatusCode, value: &T) -> ApiResponse {
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
fn problem_response(mut problem: Problem, path: &str) -> ApiResponse {
    problem.instance = Some(path.to_owned());
    let status = StatusCode::from_u16(problem.status).unwrap_or(StatusCode::BAD_REQUEST);
    let mut response = json(status, &problem);
    response
        .headers
        .insert(CONTENT_TYPE, HeaderValue::from_static(PROBLEM_JSON));
    response
}
