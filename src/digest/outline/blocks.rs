//! The walk of a digest's Markdown into top-level blocks: one pass over the parser's
//! events ([`BlockReader`], a method per event), raw HTML blocks read by their tags, each
//! block with its byte range, text, links and the list entries it holds.

use std::ops::Range;
use std::sync::LazyLock;

use pulldown_cmark::{Event, HeadingLevel, Tag, TagEnd};
use regex::Regex;

use crate::digest::html::{self, HtmlReader, Piece};
use crate::digest::{Link, markdown};

#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) enum Kind {
    Heading(HeadingLevel),
    Paragraph,
    List,
    Html,
    Other,
}

/// A top-level block, or a top-level entry of a list.
#[derive(Debug, Default)]
pub(super) struct Block {
    pub(super) range: Range<usize>,
    pub(super) text: String,
    pub(super) links: Vec<Link>,
    /// Bold text or link text that opens the block: its natural title.
    pub(super) lead: Option<String>,
}

#[derive(Debug)]
pub(super) struct TopBlock {
    pub(super) kind: Kind,
    pub(super) block: Block,
    pub(super) entries: Vec<Block>,
}

impl TopBlock {
    /// A list whose entries each carry their own link(s).
    pub(super) fn is_link_list(&self) -> bool {
        if self.kind != Kind::List || self.entries.is_empty() {
            return false;
        }
        let linked = self.entries.iter().filter(|e| !e.links.is_empty()).count();
        linked == self.entries.len()
            || (self.entries.len() >= 4 && linked * 4 >= self.entries.len() * 3)
    }

    pub(super) fn is_single_line_paragraph(&self) -> bool {
        self.kind == Kind::Paragraph && !self.block.text.trim().contains('\n')
    }

    /// A line of links or badges and nothing else (`[Home](/) | [Archive](/a)`, an
    /// image link): what sits above a digest's title without being part of it.
    pub(super) fn is_link_line(&self) -> bool {
        let mut rest = self.block.text.clone();
        for link in &self.block.links {
            rest = rest.replacen(link.text.as_str(), "", 1);
        }
        self.is_single_line_paragraph()
            && !self.block.links.is_empty()
            && !rest.chars().any(char::is_alphanumeric)
    }
}

/// A bare URL (digests often paste them without Markdown link syntax).
static URL: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"https?://[^\s<>()\[\]{}]+").unwrap());

/// Bare URLs in text.
pub(super) fn bare_urls(text: &str) -> impl Iterator<Item = &str> {
    URL.find_iter(text)
        .map(|m| m.as_str().trim_end_matches(['.', ',', ';', ':', '!', '?', '\'', '"']))
}

/// The text without its bare URLs (they stay links and sources of the item), or the
/// text as it is when it is nothing else.
pub(super) fn without_urls(text: &str) -> std::borrow::Cow<'_, str> {
    if !URL.is_match(text) {
        return text.into();
    }
    let lines: Vec<String> = text
        .lines()
        .map(|line| URL.replace_all(line, "").split_whitespace().collect::<Vec<_>>().join(" "))
        .filter(|line| !line.is_empty())
        .collect();
    match lines.is_empty() {
        true => text.into(),
        false => lines.join("\n").into(),
    }
}

/// Walks the Markdown events once and collects the top-level blocks, each with its plain
/// text and links, and for lists each top-level entry likewise.
pub(super) fn top_blocks(body: &str) -> Vec<TopBlock> {
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
