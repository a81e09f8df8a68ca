//! Reading the planned files (on the reader threads) and applying each one (on the
//! run's thread): the summary's counts, the stat cache, and the entry's documents.

use tantivy::indexer::UserOperation;
use tantivy::{Index, IndexWriter, TantivyDocument, Term};
use xxhash_rust::xxh3::xxh3_64;

use super::plan::Work;
use super::report::{Change, ChangeKind, ReindexSummary, Skipped};
use super::stat_cache::StatCache;
use super::state::{IndexIo, State};
use crate::digest::{Entry, History, SourceFile, Taxonomy};
use crate::index::IndexError;

/// A file read and hashed, and parsed unless this is a dry run.
pub(super) enum Outcome {
    Read {
        hash: u64,
        bytes: u64,
        /// Same content as recorded: only its size or mtime moved.
        same: bool,
        entry: Option<Box<Entry>>,
    },
    Failed(String),
}

/// Applies each file read to the summary and, unless this is a dry run, the writer.
pub(super) struct Apply<'a> {
    pub(super) summary: &'a mut ReindexSummary,
    /// Opened by the first entry to write.
    pub(super) writer: Option<(IndexWriter<TantivyDocument>, Index)>,
    pub(super) state: &'a State,
    pub(super) cache: &'a mut StatCache,
    pub(super) io: &'a IndexIo<'a>,
    /// Files modified after this (ns) are racy: see [`Apply::outcome`].
    pub(super) racy_after: i64,
    pub(super) dry_run: bool,
}

impl Apply<'_> {
    pub(super) fn outcome(&mut self, w: &Work, outcome: Outcome) -> Result<(), IndexError> {
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
                false => self.cache.insert(w.file, hash),
                true => self.cache.remove(&w.file.id),
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
        self.cache.remove(&w.file.id);
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

/// Reads and hashes one file, and parses it unless this is a dry run or its content is
/// what the index holds.
pub(super) fn read(
    w: &Work,
    (taxonomy, history): (&Taxonomy, Option<&History>),
    reread_all: bool,
    dry_run: bool,
) -> Outcome {
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
            Ok(mut entry) => {
                if let Some(history) = history {
                    entry.date_from_history(history, &w.file.rel);
                }
                Some(Box::new(entry))
            }
            Err(e) => return Outcome::Failed(e.to_string()),
        }
    };
    Outcome::Read { hash, bytes: len, same, entry }
}
