//! Examples of the public registers: no token, one page at a time, filtered (by a few filters,
//! and by every filter at once), sorted, as CSV, and one row by its ID.

use serde_json::{Value, json};

use super::Example;
use super::world::page;

/// Mallee Carbon's second project (the units of the story come from its first, `ERF101234`);
/// both are under contract `CAC-0123`.
fn accu_project() -> Value {
    json!({
        "project_id": "ERF101377",
        "project_name": "Wandoo Station Regeneration Project",
        "project_description": "Regenerating native forest on \"Wandoo Station\", near Cobar, by excluding stock and managing feral animals.",
        "project_proponent": "Mallee Carbon Pty Ltd",
        "state": "NSW",
        "postcode": "2835",
        "method": "Human-induced regeneration of a permanent even-aged native forest",
        "method_url": "https://www.legislation.gov.au/F2013L00162",
        "method_type": "Vegetation",
        "date_registered": "2019-03-14",
        "crediting_period_start": "2019-03-14",
        "crediting_period_end": "2044-03-13",
        "permanence_period_years": 100,
        "carbon_maintenance_obligation": false,
        "accus_total_units_issued": 184_220,
        "accus_kyoto_units_issued": 0,
        "accus_non_kyoto_units_issued": 184_220,
        "accus_total_units_relinquished": 0,
        "project_conditions": ["Eligible interest-holder consent"],
        "under_contract": true,
        "contract_id": "CAC-0123",
        "revoked": false
    })
}

fn contract() -> Value {
    json!({
        "contract_id": "CAC-0123",
        "contractor_name": "Mallee Carbon Pty Ltd",
        "project_ids": ["ERF101234", "ERF101377"],
        "delivery_obligation": "Fixed delivery",
        "auction_date": "2019-10-02",
        "status": "active",
        "volume_committed": 450_000,
        "volume_delivered": 212_000
    })
}

fn go_project() -> Value {
    json!({
        "profile_id": "GO-00017",
        "profile_name": "Mildura Solar Farm",
        "registered_person": "Sunraysia Renewables Pty Ltd",
        "product_type": "Electricity",
        "profile_type": "Production",
        "energy_source": "Solar",
        "nameplate_capacity_mw": 112.5,
        "state": "VIC",
        "registration_date": "2025-02-11",
        "status": "registered"
    })
}

/// The register's rows as CSV (`Accept: text/csv`): a header of the columns, one line per row.
fn csv(item: &Value) -> Value {
    let fields = item.as_object().expect("a row is an object");
    let cell = |value: &Value| -> String {
        let text = match value {
            Value::Null => String::new(),
            Value::String(s) => s.clone(),
            Value::Array(items) => items
                .iter()
                .map(|v| v.as_str().map_or_else(|| v.to_string(), str::to_owned))
                .collect::<Vec<_>>()
                .join(";"),
            other => other.to_string(),
        };
        if text.contains([',', '"', '\n', ';']) {
            format!("\"{}\"", text.replace('"', "\"\""))
        } else {
            text
        }
    };
    let header: Vec<&str> = fields.keys().map(String::as_str).collect();
    let row: Vec<String> = fields.values().map(cell).collect();
    json!(format!("{}\r\n{}\r\n", header.join(","), row.join(",")))
}

/// Every filter of a register at once, each taken from `item` so that it matches: a column's
/// value for its exact filter and for its `_from` and `_to` bounds, the first element of a list
/// column, and the `extra` filters (substring matches) as given.
fn every_filter(
    operation: &'static str,
    item: &Value,
    names: &[String],
    extra: &[(&'static str, &'static str)],
    sort: &'static str,
) -> Example {
    let mut example = Example::new(
        operation,
        "every_filter",
        "Every filter at once (they combine with AND), each matching the row, sorted.",
    );
    for name in names {
        if matches!(name.as_str(), "limit" | "page_token" | "sort") {
            continue;
        }
        if let Some((_, value)) = extra.iter().find(|(n, _)| n == name) {
            example = example.query(leak(name), value);
            continue;
        }
        let column = name
            .strip_suffix("_from")
            .or_else(|| name.strip_suffix("_to"))
            .filter(|c| item.get(*c).is_some())
            .unwrap_or(name);
        let value = match &item[column] {
            Value::String(s) => s.clone(),
            Value::Array(items) => items[0].as_str().expect("a string list").to_owned(),
            Value::Null => continue,
            other => other.to_string(),
        };
        example = example.query(leak(name), value);
    }
    example
        .query("sort", sort)
        .answers(200, page(vec![item.clone()], None))
}

/// A parameter name as the `'static` an [`Example`] holds (the names come from the query types).
fn leak(name: &str) -> &'static str {
    Box::leak(name.to_owned().into_boxed_str())
}

/// The query parameters' names of a register's query type.
fn parameter_names<T: utoipa::IntoParams>() -> Vec<String> {
    T::into_params(|| None)
        .into_iter()
        .map(|p| p.name)
        .collect()
}

/// One register: its pages, its filters, its CSV and one row by ID.
#[allow(clippy::too_many_arguments)]
fn register(
    list: &'static str,
    get: &'static str,
    id: &'static str,
    item: Value,
    token: &'static str,
    names: &[String],
    extra: &[(&'static str, &'static str)],
    filters: &[(&'static str, &'static str)],
    sort: &'static str,
) -> Vec<Example> {
    let mut examples = paged(list, item.clone(), token, filters);
    examples.push(every_filter(list, &item, names, extra, sort));
    let mut csv_example = Example::new(
        list,
        "csv",
        "The whole filtered, sorted register as one CSV document (Accept: text/csv).",
    )
    .query(filters[0].0, filters[0].1)
    .answers(200, csv(&item));
    csv_example.accept = Some("text/csv");
    examples.push(csv_example);
    examples.push(
        Example::new(get, "by_id", "One row by its ID.")
            .path(id, item[id].as_str().expect("an ID"))
            .answers(200, item),
    );
    examples
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
    use crate::registers::{
        AccuProjectQuery, CarbonAbatementContractQuery, GuaranteeOfOriginProjectQuery,
    };
    [
        register(
            "list_accu_projects",
            "get_accu_project",
            "project_id",
            accu_project(),
            "pg_accu_1",
            &parameter_names::<AccuProjectQuery>(),
            &[("proponent", "mallee carbon")],
            &[
                ("state", "NSW"),
                ("method_type", "Vegetation"),
                ("proponent", "Mallee Carbon Pty Ltd"),
                ("revoked", "false"),
            ],
            "-date_registered",
        ),
        register(
            "list_carbon_abatement_contracts",
            "get_carbon_abatement_contract",
            "contract_id",
            contract(),
            "pg_cac_1",
            &parameter_names::<CarbonAbatementContractQuery>(),
            &[("contractor", "mallee")],
            &[
                ("status", "active"),
                ("project_ids", "ERF101234"),
                ("contractor", "Mallee Carbon Pty Ltd"),
                ("delivery_obligation", "Fixed delivery"),
            ],
            "-volume_committed",
        ),
        register(
            "list_guarantee_of_origin_projects",
            "get_guarantee_of_origin_project",
            "profile_id",
            go_project(),
            "pg_go_1",
            &parameter_names::<GuaranteeOfOriginProjectQuery>(),
            &[],
            &[
                ("state", "VIC"),
                ("energy_source", "Solar"),
                ("profile_type", "Production"),
                ("status", "registered"),
            ],
            "-nameplate_capacity_mw",
        ),
    ]
    .concat()
}
