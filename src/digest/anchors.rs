//! Anchors: the slug of an item's title, unique within its entry
//! (`/entries/{id}#{anchor}`).

/// Hands out anchors unique within an entry: `agents`, `agents-1`, `agents-2`.
#[derive(Default)]
pub(super) struct Anchors(std::collections::HashSet<String>);

impl Anchors {
    pub(super) fn unique(&mut self, title: &str) -> String {
        let base = slug(title);
        let base = if base.is_empty() { "item".to_string() } else { base };
        let mut anchor = base.clone();
        let mut n = 1;
        while !self.0.insert(anchor.clone()) {
            anchor = format!("{base}-{n}");
            n += 1;
        }
        anchor
    }
}

/// GitHub-style heading slug: lower-case words joined by `-`, punctuation dropped.
pub fn slug(title: &str) -> String {
    let mut out = String::new();
    for c in title.chars().flat_map(char::to_lowercase) {
        if c.is_alphanumeric() || c == '_' {
            out.push(c);
        } else if (c.is_whitespace() || c == '-') && !out.is_empty() && !out.ends_with('-') {
            out.push('-');
        }
        if out.len() >= 80 {
            break;
        }
    }
    out.trim_end_matches('-').to_string()
}
