//! A ranked address -> a [`Hit`]: its stored fields, and a snippet of its text cut
//! from its entry's Markdown, with the query's terms marked.

use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet, HashMap};

use tantivy::query::Query;
use tantivy::schema::Field;
use tantivy::snippet::SnippetGenerator;
use tantivy::{DocAddress, Score, Searcher, TantivyDocument, Term};

use super::Hit;
use super::highlight::escape_html;
use super::stored::{Bodies, all_str, date_in, first_str, first_u64};
use crate::digest::plain_text;
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
        let marked = self.generator.as_ref().and_then(|english| {
            let mut languages = self.by_language.borrow_mut();
            let generator = if lang == "en" || lang.is_empty() {
                Some(english)
            } else {
                languages
                    .entry(lang.to_string())
                    .or_insert_with(|| {
                        let analyzer = language_analyzer(lang)?;
                        let terms = self.terms.clone();
                        Some(SnippetGenerator::new(terms, analyzer, self.text, SNIPPET_CHARS))
                    })
                    .as_ref()
                    .or(Some(english))
            }?;
            let mut snippet = generator.snippet(text);
            snippet.set_snippet_prefix_postfix("<mark>", "</mark>");
            Some(snippet).filter(|s| !s.is_empty()).map(|s| s.to_html())
        });
        marked.unwrap_or_else(|| lead(text, SNIPPET_CHARS))
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
    let entry_id = first_str(&doc, f.entry_id);
    let (ord, start, end) =
        (first_u64(&doc, f.ord), first_u64(&doc, f.offset), first_u64(&doc, f.end));
    let markdown = bodies.of(&entry_id, address, ord)?;
    let text = markdown.get(start as usize..end as usize).map(plain_text).unwrap_or_default();
    Ok(Hit {
        entry_id,
        anchor: first_str(&doc, f.anchor),
        date: date_in(&doc, f.date, f.date_precision),
        entry_title: first_str(&doc, f.entry_title),
        title: first_str(&doc, f.title),
        context: Some(first_str(&doc, f.context)).filter(|c| !c.is_empty()),
        snippet: snippets.of(&text, &first_str(&doc, f.lang)),
        topics: all_str(&doc, f.topics),
        sources: all_str(&doc, f.sources),
        entry_tags: all_str(&doc, f.tags),
        score,
        story: None,
        story_ids: vec![],
    })
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
