//! `--stories N`: every story of an archive, a seeded sample of them with every
//! mention, and the stories that ran longest on its largest topic and source pages (what
//! a reader sees first), to be read by hand.

use std::collections::HashSet;
use std::process::ExitCode;

use archive::index::{ReindexOptions, reindex};
use archive::search::{Engine, Facet, StoryKind, StoryLine, TrendOf};

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
            view.mentions.into_iter().map(|m| (m.hit.entry_id, m.hit.anchor)).collect();
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
    println!("\n# A random sample of {sample}");
    for n in 1..=sample.min(pool.len()) {
        let story = pool.swap_remove(rng.below(pool.len()));
        print_story(&engine, n, &story);
    }
    let longest = longest_on_trend_pages(&engine);
    println!(
        "\n# The {} longest on the {PAGES} largest topic and {PAGES} largest source pages",
        longest.len()
    );
    for (n, story) in longest.iter().enumerate() {
        print_story(&engine, n + 1, story);
    }
    ExitCode::SUCCESS
}

/// Topic and source pages whose stories are read.
const PAGES: usize = 20;
/// The longest stories read from them.
const LONGEST: usize = 25;

/// The stories that ran longest across the trend pages of the largest topics and
/// sources: each page's own list, merged, as each page ranks them.
fn longest_on_trend_pages(engine: &Engine) -> Vec<archive::search::Story> {
    let mut lines = vec![];
    for (facet, of) in [(Facet::Topics, TrendOf::Topic), (Facet::Sources, TrendOf::Source)] {
        for value in engine.facet_values(facet).expect("facet values").into_iter().take(PAGES) {
            if let Some(trend) = engine.trend(of, &value.value).expect("a trend") {
                lines.extend(trend.stories);
            }
        }
    }
    // As each page ranks them: the stories whose mentions say different things first.
    let key = |l: &StoryLine| (l.versions > 1, l.days, l.story.entries);
    lines.sort_by(|a, b| (key(b), &a.story.id).cmp(&(key(a), &b.story.id)));
    let mut seen = HashSet::new();
    lines.retain(|l| seen.insert(l.story.id.clone()));
    lines.into_iter().take(LONGEST).map(|l| l.story).collect()
}

/// One story with its mentions (the first ten), for reading by hand.
fn print_story(engine: &Engine, n: usize, story: &archive::search::Story) {
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
    if let Some(key) = shared_key(engine, story) {
        println!("  cites: {key}");
    }
    for m in view.mentions.iter().take(10).map(|m| &m.hit) {
        let text: String = m.snippet.chars().take(220).collect();
        println!(
            "- {} · {} · {}: {}",
            m.date.as_deref().unwrap_or("undated"),
            m.entry_id,
            m.title,
            text.replace('\n', " ")
        );
    }
    if view.mentions.len() > 10 {
        println!("- ... and {} more", view.mentions.len() - 10);
    }
}

/// The link key a link story's first mention cites under the story's id (what its
/// mentions share), for judging it by hand.
fn shared_key(engine: &Engine, story: &archive::search::Story) -> Option<String> {
    use archive::digest::stories::{StoryId, key};
    let id: StoryId = story.id.parse().ok()?;
    let view = engine.story(&story.id).ok()??;
    let first = &view.mentions.first()?.hit;
    let entry = engine.entry(&first.entry_id).ok()??;
    let item = entry.items.iter().find(|i| i.anchor == first.anchor)?;
    item.links.iter().filter_map(|l| key(&l.url)).find(|k| StoryId::of_key(k) == id)
}
