//! Reservations (fleeting custody, B.4) and escrows (B.5).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::model::{SerialRange, UnitBlock};

/// Lifecycle of a reservation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ReservationStatus {
    /// Units are reserved for the platform.
    Active,
    /// Unreserved by a representative of the account; units are `available` again.
    Released,
    /// The units were transferred to the platform's interim custodial account.
    Consumed,
    /// Past `expires_at`; units are `available` again.
    Expired,
}

/// Units of one account reserved for a trading platform (B.4, fleeting custody).
///
/// Reserved units stay in the account's holdings with status `reserved`, out of its available
/// units, and may move only to the platform's interim custodial account named here, by an ordinary
/// transfer that quotes the reservation. The holder may release the reservation at any time, even
/// while its units are in a pending transfer, which the release rescinds; the platform is notified
/// by the `reservation.released` webhook.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Reservation {
    /// Identifier, `RES-…`.
    pub reservation_id: String,
    /// The seller's account.
    pub account_id: String,
    /// The trading platform the units are reserved for.
    pub platform_id: String,
    /// The platform's interim custodial account: the only destination the units may go to.
    pub custodial_account_id: String,
    /// Unit type code.
    pub unit_type: String,
    /// Number of units reserved.
    pub quantity: u64,
    /// Serial ranges reserved, ascending.
    pub serial_ranges: Vec<SerialRange>,
    /// Current status.
    pub status: ReservationStatus,
    /// The representative who reserved the units.
    pub created_by: String,
    /// When the units were reserved.
    pub created_at: DateTime<Utc>,
    /// When the reservation lapses if still active.
    pub expires_at: DateTime<Utc>,
    /// When it stopped being active.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ended_at: Option<DateTime<Utc>>,
    /// The transfer that consumed it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub transfer_id: Option<String>,
}

/// Request to reserve units for a platform. Units are chosen as for a transfer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "account_id": "AU-1000001",
    "platform_id": "TP-0001",
    "custodial_account_id": "AU-1000009",
    "unit_type": "ACCU",
    "quantity": 500,
    "expires_at": "2026-12-31T00:00:00Z"
}))]
pub struct ReservationRequest {
    /// The seller's account; the caller must be an initiator on it.
    pub account_id: String,
    /// The trading platform.
    pub platform_id: String,
    /// A custodial account of that platform.
    pub custodial_account_id: String,
    /// Unit type code.
    pub unit_type: String,
    /// Number of units (at least 1), when choosing by quantity.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(minimum = 1)]
    pub quantity: Option<u64>,
    /// Exact serial ranges, when choosing by serial.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub serial_ranges: Option<Vec<SerialRange>>,
    /// With `quantity`: only units of this vintage.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vintage: Option<String>,
    /// With `quantity`: only units of this project.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub project_id: Option<String>,
    /// When the reservation lapses; in the future (there is no upper bound).
    pub expires_at: DateTime<Utc>,
}

/// Filters and paging for reservation lists.
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ReservationsQuery {
    /// Only reservations of this account.
    pub account_id: Option<String>,
    /// Only reservations with this status.
    pub status: Option<ReservationStatus>,
    /// Maximum items per page (1–200, default 50).
    #[param(minimum = 1, maximum = 200, default = 50)]
    pub limit: Option<u32>,
    /// Opaque token from a previous page's `next_page`.
    pub page_token: Option<String>,
}

/// Lifecycle of an escrow.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum EscrowStatus {
    /// Created by an initiator; the units are `escrowed` (the seller cannot move them) but the
    /// controller has no power over them until an approver approves (four eyes, as for a
    /// transfer).
    PendingApproval,
    /// Approved: units are escrowed under the controller's control.
    Active,
    /// The controller transferred the units to the buyer.
    Settled,
    /// The controller released the units back to the seller, or the escrow lapsed.
    Released,
    /// An approver rejected it while pending approval; the units are `available` again.
    Rejected,
}

/// Units placed in escrow inside the seller's account under a platform's control (B.5).
///
/// The units stay in the seller's account with status `escrowed`; the seller can no longer move
/// them. An escrow is created `pending_approval` by an initiator and becomes `active` when an
/// approver approves it, under the four-eyes rule of transfers. While it is pending or active the
/// controller is listed among the account's representatives as an `escrow_controller`. Only the
/// controller can settle an active escrow (move its units to a buyer in one step) or release
/// it. An escrow still pending or active at `expires_at` is released automatically, so units are
/// never stranded when a controller disappears. The CER holds no funds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Escrow {
    /// Identifier, `ESC-…`.
    pub escrow_id: String,
    /// The seller's account.
    pub account_id: String,
    /// The trading platform that controls the escrow.
    pub controller_id: String,
    /// Unit type code.
    pub unit_type: String,
    /// Number of units escrowed.
    pub quantity: u64,
    /// The units allocated at creation, as blocks with their attributes (`escrowed` while the
    /// escrow is active; their status is unspecified once it has ended).
    pub blocks: Vec<UnitBlock>,
    /// Current status.
    pub status: EscrowStatus,
    /// The representative who allocated the units.
    pub created_by: String,
    /// When the units were allocated.
    pub created_at: DateTime<Utc>,
    /// When an escrow still pending or active is released automatically.
    pub expires_at: DateTime<Utc>,
    /// The approver who approved or rejected it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub decided_by: Option<String>,
    /// When it was approved or rejected.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub decided_at: Option<DateTime<Utc>>,
    /// The approver's reason, for a rejection.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// When it ended: settled, released (on expiry, its `expires_at`) or rejected; absent or `null`
    /// while it is pending approval or active.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ended_at: Option<DateTime<Utc>>,
    /// The buyer's account, once settled.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub settled_to_account_id: Option<String>,
    /// The transaction recording the settlement.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub transaction_id: Option<String>,
}

/// Request to allocate units to an escrow. Units are chosen as for a transfer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EscrowRequest {
    /// The seller's account; the caller must be an initiator on it.
    pub account_id: String,
    /// The trading platform that will control the escrow.
    pub controller_id: String,
    /// Unit type code.
    pub unit_type: String,
    /// Number of units (at least 1), when choosing by quantity.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(minimum = 1)]
    pub quantity: Option<u64>,
    /// Exact serial ranges, when choosing by serial.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub serial_ranges: Option<Vec<SerialRange>>,
    /// With `quantity`: only units of this vintage.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vintage: Option<String>,
    /// With `quantity`: only units of this project.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub project_id: Option<String>,
    /// When the escrow lapses; in the future, at most 1 year ahead.
    pub expires_at: DateTime<Utc>,
}

/// Request to settle an escrow: move every escrowed unit to the buyer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SettleRequest {
    /// The buyer's account; any open account other than the seller's.
    pub to_account_id: String,
    /// Free-text reference, up to 200 characters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(max_length = 200)]
    pub reference: Option<String>,
}

/// Filters and paging for escrow lists.
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct EscrowsQuery {
    /// Only escrows of this account.
    pub account_id: Option<String>,
    /// Only escrows with this status.
    pub status: Option<EscrowStatus>,
    /// Maximum items per page (1–200, default 50).
    #[param(minimum = 1, maximum = 200, default = 50)]
    pub limit: Option<u32>,
    /// Opaque token from a previous page's `next_page`.
    pub page_token: Option<String>,
}
