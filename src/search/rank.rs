//! A query's matches -> the best of them for one page, without a pass over every match
//! where the order allows it. ([`super::count`] ranks the page itself when it visits
//! every match anyway.)
//!
//! - By score: Tantivy's pruning (`Weight::for_each_pruning`). A word, an AND of words or
//!   an OR of words is ranked by block-max WAND, which skips every block of postings
//!   whose best score cannot reach the page; a phrase by its rarest word's blocks
//!   ([`super::queries::phrase`]); other queries are scored in full.
//! - By date: only the months at the wanted end that hold the page (the month counts say
//!   which), widened to every match when they hold too few.

use std::cmp::{Ordering, Reverse};
use std::collections::BinaryHeap;
use std::ops::Bound;

use chrono::{Months, NaiveDate};
use tantivy::collector::TopDocs;
use tantivy::collector::sort_key::{SortBySimilarityScore, SortByStaticFastValue};
use tantivy::query::{BooleanQuery, EnableScoring, Occur, Query, RangeQuery};
use tantivy::schema::Field;
use tantivy::{DocAddress, DocSet, Order, Score, Searcher, Term};

use super::FacetCount;
use super::collectors::Columns;
use crate::index::{day_number, field, to_datetime};

/// Matches a date-ordered page wants in its months before they are searched alone.
const DATE_WINDOW_MARGIN: usize = 2;

/// Ranked matches (score, address), best first.
pub type Ranked = Vec<(Score, DocAddress)>;

/// What a page shows of the matches: in which order, how many, after how many.
pub struct Page {
    /// By score (ties: the newer first), or by date (ties: the better score first).
    pub by: By,
    pub limit: usize,
    pub offset: usize,
}

/// The order of a page.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum By {
    Score,
    Date(Order),
}

/// The best `offset + limit` matches of those pushed.
pub struct TopK<'a> {
    page: &'a Page,
    heap: BinaryHeap<Reverse<Keyed>>,
}

/// A match and what it is ranked by (greater first; ties: the earlier address first).
struct Keyed {
    key: (f64, f64),
    score: Score,
    address: DocAddress,
}

impl PartialEq for Keyed {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for Keyed {}

impl PartialOrd for Keyed {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Keyed {
    fn cmp(&self, other: &Self) -> Ordering {
        (self.key.0.total_cmp(&other.key.0))
            .then(self.key.1.total_cmp(&other.key.1))
            .then_with(|| other.address.cmp(&self.address))
    }
}

impl<'a> TopK<'a> {
    pub fn new(page: &'a Page) -> TopK<'a> {
        TopK { page, heap: BinaryHeap::with_capacity(page.limit + page.offset + 1) }
    }

    /// Offers a match with its score and day number.
    pub fn push(&mut self, score: Score, day: u64, address: DocAddress) {
        let day = day as f64;
        let key = match self.page.by {
            By::Score => (f64::from(score), day),
            By::Date(Order::Desc) => (day, f64::from(score)),
            // Undated (day 0) first, as the oldest.
            By::Date(Order::Asc) => (-day, f64::from(score)),
        };
        let keyed = Keyed { key, score, address };
        if self.heap.len() == self.page.limit + self.page.offset {
            // Full: only a better match gets in (most do not, and cost one comparison).
            match self.heap.peek() {
                Some(Reverse(least)) if keyed > *least => self.heap.pop(),
                _ => return,
            };
        }
        self.heap.push(Reverse(keyed));
    }

    /// By score: what a match must score above to enter the page.
    fn threshold(&self) -> Score {
        match self.heap.peek() {
            Some(Reverse(least)) if self.heap.len() >= self.page.limit + self.page.offset => {
                least.score
            }
            _ => Score::MIN,
        }
    }

    /// The page, best first.
    pub fn into_page(self) -> Ranked {
        let sorted = self.heap.into_sorted_vec();
        sorted.into_iter().skip(self.page.offset).map(|Reverse(k)| (k.score, k.address)).collect()
    }
}

/// The page by score (then the newer first). `hidden` (drafts, exclusions) are passed
/// over as they come rather than excluded in the query, which keeps a query of words
/// one that Tantivy can prune.
pub fn by_score(
    searcher: &Searcher,
    columns: &Columns,
    query: &dyn Query,
    hidden: Option<&dyn Query>,
    page: &Page,
) -> tantivy::Result<Ranked> {
    let weight = query.weight(EnableScoring::enabled_from_searcher(searcher))?;
    let hidden = hidden.map(|q| q.weight(EnableScoring::disabled_from_searcher(searcher)));
    let hidden = hidden.transpose()?;
    let mut top = TopK::new(page);
    for (ord, segment) in searcher.segment_readers().iter().enumerate() {
        let mut skip = hidden.as_ref().map(|w| w.scorer(segment, 1.0)).transpose()?;
        let days = columns.u64(segment, field::DAY)?;
        let alive = segment.alive_bitset();
        let mut threshold = top.threshold();
        // Matches come in the order of their documents, so `skip` only moves forward.
        weight.for_each_pruning(threshold, segment, &mut |doc, score| {
            let hidden = skip
                .as_mut()
                .is_some_and(|s| s.doc() == doc || s.doc() < doc && s.seek(doc) == doc);
            if hidden || alive.is_some_and(|a| a.is_deleted(doc)) {
                return threshold;
            }
            top.push(score, days.first(doc).unwrap_or(0), DocAddress::new(ord as u32, doc));
            threshold = top.threshold();
            threshold
        })?;
    }
    Ok(top.into_page())
}

/// The page by date (`order`), then by score. `months` and `total` (exact or estimated
/// counts of the matches) tell how far back (or forward) the page can reach: those
/// months are searched first, and every match only when they hold fewer than the page.
///
/// The newest months are read through the items' date terms (`date`, given when the
/// query has no date range of its own): the postings of their days and every day
/// after are few, and lead the intersection with the query. Otherwise (the days after
/// may be most of the index, or undated matches are wanted, which have no date term:
/// day 0) the months are read from the `day` column.
pub fn by_date(
    searcher: &Searcher,
    (day, date): (Field, Option<Field>),
    query: &dyn Query,
    (order, page): (Order, &Page),
    (months, total): (&[FacetCount], usize),
) -> tantivy::Result<Ranked> {
    let top = |query: &dyn Query| {
        let by_date = SortByStaticFastValue::<u64>::for_field(field::DAY);
        let top = TopDocs::with_limit(page.limit)
            .and_offset(page.offset)
            .order_by(((by_date, order), (SortBySimilarityScore, Order::Desc)));
        let docs = searcher.search(query, &top)?;
        Ok::<_, tantivy::TantivyError>(
            docs.into_iter().map(|((_, score), address)| (score, address)).collect::<Vec<_>>(),
        )
    };
    if let Some((from, to)) = window(months, total, order, page.limit + page.offset) {
        let range = match (from, to, date) {
            (Bound::Included(first), Bound::Unbounded, Some(date)) => RangeQuery::new(
                Bound::Included(Term::from_field_date(date, to_datetime(first))),
                Bound::Unbounded,
            ),
            _ => {
                let term =
                    |b: Bound<NaiveDate>| b.map(|d| Term::from_field_u64(day, day_number(Some(d))));
                RangeQuery::new(term(from), term(to))
            }
        };
        let windowed = BooleanQuery::new(vec![
            (Occur::Must, query.box_clone()),
            (Occur::Must, Box::new(range)),
        ]);
        let found = top(&windowed)?;
        // Everything outside the window sorts after everything in it: a full window
        // holds the page exactly.
        if found.len() == page.limit {
            return Ok(found);
        }
    }
    top(query)
}

/// The days whose months, at the wanted end, first hold [`DATE_WINDOW_MARGIN`] times
/// `wanted` matches: from a month's first day on (newest first), or up to a month's end
/// (oldest first, undated matches included, as they sort first). `None` when that would
/// be most of the matches anyway.
fn window(
    months: &[FacetCount],
    total: usize,
    order: Order,
    wanted: usize,
) -> Option<(Bound<NaiveDate>, Bound<NaiveDate>)> {
    let want = (wanted * DATE_WINDOW_MARGIN) as u64;
    if total as u64 <= want * 2 {
        return None;
    }
    let mut by_month: Vec<(NaiveDate, u64)> = months
        .iter()
        .filter_map(|m| {
            let first = NaiveDate::parse_from_str(&format!("{}-01", m.value), "%Y-%m-%d");
            first.ok().map(|d| (d, m.count))
        })
        .collect();
    by_month.sort_unstable();
    let dated: u64 = by_month.iter().map(|&(_, n)| n).sum();
    if order == Order::Desc {
        let mut held = 0;
        let (first, _) = by_month.iter().rev().find(|&&(_, n)| {
            held += n;
            held >= want
        })?;
        Some((Bound::Included(*first), Bound::Unbounded))
    } else {
        let mut held = (total as u64).saturating_sub(dated);
        let (first, _) = by_month.iter().find(|&&(_, n)| {
            held += n;
            held >= want
        })?;
        let next = first.checked_add_months(Months::new(1))?;
        Some((Bound::Unbounded, Bound::Excluded(next)))
    }
}

#[cfg(test)]
mod tests {
    use chrono::NaiveDate;
    use tantivy::collector::TopDocs;
    use tantivy::collector::sort_key::{SortBySimilarityScore, SortByStaticFastValue};
    use tantivy::query::QueryParser;
    use tantivy::schema::{FAST, INDEXED, Schema, TEXT};
    use tantivy::{DocAddress, Index, Order, Searcher, TantivyDocument, doc};

    use super::{By, Page, by_date, by_score};
    use crate::index::{day_number, field, to_datetime};
    use crate::search::FacetCount;
    use crate::search::collectors::{Columns, MonthCollector};

    /// Three segments of items over four years, some undated; words at known rates.
    fn index() -> tantivy::Result<(Index, QueryParser)> {
        let mut builder = Schema::builder();
        let text = builder.add_text_field("text", TEXT);
        let day = builder.add_u64_field(field::DAY, FAST);
        // As in the index: dated items have a date term, undated ones none.
        let date_field = builder.add_date_field("date", INDEXED);
        let index = Index::create_in_ram(builder.build());
        let mut writer = index.writer_with_num_threads::<TantivyDocument>(1, 15_000_000)?;
        let start = NaiveDate::from_ymd_opt(2022, 1, 1).unwrap();
        for n in 0..3000u64 {
            let words = match n % 7 {
                0 => "common rare rare",
                1 | 2 => "common word",
                3 => "common common common other",
                _ => "filler",
            };
            let date = (n % 11 != 0).then(|| start + chrono::Days::new((n * 7919) % 1460));
            let mut doc = doc!(text => words, day => day_number(date));
            if let Some(date) = date {
                doc.add_date(date_field, to_datetime(date));
            }
            writer.add_document(doc)?;
            if n % 1000 == 999 {
                writer.commit()?;
            }
        }
        Ok((index.clone(), QueryParser::for_index(&index, vec![text])))
    }

    fn days(searcher: &Searcher, addresses: &[DocAddress]) -> Vec<u64> {
        let column = |a: &DocAddress| {
            searcher.segment_reader(a.segment_ord).fast_fields().u64(field::DAY).unwrap()
        };
        addresses.iter().map(|a| column(a).first(a.doc_id).unwrap_or(0)).collect()
    }

    #[test]
    fn pages_by_date_are_those_of_a_full_sort() -> tantivy::Result<()> {
        let (index, parser) = index()?;
        let searcher = index.reader()?.searcher();
        let day = index.schema().get_field(field::DAY)?;
        let date = index.schema().get_field("date")?;
        let query = parser.parse_query("common")?;
        let total = searcher.search(&*query, &tantivy::collector::Count)?;
        let months: Vec<FacetCount> =
            searcher.search(&*query, &MonthCollector(&Columns::default()))?;
        for order in [Order::Desc, Order::Asc] {
            for (limit, offset) in [(10, 0), (10, 40), (100, 0), (1, 1500)] {
                let page = Page { by: By::Date(order), limit, offset };
                let by_day = SortByStaticFastValue::<u64>::for_field(field::DAY);
                let sort = ((by_day, order), (SortBySimilarityScore, Order::Desc));
                let top = TopDocs::with_limit(limit).and_offset(offset).order_by(sort);
                let want = searcher.search(&*query, &top)?;
                let want: Vec<_> = want.iter().map(|(_, a)| *a).collect();
                // The months read through the date terms, or from the column.
                for date in [Some(date), None] {
                    let got =
                        by_date(&searcher, (day, date), &*query, (order, &page), (&months, total))?;
                    let got: Vec<_> = got.iter().map(|(_, a)| *a).collect();
                    assert_eq!(
                        days(&searcher, &got),
                        days(&searcher, &want),
                        "{order:?} {limit} {offset} {date:?}"
                    );
                }
            }
        }
        Ok(())
    }

    #[test]
    fn pruned_pages_by_score_are_those_of_a_full_scoring() -> tantivy::Result<()> {
        let (index, parser) = index()?;
        let searcher = index.reader()?.searcher();
        let hidden = parser.parse_query("other")?;
        for q in ["common", "+common +rare", "rare word", "common -rare"] {
            let query = parser.parse_query(q)?;
            let all = searcher.search(&*query, &TopDocs::with_limit(5000).order_by_score())?;
            let scores: Vec<f32> = all.iter().map(|(s, _)| *s).collect();
            for (limit, offset) in [(10, 0), (7, 20)] {
                let page = Page { by: By::Score, limit, offset };
                let got = by_score(&searcher, &Columns::default(), &*query, None, &page)?;
                let got: Vec<f32> = got.iter().map(|(s, _)| *s).collect();
                assert_eq!(got, scores[offset..offset + limit], "{q}");
            }
            // Hidden documents are passed over.
            let page = Page { by: By::Score, limit: 50, offset: 0 };
            let got = by_score(&searcher, &Columns::default(), &*query, Some(&*hidden), &page)?;
            let hidden_docs = searcher.search(&*hidden, &tantivy::collector::DocSetCollector)?;
            assert_eq!(got.len(), 50);
            assert!(got.iter().all(|(_, a)| !hidden_docs.contains(a)), "{q}");
        }
        // An exclusion passed over as it comes ranks as the query that excludes it.
        let page = Page { by: By::Score, limit: 30, offset: 5 };
        let (common, rare) = (parser.parse_query("common")?, parser.parse_query("rare")?);
        let got = by_score(&searcher, &Columns::default(), &*common, Some(&*rare), &page)?;
        let top = TopDocs::with_limit(30).and_offset(5).order_by_score();
        let want = searcher.search(&*parser.parse_query("common -rare")?, &top)?;
        let scores =
            |ranked: &[(f32, DocAddress)]| ranked.iter().map(|(s, _)| *s).collect::<Vec<_>>();
        assert_eq!(scores(&got), scores(&want));
        Ok(())
    }
}
