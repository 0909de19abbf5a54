//! Examples of the platform operations: the token endpoint, platform look-up, consents and
//! delegations.

use serde_json::json;

use super::Example;
use super::world::*;

/// Consents and delegations on the holder's account, in the order of the story.
pub(super) fn examples() -> Vec<Example> {
    let platform_consent = consent(
        "CON-000001",
        PLATFORM,
        "trading_platform",
        &["holdings_read", "transactions_read", "reserved_units_read"],
    );
    let registry_consent = consent(
        "CON-000002",
        REGISTRY,
        "third_party_registry",
        &["association"],
    );
    let mut short = consent(
        "CON-000003",
        PLATFORM,
        "trading_platform",
        &["holdings_read"],
    );
    short["subset"] = json!({"unit_types": ["ACCU"], "vintages": ["2023-24"]});
    let mut revoked = short.clone();
    revoked["status"] = json!("revoked");
    revoked["revoked_at"] = json!(LATER);
    let delegation = |id: &str, status: &str| {
        json!({
            "delegation_id": id,
            "account_id": ACCOUNT,
            "platform_id": PLATFORM,
            "representative_id": PLATFORM_REP,
            "roles": ["initiator"],
            "status": status,
            "appointed_by": APPROVER,
            "appointed_at": LATER,
            "revoked_at": if status == "revoked" { json!(LATER) } else { json!(null) }
        })
    };
    let grant = |name, summary, c: &serde_json::Value| {
        Example::new("grant_consent", name, summary)
            .by(INITIATOR_TOKEN)
            .path("account_id", ACCOUNT)
            .body({
                let mut body = json!({
                    "grantee_id": c["grantee_id"],
                    "scopes": c["scopes"],
                    "expires_at": CONSENT_UNTIL
                });
                if let Some(subset) = c.get("subset") {
                    body["subset"] = subset.clone();
                }
                body
            })
            .answers(201, c.clone())
    };
    let appoint = |name, summary, id| {
        Example::new("appoint_delegate", name, summary)
            .by(APPROVER_TOKEN)
            .path("account_id", ACCOUNT)
            .body(json!({"representative_id": PLATFORM_REP, "roles": ["initiator"]}))
            .answers(201, delegation(id, "active"))
    };
    vec![
        Example::new(
            "issue_token",
            "client_credentials",
            "Exchange the platform's client ID and secret for an access token.",
        )
        .body(json!({
            "grant_type": "client_credentials",
            "client_id": PLATFORM_CLIENT_ID,
            "client_secret": PLATFORM_CLIENT_SECRET
        }))
        .answers(
            200,
            json!({"access_token": ACCESS_TOKEN, "token_type": "Bearer", "expires_in": 3600}),
        ),
        Example::new(
            "get_platform",
            "trading_platform",
            "Look up a platform before granting it a consent.",
        )
        .by(INITIATOR_TOKEN)
        .path("platform_id", PLATFORM)
        .answers(
            200,
            json!({
                "platform_id": PLATFORM,
                "name": "Southern Cross Carbon Exchange",
                "kind": "trading_platform",
                "holder_id": PLATFORM_HOLDER
            }),
        ),
        grant(
            "trading_platform",
            "Let a trading platform read holdings and transactions and hold reservations.",
            &platform_consent,
        ),
        grant(
            "third_party_registry",
            "Let a third-party registry associate certificates with units.",
            &registry_consent,
        ),
        grant(
            "short_lived",
            "A narrower consent: holdings of one vintage's ACCUs only (a subset), revoked later.",
            &short,
        ),
        Example::new("revoke_consent", "revoke", "Revoke a consent.")
            .by(APPROVER_TOKEN)
            .path("consent_id", "CON-000003")
            .answers(200, revoked.clone()),
        Example::new(
            "get_consent",
            "as_grantee",
            "The platform reads a consent granted to it.",
        )
        .by(ACCESS_TOKEN)
        .path("consent_id", "CON-000001")
        .answers(200, platform_consent.clone()),
        Example::new(
            "list_consents",
            "first_page",
            "The platform's consents, one per page.",
        )
        .by(ACCESS_TOKEN)
        .query("limit", 1)
        .answers(200, page(vec![platform_consent.clone()], Some("pg_cons_1"))),
        Example::new("list_consents", "next_page", "The next page.")
            .by(ACCESS_TOKEN)
            .query("page_token", "pg_cons_1")
            .answers(200, page(vec![revoked.clone()], None)),
        Example::new(
            "list_consents",
            "active",
            "Only the platform's active consents.",
        )
        .by(ACCESS_TOKEN)
        .query("status", "active")
        .answers(200, page(vec![platform_consent.clone()], None)),
        Example::new(
            "list_account_consents",
            "first_page",
            "The account's active consents, one per page.",
        )
        .by(INITIATOR_TOKEN)
        .path("account_id", ACCOUNT)
        .query("status", "active")
        .query("limit", 1)
        .answers(200, page(vec![platform_consent], Some("pg_acons_1"))),
        Example::new("list_account_consents", "next_page", "The next page.")
            .by(INITIATOR_TOKEN)
            .path("account_id", ACCOUNT)
            .query("page_token", "pg_acons_1")
            .answers(200, page(vec![registry_consent], None)),
        appoint(
            "broker",
            "Appoint the platform's representative to initiate on the account.",
            "DEL-000001",
        ),
        Example::new("revoke_delegation", "revoke", "Revoke a delegation.")
            .by(APPROVER_TOKEN)
            .path("account_id", ACCOUNT)
            .path("delegation_id", "DEL-000001")
            .answers(200, delegation("DEL-000001", "revoked")),
        appoint(
            "again",
            "Appoint the same representative again after a revocation.",
            "DEL-000002",
        ),
        Example::new(
            "list_delegations",
            "first_page",
            "The account's delegations, one per page.",
        )
        .by(INITIATOR_TOKEN)
        .path("account_id", ACCOUNT)
        .query("limit", 1)
        .answers(
            200,
            page(vec![delegation("DEL-000001", "revoked")], Some("pg_del_1")),
        ),
        Example::new("list_delegations", "next_page", "The next page.")
            .by(INITIATOR_TOKEN)
            .path("account_id", ACCOUNT)
            .query("page_token", "pg_del_1")
            .answers(200, page(vec![delegation("DEL-000002", "active")], None)),
    ]
}
