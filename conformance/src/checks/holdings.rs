//! Read access: holdings as unit blocks, with their attributes and filters.

use futures::TryStreamExt;
use ucr_sdk::types::{BlockStatus, KyotoStatus, UnitBlock};

use super::READ;
use super::support::{approve_cancellation, initiate, initiate_cancellation};
use crate::assert::{ensure_eq, merge_ranges};
use crate::check::Check;
use crate::ctx::{Attrs, Ctx, FourEyes, by_serials, cancel_quantity};
use crate::ensure;
use crate::outcome::Failure;
use crate::snapshot::{BlockRun, normalize};

pub(super) const CHECKS: &[Check] = &[
    check! {
        id: "A1-HOLDINGS-001",
        model: A1,
        seed: READ,
        operations: ["list_holdings"],
        description: "Issued blocks appear in holdings with their serials, quantity, status and every attribute",
        run: issued_blocks_with_attributes,
        cites: ["REQ-UNITS-001", "REQ-UNITS-002", "REQ-UNITS-003", "REQ-UNITS-004", "REQ-UNITS-007"],
    },
    check! {
        id: "A1-HOLDINGS-002",
        model: A1,
        seed: READ,
        operations: ["list_holdings"],
        description: "The unit_type filter returns exactly the blocks of that unit type",
        run: filter_unit_type,
        cites: ["REQ-UNITS-002", "REQ-UNITS-007", "REQ-PAGING-005"],
    },
    check! {
        id: "A1-HOLDINGS-003",
        model: A1,
        seed: READ,
        operations: ["list_holdings"],
        description: "The status filter returns exactly the available, pending or cancelled blocks",
        run: filter_status,
        cites: ["REQ-UNITS-002", "REQ-UNITS-007", "REQ-PAGING-005"],
    },
    check! {
        id: "A1-HOLDINGS-004",
        model: A1,
        seed: READ,
        operations: ["list_holdings"],
        description: "The vintage filter returns exactly the blocks of that vintage",
        run: filter_vintage,
        cites: ["REQ-UNITS-002", "REQ-UNITS-007", "REQ-PAGING-005", "REQ-PAGING-010"],
    },
    check! {
        id: "A1-HOLDINGS-005",
        model: A1,
        seed: READ,
        operations: ["list_holdings"],
        description: "The project_id filter returns exactly the blocks of that project, and filters combine with AND",
        run: filter_project,
        cites: ["REQ-UNITS-002", "REQ-UNITS-007", "REQ-PAGING-005"],
    },
];

async fn issued_blocks_with_attributes(ctx: Ctx) -> Result<(), Failure> {
    let party = ctx.holder_with_one_rep().await?;
    let accu = Attrs::accu()
        .vintage("2021-22")
        .project("ERF990123")
        .state("QLD");
    let mut accu_kyoto = Attrs::accu().vintage("2014-15").project("ERF990124");
    accu_kyoto.kyoto_status = Some(KyotoStatus::Kyoto);
    let smc = Attrs::smc();
    let mut issued = Vec::new();
    for (quantity, attrs) in [(120, &accu), (35, &accu_kyoto), (40, &smc)] {
        let block = ctx.issue(&party.account_id, quantity, attrs).await?;
        check_attributes("the issuance's answer", &block, attrs)?;
        issued.push(block);
    }

    let holdings = ctx.holdings(&party.rep.client, &party.account_id).await?;
    // REQ-UNITS-002: an implementation may split a block, so each issuance is found as the blocks
    // covering its serials, each carrying the issuance's attributes.
    ensure_eq(
        "list_holdings: units held (the issued units, nothing else)",
        issued.iter().map(|b| b.quantity).sum::<u64>(),
        holdings.iter().map(|b| b.quantity).sum::<u64>(),
    )?;
    for (block, attrs) in issued.iter().zip([&accu, &accu_kyoto, &smc]) {
        let held: Vec<&UnitBlock> = holdings
            .iter()
            .filter(|h| {
                h.unit_type == block.unit_type
                    && h.serial_start <= block.serial_end
                    && block.serial_start <= h.serial_end
            })
            .collect();
        ensure_eq(
            &format!(
                "list_holdings: serials of the {} blocks covering issuance {}..={}",
                block.unit_type, block.serial_start, block.serial_end
            ),
            vec![(block.serial_start, block.serial_end)],
            merge_ranges(held.iter().map(|h| (h.serial_start, h.serial_end))),
        )?;
        for held in held {
            let what = format!("list_holdings: block {}", held.block_id);
            ensure_eq(
                &format!("{what}: issued_on"),
                block.issued_on,
                held.issued_on,
            )?;
            check_attributes(&what, held, attrs)?;
        }
    }
    Ok(())
}

fn check_attributes(what: &str, block: &UnitBlock, attrs: &Attrs) -> Result<(), Failure> {
    ensure_eq(
        &format!("{what}: block_id (`<unit_type>-<serial_start>`)"),
        format!("{}-{}", block.unit_type, block.serial_start),
        block.block_id.clone(),
    )?;
    ensure_eq(
        &format!("{what}: quantity = serial_end - serial_start + 1"),
        block
            .serial_end
            .wrapping_sub(block.serial_start)
            .wrapping_add(1),
        block.quantity,
    )?;
    ensure_eq(
        &format!("{what}: status"),
        BlockStatus::Available,
        block.status,
    )?;
    ensure_eq(
        &format!("{what}: (unit_type, project_id, vintage, method, kyoto_status, state)"),
        (
            attrs.unit_type.as_str(),
            attrs.project_id.as_deref(),
            attrs.vintage.as_str(),
            attrs.method.as_deref(),
            attrs.kyoto_status,
            attrs.state.as_str(),
        ),
        (
            block.unit_type.as_str(),
            block.project_id.as_deref(),
            block.vintage.as_str(),
            block.method.as_deref(),
            block.kyoto_status,
            block.state.as_str(),
        ),
    )?;
    ensure!(
        block.transaction_id.is_none(),
        "{what}: an available block carries transaction_id {:?}",
        block.transaction_id
    );
    Ok(())
}

/// An account with ACCUs of two vintages and projects, SMCs, a pending transfer and a completed
/// cancellation; returns the fixture and its unfiltered holdings.
async fn varied_account(ctx: &Ctx) -> Result<(FourEyes, Vec<UnitBlock>), Failure> {
    let fixture = ctx.holder_with_two_reps().await?;
    let dest = ctx.holder_with_one_rep().await?;
    let account_id = fixture.account_id.as_str();
    let old = ctx
        .issue(
            account_id,
            30,
            &Attrs::accu().vintage("2019-20").project("ERF990201"),
        )
        .await?;
    let new = ctx
        .issue(
            account_id,
            40,
            &Attrs::accu().vintage("2022-23").project("ERF990202"),
        )
        .await?;
    ctx.issue(account_id, 20, &Attrs::smc()).await?;
    let start = new.serial_start + 5;
    initiate(
        &fixture.initiator.client,
        by_serials(account_id, &dest.account_id, "ACCU", &[(start, start + 9)]),
        "initiating a transfer of 10 ACCU by serial",
    )
    .await?;
    let mut cancel = cancel_quantity(account_id, "ACCU", 10);
    cancel.vintage = Some(old.vintage.clone());
    let cancellation = initiate_cancellation(
        &fixture.initiator.client,
        cancel,
        "initiating a cancellation",
    )
    .await?;
    approve_cancellation(
        &fixture.approver.client,
        &cancellation.cancellation_id,
        "approving the cancellation",
    )
    .await?;
    let all = ctx.holdings(&fixture.initiator.client, account_id).await?;
    Ok((fixture, all))
}

/// Runs the holdings list with one filter and compares it with the unfiltered list restricted:
/// the same units with the same attributes and status (block boundaries aside, REQ-UNITS-002),
/// listed in the documented order (unit type, then `serial_start`).
async fn compare_filtered(
    what: &str,
    all: &[UnitBlock],
    keep: impl Fn(&UnitBlock) -> bool,
    filtered: Result<Vec<UnitBlock>, ucr_sdk::ApiError>,
) -> Result<(), Failure> {
    let filtered =
        filtered.map_err(|e| Failure::from(e).context(format!("list_holdings with {what}")))?;
    let expected: Vec<UnitBlock> = all.iter().filter(|b| keep(b)).cloned().collect();
    ensure!(
        !expected.is_empty(),
        "fixture: no block matches {what}; the check cannot tell anything"
    );
    ensure!(
        filtered
            .windows(2)
            .all(|w| (&w[0].unit_type, w[0].serial_start) < (&w[1].unit_type, w[1].serial_start)),
        "list_holdings with {what}: blocks are not ordered by unit type, then serial_start"
    );
    let (expected, got) = (normalize(&expected), normalize(&filtered));
    if expected != got {
        let runs = |runs: &[BlockRun]| {
            runs.iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join(", ")
        };
        return Err(Failure::new(format!(
            "list_holdings with {what}: expected exactly the units [{}] (the unfiltered list restricted), got [{}]",
            runs(&expected),
            runs(&got)
        )));
    }
    Ok(())
}

async fn filter_unit_type(ctx: Ctx) -> Result<(), Failure> {
    let (fixture, all) = varied_account(&ctx).await?;
    let client = &fixture.initiator.client;
    for unit_type in ["ACCU", "SMC"] {
        let filtered = client
            .list_holdings()
            .account_id(&fixture.account_id)
            .unit_type(unit_type)
            .stream()
            .try_collect()
            .await;
        compare_filtered(
            &format!("unit_type={unit_type}"),
            &all,
            |b| b.unit_type == unit_type,
            filtered,
        )
        .await?;
    }
    Ok(())
}

async fn filter_status(ctx: Ctx) -> Result<(), Failure> {
    let (fixture, all) = varied_account(&ctx).await?;
    let client = &fixture.initiator.client;
    for status in [
        BlockStatus::Available,
        BlockStatus::Pending,
        BlockStatus::Cancelled,
    ] {
        let filtered = client
            .list_holdings()
            .account_id(&fixture.account_id)
            .status(status)
            .stream()
            .try_collect()
            .await;
        compare_filtered(
            &format!("status={status}"),
            &all,
            |b| b.status == status,
            filtered,
        )
        .await?;
    }
    let reserved: Vec<UnitBlock> = client
        .list_holdings()
        .account_id(&fixture.account_id)
        .status(BlockStatus::Reserved)
        .stream()
        .try_collect()
        .await
        .map_err(|e| Failure::from(e).context("list_holdings with status=reserved"))?;
    ensure!(
        reserved.is_empty(),
        "list_holdings with status=reserved: expected no block, got {}",
        reserved.len()
    );
    Ok(())
}

async fn filter_vintage(ctx: Ctx) -> Result<(), Failure> {
    let (fixture, all) = varied_account(&ctx).await?;
    let client = &fixture.initiator.client;
    for vintage in ["2019-20", "2022-23", "2024-25"] {
        let filtered = client
            .list_holdings()
            .account_id(&fixture.account_id)
            .vintage(vintage)
            .stream()
            .try_collect()
            .await;
        compare_filtered(
            &format!("vintage={vintage}"),
            &all,
            |b| b.vintage == vintage,
            filtered,
        )
        .await?;
    }
    let none: Vec<UnitBlock> = client
        .list_holdings()
        .account_id(&fixture.account_id)
        .vintage("2001-02")
        .stream()
        .try_collect()
        .await
        .map_err(|e| Failure::from(e).context("list_holdings with vintage=2001-02"))?;
    ensure!(
        none.is_empty(),
        "list_holdings with vintage=2001-02 (none held): expected no block, got {}",
        none.len()
    );
    Ok(())
}

async fn filter_project(ctx: Ctx) -> Result<(), Failure> {
    let (fixture, all) = varied_account(&ctx).await?;
    let client = &fixture.initiator.client;
    for project in ["ERF990201", "ERF990202"] {
        let filtered = client
            .list_holdings()
            .account_id(&fixture.account_id)
            .project_id(project)
            .stream()
            .try_collect()
            .await;
        compare_filtered(
            &format!("project_id={project}"),
            &all,
            |b| b.project_id.as_deref() == Some(project),
            filtered,
        )
        .await?;
    }
    let combined = client
        .list_holdings()
        .account_id(&fixture.account_id)
        .project_id("ERF990202")
        .status(BlockStatus::Pending)
        .stream()
        .try_collect()
        .await;
    compare_filtered(
        "project_id=ERF990202 and status=pending",
        &all,
        |b| b.project_id.as_deref() == Some("ERF990202") && b.status == BlockStatus::Pending,
        combined,
    )
    .await?;
    Ok(())
}
