//! Field checks shared by the model's operations, and the `422 validation-failed` problem they
//! refuse with.

use serde::Serialize;
use ucr_spec::ProblemType;
use ucr_spec::model::UNIT_TYPES;
use ucr_spec::problem::{InvalidParam, Problem};

/// The wire name of a unit enum value, e.g. `revoked` for `ConsentStatus::Revoked`.
pub(crate) fn wire_name<T: Serialize>(value: &T) -> String {
    serde_json::to_value(value)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default()
}

/// A `422 validation-failed` problem naming the offending field (a JSON pointer).
pub(crate) fn validation_failed(pointer: &str, reason: impl Into<String>) -> Problem {
    let reason = reason.into();
    let mut problem = ProblemType::ValidationFailed.problem(format!("{pointer}: {reason}"));
    problem.invalid_params.push(InvalidParam {
        name: pointer.to_owned(),
        reason,
    });
    problem
}

/// Refuses a unit type code this version does not know.
pub(crate) fn check_unit_type(unit_type: &str) -> Result<(), Problem> {
    if UNIT_TYPES.contains(&unit_type) {
        Ok(())
    } else {
        Err(validation_failed(
            "/unit_type",
            format!(
                "unknown unit type {unit_type:?}; this registry knows {}",
                UNIT_TYPES.join(", ")
            ),
        ))
    }
}

/// Requires 1 to `max` characters.
pub(crate) fn check_text(pointer: &str, value: &str, max: usize) -> Result<(), Problem> {
    let length = value.chars().count();
    if value.trim().is_empty() || length > max {
        return Err(validation_failed(
            pointer,
            format!("must be 1 to {max} characters, not blank"),
        ));
    }
    Ok(())
}

/// Allows an absent value or up to `max` characters.
pub(crate) fn check_optional_text(
    pointer: &str,
    value: Option<&str>,
    max: usize,
) -> Result<(), Problem> {
    match value {
        Some(v) if v.chars().count() > max => Err(validation_failed(
            pointer,
            format!("must be at most {max} characters"),
        )),
        _ => Ok(()),
    }
}

/// A financial year `YYYY-YY` whose second part follows the first, e.g. `2023-24`.
pub(crate) fn check_vintage(vintage: &str) -> Result<(), Problem> {
    let bytes = vintage.as_bytes();
    let well_formed = bytes.len() == 7
        && bytes[4] == b'-'
        && bytes
            .iter()
            .enumerate()
            .all(|(i, b)| i == 4 || b.is_ascii_digit());
    let consecutive = well_formed
        && match (vintage[..4].parse::<u32>(), vintage[5..].parse::<u32>()) {
            (Ok(start), Ok(end)) => (start + 1) % 100 == end,
            _ => false,
        };
    if consecutive {
        Ok(())
    } else {
        Err(validation_failed(
            "/vintage",
            format!("{vintage:?} is not a financial year such as 2023-24"),
        ))
    }
}
