//! One publication, one source: a site that some item's text names (`forbes.com`
//! named `Forbes`) is that name everywhere. The pairs are read from the index's
//! `source_names` terms (one per distinct pair, so the read is small), and applied to
//! `source:` filters (either spelling finds both), to facet counts and to the sources
//! shown with hits.

use std::collections::HashMap;

use tantivy::Searcher;

use super::FacetCount;
use crate::index::{Fields, SOURCE_NAME_SEPARATOR};

/// Domains and the names the archive gives them.
#[derive(Debug, Default)]
pub struct SourceNames {
    /// Domain -> its name (the one most items use).
    names: HashMap<String, String>,
    /// Name, lower-cased -> the domains it names.
    domains: HashMap<String, Vec<String>>,
}

impl SourceNames {
    /// The pairs of a searcher's index.
    pub fn read(searcher: &Searcher, f: &Fields) -> tantivy::Result<SourceNames> {
        let mut counted: HashMap<(String, String), u64> = HashMap::new();
        for segment in searcher.segment_readers() {
            let inverted = segment.inverted_index(f.source_names)?;
            let mut stream = inverted.terms().stream()?;
            while stream.advance() {
                let Ok(term) = std::str::from_utf8(stream.key()) else { continue };
                if let Some((domain, name)) = term.split_once(SOURCE_NAME_SEPARATOR) {
                    *counted.entry((domain.to_string(), name.to_string())).or_default() +=
                        u64::from(stream.value().doc_freq);
                }
            }
        }
        let mut pairs: Vec<((String, String), u64)> = counted.into_iter().collect();
        // Most used first, then by name, so the choice is stable.
        pairs.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        let mut out = SourceNames::default();
        for ((domain, name), _) in pairs {
            if out.names.contains_key(&domain) {
                continue;
            }
            out.domains.entry(name.to_lowercase()).or_default().push(domain.clone());
            out.names.insert(domain, name);
        }
        Ok(out)
    }

    /// A source as shown: a named domain's name, anything else as it is.
    pub fn shown<'a>(&'a self, source: &'a str) -> &'a str {
        self.names.get(source).map_or(source, String::as_str)
    }

    /// Every spelling a `source:` filter value stands for: itself, the domains a name
    /// names, the name of a domain (typed with or without `www.`).
    pub fn spellings(&self, value: &str) -> Vec<String> {
        let lower = value.trim().to_lowercase();
        let mut out = vec![lower.clone()];
        let site = lower.strip_prefix("www.").unwrap_or(&lower).to_string();
        if site != lower {
            out.push(site.clone());
        }
        let name = self.names.get(&site).map(|n| n.to_lowercase());
        for key in std::iter::once(&lower).chain(name.as_ref()) {
            for d in self.domains.get(key).into_iter().flatten() {
                out.push(d.clone());
            }
            if !out.contains(key) {
                out.push(key.clone());
            }
        }
        out.sort();
        out.dedup();
        out
    }

    /// Sources as shown, each once.
    pub fn show_all(&self, sources: Vec<String>) -> Vec<String> {
        let mut out: Vec<String> = vec![];
        for source in sources {
            let shown = self.shown(&source).to_string();
            if !out.contains(&shown) {
                out.push(shown);
            }
        }
        out
    }

    /// Facet counts with each named domain's count added to its name's.
    pub fn merge(&self, counts: Vec<FacetCount>) -> Vec<FacetCount> {
        if self.names.is_empty() {
            return counts;
        }
        let mut merged: Vec<FacetCount> = vec![];
        let mut at: HashMap<String, usize> = HashMap::new();
        for count in counts {
            let value = self.shown(&count.value).to_string();
            match at.get(&value) {
                Some(&i) => merged[i].count += count.count,
                None => {
                    at.insert(value.clone(), merged.len());
                    merged.push(FacetCount { value, count: count.count });
                }
            }
        }
        merged.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.value.cmp(&b.value)));
        merged
    }
}
