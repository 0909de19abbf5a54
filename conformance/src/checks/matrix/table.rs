//! The access matrix as data: who may call what ([`Actor`], [`Outcome`]) and one line per
//! operation ([`TABLE`]) from which the per-operation checks ([`CHECKS`]) are generated.

use ucr_sdk::ProblemKind;

use super::run_row;
use crate::check::Check;
use crate::checks::{A1, B2, B4, B5, C1, CONSENT};
use crate::model::Model;
use crate::outcome::Phase;

/// Who sends a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(in crate::checks) enum Actor {
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
    pub(in crate::checks) const ALL: [Actor; 14] = [
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
    pub(in crate::checks) fn label(self) -> &'static str {
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

    pub(in crate::checks) fn index(self) -> usize {
        Actor::ALL.iter().position(|a| *a == self).unwrap_or(0)
    }
}

/// What a pair must answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(in crate::checks) enum Outcome {
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
    pub(in crate::checks) fn parse(code: &str) -> Option<Self> {
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

    pub(in crate::checks) fn describe(self, success: u16) -> String {
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

    pub(in crate::checks) fn problem_kind(self) -> Option<ProblemKind> {
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

/// Declares the access matrix from one line per operation: the operation, its check's ID, model
/// and seed section, an optional phase, and the row of cells. Expands to [`TABLE`] and to the
/// per-operation checks [`CHECKS`], each running [`run_row`] on its operation.
macro_rules! access_matrix {
    ($($op:ident $id:literal $model:ident $seed:ident $($phase:ident)? $cells:literal $([$($cite:literal),*])?;)*) => {
/// The access matrix: one row per operation, one column per [`Actor`] in [`Actor::ALL`]'s order.
///
/// `A` allowed, `U` 401, `F` 403 forbidden, `C` 403 consent-required, `N` 404 not-found, `S` 404
/// sandbox-unavailable, `X` allowed but not exercised. The objects acted on: the owner's account
/// (path or the body's subject account), a transfer or cancellation initiated by the owner's
/// initiator, a consent granted to the `holdings_read` platform, a delegation of another platform
/// representative, a reservation for the `reserved_units_read` platform, an escrow controlled by
/// the controller, an association of the `association` registry, a webhook subscription of the
/// `holdings_read` platform.
        pub(in crate::checks) const TABLE: &[(&str, &str)] = &[$((stringify!($op), $cells)),*];

        /// One check per row of [`TABLE`], in the model of its operation.
        pub(in crate::checks) const CHECKS: &[Check] = &[$(Check {
            id: $id,
            model: Model::$model,
            seed: $seed,
            operations: &[stringify!($op)],
            description: concat!(
                "Access matrix, ",
                stringify!($op),
                ": every actor kind gets the table's outcome (2xx, 401, 403 or 404); allowed \
                 means the documented success (for a list: with only the rows the caller may see)"
            ),
            phase: access_matrix!(@phase $($phase)?),
            requires: None,
            // The rules every cell of the table follows: 401 without a token, 404 for what the
            // caller cannot see, the 403 split, who sees what, the roles and the scopes.
            cites: &[
                "REQ-AUTH-001",
                "REQ-ACCESS-001",
                "REQ-ACCESS-002",
                "REQ-ACCESS-003",
                "REQ-ACCESS-004",
                "REQ-ACCESS-006",
                "REQ-APPROVAL-001",
                "REQ-APPROVAL-002",
                "REQ-APPROVAL-003",
                "REQ-SCOPE-002",
                "REQ-SCOPE-010",
                "REQ-SCOPE-011",
                "REQ-SCOPE-012",
                $($($cite),*)?
            ],
            run: |ctx| Box::pin(run_row(ctx, stringify!($op))),
        }),*];
    };
    (@phase) => { Phase::Main };
    (@phase $phase:ident) => { Phase::$phase };
}

#[rustfmt::skip]
access_matrix! {
    // operation                       check ID        model seed  phase  ini apr oth hld trx rsv asc rvk unc reg del ctl opr ano
    list_accounts                     "A1-MATRIX-001" A1 A1            "A   A   A   A   A   A   A   A   A   A   A   A   A   U" ["REQ-ACCESS-008", "REQ-SCOPE-007"];
    get_account                       "A1-MATRIX-002" A1 A1            "A   A   N   A   C   C   C   C   N   N   A   N   N   U";
    list_holdings                     "A1-MATRIX-003" A1 A1            "A   A   N   A   C   A   A   C   N   N   A   N   N   U" ["REQ-SCOPE-003", "REQ-SCOPE-004", "REQ-SCOPE-005"];
    list_transactions                 "A1-MATRIX-004" A1 A1            "A   A   N   C   A   C   C   C   N   N   A   N   N   U" ["REQ-SCOPE-006"];
    initiate_transfer                 "A1-MATRIX-005" A1 A1            "A   F   N   F   F   F   F   F   N   N   A   N   N   U";
    get_transfer                      "A1-MATRIX-006" A1 A1            "A   A   N   N   N   N   N   N   N   N   A   N   N   U" ["REQ-ACCESS-005"];
    approve_transfer                  "A1-MATRIX-007" A1 A1            "F   A   N   N   N   N   N   N   N   N   A   N   N   U" ["REQ-ACCESS-005"];
    reject_transfer                   "A1-MATRIX-008" A1 A1            "F   A   N   N   N   N   N   N   N   N   A   N   N   U" ["REQ-ACCESS-005"];
    rescind_transfer                  "A1-MATRIX-009" A1 A1            "A   F   N   N   N   N   N   N   N   N   A   N   N   U" ["REQ-ACCESS-005"];
    initiate_cancellation             "A1-MATRIX-010" A1 A1            "A   F   N   F   F   F   F   F   N   N   A   N   N   U";
    get_cancellation                  "A1-MATRIX-011" A1 A1            "A   A   N   N   N   N   N   N   N   N   A   N   N   U" ["REQ-ACCESS-005"];
    approve_cancellation              "A1-MATRIX-012" A1 A1            "F   A   N   N   N   N   N   N   N   N   A   N   N   U" ["REQ-ACCESS-005"];
    rescind_cancellation              "A1-MATRIX-013" A1 A1            "A   F   N   N   N   N   N   N   N   N   A   N   N   U" ["REQ-ACCESS-005"];
    reject_cancellation               "A1-MATRIX-027" A1 A1            "F   A   N   N   N   N   N   N   N   N   A   N   N   U" ["REQ-ACCESS-005"];
    list_accu_projects                "A1-MATRIX-014" A1 A1            "A   A   A   A   A   A   A   A   A   A   A   A   A   A";
    get_accu_project                  "A1-MATRIX-032" A1 A1            "A   A   A   A   A   A   A   A   A   A   A   A   A   A";
    list_carbon_abatement_contracts   "A1-MATRIX-015" A1 A1            "A   A   A   A   A   A   A   A   A   A   A   A   A   A";
    get_carbon_abatement_contract     "A1-MATRIX-033" A1 A1            "A   A   A   A   A   A   A   A   A   A   A   A   A   A";
    list_guarantee_of_origin_projects "A1-MATRIX-016" A1 A1            "A   A   A   A   A   A   A   A   A   A   A   A   A   A";
    get_guarantee_of_origin_project   "A1-MATRIX-034" A1 A1            "A   A   A   A   A   A   A   A   A   A   A   A   A   A";
    create_operator_session           "A1-MATRIX-017" A1 A1            "A   A   A   A   A   A   A   A   A   A   A   A   A   A";
    create_account_holder             "A1-MATRIX-018" A1 A1            "S   S   S   S   S   S   S   S   S   S   S   S   A   U";
    create_account                    "A1-MATRIX-019" A1 A1            "S   S   S   S   S   S   S   S   S   S   S   S   A   U";
    appoint_representative            "A1-MATRIX-020" A1 A1            "S   S   S   S   S   S   S   S   S   S   S   S   A   U";
    issue_units                       "A1-MATRIX-021" A1 A1            "S   S   S   S   S   S   S   S   S   S   S   S   A   U";
    reset_sandbox                     "A1-MATRIX-022" A1 A1            "S   S   S   S   S   S   S   S   S   S   S   S   X   U";
    create_platform                   "A1-MATRIX-023" A1 A1            "S   S   S   S   S   S   S   S   S   S   S   S   A   U";
    create_platform_representative    "A1-MATRIX-024" A1 A1            "S   S   S   S   S   S   S   S   S   S   S   S   A   U";
    get_clock                         "A1-MATRIX-025" A1 A1            "S   S   S   S   S   S   S   S   S   S   S   S   A   U";
    advance_clock                     "A1-MATRIX-026" A1 A1      Clock "S   S   S   S   S   S   S   S   S   S   S   S   A   U";
    get_authorization_server_metadata "A1-MATRIX-028" A1 A1            "A   A   A   A   A   A   A   A   A   A   A   A   A   A";
    authorize                         "A1-MATRIX-029" A1 A1            "A   A   A   A   A   A   A   A   A   A   A   A   A   A";
    decide_authorization              "A1-MATRIX-030" A1 A1            "A   A   A   A   A   A   A   A   A   A   A   A   A   A";
    create_oauth_client               "A1-MATRIX-031" A1 A1            "S   S   S   S   S   S   S   S   S   S   S   S   A   U";
    issue_token                       "B1-MATRIX-001" B1 CONSENT       "U   U   U   A   A   A   A   A   A   A   U   A   U   U";
    revoke_token                      "B1-MATRIX-008" B1 CONSENT       "U   U   U   A   A   A   A   A   A   A   U   A   U   U";
    get_platform                      "B1-MATRIX-002" B1 CONSENT       "A   A   A   A   A   A   A   A   A   A   A   A   A   U" ["REQ-ACCESS-009"];
    grant_consent                     "B1-MATRIX-003" B1 CONSENT       "A   A   N   F   F   F   F   F   N   N   A   N   N   U";
    list_account_consents             "B1-MATRIX-004" B1 CONSENT       "A   A   N   F   F   F   F   F   N   N   A   N   N   U";
    list_consents                     "B1-MATRIX-005" B1 CONSENT       "A   A   A   A   A   A   A   A   A   A   A   A   A   U" ["REQ-ACCESS-008"];
    get_consent                       "B1-MATRIX-006" B1 CONSENT       "A   A   N   A   N   N   N   N   N   N   A   N   N   U";
    revoke_consent                    "B1-MATRIX-007" B1 CONSENT       "A   A   N   A   N   N   N   N   N   N   A   N   N   U";
    appoint_delegate                  "B2-MATRIX-001" B2 B2            "F   A   N   F   F   F   F   F   N   N   A   N   N   U";
    list_delegations                  "B2-MATRIX-002" B2 B2            "A   A   N   F   F   F   F   F   N   N   A   N   N   U";
    revoke_delegation                 "B2-MATRIX-003" B2 B2            "A   A   N   F   F   F   F   F   N   N   A   N   N   U";
    create_reservation                "B4-MATRIX-001" B4 B4            "A   F   N   F   F   F   F   F   N   N   A   N   N   U";
    list_reservations                 "B4-MATRIX-002" B4 B4            "A   A   A   A   A   A   A   A   A   A   A   A   A   U" ["REQ-ACCESS-008", "REQ-SCOPE-008"];
    get_reservation                   "B4-MATRIX-003" B4 B4            "A   A   N   N   N   A   N   N   N   N   A   N   N   U" ["REQ-SCOPE-008"];
    release_reservation               "B4-MATRIX-004" B4 B4            "A   A   N   N   N   F   N   N   N   N   A   N   N   U";
    create_escrow                     "B5-MATRIX-001" B5 B5            "A   F   N   F   F   F   F   F   N   N   A   N   N   U";
    list_escrows                      "B5-MATRIX-002" B5 B5            "A   A   A   A   A   A   A   A   A   A   A   A   A   U" ["REQ-ACCESS-008"];
    get_escrow                        "B5-MATRIX-003" B5 B5            "A   A   N   N   N   N   N   N   N   N   A   A   N   U";
    settle_escrow                     "B5-MATRIX-004" B5 B5            "F   F   N   N   N   N   N   N   N   N   F   A   N   U";
    release_escrow                    "B5-MATRIX-005" B5 B5            "F   F   N   N   N   N   N   N   N   N   F   A   N   U";
    approve_escrow                    "B5-MATRIX-006" B5 B5            "F   A   N   N   N   N   N   N   N   N   A   F   N   U" ["REQ-ESCROW-012"];
    reject_escrow                     "B5-MATRIX-007" B5 B5            "F   A   N   N   N   N   N   N   N   N   A   F   N   U" ["REQ-ESCROW-012"];
    create_association                "C1-MATRIX-001" C1 C1            "F   F   N   F   F   F   A   F   N   N   F   N   N   U";
    list_associations                 "C1-MATRIX-002" C1 C1            "A   A   A   A   A   A   A   A   A   A   A   A   A   U" ["REQ-ACCESS-008"];
    get_association                   "C1-MATRIX-003" C1 C1            "A   A   N   N   N   N   A   N   N   N   A   N   N   U";
    dissolve_association              "C1-MATRIX-004" C1 C1            "F   F   N   N   N   N   A   N   N   N   F   N   N   U";
    create_webhook_subscription       "B4-MATRIX-005" B4 B4            "A   A   A   A   A   A   A   A   A   A   A   A   F   U" ["REQ-ACCESS-010"];
    list_webhook_subscriptions        "B4-MATRIX-006" B4 B4            "A   A   A   A   A   A   A   A   A   A   A   A   F   U" ["REQ-ACCESS-010"];
    delete_webhook_subscription       "B4-MATRIX-007" B4 B4            "N   N   N   A   N   N   N   N   N   N   N   N   N   U";
    list_webhook_deliveries           "B4-MATRIX-008" B4 B4            "N   N   N   A   N   N   N   N   N   N   N   N   N   U";
}

/// The row of `operation_id`, parsed.
pub(in crate::checks) fn row(operation_id: &str) -> Result<[Outcome; 14], String> {
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
pub(in crate::checks) fn first_allowed(operation_id: &str) -> Option<Actor> {
    let cells = row(operation_id).ok()?;
    Actor::ALL
        .into_iter()
        .find(|a| cells[a.index()] == Outcome::Allowed)
}
