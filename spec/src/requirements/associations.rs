//! Requirements on associations (C.1): creating them, 1:1 uniqueness, their status following the
//! unit, and dissolving them.

use super::{Requirement, Verification::Api};

/// The association requirements (`REQ-ASSOCIATION-*`).
pub const REQUIREMENTS: &[Requirement] = &[
    Requirement {
        id: "REQ-ASSOCIATION-001",
        text: "`create_association` by a representative MUST be answered `403 forbidden` on an account it represents and `404 not-found` on any other.",
        operations: &["create_association"],
        verification: Api,
    },
    Requirement {
        id: "REQ-ASSOCIATION-002",
        text: "`create_association` MUST be answered `409 units-not-held` when the account does not hold the serial and `409 units-locked` when the account holds it `cancelled`, and MUST accept a serial the account holds `available`, `pending`, `reserved` or `escrowed`.",
        operations: &["create_association"],
        verification: Api,
    },
    Requirement {
        id: "REQ-ASSOCIATION-003",
        text: "A unit MUST have at most one live (`active` or `cancelled`) association across all registries and a registry's `certificate_id` at most one live association, and a request that would break either MUST be answered `409 association-conflict`.",
        operations: &["create_association"],
        verification: Api,
    },
    Requirement {
        id: "REQ-ASSOCIATION-004",
        text: "An `active` association MUST become `transferred` when its unit leaves the account by any completed transfer (a reservation transfer and an escrow settlement included) and `cancelled` when a cancellation of its unit is approved, with `updated_at` the instant of that change.",
        operations: &[
            "approve_transfer",
            "settle_escrow",
            "approve_cancellation",
            "get_association",
        ],
        verification: Api,
    },
    Requirement {
        id: "REQ-ASSOCIATION-005",
        text: "`dissolve_association` MUST be allowed only to the registry that made the association, and the current representatives of its account MUST be answered `403 forbidden`.",
        operations: &["dissolve_association"],
        verification: Api,
    },
    Requirement {
        id: "REQ-ASSOCIATION-006",
        text: "`dissolve_association` MUST make an `active` or `cancelled` association `dissolved` and MUST be answered `409 invalid-state` for a `transferred` or `dissolved` one.",
        operations: &["dissolve_association"],
        verification: Api,
    },
    Requirement {
        id: "REQ-ASSOCIATION-007",
        text: "An association MUST change status only as REQ-ASSOCIATION-004 and REQ-ASSOCIATION-006 say, so that `transferred` and `dissolved` are final and a `cancelled` association MUST NOT change except to `dissolved`.",
        operations: &["get_association"],
        verification: Api,
    },
    Requirement {
        id: "REQ-ASSOCIATION-008",
        text: "An association MUST be visible only to the registry that made it and to the current representatives of its account, so that every other caller MUST be answered `404 not-found`.",
        operations: &[
            "get_association",
            "dissolve_association",
            "list_associations",
        ],
        verification: Api,
    },
];
