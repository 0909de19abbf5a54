//! Keyset paging: opaque `page_token`s that encode the list they belong to (with its filters) and
//! the last key served.
//!
//! A token carries the filters of the request that started the walk, as dropshot does: a request
//! with a `page_token` may repeat those filters or leave them out (the generated SDK's streams send
//! only `page_token` and `limit`), but may not change them.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::Serialize;
use serde::de::DeserializeOwned;
use ucr_spec::ProblemType;
use ucr_spec::paging::{DEFAULT_LIMIT, MAX_LIMIT};
use ucr_spec::problem::{InvalidParam, Problem};

use crate::faults::{Fault, Faults};

/// A validated page request: how many items, after which key.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct PageRequest<K> {
    limit: usize,
    after: Option<K>,
    faults: Faults,
}

impl<K: Ord + Serialize + DeserializeOwned> PageRequest<K> {
    /// Validates `limit` (1–200, default 50) and decodes `page_token`, which must have been issued
    /// for the list named `list`. `faults` may break paging on purpose (see [`crate::faults`]).
    pub fn parse(
        faults: Faults,
        list: &str,
        limit: Option<u32>,
        page_token: Option<&str>,
    ) -> Result<Self, Problem> {
        let mut limit = limit.unwrap_or(DEFAULT_LIMIT);
        if faults.has(Fault::LimitClamped) {
            // FAULT(limit-clamped): out-of-range values are quietly corrected.
            limit = limit.clamp(1, MAX_LIMIT);
        }
        if !(1..=MAX_LIMIT).contains(&limit) {
            return Err(invalid_parameter(
                "limit",
                format!("must be between 1 and {MAX_LIMIT}; {limit} was given"),
            ));
        }
        let after = match page_token {
            None => None,
            Some(token) => Some(decode(list, token).ok_or_else(|| {
                invalid_parameter(
                    "page_token",
                    "not a token this list issued; pass the next_page value of a previous page of the same list \
                     unchanged, or omit it to start from the first page"
                        .to_owned(),
                )
            })?),
        };
        Ok(PageRequest {
            limit: limit as usize,
            after,
            faults,
        })
    }

    /// The key of the last item the previous page served, if this is not the first page.
    pub fn after(&self) -> Option<&K> {
        self.after.as_ref()
    }

    /// How many items [`PageRequest::page`] needs from the cursor on: the page and one more, to
    /// know whether another page follows.
    pub fn fetch(&self) -> usize {
        // FAULT(page-drops-item): the item `page` skips must be fetched too.
        self.limit + 1 + usize::from(self.after.is_some() && self.faults.has(Fault::PageDropsItem))
    }

    /// Cuts one page from `items`, which must be ordered by `key` ascending. `next_page` is set
    /// exactly when at least one more item follows.
    pub fn page<T>(
        self,
        list: &str,
        items: impl IntoIterator<Item = T>,
        key: impl Fn(&T) -> K,
    ) -> (Vec<T>, Option<String>) {
        let after = self.after;
        // FAULT(page-drops-item): the page after a token skips its first item.
        let skip = usize::from(after.is_some() && self.faults.has(Fault::PageDropsItem));
        let mut page: Vec<T> = items
            .into_iter()
            .filter(|item| after.as_ref().is_none_or(|after| key(item) > *after))
            .skip(skip)
            .take(self.limit + 1)
            .collect();
        let more = page.len() > self.limit;
        page.truncate(self.limit);
        // FAULT(page-repeats-item): the cursor is the second-to-last item, so the last repeats.
        let back = usize::from(page.len() >= 2 && self.faults.has(Fault::PageRepeatsItem));
        let next = if more {
            page.iter()
                .rev()
                .nth(back)
                .map(|last| encode(list, &key(last)))
        } else {
            None
        };
        (page, next)
    }
}

/// The filters a list request runs with: returns the effective query string (the request's own
/// filters, or those carried by its `page_token` when it gives none) and the list scope, the name
/// the page token is bound to (`base` plus the canonical filters).
pub(crate) fn scope_query(base: &str, raw: Option<&str>) -> Result<(String, String), Problem> {
    let raw = raw.unwrap_or("");
    if only_a_limit(raw) {
        // A first page without filters, the commonest list request: nothing to reorder or carry.
        return Ok((raw.to_owned(), format!("{base}?")));
    }
    let Ok(pairs) = serde_urlencoded::from_str::<Vec<(String, String)>>(raw) else {
        // Unparseable: the caller's query parsing reports it precisely.
        return Ok((raw.to_owned(), base.to_owned()));
    };
    let (paging, mut filters): (Vec<_>, Vec<_>) = pairs
        .into_iter()
        .partition(|(name, _)| name == "limit" || name == "page_token");
    filters.sort();
    let token = paging.iter().find(|(name, _)| name == "page_token");
    if let Some(carried) = token.and_then(|(_, t)| token_filters(base, t)) {
        if filters.is_empty() {
            filters = carried;
        } else if filters != carried {
            return Err(invalid_parameter(
                "page_token",
                "was issued for other filters; repeat the first page's filters or send none with a \
                 page_token, or start again without one to change them"
                    .to_owned(),
            ));
        }
    }
    let canonical = serde_urlencoded::to_string(&filters).unwrap_or_default();
    let scope = format!("{base}?{canonical}");
    let mut all = filters;
    all.extend(paging);
    Ok((serde_urlencoded::to_string(&all).unwrap_or_default(), scope))
}

/// Whether `raw` is empty or exactly `limit=` and digits: a query [`scope_query`] would give back
/// as it is, with no filters.
fn only_a_limit(raw: &str) -> bool {
    raw.is_empty()
        || raw
            .strip_prefix("limit=")
            .is_some_and(|digits| !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()))
}

/// The filters a token of list `base` was issued with, if it is one.
fn token_filters(base: &str, token: &str) -> Option<Vec<(String, String)>> {
    let json = URL_SAFE_NO_PAD.decode(token).ok()?;
    let (scope, _key): (String, serde_json::Value) = serde_json::from_slice(&json).ok()?;
    let filters = scope.strip_prefix(base)?.strip_prefix('?')?;
    serde_urlencoded::from_str(filters).ok()
}

/// A `400 invalid-parameter` problem naming the parameter.
pub(crate) fn invalid_parameter(name: &str, reason: String) -> Problem {
    let mut problem =
        ProblemType::InvalidParameter.problem(format!("query parameter {name}: {reason}"));
    problem.invalid_params.push(InvalidParam {
        name: name.to_owned(),
        reason,
    });
    problem
}

fn encode<K: Serialize>(list: &str, key: &K) -> String {
    let json = serde_json::to_vec(&(list, key)).unwrap_or_default();
    URL_SAFE_NO_PAD.encode(json)
}

fn decode<K: DeserializeOwned>(list: &str, token: &str) -> Option<K> {
    let json = URL_SAFE_NO_PAD.decode(token).ok()?;
    let (token_list, key): (String, K) = serde_json::from_slice(&json).ok()?;
    (token_list == list).then_some(key)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_carry_their_filters() {
        let (query, scope) = scope_query("regs", Some("state=QLD&limit=2")).unwrap();
        assert_eq!(scope, "regs?state=QLD");
        assert_eq!(query, "state=QLD&limit=2");
        let token = encode(&scope, &"ERF1".to_owned());
        let next = format!("page_token={token}&limit=2");
        let (query, again) = scope_query("regs", Some(&next)).unwrap();
        assert_eq!(again, scope);
        assert!(query.starts_with("state=QLD&"), "{query}");
        let same = format!("limit=2&state=QLD&page_token={token}");
        assert_eq!(scope_query("regs", Some(&same)).unwrap().1, scope);
        let other = format!("state=NSW&page_token={token}");
        assert!(scope_query("regs", Some(&other)).is_err());
    }

    #[test]
    fn a_query_of_only_a_limit_is_scoped_as_the_general_path_scopes_it() {
        for raw in ["", "limit=50", "limit=0", "limit=007"] {
            assert!(only_a_limit(raw), "{raw}");
            let pairs: Vec<(String, String)> = serde_urlencoded::from_str(raw).unwrap();
            let general = (
                serde_urlencoded::to_string(&pairs).unwrap(),
                "regs?".to_owned(),
            );
            assert_eq!(scope_query("regs", Some(raw)).unwrap(), general, "{raw}");
        }
        assert_eq!(
            scope_query("regs", None).unwrap(),
            (String::new(), "regs?".to_owned())
        );
        for raw in [
            "limit=",
            "limit=5x",
            "limit=%35",
            "limit=5&limit=6",
            "state=QLD",
            "limit=5&",
        ] {
            assert!(!only_a_limit(raw), "{raw}");
        }
    }

    #[test]
    fn pages_walk_every_item_once() {
        let items: Vec<u32> = (0..23).collect();
        let mut seen = Vec::new();
        let mut token: Option<String> = None;
        loop {
            let request =
                PageRequest::<u32>::parse(Faults::NONE, "numbers", Some(5), token.as_deref())
                    .unwrap();
            let (page, next) = request.page("numbers", items.iter().copied(), |n| *n);
            assert!(!page.is_empty());
            seen.extend(page);
            match next {
                Some(next) => token = Some(next),
                None => break,
            }
        }
        assert_eq!(seen, items);
    }

    #[test]
    fn exact_multiple_ends_without_a_token() {
        let request = PageRequest::<u32>::parse(Faults::NONE, "numbers", Some(5), None).unwrap();
        let (page, next) = request.page("numbers", 0..5u32, |n| *n);
        assert_eq!(page.len(), 5);
        assert_eq!(next, None);
    }

    #[test]
    fn tokens_of_other_lists_and_garbage_are_refused() {
        let request = PageRequest::<u32>::parse(Faults::NONE, "numbers", Some(1), None).unwrap();
        let (_, next) = request.page("numbers", 0..5u32, |n| *n);
        let token = next.unwrap();
        assert!(PageRequest::<u32>::parse(Faults::NONE, "letters", None, Some(&token)).is_err());
        assert!(PageRequest::<u32>::parse(Faults::NONE, "numbers", None, Some("!!")).is_err());
        assert!(PageRequest::<u32>::parse(Faults::NONE, "numbers", None, Some("")).is_err());
        assert!(PageRequest::<u32>::parse(Faults::NONE, "numbers", Some(0), None).is_err());
        assert!(PageRequest::<u32>::parse(Faults::NONE, "numbers", Some(201), None).is_err());
    }
}
