//! The most frequent values of string fast fields (topics, sources) over every
//! matching item, read from the columns' term ordinals (never from stored documents).

use tantivy::collector::{Collector, SegmentCollector};
use tantivy::columnar::StrColumn;
use tantivy::{DocId, Score, SegmentReader};

use super::Columns;
use crate::search::FacetCount;

/// The most frequent values of each of a list of string fast fields, with exact
/// counts.
pub struct FacetCollector<'a> {
    fields: Vec<(&'static str, usize)>,
    columns: &'a Columns,
}

impl<'a> FacetCollector<'a> {
    /// Counts the values of these fast fields, keeping the `limit` most frequent of each.
    pub fn new(columns: &'a Columns, fields: Vec<(&'static str, usize)>) -> Self {
        FacetCollector { fields, columns }
    }
}

/// A segment whose matches hold at most this many values of a field puts all of them
/// forward: their strings are read in one sorted pass over the dictionary, where a value
/// it left out costs a dictionary lookup of its own for each other segment's candidate.
/// Those lookups were a fifth of a search of 2,000 matches at 100k digests (profile);
/// 1,024 cost more than 256 where matches hold many values (`quokkaformer`, 21k
/// matches: 47.8 M instructions a search against 41.7-43.0 M).
const ALL_UP_TO: usize = 256;

/// One field in one segment: its column and a counter per term ordinal.
pub struct SegmentCounts {
    column: StrColumn,
    counts: Vec<u64>,
}

impl SegmentCounts {
    /// The `limit` ordinals counted most often (all of them when there are no more than
    /// [`ALL_UP_TO`]), in order, and whether some were left out.
    fn top_ords(&self, limit: usize) -> (Vec<u64>, bool) {
        let mut ords: Vec<u64> =
            (0..self.counts.len() as u64).filter(|&o| self.counts[o as usize] > 0).collect();
        let truncated = ords.len() > limit.max(ALL_UP_TO);
        if truncated {
            ords.select_nth_unstable_by_key(limit - 1, |&o| {
                std::cmp::Reverse(self.counts[o as usize])
            });
            ords.truncate(limit);
        }
        ords.sort_unstable();
        (ords, truncated)
    }

    /// The count of a value in this segment.
    fn count(&self, value: &[u8]) -> u64 {
        match self.column.dictionary().term_ord(value) {
            Ok(Some(ord)) => self.counts.get(ord as usize).copied().unwrap_or(0),
            _ => 0,
        }
    }
}

/// Per segment: a [`SegmentCounts`] per field (none where the segment has no values).
pub struct FacetSegmentCollector {
    columns: Vec<Option<SegmentCounts>>,
}

impl Collector for FacetCollector<'_> {
    type Fruit = Vec<Vec<FacetCount>>;
    type Child = FacetSegmentCollector;

    fn for_segment(&self, _: u32, segment: &SegmentReader) -> tantivy::Result<Self::Child> {
        let mut columns = vec![];
        for (field, _) in &self.fields {
            let column = self.columns.str(segment, field)?;
            columns.push(column.map(|column| {
                let counts = vec![0u64; column.num_terms()];
                SegmentCounts { column, counts }
            }));
        }
        Ok(FacetSegmentCollector { columns })
    }

    fn requires_scoring(&self) -> bool {
        false
    }

    /// Turns only the candidates into strings: each segment's `limit` most frequent
    /// values. A candidate's count is exact: a segment that left values out is asked
    /// for it by a dictionary lookup. A value no segment put forward counts at most the
    /// sum of the segments' `limit`-th counts, so it could only tie with the last one.
    fn merge_fruits(
        &self,
        fruits: Vec<Vec<Option<SegmentCounts>>>,
    ) -> tantivy::Result<Self::Fruit> {
        let mut per_field: Vec<Vec<SegmentCounts>> = self.fields.iter().map(|_| vec![]).collect();
        for fruit in fruits {
            for (into, counts) in per_field.iter_mut().zip(fruit) {
                into.extend(counts);
            }
        }
        let mut out = vec![];
        for (&(_, limit), segments) in self.fields.iter().zip(per_field) {
            // value -> (count so far, the segments it was counted in)
            let mut found: rustc_hash::FxHashMap<Vec<u8>, (u64, Vec<usize>)> = Default::default();
            let mut partial = vec![];
            for (i, segment) in segments.iter().enumerate() {
                let (ords, truncated) = segment.top_ords(limit);
                if truncated {
                    partial.push(i);
                }
                let mut counts = ords.iter().map(|&o| segment.counts[o as usize]);
                segment.column.dictionary().sorted_ords_to_term_cb(&ords, |term| {
                    let count = counts.next().unwrap_or(0);
                    let slot = found.entry(term.to_vec()).or_default();
                    slot.0 += count;
                    slot.1.push(i);
                })?;
            }
            let mut values: Vec<FacetCount> = found
                .into_iter()
                .map(|(value, (mut count, seen))| {
                    for &i in partial.iter().filter(|i| !seen.contains(i)) {
                        count += segments[i].count(&value);
                    }
                    FacetCount { value: String::from_utf8_lossy(&value).into_owned(), count }
                })
                .collect();
            values.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.value.cmp(&b.value)));
            values.truncate(limit);
            out.push(values);
        }
        Ok(out)
    }
}

impl SegmentCollector for FacetSegmentCollector {
    type Fruit = Vec<Option<SegmentCounts>>;

    fn collect(&mut self, doc: DocId, _: Score) {
        for segment in self.columns.iter_mut().flatten() {
            for ord in segment.column.term_ords(doc) {
                segment.counts[ord as usize] += 1;
            }
        }
    }

    fn harvest(self) -> Self::Fruit {
        self.columns
    }
}

#[cfg(test)]
mod tests {
    use tantivy::schema::{STRING, Schema};
    use tantivy::{Index, TantivyDocument, doc};

    use super::FacetCollector;
    use crate::search::FacetCount;
    use crate::search::collectors::Columns;

    /// Two segments whose top values differ: a value one segment left out is counted
    /// there too, so every count is exact.
    #[test]
    fn counts_are_exact_across_segments_that_truncated() -> tantivy::Result<()> {
        let mut builder = Schema::builder();
        let topics = builder.add_text_field("topics", STRING | tantivy::schema::FAST);
        let index = Index::create_in_ram(builder.build());
        let mut writer = index.writer_with_num_threads::<TantivyDocument>(1, 15_000_000)?;
        for segment in [["a", "a", "a", "b", "b", "c"], ["c", "c", "c", "d", "d", "b"]] {
            for topic in segment {
                writer.add_document(doc!(topics => topic))?;
            }
            writer.commit()?;
        }
        let searcher = index.reader()?.searcher();
        assert_eq!(searcher.segment_readers().len(), 2);
        let columns = Columns::default();
        let collector = FacetCollector::new(&columns, vec![("topics", 2)]);
        let counts = searcher.search(&tantivy::query::AllQuery, &collector)?;
        let want = |value: &str, count| FacetCount { value: value.into(), count };
        assert_eq!(counts, vec![vec![want("c", 4), want("a", 3)]]);
        let all = searcher.search(
            &tantivy::query::AllQuery,
            &FacetCollector::new(&columns, vec![("topics", 9)]),
        )?;
        assert_eq!(all, vec![vec![want("c", 4), want("a", 3), want("b", 3), want("d", 2)]]);
        Ok(())
    }
}
