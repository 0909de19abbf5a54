//! Requirements on the OAuth 2.0 token endpoint (client-credentials grant, RFC 6749); the
//! authorization code and refresh token grants are in `authorization`.

use super::{Requirement, Verification::Api};

/// The OAuth requirements (`REQ-OAUTH-*`).
pub const REQUIREMENTS: &[Requirement] = &[
    Requirement {
        id: "REQ-OAUTH-001",
        text: "`issue_token` MUST answer errors as RFC 6749 section 5.2 JSON (`{error, error_description?}`), never as problem documents, and a response carrying a token MUST carry `Cache-Control: no-store`.",
        operations: &["issue_token"],
        verification: Api,
    },
    Requirement {
        id: "REQ-OAUTH-002",
        text: "`issue_token` MUST refuse with `400 invalid_request` a body whose `Content-Type` is not `application/x-www-form-urlencoded`, a body that does not parse as a form, a known parameter given more than once, and a missing `grant_type`, and MUST ignore parameters it does not recognise.",
        operations: &["issue_token"],
        verification: Api,
    },
    Requirement {
        id: "REQ-OAUTH-003",
        text: "`issue_token` MUST refuse a `grant_type` other than `client_credentials`, `authorization_code` or `refresh_token` with `400 unsupported_grant_type`, after the `invalid_request` checks and before client authentication.",
        operations: &["issue_token"],
        verification: Api,
    },
    Requirement {
        id: "REQ-OAUTH-004",
        text: "`issue_token` MUST accept client authentication either as `client_id` and `client_secret` form parameters or by HTTP Basic (RFC 6749 section 2.3.1), and MUST refuse a request using both with `400 invalid_request`.",
        operations: &["issue_token"],
        verification: Api,
    },
    Requirement {
        id: "REQ-OAUTH-005",
        text: "`issue_token` MUST refuse with `401 invalid_client` a request that sends no client authentication at all (an `Authorization` header of another scheme, such as `Bearer`, is none), an unknown client or a wrong secret, adding `WWW-Authenticate: Basic` when the client tried HTTP Basic, while a `client_credentials` request sending only one of `client_id` and `client_secret` MAY be refused with either `400 invalid_request` or `401 invalid_client`.",
        operations: &["issue_token"],
        verification: Api,
    },
    Requirement {
        id: "REQ-OAUTH-006",
        text: "A successful `issue_token` MUST answer `200` with `token_type` `Bearer`, a fresh `access_token` and `expires_in` 3600, and earlier tokens of the same client MUST stay valid until they expire.",
        operations: &["issue_token"],
        verification: Api,
    },
    Requirement {
        id: "REQ-OAUTH-007",
        text: "`issue_token` MUST ignore `scope` in a `client_credentials` request, since such a token always carries the platform's own permissions.",
        operations: &["issue_token"],
        verification: Api,
    },
];
