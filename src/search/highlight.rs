//! Query terms in a text: which words of a query to mark, and marking them, by their
//! analysed form (so `decoding` marks `decoders` and `decode`).

use std::collections::HashSet;

use super::query;
use crate::index::{analyze, query_analyzer, text_analyzer};

/// Escapes text for HTML, wrapping words whose analysed form is a query term in
/// `<mark>`.
pub fn mark(text: &str, terms: &HashSet<String>) -> String {
    let mut analyzer = text_analyzer();
    let mut stream = analyzer.token_stream(text);
    let mut out = String::with_capacity(text.len() + 16);
    let mut at = 0;
    while let Some(token) = stream.next() {
        if terms.contains(&token.text) && token.offset_from >= at {
            out.push_str(&escape_html(&text[at..token.offset_from]));
            out.push_str("<mark>");
            out.push_str(&escape_html(&text[token.offset_from..token.offset_to]));
            out.push_str("</mark>");
            at = token.offset_to;
        }
    }
    out.push_str(&escape_html(&text[at..]));
    out
}

/// The analysed terms of a query's words and phrases (exclusions and filters left out).
pub fn query_terms(q: &str) -> HashSet<String> {
    let today = chrono::Utc::now().date_naive();
    let Ok(parsed) = query::parse(q, today, &|_| false) else {
        return HashSet::new();
    };
    let mut analyzer = query_analyzer();
    let words = parsed.root.iter().flat_map(|root| root.positive_words());
    words.flat_map(|words| analyze(&mut analyzer, words)).collect()
}

/// Escapes text for HTML (pulldown-cmark's escaper, the one its HTML renderer uses).
pub fn escape_html(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    let _ = pulldown_cmark_escape::escape_html(&mut out, text);
    out
}
