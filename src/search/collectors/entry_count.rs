//! Distinct entries among the matching items.

use tantivy::collector::{Collector, SegmentCollector};
use tantivy::columnar::StrColumn;
use tantivy::{DocId, Score, SegmentReader};

use crate::index::field;

/// Counts the distinct entries among matching items. An entry's documents are always
/// added together, so they live in one segment: distinct ordinals per segment add up.
pub struct EntryCount;

/// Per segment: which entry ordinals were seen.
pub struct EntryCountSegment {
    column: Option<StrColumn>,
    seen: Vec<bool>,
    distinct: usize,
}

impl Collector for EntryCount {
    type Fruit = usize;
    type Child = EntryCountSegment;

    fn for_segment(&self, _: u32, segment: &SegmentReader) -> tantivy::Result<Self::Child> {
        let column = segment.fast_fields().str(field::ENTRY_ID)?;
        let seen = vec![false; column.as_ref().map_or(0, |c| c.num_terms())];
        Ok(EntryCountSegment { column, seen, distinct: 0 })
    }

    fn requires_scoring(&self) -> bool {
        false
    }

    fn merge_fruits(&self, fruits: Vec<usize>) -> tantivy::Result<usize> {
        Ok(fruits.into_iter().sum())
    }
}

impl SegmentCollector for EntryCountSegment {
    type Fruit = usize;

    fn collect(&mut self, doc: DocId, _: Score) {
        if let Some(column) = &self.column {
            for ord in column.term_ords(doc) {
                let seen = &mut self.seen[ord as usize];
                if !*seen {
                    *seen = true;
                    self.distinct += 1;
                }
            }
        }
    }

    fn harvest(self) -> usize {
        self.distinct
    }
}
