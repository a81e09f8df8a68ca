//! Counts over a query's matches (the total, facet values, months, distinct entries),
//! exact up to a limit and estimated past it, so that a query matching most of a large
//! archive costs about what one matching `limit` items costs.
//!
//! A plain pass counts every match and ranks the page as it goes, as long as its matches
//! so far project to no more than a few limits over the whole index. Past that the
//! documents of the index, every segment's one after another, are cut into windows of
//! [`WINDOW`] documents, visited in bit-reversed order: whenever the walk stops, the
//! windows seen are spread evenly over the whole index (and so over its months, its
//! series and its sources, whatever order the files were added in). Rounds double the
//! windows seen; the walk stops after the round in which `limit` matches were counted,
//! and the counts are scaled by the share of documents seen. When an eighth of the index
//! shows that the projection was wrong and there are few matches after all, a plain
//! pass counts them exactly.
//!
//! A phrase of common words makes each match dear (its words' positions are read at
//! every item holding them all): then the plain pass projects sooner and only goes on
//! under the limit, and the sample stops at a quarter of it ([`Limit`]).

use tantivy::collector::{Collector, SegmentCollector};
use tantivy::query::{EnableScoring, Query, Scorer, Weight};
use tantivy::{DocAddress, DocId, DocSet, Searcher, SeekDangerResult, SegmentReader, TERMINATED};

use super::FacetCount;
use super::collectors::{Columns, EntryCount, FacetCollector, MonthCollector};
use super::rank::{Page, Ranked, TopK};
use crate::index::{Counted, field};

/// Values listed per facet.
const FACET_LIMIT: usize = 50;
/// Documents per window: small, so that the hundreds of windows holding `limit` matches
/// of a query that matches most items reach every month of the archive. (An entry that
/// straddles two windows is counted in the one it begins in.)
const WINDOW: u32 = 32;
/// A plain pass looks at where it is after this share of the limit...
const PLAIN_SHARE: usize = 4;
/// ... and goes on when its matches project to less than this many times the limit: up
/// to there one pass that counts and ranks costs less than a sample plus a ranking pass
/// (measured at 100k digests: queries of 20k-50k matches took twice as long sampled).
const PLAIN_PAST: f64 = 6.0;
/// Windows in the first round.
const FIRST_ROUND: usize = 16;

/// How many matches are counted exactly, and what matching them costs.
#[derive(Clone, Copy)]
pub struct Limit {
    /// Matches counted exactly (`None`: every one).
    pub matches: Option<usize>,
    /// Documents whose positions matching the query's phrases may read (see
    /// [`super::query::compile::Compiled::phrase_candidates`]). When there are more of them
    /// than a plain pass may count matches, each match is dear: the pass looks at where
    /// it is four times sooner and is given up as soon as its matches project past the
    /// limit (not [`PLAIN_PAST`] limits), and a sample stops at a [`PLAIN_SHARE`]th of
    /// the limit.
    pub phrase_candidates: u64,
}

/// What is counted over the matches.
type Counters<'a> = (FacetCollector<'a>, MonthCollector<'a>, EntryCount<'a>);

/// Counts over a query's matches.
pub struct Counts {
    /// Matching items.
    pub total: usize,
    /// Topics, sources and entry tags, most frequent first.
    pub facets: [Vec<FacetCount>; 3],
    /// Months, most frequent first.
    pub months: Vec<FacetCount>,
    /// Distinct entries among the matches.
    pub entries: usize,
    /// Whether these were estimated from a sample of the matches.
    pub estimated: bool,
}

/// Counts `query`'s matches and ranks its page in one pass when there are few of them
/// (or `limit.matches` is `None`). Otherwise that pass is given up and the matches are
/// counted again in windows spread evenly over the index until enough were counted, as
/// scaled estimates, through `windowed` (the same matches, read in a way that suits a
/// few documents at a time). No page is returned then: [`super::rank`] finds it without
/// visiting every match. Up to `limit.matches` matches the counts are always exact.
// Long on purpose: the plain pass, the windowed rounds and the three ways out (exact,
// exact after all, estimated) share the counters, the window order and the give-up
// state; read top to bottom they are the decision in the order it is taken.
pub fn count(
    searcher: &Searcher,
    columns: &Columns,
    (query, windowed): (&dyn Query, &dyn Query),
    Limit { matches: limit, phrase_candidates }: Limit,
    page: &Page,
) -> tantivy::Result<(Counts, Option<Ranked>)> {
    let dear = limit.is_some_and(|l| phrase_candidates as f64 > PLAIN_PAST * l as f64);
    let past = if dear { 1.0 } else { PLAIN_PAST };
    let counters: Counters = (
        FacetCollector::new(
            columns,
            vec![
                (Counted::Topic, FACET_LIMIT),
                (Counted::Source, FACET_LIMIT),
                (Counted::Tag, FACET_LIMIT),
            ],
        ),
        MonthCollector(columns),
        EntryCount(columns),
    );
    let segments = searcher.segment_readers();
    let children = || -> tantivy::Result<Vec<<Counters as Collector>::Child>> {
        let each = segments.iter().enumerate();
        each.map(|(ord, segment)| counters.for_segment(ord as u32, segment)).collect()
    };
    let windows = Windows::new(segments);
    // Every match, counted and ranked as it comes; `None` when given up. `bounded`: at a
    // [`PLAIN_SHARE`]th of the limit, the matches so far are projected over the whole
    // index; the pass goes on if that stays under [`PLAIN_PAST`] times the limit (once
    // for dear matches; then up to two limits more than that, in case the documents seen
    // first were sparse), and is given up otherwise: the rest of it would cost more than
    // a sample and a pruned ranking together.
    let plain = |bounded: bool| -> tantivy::Result<Option<(Counts, Ranked)>> {
        let limit = limit.unwrap_or(usize::MAX);
        let weight = query.weight(EnableScoring::enabled_from_searcher(searcher))?;
        let mut counted = children()?;
        let mut top = TopK::new(page);
        let (mut matched, mut before) = (0usize, 0u64);
        // Dear matches are projected sooner: a sample may cost less than these.
        let first_look = if dear { limit / PLAIN_SHARE / 4 } else { limit / PLAIN_SHARE };
        let mut give_up = if bounded { first_look } else { usize::MAX };
        let mut projected_once = false;
        for (ord, segment) in segments.iter().enumerate() {
            let mut scorer = weight.scorer(segment, 1.0)?;
            let days = columns.u64(segment, field::DAY)?;
            let alive = segment.alive_bitset();
            let mut doc = scorer.doc();
            while doc != TERMINATED {
                if alive.is_none_or(|a| a.is_alive(doc)) {
                    matched += 1;
                    if matched > give_up {
                        let seen = (before + u64::from(doc) + 1) as f64;
                        let projected = matched as f64 * windows.docs as f64 / seen;
                        if projected_once || projected >= past * limit as f64 {
                            return Ok(None);
                        }
                        projected_once = true;
                        give_up = limit.saturating_mul(past as usize + 2);
                    }
                    counted[ord].collect(doc, 0.0);
                    let day = days.first(doc).unwrap_or(0);
                    top.push(scorer.score(), day, DocAddress::new(ord as u32, doc));
                }
                doc = scorer.advance();
            }
            before += u64::from(segment.max_doc());
        }
        Ok(Some((harvest(&counters, counted, matched, 1.0)?, top.into_page())))
    };
    let Some(limit) = limit else {
        let (counts, ranked) = plain(false)?.expect("a pass without a limit ends");
        return Ok((counts, Some(ranked)));
    };
    if let Some((counts, ranked)) = plain(true)? {
        return Ok((counts, Some(ranked)));
    }
    // Too many for that: windows, round after round, until `limit` matches (a share of
    // it when they are dear).
    let enough = if dear { limit / PLAIN_SHARE } else { limit };
    let weight = windowed.weight(EnableScoring::disabled_from_searcher(searcher))?;
    let mut sampled = children()?;
    let (mut matched, mut seen_docs) = (0usize, 0u64);
    let mut order = windows.bit_reversed();
    let mut round = FIRST_ROUND;
    loop {
        let mut batch: Vec<usize> = order.by_ref().take(round).collect();
        if batch.is_empty() {
            break;
        }
        batch.sort_unstable();
        let (found, docs) = walk(&*weight, segments, &windows, &batch, &mut sampled)?;
        matched += found;
        seen_docs += docs;
        if matched >= enough {
            break;
        }
        // An eighth of the index seen, and its matches project to not much more than
        // the limit: one plain pass over every match counts (and ranks) them for less
        // than seeking through every window.
        let projected = matched as f64 * windows.docs as f64 / seen_docs as f64;
        if seen_docs * 8 >= windows.docs && projected < past * limit as f64 {
            let (counts, ranked) = plain(false)?.expect("a pass without a limit ends");
            return Ok((counts, Some(ranked)));
        }
        round = round.max(batch.len() * 2);
    }
    let scale = windows.docs as f64 / seen_docs.max(1) as f64;
    // A sample of dear matches that projects under the limit after all: counted exactly.
    if dear && (matched as f64 * scale) < limit as f64 {
        let (counts, ranked) = plain(false)?.expect("a pass without a limit ends");
        return Ok((counts, Some(ranked)));
    }
    Ok((harvest(&counters, sampled, matched, scale)?, None))
}

/// The counts of the children; scaled (and so estimates) when `scale` is above 1.
fn harvest(
    counters: &Counters,
    children: Vec<<Counters as Collector>::Child>,
    matched: usize,
    scale: f64,
) -> tantivy::Result<Counts> {
    let fruits = children.into_iter().map(SegmentCollector::harvest).collect();
    let (facets, months, entries) = counters.merge_fruits(fruits)?;
    let estimated = scale > 1.0;
    let scaled = |n: usize| if estimated { (n as f64 * scale).round() as usize } else { n };
    let scale_all = |values: Vec<FacetCount>| -> Vec<FacetCount> {
        values
            .into_iter()
            .map(|v| FacetCount { count: scaled(v.count as usize).max(1) as u64, ..v })
            .collect()
    };
    let [topics, sources, tags] = <[_; 3]>::try_from(facets).unwrap_or_default();
    Ok(Counts {
        total: scaled(matched),
        facets: [scale_all(topics), scale_all(sources), scale_all(tags)],
        months: scale_all(months),
        entries: if estimated { scaled(entries.begun) } else { entries.distinct },
        estimated,
    })
}

/// Visits the matches in some windows (global indexes, ascending): each segment's
/// windows with one scorer of that segment. Returns the matches counted and the
/// documents the windows hold.
fn walk(
    weight: &dyn Weight,
    segments: &[SegmentReader],
    windows: &Windows,
    batch: &[usize],
    children: &mut [<Counters as Collector>::Child],
) -> tantivy::Result<(usize, u64)> {
    let (mut matched, mut docs) = (0usize, 0u64);
    // The segment's scorer, and the least document it may be asked about next.
    let mut current: Option<(usize, Box<dyn Scorer>, DocId)> = None;
    for &window in batch {
        let (ord, start, end) = windows.get(window);
        docs += u64::from(end - start);
        if current.as_ref().is_none_or(|(o, _, _)| *o != ord) {
            let scorer = weight.scorer(&segments[ord], 1.0)?;
            let first = scorer.doc();
            current = Some((ord, scorer, first));
        }
        let Some((_, scorer, next)) = current.as_mut() else { continue };
        children[ord].2.window(start);
        let alive = segments[ord].alive_bitset();
        // Each document of the window asked in turn, never the first match past it (for
        // a phrase, finding that reads positions the sample does not count). The scorer
        // then only ever answers `seek_danger`, with targets that only grow.
        let mut doc = start.max(*next);
        while doc < end {
            match scorer.seek_danger(doc) {
                SeekDangerResult::Found => {
                    if alive.is_none_or(|a| a.is_alive(doc)) {
                        children[ord].collect(doc, 0.0);
                        matched += 1;
                    }
                    doc += 1;
                }
                SeekDangerResult::SeekLowerBound(bound) => doc = bound,
            }
        }
        *next = doc;
    }
    Ok((matched, docs))
}

/// The windows of an index: the documents of every segment, one after another, cut
/// every [`WINDOW`] documents (a segment's last window may be shorter).
struct Windows {
    /// Per segment: its first window's global index and its documents.
    segments: Vec<(usize, u32)>,
    /// Windows in all.
    count: usize,
    /// Documents in all.
    docs: u64,
}

impl Windows {
    fn new(segments: &[SegmentReader]) -> Windows {
        let mut out = Windows { segments: vec![], count: 0, docs: 0 };
        for segment in segments {
            let max_doc = segment.max_doc();
            out.segments.push((out.count, max_doc));
            out.count += max_doc.div_ceil(WINDOW) as usize;
            out.docs += u64::from(max_doc);
        }
        out
    }

    /// Window `index` as (segment, first document, end).
    fn get(&self, index: usize) -> (usize, u32, u32) {
        let ord = self.segments.partition_point(|&(first, _)| first <= index) - 1;
        let (first, max_doc) = self.segments[ord];
        let start = (index - first) as u32 * WINDOW;
        (ord, start, (start + WINDOW).min(max_doc))
    }

    /// Every window once, in bit-reversed order: any prefix is spread evenly.
    fn bit_reversed(&self) -> impl Iterator<Item = usize> + use<> {
        let count = self.count;
        let bits = count.next_power_of_two().trailing_zeros();
        (0..count.next_power_of_two())
            .map(move |i| if bits == 0 { i } else { i.reverse_bits() >> (usize::BITS - bits) })
            .filter(move |&w| w < count)
    }
}

#[cfg(test)]
mod tests {
    use tantivy::query::QueryParser;
    use tantivy::schema::{FAST, STRING, Schema, TEXT};
    use tantivy::{Index, TantivyDocument, doc};

    use super::{Counts, Limit, Windows, count};
    use crate::index::{Counted, day_number, field};
    use crate::search::collectors::Columns;
    use crate::search::rank::{By, Page};

    /// Entries of 1 to 12 items over three segments, items with words at known rates.
    fn index() -> tantivy::Result<(Index, QueryParser)> {
        let mut builder = Schema::builder();
        let text = builder.add_text_field("text", TEXT);
        builder.add_u64_field(field::DAY, FAST);
        builder.add_text_field(field::ENTRY_ID, STRING | FAST);
        builder.add_text_field(field::COUNTED, STRING | FAST);
        let schema = builder.build();
        let f = |name| schema.get_field(name).unwrap();
        let index = Index::create_in_ram(schema.clone());
        let mut writer = index.writer_with_num_threads::<TantivyDocument>(1, 15_000_000)?;
        let start = chrono::NaiveDate::from_ymd_opt(2023, 1, 1).unwrap();
        for entry in 0..2000u64 {
            let date = start + chrono::Days::new(entry / 3);
            let id = format!("e{entry}");
            writer.add_document(
                doc!(f(field::ENTRY_ID) => id.as_str(), f(field::DAY) => day_number(Some(date))),
            )?;
            for item in 0..(1 + entry * 7 % 12) {
                let words = if (entry + item) % 3 == 0 { "common rare" } else { "common" };
                let topic = if item % 2 == 0 { "even" } else { "odd" };
                writer.add_document(doc!(
                    text => words,
                    f(field::ENTRY_ID) => id.as_str(),
                    f(field::DAY) => day_number(Some(date)),
                    f(field::COUNTED) => Counted::Topic.value(topic),
                ))?;
            }
            if entry % 700 == 699 {
                writer.commit()?;
            }
        }
        writer.commit()?;
        Ok((index.clone(), QueryParser::for_index(&index, vec![text])))
    }

    #[test]
    fn counts_are_exact_up_to_the_limit_and_close_past_it() -> tantivy::Result<()> {
        let (index, parser) = index()?;
        let searcher = index.reader()?.searcher();
        let page = Page { by: By::Score, limit: 10, offset: 0 };
        let columns = Columns::default();
        let counted = |query: &dyn tantivy::query::Query, limit| -> tantivy::Result<Counts> {
            let limit = Limit { matches: limit, phrase_candidates: 0 };
            Ok(count(&searcher, &columns, (query, query), limit, &page)?.0)
        };
        for q in ["common", "rare", "common -rare", "\"common rare\""] {
            let query = parser.parse_query(q)?;
            let want = searcher.search(&*query, &tantivy::collector::Count)?;
            let every = Limit { matches: None, phrase_candidates: 0 };
            let (exact, ranked) = count(&searcher, &columns, (&*query, &*query), every, &page)?;
            assert!(!exact.estimated);
            assert_eq!(exact.total, want, "{q}");
            // Counted one by one: the page is ranked in the same pass.
            assert_eq!(ranked.map(|r| r.len()), Some(10));
            // A limit above the matches: still exact.
            let under = counted(&*query, Some(want + 1))?;
            assert!(!under.estimated);
            assert_eq!((under.total, under.entries), (want, exact.entries), "{q}");
            assert_eq!(under.months, exact.months, "{q}");
            // A tenth of the matches: an estimate, marked, within 10%; no page.
            let tenth = Limit { matches: Some(want / 10), phrase_candidates: 0 };
            let (sampled, ranked) = count(&searcher, &columns, (&*query, &*query), tenth, &page)?;
            assert!(sampled.estimated, "{q}");
            assert!(ranked.is_none());
            let off = |a: usize, b: usize| (a as f64 - b as f64).abs() / b as f64;
            assert!(off(sampled.total, want) < 0.1, "{q}: {} for {want}", sampled.total);
            assert!(
                off(sampled.entries, exact.entries) < 0.1,
                "{q}: {} entries for {}",
                sampled.entries,
                exact.entries
            );
            let topic = |c: &Counts| {
                c.facets[0]
                    .iter()
                    .find(|v| v.value == "even")
                    .map(|v| v.count as usize)
                    .unwrap_or(0)
            };
            assert!(off(topic(&sampled), topic(&exact)) < 0.15, "{q}");
            // Most months still have a count.
            assert!(sampled.months.len() * 10 >= exact.months.len() * 8, "{q}");
            // Dear matches (a phrase of common words): a smaller sample, still marked and
            // close; exact under the limit.
            let dear = Limit { matches: Some(want / 10), phrase_candidates: u64::MAX };
            let (sampled, _) = count(&searcher, &columns, (&*query, &*query), dear, &page)?;
            assert!(sampled.estimated, "{q}");
            assert!(off(sampled.total, want) < 0.1, "{q}: {} for {want}", sampled.total);
            let dear = Limit { matches: Some(want + 1), ..dear };
            let (under, ranked) = count(&searcher, &columns, (&*query, &*query), dear, &page)?;
            assert!(!under.estimated, "{q}");
            assert_eq!(under.total, want, "{q}");
            assert_eq!(ranked.map(|r| r.len()), Some(10));
        }
        Ok(())
    }

    #[test]
    fn bit_reversed_windows_visit_each_window_once() -> tantivy::Result<()> {
        let (index, _) = index()?;
        let searcher = index.reader()?.searcher();
        let windows = Windows::new(searcher.segment_readers());
        let mut seen: Vec<usize> = windows.bit_reversed().collect();
        // The first half of the order is every second window.
        assert!(windows.count > 8);
        assert!(seen[..windows.count.div_ceil(2)].iter().all(|w| w % 2 == 0));
        seen.sort_unstable();
        assert_eq!(seen, (0..windows.count).collect::<Vec<_>>());
        let docs: u64 =
            (0..windows.count).map(|w| windows.get(w)).map(|(_, s, e)| u64::from(e - s)).sum();
        assert_eq!(docs, windows.docs);
        Ok(())
    }
}
