//! Leaf types of credentials shared by client credentials and the authorization code flow: a
//! secret that never shows itself, and a cached access token that knows when to renew.

use std::fmt;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// A credential that never shows itself in `Debug` output.
#[derive(Clone, PartialEq, Eq)]
pub(crate) struct Secret(Arc<str>);

impl Secret {
    pub(crate) fn new(value: impl AsRef<str>) -> Self {
        Secret(value.as_ref().into())
    }

    pub(crate) fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(<redacted>)")
    }
}

/// A cached access token.
#[derive(Clone)]
pub(crate) struct AccessToken {
    pub(crate) token: Secret,
    /// When the token request was sent: its lifetime is counted from then, to be safe.
    pub(crate) obtained: Instant,
    pub(crate) lifetime: Duration,
}

impl AccessToken {
    /// A token is renewed when less than a tenth of its life, or less than a minute, remains
    /// (whichever is shorter): an hour's token is renewed after 59 minutes, a 10 s token after 9 s.
    fn renew_margin(&self) -> Duration {
        (self.lifetime / 10).min(Duration::from_secs(60))
    }

    pub(crate) fn is_fresh(&self, now: Instant) -> bool {
        match self.obtained.checked_add(self.lifetime) {
            Some(expires) => now + self.renew_margin() < expires,
            // An `expires_in` beyond what an `Instant` can hold: it never expires for us.
            None => true,
        }
    }
}
