//! What every handler shares: the engine, the turns on it, and how the server's own
//! reindexing fares.

use std::sync::{Arc, Mutex};

use super::auth::Guard;
use crate::search::Engine;
use crate::search::abandon::Abandon;

/// What every handler shares.
pub struct AppState {
    /// The searcher (shared with the thread that checks the index).
    pub engine: Arc<Engine>,
    /// Requests served at once; more are answered 503 at once, never queued.
    pub max_in_flight: usize,
    /// Engine work running at once: two per core. Admitted requests wait their turn
    /// here, so a burst costs neither more threads nor more memory than the cores use;
    /// a turn ends when its work does, even if its request was abandoned first.
    workers: Arc<tokio::sync::Semaphore>,
    /// How long a request may take before it is answered 408 and its work abandoned.
    pub timeout: std::time::Duration,
    /// The MCP server at `/mcp` (`serve --mcp`), with the base URL its answers link to.
    pub mcp: Option<String>,
    /// Credentials every request must carry (`serve --auth-file`); `None` serves all.
    pub guard: Option<Arc<Guard>>,
    /// How the server's reindexing (`--watch`) fares: `/healthz` says when it fails.
    pub catch_up: Arc<CatchUp>,
}

/// Whether the reindexing a server does by itself is failing, since when and why.
#[derive(Debug, Default)]
pub struct CatchUp(Mutex<Option<Failing>>);

#[derive(Debug, Clone)]
struct Failing {
    since: chrono::DateTime<chrono::Utc>,
    error: String,
}

impl CatchUp {
    /// A run failed: failing since the first failure in a row, for the last one's cause.
    pub fn failed(&self, error: String) {
        let mut failing = self.0.lock().unwrap_or_else(|e| e.into_inner());
        let since = failing.as_ref().map_or_else(chrono::Utc::now, |f| f.since);
        *failing = Some(Failing { since, error });
    }

    /// A run succeeded.
    pub fn succeeded(&self) {
        *self.0.lock().unwrap_or_else(|e| e.into_inner()) = None;
    }

    /// "failing since 2026-12-04T20:00:00Z: cause", while it fails.
    pub fn failing(&self) -> Option<String> {
        let failing = self.0.lock().unwrap_or_else(|e| e.into_inner()).clone()?;
        let since = failing.since.to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
        Some(format!("failing since {since}: {}", failing.error))
    }
}

impl AppState {
    /// The state of a server over this engine.
    pub fn new(engine: Arc<Engine>, max_in_flight: usize) -> AppState {
        let cores = crate::cores();
        AppState {
            engine,
            max_in_flight: max_in_flight.max(1),
            workers: Arc::new(tokio::sync::Semaphore::new(cores * 2)),
            timeout: super::REQUEST_TIMEOUT,
            mcp: None,
            guard: None,
            catch_up: Arc::default(),
        }
    }

    /// The same state asking every request for credentials.
    pub fn with_guard(mut self, guard: Guard) -> AppState {
        self.guard = Some(Arc::new(guard));
        self
    }

    /// The same state serving the MCP tools at `/mcp`, its answers linking to `base_url`.
    pub fn with_mcp(mut self, base_url: &str) -> AppState {
        self.mcp = Some(base_url.to_string());
        self
    }

    /// The same state answering 408 after `timeout`.
    pub fn with_timeout(mut self, timeout: std::time::Duration) -> AppState {
        self.timeout = timeout;
        self
    }

    /// Runs engine work on the blocking pool, so searches never stall the event loop.
    /// When the request is dropped first (its timeout answered 408, its client left),
    /// the work is abandoned: it stops at its next step ([`crate::search::abandon::checkpoint`]).
    pub async fn blocking<T: Send + 'static>(
        self: &Arc<Self>,
        work: impl FnOnce(&Engine) -> T + Send + 'static,
    ) -> T {
        /// Abandons the request's work when dropped armed.
        struct OnDrop(Option<Arc<Abandon>>);
        impl Drop for OnDrop {
            fn drop(&mut self) {
                if let Some(request) = self.0.take() {
                    request.abandon();
                }
            }
        }
        let workers = Arc::clone(&self.workers);
        let turn = workers.acquire_owned().await.expect("the semaphore is never closed");
        let request = Arc::new(Abandon::default());
        let mut on_drop = OnDrop(Some(Arc::clone(&request)));
        let state = Arc::clone(self);
        let done = tokio::task::spawn_blocking(move || {
            let _turn = turn;
            let value = request.run(|| work(&state.engine));
            if let Some(at) = request.abandoned_at() {
                let after_ms = at.elapsed().as_millis() as u64;
                tracing::warn!(after_ms, "the work of an abandoned request stopped");
            }
            value
        })
        .await;
        on_drop.0 = None;
        match done {
            Ok(value) => value,
            Err(join) => std::panic::resume_unwind(join.into_panic()),
        }
    }
}
