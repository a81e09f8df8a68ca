//! `archive search`: the query language from the command line; `--json` prints the
//! same `SearchResults` as the HTTP API.

use std::io::Write;
use std::path::Path;
use std::process::ExitCode;

use anstyle::{AnsiColor, Style};
use archive::search::{Engine, Group, Matched, SearchRequest, SearchResults};

use crate::cli::SearchArgs;

pub fn run(index_dir: &Path, args: &SearchArgs) -> anyhow::Result<ExitCode> {
    let engine = Engine::open(index_dir)?.with_drafts(args.drafts);
    engine.verify_stores()?;
    let request = SearchRequest {
        q: args.query.join(" "),
        sort: args.sort,
        page: args.page,
        per_page: args.limit,
        exact: args.exact,
        group: if args.stories { Group::Story } else { Group::Item },
        mode: args.mode,
        ..SearchRequest::default()
    };
    let results = engine.search(&request)?;
    if args.json {
        super::print_json(&results)?;
    } else {
        print_human(&results)?;
    }
    Ok(if results.total == 0 { ExitCode::from(1) } else { ExitCode::SUCCESS })
}

fn print_human(r: &SearchResults) -> std::io::Result<()> {
    let mut out = anstream::stdout().lock();
    let dim = Style::new().dimmed();
    let bold = Style::new().bold();
    let mark = Style::new().bold().fg_color(Some(AnsiColor::Yellow.into()));
    let blue = Style::new().fg_color(Some(AnsiColor::Blue.into()));
    for w in &r.warnings {
        writeln!(out, "warning: {w}")?;
    }
    let first = (r.page - 1) * r.per_page;
    let about = if r.total_is_estimate { "about " } else { "" };
    writeln!(
        out,
        "{dim}{about}{} hit(s) for{dim:#} {} {dim}({:.1} ms){dim:#}",
        r.total,
        if r.interpreted.is_empty() { "everything" } else { &r.interpreted },
        r.took_ms
    )?;
    for (i, hit) in r.hits.iter().enumerate() {
        writeln!(out)?;
        let date = hit.date.as_deref().unwrap_or("undated");
        writeln!(
            out,
            "{:>3}. {bold}{}{bold:#} {dim}— {} · {date}{dim:#}",
            first + i + 1,
            hit.title,
            hit.entry_title
        )?;
        writeln!(out, "     {blue}{}#{}{blue:#}", super::shown(&hit.entry_id), hit.anchor)?;
        let snippet = hit
            .snippet
            .replace("<mark>", &format!("{mark}"))
            .replace("</mark>", &format!("{mark:#}"));
        writeln!(
            out,
            "     {}",
            unescape(&snippet).split_whitespace().collect::<Vec<_>>().join(" ")
        )?;
        let mut tags = vec![];
        if !hit.topics.is_empty() {
            tags.push(format!("topics: {}", hit.topics.join(", ")));
        }
        if !hit.sources.is_empty() {
            tags.push(format!("sources: {}", hit.sources.join(", ")));
        }
        if hit.matched == Matched::Meaning {
            tags.push("found by meaning".to_string());
        }
        if let Some(story) = &hit.story {
            let first = story.first_seen.as_deref().unwrap_or("undated");
            tags.push(format!(
                "story {}: {} items in {} digests, first seen {first}",
                story.id, story.items, story.entries
            ));
        }
        if !tags.is_empty() {
            writeln!(out, "     {dim}{}{dim:#}", tags.join(" · "))?;
        }
    }
    if r.total > first + r.hits.len() {
        writeln!(out, "\n{dim}more: --page {}{dim:#}", r.page + 1)?;
    }
    Ok(())
}

/// Snippets are HTML; a terminal wants the text.
fn unescape(html: &str) -> String {
    html.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&#x27;", "'")
        .replace("&amp;", "&")
}
