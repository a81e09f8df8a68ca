//! An item's topics: what it declares (`Topics:` lines, hashtags), what the taxonomy
//! finds in its text, and those of its entry's tags that its text shows.

use std::sync::LazyLock;

use regex::Regex;

use super::entry::Names;
use super::{Taxonomy, is_cjk, outline};

/// An item's topics: the entry's tags, its `Topics:`/`Tags:` lines and `#hashtags`, and
/// the taxonomy's matches in its title and text.
pub(super) fn item_topics(
    item: &outline::RawItem,
    entry_topics: &[String],
    taxonomy: &Taxonomy,
) -> Vec<String> {
    static EXPLICIT: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"(?im)^[\W_]*(?:topics?|tags)[*_]*\s*:[*_]*\s*(.+)$").unwrap()
    });
    static HASHTAG: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"(?:^|\s)#([A-Za-z][\w-]*\w)").unwrap());
    let mut topics = Names::default();
    let mut add = |t: &str| topics.push(taxonomy.canonical_topic(t).unwrap_or(t));
    for line in EXPLICIT.captures_iter(&item.text) {
        line[1]
            .split([',', ';'])
            .for_each(|t| add(t.trim().trim_start_matches('#').trim_end_matches('.')));
    }
    for tag in HASHTAG.captures_iter(&item.text) {
        add(&tag[1]);
    }
    let haystack = format!("{}\n{}", item.title, item.text);
    let found: Vec<&str> = taxonomy.topics_in(&haystack).collect();
    // The entry's tags describe the entry; an item has those its own text shows.
    let mut words = None;
    for tag in entry_topics {
        if found.contains(&tag.as_str())
            || shows(&haystack, words.get_or_insert_with(|| normalized_words(&haystack)), tag)
        {
            add(tag);
        }
    }
    found.into_iter().for_each(add);
    topics.into_vec()
}

/// Lower-cased words, separated and surrounded by single spaces: ` fine tuning is `.
fn normalized_words(text: &str) -> String {
    let mut out = String::from(" ");
    for word in text.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()) {
        if word.is_ascii() {
            let start = out.len();
            out.push_str(word);
            out[start..].make_ascii_lowercase();
        } else {
            out.push_str(&word.to_lowercase());
        }
        out.push(' ');
    }
    out
}

/// Whether a text shows a tag: its words in order as whole words (case, punctuation
/// and a plural `s` ignored: `fine-tuning` shows `fine tuning`, `agents` shows `agent`),
/// or for a tag in CJK, its characters anywhere.
fn shows(text: &str, words: &str, tag: &str) -> bool {
    if tag.chars().any(is_cjk) {
        return text.contains(tag.trim());
    }
    let tag = normalized_words(tag);
    if tag.trim().is_empty() {
        return false;
    }
    let singular = tag.strip_suffix("s ").map(|t| format!("{t} "));
    let plural = format!("{}s ", tag.trim_end());
    words.contains(&tag)
        || words.contains(&plural)
        || singular.is_some_and(|t| t.trim().len() > 2 && words.contains(&t))
}

/// Whether a text shows a topic: its name as whole words, or a word the
/// taxonomy gives for it. The rule an item's topics follow, for those who check them.
pub fn shows_topic(text: &str, topic: &str, taxonomy: &Taxonomy) -> bool {
    shows(text, &normalized_words(text), topic)
        || taxonomy.topics_in(text).any(|t| t.eq_ignore_ascii_case(topic))
}
