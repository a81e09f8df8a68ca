//! A query whose matches score a constant more than the query alone: a relaxed query's
//! "this word was found" bonus, added to the word's own score in one evaluation (a
//! union of the constant-score query and the query itself read every posting, and
//! every phrase's positions, twice).

use std::fmt;

use tantivy::query::{EnableScoring, Explanation, Query, Scorer, Weight};
use tantivy::{DocId, DocSet, Score, SegmentReader, Term};

/// `query`, each match scoring `added` more.
pub struct Plus {
    query: Box<dyn Query>,
    added: Score,
}

impl Plus {
    pub fn new(query: Box<dyn Query>, added: Score) -> Plus {
        Plus { query, added }
    }
}

impl Clone for Plus {
    fn clone(&self) -> Self {
        Plus { query: self.query.box_clone(), added: self.added }
    }
}

impl fmt::Debug for Plus {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        write!(f, "Plus(added={}, query={:?})", self.added, self.query)
    }
}

impl Query for Plus {
    fn weight(&self, enable_scoring: EnableScoring<'_>) -> tantivy::Result<Box<dyn Weight>> {
        let scoring = enable_scoring.is_scoring_enabled();
        let inner = self.query.weight(enable_scoring)?;
        Ok(if scoring { Box::new(PlusWeight { inner, added: self.added }) } else { inner })
    }

    fn query_terms<'a>(&'a self, visitor: &mut dyn FnMut(&'a Term, bool)) {
        self.query.query_terms(visitor);
    }
}

struct PlusWeight {
    inner: Box<dyn Weight>,
    added: Score,
}

impl Weight for PlusWeight {
    fn scorer(&self, reader: &SegmentReader, boost: Score) -> tantivy::Result<Box<dyn Scorer>> {
        let inner = self.inner.scorer(reader, boost)?;
        Ok(Box::new(PlusScorer { inner, added: boost * self.added }))
    }

    fn explain(&self, reader: &SegmentReader, doc: DocId) -> tantivy::Result<Explanation> {
        let inner = self.inner.explain(reader, doc)?;
        let mut explanation = Explanation::new("Plus", inner.value() + self.added);
        explanation.add_detail(inner);
        Ok(explanation)
    }

    fn count(&self, reader: &SegmentReader) -> tantivy::Result<u32> {
        self.inner.count(reader)
    }

    /// The query's own pruning, its scores and threshold moved by the constant.
    fn for_each_pruning(
        &self,
        threshold: Score,
        reader: &SegmentReader,
        callback: &mut dyn FnMut(DocId, Score) -> Score,
    ) -> tantivy::Result<()> {
        let added = self.added;
        self.inner.for_each_pruning(threshold - added, reader, &mut |doc, score| {
            callback(doc, score + added) - added
        })
    }
}

struct PlusScorer {
    inner: Box<dyn Scorer>,
    added: Score,
}

impl DocSet for PlusScorer {
    fn advance(&mut self) -> DocId {
        self.inner.advance()
    }

    fn seek(&mut self, target: DocId) -> DocId {
        self.inner.seek(target)
    }

    fn doc(&self) -> DocId {
        self.inner.doc()
    }

    fn size_hint(&self) -> u32 {
        self.inner.size_hint()
    }
}

impl Scorer for PlusScorer {
    fn score(&mut self) -> Score {
        self.inner.score() + self.added
    }
}
