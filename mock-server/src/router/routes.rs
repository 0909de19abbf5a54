//! The routing table: every operation of the API as method, path template and operation, in the
//! order of `spec/openapi.json`; and path resolution against it.
//!
//! A test ties the table to the contract: it holds exactly the spec's operations (path, method and
//! `operationId`, the operation's name in snake case), no more and no fewer.

use std::sync::LazyLock;

use http::Method;

/// Which requests a table entry answers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Verb {
    /// Only this method; any other is `405` with `Allow`.
    Only(Method),
    /// Every method: the operation answers a wrong one itself (the OAuth token endpoint, whose
    /// errors are RFC 6749 JSON rather than problem documents).
    Any(Method),
}

impl Verb {
    /// The method the contract declares.
    pub(crate) fn method(&self) -> &Method {
        match self {
            Verb::Only(method) | Verb::Any(method) => method,
        }
    }
}

const GET: Verb = Verb::Only(Method::GET);
const POST: Verb = Verb::Only(Method::POST);
const DELETE: Verb = Verb::Only(Method::DELETE);
/// The token endpoint's verb: it answers a wrong method itself, in RFC 6749 form.
const TOKEN: Verb = Verb::Any(Method::POST);

/// Declares [`OperationId`] and [`ROUTES`] from one list: `Name = VERB, "/v1/path/{param}";`.
macro_rules! routes {
    ($($id:ident = $verb:expr, $path:literal;)*) => {
        /// One operation of the API; its name is the spec's `operationId` in camel case.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
        pub(crate) enum OperationId {
            $(
                #[doc = $path]
                $id,
            )*
        }

        /// Every operation: method, path template (`{name}` is one path parameter) and
        /// operation, in the order of `spec/openapi.json`.
        pub(crate) const ROUTES: &[(Verb, &str, OperationId)] =
            &[$(($verb, $path, OperationId::$id)),*];
    };
}

routes! {
    GetAuthorizationServerMetadata = GET, "/.well-known/oauth-authorization-server";
    ListAccounts = GET, "/v1/accounts";
    GetAccount = GET, "/v1/accounts/{account_id}";
    ListAccountConsents = GET, "/v1/accounts/{account_id}/consents";
    GrantConsent = POST, "/v1/accounts/{account_id}/consents";
    ListDelegations = GET, "/v1/accounts/{account_id}/delegations";
    AppointDelegate = POST, "/v1/accounts/{account_id}/delegations";
    RevokeDelegation = POST, "/v1/accounts/{account_id}/delegations/{delegation_id}/revoke";
    ListHoldings = GET, "/v1/accounts/{account_id}/holdings";
    ListTransactions = GET, "/v1/accounts/{account_id}/transactions";
    ListAssociations = GET, "/v1/associations";
    CreateAssociation = POST, "/v1/associations";
    GetAssociation = GET, "/v1/associations/{association_id}";
    DissolveAssociation = POST, "/v1/associations/{association_id}/dissolve";
    InitiateCancellation = POST, "/v1/cancellations";
    GetCancellation = GET, "/v1/cancellations/{cancellation_id}";
    ApproveCancellation = POST, "/v1/cancellations/{cancellation_id}/approve";
    RescindCancellation = POST, "/v1/cancellations/{cancellation_id}/rescind";
    RejectCancellation = POST, "/v1/cancellations/{cancellation_id}/reject";
    ListConsents = GET, "/v1/consents";
    GetConsent = GET, "/v1/consents/{consent_id}";
    RevokeConsent = POST, "/v1/consents/{consent_id}/revoke";
    ListEscrows = GET, "/v1/escrows";
    CreateEscrow = POST, "/v1/escrows";
    GetEscrow = GET, "/v1/escrows/{escrow_id}";
    ReleaseEscrow = POST, "/v1/escrows/{escrow_id}/release";
    SettleEscrow = POST, "/v1/escrows/{escrow_id}/settle";
    ApproveEscrow = POST, "/v1/escrows/{escrow_id}/approve";
    RejectEscrow = POST, "/v1/escrows/{escrow_id}/reject";
    IssueToken = TOKEN, "/v1/oauth/token";
    Authorize = GET, "/v1/oauth/authorize";
    DecideAuthorization = POST, "/v1/oauth/authorize";
    RevokeToken = POST, "/v1/oauth/revoke";
    GetPlatform = GET, "/v1/platforms/{platform_id}";
    ListAccuProjects = GET, "/v1/registers/accu-projects";
    GetAccuProject = GET, "/v1/registers/accu-projects/{project_id}";
    ListCarbonAbatementContracts = GET, "/v1/registers/carbon-abatement-contracts";
    GetCarbonAbatementContract = GET, "/v1/registers/carbon-abatement-contracts/{contract_id}";
    ListGuaranteeOfOriginProjects = GET, "/v1/registers/guarantee-of-origin-projects";
    GetGuaranteeOfOriginProject = GET, "/v1/registers/guarantee-of-origin-projects/{profile_id}";
    ListReservations = GET, "/v1/reservations";
    CreateReservation = POST, "/v1/reservations";
    GetReservation = GET, "/v1/reservations/{reservation_id}";
    ReleaseReservation = POST, "/v1/reservations/{reservation_id}/release";
    CreateAccountHolder = POST, "/v1/sandbox/account-holders";
    CreateAccount = POST, "/v1/sandbox/accounts";
    AppointRepresentative = POST, "/v1/sandbox/accounts/{account_id}/representatives";
    GetClock = GET, "/v1/sandbox/clock";
    AdvanceClock = POST, "/v1/sandbox/clock/advance";
    IssueUnits = POST, "/v1/sandbox/issuances";
    CreateOauthClient = POST, "/v1/sandbox/oauth-clients";
    CreateOperatorSession = POST, "/v1/sandbox/operator-sessions";
    CreatePlatform = POST, "/v1/sandbox/platforms";
    CreatePlatformRepresentative = POST, "/v1/sandbox/platforms/{platform_id}/representatives";
    ResetSandbox = POST, "/v1/sandbox/reset";
    InitiateTransfer = POST, "/v1/transfers";
    GetTransfer = GET, "/v1/transfers/{transfer_id}";
    ApproveTransfer = POST, "/v1/transfers/{transfer_id}/approve";
    RejectTransfer = POST, "/v1/transfers/{transfer_id}/reject";
    RescindTransfer = POST, "/v1/transfers/{transfer_id}/rescind";
    ListWebhookSubscriptions = GET, "/v1/webhook-subscriptions";
    CreateWebhookSubscription = POST, "/v1/webhook-subscriptions";
    DeleteWebhookSubscription = DELETE, "/v1/webhook-subscriptions/{subscription_id}";
    ListWebhookDeliveries = GET, "/v1/webhook-subscriptions/{subscription_id}/deliveries";
}

/// An operation with the values of its path parameters, in path order (unused ones are empty).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Operation<'a> {
    /// Which operation.
    pub(crate) id: OperationId,
    /// The path parameters, e.g. `[account_id, delegation_id]`.
    pub(crate) params: [&'a str; 2],
}

/// The operations at one path.
#[derive(Debug, Clone, Default)]
pub(crate) struct Route<'a> {
    operations: Vec<(Verb, Operation<'a>)>,
}

impl<'a> Route<'a> {
    /// The operation answering `method`, if any.
    pub(crate) fn pick(&self, method: &Method) -> Option<Operation<'a>> {
        self.operations
            .iter()
            .find(|(verb, _)| match verb {
                Verb::Only(only) => only == method,
                Verb::Any(_) => true,
            })
            .map(|(_, operation)| *operation)
    }

    /// The methods this path answers, for `Allow`.
    pub(crate) fn allow(&self) -> String {
        [Method::GET, Method::POST, Method::DELETE]
            .into_iter()
            .filter(|m| self.operations.iter().any(|(verb, _)| verb.method() == m))
            .map(|m| m.to_string())
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// The operations at `path`, if any: the table entries whose template matches it segment by
/// segment (a parameter matches any non-empty segment).
pub(crate) fn resolve(path: &str) -> Option<Route<'_>> {
    /// The table's templates split into segments once, grouped by their number of segments
    /// (each with its entry's place in the table, whose order is kept).
    type Templates = Vec<Vec<(usize, Vec<&'static str>)>>;
    static TEMPLATES: LazyLock<Templates> = LazyLock::new(|| {
        let mut by_length: Templates = Vec::new();
        for (index, (_, template, _)) in ROUTES.iter().enumerate() {
            let segments: Vec<&'static str> = template.trim_start_matches('/').split('/').collect();
            if by_length.len() <= segments.len() {
                by_length.resize_with(segments.len() + 1, Vec::new);
            }
            by_length[segments.len()].push((index, segments));
        }
        by_length
    });
    let rest = path.strip_prefix('/')?;
    let mut segments = [""; 8];
    let mut count = 0;
    for segment in rest.split('/') {
        if segment.is_empty() {
            return None;
        }
        // Longer than any template: no operation is there.
        *segments.get_mut(count)? = segment;
        count += 1;
    }
    let segments = &segments[..count];
    let operations: Vec<(Verb, Operation<'_>)> = TEMPLATES
        .get(segments.len())?
        .iter()
        .filter_map(|(index, pattern)| {
            let (verb, _, id) = &ROUTES[*index];
            let mut params = [""; 2];
            let mut next = 0;
            for (expected, actual) in pattern.iter().zip(segments) {
                if expected.starts_with('{') {
                    *params.get_mut(next)? = actual;
                    next += 1;
                } else if expected != actual {
                    return None;
                }
            }
            Some((verb.clone(), Operation { id: *id, params }))
        })
        .collect();
    (!operations.is_empty()).then_some(Route { operations })
}

impl OperationId {
    /// The spec's `operationId` this stands for: its name in snake case.
    pub(crate) fn spec_name(self) -> String {
        let mut snake = String::new();
        for (i, c) in format!("{self:?}").chars().enumerate() {
            if c.is_ascii_uppercase() && i > 0 {
                snake.push('_');
            }
            snake.push(c.to_ascii_lowercase());
        }
        snake
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::*;

    fn operation_id(id: OperationId) -> String {
        id.spec_name()
    }

    /// `(METHOD, path template, operationId)` of every operation in the committed
    /// `spec/openapi.json` (its `webhooks` are requests the registry sends, not operations).
    fn spec_operations() -> BTreeSet<(String, String, String)> {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../spec/openapi.json");
        let text = std::fs::read_to_string(path).expect("spec/openapi.json is readable");
        let doc: serde_json::Value =
            serde_json::from_str(&text).expect("spec/openapi.json is JSON");
        let mut operations = BTreeSet::new();
        for (path, item) in doc["paths"].as_object().expect("paths") {
            for (method, operation) in item.as_object().expect("a path item") {
                let id = operation["operationId"].as_str().expect("an operationId");
                operations.insert((method.to_uppercase(), path.clone(), id.to_owned()));
            }
        }
        operations
    }

    /// A concrete path for a template: each parameter replaced by a distinct sample value.
    fn instantiate(template: &str) -> (String, Vec<String>) {
        let mut values = Vec::new();
        let path = template
            .split('/')
            .map(|segment| {
                if segment.starts_with('{') {
                    values.push(format!("X-{}", values.len() + 1));
                    values.last().cloned().unwrap_or_default()
                } else {
                    segment.to_owned()
                }
            })
            .collect::<Vec<_>>()
            .join("/");
        (path, values)
    }

    #[test]
    fn the_table_holds_exactly_the_operations_of_the_spec() {
        let table: BTreeSet<(String, String, String)> = ROUTES
            .iter()
            .map(|(verb, path, id)| {
                (
                    verb.method().to_string(),
                    (*path).to_owned(),
                    operation_id(*id),
                )
            })
            .collect();
        assert_eq!(table.len(), ROUTES.len(), "an operation is listed twice");
        let spec = spec_operations();
        let missing: Vec<_> = spec.difference(&table).collect();
        let extra: Vec<_> = table.difference(&spec).collect();
        assert!(
            missing.is_empty() && extra.is_empty(),
            "the routing table and spec/openapi.json disagree; not routed: {missing:?}; not in \
             the spec: {extra:?}"
        );
    }

    #[test]
    fn every_operation_of_the_spec_resolves_to_itself_and_nothing_else() {
        let spec = spec_operations();
        let templates: BTreeSet<&String> = spec.iter().map(|(_, path, _)| path).collect();
        for template in templates {
            let (path, values) = instantiate(template);
            let route = resolve(&path).unwrap_or_else(|| panic!("{path} does not resolve"));
            for method in ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD"] {
                let method = Method::from_bytes(method.as_bytes()).expect("a method");
                let declared = spec
                    .iter()
                    .find(|(m, p, _)| *m == method.as_str() && p == template)
                    .map(|(_, _, id)| id.clone());
                let picked = route.pick(&method);
                match (&declared, picked) {
                    (Some(id), Some(operation)) => {
                        assert_eq!(&operation_id(operation.id), id, "{method} {path}");
                        let params: Vec<&str> = operation
                            .params
                            .iter()
                            .copied()
                            .filter(|p| !p.is_empty())
                            .collect();
                        assert_eq!(params, values, "{method} {path}: path parameters");
                    }
                    (None, None) => {}
                    // Only the token endpoint answers an undeclared method, itself (RFC 6749).
                    (None, Some(operation)) => {
                        assert_eq!(
                            operation.id,
                            OperationId::IssueToken,
                            "{method} {path} is not in the spec"
                        )
                    }
                    (Some(id), None) => panic!("{method} {path} ({id}) is not routed"),
                }
            }
        }
    }

    #[test]
    fn paths_outside_the_spec_resolve_to_nothing() {
        for path in [
            "/v1",
            "/v1/",
            "/v1/accounts/",
            "/v1/accounts//holdings",
            "/v1/accounts/AU-1000001/holdings/extra",
            "/v1/oauth/token/",
            "/v1/sandbox",
            "/v1/registers",
            "/v1/registers/other",
            "/v2/accounts",
            "/accounts",
            "/.well-known",
            "/.well-known/oauth-authorization-server/",
            "/.well-known/openid-configuration",
            "/v1/oauth/authorize/x",
            "/v1/accounts/a/b/c/d/e/f/g/h/i/j",
        ] {
            assert!(resolve(path).is_none(), "{path} resolves");
        }
    }
}
