//! `archive story ID`: every mention of one story, oldest first.

use std::io::Write;
use std::path::Path;
use std::process::ExitCode;

use archive::search::Engine;

use crate::cli::StoryArgs;

pub fn run(index_dir: &Path, args: &StoryArgs) -> anyhow::Result<ExitCode> {
    let engine = Engine::open(index_dir)?.with_drafts(args.drafts);
    engine.verify_stores()?;
    let Some(view) = engine.story(&args.id)? else {
        eprintln!("archive: no story with id `{}` (ids come with search hits: story.id)", args.id);
        return Ok(ExitCode::from(1));
    };
    if args.json {
        super::print_json(&view)?;
        return Ok(ExitCode::SUCCESS);
    }
    let story = &view.story;
    let mut out = anstream::stdout().lock();
    writeln!(
        out,
        "{} item(s) in {} digest(s) saying {} different thing(s), first seen {}, last seen {}",
        story.items,
        story.entries,
        view.versions,
        story.first_seen.as_deref().unwrap_or("(undated)"),
        story.last_seen.as_deref().unwrap_or("(undated)")
    )?;
    for (hit, again) in view.mentions.iter().map(|m| (&m.hit, m.says_again)) {
        writeln!(
            out,
            "\n{}  {} — {}",
            hit.date.as_deref().unwrap_or("undated"),
            hit.title,
            hit.entry_title
        )?;
        writeln!(out, "    {}#{}", super::shown(&hit.entry_id), hit.anchor)?;
        if let Some(earlier) = again.and_then(|i| view.mentions.get(i)) {
            let on = earlier.hit.date.as_deref().unwrap_or("undated");
            writeln!(out, "    says again what the mention of {on} said")?;
        }
    }
    Ok(ExitCode::SUCCESS)
}
