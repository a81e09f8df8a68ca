//! Markdown digest -> [`Entry`] with its [`Item`]s.
//!
//! [`Entry::parse`] is pure: it takes an id and the file's text and does all the work
//! (front matter, dates, items, sources, topics), so tests call it directly. Reading a
//! file ([`Entry::read`]) and walking an archive ([`walk`]) are thin wrappers.

mod archive;
mod cjk;
pub mod date;
pub mod front_matter;
pub mod html;
pub mod language;
pub mod markdown;
pub mod outline;
pub mod sources;
pub mod stories;
pub mod taxonomy;

use std::collections::BTreeMap;
use std::sync::LazyLock;

use chrono::NaiveDate;
use regex::Regex;
use serde::Serialize;

pub use self::archive::{SourceFile, Walk, read_parallel, walk};
pub use self::cjk::is_cjk;
pub use self::front_matter::Style;
pub use self::markdown::plain_text;
pub use self::taxonomy::Taxonomy;

/// The largest file read as one digest; larger files are reported, not read.
pub const MAX_FILE_BYTES: u64 = 32 << 20;

/// Why a digest could not be read or parsed.
#[derive(Debug, thiserror::Error)]
pub enum ParseError {
    /// The file could not be read.
    #[error("cannot read the file: {0}")]
    Io(#[from] std::io::Error),
    /// The file is not UTF-8 text.
    #[error("not UTF-8 text (invalid byte at offset {0})")]
    NotUtf8(usize),
    /// The file holds NUL bytes: a binary file with a text extension.
    #[error("looks like a binary file (it contains NUL bytes)")]
    Binary,
    /// The file is larger than [`MAX_FILE_BYTES`].
    #[error("the file is {0} bytes, over the limit of {MAX_FILE_BYTES} bytes for one digest")]
    TooLarge(u64),
    /// Front matter opened on the first line was never closed.
    #[error(
        "front matter opened with `{fence}` on line 1 is never closed; add a closing `{fence}` line"
    )]
    Unclosed {
        /// `---` or `+++`.
        fence: String,
    },
    /// Front matter that is not valid YAML or TOML.
    #[error("invalid {style} front matter: {message}")]
    FrontMatter {
        /// `YAML` or `TOML`.
        style: &'static str,
        /// The parser's message.
        message: String,
    },
    /// The parser failed on this file: a bug in `archive`, reported as a problem of the
    /// file so that the rest of the archive is indexed.
    #[error("the parser failed on this file (a bug in archive; please report it): {0}")]
    Bug(String),
    /// An invalid `taxonomy.toml`.
    #[error("invalid taxonomy: {message}")]
    Taxonomy {
        /// What is wrong.
        message: String,
    },
}

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
    /// Byte offset in the entry's body of the block that carries the anchor.
    #[serde(skip)]
    pub offset: usize,
    /// Byte offset in the entry's body where its last block ends.
    #[serde(skip)]
    pub end: usize,
}

/// One digest file.
#[derive(Debug, Clone, Serialize)]
pub struct Entry {
    /// The path below the archive root without extension, `/`-separated.
    pub id: String,
    /// The digest's title.
    pub title: String,
    /// Its date, when one could be found (never invented).
    pub date: Option<NaiveDate>,
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
    /// Its language as an ISO 639-1 code, when it is not English (see [`language`]).
    pub language: Option<String>,
}

/// The text without a byte-order mark, with `\n` line ends.
fn normalized(text: &str) -> std::borrow::Cow<'_, str> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    if text.contains('\r') {
        text.replace("\r\n", "\n").replace('\r', "\n").into()
    } else {
        text.into()
    }
}

/// The outline's items with their anchors, sources and topics.
fn items(raw_items: Vec<outline::RawItem>, tags: &[String], taxonomy: &Taxonomy) -> Vec<Item> {
    let entry_topics: Vec<String> =
        tags.iter().map(|t| taxonomy.canonical_topic(t).unwrap_or(t.trim()).to_string()).collect();
    let mut anchors = Anchors::default();
    raw_items
        .into_iter()
        .map(|raw| {
            let ItemSources { sources, repos, named } = item_sources(&raw, taxonomy);
            let topics = item_topics(&raw, &entry_topics, taxonomy);
            let mut stories = vec![];
            let links = stories::link_ids(raw.links.iter().map(|l| l.url.as_str()));
            // The summary, not the headline: a story told again is often retitled.
            let near = stories::near_duplicate_ids(&raw.text, taxonomy.stories.near_duplicate);
            for id in links.into_iter().chain(near) {
                if !stories.contains(&id) {
                    stories.push(id);
                }
            }
            Item {
                anchor: anchors.unique(&raw.title),
                title: raw.title,
                context: raw.context,
                markdown: raw.markdown,
                text: raw.text,
                sources,
                repos,
                named_domains: named,
                topics,
                links: raw.links,
                stories,
                offset: raw.offset,
                end: raw.end,
            }
        })
        .collect()
}

const TITLE: &[&str] = &["title"];
const DATE: &[&str] = &["date", "published", "pubdate", "pub_date", "created", "date_published"];
const AUTHORS: &[&str] = &["author", "authors", "by"];
const SERIES: &[&str] = &["series", "category", "newsletter"];
const TAGS: &[&str] = &["tags", "topics", "keywords", "categories"];

impl Entry {
    /// Parses a digest from its text. `id` is its path below the archive root without
    /// extension; dates are also looked for in it.
    pub fn parse(id: &str, text: &str, taxonomy: &Taxonomy) -> Result<Entry, ParseError> {
        let text = normalized(text);
        let mut fm = front_matter::split(&text)?;
        let mut warnings = std::mem::take(&mut fm.warnings);
        let outline = outline::outline(fm.body);

        let draft = draft(&mut fm);
        let declared = fm.take(&["lang", "language", "locale"]).map(|v| v.into_text());
        let fm_title = fm.take(TITLE).map(|v| v.into_text()).filter(|t| !t.trim().is_empty());
        let fm_date = fm.take(DATE).map(|v| v.into_text()).and_then(|raw| {
            let parsed = date::parse_date(&raw);
            if parsed.is_none() {
                warnings.push(format!("front matter date `{raw}` is not a date; looked elsewhere"));
            }
            parsed
        });
        let mut authors = fm.take(AUTHORS).map(|v| split_names(v.into_list())).unwrap_or_default();
        let mut series = fm.take(SERIES).map(|v| v.into_text()).filter(|s| !s.trim().is_empty());
        let tags: Vec<String> = fm.take(TAGS).map(|v| v.into_list()).unwrap_or_default();
        let facets: BTreeMap<String, Vec<String>> = fm
            .fields
            .drain(..)
            .filter_map(|(k, v)| match v {
                front_matter::Value::List(values) if !values.is_empty() => Some((k, values)),
                _ => None,
            })
            .collect();

        let signature = outline.signature.clone().unwrap_or_default();
        let date = fm_date
            .or_else(|| date::date_from_path(id))
            .or(outline.date_line.as_ref().map(|d| d.0))
            .or(signature.date);
        if date.is_none() {
            warnings
                .push("no date: none in front matter, file name, first lines or signature".into());
        }
        if authors.is_empty() {
            authors.extend(signature.author.clone());
        }
        let line_words = outline.date_line.as_ref().map(|d| d.1.clone()).filter(|w| !w.is_empty());
        if series.is_none() {
            series = signature.series.clone().or(line_words.clone());
        }
        let title = fm_title
            .or(outline.title.clone())
            .or_else(|| {
                let named = line_words.or(series.clone())?;
                Some(match date {
                    Some(d) => format!("{named} — {}", date::long_form(d)),
                    None => named,
                })
            })
            .unwrap_or_else(|| fallback_title(id, date));

        let items = items(outline.items, &tags, taxonomy);
        let language = entry_language(declared, &title, &items);
        if items.is_empty() {
            warnings.push("no items: the entry has no text".into());
        }
        Ok(Entry {
            id: id.to_string(),
            title: title.trim().to_string(),
            date,
            authors,
            series,
            tags,
            facets,
            front_matter: fm.style,
            body: fm.body.to_string(),
            items,
            warnings,
            draft,
            language,
        })
    }
}

/// The entry's language: as its front matter declares it, or as its text reads.
fn entry_language(declared: Option<String>, title: &str, items: &[Item]) -> Option<String> {
    match declared {
        Some(value) => language::from_value(&value),
        None => {
            let texts = std::iter::once(title).chain(items.iter().map(|i| i.text.as_str()));
            language::detect(&texts.collect::<Vec<_>>().join("\n"))
        }
    }
}

/// Whether the front matter marks the entry as a draft, in any of the usual styles:
/// `draft: true` (Hugo, Zola, Astro), `status: draft` (Pelican), `published: false`
/// (Jekyll; a `published` that is a yes or no is not a date). The keys are taken.
fn draft(fm: &mut front_matter::FrontMatter) -> bool {
    let is = |value: Option<front_matter::Value>, yes: &[&str]| {
        value.is_some_and(|v| yes.contains(&v.into_text().trim().to_ascii_lowercase().as_str()))
    };
    let flagged = is(fm.take(&["draft", "drafts"]), &["true", "yes", "1"]);
    let status = is(fm.take(&["status"]), &["draft", "unpublished", "private"]);
    let unpublished = match fm.take_if(&["published"], |v| {
        matches!(v.to_ascii_lowercase().as_str(), "true" | "false" | "yes" | "no")
    }) {
        Some(v) => matches!(v.into_text().to_ascii_lowercase().as_str(), "false" | "no"),
        None => false,
    };
    flagged || status || unpublished
}

/// `Sam Lee and Ana Ruiz` or `Sam Lee, Ana Ruiz` in one value are two authors.
fn split_names(values: Vec<String>) -> Vec<String> {
    values
        .iter()
        .flat_map(|v| v.split([',', ';']).flat_map(|p| p.split(" and ")))
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
        .collect()
}

/// A title from the file name: `weekly-notes` -> `Weekly notes`; a bare date ->
/// `Digest — April 16, 2026`.
fn fallback_title(id: &str, date: Option<NaiveDate>) -> String {
    let stem = id.rsplit('/').next().unwrap_or(id);
    let words: String = stem
        .split(['-', '_', ' '])
        .filter(|w| !w.is_empty() && !w.chars().all(|c| c.is_ascii_digit()))
        .collect::<Vec<_>>()
        .join(" ");
    match (words.is_empty(), date) {
        (true, Some(d)) => format!("Digest — {}", date::long_form(d)),
        (true, None) => stem.to_string(),
        (false, _) => {
            let mut chars = words.chars();
            chars.next().map(|c| c.to_uppercase().chain(chars).collect()).unwrap_or_default()
        }
    }
}

/// Hands out anchors unique within an entry: `agents`, `agents-1`, `agents-2`.
#[derive(Default)]
struct Anchors(std::collections::HashSet<String>);

impl Anchors {
    fn unique(&mut self, title: &str) -> String {
        let base = slug(title);
        let base = if base.is_empty() { "item".to_string() } else { base };
        let mut anchor = base.clone();
        let mut n = 1;
        while !self.0.insert(anchor.clone()) {
            anchor = format!("{base}-{n}");
            n += 1;
        }
        anchor
    }
}

/// GitHub-style heading slug: lower-case words joined by `-`, punctuation dropped.
pub fn slug(title: &str) -> String {
    let mut out = String::new();
    for c in title.chars().flat_map(char::to_lowercase) {
        if c.is_alphanumeric() || c == '_' {
            out.push(c);
        } else if (c.is_whitespace() || c == '-') && !out.is_empty() && !out.ends_with('-') {
            out.push('-');
        }
        if out.len() >= 80 {
            break;
        }
    }
    out.trim_end_matches('-').to_string()
}

fn push_unique(list: &mut Vec<String>, value: &str) {
    let value = value.trim();
    if !value.is_empty() && !list.iter().any(|v| v.eq_ignore_ascii_case(value)) {
        list.push(value.to_string());
    }
}

/// An item's sources: its links, its `Source:`/`Via:` lines, and sources the taxonomy
/// finds named in its text.
fn item_sources(item: &outline::RawItem, taxonomy: &Taxonomy) -> ItemSources {
    static EXPLICIT: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"(?im)^[\W_]*(?:sources?|via)[*_]*\s*:[*_]*\s*(.+)$").unwrap()
    });
    let mut sources = vec![];
    let mut repos = vec![];
    let mut named = vec![];
    let haystack = format!("{}\n{}", item.title, item.text);
    for link in &item.links {
        if let Some(found) = sources::from_url(&link.url) {
            // The taxonomy may name a site by its host or by its registrable domain.
            let declared = taxonomy.canonical_source(&found.source).or_else(|| {
                sources::registrable(&found.source).and_then(|d| taxonomy.canonical_source(&d))
            });
            let source = match declared {
                Some(name) => name.to_string(),
                // A domain the text names is that name: one publication, however cited.
                None if found.source.contains('.') => {
                    match sources::name_in_text(&haystack, &found.source) {
                        Some(name) => {
                            let pair = (found.source.clone(), name.clone());
                            if !named.contains(&pair) {
                                named.push(pair);
                            }
                            name
                        }
                        None => found.source,
                    }
                }
                None => found.source,
            };
            push_unique(&mut sources, &source);
            if let Some(repo) = found.repo {
                push_unique(&mut repos, &repo);
            }
        }
    }
    for line in EXPLICIT.captures_iter(&item.text) {
        for part in line[1].split([',', ';']).flat_map(|p| p.split(" and ")) {
            let part = part.trim().trim_end_matches('.');
            if let Some(name) = taxonomy.canonical_source(part) {
                push_unique(&mut sources, name);
            } else if !part.is_empty()
                && part.split_whitespace().count() <= 4
                && !part.contains("://")
            {
                push_unique(&mut sources, part);
            }
        }
    }
    for name in taxonomy.sources_in(&haystack) {
        push_unique(&mut sources, name);
    }
    ItemSources { sources, repos, named }
}

/// An item's sources, the GitHub repositories it links to, and the domains its text
/// names (`(forbes.com, Forbes)`).
struct ItemSources {
    sources: Vec<String>,
    repos: Vec<String>,
    named: Vec<(String, String)>,
}

/// An item's topics: the entry's tags, its `Topics:`/`Tags:` lines and `#hashtags`, and
/// the taxonomy's matches in its title and text.
fn item_topics(
    item: &outline::RawItem,
    entry_topics: &[String],
    taxonomy: &Taxonomy,
) -> Vec<String> {
    static EXPLICIT: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"(?im)^[\W_]*(?:topics?|tags)[*_]*\s*:[*_]*\s*(.+)$").unwrap()
    });
    static HASHTAG: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"(?:^|\s)#([A-Za-z][\w-]*\w)").unwrap());
    let mut topics = vec![];
    let mut add = |t: &str| push_unique(&mut topics, taxonomy.canonical_topic(t).unwrap_or(t));
    for line in EXPLICIT.captures_iter(&item.text) {
        line[1]
            .split([',', ';'])
            .for_each(|t| add(t.trim().trim_start_matches('#').trim_end_matches('.')));
    }
    for tag in HASHTAG.captures_iter(&item.text) {
        add(&tag[1]);
    }
    let haystack = format!("{}\n{}", item.title, item.text);
    let found: Vec<&str> = taxonomy.topics_in(&haystack).collect();
    // The entry's tags describe the entry; an item has those its own text shows.
    let mut words = None;
    for tag in entry_topics {
        if found.contains(&tag.as_str())
            || shows(&haystack, words.get_or_insert_with(|| normalized_words(&haystack)), tag)
        {
            add(tag);
        }
    }
    found.into_iter().for_each(add);
    topics
}

/// Lower-cased words, separated and surrounded by single spaces: ` fine tuning is `.
fn normalized_words(text: &str) -> String {
    let mut out = String::from(" ");
    for word in text.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()) {
        if word.is_ascii() {
            let start = out.len();
            out.push_str(word);
            out[start..].make_ascii_lowercase();
        } else {
            out.push_str(&word.to_lowercase());
        }
        out.push(' ');
    }
    out
}

/// Whether a text shows a tag: its words in order as whole words (case, punctuation
/// and a plural `s` ignored: `fine-tuning` shows `fine tuning`, `agents` shows `agent`),
/// or for a tag in CJK, its characters anywhere.
fn shows(text: &str, words: &str, tag: &str) -> bool {
    if tag.chars().any(is_cjk) {
        return text.contains(tag.trim());
    }
    let tag = normalized_words(tag);
    if tag.trim().is_empty() {
        return false;
    }
    let singular = tag.strip_suffix("s ").map(|t| format!("{t} "));
    let plural = format!("{}s ", tag.trim_end());
    words.contains(&tag)
        || words.contains(&plural)
        || singular.is_some_and(|t| t.trim().len() > 2 && words.contains(&t))
}

#[cfg(test)]
mod tests;
