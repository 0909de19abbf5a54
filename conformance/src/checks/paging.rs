//! Cursor paging of account lists: integrity across pages and refusal of bad parameters.

use futures::TryStreamExt;
use reqwest::Method;
use ucr_sdk::ProblemKind;
use ucr_sdk::types::{Transaction, UnitBlock};

use super::READ;
use super::support::compare_walk;
use super::support::spec::{JsonType, schema_fields};
use super::support::{approve, initiate, tick};
use crate::assert::{SdkResultExt, ensure_eq};
use crate::check::Check;
use crate::ctx::{Attrs, Ctx, by_quantity};
use crate::ensure;
use crate::outcome::Failure;

pub(super) const CHECKS: &[Check] = &[
    check! {
        id: "A1-PAGING-001",
        model: A1,
        seed: READ,
        operations: ["list_holdings"],
        description: "Walking holdings with limit=3 (stream and page_token) yields exactly the big page: no duplicates, none missing",
        run: holdings_paging,
        cites: ["REQ-PAGING-002", "REQ-PAGING-003", "REQ-PAGING-005", "REQ-PAGING-006"],
    },
    check! {
        id: "A1-PAGING-002",
        model: A1,
        seed: READ,
        operations: ["list_transactions"],
        description: "Walking history with limit=3 (stream and page_token) yields exactly the big page: no duplicates, none missing",
        run: history_paging,
        cites: ["REQ-PAGING-002", "REQ-PAGING-003", "REQ-PAGING-005", "REQ-PAGING-006", "REQ-PAGING-012"],
    },
    check! {
        id: "A1-PAGING-003",
        model: A1,
        seed: READ,
        operations: [
            "list_accounts",
            "list_holdings",
            "list_transactions",
            "list_accu_projects",
            "list_carbon_abatement_contracts",
            "list_guarantee_of_origin_projects",
        ],
        description: "limit=0, 201, -1 and \"x\" are refused with 400 invalid-parameter on every list; 1 and 200 are accepted",
        run: bad_limits,
        cites: ["REQ-PAGING-004"],
    },
    check! {
        id: "A1-PAGING-004",
        model: A1,
        seed: READ,
        operations: [
            "list_accounts",
            "list_holdings",
            "list_transactions",
            "list_accu_projects",
            "list_carbon_abatement_contracts",
            "list_guarantee_of_origin_projects",
        ],
        description: "A garbage page_token is refused with 400 invalid-parameter on every list",
        run: bad_page_tokens,
        cites: ["REQ-PAGING-008"],
    },
    check! {
        id: "A1-PAGING-005",
        model: A1,
        seed: READ,
        operations: ["list_holdings", "list_accu_projects"],
        description: "A page_token carries its walk's filters: later pages without them stay filtered; changed filters are refused with 400",
        run: tokens_carry_filters,
        cites: ["REQ-PAGING-007"],
    },
    check! {
        id: "A1-PAGING-006",
        model: A1,
        seed: READ,
        operations: ["list_transactions"],
        description: "A list answers application/json {items, next_page} only; an exactly full last page has next_page null; a token works again later; timestamps are RFC 3339 UTC with Z; every required Transaction member has its documented type",
        run: list_documents,
        cites: ["REQ-PAGING-001", "REQ-PAGING-002", "REQ-PAGING-009", "REQ-CONV-001", "REQ-CONV-004", "REQ-CONV-005", "REQ-CONV-007"],
    },
    check! {
        id: "A1-PAGING-007",
        model: A1,
        seed: READ,
        operations: ["list_holdings", "list_transactions", "list_accu_projects"],
        description: "Undeclared or repeated query parameters and enum or boolean filter values outside their set are refused with 400 invalid-parameter naming them; unknown free-text filter values give an empty page",
        run: query_parameters,
        cites: ["REQ-VALIDATION-004", "REQ-PAGING-010", "REQ-PROBLEM-006"],
    },
    check! {
        id: "A1-PAGING-008",
        model: A1,
        seed: READ,
        operations: ["list_reservations", "list_escrows", "list_associations"],
        description: "An account_id filter naming another holder's account or no account gives an empty page, not a refusal",
        run: invisible_account_filter,
        cites: ["REQ-PAGING-011"],
    },
];

/// Most pages a walk may take before the check gives up (guards against a token that never ends).
const MAX_PAGES: usize = 500;

async fn holdings_paging(ctx: Ctx) -> Result<(), Failure> {
    let party = ctx.holder_with_one_rep().await?;
    for n in 0..11 {
        ctx.issue(&party.account_id, 5 + n as u64, &Attrs::distinct(n))
            .await?;
    }
    ctx.issue(&party.account_id, 7, &Attrs::smc()).await?;
    ctx.issue(&party.account_id, 8, &Attrs::smc().vintage("2023-24"))
        .await?;
    let client = &party.rep.client;
    let account_id = party.account_id.as_str();

    let big = client
        .list_holdings()
        .account_id(account_id)
        .limit(200u32)
        .send()
        .await
        .expect_ok("list_holdings with limit=200")?;
    ensure!(
        big.next_page.is_none(),
        "list_holdings with limit=200: 13 blocks fit one page, but next_page is {:?}",
        big.next_page
    );
    // REQ-UNITS-002: an implementation may split blocks, so the 13 issuances are at least 13
    // blocks holding every issued unit.
    let issued: u64 = (0..11).map(|n| 5 + n).sum::<u64>() + 7 + 8;
    ensure!(
        big.items.len() >= 13 && big.items.iter().map(|b| b.quantity).sum::<u64>() == issued,
        "list_holdings with limit=200: expected the {issued} issued units in at least 13 blocks, got {} units in {} blocks",
        big.items.iter().map(|b| b.quantity).sum::<u64>(),
        big.items.len()
    );
    ensure!(
        big.items
            .windows(2)
            .all(|w| (&w[0].unit_type, w[0].serial_start) < (&w[1].unit_type, w[1].serial_start)),
        "list_holdings: blocks are not ordered by unit type, then serial_start"
    );
    let key = |b: &UnitBlock| format!("{}-{}..={}", b.unit_type, b.serial_start, b.serial_end);
    let reference: Vec<String> = big.items.iter().map(key).collect();

    let default = client
        .list_holdings()
        .account_id(account_id)
        .send()
        .await
        .expect_ok("list_holdings without limit")?;
    ensure_eq(
        "list_holdings without limit (default 50): blocks on the first page",
        &reference,
        &default.items.iter().map(key).collect::<Vec<_>>(),
    )?;

    let streamed: Vec<UnitBlock> = client
        .list_holdings()
        .account_id(account_id)
        .limit(3u32)
        .stream()
        .try_collect()
        .await
        .map_err(|e| Failure::from(e).context("list_holdings with limit=3 (stream)"))?;
    compare_walk(
        "list_holdings with limit=3 (stream)",
        &reference,
        &streamed.iter().map(key).collect::<Vec<_>>(),
    )?;

    let mut walked = Vec::new();
    let mut token: Option<String> = None;
    for page_number in 1..=MAX_PAGES {
        let mut request = client.list_holdings().account_id(account_id).limit(3u32);
        if let Some(token) = &token {
            request = request.page_token(token.clone());
        }
        let page = request
            .send()
            .await
            .expect_ok(&format!("list_holdings with limit=3, page {page_number}"))?;
        ensure!(
            page.items.len() <= 3,
            "list_holdings with limit=3: page {page_number} has {} items",
            page.items.len()
        );
        walked.extend(page.items.iter().map(key));
        match page.next_page {
            Some(next) if page_number == MAX_PAGES => {
                return Err(Failure::new(format!(
                    "list_holdings with limit=3: still a next_page ({next}) after {MAX_PAGES} pages"
                )));
            }
            Some(next) => token = Some(next),
            None => break,
        }
    }
    compare_walk(
        "list_holdings with limit=3 (page_token by hand)",
        &reference,
        &walked,
    )
}

async fn history_paging(ctx: Ctx) -> Result<(), Failure> {
    let party = ctx.holder_with_one_rep().await?;
    let dest = ctx.holder_with_one_rep().await?;
    for n in 0..8 {
        ctx.issue(&party.account_id, 20, &Attrs::distinct(n))
            .await?;
    }
    for n in 0..3 {
        tick().await;
        let transfer = initiate(
            &party.rep.client,
            by_quantity(&party.account_id, &dest.account_id, "ACCU", 3 + n),
            "initiating a transfer",
        )
        .await?;
        approve(
            &party.rep.client,
            &transfer.transfer_id,
            "approving the transfer (single representative)",
        )
        .await?;
    }
    let client = &party.rep.client;
    let account_id = party.account_id.as_str();
    let big = client
        .list_transactions()
        .account_id(account_id)
        .limit(200u32)
        .send()
        .await
        .expect_ok("list_transactions with limit=200")?;
    ensure!(
        big.next_page.is_none(),
        "list_transactions with limit=200: 11 entries fit one page, but next_page is {:?}",
        big.next_page
    );
    ensure!(
        big.items.len() == 11,
        "list_transactions: expected 8 issuances and 3 transfers, got {} entries",
        big.items.len()
    );
    ensure!(
        big.items
            .windows(2)
            .all(|w| (w[0].created_at, &w[0].transaction_id)
                < (w[1].created_at, &w[1].transaction_id)),
        "list_transactions: entries are not ordered by created_at, then transaction_id"
    );
    let key = |t: &Transaction| t.transaction_id.clone();
    let reference: Vec<String> = big.items.iter().map(key).collect();

    let streamed: Vec<Transaction> = client
        .list_transactions()
        .account_id(account_id)
        .limit(3u32)
        .stream()
        .try_collect()
        .await
        .map_err(|e| Failure::from(e).context("list_transactions with limit=3 (stream)"))?;
    compare_walk(
        "list_transactions with limit=3 (stream)",
        &reference,
        &streamed.iter().map(key).collect::<Vec<_>>(),
    )?;

    let mut walked = Vec::new();
    let mut token: Option<String> = None;
    for page_number in 1..=MAX_PAGES {
        let mut request = client
            .list_transactions()
            .account_id(account_id)
            .limit(3u32);
        if let Some(token) = &token {
            request = request.page_token(token.clone());
        }
        let page = request.send().await.expect_ok(&format!(
            "list_transactions with limit=3, page {page_number}"
        ))?;
        ensure!(
            page.items.len() <= 3,
            "list_transactions with limit=3: page {page_number} has {} items",
            page.items.len()
        );
        walked.extend(page.items.iter().map(key));
        match page.next_page {
            Some(next) if page_number == MAX_PAGES => {
                return Err(Failure::new(format!(
                    "list_transactions with limit=3: still a next_page ({next}) after {MAX_PAGES} pages"
                )));
            }
            Some(next) => token = Some(next),
            None => break,
        }
    }
    compare_walk(
        "list_transactions with limit=3 (page_token by hand)",
        &reference,
        &walked,
    )
}

/// Every list: `(operationId, path, needs a token)`.
fn lists(account_id: &str) -> Vec<(&'static str, String, bool)> {
    vec![
        ("list_accounts", "/v1/accounts".to_owned(), true),
        (
            "list_holdings",
            format!("/v1/accounts/{account_id}/holdings"),
            true,
        ),
        (
            "list_transactions",
            format!("/v1/accounts/{account_id}/transactions"),
            true,
        ),
        (
            "list_accu_projects",
            "/v1/registers/accu-projects".to_owned(),
            false,
        ),
        (
            "list_carbon_abatement_contracts",
            "/v1/registers/carbon-abatement-contracts".to_owned(),
            false,
        ),
        (
            "list_guarantee_of_origin_projects",
            "/v1/registers/guarantee-of-origin-projects".to_owned(),
            false,
        ),
    ]
}

async fn bad_limits(ctx: Ctx) -> Result<(), Failure> {
    let party = ctx.holder_with_one_rep().await?;
    ctx.issue(&party.account_id, 10, &Attrs::accu()).await?;
    for (operation, path, authenticated) in lists(&party.account_id) {
        for limit in ["0", "201", "-1", "x"] {
            let mut request = ctx.raw(operation, Method::GET, &path).query("limit", limit);
            if authenticated {
                request = request.bearer(party.rep.token());
            }
            request.send().await?.expect_problem(
                &format!("GET {path}?limit={limit}"),
                400,
                ProblemKind::InvalidParameter,
            )?;
        }
        for limit in ["1", "200"] {
            let mut request = ctx.raw(operation, Method::GET, &path).query("limit", limit);
            if authenticated {
                request = request.bearer(party.rep.token());
            }
            let page = request
                .send()
                .await?
                .expect_status(&format!("GET {path}?limit={limit}"), 200)?;
            let items = page.get("items").and_then(|i| i.as_array()).map(Vec::len);
            ensure!(
                items.is_some_and(|n| n >= 1 && n <= limit.parse().unwrap_or(200)),
                "GET {path}?limit={limit}: expected between 1 and {limit} items, got {items:?}"
            );
        }
    }
    Ok(())
}

/// Walks `path` with `filter` on the first page only, as the SDK's streams do.
async fn walk_filtered_once(
    ctx: &Ctx,
    operation: &'static str,
    path: &str,
    filter: (&str, &str),
    token: Option<&str>,
) -> Result<Vec<serde_json::Value>, Failure> {
    let mut items = Vec::new();
    let mut next: Option<String> = None;
    for page_number in 1..=MAX_PAGES {
        let mut request = ctx.raw(operation, Method::GET, path).query("limit", "2");
        if let Some(token) = token {
            request = request.bearer(token);
        }
        request = match &next {
            None => request.query(filter.0, filter.1),
            Some(page_token) => request.query("page_token", page_token),
        };
        let page = request
            .send()
            .await?
            .expect_status(&format!("GET {path} page {page_number}"), 200)?;
        items.extend(page["items"].as_array().cloned().unwrap_or_default());
        match page["next_page"].as_str() {
            Some(t) => next = Some(t.to_owned()),
            None => return Ok(items),
        }
    }
    Err(Failure::new(format!(
        "GET {path}: still a next_page after {MAX_PAGES} pages"
    )))
}

async fn tokens_carry_filters(ctx: Ctx) -> Result<(), Failure> {
    let party = ctx.holder_with_one_rep().await?;
    for n in 0..3 {
        ctx.issue(&party.account_id, 10, &Attrs::distinct(n))
            .await?;
        ctx.issue(&party.account_id, 10, &Attrs::smc()).await?;
    }
    let holdings_path = format!("/v1/accounts/{}/holdings", party.account_id);
    let blocks = walk_filtered_once(
        &ctx,
        "list_holdings",
        &holdings_path,
        ("unit_type", "SMC"),
        Some(party.rep.token()),
    )
    .await?;
    let types: Vec<&str> = blocks
        .iter()
        .filter_map(|b| b["unit_type"].as_str())
        .collect();
    ensure!(
        !types.is_empty() && types.iter().all(|t| *t == "SMC"),
        "holdings walked with unit_type=SMC on the first page only: later pages must stay filtered, got unit types {types:?}"
    );

    let projects = walk_filtered_once(
        &ctx,
        "list_accu_projects",
        "/v1/registers/accu-projects",
        ("revoked", "false"),
        None,
    )
    .await?;
    let revoked = projects.iter().filter(|p| p["revoked"] != false).count();
    ensure!(
        projects.len() > 2 && revoked == 0,
        "ACCU projects walked with revoked=false on the first page only: {revoked} of {} rows were revoked",
        projects.len()
    );

    let first = ctx
        .raw(
            "list_accu_projects",
            Method::GET,
            "/v1/registers/accu-projects",
        )
        .query("revoked", "false")
        .query("limit", "2")
        .send()
        .await?
        .expect_status("GET /v1/registers/accu-projects?revoked=false&limit=2", 200)?;
    let Some(token) = first["next_page"].as_str() else {
        return Err(Failure::new("revoked=false&limit=2 returned no next_page"));
    };
    ctx.raw(
        "list_accu_projects",
        Method::GET,
        "/v1/registers/accu-projects",
    )
    .query("revoked", "true")
    .query("page_token", token)
    .send()
    .await?
    .expect_problem(
        "a page_token of a revoked=false walk sent with revoked=true",
        400,
        ProblemKind::InvalidParameter,
    )?;
    Ok(())
}

async fn bad_page_tokens(ctx: Ctx) -> Result<(), Failure> {
    let party = ctx.holder_with_one_rep().await?;
    for (operation, path, authenticated) in lists(&party.account_id) {
        for token in ["!!not-a-page-token!!", "%00%ff"] {
            let mut request = ctx
                .raw(operation, Method::GET, &path)
                .query("page_token", token);
            if authenticated {
                request = request.bearer(party.rep.token());
            }
            request.send().await?.expect_problem(
                &format!("GET {path}?page_token={token}"),
                400,
                ProblemKind::InvalidParameter,
            )?;
        }
    }
    Ok(())
}

/// Expects `400 invalid-parameter` whose `invalid_params` names `name`.
fn expect_parameter_named(
    what: &str,
    response: &crate::ctx::RawResponse,
    name: &str,
) -> Result<(), Failure> {
    let document = response.expect_problem(what, 400, ProblemKind::InvalidParameter)?;
    let named = document
        .get("invalid_params")
        .and_then(|p| p.as_array())
        .is_some_and(|p| {
            p.iter()
                .any(|e| e.get("name").and_then(|n| n.as_str()) == Some(name))
        });
    ensure!(
        named,
        "{what}: `invalid_params` does not name {name:?}: {document}"
    );
    Ok(())
}

/// Whether `value` is an RFC 3339 date-time in UTC written with `Z` (any fraction of a second).
fn is_utc_z(value: &str) -> bool {
    value.ends_with('Z') && chrono::DateTime::parse_from_rfc3339(value).is_ok()
}

/// Whether `value` is of the JSON type `json_type`.
fn has_type(value: &serde_json::Value, json_type: JsonType) -> bool {
    match json_type {
        JsonType::String => value.is_string(),
        JsonType::Integer => value.is_u64() || value.is_i64(),
        JsonType::Number => value.is_number(),
        JsonType::Boolean => value.is_boolean(),
        JsonType::Array => value.is_array(),
        JsonType::Object => value.is_object(),
    }
}

async fn list_documents(ctx: Ctx) -> Result<(), Failure> {
    let documented = schema_fields("Transaction");
    ensure!(
        documented.iter().any(|f| f.required),
        "suite: the Transaction schema has no required members to check"
    );
    let party = ctx.holder_with_one_rep().await?;
    for n in 0..4 {
        ctx.issue(&party.account_id, 3, &Attrs::distinct(n)).await?;
    }
    let path = format!("/v1/accounts/{}/transactions", party.account_id);
    let page = |token: Option<&str>| {
        let request = ctx
            .raw("list_transactions", Method::GET, &path)
            .bearer(party.rep.token())
            .query("limit", "2");
        match token {
            Some(token) => request.query("page_token", token),
            None => request,
        }
        .send()
    };
    let check_page = |what: &str, response: &crate::ctx::RawResponse| {
        let body = response.expect_status(what, 200)?;
        let content_type = response.content_type().unwrap_or_default();
        ensure!(
            content_type
                .split(';')
                .next()
                .is_some_and(|m| m.trim().eq_ignore_ascii_case("application/json")),
            "{what}: Content-Type is {content_type:?}, expected application/json (REQ-CONV-007)"
        );
        let members: Vec<&str> = body
            .as_object()
            .map(|o| o.keys().map(String::as_str).collect())
            .unwrap_or_default();
        ensure!(
            members.len() == 2 && members.contains(&"items") && members.contains(&"next_page"),
            "{what}: a list response has exactly the members items and next_page, got {members:?} (REQ-PAGING-001)"
        );
        let items = body["items"].as_array().cloned().unwrap_or_default();
        for item in &items {
            // REQ-CONV-005: every required documented member is there with its documented type.
            for field in documented.iter().filter(|f| f.required) {
                let value = &item[field.name.as_str()];
                ensure!(
                    has_type(value, field.json_type),
                    "{what}: a transaction's required member {} is {value}, expected a JSON {:?} (REQ-CONV-005)",
                    field.name,
                    field.json_type
                );
            }
            for (name, value) in item.as_object().into_iter().flatten() {
                if let Some(text) = value.as_str().filter(|_| name.ends_with("_at")) {
                    ensure!(
                        is_utc_z(text),
                        "{what}: {name} {text:?} is not an RFC 3339 date-time in UTC with Z (REQ-CONV-001)"
                    );
                }
            }
            let id = item["transaction_id"].as_str().unwrap_or_default();
            ensure!(
                id.starts_with("ISS-"),
                "{what}: an issuance's transaction_id {id:?} does not start with ISS- (REQ-CONV-004)"
            );
        }
        Ok::<_, Failure>((items, body["next_page"].clone()))
    };
    let (first, next) = check_page("list_transactions with limit=2, page 1", &page(None).await?)?;
    ensure!(
        first.len() == 2,
        "list_transactions with limit=2, page 1 of 4 issuances: {} items",
        first.len()
    );
    let token = next
        .as_str()
        .filter(|t| !t.is_empty())
        .ok_or_else(|| {
            Failure::new(format!(
                "list_transactions with limit=2, page 1 of 4: next_page must be a non-empty string, got {next} (REQ-PAGING-001)"
            ))
        })?
        .to_owned();
    let (second, last) = check_page(
        "list_transactions with limit=2, page 2",
        &page(Some(&token)).await?,
    )?;
    ensure!(
        second.len() == 2 && last.is_null(),
        "list_transactions with limit=2, page 2 of 4 issuances: expected the last 2 items with next_page null, got {} items and next_page {last} (REQ-PAGING-002)",
        second.len()
    );
    // REQ-PAGING-009: the token is still usable later, and gives the same page.
    ctx.holdings(&party.rep.client, &party.account_id).await?;
    let (again, _) = check_page(
        "list_transactions with page 2's token again",
        &page(Some(&token)).await?,
    )?;
    ensure_eq(
        "list_transactions with page 2's token again: items",
        &second,
        &again,
    )
}

/// A list request with a bad query: operation, path, query pairs, and the parameter to blame.
type QueryCase<'a> = (&'static str, &'a str, &'a [(&'a str, &'a str)], &'a str);

async fn query_parameters(ctx: Ctx) -> Result<(), Failure> {
    let party = ctx.holder_with_one_rep().await?;
    ctx.issue(&party.account_id, 10, &Attrs::accu()).await?;
    let holdings = format!("/v1/accounts/{}/holdings", party.account_id);
    let transactions = format!("/v1/accounts/{}/transactions", party.account_id);
    let cases: [QueryCase; 6] = [
        ("list_holdings", &holdings, &[("colour", "blue")], "colour"),
        (
            "list_holdings",
            &holdings,
            &[("limit", "5"), ("limit", "6")],
            "limit",
        ),
        ("list_holdings", &holdings, &[("status", "lost")], "status"),
        (
            "list_transactions",
            &transactions,
            &[("kind", "gift")],
            "kind",
        ),
        (
            "list_accu_projects",
            "/v1/registers/accu-projects",
            &[("revoked", "maybe")],
            "revoked",
        ),
        (
            "list_accu_projects",
            "/v1/registers/accu-projects",
            &[("state", "NSW"), ("state", "VIC")],
            "state",
        ),
    ];
    for (operation, path, query, named) in cases {
        let mut request = ctx
            .raw(operation, Method::GET, path)
            .bearer(party.rep.token());
        for (name, value) in query {
            request = request.query(name, value);
        }
        let shown: Vec<String> = query.iter().map(|(n, v)| format!("{n}={v}")).collect();
        expect_parameter_named(
            &format!("GET {path}?{}", shown.join("&")),
            &request.send().await?,
            named,
        )?;
    }
    // Free-text filters: an unknown value is an empty page.
    for (name, value) in [
        ("unit_type", "XQZ"),
        ("vintage", "1901-02"),
        ("project_id", "NO-SUCH-PROJECT"),
    ] {
        let what = format!("GET {holdings}?{name}={value}");
        let body = ctx
            .raw("list_holdings", Method::GET, &holdings)
            .bearer(party.rep.token())
            .query(name, value)
            .send()
            .await?
            .expect_status(&what, 200)?;
        ensure!(
            body["items"]
                .as_array()
                .is_some_and(|items| items.is_empty()),
            "{what}: an unknown free-text filter value gives an empty page, got {body} (REQ-PAGING-010)"
        );
    }
    Ok(())
}

async fn invisible_account_filter(ctx: Ctx) -> Result<(), Failure> {
    let caller = ctx.holder_with_one_rep().await?;
    let other = ctx.holder_with_one_rep().await?;
    let absent = format!("AU-9{:08}", uuid::Uuid::new_v4().as_u128() % 100_000_000);
    for (operation, path) in [
        ("list_reservations", "/v1/reservations"),
        ("list_escrows", "/v1/escrows"),
        ("list_associations", "/v1/associations"),
    ] {
        for (which, account) in [
            ("another holder's account", other.account_id.as_str()),
            ("an account that does not exist", absent.as_str()),
        ] {
            let what = format!("{operation} filtered by {which}");
            let body = ctx
                .raw(operation, Method::GET, path)
                .bearer(caller.rep.token())
                .query("account_id", account)
                .send()
                .await?
                .expect_status(&what, 200)?;
            ensure!(
                body["items"]
                    .as_array()
                    .is_some_and(|items| items.is_empty()),
                "{what}: expected an empty page, got {body} (REQ-PAGING-011)"
            );
        }
    }
    Ok(())
}
