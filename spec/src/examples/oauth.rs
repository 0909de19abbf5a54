//! Examples of the authorization server (issue 13), near the end of the story: discovery, a
//! representative's own app registered in the sandbox and signed in with `login_hint` (a `302`
//! with the code), the code exchanged with its PKCE verifier, the refresh token rotated and
//! revoked; and a trading platform's consent request shown as the sign-in and consent page, which
//! the approver declines (a `303`).

use serde_json::{Value, json};

use super::Example;
use super::world::*;

/// The representative's app (a public client) and where it receives the code.
const APP_CLIENT_ID: &str = "ucr_client_5e1f0a2b9c8d4e7f";
const APP_REDIRECT: &str = "http://127.0.0.1:8765/callback";
/// Where the trading platform receives the result of its consent request (registered with
/// `create_platform`).
pub const PLATFORM_REDIRECT: &str = "https://platform.example/oauth/callback";
/// The PKCE verifier of RFC 7636 appendix B and its S256 challenge,
/// BASE64URL(SHA256(verifier)) without padding.
const CODE_VERIFIER: &str = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
const CODE_CHALLENGE: &str = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";
/// The code the `login_hint` redirect carries, and the `state` the app chose.
const CODE: &str = "ucr_code_7d2c4b9e1f0a3c5e";
const STATE: &str = "xyz-3f9a1c";
/// The tokens the code and the refresh give.
const USER_ACCESS_TOKEN: &str = "ucr_at_0b9e7d5c3a1f2e4d";
const REFRESH_TOKEN: &str = "ucr_rt_6a8c0e2f4b1d3a5c";
const NARROW_ACCESS_TOKEN: &str = "ucr_at_9f7e5d3c1b0a2c4e";
const ROTATED_REFRESH_TOKEN: &str = "ucr_rt_2e4f6a8c0b1d3f5a";
/// The consent page's pending request.
const REQUEST_ID: &str = "ucr_authz_4c6e8a0b2d1f3e5a";
const SCOPES: &str = "accounts:read transfers:write";

/// The consent page (abridged to what a client relies on: the form, its hidden request and the
/// representatives who may decide).
fn consent_page() -> Value {
    json!(format!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <title>Sign in and consent: Southern Cross Carbon Exchange</title>\n</head>\n<body>\n\
         <h1>Sign in to the Unit and Certificate Registry sandbox</h1>\n\
         <p><strong id=\"client\">Southern Cross Carbon Exchange</strong> asks for access to \
         account <strong id=\"account\">{ACCOUNT}</strong> (a consent of the account holder). \
         It will be able to:</p>\n<ul id=\"scopes\">\n<li><code>consent:holdings_read</code>: \
         Read the account's holdings</li>\n</ul>\n\
         <form method=\"post\" action=\"/v1/oauth/authorize\">\n\
         <input type=\"hidden\" name=\"request_id\" value=\"{REQUEST_ID}\">\n\
         <p><label for=\"representative_id\">Sign in as</label>\n\
         <select id=\"representative_id\" name=\"representative_id\" required>\n\
         <option value=\"{APPROVER}\">Tom Walker ({APPROVER})</option>\n</select></p>\n<p>\
         <button type=\"submit\" id=\"approve\" name=\"decision\" value=\"approve\">Approve</button>\
         <button type=\"submit\" id=\"decline\" name=\"decision\" value=\"decline\">Decline</button>\
         </p>\n</form>\n</body>\n</html>\n"
    ))
}

fn tokens(access: &str, refresh: &str, scope: &str) -> Value {
    json!({
        "access_token": access,
        "token_type": "Bearer",
        "expires_in": crate::oauth::ACCESS_TOKEN_LIFETIME_SECONDS,
        "refresh_token": refresh,
        "scope": scope
    })
}

/// The examples, in the story's order.
pub(super) fn examples() -> Vec<Example> {
    let issuer = "http://127.0.0.1:8080";
    let methods = json!(["client_secret_basic", "client_secret_post", "none"]);
    vec![
        Example::new(
            "get_authorization_server_metadata",
            "discovery",
            "Discover the endpoints, grants and scopes (RFC 8414).",
        )
        .answers(
            200,
            json!({
                "issuer": issuer,
                "authorization_endpoint": format!("{issuer}/v1/oauth/authorize"),
                "token_endpoint": format!("{issuer}/v1/oauth/token"),
                "revocation_endpoint": format!("{issuer}/v1/oauth/revoke"),
                "response_types_supported": ["code"],
                "grant_types_supported": ["authorization_code", "refresh_token", "client_credentials"],
                "code_challenge_methods_supported": ["S256"],
                "token_endpoint_auth_methods_supported": methods,
                "revocation_endpoint_auth_methods_supported": methods,
                "scopes_supported": crate::scopes::scopes_supported()
            }),
        ),
        Example::new(
            "create_oauth_client",
            "mobile_app",
            "Register a representative's mobile app: a public client, no secret.",
        )
        .by(OPERATOR_TOKEN)
        .body(json!({
            "name": "Mallee Carbon approvals app",
            "client_type": "public",
            "redirect_uris": [APP_REDIRECT]
        }))
        .answers(
            201,
            json!({
                "client_id": APP_CLIENT_ID,
                "name": "Mallee Carbon approvals app",
                "client_type": "public",
                "redirect_uris": [APP_REDIRECT]
            }),
        ),
        Example::new(
            "authorize",
            "login_hint",
            "Sandbox: sign in as a representative at once (no page); the code comes back in a 302.",
        )
        .query("response_type", "code")
        .query("client_id", APP_CLIENT_ID)
        .query("redirect_uri", APP_REDIRECT)
        .query("scope", SCOPES)
        .query("state", STATE)
        .query("code_challenge", CODE_CHALLENGE)
        .query("code_challenge_method", "S256")
        .query("login_hint", INITIATOR)
        .redirects(302, format!("{APP_REDIRECT}?code={CODE}&state={STATE}")),
        Example::new(
            "issue_token",
            "authorization_code",
            "Exchange the code, with the PKCE verifier whose S256 challenge the authorization request sent.",
        )
        .body(json!({
            "grant_type": "authorization_code",
            "client_id": APP_CLIENT_ID,
            "code": CODE,
            "redirect_uri": APP_REDIRECT,
            "code_verifier": CODE_VERIFIER
        }))
        .answers(200, tokens(USER_ACCESS_TOKEN, REFRESH_TOKEN, SCOPES)),
        Example::new(
            "issue_token",
            "refresh_token",
            "Rotate the refresh token, narrowing the new access token to reading.",
        )
        .body(json!({
            "grant_type": "refresh_token",
            "client_id": APP_CLIENT_ID,
            "refresh_token": REFRESH_TOKEN,
            "scope": "accounts:read"
        }))
        .answers(
            200,
            tokens(NARROW_ACCESS_TOKEN, ROTATED_REFRESH_TOKEN, "accounts:read"),
        ),
        Example::new(
            "revoke_token",
            "refresh_token",
            "Sign out: revoke the refresh token (and the access tokens of its authorization).",
        )
        .body(json!({
            "token": ROTATED_REFRESH_TOKEN,
            "token_type_hint": "refresh_token",
            "client_id": APP_CLIENT_ID
        }))
        .answers(200, Value::Null),
        Example::new(
            "authorize",
            "consent_page",
            "A trading platform asks for a consent on one account: the sign-in and consent page.",
        )
        .query("response_type", "code")
        .query("client_id", PLATFORM_CLIENT_ID)
        .query("redirect_uri", PLATFORM_REDIRECT)
        .query("scope", "consent:holdings_read")
        .query("state", STATE)
        .query("code_challenge", CODE_CHALLENGE)
        .query("code_challenge_method", "S256")
        .query("account_id", ACCOUNT)
        .answers(200, consent_page()),
        Example::new(
            "decide_authorization",
            "decline",
            "The approver signs in on the page and declines; the platform gets access_denied.",
        )
        .body(json!({
            "request_id": REQUEST_ID,
            "representative_id": APPROVER,
            "decision": "decline"
        }))
        .redirects(
            303,
            format!("{PLATFORM_REDIRECT}?error=access_denied&state={STATE}"),
        ),
    ]
}
