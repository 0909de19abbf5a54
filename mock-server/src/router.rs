//! Transport-agnostic HTTP handling: route → authenticate → idempotency → parse → model → response.
//!
//! [`Router::handle`] takes a request's method, path, query, headers and body and returns a status,
//! headers and body. The wiremock adapter and the hyper server both call it. The registry lock is
//! taken once per request and never held across an await (there are none here).
//!
//! Every error is a problem document except at the OAuth token endpoint (`/v1/oauth/token`), which
//! answers RFC 6749 `{error, error_description}` JSON as OAuth clients expect.

use std::collections::HashSet;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use bytes::Bytes;
use http::header::{
    ALLOW, AUTHORIZATION, CACHE_CONTROL, CONTENT_TYPE, HeaderName, PRAGMA, WWW_AUTHENTICATE,
};
use http::{HeaderMap, HeaderValue, Method, StatusCode};
use serde::Serialize;
use serde::de::DeserializeOwned;
use ucr_spec::ProblemType;
use ucr_spec::associations::{AssociationRequest, AssociationsQuery};
use ucr_spec::model::{HoldingsQuery, PageQuery, TransactionsQuery};
use ucr_spec::paging::{
    AccountPage, AccuProjectPage, AssociationPage, CarbonAbatementContractPage, ConsentPage,
    DelegationPage, EscrowPage, GuaranteeOfOriginProjectPage, ReservationPage, TransactionPage,
    UnitBlockPage, WebhookDeliveryPage, WebhookSubscriptionPage,
};
use ucr_spec::platforms::{ConsentRequest, ConsentsQuery, DelegationRequest, OAuthError};
use ucr_spec::problem::{InvalidParam, PROBLEM_JSON, Problem};
use ucr_spec::registers::{
    AccuProjectQuery, CarbonAbatementContractQuery, GuaranteeOfOriginProjectQuery,
};
use ucr_spec::sandbox::{
    ClockAdvance, IssuanceRequest, NewAccount, NewAccountHolder, NewPlatform,
    NewPlatformRepresentative, NewRepresentative,
};
use ucr_spec::trading::{
    EscrowRequest, EscrowsQuery, ReservationRequest, ReservationsQuery, SettleRequest,
};
use ucr_spec::transactions::{CancellationRequest, RejectRequest, TransferRequest};
use ucr_spec::webhooks::{DeliveriesQuery, WebhookSubscriptionRequest};
use uuid::Uuid;

use crate::faults::{Fault, Faults};
use crate::paging::{PageRequest, invalid_parameter, scope_query};
use crate::registers::PublicRegisters;
use crate::registry::{AssociationFilter, Principal, Registry, RequestFingerprint, StoredResponse};

/// The `Idempotency-Key` request header.
pub const IDEMPOTENCY_KEY: HeaderName = HeaderName::from_static("idempotency-key");
/// Set to `true` on a response replayed for a repeated `Idempotency-Key`.
pub const IDEMPOTENT_REPLAYED: HeaderName = HeaderName::from_static("idempotent-replayed");
/// A unique id on every response.
pub const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

const JSON: &str = "application/json";

/// The OAuth 2.0 token endpoint, which answers RFC 6749 errors rather than problem documents.
const TOKEN_PATH: &str = "/v1/oauth/token";

/// The media type of a token request.
const FORM: &str = "application/x-www-form-urlencoded";

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
    /// The registry's deliberate bugs, copied at construction (see [`crate::faults`]).
    faults: Faults,
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

/// One operation of the API, with its path parameters.
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
    GetPlatform(&'a str),
    GrantConsent(&'a str),
    ListAccountConsents(&'a str),
    ListConsents,
    GetConsent(&'a str),
    RevokeConsent(&'a str),
    AppointDelegate(&'a str),
    ListDelegations(&'a str),
    RevokeDelegation(&'a str, &'a str),
    CreateReservation,
    ListReservations,
    GetReservation(&'a str),
    ReleaseReservation(&'a str),
    CreateEscrow,
    ListEscrows,
    GetEscrow(&'a str),
    SettleEscrow(&'a str),
    ReleaseEscrow(&'a str),
    CreateAssociation,
    ListAssociations,
    GetAssociation(&'a str),
    DissolveAssociation(&'a str),
    CreateWebhookSubscription,
    ListWebhookSubscriptions,
    DeleteWebhookSubscription(&'a str),
    ListWebhookDeliveries(&'a str),
    CreateOperatorSession,
    CreateAccountHolder,
    CreateAccount,
    AppointRepresentative(&'a str),
    IssueUnits,
    ResetSandbox,
    CreatePlatform,
    CreatePlatformRepresentative(&'a str),
    GetClock,
    AdvanceClock,
}

/// The operations at one path, by method.
#[derive(Debug, Clone, Copy, Default)]
struct Route<'a> {
    get: Option<Operation<'a>>,
    post: Option<Operation<'a>>,
    delete: Option<Operation<'a>>,
}

impl<'a> Route<'a> {
    fn get(operation: Operation<'a>) -> Self {
        Route {
            get: Some(operation),
            ..Route::default()
        }
    }

    fn post(operation: Operation<'a>) -> Self {
        Route {
            post: Some(operation),
            ..Route::default()
        }
    }

    fn get_post(list: Operation<'a>, create: Operation<'a>) -> Self {
        Route {
            get: Some(list),
            post: Some(create),
            ..Route::default()
        }
    }

    fn delete(operation: Operation<'a>) -> Self {
        Route {
            delete: Some(operation),
            ..Route::default()
        }
    }

    /// The operation answering `method`, if any.
    fn pick(&self, method: &Method) -> Option<Operation<'a>> {
        match *method {
            Method::GET => self.get,
            Method::POST => self.post,
            Method::DELETE => self.delete,
            _ => None,
        }
    }

    /// The methods this path answers, for `Allow`.
    fn allow(&self) -> String {
        [
            (self.get.is_some(), "GET"),
            (self.post.is_some(), "POST"),
            (self.delete.is_some(), "DELETE"),
        ]
        .into_iter()
        .filter_map(|(present, name)| present.then_some(name))
        .collect::<Vec<_>>()
        .join(", ")
    }
}

/// The operations at `path`, if any. The token endpoint ([`TOKEN_PATH`]) is answered before
/// routing, with its own error format.
fn resolve(path: &str) -> Option<Route<'_>> {
    use Operation::*;
    let rest = path.strip_prefix("/v1/")?;
    let segments: Vec<&str> = rest.split('/').collect();
    if segments.iter().any(|s| s.is_empty()) {
        return None;
    }
    Some(match segments.as_slice() {
        ["accounts"] => Route::get(ListAccounts),
        ["accounts", id] => Route::get(GetAccount(id)),
        ["accounts", id, "holdings"] => Route::get(ListHoldings(id)),
        ["accounts", id, "transactions"] => Route::get(ListTransactions(id)),
        ["accounts", id, "consents"] => Route::get_post(ListAccountConsents(id), GrantConsent(id)),
        ["accounts", id, "delegations"] => {
            Route::get_post(ListDelegations(id), AppointDelegate(id))
        }
        ["accounts", id, "delegations", delegation, "revoke"] => {
            Route::post(RevokeDelegation(id, delegation))
        }
        ["transfers"] => Route::post(InitiateTransfer),
        ["transfers", id] => Route::get(GetTransfer(id)),
        ["transfers", id, "approve"] => Route::post(ApproveTransfer(id)),
        ["transfers", id, "reject"] => Route::post(RejectTransfer(id)),
        ["transfers", id, "rescind"] => Route::post(RescindTransfer(id)),
        ["cancellations"] => Route::post(InitiateCancellation),
        ["cancellations", id] => Route::get(GetCancellation(id)),
        ["cancellations", id, "approve"] => Route::post(ApproveCancellation(id)),
        ["cancellations", id, "rescind"] => Route::post(RescindCancellation(id)),
        ["registers", "accu-projects"] => Route::get(ListAccuProjects),
        ["registers", "carbon-abatement-contracts"] => Route::get(ListCarbonAbatementContracts),
        ["registers", "guarantee-of-origin-projects"] => Route::get(ListGuaranteeOfOriginProjects),
        ["platforms", id] => Route::get(GetPlatform(id)),
        ["consents"] => Route::get(ListConsents),
        ["consents", id] => Route::get(GetConsent(id)),
        ["consents", id, "revoke"] => Route::post(RevokeConsent(id)),
        ["reservations"] => Route::get_post(ListReservations, CreateReservation),
        ["reservations", id] => Route::get(GetReservation(id)),
        ["reservations", id, "release"] => Route::post(ReleaseReservation(id)),
        ["escrows"] => Route::get_post(ListEscrows, CreateEscrow),
        ["escrows", id] => Route::get(GetEscrow(id)),
        ["escrows", id, "settle"] => Route::post(SettleEscrow(id)),
        ["escrows", id, "release"] => Route::post(ReleaseEscrow(id)),
        ["associations"] => Route::get_post(ListAssociations, CreateAssociation),
        ["associations", id] => Route::get(GetAssociation(id)),
        ["associations", id, "dissolve"] => Route::post(DissolveAssociation(id)),
        ["webhook-subscriptions"] => {
            Route::get_post(ListWebhookSubscriptions, CreateWebhookSubscription)
        }
        ["webhook-subscriptions", id] => Route::delete(DeleteWebhookSubscription(id)),
        ["webhook-subscriptions", id, "deliveries"] => Route::get(ListWebhookDeliveries(id)),
        ["sandbox", "operator-sessions"] => Route::post(CreateOperatorSession),
        ["sandbox", "account-holders"] => Route::post(CreateAccountHolder),
        ["sandbox", "accounts"] => Route::post(CreateAccount),
        ["sandbox", "accounts", id, "representatives"] => Route::post(AppointRepresentative(id)),
        ["sandbox", "issuances"] => Route::post(IssueUnits),
        ["sandbox", "reset"] => Route::post(ResetSandbox),
        ["sandbox", "platforms"] => Route::post(CreatePlatform),
        ["sandbox", "platforms", id, "representatives"] => {
            Route::post(CreatePlatformRepresentative(id))
        }
        ["sandbox", "clock"] => Route::get(GetClock),
        ["sandbox", "clock", "advance"] => Route::post(AdvanceClock),
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
        let faults = registry
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .faults();
        Router {
            registry,
            registers,
            sandbox,
            faults,
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
        if let Ok(id) = HeaderValue::from_str(&Uuid::new_v4().to_string()) {
            response.headers.insert(REQUEST_ID, id);
        }
        tracing::debug!(method = %request.method, path = request.path, status = response.status.as_u16(), "request");
        response
    }

    /// The OAuth 2.0 token endpoint (client-credentials grant, RFC 6749 section 4.4): a
    /// form-encoded body, client authentication in the body or by HTTP Basic, errors as RFC 6749
    /// JSON. Unrecognised parameters are ignored, as RFC 6749 requires.
    fn issue_token(&self, request: &ApiRequest<'_>) -> ApiResponse {
        if *request.method != Method::POST {
            let mut response = oauth_error(
                StatusCode::METHOD_NOT_ALLOWED,
                "invalid_request",
                "the token endpoint takes POST",
            );
            response
                .headers
                .insert(ALLOW, HeaderValue::from_static("POST"));
            return response;
        }
        let bad = |description: &str| {
            oauth_error(StatusCode::BAD_REQUEST, "invalid_request", description)
        };
        let essence = request
            .headers
            .get(CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(';').next())
            .map(|v| v.trim().to_ascii_lowercase());
        if essence.as_deref() != Some(FORM) {
            return bad(
                "send the parameters form-encoded (Content-Type: application/x-www-form-urlencoded)",
            );
        }
        let Ok(pairs) = serde_urlencoded::from_bytes::<Vec<(String, String)>>(request.body) else {
            return bad("the body is not a valid form-encoded parameter list");
        };
        let mut seen = HashSet::new();
        let known = ["grant_type", "client_id", "client_secret", "scope"];
        if let Some((name, _)) = pairs
            .iter()
            .find(|(name, _)| known.contains(&name.as_str()) && !seen.insert(name.as_str()))
        {
            return bad(&format!("parameter {name} is given more than once"));
        }
        let parameter = |name: &str| {
            pairs
                .iter()
                .find(|(n, _)| n == name)
                .map(|(_, v)| v.as_str())
        };
        match parameter("grant_type") {
            None => return bad("grant_type is required; use grant_type=client_credentials"),
            Some("client_credentials") => {}
            Some(other) => {
                return oauth_error(
                    StatusCode::BAD_REQUEST,
                    "unsupported_grant_type",
                    &format!("grant type {other:?} is not supported; use client_credentials"),
                );
            }
        }
        let basic = basic_credentials(request.headers);
        let used_basic = basic.is_some();
        let in_body = parameter("client_id").is_some() || parameter("client_secret").is_some();
        let credentials = match (basic, in_body) {
            (Some(Err(())), _) => return bad("the Authorization header is not valid HTTP Basic"),
            (Some(Ok(_)), true) => {
                return bad(
                    "authenticate the client one way: HTTP Basic or client_id and client_secret in the body",
                );
            }
            (Some(Ok(pair)), false) => Some(pair),
            (None, _) => match (parameter("client_id"), parameter("client_secret")) {
                (Some(id), Some(secret)) => Some((id.to_owned(), secret.to_owned())),
                (None, None) => None,
                _ => return bad("send both client_id and client_secret"),
            },
        };
        let token = credentials.and_then(|(id, secret)| self.lock().issue_token(&id, &secret));
        let mut response = match token {
            Some(token) => json(StatusCode::OK, &token),
            None => {
                let mut response = oauth_error(
                    StatusCode::UNAUTHORIZED,
                    "invalid_client",
                    "unknown client, wrong secret, or no client authentication; use the client_id and \
                     client_secret the platform was registered with",
                );
                if used_basic {
                    response.headers.insert(
                        WWW_AUTHENTICATE,
                        HeaderValue::from_static("Basic realm=\"ucr\""),
                    );
                }
                response
            }
        };
        response
            .headers
            .insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
        response
            .headers
            .insert(PRAGMA, HeaderValue::from_static("no-cache"));
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
        if request.path == TOKEN_PATH {
            return Ok(self.issue_token(request));
        }
        let Some(route) = resolve(request.path) else {
            return Err(ProblemType::NotFound
                .problem(format!(
                    "there is no operation at {}; the API's operations are listed in its OpenAPI document",
                    request.path
                ))
                .into());
        };
        let Some(operation) = route.pick(request.method) else {
            let allow = route.allow();
            let mut refusal = Refusal::from(ProblemType::MethodNotAllowed.problem(format!(
                "{} is not supported on {}; use {allow}",
                request.method, request.path
            )));
            if let Ok(value) = HeaderValue::from_str(&allow) {
                refusal.headers.insert(ALLOW, value);
            }
            return Err(refusal);
        };
        match operation {
            Operation::ListAccuProjects => {
                let (query, list) = scope_query("accu-projects", request.query)?;
                let list = list.as_str();
                let query: AccuProjectQuery = parse_query(Some(&query))?;
                let paging = PageRequest::<String>::parse(
                    self.faults,
                    list,
                    query.limit,
                    query.page_token.as_deref(),
                )?;
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
                let paging = PageRequest::<String>::parse(
                    self.faults,
                    list,
                    query.limit,
                    query.page_token.as_deref(),
                )?;
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
                let paging = PageRequest::<String>::parse(
                    self.faults,
                    list,
                    query.limit,
                    query.page_token.as_deref(),
                )?;
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
                let paging = PageRequest::<String>::parse(
                    self.faults,
                    list,
                    query.limit,
                    query.page_token.as_deref(),
                )?;
                let (items, next_page) =
                    paging.page(list, registry.accounts(who), |a| a.account_id.clone());
                Ok(json(ok, &AccountPage { items, next_page }))
            }
            GetAccount(id) => Ok(json(ok, &registry.account(who, id)?)),
            ListHoldings(id) => {
                let (query, list) = scope_query(&format!("holdings {id}"), request.query)?;
                let query: HoldingsQuery = parse_query(Some(&query))?;
                let paging = PageRequest::<(String, u64)>::parse(
                    self.faults,
                    &list,
                    query.limit,
                    query.page_token.as_deref(),
                )?;
                let blocks =
                    registry.holdings_page(who, id, &query, paging.after(), paging.fetch())?;
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
                let paging = PageRequest::parse(
                    self.faults,
                    &list,
                    query.limit,
                    query.page_token.as_deref(),
                )?;
                let entries =
                    registry.history_page(who, id, &query, paging.after(), paging.fetch())?;
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
            GetPlatform(id) => Ok(json(ok, &registry.platform(id)?)),
            GrantConsent(id) => write(
                registry,
                who,
                request,
                Key::Required,
                created,
                parse_json,
                |r, body: ConsentRequest| r.grant_consent(who, id, body),
            ),
            ListAccountConsents(id) => {
                let (query, list) = scope_query(&format!("consents {id}"), request.query)?;
                let query: ConsentsQuery = parse_query(Some(&query))?;
                let paging = PageRequest::<String>::parse(
                    self.faults,
                    &list,
                    query.limit,
                    query.page_token.as_deref(),
                )?;
                let consents = registry.account_consents(who, id, query.status)?;
                let (items, next_page) = paging.page(&list, consents, |c| c.consent_id.clone());
                Ok(json(ok, &ConsentPage { items, next_page }))
            }
            ListConsents => {
                let (query, list) = scope_query("consents", request.query)?;
                let query: ConsentsQuery = parse_query(Some(&query))?;
                let paging = PageRequest::<String>::parse(
                    self.faults,
                    &list,
                    query.limit,
                    query.page_token.as_deref(),
                )?;
                let consents = registry.consents(who, query.status);
                let (items, next_page) = paging.page(&list, consents, |c| c.consent_id.clone());
                Ok(json(ok, &ConsentPage { items, next_page }))
            }
            GetConsent(id) => Ok(json(ok, &registry.consent(who, id)?)),
            RevokeConsent(id) => write(
                registry,
                who,
                request,
                Key::Required,
                ok,
                parse_empty,
                |r, ()| r.revoke_consent(who, id),
            ),
            AppointDelegate(id) => write(
                registry,
                who,
                request,
                Key::Required,
                created,
                parse_json,
                |r, body: DelegationRequest| r.appoint_delegate(who, id, body),
            ),
            ListDelegations(id) => {
                let (query, list) = scope_query(&format!("delegations {id}"), request.query)?;
                let query: PageQuery = parse_query(Some(&query))?;
                let paging = PageRequest::<String>::parse(
                    self.faults,
                    &list,
                    query.limit,
                    query.page_token.as_deref(),
                )?;
                let delegations = registry.delegations(who, id)?;
                let (items, next_page) =
                    paging.page(&list, delegations, |d| d.delegation_id.clone());
                Ok(json(ok, &DelegationPage { items, next_page }))
            }
            RevokeDelegation(id, delegation) => write(
                registry,
                who,
                request,
                Key::Required,
                ok,
                parse_empty,
                |r, ()| r.revoke_delegation(who, id, delegation),
            ),
            CreateReservation => write(
                registry,
                who,
                request,
                Key::Required,
                created,
                parse_json,
                |r, body: ReservationRequest| r.create_reservation(who, body),
            ),
            ListReservations => {
                let (query, list) = scope_query("reservations", request.query)?;
                let query: ReservationsQuery = parse_query(Some(&query))?;
                let paging = PageRequest::<String>::parse(
                    self.faults,
                    &list,
                    query.limit,
                    query.page_token.as_deref(),
                )?;
                let reservations =
                    registry.reservations(who, query.account_id.as_deref(), query.status);
                let (items, next_page) =
                    paging.page(&list, reservations, |r| r.reservation_id.clone());
                Ok(json(ok, &ReservationPage { items, next_page }))
            }
            GetReservation(id) => Ok(json(ok, &registry.reservation(who, id)?)),
            ReleaseReservation(id) => write(
                registry,
                who,
                request,
                Key::Required,
                ok,
                parse_empty,
                |r, ()| r.release_reservation(who, id),
            ),
            CreateEscrow => write(
                registry,
                who,
                request,
                Key::Required,
                created,
                parse_json,
                |r, body: EscrowRequest| r.create_escrow(who, body),
            ),
            ListEscrows => {
                let (query, list) = scope_query("escrows", request.query)?;
                let query: EscrowsQuery = parse_query(Some(&query))?;
                let paging = PageRequest::<String>::parse(
                    self.faults,
                    &list,
                    query.limit,
                    query.page_token.as_deref(),
                )?;
                let escrows = registry.escrows(who, query.account_id.as_deref(), query.status);
                let (items, next_page) = paging.page(&list, escrows, |e| e.escrow_id.clone());
                Ok(json(ok, &EscrowPage { items, next_page }))
            }
            GetEscrow(id) => Ok(json(ok, &registry.escrow(who, id)?)),
            SettleEscrow(id) => write(
                registry,
                who,
                request,
                Key::Required,
                ok,
                parse_json,
                |r, body: SettleRequest| r.settle_escrow(who, id, body),
            ),
            ReleaseEscrow(id) => write(
                registry,
                who,
                request,
                Key::Required,
                ok,
                parse_empty,
                |r, ()| r.release_escrow(who, id),
            ),
            CreateAssociation => write(
                registry,
                who,
                request,
                Key::Required,
                created,
                parse_json,
                |r, body: AssociationRequest| r.create_association(who, body),
            ),
            ListAssociations => {
                let (query, list) = scope_query("associations", request.query)?;
                let query: AssociationsQuery = parse_query(Some(&query))?;
                let paging = PageRequest::<String>::parse(
                    self.faults,
                    &list,
                    query.limit,
                    query.page_token.as_deref(),
                )?;
                let filter = AssociationFilter {
                    account_id: query.account_id.as_deref(),
                    status: query.status,
                    certificate_id: query.certificate_id.as_deref(),
                };
                let associations = registry.associations(who, filter);
                let (items, next_page) =
                    paging.page(&list, associations, |a| a.association_id.clone());
                Ok(json(ok, &AssociationPage { items, next_page }))
            }
            GetAssociation(id) => Ok(json(ok, &registry.association(who, id)?)),
            DissolveAssociation(id) => write(
                registry,
                who,
                request,
                Key::Required,
                ok,
                parse_empty,
                |r, ()| r.dissolve_association(who, id),
            ),
            CreateWebhookSubscription => write(
                registry,
                who,
                request,
                Key::Required,
                created,
                parse_json,
                |r, body: WebhookSubscriptionRequest| r.create_webhook_subscription(who, body),
            ),
            ListWebhookSubscriptions => {
                let (query, list) = scope_query("webhook-subscriptions", request.query)?;
                let query: PageQuery = parse_query(Some(&query))?;
                let paging = PageRequest::<String>::parse(
                    self.faults,
                    &list,
                    query.limit,
                    query.page_token.as_deref(),
                )?;
                let subscriptions = registry.webhook_subscriptions(who)?;
                let (items, next_page) =
                    paging.page(&list, subscriptions, |s| s.subscription_id.clone());
                Ok(json(ok, &WebhookSubscriptionPage { items, next_page }))
            }
            // The operation declares no 400: a DELETE body has no meaning and is ignored.
            DeleteWebhookSubscription(id) => {
                Ok(json(ok, &registry.delete_webhook_subscription(who, id)?))
            }
            ListWebhookDeliveries(id) => {
                let (query, list) = scope_query(&format!("deliveries {id}"), request.query)?;
                let query: DeliveriesQuery = parse_query(Some(&query))?;
                let paging = PageRequest::<String>::parse(
                    self.faults,
                    &list,
                    query.limit,
                    query.page_token.as_deref(),
                )?;
                let deliveries = registry.webhook_deliveries(who, id, query.state)?;
                let (items, next_page) = paging.page(&list, deliveries, |d| d.delivery_id.clone());
                Ok(json(ok, &WebhookDeliveryPage { items, next_page }))
            }
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
                    CreatePlatform => write(
                        registry,
                        who,
                        request,
                        Key::Optional,
                        created,
                        parse_json,
                        |r, body: NewPlatform| r.create_platform(body),
                    ),
                    CreatePlatformRepresentative(id) => write(
                        registry,
                        who,
                        request,
                        Key::Optional,
                        created,
                        parse_json,
                        |r, body: NewPlatformRepresentative| {
                            r.create_platform_representative(id, body)
                        },
                    ),
                    GetClock => Ok(json(ok, &registry.clock())),
                    AdvanceClock => write(
                        registry,
                        who,
                        request,
                        Key::Optional,
                        ok,
                        parse_json,
                        |r, body: ClockAdvance| r.advance_sandbox_clock(body),
                    ),
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
    let key = idempotency_key(request.headers, key, registry.faults())?;
    let fingerprint = RequestFingerprint {
        method: request.method.to_string(),
        path: request.path.to_owned(),
        body: request.body.to_vec(),
    };
    let faults = registry.faults();
    // FAULT(keys-not-scoped): every caller's keys land in one shared scope.
    let everyone = Principal::Operator(String::new());
    let scope = if faults.has(Fault::KeysNotScoped) {
        &everyone
    } else {
        who
    };
    if let Some(key) = &key
        && let Some(record) = registry.recall(scope, key)
        // FAULT(replay-executes-twice): the stored response is not consulted for a same-body retry.
        && !(faults.has(Fault::ReplayExecutesTwice) && record.fingerprint == fingerprint)
    {
        // FAULT(key-reuse-replayed): the body is not compared, so another body gets the replay.
        if record.fingerprint != fingerprint && !faults.has(Fault::KeyReuseReplayed) {
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
    // FAULT(refusal-not-replayed): only successes are remembered.
    let remembered = response.status.is_success() || !faults.has(Fault::RefusalNotReplayed);
    if let Some(key) = key.filter(|_| remembered) {
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
        registry.remember(scope, &key, fingerprint, stored);
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
                "the bearer token is unknown to this registry or has expired (access tokens from \
                 /v1/oauth/token last 3600 s of registry time; a sandbox reset removes every token but \
                 operators'); get a new one",
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
fn idempotency_key(
    headers: &HeaderMap,
    key: Key,
    faults: Faults,
) -> Result<Option<String>, Refusal> {
    let mut values = headers.get_all(IDEMPOTENCY_KEY).iter();
    let key = if faults.has(Fault::IdempotencyKeyOptional) {
        // FAULT(idempotency-key-optional): a missing key is let through.
        Key::Optional
    } else {
        key
    };
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

/// HTTP Basic client credentials (RFC 6749 section 2.3.1: both parts form-encoded), if the request
/// sends `Authorization: Basic`; `Err` when that header is malformed.
fn basic_credentials(headers: &HeaderMap) -> Option<Result<(String, String), ()>> {
    let value = headers.get(AUTHORIZATION)?.to_str().ok()?.trim();
    let (scheme, encoded) = value.split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("basic") {
        return None;
    }
    let decode = || {
        let decoded = STANDARD.decode(encoded.trim()).ok()?;
        let text = String::from_utf8(decoded).ok()?;
        let (id, secret) = text.split_once(':')?;
        let unescape = |part: &str| -> Option<String> {
            let pairs: Vec<(String, String)> =
                serde_urlencoded::from_str(&format!("v={part}")).ok()?;
            pairs.into_iter().next().map(|(_, v)| v)
        };
        Some((unescape(id)?, unescape(secret)?))
    };
    Some(decode().ok_or(()))
}

/// An RFC 6749 error response from the token endpoint.
fn oauth_error(status: StatusCode, error: &str, description: &str) -> ApiResponse {
    json(
        status,
        &OAuthError {
            error: error.to_owned(),
            error_description: Some(description.to_owned()),
        },
    )
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
