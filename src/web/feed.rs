//! Any search as an Atom feed (`/feed.atom?q=...`), newest first.

use std::sync::Arc;

use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, header};
use axum::response::{IntoResponse, Response};

use super::error::{Format, WebError};
use super::params::Params;
use super::state::AppState;
use super::urls::{enc, entry_url, search_url};
use crate::digest::date::parse_shown;
use crate::search::{Group, Sort};

/// `GET /feed.atom?q=...`: any search as an Atom feed, newest first.
pub async fn feed(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
) -> Result<Response, WebError> {
    use atom_syndication::{Entry, Feed, FixedDateTime, Link, Text};
    let params = Params::parse(raw.as_deref());
    let mut request = params.request(Format::Json, Group::Item)?;
    request.sort = Some(Sort::Newest);
    request.per_page = request.per_page.max(50);
    let q = request.q.clone();
    let results = state.blocking(move |engine| engine.search(&request)).await?;
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .filter(|h| !h.is_empty())
        .unwrap_or("localhost");
    let base = format!("http://{host}");
    // Atom needs a time for every entry: an undated one (and an empty feed) takes the
    // Unix epoch, a time every reader parses, not chrono's earliest day.
    let when = |date: &Option<String>| -> FixedDateTime {
        let day = date
            .as_deref()
            .and_then(parse_shown)
            .unwrap_or(chrono::DateTime::UNIX_EPOCH.date_naive());
        day.and_hms_opt(0, 0, 0).unwrap_or_default().and_utc().fixed_offset()
    };
    let entries: Vec<Entry> = results
        .hits
        .iter()
        .map(|hit| {
            let url = format!("{base}{}", entry_url(&hit.entry_id, "", &hit.anchor));
            let mut entry = Entry::default();
            entry.set_title(Text::plain(xml_text(&format!("{} — {}", hit.title, hit.entry_title))));
            entry.set_id(url.clone());
            entry.set_updated(when(&hit.date));
            entry.set_links(vec![Link { href: url, ..Link::default() }]);
            entry.set_summary(Some(Text::html(xml_text(&hit.snippet))));
            entry
        })
        .collect();
    let mut feed = Feed::default();
    let title = if q.trim().is_empty() {
        "archive: newest items".to_string()
    } else {
        format!("archive: {}", q.trim())
    };
    feed.set_title(Text::plain(xml_text(&title)));
    feed.set_id(format!("{base}{}", search_url(&q, None, 1)));
    feed.set_updated(results.hits.first().map(|h| when(&h.date)).unwrap_or_else(|| when(&None)));
    feed.set_links(vec![
        Link {
            href: format!("{base}{}", search_url(&q, None, 1)),
            rel: "alternate".into(),
            ..Link::default()
        },
        Link {
            href: format!("{base}/feed.atom?q={}", enc(&q)),
            rel: "self".into(),
            ..Link::default()
        },
    ]);
    feed.set_entries(entries);
    Ok(([(header::CONTENT_TYPE, "application/atom+xml; charset=utf-8")], feed.to_string())
        .into_response())
}

/// Text as XML 1.0 may hold it: the control characters it forbids (all below U+0020 but
/// tab, line feed and carriage return, and U+FFFE, U+FFFF) are dropped; a digest may hold
/// them, and one would make the whole feed ill-formed.
fn xml_text(text: &str) -> String {
    let allowed = |c: char| !matches!(c, '\u{0}'..='\u{8}' | '\u{b}' | '\u{c}' | '\u{e}'..='\u{1f}' | '\u{fffe}' | '\u{ffff}');
    text.chars().filter(|&c| allowed(c)).collect()
}

#[cfg(test)]
mod tests {
    #[test]
    fn text_loses_what_xml_forbids() {
        assert_eq!(super::xml_text("a\u{1b}[31mb\u{0}c\td\ne\u{ffff}"), "a[31mbc\td\ne");
    }
}
