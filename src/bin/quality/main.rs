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

mod baselines;
mod dates;
mod draw;
mod related;
#[path = "../bench/shared.rs"]
mod shared;
mod stories;

use std::cell::RefCell;
use std::collections::{HashMap, HashSet};
use std::path::PathBuf;
use std::process::ExitCode;

use archive::digest::{self, Taxonomy};
use archive::index::{ReindexOptions, reindex};
use archive::search::{Engine, Facet, Group, Matched, Mode, SearchRequest};
use clap::Parser;
use shared::Rng;

use self::baselines::{Bm25, rg};
use self::draw::{Doc, Kind, Query, cjk_count, draw, rendered_lines, words};
use self::related::related_report;
use self::stories::story_report;

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
    /// Instead: for a seeded sample of this many entries that share a story with
    /// another, the share of their related entries that do, found by each way alone.
    #[arg(long)]
    related: Option<usize>,
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

/// Rank (1-based) of the expected entry among the first ten distinct entries other
/// than `own`.
fn rank(results: &[String], expected: &str, own: Option<&str>) -> Option<usize> {
    let mut distinct: Vec<&str> = vec![];
    for id in results {
        if !distinct.contains(&id.as_str()) && own != Some(id.as_str()) {
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
    fn add(&mut self, results: &[String], q: &Query) -> bool {
        self.n += 1;
        if results.is_empty() {
            self.zero += 1;
        }
        match rank(results, &q.expected, q.own.as_deref()) {
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

/// A row of the table: a kind's queries, and its cell for each engine.
fn row(name: &str, scores: &[Score; 4]) -> String {
    let cells: Vec<String> = scores.iter().map(Score::cell).collect();
    format!("| {name} | {} | {} |\n", scores[0].n, cells.join(" | "))
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

    /// The first eleven distinct entries of a search, best first (ten besides the
    /// query's own), and (from this build's engine) how many of them have an item with
    /// every word.
    fn entries(&self, q: &str, mode: Mode) -> (Vec<String>, Option<usize>) {
        match self {
            Under::Engine(engine) => {
                let request = SearchRequest {
                    q: q.to_string(),
                    group: Group::Entry,
                    per_page: 11,
                    mode,
                    ..SearchRequest::default()
                };
                let groups = engine.search(&request).ok().and_then(|r| r.groups);
                let groups = groups.unwrap_or_default();
                let whole = groups.iter().filter(|g| g.matched == Matched::Item).count();
                (groups.into_iter().map(|g| g.entry_id).collect(), Some(whole))
            }
            Under::Cli { .. } => (self.items(q, 100).into_iter().map(|(id, _)| id).collect(), None),
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
/// items `topic:X` returns whose own text shows X; one line, naming the topics under 100%.
fn topic_precision(under: &Under, taxonomy: &Taxonomy) -> String {
    let share = |shown: usize, checked: usize| 100.0 * shown as f64 / checked.max(1) as f64;
    let (mut all_checked, mut all_shown, mut below) = (0, 0, vec![]);
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
        if shown < checked {
            below.push(format!("`{topic}` {:.1}% of {checked}", share(shown, checked)));
        }
    }
    let below = match below.is_empty() {
        true => "every one 100%".to_string(),
        false => format!("under 100%: {}", below.join(", ")),
    };
    format!(
        "Topic precision, ten largest topics: {:.1}% of {all_checked} items; {below}.\n\n",
        share(all_shown, all_checked)
    )
}

// Long on purpose: the report's rows in the order they print, one paragraph each.
fn main() -> ExitCode {
    let mut args = Args::parse();
    if let Some(sample) = args.stories {
        return story_report(&args.archive, sample, args.seed);
    }
    if let Some(sample) = args.related {
        return related_report(&args.archive, sample, args.seed);
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
    let mut dating = dates::Dating::default();
    for file in &walk.files {
        let Ok(entry) = file.parse(&taxonomy) else { continue };
        dating.add(&entry);
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
        let items = entry.items.iter().map(|i| format!("{}\n{}", i.title, i.text)).collect();
        let stories = entry.items.iter().map(|i| i.stories.iter().map(|s| s.0).collect()).collect();
        docs.push(Doc { id: entry.id, text, passages, rendered, cjk, items, stories });
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
        "## {shown_path}{html} ({} entries, {} items)\n\n`cargo run --release --bin quality -- --archive {shown_path}{flag} --per-kind {}` (seed {}).{engine_note}\nCells: recall@10 / MRR / zero results.\n\n| kind | queries | archive | archive, hybrid | rg | BM25 whole files |\n| --- | ---: | --- | --- | --- | --- |\n",
        entries,
        items,
        args.per_kind,
        args.seed,
        html = if args.as_html { ", rendered to HTML" } else { "" },
        flag = if args.as_html { " --as-html" } else { "" },
    );
    // Keyword, hybrid, rg, whole-file BM25.
    let mut totals = [Score::default(); 4];
    // The spread and two-tellings kinds have their own rows after the total, which
    // stays that of the six known-item kinds (and the floor of `--min-recall` with it).
    let mut after = String::new();
    for kind in Kind::ALL {
        let queries = draw(&docs, &df, kind, args.per_kind, &mut rng);
        if queries.is_empty() {
            table.push_str(&format!("| {} | 0 | – | – | – | – |\n", kind.name()));
            continue;
        }
        let mut scores = [Score::default(); 4];
        // Spread queries, apart by whether fewer than a page of digests have both words
        // in one item (the fallback's case) or not (the items that have them come
        // first), as this build's engine finds them.
        let mut apart = [[Score::default(); 4]; 2];
        for q in &queries {
            let (keyword, whole) = under.entries(&q.text, Mode::Keyword);
            let (hybrid, _) = under.entries(&q.text, Mode::Hybrid);
            let results = [keyword, hybrid, rg(&docs, &lowered, &q.text), bm25.search(&q.text)];
            for (i, (score, results)) in scores.iter_mut().zip(&results).enumerate() {
                let found = score.add(results, q);
                if !found && args.misses && i == 0 {
                    eprintln!("miss [{}] {:?} -> expected {}", kind.name(), q.text, q.expected);
                }
            }
            if let (Kind::Spread, Some(whole)) = (kind, whole) {
                for (score, results) in apart[usize::from(whole >= 10)].iter_mut().zip(&results) {
                    score.add(results, q);
                }
            }
        }
        match kind {
            Kind::Spread => {
                after.push_str(&row(kind.name(), &scores));
                let what =
                    ["under 10 digests have both in one item", "10+ digests have both in one item"];
                for (what, apart) in what.iter().zip(&apart).filter(|(_, a)| a[0].n > 0) {
                    after.push_str(&row(&format!("spread, {what}"), apart));
                }
            }
            Kind::TwoTellings => after.push_str(&row(kind.name(), &scores)),
            _ => {
                table.push_str(&row(kind.name(), &scores));
                for (total, s) in totals.iter_mut().zip(scores) {
                    total.n += s.n;
                    total.found += s.found;
                    total.rr += s.rr;
                    total.zero += s.zero;
                }
            }
        }
    }
    table.push_str(&row("all", &totals));
    table.push_str(&after);
    table.push('\n');
    table.push_str(&topic_precision(&under, &taxonomy));
    table.push_str(&dating.summary());
    print!("{table}");
    if let Some(path) = &args.write {
        shared::write_section(
            path,
            "Search quality",
            &format!("## {shown_path}{} (", if args.as_html { ", rendered to HTML" } else { "" }),
            &table,
        );
    }
    let recall = totals[0].found as f64 / totals[0].n.max(1) as f64;
    match args.min_recall {
        Some(min) if recall < min => {
            eprintln!("recall@10 {:.3} is below the floor {min}", recall);
            ExitCode::from(1)
        }
        _ => ExitCode::SUCCESS,
    }
}
