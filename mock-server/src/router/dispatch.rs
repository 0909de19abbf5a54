//! From a request to its operation's handler: the sandbox switch, routing (`404`, `405` with
//! `Allow`), authentication where the operation needs it, one line per operation, and the
//! `Location` of a `201` (from the contract's `ucr_spec::locations`, replays included).

use http::header::{ALLOW, LOCATION};
use http::{HeaderValue, StatusCode};
use ucr_spec::ProblemType;

use super::Router;
use super::call::Call;
use super::exchange::{ApiRequest, ApiResponse, Refusal};
use super::extract::authenticate;
use super::routes::{OperationId, resolve};
use super::{authorize, discovery, lists, oauth, reads, registers, revoke, scope, writes};

/// A handler of an authenticated operation.
type Handler<'h> = Box<dyn FnOnce(&mut Call<'_>) -> Result<ApiResponse, Refusal> + 'h>;

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
            ListHoldings => Box::new(|c| lists::holdings(c, id)),
            ListTransactions => Box::new(|c| lists::transactions(c, id)),
            InitiateTransfer => Box::new(writes::initiate_transfer),
            GetTransfer => Box::new(|c| reads::transfer(c, id)),
            ApproveTransfer => Box::new(|c| writes::approve_transfer(c, id)),
            RejectTransfer => Box::new(|c| writes::reject_transfer(c, id)),
            RescindTransfer => Box::new(|c| writes::rescind_transfer(c, id)),
            InitiateCancellation => Box::new(writes::initiate_cancellation),
            GetCancellation => Box::new(|c| reads::cancellation(c, id)),
            ApproveCancellation => Box::new(|c| writes::approve_cancellation(c, id)),
            RescindCancellation => Box::new(|c| writes::rescind_cancellation(c, id)),
            RejectCancellation => Box::new(|c| writes::reject_cancellation(c, id)),
            GetPlatform => Box::new(|c| reads::platform(c, id)),
            GrantConsent => Box::new(|c| writes::grant_consent(c, id)),
            ListAccountConsents => Box::new(|c| lists::account_consents(c, id)),
            ListConsents => Box::new(lists::consents),
            GetConsent => Box::new(|c| reads::consent(c, id)),
            RevokeConsent => Box::new(|c| writes::revoke_consent(c, id)),
            AppointDelegate => Box::new(|c| writes::appoint_delegate(c, id)),
            ListDelegations => Box::new(|c| lists::delegations(c, id)),
            RevokeDelegation => Box::new(|c| writes::revoke_delegation(c, id, second)),
            CreateReservation => Box::new(writes::create_reservation),
            ListReservations => Box::new(lists::reservations),
            GetReservation => Box::new(|c| reads::reservation(c, id)),
            ReleaseReservation => Box::new(|c| writes::release_reservation(c, id)),
            CreateEscrow => Box::new(writes::create_escrow),
            ListEscrows => Box::new(lists::escrows),
            GetEscrow => Box::new(|c| reads::escrow(c, id)),
            SettleEscrow => Box::new(|c| writes::settle_escrow(c, id)),
            ReleaseEscrow => Box::new(|c| writes::release_escrow(c, id)),
            ApproveEscrow => Box::new(|c| writes::approve_escrow(c, id)),
            RejectEscrow => Box::new(|c| writes::reject_escrow(c, id)),
            CreateAssociation => Box::new(writes::create_association),
            ListAssociations => Box::new(lists::associations),
            GetAssociation => Box::new(|c| reads::association(c, id)),
            DissolveAssociation => Box::new(|c| writes::dissolve_association(c, id)),
            CreateWebhookSubscription => Box::new(writes::create_webhook_subscription),
            ListWebhookSubscriptions => Box::new(lists::webhook_subscriptions),
            DeleteWebhookSubscription => Box::new(|c| writes::delete_webhook_subscription(c, id)),
            ListWebhookDeliveries => Box::new(|c| lists::webhook_deliveries(c, id)),
            CreateAccountHolder => self.operator_only(writes::create_account_holder),
            CreateAccount => self.operator_only(writes::create_account),
            AppointRepresentative => self.operator_only(|c| writes::appoint_representative(c, id)),
            IssueUnits => self.operator_only(writes::issue_units),
            ResetSandbox => self.operator_only(writes::reset_sandbox),
            CreatePlatform => self.operator_only(writes::create_platform),
            CreatePlatformRepresentative => {
                self.operator_only(|c| writes::create_platform_representative(c, id))
            }
            GetClock => self.operator_only(reads::clock),
            AdvanceClock => self.operator_only(writes::advance_clock),
            CreateOauthClient => self.operator_only(writes::create_oauth_client),
        };
        let mut registry = self.lock();
        let who = authenticate(&registry, request.headers)?;
        scope::enforce(&registry, request.headers, operation.id)?;
        let response = handler(&mut Call {
            registry: &mut registry,
            who: &who,
            request: *request,
            faults: self.faults,
        })?;
        Ok(with_location(operation.id, response))
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
