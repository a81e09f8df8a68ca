//! The schema in one place: field names, field handles, the kinds of document, and
//! the settings of a new index.
//!
//! One document per item (kind `item`), carrying its entry's fields, plus one document
//! per entry (kind `entry`) holding what the incremental sync and the entry page need:
//! the content hash, size and mtime of the file, and the Markdown body.
//!
//! The store keeps each text once: an item stores where it is, not what it says. Its
//! text and links are read again from its entry's Markdown when a result needs them
//! ([`crate::digest::outline`] is a pure function of the body), and the store is
//! compressed with zstd.

use tantivy::Term;
use tantivy::schema::{
    DateOptions, Field, INDEXED, IndexRecordOption, STORED, STRING, Schema, TextFieldIndexing,
    TextOptions,
};

use super::analysis::{KEYWORD_ANALYZER, TEXT_ANALYZER, WORDS_ANALYZER};

/// Bumped whenever the schema, the analyzers or what the parser finds change: an index built with another
/// version is rebuilt in full.
pub const SCHEMA_VERSION: u32 = 26;

/// The names of the fields that are read by name (fast fields), beside [`Fields`].
pub mod field {
    /// The entry id.
    pub const ENTRY_ID: &str = "entry_id";
    /// The date as a day number.
    pub const DAY: &str = "day";
    /// The entry's date.
    pub const ENTRY_DATE: &str = "entry_date";
    /// Item: its topics, its sources and its entry's tags in one column (see
    /// [`super::Counted`]).
    pub const COUNTED: &str = "counted";
    /// Item: its entry's language.
    pub const LANG: &str = "lang";
    /// Item: the stories it cites.
    pub const STORIES: &str = "stories";
    /// Item: its vector ([`crate::digest::meaning::Vector`]), 8 bytes in each column.
    pub const MEANING: [&str; 8] = [
        "meaning0", "meaning1", "meaning2", "meaning3", "meaning4", "meaning5", "meaning6",
        "meaning7",
    ];
    /// The file's content hash.
    pub const HASH: &str = "hash";
    /// The file's size.
    pub const SIZE: &str = "size";
    /// The file's mtime.
    pub const MTIME: &str = "mtime";
}

/// The facets counted over a search's matches, each a group of values in the `counted`
/// column: a value is its group's byte, then the value as written. One column, so a
/// match costs one lookup of its values, not one per facet; each group is a range of
/// the column's sorted dictionary.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Counted {
    /// Item topics.
    Topic,
    /// Item sources.
    Source,
    /// The entry's tags.
    Tag,
}

impl Counted {
    /// The byte before each value of the group.
    pub fn byte(self) -> u8 {
        match self {
            Counted::Topic => b't',
            Counted::Source => b's',
            Counted::Tag => b'g',
        }
    }

    /// A value of the group as the column holds it.
    pub fn value(self, value: &str) -> String {
        format!("{}{value}", self.byte() as char)
    }
}

/// Between a domain and its name in a `source_names` value.
pub const SOURCE_NAME_SEPARATOR: char = '\u{1f}';

/// The two kinds of document, told apart by the `kind` field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// One per item: what a search matches.
    Item,
    /// One per entry: its file's state, its Markdown and its metadata.
    Entry,
}

impl Kind {
    /// The value of the `kind` field.
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Item => "item",
            Kind::Entry => "entry",
        }
    }
}

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
    /// Both kinds: whether the date is a day, a month or a year
    /// ([`Precision::code`](crate::digest::date::Precision::code)).
    pub date_precision: Field,
    /// Both kinds: the date as a [`day_number`], a fast field that every document has
    /// (a dense column reads fastest): the sort key, and what month facets count.
    pub day: Field,
    /// Item topics.
    pub topics: Field,
    /// Item sources.
    pub sources: Field,
    /// Item: its entry's tags (`tag:`), which describe the entry, not each item.
    pub tags: Field,
    /// Item: its topics, sources and entry tags as a column, what facets count
    /// ([`Counted`]).
    pub counted: Field,
    /// Item: the stories it cites (ids of its links' story keys and of its text's
    /// near duplicates): `story:`, and a fast column that hits read them from and trends
    /// count them in (not stored).
    pub stories: Field,
    /// Item: what it means, its [`crate::digest::meaning::Vector`] as 8 fast columns of
    /// 8 bytes each (not indexed, not stored); none where the model does not read its
    /// language.
    pub meaning: [Field; 8],
    /// Item: its entry's language (ISO 639-1; `en` by default), stored: `lang:` filters
    /// by it, and its snippets are cut with its stemmer.
    pub lang: Field,
    /// Item: each domain its text names, as `domain`, [`SOURCE_NAME_SEPARATOR`], `name`
    /// (case kept): what makes `forbes.com` show as `Forbes` everywhere.
    pub source_names: Field,
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
    /// Both kinds, only for drafts: `true`. Searches and lookups leave out what has it
    /// unless drafts are asked for.
    pub draft: Field,
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
    // Only topics and sources are shown with a hit; the other keywords are filters. No
    // column: facets count `counted`.
    let keyword = |stored: bool| {
        let indexing = TextFieldIndexing::default()
            .set_tokenizer(KEYWORD_ANALYZER)
            .set_index_option(IndexRecordOption::Basic)
            .set_fieldnorms(false);
        let options = TextOptions::default().set_indexing_options(indexing);
        if stored { options.set_stored() } else { options }
    };
    // Exact values that only select (kind, draft, language): no field norms, which no
    // score reads (they cost a byte per document and field).
    let flag = |stored: bool| {
        let indexing = TextFieldIndexing::default()
            .set_tokenizer("raw")
            .set_index_option(IndexRecordOption::Basic)
            .set_fieldnorms(false);
        let options = TextOptions::default().set_indexing_options(indexing);
        if stored { options.set_stored() } else { options }
    };
    let fields = Fields {
        kind: b.add_text_field("kind", flag(false)),
        entry_id: b.add_text_field(field::ENTRY_ID, STRING | STORED | tantivy::schema::FAST),
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
            .add_date_field(field::ENTRY_DATE, DateOptions::from(INDEXED).set_fast().set_stored()),
        entry_name: b.add_text_field("entry_name", STORED),
        // Indexed for the date filters: a month or a year must lie wholly in a range.
        date_precision: b.add_u64_field("date_precision", INDEXED | STORED),
        day: b.add_u64_field(field::DAY, tantivy::schema::FAST),
        topics: b.add_text_field("topics", keyword(true)),
        sources: b.add_text_field("sources", keyword(true)),
        tags: b.add_text_field("tags", keyword(true)),
        counted: b.add_text_field(field::COUNTED, TextOptions::default().set_fast("raw")),
        source_names: b.add_text_field("source_names", flag(false)),
        lang: b.add_text_field(field::LANG, flag(true)),
        // Numbers ([`crate::digest::stories::StoryId`]), not stored: hits read their ids
        // from the column, and trends count them in it.
        stories: b.add_u64_field(field::STORIES, INDEXED | tantivy::schema::FAST),
        meaning: field::MEANING.map(|name| b.add_u64_field(name, tantivy::schema::FAST)),
        authors: b.add_text_field("authors", keyword(false)),
        series: b.add_text_field("series", keyword(false)),
        sites: b.add_text_field("sites", keyword(false)),
        repos: b.add_text_field("repos", keyword(false)),
        facets: b.add_text_field("facets", keyword(false)),
        path: b.add_text_field("path", STORED),
        hash: b.add_u64_field(field::HASH, tantivy::schema::FAST),
        size: b.add_u64_field(field::SIZE, tantivy::schema::FAST),
        mtime: b.add_i64_field(field::MTIME, tantivy::schema::FAST),
        markdown: b.add_text_field("markdown", STORED),
        entry_json: b.add_text_field("entry_json", STORED),
        draft: b.add_text_field("draft", flag(false)),
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

impl Fields {
    /// The term that selects drafts.
    pub fn draft_term(&self) -> Term {
        Term::from_field_text(self.draft, "true")
    }

    /// The term that selects documents of one kind.
    pub fn kind_term(&self, kind: Kind) -> Term {
        Term::from_field_text(self.kind, kind.as_str())
    }
}
