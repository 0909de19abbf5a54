#![doc = include_str!("../README.md")]
#![deny(missing_docs)]

mod auth;
pub mod authorization;
pub mod events;
#[allow(missing_docs, unused_imports, clippy::all, clippy::pedantic)]
#[rustfmt::skip]
mod generated;
mod hooks;
mod paging;
mod problem;
#[allow(missing_docs, clippy::all)]
#[rustfmt::skip]
mod problem_kinds;
mod retry;
mod secret;
pub mod webhooks;

pub use generated::{Client, ClientInfo, Error, ResponseValue, builder, types};
pub use hooks::{
    ClientBuilder, ClientState, Exchange, ExchangeObserver, IDEMPOTENCY_KEY, REDACTED_FIELDS,
};
pub use paging::{CollectAtMost, CollectError, PageStreamExt};
pub use problem::{ApiError, ProblemExt};
pub use problem_kinds::ProblemKind;
pub use retry::RetryPolicy;

impl Client {
    /// Starts configuring a client for the registry at `base_url` (scheme, host, port; no `/v1`).
    pub fn builder(base_url: impl Into<String>) -> ClientBuilder {
        ClientBuilder::new(base_url)
    }
}
