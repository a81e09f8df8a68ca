//! A query's matches -> the counts (the total, facets, months, entries: exact up to a
//! limit, with the page ranked in the same pass; estimated past it, [`count`]) and the
//! page's best items ([`rank`], when the counts were estimated); and the fallback that makes the words optional when only a handful of items
//! have every one of them.

use tantivy::{DocAddress, Order, Searcher};

use super::count::{self, Counts, Limit};
use super::query::Parsed;
use super::query::compile::{self, Compiled, Scope};
use super::rank::{self, By, Page};
use super::{Facets, Group, SearchRequest, Sort};

/// Items scanned to build entry groups.
const GROUP_SCAN: usize = 2000;
/// A page of one hit per story ranks this many times its hits (and at most
/// [`GROUP_SCAN`]): room for repeats to fold into the stories above them.
const STORY_SCAN: usize = 2;
/// Below this many items with every word, the words become optional.
const FALLBACK_BELOW: usize = 3;

/// What one search finds.
pub struct Found {
    /// The page's items, or for a grouped page the best [`GROUP_SCAN`] (for one hit
    /// per story, [`STORY_SCAN`] times the items up to the page's end).
    pub ranked: Vec<(f32, DocAddress)>,
    /// Matching items.
    pub total: usize,
    /// Counts over every match.
    pub facets: Facets,
    /// Distinct entries among the matches.
    pub total_entries: usize,
    /// Whether the total, the entries and the facet counts are estimates.
    pub estimated: bool,
}

/// Compiles the query, counts its matches and ranks the page. When only a handful of
/// items have every word, the words become optional: items with more of them still
/// rank first, and the returned warning tells the reader.
pub fn matches(
    searcher: &Searcher,
    scope: &Scope,
    parsed: &Parsed,
    request: &SearchRequest,
    sort: Sort,
) -> tantivy::Result<(Compiled, Found, Option<String>)> {
    // Grouped pages rank the best items once and page over their entries.
    let (limit, offset) = match request.group {
        Group::Item => (request.per_page, request.offset()),
        Group::Entry => (GROUP_SCAN, 0),
        Group::Story => {
            let end = request.offset() + request.per_page;
            ((end * STORY_SCAN).min(GROUP_SCAN).max(end), 0)
        }
    };
    // Without words every score is the same: the newest come first.
    let by = match sort {
        Sort::Relevance if parsed.has_words() => By::Score,
        Sort::Relevance | Sort::Newest => By::Date(Order::Desc),
        Sort::Oldest => By::Date(Order::Asc),
    };
    let page = Page { by, limit, offset };
    let limit = |compiled: &Compiled| Limit {
        matches: (!request.exact).then_some(request.count_limit),
        phrase_candidates: compiled.phrase_candidates,
    };
    let mut compiled = compile::compile(scope, parsed, request, false);
    let (mut counts, mut ranked) =
        count::count(searcher, scope.columns, compiled.both(), limit(&compiled), &page)?;
    let mut warning = None;
    if counts.total < FALLBACK_BELOW && compile::relaxable(&parsed.root) {
        let relaxed = compile::compile(scope, parsed, request, true);
        let again = count::count(searcher, scope.columns, relaxed.both(), limit(&relaxed), &page)?;
        if again.0.total > counts.total {
            let words =
                parsed.root.as_ref().map(|r| r.positive_words().join(", ")).unwrap_or_default();
            warning = Some(format!(
                "only {} item(s) contain every word; also showing items that contain some of them (not required: {words})",
                counts.total
            ));
            (compiled, (counts, ranked)) = (relaxed, again);
        }
    }
    // Counted from a sample: the page is found on its own.
    let ranked = match (ranked, by) {
        (Some(ranked), _) => ranked,
        (None, By::Score) => rank::by_score(
            searcher,
            scope.columns,
            &*compiled.scored,
            compiled.hidden.as_deref(),
            &page,
        )?,
        // The counting's windows gathered the query's date ranges: ranking reads them too.
        (None, By::Date(order)) => rank::by_date(
            searcher,
            (scope.f.day, (!compiled.dated()).then_some(scope.f.date)),
            compiled.windowed(),
            (order, &page),
            (&counts.months, counts.total),
        )?,
    };
    let Counts { total, facets: [topics, sources, tags], months, entries, estimated } = counts;
    let facets = Facets { topics, sources: scope.names.merge(sources), tags, months };
    Ok((compiled, Found { ranked, total, facets, total_entries: entries, estimated }, warning))
}
