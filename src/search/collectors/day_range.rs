//! The first and last day among the matching items (undated items left out).

use tantivy::collector::{Collector, SegmentCollector};
use tantivy::{DocId, Score, SegmentReader};

use super::Columns;
use crate::index::field;

/// The smallest and largest `day` of the matches, as day numbers (`None`: none dated).
pub struct DayRange<'a>(pub &'a Columns);

/// Per segment: the day column and the range so far.
pub struct DayRangeSegment {
    column: tantivy::columnar::Column<u64>,
    range: Option<(u64, u64)>,
}

impl Collector for DayRange<'_> {
    type Fruit = Option<(u64, u64)>;
    type Child = DayRangeSegment;

    fn for_segment(&self, _: u32, segment: &SegmentReader) -> tantivy::Result<Self::Child> {
        Ok(DayRangeSegment { column: self.0.u64(segment, field::DAY)?, range: None })
    }

    fn requires_scoring(&self) -> bool {
        false
    }

    fn merge_fruits(&self, fruits: Vec<Option<(u64, u64)>>) -> tantivy::Result<Self::Fruit> {
        Ok(fruits.into_iter().flatten().reduce(|a, b| (a.0.min(b.0), a.1.max(b.1))))
    }
}

impl SegmentCollector for DayRangeSegment {
    type Fruit = Option<(u64, u64)>;

    fn collect(&mut self, doc: DocId, _: Score) {
        if let Some(day) = self.column.first(doc).filter(|&d| d > 0) {
            self.range = Some(match self.range {
                Some((lo, hi)) => (lo.min(day), hi.max(day)),
                None => (day, day),
            });
        }
    }

    fn harvest(self) -> Self::Fruit {
        self.range
    }
}
