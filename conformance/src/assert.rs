//! Assertion helpers whose failure messages say exactly what was expected and what came back.

use std::fmt::Debug;

use ucr_sdk::types::{BlockStatus, Problem, SerialRange, UnitBlock};
use ucr_sdk::{ApiError, Error, ProblemKind, ResponseValue};

use crate::outcome::Failure;
use crate::snapshot::Snapshot;
pub use crate::snapshot::{BlockRun, normalize};

/// Fails the check with a formatted message unless `cond` holds.
#[macro_export]
macro_rules! ensure {
    ($cond:expr, $($arg:tt)+) => {
        if !$cond {
            return Err($crate::Failure::new(format!($($arg)+)));
        }
    };
}

pub use crate::outcome::describe_error;

/// Expectations on SDK results.
pub trait SdkResultExt<T> {
    /// Expects success; `what` says what was being done.
    fn expect_ok(self, what: &str) -> Result<T, Failure>;

    /// Expects a problem document of `kind` with HTTP `status`; returns the document.
    fn expect_problem(self, what: &str, status: u16, kind: ProblemKind)
    -> Result<Problem, Failure>;
}

impl<T: Debug> SdkResultExt<T> for Result<ResponseValue<T>, ApiError> {
    fn expect_ok(self, what: &str) -> Result<T, Failure> {
        self.map(ResponseValue::into_inner).map_err(|e| {
            Failure::new(format!(
                "{what}: expected success, got {}",
                describe_error(&e)
            ))
        })
    }

    fn expect_problem(
        self,
        what: &str,
        status: u16,
        kind: ProblemKind,
    ) -> Result<Problem, Failure> {
        expect_problem(what, self, status, kind)
    }
}

/// Expects `result` to be a problem document of `kind` with HTTP `status` (and a matching `status`
/// member); returns the document.
pub fn expect_problem<T: Debug>(
    what: &str,
    result: Result<ResponseValue<T>, ApiError>,
    status: u16,
    kind: ProblemKind,
) -> Result<Problem, Failure> {
    let expected = format!("HTTP {status} {}", kind.uri());
    match result {
        Ok(value) => Err(Failure::new(format!(
            "{what}: expected {expected}, got HTTP {} (success)",
            value.status().as_u16()
        ))),
        Err(Error::ErrorResponse(response)) => {
            let got_status = response.status().as_u16();
            let problem = response.into_inner();
            if got_status != status || problem.type_ != kind.uri() {
                return Err(Failure::new(format!(
                    "{what}: expected {expected}, got HTTP {got_status} {}",
                    problem.type_
                )));
            }
            if problem.status != status {
                return Err(Failure::new(format!(
                    "{what}: the problem document's `status` member is {}, not the HTTP status {status}",
                    problem.status
                )));
            }
            Ok(problem)
        }
        Err(other) => Err(Failure::new(format!(
            "{what}: expected {expected}, got {}",
            describe_error(&other)
        ))),
    }
}

/// Expects `result` to be a problem document of one of `kinds` (each with its HTTP status), for
/// refusals the contract allows to be classified in more than one way; returns the document.
pub fn expect_problem_of<T: Debug>(
    what: &str,
    result: Result<ResponseValue<T>, ApiError>,
    kinds: &[(u16, ProblemKind)],
) -> Result<Problem, Failure> {
    let expected = kinds
        .iter()
        .map(|(status, kind)| format!("HTTP {status} {}", kind.uri()))
        .collect::<Vec<_>>()
        .join(" or ");
    match result {
        Ok(value) => Err(Failure::new(format!(
            "{what}: expected {expected}, got HTTP {} (success)",
            value.status().as_u16()
        ))),
        Err(Error::ErrorResponse(response)) => {
            let got_status = response.status().as_u16();
            let problem = response.into_inner();
            if !kinds
                .iter()
                .any(|(status, kind)| got_status == *status && problem.type_ == kind.uri())
            {
                return Err(Failure::new(format!(
                    "{what}: expected {expected}, got HTTP {got_status} {}",
                    problem.type_
                )));
            }
            if problem.status != got_status {
                return Err(Failure::new(format!(
                    "{what}: the problem document's `status` member is {}, not the HTTP status {got_status}",
                    problem.status
                )));
            }
            Ok(problem)
        }
        Err(other) => Err(Failure::new(format!(
            "{what}: expected {expected}, got {}",
            describe_error(&other)
        ))),
    }
}

/// Fails unless `expected == actual`.
pub fn ensure_eq<T: PartialEq + Debug>(what: &str, expected: T, actual: T) -> Result<(), Failure> {
    if expected == actual {
        Ok(())
    } else {
        Err(Failure::new(format!(
            "{what}: expected {expected:?}, got {actual:?}"
        )))
    }
}

/// Merges ranges into sorted, non-adjacent, non-overlapping ranges.
pub fn merge_ranges(ranges: impl IntoIterator<Item = (u64, u64)>) -> Vec<(u64, u64)> {
    let mut ranges: Vec<(u64, u64)> = ranges.into_iter().collect();
    ranges.sort_unstable();
    let mut merged: Vec<(u64, u64)> = Vec::with_capacity(ranges.len());
    for (start, end) in ranges {
        match merged.last_mut() {
            Some(last) if start <= last.1.saturating_add(1) => last.1 = last.1.max(end),
            _ => merged.push((start, end)),
        }
    }
    merged
}

/// A transaction's serial ranges, merged.
pub fn ranges_of(ranges: &[SerialRange]) -> Vec<(u64, u64)> {
    merge_ranges(ranges.iter().map(|r| (r.serial_start, r.serial_end)))
}

/// The serials (merged) of `unit_type` blocks with `status` (any status if `None`).
pub fn serials(
    blocks: &[UnitBlock],
    unit_type: &str,
    status: Option<BlockStatus>,
) -> Vec<(u64, u64)> {
    merge_ranges(
        blocks
            .iter()
            .filter(|b| b.unit_type == unit_type && status.is_none_or(|s| b.status == s))
            .map(|b| (b.serial_start, b.serial_end)),
    )
}

/// Units of `unit_type` with `status` (any status if `None`).
pub fn total(blocks: &[UnitBlock], unit_type: &str, status: Option<BlockStatus>) -> u64 {
    blocks
        .iter()
        .filter(|b| b.unit_type == unit_type && status.is_none_or(|s| b.status == s))
        .map(|b| b.quantity)
        .sum()
}

/// Fails unless the account's holdings and history are as they were: a refused request must
/// change nothing.
pub fn assert_unchanged(what: &str, before: &Snapshot, after: &Snapshot) -> Result<(), Failure> {
    if before == after {
        return Ok(());
    }
    let mut changes = Vec::new();
    for run in &before.holdings {
        if !after.holdings.contains(run) {
            changes.push(format!("holding gone: {run}"));
        }
    }
    for run in &after.holdings {
        if !before.holdings.contains(run) {
            changes.push(format!("holding new: {run}"));
        }
    }
    for tx in &before.history {
        if !after.history.contains(tx) {
            changes.push(format!(
                "transaction changed or gone: {} {} {}",
                tx.transaction_id, tx.kind, tx.status
            ));
        }
    }
    for tx in &after.history {
        if !before.history.contains(tx) {
            changes.push(format!(
                "transaction new or changed: {} {} {}",
                tx.transaction_id, tx.kind, tx.status
            ));
        }
    }
    if changes.is_empty() {
        changes.push("the order of holdings or transactions changed".into());
    }
    Err(Failure::new(format!(
        "{what}: account {} changed, but a refused request must change nothing: {}",
        before.account_id,
        changes.join("; ")
    )))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn merge_ranges_joins_adjacent_and_overlapping() {
        assert_eq!(
            merge_ranges([(10, 19), (1, 5), (6, 9), (30, 31), (31, 40)]),
            vec![(1, 19), (30, 40)]
        );
        assert_eq!(merge_ranges([]), Vec::<(u64, u64)>::new());
    }

    fn block(start: u64, end: u64, status: BlockStatus, vintage: &str) -> UnitBlock {
        UnitBlock {
            block_id: format!("ACCU-{start}"),
            unit_type: "ACCU".into(),
            serial_start: start,
            serial_end: end,
            quantity: end - start + 1,
            status,
            project_id: Some("ERF990001".into()),
            vintage: vintage.into(),
            method: Some("m".into()),
            facility_id: None,
            facility_name: None,
            issuance_year: None,
            kyoto_status: None,
            state: "NSW".into(),
            issued_on: chrono::NaiveDate::from_ymd_opt(2026, 1, 1).expect("valid date"),
            transaction_id: None,
        }
    }

    #[test]
    fn normalize_merges_only_identical_adjacent_blocks() {
        let blocks = [
            block(21, 30, BlockStatus::Available, "2023-24"),
            block(1, 10, BlockStatus::Available, "2023-24"),
            block(11, 20, BlockStatus::Available, "2023-24"),
            block(31, 40, BlockStatus::Pending, "2023-24"),
            block(41, 50, BlockStatus::Pending, "2022-23"),
        ];
        let runs = normalize(&blocks);
        let spans: Vec<_> = runs
            .iter()
            .map(|r| (r.serial_start, r.serial_end))
            .collect();
        assert_eq!(spans, vec![(1, 30), (31, 40), (41, 50)]);
    }
}
