//! The archive's git history (the day each file was first added), kept beside the index
//! between runs, like the stat cache: read again only when the archive's HEAD moved.

use std::path::Path;

use super::report::ReindexSummary;
use super::state::IndexIo;
use crate::digest::{History, Taxonomy};
use crate::index::folder::HISTORY_FILE;

/// The history of the archive at `root`, when it is kept in git and `[dates] git` is on,
/// and whether it was read from the repository rather than from beside the index (and
/// so is to be kept). A failure to read it is a note, and the entries are dated without.
pub(super) fn read(
    root: &Path,
    io: &IndexIo,
    taxonomy: &Taxonomy,
    summary: &mut ReindexSummary,
) -> Option<(History, bool)> {
    if !taxonomy.dates.git {
        return None;
    }
    let kept = io
        .open(io.path)
        .ok()
        .and_then(|dir| dir.atomic_read(Path::new(HISTORY_FILE)).ok())
        .and_then(|bytes| History::from_text(&String::from_utf8_lossy(&bytes)));
    let kept_head = kept.as_ref().map(|k| k.head.clone());
    match History::read(root, kept) {
        Ok(history) => history.map(|h| {
            let fresh = kept_head.as_deref() != Some(h.head.as_str());
            (h, fresh)
        }),
        Err(e) => {
            summary.notes.push(format!("{e}: entries are dated without it"));
            None
        }
    }
}

/// Keeps the history beside the index, atomically, as the stat cache is kept. A failure
/// is a note: the next run reads the history again.
pub(super) fn save(history: &History, io: &IndexIo, summary: &mut ReindexSummary) {
    let written = io
        .open(io.path)
        .map_err(|e| std::io::Error::other(e.to_string()))
        .and_then(|dir| dir.atomic_write(Path::new(HISTORY_FILE), history.to_text().as_bytes()));
    if let Err(e) = written {
        summary.notes.push(format!("could not keep the git history beside the index ({e})"));
    }
}
