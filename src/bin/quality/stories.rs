//! `--stories N`: every story of an archive, and a seeded sample of them with every
//! mention, to be read by hand.

use std::collections::HashSet;
use std::process::ExitCode;

use archive::index::{ReindexOptions, reindex};
use archive::search::{Engine, StoryKind};

use super::shared::Rng;

/// The story counts, and a sample of stories with their mentions to check by hand.
pub(super) fn story_report(archive: &std::path::Path, sample: usize, seed: u64) -> ExitCode {
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
