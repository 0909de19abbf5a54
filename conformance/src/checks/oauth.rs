//! B.1: platforms authenticate with OAuth 2.0 client credentials (RFC 6749 section 4.4): tokens
//! that work as bearer tokens, RFC 6749 errors (not problem documents), and expiry.

use ucr_sdk::types::{ConsentScope, TokenRequest, TokenResponse};
use ucr_sdk::{Error, ProblemKind};

use super::B1;
use super::support::account_ids;
use crate::assert::{SdkResultExt, ensure_eq};
use crate::check::Check;
use crate::ctx::{Attrs, Ctx, Platform, RawResponse};
use crate::ensure;
use crate::outcome::Failure;

pub(super) const CHECKS: &[Check] = &[
    check! {
        id: "B1-OAUTH-001",
        model: B1,
        seed: B1,
        operations: ["issue_token", "list_accounts", "list_holdings"],
        description: "Client credentials give a Bearer token (expires_in 3600) that lists and reads the consented account, also when requested as plain OAuth clients do",
        run: client_credentials_work,
    },
    check! {
        id: "B1-OAUTH-002",
        model: B1,
        seed: B1,
        operations: ["issue_token"],
        description: "A wrong secret or unknown client answers 401 invalid_client, a bad grant 400 unsupported_grant_type / invalid_request, as RFC 6749 JSON",
        run: token_errors_follow_rfc6749,
    },
    check! {
        id: "B1-OAUTH-003",
        model: B1,
        seed: B1,
        operations: ["issue_token", "list_accounts"],
        description: "An access token stops working 3600 s after issue (sandbox clock): 401 unauthenticated with WWW-Authenticate; a new one works",
        run: tokens_expire,
        phase: Clock,
    },
];

fn credentials(platform: &Platform) -> TokenRequest {
    TokenRequest {
        grant_type: "client_credentials".into(),
        client_id: platform.client_id.clone(),
        client_secret: platform.client_secret().to_owned(),
        scope: None,
    }
}

async fn token(ctx: &Ctx, platform: &Platform, what: &str) -> Result<TokenResponse, Failure> {
    let response = ctx
        .anonymous()
        .issue_token()
        .body(credentials(platform))
        .send()
        .await
        .map_err(|e| {
            Failure::new(format!(
                "{what}: expected an access token, got {}",
                match &e {
                    Error::ErrorResponse(r) =>
                        format!("HTTP {} {:?}", r.status().as_u16(), r.as_ref()),
                    other => other.to_string(),
                }
            ))
        })?
        .into_inner();
    ensure!(
        response.token_type.eq_ignore_ascii_case("bearer"),
        "{what}: token_type is {:?}, not Bearer",
        response.token_type
    );
    ensure_eq(&format!("{what}: expires_in"), 3600, response.expires_in)?;
    ensure!(
        !response.access_token.is_empty(),
        "{what}: the access token is empty"
    );
    Ok(response)
}

async fn raw_token(ctx: &Ctx, pairs: &[(&str, &str)]) -> Result<RawResponse, Failure> {
    ctx.raw("issue_token", reqwest::Method::POST, "/v1/oauth/token")
        .no_idempotency_key()
        .form(pairs)
        .send()
        .await
}

/// Expects an RFC 6749 section 5.2 error: `status`, a JSON object (not a problem document) whose
/// `error` is `code`.
fn expect_oauth_error(
    what: &str,
    response: &RawResponse,
    status: u16,
    code: &str,
) -> Result<(), Failure> {
    ensure!(
        response.status == status,
        "{what}: expected HTTP {status} with error {code:?}, got HTTP {}: {}",
        response.status,
        crate::text::snippet(&response.body, 300)
    );
    let content_type = response.content_type().unwrap_or_default();
    ensure!(
        content_type.starts_with("application/json"),
        "{what}: an RFC 6749 error is application/json, got Content-Type {content_type:?}"
    );
    let body = response.json().map_err(|f| f.context(what))?;
    ensure!(
        body.get("type").is_none() && body.get("title").is_none(),
        "{what}: the token endpoint must answer an RFC 6749 error {{error, error_description}}, not a problem document: {body}"
    );
    ensure_eq(
        &format!("{what}: error"),
        Some(code),
        body.get("error").and_then(|e| e.as_str()),
    )?;
    if let Some(description) = body.get("error_description") {
        ensure!(
            description.is_string(),
            "{what}: error_description must be a string, got {description}"
        );
    }
    Ok(())
}

async fn client_credentials_work(ctx: Ctx) -> Result<(), Failure> {
    let seller = ctx.holder_with_one_rep().await?;
    ctx.issue(&seller.account_id, 10, &Attrs::accu()).await?;
    let platform = ctx.trading_platform().await?;
    ctx.grant(
        &seller.rep,
        &seller.account_id,
        &platform,
        &[ConsentScope::HoldingsRead],
    )
    .await?;
    let issued = token(
        &ctx,
        &platform,
        "issue_token with the platform's credentials",
    )
    .await?;
    let client = ctx.client_with_token(&issued.access_token);
    ensure_eq(
        "list_accounts with the access token",
        vec![seller.account_id.clone()],
        account_ids(&client, "list_accounts with the access token").await?,
    )?;
    let blocks = ctx.holdings(&client, &seller.account_id).await?;
    ensure_eq(
        "list_holdings with the access token: units",
        10,
        blocks.iter().map(|b| b.quantity).sum::<u64>(),
    )?;

    // As an OAuth client library sends it: form-encoded, no Idempotency-Key.
    let response = raw_token(
        &ctx,
        &[
            ("grant_type", "client_credentials"),
            ("client_id", &platform.client_id),
            ("client_secret", platform.client_secret()),
        ],
    )
    .await?;
    let body = response.expect_status(
        "a form-encoded token request without Idempotency-Key, as OAuth client libraries send it",
        200,
    )?;
    let access_token = body
        .get("access_token")
        .and_then(|t| t.as_str())
        .ok_or_else(|| Failure::new(format!("the token response has no access_token: {body}")))?;
    ensure_eq(
        "list_accounts with the second access token",
        vec![seller.account_id.clone()],
        account_ids(
            &ctx.client_with_token(access_token),
            "list_accounts with the second access token",
        )
        .await?,
    )
}

async fn token_errors_follow_rfc6749(ctx: Ctx) -> Result<(), Failure> {
    let platform = ctx.trading_platform().await?;
    let response = raw_token(
        &ctx,
        &[
            ("grant_type", "client_credentials"),
            ("client_id", &platform.client_id),
            ("client_secret", "not-the-secret"),
        ],
    )
    .await?;
    expect_oauth_error(
        "issue_token with a wrong client secret",
        &response,
        401,
        "invalid_client",
    )?;
    let response = raw_token(
        &ctx,
        &[
            ("grant_type", "client_credentials"),
            ("client_id", "no-such-client"),
            ("client_secret", platform.client_secret()),
        ],
    )
    .await?;
    expect_oauth_error(
        "issue_token with an unknown client_id",
        &response,
        401,
        "invalid_client",
    )?;
    let response = raw_token(
        &ctx,
        &[
            ("grant_type", "password"),
            ("client_id", &platform.client_id),
            ("client_secret", platform.client_secret()),
        ],
    )
    .await?;
    expect_oauth_error(
        "issue_token with grant_type=password",
        &response,
        400,
        "unsupported_grant_type",
    )?;
    let response = raw_token(
        &ctx,
        &[
            ("grant_type", "client_credentials"),
            ("client_id", &platform.client_id),
        ],
    )
    .await?;
    expect_oauth_error(
        "issue_token without client_secret",
        &response,
        400,
        "invalid_request",
    )?;
    // The refused requests issued nothing usable: a made-up token is still unknown.
    ctx.client_with_token("not-the-secret")
        .list_accounts()
        .send()
        .await
        .expect_problem(
            "list_accounts with a made-up token",
            401,
            ProblemKind::Unauthenticated,
        )?;
    Ok(())
}

async fn tokens_expire(ctx: Ctx) -> Result<(), Failure> {
    let platform = ctx.trading_platform().await?;
    let issued = token(&ctx, &platform, "issue_token").await?;
    ctx.client_with_token(&issued.access_token)
        .list_accounts()
        .send()
        .await
        .expect_ok("list_accounts with a fresh access token")?;
    ctx.advance_clock(3600 + 1).await?;
    let response = ctx
        .raw("list_accounts", reqwest::Method::GET, "/v1/accounts")
        .bearer(&issued.access_token)
        .send()
        .await?;
    response.expect_problem(
        "list_accounts with an access token issued 3601 s ago",
        401,
        ProblemKind::Unauthenticated,
    )?;
    let challenge = response.header("www-authenticate").unwrap_or_default();
    ensure!(
        challenge.to_ascii_lowercase().starts_with("bearer"),
        "the 401 for an expired access token must carry WWW-Authenticate: Bearer, got {challenge:?}"
    );
    let fresh = token(&ctx, &platform, "issue_token after the expiry").await?;
    ctx.client_with_token(&fresh.access_token)
        .list_accounts()
        .send()
        .await
        .expect_ok("list_accounts with a new access token")?;
    Ok(())
}
