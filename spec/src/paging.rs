//! Cursor pages: every list answers `{items, next_page}`.
//!
//! The shape is fixed by the SDK generator: progenitor turns an operation into a `Stream` only
//! when its response has exactly these two fields (see `ARCHITECTURE.md`).

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::associations::Association;
use crate::model::{Account, Transaction, UnitBlock};
use crate::platforms::{Consent, Delegation};
use crate::registers::{AccuProject, CarbonAbatementContract, GuaranteeOfOriginProject};
use crate::trading::{Escrow, Reservation};
use crate::webhooks::{WebhookDelivery, WebhookSubscription};

/// Default page size when `limit` is absent.
pub const DEFAULT_LIMIT: u32 = 50;
/// Largest accepted `limit`.
pub const MAX_LIMIT: u32 = 200;

macro_rules! pages {
    ($($(#[doc = $doc:literal])* $page:ident => $item:ty;)*) => {$(
        $(#[doc = $doc])*
        ///
        /// `next_page` is an opaque token for the following page, `null` on the last page. Paging
        /// is by key, so an item is never repeated or skipped because others were added meanwhile.
        #[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
        pub struct $page {
            /// The items of this page, in the list's stable order.
            pub items: Vec<$item>,
            /// Token for the next page; `null` on the last page.
            pub next_page: Option<String>,
        }
    )*};
}

pages! {
    /// A page of accounts, ordered by `account_id`.
    AccountPage => Account;
    /// A page of unit blocks, ordered by unit type then `serial_start`.
    UnitBlockPage => UnitBlock;
    /// A page of transactions, ordered by `created_at` then `transaction_id`.
    TransactionPage => Transaction;
    /// A page of ACCU Scheme projects, ordered by `project_id`.
    AccuProjectPage => AccuProject;
    /// A page of Carbon Abatement Contracts, ordered by `contract_id`.
    CarbonAbatementContractPage => CarbonAbatementContract;
    /// A page of Guarantee of Origin projects, ordered by `profile_id`.
    GuaranteeOfOriginProjectPage => GuaranteeOfOriginProject;
    /// A page of consents, ordered by `consent_id`.
    ConsentPage => Consent;
    /// A page of delegations, ordered by `delegation_id`.
    DelegationPage => Delegation;
    /// A page of reservations, ordered by `reservation_id`.
    ReservationPage => Reservation;
    /// A page of escrows, ordered by `escrow_id`.
    EscrowPage => Escrow;
    /// A page of associations, ordered by `association_id`.
    AssociationPage => Association;
    /// A page of webhook subscriptions, ordered by `subscription_id`.
    WebhookSubscriptionPage => WebhookSubscription;
    /// A page of webhook deliveries, ordered by `delivery_id`.
    WebhookDeliveryPage => WebhookDelivery;
}
