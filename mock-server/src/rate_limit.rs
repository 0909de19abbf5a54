//! Rate limiting per principal: a token bucket per principal (requests without a valid token
//! share one), off unless configured (`MockRegistryBuilder::rate_limit`, `ucr-mock --rate-limit
//! N/s`), with the `RateLimit-Policy` and `RateLimit` fields of the contract (`REQ-RATE-*`).

use std::collections::HashMap;
use std::str::FromStr;
use std::sync::{Mutex, PoisonError};
use std::time::Instant;

use http::{HeaderMap, HeaderName, HeaderValue};
use ucr_spec::rate_limits::{limit_field, policy_field};

use crate::registry::Principal;

/// The `RateLimit-Policy` response field.
pub const RATELIMIT_POLICY: HeaderName = HeaderName::from_static("ratelimit-policy");
/// The `RateLimit` response field.
pub const RATELIMIT: HeaderName = HeaderName::from_static("ratelimit");

/// A rate: this many requests per second per principal, in bursts of at most as many.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateLimit {
    per_second: u32,
}

impl RateLimit {
    /// `per_second` requests per second per principal; `None` for 0.
    pub fn per_second(per_second: u32) -> Option<RateLimit> {
        (per_second > 0).then_some(RateLimit { per_second })
    }

    /// Requests per second.
    pub fn rate(self) -> u32 {
        self.per_second
    }
}

impl FromStr for RateLimit {
    type Err = String;

    /// `N/s` (or `N`), N at least 1.
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let number = text.trim().strip_suffix("/s").unwrap_or(text.trim());
        number
            .parse::<u32>()
            .ok()
            .and_then(RateLimit::per_second)
            .ok_or_else(|| format!("`{text}` is no rate: write N/s with N at least 1, e.g. 20/s"))
    }
}

/// What the limiter decided for one request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Decision {
    /// Allowed; `remaining` whole requests left, the bucket full again in `reset` seconds.
    Allowed { remaining: u64, reset: u64 },
    /// Refused; one request is possible again in `retry_after` seconds (at least 1).
    Limited { retry_after: u64, reset: u64 },
}

impl Decision {
    /// The `RateLimit-Policy` and `RateLimit` fields for this decision.
    pub(crate) fn headers(self, limit: RateLimit) -> HeaderMap {
        let quota = u64::from(limit.per_second);
        let (remaining, reset) = match self {
            Decision::Allowed { remaining, reset } => (remaining, reset),
            Decision::Limited { reset, .. } => (0, reset),
        };
        let mut headers = HeaderMap::new();
        for (name, value) in [
            (RATELIMIT_POLICY, policy_field(quota, 1)),
            (RATELIMIT, limit_field(remaining, reset)),
        ] {
            if let Ok(value) = HeaderValue::from_str(&value) {
                headers.insert(name, value);
            }
        }
        headers
    }
}

#[derive(Debug, Clone, Copy)]
struct Bucket {
    tokens: f64,
    updated: Instant,
}

/// One token bucket per principal (`None`: every request without a valid token).
#[derive(Debug)]
pub(crate) struct Limiter {
    limit: RateLimit,
    buckets: Mutex<HashMap<Option<Principal>, Bucket>>,
}

impl Limiter {
    pub(crate) fn new(limit: RateLimit) -> Limiter {
        Limiter {
            limit,
            buckets: Mutex::new(HashMap::new()),
        }
    }

    pub(crate) fn limit(&self) -> RateLimit {
        self.limit
    }

    /// Takes one request from `principal`'s bucket at `now`.
    pub(crate) fn take(&self, principal: Option<Principal>, now: Instant) -> Decision {
        let rate = f64::from(self.limit.per_second);
        let mut buckets = self.buckets.lock().unwrap_or_else(PoisonError::into_inner);
        let bucket = buckets.entry(principal).or_insert(Bucket {
            tokens: rate,
            updated: now,
        });
        let elapsed = now.saturating_duration_since(bucket.updated).as_secs_f64();
        bucket.tokens = (bucket.tokens + elapsed * rate).min(rate);
        bucket.updated = now;
        let seconds = |missing: f64| (missing / rate).ceil().max(0.0) as u64;
        if bucket.tokens >= 1.0 {
            bucket.tokens -= 1.0;
            Decision::Allowed {
                remaining: bucket.tokens.floor() as u64,
                reset: seconds(rate - bucket.tokens),
            }
        } else {
            Decision::Limited {
                retry_after: seconds(1.0 - bucket.tokens).max(1),
                reset: seconds(rate - bucket.tokens).max(1),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    #[test]
    fn a_bucket_empties_refills_and_is_per_principal() {
        let limiter = Limiter::new("3/s".parse().unwrap());
        let t0 = Instant::now();
        let rep = || Some(Principal::Representative("AR-000001".into()));
        let remaining: Vec<Decision> = (0..3).map(|_| limiter.take(rep(), t0)).collect();
        assert_eq!(
            remaining,
            [2, 1, 0].map(|r| Decision::Allowed {
                remaining: r,
                reset: 1
            })
        );
        assert_eq!(
            limiter.take(rep(), t0),
            Decision::Limited {
                retry_after: 1,
                reset: 1
            }
        );
        // Another principal, and anonymous callers, have buckets of their own.
        assert!(matches!(
            limiter.take(Some(Principal::Platform("TP-0001".into())), t0),
            Decision::Allowed { remaining: 2, .. }
        ));
        assert!(matches!(limiter.take(None, t0), Decision::Allowed { .. }));
        // A third of a second later one request is possible again.
        let later = t0 + Duration::from_millis(340);
        assert!(matches!(
            limiter.take(rep(), later),
            Decision::Allowed { remaining: 0, .. }
        ));
        assert!(matches!(
            limiter.take(rep(), later),
            Decision::Limited { .. }
        ));
    }

    #[test]
    fn rates_parse() {
        assert_eq!("20/s".parse::<RateLimit>().unwrap().rate(), 20);
        assert_eq!("5".parse::<RateLimit>().unwrap().rate(), 5);
        for bad in ["0/s", "x/s", "-1/s", "", "2/m"] {
            assert!(bad.parse::<RateLimit>().is_err(), "{bad}");
        }
    }
}
