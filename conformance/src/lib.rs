//! A conformance suite for implementations of the CER Unit and Certificate Registry (UCR)
//! interoperability API.
//!
//! The suite is data: every [`Check`] has a stable ID (`A1-TRANSFER-003`), the interoperability
//! [`Model`] and seed section it comes from, the operations it exercises and a one-line
//! description. One engine ([`run`]) runs a selection of them against a target over HTTP, through
//! the `ucr-sdk` client (and raw `reqwest` for requests the SDK cannot express), and produces a
//! [`Report`] that renders as human text, JSON, JUnit XML or a self-contained HTML page.
//!
//! What the target implements is declared as [`Capabilities`] (models and optional features);
//! checks needing anything undeclared are reported as skipped. A target without the sandbox API is
//! described by a [`Config`] file whose provisioned accounts replace fresh fixtures.
//!
//! Each check provisions its own fixture (holders, accounts, representatives, issuances, trading
//! platforms, third-party registries) through the sandbox API, so checks are independent and run
//! concurrently; the few that move the sandbox clock run alone afterwards (see [`Phase`]). Events
//! are received by the suite's own webhook receiver and verified independently
//! ([`receiver`]). Every HTTP exchange a check makes, and every webhook it receives, is kept as
//! evidence; a failing check carries the exchange that failed it.
//!
//! ```no_run
//! # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
//! let registry = ucr_mock::MockRegistry::start().await;
//! let checks = ucr_conformance::select(&ucr_conformance::registry(), "A1-AUTH-*")?;
//! let report = ucr_conformance::run(&registry.uri(), checks, &ucr_conformance::RunOptions::default()).await?;
//! assert!(report.summary.failed == 0);
//! # Ok(()) }
//! ```

#![deny(missing_docs)]

pub mod assert;
pub mod capability;
mod check;
mod checks;
pub mod cli;
pub mod config;
mod ctx;
mod engine;
mod evidence;
mod exchange_rules;
pub mod expected;
pub mod html;
mod model;
mod outcome;
pub mod profile;
pub mod receiver;
pub mod report;
mod snapshot;
mod text;

pub use capability::{Capabilities, Feature, Requirement};
pub use check::Check;
pub use checks::registry;
pub use config::Config;
pub use ctx::{Attrs, Ctx, Custodial, FourEyes, Party, Platform, RawRequest, RawResponse, Rep};
pub use engine::{
    CheckDone, DOCUMENTED_WEBHOOK_BACKOFF, RunOptions, SelectError, TargetError, glob_match, run,
    select,
};
pub use expected::ExpectedFailures;
pub use model::Model;
pub use outcome::{Failure, Phase};
pub use report::Report;
pub use snapshot::Snapshot;
