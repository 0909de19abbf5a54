//! Class A.1: a representative's own app (a mobile app: a public OAuth client) signs in with the
//! authorization code flow and PKCE, reads holdings and initiates a transfer; a token without
//! `transfers:write` is refused with `insufficient-scope`; then the app refreshes (the refresh
//! token rotates) and signs out by revoking.
//!
//! The sign-in uses the sandbox's `login_hint` shortcut, which approves at once as the named
//! representative (a real app opens the authorization URL in the user's browser and receives the
//! redirect instead). Run with `cargo run -p ucr-sdk --example representative_app` (against the
//! in-process mock), or set `UCR_BASE_URL` to use another registry's sandbox.

mod common;

use std::num::NonZeroU64;

use anyhow::{Context, bail, ensure};
use ucr_sdk::authorization::{OAuthApp, ServerMetadata, TokenTypeHint, UserTokens};
use ucr_sdk::{ProblemExt, ProblemKind, types};

/// Where the app receives the authorization server's answer (a loopback redirect, as native apps
/// use; the sandbox shortcut means nothing needs to listen there).
const REDIRECT_URI: &str = "http://127.0.0.1:8765/signed-in";

#[tokio::main(flavor = "current_thread")]
async fn main() -> anyhow::Result<()> {
    let target = common::target().await?;
    let seller = common::holding_account(&target, "Mallee Carbon Pty Ltd").await?;
    let buyer = common::holding_account(&target, "Riverina Offsets Pty Ltd").await?;
    common::issue(
        &target,
        &seller.account_id,
        "ACCU",
        500,
        "ERF101234",
        "2023-24",
    )
    .await?;
    let priya = target
        .operator
        .appoint_representative()
        .account_id(&seller.account_id)
        .body(types::NewRepresentative {
            name: "Priya Natarajan".into(),
            roles: vec![types::Role::Initiator],
            representative_id: None,
        })
        .send()
        .await
        .context("appointing Priya")?
        .into_inner();

    // The app is registered once, as a public client (it cannot keep a secret).
    let registered = target
        .operator
        .create_oauth_client()
        .body(types::NewOAuthClient {
            name: "Mallee Carbon mobile".parse()?,
            client_type: types::OAuthClientType::Public,
            redirect_uris: vec![REDIRECT_URI.into()],
        })
        .send()
        .await
        .context("registering the app (sandbox)")?
        .into_inner();
    let client = ucr_sdk::Client::builder(&target.base_url).build()?;
    let metadata = ServerMetadata::discover(&client).await?;
    let app = OAuthApp::public(&client, metadata, &registered.client_id, REDIRECT_URI);
    println!(
        "app {} registered; authorization server {}",
        app.client_id(),
        app.metadata().issuer
    );

    // Sign in with PKCE, asking to read and to transfer.
    let pending = app
        .authorization_request(["accounts:read", "transfers:write"])
        .login_hint(&priya.representative_id)
        .build()?;
    let redirected_to = follow_to_redirect_uri(pending.url().as_str()).await?;
    let tokens = app.exchange_code(&pending, &redirected_to).await?;
    println!(
        "signed in as {} with scopes {:?}",
        priya.representative_id,
        tokens.scopes()
    );

    let signed_in = UserTokens::new(app.clone(), tokens);
    let priya_app = client.with_user_tokens(signed_in.clone());
    let holdings = priya_app
        .list_holdings()
        .account_id(&seller.account_id)
        .send()
        .await?
        .into_inner();
    let units: u64 = holdings.items.iter().map(|b| b.quantity).sum();
    println!("holdings of {}: {units} units", seller.account_id);
    let transfer = priya_app
        .initiate_transfer()
        .body(
            types::TransferRequest::builder()
                .from_account_id(&seller.account_id)
                .to_account_id(&buyer.account_id)
                .unit_type("ACCU")
                .quantity(NonZeroU64::new(120)),
        )
        .send()
        .await?
        .into_inner();
    println!(
        "transfer {} initiated: {:?}",
        transfer.transfer_id, transfer.status
    );

    // A second sign-in that asks to read only: its token may not transfer.
    let read_only = app
        .authorization_request(["accounts:read"])
        .login_hint(&priya.representative_id)
        .build()?;
    let redirected_to = follow_to_redirect_uri(read_only.url().as_str()).await?;
    let reader_tokens = app.exchange_code(&read_only, &redirected_to).await?;
    let reader = client.with_bearer_token(reader_tokens.access_token());
    let refused = reader
        .initiate_transfer()
        .body(
            types::TransferRequest::builder()
                .from_account_id(&seller.account_id)
                .to_account_id(&buyer.account_id)
                .unit_type("ACCU")
                .quantity(NonZeroU64::new(1)),
        )
        .send()
        .await
        .err()
        .context("a token without transfers:write initiated a transfer")?;
    ensure!(
        refused.is(ProblemKind::InsufficientScope),
        "expected insufficient-scope, got {refused}"
    );
    println!(
        "a read-only token may not transfer: insufficient-scope, missing {:?}",
        refused.missing_scope().unwrap_or_default()
    );

    // Refresh: the registry rotates the refresh token; the app keeps the new one.
    let before = signed_in.current().await;
    let refreshed = app.refresh(&before, None).await?;
    ensure!(
        refreshed.refresh_token() != before.refresh_token(),
        "the refresh token did not rotate"
    );
    println!("refreshed: a new access token and a new refresh token");
    // Presenting the used refresh token again looks like theft: the registry refuses it and
    // revokes every token of that sign-in (RFC 9700 reuse detection).
    let reused = app.refresh(&before, None).await;
    ensure!(reused.is_err(), "a used refresh token was accepted again");
    println!("the old refresh token is refused: {}", reused.unwrap_err());
    let ended = priya_app.list_accounts().send().await;
    ensure!(
        ended.is_err_and(|e| e.status() == Some(reqwest::StatusCode::UNAUTHORIZED)),
        "the sign-in's tokens still work after its refresh token was reused"
    );
    println!("and every token of that sign-in is now refused with 401");

    // Sign out: revoke the read-only sign-in's tokens; its access token stops working at once.
    app.revoke_all(&reader_tokens).await?;
    let after = reader
        .list_accounts()
        .send()
        .await
        .err()
        .context("a revoked access token still works")?;
    ensure!(
        after.status() == Some(reqwest::StatusCode::UNAUTHORIZED),
        "expected 401 after revocation, got {after}"
    );
    // Revoking a token the registry already ended is still a 200 (RFC 7009).
    app.revoke(refreshed.access_token(), Some(TokenTypeHint::AccessToken))
        .await?;
    println!("signed out: the revoked access token is refused with 401");
    Ok(())
}

/// Sends the browser's request to the authorization URL and returns where the registry redirects
/// it: with the sandbox's `login_hint`, straight to the redirect URI with the code.
async fn follow_to_redirect_uri(authorization_url: &str) -> anyhow::Result<String> {
    let browser = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()?;
    let response = browser.get(authorization_url).send().await?;
    let Some(location) = response.headers().get(reqwest::header::LOCATION) else {
        bail!(
            "the authorization endpoint answered {} without a redirect",
            response.status()
        );
    };
    let location = location.to_str()?.to_owned();
    ensure!(
        location.starts_with(REDIRECT_URI),
        "redirected to {location}, not to the app"
    );
    Ok(location)
}
