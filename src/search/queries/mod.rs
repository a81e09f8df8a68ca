//! Tantivy query types of our own: `phrase` (a phrase ranked by its rarest word's
//! blocks, without reading every candidate's positions), `plus` (a word's score plus a
//! constant, for relaxed queries) and `gathered` (a date range read once per segment).

pub(super) mod gathered;
pub(super) mod phrase;
pub(super) mod plus;
