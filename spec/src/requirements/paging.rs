//! Requirements on cursor-paged lists: `limit`, `page_token`, `next_page` and what a walk yields.

use super::{Requirement, Verification::Api};

/// Every list operation (those taking `page_token`).
pub(super) const LISTS: &[&str] = &[
    "list_accounts",
    "list_holdings",
    "list_transactions",
    "list_accu_projects",
    "list_carbon_abatement_contracts",
    "list_guarantee_of_origin_projects",
    "list_account_consents",
    "list_consents",
    "list_delegations",
    "list_reservations",
    "list_escrows",
    "list_associations",
    "list_webhook_subscriptions",
    "list_webhook_deliveries",
];

/// The paging requirements (`REQ-PAGING-*`).
pub const REQUIREMENTS: &[Requirement] = &[
    Requirement {
        id: "REQ-PAGING-001",
        text: "A list response MUST be an object with exactly the members `items` and `next_page`, where `next_page` is always present: a non-empty string when another page follows and `null` on the last page.",
        operations: LISTS,
        verification: Api,
    },
    Requirement {
        id: "REQ-PAGING-002",
        text: "`next_page` MUST be non-null exactly when at least one more item follows, so a last page that is exactly `limit` items long has `next_page: null` and a non-null `next_page` never leads to an empty page.",
        operations: LISTS,
        verification: Api,
    },
    Requirement {
        id: "REQ-PAGING-003",
        text: "A page MUST hold `limit` items (50 when `limit` is absent) unless it is the last page, which holds the remaining items.",
        operations: LISTS,
        verification: Api,
    },
    Requirement {
        id: "REQ-PAGING-004",
        text: "A `limit` that is not a base-10 integer from 1 to 200 (including an empty value, `0`, `201`, a negative or a fractional number) MUST be refused with `400 invalid-parameter` whose `invalid_params` names `limit`.",
        operations: LISTS,
        verification: Api,
    },
    Requirement {
        id: "REQ-PAGING-005",
        text: "Items MUST be ordered by the list's documented key, and following `next_page` from the first page MUST yield every item that matches the filters throughout the walk exactly once, whatever items are added or change meanwhile.",
        operations: LISTS,
        verification: Api,
    },
    Requirement {
        id: "REQ-PAGING-006",
        text: "A `page_token` is opaque: clients MUST pass a `next_page` value back unchanged, and implementations MAY encode in it whatever they need.",
        operations: LISTS,
        verification: Api,
    },
    Requirement {
        id: "REQ-PAGING-007",
        text: "A `page_token` MUST carry the filters of the walk that issued it: a request with a `page_token` and no filter parameters MUST be answered with the token's filters, one repeating exactly those filters MUST be answered the same, and one with different filters MUST be refused with `400 invalid-parameter` naming `page_token`.",
        operations: LISTS,
        verification: Api,
    },
    Requirement {
        id: "REQ-PAGING-008",
        text: "A `page_token` the same list did not issue (one that does not decode, or was issued by another list operation or for another account's list) MUST be refused with `400 invalid-parameter` naming `page_token`.",
        operations: LISTS,
        verification: Api,
    },
    Requirement {
        id: "REQ-PAGING-009",
        text: "A `page_token` MUST stay usable for as long as the implementation runs without a sandbox reset, and after a reset a token issued before it MAY be refused with `400 invalid-parameter`.",
        operations: LISTS,
        verification: Api,
    },
    Requirement {
        id: "REQ-PAGING-010",
        text: "An enumerated filter (`status`, `state`, `kind` and the like) with a value outside its enumeration, or a boolean filter with a value other than `true` or `false`, MUST be refused with `400 invalid-parameter` naming it, while an unknown value of a free-text filter (`unit_type`, `vintage`, `project_id` and the like) MUST give an empty page, not a refusal.",
        operations: LISTS,
        verification: Api,
    },
    Requirement {
        id: "REQ-PAGING-011",
        text: "An `account_id` filter naming an account the caller cannot see MUST give an empty page, exactly as for an account that does not exist.",
        operations: &["list_reservations", "list_escrows", "list_associations"],
        verification: Api,
    },
    Requirement {
        id: "REQ-PAGING-012",
        text: "Transactions MUST be ordered by `created_at` as an instant, then by `transaction_id` compared as a string, and the `from` filter MUST be inclusive and `to` exclusive, with an unparseable date-time refused with `400 invalid-parameter` naming it.",
        operations: &["list_transactions"],
        verification: Api,
    },
];
