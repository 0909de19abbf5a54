//! Idempotent writes: the `Idempotency-Key` header, replaying a stored response for a retry,
//! refusing a key reused with another body, and storing each write's response under its key.

use bytes::Bytes;
use http::header::CONTENT_TYPE;
use http::{HeaderMap, HeaderValue, StatusCode};
use serde::Serialize;
use ucr_spec::ProblemType;
use ucr_spec::problem::{InvalidParam, Problem};

use super::call::Call;
use super::exchange::{
    ApiResponse, IDEMPOTENCY_KEY, IDEMPOTENT_REPLAYED, JSON, Refusal, json, problem_response,
};
use crate::faults::{Fault, Faults};
use crate::registry::{Principal, Registry, RequestFingerprint, StoredResponse};

/// Whether a write needs an `Idempotency-Key`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Key {
    /// Refused (`428`) without one.
    Required,
    /// Taken if sent (the sandbox API).
    Optional,
}

/// Runs a write under the idempotency rules: authenticate (done) → key → replay or refuse reuse →
/// the body (parsed before the registry was locked; refusals not stored) → model (response
/// stored, success or refusal).
///
/// `perform` gets the registry, the caller and the parsed body.
pub(crate) fn write<T, R: Serialize>(
    call: &mut Call<'_>,
    key: Key,
    success: StatusCode,
    body: Result<T, Refusal>,
    perform: impl FnOnce(&mut Registry, &Principal, T) -> Result<R, Problem>,
) -> Result<ApiResponse, Refusal> {
    let (registry, who, request) = (&mut *call.registry, call.who, &call.request);
    let key = idempotency_key(request.headers, key, registry.faults())?;
    let fingerprint = RequestFingerprint {
        method: request.method.to_string(),
        path: request.path.to_owned(),
        body: request.body.to_vec(),
    };
    let faults = registry.faults();
    // FAULT(keys-not-scoped): every caller's keys land in one shared scope.
    let everyone = Principal::Operator(String::new());
    let scope = if faults.has(Fault::KeysNotScoped) {
        &everyone
    } else {
        who
    };
    if let Some(key) = &key
        && let Some(record) = registry.recall(scope, key)
        // FAULT(replay-executes-twice): the stored response is not consulted for a same-body retry.
        && !(faults.has(Fault::ReplayExecutesTwice) && record.fingerprint == fingerprint)
    {
        // FAULT(key-reuse-replayed): the body is not compared, so another body gets the replay.
        if record.fingerprint != fingerprint && !faults.has(Fault::KeyReuseReplayed) {
            return Err(ProblemType::IdempotencyKeyReused
                .problem(format!(
                    "Idempotency-Key {key:?} was first used with {} {} and a different body; \
                     use a new key for a new request",
                    record.fingerprint.method, record.fingerprint.path
                ))
                .into());
        }
        let stored = &record.response;
        let mut headers = HeaderMap::new();
        if let Ok(content_type) = HeaderValue::from_str(&stored.content_type) {
            headers.insert(CONTENT_TYPE, content_type);
        }
        headers.insert(IDEMPOTENT_REPLAYED, HeaderValue::from_static("true"));
        return Ok(ApiResponse {
            status: StatusCode::from_u16(stored.status).unwrap_or(StatusCode::OK),
            headers,
            body: Bytes::from(stored.body.clone()),
        });
    }
    let response = match perform(registry, who, body?) {
        Ok(value) => json(success, &value),
        Err(problem) => problem_response(problem, request.path),
    };
    // FAULT(refusal-not-replayed): only successes are remembered.
    let remembered = response.status.is_success() || !faults.has(Fault::RefusalNotReplayed);
    if let Some(key) = key.filter(|_| remembered) {
        let content_type = response
            .headers
            .get(CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or(JSON)
            .to_owned();
        let stored = StoredResponse {
            status: response.status.as_u16(),
            content_type,
            body: response.body.to_vec(),
        };
        registry.remember(scope, &key, fingerprint, stored);
    }
    Ok(response)
}

/// The `Idempotency-Key`: 1–255 visible ASCII characters.
fn idempotency_key(
    headers: &HeaderMap,
    key: Key,
    faults: Faults,
) -> Result<Option<String>, Refusal> {
    let mut values = headers.get_all(IDEMPOTENCY_KEY).iter();
    let key = if faults.has(Fault::IdempotencyKeyOptional) {
        // FAULT(idempotency-key-optional): a missing key is let through.
        Key::Optional
    } else {
        key
    };
    let Some(value) = values.next() else {
        return match key {
            Key::Required => Err(ProblemType::IdempotencyKeyRequired
                .problem("this write needs an Idempotency-Key header: a fresh UUID per logical request, reused only on retries")
                .into()),
            Key::Optional => Ok(None),
        };
    };
    let invalid = |reason: &str| -> Refusal {
        let mut problem =
            ProblemType::InvalidParameter.problem(format!("header Idempotency-Key: {reason}"));
        problem.invalid_params.push(InvalidParam {
            name: "Idempotency-Key".to_owned(),
            reason: reason.to_owned(),
        });
        problem.into()
    };
    if values.next().is_some() {
        return Err(invalid("send the header once"));
    }
    let bytes = value.as_bytes();
    if bytes.is_empty() || bytes.len() > 255 || !bytes.iter().all(|b| (0x21..=0x7e).contains(b)) {
        return Err(invalid(
            "must be 1 to 255 visible ASCII characters (a UUID is recommended)",
        ));
    }
    Ok(Some(String::from_utf8_lossy(bytes).into_owned()))
}
