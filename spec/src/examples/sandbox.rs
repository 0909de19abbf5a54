//! Examples of the sandbox operations: the set-up of the documented world, and the clock and reset
//! at the end of the story.

use serde_json::{Value, json};

use super::Example;
use super::world::*;

fn account(id: &str, holder: &str, holder_name: &str, name: &str, kind: &str) -> Value {
    json!({
        "account_id": id,
        "name": name,
        "kind": kind,
        "status": "open",
        "holder": {"holder_id": holder, "name": holder_name},
        "representatives": [],
        "balances": [],
        "opened_at": LATER
    })
}

fn holder(name: &'static str, summary: &'static str, id: &str, holder_name: &str) -> Example {
    Example::new("create_account_holder", name, summary)
        .by(OPERATOR_TOKEN)
        .body(json!({"name": holder_name}))
        .answers(201, json!({"holder_id": id, "name": holder_name}))
}

fn open(name: &'static str, summary: &'static str, account_json: Value) -> Example {
    let body = json!({
        "holder_id": account_json["holder"]["holder_id"],
        "name": account_json["name"],
        "kind": account_json["kind"],
    });
    Example::new("create_account", name, summary)
        .by(OPERATOR_TOKEN)
        .body(body)
        .answers(201, account_json)
}

#[allow(clippy::too_many_arguments)]
fn appoint(
    name: &'static str,
    summary: &'static str,
    account: &str,
    id: &str,
    rep_name: &str,
    roles: &[&str],
    existing: bool,
    token: &str,
) -> Example {
    let mut body = json!({"name": rep_name, "roles": roles});
    if existing {
        body["representative_id"] = json!(id);
    }
    Example::new("appoint_representative", name, summary)
        .by(OPERATOR_TOKEN)
        .path("account_id", account)
        .body(body)
        .answers(
            201,
            json!({
                "representative_id": id,
                "account_id": account,
                "name": rep_name,
                "roles": roles,
                "token": token
            }),
        )
}

fn platform(name: &'static str, summary: &'static str, p: [&str; 6], kind: &str) -> Example {
    let [id, org, holder, token, client_id, client_secret] = p;
    Example::new("create_platform", name, summary)
        .by(OPERATOR_TOKEN)
        .body({
            let mut body = json!({"name": org, "kind": kind});
            if kind == "trading_platform" {
                body["redirect_uris"] = json!([super::oauth::PLATFORM_REDIRECT]);
            }
            body
        })
        .answers(
            201,
            json!({
                "platform": {"platform_id": id, "name": org, "kind": kind, "holder_id": holder},
                "token": token,
                "client_id": client_id,
                "client_secret": client_secret
            }),
        )
}

/// The world's set-up, in order.
pub(super) fn set_up() -> Vec<Example> {
    let mut issuance = json!({
        "account_id": ACCOUNT,
        "unit_type": "ACCU",
        "quantity": 1000,
    });
    super::world::merge(&mut issuance, accu_attributes());
    let mut issued = block(FIRST_SERIAL, LAST_SERIAL, "available");
    issued["transaction_id"] = json!("ISS-000001");
    vec![
        Example::new(
            "create_operator_session",
            "operator",
            "Start a sandbox operator session.",
        )
        .answers(201, json!({"token": OPERATOR_TOKEN})),
        Example::new("get_clock", "now", "Read the registry's clock.")
            .by(OPERATOR_TOKEN)
            .answers(200, json!({"now": NOW})),
        holder(
            "holder",
            "Create the account holder the story is about.",
            HOLDER,
            "Mallee Carbon Pty Ltd",
        ),
        holder(
            "counterparty",
            "Create the holder units are transferred to.",
            DEST_HOLDER,
            "Riverina Offsets Pty Ltd",
        ),
        open(
            "holding",
            "Open a holding account.",
            account(
                ACCOUNT,
                HOLDER,
                "Mallee Carbon Pty Ltd",
                "Mallee Carbon main account",
                "holding",
            ),
        ),
        open(
            "second",
            "Open a second account for the same holder.",
            account(
                SECOND_ACCOUNT,
                HOLDER,
                "Mallee Carbon Pty Ltd",
                "Mallee Carbon trading account",
                "holding",
            ),
        ),
        open(
            "counterparty",
            "Open the counterparty's account.",
            account(
                DEST_ACCOUNT,
                DEST_HOLDER,
                "Riverina Offsets Pty Ltd",
                "Riverina Offsets",
                "holding",
            ),
        ),
        appoint(
            "initiator",
            "Appoint a new representative who initiates.",
            ACCOUNT,
            INITIATOR,
            "Priya Natarajan",
            &["initiator"],
            false,
            INITIATOR_TOKEN,
        ),
        appoint(
            "approver",
            "Appoint a new representative who approves.",
            ACCOUNT,
            APPROVER,
            "Tom Walker",
            &["approver"],
            false,
            APPROVER_TOKEN,
        ),
        appoint(
            "existing",
            "Appoint an existing representative to another account; they keep their token.",
            SECOND_ACCOUNT,
            APPROVER,
            "Tom Walker",
            &["initiator", "approver"],
            true,
            APPROVER_TOKEN,
        ),
        appoint(
            "sole",
            "Appoint the counterparty's sole representative, with both roles.",
            DEST_ACCOUNT,
            DEST_REP,
            "Mei Chen",
            &["initiator", "approver"],
            false,
            DEST_TOKEN,
        ),
        Example::new("issue_units", "accus", "Issue 1000 ACCUs into the account.")
            .by(OPERATOR_TOKEN)
            .body(issuance)
            .answers(201, issued),
        platform(
            "trading_platform",
            "Register a trading platform.",
            [
                PLATFORM,
                "Southern Cross Carbon Exchange",
                PLATFORM_HOLDER,
                PLATFORM_TOKEN,
                PLATFORM_CLIENT_ID,
                PLATFORM_CLIENT_SECRET,
            ],
            "trading_platform",
        ),
        platform(
            "third_party_registry",
            "Register a third-party registry.",
            [
                REGISTRY,
                "GreenCert Registry",
                REGISTRY_HOLDER,
                REGISTRY_TOKEN,
                "client_tr_0001",
                "secret_0a9b8c7d6e5f4a3b",
            ],
            "third_party_registry",
        ),
        open(
            "custodial",
            "Open the trading platform's custodial account.",
            account(
                CUSTODIAL_ACCOUNT,
                PLATFORM_HOLDER,
                "Southern Cross Carbon Exchange",
                "Southern Cross custody",
                "custodial",
            ),
        ),
        Example::new(
            "create_platform_representative",
            "broker",
            "Create a representative of the trading platform.",
        )
        .by(OPERATOR_TOKEN)
        .path("platform_id", PLATFORM)
        .body(json!({"name": "Sam Okafor"}))
        .answers(
            201,
            json!({
                "representative_id": PLATFORM_REP,
                "platform_id": PLATFORM,
                "name": "Sam Okafor",
                "token": PLATFORM_REP_TOKEN
            }),
        ),
    ]
}

/// The end of the story: the clock moves a day, and the sandbox is reset.
pub(super) fn wind_down() -> Vec<Example> {
    vec![
        Example::new(
            "advance_clock",
            "one_day",
            "Move the clock forward one day.",
        )
        .by(OPERATOR_TOKEN)
        .body(json!({"seconds": 86_400}))
        .answers(200, json!({"now": "2026-07-02T00:00:00Z"})),
        Example::new(
            "reset_sandbox",
            "reset",
            "Remove everything the sandbox made.",
        )
        .by(OPERATOR_TOKEN)
        .answers(
            200,
            json!({"accounts_removed": 4, "transactions_removed": 9}),
        ),
    ]
}
