//! What a check is: a stable ID, where it comes from, what it touches, and the function that runs it.

use std::fmt;

use futures::future::BoxFuture;
use serde::{Deserialize, Serialize};

use crate::capability::{Feature, Requirement};
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
    /// Class B, B.1: a trading platform reads an account's holdings by the holder's consent, and
    /// the public registers.
    #[serde(rename = "B.1")]
    B1,
    /// Class B, B.2: the holder appoints a platform's representative as an authorised
    /// representative of its account.
    #[serde(rename = "B.2")]
    B2,
    /// Class B, B.3: the seller transfers units to the platform's custodial account; the
    /// platform's representative transfers them on to the buyer.
    #[serde(rename = "B.3")]
    B3,
    /// Class B, B.4: the seller reserves units for a platform, which sees only them; a trade moves
    /// them through the platform's interim custodial account.
    #[serde(rename = "B.4")]
    B4,
    /// Class B, B.5: units placed in escrow inside the seller's account are settled or released by
    /// the controlling platform.
    #[serde(rename = "B.5")]
    B5,
    /// Class C, C.1: a third-party registry associates its certificates 1:1 with units.
    #[serde(rename = "C.1")]
    C1,
}

impl Model {
    /// Every model, in the paper's order.
    pub const ALL: &'static [Model] = &[
        Model::A1,
        Model::B1,
        Model::B2,
        Model::B3,
        Model::B4,
        Model::B5,
        Model::C1,
    ];

    /// The prefix of the model's check IDs, e.g. `A1`.
    pub fn code(self) -> &'static str {
        match self {
            Model::A1 => "A1",
            Model::B1 => "B1",
            Model::B2 => "B2",
            Model::B3 => "B3",
            Model::B4 => "B4",
            Model::B5 => "B5",
            Model::C1 => "C1",
        }
    }

    /// The paper's name for the model.
    pub fn title(self) -> &'static str {
        match self {
            Model::A1 => "Read and write API from own account",
            Model::B1 => "API connectivity for information only from third-party platforms",
            Model::B2 => "Account delegation model",
            Model::B3 => "Full custody model",
            Model::B4 => "Fleeting custody model",
            Model::B5 => "Escrow model",
            Model::C1 => "Associating units with third-party certificates",
        }
    }
}

impl fmt::Display for Model {
    /// The paper's numbering, e.g. `A.1`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Model::A1 => "A.1",
            Model::B1 => "B.1",
            Model::B2 => "B.2",
            Model::B3 => "B.3",
            Model::B4 => "B.4",
            Model::B5 => "B.5",
            Model::C1 => "C.1",
        })
    }
}

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
}

impl Phase {
    /// Every phase, in the order the engine runs them.
    pub const ALL: &'static [Phase] = &[Phase::Main, Phase::Clock, Phase::AfterAll];
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
    /// The optional parts of the API it needs; `None`: derived from its operations and phase
    /// (see [`Check::requirements`]).
    pub requires: Option<&'static [Feature]>,
    /// The check's body.
    pub run: CheckFn,
}

impl Check {
    /// What the target must declare for the check to run: its model, and the features it
    /// declares with `requires:` or, by default, those its operations belong to
    /// ([`Feature::of_operation`]) plus the sandbox clock for [`Phase::Clock`] checks.
    pub fn requirements(&self) -> Vec<Requirement> {
        let mut features: Vec<Feature> = match self.requires {
            Some(features) => features.to_vec(),
            None => {
                let mut derived: Vec<Feature> = self
                    .operations
                    .iter()
                    .filter_map(|op| Feature::of_operation(op))
                    .collect();
                if self.phase == Phase::Clock {
                    derived.push(Feature::SandboxClock);
                }
                derived
            }
        };
        features.sort();
        features.dedup();
        std::iter::once(Requirement::Model(self.model))
            .chain(features.into_iter().map(Requirement::Feature))
            .collect()
    }
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
            .field("requires", &self.requires)
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
