//! The public registers' operations (no authentication): each list as a JSON page or, asked with
//! `Accept: text/csv`, as one CSV document of every matching row; and each register's lookup by ID.

use http::header::{ACCEPT, CONTENT_TYPE};
use http::{HeaderMap, HeaderValue, StatusCode};
use serde_json::Value;
use ucr_spec::ProblemType;
use ucr_spec::registers::{
    AccuProjectQuery, CarbonAbatementContractQuery, GuaranteeOfOriginProjectQuery,
};

use super::Router;
use super::exchange::{ApiRequest, ApiResponse, Refusal};
use super::lists::{Paged, filters, page_request};
use super::register_rows::{RegisterRows, page, prepared_json};
use crate::faults::Fault;
use crate::public_registers::{ACCU_PROJECT_COLUMNS, CONTRACT_COLUMNS, GO_PROFILE_COLUMNS};
use crate::register_query::{Columns, RowQuery, SortKey, csv};

/// The media type of a register's CSV download.
const CSV: &str = "text/csv; charset=utf-8";

/// `list_accu_projects`.
pub(crate) fn accu_projects(
    router: &Router,
    request: &ApiRequest<'_>,
) -> Result<ApiResponse, Refusal> {
    let rows = router.prepared.accu_projects();
    list::<AccuProjectQuery>(router, request, "accu-projects", ACCU_PROJECT_COLUMNS, rows)
}

/// `list_carbon_abatement_contracts`.
pub(crate) fn carbon_abatement_contracts(
    router: &Router,
    request: &ApiRequest<'_>,
) -> Result<ApiResponse, Refusal> {
    let rows = router.prepared.carbon_abatement_contracts();
    list::<CarbonAbatementContractQuery>(
        router,
        request,
        "carbon-abatement-contracts",
        CONTRACT_COLUMNS,
        rows,
    )
}

/// `list_guarantee_of_origin_projects`.
pub(crate) fn guarantee_of_origin_projects(
    router: &Router,
    request: &ApiRequest<'_>,
) -> Result<ApiResponse, Refusal> {
    let rows = router.prepared.guarantee_of_origin_projects();
    list::<GuaranteeOfOriginProjectQuery>(
        router,
        request,
        "guarantee-of-origin-projects",
        GO_PROFILE_COLUMNS,
        rows,
    )
}

/// `get_accu_project`.
pub(crate) fn accu_project(router: &Router, id: &str) -> Result<ApiResponse, Refusal> {
    let rows = router.prepared.accu_projects();
    one(router, "ACCU project", ACCU_PROJECT_COLUMNS, rows, id)
}

/// `get_carbon_abatement_contract`.
pub(crate) fn carbon_abatement_contract(router: &Router, id: &str) -> Result<ApiResponse, Refusal> {
    let rows = router.prepared.carbon_abatement_contracts();
    one(
        router,
        "Carbon Abatement Contract",
        CONTRACT_COLUMNS,
        rows,
        id,
    )
}

/// `get_guarantee_of_origin_project`.
pub(crate) fn guarantee_of_origin_project(
    router: &Router,
    id: &str,
) -> Result<ApiResponse, Refusal> {
    let rows = router.prepared.guarantee_of_origin_projects();
    one(
        router,
        "Guarantee of Origin profile",
        GO_PROFILE_COLUMNS,
        rows,
        id,
    )
}

/// A register list: the typed query validates the parameters; the row query filters and orders
/// the prepared rows, and a page is assembled from their serialised text.
fn list<Q: Paged>(
    router: &Router,
    request: &ApiRequest<'_>,
    scope: &str,
    columns: Columns,
    rows: &RegisterRows,
) -> Result<ApiResponse, Refusal> {
    let faults = router.faults;
    let (query, list) = filters::<Q>(scope, request.query)?;
    let canonical = list.split_once('?').map_or("", |(_, filters)| filters);
    let row_query = RowQuery::parse(columns, canonical, faults)?;
    let values = rows.values();
    let selected = row_query.select(values, rows.by_id());
    if wants_csv(request.headers) {
        let selected = selected.iter().map(|index| &values[*index]);
        let mut headers = HeaderMap::new();
        headers.insert(CONTENT_TYPE, HeaderValue::from_static(CSV));
        return Ok(ApiResponse {
            status: StatusCode::OK,
            headers,
            body: csv(columns.names, selected, faults).into(),
        });
    }
    let paging = page_request::<Q, SortKey>(faults, &list, &query)?;
    let (items, next_page) = paging.page(&list, selected, |index| row_query.key(&values[*index]));
    Ok(page(
        items.iter().map(|index| rows.text(*index)),
        next_page.as_deref(),
    ))
}

/// Whether the request's `Accept` names `text/csv`.
fn wants_csv(headers: &HeaderMap) -> bool {
    headers.get_all(ACCEPT).iter().any(|accept| {
        accept.to_str().is_ok_and(|accept| {
            accept.split(',').any(|range| {
                range
                    .split(';')
                    .next()
                    .is_some_and(|t| t.trim().eq_ignore_ascii_case("text/csv"))
            })
        })
    })
}

/// One row by ID, or `404 not-found`.
fn one(
    router: &Router,
    what: &str,
    columns: Columns,
    rows: &RegisterRows,
    id: &str,
) -> Result<ApiResponse, Refusal> {
    fn id_of<'v>(row: &'v Value, column: &str) -> Option<&'v str> {
        row.get(column)?.as_str()
    }
    let values = rows.values();
    let found = values
        .iter()
        .position(|row| id_of(row, columns.id) == Some(id))
        .or_else(|| {
            // FAULT(register-unknown-id-found): an unknown ID answers the next row by ID.
            router
                .faults
                .has(Fault::RegisterUnknownIdFound)
                .then(|| {
                    values
                        .iter()
                        .position(|row| id_of(row, columns.id).unwrap_or_default() > id)
                })
                .flatten()
        });
    match found {
        Some(index) => Ok(prepared_json(rows.text(index))),
        None => Err(ProblemType::NotFound
            .problem(format!(
                "no {what} has the ID {id:?}; the register's list gives every ID"
            ))
            .into()),
    }
}
