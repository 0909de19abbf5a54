//! The public registers' query language over rows as JSON: exact and range filters on every
//! field, `sort` with ties broken by ID (the keyset of their paging), and the RFC 4180 CSV
//! download (`REQ-REGISTER-007`, `-008`, `-009`).
//!
//! The typed query structs of `ucr_spec::registers` validate a request (known parameters, types);
//! this module then interprets its parameters by name against the register's columns, so a new
//! column is filterable, sortable and in the CSV as soon as it is in the row type and its column
//! list.

use std::cmp::Ordering;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use ucr_spec::problem::Problem;

use crate::faults::{Fault, Faults};
use crate::paging::invalid_parameter;

/// One register as the query language sees it.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Columns {
    /// The row fields in the schema's order (the CSV header).
    pub(crate) names: &'static [&'static str],
    /// The field that identifies a row (the default order and the tie-breaker).
    pub(crate) id: &'static str,
    /// Case-insensitive substring filters: parameter name and the field it searches.
    pub(crate) substrings: &'static [(&'static str, &'static str)],
}

/// A parsed register query: its filters and its order.
#[derive(Debug, Clone)]
pub(crate) struct RowQuery {
    filters: Vec<Filter>,
    sort: Option<(String, bool)>,
    id: &'static str,
    faults: Faults,
}

#[derive(Debug, Clone)]
enum Filter {
    Exact(String, String),
    From(String, String),
    To(String, String),
    Contains(String, String),
}

impl RowQuery {
    /// Reads the effective query string `raw` (already validated by the typed query struct):
    /// every parameter but `limit`, `page_token` and `sort` is a filter on the column it names.
    pub(crate) fn parse(columns: Columns, raw: &str, faults: Faults) -> Result<Self, Problem> {
        let pairs: Vec<(String, String)> = serde_urlencoded::from_str(raw).unwrap_or_default();
        let mut filters = Vec::new();
        let mut sort = None;
        for (name, value) in pairs {
            match name.as_str() {
                "limit" | "page_token" => {}
                "sort" => {
                    let (field, descending) = match value.strip_prefix('-') {
                        Some(field) => (field, true),
                        None => (value.as_str(), false),
                    };
                    if !columns.names.contains(&field) {
                        return Err(invalid_parameter(
                            "sort",
                            format!(
                                "{value:?} is not a field of this register; use one of {} (with a leading - for descending order)",
                                columns.names.join(", ")
                            ),
                        ));
                    }
                    sort = Some((field.to_owned(), descending));
                }
                _ => {
                    if let Some((_, field)) = columns.substrings.iter().find(|(p, _)| *p == name) {
                        filters.push(Filter::Contains((*field).to_owned(), value.to_lowercase()));
                    } else if let Some(field) = name.strip_suffix("_from") {
                        filters.push(Filter::From(field.to_owned(), value));
                    } else if let Some(field) = name.strip_suffix("_to") {
                        filters.push(Filter::To(field.to_owned(), value));
                    } else {
                        filters.push(Filter::Exact(name, value));
                    }
                }
            }
        }
        Ok(RowQuery {
            filters,
            sort,
            id: columns.id,
            faults,
        })
    }

    /// Whether `row` matches every filter.
    pub(crate) fn matches(&self, row: &Value) -> bool {
        self.filters.iter().all(|filter| match filter {
            Filter::Exact(field, value) => match row.get(field) {
                Some(Value::Array(items)) => items.iter().any(|item| same(item, value)),
                Some(cell) => same(cell, value),
                None => false,
            },
            Filter::Contains(field, needle) => row
                .get(field)
                .and_then(Value::as_str)
                .is_some_and(|text| text.to_lowercase().contains(needle)),
            // FAULT(register-filter-ignored): range bounds are not applied.
            Filter::From(..) | Filter::To(..) if self.faults.has(Fault::RegisterFilterIgnored) => {
                true
            }
            Filter::From(field, bound) => {
                compare(row.get(field), bound).is_some_and(|o| o != Ordering::Less)
            }
            Filter::To(field, bound) => {
                compare(row.get(field), bound).is_some_and(|o| o != Ordering::Greater)
            }
        })
    }

    /// The position of `row` in the requested order, unique per row: the keyset of paging.
    pub(crate) fn key(&self, row: &Value) -> SortKey {
        let id = row.get(self.id).and_then(Value::as_str).unwrap_or_default();
        let (value, descending) = match &self.sort {
            Some((field, descending)) => (Cell::of(row.get(field)), *descending),
            None => (Cell::Absent, false),
        };
        SortKey {
            value,
            descending,
            // FAULT(register-sort-unstable): the key is the sort value alone, so rows sharing it
            // are one position and a page boundary among them skips the rest.
            id: if self.sort.is_some() && self.faults.has(Fault::RegisterSortUnstable) {
                String::new()
            } else {
                id.to_owned()
            },
        }
    }

    /// The matching rows of `rows`, in the requested order, as indices in `rows`. `by_id` is
    /// every index of `rows` in the order of the rows' IDs (see [`order_by_id`]): without `sort`
    /// that is the order, and no row's key is computed here (a page computes the keys of the rows
    /// it visits).
    pub(crate) fn select(&self, rows: &[Value], by_id: &[usize]) -> Vec<usize> {
        if self.filters.is_empty() && self.sort.is_none() {
            return by_id.to_vec();
        }
        let matching = by_id
            .iter()
            .copied()
            .filter(|&index| rows.get(index).is_some_and(|row| self.matches(row)));
        if self.sort.is_none() {
            return matching.collect();
        }
        let mut keyed: Vec<(SortKey, usize)> = matching
            .map(|index| (self.key(&rows[index]), index))
            .collect();
        keyed.sort_by(|a, b| a.0.cmp(&b.0));
        keyed.into_iter().map(|(_, index)| index).collect()
    }
}

/// Every index of `rows` in the order of their `id` field (the order of a query without `sort`).
pub(crate) fn order_by_id(rows: &[Value], id: &str) -> Vec<usize> {
    let id_of = |index: &usize| rows[*index].get(id).and_then(Value::as_str);
    let mut order: Vec<usize> = (0..rows.len()).collect();
    order.sort_by(|a, b| id_of(a).cmp(&id_of(b)));
    order
}

/// Whether a cell equals a parameter's text: strings exactly, booleans as `true`/`false`, numbers
/// by value, dates by day.
fn same(cell: &Value, text: &str) -> bool {
    match cell {
        Value::String(s) => s == text || (as_date(s).is_some() && as_date(s) == as_date(text)),
        Value::Bool(b) => text == if *b { "true" } else { "false" },
        Value::Number(n) => n
            .as_f64()
            .zip(text.parse::<f64>().ok())
            .is_some_and(|(a, b)| a == b),
        _ => false,
    }
}

/// A cell compared with a range bound: numbers by value, dates by day; `None` when absent or
/// not comparable.
fn compare(cell: Option<&Value>, bound: &str) -> Option<Ordering> {
    match cell? {
        Value::Number(n) => n.as_f64()?.partial_cmp(&bound.parse::<f64>().ok()?),
        Value::String(s) => Some(as_date(s)?.cmp(&as_date(bound)?)),
        _ => None,
    }
}

fn as_date(text: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(text, "%Y-%m-%d").ok()
}

/// A sortable cell: absent sorts before everything else.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) enum Cell {
    /// No value.
    Absent,
    /// A boolean (`false` before `true`).
    Bool(bool),
    /// A number.
    Number(f64),
    /// A string or date (ISO dates order as text).
    Text(String),
}

impl Cell {
    fn of(value: Option<&Value>) -> Cell {
        match value {
            Some(Value::Bool(b)) => Cell::Bool(*b),
            Some(Value::Number(n)) => Cell::Number(n.as_f64().unwrap_or_default()),
            Some(Value::String(s)) => Cell::Text(s.clone()),
            _ => Cell::Absent,
        }
    }

    fn rank(&self) -> u8 {
        match self {
            Cell::Absent => 0,
            Cell::Bool(_) => 1,
            Cell::Number(_) => 2,
            Cell::Text(_) => 3,
        }
    }
}

impl Ord for Cell {
    fn cmp(&self, other: &Self) -> Ordering {
        match (self, other) {
            (Cell::Bool(a), Cell::Bool(b)) => a.cmp(b),
            (Cell::Number(a), Cell::Number(b)) => a.total_cmp(b),
            (Cell::Text(a), Cell::Text(b)) => a.cmp(b),
            _ => self.rank().cmp(&other.rank()),
        }
    }
}

impl PartialOrd for Cell {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl PartialEq for Cell {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for Cell {}

/// A row's position: the sort value (reversed when descending), then the ID ascending.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct SortKey {
    value: Cell,
    descending: bool,
    id: String,
}

impl Ord for SortKey {
    fn cmp(&self, other: &Self) -> Ordering {
        let by_value = self.value.cmp(&other.value);
        let by_value = if self.descending {
            by_value.reverse()
        } else {
            by_value
        };
        by_value.then_with(|| self.id.cmp(&other.id))
    }
}

impl PartialOrd for SortKey {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

/// Rows as an RFC 4180 CSV document: CRLF line ends, a header row of `columns`, absent fields
/// empty, lists joined by `;`, other values as in JSON without quotes.
pub(crate) fn csv<'a>(
    columns: &[&str],
    rows: impl IntoIterator<Item = &'a Value>,
    faults: Faults,
) -> String {
    let mut out = String::new();
    let mut line = |fields: Vec<String>| {
        let fields: Vec<String> = fields
            .into_iter()
            .map(|field| {
                // FAULT(register-csv-malformed): fields are never quoted.
                if faults.has(Fault::RegisterCsvMalformed) {
                    field
                } else {
                    quote(field)
                }
            })
            .collect();
        out.push_str(&fields.join(","));
        out.push_str("\r\n");
    };
    line(columns.iter().map(|c| (*c).to_owned()).collect());
    for row in rows {
        line(columns.iter().map(|c| text(row.get(*c))).collect());
    }
    out
}

fn text(value: Option<&Value>) -> String {
    match value {
        None | Some(Value::Null) => String::new(),
        Some(Value::String(s)) => s.clone(),
        Some(Value::Array(items)) => items
            .iter()
            .map(|item| text(Some(item)))
            .collect::<Vec<_>>()
            .join(";"),
        Some(other) => other.to_string(),
    }
}

fn quote(field: String) -> String {
    if field.contains([',', '"', '\r', '\n']) {
        format!("\"{}\"", field.replace('"', "\"\""))
    } else {
        field
    }
}

/// A row as a JSON object.
pub(crate) fn as_row<T: Serialize>(row: &T) -> Value {
    serde_json::to_value(row).unwrap_or_else(|_| Value::Object(Map::new()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const COLUMNS: Columns = Columns {
        names: &["id", "name", "size", "day", "tags"],
        id: "id",
        substrings: &[("q", "name")],
    };

    fn rows() -> Vec<Value> {
        vec![
            json!({"id": "A3", "name": "Gamma, \"g\"", "size": 2, "day": "2020-01-03", "tags": ["x", "y"]}),
            json!({"id": "A1", "name": "Alpha", "size": 2, "day": "2020-01-01", "tags": []}),
            json!({"id": "A2", "name": "Beta", "size": 1, "tags": ["y"]}),
        ]
    }

    fn ids(query: &str) -> Vec<String> {
        let query = RowQuery::parse(COLUMNS, query, Faults::NONE).unwrap();
        let rows = rows();
        query
            .select(&rows, &order_by_id(&rows, COLUMNS.id))
            .into_iter()
            .map(|index| rows[index]["id"].as_str().unwrap().to_owned())
            .collect()
    }

    #[test]
    fn filters_sort_and_ties() {
        assert_eq!(ids(""), ["A1", "A2", "A3"]);
        assert_eq!(ids("size=2"), ["A1", "A3"]);
        assert_eq!(ids("tags=y"), ["A2", "A3"]);
        assert_eq!(ids("day_from=2020-01-02"), ["A3"]);
        assert_eq!(ids("size_to=1"), ["A2"]);
        assert_eq!(ids("q=ALP"), ["A1"]);
        assert_eq!(ids("sort=-size"), ["A1", "A3", "A2"]);
        assert_eq!(ids("sort=day"), ["A2", "A1", "A3"]);
        assert_eq!(ids("sort=-day"), ["A3", "A1", "A2"]);
        assert!(RowQuery::parse(COLUMNS, "sort=nope", Faults::NONE).is_err());
    }

    #[test]
    fn csv_quotes_and_uses_crlf() {
        let csv = csv(COLUMNS.names, &rows()[..1], Faults::NONE);
        assert_eq!(
            csv,
            "id,name,size,day,tags\r\nA3,\"Gamma, \"\"g\"\"\",2,2020-01-03,x;y\r\n"
        );
    }
}
