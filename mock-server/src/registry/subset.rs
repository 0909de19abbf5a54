//! What a platform's consents select of an account's units ("a set of holdings", B.1): the union
//! of the subsets of the consents that open a read, and the parts of blocks, history rows and
//! reservations that union selects.

use ucr_spec::model::{BlockStatus, SerialRange, UNIT_TYPES};
use ucr_spec::platforms::ConsentSubset;
use ucr_spec::problem::Problem;

use super::holdings::HeldBlock;
use super::validate::validation_failed;

/// The units a set of consents selects: the union of their subsets. No consent selects nothing;
/// a consent without a subset selects every unit.
#[derive(Debug, Clone, Default)]
pub(super) struct Lens {
    subsets: Vec<Option<ConsentSubset>>,
}

impl Lens {
    /// Every unit of the account (a representative, or a consent without a subset).
    pub(super) fn whole() -> Self {
        Lens {
            subsets: vec![None],
        }
    }

    /// Adds one consent's subset to the union.
    pub(super) fn add(&mut self, subset: Option<&ConsentSubset>) {
        self.subsets.push(subset.cloned());
    }

    /// Adds another union's subsets to this one.
    pub(super) fn extend(&mut self, other: &Lens) {
        self.subsets.extend(other.subsets.iter().cloned());
    }

    /// Whether the union selects every unit.
    pub(super) fn is_whole(&self) -> bool {
        self.subsets.iter().any(Option::is_none)
    }

    /// Whether the union selects nothing (no consent counted).
    pub(super) fn is_empty(&self) -> bool {
        self.subsets.is_empty()
    }

    /// The part of `range` (units of one type, project and vintage) the union selects: ascending,
    /// disjoint, coalesced.
    pub(super) fn select(
        &self,
        unit_type: &str,
        project_id: Option<&str>,
        vintage: &str,
        range: SerialRange,
    ) -> Vec<SerialRange> {
        let mut parts = Vec::new();
        for subset in &self.subsets {
            let Some(subset) = subset else {
                return vec![range];
            };
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
                return vec![range];
            }
            parts.extend(
                subset
                    .serial_ranges
                    .iter()
                    .filter_map(|r| intersect(*r, range)),
            );
        }
        union(parts)
    }

    /// The selected parts of a block, each a block of its own (`block_id` from its start).
    pub(super) fn cut<'a>(&self, block: HeldBlock<'a>) -> Vec<HeldBlock<'a>> {
        let range = SerialRange {
            serial_start: block.serial_start,
            serial_end: block.serial_end,
        };
        let parts = self.select(
            block.unit_type,
            block.attributes.project_id.as_deref(),
            &block.attributes.vintage,
            range,
        );
        if parts == [range] {
            return vec![block];
        }
        parts.into_iter().map(|part| block.part(part)).collect()
    }
}

/// Whether a block is reserved for one of `reservations` (the platform's active ones).
pub(super) fn reserved_for(block: &HeldBlock<'_>, mine: &[String]) -> bool {
    block.status == BlockStatus::Reserved
        && block.holder.is_some_and(|h| mine.iter().any(|m| m == h))
}

/// The overlap of two ranges, if any.
pub(super) fn intersect(a: SerialRange, b: SerialRange) -> Option<SerialRange> {
    let start = a.serial_start.max(b.serial_start);
    let end = a.serial_end.min(b.serial_end);
    (start <= end).then_some(SerialRange {
        serial_start: start,
        serial_end: end,
    })
}

/// Sorts ranges and merges those that overlap or touch.
pub(super) fn union(mut ranges: Vec<SerialRange>) -> Vec<SerialRange> {
    ranges.sort();
    let mut out: Vec<SerialRange> = Vec::new();
    for range in ranges {
        match out.last_mut() {
            Some(last) if last.serial_end.saturating_add(1) >= range.serial_start => {
                last.serial_end = last.serial_end.max(range.serial_end);
            }
            _ => out.push(range),
        }
    }
    out
}

/// `422 validation-failed` unless the subset narrows by something, names only known unit types
/// and has only well-formed serial ranges.
pub(super) fn validate(subset: &ConsentSubset) -> Result<(), Problem> {
    if subset.unit_types.is_empty()
        && subset.vintages.is_empty()
        && subset.project_ids.is_empty()
        && subset.serial_ranges.is_empty()
    {
        return Err(validation_failed(
            "/subset",
            "give at least one of unit_types, vintages, project_ids or serial_ranges, or leave subset out for the whole account",
        ));
    }
    if let Some(unknown) = subset
        .unit_types
        .iter()
        .find(|t| !UNIT_TYPES.contains(&t.as_str()))
    {
        return Err(validation_failed(
            "/subset/unit_types",
            format!(
                "unknown unit type {unknown}; known: {}",
                UNIT_TYPES.join(", ")
            ),
        ));
    }
    if let Some(i) = subset
        .serial_ranges
        .iter()
        .position(|r| r.serial_end < r.serial_start)
    {
        return Err(validation_failed(
            &format!("/subset/serial_ranges/{i}"),
            "serial_end must not be less than serial_start",
        ));
    }
    // REQ-VALIDATION-002: a serial above the schema's maximum (2^53 - 1) is a 422.
    if let Some(i) = subset
        .serial_ranges
        .iter()
        .position(|r| r.serial_end > ucr_spec::MAX_SAFE_INTEGER)
    {
        return Err(validation_failed(
            &format!("/subset/serial_ranges/{i}/serial_end"),
            format!(
                "a serial is at most {} (2^53 - 1)",
                ucr_spec::MAX_SAFE_INTEGER
            ),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::super::holdings::{TextCache, UnitAttributes};
    use super::*;

    fn range(serial_start: u64, serial_end: u64) -> SerialRange {
        SerialRange {
            serial_start,
            serial_end,
        }
    }

    #[test]
    fn a_serial_above_the_schema_maximum_is_refused() {
        let subset = |serial_end| ConsentSubset {
            serial_ranges: vec![range(1, serial_end)],
            ..ConsentSubset::default()
        };
        assert!(validate(&subset(ucr_spec::MAX_SAFE_INTEGER)).is_ok());
        let refused = validate(&subset(ucr_spec::MAX_SAFE_INTEGER + 1)).unwrap_err();
        assert_eq!(refused.status, 422);
    }

    #[test]
    fn a_union_of_subsets_selects_per_criterion_and_cuts_at_range_edges() {
        let mut lens = Lens::default();
        assert!(lens.is_empty());
        assert!(
            lens.select("ACCU", Some("ERF1"), "2021-22", range(1, 100))
                .is_empty()
        );
        lens.add(Some(&ConsentSubset {
            project_ids: vec!["ERF1".into()],
            serial_ranges: vec![range(11, 20), range(15, 30), range(90, 200)],
            ..ConsentSubset::default()
        }));
        lens.add(Some(&ConsentSubset {
            vintages: vec!["2019-20".into()],
            ..ConsentSubset::default()
        }));
        assert!(!lens.is_whole());
        // Project ERF1: the ranges clipped to the block, overlapping ranges merged.
        assert_eq!(
            lens.select("ACCU", Some("ERF1"), "2021-22", range(1, 100)),
            vec![range(11, 30), range(90, 100)]
        );
        // Another project of the selected vintage: whole; of another vintage: nothing.
        assert_eq!(
            lens.select("ACCU", Some("ERF2"), "2019-20", range(1, 100)),
            vec![range(1, 100)]
        );
        assert!(
            lens.select("ACCU", Some("ERF2"), "2021-22", range(1, 100))
                .is_empty()
        );
        lens.extend(&Lens::whole());
        assert!(lens.is_whole());
        assert_eq!(
            lens.select("SMC", None, "2024-25", range(5, 6)),
            vec![range(5, 6)]
        );
    }

    #[test]
    fn a_cut_block_keeps_its_attributes_with_its_own_id_and_quantity() {
        let mut lens = Lens::default();
        lens.add(Some(&ConsentSubset {
            serial_ranges: vec![range(105, 109)],
            ..ConsentSubset::default()
        }));
        let attributes = UnitAttributes {
            issuance_id: "ISS-000001".into(),
            project_id: Some("ERF1".into()),
            vintage: "2021-22".into(),
            method: Some("m".into()),
            facility_id: None,
            facility_name: None,
            issuance_year: None,
            kyoto_status: None,
            state: "NSW".into(),
            issued_on: chrono::NaiveDate::MIN,
            json: TextCache::default(),
        };
        let block = HeldBlock {
            unit_type: "ACCU",
            serial_start: 101,
            serial_end: 200,
            status: BlockStatus::Reserved,
            attributes: &attributes,
            holder: Some("RSV-000001"),
        };
        let parts: Vec<_> = lens.cut(block).iter().map(HeldBlock::unit_block).collect();
        assert_eq!(parts.len(), 1);
        assert_eq!(
            (
                parts[0].block_id.as_str(),
                parts[0].serial_start,
                parts[0].serial_end,
                parts[0].quantity
            ),
            ("ACCU-105", 105, 109, 5)
        );
        assert_eq!(
            (&parts[0].project_id, parts[0].status),
            (&block.attributes.project_id, block.status)
        );
        assert_eq!(Lens::whole().cut(block), vec![block]);
    }

    #[test]
    fn a_subset_that_narrows_nothing_or_is_malformed_is_refused() {
        assert!(validate(&ConsentSubset::default()).is_err());
        assert!(
            validate(&ConsentSubset {
                unit_types: vec!["XYZ".into()],
                ..ConsentSubset::default()
            })
            .is_err()
        );
        assert!(
            validate(&ConsentSubset {
                serial_ranges: vec![range(2, 1)],
                ..ConsentSubset::default()
            })
            .is_err()
        );
        assert!(
            validate(&ConsentSubset {
                unit_types: vec!["ACCU".into()],
                ..ConsentSubset::default()
            })
            .is_ok()
        );
    }
}
