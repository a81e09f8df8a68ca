//! Nothing an archive had is lost: the four real archives of `../shared/datasets` and the
//! sample, parsed as a reindex parses them, against a baseline recorded in
//! `tests/baselines/NAME.tsv`. Every entry of the baseline must still be there, keep its
//! date and its title, and have at least as many items. The baseline holds hashes of ids
//! and titles, not the archives' text. After a change that improves dates or titles on
//! purpose, record it again and read the diff:
//!
//! ```sh
//! ARCHIVE_BLESS=1 cargo test --test integration datasets::
//! ```

use std::collections::HashMap;
use std::fmt::Write;
use std::path::{Path, PathBuf};

use archive::digest::{self, Taxonomy};
use xxhash_rust::xxh3::xxh3_64;

use crate::util::sample_archive;

/// What a baseline records of one entry.
#[derive(Debug, PartialEq)]
struct Seen {
    date: String,
    items: usize,
    title: u64,
}

/// Every entry of the archive at `root`: its id's hash and what it shows. Parsed with
/// the archive's taxonomy, as a reindex parses it.
fn parse(root: &Path) -> Vec<(u64, Seen, String)> {
    let taxonomy = Taxonomy::load(root).unwrap();
    let walk = digest::walk(root).unwrap();
    let mut out = vec![];
    for file in &walk.files {
        let Ok(entry) = file.parse(&taxonomy) else { continue };
        let date = entry.date.map_or_else(|| "-".to_string(), |d| d.to_string());
        let seen = Seen { date, items: entry.items.len(), title: xxh3_64(entry.title.as_bytes()) };
        out.push((xxh3_64(file.id.as_bytes()), seen, file.id.clone()));
    }
    out
}

fn baseline_path(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/baselines").join(format!("{name}.tsv"))
}

fn read_baseline(name: &str) -> HashMap<u64, Seen> {
    let path = baseline_path(name);
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("{}: {e} (record it with ARCHIVE_BLESS=1)", path.display()));
    text.lines()
        .filter(|l| !l.starts_with('#'))
        .map(|line| {
            let f: Vec<&str> = line.split('\t').collect();
            let hex = |s: &str| u64::from_str_radix(s, 16).unwrap();
            let seen = Seen { date: f[1].into(), items: f[2].parse().unwrap(), title: hex(f[3]) };
            (hex(f[0]), seen)
        })
        .collect()
}

fn write_baseline(name: &str, entries: &[(u64, Seen, String)]) {
    let mut rows: Vec<_> = entries.iter().collect();
    rows.sort_by_key(|(id, ..)| *id);
    let mut text = String::from("# id hash, date, items, title hash: see tests/datasets.rs\n");
    for (id, s, _) in rows {
        writeln!(text, "{id:016x}\t{}\t{}\t{:016x}", s.date, s.items, s.title).unwrap();
    }
    std::fs::write(baseline_path(name), text).unwrap();
}

/// Checks an archive against its baseline (or records it), and prints what it shows.
fn check(name: &str, root: &Path) {
    assert!(
        root.is_dir(),
        "the real-archive dataset is missing: expected {} (see ../shared/datasets/README.md)",
        root.display()
    );
    let entries = parse(root);
    let dated = entries.iter().filter(|(_, s, _)| s.date != "-").count();
    let titles: std::collections::HashSet<u64> = entries.iter().map(|(_, s, _)| s.title).collect();
    eprintln!(
        "{name}: {} entries, {dated} dated, {} distinct titles, {} items",
        entries.len(),
        titles.len(),
        entries.iter().map(|(_, s, _)| s.items).sum::<usize>()
    );
    if std::env::var_os("ARCHIVE_BLESS").is_some() {
        write_baseline(name, &entries);
        return;
    }
    let baseline = read_baseline(name);
    let now: HashMap<u64, (&Seen, &str)> =
        entries.iter().map(|(id, s, path)| (*id, (s, path.as_str()))).collect();
    let mut lost = vec![];
    for (id, before) in &baseline {
        match now.get(id) {
            None => lost.push(format!("{id:016x}: the entry is gone")),
            Some((s, path)) => {
                if before.date != "-" && s.date != before.date {
                    lost.push(format!("{path}: date {} -> {}", before.date, s.date));
                }
                if s.title != before.title {
                    lost.push(format!("{path}: the title changed"));
                }
                if s.items < before.items {
                    lost.push(format!("{path}: {} items -> {}", before.items, s.items));
                }
            }
        }
    }
    lost.sort();
    assert!(lost.is_empty(), "{name}: {} entries lost something:\n{}", lost.len(), lost.join("\n"));
}

fn dataset(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/datasets").join(name)
}

#[test]
fn twir_keeps_every_date_title_and_item() {
    check("twir", &dataset("twir"));
}

#[test]
fn swift_weekly_keeps_every_date_title_and_item() {
    check("swift-weekly", &dataset("swift-weekly"));
}

#[test]
fn rust_osdev_keeps_every_date_title_and_item() {
    check("rust-osdev", &dataset("rust-osdev"));
}

#[test]
fn tech_weekly_ja_keeps_every_date_title_and_item() {
    check("tech-weekly-ja", &dataset("tech-weekly-ja"));
}

#[test]
fn the_sample_keeps_every_date_title_and_item() {
    check("sample", &sample_archive());
}
