//! One pass over a query's matches: the ranked page (or the scan a grouped page is cut
//! from), the total, facet counts and distinct entries; and the fallback that makes the
//! words optional when only a handful of items have every one of them.

use tantivy::collector::sort_key::{SortBySimilarityScore, SortByStaticFastValue};
use tantivy::collector::{Count, TopDocs};
use tantivy::query::Query;
use tantivy::{DocAddress, Order, Searcher};

use super::collectors::{EntryCount, FacetCollector, MonthCollector};
use super::compile::{self, Compiled, Scope};
use super::names::SourceNames;
use super::query::Parsed;
use super::{Facets, Group, SearchRequest, Sort};
use crate::index::field;

/// Values listed per facet.
const FACET_LIMIT: usize = 50;
/// Items scanned to build entry groups.
const GROUP_SCAN: usize = 2000;
/// Below this many items with every word, the words become optional.
const FALLBACK_BELOW: usize = 3;

/// What one pass over the matches collects.
pub struct Found {
    /// The page's items, or for a grouped page the best [`GROUP_SCAN`].
    pub ranked: Vec<(f32, DocAddress)>,
    /// Matching items.
    pub total: usize,
    /// Counts over every match.
    pub facets: Facets,
    /// Distinct entries among the matches.
    pub total_entries: usize,
}

/// Compiles and runs the query. When only a handful of items have every word, the
/// words become optional: items with more of them still rank first, and the returned
/// warning tells the reader.
pub fn matches(
    searcher: &Searcher,
    scope: &Scope,
    parsed: &Parsed,
    request: &SearchRequest,
    sort: Sort,
) -> tantivy::Result<(Compiled, Found, Option<String>)> {
    let compiled = compile::compile(scope, parsed, request, false);
    let found = collect(searcher, &*compiled.query, request, sort, scope.names)?;
    if found.total < FALLBACK_BELOW && compile::relaxable(&parsed.root) {
        let relaxed = compile::compile(scope, parsed, request, true);
        let again = collect(searcher, &*relaxed.query, request, sort, scope.names)?;
        if again.total > found.total {
            let words =
                parsed.root.as_ref().map(|r| r.positive_words().join(", ")).unwrap_or_default();
            let warning = format!(
                "only {} item(s) contain every word; also showing items that contain some of them (not required: {words})",
                found.total
            );
            return Ok((relaxed, again, Some(warning)));
        }
    }
    Ok((compiled, found, None))
}

/// Runs a query once: the ranked page (or the scan for grouping), the total, facet
/// counts and distinct entries, in one pass over the matches.
fn collect(
    searcher: &Searcher,
    query: &dyn Query,
    request: &SearchRequest,
    sort: Sort,
    names: &SourceNames,
) -> tantivy::Result<Found> {
    // Grouped pages scan the best items once and page over their entries.
    let (limit, offset) = match request.group {
        Group::Item => (request.per_page, request.offset()),
        Group::Entry => (GROUP_SCAN, 0),
    };
    let top = TopDocs::with_limit(limit).and_offset(offset);
    let by_date = || SortByStaticFastValue::<u64>::for_field(field::DAY);
    let collectors = (
        Count,
        FacetCollector::new(vec![
            (field::TOPICS, FACET_LIMIT),
            (field::SOURCES, FACET_LIMIT),
            (field::TAGS, FACET_LIMIT),
        ]),
        MonthCollector,
        EntryCount,
    );
    let (ranked, (total, counts, months, total_entries)): (Vec<(f32, DocAddress)>, _) = match sort {
        Sort::Relevance => {
            let top =
                top.order_by(((SortBySimilarityScore, Order::Desc), (by_date(), Order::Desc)));
            let (docs, rest) = searcher.search(query, &(top, collectors))?;
            (docs.into_iter().map(|((score, _), addr)| (score, addr)).collect(), rest)
        }
        Sort::Newest | Sort::Oldest => {
            let order = if sort == Sort::Newest { Order::Desc } else { Order::Asc };
            let top = top.order_by(((by_date(), order), (SortBySimilarityScore, Order::Desc)));
            let (docs, rest) = searcher.search(query, &(top, collectors))?;
            (docs.into_iter().map(|((_, score), addr)| (score, addr)).collect(), rest)
        }
    };
    let [topics, sources, tags] = <[_; 3]>::try_from(counts).unwrap_or_default();
    let facets = Facets { topics, sources: names.merge(sources), tags, months };
    Ok(Found { ranked, total, facets, total_entries })
}
