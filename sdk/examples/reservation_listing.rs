//! B.4: a trading platform lists units a holder reserved for it, and halts the listing when the
//! holder releases them.
//!
//! The platform authenticates with OAuth client credentials, reads the reserved units under a
//! `reserved_units_read` consent, and runs a small webhook receiver on 127.0.0.1 that verifies
//! every request with `webhooks::Verifier` before acting on it. When `reservation.released`
//! arrives, the listing is withdrawn.
//!
//! Run with `cargo run -p ucr-sdk --example reservation_listing`. With `UCR_BASE_URL` set, the
//! registry must be able to reach this machine's loopback for the webhook.

mod common;

use std::collections::BTreeMap;
use std::convert::Infallible;
use std::num::NonZeroU64;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use anyhow::{Context, bail};
use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use tokio::sync::mpsc;
use ucr_sdk::events::Event;
use ucr_sdk::webhooks::Verifier;
use ucr_sdk::{PageStreamExt, types};

/// The platform's public listings: reservation ID → what is offered.
type Listings = Arc<Mutex<BTreeMap<String, String>>>;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let target = common::target().await?;
    let registry_now = common::registry_now(&target).await?;

    // The holder, its units, and the platform with a custodial account.
    let holder = common::holding_account(&target, "Gippsland Carbon Pty Ltd").await?;
    common::issue(
        &target,
        &holder.account_id,
        "ACCU",
        500,
        "ERF104455",
        "2024-25",
    )
    .await?;
    let platform = common::platform(
        &target,
        "Southern Cross Exchange",
        types::PlatformKind::TradingPlatform,
    )
    .await?;
    let custodial = target
        .operator
        .create_account()
        .body(types::NewAccount {
            holder_id: platform.holder_id.clone(),
            name: "Southern Cross Exchange custody".parse()?,
            kind: types::AccountKind::Custodial,
        })
        .send()
        .await
        .context("opening the platform's custodial account")?;
    println!(
        "platform {} (client credentials), custodial account {}",
        platform.platform_id, custodial.account_id
    );

    // The platform's webhook receiver and subscription.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let webhook_url = format!("http://{}/webhooks/ucr", listener.local_addr()?);
    let subscription = platform
        .client
        .create_webhook_subscription()
        .body(types::WebhookSubscriptionRequest {
            event_types: vec![
                types::EventType::ReservationReleased,
                types::EventType::ReservationExpired,
            ],
            secret: None,
            url: webhook_url.clone(),
        })
        .send()
        .await
        .context("subscribing to reservation events")?;
    let secret = subscription
        .secret
        .as_deref()
        .context("the new subscription has no secret")?;
    let verifier = Verifier::new(secret).context("the subscription's secret")?;
    let (events, mut received) = mpsc::unbounded_channel();
    tokio::spawn(receive_webhooks(listener, verifier, events));
    println!(
        "webhook receiver on {webhook_url} ({})",
        subscription.subscription_id
    );

    // The holder consents and reserves 200 units for the platform.
    holder
        .initiator
        .grant_consent()
        .account_id(&holder.account_id)
        .body(types::ConsentRequest {
            grantee_id: platform.platform_id.clone(),
            scopes: vec![types::ConsentScope::ReservedUnitsRead],
            expires_at: registry_now + chrono::Duration::days(90),
            subset: None,
        })
        .send()
        .await
        .context("granting reserved_units_read")?;
    let reservation = holder
        .initiator
        .create_reservation()
        .body(
            types::ReservationRequest::builder()
                .account_id(&holder.account_id)
                .platform_id(&platform.platform_id)
                .custodial_account_id(&custodial.account_id)
                .unit_type("ACCU")
                .quantity(NonZeroU64::new(200))
                .expires_at(registry_now + chrono::Duration::days(30)),
        )
        .send()
        .await
        .context("reserving units")?;
    println!(
        "holder reserved {} ACCU as {}",
        reservation.quantity, reservation.reservation_id
    );

    // The platform lists what is reserved for it.
    let listings: Listings = Arc::default();
    let reservations = platform
        .client
        .list_reservations()
        .account_id(&holder.account_id)
        .status(types::ReservationStatus::Active)
        .stream()
        .collect_at_most(1_000)
        .await
        .context("listing reservations as the platform")?;
    let reserved_blocks = platform
        .client
        .list_holdings()
        .account_id(&holder.account_id)
        .stream()
        .collect_at_most(10_000)
        .await
        .context("reading reserved units as the platform")?;
    for r in &reservations {
        let vintages: Vec<String> = reserved_blocks
            .iter()
            .filter(|b| {
                r.serial_ranges
                    .iter()
                    .any(|s| b.serial_start <= s.serial_end && s.serial_start <= b.serial_end)
            })
            .map(|b| {
                let source = b.project_id.as_deref().or(b.facility_id.as_deref());
                format!("{} {} {}", source.unwrap_or("-"), b.vintage, b.state)
            })
            .collect();
        let offer = format!("{} {} ({})", r.quantity, r.unit_type, vintages.join(", "));
        println!("LISTED    {}: {offer}", r.reservation_id);
        listings
            .lock()
            .unwrap()
            .insert(r.reservation_id.clone(), offer);
    }
    if !listings
        .lock()
        .unwrap()
        .contains_key(&reservation.reservation_id)
    {
        bail!("the platform does not see the reservation made for it");
    }
    if reserved_blocks
        .iter()
        .any(|b| b.status != types::BlockStatus::Reserved)
    {
        bail!("a reserved_units_read consent showed units that are not reserved");
    }

    // The holder changes its mind: the platform must halt the listing.
    holder
        .approver
        .release_reservation()
        .reservation_id(&reservation.reservation_id)
        .send()
        .await
        .context("releasing the reservation")?;
    println!("holder released {}", reservation.reservation_id);
    let event = tokio::time::timeout(Duration::from_secs(15), received.recv())
        .await
        .context("no verified reservation.released webhook within 15 s")?
        .context("the webhook receiver stopped")?;
    let Event::ReservationReleased(release) = &event else {
        bail!("expected reservation.released, got {}", event.type_name());
    };
    let released = release
        .data
        .reservation_id
        .clone()
        .context("a reservation event without reservation_id")?;
    let withdrawn = listings.lock().unwrap().remove(&released);
    println!(
        "WITHDRAWN {released}: {} (event {}, {})",
        withdrawn.as_deref().unwrap_or("was not listed"),
        release.data.event_id,
        event.type_name()
    );

    let now_reserved = platform
        .client
        .list_holdings()
        .account_id(&holder.account_id)
        .stream()
        .collect_at_most(10_000)
        .await?;
    if !now_reserved.is_empty() || withdrawn.is_none() {
        bail!("the released units are still visible or were never listed");
    }
    println!(
        "listings left: {}; reserved units visible to the platform: 0",
        listings.lock().unwrap().len()
    );
    Ok(())
}

/// Serves webhook requests on `listener`: each is verified before its event is passed on;
/// unverifiable requests are answered `400` and dropped.
async fn receive_webhooks(
    listener: tokio::net::TcpListener,
    verifier: Verifier,
    events: mpsc::UnboundedSender<Event>,
) {
    let verifier = Arc::new(verifier);
    loop {
        let Ok((stream, _)) = listener.accept().await else {
            return;
        };
        let verifier = verifier.clone();
        let events = events.clone();
        let service = service_fn(move |request: Request<Incoming>| {
            let verifier = verifier.clone();
            let events = events.clone();
            async move { Ok::<_, Infallible>(handle(request, &verifier, &events).await) }
        });
        tokio::spawn(async move {
            let _ = http1::Builder::new()
                .serve_connection(TokioIo::new(stream), service)
                .await;
        });
    }
}

async fn handle(
    request: Request<Incoming>,
    verifier: &Verifier,
    events: &mpsc::UnboundedSender<Event>,
) -> Response<Full<Bytes>> {
    let (parts, body) = request.into_parts();
    let reply = |status: StatusCode, text: String| {
        let mut response = Response::new(Full::new(Bytes::from(text)));
        *response.status_mut() = status;
        response
    };
    let Ok(body) = body.collect().await.map(|b| b.to_bytes()) else {
        return reply(StatusCode::BAD_REQUEST, "unreadable body".into());
    };
    match verifier.verify(&parts.headers, &body) {
        Ok(event) => {
            println!(
                "webhook   {} {} verified",
                event.type_name(),
                event
                    .data()
                    .and_then(|data| data.reservation_id.as_deref())
                    .unwrap_or("-")
            );
            let _ = events.send(event);
            reply(StatusCode::NO_CONTENT, String::new())
        }
        Err(error) => {
            eprintln!("webhook   refused: {error}");
            reply(StatusCode::BAD_REQUEST, error.to_string())
        }
    }
}
