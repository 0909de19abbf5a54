//! Trading platforms and third-party registries: sandbox registration, OAuth access tokens,
//! consents and the account access they give (B.1, B.4, C.1), and delegations (B.2).

use std::collections::BTreeSet;

use chrono::{DateTime, Months, SecondsFormat, SubsecRound, TimeDelta, Utc};
use ucr_spec::ProblemType;
use ucr_spec::model::Role;
use ucr_spec::platforms::{
    Consent, ConsentRequest, ConsentScope, ConsentStatus, Delegation, DelegationRequest,
    DelegationStatus, Platform, PlatformKind, TokenResponse,
};
use ucr_spec::problem::Problem;
use ucr_spec::sandbox::{
    NewAccountHolder, NewPlatform, NewPlatformRepresentative, PlatformCredential,
    PlatformRepresentativeCredential,
};
use ucr_spec::webhooks::{EventData, EventType};
use uuid::Uuid;

use super::Registry;
use super::principal::Principal;
use super::records::{AccountRecord, Due, RepresentativeRecord, ids};
use super::subset::{self, Lens};
use super::transactions::require_role;
use super::validate::{check_text, validation_failed, wire_name};
use crate::faults::Fault;

/// How long an OAuth access token is accepted, in registry clock time.
pub const ACCESS_TOKEN_LIFETIME: TimeDelta =
    TimeDelta::seconds(ucr_spec::oauth::ACCESS_TOKEN_LIFETIME_SECONDS as i64);

/// How far ahead a consent may lapse.
const MAX_CONSENT_MONTHS: u32 = 36;

/// A platform as stored, with its OAuth client secret.
#[derive(Debug, Clone)]
pub(super) struct PlatformRecord {
    pub platform: Platform,
    pub client_secret: String,
    /// Where the authorization code flow may redirect (consent requests).
    pub redirect_uris: Vec<String>,
}

/// What a read of an account needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum AccountRead {
    /// Account details and balances (`holdings_read`).
    Details,
    /// Holdings (`holdings_read` or `association` for all, `reserved_units_read` for the
    /// platform's reserved blocks).
    Holdings,
    /// Transaction history (`transactions_read`).
    Transactions,
}

/// Which units of an account a reader sees.
#[derive(Debug, Clone)]
pub(super) enum HoldingsView {
    /// Every unit.
    All,
    /// A platform's holdings: the units its `holdings_read` and `association` consents select
    /// (`full`), and of the blocks reserved for it those its `reserved_units_read` consents select.
    Platform {
        platform_id: String,
        full: Lens,
        reserved: Lens,
    },
    /// The units these consents select (details or history); empty means none counted, which
    /// only a consent fault lets through, and is read as every unit.
    Selected(Lens),
}

impl Registry {
    // ---- sandbox -------------------------------------------------------------------------------

    /// Registers a trading platform (`TP-0001`, ...) or third-party registry (`TR-0001`, ...),
    /// creates its account holder, and returns its bearer token and OAuth client credentials.
    pub fn create_platform(&mut self, request: NewPlatform) -> Result<PlatformCredential, Problem> {
        self.expire_due();
        check_text("/name", &request.name, 200)?;
        super::oauth_clients::check_redirect_uris("/redirect_uris", &request.redirect_uris, false)?;
        let holder = self.create_account_holder(NewAccountHolder {
            name: request.name.clone(),
        })?;
        let platform_id = match request.kind {
            PlatformKind::TradingPlatform => {
                self.ids.trading_platform += 1;
                format!("TP-{:04}", self.ids.trading_platform)
            }
            PlatformKind::ThirdPartyRegistry => {
                self.ids.third_party_registry += 1;
                format!("TR-{:04}", self.ids.third_party_registry)
            }
        };
        let platform = Platform {
            platform_id: platform_id.clone(),
            name: request.name,
            kind: request.kind,
            holder_id: holder.holder_id,
        };
        let token = format!("ucr_pt_{}", Uuid::new_v4().simple());
        let client_id = format!("ucr_client_{}", Uuid::new_v4().simple());
        let client_secret = format!("ucr_secret_{}", Uuid::new_v4().simple());
        self.tokens
            .insert(token.clone(), Principal::Platform(platform_id.clone()));
        self.clients.insert(client_id.clone(), platform_id.clone());
        self.platforms.insert(
            platform_id,
            PlatformRecord {
                platform: platform.clone(),
                client_secret: client_secret.clone(),
                redirect_uris: request.redirect_uris,
            },
        );
        Ok(PlatformCredential {
            platform,
            token,
            client_id,
            client_secret,
        })
    }

    /// Replaces a platform's bearer token and OAuth client credentials with fixed ones (fixtures:
    /// a configured target knows its platforms' credentials in advance).
    pub(crate) fn set_platform_credentials(
        &mut self,
        platform_id: &str,
        token: &str,
        client_id: &str,
        client_secret: &str,
    ) -> Result<(), String> {
        if !self.platforms.contains_key(platform_id) {
            return Err(format!("there is no platform {platform_id}"));
        }
        if self.tokens.contains_key(token) {
            return Err(format!("token {token:?} is already in use"));
        }
        if self.clients.contains_key(client_id) {
            return Err(format!("client_id {client_id:?} is already in use"));
        }
        let mine = Principal::Platform(platform_id.to_owned());
        self.tokens.retain(|_, principal| *principal != mine);
        self.clients.retain(|_, platform| platform != platform_id);
        self.tokens.insert(token.to_owned(), mine);
        self.clients
            .insert(client_id.to_owned(), platform_id.to_owned());
        if let Some(record) = self.platforms.get_mut(platform_id) {
            record.client_secret = client_secret.to_owned();
        }
        Ok(())
    }

    /// Creates a representative of a trading platform. Unknown platform → `404 not-found`; a
    /// third-party registry has no representatives (`422`).
    pub fn create_platform_representative(
        &mut self,
        platform_id: &str,
        request: NewPlatformRepresentative,
    ) -> Result<PlatformRepresentativeCredential, Problem> {
        self.expire_due();
        let Some(platform) = self.platforms.get(platform_id) else {
            return Err(ProblemType::NotFound.problem(format!(
                "there is no platform {platform_id}; register one with POST /v1/sandbox/platforms"
            )));
        };
        if platform.platform.kind != PlatformKind::TradingPlatform {
            return Err(validation_failed(
                "platform_id",
                format!(
                    "{platform_id} is a third-party registry; only trading platforms have representatives"
                ),
            ));
        }
        check_text("/name", &request.name, 200)?;
        self.ids.representative += 1;
        let representative_id = format!("{}{:06}", ids::REPRESENTATIVE, self.ids.representative);
        let token = format!("ucr_ar_{}", Uuid::new_v4().simple());
        self.representatives.insert(
            representative_id.clone(),
            RepresentativeRecord {
                name: request.name.clone(),
                token: token.clone(),
                platform_id: Some(platform_id.to_owned()),
            },
        );
        self.tokens.insert(
            token.clone(),
            Principal::Representative(representative_id.clone()),
        );
        Ok(PlatformRepresentativeCredential {
            representative_id,
            platform_id: platform_id.to_owned(),
            name: request.name,
            token,
        })
    }

    // ---- platforms and tokens ------------------------------------------------------------------

    /// A platform or registry; any authenticated caller may look one up.
    pub fn platform(&mut self, platform_id: &str) -> Result<Platform, Problem> {
        self.expire_due();
        self.platforms
            .get(platform_id)
            .map(|p| p.platform.clone())
            .ok_or_else(|| {
                ProblemType::NotFound
                    .problem(format!("there is no platform or registry {platform_id}"))
            })
    }

    /// Exchanges client credentials for an access token valid for [`ACCESS_TOKEN_LIFETIME`] of
    /// registry clock time; `None` for an unknown client or a wrong secret.
    pub fn issue_token(&mut self, client_id: &str, client_secret: &str) -> Option<TokenResponse> {
        self.expire_due();
        let platform_id = self.clients.get(client_id)?;
        let platform = self.platforms.get(platform_id)?;
        // FAULT(oauth-secret-unchecked): the secret is never compared.
        if platform.client_secret != client_secret && !self.fault(Fault::OauthSecretUnchecked) {
            return None;
        }
        let platform_id = platform_id.clone();
        let now = self.now();
        self.access_tokens
            .retain(|_, (_, expires_at)| *expires_at > now);
        let token = format!("ucr_at_{}", Uuid::new_v4().simple());
        self.access_tokens
            .insert(token.clone(), (platform_id, now + ACCESS_TOKEN_LIFETIME));
        Some(TokenResponse {
            access_token: token,
            token_type: "Bearer".to_owned(),
            expires_in: ACCESS_TOKEN_LIFETIME.num_seconds().unsigned_abs(),
            refresh_token: None,
            scope: None,
        })
    }

    /// The kind of a platform, if it exists.
    pub(super) fn platform_kind(&self, platform_id: &str) -> Option<PlatformKind> {
        self.platforms.get(platform_id).map(|p| p.platform.kind)
    }

    // ---- access --------------------------------------------------------------------------------

    /// The consents of `platform_id` on the account that count at `now`: the active ones (and
    /// what the consent faults wrongly count).
    fn counted_consents(
        &self,
        platform_id: &str,
        account_id: &str,
        now: DateTime<Utc>,
    ) -> Vec<&Consent> {
        let revoked_honoured = self.fault(Fault::RevokedConsentHonoured);
        let expired_honoured = self.fault(Fault::ExpiredConsentHonoured);
        let mut counted: Vec<&Consent> = self
            .consents
            .values()
            .filter(|c| {
                c.account_id == account_id
                && c.grantee_id == platform_id
                // FAULT(revoked-consent-honoured): revocation is not looked at.
                && (c.status == ConsentStatus::Active
                    || (revoked_honoured && c.status == ConsentStatus::Revoked))
                // FAULT(expired-consent-honoured): nor is the expiry.
                && (c.expires_at > now || expired_honoured)
            })
            .collect();
        if !counted.is_empty() && self.fault(Fault::RevokedConsentScopesCounted) {
            // FAULT(revoked-consent-scopes-counted): the union also takes revoked consents' scopes.
            counted.extend(self.consents.values().filter(|c| {
                c.account_id == account_id
                    && c.grantee_id == platform_id
                    && c.status == ConsentStatus::Revoked
            }));
        }
        counted
    }

    /// The union of the scopes of `platform_id`'s active consents on the account, or `None` when
    /// it holds no active consent there.
    pub(super) fn active_scopes(
        &self,
        platform_id: &str,
        account_id: &str,
        now: DateTime<Utc>,
    ) -> Option<BTreeSet<ConsentScope>> {
        let counted = self.counted_consents(platform_id, account_id, now);
        (!counted.is_empty()).then(|| {
            counted
                .iter()
                .flat_map(|c| c.scopes.iter().copied())
                .collect()
        })
    }

    /// The units `platform_id`'s active consents on the account carrying one of `scopes` select
    /// (REQ-SCOPE-013): the union of their subsets.
    pub(super) fn lens(
        &self,
        platform_id: &str,
        account_id: &str,
        scopes: &[ConsentScope],
    ) -> Lens {
        let mut lens = Lens::default();
        for consent in self.counted_consents(platform_id, account_id, self.now()) {
            if consent.scopes.iter().any(|s| scopes.contains(s)) {
                lens.add(consent.subset.as_ref());
            }
        }
        lens
    }

    /// Whether `platform_id` ever held a consent on the account (in any status).
    pub(super) fn ever_consented(&self, platform_id: &str, account_id: &str) -> bool {
        self.consents
            .values()
            .any(|c| c.account_id == account_id && c.grantee_id == platform_id)
    }

    /// Whether the platform holds an active consent with one of `scopes` on the account.
    pub(super) fn has_scope(
        &self,
        platform_id: &str,
        account_id: &str,
        scopes: &[ConsentScope],
    ) -> bool {
        self.active_scopes(platform_id, account_id, self.now())
            .is_some_and(|held| scopes.iter().any(|s| held.contains(s)))
    }

    /// `404` when the platform never held a consent on the account; `403 consent-required` when
    /// it did but no active consent carries one of `scopes`.
    pub(super) fn require_consent(
        &self,
        platform_id: &str,
        account_id: &str,
        scopes: &[ConsentScope],
        action: &str,
    ) -> Result<(), Problem> {
        if !self.accounts.contains_key(account_id) || !self.ever_consented(platform_id, account_id)
        {
            return Err(not_visible(account_id));
        }
        if self.has_scope(platform_id, account_id, scopes) {
            return Ok(());
        }
        let names: Vec<String> = scopes.iter().map(wire_name).collect();
        Err(ProblemType::ConsentRequired.problem(format!(
            "to {action} account {account_id} you need an active consent with scope {}; yours was revoked, \
             has expired or does not carry that scope. Ask the account holder for a new consent",
            names.join(" or ")
        )))
    }

    /// An account `who` may read for `need`: a representative appointed to it, or a platform with
    /// an active consent carrying the needed scope.
    pub(super) fn readable_account(
        &self,
        who: &Principal,
        account_id: &str,
        need: AccountRead,
    ) -> Result<(&AccountRecord, HoldingsView), Problem> {
        let Some(platform_id) = who.platform_id() else {
            return Ok((self.visible_account(who, account_id)?, HoldingsView::All));
        };
        if self.fault(Fault::EscrowControllerOverreach)
            && self.controls_escrow_on(platform_id, account_id)
            && let Some(record) = self.accounts.get(account_id)
        {
            // FAULT(escrow-controller-overreach): the controller listed among the account's
            // representatives reads the account as one, without consent.
            return Ok((record, HoldingsView::All));
        }
        let (mut scopes, action): (&[ConsentScope], &str) = match need {
            AccountRead::Details => (&[ConsentScope::HoldingsRead], "read"),
            AccountRead::Holdings => (
                &[
                    ConsentScope::HoldingsRead,
                    ConsentScope::Association,
                    ConsentScope::ReservedUnitsRead,
                ],
                "read the holdings of",
            ),
            AccountRead::Transactions => (
                &[ConsentScope::TransactionsRead],
                "read the transaction history of",
            ),
        };
        if self.fault(Fault::ConsentScopeIgnored) {
            // FAULT(consent-scope-ignored): any consent is taken to cover every read.
            scopes = &[
                ConsentScope::HoldingsRead,
                ConsentScope::TransactionsRead,
                ConsentScope::ReservedUnitsRead,
                ConsentScope::Association,
            ];
        }
        self.require_consent(platform_id, account_id, scopes, action)?;
        let record = self
            .accounts
            .get(account_id)
            .ok_or_else(|| not_visible(account_id))?;
        let lens = |scopes: &[ConsentScope]| self.lens(platform_id, account_id, scopes);
        let view = match need {
            AccountRead::Holdings => {
                let full = lens(&[ConsentScope::HoldingsRead, ConsentScope::Association]);
                let mut reserved = lens(&[ConsentScope::ReservedUnitsRead]);
                if full.is_empty() && reserved.is_empty() {
                    // Access granted by a consent fault: the view of a bare consent.
                    reserved = Lens::whole();
                }
                // FAULT(consent-subset-ignored): holdings are read as if no consent had a subset.
                if self.fault(Fault::ConsentSubsetIgnored) {
                    if !full.is_empty() {
                        return Ok((record, HoldingsView::All));
                    }
                    reserved = Lens::whole();
                }
                if full.is_whole() {
                    HoldingsView::All
                } else {
                    HoldingsView::Platform {
                        platform_id: platform_id.to_owned(),
                        full,
                        reserved,
                    }
                }
            }
            AccountRead::Details => HoldingsView::Selected(lens(&[ConsentScope::HoldingsRead])),
            AccountRead::Transactions => {
                HoldingsView::Selected(lens(&[ConsentScope::TransactionsRead]))
            }
        };
        Ok((record, view))
    }

    /// An account on which only its representatives may act: a platform that can see the account
    /// (it held a consent there) gets `403 forbidden`, anyone else who is not appointed `404`.
    pub(super) fn represented_account(
        &self,
        who: &Principal,
        account_id: &str,
        action: &str,
    ) -> Result<&AccountRecord, Problem> {
        if let Some(platform_id) = who.platform_id()
            && self.accounts.contains_key(account_id)
            && self.ever_consented(platform_id, account_id)
        {
            return Err(ProblemType::Forbidden.problem(format!(
                "only the account's authorised representatives may {action} account {account_id}; a platform's \
                 consent does not allow it"
            )));
        }
        self.visible_account(who, account_id)
    }

    // ---- consents ------------------------------------------------------------------------------

    /// Grants a consent on an account (any representative of it).
    pub fn grant_consent(
        &mut self,
        who: &Principal,
        account_id: &str,
        request: ConsentRequest,
    ) -> Result<Consent, Problem> {
        self.expire_due();
        self.represented_account(who, account_id, "grant consents on")?;
        let Some(grantee_kind) = self.platform_kind(&request.grantee_id) else {
            return Err(validation_failed(
                "/grantee_id",
                format!(
                    "there is no platform or registry {}; GET /v1/platforms/{{platform_id}} looks one up",
                    request.grantee_id
                ),
            ));
        };
        if request.scopes.is_empty() {
            return Err(validation_failed("/scopes", "give at least one scope"));
        }
        let distinct: BTreeSet<ConsentScope> = request.scopes.iter().copied().collect();
        if distinct.len() != request.scopes.len() {
            return Err(validation_failed("/scopes", "list each scope once"));
        }
        if distinct.contains(&ConsentScope::Association)
            && grantee_kind != PlatformKind::ThirdPartyRegistry
        {
            return Err(validation_failed(
                "/scopes",
                "the association scope can be granted only to a third-party registry",
            ));
        }
        let now = self.now();
        let expires_at = request.expires_at.trunc_subsecs(3);
        check_expiry("/expires_at", expires_at, now, Some(MAX_CONSENT_MONTHS))?;
        if let Some(subset) = &request.subset
            // FAULT(consent-subset-unvalidated): any subset is accepted.
            && !self.fault(Fault::ConsentSubsetUnvalidated)
        {
            subset::validate(subset)?;
        }

        self.ids.consent += 1;
        let consent_id = format!("CON-{:06}", self.ids.consent);
        let consent = Consent {
            consent_id: consent_id.clone(),
            account_id: account_id.to_owned(),
            grantee_id: request.grantee_id,
            grantee_kind,
            scopes: request.scopes,
            subset: request.subset,
            status: ConsentStatus::Active,
            granted_by: who.representative_id().unwrap_or_default().to_owned(),
            granted_at: now,
            expires_at,
            revoked_at: None,
        };
        self.expiries
            .insert((expires_at, Due::Consent(consent_id.clone())));
        self.consents.insert(consent_id, consent.clone());
        self.notify_consent(&consent, EventType::ConsentGranted, now);
        Ok(consent)
    }

    /// The consents on an account (its representatives), filtered by status.
    pub fn account_consents(
        &mut self,
        who: &Principal,
        account_id: &str,
        status: Option<ConsentStatus>,
    ) -> Result<Vec<Consent>, Problem> {
        self.expire_due();
        self.represented_account(who, account_id, "list the consents of")?;
        Ok(self
            .consents
            .values()
            .filter(|c| c.account_id == account_id && status.is_none_or(|s| s == c.status))
            .cloned()
            .collect())
    }

    /// The consents that concern `who`: granted to it (platform) or on its accounts
    /// (representative).
    pub fn consents(&mut self, who: &Principal, status: Option<ConsentStatus>) -> Vec<Consent> {
        self.expire_due();
        self.consents
            .values()
            .filter(|c| self.consent_is_visible(who, c))
            .filter(|c| status.is_none_or(|s| s == c.status))
            .cloned()
            .collect()
    }

    /// One consent, for its grantee or a representative of its account.
    pub fn consent(&mut self, who: &Principal, consent_id: &str) -> Result<Consent, Problem> {
        self.expire_due();
        self.visible_consent(who, consent_id).cloned()
    }

    /// Revokes a consent (a representative of the account) or relinquishes it (the grantee).
    /// Only an active consent can be revoked (`409 invalid-state`).
    pub fn revoke_consent(
        &mut self,
        who: &Principal,
        consent_id: &str,
    ) -> Result<Consent, Problem> {
        self.expire_due();
        let consent = self.visible_consent(who, consent_id)?;
        if consent.status != ConsentStatus::Active {
            return Err(ProblemType::InvalidState.problem(format!(
                "{consent_id} is {}; only an active consent can be revoked",
                wire_name(&consent.status)
            )));
        }
        let now = self.now();
        let by_grantee = who.platform_id() == Some(consent.grantee_id.as_str());
        let Some(consent) = self.consents.get_mut(consent_id) else {
            return Err(not_found_consent(consent_id));
        };
        consent.status = ConsentStatus::Revoked;
        consent.revoked_at = Some(now);
        let consent = consent.clone();
        self.expiries
            .remove(&(consent.expires_at, Due::Consent(consent_id.to_owned())));
        self.notify_consent(&consent, EventType::ConsentRevoked, now);
        // FAULT(consent-revoked-not-notified): the grantee is never told.
        if !by_grantee && !self.fault(Fault::ConsentRevokedNotNotified) {
            self.emit(
                &consent.grantee_id,
                EventType::ConsentRevoked,
                now,
                EventData {
                    account_id: consent.account_id.clone(),
                    consent_id: Some(consent_id.to_owned()),
                    status: wire_name(&consent.status),
                    ..EventData::default()
                },
            );
        }
        Ok(consent)
    }

    /// Expires an active consent at `at` (from the expiry queue).
    pub(super) fn expire_consent(&mut self, consent_id: &str, at: DateTime<Utc>) {
        let Some(consent) = self.consents.get_mut(consent_id) else {
            return;
        };
        if consent.status != ConsentStatus::Active {
            return;
        }
        if self.faults.has(Fault::ExpiredConsentHonoured) {
            // FAULT(expired-consent-honoured): the expiry job skips consents.
            return;
        }
        consent.status = ConsentStatus::Expired;
        let expired = consent.clone();
        self.notify_consent(&expired, EventType::ConsentExpired, at);
        let (grantee, account_id) = (expired.grantee_id.clone(), expired.account_id.clone());
        self.emit(
            &grantee,
            EventType::ConsentExpired,
            at,
            EventData {
                account_id,
                consent_id: Some(consent_id.to_owned()),
                status: wire_name(&ConsentStatus::Expired),
                ..EventData::default()
            },
        );
    }

    /// Tells the representatives of a consent's account about it.
    fn notify_consent(&mut self, consent: &Consent, event: EventType, at: DateTime<Utc>) {
        self.notify_representatives(
            &[&consent.account_id],
            event,
            at,
            EventData {
                consent_id: Some(consent.consent_id.clone()),
                status: wire_name(&consent.status),
                ..EventData::default()
            },
        );
    }

    fn consent_is_visible(&self, who: &Principal, consent: &Consent) -> bool {
        match who {
            Principal::Platform(id) => consent.grantee_id == *id,
            Principal::Representative(_) => self
                .accounts
                .get(&consent.account_id)
                .is_some_and(|a| a.is_visible_to(who)),
            Principal::Operator(_) => false,
        }
    }

    fn visible_consent(&self, who: &Principal, consent_id: &str) -> Result<&Consent, Problem> {
        self.consents
            .get(consent_id)
            .filter(|c| self.consent_is_visible(who, c))
            .ok_or_else(|| not_found_consent(consent_id))
    }

    // ---- delegations ---------------------------------------------------------------------------

    /// Appoints a trading platform's representative as an authorised representative of the
    /// account (the caller must be an `approver` there).
    pub fn appoint_delegate(
        &mut self,
        who: &Principal,
        account_id: &str,
        request: DelegationRequest,
    ) -> Result<Delegation, Problem> {
        self.expire_due();
        let account = self.represented_account(who, account_id, "appoint delegates to")?;
        if !self.fault(Fault::DelegateAppointedWithoutApprover) {
            // FAULT(delegate-appointed-without-approver): without this any role may appoint.
            require_role(account, who, Role::Approver, "appoint delegates to")?;
        }
        if request.roles.is_empty() {
            return Err(validation_failed(
                "/roles",
                "give at least one role: initiator, approver or both",
            ));
        }
        let platform_id = self
            .representatives
            .get(&request.representative_id)
            .and_then(|r| r.platform_id.clone());
        let Some(platform_id) = platform_id else {
            return Err(validation_failed(
                "/representative_id",
                format!(
                    "{} is not a trading platform's representative; only those can be delegates",
                    request.representative_id
                ),
            ));
        };
        if account
            .appointments
            .contains_key(&request.representative_id)
        {
            let how = if self.delegations.values().any(|d| {
                d.account_id == account_id
                    && d.representative_id == request.representative_id
                    && d.status == DelegationStatus::Active
            }) {
                "already holds an active delegation on"
            } else {
                "is already an authorised representative of"
            };
            return Err(ProblemType::InvalidState.problem(format!(
                "{} {how} account {account_id}; revoke that first to change the roles",
                request.representative_id
            )));
        }
        let roles: BTreeSet<Role> = request.roles.iter().copied().collect();
        let now = self.now();
        self.ids.delegation += 1;
        let delegation_id = format!("DEL-{:06}", self.ids.delegation);
        let delegation = Delegation {
            delegation_id: delegation_id.clone(),
            account_id: account_id.to_owned(),
            platform_id,
            representative_id: request.representative_id.clone(),
            roles: roles.iter().copied().collect(),
            status: DelegationStatus::Active,
            appointed_by: who.representative_id().unwrap_or_default().to_owned(),
            appointed_at: now,
            revoked_at: None,
        };
        if let Some(account) = self.accounts.get_mut(account_id) {
            account
                .appointments
                .insert(request.representative_id, roles);
        }
        self.delegations.insert(delegation_id, delegation.clone());
        Ok(delegation)
    }

    /// An account's delegations (its representatives).
    pub fn delegations(
        &mut self,
        who: &Principal,
        account_id: &str,
    ) -> Result<Vec<Delegation>, Problem> {
        self.expire_due();
        self.represented_account(who, account_id, "list the delegations of")?;
        Ok(self
            .delegations
            .values()
            .filter(|d| d.account_id == account_id)
            .cloned()
            .collect())
    }

    /// Revokes a delegation (any representative of the account, or the delegate itself): the
    /// delegate is no longer a representative of the account.
    pub fn revoke_delegation(
        &mut self,
        who: &Principal,
        account_id: &str,
        delegation_id: &str,
    ) -> Result<Delegation, Problem> {
        self.expire_due();
        self.represented_account(who, account_id, "revoke delegations on")?;
        let Some(delegation) = self
            .delegations
            .get(delegation_id)
            .filter(|d| d.account_id == account_id)
        else {
            return Err(ProblemType::NotFound.problem(format!(
                "account {account_id} has no delegation {delegation_id}; GET /v1/accounts/{account_id}/delegations \
                 lists them"
            )));
        };
        if delegation.status != DelegationStatus::Active {
            return Err(
                ProblemType::InvalidState.problem(format!("{delegation_id} is already revoked"))
            );
        }
        let now = self.now();
        let representative_id = delegation.representative_id.clone();
        if !self.fault(Fault::RevokedDelegateActs) {
            // FAULT(revoked-delegate-acts): without this the appointment outlives the delegation.
            if let Some(account) = self.accounts.get_mut(account_id) {
                account.appointments.remove(&representative_id);
            }
        }
        let Some(delegation) = self.delegations.get_mut(delegation_id) else {
            return Err(ProblemType::NotFound.problem(format!("no delegation {delegation_id}")));
        };
        delegation.status = DelegationStatus::Revoked;
        delegation.revoked_at = Some(now);
        Ok(delegation.clone())
    }

    /// Whether `representative_id` holds an active delegation on the account.
    pub(super) fn is_delegate(&self, account_id: &str, representative_id: &str) -> bool {
        self.delegations.values().any(|d| {
            d.account_id == account_id
                && d.representative_id == representative_id
                && d.status == DelegationStatus::Active
        })
    }
}

/// `404 not-found` for an account the caller may not see.
pub(super) fn not_visible(account_id: &str) -> Problem {
    ProblemType::NotFound.problem(format!(
        "no account {account_id} is visible to you: it does not exist or you are not appointed to it (or, for a \
         platform, hold no consent on it); GET /v1/accounts lists your accounts"
    ))
}

fn not_found_consent(consent_id: &str) -> Problem {
    ProblemType::NotFound.problem(format!(
        "no consent {consent_id} is visible to you: it does not exist, or it is neither granted to you nor on an \
         account you represent"
    ))
}

/// Refuses an expiry that is not in the future or, with `max_months`, further ahead than that
/// (`422`).
pub(super) fn check_expiry(
    pointer: &str,
    expires_at: DateTime<Utc>,
    now: DateTime<Utc>,
    max_months: Option<u32>,
) -> Result<(), Problem> {
    if expires_at <= now {
        return Err(validation_failed(
            pointer,
            format!(
                "must be in the future; the registry's clock reads {}",
                now.to_rfc3339_opts(SecondsFormat::Millis, true)
            ),
        ));
    }
    let Some(max_months) = max_months else {
        return Ok(());
    };
    let limit = now.checked_add_months(Months::new(max_months));
    if limit.is_none_or(|limit| expires_at > limit) {
        return Err(validation_failed(
            pointer,
            format!("must be at most {max_months} months ahead"),
        ));
    }
    Ok(())
}
