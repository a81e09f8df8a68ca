//! `archive check`: parse the whole archive and list every problem per file, then check
//! every file of the index against its checksum; exit 1 when there are errors (warnings
//! alone exit 0). Nothing is changed.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::Path;
use std::process::ExitCode;

use anyhow::Context;
use archive::digest::{self, Taxonomy};
use archive::index::{self, IndexError};
use serde::Serialize;

use crate::cli::CheckArgs;

#[derive(Serialize)]
struct Problem {
    path: String,
    severity: &'static str,
    message: String,
}

#[derive(Serialize)]
struct Report {
    files: usize,
    entries: usize,
    items: usize,
    drafts: usize,
    errors: usize,
    warnings: usize,
    problems: Vec<Problem>,
    /// How many entries were dated by each rule (`front_matter`, `heading`, `file_name`,
    /// `folder`, `signature`), and how many are `undated`.
    dates: BTreeMap<String, usize>,
    /// Titles that more than one entry has, with those entries: a reader cannot tell them
    /// apart in results.
    shared_titles: Vec<SharedTitle>,
    index: IndexCheck,
}

#[derive(Serialize)]
struct SharedTitle {
    title: String,
    entries: Vec<String>,
}

/// What the index check found.
#[derive(Serialize)]
struct IndexCheck {
    /// `ok`, `missing`, `stale` or `damaged`.
    status: &'static str,
    /// Segment files whose checksums were checked.
    files: usize,
    /// Their size.
    bytes: u64,
    /// The problem, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    message: Option<String>,
}

fn check_index(path: &Path) -> IndexCheck {
    let result = index::open(path).and_then(|handle| index::verify(&handle.index, path));
    let (status, report, message) = match result {
        Ok(report) => ("ok", report, None),
        Err(e) => {
            let status = match e {
                IndexError::Missing(_) => "missing",
                IndexError::Stale(_) => "stale",
                _ => "damaged",
            };
            (status, Default::default(), Some(e.to_string()))
        }
    };
    IndexCheck { status, files: report.files, bytes: report.bytes, message }
}

pub fn run(archive: &Path, index_dir: &Path, args: &CheckArgs) -> anyhow::Result<ExitCode> {
    let mut problems = vec![];
    let taxonomy = match Taxonomy::load(archive) {
        Ok(t) => t,
        Err(e) => {
            problems.push(Problem {
                path: digest::taxonomy::FILE_NAME.into(),
                severity: "error",
                message: e.to_string(),
            });
            Taxonomy::builtin()
        }
    };
    let walk = digest::walk(archive)
        .with_context(|| format!("cannot read the archive at {}", archive.display()))?;
    for (path, reason) in walk.problems {
        problems.push(Problem { path, severity: "error", message: reason });
    }
    let history = match taxonomy.dates.git {
        true => digest::History::read(archive, None).unwrap_or_else(|e| {
            problems.push(Problem { path: ".git".into(), severity: "warning", message: e });
            None
        }),
        false => None,
    };
    let (mut entries, mut items, mut drafts) = (0, 0, 0);
    let mut dates: BTreeMap<String, usize> = BTreeMap::new();
    let mut titles: BTreeMap<String, Vec<String>> = BTreeMap::new();
    digest::read_parallel(
        &walk.files,
        |file| {
            let mut entry = file.parse(&taxonomy)?;
            if let Some(history) = &history {
                entry.date_from_history(history, &file.rel);
            }
            Ok::<_, digest::ParseError>(entry)
        },
        |i, parsed| {
            let file = &walk.files[i];
            match parsed {
                Ok(entry) => {
                    entries += 1;
                    items += entry.items.len();
                    drafts += usize::from(entry.draft);
                    let source = entry.date_source.map_or("undated", |s| s.name());
                    *dates.entry(source.to_string()).or_default() += 1;
                    titles.entry(entry.title.clone()).or_default().push(entry.id.clone());
                    for w in entry.warnings {
                        problems.push(Problem {
                            path: file.rel.clone(),
                            severity: "warning",
                            message: w,
                        });
                    }
                }
                Err(e) => problems.push(Problem {
                    path: file.rel.clone(),
                    severity: "error",
                    message: e.to_string(),
                }),
            }
            Ok::<_, std::convert::Infallible>(())
        },
    )?;
    problems.sort_by(|a, b| a.path.cmp(&b.path));
    let mut shared_titles: Vec<SharedTitle> = titles
        .into_iter()
        .filter(|(_, ids)| ids.len() > 1)
        .map(|(title, mut entries)| {
            entries.sort();
            SharedTitle { title, entries }
        })
        .collect();
    shared_titles.sort_by_key(|s| std::cmp::Reverse(s.entries.len()));
    let index = check_index(index_dir);
    let file_errors = problems.iter().filter(|p| p.severity == "error").count();
    let report = Report {
        files: walk.files.len(),
        entries,
        items,
        drafts,
        errors: file_errors + usize::from(index.status == "damaged"),
        warnings: problems.len() - file_errors,
        problems,
        dates,
        shared_titles,
        index,
    };
    if args.json {
        super::print_json(&report)?
    } else {
        print_text(&report)?
    }
    Ok(if report.errors > 0 { ExitCode::from(1) } else { ExitCode::SUCCESS })
}

/// The report for people: a line per problem, then the totals and the index's state.
fn print_text(report: &Report) -> std::io::Result<()> {
    let mut out = std::io::stdout().lock();
    for p in &report.problems {
        writeln!(out, "{}: {}: {}", super::shown(&p.path), p.severity, super::shown(&p.message))?;
    }
    let drafts =
        if report.drafts > 0 { format!(" ({} drafts)", report.drafts) } else { String::new() };
    writeln!(
        out,
        "{} files, {} entries{drafts}, {} items: {} error(s), {} warning(s)",
        report.files, report.entries, report.items, report.errors, report.warnings
    )?;
    let dates: Vec<String> =
        report.dates.iter().map(|(rule, n)| format!("{n} {}", rule.replace('_', " "))).collect();
    writeln!(out, "dates: {}", dates.join(", "))?;
    if !report.shared_titles.is_empty() {
        writeln!(out, "{} title(s) shared by more than one entry:", report.shared_titles.len())?;
        for shared in report.shared_titles.iter().take(10) {
            let more = shared.entries.len().saturating_sub(3);
            let listed = shared.entries.iter().take(3).cloned().collect::<Vec<_>>().join(", ");
            let more = if more > 0 { format!(" and {more} more") } else { String::new() };
            writeln!(out, "  {:?}: {listed}{more}", shared.title)?;
        }
    }
    match &report.index.message {
        Some(message) => writeln!(out, "index: {}: {message}", report.index.status),
        None => writeln!(
            out,
            "index: ok ({} files, {:.1} MB, checksums match)",
            report.index.files,
            report.index.bytes as f64 / 1e6
        ),
    }
}
