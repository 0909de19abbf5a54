//! The checks, by area. Each module lists its checks as data with the [`check!`] macro; [`all`]
//! concatenates them in report order.

use crate::check::Check;

/// Declares a [`Check`]: `check! { id, model, seed, operations, description, run[, phase][,
/// requires][, cites] }`. `requires: [Webhooks, SandboxClock]` names the optional [features] the
/// check needs; without it they are derived from its operations and phase
/// ([`Check::requirements`]). `cites: ["REQ-PAGING-001", ...]` names the contract requirements the
/// check verifies (every check must cite at least one; the catalogue test enforces it).
///
/// [features]: crate::capability::Feature
macro_rules! check {
    (
        id: $id:literal,
        model: $model:ident,
        seed: $seed:expr,
        operations: [$($op:literal),* $(,)?],
        description: $description:literal,
        run: $run:path
        $(, phase: $phase:ident)?
        $(, requires: [$($feature:ident),* $(,)?])?
        $(, cites: [$($cite:literal),* $(,)?])?
        $(,)?
    ) => {
        $crate::check::Check {
            id: $id,
            model: $crate::model::Model::$model,
            seed: $seed,
            operations: &[$($op),*],
            description: $description,
            phase: check!(@phase $($phase)?),
            requires: check!(@requires $([$($feature),*])?),
            cites: &[$($($cite),*)?],
            run: |ctx| ::std::boxed::Box::pin($run(ctx)),
        }
    };
    (@phase) => { $crate::outcome::Phase::Main };
    (@phase $phase:ident) => { $crate::outcome::Phase::$phase };
    (@requires) => { ::std::option::Option::None };
    (@requires [$($feature:ident),*]) => {
        ::std::option::Option::Some(&[$($crate::capability::Feature::$feature),*])
    };
}

mod access;
mod accounts;
mod approval;
mod assoc;
mod auth;
mod authz;
mod cancel;
mod consent;
mod conserve;
mod cursor;
mod custody;
mod delegate;
mod escrow;
mod event;
mod history;
mod holdings;
mod idempotency;
mod input;
mod lifetime;
mod matrix;
mod oauth;
mod order;
mod ownership;
mod paging;
mod problem;
mod race;
mod redelivery;
mod register;
mod reserve;
mod reset;
mod scope;
mod serials;
mod support;
mod time;
mod transfer;
mod units;
mod webhook;

/// Seed section: read access to an ANREU account.
const READ: &str = "Types of APIs: read access to an ANREU account";
/// Seed section: write access to an ANREU account.
const WRITE: &str = "Types of APIs: write access to an ANREU account";
/// Seed section: read access to the CER public registers.
const REGISTERS: &str = "Types of APIs: read access to CER public registers";
/// Seed section: the A.1 model itself (an AR acting on its own account only).
const A1: &str = "Class A, A.1: read and write API from own account";
/// Seed section: B.1, a platform's view-only access by consent (Figure 2).
const B1: &str = "Class B, B.1: API connectivity for information only from third-party platforms";
/// Seed section: Class B's consent requirement and Table 1's permissions in the seller account.
const CONSENT: &str =
    "Class B: holders consent to platforms viewing holdings (Table 1: permissions)";
/// Seed section: B.2, the platform's representative appointed to the seller's account (Figure 3).
const B2: &str = "Class B, B.2: account delegation model";
/// Seed section: B.3, units held in the platform's custodial account (Figure 4).
const B3: &str = "Class B, B.3: full custody model";
/// Seed section: B.4, reservations and the interim custodial account (Figure 5).
const B4: &str = "Class B, B.4: fleeting custody model";
/// Seed section: B.4's notification of the platform when units are unreserved.
const B4_NOTIFY: &str =
    "Class B, B.4: the platform is notified when units are unreserved and halts the trade";
/// Seed section: B.5, units in escrow under the platform's control (Figure 6).
const B5: &str = "Class B, B.5: escrow model";
/// Seed section: C.1, 1:1 associations with third-party certificates (Figure 7).
const C1: &str = "Class C, C.1: associating units with third-party certificates";

/// Every check of the suite, in report order: model by model (a stable sort, so each model keeps
/// the order below), since some modules (the access matrix) hold checks of several models.
pub fn registry() -> Vec<Check> {
    let mut all = [
        accounts::CHECKS,
        holdings::CHECKS,
        units::CHECKS,
        history::CHECKS,
        paging::CHECKS,
        cursor::CHECKS,
        transfer::CHECKS,
        approval::CHECKS,
        cancel::CHECKS,
        input::CHECKS,
        problem::CHECKS,
        auth::CHECKS,
        access::CHECKS,
        order::CHECKS,
        idempotency::CHECKS,
        register::CHECKS,
        conserve::CHECKS,
        consent::CHECKS,
        oauth::CHECKS,
        delegate::CHECKS,
        custody::CHECKS,
        reserve::CHECKS,
        webhook::CHECKS,
        escrow::CHECKS,
        assoc::CHECKS,
        matrix::CHECKS,
        race::CHECKS,
        scope::CHECKS,
        event::CHECKS,
        lifetime::CHECKS,
        serials::CHECKS,
        ownership::CHECKS,
        redelivery::CHECKS,
        time::CHECKS,
        reset::CHECKS,
        authz::CHECKS,
    ]
    .concat();
    all.sort_by_key(|c| c.model);
    all
}
