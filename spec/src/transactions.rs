//! Write access: transfers and voluntary cancellations, both under the four-eyes rule.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::model::{SerialRange, TransactionStatus};

/// Request to move units from one account to another.
///
/// Choose units **either** by `serial_ranges` (each range must be held, available, in the source
/// account) **or** by `quantity` (the registry picks available blocks of `unit_type` in ascending
/// serial order, optionally only of `vintage` and/or `project_id`). Sending both or neither is a
/// `validation-failed` problem.
///
/// To move a reservation's units to the platform's interim custodial account (B.4), give
/// `reservation_id` instead: the transfer takes every unit of the reservation, `to_account_id` must
/// be the reservation's custodial account, and none of `quantity`, `serial_ranges`, `vintage` and
/// `project_id` may be sent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "from_account_id": "AU-1000001",
    "to_account_id": "AU-1000002",
    "unit_type": "ACCU",
    "quantity": 100,
    "vintage": "2023-24",
    "reference": "Trade 2026-11-25/17"
}))]
pub struct TransferRequest {
    /// Account the units leave; the caller must be an initiator on it.
    pub from_account_id: String,
    /// Account the units go to; any open account.
    pub to_account_id: String,
    /// Unit type code.
    pub unit_type: String,
    /// Number of units to move (at least 1), when choosing by quantity.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(minimum = 1)]
    pub quantity: Option<u64>,
    /// Exact serial ranges to move, when choosing by serial.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub serial_ranges: Option<Vec<SerialRange>>,
    /// With `quantity`: only units of this vintage.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vintage: Option<String>,
    /// With `quantity`: only units of this project.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub project_id: Option<String>,
    /// Free-text reference, up to 200 characters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(max_length = 200)]
    pub reference: Option<String>,
    /// Move the units of this active reservation (B.4) instead of choosing units.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reservation_id: Option<String>,
}

/// A transfer of units between accounts.
///
/// Lifecycle: `pending_approval` → `completed` (approved) | `rejected` | `rescinded` | `expired`.
/// While pending, its units are `pending` in the source account; on approval they move atomically.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[schema(example = json!({
    "transfer_id": "TRF-000042",
    "status": "pending_approval",
    "from_account_id": "AU-1000001",
    "to_account_id": "AU-1000002",
    "unit_type": "ACCU",
    "quantity": 100,
    "serial_ranges": [{"serial_start": 3100001, "serial_end": 3100100}],
    "reference": "Trade 2026-11-25/17",
    "initiated_by": "AR-000001",
    "initiated_at": "2026-11-25T01:02:03Z",
    "expires_at": "2026-12-02T01:02:03Z"
}))]
pub struct Transfer {
    /// Identifier, `TRF-…`.
    pub transfer_id: String,
    /// Current status.
    pub status: TransactionStatus,
    /// Source account.
    pub from_account_id: String,
    /// Destination account.
    pub to_account_id: String,
    /// Unit type code.
    pub unit_type: String,
    /// Number of units.
    pub quantity: u64,
    /// Serial ranges moved, ascending.
    pub serial_ranges: Vec<SerialRange>,
    /// Free-text reference.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reference: Option<String>,
    /// Representative who initiated it; for an escrow settlement, the controller's platform ID.
    pub initiated_by: String,
    /// When it was initiated.
    pub initiated_at: DateTime<Utc>,
    /// When it expires if still pending (`initiated_at` + 7 days); meaningless for an escrow
    /// settlement, which is completed when created.
    pub expires_at: DateTime<Utc>,
    /// Representative who approved, rejected or rescinded it; for an escrow settlement, the
    /// controller's platform ID; absent when it expired.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub decided_by: Option<String>,
    /// When it left `pending_approval`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub decided_at: Option<DateTime<Utc>>,
    /// Reason given on rejection.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// The reservation whose units this transfer moves (B.4).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reservation_id: Option<String>,
    /// The escrow this transfer settled (B.5); such a transfer is completed in one step by the
    /// escrow's controller.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub escrow_id: Option<String>,
}

/// Request to cancel units voluntarily (e.g. to support an offset claim).
///
/// Units are chosen as in a `TransferRequest`: by `serial_ranges` or by `quantity`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "account_id": "AU-1000001",
    "unit_type": "ACCU",
    "quantity": 25,
    "reason": "Offset of FY2025-26 scope 1 emissions"
}))]
pub struct CancellationRequest {
    /// Account the units are cancelled from; the caller must be an initiator on it.
    pub account_id: String,
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
    /// Why the units are cancelled, up to 200 characters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(max_length = 200)]
    pub reason: Option<String>,
}

/// A voluntary cancellation.
///
/// Lifecycle as a transfer: `pending_approval` → `completed` | `rejected` | `rescinded` |
/// `expired`. Completed
/// cancellations leave their blocks in the account with status `cancelled`; they never move again.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Cancellation {
    /// Identifier, `CAN-…`.
    pub cancellation_id: String,
    /// Current status.
    pub status: TransactionStatus,
    /// Account the units are cancelled from.
    pub account_id: String,
    /// Unit type code.
    pub unit_type: String,
    /// Number of units.
    pub quantity: u64,
    /// Serial ranges cancelled, ascending.
    pub serial_ranges: Vec<SerialRange>,
    /// Why the units are cancelled.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// Representative who initiated it.
    pub initiated_by: String,
    /// When it was initiated.
    pub initiated_at: DateTime<Utc>,
    /// When it expires if still pending.
    pub expires_at: DateTime<Utc>,
    /// Representative who approved, rejected or rescinded it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub decided_by: Option<String>,
    /// When it left `pending_approval`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub decided_at: Option<DateTime<Utc>>,
    /// The approver's reason, given on rejection.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rejection_reason: Option<String>,
}

/// Optional body of a rejection.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RejectRequest {
    /// Why the transfer, cancellation or escrow is rejected, up to 200 characters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(max_length = 200)]
    pub reason: Option<String>,
}
