//! `quality`: known-item search evaluation. From an archive it draws seeded queries of
//! words a reader would remember from one passage, and checks whether the passage's
//! entry comes back among the first ten entries: for `archive`, for `rg` (files
//! containing every word, in path order) and for plain BM25 over whole files.
//!
//! ```text
//! cargo run --release --bin quality -- --archive ../shared/datasets/twir --write QUALITY.md
//! ```
//!
//! Four kinds of query, `--per-kind` each (default 120):
//! 1. three distinctive words (each in 2-40 files);
//! 2. two mid-frequency words (each in 20-300 files);
//! 3. three distinctive words, one of 6+ letters with two adjacent letters swapped;
//! 4. three distinctive words, one with its number flipped (`models` <-> `model`).

#[path = "../bench/shared.rs"]
mod shared;

use std::collections::{HashMap, HashSet};
use std::path::PathBuf;
use std::process::ExitCode;

use archive::digest::{self, Entry, Taxonomy};
use archive::index::{ReindexOptions, reindex};
use archive::search::{Engine, Group, SearchRequest};
use clap::Parser;
use shared::Rng;
use tantivy::collector::TopDocs;
use tantivy::query::QueryParser;
use tantivy::schema::{Schema, TextFieldIndexing, TextOptions, Value};
use tantivy::{Index, TantivyDocument, doc};

/// Measure recall on known-item queries.
#[derive(Parser)]
struct Args {
    /// The archive to draw queries from and search.
    #[arg(long)]
    archive: PathBuf,
    /// Queries per kind.
    #[arg(long, default_value_t = 120)]
    per_kind: usize,
    /// Seed for drawing queries.
    #[arg(long, default_value_t = 7)]
    seed: u64,
    /// Print every query that `archive` misses.
    #[arg(long)]
    misses: bool,
    /// Write the table into this Markdown file (a section per archive).
    #[arg(long)]
    write: Option<PathBuf>,
    /// Fail (exit 1) when archive's recall@10 over all kinds is below this.
    #[arg(long)]
    min_recall: Option<f64>,
}

const STOP: &[&str] = &[
    "the", "and", "for", "that", "this", "with", "from", "are", "was", "were", "have", "has",
    "had", "not", "but", "you", "your", "our", "their", "they", "them", "its", "his", "her", "she",
    "him", "who", "what", "which", "when", "where", "how", "why", "all", "any", "can", "will",
    "would", "could", "should", "into", "about", "than", "then", "there", "these", "those", "been",
    "being", "also", "more", "most", "some", "such", "only", "other", "over", "just", "out", "one",
    "two", "new", "use", "using", "used", "very", "each", "may", "might", "much", "many", "does",
    "did", "get", "got", "like", "well", "way", "week", "here", "now", "via", "too", "yet", "let",
    "lets", "it's", "don't",
];

fn words(text: &str) -> Vec<String> {
    text.split(|c: char| !c.is_alphanumeric() && c != '\'')
        .map(|w| w.trim_matches('\'').to_lowercase())
        .filter(|w| w.len() >= 3 && w.chars().all(|c| c.is_alphabetic()))
        .collect()
}

struct Doc {
    id: String,
    text: String,
    passages: Vec<String>,
}

#[derive(Clone, Copy, PartialEq)]
enum Kind {
    Distinctive,
    Mid,
    Typo,
    Inflection,
}

impl Kind {
    const ALL: [Kind; 4] = [Kind::Distinctive, Kind::Mid, Kind::Typo, Kind::Inflection];

    fn name(self) -> &'static str {
        match self {
            Kind::Distinctive => "distinctive (3 words, df 2-40)",
            Kind::Mid => "mid-frequency (2 words, df 20-300)",
            Kind::Typo => "typo (3 words, one with a swap)",
            Kind::Inflection => "inflection (3 words, one number flipped)",
        }
    }
}

struct Query {
    text: String,
    expected: String,
}

fn draw(
    docs: &[Doc],
    df: &HashMap<String, usize>,
    kind: Kind,
    n: usize,
    rng: &mut Rng,
) -> Vec<Query> {
    let (count, lo, hi) = match kind {
        Kind::Mid => (2, 20, 300),
        _ => (3, 2, 40),
    };
    let mut out = vec![];
    for _ in 0..n * 200 {
        if out.len() == n {
            break;
        }
        let doc = &docs[rng.below(docs.len())];
        if doc.passages.is_empty() {
            continue;
        }
        let passage = &doc.passages[rng.below(doc.passages.len())];
        let mut seen = HashSet::new();
        let candidates: Vec<String> = words(passage)
            .into_iter()
            .filter(|w| !STOP.contains(&w.as_str()))
            .filter(|w| df.get(w).is_some_and(|&d| (lo..=hi).contains(&d)))
            .filter(|w| seen.insert(w.clone()))
            .collect();
        if candidates.len() < count {
            continue;
        }
        // `count` of them, kept in text order.
        let mut picked: Vec<usize> = vec![];
        while picked.len() < count {
            let i = rng.below(candidates.len());
            if !picked.contains(&i) {
                picked.push(i);
            }
        }
        picked.sort_unstable();
        let mut chosen: Vec<String> = picked.iter().map(|&i| candidates[i].clone()).collect();
        match kind {
            Kind::Typo => {
                let Some(i) = chosen.iter().position(|w| w.chars().count() >= 6) else { continue };
                let mut chars: Vec<char> = chosen[i].chars().collect();
                let at = 1 + rng.below(chars.len() - 2);
                if chars[at] == chars[at + 1] {
                    continue;
                }
                chars.swap(at, at + 1);
                chosen[i] = chars.into_iter().collect();
            }
            Kind::Inflection => {
                let i = rng.below(chosen.len());
                let w = &chosen[i];
                chosen[i] = if w.ends_with('s') && !w.ends_with("ss") {
                    w[..w.len() - 1].to_string()
                } else {
                    format!("{w}s")
                };
            }
            _ => {}
        }
        out.push(Query { text: chosen.join(" "), expected: doc.id.clone() });
    }
    out
}

/// Rank (1-based) of the expected entry among the first ten distinct entries.
fn rank(results: &[String], expected: &str) -> Option<usize> {
    let mut distinct: Vec<&str> = vec![];
    for id in results {
        if !distinct.contains(&id.as_str()) {
            distinct.push(id);
        }
        if distinct.len() == 10 {
            break;
        }
    }
    distinct.iter().position(|id| *id == expected).map(|p| p + 1)
}

#[derive(Default, Clone, Copy)]
struct Score {
    n: usize,
    found: usize,
    rr: f64,
    zero: usize,
}

impl Score {
    fn add(&mut self, results: &[String], expected: &str) -> bool {
        self.n += 1;
        if results.is_empty() {
            self.zero += 1;
        }
        match rank(results, expected) {
            Some(r) => {
                self.found += 1;
                self.rr += 1.0 / r as f64;
                true
            }
            None => false,
        }
    }

    fn cell(&self) -> String {
        let n = self.n.max(1) as f64;
        format!(
            "{:.1}% / {:.2} / {:.1}%",
            100.0 * self.found as f64 / n,
            self.rr / n,
            100.0 * self.zero as f64 / n
        )
    }
}

/// Plain BM25 over whole files: a throwaway in-memory index, English stemming, OR.
struct Bm25 {
    index: Index,
    parser: QueryParser,
    id: tantivy::schema::Field,
}

impl Bm25 {
    fn new(docs: &[Doc]) -> Bm25 {
        let mut b = Schema::builder();
        let id = b.add_text_field("id", tantivy::schema::STRING | tantivy::schema::STORED);
        let indexing = TextFieldIndexing::default()
            .set_tokenizer("en_stem")
            .set_index_option(tantivy::schema::IndexRecordOption::WithFreqsAndPositions);
        let body = b.add_text_field("body", TextOptions::default().set_indexing_options(indexing));
        let index = Index::create_in_ram(b.build());
        let mut writer: tantivy::IndexWriter = index.writer(100_000_000).unwrap();
        for d in docs {
            writer.add_document(doc!(id => d.id.clone(), body => d.text.clone())).unwrap();
        }
        writer.commit().unwrap();
        let parser = QueryParser::for_index(&index, vec![body]);
        Bm25 { index, parser, id }
    }

    fn search(&self, q: &str) -> Vec<String> {
        let reader = self.index.reader().unwrap();
        let searcher = reader.searcher();
        let Ok(query) = self.parser.parse_query(q) else { return vec![] };
        searcher
            .search(&query, &TopDocs::with_limit(10).order_by_score())
            .unwrap()
            .into_iter()
            .map(|(_, a)| {
                let d: TantivyDocument = searcher.doc(a).unwrap();
                d.get_first(self.id).and_then(|v| v.as_str()).unwrap().to_string()
            })
            .collect()
    }
}

/// `rg -i -l -F w1 | ... wN` in path order: files containing every word.
fn rg(docs: &[Doc], lowered: &[String], q: &str) -> Vec<String> {
    let terms: Vec<&str> = q.split_whitespace().collect();
    docs.iter()
        .zip(lowered)
        .filter(|(_, text)| terms.iter().all(|t| text.contains(t)))
        .map(|(d, _)| d.id.clone())
        .take(10)
        .collect()
}

// Long on purpose: the report's rows in the order they print, one paragraph each.
fn main() -> ExitCode {
    let args = Args::parse();
    let taxonomy = Taxonomy::load(&args.archive).unwrap_or_else(|_| Taxonomy::builtin());
    let walk = digest::walk(&args.archive).expect("walk the archive");
    let mut docs = vec![];
    for file in &walk.files {
        let Ok(entry) = file.read_bytes().and_then(|b| Entry::from_bytes(&file.id, &b, &taxonomy))
        else {
            continue;
        };
        let passages = entry
            .items
            .iter()
            .flat_map(|i| i.text.split("\n\n").map(str::to_string).collect::<Vec<_>>())
            .filter(|p| p.split_whitespace().count() >= 25)
            .collect();
        let text = std::fs::read_to_string(&file.path).unwrap_or_default();
        docs.push(Doc { id: entry.id, text, passages });
    }
    docs.sort_by(|a, b| a.id.cmp(&b.id));
    let mut df: HashMap<String, usize> = HashMap::new();
    for d in &docs {
        for w in words(&d.text).into_iter().collect::<HashSet<_>>() {
            *df.entry(w).or_default() += 1;
        }
    }
    let lowered: Vec<String> = docs.iter().map(|d| d.text.to_lowercase()).collect();

    let dir = tempfile::tempdir().unwrap();
    let summary = reindex(&args.archive, dir.path(), &ReindexOptions::default(), &|_, _| {})
        .expect("reindex");
    let engine = Engine::open(dir.path()).expect("open");
    let bm25 = Bm25::new(&docs);

    let mut rng = Rng(args.seed);
    let mut table = format!(
        "## {} ({} entries, {} items)\n\n`cargo run --release --bin quality -- --archive {} --per-kind {}` (seed {}).\nCells: recall@10 / MRR / zero results.\n\n| kind | queries | archive | rg | BM25 whole files |\n| --- | ---: | --- | --- | --- |\n",
        args.archive.display(),
        summary.entries,
        summary.items,
        args.archive.display(),
        args.per_kind,
        args.seed
    );
    let (mut total_ours, mut total_rg, mut total_bm25) =
        (Score::default(), Score::default(), Score::default());
    for kind in Kind::ALL {
        let queries = draw(&docs, &df, kind, args.per_kind, &mut rng);
        let (mut ours, mut grep, mut plain) =
            (Score::default(), Score::default(), Score::default());
        for q in &queries {
            let request = SearchRequest {
                q: q.text.clone(),
                group: Group::Entry,
                per_page: 10,
                ..SearchRequest::default()
            };
            let results: Vec<String> = engine
                .search(&request)
                .map(|r| r.groups.unwrap_or_default().into_iter().map(|g| g.entry_id).collect())
                .unwrap_or_default();
            if !ours.add(&results, &q.expected) && args.misses {
                eprintln!("miss [{}] {:?} -> expected {}", kind.name(), q.text, q.expected);
            }
            grep.add(&rg(&docs, &lowered, &q.text), &q.expected);
            plain.add(&bm25.search(&q.text), &q.expected);
        }
        for (total, s) in [(&mut total_ours, ours), (&mut total_rg, grep), (&mut total_bm25, plain)]
        {
            total.n += s.n;
            total.found += s.found;
            total.rr += s.rr;
            total.zero += s.zero;
        }
        table.push_str(&format!(
            "| {} | {} | {} | {} | {} |\n",
            kind.name(),
            queries.len(),
            ours.cell(),
            grep.cell(),
            plain.cell()
        ));
    }
    table.push_str(&format!(
        "| all | {} | {} | {} | {} |\n\n",
        total_ours.n,
        total_ours.cell(),
        total_rg.cell(),
        total_bm25.cell()
    ));
    print!("{table}");
    if let Some(path) = &args.write {
        shared::write_section(
            path,
            "Search quality",
            &format!("## {} (", args.archive.display()),
            &table,
        );
    }
    let recall = total_ours.found as f64 / total_ours.n.max(1) as f64;
    match args.min_recall {
        Some(min) if recall < min => {
            eprintln!("recall@10 {:.3} is below the floor {min}", recall);
            ExitCode::from(1)
        }
        _ => ExitCode::SUCCESS,
    }
}
