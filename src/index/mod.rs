//! Entries -> the Tantivy index in `index/`, kept in step with the archive.
//!
//! [`reindex`] is incremental: the walk compares each file's size and mtime with what
//! the index recorded, reads and hashes only files that moved, parses only files whose
//! content changed, and removes entries whose files vanished. All changes land in one
//! commit, so a reader sees the old state or the new one, and a kill leaves the last
//! commit in place. [`open`] gives read-only access for searching.

mod recorder;
mod schema;
mod sync;

use std::path::{Path, PathBuf};

use tantivy::Index;
use tantivy::directory::{MmapDirectory, OwnedBytes};

pub use self::schema::{
    EntryMeta, Fields, KEYWORD_ANALYZER, SCHEMA_VERSION, TEXT_ANALYZER, WORDS_ANALYZER, day_number,
    from_datetime, from_day_number, query_analyzer, text_analyzer, to_datetime, words_analyzer,
};
pub use self::sync::{
    Change, ChangeKind, OpenDirectory, ReindexOptions, ReindexSummary, Skipped, reindex, reindex_in,
};

/// Errors at the index's edge.
#[derive(Debug, thiserror::Error)]
pub enum IndexError {
    /// No index has been built at this path yet.
    #[error("no index at {0}: run `archive reindex` first")]
    Missing(PathBuf),
    /// The index was built by another version of archive.
    #[error(
        "the index at {0} was built by another version of archive: run `archive reindex` to rebuild it"
    )]
    Stale(PathBuf),
    /// The index cannot be read as it is: a file is missing, truncated or fails its
    /// checksum, or its metadata is garbage.
    #[error("the index at {path} is damaged ({cause}): run `archive reindex --full` to rebuild it")]
    Damaged {
        /// The index folder.
        path: PathBuf,
        /// What was found.
        cause: String,
    },
    /// Another process holds the index's writer lock.
    #[error(
        "another reindex has been writing the index at {0} for over 5 s; wait for it to finish and try again"
    )]
    Busy(PathBuf),
    /// The archive folder cannot be read.
    #[error("cannot read the archive at {path}: {source}")]
    Archive {
        /// The archive root.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// `taxonomy.toml` is invalid.
    #[error("{path}: {source}")]
    Taxonomy {
        /// The taxonomy file.
        path: PathBuf,
        /// What is wrong.
        source: crate::digest::ParseError,
    },
    /// `--strict` and some files were skipped or had warnings.
    #[error("{0} file(s) had problems and --strict is set; nothing was changed")]
    Strict(usize),
    /// An I/O or Tantivy error while reading or writing the index.
    #[error("index at {path}: {source}")]
    Tantivy {
        /// The index folder.
        path: PathBuf,
        /// The cause.
        source: tantivy::TantivyError,
    },
    /// An I/O error on the index folder.
    #[error("index at {path}: {source}")]
    Io {
        /// The index folder.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
}

/// The state recorded with each commit.
#[derive(Debug, PartialEq, serde::Serialize, serde::Deserialize)]
struct Payload {
    schema: u32,
    taxonomy: u64,
}

fn payload(index: &Index) -> Option<Payload> {
    let metas = index.load_metas().ok()?;
    serde_json::from_str(metas.payload.as_deref()?).ok()
}

/// Whether an index was written by this version: same schema, same schema version.
fn compatible(index: &Index, schema: &tantivy::schema::Schema, payload: Option<&Payload>) -> bool {
    index.schema() == *schema && payload.is_some_and(|p| p.schema == SCHEMA_VERSION)
}

/// An index opened for reading.
pub struct IndexHandle {
    /// The Tantivy index, analyzers registered.
    pub index: Index,
    /// Field handles.
    pub fields: Fields,
    /// Where it lives.
    pub path: PathBuf,
}

/// Opens an existing index for reading. Fails with [`IndexError::Missing`] when none has
/// been built, and [`IndexError::Stale`] when it was built with another schema.
pub fn open(path: &Path) -> Result<IndexHandle, IndexError> {
    if !path.join("meta.json").exists() {
        return Err(IndexError::Missing(path.to_path_buf()));
    }
    let dir = MmapDirectory::open(path).map_err(|e| damaged(path, e.into()))?;
    let index = Index::open(dir).map_err(|e| damaged(path, e))?;
    let (schema, fields) = schema::schema();
    if !compatible(&index, &schema, payload(&index).as_ref()) {
        return Err(IndexError::Stale(path.to_path_buf()));
    }
    schema::register_analyzers(&index);
    Ok(IndexHandle { index, fields, path: path.to_path_buf() })
}

/// Classifies a Tantivy error: a missing, truncated or corrupt file is
/// [`IndexError::Damaged`]; anything else (a full disk, a failed write) stays itself.
pub fn damaged(path: &Path, source: tantivy::TantivyError) -> IndexError {
    if is_damage(&source) {
        IndexError::Damaged { path: path.to_path_buf(), cause: source.to_string() }
    } else {
        IndexError::Tantivy { path: path.to_path_buf(), source }
    }
}

/// Whether a Tantivy error means the index's files are missing, truncated or corrupt.
pub fn is_damage(e: &tantivy::TantivyError) -> bool {
    use tantivy::TantivyError as E;
    matches!(
        e,
        E::DataCorruption(_)
            | E::OpenReadError(_)
            | E::OpenDirectoryError(_)
            | E::DeserializeError(_)
    )
}

/// Reads every file of the committed segments and checks it against the checksum in its
/// footer, the way Tantivy writes them. Files are read with plain reads, not through the
/// memory map a searcher holds, so a server's resident memory does not grow by the
/// index's size. Fails with [`IndexError::Damaged`] naming the files that fail.
pub fn verify(index: &Index, path: &Path) -> Result<VerifyReport, IndexError> {
    use tantivy::HasLen;
    use tantivy::directory::{FileSlice, footer::Footer};
    use tantivy::index::SegmentComponent as C;
    let segments = index.searchable_segment_metas().map_err(|e| damaged(path, e))?;
    let mut report = VerifyReport::default();
    let mut bad = vec![];
    for segment in &segments {
        let mut components =
            vec![C::Postings, C::Positions, C::Terms, C::Store, C::FastFields, C::FieldNorms];
        if segment.has_deletes() {
            components.push(C::Delete);
        }
        for component in components {
            let name = segment.relative_path(component);
            let file = match Pread::open(&path.join(&name)) {
                Ok(file) => file,
                Err(e) => {
                    bad.push(format!("{}: {e}", name.display()));
                    continue;
                }
            };
            report.files += 1;
            report.bytes += file.len as u64;
            // Read in chunks: a store file of hundreds of MB is never in memory at once.
            let checked = Footer::extract_footer(FileSlice::new(std::sync::Arc::new(file)))
                .and_then(|(footer, body)| {
                    let mut crc = crc32fast::Hasher::new();
                    for start in (0..body.len()).step_by(VERIFY_CHUNK) {
                        let end = (start + VERIFY_CHUNK).min(body.len());
                        crc.update(body.read_bytes_slice(start..end)?.as_slice());
                    }
                    Ok(crc.finalize() == footer.crc)
                });
            match checked {
                Ok(true) => {}
                Ok(false) => bad.push(format!("{}: checksum mismatch", name.display())),
                Err(e) => bad.push(format!("{}: {e}", name.display())),
            }
        }
    }
    if bad.is_empty() {
        Ok(report)
    } else {
        bad.sort();
        Err(IndexError::Damaged { path: path.to_path_buf(), cause: bad.join("; ") })
    }
}

/// How much of a file [`verify`] reads at a time.
const VERIFY_CHUNK: usize = 1 << 20;

/// A file read by position, for [`verify`]: Tantivy's footer parser takes a
/// [`FileSlice`](tantivy::directory::FileSlice) and reads only what it asks for.
#[derive(Debug)]
struct Pread {
    file: std::fs::File,
    len: usize,
}

impl Pread {
    fn open(path: &Path) -> std::io::Result<Pread> {
        let file = std::fs::File::open(path)?;
        let len = file.metadata()?.len() as usize;
        Ok(Pread { file, len })
    }
}

impl tantivy::HasLen for Pread {
    fn len(&self) -> usize {
        self.len
    }
}

impl tantivy::directory::FileHandle for Pread {
    fn read_bytes(&self, range: std::ops::Range<usize>) -> std::io::Result<OwnedBytes> {
        use std::os::unix::fs::FileExt;
        let mut buffer = vec![0; range.len()];
        self.file.read_exact_at(&mut buffer, range.start as u64)?;
        Ok(OwnedBytes::new(buffer))
    }
}

/// What [`verify`] read.
#[derive(Debug, Default, Clone, Copy, serde::Serialize)]
pub struct VerifyReport {
    /// Segment files checked.
    pub files: usize,
    /// Their total size.
    pub bytes: u64,
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
