//! The UCR interoperability API as Rust types and `utoipa` operations.
//!
//! This crate is the contract. `cargo xtask spec` writes [`openapi_json`] to `spec/openapi.json`;
//! the SDK is generated from that file and the mock serves these types. Nothing here does I/O.

#![deny(missing_docs)]

pub mod associations;
pub mod event_payloads;
pub mod examples;
pub mod locations;
pub mod model;
pub mod oauth;
pub mod paging;
pub mod paths;
pub mod paths_oauth;
pub mod paths_platforms;
pub mod platforms;
pub mod problem;
pub mod rate_limits;
pub mod registers;
pub mod requirements;
pub mod sandbox;
pub mod scopes;
pub mod trading;
pub mod transactions;
pub mod webhooks;

use serde_json::{Map, Value, json};
use utoipa::OpenApi;

pub use problem::{Problem, ProblemType};

/// The API version: `info.version`, also sent by the SDK as `api-version`.
pub const API_VERSION: &str = "2.0.0";

/// The problem statuses each operation can answer, beyond its success response.
///
/// Every status listed here gets a response whose body is a [`Problem`] document; its description
/// names the problem `type`s of that status. The conformance suite relies on this table too.
pub const ERRORS: &[(&str, &[u16])] = &[
    ("list_accounts", &[400, 401]),
    ("get_account", &[401, 403, 404]),
    ("list_holdings", &[400, 401, 403, 404]),
    ("list_transactions", &[400, 401, 403, 404]),
    ("initiate_transfer", &[400, 401, 403, 404, 409, 422]),
    ("get_transfer", &[401, 404]),
    ("approve_transfer", &[400, 401, 403, 404, 409, 422]),
    ("reject_transfer", &[400, 401, 403, 404, 409, 422]),
    ("rescind_transfer", &[400, 401, 403, 404, 409, 422]),
    ("initiate_cancellation", &[400, 401, 403, 404, 409, 422]),
    ("get_cancellation", &[401, 404]),
    ("approve_cancellation", &[400, 401, 403, 404, 409, 422]),
    ("rescind_cancellation", &[400, 401, 403, 404, 409, 422]),
    ("reject_cancellation", &[400, 401, 403, 404, 409, 422]),
    ("list_accu_projects", &[400]),
    ("get_accu_project", &[404]),
    ("list_carbon_abatement_contracts", &[400]),
    ("get_carbon_abatement_contract", &[404]),
    ("list_guarantee_of_origin_projects", &[400]),
    ("get_guarantee_of_origin_project", &[404]),
    ("create_operator_session", &[404]),
    ("create_account_holder", &[400, 401, 404, 422]),
    ("create_account", &[400, 401, 404, 422]),
    ("appoint_representative", &[400, 401, 404, 422]),
    ("issue_units", &[400, 401, 404, 422]),
    ("reset_sandbox", &[401, 404]),
    ("get_platform", &[401, 404]),
    ("grant_consent", &[400, 401, 403, 404, 422]),
    ("list_account_consents", &[400, 401, 403, 404]),
    ("list_consents", &[400, 401]),
    ("get_consent", &[401, 404]),
    ("revoke_consent", &[400, 401, 403, 404, 409, 422]),
    ("appoint_delegate", &[400, 401, 403, 404, 409, 422]),
    ("list_delegations", &[400, 401, 403, 404]),
    ("revoke_delegation", &[400, 401, 403, 404, 409, 422]),
    ("create_reservation", &[400, 401, 403, 404, 409, 422]),
    ("list_reservations", &[400, 401]),
    ("get_reservation", &[401, 403, 404]),
    ("release_reservation", &[400, 401, 403, 404, 409, 422]),
    ("create_escrow", &[400, 401, 403, 404, 409, 422]),
    ("list_escrows", &[400, 401]),
    ("get_escrow", &[401, 404]),
    ("approve_escrow", &[400, 401, 403, 404, 409, 422]),
    ("reject_escrow", &[400, 401, 403, 404, 409, 422]),
    ("settle_escrow", &[400, 401, 403, 404, 409, 422]),
    ("release_escrow", &[400, 401, 403, 404, 409, 422]),
    ("create_association", &[400, 401, 403, 404, 409, 422]),
    ("list_associations", &[400, 401]),
    ("get_association", &[401, 404]),
    ("dissolve_association", &[400, 401, 403, 404, 409, 422]),
    ("create_webhook_subscription", &[400, 401, 403, 422]),
    ("list_webhook_subscriptions", &[400, 401, 403]),
    ("delete_webhook_subscription", &[401, 404]),
    ("list_webhook_deliveries", &[400, 401, 404]),
    ("create_platform", &[400, 401, 404, 422]),
    ("create_platform_representative", &[400, 401, 404, 422]),
    ("get_clock", &[401, 404]),
    ("advance_clock", &[400, 401, 404, 422]),
    // The token endpoint answers RFC 6749 errors, declared on the operation itself.
    ("issue_token", &[]),
    // The authorization server (issue 13): discovery never fails; the revocation endpoint
    // answers RFC 6749 errors, declared on the operation itself.
    ("get_authorization_server_metadata", &[]),
    ("authorize", &[400]),
    ("decide_authorization", &[400]),
    ("revoke_token", &[]),
    ("create_oauth_client", &[400, 401, 404, 422]),
];

const DESCRIPTION: &str = r#"The proposed interoperability API of the Clean Energy Regulator's Unit and Certificate Registry
(UCR): read and write access to ANREU accounts holding carbon units (ACCUs, SMCs), and read access
to the CER's public registers.

This document is the common design that every interoperability model of the CER's paper uses
(Class A own-account access; Class B trading platforms; Class C third-party registries).

## Status: a prototype
These models are prototypes, not a service the CER offers. In the paper's words, "the CER has
found that legislative changes would be required to implement the registry interoperability
cases in this document for all Classes A to C"; only "basic data exchange between third-party
registries and the CER that does not use a registry API is feasible under existing legislation".
Access granted through this API is no endorsement: "the CER access does not endorse third-party
registries and any claims associated that third-party certificate and product creators make
about linked government-backed units and certificates must be accurate".

## Conventions
- **Authentication**: `Authorization: Bearer <token>` on everything but the public registers, the
  sandbox bootstrap (`create_operator_session`) and the authorization server's own endpoints
  (`get_authorization_server_metadata`, `authorize`, `decide_authorization`, and `issue_token` and
  `revoke_token`, which authenticate the client instead). A missing, unknown, expired or revoked
  token answers `401 unauthenticated` with a `WWW-Authenticate: Bearer` header; an authenticated
  caller that may not act answers `403`.
  The security schemes say the same: `bearer` for every token, `oauth2` for how tokens are got
  (client credentials for platforms and registries acting as themselves; authorization code with
  PKCE for a representative's own app and for a platform asking a representative for a consent,
  see the `authorization` tag), `security: []` on the public operations. A representative's token
  from the authorization code flow carries only the scopes approved: an operation whose
  `x-ucr-scope` it lacks answers `403 insufficient-scope`.
- **Integers**: serials, quantities and counts are at most 2^53 - 1 (`maximum:
  9007199254740991`), so that they are exact as JSON numbers in every language.
- **Hidden existence**: a resource (an account, transaction, consent, reservation, escrow,
  association or webhook subscription) that exists but that the caller may not see answers
  `404 not-found`, exactly like one that does not exist. `403` is reserved for resources the
  caller can see but may not act on in that way (e.g. an approver-only action).
  The resource is the one in the path or, for a create, the account the request acts on
  (`from_account_id`, `account_id`). Representatives see the accounts they are appointed to and
  everything on them; a platform sees an account once it has held any consent there, and
  otherwise only what is its own: consents granted to it, reservations made for it, escrows it
  controls, associations it made, its webhook subscriptions. On an account it sees, a platform
  is refused with `403 consent-required` when an active consent with a scope its kind can be
  granted would allow the request (the scope is missing, or its consent was revoked or has
  expired), and with `403 forbidden` when no consent could (writes only representatives make,
  `create_association` by a trading platform, `list_account_consents`, `list_delegations`).
  Transfers and cancellations are seen by ID only by representatives of an account they touch (and
  an escrow settlement by its controller), never through a consent. An operation on the caller's
  own collection that its kind of principal cannot use (webhook subscriptions for a sandbox
  operator) answers `403 forbidden`.
- **Errors**: every 4xx is an RFC 9457 `application/problem+json` document whose `type` is a stable
  URI from the catalogue below, except at the token and revocation endpoints (`issue_token`,
  `revoke_token`), which answer RFC 6749 errors (`{error, error_description}`) as OAuth clients
  expect. Branch on `type`, never on `title` or `detail`. A refused request changes nothing.
  Every operation may answer `429 rate-limited` with `Retry-After` (seconds); any other status
  (`default`, e.g. a 5xx) is handled by its class.
- **Rate limits**: an implementation may limit requests per principal. One that does sends the
  `RateLimit-Policy` and `RateLimit` fields of draft-ietf-httpapi-ratelimit-headers-09 on every
  response (`"ucr";q=20;w=1` and `"ucr";r=19;t=1`: quota per window, requests remaining, seconds
  until the quota is whole), and `429 rate-limited` with `Retry-After` over the limit
  (`REQ-RATE-*`).
- **Writes** take a required `Idempotency-Key` header, except the sandbox operations (which may
  ignore or honour one, `REQ-IDEMPOTENCY-011`), `delete_webhook_subscription`
  (`REQ-IDEMPOTENCY-012`) and the authorization server's endpoints.
- **Lists** are cursor-paged: optional `limit` (1–200, default 50) and `page_token`; responses are
  `{items, next_page}` with `next_page` null on the last page. Paging is by key: no item is lost
  or repeated across pages. A `page_token` carries the filters of the walk that issued it.
- **Units** sit in blocks: contiguous serial ranges of one unit type with shared attributes and one
  status (`available`, `pending`, `reserved`, `escrowed`, `cancelled`). Moving part of a block
  splits it. Units are conserved: only issuance creates them, and cancelled units never move.
- **Four eyes**: a transfer, cancellation or escrow is initiated by an `initiator` and approved
  (or rejected) by an `approver` who is not the initiator, unless the account has a single
  representative (direct or delegated, whatever its roles; escrow controllers do not count:
  `REQ-APPROVAL-004`, `REQ-ESCROW-012`).
- **Platforms and registries** authenticate as themselves (a token from `/v1/oauth/token`).
  Their access to an account comes only from an `active` consent of the holder, with scopes, or,
  for escrowed units, from being the escrow's controller. An account the platform never held a
  consent for answers `404`; on one it has held a consent for, an operation a scope opens answers
  `403 consent-required` while no active consent carries that scope (it was never granted, or was
  revoked or has expired), from the very next request after the change. Which scope opens which
  operation is stated in each operation's requirements (`REQ-SCOPE-*`). A consent with a `subset`
  opens its scopes only over the units the subset selects: reads show only those units, and
  `get_reservation` or `create_association` about units it does not select answers
  `403 consent-required` (`REQ-SCOPE-013` to `REQ-SCOPE-019`). A platform's representatives act as authorised
  representatives wherever they are appointed (the platform's custodial accounts; holders'
  accounts by delegation).
- **Time**: expiries (pending transactions after 7 days, consents, reservations, escrows, access
  tokens) hold for every request made when the registry clock is at or after the instant, whether
  or not anything looked at the item since (`REQ-CONV-003`), except that a reservation whose units
  are in a pending transfer waits for that transfer (`REQ-RESERVATION-003`); the sandbox clock can
  be moved forward.
- **Sandbox**: the `sandbox` operations set up test data. An implementation may leave them out
  (answering `404 sandbox-unavailable`); production implementations must.

## Requirements
Every normative rule has a stable ID (`REQ-<AREA>-<NNN>`) and is listed, one sentence each, in
the top-level `x-ucr-requirements` extension of this document. Each operation's description ends
with the requirements that govern it; those that apply to every operation are listed at the end
of this description. Where a requirement says implementations MAY choose, clients must accept
every choice. An implementation is conformant when it meets every requirement.

## Versioning
The path prefix (`/v1`) is the major version; `info.version` is the document version. Within `/v1`
changes are additive only: new operations, new optional request fields, new response fields, new
problem types, new unit type codes. Clients must ignore unknown response fields. Removing or
renaming anything, adding a required request field, or changing a status code is a breaking change
and needs `/v2`.

## Problem types
"#;

/// The OpenAPI derive root: paths, components and tags.
#[derive(OpenApi)]
#[openapi(
    info(
        title = "CER Unit and Certificate Registry interoperability API",
        version = "2.0.0",
        license(name = "Apache-2.0", identifier = "Apache-2.0"),
        contact(
            name = "UCR interoperability toolkit maintainers",
            url = "https://github.com/ucr-interop/ucr-toolkit/issues"
        ),
    ),
    servers((url = "http://127.0.0.1:8080", description = "A local `ucr-mock`")),
    paths(
        paths::list_accounts,
        paths::get_account,
        paths::list_holdings,
        paths::list_transactions,
        paths::initiate_transfer,
        paths::get_transfer,
        paths::approve_transfer,
        paths::reject_transfer,
        paths::rescind_transfer,
        paths::initiate_cancellation,
        paths::get_cancellation,
        paths::approve_cancellation,
        paths::rescind_cancellation,
        paths::reject_cancellation,
        paths::list_accu_projects,
        paths::get_accu_project,
        paths::list_carbon_abatement_contracts,
        paths::get_carbon_abatement_contract,
        paths::list_guarantee_of_origin_projects,
        paths::get_guarantee_of_origin_project,
        paths::create_operator_session,
        paths::create_account_holder,
        paths::create_account,
        paths::appoint_representative,
        paths::issue_units,
        paths::reset_sandbox,
        paths_platforms::issue_token,
        paths_platforms::get_platform,
        paths_platforms::grant_consent,
        paths_platforms::list_account_consents,
        paths_platforms::list_consents,
        paths_platforms::get_consent,
        paths_platforms::revoke_consent,
        paths_platforms::appoint_delegate,
        paths_platforms::list_delegations,
        paths_platforms::revoke_delegation,
        paths_platforms::create_reservation,
        paths_platforms::list_reservations,
        paths_platforms::get_reservation,
        paths_platforms::release_reservation,
        paths_platforms::create_escrow,
        paths_platforms::list_escrows,
        paths_platforms::get_escrow,
        paths_platforms::approve_escrow,
        paths_platforms::reject_escrow,
        paths_platforms::settle_escrow,
        paths_platforms::release_escrow,
        paths_platforms::create_association,
        paths_platforms::list_associations,
        paths_platforms::get_association,
        paths_platforms::dissolve_association,
        paths_platforms::create_webhook_subscription,
        paths_platforms::list_webhook_subscriptions,
        paths_platforms::delete_webhook_subscription,
        paths_platforms::list_webhook_deliveries,
        paths_platforms::create_platform,
        paths_platforms::create_platform_representative,
        paths_platforms::get_clock,
        paths_platforms::advance_clock,
        paths_oauth::get_authorization_server_metadata,
        paths_oauth::authorize,
        paths_oauth::decide_authorization,
        paths_oauth::revoke_token,
        paths_oauth::create_oauth_client,
    ),
    components(schemas(Problem, problem::InvalidParam, webhooks::WebhookEvent, webhooks::EventData)),
    tags(
        (name = "accounts", description = "Read access to ANREU accounts: details, holdings, transaction history."),
        (name = "transfers", description = "Write access: transfers between accounts under the four-eyes rule."),
        (name = "cancellations", description = "Write access: voluntary cancellation of units."),
        (name = "registers", description = "The CER's public registers: open data, no authentication."),
        (name = "platforms", description = "Trading platforms and third-party registries, and their OAuth 2.0 token endpoint."),
        (name = "consents", description = "Account holders' consents for platforms and registries to access an account (B.1, B.4, C.1)."),
        (name = "delegations", description = "Platform representatives appointed as authorised representatives of an account (B.2)."),
        (name = "reservations", description = "Units reserved for a trading platform: fleeting custody (B.4)."),
        (name = "escrows", description = "Units escrowed under a trading platform's control (B.5)."),
        (name = "associations", description = "Third-party certificates associated 1:1 with units (C.1)."),
        (name = "webhooks", description = "Event subscriptions and delivery logs (Standard Webhooks)."),
        (name = "authorization", description = "The authorization server: representatives sign in and consent (authorization code with PKCE), token refresh and revocation, discovery."),
        (name = "sandbox", description = "Test set-up. Optional; never present in production."),
    )
)]
pub struct ApiDoc;

/// The published OpenAPI 3.1 document as JSON.
///
/// It is utoipa's output with the API description, the security scheme, every operation's problem
/// responses and the paging extension added, two utoipa quirks normalised (see inline), and the
/// requirements catalogue emitted as `x-ucr-requirements` and rendered into the descriptions.
pub fn openapi_json() -> Value {
    let mut doc = serde_json::to_value(ApiDoc::openapi()).expect("the document serialises");
    doc["info"]["description"] =
        Value::String(format!("{DESCRIPTION}{}", problem::catalogue_markdown()));
    doc["components"]["securitySchemes"] = security_schemes();
    doc["security"] = json!([{"bearer": []}, {"oauth2": []}]);
    let responses = error_responses();
    doc["components"]["responses"] = Value::Object(responses.clone());
    doc["components"]["headers"] = rate_limits::components();
    let paths = doc["paths"].as_object_mut().expect("paths is an object");
    for item in paths.values_mut() {
        for (_, op) in item.as_object_mut().expect("path item is an object") {
            add_problem_responses(op);
            declare_scope(op);
            mark_paginated(op);
            declare_public_security(op);
            locations::declare(op);
            rate_limits::declare(op);
            for param in op
                .get_mut("parameters")
                .and_then(Value::as_array_mut)
                .into_iter()
                .flatten()
            {
                strip_null_from_parameter(param);
            }
        }
    }
    doc["webhooks"] = webhooks_section();
    doc["components"]["schemas"]
        .as_object_mut()
        .expect("components.schemas is an object")
        .extend(event_payloads::schemas());
    normalise_integer_formats(&mut doc);
    bound_to_safe_integers(&mut doc);
    apply_patterns(&mut doc);
    mark_open_enums(&mut doc);
    requirements::emit::apply(&mut doc);
    examples::apply(&mut doc);
    doc
}

/// Operations that take no bearer token: the public registers, the sandbox's operator-session
/// bootstrap and the token endpoint (which authenticates the client itself, see
/// `security_schemes`). Every other operation falls under the document's root `security`.
pub const PUBLIC_OPERATIONS: &[&str] = &[
    "issue_token",
    "revoke_token",
    "get_authorization_server_metadata",
    "authorize",
    "decide_authorization",
    "list_accu_projects",
    "get_accu_project",
    "list_carbon_abatement_contracts",
    "get_carbon_abatement_contract",
    "list_guarantee_of_origin_projects",
    "get_guarantee_of_origin_project",
    "create_operator_session",
];

/// The largest integer a JSON number holds exactly in JavaScript (2^53 - 1): the `maximum` of
/// every `uint64` field (serials, quantities, counts), so that clients in languages whose numbers
/// are IEEE doubles never silently lose precision. The registry never issues a serial above it.
pub const MAX_SAFE_INTEGER: u64 = 9_007_199_254_740_991;

/// The security schemes: one bearer token per principal, how platforms and registries get theirs
/// (OAuth 2.0 client credentials), and how they authenticate at the token endpoint.
fn security_schemes() -> Value {
    json!({
        "bearer": {
            "type": "http",
            "scheme": "bearer",
            "description": "A token bound to one principal, sent as `Authorization: Bearer <token>`: an authorised representative (a token from the sandbox operations, or from the `oauth2` authorization code flow, which carries only the scopes approved), a sandbox operator (a token from `create_operator_session`), or a trading platform or third-party registry (a token from the `oauth2` flows, or the one the sandbox's `create_platform` returns)."
        },
        "oauth2": {
            "type": "oauth2",
            "description": "OAuth 2.0. Client credentials (RFC 6749 section 4.4) for trading platforms and third-party registries acting as themselves: `issue_token` exchanges the client ID and secret for a bearer token that carries the platform's own permissions (no scopes; consents decide what it may do on an account). Authorization code with PKCE S256 (RFC 6749 section 4.1, RFC 7636) for a representative's own app, whose token carries exactly the representative scopes approved (each operation names the one it needs in `x-ucr-scope`), and for a platform or registry asking a representative for a consent (`consent:*` scopes with `account_id`), whose token is an ordinary platform token. Refresh tokens rotate (RFC 9700 section 4.14.2); `revoke_token` revokes (RFC 7009); `/.well-known/oauth-authorization-server` describes it all (RFC 8414).",
            "flows": {
                "clientCredentials": {
                    "tokenUrl": "/v1/oauth/token",
                    "scopes": {}
                },
                "authorizationCode": {
                    "authorizationUrl": "/v1/oauth/authorize",
                    "tokenUrl": "/v1/oauth/token",
                    "refreshUrl": "/v1/oauth/token",
                    "scopes": authorization_code_scopes()
                }
            }
        },
        "client_basic": {
            "type": "http",
            "scheme": "basic",
            "description": "Client authentication at the token endpoint with HTTP Basic (RFC 6749 section 2.3.1): the form-urlencoded `client_id` as the user name and `client_secret` as the password. The alternative is both in the form body; a request must not use both ways."
        }
    })
}

/// `security: []` on the public operations; the token endpoint accepts HTTP Basic client
/// authentication or the credentials in its body (`{}`: no HTTP authentication scheme).
fn declare_public_security(op: &mut Value) {
    let id = op["operationId"].as_str().unwrap_or_default();
    if id == "issue_token" || id == "revoke_token" {
        op["security"] = json!([{"client_basic": []}, {}]);
    } else if PUBLIC_OPERATIONS.contains(&id) {
        op["security"] = json!([]);
    }
}

/// The `authorizationCode` flow's scopes: every representative scope and consent scope, in words.
fn authorization_code_scopes() -> Value {
    let mut out = Map::new();
    for scope in scopes::RepresentativeScope::ALL {
        out.insert(scope.name().into(), json!(scope.meaning()));
    }
    for scope in scopes::CONSENT_SCOPES {
        out.insert(
            scopes::consent_scope_name(*scope),
            json!(format!(
                "Consent (platforms and registries, with `account_id`): {}",
                scopes::consent_scope_meaning(*scope)
            )),
        );
    }
    Value::Object(out)
}

/// The representative scope an operation needs (`x-ucr-scope`, from [`scopes::OPERATION_SCOPES`]),
/// and the `403` of `insufficient-scope` it may answer a flow token that lacks it.
fn declare_scope(op: &mut Value) {
    let id = op["operationId"].as_str().unwrap_or_default();
    let Some(scope) = scopes::scope_of(id) else {
        return;
    };
    op["x-ucr-scope"] = json!(scope.name());
    if let Some(responses) = op["responses"].as_object_mut() {
        responses
            .entry("403")
            .or_insert_with(|| json!({"$ref": "#/components/responses/Problem403"}));
    }
}

/// Gives every `uint64` schema without a tighter bound `maximum: MAX_SAFE_INTEGER`.
fn bound_to_safe_integers(value: &mut Value) {
    match value {
        Value::Object(map) => {
            if map.get("format").and_then(Value::as_str) == Some("uint64")
                && map.get("maximum").is_none()
            {
                map.insert("maximum".into(), json!(MAX_SAFE_INTEGER));
            }
            map.values_mut().for_each(bound_to_safe_integers);
        }
        Value::Array(items) => items.iter_mut().for_each(bound_to_safe_integers),
        _ => {}
    }
}

/// The `pattern` of every schema property with one of these names, in request and response bodies
/// alike: the identifier formats the registry issues and accepts. Parameters get none: a query
/// filter takes any string (one that matches nothing finds nothing: `200` with no items), and a
/// path that names no resource answers `404` whatever its form. Other identifiers (`TP-…`, `CON-…`, ...) are opaque to clients and get none.
pub const PATTERNS: &[(&str, &str)] = &[
    ("account_id", ACCOUNT_ID_PATTERN),
    ("from_account_id", ACCOUNT_ID_PATTERN),
    ("to_account_id", ACCOUNT_ID_PATTERN),
    ("custodial_account_id", ACCOUNT_ID_PATTERN),
    ("settled_to_account_id", ACCOUNT_ID_PATTERN),
    // An account's escrow controller is listed among its representatives under its platform's
    // `TP-` identifier (`kind: escrow_controller`, REQ-ESCROW-014).
    ("representative_id", "^(AR-[0-9]{6,}|TP-[0-9]{4,})$"),
    ("transfer_id", "^TRF-[0-9]{6,}$"),
    ("vintage", "^[0-9]{4}-[0-9]{2}$"),
    ("unit_type", "^[A-Z][A-Z0-9]{1,15}$"),
];

/// ANREU account numbers: `AU-` and seven digits.
const ACCOUNT_ID_PATTERN: &str = "^AU-[0-9]{7}$";

/// The enumerations that grow within `/v1` (`REQ-CONV-009`): each schema is marked
/// `x-ucr-open-enum: true` and says so in its description, and the SDK generator gives it a
/// catch-all variant so that clients tolerate values they do not know.
pub const OPEN_ENUMS: &[&str] = &["TransactionKind", "EventType"];

/// Marks the [`OPEN_ENUMS`] schemas.
fn mark_open_enums(doc: &mut Value) {
    for name in OPEN_ENUMS {
        let schema = &mut doc["components"]["schemas"][*name];
        if !schema.is_object() {
            continue;
        }
        schema["x-ucr-open-enum"] = json!(true);
        let description = schema["description"]
            .as_str()
            .unwrap_or_default()
            .trim_end();
        schema["description"] = json!(format!(
            "{description}\n\nOpen enumeration: later `/v1` versions may add values, and clients MUST accept values they do not know (`REQ-CONV-009`)."
        ));
    }
}

/// Sets [`PATTERNS`] on the string schemas of properties of those names.
fn apply_patterns(doc: &mut Value) {
    fn set(schema: &mut Value, name: &str) {
        let Some((_, pattern)) = PATTERNS.iter().find(|(n, _)| *n == name) else {
            return;
        };
        let is_string = match &schema["type"] {
            Value::String(t) => t == "string",
            Value::Array(ts) => ts.iter().any(|t| t == "string"),
            _ => false,
        };
        if is_string {
            schema["pattern"] = json!(pattern);
        }
    }
    for schema in doc["components"]["schemas"]
        .as_object_mut()
        .into_iter()
        .flat_map(|m| m.values_mut())
    {
        for (name, property) in schema
            .get_mut("properties")
            .and_then(Value::as_object_mut)
            .into_iter()
            .flat_map(|m| m.iter_mut())
        {
            set(property, name);
        }
    }
}

/// The 3.1 `webhooks` section: one entry per event type the registry sends.
fn webhooks_section() -> Value {
    let mut out = Map::new();
    for event in webhooks::EventType::ALL {
        let name = event.name();
        let header = |header: &str, description: &str| json!({"name": header, "in": "header", "required": true, "description": description, "schema": {"type": "string"}});
        out.insert(name.clone(), json!({
            "post": {
                "summary": format!("`{name}` event"),
                "description": "Sent to every subscription that lists this event type, of each platform, registry or representative the event is routed to (see the requirements below). Verify `webhook-signature` before trusting the body; answer 2xx within 5 s to acknowledge; anything else is retried on the schedule of `REQ-WEBHOOK-007`.",
                "operationId": format!("webhook_{}", name.replace('.', "_")),
                "parameters": [
                    header("webhook-id", "The event ID; the same on every retry of one event."),
                    header("webhook-timestamp", "Unix seconds of the wall clock when this attempt was signed (never the sandbox-shifted registry clock)."),
                    header("webhook-signature", "Space-separated `v1,<base64 HMAC-SHA256 of \"{webhook-id}.{webhook-timestamp}.{body}\">` signatures, keyed with the subscription secret.")
                ],
                "requestBody": {
                    "required": true,
                    "description": format!("A `WebhookPayload` whose `type` is `{name}`: a `{}`.", event_payloads::schema_name(*event)),
                    "content": {"application/json": {"schema": event_payloads::union_reference()}}
                },
                "responses": {"2XX": {"description": "Acknowledged."}},
                // The registry calls the subscriber: no token; the body is signed instead.
                "security": []
            }
        }));
    }
    Value::Object(out)
}

/// The published document, pretty-printed with a trailing newline: the bytes of `spec/openapi.json`.
pub fn openapi_string() -> String {
    let mut text = serde_json::to_string_pretty(&openapi_json()).expect("the document serialises");
    text.push('\n');
    text
}

/// One reusable response per problem status, named `Problem<status>`.
fn error_responses() -> Map<String, Value> {
    let mut statuses: Vec<u16> = ERRORS.iter().flat_map(|(_, s)| s.iter().copied()).collect();
    statuses.push(429);
    statuses.sort_unstable();
    statuses.dedup();
    let mut out = Map::new();
    for status in statuses {
        let kinds: Vec<String> = ProblemType::ALL
            .iter()
            .filter(|k| k.status() == status)
            .map(|k| format!("`{}`", k.slug()))
            .collect();
        let mut response = json!({
            "description": format!("Problem document; `type` is one of: {}.", kinds.join(", ")),
            "content": {
                problem::PROBLEM_JSON: {"schema": {"$ref": "#/components/schemas/Problem"}}
            }
        });
        if status == 429 {
            let mut headers = rate_limits::references();
            headers["Retry-After"] = json!({
                "description": "Seconds to wait before sending another request (RFC 9110 section 10.2.3).",
                "required": true,
                "schema": {"type": "integer", "minimum": 1}
            });
            response["headers"] = headers;
        }
        if status == 401 {
            response["headers"] = json!({
                "WWW-Authenticate": {
                    "description": "`Bearer`, with `error=\"invalid_token\"` when a token was sent but not accepted.",
                    "schema": {"type": "string"}
                }
            });
        }
        out.insert(format!("Problem{status}"), response);
    }
    out.insert(
        "ProblemDefault".into(),
        json!({
            "description": "Any other error status, such as a 5xx from the implementation or a gateway in front of it: a problem document when the implementation itself answers. Handle it by its status class.",
            "content": {
                problem::PROBLEM_JSON: {"schema": {"$ref": "#/components/schemas/Problem"}}
            }
        }),
    );
    out
}

fn add_problem_responses(op: &mut Value) {
    let id = op["operationId"]
        .as_str()
        .expect("every operation has an id")
        .to_owned();
    let statuses = ERRORS
        .iter()
        .find(|(name, _)| *name == id)
        .unwrap_or_else(|| panic!("operation {id} has no entry in ERRORS"))
        .1;
    let responses = op["responses"]
        .as_object_mut()
        .expect("responses is an object");
    for status in statuses {
        responses.insert(
            status.to_string(),
            json!({"$ref": format!("#/components/responses/Problem{status}")}),
        );
    }
    // Any operation may be rate limited, and any may fail in ways no table can list.
    responses.insert(
        "429".into(),
        json!({"$ref": "#/components/responses/Problem429"}),
    );
    responses.insert(
        "default".into(),
        json!({"$ref": "#/components/responses/ProblemDefault"}),
    );
}

/// Marks list operations with `x-dropshot-pagination`, the extension progenitor reads to generate
/// a `Stream` for them.
fn mark_paginated(op: &mut Value) {
    let has_page_token = op["parameters"]
        .as_array()
        .is_some_and(|ps| ps.iter().any(|p| p["name"] == "page_token"));
    if has_page_token {
        op["x-dropshot-pagination"] = json!({"required": []});
    }
}

/// utoipa writes an `Option<T>` parameter's schema as `[T, "null"]`; a query parameter is absent,
/// never null, and the SDK generator would otherwise type it `Option<Option<T>>`.
fn strip_null_from_parameter(param: &mut Value) {
    let schema = &mut param["schema"];
    if let Some(types) = schema.get("type").and_then(Value::as_array) {
        let rest: Vec<Value> = types.iter().filter(|t| *t != "null").cloned().collect();
        schema["type"] = if rest.len() == 1 {
            rest[0].clone()
        } else {
            Value::Array(rest)
        };
    }
    if let Some(one_of) = schema.get("oneOf").and_then(Value::as_array) {
        let rest: Vec<Value> = one_of
            .iter()
            .filter(|s| s["type"] != "null")
            .cloned()
            .collect();
        if rest.len() == 1 {
            *schema = rest[0].clone();
        }
    }
}

/// utoipa's `non_strict_integers` writes `u-int64` and friends (utoipa#1527).
fn normalise_integer_formats(value: &mut Value) {
    match value {
        Value::Object(map) => {
            if let Some(Value::String(format)) = map.get_mut("format")
                && format.starts_with("u-int")
            {
                *format = format.replace("u-int", "uint");
            }
            map.values_mut().for_each(normalise_integer_formats);
        }
        Value::Array(items) => items.iter_mut().for_each(normalise_integer_formats),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_operation_has_an_id_errors_and_docs() {
        let doc = openapi_json();
        let mut ids = Vec::new();
        for (path, item) in doc["paths"].as_object().unwrap() {
            assert!(
                path.starts_with("/v1/") || path == "/.well-known/oauth-authorization-server",
                "{path} lacks the /v1 prefix"
            );
            for (method, op) in item.as_object().unwrap() {
                let id = op["operationId"].as_str().unwrap();
                ids.push(id.to_owned());
                assert!(op["summary"].is_string(), "{method} {path} has no summary");
                assert!(
                    op["responses"].as_object().unwrap().len() >= 2,
                    "{id} declares no problems"
                );
            }
        }
        assert_eq!(
            ids.len(),
            ERRORS.len(),
            "ERRORS and the operations disagree"
        );
    }

    #[test]
    fn lists_are_paginated_with_exactly_items_and_next_page() {
        let doc = openapi_json();
        for item in doc["paths"].as_object().unwrap().values() {
            for op in item.as_object().unwrap().values() {
                if op.get("x-dropshot-pagination").is_none() {
                    continue;
                }
                let schema =
                    &op["responses"]["200"]["content"]["application/json"]["schema"]["$ref"];
                let name = schema.as_str().unwrap().rsplit('/').next().unwrap();
                let props = doc["components"]["schemas"][name]["properties"]
                    .as_object()
                    .unwrap();
                let mut keys: Vec<_> = props.keys().cloned().collect();
                keys.sort();
                assert_eq!(keys, ["items", "next_page"], "{name}");
            }
        }
    }

    /// Every link names an operation that exists, sets only path parameters that operation has,
    /// and reads a field the source response's schema declares.
    #[test]
    fn links_resolve() {
        let doc = openapi_json();
        let mut path_params = std::collections::BTreeMap::new();
        for item in doc["paths"].as_object().unwrap().values() {
            for op in item.as_object().unwrap().values() {
                let names: Vec<String> = op["parameters"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter(|p| p["in"] == "path")
                    .map(|p| p["name"].as_str().unwrap().to_owned())
                    .collect();
                path_params.insert(op["operationId"].as_str().unwrap().to_owned(), names);
            }
        }
        let deref = |schema: &Value| -> Value {
            match schema["$ref"].as_str() {
                Some(r) => doc
                    .pointer(r.trim_start_matches('#'))
                    .unwrap_or_else(|| panic!("dangling {r}"))
                    .clone(),
                None => schema.clone(),
            }
        };
        let mut links = 0;
        for item in doc["paths"].as_object().unwrap().values() {
            for op in item.as_object().unwrap().values() {
                let source = op["operationId"].as_str().unwrap();
                for response in op["responses"].as_object().unwrap().values() {
                    let Some(map) = response["links"].as_object() else {
                        continue;
                    };
                    let body = &response["content"]["application/json"]["schema"];
                    for (name, link) in map {
                        links += 1;
                        let target = link["operationId"].as_str().unwrap();
                        let params = path_params
                            .get(target)
                            .unwrap_or_else(|| panic!("{source} links to unknown {target}"));
                        for (param, expression) in link["parameters"].as_object().unwrap() {
                            assert!(
                                params.contains(param),
                                "{source}.{name}: {target} has no path parameter {param}"
                            );
                            let pointer = expression
                                .as_str()
                                .and_then(|e| e.strip_prefix("$response.body#/"))
                                .unwrap_or_else(|| panic!("{source}.{name}: {expression}"));
                            let mut schema = deref(body);
                            for segment in pointer.split('/') {
                                schema = if segment.parse::<usize>().is_ok() {
                                    deref(&schema["items"])
                                } else {
                                    assert!(
                                        schema["properties"].get(segment).is_some(),
                                        "{source}.{name}: no field {segment} in {pointer}"
                                    );
                                    deref(&schema["properties"][segment])
                                };
                            }
                            assert_eq!(schema["type"], "string", "{source}.{name}: {pointer}");
                        }
                    }
                }
            }
        }
        assert!(links >= 40, "only {links} links");
    }

    /// Every public operation exists and says `security` itself; every other operation inherits
    /// the root `security`; every `uint64` is bounded by `MAX_SAFE_INTEGER` or less.
    #[test]
    fn security_and_integer_bounds_are_declared() {
        let doc = openapi_json();
        assert_eq!(doc["security"], json!([{"bearer": []}, {"oauth2": []}]));
        let mut public = Vec::new();
        for item in doc["paths"].as_object().unwrap().values() {
            for op in item.as_object().unwrap().values() {
                let id = op["operationId"].as_str().unwrap();
                if PUBLIC_OPERATIONS.contains(&id) {
                    assert!(op["security"].is_array(), "{id} declares no security");
                    public.push(id);
                } else {
                    assert!(
                        op.get("security").is_none(),
                        "{id} overrides the root security"
                    );
                }
            }
        }
        public.sort_unstable();
        let mut expected = PUBLIC_OPERATIONS.to_vec();
        expected.sort_unstable();
        assert_eq!(public, expected);
        for event in doc["webhooks"].as_object().unwrap().values() {
            assert_eq!(event["post"]["security"], json!([]));
        }
        fn walk(value: &Value, path: &str) {
            if let Some(map) = value.as_object() {
                if map.get("format").and_then(Value::as_str) == Some("uint64") {
                    let max = map["maximum"].as_u64().unwrap_or(u64::MAX);
                    assert!(max <= MAX_SAFE_INTEGER, "{path}: maximum {max}");
                }
                for (key, child) in map {
                    walk(child, &format!("{path}/{key}"));
                }
            } else if let Some(items) = value.as_array() {
                for (i, child) in items.iter().enumerate() {
                    walk(child, &format!("{path}/{i}"));
                }
            }
        }
        walk(&doc, "#");
    }

    /// Every property of a [`PATTERNS`] name, in every schema, carries its pattern; none is lost to
    /// a `$ref` or a non-string type.
    #[test]
    fn every_patterned_property_has_its_pattern() {
        let doc = openapi_json();
        let mut seen = std::collections::BTreeSet::new();
        for (schema_name, schema) in doc["components"]["schemas"].as_object().unwrap() {
            let Some(properties) = schema["properties"].as_object() else {
                continue;
            };
            for (name, property) in properties {
                if let Some((_, pattern)) = PATTERNS.iter().find(|(n, _)| n == name) {
                    assert_eq!(property["pattern"], *pattern, "{schema_name}.{name}");
                    seen.insert(name.as_str());
                }
            }
        }
        let names: std::collections::BTreeSet<&str> = PATTERNS.iter().map(|(n, _)| *n).collect();
        assert_eq!(seen, names, "a PATTERNS name no schema has");
        let status = &doc["components"]["schemas"]["Problem"]["properties"]["status"];
        assert_eq!(
            (status["minimum"].as_u64(), status["maximum"].as_u64()),
            (Some(400), Some(599))
        );
    }

    /// Every operation declares `429` (a problem with `Retry-After`) and a problem `default`.
    #[test]
    fn every_operation_declares_429_and_a_default() {
        let doc = openapi_json();
        for item in doc["paths"].as_object().unwrap().values() {
            for op in item.as_object().unwrap().values() {
                let id = op["operationId"].as_str().unwrap();
                let responses = &op["responses"];
                assert_eq!(
                    responses["429"]["$ref"], "#/components/responses/Problem429",
                    "{id}"
                );
                assert_eq!(
                    responses["default"]["$ref"], "#/components/responses/ProblemDefault",
                    "{id}"
                );
            }
        }
        let limited = &doc["components"]["responses"]["Problem429"];
        assert_eq!(limited["headers"]["Retry-After"]["required"], true);
        assert!(
            limited["description"]
                .as_str()
                .unwrap()
                .contains("`rate-limited`")
        );
    }

    #[test]
    fn no_unnormalised_integer_formats() {
        assert!(!openapi_string().contains("u-int"));
    }
}
