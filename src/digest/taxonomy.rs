//! The taxonomy: the words and phrases that reveal an item's topics and sources.
//!
//! The archive's owner edits `taxonomy.toml` at the archive's root:
//!
//! ```toml
//! [topics]
//! quantization = ["quantization", "quantized", "GGUF", "INT4"]
//!
//! [sources]
//! "r/LocalLLaMA" = ["LocalLLaMA", "r/LocalLLaMA"]
//! ```
//!
//! Phrases match case-insensitively and as whole words; a name is found in text only
//! through its phrases (list it among them to match it). An archive without the file gets
//! the built-in default (`default_taxonomy.toml`), which covers AI and software news.
//!
//! An optional `[stories]` table tunes how stories are found ([`StorySettings`]), and
//! `[dates]` how entries are dated ([`DateSettings`]).

use std::collections::BTreeMap;
use std::path::Path;

use regex::RegexSet;
use serde::Deserialize;

use super::ParseError;
use super::places::Places;

/// The built-in taxonomy, used when an archive has no `taxonomy.toml`.
pub const DEFAULT: &str = include_str!("default_taxonomy.toml");

/// The file name of an archive's own taxonomy.
pub const FILE_NAME: &str = "taxonomy.toml";

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    #[serde(default)]
    topics: BTreeMap<String, Vec<String>>,
    #[serde(default)]
    sources: BTreeMap<String, Vec<String>>,
    #[serde(default)]
    stories: StorySettings,
    #[serde(default)]
    dates: DateSettings,
}

/// How entries are dated (`[dates]` in `taxonomy.toml`; every key optional).
#[derive(Debug, Clone, Copy, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct DateSettings {
    /// Where nothing in a file gives a day and the archive is a git repository, the day
    /// the commit that first added the file was written (true by default).
    pub git: bool,
}

impl Default for DateSettings {
    fn default() -> Self {
        DateSettings { git: true }
    }
}

/// How stories are found (`[stories]` in `taxonomy.toml`; every key optional).
#[derive(Debug, Clone, PartialEq, Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct StorySettings {
    /// Items whose texts are at least this similar (the Jaccard similarity of their
    /// sets of word pairs, 0.7 by default) are one story even without a shared link;
    /// 0 turns this off.
    pub near_duplicate: f64,
    /// A link (or a text) cited by more than this share of the entries is boilerplate
    /// (a digest's home page, its Discord, its sign-off) and makes no story...
    pub boilerplate_share: f64,
    /// ...when at least this many items cite it: in a small archive a story may well be
    /// in most entries.
    pub boilerplate_items: u64,
    /// Links to places, besides the built-in ones, that make no story (shapes as
    /// [`super::places`] describes them, e.g. `forum.example.org/latest`).
    pub places: Vec<String>,
    /// Named things, besides the built-in ones, that an item whose title does not name
    /// them cites in passing (shapes with a `{}` name, e.g. `git.example.org/*/{}`).
    pub named: Vec<String>,
}

impl Default for StorySettings {
    fn default() -> Self {
        StorySettings {
            near_duplicate: 0.7,
            boilerplate_share: 0.2,
            boilerplate_items: 10,
            places: vec![],
            named: vec![],
        }
    }
}

impl StorySettings {
    fn check(&self) -> Result<(), String> {
        let n = self.near_duplicate;
        if n != 0.0 && !(0.5..=1.0).contains(&n) {
            return Err(format!(
                "stories.near_duplicate is {n}: use a similarity from 0.5 to 1, or 0 for none"
            ));
        }
        let s = self.boilerplate_share;
        if !(s > 0.0 && s <= 1.0) {
            return Err(format!("stories.boilerplate_share is {s}: use a share above 0, up to 1"));
        }
        Ok(())
    }
}

/// A pattern that matches nothing, for a name listed without phrases.
const NEVER: &str = r"[^\s\S]";

/// One kind of rule (topics or sources): names, and a set of patterns that finds them.
#[derive(Debug)]
struct Rules {
    names: Vec<String>,
    /// Each name's phrases, lower-cased, the name among them.
    aliases: Vec<Vec<String>>,
    set: RegexSet,
}

impl Rules {
    fn build(kind: &str, map: BTreeMap<String, Vec<String>>) -> Result<Rules, String> {
        let mut names = vec![];
        let mut aliases = vec![];
        let mut patterns = vec![];
        let mut seen = std::collections::HashSet::new();
        for (name, phrases) in map {
            let name = name.trim().to_string();
            if name.is_empty() {
                return Err(format!("a {kind} name is empty"));
            }
            if !seen.insert(name.to_lowercase()) {
                return Err(format!("{kind} `{name}` is listed twice (names ignore case)"));
            }
            let phrases: Vec<String> =
                phrases.iter().map(|p| p.trim().to_lowercase()).filter(|p| !p.is_empty()).collect();
            patterns.push(if phrases.is_empty() {
                NEVER.to_string()
            } else {
                let alternatives: Vec<String> = phrases.iter().map(|p| regex::escape(p)).collect();
                format!(r"(?i)(?:^|[^\w])(?:{})(?:[^\w]|$)", alternatives.join("|"))
            });
            // The name is always an alias, but only the phrases are searched for in text
            // (so that a source named `X` does not match every lone letter x).
            aliases.push(std::iter::once(name.to_lowercase()).chain(phrases).collect());
            names.push(name);
        }
        let set = RegexSet::new(&patterns).map_err(|e| format!("{kind} rules: {e}"))?;
        Ok(Rules { names, aliases, set })
    }

    fn find(&self, text: &str) -> impl Iterator<Item = &str> {
        self.set.matches(text).into_iter().map(|i| self.names[i].as_str())
    }

    /// The name whose own spelling or alias ("HN" for Hacker News) is `value`.
    fn canonical(&self, value: &str) -> Option<&str> {
        let value = value.trim().to_lowercase();
        let i = self.aliases.iter().position(|a| a.contains(&value))?;
        Some(&self.names[i])
    }
}

/// Topic and source rules, compiled.
#[derive(Debug)]
pub struct Taxonomy {
    topics: Rules,
    sources: Rules,
    /// How stories are found.
    pub stories: StorySettings,
    /// Links to places, which make no story (the built-in ones and `stories.places`),
    /// and named things (the built-in ones and `stories.named`).
    pub places: Places,
    /// How entries are dated.
    pub dates: DateSettings,
    /// A hash of the rules' text: when it changes, every entry must be re-read.
    pub fingerprint: u64,
}

impl Taxonomy {
    /// Parses a taxonomy from TOML text.
    pub fn parse(text: &str) -> Result<Taxonomy, ParseError> {
        let invalid = |message: String| ParseError::Taxonomy { message };
        let file: File = toml::from_str(text).map_err(|e| invalid(e.to_string()))?;
        file.stories.check().map_err(invalid)?;
        Ok(Taxonomy {
            places: Places::new(&file.stories.places, &file.stories.named).map_err(invalid)?,
            stories: file.stories,
            dates: file.dates,
            topics: Rules::build("topic", file.topics).map_err(invalid)?,
            sources: Rules::build("source", file.sources).map_err(invalid)?,
            fingerprint: xxhash_rust::xxh3::xxh3_64(text.as_bytes()),
        })
    }

    /// The built-in default taxonomy.
    pub fn builtin() -> Taxonomy {
        Taxonomy::parse(DEFAULT).expect("the built-in taxonomy is valid")
    }

    /// Loads `taxonomy.toml` from an archive's root, or the default when there is none.
    pub fn load(archive_root: &Path) -> Result<Taxonomy, ParseError> {
        let path = archive_root.join(FILE_NAME);
        match std::fs::read_to_string(&path) {
            Ok(text) => Taxonomy::parse(&text),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Taxonomy::builtin()),
            Err(e) => Err(ParseError::Io(e)),
        }
    }

    /// Topics whose phrases appear in `text`.
    pub fn topics_in<'a>(&'a self, text: &str) -> impl Iterator<Item = &'a str> {
        self.topics.find(text)
    }

    /// Sources named in `text` ("someone on LocalLLaMA").
    pub fn sources_in<'a>(&'a self, text: &str) -> impl Iterator<Item = &'a str> {
        self.sources.find(text)
    }

    /// The taxonomy's own spelling of a topic, if it knows it (`Agents` -> `agents`).
    pub fn canonical_topic(&self, value: &str) -> Option<&str> {
        self.topics.canonical(value)
    }

    /// The taxonomy's own spelling of a source, if it knows it (`hn` -> `Hacker News`).
    pub fn canonical_source(&self, value: &str) -> Option<&str> {
        self.sources.canonical(value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_finds_topics_and_sources_as_whole_words() {
        let t = Taxonomy::builtin();
        let topics: Vec<_> =
            t.topics_in("A GGUF build of the model, quantized to INT4, runs on a laptop").collect();
        assert!(topics.contains(&"quantization"), "{topics:?}");
        let none: Vec<_> = t.topics_in("unquantizedness and ggufx").collect();
        assert!(!none.contains(&"quantization"), "{none:?}");
        let sources: Vec<_> =
            t.sources_in("someone on LocalLLaMA found a LessWrong post").collect();
        assert!(sources.contains(&"r/LocalLLaMA") && sources.contains(&"LessWrong"), "{sources:?}");
    }

    #[test]
    fn canonical_spellings() {
        let t = Taxonomy::builtin();
        assert_eq!(t.canonical_source("hn"), Some("Hacker News"));
        assert_eq!(t.canonical_source("r/localllama"), Some("r/LocalLLaMA"));
        assert_eq!(t.canonical_source("hn and more"), None);
        assert_eq!(t.canonical_topic("Agents"), Some("agents"));
        assert_eq!(t.canonical_topic("gardening"), None);
    }

    #[test]
    fn story_settings_default_and_can_be_tuned() {
        assert_eq!(Taxonomy::builtin().stories, StorySettings::default());
        let t = Taxonomy::parse("[stories]\nnear_duplicate = 0.9\n").unwrap();
        assert_eq!(t.stories.near_duplicate, 0.9);
        assert_eq!(t.stories.boilerplate_items, 10);
    }

    #[test]
    fn custom_taxonomy() {
        let t = Taxonomy::parse(
            "[topics]\n\"C++\" = [\"C++\", \"cpp\"]\n[sources]\nLobsters = [\"lobste.rs\"]\n",
        )
        .unwrap();
        assert_eq!(t.topics_in("modern C++ tricks").collect::<Vec<_>>(), ["C++"]);
        assert_eq!(t.sources_in("seen on lobste.rs today").collect::<Vec<_>>(), ["Lobsters"]);
    }

    #[test]
    fn invalid_taxonomies_are_errors() {
        for (text, want) in [
            ("[topics]\nx = \"not a list\"\n", "invalid type"),
            ("[topic]\nx = []\n", "unknown field"),
            ("[topics]\nAgents = []\nagents = []\n", "listed twice"),
            ("[topics\n", "TOML"),
            ("[stories]\nnear_duplicate = 0.3\n", "from 0.5 to 1"),
            ("[stories]\nboilerplate_share = 0\n", "above 0"),
            ("[stories]\nboilerplate = 1\n", "unknown field"),
        ] {
            let err = Taxonomy::parse(text).unwrap_err().to_string();
            assert!(err.contains(want) || want == "TOML", "{text:?}: {err}");
            assert!(err.contains("taxonomy"), "{err}");
        }
    }
}
