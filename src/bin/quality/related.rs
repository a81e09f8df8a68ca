//! `--related N`: how often an entry's related entries, found by each way alone (topics
//! and sources, meaning, both fused), cite a story the entry cites. A shared story is
//! the one relatedness the archive itself states, and neither of those ways sees links:
//! the share measures them without a judge.

use std::collections::{BTreeMap, BTreeSet};
use std::process::ExitCode;

use archive::index::{ReindexOptions, reindex};
use archive::search::{Engine, RelatedBy};

use super::shared::Rng;

/// Related entries listed on an entry's page.
const LISTED: usize = 5;

/// The share of related entries, among the first [`LISTED`], that share a story with a
/// seeded sample of `sample` entries (those sharing one with any other), by each way.
pub(super) fn related_report(archive: &std::path::Path, sample: usize, seed: u64) -> ExitCode {
    let dir = tempfile::tempdir().unwrap();
    reindex(archive, dir.path(), &ReindexOptions::default(), &|_, _| {}).expect("reindex");
    let engine = Engine::open(dir.path()).expect("open the index");
    // Each entry's partners: the other entries citing one of its stories.
    let mut partners: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for story in engine.stories().expect("list the stories") {
        let view = engine.story(&story.id).expect("a story").expect("listed");
        let entries: BTreeSet<String> = view.mentions.into_iter().map(|m| m.hit.entry_id).collect();
        for id in &entries {
            let others = entries.iter().filter(|other| *other != id).cloned();
            partners.entry(id.clone()).or_default().extend(others);
        }
    }
    let total = engine.health().expect("health").entries;
    let mut pool: Vec<&String> = partners.keys().collect();
    let base: f64 = partners.values().map(|p| p.len() as f64).sum::<f64>()
        / (partners.len().max(1) as f64 * total.saturating_sub(1).max(1) as f64);
    let ways = [
        ("topics and sources", RelatedBy { stories: false, facets: true, meaning: false }),
        ("meaning", RelatedBy { stories: false, facets: false, meaning: true }),
        ("both, fused", RelatedBy { stories: false, facets: true, meaning: true }),
    ];
    let mut shared = [0usize; 3];
    let mut listed = [0usize; 3];
    let mut any = [0usize; 3];
    let mut rng = Rng(seed);
    let drawn = sample.min(pool.len());
    for _ in 0..drawn {
        let id = pool.swap_remove(rng.below(pool.len()));
        let entry = engine.entry(id).expect("an entry").expect("listed");
        for (w, (_, by)) in ways.iter().enumerate() {
            let related = engine.related_by(&entry, LISTED, *by).expect("related entries");
            let hits = related.iter().filter(|link| partners[id].contains(&link.id)).count();
            shared[w] += hits;
            listed[w] += related.len();
            any[w] += usize::from(hits > 0);
        }
    }
    println!(
        "{}: {} of {total} entries share a story with another; {drawn} drawn (seed {seed}); \
         a random entry shares one with {:.1}% of the others",
        archive.display(),
        partners.len(),
        100.0 * base
    );
    println!(
        "| found by | related entries sharing a story | entries with one among the first {LISTED} |"
    );
    println!("|---|---:|---:|");
    for (w, (name, _)) in ways.iter().enumerate() {
        println!(
            "| {name} | {:.1}% of {} | {:.1}% |",
            100.0 * shared[w] as f64 / listed[w].max(1) as f64,
            listed[w],
            100.0 * any[w] as f64 / drawn.max(1) as f64,
        );
    }
    ExitCode::SUCCESS
}
