//! Query terms in a text: which words of a query to mark, and marking them, by their
//! analysed form (so `decoding` marks `decoders` and `decode`).

use std::collections::HashSet;

use super::query;
use crate::index::{analyze, query_analyzer, text_analyzer};

/// Escapes text for HTML, wrapping words whose analysed form is a query term in
/// `<mark>`. Marks that touch or overlap (a CJK word's overlapping pairs) are one.
pub fn mark(text: &str, terms: &HashSet<String>) -> String {
    wrap(text, terms, escape_html)
}

/// Like [`mark`] for text that is already HTML (the text between the tags of raw HTML,
/// entities and all): nothing is escaped, only `<mark>`s are added.
pub fn mark_raw(html_text: &str, terms: &HashSet<String>) -> String {
    wrap(html_text, terms, str::to_string)
}

fn wrap(text: &str, terms: &HashSet<String>, escape: impl Fn(&str) -> String) -> String {
    let mut analyzer = text_analyzer();
    let mut stream = analyzer.token_stream(text);
    let mut marks: Vec<(usize, usize)> = vec![];
    while let Some(token) = stream.next() {
        if !terms.contains(&token.text) {
            continue;
        }
        match marks.last_mut() {
            Some(last) if token.offset_from <= last.1 => last.1 = last.1.max(token.offset_to),
            _ => marks.push((token.offset_from, token.offset_to)),
        }
    }
    let mut out = String::with_capacity(text.len() + 16);
    let mut at = 0;
    for (from, to) in marks {
        out.push_str(&escape(&text[at..from]));
        out.push_str("<mark>");
        out.push_str(&escape(&text[from..to]));
        out.push_str("</mark>");
        at = to;
    }
    out.push_str(&escape(&text[at..]));
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

#[cfg(test)]
mod tests {
    use super::{mark, query_terms};

    #[test]
    fn marks_by_stem_and_a_cjk_word_as_one() {
        let terms = query_terms("decoding");
        assert_eq!(
            mark("Decoders & <decode>", &terms),
            "<mark>Decoders</mark> &amp; &lt;<mark>decode</mark>&gt;"
        );
        let terms = query_terms("开源软件");
        assert_eq!(mark("我们用开源软件同步", &terms), "我们用<mark>开源软件</mark>同步");
    }
}
