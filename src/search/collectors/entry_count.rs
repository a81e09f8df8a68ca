//! Distinct entries among the matching items.

use tantivy::collector::{Collector, SegmentCollector};
use tantivy::columnar::StrColumn;
use tantivy::{DocId, Score, SegmentReader};

use super::Columns;
use crate::index::field;

/// Counts the distinct entries among matching items. An entry's documents are always
/// added together, so they live in one segment: distinct ordinals per segment add up.
pub struct EntryCount<'a>(pub &'a Columns);

/// Entries counted.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Entries {
    /// Distinct entries with a match.
    pub distinct: usize,
    /// Of those, the entries that began in the window their match was seen in (see
    /// [`EntryCountSegment::window`]): what a sample of windows is scaled from, since an
    /// entry that straddles two windows begins in only one of them.
    pub begun: usize,
}

/// Per segment: which entry ordinals were seen.
pub struct EntryCountSegment {
    column: Option<StrColumn>,
    seen: Vec<bool>,
    begun_seen: Vec<bool>,
    /// The entry that began before the current window, if it runs into it.
    straddling: Option<u64>,
    counts: Entries,
}

impl EntryCountSegment {
    /// The next matches are those of a window starting at document `start`.
    pub fn window(&mut self, start: DocId) {
        self.straddling = match (&self.column, start.checked_sub(1)) {
            (Some(column), Some(before)) => column.term_ords(before).next(),
            _ => None,
        };
    }
}

impl Collector for EntryCount<'_> {
    type Fruit = Entries;
    type Child = EntryCountSegment;

    fn for_segment(&self, _: u32, segment: &SegmentReader) -> tantivy::Result<Self::Child> {
        let column = self.0.str(segment, field::ENTRY_ID)?;
        let terms = column.as_ref().map_or(0, |c| c.num_terms());
        Ok(EntryCountSegment {
            column,
            seen: vec![false; terms],
            begun_seen: vec![false; terms],
            straddling: None,
            counts: Entries::default(),
        })
    }

    fn requires_scoring(&self) -> bool {
        false
    }

    fn merge_fruits(&self, fruits: Vec<Entries>) -> tantivy::Result<Entries> {
        Ok(fruits.into_iter().fold(Entries::default(), |a, b| Entries {
            distinct: a.distinct + b.distinct,
            begun: a.begun + b.begun,
        }))
    }
}

impl SegmentCollector for EntryCountSegment {
    type Fruit = Entries;

    fn collect(&mut self, doc: DocId, _: Score) {
        let Some(column) = &self.column else { return };
        for ord in column.term_ords(doc) {
            let seen = &mut self.seen[ord as usize];
            if !*seen {
                *seen = true;
                self.counts.distinct += 1;
            }
            let begun = &mut self.begun_seen[ord as usize];
            if !*begun && self.straddling != Some(ord) {
                *begun = true;
                self.counts.begun += 1;
            }
        }
    }

    fn harvest(self) -> Entries {
        self.counts
    }
}
