// # CJK: overlapping pairs or a dictionary segmenter?
//
// The measurement behind `archive`'s choice of character pairs for Chinese, Japanese
// and Korean (see QUALITY.md). From the CJK items of one or more archives it draws
// known-item queries two ways, and runs them against two throwaway Tantivy indexes of
// the same items:
//
// - **pairs**: `archive`'s own analyzer (each CJK run as its overlapping pairs; a query
//   word is the phrase of its pairs);
// - **jieba**: the items segmented by jieba-rs (its dictionary ships inside the crate),
//   a query word segmented the same way (one word a term, several a phrase).
//
// Queries: *reader's words* are two words of 2+ characters that jieba cuts from a line
// of the item (what a reader would type, by the segmenter's own account: the setting
// most favourable to the segmenter); *spans* are two runs of 2-4 characters cut at
// random inside the line (what a reader remembers when segmentations disagree).
//
// ```text
// cargo run --release --example cjk_segmenters -- archive ../shared/datasets/twir
// ```

use std::collections::HashSet;
use std::path::PathBuf;

use archive::digest::{self, Taxonomy};
use archive::index::{analyze, query_analyzer, text_analyzer, tokens};
use jieba_rs::Jieba;
use tantivy::collector::TopDocs;
use tantivy::query::{BooleanQuery, Occur, PhraseQuery, Query, TermQuery};
use tantivy::schema::{
    Field, IndexRecordOption, STORED, STRING, Schema, TextFieldIndexing, TextOptions, Value,
};
use tantivy::tokenizer::{PreTokenizedString, TextAnalyzer, Token};
use tantivy::{Index, TantivyDocument, Term};

const QUERIES: usize = 200;

/// A seeded generator (a linear congruential one), so runs compare.
struct Rng(u64);

impl Rng {
    fn below(&mut self, n: usize) -> usize {
        self.0 = self.0.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        ((self.0 >> 33) as usize) % n.max(1)
    }
}

struct Item {
    entry: String,
    text: String,
}

fn is_cjk_word(w: &str) -> bool {
    w.chars().count() >= 2 && w.chars().all(digest::is_cjk)
}

/// jieba's words of a text as tokens one position apart (CJK and other words alike).
fn jieba_tokens(jieba: &Jieba, text: &str) -> Vec<Token> {
    let mut out = vec![];
    let mut offset = 0;
    for word in jieba.cut(text, true).into_iter().map(|t| t.word) {
        let from = offset;
        offset += word.len();
        if word.chars().any(char::is_alphanumeric) {
            let position = out.len();
            out.push(Token {
                offset_from: from,
                offset_to: offset,
                position,
                text: word.to_lowercase(),
                position_length: 1,
            });
        }
    }
    out
}

struct Setup {
    index: Index,
    text: Field,
    entry: Field,
}

fn build(items: &[Item], tokens: &mut dyn FnMut(&str) -> Vec<Token>) -> Setup {
    let mut b = Schema::builder();
    let indexing =
        TextFieldIndexing::default().set_index_option(IndexRecordOption::WithFreqsAndPositions);
    let text = b.add_text_field("text", TextOptions::default().set_indexing_options(indexing));
    let entry = b.add_text_field("entry", STRING | STORED);
    let index = Index::create_in_ram(b.build());
    let mut writer = index.writer::<TantivyDocument>(50_000_000).unwrap();
    for item in items {
        let mut doc = TantivyDocument::new();
        let pre = PreTokenizedString { text: item.text.clone(), tokens: tokens(&item.text) };
        doc.add_pre_tokenized_text(text, pre);
        doc.add_text(entry, &item.entry);
        writer.add_document(doc).unwrap();
    }
    writer.commit().unwrap();
    Setup { index, text, entry }
}

fn word_query(field: Field, words: &[String]) -> Option<Box<dyn Query>> {
    match words {
        [] => None,
        [one] => Some(Box::new(TermQuery::new(
            Term::from_field_text(field, one),
            IndexRecordOption::WithFreqs,
        ))),
        _ => Some(Box::new(PhraseQuery::new(
            words.iter().map(|w| Term::from_field_text(field, w)).collect(),
        ))),
    }
}

/// Recall@10 over entries and zero results, for queries of words each analyzed by
/// `analyze`.
fn run(
    setup: &Setup,
    queries: &[(Vec<String>, String)],
    analyze: &mut dyn FnMut(&str) -> Vec<String>,
) -> (f64, f64) {
    let searcher = setup.index.reader().unwrap().searcher();
    let (mut found, mut zero) = (0, 0);
    for (words, expected) in queries {
        let clauses: Vec<(Occur, Box<dyn Query>)> = words
            .iter()
            .filter_map(|w| word_query(setup.text, &analyze(w)))
            .map(|q| (Occur::Must, q))
            .collect();
        let hits = searcher
            .search(&BooleanQuery::new(clauses), &TopDocs::with_limit(50).order_by_score())
            .unwrap();
        zero += usize::from(hits.is_empty());
        let mut entries: Vec<String> = vec![];
        for (_, address) in hits {
            let doc: TantivyDocument = searcher.doc(address).unwrap();
            let id = doc.get_first(setup.entry).and_then(|v| v.as_str()).unwrap().to_string();
            if !entries.contains(&id) {
                entries.push(id);
            }
        }
        found += usize::from(entries.iter().take(10).any(|e| e == expected));
    }
    let n = queries.len().max(1) as f64;
    (100.0 * found as f64 / n, 100.0 * zero as f64 / n)
}

fn main() {
    let archives: Vec<PathBuf> = std::env::args().skip(1).map(PathBuf::from).collect();
    assert!(!archives.is_empty(), "usage: cjk_segmenters ARCHIVE...");
    let mut items = vec![];
    for archive in &archives {
        let taxonomy = Taxonomy::load(archive).unwrap_or_else(|_| Taxonomy::builtin());
        for file in digest::walk(archive).expect("walk").files {
            let Ok(entry) = file.parse(&taxonomy) else { continue };
            for item in entry.items {
                if item.text.chars().filter(|&c| digest::is_cjk(c)).count() >= 8 {
                    let id = format!("{}:{}", archive.display(), entry.id);
                    items.push(Item { entry: id, text: item.text });
                }
            }
        }
    }
    let jieba = Jieba::new();
    let mut rng = Rng(7);
    let (mut readers, mut spans) = (vec![], vec![]);
    for _ in 0..QUERIES * 50 {
        if items.is_empty() || (readers.len() >= QUERIES && spans.len() >= QUERIES) {
            break;
        }
        let item = &items[rng.below(items.len())];
        let lines: Vec<&str> = item
            .text
            .lines()
            .filter(|l| l.chars().filter(|&c| digest::is_cjk(c)).count() >= 8)
            .collect();
        let Some(line) = lines.get(rng.below(lines.len())) else { continue };
        let words: Vec<&str> = jieba
            .cut(line, true)
            .into_iter()
            .map(|t| t.word)
            .filter(|w| is_cjk_word(w))
            .collect::<HashSet<_>>()
            .into_iter()
            .collect();
        if words.len() >= 2 && readers.len() < QUERIES {
            let mut words = words;
            words.sort();
            let (a, b) = (rng.below(words.len()), rng.below(words.len()));
            if a != b {
                readers
                    .push((vec![words[a].to_string(), words[b].to_string()], item.entry.clone()));
            }
        }
        let chars: Vec<char> = line.chars().collect();
        let mut cut = vec![];
        for _ in 0..10 {
            let len = 2 + rng.below(3);
            if chars.len() < len {
                break;
            }
            let start = rng.below(chars.len() - len + 1);
            let span: String = chars[start..start + len].iter().collect();
            if is_cjk_word(&span) && !cut.contains(&span) {
                cut.push(span);
            }
            if cut.len() == 2 {
                break;
            }
        }
        if cut.len() == 2 && spans.len() < QUERIES {
            spans.push((cut, item.entry.clone()));
        }
    }

    let mut pairs_analyzer: TextAnalyzer = text_analyzer();
    let mut pair_tokens = |text: &str| tokens(&mut pairs_analyzer, text);
    let pairs = build(&items, &mut pair_tokens);
    let jieba_index = build(&items, &mut |text| jieba_tokens(&jieba, text));
    let size = |s: &Setup| {
        let searcher = s.index.reader().unwrap().searcher();
        searcher.space_usage().map(|u| u.total().get_bytes()).unwrap_or(0)
    };
    println!("{} CJK items from {} archive(s)\n", items.len(), archives.len());
    println!("| queries | n | pairs: recall@10 / zero | jieba: recall@10 / zero |");
    println!("| --- | ---: | --- | --- |");
    for (name, queries) in [("reader's words (jieba's)", &readers), ("random spans", &spans)] {
        let mut analyze_pairs = |w: &str| analyze(&mut query_analyzer(), w);
        let (pr, pz) = run(&pairs, queries, &mut analyze_pairs);
        let mut analyze_jieba =
            |w: &str| jieba_tokens(&jieba, w).into_iter().map(|t| t.text).collect();
        let (jr, jz) = run(&jieba_index, queries, &mut analyze_jieba);
        println!("| {name} | {} | {pr:.1}% / {pz:.1}% | {jr:.1}% / {jz:.1}% |", queries.len());
    }
    println!(
        "\nindex of the items: pairs {:.1} KB, jieba {:.1} KB",
        size(&pairs) as f64 / 1e3,
        size(&jieba_index) as f64 / 1e3
    );
}
