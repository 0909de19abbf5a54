//! Cursor paging of account lists: integrity across pages and refusal of bad parameters.

use futures::TryStreamExt;
use reqwest::Method;
use ucr_sdk::ProblemKind;
use ucr_sdk::types::{Transaction, UnitBlock};

use super::READ;
use super::support::compare_walk;
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
    ensure!(
        big.items.len() == 13,
        "list_holdings with limit=200: expected the 13 issued blocks, got {}",
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
