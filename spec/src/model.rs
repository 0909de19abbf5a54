//! Accounts, unit blocks and transaction history: the resources an authorised representative reads.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

/// Unit type codes this version of the API issues and moves.
///
/// The field is a string rather than a closed enum so that new unit types (LGC, STC, Guarantee of
/// Origin certificates) can be added without breaking clients.
pub const UNIT_TYPES: &[&str] = &["ACCU", "SMC"];

/// Kind of ANREU account.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum AccountKind {
    /// An ordinary holding account of an account holder.
    Holding,
    /// An account a trading platform holds units in on behalf of its clients (full or fleeting custody).
    Custodial,
}

/// Lifecycle status of an account.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum AccountStatus {
    /// The account can hold, send and receive units.
    Open,
    /// The account is closed: it can be read but no units move in or out.
    Closed,
}

/// What an authorised representative may do on an account.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// May initiate and rescind transfers and cancellations, and create reservations and escrows.
    Initiator,
    /// May approve or reject transfers, cancellations and escrows (not its own while the account
    /// has another representative), and appoint delegates.
    Approver,
}

/// The person or organisation that owns accounts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct AccountHolder {
    /// Registry identifier of the account holder.
    #[schema(example = "AH-000001")]
    pub holder_id: String,
    /// Legal name.
    #[schema(example = "Mallee Carbon Pty Ltd")]
    pub name: String,
}

/// A representative as seen on an account: an authorised representative (AR), or a trading
/// platform controlling escrows on the account (`kind: escrow_controller`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Representative {
    /// Registry identifier of the representative.
    #[schema(example = "AR-000001")]
    pub representative_id: String,
    /// Full name.
    #[schema(example = "Priya Natarajan")]
    pub name: String,
    /// Roles held on this account (none for an escrow controller).
    pub roles: Vec<Role>,
    /// What kind of representative this is.
    pub kind: RepresentativeKind,
    /// For an `escrow_controller`: the account's escrows it controls (`pending_approval` or
    /// `active`), ascending. Absent for every other kind.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub escrow_ids: Vec<String>,
}

/// Kinds of representative shown on an account.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum RepresentativeKind {
    /// A person (or a platform's representative, by delegation) appointed with roles.
    Authorised,
    /// A trading platform controlling escrows on the account (B.5): its `representative_id` is
    /// the platform's ID and its only power is over the units of those escrows. It holds no
    /// role, does not count for the four-eyes rule and reads nothing else of the account.
    EscrowController,
}

/// Units of one type in an account, by status.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Balance {
    /// Unit type code.
    #[schema(example = "ACCU")]
    pub unit_type: String,
    /// Units free to enter a new transaction.
    pub available: u64,
    /// Units inside a transaction awaiting approval.
    pub pending: u64,
    /// Units reserved for a trading platform.
    pub reserved: u64,
    /// Units allocated to an escrow.
    pub escrowed: u64,
    /// Units voluntarily cancelled from this account; they never move again.
    pub cancelled: u64,
}

/// An ANREU account.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[schema(example = json!({
    "account_id": "AU-1000001",
    "name": "Mallee Carbon trading account",
    "kind": "holding",
    "status": "open",
    "holder": {"holder_id": "AH-000001", "name": "Mallee Carbon Pty Ltd"},
    "representatives": [
        {"representative_id": "AR-000001", "name": "Priya Natarajan", "roles": ["initiator"], "kind": "authorised"},
        {"representative_id": "AR-000002", "name": "Tom Barker", "roles": ["approver"], "kind": "authorised"}
    ],
    "balances": [{"unit_type": "ACCU", "available": 900, "pending": 100, "reserved": 0, "escrowed": 0, "cancelled": 0}],
    "opened_at": "2026-07-01T00:00:00Z"
}))]
pub struct Account {
    /// ANREU account number.
    #[schema(example = "AU-1000001")]
    pub account_id: String,
    /// Account name.
    pub name: String,
    /// Holding or custodial.
    pub kind: AccountKind,
    /// Lifecycle status.
    pub status: AccountStatus,
    /// Who owns the account.
    pub holder: AccountHolder,
    /// The account's current representatives, each once with its roles: the authorised
    /// representatives, direct or delegated (`kind: authorised`), and the controller of each
    /// pending or active escrow on the account (`kind: escrow_controller`, `REQ-ESCROW-014`).
    pub representatives: Vec<Representative>,
    /// Totals by unit type and status; the sum over statuses equals the sum of the account's
    /// blocks. For a platform or registry whose `holdings_read` consents carry a `subset`: the
    /// totals of the units they select (`REQ-SCOPE-015`).
    pub balances: Vec<Balance>,
    /// When the account was opened.
    pub opened_at: DateTime<Utc>,
}

/// Status of a unit block. A block has exactly one status.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum BlockStatus {
    /// Free to enter a new transaction.
    Available,
    /// Inside a transfer or cancellation awaiting approval.
    Pending,
    /// Reserved for a trading platform.
    Reserved,
    /// Allocated to an escrow controlled by a trading platform.
    Escrowed,
    /// Voluntarily cancelled; never moves again.
    Cancelled,
}

/// Kyoto eligibility of an ACCU (the historic KACCU / NKACCU split).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum KyotoStatus {
    /// Kyoto ACCU (KACCU).
    Kyoto,
    /// Non-Kyoto ACCU (NKACCU).
    NonKyoto,
}

/// A contiguous, inclusive range of serial numbers of one unit type.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, ToSchema,
)]
#[serde(deny_unknown_fields)]
pub struct SerialRange {
    /// First serial in the range.
    #[schema(example = 3_100_001)]
    pub serial_start: u64,
    /// Last serial in the range (inclusive); not less than `serial_start`.
    #[schema(example = 3_100_100)]
    pub serial_end: u64,
}

impl SerialRange {
    /// Number of serials in the range.
    pub fn quantity(&self) -> u64 {
        self.serial_end - self.serial_start + 1
    }
}

/// A block of units: a contiguous serial range with shared attributes and one status.
///
/// Moving part of a block splits it; the union of serials is preserved and no two blocks overlap.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[schema(example = json!({
    "block_id": "ACCU-3100001",
    "unit_type": "ACCU",
    "serial_start": 3100001,
    "serial_end": 3101000,
    "quantity": 1000,
    "status": "available",
    "project_id": "ERF101234",
    "vintage": "2023-24",
    "method": "Human-induced regeneration of a permanent even-aged native forest",
    "kyoto_status": "NON_KYOTO",
    "state": "NSW",
    "issued_on": "2024-09-12"
}))]
pub struct UnitBlock {
    /// Identifier of the block: `<unit_type>-<serial_start>`; changes when the block is split from the left.
    pub block_id: String,
    /// Unit type code, e.g. `ACCU` or `SMC`.
    pub unit_type: String,
    /// First serial (inclusive).
    pub serial_start: u64,
    /// Last serial (inclusive).
    pub serial_end: u64,
    /// `serial_end - serial_start + 1`.
    pub quantity: u64,
    /// Current status.
    pub status: BlockStatus,
    /// ACCU Scheme project ID; ACCUs only (`REQ-UNITS-013`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub project_id: Option<String>,
    /// Financial year of the abatement, e.g. `2023-24`.
    pub vintage: String,
    /// Method (methodology determination) under which the units were issued; ACCUs only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub method: Option<String>,
    /// Safeguard facility ID; SMCs only (`REQ-UNITS-013`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub facility_id: Option<String>,
    /// Safeguard facility name; SMCs only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub facility_name: Option<String>,
    /// Year the SMCs were issued in; SMCs only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub issuance_year: Option<u16>,
    /// Kyoto eligibility; ACCUs only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kyoto_status: Option<KyotoStatus>,
    /// Australian state or territory of the project or facility.
    pub state: String,
    /// Date of issuance.
    pub issued_on: NaiveDate,
    /// The transaction holding these units while `pending`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub transaction_id: Option<String>,
}

/// Filters and paging for the holdings list.
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct HoldingsQuery {
    /// Only blocks of this unit type.
    pub unit_type: Option<String>,
    /// Only blocks with this status.
    pub status: Option<BlockStatus>,
    /// Only blocks of this vintage, e.g. `2023-24`.
    pub vintage: Option<String>,
    /// Only ACCU blocks from this project.
    pub project_id: Option<String>,
    /// Only SMC blocks from this Safeguard facility.
    pub facility_id: Option<String>,
    /// Maximum items per page (1–200, default 50).
    #[param(minimum = 1, maximum = 200, default = 50)]
    pub limit: Option<u32>,
    /// Opaque token from a previous page's `next_page`.
    pub page_token: Option<String>,
}

/// Kind of transaction in an account's history.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum TransactionKind {
    /// Units created in the account by the regulator.
    Issuance,
    /// Units moved from one account to another.
    Transfer,
    /// Units voluntarily cancelled.
    Cancellation,
}

/// Status of a transfer, cancellation or other transaction.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum TransactionStatus {
    /// Initiated, awaiting an approver's decision; its units are `pending`.
    PendingApproval,
    /// Approved and carried out. Completed transactions are immutable.
    Completed,
    /// Refused by an approver; units returned to `available` (to `reserved` for a transfer of a
    /// reservation).
    Rejected,
    /// Withdrawn by an initiator before a decision, or ended by the release of the reservation it
    /// moves (`REQ-RESERVATION-011`); units returned to `available` (to `reserved` when an
    /// initiator rescinds a transfer of a reservation).
    Rescinded,
    /// Not decided within the approval window; units returned to `available` (to `reserved` for a
    /// transfer of a reservation).
    Expired,
}

/// One entry of an account's transaction history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[schema(example = json!({
    "transaction_id": "TRF-000042",
    "kind": "transfer",
    "status": "completed",
    "unit_type": "ACCU",
    "quantity": 100,
    "serial_ranges": [{"serial_start": 3100001, "serial_end": 3100100}],
    "from_account_id": "AU-1000001",
    "to_account_id": "AU-1000002",
    "created_at": "2026-11-02T01:02:03Z",
    "updated_at": "2026-11-02T01:09:00Z"
}))]
pub struct Transaction {
    /// Identifier of the transfer (`TRF-…`), cancellation (`CAN-…`) or issuance (`ISS-…`).
    pub transaction_id: String,
    /// What kind of transaction this is.
    pub kind: TransactionKind,
    /// Current status.
    pub status: TransactionStatus,
    /// Unit type code.
    pub unit_type: String,
    /// Number of units.
    pub quantity: u64,
    /// The serial ranges involved, ascending.
    pub serial_ranges: Vec<SerialRange>,
    /// Source account; absent for issuance.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from_account_id: Option<String>,
    /// Destination account; absent for cancellation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub to_account_id: Option<String>,
    /// A transfer's `reference`, or a cancellation's `reason`; absent when none was given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reference: Option<String>,
    /// When the transaction was created.
    pub created_at: DateTime<Utc>,
    /// When its status last changed.
    pub updated_at: DateTime<Utc>,
}

/// Filters and paging for the transaction history.
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct TransactionsQuery {
    /// Only transactions of this kind.
    pub kind: Option<TransactionKind>,
    /// Only transactions with this status.
    pub status: Option<TransactionStatus>,
    /// Only transactions created at or after this instant (RFC 3339).
    pub from: Option<DateTime<Utc>>,
    /// Only transactions created before this instant (RFC 3339).
    pub to: Option<DateTime<Utc>>,
    /// Maximum items per page (1–200, default 50).
    #[param(minimum = 1, maximum = 200, default = 50)]
    pub limit: Option<u32>,
    /// Opaque token from a previous page's `next_page`.
    pub page_token: Option<String>,
}

/// Paging only.
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct PageQuery {
    /// Maximum items per page (1–200, default 50).
    #[param(minimum = 1, maximum = 200, default = 50)]
    pub limit: Option<u32>,
    /// Opaque token from a previous page's `next_page`.
    pub page_token: Option<String>,
}
