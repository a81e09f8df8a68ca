//! `archive`: keep and search an archive of Markdown digests.
//!
//! The modules follow the data:
//! Markdown file -> [`digest::Entry`] (with its [`digest::Item`]s) -> Tantivy documents
//! ([`index`]) -> query -> [`search::SearchResults`] -> JSON or text.
//! Dependencies point one way: `web -> search -> index -> digest`; `digest` knows
//! nothing of Tantivy, `web` nothing of it either beyond what `search` returns.
//! [`auth`] (the users file) stands apart: `web` checks requests against it.
#![warn(missing_docs)]

/// The cores this process may use (2 when that cannot be told): each pool caps it to
/// what its work gains from.
pub fn cores() -> usize {
    std::thread::available_parallelism().map_or(2, |n| n.get())
}

/// Runs `f`, turning a panic into its message (at most 200 characters): a parser bug
/// on one file, or Tantivy panicking on bytes it trusts without a checksum, becomes an
/// error to report, not a crash.
pub fn catch_panic<T>(f: impl FnOnce() -> T) -> Result<T, String> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)).map_err(|panic| {
        let message = panic
            .downcast_ref::<String>()
            .map(String::as_str)
            .or_else(|| panic.downcast_ref::<&str>().copied())
            .unwrap_or("unknown");
        message.chars().take(200).collect()
    })
}

pub mod auth;
pub mod digest;
pub mod index;
pub mod search;
pub mod web;
