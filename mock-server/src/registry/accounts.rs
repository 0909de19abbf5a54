//! The account reads: the accounts a caller may see, one account, its holdings and its
//! transaction history (each found from a page cursor), and the views built from the records.

use std::borrow::Cow;
use std::collections::BTreeMap;

use ucr_spec::ProblemType;
use ucr_spec::model::{
    Account, AccountHolder, Balance, BlockStatus, HoldingsQuery, Representative,
    RepresentativeKind, SerialRange, Transaction, TransactionKind, TransactionStatus,
    TransactionsQuery, UnitBlock,
};
use ucr_spec::problem::Problem;
use ucr_spec::trading::ReservationStatus;

use super::Registry;
use super::history::{HistoryKey, HistoryRow};
use super::holdings::HeldBlock;
use super::platforms::{AccountRead, HoldingsView};
use super::principal::Principal;
use super::records::AccountRecord;
use super::subset::{Lens, intersect, reserved_for, union};
use super::transaction_id::TransactionId;
use super::transfer_records::TransferView;
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
        let (record, view) = self.readable_account(who, account_id, AccountRead::Details)?;
        let mut account = self.account_view(record);
        if let HoldingsView::Selected(lens) = view
            && !lens.is_whole()
            && !lens.is_empty()
            // FAULT(consent-subset-leaks-balances): the whole account's balances are shown.
            && !self.fault(Fault::ConsentSubsetLeaksBalances)
        {
            // REQ-SCOPE-015: the totals of the units the holdings_read consents select.
            account.balances = balances_of(
                record
                    .holdings
                    .blocks_after(None, |_, _| true)
                    .flat_map(|b| lens.cut(b)),
            );
        }
        Ok(account)
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
        self.expire_due();
        let blocks = self.holdings_page(who, account_id, filter, None, usize::MAX)?;
        Ok(blocks.iter().map(HeldBlock::unit_block).collect())
    }

    /// The first `count` blocks of [`Registry::holdings`] whose key `(unit_type, serial_start)`
    /// follows `after`. Found from the cursor by a range lookup: only the blocks visited up to the
    /// `count`th match are taken, borrowed from the records (their wire form,
    /// [`HeldBlock::unit_block`], is built or written while the registry is read). The caller
    /// has taken what expired first ([`Registry::expire_due`], or found [`Registry::expiry_due`]
    /// false).
    pub(crate) fn holdings_page(
        &self,
        who: &Principal,
        account_id: &str,
        filter: &HoldingsQuery,
        after: Option<&(String, u64)>,
        count: usize,
    ) -> Result<Vec<HeldBlock<'_>>, Problem> {
        let (record, view) = self.readable_account(who, account_id, AccountRead::Holdings)?;
        let blocks: Box<dyn Iterator<Item = HeldBlock<'_>> + '_> = match view {
            HoldingsView::Platform {
                platform_id,
                full,
                reserved,
            } => {
                // A platform's view under subsets: each block cut to the parts its consents
                // select (REQ-SCOPE-014); parts are keyed by their own start, so the cursor is
                // applied to the parts, not to the stored blocks.
                let mine: Vec<String> = self
                    .reservations
                    .values()
                    .map(|r| &r.reservation)
                    .filter(|r| {
                        r.account_id == account_id
                            && r.platform_id == platform_id
                            && r.status == ReservationStatus::Active
                    })
                    .map(|r| r.reservation_id.clone())
                    .collect();
                let after = after.cloned();
                Box::new(
                    record
                        .holdings
                        .blocks_after(None, |_, _| true)
                        .flat_map(move |block| {
                            let mut lens = full.clone();
                            if reserved_for(&block, &mine) {
                                lens.extend(&reserved);
                            }
                            lens.cut(block)
                        })
                        .filter(move |b| {
                            after.as_ref().is_none_or(|(t, s)| {
                                (b.unit_type, b.serial_start) > (t.as_str(), *s)
                            })
                        }),
                )
            }
            _ => Box::new(record.holdings.blocks_after(after, |_, _| true)),
        };
        let blocks = blocks
            .filter(|b| filter.unit_type.as_ref().is_none_or(|t| t == b.unit_type))
            // FAULT(holdings-status-filter-ignored): the status filter is dropped.
            .filter(|b| {
                self.fault(Fault::HoldingsStatusFilterIgnored)
                    || filter.status.is_none_or(|s| s == b.status)
            })
            .filter(|b| {
                filter
                    .vintage
                    .as_ref()
                    .is_none_or(|v| *v == b.attributes.vintage)
            })
            .filter(|b| {
                filter
                    .project_id
                    .as_ref()
                    .is_none_or(|p| b.attributes.project_id.as_ref() == Some(p))
            })
            .filter(|b| {
                filter
                    .facility_id
                    .as_ref()
                    .is_none_or(|f| b.attributes.facility_id.as_ref() == Some(f))
            })
            .take(count);
        Ok(page_of(blocks, count))
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
        let rows = self.history_rows(who, account_id, filter, after, count)?;
        Ok(rows.iter().map(HistoryRow::transaction).collect())
    }

    /// [`Registry::history_page`] as rows borrowed from the records, for the router to write
    /// without copying them out. The caller has taken what expired first
    /// ([`Registry::expire_due`], or found [`Registry::expiry_due`] false).
    pub(crate) fn history_rows<'r>(
        &'r self,
        who: &Principal,
        account_id: &str,
        filter: &TransactionsQuery,
        after: Option<&HistoryKey>,
        count: usize,
    ) -> Result<Vec<HistoryRow<'r>>, Problem> {
        let (record, view) = self.readable_account(who, account_id, AccountRead::Transactions)?;
        let lens = match view {
            HoldingsView::Selected(lens)
                if !lens.is_whole()
                    && !lens.is_empty()
                    // FAULT(consent-subset-leaks-history): every row is shown whole.
                    && !self.fault(Fault::ConsentSubsetLeaksHistory) =>
            {
                Some(lens)
            }
            _ => None,
        };
        let rows = record
            .history
            .window(after, filter.from, filter.to)
            .filter(|(_, id)| filter.kind.is_none_or(|k| k == id.kind()))
            .filter_map(|(_, id)| self.history_row(id))
            // REQ-SCOPE-016: under subsets, only rows with selected units, narrowed to them.
            .filter_map(|t| match &lens {
                None => Some(t),
                Some(lens) => self.narrow_row(lens, t),
            })
            // FAULT(history-missing-incoming): only the source account's history gets transfers.
            .filter(|t| {
                !(self.fault(Fault::HistoryMissingIncoming)
                    && t.transaction_id.kind() == TransactionKind::Transfer
                    && t.to_account_id == Some(account_id))
            })
            .filter(|t| filter.status.is_none_or(|s| s == t.status))
            .filter(|t| filter.from.is_none_or(|from| t.created_at >= from))
            .filter(|t| filter.to.is_none_or(|to| t.created_at < to))
            .take(count);
        Ok(page_of(rows, count))
    }

    /// The selected part of a row's units, or `None` when the lens selects none of them.
    fn narrow_row<'r>(&self, lens: &Lens, mut t: HistoryRow<'r>) -> Option<HistoryRow<'r>> {
        let ranges = self.selected_units(lens, t.unit_type, &t.serial_ranges);
        if ranges.is_empty() {
            return None;
        }
        t.quantity = ranges.iter().map(SerialRange::quantity).sum();
        t.serial_ranges = Cow::Owned(ranges);
        Some(t)
    }

    /// The part of `ranges` (units of one type) a lens selects, judged by the project and vintage
    /// each serial was issued with.
    pub(super) fn selected_units(
        &self,
        lens: &Lens,
        unit_type: &str,
        ranges: &[SerialRange],
    ) -> Vec<SerialRange> {
        if lens.is_whole() {
            return ranges.to_vec();
        }
        let mut parts = Vec::new();
        for issuance in self.issuances.iter().filter(|i| i.unit_type == unit_type) {
            for range in ranges {
                if let Some(part) = intersect(issuance.range, *range) {
                    parts.extend(lens.select(
                        unit_type,
                        issuance.project_id.as_deref(),
                        &issuance.vintage,
                        part,
                    ));
                }
            }
        }
        union(parts)
    }

    /// The source account a history row shows for a transfer: its own source, which for a
    /// transfer out of a custodial account is that account (REQ-RESERVATION-012).
    fn shown_source<'r>(&'r self, transfer: &TransferView<'r>) -> &'r str {
        if self.fault(Fault::CustodyRevealsSeller) {
            // FAULT(custody-reveals-seller): the units' origin through a consumed reservation
            // is shown instead of the custodial account.
            let origin = self
                .reservations
                .values()
                .map(|r| &r.reservation)
                .find(|r| {
                    r.status == ReservationStatus::Consumed
                        && r.custodial_account_id == transfer.from_account_id
                        && r.unit_type == transfer.unit_type
                        && r.serial_ranges.iter().any(|a| {
                            transfer
                                .serial_ranges
                                .iter()
                                .any(|b| intersect(*a, *b).is_some())
                        })
                });
            if let Some(origin) = origin {
                return &origin.account_id;
            }
        }
        transfer.from_account_id
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

    /// The history row of the transaction `transaction_id`.
    pub(super) fn history_row(&self, transaction_id: TransactionId) -> Option<HistoryRow<'_>> {
        Some(match transaction_id.kind() {
            TransactionKind::Issuance => {
                let index = (transaction_id.number() as usize).checked_sub(1)?;
                let issuance = self.issuances.get(index)?;
                HistoryRow {
                    transaction_id,
                    status: TransactionStatus::Completed,
                    unit_type: &issuance.unit_type,
                    quantity: issuance.range.quantity(),
                    serial_ranges: Cow::Borrowed(std::slice::from_ref(&issuance.range)),
                    from_account_id: None,
                    to_account_id: Some(&issuance.account_id),
                    reference: None,
                    created_at: issuance.created_at,
                    updated_at: issuance.created_at,
                }
            }
            TransactionKind::Transfer => {
                let transfer = self.transfers.view(transaction_id.number())?;
                HistoryRow {
                    transaction_id,
                    status: transfer.status,
                    unit_type: transfer.unit_type,
                    quantity: transfer.quantity,
                    serial_ranges: Cow::Borrowed(transfer.serial_ranges),
                    from_account_id: Some(self.shown_source(&transfer)),
                    to_account_id: Some(transfer.to_account_id),
                    reference: transfer.reference,
                    created_at: transfer.initiated_at,
                    updated_at: transfer.decided_at.unwrap_or(transfer.initiated_at),
                }
            }
            TransactionKind::Cancellation => {
                let cancellation = self.cancellations.get(transaction_id.text().as_str())?;
                HistoryRow {
                    transaction_id,
                    status: cancellation.status,
                    unit_type: &cancellation.unit_type,
                    quantity: cancellation.quantity,
                    serial_ranges: Cow::Borrowed(&cancellation.serial_ranges),
                    from_account_id: Some(&cancellation.account_id),
                    to_account_id: None,
                    reference: cancellation.reason.as_deref(),
                    created_at: cancellation.initiated_at,
                    updated_at: cancellation.decided_at.unwrap_or(cancellation.initiated_at),
                }
            }
        })
    }
}

/// Totals by unit type and status of `blocks` (ordered by unit type), as an account's balances.
fn balances_of<'a>(blocks: impl Iterator<Item = HeldBlock<'a>>) -> Vec<Balance> {
    let mut balances: Vec<Balance> = Vec::new();
    for block in blocks {
        if balances
            .last()
            .is_none_or(|b| b.unit_type != block.unit_type)
        {
            balances.push(Balance {
                unit_type: block.unit_type.to_owned(),
                ..Balance::default()
            });
        }
        let Some(balance) = balances.last_mut() else {
            continue;
        };
        let slot = match block.status {
            BlockStatus::Available => &mut balance.available,
            BlockStatus::Pending => &mut balance.pending,
            BlockStatus::Reserved => &mut balance.reserved,
            BlockStatus::Escrowed => &mut balance.escrowed,
            BlockStatus::Cancelled => &mut balance.cancelled,
        };
        *slot += block.serial_end - block.serial_start + 1;
    }
    balances
}

/// The (at most `count`) `items` of a page in a vector allocated once: filtered iterators do not
/// know their length, and growing it would move the rows already taken, again and again.
fn page_of<T>(items: impl Iterator<Item = T>, count: usize) -> Vec<T> {
    let mut page = Vec::with_capacity(count.min(1024));
    page.extend(items);
    page
}
