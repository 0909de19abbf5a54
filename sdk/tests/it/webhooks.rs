//! Standard Webhooks verification: the published test vector, tampering, timestamps, several
//! signatures, missing headers, secret rotation and typed events.

use std::time::{Duration, SystemTime};

use http::{HeaderMap, HeaderValue};
use ucr_sdk::events::Event;
use ucr_sdk::types;
use ucr_sdk::webhooks::{DEFAULT_TOLERANCE, Verifier, WebhookError};

// The test vector published by Standard Webhooks.
const SECRET: &str = "whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD";
const MSG_ID: &str = "msg_27UH4WbU6Z5A5EzD8u03UvzRbpk";
const TIMESTAMP: i64 = 1649367553;
const PAYLOAD: &[u8] = br#"{"email":"test@example.com","username":"test_user"}"#;
const SIGNATURE: &str = "v1,tZ1I4/hDygAJgO5TYxiSd6Sd0kDW6hPenDe+bTa3Kkw=";

fn at(unix: i64) -> SystemTime {
    SystemTime::UNIX_EPOCH + Duration::from_secs(unix as u64)
}

fn headers(id: &str, timestamp: i64, signature: &str) -> HeaderMap {
    let mut headers = HeaderMap::new();
    headers.insert("webhook-id", HeaderValue::from_str(id).unwrap());
    headers.insert(
        "webhook-timestamp",
        HeaderValue::from_str(&timestamp.to_string()).unwrap(),
    );
    headers.insert(
        "webhook-signature",
        HeaderValue::from_str(signature).unwrap(),
    );
    headers
}

fn vector() -> HeaderMap {
    headers(MSG_ID, TIMESTAMP, SIGNATURE)
}

#[test]
fn the_published_vector_signs_and_verifies() {
    let verifier = Verifier::new(SECRET).unwrap();
    assert_eq!(verifier.sign(MSG_ID, TIMESTAMP, PAYLOAD), SIGNATURE);
    verifier
        .verify_signature_at(&vector(), PAYLOAD, at(TIMESTAMP))
        .unwrap();
    // The body is not a registry event, so the typed verification stops after the signature.
    assert!(matches!(
        verifier.verify_at(&vector(), PAYLOAD, at(TIMESTAMP)),
        Err(WebhookError::InvalidPayload(_))
    ));
}

#[test]
fn a_bare_base64_secret_is_accepted_and_a_bad_one_refused() {
    let bare = SECRET.strip_prefix("whsec_").unwrap();
    Verifier::new(bare)
        .unwrap()
        .verify_signature_at(&vector(), PAYLOAD, at(TIMESTAMP))
        .unwrap();
    assert!(matches!(
        Verifier::new("whsec_not base64!"),
        Err(WebhookError::InvalidSecret)
    ));
    assert!(matches!(
        Verifier::new("whsec_"),
        Err(WebhookError::InvalidSecret)
    ));
    assert!(matches!(
        Verifier::with_secrets(Vec::<String>::new()),
        Err(WebhookError::NoSecret)
    ));
}

#[test]
fn a_tampered_body_or_id_or_timestamp_is_refused() {
    let verifier = Verifier::new(SECRET).unwrap();
    let tampered = br#"{"email":"test@example.com","username":"test_user2"}"#;
    assert!(matches!(
        verifier.verify_signature_at(&vector(), tampered, at(TIMESTAMP)),
        Err(WebhookError::SignatureMismatch)
    ));
    let other_id = headers("msg_other", TIMESTAMP, SIGNATURE);
    assert!(matches!(
        verifier.verify_signature_at(&other_id, PAYLOAD, at(TIMESTAMP)),
        Err(WebhookError::SignatureMismatch)
    ));
    let other_time = headers(MSG_ID, TIMESTAMP + 1, SIGNATURE);
    assert!(matches!(
        verifier.verify_signature_at(&other_time, PAYLOAD, at(TIMESTAMP)),
        Err(WebhookError::SignatureMismatch)
    ));
}

#[test]
fn timestamps_outside_the_tolerance_are_refused_both_ways() {
    let verifier = Verifier::new(SECRET).unwrap();
    let limit = DEFAULT_TOLERANCE.as_secs() as i64;
    for now in [TIMESTAMP - limit, TIMESTAMP + limit] {
        verifier
            .verify_signature_at(&vector(), PAYLOAD, at(now))
            .unwrap();
    }
    for now in [TIMESTAMP - limit - 1, TIMESTAMP + limit + 1] {
        let err = verifier
            .verify_signature_at(&vector(), PAYLOAD, at(now))
            .unwrap_err();
        assert!(
            matches!(err, WebhookError::TimestampOutOfTolerance { timestamp, .. } if timestamp == TIMESTAMP),
            "{err:?}"
        );
    }
    // Against the real clock the vector (from 2022) is far too old.
    assert!(matches!(
        verifier.verify(&vector(), PAYLOAD),
        Err(WebhookError::TimestampOutOfTolerance { .. })
    ));
    let strict = verifier.tolerance(Duration::from_secs(10));
    assert!(
        strict
            .verify_signature_at(&vector(), PAYLOAD, at(TIMESTAMP + 11))
            .is_err()
    );
    strict
        .verify_signature_at(&vector(), PAYLOAD, at(TIMESTAMP - 10))
        .unwrap();
    let unparsable = headers(MSG_ID, 0, SIGNATURE);
    let mut unparsable = unparsable;
    unparsable.insert("webhook-timestamp", HeaderValue::from_static("soon"));
    assert!(matches!(
        strict.verify_signature_at(&unparsable, PAYLOAD, at(TIMESTAMP)),
        Err(WebhookError::InvalidHeader {
            name: "webhook-timestamp",
            ..
        })
    ));
}

#[test]
fn one_valid_signature_among_several_is_enough() {
    let verifier = Verifier::new(SECRET).unwrap();
    let several = format!(
        "v1,Ceo5qEr07ixe2NLpvHk3FH9bwy/WavXrAFQ/9tdO6mc= v2,{} v1a,abc {SIGNATURE} v1,not-base64",
        SIGNATURE.trim_start_matches("v1,")
    );
    verifier
        .verify_signature_at(
            &headers(MSG_ID, TIMESTAMP, &several),
            PAYLOAD,
            at(TIMESTAMP),
        )
        .unwrap();
}

#[test]
fn all_invalid_signatures_are_refused() {
    let verifier = Verifier::new(SECRET).unwrap();
    let wrong = "v1,Ceo5qEr07ixe2NLpvHk3FH9bwy/WavXrAFQ/9tdO6mc= v1,dGVzdA== v1,";
    assert!(matches!(
        verifier.verify_signature_at(&headers(MSG_ID, TIMESTAMP, wrong), PAYLOAD, at(TIMESTAMP)),
        Err(WebhookError::SignatureMismatch)
    ));
    // The right MAC under another version is not a v1 signature.
    let other_version = SIGNATURE.replace("v1,", "v2,");
    assert!(matches!(
        verifier.verify_signature_at(
            &headers(MSG_ID, TIMESTAMP, &other_version),
            PAYLOAD,
            at(TIMESTAMP)
        ),
        Err(WebhookError::NoSupportedSignature)
    ));
}

#[test]
fn missing_headers_are_named() {
    let verifier = Verifier::new(SECRET).unwrap();
    for name in ["webhook-id", "webhook-timestamp", "webhook-signature"] {
        let mut partial = vector();
        partial.remove(name);
        let err = verifier
            .verify_signature_at(&partial, PAYLOAD, at(TIMESTAMP))
            .unwrap_err();
        assert!(
            matches!(err, WebhookError::MissingHeader(missing) if missing == name),
            "{err:?}"
        );
        assert_eq!(err.to_string(), format!("the `{name}` header is missing"));
    }
    let mut empty = vector();
    empty.insert("webhook-id", HeaderValue::from_static(""));
    assert!(matches!(
        verifier.verify_signature_at(&empty, PAYLOAD, at(TIMESTAMP)),
        Err(WebhookError::InvalidHeader {
            name: "webhook-id",
            ..
        })
    ));
}

#[test]
fn rotation_accepts_either_secret() {
    let new_secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    let rotating = Verifier::with_secrets([new_secret, SECRET]).unwrap();
    // Signed with the old secret.
    rotating
        .verify_signature_at(&vector(), PAYLOAD, at(TIMESTAMP))
        .unwrap();
    // Signed with the new one.
    let new_only = Verifier::new(new_secret).unwrap();
    let signed = new_only.signed_headers(MSG_ID, TIMESTAMP, PAYLOAD);
    rotating
        .verify_signature_at(&signed, PAYLOAD, at(TIMESTAMP))
        .unwrap();
    // Once the old secret is dropped, its signatures are refused.
    assert!(matches!(
        new_only.verify_signature_at(&vector(), PAYLOAD, at(TIMESTAMP)),
        Err(WebhookError::SignatureMismatch)
    ));
}

#[test]
fn a_registry_event_parses_into_its_type() {
    let verifier = Verifier::new(SECRET).unwrap();
    let body = serde_json::to_vec(&serde_json::json!({
        "type": "escrow.settled",
        "timestamp": "2026-07-01T09:30:00.123Z",
        "data": {
            "event_id": "EVT-000042",
            "account_id": "AU-1000001",
            "escrow_id": "ESC-000001",
            "transfer_id": "TRF-000007",
            "status": "settled",
        },
    }))
    .unwrap();
    let now = SystemTime::now();
    let sent = now
        .duration_since(SystemTime::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    let event = verifier
        .verify(&verifier.signed_headers("EVT-000042", sent, &body), &body)
        .unwrap();
    let Event::EscrowSettled(settled) = &event else {
        panic!("expected escrow.settled, got {}", event.type_name());
    };
    assert_eq!(settled.data.escrow_id.as_deref(), Some("ESC-000001"));
    assert_eq!(settled.data.status, "settled");
    assert_eq!(settled.type_, types::EscrowSettledEventType::EscrowSettled);
}

/// A signed event of a type the SDK does not know is verified and handed over as `Other`
/// (`REQ-WEBHOOK-013`); a known type whose body breaks its schema is refused.
#[test]
fn unknown_event_types_verify_as_other() {
    let verifier = Verifier::new(SECRET).unwrap();
    let sent = SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    let newer = br#"{"type":"reservation.extended","timestamp":"2026-07-01T09:30:00Z","data":{"event_id":"EVT-000043"}}"#;
    let event = verifier
        .verify(&verifier.signed_headers("EVT-000043", sent, newer), newer)
        .unwrap();
    assert!(matches!(&event, Event::Other { type_, .. } if type_ == "reservation.extended"));
    let broken = br#"{"type":"escrow.settled","timestamp":"2026-07-01T09:30:00Z","data":{}}"#;
    assert!(matches!(
        verifier.verify(&verifier.signed_headers("EVT-000044", sent, broken), broken),
        Err(WebhookError::InvalidPayload(_))
    ));
}

#[test]
fn the_verifier_does_not_debug_its_secrets() {
    let verifier =
        Verifier::with_secrets([SECRET, "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"]).unwrap();
    let debug = format!("{verifier:?}");
    assert!(!debug.contains("C2FVsBQIhrsc"), "{debug}");
    assert!(debug.contains("<2 redacted>"), "{debug}");
}
