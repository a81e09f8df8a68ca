//! Drawing the queries: words a reader would remember from one passage, by kind.

use std::collections::{HashMap, HashSet};

use archive::digest;

use super::shared::Rng;

pub(super) const STOP: &[&str] = &[
    "the", "and", "for", "that", "this", "with", "from", "are", "was", "were", "have", "has",
    "had", "not", "but", "you", "your", "our", "their", "they", "them", "its", "his", "her", "she",
    "him", "who", "what", "which", "when", "where", "how", "why", "all", "any", "can", "will",
    "would", "could", "should", "into", "about", "than", "then", "there", "these", "those", "been",
    "being", "also", "more", "most", "some", "such", "only", "other", "over", "just", "out", "one",
    "two", "new", "use", "using", "used", "very", "each", "may", "might", "much", "many", "does",
    "did", "get", "got", "like", "well", "way", "week", "here", "now", "via", "too", "yet", "let",
    "lets", "it's", "don't",
];

pub(super) fn words(text: &str) -> Vec<String> {
    text.split(|c: char| !c.is_alphanumeric() && c != '\'')
        .map(|w| w.trim_matches('\'').to_lowercase())
        .filter(|w| w.len() >= 3 && w.chars().all(|c| c.is_alphabetic()))
        .collect()
}

pub(super) struct Doc {
    pub(super) id: String,
    pub(super) text: String,
    pub(super) passages: Vec<String>,
    /// Lines of the rendered page with 8+ words.
    pub(super) rendered: Vec<String>,
    /// Lines of the rendered page with 8+ CJK characters.
    pub(super) cjk: Vec<String>,
    /// Each item's title and text.
    pub(super) items: Vec<String>,
    /// Each item's stories (the links it cites, by story key).
    pub(super) stories: Vec<Vec<u64>>,
}

/// The visible text of an entry as a browser shows it, line by line: the body rendered
/// by pulldown-cmark, every tag removed by ammonia (which drops script and style
/// contents), entities decoded. Independent of how the outline reads the body.
pub(super) fn rendered_lines(body: &str) -> Vec<String> {
    let mut html = String::new();
    pulldown_cmark::html::push_html(&mut html, digest::markdown::parser(body));
    let text = ammonia::Builder::empty().clean(&html).to_string();
    let text = text
        .replace("&nbsp;", " ")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&amp;", "&");
    text.lines().map(str::trim).filter(|l| !l.is_empty()).map(str::to_string).collect()
}

pub(super) fn cjk_count(line: &str) -> usize {
    line.chars().filter(|&c| digest::is_cjk(c)).count()
}

#[derive(Clone, Copy, PartialEq)]
pub(super) enum Kind {
    Distinctive,
    Mid,
    Typo,
    Inflection,
    Rendered,
    Cjk,
    Spread,
    TwoTellings,
}

impl Kind {
    pub(super) const ALL: [Kind; 8] = [
        Kind::Distinctive,
        Kind::Mid,
        Kind::Typo,
        Kind::Inflection,
        Kind::Rendered,
        Kind::Cjk,
        Kind::Spread,
        Kind::TwoTellings,
    ];

    pub(super) fn name(self) -> &'static str {
        match self {
            Kind::Distinctive => "distinctive (3 words, df 2-40)",
            Kind::Mid => "mid-frequency (2 words, df 20-300)",
            Kind::Typo => "typo (3 words, one with a swap)",
            Kind::Inflection => "inflection (3 words, one number flipped)",
            Kind::Rendered => "rendered page (3 words, df 2-40, HTML included)",
            Kind::Cjk => "CJK (2 words of 2-4 characters)",
            Kind::Spread => "spread (2 words, df 20-300, from two items of one digest)",
            Kind::TwoTellings => {
                "two tellings (4 words of one telling of a link, found: the other's digest)"
            }
        }
    }
}

/// Two CJK words cut from a line: runs of 2-4 CJK characters at random places.
pub(super) fn draw_cjk(docs: &[Doc], n: usize, rng: &mut Rng) -> Vec<Query> {
    let with_cjk: Vec<&Doc> = docs.iter().filter(|d| !d.cjk.is_empty()).collect();
    let mut out = vec![];
    for _ in 0..n * 50 {
        if out.len() == n || with_cjk.is_empty() {
            break;
        }
        let doc = with_cjk[rng.below(with_cjk.len())];
        let line: Vec<char> = doc.cjk[rng.below(doc.cjk.len())].chars().collect();
        let mut words: Vec<(usize, String)> = vec![];
        for _ in 0..20 {
            if words.len() == 2 {
                break;
            }
            let len = 2 + rng.below(3);
            let Some(start) = line.len().checked_sub(len).map(|max| rng.below(max + 1)) else {
                continue;
            };
            let span = &line[start..start + len];
            let apart =
                words.iter().all(|(s, w)| start >= s + w.chars().count() || start + len <= *s);
            if span.iter().all(|&c| digest::is_cjk(c)) && apart {
                words.push((start, span.iter().collect()));
            }
        }
        if words.len() == 2 {
            words.sort();
            let text = words.into_iter().map(|(_, w)| w).collect::<Vec<_>>().join(" ");
            out.push(Query { text, expected: doc.id.clone(), own: None });
        }
    }
    out
}

/// Two mid-frequency words of one digest from two of its items, each word in one of the
/// two items and not in the other: what a reader remembers of a digest rather than of an
/// item ("the issue with the browser thing and the config-parsing gem").
fn draw_spread(docs: &[Doc], df: &HashMap<String, usize>, n: usize, rng: &mut Rng) -> Vec<Query> {
    let mid = |w: &String| {
        !STOP.contains(&w.as_str()) && df.get(w).is_some_and(|&d| (20..=300).contains(&d))
    };
    let mut out = vec![];
    for _ in 0..n * 200 {
        if out.len() == n {
            break;
        }
        let doc = &docs[rng.below(docs.len())];
        if doc.items.len() < 2 {
            continue;
        }
        let (i, j) = (rng.below(doc.items.len()), rng.below(doc.items.len()));
        if i == j {
            continue;
        }
        let (a, b): (HashSet<String>, HashSet<String>) = (
            words(&doc.items[i]).into_iter().collect(),
            words(&doc.items[j]).into_iter().collect(),
        );
        let only = |x: &HashSet<String>, y: &HashSet<String>| {
            let mut only: Vec<String> = x.difference(y).filter(|w| mid(w)).cloned().collect();
            only.sort();
            only
        };
        let (only_a, only_b) = (only(&a, &b), only(&b, &a));
        if only_a.is_empty() || only_b.is_empty() {
            continue;
        }
        let first = &only_a[rng.below(only_a.len())];
        let second = &only_b[rng.below(only_b.len())];
        out.push(Query { text: format!("{first} {second}"), expected: doc.id.clone(), own: None });
    }
    out
}

/// Mentions a link may have to make pairs of tellings: more is a footer or a hub.
const TELLINGS_MOST: usize = 5;

/// Two tellings of one thing: two items of two digests citing the same link (a story)
/// whose words overlap little (Jaccard under 0.2); the query is four words of one that
/// the other lacks (none a stop word, each in at most 300 files), and the other's digest
/// is expected among the first ten entries besides the query's own. What a reader
/// remembers of one write-up while looking for another.
fn draw_two_tellings(
    docs: &[Doc],
    df: &HashMap<String, usize>,
    n: usize,
    rng: &mut Rng,
) -> Vec<Query> {
    let mut mentions: HashMap<u64, Vec<(usize, usize)>> = HashMap::new();
    for (d, doc) in docs.iter().enumerate() {
        for (i, stories) in doc.stories.iter().enumerate() {
            for &story in stories {
                mentions.entry(story).or_default().push((d, i));
            }
        }
    }
    let mut pairs: Vec<((usize, usize), (usize, usize))> = vec![];
    let mut stories: Vec<_> = mentions.into_iter().collect();
    stories.sort_unstable_by_key(|(story, _)| *story);
    for (_, told) in stories.iter().filter(|(_, m)| m.len() <= TELLINGS_MOST) {
        for a in told {
            for b in told.iter().filter(|b| b.0 != a.0) {
                pairs.push((*a, *b));
            }
        }
    }
    let remembered = |w: &String| {
        !STOP.contains(&w.as_str()) && df.get(w).is_some_and(|&d| (1..=300).contains(&d))
    };
    let mut out = vec![];
    for _ in 0..n * 200 {
        if out.len() == n || pairs.is_empty() {
            break;
        }
        let ((da, ia), (db, ib)) = pairs.swap_remove(rng.below(pairs.len()));
        let a: HashSet<String> = words(&docs[da].items[ia]).into_iter().collect();
        let b: HashSet<String> = words(&docs[db].items[ib]).into_iter().collect();
        let jaccard = a.intersection(&b).count() as f64 / a.union(&b).count().max(1) as f64;
        if jaccard >= 0.2 {
            continue;
        }
        let mut only: Vec<&String> = a.difference(&b).filter(|w| remembered(w)).collect();
        if only.len() < 4 {
            continue;
        }
        only.sort();
        let mut picked = vec![];
        while picked.len() < 4 {
            let w = only.swap_remove(rng.below(only.len()));
            picked.push(w.as_str());
        }
        out.push(Query {
            text: picked.join(" "),
            expected: docs[db].id.clone(),
            own: Some(docs[da].id.clone()),
        });
    }
    out
}

pub(super) struct Query {
    pub(super) text: String,
    pub(super) expected: String,
    /// The entry the words were drawn from, when it is not the one expected: left out
    /// of the ten entries looked at.
    pub(super) own: Option<String>,
}

pub(super) fn draw(
    docs: &[Doc],
    df: &HashMap<String, usize>,
    kind: Kind,
    n: usize,
    rng: &mut Rng,
) -> Vec<Query> {
    match kind {
        Kind::Cjk => return draw_cjk(docs, n, rng),
        Kind::Spread => return draw_spread(docs, df, n, rng),
        Kind::TwoTellings => return draw_two_tellings(docs, df, n, rng),
        _ => {}
    }
    let (count, lo, hi) = match kind {
        Kind::Mid => (2, 20, 300),
        _ => (3, 2, 40),
    };
    let mut out = vec![];
    for _ in 0..n * 200 {
        if out.len() == n {
            break;
        }
        let doc = &docs[rng.below(docs.len())];
        let passages = if kind == Kind::Rendered { &doc.rendered } else { &doc.passages };
        if passages.is_empty() {
            continue;
        }
        let passage = &passages[rng.below(passages.len())];
        let mut seen = HashSet::new();
        let candidates: Vec<String> = words(passage)
            .into_iter()
            .filter(|w| !STOP.contains(&w.as_str()))
            .filter(|w| df.get(w).is_some_and(|&d| (lo..=hi).contains(&d)))
            .filter(|w| seen.insert(w.clone()))
            .collect();
        if candidates.len() < count {
            continue;
        }
        // `count` of them, kept in text order.
        let mut picked: Vec<usize> = vec![];
        while picked.len() < count {
            let i = rng.below(candidates.len());
            if !picked.contains(&i) {
                picked.push(i);
            }
        }
        picked.sort_unstable();
        let mut chosen: Vec<String> = picked.iter().map(|&i| candidates[i].clone()).collect();
        match kind {
            Kind::Typo => {
                let Some(i) = chosen.iter().position(|w| w.chars().count() >= 6) else { continue };
                let mut chars: Vec<char> = chosen[i].chars().collect();
                let at = 1 + rng.below(chars.len() - 2);
                if chars[at] == chars[at + 1] {
                    continue;
                }
                chars.swap(at, at + 1);
                chosen[i] = chars.into_iter().collect();
            }
            Kind::Inflection => {
                let i = rng.below(chosen.len());
                let w = &chosen[i];
                chosen[i] = if w.ends_with('s') && !w.ends_with("ss") {
                    w[..w.len() - 1].to_string()
                } else {
                    format!("{w}s")
                };
            }
            _ => {}
        }
        out.push(Query { text: chosen.join(" "), expected: doc.id.clone(), own: None });
    }
    out
}
