//! Requirements on delegations: appointing a trading platform's representative to an account, and
//! revoking it.

use super::{Requirement, Verification::Api};

/// The delegation requirements (`REQ-DELEGATION-*`).
pub const REQUIREMENTS: &[Requirement] = &[
    Requirement {
        id: "REQ-DELEGATION-001",
        text: "`appoint_delegate` MUST be allowed only to a current representative of the account holding the `approver` role, and a representative of the account without that role MUST be answered `403 forbidden`.",
        operations: &["appoint_delegate"],
        verification: Api,
    },
    Requirement {
        id: "REQ-DELEGATION-002",
        text: "`appoint_delegate` MUST be answered `422 validation-failed` when `representative_id` is not a representative of a trading platform or `roles` is empty.",
        operations: &["appoint_delegate"],
        verification: Api,
    },
    Requirement {
        id: "REQ-DELEGATION-003",
        text: "`appoint_delegate` MUST be answered `409 invalid-state` when the representative is already a representative of the account, directly or by an active delegation.",
        operations: &["appoint_delegate"],
        verification: Api,
    },
    Requirement {
        id: "REQ-DELEGATION-004",
        text: "While its delegation is active a delegate MUST be a representative of the account with exactly the delegated roles: listed in the account's `representatives`, allowed what those roles allow, and counted by the four-eyes rule.",
        operations: &["appoint_delegate", "get_account"],
        verification: Api,
    },
    Requirement {
        id: "REQ-DELEGATION-005",
        text: "`list_delegations` MUST be allowed to every current representative of the account whatever its roles, and MUST list the account's delegations in every status.",
        operations: &["list_delegations"],
        verification: Api,
    },
    Requirement {
        id: "REQ-DELEGATION-006",
        text: "`revoke_delegation` MUST be allowed to every current representative of the account whatever its roles, the delegate included, and MUST be answered `404 not-found` when `delegation_id` is not a delegation of the account in the path.",
        operations: &["revoke_delegation"],
        verification: Api,
    },
    Requirement {
        id: "REQ-DELEGATION-007",
        text: "A delegation MUST be created `active` and MUST leave that status at most once, to `revoked` with `revoked_at` set, and revoking a delegation that is already `revoked` MUST be answered `409 invalid-state`.",
        operations: &["appoint_delegate", "revoke_delegation"],
        verification: Api,
    },
    Requirement {
        id: "REQ-DELEGATION-008",
        text: "From its revocation on, the delegate MUST NOT be a representative of the account, while the transactions it initiated MUST stay `pending_approval` for the account's other representatives to decide.",
        operations: &["revoke_delegation"],
        verification: Api,
    },
];
