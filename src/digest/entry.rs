//! What a digest becomes: an [`Entry`] and its [`Item`]s, each with its [`Link`]s.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::Serialize;

use super::date::{DateSource, Precision};
use super::{Style, meaning, stories};

/// A link in an item: its target and its text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct Link {
    /// The URL as written.
    pub url: String,
    /// The link text.
    pub text: String,
}

/// The smallest unit a reader would cite: a section, a linked list entry, a paragraph.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Item {
    /// Unique within the entry: the slug of its title (`/entries/{id}#{anchor}`).
    pub anchor: String,
    /// Its heading, link text, bold lead or first words.
    pub title: String,
    /// The headings above it, outermost first.
    pub context: Vec<String>,
    /// Its Markdown source.
    #[serde(skip)]
    pub markdown: String,
    /// Its plain text.
    pub text: String,
    /// Normalised sources (`r/LocalLLaMA`, `Hacker News`, `example.com`).
    pub sources: Vec<String>,
    /// GitHub repositories (`owner/repo`) it links to.
    pub repos: Vec<String>,
    /// Domains it links to that its text names, with the name: `(forbes.com, Forbes)`.
    /// The name is the source; the pair lets `source:forbes.com` find it, and items
    /// elsewhere that link forbes.com without naming it show as `Forbes` too.
    pub named_domains: Vec<(String, String)>,
    /// Topics: its own `Topics:` line and hashtags, the taxonomy's topics its text shows,
    /// and those of its entry's tags that its text shows.
    pub topics: Vec<String>,
    /// Its links.
    pub links: Vec<Link>,
    /// The stories it cites: the [`stories::StoryId`]s of its links' [`stories::key`]s, and
    /// those its text shares with near duplicates ([`stories::near_duplicate_ids`]).
    pub stories: Vec<stories::StoryId>,
    /// What it means ([`meaning::embed`] of its title and text), when its entry is in a
    /// language the model reads.
    #[serde(skip)]
    pub meaning: Option<meaning::Vector>,
    /// Its own day, where it sits in one of several dated sections of its file; else it
    /// has its entry's date.
    pub date: Option<NaiveDate>,
    /// Byte offset in the entry's body of the block that carries the anchor.
    #[serde(skip)]
    pub offset: usize,
    /// Byte offset in the entry's body where its last block ends.
    #[serde(skip)]
    pub end: usize,
}

impl Item {
    /// What a reader reads of it: its title, then its text.
    pub fn words(&self) -> String {
        if self.text.starts_with(&self.title) {
            self.text.clone()
        } else {
            format!("{}\n{}", self.title, self.text)
        }
    }
}

/// One digest file.
#[derive(Debug, Clone, Serialize)]
pub struct Entry {
    /// The path below the archive root without extension, `/`-separated.
    pub id: String,
    /// The digest's title.
    pub title: String,
    /// Its date, when one could be found (never invented): the day, or the first day of
    /// the month or year that is all the archive gives (see `date_precision`).
    pub date: Option<NaiveDate>,
    /// Whether `date` is a day, a month or a year.
    pub date_precision: Precision,
    /// Where `date` was found.
    pub date_source: Option<DateSource>,
    /// Who wrote it.
    pub authors: Vec<String>,
    /// The series it belongs to (`This Week in Rust`).
    pub series: Option<String>,
    /// Its tags.
    pub tags: Vec<String>,
    /// Other list-valued front-matter keys (`companies`, `models`), lower-cased keys.
    pub facets: BTreeMap<String, Vec<String>>,
    /// How its metadata was written.
    pub front_matter: Style,
    /// The Markdown after the front matter.
    #[serde(skip)]
    pub body: String,
    /// Its items, in document order.
    pub items: Vec<Item>,
    /// Problems that did not stop it from being read (no date, an odd value).
    pub warnings: Vec<String>,
    /// Marked as a draft or unpublished: indexed, but not shown unless asked for.
    pub draft: bool,
    /// Its language as an ISO 639-1 code, when it is not English (see [`language`](crate::digest::language)).
    pub language: Option<String>,
}

/// A list of an item's names (sources, repositories, topics) in the order they came,
/// each once, case ignored; a name is added in constant time, so that an item with tens
/// of thousands of hashtags or links costs what it holds, not its square.
#[derive(Debug, Default)]
pub(super) struct Names {
    list: Vec<String>,
    seen: std::collections::HashSet<String>,
}

impl Names {
    /// Adds a name (trimmed) unless it is empty or the list has it already.
    pub(super) fn push(&mut self, value: &str) {
        let value = value.trim();
        if !value.is_empty() && self.seen.insert(value.to_ascii_lowercase()) {
            self.list.push(value.to_string());
        }
    }

    pub(super) fn into_vec(self) -> Vec<String> {
        self.list
    }
}
