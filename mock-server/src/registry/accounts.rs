//! The account reads: the accounts a caller may see, one account, its holdings and its
//! transaction history (each found from a page cursor), and the views built from the records.

use std::collections::{BTreeMap, BTreeSet};

use ucr_spec::ProblemType;
use ucr_spec::model::{
    Account, AccountHolder, BlockStatus, HoldingsQuery, Representative, RepresentativeKind,
    Transaction, TransactionKind, TransactionStatus, TransactionsQuery, UnitBlock,
};
use ucr_spec::problem::Problem;
use ucr_spec::trading::ReservationStatus;

use super::Registry;
use super::history::{HistoryKey, TransactionRef};
use super::platforms::{AccountRead, HoldingsView};
use super::principal::Principal;
use super::records::AccountRecord;
use crate::faults::Fault;

impl Registry {
    /// The accounts `who` may see, ordered by `account_id`: those a representative is appointed
    /// to, or those where a platform holds at least one active consent.
    pub fn accounts(&mut self, who: &Principal) -> Vec<Account> {
        self.expire_due();
        let now = self.now();
        self.accounts
            .values()
            .filter(|a| {
                // A platform lists the accounts whose details it may read: an active consent
                // with `holdings_read`. Narrower consents are found through `list_consents`.
                a.is_visible_to(who)
                    || who.platform_id().is_some_and(|p| {
                        self.active_scopes(p, &a.account_id, now).is_some_and(|s| {
                            s.contains(&ucr_spec::platforms::ConsentScope::HoldingsRead)
                        })
                    })
            })
            .map(|a| self.account_view(a))
            .collect()
    }

    /// One account: for a representative appointed to it, or a platform with an active
    /// `holdings_read` consent (`404` never consented, `403 consent-required` otherwise).
    pub fn account(&mut self, who: &Principal, account_id: &str) -> Result<Account, Problem> {
        self.expire_due();
        let (record, _) = self.readable_account(who, account_id, AccountRead::Details)?;
        Ok(self.account_view(record))
    }

    /// An account's blocks matching the query's filters (its paging fields are ignored), ordered by
    /// unit type then `serial_start`. A platform whose only holdings scope is
    /// `reserved_units_read` sees only the `reserved` blocks of its own active reservations.
    pub fn holdings(
        &mut self,
        who: &Principal,
        account_id: &str,
        filter: &HoldingsQuery,
    ) -> Result<Vec<UnitBlock>, Problem> {
        self.holdings_page(who, account_id, filter, None, usize::MAX)
    }

    /// The first `count` blocks of [`Registry::holdings`] whose key `(unit_type, serial_start)`
    /// follows `after`. Found from the cursor by a range lookup: only the blocks visited up to the
    /// `count`th match are built.
    pub fn holdings_page(
        &mut self,
        who: &Principal,
        account_id: &str,
        filter: &HoldingsQuery,
        after: Option<&(String, u64)>,
        count: usize,
    ) -> Result<Vec<UnitBlock>, Problem> {
        self.expire_due();
        let (record, view) = self.readable_account(who, account_id, AccountRead::Holdings)?;
        let reserved_for: Option<BTreeSet<&str>> = match view {
            HoldingsView::All => None,
            HoldingsView::ReservedFor(platform_id) => Some(
                self.reservations
                    .values()
                    .map(|r| &r.reservation)
                    .filter(|r| {
                        r.account_id == account_id
                            && r.platform_id == platform_id
                            && r.status == ReservationStatus::Active
                    })
                    .map(|r| r.reservation_id.as_str())
                    .collect(),
            ),
        };
        Ok(record
            .holdings
            .blocks_after(after, |status, holder| match &reserved_for {
                None => true,
                Some(ids) => {
                    status == BlockStatus::Reserved && holder.is_some_and(|h| ids.contains(h))
                }
            })
            .filter(|b| filter.unit_type.as_ref().is_none_or(|t| *t == b.unit_type))
            // FAULT(holdings-status-filter-ignored): the status filter is dropped.
            .filter(|b| {
                self.fault(Fault::HoldingsStatusFilterIgnored)
                    || filter.status.is_none_or(|s| s == b.status)
            })
            .filter(|b| filter.vintage.as_ref().is_none_or(|v| *v == b.vintage))
            .filter(|b| {
                filter
                    .project_id
                    .as_ref()
                    .is_none_or(|p| *p == b.project_id)
            })
            .take(count)
            .collect())
    }

    /// An account's transaction history matching the query's filters (paging fields ignored),
    /// ordered by `created_at` then `transaction_id`. A platform needs an active
    /// `transactions_read` consent.
    pub fn history(
        &mut self,
        who: &Principal,
        account_id: &str,
        filter: &TransactionsQuery,
    ) -> Result<Vec<Transaction>, Problem> {
        self.history_page(who, account_id, filter, None, usize::MAX)
    }

    /// The first `count` entries of [`Registry::history`] whose key `(created_at,
    /// transaction_id)` follows `after`. Found from the cursor (and `from`/`to`) by a range lookup
    /// in the account's ordered history: only the entries visited up to the `count`th match are
    /// built.
    pub fn history_page(
        &mut self,
        who: &Principal,
        account_id: &str,
        filter: &TransactionsQuery,
        after: Option<&HistoryKey>,
        count: usize,
    ) -> Result<Vec<Transaction>, Problem> {
        self.expire_due();
        let (record, _) = self.readable_account(who, account_id, AccountRead::Transactions)?;
        Ok(record
            .history
            .window(after, filter.from, filter.to)
            .filter(|(_, reference)| filter.kind.is_none_or(|k| k == reference.kind()))
            .filter_map(|(_, reference)| self.transaction_view(&reference))
            // FAULT(history-missing-incoming): only the source account's history gets transfers.
            .filter(|t| {
                !(self.fault(Fault::HistoryMissingIncoming)
                    && t.kind == TransactionKind::Transfer
                    && t.to_account_id.as_deref() == Some(account_id))
            })
            .filter(|t| filter.status.is_none_or(|s| s == t.status))
            .filter(|t| filter.from.is_none_or(|from| t.created_at >= from))
            .filter(|t| filter.to.is_none_or(|to| t.created_at < to))
            .take(count)
            .collect())
    }

    /// Units issued so far per unit type.
    pub fn issued(&self) -> &BTreeMap<String, u64> {
        &self.issued
    }

    pub(super) fn visible_account(
        &self,
        who: &Principal,
        account_id: &str,
    ) -> Result<&AccountRecord, Problem> {
        if self.fault(Fault::ForeignAccountForbidden)
            && self
                .accounts
                .get(account_id)
                .is_some_and(|a| !a.is_visible_to(who))
        {
            // FAULT(foreign-account-forbidden): refused as forbidden, which tells it exists.
            return Err(ProblemType::Forbidden
                .problem(format!("you are not appointed to account {account_id}")));
        }
        self.accounts.get(account_id).filter(|a| a.is_visible_to(who)).ok_or_else(|| {
            ProblemType::NotFound.problem(format!(
                "no account {account_id} is visible to you: it does not exist or you are not appointed to it; \
                 GET /v1/accounts lists your accounts"
            ))
        })
    }

    pub(super) fn account_view(&self, record: &AccountRecord) -> Account {
        Account {
            account_id: record.account_id.clone(),
            name: record.name.clone(),
            kind: record.kind,
            status: record.status,
            holder: AccountHolder {
                holder_id: record.holder_id.clone(),
                name: self
                    .holders
                    .get(&record.holder_id)
                    .cloned()
                    .unwrap_or_default(),
            },
            representatives: record
                .appointments
                .iter()
                .map(|(id, roles)| Representative {
                    representative_id: id.clone(),
                    name: self
                        .representatives
                        .get(id)
                        .map(|r| r.name.clone())
                        .unwrap_or_default(),
                    roles: roles.iter().copied().collect(),
                    kind: RepresentativeKind::Authorised,
                    escrow_ids: Vec::new(),
                })
                .chain(self.escrow_controllers(&record.account_id))
                .collect(),
            balances: record.holdings.balances(),
            opened_at: record.opened_at,
        }
    }

    pub(super) fn transaction_view(&self, reference: &TransactionRef) -> Option<Transaction> {
        Some(match reference {
            TransactionRef::Issuance(id) => {
                let issuance = self.issuances.get(id)?;
                Transaction {
                    transaction_id: id.clone(),
                    kind: TransactionKind::Issuance,
                    status: TransactionStatus::Completed,
                    unit_type: issuance.unit_type.clone(),
                    quantity: issuance.range.quantity(),
                    serial_ranges: vec![issuance.range],
                    from_account_id: None,
                    to_account_id: Some(issuance.account_id.clone()),
                    reference: None,
                    created_at: issuance.created_at,
                    updated_at: issuance.created_at,
                }
            }
            TransactionRef::Transfer(id) => {
                let transfer = self.transfers.get(id)?;
                Transaction {
                    transaction_id: id.clone(),
                    kind: TransactionKind::Transfer,
                    status: transfer.status,
                    unit_type: transfer.unit_type.clone(),
                    quantity: transfer.quantity,
                    serial_ranges: transfer.serial_ranges.clone(),
                    from_account_id: Some(transfer.from_account_id.clone()),
                    to_account_id: Some(transfer.to_account_id.clone()),
                    reference: transfer.reference.clone(),
                    created_at: transfer.initiated_at,
                    updated_at: transfer.decided_at.unwrap_or(transfer.initiated_at),
                }
            }
            TransactionRef::Cancellation(id) => {
                let cancellation = self.cancellations.get(id)?;
                Transaction {
                    transaction_id: id.clone(),
                    kind: TransactionKind::Cancellation,
                    status: cancellation.status,
                    unit_type: cancellation.unit_type.clone(),
                    quantity: cancellation.quantity,
                    serial_ranges: cancellation.serial_ranges.clone(),
                    from_account_id: Some(cancellation.account_id.clone()),
                    to_account_id: None,
                    reference: cancellation.reason.clone(),
                    created_at: cancellation.initiated_at,
                    updated_at: cancellation.decided_at.unwrap_or(cancellation.initiated_at),
                }
            }
        })
    }
}
