//! Safe retries: which requests may be retried, when, and how long to wait.

use std::time::Duration;

use reqwest::StatusCode;
use reqwest::header::{HeaderMap, RETRY_AFTER};

/// When and how the client retries a request.
///
/// A request is retried only when it is safe: reads always, writes only when they carry an
/// `Idempotency-Key` (the SDK adds one to every write, and it stays the same across the retries of
/// one call, so the registry applies the write once). Retries happen on connection failures,
/// timeouts and the statuses in [`RetryPolicy::statuses`] (429, 502, 503, 504 by default), waiting
/// for the server's `Retry-After` when it sends one, otherwise for an exponential backoff with
/// full jitter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Total attempts per call, the first included; 1 disables retries.
    pub max_attempts: u32,
    /// Backoff before the second attempt; doubles for each further one.
    pub initial_backoff: Duration,
    /// Upper bound of any wait, `Retry-After` included.
    pub max_backoff: Duration,
    /// Response statuses that are retried.
    pub statuses: Vec<u16>,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            max_attempts: 3,
            initial_backoff: Duration::from_millis(200),
            max_backoff: Duration::from_secs(30),
            statuses: vec![429, 502, 503, 504],
        }
    }
}

impl RetryPolicy {
    /// A policy that never retries.
    pub fn none() -> Self {
        Self {
            max_attempts: 1,
            ..Self::default()
        }
    }

    /// Whether `request` may be sent more than once.
    pub fn allows(&self, request: &reqwest::Request) -> bool {
        let safe = matches!(
            *request.method(),
            reqwest::Method::GET | reqwest::Method::HEAD | reqwest::Method::OPTIONS
        ) || request.headers().contains_key(crate::IDEMPOTENCY_KEY);
        self.max_attempts > 1 && safe
    }

    /// Whether a response with this status is retried.
    pub fn retries_status(&self, status: StatusCode) -> bool {
        self.statuses.contains(&status.as_u16())
    }

    /// How long to wait before attempt `attempt + 1` (`attempt` counts from 1).
    pub fn delay(&self, attempt: u32, headers: Option<&HeaderMap>) -> Duration {
        if let Some(after) = headers.and_then(retry_after) {
            return after.min(self.max_backoff);
        }
        let exponent = attempt.saturating_sub(1).min(16);
        let ceiling = self
            .initial_backoff
            .saturating_mul(1 << exponent)
            .min(self.max_backoff);
        // Full jitter: uniform in [0, ceiling].
        ceiling.mul_f64(fastrand::f64())
    }
}

/// Parses `Retry-After` as delta-seconds or an HTTP date.
fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    let value = headers.get(RETRY_AFTER)?.to_str().ok()?.trim();
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    let when = chrono::DateTime::parse_from_rfc2822(value).ok()?;
    let wait = when.signed_duration_since(chrono::Utc::now());
    Some(wait.to_std().unwrap_or(Duration::ZERO))
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::HeaderValue;

    #[test]
    fn retry_after_seconds_and_dates_are_honoured_and_capped() {
        let policy = RetryPolicy::default();
        let mut headers = HeaderMap::new();
        headers.insert(RETRY_AFTER, HeaderValue::from_static("2"));
        assert_eq!(policy.delay(1, Some(&headers)), Duration::from_secs(2));
        headers.insert(RETRY_AFTER, HeaderValue::from_static("86400"));
        assert_eq!(policy.delay(1, Some(&headers)), policy.max_backoff);
        let date = (chrono::Utc::now() + chrono::Duration::seconds(5)).to_rfc2822();
        headers.insert(RETRY_AFTER, HeaderValue::from_str(&date).unwrap());
        let wait = policy.delay(1, Some(&headers));
        assert!(
            wait <= Duration::from_secs(5) && wait >= Duration::from_secs(3),
            "{wait:?}"
        );
    }

    #[test]
    fn backoff_grows_and_stays_under_its_ceiling() {
        let policy = RetryPolicy::default();
        for attempt in 1..10 {
            let ceiling = policy
                .initial_backoff
                .saturating_mul(1 << (attempt - 1))
                .min(policy.max_backoff);
            assert!(policy.delay(attempt, None) <= ceiling);
        }
    }

    #[test]
    fn writes_without_a_key_are_not_retried() {
        let policy = RetryPolicy::default();
        let url = reqwest::Url::parse("http://127.0.0.1/v1/transfers").unwrap();
        let mut post = reqwest::Request::new(reqwest::Method::POST, url.clone());
        assert!(!policy.allows(&post));
        post.headers_mut()
            .insert(crate::IDEMPOTENCY_KEY, HeaderValue::from_static("k"));
        assert!(policy.allows(&post));
        assert!(policy.allows(&reqwest::Request::new(reqwest::Method::GET, url.clone())));
        assert!(!RetryPolicy::none().allows(&reqwest::Request::new(reqwest::Method::GET, url)));
    }
}
