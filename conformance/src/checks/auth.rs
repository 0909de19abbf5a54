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
    },
    check! {
        id: "A1-AUTH-003",
        model: A1,
        seed: A1,
        operations: ["list_accounts", "get_account", "list_holdings", "initiate_transfer", "approve_transfer"],
        description: "An unknown bearer token, or another scheme, answers 401 unauthenticated with WWW-Authenticate",
        run: unknown_token,
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
    expect_unauthenticated(
        "list_accounts with an unknown token",
        stranger.list_accounts().send().await,
    )?;
    expect_unauthenticated(
        "get_account with an unknown token",
        stranger.get_account().account_id(account_id).send().await,
    )?;
    expect_unauthenticated(
        "list_holdings with an unknown token",
        stranger.list_holdings().account_id(account_id).send().await,
    )?;
    expect_unauthenticated(
        "initiate_transfer with an unknown token",
        stranger
            .initiate_transfer()
            .body(by_quantity(account_id, &f.dest.account_id, "ACCU", 5))
            .send()
            .await,
    )?;
    expect_unauthenticated(
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
    ensure!(
        response.header("www-authenticate").is_some(),
        "list_accounts with `Authorization: Basic <token>`: 401 without a WWW-Authenticate header"
    );
    assert_unchanged(
        "after the unauthenticated requests",
        &before,
        &ctx.snapshot(&f.source.initiator.client, account_id).await?,
    )?;
    Ok(())
}
