//! What an item cites, as a key that is the same however the link was written: the
//! same story comes back day after day and digest after digest, each time with a link
//! spelled a little differently. Items that share a key are one story.
//!
//! Normalised: the scheme, `www.` and mobile hosts, fragments, tracking parameters
//! (`utm_*`, `ref`, `fbclid`...), trailing slashes; `x.com` and `twitter.com` status
//! ids; arXiv `abs`, `pdf` and versions; reddit's old, new and np hosts and its comment
//! links; `youtube.com/watch?v=` and `youtu.be/`.
//!
//! A summary copied into the next day's digest, often word for word, is the same story
//! too, link or not: [`near_duplicate_ids`] gives near-duplicate texts a shared id.

use url::Url;

use super::places::Places;

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

/// The story key of a link, or `None` for links that are not web pages or that name a
/// place rather than a thing: a site's home page, a profile, a subreddit, a channel.
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
            return None;
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
            return None;
        }
        h if h == "reddit.com" || h.ends_with(".reddit.com") || h == "redd.it" => {
            // A thread, whichever host and whichever comment of it.
            if let ["r", sub, "comments", id, ..] = segments.as_slice() {
                return Some(format!("reddit.com/r/{}/comments/{id}", sub.to_lowercase()));
            }
            if h == "redd.it" {
                return segments.first().map(|id| format!("reddit.com/comments/{id}"));
            }
            return None;
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
    if path.is_empty() && query.is_empty() {
        return None;
    }
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

/// The story ids of the links of one item titled `title`: their keys' ids, without
/// places, without the named things it cites in passing after its first link (see
/// [`Places`]: an item is about its first link, or what its title names) and without
/// the keys another of them lies below (an item that cites a meetup group and one of
/// its events is about the event).
pub fn link_ids<'a>(
    urls: impl Iterator<Item = &'a str>,
    title: &str,
    places: &Places,
) -> Vec<StoryId> {
    let mut keys: Vec<String> = urls.filter_map(key).filter(|k| !places.holds(k)).collect();
    let first = keys.first().cloned();
    keys.retain(|k| Some(k) == first.as_ref() || !places.in_passing(k, title));
    // A key has one below it when a key starts with it and `/` or `?`: looked up in the
    // sorted keys, so that an item of thousands of links costs n log n, not n².
    let mut sorted: Vec<&str> = keys.iter().map(String::as_str).collect();
    sorted.sort_unstable();
    let has_below = |outer: &str| {
        ['/', '?'].iter().any(|sep| {
            let prefix = format!("{outer}{sep}");
            let at = sorted.partition_point(|k| *k < prefix.as_str());
            sorted.get(at).is_some_and(|k| k.starts_with(&prefix))
        })
    };
    keys.iter().filter(|k| !has_below(k)).map(|k| StoryId::of_key(k)).collect()
}

/// A story's id: a number in the index (a `u64` term and column value, 8 bytes and no
/// dictionary to read back), written as 16 hex digits for a link's story key, or
/// [`NEAR_PREFIX`] and 15 for a near-duplicate text's: what `/stories/{id}` and `story:`
/// use. The top bit tells the two apart.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct StoryId(pub u64);

/// The bit of a near-duplicate text's id.
const TEXT: u64 = 1 << 63;

impl StoryId {
    /// The id of a link's story key: its hash, without the top bit.
    pub fn of_key(key: &str) -> StoryId {
        StoryId(xxhash_rust::xxh3::xxh3_64(key.as_bytes()) & !TEXT)
    }

    /// Whether it is a near-duplicate text's id (else a link's).
    pub fn is_text(self) -> bool {
        self.0 & TEXT != 0
    }
}

impl std::fmt::Display for StoryId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.is_text() {
            write!(f, "{NEAR_PREFIX}{:015x}", self.0 & !TEXT)
        } else {
            write!(f, "{:016x}", self.0)
        }
    }
}

/// Written as text, as everywhere a reader sees it.
impl serde::Serialize for StoryId {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl std::str::FromStr for StoryId {
    type Err = String;

    /// A written id. 16 digits with the top bit set are a link id as written before ids
    /// were numbers (the whole hash): it is the same story.
    fn from_str(s: &str) -> Result<StoryId, String> {
        let hex = |digits: &str, len: usize| {
            let ok = digits.len() == len && digits.bytes().all(|b| b.is_ascii_hexdigit());
            ok.then(|| u64::from_str_radix(digits, 16).ok()).flatten()
        };
        let id = match s.strip_prefix(NEAR_PREFIX) {
            Some(digits) => hex(digits, 15).map(|n| n | TEXT),
            None => hex(s, 16).map(|n| n & !TEXT),
        };
        id.map(StoryId).ok_or_else(|| {
            format!("`{s}` is not a story id: 16 hex digits, or `{NEAR_PREFIX}` and 15")
        })
    }
}

/// The first character of a near-duplicate text's story id (a link's is a hex digit).
pub const NEAR_PREFIX: char = 'n';

/// The most MinHash registers a text gets: bands times rows, as [`banding`] picks them.
const REGISTERS: usize = 48;
/// The most bands, and so near-duplicate ids, an item gets.
const MAX_BANDS: usize = 6;
/// Mixes a word's hash with the next one's into the pair's.
const PAIR: u64 = 0x9E37_79B9_7F4A_7C15;
/// A text with fewer distinct word pairs than this is too short to call a near
/// duplicate of another: a one-line item (an event listing, a pull request's title)
/// is told by its link, not by its wording.
const MIN_PAIRS: usize = 20;

/// Story ids that a near-duplicate text shares: locality-sensitive hashing over a
/// MinHash of the text's word pairs (lower-cased; each CJK character a word). Two texts
/// whose pairs have a Jaccard similarity `s` share at least one id with probability
/// `1 - (1 - s^rows)^bands`: likely from `similarity` up, unlikely well below it. None
/// for short texts, or when `similarity` is 0.
///
/// Numbers must agree as well: the same listing with another date, or the same
/// template with another count ("109 pull requests were merged"), is another story.
pub fn near_duplicate_ids(text: &str, similarity: f64) -> Vec<StoryId> {
    let Some((bands, rows)) = banding(similarity) else { return vec![] };
    let words = word_hashes(text);
    let mut numbers: Vec<&str> =
        text.split(|c: char| !c.is_ascii_digit()).filter(|n| !n.is_empty()).collect();
    numbers.sort_unstable();
    numbers.dedup();
    let numbers = numbers.join(" ");
    let mut pairs: Vec<u64> =
        words.windows(2).map(|w| w[0].rotate_left(29).wrapping_mul(PAIR) ^ w[1]).collect();
    pairs.sort_unstable();
    pairs.dedup();
    if pairs.len() < MIN_PAIRS {
        return vec![];
    }
    let registers = min_hashes(&pairs, bands * rows);
    (0..bands)
        .map(|band| {
            let band_bytes: Vec<u8> = registers[band * rows..(band + 1) * rows]
                .iter()
                .flat_map(|r| r.to_le_bytes())
                .collect();
            let hash = xxhash_rust::xxh3::xxh3_64(&band_bytes);
            let key = format!("{band}/{hash:016x}/{numbers}");
            StoryId(xxhash_rust::xxh3::xxh3_64(key.as_bytes()) >> 4 | TEXT)
        })
        .collect()
}

/// The MinHash of a text's word pairs: for each of `count` hash functions, the least
/// value it takes over the pairs. The functions are multiply-add-shift hashes
/// (`(a * x + b) >> 32`, `a` odd), a universal family, over pairs that are well-mixed
/// hashes already: a register costs one multiply and add per pair, and only the
/// registers the bands read are computed.
fn min_hashes(pairs: &[u64], count: usize) -> Vec<u32> {
    let mut seed = 0x2545_F491_4F6C_DD1D_u64;
    let mut next = || {
        // splitmix64: the functions' constants, the same in every run.
        seed = seed.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let z = (seed ^ (seed >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        let z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    };
    (0..count)
        .map(|_| {
            let (a, b) = (next() | 1, next());
            let hashed = pairs.iter().map(|&p| (p.wrapping_mul(a).wrapping_add(b) >> 32) as u32);
            hashed.min().unwrap_or(u32::MAX)
        })
        .collect()
}

/// Bands and rows whose LSH threshold, `(1/bands)^(1/rows)`, is nearest `similarity`:
/// the most rows (the steepest curve) that fit in [`REGISTERS`] with at most
/// [`MAX_BANDS`] bands (each band is a term of every item's in the index).
fn banding(similarity: f64) -> Option<(usize, usize)> {
    if similarity <= 0.0 {
        return None;
    }
    (2..=12)
        .rev()
        .map(|rows| ((1.0 / similarity).powi(rows as i32).round().max(1.0) as usize, rows))
        .find(|(bands, rows)| *bands <= MAX_BANDS && bands * rows <= REGISTERS)
        .or(Some((MAX_BANDS, 4)))
}

/// The hashes of a text's words, lower-cased; each CJK character is a word of its own.
fn word_hashes(text: &str) -> Vec<u64> {
    let mut words = vec![];
    let mut word = String::new();
    let mut push = |word: &mut String| {
        if !word.is_empty() {
            words.push(xxhash_rust::xxh3::xxh3_64(word.as_bytes()));
            word.clear();
        }
    };
    for c in text.chars() {
        if c.is_ascii() {
            match c.is_ascii_alphanumeric() {
                true => word.push(c.to_ascii_lowercase()),
                false => push(&mut word),
            }
            continue;
        }
        let cjk = matches!(c as u32, 0x3040..=0x30ff | 0x3400..=0x4dbf | 0x4e00..=0x9fff | 0xac00..=0xd7af);
        if c.is_alphanumeric() && !cjk {
            word.extend(c.to_lowercase());
            continue;
        }
        push(&mut word);
        if cjk {
            word.push(c);
            push(&mut word);
        }
    }
    push(&mut word);
    words
}

#[cfg(test)]
mod tests {
    use super::{StoryId, banding, key, min_hashes, near_duplicate_ids};

    const SUMMARY: &str = "A thread on r/LocalLLaMA walks through pairing a 0.5B draft model with an 8B target. \
        The author reports roughly 1.8x more tokens per second on a consumer GPU, with the biggest \
        gains on code where the draft guesses boilerplate well. Acceptance rate drops sharply on \
        creative writing.";

    #[test]
    fn min_hashes_agree_as_often_as_the_sets_overlap() {
        let hashed = |range: std::ops::Range<u64>| -> Vec<u64> {
            range.map(|n| xxhash_rust::xxh3::xxh3_64(&n.to_le_bytes())).collect()
        };
        let agreeing = |a: &[u64], b: &[u64]| {
            let (a, b) = (min_hashes(a, 400), min_hashes(b, 400));
            a.iter().zip(&b).filter(|(x, y)| x == y).count() as f64 / 400.0
        };
        // Jaccard similarities 1, 0, 1/3 (100 of 300) and 0.8 (400 of 500).
        assert_eq!(agreeing(&hashed(0..200), &hashed(0..200)), 1.0);
        assert!(agreeing(&hashed(0..200), &hashed(200..400)) < 0.02);
        let third = agreeing(&hashed(0..200), &hashed(100..300));
        assert!((third - 1.0 / 3.0).abs() < 0.08, "{third}");
        let most = agreeing(&hashed(0..450), &hashed(50..500));
        assert!((most - 0.8).abs() < 0.08, "{most}");
    }

    #[test]
    fn a_summary_repeated_with_small_edits_shares_an_id() {
        let ids = near_duplicate_ids(SUMMARY, 0.8);
        assert_eq!(ids.len(), 6);
        assert_eq!(ids, near_duplicate_ids(&SUMMARY.to_uppercase(), 0.8), "case is ignored");
        let edited = SUMMARY.replace("A thread", "Yesterday's thread").replace("roughly", "about");
        let again = near_duplicate_ids(&edited, 0.8);
        assert!(ids.iter().any(|id| again.contains(id)), "{ids:?} {again:?}");
        // The same text with another number is not the same story.
        let recount = near_duplicate_ids(&SUMMARY.replace("1.8x", "1.9x"), 0.8);
        assert!(!ids.iter().any(|id| recount.contains(id)), "{ids:?} {recount:?}");
        // Another text on the same subject shares nothing.
        let other = "Speculative decoding pairs a small draft model with a large target model; \
            the target verifies several drafted tokens at once, so a good draft saves most of \
            the forward passes of the large model on easy text.";
        let apart = near_duplicate_ids(other, 0.8);
        assert!(!ids.iter().any(|id| apart.contains(id)), "{ids:?} {apart:?}");
        // Short texts and a threshold of 0 have none.
        assert!(near_duplicate_ids("Topics: inference, agents", 0.8).is_empty());
        assert!(near_duplicate_ids(SUMMARY, 0.0).is_empty());
    }

    /// Ids are written and read back; a link id written before ids were numbers (the
    /// whole hash, top bit set) reads as the same story; anything else is an error.
    #[test]
    fn ids_are_written_and_read_back() {
        let link = StoryId::of_key("example.com/post/launch");
        let text = near_duplicate_ids(SUMMARY, 0.7)[0];
        for id in [link, text] {
            assert_eq!(id.to_string().parse::<StoryId>(), Ok(id));
        }
        assert!(!link.is_text() && text.is_text());
        assert_eq!(link.to_string().len(), 16);
        assert!(text.to_string().starts_with('n') && text.to_string().len() == 16);
        let whole = format!("{:016x}", link.0 | 1 << 63);
        assert_eq!(whole.parse::<StoryId>(), Ok(link));
        assert_eq!("00000000000000ff".parse::<StoryId>(), Ok(StoryId(255)));
        for bad in
            ["", "n", "xyz", "0123", "0123456789abcdefa", "n0123456789abcdef", "g000000000000000"]
        {
            let err = bad.parse::<StoryId>().unwrap_err();
            assert!(err.contains("not a story id"), "{bad}: {err}");
        }
    }

    #[test]
    fn chinese_text_is_paired_by_characters() {
        let text =
            "开源软件基金会发布了新的报告，分析了过去一年开源大模型的发展情况和主要的技术趋势。";
        let ids = near_duplicate_ids(text, 0.8);
        assert_eq!(ids.len(), 6);
        // One word changed in forty characters: most pairs stay, and a band with them.
        let edited = near_duplicate_ids(&text.replace("报告", "报表"), 0.8);
        assert!(ids.iter().any(|id| edited.contains(id)), "{ids:?} {edited:?}");
        let other =
            "一家初创公司推出了面向家庭用户的语音助手，支持离线识别和多种方言，价格低于同类产品。";
        let apart = near_duplicate_ids(other, 0.8);
        assert!(!ids.iter().any(|id| apart.contains(id)), "{ids:?} {apart:?}");
    }

    #[test]
    fn banding_follows_the_threshold() {
        let threshold =
            |(bands, rows): (usize, usize)| (1.0 / bands as f64).powf(1.0 / rows as f64);
        for similarity in [0.5, 0.6, 0.7, 0.8, 0.9, 1.0] {
            let (bands, rows) = banding(similarity).unwrap();
            assert!(bands * rows <= 48 && bands <= 6, "{similarity}");
            assert!(
                (threshold((bands, rows)) - similarity).abs() < 0.02,
                "{similarity}: {bands}x{rows}"
            );
        }
        assert_eq!(banding(0.0), None);
    }

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
        // Places, not things: home pages, profiles, subreddits, channels.
        for place in [
            "https://rustnl.org/",
            "https://www.example.com/?utm_source=x",
            "https://x.com/karpathy",
            "https://www.reddit.com/r/LocalLLaMA/",
            "https://www.youtube.com/@somechannel",
        ] {
            assert_eq!(key(place), None, "{place}");
        }
        assert!(key("https://news.ycombinator.com/item?id=43555120").is_some());
        assert_eq!(key("/relative/path"), None);
    }
}
