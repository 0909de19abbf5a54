//! How a check ends when it does not pass ([`Failure`]) and when the engine runs it ([`Phase`]).

use std::fmt;

use ucr_sdk::{ApiError, Error};

/// When the engine runs a check. Phases run in this order, each after the previous has finished.
///
/// Moving the sandbox clock affects every fixture on the target (every consent, reservation,
/// escrow, pending transaction and access token), so checks that move it do not run beside the
/// others: they run in the [`Phase::Clock`] phase, one at a time, after every `Main` check. Each
/// of them sets its own expiries from the registry's clock (`get_clock`), moves the clock just
/// past them, and looks only at its own objects; `Main` checks never move the clock (the engine
/// refuses it, see [`Ctx::advance_clock`](crate::Ctx::advance_clock)) and also set expiries from
/// the registry's clock, so a target whose clock an earlier run moved is tested the same way.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Phase {
    /// With the other checks, concurrently.
    Main,
    /// After every `Main` check, one at a time: checks that move the sandbox clock.
    Clock,
    /// After every other check has finished (run-wide checks such as conservation).
    AfterAll,
    /// Last of all, one at a time: checks that reset the sandbox, which removes every fixture and
    /// token of the run (they run only when the run allows it, see
    /// [`RunOptions::allow_reset`](crate::RunOptions::allow_reset)).
    Reset,
}

impl Phase {
    /// Every phase, in the order the engine runs them.
    pub const ALL: &'static [Phase] = &[Phase::Main, Phase::Clock, Phase::AfterAll, Phase::Reset];
}

/// Why a check did not pass: it failed, or it could not apply to this target and was skipped.
#[derive(Debug, Clone)]
pub struct Failure {
    /// What was expected and what happened instead.
    pub message: String,
    /// `true` when the check did not apply (e.g. nothing to verify); it then counts as skipped.
    pub skipped: bool,
    /// The exchange that failed the check; the engine uses the check's last exchange when `None`.
    pub exchange: Option<Box<ucr_sdk::Exchange>>,
    /// The requirement(s) the failing assertion verifies, when the check can tell (see
    /// [`Failure::violates`]); empty: every requirement the check cites.
    pub violates: Vec<&'static str>,
}

impl Failure {
    /// A failure with this message.
    pub fn new(message: impl Into<String>) -> Self {
        Self {
            message: message.into(),
            skipped: false,
            exchange: None,
            violates: Vec::new(),
        }
    }

    /// The check does not apply; `reason` says why.
    pub fn skipped(reason: impl Into<String>) -> Self {
        Self {
            message: reason.into(),
            skipped: true,
            exchange: None,
            violates: Vec::new(),
        }
    }

    /// Pins the exchange that failed the check (instead of the last one).
    pub fn with_exchange(mut self, exchange: ucr_sdk::Exchange) -> Self {
        self.exchange = Some(Box::new(exchange));
        self
    }

    /// Names the requirement the failing assertion verifies (one of those the check cites), so
    /// that reports quote it rather than every requirement the check cites.
    pub fn violates(mut self, requirement: &'static str) -> Self {
        if !self.violates.contains(&requirement) {
            self.violates.push(requirement);
        }
        self
    }

    /// Prefixes the message with what was being done.
    pub fn context(mut self, what: impl fmt::Display) -> Self {
        self.message = format!("{what}: {}", self.message);
        self
    }
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl From<ucr_sdk::ApiError> for Failure {
    fn from(error: ucr_sdk::ApiError) -> Self {
        Failure::new(describe_error(&error))
    }
}

/// Describes an SDK error for a failure message: status, problem type and detail, or the transport
/// or decoding error.
pub fn describe_error(error: &ApiError) -> String {
    match error {
        Error::ErrorResponse(response) => {
            let problem = response.as_ref();
            let detail = problem
                .detail
                .as_deref()
                .map(|d| format!(" ({d})"))
                .unwrap_or_default();
            format!(
                "HTTP {} {}{detail}",
                response.status().as_u16(),
                problem.type_
            )
        }
        Error::UnexpectedResponse(response) => {
            format!(
                "unexpected HTTP {} (not a status this operation declares)",
                response.status().as_u16()
            )
        }
        Error::InvalidResponsePayload(body, e) => {
            format!(
                "a response body that does not match the API's schema ({e}): {}",
                crate::text::snippet(body, 300)
            )
        }
        Error::CommunicationError(e) => format!("a transport error: {e}"),
        other => other.to_string(),
    }
}
