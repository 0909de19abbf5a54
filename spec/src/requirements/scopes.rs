//! Requirements on consent scopes: for each scope, the operations it opens to a trading platform or
//! third-party registry, and what every other operation answers it.

use super::{Requirement, Verification::Api};

/// The scope requirements (`REQ-SCOPE-*`).
pub const REQUIREMENTS: &[Requirement] = &[
    Requirement {
        id: "REQ-SCOPE-001",
        text: "What a trading platform or third-party registry MAY do on an account through consents MUST be the union of the scopes of its consents on that account that are `active` at the time of the request.",
        operations: &[],
        verification: Api,
    },
    Requirement {
        id: "REQ-SCOPE-002",
        text: "`get_account` by a trading platform or third-party registry MUST succeed if and only if it holds an active consent with `holdings_read` on the account, and otherwise MUST be answered `403 consent-required` when it can see the account and `404 not-found` when it cannot.",
        operations: &["get_account"],
        verification: Api,
    },
    Requirement {
        id: "REQ-SCOPE-003",
        text: "`list_holdings` by a trading platform or third-party registry holding an active consent with `holdings_read` or `association` on the account MUST return every block of the account, exactly as for a representative.",
        operations: &["list_holdings"],
        verification: Api,
    },
    Requirement {
        id: "REQ-SCOPE-004",
        text: "`list_holdings` by a trading platform or third-party registry holding an active consent with `reserved_units_read` but neither `holdings_read` nor `association` on the account MUST succeed and return exactly the account's blocks in status `reserved` whose units belong to active reservations made for the caller, an empty page when there are none.",
        operations: &["list_holdings"],
        verification: Api,
    },
    Requirement {
        id: "REQ-SCOPE-005",
        text: "`list_holdings` by a trading platform or third-party registry with no active consent carrying `holdings_read`, `association` or `reserved_units_read` on the account MUST be answered `403 consent-required` when it can see the account and `404 not-found` when it cannot.",
        operations: &["list_holdings"],
        verification: Api,
    },
    Requirement {
        id: "REQ-SCOPE-006",
        text: "`list_transactions` by a trading platform or third-party registry MUST succeed if and only if it holds an active consent with `transactions_read` on the account, and otherwise MUST be answered `403 consent-required` when it can see the account and `404 not-found` when it cannot.",
        operations: &["list_transactions"],
        verification: Api,
    },
    Requirement {
        id: "REQ-SCOPE-007",
        text: "`list_accounts` by a trading platform or third-party registry MUST return exactly the accounts on which it holds an active consent with `holdings_read`.",
        operations: &["list_accounts"],
        verification: Api,
    },
    Requirement {
        id: "REQ-SCOPE-008",
        text: "`get_reservation` by the platform a reservation is made for MUST succeed if it holds an active consent with `reserved_units_read` or `holdings_read` on the reservation's account and MUST be answered `403 consent-required` otherwise, and `list_reservations` MUST list to a platform exactly the reservations made for it on accounts where it holds such a consent.",
        operations: &["get_reservation", "list_reservations"],
        verification: Api,
    },
    Requirement {
        id: "REQ-SCOPE-009",
        text: "`create_association` by a third-party registry MUST be allowed only while it holds an active consent with `association` on the account, and a registry that can see the account without one MUST be answered `403 consent-required`.",
        operations: &["create_association"],
        verification: Api,
    },
    Requirement {
        id: "REQ-SCOPE-010",
        text: "No consent scope opens `initiate_transfer`, `initiate_cancellation`, `grant_consent`, `list_account_consents`, `appoint_delegate`, `list_delegations`, `revoke_delegation`, `create_reservation` or `create_escrow` to a trading platform or third-party registry, which MUST be answered `403 forbidden` on an account it can see and `404 not-found` on one it cannot.",
        operations: &[
            "initiate_transfer",
            "initiate_cancellation",
            "grant_consent",
            "list_account_consents",
            "appoint_delegate",
            "list_delegations",
            "revoke_delegation",
            "create_reservation",
            "create_escrow",
        ],
        verification: Api,
    },
    Requirement {
        id: "REQ-SCOPE-011",
        text: "`create_association` by a trading platform MUST be answered `403 forbidden` on an account it can see and `404 not-found` on one it cannot, because `association` cannot be granted to a trading platform.",
        operations: &["create_association"],
        verification: Api,
    },
    Requirement {
        id: "REQ-SCOPE-012",
        text: "A trading platform or third-party registry MUST be able to read and act on its own objects without any active consent on their account: the consents granted to it (`get_consent`, `revoke_consent`), the escrows it controls (`get_escrow`, `settle_escrow`, `release_escrow`) and the associations it made (`get_association`, `dissolve_association`).",
        operations: &[
            "get_consent",
            "revoke_consent",
            "get_escrow",
            "settle_escrow",
            "release_escrow",
            "get_association",
            "dissolve_association",
        ],
        verification: Api,
    },
];
