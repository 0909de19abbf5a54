//! The sandbox API: test set-up that an implementation may leave out (and must in production).

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::model::{AccountKind, KyotoStatus, Role};

/// An operator credential for the sandbox API.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct OperatorSession {
    /// Bearer token for the other sandbox operations.
    pub token: String,
}

/// Request to create an account holder.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewAccountHolder {
    /// Legal name, 1–200 characters, not blank.
    #[schema(example = "Mallee Carbon Pty Ltd", min_length = 1, max_length = 200)]
    pub name: String,
}

/// Request to open an account for a holder.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewAccount {
    /// The holder that owns the account.
    pub holder_id: String,
    /// Account name, 1–200 characters, not blank.
    #[schema(min_length = 1, max_length = 200)]
    pub name: String,
    /// Holding or custodial.
    pub kind: AccountKind,
}

/// Request to appoint an authorised representative to an account.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewRepresentative {
    /// Full name of a new representative; ignored when `representative_id` is given.
    pub name: String,
    /// Roles on this account; at least one.
    pub roles: Vec<Role>,
    /// Appoint an existing representative (who keeps their token) instead of creating one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub representative_id: Option<String>,
}

/// A representative's credential, returned by the sandbox on each appointment (an existing
/// representative keeps its token).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct RepresentativeCredential {
    /// Registry identifier of the representative.
    pub representative_id: String,
    /// The account the appointment is for.
    pub account_id: String,
    /// Full name.
    pub name: String,
    /// Roles on that account.
    pub roles: Vec<Role>,
    /// Bearer token that authenticates as this representative.
    pub token: String,
}

/// Request to issue new units into an account (the only way units are created).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "account_id": "AU-1000001",
    "unit_type": "ACCU",
    "quantity": 1000,
    "project_id": "ERF101234",
    "vintage": "2023-24",
    "method": "Human-induced regeneration of a permanent even-aged native forest",
    "kyoto_status": "NON_KYOTO",
    "state": "NSW"
}))]
pub struct IssuanceRequest {
    /// Account receiving the units.
    pub account_id: String,
    /// Unit type code.
    pub unit_type: String,
    /// Number of units, 1 to 1,000,000,000.
    #[schema(minimum = 1, maximum = 1_000_000_000)]
    pub quantity: u64,
    /// ACCU Scheme project ID; required for ACCUs, refused for SMCs (`REQ-UNITS-013`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub project_id: Option<String>,
    /// Financial year, `YYYY-YY` with consecutive years, e.g. `2023-24`; anything else is refused
    /// with `422 validation-failed`.
    #[schema(example = "2023-24")]
    pub vintage: String,
    /// Method name; required for ACCUs, refused for SMCs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub method: Option<String>,
    /// Safeguard facility ID; required for SMCs, refused for ACCUs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub facility_id: Option<String>,
    /// Safeguard facility name; required for SMCs, refused for ACCUs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub facility_name: Option<String>,
    /// Year the SMCs are issued in, 2023 to 2100; required for SMCs, refused for ACCUs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(minimum = 2023, maximum = 2100)]
    pub issuance_year: Option<u64>,
    /// Kyoto eligibility (ACCUs only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kyoto_status: Option<KyotoStatus>,
    /// State or territory.
    pub state: String,
    /// Issuance date; absent: the registry clock's current UTC date.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub issued_on: Option<NaiveDate>,
}

/// Result of resetting the sandbox.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct SandboxReset {
    /// Accounts removed.
    pub accounts_removed: u64,
    /// Transactions removed.
    pub transactions_removed: u64,
}

/// Request to register a trading platform or third-party registry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewPlatform {
    /// Organisation name, 1–200 characters, not blank.
    #[schema(
        example = "Southern Cross Carbon Exchange",
        min_length = 1,
        max_length = 200
    )]
    pub name: String,
    /// Trading platform or third-party registry.
    pub kind: crate::platforms::PlatformKind,
    /// Redirect URIs for the authorization code flow, through which the platform asks a
    /// representative for a consent; none by default. At most 10 absolute `http` or `https` URIs
    /// without a fragment.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub redirect_uris: Vec<String>,
}

/// A platform's credentials, returned once by the sandbox.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct PlatformCredential {
    /// The platform.
    pub platform: crate::platforms::Platform,
    /// Bearer token that authenticates as the platform itself.
    pub token: String,
    /// OAuth 2.0 client ID for the client-credentials grant at `/v1/oauth/token` (and, with
    /// `redirect_uris`, the authorization code flow).
    pub client_id: String,
    /// OAuth 2.0 client secret.
    pub client_secret: String,
}

/// Request to create a representative of a trading platform.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewPlatformRepresentative {
    /// Full name, 1–200 characters, not blank.
    #[schema(min_length = 1, max_length = 200)]
    pub name: String,
}

/// A platform representative's credential, returned once by the sandbox.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct PlatformRepresentativeCredential {
    /// Registry identifier of the representative.
    pub representative_id: String,
    /// The platform the representative works for.
    pub platform_id: String,
    /// Full name.
    pub name: String,
    /// Bearer token that authenticates as this representative.
    pub token: String,
}

/// The sandbox clock.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct SandboxClock {
    /// The registry's current time.
    pub now: chrono::DateTime<chrono::Utc>,
}

/// Request to move the sandbox clock forward.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ClockAdvance {
    /// Seconds to move forward, 1 to 31,622,400 (366 days).
    #[schema(minimum = 1, maximum = 31_622_400)]
    pub seconds: u64,
}
