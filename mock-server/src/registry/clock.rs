//! The registry clock: system time plus an offset the sandbox moves forward, and the expiries that
//! take effect when it moves.

use chrono::{DateTime, SubsecRound, TimeDelta, Utc};
use ucr_spec::problem::Problem;
use ucr_spec::sandbox::{ClockAdvance, SandboxClock};

use super::Registry;
use super::validate::validation_failed;

/// Largest step of the sandbox clock, in seconds (366 days).
pub const MAX_CLOCK_ADVANCE: u64 = 31_622_400;

/// Time the clock must still be able to move past its current instant (expiries, retention).
const CLOCK_HEADROOM: TimeDelta = TimeDelta::days(36_500);

impl Registry {
    /// The registry's time: system UTC time plus the offset added by [`Registry::advance_clock`],
    /// to the millisecond.
    pub fn now(&self) -> DateTime<Utc> {
        (Utc::now() + self.clock_offset).trunc_subsecs(3)
    }

    /// Moves the registry clock forward by `by`, then expires what became due. Returns the new time.
    ///
    /// Refuses (`validation-failed`) a negative duration: time only moves forward.
    pub fn advance_clock(&mut self, by: TimeDelta) -> Result<DateTime<Utc>, Problem> {
        if by < TimeDelta::zero() {
            return Err(validation_failed(
                "/seconds",
                "the clock only moves forward; give a positive duration",
            ));
        }
        let Some(offset) = self.clock_offset.checked_add(&by).filter(|o| {
            o.checked_add(&CLOCK_HEADROOM)
                .and_then(|h| Utc::now().checked_add_signed(h))
                .is_some()
        }) else {
            return Err(validation_failed(
                "/seconds",
                "that would move the clock beyond the representable range",
            ));
        };
        self.clock_offset = offset;
        self.expire_due();
        Ok(self.now())
    }

    /// The sandbox clock, after whatever became due.
    pub fn clock(&mut self) -> SandboxClock {
        self.expire_due();
        SandboxClock { now: self.now() }
    }

    /// Moves the sandbox clock forward by 1 to 31,622,400 seconds (`422` otherwise); every expiry
    /// that became due takes effect and emits its events.
    pub fn advance_sandbox_clock(
        &mut self,
        request: ClockAdvance,
    ) -> Result<SandboxClock, Problem> {
        if !(1..=MAX_CLOCK_ADVANCE).contains(&request.seconds) {
            return Err(validation_failed(
                "/seconds",
                format!("move the clock forward by 1 to {MAX_CLOCK_ADVANCE} seconds (366 days)"),
            ));
        }
        let seconds = i64::try_from(request.seconds).unwrap_or(i64::MAX);
        let now = self.advance_clock(TimeDelta::seconds(seconds))?;
        Ok(SandboxClock { now })
    }
}
