//! The one place Markdown is parsed from: the options every caller uses (items are
//! found in the blocks the reader sees), and plain text for snippets.

use pulldown_cmark::{Event, Options, Parser, TagEnd};

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
/// block.
pub fn plain_text(markdown: &str) -> String {
    let mut out = String::new();
    for event in parser(markdown) {
        match event {
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
            _ => {}
        }
    }
    out.trim().to_string()
}
