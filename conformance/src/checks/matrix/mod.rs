//! The access matrix: every (actor kind × operation) pair of the API, from one table
//! ([`table`]), exercised on a fresh fixture ([`world`]) by the runner below.
//!
//! [`TABLE`] has one row per operation of the published spec and one column per [`Actor`]: the
//! owner account's `initiator` and `approver`, another holder's representative, a trading platform
//! holding each consent scope on the owner's account (and one whose consent was revoked), a
//! platform and a registry that never held a consent there, a delegate (a platform representative
//! appointed by delegation), the controller of an escrow on the account, a sandbox operator and an
//! anonymous caller. Each cell is the outcome the rules of `docs/design-decisions.md` ("Access:
//! 404 or 403") give: allowed (the documented 2xx), `401`, `403 forbidden`, `403
//! consent-required`, `404 not-found` or `404 sandbox-unavailable`.
//!
//! There is one check per operation, in the model of that operation. It provisions a fresh
//! [`World`] (the owner's account with units, the actors, their consents), builds a valid request
//! for the operation on a fresh object (a pending transfer, a consent, an escrow, ...), sends it
//! as every actor expected to be refused (concurrently, all on the same object), then as every
//! actor expected to succeed: the first on that same object, which shows the refusals left it
//! untouched, the others each on an object of its own. The check fails with the list of pairs
//! whose outcome differs from the table.
//!
//! One cell is declared but not exercised (`X`): the operator's `reset_sandbox`, which would wipe
//! every other check's fixtures; the refusals of that row are exercised.

mod lists;
mod table;
mod world;
pub(super) mod writes;

use reqwest::Method;

use super::support::spec;
use crate::ctx::{Ctx, RawResponse};
use crate::outcome::Failure;
pub(super) use table::{Actor, CHECKS, first_allowed};
use table::{Outcome, row};
pub(super) use world::{Body, Request, World, note_issuance, target};

/// The endpoints that answer RFC 6749 `{error, error_description}` rather than problems, and
/// authenticate the client rather than a bearer token.
const OAUTH_ENDPOINTS: &[&str] = &["issue_token", "revoke_token"];

/// Whether `response` is the outcome `expected`; `Err` describes what came instead.
fn judge(op: &spec::Operation, expected: Outcome, response: &RawResponse) -> Result<(), String> {
    let got = || {
        let kind = if OAUTH_ENDPOINTS.contains(&op.id.as_str()) {
            response
                .json()
                .ok()
                .and_then(|v| v["error"].as_str().map(str::to_owned))
        } else {
            response.problem_type()
        };
        match kind {
            Some(kind) => format!("{} {kind}", response.status),
            None => response.status.to_string(),
        }
    };
    let Some(kind) = expected.problem_kind() else {
        return if response.status == op.success {
            Ok(())
        } else {
            Err(got())
        };
    };
    if OAUTH_ENDPOINTS.contains(&op.id.as_str()) {
        // RFC 6749: the token endpoint answers `{error, error_description}`, not problems.
        let error = response
            .json()
            .ok()
            .and_then(|v| v["error"].as_str().map(str::to_owned));
        return if expected == Outcome::Unauthenticated
            && response.status == 401
            && error.as_deref() == Some("invalid_client")
        {
            Ok(())
        } else {
            Err(got())
        };
    }
    let is_problem = response
        .content_type()
        .is_some_and(|t| t.starts_with("application/problem+json"));
    if response.status != kind.status() || response.problem_type().as_deref() != Some(kind.uri()) {
        return Err(got());
    }
    if !is_problem {
        return Err(format!(
            "{} with Content-Type {:?}, not application/problem+json",
            got(),
            response.content_type().unwrap_or("")
        ));
    }
    Ok(())
}

/// Whether `op` lists the caller's own collection or one of the owner account's lists (not the
/// public registers), whose rows [`lists::judge_rows`] judges.
fn is_own_list(op: &spec::Operation) -> bool {
    op.method == Method::GET
        && op.id.starts_with("list_")
        && !op.path.starts_with("/v1/registers/")
        && op.id != "list_webhook_deliveries"
}

/// Runs one row of the matrix.
async fn run_row(ctx: Ctx, operation_id: &'static str) -> Result<(), Failure> {
    let op = spec::operation(operation_id).ok_or_else(|| {
        Failure::new(format!(
            "suite bug: {operation_id} is not an operation of the spec"
        ))
    })?;
    let cells = row(operation_id).map_err(Failure::new)?;
    let world = World::build(&ctx).await?;
    let shared = target(&ctx, &world, operation_id).await?;
    let expect = |actor: Actor| cells[actor.index()];

    let refused: Vec<Actor> = Actor::ALL
        .into_iter()
        .filter(|a| !matches!(expect(*a), Outcome::Allowed | Outcome::NotExercised))
        .collect();
    let allowed: Vec<Actor> = Actor::ALL
        .into_iter()
        .filter(|a| expect(*a) == Outcome::Allowed)
        .collect();
    let refusals = futures::future::join_all(refused.iter().map(|actor| async {
        let response = world.send(&ctx, *actor, &shared, None).await;
        (*actor, shared.clone(), response)
    }))
    .await;
    let world_ref = &world;
    let ctx_ref = &ctx;
    let shared_ref = &shared;
    let grants =
        futures::future::join_all(allowed.iter().enumerate().map(|(i, actor)| async move {
            let request = if i == 0 || op.method == Method::GET {
                shared_ref.clone()
            } else {
                match target(ctx_ref, world_ref, operation_id).await {
                    Ok(request) => request,
                    Err(failure) => return (*actor, shared_ref.clone(), Err(failure)),
                }
            };
            let response = world_ref.send(ctx_ref, *actor, &request, None).await;
            (*actor, request, response)
        }))
        .await;

    let mut mismatches = Vec::new();
    let mut evidence = None;
    let mut listed = Vec::new();
    for (actor, request, response) in refusals.into_iter().chain(grants) {
        let expected = expect(actor);
        let mut verdict = match &response {
            Ok(response) => judge(op, expected, response),
            Err(failure) => Err(format!("no answer ({failure})")),
        };
        // An allowed list shows only what the caller may see (and what it must).
        if let (Ok(()), Ok(response), Outcome::Allowed, true) =
            (&verdict, &response, expected, is_own_list(op))
        {
            verdict = match response.json() {
                Ok(body) => {
                    let judged =
                        lists::judge_rows(&world, actor, operation_id, &body).map_err(|why| {
                            format!("{} with rows it may not see: {why}", response.status)
                        });
                    listed.push((actor, body));
                    judged
                }
                Err(failure) => Err(format!(
                    "{} without a JSON list ({failure})",
                    response.status
                )),
            };
        }
        if let (Ok(response), true) = (&response, expected == Outcome::Allowed) {
            note_issuance(&ctx, operation_id, response);
        }
        if let Err(got) = verdict {
            if evidence.is_none()
                && let Ok(response) = &response
            {
                evidence = Some(exchange(&world, actor, &request, response));
            }
            mismatches.push(format!(
                "{}: expected {}, got {got}",
                actor.label(),
                expected.describe(op.success)
            ));
        }
    }
    if operation_id == "list_webhook_subscriptions" {
        let answers: Vec<(Actor, &serde_json::Value)> =
            listed.iter().map(|(actor, body)| (*actor, body)).collect();
        mismatches.extend(lists::judge_subscriptions(&answers));
    }
    if mismatches.is_empty() {
        return Ok(());
    }
    let failure = Failure::new(format!(
        "{} of {} pairs ({operation_id} × actor kind) differ from the access matrix:\n  {}",
        mismatches.len(),
        refused.len() + allowed.len(),
        mismatches.join("\n  ")
    ));
    Err(match evidence {
        Some(exchange) => failure.with_exchange(exchange),
        None => failure,
    })
}

/// The exchange of a mismatching pair, pinned as the failure's evidence (credentials redacted).
fn exchange(
    world: &World,
    actor: Actor,
    request: &Request,
    response: &RawResponse,
) -> ucr_sdk::Exchange {
    let mut request_headers = Vec::new();
    if world.token(actor).is_some() && !matches!(request.body, Body::Form(_)) {
        request_headers.push(("authorization".to_owned(), "Bearer <redacted>".to_owned()));
    }
    let request_body = match &request.body {
        Body::None => bytes::Bytes::new(),
        Body::Json(value) => bytes::Bytes::from(value.to_string()),
        Body::Text(text) => bytes::Bytes::from(text.clone()),
        Body::Form(_) => bytes::Bytes::from_static(b"(form with client credentials redacted)"),
        Body::PlainForm(pairs) => {
            bytes::Bytes::from(serde_urlencoded::to_string(pairs).unwrap_or_default())
        }
    };
    ucr_sdk::Exchange {
        operation_id: request.operation,
        method: request.method.to_string(),
        url: response.url.clone(),
        request_headers,
        request_body,
        status: Some(response.status),
        response_headers: response
            .headers
            .iter()
            .map(|(name, value)| {
                (
                    name.as_str().to_owned(),
                    String::from_utf8_lossy(value.as_bytes()).into_owned(),
                )
            })
            .collect(),
        response_body: response.body.clone(),
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::table::TABLE;
    use super::*;

    /// The operations anyone may call without a token, beside the public registers.
    const PUBLIC: &[&str] = &[
        "create_operator_session",
        "get_authorization_server_metadata",
        "authorize",
        "decide_authorization",
    ];

    /// A new operation in the spec without a row (or a row without a check) fails here.
    #[test]
    fn the_table_has_one_well_formed_row_per_spec_operation() {
        let spec: BTreeSet<&str> = spec::operations().iter().map(|o| o.id.as_str()).collect();
        let table: Vec<&str> = TABLE.iter().map(|(op, _)| *op).collect();
        let rows: BTreeSet<&str> = table.iter().copied().collect();
        assert_eq!(rows.len(), table.len(), "an operation has two rows");
        let missing: Vec<&&str> = spec.difference(&rows).collect();
        assert!(
            missing.is_empty(),
            "operations without a row in the access matrix: {missing:?}"
        );
        let unknown: Vec<&&str> = rows.difference(&spec).collect();
        assert!(
            unknown.is_empty(),
            "rows for operations the spec lacks: {unknown:?}"
        );
        for op in &table {
            row(op).unwrap_or_else(|e| panic!("{e}"));
        }
    }

    #[test]
    fn every_row_has_a_check_in_the_model_of_its_operation() {
        let checked: Vec<&str> = CHECKS
            .iter()
            .flat_map(|c| c.operations.iter().copied())
            .collect();
        let table: Vec<&str> = TABLE.iter().map(|(op, _)| *op).collect();
        let mut sorted = checked.clone();
        sorted.sort_unstable();
        let mut expected = table.clone();
        expected.sort_unstable();
        assert_eq!(sorted, expected, "one matrix check per row");
        for check in CHECKS {
            assert!(check.id.contains("-MATRIX-"), "{}", check.id);
        }
    }

    #[test]
    fn anonymous_callers_are_refused_401_everywhere_authentication_is_required() {
        for op in spec::operations() {
            let cells = row(&op.id).unwrap();
            let anonymous = cells[Actor::Anonymous.index()];
            let public = op.path.starts_with("/v1/registers/") || PUBLIC.contains(&op.id.as_str());
            if public {
                assert_eq!(anonymous, Outcome::Allowed, "{}", op.id);
            } else {
                assert_eq!(anonymous, Outcome::Unauthenticated, "{}", op.id);
            }
            assert!(
                op.problems.contains(&401) || public || OAUTH_ENDPOINTS.contains(&op.id.as_str()),
                "{} declares no 401",
                op.id
            );
        }
    }

    /// Each 403 or 404 cell must be a status the operation documents.
    #[test]
    fn every_refusal_in_the_table_is_documented_by_the_operation() {
        for op in spec::operations() {
            for (actor, cell) in Actor::ALL.iter().zip(row(&op.id).unwrap()) {
                if let Some(kind) = cell.problem_kind()
                    && !OAUTH_ENDPOINTS.contains(&op.id.as_str())
                {
                    assert!(
                        op.problems.contains(&kind.status()),
                        "{} × {}: {} is not documented for the operation",
                        op.id,
                        actor.label(),
                        kind.status()
                    );
                }
            }
        }
    }

    #[test]
    fn exactly_one_cell_is_not_exercised() {
        let skipped: Vec<(&str, Actor)> = TABLE
            .iter()
            .flat_map(|(op, _)| {
                let cells = row(op).unwrap();
                Actor::ALL
                    .into_iter()
                    .filter(move |a| cells[a.index()] == Outcome::NotExercised)
                    .map(move |a| (*op, a))
            })
            .collect();
        assert_eq!(skipped, [("reset_sandbox", Actor::Operator)]);
    }
}
