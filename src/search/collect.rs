//! A query's matches -> the counts (the total, facets, months, entries: exact up to a
//! limit, with the page ranked in the same pass; estimated past it, [`count`]) and the
//! page's best items ([`rank`], when the counts were estimated); and the fallback when
//! fewer items than a page have every word: the words become optional, and after the
//! items that have them all come the digests that have them all across their items
//! ([`spread`]), then the items that have some.

use std::collections::{HashMap, HashSet};

use tantivy::{DocAddress, Order, Searcher};

use super::collectors::group_by_entry;
use super::count::{self, Counts, Limit};
use super::meaning::{self, Allowed, FUSION_DEPTH};
use super::query::Parsed;
use super::query::compile::{self, Compiled, MATCHED_WORD, Scope, Spread};
use super::rank::{self, By, Page, Ranked};
use super::spread;
use super::{Facets, Group, Matched, Mode, SearchRequest, Sort};
use crate::digest::meaning::{self as model, Vector};

/// Items scanned to build entry groups.
const GROUP_SCAN: usize = 2000;
/// A page of one hit per story ranks this many times its hits (and at most
/// [`GROUP_SCAN`]): room for repeats to fold into the stories above them.
const STORY_SCAN: usize = 2;

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
    /// How the ranked items match, when some do not hold every word (the others do).
    pub matched: HashMap<DocAddress, Matched>,
}

/// Compiles the query, counts its matches and ranks the page. When fewer items than a
/// page (fewer entries, for a page of entries) have every word, the words become
/// optional: items with every word still rank first, then the digests with every word
/// across their items, then items with more of them before those with fewer; the
/// returned warning tells the reader.
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
    // A hybrid search ranks the words' best and the meaning's nearest, fused, and pages
    // over the fusion.
    let meaning = match (by, request.mode) {
        (By::Score, Mode::Hybrid) => query_vector(parsed),
        _ => None,
    };
    let page = match meaning {
        Some(_) => Page { by, limit: (offset + limit).max(FUSION_DEPTH), offset: 0 },
        None => Page { by, limit, offset },
    };
    let counting = |compiled: &Compiled| Limit {
        matches: (!request.exact).then_some(request.count_limit),
        phrase_candidates: compiled.phrase_candidates,
    };
    let mut compiled = compile::compile(scope, parsed, request, false);
    let (mut counts, mut ranked) =
        count::count(searcher, scope.columns, compiled.both(), counting(&compiled), &page)?;
    let mut warning = None;
    let mut matched = HashMap::new();
    // In a relaxed query, what an item with every word scores at least.
    let mut every_word = None;
    let found = match request.group {
        Group::Item => counts.total,
        Group::Entry | Group::Story => counts.entries,
    };
    if found < request.per_page && compile::relaxable(&parsed.root) {
        let relaxed = compile::compile(scope, parsed, request, true);
        let again =
            count::count(searcher, scope.columns, relaxed.both(), counting(&relaxed), &page)?;
        if again.0.total > counts.total {
            let words =
                parsed.root.as_ref().map(|r| r.positive_words().join(", ")).unwrap_or_default();
            let exact = counts.total;
            (compiled, (counts, ranked)) = (relaxed, again);
            every_word = Some(compiled.spread.as_ref().map_or(f32::INFINITY, Spread::every_word));
            if let (By::Score, Some(spread)) = (by, &compiled.spread) {
                let (all, between) = with_spread(searcher, scope, &compiled, spread, &page)?;
                ranked = Some(all.into_iter().skip(page.offset).take(page.limit).collect());
                matched = between;
            }
            let next = match matched.values().any(|m| *m == Matched::Entry) {
                true => {
                    "next come the digests that contain them all across their items, then items"
                }
                false => "also showing items",
            };
            warning = Some(format!(
                "only {exact} item(s) contain every word; {next} that contain some of them (not required: {words})"
            ));
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
    // On a relaxed page, an item without every word that no digest stands for has some.
    if let Some(every_word) = every_word {
        for &(_, address) in ranked.iter().filter(|(score, _)| *score < every_word) {
            matched.entry(address).or_insert(Matched::Some);
        }
    }
    let Counts { mut total, facets: [topics, sources, tags], months, mut entries, estimated } =
        counts;
    let ranked = match meaning {
        Some(vector) => {
            let (fused, only, more_entries) =
                with_meaning(searcher, scope, parsed, request, vector, &ranked)?;
            total += only.len();
            entries += more_entries;
            matched.extend(only.into_iter().map(|at| (at, Matched::Meaning)));
            fused.into_iter().skip(offset).take(limit).collect()
        }
        None => ranked,
    };
    let facets = Facets { topics, sources: scope.names.merge(sources), tags, months };
    let found = Found { ranked, total, facets, total_entries: entries, estimated, matched };
    Ok((compiled, found, warning))
}

/// The words' best items fused with the items nearest the query's meaning among those
/// its filters allow ([`FUSION_DEPTH`] of each, or the page's end), the items only the
/// meaning found, and how many entries they add to those of the words' best.
fn with_meaning(
    searcher: &Searcher,
    scope: &Scope,
    parsed: &Parsed,
    request: &SearchRequest,
    vector: Vector,
    by_words: &Ranked,
) -> tantivy::Result<(Ranked, HashSet<DocAddress>, usize)> {
    // The words' best item says what the words are about better than they do.
    let best = match by_words.first() {
        Some(&(_, at)) => scope.vectors.of(searcher, scope.columns, at)?,
        None => None,
    };
    let vector = best.map_or(vector, |best| vector.plus(&best));
    let filters = compile::without_words(scope, parsed, request);
    let allowed = match &filters {
        Some(query) => Allowed::Matching(&**query),
        None => Allowed::Every { but: (!scope.drafts).then(|| scope.f.draft_term()) },
    };
    let depth = (request.offset() + request.per_page).max(FUSION_DEPTH);
    let (columns, vectors) = (scope.columns, scope.vectors);
    let near =
        meaning::nearest(searcher, columns, vectors, allowed, &vector, depth, meaning::MIN_COSINE)?;
    let (fused, only) = meaning::fuse(by_words, &near, meaning::MEANING_WEIGHT);
    let known: HashSet<String> =
        group_by_entry(searcher, columns, by_words)?.into_iter().map(|(id, _)| id).collect();
    let new: Ranked = near.into_iter().filter(|(_, at)| only.contains(at)).collect();
    let more_entries = group_by_entry(searcher, columns, &new)?
        .into_iter()
        .filter(|(id, _)| !known.contains(id))
        .count();
    Ok((fused, only, more_entries))
}

/// The vector of a query's words, when the model reads them (English, no CJK).
fn query_vector(parsed: &Parsed) -> Option<Vector> {
    let words = parsed.root.as_ref()?.positive_words().join(" ");
    if words.is_empty() || !model::reads_query(&words) {
        return None;
    }
    model::embed(&words)
}

/// A relaxed query's best `offset + limit` items in the order of the page: the items
/// with every word, the best items of the digests with every word (each digest's
/// together), then the rest; and the digests' items, as matched by their entry.
fn with_spread(
    searcher: &Searcher,
    scope: &Scope,
    compiled: &Compiled,
    spread: &Spread,
    page: &Page,
) -> tantivy::Result<(Ranked, HashMap<DocAddress, Matched>)> {
    let need = page.offset + page.limit;
    let whole = Page { by: By::Score, limit: need, offset: 0 };
    let hidden = compiled.hidden.as_deref();
    let all = rank::by_score(searcher, scope.columns, &*compiled.scored, hidden, &whole)?;
    let exact = all.iter().take_while(|(score, _)| *score >= spread.every_word()).count();
    let mut ranked = all[..exact].to_vec();
    let left_out: HashSet<String> =
        group_by_entry(searcher, scope.columns, &ranked)?.into_iter().map(|(id, _)| id).collect();
    let entries =
        spread::entries(searcher, scope.columns, scope.f.entry_id, &spread.words, &left_out, need)?;
    let mut between = HashMap::new();
    // Scored as in the relaxed query: each holds (at least) one word.
    for (score, address) in entries.into_iter().flatten() {
        if between.insert(address, Matched::Entry).is_none() {
            ranked.push((MATCHED_WORD + score, address));
        }
    }
    ranked.extend(all[exact..].iter().filter(|(_, address)| !between.contains_key(address)));
    ranked.truncate(need);
    Ok((ranked, between))
}
