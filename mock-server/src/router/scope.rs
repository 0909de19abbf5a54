//! Scope enforcement on representatives' tokens from the authorization code flow: an operation
//! whose scope (`ucr_spec::scopes::OPERATION_SCOPES`) the token lacks answers `403
//! insufficient-scope` with an RFC 6750 challenge. Other tokens carry every scope.

use http::HeaderValue;
use http::header::WWW_AUTHENTICATE;
use ucr_spec::ProblemType;
use ucr_spec::scopes::scope_of;

use super::exchange::Refusal;
use super::extract::bearer_token;
use super::routes::OperationId;
use crate::registry::Registry;

/// `Err` when the request's bearer token is a flow token without the scope `operation` needs.
pub(crate) fn enforce(
    registry: &Registry,
    headers: &http::HeaderMap,
    operation: OperationId,
) -> Result<(), Refusal> {
    // Only flow tokens have scopes; the operation's name is looked up only for them.
    let Some(granted) = bearer_token(headers).and_then(|t| registry.flow_scopes(t)) else {
        return Ok(());
    };
    let Some(needed) = scope_of(&operation.spec_name()) else {
        return Ok(());
    };
    // FAULT(scopes-ignored): a flow token may do whatever its representative may.
    if granted.contains(&needed) || registry.fault(crate::faults::Fault::ScopesIgnored) {
        return Ok(());
    }
    let mut refusal = Refusal::from(ProblemType::InsufficientScope.problem(format!(
        "this token was granted {}; {} needs scope {}: ask the representative again with that scope",
        if granted.is_empty() {
            "no scope".to_owned()
        } else {
            granted.iter().map(|s| s.name()).collect::<Vec<_>>().join(" ")
        },
        operation.spec_name(),
        needed.name()
    )));
    if let Ok(value) = HeaderValue::from_str(&format!(
        "Bearer error=\"insufficient_scope\", scope=\"{}\"",
        needed.name()
    )) {
        refusal.headers.insert(WWW_AUTHENTICATE, value);
    }
    Err(refusal)
}
