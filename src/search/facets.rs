//! Facet counts over every matching item, read from the string fast fields' term
//! ordinals (never from stored documents).

use std::collections::HashMap;

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

/// Counts per value for each of a list of string fast fields.
pub struct FacetCollector {
    fields: Vec<&'static str>,
}

impl FacetCollector {
    /// Counts the values of these fast fields.
    pub fn new(fields: Vec<&'static str>) -> Self {
        FacetCollector { fields }
    }
}

/// Per segment: the columns and a counter per term ordinal.
pub struct FacetSegmentCollector {
    columns: Vec<Option<(StrColumn, Vec<u64>)>>,
}

impl Collector for FacetCollector {
    type Fruit = Vec<HashMap<String, u64>>;
    type Child = FacetSegmentCollector;

    fn for_segment(&self, _: u32, segment: &SegmentReader) -> tantivy::Result<Self::Child> {
        let mut columns = vec![];
        for field in &self.fields {
            let column = segment.fast_fields().str(field)?;
            columns.push(column.map(|c| {
                let n = c.num_terms();
                (c, vec![0u64; n])
            }));
        }
        Ok(FacetSegmentCollector { columns })
    }

    fn requires_scoring(&self) -> bool {
        false
    }

    fn merge_fruits(&self, fruits: Vec<Self::Fruit>) -> tantivy::Result<Self::Fruit> {
        let mut merged = vec![HashMap::new(); self.fields.len()];
        for fruit in fruits {
            for (into, from) in merged.iter_mut().zip(fruit) {
                for (value, count) in from {
                    *into.entry(value).or_insert(0) += count;
                }
            }
        }
        Ok(merged)
    }
}

impl SegmentCollector for FacetSegmentCollector {
    type Fruit = Vec<HashMap<String, u64>>;

    fn collect(&mut self, doc: DocId, _: Score) {
        for (column, counts) in self.columns.iter_mut().flatten() {
            for ord in column.term_ords(doc) {
                counts[ord as usize] += 1;
            }
        }
    }

    fn harvest(self) -> Self::Fruit {
        self.columns
            .into_iter()
            .map(|column| {
                let mut out = HashMap::new();
                let Some((column, counts)) = column else { return out };
                let (ords, counts): (Vec<u64>, Vec<u64>) = counts
                    .into_iter()
                    .enumerate()
                    .filter(|(_, c)| *c > 0)
                    .map(|(o, c)| (o as u64, c))
                    .unzip();
                // One pass over the sorted dictionary, not a lookup per value.
                let mut counts = counts.into_iter();
                let _ = column.dictionary().sorted_ords_to_term_cb(&ords, |term| {
                    if let Some(count) = counts.next() {
                        out.insert(String::from_utf8_lossy(term).into_owned(), count);
                    }
                });
                out
            })
            .collect()
    }
}

/// Sorts counts highest first (ties by value) and keeps the first `limit`.
pub fn top(counts: HashMap<String, u64>, limit: usize) -> Vec<FacetCount> {
    let mut v: Vec<FacetCount> =
        counts.into_iter().map(|(value, count)| FacetCount { value, count }).collect();
    v.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.value.cmp(&b.value)));
    v.truncate(limit);
    v
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

/// Groups ranked items by entry, entries in the order of their best item.
pub fn group_by_entry(
    searcher: &tantivy::Searcher,
    ranked: &[(f32, tantivy::DocAddress)],
) -> tantivy::Result<Vec<(String, Vec<(f32, tantivy::DocAddress)>)>> {
    let mut columns: HashMap<u32, Option<StrColumn>> = HashMap::new();
    let mut groups: Vec<(String, Vec<(f32, tantivy::DocAddress)>)> = vec![];
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
