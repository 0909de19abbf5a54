//! C.1: a third-party registry associates its certificates with ANREU units, then verifies all of
//! its associations and reports those whose unit has left the account.
//!
//! The registry authenticates with OAuth client credentials under an `association` consent. After
//! the holder sells one associated unit, the verification run finds that association
//! `transferred`: the registry should suspend the matching certificate.
//!
//! Run with `cargo run -p ucr-sdk --example association_verification` (against the in-process
//! mock), or set `UCR_BASE_URL` to use another registry's sandbox.

mod common;

use anyhow::{Context, bail};
use ucr_sdk::{PageStreamExt, types};

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let target = common::target().await?;
    let now = common::registry_now(&target).await?;
    let holder = common::holding_account(&target, "Wimmera Solar Farm Pty Ltd").await?;
    let buyer = common::holding_account(&target, "Coastal Utilities Ltd").await?;
    common::issue(
        &target,
        &holder.account_id,
        "ACCU",
        50,
        "ERF109900",
        "2024-25",
    )
    .await?;
    let registry = common::platform(
        &target,
        "Green Certificates Registry",
        types::PlatformKind::ThirdPartyRegistry,
    )
    .await?;
    holder
        .initiator
        .grant_consent()
        .account_id(&holder.account_id)
        .body(types::ConsentRequest {
            grantee_id: registry.platform_id.clone(),
            scopes: vec![types::ConsentScope::Association],
            expires_at: now + chrono::Duration::days(365),
            subset: None,
        })
        .send()
        .await
        .context("granting the association consent")?;
    println!(
        "holder {} consented to association by {}",
        holder.account_id, registry.platform_id
    );

    // The registry associates one certificate with each of the first three serials.
    let blocks = registry
        .client
        .list_holdings()
        .account_id(&holder.account_id)
        .stream()
        .collect_at_most(10_000)
        .await
        .context("reading the holdings to associate")?;
    let block = blocks.first().context("the account holds nothing")?;
    let mut associated = Vec::new();
    for (i, serial) in (block.serial_start..=block.serial_end).take(3).enumerate() {
        let association = registry
            .client
            .create_association()
            .body(types::AssociationRequest {
                account_id: holder.account_id.clone(),
                unit_type: block.unit_type.clone(),
                serial,
                certificate_id: format!("GCR-2025-{:05}", i + 1)
                    .parse()
                    .context("certificate ID")?,
            })
            .send()
            .await
            .with_context(|| format!("associating serial {serial}"))?;
        println!(
            "associated {} with {} serial {} ({})",
            association.certificate_id,
            association.unit_type,
            association.serial,
            association.association_id
        );
        associated.push(association.into_inner());
    }

    // The holder sells the unit behind the second certificate.
    let sold = associated[1].serial;
    let transfer = holder
        .initiator
        .initiate_transfer()
        .body(
            types::TransferRequest::builder()
                .from_account_id(&holder.account_id)
                .to_account_id(&buyer.account_id)
                .unit_type("ACCU")
                .serial_ranges(Some(vec![types::SerialRange {
                    serial_start: sold,
                    serial_end: sold,
                }])),
        )
        .send()
        .await
        .context("selling an associated unit")?;
    holder
        .approver
        .approve_transfer()
        .transfer_id(&transfer.transfer_id)
        .send()
        .await
        .context("approving the sale")?;
    println!(
        "holder sold serial {sold} to {} ({})",
        buyer.account_id, transfer.transfer_id
    );

    // The registry's verification run: every association it made, each read back.
    let mine = registry
        .client
        .list_associations()
        .stream()
        .collect_at_most(100_000)
        .await
        .context("listing the registry's associations")?;
    println!("\nverification of {} associations", mine.len());
    let mut transferred = Vec::new();
    for listed in &mine {
        let current = registry
            .client
            .get_association()
            .association_id(&listed.association_id)
            .send()
            .await
            .with_context(|| format!("verifying {}", listed.association_id))?;
        let verdict = match current.status {
            types::AssociationStatus::Active => "ok",
            types::AssociationStatus::Transferred => "SUSPEND CERTIFICATE: unit transferred",
            types::AssociationStatus::Cancelled => "RETIRE CERTIFICATE: unit cancelled",
            types::AssociationStatus::Dissolved => "dissolved",
        };
        println!(
            "  {} {} serial {:>10} {:<12} {verdict}",
            current.association_id,
            current.certificate_id,
            current.serial,
            current.status.to_string()
        );
        if current.status == types::AssociationStatus::Transferred {
            transferred.push(current.into_inner());
        }
    }
    match transferred.as_slice() {
        [one] if one.serial == sold => println!(
            "\n1 association needs attention: {} (serial {}) left account {}",
            one.certificate_id, one.serial, one.account_id
        ),
        other => bail!(
            "expected exactly the association of serial {sold} to be transferred, found {}",
            other.len()
        ),
    }
    Ok(())
}
