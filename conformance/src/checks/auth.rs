//! Authentication: every account operation needs a known bearer token and says so with
//! `WWW-Authenticate`.

use std::fmt::Debug;

use reqwest::Method;
use ucr_sdk::types::{Cancellation, RejectRequest, TransactionStatus, Transfer};
use ucr_sdk::{ApiError, Client, Error, ProblemKind, ResponseValue};

use super::A1;
use super::support::{
    Funded, expect_status, funded_shared, get_transfer, initiate, initiate_cancellation,
};
use crate::assert::{assert_unchanged, expect_problem};
use crate::check::Check;
use crate::ctx::{Ctx, by_quantity, cancel_quantity};
use crate::ensure;
use crate::outcome::Failure;

pub(super) const CHECKS: &[Check] = &[
    check! {
        id: "A1-AUTH-001",
        model: A1,
        seed: A1,
        operations: ["list_accounts", "get_account", "list_holdings", "list_transactions", "get_transfer", "get_cancellation"],
        description: "Every authenticated read without a token answers 401 unauthenticated with WWW-Authenticate: Bearer",
        run: reads_need_token,
        cites: ["REQ-AUTH-001"],
    },
    check! {
        id: "A1-AUTH-002",
        model: A1,
        seed: A1,
        operations: [
            "initiate_transfer",
            "approve_transfer",
            "reject_transfer",
            "rescind_transfer",
            "initiate_cancellation",
            "approve_cancellation",
            "rescind_cancellation",
        ],
        description: "Every write without a token answers 401 unauthenticated with WWW-Authenticate: Bearer and changes nothing",
        run: writes_need_token,
        cites: ["REQ-AUTH-001", "REQ-CONV-006"],
    },
    check! {
        id: "A1-AUTH-003",
        model: A1,
        seed: A1,
        operations: ["list_accounts", "get_account", "list_holdings", "initiate_transfer", "approve_transfer"],
        description: "An unknown bearer token answers 401 unauthenticated with WWW-Authenticate: Bearer error=\"invalid_token\"; another scheme a Bearer challenge; nothing changes",
        run: unknown_token,
        cites: ["REQ-AUTH-001", "REQ-AUTH-002", "REQ-CONV-006"],
    },
    check! {
        id: "A1-AUTH-004",
        model: A1,
        seed: A1,
        operations: ["list_accounts", "get_account"],
        description: "The scheme name Bearer is matched case-insensitively (bearer, BEARER) and the token exactly (a changed case is unknown)",
        run: scheme_case_insensitive,
        cites: ["REQ-AUTH-002", "REQ-AUTH-003"],
    },
    check! {
        id: "A1-AUTH-005",
        model: A1,
        seed: A1,
        operations: [
            "list_accu_projects",
            "list_carbon_abatement_contracts",
            "list_guarantee_of_origin_projects",
        ],
        description: "The public registers answer without a token and ignore any Authorization header, unknown token or other scheme",
        run: registers_ignore_authorization,
        cites: ["REQ-AUTH-006"],
    },
    check! {
        id: "A1-AUTH-006",
        model: A1,
        seed: A1,
        operations: ["list_accounts", "get_account", "get_transfer", "list_consents", "list_reservations", "list_escrows", "list_associations", "list_webhook_subscriptions"],
        description: "A sandbox operator's token is accepted outside the sandbox and sees nothing: empty lists, 404 for accounts and transfers, 403 for webhook subscriptions",
        run: operator_sees_nothing,
        cites: ["REQ-AUTH-007"],
    },
];

/// A funded account with a pending transfer and a pending cancellation.
async fn pending_fixture(ctx: &Ctx) -> Result<(Funded, Transfer, Cancellation), Failure> {
    let f = funded_shared(ctx, 60).await?;
    let transfer = initiate(
        &f.source.initiator.client,
        by_quantity(&f.source.account_id, &f.dest.account_id, "ACCU", 10),
        "initiate_transfer",
    )
    .await?;
    let cancellation = initiate_cancellation(
        &f.source.initiator.client,
        cancel_quantity(&f.source.account_id, "ACCU", 10),
        "initiate_cancellation",
    )
    .await?;
    Ok((f, transfer, cancellation))
}

/// Whether a `WWW-Authenticate` challenge is a Bearer challenge whose `error` parameter is
/// `invalid_token` (quoted or not); other parameters such as `realm` are allowed (REQ-AUTH-002).
fn is_invalid_token_challenge(challenge: &str) -> bool {
    let challenge = challenge.trim_start().to_ascii_lowercase();
    let Some(params) = challenge.strip_prefix("bearer") else {
        return false;
    };
    params.split(',').any(|param| {
        param.split_once('=').is_some_and(|(name, value)| {
            name.trim() == "error" && value.trim().trim_matches('"') == "invalid_token"
        })
    })
}

/// Expects `401 unauthenticated` with `WWW-Authenticate: Bearer error="invalid_token"`, the answer
/// to an unknown, expired or removed token (REQ-AUTH-002).
fn expect_invalid_token<T: Debug>(
    what: &str,
    result: Result<ResponseValue<T>, ApiError>,
) -> Result<(), Failure> {
    let challenge = match &result {
        Err(Error::ErrorResponse(response)) => response
            .headers()
            .get("www-authenticate")
            .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned()),
        _ => None,
    };
    expect_problem(what, result, 401, ProblemKind::Unauthenticated)?;
    let challenge = challenge.unwrap_or_default();
    ensure!(
        is_invalid_token_challenge(&challenge),
        "{what}: WWW-Authenticate is {challenge:?}, expected Bearer error=\"invalid_token\" (REQ-AUTH-002)"
    );
    Ok(())
}

/// Expects `401 unauthenticated` with a `WWW-Authenticate` header naming the Bearer scheme.
fn expect_unauthenticated<T: Debug>(
    what: &str,
    result: Result<ResponseValue<T>, ApiError>,
) -> Result<(), Failure> {
    let challenge = match &result {
        Err(Error::ErrorResponse(response)) => response
            .headers()
            .get("www-authenticate")
            .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned()),
        _ => None,
    };
    expect_problem(what, result, 401, ProblemKind::Unauthenticated)?;
    match challenge {
        Some(challenge)
            if challenge
                .trim_start()
                .to_ascii_lowercase()
                .starts_with("bearer") =>
        {
            Ok(())
        }
        Some(challenge) => Err(Failure::new(format!(
            "{what}: WWW-Authenticate is {challenge:?}, expected a Bearer challenge"
        ))),
        None => Err(Failure::new(format!(
            "{what}: 401 without a WWW-Authenticate header"
        ))),
    }
}

async fn reads_need_token(ctx: Ctx) -> Result<(), Failure> {
    let (f, transfer, cancellation) = pending_fixture(&ctx).await?;
    let anonymous = ctx.anonymous();
    let account_id = f.source.account_id.as_str();
    expect_unauthenticated(
        "list_accounts without a token",
        anonymous.list_accounts().send().await,
    )?;
    expect_unauthenticated(
        "get_account without a token",
        anonymous.get_account().account_id(account_id).send().await,
    )?;
    expect_unauthenticated(
        "list_holdings without a token",
        anonymous
            .list_holdings()
            .account_id(account_id)
            .send()
            .await,
    )?;
    expect_unauthenticated(
        "list_transactions without a token",
        anonymous
            .list_transactions()
            .account_id(account_id)
            .send()
            .await,
    )?;
    expect_unauthenticated(
        "get_transfer without a token",
        anonymous
            .get_transfer()
            .transfer_id(&transfer.transfer_id)
            .send()
            .await,
    )?;
    expect_unauthenticated(
        "get_cancellation without a token",
        anonymous
            .get_cancellation()
            .cancellation_id(&cancellation.cancellation_id)
            .send()
            .await,
    )?;
    Ok(())
}

/// Every write, sent through `client`, on the fixture's pending transactions.
async fn all_writes(
    client: &Client,
    f: &Funded,
    transfer: &Transfer,
    cancellation: &Cancellation,
    how: &str,
) -> Result<(), Failure> {
    let account_id = f.source.account_id.as_str();
    let t = transfer.transfer_id.as_str();
    let c = cancellation.cancellation_id.as_str();
    expect_unauthenticated(
        &format!("initiate_transfer {how}"),
        client
            .initiate_transfer()
            .body(by_quantity(account_id, &f.dest.account_id, "ACCU", 5))
            .send()
            .await,
    )?;
    expect_unauthenticated(
        &format!("approve_transfer {how}"),
        client.approve_transfer().transfer_id(t).send().await,
    )?;
    expect_unauthenticated(
        &format!("reject_transfer {how}"),
        client
            .reject_transfer()
            .transfer_id(t)
            .body(RejectRequest { reason: None })
            .send()
            .await,
    )?;
    expect_unauthenticated(
        &format!("rescind_transfer {how}"),
        client.rescind_transfer().transfer_id(t).send().await,
    )?;
    expect_unauthenticated(
        &format!("initiate_cancellation {how}"),
        client
            .initiate_cancellation()
            .body(cancel_quantity(account_id, "ACCU", 5))
            .send()
            .await,
    )?;
    expect_unauthenticated(
        &format!("approve_cancellation {how}"),
        client
            .approve_cancellation()
            .cancellation_id(c)
            .send()
            .await,
    )?;
    expect_unauthenticated(
        &format!("rescind_cancellation {how}"),
        client
            .rescind_cancellation()
            .cancellation_id(c)
            .send()
            .await,
    )?;
    Ok(())
}

async fn writes_need_token(ctx: Ctx) -> Result<(), Failure> {
    let (f, transfer, cancellation) = pending_fixture(&ctx).await?;
    let before = ctx
        .snapshot(&f.source.initiator.client, &f.source.account_id)
        .await?;
    let dest_before = ctx.snapshot(&f.dest.rep.client, &f.dest.account_id).await?;
    all_writes(
        &ctx.anonymous(),
        &f,
        &transfer,
        &cancellation,
        "without a token",
    )
    .await?;
    assert_unchanged(
        "after the unauthenticated writes",
        &before,
        &ctx.snapshot(&f.source.initiator.client, &f.source.account_id)
            .await?,
    )?;
    assert_unchanged(
        "after the unauthenticated writes",
        &dest_before,
        &ctx.snapshot(&f.dest.rep.client, &f.dest.account_id).await?,
    )?;
    let fetched = get_transfer(
        &f.source.initiator.client,
        &transfer.transfer_id,
        "get_transfer",
    )
    .await?;
    expect_status(
        "get_transfer after the unauthenticated writes",
        TransactionStatus::PendingApproval,
        fetched.status,
    )?;
    Ok(())
}

async fn unknown_token(ctx: Ctx) -> Result<(), Failure> {
    let (f, transfer, _) = pending_fixture(&ctx).await?;
    let before = ctx
        .snapshot(&f.source.initiator.client, &f.source.account_id)
        .await?;
    let stranger = ctx.client_with_token(&format!(
        "ucr-conformance-unknown-{}",
        uuid::Uuid::new_v4().simple()
    ));
    let account_id = f.source.account_id.as_str();
    expect_invalid_token(
        "list_accounts with an unknown token",
        stranger.list_accounts().send().await,
    )?;
    expect_invalid_token(
        "get_account with an unknown token",
        stranger.get_account().account_id(account_id).send().await,
    )?;
    expect_invalid_token(
        "list_holdings with an unknown token",
        stranger.list_holdings().account_id(account_id).send().await,
    )?;
    expect_invalid_token(
        "initiate_transfer with an unknown token",
        stranger
            .initiate_transfer()
            .body(by_quantity(account_id, &f.dest.account_id, "ACCU", 5))
            .send()
            .await,
    )?;
    expect_invalid_token(
        "approve_transfer with an unknown token",
        stranger
            .approve_transfer()
            .transfer_id(&transfer.transfer_id)
            .send()
            .await,
    )?;
    // A valid representative token under another scheme is not a bearer token.
    let response = ctx
        .raw("list_accounts", Method::GET, "/v1/accounts")
        .header(
            "authorization",
            &format!("Basic {}", f.source.initiator.token()),
        )
        .send()
        .await?;
    response.expect_problem(
        "list_accounts with `Authorization: Basic <token>`",
        401,
        ProblemKind::Unauthenticated,
    )?;
    let challenge = response.header("www-authenticate").unwrap_or_default();
    ensure!(
        challenge
            .trim_start()
            .to_ascii_lowercase()
            .starts_with("bearer"),
        "list_accounts with `Authorization: Basic <token>`: WWW-Authenticate is {challenge:?}, expected a Bearer challenge (REQ-AUTH-001)"
    );
    assert_unchanged(
        "after the unauthenticated requests",
        &before,
        &ctx.snapshot(&f.source.initiator.client, account_id).await?,
    )?;
    Ok(())
}

async fn scheme_case_insensitive(ctx: Ctx) -> Result<(), Failure> {
    let party = ctx.holder_with_one_rep().await?;
    let token = party.rep.token();
    for scheme in ["bearer", "BEARER", "bEaReR"] {
        ctx.raw("list_accounts", Method::GET, "/v1/accounts")
            .header("authorization", &format!("{scheme} {token}"))
            .send()
            .await?
            .expect_status(
                &format!("list_accounts with `Authorization: {scheme} <token>` (REQ-AUTH-003)"),
                200,
            )?;
    }
    // The token itself is compared exactly: the same token in another case is unknown.
    let changed = if token.to_ascii_uppercase() != token {
        token.to_ascii_uppercase()
    } else {
        token.to_ascii_lowercase()
    };
    if changed != token {
        expect_invalid_token(
            "get_account with the token's letters in another case",
            ctx.client_with_token(&changed)
                .get_account()
                .account_id(&party.account_id)
                .send()
                .await,
        )?;
    }
    Ok(())
}

async fn registers_ignore_authorization(ctx: Ctx) -> Result<(), Failure> {
    let party = ctx.holder_with_one_rep().await?;
    let unknown = format!(
        "Bearer ucr-conformance-unknown-{}",
        uuid::Uuid::new_v4().simple()
    );
    let valid = format!("Bearer {}", party.rep.token());
    for (operation, path) in [
        ("list_accu_projects", "/v1/registers/accu-projects"),
        (
            "list_carbon_abatement_contracts",
            "/v1/registers/carbon-abatement-contracts",
        ),
        (
            "list_guarantee_of_origin_projects",
            "/v1/registers/guarantee-of-origin-projects",
        ),
    ] {
        let mut pages = Vec::new();
        for authorization in [
            None,
            Some(unknown.as_str()),
            Some("Basic Zm9vOmJhcg=="),
            Some(valid.as_str()),
        ] {
            let request = ctx.raw(operation, Method::GET, path).query("limit", "5");
            let request = match authorization {
                Some(value) => request.header("authorization", value),
                None => request,
            };
            let what = format!(
                "{operation} with {}",
                match authorization {
                    None => "no Authorization header".to_owned(),
                    Some(v) if v == valid => "a valid bearer token".to_owned(),
                    Some(v) => format!("`Authorization: {v}`"),
                }
            );
            let body = request.send().await?.expect_status(&what, 200)?;
            pages.push((what, body));
        }
        for (what, body) in &pages[1..] {
            ensure!(
                body.get("items") == pages[0].1.get("items"),
                "{what}: the first page differs from the one without a token (REQ-AUTH-006):\n{}\n{}",
                body,
                pages[0].1
            );
        }
    }
    Ok(())
}

async fn operator_sees_nothing(ctx: Ctx) -> Result<(), Failure> {
    let (f, transfer, _) = pending_fixture(&ctx).await?;
    let operator = ctx.operator("use the sandbox operator's token outside the sandbox")?;
    let accounts = operator
        .list_accounts()
        .send()
        .await
        .map_err(|e| Failure::from(e).context("list_accounts as the operator"))?
        .into_inner();
    ensure!(
        accounts.items.is_empty(),
        "list_accounts as the operator: expected no accounts, got {} (REQ-AUTH-007)",
        accounts.items.len()
    );
    expect_problem(
        "get_account of an existing account as the operator",
        operator
            .get_account()
            .account_id(&f.source.account_id)
            .send()
            .await,
        404,
        ProblemKind::NotFound,
    )?;
    expect_problem(
        "get_transfer of an existing transfer as the operator",
        operator
            .get_transfer()
            .transfer_id(&transfer.transfer_id)
            .send()
            .await,
        404,
        ProblemKind::NotFound,
    )?;
    let empty = [
        (
            "list_consents",
            operator
                .list_consents()
                .send()
                .await
                .map(|r| r.into_inner().items.len()),
        ),
        (
            "list_reservations",
            operator
                .list_reservations()
                .send()
                .await
                .map(|r| r.into_inner().items.len()),
        ),
        (
            "list_escrows",
            operator
                .list_escrows()
                .send()
                .await
                .map(|r| r.into_inner().items.len()),
        ),
        (
            "list_associations",
            operator
                .list_associations()
                .send()
                .await
                .map(|r| r.into_inner().items.len()),
        ),
    ];
    for (operation, result) in empty {
        let count =
            result.map_err(|e| Failure::from(e).context(format!("{operation} as the operator")))?;
        ensure!(
            count == 0,
            "{operation} as the operator: expected an empty list, got {count} items (REQ-AUTH-007)"
        );
    }
    expect_problem(
        "list_webhook_subscriptions as the operator",
        operator.list_webhook_subscriptions().send().await,
        403,
        ProblemKind::Forbidden,
    )?;
    Ok(())
}
