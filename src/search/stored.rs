//! Reading stored fields back: one value, all values, a date; and [`Bodies`], the
//! entries' Markdown that items' texts are cut from (the store keeps each text once).

use std::collections::HashMap;

use tantivy::collector::DocSetCollector;
use tantivy::query::{BooleanQuery, Query, TermQuery};
use tantivy::schema::{Field, IndexRecordOption, Value};
use tantivy::{DocAddress, Searcher, TantivyDocument, Term};

use crate::digest::date::Precision;
use crate::index::{Fields, Kind, from_datetime};

/// The first value of a text field, or "".
pub fn first_str(doc: &TantivyDocument, field: Field) -> String {
    doc.get_first(field).and_then(|v| v.as_str()).unwrap_or_default().to_string()
}

/// Every value of a text field.
pub fn all_str(doc: &TantivyDocument, field: Field) -> Vec<String> {
    doc.get_all(field).filter_map(|v| v.as_str()).map(str::to_string).collect()
}

/// The first value of a u64 field, or 0.
pub fn first_u64(doc: &TantivyDocument, field: Field) -> u64 {
    doc.get_first(field).and_then(|v| v.as_u64()).unwrap_or(0)
}

/// A stored date as the entry shows it: `YYYY-MM-DD`, or `YYYY-MM` and `YYYY` where
/// the archive gave no more (the document's `date_precision`).
pub fn date_in(doc: &TantivyDocument, field: Field, precision: Field) -> Option<String> {
    let date = doc.get_first(field).and_then(|v| v.as_datetime()).and_then(from_datetime)?;
    Some(precision_in(doc, precision).format(date))
}

/// The precision of a document's date (a day when it says nothing).
pub fn precision_in(doc: &TantivyDocument, precision: Field) -> Precision {
    Precision::from_code(doc.get_first(precision).and_then(|v| v.as_u64()).unwrap_or(0))
}

/// The Markdown of the entries on a page of hits: the store keeps an entry's text
/// once, in its Markdown, and an item only where its part is. Each entry document is
/// read once per search.
pub struct Bodies<'a> {
    searcher: &'a Searcher,
    f: &'a Fields,
    markdown: HashMap<String, String>,
}

impl<'a> Bodies<'a> {
    /// An empty cache over one searcher.
    pub fn new(searcher: &'a Searcher, f: &'a Fields) -> Self {
        Bodies { searcher, f, markdown: Default::default() }
    }

    /// The Markdown of the entry of the item at `address` (empty if it is gone). An
    /// entry's documents are added in one batch, the entry's first: it sits `ord + 1`
    /// documents before its item, unless a merge moved it (then it is looked up).
    pub fn of(&mut self, entry_id: &str, address: DocAddress, ord: u64) -> tantivy::Result<&str> {
        if !self.markdown.contains_key(entry_id) {
            let markdown = match self.guess(entry_id, address, ord)? {
                Some(doc) => Some(doc),
                None => self.look_up(entry_id)?,
            }
            .map(|doc| first_str(&doc, self.f.markdown))
            .unwrap_or_default();
            self.markdown.insert(entry_id.to_string(), markdown);
        }
        Ok(&self.markdown[entry_id])
    }

    /// The entry document where it is when no merge moved it, if it is there.
    fn guess(
        &self,
        entry_id: &str,
        address: DocAddress,
        ord: u64,
    ) -> tantivy::Result<Option<TantivyDocument>> {
        let guess = u32::try_from(ord + 1)
            .ok()
            .and_then(|back| address.doc_id.checked_sub(back))
            .map(|doc_id| DocAddress { doc_id, ..address });
        let Some(guess) = guess else { return Ok(None) };
        let doc: TantivyDocument = self.searcher.doc(guess)?;
        let f = self.f;
        let is_entry = doc.get_first(f.entry_id).and_then(|v| v.as_str()) == Some(entry_id)
            && doc.get_first(f.markdown).is_some();
        Ok(is_entry.then_some(doc))
    }

    /// The entry document, found through the index.
    fn look_up(&self, entry_id: &str) -> tantivy::Result<Option<TantivyDocument>> {
        let f = self.f;
        let term = |term: Term| -> Box<dyn Query> {
            Box::new(TermQuery::new(term, IndexRecordOption::Basic))
        };
        let query = BooleanQuery::intersection(vec![
            term(Term::from_field_text(f.entry_id, entry_id)),
            term(f.kind_term(Kind::Entry)),
        ]);
        match self.searcher.search(&query, &DocSetCollector)?.into_iter().next() {
            Some(at) => Ok(Some(self.searcher.doc(at)?)),
            None => Ok(None),
        }
    }
}
