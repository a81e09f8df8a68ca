//! How an archive's entries were dated and titled: the share of items dated by each rule
//! and at each precision, and the share of distinct titles, so that an odd archive
//! shows what was guessed.

use std::collections::{BTreeMap, HashSet};

use archive::digest::Entry;
use archive::digest::date::Precision;

/// Counts over the entries of one archive.
#[derive(Default)]
pub(super) struct Dating {
    entries: usize,
    items: usize,
    /// Rule (or `none`) -> (entries, items).
    by_source: BTreeMap<String, (usize, usize)>,
    /// Precision (or `none`) -> items.
    by_precision: BTreeMap<String, usize>,
    titles: HashSet<String>,
}

impl Dating {
    pub(super) fn add(&mut self, entry: &Entry) {
        let items = entry.items.len();
        let source = entry.date_source.map_or("none", |s| s.name()).replace('_', " ");
        let precision = match entry.date {
            Some(_) => entry.date_precision.name(),
            None => "none",
        };
        let row = self.by_source.entry(source).or_default();
        row.0 += 1;
        row.1 += items;
        *self.by_precision.entry(precision.to_string()).or_default() += items;
        self.entries += 1;
        self.items += items;
        self.titles.insert(entry.title.clone());
    }

    /// One paragraph: where the entries' dates came from, the items' precision, and
    /// the distinct titles.
    pub(super) fn summary(&self) -> String {
        let share = |n: usize, of: usize| 100.0 * n as f64 / of.max(1) as f64;
        let sources: Vec<String> = self
            .by_source
            .iter()
            .map(|(source, (entries, items))| {
                format!("{source} {entries} ({items} items, {:.1}%)", share(*items, self.items))
            })
            .collect();
        let precisions: Vec<String> = [Precision::Day, Precision::Month, Precision::Year]
            .iter()
            .map(|p| p.name())
            .chain(["none"])
            .filter_map(|p| {
                let n = *self.by_precision.get(p)?;
                Some(format!("{p} {:.1}%", share(n, self.items)))
            })
            .collect();
        format!(
            "Entries dated by: {}. Items by precision of their date: {}. Distinct titles: {} of {} entries ({:.1}%).\n\n",
            sources.join(", "),
            precisions.join(", "),
            self.titles.len(),
            self.entries,
            share(self.titles.len(), self.entries)
        )
    }
}
