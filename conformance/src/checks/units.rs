//! Unit checks (`*-UNITS-*`): units carry the attributes of what they are, ACCUs those of a project
//! under a method, SMCs those of a Safeguard facility, and an issuance mixing them is refused.

use std::num::NonZeroU64;

use ucr_sdk::ProblemKind;
use ucr_sdk::types::{IssuanceRequest, UnitBlock};

use super::READ;
use crate::assert::{SdkResultExt, ensure_eq};
use crate::check::Check;
use crate::ctx::{Attrs, Ctx};
use crate::ensure;
use crate::outcome::Failure;

pub(super) const CHECKS: &[Check] = &[check! {
    id: "A1-UNITS-001",
    model: A1,
    seed: READ,
    operations: ["issue_units", "list_holdings"],
    description: "ACCU blocks carry project_id and method and no facility attributes; SMC blocks carry facility_id, facility_name and issuance_year and no project attributes; facility_id filters holdings; an issuance mixing them is 422",
    run: units_shaped_by_type,
    cites: ["REQ-UNITS-013"],
}];

/// The attributes a block carries, by group: (project_id, method), (facility_id, facility_name,
/// issuance_year).
type Groups<'a> = (
    (Option<&'a str>, Option<&'a str>),
    (Option<&'a str>, Option<&'a str>, Option<u16>),
);

fn groups(block: &UnitBlock) -> Groups<'_> {
    (
        (block.project_id.as_deref(), block.method.as_deref()),
        (
            block.facility_id.as_deref(),
            block.facility_name.as_deref(),
            block.issuance_year,
        ),
    )
}

fn expected(attrs: &Attrs) -> Groups<'_> {
    (
        (attrs.project_id.as_deref(), attrs.method.as_deref()),
        (
            attrs.facility_id.as_deref(),
            attrs.facility_name.as_deref(),
            attrs.issuance_year,
        ),
    )
}

async fn units_shaped_by_type(ctx: Ctx) -> Result<(), Failure> {
    let holder = ctx.holder_with_one_rep().await?;
    let (accu, smc) = (Attrs::accu(), Attrs::smc());
    ensure!(
        accu.facility_id.is_none() && smc.project_id.is_none() && smc.method.is_none(),
        "suite bug: the fixtures' ACCU and SMC attributes overlap"
    );
    ctx.issue(&holder.account_id, 12, &accu).await?;
    ctx.issue(&holder.account_id, 7, &smc).await?;
    let blocks = ctx.holdings(&holder.rep.client, &holder.account_id).await?;
    for (unit_type, attrs) in [("ACCU", &accu), ("SMC", &smc)] {
        let block = blocks
            .iter()
            .find(|b| b.unit_type == unit_type)
            .ok_or_else(|| Failure::new(format!("list_holdings: no {unit_type} block")))?;
        ensure_eq(
            &format!(
                "list_holdings: the {unit_type} block's ((project_id, method), (facility_id, facility_name, issuance_year))"
            ),
            expected(attrs),
            groups(block),
        )?;
    }
    ensure!(
        blocks
            .iter()
            .filter(|b| b.unit_type == "SMC")
            .all(|b| b.kyoto_status.is_none()),
        "list_holdings: an SMC block carries a kyoto_status"
    );
    let facility = smc.facility_id.clone().unwrap_or_default();
    let by_facility = holder
        .rep
        .client
        .list_holdings()
        .account_id(&holder.account_id)
        .facility_id(&facility)
        .send()
        .await
        .expect_ok(&format!("list_holdings facility_id={facility}"))?
        .items;
    ensure_eq(
        &format!("list_holdings facility_id={facility}: (unit_type, quantity) of the blocks"),
        vec![("SMC".to_owned(), 7)],
        by_facility
            .iter()
            .map(|b| (b.unit_type.clone(), b.quantity))
            .collect::<Vec<_>>(),
    )?;

    let operator = ctx.operator("issue units")?;
    let request = |attrs: &Attrs| IssuanceRequest {
        account_id: holder.account_id.clone(),
        unit_type: attrs.unit_type.clone(),
        quantity: NonZeroU64::MIN,
        project_id: attrs.project_id.clone(),
        vintage: attrs.vintage.clone(),
        method: attrs.method.clone(),
        facility_id: attrs.facility_id.clone(),
        facility_name: attrs.facility_name.clone(),
        issuance_year: attrs.issuance_year.map(u64::from),
        kyoto_status: None,
        state: attrs.state.clone(),
        issued_on: None,
    };
    let refused = [
        (
            "SMCs with a project_id and method",
            IssuanceRequest {
                project_id: accu.project_id.clone(),
                method: accu.method.clone(),
                ..request(&smc)
            },
        ),
        (
            "ACCUs with a facility_id, facility_name and issuance_year",
            IssuanceRequest {
                facility_id: smc.facility_id.clone(),
                facility_name: smc.facility_name.clone(),
                issuance_year: smc.issuance_year.map(u64::from),
                ..request(&accu)
            },
        ),
        (
            "SMCs without a facility_id",
            IssuanceRequest {
                facility_id: None,
                ..request(&smc)
            },
        ),
        (
            "ACCUs without a method",
            IssuanceRequest {
                method: None,
                ..request(&accu)
            },
        ),
    ];
    for (what, body) in refused {
        operator
            .issue_units()
            .body(body)
            .send()
            .await
            .expect_problem(
                &format!("issue_units of {what}"),
                422,
                ProblemKind::ValidationFailed,
            )
            .map_err(|f| f.violates("REQ-UNITS-013"))?;
    }
    Ok(())
}
