//! `archive serve`: index first when the index is missing or from another version;
//! otherwise serve at once and catch up with the archive in the background. With
//! `--watch`, reindex when files under the archive change (`watch`).

use std::net::SocketAddr;
use std::path::Path;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Instant;

use anyhow::Context;
use archive::index::{self, ReindexOptions, ReindexSummary};
use archive::search::{Engine, SearchError};
use archive::web::auth::Guard;
use archive::web::{self, AppState};

use crate::cli::ServeArgs;

pub fn run(archive: &Path, index_dir: &Path, args: &ServeArgs) -> anyhow::Result<ExitCode> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| "info,tantivy=warn".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    // The users file first: a broken one stops the server before any indexing.
    let guard = match &args.auth_file {
        Some(path) => {
            let guard = Guard::open(path, args.trusted_proxy.clone())?;
            tracing::info!(file = %path.display(), "every request but /healthz needs credentials");
            Some(guard)
        }
        None if !args.bind.ip().is_loopback() => {
            let warning = format!(
                "warning: serving on {} without --auth-file: anyone who can reach this address can read the archive",
                args.bind
            );
            eprintln!("archive: {warning}");
            None
        }
        None => None,
    };
    // An index that opens is served at once, checked against its checksums and brought
    // up to date in the background (the server follows the commit); a missing, outdated
    // or unreadable one is built first.
    let engine = match Engine::open(index_dir) {
        Ok(engine) => Arc::new(engine.with_drafts(args.drafts)),
        Err(e) if args.read_only => {
            return Err(anyhow::Error::new(e).context(format!(
                "--read-only never builds or repairs the index: cannot serve {}",
                index_dir.display()
            )));
        }
        Err(e) => {
            let full = matches!(e, SearchError::Damaged(_));
            if full {
                tracing::error!(cause = %e, "the index is damaged: rebuilding it");
            } else {
                tracing::info!(archive = %archive.display(), index = %index_dir.display(), "the index is missing or out of date: reindexing");
            }
            log_summary(&reindex(archive, index_dir, full)?);
            let engine = Engine::open(index_dir)
                .with_context(|| format!("cannot open the index at {}", index_dir.display()))?;
            Arc::new(engine.with_drafts(args.drafts))
        }
    };
    let (archive_dir, index_path, checked) =
        (archive.to_path_buf(), index_dir.to_path_buf(), Arc::clone(&engine));
    let read_only = args.read_only;
    std::thread::spawn(move || catch_up(&archive_dir, &index_path, &checked, read_only));
    let timeout = std::time::Duration::from_secs_f64(args.request_timeout);
    let mut state = AppState::new(engine, args.max_in_flight).with_timeout(timeout);
    if let Some(guard) = guard {
        state = state.with_guard(guard);
    }
    if args.mcp {
        state = state.with_mcp(&args.base_url);
    }
    let state = Arc::new(state);
    if args.watch {
        let catch_up = Arc::clone(&state.catch_up);
        super::watch::watch(archive.to_path_buf(), index_dir.to_path_buf(), catch_up, |a, i| {
            log_summary(&reindex(a, i, false)?);
            Ok(())
        })?;
    }
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    runtime.block_on(serve(state, args.bind))?;
    Ok(ExitCode::SUCCESS)
}

/// Verifies the served index's checksums (damage shows in `/healthz`), then reindexes
/// if the archive moved while the server was down (unless the index is another's).
fn catch_up(archive: &Path, index_dir: &Path, engine: &Engine, read_only: bool) {
    match engine.verify() {
        Ok(report) => {
            tracing::info!(files = report.files, bytes = report.bytes, "index checksums match")
        }
        Err(e) => tracing::error!(cause = %e, "index check failed"),
    }
    if read_only {
        return;
    }
    match index::needs_reindex(archive, index_dir) {
        Ok(true) => {
            tracing::info!("the index is behind the archive: reindexing");
            match reindex(archive, index_dir, false) {
                Ok(summary) => log_summary(&summary),
                Err(e) => tracing::error!(error = format!("{e:#}"), "reindex failed"),
            }
        }
        Ok(false) => {}
        Err(e) => {
            tracing::error!(error = format!("{e:#}"), "cannot compare the index with the archive")
        }
    }
}

fn reindex(archive: &Path, index_dir: &Path, full: bool) -> anyhow::Result<ReindexSummary> {
    let options = ReindexOptions { full, ..Default::default() };
    Ok(index::reindex(archive, index_dir, &options, &|_, _| {})?)
}

fn log_summary(s: &ReindexSummary) {
    for skipped in &s.skipped {
        let (path, reason) = (super::shown(&skipped.path), super::shown(&skipped.reason));
        tracing::warn!(%path, %reason, "skipped");
    }
    tracing::info!(
        added = s.added,
        updated = s.updated,
        removed = s.removed,
        unchanged = s.unchanged,
        entries = s.entries,
        items = s.items,
        seconds = format!("{:.2}", s.seconds),
        "reindexed"
    );
}

async fn serve(state: Arc<AppState>, bind: SocketAddr) -> anyhow::Result<()> {
    let started = Instant::now();
    let listener = tokio::net::TcpListener::bind(bind)
        .await
        .with_context(|| format!("cannot listen on {bind}"))?;
    let local = listener.local_addr()?;
    println!("archive: serving http://{local} (ready in {} ms)", started.elapsed().as_millis());
    tracing::info!(address = %local, "listening");
    web::listen::serve(listener, web::app(state), shutdown()).await;
    tracing::info!("shut down");
    Ok(())
}

/// Ctrl-C or SIGTERM.
async fn shutdown() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! { _ = ctrl_c => {}, _ = term => {} }
    tracing::info!("shutting down");
}
