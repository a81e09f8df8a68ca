//! What a search returns: [`SearchResults`] (a page of [`Hit`]s, the total, facet
//! counts over every match, and what to tell the reader when nothing matched), and the
//! views of entries that the entry page and `archive show` print. The CLI and the HTTP
//! API serialise these same types, so they cannot drift.

use std::collections::BTreeMap;

use serde::Serialize;

use super::request::Sort;
use crate::digest::Link;
use crate::digest::date::{DateSource, Precision};
use crate::digest::stories::StoryId;

/// Items shown under each entry on a grouped page.
pub const ITEMS_PER_GROUP: usize = 3;

/// One matching item.
#[derive(Debug, Clone, Serialize)]
pub struct Hit {
    /// Its entry's id.
    pub entry_id: String,
    /// Its anchor in the entry (`/entries/{entry_id}#{anchor}`).
    pub anchor: String,
    /// Its entry's date, `YYYY-MM-DD`.
    pub date: Option<String>,
    /// Its entry's title.
    pub entry_title: String,
    /// Its own title.
    pub title: String,
    /// The headings above it.
    pub context: Option<String>,
    /// A fragment of its text, matched terms in `<mark>` (HTML, escaped).
    pub snippet: String,
    /// Its topics.
    pub topics: Vec<String>,
    /// Its sources.
    pub sources: Vec<String>,
    /// Its entry's tags (they describe the entry; `topics` are the item's own).
    pub entry_tags: Vec<String>,
    /// The links in its text, each once, as written.
    pub links: Vec<Link>,
    /// Its relevance score.
    pub score: f32,
    /// How it matches the query's words: `item` (it has every word), `entry` (no single
    /// item has every word, its digest has them all across its items, and this item some
    /// of them) or `some` (it has some of the words, its digest not all).
    pub matched: Matched,
    /// The story it belongs to, when other digests cite what it cites.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub story: Option<Story>,
    /// The stories its links cite (ids), for [`Hit::story`].
    #[serde(skip)]
    pub story_ids: Vec<StoryId>,
    /// The title as HTML, with the query's words in `<mark>` (the pages show it: the
    /// snippet starts after the title, so a word found in the title is marked there).
    #[serde(skip)]
    pub title_html: String,
}

/// How a hit, or an entry of a grouped page, matches the query's words. Only when fewer
/// items than a page have every word are the others shown (see
/// [`SearchResults::warnings`]).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Matched {
    /// The item has every word (an entry: one of its items has).
    #[default]
    Item,
    /// The entry has every word across its items, and no item of it has them all.
    Entry,
    /// Some of the words, and its entry not all of them.
    Some,
    /// None of the words: its meaning is near the query's (a hybrid search).
    Meaning,
}

/// Items of several digests that cite the same thing (a thread, a paper, a post),
/// however their links were written.
#[derive(Debug, Clone, Serialize)]
pub struct Story {
    /// Its id: `story:ID` lists its mentions.
    pub id: String,
    /// `link`: its mentions cite the same thing; `text`: their texts are near
    /// duplicates.
    pub kind: StoryKind,
    /// Items that cite it.
    pub items: u64,
    /// Entries those items are in.
    pub entries: u64,
    /// The first day it was cited, `YYYY-MM-DD`.
    pub first_seen: Option<String>,
    /// The last day it was cited.
    pub last_seen: Option<String>,
}

/// What makes items one story.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum StoryKind {
    /// The same link, however written.
    Link,
    /// Near-duplicate texts.
    Text,
}

/// Facet counts over all matching items.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Facets {
    /// Topics, most frequent first.
    pub topics: Vec<FacetCount>,
    /// Sources, most frequent first.
    pub sources: Vec<FacetCount>,
    /// Entry tags, most frequent first (counting matching items).
    pub tags: Vec<FacetCount>,
    /// Months (`2026-04`), most frequent first.
    pub months: Vec<FacetCount>,
}

/// A page of results.
#[derive(Debug, Clone, Serialize)]
pub struct SearchResults {
    /// Matching items in all.
    pub total: usize,
    /// Whether `total`, `total_entries` and the facet counts were estimated from an
    /// evenly spread sample of the matches (past [`super::COUNT_LIMIT`] of them, unless
    /// the request asked for `exact` counts); `false`: they are exact.
    pub total_is_estimate: bool,
    /// This page (1-based).
    pub page: usize,
    /// Hits per page.
    pub per_page: usize,
    /// How the query was read.
    pub interpreted: String,
    /// What was dropped or read differently.
    pub warnings: Vec<String>,
    /// Time taken, in milliseconds.
    pub took_ms: f64,
    /// The hits of this page.
    pub hits: Vec<Hit>,
    /// Counts over all matches.
    pub facets: Facets,
    /// Distinct entries among all matching items.
    pub total_entries: usize,
    /// With `group=entry`: this page's entries, each with its best matching items.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub groups: Option<Vec<EntryGroup>>,
    /// With no results: how many items each part of the query matches on its own.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub explanation: Vec<ClauseCount>,
    /// With no results: spellings from the index's own words ("did you mean").
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub suggestions: Vec<Suggestion>,
    /// The order the hits are in (the request's, or [`Sort::default_for`] the query).
    #[serde(skip)]
    pub sort: Sort,
}

/// An entry and its matching items on a grouped page.
#[derive(Debug, Clone, Serialize)]
pub struct EntryGroup {
    /// The entry id.
    pub entry_id: String,
    /// Its title.
    pub entry_title: String,
    /// Its date.
    pub date: Option<String>,
    /// Its tags.
    pub tags: Vec<String>,
    /// Matching items in this entry (among the first scanned).
    pub matches: usize,
    /// How it matches the query's words: as its best item does.
    pub matched: Matched,
    /// Its best matching items: at most [`ITEMS_PER_GROUP`], or when its items have the
    /// words between them (`matched` is `entry`), the best item for each word.
    pub hits: Vec<Hit>,
}

/// Items matched by one part of a query that found nothing as a whole.
#[derive(Debug, Clone, Serialize)]
pub struct ClauseCount {
    /// The part, as interpreted.
    pub clause: String,
    /// Items it matches alone.
    pub count: usize,
}

/// A spelling suggestion: a query word not in the index, and a near word that is.
#[derive(Debug, Clone, Serialize)]
pub struct Suggestion {
    /// The word as typed.
    pub word: String,
    /// The suggested word.
    pub suggestion: String,
    /// The whole query with the word replaced.
    pub query: String,
}

/// An item as the index holds it.
#[derive(Debug, Clone, Serialize)]
pub struct ItemView {
    /// Anchor.
    pub anchor: String,
    /// Title.
    pub title: String,
    /// Headings above it.
    pub context: Option<String>,
    /// Byte offset of its anchor block in the entry's Markdown.
    #[serde(skip)]
    pub offset: usize,
    /// Plain text.
    pub text: String,
    /// Sources.
    pub sources: Vec<String>,
    /// Topics.
    pub topics: Vec<String>,
    /// Links.
    pub links: Vec<Link>,
    /// The story ids of its links (cited elsewhere or not).
    #[serde(skip)]
    pub story_ids: Vec<StoryId>,
}

/// An entry as the index holds it.
#[derive(Debug, Clone, Serialize)]
pub struct EntryView {
    /// Id.
    pub id: String,
    /// Title.
    pub title: String,
    /// Date: `YYYY-MM-DD`, or `YYYY-MM` and `YYYY` where the archive gives no more.
    pub date: Option<String>,
    /// Whether the date is a day, a month or a year.
    pub date_precision: Option<Precision>,
    /// Where the date was found (`front_matter`, `heading`, `file_name`, `folder`,
    /// `signature`).
    pub date_source: Option<DateSource>,
    /// Authors.
    pub authors: Vec<String>,
    /// Series.
    pub series: Option<String>,
    /// Tags.
    pub tags: Vec<String>,
    /// Other list facets.
    pub facets: BTreeMap<String, Vec<String>>,
    /// File below the archive root.
    pub path: String,
    /// Problems found when it was read.
    pub warnings: Vec<String>,
    /// Items in document order.
    pub items: Vec<ItemView>,
    /// The Markdown body.
    #[serde(skip)]
    pub markdown: String,
    /// Marked as a draft (shown only when drafts are asked for).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub draft: bool,
}

/// One facet value and how many matching items carry it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FacetCount {
    /// The value (`agents`, `r/LocalLLaMA`, `2026-04`).
    pub value: String,
    /// Matching items with it.
    pub count: u64,
}

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

/// One story: every item that cites it, oldest first, and what they are about.
#[derive(Debug, Clone, Serialize)]
pub struct StoryView {
    /// Its counts and dates.
    pub story: Story,
    /// How many different things its mentions say (those that say again what one before
    /// them said are not counted).
    pub versions: usize,
    /// Every mention (the first 100), oldest first.
    pub mentions: Vec<Mention>,
    /// The mentions' topics.
    pub topics: Vec<FacetCount>,
    /// The mentions' sources.
    pub sources: Vec<FacetCount>,
}

/// One mention of a story.
#[derive(Debug, Clone, Serialize)]
pub struct Mention {
    #[serde(flatten)]
    /// The item that mentions it.
    pub hit: Hit,
    /// The mention before it (its index in the story's mentions) that it says again:
    /// under the same headings, mostly in the same words (an event listed again, a
    /// blurb copied). Absent when it says something new.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub says_again: Option<usize>,
}

/// What a trend follows: one topic or one source.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum TrendOf {
    /// Items with one topic.
    Topic,
    /// Items from one source.
    Source,
}

impl TrendOf {
    /// The query language's filter for it (`topic:`, `source:`).
    pub fn filter(self) -> &'static str {
        match self {
            TrendOf::Topic => "topic",
            TrendOf::Source => "source",
        }
    }
}

/// A story in a trend: its counts and the title of its first mention.
#[derive(Debug, Clone, Serialize)]
pub struct StoryLine {
    /// Its counts and dates.
    #[serde(flatten)]
    pub story: Story,
    /// The title of its first mention.
    pub title: String,
    /// Days from its first mention to its last.
    pub days: u64,
    /// How many different things its first mentions (up to 20) say: 1 for a listing
    /// repeated word for word.
    pub versions: usize,
}

/// One topic or source over time: items per month, its first and busiest months, what
/// it comes with, its longest stories and its newest items.
#[derive(Debug, Clone, Serialize)]
pub struct Trend {
    /// A topic or a source.
    pub of: TrendOf,
    /// Which one, as asked.
    pub value: String,
    /// Its items.
    pub items: usize,
    /// The entries they are in.
    pub entries: usize,
    /// Whether `items`, `entries`, `months` and the facet counts are estimates (see
    /// [`SearchResults::total_is_estimate`]).
    pub total_is_estimate: bool,
    /// The first day it was mentioned, `YYYY-MM-DD`.
    pub first_seen: Option<String>,
    /// The last day.
    pub last_seen: Option<String>,
    /// Items per month, oldest first, every month from the first to the last (months
    /// without any have 0).
    pub months: Vec<FacetCount>,
    /// The months with most items, most first (up to 3).
    pub busiest_months: Vec<FacetCount>,
    /// The topics of its items, most frequent first (a topic's own left out).
    pub topics: Vec<FacetCount>,
    /// The sources of its items (a source's own left out).
    pub sources: Vec<FacetCount>,
    /// Its stories that ran longest: cited in two or more digests, longest span first.
    pub stories: Vec<StoryLine>,
    /// Its newest items.
    pub newest: Vec<Hit>,
}
