//! Integration tests of the mock registry over HTTP: one test binary, one module per concern.

mod flow;
mod garbage;
mod helpers;
mod http;
mod idempotency;
mod paging;
mod refusals;
mod transports;
