//! [`Entry::parse`]: the text of a digest file -> an [`Entry`], purely (tests call it
//! directly), and [`Entry::from_bytes`], the same from the file's bytes.

use std::collections::BTreeMap;

use chrono::{Datelike, NaiveDate};

use super::anchors::Anchors;
use super::date::{DateSource, Found, Precision};
use super::history::History;
use super::sources::{ItemSources, item_sources};
use super::topics::item_topics;
use super::{
    Entry, Item, ParseError, Taxonomy, date, front_matter, language, meaning, outline, stories,
};

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
            let (mut stories, mut seen) = (vec![], std::collections::HashSet::new());
            let urls = raw.links.iter().map(|l| l.url.as_str());
            let links = stories::link_ids(urls, &raw.title, &taxonomy.places);
            // The summary, not the headline: a story told again is often retitled.
            let near = stories::near_duplicate_ids(&raw.text, taxonomy.stories.near_duplicate);
            for id in links.into_iter().chain(near) {
                if seen.insert(id) {
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
                date: raw.date,
                stories,
                meaning: None,
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
    /// Parses a digest from the bytes of its file.
    pub fn from_bytes(id: &str, bytes: &[u8], taxonomy: &Taxonomy) -> Result<Entry, ParseError> {
        if bytes[..bytes.len().min(8192)].contains(&0) {
            return Err(ParseError::Binary);
        }
        let text = std::str::from_utf8(bytes).map_err(|e| ParseError::NotUtf8(e.valid_up_to()))?;
        // A bug of the parser on one file must not stop a reindex of thousands: the file
        // is reported like any other that cannot be read.
        crate::catch_panic(|| Entry::parse(id, text, taxonomy))
            .unwrap_or_else(|cause| Err(ParseError::Bug(cause)))
    }

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
        let earliest_section = outline.items.iter().filter_map(|i| i.date).min();
        let found = match entry_date(id, fm_date, &outline, &signature) {
            // A file of dated sections is dated by its first day, unless its front matter
            // says otherwise.
            Some(f) if f.source == DateSource::FrontMatter => Some(f),
            found => earliest_section.map(|d| Found::day(d, DateSource::Heading)).or(found),
        };
        let date = found.map(|f| f.date);
        if date.is_none() {
            warnings.push(
                "no date: none in front matter, heading, file name, folders, first lines or signature"
                    .into(),
            );
        }
        if authors.is_empty() {
            authors.extend(signature.author.clone());
        }
        let line_words = outline.date_line.as_ref().map(|d| d.1.clone()).filter(|w| !w.is_empty());
        if series.is_none() {
            series = signature.series.clone().or(line_words.clone());
        }
        // The name beside the date (`Friday Notes — February 13, 2026`), where the file
        // writes it so: never a title that no file contains.
        let named = || {
            let named = line_words.clone().or(series.clone())?;
            let titled = match date {
                Some(d) => format!("{named} — {}", date::long_form(d)),
                None => named,
            };
            text.contains(&titled).then_some(titled)
        };
        let title = fm_title
            .or(outline.title.clone())
            .or_else(named)
            .or_else(|| outline.date_line.as_ref().map(|d| d.2.clone()))
            .or_else(|| readable_file_name(id))
            .or_else(|| outline.first_heading.clone())
            .unwrap_or_else(|| id.to_string());

        let mut items = items(outline.items, &tags, taxonomy);
        let language = entry_language(declared, &title, &items);
        if meaning::covers(language.as_deref()) {
            for item in &mut items {
                item.meaning = meaning::embed(&item.words());
            }
        }
        if items.is_empty() {
            warnings.push("no items: the entry has no text".into());
        }
        Ok(Entry {
            id: id.to_string(),
            title: title.trim().to_string(),
            date,
            date_precision: found.map_or(Precision::Day, |f| f.precision),
            date_source: found.map(|f| f.source),
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

impl Entry {
    /// Dates the entry by the day its file was first committed (`rel` below the archive
    /// root), where the file gives no day: an undated entry, or one dated only by a month
    /// or a year that the day falls in. A day that contradicts them is not used: archives
    /// are often put in a repository years after they were written.
    pub fn date_from_history(&mut self, history: &History, rel: &str) {
        let Some(day) = history.day(rel) else { return };
        let fits = match (self.date, self.date_precision) {
            (None, _) => true,
            (Some(_), Precision::Day) => false,
            (Some(start), Precision::Month) => {
                (day.year(), day.month()) == (start.year(), start.month())
            }
            (Some(start), Precision::Year) => day.year() == start.year(),
        };
        if fits {
            (self.date, self.date_precision) = (Some(day), Precision::Day);
            self.date_source = Some(DateSource::Git);
            self.warnings.retain(|w| !w.starts_with("no date"));
        }
    }
}

/// The entry's date, by trust: a day from the front matter, the path, the date line,
/// the heading or the signature; else a month from the heading or the date line, then
/// from the path, or a year from the folders. Never a day that nothing gave.
fn entry_date(
    id: &str,
    front_matter: Option<NaiveDate>,
    outline: &outline::Outline,
    signature: &outline::Signature,
) -> Option<Found> {
    let title = outline.title.as_deref().unwrap_or("");
    let day = front_matter
        .map(|d| Found::day(d, DateSource::FrontMatter))
        .or_else(|| date::day_from_path(id))
        .or_else(|| outline.date_line.as_ref().map(|d| Found::day(d.0, DateSource::Heading)))
        .or_else(|| date::find_date(title).map(|d| Found::day(d.0, DateSource::Heading)))
        .or_else(|| signature.date.map(|d| Found::day(d, DateSource::Signature)));
    let month_in_heading = || {
        let first = outline.month_line.or_else(|| date::find_month(title))?;
        Some(Found { date: first, precision: Precision::Month, source: DateSource::Heading })
    };
    day.or_else(month_in_heading).or_else(|| date::month_or_year_from_path(id))
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

/// A title from the file name, made readable: `weekly-notes` -> `Weekly notes`,
/// `issue-192` -> `Issue 192`; a name that is a date stays as written (`2024-05`); an
/// `index` or `README` file takes its folder's name. `None` for an empty name, and for an
/// `index` at the root.
fn readable_file_name(id: &str) -> Option<String> {
    let mut parts = id.rsplit('/');
    let mut stem = parts.next()?;
    if ["index", "_index", "readme"].contains(&stem.to_ascii_lowercase().as_str()) {
        stem = parts.next()?;
    }
    if stem.chars().all(|c| c.is_ascii_digit() || matches!(c, '-' | '_' | '.')) {
        return Some(stem.to_string()).filter(|s| !s.is_empty());
    }
    let words: Vec<&str> = stem.split(['-', '_', ' ']).filter(|w| !w.is_empty()).collect();
    let words = words.join(" ");
    let mut chars = words.chars();
    chars.next().map(|c| c.to_uppercase().chain(chars).collect())
}
