//! Request builders for transfers and cancellations, by quantity or by serial ranges.

use super::*;

pub(super) fn parse<T: std::str::FromStr>(value: &str, what: &str) -> Result<T, Failure>
where
    T::Err: std::fmt::Display,
{
    value
        .parse()
        .map_err(|e| Failure::new(format!("fixture: invalid {what} {value:?}: {e}")))
}

/// A transfer request choosing units by quantity.
pub fn by_quantity(from: &str, to: &str, unit_type: &str, quantity: u64) -> TransferRequest {
    TransferRequest {
        from_account_id: from.to_owned(),
        to_account_id: to.to_owned(),
        unit_type: unit_type.to_owned(),
        quantity: NonZeroU64::new(quantity),
        serial_ranges: None,
        vintage: None,
        project_id: None,
        reference: None,
        reservation_id: None,
    }
}

/// A transfer request choosing units by serial ranges.
pub fn by_serials(from: &str, to: &str, unit_type: &str, ranges: &[(u64, u64)]) -> TransferRequest {
    TransferRequest {
        from_account_id: from.to_owned(),
        to_account_id: to.to_owned(),
        unit_type: unit_type.to_owned(),
        quantity: None,
        serial_ranges: Some(
            ranges
                .iter()
                .map(|&(s, e)| SerialRange {
                    serial_start: s,
                    serial_end: e,
                })
                .collect(),
        ),
        vintage: None,
        project_id: None,
        reference: None,
        reservation_id: None,
    }
}

/// A cancellation request choosing units by quantity.
pub fn cancel_quantity(account: &str, unit_type: &str, quantity: u64) -> CancellationRequest {
    CancellationRequest {
        account_id: account.to_owned(),
        unit_type: unit_type.to_owned(),
        quantity: NonZeroU64::new(quantity),
        serial_ranges: None,
        vintage: None,
        project_id: None,
        reason: None,
    }
}

/// A cancellation request choosing units by serial ranges.
pub fn cancel_serials(
    account: &str,
    unit_type: &str,
    ranges: &[(u64, u64)],
) -> CancellationRequest {
    CancellationRequest {
        account_id: account.to_owned(),
        unit_type: unit_type.to_owned(),
        quantity: None,
        serial_ranges: Some(
            ranges
                .iter()
                .map(|&(s, e)| SerialRange {
                    serial_start: s,
                    serial_end: e,
                })
                .collect(),
        ),
        vintage: None,
        project_id: None,
        reason: None,
    }
}
