//! The holdings and history pages written straight to JSON: the bytes `serde_json` writes for
//! `UnitBlockPage` and `TransactionPage`, without building the wire types or formatting through
//! `core::fmt`. A block's issuance attributes never change, so their
//! JSON is written once per issuance and copied; timestamps are written digit by digit. The tests
//! hold every byte equal to serde's.

use bytes::Bytes;
use chrono::{DateTime, Datelike, Timelike, Utc};
use http::header::CONTENT_TYPE;
use http::{HeaderMap, HeaderValue, StatusCode};
use serde::Serialize;
use ucr_spec::model::{BlockStatus, KyotoStatus, TransactionKind, TransactionStatus};

use super::exchange::{ApiResponse, JSON};
use crate::registry::{HeldBlock, HistoryRow, UnitAttributes};

/// One page of an account's holdings.
#[derive(Debug)]
pub(crate) struct HoldingsPage<'a> {
    /// The page's blocks.
    pub(crate) items: Vec<HeldBlock<'a>>,
    /// The next page's token, when more follow.
    pub(crate) next_page: Option<String>,
}

impl HoldingsPage<'_> {
    /// The `200` response.
    pub(crate) fn response(&self) -> ApiResponse {
        let mut out = Vec::with_capacity(128 + 320 * self.items.len());
        out.extend_from_slice(b"{\"items\":[");
        for (n, block) in self.items.iter().enumerate() {
            if n > 0 {
                out.push(b',');
            }
            write_block(&mut out, block);
        }
        finish(out, self.next_page.as_deref())
    }
}

/// The `200` response of a page of an account's transaction history, written from rows borrowed
/// from the registry (so while it is read: copying the rows out would cost more than writing
/// them; other reads go on beside it).
pub(crate) fn history(items: &[HistoryRow<'_>], next_page: Option<&str>) -> ApiResponse {
    let mut out = Vec::with_capacity(128 + 320 * items.len());
    out.extend_from_slice(b"{\"items\":[");
    for (n, row) in items.iter().enumerate() {
        if n > 0 {
            out.push(b',');
        }
        write_transaction(&mut out, row);
    }
    finish(out, next_page)
}

/// Closes `items`, writes `next_page` and wraps the body in a `200` response.
fn finish(mut out: Vec<u8>, next_page: Option<&str>) -> ApiResponse {
    out.extend_from_slice(b"],\"next_page\":");
    match next_page {
        Some(token) => value(&mut out, token),
        None => out.extend_from_slice(b"null"),
    }
    out.push(b'}');
    let mut headers = HeaderMap::new();
    headers.insert(CONTENT_TYPE, HeaderValue::from_static(JSON));
    ApiResponse {
        status: StatusCode::OK,
        headers,
        body: Bytes::from(out),
    }
}

/// Appends `value` as `serde_json` writes it (strings escaped, numbers, unit enums).
fn value<T: Serialize + ?Sized>(out: &mut Vec<u8>, value: &T) {
    if serde_json::to_writer(&mut *out, value).is_err() {
        out.extend_from_slice(b"null");
    }
}

/// An unsigned number, as serde writes it.
#[inline]
fn number(out: &mut Vec<u8>, n: u64) {
    out.extend_from_slice(itoa::Buffer::new().format(n).as_bytes());
}

/// `"name":` then the number `n`.
#[inline]
fn number_field(out: &mut Vec<u8>, name: &str, n: u64) {
    out.push(b'"');
    out.extend_from_slice(name.as_bytes());
    out.extend_from_slice(b"\":");
    number(out, n);
}

/// `"name":` then the string `text`: copied as it is when nothing in it needs escaping (the
/// common case: identifiers), else escaped by serde.
#[inline]
fn text_field(out: &mut Vec<u8>, name: &str, text: &str) {
    out.push(b'"');
    out.extend_from_slice(name.as_bytes());
    out.extend_from_slice(b"\":");
    if plain(text) {
        out.push(b'"');
        out.extend_from_slice(text.as_bytes());
        out.push(b'"');
    } else {
        value(out, text);
    }
}

/// Whether `text` is written in JSON as it is, between quotes (nothing in it needs escaping: the
/// common case, identifiers).
#[inline]
fn plain(text: &str) -> bool {
    // No short-circuit, so that the check runs over whole words.
    !text.bytes().fold(false, |escape, b| {
        escape | (b < 0x20) | (b == b'"') | (b == b'\\')
    })
}

/// One `UnitBlock`, fields in the schema's order.
fn write_block(out: &mut Vec<u8>, block: &HeldBlock<'_>) {
    // `block_id` is `<unit_type>-<serial_start>`: the escaped unit type with its closing quote
    // moved after the serial.
    out.extend_from_slice(b"{\"block_id\":");
    if plain(block.unit_type) {
        out.push(b'"');
        out.extend_from_slice(block.unit_type.as_bytes());
        out.push(b'"');
    } else {
        value(out, block.unit_type);
    }
    out.pop();
    out.push(b'-');
    number(out, block.serial_start);
    out.push(b'"');
    out.push(b',');
    text_field(out, "unit_type", block.unit_type);
    out.push(b',');
    number_field(out, "serial_start", block.serial_start);
    out.push(b',');
    number_field(out, "serial_end", block.serial_end);
    out.push(b',');
    number_field(out, "quantity", block.serial_end - block.serial_start + 1);
    out.push(b',');
    out.extend_from_slice(b"\"status\":\"");
    out.extend_from_slice(block_status(block.status).as_bytes());
    out.push(b'"');
    out.push(b',');
    let attributes = block.attributes;
    out.extend_from_slice(
        attributes
            .json
            .get_or_init(|| attribute_fields(attributes))
            .as_bytes(),
    );
    if let Some(transaction_id) = block.transaction_id() {
        out.push(b',');
        text_field(out, "transaction_id", transaction_id);
    }
    out.push(b'}');
}

/// The issuance's fields of a block (`project_id` to `issued_on`), as they appear inside its
/// JSON object: the object serde writes for them, without its braces.
fn attribute_fields(attributes: &UnitAttributes) -> String {
    #[derive(Serialize)]
    struct Fields<'a> {
        #[serde(skip_serializing_if = "Option::is_none")]
        project_id: Option<&'a str>,
        vintage: &'a str,
        #[serde(skip_serializing_if = "Option::is_none")]
        method: Option<&'a str>,
        #[serde(skip_serializing_if = "Option::is_none")]
        facility_id: Option<&'a str>,
        #[serde(skip_serializing_if = "Option::is_none")]
        facility_name: Option<&'a str>,
        #[serde(skip_serializing_if = "Option::is_none")]
        issuance_year: Option<u16>,
        #[serde(skip_serializing_if = "Option::is_none")]
        kyoto_status: Option<KyotoStatus>,
        state: &'a str,
        issued_on: chrono::NaiveDate,
    }
    let object = serde_json::to_string(&Fields {
        project_id: attributes.project_id.as_deref(),
        vintage: &attributes.vintage,
        method: attributes.method.as_deref(),
        facility_id: attributes.facility_id.as_deref(),
        facility_name: attributes.facility_name.as_deref(),
        issuance_year: attributes.issuance_year,
        kyoto_status: attributes.kyoto_status,
        state: &attributes.state,
        issued_on: attributes.issued_on,
    })
    .unwrap_or_default();
    object
        .strip_prefix('{')
        .and_then(|inner| inner.strip_suffix('}'))
        .unwrap_or_default()
        .to_owned()
}

/// One `Transaction`, fields in the schema's order.
fn write_transaction(out: &mut Vec<u8>, t: &HistoryRow<'_>) {
    // An ID is letters, digits and a hyphen: nothing to escape.
    out.extend_from_slice(b"{\"transaction_id\":\"");
    out.extend_from_slice(t.transaction_id.text().as_bytes());
    out.extend_from_slice(b"\",\"kind\":\"");
    out.extend_from_slice(kind(t.transaction_id.kind()).as_bytes());
    out.extend_from_slice(b"\",\"status\":\"");
    out.extend_from_slice(status(t.status).as_bytes());
    out.push(b'"');
    out.push(b',');
    text_field(out, "unit_type", t.unit_type);
    out.push(b',');
    number_field(out, "quantity", t.quantity);
    out.extend_from_slice(b",\"serial_ranges\":[");
    for (n, range) in t.serial_ranges.iter().enumerate() {
        if n > 0 {
            out.push(b',');
        }
        out.push(b'{');
        number_field(out, "serial_start", range.serial_start);
        out.push(b',');
        number_field(out, "serial_end", range.serial_end);
        out.push(b'}');
    }
    out.push(b']');
    for (name, text) in [
        ("from_account_id", t.from_account_id),
        ("to_account_id", t.to_account_id),
        ("reference", t.reference),
    ] {
        if let Some(text) = text {
            out.push(b',');
            text_field(out, name, text);
        }
    }
    out.extend_from_slice(b",\"created_at\":");
    let created_at = out.len();
    timestamp(out, &t.created_at);
    let created_at = created_at..out.len();
    out.extend_from_slice(b",\"updated_at\":");
    if t.updated_at == t.created_at {
        // A transaction decided as it was made (or not yet): the same text again.
        out.extend_from_within(created_at);
    } else {
        timestamp(out, &t.updated_at);
    }
    out.push(b'}');
}

/// A transaction kind as serde names it (`snake_case`; the tests hold every variant to serde).
#[inline]
fn kind(kind: TransactionKind) -> &'static str {
    match kind {
        TransactionKind::Issuance => "issuance",
        TransactionKind::Transfer => "transfer",
        TransactionKind::Cancellation => "cancellation",
    }
}

/// A block status as serde names it (`snake_case`; the tests hold every variant to serde).
#[inline]
fn block_status(status: BlockStatus) -> &'static str {
    match status {
        BlockStatus::Available => "available",
        BlockStatus::Pending => "pending",
        BlockStatus::Reserved => "reserved",
        BlockStatus::Escrowed => "escrowed",
        BlockStatus::Cancelled => "cancelled",
    }
}

/// A transaction status as serde names it (`snake_case`; the tests hold every variant to serde).
#[inline]
fn status(status: TransactionStatus) -> &'static str {
    match status {
        TransactionStatus::PendingApproval => "pending_approval",
        TransactionStatus::Completed => "completed",
        TransactionStatus::Rejected => "rejected",
        TransactionStatus::Rescinded => "rescinded",
        TransactionStatus::Expired => "expired",
    }
}

/// A timestamp as chrono's `Serialize` writes it (RFC 3339, `Z`, the fraction in 3, 6 or 9 digits
/// as needed, none when whole), every field written as digits; years outside 0–9999 and leap
/// seconds go through serde.
fn timestamp(out: &mut Vec<u8>, at: &DateTime<Utc>) {
    let naive = at.naive_utc();
    let (date, time) = (naive.date(), naive.time());
    let year = date.year();
    let nano = time.nanosecond();
    if !(0..=9999).contains(&year) || nano >= 1_000_000_000 {
        value(out, at);
        return;
    }
    let year = year as u32;
    out.push(b'"');
    two_digits(out, year / 100);
    two_digits(out, year % 100);
    out.push(b'-');
    two_digits(out, date.month());
    out.push(b'-');
    two_digits(out, date.day());
    out.push(b'T');
    let of_day = time.num_seconds_from_midnight();
    two_digits(out, of_day / 3600);
    out.push(b':');
    two_digits(out, of_day / 60 % 60);
    out.push(b':');
    two_digits(out, of_day % 60);
    if nano != 0 {
        out.push(b'.');
        let (fraction, width) = if nano % 1_000_000 == 0 {
            (nano / 1_000_000, 3)
        } else if nano % 1_000 == 0 {
            (nano / 1_000, 6)
        } else {
            (nano, 9)
        };
        let at = out.len();
        out.resize(at + width, b'0');
        let mut rest = fraction;
        for digit in out[at..].iter_mut().rev() {
            *digit = b'0' + (rest % 10) as u8;
            rest /= 10;
        }
    }
    out.extend_from_slice(b"Z\"");
}

/// `n` (below 100) as two digits.
#[inline]
fn two_digits(out: &mut Vec<u8>, n: u32) {
    const PAIRS: &[u8; 200] = b"0001020304050607080910111213141516171819\
                                2021222324252627282930313233343536373839\
                                4041424344454647484950515253545556575859\
                                6061626364656667686970717273747576777879\
                                8081828384858687888990919293949596979899";
    let at = (n % 100) as usize * 2;
    out.extend_from_slice(&PAIRS[at..at + 2]);
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use chrono::{NaiveDate, TimeZone};
    use rand::rngs::StdRng;
    use rand::{Rng, SeedableRng};
    use std::borrow::Cow;

    use ucr_spec::model::{BlockStatus, SerialRange, Transaction};
    use ucr_spec::paging::{TransactionPage, UnitBlockPage};

    use super::*;
    use crate::registry::{TextCache, TransactionId};

    fn text(rng: &mut StdRng) -> String {
        const PIECES: &[&str] = &[
            "ERF101234",
            "Plantation forestry",
            "quote \" and \\ backslash",
            "tab\tnew\nline",
            "é ünïcødé",
            "\u{1}",
            "",
        ];
        PIECES[rng.random_range(0..PIECES.len())].to_owned()
    }

    fn maybe(rng: &mut StdRng) -> Option<String> {
        rng.random_bool(0.5).then(|| text(rng))
    }

    fn attributes(rng: &mut StdRng) -> Arc<UnitAttributes> {
        Arc::new(UnitAttributes {
            issuance_id: "ISS-000001".into(),
            project_id: maybe(rng),
            vintage: text(rng),
            method: maybe(rng),
            facility_id: maybe(rng),
            facility_name: maybe(rng),
            issuance_year: rng.random_bool(0.5).then(|| rng.random()),
            kyoto_status: [None, Some(KyotoStatus::Kyoto), Some(KyotoStatus::NonKyoto)]
                [rng.random_range(0..3)],
            state: text(rng),
            issued_on: NaiveDate::from_ymd_opt(rng.random_range(1990..2100), 2, 28).unwrap(),
            json: TextCache::default(),
        })
    }

    fn at(rng: &mut StdRng) -> DateTime<Utc> {
        let seconds = rng.random_range(-5_000_000_000_i64..300_000_000_000);
        let nanos = match rng.random_range(0..5) {
            0 => 0,
            1 => rng.random_range(0..1000) * 1_000_000,
            2 => rng.random_range(0..1_000_000) * 1000,
            3 => rng.random_range(0..1_000_000_000),
            _ => 1_000_000_000 + rng.random_range(0..1000) * 1_000_000,
        };
        Utc.timestamp_opt(seconds, nanos)
            .single()
            .unwrap_or_default()
    }

    fn assert_same(ours: &ApiResponse, serde: Vec<u8>) {
        assert_eq!(
            String::from_utf8_lossy(&ours.body),
            String::from_utf8_lossy(&serde)
        );
    }

    #[test]
    fn a_holdings_page_is_the_bytes_serde_writes() {
        let mut rng = StdRng::seed_from_u64(16);
        let statuses = [
            BlockStatus::Available,
            BlockStatus::Pending,
            BlockStatus::Reserved,
            BlockStatus::Escrowed,
            BlockStatus::Cancelled,
        ];
        for round in 0..200 {
            let shared = attributes(&mut rng);
            // Each block's own values first, then the blocks borrowing them.
            let owned: Vec<_> = (0..round % 7)
                .map(|_| {
                    let start = rng.random_range(0..u64::MAX / 2);
                    let own = if rng.random_bool(0.5) {
                        None
                    } else {
                        Some(attributes(&mut rng))
                    };
                    (
                        ["ACCU", "SMC", "X\"Y"][rng.random_range(0..3)],
                        start,
                        start + rng.random_range(0..1_000_000),
                        statuses[rng.random_range(0..statuses.len())],
                        own,
                        maybe(&mut rng),
                    )
                })
                .collect();
            let items: Vec<HeldBlock<'_>> = owned
                .iter()
                .map(|(unit_type, start, end, status, own, holder)| HeldBlock {
                    unit_type,
                    serial_start: *start,
                    serial_end: *end,
                    status: *status,
                    attributes: own.as_deref().unwrap_or(&shared),
                    holder: holder.as_deref(),
                })
                .collect();
            let next_page = maybe(&mut rng);
            let serde = serde_json::to_vec(&UnitBlockPage {
                items: items.iter().map(HeldBlock::unit_block).collect(),
                next_page: next_page.clone(),
            })
            .unwrap();
            // Twice: once writing the attributes, once copying them.
            let page = HoldingsPage { items, next_page };
            assert_same(&page.response(), serde.clone());
            assert_same(&page.response(), serde);
        }
    }

    #[test]
    fn a_history_page_is_the_bytes_serde_writes() {
        let mut rng = StdRng::seed_from_u64(16);
        let kinds = [
            TransactionKind::Issuance,
            TransactionKind::Transfer,
            TransactionKind::Cancellation,
        ];
        let statuses = [
            TransactionStatus::PendingApproval,
            TransactionStatus::Completed,
            TransactionStatus::Rejected,
            TransactionStatus::Rescinded,
            TransactionStatus::Expired,
        ];
        for round in 0..300 {
            let items: Vec<Transaction> = (0..round % 6)
                .map(|_| {
                    let kind = kinds[rng.random_range(0..kinds.len())];
                    let created_at = at(&mut rng);
                    Transaction {
                        transaction_id: TransactionId::new(kind, rng.random::<u32>().into())
                            .to_string(),
                        kind,
                        status: statuses[rng.random_range(0..statuses.len())],
                        unit_type: text(&mut rng),
                        quantity: rng.random(),
                        serial_ranges: (0..rng.random_range(0..4))
                            .map(|_| SerialRange {
                                serial_start: rng.random(),
                                serial_end: rng.random(),
                            })
                            .collect(),
                        from_account_id: maybe(&mut rng),
                        to_account_id: maybe(&mut rng),
                        reference: maybe(&mut rng),
                        created_at,
                        // Often decided as made: the writer copies the text it just wrote.
                        updated_at: if rng.random_bool(0.5) {
                            created_at
                        } else {
                            at(&mut rng)
                        },
                    }
                })
                .collect();
            let next_page = maybe(&mut rng);
            let serde = serde_json::to_vec(&TransactionPage {
                items: items.clone(),
                next_page: next_page.clone(),
            })
            .unwrap();
            let rows: Vec<HistoryRow<'_>> = items
                .iter()
                .map(|t| HistoryRow {
                    transaction_id: TransactionId::parse(&t.transaction_id).unwrap(),
                    status: t.status,
                    unit_type: &t.unit_type,
                    quantity: t.quantity,
                    serial_ranges: Cow::Borrowed(&t.serial_ranges),
                    from_account_id: t.from_account_id.as_deref(),
                    to_account_id: t.to_account_id.as_deref(),
                    reference: t.reference.as_deref(),
                    created_at: t.created_at,
                    updated_at: t.updated_at,
                })
                .collect();
            assert!(rows.iter().zip(&items).all(|(r, t)| r.transaction() == *t));
            assert_same(&history(&rows, next_page.as_deref()), serde);
        }
    }

    #[test]
    fn timestamps_are_written_as_chrono_writes_them() {
        let mut rng = StdRng::seed_from_u64(3339);
        let mut cases: Vec<DateTime<Utc>> = (0..20_000).map(|_| at(&mut rng)).collect();
        cases.extend([
            DateTime::<Utc>::MIN_UTC,
            DateTime::<Utc>::MAX_UTC,
            Utc.with_ymd_and_hms(0, 1, 1, 0, 0, 0).unwrap(),
            Utc.with_ymd_and_hms(9999, 12, 31, 23, 59, 59).unwrap(),
            Utc.with_ymd_and_hms(10000, 1, 1, 0, 0, 0).unwrap(),
        ]);
        for case in cases {
            let mut ours = Vec::new();
            timestamp(&mut ours, &case);
            assert_eq!(
                String::from_utf8(ours).unwrap(),
                serde_json::to_string(&case).unwrap()
            );
        }
    }
}
