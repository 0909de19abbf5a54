//! The authorization endpoint (`/v1/oauth/authorize`): `GET` validates the request and shows the
//! consent page (or, with the sandbox's `login_hint`, approves at once and redirects); `POST`
//! takes the page's decision and redirects with `code` or `error=access_denied`. Errors before
//! the client and its redirect URI are trusted are `400` problems; later ones are redirects.

use bytes::Bytes;
use http::header::{CACHE_CONTROL, CONTENT_TYPE, LOCATION};
use http::{HeaderMap, HeaderValue, StatusCode};
use ucr_spec::ProblemType;
use ucr_spec::oauth::{AuthorizationForm, AuthorizeQuery};

use super::Router;
use super::consent_page::render;
use super::exchange::{ApiRequest, ApiResponse, Refusal};
use crate::registry::{Authorization, AuthorizeError};

/// `GET /v1/oauth/authorize`.
pub(crate) fn authorize(router: &Router, request: &ApiRequest<'_>) -> Result<ApiResponse, Refusal> {
    let query: AuthorizeQuery =
        serde_urlencoded::from_str(request.query.unwrap_or("")).map_err(|e| {
            Refusal::from(ProblemType::InvalidParameter.problem(format!(
                "the query string is not acceptable: {e}; no redirect is made before the client \
                 and its redirect URI are known"
            )))
        })?;
    match router.lock().begin_authorization(&query, router.sandbox) {
        Ok(Authorization::Page(page)) => Ok(html(render(&page))),
        Ok(Authorization::Approved(location)) | Err(AuthorizeError::Redirect(location)) => {
            Ok(redirect(StatusCode::FOUND, &location))
        }
        Err(AuthorizeError::NoRedirect(problem)) => Err(problem.into()),
    }
}

/// `POST /v1/oauth/authorize`: the consent page's form.
pub(crate) fn decide(router: &Router, request: &ApiRequest<'_>) -> Result<ApiResponse, Refusal> {
    let is_form = request
        .headers
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|v| {
            v.trim()
                .eq_ignore_ascii_case("application/x-www-form-urlencoded")
        });
    if !is_form {
        return Err(ProblemType::MalformedRequest
            .problem(
                "the consent page's form is sent form-encoded (application/x-www-form-urlencoded)",
            )
            .into());
    }
    let form: AuthorizationForm = serde_urlencoded::from_bytes(request.body).map_err(|e| {
        Refusal::from(ProblemType::MalformedRequest.problem(format!(
            "the form needs request_id, representative_id and decision (approve or decline): {e}"
        )))
    })?;
    let location = router.lock().decide_authorization(&form)?;
    Ok(redirect(StatusCode::SEE_OTHER, &location))
}

fn html(body: String) -> ApiResponse {
    let mut headers = HeaderMap::new();
    headers.insert(
        CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    headers.insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    ApiResponse {
        status: StatusCode::OK,
        headers,
        body: Bytes::from(body),
    }
}

fn redirect(status: StatusCode, location: &str) -> ApiResponse {
    let mut headers = HeaderMap::new();
    headers.insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    if let Ok(value) = HeaderValue::from_str(location) {
        headers.insert(LOCATION, value);
    }
    ApiResponse {
        status,
        headers,
        body: Bytes::new(),
    }
}
