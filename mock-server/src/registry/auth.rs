//! Bearer tokens: what a token authenticates as (representative and operator tokens, OAuth access
//! tokens until they lapse) and sandbox operator sessions.

use ucr_spec::sandbox::OperatorSession;
use uuid::Uuid;

use super::Registry;
use super::principal::Principal;
use crate::faults::Fault;

impl Registry {
    /// The principal a bearer token authenticates as, if the token is known and, for an OAuth
    /// access token, not yet expired on the registry clock.
    pub fn authenticate(&self, token: &str) -> Option<Principal> {
        if let Some(principal) = self.tokens.get(token) {
            return Some(principal.clone());
        }
        if let Some(principal) = self.flow_principal(token) {
            return Some(principal);
        }
        let (platform_id, expires_at) = self.access_tokens.get(token)?;
        // FAULT(expired-token-accepted): the token's lifetime is not compared with the clock.
        let mut expires_at = *expires_at;
        if self.fault(Fault::TokenLifetimeShort) {
            // FAULT(token-lifetime-short): a lifetime of half the documented 3600 s is enforced.
            expires_at -= super::platforms::ACCESS_TOKEN_LIFETIME / 2;
        }
        let expired = expires_at <= self.now() && !self.fault(Fault::ExpiredTokenAccepted);
        (!expired).then(|| Principal::Platform(platform_id.clone()))
    }

    /// Starts a sandbox operator session and returns its token.
    pub fn create_operator_session(&mut self) -> OperatorSession {
        self.ids.operator += 1;
        let principal = Principal::Operator(format!("OP-{:06}", self.ids.operator));
        let token = format!("ucr_op_{}", Uuid::new_v4().simple());
        self.tokens.insert(token.clone(), principal);
        OperatorSession { token }
    }

    /// Registers a fixed token for an operator session (fixtures and tests).
    pub(crate) fn add_operator_token(&mut self, token: &str) -> Result<(), String> {
        if self.tokens.contains_key(token) {
            return Err(format!("token {token:?} is already in use"));
        }
        self.ids.operator += 1;
        self.tokens.insert(
            token.to_owned(),
            Principal::Operator(format!("OP-{:06}", self.ids.operator)),
        );
        Ok(())
    }
}
