//! From a request to its operation's handler: the sandbox switch, routing (`404`, `405` with
//! `Allow`), authentication where the operation needs it, one line per operation, and the
//! `Location` of a `201` (from the contract's `ucr_spec::locations`, replays included).

use http::header::{ALLOW, LOCATION};
use http::{HeaderValue, StatusCode};
use ucr_spec::ProblemType;

use super::Router;
use super::call::{Call, Handler, Reading};
use super::exchange::{ApiRequest, ApiResponse, Refusal};
use super::extract::authenticate;
use super::routes::{OperationId, resolve};
use super::{authorize, discovery, lists, oauth, reads, registers, revoke, scope, writes};
use crate::registry::{Principal, Registry};

impl Router {
    /// Routes `request` and runs its operation; `Err` is answered as a problem document.
    pub(super) fn dispatch(&self, request: &ApiRequest<'_>) -> Result<ApiResponse, Refusal> {
        let is_sandbox = request.path == "/v1/sandbox" || request.path.starts_with("/v1/sandbox/");
        if is_sandbox && !self.sandbox {
            return Err(ProblemType::SandboxUnavailable
                .problem("the sandbox API is disabled on this server (started with --no-sandbox)")
                .into());
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
        let [id, second] = operation.params;
        use OperationId::*;
        let handler: Handler<'_> = match operation.id {
            IssueToken => return Ok(oauth::issue_token(&self.registry, request)),
            RevokeToken => return Ok(revoke::revoke_token(&self.registry, request)),
            GetAuthorizationServerMetadata => return Ok(discovery::metadata(request)),
            Authorize => return authorize::authorize(self, request),
            DecideAuthorization => return authorize::decide(self, request),
            ListAccuProjects => return registers::accu_projects(self, request),
            ListCarbonAbatementContracts => {
                return registers::carbon_abatement_contracts(self, request);
            }
            ListGuaranteeOfOriginProjects => {
                return registers::guarantee_of_origin_projects(self, request);
            }
            GetAccuProject => return registers::accu_project(self, id),
            GetCarbonAbatementContract => return registers::carbon_abatement_contract(self, id),
            GetGuaranteeOfOriginProject => return registers::guarantee_of_origin_project(self, id),
            CreateOperatorSession => return Ok(writes::create_operator_session(&mut self.lock())),
            ListAccounts => Box::new(lists::accounts),
            GetAccount => Box::new(|c| reads::account(c, id)),
            // Pages read beside other reads, written from the registry's records as they are.
            ListHoldings => {
                return self.shared(request, operation.id, |r| {
                    lists::holdings(r, id).map(|page| page.response())
                });
            }
            ListTransactions => {
                return self.shared(request, operation.id, |r| lists::transactions(r, id));
            }
            InitiateTransfer => writes::initiate_transfer(request),
            GetTransfer => Box::new(|c| reads::transfer(c, id)),
            ApproveTransfer => writes::approve_transfer(request, id),
            RejectTransfer => writes::reject_transfer(request, id),
            RescindTransfer => writes::rescind_transfer(request, id),
            InitiateCancellation => writes::initiate_cancellation(request),
            GetCancellation => Box::new(|c| reads::cancellation(c, id)),
            ApproveCancellation => writes::approve_cancellation(request, id),
            RescindCancellation => writes::rescind_cancellation(request, id),
            RejectCancellation => writes::reject_cancellation(request, id),
            GetPlatform => Box::new(|c| reads::platform(c, id)),
            GrantConsent => writes::grant_consent(request, id),
            ListAccountConsents => Box::new(|c| lists::account_consents(c, id)),
            ListConsents => Box::new(lists::consents),
            GetConsent => Box::new(|c| reads::consent(c, id)),
            RevokeConsent => writes::revoke_consent(request, id),
            AppointDelegate => writes::appoint_delegate(request, id),
            ListDelegations => Box::new(|c| lists::delegations(c, id)),
            RevokeDelegation => writes::revoke_delegation(request, id, second),
            CreateReservation => writes::create_reservation(request),
            ListReservations => Box::new(lists::reservations),
            GetReservation => Box::new(|c| reads::reservation(c, id)),
            ReleaseReservation => writes::release_reservation(request, id),
            CreateEscrow => writes::create_escrow(request),
            ListEscrows => Box::new(lists::escrows),
            GetEscrow => Box::new(|c| reads::escrow(c, id)),
            SettleEscrow => writes::settle_escrow(request, id),
            ReleaseEscrow => writes::release_escrow(request, id),
            ApproveEscrow => writes::approve_escrow(request, id),
            RejectEscrow => writes::reject_escrow(request, id),
            CreateAssociation => writes::create_association(request),
            ListAssociations => Box::new(lists::associations),
            GetAssociation => Box::new(|c| reads::association(c, id)),
            DissolveAssociation => writes::dissolve_association(request, id),
            CreateWebhookSubscription => writes::create_webhook_subscription(request),
            ListWebhookSubscriptions => Box::new(lists::webhook_subscriptions),
            DeleteWebhookSubscription => Box::new(|c| writes::delete_webhook_subscription(c, id)),
            ListWebhookDeliveries => Box::new(|c| lists::webhook_deliveries(c, id)),
            CreateAccountHolder => self.operator_only(writes::create_account_holder(request)),
            CreateAccount => self.operator_only(writes::create_account(request)),
            AppointRepresentative => {
                self.operator_only(writes::appoint_representative(request, id))
            }
            IssueUnits => self.operator_only(writes::issue_units(request)),
            ResetSandbox => self.operator_only(writes::reset_sandbox),
            CreatePlatform => self.operator_only(writes::create_platform(request)),
            CreatePlatformRepresentative => {
                self.operator_only(writes::create_platform_representative(request, id))
            }
            GetClock => self.operator_only(reads::clock),
            AdvanceClock => self.operator_only(writes::advance_clock(request)),
            CreateOauthClient => self.operator_only(writes::create_oauth_client(request)),
        };
        let response = self.locked(request, operation.id, handler)?;
        Ok(with_location(operation.id, response))
    }

    /// Runs `handler` with the registry locked and the caller authenticated and allowed
    /// `operation`'s scope. The lock is released when it returns, so whatever it returns is
    /// finished (serialised, given its `Location`) outside the lock.
    fn locked<T>(
        &self,
        request: &ApiRequest<'_>,
        operation: OperationId,
        handler: impl FnOnce(&mut Call<'_>) -> Result<T, Refusal>,
    ) -> Result<T, Refusal> {
        let mut registry = self.lock();
        let who = authorized(&registry, request, operation)?;
        handler(&mut Call {
            registry: &mut registry,
            who: &who,
            request: *request,
            faults: self.faults,
        })
    }

    /// Runs `handler`, a read that changes nothing, with the caller authenticated and allowed
    /// `operation`'s scope, on the registry shared with other reads. If something is due to
    /// expire, it is expired first (under the write lock, which the read then keeps), so the read
    /// sees the registry as of its instant (REQ-CONV-003), as any other operation does.
    fn shared<T>(
        &self,
        request: &ApiRequest<'_>,
        operation: OperationId,
        handler: impl FnOnce(&Reading<'_>) -> Result<T, Refusal>,
    ) -> Result<T, Refusal> {
        let registry = self.read();
        if !registry.expiry_due() {
            return self.read_with(&registry, request, operation, handler);
        }
        drop(registry);
        let mut registry = self.lock();
        registry.expire_due();
        self.read_with(&registry, request, operation, handler)
    }

    /// [`Router::shared`]'s read, on `registry` as the caller holds it.
    fn read_with<T>(
        &self,
        registry: &Registry,
        request: &ApiRequest<'_>,
        operation: OperationId,
        handler: impl FnOnce(&Reading<'_>) -> Result<T, Refusal>,
    ) -> Result<T, Refusal> {
        let who = authorized(registry, request, operation)?;
        handler(&Reading {
            registry,
            who: &who,
            request: *request,
            faults: self.faults,
        })
    }

    /// Wraps a sandbox handler: only an operator's token may run it (`404 sandbox-unavailable`).
    fn operator_only<'h>(
        &self,
        handler: impl FnOnce(&mut Call<'_>) -> Result<ApiResponse, Refusal> + 'h,
    ) -> Handler<'h> {
        Box::new(move |c| {
            if !c.who.is_operator() {
                return Err(ProblemType::SandboxUnavailable
                    .problem(
                        "the sandbox API needs an operator's token and this one is not; start an operator \
                         session with POST /v1/sandbox/operator-sessions and use its token",
                    )
                    .into());
            }
            handler(c)
        })
    }
}

/// Adds the contract's `Location` to a `201` of an operation that declares one, read from the
/// response body, so a replayed `201` gets it too.
fn with_location(id: OperationId, mut response: ApiResponse) -> ApiResponse {
    if response.status != StatusCode::CREATED {
        return response;
    }
    let body: serde_json::Value = serde_json::from_slice(&response.body).unwrap_or_default();
    if let Some(location) = ucr_spec::locations::location(&id.spec_name(), &body)
        && let Ok(value) = HeaderValue::from_str(&location)
    {
        response.headers.insert(LOCATION, value);
    }
    response
}

/// The caller of `request`, authenticated and allowed `operation`'s scope.
fn authorized(
    registry: &Registry,
    request: &ApiRequest<'_>,
    operation: OperationId,
) -> Result<Principal, Refusal> {
    let who = authenticate(registry, request.headers)?;
    scope::enforce(registry, request.headers, operation)?;
    Ok(who)
}
