//! Lookups around entries: all values of a facet, the previous and next entry by date,
//! related entries, and a health check.

use std::collections::HashMap;

use serde::Serialize;
use tantivy::collector::TopDocs;
use tantivy::query::{BooleanQuery, Occur, Query, RangeQuery, TermQuery};
use tantivy::schema::{IndexRecordOption, Value};
use tantivy::{DateTime, Order, TantivyDocument, Term};

use super::facets::{self, FacetCollector, FacetCount};
use super::{Engine, EntryView, SearchError, first_str};
use crate::index::{from_datetime, to_datetime};

/// A link to an entry: enough to list it.
#[derive(Debug, Clone, Serialize)]
pub struct EntryLink {
    /// Its id.
    pub id: String,
    /// Its title.
    pub title: String,
    /// Its date.
    pub date: Option<String>,
}

/// What the index holds, for `/healthz`.
#[derive(Debug, Clone, Serialize)]
pub struct Health {
    /// Entries in the index.
    pub entries: usize,
    /// Items in the index.
    pub items: usize,
    /// Segments the searcher reads.
    pub segments: usize,
}

/// A facet that can be listed in full.
#[derive(Debug, Clone, Copy)]
pub enum Facet {
    /// Topics.
    Topics,
    /// Sources.
    Sources,
}

impl Engine {
    fn kind(&self, kind: &str) -> Box<dyn Query> {
        super::build::kind(self.fields(), kind)
    }

    /// Every value of a facet over all items, with counts, most frequent first.
    pub fn facet_values(&self, facet: Facet) -> Result<Vec<FacetCount>, SearchError> {
        let name = match facet {
            Facet::Topics => "topics",
            Facet::Sources => "sources",
        };
        let searcher = self.reader.searcher();
        let collector = FacetCollector::new(vec![(name, usize::MAX)]);
        Ok(searcher.search(&*self.kind("item"), &collector)?.pop().unwrap_or_default())
    }

    /// Entries and items from every segment's term dictionary (cheap, and it fails on
    /// a damaged index). Counts include documents deleted but not yet merged away.
    pub fn health(&self) -> Result<Health, SearchError> {
        if let Some(cause) = self.damage.read().unwrap_or_else(|e| e.into_inner()).clone() {
            return Err(SearchError::Damaged(cause));
        }
        let searcher = self.reader.searcher();
        let count =
            |kind: &str| searcher.doc_freq(&Term::from_field_text(self.fields().kind, kind));
        Ok(Health {
            entries: count("entry")? as usize,
            items: count("item")? as usize,
            segments: searcher.segment_readers().len(),
        })
    }

    /// The entries just before and just after this one by date (ties by id).
    pub fn neighbours(
        &self,
        entry: &EntryView,
    ) -> Result<(Option<EntryLink>, Option<EntryLink>), SearchError> {
        let Some(date) = entry.date.as_deref().and_then(|d| d.parse::<chrono::NaiveDate>().ok())
        else {
            return Ok((None, None));
        };
        let f = self.fields();
        let searcher = self.reader.searcher();
        let at = Term::from_field_date(f.entry_date, to_datetime(date));
        let mut found = [None, None];
        for (slot, order, range) in [
            (
                0,
                Order::Desc,
                RangeQuery::new(std::ops::Bound::Unbounded, std::ops::Bound::Included(at.clone())),
            ),
            (
                1,
                Order::Asc,
                RangeQuery::new(std::ops::Bound::Included(at.clone()), std::ops::Bound::Unbounded),
            ),
        ] {
            let query = BooleanQuery::new(vec![
                (Occur::Must, self.kind("entry")),
                (Occur::Must, Box::new(range)),
            ]);
            let top = TopDocs::with_limit(64).order_by_fast_field::<DateTime>("entry_date", order);
            let me = (date, entry.id.as_str());
            let mut best: Option<((chrono::NaiveDate, String), EntryLink)> = None;
            for (_, address) in searcher.search(&query, &top)? {
                let doc: TantivyDocument = searcher.doc(address)?;
                let d = doc
                    .get_first(f.entry_date)
                    .and_then(|v| v.as_datetime())
                    .and_then(from_datetime);
                let (Some(d), id) = (d, first_str(&doc, f.entry_id)) else { continue };
                let key = (d, id.clone());
                let wanted = if slot == 0 {
                    (key.0, key.1.as_str()) < me
                } else {
                    (key.0, key.1.as_str()) > me
                };
                let closer =
                    best.as_ref().is_none_or(|(b, _)| if slot == 0 { key > *b } else { key < *b });
                if wanted && closer {
                    let link = EntryLink {
                        id,
                        title: first_str(&doc, f.entry_name),
                        date: Some(d.to_string()),
                    };
                    best = Some((key, link));
                }
            }
            found[slot] = best.map(|(_, link)| link);
        }
        let [previous, next] = found;
        Ok((previous, next))
    }

    /// Entries sharing this one's topics and sources, best first.
    pub fn related(&self, entry: &EntryView, limit: usize) -> Result<Vec<EntryLink>, SearchError> {
        let f = self.fields();
        let mut weights: HashMap<(bool, &str), usize> = HashMap::new();
        for item in &entry.items {
            item.topics.iter().for_each(|t| *weights.entry((true, t)).or_default() += 1);
            item.sources.iter().for_each(|s| *weights.entry((false, s)).or_default() += 1);
        }
        let mut terms: Vec<_> = weights.into_iter().collect();
        terms.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        let should: Vec<(Occur, Box<dyn Query>)> = terms
            .into_iter()
            .take(12)
            .map(|((topic, value), _)| {
                let field = if topic { f.topics } else { f.sources };
                let q: Box<dyn Query> = Box::new(TermQuery::new(
                    Term::from_field_text(field, &value.to_lowercase()),
                    IndexRecordOption::Basic,
                ));
                (Occur::Should, q)
            })
            .collect();
        if should.is_empty() {
            return Ok(vec![]);
        }
        let query = BooleanQuery::new(vec![
            (Occur::Must, self.kind("item")),
            (Occur::Must, Box::new(BooleanQuery::new(should))),
            (
                Occur::MustNot,
                Box::new(TermQuery::new(
                    Term::from_field_text(f.entry_id, &entry.id),
                    IndexRecordOption::Basic,
                )),
            ),
        ]);
        let searcher = self.reader.searcher();
        let ranked = searcher.search(&query, &TopDocs::with_limit(200).order_by_score())?;
        let mut links = vec![];
        for (_, items) in facets::group_by_entry(&searcher, &ranked)?.into_iter().take(limit) {
            let doc: TantivyDocument = searcher.doc(items[0].1)?;
            links.push(EntryLink {
                id: first_str(&doc, f.entry_id),
                title: first_str(&doc, f.entry_title),
                date: super::date_of(&doc, f),
            });
        }
        Ok(links)
    }
}
