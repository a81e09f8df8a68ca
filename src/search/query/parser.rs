//! Tokens -> the tree of clauses ([`Node`]), within the limits of clauses and depth.

use chrono::NaiveDate;

use super::lexer::{Token, lex};
use super::{
    DateRange, FilterField, MAX_CLAUSES, MAX_DEPTH, MAX_QUERY_CHARS, Node, Parsed, QueryError,
    date_range,
};

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
