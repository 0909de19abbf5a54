//! The public registers as rows of JSON for the checks that cover every column: each register's
//! operations, paths and columns (from the published schema), raw walks with any parameters, and
//! the contract's filter and order semantics (`REQ-REGISTER-007`, `-008`) computed locally.

use std::cmp::Ordering;

use chrono::NaiveDate;
use serde_json::Value;

use super::spec::schema_fields;
use crate::ctx::Ctx;
use crate::ensure;
use crate::outcome::Failure;

/// One public register.
#[derive(Debug, Clone, Copy)]
pub(in crate::checks) struct Register {
    /// The list operation.
    pub(in crate::checks) list: &'static str,
    /// The get-by-ID operation.
    pub(in crate::checks) get: &'static str,
    /// The list's path.
    pub(in crate::checks) path: &'static str,
    /// The row schema's name.
    pub(in crate::checks) schema: &'static str,
    /// The ID field.
    pub(in crate::checks) id: &'static str,
}

/// The three public registers.
pub(in crate::checks) const REGISTERS: [Register; 3] = [
    Register {
        list: "list_accu_projects",
        get: "get_accu_project",
        path: "/v1/registers/accu-projects",
        schema: "AccuProject",
        id: "project_id",
    },
    Register {
        list: "list_carbon_abatement_contracts",
        get: "get_carbon_abatement_contract",
        path: "/v1/registers/carbon-abatement-contracts",
        schema: "CarbonAbatementContract",
        id: "contract_id",
    },
    Register {
        list: "list_guarantee_of_origin_projects",
        get: "get_guarantee_of_origin_project",
        path: "/v1/registers/guarantee-of-origin-projects",
        schema: "GuaranteeOfOriginProject",
        id: "profile_id",
    },
];

/// Most pages a walk may take.
const MAX_PAGES: usize = 2000;

impl Register {
    /// The row schema's fields, in the schema's order.
    pub(in crate::checks) fn columns(&self) -> Vec<String> {
        schema_fields(self.schema)
            .into_iter()
            .map(|f| f.name)
            .collect()
    }

    /// A row's ID.
    pub(in crate::checks) fn id_of(&self, row: &Value) -> String {
        row.get(self.id)
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned()
    }

    /// Every row the list serves with `params`, walked with `limit`, repeating `params` with each
    /// `page_token`.
    pub(in crate::checks) async fn walk(
        &self,
        ctx: &Ctx,
        params: &[(String, String)],
        limit: u32,
    ) -> Result<Vec<Value>, Failure> {
        let what = format!("{} {}", self.list, describe(params));
        let mut rows = Vec::new();
        let mut token: Option<String> = None;
        for page_number in 1..=MAX_PAGES {
            let mut request = ctx
                .raw(self.list_static(), reqwest::Method::GET, self.path)
                .query("limit", &limit.to_string());
            for (name, value) in params {
                request = request.query(name, value);
            }
            if let Some(token) = token.take() {
                request = request.query("page_token", &token);
            }
            let page = request
                .send()
                .await?
                .expect_status(&format!("{what}, page {page_number}"), 200)?;
            let items = page["items"].as_array().cloned().unwrap_or_default();
            ensure!(
                items.len() <= limit as usize,
                "{what}: page {page_number} has {} items, more than limit={limit}",
                items.len()
            );
            rows.extend(items);
            match page["next_page"].as_str() {
                Some(next) => token = Some(next.to_owned()),
                None => return Ok(rows),
            }
        }
        Err(Failure::new(format!(
            "{what}: still a next_page after {MAX_PAGES} pages"
        )))
    }

    fn list_static(&self) -> &'static str {
        self.list
    }
}

/// `a=1&b=2`, or `without filters`.
pub(in crate::checks) fn describe(params: &[(String, String)]) -> String {
    if params.is_empty() {
        return "without filters".to_owned();
    }
    params
        .iter()
        .map(|(n, v)| format!("{n}={v}"))
        .collect::<Vec<_>>()
        .join("&")
}

/// A cell as a parameter's text: strings as they are, other values as in JSON.
pub(in crate::checks) fn text(cell: &Value) -> String {
    match cell {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

/// Whether a cell equals a filter's text exactly (`REQ-REGISTER-007`).
pub(in crate::checks) fn same(cell: &Value, wanted: &str) -> bool {
    match cell {
        Value::Array(items) => items.iter().any(|item| same(item, wanted)),
        Value::Number(n) => n
            .as_f64()
            .zip(wanted.parse::<f64>().ok())
            .is_some_and(|(a, b)| a == b),
        Value::Null => false,
        other => text(other) == wanted,
    }
}

/// A cell compared with a range bound: numbers by value, dates by day.
pub(in crate::checks) fn compare_bound(cell: &Value, bound: &str) -> Option<Ordering> {
    match cell {
        Value::Number(n) => n.as_f64()?.partial_cmp(&bound.parse::<f64>().ok()?),
        Value::String(s) => Some(date(s)?.cmp(&date(bound)?)),
        _ => None,
    }
}

/// The text as a date, if it is one.
pub(in crate::checks) fn date(text: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(text, "%Y-%m-%d").ok()
}

/// The order of two cells under `REQ-REGISTER-008` (absent before present).
pub(in crate::checks) fn order(a: Option<&Value>, b: Option<&Value>) -> Ordering {
    let a = a.filter(|v| !v.is_null());
    let b = b.filter(|v| !v.is_null());
    match (a, b) {
        (None, None) => Ordering::Equal,
        (None, Some(_)) => Ordering::Less,
        (Some(_), None) => Ordering::Greater,
        (Some(Value::Number(x)), Some(Value::Number(y))) => x
            .as_f64()
            .unwrap_or_default()
            .total_cmp(&y.as_f64().unwrap_or_default()),
        (Some(Value::Bool(x)), Some(Value::Bool(y))) => x.cmp(y),
        (Some(Value::String(x)), Some(Value::String(y))) => match (date(x), date(y)) {
            (Some(x), Some(y)) => x.cmp(&y),
            _ => x.cmp(y),
        },
        (Some(x), Some(y)) => x.to_string().cmp(&y.to_string()),
    }
}
