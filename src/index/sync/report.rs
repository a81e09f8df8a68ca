//! What a reindex is asked to do, and what it tells its caller.

use std::time::Instant;

use serde::Serialize;

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

pub(super) fn finish(mut summary: ReindexSummary, started: Instant) -> ReindexSummary {
    summary.seconds = started.elapsed().as_secs_f64();
    summary.mb_per_s = summary.bytes_read as f64 / 1e6 / summary.seconds.max(1e-9);
    summary
}
