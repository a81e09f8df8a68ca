//! The schema in one place: field handles, analyzers, and how an [`Entry`] becomes
//! Tantivy documents.
//!
//! One document per item (kind `item`), carrying its entry's fields, plus one document
//! per entry (kind `entry`) holding what the incremental sync and the entry page need:
//! the content hash, size and mtime of the file, and the Markdown body.
//!
//! The store keeps each text once: an item stores where it is, not what it says. Its
//! text and links are read again from its entry's Markdown when a result needs them
//! ([`crate::digest::outline`] is a pure function of the body), and the store is
//! compressed with zstd.

use chrono::NaiveDate;
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
pub const SCHEMA_VERSION: u32 = 4;

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
    /// Byte offset in the body where the item's part ends (the next item's anchor):
    /// a hit's snippet is made from the text of `offset..end`.
    pub end: Field,
    /// Item: its entry's title.
    pub entry_title: Field,
    /// Item title.
    pub title: Field,
    /// Headings above the item, joined with ` › `.
    pub context: Field,
    /// Everything a word can match in an item: its title, its entry's title, its plain
    /// text, and its sources, topics, authors and series (indexed, not stored: see the
    /// module comment). One field, so a word is one posting list to intersect; the item
    /// title adds its own score beside it.
    pub text: Field,
    /// Entry: the distinct words of its titles and texts, lower-cased but not stemmed:
    /// the dictionary that spelling suggestions are drawn from.
    pub words: Field,
    /// Item: its entry's date.
    pub date: Field,
    /// Entry: its date. Entry documents index nothing a search looks at (their title
    /// and date have fields of their own), so a search needs no `kind:item` filter.
    pub entry_date: Field,
    /// Entry: its title (stored only).
    pub entry_name: Field,
    /// Both kinds: the date as a [`day_number`], a fast field that every document has
    /// (a dense column reads fastest): the sort key, and what month facets count.
    pub day: Field,
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
    // Only topics and sources are shown with a hit; the other keywords are filters.
    let keyword = |stored: bool| {
        let indexing = TextFieldIndexing::default()
            .set_tokenizer(KEYWORD_ANALYZER)
            .set_index_option(IndexRecordOption::Basic)
            .set_fieldnorms(false);
        let options = TextOptions::default().set_indexing_options(indexing).set_fast("raw");
        if stored { options.set_stored() } else { options }
    };
    let fields = Fields {
        kind: b.add_text_field("kind", STRING),
        entry_id: b.add_text_field("entry_id", STRING | STORED | tantivy::schema::FAST),
        anchor: b.add_text_field("anchor", STORED),
        ord: b.add_u64_field("ord", STORED),
        offset: b.add_u64_field("offset", STORED),
        end: b.add_u64_field("end", STORED),
        entry_title: b.add_text_field("entry_title", text(true)),
        title: b.add_text_field("title", text(true)),
        context: b.add_text_field("context", STORED),
        text: b.add_text_field("text", text(false)),
        words: b.add_text_field(
            "words",
            TextOptions::default().set_indexing_options(
                TextFieldIndexing::default()
                    .set_tokenizer(WORDS_ANALYZER)
                    .set_index_option(IndexRecordOption::Basic)
                    .set_fieldnorms(false),
            ),
        ),
        // Date filters read the term dictionary: a range is a few hundred days.
        date: b.add_date_field("date", DateOptions::from(INDEXED).set_stored()),
        entry_date: b
            .add_date_field("entry_date", DateOptions::from(INDEXED).set_fast().set_stored()),
        entry_name: b.add_text_field("entry_name", STORED),
        day: b.add_u64_field("day", tantivy::schema::FAST),
        topics: b.add_text_field("topics", keyword(true)),
        sources: b.add_text_field("sources", keyword(true)),
        authors: b.add_text_field("authors", keyword(false)),
        series: b.add_text_field("series", keyword(false)),
        sites: b.add_text_field("sites", keyword(false)),
        repos: b.add_text_field("repos", keyword(false)),
        facets: b.add_text_field("facets", keyword(false)),
        path: b.add_text_field("path", STORED),
        hash: b.add_u64_field("hash", tantivy::schema::FAST),
        size: b.add_u64_field("size", tantivy::schema::FAST),
        mtime: b.add_i64_field("mtime", tantivy::schema::FAST),
        markdown: b.add_text_field("markdown", STORED),
        entry_json: b.add_text_field("entry_json", STORED),
    };
    (b.build(), fields)
}

/// The settings of a new index: the document store compressed with zstd in blocks of
/// 64 KiB (less than half of lz4's 16 KiB blocks on digests; a hit decompresses one
/// block, about 0.1 ms).
pub fn settings() -> tantivy::IndexSettings {
    tantivy::IndexSettings {
        docstore_compression: tantivy::store::Compressor::Zstd(
            tantivy::store::ZstdCompressor::default(),
        ),
        docstore_blocksize: 64 << 10,
        ..Default::default()
    }
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
        .filter(MemoStemmer)
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

/// English stemming (Snowball, as Tantivy's [`Stemmer`]) with a memo of the words
/// already stemmed: digests repeat their words, and a lookup costs a fraction of the
/// algorithm. Each indexing thread has its own analyzer, hence its own memo.
#[derive(Clone, Copy)]
pub struct MemoStemmer;

/// Words remembered before the memo starts over.
const MEMO_WORDS: usize = 200_000;

impl TokenFilter for MemoStemmer {
    type Tokenizer<T: Tokenizer> = MemoStemmerFilter<T>;

    fn transform<T: Tokenizer>(self, inner: T) -> MemoStemmerFilter<T> {
        MemoStemmerFilter { inner, memo: Default::default() }
    }
}

/// [`MemoStemmer`] around a tokenizer.
#[derive(Clone)]
pub struct MemoStemmerFilter<T> {
    inner: T,
    memo: rustc_hash::FxHashMap<String, String>,
}

impl<T: Tokenizer> Tokenizer for MemoStemmerFilter<T> {
    type TokenStream<'a> = MemoStemmerStream<'a, T::TokenStream<'a>>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> Self::TokenStream<'a> {
        MemoStemmerStream {
            tail: self.inner.token_stream(text),
            memo: &mut self.memo,
            stemmer: frostem::Stemmer::new(frostem::Algorithm::English),
        }
    }
}

/// The token stream of [`MemoStemmerFilter`].
pub struct MemoStemmerStream<'a, S> {
    tail: S,
    memo: &'a mut rustc_hash::FxHashMap<String, String>,
    stemmer: frostem::Stemmer,
}

impl<S: TokenStream> TokenStream for MemoStemmerStream<'_, S> {
    fn advance(&mut self) -> bool {
        if !self.tail.advance() {
            return false;
        }
        let token = self.tail.token_mut();
        if let Some(stem) = self.memo.get(&token.text) {
            token.text.clear();
            token.text.push_str(stem);
            return true;
        }
        let stem = self.stemmer.stem(&token.text).into_owned();
        if self.memo.len() >= MEMO_WORDS {
            self.memo.clear();
        }
        let word = std::mem::replace(&mut token.text, stem.clone());
        self.memo.insert(word, stem);
        true
    }

    fn token(&self) -> &Token {
        self.tail.token()
    }

    fn token_mut(&mut self) -> &mut Token {
        self.tail.token_mut()
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

/// A date as the `day` fast field holds it: days since 1970-01-01, plus one; 0 for no
/// date (and for dates before 1970).
pub fn day_number(date: Option<NaiveDate>) -> u64 {
    let epoch = NaiveDate::from_ymd_opt(1970, 1, 1).expect("a date");
    date.map_or(0, |d| u64::try_from((d - epoch).num_days() + 1).unwrap_or(0))
}

/// A [`day_number`] back to a date (`None` for 0).
pub fn from_day_number(day: u64) -> Option<NaiveDate> {
    let epoch = NaiveDate::from_ymd_opt(1970, 1, 1).expect("a date");
    let days = i64::try_from(day).ok().filter(|&d| d > 0)?;
    epoch.checked_add_signed(chrono::TimeDelta::try_days(days - 1)?)
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
        let day = day_number(entry.date);

        let mut doc = TantivyDocument::new();
        doc.add_text(self.kind, "entry");
        doc.add_text(self.entry_id, &entry.id);
        doc.add_text(self.entry_name, &entry.title);
        doc.add_u64(self.day, day);
        if let Some(date) = date {
            doc.add_date(self.entry_date, date);
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
        doc.add_text(self.words, distinct_words(entry));
        docs.push(doc);

        for (ord, item) in entry.items.iter().enumerate() {
            let mut doc = TantivyDocument::new();
            doc.add_text(self.kind, "item");
            doc.add_text(self.entry_id, &entry.id);
            doc.add_text(self.anchor, &item.anchor);
            doc.add_u64(self.ord, ord as u64);
            doc.add_u64(self.offset, item.offset as u64);
            let end = entry.items.get(ord + 1).map_or(entry.body.len(), |next| next.offset);
            doc.add_u64(self.end, end.max(item.offset) as u64);
            doc.add_text(self.entry_title, &entry.title);
            doc.add_text(self.title, &item.title);
            if !item.context.is_empty() {
                doc.add_text(self.context, item.context.join(" › "));
            }
            doc.add_text(self.text, &item.title);
            doc.add_text(self.text, &entry.title);
            doc.add_text(self.text, &item.text);
            if let Some(date) = date {
                doc.add_date(self.date, date);
            }
            doc.add_u64(self.day, day);
            // Each as a value of its own: a phrase does not run from one into the next.
            for topic in &item.topics {
                doc.add_text(self.topics, topic);
                doc.add_text(self.text, topic);
            }
            for source in &item.sources {
                doc.add_text(self.sources, source);
                doc.add_text(self.text, source);
            }
            for author in &entry.authors {
                doc.add_text(self.authors, author);
                doc.add_text(self.text, author);
            }
            if let Some(series) = &entry.series {
                doc.add_text(self.series, series);
                doc.add_text(self.text, series);
            }
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
            docs.push(doc);
        }
        docs
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
            let letters = token.text.chars().all(char::is_alphabetic);
            if letters && token.text.chars().count() >= 4 && seen.insert(token.text.clone()) {
                out.push_str(&token.text);
                out.push(' ');
            }
        }
    }
    out
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
