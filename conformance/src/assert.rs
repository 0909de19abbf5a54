//! Assertion helpers whose failure messages say exactly what was expected and what came back.

use std::fmt::Debug;

use ucr_sdk::types::{BlockStatus, KyotoStatus, Problem, SerialRange, UnitBlock};
use ucr_sdk::{ApiError, Error, ProblemKind, ResponseValue};

use crate::check::Failure;
use crate::ctx::Snapshot;

/// Fails the check with a formatted message unless `cond` holds.
#[macro_export]
macro_rules! ensure {
    ($cond:expr, $($arg:tt)+) => {
        if !$cond {
            return Err($crate::Failure::new(format!($($arg)+)));
        }
    };
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
                crate::report::snippet(body, 300)
            )
        }
        Error::CommunicationError(e) => format!("a transport error: {e}"),
        other => other.to_string(),
    }
}

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

/// A run of consecutive serials with identical attributes and status: holdings with block
/// boundaries normalised away (an implementation may merge adjacent identical blocks).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct BlockRun {
    /// Unit type code.
    pub unit_type: String,
    /// First serial.
    pub serial_start: u64,
    /// Last serial (inclusive).
    pub serial_end: u64,
    /// Status.
    pub status: BlockStatus,
    /// Project or facility.
    pub project_id: String,
    /// Vintage.
    pub vintage: String,
    /// Method.
    pub method: String,
    /// Kyoto eligibility.
    pub kyoto_status: Option<KyotoStatus>,
    /// State or territory.
    pub state: String,
    /// Issuance date.
    pub issued_on: chrono::NaiveDate,
    /// The transaction holding the units while pending.
    pub transaction_id: Option<String>,
}

impl BlockRun {
    fn same_kind(&self, other: &BlockRun) -> bool {
        self.unit_type == other.unit_type
            && self.status == other.status
            && self.project_id == other.project_id
            && self.vintage == other.vintage
            && self.method == other.method
            && self.kyoto_status == other.kyoto_status
            && self.state == other.state
            && self.issued_on == other.issued_on
            && self.transaction_id == other.transaction_id
    }

    /// Number of units.
    pub fn quantity(&self) -> u64 {
        self.serial_end - self.serial_start + 1
    }
}

impl std::fmt::Display for BlockRun {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} {}..={} {} ({}, {}",
            self.unit_type,
            self.serial_start,
            self.serial_end,
            self.status,
            self.project_id,
            self.vintage
        )?;
        if let Some(tx) = &self.transaction_id {
            write!(f, ", in {tx}")?;
        }
        f.write_str(")")
    }
}

/// Holdings as runs: sorted by unit type and serial, adjacent identical blocks merged.
pub fn normalize(blocks: &[UnitBlock]) -> Vec<BlockRun> {
    let mut runs: Vec<BlockRun> = blocks
        .iter()
        .map(|b| BlockRun {
            unit_type: b.unit_type.clone(),
            serial_start: b.serial_start,
            serial_end: b.serial_end,
            status: b.status,
            project_id: b.project_id.clone(),
            vintage: b.vintage.clone(),
            method: b.method.clone(),
            kyoto_status: b.kyoto_status,
            state: b.state.clone(),
            issued_on: b.issued_on,
            transaction_id: b.transaction_id.clone(),
        })
        .collect();
    runs.sort_by(|a, b| (&a.unit_type, a.serial_start).cmp(&(&b.unit_type, b.serial_start)));
    let mut merged: Vec<BlockRun> = Vec::with_capacity(runs.len());
    for run in runs {
        match merged.last_mut() {
            Some(last)
                if last.same_kind(&run)
                    && last.serial_end.checked_add(1) == Some(run.serial_start) =>
            {
                last.serial_end = run.serial_end;
            }
            _ => merged.push(run),
        }
    }
    merged
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
            project_id: "ERF990001".into(),
            vintage: vintage.into(),
            method: "m".into(),
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
