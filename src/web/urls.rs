//! The URLs the pages link to, built in one place: a search, an entry (with the query
//! that led there), a filter value quoted as the query language reads it.

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

/// `/entries/{id}?q=...#anchor`.
pub fn entry_url(entry_id: &str, q: &str, anchor: &str) -> String {
    let path: String = entry_id
        .split('/')
        .map(|p| url::form_urlencoded::byte_serialize(p.as_bytes()).collect::<String>())
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
    use percent_encoding::{NON_ALPHANUMERIC, utf8_percent_encode};
    let list = match of {
        TrendOf::Topic => "topics",
        TrendOf::Source => "sources",
    };
    format!("/{list}/{}", utf8_percent_encode(value, NON_ALPHANUMERIC))
}
