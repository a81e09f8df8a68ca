//! The outline of a digest's Markdown body: its top-level blocks, split into the items
//! a reader would cite.
//!
//! - A section under a heading is an item (the heading is its title).
//! - A list whose entries each carry their own link(s) (`* [Title](url) — comment`) is
//!   split: each top-level entry is an item, with the heading path as its context.
//! - Without headings, each paragraph is an item; a date line on top and a signature line
//!   at the bottom are metadata, not items.

use std::ops::Range;
use std::sync::LazyLock;

use chrono::NaiveDate;
use pulldown_cmark::{Event, HeadingLevel, Tag, TagEnd};
use regex::Regex;

use super::date::find_date;
use super::html::{self, HtmlReader, Piece};
use super::{Link, markdown};

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
}

/// A signature line at the bottom of a digest: `Weekly Roundup — March 3, 2026 — Sam Lee`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Signature {
    /// The date it names.
    pub date: Option<NaiveDate>,
    /// The name that signs it.
    pub author: Option<String>,
    /// The remaining part, usually the series (`Weekly Roundup`).
    pub series: Option<String>,
}

/// What the body holds: items, plus the metadata written in the text itself.
#[derive(Debug, Default)]
pub struct Outline {
    /// A single level-1 heading at the top: the entry's title.
    pub title: Option<String>,
    /// A date line near the top, and the words beside the date on that line.
    pub date_line: Option<(NaiveDate, String)>,
    /// The signature line at the bottom.
    pub signature: Option<Signature>,
    /// The items, in document order.
    pub items: Vec<RawItem>,
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Kind {
    Heading(HeadingLevel),
    Paragraph,
    List,
    Html,
    Other,
}

/// A top-level block, or a top-level entry of a list.
#[derive(Debug, Default)]
struct Block {
    range: Range<usize>,
    text: String,
    links: Vec<Link>,
    /// Bold text or link text that opens the block: its natural title.
    lead: Option<String>,
}

#[derive(Debug)]
struct TopBlock {
    kind: Kind,
    block: Block,
    entries: Vec<Block>,
}

impl TopBlock {
    /// A list whose entries each carry their own link(s).
    fn is_link_list(&self) -> bool {
        if self.kind != Kind::List || self.entries.is_empty() {
            return false;
        }
        let linked = self.entries.iter().filter(|e| !e.links.is_empty()).count();
        linked == self.entries.len()
            || (self.entries.len() >= 4 && linked * 4 >= self.entries.len() * 3)
    }

    fn is_single_line_paragraph(&self) -> bool {
        self.kind == Kind::Paragraph && !self.block.text.trim().contains('\n')
    }
}

/// Splits a Markdown body into its outline.
pub fn outline(body: &str) -> Outline {
    let mut blocks = top_blocks(body);
    let mut outline = Outline::default();

    // A lone level-1 heading on top is the entry's title, not a section.
    let h1s = blocks.iter().filter(|b| b.kind == Kind::Heading(HeadingLevel::H1)).count();
    if h1s == 1 && blocks.first().is_some_and(|b| b.kind == Kind::Heading(HeadingLevel::H1)) {
        outline.title = Some(blocks.remove(0).block.text.trim().to_string());
    }
    if let Some(first) = blocks.first().filter(|b| b.is_single_line_paragraph())
        && let Some(found) = date_line(first.block.text.trim())
    {
        outline.date_line = Some(found);
        blocks.remove(0);
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
    } else {
        paragraphs(body, &blocks, &mut outline.items);
    }
    outline.items.retain(|i| !i.text.trim().is_empty() || !i.links.is_empty());
    outline
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
                let title = blocks[start].block.text.trim().to_string();
                path.retain(|(l, _)| *l < level);
                let context = path.iter().map(|(_, t)| t.clone()).collect::<Vec<_>>();
                path.push((level, title.clone()));
                (Some((title, context, blocks[start].block.range.start)), &blocks[start + 1..end])
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

fn section(
    body: &str,
    heading: Option<(String, Vec<String>, usize)>,
    content: &[TopBlock],
    path: &[(HeadingLevel, String)],
    items: &mut Vec<RawItem>,
) {
    let rest: Vec<&TopBlock> = content.iter().filter(|b| !b.is_link_list()).collect();
    let offset =
        heading.as_ref().map(|h| h.2).or_else(|| rest.first().map(|b| b.block.range.start));
    let mut found = vec![];
    if let Some(offset) = offset {
        let (title, context) = match heading {
            Some((title, context, _)) => (title, context),
            None => ("Introduction".to_string(), vec![]),
        };
        found.push(merge(body, title, context, offset, &rest));
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
    let text = block.text.trim();
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

/// A date line on top: a short line with a date and at most a few other words beside
/// it (`Thursday, April 16, 2026`, `Weekly AI Roundup — March 3, 2026`).
fn date_line(line: &str) -> Option<(NaiveDate, String)> {
    if line.chars().count() > 100 {
        return None;
    }
    let (date, range) = find_date(line)?;
    let rest = format!("{} {}", &line[..range.start], &line[range.end..]);
    let rest =
        rest.split_whitespace().filter(|w| !is_weekday_word(w)).collect::<Vec<_>>().join(" ");
    let rest = rest.trim_matches(|c: char| !c.is_alphanumeric()).to_string();
    (rest.split_whitespace().count() <= 8).then_some((date, rest))
}

fn is_weekday_word(word: &str) -> bool {
    let w = word.trim_matches(|c: char| !c.is_alphabetic()).to_ascii_lowercase();
    ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
        .contains(&w.as_str())
}

/// A signature line at the bottom: starts with a dash or tilde, or carries a date, and
/// is short. Parts are separated by dashes or bars: series, date, name.
fn signature(line: &str) -> Option<Signature> {
    static SEPARATOR: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"\s+[—–|-]+\s+|\s*[—–]\s*").unwrap());
    if line.chars().count() > 120 {
        return None;
    }
    let dashed = line.starts_with(['—', '–', '-', '~']);
    let dated = find_date(line);
    if !dashed && dated.is_none() {
        return None;
    }
    let stripped = line.trim_start_matches(['—', '–', '-', '~', ' ']).trim();
    let mut sig = Signature { date: dated.map(|d| d.0), ..Signature::default() };
    let mut others: Vec<String> = vec![];
    for part in SEPARATOR.split(stripped).map(str::trim).filter(|p| !p.is_empty()) {
        // Beside a date, a part may only hold a name: `Sam, April 20, 2026`.
        let part = match find_date(part) {
            Some((_, range)) => format!("{} {}", &part[..range.start], &part[range.end..]),
            None => part.to_string(),
        };
        let part =
            part.trim_matches(|c: char| c == '*' || c == '_' || c == ',' || c.is_whitespace());
        if !part.is_empty() {
            others.push(part.to_string());
        }
    }
    if let Some(last) = others.last().filter(|p| looks_like_name(p)) {
        sig.author = Some(last.to_string());
        others.pop();
    }
    if others.len() > 1 || (others.len() == 1 && others[0].split_whitespace().count() > 6) {
        return None; // prose, not a signature
    }
    sig.series = others.pop();
    Some(sig)
}

/// One to four capitalised words without digits (`Sam Lee`, `Ana de la Cruz`), or two to
/// five CJK characters in at most two words (`林小雨`, `佐藤 花子`).
fn looks_like_name(s: &str) -> bool {
    let words: Vec<&str> = s.split_whitespace().collect();
    let cjk: Vec<char> = s.chars().filter(|c| !c.is_whitespace()).collect();
    if cjk.iter().all(|&c| super::is_cjk(c)) && (2..=5).contains(&cjk.len()) && words.len() <= 2 {
        return true;
    }
    (1..=4).contains(&words.len())
        && words[0].chars().next().is_some_and(char::is_uppercase)
        && words.iter().all(|w| !w.chars().any(|c| c.is_ascii_digit()))
        && words.iter().filter(|w| w.chars().next().is_some_and(char::is_uppercase)).count() * 2
            >= words.len()
}

/// Bare URLs in text (digests often paste them without Markdown link syntax).
fn bare_urls(text: &str) -> impl Iterator<Item = &str> {
    static URL: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"https?://[^\s<>()\[\]{}]+").unwrap());
    URL.find_iter(text)
        .map(|m| m.as_str().trim_end_matches(['.', ',', ';', ':', '!', '?', '\'', '"']))
}

/// Walks the Markdown events once and collects the top-level blocks, each with its plain
/// text and links, and for lists each top-level entry likewise.
fn top_blocks(body: &str) -> Vec<TopBlock> {
    let mut reader = BlockReader::default();
    for (event, range) in markdown::parser(body).into_offset_iter() {
        match event {
            Event::Start(tag) => reader.start(tag, range),
            Event::End(tag) => reader.end(tag),
            // Text between `<script>` and `</script>` in a paragraph is not shown.
            Event::Text(_) | Event::Code(_) if reader.html.hiding() => {}
            Event::Text(text)
            | Event::Code(text)
            | Event::InlineMath(text)
            | Event::DisplayMath(text) => reader.text(&text),
            // Lines are kept: `Source:` and `Topics:` lines are read from them.
            Event::SoftBreak | Event::HardBreak => reader.push_text("\n"),
            Event::Html(html) | Event::InlineHtml(html) => reader.html(&html, range),
            _ => {}
        }
    }
    // HTML-only blocks carry no text and would only split paragraphs apart.
    let mut blocks = reader.blocks;
    blocks.retain(|b| b.kind != Kind::Html || !b.block.text.trim().is_empty());
    blocks
}

/// The state of [`top_blocks`]' walk, a method per event (as Tantivy's segment
/// collectors have one per document).
#[derive(Default)]
struct BlockReader {
    blocks: Vec<TopBlock>,
    /// How deep the walk is in the block tree: 0 between top-level blocks.
    depth: usize,
    /// (url, text so far) of the links being read; nested links are not Markdown, but
    /// images inside links are.
    open_links: Vec<(String, String)>,
    /// Whether the current block has seen text yet (for its lead).
    block_started: bool,
    /// Whether the current list entry has seen text yet.
    entry_started: bool,
    /// The bold text being read as a lead.
    strong_lead: Option<StrongLead>,
    /// Raw HTML, read through one tokenizer from the first fragment to the last.
    html: HtmlReader,
    /// The top-level HTML block being read, if any: its elements shape blocks.
    html_block: Option<HtmlBlock>,
    /// For each `<a>` open in raw HTML: whether it is a link (has an `href`).
    html_anchors: Vec<bool>,
}

/// A top-level HTML block being read: the elements open in it, and where it ends.
struct HtmlBlock {
    end: usize,
    /// Elements open, outermost first.
    open: Vec<String>,
    /// The depth in `open` of the list whose `<li>`s are the current block's entries.
    list: Option<usize>,
    /// Whether the walk is inside one of those `<li>`s.
    in_entry: bool,
}

/// Elements that only wrap other blocks: a list or paragraph inside them is still a
/// top-level block of the digest.
const WRAPPERS: &[&str] = &[
    "div", "section", "article", "main", "header", "footer", "details", "center", "body", "html",
    "aside", "nav", "span", "font", "small",
];

/// Bold text that opens a block or a list entry: its natural title.
struct StrongLead {
    text: String,
    /// Whether it opens the block (else the current list entry).
    of_block: bool,
}

impl BlockReader {
    /// Whether the walk is inside a top-level list entry, at `depth` (or an `<li>` of a
    /// top-level HTML list).
    fn in_entry(&self, depth: usize) -> bool {
        self.html_block.as_ref().is_some_and(|b| b.in_entry)
            || depth >= 2
                && self.blocks.last().is_some_and(|b| b.kind == Kind::List && !b.entries.is_empty())
    }

    fn start(&mut self, tag: Tag, range: Range<usize>) {
        if self.depth == 0 {
            let kind = match tag {
                Tag::Heading { level, .. } => Kind::Heading(level),
                Tag::Paragraph => Kind::Paragraph,
                Tag::List(_) => Kind::List,
                Tag::HtmlBlock => Kind::Html,
                _ => Kind::Other,
            };
            if kind == Kind::Html {
                self.html_block =
                    Some(HtmlBlock { end: range.end, open: vec![], list: None, in_entry: false });
            }
            let block = Block { range: range.clone(), ..Block::default() };
            self.blocks.push(TopBlock { kind, block, entries: vec![] });
            self.block_started = false;
        } else if self.depth == 1
            && matches!(tag, Tag::Item)
            && let Some(top) = self.blocks.last_mut().filter(|b| b.kind == Kind::List)
        {
            top.entries.push(Block { range, ..Block::default() });
            self.entry_started = false;
        }
        match tag {
            Tag::Link { dest_url, .. } => {
                self.open_links.push((dest_url.to_string(), String::new()))
            }
            Tag::Strong => self.strong_start(self.in_entry(self.depth + 1)),
            _ => {}
        }
        self.depth += 1;
    }

    /// Bold text opens: a lead, if nothing came before it in its block or entry.
    fn strong_start(&mut self, entry: bool) {
        if self.strong_lead.is_none()
            && ((entry && !self.entry_started) || (!entry && !self.block_started))
        {
            self.strong_lead = Some(StrongLead { text: String::new(), of_block: !entry });
        }
    }

    /// Bold text closes: a lead read becomes its block's or entry's.
    fn strong_end(&mut self) {
        if let Some(lead) = self.strong_lead.take()
            && let Some(top) = self.blocks.last_mut()
        {
            if lead.of_block {
                top.block.lead.get_or_insert(lead.text);
            } else if let Some(e) = top.entries.last_mut() {
                e.lead.get_or_insert(lead.text);
            }
        }
    }

    fn end(&mut self, tag: TagEnd) {
        self.depth = self.depth.saturating_sub(1);
        let entry = self.in_entry(self.depth + 1);
        match tag {
            TagEnd::Link => {
                if let Some((url, text)) = self.open_links.pop() {
                    self.link(Link { url, text: text.trim().to_string() }, entry);
                }
            }
            TagEnd::Strong => self.strong_end(),
            TagEnd::HtmlBlock if self.depth == 0 => self.html_block = None,
            TagEnd::Paragraph
            | TagEnd::Heading(_)
            | TagEnd::Item
            | TagEnd::CodeBlock
            | TagEnd::TableRow
            | TagEnd::BlockQuote(_) => self.push_text_to("\n", entry),
            TagEnd::TableCell => self.push_text_to(" ", entry),
            _ => {}
        }
    }

    /// A link just closed: it belongs to the block, and to the list entry it is in;
    /// one that opens either is its lead.
    fn link(&mut self, link: Link, entry: bool) {
        let Some(top) = self.blocks.last_mut() else { return };
        if entry && let Some(e) = top.entries.last_mut() {
            if opens_with(e, &link.text) {
                e.lead = Some(link.text.clone());
            }
            e.links.push(link.clone());
        }
        if opens_with(&top.block, &link.text) {
            top.block.lead = Some(link.text.clone());
        }
        top.block.links.push(link);
    }

    fn text(&mut self, text: &str) {
        let entry = self.in_entry(self.depth);
        if self.open_links.is_empty() {
            let urls: Vec<Link> =
                bare_urls(text).map(|u| Link { url: u.to_string(), text: u.to_string() }).collect();
            if let Some(top) = self.blocks.last_mut() {
                if entry && let Some(e) = top.entries.last_mut() {
                    e.links.extend(urls.iter().cloned());
                }
                top.block.links.extend(urls);
            }
        }
        for (_, link_text) in &mut self.open_links {
            link_text.push_str(text);
        }
        if let Some(lead) = &mut self.strong_lead {
            lead.text.push_str(text);
        }
        self.push_text_to(text, entry);
        self.block_started = true;
        if entry {
            self.entry_started = true;
        }
    }

    /// Raw HTML: its visible text is text, its `<a href>`s are links, its line-ending
    /// elements end lines; in a top-level HTML block, lists, paragraphs, headings and
    /// `<summary>`s shape blocks as their Markdown counterparts do. Comments, scripts
    /// and styles are nothing. A fragment at the top level still needs a place, so it
    /// opens a block.
    fn html(&mut self, html: &str, range: Range<usize>) {
        if self.depth == 0 {
            let block = Block { range: range.clone(), ..Block::default() };
            self.blocks.push(TopBlock { kind: Kind::Html, block, entries: vec![] });
        }
        for (at, piece) in self.html.read(html, range.start) {
            match piece {
                Piece::Text(text) => self.text(&text),
                Piece::Open { name, href } => self.html_open(&name, href, at),
                Piece::Close { name } => self.html_close(&name, at),
            }
        }
    }

    fn html_open(&mut self, name: &str, href: Option<String>, at: usize) {
        let entry = self.in_entry(self.depth);
        match name {
            "a" => {
                self.html_anchors.push(href.is_some());
                if let Some(href) = href {
                    self.open_links.push((href, String::new()));
                }
            }
            "b" | "strong" => self.strong_start(entry),
            _ => {}
        }
        if html::breaks_line(name) {
            self.push_text_to("\n", entry);
        }
        let Some(block) = &mut self.html_block else { return };
        // A new `<li>` closes the one before it, as a browser's parser would.
        if name == "li" && block.list.is_some_and(|l| block.open.len() == l + 2) {
            block.open.pop();
        }
        let top_level = block.open.iter().all(|e| WRAPPERS.contains(&e.as_str()));
        let starts = match name {
            "ul" | "ol" if top_level && block.list.is_none() => {
                block.list = Some(block.open.len());
                Some(Kind::List)
            }
            "li" if block.list == Some(block.open.len().saturating_sub(1)) => {
                block.in_entry = true;
                if let Some(top) = self.blocks.last_mut() {
                    if let Some(previous) = top.entries.last_mut() {
                        previous.range.end = previous.range.end.min(at);
                    }
                    top.entries.push(Block { range: at..block.end, ..Block::default() });
                }
                self.entry_started = false;
                None
            }
            "p" | "table" | "pre" | "blockquote" if top_level => Some(match name {
                "p" => Kind::Paragraph,
                _ => Kind::Other,
            }),
            "h1" | "h2" | "h3" | "h4" | "h5" | "h6" if top_level => {
                Some(Kind::Heading(heading_level(name)))
            }
            // A `<details>` is a section: its summary is the title.
            "summary" => Some(Kind::Heading(HeadingLevel::H6)),
            _ => None,
        };
        if !html::is_void(name) {
            block.open.push(name.to_string());
        }
        if let Some(kind) = starts {
            self.split_block(kind, at);
        }
    }

    fn html_close(&mut self, name: &str, at: usize) {
        let entry = self.in_entry(self.depth);
        match name {
            "a" => {
                if self.html_anchors.pop() == Some(true)
                    && let Some((url, text)) = self.open_links.pop()
                {
                    self.link(Link { url, text: text.trim().to_string() }, entry);
                }
            }
            "b" | "strong" => self.strong_end(),
            _ => {}
        }
        if html::breaks_line(name) {
            self.push_text_to("\n", entry);
        } else if html::is_cell(name) {
            self.push_text_to(" ", entry);
        }
        let Some(block) = &mut self.html_block else { return };
        let Some(open_at) = block.open.iter().rposition(|e| e == name) else { return };
        block.open.truncate(open_at);
        if name == "li" && block.list == Some(open_at.saturating_sub(1)) {
            block.in_entry = false;
        }
        // What follows a closed list, paragraph, heading or summary is a block of its own.
        let ended = match name {
            "ul" | "ol" if block.list == Some(open_at) => {
                block.list = None;
                true
            }
            "p" | "table" | "pre" | "blockquote" | "h1" | "h2" | "h3" | "h4" | "h5" | "h6"
            | "summary" => block.open.iter().all(|e| WRAPPERS.contains(&e.as_str())),
            _ => false,
        };
        if ended {
            self.split_block(Kind::Html, at);
        }
    }

    /// Starts a new top-level block at `at`, inside the HTML block being read.
    fn split_block(&mut self, kind: Kind, at: usize) {
        let Some(end) = self.html_block.as_ref().map(|b| b.end) else { return };
        if let Some(last) = self.blocks.last_mut() {
            last.block.range.end = last.block.range.end.min(at).max(last.block.range.start);
        }
        let block = Block { range: at..end, ..Block::default() };
        self.blocks.push(TopBlock { kind, block, entries: vec![] });
        self.block_started = false;
    }

    /// Text for the current block, and its list entry when the walk is in one.
    fn push_text(&mut self, text: &str) {
        let entry = self.in_entry(self.depth);
        self.push_text_to(text, entry);
    }

    fn push_text_to(&mut self, text: &str, entry: bool) {
        if let Some(top) = self.blocks.last_mut() {
            if entry && let Some(e) = top.entries.last_mut() {
                e.text.push_str(text);
            }
            top.block.text.push_str(text);
        }
    }
}

fn heading_level(name: &str) -> HeadingLevel {
    match name {
        "h1" => HeadingLevel::H1,
        "h2" => HeadingLevel::H2,
        "h3" => HeadingLevel::H3,
        "h4" => HeadingLevel::H4,
        "h5" => HeadingLevel::H5,
        _ => HeadingLevel::H6,
    }
}

/// Whether a link whose text was just read opens the block: nothing before it but
/// bracketed labels such as `[video]`.
fn opens_with(block: &Block, link_text: &str) -> bool {
    static LABELS: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"^(?:\[[^\]]{1,20}\]\s*)*$").unwrap());
    let before = block.text.trim_end().strip_suffix(link_text.trim()).unwrap_or("x");
    block.links.is_empty() && block.lead.is_none() && LABELS.is_match(before.trim())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn titles(o: &Outline) -> Vec<&str> {
        o.items.iter().map(|i| i.title.as_str()).collect()
    }

    #[test]
    fn sections_under_headings_are_items() {
        let o = outline(
            "# Weekly\n\nIntro text.\n\n## Speculative decoding\n\nA thread about drafts.\n\n## Agent memory\n\nMemory layers.\n",
        );
        assert_eq!(o.title.as_deref(), Some("Weekly"));
        assert_eq!(titles(&o), ["Introduction", "Speculative decoding", "Agent memory"]);
        assert_eq!(o.items[1].text, "A thread about drafts.");
        assert_eq!(o.items[2].markdown, "Memory layers.");
    }

    #[test]
    fn link_lists_split_into_entries_with_context() {
        let body = "## Updates\n\n<!--\n* [Title](https://example.com/placeholder)\n-->\n\n### Official\n* [Announcing Rust 1.84.0](https://blog.rust-lang.org/x.html)\n* [video] [Comprehending Proc Macros](https://www.youtube.com/watch?v=1) — a talk\n\n## Crate of the Week\n\nThis week's crate is [vidyut](https://github.com/ambuda-org/vidyut).\n";
        let o = outline(body);
        assert_eq!(
            titles(&o),
            ["Announcing Rust 1.84.0", "Comprehending Proc Macros", "Crate of the Week"]
        );
        assert_eq!(o.items[0].context, ["Updates", "Official"]);
        assert_eq!(o.items[1].links[0].url, "https://www.youtube.com/watch?v=1");
        assert_eq!(o.items[1].text, "[video] Comprehending Proc Macros — a talk");
        assert!(o.items.iter().all(|i| i.links.iter().all(|l| !l.url.contains("placeholder"))));
        assert_eq!(&body[o.items[0].offset..o.items[0].offset + 3], "* [");
    }

    #[test]
    fn section_text_before_a_link_list_is_its_own_item() {
        let o = outline(
            "## Papers\n\nThree papers this week.\n\n- [A](https://arxiv.org/abs/1)\n- [B](https://arxiv.org/abs/2)\n",
        );
        assert_eq!(titles(&o), ["Papers", "A", "B"]);
        assert_eq!(o.items[0].text, "Three papers this week.");
    }

    #[test]
    fn plain_digest() {
        let body = "Thursday, April 16, 2026\n\n**Speculative decoding.** Someone on LocalLLaMA got 2x with a small draft model.\n\nA new GGUF of the model is out: https://huggingface.co/x/y.\n\n- it fits in 8 GB\n- runs at 40 tok/s\n\n— Sam Lee\n";
        let o = outline(body);
        assert_eq!(
            o.date_line,
            Some((NaiveDate::from_ymd_opt(2026, 4, 16).unwrap(), String::new()))
        );
        assert_eq!(o.signature.as_ref().unwrap().author.as_deref(), Some("Sam Lee"));
        assert_eq!(
            titles(&o),
            ["Speculative decoding", "A new GGUF of the model is out: https://huggingface.co/x/y"]
        );
        assert_eq!(o.items[1].links[0].url, "https://huggingface.co/x/y");
        assert!(o.items[1].text.contains("runs at 40 tok/s"), "{}", o.items[1].text);
    }

    #[test]
    fn signatures() {
        let sig = signature("Weekly Roundup — March 3, 2026 — Sam Lee").unwrap();
        assert_eq!(sig.date, NaiveDate::from_ymd_opt(2026, 3, 3));
        assert_eq!(sig.author.as_deref(), Some("Sam Lee"));
        assert_eq!(sig.series.as_deref(), Some("Weekly Roundup"));
        let sig = signature("-- Ana").unwrap();
        assert_eq!((sig.author.as_deref(), sig.date), (Some("Ana"), None));
        assert!(
            signature(
                "That was the week, see you on March 10, 2026 when we have much more to say."
            )
            .is_none()
        );
        assert!(signature("A plain closing sentence.").is_none());
    }

    #[test]
    fn date_lines() {
        let (date, rest) = date_line("Weekly AI Roundup — March 3, 2026").unwrap();
        assert_eq!(
            (date, rest.as_str()),
            (NaiveDate::from_ymd_opt(2026, 3, 3).unwrap(), "Weekly AI Roundup")
        );
        assert!(
            date_line(
                "On March 3, 2026 a very long sentence went on and on about many many things"
            )
            .is_none()
        );
    }

    #[test]
    fn nothing_but_comments_and_blank() {
        assert!(outline("<!-- nothing -->\n\n").items.is_empty());
        assert!(outline("").items.is_empty());
    }
}
