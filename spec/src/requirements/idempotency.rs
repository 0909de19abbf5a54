//! Requirements on `Idempotency-Key`: which writes take it, what a key identifies, what is replayed
//! and for how long.

use super::{Requirement, Verification::Api, Verification::Untestable};

/// The writes that require an `Idempotency-Key`.
const KEYED: &[&str] = &[
    "initiate_transfer",
    "approve_transfer",
    "reject_transfer",
    "rescind_transfer",
    "initiate_cancellation",
    "approve_cancellation",
    "rescind_cancellation",
    "reject_cancellation",
    "grant_consent",
    "revoke_consent",
    "appoint_delegate",
    "revoke_delegation",
    "create_reservation",
    "release_reservation",
    "create_escrow",
    "approve_escrow",
    "reject_escrow",
    "settle_escrow",
    "release_escrow",
    "create_association",
    "dissolve_association",
    "create_webhook_subscription",
];

/// The idempotency requirements (`REQ-IDEMPOTENCY-*`).
pub const REQUIREMENTS: &[Requirement] = &[
    Requirement {
        id: "REQ-IDEMPOTENCY-001",
        text: "A write that declares a required `Idempotency-Key` header MUST be refused with `400 idempotency-key-required` when the header is absent, and when it is present but empty implementations MAY answer either `400 idempotency-key-required` or `400 invalid-parameter` naming `Idempotency-Key`.",
        operations: KEYED,
        verification: Api,
    },
    Requirement {
        id: "REQ-IDEMPOTENCY-002",
        text: "An `Idempotency-Key` MUST be 1 to 255 visible ASCII characters (0x21 to 0x7E) sent once, and any other non-empty value, or the header sent more than once, MUST be refused with `400 invalid-parameter` whose `invalid_params` names `Idempotency-Key`.",
        operations: KEYED,
        verification: Api,
    },
    Requirement {
        id: "REQ-IDEMPOTENCY-003",
        text: "Keys MUST be scoped per principal, so the same key sent by two principals identifies two independent requests, and a platform's OAuth access tokens and its sandbox token count as one principal.",
        operations: KEYED,
        verification: Api,
    },
    Requirement {
        id: "REQ-IDEMPOTENCY-004",
        text: "A request MUST count as the same as the key's first request when its method, path and body are the same, where implementations MAY compare bodies byte for byte or as parsed JSON, and clients MUST therefore resend the identical bytes when they retry.",
        operations: KEYED,
        verification: Api,
    },
    Requirement {
        id: "REQ-IDEMPOTENCY-005",
        text: "Once the first request with a key has been answered with a 2xx, or with a 403, 404, 409 or 422 that the operation decided, the same request with that key MUST get the stored status and body again with the header `Idempotent-Replayed: true` and no further effect, even when the cause of a stored refusal has since gone away.",
        operations: KEYED,
        verification: Api,
    },
    Requirement {
        id: "REQ-IDEMPOTENCY-006",
        text: "A `400` answered because the query or body was malformed MAY be stored with the key or not, and clients MUST use a new key for a corrected request.",
        operations: KEYED,
        verification: Api,
    },
    Requirement {
        id: "REQ-IDEMPOTENCY-007",
        text: "A request reusing a stored key with a different method, path or body MUST be refused with `422 idempotency-key-reused` and MUST have no effect.",
        operations: KEYED,
        verification: Api,
    },
    Requirement {
        id: "REQ-IDEMPOTENCY-008",
        text: "While the first request with a key is still being processed, another request with that key by the same principal MUST either wait and then be answered as in `REQ-IDEMPOTENCY-005` or `REQ-IDEMPOTENCY-007`, or be refused with `409 idempotency-key-in-use`, and in every case the key's request MUST take effect at most once.",
        operations: KEYED,
        verification: Api,
    },
    Requirement {
        id: "REQ-IDEMPOTENCY-009",
        text: "A 5xx answer MUST NOT be stored with its key, so a retry with the same key is processed afresh.",
        operations: KEYED,
        verification: Untestable(
            "a conforming implementation offers no way to provoke a 5xx over the API",
        ),
    },
    Requirement {
        id: "REQ-IDEMPOTENCY-010",
        text: "A key MUST be remembered for at least 24 hours after its first request, and MAY be forgotten afterwards.",
        operations: KEYED,
        verification: Untestable(
            "observing it needs a 24-hour wait, and key retention need not follow the sandbox clock",
        ),
    },
    Requirement {
        id: "REQ-IDEMPOTENCY-011",
        text: "The sandbox writes MUST accept a request without `Idempotency-Key`, and when one is sent they MAY either ignore it or honour it as `REQ-IDEMPOTENCY-005` and `REQ-IDEMPOTENCY-007` describe.",
        operations: &[
            "create_account_holder",
            "create_account",
            "appoint_representative",
            "issue_units",
            "create_platform",
            "create_platform_representative",
            "advance_clock",
            "reset_sandbox",
            "create_operator_session",
        ],
        verification: Api,
    },
    Requirement {
        id: "REQ-IDEMPOTENCY-012",
        text: "`delete_webhook_subscription` MUST NOT require an `Idempotency-Key`, and deleting a subscription that is already gone MUST answer `404 not-found` and change nothing.",
        operations: &["delete_webhook_subscription"],
        verification: Api,
    },
    Requirement {
        id: "REQ-IDEMPOTENCY-013",
        text: "A sandbox reset MUST forget every stored key of a principal other than an operator, and MAY forget operators' keys too.",
        operations: &["reset_sandbox"],
        verification: Api,
    },
];
