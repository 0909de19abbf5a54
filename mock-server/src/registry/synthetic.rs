//! A synthetic registry of a chosen size, for scale tests: many accounts, unit blocks and
//! transactions, built directly (not replayed through the API) so that a million of each takes
//! seconds, and deterministically from a seed.
//!
//! The shape: issuances of [`PIECES`] pieces of [`PIECE_UNITS`] ACCUs each. The issuing account
//! keeps the first piece and transfers each other piece (a completed transfer) to another
//! account, never the account that holds the neighbouring piece, so every piece stays a block of
//! its own: `blocks` pieces cost `blocks` transactions (one issuance or one transfer each).
//! Transactions beyond that are transfers the destination's approver rejected (their units never
//! moved). One account in ten receives a tenth of everything (a busy trading desk), so its history
//! and holdings are long; the others share the rest evenly.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use chrono::{DateTime, TimeDelta, Utc};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use ucr_spec::model::{
    AccountKind, AccountStatus, KyotoStatus, Role, SerialRange, TransactionKind, TransactionStatus,
};
use ucr_spec::transactions::Transfer;
use uuid::Uuid;

use super::Registry;
use super::history::History;
use super::holdings::{Holdings, TextCache, UnitAttributes};
use super::principal::Principal;
use super::records::{AccountRecord, Issuance, RepresentativeRecord, ids};
use super::transaction_id::TransactionId;
use super::transactions::APPROVAL_WINDOW;
use super::transfer_records::TransferRecords;

/// Pieces per issuance, each a block of its own.
pub const PIECES: u64 = 10;

/// Units per piece.
pub const PIECE_UNITS: u64 = 100;

/// The unit type every synthetic block has.
const UNIT_TYPE: &str = "ACCU";

/// Largest accepted sizes, to bound memory (about 1 KiB per block and transaction).
pub const MAX_SYNTHETIC_ACCOUNTS: u64 = 999_999;
/// Largest accepted number of blocks or transactions.
pub const MAX_SYNTHETIC_ITEMS: u64 = 10_000_000;

/// The size of a synthetic registry: a validated combination of accounts, blocks and transactions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Synthetic {
    accounts: u64,
    blocks: u64,
    transactions: u64,
}

impl Synthetic {
    /// A size, or why it cannot be built: at least 3 accounts (a piece goes to an account other
    /// than its issuer and its neighbour's holder), at least one block, at least as many
    /// transactions as blocks, and at most [`MAX_SYNTHETIC_ACCOUNTS`] accounts and
    /// [`MAX_SYNTHETIC_ITEMS`] blocks or transactions.
    pub fn new(accounts: u64, blocks: u64, transactions: u64) -> Result<Self, String> {
        if !(3..=MAX_SYNTHETIC_ACCOUNTS).contains(&accounts) {
            return Err(format!(
                "synthetic accounts: give 3 to {MAX_SYNTHETIC_ACCOUNTS}, not {accounts}"
            ));
        }
        if !(1..=MAX_SYNTHETIC_ITEMS).contains(&blocks) {
            return Err(format!(
                "synthetic blocks: give 1 to {MAX_SYNTHETIC_ITEMS}, not {blocks}"
            ));
        }
        if !(blocks..=MAX_SYNTHETIC_ITEMS).contains(&transactions) {
            return Err(format!(
                "synthetic transactions: give {blocks} to {MAX_SYNTHETIC_ITEMS} (at least one per block: \
                 each block comes from an issuance or a transfer), not {transactions}"
            ));
        }
        Ok(Synthetic {
            accounts,
            blocks,
            transactions,
        })
    }

    /// Accounts to open.
    pub fn accounts(&self) -> u64 {
        self.accounts
    }

    /// Unit blocks the accounts hold between them.
    pub fn blocks(&self) -> u64 {
        self.blocks
    }

    /// Transactions (issuances, completed and rejected transfers).
    pub fn transactions(&self) -> u64 {
        self.transactions
    }
}

/// Chooses accounts: a tenth of the time the busy account (index 0), otherwise any.
struct Picker {
    rng: StdRng,
    accounts: usize,
}

impl Picker {
    fn pick(&mut self, avoid: &[usize]) -> usize {
        let mut chosen = if self.rng.random_ratio(1, 10) {
            0
        } else {
            self.rng.random_range(0..self.accounts)
        };
        while avoid.contains(&chosen) {
            chosen = (chosen + 1) % self.accounts;
        }
        chosen
    }
}

const PROJECTS: &[&str] = &[
    "ERF101234",
    "ERF102345",
    "ERF103456",
    "ERF104567",
    "ERF105678",
];
const VINTAGES: &[&str] = &["2021-22", "2022-23", "2023-24", "2024-25"];
const REGIONS: &[&str] = &["NSW", "VIC", "QLD", "WA", "SA", "TAS", "NT", "ACT"];

impl Registry {
    /// A registry of `size`, generated from `seed`: the same seed and size give the same holders,
    /// accounts, blocks and transactions (only the two representatives' tokens are random; tests
    /// appoint their own representatives through the sandbox API). Transactions are dated one
    /// second apart from 1 January 2025.
    pub fn synthetic(size: Synthetic, seed: u64) -> Registry {
        let mut registry = Registry::new();
        registry.fill_synthetic(size, seed);
        registry
    }

    fn fill_synthetic(&mut self, size: Synthetic, seed: u64) {
        let start = DateTime::from_timestamp(1_735_689_600, 0).unwrap_or_default();
        let accounts = usize::try_from(size.accounts).unwrap_or(usize::MAX);
        let mut picker = Picker {
            rng: StdRng::seed_from_u64(seed),
            accounts,
        };

        // Two representatives appointed to every account: one initiates, the other approves.
        let desk = [
            ("AR-000001", "Synthetic Initiator", Role::Initiator),
            ("AR-000002", "Synthetic Approver", Role::Approver),
        ];
        for (id, name, _) in desk {
            let token = format!("ucr_rep_{}", Uuid::new_v4().simple());
            self.tokens
                .insert(token.clone(), Principal::Representative(id.to_owned()));
            self.representatives.insert(
                id.to_owned(),
                RepresentativeRecord {
                    name: name.to_owned(),
                    token,
                    platform_id: None,
                },
            );
        }
        self.ids.representative = 2;

        // Everything is drafted in vectors, in order, and the maps built in one pass at the end.
        let mut drafts: Vec<Draft> = (0..accounts).map(|_| Draft::default()).collect();
        let mut issuances = Vec::new();
        // Stored compactly as they are made: a million transfers in their wire form first would
        // leave the allocator holding far more than the registry keeps.
        let mut transfers = TransferRecords::default();
        let mut serial = self.next_serial(UNIT_TYPE);
        let mut clock = 0i64;
        let mut tick = || {
            clock += 1;
            start + TimeDelta::seconds(clock)
        };
        let mut blocks_left = size.blocks;
        // Issuers and first pieces, for the rejected transfers that follow.
        let mut first_pieces: Vec<(usize, SerialRange)> = Vec::new();
        while blocks_left > 0 {
            let pieces = blocks_left.min(PIECES);
            blocks_left -= pieces;
            let issuer = picker.pick(&[]);
            let at = tick();
            let n = issuances.len() + 1;
            let reference = TransactionId::new(TransactionKind::Issuance, n as u64);
            let attributes = Arc::new(UnitAttributes {
                issuance_id: reference.to_string(),
                project_id: Some(PROJECTS[n % PROJECTS.len()].to_owned()),
                vintage: VINTAGES[n % VINTAGES.len()].to_owned(),
                method: Some("Plantation forestry".to_owned()),
                facility_id: None,
                facility_name: None,
                issuance_year: None,
                kyoto_status: Some(KyotoStatus::NonKyoto),
                state: REGIONS[n % REGIONS.len()].to_owned(),
                issued_on: at.date_naive(),
                json: TextCache::default(),
            });
            let whole = SerialRange {
                serial_start: serial,
                serial_end: serial + pieces * PIECE_UNITS - 1,
            };
            serial = whole.serial_end + 1;
            drafts[issuer].history.push((at, reference));
            issuances.push(Issuance {
                account_id: account_id(issuer),
                unit_type: UNIT_TYPE.to_owned(),
                range: whole,
                project_id: attributes.project_id.clone(),
                vintage: attributes.vintage.clone(),
                created_at: at,
            });

            let mut previous = issuer;
            for piece in 0..pieces {
                let range = SerialRange {
                    serial_start: whole.serial_start + piece * PIECE_UNITS,
                    serial_end: whole.serial_start + (piece + 1) * PIECE_UNITS - 1,
                };
                let holder = if piece == 0 {
                    first_pieces.push((issuer, range));
                    issuer
                } else {
                    let to = picker.pick(&[issuer, previous]);
                    let at = tick();
                    transfers.insert(synthetic_transfer(
                        transfers.len() + 1,
                        (issuer, to),
                        range,
                        at,
                        TransactionStatus::Completed,
                        &mut drafts,
                    ));
                    to
                };
                drafts[holder]
                    .holdings
                    .push((range, Arc::clone(&attributes)));
                previous = holder;
            }
        }
        for n in 0..size.transactions - size.blocks {
            let (from, range) = first_pieces[n as usize % first_pieces.len()];
            let to = picker.pick(&[from]);
            let at = tick();
            transfers.insert(synthetic_transfer(
                transfers.len() + 1,
                (from, to),
                range,
                at,
                TransactionStatus::Rejected,
                &mut drafts,
            ));
        }

        let appointments: BTreeMap<String, BTreeSet<Role>> = desk
            .iter()
            .map(|(id, _, role)| ((*id).to_owned(), BTreeSet::from([*role])))
            .collect();
        for (index, draft) in drafts.into_iter().enumerate() {
            let n = index + 1;
            let holder_id = format!("{}{n:06}", ids::HOLDER);
            self.holders
                .insert(holder_id.clone(), format!("Synthetic Holder {n} Pty Ltd"));
            let account_id = account_id(index);
            self.accounts.insert(
                account_id.clone(),
                AccountRecord {
                    account_id,
                    name: format!("Synthetic Account {n}"),
                    kind: AccountKind::Holding,
                    status: AccountStatus::Open,
                    holder_id,
                    opened_at: start,
                    appointments: appointments.clone(),
                    holdings: Holdings::from_unmerged(UNIT_TYPE, draft.holdings),
                    history: History::from_entries(draft.history),
                },
            );
        }
        self.ids.holder = size.accounts;
        self.ids.account = size.accounts;
        self.ids.issuance = issuances.len() as u64;
        self.ids.transfer = transfers.len() as u64;
        self.issuances = issuances;
        self.transfers = transfers;
        self.next_serial.insert(UNIT_TYPE.to_owned(), serial);
        self.issued
            .insert(UNIT_TYPE.to_owned(), size.blocks * PIECE_UNITS);
    }
}

/// One account's blocks and history, in order, before the account is built.
#[derive(Default)]
struct Draft {
    holdings: Vec<(SerialRange, Arc<UnitAttributes>)>,
    history: Vec<(DateTime<Utc>, TransactionId)>,
}

/// The id of the account at `index` (0: `AU-1000001`).
fn account_id(index: usize) -> String {
    format!("{}{}", ids::ACCOUNT, ids::ACCOUNT_BASE + index as u64 + 1)
}

/// The `number`th transfer, decided at once, of `range` between two accounts (by index), entered
/// in both accounts' histories; the caller places the units.
fn synthetic_transfer(
    number: usize,
    (from, to): (usize, usize),
    range: SerialRange,
    at: DateTime<Utc>,
    status: TransactionStatus,
    drafts: &mut [Draft],
) -> Transfer {
    let id = TransactionId::new(TransactionKind::Transfer, number as u64);
    for account in [from, to] {
        drafts[account].history.push((at, id));
    }
    Transfer {
        transfer_id: id.to_string(),
        status,
        from_account_id: account_id(from),
        to_account_id: account_id(to),
        unit_type: UNIT_TYPE.to_owned(),
        quantity: range.quantity(),
        serial_ranges: vec![range],
        reference: None,
        initiated_by: "AR-000001".to_owned(),
        initiated_at: at,
        expires_at: at + APPROVAL_WINDOW,
        decided_by: Some("AR-000002".to_owned()),
        decided_at: Some(at),
        reason: (status == TransactionStatus::Rejected)
            .then(|| "synthetic: declined by the approver".to_owned()),
        reservation_id: None,
        escrow_id: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_are_validated() {
        assert!(Synthetic::new(2, 10, 10).is_err());
        assert!(Synthetic::new(3, 0, 0).is_err());
        assert!(Synthetic::new(3, 10, 9).is_err());
        assert!(Synthetic::new(3, MAX_SYNTHETIC_ITEMS + 1, MAX_SYNTHETIC_ITEMS + 1).is_err());
        assert!(Synthetic::new(3, 10, 10).is_ok());
    }

    #[test]
    fn a_small_synthetic_registry_has_the_asked_size_and_holds_its_invariants() {
        let size = Synthetic::new(17, 1_003, 1_250).unwrap();
        let registry = Registry::synthetic(size, 7);
        registry.check_invariants().unwrap();
        assert_eq!(registry.accounts.len(), 17);
        let blocks: usize = registry.accounts.values().map(|a| a.holdings.len()).sum();
        assert_eq!(blocks, 1_003, "every piece is a block of its own");
        let transactions = registry.issuances.len() + registry.transfers.len();
        assert_eq!(transactions, 1_250);
        // Each transfer is in two histories, each issuance in one.
        let entries: usize = registry.accounts.values().map(|a| a.history.len()).sum();
        assert_eq!(
            entries,
            registry.issuances.len() + 2 * registry.transfers.len()
        );
        assert_eq!(registry.issued()["ACCU"], 1_003 * PIECE_UNITS);
        // The busy account holds far more than an even share.
        let busiest = registry
            .accounts
            .values()
            .map(|a| a.holdings.len())
            .max()
            .unwrap();
        assert!(
            busiest > 1_003 / 17 * 2,
            "busiest account holds {busiest} blocks"
        );
    }

    #[test]
    fn the_same_seed_gives_the_same_registry() {
        let size = Synthetic::new(5, 50, 60).unwrap();
        let shape = |registry: &Registry| {
            registry
                .accounts
                .values()
                .map(|a| {
                    let ranges: Vec<_> = a.holdings.ranges().map(|(_, r, _, _)| r).collect();
                    (a.account_id.clone(), ranges, a.history.len())
                })
                .collect::<Vec<_>>()
        };
        let (a, b) = (Registry::synthetic(size, 1), Registry::synthetic(size, 1));
        assert_eq!(shape(&a), shape(&b));
        assert_ne!(shape(&a), shape(&Registry::synthetic(size, 2)));
    }
}
