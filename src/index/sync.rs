//! `reindex`: bring the index in step with the archive, in one commit.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Instant, SystemTime, UNIX_EPOCH};

use serde::Serialize;
use tantivy::collector::Count;
use tantivy::directory::error::{LockError, OpenDirectoryError};
use tantivy::directory::{Directory, MmapDirectory};
use tantivy::indexer::UserOperation;
use tantivy::query::{BooleanQuery, TermQuery};
use tantivy::schema::{IndexRecordOption, Schema};
use tantivy::{Index, IndexWriter, ReloadPolicy, TantivyDocument, TantivyError, Term};
use xxhash_rust::xxh3::xxh3_64;

use super::IndexError;
use super::open::{Payload, compatible, open, payload};
use super::recorder::{FirstFailure, Recorder};
use super::schema::{self, Fields, Kind, SCHEMA_VERSION, field};
use crate::digest::{self, Entry, SourceFile, Taxonomy};

/// What `reindex` should do.
#[derive(Debug, Clone, Default)]
pub struct ReindexOptions {
    /// Re-read every file, not only those that changed.
    pub full: bool,
    /// Work out what would change, change nothing.
    pub dry_run: bool,
    /// Treat skipped files and warnings as fatal: commit nothing if there are any.
    pub strict: bool,
}

/// A file passed over, or a warning about a file that was indexed.
#[derive(Debug, Clone, Serialize)]
pub struct Skipped {
    /// Path below the archive root.
    pub path: String,
    /// What is wrong.
    pub reason: String,
}

/// What happens to one entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ChangeKind {
    /// A new file.
    Added,
    /// A file whose content changed.
    Updated,
    /// A file that is gone.
    Removed,
}

/// One planned change (listed by `--dry-run`).
#[derive(Debug, Clone, Serialize)]
pub struct Change {
    /// The entry id.
    pub id: String,
    /// Added, updated or removed.
    pub change: ChangeKind,
}

/// The outcome of a reindex. Counts are entries, except `items`; `entries` and `items`
/// are the totals in the index afterwards.
#[derive(Debug, Clone, Default, Serialize)]
pub struct ReindexSummary {
    /// New entries.
    pub added: usize,
    /// Entries whose file changed.
    pub updated: usize,
    /// Entries whose file is gone.
    pub removed: usize,
    /// Entries left as they were.
    pub unchanged: usize,
    /// Entries in the index now.
    pub entries: u64,
    /// Items in the index now.
    pub items: u64,
    /// Of the entries, drafts (indexed, not shown unless asked for).
    pub drafts: u64,
    /// Wall time.
    pub seconds: f64,
    /// Bytes of Markdown read.
    pub bytes_read: u64,
    /// Markdown read per second, in MB.
    pub mb_per_s: f64,
    /// Files that could not be indexed, with the reason (their previous version stays).
    pub skipped: Vec<Skipped>,
    /// Indexed files with something worth knowing (no date, an odd front-matter value).
    pub warnings: Vec<Skipped>,
    /// Whether every file was re-read (asked for, or the index was new or out of date).
    pub full: bool,
    /// Why a full re-read happened, and other notes.
    pub notes: Vec<String>,
    /// Whether this was a dry run.
    pub dry_run: bool,
    /// Whether the changes were committed (false for a dry run or a `--strict` failure).
    pub committed: bool,
    /// With `--dry-run`: the changes that would be made.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub changes: Vec<Change>,
}

/// What the index recorded about an entry's file.
#[derive(Debug, Clone, Copy)]
struct Recorded {
    hash: u64,
    size: u64,
    mtime: i64,
}

/// How long a reindex waits for another one to release the index.
const LOCK_WAIT: std::time::Duration = std::time::Duration::from_secs(5);

/// A file that must be read: new, or moved since the last reindex.
struct Work<'a> {
    file: &'a SourceFile,
    before: Option<Recorded>,
}

/// A file read and hashed, and parsed unless this is a dry run.
enum Outcome {
    Read {
        hash: u64,
        bytes: u64,
        /// Same content as recorded: only its size or mtime moved.
        same: bool,
        entry: Option<Box<Entry>>,
    },
    Failed(String),
}

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

/// Opens the Tantivy directory of an index folder.
pub type OpenDirectory<'a> =
    dyn Fn(&Path) -> Result<Box<dyn Directory>, tantivy::directory::error::OpenDirectoryError> + 'a;

/// [`reindex`], with the index's files read and written through the directory that
/// `directory` opens: the tests wrap the real one to fail writes, syncs and deletes.
///
/// The phases: load the archive (taxonomy and walk), [`State::open`] the index as it
/// is, [`plan`] what to read and remove, then either [`tidy_up`] when there is nothing
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
    super::folder::check(root, index_path)?;
    let io = IndexIo { path: index_path, directory, failure: FirstFailure::default() };
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
    let (work, removed) = plan(&walk, &state, &mut summary);
    if work.is_empty() && removed.is_empty() && state.compatible && !summary.full {
        return Ok(finish(tidy_up(&io, &state, options, summary)?, started));
    }

    // Read (and parse, unless dry or unchanged) the files in parallel; results come
    // back in order of completion and are applied on this thread. The writer is opened
    // by the first entry to write: files that only moved write no document.
    let mut stats = std::mem::take(&mut state.stats);
    let mut apply = Apply {
        summary: &mut summary,
        writer: None,
        state: &state,
        stats: &mut stats,
        io: &io,
        racy_after,
        dry_run: options.dry_run,
    };
    let done = AtomicUsize::new(0);
    digest::read_parallel(
        &work,
        |w| read(w, &taxonomy, state.reread_all, options.dry_run),
        |i, outcome| {
            apply.outcome(&work[i], outcome)?;
            progress(done.fetch_add(1, Ordering::Relaxed) + 1, work.len());
            Ok(())
        },
    )?;
    let writer = apply.writer.take();
    summary.removed = removed.len();
    summary.changes.extend(
        removed.iter().map(|id| Change { id: id.to_string(), change: ChangeKind::Removed }),
    );
    summary.skipped.sort_by(|a, b| a.path.cmp(&b.path));
    summary.warnings.sort_by(|a, b| a.path.cmp(&b.path));
    if options.dry_run {
        summary.changes.sort_by(|a, b| a.id.cmp(&b.id));
        summary.entries = (state.recorded.len() + summary.added - summary.removed) as u64;
    } else {
        summary.changes.clear();
        write_out(&io, &state, &stats, writer, &removed, options, &mut summary)?;
    }
    Ok(finish(summary, started))
}

/// The end of a run that read files: commit what was written (or roll it back), or,
/// when the files only moved, commit nothing; then remember the files that only moved.
fn write_out(
    io: &IndexIo,
    state: &State,
    stats: &Stats,
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
                stats.save(io, &state.recorded, summary);
                tidy(io, index, state, summary)?;
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
        stats.save(io, &state.recorded, summary);
    }
    Ok(())
}

/// The index folder as this run reads and writes it. Writes go through a recorder:
/// Tantivy reports a failed write in its indexing threads only as "an index writer was
/// killed", the recorder knows the cause.
struct IndexIo<'a> {
    path: &'a Path,
    directory: &'a OpenDirectory<'a>,
    failure: FirstFailure,
}

impl IndexIo<'_> {
    /// Opens the folder through the recorder.
    fn open(&self, path: &Path) -> Result<Box<dyn Directory>, OpenDirectoryError> {
        Ok(Box::new(Recorder::new((self.directory)(path)?, Arc::clone(&self.failure))))
    }

    /// A Tantivy error as this run's error: the recorded cause when a write failed.
    fn error(&self, source: TantivyError) -> IndexError {
        match self.failure.lock().unwrap_or_else(|p| p.into_inner()).take() {
            Some(cause) => IndexError::Io { path: self.path.to_path_buf(), source: cause },
            None => super::damaged(self.path, source),
        }
    }
}

/// The index as it is, and what this run must do about it.
struct State {
    /// The index, if one was built (and opens).
    existing: Option<Index>,
    schema: Schema,
    fields: Fields,
    /// Built by this version: its entries can be kept.
    compatible: bool,
    /// Every file is read again: asked for, or the taxonomy changed.
    reread_all: bool,
    /// A damaged index that still opens: emptied in the commit that refills it.
    empty_first: bool,
    /// What each entry's file was when it was indexed.
    recorded: HashMap<String, Recorded>,
    /// Files found unchanged in content although their size or mtime moved since they
    /// were indexed (see [`Stats`]).
    stats: Stats,
    /// What this run's commit records.
    payload: Payload,
}

impl State {
    /// Opens the index as it is, and notes in the summary why a full re-read happens.
    /// A damaged index is refused, unless this is a full rebuild: then one that still
    /// opens is emptied in the commit that refills it, and one that does not is
    /// replaced.
    fn open(
        io: &IndexIo,
        options: &ReindexOptions,
        taxonomy: &Taxonomy,
        summary: &mut ReindexSummary,
    ) -> Result<State, IndexError> {
        let (schema, fields) = schema::schema();
        let existing = match open_existing(io.path, &|path| io.open(path)) {
            Ok(existing) => existing,
            Err(IndexError::Damaged { cause, .. }) if options.full => {
                summary.notes.push(format!("the index was damaged ({cause}): replacing it"));
                None
            }
            Err(e) => return Err(e),
        };
        let mut empty_first = false;
        if options.full
            && let Some(index) = &existing
            && let Err(IndexError::Damaged { cause, .. }) = super::verify(index, io.path)
        {
            summary.notes.push(format!("the index was damaged ({cause}): rebuilding it"));
            empty_first = true;
        }
        let recorded_payload = existing.as_ref().and_then(payload);
        let compatible =
            existing.as_ref().is_some_and(|i| compatible(i, &schema, recorded_payload.as_ref()));
        let mut reread_all = options.full;
        if existing.is_none() {
            summary.notes.push("no index yet: building it".into());
        } else if !compatible {
            summary
                .notes
                .push("the index was built by another version: rebuilding it in full".into());
        } else if recorded_payload.as_ref().is_some_and(|p| p.taxonomy != taxonomy.fingerprint) {
            summary.notes.push("the taxonomy changed: re-reading every entry".into());
            reread_all = true;
        }
        summary.full = reread_all || !compatible;
        let recorded = match &existing {
            Some(index) if compatible && !empty_first => {
                // Tantivy trusts the bytes of its columns: a flipped bit can panic it
                // where no checksum was checked. That is damage, not a crash.
                std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| recorded(index)))
                    .map_err(|_| IndexError::Damaged {
                        path: io.path.to_path_buf(),
                        cause: "its file records could not be read".into(),
                    })?
                    .map_err(|e| io.error(e))?
            }
            _ => HashMap::new(),
        };
        let payload = Payload {
            schema: SCHEMA_VERSION,
            taxonomy: taxonomy.fingerprint,
            stories: taxonomy.stories,
        };
        let stats = match &existing {
            Some(_) if compatible && !empty_first => Stats::load(io),
            _ => Stats::default(),
        };
        Ok(State {
            existing,
            schema,
            fields,
            compatible,
            reread_all,
            empty_first,
            recorded,
            stats,
            payload,
        })
    }

    /// The writer for this run, on the index as it is or on a new one.
    fn writer(&self, io: &IndexIo) -> Result<(IndexWriter<TantivyDocument>, Index), IndexError> {
        let index = match &self.existing {
            Some(index) if self.compatible => index.clone(),
            _ => create(io.path, self.schema.clone(), &|path| io.open(path))?,
        };
        super::analysis::register_analyzers(&index);
        let writer = writer(&index, io.path)?;
        if self.empty_first {
            writer.delete_all_documents().map_err(|e| io.error(e))?;
        }
        Ok((writer, index))
    }
}

/// The files to read (new, or moved since they were indexed) and the entries whose
/// files are gone; files that did not move count as unchanged, and so do entries of a
/// folder the walk could not read.
fn plan<'a>(
    walk: &'a digest::Walk,
    state: &State,
    summary: &mut ReindexSummary,
) -> (Vec<Work<'a>>, Vec<String>) {
    let present: HashSet<&str> = walk.files.iter().map(|f| f.id.as_str()).collect();
    let mut removed = vec![];
    for id in state.recorded.keys().filter(|id| !present.contains(id.as_str())) {
        match walk.keeps(id) {
            true => summary.unchanged += 1,
            false => removed.push(id.clone()),
        }
    }
    removed.sort_unstable();
    let mut work = vec![];
    for file in &walk.files {
        let before = state.recorded.get(&file.id).copied();
        let seen = |r: &Recorded| r.size == file.size && r.mtime == file.mtime;
        let cached =
            |b: &Recorded| state.stats.get(&file.id).is_some_and(|s| seen(s) && s.hash == b.hash);
        match before {
            Some(b) if !state.reread_all && (seen(&b) || cached(&b)) => summary.unchanged += 1,
            _ => work.push(Work { file, before }),
        }
    }
    (work, removed)
}

/// An empty commit when a killed run left files behind (or a merge its deletions call
/// for): collects them and lets merges run.
fn tidy(
    io: &IndexIo,
    index: &Index,
    state: &State,
    summary: &mut ReindexSummary,
) -> Result<(), IndexError> {
    if untidy(index, io.path) {
        commit(writer(index, io.path)?, index, io.path, &state.payload).map_err(|e| io.error(e))?;
        summary.notes.push("tidied up after an interrupted reindex".into());
    }
    Ok(())
}

/// Nothing to read or remove: the index (and its writer lock) is left alone, unless a
/// killed run left files behind to collect.
fn tidy_up(
    io: &IndexIo,
    state: &State,
    options: &ReindexOptions,
    mut summary: ReindexSummary,
) -> Result<ReindexSummary, IndexError> {
    if let Some(index) = state.existing.as_ref().filter(|_| !options.dry_run) {
        tidy(io, index, state, &mut summary)?;
    }
    summary.entries = state.recorded.len() as u64;
    if let Some(index) = &state.existing {
        let counts = counts(index, &state.fields).map_err(|e| io.error(e))?;
        (summary.items, summary.drafts) = (counts.items, counts.drafts);
    }
    summary.committed = !options.dry_run;
    Ok(summary)
}

/// Files whose content was hashed and found to be what the index holds although their
/// size or mtime moved since they were indexed (a `cp -r`, a `touch`, a checkout): their
/// new size and mtime, so the next run trusts them without reading them, and no document
/// is rewritten to record them. Kept in a file of the index folder, written after each
/// commit. A cache: lost or stale, it costs a hash, never a wrong answer, since it is
/// trusted only where its hash is the one the documents hold.
#[derive(Debug, Default)]
struct Stats {
    files: HashMap<String, Recorded>,
    changed: bool,
}

/// The file of [`Stats`] in the index folder.
pub(super) const STATS_FILE: &str = "archive-stats.tsv";

impl Stats {
    /// The cache of an index folder, empty when it is missing or unreadable. Read and
    /// written beside Tantivy's files, not through its managed directory: Tantivy's
    /// garbage collection would take it for one of its own.
    fn load(io: &IndexIo) -> Stats {
        let Ok(bytes) = io
            .open(io.path)
            .map_err(drop)
            .and_then(|dir| dir.atomic_read(Path::new(STATS_FILE)).map_err(drop))
        else {
            return Stats::default();
        };
        let text = String::from_utf8_lossy(&bytes);
        let files = text
            .lines()
            .filter_map(|line| {
                let mut parts = line.rsplitn(4, '\t');
                let mtime = parts.next()?.parse().ok()?;
                let size = parts.next()?.parse().ok()?;
                let hash = u64::from_str_radix(parts.next()?, 16).ok()?;
                Some((parts.next()?.to_string(), Recorded { hash, size, mtime }))
            })
            .collect();
        Stats { files, changed: false }
    }

    fn get(&self, id: &str) -> Option<&Recorded> {
        self.files.get(id)
    }

    fn insert(&mut self, file: &SourceFile, hash: u64) {
        let stat = Recorded { hash, size: file.size, mtime: file.mtime };
        let old = self.files.insert(file.id.clone(), stat);
        self.changed |=
            old.is_none_or(|o| (o.hash, o.size, o.mtime) != (hash, file.size, file.mtime));
    }

    fn remove(&mut self, id: &str) {
        self.changed |= self.files.remove(id).is_some();
    }

    /// Writes the cache (atomically) when it changed, keeping only entries that still
    /// describe a file of the index. A failure is a note, not an error: the commit
    /// stands, and the next run hashes those files again.
    fn save(
        &self,
        io: &IndexIo,
        recorded: &HashMap<String, Recorded>,
        summary: &mut ReindexSummary,
    ) {
        if !self.changed {
            return;
        }
        let mut out = String::new();
        for (id, stat) in &self.files {
            if recorded.get(id).is_some_and(|r| r.hash == stat.hash) {
                out.push_str(&format!("{id}\t{:x}\t{}\t{}\n", stat.hash, stat.size, stat.mtime));
            }
        }
        let written = io
            .open(io.path)
            .map_err(|e| std::io::Error::other(e.to_string()))
            .and_then(|dir| dir.atomic_write(Path::new(STATS_FILE), out.as_bytes()));
        if let Err(e) = written {
            summary.notes.push(format!(
                "could not record the files that only moved ({e}): the next reindex hashes them again"
            ));
        }
    }
}

/// Applies each file read to the summary and, unless this is a dry run, the writer.
struct Apply<'a> {
    summary: &'a mut ReindexSummary,
    /// Opened by the first entry to write.
    writer: Option<(IndexWriter<TantivyDocument>, Index)>,
    state: &'a State,
    stats: &'a mut Stats,
    io: &'a IndexIo<'a>,
    /// Files modified after this (ns) are racy: see [`Apply::outcome`].
    racy_after: i64,
    dry_run: bool,
}

impl Apply<'_> {
    fn outcome(&mut self, w: &Work, outcome: Outcome) -> Result<(), IndexError> {
        let summary = &mut *self.summary;
        let (hash, bytes, same, entry) = match outcome {
            Outcome::Failed(reason) => {
                summary.skipped.push(Skipped { path: w.file.rel.clone(), reason });
                if w.before.is_some() {
                    summary.unchanged += 1; // its previous version stays
                }
                return Ok(());
            }
            Outcome::Read { hash, bytes, same, entry } => (hash, bytes, same, entry),
        };
        summary.bytes_read += bytes;
        let change = match (w.before, same) {
            (None, _) => Some(ChangeKind::Added),
            (Some(_), true) => None,
            (Some(_), false) => Some(ChangeKind::Updated),
        };
        match change {
            Some(ChangeKind::Added) => summary.added += 1,
            Some(_) => summary.updated += 1,
            None => summary.unchanged += 1,
        }
        if let Some(change) = change {
            summary.changes.push(Change { id: w.file.id.clone(), change });
        }
        // A file modified within the last two seconds may change again within the same
        // mtime tick: its mtime is not recorded, so the next run hashes it again (as
        // git treats racy files), and parses it only if the content moved.
        let racy = w.file.mtime >= self.racy_after;
        if same && !self.dry_run {
            match racy {
                false => self.stats.insert(w.file, hash),
                true => self.stats.remove(&w.file.id),
            }
        }
        let Some(entry) = entry else { return Ok(()) };
        for warning in &entry.warnings {
            summary.warnings.push(Skipped { path: w.file.rel.clone(), reason: warning.clone() });
        }
        if self.dry_run {
            return Ok(());
        }
        if self.writer.is_none() {
            self.writer = Some(self.state.writer(self.io)?);
        }
        let Some((writer, _)) = &self.writer else { return Ok(()) };
        self.stats.remove(&w.file.id);
        let file = SourceFile { mtime: if racy { 0 } else { w.file.mtime }, ..w.file.clone() };
        // One batch: the old version goes, and the new documents land together in one
        // segment, in order (the entry's, then its items').
        let fields = &self.state.fields;
        let delete = UserOperation::Delete(Term::from_field_text(fields.entry_id, &entry.id));
        let adds = fields.documents(&entry, &file, hash).into_iter();
        let batch: Vec<_> = std::iter::once(delete).chain(adds.map(UserOperation::Add)).collect();
        writer.run(batch).map_err(|e| self.io.error(e))?;
        Ok(())
    }
}

/// Deletes the removed entries and commits; or, with `--strict` and problems, rolls
/// everything back.
fn commit_or_rollback(
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

fn finish(mut summary: ReindexSummary, started: Instant) -> ReindexSummary {
    summary.seconds = started.elapsed().as_secs_f64();
    summary.mb_per_s = summary.bytes_read as f64 / 1e6 / summary.seconds.max(1e-9);
    summary
}

/// Reads and hashes one file, and parses it unless this is a dry run or its content is
/// what the index holds.
fn read(w: &Work, taxonomy: &Taxonomy, reread_all: bool, dry_run: bool) -> Outcome {
    let bytes = match w.file.read_bytes() {
        Ok(bytes) => bytes,
        Err(e) => return Outcome::Failed(e.to_string()),
    };
    let hash = xxh3_64(&bytes);
    let same = w.before.is_some_and(|b| b.hash == hash) && !reread_all;
    let len = bytes.len() as u64;
    // A dry run reports content changes only, and a file whose content is unchanged (a
    // copy, a touch, a checkout) costs its hash: neither is parsed.
    let entry = if dry_run || same {
        None
    } else {
        match Entry::from_bytes(&w.file.id, &bytes, taxonomy) {
            Ok(entry) => Some(Box::new(entry)),
            Err(e) => return Outcome::Failed(e.to_string()),
        }
    };
    Outcome::Read { hash, bytes: len, same, entry }
}

/// The index at `path`, if one has been built.
fn open_existing(path: &Path, directory: &OpenDirectory<'_>) -> Result<Option<Index>, IndexError> {
    if !path.join("meta.json").exists() {
        return Ok(None);
    }
    let dir = directory(path).map_err(|e| super::damaged(path, e.into()))?;
    Ok(Some(Index::open(dir).map_err(|e| super::damaged(path, e))?))
}

/// Creates a new, empty index at `path`, removing an index of another version.
fn create(path: &Path, schema: Schema, directory: &OpenDirectory<'_>) -> Result<Index, IndexError> {
    super::folder::prepare(path)?;
    let dir = directory(path)
        .map_err(|e| IndexError::Tantivy { path: path.to_path_buf(), source: e.into() })?;
    Index::create(dir, schema, schema::settings())
        .map_err(|source| IndexError::Tantivy { path: path.to_path_buf(), source })
}

/// Indexing threads: one per core, up to four.
pub fn indexing_threads() -> usize {
    std::thread::available_parallelism().map_or(2, |n| n.get()).clamp(1, 4)
}

/// Indexing memory per thread: 400 MB (a 100k-digest archive then makes one segment per
/// thread instead of merging ten), or a sixteenth of the machine's memory when that is
/// less. Memory is taken as documents arrive: a small reindex uses little of it.
pub fn heap_per_thread() -> usize {
    const MOST: usize = 400_000_000;
    const LEAST: usize = 50_000_000;
    let total = std::fs::read_to_string("/proc/meminfo").ok().and_then(|info| {
        let kb = info.lines().find_map(|l| l.strip_prefix("MemTotal:"))?;
        kb.trim().trim_end_matches("kB").trim().parse::<usize>().ok().map(|kb| kb * 1024)
    });
    total.map_or(MOST, |bytes| (bytes / 16).clamp(LEAST, MOST))
}

/// A writer sized for the machine; a second writer fails with [`IndexError::Busy`].
fn writer(index: &Index, path: &Path) -> Result<IndexWriter<TantivyDocument>, IndexError> {
    let threads = indexing_threads();
    let started = Instant::now();
    loop {
        match index.writer_with_num_threads(threads, threads * heap_per_thread()) {
            Ok(writer) => {
                let mut policy = tantivy::indexer::LogMergePolicy::default();
                policy.set_del_docs_ratio_before_merge(DELETED_RATIO_BEFORE_MERGE);
                writer.set_merge_policy(Box::new(policy));
                // A failed run may have left files no commit refers to; the next run can
                // reuse their names (a deletion file is named by segment and opstamp).
                if let Err(e) = writer.garbage_collect_files().wait() {
                    tracing::warn!(error = %e, "could not remove files left by an earlier run");
                }
                return Ok(writer);
            }
            // Another reindex (another shell, or a server catching up) holds the lock:
            // wait a little for it, then give up with a clear message.
            Err(TantivyError::LockFailure(LockError::LockBusy, _))
                if started.elapsed() < LOCK_WAIT =>
            {
                std::thread::sleep(std::time::Duration::from_millis(100));
            }
            Err(TantivyError::LockFailure(LockError::LockBusy, _)) => {
                return Err(IndexError::Busy(path.to_path_buf()));
            }
            Err(source) => return Err(IndexError::Tantivy { path: path.to_path_buf(), source }),
        }
    }
}

/// The hash, size and mtime of every entry's file, from the entry documents' fast fields.
fn recorded(index: &Index) -> tantivy::Result<HashMap<String, Recorded>> {
    let reader = index.reader_builder().reload_policy(ReloadPolicy::Manual).try_into()?;
    let searcher: tantivy::Searcher = reader.searcher();
    let mut out = HashMap::new();
    for segment in searcher.segment_readers() {
        let ff = segment.fast_fields();
        let (hash, size, mtime) =
            (ff.u64(field::HASH)?, ff.u64(field::SIZE)?, ff.i64(field::MTIME)?);
        let Some(ids) = ff.str(field::ENTRY_ID)? else { continue };
        let mut found: Vec<(u64, Recorded)> = vec![];
        for doc in segment.doc_ids_alive() {
            let Some(h) = hash.first(doc) else { continue };
            let Some(ord) = ids.term_ords(doc).next() else { continue };
            let rec = Recorded {
                hash: h,
                size: size.first(doc).unwrap_or(0),
                mtime: mtime.first(doc).unwrap_or(0),
            };
            found.push((ord, rec));
        }
        // One pass over the sorted dictionary, not a lookup per entry.
        found.sort_unstable_by_key(|(ord, _)| *ord);
        let ords: Vec<u64> = found.iter().map(|(ord, _)| *ord).collect();
        let mut records = found.into_iter().map(|(_, rec)| rec);
        ids.dictionary().sorted_ords_to_term_cb(&ords, |term| {
            if let Some(rec) = records.next() {
                out.insert(String::from_utf8_lossy(term).into_owned(), rec);
            }
        })?;
    }
    Ok(out)
}

/// Rewrite a segment once this share of it is deleted documents (edits and removals),
/// so the index stays near the size of a fresh build.
const DELETED_RATIO_BEFORE_MERGE: f32 = 0.25;

/// Commits with the payload, then lets merges finish and deletes the files they replaced.
fn commit(
    mut writer: IndexWriter<TantivyDocument>,
    index: &Index,
    path: &Path,
    payload: &Payload,
) -> tantivy::Result<()> {
    let mut prepared = writer.prepare_commit()?;
    prepared.set_payload(&serde_json::to_string(payload).expect("serializable"));
    prepared.commit()?;
    expunge_deletes(&mut writer, index);
    writer.wait_merging_threads()?;
    collect_garbage(index, path);
    Ok(())
}

/// Rewrites the committed segments that are mostly deleted documents. The merge policy
/// does this after a commit too, but not for segments that a killed run left with
/// deletions and that no later commit touches.
fn expunge_deletes(writer: &mut IndexWriter<TantivyDocument>, index: &Index) {
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
fn collect_garbage(index: &Index, path: &Path) {
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
fn strays(index: &Index, path: &Path) -> Vec<PathBuf> {
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

fn too_deleted(m: &tantivy::SegmentMeta) -> bool {
    m.num_deleted_docs() as f32 > DELETED_RATIO_BEFORE_MERGE * m.max_doc() as f32
}

/// Whether a killed run left work undone: segment files no commit refers to, or a merge
/// the deletions call for.
fn untidy(index: &Index, path: &Path) -> bool {
    let Ok(metas) = index.searchable_segment_metas() else { return false };
    metas.iter().any(too_deleted) || !strays(index, path).is_empty()
}

/// What the index holds.
struct Counts {
    entries: u64,
    items: u64,
    drafts: u64,
}

/// Entries, items and drafts in the index.
fn counts(index: &Index, fields: &Fields) -> tantivy::Result<Counts> {
    let reader = index.reader_builder().reload_policy(ReloadPolicy::Manual).try_into()?;
    let searcher: tantivy::Searcher = reader.searcher();
    let count = |term| -> tantivy::Result<u64> {
        Ok(searcher.search(&TermQuery::new(term, IndexRecordOption::Basic), &Count)? as u64)
    };
    let drafts = BooleanQuery::intersection(vec![
        Box::new(TermQuery::new(fields.kind_term(Kind::Entry), IndexRecordOption::Basic)),
        Box::new(TermQuery::new(fields.draft_term(), IndexRecordOption::Basic)),
    ]);
    Ok(Counts {
        entries: count(fields.kind_term(Kind::Entry))?,
        items: count(fields.kind_term(Kind::Item))?,
        drafts: searcher.search(&drafts, &Count)? as u64,
    })
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
