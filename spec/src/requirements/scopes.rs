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
        text: "`list_holdings` by a trading platform or third-party registry holding an active consent with `holdings_read` or `association` on the account MUST return every block of the account, exactly as for a representative, unless every such consent carries a `subset` (then REQ-SCOPE-014).",
        operations: &["list_holdings"],
        verification: Api,
    },
    Requirement {
        id: "REQ-SCOPE-004",
        text: "`list_holdings` by a trading platform or third-party registry holding an active consent with `reserved_units_read` but neither `holdings_read` nor `association` on the account MUST succeed and return exactly the account's blocks in status `reserved` whose units belong to active reservations made for the caller, an empty page when there are none, narrowed by the consents' subsets as REQ-SCOPE-014 says.",
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
    Requirement {
        id: "REQ-SCOPE-013",
        text: "A consent with a `subset` MUST open its scopes only over the units the subset selects, so that what a read shows a trading platform or third-party registry on an account is the union, over its active consents there carrying a scope that opens the read, of the units each selects (every unit of the account when one of them has no subset).",
        operations: &["list_holdings", "get_account", "list_transactions"],
        verification: Api,
    },
    Requirement {
        id: "REQ-SCOPE-014",
        text: "`list_holdings` under consents with a `subset` MUST return no unit the caller's consents do not select, and a block only partly selected MUST be returned as its selected parts, each with the block's status and attributes, its own `serial_start`, `serial_end` and `quantity`, and `block_id` `<unit_type>-<serial_start>` of the part.",
        operations: &["list_holdings"],
        verification: Api,
    },
    Requirement {
        id: "REQ-SCOPE-015",
        text: "`get_account` by a trading platform or third-party registry MUST report in `balances` only the units its active `holdings_read` consents on the account select, so that the balances are the totals by status of the blocks `list_holdings` returns under those consents.",
        operations: &["get_account"],
        verification: Api,
    },
    Requirement {
        id: "REQ-SCOPE-016",
        text: "`list_transactions` by a trading platform or third-party registry MUST return only the rows with a unit its active `transactions_read` consents on the account select, each with `serial_ranges` and `quantity` narrowed to the selected units.",
        operations: &["list_transactions"],
        verification: Api,
    },
    Requirement {
        id: "REQ-SCOPE-017",
        text: "A consent with a `subset` MUST count for routing `transfer.completed` (REQ-EVENT-009) only when it selects at least one of the transfer's units, so that no event tells a platform or registry of a transfer of units outside its consents.",
        operations: &["webhook:transfer.completed"],
        verification: Api,
    },
    Requirement {
        id: "REQ-SCOPE-018",
        text: "`list_reservations` MUST leave out, and `get_reservation` MUST answer `403 consent-required` for, a reservation made for the platform whose units are not all selected by its active `reserved_units_read` or `holdings_read` consents on the account.",
        operations: &["list_reservations", "get_reservation"],
        verification: Api,
    },
    Requirement {
        id: "REQ-SCOPE-019",
        text: "`create_association` by a third-party registry MUST be answered `403 consent-required`, changing nothing, when the serials it names are not all selected by its active `association` consents on the account.",
        operations: &["create_association"],
        verification: Api,
    },
];
