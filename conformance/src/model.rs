//! The interoperability models of the CER's paper (A.1 … C.1) that checks belong to.

use std::fmt;

use serde::{Deserialize, Serialize};

/// The interoperability model of the CER's paper a check belongs to.
///
/// Check IDs start with the model's [`code`](Model::code); reports group checks by model.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    Serialize,
    Deserialize,
    schemars::JsonSchema,
)]
#[non_exhaustive]
pub enum Model {
    /// Class A, A.1: an authorised representative reads and writes its own account, and reads the
    /// public registers.
    #[serde(rename = "A.1")]
    A1,
    /// Class B, B.1: a trading platform reads an account's holdings by the holder's consent, and
    /// the public registers.
    #[serde(rename = "B.1")]
    B1,
    /// Class B, B.2: the holder appoints a platform's representative as an authorised
    /// representative of its account.
    #[serde(rename = "B.2")]
    B2,
    /// Class B, B.3: the seller transfers units to the platform's custodial account; the
    /// platform's representative transfers them on to the buyer.
    #[serde(rename = "B.3")]
    B3,
    /// Class B, B.4: the seller reserves units for a platform, which sees only them; a trade moves
    /// them through the platform's interim custodial account.
    #[serde(rename = "B.4")]
    B4,
    /// Class B, B.5: units placed in escrow inside the seller's account are settled or released by
    /// the controlling platform.
    #[serde(rename = "B.5")]
    B5,
    /// Class C, C.1: a third-party registry associates its certificates 1:1 with units.
    #[serde(rename = "C.1")]
    C1,
    /// Not a model of the paper: the authorization server every model's sign-in rests on (OAuth
    /// 2.0 authorization code with PKCE, refresh, revocation, consent through the flow). A target
    /// without one leaves it out of its declared models, and its `AS-*` checks are skipped.
    #[serde(rename = "AS")]
    AuthorizationServer,
}

impl Model {
    /// Every model, in the paper's order.
    pub const ALL: &'static [Model] = &[
        Model::A1,
        Model::B1,
        Model::B2,
        Model::B3,
        Model::B4,
        Model::B5,
        Model::C1,
        Model::AuthorizationServer,
    ];

    /// The prefix of the model's check IDs, e.g. `A1`.
    pub fn code(self) -> &'static str {
        match self {
            Model::A1 => "A1",
            Model::B1 => "B1",
            Model::B2 => "B2",
            Model::B3 => "B3",
            Model::B4 => "B4",
            Model::B5 => "B5",
            Model::C1 => "C1",
            Model::AuthorizationServer => "AS",
        }
    }

    /// The paper's name for the model.
    pub fn title(self) -> &'static str {
        match self {
            Model::A1 => "Read and write API from own account",
            Model::B1 => "API connectivity for information only from third-party platforms",
            Model::B2 => "Account delegation model",
            Model::B3 => "Full custody model",
            Model::B4 => "Fleeting custody model",
            Model::B5 => "Escrow model",
            Model::C1 => "Associating units with third-party certificates",
            Model::AuthorizationServer => {
                "Authorization server: sign-in and consent with OAuth 2.0 authorization code and PKCE"
            }
        }
    }
}

impl fmt::Display for Model {
    /// The paper's numbering, e.g. `A.1`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Model::A1 => "A.1",
            Model::B1 => "B.1",
            Model::B2 => "B.2",
            Model::B3 => "B.3",
            Model::B4 => "B.4",
            Model::B5 => "B.5",
            Model::C1 => "C.1",
            Model::AuthorizationServer => "AS",
        })
    }
}
