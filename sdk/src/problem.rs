//! Typed access to RFC 9457 problem documents returned by the registry, and to the scope a
//! refused token lacked (RFC 6750 section 3.1).

use crate::generated::{Error, types::Problem};
use crate::problem_kinds::ProblemKind;

/// The error type of every SDK call.
pub type ApiError = Error<Problem>;

/// Problem-document access on SDK errors.
pub trait ProblemExt {
    /// The problem document, when the registry answered with one.
    fn problem(&self) -> Option<&Problem>;

    /// The problem's kind, when the registry answered with a problem of a known `type`.
    fn problem_kind(&self) -> Option<ProblemKind> {
        self.problem().and_then(|p| ProblemKind::from_uri(&p.type_))
    }

    /// Whether the registry refused with a problem of this kind:
    /// `err.is(ProblemKind::InsufficientUnits)`.
    fn is(&self, kind: ProblemKind) -> bool {
        self.problem_kind() == Some(kind)
    }

    /// The scope the access token lacked, when the registry refused it with `403` and
    /// `WWW-Authenticate: Bearer error="insufficient_scope", scope="…"` (a token from the
    /// authorization code flow calling an operation outside its scopes).
    fn missing_scope(&self) -> Option<String>;
}

impl ProblemExt for Error<Problem> {
    fn problem(&self) -> Option<&Problem> {
        match self {
            Error::ErrorResponse(response) => Some(response.as_ref()),
            _ => None,
        }
    }

    fn missing_scope(&self) -> Option<String> {
        let Error::ErrorResponse(response) = self else {
            return None;
        };
        if response.status() != reqwest::StatusCode::FORBIDDEN {
            return None;
        }
        response
            .headers()
            .get_all(reqwest::header::WWW_AUTHENTICATE)
            .iter()
            .filter_map(|value| value.to_str().ok())
            .find_map(insufficient_scope)
    }
}

/// The `scope` of a `Bearer` challenge whose `error` is `insufficient_scope`.
fn insufficient_scope(challenge: &str) -> Option<String> {
    let (scheme, parameters) = challenge.trim().split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("bearer") {
        return None;
    }
    let mut error = None;
    let mut scope = None;
    let mut rest = parameters.trim();
    while !rest.is_empty() {
        let (name, after) = rest.split_once('=')?;
        let after = after.trim_start();
        let (value, tail) = if let Some(quoted) = after.strip_prefix('"') {
            let end = quoted.find('"')?;
            (&quoted[..end], &quoted[end + 1..])
        } else {
            let end = after.find(',').unwrap_or(after.len());
            (after[..end].trim(), &after[end..])
        };
        match name.trim().to_ascii_lowercase().as_str() {
            "error" => error = Some(value),
            "scope" => scope = Some(value.to_owned()),
            _ => {}
        }
        rest = tail.trim_start().trim_start_matches(',').trim_start();
    }
    (error == Some("insufficient_scope"))
        .then_some(scope)
        .flatten()
}

#[cfg(test)]
mod tests {
    use super::insufficient_scope;

    #[test]
    fn the_missing_scope_is_read_from_the_challenge() {
        assert_eq!(
            insufficient_scope(
                r#"Bearer realm="ucr", error="insufficient_scope", scope="transfers:write""#
            )
            .as_deref(),
            Some("transfers:write")
        );
        assert_eq!(
            insufficient_scope(r#"Bearer error=insufficient_scope,scope="a b""#).as_deref(),
            Some("a b")
        );
        assert_eq!(
            insufficient_scope(r#"Bearer error="invalid_token", scope="x""#),
            None
        );
        assert_eq!(insufficient_scope(r#"Basic realm="ucr""#), None);
    }
}
