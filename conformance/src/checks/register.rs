//! Register checks (`*-REGISTER-*`): the CER's public registers are open (no token), paged without
//! loss or repetition, filterable, consistent with each other, and give a platform the project
//! attributes of the units it sees.

use super::B1;
use super::REGISTERS;
use super::support::compare_walk;
use crate::assert::SdkResultExt;
use crate::assert::ensure_eq;
use crate::check::Check;
use crate::ctx::Attrs;
use crate::ctx::Ctx;
use crate::ensure;
use crate::outcome::Failure;
use futures::TryStreamExt;
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
        description: "CAC filters (status, project_id, contractor substring, delivery_obligation) return exactly the matching rows",
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
        description: "Every Carbon Abatement Contract's project_id exists in the ACCU project register",
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
        description: "Register identifiers have their documented formats (ERF######, CAC-####, GO-#####) and deliveries never exceed commitments",
        run: register_formats,
        cites: ["REQ-REGISTER-003", "REQ-REGISTER-005"],
    },
    check! {
        id: "B1-REGISTER-001",
        model: B1,
        seed: B1,
        operations: ["list_holdings", "list_accu_projects"],
        description: "A platform finds the project attributes of the units it sees in the public ACCU project register",
        run: platform_reads_project_attributes,
        cites: ["REQ-AUTH-006", "REQ-SCOPE-003"],
    },
];

/// Walks a filtered list with limit=200, repeating the filters with every `page_token`.
///
/// (The generated SDK's `stream()` sends only `page_token` after the first page, dropshot-style;
/// whether the token must carry the filters is not settled by the API description, so the suite
/// sends both, which every reading accepts.)
macro_rules! filtered {
    ($what:expr, $request:expr) => {
        walk(&$what, 200, |token| {
            let request = $request.limit(200u32);
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

/// Most pages a walk may take.
const MAX_PAGES: usize = 2000;

/// Walks a list by hand: `fetch(token)` returns one page; checks each page's size against `limit`.
async fn walk<T, F, Fut>(what: &str, limit: usize, fetch: F) -> Result<Vec<T>, Failure>
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
            page.len() <= limit,
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
    client
        .list_accu_projects()
        .limit(200u32)
        .stream()
        .try_collect()
        .await
        .map_err(|e| Failure::from(e).context("list_accu_projects with limit=200, without a token"))
}

async fn all_cac(client: &Client) -> Result<Vec<CarbonAbatementContract>, Failure> {
    client
        .list_carbon_abatement_contracts()
        .limit(200u32)
        .stream()
        .try_collect()
        .await
        .map_err(|e| {
            Failure::from(e)
                .context("list_carbon_abatement_contracts with limit=200, without a token")
        })
}

async fn all_go(client: &Client) -> Result<Vec<GuaranteeOfOriginProject>, Failure> {
    client
        .list_guarantee_of_origin_projects()
        .limit(200u32)
        .stream()
        .try_collect()
        .await
        .map_err(|e| {
            Failure::from(e)
                .context("list_guarantee_of_origin_projects with limit=200, without a token")
        })
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
    let client = ctx.anonymous();
    let all = all_accu(&client).await?;
    require_rows("ACCU project", &all)?;
    let keys: Vec<String> = all.iter().map(|p| p.project_id.clone()).collect();
    ascending("list_accu_projects", &keys)?;
    let streamed: Vec<AccuProject> = client
        .list_accu_projects()
        .limit(7u32)
        .stream()
        .try_collect()
        .await
        .map_err(|e| Failure::from(e).context("list_accu_projects with limit=7 (stream)"))?;
    let walked = walk(
        "list_accu_projects with limit=13 (page_token by hand)",
        13,
        |token| {
            let request = client.list_accu_projects().limit(13u32);
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
        },
    )
    .await?;
    compare_walks(
        "list_accu_projects",
        &all,
        &keys,
        (7, &streamed),
        (13, &walked),
        |p| p.project_id.clone(),
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
    let client = ctx.anonymous();
    let all = all_cac(&client).await?;
    require_rows("Carbon Abatement Contract", &all)?;
    let keys: Vec<String> = all.iter().map(|c| c.contract_id.clone()).collect();
    ascending("list_carbon_abatement_contracts", &keys)?;
    let streamed: Vec<CarbonAbatementContract> = client
        .list_carbon_abatement_contracts()
        .limit(5u32)
        .stream()
        .try_collect()
        .await
        .map_err(|e| {
            Failure::from(e).context("list_carbon_abatement_contracts with limit=5 (stream)")
        })?;
    let walked = walk(
        "list_carbon_abatement_contracts with limit=9 (page_token by hand)",
        9,
        |token| {
            let request = client.list_carbon_abatement_contracts().limit(9u32);
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
        },
    )
    .await?;
    compare_walks(
        "list_carbon_abatement_contracts",
        &all,
        &keys,
        (5, &streamed),
        (9, &walked),
        |c| c.contract_id.clone(),
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
    let project = all[all.len() / 2].project_id.clone();
    let got = filtered!(
        format!("project_id={project}"),
        client
            .list_carbon_abatement_contracts()
            .project_id(project.clone())
    )
    .await?;
    compare_filter(
        &format!("list_carbon_abatement_contracts project_id={project}"),
        &all,
        key,
        |c| c.project_id == project,
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
    let client = ctx.anonymous();
    let all = all_go(&client).await?;
    require_rows("Guarantee of Origin", &all)?;
    let keys: Vec<String> = all.iter().map(|g| g.profile_id.clone()).collect();
    ascending("list_guarantee_of_origin_projects", &keys)?;
    let streamed: Vec<GuaranteeOfOriginProject> = client
        .list_guarantee_of_origin_projects()
        .limit(6u32)
        .stream()
        .try_collect()
        .await
        .map_err(|e| {
            Failure::from(e).context("list_guarantee_of_origin_projects with limit=6 (stream)")
        })?;
    let walked = walk(
        "list_guarantee_of_origin_projects with limit=11 (page_token by hand)",
        11,
        |token| {
            let request = client.list_guarantee_of_origin_projects().limit(11u32);
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
        },
    )
    .await?;
    compare_walks(
        "list_guarantee_of_origin_projects",
        &all,
        &keys,
        (6, &streamed),
        (11, &walked),
        |g| g.profile_id.clone(),
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
    let dangling: Vec<String> = contracts
        .iter()
        .filter(|c| !projects.contains(&c.project_id))
        .map(|c| format!("{} → {}", c.contract_id, c.project_id))
        .collect();
    ensure!(
        dangling.is_empty(),
        "contracts whose project_id is not in the ACCU project register: {dangling:?}"
    );
    Ok(())
}

async fn accu_contracts_exist(ctx: Ctx) -> Result<(), Failure> {
    let client = ctx.anonymous();
    let projects = all_accu(&client).await?;
    require_rows("ACCU project", &projects)?;
    let contracts: BTreeMap<String, String> = all_cac(&client)
        .await?
        .into_iter()
        .map(|c| (c.contract_id, c.project_id))
        .collect();
    let mut problems = Vec::new();
    for project in &projects {
        if let Some(contract_id) = &project.contract_id {
            match contracts.get(contract_id) {
                None => problems.push(format!(
                    "{} names {contract_id}, which is not in the CAC register",
                    project.project_id
                )),
                Some(for_project) if for_project != &project.project_id => problems.push(format!(
                    "{} names {contract_id}, which is a contract for {for_project}",
                    project.project_id
                )),
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
        .filter(|id| !has_format(id, "ERF", 6))
        .collect();
    ensure!(
        bad.is_empty(),
        "ACCU project IDs that are not `ERF` and six digits: {bad:?}"
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
        method: project.method.clone(),
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
        .map(|b| b.project_id.clone())
        .ok_or_else(|| Failure::new("list_holdings by the platform: no blocks"))?;
    // The platform walks the public register (no token) to find the units' project.
    let register: Vec<AccuProject> = ctx
        .anonymous()
        .list_accu_projects()
        .limit(200u32)
        .stream()
        .try_collect()
        .await
        .map_err(|e| Failure::from(e).context("walking list_accu_projects"))?;
    let row = register
        .iter()
        .find(|p| p.project_id == project_id)
        .ok_or_else(|| {
            Failure::new(format!(
                "project {project_id} of the units the platform sees is not in the ACCU project register ({} rows)",
                register.len()
            ))
        })?;
    ensure_eq("the register's row for the units' project", &project, row)?;
    ensure_eq(
        "the units' method and the register's",
        row.method.as_str(),
        blocks[0].method.as_str(),
    )
}
