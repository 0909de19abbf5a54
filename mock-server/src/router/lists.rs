//! The list operations: filters from the query string, a keyset page of the model's (or the
//! public registers') ordered items, and `next_page` when more follow.

use http::StatusCode;
use serde::Serialize;
use serde::de::DeserializeOwned;
use ucr_spec::associations::AssociationsQuery;
use ucr_spec::model::{HoldingsQuery, PageQuery, TransactionsQuery};
use ucr_spec::paging::{
    AccountPage, AssociationPage, ConsentPage, DelegationPage, EscrowPage, ReservationPage,
    WebhookDeliveryPage, WebhookSubscriptionPage,
};
use ucr_spec::platforms::ConsentsQuery;
use ucr_spec::registers::{
    AccuProjectQuery, CarbonAbatementContractQuery, GuaranteeOfOriginProjectQuery,
};
use ucr_spec::trading::{EscrowsQuery, ReservationsQuery};
use ucr_spec::webhooks::DeliveriesQuery;

use super::call::{Call, Reading};
use super::exchange::{ApiResponse, Refusal, json};
use super::extract::parse_query;
use super::page_json::{self, HoldingsPage};
use crate::faults::{Fault, Faults};
use crate::paging::{PageRequest, invalid_parameter, scope_query};
use crate::registry::AssociationFilter;

/// A list operation's query type: its paging parameters.
pub(super) trait Paged: DeserializeOwned {
    fn limit(&self) -> Option<u32>;
    fn page_token(&self) -> Option<&str>;
}

/// Implements [`Paged`] for query types with `limit` and `page_token` fields.
macro_rules! paged {
    ($($query:ty),* $(,)?) => {$(
        impl Paged for $query {
            fn limit(&self) -> Option<u32> {
                self.limit
            }
            fn page_token(&self) -> Option<&str> {
                self.page_token.as_deref()
            }
        }
    )*};
}

paged!(
    AccuProjectQuery,
    CarbonAbatementContractQuery,
    GuaranteeOfOriginProjectQuery,
    PageQuery,
    HoldingsQuery,
    TransactionsQuery,
    ConsentsQuery,
    ReservationsQuery,
    EscrowsQuery,
    AssociationsQuery,
    DeliveriesQuery,
);

/// The query of the list named `scope` (filters from the request or from its page token) and the
/// list scope its page tokens are bound to.
pub(super) fn filters<Q: Paged>(scope: &str, raw: Option<&str>) -> Result<(Q, String), Refusal> {
    let (query, list) = scope_query(scope, raw)?;
    Ok((parse_query(Some(&query))?, list))
}

/// The validated page request of a parsed query.
pub(super) fn page_request<Q: Paged, K: Ord + Serialize + DeserializeOwned>(
    faults: Faults,
    list: &str,
    query: &Q,
) -> Result<PageRequest<K>, Refusal> {
    Ok(PageRequest::parse(
        faults,
        list,
        query.limit(),
        query.page_token(),
    )?)
}

/// [`filters`] then [`page_request`]: the query, the page request and the list scope.
fn listing<Q: Paged, K: Ord + Serialize + DeserializeOwned>(
    faults: Faults,
    scope: &str,
    raw: Option<&str>,
) -> Result<(Q, PageRequest<K>, String), Refusal> {
    let (query, list) = filters::<Q>(scope, raw)?;
    let paging = page_request(faults, &list, &query)?;
    Ok((query, paging, list))
}

/// `list_accounts`.
pub(crate) fn accounts(c: &mut Call<'_>) -> Result<ApiResponse, Refusal> {
    let (_, paging, list) = listing::<PageQuery, String>(c.faults, "accounts", c.request.query)?;
    let accounts = c.registry.accounts(c.who);
    let (items, next_page) = paging.page(&list, accounts, |a| a.account_id.clone());
    Ok(json(StatusCode::OK, &AccountPage { items, next_page }))
}

/// `list_holdings`: found from the cursor, so only the page (and one more) is taken, borrowed
/// from the registry; the caller writes the page while it still reads the registry.
pub(crate) fn holdings<'r>(c: &Reading<'r>, id: &str) -> Result<HoldingsPage<'r>, Refusal> {
    let scope = format!("holdings {id}");
    if c.faults.has(Fault::OffsetCursor) {
        return holdings_by_offset(c, id, &scope);
    }
    let (query, paging, list) =
        listing::<HoldingsQuery, (String, u64)>(c.faults, &scope, c.request.query)?;
    let blocks = c
        .registry
        .holdings_page(c.who, id, &query, paging.after(), paging.fetch())?;
    let (items, next_page) =
        paging.page(&list, blocks, |b| (b.unit_type.to_owned(), b.serial_start));
    Ok(HoldingsPage { items, next_page })
}

/// FAULT(offset-cursor): `list_holdings` paged by position. The cursor is the index of the last
/// block served in the list as it was then, and the next page starts after that index in the list
/// as it is now, so blocks leaving or joining earlier pages shift the walk.
fn holdings_by_offset<'r>(
    c: &Reading<'r>,
    id: &str,
    scope: &str,
) -> Result<HoldingsPage<'r>, Refusal> {
    let (query, paging, list) = listing::<HoldingsQuery, usize>(c.faults, scope, c.request.query)?;
    let upto = paging.after().map_or(0, |last| last + 1) + paging.fetch();
    let blocks = c.registry.holdings_page(c.who, id, &query, None, upto)?;
    let (items, next_page) = paging.page(&list, blocks.into_iter().enumerate(), |(i, _)| *i);
    let items = items.into_iter().map(|(_, block)| block).collect();
    Ok(HoldingsPage { items, next_page })
}

/// `list_transactions`: `to` must not precede `from`; found from the cursor. The page is written
/// from rows borrowed from the registry.
pub(crate) fn transactions(c: &Reading<'_>, id: &str) -> Result<ApiResponse, Refusal> {
    let (query, list) =
        filters::<TransactionsQuery>(&format!("transactions {id}"), c.request.query)?;
    if let (Some(from), Some(to)) = (query.from, query.to)
        && to < from
    {
        return Err(invalid_parameter("to", "must not be before from".to_owned()).into());
    }
    let paging = page_request(c.faults, &list, &query)?;
    let rows = c
        .registry
        .history_rows(c.who, id, &query, paging.after(), paging.fetch())?;
    let (items, next_page) = paging.page(&list, rows, |t| {
        (t.created_at, t.transaction_id.to_string())
    });
    Ok(page_json::history(&items, next_page.as_deref()))
}

/// `list_account_consents`.
pub(crate) fn account_consents(c: &mut Call<'_>, id: &str) -> Result<ApiResponse, Refusal> {
    let scope = format!("consents {id}");
    let (query, paging, list) =
        listing::<ConsentsQuery, String>(c.faults, &scope, c.request.query)?;
    let consents = c.registry.account_consents(c.who, id, query.status)?;
    let (items, next_page) = paging.page(&list, consents, |c| c.consent_id.clone());
    Ok(json(StatusCode::OK, &ConsentPage { items, next_page }))
}

/// `list_consents`.
pub(crate) fn consents(c: &mut Call<'_>) -> Result<ApiResponse, Refusal> {
    let (query, paging, list) =
        listing::<ConsentsQuery, String>(c.faults, "consents", c.request.query)?;
    let consents = c.registry.consents(c.who, query.status);
    let (items, next_page) = paging.page(&list, consents, |c| c.consent_id.clone());
    Ok(json(StatusCode::OK, &ConsentPage { items, next_page }))
}

/// `list_delegations`.
pub(crate) fn delegations(c: &mut Call<'_>, id: &str) -> Result<ApiResponse, Refusal> {
    let scope = format!("delegations {id}");
    let (_, paging, list) = listing::<PageQuery, String>(c.faults, &scope, c.request.query)?;
    let delegations = c.registry.delegations(c.who, id)?;
    let (items, next_page) = paging.page(&list, delegations, |d| d.delegation_id.clone());
    Ok(json(StatusCode::OK, &DelegationPage { items, next_page }))
}

/// `list_reservations`.
pub(crate) fn reservations(c: &mut Call<'_>) -> Result<ApiResponse, Refusal> {
    let (query, paging, list) =
        listing::<ReservationsQuery, String>(c.faults, "reservations", c.request.query)?;
    let reservations = c
        .registry
        .reservations(c.who, query.account_id.as_deref(), query.status);
    let (items, next_page) = paging.page(&list, reservations, |r| r.reservation_id.clone());
    Ok(json(StatusCode::OK, &ReservationPage { items, next_page }))
}

/// `list_escrows`.
pub(crate) fn escrows(c: &mut Call<'_>) -> Result<ApiResponse, Refusal> {
    let (query, paging, list) =
        listing::<EscrowsQuery, String>(c.faults, "escrows", c.request.query)?;
    let escrows = c
        .registry
        .escrows(c.who, query.account_id.as_deref(), query.status);
    let (items, next_page) = paging.page(&list, escrows, |e| e.escrow_id.clone());
    Ok(json(StatusCode::OK, &EscrowPage { items, next_page }))
}

/// `list_associations`.
pub(crate) fn associations(c: &mut Call<'_>) -> Result<ApiResponse, Refusal> {
    let (query, paging, list) =
        listing::<AssociationsQuery, String>(c.faults, "associations", c.request.query)?;
    let filter = AssociationFilter {
        account_id: query.account_id.as_deref(),
        status: query.status,
        certificate_id: query.certificate_id.as_deref(),
    };
    let associations = c.registry.associations(c.who, filter);
    let (items, next_page) = paging.page(&list, associations, |a| a.association_id.clone());
    Ok(json(StatusCode::OK, &AssociationPage { items, next_page }))
}

/// `list_webhook_subscriptions`.
pub(crate) fn webhook_subscriptions(c: &mut Call<'_>) -> Result<ApiResponse, Refusal> {
    let (_, paging, list) =
        listing::<PageQuery, String>(c.faults, "webhook-subscriptions", c.request.query)?;
    let subscriptions = c.registry.webhook_subscriptions(c.who)?;
    let (items, next_page) = paging.page(&list, subscriptions, |s| s.subscription_id.clone());
    Ok(json(
        StatusCode::OK,
        &WebhookSubscriptionPage { items, next_page },
    ))
}

/// `list_webhook_deliveries`.
pub(crate) fn webhook_deliveries(c: &mut Call<'_>, id: &str) -> Result<ApiResponse, Refusal> {
    let scope = format!("deliveries {id}");
    let (query, paging, list) =
        listing::<DeliveriesQuery, String>(c.faults, &scope, c.request.query)?;
    let deliveries = c.registry.webhook_deliveries(c.who, id, query.state)?;
    let (items, next_page) = paging.page(&list, deliveries, |d| d.delivery_id.clone());
    Ok(json(
        StatusCode::OK,
        &WebhookDeliveryPage { items, next_page },
    ))
}
