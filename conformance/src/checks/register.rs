//! Register checks (`*-REGISTER-*`): the CER's public registers are open (no token), paged without
//! loss or repetition, filterable on every column, sortable, readable row by row and as CSV,
//! consistent with each other, and give a platform the project attributes of the units it sees.

use super::B1;
use super::REGISTERS;
use super::support::compare_walk;
use super::support::registers::{
    REGISTERS as ALL_REGISTERS, Register, compare_bound, date, describe, order, same, text,
};
use crate::assert::SdkResultExt;
use crate::assert::ensure_eq;
use crate::check::Check;
use crate::ctx::Attrs;
use crate::ctx::Ctx;
use crate::ensure;
use crate::outcome::Failure;
use futures::TryStreamExt;
use serde_json::Value;
use std::collections::BTreeMap;
use std::collections::HashSet;
use std::future::Future;
use ucr_sdk::ApiError;
use ucr_sdk::Client;
use ucr_sdk::types::AccuProject;
use ucr_sdk::types::CarbonAbatementContract;
use ucr_sdk::types::ConsentScope;
use ucr_sdk::types::ContractStatus;
use ucr_sdk::types::GoProjectStatus;
use ucr_sdk::types::GuaranteeOfOriginProject;

pub(super) const CHECKS: &[Check] = &[
    check! {
        id: "A1-REGISTER-001",
        model: A1,
        seed: REGISTERS,
        operations: ["list_accu_projects"],
        description: "The ACCU project register, without a token, walked with small pages equals the big pages: no duplicates, none missing",
        run: accu_paging,
        cites: ["REQ-AUTH-006", "REQ-PAGING-005"],
    },
    check! {
        id: "A1-REGISTER-002",
        model: A1,
        seed: REGISTERS,
        operations: ["list_accu_projects"],
        description: "ACCU project filters (state, method_type, revoked, proponent substring, combined) return exactly the matching rows",
        run: accu_filters,
        cites: ["REQ-REGISTER-001", "REQ-REGISTER-002"],
    },
    check! {
        id: "A1-REGISTER-003",
        model: A1,
        seed: REGISTERS,
        operations: ["list_carbon_abatement_contracts"],
        description: "The Carbon Abatement Contract register, without a token, walked with small pages equals the big pages",
        run: cac_paging,
        cites: ["REQ-AUTH-006", "REQ-PAGING-005"],
    },
    check! {
        id: "A1-REGISTER-004",
        model: A1,
        seed: REGISTERS,
        operations: ["list_carbon_abatement_contracts"],
        description: "CAC filters (status, project_ids membership, contractor substring, delivery_obligation) return exactly the matching rows",
        run: cac_filters,
        cites: ["REQ-REGISTER-001", "REQ-REGISTER-002"],
    },
    check! {
        id: "A1-REGISTER-005",
        model: A1,
        seed: REGISTERS,
        operations: ["list_guarantee_of_origin_projects"],
        description: "The Guarantee of Origin register, without a token, walked with small pages equals the big pages",
        run: go_paging,
        cites: ["REQ-AUTH-006", "REQ-PAGING-005"],
    },
    check! {
        id: "A1-REGISTER-006",
        model: A1,
        seed: REGISTERS,
        operations: ["list_guarantee_of_origin_projects"],
        description: "GO filters (state, energy_source, status, profile_type) return exactly the matching rows",
        run: go_filters,
        cites: ["REQ-REGISTER-001"],
    },
    check! {
        id: "A1-REGISTER-007",
        model: A1,
        seed: REGISTERS,
        operations: ["list_carbon_abatement_contracts", "list_accu_projects"],
        description: "Every Carbon Abatement Contract lists one or more projects, each in the ACCU project register",
        run: cac_projects_exist,
        cites: ["REQ-REGISTER-004"],
    },
    check! {
        id: "A1-REGISTER-008",
        model: A1,
        seed: REGISTERS,
        operations: ["list_accu_projects", "list_carbon_abatement_contracts"],
        description: "Every ACCU project's contract_id names a Carbon Abatement Contract for that project",
        run: accu_contracts_exist,
        cites: ["REQ-REGISTER-004"],
    },
    check! {
        id: "A1-REGISTER-009",
        model: A1,
        seed: REGISTERS,
        operations: ["list_accu_projects", "list_carbon_abatement_contracts", "list_guarantee_of_origin_projects"],
        description: "Register identifiers have their documented formats (project IDs of letters then digits, CAC-####, GO-#####) and deliveries never exceed commitments",
        run: register_formats,
        cites: ["REQ-REGISTER-003", "REQ-REGISTER-005"],
    },
    check! {
        id: "A1-REGISTER-010",
        model: A1,
        seed: REGISTERS,
        operations: ["list_accu_projects", "get_accu_project", "list_carbon_abatement_contracts", "get_carbon_abatement_contract", "list_guarantee_of_origin_projects", "get_guarantee_of_origin_project"],
        description: "Each register's row by ID equals the list's row (first, middle, last), and an ID not on the register is 404 not-found",
        run: rows_by_id,
        cites: ["REQ-REGISTER-006"],
    },
    check! {
        id: "A1-REGISTER-011",
        model: A1,
        seed: REGISTERS,
        operations: ["list_accu_projects", "list_carbon_abatement_contracts", "list_guarantee_of_origin_projects"],
        description: "Every column of every register filters by exact match (lists by membership), and every number and date column by inclusive _from/_to bounds",
        run: every_column_filters,
        cites: ["REQ-REGISTER-001", "REQ-REGISTER-007"],
    },
    check! {
        id: "A1-REGISTER-012",
        model: A1,
        seed: REGISTERS,
        operations: ["list_accu_projects", "list_carbon_abatement_contracts", "list_guarantee_of_origin_projects"],
        description: "Sorted registers (strings with ties, numbers, dates with absent values, booleans; both directions) walked with small pages serve every row once, ties by ID",
        run: sorted_walks,
        cites: ["REQ-REGISTER-008"],
    },
    check! {
        id: "A1-REGISTER-013",
        model: A1,
        seed: REGISTERS,
        operations: ["list_accu_projects", "list_carbon_abatement_contracts", "list_guarantee_of_origin_projects"],
        description: "Each register's CSV download (filtered, sorted, limit ignored) parses as RFC 4180 with CRLF, a header of the schema's fields and the JSON rows' values",
        run: csv_downloads,
        cites: ["REQ-REGISTER-009"],
    },
    check! {
        id: "B1-REGISTER-001",
        model: B1,
        seed: B1,
        operations: ["list_holdings", "list_accu_projects", "get_accu_project"],
        description: "A platform finds the project attributes of the units it sees in the public ACCU project register, by the units' project ID",
        run: platform_reads_project_attributes,
        cites: ["REQ-AUTH-006", "REQ-SCOPE-003", "REQ-REGISTER-006"],
    },
];

/// Walks a filtered list with limit=200, repeating the filters with every `page_token`.
///
/// (The generated SDK's `stream()` sends only `page_token` after the first page, dropshot-style;
/// whether the token must carry the filters is not settled by the API description, so the suite
/// sends both, which every reading accepts.)
macro_rules! filtered {
    ($what:expr, $request:expr) => {
        by_hand!($what, 200u32, $request)
    };
}

/// Walks `$request` by hand with `limit=$limit` (a `u32`), sending the request's filters with
/// every `page_token`.
macro_rules! by_hand {
    ($what:expr, $limit:expr, $request:expr) => {
        walk(&$what, $limit, |token| {
            let request = $request.limit($limit);
            let request = match token {
                Some(token) => request.page_token(token),
                None => request,
            };
            async move {
                request
                    .send()
                    .await
                    .map(|r| r.into_inner())
                    .map(|p| (p.items, p.next_page))
            }
        })
    };
}

/// Every row of a register list in big pages (`limit=200`), by `stream()`.
macro_rules! big_pages {
    ($client:expr, $operation:ident) => {
        $client
            .$operation()
            .limit(200u32)
            .stream()
            .try_collect()
            .await
            .map_err(|e| {
                Failure::from(e).context(concat!(
                    stringify!($operation),
                    " with limit=200, without a token"
                ))
            })
    };
}

/// A register list's paging check: the big pages hold rows in ascending key order (`$key`), and a
/// stream walk with `limit=$stream` and a by-hand walk with `limit=$hand` give the same rows in
/// the same order.
macro_rules! paging {
    ($ctx:expr, $register:literal, $all:ident, $operation:ident, $key:expr, $stream:expr, $hand:expr) => {{
        let client = $ctx.anonymous();
        let all = $all(&client).await?;
        require_rows($register, &all)?;
        let key = $key;
        let keys: Vec<String> = all.iter().map(key).collect();
        let operation = stringify!($operation);
        ascending(operation, &keys)?;
        let stream_limit: u32 = $stream;
        let streamed: Vec<_> = client
            .$operation()
            .limit(stream_limit)
            .stream()
            .try_collect()
            .await
            .map_err(|e| {
                Failure::from(e).context(format!("{operation} with limit={stream_limit} (stream)"))
            })?;
        let hand_limit: u32 = $hand;
        let walked = by_hand!(
            format!("{operation} with limit={hand_limit} (page_token by hand)"),
            hand_limit,
            client.$operation()
        )
        .await?;
        compare_walks(
            operation,
            &all,
            &keys,
            (stream_limit, &streamed),
            (hand_limit, &walked),
            key,
        )
    }};
}

/// Most pages a walk may take.
const MAX_PAGES: usize = 2000;

/// Walks a list by hand: `fetch(token)` returns one page; checks each page's size against `limit`.
async fn walk<T, F, Fut>(what: &str, limit: u32, fetch: F) -> Result<Vec<T>, Failure>
where
    F: Fn(Option<String>) -> Fut,
    Fut: Future<Output = Result<(Vec<T>, Option<String>), ApiError>>,
{
    let mut items = Vec::new();
    let mut token = None;
    for page_number in 1..=MAX_PAGES {
        let (page, next) = fetch(token.take())
            .await
            .map_err(|e| Failure::from(e).context(format!("{what}, page {page_number}")))?;
        ensure!(
            page.len() <= limit as usize,
            "{what}: page {page_number} has {} items, more than limit={limit}",
            page.len()
        );
        items.extend(page);
        match next {
            Some(next) => token = Some(next),
            None => return Ok(items),
        }
    }
    Err(Failure::new(format!(
        "{what}: still a next_page after {MAX_PAGES} pages"
    )))
}

/// Compares a stream walk and a by-hand walk of `operation` with the big pages (`all`, keyed
/// `keys`): no item repeated or lost, same order, same rows.
fn compare_walks<T: PartialEq>(
    operation: &str,
    all: &[T],
    keys: &[String],
    (stream_limit, streamed): (u32, &[T]),
    (walk_limit, walked): (u32, &[T]),
    key: impl Fn(&T) -> String,
) -> Result<(), Failure> {
    let stream_what = format!("{operation} with limit={stream_limit} (stream)");
    compare_walk(
        &stream_what,
        keys,
        &streamed.iter().map(&key).collect::<Vec<_>>(),
    )?;
    ensure!(
        streamed == all,
        "{operation} with limit={stream_limit}: rows differ from the big pages' rows with the same IDs"
    );
    compare_walk(
        &format!("{operation} with limit={walk_limit} (page_token by hand)"),
        keys,
        &walked.iter().map(&key).collect::<Vec<_>>(),
    )
}

async fn all_accu(client: &Client) -> Result<Vec<AccuProject>, Failure> {
    big_pages!(client, list_accu_projects)
}

async fn all_cac(client: &Client) -> Result<Vec<CarbonAbatementContract>, Failure> {
    big_pages!(client, list_carbon_abatement_contracts)
}

async fn all_go(client: &Client) -> Result<Vec<GuaranteeOfOriginProject>, Failure> {
    big_pages!(client, list_guarantee_of_origin_projects)
}

fn require_rows<T>(register: &str, rows: &[T]) -> Result<(), Failure> {
    if rows.is_empty() {
        return Err(Failure::skipped(format!(
            "the {register} register is empty; there is nothing to check"
        )));
    }
    Ok(())
}

/// Checks keys are strictly ascending (the register's documented order, no duplicates).
fn ascending(what: &str, keys: &[String]) -> Result<(), Failure> {
    if let Some(w) = keys.windows(2).find(|w| w[0] >= w[1]) {
        return Err(Failure::new(format!(
            "{what}: rows are not in ascending key order without duplicates: {:?} then {:?}",
            w[0], w[1]
        )));
    }
    Ok(())
}

/// Compares a filtered list with the full list restricted, by key.
fn compare_filter<T>(
    what: &str,
    all: &[T],
    key: impl Fn(&T) -> String,
    keep: impl Fn(&T) -> bool,
    got: &[T],
) -> Result<(), Failure> {
    let expected: Vec<String> = all.iter().filter(|r| keep(r)).map(&key).collect();
    let got_keys: Vec<String> = got.iter().map(&key).collect();
    let unexpected: Vec<&String> = got_keys.iter().filter(|k| !expected.contains(k)).collect();
    if !unexpected.is_empty() {
        return Err(Failure::new(format!(
            "{what}: rows that do not match the filter: {unexpected:?}"
        )));
    }
    let missing: Vec<&String> = expected.iter().filter(|k| !got_keys.contains(k)).collect();
    if !missing.is_empty() {
        return Err(Failure::new(format!(
            "{what}: matching rows missing: {missing:?}"
        )));
    }
    if expected != got_keys {
        return Err(Failure::new(format!(
            "{what}: matching rows in another order or repeated: {got_keys:?}"
        )));
    }
    Ok(())
}

/// A case-changed substring of `text` from its middle, at least 3 characters when possible.
fn substring_of(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let len = chars.len().clamp(1, 5);
    let start = chars.len().saturating_sub(len) / 2;
    let part: String = chars.iter().skip(start).take(len).collect();
    let swapped: String = part
        .chars()
        .map(|c| {
            if c.is_lowercase() {
                c.to_uppercase().next().unwrap_or(c)
            } else {
                c.to_lowercase().next().unwrap_or(c)
            }
        })
        .collect();
    swapped
}

fn contains_ci(haystack: &str, needle: &str) -> bool {
    haystack.to_lowercase().contains(&needle.to_lowercase())
}

async fn accu_paging(ctx: Ctx) -> Result<(), Failure> {
    paging!(
        ctx,
        "ACCU project",
        all_accu,
        list_accu_projects,
        |p: &AccuProject| p.project_id.clone(),
        7u32,
        13u32
    )
}

async fn accu_filters(ctx: Ctx) -> Result<(), Failure> {
    let client = ctx.anonymous();
    let all = all_accu(&client).await?;
    require_rows("ACCU project", &all)?;
    let key = |p: &AccuProject| p.project_id.clone();
    let pick = |n: usize| &all[(all.len() * n / 4).min(all.len() - 1)];

    let state = pick(2).state.clone();
    let got = filtered!(
        format!("list_accu_projects state={state}"),
        client.list_accu_projects().state(state.clone())
    )
    .await?;
    compare_filter(
        &format!("list_accu_projects state={state}"),
        &all,
        key,
        |p| p.state == state,
        &got,
    )?;

    let method_type = pick(1).method_type.clone();
    let got = filtered!(
        format!("list_accu_projects method_type={method_type}"),
        client.list_accu_projects().method_type(method_type.clone())
    )
    .await?;
    compare_filter(
        &format!("list_accu_projects method_type={method_type:?}"),
        &all,
        key,
        |p| p.method_type == method_type,
        &got,
    )?;

    for revoked in [true, false] {
        let got = filtered!(
            format!("list_accu_projects revoked={revoked}"),
            client.list_accu_projects().revoked(revoked)
        )
        .await?;
        compare_filter(
            &format!("list_accu_projects revoked={revoked}"),
            &all,
            key,
            |p| p.revoked == revoked,
            &got,
        )?;
    }

    let proponent = substring_of(&pick(3).project_proponent);
    let got = filtered!(
        format!("list_accu_projects proponent={proponent}"),
        client.list_accu_projects().proponent(proponent.clone())
    )
    .await?;
    compare_filter(
        &format!("list_accu_projects proponent={proponent:?} (case-insensitive substring)"),
        &all,
        key,
        |p| contains_ci(&p.project_proponent, &proponent),
        &got,
    )?;

    let got = filtered!(
        format!("list_accu_projects state={state}&revoked=false"),
        client
            .list_accu_projects()
            .state(state.clone())
            .revoked(false)
    )
    .await?;
    compare_filter(
        &format!("list_accu_projects state={state}&revoked=false (filters combine with AND)"),
        &all,
        key,
        |p| p.state == state && !p.revoked,
        &got,
    )?;

    let got = filtered!(
        "list_accu_projects state=ZZZ",
        client.list_accu_projects().state("ZZZ")
    )
    .await?;
    ensure!(
        got.is_empty(),
        "list_accu_projects state=ZZZ (no such state): expected no rows, got {}",
        got.len()
    );
    Ok(())
}

async fn cac_paging(ctx: Ctx) -> Result<(), Failure> {
    paging!(
        ctx,
        "Carbon Abatement Contract",
        all_cac,
        list_carbon_abatement_contracts,
        |c: &CarbonAbatementContract| c.contract_id.clone(),
        5u32,
        9u32
    )
}

async fn cac_filters(ctx: Ctx) -> Result<(), Failure> {
    let client = ctx.anonymous();
    let all = all_cac(&client).await?;
    require_rows("Carbon Abatement Contract", &all)?;
    let key = |c: &CarbonAbatementContract| c.contract_id.clone();
    for status in [
        ContractStatus::Active,
        ContractStatus::Completed,
        ContractStatus::Terminated,
    ] {
        let got = filtered!(
            format!("status={status}"),
            client.list_carbon_abatement_contracts().status(status)
        )
        .await?;
        compare_filter(
            &format!("list_carbon_abatement_contracts status={status}"),
            &all,
            key,
            |c| c.status == status,
            &got,
        )?;
    }
    let project = all[all.len() / 2]
        .project_ids
        .last()
        .cloned()
        .unwrap_or_default();
    let got = filtered!(
        format!("project_ids={project}"),
        client
            .list_carbon_abatement_contracts()
            .project_ids(project.clone())
    )
    .await?;
    compare_filter(
        &format!("list_carbon_abatement_contracts project_ids={project}"),
        &all,
        key,
        |c| c.project_ids.contains(&project),
        &got,
    )?;

    let contractor = substring_of(&all[all.len() / 3].contractor_name);
    let got = filtered!(
        format!("contractor={contractor}"),
        client
            .list_carbon_abatement_contracts()
            .contractor(contractor.clone())
    )
    .await?;
    compare_filter(
        &format!(
            "list_carbon_abatement_contracts contractor={contractor:?} (case-insensitive substring)"
        ),
        &all,
        key,
        |c| contains_ci(&c.contractor_name, &contractor),
        &got,
    )?;

    let obligation = all[0].delivery_obligation.clone();
    let got = filtered!(
        format!("delivery_obligation={obligation}"),
        client
            .list_carbon_abatement_contracts()
            .delivery_obligation(obligation.clone())
    )
    .await?;
    compare_filter(
        &format!("list_carbon_abatement_contracts delivery_obligation={obligation:?}"),
        &all,
        key,
        |c| c.delivery_obligation == obligation,
        &got,
    )
}

async fn go_paging(ctx: Ctx) -> Result<(), Failure> {
    paging!(
        ctx,
        "Guarantee of Origin",
        all_go,
        list_guarantee_of_origin_projects,
        |g: &GuaranteeOfOriginProject| g.profile_id.clone(),
        6u32,
        11u32
    )
}

async fn go_filters(ctx: Ctx) -> Result<(), Failure> {
    let client = ctx.anonymous();
    let all = all_go(&client).await?;
    require_rows("Guarantee of Origin", &all)?;
    let key = |g: &GuaranteeOfOriginProject| g.profile_id.clone();
    let state = all[all.len() / 2].state.clone();
    let got = filtered!(
        format!("state={state}"),
        client
            .list_guarantee_of_origin_projects()
            .state(state.clone())
    )
    .await?;
    compare_filter(
        &format!("list_guarantee_of_origin_projects state={state}"),
        &all,
        key,
        |g| g.state == state,
        &got,
    )?;

    let source = all[all.len() / 3].energy_source.clone();
    let got = filtered!(
        format!("energy_source={source}"),
        client
            .list_guarantee_of_origin_projects()
            .energy_source(source.clone())
    )
    .await?;
    compare_filter(
        &format!("list_guarantee_of_origin_projects energy_source={source:?}"),
        &all,
        key,
        |g| g.energy_source == source,
        &got,
    )?;

    for status in [
        GoProjectStatus::Registered,
        GoProjectStatus::Suspended,
        GoProjectStatus::Deregistered,
    ] {
        let got = filtered!(
            format!("status={status}"),
            client.list_guarantee_of_origin_projects().status(status)
        )
        .await?;
        compare_filter(
            &format!("list_guarantee_of_origin_projects status={status}"),
            &all,
            key,
            |g| g.status == status,
            &got,
        )?;
    }

    let profile_type = all[0].profile_type.clone();
    let got = filtered!(
        format!("profile_type={profile_type}"),
        client
            .list_guarantee_of_origin_projects()
            .profile_type(profile_type.clone())
    )
    .await?;
    compare_filter(
        &format!("list_guarantee_of_origin_projects profile_type={profile_type:?}"),
        &all,
        key,
        |g| g.profile_type == profile_type,
        &got,
    )
}

async fn cac_projects_exist(ctx: Ctx) -> Result<(), Failure> {
    let client = ctx.anonymous();
    let contracts = all_cac(&client).await?;
    require_rows("Carbon Abatement Contract", &contracts)?;
    let projects: HashSet<String> = all_accu(&client)
        .await?
        .into_iter()
        .map(|p| p.project_id)
        .collect();
    let empty: Vec<&str> = contracts
        .iter()
        .filter(|c| c.project_ids.is_empty())
        .map(|c| c.contract_id.as_str())
        .collect();
    ensure!(
        empty.is_empty(),
        "contracts that list no project: {empty:?}"
    );
    let dangling: Vec<String> = contracts
        .iter()
        .flat_map(|c| c.project_ids.iter().map(move |p| (c, p)))
        .filter(|(_, p)| !projects.contains(*p))
        .map(|(c, p)| format!("{} → {p}", c.contract_id))
        .collect();
    ensure!(
        dangling.is_empty(),
        "contracts whose project_ids name a project not in the ACCU project register: {dangling:?}"
    );
    Ok(())
}

async fn accu_contracts_exist(ctx: Ctx) -> Result<(), Failure> {
    let client = ctx.anonymous();
    let projects = all_accu(&client).await?;
    require_rows("ACCU project", &projects)?;
    let contracts: BTreeMap<String, Vec<String>> = all_cac(&client)
        .await?
        .into_iter()
        .map(|c| (c.contract_id, c.project_ids))
        .collect();
    let mut problems = Vec::new();
    for project in &projects {
        if let Some(contract_id) = &project.contract_id {
            match contracts.get(contract_id) {
                None => problems.push(format!(
                    "{} names {contract_id}, which is not in the CAC register",
                    project.project_id
                )),
                Some(for_projects) if !for_projects.contains(&project.project_id) => {
                    problems.push(format!(
                        "{} names {contract_id}, which is a contract for {for_projects:?}",
                        project.project_id
                    ))
                }
                Some(_) => {}
            }
        }
    }
    ensure!(
        problems.is_empty(),
        "ACCU projects with a contract_id that does not match the CAC register: {problems:?}"
    );
    Ok(())
}

/// `REQ-REGISTER-005`'s project ID: one to twenty upper-case ASCII letters and digits, starting
/// with a letter.
fn is_project_id(id: &str) -> bool {
    (1..=20).contains(&id.len())
        && id.bytes().next().is_some_and(|b| b.is_ascii_uppercase())
        && id
            .bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
}

fn has_format(id: &str, prefix: &str, digits: usize) -> bool {
    id.strip_prefix(prefix)
        .is_some_and(|rest| rest.len() == digits && rest.bytes().all(|b| b.is_ascii_digit()))
}

async fn register_formats(ctx: Ctx) -> Result<(), Failure> {
    let client = ctx.anonymous();
    let projects = all_accu(&client).await?;
    let contracts = all_cac(&client).await?;
    let profiles = all_go(&client).await?;
    let bad: Vec<&str> = projects
        .iter()
        .map(|p| p.project_id.as_str())
        .filter(|id| !is_project_id(id))
        .collect();
    ensure!(
        bad.is_empty(),
        "ACCU project IDs that are not one to twenty upper-case letters and digits starting with a letter: {bad:?}"
    );
    let bad: Vec<&str> = contracts
        .iter()
        .map(|c| c.contract_id.as_str())
        .filter(|id| !has_format(id, "CAC-", 4))
        .collect();
    ensure!(
        bad.is_empty(),
        "contract IDs that are not `CAC-` and four digits: {bad:?}"
    );
    let bad: Vec<&str> = profiles
        .iter()
        .map(|g| g.profile_id.as_str())
        .filter(|id| !has_format(id, "GO-", 5))
        .collect();
    ensure!(
        bad.is_empty(),
        "Guarantee of Origin profile IDs that are not `GO-` and five digits: {bad:?}"
    );
    let over: Vec<String> = contracts
        .iter()
        .filter(|c| c.volume_delivered > c.volume_committed)
        .map(|c| {
            format!(
                "{} ({} delivered of {} committed)",
                c.contract_id, c.volume_delivered, c.volume_committed
            )
        })
        .collect();
    ensure!(
        over.is_empty(),
        "contracts that delivered more than they committed: {over:?}"
    );
    Ok(())
}

async fn platform_reads_project_attributes(ctx: Ctx) -> Result<(), Failure> {
    let first_page = ctx
        .anonymous()
        .list_accu_projects()
        .revoked(false)
        .limit(20u32)
        .send()
        .await
        .expect_ok("list_accu_projects (public)")?;
    let project = first_page.items.last().cloned().ok_or_else(|| {
        Failure::skipped("the ACCU project register has no current project to issue units of")
    })?;
    let seller = ctx.holder_with_one_rep().await?;
    let attrs = Attrs {
        method: Some(project.method.clone()),
        ..Attrs::accu()
            .project(&project.project_id)
            .state(&project.state)
    };
    ctx.issue(&seller.account_id, 15, &attrs).await?;
    let platform = ctx.trading_platform().await?;
    ctx.grant(
        &seller.rep,
        &seller.account_id,
        &platform,
        &[ConsentScope::HoldingsRead],
    )
    .await?;
    let blocks = ctx.holdings(&platform.client, &seller.account_id).await?;
    let project_id = blocks
        .first()
        .and_then(|b| b.project_id.clone())
        .ok_or_else(|| {
            Failure::new("list_holdings by the platform: no ACCU block with a project_id")
        })?;
    // The platform looks the units' project up in the public register by ID (no token).
    let row = ctx
        .anonymous()
        .get_accu_project()
        .project_id(&project_id)
        .send()
        .await
        .expect_ok(&format!(
            "get_accu_project {project_id}, the project of the units the platform sees"
        ))?;
    ensure_eq("the register's row for the units' project", &project, &row)?;
    ensure_eq(
        "the units' method and the register's",
        Some(row.method.as_str()),
        blocks[0].method.as_deref(),
    )
}

/// Every row of `register` in its default order (limit 200).
async fn all_rows(ctx: &Ctx, register: &Register) -> Result<Vec<Value>, Failure> {
    let rows = register.walk(ctx, &[], 200).await?;
    require_rows(register.list, &rows)?;
    Ok(rows)
}

async fn rows_by_id(ctx: Ctx) -> Result<(), Failure> {
    for register in &ALL_REGISTERS {
        let rows = all_rows(&ctx, register).await?;
        for row in [&rows[0], &rows[rows.len() / 2], &rows[rows.len() - 1]] {
            let id = register.id_of(row);
            let what = format!("{} {id}", register.get);
            let got = ctx
                .raw(
                    register.get,
                    reqwest::Method::GET,
                    &format!("{}/{id}", register.path),
                )
                .send()
                .await?
                .expect_status(&what, 200)?;
            ensure_eq(&format!("{what} and the list's row"), row, &got)?;
        }
        // Just after the first ID in order, so no row has it but rows follow it.
        let unknown = format!("{}0", register.id_of(&rows[0]));
        ensure!(
            rows.iter().all(|r| register.id_of(r) != unknown),
            "{}: the register has a row {unknown}; cannot make an unknown ID",
            register.list
        );
        ctx.raw(
            register.get,
            reqwest::Method::GET,
            &format!("{}/{unknown}", register.path),
        )
        .send()
        .await?
        .expect_problem(
            &format!("{} {unknown} (not on the register)", register.get),
            404,
            ucr_sdk::ProblemKind::NotFound,
        )
        .map_err(|f| f.violates("REQ-REGISTER-006"))?;
    }
    Ok(())
}

/// Walks `params` and compares the IDs with those of `all` that `keep` selects, in order.
async fn expect_filter(
    ctx: &Ctx,
    register: &Register,
    all: &[Value],
    params: Vec<(String, String)>,
    keep: impl Fn(&Value) -> bool,
) -> Result<(), Failure> {
    let got = register.walk(ctx, &params, 200).await?;
    let expected: Vec<String> = all
        .iter()
        .filter(|r| keep(r))
        .map(|r| register.id_of(r))
        .collect();
    let got: Vec<String> = got.iter().map(|r| register.id_of(r)).collect();
    compare_walk(
        &format!("{} {}", register.list, describe(&params)),
        &expected,
        &got,
    )
    .map_err(|f| f.violates("REQ-REGISTER-007"))
}

async fn every_column_filters(ctx: Ctx) -> Result<(), Failure> {
    for register in &ALL_REGISTERS {
        let all = all_rows(&ctx, register).await?;
        for column in register.columns() {
            let present: Vec<&Value> = all
                .iter()
                .filter_map(|r| r.get(&column))
                .filter(|v| !v.is_null() && v.as_array().is_none_or(|a| !a.is_empty()))
                .collect();
            let Some(sample) = present.get(present.len() / 2).copied() else {
                continue;
            };
            let wanted = match sample {
                Value::Array(items) => text(&items[items.len() - 1]),
                other => text(other),
            };
            let cell = |r: &Value| r.get(&column).cloned().unwrap_or(Value::Null);
            expect_filter(
                &ctx,
                register,
                &all,
                vec![(column.clone(), wanted.clone())],
                |r| same(&cell(r), &wanted),
            )
            .await?;
            let ranged = sample.is_number() || sample.as_str().and_then(date).is_some();
            if !ranged {
                continue;
            }
            let mut sorted = present.clone();
            sorted.sort_by(|a, b| order(Some(a), Some(b)));
            let low = text(sorted[sorted.len() / 3]);
            let high = text(sorted[sorted.len() * 2 / 3]);
            let from = format!("{column}_from");
            let to = format!("{column}_to");
            expect_filter(
                &ctx,
                register,
                &all,
                vec![(from.clone(), low.clone()), (to.clone(), high.clone())],
                |r| {
                    compare_bound(&cell(r), &low).is_some_and(|o| o.is_ge())
                        && compare_bound(&cell(r), &high).is_some_and(|o| o.is_le())
                },
            )
            .await?;
            expect_filter(&ctx, register, &all, vec![(to, low.clone())], |r| {
                compare_bound(&cell(r), &low).is_some_and(|o| o.is_le())
            })
            .await?;
        }
    }
    Ok(())
}

/// The sorts walked per register: a string with many ties, a number or date, one with absent
/// values where the register has them, a boolean; in both directions.
const SORTS: [&[&str]; 3] = [
    &[
        "state",
        "-accus_total_units_issued",
        "crediting_period_start",
        "-permanence_period_years",
        "-revoked",
    ],
    &["status", "-auction_date", "volume_delivered"],
    &[
        "-product_type",
        "nameplate_capacity_mw",
        "registration_date",
    ],
];

async fn sorted_walks(ctx: Ctx) -> Result<(), Failure> {
    for (register, sorts) in ALL_REGISTERS.iter().zip(SORTS) {
        let all = all_rows(&ctx, register).await?;
        for sort in sorts {
            let (field, descending) = match sort.strip_prefix('-') {
                Some(field) => (field, true),
                None => (*sort, false),
            };
            let mut expected = all.clone();
            expected.sort_by(|a, b| {
                let by_value = order(a.get(field), b.get(field));
                let by_value = if descending {
                    by_value.reverse()
                } else {
                    by_value
                };
                by_value.then_with(|| register.id_of(a).cmp(&register.id_of(b)))
            });
            let expected: Vec<String> = expected.iter().map(|r| register.id_of(r)).collect();
            let params = vec![("sort".to_owned(), (*sort).to_owned())];
            let got = register.walk(&ctx, &params, 9).await?;
            let got: Vec<String> = got.iter().map(|r| register.id_of(r)).collect();
            compare_walk(
                &format!("{} sort={sort} with limit=9", register.list),
                &expected,
                &got,
            )
            .map_err(|f| f.violates("REQ-REGISTER-008"))?;
        }
    }
    Ok(())
}

/// A filter and a sort per register for its CSV download.
const CSV_QUERIES: [(&str, &str, &str); 3] = [
    ("revoked", "false", "-date_registered"),
    ("status", "active", "-volume_committed"),
    ("status", "registered", "energy_source"),
];

/// Whether every line of `body` outside quoted fields ends with CRLF, the last included.
fn crlf_only(body: &str) -> bool {
    let mut quoted = false;
    let mut previous = '\0';
    for c in body.chars() {
        match c {
            '"' => quoted = !quoted,
            '\n' if !quoted && previous != '\r' => return false,
            _ => {}
        }
        previous = c;
    }
    body.ends_with("\r\n")
}

async fn csv_downloads(ctx: Ctx) -> Result<(), Failure> {
    for (register, (filter, value, sort)) in ALL_REGISTERS.iter().zip(CSV_QUERIES) {
        let params = vec![
            (filter.to_owned(), value.to_owned()),
            ("sort".to_owned(), sort.to_owned()),
        ];
        let rows = register.walk(&ctx, &params, 200).await?;
        require_rows(register.list, &rows)?;
        let what = format!(
            "{} {}&limit=5 with Accept: text/csv",
            register.list,
            describe(&params)
        );
        let response = ctx
            .raw(register.list, reqwest::Method::GET, register.path)
            .header("accept", "text/csv")
            .query(filter, value)
            .query("sort", sort)
            .query("limit", "5")
            .send()
            .await?;
        let violates = |f: Failure| f.violates("REQ-REGISTER-009");
        ensure!(
            response.status == 200,
            "{what}: expected HTTP 200, got {}",
            response.status
        );
        let content_type = response.content_type().unwrap_or_default().to_lowercase();
        ensure!(
            content_type.starts_with("text/csv")
                && content_type.replace(' ', "").contains("charset=utf-8"),
            "{what}: Content-Type is {content_type:?}, not text/csv; charset=utf-8"
        );
        let body = std::str::from_utf8(&response.body)
            .map_err(|e| Failure::new(format!("{what}: the CSV is not UTF-8: {e}")))?;
        ensure!(
            crlf_only(body),
            "{what}: lines do not all end with CRLF (RFC 4180)"
        );
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(true)
            .flexible(false)
            .from_reader(body.as_bytes());
        let header: Vec<String> = reader
            .headers()
            .map_err(|e| violates(Failure::new(format!("{what}: no CSV header row: {e}"))))?
            .iter()
            .map(str::to_owned)
            .collect();
        ensure_eq(
            &format!("{what}: the header row and the schema's fields"),
            &register.columns(),
            &header,
        )
        .map_err(violates)?;
        let mut records = Vec::new();
        for (n, record) in reader.records().enumerate() {
            let record = record.map_err(|e| {
                violates(Failure::new(format!(
                    "{what}: record {} does not parse as RFC 4180: {e}",
                    n + 1
                )))
            })?;
            records.push(record.iter().map(str::to_owned).collect::<Vec<_>>());
        }
        let expected: Vec<Vec<String>> = rows
            .iter()
            .map(|row| {
                header
                    .iter()
                    .map(|column| match row.get(column) {
                        None | Some(Value::Null) => String::new(),
                        Some(Value::Array(items)) => {
                            items.iter().map(text).collect::<Vec<_>>().join(";")
                        }
                        Some(cell) => text(cell),
                    })
                    .collect()
            })
            .collect();
        ensure!(
            records.len() == expected.len(),
            "{what}: {} records, but the JSON list has {} matching rows (the CSV holds every one, whatever limit says)",
            records.len(),
            expected.len()
        );
        for (n, (got, want)) in records.iter().zip(&expected).enumerate() {
            ensure_eq(
                &format!("{what}: record {} and the JSON list's row {}", n + 1, n + 1),
                want,
                got,
            )
            .map_err(violates)?;
        }
    }
    Ok(())
}
