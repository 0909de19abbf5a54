//! The context an authenticated operation runs in: the locked registry, the caller, the request
//! and the deliberate bugs the router runs with.

use crate::faults::Faults;
use crate::registry::{Principal, Registry};

use super::exchange::{ApiRequest, ApiResponse, Refusal};

/// A handler of an authenticated operation, run with the registry locked. What it needs from the
/// request alone (a write's parsed body) it takes before the lock.
pub(crate) type Handler<'h> = Box<dyn FnOnce(&mut Call<'_>) -> Result<ApiResponse, Refusal> + 'h>;

/// One authenticated call, handed to an operation's handler.
pub(crate) struct Call<'a> {
    /// The registry, locked for the whole request.
    pub(crate) registry: &'a mut Registry,
    /// Who the bearer token authenticates as.
    pub(crate) who: &'a Principal,
    /// The request.
    pub(crate) request: ApiRequest<'a>,
    /// The router's deliberate bugs (see [`crate::faults`]).
    pub(crate) faults: Faults,
}

/// One authenticated read that changes nothing, run on the registry shared with other reads
/// (nothing was due to expire when it was taken, or what was has been expired).
pub(crate) struct Reading<'a> {
    /// The registry, shared for the whole request.
    pub(crate) registry: &'a Registry,
    /// Who the bearer token authenticates as.
    pub(crate) who: &'a Principal,
    /// The request.
    pub(crate) request: ApiRequest<'a>,
    /// The router's deliberate bugs (see [`crate::faults`]).
    pub(crate) faults: Faults,
}
