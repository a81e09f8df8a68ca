//! Markdown to sanitised HTML on arbitrary text. The oracle: no `<script`, no `on*=`
//! attribute and no `javascript:`, `vbscript:` or `data:` URL in any tag of the output.
#![no_main]

use std::collections::HashSet;
use std::sync::LazyLock;

use libfuzzer_sys::fuzz_target;
use regex::Regex;

static TAG: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"<[^>]*>").unwrap());
static QUOTED: LazyLock<Regex> = LazyLock::new(|| Regex::new(r#""[^"]*"|'[^']*'"#).unwrap());
static HANDLER: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"(?i)[\s/]on[a-z]+\s*=").unwrap());
static URL: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r#"(?i)\s(?:href|src|action|formaction)\s*=\s*"([^"]*)""#).unwrap());

fuzz_target!(|data: &[u8]| {
    let Ok(markdown) = std::str::from_utf8(data) else { return };
    let terms: HashSet<String> = ["a".to_string(), "script".to_string()].into();
    let html = archive::web::render::render(markdown, &[], &terms);
    for tag in TAG.find_iter(&html).map(|m| m.as_str()) {
        let lower = tag.to_ascii_lowercase();
        assert!(!lower.starts_with("<script"), "{tag}");
        let unquoted = QUOTED.replace_all(tag, "\"\"");
        assert!(!HANDLER.is_match(&unquoted), "{tag}");
        for url in URL.captures_iter(tag) {
            let value: String = url[1]
                .chars()
                .filter(|c| !c.is_whitespace() && !c.is_control())
                .collect::<String>()
                .to_ascii_lowercase();
            for scheme in ["javascript:", "vbscript:", "data:"] {
                assert!(!value.starts_with(scheme), "{tag}");
            }
            assert!(!value.contains("&#"), "an encoded URL: {tag}");
        }
    }
});
