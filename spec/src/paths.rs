//! The API's operations, declared with `#[utoipa::path]`.
//!
//! The functions have no bodies: they exist to carry the operation declarations. Each declares
//! its success response here; its problem responses (4xx) are added from [`crate::ERRORS`] so that
//! every operation documents them the same way.
//!
//! A success response that yields an identifier declares OpenAPI `links` to the operations that
//! take it (`transfer_id` → get, approve, reject, rescind; a list's first item → get; ...), so
//! that tools such as Schemathesis can chain calls statefully. Lists link from `items/0`.

#![allow(dead_code)]

use crate::model::{Account, HoldingsQuery, PageQuery, TransactionsQuery};
use crate::model::{AccountHolder, UnitBlock};
use crate::paging::{
    AccountPage, AccuProjectPage, CarbonAbatementContractPage, GuaranteeOfOriginProjectPage,
    TransactionPage, UnitBlockPage,
};
use crate::registers::{
    AccuProject, AccuProjectQuery, CarbonAbatementContract, CarbonAbatementContractQuery,
    GuaranteeOfOriginProject, GuaranteeOfOriginProjectQuery,
};
use crate::sandbox::{
    IssuanceRequest, NewAccount, NewAccountHolder, NewRepresentative, OperatorSession,
    RepresentativeCredential, SandboxReset,
};
use crate::transactions::{
    Cancellation, CancellationRequest, RejectRequest, Transfer, TransferRequest,
};

/// List the accounts the caller may see.
///
/// For an authorised representative: the accounts it is appointed to, directly or by an active
/// delegation; for a platform or registry: the accounts on which it holds an active
/// `holdings_read` consent. Ordered by `account_id`.
#[utoipa::path(get, path = "/v1/accounts", tag = "accounts", operation_id = "list_accounts",
    params(PageQuery),
    responses((status = 200, description = "A page of accounts.", body = AccountPage,
        links(
            ("get_account" = (operation_id = "get_account", parameters(("account_id" = "$response.body#/items/0/account_id")))),
            ("list_holdings" = (operation_id = "list_holdings", parameters(("account_id" = "$response.body#/items/0/account_id")))),
            ("list_transactions" = (operation_id = "list_transactions", parameters(("account_id" = "$response.body#/items/0/account_id"))))
        ))))]
pub fn list_accounts() {}

/// Get an account's details, representatives and balances.
///
/// An account the caller may not see answers `404 not-found`, exactly as one that does not exist,
/// so that account numbers cannot be probed.
#[utoipa::path(get, path = "/v1/accounts/{account_id}", tag = "accounts", operation_id = "get_account",
    params(("account_id" = String, Path, description = "ANREU account number.", example = "AU-1000001")),
    responses((status = 200, description = "The account.", body = Account,
        links(
            ("list_holdings" = (operation_id = "list_holdings", parameters(("account_id" = "$response.body#/account_id")))),
            ("list_transactions" = (operation_id = "list_transactions", parameters(("account_id" = "$response.body#/account_id")))),
            ("list_account_consents" = (operation_id = "list_account_consents", parameters(("account_id" = "$response.body#/account_id")))),
            ("list_delegations" = (operation_id = "list_delegations", parameters(("account_id" = "$response.body#/account_id")))),
            ("grant_consent" = (operation_id = "grant_consent", parameters(("account_id" = "$response.body#/account_id")))),
            ("appoint_delegate" = (operation_id = "appoint_delegate", parameters(("account_id" = "$response.body#/account_id"))))
        ))))]
pub fn get_account() {}

/// List an account's holdings as unit blocks.
///
/// For a representative, and for a platform or registry holding an active `holdings_read` or
/// `association` consent without a `subset`: every block of the account in every status, including
/// `cancelled` blocks, unless filtered. A platform or registry whose consents carry a `subset` sees
/// only the units they select, a block partly selected as its selected parts; one with only
/// `reserved_units_read` sees only the `reserved` blocks of its own active reservations
/// (`REQ-SCOPE-003`, `REQ-SCOPE-004`, `REQ-SCOPE-014`). Ordered by unit type, then `serial_start`.
#[utoipa::path(get, path = "/v1/accounts/{account_id}/holdings", tag = "accounts", operation_id = "list_holdings",
    params(("account_id" = String, Path, description = "ANREU account number."), HoldingsQuery),
    responses((status = 200, description = "A page of unit blocks.", body = UnitBlockPage)))]
pub fn list_holdings() {}

/// List an account's transaction history.
///
/// Issuances into, transfers out of and into, and cancellations from the account, in every
/// status. A platform or registry whose `transactions_read` consents carry a `subset` sees only the
/// rows with units they select, narrowed to those units (`REQ-SCOPE-016`). Ordered by
/// `created_at`, then `transaction_id`.
#[utoipa::path(get, path = "/v1/accounts/{account_id}/transactions", tag = "accounts", operation_id = "list_transactions",
    params(("account_id" = String, Path, description = "ANREU account number."), TransactionsQuery),
    responses((status = 200, description = "A page of transactions.", body = TransactionPage)))]
pub fn list_transactions() {}

/// Initiate a transfer.
///
/// The caller must be an `initiator` on the source account. The chosen units become `pending`
/// and the transfer waits for an approver. On a replay with the same `Idempotency-Key` and body
/// the original response is returned and nothing else happens.
#[utoipa::path(post, path = "/v1/transfers", tag = "transfers", operation_id = "initiate_transfer",
    params(IdempotencyKey),
    request_body = TransferRequest,
    responses((status = 201, description = "The transfer, pending approval.", body = Transfer,
        links(
            ("get_transfer" = (operation_id = "get_transfer", parameters(("transfer_id" = "$response.body#/transfer_id")))),
            ("approve_transfer" = (operation_id = "approve_transfer", parameters(("transfer_id" = "$response.body#/transfer_id")))),
            ("reject_transfer" = (operation_id = "reject_transfer", parameters(("transfer_id" = "$response.body#/transfer_id")))),
            ("rescind_transfer" = (operation_id = "rescind_transfer", parameters(("transfer_id" = "$response.body#/transfer_id"))))
        ))))]
pub fn initiate_transfer() {}

/// Get a transfer.
///
/// Visible to representatives of the source and destination accounts and, for an escrow
/// settlement, to the escrow's controller; never through a consent.
#[utoipa::path(get, path = "/v1/transfers/{transfer_id}", tag = "transfers", operation_id = "get_transfer",
    params(("transfer_id" = String, Path, description = "Transfer identifier.", example = "TRF-000042")),
    responses((status = 200, description = "The transfer.", body = Transfer,
        links(
            ("approve_transfer" = (operation_id = "approve_transfer", parameters(("transfer_id" = "$response.body#/transfer_id")))),
            ("reject_transfer" = (operation_id = "reject_transfer", parameters(("transfer_id" = "$response.body#/transfer_id")))),
            ("rescind_transfer" = (operation_id = "rescind_transfer", parameters(("transfer_id" = "$response.body#/transfer_id"))))
        ))))]
pub fn get_transfer() {}

/// Approve a pending transfer; its units move atomically.
///
/// The caller must be an `approver` on the source account and, when the account has more than one
/// representative, must not be the initiator (`403 second-approver-required`).
#[utoipa::path(post, path = "/v1/transfers/{transfer_id}/approve", tag = "transfers", operation_id = "approve_transfer",
    params(("transfer_id" = String, Path, description = "Transfer identifier."), IdempotencyKey),
    responses((status = 200, description = "The completed transfer.", body = Transfer)))]
pub fn approve_transfer() {}

/// Reject a pending transfer; its units return to `available` (to `reserved` for a transfer of a
/// reservation).
///
/// The caller must be an `approver` on the source account; the four-eyes rule applies as for approval.
#[utoipa::path(post, path = "/v1/transfers/{transfer_id}/reject", tag = "transfers", operation_id = "reject_transfer",
    params(("transfer_id" = String, Path, description = "Transfer identifier."), IdempotencyKey),
    request_body = RejectRequest,
    responses((status = 200, description = "The rejected transfer.", body = Transfer)))]
pub fn reject_transfer() {}

/// Rescind a pending transfer; its units return to `available` (to `reserved` for a transfer of a
/// reservation).
///
/// Any `initiator` of the source account may rescind, not only the one who initiated.
#[utoipa::path(post, path = "/v1/transfers/{transfer_id}/rescind", tag = "transfers", operation_id = "rescind_transfer",
    params(("transfer_id" = String, Path, description = "Transfer identifier."), IdempotencyKey),
    responses((status = 200, description = "The rescinded transfer.", body = Transfer)))]
pub fn rescind_transfer() {}

/// Initiate a voluntary cancellation.
///
/// The caller must be an `initiator` on the account. The chosen units become `pending` until an
/// approver approves; then they are `cancelled` for good.
#[utoipa::path(post, path = "/v1/cancellations", tag = "cancellations", operation_id = "initiate_cancellation",
    params(IdempotencyKey),
    request_body = CancellationRequest,
    responses((status = 201, description = "The cancellation, pending approval.", body = Cancellation,
        links(
            ("get_cancellation" = (operation_id = "get_cancellation", parameters(("cancellation_id" = "$response.body#/cancellation_id")))),
            ("approve_cancellation" = (operation_id = "approve_cancellation", parameters(("cancellation_id" = "$response.body#/cancellation_id")))),
            ("reject_cancellation" = (operation_id = "reject_cancellation", parameters(("cancellation_id" = "$response.body#/cancellation_id")))),
            ("rescind_cancellation" = (operation_id = "rescind_cancellation", parameters(("cancellation_id" = "$response.body#/cancellation_id"))))
        ))))]
pub fn initiate_cancellation() {}

/// Get a voluntary cancellation.
#[utoipa::path(get, path = "/v1/cancellations/{cancellation_id}", tag = "cancellations", operation_id = "get_cancellation",
    params(("cancellation_id" = String, Path, description = "Cancellation identifier.", example = "CAN-000007")),
    responses((status = 200, description = "The cancellation.", body = Cancellation)))]
pub fn get_cancellation() {}

/// Approve a pending cancellation; its units become `cancelled`.
///
/// Same rules as approving a transfer, including four eyes.
#[utoipa::path(post, path = "/v1/cancellations/{cancellation_id}/approve", tag = "cancellations", operation_id = "approve_cancellation",
    params(("cancellation_id" = String, Path, description = "Cancellation identifier."), IdempotencyKey),
    responses((status = 200, description = "The completed cancellation.", body = Cancellation)))]
pub fn approve_cancellation() {}

/// Reject a pending cancellation; its units return to `available`.
///
/// The same rules as `reject_transfer`: the caller must be an `approver` on the account; the
/// four-eyes rule applies as for approval.
#[utoipa::path(post, path = "/v1/cancellations/{cancellation_id}/reject", tag = "cancellations", operation_id = "reject_cancellation",
    params(("cancellation_id" = String, Path, description = "Cancellation identifier."), IdempotencyKey),
    request_body = RejectRequest,
    responses((status = 200, description = "The rejected cancellation.", body = Cancellation)))]
pub fn reject_cancellation() {}

/// Rescind a pending cancellation; its units return to `available`.
#[utoipa::path(post, path = "/v1/cancellations/{cancellation_id}/rescind", tag = "cancellations", operation_id = "rescind_cancellation",
    params(("cancellation_id" = String, Path, description = "Cancellation identifier."), IdempotencyKey),
    responses((status = 200, description = "The rescinded cancellation.", body = Cancellation)))]
pub fn rescind_cancellation() {}

/// List the ACCU Scheme project register.
///
/// Public data: no authentication. Filters combine with AND; `sort` orders the rows. With
/// `Accept: text/csv` the answer is the whole filtered, sorted register as one RFC 4180 CSV
/// document (see `REQ-REGISTER-009`).
#[utoipa::path(get, path = "/v1/registers/accu-projects", tag = "registers", operation_id = "list_accu_projects",
    params(AccuProjectQuery),
    responses((status = 200, description = "A page of projects, or with `Accept: text/csv` every matching project as CSV.",
        content((AccuProjectPage = "application/json"), (String = "text/csv")),
        links(
            ("get_accu_project" = (operation_id = "get_accu_project", parameters(("project_id" = "$response.body#/items/0/project_id"))))
        ))))]
pub fn list_accu_projects() {}

/// Get one project of the ACCU Scheme project register by its ID.
///
/// Public data: no authentication. An unknown ID answers `404 not-found`.
#[utoipa::path(get, path = "/v1/registers/accu-projects/{project_id}", tag = "registers", operation_id = "get_accu_project",
    params(("project_id" = String, Path, description = "Project ID.", example = "ERF101234")),
    responses((status = 200, description = "The project.", body = AccuProject)))]
pub fn get_accu_project() {}

/// List the Carbon Abatement Contract register.
///
/// Public data: no authentication. Filters combine with AND; `sort` orders the rows. With
/// `Accept: text/csv` the answer is the whole filtered, sorted register as one RFC 4180 CSV
/// document (see `REQ-REGISTER-009`).
#[utoipa::path(get, path = "/v1/registers/carbon-abatement-contracts", tag = "registers", operation_id = "list_carbon_abatement_contracts",
    params(CarbonAbatementContractQuery),
    responses((status = 200, description = "A page of contracts, or with `Accept: text/csv` every matching contract as CSV.",
        content((CarbonAbatementContractPage = "application/json"), (String = "text/csv")),
        links(
            ("get_carbon_abatement_contract" = (operation_id = "get_carbon_abatement_contract", parameters(("contract_id" = "$response.body#/items/0/contract_id"))))
        ))))]
pub fn list_carbon_abatement_contracts() {}

/// Get one contract of the Carbon Abatement Contract register by its ID.
///
/// Public data: no authentication. An unknown ID answers `404 not-found`.
#[utoipa::path(get, path = "/v1/registers/carbon-abatement-contracts/{contract_id}", tag = "registers", operation_id = "get_carbon_abatement_contract",
    params(("contract_id" = String, Path, description = "Contract ID.", example = "CAC-0123")),
    responses((status = 200, description = "The contract.", body = CarbonAbatementContract)))]
pub fn get_carbon_abatement_contract() {}

/// List the Guarantee of Origin register.
///
/// Public data: no authentication. Filters combine with AND; `sort` orders the rows. With
/// `Accept: text/csv` the answer is the whole filtered, sorted register as one RFC 4180 CSV
/// document (see `REQ-REGISTER-009`).
#[utoipa::path(get, path = "/v1/registers/guarantee-of-origin-projects", tag = "registers", operation_id = "list_guarantee_of_origin_projects",
    params(GuaranteeOfOriginProjectQuery),
    responses((status = 200, description = "A page of profiles, or with `Accept: text/csv` every matching profile as CSV.",
        content((GuaranteeOfOriginProjectPage = "application/json"), (String = "text/csv")),
        links(
            ("get_guarantee_of_origin_project" = (operation_id = "get_guarantee_of_origin_project", parameters(("profile_id" = "$response.body#/items/0/profile_id"))))
        ))))]
pub fn list_guarantee_of_origin_projects() {}

/// Get one profile of the Guarantee of Origin register by its ID.
///
/// Public data: no authentication. An unknown ID answers `404 not-found`.
#[utoipa::path(get, path = "/v1/registers/guarantee-of-origin-projects/{profile_id}", tag = "registers", operation_id = "get_guarantee_of_origin_project",
    params(("profile_id" = String, Path, description = "Profile ID.", example = "GO-00017")),
    responses((status = 200, description = "The profile.", body = GuaranteeOfOriginProject)))]
pub fn get_guarantee_of_origin_project() {}

/// Start a sandbox operator session (sandbox bootstrap; no authentication).
///
/// Returns an operator token for the other sandbox operations. Implementations without the sandbox
/// answer `404 sandbox-unavailable`.
#[utoipa::path(post, path = "/v1/sandbox/operator-sessions", tag = "sandbox", operation_id = "create_operator_session",
    responses((status = 201, description = "A new operator session.", body = OperatorSession)))]
pub fn create_operator_session() {}

/// Create an account holder (sandbox).
#[utoipa::path(post, path = "/v1/sandbox/account-holders", tag = "sandbox", operation_id = "create_account_holder",
    request_body = NewAccountHolder,
    responses((status = 201, description = "The new holder.", body = AccountHolder)))]
pub fn create_account_holder() {}

/// Open an account for a holder (sandbox).
#[utoipa::path(post, path = "/v1/sandbox/accounts", tag = "sandbox", operation_id = "create_account",
    request_body = NewAccount,
    responses((status = 201, description = "The new account.", body = Account,
        links(
            ("appoint_representative" = (operation_id = "appoint_representative", parameters(("account_id" = "$response.body#/account_id")))),
            ("get_account" = (operation_id = "get_account", parameters(("account_id" = "$response.body#/account_id"))))
        ))))]
pub fn create_account() {}

/// Appoint an authorised representative to an account (sandbox).
///
/// Returns the representative's bearer token: a new one for a new representative, the one it
/// already has for an existing representative. Appointing a representative already on the account
/// replaces its roles there (`REQ-SANDBOX-005`).
#[utoipa::path(post, path = "/v1/sandbox/accounts/{account_id}/representatives", tag = "sandbox", operation_id = "appoint_representative",
    params(("account_id" = String, Path, description = "ANREU account number.")),
    request_body = NewRepresentative,
    responses((status = 201, description = "The representative's credential.", body = RepresentativeCredential)))]
pub fn appoint_representative() {}

/// Issue new units into an account (sandbox).
///
/// Each issuance takes serials that no other unit of its type has, so issued blocks never overlap
/// (`REQ-UNITS-005`); which serials, the first of each unit type included, is the implementation's
/// choice (`REQ-SANDBOX-008`).
#[utoipa::path(post, path = "/v1/sandbox/issuances", tag = "sandbox", operation_id = "issue_units",
    request_body = IssuanceRequest,
    responses((status = 201, description = "The issued block.", body = UnitBlock)))]
pub fn issue_units() {}

/// Remove everything the sandbox made (sandbox).
///
/// Every account holder, account, representative, platform, unit, transaction, consent,
/// delegation, reservation, escrow, association, webhook subscription and delivery, and every token
/// but operators', goes (`REQ-SANDBOX-009`). The public registers, operator sessions and the
/// registry clock are kept.
#[utoipa::path(post, path = "/v1/sandbox/reset", tag = "sandbox", operation_id = "reset_sandbox",
    responses((status = 200, description = "What was removed.", body = SandboxReset)))]
pub fn reset_sandbox() {}

/// The `Idempotency-Key` request header taken by every write.
#[derive(utoipa::IntoParams)]
#[into_params(parameter_in = Header)]
pub struct IdempotencyKey {
    /// Client-chosen unique key (1–255 visible ASCII characters, a UUID is recommended) identifying
    /// one logical write of the caller (keys are scoped per principal). A retry with the same key,
    /// method, path and body replays the first response (a `2xx`, or a `403`, `404`, `409` or `422`
    /// refusal; a `400` may or may not be kept) with `Idempotent-Replayed: true` and without a
    /// second effect; the same key with a different method, path or body is refused with
    /// `422 idempotency-key-reused`; while the first request is in flight, a duplicate either waits
    /// for it or gets `409 idempotency-key-in-use`. Keys are remembered for at least 24 hours.
    /// Required: a write without it is refused with `400 idempotency-key-required`. The rules in
    /// full are the `REQ-IDEMPOTENCY-*` requirements.
    #[param(rename = "Idempotency-Key", min_length = 1, max_length = 255)]
    pub idempotency_key: String,
}
