//! The authorization endpoint's model: validating an authorization request (client, exact
//! redirect URI, PKCE S256, scopes, account), holding it pending while the consent page is shown,
//! and the representative's decision: approval issues a code (and, for consent scopes, grants the
//! consent through [`Registry::grant_consent`]); declining creates nothing.

use std::collections::BTreeSet;

use chrono::{DateTime, TimeDelta, Utc};
use ucr_spec::ProblemType;
use ucr_spec::oauth::{
    AuthorizationDecision, AuthorizationForm, AuthorizeQuery, FLOW_CONSENT_LIFETIME_DAYS,
};
use ucr_spec::platforms::{ConsentRequest, ConsentScope, PlatformKind};
use ucr_spec::problem::{InvalidParam, Problem};
use ucr_spec::scopes::{
    RepresentativeScope, consent_scope_meaning, consent_scope_name, parse_consent_scope,
};
use uuid::Uuid;

use super::Registry;
use super::grants::{CodeRecord, Family, Granted};
use super::oauth_clients::{ClientOwner, OAuthClient};
use super::principal::Principal;
use crate::faults::Fault;

/// How long the consent page's request waits for a decision, in registry time.
pub const PENDING_LIFETIME: TimeDelta = TimeDelta::minutes(10);

/// How long an authorization code can be exchanged, in registry time (the contract's 60 s).
pub const CODE_LIFETIME: TimeDelta =
    TimeDelta::seconds(ucr_spec::oauth::AUTHORIZATION_CODE_LIFETIME_SECONDS as i64);

/// A validated authorization request waiting for the representative's decision.
#[derive(Debug, Clone)]
pub(super) struct PendingAuthorization {
    client_id: String,
    client_name: String,
    redirect_uri: String,
    state: Option<String>,
    code_challenge: String,
    granted: Granted,
    /// The representatives who may decide, by ID.
    approvers: Vec<String>,
    expires_at: DateTime<Utc>,
}

/// A refused authorization request.
#[derive(Debug, Clone, PartialEq)]
pub enum AuthorizeError {
    /// The client or the redirect URI cannot be trusted: answer this `400`, never redirect.
    NoRedirect(Problem),
    /// Redirect to the client with `error`, `error_description` and `state` (RFC 6749 4.1.2.1).
    Redirect(String),
}

/// What the consent page shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConsentPage {
    /// The pending request, the form's hidden field.
    pub request_id: String,
    /// The client's name.
    pub client_name: String,
    /// The account a consent is asked for, if any.
    pub account_id: Option<String>,
    /// Each scope asked: its name and what it allows, in words.
    pub scopes: Vec<(String, &'static str)>,
    /// The representatives who may decide: ID and name.
    pub approvers: Vec<(String, String)>,
}

/// A valid authorization request: the page to show, or (the `login_hint` shortcut) the redirect.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Authorization {
    /// Show the sign-in and consent page.
    Page(ConsentPage),
    /// Approved at once: redirect here (with `code` and `state`).
    Approved(String),
}

/// `uri` with `params` added to its query.
pub fn redirect_with(uri: &str, params: &[(&str, &str)]) -> String {
    let query = serde_urlencoded::to_string(params).unwrap_or_default();
    let separator = if uri.contains('?') { '&' } else { '?' };
    format!("{uri}{separator}{query}")
}

/// Whether `challenge` has the form of an S256 code challenge: 43 base64url characters.
fn is_s256_challenge(challenge: &str) -> bool {
    challenge.len() == 43
        && challenge
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

fn bad_parameter(name: &str, reason: &str) -> AuthorizeError {
    let mut problem = ProblemType::InvalidParameter.problem(format!(
        "{name}: {reason}; this error is not redirected, because the client or its redirect URI \
         cannot be trusted"
    ));
    problem.invalid_params.push(InvalidParam {
        name: name.to_owned(),
        reason: reason.to_owned(),
    });
    AuthorizeError::NoRedirect(problem)
}

impl Registry {
    /// Validates an authorization request. With `login_hint` and `shortcut` (the sandbox), it is
    /// approved at once as that representative; otherwise it waits for the page's decision.
    pub fn begin_authorization(
        &mut self,
        query: &AuthorizeQuery,
        shortcut: bool,
    ) -> Result<Authorization, AuthorizeError> {
        self.expire_due();
        let now = self.now();
        self.forget_stale_authorizations(now);
        let client = query
            .client_id
            .as_deref()
            .and_then(|id| self.oauth_client(id))
            .ok_or_else(|| bad_parameter("client_id", "no client is registered with this ID"))?;
        // FAULT(redirect-uri-prefix-match): any URI that starts with a registered one goes.
        let prefix_match = self.fault(Fault::RedirectUriPrefixMatch);
        let redirect_uri = query
            .redirect_uri
            .clone()
            .filter(|uri| {
                client.redirect_uris.contains(uri)
                    || (prefix_match
                        && client
                            .redirect_uris
                            .iter()
                            .any(|registered| uri.starts_with(registered.as_str())))
            })
            .ok_or_else(|| {
                bad_parameter(
                    "redirect_uri",
                    "give exactly one of the client's registered redirect URIs",
                )
            })?;
        let state = query.state.clone();
        let fail = |error: &str, description: &str| {
            let mut params = vec![("error", error), ("error_description", description)];
            if let Some(state) = &state {
                params.push(("state", state));
            }
            AuthorizeError::Redirect(redirect_with(&redirect_uri, &params))
        };
        if query.response_type.as_deref() != Some("code") {
            return Err(fail(
                "unsupported_response_type",
                "response_type must be code",
            ));
        }
        // FAULT(pkce-plain-accepted): plain, or no method (plain by RFC 7636's default), goes.
        let plain_accepted = self.fault(Fault::PkcePlainAccepted)
            && matches!(query.code_challenge_method.as_deref(), None | Some("plain"));
        if query.code_challenge_method.as_deref() != Some("S256") && !plain_accepted {
            return Err(fail(
                "invalid_request",
                "PKCE is required: code_challenge_method must be S256 (plain is not accepted)",
            ));
        }
        let Some(code_challenge) = query
            .code_challenge
            .clone()
            .filter(|c| is_s256_challenge(c) || (plain_accepted && (43..=128).contains(&c.len())))
        else {
            return Err(fail(
                "invalid_request",
                "code_challenge must be BASE64URL(SHA256(code_verifier)) without padding: 43 characters",
            ));
        };
        let granted = self
            .requested_grant(&client, query)
            .map_err(|(error, description)| fail(error, &description))?;
        let approvers = self.approvers(&granted);
        let pending = PendingAuthorization {
            client_id: client.client_id.clone(),
            client_name: client.name.clone(),
            redirect_uri: redirect_uri.clone(),
            state: state.clone(),
            code_challenge,
            granted,
            approvers,
            expires_at: now + PENDING_LIFETIME,
        };
        if let Some(hint) = query.login_hint.as_deref().filter(|_| shortcut) {
            if !pending.approvers.iter().any(|a| a == hint) {
                return Err(fail(
                    "invalid_request",
                    "login_hint names no representative who may approve this request",
                ));
            }
            return self
                .approve(&pending, hint)
                .map(Authorization::Approved)
                .map_err(|problem| {
                    fail(
                        "invalid_request",
                        problem
                            .detail
                            .as_deref()
                            .unwrap_or("the request cannot be approved"),
                    )
                });
        }
        let page = ConsentPage {
            request_id: format!("ucr_authz_{}", Uuid::new_v4().simple()),
            client_name: pending.client_name.clone(),
            account_id: match &pending.granted {
                Granted::Consent { account_id, .. } => Some(account_id.clone()),
                Granted::Representative(_) => None,
            },
            scopes: pending.granted.described(),
            approvers: pending
                .approvers
                .iter()
                .map(|id| {
                    let name = self
                        .representatives
                        .get(id)
                        .map(|r| r.name.clone())
                        .unwrap_or_default();
                    (id.clone(), name)
                })
                .collect(),
        };
        self.pending_authorizations
            .insert(page.request_id.clone(), pending);
        Ok(Authorization::Page(page))
    }

    /// The consent page's decision: approve → the redirect with `code` and `state`; decline → the
    /// redirect with `error=access_denied`. Unknown or decided requests and representatives not
    /// offered are refused (`400`) and change nothing.
    pub fn decide_authorization(&mut self, form: &AuthorizationForm) -> Result<String, Problem> {
        self.expire_due();
        let now = self.now();
        self.forget_stale_authorizations(now);
        let refuse = |name: &str, reason: &str| {
            let mut problem = ProblemType::MalformedRequest.problem(format!("{name}: {reason}"));
            problem.invalid_params.push(InvalidParam {
                name: name.to_owned(),
                reason: reason.to_owned(),
            });
            problem
        };
        let Some(pending) = self.pending_authorizations.get(&form.request_id).cloned() else {
            return Err(refuse(
                "request_id",
                "no pending authorization request has this ID: it was decided already, has lapsed \
                 (10 minutes) or never existed; start again from the client",
            ));
        };
        if !pending.approvers.contains(&form.representative_id) {
            return Err(refuse(
                "representative_id",
                "this representative was not offered on the page and cannot decide this request",
            ));
        }
        let location = match form.decision {
            AuthorizationDecision::Approve => self.approve(&pending, &form.representative_id)?,
            AuthorizationDecision::Decline => {
                let mut params = vec![
                    ("error", "access_denied"),
                    (
                        "error_description",
                        "the representative declined the request",
                    ),
                ];
                if let Some(state) = &pending.state {
                    params.push(("state", state));
                }
                redirect_with(&pending.redirect_uri, &params)
            }
        };
        self.pending_authorizations.remove(&form.request_id);
        Ok(location)
    }

    /// The scopes the client asks for, checked against what it may ask (RFC 6749 4.1.2.1 errors).
    fn requested_grant(
        &self,
        client: &OAuthClient,
        query: &AuthorizeQuery,
    ) -> Result<Granted, (&'static str, String)> {
        let names: Vec<&str> = query
            .scope
            .as_deref()
            .unwrap_or_default()
            .split(' ')
            .filter(|s| !s.is_empty())
            .collect();
        if names.is_empty() {
            return Err(("invalid_scope", "ask for at least one scope".into()));
        }
        let mut representative = BTreeSet::new();
        let mut consent: Vec<ConsentScope> = Vec::new();
        for name in &names {
            if let Some(scope) = RepresentativeScope::parse(name) {
                representative.insert(scope);
            } else if let Some(scope) = parse_consent_scope(name) {
                if !consent.contains(&scope) {
                    consent.push(scope);
                }
            } else {
                return Err((
                    "invalid_scope",
                    format!("{name} is not a scope of this server (see scopes_supported)"),
                ));
            }
        }
        match &client.owner {
            ClientOwner::Representative(_) => {
                if !consent.is_empty() {
                    return Err((
                        "invalid_scope",
                        "consent scopes are for trading platforms and third-party registries; a \
                         representative's app asks for representative scopes"
                            .into(),
                    ));
                }
                if query.account_id.is_some() {
                    return Err((
                        "invalid_request",
                        "account_id goes with consent scopes only".into(),
                    ));
                }
                Ok(Granted::Representative(representative))
            }
            ClientOwner::Platform(platform_id) => {
                if !representative.is_empty() {
                    return Err((
                        "invalid_scope",
                        "a trading platform or third-party registry asks for consent scopes \
                         (consent:...), not representative scopes"
                            .into(),
                    ));
                }
                if consent.contains(&ConsentScope::Association)
                    && self.platform_kind(platform_id) != Some(PlatformKind::ThirdPartyRegistry)
                {
                    return Err((
                        "invalid_scope",
                        "consent:association can be asked only by a third-party registry".into(),
                    ));
                }
                let Some(account_id) = query
                    .account_id
                    .clone()
                    .filter(|a| self.accounts.contains_key(a))
                else {
                    return Err((
                        "invalid_request",
                        "consent scopes need account_id, the number of an existing account".into(),
                    ));
                };
                Ok(Granted::Consent {
                    platform_id: platform_id.clone(),
                    account_id,
                    scopes: consent,
                })
            }
        }
    }

    /// Who may decide: for a consent, the representatives appointed to the account (as for
    /// `grant_consent`); otherwise every representative.
    fn approvers(&self, granted: &Granted) -> Vec<String> {
        match granted {
            Granted::Consent { account_id, .. } => self
                .accounts
                .get(account_id)
                .map(|a| a.appointments.keys().cloned().collect())
                .unwrap_or_default(),
            Granted::Representative(_) => self.representatives.keys().cloned().collect(),
        }
    }

    /// Approves as `representative_id`: grants the consent (consent scopes), opens the grant's
    /// token family and issues its code; returns the redirect with `code` and `state`.
    fn approve(
        &mut self,
        pending: &PendingAuthorization,
        representative_id: &str,
    ) -> Result<String, Problem> {
        let now = self.now();
        let principal = match &pending.granted {
            Granted::Consent {
                platform_id,
                account_id,
                scopes,
            } => {
                let expires_at = now + TimeDelta::days(FLOW_CONSENT_LIFETIME_DAYS as i64);
                self.grant_consent(
                    &Principal::Representative(representative_id.to_owned()),
                    account_id,
                    ConsentRequest {
                        grantee_id: platform_id.clone(),
                        scopes: scopes.clone(),
                        expires_at,
                        // The flow asks for whole-account consent; a subset is granted with
                        // `grant_consent` (REQ-CONSENT-012).
                        subset: None,
                    },
                )?;
                Principal::Platform(platform_id.clone())
            }
            Granted::Representative(_) => Principal::Representative(representative_id.to_owned()),
        };
        let family = self.authorization.open_family(Family::new(
            pending.client_id.clone(),
            principal,
            pending.granted.clone(),
        ));
        let code = format!("ucr_code_{}", Uuid::new_v4().simple());
        self.authorization.codes.insert(
            code.clone(),
            CodeRecord {
                family,
                client_id: pending.client_id.clone(),
                redirect_uri: pending.redirect_uri.clone(),
                code_challenge: pending.code_challenge.clone(),
                expires_at: now + CODE_LIFETIME,
                used: false,
            },
        );
        let mut params = vec![("code", code.as_str())];
        if let Some(state) = &pending.state {
            params.push(("state", state));
        }
        Ok(redirect_with(&pending.redirect_uri, &params))
    }
}

impl Granted {
    /// Each scope's name and meaning, for the page.
    fn described(&self) -> Vec<(String, &'static str)> {
        match self {
            Granted::Representative(scopes) => scopes
                .iter()
                .map(|s| (s.name().to_owned(), s.meaning()))
                .collect(),
            Granted::Consent { scopes, .. } => scopes
                .iter()
                .map(|s| (consent_scope_name(*s), consent_scope_meaning(*s)))
                .collect(),
        }
    }
}

impl Registry {
    /// Drops pending authorization requests whose time ran out.
    fn forget_stale_authorizations(&mut self, now: DateTime<Utc>) {
        self.pending_authorizations
            .retain(|_, p| p.expires_at > now);
    }
}
