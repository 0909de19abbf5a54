//! The target configuration file (`--config FILE`, TOML): where the target is, what it declares it
//! implements, and — for a target without the sandbox API — the accounts and representatives'
//! tokens it has provisioned for the suite.
//!
//! ```toml
//! base_url = "https://ucr-test.example.net"
//! label = "Example registry, test environment"   # optional; shown in reports
//!
//! [capabilities]
//! models = ["A.1"]
//! features = ["public_registers"]                # no "sandbox": the accounts below are used
//!
//! [[accounts]]                                   # a holder's account with two representatives
//! account_id = "AU-1000001"
//! representatives = [
//!   { representative_id = "AR-000001", token_env = "UCR_TOKEN_INITIATOR" },
//!   { representative_id = "AR-000002", token_env = "UCR_TOKEN_APPROVER" },
//! ]
//!
//! [[accounts]]                                   # another holder's account, one representative
//! account_id = "AU-1000002"
//! representatives = [{ representative_id = "AR-000003", token = "literal-token" }]
//!
//! [[platforms]]                                  # a trading platform or third-party registry
//! platform_id = "TP-0001"
//! token_env = "UCR_TOKEN_PLATFORM"
//! client_id = "exchange-client"                  # with oauth_client_credentials
//! client_secret_env = "UCR_PLATFORM_SECRET"
//! ```
//!
//! A representative's token is given literally (`token`) or read from an environment variable
//! (`token_env`), so the file itself need not hold secrets. The suite verifies every token before
//! running anything: each must read its account, and its representative must be appointed there;
//! the roles and names come from the account as the target reports it. Each platform's token must
//! read the platform (`get_platform`); its kind and name come from the target.

use std::path::Path;

use serde::Deserialize;

use crate::capability::{Capabilities, Feature};

/// A parsed target configuration, tokens resolved.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// The target's base URL (scheme, host, port; without `/v1`).
    pub base_url: String,
    /// How the target is named in reports (default: its base URL).
    #[serde(default)]
    pub label: Option<String>,
    /// What the target implements.
    pub capabilities: Capabilities,
    /// Accounts provisioned for the suite (needed when `sandbox` is not declared).
    #[serde(default)]
    pub accounts: Vec<AccountConfig>,
    /// Trading platforms and third-party registries provisioned for the suite.
    #[serde(default)]
    pub platforms: Vec<PlatformConfig>,
}

/// A provisioned trading platform or third-party registry and its credentials.
#[derive(Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PlatformConfig {
    /// The platform, e.g. `TP-0001` or `TR-0001`.
    pub platform_id: String,
    /// Its bearer token, literally.
    #[serde(default)]
    pub token: Option<String>,
    /// The environment variable holding its bearer token.
    #[serde(default)]
    pub token_env: Option<String>,
    /// Its OAuth 2.0 client ID (needed with `oauth_client_credentials`).
    #[serde(default)]
    pub client_id: Option<String>,
    /// Its OAuth 2.0 client secret, literally.
    #[serde(default)]
    pub client_secret: Option<String>,
    /// The environment variable holding its OAuth 2.0 client secret.
    #[serde(default)]
    pub client_secret_env: Option<String>,
}

impl std::fmt::Debug for PlatformConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PlatformConfig")
            .field("platform_id", &self.platform_id)
            .field("token_env", &self.token_env)
            .field("client_id", &self.client_id)
            .field("client_secret_env", &self.client_secret_env)
            .finish_non_exhaustive()
    }
}

impl PlatformConfig {
    /// The bearer token (always present in a [`Config`] that was read or parsed).
    pub fn token(&self) -> &str {
        self.token.as_deref().unwrap_or_default()
    }
}

/// A value given literally or by the name of an environment variable; exactly one is required
/// when `required`.
fn secret(
    at: &str,
    what: &str,
    literal: Option<String>,
    env_name: Option<&String>,
    env: &impl Fn(&str) -> Option<String>,
    required: bool,
) -> Result<Option<String>, String> {
    let value = match (literal, env_name) {
        (Some(_), Some(_)) => {
            return Err(format!("{at}: give `{what}` or `{what}_env`, not both"));
        }
        (None, None) if required => return Err(format!("{at}: give `{what}` or `{what}_env`")),
        (None, None) => return Ok(None),
        (Some(value), None) => value,
        (None, Some(name)) => env(name).ok_or_else(|| {
            format!("{at}: the environment variable {name} ({what}_env) is not set")
        })?,
    };
    if value.trim().is_empty() {
        return Err(format!("{at}: the {what} is empty"));
    }
    Ok(Some(value))
}

/// One provisioned account and the representatives whose tokens the suite may use.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AccountConfig {
    /// The account, e.g. `AU-1000001`.
    pub account_id: String,
    /// Its representatives the suite acts as; at least one.
    pub representatives: Vec<RepresentativeConfig>,
}

/// A representative and its bearer token.
#[derive(Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RepresentativeConfig {
    /// The representative, e.g. `AR-000001`.
    pub representative_id: String,
    /// The bearer token, literally.
    #[serde(default)]
    pub token: Option<String>,
    /// The environment variable holding the bearer token.
    #[serde(default)]
    pub token_env: Option<String>,
}

impl std::fmt::Debug for RepresentativeConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RepresentativeConfig")
            .field("representative_id", &self.representative_id)
            .field("token_env", &self.token_env)
            .finish_non_exhaustive()
    }
}

impl RepresentativeConfig {
    /// The token (always present in a [`Config`] that was read or parsed).
    pub fn token(&self) -> &str {
        self.token.as_deref().unwrap_or_default()
    }
}

/// A configuration file that cannot be used; the message names the file and the entry.
#[derive(Debug, thiserror::Error)]
#[error("{path}: {message}")]
pub struct ConfigError {
    /// The file.
    pub path: String,
    /// What is wrong, and where.
    pub message: String,
}

impl Config {
    /// Reads, parses and checks a configuration file, resolving `token_env` from the environment.
    pub fn from_path(path: impl AsRef<Path>) -> Result<Self, ConfigError> {
        let path = path.as_ref();
        let display = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|e| ConfigError {
            path: display.clone(),
            message: format!("cannot read the configuration: {e}"),
        })?;
        Self::parse(&text, |name| std::env::var(name).ok()).map_err(|message| ConfigError {
            path: display,
            message,
        })
    }

    /// Parses TOML `text`, resolving `token_env` with `env`, and checks it.
    pub fn parse(text: &str, env: impl Fn(&str) -> Option<String>) -> Result<Self, String> {
        let mut config: Config = toml::from_str(text).map_err(|e| e.to_string())?;
        config.resolve(env)?;
        Ok(config)
    }

    fn resolve(&mut self, env: impl Fn(&str) -> Option<String>) -> Result<(), String> {
        match reqwest::Url::parse(&self.base_url) {
            Ok(url) if matches!(url.scheme(), "http" | "https") => {}
            _ => {
                return Err(format!(
                    "base_url {:?} is not an http(s) URL",
                    self.base_url
                ));
            }
        }
        if self.capabilities.models.is_empty() {
            return Err("capabilities.models is empty: declare at least one model".into());
        }
        if !self.capabilities.has(Feature::Sandbox) {
            if self.accounts.is_empty() {
                return Err(
                    "the target declares no `sandbox` capability, so the suite needs provisioned accounts: \
                     add at least one [[accounts]] entry"
                        .into(),
                );
            }
            if self.capabilities.has(Feature::SandboxClock) {
                return Err(
                    "`sandbox_clock` is declared without `sandbox`: the clock is part of the sandbox API"
                        .into(),
                );
            }
        }
        let mut seen = std::collections::BTreeSet::new();
        for (i, account) in self.accounts.iter_mut().enumerate() {
            let at = format!("accounts[{i}] ({})", account.account_id);
            if !seen.insert(account.account_id.clone()) {
                return Err(format!("{at}: the account is listed twice"));
            }
            if account.representatives.is_empty() {
                return Err(format!("{at}: give at least one representative"));
            }
            for (j, rep) in account.representatives.iter_mut().enumerate() {
                let at = format!("{at}.representatives[{j}] ({})", rep.representative_id);
                rep.token = secret(
                    &at,
                    "token",
                    rep.token.take(),
                    rep.token_env.as_ref(),
                    &env,
                    true,
                )?;
            }
        }
        let oauth = self.capabilities.has(Feature::OauthClientCredentials);
        for (i, platform) in self.platforms.iter_mut().enumerate() {
            let at = format!("platforms[{i}] ({})", platform.platform_id);
            if !seen.insert(platform.platform_id.clone()) {
                return Err(format!("{at}: the platform is listed twice"));
            }
            platform.token = secret(
                &at,
                "token",
                platform.token.take(),
                platform.token_env.as_ref(),
                &env,
                true,
            )?;
            platform.client_secret = secret(
                &at,
                "client_secret",
                platform.client_secret.take(),
                platform.client_secret_env.as_ref(),
                &env,
                oauth,
            )?;
            if oauth && platform.client_id.is_none() {
                return Err(format!(
                    "{at}: `oauth_client_credentials` is declared, so give the platform's `client_id`"
                ));
            }
        }
        Ok(())
    }

    /// Every token and client secret in the file, for scrubbing them from evidence.
    pub fn secrets(&self) -> Vec<String> {
        self.accounts
            .iter()
            .flat_map(|a| a.representatives.iter())
            .map(|r| r.token().to_owned())
            .chain(
                self.platforms.iter().flat_map(|p| {
                    std::iter::once(p.token().to_owned()).chain(p.client_secret.clone())
                }),
            )
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Model;

    const EXAMPLE: &str = r#"
        base_url = "http://127.0.0.1:8080"
        label = "staging"
        [capabilities]
        models = ["A.1", "B.1"]
        features = ["public_registers"]
        [[accounts]]
        account_id = "AU-1000001"
        representatives = [
          { representative_id = "AR-000001", token = "tok-first" },
          { representative_id = "AR-000002", token_env = "TWO" },
        ]
    "#;

    #[test]
    fn parses_and_resolves_tokens_from_the_environment() {
        let config = Config::parse(EXAMPLE, |name| (name == "TWO").then(|| "two".into())).unwrap();
        assert_eq!(config.label.as_deref(), Some("staging"));
        assert_eq!(
            config.capabilities.models,
            [Model::A1, Model::B1].into_iter().collect()
        );
        assert!(config.capabilities.has(Feature::PublicRegisters));
        assert!(!config.capabilities.has(Feature::Sandbox));
        assert_eq!(config.secrets(), ["tok-first", "two"]);
        assert!(
            !format!("{config:?}").contains("tok-first"),
            "tokens stay out of Debug"
        );
    }

    #[test]
    fn platforms_need_client_credentials_with_oauth() {
        let with_platform = format!(
            "{EXAMPLE}\n[[platforms]]\nplatform_id = \"TP-0001\"\ntoken = \"tok-platform\"\n"
        );
        let env = |name: &str| (name == "TWO").then(|| "two".into());
        let config = Config::parse(&with_platform, env).unwrap();
        assert_eq!(config.platforms[0].token(), "tok-platform");
        assert!(config.secrets().contains(&"tok-platform".to_owned()));
        let oauth = with_platform.replace(
            "features = [\"public_registers\"]",
            "features = [\"public_registers\", \"oauth_client_credentials\"]",
        );
        let error = Config::parse(&oauth, env).unwrap_err();
        assert!(
            error.contains("platforms[0] (TP-0001)") && error.contains("client_secret"),
            "{error}"
        );
    }

    #[test]
    fn errors_name_the_entry() {
        let error = Config::parse(EXAMPLE, |_| None).unwrap_err();
        assert!(
            error.contains("accounts[0] (AU-1000001).representatives[1] (AR-000002)")
                && error.contains("TWO"),
            "{error}"
        );
        let error = Config::parse(&EXAMPLE.replace("\"B.1\"", "\"B.9\""), |_| None).unwrap_err();
        assert!(error.contains("B.9"), "{error}");
        let error =
            Config::parse(&EXAMPLE.replace("label", "lable"), |_| Some("x".into())).unwrap_err();
        assert!(error.contains("lable"), "{error}");
        let no_accounts = EXAMPLE.split("[[accounts]]").next().unwrap();
        let error = Config::parse(no_accounts, |_| None).unwrap_err();
        assert!(error.contains("[[accounts]]"), "{error}");
        let error = Config::parse(
            &EXAMPLE.replace("token_env = \"TWO\"", "token = \"x\", token_env = \"TWO\""),
            |_| None,
        )
        .unwrap_err();
        assert!(error.contains("not both"), "{error}");
    }
}
