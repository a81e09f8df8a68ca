//! `archive show ID`: one entry as the index holds it.

use std::io::Write;
use std::path::Path;
use std::process::ExitCode;

use archive::search::Engine;

use crate::cli::ShowArgs;

pub fn run(index_dir: &Path, args: &ShowArgs) -> anyhow::Result<ExitCode> {
    let engine = Engine::open(index_dir)?.with_drafts(args.drafts);
    engine.verify_stores()?;
    let id = args.id.trim_end_matches(".md").trim_end_matches(".markdown").trim_end_matches(".txt");
    let Some(entry) = engine.entry(id)? else {
        eprintln!(
            "archive: no entry with id `{id}` (ids are paths below the archive without extension)"
        );
        return Ok(ExitCode::from(1));
    };
    if args.json {
        super::print_json(&entry)?;
        return Ok(ExitCode::SUCCESS);
    }
    let mut out = anstream::stdout().lock();
    writeln!(out, "{}", entry.title)?;
    writeln!(out, "id:      {}", super::shown(&entry.id))?;
    writeln!(out, "file:    {}", super::shown(&entry.path))?;
    match (&entry.date, entry.date_source) {
        (Some(date), Some(source)) => {
            writeln!(out, "date:    {date} (from the {})", source.name().replace('_', " "))?;
        }
        (Some(date), None) => writeln!(out, "date:    {date}")?,
        (None, _) => writeln!(out, "date:    (none)")?,
    }
    if !entry.authors.is_empty() {
        writeln!(out, "authors: {}", entry.authors.join(", "))?;
    }
    if let Some(series) = &entry.series {
        writeln!(out, "series:  {series}")?;
    }
    if !entry.tags.is_empty() {
        writeln!(out, "tags:    {}", entry.tags.join(", "))?;
    }
    for (name, values) in &entry.facets {
        writeln!(out, "{name}: {}", values.join(", "))?;
    }
    for w in &entry.warnings {
        writeln!(out, "warning: {w}")?;
    }
    writeln!(out, "\n{} items:", entry.items.len())?;
    for item in &entry.items {
        writeln!(out, "\n#{}  {}", item.anchor, item.title)?;
        if let Some(context) = &item.context {
            writeln!(out, "    in:      {context}")?;
        }
        if !item.sources.is_empty() {
            writeln!(out, "    sources: {}", item.sources.join(", "))?;
        }
        if !item.topics.is_empty() {
            writeln!(out, "    topics:  {}", item.topics.join(", "))?;
        }
        for link in item.links.iter().take(5) {
            writeln!(out, "    link:    {} <{}>", link.text, link.url)?;
        }
    }
    Ok(ExitCode::SUCCESS)
}
