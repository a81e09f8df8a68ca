//! The values of a u64 column that the most matches hold (a trend's most cited
//! stories), with exact counts.

use rustc_hash::FxHashMap;
use tantivy::collector::{Collector, SegmentCollector};
use tantivy::columnar::Column;
use tantivy::{DocId, Score, SegmentReader};

use super::Columns;

/// The `limit` values of the column `field` held by the most matches, most first (ties:
/// the smaller value first), with how many hold each.
pub struct TopValues<'a> {
    pub columns: &'a Columns,
    pub field: &'static str,
    pub limit: usize,
}

/// Per segment: the column (`None`: no document of the segment has a value) and the
/// counts so far.
pub struct TopValuesSegment {
    column: Option<Column<u64>>,
    counts: FxHashMap<u64, u64>,
}

impl Collector for TopValues<'_> {
    type Fruit = Vec<(u64, u64)>;
    type Child = TopValuesSegment;

    fn for_segment(&self, _: u32, segment: &SegmentReader) -> tantivy::Result<Self::Child> {
        let column = self.columns.u64_opt(segment, self.field)?;
        Ok(TopValuesSegment { column, counts: FxHashMap::default() })
    }

    fn requires_scoring(&self) -> bool {
        false
    }

    fn merge_fruits(&self, fruits: Vec<FxHashMap<u64, u64>>) -> tantivy::Result<Self::Fruit> {
        let mut all: FxHashMap<u64, u64> = FxHashMap::default();
        for fruit in fruits {
            for (value, count) in fruit {
                *all.entry(value).or_default() += count;
            }
        }
        let mut top: Vec<(u64, u64)> = all.into_iter().collect();
        top.sort_unstable_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        top.truncate(self.limit);
        Ok(top)
    }
}

impl SegmentCollector for TopValuesSegment {
    type Fruit = FxHashMap<u64, u64>;

    fn collect(&mut self, doc: DocId, _: Score) {
        if let Some(column) = &self.column {
            for value in column.values_for_doc(doc) {
                *self.counts.entry(value).or_default() += 1;
            }
        }
    }

    fn harvest(self) -> Self::Fruit {
        self.counts
    }
}

#[cfg(test)]
mod tests {
    use tantivy::schema::{FAST, INDEXED, Schema};
    use tantivy::{Index, TantivyDocument, doc};

    use super::TopValues;
    use crate::search::collectors::Columns;

    /// Values held by several documents in two segments, one segment without any: each
    /// count is the sum over the segments, most first, ties by value.
    #[test]
    fn counts_each_value_over_every_segment() -> tantivy::Result<()> {
        let mut builder = Schema::builder();
        let ids = builder.add_u64_field("ids", INDEXED | FAST);
        let n = builder.add_u64_field("n", FAST);
        let index = Index::create_in_ram(builder.build());
        let mut writer = index.writer_with_num_threads::<TantivyDocument>(1, 15_000_000)?;
        let segments: [&[&[u64]]; 3] = [&[&[7, 9], &[9], &[]], &[&[], &[]], &[&[9, 3], &[3, 7]]];
        for segment in segments {
            for values in segment {
                let mut doc = doc!(n => 1u64);
                values.iter().for_each(|&v| doc.add_u64(ids, v));
                writer.add_document(doc)?;
            }
            writer.commit()?;
        }
        let searcher = index.reader()?.searcher();
        assert_eq!(searcher.segment_readers().len(), 3);
        let columns = Columns::default();
        let top = |limit| TopValues { columns: &columns, field: "ids", limit };
        let all = searcher.search(&tantivy::query::AllQuery, &top(9))?;
        assert_eq!(all, vec![(9, 3), (3, 2), (7, 2)]);
        assert_eq!(searcher.search(&tantivy::query::AllQuery, &top(1))?, vec![(9, 3)]);
        Ok(())
    }
}
