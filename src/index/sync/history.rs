//! The archive's git history (the day each file was first added), kept beside the index
//! between runs: read again only when the archive's HEAD moved.

use std::path::Path;

use super::report::ReindexSummary;
use crate::digest::{History, Taxonomy};
use crate::index::folder::HISTORY_FILE;

/// The history of the archive at `root`, when it is kept in git and `[dates] git` is on;
/// a failure to read it is a note, and the entries are dated without it.
pub(super) fn read(
    root: &Path,
    index: &Path,
    taxonomy: &Taxonomy,
    summary: &mut ReindexSummary,
) -> Option<History> {
    if !taxonomy.dates.git {
        return None;
    }
    let cached = std::fs::read_to_string(index.join(HISTORY_FILE))
        .ok()
        .and_then(|text| History::from_text(&text));
    match History::read(root, cached) {
        Ok(history) => history,
        Err(e) => {
            summary.notes.push(format!("{e}: entries are dated without it"));
            None
        }
    }
}

/// Keeps the history beside the index (atomically) when it was read at another HEAD
/// than the one kept. A failure is a note: the next run reads the history again.
pub(super) fn save(history: &History, index: &Path, summary: &mut ReindexSummary) {
    let path = index.join(HISTORY_FILE);
    let kept = std::fs::read_to_string(&path).ok().and_then(|t| History::from_text(&t));
    if kept.is_some_and(|k| k.head == history.head) || !index.is_dir() {
        return;
    }
    let tmp = index.join(format!("{HISTORY_FILE}.tmp"));
    let written =
        std::fs::write(&tmp, history.to_text()).and_then(|()| std::fs::rename(&tmp, &path));
    if let Err(e) = written {
        let _ = std::fs::remove_file(&tmp);
        summary.notes.push(format!("could not keep the git history beside the index ({e})"));
    }
}
