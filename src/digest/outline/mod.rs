//! The outline of a digest's Markdown body: its top-level blocks, split into the items
//! a reader would cite.
//!
//! - A section under a heading is an item (the heading is its title).
//! - A list whose entries each carry their own link(s) (`* [Title](url) — comment`) is
//!   split: each top-level entry is an item, with the heading path as its context.
//! - Without headings, each paragraph is an item; a date line on top and a signature line
//!   at the bottom are metadata, not items (`meta.rs`).
//!
//! `blocks.rs` walks the Markdown once into top-level blocks (raw HTML included); this
//! file splits them into items and titles them.

use std::sync::LazyLock;

use chrono::NaiveDate;
use pulldown_cmark::HeadingLevel;
use regex::Regex;

use super::Link;

mod blocks;
mod meta;

use self::blocks::{Block, Kind, TopBlock, top_blocks, without_urls};
pub use self::meta::Signature;
use self::meta::{date_line, signature};

/// An item before its anchor is chosen: where it is and what it says.
#[derive(Debug, Clone, PartialEq)]
pub struct RawItem {
    /// Its title: the heading, the first link's text, a bold lead, or its first words.
    pub title: String,
    /// The headings above it, outermost first.
    pub context: Vec<String>,
    /// Its Markdown source.
    pub markdown: String,
    /// Its plain text.
    pub text: String,
    /// Its links, in order.
    pub links: Vec<Link>,
    /// Byte offset in the body of the block that carries its anchor.
    pub offset: usize,
    /// Byte offset in the body where its last block ends.
    pub end: usize,
    /// The day of the dated section it is in, where a file holds several dated sections
    /// (`## GoCN每日新闻(2020-01-07)`, one per day of a week): see [`section_days`].
    pub date: Option<NaiveDate>,
}

/// What the body holds: items, plus the metadata written in the text itself.
#[derive(Debug, Default)]
pub struct Outline {
    /// A single level-1 heading at the top: the entry's title.
    pub title: Option<String>,
    /// A date line near the top, the words beside the date on that line, and the line.
    pub date_line: Option<(NaiveDate, String, String)>,
    /// The first heading of any level, as written.
    pub first_heading: Option<String>,
    /// A month named by a short first line that gives no day (`2024-05`, `May 2024`): its
    /// first day. The line stays an item.
    pub month_line: Option<NaiveDate>,
    /// The signature line at the bottom.
    pub signature: Option<Signature>,
    /// The items, in document order.
    pub items: Vec<RawItem>,
}

/// Splits a Markdown body into its outline.
pub fn outline(body: &str) -> Outline {
    let mut blocks = top_blocks(body);
    let first_heading = blocks
        .iter()
        .find(|b| matches!(b.kind, Kind::Heading(_)))
        .map(|b| b.block.text.trim().to_string())
        .filter(|t| !t.is_empty());
    let mut outline = Outline { first_heading, ..Outline::default() };

    // A lone level-1 heading on top is the entry's title, not a section; so is one under a
    // line of links or badges, which stays an item.
    let h1s = blocks.iter().filter(|b| b.kind == Kind::Heading(HeadingLevel::H1)).count();
    let at = blocks.iter().position(|b| b.kind == Kind::Heading(HeadingLevel::H1));
    let preamble = |at: usize| at <= 2 && blocks[..at].iter().all(TopBlock::is_link_line);
    if h1s == 1
        && let Some(at) = at.filter(|&at| preamble(at))
    {
        outline.title = Some(blocks.remove(at).block.text.trim().to_string());
    }
    if let Some(first) = blocks.first().filter(|b| b.is_single_line_paragraph())
        && let Some((date, words)) = date_line(first.block.text.trim())
    {
        outline.date_line = Some((date, words, first.block.text.trim().to_string()));
        blocks.remove(0);
    }
    if outline.date_line.is_none()
        && let Some(first) = blocks.first().filter(|b| b.is_single_line_paragraph())
        && first.block.text.trim().chars().count() <= 100
    {
        outline.month_line = crate::digest::date::find_month(first.block.text.trim());
    }
    if let Some(last) = blocks.last().filter(|b| b.is_single_line_paragraph())
        && let Some(sig) = signature(last.block.text.trim())
    {
        outline.signature = Some(sig);
        blocks.pop();
    }

    let has_headings = blocks.iter().any(|b| matches!(b.kind, Kind::Heading(_)));
    if has_headings {
        sections(body, &blocks, &mut outline.items);
        section_days(&blocks, &mut outline.items);
    } else {
        paragraphs(body, &blocks, &mut outline.items);
    }
    outline.items.retain(|i| !i.text.trim().is_empty() || !i.links.is_empty());
    outline
}

/// Dates the items of a file that holds several dated sections: the shallowest heading
/// level at which two or more headings name distinct days (`## 2020-01-07`, `## Tuesday,
/// January 7, 2020`, `## 每日新闻（2020-01-07）`) divides the file into days, and each
/// item takes the day of the section it is in (none before the first). One dated heading
/// (an event, a triage log) dates nothing.
fn section_days(blocks: &[TopBlock], items: &mut [RawItem]) {
    let headings: Vec<(HeadingLevel, usize, Option<NaiveDate>)> = blocks
        .iter()
        .filter_map(|b| match b.kind {
            Kind::Heading(level) => {
                let day = crate::digest::date::find_date(&b.block.text).map(|d| d.0);
                Some((level, b.block.range.start, day))
            }
            _ => None,
        })
        .collect();
    let distinct_days = |level: HeadingLevel| {
        let mut days: Vec<NaiveDate> =
            headings.iter().filter(|h| h.0 == level).filter_map(|h| h.2).collect();
        days.sort_unstable();
        days.dedup();
        days.len()
    };
    let mut levels: Vec<HeadingLevel> = headings.iter().map(|h| h.0).collect();
    levels.sort_unstable();
    levels.dedup();
    let Some(level) = levels.into_iter().find(|&l| distinct_days(l) >= 2) else { return };
    // The sections at that level (and the headings above it, which end them).
    let bounds: Vec<(usize, Option<NaiveDate>)> = headings
        .iter()
        .filter(|h| h.0 <= level)
        .map(|h| (h.1, h.2.filter(|_| h.0 == level)))
        .collect();
    for item in items {
        let at = bounds.partition_point(|b| b.0 <= item.offset);
        item.date = at.checked_sub(1).and_then(|i| bounds[i].1);
    }
}

/// Heading mode: one item per section, link lists split into their entries.
fn sections(body: &str, blocks: &[TopBlock], items: &mut Vec<RawItem>) {
    let mut path: Vec<(HeadingLevel, String)> = vec![];
    let mut start = 0;
    loop {
        let end = blocks[start + 1..]
            .iter()
            .position(|b| matches!(b.kind, Kind::Heading(_)))
            .map_or(blocks.len(), |p| p + start + 1);
        let (heading, content) = match blocks[start].kind {
            Kind::Heading(level) => {
                let block = &blocks[start].block;
                let title = block.text.trim().to_string();
                path.retain(|(l, _)| *l < level);
                let context = path.iter().map(|(_, t)| t.clone()).collect::<Vec<_>>();
                path.push((level, title.clone()));
                let heading =
                    Heading { title, context, offset: block.range.start, links: &block.links };
                (Some(heading), &blocks[start + 1..end])
            }
            _ => (None, &blocks[start..end]),
        };
        section(body, heading, content, &path, items);
        if end == blocks.len() {
            break;
        }
        start = end;
    }
}

/// A section's heading: its text (the section's title), the headings above it, where
/// it starts, and its links (what the section is about, first).
struct Heading<'b> {
    title: String,
    context: Vec<String>,
    offset: usize,
    links: &'b [Link],
}

fn section(
    body: &str,
    heading: Option<Heading>,
    content: &[TopBlock],
    path: &[(HeadingLevel, String)],
    items: &mut Vec<RawItem>,
) {
    let rest: Vec<&TopBlock> = content.iter().filter(|b| !b.is_link_list()).collect();
    let offset =
        heading.as_ref().map(|h| h.offset).or_else(|| rest.first().map(|b| b.block.range.start));
    let mut found = vec![];
    if let Some(offset) = offset {
        let (title, context, links) = match heading {
            Some(Heading { title, context, links, .. }) => (title, context, links),
            None => ("Introduction".to_string(), vec![], &[][..]),
        };
        let mut item = merge(body, title, context, offset, &rest);
        // A heading's links lead the section's own, what the section is about; a heading
        // right over a link list is the list's category ("[Rust](…/labels/…)" over the
        // week's pull requests), its link no subject of any text below.
        if !rest.is_empty() && !content.first().is_some_and(TopBlock::is_link_list) {
            item.links.splice(0..0, links.iter().cloned());
        }
        found.push(item);
    }
    let context: Vec<String> = path.iter().map(|(_, t)| t.clone()).collect();
    for list in content.iter().filter(|b| b.is_link_list()) {
        found.extend(list.entries.iter().map(|e| entry_item(body, e, context.clone())));
    }
    // Document order: text before a link list in the preamble stays before it.
    found.sort_by_key(|i| i.offset);
    items.extend(found);
}

/// Plain mode: each paragraph an item; lists, quotes, code and tables after a paragraph
/// belong to it; link lists split into their entries.
fn paragraphs(body: &str, blocks: &[TopBlock], items: &mut Vec<RawItem>) {
    let mut group: Vec<&TopBlock> = vec![];
    let flush = |group: &mut Vec<&TopBlock>, items: &mut Vec<RawItem>| {
        if let Some(first) = group.first() {
            let title = title_of(&first.block);
            items.push(merge(body, title, vec![], first.block.range.start, group));
        }
        group.clear();
    };
    for block in blocks {
        if block.is_link_list() {
            flush(&mut group, items);
            items.extend(block.entries.iter().map(|e| entry_item(body, e, vec![])));
        } else if block.kind == Kind::Paragraph || group.is_empty() {
            flush(&mut group, items);
            group.push(block);
        } else {
            group.push(block);
        }
    }
    flush(&mut group, items);
}

fn merge(
    body: &str,
    title: String,
    context: Vec<String>,
    offset: usize,
    blocks: &[&TopBlock],
) -> RawItem {
    let mut item = RawItem {
        title,
        context,
        markdown: String::new(),
        text: String::new(),
        links: vec![],
        offset,
        end: offset,
        date: None,
    };
    for b in blocks {
        item.end = item.end.max(b.block.range.end);
        if !item.markdown.is_empty() {
            item.markdown.push_str("\n\n");
            item.text.push('\n');
        }
        item.markdown.push_str(body[b.block.range.clone()].trim_end());
        item.text.push_str(b.block.text.trim());
        item.links.extend(b.block.links.iter().cloned());
    }
    item
}

fn entry_item(body: &str, entry: &Block, context: Vec<String>) -> RawItem {
    RawItem {
        title: title_of(entry),
        context,
        markdown: body[entry.range.clone()].trim_end().to_string(),
        text: entry.text.trim().to_string(),
        links: entry.links.clone(),
        offset: entry.range.start,
        end: entry.range.end,
        date: None,
    }
}

/// A block's natural title: its bold lead or opening link, else its first sentence,
/// cut to a dozen words.
fn title_of(block: &Block) -> String {
    if let Some(lead) = block.lead.as_deref().map(str::trim).filter(|l| !l.is_empty()) {
        return lead.trim_end_matches([':', '.', ' ']).to_string();
    }
    // CJK sentences end at `。！？` with no space after; their clauses at `：；，`.
    static SENTENCE_END: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"[.!?]\s|\n|[。！？]").unwrap());
    static CLAUSE_END: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"[：；，、]").unwrap());
    let text = without_urls(block.text.trim());
    let text = text.as_ref();
    let sentence = match SENTENCE_END.find(text) {
        Some(m) => &text[..m.start() + m.as_str().chars().next().map_or(1, char::len_utf8)],
        None => text,
    }
    .trim();
    let words: Vec<&str> = sentence.split_whitespace().collect();
    let chars = sentence.chars().count();
    if words.len() > 12 {
        format!("{}…", words[..10].join(" "))
    } else if chars > 40 && words.len() * 8 < chars {
        // Text without spaces between words: its first clause, or its first 30 characters.
        let clause = CLAUSE_END.find(sentence).map_or(sentence, |m| &sentence[..m.start()]);
        match clause.chars().count() {
            6..=40 => format!("{clause}…"),
            _ => format!("{}…", sentence.chars().take(30).collect::<String>()),
        }
    } else {
        sentence.trim_end_matches(['.', ':', '。']).to_string()
    }
}

#[cfg(test)]
mod tests;
