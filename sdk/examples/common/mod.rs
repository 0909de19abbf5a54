//! Set-up shared by the examples: a registry to talk to (the in-process mock unless
//! `UCR_BASE_URL` is set), a sandbox operator, and accounts with representatives and units.

#![allow(dead_code, reason = "each example uses part of this module")]

use std::num::NonZeroU64;

use anyhow::Context;
use ucr_mock::MockRegistry;
use ucr_sdk::{Client, types};

/// The registry the example talks to; keeps the in-process mock alive while it runs.
pub struct Target {
    /// The mock, when the example started one.
    _mock: Option<MockRegistry>,
    /// Base URL (no `/v1`).
    pub base_url: String,
    /// A sandbox operator, to provision what the example needs.
    pub operator: Client,
}

/// Connects to `UCR_BASE_URL`, or starts the in-process mock registry.
pub async fn target() -> anyhow::Result<Target> {
    let (mock, base_url) = match std::env::var("UCR_BASE_URL") {
        Ok(url) if !url.trim().is_empty() => (None, url.trim().to_owned()),
        _ => {
            let mock = MockRegistry::start().await;
            let url = mock.uri();
            (Some(mock), url)
        }
    };
    println!(
        "registry: {base_url}{}",
        if mock.is_some() {
            " (in-process mock)"
        } else {
            ""
        }
    );
    let anonymous = Client::builder(&base_url).build()?;
    let session = anonymous
        .create_operator_session()
        .send()
        .await
        .context("starting a sandbox operator session")?;
    let operator = anonymous.with_bearer_token(&session.token);
    Ok(Target {
        _mock: mock,
        base_url,
        operator,
    })
}

/// An account and clients for its two representatives (one initiator, one approver).
pub struct Holding {
    /// ANREU account number.
    pub account_id: String,
    /// The account holder.
    pub holder_id: String,
    /// A representative with the `initiator` role.
    pub initiator: Client,
    /// A representative with the `approver` role.
    pub approver: Client,
}

/// Opens a holding account for a new holder named `name`, with an initiator and an approver.
pub async fn holding_account(target: &Target, name: &str) -> anyhow::Result<Holding> {
    let operator = &target.operator;
    let holder = operator
        .create_account_holder()
        .body(types::NewAccountHolder {
            name: name.parse()?,
        })
        .send()
        .await
        .with_context(|| format!("creating holder {name}"))?;
    let account = operator
        .create_account()
        .body(types::NewAccount {
            holder_id: holder.holder_id.clone(),
            name: format!("{name} holding").parse()?,
            kind: types::AccountKind::Holding,
        })
        .send()
        .await
        .with_context(|| format!("opening an account for {name}"))?;
    let mut tokens = Vec::new();
    for (person, role) in [
        ("Initiator", types::Role::Initiator),
        ("Approver", types::Role::Approver),
    ] {
        let credential = operator
            .appoint_representative()
            .account_id(&account.account_id)
            .body(types::NewRepresentative {
                name: format!("{person} of {name}"),
                roles: vec![role],
                representative_id: None,
            })
            .send()
            .await
            .context("appointing a representative")?;
        tokens.push(credential.into_inner().token);
    }
    Ok(Holding {
        account_id: account.account_id.clone(),
        holder_id: holder.holder_id.clone(),
        initiator: operator.anonymous().with_bearer_token(&tokens[0]),
        approver: operator.anonymous().with_bearer_token(&tokens[1]),
    })
}

/// Issues `quantity` units into `account_id`: ACCUs from project `source`, SMCs from the
/// Safeguard facility `source` (each unit type carries its own attributes).
pub async fn issue(
    target: &Target,
    account_id: &str,
    unit_type: &str,
    quantity: u64,
    source: &str,
    vintage: &str,
) -> anyhow::Result<()> {
    let accu = unit_type == "ACCU";
    target
        .operator
        .issue_units()
        .body(types::IssuanceRequest {
            account_id: account_id.into(),
            unit_type: unit_type.into(),
            quantity: NonZeroU64::new(quantity).context("issuing zero units")?,
            project_id: accu.then(|| source.into()),
            vintage: vintage.into(),
            method: accu.then(|| "Plantation forestry".into()),
            facility_id: (!accu).then(|| source.into()),
            facility_name: (!accu).then(|| format!("Safeguard facility {source}")),
            issuance_year: (!accu).then_some(2025),
            kyoto_status: None,
            state: "NSW".into(),
            issued_on: None,
        })
        .send()
        .await
        .with_context(|| format!("issuing {quantity} {unit_type} into {account_id}"))?;
    Ok(())
}

/// A registered trading platform or third-party registry and its OAuth client credentials.
pub struct Platform {
    /// `TP-…` or `TR-…`.
    pub platform_id: String,
    /// The holder that owns the platform's custodial accounts.
    pub holder_id: String,
    /// A client that authenticates with the platform's client credentials.
    pub client: Client,
}

/// Registers a platform (sandbox) and returns a client-credentials client for it.
pub async fn platform(
    target: &Target,
    name: &str,
    kind: types::PlatformKind,
) -> anyhow::Result<Platform> {
    let credential = target
        .operator
        .create_platform()
        .body(types::NewPlatform {
            kind,
            name: name.parse()?,
            redirect_uris: Vec::new(),
        })
        .send()
        .await
        .with_context(|| format!("registering {name}"))?
        .into_inner();
    let client = Client::builder(&target.base_url)
        .client_credentials(&credential.client_id, &credential.client_secret)
        .build()?;
    Ok(Platform {
        platform_id: credential.platform.platform_id,
        holder_id: credential.platform.holder_id,
        client,
    })
}

/// The registry's clock (which the sandbox can move), for expiry instants.
pub async fn registry_now(target: &Target) -> anyhow::Result<chrono::DateTime<chrono::Utc>> {
    Ok(target
        .operator
        .get_clock()
        .send()
        .await
        .context("reading the sandbox clock")?
        .now)
}
