//! Archives as real ones are: raw HTML inside the Markdown, drafts in every
//! front-matter style. The real binary on fixtures of `tests/fixtures`.

use serde_json::Value;

use crate::util::{Sandbox, fixture, http_get, strings};

fn titles(r: &Value) -> Vec<String> {
    r["hits"].as_array().unwrap().iter().map(|h| h["title"].as_str().unwrap().to_string()).collect()
}

#[test]
fn text_inside_html_is_found_marked_and_its_links_are_sources() {
    let s = Sandbox::copy_of(&fixture("html"));
    s.reindex();
    // A word inside an `<li>` of an HTML list: that entry is its own item, marked.
    let r = s.search("raspberry");
    assert_eq!(titles(&r), ["Thread on r/LocalLLaMA"], "{r}");
    let hit = &r["hits"][0];
    assert!(hit["snippet"].as_str().unwrap().contains("<mark>Raspberry</mark>"), "{hit}");
    assert_eq!(strings(&hit["sources"]), ["r/LocalLLaMA"]);
    // `<a href>` links are sources; entities are decoded; tables and fold-outs are text.
    assert_eq!(titles(&s.search("source:\"Hacker News\"")), ["Show HN"]);
    assert_eq!(titles(&s.search("\"evil & suffering\"")), ["Tweet from @karpathy"]);
    assert_eq!(titles(&s.search("zephyrine")), ["Leaderboard"]);
    assert_eq!(titles(&s.search("speculative decoding source:arXiv")), ["Papers this week"]);
    // What a reader never sees is not found.
    for hidden in ["quasarflux", "nebulafox", "collapse"] {
        assert_eq!(s.search(hidden)["total"], 0, "{hidden}");
    }
    // The entry page's anchors land inside the HTML list.
    let anchor = hit["anchor"].as_str().unwrap().to_string();
    let server = s.serve(&[]);
    let (status, body) = http_get(server.addr(), "/api/entries/2026-05-02-ai-daily").unwrap();
    assert_eq!(status, 200, "{body}");
    let doc: Value = serde_json::from_str(&body).unwrap();
    let html = doc["html"].as_str().unwrap();
    let at = html.find(&format!("id=\"{anchor}\"")).unwrap_or_else(|| panic!("{anchor}: {html}"));
    assert!(html[at..].find("Raspberry") < html[at..].find("Show HN"), "{html}");
    assert!(!html.contains("<script"), "{html}");
}

#[test]
fn drafts_are_indexed_and_counted_but_shown_only_when_asked() {
    let s = Sandbox::copy_of(&fixture("drafts"));
    let summary = s.reindex();
    assert_eq!(summary["entries"], 5, "{summary}");
    assert_eq!(summary["drafts"], 4, "{summary}");
    let check = s.json(&["check"], 0);
    assert_eq!(check["drafts"], 4, "{check}");

    // Not in searches, lookups, facets or feeds...
    assert_eq!(s.search("zorblatt")["total"], 0);
    assert_eq!(s.search("plainword")["total"], 1);
    let out = s.run(&["show", "yaml-draft"]);
    assert_eq!(out.status.code(), Some(1));
    let server = s.serve(&[]);
    let get = |path: &str| http_get(server.addr(), path).unwrap();
    let (_, body) = get("/api/search?q=zorblatt");
    assert_eq!(serde_json::from_str::<Value>(&body).unwrap()["total"], 0, "{body}");
    assert_eq!(get("/api/entries/yaml-draft").0, 404);
    assert_eq!(get("/entries/toml-draft").0, 404);
    assert!(!get("/api/topics").1.contains("secretyaml"));
    let (_, feed) = get("/feed.atom?q=");
    assert!(feed.contains("Published notes") && !feed.contains("draft"), "{feed}");
    let (_, page) = get("/search?q=");
    assert!(!page.contains("Zorblatt"), "{page}");
    drop(server);

    // ...unless asked for, on each style.
    let out = s.run(&["search", "--json", "--drafts", "zorblatt"]);
    let r: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(r["total"], 4, "{r}");
    assert_eq!(s.run(&["show", "--drafts", "pelican-draft"]).status.code(), Some(0));
    let server = s.serve(&["--drafts"]);
    let (status, body) = http_get(server.addr(), "/api/entries/jekyll-unpublished").unwrap();
    assert_eq!(status, 200, "{body}");
    assert_eq!(serde_json::from_str::<Value>(&body).unwrap()["draft"], true);
}
