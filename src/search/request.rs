//! What a search asks for: [`SearchRequest`], its order ([`Sort`]) and its grouping
//! ([`Group`]), and the limits that every surface (CLI, API, pages) shares.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::SearchError;

/// The most hits on one page.
pub const MAX_PER_PAGE: usize = 100;
/// The deepest page: past it, ask for a narrower query.
pub const MAX_PAGE: usize = 1000;
/// Matches counted one by one before totals and facet counts are estimated from a
/// sample ([`SearchRequest::exact`] counts them all).
pub const COUNT_LIMIT: usize = 10_000;

/// The order of hits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Sort {
    /// Best match first; ties broken by newer date.
    Relevance,
    /// Newest entry first.
    Newest,
    /// Oldest entry first.
    Oldest,
}

impl Sort {
    /// Every order, as offered to readers.
    pub const ALL: [Sort; 3] = [Sort::Relevance, Sort::Newest, Sort::Oldest];

    /// Its name in URLs, on the command line and in JSON.
    pub fn name(self) -> &'static str {
        match self {
            Sort::Relevance => "relevance",
            Sort::Newest => "newest",
            Sort::Oldest => "oldest",
        }
    }

    /// The order when none is asked for: newest when there is nothing to rank by
    /// (`browsing`: the query has no clause left once parsed), relevance otherwise.
    pub fn default_for(browsing: bool) -> Sort {
        if browsing { Sort::Newest } else { Sort::Relevance }
    }
}

impl std::str::FromStr for Sort {
    type Err = String;
    fn from_str(s: &str) -> Result<Sort, String> {
        Sort::ALL
            .into_iter()
            .find(|sort| sort.name() == s)
            .ok_or_else(|| format!("`{s}` is not a sort order: use relevance, newest or oldest"))
    }
}

/// How hits are returned.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Group {
    /// One hit per matching item.
    #[default]
    Item,
    /// Matching items grouped under their entry; a page is `per_page` entries.
    Entry,
    /// One hit per story: the best-ranked mention stands for the others (its `story`
    /// counts them); items in no story are their own.
    Story,
}

impl std::str::FromStr for Group {
    type Err = String;
    fn from_str(s: &str) -> Result<Group, String> {
        match s {
            "item" => Ok(Group::Item),
            "entry" => Ok(Group::Entry),
            "story" => Ok(Group::Story),
            _ => Err(format!("`{s}` is not a grouping: use item, entry or story")),
        }
    }
}

/// How a search ranks by relevance.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Mode {
    /// By the query's words (BM25).
    #[default]
    Keyword,
    /// By its words and by its meaning: the words' ranking fused with the items whose
    /// vectors are nearest the query's (see `search::meaning`).
    Hybrid,
}

impl Mode {
    /// Every mode, as offered to readers.
    pub const ALL: [Mode; 2] = [Mode::Keyword, Mode::Hybrid];

    /// Its name in URLs, on the command line and in JSON.
    pub fn name(self) -> &'static str {
        match self {
            Mode::Keyword => "keyword",
            Mode::Hybrid => "hybrid",
        }
    }
}

impl std::str::FromStr for Mode {
    type Err = String;
    fn from_str(s: &str) -> Result<Mode, String> {
        Mode::ALL
            .into_iter()
            .find(|mode| mode.name() == s)
            .ok_or_else(|| format!("`{s}` is not a search mode: use keyword or hybrid"))
    }
}

/// A search: the query text and structured filters added to it.
#[derive(Debug, Clone)]
pub struct SearchRequest {
    /// The query, in the query language.
    pub q: String,
    /// Topics every hit must have (added to the query's filters).
    pub topics: Vec<String>,
    /// Sources every hit must have.
    pub sources: Vec<String>,
    /// Tags every hit's entry must have.
    pub tags: Vec<String>,
    /// First day included.
    pub from: Option<NaiveDate>,
    /// Last day included.
    pub to: Option<NaiveDate>,
    /// The order; by default relevance, or newest for an empty query
    /// ([`Sort::default_for`]).
    pub sort: Option<Sort>,
    /// 1-based page number.
    pub page: usize,
    /// Hits per page, at most [`MAX_PER_PAGE`].
    pub per_page: usize,
    /// The day relative dates (`after:-30d`) count from; today by default.
    pub today: Option<NaiveDate>,
    /// Hits one per item, or grouped by entry (pages then count entries).
    pub group: Group,
    /// Count every match, however many: the total, facet and month counts are then
    /// exact (by default they are estimated past [`SearchRequest::count_limit`]).
    pub exact: bool,
    /// Matches counted exactly before the counts are estimated ([`COUNT_LIMIT`]).
    pub count_limit: usize,
    /// How relevance ranks: by words, or by words and meaning.
    pub mode: Mode,
}

impl Default for SearchRequest {
    fn default() -> Self {
        SearchRequest {
            q: String::new(),
            topics: vec![],
            sources: vec![],
            tags: vec![],
            from: None,
            to: None,
            sort: None,
            page: 1,
            per_page: 10,
            today: None,
            group: Group::Item,
            exact: false,
            count_limit: COUNT_LIMIT,
            mode: Mode::default(),
        }
    }
}

impl SearchRequest {
    /// A request for this query with defaults for everything else.
    pub fn new(q: impl Into<String>) -> Self {
        SearchRequest { q: q.into(), ..Default::default() }
    }

    /// Refuses a page or a page size out of range.
    pub fn validate(&self) -> Result<(), SearchError> {
        if self.page == 0 || self.page > MAX_PAGE {
            return Err(SearchError::BadParameter {
                param: "page",
                message: format!("must be between 1 and {MAX_PAGE}"),
            });
        }
        if self.per_page == 0 || self.per_page > MAX_PER_PAGE {
            return Err(SearchError::BadParameter {
                param: "per_page",
                message: format!("must be between 1 and {MAX_PER_PAGE}"),
            });
        }
        Ok(())
    }

    /// Documents skipped before this page.
    pub fn offset(&self) -> usize {
        (self.page - 1) * self.per_page
    }
}
