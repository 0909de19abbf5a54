//! The requirements catalogue: every normative rule of the contract, one sentence each, by ID.
//!
//! Each area of the API has its own file with a `REQUIREMENTS` table; [`all`] concatenates them.
//! `cargo xtask spec` emits the catalogue into `spec/openapi.json` as the top-level
//! `x-ucr-requirements` array and renders it into the descriptions a reader sees (see
//! [`emit`]). The conformance suite checks requirements by these IDs; an implementation is judged
//! only by what is written here and in the schemas.

pub mod emit;

pub mod access;
pub mod approval;
pub mod associations;
pub mod auth;
pub mod authorization;
pub mod cancellations;
pub mod consents;
pub mod conventions;
pub mod delegations;
pub mod escrows;
pub mod events;
pub mod idempotency;
pub mod oauth;
pub mod order;
pub mod paging;
pub mod problems;
pub mod rate_limits;
pub mod registers;
pub mod reservations;
pub mod sandbox;
pub mod scopes;
pub mod transfers;
pub mod units;
pub mod validation;
pub mod webhooks;

#[cfg(test)]
mod tests;

/// One normative rule of the contract.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Requirement {
    /// `REQ-<AREA>-<NNN>`: stable forever once published; a withdrawn ID is never reused.
    pub id: &'static str,
    /// One normative sentence in RFC 2119 style (MUST, MUST NOT, MAY).
    pub text: &'static str,
    /// The `operationId`s the rule governs, or `webhook:<event.type>` for an event the registry
    /// sends; empty when the rule applies to every operation (cross-cutting).
    pub operations: &'static [&'static str],
    /// Whether a client can observe compliance over the API.
    pub verification: Verification,
}

/// How a requirement can be verified from outside the implementation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verification {
    /// Observable over the API: the conformance suite can check it.
    Api,
    /// Not observable over the API; the reason says why (it binds the implementation all the same).
    Untestable(&'static str),
}

/// The area tables, in the order the catalogue lists them (one line per area file).
const AREAS: &[&[Requirement]] = &[
    conventions::REQUIREMENTS,
    problems::REQUIREMENTS,
    rate_limits::REQUIREMENTS,
    auth::REQUIREMENTS,
    order::REQUIREMENTS,
    validation::REQUIREMENTS,
    idempotency::REQUIREMENTS,
    paging::REQUIREMENTS,
    sandbox::REQUIREMENTS,
    oauth::REQUIREMENTS,
    authorization::REQUIREMENTS,
    webhooks::REQUIREMENTS,
    events::REQUIREMENTS,
    units::REQUIREMENTS,
    access::REQUIREMENTS,
    scopes::REQUIREMENTS,
    approval::REQUIREMENTS,
    transfers::REQUIREMENTS,
    cancellations::REQUIREMENTS,
    consents::REQUIREMENTS,
    delegations::REQUIREMENTS,
    reservations::REQUIREMENTS,
    escrows::REQUIREMENTS,
    associations::REQUIREMENTS,
    registers::REQUIREMENTS,
];

/// Every requirement of the contract, area by area.
pub fn all() -> Vec<&'static Requirement> {
    AREAS.iter().copied().flatten().collect()
}

/// The requirement with this ID, if the catalogue has one.
pub fn find(id: &str) -> Option<&'static Requirement> {
    all().into_iter().find(|r| r.id == id)
}
