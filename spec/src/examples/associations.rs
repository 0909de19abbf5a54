//! Examples of associations (C.1): the third-party registry associates two certificates with
//! units of the holder's account, reads one and dissolves the other.

use serde_json::{Value, json};

use super::Example;
use super::world::*;

fn association(id: &str, serial: u64, certificate: &str, status: &str) -> Value {
    json!({
        "association_id": id,
        "registry_id": REGISTRY,
        "certificate_id": certificate,
        "account_id": ACCOUNT,
        "unit_type": "ACCU",
        "serial": serial,
        "status": status,
        "created_at": LATER,
        "updated_at": LATER
    })
}

/// Two associations, one dissolved.
pub(super) fn examples() -> Vec<Example> {
    let first = association("ASN-000001", LAST_SERIAL, "GREENCERT-2026-000123", "active");
    let second = association(
        "ASN-000002",
        LAST_SERIAL - 1,
        "GREENCERT-2026-000124",
        "active",
    );
    let mut dissolved = second.clone();
    dissolved["status"] = json!("dissolved");
    let associate = |name, summary, a: &Value| {
        Example::new("create_association", name, summary)
            .by(REGISTRY_TOKEN)
            .body(json!({
                "account_id": ACCOUNT,
                "unit_type": "ACCU",
                "serial": a["serial"],
                "certificate_id": a["certificate_id"]
            }))
            .answers(201, a.clone())
    };
    vec![
        associate(
            "certificate",
            "Associate a certificate with one unit.",
            &first,
        ),
        associate(
            "another",
            "Associate another certificate (dissolved below).",
            &second,
        ),
        Example::new("get_association", "active", "Read an association.")
            .by(REGISTRY_TOKEN)
            .path("association_id", "ASN-000001")
            .answers(200, first.clone()),
        Example::new(
            "dissolve_association",
            "dissolve",
            "Dissolve an association.",
        )
        .by(REGISTRY_TOKEN)
        .path("association_id", "ASN-000002")
        .answers(200, dissolved.clone()),
        Example::new(
            "list_associations",
            "first_page",
            "The registry's associations on one account, one per page.",
        )
        .by(REGISTRY_TOKEN)
        .query("account_id", ACCOUNT)
        .query("limit", 1)
        .answers(200, page(vec![first], Some("pg_asn_1"))),
        Example::new("list_associations", "next_page", "The next page.")
            .by(REGISTRY_TOKEN)
            .query("page_token", "pg_asn_1")
            .answers(200, page(vec![dissolved.clone()], None)),
        Example::new(
            "list_associations",
            "by_certificate",
            "Find the associations of one certificate, whatever their status.",
        )
        .by(REGISTRY_TOKEN)
        .query("certificate_id", "GREENCERT-2026-000124")
        .query("status", "dissolved")
        .answers(200, page(vec![dissolved], None)),
    ]
}
