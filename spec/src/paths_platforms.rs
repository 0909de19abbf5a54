//! Operations of the trading-platform and third-party-registry models (Classes B and C), and the
//! sandbox operations they need. See [`crate::paths`] for conventions.

#![allow(dead_code)]

use crate::associations::Association;
use crate::associations::{AssociationRequest, AssociationsQuery};
use crate::model::PageQuery;
use crate::paging::{
    AssociationPage, ConsentPage, DelegationPage, EscrowPage, ReservationPage, WebhookDeliveryPage,
    WebhookSubscriptionPage,
};
use crate::paths::IdempotencyKey;
use crate::platforms::{Consent, Delegation};
use crate::platforms::{ConsentRequest, ConsentsQuery, DelegationRequest, Platform};
use crate::sandbox::{
    ClockAdvance, NewPlatform, NewPlatformRepresentative, PlatformCredential,
    PlatformRepresentativeCredential, SandboxClock,
};
use crate::trading::{
    Escrow, EscrowRequest, EscrowsQuery, Reservation, ReservationRequest, ReservationsQuery,
    SettleRequest,
};
use crate::transactions::RejectRequest;
use crate::webhooks::{DeliveriesQuery, WebhookSubscription, WebhookSubscriptionRequest};

/// Get a trading platform or third-party registry.
///
/// Any authenticated caller may look platforms up, so that a holder can check whom it is about to
/// grant a consent to.
#[utoipa::path(get, path = "/v1/platforms/{platform_id}", tag = "platforms", operation_id = "get_platform",
    params(("platform_id" = String, Path, description = "Platform identifier.", example = "TP-0001")),
    responses((status = 200, description = "The platform.", body = Platform)))]
pub fn get_platform() {}

/// Grant a consent on an account to a platform or third-party registry.
///
/// Any representative of the account may grant. `association` may be granted only to a third-party
/// registry.
#[utoipa::path(post, path = "/v1/accounts/{account_id}/consents", tag = "consents", operation_id = "grant_consent",
    params(("account_id" = String, Path, description = "ANREU account number."), IdempotencyKey),
    request_body = ConsentRequest,
    responses((status = 201, description = "The consent, active.", body = Consent,
        links(
            ("get_consent" = (operation_id = "get_consent", parameters(("consent_id" = "$response.body#/consent_id")))),
            ("revoke_consent" = (operation_id = "revoke_consent", parameters(("consent_id" = "$response.body#/consent_id"))))
        ))))]
pub fn grant_consent() {}

/// List the consents granted on an account (its representatives).
///
/// Platforms and registries list their own consents with `list_consents`; here they get `403
/// forbidden` on an account they have held a consent for.
#[utoipa::path(get, path = "/v1/accounts/{account_id}/consents", tag = "consents", operation_id = "list_account_consents",
    params(("account_id" = String, Path, description = "ANREU account number."), ConsentsQuery),
    responses((status = 200, description = "A page of consents, ordered by `consent_id`.", body = ConsentPage,
        links(
            ("get_consent" = (operation_id = "get_consent", parameters(("consent_id" = "$response.body#/items/0/consent_id")))),
            ("revoke_consent" = (operation_id = "revoke_consent", parameters(("consent_id" = "$response.body#/items/0/consent_id"))))
        ))))]
pub fn list_account_consents() {}

/// List the consents that concern the caller.
///
/// For a platform or registry: the consents granted to it. For a representative: the consents on
/// every account it represents.
#[utoipa::path(get, path = "/v1/consents", tag = "consents", operation_id = "list_consents",
    params(ConsentsQuery),
    responses((status = 200, description = "A page of consents, ordered by `consent_id`.", body = ConsentPage,
        links(
            ("get_consent" = (operation_id = "get_consent", parameters(("consent_id" = "$response.body#/items/0/consent_id")))),
            ("revoke_consent" = (operation_id = "revoke_consent", parameters(("consent_id" = "$response.body#/items/0/consent_id"))))
        ))))]
pub fn list_consents() {}

/// Get a consent (its grantee or a representative of its account).
#[utoipa::path(get, path = "/v1/consents/{consent_id}", tag = "consents", operation_id = "get_consent",
    params(("consent_id" = String, Path, description = "Consent identifier.", example = "CON-000001")),
    responses((status = 200, description = "The consent.", body = Consent)))]
pub fn get_consent() {}

/// Revoke a consent; access derived from it ends with this request.
///
/// A representative of the account may revoke; the grantee may relinquish its own consent.
#[utoipa::path(post, path = "/v1/consents/{consent_id}/revoke", tag = "consents", operation_id = "revoke_consent",
    params(("consent_id" = String, Path, description = "Consent identifier."), IdempotencyKey),
    responses((status = 200, description = "The revoked consent.", body = Consent)))]
pub fn revoke_consent() {}

/// Appoint a trading platform's representative as an authorised representative of an account (B.2).
///
/// The caller must be an `approver` on the account: a delegation hands over the power to move
/// units. The delegate then acts exactly as any representative with the given roles, and the
/// four-eyes rule counts it.
#[utoipa::path(post, path = "/v1/accounts/{account_id}/delegations", tag = "delegations", operation_id = "appoint_delegate",
    params(("account_id" = String, Path, description = "ANREU account number."), IdempotencyKey),
    request_body = DelegationRequest,
    responses((status = 201, description = "The delegation, active.", body = Delegation,
        links(
            ("revoke_delegation" = (operation_id = "revoke_delegation", parameters(("account_id" = "$response.body#/account_id"), ("delegation_id" = "$response.body#/delegation_id"))))
        ))))]
pub fn appoint_delegate() {}

/// List an account's delegations.
#[utoipa::path(get, path = "/v1/accounts/{account_id}/delegations", tag = "delegations", operation_id = "list_delegations",
    params(("account_id" = String, Path, description = "ANREU account number."), PageQuery),
    responses((status = 200, description = "A page of delegations, ordered by `delegation_id`.", body = DelegationPage,
        links(
            ("revoke_delegation" = (operation_id = "revoke_delegation", parameters(("account_id" = "$response.body#/items/0/account_id"), ("delegation_id" = "$response.body#/items/0/delegation_id"))))
        ))))]
pub fn list_delegations() {}

/// Revoke a delegation; the delegate can do nothing on the account from this request on.
///
/// Any representative of the account may revoke, and the delegate may resign. Transactions the
/// delegate initiated and that are still pending stay pending for the account's other approvers.
#[utoipa::path(post, path = "/v1/accounts/{account_id}/delegations/{delegation_id}/revoke", tag = "delegations", operation_id = "revoke_delegation",
    params(
        ("account_id" = String, Path, description = "ANREU account number."),
        ("delegation_id" = String, Path, description = "Delegation identifier.", example = "DEL-000001"),
        IdempotencyKey),
    responses((status = 200, description = "The revoked delegation.", body = Delegation)))]
pub fn revoke_delegation() {}

/// Reserve units for a trading platform (B.4).
///
/// The caller must be an `initiator` on the account. The units stay in the account's holdings with
/// status `reserved`, out of its available units, and may move only to `custodial_account_id`, by
/// a transfer quoting `reservation_id`.
#[utoipa::path(post, path = "/v1/reservations", tag = "reservations", operation_id = "create_reservation",
    params(IdempotencyKey),
    request_body = ReservationRequest,
    responses((status = 201, description = "The reservation, active.", body = Reservation,
        links(
            ("get_reservation" = (operation_id = "get_reservation", parameters(("reservation_id" = "$response.body#/reservation_id")))),
            ("release_reservation" = (operation_id = "release_reservation", parameters(("reservation_id" = "$response.body#/reservation_id"))))
        ))))]
pub fn create_reservation() {}

/// List reservations the caller may see.
///
/// A representative sees its accounts' reservations; a platform sees those made for it on accounts
/// where it holds an active `reserved_units_read` or `holdings_read` consent, leaving out any whose
/// units those consents' subsets do not all select (`REQ-SCOPE-008`, `REQ-SCOPE-018`).
#[utoipa::path(get, path = "/v1/reservations", tag = "reservations", operation_id = "list_reservations",
    params(ReservationsQuery),
    responses((status = 200, description = "A page of reservations, ordered by `reservation_id`.", body = ReservationPage,
        links(
            ("get_reservation" = (operation_id = "get_reservation", parameters(("reservation_id" = "$response.body#/items/0/reservation_id")))),
            ("release_reservation" = (operation_id = "release_reservation", parameters(("reservation_id" = "$response.body#/items/0/reservation_id"))))
        ))))]
pub fn list_reservations() {}

/// Get a reservation.
///
/// For the account's representatives, and for the platform it is made for while that platform's
/// active `reserved_units_read` or `holdings_read` consents on the account select all of the
/// reservation's units (`403 consent-required` otherwise). Anyone else gets `404`.
#[utoipa::path(get, path = "/v1/reservations/{reservation_id}", tag = "reservations", operation_id = "get_reservation",
    params(("reservation_id" = String, Path, description = "Reservation identifier.", example = "RES-000001")),
    responses((status = 200, description = "The reservation.", body = Reservation)))]
pub fn get_reservation() {}

/// Release (unreserve) a reservation; its units return to `available`.
///
/// Any representative of the account may release an active reservation at any time; the platform
/// learns of it from a `reservation.released` event, if it subscribes to one, and can stop listing
/// the units. When the reservation's units are in a pending transfer, the release still succeeds
/// and ends that transfer `rescinded` in the same step (REQ-RESERVATION-011); a reservation that is
/// no longer active gets `409 invalid-state`.
#[utoipa::path(post, path = "/v1/reservations/{reservation_id}/release", tag = "reservations", operation_id = "release_reservation",
    params(("reservation_id" = String, Path, description = "Reservation identifier."), IdempotencyKey),
    responses((status = 200, description = "The released reservation.", body = Reservation)))]
pub fn release_reservation() {}

/// Allocate units to an escrow controlled by a trading platform (B.5).
///
/// The caller must be an `initiator` on the account. The escrow is created `pending_approval` and
/// its units `escrowed`: the seller can no longer move them, and the controller can act on them
/// once an approver of the account approves the escrow (`approve_escrow`, four eyes as for a
/// transfer). From then on only the controller can move them (settle) or give them back
/// (release).
#[utoipa::path(post, path = "/v1/escrows", tag = "escrows", operation_id = "create_escrow",
    params(IdempotencyKey),
    request_body = EscrowRequest,
    responses((status = 201, description = "The escrow, pending approval.", body = Escrow,
        links(
            ("get_escrow" = (operation_id = "get_escrow", parameters(("escrow_id" = "$response.body#/escrow_id")))),
            ("approve_escrow" = (operation_id = "approve_escrow", parameters(("escrow_id" = "$response.body#/escrow_id")))),
            ("reject_escrow" = (operation_id = "reject_escrow", parameters(("escrow_id" = "$response.body#/escrow_id")))),
            ("settle_escrow" = (operation_id = "settle_escrow", parameters(("escrow_id" = "$response.body#/escrow_id")))),
            ("release_escrow" = (operation_id = "release_escrow", parameters(("escrow_id" = "$response.body#/escrow_id"))))
        ))))]
pub fn create_escrow() {}

/// List escrows the caller may see: its accounts' (representative) or those it controls (platform).
#[utoipa::path(get, path = "/v1/escrows", tag = "escrows", operation_id = "list_escrows",
    params(EscrowsQuery),
    responses((status = 200, description = "A page of escrows, ordered by `escrow_id`.", body = EscrowPage,
        links(
            ("get_escrow" = (operation_id = "get_escrow", parameters(("escrow_id" = "$response.body#/items/0/escrow_id")))),
            ("settle_escrow" = (operation_id = "settle_escrow", parameters(("escrow_id" = "$response.body#/items/0/escrow_id")))),
            ("release_escrow" = (operation_id = "release_escrow", parameters(("escrow_id" = "$response.body#/items/0/escrow_id"))))
        ))))]
pub fn list_escrows() {}

/// Get an escrow, with the escrowed blocks' attributes.
#[utoipa::path(get, path = "/v1/escrows/{escrow_id}", tag = "escrows", operation_id = "get_escrow",
    params(("escrow_id" = String, Path, description = "Escrow identifier.", example = "ESC-000001")),
    responses((status = 200, description = "The escrow.", body = Escrow)))]
pub fn get_escrow() {}

/// Approve an escrow pending approval: it becomes `active` and its controller may act on its units.
///
/// The same rules as `approve_transfer`: the caller must be an `approver` on the account and, when
/// the account has more than one representative, must not be the initiator
/// (`403 second-approver-required`).
#[utoipa::path(post, path = "/v1/escrows/{escrow_id}/approve", tag = "escrows", operation_id = "approve_escrow",
    params(("escrow_id" = String, Path, description = "Escrow identifier."), IdempotencyKey),
    responses((status = 200, description = "The active escrow.", body = Escrow)))]
pub fn approve_escrow() {}

/// Reject an escrow pending approval: its units return to `available`.
///
/// The same rules as `reject_transfer`, including four eyes.
#[utoipa::path(post, path = "/v1/escrows/{escrow_id}/reject", tag = "escrows", operation_id = "reject_escrow",
    params(("escrow_id" = String, Path, description = "Escrow identifier."), IdempotencyKey),
    request_body = RejectRequest,
    responses((status = 200, description = "The rejected escrow.", body = Escrow)))]
pub fn reject_escrow() {}

/// Settle an escrow: the controller moves every escrowed unit to the buyer in one step.
#[utoipa::path(post, path = "/v1/escrows/{escrow_id}/settle", tag = "escrows", operation_id = "settle_escrow",
    params(("escrow_id" = String, Path, description = "Escrow identifier."), IdempotencyKey),
    request_body = SettleRequest,
    responses((status = 200, description = "The settled escrow.", body = Escrow)))]
pub fn settle_escrow() {}

/// Release an escrow: the controller gives the units back to the seller (`available`).
#[utoipa::path(post, path = "/v1/escrows/{escrow_id}/release", tag = "escrows", operation_id = "release_escrow",
    params(("escrow_id" = String, Path, description = "Escrow identifier."), IdempotencyKey),
    responses((status = 200, description = "The released escrow.", body = Escrow)))]
pub fn release_escrow() {}

/// Associate a third-party certificate with one unit (C.1).
///
/// The caller must be a third-party registry with an active `association` consent on the account
/// that selects the unit (`403 consent-required` otherwise); the unit must be held by the account
/// (`409 units-not-held`) and not cancelled (`409 units-locked`); neither the unit nor the
/// certificate may already have a live association (`409 association-conflict`). A representative
/// gets `404` for an account it is not appointed to and `403 forbidden` for one it is; a trading
/// platform gets `403 forbidden` on an account it has held a consent for (it can never be granted
/// `association`) and `404` on any other.
#[utoipa::path(post, path = "/v1/associations", tag = "associations", operation_id = "create_association",
    params(IdempotencyKey),
    request_body = AssociationRequest,
    responses((status = 201, description = "The association, active.", body = Association,
        links(
            ("get_association" = (operation_id = "get_association", parameters(("association_id" = "$response.body#/association_id")))),
            ("dissolve_association" = (operation_id = "dissolve_association", parameters(("association_id" = "$response.body#/association_id"))))
        ))))]
pub fn create_association() {}

/// List associations: a registry's own, or those on a representative's accounts.
#[utoipa::path(get, path = "/v1/associations", tag = "associations", operation_id = "list_associations",
    params(AssociationsQuery),
    responses((status = 200, description = "A page of associations, ordered by `association_id`.", body = AssociationPage,
        links(
            ("get_association" = (operation_id = "get_association", parameters(("association_id" = "$response.body#/items/0/association_id")))),
            ("dissolve_association" = (operation_id = "dissolve_association", parameters(("association_id" = "$response.body#/items/0/association_id"))))
        ))))]
pub fn list_associations() {}

/// Get (verify) an association: its status follows the unit.
#[utoipa::path(get, path = "/v1/associations/{association_id}", tag = "associations", operation_id = "get_association",
    params(("association_id" = String, Path, description = "Association identifier.", example = "ASN-000001")),
    responses((status = 200, description = "The association.", body = Association)))]
pub fn get_association() {}

/// Dissolve an `active` or `cancelled` association (the registry that made it).
#[utoipa::path(post, path = "/v1/associations/{association_id}/dissolve", tag = "associations", operation_id = "dissolve_association",
    params(("association_id" = String, Path, description = "Association identifier."), IdempotencyKey),
    responses((status = 200, description = "The dissolved association.", body = Association)))]
pub fn dissolve_association() {}

/// Subscribe to webhook events (platforms, registries and authorised representatives).
///
/// A representative's subscription covers every account it represents at the time of each event:
/// transfers and cancellations awaiting approval or decided, consents granted or ended,
/// reservation and escrow changes.
#[utoipa::path(post, path = "/v1/webhook-subscriptions", tag = "webhooks", operation_id = "create_webhook_subscription",
    params(IdempotencyKey),
    request_body = WebhookSubscriptionRequest,
    responses((status = 201, description = "The subscription, with its secret (shown once).", body = WebhookSubscription,
        links(
            ("list_webhook_deliveries" = (operation_id = "list_webhook_deliveries", parameters(("subscription_id" = "$response.body#/subscription_id")))),
            ("delete_webhook_subscription" = (operation_id = "delete_webhook_subscription", parameters(("subscription_id" = "$response.body#/subscription_id"))))
        ))))]
pub fn create_webhook_subscription() {}

/// List the caller's webhook subscriptions (secrets are not shown).
#[utoipa::path(get, path = "/v1/webhook-subscriptions", tag = "webhooks", operation_id = "list_webhook_subscriptions",
    params(PageQuery),
    responses((status = 200, description = "A page of subscriptions, ordered by `subscription_id`.", body = WebhookSubscriptionPage,
        links(
            ("list_webhook_deliveries" = (operation_id = "list_webhook_deliveries", parameters(("subscription_id" = "$response.body#/items/0/subscription_id")))),
            ("delete_webhook_subscription" = (operation_id = "delete_webhook_subscription", parameters(("subscription_id" = "$response.body#/items/0/subscription_id"))))
        ))))]
pub fn list_webhook_subscriptions() {}

/// Delete a webhook subscription; pending deliveries to it are abandoned.
#[utoipa::path(delete, path = "/v1/webhook-subscriptions/{subscription_id}", tag = "webhooks", operation_id = "delete_webhook_subscription",
    params(("subscription_id" = String, Path, description = "Subscription identifier.", example = "WHS-000001")),
    responses((status = 200, description = "The deleted subscription.", body = WebhookSubscription)))]
pub fn delete_webhook_subscription() {}

/// The delivery log of a subscription, newest event last.
#[utoipa::path(get, path = "/v1/webhook-subscriptions/{subscription_id}/deliveries", tag = "webhooks", operation_id = "list_webhook_deliveries",
    params(("subscription_id" = String, Path, description = "Subscription identifier."), DeliveriesQuery),
    responses((status = 200, description = "A page of deliveries, ordered by `delivery_id`.", body = WebhookDeliveryPage)))]
pub fn list_webhook_deliveries() {}

/// Register a trading platform or third-party registry (sandbox).
///
/// Also creates the platform's account holder, so that custodial accounts can be opened for it.
#[utoipa::path(post, path = "/v1/sandbox/platforms", tag = "sandbox", operation_id = "create_platform",
    request_body = NewPlatform,
    responses((status = 201, description = "The platform and its credentials.", body = PlatformCredential,
        links(
            ("get_platform" = (operation_id = "get_platform", parameters(("platform_id" = "$response.body#/platform/platform_id")))),
            ("create_platform_representative" = (operation_id = "create_platform_representative", parameters(("platform_id" = "$response.body#/platform/platform_id"))))
        ))))]
pub fn create_platform() {}

/// Create a representative of a trading platform (sandbox).
///
/// The representative can be appointed to the platform's custodial accounts with
/// `appoint_representative`, and to holders' accounts by delegation.
#[utoipa::path(post, path = "/v1/sandbox/platforms/{platform_id}/representatives", tag = "sandbox", operation_id = "create_platform_representative",
    params(("platform_id" = String, Path, description = "Platform identifier.")),
    request_body = NewPlatformRepresentative,
    responses((status = 201, description = "The representative's credential.", body = PlatformRepresentativeCredential)))]
pub fn create_platform_representative() {}

/// Read the sandbox clock (sandbox).
#[utoipa::path(get, path = "/v1/sandbox/clock", tag = "sandbox", operation_id = "get_clock",
    responses((status = 200, description = "The registry's current time.", body = SandboxClock)))]
pub fn get_clock() {}

/// Move the sandbox clock forward (sandbox), so that expiries can be tested without waiting.
///
/// Every expiry that falls due in the interval (pending transactions, consents, reservations,
/// escrows, access tokens, authorization codes) holds from the next request on
/// (`REQ-SANDBOX-011`).
#[utoipa::path(post, path = "/v1/sandbox/clock/advance", tag = "sandbox", operation_id = "advance_clock",
    request_body = ClockAdvance,
    responses((status = 200, description = "The registry's new time.", body = SandboxClock)))]
pub fn advance_clock() {}

/// The OAuth 2.0 token endpoint: client credentials, authorization code (PKCE) and refresh token
/// grants.
///
/// `client_credentials` is for trading platforms and third-party registries acting as themselves:
/// the client authenticates either with `client_id` and `client_secret` in the form body or with
/// HTTP Basic (RFC 6749 section 2.3.1), never both. `authorization_code` exchanges a code from
/// `authorize` (with `redirect_uri` and the PKCE `code_verifier`) for an access token and a
/// refresh token; `refresh_token` rotates a refresh token. A public client sends `client_id`
/// alone. The access token expires after `expires_in` (3600) seconds of the registry clock.
/// Errors follow RFC 6749 section 5.2 (`{error, error_description}`): `400 invalid_request` /
/// `invalid_grant` / `unauthorized_client` / `unsupported_grant_type` / `invalid_scope`,
/// `401 invalid_client`.
#[utoipa::path(post, path = "/v1/oauth/token", tag = "platforms", operation_id = "issue_token",
    request_body(content = crate::platforms::TokenRequest, content_type = "application/x-www-form-urlencoded"),
    responses(
        (status = 200, description = "An access token.", body = crate::platforms::TokenResponse),
        (status = 400, description = "Malformed request, unsupported grant type, a grant the client may not use, a scope not granted, or an invalid, expired, used or revoked code or refresh token.", body = crate::platforms::OAuthError),
        (status = 401, description = "Client authentication failed: none was sent, the client is unknown or the secret is wrong.", body = crate::platforms::OAuthError,
            headers(("WWW-Authenticate" = String, description = "`Basic` (with any parameters, e.g. `realm`) when the client tried HTTP Basic (RFC 6749 section 5.2)")))))]
pub fn issue_token() {}
