//! The parsed query: a tree of clauses ([`Node`]) with its warnings, the filters it
//! knows, date ranges, the limits a query is held to, and how the tree reads back.

use chrono::NaiveDate;

/// The longest query accepted, in characters.
pub const MAX_QUERY_CHARS: usize = 1000;
/// The most words, phrases and filters in one query.
pub const MAX_CLAUSES: usize = 40;
/// The deepest nesting of parentheses.
pub const MAX_DEPTH: usize = 8;

/// A query past our limits: the only way a query fails.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum QueryError {
    /// Too long.
    #[error("the query is {0} characters long; the limit is {MAX_QUERY_CHARS}")]
    TooLong(usize),
    /// Too many clauses.
    #[error("the query has more than {MAX_CLAUSES} words, phrases and filters; shorten it")]
    TooManyClauses,
    /// Parentheses nested too deep.
    #[error("parentheses are nested more than {MAX_DEPTH} deep; simplify the query")]
    TooDeep,
}

/// A field that takes an exact value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FilterField {
    /// `topic:`
    Topic,
    /// `source:`
    Source,
    /// `tag:` (items of entries tagged so)
    Tag,
    /// `lang:` (items of entries in a language: `fr`, `french`)
    Lang,
    /// `story:` (the items of one story, by its id)
    Story,
    /// `site:` (a link's domain)
    Site,
    /// `author:`
    Author,
    /// `series:`
    Series,
    /// `repo:` (a GitHub repository, `owner/name`)
    Repo,
    /// `title:` (words in an item's or entry's title)
    Title,
    /// Any list facet from front matter (`companies:`).
    Facet(String),
}

impl FilterField {
    fn name(&self) -> &str {
        match self {
            FilterField::Topic => "topic",
            FilterField::Source => "source",
            FilterField::Tag => "tag",
            FilterField::Lang => "lang",
            FilterField::Story => "story",
            FilterField::Site => "site",
            FilterField::Author => "author",
            FilterField::Series => "series",
            FilterField::Repo => "repo",
            FilterField::Title => "title",
            FilterField::Facet(name) => name,
        }
    }
}

/// A half-open range of days: `from` included, `to` excluded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DateRange {
    /// First day included.
    pub from: Option<NaiveDate>,
    /// First day excluded.
    pub to: Option<NaiveDate>,
}

/// A parsed query.
#[derive(Debug, Clone, PartialEq)]
pub enum Node {
    /// A word, analysed like the text.
    Word(String),
    /// Words in this order.
    Phrase(String),
    /// An exact value of a field.
    Filter(FilterField, String),
    /// A range of dates.
    Date(DateRange),
    /// Excluded.
    Not(Box<Node>),
    /// All must match.
    And(Vec<Node>),
    /// Any may match.
    Or(Vec<Node>),
}

/// The result of parsing: the tree (none for an empty query) and what was dropped.
#[derive(Debug, Clone, PartialEq)]
pub struct Parsed {
    /// The query tree; `None` browses everything.
    pub root: Option<Node>,
    /// What was not understood and how it was read instead.
    pub warnings: Vec<String>,
}

impl Parsed {
    /// Whether the query has words or phrases a match must or may contain: what a
    /// snippet marks.
    pub fn has_words(&self) -> bool {
        self.root.as_ref().is_some_and(|r| !r.positive_words().is_empty())
    }
}

/// A filter's value as the query language reads it back: in quotes when it has a
/// space, a quote or a parenthesis (quotes inside are dropped: a quoted value cannot
/// hold one), or is empty.
pub fn quote(value: &str) -> String {
    if value.is_empty()
        || value.contains(|c: char| c.is_whitespace() || c == '"' || c == '(' || c == ')')
    {
        format!("\"{}\"", value.replace('"', ""))
    } else {
        value.to_string()
    }
}

impl Node {
    /// The words and phrases a match must or may contain (not those excluded, not
    /// filters): what to mark in a matching text.
    pub fn positive_words(&self) -> Vec<&str> {
        match self {
            Node::Word(w) | Node::Phrase(w) => vec![w.as_str()],
            Node::And(parts) | Node::Or(parts) => {
                parts.iter().flat_map(Node::positive_words).collect()
            }
            Node::Not(_) | Node::Filter(..) | Node::Date(_) => vec![],
        }
    }

    /// The query without the words a match must or may contain: its filters, dates and
    /// exclusions, what any match must satisfy whatever its words (`None`: nothing).
    /// An OR with words among its choices asks nothing of a match without them.
    pub fn without_words(&self) -> Option<Node> {
        match self {
            Node::Word(_) | Node::Phrase(_) => None,
            Node::Filter(..) | Node::Date(_) | Node::Not(_) => Some(self.clone()),
            Node::And(parts) => {
                let mut kept: Vec<Node> = parts.iter().filter_map(Node::without_words).collect();
                match kept.len() {
                    0 => None,
                    1 => kept.pop(),
                    _ => Some(Node::And(kept)),
                }
            }
            Node::Or(parts) => {
                let kept: Option<Vec<Node>> = parts.iter().map(Node::without_words).collect();
                kept.map(Node::Or)
            }
        }
    }

    /// Whether a date range is anywhere in the query.
    pub fn has_dates(&self) -> bool {
        match self {
            Node::Date(_) => true,
            Node::Not(inner) => inner.has_dates(),
            Node::And(parts) | Node::Or(parts) => parts.iter().any(Node::has_dates),
            Node::Word(_) | Node::Phrase(_) | Node::Filter(..) => false,
        }
    }

    /// How the query was read, in the query language with every AND written out.
    pub fn interpreted(&self) -> String {
        match self {
            Node::Word(w) => w.clone(),
            Node::Phrase(p) => format!("\"{p}\""),
            Node::Filter(f, v) => format!("{}:{}", f.name(), quote(v)),
            Node::Date(range) => range.render(),
            Node::Not(inner) => format!("-{}", inner.interpreted_grouped()),
            Node::And(parts) => {
                parts.iter().map(Node::interpreted_grouped).collect::<Vec<_>>().join(" AND ")
            }
            Node::Or(parts) => {
                parts.iter().map(Node::interpreted_grouped).collect::<Vec<_>>().join(" OR ")
            }
        }
    }

    /// Like [`Node::interpreted`], in parentheses when it is a group.
    pub fn interpreted_grouped(&self) -> String {
        match self {
            Node::And(_) | Node::Or(_) => format!("({})", self.interpreted()),
            _ => self.interpreted(),
        }
    }
}
