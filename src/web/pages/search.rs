//! The search page (`/`, `/search`): results grouped by entry, facets that narrow the
//! query, removable filters, a timeline of matches per month, pagination.

use std::collections::BTreeMap;
use std::sync::Arc;

use askama::Template;
use axum::extract::{RawQuery, State};
use axum::response::Response;

use super::render;
use crate::search::query::{self, Node};
use crate::search::{
    FacetCount, Group, Hit, Matched, Mode, SearchResults, Sort, StoryKind, Suggestion,
};
use crate::web::assets::{AssetUrls, urls};
use crate::web::chart::Chart;
use crate::web::error::{Format, WebError};
use crate::web::params::Params;
use crate::web::state::AppState;
use crate::web::urls::{enc, entry_url, filter, search_url};

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

#[derive(Template)]
#[template(path = "search.html")]
pub struct SearchPage {
    pub assets: &'static AssetUrls,
    pub q: String,
    pub sort: Option<Sort>,
    /// How relevance ranks; kept by every link of the page.
    pub mode: Mode,
    pub results: SearchResults,
    pub active: Vec<Chip>,
    pub topics: Vec<FacetLink>,
    pub sources: Vec<FacetLink>,
    pub tags: Vec<FacetLink>,
    pub years: Vec<FacetLink>,
    pub months: Vec<FacetLink>,
    /// Matches per month.
    pub timeline: Option<Chart>,
    pub previous_url: Option<String>,
    pub next_url: Option<String>,
    pub pages: usize,
    pub suggestions: Vec<(Suggestion, String)>,
}

impl SearchPage {
    /// The current query narrowed by one more filter.
    pub fn add(&self, field: &str, value: &str) -> String {
        let clause = filter(field, value);
        let q = if self.q.contains(&clause) {
            self.q.clone()
        } else {
            format!("{} {clause}", self.q.trim())
        };
        url(&q, self.sort, self.mode, 1)
    }

    /// The current query in another order.
    pub fn sorted(&self, sort: &str) -> String {
        url(&self.q, sort.parse().ok(), self.mode, 1)
    }

    /// The current query ranked in another mode.
    pub fn moded(&self, mode: &str) -> String {
        url(&self.q, self.sort, mode.parse().unwrap_or_default(), 1)
    }

    /// Whether the page ranks in this mode.
    pub fn mode_is(&self, mode: &str) -> bool {
        self.mode.name() == mode
    }

    /// Whether a hit was found by its meaning alone.
    pub fn by_meaning(&self, hit: &Hit) -> bool {
        hit.matched == Matched::Meaning
    }

    /// Whether the results are in this order (asked for, or the query's default).
    pub fn sort_is(&self, sort: &str) -> bool {
        self.results.sort.name() == sort
    }

    pub fn entry_url(&self, entry_id: &str, anchor: &str) -> String {
        entry_url(entry_id, &self.q, anchor)
    }

    /// A story's page: every mention, oldest first.
    pub fn story_url(&self, id: &str) -> String {
        format!("/stories/{}", enc(id))
    }

    /// A count as the page shows it: exact, or an estimate rounded to two significant
    /// digits (`850,000`).
    pub fn shown(&self, n: &usize) -> String {
        if self.results.total_is_estimate { rounded(*n) } else { n.to_string() }
    }

    /// The same search, every match counted.
    pub fn exact_url(&self) -> String {
        format!("{}&exact=true", url(&self.q, self.sort, self.mode, self.results.page))
    }

    /// What the page says above the `i`th entry, when it matches the words otherwise
    /// than the entry above it: its digest has them between its items, or it has some.
    pub fn note_before(&self, i: &usize) -> Option<&'static str> {
        let groups = self.results.groups.as_deref().unwrap_or_default();
        let matched = groups.get(*i)?.matched;
        let above = i.checked_sub(1).and_then(|j| groups.get(j)).map(|g| g.matched);
        match (above, matched) {
            (_, Matched::Item) => None,
            (Some(above), matched) if above == matched => None,
            (Some(Matched::Item), Matched::Entry) => {
                Some("No other item has every word; these digests have them all")
            }
            (_, Matched::Entry) => {
                Some("No single item has every word; these digests have them all")
            }
            (_, Matched::Some) => Some("These have some of the words"),
            // Found by meaning among the others: each hit says so itself.
            (_, Matched::Meaning) => None,
        }
    }

    pub fn first_rank(&self) -> usize {
        (self.results.page - 1) * self.results.per_page + 1
    }
}

/// A search's URL, in `mode` when it is not the default.
fn url(q: &str, sort: Option<Sort>, mode: Mode, page: usize) -> String {
    let url = search_url(q, sort, page);
    if mode == Mode::default() { url } else { format!("{url}&mode={}", mode.name()) }
}

/// An estimated count for reading: two significant digits, thousands separated.
fn rounded(n: usize) -> String {
    let scale = 10usize.pow(n.checked_ilog10().unwrap_or(0).saturating_sub(1));
    let digits = ((n + scale / 2) / scale * scale).to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// The top-level filters of a query, each with the query that remains without it.
fn chips(q: &str, mode: Mode) -> Vec<Chip> {
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
            Chip { label: parts[i].interpreted(), url: url(&rest.join(" "), None, mode, 1) }
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

/// `GET /` and `GET /search`.
pub async fn search(
    State(state): State<Arc<AppState>>,
    RawQuery(raw): RawQuery,
) -> Result<Response, WebError> {
    let params = Params::parse(raw.as_deref());
    let mut request = params.request(Format::Html, Group::Entry)?;
    request.group = Group::Entry;
    let q = request.q.clone();
    let (sort, mode) = (request.sort, request.mode);
    let results =
        state.blocking(move |engine| engine.search(&request)).await.map_err(WebError::page)?;
    let pages = results.total_entries.div_ceil(results.per_page).max(1);
    let mut page = SearchPage {
        assets: urls(),
        q: q.clone(),
        sort,
        mode,
        active: chips(&q, mode),
        previous_url: (results.page > 1).then(|| url(&q, sort, mode, results.page - 1)),
        next_url: (results.page < pages).then(|| url(&q, sort, mode, results.page + 1)),
        pages,
        suggestions: results
            .suggestions
            .iter()
            .map(|s| (s.clone(), url(&s.query, sort, mode, 1)))
            .collect(),
        results,
        topics: vec![],
        sources: vec![],
        tags: vec![],
        years: vec![],
        months: vec![],
        timeline: None,
    };
    page.topics = links(&page.results.facets.topics, "topic", &page);
    page.sources = links(&page.results.facets.sources, "source", &page);
    page.tags = links(&page.results.facets.tags, "tag", &page);
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
    page.timeline =
        Chart::months("matches", &page.results.facets.months, |month| page.add("date", month));
    render(page)
}

#[cfg(test)]
mod tests {
    #[test]
    fn estimates_read_as_two_significant_digits() {
        let cases = [
            (0, "0"),
            (7, "7"),
            (85, "85"),
            (849, "850"),
            (85_137, "85,000"),
            (851_234, "850,000"),
            (1_250_000, "1,300,000"),
        ];
        for (n, want) in cases {
            assert_eq!(super::rounded(n), want);
        }
    }
}
