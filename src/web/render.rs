//! An entry's Markdown -> sanitised HTML, with each item's anchor on the block that
//! starts it and, when arriving from a search, the query's terms marked.
//!
//! Parsing uses the same options as the digest parser, so the anchors land on the blocks
//! the items were cut from. The HTML goes through ammonia: raw `<script>`, event
//! handlers and `javascript:` links do not survive.

use std::collections::{BTreeMap, HashSet};
use std::sync::LazyLock;

use pulldown_cmark::{CowStr, Event, Tag, TagEnd};

use crate::digest::html::{HtmlReader, Piece};
use crate::digest::markdown;
use crate::search::abandon::abandoned;
use crate::search::highlight::{mark, mark_raw};
use crate::search::{ItemView, escape_html};

static SANITIZER: LazyLock<ammonia::Builder<'static>> = LazyLock::new(|| {
    let mut b = ammonia::Builder::default();
    b.add_generic_attributes(["id"])
        .add_tags(["mark"])
        .link_rel(Some("noopener noreferrer nofollow"));
    b
});

/// Container blocks (lists, items, quotes) nested deeper than this are flattened.
const MAX_NESTING: usize = 48;

// Long on purpose: one pass over the parser's events, an arm per kind of event.
/// Renders Markdown to sanitised HTML. `items` place the anchors; `terms` (analysed
/// query terms) are marked in the text.
pub fn render(markdown: &str, items: &[ItemView], terms: &HashSet<String>) -> String {
    let anchors: BTreeMap<usize, &str> =
        items.iter().map(|i| (i.offset, i.anchor.as_str())).collect();
    let mut placed: HashSet<usize> = HashSet::new();
    let mut in_code = false;
    // Raw HTML is read as the digest parser reads it: the same tokenizer, fragment after
    // fragment, so that text is marked where a reader sees it (never inside a script).
    let mut html_reader = HtmlReader::default();
    let mut raw_depth = 0;
    // Lists and quotes nested past MAX_NESTING are flattened: the text stays, the extra
    // levels go (HTML parsers are quadratic in nesting depth; 20,000 levels took >10 s).
    let mut containers: Vec<bool> = vec![];
    let mut depth = 0;
    let mut events: Vec<Event> = vec![];
    for (n, (event, range)) in markdown::parser(markdown).into_offset_iter().enumerate() {
        // Work for a request no longer waiting ends here (its caller sees it abandoned).
        if n % 1024 == 0 && abandoned() {
            return String::new();
        }
        match &event {
            Event::Start(Tag::List(_) | Tag::Item | Tag::BlockQuote(_)) => {
                let keep = depth < MAX_NESTING;
                containers.push(keep);
                if !keep {
                    continue;
                }
                depth += 1;
            }
            Event::End(TagEnd::List(_) | TagEnd::Item | TagEnd::BlockQuote(_)) => {
                if !containers.pop().unwrap_or(true) {
                    continue;
                }
                depth -= 1;
            }
            _ => {}
        }
        let anchor = anchors.get(&range.start).copied().filter(|_| !placed.contains(&range.start));
        match event {
            Event::Start(Tag::Heading { level, id: _, classes, attrs }) if anchor.is_some() => {
                placed.insert(range.start);
                let id = Some(CowStr::from(anchor.unwrap_or_default().to_string()));
                events.push(Event::Start(Tag::Heading { level, id, classes, attrs }));
            }
            Event::Start(Tag::Item) if anchor.is_some() => {
                placed.insert(range.start);
                events.push(Event::Html(
                    format!("<li id=\"{}\">", escape_html(anchor.unwrap_or_default())).into(),
                ));
            }
            Event::Start(Tag::Paragraph) if anchor.is_some() => {
                placed.insert(range.start);
                events.push(Event::Html(
                    format!("<p id=\"{}\">", escape_html(anchor.unwrap_or_default())).into(),
                ));
            }
            Event::Start(tag) => {
                if anchor.is_some() && !matches!(tag, Tag::List(_)) {
                    placed.insert(range.start);
                    let html =
                        format!("<a id=\"{}\"></a>", escape_html(anchor.unwrap_or_default()));
                    events.push(Event::Html(html.into()));
                }
                in_code |= matches!(tag, Tag::CodeBlock(_));
                events.push(Event::Start(tag));
            }
            Event::End(TagEnd::CodeBlock) => {
                in_code = false;
                events.push(Event::End(TagEnd::CodeBlock));
            }
            Event::Text(text) if !terms.is_empty() && !in_code => {
                events.push(Event::Html(mark(&text, terms).into()))
            }
            // Raw HTML: items cut from it (an `<li>` of an HTML list) get their anchor
            // where they start, and its visible text gets the marks.
            Event::Html(html) | Event::InlineHtml(html) => {
                let anchors: Vec<(usize, &str)> = anchors
                    .range(range.clone())
                    .map(|(&offset, &anchor)| (offset - range.start, anchor))
                    .filter(|(offset, _)| placed.insert(offset + range.start))
                    .collect();
                let reading = (&mut html_reader, &mut raw_depth);
                events.push(Event::Html(raw_html(&html, &anchors, reading, terms).into()));
            }
            other => events.push(other),
        }
    }
    let mut html = String::with_capacity(markdown.len() * 3 / 2);
    pulldown_cmark::html::push_html(&mut html, events.into_iter());
    SANITIZER.clean(&html).to_string()
}

/// A fragment of raw HTML with `<a id>` anchors placed at their offsets and the terms
/// marked in its visible text (the tokenizer says where text is: never in a tag, a
/// script or a comment).
/// Elements of raw HTML that nest until closed, whose tags past [`MAX_NESTING`] levels are
/// left out (their text stays): the sanitizer's HTML parser checks scopes down its stack
/// of open elements, and 20,000 nested `<div>`s took 3.4 s to render.
const NESTING_TAGS: [&str; 8] =
    ["div", "span", "section", "article", "details", "blockquote", "font", "table"];

fn raw_html(
    html: &str,
    anchors: &[(usize, &str)],
    (reader, depth): (&mut HtmlReader, &mut usize),
    terms: &HashSet<String>,
) -> String {
    let mut edits: Vec<(usize, usize, String)> = vec![];
    for &(offset, anchor) in anchors {
        let cut = offset.min(html.len());
        if html.is_char_boundary(cut) {
            edits.push((cut, cut, format!("<a id=\"{}\"></a>", escape_html(anchor))));
        }
    }
    let tag_end = |at: usize| html[at..].find('>').map(|i| at + i + 1);
    for (at, piece) in reader.read(html, 0) {
        match piece {
            Piece::Text(_) if !terms.is_empty() => {
                if let Some(text) = raw_text(html, at) {
                    edits.push((text.start, text.end, mark_raw(&html[text.clone()], terms)));
                }
            }
            Piece::Open { name, .. } if NESTING_TAGS.contains(&name.as_str()) => {
                *depth += 1;
                if let Some(end) = tag_end(at).filter(|_| *depth > MAX_NESTING) {
                    edits.push((at, end, String::new()));
                }
            }
            Piece::Close { name } if NESTING_TAGS.contains(&name.as_str()) => {
                let deep = *depth > MAX_NESTING;
                *depth = depth.saturating_sub(1);
                // A self-closed one (`<div/>`) shares its opening tag's place.
                let opened_here = html[at..].starts_with("<") && !html[at..].starts_with("</");
                if let Some(end) = tag_end(at).filter(|_| deep && !opened_here) {
                    edits.push((at, end, String::new()));
                }
            }
            _ => {}
        }
    }
    apply(html, edits)
}

/// The raw text of the piece of `html` that starts at `at`: after its opening tag (a
/// piece starts at a `<`, or at the fragment's start), up to the next `<`.
fn raw_text(html: &str, at: usize) -> Option<std::ops::Range<usize>> {
    let end = html.as_bytes()[at + 1..]
        .iter()
        .position(|&b| b == b'<')
        .map_or(html.len(), |i| at + 1 + i);
    let start = if html[at..].starts_with('<') { at + html[at..end].find('>')? + 1 } else { at };
    (start < end).then_some(start..end)
}

/// `html` with each `(start, end, text)` edit made (ranges in order, not overlapping).
fn apply(html: &str, mut edits: Vec<(usize, usize, String)>) -> String {
    edits.sort_by_key(|(start, end, _)| (*start, *end));
    let mut out = String::with_capacity(html.len() + 64);
    let mut at = 0;
    for (start, end, text) in edits {
        if start < at {
            continue;
        }
        out.push_str(&html[at..start]);
        out.push_str(&text);
        at = end;
    }
    out.push_str(&html[at..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::search::highlight::query_terms;

    fn item(anchor: &str, offset: usize) -> ItemView {
        ItemView {
            anchor: anchor.into(),
            title: String::new(),
            context: None,
            offset,
            text: String::new(),
            sources: vec![],
            topics: vec![],
            links: vec![],
            story_ids: vec![],
        }
    }

    #[test]
    fn anchors_land_on_headings_list_entries_and_paragraphs() {
        let md = "## Speculative decoding\n\nText.\n\n* [A](https://a.example) — x\n* [B](https://b.example)\n\nPlain paragraph.\n";
        let items = [
            item("speculative-decoding", 0),
            item("a", md.find("* [A]").unwrap()),
            item("b", md.find("* [B]").unwrap()),
            item("plain", md.find("Plain").unwrap()),
        ];
        let html = render(md, &items, &HashSet::new());
        assert!(html.contains("<h2 id=\"speculative-decoding\">"), "{html}");
        assert!(html.contains("<li id=\"a\">"), "{html}");
        assert!(html.contains("<li id=\"b\">"), "{html}");
        assert!(html.contains("<p id=\"plain\">"), "{html}");
    }

    #[test]
    fn items_of_an_html_list_get_their_anchors_inside_it() {
        let md = "<ul>\n  <li><a href=\"https://a.example\">A</a>: one</li>\n  <li><a href=\"https://b.example\">B</a>: two</li>\n</ul>\n";
        let entry =
            crate::digest::Entry::parse("x", md, &crate::digest::Taxonomy::builtin()).unwrap();
        let items: Vec<ItemView> = entry
            .items
            .iter()
            .map(|i| ItemView { offset: i.offset, ..item(&i.anchor, i.offset) })
            .collect();
        assert_eq!(items.len(), 2);
        let html = render(md, &items, &HashSet::new());
        let at = |needle: &str| html.find(needle).unwrap_or_else(|| panic!("{needle}: {html}"));
        assert!(at("<a id=\"a\"") < at(">A</a>: one"));
        assert!(at(">A</a>: one") < at("<a id=\"b\""));
        assert!(at("<a id=\"b\"") < at(">B</a>: two"));
    }

    #[test]
    fn terms_are_marked_inside_raw_html_but_not_in_its_tags_or_scripts() {
        let md = "<ul>\n<li><a href=\"https://decoding.example\" title=\"decoding\">Decoding</a>: fish &amp; decoders</li>\n</ul>\n\n<script>var decoding = 1;</script>\n";
        let html = render(md, &[], &query_terms("decoding"));
        assert!(
            html.contains("<mark>Decoding</mark></a>: fish &amp; <mark>decoders</mark>"),
            "{html}"
        );
        assert!(html.contains("href=\"https://decoding.example\""), "attributes untouched: {html}");
        assert!(!html.contains("script"), "{html}");
    }

    #[test]
    fn deep_nesting_is_flattened_and_the_text_kept() {
        let md = format!("{}deep\n\n{}quoted\n", "- ".repeat(5_000), "> ".repeat(5_000));
        let html = render(&md, &[], &HashSet::new());
        assert!(html.contains("deep") && html.contains("quoted"));
        assert!(html.matches("<ul>").count() <= MAX_NESTING, "{}", html.matches("<ul>").count());
        assert!(html.matches("<blockquote>").count() <= MAX_NESTING);
    }

    #[test]
    fn hostile_markdown_is_sanitised() {
        let md = "Hi <script>alert(1)</script> <img src=x onerror=alert(2)> [x](javascript:alert(3)) <iframe src=\"https://evil.example\"></iframe> <a href=\"data:text/html,<script>alert(4)</script>\">d</a>\n\n<svg><script>alert(5)</script></svg>\n";
        let html = render(md, &[], &HashSet::new()).to_lowercase();
        for bad in ["<script", "onerror", "javascript:", "<iframe", "data:text", "<svg"] {
            assert!(!html.contains(bad), "{bad} survived: {html}");
        }
    }

    #[test]
    fn query_terms_are_marked_by_stem() {
        let terms = query_terms("decoding -draft topic:\"local models\" speculative");
        assert!(!terms.contains("model"), "{terms:?}");
        let html = render(
            "Speculative decoders decode <b>drafts</b>.\n\n```\ndecode in code\n```\n",
            &[],
            &terms,
        );
        assert!(html.contains("<mark>Speculative</mark>"), "{html}");
        assert!(html.contains("<mark>decode</mark>"), "{html}");
        assert!(!html.contains("<mark>drafts"), "{html}");
        assert!(html.contains("decode in code"), "code is left alone: {html}");
        assert_eq!(mark("a < b & decoding", &terms), "a &lt; b &amp; <mark>decoding</mark>");
    }
}
