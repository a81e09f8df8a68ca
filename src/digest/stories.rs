//! What an item cites, as a key that is the same however the link was written: the
//! same story comes back day after day and digest after digest, each time with a link
//! spelled a little differently. Items that share a key are one story.
//!
//! Normalised: the scheme, `www.` and mobile hosts, fragments, tracking parameters
//! (`utm_*`, `ref`, `fbclid`...), trailing slashes; `x.com` and `twitter.com` status
//! ids; arXiv `abs`, `pdf` and versions; reddit's old, new and np hosts and its comment
//! links; `youtube.com/watch?v=` and `youtu.be/`.

use url::Url;

/// Query parameters that only say where a reader came from.
const TRACKING: &[&str] = &[
    "ref",
    "ref_src",
    "ref_url",
    "fbclid",
    "gclid",
    "mc_cid",
    "mc_eid",
    "si",
    "igshid",
    "cmpid",
    "__twitter_impression",
];

/// The story key of a link, or `None` for links that are not web pages.
// Long on purpose: one arm per site whose links name one thing many ways, side by side.
pub fn key(link: &str) -> Option<String> {
    let url = Url::parse(link.trim()).ok()?;
    if !matches!(url.scheme(), "http" | "https") {
        return None;
    }
    let host = url.host_str()?.to_ascii_lowercase();
    let host = host
        .strip_prefix("www.")
        .or_else(|| host.strip_prefix("m."))
        .or_else(|| host.strip_prefix("mobile."))
        .unwrap_or(&host)
        .to_string();
    let segments: Vec<&str> =
        url.path_segments().map(|s| s.filter(|p| !p.is_empty()).collect()).unwrap_or_default();
    let param =
        |name: &str| url.query_pairs().find(|(k, _)| k == name).map(|(_, v)| v.into_owned());

    match host.as_str() {
        "x.com" | "twitter.com" => {
            if let Some(i) = segments.iter().position(|s| *s == "status") {
                let id = segments.get(i + 1)?;
                return Some(format!("x.com/status/{id}"));
            }
        }
        "arxiv.org" | "export.arxiv.org" => {
            if let ["abs" | "pdf" | "html", id @ ..] = segments.as_slice() {
                let id = id.join("/");
                let id = id.trim_end_matches(".pdf");
                // Versions of one paper are one paper: 2605.01234v2 -> 2605.01234.
                let id = match id.rfind('v') {
                    Some(v)
                        if v > 0
                            && id[v + 1..].chars().all(|c| c.is_ascii_digit())
                            && v + 1 < id.len() =>
                    {
                        &id[..v]
                    }
                    _ => id,
                };
                return Some(format!("arxiv.org/abs/{id}"));
            }
        }
        "youtu.be" => return segments.first().map(|id| format!("youtube.com/watch/{id}")),
        "youtube.com" => {
            if let Some(id) = param("v") {
                return Some(format!("youtube.com/watch/{id}"));
            }
            if let ["shorts" | "embed" | "live", id, ..] = segments.as_slice() {
                return Some(format!("youtube.com/watch/{id}"));
            }
        }
        h if h == "reddit.com" || h.ends_with(".reddit.com") || h == "redd.it" => {
            // A thread, whichever host and whichever comment of it.
            if let ["r", sub, "comments", id, ..] = segments.as_slice() {
                return Some(format!("reddit.com/r/{}/comments/{id}", sub.to_lowercase()));
            }
            if h == "redd.it" {
                return segments.first().map(|id| format!("reddit.com/comments/{id}"));
            }
        }
        _ => {}
    }
    let path = segments.join("/");
    let mut kept: Vec<(String, String)> = url
        .query_pairs()
        .filter(|(k, _)| !k.starts_with("utm_") && !TRACKING.contains(&k.as_ref()))
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    kept.sort();
    let query: Vec<String> = kept.iter().map(|(k, v)| format!("{k}={v}")).collect();
    let mut key = host;
    if !path.is_empty() {
        key.push('/');
        key.push_str(&path);
    }
    if !query.is_empty() {
        key.push('?');
        key.push_str(&query.join("&"));
    }
    Some(key)
}

/// A short, stable id for a story key: what `/stories/{id}` and `story:` use.
pub fn id(key: &str) -> String {
    format!("{:016x}", xxhash_rust::xxh3::xxh3_64(key.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::key;

    #[test]
    fn one_story_however_the_link_is_written() {
        let same = |links: &[&str]| {
            let keys: Vec<Option<String>> = links.iter().map(|l| key(l)).collect();
            assert!(keys.iter().all(|k| k.is_some() && *k == keys[0]), "{links:?} -> {keys:?}");
        };
        same(&[
            "https://www.reddit.com/r/LocalLLaMA/comments/1kabc12/qwen3_on_a_pi/",
            "https://old.reddit.com/r/LocalLLaMA/comments/1kabc12/qwen3_on_a_pi/?utm_source=share",
            "https://np.reddit.com/r/localllama/comments/1kabc12/comment/mq1x2y3/",
            "http://new.reddit.com/r/LocalLLaMA/comments/1kabc12",
        ]);
        same(&[
            "https://arxiv.org/abs/2605.01234",
            "https://arxiv.org/abs/2605.01234v2",
            "https://arxiv.org/pdf/2605.01234v3.pdf",
            "http://export.arxiv.org/abs/2605.01234",
        ]);
        same(&[
            "https://x.com/karpathy/status/1916000000000000001",
            "https://twitter.com/karpathy/status/1916000000000000001?s=20",
            "https://mobile.twitter.com/karpathy/status/1916000000000000001/photo/1",
        ]);
        same(&[
            "https://www.youtube.com/watch?v=dQw4w9WgXcQ&t=42",
            "https://youtu.be/dQw4w9WgXcQ?si=abc",
            "https://m.youtube.com/watch?v=dQw4w9WgXcQ&feature=share",
        ]);
        same(&[
            "https://example.com/post/launch/?utm_source=newsletter&utm_medium=email#comments",
            "http://www.example.com/post/launch",
            "https://example.com/post/launch?ref=hn",
        ]);
    }

    #[test]
    fn different_things_stay_apart() {
        assert_ne!(key("https://example.com/a?page=2"), key("https://example.com/a?page=3"));
        assert_ne!(
            key("https://arxiv.org/abs/2605.01234"),
            key("https://arxiv.org/abs/2605.01235")
        );
        assert_ne!(
            key("https://www.reddit.com/r/rust/comments/aaa/x/"),
            key("https://www.reddit.com/r/rust/comments/bbb/x/")
        );
        assert_eq!(key("mailto:someone@example.com"), None);
        assert_eq!(key("/relative/path"), None);
    }
}
