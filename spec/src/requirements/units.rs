//! Requirements on units and blocks: what a block holds, how units change status, conservation.

use super::{Requirement, Verification::Api};

/// The unit and block requirements (`REQ-UNITS-*`).
pub const REQUIREMENTS: &[Requirement] = &[
    Requirement {
        id: "REQ-UNITS-001",
        text: "A block MUST contain only units of one unit type with identical attributes (`project_id`, `method`, `facility_id`, `facility_name`, `issuance_year`, `vintage`, `kyoto_status`, `state`, `issued_on`) and one status and, while `pending`, `reserved` or `escrowed`, only units of one transaction, reservation or escrow.",
        operations: &["list_holdings"],
        verification: Api,
    },
    Requirement {
        id: "REQ-UNITS-002",
        text: "Implementations MAY split blocks, and MAY merge or keep apart adjacent blocks that REQ-UNITS-001 allows to be one, so clients MUST NOT depend on block boundaries or `block_id`s beyond the serials, attributes and status each block carries.",
        operations: &["list_holdings"],
        verification: Api,
    },
    Requirement {
        id: "REQ-UNITS-003",
        text: "A block's `block_id` MUST be `<unit_type>-<serial_start>` of the block as served, and its `quantity` MUST be `serial_end - serial_start + 1`.",
        operations: &["list_holdings", "issue_units"],
        verification: Api,
    },
    Requirement {
        id: "REQ-UNITS-004",
        text: "A block's `transaction_id` MUST be the ID of the transfer or cancellation holding its units while the block is `pending`, and MUST be absent or null in every other status.",
        operations: &["list_holdings"],
        verification: Api,
    },
    Requirement {
        id: "REQ-UNITS-005",
        text: "Units MUST be created only by issuance and MUST never be destroyed, so that per unit type the units of all accounts in every status, `cancelled` included, add up to the units issued, and no serial is ever in two blocks.",
        operations: &[],
        verification: Api,
    },
    Requirement {
        id: "REQ-UNITS-006",
        text: "An account's `balances` MUST give, for each unit type it holds a block of, the number of its units in each status, equal to the sums over its blocks.",
        operations: &["get_account"],
        verification: Api,
    },
    Requirement {
        id: "REQ-UNITS-007",
        text: "`list_holdings` MUST list every block of the account in every status, `cancelled` included, unless a filter narrows it.",
        operations: &["list_holdings"],
        verification: Api,
    },
    Requirement {
        id: "REQ-UNITS-008",
        text: "A new transfer, cancellation, reservation or escrow MUST take only `available` units: chosen by quantity it MUST skip units in every other status, and chosen by serial it MUST answer `409 units-locked` when a named serial is held by the account in any other status.",
        operations: &[
            "initiate_transfer",
            "initiate_cancellation",
            "create_reservation",
            "create_escrow",
        ],
        verification: Api,
    },
    Requirement {
        id: "REQ-UNITS-009",
        text: "A unit's status MUST change only as follows: `available` to `pending`, `reserved` or `escrowed` when a transfer or cancellation is initiated, a reservation made or an escrow created; `reserved` to `pending` when a transfer of its reservation is initiated; `pending` back to `available`, or to `reserved` for a transfer of a reservation, when the transaction ends unapproved; `pending` to `cancelled` when a cancellation is approved; `reserved` to `available` when its reservation is released or expires; `escrowed` to `available` when its escrow is released; and a unit leaving its account by an approved transfer or an escrow settlement MUST arrive `available` in the destination.",
        operations: &[],
        verification: Api,
    },
    Requirement {
        id: "REQ-UNITS-010",
        text: "Cancelled units MUST stay in the holdings of the account they were cancelled from, with status `cancelled`, and MUST never move or change status again.",
        operations: &["approve_cancellation", "list_holdings"],
        verification: Api,
    },
    Requirement {
        id: "REQ-UNITS-011",
        text: "A new transfer, cancellation, reservation or escrow chosen by `quantity` MUST be answered `409 insufficient-units` when the account holds fewer `available` units matching its `unit_type`, `vintage` and `project_id` than asked, and one chosen by `serial_ranges` MUST be answered `409 units-not-held` when the account holds a named serial in no status.",
        operations: &[
            "initiate_transfer",
            "initiate_cancellation",
            "create_reservation",
            "create_escrow",
        ],
        verification: Api,
    },
    Requirement {
        id: "REQ-UNITS-012",
        text: "An account's transaction history MUST list every issuance into the account with kind `issuance`, status `completed`, no `from_account_id` and the account as `to_account_id`, and every row of it, of any kind, MUST give the `unit_type`, `quantity` and `serial_ranges` of the units its transaction covers and as `created_at` the registry-clock instant the transaction was created.",
        operations: &["list_transactions", "issue_units"],
        verification: Api,
    },
    Requirement {
        id: "REQ-UNITS-013",
        text: "Units MUST carry the attributes of their unit type and no other: an `ACCU` block or issuance `project_id` and `method` and never `facility_id`, `facility_name` or `issuance_year`; an `SMC` block or issuance (issued to a Safeguard facility, not a project) `facility_id`, `facility_name` and `issuance_year` and never `project_id`, `method` or `kyoto_status`; `issue_units` MUST refuse an issuance that breaks this with `422 validation-failed`; `list_holdings`' `facility_id` filter MUST return exactly the blocks of that facility, as `project_id` does for a project.",
        operations: &["list_holdings", "issue_units"],
        verification: Api,
    },
];
