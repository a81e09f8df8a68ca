//! The schema in one place: field handles, analyzers, and how an [`Entry`] becomes
//! Tantivy documents.
//!
//! One document per item (kind `item`), carrying its entry's fields, plus one document
//! per entry (kind `entry`) holding what the incremental sync and the entry page need:
//! the content hash, size and mtime of the file, and the Markdown body.

use chrono::{Datelike, NaiveDate};
use tantivy::schema::{
    DateOptions, Field, INDEXED, IndexRecordOption, STORED, STRING, Schema, TextFieldIndexing,
    TextOptions,
};
use tantivy::tokenizer::{
    AsciiFoldingFilter, Language, LowerCaser, RawTokenizer, RemoveLongFilter, SimpleTokenizer,
    Stemmer, TextAnalyzer, Token, TokenFilter, TokenStream, Tokenizer,
};
use tantivy::{DateTime, Index, TantivyDocument};

use crate::digest::{Entry, SourceFile};

/// Bumped whenever the schema or the analyzers change: an index built with another
/// version is rebuilt in full.
pub const SCHEMA_VERSION: u32 = 3;

/// The analyzer of text fields: words split on non-alphanumerics, lower-cased,
/// accents folded, English-stemmed.
pub const TEXT_ANALYZER: &str = "archive_text";
/// The analyzer of the suggestion dictionary: words, lower-cased, not stemmed.
pub const WORDS_ANALYZER: &str = "archive_words";
/// The analyzer of exact fields (topics, sources...): the whole value, lower-cased.
pub const KEYWORD_ANALYZER: &str = "archive_keyword";

/// Field handles, resolved once.
#[derive(Debug, Clone)]
pub struct Fields {
    /// `item` or `entry`.
    pub kind: Field,
    /// The entry id (on both kinds).
    pub entry_id: Field,
    /// Item anchor.
    pub anchor: Field,
    /// Item position in its entry.
    pub ord: Field,
    /// Byte offset of the item's anchor block in the entry's Markdown body.
    pub offset: Field,
    /// Entry title (searchable on items, stored on both).
    pub entry_title: Field,
    /// Item title.
    pub title: Field,
    /// Headings above the item, joined with ` › `.
    pub context: Field,
    /// Item plain text.
    pub text: Field,
    /// Sources, topics, authors and series as searchable words.
    pub meta: Field,
    /// Title and text words, lower-cased but not stemmed: the dictionary that spelling
    /// suggestions are drawn from.
    pub words: Field,
    /// Entry date (both kinds).
    pub date: Field,
    /// `YYYY-MM` of the date, for month facets.
    pub month: Field,
    /// Item topics.
    pub topics: Field,
    /// Item sources.
    pub sources: Field,
    /// Entry authors.
    pub authors: Field,
    /// Entry series.
    pub series: Field,
    /// Domains the item links to.
    pub sites: Field,
    /// GitHub repositories the item links to.
    pub repos: Field,
    /// Other list facets as `name:value`.
    pub facets: Field,
    /// Item links as JSON `[{"url","text"}]`.
    pub links: Field,
    /// Entry: file path below the archive root.
    pub path: Field,
    /// Entry: content hash of the file.
    pub hash: Field,
    /// Entry: file size.
    pub size: Field,
    /// Entry: file mtime (ns).
    pub mtime: Field,
    /// Entry: the Markdown body.
    pub markdown: Field,
    /// Entry: metadata as JSON (authors, series, tags, facets, warnings...).
    pub entry_json: Field,
}

/// Builds the schema and its field handles.
pub fn schema() -> (Schema, Fields) {
    let mut b = Schema::builder();
    let text = |stored: bool| {
        let indexing = TextFieldIndexing::default()
            .set_tokenizer(TEXT_ANALYZER)
            .set_index_option(IndexRecordOption::WithFreqsAndPositions);
        let options = TextOptions::default().set_indexing_options(indexing);
        if stored { options.set_stored() } else { options }
    };
    let keyword = || {
        let indexing = TextFieldIndexing::default()
            .set_tokenizer(KEYWORD_ANALYZER)
            .set_index_option(IndexRecordOption::Basic)
            .set_fieldnorms(false);
        TextOptions::default().set_indexing_options(indexing).set_stored().set_fast("raw")
    };
    let fields = Fields {
        kind: b.add_text_field("kind", STRING),
        entry_id: b.add_text_field("entry_id", STRING | STORED | tantivy::schema::FAST),
        anchor: b.add_text_field("anchor", STORED),
        ord: b.add_u64_field("ord", STORED),
        offset: b.add_u64_field("offset", STORED),
        entry_title: b.add_text_field("entry_title", text(true)),
        title: b.add_text_field("title", text(true)),
        context: b.add_text_field("context", STORED),
        text: b.add_text_field("text", text(true)),
        meta: b.add_text_field("meta", text(false)),
        words: b.add_text_field(
            "words",
            TextOptions::default().set_indexing_options(
                TextFieldIndexing::default()
                    .set_tokenizer(WORDS_ANALYZER)
                    .set_index_option(IndexRecordOption::Basic)
                    .set_fieldnorms(false),
            ),
        ),
        date: b.add_date_field("date", DateOptions::from(INDEXED).set_fast().set_stored()),
        month: b.add_text_field("month", STRING.set_fast("raw")),
        topics: b.add_text_field("topics", keyword()),
        sources: b.add_text_field("sources", keyword()),
        authors: b.add_text_field("authors", keyword()),
        series: b.add_text_field("series", keyword()),
        sites: b.add_text_field("sites", keyword()),
        repos: b.add_text_field("repos", keyword()),
        facets: b.add_text_field("facets", keyword()),
        links: b.add_text_field("links", STORED),
        path: b.add_text_field("path", STORED),
        hash: b.add_u64_field("hash", tantivy::schema::FAST),
        size: b.add_u64_field("size", tantivy::schema::FAST),
        mtime: b.add_i64_field("mtime", tantivy::schema::FAST),
        markdown: b.add_text_field("markdown", STORED),
        entry_json: b.add_text_field("entry_json", STORED),
    };
    (b.build(), fields)
}

/// Registers our analyzers on an index (they are not persisted with it).
pub fn register_analyzers(index: &Index) {
    index.tokenizers().register(TEXT_ANALYZER, text_analyzer());
    index.tokenizers().register(WORDS_ANALYZER, words_analyzer());
    index.tokenizers().register(
        KEYWORD_ANALYZER,
        TextAnalyzer::builder(RawTokenizer::default()).filter(LowerCaser).build(),
    );
}

/// The text analyzer of the index: words split on non-alphanumerics, lower-cased,
/// accents folded, a model name's letters also indexed on their own (`qwen2` is found
/// as `qwen`), English-stemmed.
pub fn text_analyzer() -> TextAnalyzer {
    TextAnalyzer::builder(SimpleTokenizer::default())
        .filter(RemoveLongFilter::limit(48))
        .filter(LowerCaser)
        .filter(AsciiFoldingFilter)
        .filter(LetterPrefix)
        .filter(Stemmer::new(Language::English))
        .build()
}

/// The analyzer that turns query words into terms: the text analyzer without the
/// extra letter-prefix tokens (a query for `qwen3` means `qwen3`).
pub fn query_analyzer() -> TextAnalyzer {
    TextAnalyzer::builder(SimpleTokenizer::default())
        .filter(RemoveLongFilter::limit(48))
        .filter(LowerCaser)
        .filter(AsciiFoldingFilter)
        .filter(Stemmer::new(Language::English))
        .build()
}

/// For a token of 4+ letters followed by digits (`qwen2`, `llama3`), also emits the
/// letters (`qwen`, `llama`) at the same position. Shorter prefixes (`int4`, `gpt4`)
/// stay whole, so acronyms with numbers keep their meaning.
#[derive(Clone, Copy)]
pub struct LetterPrefix;

impl TokenFilter for LetterPrefix {
    type Tokenizer<T: Tokenizer> = LetterPrefixFilter<T>;

    fn transform<T: Tokenizer>(self, inner: T) -> LetterPrefixFilter<T> {
        LetterPrefixFilter { inner }
    }
}

/// [`LetterPrefix`] around a tokenizer.
#[derive(Clone)]
pub struct LetterPrefixFilter<T> {
    inner: T,
}

impl<T: Tokenizer> Tokenizer for LetterPrefixFilter<T> {
    type TokenStream<'a> = LetterPrefixStream<T::TokenStream<'a>>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> Self::TokenStream<'a> {
        LetterPrefixStream { tail: self.inner.token_stream(text), pending: None, current: None }
    }
}

/// The token stream of [`LetterPrefixFilter`].
pub struct LetterPrefixStream<S> {
    tail: S,
    pending: Option<Token>,
    current: Option<Token>,
}

impl<S: TokenStream> TokenStream for LetterPrefixStream<S> {
    fn advance(&mut self) -> bool {
        self.current = None;
        if let Some(extra) = self.pending.take() {
            self.current = Some(extra);
            return true;
        }
        if !self.tail.advance() {
            return false;
        }
        let token = self.tail.token();
        let letters = token.text.find(|c: char| !c.is_alphabetic()).unwrap_or(token.text.len());
        if letters >= 4 && token.text[letters..].starts_with(|c: char| c.is_ascii_digit()) {
            self.pending = Some(Token { text: token.text[..letters].to_string(), ..token.clone() });
        }
        true
    }

    fn token(&self) -> &Token {
        self.current.as_ref().unwrap_or_else(|| self.tail.token())
    }

    fn token_mut(&mut self) -> &mut Token {
        match &mut self.current {
            Some(token) => token,
            None => self.tail.token_mut(),
        }
    }
}

/// The analyzer of the suggestion dictionary.
pub fn words_analyzer() -> TextAnalyzer {
    TextAnalyzer::builder(SimpleTokenizer::default())
        .filter(RemoveLongFilter::limit(32))
        .filter(LowerCaser)
        .filter(AsciiFoldingFilter)
        .build()
}

/// A date as Tantivy stores it (midnight UTC of that day).
pub fn to_datetime(date: NaiveDate) -> DateTime {
    let secs = date.and_hms_opt(0, 0, 0).expect("midnight exists").and_utc().timestamp();
    DateTime::from_timestamp_secs(secs)
}

/// A stored Tantivy date back to a calendar date.
pub fn from_datetime(dt: DateTime) -> Option<NaiveDate> {
    chrono::DateTime::from_timestamp(dt.into_timestamp_secs(), 0).map(|d| d.date_naive())
}

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
    pub facets: std::collections::BTreeMap<String, Vec<String>>,
    /// Front-matter style.
    pub front_matter: crate::digest::Style,
    /// Problems found while reading it.
    pub warnings: Vec<String>,
}

impl Fields {
    /// The documents of one entry: the entry document, then one per item.
    pub fn documents(&self, entry: &Entry, file: &SourceFile, hash: u64) -> Vec<TantivyDocument> {
        let mut docs = Vec::with_capacity(entry.items.len() + 1);
        let date = entry.date.map(to_datetime);
        let month = entry.date.map(|d| format!("{:04}-{:02}", d.year(), d.month()));

        let mut doc = TantivyDocument::new();
        doc.add_text(self.kind, "entry");
        doc.add_text(self.entry_id, &entry.id);
        doc.add_text(self.entry_title, &entry.title);
        if let Some(date) = date {
            doc.add_date(self.date, date);
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
        };
        doc.add_text(self.entry_json, serde_json::to_string(&meta).expect("serializable"));
        docs.push(doc);

        for (ord, item) in entry.items.iter().enumerate() {
            let mut doc = TantivyDocument::new();
            doc.add_text(self.kind, "item");
            doc.add_text(self.entry_id, &entry.id);
            doc.add_text(self.anchor, &item.anchor);
            doc.add_u64(self.ord, ord as u64);
            doc.add_u64(self.offset, item.offset as u64);
            doc.add_text(self.entry_title, &entry.title);
            doc.add_text(self.title, &item.title);
            if !item.context.is_empty() {
                doc.add_text(self.context, item.context.join(" › "));
            }
            doc.add_text(self.text, &item.text);
            doc.add_text(self.words, &item.title);
            doc.add_text(self.words, &item.text);
            if let Some(date) = date {
                doc.add_date(self.date, date);
            }
            if let Some(month) = &month {
                doc.add_text(self.month, month);
            }
            let mut meta_words = vec![];
            for topic in &item.topics {
                doc.add_text(self.topics, topic);
                meta_words.push(topic.as_str());
            }
            for source in &item.sources {
                doc.add_text(self.sources, source);
                meta_words.push(source.as_str());
            }
            for author in &entry.authors {
                doc.add_text(self.authors, author);
                meta_words.push(author.as_str());
            }
            if let Some(series) = &entry.series {
                doc.add_text(self.series, series);
                meta_words.push(series.as_str());
            }
            doc.add_text(self.meta, meta_words.join(" \n "));
            let mut sites: Vec<String> =
                item.links.iter().filter_map(|l| crate::digest::sources::site(&l.url)).collect();
            sites.sort();
            sites.dedup();
            for site in sites {
                doc.add_text(self.sites, site);
            }
            for repo in &item.repos {
                doc.add_text(self.repos, repo);
            }
            for (name, values) in &entry.facets {
                for value in values {
                    doc.add_text(self.facets, format!("{name}:{value}"));
                }
            }
            doc.add_text(self.links, serde_json::to_string(&item.links).expect("serializable"));
            docs.push(doc);
        }
        docs
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn analyze(mut analyzer: TextAnalyzer, text: &str) -> Vec<(String, usize)> {
        let mut stream = analyzer.token_stream(text);
        let mut out = vec![];
        while let Some(t) = stream.next() {
            out.push((t.text.clone(), t.position));
        }
        out
    }

    #[test]
    fn model_names_are_also_indexed_by_their_letters() {
        let got = analyze(text_analyzer(), "Qwen2-7B beats llama3 and GLM-5 at INT4 via llama.cpp");
        let want = [
            ("qwen2", 0),
            ("qwen", 0),
            ("7b", 1),
            ("beat", 2),
            ("llama3", 3),
            ("llama", 3),
            ("and", 4),
            ("glm", 5),
            ("5", 6),
            ("at", 7),
            ("int4", 8),
            ("via", 9),
            ("llama", 10),
            ("cpp", 11),
        ];
        let want: Vec<(String, usize)> = want.iter().map(|(t, p)| (t.to_string(), *p)).collect();
        assert_eq!(got, want);
        let query: Vec<String> =
            analyze(query_analyzer(), "Qwen3 gpt-4o").into_iter().map(|t| t.0).collect();
        assert_eq!(query, ["qwen3", "gpt", "4o"]);
    }
}
