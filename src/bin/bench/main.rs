//! `bench`: generates a deterministic archive and measures `archive` on it, side by side
//! with reading the same files and with `rg`, in one run (these machines are noisy).
//!
//! ```text
//! cargo run --release --bin bench -- --digests 10000            # prints a table
//! cargo run --release --bin bench -- --digests 100000 --write BENCHMARKS.md
//! ```
//!
//! It always checks correctness: every needle word must be found in exactly as many
//! items as the generator put it in, and every planted repeat of a link or of a text
//! word for word must be one story with the item it repeats (exit 1 otherwise).
//! Timings are printed, never asserted.

mod baselines;
mod generate;
mod http;
mod shared;

use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};
use std::time::Instant;

use archive::index::{ReindexOptions, ReindexSummary, reindex};
use archive::search::{COUNT_LIMIT, Engine, Group, Mode, SearchRequest};
use clap::Parser;

use self::baselines::{engine_alone, rg_terms, rg_time};
use self::http::{cpu_seconds, http};

/// Generate an archive and measure reindexing and searching it.
#[derive(Parser)]
struct Args {
    /// Digests to generate.
    #[arg(long, default_value_t = 10_000)]
    digests: usize,
    /// Generator seed.
    #[arg(long, default_value_t = 42)]
    seed: u64,
    /// Where the archive and indexes go (default: target/bench/N).
    #[arg(long)]
    dir: Option<PathBuf>,
    /// Full reindex runs (the median is reported).
    #[arg(long, default_value_t = 3)]
    runs: usize,
    /// Times each query is run (p50/p99 over all runs).
    #[arg(long, default_value_t = 20)]
    repeat: usize,
    /// Skip the `rg` comparison.
    #[arg(long)]
    no_rg: bool,
    /// Write the results into this Markdown file (a section per archive size).
    #[arg(long)]
    write: Option<PathBuf>,
    /// Seconds of HTTP load per target with `wrk` (0 skips the HTTP part).
    #[arg(long, default_value_t = 10)]
    http_seconds: u64,
    /// Concurrent connections for the HTTP load.
    #[arg(long, default_value_t = 32)]
    connections: u32,
    /// Only write the archive (into DIR/archive) and stop: for tests and load runs.
    #[arg(long)]
    generate_only: bool,
    /// Skip the reindex measurements and query the index a previous run left (for
    /// profiling queries).
    #[arg(long)]
    queries_only: bool,
    /// Run this query instead of the set (repeatable; any query), and nothing after
    /// them (for profiling).
    #[arg(long)]
    query: Vec<String>,
    /// Only print where the bytes of this index go (any index, e.g. a real archive's).
    #[arg(long)]
    space_of: Option<PathBuf>,
}

/// The query set: rare, common and most common words, phrases, AND, OR, exclusion,
/// filters, dates, sorting, and two rare words that few items have together (the
/// fallback to the digests that have both between their items).
const QUERIES: &[&str] = &[
    "nimbusprobe",
    "velvetlattice",
    "quokkaformer",
    "benchmark",
    "the",
    "\"speculative decoding\"",
    "\"agent memory\" forgetting",
    "model inference",
    "quantization GGUF laptop",
    "tokens latency server",
    "privacy OR vulnerability",
    "agents -memory",
    "topic:inference",
    "source:r/LocalLLaMA",
    "topic:\"agent memory\" source:\"Hacker News\"",
    "date:2021",
    "after:2025-01-01 reasoning",
    "date:2020-01-01..2020-06-30 training",
    "series:\"Agent Notes\" evaluation",
    "quokkaformer OR velvetlattice",
    "velvetlattice nimbusprobe",
    "site:arxiv.org research",
    "weights release",
];

/// Whether a planted repeat is in a story with the item it repeats.
fn planted_found(engine: &Engine, planted: &generate::Planted) -> bool {
    let titled = SearchRequest::new(format!("title:\"{}\"", planted.repeat));
    let Ok(results) = engine.search(&titled) else { return false };
    let Some(hit) = results.hits.iter().find(|h| h.title == planted.repeat) else { return false };
    hit.story_ids.iter().any(|id| match engine.story(&id.to_string()) {
        Ok(Some(view)) => view.mentions.iter().any(|m| m.hit.title == planted.original),
        _ => false,
    })
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(|a, b| a.total_cmp(b));
    if v.is_empty() { 0.0 } else { v[v.len() / 2] }
}

fn percentile(v: &mut [f64], p: f64) -> f64 {
    v.sort_by(|a, b| a.total_cmp(b));
    v[((v.len() as f64 - 1.0) * p).round() as usize]
}

fn dir_size(path: &Path) -> u64 {
    walkdir::WalkDir::new(path)
        .into_iter()
        .filter_map(Result::ok)
        .filter_map(|e| e.metadata().ok())
        .filter(|m| m.is_file())
        .map(|m| m.len())
        .sum()
}

/// Sets every file's mtime a minute back, as a checkout or a copy leaves them (and old
/// enough not to be racy).
fn age_files(root: &Path) {
    let past = std::time::SystemTime::now() - std::time::Duration::from_secs(60);
    for e in walkdir::WalkDir::new(root).into_iter().filter_map(Result::ok) {
        if e.file_type().is_file()
            && let Ok(file) = std::fs::File::options().append(true).open(e.path())
        {
            let _ = file.set_modified(past);
        }
    }
}

/// `cp -r from to`.
fn copy_files(from: &Path, to: &Path) {
    for e in walkdir::WalkDir::new(from).into_iter().filter_map(Result::ok) {
        let target = to.join(e.path().strip_prefix(from).unwrap());
        if e.file_type().is_dir() {
            std::fs::create_dir_all(&target).unwrap();
        } else if e.file_type().is_file() {
            std::fs::copy(e.path(), &target).unwrap();
        }
    }
}

fn timed<T>(f: impl FnOnce() -> T) -> (T, f64) {
    let t = Instant::now();
    let out = f();
    (out, t.elapsed().as_secs_f64())
}

fn quiet_reindex(archive: &Path, index: &Path, full: bool) -> ReindexSummary {
    reindex(archive, index, &ReindexOptions { full, ..Default::default() }, &|_, _| {})
        .expect("reindex")
}

// Long on purpose: a literate benchmark in the manner of Tantivy's examples, read top to
// bottom in the order its report prints; each `// #` section is one table of it.
fn main() -> ExitCode {
    let args = Args::parse();
    if let Some(index) = &args.space_of {
        println!("Index: {:.1} MB.\n", dir_size(index) as f64 / 1e6);
        for l in space(index) {
            println!("{l}");
        }
        return ExitCode::SUCCESS;
    }
    let root =
        args.dir.clone().unwrap_or_else(|| PathBuf::from(format!("target/bench/{}", args.digests)));
    let archive = root.join("archive");
    let marker = archive.join(format!(".generated-{}-{}", args.digests, args.seed));
    let mut report = String::new();
    let mut line = |s: String| {
        println!("{s}");
        report.push_str(&s);
        report.push('\n');
    };

    // # The archive
    let known = std::fs::read_to_string(&marker)
        .ok()
        .and_then(|text| serde_json::from_str::<generate::Generated>(&text).ok())
        .filter(|g| g.version == generate::VERSION);
    let generated = if let Some(known) = known {
        known
    } else {
        let _ = std::fs::remove_dir_all(&archive);
        let (g, secs) =
            timed(|| generate::generate(&archive, args.digests, args.seed).expect("generate"));
        eprintln!(
            "generated {} digests ({:.0} MB) in {secs:.1} s",
            g.digests,
            g.bytes as f64 / 1e6
        );
        std::fs::write(&marker, serde_json::to_string(&g).unwrap()).unwrap();
        g
    };
    if args.generate_only {
        println!("{}", archive.display());
        return ExitCode::SUCCESS;
    }
    let bytes = generated.bytes;
    let items = generated.items as u64;
    let mb = bytes as f64 / 1e6;
    line(format!("## {} digests ({mb:.0} MB of Markdown, {items} items)\n", args.digests));
    line(format!(
        "Machine: {} cores; `cargo run --release --bin bench -- --digests {} --runs {}`\n",
        std::thread::available_parallelism().map_or(0, |n| n.get()),
        args.digests,
        args.runs
    ));

    let index = root.join("index");
    if !args.queries_only {
        // # Reindexing
        let (_, read_secs) = timed(|| {
            let mut total = 0usize;
            for e in walkdir::WalkDir::new(&archive)
                .into_iter()
                .filter_map(Result::ok)
                .filter(|e| e.file_type().is_file())
            {
                total += std::fs::read(e.path()).map_or(0, |b| b.len());
            }
            total
        });
        let mut full = vec![];
        let mut summary = ReindexSummary::default();
        for _ in 0..args.runs.max(1) {
            let _ = std::fs::remove_dir_all(&index);
            let (s, secs) = timed(|| quiet_reindex(&archive, &index, false));
            assert!(s.skipped.is_empty(), "{:?}", &s.skipped[..s.skipped.len().min(3)]);
            summary = s;
            full.push(secs);
        }
        let full_secs = median(full);
        let alone = engine_alone(&archive, &root.join("engine-alone"));
        let (engine_items, engine_secs) = (alone.items, alone.secs);
        let noop =
            median((0..5).map(|_| timed(|| quiet_reindex(&archive, &index, false)).1).collect());
        let extra = archive.join("bench-extra.md");
        std::fs::write(
            &extra,
            "---\ntitle: Extra\ndate: 2026-01-01\n---\n\n## One more\n\nA single added digest.\n",
        )
        .unwrap();
        let (added, add_secs) = timed(|| quiet_reindex(&archive, &index, false));
        std::fs::write(
            &extra,
            "---\ntitle: Extra\ndate: 2026-01-01\n---\n\n## One more\n\nThe same digest, edited.\n",
        )
        .unwrap();
        let (edited, edit_secs) = timed(|| quiet_reindex(&archive, &index, false));
        std::fs::remove_file(&extra).unwrap();
        let (removed, delete_secs) = timed(|| quiet_reindex(&archive, &index, false));
        assert_eq!((added.added, edited.updated, removed.removed), (1, 1, 1));
        let index_bytes = dir_size(&index);

        // Files that only moved (a `touch`, a checkout, a copy): hashed, never parsed,
        // no document written (meta.json, rewritten by every commit, stays as it was).
        let meta = || std::fs::read(index.join("meta.json")).unwrap();
        let committed = meta();
        age_files(&archive);
        let (touched, touch_secs) = timed(|| quiet_reindex(&archive, &index, false));
        let (_, after_touch_secs) = timed(|| quiet_reindex(&archive, &index, false));
        let copy = root.join("archive-copy");
        let _ = std::fs::remove_dir_all(&copy);
        copy_files(&archive, &copy);
        age_files(&copy);
        let (copied, copy_secs) = timed(|| quiet_reindex(&copy, &index, false));
        let (_, after_copy_secs) = timed(|| quiet_reindex(&copy, &index, false));
        let _ = std::fs::remove_dir_all(&copy);
        assert_eq!((touched.updated, copied.updated), (0, 0));
        let written = if meta() == committed { "none" } else { "SOME — expected none" };

        line("| reindex | seconds | notes |\n| --- | ---: | --- |".into());
        line(format!(
            "| full | {full_secs:.2} | {:.1} MB/s, {:.0} items/s; {} entries, {} items |",
            mb / full_secs,
            summary.items as f64 / full_secs,
            summary.entries,
            summary.items
        ));
        line(format!(
            "| engine alone: the same items' text into a plain Tantivy schema | {engine_secs:.2} | {:.1} MB/s of Markdown, {:.0} items/s ({engine_items} items; one text field with positions, the default tokenizer, the same threads and heap; parsing not timed); `archive` = {:.2}x its rate |",
            mb / engine_secs,
            engine_items as f64 / engine_secs,
            engine_secs / full_secs
        ));
        line(format!(
            "| vectors alone: every item's title and text embedded (`mode=hybrid`'s input) | {:.2} | {:.0} items/s on {} threads: {:.0}% of the full reindex |",
            alone.embed_secs,
            engine_items as f64 / alone.embed_secs,
            archive::index::indexing_threads(),
            100.0 * alone.embed_secs / full_secs
        ));
        line(format!(
            "| read every file (the floor) | {read_secs:.2} | full reindex = {:.1}x the read time |",
            full_secs / read_secs
        ));
        line(format!("| nothing changed | {noop:.3} | median of 5 |"));
        line(format!("| one digest added | {add_secs:.3} | |"));
        line(format!("| one digest edited | {edit_secs:.3} | |"));
        line(format!("| one digest deleted | {delete_secs:.3} | |"));
        line(format!(
            "| no-op after touching every file | {touch_secs:.3} | {:.0} MB hashed, 0 parsed; documents written: {written}; the run after: {after_touch_secs:.3} s |",
            touched.bytes_read as f64 / 1e6
        ));
        line(format!(
            "| no-op right after copying the archive | {copy_secs:.3} | {:.0} MB hashed, 0 parsed; documents written: {written}; the run after: {after_copy_secs:.3} s |",
            copied.bytes_read as f64 / 1e6
        ));
        line(format!(
            "\nIndex: {:.0} MB for {mb:.0} MB of Markdown ({:.2}x).\n",
            index_bytes as f64 / 1e6,
            index_bytes as f64 / bytes as f64
        ));
        for l in space(&index) {
            line(l);
        }
    }

    // # Searching, with facets and snippets as the API returns them
    let engine = Engine::open(&index).expect("open the index");
    let have_rg = !args.no_rg && Command::new("rg").arg("--version").output().is_ok();
    line("| query | hits | p50 ms | p99 ms | rg ms | rg / p50 | one per story p50 ms | hybrid p50 ms | hybrid p99 ms |\n| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |".into());
    let (mut all, mut all_hybrid) = (vec![], vec![]);
    let queries: Vec<&str> = if args.query.is_empty() {
        QUERIES.to_vec()
    } else {
        args.query.iter().map(String::as_str).collect()
    };
    for q in queries {
        let request = SearchRequest::new(q);
        let first = engine.search(&request).expect("search");
        let mut times: Vec<f64> = (0..args.repeat.max(1))
            .map(|_| timed(|| engine.search(&request).unwrap()).1 * 1e3)
            .collect();
        all.extend(times.iter().copied());
        let (p50, p99) = (percentile(&mut times, 0.5), percentile(&mut times, 0.99));
        // The same page with repeated coverage folded into one hit per story.
        let folded = SearchRequest { group: Group::Story, ..request.clone() };
        let mut story_times: Vec<f64> = (0..args.repeat.max(1))
            .map(|_| timed(|| engine.search(&folded).unwrap()).1 * 1e3)
            .collect();
        let story_p50 = percentile(&mut story_times, 0.5);
        // The same page by words and meaning.
        let hybrid = SearchRequest { mode: Mode::Hybrid, ..request.clone() };
        let mut hybrid_times: Vec<f64> = (0..args.repeat.max(1))
            .map(|_| timed(|| engine.search(&hybrid).unwrap()).1 * 1e3)
            .collect();
        all_hybrid.extend(hybrid_times.iter().copied());
        let hybrid_p50 = percentile(&mut hybrid_times, 0.5);
        let hybrid_p99 = percentile(&mut hybrid_times, 0.99);
        let rg = if have_rg { rg_time(&archive, &rg_terms(q)).map(|s| s * 1e3) } else { None };
        let (rg_ms, ratio) = match rg {
            Some(ms) => (format!("{ms:.0}"), format!("{:.0}x", ms / p50)),
            None => ("–".into(), "–".into()),
        };
        line(format!(
            "| `{}` | {} | {p50:.2} | {p99:.2} | {rg_ms} | {ratio} | {story_p50:.2} | {hybrid_p50:.2} | {hybrid_p99:.2} |",
            q.replace('|', "\\|"),
            first.total
        ));
    }
    line(format!(
        "\nAll queries: p50 {:.2} ms, p99 {:.2} ms; hybrid (`mode=hybrid`): p50 {:.2} ms, p99 {:.2} ms.\n",
        percentile(&mut all, 0.5),
        percentile(&mut all, 0.99),
        percentile(&mut all_hybrid, 0.5),
        percentile(&mut all_hybrid, 0.99)
    ));

    if !args.query.is_empty() {
        // Profiling some queries: nothing else runs.
        return ExitCode::SUCCESS;
    }
    let in_process_rate = 1e3 * all.len() as f64 / all.iter().sum::<f64>();
    if args.http_seconds > 0 && Command::new("wrk").arg("--version").output().is_ok() {
        // The same queries in process on as many threads as the server has cores.
        let threads = archive::cores();
        let rounds = args.repeat.max(1);
        let cpu_before = cpu_seconds("self");
        let (_, secs) = timed(|| {
            std::thread::scope(|scope| {
                for _ in 0..threads {
                    scope.spawn(|| {
                        for _ in 0..rounds {
                            for q in QUERIES {
                                engine.search(&SearchRequest::new(*q)).unwrap();
                            }
                        }
                    });
                }
            })
        });
        let searches = threads * rounds * QUERIES.len();
        let threaded_rate = searches as f64 / secs;
        let cpu_ms =
            cpu_seconds("self").zip(cpu_before).map(|(b, a)| (b - a) * 1e3 / searches as f64);
        let rates = (in_process_rate, threaded_rate, threads, cpu_ms);
        for l in http(&args, &archive, &index, rates) {
            line(l);
        }
    }

    // # Correctness: each needle is found in exactly the items it was put in.
    let mut ok = true;
    for (needle, &want) in &generated.needles {
        let first = engine.search(&SearchRequest::new(needle.as_str())).unwrap();
        // Up to the limit a count is exact; past it, an estimate says so; with `exact`
        // it is exact.
        let exact = SearchRequest { exact: true, ..SearchRequest::new(needle.as_str()) };
        let got = engine.search(&exact).unwrap().total;
        let marked = !first.total_is_estimate || want > COUNT_LIMIT;
        if got != want || !marked || (!first.total_is_estimate && first.total != want) {
            ok = false;
        }
        line(format!(
            "needle `{needle}`: {got} items found, {want} generated{}{}",
            if first.total_is_estimate {
                format!(" (about {} without `exact`)", first.total)
            } else {
                String::new()
            },
            if got == want && marked { "" } else { " — MISMATCH" }
        ));
    }
    // Estimates: broad words counted from a sample of a tenth of their matches are
    // marked as estimates and land near the exact count.
    for word in ["the", "benchmark"] {
        let exact = engine.search(&SearchRequest { exact: true, ..SearchRequest::new(word) });
        let exact = exact.unwrap().total;
        let sampled = SearchRequest { count_limit: exact / 10, ..SearchRequest::new(word) };
        let sampled = engine.search(&sampled).unwrap();
        let error = (sampled.total as f64 - exact as f64).abs() / exact.max(1) as f64;
        let good = sampled.total_is_estimate && error <= 0.15;
        ok &= good;
        line(format!(
            "estimate `{word}` from a tenth of its matches: {} (exact {exact}, {:.1}% off){}",
            sampled.total,
            error * 100.0,
            if good { "" } else { " — MISMATCH" }
        ));
    }
    // Stories: each planted repeat comes back as one story with the item it repeats.
    let mut kinds: std::collections::BTreeMap<&str, (usize, usize)> = Default::default();
    for planted in &generated.planted {
        let found = planted_found(&engine, planted);
        let slot = kinds.entry(planted.kind.as_str()).or_default();
        slot.0 += usize::from(found);
        slot.1 += 1;
    }
    for (kind, (found, all)) in &kinds {
        let share = *found as f64 / (*all).max(1) as f64;
        // A link spelled another way and a text told again word for word must be found;
        // how many edited texts are is the near-duplicate threshold's curve.
        let required = matches!(*kind, "link" | "text 0%");
        let good = !required || share >= 0.95;
        ok &= good;
        line(format!(
            "planted repeats ({kind}): {found} of {all} found as one story ({:.1}%){}",
            share * 100.0,
            if good { "" } else { " — MISMATCH" }
        ));
    }
    if let Some(path) = &args.write {
        shared::write_section(path, "Benchmarks", &format!("## {} digests", args.digests), &report);
    }
    if ok {
        println!("needles: ok");
        ExitCode::SUCCESS
    } else {
        eprintln!("needles: MISMATCH");
        ExitCode::from(1)
    }
}

/// Where the index's bytes go: the document store, and per field its terms, postings,
/// positions, fast fields and norms (MB).
fn space(index: &Path) -> Vec<String> {
    use std::collections::BTreeMap;
    let index = tantivy::Index::open_in_dir(index).expect("open the index");
    let usage = index.reader().expect("reader").searcher().space_usage().expect("space usage");
    let mb = |b: u64| format!("{:.1}", b as f64 / 1e6);
    let mut per_field: BTreeMap<String, [u64; 5]> = BTreeMap::new();
    let mut store = 0u64;
    for segment in usage.segments() {
        store += segment.store().total().get_bytes();
        let parts = [
            segment.termdict(),
            segment.postings(),
            segment.positions(),
            segment.fast_fields(),
            segment.fieldnorms(),
        ];
        for (i, part) in parts.into_iter().enumerate() {
            for field in part.fields() {
                per_field.entry(field.field_name().to_string()).or_default()[i] +=
                    field.total().get_bytes();
            }
        }
    }
    let mut rows: Vec<(String, [u64; 5])> = per_field.into_iter().collect();
    rows.sort_by_key(|(_, sizes)| std::cmp::Reverse(sizes.iter().sum::<u64>()));
    let mut out = vec![
        format!("Document store: {} MB.\n", mb(store)),
        "| field | terms MB | postings MB | positions MB | fast MB | norms MB |\n| --- | ---: | ---: | ---: | ---: | ---: |".into(),
    ];
    for (name, s) in rows.iter().filter(|(_, s)| s.iter().sum::<u64>() >= 50_000) {
        out.push(format!(
            "| `{name}` | {} | {} | {} | {} | {} |",
            mb(s[0]),
            mb(s[1]),
            mb(s[2]),
            mb(s[3]),
            mb(s[4])
        ));
    }
    out.push(String::new());
    out
}
