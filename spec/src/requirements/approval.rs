//! Requirements on roles and the four-eyes rule: who initiates, approves, rejects and rescinds.

use super::{Requirement, Verification::Api};

/// The role and four-eyes requirements (`REQ-APPROVAL-*`).
pub const REQUIREMENTS: &[Requirement] = &[
    Requirement {
        id: "REQ-APPROVAL-001",
        text: "`initiate_transfer`, `initiate_cancellation`, `create_reservation` and `create_escrow` MUST be allowed only to a current representative of the account holding the `initiator` role, and a representative of the account without that role MUST be answered `403 forbidden`.",
        operations: &[
            "initiate_transfer",
            "initiate_cancellation",
            "create_reservation",
            "create_escrow",
        ],
        verification: Api,
    },
    Requirement {
        id: "REQ-APPROVAL-002",
        text: "`approve_transfer`, `reject_transfer` and `approve_cancellation` MUST be allowed only to a current representative of the source account holding the `approver` role, and every other caller that can see the transaction (a representative without that role, a representative of the destination account only, an escrow's controller) MUST be answered `403 forbidden`.",
        operations: &[
            "approve_transfer",
            "reject_transfer",
            "approve_cancellation",
        ],
        verification: Api,
    },
    Requirement {
        id: "REQ-APPROVAL-003",
        text: "`rescind_transfer` and `rescind_cancellation` MUST be allowed to every current representative of the source account holding the `initiator` role, not only to the one who initiated, and every other caller that can see the transaction MUST be answered `403 forbidden`.",
        operations: &["rescind_transfer", "rescind_cancellation"],
        verification: Api,
    },
    Requirement {
        id: "REQ-APPROVAL-004",
        text: "`approve_transfer`, `reject_transfer` and `approve_cancellation` by the representative who initiated the transaction MUST be answered `403 second-approver-required` when the source account has more than one representative at the time of the decision, counting every current authorised representative, direct or delegated, whatever its roles (an escrow controller listed among the account's representatives, `kind: escrow_controller`, does not count), and MUST be allowed when it has exactly one.",
        operations: &[
            "approve_transfer",
            "reject_transfer",
            "approve_cancellation",
        ],
        verification: Api,
    },
    Requirement {
        id: "REQ-APPROVAL-005",
        text: "Rescinding MUST NOT be subject to the four-eyes rule.",
        operations: &["rescind_transfer", "rescind_cancellation"],
        verification: Api,
    },
    Requirement {
        id: "REQ-APPROVAL-006",
        text: "Roles, appointments and delegations MUST be evaluated at the time of each request, not at the time the transaction was initiated.",
        operations: &[
            "approve_transfer",
            "reject_transfer",
            "rescind_transfer",
            "approve_cancellation",
            "rescind_cancellation",
        ],
        verification: Api,
    },
];
