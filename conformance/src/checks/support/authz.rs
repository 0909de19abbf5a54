//! The authorization code flow as the `AS-*` checks drive it, over raw HTTP: OAuth clients of the
//! sandbox, authorization requests (never following redirects), the sandbox's `login_hint`
//! shortcut, code exchange, refresh and revocation.

use ucr_sdk::authorization::code_challenge;

use crate::assert::ensure_eq;
use crate::ctx::{Ctx, RawResponse};
use crate::ensure;
use crate::outcome::Failure;

/// The authorization endpoint.
pub(in crate::checks) const AUTHORIZE: &str = "/v1/oauth/authorize";
/// The token endpoint.
pub(in crate::checks) const TOKEN: &str = "/v1/oauth/token";
/// The revocation endpoint.
pub(in crate::checks) const REVOKE: &str = "/v1/oauth/revoke";

/// An OAuth client of the sandbox: a representative's app or a platform.
#[derive(Debug, Clone)]
pub(in crate::checks) struct App {
    /// The name it was registered with (shown on the consent page).
    pub(in crate::checks) name: String,
    pub(in crate::checks) client_id: String,
    /// `None` for a public client.
    pub(in crate::checks) secret: Option<String>,
    /// Its one registered redirect URI (on loopback; the suite never follows it).
    pub(in crate::checks) redirect_uri: String,
}

/// A redirect URI unique to this check, on a loopback port nobody listens on: the suite reads the
/// `Location` header and never follows it.
pub(in crate::checks) fn redirect_uri(ctx: &Ctx) -> String {
    format!(
        "http://127.0.0.1:9/{}/callback",
        ctx.unique("app")
            .to_ascii_lowercase()
            .replace([' ', '_'], "-")
    )
}

/// Registers a representative's app (`create_oauth_client`) with one redirect URI.
pub(in crate::checks) async fn register_app(ctx: &Ctx, confidential: bool) -> Result<App, Failure> {
    let redirect_uri = redirect_uri(ctx);
    let client_type = if confidential {
        ucr_sdk::types::OAuthClientType::Confidential
    } else {
        ucr_sdk::types::OAuthClientType::Public
    };
    let app_name = ctx.unique("Conformance app");
    let registered = ctx
        .operator("register an OAuth client")?
        .create_oauth_client()
        .body(ucr_sdk::types::NewOAuthClient {
            name: name(&app_name)?,
            client_type,
            redirect_uris: vec![redirect_uri.clone()],
        })
        .send()
        .await
        .map_err(|e| Failure::new(format!("create_oauth_client (sandbox): {e}")))?
        .into_inner();
    ensure!(
        registered.client_secret.is_some() == confidential,
        "create_oauth_client for a {} client answered {} client_secret (REQ-AUTHZ-028)",
        if confidential {
            "confidential"
        } else {
            "public"
        },
        if confidential { "no" } else { "a" }
    );
    Ok(App {
        name: app_name,
        client_id: registered.client_id,
        secret: registered.client_secret,
        redirect_uri,
    })
}

/// A PKCE verifier and its S256 challenge.
#[derive(Debug, Clone)]
pub(in crate::checks) struct Pkce {
    pub(in crate::checks) verifier: String,
    pub(in crate::checks) challenge: String,
}

impl Pkce {
    /// A fresh verifier (43 characters of the unreserved set) from `ctx`'s unique names.
    pub(in crate::checks) fn new() -> Self {
        let verifier = format!(
            "{}{}",
            uuid::Uuid::new_v4().simple(),
            uuid::Uuid::new_v4().simple()
        );
        let challenge = code_challenge(&verifier);
        Pkce {
            verifier,
            challenge,
        }
    }
}

/// The query of a valid authorization request of `app` for `scope`, with `state` and PKCE.
pub(in crate::checks) fn query(
    app: &App,
    scope: &str,
    state: &str,
    pkce: &Pkce,
) -> Vec<(&'static str, String)> {
    vec![
        ("response_type", "code".to_owned()),
        ("client_id", app.client_id.clone()),
        ("redirect_uri", app.redirect_uri.clone()),
        ("scope", scope.to_owned()),
        ("state", state.to_owned()),
        ("code_challenge", pkce.challenge.clone()),
        ("code_challenge_method", "S256".to_owned()),
    ]
}

/// `GET /v1/oauth/authorize` with `query`, not following a redirect.
pub(in crate::checks) async fn authorize(
    ctx: &Ctx,
    query: &[(&'static str, String)],
) -> Result<RawResponse, Failure> {
    let mut request = ctx
        .raw("authorize", reqwest::Method::GET, AUTHORIZE)
        .without_redirects();
    for (name, value) in query {
        request = request.query(name, value);
    }
    request.send().await
}

/// A redirect's query parameters (its target is checked by [`expect_redirect`]).
#[derive(Debug, Clone)]
pub(in crate::checks) struct Redirect {
    pub(in crate::checks) params: Vec<(String, String)>,
}

impl Redirect {
    /// A query parameter.
    pub(in crate::checks) fn param(&self, name: &str) -> Option<&str> {
        self.params
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    /// The parameter names, sorted.
    pub(in crate::checks) fn names(&self) -> Vec<&str> {
        let mut names: Vec<&str> = self.params.iter().map(|(n, _)| n.as_str()).collect();
        names.sort_unstable();
        names
    }
}

/// Expects `response` to redirect (`status`) to `redirect_uri`; returns its query.
pub(in crate::checks) fn expect_redirect(
    what: &str,
    response: &RawResponse,
    status: u16,
    redirect_uri: &str,
) -> Result<Redirect, Failure> {
    ensure!(
        response.status == status,
        "{what}: expected a {status} redirect to the redirect URI, got HTTP {}: {}",
        response.status,
        crate::text::snippet(&response.body, 300)
    );
    let location = response
        .header("location")
        .ok_or_else(|| Failure::new(format!("{what}: the {status} has no Location header")))?;
    let url = reqwest::Url::parse(location)
        .map_err(|e| Failure::new(format!("{what}: Location {location:?} is not a URL: {e}")))?;
    let mut target = url.clone();
    target.set_query(None);
    ensure!(
        target.as_str() == redirect_uri,
        "{what}: redirected to {location:?}, not to the registered redirect URI {redirect_uri:?}"
    );
    Ok(Redirect {
        params: url.query_pairs().into_owned().collect(),
    })
}

/// Expects an authorization error at the redirect URI (RFC 6749 section 4.1.2.1): `302`, `error`
/// `code`, an `error_description`, the request's `state` unchanged and no `code`.
pub(in crate::checks) fn expect_redirected_error(
    what: &str,
    response: &RawResponse,
    app: &App,
    code: &str,
    state: &str,
) -> Result<(), Failure> {
    let redirect = expect_redirect(what, response, 302, &app.redirect_uri)?;
    ensure!(
        redirect.param("error") == Some(code),
        "{what}: expected error={code} at the redirect URI, got {:?}",
        redirect.params
    );
    ensure!(
        redirect.param("state") == Some(state),
        "{what}: the redirect must carry the request's state {state:?} unchanged, got {:?}",
        redirect.param("state")
    );
    ensure!(
        redirect.param("error_description").is_some(),
        "{what}: the error redirect carries no error_description"
    );
    ensure!(
        redirect.param("code").is_none(),
        "{what}: an error redirect must not carry a code"
    );
    Ok(())
}

/// An authorization code with what its exchange needs.
#[derive(Debug, Clone)]
pub(in crate::checks) struct Code {
    pub(in crate::checks) code: String,
    pub(in crate::checks) pkce: Pkce,
}

/// Signs in through the sandbox's `login_hint` shortcut as `representative_id`, asking `scope`
/// (and `account_id`, for consent scopes); checks the redirect carries exactly `code` and the
/// `state`.
pub(in crate::checks) async fn sign_in(
    ctx: &Ctx,
    app: &App,
    representative_id: &str,
    scope: &str,
    account_id: Option<&str>,
) -> Result<Code, Failure> {
    let pkce = Pkce::new();
    let state = ctx.unique("state").replace(' ', "-");
    let mut query = query(app, scope, &state, &pkce);
    query.push(("login_hint", representative_id.to_owned()));
    if let Some(account_id) = account_id {
        query.push(("account_id", account_id.to_owned()));
    }
    let what = format!("authorize {scope:?} with login_hint={representative_id} (sandbox)");
    let response = authorize(ctx, &query).await?;
    let redirect = expect_redirect(&what, &response, 302, &app.redirect_uri)?;
    ensure!(
        redirect.param("state") == Some(state.as_str()),
        "{what}: the redirect must echo the state {state:?}, got {:?}",
        redirect.param("state")
    );
    ensure!(
        redirect.names() == ["code", "state"],
        "{what}: the redirect must carry exactly code and state, got {:?}",
        redirect.names()
    );
    Ok(Code {
        code: redirect.param("code").unwrap_or_default().to_owned(),
        pkce,
    })
}

/// A form POST to an OAuth endpoint as `app` (HTTP Basic for a confidential client, `client_id`
/// in the body for a public one).
pub(in crate::checks) async fn post_as(
    ctx: &Ctx,
    app: &App,
    operation_id: &'static str,
    path: &str,
    form: &[(&str, &str)],
) -> Result<RawResponse, Failure> {
    let mut pairs: Vec<(&str, &str)> = form.to_vec();
    let mut request = ctx
        .raw(operation_id, reqwest::Method::POST, path)
        .no_idempotency_key();
    match &app.secret {
        Some(secret) => request = request.header("authorization", &basic(&app.client_id, secret)),
        None => pairs.push(("client_id", &app.client_id)),
    }
    request.form(&pairs).send().await
}

/// HTTP Basic client credentials (RFC 6749 section 2.3.1: both parts form-encoded).
pub(in crate::checks) fn basic(client_id: &str, secret: &str) -> String {
    use base64::Engine;
    let encode = |value: &str| {
        serde_urlencoded::to_string([("", value)])
            .unwrap_or_default()
            .trim_start_matches('=')
            .to_owned()
    };
    format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(format!(
            "{}:{}",
            encode(client_id),
            encode(secret)
        ))
    )
}

/// Exchanges `code` at the token endpoint with `verifier` and `redirect_uri`.
pub(in crate::checks) async fn exchange(
    ctx: &Ctx,
    app: &App,
    code: &str,
    verifier: &str,
    redirect_uri: &str,
) -> Result<RawResponse, Failure> {
    post_as(
        ctx,
        app,
        "issue_token",
        TOKEN,
        &[
            ("grant_type", "authorization_code"),
            ("code", code),
            ("redirect_uri", redirect_uri),
            ("code_verifier", verifier),
        ],
    )
    .await
}

/// Exchanges `code` as `app` with its own verifier and `app`'s redirect URI.
pub(in crate::checks) async fn exchange_code(
    ctx: &Ctx,
    app: &App,
    code: &Code,
) -> Result<RawResponse, Failure> {
    exchange(ctx, app, &code.code, &code.pkce.verifier, &app.redirect_uri).await
}

/// Tokens from the authorization code or refresh token grant.
#[derive(Debug, Clone)]
pub(in crate::checks) struct Tokens {
    pub(in crate::checks) access: String,
    pub(in crate::checks) refresh: String,
    pub(in crate::checks) scope: Vec<String>,
}

/// Reads a successful token response (REQ-AUTHZ-012's shape: Bearer, `expires_in` 3600, a
/// refresh token, `scope`, `Cache-Control: no-store`).
pub(in crate::checks) fn tokens_of(what: &str, response: &RawResponse) -> Result<Tokens, Failure> {
    let body = response.expect_status(what, 200)?;
    let cache_control = response.header("cache-control").unwrap_or_default();
    ensure!(
        cache_control
            .split(',')
            .any(|d| d.trim().eq_ignore_ascii_case("no-store")),
        "{what}: a token response must carry Cache-Control: no-store, got {cache_control:?}"
    );
    let text = |name: &str| body.get(name).and_then(|v| v.as_str()).unwrap_or_default();
    ensure!(
        text("token_type").eq_ignore_ascii_case("bearer"),
        "{what}: token_type is {:?}, not Bearer",
        text("token_type")
    );
    ensure!(
        body.get("expires_in").and_then(|v| v.as_u64()) == Some(3600),
        "{what}: expires_in is {:?}, not 3600",
        body.get("expires_in")
    );
    ensure!(
        !text("access_token").is_empty() && !text("refresh_token").is_empty(),
        "{what}: the response lacks an access_token or a refresh_token (members: {:?})",
        body.as_object()
            .map(|o| o.keys().cloned().collect::<Vec<_>>())
    );
    let mut scope: Vec<String> = text("scope")
        .split_whitespace()
        .map(str::to_owned)
        .collect();
    scope.sort_unstable();
    Ok(Tokens {
        access: text("access_token").to_owned(),
        refresh: text("refresh_token").to_owned(),
        scope,
    })
}

/// Signs in as `representative_id` for `scope` and exchanges the code.
pub(in crate::checks) async fn tokens(
    ctx: &Ctx,
    app: &App,
    representative_id: &str,
    scope: &str,
) -> Result<Tokens, Failure> {
    let code = sign_in(ctx, app, representative_id, scope, None).await?;
    let response = exchange_code(ctx, app, &code).await?;
    tokens_of(
        &format!("exchanging a code for {scope:?} with its verifier"),
        &response,
    )
}

/// `grant_type=refresh_token` as `app`, with an optional narrower `scope`.
pub(in crate::checks) async fn refresh(
    ctx: &Ctx,
    app: &App,
    refresh_token: &str,
    scope: Option<&str>,
) -> Result<RawResponse, Failure> {
    let mut form = vec![
        ("grant_type", "refresh_token"),
        ("refresh_token", refresh_token),
    ];
    if let Some(scope) = scope {
        form.push(("scope", scope));
    }
    post_as(ctx, app, "issue_token", TOKEN, &form).await
}

/// Revokes `token` as `app`.
pub(in crate::checks) async fn revoke(
    ctx: &Ctx,
    app: &App,
    token: &str,
) -> Result<RawResponse, Failure> {
    post_as(ctx, app, "revoke_token", REVOKE, &[("token", token)]).await
}

/// Expects an RFC 6749 section 5.2 error: `status` and JSON whose `error` is `code`.
pub(in crate::checks) fn expect_oauth_error(
    what: &str,
    response: &RawResponse,
    status: u16,
    code: &str,
) -> Result<(), Failure> {
    ensure!(
        response.status == status,
        "{what}: expected HTTP {status} {code}, got HTTP {}: {}",
        response.status,
        crate::text::snippet(&response.body, 300)
    );
    let body = response.json().map_err(|f| f.context(what))?;
    ensure!(
        body.get("error").and_then(|e| e.as_str()) == Some(code),
        "{what}: expected error {code:?}, got {body}"
    );
    Ok(())
}

/// Refreshes with `refresh_token` as `app` and expects `400 invalid_grant` (`what` names the
/// token); a wrong answer violates `requirement`, a failed request does not.
pub(in crate::checks) async fn expect_refresh_refused(
    ctx: &Ctx,
    app: &App,
    refresh_token: &str,
    what: &str,
    requirement: &'static str,
) -> Result<(), Failure> {
    let response = refresh(ctx, app, refresh_token, None).await?;
    expect_oauth_error(what, &response, 400, "invalid_grant").map_err(|f| f.violates(requirement))
}

/// Expects `GET /v1/accounts` with `token` to answer `status` (`what` names the request); a
/// wrong status violates `requirement`, a failed request does not.
pub(in crate::checks) async fn expect_token_status(
    ctx: &Ctx,
    what: &str,
    status: u16,
    token: &str,
    requirement: &'static str,
) -> Result<(), Failure> {
    let actual = token_status(ctx, token).await?;
    ensure_eq(what, status, actual).map_err(|f| f.violates(requirement))
}

/// The status `GET /v1/accounts` answers with `token`: whether the registry accepts it.
pub(in crate::checks) async fn token_status(ctx: &Ctx, token: &str) -> Result<u16, Failure> {
    Ok(ctx
        .raw("list_accounts", reqwest::Method::GET, "/v1/accounts")
        .bearer(token)
        .send()
        .await?
        .status)
}

/// A generated name type (`NewOAuthClientName`, `NewPlatformName`) from text.
pub(in crate::checks) fn name<T: std::str::FromStr>(value: &str) -> Result<T, Failure>
where
    T::Err: std::fmt::Display,
{
    value
        .parse()
        .map_err(|e| Failure::new(format!("fixture: invalid name {value:?}: {e}")))
}
