//! Raw HTML inside Markdown, read as a browser would show it: its visible text (entities
//! decoded; `<script>`, `<style>`, `<template>` and comments left out) and its tags, so
//! that the outline can treat `<a href>` as links, `<li>` as list entries, `<summary>`
//! as a section's title and block elements as line breaks.
//!
//! The HTML is tokenized by html5ever (the tokenizer of the HTML standard). A fragment
//! is fed in pieces that each start at a `<`, so every token is known to start in the
//! piece that completed it: its byte offset in the Markdown body is the piece's.

use std::cell::{Cell, RefCell};

use html5ever::tendril::StrTendril;
use html5ever::tokenizer::states::RawKind;
use html5ever::tokenizer::{
    BufferQueue, TagKind, Token, TokenSink, TokenSinkResult, Tokenizer, TokenizerOpts,
};

/// What the HTML holds, in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Piece {
    /// Visible text, entities decoded.
    Text(String),
    /// An element opens (`name` lower-cased; `href` for links).
    Open {
        /// The element's name.
        name: String,
        /// Its `href`, when it has one.
        href: Option<String>,
    },
    /// An element closes (or was self-closing, like `<br/>`).
    Close {
        /// The element's name.
        name: String,
    },
}

/// Elements whose content is never shown.
const HIDDEN: &[&str] = &["script", "style", "template", "noscript", "head", "title", "textarea"];

/// Elements that end a line of text where they open or close.
const BLOCKS: &[&str] = &[
    "address",
    "article",
    "aside",
    "blockquote",
    "br",
    "dd",
    "details",
    "div",
    "dl",
    "dt",
    "figcaption",
    "figure",
    "footer",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "header",
    "hr",
    "li",
    "main",
    "nav",
    "ol",
    "p",
    "pre",
    "section",
    "summary",
    "table",
    "tr",
    "ul",
];

/// Whether an element ends a line of text (`<p>`, `<li>`, `<br>`, `<tr>`...).
pub fn breaks_line(name: &str) -> bool {
    BLOCKS.contains(&name)
}

/// Whether an element is a table cell (its text is set apart by a space).
pub fn is_cell(name: &str) -> bool {
    matches!(name, "td" | "th")
}

/// Whether an element has neither content nor end tag (`<br>`, `<img>`).
pub fn is_void(name: &str) -> bool {
    matches!(
        name,
        "area"
            | "base"
            | "br"
            | "col"
            | "embed"
            | "hr"
            | "img"
            | "input"
            | "link"
            | "meta"
            | "source"
            | "track"
            | "wbr"
    )
}

/// Reads HTML fragments one after another, keeping the tokenizer's state between them
/// (a `<script>` opened in one line of an HTML block hides the next lines too).
pub struct HtmlReader {
    tokenizer: Tokenizer<Collect>,
}

impl Default for HtmlReader {
    fn default() -> Self {
        HtmlReader { tokenizer: Tokenizer::new(Collect::default(), TokenizerOpts::default()) }
    }
}

impl HtmlReader {
    /// Reads a fragment that starts at byte `offset` of the body: the pieces it
    /// completes, each with the offset of where it starts.
    pub fn read(&mut self, html: &str, offset: usize) -> Vec<(usize, Piece)> {
        let mut out = vec![];
        let mut start = 0;
        while start < html.len() {
            // `<` is ASCII: never inside a multi-byte character, so a byte search cuts
            // at character boundaries whatever the fragment starts with.
            let next = html.as_bytes()[start + 1..].iter().position(|&b| b == b'<');
            let end = next.map_or(html.len(), |i| start + 1 + i);
            let sink = &self.tokenizer.sink;
            sink.at.set(offset + start);
            let input = BufferQueue::default();
            input.push_back(StrTendril::from(&html[start..end]));
            let _ = self.tokenizer.feed(&input);
            out.append(&mut self.tokenizer.sink.pieces.borrow_mut());
            start = end;
        }
        out
    }

    /// Ends the input: the pieces the tokenizer still held (a character reference at the
    /// very end waits for what may follow it).
    pub fn finish(&mut self) -> Vec<(usize, Piece)> {
        self.tokenizer.end();
        std::mem::take(&mut self.tokenizer.sink.pieces.borrow_mut())
    }

    /// Whether the reader is inside an element whose content is never shown: Markdown
    /// text between `<script>` and `</script>` in a paragraph is hidden too.
    pub fn hiding(&self) -> bool {
        self.tokenizer.sink.hidden.get() > 0
    }
}

/// The token sink: turns tokens into [`Piece`]s, hiding what is never shown.
#[derive(Default)]
struct Collect {
    pieces: RefCell<Vec<(usize, Piece)>>,
    /// The offset of the piece being read.
    at: Cell<usize>,
    /// How many hidden elements are open.
    hidden: Cell<usize>,
}

impl TokenSink for Collect {
    type Handle = ();

    fn process_token(&self, token: Token, _line: u64) -> TokenSinkResult<()> {
        let at = self.at.get();
        let mut pieces = self.pieces.borrow_mut();
        match token {
            Token::CharacterTokens(text) if self.hidden.get() == 0 => {
                match pieces.last_mut() {
                    // One piece of text per run, however the tokenizer split it.
                    Some((_, Piece::Text(last))) => last.push_str(&text),
                    _ => pieces.push((at, Piece::Text(text.to_string()))),
                }
            }
            Token::TagToken(tag) => {
                let name = tag.name.to_string(); // lower-cased by the tokenizer
                let hidden = HIDDEN.contains(&name.as_str());
                match tag.kind {
                    TagKind::StartTag => {
                        if hidden && !tag.self_closing {
                            self.hidden.set(self.hidden.get() + 1);
                        }
                        if self.hidden.get() == 0 {
                            let href = tag
                                .attrs
                                .iter()
                                .find(|a| &*a.name.local == "href")
                                .map(|a| a.value.trim().to_string())
                                .filter(|h| !h.is_empty());
                            pieces.push((at, Piece::Open { name: name.clone(), href }));
                            if tag.self_closing || is_void(&name) {
                                pieces.push((at, Piece::Close { name: name.clone() }));
                            }
                        }
                        // The tokenizer alone does not know which elements hold raw
                        // text: tell it, as a tree builder would.
                        return match name.as_str() {
                            "script" => TokenSinkResult::RawData(RawKind::ScriptData),
                            "style" | "xmp" | "iframe" | "noembed" | "noframes" | "noscript" => {
                                TokenSinkResult::RawData(RawKind::Rawtext)
                            }
                            "textarea" | "title" => TokenSinkResult::RawData(RawKind::Rcdata),
                            _ => TokenSinkResult::Continue,
                        };
                    }
                    TagKind::EndTag => {
                        if hidden {
                            self.hidden.set(self.hidden.get().saturating_sub(1));
                        } else if self.hidden.get() == 0 && !is_void(&name) {
                            pieces.push((at, Piece::Close { name }));
                        }
                    }
                }
            }
            _ => {}
        }
        TokenSinkResult::Continue
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_text_drops_scripts_styles_comments_and_decodes_entities() {
        let out = crate::digest::plain_text(
            "<div><p>Fish &amp; chips &mdash; <b>good</b></p><!-- hidden --><script>var x = '<p>no</p>';</script>\
             <style>p { color: red }</style><template><p>never</p></template>\
             <table><tr><td>a</td><td>b</td></tr></table>line<br>next</div>",
        );
        assert_eq!(out, "Fish & chips — good\na b \nline next");
    }

    #[test]
    fn pieces_carry_the_offset_where_they_start() {
        let html = "<ul>\n<li><a href=\"https://x.com/a/status/1\">Tweet</a>: text</li>\n</ul>";
        let mut reader = HtmlReader::default();
        let pieces = reader.read(html, 100);
        let li = html.find("<li>").unwrap() + 100;
        assert!(pieces.contains(&(li, Piece::Open { name: "li".into(), href: None })));
        let a = html.find("<a ").unwrap() + 100;
        let link = Piece::Open { name: "a".into(), href: Some("https://x.com/a/status/1".into()) };
        assert!(pieces.contains(&(a, link)));
        // Text starts in the piece of the tag before it.
        assert!(pieces.contains(&(a, Piece::Text("Tweet".into()))));
    }

    #[test]
    fn a_fragment_may_start_with_any_character() {
        let mut reader = HtmlReader::default();
        let pieces = reader.read("– <a href=\"https://x.example\">x</a></p>\n", 0);
        assert_eq!(pieces[0], (0, Piece::Text("– ".into())));
        assert_eq!(reader.read("é", 50), vec![(50, Piece::Text("é".into()))]);
    }

    #[test]
    fn a_script_spanning_fragments_hides_them_all() {
        let mut reader = HtmlReader::default();
        reader.read("<script>", 0);
        assert!(reader.hiding());
        let inside = reader.read("document.write('<p>x</p>')", 8);
        assert!(inside.is_empty(), "{inside:?}");
        reader.read("</script>", 40);
        assert!(!reader.hiding());
        assert_eq!(reader.read("shown", 49), vec![(49, Piece::Text("shown".into()))]);
    }
}
