//! The single-resource reads: one model lookup, answered as JSON with `200`.

use http::StatusCode;

use super::call::Call;
use super::exchange::{ApiResponse, Refusal, json};

/// `get_account`.
pub(crate) fn account(c: &mut Call<'_>, id: &str) -> Result<ApiResponse, Refusal> {
    Ok(json(StatusCode::OK, &c.registry.account(c.who, id)?))
}

/// `get_transfer`.
pub(crate) fn transfer(c: &mut Call<'_>, id: &str) -> Result<ApiResponse, Refusal> {
    Ok(json(StatusCode::OK, &c.registry.transfer(c.who, id)?))
}

/// `get_cancellation`.
pub(crate) fn cancellation(c: &mut Call<'_>, id: &str) -> Result<ApiResponse, Refusal> {
    Ok(json(StatusCode::OK, &c.registry.cancellation(c.who, id)?))
}

/// `get_platform`.
pub(crate) fn platform(c: &mut Call<'_>, id: &str) -> Result<ApiResponse, Refusal> {
    Ok(json(StatusCode::OK, &c.registry.platform(id)?))
}

/// `get_consent`.
pub(crate) fn consent(c: &mut Call<'_>, id: &str) -> Result<ApiResponse, Refusal> {
    Ok(json(StatusCode::OK, &c.registry.consent(c.who, id)?))
}

/// `get_reservation`.
pub(crate) fn reservation(c: &mut Call<'_>, id: &str) -> Result<ApiResponse, Refusal> {
    Ok(json(StatusCode::OK, &c.registry.reservation(c.who, id)?))
}

/// `get_escrow`.
pub(crate) fn escrow(c: &mut Call<'_>, id: &str) -> Result<ApiResponse, Refusal> {
    Ok(json(StatusCode::OK, &c.registry.escrow(c.who, id)?))
}

/// `get_association`.
pub(crate) fn association(c: &mut Call<'_>, id: &str) -> Result<ApiResponse, Refusal> {
    Ok(json(StatusCode::OK, &c.registry.association(c.who, id)?))
}

/// `get_clock` (sandbox): the registry's time, after whatever became due.
pub(crate) fn clock(c: &mut Call<'_>) -> Result<ApiResponse, Refusal> {
    Ok(json(StatusCode::OK, &c.registry.clock()))
}
