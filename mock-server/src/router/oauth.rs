//! The OAuth 2.0 token endpoint (`/v1/oauth/token`): the client-credentials grant for platforms
//! acting as themselves, and the authorization code (PKCE) and refresh token grants of the
//! authorization server. Errors are RFC 6749 JSON (`{error, error_description}`), not problem
//! documents; every answer is `no-store`.

use std::sync::{PoisonError, RwLock};

use http::header::ALLOW;
use http::{HeaderValue, Method, StatusCode};

use super::exchange::{ApiRequest, ApiResponse, json};
use super::oauth_form::{
    ClientCredentials, client_credentials, invalid_client, invalid_request, no_store, oauth_error,
    parse_form,
};
use crate::registry::{ClientOwner, GrantError, OAuthClient, Registry};

/// The parameters the token endpoint knows (each at most once).
const KNOWN: &[&str] = &[
    "grant_type",
    "client_id",
    "client_secret",
    "scope",
    "code",
    "redirect_uri",
    "code_verifier",
    "refresh_token",
];

/// The token endpoint: checks the request (`invalid_request`), the grant type
/// (`unsupported_grant_type`), then authenticates the client and runs the grant.
pub(crate) fn issue_token(registry: &RwLock<Registry>, request: &ApiRequest<'_>) -> ApiResponse {
    no_store(token_response(registry, request))
}

fn token_response(registry: &RwLock<Registry>, request: &ApiRequest<'_>) -> ApiResponse {
    if *request.method != Method::POST {
        let mut response = oauth_error(
            StatusCode::METHOD_NOT_ALLOWED,
            "invalid_request",
            "the token endpoint takes POST",
        );
        response
            .headers
            .insert(ALLOW, HeaderValue::from_static("POST"));
        return response;
    }
    let form = match parse_form(request, KNOWN) {
        Ok(form) => form,
        Err(response) => return response,
    };
    let grant = match form.get("grant_type") {
        None => {
            return invalid_request(
                "grant_type is required: client_credentials, authorization_code or refresh_token",
            );
        }
        Some(grant @ ("client_credentials" | "authorization_code" | "refresh_token")) => grant,
        Some(other) => {
            return oauth_error(
                StatusCode::BAD_REQUEST,
                "unsupported_grant_type",
                &format!(
                    "grant type {other:?} is not supported; use client_credentials, \
                     authorization_code or refresh_token"
                ),
            );
        }
    };
    let credentials = match client_credentials(request.headers, &form) {
        Ok(credentials) => credentials,
        Err(response) => return response,
    };
    let mut registry = registry.write().unwrap_or_else(PoisonError::into_inner);
    if grant == "client_credentials" {
        return client_credentials_grant(&mut registry, &credentials);
    }
    let Some(client) = authenticated_client(&registry, &credentials) else {
        return invalid_client(&credentials);
    };
    let issued = if grant == "authorization_code" {
        let (Some(code), Some(redirect_uri), Some(verifier)) = (
            form.get("code"),
            form.get("redirect_uri"),
            form.get("code_verifier"),
        ) else {
            return invalid_request(
                "the authorization_code grant needs code, redirect_uri and code_verifier",
            );
        };
        registry.exchange_code(&client, code, redirect_uri, verifier)
    } else {
        let Some(refresh_token) = form.get("refresh_token") else {
            return invalid_request("the refresh_token grant needs refresh_token");
        };
        registry.refresh_grant(&client, refresh_token, form.get("scope"))
    };
    match issued {
        Ok(token) => json(StatusCode::OK, &token),
        Err(GrantError { error, description }) => {
            oauth_error(StatusCode::BAD_REQUEST, error, &description)
        }
    }
}

/// The client-credentials grant: a platform's ID and secret (never a public `client_id` alone).
fn client_credentials_grant(
    registry: &mut Registry,
    credentials: &ClientCredentials,
) -> ApiResponse {
    let (id, secret) = match credentials {
        ClientCredentials::Secret { id, secret, .. } => (id, secret),
        ClientCredentials::IdOnly(_) => {
            return invalid_request("send both client_id and client_secret");
        }
        ClientCredentials::None => return invalid_client(credentials),
    };
    if let Some(token) = registry.issue_token(id, secret) {
        return json(StatusCode::OK, &token);
    }
    let representative_app = registry
        .authenticate_client(id, Some(secret))
        .is_some_and(|c| matches!(c.owner, ClientOwner::Representative(_)));
    if representative_app {
        return oauth_error(
            StatusCode::BAD_REQUEST,
            "unauthorized_client",
            "a representative's app gets tokens through the authorization code flow; the \
             client_credentials grant is for trading platforms and third-party registries",
        );
    }
    invalid_client(credentials)
}

/// The client of an authorization code, refresh or revocation request: a public client by
/// `client_id` alone, any other by its secret.
pub(super) fn authenticated_client(
    registry: &Registry,
    credentials: &ClientCredentials,
) -> Option<OAuthClient> {
    match credentials {
        ClientCredentials::None => None,
        ClientCredentials::IdOnly(id) => registry.authenticate_client(id, None),
        ClientCredentials::Secret { id, secret, .. } => {
            registry.authenticate_client(id, Some(secret))
        }
    }
}
