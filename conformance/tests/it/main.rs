//! Integration tests of the conformance suite: the whole suite against the in-process mock, proof
//! that checks fail against a misbehaving target, the catalogue's shape, and the CLI.

mod catalogue;
mod cli;
mod helpers;
mod strictness;
mod suite;
