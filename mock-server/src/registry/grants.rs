//! Tokens of the authorization code flow: codes (single-use, 60 s, PKCE S256), token families
//! (every access and refresh token descending from one approval), refresh-token rotation with
//! family revocation on reuse (RFC 9700 section 4.14.2), revocation (RFC 7009), and what a flow
//! token authenticates as and which scopes it carries.

use std::collections::{BTreeSet, HashMap};

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, Utc};
use sha2::{Digest, Sha256};
use ucr_spec::platforms::{ConsentScope, TokenResponse};
use ucr_spec::scopes::{RepresentativeScope, consent_scope_name, parse_consent_scope};
use uuid::Uuid;

use super::Registry;
use super::oauth_clients::OAuthClient;
use super::platforms::ACCESS_TOKEN_LIFETIME;
use super::principal::Principal;
use crate::faults::Fault;

/// What an approval granted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Granted {
    /// A representative's app: these scopes, acting as the representative.
    Representative(BTreeSet<RepresentativeScope>),
    /// A platform's consent request: the consent was granted on `account_id` with `scopes`.
    Consent {
        platform_id: String,
        account_id: String,
        scopes: Vec<ConsentScope>,
    },
}

impl Granted {
    /// The scope names granted, in order.
    fn names(&self) -> Vec<String> {
        match self {
            Granted::Representative(scopes) => scopes.iter().map(|s| s.name().to_owned()).collect(),
            Granted::Consent { scopes, .. } => {
                scopes.iter().map(|s| consent_scope_name(*s)).collect()
            }
        }
    }

    /// The narrower grant `requested` names, or `None` if it names a scope not granted here.
    fn narrowed(&self, requested: &[&str]) -> Option<Granted> {
        match self {
            Granted::Representative(scopes) => requested
                .iter()
                .map(|name| RepresentativeScope::parse(name).filter(|s| scopes.contains(s)))
                .collect::<Option<BTreeSet<_>>>()
                .map(Granted::Representative),
            Granted::Consent {
                platform_id,
                account_id,
                scopes,
            } => {
                let mut narrowed = Vec::new();
                for name in requested {
                    let scope = parse_consent_scope(name).filter(|s| scopes.contains(s))?;
                    if !narrowed.contains(&scope) {
                        narrowed.push(scope);
                    }
                }
                Some(Granted::Consent {
                    platform_id: platform_id.clone(),
                    account_id: account_id.clone(),
                    scopes: narrowed,
                })
            }
        }
    }
}

/// Every token descending from one approval.
#[derive(Debug, Clone)]
pub(super) struct Family {
    client_id: String,
    principal: Principal,
    granted: Granted,
    revoked: bool,
}

impl Family {
    pub(super) fn new(client_id: String, principal: Principal, granted: Granted) -> Self {
        Family {
            client_id,
            principal,
            granted,
            revoked: false,
        }
    }
}

/// An authorization code as stored (kept after use, to detect a second use).
#[derive(Debug, Clone)]
pub(super) struct CodeRecord {
    pub(super) family: u64,
    pub(super) client_id: String,
    pub(super) redirect_uri: String,
    pub(super) code_challenge: String,
    pub(super) expires_at: DateTime<Utc>,
    pub(super) used: bool,
}

/// An access token of the flow.
#[derive(Debug, Clone)]
struct AccessRecord {
    family: u64,
    granted: Granted,
    expires_at: DateTime<Utc>,
}

/// A refresh token (kept after use, to detect reuse).
#[derive(Debug, Clone)]
struct RefreshRecord {
    family: u64,
    used: bool,
}

/// The authorization server's state.
#[derive(Debug, Default)]
pub(super) struct AuthorizationServer {
    pub(super) codes: HashMap<String, CodeRecord>,
    families: HashMap<u64, Family>,
    access: HashMap<String, AccessRecord>,
    refresh: HashMap<String, RefreshRecord>,
    next_family: u64,
}

impl AuthorizationServer {
    /// Opens a token family; returns its number.
    pub(super) fn open_family(&mut self, family: Family) -> u64 {
        self.next_family += 1;
        self.families.insert(self.next_family, family);
        self.next_family
    }

    /// Revokes a family: every access token of it goes, and its refresh tokens and codes are
    /// refused from now on.
    fn revoke_family(&mut self, family: u64) {
        if let Some(f) = self.families.get_mut(&family) {
            f.revoked = true;
        }
        self.access.retain(|_, a| a.family != family);
    }

    fn live_family(&self, family: u64) -> Option<&Family> {
        self.families.get(&family).filter(|f| !f.revoked)
    }
}

/// A refused grant: an RFC 6749 section 5.2 error code and a description.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GrantError {
    /// `invalid_grant`, `invalid_scope`, ...
    pub error: &'static str,
    /// What went wrong, for people.
    pub description: String,
}

fn invalid_grant(description: impl Into<String>) -> GrantError {
    GrantError {
        error: "invalid_grant",
        description: description.into(),
    }
}

/// BASE64URL(SHA256(verifier)) without padding (RFC 7636 section 4.2).
pub fn s256(verifier: &str) -> String {
    URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()))
}

impl Registry {
    /// Exchanges an authorization code (RFC 6749 section 4.1.3 with PKCE). A second use of a code
    /// revokes every token issued from it.
    pub fn exchange_code(
        &mut self,
        client: &OAuthClient,
        code: &str,
        redirect_uri: &str,
        code_verifier: &str,
    ) -> Result<TokenResponse, GrantError> {
        self.expire_due();
        let now = self.now();
        let Some(record) = self.authorization.codes.get(code).cloned() else {
            return Err(invalid_grant("the code is unknown"));
        };
        if record.client_id != client.client_id {
            return Err(invalid_grant("the code was issued to another client"));
        }
        // FAULT(authorization-code-reusable): a used code is exchanged again for new tokens.
        if record.used && !self.fault(Fault::AuthorizationCodeReusable) {
            self.authorization.revoke_family(record.family);
            return Err(invalid_grant(
                "the code was used already; every token issued from it is now revoked",
            ));
        }
        if record.expires_at <= now {
            return Err(invalid_grant("the code has expired (codes live 60 s)"));
        }
        if record.redirect_uri != redirect_uri {
            return Err(invalid_grant(
                "redirect_uri differs from the authorization request's",
            ));
        }
        // FAULT(pkce-not-verified): any code_verifier goes.
        if s256(code_verifier) != record.code_challenge && !self.fault(Fault::PkceNotVerified) {
            return Err(invalid_grant(
                "code_verifier does not match the code_challenge (S256)",
            ));
        }
        let Some(family) = self.authorization.live_family(record.family) else {
            return Err(invalid_grant("the authorization was revoked"));
        };
        let granted = family.granted.clone();
        if let Some(stored) = self.authorization.codes.get_mut(code) {
            stored.used = true;
        }
        Ok(self.issue_flow_tokens(record.family, granted, now))
    }

    /// Rotates a refresh token (RFC 6749 section 6): a new access token and a new refresh token;
    /// a used refresh token revokes its whole family.
    pub fn refresh_grant(
        &mut self,
        client: &OAuthClient,
        refresh_token: &str,
        scope: Option<&str>,
    ) -> Result<TokenResponse, GrantError> {
        self.expire_due();
        let now = self.now();
        let Some(record) = self.authorization.refresh.get(refresh_token).cloned() else {
            return Err(invalid_grant("the refresh token is unknown"));
        };
        let Some(family) = self.authorization.families.get(&record.family) else {
            return Err(invalid_grant("the refresh token is unknown"));
        };
        if family.client_id != client.client_id {
            return Err(invalid_grant(
                "the refresh token was issued to another client",
            ));
        }
        if family.revoked {
            return Err(invalid_grant("the refresh token was revoked"));
        }
        if record.used {
            self.authorization.revoke_family(record.family);
            return Err(invalid_grant(
                "the refresh token was used already; every token of its authorization is now \
                 revoked (RFC 9700 section 4.14.2)",
            ));
        }
        let granted = match scope {
            None => family.granted.clone(),
            Some(scope) => {
                let requested: Vec<&str> = scope.split(' ').filter(|s| !s.is_empty()).collect();
                family
                    .granted
                    .narrowed(&requested)
                    .filter(|_| !requested.is_empty())
                    .ok_or_else(|| GrantError {
                        error: "invalid_scope",
                        description: format!(
                            "scope must be a non-empty subset of the scopes granted: {}",
                            family.granted.names().join(" ")
                        ),
                    })?
            }
        };
        // FAULT(refresh-token-not-rotated): the refresh token presented is handed back, unused.
        if self.fault(Fault::RefreshTokenNotRotated) {
            let mut response = self.issue_flow_tokens(record.family, granted, now);
            if let Some(fresh) = response.refresh_token.take() {
                self.authorization.refresh.remove(&fresh);
            }
            response.refresh_token = Some(refresh_token.to_owned());
            return Ok(response);
        }
        if let Some(stored) = self.authorization.refresh.get_mut(refresh_token) {
            stored.used = true;
        }
        Ok(self.issue_flow_tokens(record.family, granted, now))
    }

    /// Revokes `token` if `client` owns it (RFC 7009): an access token alone, a refresh token with
    /// its whole family, a client-credentials token of the platform. Anything else is ignored.
    pub fn revoke_token(&mut self, client: &OAuthClient, token: &str) {
        self.expire_due();
        let owns = |family: u64, server: &AuthorizationServer| {
            server
                .families
                .get(&family)
                .is_some_and(|f| f.client_id == client.client_id)
        };
        if let Some(record) = self.authorization.refresh.get(token) {
            let family = record.family;
            if owns(family, &self.authorization) {
                self.authorization.revoke_family(family);
            }
            return;
        }
        if let Some(record) = self.authorization.access.get(token) {
            // FAULT(revoked-token-accepted): 200, but the access token is kept.
            if owns(record.family, &self.authorization) && !self.fault(Fault::RevokedTokenAccepted)
            {
                self.authorization.access.remove(token);
            }
            return;
        }
        if let super::oauth_clients::ClientOwner::Platform(platform_id) = &client.owner
            && self
                .access_tokens
                .get(token)
                .is_some_and(|(owner, _)| owner == platform_id)
        {
            self.access_tokens.remove(token);
        }
    }

    /// Who a flow access token authenticates as, if it is one, live and unexpired.
    pub(super) fn flow_principal(&self, token: &str) -> Option<Principal> {
        let record = self.authorization.access.get(token)?;
        let family = self.authorization.live_family(record.family)?;
        (record.expires_at > self.now()).then(|| family.principal.clone())
    }

    /// The representative scopes a representative's flow token carries; `None` for any other
    /// token (which is not restricted by scope).
    pub fn flow_scopes(&self, token: &str) -> Option<BTreeSet<RepresentativeScope>> {
        match &self.authorization.access.get(token)?.granted {
            Granted::Representative(scopes) => Some(scopes.clone()),
            Granted::Consent { .. } => None,
        }
    }

    /// A new access token and refresh token in `family`, carrying `granted`.
    fn issue_flow_tokens(
        &mut self,
        family: u64,
        granted: Granted,
        now: DateTime<Utc>,
    ) -> TokenResponse {
        self.authorization.access.retain(|_, a| a.expires_at > now);
        let access_token = format!("ucr_at_{}", Uuid::new_v4().simple());
        let refresh_token = format!("ucr_rt_{}", Uuid::new_v4().simple());
        let scope = granted.names().join(" ");
        self.authorization.access.insert(
            access_token.clone(),
            AccessRecord {
                family,
                granted,
                expires_at: now + ACCESS_TOKEN_LIFETIME,
            },
        );
        self.authorization.refresh.insert(
            refresh_token.clone(),
            RefreshRecord {
                family,
                used: false,
            },
        );
        TokenResponse {
            access_token,
            token_type: "Bearer".to_owned(),
            expires_in: ACCESS_TOKEN_LIFETIME.num_seconds().unsigned_abs(),
            refresh_token: Some(refresh_token),
            scope: Some(scope),
        }
    }
}
