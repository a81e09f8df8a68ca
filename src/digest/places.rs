//! Links to places where things are said, not to things said: a chat channel or
//! server, a forum's or a hub's listing, a profile, a site's legal and help pages. Cited
//! in every digest that summarises that place, such a link would make a "story" of the
//! place itself; it makes none. A link to one message, post, thread, paper, release or
//! repository still does.
//!
//! Places are data: URL shapes matched against a link's story key
//! ([`super::stories::key`]: the host without `www.`, the path, the query), the built-in
//! [`BUILT_IN`] and the archive's own (`[stories] places` in `taxonomy.toml`). A shape is
//! `host/segment/...`:
//! - the host is a name (`discord.gg`), `*.` and a name (`*.slack.com`: the name and its
//!   subdomains), or `*` (any site);
//! - each segment is a word matched whole and ignoring case, `*` (any one segment), or a
//!   word with one `*` in it (`@*`: a segment starting with `@`); a last `**` matches any
//!   number of further segments, none included.
//!
//! A shape of a *named thing* (`[stories] named`) has one segment `{}`: the thing's
//! name, such as a repository's or a package's (`github.com/*/{}`, `docs.rs/{}/**`). An
//! item that links to a named thing after its first link, without naming it in its
//! title, cites it in passing (a unikernel's report that says it uses a network stack):
//! that link joins no story ([`Places::in_passing`]).
//!
//! A shape matches a key with exactly as many segments (`discord.com/channels/*/*` is a
//! channel; a message has one segment more), whatever its query (a listing is a place
//! however it is filtered: `github.com/o/r/issues?q=label:x`).

/// The built-in places: chat, forum and hub listings, profiles, site pages, job ads.
pub const BUILT_IN: &[&str] = &[
    // Chat servers and channels (Discord, Slack, Telegram, Gitter); a message is a thing.
    "discord.com/channels/*",
    "discord.com/channels/*/*",
    "discordapp.com/channels/*",
    "discordapp.com/channels/*/*",
    "discord.gg/*",
    "discord.com/invite/*",
    "discord.com/servers/**",
    "*.slack.com/archives/*",
    "join.slack.com/**",
    "t.me/*",
    "telegram.me/*",
    "gitter.im/*",
    "gitter.im/*/*",
    "*.zulipchat.com/**",
    "matrix.to/**",
    "web.libera.chat/**",
    // Event organisers' pages and their listings; one event is a thing.
    "meetup.com/*",
    "meetup.com/*/events",
    "meetup.com/*/events/past",
    "eventbrite.com/o/*",
    "eventbrite.co.uk/o/*",
    "lu.ma/calendar/**",
    // Hubs and forums: profiles, organisations, and their listing pages.
    "github.com/*",
    "github.com/*/*/issues",
    "github.com/*/*/pulls",
    "github.com/*/*/discussions",
    "github.com/*/*/releases",
    "github.com/*/*/wiki",
    "github.com/*/*/labels/*",
    "github.com/*/*/milestones",
    "github.com/*/*/projects",
    "github.com/*/*/graphs/**",
    "github.com/*/*/commits",
    "github.com/*/*/commits/*",
    "github.com/*/*/network/**",
    "github.com/*/*/stargazers",
    "github.com/*/*/contributors",
    "github.com/*/*/search",
    "github.com/issues",
    "github.com/pulls",
    "github.com/search",
    "github.com/orgs/**",
    "github.com/sponsors/**",
    "gitlab.com/*",
    "huggingface.co/*",
    "huggingface.co/spaces/*",
    "huggingface.co/datasets/*",
    "news.ycombinator.com/news",
    "news.ycombinator.com/newest",
    "news.ycombinator.com/front",
    "news.ycombinator.com/best",
    "news.ycombinator.com/ask",
    "news.ycombinator.com/show",
    "news.ycombinator.com/user",
    "news.ycombinator.com/submitted",
    "news.ycombinator.com/threads",
    "lobste.rs/t/*",
    "lobste.rs/u/*",
    "linkedin.com/in/*",
    "linkedin.com/company/*",
    "medium.com/*",
    "*.substack.com/about",
    "*.substack.com/archive",
    "buttondown.com/*",
    "buttondown.com/*/archive",
    "buttondown.email/*",
    "buttondown.email/*/archive",
    "*/@*",
    "*/users/*",
    "*/user/*",
    "*/u/*",
    "*/c/*",
    "*/tag/*",
    "*/tags/*",
    "*/category/*",
    "*/categories/*",
    // A site's own pages: legal, help, sign-up, its index pages.
    "*/about",
    "*/about-us",
    "*/contact",
    "*/help",
    "*/faq",
    "*/legal/**",
    "*/terms",
    "*/terms-of-service",
    "*/terms-of-use",
    "*/tos",
    "*/privacy",
    "*/privacy-policy",
    "*/policies/**",
    "*/cookies",
    "*/subscribe",
    "*/unsubscribe",
    "*/newsletter",
    "*/login",
    "*/signup",
    "*/sponsor",
    "*/sponsors",
    "*/advertise",
    "*/feed",
    "*/docs",
    "*/documentation",
    "*/rss",
    "*/archive",
    "*/archives",
    "*/blog",
    "*/news",
    "*/events",
    "*/community",
    "*/forum",
    "*/forums",
    "*/search",
    // Job ads: a posting runs for weeks and is never news.
    "*/jobs/**",
    "*/job/**",
    "*/careers*/**",
    "*/career/**",
    "*/*/careers/**",
    "*.workable.com/**",
    "boards.greenhouse.io/**",
    "job-boards.greenhouse.io/**",
    "jobs.lever.co/**",
    "jobs.ashbyhq.com/**",
    "*.recruitee.com/**",
    "*.teamtailor.com/**",
    "*.bamboohr.com/**",
    "*.smartrecruiters.com/**",
    "*.personio.de/**",
    "*.personio.com/**",
    "wellfound.com/**",
    "angel.co/company/*/jobs/**",
    // Job boards' company pages (a language prefix before them, or none).
    "*/companies/*/jobs/**",
    "*/*/companies/*/jobs/**",
];

/// The built-in named things: repositories of code hosts, packages of registries and
/// their documentation, the name where `{}` is.
pub const NAMED: &[&str] = &[
    "github.com/*/{}",
    "gitlab.com/*/{}",
    "codeberg.org/*/{}",
    "bitbucket.org/*/{}",
    "git.sr.ht/*/{}",
    "sr.ht/*/{}",
    "crates.io/crates/{}",
    "lib.rs/crates/{}",
    "docs.rs/crate/{}/**",
    "docs.rs/{}/**",
    "pypi.org/project/{}",
    "npmjs.com/package/{}",
    "pub.dev/packages/{}",
    "rubygems.org/gems/{}",
    "nuget.org/packages/{}",
    "hackage.haskell.org/package/{}",
    "packagist.org/packages/*/{}",
    "swiftpackageindex.com/*/{}",
];

/// Names shorter than this (in letters and digits) are found in too many titles by
/// chance to tell whether a title names the thing: such a link is never in passing.
const SHORTEST_NAME: usize = 3;

/// The places of an archive ([`BUILT_IN`] and its own) and its named things ([`NAMED`]
/// and its own).
#[derive(Debug, Clone)]
pub struct Places {
    places: Vec<Shape>,
    named: Vec<Shape>,
}

#[derive(Debug, Clone)]
struct Shape {
    host: Host,
    segments: Vec<Segment>,
    /// A last `**`: any number of further segments.
    rest: bool,
}

#[derive(Debug, Clone)]
enum Host {
    Any,
    Is(String),
    /// The name and its subdomains.
    Under(String),
}

#[derive(Debug, Clone)]
enum Segment {
    Any,
    Is(String),
    /// A word with one `*`: what comes before and after it.
    Glob(String, String),
    /// `{}`: any one segment, the thing's name.
    Name,
}

impl Places {
    /// The built-in places and named things, and the archive's own `places` and `named`
    /// (shapes as the module describes them).
    pub fn new(places: &[String], named: &[String]) -> Result<Places, String> {
        let places = BUILT_IN.iter().copied().chain(places.iter().map(String::as_str));
        let named = NAMED.iter().copied().chain(named.iter().map(String::as_str));
        Ok(Places {
            places: places.map(|s| Shape::parse(s, false)).collect::<Result<_, _>>()?,
            named: named.map(|s| Shape::parse(s, true)).collect::<Result<_, _>>()?,
        })
    }

    /// Whether a story key names a place.
    pub fn holds(&self, key: &str) -> bool {
        let (host, segments) = parts(key);
        self.places.iter().any(|shape| shape.matches(host, &segments))
    }

    /// The name of the thing a story key is, when it is a named thing.
    pub fn name<'k>(&self, key: &'k str) -> Option<&'k str> {
        let (host, segments) = parts(key);
        let shape = self.named.iter().find(|shape| shape.matches(host, &segments))?;
        let at = shape.segments.iter().position(|s| matches!(s, Segment::Name))?;
        Some(segments[at])
    }

    /// Whether an item titled `title` cites the thing of a story key in passing: a
    /// named thing its title does not name (letters and digits compared, case and
    /// punctuation aside: `linked-list-allocator` is named by "rust-osdev/linked_list
    /// allocator"). An untitled item, or a name too short to tell, is never in passing.
    pub fn in_passing(&self, key: &str, title: &str) -> bool {
        let compact = |s: &str| -> String {
            s.chars().filter(|c| c.is_alphanumeric()).flat_map(char::to_lowercase).collect()
        };
        let Some(name) = self.name(key).map(compact) else { return false };
        let title = compact(title);
        name.chars().count() >= SHORTEST_NAME && !title.is_empty() && !title.contains(&name)
    }
}

/// A key's host and path segments (its query aside).
fn parts(key: &str) -> (&str, Vec<&str>) {
    let path = key.split_once('?').map_or(key, |(path, _)| path);
    let mut parts = path.split('/');
    let host = parts.next().unwrap_or_default();
    (host, parts.collect())
}

impl Shape {
    /// A shape of a place, or of a named thing (`named`: with one `{}`).
    fn parse(text: &str, named: bool) -> Result<Shape, String> {
        let list = if named { "named" } else { "places" };
        let bad = |why: &str| format!("stories.{list}: `{text}` {why}");
        let mut parts = text.trim().trim_end_matches('/').split('/');
        let host = parts.next().unwrap_or_default().to_ascii_lowercase();
        let host = host.strip_prefix("www.").unwrap_or(&host).to_string();
        let host = match host.as_str() {
            "" => return Err(bad("has no host (write `*` for any site)")),
            "*" => Host::Any,
            h => match h.strip_prefix("*.") {
                Some(name) if !name.contains('*') && !name.is_empty() => Host::Under(name.into()),
                _ if h.contains('*') => return Err(bad("has a `*` inside its host")),
                _ => Host::Is(h.into()),
            },
        };
        let mut segments = vec![];
        let mut rest = false;
        let parts: Vec<&str> = parts.collect();
        for (i, part) in parts.iter().enumerate() {
            let part = part.to_lowercase();
            segments.push(match part.as_str() {
                "" => return Err(bad("has an empty segment")),
                "**" if i + 1 == parts.len() => {
                    rest = true;
                    continue;
                }
                "**" => return Err(bad("has `**` before its last segment")),
                "*" => Segment::Any,
                "{}" if named => Segment::Name,
                "{}" => return Err(bad("has a name `{}`, which only `stories.named` shapes have")),
                p => match p.split_once('*') {
                    None => Segment::Is(p.into()),
                    Some((_, after)) if after.contains('*') => {
                        return Err(bad("has a segment with two `*`"));
                    }
                    Some((before, after)) => Segment::Glob(before.into(), after.into()),
                },
            });
        }
        let names = segments.iter().filter(|s| matches!(s, Segment::Name)).count();
        if named && names != 1 {
            return Err(bad("needs one name segment `{}`"));
        }
        if matches!(host, Host::Any) && segments.is_empty() {
            return Err(bad("matches every site's home page, which is never a story anyway"));
        }
        Ok(Shape { host, segments, rest })
    }

    fn matches(&self, host: &str, segments: &[&str]) -> bool {
        let host_matches = match &self.host {
            Host::Any => true,
            Host::Is(name) => host == name,
            Host::Under(name) => {
                host == name || host.strip_suffix(name.as_str()).is_some_and(|h| h.ends_with('.'))
            }
        };
        let count_matches = match self.rest {
            true => segments.len() >= self.segments.len(),
            false => segments.len() == self.segments.len(),
        };
        host_matches
            && count_matches
            && self.segments.iter().zip(segments).all(|(shape, segment)| match shape {
                Segment::Any | Segment::Name => true,
                Segment::Is(word) => segment.eq_ignore_ascii_case(word),
                Segment::Glob(before, after) => {
                    let segment = segment.to_lowercase();
                    segment.len() >= before.len() + after.len()
                        && segment.starts_with(before.as_str())
                        && segment.ends_with(after.as_str())
                }
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::digest::stories::key;

    fn place(places: &Places, link: &str) -> bool {
        places.holds(&key(link).unwrap_or_else(|| panic!("{link} has no key")))
    }

    #[test]
    fn places_are_not_things() {
        let places = Places::new(&[], &[]).unwrap();
        for link in [
            "https://discord.com/channels/1053877538025386074/1149866623109439599",
            "https://discord.gg/theblokeai",
            "https://rust-lang.slack.com/archives/C012ABCDE",
            "https://t.me/rustlang",
            "https://github.com/rust-lang",
            "https://github.com/rust-lang/rust/issues",
            "https://huggingface.co/spaces",
            "https://mastodon.social/@rust",
            "https://example.com/terms-of-service",
            "https://www.example.com/Privacy/",
            "https://example.com/legal/terms",
            "https://buttondown.com/ainews/archive",
            "https://github.com/rust-lang/rfcs/issues?q=label%3Acall-for-testing",
            "https://github.com/rust-lang/rust/labels/call-for-testing",
            "https://news.ycombinator.com/user?id=pg",
            "https://example.com/about?lang=en",
            "https://github.com/apple/swift/graphs/contributors",
            "https://github.com/apple/swift/commits/master",
            "https://github.com/apple/swift-corelibs-foundation/search?q=NSUnimplemented",
            "https://swift.org/documentation/",
            "https://example.com/search?q=rust",
            "https://boards.greenhouse.io/logdna/jobs/4703358002",
            "https://apply.workable.com/truelayer/j/37748BA121",
            "https://discordapp.com/jobs/4200751002",
            "https://maidsafe.net/careers.html",
            "https://iohk.io/en/careers/fk0qe6q/software-engineer-rust",
            "https://snapview.jobs.personio.de/job/381815",
            "https://www.ycombinator.com/companies/wasmer/jobs/lG79n4xvg-rust-expert",
            "https://www.welcometothejungle.com/fr/companies/stockly-1/jobs/back-end-developer",
        ] {
            assert!(place(&places, link), "{link}");
        }
        for link in [
            "https://discord.com/channels/1053877538025386074/1149866623109439599/1150000000000000000",
            "https://t.me/rustlang/12345",
            "https://github.com/rust-lang/rust",
            "https://github.com/rust-lang/rust/issues/12345",
            "https://github.com/rust-lang/rust/releases/tag/1.80.0",
            "https://huggingface.co/spaces/someone/demo",
            "https://huggingface.co/meta-llama/Llama-3-8B",
            "https://mastodon.social/@rust/112233",
            "https://news.ycombinator.com/item?id=43555120",
            "https://example.com/blog/a-post",
            "https://example.com/watch?v=1",
            "https://github.com/apple/swift/commit/3f2a1b0",
            "https://swift.org/documentation/api-design-guidelines/",
            "https://github.com/someone/jobs",
            "https://example.com/blog/jobs-report",
        ] {
            assert!(!place(&places, link), "{link}");
        }
    }

    #[test]
    fn an_archive_adds_its_own_places() {
        let extra = vec!["forum.example.org/latest".to_string(), "*.example.net/room/*".into()];
        let places = Places::new(&extra, &[]).unwrap();
        assert!(place(&places, "https://forum.example.org/latest"));
        assert!(place(&places, "https://chat.example.net/room/general"));
        assert!(place(&places, "https://example.net/room/general"));
        assert!(!place(&places, "https://notexample.net/room/general"));
        assert!(!place(&places, "https://chat.example.net/room/general/42"));
        for (bad, why) in [
            ("/terms", "has no host"),
            ("*", "every site's home page"),
            ("ex*ample.com/a", "inside its host"),
            ("example.com/**/a", "before its last segment"),
            ("example.com/a*b*c", "two `*`"),
        ] {
            let error = Places::new(&[bad.to_string()], &[]).unwrap_err();
            assert!(error.contains(bad) && error.contains(why), "{error}");
        }
        let error = Places::new(&["example.com/{}".into()], &[]).unwrap_err();
        assert!(error.contains("stories.places") && error.contains("only"), "{error}");
        let error = Places::new(&[], &["example.com/*".into()]).unwrap_err();
        assert!(error.contains("stories.named") && error.contains("one name"), "{error}");
    }

    #[test]
    fn a_repository_or_package_the_title_does_not_name_is_cited_in_passing() {
        let places = Places::new(&[], &["git.example.org/*/*/{}".into()]).unwrap();
        let in_passing = |link: &str, title: &str| places.in_passing(&key(link).unwrap(), title);
        let repo = "https://github.com/rust-osdev/linked-list-allocator";
        assert!(!in_passing(repo, "rust-osdev/linked_list_allocator"));
        assert!(!in_passing(repo, "A comparison with the Linked List Allocator"));
        assert!(in_passing(repo, "MaderNoob/galloc"));
        assert!(in_passing("https://docs.rs/lock_api/0.4.1/lock_api", "spinning_top"));
        assert!(!in_passing("https://docs.rs/lock_api/0.4.1/lock_api", "lock_api 0.4.1"));
        assert!(in_passing("https://crates.io/crates/smoltcp", "RustyHermit"));
        assert!(in_passing("https://git.example.org/a/b/tool", "Another project"));
        assert!(!in_passing("https://git.example.org/a/b/tool", "Tool 2.0 is out"));
        // Not a named thing, an untitled item, a name too short to tell.
        assert!(!in_passing("https://github.com/smoltcp-rs/smoltcp/pull/12", "RustyHermit"));
        assert!(!in_passing("https://example.com/blog/smoltcp", "RustyHermit"));
        assert!(!in_passing("https://github.com/smoltcp-rs/smoltcp", ""));
        assert!(!in_passing("https://github.com/golang/go", "A new release"));
    }
}
