//! B.2: the holder appoints a trading platform's representative as an authorised representative
//! of its account (a delegation): the delegate acts with its roles, counts for four eyes, and
//! loses every access to the account when the delegation is revoked.

use futures::TryStreamExt;
use ucr_sdk::ProblemKind;
use ucr_sdk::types::{Delegation, DelegationRequest, DelegationStatus, Role, TransactionStatus};

use super::B2;
use super::support::{Market, account_ids, approve, expect_status, get_transfer, initiate, market};
use crate::assert::{SdkResultExt, assert_unchanged, ensure_eq, expect_problem_of, total};
use crate::check::Check;
use crate::ctx::{Attrs, Ctx, Rep, by_quantity};
use crate::ensure;
use crate::outcome::Failure;

pub(super) const CHECKS: &[Check] = &[
    check! {
        id: "B2-DELEGATE-001",
        model: B2,
        seed: B2,
        operations: ["appoint_delegate", "list_delegations", "get_account", "list_accounts", "initiate_transfer", "approve_transfer"],
        description: "An approver appoints a platform representative; it is listed among the account's representatives and initiates a transfer the seller approves",
        run: delegate_initiates,
        cites: ["REQ-DELEGATION-004", "REQ-DELEGATION-005", "REQ-DELEGATION-007", "REQ-ACCESS-002"],
    },
    check! {
        id: "B2-DELEGATE-002",
        model: B2,
        seed: B2,
        operations: ["appoint_delegate", "approve_transfer"],
        description: "A delegate with the approver role approves the seller's transfer, but not its own (403 second-approver-required)",
        run: delegate_approves,
        cites: ["REQ-DELEGATION-004", "REQ-APPROVAL-002", "REQ-APPROVAL-004"],
    },
    check! {
        id: "B2-DELEGATE-003",
        model: B2,
        seed: B2,
        operations: ["appoint_delegate", "approve_transfer"],
        description: "A delegate counts for four eyes: a formerly single-representative account can no longer self-approve (403 second-approver-required)",
        run: delegate_counts_for_four_eyes,
        cites: ["REQ-DELEGATION-004", "REQ-APPROVAL-004", "REQ-APPROVAL-006"],
    },
    check! {
        id: "B2-DELEGATE-004",
        model: B2,
        seed: B2,
        operations: ["appoint_delegate", "list_delegations"],
        description: "A representative without the approver role cannot appoint a delegate (403 forbidden); nothing is appointed",
        run: initiator_cannot_delegate,
        cites: ["REQ-DELEGATION-001", "REQ-CONV-006"],
    },
    check! {
        id: "B2-DELEGATE-005",
        model: B2,
        seed: B2,
        operations: ["appoint_delegate"],
        description: "Appointing a representative that is not a platform's answers 422, no roles 422, an already active delegate 409 invalid-state, the account's own representative 422 or 409",
        run: invalid_delegations_refused,
        cites: ["REQ-DELEGATION-002", "REQ-DELEGATION-003", "REQ-ORDER-007"],
    },
    check! {
        id: "B2-DELEGATE-006",
        model: B2,
        seed: B2,
        operations: ["revoke_delegation", "get_account", "list_holdings", "list_transactions", "initiate_transfer", "get_transfer", "rescind_transfer", "approve_transfer"],
        description: "A revoked delegate gets 404 on everything of the account; its pending transfer stays pending for the other approvers; revoking twice answers 409",
        run: revoked_delegate_loses_access,
        cites: ["REQ-DELEGATION-006", "REQ-DELEGATION-007", "REQ-DELEGATION-008", "REQ-ACCESS-007"],
    },
    check! {
        id: "B2-DELEGATE-007",
        model: B2,
        seed: B2,
        operations: ["revoke_delegation", "list_delegations", "get_account"],
        description: "The delegate may resign: after revoking its own delegation it no longer sees the account; a delegation of another account under this account's path answers 404",
        run: delegate_resigns,
        cites: ["REQ-DELEGATION-005", "REQ-DELEGATION-006", "REQ-DELEGATION-008", "REQ-ACCESS-007"],
    },
];

async fn appoint(
    appointer: &Rep,
    account_id: &str,
    delegate: &Rep,
    roles: &[Role],
) -> Result<Delegation, Failure> {
    appointer
        .client
        .appoint_delegate()
        .account_id(account_id)
        .body(DelegationRequest {
            representative_id: delegate.id.clone(),
            roles: roles.to_vec(),
        })
        .send()
        .await
        .expect_ok(&format!(
            "appoint_delegate of {} with {roles:?} by an approver",
            delegate.id
        ))
}

async fn delegations(rep: &Rep, account_id: &str) -> Result<Vec<Delegation>, Failure> {
    rep.client
        .list_delegations()
        .account_id(account_id)
        .limit(200u32)
        .stream()
        .try_collect()
        .await
        .map_err(|e| Failure::from(e).context(format!("list_delegations of {account_id}")))
}

async fn delegate_initiates(ctx: Ctx) -> Result<(), Failure> {
    let Market {
        seller,
        buyer,
        platform,
        block,
    } = market(&ctx, 50).await?;
    let delegate = ctx.platform_rep(&platform).await?;
    let delegation = appoint(
        &seller.approver,
        &seller.account_id,
        &delegate,
        &[Role::Initiator],
    )
    .await?;
    ensure_eq(
        "appoint_delegate: status",
        DelegationStatus::Active,
        delegation.status,
    )?;
    ensure_eq(
        "appoint_delegate: (account, platform, representative, roles, appointed_by)",
        (
            seller.account_id.as_str(),
            platform.platform_id.as_str(),
            delegate.id.as_str(),
            vec![Role::Initiator],
            seller.approver.id.as_str(),
        ),
        (
            delegation.account_id.as_str(),
            delegation.platform_id.as_str(),
            delegation.representative_id.as_str(),
            delegation.roles.clone(),
            delegation.appointed_by.as_str(),
        ),
    )?;
    ensure_eq(
        "list_delegations",
        vec![&delegation],
        delegations(&seller.approver, &seller.account_id)
            .await?
            .iter()
            .collect(),
    )?;
    let account = seller
        .approver
        .client
        .get_account()
        .account_id(&seller.account_id)
        .send()
        .await
        .expect_ok("get_account")?;
    let listed = account
        .representatives
        .iter()
        .find(|r| r.representative_id == delegate.id)
        .ok_or_else(|| {
            Failure::new(format!(
                "get_account: the delegate {} is not among the representatives {:?}",
                delegate.id,
                account
                    .representatives
                    .iter()
                    .map(|r| &r.representative_id)
                    .collect::<Vec<_>>()
            ))
        })?;
    ensure_eq(
        "get_account: the delegate's roles",
        vec![Role::Initiator],
        listed.roles.clone(),
    )?;
    ensure_eq(
        "list_accounts by the delegate",
        vec![seller.account_id.clone()],
        account_ids(&delegate.client, "list_accounts by the delegate").await?,
    )?;

    let transfer = initiate(
        &delegate.client,
        by_quantity(&seller.account_id, &buyer.account_id, "ACCU", 20),
        "initiate_transfer by the delegate (the notice of transfer)",
    )
    .await?;
    expect_status(
        "initiate_transfer by the delegate",
        TransactionStatus::PendingApproval,
        transfer.status,
    )?;
    ensure_eq(
        "initiate_transfer by the delegate: initiated_by",
        delegate.id.as_str(),
        &transfer.initiated_by,
    )?;
    let done = approve(
        &seller.approver.client,
        &transfer.transfer_id,
        "approve_transfer by the seller's approver",
    )
    .await?;
    expect_status(
        "approve_transfer of the delegate's transfer",
        TransactionStatus::Completed,
        done.status,
    )?;
    let received = ctx.holdings(&buyer.rep.client, &buyer.account_id).await?;
    ensure_eq(
        "the buyer's holdings after the delegate's transfer",
        vec![(block.serial_start, block.serial_start + 19)],
        crate::assert::serials(&received, "ACCU", None),
    )
}

async fn delegate_approves(ctx: Ctx) -> Result<(), Failure> {
    let Market {
        seller,
        buyer,
        platform,
        ..
    } = market(&ctx, 50).await?;
    let delegate = ctx.platform_rep(&platform).await?;
    appoint(
        &seller.approver,
        &seller.account_id,
        &delegate,
        &[Role::Initiator, Role::Approver],
    )
    .await?;
    let theirs = initiate(
        &seller.initiator.client,
        by_quantity(&seller.account_id, &buyer.account_id, "ACCU", 10),
        "initiate_transfer by the seller's initiator",
    )
    .await?;
    let done = approve(
        &delegate.client,
        &theirs.transfer_id,
        "approve_transfer by the delegate (approver role)",
    )
    .await?;
    expect_status(
        "approve_transfer by the delegate",
        TransactionStatus::Completed,
        done.status,
    )?;
    ensure_eq(
        "approve_transfer by the delegate: decided_by",
        Some(delegate.id.as_str()),
        done.decided_by.as_deref(),
    )?;

    let own = initiate(
        &delegate.client,
        by_quantity(&seller.account_id, &buyer.account_id, "ACCU", 5),
        "initiate_transfer by the delegate",
    )
    .await?;
    delegate
        .client
        .approve_transfer()
        .transfer_id(&own.transfer_id)
        .send()
        .await
        .expect_problem(
            "approve_transfer by the delegate of its own transfer",
            403,
            ProblemKind::SecondApproverRequired,
        )?;
    let fetched = get_transfer(
        &seller.approver.client,
        &own.transfer_id,
        "get_transfer by the seller's approver",
    )
    .await?;
    expect_status(
        "the delegate's transfer after its refused self-approval",
        TransactionStatus::PendingApproval,
        fetched.status,
    )
}

async fn delegate_counts_for_four_eyes(ctx: Ctx) -> Result<(), Failure> {
    let seller = ctx.holder_with_one_rep().await?;
    let buyer = ctx.holder_with_one_rep().await?;
    ctx.issue(&seller.account_id, 30, &Attrs::accu()).await?;
    let platform = ctx.trading_platform().await?;
    let delegate = ctx.platform_rep(&platform).await?;
    appoint(
        &seller.rep,
        &seller.account_id,
        &delegate,
        &[Role::Initiator, Role::Approver],
    )
    .await?;
    let transfer = initiate(
        &seller.rep.client,
        by_quantity(&seller.account_id, &buyer.account_id, "ACCU", 10),
        "initiate_transfer by the holder's own representative",
    )
    .await?;
    let before = ctx.snapshot(&seller.rep.client, &seller.account_id).await?;
    seller
        .rep
        .client
        .approve_transfer()
        .transfer_id(&transfer.transfer_id)
        .send()
        .await
        .expect_problem(
            "self-approval by the account's original only representative, now that a delegate is appointed",
            403,
            ProblemKind::SecondApproverRequired,
        )?;
    assert_unchanged(
        "after the refused self-approval",
        &before,
        &ctx.snapshot(&seller.rep.client, &seller.account_id).await?,
    )?;
    let done = approve(
        &delegate.client,
        &transfer.transfer_id,
        "approve_transfer by the delegate",
    )
    .await?;
    expect_status(
        "approve_transfer by the delegate",
        TransactionStatus::Completed,
        done.status,
    )
}

async fn initiator_cannot_delegate(ctx: Ctx) -> Result<(), Failure> {
    let Market {
        seller, platform, ..
    } = market(&ctx, 10).await?;
    let delegate = ctx.platform_rep(&platform).await?;
    seller
        .initiator
        .client
        .appoint_delegate()
        .account_id(&seller.account_id)
        .body(DelegationRequest {
            representative_id: delegate.id.clone(),
            roles: vec![Role::Initiator],
        })
        .send()
        .await
        .expect_problem(
            "appoint_delegate by a representative with the initiator role only",
            403,
            ProblemKind::Forbidden,
        )?;
    let listed = delegations(&seller.approver, &seller.account_id).await?;
    ensure!(
        listed.is_empty(),
        "a refused appointment must create nothing, but list_delegations shows {:?}",
        listed.iter().map(|d| &d.delegation_id).collect::<Vec<_>>()
    );
    ensure_eq(
        "list_accounts by the platform representative that was not appointed",
        Vec::<String>::new(),
        account_ids(
            &delegate.client,
            "list_accounts by the platform representative",
        )
        .await?,
    )
}

async fn invalid_delegations_refused(ctx: Ctx) -> Result<(), Failure> {
    let Market {
        seller,
        buyer,
        platform,
        ..
    } = market(&ctx, 10).await?;
    let delegate = ctx.platform_rep(&platform).await?;
    for (case, representative_id, roles) in [
        (
            "an ordinary representative of another holder",
            buyer.rep.id.clone(),
            vec![Role::Initiator],
        ),
        ("no roles", delegate.id.clone(), vec![]),
    ] {
        seller
            .approver
            .client
            .appoint_delegate()
            .account_id(&seller.account_id)
            .body(DelegationRequest {
                representative_id,
                roles,
            })
            .send()
            .await
            .expect_problem(
                &format!("appoint_delegate of {case}"),
                422,
                ProblemKind::ValidationFailed,
            )?;
    }
    // The account's own representative is not a platform's (REQ-DELEGATION-002: 422) and is
    // already a representative of the account (REQ-DELEGATION-003: 409): REQ-ORDER-007 lets an
    // implementation answer either.
    expect_problem_of(
        "appoint_delegate of the account's own representative",
        seller
            .approver
            .client
            .appoint_delegate()
            .account_id(&seller.account_id)
            .body(DelegationRequest {
                representative_id: seller.initiator.id.clone(),
                roles: vec![Role::Approver],
            })
            .send()
            .await,
        &[
            (422, ProblemKind::ValidationFailed),
            (409, ProblemKind::InvalidState),
        ],
    )?;
    ensure!(
        delegations(&seller.approver, &seller.account_id)
            .await?
            .is_empty(),
        "refused appointments must create nothing, but list_delegations is not empty"
    );
    appoint(
        &seller.approver,
        &seller.account_id,
        &delegate,
        &[Role::Initiator],
    )
    .await?;
    seller
        .approver
        .client
        .appoint_delegate()
        .account_id(&seller.account_id)
        .body(DelegationRequest {
            representative_id: delegate.id.clone(),
            roles: vec![Role::Approver],
        })
        .send()
        .await
        .expect_problem(
            "appoint_delegate of a representative already an active delegate of the account",
            409,
            ProblemKind::InvalidState,
        )?;
    ensure_eq(
        "list_delegations after the refused second appointment: delegations",
        1,
        delegations(&seller.approver, &seller.account_id)
            .await?
            .len(),
    )
}

async fn revoked_delegate_loses_access(ctx: Ctx) -> Result<(), Failure> {
    let Market {
        seller,
        buyer,
        platform,
        ..
    } = market(&ctx, 40).await?;
    let delegate = ctx.platform_rep(&platform).await?;
    let delegation = appoint(
        &seller.approver,
        &seller.account_id,
        &delegate,
        &[Role::Initiator, Role::Approver],
    )
    .await?;
    let pending = initiate(
        &delegate.client,
        by_quantity(&seller.account_id, &buyer.account_id, "ACCU", 10),
        "initiate_transfer by the delegate",
    )
    .await?;
    let revoked = seller
        .initiator
        .client
        .revoke_delegation()
        .account_id(&seller.account_id)
        .delegation_id(&delegation.delegation_id)
        .send()
        .await
        .expect_ok("revoke_delegation by the seller's initiator")?;
    ensure_eq(
        "revoke_delegation: status",
        DelegationStatus::Revoked,
        revoked.status,
    )?;
    ensure!(
        revoked.revoked_at.is_some(),
        "revoke_delegation: a revoked delegation must have revoked_at"
    );

    let what = |op: &str| format!("{op} by the revoked delegate");
    let client = &delegate.client;
    client
        .get_account()
        .account_id(&seller.account_id)
        .send()
        .await
        .expect_problem(&what("get_account"), 404, ProblemKind::NotFound)?;
    client
        .list_holdings()
        .account_id(&seller.account_id)
        .send()
        .await
        .expect_problem(&what("list_holdings"), 404, ProblemKind::NotFound)?;
    client
        .list_transactions()
        .account_id(&seller.account_id)
        .send()
        .await
        .expect_problem(&what("list_transactions"), 404, ProblemKind::NotFound)?;
    client
        .initiate_transfer()
        .body(by_quantity(
            &seller.account_id,
            &buyer.account_id,
            "ACCU",
            5,
        ))
        .send()
        .await
        .expect_problem(&what("initiate_transfer"), 404, ProblemKind::NotFound)?;
    client
        .get_transfer()
        .transfer_id(&pending.transfer_id)
        .send()
        .await
        .expect_problem(
            &what("get_transfer of its own pending transfer"),
            404,
            ProblemKind::NotFound,
        )?;
    client
        .rescind_transfer()
        .transfer_id(&pending.transfer_id)
        .send()
        .await
        .expect_problem(
            &what("rescind_transfer of its own pending transfer"),
            404,
            ProblemKind::NotFound,
        )?;
    ensure_eq(
        "list_accounts by the revoked delegate",
        Vec::<String>::new(),
        account_ids(client, "list_accounts by the revoked delegate").await?,
    )?;
    let account = seller
        .approver
        .client
        .get_account()
        .account_id(&seller.account_id)
        .send()
        .await
        .expect_ok("get_account by the seller's approver")?;
    ensure!(
        account
            .representatives
            .iter()
            .all(|r| r.representative_id != delegate.id),
        "get_account: the revoked delegate {} is still among the representatives",
        delegate.id
    );

    let still = get_transfer(
        &seller.approver.client,
        &pending.transfer_id,
        "get_transfer by the seller's approver",
    )
    .await?;
    expect_status(
        "the revoked delegate's pending transfer",
        TransactionStatus::PendingApproval,
        still.status,
    )?;
    let done = approve(
        &seller.approver.client,
        &pending.transfer_id,
        "approve_transfer of the revoked delegate's transfer by the seller's approver",
    )
    .await?;
    expect_status(
        "approve_transfer of the revoked delegate's transfer",
        TransactionStatus::Completed,
        done.status,
    )?;
    ensure_eq(
        "the buyer's units",
        10,
        total(
            &ctx.holdings(&buyer.rep.client, &buyer.account_id).await?,
            "ACCU",
            None,
        ),
    )?;
    seller
        .approver
        .client
        .revoke_delegation()
        .account_id(&seller.account_id)
        .delegation_id(&delegation.delegation_id)
        .send()
        .await
        .expect_problem(
            "revoke_delegation of an already revoked delegation",
            409,
            ProblemKind::InvalidState,
        )?;
    Ok(())
}

async fn delegate_resigns(ctx: Ctx) -> Result<(), Failure> {
    let Market {
        seller,
        buyer,
        platform,
        ..
    } = market(&ctx, 10).await?;
    let delegate = ctx.platform_rep(&platform).await?;
    let delegation = appoint(
        &seller.approver,
        &seller.account_id,
        &delegate,
        &[Role::Initiator],
    )
    .await?;
    // A delegation of another account, named under this account's path, is not found
    // (REQ-DELEGATION-006), and stays active.
    let elsewhere = appoint(
        &buyer.rep,
        &buyer.account_id,
        &ctx.platform_rep(&platform).await?,
        &[Role::Initiator],
    )
    .await?;
    seller
        .approver
        .client
        .revoke_delegation()
        .account_id(&seller.account_id)
        .delegation_id(&elsewhere.delegation_id)
        .send()
        .await
        .expect_problem(
            "revoke_delegation under the seller's account of a delegation of another account",
            404,
            ProblemKind::NotFound,
        )?;
    ensure_eq(
        "the other account's delegation after the refused revocation: status",
        vec![DelegationStatus::Active],
        delegations(&buyer.rep, &buyer.account_id)
            .await?
            .iter()
            .map(|d| d.status)
            .collect(),
    )?;
    let resigned = delegate
        .client
        .revoke_delegation()
        .account_id(&seller.account_id)
        .delegation_id(&delegation.delegation_id)
        .send()
        .await
        .expect_ok("revoke_delegation by the delegate itself")?;
    ensure_eq(
        "revoke_delegation by the delegate: status",
        DelegationStatus::Revoked,
        resigned.status,
    )?;
    delegate
        .client
        .get_account()
        .account_id(&seller.account_id)
        .send()
        .await
        .expect_problem(
            "get_account by the delegate after resigning",
            404,
            ProblemKind::NotFound,
        )?;
    let listed = delegations(&seller.approver, &seller.account_id).await?;
    ensure_eq(
        "list_delegations after the resignation: statuses",
        vec![DelegationStatus::Revoked],
        listed.iter().map(|d| d.status).collect(),
    )
}
