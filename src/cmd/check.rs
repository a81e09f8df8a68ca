//! `archive check`: parse the whole archive without touching the index and list every
//! problem per file; exit 1 when there are errors (warnings alone exit 0).

use std::io::Write;
use std::path::Path;
use std::process::ExitCode;

use anyhow::Context;
use archive::digest::{self, Entry, Taxonomy};
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
    errors: usize,
    warnings: usize,
    problems: Vec<Problem>,
}

pub fn run(archive: &Path, args: &CheckArgs) -> anyhow::Result<ExitCode> {
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
    let (mut entries, mut items) = (0, 0);
    for file in &walk.files {
        match file.read_bytes().and_then(|b| Entry::from_bytes(&file.id, &b, &taxonomy)) {
            Ok(entry) => {
                entries += 1;
                items += entry.items.len();
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
    }
    problems.sort_by(|a, b| a.path.cmp(&b.path));
    let errors = problems.iter().filter(|p| p.severity == "error").count();
    let report = Report {
        files: walk.files.len(),
        entries,
        items,
        errors,
        warnings: problems.len() - errors,
        problems,
    };
    if args.json {
        super::print_json(&report)?;
    } else {
        let mut out = std::io::stdout().lock();
        for p in &report.problems {
            writeln!(out, "{}: {}: {}", p.path, p.severity, p.message)?;
        }
        writeln!(
            out,
            "{} files, {} entries, {} items: {} error(s), {} warning(s)",
            report.files, report.entries, report.items, report.errors, report.warnings
        )?;
    }
    Ok(if errors > 0 { ExitCode::from(1) } else { ExitCode::SUCCESS })
}
