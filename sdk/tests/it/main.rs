//! Integration tests of the SDK against the in-process mock registry.

mod helpers;
mod hooks;
mod problems;
mod retries;
mod streams;
