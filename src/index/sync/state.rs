//! The index as a run finds it: opened (through the run's directory and recorder) or
//! created, whether it was built by this version, and what the run must re-read.

use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;

use tantivy::directory::Directory;
use tantivy::directory::error::OpenDirectoryError;
use tantivy::schema::Schema;
use tantivy::{Index, IndexWriter, TantivyDocument, TantivyError};

use super::records::{FileRecord, file_records};
use super::report::{ReindexOptions, ReindexSummary};
use super::stat_cache::StatCache;
use super::writer;
use crate::digest::Taxonomy;
use crate::index::IndexError;
use crate::index::open::{OpenDirectory, Payload, compatible, open_in, payload};
use crate::index::recorder::{FirstFailure, Holders, Recorder};
use crate::index::schema::{self, Fields, SCHEMA_VERSION};

/// The index folder as this run reads and writes it. Writes go through a recorder:
/// Tantivy reports a failed write in its indexing threads only as "an index writer was
/// killed", the recorder knows the cause.
pub(super) struct IndexIo<'a> {
    pub(super) path: &'a Path,
    pub(super) directory: &'a OpenDirectory<'a>,
    pub(super) failure: FirstFailure,
    /// Held by the writer's copies of its directory (see [`IndexIo::writers_ended`]).
    pub(super) writing: Holders,
}

impl IndexIo<'_> {
    /// Opens the folder through the recorder.
    pub(super) fn open(&self, path: &Path) -> Result<Box<dyn Directory>, OpenDirectoryError> {
        Ok(Box::new(Recorder::new((self.directory)(path)?, Arc::clone(&self.failure), None)))
    }

    /// Opens the folder for the run's writer: every copy holds [`IndexIo::writing`].
    fn open_writing(&self, path: &Path) -> Result<Box<dyn Directory>, OpenDirectoryError> {
        let dir = (self.directory)(path)?;
        let held = Some(Arc::clone(&self.writing));
        Ok(Box::new(Recorder::new(dir, Arc::clone(&self.failure), held)))
    }

    /// Waits (up to `limit`) until no thread of the run's writer is left. A failed
    /// indexing thread ends Tantivy's wait for the others: they go on finishing their
    /// segments, and the files they write would stay behind the cleanup.
    pub(super) fn writers_ended(&self, limit: std::time::Duration) -> bool {
        let started = std::time::Instant::now();
        while Arc::strong_count(&self.writing) > 1 {
            if started.elapsed() > limit {
                return false;
            }
            std::thread::sleep(std::time::Duration::from_millis(10));
        }
        true
    }

    /// A Tantivy error as this run's error: the recorded cause when a write failed, else
    /// a failed read ([`read_failed`]: damage).
    ///
    /// [`read_failed`]: crate::index::error::read_failed
    pub(super) fn error(&self, source: TantivyError) -> IndexError {
        match self.failure.lock().unwrap_or_else(|p| p.into_inner()).take() {
            Some(cause) => IndexError::Io { path: self.path.to_path_buf(), source: cause },
            None => crate::index::error::read_failed(self.path, source),
        }
    }
}

/// The index as it is, and what this run must do about it.
pub(super) struct State {
    /// The index, if one was built (and opens).
    pub(super) existing: Option<Index>,
    pub(super) schema: Schema,
    pub(super) fields: Fields,
    /// Built by this version: its entries can be kept.
    pub(super) compatible: bool,
    /// Every file is read again: asked for, or the taxonomy changed.
    pub(super) reread_all: bool,
    /// A damaged index that still opens: emptied in the commit that refills it.
    pub(super) empty_first: bool,
    /// What each entry's file was when it was indexed.
    pub(super) records: HashMap<String, FileRecord>,
    /// Files found unchanged in content although their size or mtime moved since they
    /// were indexed (see [`StatCache`]).
    pub(super) cache: StatCache,
    /// What this run's commit records.
    pub(super) payload: Payload,
}

impl State {
    /// Opens the index as it is, and notes in the summary why a full re-read happens.
    /// A damaged index is refused, unless this is a full rebuild: then one that still
    /// opens is emptied in the commit that refills it, and one that does not is
    /// replaced.
    pub(super) fn open(
        io: &IndexIo,
        options: &ReindexOptions,
        taxonomy: &Taxonomy,
        summary: &mut ReindexSummary,
    ) -> Result<State, IndexError> {
        let (schema, fields) = schema::schema();
        let existing = match open_in(io.path, &|path| io.open(path)) {
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
            && let Err(IndexError::Damaged { cause, .. }) = crate::index::verify(index, io.path)
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
        let records = match &existing {
            Some(index) if compatible && !empty_first => {
                // Tantivy trusts the bytes of its columns: a flipped bit can panic it
                // where no checksum was checked. That is damage, not a crash.
                crate::catch_panic(|| file_records(index))
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
            stories: taxonomy.stories.clone(),
            model: crate::digest::meaning::MODEL_ID.to_string(),
        };
        let cache = match &existing {
            Some(_) if compatible && !empty_first => StatCache::load(io),
            _ => StatCache::default(),
        };
        Ok(State {
            existing,
            schema,
            fields,
            compatible,
            reread_all,
            empty_first,
            records,
            cache,
            payload,
        })
    }

    /// The writer for this run, on the index as it is or on a new one.
    pub(super) fn writer(
        &self,
        io: &IndexIo,
    ) -> Result<(IndexWriter<TantivyDocument>, Index), IndexError> {
        // Opened anew (not a copy of the one read): its copies are the writer's.
        let kept = match &self.existing {
            Some(_) if self.compatible => open_in(io.path, &|path| io.open_writing(path))?,
            _ => None,
        };
        let index = match kept {
            Some(index) => index,
            None => create(io.path, self.schema.clone(), &|path| io.open_writing(path))?,
        };
        crate::index::analysis::register_analyzers(&index);
        let writer = writer::open(&index, io.path)?;
        if self.empty_first {
            writer.delete_all_documents().map_err(|e| io.error(e))?;
        }
        Ok((writer, index))
    }
}

/// Creates a new, empty index at `path`, removing an index of another version.
pub(super) fn create(
    path: &Path,
    schema: Schema,
    directory: &OpenDirectory<'_>,
) -> Result<Index, IndexError> {
    crate::index::folder::prepare(path)?;
    let dir = directory(path)
        .map_err(|e| IndexError::Tantivy { path: path.to_path_buf(), source: e.into() })?;
    Index::create(dir, schema, schema::settings())
        .map_err(|source| IndexError::Tantivy { path: path.to_path_buf(), source })
}
