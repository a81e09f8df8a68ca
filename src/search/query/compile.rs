//! The parsed query -> a Tantivy query over the schema's fields (the query language's
//! parse tree, [`crate::search::query::Node`], compiled clause by clause).

use std::ops::Bound;

use tantivy::query::{
    BooleanQuery, ConstScoreQuery, EmptyQuery, Occur, Query, RangeQuery, TermQuery,
};
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::{Searcher, Term};

use chrono::Datelike;

use crate::digest::date::Precision;
use crate::digest::language;
use crate::digest::stories::StoryId;
use crate::index::{Fields, Kind, analyze, language_query_analyzer, query_analyzer, to_datetime};
use crate::search::SearchRequest;
use crate::search::collectors::Columns;
use crate::search::meaning::Vectors;
use crate::search::names::SourceNames;
use crate::search::queries::gathered::Gathered;
use crate::search::queries::phrase::Phrase;
use crate::search::queries::plus::Plus;
use crate::search::query::speller::Speller;
use crate::search::query::{DateRange, FilterField, Node, Parsed};

/// What each matched word adds in a relaxed query (BM25 scores stay far below it).
pub const MATCHED_WORD: f32 = 1000.0;

/// The Tantivy query, how it reads, and what was dropped while building it.
pub struct Compiled {
    /// What matches: drafts left out unless they are searched.
    pub query: Box<dyn Query>,
    /// The same without leaving out drafts or what the query excludes, for ranking: a
    /// query of words stays one that Tantivy can prune, and the ranking passes over
    /// `hidden` itself.
    pub scored: Box<dyn Query>,
    /// The drafts, when they are left out, and the exclusions at the query's top.
    pub hidden: Option<Box<dyn Query>>,
    /// When the query has date ranges of its own: `query` with them gathered once per
    /// segment ([`Gathered`]), the same matches, for counting in windows, round after
    /// round.
    gathered: Option<Box<dyn Query>>,
    /// The documents whose positions matching the query's phrases may read: for each
    /// phrase, how many documents hold its rarest word.
    pub phrase_candidates: u64,
    pub interpreted: String,
    pub warnings: Vec<String>,
    /// For a relaxed query whose every word is in some item: each word on its own, for
    /// finding the digests that hold them all across their items.
    pub spread: Option<Spread>,
}

/// A relaxed query's words, each as its own query with the rest of the query (filters,
/// dates, exclusions, drafts left out) required and scoring nothing: rarest first.
pub struct Spread {
    pub words: Vec<Box<dyn Query>>,
}

impl Spread {
    /// What an item holding every word scores at least in the relaxed query.
    pub fn every_word(&self) -> f32 {
        self.words.len() as f32 * MATCHED_WORD
    }
}

impl Compiled {
    /// What matches, as read in windows: [`Compiled::query`], with its date ranges
    /// gathered.
    pub fn windowed(&self) -> &dyn Query {
        self.gathered.as_deref().unwrap_or(&*self.query)
    }

    /// What matches, as read over every match and as read in windows.
    pub fn both(&self) -> (&dyn Query, &dyn Query) {
        (&*self.query, self.windowed())
    }

    /// Whether the query has a date range of its own.
    pub fn dated(&self) -> bool {
        self.gathered.is_some()
    }
}

/// Builds the query for a request: the parsed query AND the request's own filters.
/// Only item documents carry the fields a query looks at, so only a query with nothing
/// positive in it (none at all, or only exclusions) names `kind:item`.
///
/// `relaxed` makes the words optional (at least one must match; more rank higher)
/// while filters, dates and exclusions stay required: the fallback when only a
/// handful of items have every word.
pub fn compile(scope: &Scope, parsed: &Parsed, request: &SearchRequest, relaxed: bool) -> Compiled {
    let f = scope.f;
    let mut nodes: Vec<Node> = parsed.root.iter().cloned().collect();
    nodes.extend(request_filters(request));
    let root = match nodes.len() {
        0 => None,
        1 => nodes.pop(),
        _ => Some(Node::And(nodes)),
    };
    // The speller's corrections are looked up once per search: building a node again
    // is cheap.
    let node = |node: &Node, dates| {
        let mut builder = Builder {
            scope,
            f,
            speller: scope.speller,
            relaxed,
            dates,
            warnings: vec![],
            phrase_candidates: 0,
            words: vec![],
        };
        let query = builder.node(node);
        (query, builder.warnings, builder.phrase_candidates, builder.words)
    };
    type Built = (Box<dyn Query>, Vec<String>, u64, Vec<(u64, Box<dyn Query>)>);
    let build = |root: Option<&Node>, dates| -> Built {
        match root.map(|r| node(r, dates)) {
            None => (kind(f, Kind::Item), vec![], 0, vec![]),
            Some((Some(q), warnings, phrases, words)) => (q, warnings, phrases, words),
            Some((None, warnings, phrases, words)) => {
                (Box::new(EmptyQuery), warnings, phrases, words)
            }
        }
    };
    let visible = |query: &dyn Query| match scope.drafts {
        true => query.box_clone(),
        false => without_drafts(f, query.box_clone()),
    };
    let (query, warnings, phrase_candidates, mut words) = build(root.as_ref(), Dates::Terms);
    words.sort_by_key(|(docs, _)| *docs);
    let spread = (words.len() >= 2)
        .then(|| Spread { words: words.iter().map(|(_, q)| visible(&**q)).collect() });
    let gathered = root
        .as_ref()
        .filter(|r| r.has_dates())
        .map(|r| visible(&*build(Some(r), Dates::Gathered).0));
    // An exclusion makes a query of words one that Tantivy cannot prune: the ranking
    // passes over the excluded items as they come, as it does drafts.
    let mut hidden: Vec<Box<dyn Query>> = (!scope.drafts).then(|| drafts(f)).into_iter().collect();
    let split = root.as_ref().and_then(exclusions);
    let scored = match split.map(|(kept, excluded)| (node(&kept, Dates::Terms).0, excluded)) {
        Some((Some(kept), excluded)) => {
            hidden.extend(excluded.iter().filter_map(|n| node(n, Dates::Terms).0));
            kept
        }
        _ => query.box_clone(),
    };
    Compiled {
        query: visible(&*query),
        scored,
        hidden: match hidden.len() {
            0 => None,
            1 => hidden.pop(),
            _ => Some(Box::new(BooleanQuery::new(
                hidden.into_iter().map(|q| (Occur::Should, q)).collect(),
            ))),
        },
        gathered,
        phrase_candidates,
        interpreted: root.map(|r| r.interpreted()).unwrap_or_default(),
        warnings,
        spread,
    }
}

/// The request's filters (topics, sources, tags, dates) as query nodes.
fn request_filters(request: &SearchRequest) -> Vec<Node> {
    let mut nodes: Vec<Node> = vec![];
    nodes.extend(request.topics.iter().map(|t| Node::Filter(FilterField::Topic, t.clone())));
    nodes.extend(request.sources.iter().map(|s| Node::Filter(FilterField::Source, s.clone())));
    nodes.extend(request.tags.iter().map(|t| Node::Filter(FilterField::Tag, t.clone())));
    if request.from.is_some() || request.to.is_some() {
        nodes.push(Node::Date(DateRange {
            from: request.from,
            to: request.to.and_then(|d| d.succ_opt()),
        }));
    }
    nodes
}

/// What a match of the query must satisfy whatever its words (its filters, dates and
/// exclusions, the request's filters; drafts left out unless shown): the items a hybrid
/// search's meaning leg may find. `None` when that is every item (drafts aside).
pub fn without_words(
    scope: &Scope,
    parsed: &Parsed,
    request: &SearchRequest,
) -> Option<Box<dyn Query>> {
    let root = parsed.root.as_ref().and_then(Node::without_words);
    if root.is_none() && request_filters(request).is_empty() {
        return None;
    }
    Some(compile(scope, &Parsed { root, warnings: vec![] }, request, false).query)
}

/// An AND with exclusions and something else, as (the rest, what is excluded).
fn exclusions(root: &Node) -> Option<(Node, Vec<Node>)> {
    let Node::And(parts) = root else { return None };
    let (excluded, mut kept): (Vec<&Node>, Vec<&Node>) =
        parts.iter().partition(|p| matches!(p, Node::Not(_)));
    if excluded.is_empty() || kept.is_empty() {
        return None;
    }
    let kept = if kept.len() == 1 {
        kept.remove(0).clone()
    } else {
        Node::And(kept.into_iter().cloned().collect())
    };
    let excluded = excluded.into_iter().filter_map(|n| match n {
        Node::Not(inner) => Some(inner.as_ref().clone()),
        _ => None,
    });
    Some((kept, excluded.collect()))
}

/// Where a query reads its date ranges.
#[derive(Clone, Copy)]
enum Dates {
    /// The postings of the days' date terms, gathered at every scorer.
    Terms,
    /// The same, gathered at the first scorer of each segment only.
    Gathered,
}

/// What compiling a query reads besides the query: the fields, the index's spellings,
/// the names it gives domains, and whether drafts are searched.
pub struct Scope<'a> {
    /// The index's fields.
    pub f: &'a Fields,
    /// Corrections for words in no item.
    pub speller: &'a Speller<'a>,
    /// Named domains, for `source:`.
    pub names: &'a SourceNames,
    /// Languages besides English in the index: a word is also looked for as their
    /// stemmers make it.
    pub languages: &'a [String],
    /// Whether drafts are searched.
    pub drafts: bool,
    /// The columns of the searcher's segments.
    pub columns: &'a Columns,
    /// The vectors of the searcher's segments.
    pub vectors: &'a Vectors,
    /// The searcher, for how many documents hold a word.
    pub searcher: &'a Searcher,
}

struct Builder<'a> {
    scope: &'a Scope<'a>,
    f: &'a Fields,
    speller: &'a Speller<'a>,
    relaxed: bool,
    dates: Dates,
    warnings: Vec<String>,
    /// See [`Compiled::phrase_candidates`].
    phrase_candidates: u64,
    /// A relaxed query's words, each with the rest of its AND (see [`Spread`]), and the
    /// items that hold its terms; empty unless every word is in some item.
    words: Vec<(u64, Box<dyn Query>)>,
}

/// Whether a query has words that the fallback could make optional: an AND with at
/// least two words or phrases at its top.
pub fn relaxable(root: &Option<Node>) -> bool {
    match root {
        Some(Node::And(parts)) => {
            parts.iter().filter(|p| matches!(p, Node::Word(_) | Node::Phrase(_))).count() >= 2
        }
        _ => false,
    }
}

impl Builder<'_> {
    /// `None` when the node can match nothing searchable (it was dropped with a warning).
    fn node(&mut self, node: &Node) -> Option<Box<dyn Query>> {
        match node {
            Node::Word(w) => self.words(w),
            Node::Phrase(p) => self.words(p),
            Node::Filter(field, value) => Some(self.filter(field, value)),
            Node::Date(range) => Some(match self.dates {
                Dates::Terms => date_query(self.f, range),
                Dates::Gathered => Box::new(Gathered::new(date_query(self.f, range))),
            }),
            Node::Not(inner) => {
                let inner = self.node(inner)?;
                Some(Box::new(BooleanQuery::new(vec![
                    (Occur::Must, kind(self.f, Kind::Item)),
                    (Occur::MustNot, inner),
                ])))
            }
            Node::And(parts) => {
                let relaxed = std::mem::take(&mut self.relaxed);
                let mut clauses = vec![];
                let mut optional = vec![];
                for part in parts {
                    match (part, self.node(part)) {
                        (Node::Not(_), Some(q)) => {
                            // Exclusions subtract from the rest rather than stand alone.
                            clauses.push((Occur::MustNot, negated(q)));
                        }
                        (Node::Word(_) | Node::Phrase(_), Some(q)) if relaxed => {
                            optional.push((self.items_with_terms(&*q), q));
                        }
                        (_, Some(q)) => clauses.push((Occur::Must, q)),
                        (_, None) => {}
                    }
                }
                if relaxed && optional.iter().all(|(docs, _)| *docs > 0) {
                    self.words = optional
                        .iter()
                        .map(|(docs, q)| (*docs, self.with_rest(&**q, &clauses)))
                        .collect();
                }
                // A word in no item adds nothing to a relaxed query but its cost (unless
                // no word is in any).
                if optional.iter().any(|(docs, _)| *docs > 0) {
                    optional.retain(|(docs, _)| *docs > 0);
                }
                // Each word found adds a constant far above any BM25 score, so items with
                // more of the words rank first. One word alone is its own query, which
                // the ranking can prune.
                let mut optional = optional.into_iter().map(|(_, q)| Plus::new(q, MATCHED_WORD));
                if clauses.is_empty() && optional.len() == 1 {
                    return optional.next().map(|q| Box::new(q) as Box<dyn Query>);
                }
                clauses.extend(optional.map(|q| (Occur::Should, Box::new(q) as Box<dyn Query>)));
                if clauses.iter().all(|(o, _)| *o == Occur::MustNot) {
                    clauses.push((Occur::Must, kind(self.f, Kind::Item)));
                }
                let optional = clauses.iter().any(|(o, _)| *o == Occur::Should);
                Some(Box::new(if optional {
                    BooleanQuery::with_minimum_required_clauses(clauses, 1)
                } else {
                    BooleanQuery::new(clauses)
                }))
            }
            Node::Or(parts) => {
                let clauses: Vec<_> =
                    parts.iter().filter_map(|p| self.node(p)).map(|q| (Occur::Should, q)).collect();
                if clauses.is_empty() { None } else { Some(Box::new(BooleanQuery::new(clauses))) }
            }
        }
    }

    /// Words (one, or several in order) across the weighted text fields. A single
    /// word that is in no item (a typo) is searched as the near words that are.
    fn words(&mut self, text: &str) -> Option<Box<dyn Query>> {
        let analysed = tokens(text);
        if analysed.is_empty() {
            self.warnings.push(format!("`{text}` has no letters or digits to search for; ignored"));
            return None;
        }
        if analysed.len() == 1 {
            let near = self.speller.corrections(text);
            if !near.is_empty() {
                let listed = near.iter().map(|w| format!("`{w}`")).collect::<Vec<_>>().join(", ");
                self.warnings
                    .push(format!("`{text}` is in no item; searched for {listed} instead"));
                let alternatives: Vec<(Occur, Box<dyn Query>)> = near
                    .iter()
                    .filter_map(|w| self.terms(&tokens(w)))
                    .map(|q| (Occur::Should, q))
                    .collect();
                return Some(Box::new(BooleanQuery::new(alternatives)));
            }
        }
        self.in_any_language(text, analysed)
    }

    /// The words as English and as each other language of the index stems them: the
    /// query of each form, any of them matching.
    fn in_any_language(&mut self, text: &str, english: Vec<String>) -> Option<Box<dyn Query>> {
        let mut forms = vec![english];
        for code in self.scope.languages {
            let Some(mut analyzer) = language_query_analyzer(code) else { continue };
            let form = analyze(&mut analyzer, text);
            if !form.is_empty() && !forms.contains(&form) {
                forms.push(form);
            }
        }
        if forms.len() == 1 {
            return self.terms(&forms[0]);
        }
        let each = forms.iter().filter_map(|form| self.terms(form)).map(|q| (Occur::Should, q));
        Some(Box::new(BooleanQuery::new(each.collect())))
    }

    /// How many documents hold one of the query's terms, summed over its terms: 0 when
    /// no item holds any of its words, and a bound on how many it matches.
    fn items_with_terms(&self, query: &dyn Query) -> u64 {
        let mut docs = 0;
        query.query_terms(&mut |term, _| {
            docs += self.scope.searcher.doc_freq(term).unwrap_or(0);
        });
        docs
    }

    /// A word of an AND with the AND's other clauses (`rest`) required and scoring
    /// nothing.
    fn with_rest(&self, word: &dyn Query, rest: &[(Occur, Box<dyn Query>)]) -> Box<dyn Query> {
        if rest.is_empty() {
            return word.box_clone();
        }
        let mut rest: Vec<_> = rest.iter().map(|(o, q)| (*o, q.box_clone())).collect();
        if rest.iter().all(|(o, _)| *o == Occur::MustNot) {
            rest.push((Occur::Must, kind(self.f, Kind::Item)));
        }
        let rest = ConstScoreQuery::new(Box::new(BooleanQuery::new(rest)), 0.0);
        Box::new(BooleanQuery::new(vec![
            (Occur::Must, word.box_clone()),
            (Occur::Must, Box::new(rest)),
        ]))
    }

    fn terms(&mut self, tokens: &[String]) -> Option<Box<dyn Query>> {
        if tokens.is_empty() {
            return None;
        }
        if tokens.len() > 1 {
            let docs = |t: &String| {
                let term = Term::from_field_text(self.f.text, t);
                self.scope.searcher.doc_freq(&term).unwrap_or(0)
            };
            self.phrase_candidates += tokens.iter().map(docs).min().unwrap_or(0);
        }
        // One posting list per word, in `text` alone (item titles are in it twice, which
        // weighs them): an AND of words is one Tantivy can rank by block-max WAND.
        Some(term_or_phrase(self.f.text, tokens))
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
            // One publication under either spelling: `Forbes` and `forbes.com`.
            FilterField::Source => {
                let spellings = self.scope.names.spellings(value);
                let each = spellings.iter().map(|s| (Occur::Should, exact(f.sources, s))).collect();
                Box::new(BooleanQuery::new(each))
            }
            FilterField::Tag => exact(f.tags, value),
            // An id that is not one matches nothing, like a topic no item has.
            FilterField::Story => match value.parse::<StoryId>() {
                Ok(id) => Box::new(TermQuery::new(
                    Term::from_field_u64(f.stories, id.0),
                    IndexRecordOption::Basic,
                )),
                Err(_) => Box::new(tantivy::query::EmptyQuery),
            },
            FilterField::Lang => {
                exact(f.lang, &language::from_value(value).unwrap_or_else(|| "en".into()))
            }
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
                let in_field = |field: Field| term_or_phrase(field, &tokens);
                Box::new(BooleanQuery::new(vec![
                    (Occur::Should, in_field(f.title)),
                    (Occur::Should, in_field(f.entry_title)),
                ]))
            }
        }
    }
}

/// One analysed word as a term, several as a phrase; none matches nothing.
pub fn term_or_phrase(field: Field, tokens: &[String]) -> Box<dyn Query> {
    match tokens {
        [] => Box::new(EmptyQuery),
        [token] => Box::new(TermQuery::new(
            Term::from_field_text(field, token),
            IndexRecordOption::WithFreqs,
        )),
        _ => {
            Box::new(Phrase::new(tokens.iter().map(|t| Term::from_field_text(field, t)).collect()))
        }
    }
}

/// `Not(x)` comes back from [`Builder::node`] as `items - x`; inside an AND only `x` is
/// needed as the must-not clause.
fn negated(q: Box<dyn Query>) -> Box<dyn Query> {
    if let Some(b) = q.downcast_ref::<BooleanQuery>()
        && let [(Occur::Must, _), (Occur::MustNot, inner)] = b.clauses()
    {
        return inner.box_clone();
    }
    q
}

/// Dates through the items' date terms (the postings of the days in the range, gathered
/// once per scorer): measured faster than a fast-field range, which scans the column,
/// at 10k and 100k digests. Undated items have no date term.
/// A month or a year (an entry dated only so, at the start of its period) matches only
/// where all of it lies in the range: `date:2024-05` and `after:2024-04` find May 2024,
/// `date:2024-05-10` and `date:2024-05-01..2024-05-20` do not; `date:2020-01` does not find
/// 2020. Only the one month and the one year that start in the range and end past it are
/// left out, so the exclusion reads a term or two.
fn date_query(f: &Fields, range: &DateRange) -> Box<dyn Query> {
    let bound = |d: Option<chrono::NaiveDate>, inclusive: bool| match d {
        Some(d) => {
            let term = Term::from_field_date(f.date, to_datetime(d));
            if inclusive { Bound::Included(term) } else { Bound::Excluded(term) }
        }
        None => Bound::Unbounded,
    };
    let days: Box<dyn Query> =
        Box::new(RangeQuery::new(bound(range.from, true), bound(range.to, false)));
    let Some(last) = range.to.and_then(|to| to.pred_opt()) else { return days };
    let month = last.with_day(1).filter(|_| last.succ_opt().is_none_or(|n| n.day() != 1));
    let year = last.with_ordinal(1).filter(|_| last.succ_opt().is_none_or(|n| n.ordinal() != 1));
    let mut clauses = vec![(Occur::Must, days)];
    for (precision, start) in [(Precision::Month, month), (Precision::Year, year)] {
        let Some(start) = start.filter(|s| range.from.is_none_or(|from| *s >= from)) else {
            continue;
        };
        let term = |t| -> Box<dyn Query> { Box::new(TermQuery::new(t, IndexRecordOption::Basic)) };
        let past_the_end = BooleanQuery::intersection(vec![
            term(Term::from_field_u64(f.date_precision, precision.code())),
            term(Term::from_field_date(f.date, to_datetime(start))),
        ]);
        clauses.push((Occur::MustNot, Box::new(past_the_end)));
    }
    match clauses.len() {
        1 => clauses.pop().expect("one clause").1,
        _ => Box::new(BooleanQuery::new(clauses)),
    }
}

/// The query's matches, drafts left out (they score as before).
pub fn without_drafts(f: &Fields, query: Box<dyn Query>) -> Box<dyn Query> {
    Box::new(BooleanQuery::new(vec![(Occur::Must, query), (Occur::MustNot, drafts(f))]))
}

/// The documents of drafts.
fn drafts(f: &Fields) -> Box<dyn Query> {
    Box::new(TermQuery::new(f.draft_term(), IndexRecordOption::Basic))
}

/// Documents of one kind, scoring nothing.
pub fn kind(f: &Fields, kind: Kind) -> Box<dyn Query> {
    let term = TermQuery::new(f.kind_term(kind), IndexRecordOption::Basic);
    Box::new(ConstScoreQuery::new(Box::new(term), 0.0))
}

/// The analysed terms of some text, as the index holds them.
pub fn tokens(text: &str) -> Vec<String> {
    analyze(&mut query_analyzer(), text)
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
