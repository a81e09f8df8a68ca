//! Where an item came from, normalised so that sources can be counted and filtered:
//! `reddit.com/r/X` -> `r/X`, `news.ycombinator.com` -> `Hacker News`, and so on.

use url::Url;

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

#[cfg(test)]
mod tests {
    use super::*;

    fn source(url: &str) -> Option<(String, Option<String>)> {
        from_url(url).map(|s| (s.source, s.repo))
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
