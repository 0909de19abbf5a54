//! An account's state as a client sees it ([`Snapshot`]): holdings as runs of serials with block
//! boundaries normalised away, and the transaction history.

use ucr_sdk::types::{BlockStatus, KyotoStatus, Transaction, UnitBlock};

/// An account's state as a client sees it: holdings (merged into runs of serials, so that block
/// boundaries an implementation may merge do not matter) and the full transaction history.
#[derive(Debug, Clone, PartialEq)]
pub struct Snapshot {
    /// The account.
    pub account_id: String,
    /// Normalised holdings.
    pub holdings: Vec<BlockRun>,
    /// Every transaction, in the list's order.
    pub history: Vec<Transaction>,
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
    /// Project (ACCUs).
    pub project_id: Option<String>,
    /// Vintage.
    pub vintage: String,
    /// Method (ACCUs).
    pub method: Option<String>,
    /// Safeguard facility (SMCs).
    pub facility_id: Option<String>,
    /// Safeguard facility name (SMCs).
    pub facility_name: Option<String>,
    /// Year of issue (SMCs).
    pub issuance_year: Option<u16>,
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
            && self.facility_id == other.facility_id
            && self.facility_name == other.facility_name
            && self.issuance_year == other.issuance_year
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
            self.project_id
                .as_deref()
                .or(self.facility_id.as_deref())
                .unwrap_or("-"),
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
            facility_id: b.facility_id.clone(),
            facility_name: b.facility_name.clone(),
            issuance_year: b.issuance_year,
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
