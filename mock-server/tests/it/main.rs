//! Integration tests of the mock registry over HTTP: one test binary, one module per concern.

mod associations;
mod authorization;
mod consents;
mod delegations;
mod escrows;
mod examples;
mod faults;
mod flow;
mod garbage;
mod helpers;
mod http;
mod idempotency;
mod locations;
mod oauth;
mod paging;
mod rate_limits;
mod refusals;
mod reservations;
mod transports;
mod webhooks;
