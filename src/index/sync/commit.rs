//! The end of a run: commit (or roll back), let merges finish, and remove the files
//! that merges and interrupted runs left behind.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use tantivy::{Index, IndexWriter, TantivyDocument, Term};

use super::records::counts;
use super::report::{ReindexOptions, ReindexSummary};
use super::state::{IndexIo, State};
use super::writer;
use crate::index::IndexError;
use crate::index::open::Payload;

/// An empty commit when a killed run left files behind (or a merge its deletions call
/// for): collects them and lets merges run.
pub(super) fn tidy_after_interruption(
    io: &IndexIo,
    index: &Index,
    state: &State,
    summary: &mut ReindexSummary,
) -> Result<(), IndexError> {
    if untidy(index, io.path) {
        commit(writer::open(index, io.path)?, index, io.path, &state.payload)
            .map_err(|e| io.error(e))?;
        summary.notes.push("tidied up after an interrupted reindex".into());
    }
    Ok(())
}

/// Nothing to read or remove: the index (and its writer lock) is left alone, unless a
/// killed run left files behind to collect.
pub(super) fn nothing_to_write(
    io: &IndexIo,
    state: &State,
    options: &ReindexOptions,
    mut summary: ReindexSummary,
) -> Result<ReindexSummary, IndexError> {
    if let Some(index) = state.existing.as_ref().filter(|_| !options.dry_run) {
        tidy_after_interruption(io, index, state, &mut summary)?;
    }
    summary.entries = state.records.len() as u64;
    if let Some(index) = &state.existing {
        let counts = counts(index, &state.fields).map_err(|e| io.error(e))?;
        (summary.items, summary.drafts) = (counts.items, counts.drafts);
    }
    summary.committed = !options.dry_run;
    Ok(summary)
}

/// Deletes the removed entries and commits; or, with `--strict` and problems, rolls
/// everything back.
pub(super) fn commit_or_rollback(
    io: &IndexIo,
    mut writer: IndexWriter<TantivyDocument>,
    index: &Index,
    state: &State,
    removed: &[String],
    options: &ReindexOptions,
    summary: &mut ReindexSummary,
) -> Result<(), IndexError> {
    for id in removed {
        writer.delete_term(Term::from_field_text(state.fields.entry_id, id));
    }
    if options.strict && (!summary.skipped.is_empty() || !summary.warnings.is_empty()) {
        writer.rollback().map_err(|e| io.error(e))?;
        return Ok(());
    }
    commit(writer, index, io.path, &state.payload).map_err(|e| io.error(e))?;
    summary.committed = true;
    let counts = counts(index, &state.fields).map_err(|e| io.error(e))?;
    (summary.entries, summary.items, summary.drafts) =
        (counts.entries, counts.items, counts.drafts);
    Ok(())
}

/// Rewrite a segment once this share of it is deleted documents (edits and removals),
/// so the index stays near the size of a fresh build.
pub(super) const DELETED_RATIO_BEFORE_MERGE: f32 = 0.25;

/// Commits with the payload, then lets merges finish and deletes the files they replaced.
pub(super) fn commit(
    mut writer: IndexWriter<TantivyDocument>,
    index: &Index,
    path: &Path,
    payload: &Payload,
) -> tantivy::Result<()> {
    let committed = prepare_and_commit(&mut writer, payload);
    if committed.is_ok() {
        expunge_deletes(&mut writer, index);
    }
    // Committed or not, merges finish before the writer goes: one still writing after a
    // failure would leave its files behind the cleanup.
    let merged = writer.wait_merging_threads();
    committed?;
    merged?;
    collect_garbage(index, path);
    Ok(())
}

fn prepare_and_commit(
    writer: &mut IndexWriter<TantivyDocument>,
    payload: &Payload,
) -> tantivy::Result<()> {
    let mut prepared = writer.prepare_commit()?;
    prepared.set_payload(&serde_json::to_string(payload).expect("serializable"));
    prepared.commit()?;
    Ok(())
}

/// Rewrites the committed segments that are mostly deleted documents. The merge policy
/// does this after a commit too, but not for segments that a killed run left with
/// deletions and that no later commit touches.
pub(super) fn expunge_deletes(writer: &mut IndexWriter<TantivyDocument>, index: &Index) {
    let Ok(metas) = index.searchable_segment_metas() else { return };
    let over: Vec<_> = metas.iter().filter(|m| too_deleted(m)).map(|m| m.id()).collect();
    if !over.is_empty() {
        // A segment already being merged is rewritten by that merge: a refusal is fine.
        let _ = writer.merge(&over).wait();
    }
}

/// Deletes the files that merges replaced (a commit collects only what it replaced
/// itself), and then any segment file the last commit does not list: once, in CI, a
/// merge's output stayed on disk after Tantivy's collection. Skipped when another writer
/// has the lock: it collects them.
pub(super) fn collect_garbage(index: &Index, path: &Path) {
    if let Ok(writer) = index.writer_with_num_threads::<TantivyDocument>(1, 15_000_000) {
        let _ = writer.garbage_collect_files().wait();
        // The lock is held: no process is writing a segment. A searcher of an older
        // commit has its files open already, and they stay readable once unlinked.
        for stray in strays(index, path) {
            let _ = std::fs::remove_file(stray);
        }
    }
}

/// The files in the index folder of segments that the last commit does not list.
pub(super) fn strays(index: &Index, path: &Path) -> Vec<PathBuf> {
    let Ok(ids) = index.searchable_segment_ids() else { return vec![] };
    let living: HashSet<String> = ids.iter().map(|id| id.uuid_string()).collect();
    let Ok(files) = std::fs::read_dir(path) else { return vec![] };
    let stray = |name: &str| {
        let id = name.split('.').next().unwrap_or("");
        id.len() == 32
            && name.len() > 32
            && id.bytes().all(|b| b.is_ascii_hexdigit())
            && !living.contains(id)
    };
    files
        .flatten()
        .filter(|f| f.file_name().to_str().is_some_and(stray))
        .map(|f| f.path())
        .collect()
}

pub(super) fn too_deleted(m: &tantivy::SegmentMeta) -> bool {
    m.num_deleted_docs() as f32 > DELETED_RATIO_BEFORE_MERGE * m.max_doc() as f32
}

/// Whether a killed run left work undone: segment files no commit refers to, or a merge
/// the deletions call for.
pub(super) fn untidy(index: &Index, path: &Path) -> bool {
    let Ok(metas) = index.searchable_segment_metas() else { return false };
    metas.iter().any(too_deleted) || !strays(index, path).is_empty()
}
