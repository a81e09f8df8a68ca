//! The one place Markdown is parsed from: the options every caller uses (items are
//! found in the blocks the reader sees), and plain text for snippets.

use pulldown_cmark::{Event, Options, Parser, TagEnd};

use super::html::{self, HtmlReader, Piece};

/// The Markdown options used everywhere a digest is parsed or rendered, so that the
/// items found here are the blocks the reader sees.
pub fn markdown_options() -> Options {
    Options::ENABLE_TABLES
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS
}

/// A parser of digest Markdown with the options every caller shares.
pub fn parser(markdown: &str) -> Parser<'_> {
    Parser::new_ext(markdown, markdown_options())
}

/// The plain text of some Markdown: its words, a space for a line break, a line per
/// block; raw HTML as a browser shows it (its text, a line per block element, nothing of
/// comments, scripts and styles).
pub fn plain_text(markdown: &str) -> String {
    let mut out = String::new();
    let mut html = HtmlReader::default();
    for event in parser(markdown) {
        match event {
            Event::Text(_) | Event::Code(_) if html.hiding() => {}
            Event::Text(t) | Event::Code(t) | Event::InlineMath(t) | Event::DisplayMath(t) => {
                out.push_str(&t)
            }
            Event::SoftBreak | Event::HardBreak => out.push(' '),
            Event::End(
                TagEnd::Paragraph
                | TagEnd::Heading(_)
                | TagEnd::Item
                | TagEnd::CodeBlock
                | TagEnd::TableRow,
            ) => out.push('\n'),
            Event::Html(fragment) | Event::InlineHtml(fragment) => {
                for (_, piece) in html.read(&fragment, 0) {
                    match piece {
                        Piece::Text(text) => out.push_str(&text),
                        Piece::Open { name, .. } if name == "br" => out.push(' '),
                        Piece::Close { name } if name == "br" => {}
                        Piece::Open { name, .. } | Piece::Close { name }
                            if html::breaks_line(&name)
                                && !out.is_empty()
                                && !out.ends_with('\n') =>
                        {
                            out.push('\n')
                        }
                        Piece::Close { name } if html::is_cell(&name) => out.push(' '),
                        _ => {}
                    }
                }
            }
            _ => {}
        }
    }
    out.trim().to_string()
}
