//! Error format: every refusal is an RFC 9457 problem document with a catalogue `type`.

use reqwest::Method;
use serde_json::json;
use ucr_sdk::ProblemKind;

use super::A1;
use crate::check::Check;
use crate::ctx::{Attrs, Ctx, RawResponse};
use crate::ensure;
use crate::outcome::Failure;

pub(super) const CHECKS: &[Check] = &[
    check! {
        id: "A1-PROBLEM-001",
        model: A1,
        seed: A1,
        operations: ["list_accounts", "get_account", "get_transfer", "initiate_transfer"],
        description: "400, 401, 403, 404, 409 and 422 answers are application/problem+json with type, title, status (= HTTP status) and instance (= path)",
        run: problem_documents,
    },
    check! {
        id: "A1-PROBLEM-002",
        model: A1,
        seed: A1,
        operations: ["initiate_transfer", "list_accounts"],
        description: "An unsupported method on a known path answers 405 method-not-allowed as a problem document",
        run: method_not_allowed,
    },
    check! {
        id: "A1-PROBLEM-003",
        model: A1,
        seed: A1,
        operations: [],
        description: "An unknown path under /v1 answers 404 not-found as a problem document",
        run: unknown_path,
    },
];

/// Checks the media type and the required members of a problem document; returns its title.
fn check_document(
    what: &str,
    response: &RawResponse,
    status: u16,
    kind: ProblemKind,
) -> Result<String, Failure> {
    ensure!(
        response.status == status,
        "{what}: expected HTTP {status} {}, got HTTP {}",
        kind.uri(),
        response.status
    );
    let content_type = response.content_type().unwrap_or_default();
    let media_type = content_type
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase();
    ensure!(
        media_type == "application/problem+json",
        "{what}: Content-Type is {content_type:?}, expected application/problem+json"
    );
    let document = response.json().map_err(|f| f.context(what))?;
    let object = document.as_object().ok_or_else(|| {
        Failure::new(format!("{what}: the problem document is not a JSON object"))
    })?;
    let type_ = object.get("type").and_then(|t| t.as_str());
    ensure!(
        type_ == Some(kind.uri()),
        "{what}: `type` is {:?}, expected {:?}",
        object.get("type"),
        kind.uri()
    );
    let title = object
        .get("title")
        .and_then(|t| t.as_str())
        .unwrap_or_default();
    ensure!(
        !title.trim().is_empty(),
        "{what}: `title` is missing or empty ({:?})",
        object.get("title")
    );
    ensure!(
        object.get("status").and_then(|s| s.as_u64()) == Some(u64::from(status)),
        "{what}: `status` member is {:?}, expected the HTTP status {status}",
        object.get("status")
    );
    if let Some(value) = object.get("detail") {
        ensure!(
            value.is_string(),
            "{what}: `detail` is present but not a string: {value}"
        );
    }
    // REQ-PROBLEM-004: `instance` is present and is the request's path, without scheme, host or
    // query string.
    let path = reqwest::Url::parse(&response.url)
        .map(|u| u.path().to_owned())
        .unwrap_or_default();
    ensure!(
        object.get("instance").and_then(|i| i.as_str()) == Some(path.as_str()),
        "{what}: `instance` is {:?}, expected the request path {path:?} (REQ-PROBLEM-004)",
        object.get("instance")
    );
    Ok(title.to_owned())
}

async fn problem_documents(ctx: Ctx) -> Result<(), Failure> {
    let fixture = ctx.holder_with_two_reps().await?;
    let dest = ctx.holder_with_one_rep().await?;
    ctx.issue(&fixture.account_id, 20, &Attrs::accu()).await?;
    let initiator = fixture.initiator.token();
    let transfer = |quantity: i64| {
        json!({
            "from_account_id": fixture.account_id,
            "to_account_id": dest.account_id,
            "unit_type": "ACCU",
            "quantity": quantity,
        })
    };
    let unknown_account = format!(
        "/v1/accounts/AU-9{:06}",
        uuid::Uuid::new_v4().as_u128() % 1_000_000
    );

    let cases: Vec<(&str, RawResponse, u16, ProblemKind)> = vec![
        (
            "malformed JSON body",
            ctx.raw("initiate_transfer", Method::POST, "/v1/transfers")
                .bearer(initiator)
                .body_text("{")
                .send()
                .await?,
            400,
            ProblemKind::MalformedRequest,
        ),
        (
            "limit=0",
            ctx.raw("list_accounts", Method::GET, "/v1/accounts")
                .bearer(initiator)
                .query("limit", "0")
                .send()
                .await?,
            400,
            ProblemKind::InvalidParameter,
        ),
        (
            "a write without Idempotency-Key",
            ctx.raw("initiate_transfer", Method::POST, "/v1/transfers")
                .bearer(initiator)
                .no_idempotency_key()
                .json(&transfer(5))
                .send()
                .await?,
            400,
            ProblemKind::IdempotencyKeyRequired,
        ),
        (
            "no bearer token",
            ctx.raw("list_accounts", Method::GET, "/v1/accounts")
                .send()
                .await?,
            401,
            ProblemKind::Unauthenticated,
        ),
        (
            "an approver initiating",
            ctx.raw("initiate_transfer", Method::POST, "/v1/transfers")
                .bearer(fixture.approver.token())
                .json(&transfer(5))
                .send()
                .await?,
            403,
            ProblemKind::Forbidden,
        ),
        (
            "an unknown account",
            ctx.raw("get_account", Method::GET, &unknown_account)
                .bearer(initiator)
                .send()
                .await?,
            404,
            ProblemKind::NotFound,
        ),
        (
            "an unknown transfer",
            ctx.raw("get_transfer", Method::GET, "/v1/transfers/TRF-UNKNOWN-0")
                .bearer(initiator)
                .send()
                .await?,
            404,
            ProblemKind::NotFound,
        ),
        (
            "more units than held",
            ctx.raw("initiate_transfer", Method::POST, "/v1/transfers")
                .bearer(initiator)
                .json(&transfer(21))
                .send()
                .await?,
            409,
            ProblemKind::InsufficientUnits,
        ),
        (
            "zero quantity",
            ctx.raw("initiate_transfer", Method::POST, "/v1/transfers")
                .bearer(initiator)
                .json(&transfer(0))
                .send()
                .await?,
            422,
            ProblemKind::ValidationFailed,
        ),
    ];
    let mut not_found_titles = Vec::new();
    for (what, response, status, kind) in &cases {
        let title = check_document(&format!("problem for {what}"), response, *status, *kind)?;
        if *kind == ProblemKind::NotFound {
            not_found_titles.push(title);
        }
    }
    ensure!(
        not_found_titles.windows(2).all(|w| w[0] == w[1]),
        "two not-found problems have different titles {not_found_titles:?}; a title is the same for every occurrence of a type"
    );
    Ok(())
}

async fn method_not_allowed(ctx: Ctx) -> Result<(), Failure> {
    let party = ctx.holder_with_one_rep().await?;
    for (operation, method, path) in [
        ("initiate_transfer", Method::DELETE, "/v1/transfers"),
        ("list_accounts", Method::PUT, "/v1/accounts"),
    ] {
        let response = ctx
            .raw(operation, method.clone(), path)
            .bearer(party.rep.token())
            .send()
            .await?;
        check_document(
            &format!("{method} {path}"),
            &response,
            405,
            ProblemKind::MethodNotAllowed,
        )?;
    }
    Ok(())
}

async fn unknown_path(ctx: Ctx) -> Result<(), Failure> {
    let party = ctx.holder_with_one_rep().await?;
    let response = ctx
        .raw("unknown", Method::GET, "/v1/no-such-resource")
        .bearer(party.rep.token())
        .send()
        .await?;
    check_document(
        "GET /v1/no-such-resource",
        &response,
        404,
        ProblemKind::NotFound,
    )?;
    Ok(())
}
