//! Resetting the sandbox from a check: allowed only in the [`Phase::Reset`] phase of a run that
//! allows it ([`crate::RunOptions::allow_reset`]).

use super::*;

impl Ctx {
    /// Resets the sandbox as the operator and returns what the target says it removed.
    ///
    /// A run that does not allow resets skips the check, saying how to allow it; a check outside
    /// the [`Phase::Reset`] phase calling this is a suite bug (it would wipe other checks'
    /// fixtures while they run).
    pub async fn reset_sandbox(&self) -> Result<ucr_sdk::types::SandboxReset, Failure> {
        self.may_reset()?;
        self.operator("reset the sandbox")?
            .reset_sandbox()
            .send()
            .await
            .expect_ok("resetting the sandbox")
    }

    /// Whether this check may reset the sandbox (see [`Ctx::reset_sandbox`]); a check calls it
    /// first, so that a run that does not allow resets is left untouched.
    pub fn may_reset(&self) -> Result<(), Failure> {
        if self.phase != Phase::Reset {
            return Err(Failure::new(format!(
                "suite bug: {} resets the sandbox but does not run in the Reset phase",
                self.check_id
            )));
        }
        if !self.run.allow_reset {
            return Err(Failure::skipped(
                "resetting the sandbox removes everything on it (other users' fixtures too), so \
                 it runs only when allowed: pass --allow-reset (RunOptions::allow_reset); the \
                 embedded mock registry always allows it",
            ));
        }
        Ok(())
    }

    /// The tokens of every representative the run appointed before now (from the run's ledger).
    pub(crate) fn ledger_tokens(&self) -> Vec<String> {
        let mut tokens: Vec<String> = self.run.ledger().accounts.into_values().flatten().collect();
        tokens.sort();
        tokens.dedup();
        tokens
    }
}
