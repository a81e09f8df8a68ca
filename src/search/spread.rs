//! The digests that hold every word of a query across their items, for when fewer items
//! than a page hold them all (issue 31: a reader remembers two things of one digest,
//! written in two of its items). Each digest is scored by the evidence of all its items
//! together: for each word, the scores of its items with the word summed and damped
//! (`ln(1 + sum)`: a second mention adds less than the first), summed over the words.
//! Against the best item's score alone and the plain sum, on five archives, the damped
//! sum found the digest as often or more often on four (QUALITY.md).
//!
//! The words are read rarest first: the rarest word's best items (at most
//! [`WORD_ITEMS`]) name the digests considered, and each further word is read only in
//! the digests still holding every word before it, so the work is bounded by the rarest
//! word, not by the most common one.

use std::collections::{HashMap, HashSet};

use tantivy::collector::TopDocs;
use tantivy::query::{BooleanQuery, ConstScoreQuery, Occur, Query, TermSetQuery};
use tantivy::schema::Field;
use tantivy::{DocAddress, Score, Searcher, Term};

use super::collectors::{Columns, group_by_entry};

/// The items of one word read at most, its best first.
const WORD_ITEMS: usize = 10_000;

/// A digest holding every word of a query across its items.
struct SpreadEntry {
    entry_id: String,
    /// Its score: see the module's comment.
    score: Score,
    /// Its best item for each word, best first, each once.
    items: Vec<(Score, DocAddress)>,
}

/// One digest's items with one word.
struct Word {
    /// The best of them.
    best: (Score, DocAddress),
    /// Their scores summed.
    sum: Score,
}

/// The best `limit` digests that hold every one of `words` (each a query for one word
/// and the rest of the query, rarest first) in their items, best first, leaving out
/// those of `left_out`: each digest's best item for each word, best first, each once.
pub fn entries(
    searcher: &Searcher,
    columns: &Columns,
    entry_id: Field,
    words: &[Box<dyn Query>],
    left_out: &HashSet<String>,
    limit: usize,
) -> tantivy::Result<Vec<Vec<(Score, DocAddress)>>> {
    // Each candidate digest's evidence for each word read so far.
    let mut best: HashMap<String, Vec<Word>> = HashMap::new();
    for (i, word) in words.iter().enumerate() {
        let query: Box<dyn Query> = match i {
            0 => word.box_clone(),
            _ => {
                let ids = best.keys().map(|id| Term::from_field_text(entry_id, id));
                let within = ConstScoreQuery::new(Box::new(TermSetQuery::new(ids)), 0.0);
                Box::new(BooleanQuery::new(vec![
                    (Occur::Must, word.box_clone()),
                    (Occur::Must, Box::new(within)),
                ]))
            }
        };
        let top = searcher.search(&*query, &TopDocs::with_limit(WORD_ITEMS).order_by_score())?;
        // Grouped in the order of each digest's best item: the first of each is its best.
        let groups = group_by_entry(searcher, columns, &top)?;
        let word = |items: Vec<(Score, DocAddress)>| Word {
            best: items[0],
            sum: items.iter().map(|(s, _)| s).sum(),
        };
        if i == 0 {
            best = groups
                .into_iter()
                .filter(|(id, _)| !left_out.contains(id))
                .map(|(id, items)| (id, vec![word(items)]))
                .collect();
        } else {
            let mut found: HashMap<String, Word> =
                groups.into_iter().map(|(id, items)| (id, word(items))).collect();
            best.retain(|id, words| match found.remove(id) {
                Some(w) => {
                    words.push(w);
                    true
                }
                None => false,
            });
        }
        if best.is_empty() {
            break;
        }
    }
    let mut entries: Vec<SpreadEntry> = best
        .into_iter()
        .map(|(entry_id, words)| {
            let score = words.iter().map(|w| w.sum.ln_1p()).sum();
            let mut items: Vec<_> = words.iter().map(|w| w.best).collect();
            items.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
            let mut seen = HashSet::new();
            items.retain(|(_, address)| seen.insert(*address));
            SpreadEntry { entry_id, score, items }
        })
        .collect();
    // Ties: the entry id, so that a page is the same from one search to the next.
    entries.sort_by(|a, b| b.score.total_cmp(&a.score).then_with(|| a.entry_id.cmp(&b.entry_id)));
    Ok(entries.into_iter().take(limit).map(|e| e.items).collect())
}
