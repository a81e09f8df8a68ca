//! Where an item came from, normalised so that sources can be counted and filtered:
//! `reddit.com/r/X` -> `r/X`, `news.ycombinator.com` -> `Hacker News`, any other link
//! its host without `www.`; and a site the item's text names (`— *Forbes*` beside a
//! forbes.com link) that name, matched against the site's registrable domain by the
//! public suffix list (`edition.cnn.com` is named `CNN`).

use std::collections::{HashMap, HashSet};
use std::sync::LazyLock;

use regex::Regex;
use url::Url;

use super::entry::Names;
use super::{Taxonomy, outline};

/// A link's source and, for GitHub, the repository it points at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LinkSource {
    /// The normalised source name (`r/LocalLLaMA`, `Hacker News`, `example.com`).
    pub source: String,
    /// `owner/repo` for links into a GitHub repository.
    pub repo: Option<String>,
}

/// The site of a link: its host, lower-cased, without `www.`. `None` for links that are
/// not web links (mailto:, relative paths).
pub fn site(url: &str) -> Option<String> {
    let parsed = Url::parse(url).ok()?;
    if !matches!(parsed.scheme(), "http" | "https") {
        return None;
    }
    let host = parsed.host_str()?.to_ascii_lowercase();
    Some(host.strip_prefix("www.").unwrap_or(&host).to_string())
}

/// Normalises a link into a source.
pub fn from_url(url: &str) -> Option<LinkSource> {
    let site = site(url)?;
    let parsed = Url::parse(url).ok()?;
    let segments: Vec<&str> =
        parsed.path_segments().map(|s| s.filter(|p| !p.is_empty()).collect()).unwrap_or_default();
    let named = |name: &str| Some(LinkSource { source: name.to_string(), repo: None });
    let domain_is = |d: &str| site == d || site.ends_with(&format!(".{d}"));
    if domain_is("reddit.com") || site == "redd.it" {
        return match segments.as_slice() {
            ["r", sub, ..] => named(&format!("r/{sub}")),
            _ => named("Reddit"),
        };
    }
    if site == "news.ycombinator.com" {
        return named("Hacker News");
    }
    if domain_is("lesswrong.com") {
        return named("LessWrong");
    }
    if domain_is("arxiv.org") {
        return named("arXiv");
    }
    if domain_is("huggingface.co") || site == "hf.co" {
        return named("Hugging Face");
    }
    if site == "x.com" || site == "twitter.com" || site == "mobile.twitter.com" {
        return named("X");
    }
    if site == "github.com" {
        let repo = match segments.as_slice() {
            [owner, repo, ..] if !RESERVED_GITHUB.contains(owner) => {
                Some(format!("{owner}/{}", repo.trim_end_matches(".git")))
            }
            _ => None,
        };
        return Some(LinkSource { source: "GitHub".into(), repo });
    }
    Some(LinkSource { source: site, repo: None })
}

/// A host's registrable domain, by the public suffix list: `news.bbc.co.uk` ->
/// `bbc.co.uk`, `user.github.io` stays itself (`github.io` is a public suffix).
pub fn registrable(host: &str) -> Option<String> {
    psl::domain_str(host).map(str::to_string)
}

/// A host's registrable domain without its public suffix: `www.theverge.com` ->
/// `theverge`, `news.bbc.co.uk` -> `bbc`.
fn label(host: &str) -> Option<&str> {
    let domain = psl::domain_str(host)?;
    let suffix = psl::suffix_str(domain)?;
    domain.strip_suffix(suffix)?.strip_suffix('.')
}

/// The name a text gives a domain: one to four capitalised words whose letters and
/// digits, lower-cased, spell the domain's label (`Forbes` for forbes.com, `The Verge`
/// for theverge.com, `Ars Technica` for arstechnica.com). Labels under 3 characters
/// never match.
pub fn name_in_text(text: &str, domain: &str) -> Option<String> {
    NamesInText::new(text).of(domain)
}

/// The names a text could give a domain ([`name_in_text`]), read once: every run of one
/// to four words from a capitalised one, by what it spells, the first in the text kept.
/// Each domain is then looked up at once, however many links an item has.
pub(super) struct NamesInText<'t> {
    words: Vec<&'t str>,
    /// What each run spells, and its first and last word.
    spelled: HashMap<String, (usize, usize)>,
}

impl<'t> NamesInText<'t> {
    /// Longer than any domain's label: a run spelling more is no name.
    const LONGEST: usize = 63;

    pub(super) fn new(text: &'t str) -> Self {
        let words: Vec<&str> = text.split_whitespace().collect();
        let key = |w: &str| -> String {
            w.chars().filter(|c| c.is_alphanumeric()).flat_map(char::to_lowercase).collect()
        };
        let mut spelled = HashMap::new();
        for start in 0..words.len() {
            let first = words[start].trim_start_matches(|c: char| !c.is_alphanumeric());
            if !first.starts_with(|c: char| c.is_uppercase()) {
                continue;
            }
            let mut run = String::new();
            for (end, word) in words.iter().enumerate().skip(start).take(4) {
                run.push_str(&key(word));
                if run.len() > Self::LONGEST {
                    break;
                }
                spelled.entry(run.clone()).or_insert((start, end));
            }
        }
        NamesInText { words, spelled }
    }

    /// The name the text gives `domain`, if any.
    pub(super) fn of(&self, domain: &str) -> Option<String> {
        let label = label(domain)?;
        if label.chars().count() < 3 {
            return None;
        }
        let &(start, end) = self.spelled.get(label)?;
        let name = self.words[start..=end].join(" ");
        Some(name.trim_matches(|c: char| !c.is_alphanumeric()).to_string())
    }
}

/// First path segments of github.com that are not an owner.
const RESERVED_GITHUB: &[&str] = &[
    "orgs",
    "topics",
    "sponsors",
    "settings",
    "marketplace",
    "features",
    "search",
    "collections",
    "trending",
];

/// An item's sources: its links, its `Source:`/`Via:` lines, and sources the taxonomy
/// finds named in its text.
pub(super) fn item_sources(item: &outline::RawItem, taxonomy: &Taxonomy) -> ItemSources {
    static EXPLICIT: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"(?im)^[\W_]*(?:sources?|via)[*_]*\s*:[*_]*\s*(.+)$").unwrap()
    });
    let (mut sources, mut repos) = (Names::default(), Names::default());
    let (mut named, mut named_seen) = (vec![], HashSet::new());
    let haystack = format!("{}\n{}", item.title, item.text);
    // The names the text gives, read once for all the item's links.
    let mut names = None;
    for link in &item.links {
        if let Some(found) = from_url(&link.url) {
            // The taxonomy may name a site by its host or by its registrable domain.
            let declared = taxonomy
                .canonical_source(&found.source)
                .or_else(|| registrable(&found.source).and_then(|d| taxonomy.canonical_source(&d)));
            let source = match declared {
                Some(name) => name.to_string(),
                // A domain the text names is that name: one publication, however cited.
                None if found.source.contains('.') => {
                    let names = names.get_or_insert_with(|| NamesInText::new(&haystack));
                    match names.of(&found.source) {
                        Some(name) => {
                            let pair = (found.source.clone(), name.clone());
                            if named_seen.insert(pair.clone()) {
                                named.push(pair);
                            }
                            name
                        }
                        None => found.source,
                    }
                }
                None => found.source,
            };
            sources.push(&source);
            if let Some(repo) = found.repo {
                repos.push(&repo);
            }
        }
    }
    for line in EXPLICIT.captures_iter(&item.text) {
        for part in line[1].split([',', ';']).flat_map(|p| p.split(" and ")) {
            let part = part.trim().trim_end_matches('.');
            if let Some(name) = taxonomy.canonical_source(part) {
                sources.push(name);
            } else if !part.is_empty()
                && part.split_whitespace().count() <= 4
                && !part.contains("://")
            {
                sources.push(part);
            }
        }
    }
    for name in taxonomy.sources_in(&haystack) {
        sources.push(name);
    }
    ItemSources { sources: sources.into_vec(), repos: repos.into_vec(), named }
}

/// An item's sources, the GitHub repositories it links to, and the domains its text
/// names (`(forbes.com, Forbes)`).
pub(super) struct ItemSources {
    pub(super) sources: Vec<String>,
    pub(super) repos: Vec<String>,
    pub(super) named: Vec<(String, String)>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn source(url: &str) -> Option<(String, Option<String>)> {
        from_url(url).map(|s| (s.source, s.repo))
    }

    #[test]
    fn other_sites_are_their_registrable_domain_and_named_as_the_text_names_them() {
        assert_eq!(registrable("news.bbc.co.uk").as_deref(), Some("bbc.co.uk"));
        assert_eq!(registrable("someone.github.io").as_deref(), Some("someone.github.io"));
        assert_eq!(name_in_text("BBC News says", "news.bbc.co.uk").as_deref(), Some("BBC"));
        assert_eq!(name_in_text("`AI Agents` — *Forbes*", "forbes.com").as_deref(), Some("Forbes"));
        assert_eq!(
            name_in_text("via The Verge, today", "theverge.com").as_deref(),
            Some("The Verge")
        );
        assert_eq!(
            name_in_text("Ars Technica reports", "arstechnica.com").as_deref(),
            Some("Ars Technica")
        );
        assert_eq!(
            name_in_text("the verge of a breakthrough", "theverge.com"),
            None,
            "not capitalised"
        );
        assert_eq!(name_in_text("Forbes", "forbes.co.uk").as_deref(), Some("Forbes"));
        assert_eq!(name_in_text("X marks it", "x.com"), None, "too short to tell");
    }

    #[test]
    fn known_sites() {
        let cases = [
            ("https://www.reddit.com/r/LocalLLaMA/comments/abc/x/", "r/LocalLLaMA"),
            ("https://old.reddit.com/r/rust/", "r/rust"),
            ("https://reddit.com/user/x", "Reddit"),
            ("https://news.ycombinator.com/item?id=1", "Hacker News"),
            ("https://www.lesswrong.com/posts/abc/title", "LessWrong"),
            ("https://arxiv.org/abs/2401.00001", "arXiv"),
            ("https://huggingface.co/Qwen/Qwen3-8B", "Hugging Face"),
            ("https://x.com/someone/status/1", "X"),
            ("https://twitter.com/someone", "X"),
            ("https://www.example.com/post", "example.com"),
            ("http://Blog.Example.org/a", "blog.example.org"),
        ];
        for (url, want) in cases {
            assert_eq!(source(url).map(|s| s.0), Some(want.to_string()), "{url}");
        }
    }

    #[test]
    fn github_keeps_the_repository() {
        assert_eq!(
            source("https://github.com/ggml-org/llama.cpp/pull/1234"),
            Some(("GitHub".into(), Some("ggml-org/llama.cpp".into())))
        );
        assert_eq!(source("https://github.com/rust-lang"), Some(("GitHub".into(), None)));
        assert_eq!(
            source("https://github.com/orgs/rust-lang/people"),
            Some(("GitHub".into(), None))
        );
    }

    #[test]
    fn not_web_links() {
        assert_eq!(source("mailto:someone@example.com"), None);
        assert_eq!(source("/relative/path"), None);
        assert_eq!(source("#anchor"), None);
    }
}
