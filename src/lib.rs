//! `archive`: keep and search an archive of Markdown digests.
//!
//! The modules follow the data:
//! Markdown file -> [`digest::Entry`] (with its [`digest::Item`]s) -> Tantivy documents
//! ([`index`]) -> query -> [`search::SearchResults`] -> JSON or text.
//! Dependencies point one way: `web -> search -> index -> digest`; `digest` knows
//! nothing of Tantivy, `web` nothing of it either beyond what `search` returns.
//! [`auth`] (the users file) stands apart: `web` checks requests against it.
#![warn(missing_docs)]

pub mod auth;
pub mod digest;
pub mod index;
pub mod search;
pub mod web;
