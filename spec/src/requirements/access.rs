//! Requirements on who can see what: hidden existence, and the choice between `404` and `403`.

use super::{Requirement, Verification::Api};

/// The access requirements (`REQ-ACCESS-*`).
pub const REQUIREMENTS: &[Requirement] = &[
    Requirement {
        id: "REQ-ACCESS-001",
        text: "A request whose subject the caller cannot see MUST be answered `404 not-found`, exactly as if the subject did not exist, where the subject is the resource named in the path or, for `initiate_transfer`, `initiate_cancellation`, `create_reservation`, `create_escrow` and `create_association`, the account the body acts on (`from_account_id` or `account_id`).",
        operations: &[],
        verification: Api,
    },
    Requirement {
        id: "REQ-ACCESS-002",
        text: "An authorised representative MUST see exactly the accounts it is currently appointed to, directly or by an active delegation, and on them every transfer, cancellation, consent, delegation, reservation, escrow and association of that account.",
        operations: &[],
        verification: Api,
    },
    Requirement {
        id: "REQ-ACCESS-003",
        text: "A trading platform or third-party registry MUST see an account if and only if at least one consent on that account has ever been granted to it, whatever that consent's status is now.",
        operations: &[],
        verification: Api,
    },
    Requirement {
        id: "REQ-ACCESS-004",
        text: "Beyond accounts, a trading platform or third-party registry MUST see only its own objects: the consents granted to it, the reservations made for it, the escrows it controls, the associations it made, its webhook subscriptions and, as an escrow's controller, the transfer that settled that escrow.",
        operations: &[],
        verification: Api,
    },
    Requirement {
        id: "REQ-ACCESS-005",
        text: "A transfer MUST be visible by ID only to the current representatives of its source or destination account and, for an escrow settlement, to the escrow's controller, and a cancellation only to the current representatives of its account; a consent MUST NOT make either visible by ID.",
        operations: &[
            "get_transfer",
            "approve_transfer",
            "reject_transfer",
            "rescind_transfer",
            "get_cancellation",
            "approve_cancellation",
            "reject_cancellation",
            "rescind_cancellation",
        ],
        verification: Api,
    },
    Requirement {
        id: "REQ-ACCESS-006",
        text: "A caller that can see the subject but is refused for who it is MUST be answered `403`: `403 second-approver-required` under the four-eyes rule, `403 consent-required` when the caller is a trading platform or third-party registry and an active consent on the subject's account with a scope that can be granted to its kind would allow the request, and `403 forbidden` in every other case.",
        operations: &[],
        verification: Api,
    },
    Requirement {
        id: "REQ-ACCESS-007",
        text: "A change of appointment, delegation or consent MUST take effect from the very next request, so that a representative whose appointment or delegation has ended MUST be answered on that account and its objects exactly as a caller that never saw them.",
        operations: &[],
        verification: Api,
    },
    Requirement {
        id: "REQ-ACCESS-008",
        text: "An operation listing the caller's own collection (`list_accounts`, `list_consents`, `list_reservations`, `list_escrows`, `list_associations`) MUST answer `200` with only the items the caller can see, never `403` or `404` because it can see none.",
        operations: &[
            "list_accounts",
            "list_consents",
            "list_reservations",
            "list_escrows",
            "list_associations",
        ],
        verification: Api,
    },
    Requirement {
        id: "REQ-ACCESS-009",
        text: "`get_platform` MUST succeed for every authenticated caller and every existing platform or registry, and MUST answer `404 not-found` for an unknown `platform_id`.",
        operations: &["get_platform"],
        verification: Api,
    },
    Requirement {
        id: "REQ-ACCESS-010",
        text: "`create_webhook_subscription` and `list_webhook_subscriptions` MUST answer `403 forbidden` to every caller that is not a trading platform, third-party registry or authorised representative (a sandbox operator), since only those hold subscriptions.",
        operations: &["create_webhook_subscription", "list_webhook_subscriptions"],
        verification: Api,
    },
    Requirement {
        id: "REQ-ACCESS-011",
        text: "`get_account` and `list_accounts` MUST show an account with its holder's `holder_id` and `name`, the `kind` it was opened as, its `status` (`open` from its opening) and in `representatives` every current representative of the account once, direct or delegated, with its name and exactly its current roles there.",
        operations: &["get_account", "list_accounts"],
        verification: Api,
    },
];
