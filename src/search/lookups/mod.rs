//! Lookups around what a search found: one entry and its neighbours (`entries`), stories
//! and their mentions (`stories`), a topic's or source's items per month (`trends`).
//! Each holds the `impl Engine` block of its lookups; the engine's own file holds the
//! search.

mod entries;
mod stories;
mod trends;

pub use self::entries::{Facet, RelatedBy};
pub use self::trends::every_month;
pub(crate) use self::trends::span;
