//! Requirements on consents: granting, listing, revoking and relinquishing, and their states.

use super::{Requirement, Verification::Api};

/// The consent requirements (`REQ-CONSENT-*`).
pub const REQUIREMENTS: &[Requirement] = &[
    Requirement {
        id: "REQ-CONSENT-001",
        text: "`grant_consent` MUST be allowed to every current representative of the account whatever its roles, and MUST record that representative as `granted_by`.",
        operations: &["grant_consent"],
        verification: Api,
    },
    Requirement {
        id: "REQ-CONSENT-002",
        text: "`grant_consent` MUST be answered `422 validation-failed` when `grantee_id` names no trading platform or third-party registry, when `scopes` is empty or names a scope more than once, or when `scopes` contains `association` and the grantee is a trading platform.",
        operations: &["grant_consent"],
        verification: Api,
    },
    Requirement {
        id: "REQ-CONSENT-003",
        text: "`grant_consent` MUST be answered `422 validation-failed` when `expires_at` is not after the registry's current time or is after the same instant three calendar years later (the last day of the month when that date does not exist).",
        operations: &["grant_consent"],
        verification: Api,
    },
    Requirement {
        id: "REQ-CONSENT-004",
        text: "`grant_consent` MUST NOT refuse a consent because the grantee already holds consents on the account, whatever their scopes.",
        operations: &["grant_consent"],
        verification: Api,
    },
    Requirement {
        id: "REQ-CONSENT-005",
        text: "A consent's `scopes` MUST be exactly the scopes granted; implementations MAY return them in any order, and clients MUST NOT depend on that order.",
        operations: &[
            "grant_consent",
            "get_consent",
            "list_consents",
            "list_account_consents",
        ],
        verification: Api,
    },
    Requirement {
        id: "REQ-CONSENT-006",
        text: "`list_account_consents` MUST be allowed to every current representative of the account whatever its roles, and MUST list every consent on the account in every status unless `status` narrows it.",
        operations: &["list_account_consents"],
        verification: Api,
    },
    Requirement {
        id: "REQ-CONSENT-007",
        text: "`list_consents` MUST list to a trading platform or third-party registry exactly the consents granted to it, to a representative exactly the consents on the accounts it currently represents, and to any other caller none.",
        operations: &["list_consents"],
        verification: Api,
    },
    Requirement {
        id: "REQ-CONSENT-008",
        text: "`get_consent` MUST succeed, in every status, for the consent's grantee and for the current representatives of its account, and MUST be answered `404 not-found` to every other caller.",
        operations: &["get_consent"],
        verification: Api,
    },
    Requirement {
        id: "REQ-CONSENT-009",
        text: "`revoke_consent` MUST be allowed to every current representative of the consent's account whatever its roles and to the consent's grantee, which relinquishes it, and MUST be answered `404 not-found` to every other caller.",
        operations: &["revoke_consent"],
        verification: Api,
    },
    Requirement {
        id: "REQ-CONSENT-010",
        text: "A consent MUST be created `active` and MUST leave that status at most once, to `revoked` by `revoke_consent` or to `expired` at its `expires_at`, and `revoke_consent` of a consent that is not `active` MUST be answered `409 invalid-state`.",
        operations: &["grant_consent", "revoke_consent", "get_consent"],
        verification: Api,
    },
    Requirement {
        id: "REQ-CONSENT-011",
        text: "A revoked consent MUST carry `revoked_at`, the time of the revoking request, and keep its `expires_at`, and a consent still `active` at its `expires_at` MUST be reported `expired` by every request made at or after that instant.",
        operations: &[
            "revoke_consent",
            "get_consent",
            "list_consents",
            "list_account_consents",
        ],
        verification: Api,
    },
    Requirement {
        id: "REQ-CONSENT-012",
        text: "`grant_consent` MUST accept an optional `subset` and every read of the consent MUST return it as granted (lists in any order), and `grant_consent` MUST be answered `422 validation-failed` when `subset` has no non-empty list, names a unit type the registry does not issue, or has a serial range whose `serial_end` is less than its `serial_start`.",
        operations: &["grant_consent", "get_consent", "list_consents"],
        verification: Api,
    },
];
