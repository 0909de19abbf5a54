//! The public registers' rows prepared once per router, on first use: each row as a JSON value
//! (what the query language filters and sorts) and as its serialised text (what a page or a lookup
//! copies out). The registers never change while the mock runs, so a request no longer converts
//! and serialises every row of a register again.

use std::sync::{Arc, OnceLock};

use bytes::Bytes;
use http::header::CONTENT_TYPE;
use http::{HeaderMap, HeaderValue, StatusCode};
use serde::Serialize;
use serde_json::Value;

use super::exchange::{ApiResponse, JSON};
use crate::public_registers::{
    ACCU_PROJECT_COLUMNS, CONTRACT_COLUMNS, GO_PROFILE_COLUMNS, PublicRegisters,
};
use crate::register_query::{Columns, as_row, order_by_id};

/// One register's rows, in the register's order: as JSON values and as serialised text, and
/// their order by ID.
#[derive(Debug)]
pub(crate) struct RegisterRows {
    values: Vec<Value>,
    texts: Vec<Box<str>>,
    by_id: Vec<usize>,
}

impl RegisterRows {
    fn of<T: Serialize>(rows: &[T], columns: Columns) -> Self {
        let values: Vec<Value> = rows.iter().map(as_row).collect();
        let texts = values
            .iter()
            .map(|value| value.to_string().into_boxed_str())
            .collect();
        let by_id = order_by_id(&values, columns.id);
        RegisterRows {
            values,
            texts,
            by_id,
        }
    }

    /// The rows as JSON values.
    pub(crate) fn values(&self) -> &[Value] {
        &self.values
    }

    /// Every row's index, in the order of the rows' IDs.
    pub(crate) fn by_id(&self) -> &[usize] {
        &self.by_id
    }

    /// The serialised text of row `index` (`{}` past the end, which no caller asks for).
    pub(crate) fn text(&self, index: usize) -> &str {
        self.texts.get(index).map_or("{}", |text| text)
    }
}

/// The three registers' rows, each prepared the first time it is asked for.
#[derive(Debug)]
pub(crate) struct PreparedRegisters {
    registers: Arc<PublicRegisters>,
    accu_projects: OnceLock<RegisterRows>,
    carbon_abatement_contracts: OnceLock<RegisterRows>,
    guarantee_of_origin_projects: OnceLock<RegisterRows>,
}

impl PreparedRegisters {
    /// Nothing prepared yet.
    pub(crate) fn new(registers: Arc<PublicRegisters>) -> Self {
        PreparedRegisters {
            registers,
            accu_projects: OnceLock::new(),
            carbon_abatement_contracts: OnceLock::new(),
            guarantee_of_origin_projects: OnceLock::new(),
        }
    }

    /// The ACCU project register's rows.
    pub(crate) fn accu_projects(&self) -> &RegisterRows {
        self.accu_projects
            .get_or_init(|| RegisterRows::of(&self.registers.accu_projects, ACCU_PROJECT_COLUMNS))
    }

    /// The Carbon Abatement Contract register's rows.
    pub(crate) fn carbon_abatement_contracts(&self) -> &RegisterRows {
        self.carbon_abatement_contracts.get_or_init(|| {
            RegisterRows::of(&self.registers.carbon_abatement_contracts, CONTRACT_COLUMNS)
        })
    }

    /// The Guarantee of Origin register's rows.
    pub(crate) fn guarantee_of_origin_projects(&self) -> &RegisterRows {
        self.guarantee_of_origin_projects.get_or_init(|| {
            RegisterRows::of(
                &self.registers.guarantee_of_origin_projects,
                GO_PROFILE_COLUMNS,
            )
        })
    }
}

/// A `200` JSON response whose body is `text`, already serialised.
pub(crate) fn prepared_json(text: &str) -> ApiResponse {
    response(Bytes::copy_from_slice(text.as_bytes()))
}

/// A `200` page `{"items":[…],"next_page":…}` assembled from rows already serialised: the bytes
/// `serde_json` writes for the same page as a JSON value.
pub(crate) fn page<'a>(
    items: impl Iterator<Item = &'a str>,
    next_page: Option<&str>,
) -> ApiResponse {
    let mut body = Vec::with_capacity(64 * 1024);
    body.extend_from_slice(b"{\"items\":[");
    for (n, item) in items.enumerate() {
        if n > 0 {
            body.push(b',');
        }
        body.extend_from_slice(item.as_bytes());
    }
    body.extend_from_slice(b"],\"next_page\":");
    match next_page {
        Some(token) => {
            if serde_json::to_writer(&mut body, token).is_err() {
                body.extend_from_slice(b"null");
            }
        }
        None => body.extend_from_slice(b"null"),
    }
    body.push(b'}');
    response(Bytes::from(body))
}

fn response(body: Bytes) -> ApiResponse {
    let mut headers = HeaderMap::new();
    headers.insert(CONTENT_TYPE, HeaderValue::from_static(JSON));
    ApiResponse {
        status: StatusCode::OK,
        headers,
        body,
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    /// A page assembled from the prepared rows is byte for byte the page serialised whole.
    #[test]
    fn assembled_pages_are_the_bytes_serde_writes() {
        let registers = Arc::new(PublicRegisters::generate(7));
        let prepared = PreparedRegisters::new(registers.clone());
        let checks = [
            (prepared.accu_projects(), 50),
            (prepared.carbon_abatement_contracts(), 7),
            (prepared.guarantee_of_origin_projects(), 200),
        ];
        for (rows, count) in checks {
            for next in [None, Some("abc\"d\\ef")] {
                for indices in [vec![], (0..count).collect::<Vec<_>>(), vec![3, 1, 2]] {
                    let items: Vec<&Value> = indices.iter().map(|&i| &rows.values()[i]).collect();
                    let expected =
                        serde_json::to_vec(&json!({"items": items, "next_page": next})).unwrap();
                    let assembled = page(indices.iter().map(|&i| rows.text(i)), next);
                    assert_eq!(
                        String::from_utf8_lossy(&assembled.body),
                        String::from_utf8_lossy(&expected)
                    );
                }
            }
        }
        let row = &registers.accu_projects[4];
        let one = prepared_json(prepared.accu_projects().text(4));
        assert_eq!(one.body, serde_json::to_vec(&as_row(row)).unwrap());
    }
}
