//! The one error type at the index's edge, and how Tantivy's errors are told apart:
//! damage (a missing, truncated or corrupt file) or something else.

use std::path::{Path, PathBuf};

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
    /// The index folder is the archive folder, lies inside it, or holds it.
    #[error(
        "the index folder {index} and the archive folder {archive} overlap: the index must be a folder of its own, outside the archive (--index DIR)"
    )]
    Overlap {
        /// The archive root.
        archive: PathBuf,
        /// The index folder.
        index: PathBuf,
    },
    /// The index folder holds files, and is not an index: a reindex would replace them.
    #[error(
        "{path} holds files and is not an archive index ({}): choose a new or empty folder for --index; nothing was changed",
        found.join(", ")
    )]
    NotAnIndex {
        /// The folder.
        path: PathBuf,
        /// Some of the files found there.
        found: Vec<String>,
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

/// Classifies a Tantivy error: a missing, truncated or corrupt file is
/// [`IndexError::Damaged`]; anything else (a full disk, a failed write) stays itself.
pub fn damaged(path: &Path, source: tantivy::TantivyError) -> IndexError {
    if is_damage(&source) {
        IndexError::Damaged { path: path.to_path_buf(), cause: source.to_string() }
    } else {
        IndexError::Tantivy { path: path.to_path_buf(), source }
    }
}

/// [`damaged`] for an error met while only reading the index (no write failed): an
/// I/O error then came from its files, which Tantivy also uses for data that does not
/// decode ("Unsupported sstable version" after a flipped bit), and is damage too.
pub fn read_failed(path: &Path, source: tantivy::TantivyError) -> IndexError {
    match source {
        tantivy::TantivyError::IoError(_) => {
            IndexError::Damaged { path: path.to_path_buf(), cause: source.to_string() }
        }
        source => damaged(path, source),
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
