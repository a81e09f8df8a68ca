//! When a query finds nothing: which part emptied the set, and spellings from the
//! index's own words. A suggestion is offered, never silently applied; words that
//! exist in the index (acronyms such as TTS, GGUF or INT4 included) are left alone.

use std::cell::RefCell;
use std::collections::HashMap;

use tantivy::Searcher;
use tantivy::collector::Count;

use super::query::Node;
use super::{ClauseCount, SearchRequest, Suggestion, build};
use crate::index::{Fields, words_analyzer};

/// For a query of several parts that matched nothing: how many items each part matches
/// alone.
pub fn explain(
    searcher: &Searcher,
    f: &Fields,
    speller: &Speller,
    root: &Option<Node>,
    request: &SearchRequest,
) -> tantivy::Result<Vec<ClauseCount>> {
    let Some(Node::And(parts)) = root else { return Ok(vec![]) };
    let mut out = vec![];
    for part in parts {
        let alone = SearchRequest {
            q: String::new(),
            topics: vec![],
            sources: vec![],
            from: None,
            to: None,
            ..request.clone()
        };
        let parsed = super::query::Parsed { root: Some(part.clone()), warnings: vec![] };
        let built = build::build(f, speller, &parsed, &alone, false);
        out.push(ClauseCount {
            clause: part.interpreted(),
            count: searcher.search(&*built.query, &Count)?,
        });
    }
    Ok(out)
}

/// Spelling suggestions for the query's words that are in no item.
pub fn suggestions(speller: &Speller, q: &str, root: &Option<Node>) -> Vec<Suggestion> {
    let mut words = vec![];
    if let Some(root) = root {
        collect_words(root, &mut words);
    }
    let found: Vec<(String, String)> = words
        .into_iter()
        .filter_map(|w| speller.corrections(&w).into_iter().next().map(|best| (w, best)))
        .collect();
    // Every suggestion links to the query with all of them applied.
    let corrected = q
        .split(' ')
        .map(|part| found.iter().find(|(w, _)| w == part).map_or(part, |(_, s)| s.as_str()))
        .collect::<Vec<_>>()
        .join(" ");
    found
        .into_iter()
        .map(|(word, suggestion)| Suggestion { word, suggestion, query: corrected.clone() })
        .collect()
}

/// Looks up near words once per word and search: the typo fallback and "did you mean"
/// ask for the same words.
pub struct Speller<'a> {
    searcher: &'a Searcher,
    f: &'a Fields,
    memo: RefCell<HashMap<String, Vec<String>>>,
}

impl<'a> Speller<'a> {
    /// A speller over one searcher.
    pub fn new(searcher: &'a Searcher, f: &'a Fields) -> Self {
        Speller { searcher, f, memo: RefCell::default() }
    }

    /// See [`corrections`].
    pub fn corrections(&self, word: &str) -> Vec<String> {
        if let Some(found) = self.memo.borrow().get(word) {
            return found.clone();
        }
        let found = corrections(self.searcher, self.f, word);
        self.memo.borrow_mut().insert(word.to_string(), found.clone());
        found
    }
}

/// Words of the index near a query word that is in no item, most frequent first (at
/// most three). Empty for words that exist, short words, and acronyms or words with
/// digits (TTS, GGUF, INT4 stay exact).
fn corrections(searcher: &Searcher, f: &Fields, word: &str) -> Vec<String> {
    let is_acronym = word.chars().filter(|c| c.is_alphabetic()).all(char::is_uppercase);
    let lower = normalize(word);
    if lower.chars().count() < 5 || is_acronym || lower.chars().any(|c| !c.is_alphabetic()) {
        return vec![];
    }
    if doc_freq(searcher, f, &lower) > 0 {
        return vec![];
    }
    nearest(searcher, f, &lower)
}

fn collect_words(node: &Node, out: &mut Vec<String>) {
    match node {
        Node::Word(w) => out.push(w.clone()),
        Node::Phrase(p) => out.extend(p.split_whitespace().map(str::to_string)),
        Node::And(parts) | Node::Or(parts) => parts.iter().for_each(|p| collect_words(p, out)),
        Node::Not(_) | Node::Filter(..) | Node::Date(_) => {}
    }
}

/// A word as the suggestion dictionary holds it.
fn normalize(word: &str) -> String {
    let mut analyzer = words_analyzer();
    let mut stream = analyzer.token_stream(word);
    let mut out = String::new();
    while let Some(token) = stream.next() {
        out.push_str(&token.text);
    }
    out
}

fn doc_freq(searcher: &Searcher, f: &Fields, word: &str) -> u64 {
    let term = tantivy::Term::from_field_text(f.words, word);
    searcher.doc_freq(&term).unwrap_or(0)
}

/// The most frequent dictionary words within a small edit distance (one edit for words
/// of up to 8 letters, two beyond; a swap of neighbours counts as one), sharing the
/// first or the second letter (a swap may have moved the first).
fn nearest(searcher: &Searcher, f: &Fields, word: &str) -> Vec<String> {
    let max = if word.chars().count() > 8 { 2 } else { 1 };
    let mut firsts: Vec<char> = word.chars().take(2).collect();
    firsts.dedup();
    let mut found: Vec<(u64, String)> = vec![];
    for first in firsts {
        let lo = first.to_string();
        let Some(hi) = char::from_u32(first as u32 + 1).map(|c| c.to_string()) else { continue };
        for segment in searcher.segment_readers() {
            let Ok(inverted) = segment.inverted_index(f.words) else { continue };
            let Ok(mut stream) =
                inverted.terms().range().ge(lo.as_bytes()).lt(hi.as_bytes()).into_stream()
            else {
                continue;
            };
            while stream.advance() {
                let Ok(candidate) = std::str::from_utf8(stream.key()) else { continue };
                if candidate.len().abs_diff(word.len()) > max
                    || found.iter().any(|(_, w)| w == candidate)
                    || strsim::damerau_levenshtein(word, candidate) > max
                {
                    continue;
                }
                found.push((doc_freq(searcher, f, candidate), candidate.to_string()));
            }
        }
    }
    found.sort_by(|a, b| b.0.cmp(&a.0).then_with(|| a.1.cmp(&b.1)));
    found.into_iter().take(3).map(|(_, w)| w).collect()
}
