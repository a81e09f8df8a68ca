//! `archive reindex`: sync the index with the archive, with a progress bar on a terminal
//! and a one-line summary.

use std::io::{IsTerminal, Write};
use std::path::Path;
use std::process::ExitCode;

use anyhow::Context;
use archive::index::{self, ChangeKind, ReindexOptions, ReindexSummary};
use indicatif::{ProgressBar, ProgressStyle};

use crate::cli::ReindexArgs;

pub fn run(archive: &Path, index_dir: &Path, args: &ReindexArgs) -> anyhow::Result<ExitCode> {
    let options = ReindexOptions { full: args.full, dry_run: args.dry_run, strict: args.strict };
    let bar = ProgressBar::hidden();
    if std::io::stderr().is_terminal() && !args.json {
        bar.set_draw_target(indicatif::ProgressDrawTarget::stderr());
        bar.set_style(
            ProgressStyle::with_template("{spinner} reading {pos}/{len} files {wide_bar} {eta}")
                .expect("valid template"),
        );
    }
    let progress = |done: usize, total: usize| {
        bar.set_length(total as u64);
        bar.set_position(done as u64);
    };
    let summary = index::reindex(archive, index_dir, &options, &progress).with_context(|| {
        format!("reindex of {} into {}", archive.display(), index_dir.display())
    })?;
    bar.finish_and_clear();

    if args.json {
        super::print_json(&summary)?;
    } else {
        print_human(&summary)?;
    }
    let problems = summary.skipped.len() + summary.warnings.len();
    if args.strict && problems > 0 {
        eprintln!("archive: {problems} problem(s) and --strict is set: nothing was changed");
        return Ok(ExitCode::from(1));
    }
    Ok(ExitCode::SUCCESS)
}

fn print_human(s: &ReindexSummary) -> std::io::Result<()> {
    let mut out = std::io::stdout().lock();
    for note in &s.notes {
        eprintln!("note: {note}");
    }
    for change in &s.changes {
        let verb = match change.change {
            ChangeKind::Added => "add",
            ChangeKind::Updated => "update",
            ChangeKind::Removed => "remove",
        };
        writeln!(out, "would {verb} {}", super::shown(&change.id))?;
    }
    for skipped in &s.skipped {
        eprintln!("skipped {}: {}", super::shown(&skipped.path), super::shown(&skipped.reason));
    }
    for warning in &s.warnings {
        eprintln!("warning: {}: {}", super::shown(&warning.path), super::shown(&warning.reason));
    }
    let prefix = if s.dry_run { "dry run: would make " } else { "" };
    let drafts = if s.drafts > 0 { format!(" ({} drafts)", s.drafts) } else { String::new() };
    writeln!(
        out,
        "{prefix}{} added, {} updated, {} removed, {} unchanged; {} entries{drafts}, {} items; {} skipped, {} warnings; {:.2} s, {:.1} MB/s",
        s.added,
        s.updated,
        s.removed,
        s.unchanged,
        s.entries,
        s.items,
        s.skipped.len(),
        s.warnings.len(),
        s.seconds,
        s.mb_per_s
    )
}
