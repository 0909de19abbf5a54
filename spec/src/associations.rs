//! Associations of third-party certificates with registry units (C.1).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

/// Status of an association, kept in step with the unit it points at.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum AssociationStatus {
    /// The unit is in the consenting account and not cancelled.
    Active,
    /// The unit was transferred out of the consenting account; the certificate's backing moved.
    Transferred,
    /// The unit was cancelled (it backs the certificate for good, and never moves again).
    Cancelled,
    /// The registry dissolved the association.
    Dissolved,
}

/// A 1:1 link between one registry unit (by serial) and one third-party certificate.
///
/// A unit carries at most one live association and a registry's certificate ID points at most at
/// one unit; both rules hold across registries for units and per registry for certificate IDs.
/// Only an `active` or `cancelled` association counts as live; `transferred` and `dissolved` ones
/// free both sides for a new association.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Association {
    /// Identifier, `ASN-…`.
    pub association_id: String,
    /// The third-party registry that made it.
    pub registry_id: String,
    /// The registry's own certificate identifier.
    pub certificate_id: String,
    /// The account whose holder consented.
    pub account_id: String,
    /// Unit type code.
    pub unit_type: String,
    /// Serial of the associated unit.
    pub serial: u64,
    /// Current status.
    pub status: AssociationStatus,
    /// When it was made.
    pub created_at: DateTime<Utc>,
    /// When its status last changed.
    pub updated_at: DateTime<Utc>,
}

/// Request to associate a certificate with a unit the consenting account holds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "account_id": "AU-1000001",
    "unit_type": "ACCU",
    "serial": 3100001,
    "certificate_id": "GREENCERT-2026-000123"
}))]
pub struct AssociationRequest {
    /// The account holding the unit; the registry needs an active `association` consent on it.
    pub account_id: String,
    /// Unit type code.
    pub unit_type: String,
    /// Serial of the unit; held by the account and not cancelled.
    pub serial: u64,
    /// The registry's certificate identifier, 1–100 characters.
    #[schema(min_length = 1, max_length = 100)]
    pub certificate_id: String,
}

/// Filters and paging for the association list.
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct AssociationsQuery {
    /// Only associations on this account.
    pub account_id: Option<String>,
    /// Only associations with this status.
    pub status: Option<AssociationStatus>,
    /// Only associations of this certificate (at most one of them live).
    pub certificate_id: Option<String>,
    /// Maximum items per page (1–200, default 50).
    #[param(minimum = 1, maximum = 200, default = 50)]
    pub limit: Option<u32>,
    /// Opaque token from a previous page's `next_page`.
    pub page_token: Option<String>,
}
