//! A query whose matches are gathered into a bit set once per segment, and read from
//! there by every scorer made after: for counting in windows (`count`), whose rounds
//! each make a new scorer per segment. A range of date terms is gathered by Tantivy at
//! every scorer (the postings of every day in it), which cost a date filter's count
//! more than the rest of its search; gathered once, later scorers cost a copy of the
//! set, and seeking in it costs next to nothing.

use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, Mutex};

use tantivy::index::SegmentId;
use tantivy::query::{
    BitSetDocSet, ConstScorer, EnableScoring, Explanation, Query, Scorer, Weight,
};
use tantivy::{BitSet, DocId, DocSet, Score, SegmentReader, TERMINATED, Term};

/// `query`'s matches, gathered once per segment; every match scores 1. Its clones
/// share the gathered sets.
pub struct Gathered {
    query: Box<dyn Query>,
    sets: Arc<Mutex<HashMap<SegmentId, BitSet>>>,
}

impl Gathered {
    pub fn new(query: Box<dyn Query>) -> Gathered {
        Gathered { query, sets: Arc::default() }
    }
}

impl Clone for Gathered {
    fn clone(&self) -> Self {
        Gathered { query: self.query.box_clone(), sets: Arc::clone(&self.sets) }
    }
}

impl fmt::Debug for Gathered {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        write!(f, "Gathered({:?})", self.query)
    }
}

impl Query for Gathered {
    fn weight(&self, enable_scoring: EnableScoring<'_>) -> tantivy::Result<Box<dyn Weight>> {
        let inner = self.query.weight(enable_scoring)?;
        Ok(Box::new(GatheredWeight { inner, sets: Arc::clone(&self.sets) }))
    }

    fn query_terms<'a>(&'a self, visitor: &mut dyn FnMut(&'a Term, bool)) {
        self.query.query_terms(visitor);
    }
}

struct GatheredWeight {
    inner: Box<dyn Weight>,
    sets: Arc<Mutex<HashMap<SegmentId, BitSet>>>,
}

impl GatheredWeight {
    fn set(&self, reader: &SegmentReader) -> tantivy::Result<BitSet> {
        let id = reader.segment_id();
        if let Some(set) = self.sets.lock().unwrap_or_else(|e| e.into_inner()).get(&id) {
            return Ok(set.clone());
        }
        let mut set = BitSet::with_max_value(reader.max_doc());
        let mut scorer = self.inner.scorer(reader, 1.0)?;
        let mut doc = scorer.doc();
        while doc != TERMINATED {
            set.insert(doc);
            doc = scorer.advance();
        }
        self.sets.lock().unwrap_or_else(|e| e.into_inner()).insert(id, set.clone());
        Ok(set)
    }
}

impl Weight for GatheredWeight {
    fn scorer(&self, reader: &SegmentReader, boost: Score) -> tantivy::Result<Box<dyn Scorer>> {
        let docs = BitSetDocSet::from(self.set(reader)?);
        Ok(Box::new(ConstScorer::new(docs, boost)))
    }

    fn explain(&self, reader: &SegmentReader, doc: DocId) -> tantivy::Result<Explanation> {
        let mut explanation = Explanation::new("Gathered", 1.0);
        explanation.add_detail(self.inner.explain(reader, doc)?);
        Ok(explanation)
    }
}

#[cfg(test)]
mod tests {
    use tantivy::collector::{Count, DocSetCollector};
    use tantivy::query::{EnableScoring, Query, RangeQuery};
    use tantivy::schema::{INDEXED, Schema};
    use tantivy::{DocSet, Index, TERMINATED, TantivyDocument, Term, doc};

    use super::Gathered;

    /// Every scorer of a gathered query, the first or a later one, matches what the
    /// query matches, and seeks to the same documents.
    #[test]
    fn gathered_matches_are_the_query_s_at_every_scorer() -> tantivy::Result<()> {
        let mut builder = Schema::builder();
        let n = builder.add_u64_field("n", INDEXED);
        let index = Index::create_in_ram(builder.build());
        let mut writer = index.writer_with_num_threads::<TantivyDocument>(1, 15_000_000)?;
        for i in 0..3000u64 {
            writer.add_document(doc!(n => i % 97))?;
            if i % 1000 == 999 {
                writer.commit()?;
            }
        }
        let searcher = index.reader()?.searcher();
        let range = RangeQuery::new(
            std::ops::Bound::Included(Term::from_field_u64(n, 10)),
            std::ops::Bound::Excluded(Term::from_field_u64(n, 20)),
        );
        let gathered = Gathered::new(Box::new(range.clone()));
        let want = searcher.search(&range, &DocSetCollector)?;
        assert_eq!(searcher.search(&gathered, &Count)?, want.len());
        let weight = gathered.weight(EnableScoring::disabled_from_searcher(&searcher))?;
        for (ord, segment) in searcher.segment_readers().iter().enumerate() {
            for target in [0, 500, 999] {
                let mut scorer = weight.scorer(segment, 1.0)?;
                let found = scorer.seek(target);
                let first = want
                    .iter()
                    .filter(|a| a.segment_ord == ord as u32 && a.doc_id >= target)
                    .map(|a| a.doc_id)
                    .min()
                    .unwrap_or(TERMINATED);
                assert_eq!(found, first, "segment {ord}, from {target}");
            }
        }
        assert_eq!(gathered.sets.lock().unwrap().len(), searcher.segment_readers().len());
        Ok(())
    }
}
