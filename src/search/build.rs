//! The parsed query -> a Tantivy query over the schema's fields.

use std::ops::Bound;

use tantivy::query::{
    AllQuery, BooleanQuery, BoostQuery, ConstScoreQuery, DisjunctionMaxQuery, EmptyQuery, Occur,
    PhraseQuery, Query, RangeQuery, TermQuery,
};
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::{Searcher, Term};

use super::SearchRequest;
use super::query::{DateRange, FilterField, Node, Parsed};
use crate::index::{Fields, text_analyzer, to_datetime};

/// Fields searched for plain words, with their weights.
fn weighted(f: &Fields) -> [(Field, f32); 4] {
    [(f.title, 2.0), (f.entry_title, 1.2), (f.text, 1.0), (f.meta, 0.6)]
}

/// The Tantivy query, how it reads, and what was dropped while building it.
pub struct Built {
    pub query: Box<dyn Query>,
    pub interpreted: String,
    pub warnings: Vec<String>,
}

/// Builds the query for a request: the parsed query AND the request's own filters,
/// restricted to item documents.
pub fn build(f: &Fields, parsed: &Parsed, request: &SearchRequest) -> Built {
    let mut nodes: Vec<Node> = parsed.root.iter().cloned().collect();
    nodes.extend(request.topics.iter().map(|t| Node::Filter(FilterField::Topic, t.clone())));
    nodes.extend(request.sources.iter().map(|s| Node::Filter(FilterField::Source, s.clone())));
    if request.from.is_some() || request.to.is_some() {
        nodes.push(Node::Date(DateRange {
            from: request.from,
            to: request.to.and_then(|d| d.succ_opt()),
        }));
    }
    let root = match nodes.len() {
        0 => None,
        1 => nodes.pop(),
        _ => Some(Node::And(nodes)),
    };
    let mut builder = Builder { f, warnings: vec![] };
    let items =
        Box::new(TermQuery::new(Term::from_field_text(f.kind, "item"), IndexRecordOption::Basic));
    let items: Box<dyn Query> = Box::new(ConstScoreQuery::new(items, 0.0));
    let query: Box<dyn Query> = match root.as_ref().map(|r| builder.node(r)) {
        None => items,
        Some(Some(q)) => Box::new(BooleanQuery::new(vec![(Occur::Must, items), (Occur::Must, q)])),
        Some(None) => Box::new(EmptyQuery),
    };
    Built {
        query,
        interpreted: root.map(|r| r.interpreted()).unwrap_or_default(),
        warnings: builder.warnings,
    }
}

struct Builder<'a> {
    f: &'a Fields,
    warnings: Vec<String>,
}

impl Builder<'_> {
    /// `None` when the node can match nothing searchable (it was dropped with a warning).
    fn node(&mut self, node: &Node) -> Option<Box<dyn Query>> {
        match node {
            Node::Word(w) => self.words(w),
            Node::Phrase(p) => self.words(p),
            Node::Filter(field, value) => Some(self.filter(field, value)),
            Node::Date(range) => Some(date_query(self.f, range)),
            Node::Not(inner) => {
                let inner = self.node(inner)?;
                Some(Box::new(BooleanQuery::new(vec![
                    (Occur::Must, Box::new(AllQuery) as Box<dyn Query>),
                    (Occur::MustNot, inner),
                ])))
            }
            Node::And(parts) => {
                let mut clauses = vec![];
                for part in parts {
                    match (part, self.node(part)) {
                        (Node::Not(_), Some(q)) => {
                            // Exclusions subtract from the rest rather than stand alone.
                            clauses.push((Occur::MustNot, negated(q)));
                        }
                        (_, Some(q)) => clauses.push((Occur::Must, q)),
                        (_, None) => {}
                    }
                }
                if clauses.iter().all(|(o, _)| *o == Occur::MustNot) {
                    clauses.push((Occur::Must, Box::new(AllQuery)));
                }
                Some(Box::new(BooleanQuery::new(clauses)))
            }
            Node::Or(parts) => {
                let clauses: Vec<_> =
                    parts.iter().filter_map(|p| self.node(p)).map(|q| (Occur::Should, q)).collect();
                if clauses.is_empty() { None } else { Some(Box::new(BooleanQuery::new(clauses))) }
            }
        }
    }

    /// Words (one, or several in order) across the weighted text fields.
    fn words(&mut self, text: &str) -> Option<Box<dyn Query>> {
        let tokens = tokens(text);
        if tokens.is_empty() {
            self.warnings.push(format!("`{text}` has no letters or digits to search for; ignored"));
            return None;
        }
        let per_field = weighted(self.f).into_iter().map(|(field, boost)| {
            let q: Box<dyn Query> = if tokens.len() == 1 {
                Box::new(TermQuery::new(
                    Term::from_field_text(field, &tokens[0]),
                    IndexRecordOption::WithFreqs,
                ))
            } else {
                Box::new(PhraseQuery::new(
                    tokens.iter().map(|t| Term::from_field_text(field, t)).collect(),
                ))
            };
            Box::new(BoostQuery::new(q, boost)) as Box<dyn Query>
        });
        Some(Box::new(DisjunctionMaxQuery::with_tie_breaker(per_field.collect(), 0.3)))
    }

    fn filter(&mut self, field: &FilterField, value: &str) -> Box<dyn Query> {
        let f = self.f;
        let exact = |field: Field, value: &str| -> Box<dyn Query> {
            Box::new(TermQuery::new(
                Term::from_field_text(field, &value.to_lowercase()),
                IndexRecordOption::Basic,
            ))
        };
        match field {
            FilterField::Topic => exact(f.topics, value),
            FilterField::Source => exact(f.sources, value),
            FilterField::Author => exact(f.authors, value),
            FilterField::Series => exact(f.series, value),
            FilterField::Repo => {
                exact(f.repos, value.trim_start_matches("https://github.com/").trim_matches('/'))
            }
            FilterField::Site => {
                let site = value.trim_start_matches("https://").trim_start_matches("http://");
                let site = site.split('/').next().unwrap_or(site);
                exact(f.sites, site.strip_prefix("www.").unwrap_or(site))
            }
            FilterField::Facet(name) => exact(f.facets, &format!("{name}:{value}")),
            FilterField::Title => {
                let tokens = tokens(value);
                let in_field = |field: Field| -> Box<dyn Query> {
                    match tokens.len() {
                        0 => Box::new(EmptyQuery),
                        1 => Box::new(TermQuery::new(
                            Term::from_field_text(field, &tokens[0]),
                            IndexRecordOption::WithFreqs,
                        )),
                        _ => Box::new(PhraseQuery::new(
                            tokens.iter().map(|t| Term::from_field_text(field, t)).collect(),
                        )),
                    }
                };
                Box::new(BooleanQuery::new(vec![
                    (Occur::Should, in_field(f.title)),
                    (Occur::Should, in_field(f.entry_title)),
                ]))
            }
        }
    }
}

/// `Not(x)` comes back from [`Builder::node`] as `All - x`; inside an AND only `x` is
/// needed as the must-not clause.
fn negated(q: Box<dyn Query>) -> Box<dyn Query> {
    if let Some(b) = q.downcast_ref::<BooleanQuery>() {
        if let [(Occur::Must, _), (Occur::MustNot, inner)] = b.clauses() {
            return inner.box_clone();
        }
    }
    q
}

fn date_query(f: &Fields, range: &DateRange) -> Box<dyn Query> {
    let bound = |d: Option<chrono::NaiveDate>, inclusive: bool| match d {
        Some(d) => {
            let term = Term::from_field_date(f.date, to_datetime(d));
            if inclusive { Bound::Included(term) } else { Bound::Excluded(term) }
        }
        None => Bound::Unbounded,
    };
    Box::new(RangeQuery::new(bound(range.from, true), bound(range.to, false)))
}

/// The analysed terms of some text, as the index holds them.
pub fn tokens(text: &str) -> Vec<String> {
    let mut analyzer = text_analyzer();
    let mut stream = analyzer.token_stream(text);
    let mut out = vec![];
    while let Some(token) = stream.next() {
        out.push(token.text.clone());
    }
    out
}

/// Whether any item has a list facet called `name` (so `name:value` is a filter).
pub fn has_facet(searcher: &Searcher, f: &Fields, name: &str) -> bool {
    let prefix = format!("{}:", name.to_lowercase());
    let end = format!("{};", name.to_lowercase());
    searcher.segment_readers().iter().any(|segment| {
        let Ok(inverted) = segment.inverted_index(f.facets) else { return false };
        let mut stream =
            match inverted.terms().range().ge(prefix.as_bytes()).lt(end.as_bytes()).into_stream() {
                Ok(stream) => stream,
                Err(_) => return false,
            };
        stream.advance()
    })
}
