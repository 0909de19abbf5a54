//! The checks, by area. Each module lists its checks as data with the [`check!`] macro; [`all`]
//! concatenates them in report order.

use crate::check::Check;

/// Declares a [`Check`]: `check! { id, model, seed, operations, description, run[, phase] }`.
macro_rules! check {
    (
        id: $id:literal,
        model: $model:ident,
        seed: $seed:expr,
        operations: [$($op:literal),* $(,)?],
        description: $description:literal,
        run: $run:path
        $(, phase: $phase:ident)?
        $(,)?
    ) => {
        $crate::check::Check {
            id: $id,
            model: $crate::check::Model::$model,
            seed: $seed,
            operations: &[$($op),*],
            description: $description,
            phase: check!(@phase $($phase)?),
            run: |ctx| ::std::boxed::Box::pin($run(ctx)),
        }
    };
    (@phase) => { $crate::check::Phase::Main };
    (@phase $phase:ident) => { $crate::check::Phase::$phase };
}

mod access;
mod accounts;
mod auth;
mod cancellations;
mod conservation;
mod four_eyes;
mod history;
mod holdings;
mod idempotency;
mod input;
mod paging;
mod problems;
mod registers;
mod support;
mod transfers;

/// Seed section: read access to an ANREU account.
const READ: &str = "Types of APIs: read access to an ANREU account";
/// Seed section: write access to an ANREU account.
const WRITE: &str = "Types of APIs: write access to an ANREU account";
/// Seed section: read access to the CER public registers.
const REGISTERS: &str = "Types of APIs: read access to CER public registers";
/// Seed section: the A.1 model itself (an AR acting on its own account only).
const A1: &str = "Class A, A.1: read and write API from own account";

/// Every check, in report order.
pub(crate) fn all() -> Vec<Check> {
    [
        accounts::CHECKS,
        holdings::CHECKS,
        history::CHECKS,
        paging::CHECKS,
        transfers::CHECKS,
        four_eyes::CHECKS,
        cancellations::CHECKS,
        input::CHECKS,
        problems::CHECKS,
        auth::CHECKS,
        access::CHECKS,
        idempotency::CHECKS,
        registers::CHECKS,
        conservation::CHECKS,
    ]
    .concat()
}
