//! Crashes and growth: `archive reindex` killed with SIGKILL at random moments leaves an
//! index that answers with the previous state or the new one, never a mix, and the next
//! reindex converges to what a fresh `--full` build gives; many incremental reindexes
//! leave an index no bigger than 1.5x a fresh build.

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::util::{Sandbox, hit_ids, text};

/// Queries whose answers tell the two states of the archive apart.
const QUERIES: [&str; 6] = [
    "killmarker",
    "nimbusprobe",
    "velvetlattice",
    "benchmark",
    "topic:inference",
    "agents -memory",
];

/// A small, seeded generator for the kill moments (no dependency needed for this).
struct Lcg(u64);

impl Lcg {
    fn below(&mut self, n: u64) -> u64 {
        self.0 = self.0.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        (self.0 >> 33) % n
    }
}

/// A generated archive of `digests` digests (the benchmark's generator).
fn generated(digests: usize) -> Sandbox {
    let s = Sandbox::empty();
    let dir = s.archive.parent().unwrap().join("generated");
    let out = Command::new(env!("CARGO_BIN_EXE_bench"))
        .args(["--digests", &digests.to_string(), "--generate-only", "--dir"])
        .arg(&dir)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
    std::fs::remove_dir(&s.archive).unwrap();
    std::fs::rename(dir.join("archive"), &s.archive).unwrap();
    s
}

/// Every query's total, and the set of entries hit when all hits fit in one answer
/// (the order of equal scores may differ: deleted documents still count in the
/// statistics until merged away).
fn answers(s: &Sandbox) -> Vec<(u64, Vec<String>)> {
    QUERIES
        .iter()
        .map(|q| {
            let v: Value = s.search(q);
            let total = v["total"].as_u64().unwrap();
            let mut ids = if total <= 100 { hit_ids(&v) } else { vec![] };
            ids.sort();
            (total, ids)
        })
        .collect()
}

fn markdown_files(root: &Path) -> Vec<std::path::PathBuf> {
    let mut files: Vec<_> = walkdir::WalkDir::new(root)
        .into_iter()
        .filter_map(Result::ok)
        .map(|e| e.into_path())
        .filter(|p| p.extension().is_some_and(|e| e == "md"))
        .collect();
    files.sort();
    files
}

/// The index's files with their sizes, one per line: what a size check shows when it fails.
fn listing(dir: &Path) -> String {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap())
        .map(|e| format!("{} {}", e.file_name().to_string_lossy(), e.metadata().unwrap().len()))
        .collect();
    names.sort();
    names.join("\n")
}

fn dir_size(path: &Path) -> u64 {
    std::fs::read_dir(path).unwrap().map(|e| e.unwrap().metadata().unwrap().len()).sum()
}

/// Switches the archive between two states that differ in about a third of its files:
/// state B has a marker line in every third file, a tenth of the files moved away, and
/// as many new ones.
fn switch(s: &Sandbox, to_b: bool) {
    let stash = s.archive.parent().unwrap().join("stash");
    std::fs::create_dir_all(&stash).unwrap();
    if to_b {
        for (i, path) in markdown_files(&s.archive).into_iter().enumerate() {
            if i % 3 == 0 {
                let mut text = std::fs::read_to_string(&path).unwrap();
                text.push_str("\n\nkillmarker: this entry was edited.\n");
                std::fs::write(&path, text).unwrap();
            } else if i % 10 == 1 {
                let name =
                    path.strip_prefix(&s.archive).unwrap().to_string_lossy().replace('/', "__");
                std::fs::rename(&path, stash.join(name)).unwrap();
            }
        }
        for i in 0..100 {
            s.write(
                &format!("added/{i}.md"),
                format!("# Added {i}\n\nDate: 2026-05-{:02}\n\n## killmarker and nimbusprobe {i}\n\nNew text about agents.\n", i % 28 + 1),
            );
        }
    } else {
        for path in markdown_files(&s.archive) {
            let text = std::fs::read_to_string(&path).unwrap();
            if let Some(original) = text.strip_suffix("\n\nkillmarker: this entry was edited.\n") {
                std::fs::write(&path, original).unwrap();
            }
        }
        std::fs::remove_dir_all(s.archive.join("added")).unwrap();
        for f in std::fs::read_dir(&stash).unwrap() {
            let f = f.unwrap();
            let rel = f.file_name().to_string_lossy().replace("__", "/");
            std::fs::rename(f.path(), s.archive.join(rel)).unwrap();
        }
    }
}

#[test]
fn a_reindex_killed_at_random_moments_leaves_the_old_or_the_new_state_and_converges() {
    let kills: u64 = std::env::var("ARCHIVE_KILLS").ok().and_then(|v| v.parse().ok()).unwrap_or(20);
    let s = generated(1500);
    s.reindex();
    let state_a = answers(&s);
    switch(&s, true);
    let started = Instant::now();
    s.reindex();
    let window = started.elapsed();
    let state_b = answers(&s);
    assert_ne!(state_a, state_b);

    let mut rng = Lcg(20261126);
    let (mut old, mut new) = (0, 0);
    let mut in_b = true;
    for round in 0..kills {
        in_b = !in_b;
        switch(&s, in_b);
        let mut child =
            s.command().arg("reindex").stdout(Stdio::null()).stderr(Stdio::null()).spawn().unwrap();
        let at = Duration::from_millis(rng.below(window.as_millis() as u64 * 12 / 10 + 1));
        std::thread::sleep(at);
        child.kill().unwrap(); // SIGKILL
        child.wait().unwrap();

        let now = answers(&s);
        let (before, after) = if in_b { (&state_a, &state_b) } else { (&state_b, &state_a) };
        if &now == before {
            old += 1;
        } else if &now == after {
            new += 1;
        } else {
            panic!("round {round}, killed after {at:?}: neither state: {now:?}");
        }
    }
    println!("{kills} kills: {old} left the previous state, {new} the new one");

    // The next reindex converges to a fresh full build.
    let converged = s.reindex();
    let fresh = Sandbox::over(&s.archive);
    let built = fresh.reindex();
    assert_eq!(answers(&s), answers(&fresh));
    assert_eq!(converged["entries"], built["entries"]);
    assert_eq!(converged["items"], built["items"]);
    assert_eq!(answers(&s), if in_b { state_b } else { state_a });
    // Whatever the killed runs wrote and never committed has been collected.
    let (kept, clean) = (dir_size(&s.index), dir_size(&fresh.index));
    assert!(
        kept * 2 <= clean * 3,
        "index {kept} bytes after the kills, a fresh build {clean}\n{}\n{}\n{converged}",
        listing(&s.index),
        std::fs::read_to_string(s.index.join("meta.json")).unwrap()
    );
}

#[test]
fn a_hundred_incremental_reindexes_keep_the_index_near_the_size_of_a_fresh_build() {
    let s = Sandbox::sample();
    s.reindex();
    let files = markdown_files(&s.archive);
    for round in 0..100 {
        // Edit three files, add one and remove an older addition.
        for path in files.iter().skip(round % 30).take(3) {
            let mut text = std::fs::read_to_string(path).unwrap();
            text.push_str(&format!("\n\nRevision {round}.\n"));
            std::fs::write(path, text).unwrap();
        }
        s.write(
            &format!("extra/{round}.md"),
            format!("# Extra {round}\n\nDate: 2026-06-01\n\nText {round}.\n"),
        );
        if round >= 5 {
            s.remove(&format!("extra/{}.md", round - 5));
        }
        let summary = s.reindex();
        assert!(summary["updated"].as_u64().unwrap() >= 3, "{summary}");
    }
    let fresh = Sandbox::over(&s.archive);
    fresh.reindex();
    assert_eq!(answers_of(&s), answers_of(&fresh));
    let (kept, clean) = (dir_size(&s.index), dir_size(&fresh.index));
    println!("after 100 reindexes: {kept} bytes; a fresh build: {clean} bytes");
    assert!(
        kept * 2 <= clean * 3,
        "index {kept} bytes after 100 reindexes, a fresh build {clean}\n{}\n{}",
        listing(&s.index),
        std::fs::read_to_string(s.index.join("meta.json")).unwrap()
    );
}

/// Segment files that no commit lists (a merge's output left on disk, a copy) are
/// removed by the next reindex, even one with nothing to index; the index answers as
/// before.
#[test]
fn segment_files_no_commit_lists_are_removed_by_the_next_reindex() {
    let s = Sandbox::sample();
    s.reindex();
    let before = answers_of(&s);
    let stray = "0123456789abcdef0123456789abcdef";
    let mut planted = vec![];
    for entry in std::fs::read_dir(&s.index).unwrap().flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        if let Some(ext) = name
            .strip_suffix(".store")
            .map(|_| "store")
            .or_else(|| name.strip_suffix(".term").map(|_| "term"))
        {
            let to = s.index.join(format!("{stray}.{ext}"));
            std::fs::copy(entry.path(), &to).unwrap();
            planted.push(to);
        }
    }
    assert!(!planted.is_empty(), "{}", listing(&s.index));
    let summary = s.reindex();
    assert!(summary["notes"].to_string().contains("tidied up"), "{summary}");
    for path in &planted {
        assert!(!path.exists(), "{} is still there:\n{}", path.display(), listing(&s.index));
    }
    assert_eq!(answers_of(&s), before);
}

fn answers_of(s: &Sandbox) -> Vec<u64> {
    ["revision", "extra", "agents", "topic:agents"]
        .iter()
        .map(|q| s.search(q)["total"].as_u64().unwrap())
        .collect()
}
