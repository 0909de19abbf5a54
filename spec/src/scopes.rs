//! OAuth scopes of the authorization code flow: the representative scopes and the one table that
//! says which scope each operation a representative may call needs, and the consent scopes a
//! trading platform or third-party registry asks a representative for.
//!
//! The mock enforces [`OPERATION_SCOPES`] on tokens issued by the flow; the document carries it as
//! each operation's `x-ucr-scope` and as the `oauth2` scheme's `authorizationCode` scopes.

use crate::platforms::ConsentScope;

/// What a representative's token from the authorization code flow may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum RepresentativeScope {
    /// `accounts:read`.
    AccountsRead,
    /// `transfers:write`.
    TransfersWrite,
    /// `cancellations:write`.
    CancellationsWrite,
    /// `consents:write`.
    ConsentsWrite,
    /// `trading:write`.
    TradingWrite,
    /// `webhooks:manage`.
    WebhooksManage,
}

impl RepresentativeScope {
    /// Every representative scope, in the order the document lists them.
    pub const ALL: &'static [RepresentativeScope] = &[
        RepresentativeScope::AccountsRead,
        RepresentativeScope::TransfersWrite,
        RepresentativeScope::CancellationsWrite,
        RepresentativeScope::ConsentsWrite,
        RepresentativeScope::TradingWrite,
        RepresentativeScope::WebhooksManage,
    ];

    /// The scope's name on the wire.
    pub fn name(self) -> &'static str {
        match self {
            RepresentativeScope::AccountsRead => "accounts:read",
            RepresentativeScope::TransfersWrite => "transfers:write",
            RepresentativeScope::CancellationsWrite => "cancellations:write",
            RepresentativeScope::ConsentsWrite => "consents:write",
            RepresentativeScope::TradingWrite => "trading:write",
            RepresentativeScope::WebhooksManage => "webhooks:manage",
        }
    }

    /// What the scope allows, in words (the consent page and the document show this).
    pub fn meaning(self) -> &'static str {
        match self {
            RepresentativeScope::AccountsRead => {
                "Read your accounts: details, holdings, transaction history, transfers, cancellations, consents, delegations, reservations, escrows and associations"
            }
            RepresentativeScope::TransfersWrite => {
                "Initiate, approve, reject and rescind transfers from your accounts"
            }
            RepresentativeScope::CancellationsWrite => {
                "Initiate, approve, reject and rescind cancellations of your units"
            }
            RepresentativeScope::ConsentsWrite => {
                "Grant and revoke consents and delegations on your accounts"
            }
            RepresentativeScope::TradingWrite => {
                "Reserve units for trading platforms, release reservations, and escrow units (create, approve or reject an escrow)"
            }
            RepresentativeScope::WebhooksManage => "Manage webhook subscriptions",
        }
    }

    /// The scope named `name`, if it is a representative scope.
    pub fn parse(name: &str) -> Option<RepresentativeScope> {
        Self::ALL.iter().copied().find(|s| s.name() == name)
    }
}

/// Prefix of a consent scope's OAuth name: `consent:holdings_read` asks for `holdings_read`.
pub const CONSENT_SCOPE_PREFIX: &str = "consent:";

/// Every consent scope, in [`ConsentScope`] order.
pub const CONSENT_SCOPES: &[ConsentScope] = &[
    ConsentScope::HoldingsRead,
    ConsentScope::TransactionsRead,
    ConsentScope::ReservedUnitsRead,
    ConsentScope::Association,
];

/// A consent scope's OAuth name, `consent:<scope>`.
pub fn consent_scope_name(scope: ConsentScope) -> String {
    let wire = serde_json::to_value(scope)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default();
    format!("{CONSENT_SCOPE_PREFIX}{wire}")
}

/// The consent scope an OAuth scope name asks for, if it is one.
pub fn parse_consent_scope(name: &str) -> Option<ConsentScope> {
    CONSENT_SCOPES
        .iter()
        .copied()
        .find(|s| consent_scope_name(*s) == name)
}

/// What a consent scope lets the client do, in words.
pub fn consent_scope_meaning(scope: ConsentScope) -> &'static str {
    match scope {
        ConsentScope::HoldingsRead => "Read the account's details and all of its holdings",
        ConsentScope::TransactionsRead => "Read the account's transaction history",
        ConsentScope::ReservedUnitsRead => "Read the units reserved for it on the account",
        ConsentScope::Association => {
            "Associate its certificates with units in the account, and read the account's holdings"
        }
    }
}

/// Every scope name of `scopes_supported`: the representative scopes, then the consent scopes.
pub fn scopes_supported() -> Vec<String> {
    RepresentativeScope::ALL
        .iter()
        .map(|s| s.name().to_owned())
        .chain(CONSENT_SCOPES.iter().map(|s| consent_scope_name(*s)))
        .collect()
}

use RepresentativeScope::{
    AccountsRead, CancellationsWrite, ConsentsWrite, TradingWrite, TransfersWrite, WebhooksManage,
};

/// The scope a representative's flow token needs for each operation it may call, one line per
/// operation. Every operation of the contract is here, in [`PLATFORM_ONLY`], public
/// ([`crate::PUBLIC_OPERATIONS`]) or a sandbox operation; a test holds the table to that.
pub const OPERATION_SCOPES: &[(&str, RepresentativeScope)] = &[
    ("list_accounts", AccountsRead),
    ("get_account", AccountsRead),
    ("list_holdings", AccountsRead),
    ("list_transactions", AccountsRead),
    ("get_transfer", AccountsRead),
    ("get_cancellation", AccountsRead),
    ("get_platform", AccountsRead),
    ("list_account_consents", AccountsRead),
    ("list_consents", AccountsRead),
    ("get_consent", AccountsRead),
    ("list_delegations", AccountsRead),
    ("list_reservations", AccountsRead),
    ("get_reservation", AccountsRead),
    ("list_escrows", AccountsRead),
    ("get_escrow", AccountsRead),
    ("list_associations", AccountsRead),
    ("get_association", AccountsRead),
    ("initiate_transfer", TransfersWrite),
    ("approve_transfer", TransfersWrite),
    ("reject_transfer", TransfersWrite),
    ("rescind_transfer", TransfersWrite),
    ("initiate_cancellation", CancellationsWrite),
    ("approve_cancellation", CancellationsWrite),
    ("rescind_cancellation", CancellationsWrite),
    ("reject_cancellation", CancellationsWrite),
    ("grant_consent", ConsentsWrite),
    ("revoke_consent", ConsentsWrite),
    ("appoint_delegate", ConsentsWrite),
    ("revoke_delegation", ConsentsWrite),
    ("create_reservation", TradingWrite),
    ("release_reservation", TradingWrite),
    ("create_escrow", TradingWrite),
    ("approve_escrow", TradingWrite),
    ("reject_escrow", TradingWrite),
    ("create_webhook_subscription", WebhooksManage),
    ("list_webhook_subscriptions", WebhooksManage),
    ("delete_webhook_subscription", WebhooksManage),
    ("list_webhook_deliveries", WebhooksManage),
];

/// Operations only a trading platform or third-party registry acting as itself may call: no
/// representative scope opens them.
pub const PLATFORM_ONLY: &[&str] = &[
    "create_association",
    "dissolve_association",
    "settle_escrow",
    "release_escrow",
];

/// The scope a representative's flow token needs for `operation_id`, if any.
pub fn scope_of(operation_id: &str) -> Option<RepresentativeScope> {
    OPERATION_SCOPES
        .iter()
        .find(|(id, _)| *id == operation_id)
        .map(|(_, scope)| *scope)
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::*;

    /// Every operation of the document is mapped to one scope, or is platform-only, public or a
    /// sandbox operation: an operation added without a scope fails here.
    #[test]
    fn every_operation_is_mapped_exactly_once() {
        let doc = crate::openapi_json();
        let mut mapped = BTreeSet::new();
        for (id, _) in OPERATION_SCOPES {
            assert!(mapped.insert(*id), "{id} is mapped twice");
        }
        for id in PLATFORM_ONLY {
            assert!(mapped.insert(*id), "{id} is both scoped and platform-only");
        }
        let mut unmapped = Vec::new();
        let mut ids = BTreeSet::new();
        for item in doc["paths"].as_object().unwrap().values() {
            for op in item.as_object().unwrap().values() {
                let id = op["operationId"].as_str().unwrap();
                ids.insert(id.to_owned());
                let sandbox = op["tags"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .any(|t| t == "sandbox");
                if !mapped.contains(id) && !sandbox && !crate::PUBLIC_OPERATIONS.contains(&id) {
                    unmapped.push(id.to_owned());
                }
            }
        }
        assert!(
            unmapped.is_empty(),
            "operations without a scope in spec/src/scopes.rs: {unmapped:?}"
        );
        let stale: Vec<_> = mapped.iter().filter(|id| !ids.contains(**id)).collect();
        assert!(stale.is_empty(), "scopes of unknown operations: {stale:?}");
    }

    #[test]
    fn scope_names_round_trip() {
        for scope in RepresentativeScope::ALL {
            assert_eq!(RepresentativeScope::parse(scope.name()), Some(*scope));
        }
        for scope in CONSENT_SCOPES {
            assert_eq!(
                parse_consent_scope(&consent_scope_name(*scope)),
                Some(*scope)
            );
        }
        assert_eq!(
            consent_scope_name(ConsentScope::HoldingsRead),
            "consent:holdings_read"
        );
        assert_eq!(scopes_supported().len(), 10);
    }
}
