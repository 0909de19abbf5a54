//! Requirements on authentication: bearer tokens, `401` challenges, token lifetimes and the
//! principals that need no token or have no access.

use super::{Requirement, Verification::Api, Verification::Untestable};

/// The authentication requirements (`REQ-AUTH-*`).
pub const REQUIREMENTS: &[Requirement] = &[
    Requirement {
        id: "REQ-AUTH-001",
        text: "Every operation except the public ones (the public registers and their lookups by ID, `create_operator_session`, and the authorization server's `get_authorization_server_metadata`, `authorize`, `decide_authorization`, `issue_token` and `revoke_token`, the last two of which authenticate the client instead) MUST refuse a request without `Authorization: Bearer <token>` (no header, or another scheme) with `401 unauthenticated` and the header `WWW-Authenticate: Bearer`.",
        operations: &[],
        verification: Api,
    },
    Requirement {
        id: "REQ-AUTH-002",
        text: "A bearer token that is unknown, expired or removed by a sandbox reset MUST be refused with `401 unauthenticated` and `WWW-Authenticate: Bearer error=\"invalid_token\"`, and clients MUST accept any further `WWW-Authenticate` parameters (such as `realm`).",
        operations: &[],
        verification: Api,
    },
    Requirement {
        id: "REQ-AUTH-003",
        text: "The scheme name `Bearer` MUST be matched case-insensitively and the token compared exactly.",
        operations: &[],
        verification: Api,
    },
    Requirement {
        id: "REQ-AUTH-004",
        text: "An access token from `issue_token` MUST be accepted until `expires_in` seconds (3600) after its issue and refused from then on, both measured on the registry clock, so advancing the sandbox clock by 3600 s or more expires it.",
        operations: &["issue_token"],
        verification: Api,
    },
    Requirement {
        id: "REQ-AUTH-005",
        text: "Tokens handed out by the sandbox (operator sessions, representatives' and platforms' `token`) MUST NOT expire and MUST stop working only when a sandbox reset removes them, which it MUST do for every token except operators'.",
        operations: &[
            "create_operator_session",
            "appoint_representative",
            "create_platform",
            "create_platform_representative",
            "reset_sandbox",
        ],
        verification: Api,
    },
    Requirement {
        id: "REQ-AUTH-006",
        text: "The public registers, their lists and their lookups by ID, MUST answer without authentication and MUST ignore any `Authorization` header, valid or not.",
        operations: &[
            "list_accu_projects",
            "get_accu_project",
            "list_carbon_abatement_contracts",
            "get_carbon_abatement_contract",
            "list_guarantee_of_origin_projects",
            "get_guarantee_of_origin_project",
        ],
        verification: Api,
    },
    Requirement {
        id: "REQ-AUTH-007",
        text: "A sandbox operator's token MUST be accepted on every operation and give no access outside the sandbox: its lists of accounts, consents, reservations, escrows and associations are empty, accounts and transactions named in a path answer `404 not-found`, and listing or creating webhook subscriptions answers `403 forbidden`.",
        operations: &[],
        verification: Api,
    },
    Requirement {
        id: "REQ-AUTH-008",
        text: "Token values MUST be unguessable (at least 120 bits of randomness) and MUST NOT be derivable from identifiers.",
        operations: &[
            "issue_token",
            "create_operator_session",
            "appoint_representative",
            "create_platform",
            "create_platform_representative",
        ],
        verification: Untestable(
            "randomness cannot be established from a finite sample of tokens over the API",
        ),
    },
];
