//! The client's reading of consent subsets (REQ-SCOPE-013/014): which serials a union of subsets
//! selects, so a check can compute what a platform should see from what a representative sees.

use ucr_sdk::types::{BlockStatus, ConsentSubset, UnitBlock};

use crate::assert::merge_ranges;

/// The serials of `range` (units of one type, project and vintage) that any of `subsets` selects,
/// merged.
pub(in crate::checks) fn selected(
    subsets: &[&ConsentSubset],
    unit_type: &str,
    project_id: Option<&str>,
    vintage: &str,
    range: (u64, u64),
) -> Vec<(u64, u64)> {
    let mut parts = Vec::new();
    for subset in subsets {
        let matches = (subset.unit_types.is_empty()
            || subset.unit_types.iter().any(|t| t == unit_type))
            && (subset.vintages.is_empty() || subset.vintages.iter().any(|v| v == vintage))
            && (subset.project_ids.is_empty()
                || subset
                    .project_ids
                    .iter()
                    .any(|p| Some(p.as_str()) == project_id));
        if !matches {
            continue;
        }
        if subset.serial_ranges.is_empty() {
            parts.push(range);
            continue;
        }
        for r in &subset.serial_ranges {
            let (start, end) = (r.serial_start.max(range.0), r.serial_end.min(range.1));
            if start <= end {
                parts.push((start, end));
            }
        }
    }
    merge_ranges(parts)
}

/// The parts of `blocks` the subsets select, as `(status, start, end)` merged per status, unit
/// type `unit_type` only.
pub(in crate::checks) fn selected_blocks(
    subsets: &[&ConsentSubset],
    blocks: &[UnitBlock],
    unit_type: &str,
) -> Vec<(BlockStatus, Vec<(u64, u64)>)> {
    by_status(
        blocks
            .iter()
            .filter(|b| b.unit_type == unit_type)
            .flat_map(|b| {
                selected(
                    subsets,
                    &b.unit_type,
                    b.project_id.as_deref(),
                    &b.vintage,
                    (b.serial_start, b.serial_end),
                )
                .into_iter()
                .map(move |r| (b.status, r))
            }),
    )
}

/// Serials grouped by status (in a fixed order), each group merged; empty groups left out.
pub(in crate::checks) fn by_status(
    parts: impl IntoIterator<Item = (BlockStatus, (u64, u64))>,
) -> Vec<(BlockStatus, Vec<(u64, u64)>)> {
    let parts: Vec<(BlockStatus, (u64, u64))> = parts.into_iter().collect();
    [
        BlockStatus::Available,
        BlockStatus::Pending,
        BlockStatus::Reserved,
        BlockStatus::Escrowed,
        BlockStatus::Cancelled,
    ]
    .into_iter()
    .filter_map(|status| {
        let ranges = merge_ranges(parts.iter().filter(|(s, _)| *s == status).map(|(_, r)| *r));
        (!ranges.is_empty()).then_some((status, ranges))
    })
    .collect()
}

/// The number of serials in merged ranges.
pub(in crate::checks) fn count(ranges: &[(u64, u64)]) -> u64 {
    ranges.iter().map(|(s, e)| e - s + 1).sum()
}
