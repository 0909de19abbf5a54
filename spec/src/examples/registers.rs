//! Examples of the public registers: no token, one page at a time, and filtered.

use serde_json::{Value, json};

use super::Example;
use super::world::page;

fn accu_project() -> Value {
    json!({
        "project_id": "ERF101234",
        "project_name": "Wandoo Station Regeneration Project",
        "project_proponent": "Mallee Carbon Pty Ltd",
        "method": "Human-induced regeneration of a permanent even-aged native forest",
        "method_type": "Vegetation",
        "state": "NSW",
        "postcode": "2835",
        "accus_total_units_issued": 184_220,
        "date_registered": "2019-03-14",
        "revoked": false,
        "contract_id": "CAC-0123"
    })
}

fn contract() -> Value {
    json!({
        "contract_id": "CAC-0123",
        "contractor_name": "Mallee Carbon Pty Ltd",
        "project_id": "ERF101234",
        "delivery_obligation": "Fixed delivery",
        "auction_date": "2019-04-10",
        "status": "active",
        "volume_committed": 120_000,
        "volume_delivered": 64_000
    })
}

fn go_project() -> Value {
    json!({
        "profile_id": "GO-000017",
        "profile_name": "Mildura Solar Farm",
        "registered_person": "Sunraysia Renewables Pty Ltd",
        "profile_type": "Generator",
        "energy_source": "Solar",
        "nameplate_capacity_mw": 88.5,
        "state": "VIC",
        "registration_date": "2025-11-03",
        "status": "registered"
    })
}

/// Three pages each, for the three registers.
fn paged(
    operation: &'static str,
    item: Value,
    token: &'static str,
    filters: &[(&'static str, &'static str)],
) -> Vec<Example> {
    let mut filtered = Example::new(operation, "filtered", "Filtered.");
    for (name, value) in filters {
        filtered = filtered.query(name, value);
    }
    vec![
        Example::new(operation, "first_page", "The first page, of one item.")
            .query("limit", 1)
            .answers(200, page(vec![item.clone()], Some(token))),
        Example::new(operation, "next_page", "The next page.")
            .query("page_token", token)
            .answers(200, page(vec![item.clone()], Some(token))),
        filtered.answers(200, page(vec![item], None)),
    ]
}

/// The registers' examples.
pub(super) fn examples() -> Vec<Example> {
    [
        paged(
            "list_accu_projects",
            accu_project(),
            "pg_accu_1",
            &[
                ("state", "NSW"),
                ("method_type", "Vegetation"),
                ("proponent", "Mallee Carbon Pty Ltd"),
                ("revoked", "false"),
            ],
        ),
        paged(
            "list_carbon_abatement_contracts",
            contract(),
            "pg_cac_1",
            &[
                ("status", "active"),
                ("project_id", "ERF101234"),
                ("contractor", "Mallee Carbon Pty Ltd"),
                ("delivery_obligation", "Fixed delivery"),
            ],
        ),
        paged(
            "list_guarantee_of_origin_projects",
            go_project(),
            "pg_go_1",
            &[
                ("state", "VIC"),
                ("energy_source", "Solar"),
                ("profile_type", "Generator"),
                ("status", "registered"),
            ],
        ),
    ]
    .concat()
}
