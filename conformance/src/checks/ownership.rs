//! IDs in a request body must belong to the account the request acts on: a transfer quoting
//! another account's reservation is refused, whoever holds the units it names.

use ucr_sdk::ProblemKind;

use super::B4;
use super::support::{by_reservation, fleeting};
use crate::assert::{SdkResultExt, assert_unchanged};
use crate::check::Check;
use crate::ctx::{Attrs, Ctx};
use crate::outcome::Failure;

pub(super) const CHECKS: &[Check] = &[check! {
    id: "B4-OWNERSHIP-001",
    model: B4,
    seed: B4,
    operations: ["create_reservation", "initiate_transfer", "list_holdings"],
    description: "A transfer quoting another account's reservation_id is refused with 422 validation-failed; nothing changes",
    run: foreign_reservation_refused,
    cites: ["REQ-TRANSFER-007", "REQ-CONV-006"],
}];

async fn foreign_reservation_refused(ctx: Ctx) -> Result<(), Failure> {
    let f = fleeting(&ctx, 30).await?;
    let reservation = f.reserve(&ctx, 10).await?;
    let other = ctx.holder_with_one_rep().await?;
    ctx.issue(&other.account_id, 30, &Attrs::accu()).await?;
    let before = ctx.snapshot(&other.rep.client, &other.account_id).await?;
    other
        .rep
        .client
        .initiate_transfer()
        .body(by_reservation(
            &other.account_id,
            &f.custodial.account_id,
            &reservation.reservation_id,
        ))
        .send()
        .await
        .expect_problem(
            &format!(
                "initiate_transfer from {} quoting {}, a reservation of {}",
                other.account_id, reservation.reservation_id, f.seller.account_id
            ),
            422,
            ProblemKind::ValidationFailed,
        )?;
    let after = ctx.snapshot(&other.rep.client, &other.account_id).await?;
    assert_unchanged("the quoting account after the refusal", &before, &after)
}
