//! What a check is: a stable ID, where it comes from, what it touches, and the function that runs it.

use std::fmt;

use futures::future::BoxFuture;

use crate::capability::{Feature, Requirement};
use crate::ctx::Ctx;
use crate::model::Model;
use crate::outcome::{Failure, Phase};

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
    /// The IDs of the contract's requirements the check verifies (`REQ-<AREA>-<NNN>`, see
    /// `ucr_spec::requirements`); a check asserts only what these say.
    pub cites: &'static [&'static str],
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

impl Check {
    /// The requirements the check cites, looked up in the contract's catalogue, in citation
    /// order; an ID the catalogue does not have is returned as `Err(id)`.
    pub fn cited(&self) -> Vec<Result<&'static ucr_spec::requirements::Requirement, &'static str>> {
        self.cites
            .iter()
            .map(|id| ucr_spec::requirements::find(id).ok_or(*id))
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
            .field("cites", &self.cites)
            .finish_non_exhaustive()
    }
}
