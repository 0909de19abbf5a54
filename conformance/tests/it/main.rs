//! Integration tests of the conformance suite: the whole suite against the in-process mock, proof
//! that checks fail against a misbehaving target (wiremock overrides, and every named fault of the
//! mock), the catalogue's shape, and the CLI.

mod catalogue;
mod citations;
mod cli;
mod configured;
mod expected;
mod faults;
mod helpers;
mod loopholes;
mod report_files;
mod strictness;
mod suite;
