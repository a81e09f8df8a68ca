//! The meaning leg of a hybrid search: the items whose vectors are nearest the query's,
//! among those its filters allow, and their fusion with the words' ranking.
//!
//! Vectors ([`crate::digest::meaning::Vector`], 64 bytes an item) live in eight fast
//! columns of each segment, written with its documents in the same commit. A search
//! reads a segment's columns once into one contiguous table ([`Vectors`], kept while the
//! segment lives), ranks every allowed item by the Hamming distance of its 64-bit sign
//! code to the query's, and scores the nearest by cosine: a few milliseconds per million
//! items (BENCHMARKS.md), so no approximate index is needed.

use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap, HashSet};
use std::sync::{Arc, Mutex};

use tantivy::index::SegmentId;
use tantivy::query::{EnableScoring, Query};
use tantivy::{DocAddress, DocId, Searcher, SegmentReader};

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
/// row's length (0 for a document without one: entries, other languages), and each
/// row's sign code (bit `i` set where component `i` is positive): the Hamming distance
/// between codes ranks candidates at a few nanoseconds an item, and only the nearest
/// are scored by cosine.
struct Table {
    rows: Vec<i8>,
    inverse_norms: Vec<f32>,
    signs: Vec<u64>,
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
        let mut signs = Vec::with_capacity(docs);
        let mut sum = [0f32; DIMS];
        for (words, has) in words.into_iter().zip(has) {
            let vector = Vector::from_words(words);
            rows.extend_from_slice(&vector.0);
            let norm = vector.norm();
            let inverse = if has && norm > 0.0 { 1.0 / norm } else { 0.0 };
            inverse_norms.push(inverse);
            signs.push(sign_code(&vector));
            sum.iter_mut().zip(vector.0).for_each(|(s, x)| *s += x as f32 * inverse);
        }
        let table = Arc::new(Table { rows, inverse_norms, signs, sum });
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

/// The `k` items `allowed` matches whose vectors are nearest `query`'s, by cosine, best
/// first (items without a vector, and those under the `floor` cosine, are left out). The
/// [`CANDIDATES_PER_ITEM`] times `k` items nearest by sign code are scored, not every
/// allowed item: an index of fewer allowed items is searched exactly.
pub fn nearest(
    searcher: &Searcher,
    columns: &Columns,
    vectors: &Vectors,
    allowed: &dyn Query,
    query: &Vector,
    k: usize,
    floor: f32,
) -> tantivy::Result<Ranked> {
    let weight = allowed.weight(EnableScoring::disabled_from_searcher(searcher))?;
    let code = sign_code(query);
    let mut candidates = Candidates::new(k * CANDIDATES_PER_ITEM);
    let mut tables = vec![];
    for (ord, segment) in searcher.segment_readers().iter().enumerate() {
        let table = vectors.table(segment, columns)?;
        let alive = segment.alive_bitset();
        weight.for_each_no_score(segment, &mut |docs: &[DocId]| {
            for &doc in docs {
                if table.inverse_norms[doc as usize] == 0.0
                    || alive.is_some_and(|a| a.is_deleted(doc))
                {
                    continue;
                }
                let distance = (table.signs[doc as usize] ^ code).count_ones() as usize;
                candidates.push(distance, DocAddress::new(ord as u32, doc));
            }
        })?;
        tables.push(table);
    }
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
}
