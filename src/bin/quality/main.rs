//! `quality`: known-item search evaluation. From an archive it draws seeded queries of
//! words a reader would remember from one passage, and checks whether the passage's
//! entry comes back among the first ten entries: for `archive`, for `rg` (files
//! containing every word, in path order) and for plain BM25 over whole files.
//!
//! ```text
//! cargo run --release --bin quality -- --archive ../shared/datasets/twir --write QUALITY.md
//! ```
//!
//! Kinds of query, `--per-kind` each (default 120):
//! 1. three distinctive words (each in 2-40 files) from an item's text;
//! 2. two mid-frequency words (each in 20-300 files);
//! 3. three distinctive words, one of 6+ letters with two adjacent letters swapped;
//! 4. three distinctive words, one with its number flipped (`models` <-> `model`);
//! 5. three distinctive words from a line of the *rendered* page (the Markdown turned
//!    into HTML by pulldown-cmark, its visible text taken by ammonia with no tag
//!    allowed), so that text inside raw HTML blocks is drawn too, whatever our parser
//!    makes of it;
//! 6. CJK: two words of 2-4 characters from a rendered line of Chinese, Japanese or
//!    Korean, each cut at random inside a run of CJK characters.
//!
//! Then topic precision: for each of the ten largest topics, the share of the items
//! `topic:X` returns (the first 100) whose own title and text show X: its name as whole
//! words (a plural `s` aside; CJK as written) or one of its taxonomy words.
//!
//! `--engine BIN` evaluates another `archive` binary through its command line (index,
//! `search --json`, `show --json`) instead of this build's engine: the figures of an
//! earlier version, on the very same queries.

#[path = "../bench/shared.rs"]
mod shared;

use std::cell::RefCell;
use std::collections::{HashMap, HashSet};
use std::path::PathBuf;
use std::process::ExitCode;

use archive::digest::{self, Taxonomy};
use archive::index::{ReindexOptions, reindex};
use archive::search::{Engine, Facet, Group, SearchRequest, StoryKind};
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
    /// Evaluate this `archive` binary through its command line instead.
    #[arg(long)]
    engine: Option<PathBuf>,
    /// Evaluate a copy of the archive whose bodies are rendered to HTML (front matter
    /// kept): the same digests as a site generator or newsletter tool exports them.
    #[arg(long)]
    as_html: bool,
    /// Instead: count the archive's stories (by link and by near-duplicate text) and
    /// print a seeded sample of this many with every mention, for checking by hand.
    #[arg(long)]
    stories: Option<usize>,
}

/// The story counts, and a sample of stories with their mentions to check by hand.
fn story_report(archive: &std::path::Path, sample: usize, seed: u64) -> ExitCode {
    let dir = tempfile::tempdir().unwrap();
    let summary =
        reindex(archive, dir.path(), &ReindexOptions::default(), &|_, _| {}).expect("reindex");
    let engine = Engine::open(dir.path()).expect("open the index");
    let mut stories = engine.stories().expect("list the stories");
    // A text told again shares several bands with its repeats, each band an id: one
    // story (the same mentions) is listed once.
    let mut seen = HashSet::new();
    stories.retain(|s| {
        let view = engine.story(&s.id).expect("a story").expect("listed");
        let mentions: Vec<(String, String)> =
            view.mentions.into_iter().map(|m| (m.entry_id, m.anchor)).collect();
        s.kind == StoryKind::Link || seen.insert(mentions)
    });
    let count = |kind: StoryKind| stories.iter().filter(|s| s.kind == kind).count();
    let mentions: u64 = stories.iter().map(|s| s.items).sum();
    println!(
        "{}: {} entries, {} items indexed in {:.1} s; {} stories in 2+ entries ({} by link, {} by near-duplicate text), {mentions} mentions",
        archive.display(),
        summary.entries,
        summary.items,
        summary.seconds,
        stories.len(),
        count(StoryKind::Link),
        count(StoryKind::Text),
    );
    let mut rng = Rng(seed);
    let mut pool = stories;
    for n in 1..=sample.min(pool.len()) {
        let story = pool.swap_remove(rng.below(pool.len()));
        let view = engine.story(&story.id).expect("a story").expect("listed");
        println!(
            "\n## {n}. {} ({:?}): {} items in {} entries, {} to {}",
            story.id,
            story.kind,
            story.items,
            story.entries,
            story.first_seen.as_deref().unwrap_or("?"),
            story.last_seen.as_deref().unwrap_or("?")
        );
        for m in view.mentions {
            let text: String = m.snippet.chars().take(220).collect();
            println!(
                "- {} · {} · {}: {}",
                m.date.as_deref().unwrap_or("undated"),
                m.entry_id,
                m.title,
                text.replace('\n', " ")
            );
        }
    }
    ExitCode::SUCCESS
}

/// A copy of the archive with every body rendered to HTML by pulldown-cmark.
fn html_copy(archive: &std::path::Path, taxonomy: &Taxonomy, to: &std::path::Path) {
    for file in digest::walk(archive).expect("walk the archive").files {
        let (Ok(entry), Ok(text)) = (file.parse(taxonomy), std::fs::read_to_string(&file.path))
        else {
            continue;
        };
        let text = text.replace("\r\n", "\n");
        let head = text.strip_suffix(entry.body.as_str()).unwrap_or("");
        let mut html = String::new();
        pulldown_cmark::html::push_html(&mut html, digest::markdown::parser(&entry.body));
        let path = to.join(&file.rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, format!("{head}{html}")).unwrap();
    }
    if let Ok(t) = std::fs::read(archive.join(digest::taxonomy::FILE_NAME)) {
        std::fs::write(to.join(digest::taxonomy::FILE_NAME), t).unwrap();
    }
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
    /// Lines of the rendered page with 8+ words.
    rendered: Vec<String>,
    /// Lines of the rendered page with 8+ CJK characters.
    cjk: Vec<String>,
}

/// The visible text of an entry as a browser shows it, line by line: the body rendered
/// by pulldown-cmark, every tag removed by ammonia (which drops script and style
/// contents), entities decoded. Independent of how the outline reads the body.
fn rendered_lines(body: &str) -> Vec<String> {
    let mut html = String::new();
    pulldown_cmark::html::push_html(&mut html, digest::markdown::parser(body));
    let text = ammonia::Builder::empty().clean(&html).to_string();
    let text = text
        .replace("&nbsp;", " ")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&amp;", "&");
    text.lines().map(str::trim).filter(|l| !l.is_empty()).map(str::to_string).collect()
}

fn cjk_count(line: &str) -> usize {
    line.chars().filter(|&c| digest::is_cjk(c)).count()
}

#[derive(Clone, Copy, PartialEq)]
enum Kind {
    Distinctive,
    Mid,
    Typo,
    Inflection,
    Rendered,
    Cjk,
}

impl Kind {
    const ALL: [Kind; 6] =
        [Kind::Distinctive, Kind::Mid, Kind::Typo, Kind::Inflection, Kind::Rendered, Kind::Cjk];

    fn name(self) -> &'static str {
        match self {
            Kind::Distinctive => "distinctive (3 words, df 2-40)",
            Kind::Mid => "mid-frequency (2 words, df 20-300)",
            Kind::Typo => "typo (3 words, one with a swap)",
            Kind::Inflection => "inflection (3 words, one number flipped)",
            Kind::Rendered => "rendered page (3 words, df 2-40, HTML included)",
            Kind::Cjk => "CJK (2 words of 2-4 characters)",
        }
    }
}

/// Two CJK words cut from a line: runs of 2-4 CJK characters at random places.
fn draw_cjk(docs: &[Doc], n: usize, rng: &mut Rng) -> Vec<Query> {
    let with_cjk: Vec<&Doc> = docs.iter().filter(|d| !d.cjk.is_empty()).collect();
    let mut out = vec![];
    for _ in 0..n * 50 {
        if out.len() == n || with_cjk.is_empty() {
            break;
        }
        let doc = with_cjk[rng.below(with_cjk.len())];
        let line: Vec<char> = doc.cjk[rng.below(doc.cjk.len())].chars().collect();
        let mut words: Vec<(usize, String)> = vec![];
        for _ in 0..20 {
            if words.len() == 2 {
                break;
            }
            let len = 2 + rng.below(3);
            let Some(start) = line.len().checked_sub(len).map(|max| rng.below(max + 1)) else {
                continue;
            };
            let span = &line[start..start + len];
            let apart =
                words.iter().all(|(s, w)| start >= s + w.chars().count() || start + len <= *s);
            if span.iter().all(|&c| digest::is_cjk(c)) && apart {
                words.push((start, span.iter().collect()));
            }
        }
        if words.len() == 2 {
            words.sort();
            let text = words.into_iter().map(|(_, w)| w).collect::<Vec<_>>().join(" ");
            out.push(Query { text, expected: doc.id.clone() });
        }
    }
    out
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
    if kind == Kind::Cjk {
        return draw_cjk(docs, n, rng);
    }
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
        let passages = if kind == Kind::Rendered { &doc.rendered } else { &doc.passages };
        if passages.is_empty() {
            continue;
        }
        let passage = &passages[rng.below(passages.len())];
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

/// What is evaluated: this build's engine, or another `archive` binary through its
/// command line, on an index of its own.
enum Under {
    Engine(Box<Engine>),
    Cli { bin: PathBuf, index: PathBuf, shown: RefCell<HashMap<String, serde_json::Value>> },
}

impl Under {
    fn cli(bin: &PathBuf, index: &std::path::Path, args: &[&str]) -> serde_json::Value {
        let out = std::process::Command::new(bin)
            .arg("--index")
            .arg(index)
            .args(args)
            .output()
            .expect("run the engine");
        serde_json::from_slice(&out.stdout).unwrap_or(serde_json::Value::Null)
    }

    /// The first ten distinct entries of a search, best first.
    fn entries(&self, q: &str) -> Vec<String> {
        match self {
            Under::Engine(engine) => {
                let request = SearchRequest {
                    q: q.to_string(),
                    group: Group::Entry,
                    per_page: 10,
                    ..SearchRequest::default()
                };
                engine
                    .search(&request)
                    .map(|r| r.groups.unwrap_or_default().into_iter().map(|g| g.entry_id).collect())
                    .unwrap_or_default()
            }
            Under::Cli { .. } => self.items(q, 100).into_iter().map(|(id, _)| id).collect(),
        }
    }

    /// The first `limit` items of a search: (entry id, anchor).
    fn items(&self, q: &str, limit: usize) -> Vec<(String, String)> {
        let hits = match self {
            Under::Engine(engine) => {
                let request =
                    SearchRequest { q: q.to_string(), per_page: limit, ..Default::default() };
                let hits = engine.search(&request).map(|r| r.hits).unwrap_or_default();
                return hits.into_iter().map(|h| (h.entry_id, h.anchor)).collect();
            }
            Under::Cli { bin, index, .. } => Under::cli(
                bin,
                index,
                &["search", "--json", "--limit", &limit.to_string(), "--", q],
            ),
        };
        hits["hits"]
            .as_array()
            .map(|hits| {
                hits.iter()
                    .map(|h| {
                        (
                            h["entry_id"].as_str().unwrap_or_default().to_string(),
                            h["anchor"].as_str().unwrap_or_default().to_string(),
                        )
                    })
                    .collect()
            })
            .unwrap_or_default()
    }

    /// The largest topics, most items first.
    fn topics(&self, n: usize) -> Vec<String> {
        match self {
            Under::Engine(engine) => engine
                .facet_values(Facet::Topics)
                .unwrap_or_default()
                .into_iter()
                .take(n)
                .map(|f| f.value)
                .collect(),
            Under::Cli { bin, index, .. } => {
                let r = Under::cli(bin, index, &["search", "--json", "--limit", "1", "--", ""]);
                r["facets"]["topics"]
                    .as_array()
                    .map(|t| {
                        t.iter()
                            .take(n)
                            .filter_map(|f| f["value"].as_str().map(str::to_string))
                            .collect()
                    })
                    .unwrap_or_default()
            }
        }
    }

    /// An item's title and text, as the engine holds it.
    fn item_text(&self, entry_id: &str, anchor: &str) -> Option<String> {
        match self {
            Under::Engine(engine) => {
                let entry = engine.entry(entry_id).ok()??;
                let item = entry.items.into_iter().find(|i| i.anchor == anchor)?;
                Some(format!("{}\n{}", item.title, item.text))
            }
            Under::Cli { bin, index, shown } => {
                let mut shown = shown.borrow_mut();
                let entry = shown
                    .entry(entry_id.to_string())
                    .or_insert_with(|| Under::cli(bin, index, &["show", "--json", entry_id]));
                let item = entry["items"].as_array()?.iter().find(|i| i["anchor"] == anchor)?;
                Some(format!("{}\n{}", item["title"].as_str()?, item["text"].as_str()?))
            }
        }
    }
}

/// Topic precision: for each of the ten largest topics, the share of the first 100
/// items `topic:X` returns whose own text shows X.
fn topic_precision(under: &Under, taxonomy: &Taxonomy) -> String {
    let mut table = String::from(
        "Topic precision: of the first 100 items `topic:X` returns, the share whose own title and text show X (its name, or a taxonomy word of it).\n\n| topic | items checked | precision |\n| --- | ---: | ---: |\n",
    );
    let (mut all_checked, mut all_shown) = (0, 0);
    for topic in under.topics(10) {
        let query = format!("topic:\"{}\"", topic.replace('"', ""));
        let (mut checked, mut shown) = (0, 0);
        for (entry_id, anchor) in under.items(&query, 100) {
            let Some(text) = under.item_text(&entry_id, &anchor) else { continue };
            checked += 1;
            shown += usize::from(digest::shows_topic(&text, &topic, taxonomy));
        }
        all_checked += checked;
        all_shown += shown;
        table.push_str(&format!(
            "| {topic} | {checked} | {:.1}% |\n",
            100.0 * shown as f64 / checked.max(1) as f64
        ));
    }
    table.push_str(&format!(
        "| all ten | {all_checked} | {:.1}% |\n\n",
        100.0 * all_shown as f64 / all_checked.max(1) as f64
    ));
    table
}

// Long on purpose: the report's rows in the order they print, one paragraph each.
fn main() -> ExitCode {
    let mut args = Args::parse();
    if let Some(sample) = args.stories {
        return story_report(&args.archive, sample, args.seed);
    }
    let taxonomy = Taxonomy::load(&args.archive).unwrap_or_else(|_| Taxonomy::builtin());
    let exported = tempfile::tempdir().unwrap();
    let shown_path = args.archive.display().to_string();
    if args.as_html {
        html_copy(&args.archive, &taxonomy, exported.path());
        args.archive = exported.path().to_path_buf();
    }
    let walk = digest::walk(&args.archive).expect("walk the archive");
    let mut docs = vec![];
    for file in &walk.files {
        let Ok(entry) = file.parse(&taxonomy) else { continue };
        let passages = entry
            .items
            .iter()
            .flat_map(|i| i.text.split("\n\n").map(str::to_string).collect::<Vec<_>>())
            .filter(|p| p.split_whitespace().count() >= 25)
            .collect();
        let lines = rendered_lines(&entry.body);
        let rendered =
            lines.iter().filter(|l| l.split_whitespace().count() >= 8).cloned().collect();
        let cjk = lines.into_iter().filter(|l| cjk_count(l) >= 8).collect();
        let text = std::fs::read_to_string(&file.path).unwrap_or_default();
        docs.push(Doc { id: entry.id, text, passages, rendered, cjk });
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
    let (under, entries, items) = match &args.engine {
        None => {
            let summary =
                reindex(&args.archive, dir.path(), &ReindexOptions::default(), &|_, _| {})
                    .expect("reindex");
            let engine = Engine::open(dir.path()).expect("open");
            (Under::Engine(Box::new(engine)), summary.entries, summary.items)
        }
        Some(bin) => {
            let out = std::process::Command::new(bin)
                .arg("--archive")
                .arg(&args.archive)
                .arg("--index")
                .arg(dir.path())
                .args(["reindex", "--json"])
                .output()
                .expect("run the engine");
            let summary: serde_json::Value = serde_json::from_slice(&out.stdout).expect("summary");
            let under = Under::Cli {
                bin: bin.clone(),
                index: dir.path().to_path_buf(),
                shown: RefCell::default(),
            };
            (
                under,
                summary["entries"].as_u64().unwrap_or(0),
                summary["items"].as_u64().unwrap_or(0),
            )
        }
    };
    let bm25 = Bm25::new(&docs);

    let mut rng = Rng(args.seed);
    let engine_note = match &args.engine {
        Some(bin) => format!(" Engine: `{}`.", bin.display()),
        None => String::new(),
    };
    let mut table = format!(
        "## {shown_path}{html} ({} entries, {} items)\n\n`cargo run --release --bin quality -- --archive {shown_path}{flag} --per-kind {}` (seed {}).{engine_note}\nCells: recall@10 / MRR / zero results.\n\n| kind | queries | archive | rg | BM25 whole files |\n| --- | ---: | --- | --- | --- |\n",
        entries,
        items,
        args.per_kind,
        args.seed,
        html = if args.as_html { ", rendered to HTML" } else { "" },
        flag = if args.as_html { " --as-html" } else { "" },
    );
    let (mut total_ours, mut total_rg, mut total_bm25) =
        (Score::default(), Score::default(), Score::default());
    for kind in Kind::ALL {
        let queries = draw(&docs, &df, kind, args.per_kind, &mut rng);
        if queries.is_empty() {
            table.push_str(&format!("| {} | 0 | – | – | – |\n", kind.name()));
            continue;
        }
        let (mut ours, mut grep, mut plain) =
            (Score::default(), Score::default(), Score::default());
        for q in &queries {
            let results = under.entries(&q.text);
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
    table.push_str(&topic_precision(&under, &taxonomy));
    print!("{table}");
    if let Some(path) = &args.write {
        shared::write_section(
            path,
            "Search quality",
            &format!("## {shown_path}{} (", if args.as_html { ", rendered to HTML" } else { "" }),
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
