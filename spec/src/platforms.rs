//! Trading platforms and third-party registries: principals, consents and delegations
//! (paper Class B.1, B.2, B.4 and C.1).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::model::{Role, SerialRange};

/// Kind of organisation that integrates with the registry on account holders' behalf.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum PlatformKind {
    /// A carbon market trading platform (Class B).
    TradingPlatform,
    /// A third-party registry issuing certificates that derive value from registry units (Class C).
    ThirdPartyRegistry,
}

/// A trading platform or third-party registry known to the registry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Platform {
    /// Identifier: `TP-…` for trading platforms, `TR-…` for third-party registries.
    #[schema(example = "TP-0001")]
    pub platform_id: String,
    /// Organisation name.
    #[schema(example = "Southern Cross Carbon Exchange")]
    pub name: String,
    /// Trading platform or third-party registry.
    pub kind: PlatformKind,
    /// The account holder the platform owns custodial accounts as.
    pub holder_id: String,
}

/// What a consent lets its grantee do on one account.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum ConsentScope {
    /// Read the account's details and all of its holdings (B.1), and the grantee's reservations on
    /// it; narrowed by a `subset`.
    HoldingsRead,
    /// Read the account's transaction history.
    TransactionsRead,
    /// Read only the blocks reserved for the grantee (`list_holdings` shows just those), and the
    /// grantee's reservations (B.4).
    ReservedUnitsRead,
    /// Associate the grantee's certificates with units in the account, and read all of its
    /// holdings (`list_holdings`) to verify them (C.1; third-party registries only).
    Association,
}

/// The part of an account's holdings a consent opens: "a set of holdings" (CER paper, B.1).
///
/// A unit is in the subset when it matches every criterion given: one of `unit_types`, one of
/// `vintages`, one of `project_ids`, and inside one of `serial_ranges`. An empty or absent list
/// does not narrow; at least one list must be non-empty. A consent without a subset opens the
/// whole account. Whatever the consent's scopes open (holdings, balances, history rows, events,
/// reservations, associations) is narrowed to the subset's units: a block that straddles a
/// serial-range edge is shown only as its part inside the subset.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "unit_types": ["ACCU"],
    "vintages": ["2023-24"],
    "serial_ranges": [{"serial_start": 3100001, "serial_end": 3100500}]
}))]
pub struct ConsentSubset {
    /// Only units of these unit types.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub unit_types: Vec<String>,
    /// Only units of these vintages, e.g. `2023-24`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub vintages: Vec<String>,
    /// Only units of these ACCU Scheme projects (`project_id`); SMCs have no project, so a
    /// non-empty list leaves them out.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub project_ids: Vec<String>,
    /// Only units whose serials lie in one of these ranges.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub serial_ranges: Vec<SerialRange>,
}

/// Lifecycle of a consent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ConsentStatus {
    /// In force until `expires_at`.
    Active,
    /// Revoked by the account's representative or relinquished by the grantee.
    Revoked,
    /// Past `expires_at`.
    Expired,
}

/// An account holder's consent (CER Act s51) for a platform or registry to access one account.
///
/// Revocation and expiry take effect on the very next request: access derived from the consent
/// ends at once.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Consent {
    /// Identifier, `CON-…`.
    pub consent_id: String,
    /// The account the consent is for.
    pub account_id: String,
    /// The platform or registry the consent is granted to.
    pub grantee_id: String,
    /// Kind of grantee.
    pub grantee_kind: PlatformKind,
    /// What the grantee may do.
    pub scopes: Vec<ConsentScope>,
    /// The set of holdings the consent opens; absent: the whole account.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subset: Option<ConsentSubset>,
    /// Current status.
    pub status: ConsentStatus,
    /// The representative who granted it.
    pub granted_by: String,
    /// When it was granted.
    pub granted_at: DateTime<Utc>,
    /// When it lapses.
    pub expires_at: DateTime<Utc>,
    /// When it was revoked.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revoked_at: Option<DateTime<Utc>>,
}

/// Request to grant a consent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "grantee_id": "TP-0001",
    "scopes": ["holdings_read"],
    "expires_at": "2027-06-30T00:00:00Z"
}))]
pub struct ConsentRequest {
    /// The platform or registry to grant to.
    pub grantee_id: String,
    /// At least one scope, each at most once; `association` only for third-party registries.
    pub scopes: Vec<ConsentScope>,
    /// When the consent lapses; in the future, at most 3 years ahead.
    pub expires_at: DateTime<Utc>,
    /// Only this set of holdings; absent: the whole account.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subset: Option<ConsentSubset>,
}

/// Filters and paging for consent lists.
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ConsentsQuery {
    /// Only consents with this status.
    pub status: Option<ConsentStatus>,
    /// Maximum items per page (1–200, default 50).
    #[param(minimum = 1, maximum = 200, default = 50)]
    pub limit: Option<u32>,
    /// Opaque token from a previous page's `next_page`.
    pub page_token: Option<String>,
}

/// Status of a delegation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum DelegationStatus {
    /// The delegate acts as an authorised representative of the account.
    Active,
    /// Revoked: the delegate can no longer do anything on the account.
    Revoked,
}

/// Appointment of a platform's representative as an authorised representative of an account (B.2).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Delegation {
    /// Identifier, `DEL-…`.
    pub delegation_id: String,
    /// The account delegated.
    pub account_id: String,
    /// The platform whose representative is appointed.
    pub platform_id: String,
    /// The appointed representative.
    pub representative_id: String,
    /// Roles the delegate holds on the account.
    pub roles: Vec<Role>,
    /// Current status.
    pub status: DelegationStatus,
    /// The representative who appointed the delegate.
    pub appointed_by: String,
    /// When it was made.
    pub appointed_at: DateTime<Utc>,
    /// When it was revoked.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revoked_at: Option<DateTime<Utc>>,
}

/// Request to appoint a platform representative as an authorised representative.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DelegationRequest {
    /// A representative of a trading platform.
    pub representative_id: String,
    /// Roles on the account; at least one.
    pub roles: Vec<Role>,
}

/// OAuth 2.0 token request (RFC 6749 sections 4.1.3, 4.4 and 6), form-encoded.
///
/// Unrecognised parameters are ignored, as RFC 6749 section 3.2 requires. Which parameters a
/// request needs depends on `grant_type`:
/// - `client_credentials`: the client's credentials (here or by HTTP Basic); `scope` is ignored.
/// - `authorization_code`: `code`, `redirect_uri` (the one of the authorization request) and
///   `code_verifier` (PKCE); a public client sends `client_id` alone, a confidential client
///   authenticates as for `client_credentials`.
/// - `refresh_token`: `refresh_token` and optionally a narrower `scope`; client authentication as
///   for `authorization_code`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct TokenRequest {
    /// `client_credentials`, `authorization_code` or `refresh_token`.
    #[schema(example = "client_credentials")]
    pub grant_type: String,
    /// The client's ID (omitted when the client uses HTTP Basic).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_id: Option<String>,
    /// The client's secret (confidential clients not using HTTP Basic).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_secret: Option<String>,
    /// Space-separated scopes: ignored for `client_credentials`; for `refresh_token`, a subset of
    /// the scopes granted, to narrow the new access token.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scope: Option<String>,
    /// `authorization_code`: the code from the redirect.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
    /// `authorization_code`: exactly the `redirect_uri` of the authorization request.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub redirect_uri: Option<String>,
    /// `authorization_code`: the PKCE verifier whose S256 challenge the authorization request sent
    /// (43–128 characters of `[A-Za-z0-9-._~]`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code_verifier: Option<String>,
    /// `refresh_token`: the refresh token last issued.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refresh_token: Option<String>,
}

/// An access token (RFC 6749 section 5.1).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct TokenResponse {
    /// The bearer token.
    pub access_token: String,
    /// Always `Bearer`.
    pub token_type: String,
    /// Seconds until the access token expires on the registry clock: 3600.
    pub expires_in: u64,
    /// A new refresh token (`authorization_code` and `refresh_token` grants only); the one
    /// presented to get it is used up.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refresh_token: Option<String>,
    /// The space-separated scopes the access token carries (`authorization_code` and
    /// `refresh_token` grants only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scope: Option<String>,
}

/// A token or revocation endpoint error (RFC 6749 section 5.2). Both endpoints answer with this
/// shape, not with a problem document, as OAuth clients expect.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct OAuthError {
    /// `invalid_request`, `invalid_client`, `invalid_grant`, `unauthorized_client`,
    /// `unsupported_grant_type` or `invalid_scope`.
    pub error: String,
    /// Human-readable explanation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error_description: Option<String>,
}
