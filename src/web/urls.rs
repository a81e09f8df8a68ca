//! The URLs the pages link to, built in one place: a search, an entry (with the query
//! that led there), a filter value quoted as the query language reads it.

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};

use crate::search::query::quote;
use crate::search::{Sort, TrendOf};

/// A URL-encoded query-string value.
pub fn enc(value: &str) -> String {
    url::form_urlencoded::byte_serialize(value.as_bytes()).collect()
}

/// `/search?q=...`, leaving out defaults.
pub fn search_url(q: &str, sort: Option<Sort>, page: usize) -> String {
    let mut url = format!("/search?q={}", enc(q.trim()));
    if let Some(sort) = sort {
        url.push_str(&format!("&sort={}", sort.name()));
    }
    if page > 1 {
        url.push_str(&format!("&page={page}"));
    }
    url
}

/// `/search?q=field:value`.
pub fn filter_url(field: &str, value: &str) -> String {
    search_url(&filter(field, value), None, 1)
}

/// A filter clause, its value quoted where the query language needs it.
pub fn filter(field: &str, value: &str) -> String {
    format!("{field}:{}", quote(value))
}

/// What a path segment keeps as it is: letters, digits and `-._~` (RFC 3986's unreserved
/// characters); everything else is percent-encoded (a space is `%20`: `+` is a plus in a
/// path, where the router reads it).
const SEGMENT: &AsciiSet = &NON_ALPHANUMERIC.remove(b'-').remove(b'.').remove(b'_').remove(b'~');

/// `/entries/{id}?q=...#anchor`, each segment of the id percent-encoded.
pub fn entry_url(entry_id: &str, q: &str, anchor: &str) -> String {
    let path: String = entry_id
        .split('/')
        .map(|p| utf8_percent_encode(p, SEGMENT).to_string())
        .collect::<Vec<_>>()
        .join("/");
    let mut url = format!("/entries/{path}");
    if !q.trim().is_empty() {
        url.push_str(&format!("?q={}", enc(q.trim())));
    }
    if !anchor.is_empty() {
        url.push('#');
        url.push_str(anchor);
    }
    url
}

/// `/topics/{topic}` or `/sources/{source}`: a trend's page (its JSON is the same
/// path under `/api`).
pub fn trend_url(of: TrendOf, value: &str) -> String {
    let list = match of {
        TrendOf::Topic => "topics",
        TrendOf::Source => "sources",
    };
    format!("/{list}/{}", utf8_percent_encode(value, NON_ALPHANUMERIC))
}
