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

mod generate;
mod shared;

use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};
use std::time::Instant;

use archive::index::{ReindexOptions, ReindexSummary, reindex};
use archive::search::{COUNT_LIMIT, Engine, Group, SearchRequest};
use clap::Parser;

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
/// filters, dates, sorting.
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
    "site:arxiv.org research",
    "weights release",
];

/// Whether a planted repeat is in a story with the item it repeats.
fn planted_found(engine: &Engine, planted: &generate::Planted) -> bool {
    let titled = SearchRequest::new(format!("title:\"{}\"", planted.repeat));
    let Ok(results) = engine.search(&titled) else { return false };
    let Some(hit) = results.hits.iter().find(|h| h.title == planted.repeat) else { return false };
    hit.story_ids.iter().any(|id| match engine.story(&id.to_string()) {
        Ok(Some(view)) => view.mentions.iter().any(|m| m.title == planted.original),
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

/// CPU seconds (user and system, every thread) a process has used so far: `self`, or a
/// pid. `None` where /proc does not say.
fn cpu_seconds(pid: &str) -> Option<f64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // After the command name, which may hold spaces: state is field 3, utime 14, stime 15.
    let fields: Vec<&str> = stat.rsplit_once(')')?.1.split_whitespace().collect();
    let ticks = |i: usize| fields.get(i - 3)?.parse::<f64>().ok();
    // /proc counts in USER_HZ, 100 on Linux.
    Some((ticks(14)? + ticks(15)?) / 100.0)
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

/// The words a user would give `rg` for a query: literal words and phrases, filter
/// values for filters (rg cannot filter by metadata).
fn rg_terms(q: &str) -> Vec<String> {
    let mut terms = vec![];
    let mut rest = q;
    while let Some(start) = rest.find('"') {
        let Some(len) = rest[start + 1..].find('"') else { break };
        terms.push(rest[start + 1..start + 1 + len].to_string());
        rest = &rest[start + len + 2..];
    }
    for word in q.split('"').step_by(2).flat_map(str::split_whitespace) {
        if word == "OR" || word.starts_with('-') {
            continue;
        }
        let value = word.split_once(':').map_or(word, |(_, v)| v);
        if !value.is_empty()
            && !value.contains("..")
            && !value.starts_with(|c: char| c.is_ascii_digit())
        {
            terms.push(value.to_string());
        }
    }
    terms
}

/// `rg -i -l` for the first term over the archive, then each further term over the
/// files left: the files containing every term, as a user would find them.
fn rg_time(archive: &Path, terms: &[String]) -> Option<f64> {
    if terms.is_empty() {
        return None;
    }
    let start = Instant::now();
    let mut files: Option<Vec<String>> = None;
    for term in terms {
        let rg = |paths: &[&str]| -> Option<Vec<String>> {
            let out = Command::new("rg")
                .args(["-i", "-l", "-F", "--no-messages", "--", term])
                .args(paths)
                .output()
                .ok()?;
            Some(String::from_utf8_lossy(&out.stdout).lines().map(str::to_string).collect())
        };
        files = Some(match &files {
            None => rg(&[archive.to_str()?])?,
            Some(list) if list.is_empty() => break,
            // Later terms search the files left, in batches that fit a command line.
            Some(list) => {
                let mut left = vec![];
                for chunk in list.chunks(1000) {
                    left.extend(rg(&chunk.iter().map(String::as_str).collect::<Vec<_>>())?);
                }
                left
            }
        });
    }
    Some(start.elapsed().as_secs_f64())
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
        let (engine_items, engine_secs) = engine_alone(&archive, &root.join("engine-alone"));
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
    line("| query | hits | p50 ms | p99 ms | rg ms | rg / p50 | one per story p50 ms |\n| --- | ---: | ---: | ---: | ---: | ---: | ---: |".into());
    let mut all = vec![];
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
        let rg = if have_rg { rg_time(&archive, &rg_terms(q)).map(|s| s * 1e3) } else { None };
        let (rg_ms, ratio) = match rg {
            Some(ms) => (format!("{ms:.0}"), format!("{:.0}x", ms / p50)),
            None => ("–".into(), "–".into()),
        };
        line(format!(
            "| `{}` | {} | {p50:.2} | {p99:.2} | {rg_ms} | {ratio} | {story_p50:.2} |",
            q.replace('|', "\\|"),
            first.total
        ));
    }
    line(format!(
        "\nAll queries: p50 {:.2} ms, p99 {:.2} ms.\n",
        percentile(&mut all, 0.5),
        percentile(&mut all, 0.99)
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

/// The engine's own speed on this data: the archive's items (title, entry title, text)
/// parsed first, untimed, then indexed into a plain schema (one text field with
/// positions, the default tokenizer) with the threads and heap `reindex` uses. Returns
/// the items and the seconds of indexing and committing.
fn engine_alone(archive: &Path, dir: &Path) -> (usize, f64) {
    use archive::digest::{Taxonomy, read_parallel, walk};
    use tantivy::schema::{Schema, TEXT};
    let taxonomy = Taxonomy::load(archive).expect("the archive's taxonomy");
    let files = walk(archive).expect("walk the archive").files;
    let mut texts: Vec<[String; 3]> = vec![];
    read_parallel(
        &files,
        |file| file.parse(&taxonomy),
        |_, parsed| {
            if let Ok(entry) = parsed {
                texts.extend(
                    entry.items.into_iter().map(|i| [i.title, entry.title.clone(), i.text]),
                );
            }
            Ok::<_, ()>(())
        },
    )
    .unwrap();
    let _ = std::fs::remove_dir_all(dir);
    std::fs::create_dir_all(dir).unwrap();
    let mut builder = Schema::builder();
    let text = builder.add_text_field("text", TEXT);
    let index = tantivy::Index::create_in_dir(dir, builder.build()).unwrap();
    let threads = archive::index::indexing_threads();
    let ((), secs) = timed(|| {
        let mut writer: tantivy::IndexWriter = index
            .writer_with_num_threads(threads, threads * archive::index::heap_per_thread())
            .unwrap();
        for [title, entry_title, body] in &texts {
            let mut doc = tantivy::TantivyDocument::new();
            doc.add_text(text, title);
            doc.add_text(text, entry_title);
            doc.add_text(text, body);
            writer.add_document(doc).unwrap();
        }
        writer.commit().unwrap();
        writer.wait_merging_threads().unwrap();
    });
    let _ = std::fs::remove_dir_all(dir);
    (texts.len(), secs)
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

/// `archive serve` under `wrk` on 127.0.0.1: the query set through `/api/search`,
/// `/healthz` on the same server, the time from start to first answer, and the
/// server's memory after the load, against the in-process rates of the same queries (one
/// thread, and `threads` threads).
// Long on purpose: one scenario (start, load, measure, stop) whose steps share the
// server process; each step is a commented paragraph.
fn http(
    args: &Args,
    archive: &Path,
    index: &Path,
    (in_process_rate, threaded_rate, threads, cpu_ms): (f64, f64, usize, Option<f64>),
) -> Vec<String> {
    use std::io::{BufRead, BufReader};
    let binary = std::env::current_exe().unwrap().with_file_name("archive");
    let started = Instant::now();
    let mut child = Command::new(&binary)
        .arg("--archive")
        .arg(archive)
        .arg("--index")
        .arg(index)
        .args(["serve", "--bind", "127.0.0.1:0"])
        .env("RUST_LOG", "error")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start {}: {e}", binary.display()));
    let mut first = String::new();
    BufReader::new(child.stdout.take().unwrap()).read_line(&mut first).unwrap();
    let url =
        first.split_whitespace().find(|w| w.starts_with("http://")).expect("a URL").to_string();
    let addr = url.trim_start_matches("http://").to_string();
    let ok = |path: &str| {
        use std::io::{Read, Write};
        let Ok(mut stream) = std::net::TcpStream::connect(&addr) else { return false };
        let _ = write!(stream, "GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
        let mut reply = String::new();
        let _ = stream.read_to_string(&mut reply);
        reply.starts_with("HTTP/1.1 200")
    };
    let ready = loop {
        if ok("/healthz") {
            break started.elapsed().as_secs_f64() * 1e3;
        }
        std::thread::sleep(std::time::Duration::from_millis(2));
    };
    let paths: Vec<String> = QUERIES
        .iter()
        .map(|q| {
            let q = url::form_urlencoded::byte_serialize(q.as_bytes()).collect::<String>();
            format!("/api/search?q={q}")
        })
        .collect();
    // Each query once before the load, as in process (whose first search of each query
    // is untimed): the first search of a commit also reads its facts and its stories.
    for path in &paths {
        assert!(ok(path), "GET {path} failed");
    }
    let script = std::env::temp_dir().join(format!("archive-bench-{}.lua", std::process::id()));
    let quoted: Vec<String> = paths.iter().map(|p| format!("\"{p}\"")).collect();
    std::fs::write(
        &script,
        format!("local paths = {{{}}}\nlocal i = 0\nrequest = function()\n  i = i % #paths + 1\n  return wrk.format(\"GET\", paths[i])\nend\n", quoted.join(", ")),
    )
    .unwrap();
    let wrk = |target: &str, lua: Option<&Path>| -> (f64, String, String, Option<f64>) {
        let mut cmd = Command::new("wrk");
        cmd.args([
            "-t2",
            &format!("-c{}", args.connections),
            &format!("-d{}s", args.http_seconds),
            "--latency",
        ]);
        if let Some(lua) = lua {
            cmd.arg("-s").arg(lua);
        }
        let out =
            String::from_utf8_lossy(&cmd.arg(target).output().expect("wrk").stdout).into_owned();
        let field = |prefix: &str| {
            out.lines()
                .find_map(|l| l.trim().strip_prefix(prefix).map(|v| v.trim().to_string()))
                .unwrap_or_default()
        };
        let rate = field("Requests/sec:").parse().unwrap_or(0.0);
        // "4455 requests in 10.01s, 95.31MB read"
        let requests = out.lines().find_map(|l| {
            l.trim().split_once(" requests in ").and_then(|(n, _)| n.parse::<f64>().ok())
        });
        (rate, field("50%"), field("99%"), requests)
    };
    let server = child.id().to_string();
    let cpu_before = cpu_seconds(&server);
    let (search_rate, search_p50, search_p99, requests) = wrk(&format!("{url}/"), Some(&script));
    // The server's CPU per request, and its share of the cores during the load.
    let server_cpu = match (cpu_seconds(&server), cpu_before, requests) {
        (Some(after), Some(before), Some(n)) if n > 0.0 => Some((
            (after - before) * 1e3 / n,
            (after - before) / (args.http_seconds as f64 * threads as f64),
        )),
        _ => None,
    };
    let (health_rate, health_p50, health_p99, _) = wrk(&format!("{url}/healthz"), None);
    let rss = std::fs::read_to_string(format!("/proc/{}/status", child.id()))
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmRSS:"))
                .map(|l| l.trim_start_matches("VmRSS:").trim().to_string())
        })
        .unwrap_or_else(|| "?".into());
    let _ = child.kill();
    let _ = child.wait();
    let _ = std::fs::remove_file(&script);
    vec![
        format!(
            "| HTTP, wrk -t2 -c{} -d{}s | requests/s | p50 | p99 |\n| --- | ---: | ---: | ---: |",
            args.connections, args.http_seconds
        ),
        format!(
            "| `/api/search`, the query set in turn | {search_rate:.0} | {search_p50} | {search_p99} |"
        ),
        format!("| `/healthz` | {health_rate:.0} | {health_p50} | {health_p99} |"),
        format!("| in process, one thread, the same queries | {in_process_rate:.0} | | |"),
        format!(
            "| in process, {threads} threads, the same queries | {threaded_rate:.0} | | |\n\n`/api/search` over HTTP = {:.0}% of the in-process rate on as many threads ({threads}; {:.0}% of one thread). Server RSS after the load: {rss}. Start to first answer (index built): {ready:.0} ms.\n",
            100.0 * search_rate / threaded_rate,
            100.0 * search_rate / in_process_rate
        ),
        match (cpu_ms, server_cpu) {
            (Some(own), Some((server, share))) => format!(
                "CPU per search: {own:.2} ms in process, {server:.2} ms in the server per request; the server used {:.0}% of the {threads} cores during the load (the rest: `wrk`, the kernel, idle).\n",
                100.0 * share
            ),
            _ => "CPU per search: not measured (no /proc).\n".into(),
        },
    ]
}
