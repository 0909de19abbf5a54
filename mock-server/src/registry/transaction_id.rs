//! Transaction identifiers as the registry stores them: a kind and a number (`TRF-000042` is the
//! transfer numbered 42), eight bytes instead of a string, written out only when shown. They sort
//! exactly as their text does, so an account's history keeps the order the contract gives
//! (`created_at`, then `transaction_id`) and a cursor naming an ID's text finds its place.

use std::cmp::Ordering;
use std::fmt;
use std::ops::Deref;

use ucr_spec::model::TransactionKind;

/// Digits an identifier's number is padded to: `TRF-000042`.
const PADDED_DIGITS: usize = 6;

/// Numbers below this have exactly [`PADDED_DIGITS`] digits when padded, so they sort as numbers.
const PADDED_LIMIT: u32 = 1_000_000;

/// The longest identifier: a four-byte prefix and the ten digits of `u32::MAX`.
const MAX_LEN: usize = 14;

/// A transaction's identifier: its kind (which gives the prefix) and its number.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) struct TransactionId {
    kind: TransactionKind,
    number: u32,
}

impl TransactionId {
    /// The identifier of the `number`th transaction of `kind` (numbers start at 1).
    ///
    /// # Panics
    /// When `number` exceeds `u32::MAX`: no registry this mock keeps in memory gets near four
    /// billion transactions of one kind.
    pub fn new(kind: TransactionKind, number: u64) -> Self {
        let number = u32::try_from(number)
            .unwrap_or_else(|_| panic!("transaction number {number} exceeds u32::MAX"));
        TransactionId { kind, number }
    }

    /// The identifier whose text is `text`, if `text` is one exactly as the registry writes it
    /// (`TRF-000042`, never `TRF-42` or `TRF-0000042`).
    pub fn parse(text: &str) -> Option<Self> {
        let kind = [
            TransactionKind::Issuance,
            TransactionKind::Transfer,
            TransactionKind::Cancellation,
        ]
        .into_iter()
        .find(|kind| text.starts_with(prefix(*kind)))?;
        let digits = &text[prefix(kind).len()..];
        if !digits.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let id = TransactionId {
            kind,
            number: digits.parse().ok()?,
        };
        (id.text().as_str() == text).then_some(id)
    }

    /// The smallest identifier of all, for range bounds.
    pub const MIN: TransactionId = TransactionId {
        kind: TransactionKind::Cancellation,
        number: 0,
    };

    pub fn kind(self) -> TransactionKind {
        self.kind
    }

    pub fn number(self) -> u32 {
        self.number
    }

    /// The identifier's text, written on the stack.
    pub fn text(self) -> IdText {
        let mut bytes = [0u8; MAX_LEN];
        let prefix = prefix(self.kind).as_bytes();
        bytes[..prefix.len()].copy_from_slice(prefix);
        let mut digits = itoa::Buffer::new();
        let digits = digits.format(self.number).as_bytes();
        let zeros = PADDED_DIGITS.saturating_sub(digits.len());
        let start = prefix.len() + zeros;
        bytes[prefix.len()..start].fill(b'0');
        bytes[start..start + digits.len()].copy_from_slice(digits);
        IdText {
            bytes,
            len: (start + digits.len()) as u8,
        }
    }
}

/// `ISS-`, `TRF-` or `CAN-`.
fn prefix(kind: TransactionKind) -> &'static str {
    match kind {
        TransactionKind::Issuance => "ISS-",
        TransactionKind::Transfer => "TRF-",
        TransactionKind::Cancellation => "CAN-",
    }
}

impl Ord for TransactionId {
    /// As the texts compare: prefix first, then the padded digits as text (so `TRF-1000000` sorts
    /// before `TRF-999999`, as its text does).
    fn cmp(&self, other: &Self) -> Ordering {
        if self.kind != other.kind {
            return prefix(self.kind).cmp(prefix(other.kind));
        }
        if self.number < PADDED_LIMIT && other.number < PADDED_LIMIT {
            return self.number.cmp(&other.number);
        }
        self.text().as_str().cmp(other.text().as_str())
    }
}

impl PartialOrd for TransactionId {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl fmt::Display for TransactionId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.text().as_str())
    }
}

/// An identifier's text in a fixed buffer: no allocation.
#[derive(Clone, Copy)]
pub(crate) struct IdText {
    bytes: [u8; MAX_LEN],
    len: u8,
}

impl IdText {
    /// The text's bytes (ASCII).
    pub fn as_bytes(&self) -> &[u8] {
        &self.bytes[..usize::from(self.len)]
    }

    pub fn as_str(&self) -> &str {
        // Only ASCII prefixes and digits are ever written.
        std::str::from_utf8(&self.bytes[..usize::from(self.len)]).unwrap_or_default()
    }
}

impl Deref for IdText {
    type Target = str;

    fn deref(&self) -> &str {
        self.as_str()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id(kind: TransactionKind, number: u64) -> TransactionId {
        TransactionId::new(kind, number)
    }

    #[test]
    fn text_is_the_prefix_and_the_number_padded_to_six_digits() {
        assert_eq!(id(TransactionKind::Transfer, 42).to_string(), "TRF-000042");
        assert_eq!(id(TransactionKind::Issuance, 1).to_string(), "ISS-000001");
        assert_eq!(
            id(TransactionKind::Cancellation, 1_234_567).to_string(),
            "CAN-1234567"
        );
        assert_eq!(
            id(TransactionKind::Transfer, u64::from(u32::MAX)).to_string(),
            "TRF-4294967295"
        );
    }

    #[test]
    fn only_the_registry_s_own_texts_parse() {
        for text in ["TRF-000042", "ISS-000001", "CAN-1234567", "TRF-4294967295"] {
            let parsed = TransactionId::parse(text).map(|id| id.to_string());
            assert_eq!(parsed.as_deref(), Some(text));
        }
        for text in [
            "TRF-42",
            "TRF-0000042",
            "TRF-00000042",
            "TRF-+00042",
            "TRF-4294967296",
            "trf-000042",
            "XYZ-000042",
            "TRF-",
            "",
        ] {
            assert_eq!(TransactionId::parse(text), None, "{text}");
        }
    }

    #[test]
    fn identifiers_sort_as_their_texts_do() {
        let numbers = [
            0, 1, 9, 10, 999_999, 1_000_000, 1_000_001, 9_999_999, 12_345_678,
        ];
        let kinds = [
            TransactionKind::Issuance,
            TransactionKind::Transfer,
            TransactionKind::Cancellation,
        ];
        let ids: Vec<TransactionId> = kinds
            .iter()
            .flat_map(|kind| numbers.iter().map(|n| id(*kind, *n)))
            .collect();
        for a in &ids {
            for b in &ids {
                assert_eq!(a.cmp(b), a.to_string().cmp(&b.to_string()), "{a} vs {b}");
            }
        }
        assert!(TransactionId::MIN <= ids.iter().copied().min().unwrap_or(TransactionId::MIN));
    }
}
