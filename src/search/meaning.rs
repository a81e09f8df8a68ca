//! The meaning leg of a hybrid search: the items whose vectors are nearest the query's,
//! among those its filters allow, and their fusion with the words' ranking.
//!
//! Vectors ([`crate::digest::meaning::Vector`], 64 bytes an item) live in eight fast
//! columns of each segment, written with its documents in the same commit. A search
//! reads a segment's columns once into one contiguous table ([`Vectors`], kept while the
//! segment lives), ranks the items by the Hamming distance of their 64-bit sign codes to
//! the query's, and scores the nearest by cosine: a few milliseconds per million items
//! (BENCHMARKS.md), so no approximate index is needed. Without filters, or with filters
//! that leave most items, every item's code is read and the filters only at the nearest;
//! filters that leave few are read first, and only their items' codes.

use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap, HashSet};
use std::sync::{Arc, Mutex};

use tantivy::index::SegmentId;
use tantivy::query::{EnableScoring, Query, Scorer};
use tantivy::schema::IndexRecordOption;
use tantivy::{
    COLLECT_BLOCK_BUFFER_LEN, DocAddress, DocId, DocSet, Searcher, SegmentReader, TERMINATED, Term,
};

use super::collectors::Columns;
use super::rank::Ranked;
use crate::digest::meaning::{DIMS, Vector, dot};
use crate::index::field;

/// The rank constant of reciprocal rank fusion: an item's share of a list is
/// `1 / (FUSION_K + rank)`.
const FUSION_K: f32 = 60.0;

/// The weight of the meaning's ranking in the fusion (the words' is 1): its first item
/// counts as the words' 62nd, so items only the meaning finds follow the words' best
/// rather than interleave with them (measured in QUALITY.md: at 1, known items fell
/// 10 points).
pub const MEANING_WEIGHT: f32 = 0.5;

/// The least cosine of an item near the query: below it an item is no nearer than
/// unrelated texts are to each other (`oblivion` on the sample: 0.14 at best), and a
/// query whose words the model barely knows finds nothing by meaning.
pub const MIN_COSINE: f32 = 0.2;

/// The items of each ranking fused: the words' best and the nearest by meaning.
pub const FUSION_DEPTH: usize = 50;

/// Candidates a search rescores per item it returns: the items whose sign codes are
/// nearest the query's.
const CANDIDATES_PER_ITEM: usize = 40;

/// The vectors of a segment, one row of [`DIMS`] per document, with the inverse of each
/// row's length (0 for a document without one: entries, other languages), and the sign
/// code (bit `i` set where component `i` is positive) of each document with a vector,
/// beside its id: the Hamming distance between codes ranks candidates at a nanosecond
/// or two an item, and only the nearest are scored by cosine.
struct Table {
    rows: Vec<i8>,
    inverse_norms: Vec<f32>,
    signs: Vec<u64>,
    /// The document of each sign code, ascending.
    signed: Vec<DocId>,
    /// The sum of its rows' unit vectors.
    sum: [f32; DIMS],
}

/// The segments' vector tables read so far, by segment (a segment never changes; its
/// deletions are read from the searcher at each search).
#[derive(Default)]
pub struct Vectors(Mutex<HashMap<SegmentId, Arc<Table>>>);

impl Vectors {
    /// Forgets the tables of segments a searcher no longer has (merged away).
    pub fn retain(&self, searcher: &Searcher) {
        let live: HashSet<SegmentId> =
            searcher.segment_readers().iter().map(SegmentReader::segment_id).collect();
        self.0.lock().unwrap_or_else(|e| e.into_inner()).retain(|id, _| live.contains(id));
    }

    fn table(&self, segment: &SegmentReader, columns: &Columns) -> tantivy::Result<Arc<Table>> {
        let id = segment.segment_id();
        if let Some(table) = self.0.lock().unwrap_or_else(|e| e.into_inner()).get(&id) {
            return Ok(Arc::clone(table));
        }
        let docs = segment.max_doc() as usize;
        let mut words = vec![[0u64; DIMS / 8]; docs];
        let mut has = vec![false; docs];
        for (i, name) in field::MEANING.iter().enumerate() {
            let Some(column) = columns.u64_opt(segment, name)? else { continue };
            for doc in 0..docs as DocId {
                if let Some(word) = column.first(doc) {
                    words[doc as usize][i] = word;
                    has[doc as usize] = true;
                }
            }
        }
        let mut rows = Vec::with_capacity(docs * DIMS);
        let mut inverse_norms = Vec::with_capacity(docs);
        let (mut signs, mut signed) = (vec![], vec![]);
        let mut sum = [0f32; DIMS];
        for (doc, (words, has)) in words.into_iter().zip(has).enumerate() {
            let vector = Vector::from_words(words);
            rows.extend_from_slice(&vector.0);
            let norm = vector.norm();
            let inverse = if has && norm > 0.0 { 1.0 / norm } else { 0.0 };
            inverse_norms.push(inverse);
            if inverse > 0.0 {
                signs.push(sign_code(&vector));
                signed.push(doc as DocId);
            }
            sum.iter_mut().zip(vector.0).for_each(|(s, x)| *s += x as f32 * inverse);
        }
        let table = Arc::new(Table { rows, inverse_norms, signs, signed, sum });
        self.0.lock().unwrap_or_else(|e| e.into_inner()).insert(id, Arc::clone(&table));
        Ok(table)
    }

    /// The mean direction of every item of the index (deleted ones too): what all its
    /// texts share, which tells none of them apart.
    pub fn mean(&self, searcher: &Searcher, columns: &Columns) -> tantivy::Result<[f32; DIMS]> {
        let mut sum = [0f32; DIMS];
        for segment in searcher.segment_readers() {
            let table = self.table(segment, columns)?;
            sum.iter_mut().zip(table.sum).for_each(|(s, x)| *s += x);
        }
        Ok(sum)
    }

    /// The vector of an item, when it has one.
    pub fn of(
        &self,
        searcher: &Searcher,
        columns: &Columns,
        at: DocAddress,
    ) -> tantivy::Result<Option<Vector>> {
        let table = self.table(searcher.segment_reader(at.segment_ord), columns)?;
        let doc = at.doc_id as usize;
        if table.inverse_norms[doc] == 0.0 {
            return Ok(None);
        }
        Ok(Some(Vector(table.rows[doc * DIMS..(doc + 1) * DIMS].try_into().expect("a row"))))
    }
}

/// A vector's sign code: bit `i` set where component `i` is positive.
fn sign_code(vector: &Vector) -> u64 {
    vector.0.iter().enumerate().fold(0, |code, (i, &x)| code | (u64::from(x > 0) << i))
}

/// The items nearest a sign code, by Hamming distance, kept in one bucket per distance:
/// a bucket is dropped as soon as the nearer ones hold enough.
struct Candidates {
    buckets: Vec<Vec<DocAddress>>,
    /// The farthest distance still kept.
    limit: usize,
    kept: usize,
    wanted: usize,
}

impl Candidates {
    fn new(wanted: usize) -> Candidates {
        Candidates { buckets: vec![vec![]; DIMS + 1], limit: DIMS, kept: 0, wanted }
    }

    fn push(&mut self, distance: usize, at: DocAddress) {
        if distance > self.limit {
            return;
        }
        self.buckets[distance].push(at);
        self.kept += 1;
        while self.limit > 0 && self.kept - self.buckets[self.limit].len() >= self.wanted {
            self.kept -= self.buckets[self.limit].len();
            self.buckets[self.limit] = vec![];
            self.limit -= 1;
        }
    }
}

/// Which items a search by meaning may find.
pub enum Allowed<'a> {
    /// Every item but those with this term, if one is given (drafts): read from the
    /// vectors alone, the term's few documents aside.
    Every { but: Option<Term> },
    /// The items a query matches.
    Matching(&'a dyn Query),
}

/// The `k` `allowed` items whose vectors are nearest `query`'s, by cosine, best first
/// (items without a vector, and those under the `floor` cosine, are left out). The
/// [`CANDIDATES_PER_ITEM`] times `k` items nearest by sign code are scored, not every
/// allowed item: an index of fewer allowed items is searched exactly.
pub fn nearest(
    searcher: &Searcher,
    columns: &Columns,
    vectors: &Vectors,
    allowed: Allowed,
    query: &Vector,
    k: usize,
    floor: f32,
) -> tantivy::Result<Ranked> {
    let code = sign_code(query);
    let wanted = k * CANDIDATES_PER_ITEM;
    let tables = searcher
        .segment_readers()
        .iter()
        .map(|segment| vectors.table(segment, columns))
        .collect::<tantivy::Result<Vec<_>>>()?;
    let candidates = match allowed {
        Allowed::Matching(query) => {
            let weight = query.weight(EnableScoring::disabled_from_searcher(searcher))?;
            let open = || {
                let segments = searcher.segment_readers().iter();
                segments.map(|s| weight.scorer(s, 1.0)).collect::<tantivy::Result<Vec<_>>>()
            };
            let scorers = open()?;
            let hinted: usize = scorers.iter().map(|s| s.size_hint() as usize).sum();
            let items: usize = tables.iter().map(|t| t.signs.len()).sum();
            if 2 * hinted < items {
                // Filters that leave few: reading them is quicker than every item's code.
                allowed_codes(searcher, scorers, &tables, code, wanted)
            } else {
                let filters = scorers.into_iter().map(Filter::Scorer).collect();
                match nearest_codes(searcher, &tables, code, wanted, 2 * wanted, filters)? {
                    Some(candidates) => Ok(candidates),
                    None => allowed_codes(searcher, open()?, &tables, code, wanted),
                }
            }?
        }
        Allowed::Every { but } => {
            let filters = || {
                let segments = searcher.segment_readers().iter();
                let but = |s| but.as_ref().map_or(Ok(vec![]), |term| docs_with(s, term));
                segments.map(|s| Ok(Filter::But(but(s)?))).collect::<tantivy::Result<Vec<_>>>()
            };
            match nearest_codes(searcher, &tables, code, wanted, 2 * wanted, filters()?)? {
                Some(candidates) => candidates,
                // Mostly drafts near the query: every item is read.
                None => nearest_codes(searcher, &tables, code, wanted, usize::MAX, filters()?)?
                    .expect("every item read"),
            }
        }
    };
    let query_norm = query.norm();
    let mut heap: BinaryHeap<Reverse<(Cosine, DocAddress)>> = BinaryHeap::with_capacity(k + 1);
    for at in candidates.buckets.into_iter().flatten() {
        let (table, doc) = (&tables[at.segment_ord as usize], at.doc_id as usize);
        let row = &table.rows[doc * DIMS..(doc + 1) * DIMS];
        let cosine = dot(&query.0, row) as f32 * table.inverse_norms[doc] / query_norm;
        if cosine < floor {
            continue;
        }
        if heap.len() < k || heap.peek().is_some_and(|Reverse((low, _))| cosine > low.0) {
            heap.push(Reverse((Cosine(cosine), at)));
            if heap.len() > k {
                heap.pop();
            }
        }
    }
    let mut nearest: Ranked = heap.into_iter().map(|Reverse((c, at))| (c.0, at)).collect();
    nearest.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
    Ok(nearest)
}

/// What a segment's items must pass to be allowed.
enum Filter {
    /// Matched by a query (its scorer, moved forward item by item).
    Scorer(Box<dyn Scorer>),
    /// Not among these documents (ascending).
    But(Vec<DocId>),
}

impl Filter {
    /// Whether `doc` passes; asked in ascending order.
    fn allows(&mut self, doc: DocId) -> bool {
        match self {
            Filter::Scorer(scorer) => {
                if scorer.doc() < doc {
                    scorer.seek(doc);
                }
                scorer.doc() == doc
            }
            Filter::But(docs) => docs.binary_search(&doc).is_err(),
        }
    }
}

/// A segment's documents with `term`.
fn docs_with(segment: &SegmentReader, term: &Term) -> tantivy::Result<Vec<DocId>> {
    let inverted = segment.inverted_index(term.field())?;
    let Some(mut postings) = inverted.read_postings(term, IndexRecordOption::Basic)? else {
        return Ok(vec![]);
    };
    let mut docs = vec![];
    while postings.doc() != TERMINATED {
        docs.push(postings.doc());
        postings.advance();
    }
    Ok(docs)
}

/// The nearest [`Candidates`] by sign code among the items each segment's filter
/// allows, found from the codes: every item's distance to the query's `code`, then the
/// allowed among the `near` nearest (the filters are read only at those). `None` when
/// fewer than `wanted` of those are allowed; otherwise the candidates of all allowed
/// items, since those that [`Candidates`] keeps lie within that distance.
fn nearest_codes(
    searcher: &Searcher,
    tables: &[Arc<Table>],
    code: u64,
    wanted: usize,
    near: usize,
    filters: Vec<Filter>,
) -> tantivy::Result<Option<Candidates>> {
    let distances: Vec<Vec<u8>> = tables
        .iter()
        .map(|t| t.signs.iter().map(|s| (s ^ code).count_ones() as u8).collect())
        .collect();
    let mut counts = [0usize; DIMS + 1];
    distances.iter().flatten().for_each(|&d| counts[d as usize] += 1);
    let mut within = 0;
    let limit = (0..=DIMS)
        .find(|&d| {
            within += counts[d];
            within >= near
        })
        .unwrap_or(DIMS);
    let mut candidates = Candidates::new(wanted);
    let mut allowed = 0;
    for (ord, ((table, distances), mut filter)) in
        tables.iter().zip(&distances).zip(filters).enumerate()
    {
        let alive = searcher.segment_reader(ord as u32).alive_bitset();
        for (&doc, &distance) in table.signed.iter().zip(distances) {
            if distance as usize > limit || alive.is_some_and(|a| a.is_deleted(doc)) {
                continue;
            }
            if filter.allows(doc) {
                allowed += 1;
                candidates.push(distance as usize, DocAddress::new(ord as u32, doc));
            }
        }
    }
    Ok((allowed >= wanted || limit == DIMS).then_some(candidates))
}

/// The nearest [`Candidates`] by sign code among the `allowed` items, found by reading
/// every allowed item (for filters that leave few).
fn allowed_codes(
    searcher: &Searcher,
    scorers: Vec<Box<dyn Scorer>>,
    tables: &[Arc<Table>],
    code: u64,
    wanted: usize,
) -> tantivy::Result<Candidates> {
    let mut candidates = Candidates::new(wanted);
    for (ord, (mut scorer, table)) in scorers.into_iter().zip(tables).enumerate() {
        let alive = searcher.segment_reader(ord as u32).alive_bitset();
        // Where the allowed documents' codes are: they come in ascending order.
        let mut at = 0;
        let mut buffer = [0; COLLECT_BLOCK_BUFFER_LEN];
        loop {
            let read = scorer.fill_buffer(&mut buffer);
            for &doc in &buffer[..read] {
                if table.inverse_norms[doc as usize] == 0.0
                    || alive.is_some_and(|a| a.is_deleted(doc))
                {
                    continue;
                }
                // Galloping: the next is mostly near.
                let rest = &table.signed[at..];
                let mut bound = 1;
                while bound < rest.len() && rest[bound] < doc {
                    bound *= 2;
                }
                at += rest[..(bound + 1).min(rest.len())].partition_point(|&d| d < doc);
                let distance = (table.signs[at] ^ code).count_ones() as usize;
                candidates.push(distance, DocAddress::new(ord as u32, doc));
            }
            if read < COLLECT_BLOCK_BUFFER_LEN {
                break;
            }
        }
    }
    Ok(candidates)
}

/// A cosine, ordered (never NaN: rows and the query have lengths above 0).
#[derive(Clone, Copy, PartialEq)]
struct Cosine(f32);

impl Eq for Cosine {}

impl PartialOrd for Cosine {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Cosine {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.0.total_cmp(&other.0)
    }
}

/// The words' ranking and the meaning's fused by reciprocal rank fusion: each item
/// scores `weight / (FUSION_K + rank)` in each list it is in, summed (the words' weight
/// is 1, the meaning's `weight`). Rank fusion needs no
/// calibration between BM25 scores (unbounded, per query) and cosines, and a static
/// model's cosines are too flat to weigh against BM25 in a convex combination. Returns
/// the fused list, best first, and the items only the meaning found.
pub fn fuse(words: &Ranked, meaning: &Ranked, weight: f32) -> (Ranked, HashSet<DocAddress>) {
    let mut fused: HashMap<DocAddress, f32> = HashMap::new();
    for (weight, list) in [(1.0, words), (weight, meaning)] {
        for (rank, &(_, at)) in list.iter().enumerate() {
            *fused.entry(at).or_default() += weight / (FUSION_K + rank as f32 + 1.0);
        }
    }
    let by_words: HashSet<DocAddress> = words.iter().map(|&(_, at)| at).collect();
    let only: HashSet<DocAddress> =
        meaning.iter().map(|&(_, at)| at).filter(|at| !by_words.contains(at)).collect();
    // Ties (the same ranks in both lists, swapped) keep the words' order first.
    let mut position: HashMap<DocAddress, usize> = HashMap::new();
    for (i, &(_, at)) in words.iter().chain(meaning).enumerate() {
        position.entry(at).or_insert(i);
    }
    let mut fused: Ranked = fused.into_iter().map(|(at, score)| (score, at)).collect();
    fused.sort_by(|a, b| b.0.total_cmp(&a.0).then(position[&a.1].cmp(&position[&b.1])));
    (fused, only)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(doc: u32) -> DocAddress {
        DocAddress::new(0, doc)
    }

    fn ranked(docs: &[u32]) -> Ranked {
        docs.iter().map(|&d| (1.0, at(d))).collect()
    }

    #[test]
    fn fusion_ranks_what_both_find_first_and_tells_what_only_meaning_found() {
        let (fused, only) = fuse(&ranked(&[1, 2, 3]), &ranked(&[3, 4]), MEANING_WEIGHT);
        let order: Vec<u32> = fused.iter().map(|(_, a)| a.doc_id).collect();
        assert_eq!(order, [3, 1, 2, 4]);
        assert_eq!(only, HashSet::from([at(4)]));
    }

    #[test]
    fn candidates_keep_the_nearest_codes_and_every_one_at_the_last_distance_kept() {
        let mut candidates = Candidates::new(3);
        for (distance, doc) in [(9, 1), (3, 2), (9, 3), (20, 4), (3, 5), (5, 6), (1, 7), (40, 8)] {
            candidates.push(distance, at(doc));
        }
        let kept: Vec<u32> = candidates.buckets.into_iter().flatten().map(|a| a.doc_id).collect();
        assert_eq!(kept, [7, 2, 5]);
    }

    #[test]
    fn fusion_without_meaning_keeps_the_words_order() {
        let (fused, only) = fuse(&ranked(&[5, 1, 9]), &vec![], MEANING_WEIGHT);
        assert_eq!(fused.iter().map(|(_, a)| a.doc_id).collect::<Vec<_>>(), [5, 1, 9]);
        assert!(only.is_empty());
    }

    /// The candidates read from every item's code, then filtered at the nearest (by a
    /// query's scorer or a list of drafts), are those read from every allowed item.
    #[test]
    fn candidates_from_the_nearest_codes_are_those_from_every_allowed_item() {
        use tantivy::query::{BooleanQuery, Occur, TermQuery};
        const WORDS: [&str; 16] = [
            "agent",
            "memory",
            "quantization",
            "laptop",
            "sandbox",
            "browser",
            "decoding",
            "speculative",
            "latency",
            "server",
            "tokens",
            "privacy",
            "benchmark",
            "training",
            "reasoning",
            "retrieval",
        ];
        // 60 digests of 20 items, every fifth a draft: 1,200 items, many more than the
        // twice 80 nearest codes read for 80 candidates.
        let mut seed = 7u64;
        let mut word = || {
            seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            WORDS[(seed >> 33) as usize % WORDS.len()]
        };
        let digests: Vec<(String, String)> = (0..60)
            .map(|d| {
                let mut text = format!("---\ntitle: Notes {d}\ndraft: {}\n---\n", d % 5 == 0);
                for i in 0..20 {
                    let (a, b, c) = (word(), word(), word());
                    text += &format!(
                        "\n## {a} item {i}\n\nA long note on {b} and {c} for the {a} team.\n"
                    );
                }
                (format!("notes/{d}"), text)
            })
            .collect();
        let digests: Vec<(&str, &str)> =
            digests.iter().map(|(id, text)| (id.as_str(), text.as_str())).collect();
        let handle = crate::index::in_ram(&digests);
        let searcher = handle.index.reader().unwrap().searcher();
        let (columns, vectors) = (Columns::default(), Vectors::default());
        let segments = searcher.segment_readers();
        let tables: Vec<_> = segments.iter().map(|s| vectors.table(s, &columns).unwrap()).collect();
        let f = &handle.fields;
        let term = |t| Box::new(TermQuery::new(t, IndexRecordOption::Basic)) as Box<dyn Query>;
        let visible = BooleanQuery::new(vec![
            (Occur::Must, term(f.kind_term(crate::index::Kind::Item))),
            (Occur::MustNot, term(f.draft_term())),
        ]);
        let weight = visible.weight(EnableScoring::disabled_from_searcher(&searcher)).unwrap();
        let scorers =
            || segments.iter().map(|s| weight.scorer(s, 1.0).unwrap()).collect::<Vec<_>>();
        let kept = |c: Candidates| c.buckets.into_iter().flatten().collect::<Vec<_>>();
        let items: usize = tables.iter().map(|t| t.signs.len()).sum();
        for q in ["agent memory", "laptop quantization", "server latency tokens"] {
            let code = sign_code(&crate::digest::meaning::embed(q).unwrap());
            let wanted = 80;
            let every = kept(allowed_codes(&searcher, scorers(), &tables, code, wanted).unwrap());
            let filters = scorers().into_iter().map(Filter::Scorer).collect();
            let by_query = nearest_codes(&searcher, &tables, code, wanted, 2 * wanted, filters);
            let drafts =
                segments.iter().map(|s| Filter::But(docs_with(s, &f.draft_term()).unwrap()));
            let by_drafts =
                nearest_codes(&searcher, &tables, code, wanted, 2 * wanted, drafts.collect());
            assert_eq!(kept(by_query.unwrap().expect("enough allowed near")), every, "{q}");
            assert_eq!(kept(by_drafts.unwrap().expect("enough allowed near")), every, "{q}");
            assert!(every.len() >= wanted && every.len() < items / 2, "{q}: {}", every.len());
        }
    }
}
