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
        description: "400, 401, 403, 404, 409 and 422 answers are application/problem+json with type, title, detail, status (= HTTP status) and instance (= path); invalid-parameter names the parameter; a success is application/json",
        run: problem_documents,
        cites: ["REQ-PROBLEM-001", "REQ-PROBLEM-002", "REQ-PROBLEM-003", "REQ-PROBLEM-004", "REQ-PROBLEM-005", "REQ-PROBLEM-006", "REQ-PROBLEM-007", "REQ-PROBLEM-008", "REQ-CONV-007"],
    },
    check! {
        id: "A1-PROBLEM-002",
        model: A1,
        seed: A1,
        operations: ["initiate_transfer", "list_accounts"],
        description: "An unsupported method on a known path answers 405 method-not-allowed as a problem document with an Allow header, with or without a token",
        run: method_not_allowed,
        cites: ["REQ-ORDER-001", "REQ-PROBLEM-001", "REQ-PROBLEM-003", "REQ-PROBLEM-004", "REQ-PROBLEM-005"],
    },
    check! {
        id: "A1-PROBLEM-003",
        model: A1,
        seed: A1,
        operations: [],
        description: "An unknown path under /v1 answers 404 not-found as a problem document, with or without a token",
        run: unknown_path,
        cites: ["REQ-ORDER-001", "REQ-PROBLEM-001", "REQ-PROBLEM-003", "REQ-PROBLEM-004", "REQ-PROBLEM-005"],
    },
];

/// Checks the media type and the required members of a problem document.
fn check_document(
    what: &str,
    response: &RawResponse,
    status: u16,
    kind: ProblemKind,
) -> Result<(), Failure> {
    ensure!(
        response.status == status,
        "{what}: expected HTTP {status} {}, got HTTP {}",
        kind.uri(),
        response.status
    );
    let content_type = response.content_type().unwrap_or_default();
    ensure!(
        media_type(content_type) == "application/problem+json",
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
    // REQ-PROBLEM-005: `detail` explains this occurrence; `title` may be worded any way.
    let detail = object
        .get("detail")
        .and_then(|d| d.as_str())
        .unwrap_or_default();
    ensure!(
        !detail.trim().is_empty(),
        "{what}: `detail` is missing or empty ({:?}) (REQ-PROBLEM-005)",
        object.get("detail")
    );
    // REQ-PROBLEM-006/-007: `invalid_params` may be left out (except for invalid-parameter, see
    // `names_parameter`), but any entry names the member or parameter to blame.
    if let Some(params) = object.get("invalid_params") {
        let entries = params.as_array().ok_or_else(|| {
            Failure::new(format!(
                "{what}: `invalid_params` is not an array: {params}"
            ))
        })?;
        for entry in entries {
            let name = entry
                .get("name")
                .and_then(|n| n.as_str())
                .unwrap_or_default();
            ensure!(
                !name.is_empty(),
                "{what}: an `invalid_params` entry names nothing: {entry} (REQ-PROBLEM-006)"
            );
        }
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
    Ok(())
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
    // Titles are not compared across occurrences: REQ-PROBLEM-005 lets an implementation word
    // them as it likes. Unknown extension members are ignored (REQ-PROBLEM-008).
    for (what, response, status, kind) in &cases {
        check_document(&format!("problem for {what}"), response, *status, *kind)?;
    }
    // REQ-PROBLEM-006: an invalid-parameter problem names the offending parameter.
    names_parameter("problem for limit=0", &cases[1].1, "limit")?;
    // REQ-CONV-007: a successful response with a body is application/json.
    let listed = ctx
        .raw("list_accounts", Method::GET, "/v1/accounts")
        .bearer(initiator)
        .send()
        .await?;
    listed.expect_status("list_accounts", 200)?;
    let content_type = listed.content_type().unwrap_or_default();
    ensure!(
        media_type(content_type) == "application/json",
        "list_accounts: Content-Type is {content_type:?}, expected application/json (REQ-CONV-007)"
    );
    Ok(())
}

/// The media type of a `Content-Type` value, lower-cased, without parameters.
fn media_type(content_type: &str) -> String {
    content_type
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase()
}

/// Expects `response`'s problem document to list `name` in `invalid_params` (REQ-PROBLEM-006).
fn names_parameter(what: &str, response: &RawResponse, name: &str) -> Result<(), Failure> {
    let document = response.json().map_err(|f| f.context(what))?;
    let named = document
        .get("invalid_params")
        .and_then(|p| p.as_array())
        .is_some_and(|entries| {
            entries
                .iter()
                .any(|e| e.get("name").and_then(|n| n.as_str()) == Some(name))
        });
    ensure!(
        named,
        "{what}: `invalid_params` does not name {name:?}: {document} (REQ-PROBLEM-006)"
    );
    Ok(())
}

async fn method_not_allowed(ctx: Ctx) -> Result<(), Failure> {
    let party = ctx.holder_with_one_rep().await?;
    for (operation, method, path, allowed) in [
        ("initiate_transfer", Method::DELETE, "/v1/transfers", "POST"),
        ("list_accounts", Method::PUT, "/v1/accounts", "GET"),
    ] {
        // REQ-ORDER-001: the same answer with and without a token.
        for token in [Some(party.rep.token()), None] {
            let request = ctx.raw(operation, method.clone(), path);
            let request = match token {
                Some(token) => request.bearer(token),
                None => request,
            };
            let response = request.send().await?;
            let what = format!(
                "{method} {path} {}",
                if token.is_some() {
                    "with a token"
                } else {
                    "without a token"
                }
            );
            check_document(&what, &response, 405, ProblemKind::MethodNotAllowed)?;
            let allow = response.header("allow").unwrap_or_default();
            ensure!(
                allow
                    .split(',')
                    .any(|m| m.trim().eq_ignore_ascii_case(allowed)),
                "{what}: the 405 must carry an Allow header listing {allowed}, got {allow:?} (REQ-ORDER-001)"
            );
        }
    }
    Ok(())
}

async fn unknown_path(ctx: Ctx) -> Result<(), Failure> {
    let party = ctx.holder_with_one_rep().await?;
    // REQ-ORDER-001: the same answer with and without a token.
    for token in [Some(party.rep.token()), None] {
        let request = ctx.raw("unknown", Method::GET, "/v1/no-such-resource");
        let request = match token {
            Some(token) => request.bearer(token),
            None => request,
        };
        let response = request.send().await?;
        check_document(
            &format!(
                "GET /v1/no-such-resource {}",
                if token.is_some() {
                    "with a token"
                } else {
                    "without a token"
                }
            ),
            &response,
            404,
            ProblemKind::NotFound,
        )?;
    }
    Ok(())
}
