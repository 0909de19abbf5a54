//! Integration tests of the SDK against the in-process mock registry.

mod auth;
mod helpers;
mod hooks;
mod open_enums;
mod problems;
mod retries;
mod streams;
mod webhooks;
