//! AS: the authorization server (issue 13), model-independent: discovery, the authorization
//! endpoint (exact redirect URIs, PKCE S256 only, errors at the redirect URI with the `state`),
//! the consent page and its decision, the code grant (single-use, short-lived, PKCE verified),
//! refresh-token rotation with reuse detection, revocation, scopes on representatives' tokens,
//! consent through the flow, and the sandbox's OAuth clients.

use ucr_sdk::ProblemKind;
use ucr_sdk::types::{ConsentScope, NewOAuthClient, NewPlatform, OAuthClientType, PlatformKind};

use super::support::authz::{
    self, AUTHORIZE, App, Pkce, REVOKE, TOKEN, authorize, exchange, exchange_code,
    expect_oauth_error, expect_redirect, expect_redirected_error, expect_refresh_refused,
    expect_token_status, post_as, query, refresh, register_app, revoke, sign_in, tokens, tokens_of,
};
use super::support::revoke_consent;
use crate::assert::{SdkResultExt, ensure_eq};
use crate::check::Check;
use crate::ctx::{Attrs, Ctx, by_quantity};
use crate::ensure;
use crate::outcome::Failure;

/// Seed section: representatives' apps and platforms sign in at the registry (issue 13).
const AS: &str = "Class A and B: API access for an authorised representative's apps and, by the holder's consent, for platforms";

/// Each check names what it needs (`requires`): the token endpoint is the authorization server's
/// here, so the `oauth_client_credentials` feature its operation would imply is not needed; the
/// sandbox registers the OAuth clients and representatives.
pub(super) const CHECKS: &[Check] = &[
    check! {
        id: "AS-DISCOVERY-001",
        model: AuthorizationServer,
        seed: AS,
        operations: ["get_authorization_server_metadata"],
        description: "The RFC 8414 discovery document names the base URL as issuer, the three endpoints under it, code + PKCE S256, the three grants, the client authentication methods and every scope",
        run: discovery,
        requires: [],
        cites: ["REQ-AUTHZ-001", "REQ-AUTHZ-002"],
    },
    check! {
        id: "AS-REDIRECT-001",
        model: AuthorizationServer,
        seed: AS,
        operations: ["create_oauth_client", "authorize"],
        description: "An unknown client, or a redirect_uri that is not exactly a registered one (trailing slash, longer or shorter path, added query), gets a 400 problem and no redirect",
        run: redirect_uri_exact,
        requires: [Sandbox],
        cites: ["REQ-AUTHZ-003"],
    },
    check! {
        id: "AS-AUTHORIZE-001",
        model: AuthorizationServer,
        seed: AS,
        operations: ["create_oauth_client", "authorize"],
        description: "PKCE is required (no challenge, plain or no method refused), and every other authorization error is a 302 to the redirect URI with error, error_description and the state unchanged",
        run: authorization_errors,
        requires: [Sandbox],
        cites: ["REQ-AUTHZ-004", "REQ-AUTHZ-005", "REQ-AUTHZ-006"],
    },
    check! {
        id: "AS-AUTHORIZE-002",
        model: AuthorizationServer,
        seed: AS,
        operations: ["create_oauth_client", "authorize"],
        description: "The sandbox's login_hint approves at once: a 302 carrying exactly code and the state; a login_hint naming no representative redirects with invalid_request",
        run: login_hint,
        requires: [Sandbox],
        cites: ["REQ-AUTHZ-008", "REQ-AUTHZ-011"],
    },
    check! {
        id: "AS-PAGE-001",
        model: AuthorizationServer,
        seed: AS,
        operations: ["create_oauth_client", "authorize", "decide_authorization"],
        description: "The consent page is HTML naming the client, offering the representative and posting to the authorization endpoint; decline gives 303 access_denied with the state, approve 303 with only code and state; a decided or unknown request, or a representative not offered, is a 400 problem",
        run: consent_page,
        requires: [Sandbox],
        cites: ["REQ-AUTHZ-007", "REQ-AUTHZ-009", "REQ-AUTHZ-010", "REQ-AUTHZ-011"],
    },
    check! {
        id: "AS-CODE-001",
        model: AuthorizationServer,
        seed: AS,
        operations: ["create_oauth_client", "authorize", "issue_token", "list_accounts"],
        description: "A code exchanges only with its PKCE verifier (wrong: invalid_grant; none: invalid_request), its redirect_uri and its client; confidential clients authenticate (401 invalid_client with WWW-Authenticate: Basic)",
        run: code_exchange,
        requires: [Sandbox],
        cites: ["REQ-AUTHZ-012", "REQ-AUTHZ-013", "REQ-AUTHZ-015"],
    },
    check! {
        id: "AS-CODE-002",
        model: AuthorizationServer,
        seed: AS,
        operations: ["create_oauth_client", "authorize", "issue_token", "list_accounts"],
        description: "A code is single-use: the second exchange is invalid_grant and revokes the tokens the first gave",
        run: code_single_use,
        requires: [Sandbox],
        cites: ["REQ-AUTHZ-014"],
    },
    check! {
        id: "AS-CODE-003",
        model: AuthorizationServer,
        seed: AS,
        operations: ["create_oauth_client", "authorize", "issue_token", "list_accounts", "advance_clock"],
        description: "A code lapses 60 s after issue and a flow access token 3600 s after issue (sandbox clock); the refresh token still works",
        run: code_and_token_lapse,
        phase: Clock,
        requires: [Sandbox, SandboxClock],
        cites: ["REQ-AUTHZ-014", "REQ-AUTHZ-020"],
    },
    check! {
        id: "AS-REFRESH-001",
        model: AuthorizationServer,
        seed: AS,
        operations: ["create_oauth_client", "authorize", "issue_token", "list_accounts"],
        description: "Refresh rotates the refresh token, may narrow the scope (not widen it: invalid_scope), and a reused refresh token is invalid_grant and revokes the whole family",
        run: refresh_rotation,
        requires: [Sandbox],
        cites: ["REQ-AUTHZ-016", "REQ-AUTHZ-017", "REQ-AUTHZ-018"],
    },
    check! {
        id: "AS-REVOKE-001",
        model: AuthorizationServer,
        seed: AS,
        operations: ["create_oauth_client", "authorize", "issue_token", "revoke_token", "list_accounts"],
        description: "Revocation answers 200 for known and unknown tokens; a revoked token is refused on the next request; revoking a refresh token ends its access tokens; another client cannot revoke; malformed requests are invalid_request",
        run: revocation,
        requires: [Sandbox],
        cites: ["REQ-AUTHZ-021", "REQ-AUTHZ-022", "REQ-AUTHZ-023"],
    },
    check! {
        id: "AS-SCOPE-001",
        model: AuthorizationServer,
        seed: AS,
        operations: ["create_oauth_client", "authorize", "issue_token", "list_accounts", "list_holdings", "initiate_transfer"],
        description: "A token without transfers:write reads but cannot initiate (403 insufficient-scope, WWW-Authenticate insufficient_scope naming the scope, nothing changes); with it, it acts as the representative; sandbox tokens keep every scope",
        run: scopes_enforced,
        requires: [Sandbox],
        cites: ["REQ-AUTHZ-024", "REQ-AUTHZ-025"],
    },
    check! {
        id: "AS-CONSENT-001",
        model: AuthorizationServer,
        seed: AS,
        operations: ["create_platform", "authorize", "decide_authorization", "issue_token", "list_consents", "list_account_consents", "list_holdings", "revoke_consent"],
        description: "A platform with redirect_uris asks consent through the flow: declined creates nothing; approved creates the consent (list_consents, list_account_consents), the code gives a platform token with the consent scope that reads holdings until the consent is revoked",
        run: consent_through_the_flow,
        requires: [Sandbox],
        cites: ["REQ-AUTHZ-009", "REQ-AUTHZ-026", "REQ-AUTHZ-027", "REQ-AUTHZ-029"],
    },
    check! {
        id: "AS-CLIENT-001",
        model: AuthorizationServer,
        seed: AS,
        operations: ["create_oauth_client", "issue_token"],
        description: "Sandbox OAuth clients: a secret only for confidential ones, invalid redirect_uris refused 422; a representative's app may not use client_credentials (unauthorized_client); unknown refresh tokens are invalid_grant",
        run: oauth_clients,
        requires: [Sandbox],
        cites: ["REQ-AUTHZ-019", "REQ-AUTHZ-028"],
    },
];

/// An authorization request's query.
type Query = Vec<(&'static str, String)>;

const READ: &str = "accounts:read";
const READ_WRITE: &str = "accounts:read transfers:write";

async fn discovery(ctx: Ctx) -> Result<(), Failure> {
    let response = ctx
        .raw(
            "get_authorization_server_metadata",
            reqwest::Method::GET,
            "/.well-known/oauth-authorization-server",
        )
        .send()
        .await?;
    let what = "GET /.well-known/oauth-authorization-server without credentials";
    let metadata = response
        .expect_status(what, 200)
        .map_err(|f| f.violates("REQ-AUTHZ-001"))?;
    let base = ctx.base_url().trim_end_matches('/');
    let text = |name: &str| metadata.get(name).and_then(|v| v.as_str());
    ensure_eq(&format!("{what}: issuer"), Some(base), text("issuer"))
        .map_err(|f| f.violates("REQ-AUTHZ-001"))?;
    for (name, path) in [
        ("authorization_endpoint", AUTHORIZE),
        ("token_endpoint", TOKEN),
        ("revocation_endpoint", REVOKE),
    ] {
        ensure_eq(
            &format!("{what}: {name}"),
            Some(format!("{base}{path}").as_str()),
            text(name),
        )
        .map_err(|f| f.violates("REQ-AUTHZ-001"))?;
    }
    let list = |name: &str| -> Vec<String> {
        let mut items: Vec<String> = metadata
            .get(name)
            .and_then(|v| v.as_array())
            .map(|a| {
                a.iter()
                    .filter_map(|v| v.as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default();
        items.sort_unstable();
        items
    };
    let sorted = |items: &[&str]| {
        let mut items: Vec<String> = items.iter().map(|s| (*s).to_owned()).collect();
        items.sort_unstable();
        items
    };
    let auth_methods = sorted(&["client_secret_basic", "client_secret_post", "none"]);
    for (name, expected) in [
        ("response_types_supported", sorted(&["code"])),
        ("code_challenge_methods_supported", sorted(&["S256"])),
        (
            "token_endpoint_auth_methods_supported",
            auth_methods.clone(),
        ),
        ("revocation_endpoint_auth_methods_supported", auth_methods),
    ] {
        ensure_eq(&format!("{what}: {name}"), expected, list(name))
            .map_err(|f| f.violates("REQ-AUTHZ-002"))?;
    }
    let grants = list("grant_types_supported");
    for grant in ["authorization_code", "refresh_token", "client_credentials"] {
        ensure!(
            grants.iter().any(|g| g == grant),
            "{what}: grant_types_supported {grants:?} lacks {grant} (REQ-AUTHZ-002)"
        );
    }
    let scopes = list("scopes_supported");
    for scope in [
        "accounts:read",
        "transfers:write",
        "cancellations:write",
        "consents:write",
        "trading:write",
        "consent:holdings_read",
        "consent:transactions_read",
        "consent:reserved_units_read",
        "consent:association",
    ] {
        ensure!(
            scopes.iter().any(|s| s == scope),
            "{what}: scopes_supported {scopes:?} lacks {scope} (REQ-AUTHZ-002)"
        );
    }
    Ok(())
}

/// Expects the authorization endpoint to refuse without redirecting: `400`, a problem document
/// and no `Location`.
fn expect_refused_here(what: &str, response: &crate::ctx::RawResponse) -> Result<(), Failure> {
    ensure!(
        response.status == 400 && response.header("location").is_none(),
        "{what}: expected a 400 problem and no redirect, got HTTP {} (Location: {:?})",
        response.status,
        response.header("location")
    );
    ensure!(
        response
            .content_type()
            .is_some_and(|t| t.starts_with("application/problem+json")),
        "{what}: expected a problem document, got Content-Type {:?}",
        response.content_type()
    );
    Ok(())
}

async fn redirect_uri_exact(ctx: Ctx) -> Result<(), Failure> {
    let party = ctx.holder_with_one_rep().await?;
    let app = register_app(&ctx, false).await?;
    let pkce = Pkce::new();
    let registered = app.redirect_uri.clone();
    let shorter = registered.trim_end_matches("/callback").to_owned();
    for (what, client_id, redirect_uri) in [
        (
            "an unknown client_id",
            "no-such-client".to_owned(),
            registered.clone(),
        ),
        (
            "the redirect URI with a trailing slash",
            app.client_id.clone(),
            format!("{registered}/"),
        ),
        (
            "a longer redirect URI the registered one is a prefix of",
            app.client_id.clone(),
            format!("{registered}-evil"),
        ),
        (
            "a redirect URI with a further path segment",
            app.client_id.clone(),
            format!("{registered}/more"),
        ),
        (
            "the redirect URI with an added query",
            app.client_id.clone(),
            format!("{registered}?next=1"),
        ),
        (
            "a redirect URI that is a prefix of the registered one",
            app.client_id.clone(),
            shorter.clone(),
        ),
        (
            "the redirect URI on another host",
            app.client_id.clone(),
            registered.replace("127.0.0.1", "localhost"),
        ),
    ] {
        let mut query = query(&app, READ, "s-1", &pkce);
        query.retain(|(n, _)| *n != "client_id" && *n != "redirect_uri");
        query.push(("client_id", client_id));
        query.push(("redirect_uri", redirect_uri));
        query.push(("login_hint", party.rep.id.clone()));
        let response = authorize(&ctx, &query).await?;
        expect_refused_here(&format!("authorize with {what}"), &response)
            .map_err(|f| f.violates("REQ-AUTHZ-003"))?;
    }
    // The exact URI works.
    sign_in(&ctx, &app, &party.rep.id, READ, None).await?;
    Ok(())
}

async fn authorization_errors(ctx: Ctx) -> Result<(), Failure> {
    let party = ctx.holder_with_one_rep().await?;
    let app = register_app(&ctx, false).await?;
    let pkce = Pkce::new();
    let state = "xyz ABC/+=&state";
    let with = |changes: &[(&'static str, Option<&str>)], scope: &str| {
        let mut q = query(&app, scope, state, &pkce);
        for (name, value) in changes {
            q.retain(|(n, _)| n != name);
            if let Some(value) = value {
                q.push((name, (*value).to_owned()));
            }
        }
        q.push(("login_hint", party.rep.id.clone()));
        q
    };
    let cases: Vec<(&str, Query, &str, &str)> = vec![
        (
            "response_type=token",
            with(&[("response_type", Some("token"))], READ),
            "unsupported_response_type",
            "REQ-AUTHZ-004",
        ),
        (
            "no code_challenge",
            with(&[("code_challenge", None)], READ),
            "invalid_request",
            "REQ-AUTHZ-005",
        ),
        (
            "code_challenge_method=plain",
            with(
                &[
                    ("code_challenge_method", Some("plain")),
                    ("code_challenge", Some(&pkce.verifier)),
                ],
                READ,
            ),
            "invalid_request",
            "REQ-AUTHZ-005",
        ),
        (
            "no code_challenge_method",
            with(&[("code_challenge_method", None)], READ),
            "invalid_request",
            "REQ-AUTHZ-005",
        ),
        (
            "an unknown scope",
            with(&[], "accounts:read accounts:admin"),
            "invalid_scope",
            "REQ-AUTHZ-006",
        ),
        (
            "an empty scope",
            with(&[], ""),
            "invalid_scope",
            "REQ-AUTHZ-006",
        ),
        (
            "a consent scope asked by a representative's app",
            with(
                &[("account_id", Some(&party.account_id))],
                "consent:holdings_read",
            ),
            "invalid_scope",
            "REQ-AUTHZ-006",
        ),
        (
            "account_id with representative scopes",
            with(&[("account_id", Some(&party.account_id))], READ),
            "invalid_request",
            "REQ-AUTHZ-006",
        ),
    ];
    for (what, query, code, requirement) in cases {
        let response = authorize(&ctx, &query).await?;
        expect_redirected_error(
            &format!("authorize with {what}"),
            &response,
            &app,
            code,
            state,
        )
        .map_err(|f| f.violates(requirement))?;
    }
    Ok(())
}

async fn login_hint(ctx: Ctx) -> Result<(), Failure> {
    let party = ctx.holder_with_one_rep().await?;
    let app = register_app(&ctx, false).await?;
    let code = sign_in(&ctx, &app, &party.rep.id, READ_WRITE, None)
        .await
        .map_err(|f| f.violates("REQ-AUTHZ-008"))?;
    ensure!(
        !code.code.is_empty(),
        "the login_hint redirect carries an empty code"
    );
    let pkce = Pkce::new();
    let mut q = query(&app, READ, "s-2", &pkce);
    q.push(("login_hint", "AR-999999".to_owned()));
    let response = authorize(&ctx, &q).await?;
    expect_redirected_error(
        "authorize with a login_hint naming no representative",
        &response,
        &app,
        "invalid_request",
        "s-2",
    )
    .map_err(|f| f.violates("REQ-AUTHZ-008"))
}

/// The consent page's `request_id`, read from its hidden input.
fn request_id_of(page: &str) -> Option<String> {
    let at = page.find("name=\"request_id\"")?;
    let tag_start = page[..at].rfind('<')?;
    let tag_end = at + page[at..].find('>')?;
    let tag = &page[tag_start..tag_end];
    let value = tag.split("value=\"").nth(1)?;
    Some(value[..value.find('"')?].to_owned())
}

async fn open_page(
    ctx: &Ctx,
    app: &App,
    scope: &str,
    state: &str,
    account_id: Option<&str>,
) -> Result<(String, String), Failure> {
    let mut q = query(app, scope, state, &Pkce::new());
    if let Some(account_id) = account_id {
        q.push(("account_id", account_id.to_owned()));
    }
    let response = authorize(ctx, &q).await?;
    let what = format!("authorize {scope:?} without login_hint");
    ensure!(
        response.status == 200
            && response
                .content_type()
                .is_some_and(|t| t.starts_with("text/html")),
        "{what}: expected the 200 text/html consent page, got HTTP {} {:?}",
        response.status,
        response.content_type()
    );
    let page = String::from_utf8_lossy(&response.body).into_owned();
    let request_id = request_id_of(&page)
        .ok_or_else(|| Failure::new(format!("{what}: the page has no hidden request_id input")))?;
    Ok((page, request_id))
}

/// Whether the page's form posts to the authorization endpoint: `method="post"`, and an action
/// that is that path (relative or absolute) or absent or empty (the page's own path).
fn posts_to_authorize(page: &str) -> bool {
    let lower = page.to_ascii_lowercase();
    let Some(start) = lower.find("<form") else {
        return false;
    };
    let Some(end) = lower[start..].find('>') else {
        return false;
    };
    let tag = &page[start..start + end];
    let tag_lower = &lower[start..start + end];
    let attribute = |name: &str| {
        let at = tag_lower.find(&format!("{name}=\""))?;
        let value = &tag[at + name.len() + 2..];
        Some(value[..value.find('"')?].to_owned())
    };
    let post = attribute("method").is_some_and(|m| m.eq_ignore_ascii_case("post"));
    let action = attribute("action").unwrap_or_default();
    let action_path = action.split('?').next().unwrap_or_default();
    post && (action_path.is_empty() || action_path.ends_with(AUTHORIZE))
}

async fn decide(
    ctx: &Ctx,
    request_id: &str,
    representative_id: &str,
    decision: &str,
) -> Result<crate::ctx::RawResponse, Failure> {
    ctx.raw("decide_authorization", reqwest::Method::POST, AUTHORIZE)
        .no_idempotency_key()
        .without_redirects()
        .form(&[
            ("request_id", request_id),
            ("representative_id", representative_id),
            ("decision", decision),
        ])
        .send()
        .await
}

async fn consent_page(ctx: Ctx) -> Result<(), Failure> {
    let party = ctx.holder_with_one_rep().await?;
    let app = register_app(&ctx, false).await?;
    let (page, request_id) = open_page(&ctx, &app, READ_WRITE, "page-1", None)
        .await
        .map_err(|f| f.violates("REQ-AUTHZ-007"))?;
    for (what, present) in [
        (
            "a <form method=\"post\"> whose action is /v1/oauth/authorize (or the page's own path)",
            posts_to_authorize(&page),
        ),
        ("the client's name", page.contains(&app.name)),
        (
            "a <select name=\"representative_id\">",
            page.contains("name=\"representative_id\""),
        ),
        (
            "the representative as an option",
            page.contains(&format!("value=\"{}\"", party.rep.id)),
        ),
        ("an approve button", page.contains("value=\"approve\"")),
        ("a decline button", page.contains("value=\"decline\"")),
    ] {
        ensure!(present, "the consent page lacks {what} (REQ-AUTHZ-007)");
    }
    let declined = decide(&ctx, &request_id, &party.rep.id, "decline").await?;
    let redirect = expect_redirect(
        "decline on the consent page",
        &declined,
        303,
        &app.redirect_uri,
    )
    .map_err(|f| f.violates("REQ-AUTHZ-009"))?;
    ensure!(
        redirect.param("error") == Some("access_denied")
            && redirect.param("state") == Some("page-1")
            && redirect.param("code").is_none(),
        "decline: expected error=access_denied and state=page-1 without a code, got {:?} (REQ-AUTHZ-009)",
        redirect.names()
    );
    let again = decide(&ctx, &request_id, &party.rep.id, "approve").await?;
    expect_refused_here("approving a request already declined", &again)
        .map_err(|f| f.violates("REQ-AUTHZ-010"))?;
    let unknown = decide(&ctx, "no-such-request", &party.rep.id, "approve").await?;
    expect_refused_here("deciding an unknown request_id", &unknown)
        .map_err(|f| f.violates("REQ-AUTHZ-010"))?;
    let (_, request_id) = open_page(&ctx, &app, READ_WRITE, "page-2", None).await?;
    let stranger = decide(&ctx, &request_id, "AR-999999", "approve").await?;
    expect_refused_here(
        "approving as a representative the page did not offer",
        &stranger,
    )
    .map_err(|f| f.violates("REQ-AUTHZ-010"))?;
    let approved = decide(&ctx, &request_id, &party.rep.id, "approve").await?;
    let redirect = expect_redirect(
        "approve on the consent page",
        &approved,
        303,
        &app.redirect_uri,
    )
    .map_err(|f| f.violates("REQ-AUTHZ-009"))?;
    ensure!(
        redirect.names() == ["code", "state"] && redirect.param("state") == Some("page-2"),
        "approve: the redirect must carry exactly code and state=page-2, got {:?} (REQ-AUTHZ-009, REQ-AUTHZ-011)",
        redirect.names()
    );
    Ok(())
}

async fn code_exchange(ctx: Ctx) -> Result<(), Failure> {
    let party = ctx.holder_with_one_rep().await?;
    let app = register_app(&ctx, false).await?;
    let other = register_app(&ctx, false).await?;
    let rep = &party.rep.id;

    let code = sign_in(&ctx, &app, rep, READ, None).await?;
    let wrong = Pkce::new();
    let response = exchange(&ctx, &app, &code.code, &wrong.verifier, &app.redirect_uri).await?;
    expect_oauth_error(
        "exchanging a code with another verifier",
        &response,
        400,
        "invalid_grant",
    )
    .map_err(|f| f.violates("REQ-AUTHZ-013"))?;
    let response = exchange(
        &ctx,
        &app,
        &code.code,
        &code.pkce.challenge,
        &app.redirect_uri,
    )
    .await?;
    expect_oauth_error(
        "exchanging a code with its challenge as the verifier",
        &response,
        400,
        "invalid_grant",
    )
    .map_err(|f| f.violates("REQ-AUTHZ-013"))?;

    let code = sign_in(&ctx, &app, rep, READ, None).await?;
    let response = post_as(
        &ctx,
        &app,
        "issue_token",
        TOKEN,
        &[
            ("grant_type", "authorization_code"),
            ("code", &code.code),
            ("redirect_uri", &app.redirect_uri),
        ],
    )
    .await?;
    expect_oauth_error(
        "exchanging a code without code_verifier",
        &response,
        400,
        "invalid_request",
    )
    .map_err(|f| f.violates("REQ-AUTHZ-013"))?;

    let code = sign_in(&ctx, &app, rep, READ, None).await?;
    let response = exchange(
        &ctx,
        &app,
        &code.code,
        &code.pkce.verifier,
        &format!("{}/", app.redirect_uri),
    )
    .await?;
    expect_oauth_error(
        "exchanging a code with another redirect_uri",
        &response,
        400,
        "invalid_grant",
    )
    .map_err(|f| f.violates("REQ-AUTHZ-012"))?;

    let code = sign_in(&ctx, &app, rep, READ, None).await?;
    let response = exchange(
        &ctx,
        &other,
        &code.code,
        &code.pkce.verifier,
        &app.redirect_uri,
    )
    .await?;
    expect_oauth_error(
        "exchanging a code as another client",
        &response,
        400,
        "invalid_grant",
    )
    .map_err(|f| f.violates("REQ-AUTHZ-012"))?;

    let code = sign_in(&ctx, &app, rep, READ_WRITE, None).await?;
    let response = exchange_code(&ctx, &app, &code).await?;
    let issued = tokens_of("exchanging a code with its verifier", &response)
        .map_err(|f| f.violates("REQ-AUTHZ-012"))?;
    ensure_eq(
        "the token's scope",
        vec!["accounts:read".to_owned(), "transfers:write".to_owned()],
        issued.scope.clone(),
    )
    .map_err(|f| f.violates("REQ-AUTHZ-012"))?;
    expect_token_status(
        &ctx,
        "list_accounts with the flow's access token",
        200,
        &issued.access,
        "REQ-AUTHZ-012",
    )
    .await?;

    // A confidential client authenticates; a wrong secret by HTTP Basic is 401 with a challenge.
    let confidential = register_app(&ctx, true).await?;
    let code = sign_in(&ctx, &confidential, rep, READ, None).await?;
    let wrong_secret = App {
        secret: Some("not-the-secret".to_owned()),
        ..confidential.clone()
    };
    let response = exchange_code(&ctx, &wrong_secret, &code).await?;
    expect_oauth_error(
        "a confidential client with a wrong secret (HTTP Basic)",
        &response,
        401,
        "invalid_client",
    )
    .map_err(|f| f.violates("REQ-AUTHZ-015"))?;
    ensure!(
        response
            .header("www-authenticate")
            .is_some_and(|v| v.to_ascii_lowercase().starts_with("basic")),
        "401 invalid_client after HTTP Basic must carry WWW-Authenticate: Basic (REQ-AUTHZ-015)"
    );
    let public_like = App {
        secret: None,
        ..confidential.clone()
    };
    let code = sign_in(&ctx, &confidential, rep, READ, None).await?;
    let response = exchange_code(&ctx, &public_like, &code).await?;
    expect_oauth_error(
        "a confidential client sending client_id alone",
        &response,
        401,
        "invalid_client",
    )
    .map_err(|f| f.violates("REQ-AUTHZ-015"))?;
    let code = sign_in(&ctx, &confidential, rep, READ, None).await?;
    let response = exchange_code(&ctx, &confidential, &code).await?;
    tokens_of(
        "a confidential client exchanging a code with HTTP Basic",
        &response,
    )
    .map_err(|f| f.violates("REQ-AUTHZ-015"))?;
    Ok(())
}

async fn code_single_use(ctx: Ctx) -> Result<(), Failure> {
    let party = ctx.holder_with_one_rep().await?;
    let app = register_app(&ctx, false).await?;
    let code = sign_in(&ctx, &app, &party.rep.id, READ, None).await?;
    let first = exchange_code(&ctx, &app, &code).await?;
    let issued = tokens_of("the first exchange of a code", &first)?;
    let second = exchange_code(&ctx, &app, &code).await?;
    expect_oauth_error(
        "the second exchange of the same code",
        &second,
        400,
        "invalid_grant",
    )
    .map_err(|f| f.violates("REQ-AUTHZ-014"))?;
    expect_token_status(
        &ctx,
        "list_accounts with the access token of a code exchanged twice",
        401,
        &issued.access,
        "REQ-AUTHZ-014",
    )
    .await?;
    expect_refresh_refused(
        &ctx,
        &app,
        &issued.refresh,
        "the refresh token of a code exchanged twice",
        "REQ-AUTHZ-014",
    )
    .await
}

async fn code_and_token_lapse(ctx: Ctx) -> Result<(), Failure> {
    let party = ctx.holder_with_one_rep().await?;
    let app = register_app(&ctx, false).await?;
    let stale = sign_in(&ctx, &app, &party.rep.id, READ, None).await?;
    let issued = tokens(&ctx, &app, &party.rep.id, READ).await?;
    ctx.advance_clock(61).await?;
    let response = exchange_code(&ctx, &app, &stale).await?;
    expect_oauth_error(
        "exchanging a code 61 s after it was issued",
        &response,
        400,
        "invalid_grant",
    )
    .map_err(|f| f.violates("REQ-AUTHZ-014"))?;
    expect_token_status(
        &ctx,
        "list_accounts with a flow access token 61 s old",
        200,
        &issued.access,
        "REQ-AUTHZ-020",
    )
    .await?;
    ctx.advance_clock(3600).await?;
    expect_token_status(
        &ctx,
        "list_accounts with a flow access token 3661 s old",
        401,
        &issued.access,
        "REQ-AUTHZ-020",
    )
    .await?;
    let response = refresh(&ctx, &app, &issued.refresh, None).await?;
    let renewed = tokens_of("refreshing after the access token lapsed", &response)
        .map_err(|f| f.violates("REQ-AUTHZ-020"))?;
    expect_token_status(
        &ctx,
        "list_accounts with the refreshed access token",
        200,
        &renewed.access,
        "REQ-AUTHZ-020",
    )
    .await
}

async fn refresh_rotation(ctx: Ctx) -> Result<(), Failure> {
    let party = ctx.holder_with_one_rep().await?;
    let app = register_app(&ctx, false).await?;
    let first = tokens(&ctx, &app, &party.rep.id, READ_WRITE).await?;
    let response = refresh(&ctx, &app, &first.refresh, None).await?;
    let second = tokens_of("refreshing with the refresh token", &response)
        .map_err(|f| f.violates("REQ-AUTHZ-016"))?;
    ensure!(
        second.refresh != first.refresh && second.access != first.access,
        "a refresh must return a new access token and a new refresh token (rotation, REQ-AUTHZ-016)"
    );
    expect_token_status(
        &ctx,
        "list_accounts with the refreshed access token",
        200,
        &second.access,
        "REQ-AUTHZ-016",
    )
    .await?;
    let response = refresh(&ctx, &app, &second.refresh, Some(READ)).await?;
    let narrowed = tokens_of("refreshing with a narrower scope", &response)
        .map_err(|f| f.violates("REQ-AUTHZ-018"))?;
    ensure_eq(
        "the narrowed token's scope",
        vec![READ.to_owned()],
        narrowed.scope.clone(),
    )
    .map_err(|f| f.violates("REQ-AUTHZ-018"))?;
    // Whether a refused refresh uses its refresh token up is left open: this one is not used again
    // except to see it refused once the family is revoked.
    let response = refresh(
        &ctx,
        &app,
        &narrowed.refresh,
        Some("accounts:read cancellations:write"),
    )
    .await?;
    expect_oauth_error(
        "refreshing with a scope that was not granted",
        &response,
        400,
        "invalid_scope",
    )
    .map_err(|f| f.violates("REQ-AUTHZ-018"))?;
    // The first refresh token was used: presenting it again revokes the family.
    expect_refresh_refused(
        &ctx,
        &app,
        &first.refresh,
        "reusing a refresh token already used",
        "REQ-AUTHZ-017",
    )
    .await?;
    for (what, token) in [
        ("the first access token", &first.access),
        ("the refreshed access token", &second.access),
        ("the narrowed access token", &narrowed.access),
    ] {
        expect_token_status(
            &ctx,
            &format!("list_accounts with {what} after a refresh token was reused"),
            401,
            token,
            "REQ-AUTHZ-017",
        )
        .await?;
    }
    expect_refresh_refused(
        &ctx,
        &app,
        &narrowed.refresh,
        "the latest refresh token after the family was revoked",
        "REQ-AUTHZ-017",
    )
    .await
}

async fn revocation(ctx: Ctx) -> Result<(), Failure> {
    let party = ctx.holder_with_one_rep().await?;
    let app = register_app(&ctx, false).await?;
    let other = register_app(&ctx, false).await?;
    let issued = tokens(&ctx, &app, &party.rep.id, READ).await?;
    let expect_empty_200 =
        |what: &str, response: &crate::ctx::RawResponse| -> Result<(), Failure> {
            ensure!(
                response.status == 200 && response.body.is_empty(),
                "{what}: expected 200 with an empty body, got HTTP {}: {}",
                response.status,
                crate::text::snippet(&response.body, 200)
            );
            Ok(())
        };
    // Another client cannot revoke the token.
    let response = revoke(&ctx, &other, &issued.access).await?;
    expect_empty_200("another client revoking the access token", &response)
        .map_err(|f| f.violates("REQ-AUTHZ-021"))?;
    expect_token_status(
        &ctx,
        "list_accounts after another client tried to revoke the token",
        200,
        &issued.access,
        "REQ-AUTHZ-022",
    )
    .await?;
    let response = revoke(&ctx, &app, &issued.access).await?;
    expect_empty_200("revoking the access token", &response)
        .map_err(|f| f.violates("REQ-AUTHZ-021"))?;
    expect_token_status(
        &ctx,
        "list_accounts with the access token just revoked",
        401,
        &issued.access,
        "REQ-AUTHZ-021",
    )
    .await?;
    let response = revoke(&ctx, &app, "no-such-token").await?;
    expect_empty_200("revoking an unknown token", &response)
        .map_err(|f| f.violates("REQ-AUTHZ-021"))?;

    let family = tokens(&ctx, &app, &party.rep.id, READ).await?;
    let response = revoke(&ctx, &app, &family.refresh).await?;
    expect_empty_200("revoking a refresh token", &response)
        .map_err(|f| f.violates("REQ-AUTHZ-021"))?;
    expect_token_status(
        &ctx,
        "list_accounts with the access token of a revoked refresh token",
        401,
        &family.access,
        "REQ-AUTHZ-022",
    )
    .await?;
    expect_refresh_refused(
        &ctx,
        &app,
        &family.refresh,
        "refreshing with a revoked refresh token",
        "REQ-AUTHZ-021",
    )
    .await?;

    let response = post_as(
        &ctx,
        &app,
        "revoke_token",
        REVOKE,
        &[("token_type_hint", "access_token")],
    )
    .await?;
    expect_oauth_error("revoking without token", &response, 400, "invalid_request")
        .map_err(|f| f.violates("REQ-AUTHZ-023"))?;
    let response = ctx
        .raw("revoke_token", reqwest::Method::POST, REVOKE)
        .no_idempotency_key()
        .json(&serde_json::json!({"token": "x", "client_id": app.client_id}))
        .send()
        .await?;
    expect_oauth_error(
        "revoking with a JSON body",
        &response,
        400,
        "invalid_request",
    )
    .map_err(|f| f.violates("REQ-AUTHZ-023"))
}

async fn scopes_enforced(ctx: Ctx) -> Result<(), Failure> {
    let party = ctx.holder_with_one_rep().await?;
    let dest = ctx.holder_with_one_rep().await?;
    ctx.issue(&party.account_id, 10, &Attrs::accu()).await?;
    let app = register_app(&ctx, false).await?;
    let read_only = tokens(&ctx, &app, &party.rep.id, READ).await?;
    let reader = ctx.client_with_token(&read_only.access);
    let blocks = ctx
        .holdings(&reader, &party.account_id)
        .await
        .map_err(|f| f.violates("REQ-AUTHZ-025"))?;
    ensure_eq(
        "units read with an accounts:read token",
        10,
        blocks.iter().map(|b| b.quantity).sum::<u64>(),
    )?;
    let request = by_quantity(&party.account_id, &dest.account_id, "ACCU", 4);
    let response = ctx
        .raw("initiate_transfer", reqwest::Method::POST, "/v1/transfers")
        .bearer(&read_only.access)
        .json(&serde_json::to_value(&request).map_err(|e| Failure::new(e.to_string()))?)
        .send()
        .await?;
    let what = "initiate_transfer with a token without transfers:write";
    response
        .expect_problem(what, 403, ProblemKind::InsufficientScope)
        .map_err(|f| f.violates("REQ-AUTHZ-024"))?;
    let challenge = response.header("www-authenticate").unwrap_or_default();
    ensure!(
        challenge.to_ascii_lowercase().starts_with("bearer")
            && challenge.contains("error=\"insufficient_scope\"")
            && challenge.contains("scope=\"transfers:write\""),
        "{what}: WWW-Authenticate must be Bearer error=\"insufficient_scope\", scope=\"transfers:write\", got {challenge:?} (REQ-AUTHZ-024)"
    );
    let blocks = ctx.holdings(&party.rep.client, &party.account_id).await?;
    ensure!(
        blocks
            .iter()
            .all(|b| b.status == ucr_sdk::types::BlockStatus::Available),
        "a refused initiate_transfer changed the holdings: {blocks:?} (REQ-AUTHZ-024)"
    );
    let writer = tokens(&ctx, &app, &party.rep.id, READ_WRITE).await?;
    let writer = ctx.client_with_token(&writer.access);
    writer
        .initiate_transfer()
        .body(request.clone())
        .send()
        .await
        .expect_ok("initiate_transfer with a transfers:write token")
        .map_err(|f| f.violates("REQ-AUTHZ-025"))?;
    // A flow token acts as the representative: the representative's accounts only.
    let accounts =
        super::support::account_ids(&reader, "list_accounts with the flow token").await?;
    ensure_eq(
        "list_accounts with a flow token",
        vec![party.account_id.clone()],
        accounts,
    )
    .map_err(|f| f.violates("REQ-AUTHZ-025"))?;
    // The sandbox's own token keeps every scope.
    party
        .rep
        .client
        .initiate_transfer()
        .body(by_quantity(&party.account_id, &dest.account_id, "ACCU", 1))
        .send()
        .await
        .expect_ok("initiate_transfer with the appoint_representative token")
        .map_err(|f| f.violates("REQ-AUTHZ-025"))?;
    Ok(())
}

async fn consent_through_the_flow(ctx: Ctx) -> Result<(), Failure> {
    let party = ctx.holder_with_one_rep().await?;
    ctx.issue(&party.account_id, 7, &Attrs::accu()).await?;
    let redirect_uri = authz::redirect_uri(&ctx);
    let credential = ctx
        .operator("register a platform with redirect URIs")?
        .create_platform()
        .body(NewPlatform {
            kind: PlatformKind::TradingPlatform,
            name: authz::name(&ctx.unique("Conformance platform"))?,
            redirect_uris: vec![redirect_uri.clone()],
        })
        .send()
        .await
        .expect_ok("create_platform with redirect_uris (sandbox)")
        .map_err(|f| f.violates("REQ-AUTHZ-029"))?;
    let app = App {
        name: credential.platform.name.clone(),
        client_id: credential.client_id.clone(),
        secret: Some(credential.client_secret.clone()),
        redirect_uri,
    };
    let consents = |what: &'static str| {
        let client = ctx.client_with_token(&credential.token);
        async move {
            let page = client.list_consents().send().await.expect_ok(what)?;
            Ok::<_, Failure>(page.items)
        }
    };
    let scope = "consent:holdings_read";

    // Declined: nothing is created.
    let (_, request_id) = open_page(&ctx, &app, scope, "c-1", Some(&party.account_id)).await?;
    let declined = decide(&ctx, &request_id, &party.rep.id, "decline").await?;
    expect_redirect("declining the consent", &declined, 303, &app.redirect_uri)
        .map_err(|f| f.violates("REQ-AUTHZ-009"))?;
    ensure!(
        consents("list_consents after a declined consent")
            .await?
            .is_empty(),
        "a declined consent request created a consent (REQ-AUTHZ-009)"
    );

    // Approved: the consent exists, and the code gives the platform a token that uses it.
    let code = sign_in(&ctx, &app, &party.rep.id, scope, Some(&party.account_id)).await?;
    let listed = consents("list_consents after an approved consent").await?;
    ensure!(
        listed.len() == 1
            && listed[0].account_id == party.account_id
            && listed[0].scopes == [ConsentScope::HoldingsRead],
        "list_consents after approval: expected one holdings_read consent on {}, got {listed:?} (REQ-AUTHZ-026)",
        party.account_id
    );
    let on_account = party
        .rep
        .client
        .list_account_consents()
        .account_id(&party.account_id)
        .send()
        .await
        .expect_ok("list_account_consents after approval")?
        .items;
    ensure!(
        on_account
            .iter()
            .any(|c| c.consent_id == listed[0].consent_id),
        "list_account_consents does not show the consent granted through the flow (REQ-AUTHZ-026)"
    );
    let response = exchange_code(&ctx, &app, &code).await?;
    let body = response
        .expect_status("the platform exchanging its consent code", 200)
        .map_err(|f| f.violates("REQ-AUTHZ-027"))?;
    ensure_eq(
        "the platform token's scope",
        Some(scope),
        body.get("scope").and_then(|s| s.as_str()),
    )
    .map_err(|f| f.violates("REQ-AUTHZ-027"))?;
    let access = body
        .get("access_token")
        .and_then(|t| t.as_str())
        .unwrap_or_default()
        .to_owned();
    let platform = ctx.client_with_token(&access);
    let blocks = ctx
        .holdings(&platform, &party.account_id)
        .await
        .map_err(|f| f.violates("REQ-AUTHZ-027"))?;
    ensure_eq(
        "units the platform reads through the consent",
        7,
        blocks.iter().map(|b| b.quantity).sum::<u64>(),
    )?;
    revoke_consent(
        &party.rep.client,
        &listed[0].consent_id,
        "revoke_consent of the consent granted through the flow",
    )
    .await
    .map_err(|f| f.violates("REQ-AUTHZ-026"))?;
    let refused = platform
        .list_holdings()
        .account_id(&party.account_id)
        .send()
        .await;
    ensure!(
        refused.is_err(),
        "the platform still reads holdings after the consent was revoked (REQ-AUTHZ-026)"
    );
    Ok(())
}

async fn oauth_clients(ctx: Ctx) -> Result<(), Failure> {
    let public = register_app(&ctx, false)
        .await
        .map_err(|f| f.violates("REQ-AUTHZ-028"))?;
    let confidential = register_app(&ctx, true)
        .await
        .map_err(|f| f.violates("REQ-AUTHZ-028"))?;
    ensure!(
        public.client_id != confidential.client_id,
        "two create_oauth_client calls gave the same client_id (REQ-AUTHZ-028)"
    );
    let operator = ctx.operator("register OAuth clients")?;
    let too_many: Vec<String> = (0..11)
        .map(|i| format!("http://127.0.0.1:9/cb{i}"))
        .collect();
    for (what, uris) in [
        ("no redirect URI", vec![]),
        ("a relative redirect URI", vec!["/callback".to_owned()]),
        (
            "a redirect URI with a fragment",
            vec!["http://127.0.0.1:9/cb#top".to_owned()],
        ),
        (
            "a non-http redirect URI",
            vec!["ftp://127.0.0.1/cb".to_owned()],
        ),
        ("11 redirect URIs", too_many),
    ] {
        let result = operator
            .create_oauth_client()
            .body(NewOAuthClient {
                name: authz::name(&ctx.unique("Conformance app"))?,
                client_type: OAuthClientType::Public,
                redirect_uris: uris,
            })
            .send()
            .await;
        crate::assert::expect_problem(
            &format!("create_oauth_client with {what}"),
            result,
            422,
            ProblemKind::ValidationFailed,
        )
        .map_err(|f| f.violates("REQ-AUTHZ-028"))?;
    }
    let response = post_as(
        &ctx,
        &confidential,
        "issue_token",
        TOKEN,
        &[("grant_type", "client_credentials")],
    )
    .await?;
    expect_oauth_error(
        "a representative's confidential app asking client_credentials",
        &response,
        400,
        "unauthorized_client",
    )
    .map_err(|f| f.violates("REQ-AUTHZ-019"))?;
    expect_refresh_refused(
        &ctx,
        &public,
        "no-such-refresh-token",
        "refreshing with an unknown refresh token",
        "REQ-AUTHZ-019",
    )
    .await?;
    let response = exchange(
        &ctx,
        &public,
        "no-such-code",
        &Pkce::new().verifier,
        &public.redirect_uri,
    )
    .await?;
    expect_oauth_error(
        "exchanging an unknown code",
        &response,
        400,
        "invalid_grant",
    )
    .map_err(|f| f.violates("REQ-AUTHZ-019"))
}
