//! Examples of reservations (fleeting custody, B.4) and escrows (B.5): each made by the holder's
//! representative for the trading platform; an escrow is then approved or rejected by a second
//! representative (four eyes), and an approved one settled or released by the platform.

use serde_json::{Value, json};

use super::Example;
use super::world::*;

fn reservation(id: &str, quantity: u64, start: u64, status: &str) -> Value {
    json!({
        "reservation_id": id,
        "account_id": ACCOUNT,
        "platform_id": PLATFORM,
        "custodial_account_id": CUSTODIAL_ACCOUNT,
        "unit_type": "ACCU",
        "quantity": quantity,
        "serial_ranges": range(start, start + quantity - 1),
        "status": status,
        "created_by": INITIATOR,
        "created_at": LATER,
        "expires_at": HOLD_UNTIL,
        "ended_at": if status == "active" { json!(null) } else { json!(LATER) },
        "transfer_id": null
    })
}

fn escrow(id: &str, quantity: u64, start: u64) -> Value {
    let mut blocks = block(start, start + quantity - 1, "escrowed");
    blocks["transaction_id"] = json!(null);
    json!({
        "escrow_id": id,
        "account_id": ACCOUNT,
        "controller_id": PLATFORM,
        "unit_type": "ACCU",
        "quantity": quantity,
        "blocks": [blocks],
        "status": "pending_approval",
        "created_by": INITIATOR,
        "created_at": LATER,
        "expires_at": HOLD_UNTIL,
        "ended_at": null,
        "settled_to_account_id": null,
        "transaction_id": null
    })
}

/// The escrow once the approver approved it (`active`) or rejected it (`rejected`, with a reason).
fn decided(mut escrow: Value, status: &str) -> Value {
    escrow["status"] = json!(status);
    escrow["decided_by"] = json!(APPROVER);
    escrow["decided_at"] = json!(LATER);
    if status == "rejected" {
        escrow["reason"] = json!("Not the vintage agreed with the buyer");
        escrow["ended_at"] = json!(LATER);
    }
    escrow
}

fn ended(escrow: Value, status: &str) -> Value {
    let mut escrow = decided(escrow, "active");
    escrow["status"] = json!(status);
    escrow["ended_at"] = json!(LATER);
    if status == "settled" {
        escrow["settled_to_account_id"] = json!(DEST_ACCOUNT);
        escrow["transaction_id"] = json!("TRF-000004");
    }
    escrow
}

fn reserve(name: &'static str, summary: &'static str, reservation: &Value) -> Example {
    Example::new("create_reservation", name, summary)
        .by(INITIATOR_TOKEN)
        .body(json!({
            "account_id": ACCOUNT,
            "platform_id": PLATFORM,
            "custodial_account_id": CUSTODIAL_ACCOUNT,
            "unit_type": "ACCU",
            "quantity": reservation["quantity"],
            "expires_at": HOLD_UNTIL
        }))
        .answers(201, reservation.clone())
}

fn place(name: &'static str, summary: &'static str, escrow: &Value) -> Example {
    Example::new("create_escrow", name, summary)
        .by(INITIATOR_TOKEN)
        .body(json!({
            "account_id": ACCOUNT,
            "controller_id": PLATFORM,
            "unit_type": "ACCU",
            "quantity": escrow["quantity"],
            "vintage": "2023-24",
            "expires_at": HOLD_UNTIL
        }))
        .answers(201, escrow.clone())
}

/// The approver approves an escrow (four eyes), after which its controller may act on it.
fn approve(name: &'static str, escrow: &Value) -> Example {
    Example::new(
        "approve_escrow",
        name,
        "A second representative approves; the controller may now settle or release it.",
    )
    .by(APPROVER_TOKEN)
    .path(
        "escrow_id",
        escrow["escrow_id"].as_str().expect("an escrow ID"),
    )
    .answers(200, decided(escrow.clone(), "active"))
}

/// Two reservations and three escrows (approved and settled, approved and released, rejected),
/// and the platform's reads of them.
pub(super) fn examples() -> Vec<Example> {
    let kept = reservation("RES-000001", 200, FIRST_SERIAL + 200, "active");
    let released = reservation("RES-000002", 100, FIRST_SERIAL + 400, "active");
    let settled = escrow("ESC-000001", 100, FIRST_SERIAL + 500);
    let returned = escrow("ESC-000002", 50, FIRST_SERIAL + 600);
    let refused = escrow("ESC-000003", 20, FIRST_SERIAL + 650);
    vec![
        reserve(
            "for_sale",
            "Reserve 200 ACCUs for the platform to sell.",
            &kept,
        ),
        Example::new(
            "get_reservation",
            "active",
            "The platform reads its reservation.",
        )
        .by(ACCESS_TOKEN)
        .path("reservation_id", "RES-000001")
        .answers(200, kept.clone()),
        reserve(
            "released_later",
            "Reserve 100 more (released below).",
            &released,
        ),
        Example::new(
            "release_reservation",
            "release",
            "Release a reservation early.",
        )
        .by(INITIATOR_TOKEN)
        .path("reservation_id", "RES-000002")
        .answers(
            200,
            reservation("RES-000002", 100, FIRST_SERIAL + 400, "released"),
        ),
        Example::new(
            "list_reservations",
            "first_page",
            "The platform's reservations on one account, one per page.",
        )
        .by(ACCESS_TOKEN)
        .query("account_id", ACCOUNT)
        .query("limit", 1)
        .answers(200, page(vec![kept.clone()], Some("pg_res_1"))),
        Example::new("list_reservations", "next_page", "The next page.")
            .by(ACCESS_TOKEN)
            .query("page_token", "pg_res_1")
            .answers(
                200,
                page(
                    vec![reservation(
                        "RES-000002",
                        100,
                        FIRST_SERIAL + 400,
                        "released",
                    )],
                    None,
                ),
            ),
        Example::new("list_reservations", "active", "Only active reservations.")
            .by(ACCESS_TOKEN)
            .query("status", "active")
            .answers(200, page(vec![kept], None)),
        place(
            "for_settlement",
            "Escrow 100 ACCUs of one vintage under the platform's control.",
            &settled,
        ),
        Example::new(
            "get_escrow",
            "pending_approval",
            "The controller reads the escrow awaiting approval.",
        )
        .by(ACCESS_TOKEN)
        .path("escrow_id", "ESC-000001")
        .answers(200, settled.clone()),
        approve("approve", &settled),
        Example::new(
            "get_escrow",
            "active",
            "The controller reads the approved escrow.",
        )
        .by(ACCESS_TOKEN)
        .path("escrow_id", "ESC-000001")
        .answers(200, decided(settled.clone(), "active")),
        Example::new(
            "settle_escrow",
            "settle",
            "The controller settles the escrow to the buyer's account.",
        )
        .by(ACCESS_TOKEN)
        .path("escrow_id", "ESC-000001")
        .body(json!({"to_account_id": DEST_ACCOUNT, "reference": "Trade 88412"}))
        .answers(200, ended(settled.clone(), "settled")),
        place(
            "released_later",
            "Escrow 50 more (released below).",
            &returned,
        ),
        approve("approve_then_release", &returned),
        Example::new(
            "release_escrow",
            "release",
            "The controller releases the escrow; the units return to the holder.",
        )
        .by(ACCESS_TOKEN)
        .path("escrow_id", "ESC-000002")
        .answers(200, ended(returned.clone(), "released")),
        place(
            "rejected_later",
            "Escrow 20 more (rejected below).",
            &refused,
        ),
        Example::new(
            "reject_escrow",
            "reject",
            "The approver rejects the escrow, giving a reason; its units are available again.",
        )
        .by(APPROVER_TOKEN)
        .path("escrow_id", "ESC-000003")
        .body(json!({"reason": "Not the vintage agreed with the buyer"}))
        .answers(200, decided(refused.clone(), "rejected")),
        Example::new(
            "list_escrows",
            "first_page",
            "Escrows on one account the platform controls, one per page.",
        )
        .by(ACCESS_TOKEN)
        .query("account_id", ACCOUNT)
        .query("limit", 1)
        .answers(200, page(vec![ended(settled, "settled")], Some("pg_esc_1"))),
        Example::new("list_escrows", "next_page", "The next page.")
            .by(ACCESS_TOKEN)
            .query("page_token", "pg_esc_1")
            .answers(
                200,
                page(vec![ended(returned.clone(), "released")], Some("pg_esc_2")),
            ),
        Example::new("list_escrows", "rejected", "Only rejected escrows.")
            .by(ACCESS_TOKEN)
            .query("status", "rejected")
            .answers(200, page(vec![decided(refused, "rejected")], None)),
        Example::new("list_escrows", "released", "Only released escrows.")
            .by(ACCESS_TOKEN)
            .query("status", "released")
            .answers(200, page(vec![ended(returned, "released")], None)),
    ]
}
