//! A.1's serial ranges as a request names them: a reversed range or two overlapping ranges are
//! refused, never read some other way.

use ucr_sdk::ProblemKind;

use super::WRITE;
use super::support::funded;
use crate::assert::{SdkResultExt, assert_unchanged};
use crate::check::Check;
use crate::ctx::{Ctx, by_serials};
use crate::outcome::Failure;

pub(super) const CHECKS: &[Check] = &[
    check! {
        id: "A1-SERIALS-001",
        model: A1,
        seed: WRITE,
        operations: ["initiate_transfer", "list_holdings"],
        description: "A serial range with serial_end below serial_start is refused with 422 validation-failed; nothing changes",
        run: reversed_range_refused,
        cites: ["REQ-VALIDATION-007", "REQ-CONV-006"],
    },
    check! {
        id: "A1-SERIALS-002",
        model: A1,
        seed: WRITE,
        operations: ["initiate_transfer", "list_holdings"],
        description: "Two overlapping serial ranges are refused with 422 validation-failed; nothing changes",
        run: overlapping_ranges_refused,
        cites: ["REQ-VALIDATION-007", "REQ-CONV-006"],
    },
];

/// Sends a transfer naming `ranges` of the funded block and requires `422 validation-failed` and
/// an unchanged source account.
async fn refused(
    ctx: &Ctx,
    ranges: impl Fn(u64) -> Vec<(u64, u64)>,
    what: &str,
) -> Result<(), Failure> {
    let f = funded(ctx, 50).await?;
    let ranges = ranges(f.block.serial_start);
    let before = ctx
        .snapshot(&f.source.initiator.client, &f.source.account_id)
        .await?;
    f.source
        .initiator
        .client
        .initiate_transfer()
        .body(by_serials(
            &f.source.account_id,
            &f.dest.account_id,
            "ACCU",
            &ranges,
        ))
        .send()
        .await
        .expect_problem(
            &format!("initiate_transfer of {what} {ranges:?}"),
            422,
            ProblemKind::ValidationFailed,
        )?;
    let after = ctx
        .snapshot(&f.source.initiator.client, &f.source.account_id)
        .await?;
    assert_unchanged(
        &format!("the source account after the refused {what}"),
        &before,
        &after,
    )
}

async fn reversed_range_refused(ctx: Ctx) -> Result<(), Failure> {
    refused(&ctx, |s| vec![(s + 9, s)], "the reversed range").await
}

async fn overlapping_ranges_refused(ctx: Ctx) -> Result<(), Failure> {
    refused(
        &ctx,
        |s| vec![(s, s + 9), (s + 5, s + 14)],
        "the overlapping ranges",
    )
    .await
}
