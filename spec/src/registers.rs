//! The CER's public registers: open data, no authentication, filterable and paged.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

/// A project on the ACCU Scheme project register.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[schema(example = json!({
    "project_id": "ERF101234",
    "project_name": "Wandoo Station Regeneration Project",
    "project_proponent": "Mallee Carbon Pty Ltd",
    "method": "Human-induced regeneration of a permanent even-aged native forest",
    "method_type": "Vegetation",
    "state": "NSW",
    "postcode": "2835",
    "accus_total_units_issued": 184220,
    "date_registered": "2019-03-14",
    "revoked": false,
    "contract_id": "CAC-0123"
}))]
pub struct AccuProject {
    /// Project ID, `ERF` followed by six digits.
    pub project_id: String,
    /// Project Name.
    pub project_name: String,
    /// Project Proponent.
    pub project_proponent: String,
    /// Method (methodology determination).
    pub method: String,
    /// Method Type, e.g. `Vegetation`, `Savanna burning`, `Landfill and waste`.
    pub method_type: String,
    /// Project location: state or territory.
    pub state: String,
    /// Project location: postcode.
    pub postcode: String,
    /// ACCUs total units issued.
    pub accus_total_units_issued: u64,
    /// Date registered.
    pub date_registered: NaiveDate,
    /// Whether the project's registration has been revoked.
    pub revoked: bool,
    /// Carbon Abatement Contract ID, if the project has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contract_id: Option<String>,
}

/// Filters and paging for the ACCU Scheme project register. Filters combine with AND.
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct AccuProjectQuery {
    /// Exact state or territory, e.g. `QLD`.
    pub state: Option<String>,
    /// Exact method type, e.g. `Vegetation`.
    pub method_type: Option<String>,
    /// Case-insensitive substring of the proponent's name.
    pub proponent: Option<String>,
    /// Only revoked (`true`) or only current (`false`) projects.
    pub revoked: Option<bool>,
    /// Maximum items per page (1–200, default 50).
    #[param(minimum = 1, maximum = 200, default = 50)]
    pub limit: Option<u32>,
    /// Opaque token from a previous page's `next_page`.
    pub page_token: Option<String>,
}

/// Status of a Carbon Abatement Contract.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ContractStatus {
    /// Deliveries are under way.
    Active,
    /// All obligations met.
    Completed,
    /// Ended early.
    Terminated,
}

/// A contract on the Carbon Abatement Contract register.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct CarbonAbatementContract {
    /// Contract ID, `CAC-` followed by four digits.
    pub contract_id: String,
    /// Contractor name.
    pub contractor_name: String,
    /// ACCU Scheme project the contract is for.
    pub project_id: String,
    /// Delivery obligation: `Fixed delivery` or `Optional delivery`.
    pub delivery_obligation: String,
    /// Date of the auction at which the contract was won.
    pub auction_date: NaiveDate,
    /// Contract status.
    pub status: ContractStatus,
    /// ACCUs committed under the contract.
    pub volume_committed: u64,
    /// ACCUs delivered so far; never more than committed.
    pub volume_delivered: u64,
}

/// Filters and paging for the Carbon Abatement Contract register. Filters combine with AND.
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct CarbonAbatementContractQuery {
    /// Only contracts with this status.
    pub status: Option<ContractStatus>,
    /// Only contracts for this project.
    pub project_id: Option<String>,
    /// Case-insensitive substring of the contractor's name.
    pub contractor: Option<String>,
    /// Exact delivery obligation.
    pub delivery_obligation: Option<String>,
    /// Maximum items per page (1–200, default 50).
    #[param(minimum = 1, maximum = 200, default = 50)]
    pub limit: Option<u32>,
    /// Opaque token from a previous page's `next_page`.
    pub page_token: Option<String>,
}

/// Registration status of a Guarantee of Origin profile.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum GoProjectStatus {
    /// Registered and able to create certificates.
    Registered,
    /// Temporarily suspended.
    Suspended,
    /// Deregistered.
    Deregistered,
}

/// A profile on the Guarantee of Origin project register.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct GuaranteeOfOriginProject {
    /// Profile ID, `GO-` followed by five digits.
    pub profile_id: String,
    /// Profile or facility name.
    pub profile_name: String,
    /// Registered person.
    pub registered_person: String,
    /// Profile type: `Electricity production`, `Hydrogen production` or `Renewable electricity storage`.
    pub profile_type: String,
    /// Energy source or product, e.g. `Solar`, `Wind`, `Hydro`, `Hydrogen`.
    pub energy_source: String,
    /// Nameplate capacity in megawatts.
    pub nameplate_capacity_mw: f64,
    /// State or territory.
    pub state: String,
    /// Registration date.
    pub registration_date: NaiveDate,
    /// Registration status.
    pub status: GoProjectStatus,
}

/// Filters and paging for the Guarantee of Origin project register. Filters combine with AND.
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct GuaranteeOfOriginProjectQuery {
    /// Exact state or territory.
    pub state: Option<String>,
    /// Exact energy source or product.
    pub energy_source: Option<String>,
    /// Exact profile type.
    pub profile_type: Option<String>,
    /// Only profiles with this status.
    pub status: Option<GoProjectStatus>,
    /// Maximum items per page (1–200, default 50).
    #[param(minimum = 1, maximum = 200, default = 50)]
    pub limit: Option<u32>,
    /// Opaque token from a previous page's `next_page`.
    pub page_token: Option<String>,
}
