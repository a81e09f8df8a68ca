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

use chrono::{Datelike, Duration, Months, NaiveDate};

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

#[derive(Debug, Clone, PartialEq)]
enum Token {
    Open,
    Close,
    Or,
    And,
    Not,
    Phrase(String),
    Word(String),
    Field(String, String),
}

fn lex(input: &str, warnings: &mut Vec<String>) -> Vec<Token> {
    let chars: Vec<char> = input.chars().collect();
    let mut tokens = vec![];
    let mut i = 0;
    let is_break = |c: char| c.is_whitespace() || c == '(' || c == ')' || c == '"';
    while i < chars.len() {
        let c = chars[i];
        if c.is_whitespace() {
            i += 1;
        } else if c == '(' {
            tokens.push(Token::Open);
            i += 1;
        } else if c == ')' {
            tokens.push(Token::Close);
            i += 1;
        } else if c == '"' {
            match chars[i + 1..].iter().position(|&c| c == '"') {
                Some(len) => {
                    tokens.push(Token::Phrase(chars[i + 1..i + 1 + len].iter().collect()));
                    i += len + 2;
                }
                None => {
                    warnings.push("unbalanced quote: searched the rest as words".into());
                    i += 1;
                }
            }
        } else if c == '-' && chars.get(i + 1).is_none_or(|&n| n != '-') {
            // A `-` opening a term excludes it; inside a word (`gpt-4o`) it is text.
            tokens.push(Token::Not);
            i += 1;
        } else {
            let start = i;
            while i < chars.len() && !is_break(chars[i]) {
                i += 1;
            }
            let word: String = chars[start..i].iter().collect();
            // `name:"a value"` takes the quoted value.
            if let Some(name) = word.strip_suffix(':').filter(|n| is_name(n))
                && chars.get(i) == Some(&'"')
                && let Some(len) = chars[i + 1..].iter().position(|&c| c == '"')
            {
                tokens.push(Token::Field(
                    name.to_lowercase(),
                    chars[i + 1..i + 1 + len].iter().collect(),
                ));
                i += len + 2;
                continue;
            }
            tokens.push(match word.as_str() {
                "OR" | "||" => Token::Or,
                "AND" | "&&" => Token::And,
                "NOT" => Token::Not,
                _ => match word.split_once(':') {
                    Some((name, value))
                        if is_name(name) && !value.is_empty() && !value.starts_with("//") =>
                    {
                        Token::Field(name.to_lowercase(), value.to_string())
                    }
                    _ => Token::Word(word),
                },
            });
        }
    }
    tokens
}

fn is_name(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 32
        && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
}

struct Parser<'a> {
    tokens: Vec<Token>,
    pos: usize,
    clauses: usize,
    today: NaiveDate,
    is_facet: &'a dyn Fn(&str) -> bool,
    warnings: Vec<String>,
}

/// Parses a query. `today` anchors relative dates; `is_facet` says whether a name is a
/// list facet of the index (`companies:`).
pub fn parse(
    input: &str,
    today: NaiveDate,
    is_facet: &dyn Fn(&str) -> bool,
) -> Result<Parsed, QueryError> {
    let len = input.chars().count();
    if len > MAX_QUERY_CHARS {
        return Err(QueryError::TooLong(len));
    }
    let mut warnings = vec![];
    let tokens = lex(input, &mut warnings);
    let mut p = Parser { tokens, pos: 0, clauses: 0, today, is_facet, warnings };
    let mut parts = vec![];
    loop {
        if let Some(node) = p.and(0)? {
            parts.push(node);
        }
        match p.peek() {
            None => break,
            Some(Token::Close) => {
                p.pos += 1;
                p.warnings.push("unmatched `)` ignored".into());
            }
            Some(_) => unreachable!("and() stops only at `)` or the end"),
        }
    }
    let root = simplify(Node::And(parts));
    Ok(Parsed { root, warnings: p.warnings })
}

impl Parser<'_> {
    fn peek(&self) -> Option<&Token> {
        self.tokens.get(self.pos)
    }

    /// A sequence of terms that must all match (AND is implied).
    fn and(&mut self, depth: usize) -> Result<Option<Node>, QueryError> {
        let mut parts = vec![];
        loop {
            match self.peek() {
                None | Some(Token::Close) => break,
                Some(Token::And) => self.pos += 1,
                Some(Token::Or) => {
                    self.pos += 1;
                    self.warnings.push("`OR` needs something on both sides; ignored".into());
                }
                Some(_) => {
                    if let Some(node) = self.or(depth)? {
                        parts.push(node);
                    }
                }
            }
        }
        Ok(simplify(Node::And(parts)))
    }

    /// Terms joined by OR, which binds tighter than the implied AND: `a b OR c` is
    /// `a AND (b OR c)`.
    fn or(&mut self, depth: usize) -> Result<Option<Node>, QueryError> {
        let mut alternatives: Vec<Node> = self.unary(depth)?.into_iter().collect();
        while self.peek() == Some(&Token::Or) {
            self.pos += 1;
            if matches!(self.peek(), None | Some(Token::Close | Token::Or | Token::And)) {
                self.warnings.push("`OR` needs something on both sides; ignored".into());
                break;
            }
            alternatives.extend(self.unary(depth)?);
        }
        Ok(simplify(Node::Or(alternatives)))
    }

    fn unary(&mut self, depth: usize) -> Result<Option<Node>, QueryError> {
        let mut negations = 0;
        while self.peek() == Some(&Token::Not) {
            self.pos += 1;
            negations += 1;
        }
        if negations > 0
            && matches!(self.peek(), None | Some(Token::Close | Token::Or | Token::And))
        {
            self.warnings.push("`-` must stand right before what it excludes; ignored".into());
            return Ok(None);
        }
        let node = self.primary(depth)?;
        Ok(if negations % 2 == 1 { node.map(|n| Node::Not(Box::new(n))) } else { node })
    }

    fn primary(&mut self, depth: usize) -> Result<Option<Node>, QueryError> {
        let token = self.tokens[self.pos].clone();
        self.pos += 1;
        match token {
            Token::Open => {
                if depth + 1 > MAX_DEPTH {
                    return Err(QueryError::TooDeep);
                }
                let inner = self.and(depth + 1)?;
                if self.peek() == Some(&Token::Close) {
                    self.pos += 1;
                } else {
                    self.warnings.push("missing `)` added at the end".into());
                }
                Ok(inner)
            }
            Token::Phrase(p) => {
                if p.split_whitespace().next().is_none() {
                    self.warnings.push("empty phrase `\"\"` ignored".into());
                    return Ok(None);
                }
                self.clause()?;
                Ok(Some(Node::Phrase(p.split_whitespace().collect::<Vec<_>>().join(" "))))
            }
            Token::Word(w) => {
                self.clause()?;
                Ok(Some(Node::Word(w)))
            }
            Token::Field(name, value) => {
                self.clause()?;
                Ok(self.field(&name, value))
            }
            Token::Close | Token::Or | Token::And | Token::Not => {
                unreachable!("handled by the callers")
            }
        }
    }

    fn clause(&mut self) -> Result<(), QueryError> {
        self.clauses += 1;
        if self.clauses > MAX_CLAUSES { Err(QueryError::TooManyClauses) } else { Ok(()) }
    }

    fn field(&mut self, name: &str, value: String) -> Option<Node> {
        let value = value.trim().to_string();
        let filter = |f: FilterField| Some(Node::Filter(f, value.clone()));
        match name {
            "topic" | "topics" => filter(FilterField::Topic),
            "tag" | "tags" => filter(FilterField::Tag),
            "lang" | "language" => filter(FilterField::Lang),
            "story" => filter(FilterField::Story),
            "source" | "sources" | "from" => filter(FilterField::Source),
            "site" | "domain" => filter(FilterField::Site),
            "author" | "by" => filter(FilterField::Author),
            "series" => filter(FilterField::Series),
            "repo" => filter(FilterField::Repo),
            "title" => filter(FilterField::Title),
            "date" | "on" | "in" => self.date(name, &value, |d| d),
            "after" | "since" => self.date(name, &value, |d| DateRange { from: d.from, to: None }),
            "before" | "until" => self.date(name, &value, |d| DateRange { from: None, to: d.from }),
            _ if (self.is_facet)(name) => filter(FilterField::Facet(name.to_string())),
            _ => {
                self.warnings.push(format!(
                    "unknown operator `{name}:`; searched `{name}:{value}` as words"
                ));
                Some(Node::Phrase(format!("{name} {value}")))
            }
        }
    }

    fn date(
        &mut self,
        name: &str,
        value: &str,
        shape: impl Fn(DateRange) -> DateRange,
    ) -> Option<Node> {
        match date_range(value, self.today) {
            Some(range) => Some(Node::Date(shape(range))),
            None => {
                self.warnings.push(format!(
                    "`{name}:{value}` is not a date (try 2026, 2026-04, 2026-04-16, 2026-04-01..2026-04-30 or -30d); ignored"
                ));
                None
            }
        }
    }
}

/// Flattens single-child groups and nested groups of the same kind.
fn simplify(node: Node) -> Option<Node> {
    match node {
        Node::And(parts) | Node::Or(parts) if parts.is_empty() => None,
        Node::And(mut parts) | Node::Or(mut parts) if parts.len() == 1 => parts.pop(),
        Node::And(parts) => Some(Node::And(
            parts
                .into_iter()
                .flat_map(|p| if let Node::And(inner) = p { inner } else { vec![p] })
                .collect(),
        )),
        Node::Or(parts) => Some(Node::Or(
            parts
                .into_iter()
                .flat_map(|p| if let Node::Or(inner) = p { inner } else { vec![p] })
                .collect(),
        )),
        other => Some(other),
    }
}

/// `2026`, `2026-04`, `2026-04-16`, `A..B`, relative `-30d`/`-2w`/`-6m`/`-1y`, `today`,
/// `yesterday` -> a half-open range of days.
pub fn date_range(value: &str, today: NaiveDate) -> Option<DateRange> {
    if let Some((a, b)) = value.split_once("..") {
        let from = if a.is_empty() { None } else { Some(date_range(a, today)?.from?) };
        let to = if b.is_empty() { None } else { Some(date_range(b, today)?.to?) };
        return Some(DateRange { from, to });
    }
    let day = |d: NaiveDate| DateRange { from: Some(d), to: d.succ_opt() };
    match value.to_ascii_lowercase().as_str() {
        "today" => return Some(day(today)),
        "yesterday" => return today.pred_opt().map(day),
        _ => {}
    }
    if let Some(rel) = value.strip_prefix('-') {
        let (n, unit) = rel.split_at(rel.find(|c: char| !c.is_ascii_digit())?);
        let n: u32 = n.parse().ok().filter(|&n| n <= 100_000)?;
        let start = match unit {
            "d" => today.checked_sub_signed(Duration::days(n.into()))?,
            "w" => today.checked_sub_signed(Duration::weeks(n.into()))?,
            "m" => today.checked_sub_months(Months::new(n))?,
            "y" => today.checked_sub_months(Months::new(n.checked_mul(12)?))?,
            _ => return None,
        };
        return Some(DateRange { from: Some(start), to: None });
    }
    let parts: Vec<&str> = value.split(['-', '/']).collect();
    let num = |s: &str| s.parse::<u32>().ok();
    let year = |s: &str| {
        Some(s)
            .filter(|s| s.len() == 4)
            .and_then(|s| s.parse::<i32>().ok())
            .filter(|y| (1000..=9998).contains(y))
    };
    match parts.as_slice() {
        [y] => {
            let y = year(y)?;
            Some(DateRange {
                from: NaiveDate::from_ymd_opt(y, 1, 1),
                to: NaiveDate::from_ymd_opt(y + 1, 1, 1),
            })
        }
        [y, m] => {
            let start = NaiveDate::from_ymd_opt(year(y)?, num(m)?, 1)?;
            Some(DateRange { from: Some(start), to: start.checked_add_months(Months::new(1)) })
        }
        [y, m, d] => NaiveDate::from_ymd_opt(year(y)?, num(m)?, num(d)?).map(day),
        _ => None,
    }
}

impl DateRange {
    fn render(&self) -> String {
        let last = |d: NaiveDate| d.pred_opt().unwrap_or(d);
        match (self.from, self.to) {
            (Some(f), Some(t)) if t == f.succ_opt().unwrap_or(f) => format!("date:{f}"),
            (Some(f), Some(t))
                if f.day() == 1
                    && f.month() == 1
                    && t == NaiveDate::from_ymd_opt(f.year() + 1, 1, 1).unwrap_or(t) =>
            {
                format!("date:{}", f.year())
            }
            (Some(f), Some(t))
                if f.day() == 1 && Some(t) == f.checked_add_months(Months::new(1)) =>
            {
                format!("date:{}", f.format("%Y-%m"))
            }
            (Some(f), Some(t)) => format!("date:{f}..{}", last(t)),
            (Some(f), None) => format!("after:{f}"),
            (None, Some(t)) => format!("before:{t}"),
            (None, None) => "date:..".into(),
        }
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

#[cfg(test)]
mod tests {
    use super::*;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 26).unwrap()
    }

    fn read(q: &str) -> (String, Vec<String>) {
        let parsed = parse(q, today(), &|name| name == "companies").unwrap();
        (parsed.root.map(|r| r.interpreted()).unwrap_or_default(), parsed.warnings)
    }

    #[test]
    fn interpretations() {
        let cases = [
            ("speculative decoding", "speculative AND decoding"),
            ("\"agent memory\" -hype", "\"agent memory\" AND -hype"),
            ("a OR b c", "(a OR b) AND c"),
            ("a b OR c", "a AND (b OR c)"),
            ("(a b) OR c", "(a AND b) OR c"),
            ("(a OR b) c", "(a OR b) AND c"),
            ("topic:agents source:\"Hacker News\"", "topic:agents AND source:\"Hacker News\""),
            ("date:2026-04", "date:2026-04"),
            ("date:2026", "date:2026"),
            ("date:2026-04-16", "date:2026-04-16"),
            ("date:2026-04-01..2026-04-30", "date:2026-04"),
            ("date:2026-04-01..2026-04-15", "date:2026-04-01..2026-04-15"),
            ("after:2026-04-01 before:2026-05-01", "after:2026-04-01 AND before:2026-05-01"),
            ("after:-30d", "after:2026-10-27"),
            ("companies:Mistral", "companies:Mistral"),
            ("gpt-4o llama.cpp", "gpt-4o AND llama.cpp"),
            ("-\"hype cycle\" x", "-\"hype cycle\" AND x"),
            ("NOT a", "-a"),
            ("a AND b", "a AND b"),
            ("https://example.com/x", "https://example.com/x"),
            ("", ""),
        ];
        for (q, want) in cases {
            let (got, warnings) = read(q);
            assert_eq!(got, want, "{q:?}");
            assert!(warnings.is_empty(), "{q:?}: {warnings:?}");
        }
    }

    #[test]
    fn garbage_is_read_with_warnings() {
        let cases: [(&str, &str, &str); 9] = [
            ("\"unclosed phrase", "unclosed AND phrase", "unbalanced quote"),
            ("(a b", "a AND b", "missing `)`"),
            ("a b)", "a AND b", "unmatched `)`"),
            ("wat:ever x", "\"wat ever\" AND x", "unknown operator"),
            ("date:2026-02-30 x", "x", "not a date"),
            ("after:someday", "", "not a date"),
            ("OR a", "a", "OR"),
            ("a -", "a", "`-`"),
            ("\"\" x", "x", "empty phrase"),
        ];
        for (q, want, warning) in cases {
            let (got, warnings) = read(q);
            assert_eq!(got, want, "{q:?}");
            assert!(warnings.iter().any(|w| w.contains(warning)), "{q:?}: {warnings:?}");
        }
    }

    #[test]
    fn operators_alone_and_punctuation_never_fail() {
        for q in [
            "OR", "AND", "-", "()", ")(", "\"", ":", "topic:", "((((", "))))", "- - -", "OR OR OR",
            "\u{0}", "a:b:c",
        ] {
            assert!(parse(q, today(), &|_| false).is_ok(), "{q:?}");
        }
    }

    #[test]
    fn limits() {
        assert_eq!(
            parse(&"a".repeat(MAX_QUERY_CHARS + 1), today(), &|_| false),
            Err(QueryError::TooLong(MAX_QUERY_CHARS + 1))
        );
        let many = (0..=MAX_CLAUSES).map(|i| format!("w{i}")).collect::<Vec<_>>().join(" ");
        assert_eq!(parse(&many, today(), &|_| false), Err(QueryError::TooManyClauses));
        let deep = format!("{}a{}", "(".repeat(MAX_DEPTH + 1), ")".repeat(MAX_DEPTH + 1));
        assert_eq!(parse(&deep, today(), &|_| false), Err(QueryError::TooDeep));
        let ok = format!("{}a{}", "(".repeat(MAX_DEPTH), ")".repeat(MAX_DEPTH));
        assert_eq!(read(&ok).0, "a");
    }

    #[test]
    fn date_ranges() {
        let d = |y, m, day| NaiveDate::from_ymd_opt(y, m, day);
        assert_eq!(
            date_range("2026-04", today()),
            Some(DateRange { from: d(2026, 4, 1), to: d(2026, 5, 1) })
        );
        assert_eq!(
            date_range("2026-12", today()),
            Some(DateRange { from: d(2026, 12, 1), to: d(2027, 1, 1) })
        );
        assert_eq!(
            date_range("..2026-04", today()),
            Some(DateRange { from: None, to: d(2026, 5, 1) })
        );
        assert_eq!(date_range("-2w", today()), Some(DateRange { from: d(2026, 11, 12), to: None }));
        assert_eq!(date_range("-1y", today()), Some(DateRange { from: d(2025, 11, 26), to: None }));
        assert_eq!(
            date_range("yesterday", today()),
            Some(DateRange { from: d(2026, 11, 25), to: d(2026, 11, 26) })
        );
        for bad in
            ["2026-02-30", "26", "99999", "-5x", "-99999999999d", "2026-13", "abc", "2026-04-01..x"]
        {
            assert_eq!(date_range(bad, today()), None, "{bad}");
        }
    }
}
