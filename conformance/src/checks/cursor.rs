//! Page cursors under concurrent writes: a walk of holdings during which a block already served
//! leaves the account still serves every block that stayed, exactly once (a cursor that names a
//! position instead of a key skips one).

use ucr_sdk::types::UnitBlock;

use super::READ;
use super::support::{approve, compare_walk, initiate};
use crate::assert::SdkResultExt;
use crate::check::Check;
use crate::ctx::{Attrs, Ctx, by_serials};
use crate::ensure;
use crate::outcome::Failure;

pub(super) const CHECKS: &[Check] = &[check! {
    id: "A1-CURSOR-001",
    model: A1,
    seed: READ,
    operations: ["list_holdings", "initiate_transfer", "approve_transfer"],
    description: "Walking holdings with limit=2 while the first block served is transferred away between pages serves every block that stayed exactly once, in order",
    run: walk_survives_a_removal,
    cites: ["REQ-PAGING-005"],
}];

/// Blocks issued: enough for three pages of two.
const BLOCKS: usize = 6;
/// Page size of the walk.
const LIMIT: u32 = 2;
/// Most pages the walk may take before the check gives up.
const MAX_PAGES: usize = 20;

fn key(b: &UnitBlock) -> String {
    format!("{}-{}..={}", b.unit_type, b.serial_start, b.serial_end)
}

async fn walk_survives_a_removal(ctx: Ctx) -> Result<(), Failure> {
    let party = ctx.holder_with_one_rep().await?;
    let dest = ctx.holder_with_one_rep().await?;
    for n in 0..BLOCKS {
        ctx.issue(&party.account_id, 5 + n as u64, &Attrs::distinct(n))
            .await?;
    }
    let client = &party.rep.client;
    let account_id = party.account_id.as_str();
    let first = client
        .list_holdings()
        .account_id(account_id)
        .limit(LIMIT)
        .send()
        .await
        .expect_ok("list_holdings with limit=2, page 1")?;
    ensure!(
        first.items.len() == LIMIT as usize && first.next_page.is_some(),
        "list_holdings with limit=2 of {BLOCKS} blocks: page 1 has {} items and next_page {:?}",
        first.items.len(),
        first.next_page
    );
    let gone = first.items[0].clone();
    let transfer = initiate(
        client,
        by_serials(
            account_id,
            &dest.account_id,
            &gone.unit_type,
            &[(gone.serial_start, gone.serial_end)],
        ),
        "initiate_transfer of the first block served, between pages",
    )
    .await?;
    approve(
        client,
        &transfer.transfer_id,
        "approve_transfer of the first block served (single representative)",
    )
    .await?;
    // What stayed in the account throughout the walk, read once the block has left.
    let stayed: Vec<String> = client
        .list_holdings()
        .account_id(account_id)
        .limit(200u32)
        .send()
        .await
        .expect_ok("list_holdings with limit=200 after the transfer")?
        .items
        .iter()
        .map(key)
        .collect();
    ensure!(
        stayed.len() == BLOCKS - 1 && !stayed.contains(&key(&gone)),
        "after transferring block {} away, the account holds {stayed:?} (expected the other {} blocks)",
        key(&gone),
        BLOCKS - 1
    );
    let mut walked: Vec<String> = first.items[1..].iter().map(key).collect();
    let mut token = first.next_page;
    let mut page_number = 1;
    while let Some(next) = token.take() {
        page_number += 1;
        ensure!(
            page_number <= MAX_PAGES,
            "list_holdings with limit=2: still a next_page after {MAX_PAGES} pages"
        );
        let page = client
            .list_holdings()
            .account_id(account_id)
            .limit(LIMIT)
            .page_token(next)
            .send()
            .await
            .expect_ok(&format!("list_holdings with limit=2, page {page_number}"))?;
        walked.extend(page.items.iter().map(key));
        token = page.next_page;
    }
    compare_walk(
        &format!(
            "list_holdings with limit=2 while {} left after page 1 (the blocks that stayed)",
            key(&gone)
        ),
        &stayed,
        &walked,
    )
}
