//! Search quality: the fallbacks that make known-item queries find their entry, and a
//! small run of the `quality` evaluation with a floor, so that a regression fails.

use serde_json::{Value, json};

use crate::http::SITE;
use crate::util::{Sandbox, http_get, strings};

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

/// The fixtures of `tests/fixtures/spread` (one-line items in English, long sections,
/// one-line items in Chinese: each with two words of a query in two of its items) and
/// twelve digests that each have one of the words in a short item, which outscores the
/// fixtures' items word for word.
pub fn spread_site() -> Sandbox {
    let site = Sandbox::copy_of(&crate::util::fixture("spread"));
    for i in 0..12 {
        let (en, kitchen, zh) = if i % 2 == 0 {
            ("browser", "sourdough", "浏览器")
        } else {
            ("gem", "telescope", "神器")
        };
        site.write(
            &format!("decoys/2026-04-{:02}.md", i + 1),
            format!(
                "---\ntitle: Notes {i}\ndate: 2026-04-{:02}\n---\n\n- The {en}, again a {en}.\n- More {kitchen}, {kitchen} again.\n- {zh}，{zh}。\n",
                i + 1
            ),
        );
    }
    site.reindex();
    site
}

/// When fewer items than a page have every word, the digests that have them all between
/// their items come next, each with its item for each word, before the items that have
/// some of the words (issue 31); items that have every word stay first.
#[test]
fn the_digest_with_every_word_between_its_items_comes_next() {
    let site = spread_site();
    let cases = [
        ("browser gem", "links/2026-05-04-links", Some("links/2026-05-11-links")),
        ("sourdough telescope", "weekly/2026-05-09-weekend-reading", None),
        ("浏览器 神器", "zh/2026-05-06", None),
    ];
    for (q, digest, exact) in cases {
        let v = site.search(q);
        let hits = v["hits"].as_array().unwrap();
        let shown: Vec<String> = hits
            .iter()
            .map(|h| format!("{} {} {}", h["matched"], h["entry_id"], h["anchor"]))
            .collect();
        let mut at = 0;
        if let Some(exact) = exact {
            assert_eq!(
                (&hits[0]["entry_id"], &hits[0]["matched"]),
                (&json!(exact), &json!("item")),
                "{q}: {shown:#?}"
            );
            at = 1;
        }
        // The digest's two items, each marking its word.
        for hit in &hits[at..at + 2] {
            assert_eq!(
                (&hit["entry_id"], &hit["matched"]),
                (&json!(digest), &json!("entry")),
                "{q}: {shown:#?}"
            );
        }
        let marked: String =
            hits[at..at + 2].iter().map(|h| format!("{} {}", h["title"], h["snippet"])).collect();
        for word in q.split(' ') {
            let first = word.chars().next().unwrap();
            assert!(
                marked.contains(&format!("<mark>{first}"))
                    || marked.to_lowercase().contains(&format!("<mark>{word}")),
                "{q}: {word} unmarked in {marked}"
            );
        }
        // Then the items with one of the words, from the other digests.
        assert!(hits.len() > at + 2 + 10, "{q}: {shown:#?}");
        for hit in &hits[at + 2..] {
            assert_eq!(hit["matched"], "some", "{q}: {shown:#?}");
            assert_ne!(hit["entry_id"], digest, "{q}: {shown:#?}");
        }
        assert!(
            warnings(&v)
                .iter()
                .any(|w| w
                    .contains("next come the digests that contain them all across their items")),
            "{v}"
        );
    }
    // The rest of the query stays required: an exclusion leaves out the item with `gem`,
    // so the digest no longer has both words; a date range leaves the digest out.
    let v = site.search("browser gem -comments");
    let hits = v["hits"].as_array().unwrap();
    assert!(hits.iter().all(|h| h["matched"] != "entry" && h["anchor"] != "tomlrb"), "{v}");
    assert!(hits.iter().any(|h| h["anchor"] == "tab-stash"), "{v}");
    let v = site.search("browser gem date:2026-04");
    let hits = v["hits"].as_array().unwrap();
    assert!(hits.iter().all(|h| h["matched"] == "some" && h["date"] != "2026-05-04"), "{v}");
}

/// The page and the API's entry groups say the same: the digest's group is marked, with
/// the note above it, after the group of the item that has every word.
#[test]
fn the_page_says_no_single_item_has_every_word() {
    let site = spread_site();
    let server = site.serve(&[]);
    let (status, body) = http_get(server.addr(), "/api/search?q=browser+gem&group=entry").unwrap();
    assert_eq!(status, 200, "{body}");
    let v: Value = serde_json::from_str(&body).unwrap();
    let groups = v["groups"].as_array().unwrap();
    let shown = |g: &Value| {
        (g["entry_id"].clone(), g["matched"].clone(), g["hits"].as_array().unwrap().len())
    };
    assert_eq!(shown(&groups[0]), (json!("links/2026-05-11-links"), json!("item"), 1));
    assert_eq!(shown(&groups[1]), (json!("links/2026-05-04-links"), json!("entry"), 2));
    assert!(groups[2..].iter().all(|g| g["matched"] == "some"), "{v}");

    let (status, page) = http_get(server.addr(), "/search?q=browser+gem").unwrap();
    assert_eq!(status, 200);
    let note =
        page.find("No other item has every word; these digests have them all").expect("the note");
    let exact = page.find("Links — May 11, 2026").unwrap();
    let digest = page.find("Links — May 4, 2026").unwrap();
    let some = page.find("These have some of the words").expect("the second note");
    assert!(exact < note && note < digest && digest < some, "{page}");

    let (_, page) = http_get(server.addr(), "/search?q=sourdough+telescope").unwrap();
    let note =
        page.find("No single item has every word; these digests have them all").expect("the note");
    assert!(note < page.find("Weekend reading, May 9, 2026").unwrap(), "{page}");
}
