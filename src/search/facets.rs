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
                for (ord, count) in counts.into_iter().enumerate().filter(|(_, c)| *c > 0) {
                    let mut value = String::new();
                    if column.ord_to_str(ord as u64, &mut value).unwrap_or(false) {
                        out.insert(value, count);
                    }
                }
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
