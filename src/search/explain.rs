//! When a query finds little or nothing: which part emptied the set, and spellings
//! from the index's own words. A suggestion is offered, never silently applied; words
//! that exist in the index (acronyms such as TTS, GGUF or INT4 included) are left alone.

use tantivy::Searcher;
use tantivy::collector::Count;

use super::query::compile::{self, Scope};
use super::query::speller::Speller;
use super::query::{Node, Parsed};
use super::{ClauseCount, SearchRequest, Suggestion};

/// For a query of several parts that matched nothing: how many items each part matches
/// alone.
pub fn explain(
    searcher: &Searcher,
    scope: &Scope,
    root: &Option<Node>,
) -> tantivy::Result<Vec<ClauseCount>> {
    let Some(Node::And(parts)) = root else { return Ok(vec![]) };
    // Each part of the query alone (the request's structured filters left out).
    let alone = SearchRequest::default();
    let mut out = vec![];
    for part in parts {
        let parsed = Parsed { root: Some(part.clone()), warnings: vec![] };
        let built = compile::compile(scope, &parsed, &alone, false);
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

fn collect_words(node: &Node, out: &mut Vec<String>) {
    match node {
        Node::Word(w) => out.push(w.clone()),
        Node::Phrase(p) => out.extend(p.split_whitespace().map(str::to_string)),
        Node::And(parts) | Node::Or(parts) => parts.iter().for_each(|p| collect_words(p, out)),
        Node::Not(_) | Node::Filter(..) | Node::Date(_) => {}
    }
}
