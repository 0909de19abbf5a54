//! OAuth clients of the authorization code flow: representatives' own apps (registered by the
//! sandbox, public or confidential) and trading platforms and third-party registries (their
//! `client_id` from `create_platform`, with optional redirect URIs); redirect URI validation and
//! client authentication at the token and revocation endpoints.

use ucr_spec::oauth::{NewOAuthClient, OAuthClientCredential, OAuthClientType};
use ucr_spec::problem::Problem;
use uuid::Uuid;

use super::Registry;
use super::validate::{check_text, validation_failed};

/// The most redirect URIs a client may register.
pub const MAX_REDIRECT_URIS: usize = 10;

/// The longest redirect URI accepted.
const MAX_REDIRECT_URI_LENGTH: usize = 2000;

/// A representative's own OAuth client as stored.
#[derive(Debug, Clone)]
pub(super) struct OAuthClientRecord {
    pub(super) name: String,
    pub(super) client_type: OAuthClientType,
    /// `Some` for a confidential client.
    pub(super) secret: Option<String>,
    pub(super) redirect_uris: Vec<String>,
}

/// Whose a client is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ClientOwner {
    /// A representative's own app: its tokens act as the representative who signs in.
    Representative(OAuthClientType),
    /// A trading platform or third-party registry, by ID: the flow asks for a consent.
    Platform(String),
}

/// An OAuth client as the authorization server sees it, whoever registered it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OAuthClient {
    /// The client ID.
    pub client_id: String,
    /// Shown on the consent page.
    pub name: String,
    /// Representative app or platform.
    pub owner: ClientOwner,
    /// Where the flow may redirect, compared exactly.
    pub redirect_uris: Vec<String>,
    secret: Option<String>,
}

impl OAuthClient {
    /// Whether the client is public: it identifies itself with `client_id` alone.
    pub fn is_public(&self) -> bool {
        self.owner == ClientOwner::Representative(OAuthClientType::Public)
    }
}

/// Refuses a redirect URI list that is too long or holds a URI that is not an absolute `http` or
/// `https` URI without a fragment; `required` refuses an empty list.
pub(super) fn check_redirect_uris(
    pointer: &str,
    uris: &[String],
    required: bool,
) -> Result<(), Problem> {
    if required && uris.is_empty() {
        return Err(validation_failed(
            pointer,
            "register at least one redirect URI",
        ));
    }
    if uris.len() > MAX_REDIRECT_URIS {
        return Err(validation_failed(
            pointer,
            format!("at most {MAX_REDIRECT_URIS} redirect URIs"),
        ));
    }
    for (i, uri) in uris.iter().enumerate() {
        if let Err(reason) = check_redirect_uri(uri) {
            return Err(validation_failed(&format!("{pointer}/{i}"), reason));
        }
    }
    Ok(())
}

fn check_redirect_uri(uri: &str) -> Result<(), String> {
    if uri.len() > MAX_REDIRECT_URI_LENGTH {
        return Err(format!(
            "a redirect URI is at most {MAX_REDIRECT_URI_LENGTH} characters"
        ));
    }
    if uri.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err("a redirect URI has no spaces or control characters".into());
    }
    let rest = uri
        .strip_prefix("https://")
        .or_else(|| uri.strip_prefix("http://"))
        .ok_or("a redirect URI is an absolute http or https URI")?;
    let host = rest.split(['/', '?']).next().unwrap_or_default();
    if host.is_empty() || host.contains('@') {
        return Err("a redirect URI names a host (and no user information)".into());
    }
    if uri.contains('#') {
        return Err("a redirect URI has no fragment (RFC 6749 section 3.1.2)".into());
    }
    Ok(())
}

impl Registry {
    /// Registers a representative's own OAuth client (sandbox).
    pub fn create_oauth_client(
        &mut self,
        request: NewOAuthClient,
    ) -> Result<OAuthClientCredential, Problem> {
        self.expire_due();
        check_text("/name", &request.name, 200)?;
        check_redirect_uris("/redirect_uris", &request.redirect_uris, true)?;
        let client_id = format!("ucr_app_{}", Uuid::new_v4().simple());
        let secret = (request.client_type == OAuthClientType::Confidential)
            .then(|| format!("ucr_secret_{}", Uuid::new_v4().simple()));
        self.oauth_clients.insert(
            client_id.clone(),
            OAuthClientRecord {
                name: request.name.clone(),
                client_type: request.client_type,
                secret: secret.clone(),
                redirect_uris: request.redirect_uris.clone(),
            },
        );
        Ok(OAuthClientCredential {
            client_id,
            client_secret: secret,
            name: request.name,
            client_type: request.client_type,
            redirect_uris: request.redirect_uris,
        })
    }

    /// The OAuth client `client_id`: a representative's app or a platform.
    pub fn oauth_client(&self, client_id: &str) -> Option<OAuthClient> {
        if let Some(record) = self.oauth_clients.get(client_id) {
            return Some(OAuthClient {
                client_id: client_id.to_owned(),
                name: record.name.clone(),
                owner: ClientOwner::Representative(record.client_type),
                redirect_uris: record.redirect_uris.clone(),
                secret: record.secret.clone(),
            });
        }
        let platform_id = self.clients.get(client_id)?;
        let record = self.platforms.get(platform_id)?;
        Some(OAuthClient {
            client_id: client_id.to_owned(),
            name: record.platform.name.clone(),
            owner: ClientOwner::Platform(platform_id.clone()),
            redirect_uris: record.redirect_uris.clone(),
            secret: Some(record.client_secret.clone()),
        })
    }

    /// Authenticates a client at the token or revocation endpoint: a public client by
    /// `client_id` alone (and no secret), any other by its secret. `None` for an unknown client,
    /// a wrong or missing secret, or a secret sent by a public client.
    pub fn authenticate_client(
        &self,
        client_id: &str,
        secret: Option<&str>,
    ) -> Option<OAuthClient> {
        let client = self.oauth_client(client_id)?;
        let ok = match (&client.secret, secret) {
            (None, None) => client.is_public(),
            (Some(expected), Some(given)) => expected == given,
            _ => false,
        };
        ok.then_some(client)
    }
}
