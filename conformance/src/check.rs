//! What a check is: a stable ID, where it comes from, what it touches, and the function that runs it.

use std::fmt;

use futures::future::BoxFuture;
use serde::{Deserialize, Serialize};

use crate::ctx::Ctx;

/// The interoperability model of the CER's paper a check belongs to.
///
/// Check IDs start with the model's [`code`](Model::code); reports group checks by model.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    Serialize,
    Deserialize,
    schemars::JsonSchema,
)]
#[non_exhaustive]
pub enum Model {
    /// Class A, A.1: an authorised representative reads and writes its own account, and reads the
    /// public registers.
    #[serde(rename = "A.1")]
    A1,
}

impl Model {
    /// Every model, in the paper's order.
    pub const ALL: &'static [Model] = &[Model::A1];

    /// The prefix of the model's check IDs, e.g. `A1`.
    pub fn code(self) -> &'static str {
        match self {
            Model::A1 => "A1",
        }
    }

    /// The paper's name for the model.
    pub fn title(self) -> &'static str {
        match self {
            Model::A1 => "Read and write API from own account",
        }
    }
}

impl fmt::Display for Model {
    /// The paper's numbering, e.g. `A.1`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Model::A1 => "A.1",
        })
    }
}

/// When the engine runs a check.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Phase {
    /// With the other checks, concurrently.
    Main,
    /// After every `Main` check has finished (run-wide checks such as conservation).
    AfterAll,
}

/// The signature of a check's body.
pub type CheckFn = fn(Ctx) -> BoxFuture<'static, Result<(), Failure>>;

/// One conformance check.
#[derive(Clone, Copy)]
pub struct Check {
    /// Stable, unique ID: `<model code>-<AREA>-<nnn>`, e.g. `A1-TRANSFER-003`.
    pub id: &'static str,
    /// The interoperability model the check belongs to.
    pub model: Model,
    /// Where in the CER's paper the behaviour comes from, e.g. `Types of APIs: write access`.
    pub seed: &'static str,
    /// The `operationId`s the check exercises (not counting fixture set-up).
    pub operations: &'static [&'static str],
    /// One line saying what the check verifies.
    pub description: &'static str,
    /// When the engine runs it.
    pub phase: Phase,
    /// The check's body.
    pub run: CheckFn,
}

impl fmt::Debug for Check {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Check")
            .field("id", &self.id)
            .field("model", &self.model)
            .field("seed", &self.seed)
            .field("operations", &self.operations)
            .field("description", &self.description)
            .field("phase", &self.phase)
            .finish_non_exhaustive()
    }
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
}

impl Failure {
    /// A failure with this message.
    pub fn new(message: impl Into<String>) -> Self {
        Self {
            message: message.into(),
            skipped: false,
            exchange: None,
        }
    }

    /// The check does not apply; `reason` says why.
    pub fn skipped(reason: impl Into<String>) -> Self {
        Self {
            message: reason.into(),
            skipped: true,
            exchange: None,
        }
    }

    /// Pins the exchange that failed the check (instead of the last one).
    pub fn with_exchange(mut self, exchange: ucr_sdk::Exchange) -> Self {
        self.exchange = Some(Box::new(exchange));
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
        Failure::new(crate::assert::describe_error(&error))
    }
}

/// Every check of the suite, in report order.
pub fn registry() -> Vec<Check> {
    crate::checks::all()
}
