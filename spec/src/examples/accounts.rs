//! Examples of the account reads, at the end of the story: the accounts a representative sees,
//! one account's details, its holdings and its history.

use serde_json::{Value, json};

use super::Example;
use super::world::*;

fn account(id: &str, name: &str, representatives: Vec<Value>, balances: Value) -> Value {
    json!({
        "account_id": id,
        "name": name,
        "kind": "holding",
        "status": "open",
        "holder": {"holder_id": HOLDER, "name": "Mallee Carbon Pty Ltd"},
        "representatives": representatives,
        "balances": balances,
        "opened_at": LATER
    })
}

fn transaction(id: &str, kind: &str, quantity: u64, start: u64, to: Option<&str>) -> Value {
    json!({
        "transaction_id": id,
        "kind": kind,
        "status": "completed",
        "unit_type": "ACCU",
        "quantity": quantity,
        "serial_ranges": range(start, start + quantity - 1),
        "from_account_id": if kind == "issuance" { json!(null) } else { json!(ACCOUNT) },
        "to_account_id": to,
        "reference": null,
        "created_at": LATER,
        "updated_at": LATER
    })
}

/// The reads.
pub(super) fn examples() -> Vec<Example> {
    let main = account(
        ACCOUNT,
        "Mallee Carbon main account",
        vec![
            representative(INITIATOR, "Priya Natarajan", &["initiator"]),
            representative(APPROVER, "Tom Walker", &["approver"]),
            representative(PLATFORM_REP, "Sam Okafor", &["initiator"]),
        ],
        accu_balance(688, 0, 200, 0),
    );
    let second = account(
        SECOND_ACCOUNT,
        "Mallee Carbon trading account",
        vec![representative(
            APPROVER,
            "Tom Walker",
            &["initiator", "approver"],
        )],
        json!([]),
    );
    let first_block = block(FIRST_SERIAL + 100, FIRST_SERIAL + 109, "cancelled");
    let available = block(FIRST_SERIAL + 110, FIRST_SERIAL + 199, "available");
    let issuance = transaction("ISS-000001", "issuance", 1000, FIRST_SERIAL, Some(ACCOUNT));
    let transferred = transaction(
        "TRF-000001",
        "transfer",
        100,
        FIRST_SERIAL,
        Some(DEST_ACCOUNT),
    );
    vec![
        Example::new(
            "list_accounts",
            "first_page",
            "The accounts a representative is appointed to, one per page.",
        )
        .by(APPROVER_TOKEN)
        .query("limit", 1)
        .answers(200, page(vec![main.clone()], Some("pg_acc_1"))),
        Example::new("list_accounts", "next_page", "The next page.")
            .by(APPROVER_TOKEN)
            .query("page_token", "pg_acc_1")
            .answers(200, page(vec![second], None)),
        Example::new("get_account", "holding", "An account with its balances.")
            .by(INITIATOR_TOKEN)
            .path("account_id", ACCOUNT)
            .answers(200, main),
        Example::new(
            "list_holdings",
            "first_page",
            "The account's blocks, one per page.",
        )
        .by(INITIATOR_TOKEN)
        .path("account_id", ACCOUNT)
        .query("limit", 1)
        .answers(200, page(vec![first_block], Some("pg_hld_1"))),
        Example::new("list_holdings", "next_page", "The next page.")
            .by(INITIATOR_TOKEN)
            .path("account_id", ACCOUNT)
            .query("page_token", "pg_hld_1")
            .answers(200, page(vec![available.clone()], Some("pg_hld_2"))),
        Example::new(
            "list_holdings",
            "filtered",
            "Available ACCUs of one vintage and project.",
        )
        .by(ACCESS_TOKEN)
        .path("account_id", ACCOUNT)
        .query("unit_type", "ACCU")
        .query("status", "available")
        .query("vintage", "2023-24")
        .query("project_id", "ERF101234")
        .answers(200, page(vec![available], None)),
        Example::new(
            "list_holdings",
            "smc_facility",
            "SMCs of one Safeguard facility (the account holds none).",
        )
        .by(INITIATOR_TOKEN)
        .path("account_id", ACCOUNT)
        .query("unit_type", "SMC")
        .query("facility_id", "F-0001")
        .answers(200, page(vec![], None)),
        Example::new(
            "list_transactions",
            "first_page",
            "The account's history, one per page.",
        )
        .by(INITIATOR_TOKEN)
        .path("account_id", ACCOUNT)
        .query("limit", 1)
        .answers(200, page(vec![issuance], Some("pg_txn_1"))),
        Example::new("list_transactions", "next_page", "The next page.")
            .by(INITIATOR_TOKEN)
            .path("account_id", ACCOUNT)
            .query("page_token", "pg_txn_1")
            .answers(200, page(vec![transferred.clone()], Some("pg_txn_2"))),
        Example::new(
            "list_transactions",
            "filtered",
            "Completed transfers in a time window.",
        )
        .by(ACCESS_TOKEN)
        .path("account_id", ACCOUNT)
        .query("kind", "transfer")
        .query("status", "completed")
        .query("from", NOW)
        .query("to", HOLD_UNTIL)
        .answers(200, page(vec![transferred], None)),
    ]
}
