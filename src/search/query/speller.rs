//! Spelling from the index's own words: the dictionary is the `words` field (one
//! posting per word and entry), a correction is the most frequent word within a small
//! edit distance. A leaf: it knows the index's fields, nothing of queries.

use std::cell::RefCell;
use std::collections::HashMap;

use tantivy::Searcher;
use tantivy::query::FuzzyTermQuery;

use crate::digest::is_cjk;
use crate::index::{Fields, analyze, language_query_analyzer, words_analyzer};

/// Looks up near words once per word and search: the typo fallback and "did you mean"
/// ask for the same words.
pub struct Speller<'a> {
    searcher: &'a Searcher,
    f: &'a Fields,
    /// The index's languages besides English: a word that one of their stemmers finds
    /// in the index is no typo.
    languages: &'a [String],
    memo: RefCell<HashMap<String, Vec<String>>>,
}

impl<'a> Speller<'a> {
    /// A speller over one searcher.
    pub fn new(searcher: &'a Searcher, f: &'a Fields, languages: &'a [String]) -> Self {
        Speller { searcher, f, languages, memo: RefCell::default() }
    }

    /// Whether a word, stemmed as one of the other languages stems it, is in the index.
    fn in_another_language(&self, word: &str) -> bool {
        self.languages.iter().filter_map(|code| language_query_analyzer(code)).any(|mut a| {
            match analyze(&mut a, word).as_slice() {
                [term] => {
                    let term = tantivy::Term::from_field_text(self.f.text, term);
                    self.searcher.doc_freq(&term).unwrap_or(0) > 0
                }
                _ => false,
            }
        })
    }

    /// Words of the index near a query word that is in no item (see [`corrections`]).
    pub fn corrections(&self, word: &str) -> Vec<String> {
        if let Some(found) = self.memo.borrow().get(word) {
            return found.clone();
        }
        let found = if self.in_another_language(word) {
            vec![]
        } else {
            corrections(self.searcher, self.f, word)
        };
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
    // CJK words are never rewritten: they have no spelling to correct here.
    if lower.chars().count() < 5
        || is_acronym
        || lower.chars().any(|c| !c.is_alphabetic() || is_cjk(c))
    {
        return vec![];
    }
    if doc_freq(searcher, f, &lower) > 0 {
        return vec![];
    }
    nearest(searcher, f, &lower)
}

/// A word as the suggestion dictionary holds it.
fn normalize(word: &str) -> String {
    analyze(&mut words_analyzer(), word).concat()
}

fn doc_freq(searcher: &Searcher, f: &Fields, word: &str) -> u64 {
    let term = tantivy::Term::from_field_text(f.words, word);
    searcher.doc_freq(&term).unwrap_or(0)
}

/// The most frequent dictionary words within a small edit distance (one edit for words
/// of up to 8 letters, two beyond; a swap of neighbours counts as one), starting with
/// the word's first or second letter (a swap may have moved the first). The term
/// dictionary is an FST: a Levenshtein automaton walks only the paths that can end
/// within the distance, where comparing every word of those letters with the word
/// cost a fifth of a search with a word in no item (100k digests, callgrind).
fn nearest(searcher: &Searcher, f: &Fields, word: &str) -> Vec<String> {
    let max = if word.chars().count() > 8 { 2 } else { 1 };
    let firsts: Vec<char> = word.chars().take(2).collect();
    let term = tantivy::Term::from_field_text(f.words, word);
    let Ok(automaton) = FuzzyTermQuery::new(term, max, true).automaton() else { return vec![] };
    let mut found: Vec<(u64, String)> = vec![];
    for segment in searcher.segment_readers() {
        let Ok(inverted) = segment.inverted_index(f.words) else { continue };
        let Ok(mut stream) = inverted.terms().search(&automaton).into_stream() else { continue };
        while stream.advance() {
            let Ok(candidate) = std::str::from_utf8(stream.key()) else { continue };
            if candidate.chars().next().is_none_or(|c| !firsts.contains(&c))
                || found.iter().any(|(_, w)| w == candidate)
            {
                continue;
            }
            found.push((doc_freq(searcher, f, candidate), candidate.to_string()));
        }
    }
    found.sort_by(|a, b| b.0.cmp(&a.0).then_with(|| a.1.cmp(&b.1)));
    found.into_iter().take(3).map(|(_, w)| w).collect()
}
