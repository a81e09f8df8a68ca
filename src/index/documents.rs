//! An [`Entry`] -> its Tantivy documents: one for the entry, then one per item.

use std::collections::BTreeMap;

use tantivy::TantivyDocument;

use tantivy::tokenizer::PreTokenizedString;

use super::analysis::{language_analyzer, tokens, words_analyzer};
use super::dates::{day_number, to_datetime};
use super::schema::{Counted, Fields, Kind, SOURCE_NAME_SEPARATOR};
use crate::digest::date::{DateSource, Precision};
use crate::digest::{Entry, SourceFile, Style, is_cjk, sources};

/// What the entry document stores as JSON, beside its own fields.
#[derive(Debug, serde::Serialize, serde::Deserialize)]
pub struct EntryMeta {
    /// File path below the archive root.
    pub path: String,
    /// Authors.
    pub authors: Vec<String>,
    /// Series.
    pub series: Option<String>,
    /// Tags.
    pub tags: Vec<String>,
    /// Other list facets.
    pub facets: BTreeMap<String, Vec<String>>,
    /// Front-matter style.
    pub front_matter: Style,
    /// Problems found while reading it.
    pub warnings: Vec<String>,
    /// Marked as a draft.
    #[serde(default)]
    pub draft: bool,
    /// Its language, when not English.
    #[serde(default)]
    pub language: Option<String>,
    /// Where its date was found.
    #[serde(default)]
    pub date_source: Option<DateSource>,
}

impl Fields {
    /// The documents of one entry: the entry document, then one per item.
    pub fn documents(&self, entry: &Entry, file: &SourceFile, hash: u64) -> Vec<TantivyDocument> {
        let mut docs = Vec::with_capacity(entry.items.len() + 1);
        docs.push(self.entry_document(entry, file, hash));
        docs.extend((0..entry.items.len()).map(|ord| self.item_document(entry, ord)));
        docs
    }

    /// The entry document: what the sync, the entry page and suggestions need.
    fn entry_document(&self, entry: &Entry, file: &SourceFile, hash: u64) -> TantivyDocument {
        let mut doc = TantivyDocument::new();
        doc.add_text(self.kind, Kind::Entry.as_str());
        doc.add_text(self.entry_id, &entry.id);
        doc.add_text(self.entry_name, &entry.title);
        doc.add_u64(self.day, day_number(entry.date));
        if let Some(date) = entry.date {
            doc.add_date(self.entry_date, to_datetime(date));
            doc.add_u64(self.date_precision, entry.date_precision.code());
        }
        doc.add_text(self.path, &file.rel);
        doc.add_u64(self.hash, hash);
        doc.add_u64(self.size, file.size);
        doc.add_i64(self.mtime, file.mtime);
        doc.add_text(self.markdown, &entry.body);
        let meta = EntryMeta {
            path: file.rel.clone(),
            authors: entry.authors.clone(),
            series: entry.series.clone(),
            tags: entry.tags.clone(),
            facets: entry.facets.clone(),
            front_matter: entry.front_matter,
            warnings: entry.warnings.clone(),
            draft: entry.draft,
            language: entry.language.clone(),
            date_source: entry.date_source,
        };
        doc.add_text(self.entry_json, serde_json::to_string(&meta).expect("serializable"));
        doc.add_text(self.words, distinct_words(entry));
        if entry.draft {
            doc.add_text(self.draft, "true");
        }
        doc
    }

    /// The document of the entry's item at `ord`: what a search matches and shows.
    // Long on purpose: one field after another, in the schema's order, so that a field
    // added to the schema has one obvious place here.
    fn item_document(&self, entry: &Entry, ord: usize) -> TantivyDocument {
        let item = &entry.items[ord];
        let mut doc = TantivyDocument::new();
        doc.add_text(self.kind, Kind::Item.as_str());
        doc.add_text(self.entry_id, &entry.id);
        if entry.draft {
            doc.add_text(self.draft, "true");
        }
        doc.add_text(self.anchor, &item.anchor);
        doc.add_u64(self.ord, ord as u64);
        doc.add_u64(self.offset, item.offset as u64);
        // Its part of the body: to its last block's end, and never into the next item
        // (nor into the heading of a section that holds only a link list).
        let next = entry.items.get(ord + 1).map_or(entry.body.len(), |next| next.offset);
        let end = item.end.min(next);
        doc.add_u64(self.end, end.max(item.offset) as u64);
        doc.add_text(self.entry_title, &entry.title);
        doc.add_text(self.title, &item.title);
        if !item.context.is_empty() {
            doc.add_text(self.context, item.context.join(" › "));
        }
        // `text` decides matches and scores them: in another language it is analyzed
        // with that language's stemmer here and indexed as analyzed. The item's title is
        // in it twice, which weighs its words above the rest.
        let mut analyzer = entry.language.as_deref().and_then(language_analyzer);
        for text in [&item.title, &item.title, &entry.title, &item.text] {
            match &mut analyzer {
                Some(analyzer) => doc.add_pre_tokenized_text(
                    self.text,
                    PreTokenizedString { text: text.to_string(), tokens: tokens(analyzer, text) },
                ),
                None => doc.add_text(self.text, text),
            }
        }
        doc.add_text(self.lang, entry.language.as_deref().unwrap_or("en"));
        // An item of a dated section has its own day; the others, their entry's date.
        let (date, precision) = match item.date {
            Some(day) => (Some(day), Precision::Day),
            None => (entry.date, entry.date_precision),
        };
        if let Some(date) = date {
            doc.add_date(self.date, to_datetime(date));
            doc.add_u64(self.date_precision, precision.code());
        }
        doc.add_u64(self.day, day_number(date));
        // Each as a value of its own: a phrase does not run from one into the next.
        let keywords = [
            (self.topics, &item.topics[..]),
            (self.sources, &item.sources[..]),
            (self.tags, &entry.tags[..]),
            (self.authors, &entry.authors[..]),
            (self.series, entry.series.as_slice()),
        ];
        for (field, values) in keywords {
            for value in values {
                doc.add_text(field, value);
                doc.add_text(self.text, value);
            }
        }
        let counted = [
            (Counted::Topic, &item.topics[..]),
            (Counted::Source, &item.sources[..]),
            (Counted::Tag, &entry.tags[..]),
        ];
        for (group, values) in counted {
            for value in values {
                doc.add_text(self.counted, group.value(value));
            }
        }
        let mut sites: Vec<String> =
            item.links.iter().filter_map(|l| sources::site(&l.url)).collect();
        sites.sort();
        sites.dedup();
        for site in sites {
            doc.add_text(self.sites, site);
        }
        for repo in &item.repos {
            doc.add_text(self.repos, repo);
        }
        for story in &item.stories {
            doc.add_u64(self.stories, story.0);
        }
        if let Some(vector) = &item.meaning {
            for (field, word) in self.meaning.iter().zip(vector.to_words()) {
                doc.add_u64(*field, word);
            }
        }
        for (domain, name) in &item.named_domains {
            doc.add_text(self.source_names, format!("{domain}{SOURCE_NAME_SEPARATOR}{name}"));
            // The domain is one more word of the item: `forbes.com` finds it as words.
            doc.add_text(self.text, domain);
        }
        for (name, values) in &entry.facets {
            for value in values {
                doc.add_text(self.facets, format!("{name}:{value}"));
            }
        }
        doc
    }
}

/// The distinct words of an entry's titles and texts, as the suggestion dictionary
/// holds them, space-separated: one posting per word and entry, not one per
/// occurrence. Only words a suggestion can be: 4+ letters and nothing else (typos are
/// looked up for words of 5+ letters, at most one edit away below 9).
fn distinct_words(entry: &Entry) -> String {
    let mut analyzer = words_analyzer();
    let mut seen = rustc_hash::FxHashSet::default();
    let mut out = String::new();
    let texts = std::iter::once(entry.title.as_str())
        .chain(entry.items.iter().flat_map(|i| [i.title.as_str(), i.text.as_str()]));
    for text in texts {
        let mut stream = analyzer.token_stream(text);
        while let Some(token) = stream.next() {
            // CJK text has no spelling to correct: it is searched as it is written.
            let letters = token.text.chars().all(|c| c.is_alphabetic() && !is_cjk(c));
            if letters && token.text.chars().count() >= 4 && seen.insert(token.text.clone()) {
                out.push_str(&token.text);
                out.push(' ');
            }
        }
    }
    out
}
