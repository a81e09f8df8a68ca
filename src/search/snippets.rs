//! A ranked address -> a [`Hit`]: its stored fields, and a snippet of its text cut
//! from its entry's Markdown, with the query's terms marked.

use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet, HashMap};

use tantivy::query::Query;
use tantivy::schema::Field;
use tantivy::snippet::{Snippet, SnippetGenerator};
use tantivy::{DocAddress, Score, Searcher, TantivyDocument, Term};

use super::highlight::escape_html;
use super::stored::{Bodies, all_str, date_in, first_str, first_u64};
use super::{Hit, Matched};
use crate::digest::outline::outline;
use crate::digest::{Link, plain_text};
use crate::index::{Fields, language_analyzer};

/// The longest snippet, in characters.
const SNIPPET_CHARS: usize = 220;

/// Snippets for the hits of one query.
pub struct Snippets {
    /// `None` for a query of filters only: each item then shows its lead.
    generator: Option<SnippetGenerator>,
    /// The query's terms in `text` and their weights, for generators of other
    /// languages.
    terms: BTreeMap<String, Score>,
    /// A generator per language other than English, cut with its stemmer (`None`
    /// where it has none).
    by_language: RefCell<HashMap<String, Option<SnippetGenerator>>>,
    text: Field,
}

impl Snippets {
    /// Snippets that mark the query's words, when it has some.
    pub fn new(
        searcher: &Searcher,
        query: &dyn Query,
        f: &Fields,
        has_words: bool,
    ) -> tantivy::Result<Snippets> {
        let (generator, terms) = if has_words {
            // The terms are weighed once; the English generator is built from them with
            // the field's own analyzer, as `SnippetGenerator::create` would.
            let terms = query_terms(searcher, query, f.text)?;
            let analyzer = searcher.index().tokenizer_for_field(f.text)?;
            (Some(SnippetGenerator::new(terms.clone(), analyzer, f.text, SNIPPET_CHARS)), terms)
        } else {
            (None, BTreeMap::new())
        };
        Ok(Snippets { generator, terms, by_language: Default::default(), text: f.text })
    }

    /// HTML: the best fragment with the terms in `<mark>`, or the text's lead when no
    /// term is in it. Text in another language is cut with its stemmer.
    fn of(&self, text: &str, lang: &str) -> String {
        self.mark(text, lang).map_or_else(|| lead(text, SNIPPET_CHARS), |s| s.to_html())
    }

    /// A title as HTML, whole, with the terms in `<mark>`: the fragment of a text this
    /// short starts at its start, and the rest (a closing `?` or `…`) follows it.
    fn marked(&self, text: &str, lang: &str) -> String {
        match self.mark(text, lang) {
            Some(snippet) if text.starts_with(snippet.fragment()) => {
                format!("{}{}", snippet.to_html(), escape_html(&text[snippet.fragment().len()..]))
            }
            _ => escape_html(text),
        }
    }

    /// The best fragment with the terms in `<mark>`, if any term is in the text.
    fn mark(&self, text: &str, lang: &str) -> Option<Snippet> {
        let english = self.generator.as_ref()?;
        let mut languages = self.by_language.borrow_mut();
        let generator = match lang {
            "en" | "" => english,
            _ => languages
                .entry(lang.to_string())
                .or_insert_with(|| {
                    let analyzer = language_analyzer(lang)?;
                    let terms = self.terms.clone();
                    Some(SnippetGenerator::new(terms, analyzer, self.text, SNIPPET_CHARS))
                })
                .as_ref()
                .unwrap_or(english),
        };
        let mut snippet = generator.snippet(text);
        snippet.set_snippet_prefix_postfix("<mark>", "</mark>");
        Some(snippet).filter(|s| !s.is_empty())
    }
}

/// The terms of a query in one field, weighted as Tantivy's snippet generator weighs
/// them (rarer terms count more).
fn query_terms(
    searcher: &Searcher,
    query: &dyn Query,
    field: Field,
) -> tantivy::Result<BTreeMap<String, Score>> {
    let mut terms: BTreeSet<Term> = BTreeSet::new();
    query.query_terms(&mut |term, _| {
        if term.field() == field {
            terms.insert(term.clone());
        }
    });
    let mut out = BTreeMap::new();
    for term in terms {
        let Some(text) = term.value().as_str().map(str::to_string) else { continue };
        let doc_freq = searcher.doc_freq(&term)?;
        if doc_freq > 0 {
            out.insert(text, 1.0 / (1.0 + doc_freq as Score));
        }
    }
    Ok(out)
}

/// Loads one hit: its stored fields and a snippet of its text.
pub fn hit(
    searcher: &Searcher,
    f: &Fields,
    bodies: &mut Bodies,
    snippets: &Snippets,
    (score, address): (f32, DocAddress),
) -> tantivy::Result<Hit> {
    let doc: TantivyDocument = searcher.doc(address)?;
    let (entry_id, title, text) = item_text(f, bodies, &doc, address)?;
    let links = item_links(f, bodies, &doc, address)?;
    let lang = first_str(&doc, f.lang);
    Ok(Hit {
        entry_id,
        anchor: first_str(&doc, f.anchor),
        date: date_in(&doc, f.date, f.date_precision),
        entry_title: first_str(&doc, f.entry_title),
        title: title.clone(),
        context: Some(first_str(&doc, f.context)).filter(|c| !c.is_empty()),
        snippet: snippets.of(&text, &lang),
        topics: all_str(&doc, f.topics),
        sources: all_str(&doc, f.sources),
        entry_tags: all_str(&doc, f.tags),
        links,
        score,
        matched: Matched::Item,
        story: None,
        story_ids: vec![],
        title_html: snippets.marked(&title, &lang),
    })
}

/// The links of the item at `address`, read again from its part of its entry's
/// Markdown, each once.
fn item_links(
    f: &Fields,
    bodies: &mut Bodies,
    doc: &TantivyDocument,
    address: DocAddress,
) -> tantivy::Result<Vec<Link>> {
    let (ord, start, end) =
        (first_u64(doc, f.ord), first_u64(doc, f.offset), first_u64(doc, f.end));
    let markdown = bodies.of(&first_str(doc, f.entry_id), address, ord)?;
    let part = markdown.get(start as usize..end as usize).unwrap_or_default();
    let mut seen = std::collections::HashSet::new();
    let links = outline(part).items.into_iter().flat_map(|item| item.links);
    Ok(links.filter(|link| seen.insert(link.url.clone())).collect())
}

/// An item's entry id, title and plain text after its title (see [`after_title`]), from
/// its document at `address`.
pub fn item_text(
    f: &Fields,
    bodies: &mut Bodies,
    doc: &TantivyDocument,
    address: DocAddress,
) -> tantivy::Result<(String, String, String)> {
    let entry_id = first_str(doc, f.entry_id);
    let (ord, start, end) =
        (first_u64(doc, f.ord), first_u64(doc, f.offset), first_u64(doc, f.end));
    let markdown = bodies.of(&entry_id, address, ord)?;
    let text = markdown.get(start as usize..end as usize).map(plain_text).unwrap_or_default();
    let title = first_str(doc, f.title);
    let text = after_title(&text, &title).to_string();
    Ok((entry_id, title, text))
}

/// An item's text after its title, where the text opens with it (a heading, a bold lead,
/// a list entry's link), so that a snippet says what the title above it does not: the
/// text as it is when it holds nothing else.
fn after_title<'a>(text: &'a str, title: &str) -> &'a str {
    let title = title.trim_end_matches('…').trim();
    let mut rest = text.trim_start();
    if title.is_empty() {
        return rest;
    }
    // A title the text repeats right after it (a heading, then its first line) goes too.
    for _ in 0..2 {
        match rest.strip_prefix(title) {
            Some(after) => {
                rest = after.trim_start_matches(|c: char| {
                    c.is_whitespace()
                        || matches!(c, ':' | ';' | ',' | '.' | '—' | '–' | '-' | '|' | '·')
                })
            }
            None => break,
        }
    }
    if rest.is_empty() { text.trim_start() } else { rest }
}

/// The start of a text, escaped for HTML, when no term of the query is in it.
fn lead(text: &str, max_chars: usize) -> String {
    let mut out: String = text.chars().take(max_chars).collect();
    if out.len() < text.len() {
        if let Some(space) = out.rfind(char::is_whitespace) {
            out.truncate(space);
        }
        out.push('…');
    }
    escape_html(&out)
}

#[cfg(test)]
mod tests {
    use super::after_title;

    #[test]
    fn a_snippet_starts_after_the_title_it_repeats() {
        let heading = "When agents forget\nWhen agents forget, they recover faster.";
        assert_eq!(after_title(heading, "When agents forget"), "they recover faster.");
        let lead = "Speculative decoding. Someone got 2x.";
        assert_eq!(after_title(lead, "Speculative decoding"), "Someone got 2x.");
        assert_eq!(after_title("Only the title", "Only the title"), "Only the title");
        assert_eq!(after_title("Other words first", "Title"), "Other words first");
    }
}
