//! The unit blocks of one account: non-overlapping serial ranges that split and merge as units move.

use std::collections::BTreeMap;
use std::ops::Bound;
use std::sync::{Arc, OnceLock};

use chrono::NaiveDate;
use ucr_spec::ProblemType;
use ucr_spec::model::{Balance, BlockStatus, KyotoStatus, SerialRange, UnitBlock};
use ucr_spec::problem::Problem;

use crate::faults::{Fault, Faults};

/// What every unit of one issuance shares. Blocks split from one issuance share one `Arc`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct UnitAttributes {
    /// The issuance that created the units; blocks of different issuances are never merged.
    pub issuance_id: String,
    /// ACCUs only.
    pub project_id: Option<String>,
    pub vintage: String,
    /// ACCUs only.
    pub method: Option<String>,
    /// SMCs only: the Safeguard facility and the year of issue.
    pub facility_id: Option<String>,
    pub facility_name: Option<String>,
    pub issuance_year: Option<u16>,
    pub kyoto_status: Option<KyotoStatus>,
    pub state: String,
    pub issued_on: NaiveDate,
    /// These attributes as they appear in a block's JSON, written by the router the first time a
    /// page shows them (they never change, so neither does their JSON).
    pub json: TextCache,
}

/// Text derived once from the value that holds it; not part of that value (it compares equal to
/// any other cache and clones empty).
#[derive(Debug, Default)]
pub(crate) struct TextCache(OnceLock<Box<str>>);

impl TextCache {
    /// The text, written by `write` the first time it is asked for.
    pub(crate) fn get_or_init(&self, write: impl FnOnce() -> String) -> &str {
        self.0.get_or_init(|| write().into_boxed_str())
    }
}

impl Clone for TextCache {
    fn clone(&self) -> Self {
        TextCache::default()
    }
}

impl PartialEq for TextCache {
    fn eq(&self, _: &Self) -> bool {
        true
    }
}

impl Eq for TextCache {}

/// A block as a read shows it, borrowed from the registry (nothing is copied or counted: a page
/// of them is written while the registry is read). [`HeldBlock::unit_block`] is its wire form.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct HeldBlock<'a> {
    pub unit_type: &'a str,
    pub serial_start: u64,
    pub serial_end: u64,
    pub status: BlockStatus,
    pub attributes: &'a UnitAttributes,
    /// What holds the units (transaction, reservation or escrow), whatever the status.
    pub holder: Option<&'a str>,
}

impl<'a> HeldBlock<'a> {
    /// The transaction holding the units, shown while they are `pending`.
    pub fn transaction_id(&self) -> Option<&'a str> {
        (self.status == BlockStatus::Pending)
            .then_some(self.holder)
            .flatten()
    }

    /// The part `range` of this block (a block of its own, keyed by its start).
    pub fn part(&self, range: SerialRange) -> HeldBlock<'a> {
        HeldBlock {
            serial_start: range.serial_start,
            serial_end: range.serial_end,
            ..*self
        }
    }

    /// The wire form.
    pub fn unit_block(&self) -> UnitBlock {
        let attributes = self.attributes;
        UnitBlock {
            block_id: format!("{}-{}", self.unit_type, self.serial_start),
            unit_type: self.unit_type.to_owned(),
            serial_start: self.serial_start,
            serial_end: self.serial_end,
            quantity: self.serial_end - self.serial_start + 1,
            status: self.status,
            project_id: attributes.project_id.clone(),
            vintage: attributes.vintage.clone(),
            method: attributes.method.clone(),
            facility_id: attributes.facility_id.clone(),
            facility_name: attributes.facility_name.clone(),
            issuance_year: attributes.issuance_year,
            kyoto_status: attributes.kyoto_status,
            state: attributes.state.clone(),
            issued_on: attributes.issued_on,
            transaction_id: self.transaction_id().map(str::to_owned),
        }
    }
}

/// A block as stored: its key `(unit_type, serial_start)` lives in the map.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Block {
    serial_end: u64,
    status: BlockStatus,
    attributes: Arc<UnitAttributes>,
    /// What holds the units: the transaction while `pending`, the reservation while `reserved`,
    /// the escrow while `escrowed`; `None` otherwise. Blocks of different holders never merge, so
    /// every locked block belongs to exactly one holder. Only a transaction is shown on the wire.
    holder: Option<String>,
}

impl Block {
    /// Whether `next`, starting right after this block, can be merged into it.
    fn merges_with(&self, next: &Block) -> bool {
        self.status == next.status
            && self.holder == next.holder
            && (Arc::ptr_eq(&self.attributes, &next.attributes)
                || self.attributes == next.attributes)
    }
}

/// How a request chooses units: exact serials, or a quantity the registry picks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum UnitSelection {
    /// These ranges exactly: ascending and disjoint.
    Serials(Vec<SerialRange>),
    /// The lowest available serials matching the filters.
    Quantity {
        quantity: u64,
        vintage: Option<String>,
        project_id: Option<String>,
    },
}

/// The blocks of one account, keyed by `(unit_type, serial_start)`.
#[derive(Debug, Clone, Default)]
pub(crate) struct Holdings {
    blocks: BTreeMap<(String, u64), Block>,
    /// The registry's deliberate bugs (see [`crate::faults`]).
    faults: Faults,
}

impl Holdings {
    /// No blocks, in a registry running with `faults`.
    pub fn new(faults: Faults) -> Self {
        Holdings {
            blocks: BTreeMap::new(),
            faults,
        }
    }

    /// Switches the registry's deliberate bugs on these holdings.
    pub(crate) fn set_faults(&mut self, faults: Faults) {
        self.faults = faults;
    }

    /// Adds units that are new to this account as one `available` block.
    ///
    /// The caller guarantees the range is held by no account (fresh serials or serials just taken
    /// from another account).
    pub fn receive(
        &mut self,
        unit_type: &str,
        range: SerialRange,
        attributes: Arc<UnitAttributes>,
    ) {
        self.blocks.insert(
            (unit_type.to_owned(), range.serial_start),
            Block {
                serial_end: range.serial_end,
                status: BlockStatus::Available,
                attributes,
                holder: None,
            },
        );
        self.merge_adjacent(unit_type, range);
    }

    /// `available` blocks of one unit type, built in one pass without looking for neighbours to
    /// merge: for a state whose blocks are known to be separate (the synthetic registry). The
    /// caller guarantees the ranges are disjoint, held by no other account, and that no two of
    /// them are adjacent with the same attributes.
    pub fn from_unmerged(
        unit_type: &str,
        blocks: impl IntoIterator<Item = (SerialRange, Arc<UnitAttributes>)>,
    ) -> Self {
        Holdings {
            blocks: blocks
                .into_iter()
                .map(|(range, attributes)| {
                    let block = Block {
                        serial_end: range.serial_end,
                        status: BlockStatus::Available,
                        attributes,
                        holder: None,
                    };
                    ((unit_type.to_owned(), range.serial_start), block)
                })
                .collect(),
            faults: Faults::NONE,
        }
    }

    /// Blocks whose status and holder satisfy `keep`, ordered by unit type then `serial_start`.
    pub fn blocks_where<'a>(
        &'a self,
        keep: impl Fn(BlockStatus, Option<&str>) -> bool + 'a,
    ) -> impl Iterator<Item = UnitBlock> + 'a {
        self.blocks_after(None, keep)
            .map(|block| block.unit_block())
    }

    /// Like [`Holdings::blocks_where`], but only the blocks whose key `(unit_type, serial_start)`
    /// follows `after`: a page is found from its cursor by a range lookup, and only the blocks
    /// the caller consumes are visited and built.
    pub fn blocks_after<'a>(
        &'a self,
        after: Option<&(String, u64)>,
        keep: impl Fn(BlockStatus, Option<&str>) -> bool + 'a,
    ) -> impl Iterator<Item = HeldBlock<'a>> + 'a {
        let lower = match after {
            Some(after) => Bound::Excluded(after.clone()),
            None => Bound::Unbounded,
        };
        self.blocks
            .range((lower, Bound::Unbounded))
            .filter(move |(_, block)| keep(block.status, block.holder.as_deref()))
            .map(|((unit_type, start), block)| held_block(unit_type, *start, block))
    }

    /// The number of blocks held.
    #[cfg(test)]
    pub fn len(&self) -> usize {
        self.blocks.len()
    }

    /// The status of one serial, if this account holds it.
    pub fn status_of(&self, unit_type: &str, serial: u64) -> Option<BlockStatus> {
        self.blocks
            .range((unit_type.to_owned(), 0)..=(unit_type.to_owned(), serial))
            .next_back()
            .filter(|((t, _), block)| t == unit_type && block.serial_end >= serial)
            .map(|(_, block)| block.status)
    }

    /// `(unit_type, range, status, holder)` of every block, for invariant checks.
    pub fn ranges(
        &self,
    ) -> impl Iterator<Item = (&str, SerialRange, BlockStatus, Option<&str>)> + '_ {
        self.blocks.iter().map(|((unit_type, start), block)| {
            let range = SerialRange {
                serial_start: *start,
                serial_end: block.serial_end,
            };
            (
                unit_type.as_str(),
                range,
                block.status,
                block.holder.as_deref(),
            )
        })
    }

    /// Totals per unit type present, by status, ordered by unit type.
    pub fn balances(&self) -> Vec<Balance> {
        let mut balances: Vec<Balance> = Vec::new();
        for ((unit_type, start), block) in &self.blocks {
            if balances.last().is_none_or(|b| b.unit_type != *unit_type) {
                balances.push(Balance {
                    unit_type: unit_type.clone(),
                    ..Balance::default()
                });
            }
            let Some(balance) = balances.last_mut() else {
                continue;
            };
            let quantity = block.serial_end - start + 1;
            let slot = match block.status {
                BlockStatus::Available => &mut balance.available,
                BlockStatus::Pending => &mut balance.pending,
                BlockStatus::Reserved => &mut balance.reserved,
                BlockStatus::Escrowed => &mut balance.escrowed,
                BlockStatus::Cancelled => &mut balance.cancelled,
            };
            *slot += quantity;
        }
        balances
    }

    /// Resolves a selection to the serial ranges it takes (ascending, coalesced), or the problem
    /// that refuses it. Changes nothing.
    pub fn select(
        &self,
        account_id: &str,
        unit_type: &str,
        selection: &UnitSelection,
    ) -> Result<Vec<SerialRange>, Problem> {
        match selection {
            UnitSelection::Serials(ranges) => {
                self.check_serials(account_id, unit_type, ranges)?;
                Ok(coalesce(ranges.iter().copied()))
            }
            UnitSelection::Quantity {
                quantity,
                vintage,
                project_id,
            } => {
                let matches = |block: &Block| {
                    block.status == BlockStatus::Available
                        && vintage
                            .as_ref()
                            .is_none_or(|v| *v == block.attributes.vintage)
                        && project_id
                            .as_ref()
                            .is_none_or(|p| block.attributes.project_id.as_ref() == Some(p))
                };
                let mut remaining = *quantity;
                let mut picks = Vec::new();
                for (start, block) in self.of_type(unit_type) {
                    if remaining == 0 {
                        break;
                    }
                    if !matches(block) {
                        continue;
                    }
                    let take = remaining.min(block.serial_end - start + 1);
                    picks.push(SerialRange {
                        serial_start: start,
                        serial_end: start + take - 1,
                    });
                    remaining -= take;
                }
                // FAULT(overdraw): a shortfall is not refused when anything at all was picked.
                let overdraw = self.faults.has(Fault::Overdraw) && !picks.is_empty();
                if remaining > 0 && !overdraw {
                    let held: u64 = self
                        .of_type(unit_type)
                        .filter(|(_, block)| matches(block))
                        .map(|(start, block)| block.serial_end - start + 1)
                        .sum();
                    let mut filters = String::new();
                    if let Some(v) = vintage {
                        filters.push_str(&format!(" of vintage {v}"));
                    }
                    if let Some(p) = project_id {
                        filters.push_str(&format!(" from project {p}"));
                    }
                    return Err(ProblemType::InsufficientUnits.problem(format!(
                        "account {account_id} holds {held} available {unit_type} units{filters}; {quantity} were requested. \
                         Request fewer units, relax the vintage/project filters, or wait for pending transactions to settle"
                    )));
                }
                Ok(coalesce(picks))
            }
        }
    }

    /// Sets the status (and holder) of exactly `range`, splitting blocks at its ends.
    ///
    /// The caller has checked that `range` is covered by blocks of this account.
    pub fn set_status(
        &mut self,
        unit_type: &str,
        range: SerialRange,
        status: BlockStatus,
        holder: Option<&str>,
    ) {
        if range.serial_start > range.serial_end {
            return;
        }
        self.split_at(unit_type, range.serial_start);
        if let Some(after) = range.serial_end.checked_add(1) {
            self.split_at(unit_type, after);
        }
        let bounds =
            (unit_type.to_owned(), range.serial_start)..=(unit_type.to_owned(), range.serial_end);
        for block in self.blocks.range_mut(bounds).map(|(_, block)| block) {
            block.status = status;
            block.holder = holder.map(str::to_owned);
        }
        self.merge_adjacent(unit_type, range);
    }

    /// Removes exactly `range` from the account, returning its pieces with their attributes.
    pub fn take(
        &mut self,
        unit_type: &str,
        range: SerialRange,
    ) -> Vec<(SerialRange, Arc<UnitAttributes>)> {
        if range.serial_start > range.serial_end {
            return Vec::new();
        }
        self.split_at(unit_type, range.serial_start);
        if let Some(after) = range.serial_end.checked_add(1) {
            self.split_at(unit_type, after);
        }
        let bounds =
            (unit_type.to_owned(), range.serial_start)..=(unit_type.to_owned(), range.serial_end);
        let keys: Vec<(String, u64)> = self
            .blocks
            .range(bounds)
            .map(|(key, _)| key.clone())
            .collect();
        let mut pieces = Vec::with_capacity(keys.len());
        for key in keys {
            if let Some(block) = self.blocks.remove(&key) {
                pieces.push((
                    SerialRange {
                        serial_start: key.1,
                        serial_end: block.serial_end,
                    },
                    block.attributes,
                ));
            }
        }
        pieces
    }

    /// The blocks of one unit type as `(serial_start, block)`, ascending.
    fn of_type<'a>(&'a self, unit_type: &str) -> impl Iterator<Item = (u64, &'a Block)> + 'a {
        self.blocks
            .range((unit_type.to_owned(), 0)..=(unit_type.to_owned(), u64::MAX))
            .map(|((_, start), block)| (*start, block))
    }

    /// Blocks of `unit_type` that share at least one serial with `range`, ascending.
    fn overlapping<'a>(
        &'a self,
        unit_type: &str,
        range: SerialRange,
    ) -> impl Iterator<Item = (u64, &'a Block)> + 'a {
        let (low, high) = (range.serial_start, range.serial_end.max(range.serial_start));
        let first = self
            .blocks
            .range(..=(unit_type.to_owned(), low))
            .next_back()
            .filter(|((t, _), block)| t == unit_type && block.serial_end >= low)
            .map_or(low, |((_, start), _)| *start);
        self.blocks
            .range((unit_type.to_owned(), first)..=(unit_type.to_owned(), high))
            .map(|((_, start), block)| (*start, block))
    }

    /// Refuses serials this account does not hold (`units-not-held`) before serials it holds in
    /// another status than `available` (`units-locked`).
    fn check_serials(
        &self,
        account_id: &str,
        unit_type: &str,
        ranges: &[SerialRange],
    ) -> Result<(), Problem> {
        let mut not_held: Option<SerialRange> = None;
        let mut locked: Option<(SerialRange, BlockStatus)> = None;
        for range in ranges {
            let mut next = Some(range.serial_start);
            for (start, block) in self.overlapping(unit_type, *range) {
                let Some(expected) = next else { break };
                if start > expected && not_held.is_none() {
                    not_held = Some(SerialRange {
                        serial_start: expected,
                        serial_end: start - 1,
                    });
                }
                // FAULT(reserved-units-transferable, escrowed-units-transferable): the lock check
                // forgets a status.
                let forgotten = (block.status == BlockStatus::Reserved
                    && self.faults.has(Fault::ReservedUnitsTransferable))
                    || (block.status == BlockStatus::Escrowed
                        && self.faults.has(Fault::EscrowedUnitsTransferable));
                if block.status != BlockStatus::Available && !forgotten && locked.is_none() {
                    let overlap = SerialRange {
                        serial_start: start.max(range.serial_start),
                        serial_end: block.serial_end.min(range.serial_end),
                    };
                    locked = Some((overlap, block.status));
                }
                next = block
                    .serial_end
                    .checked_add(1)
                    .filter(|n| *n <= range.serial_end);
            }
            if let Some(expected) = next
                && not_held.is_none()
            {
                not_held = Some(SerialRange {
                    serial_start: expected,
                    serial_end: range.serial_end,
                });
            }
        }
        if let Some(gap) = not_held {
            return Err(ProblemType::UnitsNotHeld.problem(format!(
                "account {account_id} does not hold {unit_type} serials {}; list its holdings to see which serials it holds",
                describe(gap)
            )));
        }
        if let Some((range, status)) = locked {
            let status = match status {
                BlockStatus::Available => "available",
                BlockStatus::Pending => "pending in another transaction",
                BlockStatus::Reserved => "reserved",
                BlockStatus::Escrowed => "escrowed",
                BlockStatus::Cancelled => "cancelled",
            };
            return Err(ProblemType::UnitsLocked.problem(format!(
                "{unit_type} serials {} in account {account_id} are {status}, not available; \
                 choose available serials, or wait until the transaction holding them is decided",
                describe(range)
            )));
        }
        Ok(())
    }

    /// Makes `serial` the first serial of a block if it falls inside one.
    fn split_at(&mut self, unit_type: &str, serial: u64) {
        let Some(((_, start), block)) = self
            .blocks
            .range_mut((unit_type.to_owned(), 0)..=(unit_type.to_owned(), serial))
            .next_back()
        else {
            return;
        };
        if *start < serial && serial <= block.serial_end {
            let right = Block {
                serial_end: block.serial_end,
                ..block.clone()
            };
            block.serial_end = serial - 1;
            if self.faults.has(Fault::SerialsOverlapAfterSplit) {
                // FAULT(serials-overlap-after-split): off by one, the left half keeps `serial`.
                block.serial_end = serial;
            }
            self.blocks.insert((unit_type.to_owned(), serial), right);
        }
    }

    /// Merges adjacent blocks of `unit_type` with identical attributes, status and holder, around
    /// `range`: the blocks in it and their neighbours on either side. Blocks elsewhere were merged
    /// by the operation that last changed them, so a write costs the blocks it touches, not every
    /// block of the account.
    fn merge_adjacent(&mut self, unit_type: &str, range: SerialRange) {
        let first = self
            .blocks
            .range(..(unit_type.to_owned(), range.serial_start))
            .next_back()
            .filter(|((t, _), _)| t == unit_type)
            .map_or(range.serial_start, |((_, start), _)| *start);
        let last = range.serial_end.saturating_add(1);
        let keys: Vec<u64> = self
            .blocks
            .range((unit_type.to_owned(), first)..=(unit_type.to_owned(), last))
            .map(|((_, start), _)| *start)
            .collect();
        let mut current: Option<u64> = None;
        for start in keys {
            let key = (unit_type.to_owned(), start);
            let mergeable = current.and_then(|head| {
                let head_block = self.blocks.get(&(unit_type.to_owned(), head))?;
                let block = self.blocks.get(&key)?;
                (head_block.serial_end.checked_add(1) == Some(start)
                    && head_block.merges_with(block))
                .then_some((head, block.serial_end))
            });
            match mergeable {
                Some((head, end)) => {
                    self.blocks.remove(&key);
                    if let Some(head_block) = self.blocks.get_mut(&(unit_type.to_owned(), head)) {
                        head_block.serial_end = end;
                    }
                }
                None => current = Some(start),
            }
        }
    }
}

/// A stored block as a read shows it.
fn held_block<'a>(unit_type: &'a str, serial_start: u64, block: &'a Block) -> HeldBlock<'a> {
    HeldBlock {
        unit_type,
        serial_start,
        serial_end: block.serial_end,
        status: block.status,
        attributes: &block.attributes,
        holder: block.holder.as_deref(),
    }
}

/// Joins ascending ranges that touch (`a.serial_end + 1 == b.serial_start`).
pub(crate) fn coalesce(ranges: impl IntoIterator<Item = SerialRange>) -> Vec<SerialRange> {
    let mut out: Vec<SerialRange> = Vec::new();
    for range in ranges {
        match out.last_mut() {
            Some(last) if last.serial_end.checked_add(1) == Some(range.serial_start) => {
                last.serial_end = range.serial_end;
            }
            _ => out.push(range),
        }
    }
    out
}

/// `3000001–3000100` or `3000001` for a single serial.
pub(crate) fn describe(range: SerialRange) -> String {
    if range.serial_start == range.serial_end {
        range.serial_start.to_string()
    } else {
        format!("{}–{}", range.serial_start, range.serial_end)
    }
}
