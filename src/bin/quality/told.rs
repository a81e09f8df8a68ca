//! `--told N`: how many mentions on the story pages are said again once meaning counts
//! (the same headings, other words that mean the same), and a seeded sample of this many
//! such pairs, the earlier mention and the later, to be read by hand.

use std::collections::HashSet;
use std::process::ExitCode;

use archive::index::{ReindexOptions, reindex};
use archive::search::{Engine, Hit, StoryKind};

use super::shared::Rng;

/// The mentions said again by words alone and with meaning, and a sample of `sample`
/// mentions only the meaning folds, with the mention each says again.
pub(super) fn told_report(archive: &std::path::Path, sample: usize, seed: u64) -> ExitCode {
    let dir = tempfile::tempdir().unwrap();
    reindex(archive, dir.path(), &ReindexOptions::default(), &|_, _| {}).expect("reindex");
    let engine = Engine::open(dir.path()).expect("open the index");
    let (mut mentions, mut by_words, mut by_meaning, mut stories) = (0, 0, 0, 0);
    let mut folded: Vec<(String, Hit, Hit)> = vec![];
    let mut seen = HashSet::new();
    for story in engine.stories().expect("list the stories") {
        let words = engine.story_told(&story.id, false).expect("a story").expect("listed");
        let places: Vec<_> =
            words.mentions.iter().map(|m| (m.hit.entry_id.clone(), m.hit.anchor.clone())).collect();
        // A text told again shares several bands with its repeats: one story is read once.
        if story.kind == StoryKind::Text && !seen.insert(places) {
            continue;
        }
        let meaning = engine.story_told(&story.id, true).expect("a story").expect("listed");
        stories += 1;
        mentions += words.mentions.len();
        by_words += words.mentions.iter().filter(|m| m.says_again.is_some()).count();
        by_meaning += meaning.mentions.iter().filter(|m| m.says_again.is_some()).count();
        for (w, m) in words.mentions.iter().zip(&meaning.mentions) {
            if let (None, Some(first)) = (w.says_again, m.says_again) {
                let earlier = meaning.mentions[first].hit.clone();
                folded.push((story.id.clone(), earlier, m.hit.clone()));
            }
        }
    }
    println!(
        "{}: {stories} stories, {mentions} mentions; said again: {by_words} by words, {by_meaning} with meaning (+{})",
        archive.display(),
        folded.len()
    );
    let mut rng = Rng(seed);
    println!("\n# A random sample of {sample} mentions said again only by meaning");
    for n in 1..=sample.min(folded.len()) {
        let (id, earlier, later) = folded.swap_remove(rng.below(folded.len()));
        println!("\n## {n}. story {id}, under {:?}", later.context.as_deref().unwrap_or(""));
        for hit in [&earlier, &later] {
            let text: String = hit.snippet.chars().take(200).collect();
            println!(
                "- {} · {} · {}: {}",
                hit.date.as_deref().unwrap_or("undated"),
                hit.entry_id,
                hit.title,
                text.replace('\n', " ")
            );
        }
    }
    ExitCode::SUCCESS
}
