//! Front matter: YAML between `---` lines, TOML between `+++` lines, a Pelican /
//! MultiMarkdown `Key: value` header block, or none. Whatever the style, the result is
//! the same list of lower-cased keys with string or list values.

use std::sync::LazyLock;

use regex::Regex;
use serde::{Deserialize, Serialize};

use super::ParseError;

/// How an entry's metadata was written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Style {
    /// `---` YAML `---`
    Yaml,
    /// `+++` TOML `+++`
    Toml,
    /// `Key: value` lines up to the first blank line.
    KeyValue,
    /// No front matter at all.
    None,
}

/// A front-matter value, reduced to what a digest needs.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// A scalar, as text.
    Text(String),
    /// A list of scalars.
    List(Vec<String>),
}

impl Value {
    /// The value as a list: a scalar is a list of one.
    pub fn into_list(self) -> Vec<String> {
        match self {
            Value::Text(s) => vec![s],
            Value::List(v) => v,
        }
    }

    /// The value as one string: a list is joined with commas.
    pub fn into_text(self) -> String {
        match self {
            Value::Text(s) => s,
            Value::List(v) => v.join(", "),
        }
    }
}

/// The parsed front matter: its style, its keys (lower-cased, in file order), and the
/// Markdown body that follows it with the byte offset where that body starts.
#[derive(Debug)]
pub struct FrontMatter<'a> {
    /// Which style was found.
    pub style: Style,
    /// Keys lower-cased, values normalised.
    pub fields: Vec<(String, Value)>,
    /// Problems that do not stop the entry from being read (a value of an odd type).
    pub warnings: Vec<String>,
    /// The Markdown after the front matter.
    pub body: &'a str,
}

/// Keys that mark a `Key: value` block as metadata rather than the first line of text.
const KNOWN_KEYS: &[&str] = &[
    "title",
    "date",
    "published",
    "pubdate",
    "created",
    "author",
    "authors",
    "by",
    "tags",
    "topics",
    "keywords",
    "categories",
    "category",
    "series",
    "slug",
    "summary",
    "number",
    "issue",
    "modified",
    "updated",
    "lang",
    "status",
];

/// Brackets front matter may nest: real metadata nests two or three deep, and the YAML
/// parser's time grows with the square of the depth (100,000 took 19 s before it gave
/// up).
const MOST_NESTED: usize = 64;

/// Refuses front matter whose `[` and `{` (outside quotes) nest deeper than
/// [`MOST_NESTED`], in one pass, before a parser reads it.
fn shallow(inner: &str, style: &'static str) -> Result<(), ParseError> {
    let (mut depth, mut quote) = (0usize, None);
    for c in inner.chars() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '"' | '\'') => quote = Some(c),
            (None, '[' | '{') => {
                depth += 1;
                if depth > MOST_NESTED {
                    let message = format!("brackets nest deeper than {MOST_NESTED} levels");
                    return Err(ParseError::FrontMatter { style, message });
                }
            }
            (None, ']' | '}') => depth = depth.saturating_sub(1),
            (None, '\n') => quote = None,
            _ => {}
        }
    }
    Ok(())
}

/// Splits `text` into its front matter and body. Errors are for front matter that is
/// present but broken (never closed, or not valid YAML/TOML).
pub fn split(text: &str) -> Result<FrontMatter<'_>, ParseError> {
    if let Some((inner, body)) = fenced(text, "---", &["---", "..."])? {
        shallow(inner, "YAML")?;
        let value: serde_yaml_ng::Value = serde_yaml_ng::from_str(inner)
            .map_err(|e| ParseError::FrontMatter { style: "YAML", message: e.to_string() })?;
        let mut fm = FrontMatter { style: Style::Yaml, fields: vec![], warnings: vec![], body };
        match value {
            serde_yaml_ng::Value::Mapping(map) => {
                for (k, v) in map {
                    let key = yaml_scalar(&k).unwrap_or_default().to_lowercase();
                    fm.push(key, yaml_value(v));
                }
            }
            serde_yaml_ng::Value::Null => {}
            _ => {
                return Err(ParseError::FrontMatter {
                    style: "YAML",
                    message: "front matter must be a mapping of keys to values".into(),
                });
            }
        }
        return Ok(fm);
    }
    if let Some((inner, body)) = fenced(text, "+++", &["+++"])? {
        shallow(inner, "TOML")?;
        let table: toml::Table = toml::from_str(inner)
            .map_err(|e| ParseError::FrontMatter { style: "TOML", message: e.to_string() })?;
        let mut fm = FrontMatter { style: Style::Toml, fields: vec![], warnings: vec![], body };
        for (k, v) in table {
            fm.push(k.to_lowercase(), toml_value(v));
        }
        return Ok(fm);
    }
    if let Some(fm) = key_value(text) {
        return Ok(fm);
    }
    Ok(FrontMatter { style: Style::None, fields: vec![], warnings: vec![], body: text })
}

impl FrontMatter<'_> {
    fn push(&mut self, key: String, value: Option<Value>) {
        match value {
            Some(v) if !key.is_empty() => self.fields.push((key, v)),
            Some(_) => self.warnings.push("front matter has a key that is not text".into()),
            None => self
                .warnings
                .push(format!("front matter key `{key}` has a value of an unsupported type")),
        }
    }

    /// Removes and returns the first value whose key is one of `aliases`, if it is a
    /// scalar that `keep` accepts (left in place otherwise).
    pub fn take_if(&mut self, aliases: &[&str], keep: impl Fn(&str) -> bool) -> Option<Value> {
        let at = self.fields.iter().position(|(k, v)| {
            aliases.contains(&k.as_str()) && matches!(v, Value::Text(t) if keep(t.trim()))
        })?;
        Some(self.fields.remove(at).1)
    }

    /// Removes and returns the first value whose key is one of `aliases`.
    pub fn take(&mut self, aliases: &[&str]) -> Option<Value> {
        let at = self.fields.iter().position(|(k, _)| aliases.contains(&k.as_str()))?;
        Some(self.fields.remove(at).1)
    }
}

/// Finds a front-matter block fenced by `open` on the first line and one of `closes`
/// on a later line. Returns the inner text and the body after the closing line.
fn fenced<'a>(
    text: &'a str,
    open: &str,
    closes: &[&str],
) -> Result<Option<(&'a str, &'a str)>, ParseError> {
    let Some(first_line_end) = text.find('\n') else {
        return Ok(None);
    };
    if text[..first_line_end].trim_end() != open {
        return Ok(None);
    }
    let rest = &text[first_line_end + 1..];
    let mut offset = 0;
    for line in rest.split_inclusive('\n') {
        if closes.contains(&line.trim_end()) {
            let body = &rest[offset + line.len()..];
            return Ok(Some((&rest[..offset], body)));
        }
        offset += line.len();
    }
    Err(ParseError::Unclosed { fence: open.to_string() })
}

/// Reads a Pelican / MultiMarkdown header block: `Key: value` lines from the first line
/// to the first blank line, continuation lines indented. At least one key must be a
/// well-known one, so that a first paragraph such as `Note: ...` stays text.
fn key_value(text: &str) -> Option<FrontMatter<'_>> {
    static LINE: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"^([A-Za-z][A-Za-z0-9 _-]{0,40}):(?:\s+(.*))?$").unwrap());
    let mut fields: Vec<(String, String)> = vec![];
    let mut offset = 0;
    let mut lines = text.split_inclusive('\n').peekable();
    while let Some(line) = lines.next() {
        let trimmed = line.trim_end();
        if trimmed.is_empty() {
            // A stray blank line inside the header (seen in real archives) is skipped
            // when the next line is another well-known key.
            let known_next =
                lines.peek().and_then(|next| LINE.captures(next.trim_end())).is_some_and(|c| {
                    KNOWN_KEYS.contains(&c[1].trim().to_lowercase().as_str())
                        && !fields.iter().any(|(k, _)| *k == c[1].trim().to_lowercase())
                });
            if fields.is_empty() || !known_next {
                break;
            }
            offset += line.len();
            continue;
        }
        offset += line.len();
        if let Some(c) = LINE.captures(trimmed) {
            let value = c.get(2).map_or("", |m| m.as_str()).trim();
            fields.push((c[1].trim().to_lowercase(), value.to_string()));
        } else if line.starts_with([' ', '\t']) && !fields.is_empty() {
            let last = &mut fields.last_mut().unwrap().1;
            last.push(' ');
            last.push_str(trimmed.trim());
        } else {
            return None;
        }
    }
    if !fields.iter().any(|(k, _)| KNOWN_KEYS.contains(&k.as_str())) {
        return None;
    }
    let fields = fields
        .into_iter()
        .map(|(k, v)| {
            let value = split_list(&v).map_or(Value::Text(v), Value::List);
            (k, value)
        })
        .collect();
    Some(FrontMatter { style: Style::KeyValue, fields, warnings: vec![], body: &text[offset..] })
}

/// A `Key: value` value is a list when it has commas and every part is short (a tag, a
/// name), e.g. `Tags: rust, llm, agents`; a sentence with a comma stays text.
fn split_list(value: &str) -> Option<Vec<String>> {
    if !value.contains(',') {
        return None;
    }
    let parts: Vec<String> =
        value.split(',').map(|p| p.trim().to_string()).filter(|p| !p.is_empty()).collect();
    parts.iter().all(|p| p.split_whitespace().count() <= 4).then_some(parts)
}

fn yaml_scalar(v: &serde_yaml_ng::Value) -> Option<String> {
    match v {
        serde_yaml_ng::Value::String(s) => Some(s.clone()),
        serde_yaml_ng::Value::Number(n) => Some(n.to_string()),
        serde_yaml_ng::Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

fn yaml_value(v: serde_yaml_ng::Value) -> Option<Value> {
    match v {
        serde_yaml_ng::Value::Sequence(seq) => {
            Some(Value::List(seq.iter().filter_map(yaml_scalar).collect()))
        }
        serde_yaml_ng::Value::Null => Some(Value::List(vec![])),
        serde_yaml_ng::Value::Tagged(t) => yaml_value(t.value),
        other => yaml_scalar(&other).map(Value::Text),
    }
}

fn toml_scalar(v: &toml::Value) -> Option<String> {
    match v {
        toml::Value::String(s) => Some(s.clone()),
        toml::Value::Integer(i) => Some(i.to_string()),
        toml::Value::Float(f) => Some(f.to_string()),
        toml::Value::Boolean(b) => Some(b.to_string()),
        toml::Value::Datetime(d) => Some(d.to_string()),
        _ => None,
    }
}

fn toml_value(v: toml::Value) -> Option<Value> {
    match v {
        toml::Value::Array(a) => Some(Value::List(a.iter().filter_map(toml_scalar).collect())),
        other => toml_scalar(&other).map(Value::Text),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(s: &str) -> Value {
        Value::Text(s.into())
    }

    fn list(v: &[&str]) -> Value {
        Value::List(v.iter().map(|s| s.to_string()).collect())
    }

    #[test]
    fn yaml() {
        let fm = split("---\nTitle: Weekly AI\ndate: 2026-04-16\ntags: [agents, tts]\nmodels:\n  - Qwen3\n  - GLM-5\n---\n# Body\n").unwrap();
        assert_eq!(fm.style, Style::Yaml);
        assert_eq!(fm.body, "# Body\n");
        assert_eq!(
            fm.fields,
            vec![
                ("title".into(), text("Weekly AI")),
                ("date".into(), text("2026-04-16")),
                ("tags".into(), list(&["agents", "tts"])),
                ("models".into(), list(&["Qwen3", "GLM-5"])),
            ]
        );
    }

    #[test]
    fn yaml_closed_by_dots_and_empty() {
        let fm = split("---\ntitle: x\n...\nbody").unwrap();
        assert_eq!(fm.body, "body");
        let fm = split("---\n---\nbody").unwrap();
        assert_eq!(fm.style, Style::Yaml);
        assert!(fm.fields.is_empty());
    }

    #[test]
    fn toml() {
        let fm = split("+++\ntitle = \"Notes\"\ndate = 2026-04-16T09:00:00Z\ntags = [\"a\", \"b\"]\n+++\nbody\n").unwrap();
        assert_eq!(fm.style, Style::Toml);
        assert_eq!(fm.body, "body\n");
        assert!(fm.fields.contains(&("date".into(), text("2026-04-16T09:00:00Z"))));
        assert!(fm.fields.contains(&("tags".into(), list(&["a", "b"]))));
    }

    #[test]
    fn key_value_pelican() {
        let fm = split("Title: This Week in Rust 582\nNumber: 582\nDate: 2025-01-15\nTags: rust, programming\nCategory: This Week in Rust\n\nHello\n").unwrap();
        assert_eq!(fm.style, Style::KeyValue);
        assert_eq!(fm.body, "\nHello\n");
        assert_eq!(fm.fields[0], ("title".into(), text("This Week in Rust 582")));
        assert_eq!(fm.fields[3], ("tags".into(), list(&["rust", "programming"])));
    }

    #[test]
    fn key_value_with_a_stray_blank_line() {
        let fm =
            split("Title: T\nDate: 2025-06-18\n\nCategory: This Week in Rust\n\nHello\n").unwrap();
        assert_eq!(fm.fields.len(), 3);
        assert_eq!(fm.body, "\nHello\n");
        let fm = split("Title: T\n\nNote: this is text\n").unwrap();
        assert_eq!(fm.body, "\nNote: this is text\n");
    }

    #[test]
    fn key_value_continuation_lines() {
        let fm = split("Title: A long\n  title\nAuthor: Sam\n\nx").unwrap();
        assert_eq!(fm.fields[0], ("title".into(), text("A long title")));
    }

    #[test]
    fn no_front_matter() {
        for input in [
            "Thursday, April 16, 2026\n\nA paragraph.",
            "Note: this is text\n\nMore.",
            "# Heading\n",
            "",
            "---",
        ] {
            let fm = split(input).unwrap();
            assert_eq!(fm.style, Style::None, "{input:?}");
            assert_eq!(fm.body, input);
        }
    }

    #[test]
    fn broken_front_matter_is_an_error() {
        let unclosed = split("---\ntitle: x\n\nno closing fence\n").unwrap_err();
        assert!(unclosed.to_string().contains("never closed"), "{unclosed}");
        let bad_yaml = split("---\ntitle: [unclosed\n---\n").unwrap_err();
        assert!(bad_yaml.to_string().contains("YAML"), "{bad_yaml}");
        let bad_toml = split("+++\ntitle = \n+++\n").unwrap_err();
        assert!(bad_toml.to_string().contains("TOML"), "{bad_toml}");
        assert!(split("---\n- a\n- b\n---\n").is_err());
    }

    #[test]
    fn odd_types_are_kept_as_text() {
        let fm = split("---\ntags: 5\ndraft: true\n---\n").unwrap();
        assert_eq!(fm.fields[0], ("tags".into(), text("5")));
        assert_eq!(fm.fields[1], ("draft".into(), text("true")));
    }
}
