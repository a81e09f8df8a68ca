//! `serve --watch`: reindex when files under the archive change. Only changes count
//! (created, written, removed, renamed): the reads of a reindex are events too, and once
//! made the watcher reindex after its own runs. A failed run is tried again after a
//! pause that doubles up to a minute (a full disk or a broken `taxonomy.toml` is not
//! retried four times a second), and `/healthz` says it is failing. An archive folder
//! that is replaced (`mv archive archive.old; cp -r new archive`) is watched anew.

use std::panic::AssertUnwindSafe;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::mpsc::{RecvTimeoutError, channel};
use std::time::{Duration, Instant};

use anyhow::Context;
use archive::web::CatchUp;
use notify_debouncer_mini::notify::event::{
    AccessKind, AccessMode, EventKind, MetadataKind, ModifyKind,
};
use notify_debouncer_mini::notify::{self, RecursiveMode, Watcher};

/// Quiet after a change before the reindex: a burst of writes is one run.
const QUIET: Duration = Duration::from_millis(500);
/// How often the archive folder is looked at, for whether it was replaced.
const ROOT_CHECK: Duration = Duration::from_secs(2);
/// The first pause after a failed run, doubled after each further one up to [`LONGEST`].
const FIRST_PAUSE: Duration = Duration::from_secs(1);
const LONGEST: Duration = Duration::from_secs(60);

/// Starts watching `archive` on a thread of its own; `reindex` runs the reindex and
/// `catch_up` hears how it went.
pub fn watch(
    archive: PathBuf,
    index_dir: PathBuf,
    catch_up: Arc<CatchUp>,
    reindex: impl Fn(&Path, &Path) -> anyhow::Result<()> + Send + 'static,
) -> anyhow::Result<()> {
    let (tx, rx) = channel();
    let mut watcher = notify::recommended_watcher(tx)?;
    watcher
        .watch(&archive, RecursiveMode::Recursive)
        .with_context(|| format!("cannot watch {}", archive.display()))?;
    let index_abs = index_dir.canonicalize().unwrap_or(index_dir.clone());
    tracing::info!(archive = %archive.display(), "watching for changes");
    std::thread::spawn(move || {
        let mut root = identity(&archive);
        let (mut pending, mut retry_at, mut pause) = (false, None::<Instant>, FIRST_PAUSE);
        loop {
            let wait =
                retry_at.map_or(ROOT_CHECK, |at| at.saturating_duration_since(Instant::now()));
            match rx.recv_timeout(wait.min(ROOT_CHECK)) {
                Ok(Ok(event)) if is_change(&event, &index_abs) => {
                    let first = event.paths.first().map(|p| p.display().to_string());
                    tracing::info!(first = %super::shown(&first.unwrap_or_default()), "archive changed");
                    pending = true;
                    // The rest of the burst: until no change for QUIET (reads do not count,
                    // so a busy reader cannot hold the run back).
                    let mut last = Instant::now();
                    while let Some(left) =
                        QUIET.checked_sub(last.elapsed()).filter(|l| !l.is_zero())
                    {
                        match rx.recv_timeout(left) {
                            Ok(Ok(more)) if is_change(&more, &index_abs) => last = Instant::now(),
                            Ok(_) => {}
                            Err(_) => break,
                        }
                    }
                }
                Ok(_) | Err(RecvTimeoutError::Timeout) => {}
                Err(RecvTimeoutError::Disconnected) => return,
            }
            let now = identity(&archive);
            if now.is_some() && now != root {
                tracing::info!(archive = %archive.display(), "the archive folder was replaced: watching the new one");
                let _ = watcher.unwatch(&archive);
                match watcher.watch(&archive, RecursiveMode::Recursive) {
                    Ok(()) => root = now,
                    // Tried again at the next look (the folder may be moving still).
                    Err(e) => tracing::error!(error = %e, "cannot watch the new archive folder"),
                }
                pending = true;
            }
            let due = retry_at.is_some_and(|at| Instant::now() >= at);
            if !(due || pending && retry_at.is_none()) {
                continue;
            }
            pending = false;
            // A run that panics is a failed run: the watching goes on.
            let run = std::panic::catch_unwind(AssertUnwindSafe(|| reindex(&archive, &index_dir)));
            match run.unwrap_or_else(|_| Err(anyhow::anyhow!("the reindex panicked"))) {
                Ok(()) => {
                    catch_up.succeeded();
                    (retry_at, pause) = (None, FIRST_PAUSE);
                }
                Err(e) => {
                    let error = format!("{e:#}");
                    tracing::error!(error, retry_in = ?pause, "reindex failed");
                    catch_up.failed(error);
                    retry_at = Some(Instant::now() + pause);
                    pause = (pause * 2).min(LONGEST);
                }
            }
        }
    });
    Ok(())
}

/// Whether an event changes the archive: a file created, written, removed or renamed
/// outside the index folder (opening, reading and closing unwritten are not).
fn is_change(event: &notify::Event, index: &Path) -> bool {
    let kind = match event.kind {
        EventKind::Access(AccessKind::Close(AccessMode::Write)) => true,
        EventKind::Access(_) | EventKind::Other => false,
        EventKind::Modify(ModifyKind::Metadata(MetadataKind::AccessTime)) => false,
        EventKind::Create(_) | EventKind::Modify(_) | EventKind::Remove(_) | EventKind::Any => true,
    };
    kind && event.paths.iter().any(|p| !p.starts_with(index))
}

/// The archive folder's device and inode, to tell when another folder took its name.
fn identity(path: &Path) -> Option<(u64, u64)> {
    use std::os::unix::fs::MetadataExt;
    std::fs::metadata(path).ok().map(|m| (m.dev(), m.ino()))
}
