//! Fixtures of Classes B and C: trading platforms and third-party registries (sandbox), their
//! representatives and custodial accounts, consents, the sandbox clock and webhook subscriptions.

use std::num::NonZeroU64;

use chrono::{DateTime, Utc};
use ucr_sdk::Client;
use ucr_sdk::types::{
    AccountKind, Consent, ConsentScope, EventType, PlatformKind, Role, WebhookSubscriptionRequest,
};

use super::{Ctx, Rep, parse};
use crate::assert::SdkResultExt;
use crate::capability::Feature;
use crate::outcome::{Failure, Phase};
use crate::receiver::Hook;

/// How long the consents of [`Ctx::grant`] last, by the registry's clock.
const CONSENT_DAYS: i64 = 30;

/// A trading platform or third-party registry registered through the sandbox, with a client that
/// authenticates as the platform itself (not as one of its representatives).
#[derive(Clone)]
pub struct Platform {
    /// `TP-…` or `TR-…`.
    pub platform_id: String,
    /// The account holder the platform owns custodial accounts as.
    pub holder_id: String,
    /// Trading platform or third-party registry.
    pub kind: PlatformKind,
    /// Organisation name.
    pub name: String,
    /// SDK client authenticating with the platform's sandbox bearer token.
    pub client: Client,
    /// OAuth 2.0 client ID.
    pub client_id: String,
    token: String,
    client_secret: String,
}

impl Platform {
    /// A platform whose credentials come from elsewhere (a configuration file).
    pub(crate) fn provided(
        platform: ucr_sdk::types::Platform,
        client: Client,
        token: String,
        client_id: String,
        client_secret: String,
    ) -> Self {
        Self {
            platform_id: platform.platform_id,
            holder_id: platform.holder_id,
            kind: platform.kind,
            name: platform.name,
            client,
            client_id,
            token,
            client_secret,
        }
    }

    /// The platform's bearer token, for raw requests.
    pub fn token(&self) -> &str {
        &self.token
    }

    /// The OAuth 2.0 client secret.
    pub fn client_secret(&self) -> &str {
        &self.client_secret
    }
}

impl std::fmt::Debug for Platform {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Platform")
            .field("platform_id", &self.platform_id)
            .field("kind", &self.kind)
            .finish_non_exhaustive()
    }
}

/// A custodial account of a trading platform, with the platform representatives appointed to it.
#[derive(Debug, Clone)]
pub struct Custodial {
    /// The account.
    pub account_id: String,
    /// Its representatives, in the order of the fixture's roles.
    pub reps: Vec<Rep>,
}

impl Ctx {
    /// Registers a trading platform or third-party registry (sandbox). Without the sandbox: the
    /// next configured platform of that kind.
    pub async fn new_platform(&self, kind: PlatformKind) -> Result<Platform, Failure> {
        if let Some(provided) = self.take_provided_platform(kind) {
            return provided;
        }
        let what = match kind {
            PlatformKind::TradingPlatform => "Conformance trading platform",
            PlatformKind::ThirdPartyRegistry => "Conformance registry",
        };
        let body = ucr_sdk::types::NewPlatform {
            kind,
            name: parse(&self.unique(what), "platform name")?,
            redirect_uris: Vec::new(),
        };
        let credential = self
            .operator("register a trading platform or third-party registry")?
            .create_platform()
            .body(body)
            .send()
            .await
            .expect_ok("registering a platform (sandbox)")?;
        if credential.platform.kind != kind {
            return Err(Failure::new(format!(
                "create_platform for a {kind} answered with platform {} of kind {}",
                credential.platform.platform_id, credential.platform.kind
            )));
        }
        Ok(Platform {
            platform_id: credential.platform.platform_id,
            holder_id: credential.platform.holder_id,
            kind,
            name: credential.platform.name,
            client: self.client_with_token(&credential.token),
            client_id: credential.client_id,
            token: credential.token,
            client_secret: credential.client_secret,
        })
    }

    /// Registers a trading platform (sandbox).
    pub async fn trading_platform(&self) -> Result<Platform, Failure> {
        self.new_platform(PlatformKind::TradingPlatform).await
    }

    /// Registers a third-party registry (sandbox).
    pub async fn third_party_registry(&self) -> Result<Platform, Failure> {
        self.new_platform(PlatformKind::ThirdPartyRegistry).await
    }

    /// Creates a representative of `platform` (sandbox), appointed to nothing yet.
    pub async fn platform_rep(&self, platform: &Platform) -> Result<Rep, Failure> {
        let body = ucr_sdk::types::NewPlatformRepresentative {
            name: parse(
                &self.unique("Conformance platform AR"),
                "representative name",
            )?,
        };
        let credential = self
            .operator("create a platform representative")?
            .create_platform_representative()
            .platform_id(&platform.platform_id)
            .body(body)
            .send()
            .await
            .expect_ok("creating a platform representative (sandbox)")?;
        if credential.platform_id != platform.platform_id {
            return Err(Failure::new(format!(
                "create_platform_representative for {} answered with a representative of {}",
                platform.platform_id, credential.platform_id
            )));
        }
        Ok(Rep {
            id: credential.representative_id,
            name: credential.name,
            roles: Vec::new(),
            client: self.client_with_token(&credential.token),
            token: credential.token,
        })
    }

    /// Opens a custodial account of `platform` with one new platform representative per entry of
    /// `roles`, appointed with those roles (sandbox). The account joins the run's ledger.
    pub async fn custodial_account(
        &self,
        platform: &Platform,
        roles: &[&[Role]],
    ) -> Result<Custodial, Failure> {
        let account_id = self
            .open_account(&platform.holder_id, AccountKind::Custodial)
            .await?;
        let mut reps = Vec::with_capacity(roles.len());
        for r in roles {
            let mut rep = self.platform_rep(platform).await?;
            self.appoint_existing(&account_id, &rep, r).await?;
            rep.roles = r.to_vec();
            reps.push(rep);
        }
        Ok(Custodial { account_id, reps })
    }

    /// The registry's current time (sandbox `get_clock`). Expiries are set from it, not from the
    /// suite's clock, because a target's sandbox clock may have been moved forward. A target that
    /// does not declare `sandbox_clock` has no clock of its own to move: the suite's clock is used.
    pub async fn registry_now(&self) -> Result<DateTime<Utc>, Failure> {
        if !self.capabilities().has(Feature::SandboxClock) {
            return Ok(Utc::now());
        }
        Ok(self
            .operator("read the sandbox clock")?
            .get_clock()
            .send()
            .await
            .expect_ok("reading the sandbox clock")?
            .now)
    }

    /// The registry's time `seconds` from now.
    pub async fn registry_in(&self, seconds: i64) -> Result<DateTime<Utc>, Failure> {
        Ok(self.registry_now().await? + chrono::Duration::seconds(seconds))
    }

    /// Moves the sandbox clock forward by `seconds` and returns the registry's new time.
    ///
    /// Only checks of the [`Phase::Clock`] phase may do this: moving the clock makes expiries of
    /// every fixture on the target take effect, so it must not happen while other checks run.
    pub async fn advance_clock(&self, seconds: u64) -> Result<DateTime<Utc>, Failure> {
        if self.phase != Phase::Clock {
            return Err(Failure::new(format!(
                "suite bug: {} moves the sandbox clock but does not run in the Clock phase",
                self.check_id
            )));
        }
        let seconds = NonZeroU64::new(seconds)
            .ok_or_else(|| Failure::new("suite bug: advancing the clock by 0 s"))?;
        self.require(Feature::SandboxClock, "move the registry's clock")?;
        let before = self.registry_now().await?;
        let clock = self
            .operator("advance the sandbox clock")?
            .advance_clock()
            .body(ucr_sdk::types::ClockAdvance { seconds })
            .send()
            .await
            .expect_ok("advancing the sandbox clock")?;
        let moved = clock.now - before;
        if moved < chrono::Duration::seconds(seconds.get() as i64) {
            return Err(Failure::new(format!(
                "advance_clock by {seconds} s moved the registry's clock from {before} to {} only",
                clock.now
            )));
        }
        Ok(clock.now)
    }

    /// Grants `grantee` a consent with `scopes` on `account_id`, as `rep`, lasting 30 days by the
    /// registry's clock.
    pub async fn grant(
        &self,
        rep: &Rep,
        account_id: &str,
        grantee: &Platform,
        scopes: &[ConsentScope],
    ) -> Result<Consent, Failure> {
        let expires_at = self.registry_in(CONSENT_DAYS * 86_400).await?;
        self.grant_until(rep, account_id, grantee, scopes, expires_at)
            .await
    }

    /// Grants `grantee` a consent with `scopes` on `account_id`, as `rep`, until `expires_at`.
    pub async fn grant_until(
        &self,
        rep: &Rep,
        account_id: &str,
        grantee: &Platform,
        scopes: &[ConsentScope],
        expires_at: DateTime<Utc>,
    ) -> Result<Consent, Failure> {
        self.grant_consent(rep, account_id, grantee, scopes, expires_at, None)
            .await
    }

    /// Grants `grantee` a consent with `scopes` over `subset` of `account_id` ("a set of
    /// holdings"), as `rep`, lasting 30 days by the registry's clock.
    pub async fn grant_subset(
        &self,
        rep: &Rep,
        account_id: &str,
        grantee: &Platform,
        scopes: &[ConsentScope],
        subset: ucr_sdk::types::ConsentSubset,
    ) -> Result<Consent, Failure> {
        let expires_at = self.registry_in(CONSENT_DAYS * 86_400).await?;
        self.grant_consent(rep, account_id, grantee, scopes, expires_at, Some(subset))
            .await
    }

    async fn grant_consent(
        &self,
        rep: &Rep,
        account_id: &str,
        grantee: &Platform,
        scopes: &[ConsentScope],
        expires_at: DateTime<Utc>,
        subset: Option<ucr_sdk::types::ConsentSubset>,
    ) -> Result<Consent, Failure> {
        rep.client
            .grant_consent()
            .account_id(account_id)
            .body(ucr_sdk::types::ConsentRequest {
                grantee_id: grantee.platform_id.clone(),
                scopes: scopes.to_vec(),
                expires_at,
                subset,
            })
            .send()
            .await
            .expect_ok(&format!(
                "grant_consent of {scopes:?} on {account_id} to {}",
                grantee.platform_id
            ))
    }

    /// A new callback URL on the run's webhook receiver, unique to this check, and its path.
    pub fn webhook_url(&self) -> (String, String) {
        let path = format!("/hooks/{}/{}", self.check_id, self.next_seq());
        (self.run.receiver.url(&path), path)
    }

    /// Subscribes `platform` to `events` at a new path of the run's receiver, letting the target
    /// generate the secret.
    pub async fn subscribe(
        &self,
        platform: &Platform,
        events: &[EventType],
    ) -> Result<Hook, Failure> {
        self.subscribe_with_secret(platform, events, None).await
    }

    /// Subscribes `platform` to `events` like [`Ctx::subscribe_with_secret`] when the target
    /// declares `webhooks`; otherwise `None`, with a note that the check's webhook assertions did
    /// not run, so that its state assertions still do.
    pub async fn subscribe_if_declared(
        &self,
        platform: &Platform,
        events: &[EventType],
        secret: Option<String>,
    ) -> Result<Option<Hook>, Failure> {
        if !self.run.capabilities.has(Feature::Webhooks) {
            self.note(format!(
                "the webhook assertions ({events:?}) did not run: the target does not declare `webhooks`"
            ));
            return Ok(None);
        }
        self.subscribe_with_secret(platform, events, secret)
            .await
            .map(Some)
    }

    /// Subscribes `platform` to `events` at a new path of the run's receiver, with `secret` (or one
    /// the target generates).
    pub async fn subscribe_with_secret(
        &self,
        platform: &Platform,
        events: &[EventType],
        secret: Option<String>,
    ) -> Result<Hook, Failure> {
        self.subscribe_as(&platform.client, &platform.platform_id, events, secret)
            .await
    }

    /// Subscribes an authorised representative to the events of the accounts it represents, at
    /// a new path of the run's receiver, letting the target generate the secret.
    pub async fn subscribe_representative(
        &self,
        rep: &Rep,
        events: &[EventType],
    ) -> Result<Hook, Failure> {
        self.subscribe_as(&rep.client, &rep.id, events, None).await
    }

    /// Subscribes the principal of `client` (named `subscriber` in failures) to `events`.
    async fn subscribe_as(
        &self,
        client: &ucr_sdk::Client,
        subscriber: &str,
        events: &[EventType],
        secret: Option<String>,
    ) -> Result<Hook, Failure> {
        self.require(Feature::Webhooks, "subscribe to webhooks")?;
        let (url, path) = self.webhook_url();
        let subscription = client
            .create_webhook_subscription()
            .body(WebhookSubscriptionRequest {
                url: url.clone(),
                event_types: events.to_vec(),
                secret: secret.clone(),
            })
            .send()
            .await
            .expect_ok(&format!(
                "create_webhook_subscription by {subscriber} for {events:?}"
            ))?;
        let returned = subscription.secret.clone().ok_or_else(|| {
            Failure::new(format!(
                "create_webhook_subscription answered subscription {} without its secret",
                subscription.subscription_id
            ))
        })?;
        if let Some(mine) = &secret
            && *mine != returned
        {
            return Err(Failure::new(format!(
                "create_webhook_subscription with a secret of the subscriber's own answered another secret \
                 (subscription {})",
                subscription.subscription_id
            )));
        }
        if subscription.url != url {
            return Err(Failure::new(format!(
                "create_webhook_subscription for {url} answered url {}",
                subscription.url
            )));
        }
        Ok(Hook::new(
            subscription.subscription_id,
            url,
            returned,
            path,
            self.run.receiver.inbox(),
        ))
    }
}

/// A certificate ID for an association request.
pub fn certificate(id: &str) -> Result<ucr_sdk::types::AssociationRequestCertificateId, Failure> {
    parse(id, "certificate ID")
}
