//! The CER's public registers: open data, no authentication, filterable, sortable, paged, one row
//! by ID, and downloadable as CSV. `docs/registers.md` lists each column with its CER source.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

/// A project on the ACCU Scheme project register (the CER's "ACCU project and contract register").
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[schema(example = json!({
    "project_id": "ERF101234",
    "project_name": "Wandoo Station Regeneration Project",
    "project_description": "Regenerating native forest on \"Wandoo Station\", near Cobar, by excluding stock and managing feral animals.",
    "project_proponent": "Mallee Carbon Pty Ltd",
    "state": "NSW",
    "postcode": "2835",
    "method": "Human-induced regeneration of a permanent even-aged native forest",
    "method_url": "https://www.legislation.gov.au/F2013L00162",
    "method_type": "Vegetation",
    "date_registered": "2019-03-14",
    "crediting_period_start": "2019-03-14",
    "crediting_period_end": "2044-03-13",
    "permanence_period_years": 100,
    "carbon_maintenance_obligation": false,
    "accus_total_units_issued": 184220,
    "accus_kyoto_units_issued": 0,
    "accus_non_kyoto_units_issued": 184220,
    "accus_total_units_relinquished": 0,
    "project_conditions": ["Eligible interest-holder consent"],
    "under_contract": true,
    "contract_id": "CAC-0123",
    "revoked": false
}))]
pub struct AccuProject {
    /// Project ID. Projects registered under the Emissions Reduction Fund carry `ERF` and six
    /// digits; projects transitioned from earlier schemes keep their own identifiers.
    pub project_id: String,
    /// Project Name.
    pub project_name: String,
    /// Project Description.
    pub project_description: String,
    /// Project Proponent.
    pub project_proponent: String,
    /// Project Location (State or Territory).
    pub state: String,
    /// Project Location (Postcode).
    pub postcode: String,
    /// Method (methodology determination).
    pub method: String,
    /// Method URL: the determination on the Federal Register of Legislation.
    pub method_url: String,
    /// Method Type, e.g. `Vegetation`, `Savanna burning`, `Landfill and waste`.
    pub method_type: String,
    /// Registration Date.
    pub date_registered: NaiveDate,
    /// Crediting Period Start Date; absent until the crediting period has been set.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub crediting_period_start: Option<NaiveDate>,
    /// Crediting Period End Date; absent until the crediting period has been set.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub crediting_period_end: Option<NaiveDate>,
    /// Permanence Period in years (25 or 100) of a sequestration project; absent for emissions
    /// avoidance projects.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub permanence_period_years: Option<u32>,
    /// Carbon Maintenance Obligation: whether one is in force over the project area.
    pub carbon_maintenance_obligation: bool,
    /// ACCUs Total units issued.
    pub accus_total_units_issued: u64,
    /// ACCUs Kyoto units issued.
    pub accus_kyoto_units_issued: u64,
    /// ACCUs Non-Kyoto units issued.
    pub accus_non_kyoto_units_issued: u64,
    /// ACCUs Total units relinquished.
    pub accus_total_units_relinquished: u64,
    /// Project Conditions still to be met, e.g. `Eligible interest-holder consent`,
    /// `Regulatory approvals`; empty when none.
    pub project_conditions: Vec<String>,
    /// Contracted: whether the project is under a Carbon Abatement Contract.
    pub under_contract: bool,
    /// Carbon Abatement Contract ID, if the project is under contract.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contract_id: Option<String>,
    /// Whether the project's registration has been revoked.
    pub revoked: bool,
}

/// The sort and paging parameters every register list takes.
macro_rules! register_query {
    (
        $(#[$meta:meta])*
        pub struct $name:ident { $($body:tt)* }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Default, Deserialize, IntoParams)]
        #[into_params(parameter_in = Query)]
        #[serde(deny_unknown_fields)]
        pub struct $name {
            $($body)*
            /// Sort order: a field name for ascending order, `-` and a field name for descending;
            /// any field that is a string, number, date or boolean. Default: the register's ID
            /// ascending. Equal values are ordered by the register's ID ascending.
            pub sort: Option<String>,
            /// Maximum items per page (1–200, default 50).
            #[param(minimum = 1, maximum = 200, default = 50)]
            pub limit: Option<u32>,
            /// Opaque token from a previous page's `next_page`.
            pub page_token: Option<String>,
        }
    };
}

register_query! {
    /// Filters, sort and paging for the ACCU Scheme project register. Filters combine with AND;
    /// every field filters by exact match under its own name, and numbers and dates also by
    /// inclusive bounds `<field>_from` and `<field>_to`.
    pub struct AccuProjectQuery {
        /// Exact project ID.
        pub project_id: Option<String>,
        /// Exact project name.
        pub project_name: Option<String>,
        /// Exact project description.
        pub project_description: Option<String>,
        /// Exact project proponent.
        pub project_proponent: Option<String>,
        /// Case-insensitive substring of the proponent's name.
        pub proponent: Option<String>,
        /// Exact state or territory, e.g. `QLD`.
        pub state: Option<String>,
        /// Exact postcode.
        pub postcode: Option<String>,
        /// Exact method.
        pub method: Option<String>,
        /// Exact method URL.
        pub method_url: Option<String>,
        /// Exact method type, e.g. `Vegetation`.
        pub method_type: Option<String>,
        /// Exact registration date.
        pub date_registered: Option<NaiveDate>,
        /// Registered on or after this date.
        pub date_registered_from: Option<NaiveDate>,
        /// Registered on or before this date.
        pub date_registered_to: Option<NaiveDate>,
        /// Exact crediting period start.
        pub crediting_period_start: Option<NaiveDate>,
        /// Crediting period starting on or after this date.
        pub crediting_period_start_from: Option<NaiveDate>,
        /// Crediting period starting on or before this date.
        pub crediting_period_start_to: Option<NaiveDate>,
        /// Exact crediting period end.
        pub crediting_period_end: Option<NaiveDate>,
        /// Crediting period ending on or after this date.
        pub crediting_period_end_from: Option<NaiveDate>,
        /// Crediting period ending on or before this date.
        pub crediting_period_end_to: Option<NaiveDate>,
        /// Exact permanence period in years.
        pub permanence_period_years: Option<u32>,
        /// Permanence period of at least this many years.
        pub permanence_period_years_from: Option<u32>,
        /// Permanence period of at most this many years.
        pub permanence_period_years_to: Option<u32>,
        /// Only projects with (`true`) or without (`false`) a carbon maintenance obligation.
        pub carbon_maintenance_obligation: Option<bool>,
        /// Exact ACCUs issued.
        pub accus_total_units_issued: Option<u64>,
        /// At least this many ACCUs issued.
        pub accus_total_units_issued_from: Option<u64>,
        /// At most this many ACCUs issued.
        pub accus_total_units_issued_to: Option<u64>,
        /// Exact Kyoto ACCUs issued.
        pub accus_kyoto_units_issued: Option<u64>,
        /// At least this many Kyoto ACCUs issued.
        pub accus_kyoto_units_issued_from: Option<u64>,
        /// At most this many Kyoto ACCUs issued.
        pub accus_kyoto_units_issued_to: Option<u64>,
        /// Exact non-Kyoto ACCUs issued.
        pub accus_non_kyoto_units_issued: Option<u64>,
        /// At least this many non-Kyoto ACCUs issued.
        pub accus_non_kyoto_units_issued_from: Option<u64>,
        /// At most this many non-Kyoto ACCUs issued.
        pub accus_non_kyoto_units_issued_to: Option<u64>,
        /// Exact ACCUs relinquished.
        pub accus_total_units_relinquished: Option<u64>,
        /// At least this many ACCUs relinquished.
        pub accus_total_units_relinquished_from: Option<u64>,
        /// At most this many ACCUs relinquished.
        pub accus_total_units_relinquished_to: Option<u64>,
        /// Only projects with this condition among their project conditions.
        pub project_conditions: Option<String>,
        /// Only projects under contract (`true`) or not (`false`).
        pub under_contract: Option<bool>,
        /// Exact Carbon Abatement Contract ID.
        pub contract_id: Option<String>,
        /// Only revoked (`true`) or only current (`false`) projects.
        pub revoked: Option<bool>,
    }
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

impl ContractStatus {
    /// The status as written on the wire.
    pub fn as_str(self) -> &'static str {
        match self {
            ContractStatus::Active => "active",
            ContractStatus::Completed => "completed",
            ContractStatus::Terminated => "terminated",
        }
    }
}

/// A contract on the Carbon Abatement Contract register.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[schema(example = json!({
    "contract_id": "CAC-0123",
    "contractor_name": "Mallee Carbon Pty Ltd",
    "project_ids": ["ERF101234", "ERF101377"],
    "delivery_obligation": "Fixed delivery",
    "auction_date": "2019-10-02",
    "status": "active",
    "volume_committed": 450000,
    "volume_delivered": 212000
}))]
pub struct CarbonAbatementContract {
    /// Contract ID, `CAC-` followed by four digits.
    pub contract_id: String,
    /// Contractor name.
    pub contractor_name: String,
    /// The ACCU Scheme projects the contract covers (one or more), in ascending order.
    pub project_ids: Vec<String>,
    /// Delivery obligation: `Fixed delivery` or `Optional delivery`.
    pub delivery_obligation: String,
    /// Date of the auction or purchasing process at which the contract was won.
    pub auction_date: NaiveDate,
    /// Contract status.
    pub status: ContractStatus,
    /// ACCUs committed under the contract.
    pub volume_committed: u64,
    /// ACCUs delivered so far; never more than committed.
    pub volume_delivered: u64,
}

register_query! {
    /// Filters, sort and paging for the Carbon Abatement Contract register. Filters combine with
    /// AND; every field filters by exact match under its own name, and numbers and dates also by
    /// inclusive bounds `<field>_from` and `<field>_to`.
    pub struct CarbonAbatementContractQuery {
        /// Exact contract ID.
        pub contract_id: Option<String>,
        /// Exact contractor name.
        pub contractor_name: Option<String>,
        /// Case-insensitive substring of the contractor's name.
        pub contractor: Option<String>,
        /// Only contracts covering this project.
        pub project_ids: Option<String>,
        /// Exact delivery obligation.
        pub delivery_obligation: Option<String>,
        /// Exact auction date.
        pub auction_date: Option<NaiveDate>,
        /// Auctions on or after this date.
        pub auction_date_from: Option<NaiveDate>,
        /// Auctions on or before this date.
        pub auction_date_to: Option<NaiveDate>,
        /// Only contracts with this status.
        pub status: Option<ContractStatus>,
        /// Exact volume committed.
        pub volume_committed: Option<u64>,
        /// At least this volume committed.
        pub volume_committed_from: Option<u64>,
        /// At most this volume committed.
        pub volume_committed_to: Option<u64>,
        /// Exact volume delivered.
        pub volume_delivered: Option<u64>,
        /// At least this volume delivered.
        pub volume_delivered_from: Option<u64>,
        /// At most this volume delivered.
        pub volume_delivered_to: Option<u64>,
    }
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

impl GoProjectStatus {
    /// The status as written on the wire.
    pub fn as_str(self) -> &'static str {
        match self {
            GoProjectStatus::Registered => "registered",
            GoProjectStatus::Suspended => "suspended",
            GoProjectStatus::Deregistered => "deregistered",
        }
    }
}

/// A profile on the Guarantee of Origin register: the product it tracks and the kind of profile.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[schema(example = json!({
    "profile_id": "GO-00017",
    "profile_name": "Mildura Solar Farm",
    "registered_person": "Sunraysia Renewables Pty Ltd",
    "product_type": "Electricity",
    "profile_type": "Production",
    "energy_source": "Solar",
    "nameplate_capacity_mw": 112.5,
    "state": "VIC",
    "registration_date": "2025-02-11",
    "status": "registered"
}))]
pub struct GuaranteeOfOriginProject {
    /// Profile ID, `GO-` followed by five digits.
    pub profile_id: String,
    /// Profile or facility name.
    pub profile_name: String,
    /// Registered person.
    pub registered_person: String,
    /// Product type the profile's certificates are for: `Electricity` or `Hydrogen`.
    pub product_type: String,
    /// Profile type: `Production` (a facility producing the product) or `Storage` (a facility
    /// storing and re-supplying it).
    pub profile_type: String,
    /// Energy source, e.g. `Solar`, `Wind`, `Hydro`, `Bioenergy`, `Battery`, `Grid and renewable`.
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

register_query! {
    /// Filters, sort and paging for the Guarantee of Origin register. Filters combine with AND;
    /// every field filters by exact match under its own name, and numbers and dates also by
    /// inclusive bounds `<field>_from` and `<field>_to`.
    pub struct GuaranteeOfOriginProjectQuery {
        /// Exact profile ID.
        pub profile_id: Option<String>,
        /// Exact profile name.
        pub profile_name: Option<String>,
        /// Exact registered person.
        pub registered_person: Option<String>,
        /// Exact product type.
        pub product_type: Option<String>,
        /// Exact profile type.
        pub profile_type: Option<String>,
        /// Exact energy source.
        pub energy_source: Option<String>,
        /// Exact nameplate capacity in megawatts.
        pub nameplate_capacity_mw: Option<f64>,
        /// At least this nameplate capacity.
        pub nameplate_capacity_mw_from: Option<f64>,
        /// At most this nameplate capacity.
        pub nameplate_capacity_mw_to: Option<f64>,
        /// Exact state or territory.
        pub state: Option<String>,
        /// Exact registration date.
        pub registration_date: Option<NaiveDate>,
        /// Registered on or after this date.
        pub registration_date_from: Option<NaiveDate>,
        /// Registered on or before this date.
        pub registration_date_to: Option<NaiveDate>,
        /// Only profiles with this status.
        pub status: Option<GoProjectStatus>,
    }
}
