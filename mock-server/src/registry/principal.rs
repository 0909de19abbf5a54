//! Who a bearer token authenticates as: a representative, a platform acting as itself, or a
//! sandbox operator.

/// Who a bearer token authenticates as.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Principal {
    /// An authorised representative, by `representative_id` (`AR-000001`); possibly a trading
    /// platform's representative.
    Representative(String),
    /// A trading platform (`TP-0001`) or third-party registry (`TR-0001`) acting as itself. It is
    /// no representative: it reads by consent, controls escrows, associates and subscribes.
    Platform(String),
    /// A sandbox operator session (`OP-000001`). It has no account appointments.
    Operator(String),
}

impl Principal {
    /// The representative's id, if this is a representative.
    pub fn representative_id(&self) -> Option<&str> {
        match self {
            Principal::Representative(id) => Some(id),
            Principal::Platform(_) | Principal::Operator(_) => None,
        }
    }

    /// The platform's id, if this is a platform or registry acting as itself.
    pub fn platform_id(&self) -> Option<&str> {
        match self {
            Principal::Platform(id) => Some(id),
            Principal::Representative(_) | Principal::Operator(_) => None,
        }
    }

    /// Whether this is a sandbox operator.
    pub fn is_operator(&self) -> bool {
        matches!(self, Principal::Operator(_))
    }
}
