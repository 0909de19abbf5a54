//! Typed access to RFC 9457 problem documents returned by the registry.

use crate::generated::{Error, types::Problem};
use crate::problem_kinds::ProblemKind;

/// The error type of every SDK call.
pub type ApiError = Error<Problem>;

/// Problem-document access on SDK errors.
pub trait ProblemExt {
    /// The problem document, when the registry answered with one.
    fn problem(&self) -> Option<&Problem>;

    /// The problem's kind, when the registry answered with a problem of a known `type`.
    fn problem_kind(&self) -> Option<ProblemKind> {
        self.problem().and_then(|p| ProblemKind::from_uri(&p.type_))
    }

    /// Whether the registry refused with a problem of this kind:
    /// `err.is(ProblemKind::InsufficientUnits)`.
    fn is(&self, kind: ProblemKind) -> bool {
        self.problem_kind() == Some(kind)
    }
}

impl ProblemExt for Error<Problem> {
    fn problem(&self) -> Option<&Problem> {
        match self {
            Error::ErrorResponse(response) => Some(response.as_ref()),
            _ => None,
        }
    }
}
