//! Server-rendered pages: search (`/`, `/search`), entries, topics and sources, and the
//! Atom feed. Every state is a URL; everything works without JavaScript. Templates live
//! in `web/templates` (askama: compiled in, auto-escaped).

use std::collections::BTreeMap;
use std::sync::Arc;

use askama::Template;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, header};
use axum::response::{Html, IntoResponse, Response};
use chrono::NaiveDate;

use super::AppState;
use super::api::{EntryDocument, entry_document};
use super::assets::{AssetUrls, urls};
use super::error::{Format, WebError};
use super::params::Params;
use crate::search::query::{self, Node};
use crate::search::{Facet, FacetCount, Group, SearchResults, Sort, Suggestion};

fn render(page: impl Template) -> Result<Response, WebError> {
    page.render()
        .map(|html| Html(html).into_response())
        .map_err(|e| WebError::internal(Format::Html, e))
}

/// A URL-encoded query-string value.
fn enc(value: &str) -> String {
    url::form_urlencoded::byte_serialize(value.as_bytes()).collect()
}

/// `/search?q=...`, leaving out defaults.
pub fn search_url(q: &str, sort: Option<Sort>, page: usize) -> String {
    let mut url = format!("/search?q={}", enc(q.trim()));
    if let Some(sort) = sort {
        url.push_str(&format!("&sort={}", sort_name(sort)));
    }
    if page > 1 {
        url.push_str(&format!("&page={page}"));
    }
    url
}

fn sort_name(sort: Sort) -> &'static str {
    match sort {
        Sort::Relevance => "relevance",
        Sort::Newest => "newest",
        Sort::Oldest => "oldest",
    }
}

fn quoted(value: &str) -> String {
    if value.contains(|c: char| c.is_whitespace() || c == '(' || c == ')') {
        format!("\"{value}\"")
    } else {
        value.to_string()
    }
}

/// A value with its count and the URL that narrows the search to it.
pub struct FacetLink {
    pub value: String,
    pub count: u64,
    pub url: String,
}

/// An active filter and the URL without it.
pub struct Chip {
    pub label: String,
    pub url: String,
}

/// One bar of the timeline.
pub struct Bar {
    pub x: usize,
    pub y: usize,
    pub width: usize,
    pub slot: usize,
    pub height: usize,
    pub url: String,
    pub label: String,
}

#[derive(Template)]
#[template(path = "search.html")]
pub struct SearchPage {
    pub assets: &'static AssetUrls,
    pub q: String,
    pub sort: Option<Sort>,
    pub results: SearchResults,
    pub active: Vec<Chip>,
    pub topics: Vec<FacetLink>,
    pub sources: Vec<FacetLink>,
    pub years: Vec<FacetLink>,
    pub months: Vec<FacetLink>,
    pub bars: Vec<Bar>,
    pub timeline_width: usize,
    pub previous_url: Option<String>,
    pub next_url: Option<String>,
    pub pages: usize,
    pub suggestions: Vec<(Suggestion, String)>,
}

impl SearchPage {
    /// The current query narrowed by one more filter.
    pub fn add(&self, field: &str, value: &str) -> String {
        let clause = format!("{field}:{}", quoted(value));
        let q = if self.q.contains(&clause) {
            self.q.clone()
        } else {
            format!("{} {clause}", self.q.trim())
        };
        search_url(&q, self.sort, 1)
    }

    /// The current query in another order.
    pub fn sorted(&self, sort: &str) -> String {
        search_url(&self.q, sort.parse().ok(), 1)
    }

    pub fn sort_is(&self, sort: &str) -> bool {
        let browsing = self.q.trim().is_empty();
        let effective = self.sort.unwrap_or(if browsing { Sort::Newest } else { Sort::Relevance });
        sort_name(effective) == sort
    }

    pub fn entry_url(&self, entry_id: &str, anchor: &str) -> String {
        entry_url(entry_id, &self.q, anchor)
    }

    pub fn first_rank(&self) -> usize {
        (self.results.page - 1) * self.results.per_page + 1
    }
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

/// The top-level filters of a query, each with the query that remains without it.
fn chips(q: &str) -> Vec<Chip> {
    let today = chrono::Utc::now().date_naive();
    let Ok(parsed) = query::parse(q, today, &|_| true) else { return vec![] };
    let parts = match parsed.root {
        Some(Node::And(parts)) => parts,
        Some(node) => vec![node],
        None => return vec![],
    };
    let is_filter = |n: &Node| match n {
        Node::Filter(..) | Node::Date(_) => true,
        Node::Not(inner) => matches!(**inner, Node::Filter(..)),
        _ => false,
    };
    (0..parts.len())
        .filter(|&i| is_filter(&parts[i]))
        .map(|i| {
            let rest: Vec<String> = parts
                .iter()
                .enumerate()
                .filter(|(j, _)| *j != i)
                .map(|(_, p)| p.interpreted_grouped())
                .collect();
            Chip { label: parts[i].interpreted(), url: search_url(&rest.join(" "), None, 1) }
        })
        .collect()
}

fn links(values: &[FacetCount], field: &str, page: &SearchPage) -> Vec<FacetLink> {
    values
        .iter()
        .map(|v| FacetLink {
            value: v.value.clone(),
            count: v.count,
            url: page.add(field, &v.value),
        })
        .collect()
}

/// Bars for every month from the first to the last with matches, gaps included.
fn timeline(months: &[FacetCount], page: &SearchPage) -> (Vec<Bar>, usize) {
    let mut counts: BTreeMap<NaiveDate, u64> = BTreeMap::new();
    for m in months {
        if let Ok(d) = NaiveDate::parse_from_str(&format!("{}-01", m.value), "%Y-%m-%d") {
            counts.insert(d, m.count);
        }
    }
    let (Some((&first, _)), Some((&last, _))) = (counts.first_key_value(), counts.last_key_value())
    else {
        return (vec![], 0);
    };
    let max = counts.values().copied().max().unwrap_or(1).max(1);
    let mut month = first;
    let mut all = vec![];
    while month <= last {
        all.push((month, counts.get(&month).copied().unwrap_or(0)));
        month = month.checked_add_months(chrono::Months::new(1)).unwrap_or(NaiveDate::MAX);
    }
    // Bars are 6 to 40 units wide: a few months do not stretch into slabs.
    let slot = (720 / all.len().max(1)).clamp(6, 40);
    let bars = all
        .into_iter()
        .enumerate()
        .map(|(i, (month, count))| {
            let height = if count == 0 { 0 } else { ((count * 56) / max).max(2) as usize };
            let value = month.format("%Y-%m").to_string();
            let label = format!("{value}: {count} items");
            let url = page.add("date", &value);
            Bar { x: i * slot, y: 60 - height, width: slot * 4 / 5, slot, height, url, label }
        })
        .collect::<Vec<_>>();
    let width = bars.len() * slot;
    (bars, width)
}

/// `GET /` and `GET /search`.
pub async fn search(
    State(state): State<Arc<AppState>>,
    RawQuery(raw): RawQuery,
) -> Result<Response, WebError> {
    let params = Params::parse(raw.as_deref());
    let mut request = params.request(Format::Html, Group::Entry)?;
    request.group = Group::Entry;
    let q = request.q.clone();
    let sort = request.sort;
    let results = state
        .blocking(move |engine| engine.search(&request))
        .await
        .map_err(|e| WebError::from_search(Format::Html, e))?;
    let pages = results.total_entries.div_ceil(results.per_page).max(1);
    let mut page = SearchPage {
        assets: urls(),
        q: q.clone(),
        sort,
        active: chips(&q),
        previous_url: (results.page > 1).then(|| search_url(&q, sort, results.page - 1)),
        next_url: (results.page < pages).then(|| search_url(&q, sort, results.page + 1)),
        pages,
        suggestions: results
            .suggestions
            .iter()
            .map(|s| (s.clone(), search_url(&s.query, sort, 1)))
            .collect(),
        results,
        topics: vec![],
        sources: vec![],
        years: vec![],
        months: vec![],
        bars: vec![],
        timeline_width: 0,
    };
    page.topics = links(&page.results.facets.topics, "topic", &page);
    page.sources = links(&page.results.facets.sources, "source", &page);
    let mut by_month = page.results.facets.months.clone();
    by_month.sort_by(|a, b| b.value.cmp(&a.value));
    let mut years: BTreeMap<String, u64> = BTreeMap::new();
    for m in &by_month {
        *years.entry(m.value[..4.min(m.value.len())].to_string()).or_default() += m.count;
    }
    let years: Vec<FacetCount> =
        years.into_iter().rev().map(|(value, count)| FacetCount { value, count }).collect();
    page.years = links(&years, "date", &page);
    page.months = links(&by_month[..by_month.len().min(24)], "date", &page);
    (page.bars, page.timeline_width) = timeline(&page.results.facets.months, &page);
    render(page)
}

#[derive(Template)]
#[template(path = "entry.html")]
pub struct EntryPage {
    pub assets: &'static AssetUrls,
    pub doc: EntryDocument,
    pub q: String,
}

impl EntryPage {
    pub fn search(&self, field: &str, value: &str) -> String {
        search_url(&format!("{field}:{}", quoted(value)), None, 1)
    }

    pub fn entry_url(&self, id: &str) -> String {
        entry_url(id, "", "")
    }

    pub fn back_url(&self) -> String {
        search_url(&self.q, None, 1)
    }
}

/// `GET /entries/{id}`.
pub async fn entry(
    State(state): State<Arc<AppState>>,
    Path(id): Path<String>,
    RawQuery(raw): RawQuery,
) -> Result<Response, WebError> {
    let q = Params::parse(raw.as_deref()).one(Format::Html, "q")?.unwrap_or("").to_string();
    let (lookup, terms) = (id.clone(), q.clone());
    let found = state.blocking(move |engine| entry_document(engine, &lookup, &terms)).await;
    match found.map_err(|e| WebError::from_search(Format::Html, e))? {
        Some(doc) => render(EntryPage { assets: urls(), doc, q }),
        None => {
            Err(WebError::not_found(Format::Html, format!("There is no entry with the id `{id}`.")))
        }
    }
}

#[derive(Template)]
#[template(path = "facets.html")]
pub struct FacetsPage {
    pub assets: &'static AssetUrls,
    pub title: &'static str,
    pub values: Vec<FacetLink>,
}

async fn facet_page(
    state: Arc<AppState>,
    facet: Facet,
    title: &'static str,
    field: &str,
) -> Result<Response, WebError> {
    let values = state
        .blocking(move |engine| engine.facet_values(facet))
        .await
        .map_err(|e| WebError::from_search(Format::Html, e))?;
    let values = values
        .into_iter()
        .map(|v| FacetLink {
            url: search_url(&format!("{field}:{}", quoted(&v.value)), None, 1),
            value: v.value,
            count: v.count,
        })
        .collect();
    render(FacetsPage { assets: urls(), title, values })
}

/// `GET /topics`.
pub async fn topics(State(state): State<Arc<AppState>>) -> Result<Response, WebError> {
    facet_page(state, Facet::Topics, "Topics", "topic").await
}

/// `GET /sources`.
pub async fn sources(State(state): State<Arc<AppState>>) -> Result<Response, WebError> {
    facet_page(state, Facet::Sources, "Sources", "source").await
}

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
    let results = state
        .blocking(move |engine| engine.search(&request))
        .await
        .map_err(|e| WebError::from_search(Format::Json, e))?;
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .filter(|h| !h.is_empty())
        .unwrap_or("localhost");
    let base = format!("http://{host}");
    let when = |date: &Option<String>| -> FixedDateTime {
        let day =
            date.as_deref().and_then(|d| d.parse::<NaiveDate>().ok()).unwrap_or(NaiveDate::MIN);
        day.and_hms_opt(0, 0, 0).unwrap_or_default().and_utc().fixed_offset()
    };
    let entries: Vec<Entry> = results
        .hits
        .iter()
        .map(|hit| {
            let url = format!("{base}{}", entry_url(&hit.entry_id, "", &hit.anchor));
            let mut entry = Entry::default();
            entry.set_title(Text::plain(format!("{} — {}", hit.title, hit.entry_title)));
            entry.set_id(url.clone());
            entry.set_updated(when(&hit.date));
            entry.set_links(vec![Link { href: url, ..Link::default() }]);
            entry.set_summary(Some(Text::html(hit.snippet.clone())));
            entry
        })
        .collect();
    let mut feed = Feed::default();
    let title = if q.trim().is_empty() {
        "archive: newest items".to_string()
    } else {
        format!("archive: {}", q.trim())
    };
    feed.set_title(Text::plain(title));
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

/// Unknown pages.
pub async fn not_found() -> WebError {
    WebError::not_found(Format::Html, "There is no page here.")
}
