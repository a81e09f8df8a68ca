//! Search quality: the fallbacks that make known-item queries find their entry, and a
//! small run of the `quality` evaluation with a floor, so that a regression fails.

use serde_json::Value;

use crate::http::SITE;
use crate::util::{Sandbox, strings};

fn search(q: &str) -> Value {
    let s: &Sandbox = &SITE;
    s.search(q)
}

fn warnings(v: &Value) -> Vec<String> {
    strings(&v["warnings"])
}

#[test]
fn a_misspelt_word_is_searched_as_the_words_near_it() {
    let v = search("speculatve decoding");
    assert!(v["total"].as_u64().unwrap() >= 10, "{v}");
    assert!(
        warnings(&v)
            .iter()
            .any(|w| w.contains("`speculatve` is in no item; searched for `speculative`")),
        "{v}"
    );
    assert_eq!(v["suggestions"][0]["suggestion"], "speculative");
    // A swap of the first two letters too; two swaps are too far for 8 letters (one
    // edit up to 8 letters, two from 9).
    let v = search("edcoding");
    assert!(v["total"].as_u64().unwrap() > 0, "{v}");
    let v = search("edcodnig");
    assert_eq!(v["total"], 0, "{v}");
    let v = search("psecualtive");
    assert!(v["total"].as_u64().unwrap() > 0, "two edits are allowed from 9 letters: {v}");
}

#[test]
fn words_that_exist_and_acronyms_are_never_corrected() {
    for q in ["GGUF", "INT4", "TTS", "benchmark", "llama.cpp"] {
        let v = search(q);
        assert!(v["total"].as_u64().unwrap() > 0, "{q}: {v}");
        assert!(warnings(&v).is_empty(), "{q}: {v}");
    }
    // An unknown acronym stays exact: nothing found, nothing substituted.
    let v = search("GGFU");
    assert_eq!(v["total"], 0);
    assert!(warnings(&v).is_empty(), "{v}");
    assert!(v.get("suggestions").is_none(), "{v}");
}

#[test]
fn when_few_items_have_every_word_the_words_become_optional() {
    let v = search("speculative wombatish");
    assert!(v["total"].as_u64().unwrap() > 5, "{v}");
    let w = warnings(&v);
    assert!(
        w.iter()
            .any(|w| w.contains("only 0 item(s) contain every word") && w.contains("not required")),
        "{w:?}"
    );
    // Items with more of the words rank first.
    let v = search("speculative decoding wombatish");
    let first = &v["hits"][0];
    let text = format!("{} {}", first["title"], first["snippet"]).to_lowercase();
    assert!(text.contains("speculative") && text.contains("decoding"), "{first}");
    // Filters stay required.
    let v = search("speculative wombatish source:arXiv");
    for hit in v["hits"].as_array().unwrap() {
        assert!(strings(&hit["sources"]).contains(&"arXiv".into()), "{hit}");
    }
}

#[test]
fn the_quality_evaluation_keeps_its_floor() {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_quality"))
        .args(["--archive"])
        .arg(crate::util::sample_archive())
        .args(["--per-kind", "25", "--min-recall", "0.85"])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{stdout}\n{}", String::from_utf8_lossy(&out.stderr));
    assert!(stdout.contains("| typo"), "{stdout}");
    assert!(stdout.contains("| CJK"), "{stdout}");
    assert!(stdout.contains("Topic precision"), "{stdout}");
}

/// The story report lists the sample's stories from the `stories` term dictionary (ids
/// read back as numbers), each with its mentions.
#[test]
fn the_story_report_lists_stories_with_their_mentions() {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_quality"))
        .args(["--archive"])
        .arg(crate::util::sample_archive())
        .args(["--stories", "2"])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{stdout}\n{}", String::from_utf8_lossy(&out.stderr));
    let listed: u64 = stdout
        .split_once(" stories in 2+ entries")
        .and_then(|(before, _)| before.rsplit(' ').next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no story count in {stdout}"));
    assert!(listed >= 2, "{stdout}");
    assert!(stdout.contains("\n## 2. ") && stdout.contains(" entries, 20"), "{stdout}");
}

/// The same digests exported as HTML (a site generator's or newsletter tool's output)
/// are as findable as their Markdown.
#[test]
fn the_sample_rendered_to_html_keeps_the_floor_too() {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_quality"))
        .args(["--archive"])
        .arg(crate::util::sample_archive())
        .args(["--per-kind", "25", "--min-recall", "0.85", "--as-html"])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{stdout}\n{}", String::from_utf8_lossy(&out.stderr));
    assert!(stdout.contains("rendered to HTML"), "{stdout}");
}

#[test]
fn tokens_the_field_writes() {
    // `qwen` finds Qwen3 (and Qwen2-7B would be found the same way).
    let v = search("qwen");
    let titles: Vec<String> = v["hits"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["title"].as_str().unwrap().to_string())
        .collect();
    assert!(titles.iter().any(|t| t.contains("Qwen3 8B")), "{titles:?}");
    assert!(titles.iter().any(|t| t.contains("Qwen3 30B-A3B")), "{titles:?}");
    // `qwen3` means qwen3.
    assert_eq!(search("qwen3")["total"], search("qwen3 OR \"qwen 3\"")["total"]);
    // `glm-5` is the phrase, not every 5.
    let glm = search("glm-5")["total"].as_u64().unwrap();
    assert!(glm >= 2 && glm < search("5")["total"].as_u64().unwrap(), "{glm}");
    for hit in search("glm-5")["hits"].as_array().unwrap() {
        assert!(format!("{} {}", hit["title"], hit["snippet"]).contains("GLM"), "{hit}");
    }
    // `llama.cpp` finds llama.cpp, first.
    let v = search("llama.cpp");
    assert!(v["total"].as_u64().unwrap() >= 3);
    let first = &v["hits"][0];
    assert!(
        format!("{} {}", first["title"], first["snippet"]).to_lowercase().contains("llama.cpp"),
        "{first}"
    );
    // `r/LocalLLaMA` as words finds the subreddit named in the text.
    let v = search("r/LocalLLaMA");
    assert!(v["total"].as_u64().unwrap() >= 3, "{v}");
    for hit in v["hits"].as_array().unwrap() {
        let all = format!("{} {} {}", hit["title"], hit["snippet"], hit["sources"]).to_lowercase();
        assert!(all.contains("localllama"), "{hit}");
    }
    // INT4 stays whole: `int` alone does not find it.
    assert!(search("INT4")["total"].as_u64().unwrap() >= 3);
    assert_eq!(search("int")["total"], 0);
}
