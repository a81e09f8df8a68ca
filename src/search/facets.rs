//! Facet counts over every matching item, read from the string fast fields' term
//! ordinals (never from stored documents).

use std::collections::HashMap;

use chrono::Datelike;
use serde::Serialize;
use tantivy::collector::{Collector, SegmentCollector};
use tantivy::columnar::StrColumn;
use tantivy::{DocId, Score, SegmentReader};

/// One facet value and how many matching items carry it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FacetCount {
    /// The value (`agents`, `r/LocalLLaMA`, `2026-04`).
    pub value: String,
    /// Matching items with it.
    pub count: u64,
}

/// The most frequent values of each of a list of string fast fields, with exact
/// counts.
pub struct FacetCollector {
    fields: Vec<(&'static str, usize)>,
}

impl FacetCollector {
    /// Counts the values of these fast fields, keeping the `limit` most frequent of each.
    pub fn new(fields: Vec<(&'static str, usize)>) -> Self {
        FacetCollector { fields }
    }
}

/// One field in one segment: its column and a counter per term ordinal.
pub struct SegmentCounts {
    column: StrColumn,
    counts: Vec<u64>,
}

impl SegmentCounts {
    /// The `limit` ordinals counted most often (all of them when fewer), in order, and
    /// whether some were left out.
    fn top_ords(&self, limit: usize) -> (Vec<u64>, bool) {
        let mut ords: Vec<u64> =
            (0..self.counts.len() as u64).filter(|&o| self.counts[o as usize] > 0).collect();
        let truncated = ords.len() > limit;
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

impl Collector for FacetCollector {
    type Fruit = Vec<Vec<FacetCount>>;
    type Child = FacetSegmentCollector;

    fn for_segment(&self, _: u32, segment: &SegmentReader) -> tantivy::Result<Self::Child> {
        let mut columns = vec![];
        for (field, _) in &self.fields {
            let column = segment.fast_fields().str(field)?;
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

/// Counts matching items per month (`2026-04`), from the `day` fast field: a counter
/// per day in the segment's range, turned into months once per segment.
pub struct MonthCollector;

/// Per segment: the day column and a counter per day from its smallest value.
pub struct MonthSegmentCollector {
    column: tantivy::columnar::Column<u64>,
    min: u64,
    counts: Vec<u64>,
}

impl Collector for MonthCollector {
    type Fruit = Vec<FacetCount>;
    type Child = MonthSegmentCollector;

    fn for_segment(&self, _: u32, segment: &SegmentReader) -> tantivy::Result<Self::Child> {
        let column = segment.fast_fields().u64("day")?;
        let (min, max) = (column.min_value(), column.max_value());
        let span = if max >= min { (max - min + 1) as usize } else { 0 };
        Ok(MonthSegmentCollector { column, min, counts: vec![0; span] })
    }

    fn requires_scoring(&self) -> bool {
        false
    }

    fn merge_fruits(&self, fruits: Vec<HashMap<String, u64>>) -> tantivy::Result<Self::Fruit> {
        let mut months: HashMap<String, u64> = HashMap::new();
        for (month, count) in fruits.into_iter().flatten() {
            *months.entry(month).or_default() += count;
        }
        let mut out: Vec<FacetCount> =
            months.into_iter().map(|(value, count)| FacetCount { value, count }).collect();
        out.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.value.cmp(&b.value)));
        Ok(out)
    }
}

impl SegmentCollector for MonthSegmentCollector {
    type Fruit = HashMap<String, u64>;

    fn collect(&mut self, doc: DocId, _: Score) {
        if let Some(day) = self.column.first(doc)
            && let Some(count) = self.counts.get_mut((day - self.min) as usize)
        {
            *count += 1;
        }
    }

    fn harvest(self) -> Self::Fruit {
        // Walk the days in order, a month's counts together: one string per month.
        // Day 0 is "no date": counting starts at day 1.
        let mut by_month: Vec<((i32, u32), u64)> = vec![];
        let mut date = crate::index::from_day_number(self.min.max(1));
        for &count in self.counts.iter().skip((self.min.max(1) - self.min) as usize) {
            let Some(day) = date else { break };
            if count > 0 {
                let key = (day.year(), day.month());
                match by_month.last_mut() {
                    Some((last, n)) if *last == key => *n += count,
                    _ => by_month.push((key, count)),
                }
            }
            date = day.succ_opt();
        }
        by_month
            .into_iter()
            .map(|((year, month), count)| (format!("{year:04}-{month:02}"), count))
            .collect()
    }
}

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
        let column = segment.fast_fields().str("entry_id")?;
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

/// Ranked items (score, address).
pub type Ranked = Vec<(f32, tantivy::DocAddress)>;

/// Groups ranked items by entry, entries in the order of their best item.
pub fn group_by_entry(
    searcher: &tantivy::Searcher,
    ranked: &[(f32, tantivy::DocAddress)],
) -> tantivy::Result<Vec<(String, Ranked)>> {
    let mut columns: HashMap<u32, Option<StrColumn>> = HashMap::new();
    let mut groups: Vec<(String, Ranked)> = vec![];
    let mut position: HashMap<String, usize> = HashMap::new();
    let mut id = String::new();
    for &(score, address) in ranked {
        let column = match columns.entry(address.segment_ord) {
            std::collections::hash_map::Entry::Occupied(e) => e.into_mut(),
            std::collections::hash_map::Entry::Vacant(e) => e.insert(
                searcher.segment_reader(address.segment_ord).fast_fields().str("entry_id")?,
            ),
        };
        let Some(column) = column else { continue };
        let Some(ord) = column.term_ords(address.doc_id).next() else { continue };
        id.clear();
        column.ord_to_str(ord, &mut id)?;
        match position.get(&id) {
            Some(&i) => groups[i].1.push((score, address)),
            None => {
                position.insert(id.clone(), groups.len());
                groups.push((id.clone(), vec![(score, address)]));
            }
        }
    }
    Ok(groups)
}
