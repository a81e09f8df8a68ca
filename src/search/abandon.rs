//! Work for a request that may be abandoned. The server marks a request abandoned when
//! it stops waiting for its answer (past its timeout, or its client gone), and the
//! engine's loops look between their steps ([`checkpoint`]), so a thread of the blocking
//! pool is free again within a step rather than at the end of work no one will read.
//!
//! The mark is per thread: the server runs each request's work on one thread of the
//! blocking pool, inside [`Abandon::run`]. Work run elsewhere (the command line, tests)
//! has no mark and is never abandoned.

use std::cell::RefCell;
use std::sync::{Arc, OnceLock};
use std::time::Instant;

use super::SearchError;

thread_local! {
    static CURRENT: RefCell<Option<Arc<Abandon>>> = const { RefCell::new(None) };
}

/// Whether a request's work is still wanted: since when it is not, once it is not.
#[derive(Debug, Default)]
pub struct Abandon {
    at: OnceLock<Instant>,
}

impl Abandon {
    /// Marks the request abandoned (the first time only counts).
    pub fn abandon(&self) {
        let _ = self.at.set(Instant::now());
    }

    /// When the request was abandoned, if it was.
    pub fn abandoned_at(&self) -> Option<Instant> {
        self.at.get().copied()
    }

    /// Runs `work` on this thread as this request's work: [`checkpoint`] and
    /// [`abandoned`] see this mark until it returns (or panics).
    pub fn run<T>(self: &Arc<Self>, work: impl FnOnce() -> T) -> T {
        struct Reset;
        impl Drop for Reset {
            fn drop(&mut self) {
                CURRENT.with(|current| *current.borrow_mut() = None);
            }
        }
        CURRENT.with(|current| *current.borrow_mut() = Some(Arc::clone(self)));
        let _reset = Reset;
        work()
    }
}

/// Whether the request this thread works for was abandoned.
pub fn abandoned() -> bool {
    CURRENT.with(|current| current.borrow().as_ref().is_some_and(|a| a.at.get().is_some()))
}

/// [`SearchError::Abandoned`] once the request this thread works for was abandoned.
pub fn checkpoint() -> Result<(), SearchError> {
    if abandoned() { Err(SearchError::Abandoned) } else { Ok(()) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_work_of_an_abandoned_request_stops() {
        assert!(checkpoint().is_ok(), "work with no request is never abandoned");
        let request = Arc::new(Abandon::default());
        let steps = request.run(|| {
            (0..10)
                .take_while(|&step| {
                    if step == 3 {
                        request.abandon();
                    }
                    checkpoint().is_ok()
                })
                .count()
        });
        assert_eq!(steps, 3);
        assert!(request.abandoned_at().is_some());
        assert!(checkpoint().is_ok(), "the mark ends with its work");
        let other = Arc::new(Abandon::default());
        assert!(other.run(|| checkpoint().is_ok()));
    }
}
