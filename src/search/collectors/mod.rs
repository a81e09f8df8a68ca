//! Collectors over the matches of one query, one per file as in Tantivy's own
//! `collector` module: facet values ([`FacetCollector`]), months ([`MonthCollector`]),
//! distinct entries ([`EntryCount`]), the most held numbers ([`TopValues`]); and [`group_by_entry`] over a ranked list. Their
//! columns come from [`Columns`], opened once per segment and commit.

mod columns;
mod day_range;
mod entry_count;
mod facet;
mod group;
mod month;
mod top_values;

pub use self::columns::Columns;
pub use self::day_range::DayRange;
pub use self::entry_count::EntryCount;
pub use self::facet::FacetCollector;
pub use self::group::group_by_entry;
pub use self::month::MonthCollector;
pub use self::top_values::TopValues;
