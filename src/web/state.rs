//! What every handler shares: the engine, and the turns on it.

use std::sync::Arc;

use super::auth::Guard;
use crate::search::Engine;

/// What every handler shares.
pub struct AppState {
    /// The searcher (shared with the thread that checks the index).
    pub engine: Arc<Engine>,
    /// Requests served at once; more are answered 503 at once, never queued.
    pub max_in_flight: usize,
    /// Engine work running at once: two per core. Admitted requests wait their turn
    /// here, so a burst costs neither more threads nor more memory than the cores use.
    workers: tokio::sync::Semaphore,
    /// Credentials every request must carry (`serve --auth-file`); `None` serves all.
    pub guard: Option<Arc<Guard>>,
}

impl AppState {
    /// The state of a server over this engine.
    pub fn new(engine: Arc<Engine>, max_in_flight: usize) -> AppState {
        let cores = crate::cores();
        AppState {
            engine,
            max_in_flight: max_in_flight.max(1),
            workers: tokio::sync::Semaphore::new(cores * 2),
            guard: None,
        }
    }

    /// The same state asking every request for credentials.
    pub fn with_guard(mut self, guard: Guard) -> AppState {
        self.guard = Some(Arc::new(guard));
        self
    }

    /// Runs engine work on the blocking pool, so searches never stall the event loop.
    pub async fn blocking<T: Send + 'static>(
        self: &Arc<Self>,
        work: impl FnOnce(&Engine) -> T + Send + 'static,
    ) -> T {
        let _turn = self.workers.acquire().await.expect("the semaphore is never closed");
        let state = Arc::clone(self);
        match tokio::task::spawn_blocking(move || work(&state.engine)).await {
            Ok(value) => value,
            Err(join) => std::panic::resume_unwind(join.into_panic()),
        }
    }
}
