//! Verifying the registry's webhook requests (Standard Webhooks): the `webhook-id`,
//! `webhook-timestamp` and `webhook-signature` headers, HMAC-SHA256 signatures compared in
//! constant time, and the typed event in the body ([`crate::events::Event`]).
//!
//! ```
//! use std::time::{Duration, SystemTime};
//! use ucr_sdk::events::Event;
//! use ucr_sdk::webhooks::Verifier;
//!
//! # fn main() -> Result<(), ucr_sdk::webhooks::WebhookError> {
//! // The secret comes from `create_webhook_subscription` (shown once).
//! let verifier = Verifier::new("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")?;
//!
//! // In a receiver, `headers` and `body` are the request's; here the verifier signs one itself.
//! let body = br#"{"type":"reservation.released","timestamp":"2026-07-01T00:00:00Z",
//!     "data":{"event_id":"EVT-000001","account_id":"AU-1000001","reservation_id":"RES-000001","status":"released"}}"#;
//! let now = SystemTime::now();
//! let sent = now.duration_since(SystemTime::UNIX_EPOCH).unwrap().as_secs() as i64;
//! let headers = verifier.signed_headers("EVT-000001", sent, body);
//!
//! let event = verifier.verify(&headers, body)?;
//! let Event::ReservationReleased(released) = &event else { panic!("{}", event.type_name()) };
//! assert_eq!(released.data.reservation_id.as_deref(), Some("RES-000001"));
//!
//! // A tampered body, or a request replayed ten minutes later, is refused.
//! assert!(verifier.verify(&headers, &body[1..]).is_err());
//! let later = now + Duration::from_secs(600);
//! assert!(verifier.verify_at(&headers, body, later).is_err());
//! # Ok(())
//! # }
//! ```

use std::fmt;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use hmac::{Hmac, KeyInit, Mac};
use http::{HeaderMap, HeaderValue};
use sha2::Sha256;

use crate::events::Event;

/// The header carrying the event ID (stable across delivery attempts; deduplicate on it).
pub const WEBHOOK_ID: &str = "webhook-id";
/// The header carrying the attempt's Unix time in seconds.
pub const WEBHOOK_TIMESTAMP: &str = "webhook-timestamp";
/// The header carrying space-separated `v1,<base64>` signatures.
pub const WEBHOOK_SIGNATURE: &str = "webhook-signature";
/// How far a request's timestamp may be from the receiver's clock, either way, by default.
pub const DEFAULT_TOLERANCE: Duration = Duration::from_secs(5 * 60);

/// The prefix of a Standard Webhooks secret; the rest is the key in base64.
const SECRET_PREFIX: &str = "whsec_";

type HmacSha256 = Hmac<Sha256>;

/// Why a webhook request was refused. Answer such a request with `400` (or `401`) and do not act
/// on it.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum WebhookError {
    /// A secret is not `whsec_` followed by base64 of a non-empty key.
    #[error("a webhook secret is not `whsec_` followed by base64 of a non-empty key")]
    InvalidSecret,
    /// The verifier was given no secret.
    #[error("no webhook secret was given")]
    NoSecret,
    /// A required header is absent.
    #[error("the `{0}` header is missing")]
    MissingHeader(&'static str),
    /// A header is present but unusable.
    #[error("the `{name}` header is invalid: {reason}")]
    InvalidHeader {
        /// The header's name.
        name: &'static str,
        /// What is wrong with it.
        reason: &'static str,
    },
    /// The timestamp is too far in the past or the future: a replay, or a clock that is off.
    #[error(
        "the webhook timestamp {timestamp} is more than {tolerance_secs} s from the receiver's clock ({now})"
    )]
    TimestampOutOfTolerance {
        /// The request's `webhook-timestamp`.
        timestamp: i64,
        /// The receiver's Unix time.
        now: i64,
        /// The tolerance, either way.
        tolerance_secs: u64,
    },
    /// `webhook-signature` holds no `v1` signature (other versions are ignored).
    #[error("the `webhook-signature` header holds no `v1` signature")]
    NoSupportedSignature,
    /// No `v1` signature matches the request under any of the verifier's secrets.
    #[error("no signature matches the request")]
    SignatureMismatch,
    /// The signature is valid but the body is not a registry event.
    #[error("the body is not a registry webhook event: {0}")]
    InvalidPayload(#[source] serde_json::Error),
}

/// A signing key decoded from a `whsec_` secret; never shown by `Debug`.
#[derive(Clone)]
struct SigningKey(Arc<[u8]>);

impl SigningKey {
    fn parse(secret: &str) -> Result<Self, WebhookError> {
        let encoded = secret.trim();
        let encoded = encoded.strip_prefix(SECRET_PREFIX).unwrap_or(encoded);
        match STANDARD.decode(encoded) {
            Ok(key) if !key.is_empty() => Ok(SigningKey(key.into())),
            _ => Err(WebhookError::InvalidSecret),
        }
    }

    /// The MAC of `{id}.{timestamp}.{body}`, ready to verify or finalise.
    fn mac(&self, id: &str, timestamp: &str, body: &[u8]) -> HmacSha256 {
        let mut mac =
            <HmacSha256 as KeyInit>::new_from_slice(&self.0).expect("HMAC takes keys of any size");
        mac.update(id.as_bytes());
        mac.update(b".");
        mac.update(timestamp.as_bytes());
        mac.update(b".");
        mac.update(body);
        mac
    }
}

/// Verifies webhook requests signed with one or more secrets.
///
/// Several secrets support rotation: during the overlap, a request is accepted when any secret
/// matches any of its `v1` signatures.
#[derive(Clone)]
pub struct Verifier {
    keys: Vec<SigningKey>,
    tolerance: Duration,
}

impl fmt::Debug for Verifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Verifier")
            .field("secrets", &format_args!("<{} redacted>", self.keys.len()))
            .field("tolerance", &self.tolerance)
            .finish()
    }
}

impl Verifier {
    /// A verifier for one secret, `whsec_<base64>` (a bare base64 key is accepted too).
    pub fn new(secret: impl AsRef<str>) -> Result<Self, WebhookError> {
        Self::with_secrets([secret])
    }

    /// A verifier that accepts requests signed with any of `secrets` (for rotation). The first
    /// one is used by [`Verifier::sign`].
    pub fn with_secrets<I, S>(secrets: I) -> Result<Self, WebhookError>
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        let keys = secrets
            .into_iter()
            .map(|secret| SigningKey::parse(secret.as_ref()))
            .collect::<Result<Vec<_>, _>>()?;
        if keys.is_empty() {
            return Err(WebhookError::NoSecret);
        }
        Ok(Verifier {
            keys,
            tolerance: DEFAULT_TOLERANCE,
        })
    }

    /// How far `webhook-timestamp` may be from the receiver's clock, in either direction
    /// ([`DEFAULT_TOLERANCE`], 5 minutes, unless set).
    pub fn tolerance(mut self, tolerance: Duration) -> Self {
        self.tolerance = tolerance;
        self
    }

    /// Verifies a request against the system clock and parses its event (an event type this SDK
    /// does not know is [`Event::Other`], not an error).
    pub fn verify(&self, headers: &HeaderMap, body: &[u8]) -> Result<Event, WebhookError> {
        self.verify_at(headers, body, SystemTime::now())
    }

    /// Verifies a request as if the receiver's clock read `now`, and parses its event.
    pub fn verify_at(
        &self,
        headers: &HeaderMap,
        body: &[u8],
        now: SystemTime,
    ) -> Result<Event, WebhookError> {
        self.verify_signature_at(headers, body, now)?;
        Event::from_json(body).map_err(WebhookError::InvalidPayload)
    }

    /// Checks the headers, the timestamp and the signatures as if the receiver's clock read `now`,
    /// without parsing the body.
    pub fn verify_signature_at(
        &self,
        headers: &HeaderMap,
        body: &[u8],
        now: SystemTime,
    ) -> Result<(), WebhookError> {
        let id = header(headers, WEBHOOK_ID)?;
        let timestamp = header(headers, WEBHOOK_TIMESTAMP)?;
        let signatures = header(headers, WEBHOOK_SIGNATURE)?;
        let sent: i64 = timestamp.parse().map_err(|_| WebhookError::InvalidHeader {
            name: WEBHOOK_TIMESTAMP,
            reason: "not an integer number of seconds",
        })?;
        let now = unix_seconds(now);
        if sent.abs_diff(now) > self.tolerance.as_secs() {
            return Err(WebhookError::TimestampOutOfTolerance {
                timestamp: sent,
                now,
                tolerance_secs: self.tolerance.as_secs(),
            });
        }
        let candidates: Vec<Vec<u8>> = signatures
            .split_whitespace()
            .filter_map(|s| s.strip_prefix("v1,"))
            .map(|encoded| STANDARD.decode(encoded).unwrap_or_default())
            .collect();
        if candidates.is_empty() {
            return Err(WebhookError::NoSupportedSignature);
        }
        for key in &self.keys {
            let mac = key.mac(id, timestamp, body);
            // `verify_slice` compares in constant time.
            if candidates
                .iter()
                .any(|candidate| mac.clone().verify_slice(candidate).is_ok())
            {
                return Ok(());
            }
        }
        Err(WebhookError::SignatureMismatch)
    }

    /// The `webhook-signature` value (`v1,<base64>`) for a message, with the first secret.
    pub fn sign(&self, id: &str, timestamp: i64, body: &[u8]) -> String {
        let mac = self.keys[0].mac(id, &timestamp.to_string(), body);
        format!("v1,{}", STANDARD.encode(mac.finalize().into_bytes()))
    }

    /// The three Standard Webhooks headers for a message, signed with the first secret (for tests
    /// of receivers).
    pub fn signed_headers(&self, id: &str, timestamp: i64, body: &[u8]) -> HeaderMap {
        let mut headers = HeaderMap::new();
        let value = |text: String| HeaderValue::try_from(text).expect("a valid header value");
        headers.insert(WEBHOOK_ID, value(id.to_owned()));
        headers.insert(WEBHOOK_TIMESTAMP, value(timestamp.to_string()));
        headers.insert(WEBHOOK_SIGNATURE, value(self.sign(id, timestamp, body)));
        headers
    }
}

fn header<'h>(headers: &'h HeaderMap, name: &'static str) -> Result<&'h str, WebhookError> {
    let value = headers
        .get(name)
        .ok_or(WebhookError::MissingHeader(name))?
        .to_str()
        .map_err(|_| WebhookError::InvalidHeader {
            name,
            reason: "not visible ASCII",
        })?
        .trim();
    if value.is_empty() {
        return Err(WebhookError::InvalidHeader {
            name,
            reason: "empty",
        });
    }
    Ok(value)
}

fn unix_seconds(time: SystemTime) -> i64 {
    match time.duration_since(SystemTime::UNIX_EPOCH) {
        Ok(after) => i64::try_from(after.as_secs()).unwrap_or(i64::MAX),
        Err(before) => -i64::try_from(before.duration().as_secs()).unwrap_or(i64::MAX),
    }
}
