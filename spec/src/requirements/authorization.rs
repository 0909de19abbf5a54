//! Requirements on the authorization server (issue 13): discovery (RFC 8414), the authorization
//! code flow with PKCE (RFC 6749 section 4.1, RFC 7636), the consent page, refresh-token rotation
//! (RFC 9700 section 4.14.2), revocation (RFC 7009), representative scopes and consents through
//! the flow, and the sandbox's OAuth clients.

use super::{Requirement, Verification::Api};

/// The authorization-server requirements (`REQ-AUTHZ-*`).
pub const REQUIREMENTS: &[Requirement] = &[
    Requirement {
        id: "REQ-AUTHZ-001",
        text: "`get_authorization_server_metadata` MUST answer without authentication `200` with RFC 8414 metadata whose `issuer` is the base URL the request reached and whose `authorization_endpoint`, `token_endpoint` and `revocation_endpoint` are absolute URLs of `authorize`, `issue_token` and `revoke_token` under it.",
        operations: &["get_authorization_server_metadata"],
        verification: Api,
    },
    Requirement {
        id: "REQ-AUTHZ-002",
        text: "The metadata MUST list `response_types_supported` `[\"code\"]`, `grant_types_supported` `authorization_code`, `refresh_token` and `client_credentials`, `code_challenge_methods_supported` `[\"S256\"]`, `client_secret_basic`, `client_secret_post` and `none` as both `token_endpoint_auth_methods_supported` and `revocation_endpoint_auth_methods_supported`, and every representative and consent scope as `scopes_supported`.",
        operations: &["get_authorization_server_metadata"],
        verification: Api,
    },
    Requirement {
        id: "REQ-AUTHZ-003",
        text: "`authorize` with an unknown `client_id`, or with a `redirect_uri` that is not exactly (character for character) one of the client's registered redirect URIs, MUST answer a `400` problem document and MUST NOT redirect.",
        operations: &["authorize"],
        verification: Api,
    },
    Requirement {
        id: "REQ-AUTHZ-004",
        text: "`authorize` with a known client and one of its redirect URIs MUST answer any other error with a `302` to that redirect URI whose query carries `error` (`unsupported_response_type` when `response_type` is not `code`, `invalid_scope` for an unknown scope or one the client cannot ask for, `invalid_request` otherwise), `error_description` and the request's `state` unchanged.",
        operations: &["authorize"],
        verification: Api,
    },
    Requirement {
        id: "REQ-AUTHZ-005",
        text: "`authorize` MUST require PKCE: a request without `code_challenge`, with a `code_challenge_method` other than `S256` (`plain` included) or without one, MUST be refused with `error=invalid_request`.",
        operations: &["authorize"],
        verification: Api,
    },
    Requirement {
        id: "REQ-AUTHZ-006",
        text: "`authorize` MUST refuse with `error=invalid_scope` an empty `scope`, a scope name that is not in `scopes_supported`, representative scopes asked by a trading platform or third-party registry, consent scopes asked by a representative's own client, both kinds at once, and `consent:association` asked by a trading platform, and with `error=invalid_request` consent scopes without an existing `account_id` or an `account_id` with representative scopes.",
        operations: &["authorize"],
        verification: Api,
    },
    Requirement {
        id: "REQ-AUTHZ-007",
        text: "A valid `authorize` request without `login_hint` MUST answer `200` with an HTML page that works without JavaScript, showing the client's name, the account asked for (consent scopes), each scope asked in words, a choice of the representatives entitled to approve (for consent scopes the representatives appointed to the account, otherwise every representative) and approve and decline buttons, and posting its form to `decide_authorization`.",
        operations: &["authorize"],
        verification: Api,
    },
    Requirement {
        id: "REQ-AUTHZ-008",
        text: "`authorize` with `login_hint` naming a representative entitled to approve MUST, in the sandbox, approve the request at once as that representative and answer a `302` to the redirect URI with `code` and `state`, and with a `login_hint` naming no such representative MUST redirect with `error=invalid_request`.",
        operations: &["authorize"],
        verification: Api,
    },
    Requirement {
        id: "REQ-AUTHZ-009",
        text: "`decide_authorization` with `decision=approve` MUST answer a `303` to the request's redirect URI carrying exactly `code` and `state`, and with `decision=decline` a `303` carrying `error=access_denied` and `state`, and a declined request MUST create nothing.",
        operations: &["decide_authorization"],
        verification: Api,
    },
    Requirement {
        id: "REQ-AUTHZ-010",
        text: "`decide_authorization` with an unknown or already decided `request_id`, a representative not offered on the page, or a malformed form MUST answer a `400` problem document and change nothing.",
        operations: &["decide_authorization"],
        verification: Api,
    },
    Requirement {
        id: "REQ-AUTHZ-011",
        text: "A redirect of `authorize` or `decide_authorization` MUST NOT carry an access or refresh token: the only credential a URL carries is the authorization `code`.",
        operations: &["authorize", "decide_authorization"],
        verification: Api,
    },
    Requirement {
        id: "REQ-AUTHZ-012",
        text: "`issue_token` with `grant_type=authorization_code` MUST answer `200` with `token_type` `Bearer`, an `access_token`, `expires_in` 3600, a `refresh_token` and `scope` (the scopes granted, space-separated) when `code` is valid, `redirect_uri` equals the authorization request's and the client is the one the code was issued to, and MUST answer `400 invalid_grant` when any of these fails.",
        operations: &["issue_token"],
        verification: Api,
    },
    Requirement {
        id: "REQ-AUTHZ-013",
        text: "`issue_token` with `grant_type=authorization_code` MUST answer `400 invalid_grant` unless BASE64URL(SHA256(`code_verifier`)) without padding equals the authorization request's `code_challenge`, and `400 invalid_request` when `code_verifier` is missing.",
        operations: &["issue_token"],
        verification: Api,
    },
    Requirement {
        id: "REQ-AUTHZ-014",
        text: "An authorization code MUST be single-use and MUST lapse 60 seconds of registry time after it was issued, and a second exchange of a code MUST answer `400 invalid_grant` and revoke every access and refresh token issued from that code.",
        operations: &["issue_token"],
        verification: Api,
    },
    Requirement {
        id: "REQ-AUTHZ-015",
        text: "At the token and revocation endpoints a confidential client MUST authenticate with its secret (HTTP Basic or `client_secret` in the body, never both), a public client MUST identify itself with `client_id` alone, and a failure MUST answer `401 invalid_client` (with `WWW-Authenticate: Basic` when HTTP Basic was tried).",
        operations: &["issue_token", "revoke_token"],
        verification: Api,
    },
    Requirement {
        id: "REQ-AUTHZ-016",
        text: "`issue_token` with `grant_type=refresh_token` and a current refresh token MUST answer `200` with a new access token and a new refresh token, after which the refresh token presented is used up.",
        operations: &["issue_token"],
        verification: Api,
    },
    Requirement {
        id: "REQ-AUTHZ-017",
        text: "`issue_token` presented with a refresh token that was already used MUST answer `400 invalid_grant` and revoke every access and refresh token descending from the same authorization, so that they are refused from the very next request.",
        operations: &["issue_token"],
        verification: Api,
    },
    Requirement {
        id: "REQ-AUTHZ-018",
        text: "`issue_token` with `grant_type=refresh_token` MAY be given a `scope` that narrows the new access token to a subset of the scopes granted, and MUST answer `400 invalid_scope` to a scope not granted.",
        operations: &["issue_token"],
        verification: Api,
    },
    Requirement {
        id: "REQ-AUTHZ-019",
        text: "`issue_token` MUST answer `400 unauthorized_client` to a representative's own confidential client that authenticates and asks for `client_credentials` (a grant only platforms and registries have), and `400 invalid_grant` to a refresh token or code that is unknown, revoked, expired or issued to another client.",
        operations: &["issue_token"],
        verification: Api,
    },
    Requirement {
        id: "REQ-AUTHZ-020",
        text: "Access tokens from the authorization code and refresh token grants MUST lapse 3600 seconds of registry time after they were issued, and refresh tokens MUST NOT lapse before their authorization is revoked.",
        operations: &["issue_token"],
        verification: Api,
    },
    Requirement {
        id: "REQ-AUTHZ-021",
        text: "`revoke_token` MUST answer `200` with an empty body whether or not the token was known, and a revoked token MUST be refused (`401` with a bearer token, `invalid_grant` as a refresh token) from the very next request.",
        operations: &["revoke_token"],
        verification: Api,
    },
    Requirement {
        id: "REQ-AUTHZ-022",
        text: "Revoking a refresh token MUST also revoke every access token of its authorization, and a client MUST NOT be able to revoke another client's token (the answer is still `200`, and the token stays valid).",
        operations: &["revoke_token"],
        verification: Api,
    },
    Requirement {
        id: "REQ-AUTHZ-023",
        text: "`revoke_token` MUST answer `400 invalid_request` to a body that is not form-encoded or lacks `token`, as RFC 6749 section 5.2 JSON.",
        operations: &["revoke_token"],
        verification: Api,
    },
    Requirement {
        id: "REQ-AUTHZ-024",
        text: "A representative's access token from the authorization code flow MUST carry exactly the representative scopes approved (or narrowed by refresh), and an operation whose `x-ucr-scope` it lacks MUST answer `403 insufficient-scope` with `WWW-Authenticate: Bearer error=\"insufficient_scope\", scope=\"<that scope>\"` and change nothing.",
        operations: &[],
        verification: Api,
    },
    Requirement {
        id: "REQ-AUTHZ-025",
        text: "A representative's flow token MUST otherwise act exactly as the representative (the same accounts, roles and four-eyes rule), and tokens handed out by `appoint_representative` and `create_platform_representative` MUST keep every representative scope.",
        operations: &["appoint_representative", "create_platform_representative"],
        verification: Api,
    },
    Requirement {
        id: "REQ-AUTHZ-026",
        text: "Approving a trading platform's or third-party registry's request for consent scopes MUST create a consent exactly as `grant_consent` by the approving representative would, with the asked scopes, on `account_id`, lapsing 365 days after approval, visible in `list_consents` and `list_account_consents` and ended by `revoke_consent`.",
        operations: &[
            "decide_authorization",
            "list_consents",
            "list_account_consents",
        ],
        verification: Api,
    },
    Requirement {
        id: "REQ-AUTHZ-027",
        text: "The code of an approved consent request MUST exchange for an ordinary access token of the platform or registry, whose `scope` lists the consent scopes granted and whose access on the account comes from the consent alone.",
        operations: &["issue_token"],
        verification: Api,
    },
    Requirement {
        id: "REQ-AUTHZ-028",
        text: "`create_oauth_client` (sandbox, operator) MUST register a client with a fresh `client_id`, a `client_secret` only when `client_type` is `confidential`, and the given `redirect_uris`, and MUST refuse with `422 validation-failed` no redirect URI, more than 10, or one that is not an absolute `http` or `https` URI without a fragment.",
        operations: &["create_oauth_client"],
        verification: Api,
    },
    Requirement {
        id: "REQ-AUTHZ-029",
        text: "`create_platform` MUST accept optional `redirect_uris`, validated as for `create_oauth_client`, with which the platform or registry MAY run the authorization code flow for consent scopes.",
        operations: &["create_platform"],
        verification: Api,
    },
];
