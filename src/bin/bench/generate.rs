//! A deterministic archive generator: seeded, realistic-looking digests in every
//! front-matter style, with a Zipf-like vocabulary and rare "needle" words inserted at
//! known rates, so that search results can be checked.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::Path;

use chrono::{Duration, NaiveDate};

pub use super::shared::Rng;

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    /// Uniform in `lo..=hi`.
    pub fn range(&mut self, lo: usize, hi: usize) -> usize {
        lo + self.below(hi - lo + 1)
    }

    /// Uniform in [0, 1).
    pub fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }

    pub fn pick<T: Copy>(&mut self, items: &[T]) -> T {
        items[self.range(0, items.len() - 1)]
    }
}

/// Rare words and the share of items that carry each.
pub const NEEDLES: &[(&str, f64)] =
    &[("quokkaformer", 1.0 / 40.0), ("velvetlattice", 1.0 / 400.0), ("nimbusprobe", 1.0 / 4000.0)];

const COMMON: &[&str] = &[
    "the",
    "of",
    "and",
    "to",
    "a",
    "in",
    "is",
    "for",
    "that",
    "on",
    "with",
    "model",
    "models",
    "this",
    "it",
    "as",
    "are",
    "by",
    "from",
    "new",
    "be",
    "at",
    "an",
    "more",
    "data",
    "not",
    "training",
    "can",
    "they",
    "their",
    "which",
    "than",
    "about",
    "performance",
    "use",
    "inference",
    "open",
    "team",
    "results",
    "release",
    "code",
    "benchmark",
    "people",
    "paper",
    "week",
    "memory",
    "agents",
    "local",
    "users",
    "thread",
    "post",
    "tokens",
    "context",
    "fast",
    "small",
    "large",
    "language",
    "safety",
    "evaluation",
    "research",
    "hardware",
    "weights",
    "latency",
    "quality",
    "tools",
    "library",
    "version",
    "support",
    "works",
    "running",
    "system",
    "approach",
    "method",
    "compute",
    "cost",
    "early",
    "report",
    "claims",
    "shows",
    "argues",
    "discussion",
    "community",
    "build",
    "speed",
    "accuracy",
    "dataset",
    "fine",
    "tuning",
    "quantization",
    "retrieval",
    "reasoning",
    "agent",
    "prompt",
    "server",
    "gpu",
    "cpu",
    "laptop",
];

const TOPIC_PHRASES: &[&str] = &[
    "speculative decoding",
    "agent memory",
    "GGUF",
    "INT4",
    "KV cache",
    "fine-tuning",
    "LoRA",
    "prompt injection",
    "text-to-speech",
    "voice cloning",
    "open weights",
    "long context",
    "SWE-bench",
    "RAG",
    "vector database",
    "chain of thought",
    "tool calling",
    "consumer GPU",
    "privacy",
    "vulnerability",
    "llama.cpp",
    "vLLM",
];

const SOURCES: &[(&str, &str)] = &[
    ("https://www.reddit.com/r/LocalLLaMA/comments/{id}/thread/", "a r/LocalLLaMA thread"),
    ("https://www.reddit.com/r/MachineLearning/comments/{id}/post/", "a r/MachineLearning post"),
    ("https://news.ycombinator.com/item?id={id}", "Hacker News discussion"),
    ("https://www.lesswrong.com/posts/{id}/essay", "a LessWrong essay"),
    ("https://arxiv.org/abs/2401.{id}", "an arXiv paper"),
    ("https://github.com/example-{id}/project", "a GitHub repo"),
    ("https://huggingface.co/example/model-{id}", "the Hugging Face model card"),
    ("https://blog-{id}.example.dev/post", "a blog post"),
    ("https://x.com/someone/status/{id}", "a post on X"),
];

const SERIES: &[(&str, &str)] = &[
    ("Weekly AI Roundup", "Sam Lee"),
    ("Local Models Digest", "Priya Nair"),
    ("Agent Notes", "Ana Ruiz"),
    ("Friday Notes", "Bo Chen"),
    ("Research Picks", "Dana Okafor"),
    ("Inference Weekly", "Marco Bianchi"),
];

/// A Zipf-like vocabulary: common words first, then invented words of falling
/// frequency; sampled through a cumulative table.
pub struct Vocabulary {
    words: Vec<String>,
    cumulative: Vec<f64>,
}

impl Vocabulary {
    pub fn new(rng: &mut Rng, size: usize) -> Vocabulary {
        const ONSETS: &[&str] = &[
            "b", "c", "d", "f", "g", "k", "l", "m", "n", "p", "r", "s", "t", "v", "z", "br", "st",
            "tr", "pl", "gr",
        ];
        const VOWELS: &[&str] = &["a", "e", "i", "o", "u", "ai", "ou", "io"];
        let mut words: Vec<String> = COMMON.iter().map(|w| w.to_string()).collect();
        let mut seen: std::collections::HashSet<String> = words.iter().cloned().collect();
        while words.len() < size {
            let syllables = rng.range(2, 4);
            let mut w = String::new();
            for _ in 0..syllables {
                w.push_str(rng.pick(ONSETS));
                w.push_str(rng.pick(VOWELS));
            }
            if rng.unit() < 0.3 {
                w.push_str(rng.pick(&["n", "r", "s", "x", "t"]));
            }
            if seen.insert(w.clone()) && NEEDLES.iter().all(|(n, _)| *n != w) {
                words.push(w);
            }
        }
        let mut cumulative = Vec::with_capacity(words.len());
        let mut total = 0.0;
        for rank in 1..=words.len() {
            total += 1.0 / (rank as f64).powf(1.07);
            cumulative.push(total);
        }
        cumulative.iter_mut().for_each(|c| *c /= total);
        Vocabulary { words, cumulative }
    }

    pub fn word(&self, rng: &mut Rng) -> &str {
        let u = rng.unit();
        let i = self.cumulative.partition_point(|&c| c < u).min(self.words.len() - 1);
        &self.words[i]
    }
}

/// What was generated: files, bytes, items, how many items carry each needle, and the
/// repeats planted. Kept beside the archive as JSON, so a rerun knows what it holds
/// without generating it.
#[derive(Debug, Default, serde::Serialize, serde::Deserialize)]
pub struct Generated {
    /// [`VERSION`] of the generator that wrote it: another is generated again.
    #[serde(default)]
    pub version: u32,
    pub digests: usize,
    pub items: usize,
    pub bytes: u64,
    pub needles: BTreeMap<String, usize>,
    #[serde(default)]
    pub planted: Vec<Planted>,
}

/// Bumped whenever what the generator writes changes.
pub const VERSION: u32 = 2;

/// An item that tells again an item of one of the three digests before it.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct Planted {
    /// How: `link` (the same link spelled another way, new text) or `text N%` (the
    /// text with N% of its words changed, another link).
    pub kind: String,
    /// The first item's title.
    pub original: String,
    /// The repeat's title.
    pub repeat: String,
}

/// The share of items that repeat an earlier one.
const REPEATS: f64 = 0.04;
/// The kinds of repeat, planted in turn: a respelled link, then texts with this share
/// of their words changed.
const EDITS: &[Option<f64>] = &[None, Some(0.0), Some(0.02), Some(0.05), Some(0.10)];

/// The same link another way: without `www.`, with tracking parameters.
fn respelled(url: &str) -> String {
    let url = url.replacen("://www.", "://", 1);
    let join = if url.contains('?') { '&' } else { '?' };
    format!("{url}{join}utm_source=digest&utm_medium=email")
}

/// A text with a share of its words (never a needle) replaced.
fn edited(text: &str, share: f64, rng: &mut Rng, vocabulary: &Vocabulary) -> String {
    let words = text.split(' ').map(|w| {
        let bare = w.trim_end_matches('.');
        if rng.unit() < share && !bare.is_empty() && NEEDLES.iter().all(|(n, _)| *n != bare) {
            let tail = &w[bare.len()..];
            format!("{}{tail}", vocabulary.word(rng))
        } else {
            w.to_string()
        }
    });
    words.collect::<Vec<_>>().join(" ")
}

/// Writes `digests` digests under `out`, deterministically for a seed.
// Long on purpose: the generator's one loop writes a digest in each style in turn, and
// its branches read best side by side.
pub fn generate(out: &Path, digests: usize, seed: u64) -> std::io::Result<Generated> {
    let mut rng = Rng::new(seed);
    let vocabulary = Vocabulary::new(&mut rng, 30_000);
    let mut generated = Generated { version: VERSION, digests, ..Generated::default() };
    // The items of the last three digests: what a repeat tells again.
    let mut recent: std::collections::VecDeque<Vec<(String, String, String)>> = Default::default();
    for (needle, _) in NEEDLES {
        generated.needles.insert(needle.to_string(), 0);
    }
    let start = NaiveDate::from_ymd_opt(2019, 1, 1).unwrap();
    let span_days = 365 * 7;
    for n in 0..digests {
        let (series, author) = SERIES[n % SERIES.len()];
        let date = start + Duration::days((n * span_days / digests.max(1)) as i64);
        let style = (n / SERIES.len()) % 4;
        let items = rng.range(5, 12);
        let mut body = String::new();
        let mut item_texts = vec![];
        for _ in 0..items {
            let pool: Vec<&(String, String, String)> = recent.iter().flatten().collect();
            let repeat = (!pool.is_empty() && rng.unit() < REPEATS).then(|| {
                (
                    pool[rng.range(0, pool.len() - 1)].clone(),
                    EDITS[generated.planted.len() % EDITS.len()],
                )
            });
            if let Some(((original, text, _), Some(share))) = &repeat {
                let text = edited(text, *share, &mut rng, &vocabulary);
                for (needle, count) in generated.needles.iter_mut() {
                    if text.split([' ', '.']).any(|w| w == needle) {
                        *count += 1;
                    }
                }
                let title: Vec<&str> =
                    (0..rng.range(3, 7)).map(|_| vocabulary.word(&mut rng)).collect();
                let title = capitalize(&title.join(" "));
                let (url, label) = rng.pick(SOURCES);
                let url = url
                    .replace("{id}", &(100_000 + generated.items + item_texts.len()).to_string());
                generated.planted.push(Planted {
                    kind: format!("text {:.0}%", share * 100.0),
                    original: original.clone(),
                    repeat: title.clone(),
                });
                item_texts.push((title, text, url, label));
                continue;
            }
            let mut text = String::new();
            let words = rng.range(60, 200);
            let mut needles_here = vec![];
            for (needle, rate) in NEEDLES {
                if rng.unit() < *rate {
                    needles_here.push(*needle);
                }
            }
            for i in 0..words {
                if i > 0 {
                    text.push(if i % 13 == 0 { '.' } else { ' ' });
                    if i % 13 == 0 {
                        text.push(' ');
                    }
                }
                if i == words / 2 && rng.unit() < 0.6 {
                    text.push_str(rng.pick(TOPIC_PHRASES));
                } else if let Some(needle) = needles_here.get(i / 7).filter(|_| i % 7 == 3) {
                    text.push_str(needle);
                } else {
                    text.push_str(vocabulary.word(&mut rng));
                }
            }
            // Needles not yet placed (short items) go at the end.
            for (k, needle) in needles_here.iter().enumerate() {
                if k * 7 + 3 >= words {
                    text.push(' ');
                    text.push_str(needle);
                }
                *generated.needles.get_mut(*needle).unwrap() += 1;
            }
            text.push('.');
            let title: Vec<&str> =
                (0..rng.range(3, 7)).map(|_| vocabulary.word(&mut rng)).collect();
            let (url, label) = rng.pick(SOURCES);
            let mut url =
                url.replace("{id}", &(100_000 + generated.items + item_texts.len()).to_string());
            let title = capitalize(&title.join(" "));
            if let Some(((original, _, first_url), None)) = &repeat {
                url = respelled(first_url);
                generated.planted.push(Planted {
                    kind: "link".into(),
                    original: original.clone(),
                    repeat: title.clone(),
                });
            }
            item_texts.push((title, text, url, label));
        }
        generated.items += items;
        recent.push_back(
            item_texts.iter().map(|(t, x, u, _)| (t.clone(), x.clone(), u.clone())).collect(),
        );
        if recent.len() > 3 {
            recent.pop_front();
        }
        match style {
            0 => writeln!(body, "---\ntitle: \"{series} #{n}\"\ndate: {date}\nauthor: {author}\nseries: {series}\ntags: [weekly]\n---\n").unwrap(),
            1 => writeln!(body, "+++\ntitle = \"{series} #{n}\"\ndate = {date}\nauthors = [\"{author}\"]\nseries = \"{series}\"\n+++\n").unwrap(),
            2 => writeln!(body, "Title: {series} #{n}\nDate: {date}\nAuthor: {author}\nCategory: {series}\n").unwrap(),
            _ => writeln!(body, "{}\n", date.format("%A, %B %-d, %Y")).unwrap(),
        }
        for (title, text, url, label) in &item_texts {
            if style == 3 {
                writeln!(body, "**{title}.** {text} Via [{label}]({url}).\n").unwrap();
            } else {
                writeln!(body, "## {title}\n\n{text} See [{label}]({url}).\n").unwrap();
            }
        }
        if style == 3 {
            writeln!(body, "{series} — {} — {author}", date.format("%B %-d, %Y")).unwrap();
        }
        let dir =
            out.join(series.to_lowercase().replace(' ', "-")).join(date.format("%Y").to_string());
        std::fs::create_dir_all(&dir)?;
        let path = dir.join(format!("{date}-{n}.md"));
        std::fs::write(&path, &body)?;
        generated.bytes += body.len() as u64;
    }
    Ok(generated)
}

fn capitalize(s: &str) -> String {
    let mut chars = s.chars();
    chars.next().map(|c| c.to_uppercase().chain(chars).collect()).unwrap_or_default()
}
