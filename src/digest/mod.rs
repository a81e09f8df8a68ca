//! Markdown digest -> [`Entry`] with its [`Item`]s.
//!
//! [`Entry::parse`] (`parse.rs`) is pure: it takes an id and the file's text and does all
//! the work (front matter, dates, the outline's items, their anchors, sources and
//! topics), so tests call it directly. Reading a file ([`SourceFile::parse`],
//! [`Entry::from_bytes`]) and walking an archive ([`walk`]) are thin wrappers.
//! The types are in `entry.rs`, the error in `error.rs`; this root only declares and
//! re-exports.

mod anchors;
mod archive;
mod cjk;
pub mod date;
mod entry;
mod error;
pub mod front_matter;
mod history;
pub mod html;
pub mod language;
pub mod markdown;
pub mod meaning;
pub mod outline;
mod parse;
pub mod places;
pub mod sources;
pub mod stories;
pub mod taxonomy;
mod topics;

pub use self::anchors::slug;
pub use self::archive::{SourceFile, Walk, read_parallel, walk};
pub use self::cjk::is_cjk;
pub use self::entry::{Entry, Item, Link};
pub use self::error::{MAX_FILE_BYTES, ParseError};
pub use self::front_matter::Style;
pub use self::history::History;
pub use self::markdown::plain_text;
pub use self::taxonomy::Taxonomy;
pub use self::topics::shows_topic;

#[cfg(test)]
mod tests;
