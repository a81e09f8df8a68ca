//! A phrase whose best matches are found without reading the positions of every item
//! that has all of its words.
//!
//! Tantivy checks a phrase at each document holding every word, by reading and
//! intersecting the words' positions, and ranks by scoring every match. For a phrase of
//! common words ("the model", "agent memory") most of those documents do not hold the
//! phrase, and a page of the best needs few of those that do. The number of times a
//! phrase occurs in an item is at most the least of its words' frequencies there, and
//! BM25 grows with it: so that least frequency and the item's length bound the score
//! the phrase can have, before any position is read. Ranking (`for_each_pruning`) reads
//! the positions of an item only when that bound can beat the page's worst score.
//! Matching and counting (`scorer`) are Tantivy's own phrase query.

use std::fmt;

use tantivy::postings::{Postings, SegmentPostings};
use tantivy::query::{
    Bm25Weight, EnableScoring, Explanation, PhraseQuery, Query, Scorer, TermQuery, Weight,
};
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::{DocId, DocSet, Score, SegmentReader, Term};

/// Words that must follow each other in one field (two or more).
#[derive(Clone)]
pub struct Phrase(PhraseQuery);

impl Phrase {
    /// The phrase of `terms`, in order, all of one field.
    pub fn new(terms: Vec<Term>) -> Phrase {
        Phrase(PhraseQuery::new(terms))
    }
}

impl fmt::Debug for Phrase {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        write!(f, "Phrase({:?})", self.0)
    }
}

impl Query for Phrase {
    fn weight(&self, enable_scoring: EnableScoring<'_>) -> tantivy::Result<Box<dyn Weight>> {
        let inner = self.0.weight(enable_scoring)?;
        let EnableScoring::Enabled { statistics_provider, .. } = enable_scoring else {
            return Ok(inner);
        };
        let terms = self.0.phrase_terms();
        // The same weight as Tantivy's phrase scorer gives its matches.
        let bm25 = Bm25Weight::for_terms(statistics_provider, &terms)?;
        let mut rarest = (0, u64::MAX);
        for (i, term) in terms.iter().enumerate() {
            let docs = statistics_provider.doc_freq(term)?;
            if docs < rarest.1 {
                rarest = (i, docs);
            }
        }
        let term = &terms[rarest.0];
        let lead = TermQuery::new(term.clone(), IndexRecordOption::WithFreqs);
        // A word's score and the phrase's differ by their weights alone (one field, one
        // average length): the ratio of their highest scores.
        let word = Bm25Weight::for_terms(statistics_provider, std::slice::from_ref(term))?;
        Ok(Box::new(PhraseWeight {
            inner,
            field: self.0.field(),
            terms,
            ratio: bm25.max_score() / word.max_score(),
            bm25,
            rarest: rarest.0,
            lead: lead.weight(enable_scoring)?,
        }))
    }

    fn query_terms<'a>(&'a self, visitor: &mut dyn FnMut(&'a Term, bool)) {
        self.0.query_terms(visitor);
    }
}

struct PhraseWeight {
    /// Tantivy's phrase: matching, scoring, counting.
    inner: Box<dyn Weight>,
    terms: Vec<Term>,
    field: Field,
    bm25: Bm25Weight,
    /// The word in fewest documents, which leads the ranking...
    rarest: usize,
    /// ... as a term query, whose pruning passes over its blocks by their best scores...
    lead: Box<dyn Weight>,
    /// ... which times this are the best the phrase can score in them.
    ratio: Score,
}

impl Weight for PhraseWeight {
    fn scorer(&self, reader: &SegmentReader, boost: Score) -> tantivy::Result<Box<dyn Scorer>> {
        self.inner.scorer(reader, boost)
    }

    fn explain(&self, reader: &SegmentReader, doc: DocId) -> tantivy::Result<Explanation> {
        self.inner.explain(reader, doc)
    }

    fn count(&self, reader: &SegmentReader) -> tantivy::Result<u32> {
        self.inner.count(reader)
    }

    /// The matches that score above `threshold`, as it rises, led by the rarest word's
    /// own pruning: a block of its postings is passed over when the best (frequency,
    /// length) pair in it cannot score above the threshold, a document when the least
    /// frequency of the words there cannot; the positions are read for the others.
    fn for_each_pruning(
        &self,
        mut threshold: Score,
        reader: &SegmentReader,
        callback: &mut dyn FnMut(DocId, Score) -> Score,
    ) -> tantivy::Result<()> {
        let index = reader.inverted_index(self.field)?;
        let mut words = Vec::with_capacity(self.terms.len());
        for (offset, term) in self.terms.iter().enumerate() {
            match index.read_postings(term, IndexRecordOption::WithFreqsAndPositions)? {
                // Shifted so that the words of one occurrence share a position.
                Some(postings) => words.push(((self.terms.len() - 1 - offset) as u32, postings)),
                None => return Ok(()),
            }
        }
        let norms = reader.get_fieldnorms_reader(self.field)?;
        // The leader's threshold, a little lower against rounding.
        let lead_threshold = |threshold: Score| threshold / self.ratio * (1.0 - 1e-5);
        let mut buffers = (Vec::new(), Vec::new());
        self.lead.for_each_pruning(lead_threshold(threshold), reader, &mut |doc, _| {
            if align(&mut words, self.rarest, doc) {
                let norm = norms.fieldnorm_id(doc);
                let most = words.iter().map(|(_, p)| p.term_freq()).min().unwrap_or(0);
                if self.bm25.score(norm, most) > threshold {
                    let count = occurrences(&mut words, &mut buffers);
                    if count > 0 {
                        threshold = callback(doc, self.bm25.score(norm, count));
                    }
                }
            }
            lead_threshold(threshold)
        })
    }
}

/// Moves the postings of every word to `doc`, where the leader is: whether all are on
/// it.
fn align(words: &mut [(u32, SegmentPostings)], leader: usize, doc: DocId) -> bool {
    // The others first: the leader's positions are only needed where they all are.
    let order = (0..words.len()).filter(|&i| i != leader).chain([leader]);
    order.into_iter().all(|i| {
        let postings = &mut words[i].1;
        // Postings only move forward: one may be past `doc` already.
        postings.doc() == doc || postings.doc() < doc && postings.seek(doc) == doc
    })
}

/// How many times the phrase occurs in the document all the words are on.
fn occurrences(
    words: &mut [(u32, SegmentPostings)],
    (common, next): &mut (Vec<u32>, Vec<u32>),
) -> u32 {
    let ((shift, first), rest) = words.split_first_mut().expect("a phrase has words");
    first.positions_with_offset(*shift, common);
    for (shift, postings) in rest {
        if common.is_empty() {
            break;
        }
        postings.positions_with_offset(*shift, next);
        let mut j = 0;
        common.retain(|&p| {
            while j < next.len() && next[j] < p {
                j += 1;
            }
            j < next.len() && next[j] == p
        });
    }
    common.len() as u32
}

#[cfg(test)]
mod tests {
    use tantivy::TERMINATED;
    use tantivy::collector::TopDocs;
    use tantivy::schema::{Schema, TEXT};
    use tantivy::{Index, IndexWriter, TantivyDocument};

    use super::*;

    /// Documents of few words, so that many hold both words of a phrase and fewer the
    /// phrase; some hold it several times.
    fn index() -> (Index, Field) {
        let mut builder = Schema::builder();
        let text = builder.add_text_field("text", TEXT);
        let index = Index::create_in_ram(builder.build());
        let mut writer: IndexWriter = index.writer_with_num_threads(1, 15_000_000).unwrap();
        let words = ["agent", "memory", "model", "the", "agent", "of"];
        let mut seed = 7u64;
        for segment in 0..3 {
            for _ in 0..2000 {
                let mut doc = TantivyDocument::new();
                let mut text_of = vec![];
                seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
                let length = 2 + (seed >> 33) % 30;
                for _ in 0..length {
                    seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
                    text_of.push(words[((seed >> 33) % words.len() as u64) as usize]);
                }
                doc.add_text(text, text_of.join(" "));
                writer.add_document(doc).unwrap();
            }
            if segment < 2 {
                writer.commit().unwrap();
            }
        }
        writer.commit().unwrap();
        (index, text)
    }

    /// The best matches by scoring every one: Tantivy's phrase query, unpruned.
    fn every_match(index: &Index, terms: &[Term], limit: usize) -> Vec<(Score, DocId, u32)> {
        let searcher = index.reader().unwrap().searcher();
        let query = PhraseQuery::new(terms.to_vec());
        let weight = query.weight(EnableScoring::enabled_from_searcher(&searcher)).unwrap();
        let mut all = vec![];
        for (ord, segment) in searcher.segment_readers().iter().enumerate() {
            let mut scorer = weight.scorer(segment, 1.0).unwrap();
            while scorer.doc() != TERMINATED {
                all.push((scorer.score(), scorer.doc(), ord as u32));
                scorer.advance();
            }
        }
        all.sort_by(|a, b| b.0.total_cmp(&a.0).then((a.2, a.1).cmp(&(b.2, b.1))));
        all.truncate(limit);
        all
    }

    #[test]
    fn pruned_ranking_finds_the_best_matches_with_their_scores() {
        let (index, text) = index();
        let searcher = index.reader().unwrap().searcher();
        let term = |w: &str| Term::from_field_text(text, w);
        for phrase in [vec!["agent", "memory"], vec!["the", "agent", "of"], vec!["of", "of"]] {
            let terms: Vec<Term> = phrase.iter().map(|w| term(w)).collect();
            let expected = every_match(&index, &terms, 10);
            assert!(expected.len() == 10, "{phrase:?}: the fixture has matches");
            let top = TopDocs::with_limit(10).order_by_score();
            let found = searcher.search(&Phrase::new(terms.clone()), &top).unwrap();
            let scores: Vec<Score> = found.iter().map(|(s, _)| *s).collect();
            let wanted: Vec<Score> = expected.iter().map(|(s, _, _)| *s).collect();
            assert_eq!(scores, wanted, "{phrase:?}");
            // Each found document scores as Tantivy scores it.
            let weight =
                Phrase::new(terms).weight(EnableScoring::enabled_from_searcher(&searcher)).unwrap();
            for (score, address) in found {
                let segment = searcher.segment_reader(address.segment_ord);
                let explained = weight.explain(segment, address.doc_id).unwrap();
                assert!((explained.value() - score).abs() < 1e-4, "{phrase:?} {address:?}");
            }
        }
    }

    #[test]
    fn a_phrase_with_a_word_in_no_document_finds_nothing() {
        let (index, text) = index();
        let searcher = index.reader().unwrap().searcher();
        let terms =
            vec![Term::from_field_text(text, "agent"), Term::from_field_text(text, "zebra")];
        let found = searcher
            .search(&Phrase::new(terms), &TopDocs::with_limit(10).order_by_score())
            .unwrap();
        assert!(found.is_empty());
    }
}
