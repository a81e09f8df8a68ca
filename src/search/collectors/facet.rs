//! The most frequent topics, sources and entry tags over every matching item, read from
//! the term ordinals of the `counted` column (never from stored documents): one column
//! for all of them, each a range of its sorted dictionary ([`Counted`]).

use tantivy::collector::{Collector, SegmentCollector};
use tantivy::columnar::{StrColumn, TermOrdHit};
use tantivy::{DocId, Score, SegmentReader};

use super::Columns;
use crate::index::{Counted, field};
use crate::search::FacetCount;

/// The most frequent values of each of a list of groups of the `counted` column, with
/// exact counts.
pub struct FacetCollector<'a> {
    groups: Vec<(Counted, usize)>,
    columns: &'a Columns,
}

impl<'a> FacetCollector<'a> {
    /// Counts the values of these groups, keeping the `limit` most frequent of each.
    pub fn new(columns: &'a Columns, groups: Vec<(Counted, usize)>) -> Self {
        FacetCollector { groups, columns }
    }
}

/// A segment whose matches hold at most this many values of a group puts all of them
/// forward: their strings are read in one sorted pass over the dictionary, where a value
/// it left out costs a dictionary lookup of its own for each other segment's candidate.
/// Those lookups were a fifth of a search of 2,000 matches at 100k digests (profile);
/// 1,024 cost more than 256 where matches hold many values (`quokkaformer`, 21k
/// matches: 47.8 M instructions a search against 41.7-43.0 M).
const ALL_UP_TO: usize = 256;

/// One segment: its column, a counter per term ordinal, and the ordinals of each group.
pub struct SegmentCounts {
    column: StrColumn,
    counts: Vec<u64>,
    ranges: Vec<std::ops::Range<u64>>,
}

impl SegmentCounts {
    /// The `limit` ordinals of group `g` counted most often (all of them when there are
    /// no more than [`ALL_UP_TO`]), in order, and whether some were left out.
    fn top_ords(&self, g: usize, limit: usize) -> (Vec<u64>, bool) {
        let mut ords: Vec<u64> =
            self.ranges[g].clone().filter(|&o| self.counts[o as usize] > 0).collect();
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

    /// The count of a value (as the column holds it) in this segment.
    fn count(&self, value: &[u8]) -> u64 {
        match self.column.dictionary().term_ord(value) {
            Ok(Some(ord)) => self.counts.get(ord as usize).copied().unwrap_or(0),
            _ => 0,
        }
    }
}

/// Per segment: its [`SegmentCounts`] (none where the segment has no values).
pub struct FacetSegmentCollector(Option<SegmentCounts>);

impl Collector for FacetCollector<'_> {
    type Fruit = Vec<Vec<FacetCount>>;
    type Child = FacetSegmentCollector;

    fn for_segment(&self, _: u32, segment: &SegmentReader) -> tantivy::Result<Self::Child> {
        let Some(column) = self.columns.str(segment, field::COUNTED)? else {
            return Ok(FacetSegmentCollector(None));
        };
        let dictionary = column.dictionary();
        // The ordinal of the first value from `byte` on (past the last: the count).
        let first_at = |byte: u8| -> tantivy::Result<u64> {
            Ok(match dictionary.term_ord_or_next([byte])? {
                TermOrdHit::Exact(ord) | TermOrdHit::Next(ord) => {
                    ord.min(column.num_terms() as u64)
                }
            })
        };
        let mut ranges = vec![];
        for (group, _) in &self.groups {
            ranges.push(first_at(group.byte())?..first_at(group.byte() + 1)?);
        }
        let counts = vec![0u64; column.num_terms()];
        Ok(FacetSegmentCollector(Some(SegmentCounts { column, counts, ranges })))
    }

    fn requires_scoring(&self) -> bool {
        false
    }

    /// Turns only the candidates into strings: each segment's `limit` most frequent
    /// values of each group. A candidate's count is exact: a segment that left values
    /// out is asked for it by a dictionary lookup. A value no segment put forward counts
    /// at most the sum of the segments' `limit`-th counts, so it could only tie with the
    /// last one.
    fn merge_fruits(&self, fruits: Vec<Option<SegmentCounts>>) -> tantivy::Result<Self::Fruit> {
        let segments: Vec<SegmentCounts> = fruits.into_iter().flatten().collect();
        let mut out = vec![];
        for (g, &(_, limit)) in self.groups.iter().enumerate() {
            // value -> (count so far, the segments it was counted in)
            let mut found: rustc_hash::FxHashMap<Vec<u8>, (u64, Vec<usize>)> = Default::default();
            let mut partial = vec![];
            for (i, segment) in segments.iter().enumerate() {
                let (ords, truncated) = segment.top_ords(g, limit);
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
                    let value = String::from_utf8_lossy(&value[1..]).into_owned();
                    FacetCount { value, count }
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
    type Fruit = Option<SegmentCounts>;

    fn collect(&mut self, doc: DocId, _: Score) {
        if let Some(segment) = &mut self.0 {
            for ord in segment.column.term_ords(doc) {
                segment.counts[ord as usize] += 1;
            }
        }
    }

    fn harvest(self) -> Self::Fruit {
        self.0
    }
}

#[cfg(test)]
mod tests {
    use tantivy::schema::{FAST, STRING, Schema};
    use tantivy::{Index, TantivyDocument, doc};

    use super::FacetCollector;
    use crate::index::{Counted, field};
    use crate::search::FacetCount;
    use crate::search::collectors::Columns;

    /// Two segments whose top topics differ, with sources and tags beside them in the
    /// column: a value one segment left out is counted there too, so every count is
    /// exact, and each group counts only its own values.
    #[test]
    fn counts_are_exact_across_segments_that_truncated() -> tantivy::Result<()> {
        let mut builder = Schema::builder();
        let counted = builder.add_text_field(field::COUNTED, STRING | FAST);
        let index = Index::create_in_ram(builder.build());
        let mut writer = index.writer_with_num_threads::<TantivyDocument>(1, 15_000_000)?;
        for segment in [["a", "a", "a", "b", "b", "c"], ["c", "c", "c", "d", "d", "b"]] {
            for topic in segment {
                let mut doc = doc!(counted => Counted::Topic.value(topic));
                doc.add_text(counted, Counted::Source.value("z"));
                if topic == "d" {
                    doc.add_text(counted, Counted::Tag.value("a"));
                }
                writer.add_document(doc)?;
            }
            writer.commit()?;
        }
        let searcher = index.reader()?.searcher();
        assert_eq!(searcher.segment_readers().len(), 2);
        let columns = Columns::default();
        let collector = FacetCollector::new(&columns, vec![(Counted::Topic, 2)]);
        let counts = searcher.search(&tantivy::query::AllQuery, &collector)?;
        let want = |value: &str, count| FacetCount { value: value.into(), count };
        assert_eq!(counts, vec![vec![want("c", 4), want("a", 3)]]);
        let all = searcher.search(
            &tantivy::query::AllQuery,
            &FacetCollector::new(
                &columns,
                vec![(Counted::Topic, 9), (Counted::Source, 9), (Counted::Tag, 9)],
            ),
        )?;
        assert_eq!(
            all,
            vec![
                vec![want("c", 4), want("a", 3), want("b", 3), want("d", 2)],
                vec![want("z", 12)],
                vec![want("a", 2)],
            ]
        );
        Ok(())
    }
}
