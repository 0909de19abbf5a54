//! Examples of transfers and cancellations under the four-eyes rule: each initiated, then
//! approved, rejected or rescinded.

use serde_json::{Value, json};

use super::Example;
use super::world::*;

fn cancellation(id: &str, quantity: u64, start: u64, status: &str) -> Value {
    json!({
        "cancellation_id": id,
        "status": status,
        "account_id": ACCOUNT,
        "unit_type": "ACCU",
        "quantity": quantity,
        "serial_ranges": range(start, start + quantity - 1),
        "reason": "Voluntary cancellation for the 2025-26 carbon neutral claim",
        "initiated_by": INITIATOR,
        "initiated_at": LATER,
        "expires_at": PENDING_UNTIL,
        "decided_by": null,
        "decided_at": null
    })
}

fn initiate(name: &'static str, summary: &'static str, body: Value, transfer: &Value) -> Example {
    Example::new("initiate_transfer", name, summary)
        .by(INITIATOR_TOKEN)
        .body(body)
        .answers(201, transfer.clone())
}

fn by_quantity(quantity: u64) -> Value {
    json!({
        "from_account_id": ACCOUNT,
        "to_account_id": DEST_ACCOUNT,
        "unit_type": "ACCU",
        "quantity": quantity,
        "reference": "Contract 2026-117"
    })
}

/// Three transfers and three cancellations.
pub(super) fn examples() -> Vec<Example> {
    let approved = transfer("TRF-000001", 100, FIRST_SERIAL, "pending_approval");
    let rejected = transfer("TRF-000002", 50, FIRST_SERIAL + 100, "pending_approval");
    let rescinded = transfer("TRF-000003", 25, FIRST_SERIAL + 100, "pending_approval");
    let mut by_serials = json!({
        "from_account_id": ACCOUNT,
        "to_account_id": DEST_ACCOUNT,
        "unit_type": "ACCU",
        "serial_ranges": range(FIRST_SERIAL + 100, FIRST_SERIAL + 124),
        "reference": "Contract 2026-117"
    });
    let by_attributes = json!({
        "from_account_id": ACCOUNT,
        "to_account_id": DEST_ACCOUNT,
        "unit_type": "ACCU",
        "quantity": 50,
        "vintage": "2023-24",
        "project_id": "ERF101234",
        "reference": "Contract 2026-117"
    });
    let mut with_reason = decided(rejected.clone(), "rejected", APPROVER);
    with_reason["reason"] = json!("Wrong destination account");
    let cancelled = cancellation("CAN-000001", 10, FIRST_SERIAL + 100, "pending_approval");
    let rescinded_cancellation =
        cancellation("CAN-000002", 5, FIRST_SERIAL + 110, "pending_approval");
    let refused_cancellation =
        cancellation("CAN-000003", 5, FIRST_SERIAL + 110, "pending_approval");
    let mut refused = decided(refused_cancellation.clone(), "rejected", APPROVER);
    refused["rejection_reason"] = json!("The claim is for 2026-27, not 2025-26");
    by_serials["reference"] = json!("Contract 2026-117");
    vec![
        initiate(
            "by_quantity",
            "Transfer 100 ACCUs; the registry picks the serials.",
            by_quantity(100),
            &approved,
        ),
        Example::new(
            "get_transfer",
            "pending",
            "Read a transfer awaiting approval.",
        )
        .by(INITIATOR_TOKEN)
        .path("transfer_id", "TRF-000001")
        .answers(200, approved.clone()),
        Example::new(
            "approve_transfer",
            "approve",
            "A second representative approves.",
        )
        .by(APPROVER_TOKEN)
        .path("transfer_id", "TRF-000001")
        .answers(200, decided(approved, "completed", APPROVER)),
        initiate(
            "by_attributes",
            "Transfer 50 ACCUs of one vintage and project.",
            by_attributes,
            &rejected,
        ),
        Example::new(
            "reject_transfer",
            "reject",
            "The approver rejects, giving a reason.",
        )
        .by(APPROVER_TOKEN)
        .path("transfer_id", "TRF-000002")
        .body(json!({"reason": "Wrong destination account"}))
        .answers(200, with_reason),
        initiate(
            "by_serials",
            "Transfer named serial ranges.",
            by_serials,
            &rescinded,
        ),
        Example::new(
            "rescind_transfer",
            "rescind",
            "The initiator withdraws the transfer.",
        )
        .by(INITIATOR_TOKEN)
        .path("transfer_id", "TRF-000003")
        .answers(200, decided(rescinded, "rescinded", INITIATOR)),
        Example::new(
            "initiate_cancellation",
            "by_quantity",
            "Cancel 10 ACCUs for a carbon neutral claim.",
        )
        .by(INITIATOR_TOKEN)
        .body(json!({
            "account_id": ACCOUNT,
            "unit_type": "ACCU",
            "quantity": 10,
            "reason": "Voluntary cancellation for the 2025-26 carbon neutral claim"
        }))
        .answers(201, cancelled.clone()),
        Example::new(
            "get_cancellation",
            "pending",
            "Read a pending cancellation.",
        )
        .by(INITIATOR_TOKEN)
        .path("cancellation_id", "CAN-000001")
        .answers(200, cancelled.clone()),
        Example::new(
            "approve_cancellation",
            "approve",
            "A second representative approves.",
        )
        .by(APPROVER_TOKEN)
        .path("cancellation_id", "CAN-000001")
        .answers(200, decided(cancelled, "completed", APPROVER)),
        Example::new(
            "initiate_cancellation",
            "by_serials",
            "Cancel named serial ranges.",
        )
        .by(INITIATOR_TOKEN)
        .body(json!({
            "account_id": ACCOUNT,
            "unit_type": "ACCU",
            "serial_ranges": range(FIRST_SERIAL + 110, FIRST_SERIAL + 114),
            "reason": "Voluntary cancellation for the 2025-26 carbon neutral claim"
        }))
        .answers(201, rescinded_cancellation.clone()),
        Example::new(
            "rescind_cancellation",
            "rescind",
            "The initiator withdraws it.",
        )
        .by(INITIATOR_TOKEN)
        .path("cancellation_id", "CAN-000002")
        .answers(200, decided(rescinded_cancellation, "rescinded", INITIATOR)),
        Example::new(
            "initiate_cancellation",
            "rejected_later",
            "Cancel 5 ACCUs (rejected below).",
        )
        .by(INITIATOR_TOKEN)
        .body(json!({
            "account_id": ACCOUNT,
            "unit_type": "ACCU",
            "quantity": 5,
            "reason": "Voluntary cancellation for the 2025-26 carbon neutral claim"
        }))
        .answers(201, refused_cancellation),
        Example::new(
            "reject_cancellation",
            "reject",
            "The approver rejects, giving a reason; the units are available again.",
        )
        .by(APPROVER_TOKEN)
        .path("cancellation_id", "CAN-000003")
        .body(json!({"reason": "The claim is for 2026-27, not 2025-26"}))
        .answers(200, refused),
    ]
}
