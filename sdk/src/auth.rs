//! Credentials: a static bearer token, or OAuth 2.0 client credentials exchanged at the registry's
//! token endpoint for access tokens that are cached, shared and renewed before they expire.

use std::fmt;
use std::sync::Arc;
use std::time::{Duration, Instant};

use futures::FutureExt;
use futures::future::BoxFuture;
use tracing::Instrument;

use crate::authorization::UserTokens;
use crate::generated::{Client, Error, types};
pub(crate) use crate::secret::{AccessToken, Secret};

/// The operation ID of the token endpoint, which is sent without credentials or idempotency key.
pub(crate) const ISSUE_TOKEN: &str = "issue_token";

/// Where a client's bearer token comes from.
#[derive(Clone, Default)]
pub(crate) enum TokenSource {
    /// No credentials: only public operations and the sandbox bootstrap work.
    #[default]
    Anonymous,
    /// One bearer token for the client's whole life (a representative's or a sandbox token).
    Static(Secret),
    /// Access tokens fetched with OAuth 2.0 client credentials (platforms and registries).
    ClientCredentials(Arc<ClientCredentials>),
    /// A signed-in user's tokens from the authorization code flow, refreshed before they expire.
    User(UserTokens),
}

impl fmt::Debug for TokenSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TokenSource::Anonymous => f.write_str("Anonymous"),
            TokenSource::Static(token) => f.debug_tuple("Static").field(token).finish(),
            TokenSource::ClientCredentials(credentials) => credentials.fmt(f),
            TokenSource::User(tokens) => tokens.fmt(f),
        }
    }
}

impl TokenSource {
    /// The token to send now, fetching one first if the cached token is missing or about to
    /// expire. `None` for an anonymous client.
    pub(crate) async fn token(&self) -> Result<Option<Secret>, Error<types::OAuthError>> {
        match self {
            TokenSource::Anonymous => Ok(None),
            TokenSource::Static(token) => Ok(Some(token.clone())),
            TokenSource::ClientCredentials(credentials) => credentials.token().await.map(Some),
            TokenSource::User(tokens) => tokens
                .token()
                .await
                .map(Some)
                .map_err(|e| Error::Custom(format!("cannot refresh the access token: {e}"))),
        }
    }
}

/// OAuth 2.0 client credentials and the access token they last obtained.
///
/// The cache sits behind an async mutex that is held while a token is fetched, so concurrent
/// requests that find no fresh token wait for one fetch instead of each starting their own.
pub(crate) struct ClientCredentials {
    client_id: String,
    client_secret: Secret,
    /// An unauthenticated client for the same registry, sharing connections, observer and retry
    /// policy; it sends the token requests.
    token_client: Client,
    cached: tokio::sync::Mutex<Option<AccessToken>>,
}

impl fmt::Debug for ClientCredentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let cached = self
            .cached
            .try_lock()
            .map(|token| match token.as_ref() {
                Some(token) if token.is_fresh(Instant::now()) => "<fresh token>",
                Some(_) => "<expiring token>",
                None => "<no token yet>",
            })
            .unwrap_or("<token being fetched>");
        f.debug_struct("ClientCredentials")
            .field("client_id", &self.client_id)
            .field("client_secret", &self.client_secret)
            .field("access_token", &cached)
            .finish()
    }
}

impl ClientCredentials {
    pub(crate) fn new(client_id: String, client_secret: Secret, token_client: Client) -> Self {
        ClientCredentials {
            client_id,
            client_secret,
            token_client,
            cached: tokio::sync::Mutex::new(None),
        }
    }

    /// The cached token while it is fresh, else a newly fetched one.
    ///
    /// Boxed, like [`ClientCredentials::renew`]: fetching sends a request through the client's
    /// hooks, which call these again (for the token client, which has no credentials), and the
    /// future types would otherwise contain themselves.
    pub(crate) fn token(&self) -> BoxFuture<'_, Result<Secret, Error<types::OAuthError>>> {
        self.cached_or_fetched().boxed()
    }

    async fn cached_or_fetched(&self) -> Result<Secret, Error<types::OAuthError>> {
        let mut cached = self.cached.lock().await;
        if let Some(token) = cached.as_ref()
            && token.is_fresh(Instant::now())
        {
            return Ok(token.token.clone());
        }
        let reason = if cached.is_some() {
            "expiring"
        } else {
            "first"
        };
        let fresh = self.fetch(reason).await?;
        let token = fresh.token.clone();
        *cached = Some(fresh);
        Ok(token)
    }

    /// A token to replace `rejected`, which the registry answered `401` to (it may have revoked
    /// it, or its clock may run ahead of ours). If another request already replaced it, that
    /// replacement is used instead of fetching yet another.
    pub(crate) fn renew<'a>(
        &'a self,
        rejected: &'a str,
    ) -> BoxFuture<'a, Result<Secret, Error<types::OAuthError>>> {
        self.renewed(rejected).boxed()
    }

    async fn renewed(&self, rejected: &str) -> Result<Secret, Error<types::OAuthError>> {
        let mut cached = self.cached.lock().await;
        if let Some(token) = cached.as_ref()
            && token.token.expose() != rejected
            && token.is_fresh(Instant::now())
        {
            return Ok(token.token.clone());
        }
        *cached = None;
        let fresh = self.fetch("rejected").await?;
        let token = fresh.token.clone();
        *cached = Some(fresh);
        Ok(token)
    }

    /// One client-credentials grant at `POST /v1/oauth/token`, in its own `ucr_token_fetch` span
    /// (`reason`: `first`, `expiring` or `rejected`).
    async fn fetch(&self, reason: &'static str) -> Result<AccessToken, Error<types::OAuthError>> {
        let span = tracing::info_span!(
            "ucr_token_fetch",
            client_id = %self.client_id,
            reason,
            expires_in = tracing::field::Empty,
            error = tracing::field::Empty,
        );
        let obtained = Instant::now();
        let request = types::TokenRequest {
            client_id: Some(self.client_id.clone()),
            client_secret: Some(self.client_secret.expose().to_owned()),
            grant_type: "client_credentials".to_owned(),
            scope: None,
            code: None,
            redirect_uri: None,
            code_verifier: None,
            refresh_token: None,
        };
        let result = self
            .token_client
            .issue_token()
            .body(request)
            .send()
            .instrument(span.clone())
            .await;
        match result {
            Ok(response) => {
                let response = response.into_inner();
                span.record("expires_in", response.expires_in);
                Ok(AccessToken {
                    token: Secret::new(response.access_token),
                    obtained,
                    lifetime: Duration::from_secs(response.expires_in),
                })
            }
            Err(error) => {
                let summary = match &error {
                    Error::ErrorResponse(oauth) => oauth.error.clone(),
                    other => other
                        .status()
                        .map_or_else(|| "transport".to_owned(), |s| s.as_u16().to_string()),
                };
                span.record("error", summary.as_str());
                tracing::warn!(parent: &span, error = %summary, "no access token");
                Err(error)
            }
        }
    }
}

/// Turns a failed token request into the error of the operation that needed the token.
///
/// Transport failures keep their type; a refusal by the token endpoint becomes
/// [`Error::Custom`] naming the OAuth error code, since the operation's own error type cannot hold
/// an OAuth error document.
pub(crate) fn token_error<E>(error: Error<types::OAuthError>) -> Error<E> {
    const PREFIX: &str = "cannot obtain an access token from POST /v1/oauth/token";
    match error {
        Error::CommunicationError(e) => Error::CommunicationError(e),
        Error::ResponseBodyError(e) => Error::ResponseBodyError(e),
        Error::InvalidResponsePayload(body, e) => Error::InvalidResponsePayload(body, e),
        Error::ErrorResponse(oauth) => {
            let status = oauth.status().as_u16();
            let oauth = oauth.into_inner();
            let description = oauth
                .error_description
                .map(|d| format!(" ({d})"))
                .unwrap_or_default();
            Error::Custom(format!("{PREFIX}: {status} {}{description}", oauth.error))
        }
        Error::UnexpectedResponse(response) => Error::Custom(format!(
            "{PREFIX}: unexpected status {}",
            response.status().as_u16()
        )),
        Error::InvalidRequest(message) => Error::InvalidRequest(message),
        Error::InvalidUpgrade(e) => Error::InvalidUpgrade(e),
        Error::Custom(message) => Error::Custom(format!("{PREFIX}: {message}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn token(lifetime_secs: u64, age: Duration) -> (AccessToken, Instant) {
        let obtained = Instant::now();
        let token = AccessToken {
            token: Secret::new("t"),
            obtained,
            lifetime: Duration::from_secs(lifetime_secs),
        };
        (token, obtained + age)
    }

    #[test]
    fn an_hour_token_is_renewed_in_its_last_minute() {
        let (t, now) = token(3600, Duration::from_secs(3539));
        assert!(t.is_fresh(now));
        let (t, now) = token(3600, Duration::from_secs(3541));
        assert!(!t.is_fresh(now));
    }

    #[test]
    fn a_short_token_is_renewed_in_its_last_tenth() {
        let (t, now) = token(10, Duration::from_millis(8900));
        assert!(t.is_fresh(now));
        let (t, now) = token(10, Duration::from_millis(9100));
        assert!(!t.is_fresh(now));
        let (t, now) = token(0, Duration::ZERO);
        assert!(!t.is_fresh(now), "a token with no life is never fresh");
        let (t, now) = token(u64::MAX, Duration::from_secs(1));
        assert!(t.is_fresh(now), "an endless token does not overflow");
    }

    #[test]
    fn secrets_do_not_debug() {
        assert_eq!(
            format!("{:?}", TokenSource::Static(Secret::new("hunter2"))),
            "Static(Secret(<redacted>))"
        );
    }
}
