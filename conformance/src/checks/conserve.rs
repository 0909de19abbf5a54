//! Run-wide invariants, checked after every other check: units are conserved and serials never
//! overlap across every account the run created.

use std::collections::BTreeMap;

use futures::{StreamExt, TryStreamExt};
use ucr_sdk::types::{Role, UnitBlock};

use super::A1;
use crate::assert::merge_ranges;
use crate::check::Check;
use crate::ctx::Ctx;
use crate::outcome::Failure;

pub(super) const CHECKS: &[Check] = &[
    check! {
        id: "A1-CONSERVE-001",
        model: A1,
        seed: A1,
        operations: ["list_holdings"],
        description: "Per unit type, the units this run issued equal the units in all its accounts in any status, cancelled included",
        run: conservation,
        phase: AfterAll,
        cites: ["REQ-UNITS-005"],
    },
    check! {
        id: "A1-CONSERVE-002",
        model: A1,
        seed: A1,
        operations: ["list_holdings"],
        description: "Across all accounts of this run no two blocks share a serial, and the serials held are exactly those issued",
        run: disjoint_serials,
        phase: AfterAll,
        cites: ["REQ-UNITS-005"],
    },
];

/// The blocks of every account the run created, with the blocks the run issued.
async fn run_holdings(ctx: &Ctx) -> Result<(Vec<UnitBlock>, Vec<(String, UnitBlock)>), Failure> {
    let ledger = ctx.run_state().ledger();
    if ledger.issued.is_empty() {
        return Err(Failure::skipped(
            "this run issued no units (select checks that provision fixtures)",
        ));
    }
    let mut readers = Vec::with_capacity(ledger.accounts.len());
    for (account_id, token) in &ledger.accounts {
        let token = match token {
            Some(token) => token.clone(),
            None => ctx
                .appoint(account_id, &[Role::Approver])
                .await?
                .token()
                .to_owned(),
        };
        readers.push((account_id.clone(), token));
    }
    let held: Vec<Vec<(String, UnitBlock)>> = futures::stream::iter(readers)
        .map(|(account_id, token)| async move {
            let client = ctx.client_with_token(&token);
            let blocks = ctx.holdings(&client, &account_id).await?;
            Ok::<_, Failure>(
                blocks
                    .into_iter()
                    .map(|b| (account_id.clone(), b))
                    .collect(),
            )
        })
        .buffer_unordered(8)
        .try_collect()
        .await?;
    Ok((ledger.issued, held.into_iter().flatten().collect()))
}

async fn conservation(ctx: Ctx) -> Result<(), Failure> {
    let (issued, held) = run_holdings(&ctx).await?;
    let mut totals: BTreeMap<&str, (u64, u64)> = BTreeMap::new();
    for block in &issued {
        totals.entry(&block.unit_type).or_default().0 += block.quantity;
    }
    for (_, block) in &held {
        totals.entry(&block.unit_type).or_default().1 += block.quantity;
    }
    let broken: Vec<String> = totals
        .iter()
        .filter(|(_, (issued, held))| issued != held)
        .map(|(unit_type, (issued, held))| format!("{unit_type}: issued {issued}, held {held}"))
        .collect();
    if !broken.is_empty() {
        return Err(Failure::new(format!(
            "units are not conserved across the {} accounts this run created: {}",
            held.iter()
                .map(|(a, _)| a)
                .collect::<std::collections::BTreeSet<_>>()
                .len(),
            broken.join("; ")
        )));
    }
    Ok(())
}

async fn disjoint_serials(ctx: Ctx) -> Result<(), Failure> {
    let (issued, held) = run_holdings(&ctx).await?;
    let mut by_type: BTreeMap<&str, Vec<(u64, u64, &str, &str)>> = BTreeMap::new();
    for (account_id, block) in &held {
        by_type.entry(&block.unit_type).or_default().push((
            block.serial_start,
            block.serial_end,
            account_id.as_str(),
            block.block_id.as_str(),
        ));
    }
    let mut problems = Vec::new();
    for (unit_type, blocks) in &mut by_type {
        blocks.sort_unstable();
        for pair in blocks.windows(2) {
            let (a, b) = (pair[0], pair[1]);
            if b.0 <= a.1 {
                problems.push(format!(
                    "{unit_type} serials {}..={} are in block {} of {} and block {} of {}",
                    b.0,
                    a.1.min(b.1),
                    a.3,
                    a.2,
                    b.3,
                    b.2
                ));
            }
        }
        if let Some((start, end, account, block)) = blocks.iter().find(|(s, e, _, _)| s > e) {
            problems.push(format!(
                "{unit_type} block {block} of {account} ends ({end}) before it starts ({start})"
            ));
        }
    }
    let types: std::collections::BTreeSet<&str> = issued
        .iter()
        .map(|b| b.unit_type.as_str())
        .chain(held.iter().map(|(_, b)| b.unit_type.as_str()))
        .collect();
    for unit_type in types {
        let issued_ranges = merge_ranges(
            issued
                .iter()
                .filter(|b| b.unit_type == unit_type)
                .map(|b| (b.serial_start, b.serial_end)),
        );
        let held_ranges = merge_ranges(
            held.iter()
                .filter(|(_, b)| b.unit_type == unit_type)
                .map(|(_, b)| (b.serial_start, b.serial_end)),
        );
        if issued_ranges != held_ranges {
            problems.push(format!(
                "{unit_type}: the serials held ({} ranges) are not the serials issued ({} ranges): held {:?}, issued {:?}",
                held_ranges.len(),
                issued_ranges.len(),
                first_few(&held_ranges),
                first_few(&issued_ranges)
            ));
        }
    }
    if !problems.is_empty() {
        let shown: Vec<&String> = problems.iter().take(10).collect();
        return Err(Failure::new(format!(
            "{} serial problems, first {}: {shown:?}",
            problems.len(),
            shown.len()
        )));
    }
    Ok(())
}

fn first_few(ranges: &[(u64, u64)]) -> Vec<(u64, u64)> {
    ranges.iter().take(8).copied().collect()
}
