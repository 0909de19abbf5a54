//! The revocation endpoint (`/v1/oauth/revoke`, RFC 7009): client authentication as at the token
//! endpoint, `200` with an empty body whether or not the token was known, errors as RFC 6749 JSON.

use std::sync::{PoisonError, RwLock};

use bytes::Bytes;
use http::{HeaderMap, StatusCode};

use super::exchange::{ApiRequest, ApiResponse};
use super::oauth::authenticated_client;
use super::oauth_form::{
    client_credentials, invalid_client, invalid_request, no_store, parse_form,
};
use crate::registry::Registry;

/// The parameters the revocation endpoint knows (each at most once).
const KNOWN: &[&str] = &["token", "token_type_hint", "client_id", "client_secret"];

/// Revokes the token the client sends, if it is the client's.
pub(crate) fn revoke_token(registry: &RwLock<Registry>, request: &ApiRequest<'_>) -> ApiResponse {
    no_store(revocation(registry, request))
}

fn revocation(registry: &RwLock<Registry>, request: &ApiRequest<'_>) -> ApiResponse {
    let form = match parse_form(request, KNOWN) {
        Ok(form) => form,
        Err(response) => return response,
    };
    let Some(token) = form.get("token") else {
        return invalid_request("token is required: the access or refresh token to revoke");
    };
    let credentials = match client_credentials(request.headers, &form) {
        Ok(credentials) => credentials,
        Err(response) => return response,
    };
    let mut registry = registry.write().unwrap_or_else(PoisonError::into_inner);
    let Some(client) = authenticated_client(&registry, &credentials) else {
        return invalid_client(&credentials);
    };
    registry.revoke_token(&client, token);
    ApiResponse {
        status: StatusCode::OK,
        headers: HeaderMap::new(),
        body: Bytes::new(),
    }
}
