//! The access matrix: every (actor kind × operation) pair of the API, from one table.
//!
//! [`TABLE`] has one row per operation of the published spec and one column per [`Actor`]: the
//! owner account's `initiator` and `approver`, another holder's representative, a trading platform
//! holding each consent scope on the owner's account (and one whose consent was revoked), a
//! platform and a registry that never held a consent there, a delegate (a platform representative
//! appointed by delegation), the controller of an escrow on the account, a sandbox operator and an
//! anonymous caller. Each cell is the outcome the rules of `ARCHITECTURE.md` ("Access: 404 or
//! 403") give: allowed (the documented 2xx), `401`, `403 forbidden`, `403 consent-required`,
//! `404 not-found` or `404 sandbox-unavailable`.
//!
//! There is one check per operation, in the model of that operation. It provisions a fresh
//! [`World`] (the owner's account with units, the actors, their consents), builds a valid request
//! for the operation on a fresh object (a pending transfer, a consent, an escrow, ...), sends it
//! as every actor expected to be refused (concurrently, all on the same object), then as every
//! actor expected to succeed: the first on that same object, which shows the refusals left it
//! untouched, the others each on an object of its own. The check fails with the list of pairs
//! whose outcome differs from the table.
//!
//! One cell is declared but not exercised (`X`): the operator's `reset_sandbox`, which would wipe
//! every other check's fixtures; the refusals of that row are exercised.

use std::sync::atomic::{AtomicU64, Ordering};

use chrono::{DateTime, Duration, Utc};
use reqwest::Method;
use serde_json::{Value, json};
use ucr_sdk::ProblemKind;
use ucr_sdk::types::{
    AccountKind, AssociationRequest, ConsentScope, DelegationRequest, EventType, Role, UnitBlock,
    WebhookSubscriptionRequest,
};

use super::spec;
use super::support::{escrow, escrow_request, initiate, reservation_request, reserve};
use super::{A1, B2, B4, B5, C1, CONSENT};
use crate::assert::SdkResultExt;
use crate::check::{Check, Failure};
use crate::ctx::{
    Attrs, Ctx, FourEyes, Party, Platform, RawResponse, Rep, by_quantity, cancel_quantity,
    certificate,
};

pub(super) const CHECKS: &[Check] = &[
    check! {
        id: "A1-MATRIX-001",
        model: A1,
        seed: A1,
        operations: ["list_accounts"],
        description: "Access matrix, list_accounts: every actor kind gets the table's outcome (2xx, 401, 403 or 404); allowed means the documented success",
        run: rows::list_accounts,
    },
    check! {
        id: "A1-MATRIX-002",
        model: A1,
        seed: A1,
        operations: ["get_account"],
        description: "Access matrix, get_account: every actor kind gets the table's outcome (2xx, 401, 403 or 404); allowed means the documented success",
        run: rows::get_account,
    },
    check! {
        id: "A1-MATRIX-003",
        model: A1,
        seed: A1,
        operations: ["list_holdings"],
        description: "Access matrix, list_holdings: every actor kind gets the table's outcome (2xx, 401, 403 or 404); allowed means the documented success",
        run: rows::list_holdings,
    },
    check! {
        id: "A1-MATRIX-004",
        model: A1,
        seed: A1,
        operations: ["list_transactions"],
        description: "Access matrix, list_transactions: every actor kind gets the table's outcome (2xx, 401, 403 or 404); allowed means the documented success",
        run: rows::list_transactions,
    },
    check! {
        id: "A1-MATRIX-005",
        model: A1,
        seed: A1,
        operations: ["initiate_transfer"],
        description: "Access matrix, initiate_transfer: every actor kind gets the table's outcome (2xx, 401, 403 or 404); allowed means the documented success",
        run: rows::initiate_transfer,
    },
    check! {
        id: "A1-MATRIX-006",
        model: A1,
        seed: A1,
        operations: ["get_transfer"],
        description: "Access matrix, get_transfer: every actor kind gets the table's outcome (2xx, 401, 403 or 404); allowed means the documented success",
        run: rows::get_transfer,
    },
    check! {
        id: "A1-MATRIX-007",
        model: A1,
        seed: A1,
        operations: ["approve_transfer"],
        description: "Access matrix, approve_transfer: every actor kind gets the table's outcome (2xx, 401, 403 or 404); allowed means the documented success",
        run: rows::approve_transfer,
    },
    check! {
        id: "A1-MATRIX-008",
        model: A1,
        seed: A1,
        operations: ["reject_transfer"],
        description: "Access matrix, reject_transfer: every actor kind gets the table's outcome (2xx, 401, 403 or 404); allowed means the documented success",
        run: rows::reject_transfer,
    },
    check! {
        id: "A1-MATRIX-009",
        model: A1,
        seed: A1,
        operations: ["rescind_transfer"],
        description: "Access matrix, rescind_transfer: every actor kind gets the table's outcome (2xx, 401, 403 or 404); allowed means the documented success",
        run: rows::rescind_transfer,
    },
    check! {
        id: "A1-MATRIX-010",
        model: A1,
        seed: A1,
        operations: ["initiate_cancellation"],
        description: "Access matrix, initiate_cancellation: every actor kind gets the table's outcome (2xx, 401, 403 or 404); allowed means the documented success",
        run: rows::initiate_cancellation,
    },
    check! {
        id: "A1-MATRIX-011",
        model: A1,
        seed: A1,
        operations: ["get_cancellation"],
        description: "Access matrix, get_cancellation: every actor kind gets the table's outcome (2xx, 401, 403 or 404); allowed means the documented success",
        run: rows::get_cancellation,
    },
    check! {
        id: "A1-MATRIX-012",
        model: A1,
        seed: A1,
        operations: ["approve_cancellation"],
        description: "Access matrix, approve_cancellation: every actor kind gets the table's outcome (2xx, 401, 403 or 404); allowed means the documented success",
        run: rows::approve_cancellation,
    },
    check! {
        id: "A1-MATRIX-013",
        model: A1,
        seed: A1,
        operations: ["rescind_cancellation"],
        description: "Access matrix, rescind_cancellation: every actor kind gets the table's outcome (2xx, 401, 403 or 404); allowed means the documented success",
        run: rows::rescind_cancellation,
    },
    check! {
        id: "A1-MATRIX-014",
        model: A1,
        seed: A1,
        operations: ["list_accu_projects"],
        description: "Access matrix, list_accu_projects: every actor kind gets the table's outcome (2xx, 401, 403 or 404); allowed means the documented success",
        run: rows::list_accu_projects,
    },
    check! {
        id: "A1-MATRIX-015",
        model: A1,
        seed: A1,
        operations: ["list_carbon_abatement_contracts"],
        description: "Access matrix, list_carbon_abatement_contracts: every actor kind gets the table's outcome (2xx, 401, 403 or 404); allowed means the documented success",
        run: rows::list_carbon_abatement_contracts,
    },
    check! {
        id: "A1-MATRIX-016",
        model: A1,
        seed: A1,
        operations: ["list_guarantee_of_origin_projects"],
        description: "Access matrix, list_guarantee_of_origin_projects: every actor kind gets the table's outcome (2xx, 401, 403 or 404); allowed means the documented success",
        run: rows::list_guarantee_of_origin_projects,
    },
    check! {
        id: "A1-MATRIX-017",
        model: A1,
        seed: A1,
        operations: ["create_operator_session"],
        description: "Access matrix, create_operator_session: every actor kind gets the table's outcome (2xx, 401, 403 or 404); allowed means the documented success",
        run: rows::create_operator_session,
    },
    check! {
        id: "A1-MATRIX-018",
        model: A1,
        seed: A1,
        operations: ["create_account_holder"],
        description: "Access matrix, create_account_holder: every actor kind gets the table's outcome (2xx, 401, 403 or 404); allowed means the documented success",
        run: rows::create_account_holder,
    },
    check! {
        id: "A1-MATRIX-019",
        model: A1,
        seed: A1,
        operations: ["create_account"],
        description: "Access matrix, create_account: every actor kind gets the table's outcome (2xx, 401, 403 or 404); allowed means the documented success",
        run: rows::create_account,
    },
    check! {
        id: "A1-MATRIX-020",
        model: A1,
        seed: A1,
        operations: ["appoint_representative"],
        description: "Access matrix, appoint_representative: every actor kind gets the table's outcome (2xx, 401, 403 or 404); allowed means the documented success",
        run: rows::appoint_representative,
    },
    check! {
        id: "A1-MATRIX-021",
        model: A1,
        seed: A1,
        operations: ["issue_units"],
        description: "Access matrix, issue_units: every actor kind gets the table's outcome (2xx, 401, 403 or 404); allowed means the documented success",
        run: rows::issue_units,
    },
    check! {
        id: "A1-MATRIX-022",
        model: A1,
        seed: A1,
        operations: ["reset_sandbox"],
        description: "Access matrix, reset_sandbox: every actor kind gets the table's outcome (2xx, 401, 403 or 404); allowed means the documented success",
        run: rows::reset_sandbox,
    },
    check! {
        id: "A1-MATRIX-023",
        model: A1,
        seed: A1,
        operations: ["create_platform"],
        description: "Access matrix, create_platform: every actor kind gets the table's outcome (2xx, 401, 403 or 404); allowed means the documented success",
        run: rows::create_platform,
    },
    check! {
        id: "A1-MATRIX-024",
        model: A1,
        seed: A1,
        operations: ["create_platform_representative"],
        description: "Access matrix, create_platform_representative: every actor kind gets the table's outcome (2xx, 401, 403 or 404); allowed means the documented success",
        run: rows::create_platform_representative,
    },
    check! {
        id: "A1-MATRIX-025",
        model: A1,
        seed: A1,
        operations: ["get_clock"],
        description: "Access matrix, get_clock: every actor kind gets the table's outcome (2xx, 401, 403 or 404); allowed means the documented success",
        run: rows::get_clock,
    },
    check! {
        id: "A1-MATRIX-026",
        model: A1,
        seed: A1,
        operations: ["advance_clock"],
        description: "Access matrix, advance_clock: every actor kind gets the table's outcome (2xx, 401, 403 or 404); allowed means the documented success",
        run: rows::advance_clock,
        phase: Clock,
    },
    check! {
        id: "B1-MATRIX-001",
        model: B1,
        seed: CONSENT,
        operations: ["issue_token"],
        description: "Access matrix, issue_token: every actor kind gets the table's outcome (2xx, 401, 403 or 404); allowed means the documented success",
        run: rows::issue_token,
    },
    check! {
        id: "B1-MATRIX-002",
        model: B1,
        seed: CONSENT,
        operations: ["get_platform"],
        description: "Access matrix, get_platform: every actor kind gets the table's outcome (2xx, 401, 403 or 404); allowed means the documented success",
        run: rows::get_platform,
    },
    check! {
        id: "B1-MATRIX-003",
        model: B1,
        seed: CONSENT,
        operations: ["grant_consent"],
        description: "Access matrix, grant_consent: every actor kind gets the table's outcome (2xx, 401, 403 or 404); allowed means the documented success",
        run: rows::grant_consent,
    },
    check! {
        id: "B1-MATRIX-004",
        model: B1,
        seed: CONSENT,
        operations: ["list_account_consents"],
        description: "Access matrix, list_account_consents: every actor kind gets the table's outcome (2xx, 401, 403 or 404); allowed means the documented success",
        run: rows::list_account_consents,
    },
    check! {
        id: "B1-MATRIX-005",
        model: B1,
        seed: CONSENT,
        operations: ["list_consents"],
        description: "Access matrix, list_consents: every actor kind gets the table's outcome (2xx, 401, 403 or 404); allowed means the documented success",
        run: rows::list_consents,
    },
    check! {
        id: "B1-MATRIX-006",
        model: B1,
        seed: CONSENT,
        operations: ["get_consent"],
        description: "Access matrix, get_consent: every actor kind gets the table's outcome (2xx, 401, 403 or 404); allowed means the documented success",
        run: rows::get_consent,
    },
    check! {
        id: "B1-MATRIX-007",
        model: B1,
        seed: CONSENT,
        operations: ["revoke_consent"],
        description: "Access matrix, revoke_consent: every actor kind gets the table's outcome (2xx, 401, 403 or 404); allowed means the documented success",
        run: rows::revoke_consent,
    },
    check! {
        id: "B2-MATRIX-001",
        model: B2,
        seed: B2,
        operations: ["appoint_delegate"],
        description: "Access matrix, appoint_delegate: every actor kind gets the table's outcome (2xx, 401, 403 or 404); allowed means the documented success",
        run: rows::appoint_delegate,
    },
    check! {
        id: "B2-MATRIX-002",
        model: B2,
        seed: B2,
        operations: ["list_delegations"],
        description: "Access matrix, list_delegations: every actor kind gets the table's outcome (2xx, 401, 403 or 404); allowed means the documented success",
        run: rows::list_delegations,
    },
    check! {
        id: "B2-MATRIX-003",
        model: B2,
        seed: B2,
        operations: ["revoke_delegation"],
        description: "Access matrix, revoke_delegation: every actor kind gets the table's outcome (2xx, 401, 403 or 404); allowed means the documented success",
        run: rows::revoke_delegation,
    },
    check! {
        id: "B4-MATRIX-001",
        model: B4,
        seed: B4,
        operations: ["create_reservation"],
        description: "Access matrix, create_reservation: every actor kind gets the table's outcome (2xx, 401, 403 or 404); allowed means the documented success",
        run: rows::create_reservation,
    },
    check! {
        id: "B4-MATRIX-002",
        model: B4,
        seed: B4,
        operations: ["list_reservations"],
        description: "Access matrix, list_reservations: every actor kind gets the table's outcome (2xx, 401, 403 or 404); allowed means the documented success",
        run: rows::list_reservations,
    },
    check! {
        id: "B4-MATRIX-003",
        model: B4,
        seed: B4,
        operations: ["get_reservation"],
        description: "Access matrix, get_reservation: every actor kind gets the table's outcome (2xx, 401, 403 or 404); allowed means the documented success",
        run: rows::get_reservation,
    },
    check! {
        id: "B4-MATRIX-004",
        model: B4,
        seed: B4,
        operations: ["release_reservation"],
        description: "Access matrix, release_reservation: every actor kind gets the table's outcome (2xx, 401, 403 or 404); allowed means the documented success",
        run: rows::release_reservation,
    },
    check! {
        id: "B4-MATRIX-005",
        model: B4,
        seed: B4,
        operations: ["create_webhook_subscription"],
        description: "Access matrix, create_webhook_subscription: every actor kind gets the table's outcome (2xx, 401, 403 or 404); allowed means the documented success",
        run: rows::create_webhook_subscription,
    },
    check! {
        id: "B4-MATRIX-006",
        model: B4,
        seed: B4,
        operations: ["list_webhook_subscriptions"],
        description: "Access matrix, list_webhook_subscriptions: every actor kind gets the table's outcome (2xx, 401, 403 or 404); allowed means the documented success",
        run: rows::list_webhook_subscriptions,
    },
    check! {
        id: "B4-MATRIX-007",
        model: B4,
        seed: B4,
        operations: ["delete_webhook_subscription"],
        description: "Access matrix, delete_webhook_subscription: every actor kind gets the table's outcome (2xx, 401, 403 or 404); allowed means the documented success",
        run: rows::delete_webhook_subscription,
    },
    check! {
        id: "B4-MATRIX-008",
        model: B4,
        seed: B4,
        operations: ["list_webhook_deliveries"],
        description: "Access matrix, list_webhook_deliveries: every actor kind gets the table's outcome (2xx, 401, 403 or 404); allowed means the documented success",
        run: rows::list_webhook_deliveries,
    },
    check! {
        id: "B5-MATRIX-001",
        model: B5,
        seed: B5,
        operations: ["create_escrow"],
        description: "Access matrix, create_escrow: every actor kind gets the table's outcome (2xx, 401, 403 or 404); allowed means the documented success",
        run: rows::create_escrow,
    },
    check! {
        id: "B5-MATRIX-002",
        model: B5,
        seed: B5,
        operations: ["list_escrows"],
        description: "Access matrix, list_escrows: every actor kind gets the table's outcome (2xx, 401, 403 or 404); allowed means the documented success",
        run: rows::list_escrows,
    },
    check! {
        id: "B5-MATRIX-003",
        model: B5,
        seed: B5,
        operations: ["get_escrow"],
        description: "Access matrix, get_escrow: every actor kind gets the table's outcome (2xx, 401, 403 or 404); allowed means the documented success",
        run: rows::get_escrow,
    },
    check! {
        id: "B5-MATRIX-004",
        model: B5,
        seed: B5,
        operations: ["settle_escrow"],
        description: "Access matrix, settle_escrow: every actor kind gets the table's outcome (2xx, 401, 403 or 404); allowed means the documented success",
        run: rows::settle_escrow,
    },
    check! {
        id: "B5-MATRIX-005",
        model: B5,
        seed: B5,
        operations: ["release_escrow"],
        description: "Access matrix, release_escrow: every actor kind gets the table's outcome (2xx, 401, 403 or 404); allowed means the documented success",
        run: rows::release_escrow,
    },
    check! {
        id: "C1-MATRIX-001",
        model: C1,
        seed: C1,
        operations: ["create_association"],
        description: "Access matrix, create_association: every actor kind gets the table's outcome (2xx, 401, 403 or 404); allowed means the documented success",
        run: rows::create_association,
    },
    check! {
        id: "C1-MATRIX-002",
        model: C1,
        seed: C1,
        operations: ["list_associations"],
        description: "Access matrix, list_associations: every actor kind gets the table's outcome (2xx, 401, 403 or 404); allowed means the documented success",
        run: rows::list_associations,
    },
    check! {
        id: "C1-MATRIX-003",
        model: C1,
        seed: C1,
        operations: ["get_association"],
        description: "Access matrix, get_association: every actor kind gets the table's outcome (2xx, 401, 403 or 404); allowed means the documented success",
        run: rows::get_association,
    },
    check! {
        id: "C1-MATRIX-004",
        model: C1,
        seed: C1,
        operations: ["dissolve_association"],
        description: "Access matrix, dissolve_association: every actor kind gets the table's outcome (2xx, 401, 403 or 404); allowed means the documented success",
        run: rows::dissolve_association,
    },
];

/// Who sends a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Actor {
    /// An authorised representative of the owner's account with the `initiator` role only.
    Initiator,
    /// An authorised representative of the owner's account with the `approver` role only.
    Approver,
    /// Another holder's representative (both roles on its own account).
    OtherHolder,
    /// A trading platform with an active `holdings_read` consent on the owner's account.
    HoldingsRead,
    /// A trading platform with an active `transactions_read` consent.
    TransactionsRead,
    /// A trading platform with an active `reserved_units_read` consent; reservations are for it.
    ReservedUnitsRead,
    /// A third-party registry with an active `association` consent.
    Association,
    /// A trading platform whose `holdings_read` consent was revoked.
    Revoked,
    /// A trading platform that never held a consent on the owner's account.
    Unconsented,
    /// A third-party registry that never held a consent on the owner's account.
    Registry,
    /// A platform representative appointed by delegation with both roles.
    Delegate,
    /// The trading platform controlling an escrow on the owner's account (no consent).
    Controller,
    /// A sandbox operator session.
    Operator,
    /// No credentials.
    Anonymous,
}

impl Actor {
    /// The table's columns, in order.
    pub(super) const ALL: [Actor; 14] = [
        Actor::Initiator,
        Actor::Approver,
        Actor::OtherHolder,
        Actor::HoldingsRead,
        Actor::TransactionsRead,
        Actor::ReservedUnitsRead,
        Actor::Association,
        Actor::Revoked,
        Actor::Unconsented,
        Actor::Registry,
        Actor::Delegate,
        Actor::Controller,
        Actor::Operator,
        Actor::Anonymous,
    ];

    /// How reports name the actor.
    pub(super) fn label(self) -> &'static str {
        match self {
            Actor::Initiator => "owner's initiator",
            Actor::Approver => "owner's approver",
            Actor::OtherHolder => "other holder's representative",
            Actor::HoldingsRead => "platform with holdings_read",
            Actor::TransactionsRead => "platform with transactions_read",
            Actor::ReservedUnitsRead => "platform with reserved_units_read",
            Actor::Association => "registry with association",
            Actor::Revoked => "platform whose consent was revoked",
            Actor::Unconsented => "platform without consent",
            Actor::Registry => "registry without consent",
            Actor::Delegate => "delegate",
            Actor::Controller => "escrow controller",
            Actor::Operator => "sandbox operator",
            Actor::Anonymous => "anonymous",
        }
    }

    fn index(self) -> usize {
        Actor::ALL.iter().position(|a| *a == self).unwrap_or(0)
    }
}

/// What a pair must answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Outcome {
    /// `A`: the operation's documented success status.
    Allowed,
    /// `X`: allowed, but not exercised in a shared run (destructive); see the module docs.
    NotExercised,
    /// `U`: `401 unauthenticated` (RFC 6749 `invalid_client` at the token endpoint).
    Unauthenticated,
    /// `F`: `403 forbidden`.
    Forbidden,
    /// `C`: `403 consent-required`.
    ConsentRequired,
    /// `N`: `404 not-found`, exactly as for something that does not exist.
    NotFound,
    /// `S`: `404 sandbox-unavailable`.
    SandboxUnavailable,
}

impl Outcome {
    fn parse(code: &str) -> Option<Self> {
        Some(match code {
            "A" => Outcome::Allowed,
            "X" => Outcome::NotExercised,
            "U" => Outcome::Unauthenticated,
            "F" => Outcome::Forbidden,
            "C" => Outcome::ConsentRequired,
            "N" => Outcome::NotFound,
            "S" => Outcome::SandboxUnavailable,
            _ => return None,
        })
    }

    fn describe(self, success: u16) -> String {
        let problem = |kind: ProblemKind| format!("{} {}", kind.status(), kind.uri());
        match self {
            Outcome::Allowed | Outcome::NotExercised => format!("{success} (allowed)"),
            Outcome::Unauthenticated => problem(ProblemKind::Unauthenticated),
            Outcome::Forbidden => problem(ProblemKind::Forbidden),
            Outcome::ConsentRequired => problem(ProblemKind::ConsentRequired),
            Outcome::NotFound => problem(ProblemKind::NotFound),
            Outcome::SandboxUnavailable => problem(ProblemKind::SandboxUnavailable),
        }
    }

    fn problem_kind(self) -> Option<ProblemKind> {
        match self {
            Outcome::Allowed | Outcome::NotExercised => None,
            Outcome::Unauthenticated => Some(ProblemKind::Unauthenticated),
            Outcome::Forbidden => Some(ProblemKind::Forbidden),
            Outcome::ConsentRequired => Some(ProblemKind::ConsentRequired),
            Outcome::NotFound => Some(ProblemKind::NotFound),
            Outcome::SandboxUnavailable => Some(ProblemKind::SandboxUnavailable),
        }
    }
}

/// The access matrix: one row per operation, one column per [`Actor`] in [`Actor::ALL`]'s order.
///
/// `A` allowed, `U` 401, `F` 403 forbidden, `C` 403 consent-required, `N` 404 not-found, `S` 404
/// sandbox-unavailable, `X` allowed but not exercised. The objects acted on: the owner's account
/// (path or the body's subject account), a transfer or cancellation initiated by the owner's
/// initiator, a consent granted to the `holdings_read` platform, a delegation of another platform
/// representative, a reservation for the `reserved_units_read` platform, an escrow controlled by
/// the controller, an association of the `association` registry, a webhook subscription of the
/// `holdings_read` platform.
#[rustfmt::skip]
pub(super) const TABLE: &[(&str, &str)] = &[
    //                                    ini apr oth hld trx rsv asc rvk unc reg del ctl opr ano
    ("list_accounts",                     "A   A   A   A   A   A   A   A   A   A   A   A   A   U"),
    ("get_account",                       "A   A   N   A   C   C   C   C   N   N   A   N   N   U"),
    ("list_holdings",                     "A   A   N   A   C   A   A   C   N   N   A   N   N   U"),
    ("list_transactions",                 "A   A   N   C   A   C   C   C   N   N   A   N   N   U"),
    ("initiate_transfer",                 "A   F   N   F   F   F   F   F   N   N   A   N   N   U"),
    ("get_transfer",                      "A   A   N   N   N   N   N   N   N   N   A   N   N   U"),
    ("approve_transfer",                  "F   A   N   N   N   N   N   N   N   N   A   N   N   U"),
    ("reject_transfer",                   "F   A   N   N   N   N   N   N   N   N   A   N   N   U"),
    ("rescind_transfer",                  "A   F   N   N   N   N   N   N   N   N   A   N   N   U"),
    ("initiate_cancellation",             "A   F   N   F   F   F   F   F   N   N   A   N   N   U"),
    ("get_cancellation",                  "A   A   N   N   N   N   N   N   N   N   A   N   N   U"),
    ("approve_cancellation",              "F   A   N   N   N   N   N   N   N   N   A   N   N   U"),
    ("rescind_cancellation",              "A   F   N   N   N   N   N   N   N   N   A   N   N   U"),
    ("list_accu_projects",                "A   A   A   A   A   A   A   A   A   A   A   A   A   A"),
    ("list_carbon_abatement_contracts",   "A   A   A   A   A   A   A   A   A   A   A   A   A   A"),
    ("list_guarantee_of_origin_projects", "A   A   A   A   A   A   A   A   A   A   A   A   A   A"),
    ("create_operator_session",           "A   A   A   A   A   A   A   A   A   A   A   A   A   A"),
    ("create_account_holder",             "S   S   S   S   S   S   S   S   S   S   S   S   A   U"),
    ("create_account",                    "S   S   S   S   S   S   S   S   S   S   S   S   A   U"),
    ("appoint_representative",            "S   S   S   S   S   S   S   S   S   S   S   S   A   U"),
    ("issue_units",                       "S   S   S   S   S   S   S   S   S   S   S   S   A   U"),
    ("reset_sandbox",                     "S   S   S   S   S   S   S   S   S   S   S   S   X   U"),
    ("create_platform",                   "S   S   S   S   S   S   S   S   S   S   S   S   A   U"),
    ("create_platform_representative",    "S   S   S   S   S   S   S   S   S   S   S   S   A   U"),
    ("get_clock",                         "S   S   S   S   S   S   S   S   S   S   S   S   A   U"),
    ("advance_clock",                     "S   S   S   S   S   S   S   S   S   S   S   S   A   U"),
    ("issue_token",                       "U   U   U   A   A   A   A   A   A   A   U   A   U   U"),
    ("get_platform",                      "A   A   A   A   A   A   A   A   A   A   A   A   A   U"),
    ("grant_consent",                     "A   A   N   F   F   F   F   F   N   N   A   N   N   U"),
    ("list_account_consents",             "A   A   N   F   F   F   F   F   N   N   A   N   N   U"),
    ("list_consents",                     "A   A   A   A   A   A   A   A   A   A   A   A   A   U"),
    ("get_consent",                       "A   A   N   A   N   N   N   N   N   N   A   N   N   U"),
    ("revoke_consent",                    "A   A   N   A   N   N   N   N   N   N   A   N   N   U"),
    ("appoint_delegate",                  "F   A   N   F   F   F   F   F   N   N   A   N   N   U"),
    ("list_delegations",                  "A   A   N   F   F   F   F   F   N   N   A   N   N   U"),
    ("revoke_delegation",                 "A   A   N   F   F   F   F   F   N   N   A   N   N   U"),
    ("create_reservation",                "A   F   N   F   F   F   F   F   N   N   A   N   N   U"),
    ("list_reservations",                 "A   A   A   A   A   A   A   A   A   A   A   A   A   U"),
    ("get_reservation",                   "A   A   N   N   N   A   N   N   N   N   A   N   N   U"),
    ("release_reservation",               "A   A   N   N   N   F   N   N   N   N   A   N   N   U"),
    ("create_escrow",                     "A   F   N   F   F   F   F   F   N   N   A   N   N   U"),
    ("list_escrows",                      "A   A   A   A   A   A   A   A   A   A   A   A   A   U"),
    ("get_escrow",                        "A   A   N   N   N   N   N   N   N   N   A   A   N   U"),
    ("settle_escrow",                     "F   F   N   N   N   N   N   N   N   N   F   A   N   U"),
    ("release_escrow",                    "F   F   N   N   N   N   N   N   N   N   F   A   N   U"),
    ("create_association",                "F   F   N   C   C   C   A   C   N   N   F   N   N   U"),
    ("list_associations",                 "A   A   A   A   A   A   A   A   A   A   A   A   A   U"),
    ("get_association",                   "A   A   N   N   N   N   A   N   N   N   A   N   N   U"),
    ("dissolve_association",              "F   F   N   N   N   N   A   N   N   N   F   N   N   U"),
    ("create_webhook_subscription",       "F   F   F   A   A   A   A   A   A   A   F   A   F   U"),
    ("list_webhook_subscriptions",        "F   F   F   A   A   A   A   A   A   A   F   A   F   U"),
    ("delete_webhook_subscription",       "N   N   N   A   N   N   N   N   N   N   N   N   N   U"),
    ("list_webhook_deliveries",           "N   N   N   A   N   N   N   N   N   N   N   N   N   U"),
];

/// The row of `operation_id`, parsed.
pub(super) fn row(operation_id: &str) -> Result<[Outcome; 14], String> {
    let (_, cells) = TABLE
        .iter()
        .find(|(op, _)| *op == operation_id)
        .ok_or_else(|| format!("the access matrix has no row for {operation_id}"))?;
    let codes: Vec<&str> = cells.split_whitespace().collect();
    if codes.len() != Actor::ALL.len() {
        return Err(format!(
            "the access matrix row of {operation_id} has {} cells, not {}",
            codes.len(),
            Actor::ALL.len()
        ));
    }
    let mut out = [Outcome::Allowed; 14];
    for (slot, code) in out.iter_mut().zip(codes) {
        *slot = Outcome::parse(code)
            .ok_or_else(|| format!("the access matrix row of {operation_id} has cell {code:?}"))?;
    }
    Ok(out)
}

/// The first actor the table allows `operation_id` (the one the robustness checks write as).
pub(super) fn first_allowed(operation_id: &str) -> Option<Actor> {
    let cells = row(operation_id).ok()?;
    Actor::ALL
        .into_iter()
        .find(|a| cells[a.index()] == Outcome::Allowed)
}

/// A fresh fixture with every actor of the table.
pub(super) struct World {
    /// The owner's account (`initiator` and `approver`), holding [`World::block`].
    pub(super) owner: FourEyes,
    /// A destination account of a third holder (not an actor).
    pub(super) dest: Party,
    /// Another holder's account and representative.
    pub(super) other: Party,
    /// 1000 ACCUs issued into the owner's account.
    pub(super) block: UnitBlock,
    pub(super) holdings: Platform,
    pub(super) transactions: Platform,
    pub(super) reserved: Platform,
    pub(super) association: Platform,
    pub(super) revoked: Platform,
    pub(super) unconsented: Platform,
    pub(super) registry: Platform,
    pub(super) controller: Platform,
    /// A custodial account of the `reserved_units_read` platform (reservations go there).
    pub(super) custodial: String,
    /// The delegate (a representative of the `holdings_read` platform).
    pub(super) delegate: Rep,
    /// The `holdings_read` platform's consent.
    pub(super) consent_id: String,
    /// A sandbox operator session's token.
    operator_token: String,
    /// The registry's clock when the world was built; expiries are set from it.
    pub(super) now: DateTime<Utc>,
    /// Serials handed out for associations, counting down from the block's end.
    serials_used: AtomicU64,
}

impl World {
    /// Provisions a world through the sandbox API.
    pub(super) async fn build(ctx: &Ctx) -> Result<World, Failure> {
        let owner = ctx.holder_with_two_reps().await?;
        let dest = ctx.holder_with_one_rep().await?;
        let other = ctx.holder_with_one_rep().await?;
        let block = ctx.issue(&owner.account_id, 1000, &Attrs::accu()).await?;
        let now = ctx.registry_now().await?;
        let holdings = ctx.trading_platform().await?;
        let transactions = ctx.trading_platform().await?;
        let reserved = ctx.trading_platform().await?;
        let association = ctx.third_party_registry().await?;
        let revoked = ctx.trading_platform().await?;
        let unconsented = ctx.trading_platform().await?;
        let registry = ctx.third_party_registry().await?;
        let controller = ctx.trading_platform().await?;
        let until = now + Duration::days(30);
        let account = owner.account_id.as_str();
        let mut consents = Vec::new();
        for (grantee, scope) in [
            (&holdings, ConsentScope::HoldingsRead),
            (&transactions, ConsentScope::TransactionsRead),
            (&reserved, ConsentScope::ReservedUnitsRead),
            (&association, ConsentScope::Association),
            (&revoked, ConsentScope::HoldingsRead),
        ] {
            consents.push(
                ctx.grant_until(&owner.initiator, account, grantee, &[scope], until)
                    .await?,
            );
        }
        let (consent, lapsed) = (&consents[0], &consents[4]);
        owner
            .approver
            .client
            .revoke_consent()
            .consent_id(&lapsed.consent_id)
            .send()
            .await
            .expect_ok("world: revoke_consent of the revoked platform's consent")?;
        let custodial = ctx
            .open_account(&reserved.holder_id, AccountKind::Custodial)
            .await?;
        let delegate = delegate(ctx, &owner, &holdings, &[Role::Initiator, Role::Approver]).await?;
        let operator_token = ctx
            .raw(
                "create_operator_session",
                Method::POST,
                "/v1/sandbox/operator-sessions",
            )
            .no_idempotency_key()
            .send()
            .await?
            .expect_status("world: create_operator_session", 201)?["token"]
            .as_str()
            .map(str::to_owned)
            .ok_or_else(|| Failure::new("world: create_operator_session answered no token"))?;
        Ok(World {
            owner,
            dest,
            other,
            block,
            holdings,
            transactions,
            reserved,
            association,
            revoked,
            unconsented,
            registry,
            controller,
            custodial,
            delegate,
            consent_id: consent.consent_id.clone(),
            operator_token,
            now,
            serials_used: AtomicU64::new(0),
        })
    }

    /// The owner's account.
    pub(super) fn account(&self) -> &str {
        &self.owner.account_id
    }

    /// The platform an actor authenticates as, if it is one.
    fn platform(&self, actor: Actor) -> Option<&Platform> {
        Some(match actor {
            Actor::HoldingsRead => &self.holdings,
            Actor::TransactionsRead => &self.transactions,
            Actor::ReservedUnitsRead => &self.reserved,
            Actor::Association => &self.association,
            Actor::Revoked => &self.revoked,
            Actor::Unconsented => &self.unconsented,
            Actor::Registry => &self.registry,
            Actor::Controller => &self.controller,
            _ => return None,
        })
    }

    /// The bearer token an actor sends, if any.
    pub(super) fn token(&self, actor: Actor) -> Option<&str> {
        if let Some(platform) = self.platform(actor) {
            return Some(platform.token());
        }
        Some(match actor {
            Actor::Initiator => self.owner.initiator.token(),
            Actor::Approver => self.owner.approver.token(),
            Actor::OtherHolder => self.other.rep.token(),
            Actor::Delegate => self.delegate.token(),
            Actor::Operator => &self.operator_token,
            _ => return None,
        })
    }

    /// A serial of the owner's block that no other request of this world has used.
    fn fresh_serial(&self) -> u64 {
        self.block.serial_end - self.serials_used.fetch_add(1, Ordering::Relaxed)
    }

    /// Sends `request` as `actor` (a fresh `Idempotency-Key` on writes, or `key`).
    pub(super) async fn send(
        &self,
        ctx: &Ctx,
        actor: Actor,
        request: &Request,
        key: Option<&str>,
    ) -> Result<RawResponse, Failure> {
        let mut raw = ctx.raw(request.operation, request.method.clone(), &request.path);
        if let Some(key) = key {
            raw = raw.idempotency_key(key);
        }
        match &request.body {
            Body::Form(pairs) => {
                let mut pairs: Vec<(&str, &str)> = pairs
                    .iter()
                    .map(|(n, v)| (n.as_str(), v.as_str()))
                    .collect();
                match self.platform(actor) {
                    Some(platform) => {
                        pairs.push(("client_id", &platform.client_id));
                        pairs.push(("client_secret", platform.client_secret()));
                    }
                    None => {
                        if let Some(token) = self.token(actor) {
                            raw = raw.bearer(token);
                        }
                    }
                }
                return raw.form(&pairs).send().await;
            }
            Body::Json(value) => raw = raw.json(value),
            Body::Text(text) => raw = raw.body_text(text),
            Body::None => {}
        }
        if let Some(token) = self.token(actor) {
            raw = raw.bearer(token);
        }
        raw.send().await
    }
}

/// A platform representative of `platform`, appointed to the owner's account by delegation.
async fn delegate(
    ctx: &Ctx,
    owner: &FourEyes,
    platform: &Platform,
    roles: &[Role],
) -> Result<Rep, Failure> {
    let mut rep = ctx.platform_rep(platform).await?;
    owner
        .approver
        .client
        .appoint_delegate()
        .account_id(&owner.account_id)
        .body(DelegationRequest {
            representative_id: rep.id.clone(),
            roles: roles.to_vec(),
        })
        .send()
        .await
        .expect_ok("world: appoint_delegate")?;
    rep.roles = roles.to_vec();
    Ok(rep)
}

/// A request's body.
#[derive(Debug, Clone)]
pub(super) enum Body {
    None,
    Json(Value),
    /// Verbatim text sent as `application/json`.
    Text(String),
    /// Form fields (the token endpoint); platforms add their client credentials.
    Form(Vec<(String, String)>),
}

/// A valid request for one operation on an object of a [`World`].
#[derive(Debug, Clone)]
pub(super) struct Request {
    pub(super) operation: &'static str,
    pub(super) method: Method,
    pub(super) path: String,
    pub(super) body: Body,
}

/// Builds a valid request for `operation_id` on a fresh object of `world` (a new pending
/// transfer, consent, delegation, reservation, escrow, association or subscription where the
/// operation acts on one), so that the table's allowed actor succeeds with it.
pub(super) async fn target(
    ctx: &Ctx,
    world: &World,
    operation_id: &str,
) -> Result<Request, Failure> {
    let op = spec::operation(operation_id).ok_or_else(|| {
        Failure::new(format!(
            "suite bug: {operation_id} is not an operation of the spec"
        ))
    })?;
    let operation: &'static str = op.id.as_str();
    let account = world.account();
    let initiator = &world.owner.initiator;
    let day = world.now + Duration::days(1);
    let month = world.now + Duration::days(30);
    let json = |path: String, body: Value| Request {
        operation,
        method: op.method.clone(),
        path,
        body: Body::Json(body),
    };
    let bare = |path: String| Request {
        operation,
        method: op.method.clone(),
        path,
        body: Body::None,
    };
    let transfer = || async {
        initiate(
            &initiator.client,
            by_quantity(account, &world.dest.account_id, "ACCU", 1),
            "fixture: initiate_transfer",
        )
        .await
        .map(|t| t.transfer_id)
    };
    let cancellation = || async {
        super::support::initiate_cancellation(
            &initiator.client,
            cancel_quantity(account, "ACCU", 1),
            "fixture: initiate_cancellation",
        )
        .await
        .map(|c| c.cancellation_id)
    };
    let consent = || async {
        ctx.grant_until(
            initiator,
            account,
            &world.holdings,
            &[ConsentScope::HoldingsRead],
            month,
        )
        .await
        .map(|c| c.consent_id)
    };
    let reservation = || async {
        reserve(
            &initiator.client,
            reservation_request(account, &world.reserved, &world.custodial, 1, day),
            "fixture: create_reservation",
        )
        .await
        .map(|r| r.reservation_id)
    };
    let escrowed = || async {
        escrow(
            &initiator.client,
            escrow_request(account, &world.controller, 1, day),
            "fixture: create_escrow",
        )
        .await
        .map(|e| e.escrow_id)
    };
    let association = || async {
        let serial = world.fresh_serial();
        world
            .association
            .client
            .create_association()
            .body(AssociationRequest {
                account_id: account.to_owned(),
                unit_type: "ACCU".into(),
                serial,
                certificate_id: certificate(&format!("MX-{}-{serial}", ctx.check_id()))?,
            })
            .send()
            .await
            .expect_ok("fixture: create_association")
            .map(|a| a.association_id)
    };
    let subscription = || async {
        let (url, _) = ctx.webhook_url();
        world
            .holdings
            .client
            .create_webhook_subscription()
            .body(WebhookSubscriptionRequest {
                url,
                event_types: vec![EventType::ConsentExpired],
                secret: None,
            })
            .send()
            .await
            .expect_ok("fixture: create_webhook_subscription")
            .map(|s| s.subscription_id)
    };
    let unique = |what: &str| ctx.unique(what);
    Ok(match operation {
        "list_accounts"
        | "list_consents"
        | "list_reservations"
        | "list_escrows"
        | "list_associations"
        | "list_webhook_subscriptions"
        | "list_accu_projects"
        | "list_carbon_abatement_contracts"
        | "list_guarantee_of_origin_projects"
        | "get_clock"
        | "reset_sandbox" => bare(op.path.clone()),
        "create_operator_session" => bare(op.path.clone()),
        "get_account"
        | "list_holdings"
        | "list_transactions"
        | "list_account_consents"
        | "list_delegations" => bare(op.path.replace("{account_id}", account)),
        "initiate_transfer" => json(
            op.path.clone(),
            json!({"from_account_id": account, "to_account_id": world.dest.account_id,
                   "unit_type": "ACCU", "quantity": 1}),
        ),
        "get_transfer" | "approve_transfer" | "rescind_transfer" => {
            bare(op.path.replace("{transfer_id}", &transfer().await?))
        }
        "reject_transfer" => json(
            op.path.replace("{transfer_id}", &transfer().await?),
            json!({"reason": "access matrix"}),
        ),
        "initiate_cancellation" => json(
            op.path.clone(),
            json!({"account_id": account, "unit_type": "ACCU", "quantity": 1}),
        ),
        "get_cancellation" | "approve_cancellation" | "rescind_cancellation" => {
            bare(op.path.replace("{cancellation_id}", &cancellation().await?))
        }
        "create_account_holder" => json(op.path.clone(), json!({"name": unique("Matrix holder")})),
        "create_account" => json(
            op.path.clone(),
            json!({"holder_id": world.owner.holder.holder_id, "kind": "holding",
                   "name": unique("Matrix account")}),
        ),
        "appoint_representative" => json(
            op.path.replace("{account_id}", account),
            json!({"name": unique("Matrix AR"), "roles": ["approver"]}),
        ),
        "issue_units" => {
            let attrs = Attrs::accu();
            json(
                op.path.clone(),
                json!({"account_id": account, "unit_type": attrs.unit_type, "quantity": 1,
                       "project_id": attrs.project_id, "vintage": attrs.vintage,
                       "method": attrs.method, "kyoto_status": attrs.kyoto_status,
                       "state": attrs.state}),
            )
        }
        "create_platform" => json(
            op.path.clone(),
            json!({"kind": "trading_platform", "name": unique("Matrix platform")}),
        ),
        "create_platform_representative" => json(
            op.path
                .replace("{platform_id}", &world.holdings.platform_id),
            json!({"name": unique("Matrix platform AR")}),
        ),
        "advance_clock" => json(op.path.clone(), json!({"seconds": 1})),
        "issue_token" => Request {
            operation,
            method: op.method.clone(),
            path: op.path.clone(),
            body: Body::Form(vec![("grant_type".into(), "client_credentials".into())]),
        },
        "get_platform" => bare(
            op.path
                .replace("{platform_id}", &world.holdings.platform_id),
        ),
        "grant_consent" => json(
            op.path.replace("{account_id}", account),
            json!({"grantee_id": world.holdings.platform_id, "scopes": ["holdings_read"],
                   "expires_at": month}),
        ),
        "get_consent" => bare(op.path.replace("{consent_id}", &world.consent_id)),
        "revoke_consent" => bare(op.path.replace("{consent_id}", &consent().await?)),
        "appoint_delegate" => {
            let rep = ctx.platform_rep(&world.holdings).await?;
            json(
                op.path.replace("{account_id}", account),
                json!({"representative_id": rep.id, "roles": ["initiator"]}),
            )
        }
        "revoke_delegation" => {
            let rep = ctx.platform_rep(&world.holdings).await?;
            let delegation = world
                .owner
                .approver
                .client
                .appoint_delegate()
                .account_id(account)
                .body(DelegationRequest {
                    representative_id: rep.id.clone(),
                    roles: vec![Role::Initiator],
                })
                .send()
                .await
                .expect_ok("fixture: appoint_delegate")?;
            bare(
                op.path
                    .replace("{account_id}", account)
                    .replace("{delegation_id}", &delegation.delegation_id),
            )
        }
        "create_reservation" => json(
            op.path.clone(),
            json!({"account_id": account, "platform_id": world.reserved.platform_id,
                   "custodial_account_id": world.custodial, "unit_type": "ACCU", "quantity": 1,
                   "expires_at": day}),
        ),
        "get_reservation" | "release_reservation" => {
            bare(op.path.replace("{reservation_id}", &reservation().await?))
        }
        "create_escrow" => json(
            op.path.clone(),
            json!({"account_id": account, "controller_id": world.controller.platform_id,
                   "unit_type": "ACCU", "quantity": 1, "expires_at": day}),
        ),
        "get_escrow" | "release_escrow" => bare(op.path.replace("{escrow_id}", &escrowed().await?)),
        "settle_escrow" => json(
            op.path.replace("{escrow_id}", &escrowed().await?),
            json!({"to_account_id": world.dest.account_id}),
        ),
        "create_association" => {
            let serial = world.fresh_serial();
            json(
                op.path.clone(),
                json!({"account_id": account, "unit_type": "ACCU", "serial": serial,
                       "certificate_id": format!("MX-{}-{serial}", ctx.check_id())}),
            )
        }
        "get_association" | "dissolve_association" => {
            bare(op.path.replace("{association_id}", &association().await?))
        }
        "create_webhook_subscription" => {
            let (url, _) = ctx.webhook_url();
            json(
                op.path.clone(),
                json!({"url": url, "event_types": ["consent.expired"]}),
            )
        }
        "delete_webhook_subscription" | "list_webhook_deliveries" => {
            bare(op.path.replace("{subscription_id}", &subscription().await?))
        }
        other => {
            return Err(Failure::new(format!(
                "suite gap: no fixture builds a request for operation {other}; add it to matrix::target"
            )));
        }
    })
}

/// Whether `response` is the outcome `expected`; `Err` describes what came instead.
fn judge(op: &spec::Operation, expected: Outcome, response: &RawResponse) -> Result<(), String> {
    let got = || {
        let kind = if op.id == "issue_token" {
            response
                .json()
                .ok()
                .and_then(|v| v["error"].as_str().map(str::to_owned))
        } else {
            response.problem_type()
        };
        match kind {
            Some(kind) => format!("{} {kind}", response.status),
            None => response.status.to_string(),
        }
    };
    let Some(kind) = expected.problem_kind() else {
        return if response.status == op.success {
            Ok(())
        } else {
            Err(got())
        };
    };
    if op.id == "issue_token" {
        // RFC 6749: the token endpoint answers `{error, error_description}`, not problems.
        let error = response
            .json()
            .ok()
            .and_then(|v| v["error"].as_str().map(str::to_owned));
        return if expected == Outcome::Unauthenticated
            && response.status == 401
            && error.as_deref() == Some("invalid_client")
        {
            Ok(())
        } else {
            Err(got())
        };
    }
    let is_problem = response
        .content_type()
        .is_some_and(|t| t.starts_with("application/problem+json"));
    if response.status != kind.status() || response.problem_type().as_deref() != Some(kind.uri()) {
        return Err(got());
    }
    if !is_problem {
        return Err(format!(
            "{} with Content-Type {:?}, not application/problem+json",
            got(),
            response.content_type().unwrap_or("")
        ));
    }
    Ok(())
}

/// Runs one row of the matrix.
async fn run_row(ctx: Ctx, operation_id: &'static str) -> Result<(), Failure> {
    let op = spec::operation(operation_id).ok_or_else(|| {
        Failure::new(format!(
            "suite bug: {operation_id} is not an operation of the spec"
        ))
    })?;
    let cells = row(operation_id).map_err(Failure::new)?;
    let world = World::build(&ctx).await?;
    let shared = target(&ctx, &world, operation_id).await?;
    let expect = |actor: Actor| cells[actor.index()];

    let refused: Vec<Actor> = Actor::ALL
        .into_iter()
        .filter(|a| !matches!(expect(*a), Outcome::Allowed | Outcome::NotExercised))
        .collect();
    let allowed: Vec<Actor> = Actor::ALL
        .into_iter()
        .filter(|a| expect(*a) == Outcome::Allowed)
        .collect();
    let refusals = futures::future::join_all(refused.iter().map(|actor| async {
        let response = world.send(&ctx, *actor, &shared, None).await;
        (*actor, shared.clone(), response)
    }))
    .await;
    let world_ref = &world;
    let ctx_ref = &ctx;
    let shared_ref = &shared;
    let grants =
        futures::future::join_all(allowed.iter().enumerate().map(|(i, actor)| async move {
            let request = if i == 0 || op.method == Method::GET {
                shared_ref.clone()
            } else {
                match target(ctx_ref, world_ref, operation_id).await {
                    Ok(request) => request,
                    Err(failure) => return (*actor, shared_ref.clone(), Err(failure)),
                }
            };
            let response = world_ref.send(ctx_ref, *actor, &request, None).await;
            (*actor, request, response)
        }))
        .await;

    let mut mismatches = Vec::new();
    let mut evidence = None;
    for (actor, request, response) in refusals.into_iter().chain(grants) {
        let expected = expect(actor);
        let verdict = match &response {
            Ok(response) => judge(op, expected, response),
            Err(failure) => Err(format!("no answer ({failure})")),
        };
        if let (Ok(response), true) = (&response, expected == Outcome::Allowed) {
            note_issuance(&ctx, operation_id, response);
        }
        if let Err(got) = verdict {
            if evidence.is_none()
                && let Ok(response) = &response
            {
                evidence = Some(exchange(&world, actor, &request, response));
            }
            mismatches.push(format!(
                "{}: expected {}, got {got}",
                actor.label(),
                expected.describe(op.success)
            ));
        }
    }
    if mismatches.is_empty() {
        return Ok(());
    }
    let failure = Failure::new(format!(
        "{} of {} pairs ({operation_id} × actor kind) differ from the access matrix:\n  {}",
        mismatches.len(),
        refused.len() + allowed.len(),
        mismatches.join("\n  ")
    ));
    Err(match evidence {
        Some(exchange) => failure.with_exchange(exchange),
        None => failure,
    })
}

/// The exchange of a mismatching pair, pinned as the failure's evidence (credentials redacted).
fn exchange(
    world: &World,
    actor: Actor,
    request: &Request,
    response: &RawResponse,
) -> ucr_sdk::Exchange {
    let mut request_headers = Vec::new();
    if world.token(actor).is_some() && !matches!(request.body, Body::Form(_)) {
        request_headers.push(("authorization".to_owned(), "Bearer <redacted>".to_owned()));
    }
    let request_body = match &request.body {
        Body::None => bytes::Bytes::new(),
        Body::Json(value) => bytes::Bytes::from(value.to_string()),
        Body::Text(text) => bytes::Bytes::from(text.clone()),
        Body::Form(_) => bytes::Bytes::from_static(
            b"grant_type=client_credentials (client credentials redacted)",
        ),
    };
    ucr_sdk::Exchange {
        operation_id: request.operation,
        method: request.method.to_string(),
        url: response.url.clone(),
        request_headers,
        request_body,
        status: Some(response.status),
        response_headers: response
            .headers
            .iter()
            .map(|(name, value)| {
                (
                    name.as_str().to_owned(),
                    String::from_utf8_lossy(value.as_bytes()).into_owned(),
                )
            })
            .collect(),
        response_body: response.body.clone(),
    }
}

/// Units issued by a matrix request join the run's ledger, so that the run-wide conservation
/// checks still balance.
pub(super) fn note_issuance(ctx: &Ctx, operation_id: &str, response: &RawResponse) {
    if operation_id != "issue_units" || !(200..300).contains(&response.status) {
        return;
    }
    if let Ok(block) = serde_json::from_slice::<UnitBlock>(&response.body) {
        ctx.run_state()
            .ledger
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .issued
            .push(block);
    }
}

/// One function per row, for the `check!` table.
mod rows {
    use super::run_row;
    use crate::check::Failure;
    use crate::ctx::Ctx;

    macro_rules! rows {
        ($($op:ident)*) => {$(
            pub(super) async fn $op(ctx: Ctx) -> Result<(), Failure> {
                run_row(ctx, stringify!($op)).await
            }
        )*};
    }

    rows! {
        list_accounts get_account list_holdings list_transactions initiate_transfer get_transfer
        approve_transfer reject_transfer rescind_transfer initiate_cancellation get_cancellation
        approve_cancellation rescind_cancellation list_accu_projects
        list_carbon_abatement_contracts list_guarantee_of_origin_projects create_operator_session
        create_account_holder create_account appoint_representative issue_units reset_sandbox
        create_platform create_platform_representative get_clock advance_clock issue_token
        get_platform grant_consent list_account_consents list_consents get_consent revoke_consent
        appoint_delegate list_delegations revoke_delegation create_reservation list_reservations
        get_reservation release_reservation create_webhook_subscription
        list_webhook_subscriptions delete_webhook_subscription list_webhook_deliveries
        create_escrow list_escrows get_escrow settle_escrow release_escrow create_association
        list_associations get_association dissolve_association
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::*;

    /// A new operation in the spec without a row (or a row without a check) fails here.
    #[test]
    fn the_table_has_one_well_formed_row_per_spec_operation() {
        let spec: BTreeSet<&str> = spec::operations().iter().map(|o| o.id.as_str()).collect();
        let table: Vec<&str> = TABLE.iter().map(|(op, _)| *op).collect();
        let rows: BTreeSet<&str> = table.iter().copied().collect();
        assert_eq!(rows.len(), table.len(), "an operation has two rows");
        let missing: Vec<&&str> = spec.difference(&rows).collect();
        assert!(
            missing.is_empty(),
            "operations without a row in the access matrix: {missing:?}"
        );
        let unknown: Vec<&&str> = rows.difference(&spec).collect();
        assert!(
            unknown.is_empty(),
            "rows for operations the spec lacks: {unknown:?}"
        );
        for op in &table {
            row(op).unwrap_or_else(|e| panic!("{e}"));
        }
    }

    #[test]
    fn every_row_has_a_check_in_the_model_of_its_operation() {
        let checked: Vec<&str> = CHECKS
            .iter()
            .flat_map(|c| c.operations.iter().copied())
            .collect();
        let table: Vec<&str> = TABLE.iter().map(|(op, _)| *op).collect();
        let mut sorted = checked.clone();
        sorted.sort_unstable();
        let mut expected = table.clone();
        expected.sort_unstable();
        assert_eq!(sorted, expected, "one matrix check per row");
        for check in CHECKS {
            assert!(check.id.contains("-MATRIX-"), "{}", check.id);
        }
    }

    #[test]
    fn anonymous_callers_are_refused_401_everywhere_authentication_is_required() {
        for op in spec::operations() {
            let cells = row(&op.id).unwrap();
            let anonymous = cells[Actor::Anonymous.index()];
            let public = op.id.starts_with("list_") && op.path.starts_with("/v1/registers/")
                || op.id == "create_operator_session";
            if public {
                assert_eq!(anonymous, Outcome::Allowed, "{}", op.id);
            } else {
                assert_eq!(anonymous, Outcome::Unauthenticated, "{}", op.id);
            }
            assert!(
                op.problems.contains(&401) || public || op.id == "issue_token",
                "{} declares no 401",
                op.id
            );
        }
    }

    /// Each 403 or 404 cell must be a status the operation documents.
    #[test]
    fn every_refusal_in_the_table_is_documented_by_the_operation() {
        for op in spec::operations() {
            for (actor, cell) in Actor::ALL.iter().zip(row(&op.id).unwrap()) {
                if let Some(kind) = cell.problem_kind()
                    && op.id != "issue_token"
                {
                    assert!(
                        op.problems.contains(&kind.status()),
                        "{} × {}: {} is not documented for the operation",
                        op.id,
                        actor.label(),
                        kind.status()
                    );
                }
            }
        }
    }

    #[test]
    fn exactly_one_cell_is_not_exercised() {
        let skipped: Vec<(&str, Actor)> = TABLE
            .iter()
            .flat_map(|(op, _)| {
                let cells = row(op).unwrap();
                Actor::ALL
                    .into_iter()
                    .filter(move |a| cells[a.index()] == Outcome::NotExercised)
                    .map(move |a| (*op, a))
            })
            .collect();
        assert_eq!(skipped, [("reset_sandbox", Actor::Operator)]);
    }
}
