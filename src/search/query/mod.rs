//! The query language: a small grammar of our own, so that whatever a user types gives
//! results or an explanation, never a parser error or a hang.
//!
//! ```text
//! query   := and
//! and     := or+                          (AND is implied; the word AND is allowed)
//! or      := unary ("OR" unary)*          (OR binds tighter: `a b OR c` = a AND (b OR c))
//! unary   := ("-" | "NOT") primary | primary
//! primary := "(" and ")" | "\"phrase\"" | name ":" value | word
//! ```
//!
//! Operators: `topic:`, `source:`, `site:`, `author:`, `series:`, `title:`, `repo:`,
//! any list facet `name:value`, and dates (`date:2026-04`, `date:A..B`, `after:`,
//! `before:`, relative `after:-30d`). What is not understood is searched as words or
//! dropped, and said so in the warnings.
//!
//! `lexer` turns the text into tokens, `parser` the tokens into the tree of `tree`
//! ([`Node`]), `dates` reads date values; `compile` turns the tree into a Tantivy query
//! (with `speller`'s corrections).

pub(super) mod compile;
mod dates;
mod lexer;
mod parser;
pub(super) mod speller;
mod tree;

pub use self::dates::date_range;
pub use self::parser::parse;
pub use self::tree::{
    DateRange, FilterField, MAX_CLAUSES, MAX_DEPTH, MAX_QUERY_CHARS, Node, Parsed, QueryError,
    quote,
};

#[cfg(test)]
mod tests;
