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
        description: "Client credentials (form or HTTP Basic; scope and unknown parameters ignored) give fresh no-store Bearer tokens (expires_in 3600) that read the consented account; earlier tokens stay valid",
        run: client_credentials_work,
        cites: ["REQ-OAUTH-001", "REQ-OAUTH-002", "REQ-OAUTH-004", "REQ-OAUTH-006", "REQ-OAUTH-007"],
    },
    check! {
        id: "B1-OAUTH-002",
        model: B1,
        seed: B1,
        operations: ["issue_token"],
        description: "Token errors are RFC 6749 JSON: bad form or both auth methods 400 invalid_request, other grants 400 unsupported_grant_type before client auth, wrong or no client auth 401 invalid_client",
        run: token_errors_follow_rfc6749,
        cites: ["REQ-OAUTH-001", "REQ-OAUTH-002", "REQ-OAUTH-003", "REQ-OAUTH-004", "REQ-OAUTH-005"],
    },
    check! {
        id: "B1-OAUTH-003",
        model: B1,
        seed: B1,
        operations: ["issue_token", "list_accounts"],
        description: "An access token stops working 3600 s after issue (sandbox clock): 401 with Bearer error=\"invalid_token\"; sandbox tokens still work; a new one works",
        run: tokens_expire,
        phase: Clock,
        cites: ["REQ-AUTH-002", "REQ-AUTH-004", "REQ-AUTH-005"],
    },
];

fn credentials(platform: &Platform) -> TokenRequest {
    TokenRequest {
        grant_type: "client_credentials".into(),
        client_id: Some(platform.client_id.clone()),
        client_secret: Some(platform.client_secret().to_owned()),
        scope: None,
        code: None,
        redirect_uri: None,
        code_verifier: None,
        refresh_token: None,
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

/// A token request with `authorization` as its `Authorization` header.
async fn raw_token_with(
    ctx: &Ctx,
    authorization: &str,
    pairs: &[(&str, &str)],
) -> Result<RawResponse, Failure> {
    ctx.raw("issue_token", reqwest::Method::POST, "/v1/oauth/token")
        .no_idempotency_key()
        .header("authorization", authorization)
        .form(pairs)
        .send()
        .await
}

/// The HTTP Basic credentials of RFC 6749 section 2.3.1: the form-encoded client ID and secret.
fn basic(client_id: &str, secret: &str) -> String {
    use base64::Engine;
    let encode = |value: &str| {
        serde_urlencoded::to_string([("", value)])
            .unwrap_or_default()
            .trim_start_matches('=')
            .to_owned()
    };
    let pair = format!("{}:{}", encode(client_id), encode(secret));
    format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(pair)
    )
}

/// The `access_token` of a successful raw token response, after checking `Cache-Control: no-store`
/// (REQ-OAUTH-001).
fn access_token_of(what: &str, response: &RawResponse) -> Result<String, Failure> {
    let body = response.expect_status(what, 200)?;
    let cache_control = response.header("cache-control").unwrap_or_default();
    ensure!(
        cache_control
            .split(',')
            .any(|d| d.trim().eq_ignore_ascii_case("no-store")),
        "{what}: a token response must carry Cache-Control: no-store, got {cache_control:?} (REQ-OAUTH-001)"
    );
    ensure_eq(
        &format!("{what}: expires_in"),
        Some(3600),
        body.get("expires_in").and_then(|e| e.as_u64()),
    )?;
    body.get("access_token")
        .and_then(|t| t.as_str())
        .filter(|t| !t.is_empty())
        .map(str::to_owned)
        .ok_or_else(|| {
            Failure::new(format!(
                "{what}: the token response has no access_token: {body}"
            ))
        })
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
    let access_token = access_token_of(
        "a form-encoded token request without Idempotency-Key, as OAuth client libraries send it",
        &response,
    )?;
    ensure_eq(
        "list_accounts with the second access token",
        vec![seller.account_id.clone()],
        account_ids(
            &ctx.client_with_token(&access_token),
            "list_accounts with the second access token",
        )
        .await?,
    )?;

    // HTTP Basic client authentication, with a `scope` and a parameter the endpoint does not know:
    // both are ignored, and the token carries the platform's own permissions.
    let response = raw_token_with(
        &ctx,
        &basic(&platform.client_id, platform.client_secret()),
        &[
            ("grant_type", "client_credentials"),
            ("scope", "transactions_read association"),
            ("audience", "ucr-conformance"),
        ],
    )
    .await?;
    let third = access_token_of(
        "a token request with HTTP Basic client authentication, a scope and an unknown parameter \
         (REQ-OAUTH-002, REQ-OAUTH-004, REQ-OAUTH-007)",
        &response,
    )?;
    ensure_eq(
        "list_accounts with the token from HTTP Basic",
        vec![seller.account_id.clone()],
        account_ids(
            &ctx.client_with_token(&third),
            "list_accounts with the token from HTTP Basic",
        )
        .await?,
    )?;
    ensure!(
        issued.access_token != access_token
            && access_token != third
            && issued.access_token != third,
        "issue_token gave the same access_token twice; each token is fresh (REQ-OAUTH-006)"
    );
    // Earlier tokens of the same client stay valid (REQ-OAUTH-006).
    ensure_eq(
        "list_accounts with the first access token after two more were issued",
        vec![seller.account_id.clone()],
        account_ids(
            &ctx.client_with_token(&issued.access_token),
            "list_accounts with the first access token",
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
    // REQ-OAUTH-005: only one of client_id and client_secret may be either answer.
    let response = raw_token(
        &ctx,
        &[
            ("grant_type", "client_credentials"),
            ("client_id", &platform.client_id),
        ],
    )
    .await?;
    if response.status == 401 {
        expect_oauth_error(
            "issue_token without client_secret",
            &response,
            401,
            "invalid_client",
        )?;
    } else {
        expect_oauth_error(
            "issue_token without client_secret",
            &response,
            400,
            "invalid_request",
        )?;
    }
    let id = platform.client_id.as_str();
    let secret = platform.client_secret();
    // REQ-OAUTH-002: malformed token requests are invalid_request.
    for (what, pairs) in [
        (
            "issue_token without grant_type",
            vec![("client_id", id), ("client_secret", secret)],
        ),
        (
            "issue_token with grant_type given twice",
            vec![
                ("grant_type", "client_credentials"),
                ("grant_type", "client_credentials"),
                ("client_id", id),
                ("client_secret", secret),
            ],
        ),
    ] {
        let response = raw_token(&ctx, &pairs).await?;
        expect_oauth_error(what, &response, 400, "invalid_request")?;
    }
    let response = ctx
        .raw("issue_token", reqwest::Method::POST, "/v1/oauth/token")
        .no_idempotency_key()
        .json(&serde_json::json!({
            "grant_type": "client_credentials",
            "client_id": id,
            "client_secret": secret,
        }))
        .send()
        .await?;
    expect_oauth_error(
        "issue_token with a JSON body (Content-Type: application/json)",
        &response,
        400,
        "invalid_request",
    )?;
    // REQ-OAUTH-004: HTTP Basic and body credentials at once.
    let response = raw_token_with(
        &ctx,
        &basic(id, secret),
        &[
            ("grant_type", "client_credentials"),
            ("client_id", id),
            ("client_secret", secret),
        ],
    )
    .await?;
    expect_oauth_error(
        "issue_token with HTTP Basic and client_id/client_secret in the body",
        &response,
        400,
        "invalid_request",
    )?;
    // REQ-OAUTH-003: an unsupported grant is refused before client authentication.
    let response = raw_token(
        &ctx,
        &[
            ("grant_type", "password"),
            ("client_id", id),
            ("client_secret", "not-the-secret"),
        ],
    )
    .await?;
    expect_oauth_error(
        "issue_token with grant_type=password and a wrong secret",
        &response,
        400,
        "unsupported_grant_type",
    )?;
    // REQ-OAUTH-005: no client authentication at all (a Bearer header is none), and a wrong
    // secret by HTTP Basic, which adds a Basic challenge.
    let response = raw_token(&ctx, &[("grant_type", "client_credentials")]).await?;
    expect_oauth_error(
        "issue_token without client authentication",
        &response,
        401,
        "invalid_client",
    )?;
    let response = raw_token_with(
        &ctx,
        &format!("Bearer {}", platform.token()),
        &[("grant_type", "client_credentials")],
    )
    .await?;
    expect_oauth_error(
        "issue_token with only `Authorization: Bearer <platform token>`",
        &response,
        401,
        "invalid_client",
    )?;
    let response = raw_token_with(
        &ctx,
        &basic(id, "not-the-secret"),
        &[("grant_type", "client_credentials")],
    )
    .await?;
    expect_oauth_error(
        "issue_token with a wrong secret by HTTP Basic",
        &response,
        401,
        "invalid_client",
    )?;
    let challenge = response.header("www-authenticate").unwrap_or_default();
    ensure!(
        challenge
            .trim_start()
            .to_ascii_lowercase()
            .starts_with("basic"),
        "issue_token with a wrong secret by HTTP Basic: WWW-Authenticate is {challenge:?}, expected a Basic challenge (REQ-OAUTH-005)"
    );
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
    let party = ctx.holder_with_one_rep().await?;
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
    let lower = challenge.to_ascii_lowercase();
    ensure!(
        lower.starts_with("bearer")
            && lower
                .split(',')
                .filter_map(|p| p.split_once('='))
                .any(|(name, value)| {
                    name.trim().ends_with("error")
                        && value.trim().trim_matches('"') == "invalid_token"
                }),
        "the 401 for an expired access token must carry WWW-Authenticate: Bearer error=\"invalid_token\", got {challenge:?} (REQ-AUTH-002)"
    );
    // Tokens handed out by the sandbox never expire (REQ-AUTH-005).
    ctx.client_with_token(party.rep.token())
        .get_account()
        .account_id(&party.account_id)
        .send()
        .await
        .expect_ok(
            "get_account with a representative's sandbox token, 3601 s after it was handed out",
        )?;
    ctx.client_with_token(platform.token())
        .list_accounts()
        .send()
        .await
        .expect_ok(
            "list_accounts with the platform's sandbox token, 3601 s after it was handed out",
        )?;
    let fresh = token(&ctx, &platform, "issue_token after the expiry").await?;
    ctx.client_with_token(&fresh.access_token)
        .list_accounts()
        .send()
        .await
        .expect_ok("list_accounts with a new access token")?;
    Ok(())
}
