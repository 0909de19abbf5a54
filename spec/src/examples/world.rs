//! The documented world the examples tell a story in: its identifiers, tokens and instants, and
//! the JSON of its objects as the registry shows them.
//!
//! Every value here is one an earlier example's response documents (an ID, a token, a page
//! token), so a reader can follow the story and the replay test can map each to the value its own
//! registry answered.

use serde_json::{Value, json};

/// The registry's clock in the documented world (`get_clock`); every instant below is near it.
pub const NOW: &str = "2026-07-01T00:00:00Z";
/// An instant shortly after [`NOW`], when the examples' writes happen.
pub const LATER: &str = "2026-07-01T00:05:00Z";
/// [`LATER`] in Unix seconds (a `webhook-timestamp`).
pub const LATER_UNIX: i64 = 1_782_864_300;
/// When a pending transaction initiated at [`LATER`] expires (seven days on).
pub const PENDING_UNTIL: &str = "2026-07-08T00:05:00Z";
/// A consent's expiry.
pub const CONSENT_UNTIL: &str = "2027-06-30T00:00:00Z";
/// A reservation's or escrow's expiry.
pub const HOLD_UNTIL: &str = "2026-07-15T00:00:00Z";

/// The sandbox operator's token.
pub const OPERATOR_TOKEN: &str = "op_2f1c9a7e5b3d4c8a";
/// The initiator of [`ACCOUNT`].
pub const INITIATOR_TOKEN: &str = "rep_8a4b6c1d2e3f5a7b";
/// The approver of [`ACCOUNT`] (also appointed to [`SECOND_ACCOUNT`]).
pub const APPROVER_TOKEN: &str = "rep_3c5d7e9f1a2b4c6d";
/// The representative of [`DEST_ACCOUNT`].
pub const DEST_TOKEN: &str = "rep_9e8d7c6b5a4f3e2d";
/// The trading platform's own token.
pub const PLATFORM_TOKEN: &str = "tp_5b7d9f1e3c2a4b6d";
/// The trading platform's OAuth client ID and secret.
pub const PLATFORM_CLIENT_ID: &str = "client_tp_0001";
/// The trading platform's OAuth client secret.
pub const PLATFORM_CLIENT_SECRET: &str = "secret_6f2e8d4c0b9a7e5f";
/// The access token `issue_token` answers.
pub const ACCESS_TOKEN: &str = "at_1a3c5e7f9b2d4f6a";
/// The third-party registry's own token.
pub const REGISTRY_TOKEN: &str = "tr_4d6f8a0c2e1b3d5f";
/// The platform representative's token.
pub const PLATFORM_REP_TOKEN: &str = "rep_7f5d3b1a9c8e6d4b";

/// The account holder whose account the story is about.
pub const HOLDER: &str = "AH-000001";
/// The holder of [`DEST_ACCOUNT`].
pub const DEST_HOLDER: &str = "AH-000002";
/// The account the story is about.
pub const ACCOUNT: &str = "AU-1000001";
/// A second account of [`HOLDER`].
pub const SECOND_ACCOUNT: &str = "AU-1000002";
/// Another holder's account, where transfers go.
pub const DEST_ACCOUNT: &str = "AU-1000003";
/// The trading platform's custodial account.
pub const CUSTODIAL_ACCOUNT: &str = "AU-1000004";
/// The initiator of [`ACCOUNT`].
pub const INITIATOR: &str = "AR-000001";
/// The approver of [`ACCOUNT`].
pub const APPROVER: &str = "AR-000002";
/// The representative of [`DEST_ACCOUNT`].
pub const DEST_REP: &str = "AR-000003";
/// The trading platform's representative.
pub const PLATFORM_REP: &str = "AR-000004";
/// The trading platform.
pub const PLATFORM: &str = "TP-0001";
/// The holder the sandbox made for the trading platform.
pub const PLATFORM_HOLDER: &str = "AH-000003";
/// The third-party registry.
pub const REGISTRY: &str = "TR-0001";
/// The holder the sandbox made for the third-party registry.
pub const REGISTRY_HOLDER: &str = "AH-000004";

/// The first serial of the 1000 ACCUs issued into [`ACCOUNT`].
pub const FIRST_SERIAL: u64 = 3_000_001;
/// The last serial of that issuance.
pub const LAST_SERIAL: u64 = 3_001_000;

/// The attributes of the issued ACCUs.
pub fn accu_attributes() -> Value {
    json!({
        "project_id": "ERF101234",
        "vintage": "2023-24",
        "method": "Human-induced regeneration of a permanent even-aged native forest",
        "kyoto_status": "NON_KYOTO",
        "state": "NSW",
        "issued_on": "2026-07-01"
    })
}

/// A block of the issued ACCUs (a block is named by its type and first serial).
pub fn block(start: u64, end: u64, status: &str) -> Value {
    let mut block = json!({
        "block_id": format!("ACCU-{start}"),
        "unit_type": "ACCU",
        "serial_start": start,
        "serial_end": end,
        "quantity": end - start + 1,
        "status": status,
    });
    merge(&mut block, accu_attributes());
    block
}

/// A page of `items`, with `next_page` when more follow.
pub fn page(items: Vec<Value>, next_page: Option<&str>) -> Value {
    json!({"items": items, "next_page": next_page})
}

/// A serial range.
pub fn range(start: u64, end: u64) -> Value {
    json!([{"serial_start": start, "serial_end": end}])
}

/// A representative (kind `authorised`) as an account lists it.
pub fn representative(id: &str, name: &str, roles: &[&str]) -> Value {
    json!({"representative_id": id, "name": name, "roles": roles, "kind": "authorised"})
}

/// An ACCU balance.
pub fn accu_balance(available: u64, pending: u64, reserved: u64, escrowed: u64) -> Value {
    json!([{
        "unit_type": "ACCU",
        "available": available,
        "pending": pending,
        "reserved": reserved,
        "escrowed": escrowed,
        "cancelled": 0
    }])
}

/// A transfer from [`ACCOUNT`] to [`DEST_ACCOUNT`] initiated by [`INITIATOR`].
pub fn transfer(id: &str, quantity: u64, start: u64, status: &str) -> Value {
    json!({
        "transfer_id": id,
        "status": status,
        "from_account_id": ACCOUNT,
        "to_account_id": DEST_ACCOUNT,
        "unit_type": "ACCU",
        "quantity": quantity,
        "serial_ranges": range(start, start + quantity - 1),
        "reference": "Contract 2026-117",
        "initiated_by": INITIATOR,
        "initiated_at": LATER,
        "expires_at": PENDING_UNTIL,
        "decided_by": null,
        "decided_at": null
    })
}

/// The same transfer once `decided_by` decided it (and `reason` when given).
pub fn decided(mut transaction: Value, status: &str, by: &str) -> Value {
    transaction["status"] = json!(status);
    transaction["decided_by"] = json!(by);
    transaction["decided_at"] = json!(LATER);
    transaction
}

/// A consent of [`ACCOUNT`] granted by [`INITIATOR`].
pub fn consent(id: &str, grantee: &str, kind: &str, scopes: &[&str]) -> Value {
    json!({
        "consent_id": id,
        "account_id": ACCOUNT,
        "grantee_id": grantee,
        "grantee_kind": kind,
        "scopes": scopes,
        "status": "active",
        "granted_by": INITIATOR,
        "granted_at": LATER,
        "expires_at": CONSENT_UNTIL,
        "revoked_at": null
    })
}

/// Adds `extra`'s fields to `value`.
pub fn merge(value: &mut Value, extra: Value) {
    if let (Some(target), Value::Object(extra)) = (value.as_object_mut(), extra) {
        target.extend(extra);
    }
}
