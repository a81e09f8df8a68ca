//! `reindex`: bring the index in step with the archive, in one commit.
//!
//! One file per phase, in the order a run takes them: [`state`] opens the index as it
//! is (or decides to build one), [`plan`] compares the walk with the file records the
//! index holds, [`apply`] reads, hashes and parses the files that moved and writes their
//! documents, [`commit`] commits (or rolls back) and tidies, and [`report`] is what the
//! run tells its caller. [`records`] reads what each commit recorded per file,
//! [`stat_cache`] remembers files that only moved, and [`writer`] opens the one writer.

mod apply;
mod commit;
mod history;
mod plan;
mod records;
mod report;
mod stat_cache;
mod state;
mod writer;

use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Instant, SystemTime, UNIX_EPOCH};

use tantivy::directory::MmapDirectory;
use tantivy::{Index, IndexWriter, TantivyDocument};

use self::apply::{Apply, read};
use self::commit::{commit_or_rollback, nothing_to_write, tidy_after_interruption};
use self::plan::plan;
use self::records::counts;
use self::report::finish;
pub use self::report::{Change, ChangeKind, ReindexOptions, ReindexSummary, Skipped};
use self::stat_cache::StatCache;
use self::state::{IndexIo, State};
pub use self::writer::{heap_per_thread, indexing_threads};
use super::IndexError;
use super::open::{OpenDirectory, open, open_in};
use super::recorder::FirstFailure;
use crate::digest::{self, Taxonomy};

/// Brings the index at `index_path` in step with the archive at `root`. `progress` is
/// called with (files done, files to do) as files are read.
pub fn reindex(
    root: &Path,
    index_path: &Path,
    options: &ReindexOptions,
    progress: &(dyn Fn(usize, usize) + Sync),
) -> Result<ReindexSummary, IndexError> {
    reindex_in(root, index_path, options, progress, &|path| {
        Ok(Box::new(MmapDirectory::open(path)?))
    })
}

/// [`reindex`], with the index's files read and written through the directory that
/// `directory` opens: the tests wrap the real one to fail writes, syncs and deletes.
///
/// The phases: load the archive (taxonomy and walk), [`State::open`] the index as it
/// is, [`plan`] what to read and remove, then either [`nothing_to_write`] when there is nothing
/// to do, or read in parallel and [`Apply`] each file, and [`commit_or_rollback`].
pub fn reindex_in(
    root: &Path,
    index_path: &Path,
    options: &ReindexOptions,
    progress: &(dyn Fn(usize, usize) + Sync),
    directory: &OpenDirectory<'_>,
) -> Result<ReindexSummary, IndexError> {
    let started = Instant::now();
    // Files modified after this are racy: see [`Apply::outcome`].
    let racy_after = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos() as i64 - 2_000_000_000);
    crate::index::folder::check(root, index_path)?;
    // A dry run writes nothing and needs no lock; a real one holds it until it returns.
    let _lock = match options.dry_run {
        true => None,
        false => Some(crate::index::folder::lock_for_run(index_path, writer::LOCK_WAIT)?),
    };
    let io = IndexIo {
        path: index_path,
        directory,
        failure: FirstFailure::default(),
        writing: Default::default(),
    };
    let taxonomy = Taxonomy::load(root).map_err(|source| IndexError::Taxonomy {
        path: root.join(digest::taxonomy::FILE_NAME),
        source,
    })?;
    let walk = digest::walk(root)
        .map_err(|source| IndexError::Archive { path: root.to_path_buf(), source })?;
    let mut summary = ReindexSummary { dry_run: options.dry_run, ..Default::default() };
    summary.skipped.extend(
        walk.problems
            .iter()
            .map(|(path, reason)| Skipped { path: path.clone(), reason: reason.clone() }),
    );
    let mut state = State::open(&io, options, &taxonomy, &mut summary)?;
    let (work, removed) = plan(&walk, &state.records, &state.cache, state.reread_all, &mut summary);
    if work.is_empty() && removed.is_empty() && state.compatible && !summary.full {
        return Ok(finish(nothing_to_write(&io, &state, options, summary)?, started));
    }
    let (history, fresh) = history::read(root, &io, &taxonomy, &mut summary).unzip();

    // Read (and parse, unless dry or unchanged) the files in parallel; results come
    // back in order of completion and are applied on this thread. The writer is opened
    // by the first entry to write: files that only moved write no document.
    let mut cache = std::mem::take(&mut state.cache);
    let mut apply = Apply {
        summary: &mut summary,
        writer: None,
        state: &state,
        cache: &mut cache,
        io: &io,
        racy_after,
        dry_run: options.dry_run,
    };
    let done = AtomicUsize::new(0);
    let read_all = digest::read_parallel(
        &work,
        |w| read(w, (&taxonomy, history.as_ref()), state.reread_all, options.dry_run),
        |i, outcome| {
            apply.outcome(&work[i], outcome)?;
            progress(done.fetch_add(1, Ordering::Relaxed) + 1, work.len());
            Ok(())
        },
    );
    let writer = apply.writer.take();
    if let Err(e) = read_all {
        // Its merges finish first: one still writing would leave files behind.
        if let Some((writer, _)) = writer {
            let _ = writer.wait_merging_threads();
        }
        return Err(after_failure(&io, e));
    }
    summary.removed = removed.len();
    summary.changes.extend(
        removed.iter().map(|id| Change { id: id.to_string(), change: ChangeKind::Removed }),
    );
    summary.skipped.sort_by(|a, b| a.path.cmp(&b.path));
    summary.warnings.sort_by(|a, b| a.path.cmp(&b.path));
    if options.dry_run {
        summary.changes.sort_by(|a, b| a.id.cmp(&b.id));
        summary.entries = (state.records.len() + summary.added - summary.removed) as u64;
    } else {
        summary.changes.clear();
        write_out(&io, &state, &cache, writer, &removed, options, &mut summary)
            .map_err(|e| after_failure(&io, e))?;
        if let Some(history) = history.as_ref().filter(|_| fresh == Some(true) && summary.committed)
        {
            history::save(history, &io, &mut summary);
        }
    }
    Ok(finish(summary, started))
}

/// After a run that failed, its writer gone: once the writer's last thread has ended,
/// removes the segment files it wrote that no commit lists (a full disk stays full until
/// they go), then returns its error.
fn after_failure(io: &IndexIo, error: IndexError) -> IndexError {
    if !io.writers_ended(std::time::Duration::from_secs(60)) {
        tracing::warn!(index = %io.path.display(), "the failed run's writer is still writing: its files are removed by the next run");
    }
    if let Ok(Some(index)) = open_in(io.path, io.directory) {
        commit::collect_garbage(&index, io.path);
    }
    error
}

/// The end of a run that read files: commit what was written (or roll it back), or,
/// when the files only moved, commit nothing; then remember the files that only moved.
fn write_out(
    io: &IndexIo,
    state: &State,
    cache: &StatCache,
    writer: Option<(IndexWriter<TantivyDocument>, Index)>,
    removed: &[String],
    options: &ReindexOptions,
    summary: &mut ReindexSummary,
) -> Result<(), IndexError> {
    let (writer, index) = match (writer, &state.existing) {
        (Some(writer), _) => writer,
        // Only files whose content is unchanged: remember them, write nothing.
        (None, Some(index)) if removed.is_empty() && state.compatible && !state.empty_first => {
            let refused = options.strict && !summary.skipped.is_empty();
            if !refused {
                cache.save(io, &state.records, summary);
                tidy_after_interruption(io, index, state, summary)?;
            }
            summary.committed = !refused;
            let counts = counts(index, &state.fields).map_err(|e| io.error(e))?;
            (summary.entries, summary.items, summary.drafts) =
                (counts.entries, counts.items, counts.drafts);
            return Ok(());
        }
        (None, _) => state.writer(io)?,
    };
    commit_or_rollback(io, writer, &index, state, removed, options, summary)?;
    if summary.committed {
        cache.save(io, &state.records, summary);
    }
    Ok(())
}

/// Whether the index at `path` is missing, or out of step with the archive at `root`
/// (a dry run finds something to change).
pub fn needs_reindex(root: &Path, path: &Path) -> Result<bool, IndexError> {
    if open(path).is_err() {
        return Ok(true);
    }
    let summary =
        reindex(root, path, &ReindexOptions { dry_run: true, ..Default::default() }, &|_, _| {})?;
    Ok(summary.added + summary.updated + summary.removed > 0 || summary.full)
}
