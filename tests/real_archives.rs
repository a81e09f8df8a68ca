//! Archives as real ones are: raw HTML inside the Markdown, drafts in every
//! front-matter style. The real binary on fixtures of `tests/fixtures`.

use serde_json::{Value, json};

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

#[test]
fn chinese_and_japanese_words_are_found_from_the_middle_of_sentences() {
    let s = Sandbox::sample();
    s.reindex();
    // A word inside a sentence without spaces is found as the phrase of its pairs, and
    // marked whole.
    let r = s.search("开源软件");
    assert_eq!(titles(&r), ["开源软件基金会发布模型许可证草案"], "{r}");
    assert!(r["hits"][0]["snippet"].as_str().unwrap().contains("<mark>开源软件</mark>"), "{r}");
    assert_eq!(s.search("具身")["total"], 2);
    assert_eq!(titles(&s.search("长期记忆 数据库"))[0], "一篇关于智能体记忆的长文认为…");
    assert_eq!(titles(&s.search("用 rsync 同步")), ["用 rsync 同步模型权重"]);
    assert_eq!(titles(&s.search("長期記憶")), ["エージェントの長期記憶"]);
    assert_eq!(titles(&s.search("音声合成 source:\"Hugging Face\"")), ["日本語の音声合成"]);
    // The characters in another order are another word.
    assert_eq!(s.search("软件开源")["total"], 0);
    // A CJK word in no item is never rewritten nor "corrected".
    let r = s.search("量子计算机");
    assert_eq!(r["total"], 0, "{r}");
    assert!(r.get("suggestions").is_none(), "{r}");
    assert!(!r["warnings"].to_string().contains("instead"), "{r}");
    // Names and dates written in CJK: the signature's author, the date line's date.
    let r = s.search("author:林小雨 date:2026-04-27");
    assert_eq!(r["total"], 3, "{r}");
}

#[test]
fn entry_tags_describe_the_entry_and_topics_the_items() {
    let s = Sandbox::empty();
    let tags: Vec<String> = (0..15).map(|i| format!("subject{i}")).collect();
    let mut text =
        format!("---\ntitle: Big digest\ndate: 2026-05-01\ntags: [{}]\n---\n\n", tags.join(", "));
    for i in 0..50 {
        // Item i is about one of the tags, by name.
        text.push_str(&format!("## Item {i}\n\nA note on subject{} and nothing else.\n\n", i % 15));
    }
    s.write("big.md", text);
    s.write("other.md", "---\ntitle: Other\ndate: 2026-05-02\n---\n\nA note on #subject3 too.\n");
    s.reindex();

    // topic: finds the items about it, in any entry; tag: every item of tagged entries.
    let r = s.search("topic:subject3");
    assert_eq!(r["total"], 5, "items 3, 18, 33, 48 and the hashtag of the other entry: {r}");
    let r = s.search("tag:subject3");
    assert_eq!(r["total"], 50, "{r}");
    let hit = &r["hits"][0];
    assert_eq!(strings(&hit["entry_tags"]).len(), 15, "{hit}");
    assert!(strings(&hit["topics"]).len() == 1, "an item shows its own topic only: {hit}");
    // Facets count the same way.
    let r = s.search("note");
    let count = |facet: &str, value: &str| {
        r["facets"][facet]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["value"] == value)
            .map(|f| f["count"].as_u64().unwrap())
    };
    assert_eq!(count("topics", "subject3"), Some(5));
    assert_eq!(count("topics", "subject14"), Some(3));
    assert_eq!(count("tags", "subject3"), Some(50));
}

#[test]
fn a_source_named_in_the_text_is_the_same_source_as_its_link() {
    let s = Sandbox::copy_of(&fixture("sources"));
    s.reindex();
    let sources = |q: &str| -> Vec<Vec<String>> {
        s.search(q)["hits"].as_array().unwrap().iter().map(|h| strings(&h["sources"])).collect()
    };
    // Named in the text (`— *Forbes*`), linked as www.forbes.com: one source, `Forbes`,
    // whichever spelling is asked for; the item that only links forbes.com is Forbes too.
    let forbes = titles(&s.search("source:Forbes"));
    assert_eq!(forbes, ["A coding agent raises its Series B", "Another funding round"]);
    assert_eq!(titles(&s.search("source:forbes.com")), forbes);
    assert_eq!(titles(&s.search("source:www.forbes.com")), forbes);
    assert!(sources("source:Forbes").iter().all(|s| s == &["Forbes"]));
    // `Source: Reuters`, `via The Verge`, `BBC News` beside bbc.co.uk.
    assert_eq!(sources("chip export"), [["Reuters"]]);
    assert_eq!(titles(&s.search("source:reuters.com")), ["Chip export rules tighten"]);
    assert_eq!(titles(&s.search("source:\"The Verge\"")), ["A hands-on with the new headset"]);
    assert_eq!(sources("water use"), [["BBC"]]);
    // The taxonomy declares a source's domain.
    assert_eq!(titles(&s.search("source:\"The Information\"")), ["A paywalled scoop"]);
    // The facet shows the names the archive uses, each once.
    let r = s.search("");
    let facet: Vec<(String, u64)> = r["facets"]["sources"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| (f["value"].as_str().unwrap().to_string(), f["count"].as_u64().unwrap()))
        .collect();
    assert!(facet.contains(&("Forbes".into(), 2)), "{facet:?}");
    assert!(
        !facet.iter().any(|(v, _)| v.contains("forbes.com") || v.contains("reuters")),
        "{facet:?}"
    );
}

#[test]
fn other_languages_get_their_own_stemmer() {
    let s = Sandbox::copy_of(&fixture("languages"));
    s.reindex();
    // German, detected from the text: `Entwicklung` finds `Entwicklungen`, which the
    // English stemmer would not conflate, and the snippet marks it.
    let r = s.search("Entwicklung");
    assert_eq!(titles(&r), ["Offene Modelle"], "{r}");
    assert!(
        r["hits"][0]["snippet"].as_str().unwrap().contains("<mark>Entwicklungen</mark>"),
        "{r}"
    );
    // French, declared: `évaluations détaillées` finds the singular.
    assert_eq!(titles(&s.search("évaluations détaillées")), ["Modèles ouverts"]);
    // English keeps its behaviour, and `lang:` filters by language.
    assert_eq!(titles(&s.search("releases")), ["Open models"]);
    assert_eq!(s.search("lang:de")["total"], 2);
    assert_eq!(s.search("lang:french")["total"], 2);
    assert_eq!(s.search("lang:en")["total"], 1);
}

#[test]
fn the_same_story_in_several_digests_is_one_story() {
    let s = Sandbox::empty();
    let footer = "\n\n---\n\n[Subscribe](https://digest.example/?utm_source=footer) · [Discord](https://discord.gg/abcdef)\n";
    // Twelve ordinary days, each with the digest's own boilerplate links.
    for day in 1..=12 {
        s.write(
            &format!("daily/2026-04-{day:02}.md"),
            format!("# Daily, April {day}\n\n## Item {day}\n\nNothing in common, day {day}: [link](https://news.example/{day}).{footer}"),
        );
    }
    // One thread, covered three times with three spellings of its link.
    s.write(
        "daily/2026-05-01.md",
        format!("# Daily, May 1\n\n## Qwen3 on a Raspberry Pi\n\nA [thread on r/LocalLLaMA](https://www.reddit.com/r/LocalLLaMA/comments/1kabc12/qwen3_on_a_pi/) gets Qwen3 running on a Pi.{footer}"),
    );
    s.write(
        "daily/2026-05-03.md",
        format!("# Daily, May 3\n\n## The Pi thread, again\n\nThe [Raspberry Pi thread](https://old.reddit.com/r/LocalLLaMA/comments/1kabc12/comment/mq1x2y3/?utm_source=share) from Friday now has benchmarks.{footer}"),
    );
    s.write(
        "daily/2026-05-05.md",
        format!("# Daily, May 5\n\n## Pi follow-up\n\nFollow-up in the [same thread](https://np.reddit.com/r/localllama/comments/1kabc12/): a faster build for the Raspberry Pi.{footer}"),
    );
    s.reindex();

    let r = s.search("raspberry");
    assert_eq!(r["total"], 3, "{r}");
    let story = &r["hits"][0]["story"];
    assert_eq!(story["entries"], 3, "{r}");
    assert_eq!(story["items"], 3);
    assert_eq!(story["first_seen"], "2026-05-01");
    assert_eq!(story["last_seen"], "2026-05-05");
    // Every mention carries the same story, and `story:` lists them all.
    let ids: Vec<&Value> =
        r["hits"].as_array().unwrap().iter().map(|h| &h["story"]["id"]).collect();
    assert!(ids.iter().all(|id| *id == ids[0]), "{ids:?}");
    let id = ids[0].as_str().unwrap().to_string();
    let mentions = s.search(&format!("story:{id}"));
    assert_eq!(mentions["total"], 3, "{mentions}");
    // Its page, its JSON and its command: every mention, oldest first.
    let out = s.run(&["story", "--json", &id]);
    let view: Value = serde_json::from_slice(&out.stdout).unwrap();
    let dates: Vec<&str> =
        view["mentions"].as_array().unwrap().iter().map(|m| m["date"].as_str().unwrap()).collect();
    assert_eq!(dates, ["2026-05-01", "2026-05-03", "2026-05-05"], "{view}");
    assert_eq!(view["story"]["entries"], 3);
    assert_eq!(s.run(&["story", "0000000000000000"]).status.code(), Some(1));
    let server = s.serve(&[]);
    let (status, body) = http_get(server.addr(), &format!("/api/stories/{id}")).unwrap();
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        serde_json::from_str::<Value>(&body).unwrap()["mentions"][0]["title"],
        "Qwen3 on a Raspberry Pi"
    );
    let (status, page) = http_get(server.addr(), &format!("/stories/{id}")).unwrap();
    assert_eq!(status, 200);
    assert!(page.contains("first appearance") && page.contains("Pi follow-up"), "{page}");
    // A link's id as written before ids were numbers (the hash's top bit set) is the
    // same story; a malformed id is none.
    let old = u64::from_str_radix(&id, 16).expect("a link's id is 16 hex digits") | 1 << 63;
    let (status, body) = http_get(server.addr(), &format!("/api/stories/{old:016x}")).unwrap();
    assert_eq!(status, 200, "{body}");
    assert_eq!(serde_json::from_str::<Value>(&body).unwrap()["story"]["id"], id.as_str());
    let (status, _) = http_get(server.addr(), "/api/stories/not-an-id").unwrap();
    assert_eq!(status, 404);
    assert_eq!(s.search("story:not-an-id")["total"], 0);
    // One hit per story: the three mentions fold into the best-ranked one; items in
    // no story stay, one hit each.
    let (status, body) = http_get(server.addr(), "/api/search?q=raspberry&group=story").unwrap();
    assert_eq!(status, 200, "{body}");
    let folded: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(folded["total"], 3, "{folded}");
    assert_eq!(folded["hits"].as_array().unwrap().len(), 1, "{folded}");
    assert_eq!(folded["hits"][0]["title"], r["hits"][0]["title"]);
    assert_eq!(folded["hits"][0]["story"]["items"], 3);
    let cli = s.json(&["search", "--stories", "raspberry"], 0);
    assert_eq!(cli["hits"].as_array().unwrap().len(), 1, "{cli}");
    let (_, body) = http_get(server.addr(), "/api/search?q=day&group=story&per_page=20").unwrap();
    let days: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(days["hits"].as_array().unwrap().len(), 12, "{days}");
    let (status, body) = http_get(server.addr(), "/api/stories/0000000000000000").unwrap();
    assert_eq!(status, 404, "{body}");
    assert!(body.contains("not_found"), "{body}");
    // Links in every digest (its home page, its Discord) never make a story, and an
    // item cited once has none.
    let r = s.search("nothing in common");
    let hits = r["hits"].as_array().unwrap();
    let every_word: Vec<&Value> = hits.iter().filter(|h| h["matched"] == "item").collect();
    assert_eq!(every_word.len(), 12, "{r}");
    assert!(every_word.iter().all(|h| h.get("story").is_none()), "{r}");
}

#[test]
fn a_topic_and_a_source_have_their_trend() {
    let s = Sandbox::empty();
    let thread = "https://www.reddit.com/r/LocalLLaMA/comments/1kxyz99/speculative_decoding/";
    let days = [
        ("2026-01-05", format!("## Speculative decoding lands\n\nTopics: inference, quantization\n\nA [thread]({thread}) on r/LocalLLaMA shows 2x decoding.")),
        ("2026-01-20", format!("## Speculative decoding, two weeks on\n\nTopics: inference, agents\n\nThe [same thread]({thread}?utm_source=share) has numbers from agents.")),
        ("2026-03-02", "## vLLM 0.9\n\nTopics: inference, quantization\n\nA [release](https://github.com/vllm-project/vllm/releases/tag/v0.9.0) with faster kernels.".to_string()),
        ("2026-03-10", "## Agents that plan\n\nTopics: agents\n\nA [post](https://blog.example/plan) on planning.".to_string()),
        ("2026-03-12", "## Batching at scale\n\nTopics: inference\n\nA [write-up](https://blog.example/batching) on continuous batching.".to_string()),
    ];
    for (day, item) in &days {
        s.write(&format!("daily/{day}.md"), format!("# Daily, {day}\n\n{item}\n"));
    }
    s.reindex();
    let server = s.serve(&[]);
    let get = |path: &str| {
        let (status, body) = http_get(server.addr(), path).unwrap();
        (status, body)
    };

    let (status, body) = get("/api/topics/inference");
    assert_eq!(status, 200, "{body}");
    let t: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(
        (t["of"].as_str(), t["items"].as_u64(), t["entries"].as_u64()),
        (Some("topic"), Some(4), Some(4)),
        "{t}"
    );
    assert_eq!(t["total_is_estimate"], false);
    assert_eq!(
        (t["first_seen"].as_str(), t["last_seen"].as_str()),
        (Some("2026-01-05"), Some("2026-03-12"))
    );
    let months: Vec<(String, u64)> = t["months"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| (m["value"].as_str().unwrap().to_string(), m["count"].as_u64().unwrap()))
        .collect();
    let want = [("2026-01", 2), ("2026-02", 0), ("2026-03", 2)].map(|(m, n)| (m.to_string(), n));
    assert_eq!(months, want);
    assert_eq!(t["busiest_months"][0]["value"], "2026-01", "ties go to the earlier month");
    // Its companions, without itself.
    let topics: Vec<&str> =
        t["topics"].as_array().unwrap().iter().map(|v| v["value"].as_str().unwrap()).collect();
    assert_eq!(topics, ["quantization", "agents"]);
    // The thread ran 15 days, under its first title.
    assert_eq!(t["stories"][0]["title"], "Speculative decoding lands", "{t}");
    assert_eq!(t["stories"][0]["days"], 15);
    assert_eq!(t["stories"][0]["entries"], 2);
    assert_eq!(t["stories"].as_array().unwrap().len(), 1, "single mentions are no story");
    assert_eq!(t["newest"][0]["title"], "Batching at scale");
    assert_eq!(t["newest"].as_array().unwrap().len(), 4);

    // A source with a slash in it, encoded or not; its page; unknown values.
    for path in ["/api/sources/r%2FLocalLLaMA", "/api/sources/r/LocalLLaMA"] {
        let (status, body) = get(path);
        assert_eq!(status, 200, "{path}: {body}");
        let t: Value = serde_json::from_str(&body).unwrap();
        assert_eq!(t["items"], 2, "{t}");
        assert_eq!(t["of"], "source");
    }
    let (status, body) = get("/api/topics/no-such-topic");
    assert_eq!(status, 404, "{body}");
    assert!(body.contains("no item has the topic `no-such-topic`"), "{body}");
    let (status, page) = get("/topics/nothing%20here");
    assert_eq!(status, 404);
    assert!(page.contains("No item has the topic `nothing here`."), "{page}");

    let (status, page) = get("/topics/inference");
    assert_eq!(status, 200);
    for shown in [
        "Stories that ran longest",
        "Speculative decoding lands",
        "Jan 2026",
        "Items per month, 2026-01 to 2026-03",
        "href=\"/topics/agents\"",
        "href=\"/sources/r%2FLocalLLaMA\"",
    ] {
        assert!(page.contains(shown), "{shown}: {page}");
    }
    // An entry's related entries: the one citing the same thread comes before the one
    // sharing both its topics.
    let (_, body) = get("/api/entries/daily/2026-01-05");
    let entry: Value = serde_json::from_str(&body).unwrap();
    let related: Vec<&str> =
        entry["related"].as_array().unwrap().iter().map(|r| r["id"].as_str().unwrap()).collect();
    assert_eq!(related[..2], ["daily/2026-01-20", "daily/2026-03-02"], "{entry}");
    // The lists link to the trend pages.
    let (_, list) = get("/topics");
    assert!(list.contains("href=\"/topics/inference\""), "{list}");
}

#[test]
fn a_summary_told_again_is_one_story_and_follows_every_edit() {
    let s = Sandbox::empty();
    let summary = "An open-weight speech model transcribes an hour of audio in under a minute on a \
                   laptop GPU, with word error rates close to the large hosted models on accented \
                   English and noticeably better punctuation than last year's release.";
    let day = |d: u32, body: &str| {
        s.write(&format!("daily/2026-06-{d:02}.md"), format!("# Daily, June {d}\n\n{body}\n"));
    };
    day(
        1,
        &format!(
            "## Fast local transcription\n\n{summary} [Model card](https://models.example/speech-v2)."
        ),
    );
    // Told again two days later, word for word, under another title and without the link.
    day(3, &format!("## In case you missed it\n\n{summary}"));
    day(
        4,
        "## Something else\n\nA database release with nothing in common with the others, at all.",
    );
    s.reindex();
    let story_of = |r: &Value| -> Vec<Value> {
        r["hits"].as_array().unwrap().iter().map(|h| h["story"].clone()).collect()
    };
    let r = s.search("transcribes");
    assert_eq!(r["total"], 2, "{r}");
    for story in story_of(&r) {
        assert_eq!(
            (story["kind"].as_str(), story["entries"].as_u64()),
            (Some("text"), Some(2)),
            "{r}"
        );
        assert_eq!(story["first_seen"], "2026-06-01");
    }
    // Edited away: no story; told again later: the story is back; its first telling
    // removed: a single mention is no story.
    day(
        3,
        "## In case you missed it\n\nNothing to repeat this time: a quiet day for speech models.",
    );
    s.reindex();
    assert!(story_of(&s.search("transcribes")).iter().all(Value::is_null));
    day(9, &format!("## Still the best local transcription\n\n{summary}"));
    s.reindex();
    let r = s.search("transcribes");
    assert!(story_of(&r).iter().all(|st| st["last_seen"] == "2026-06-09"), "{r}");
    s.remove("daily/2026-06-01.md");
    s.reindex();
    assert!(story_of(&s.search("transcribes")).iter().all(Value::is_null));
    // Turned off in the taxonomy: texts alone make no story.
    day(1, &format!("## Fast local transcription\n\n{summary}"));
    s.write("taxonomy.toml", "[stories]\nnear_duplicate = 0\n");
    s.reindex();
    assert!(story_of(&s.search("transcribes")).iter().all(Value::is_null));
}

#[test]
fn a_section_every_issue_has_is_no_story() {
    let s = Sandbox::empty();
    // Every issue has a "Crate of the Week"; twice there was none to name, in the same
    // words. Those two are alike, but they are a section, not a story.
    let none = "Since there were no nominations, this week has to go without a crate of the week. \
                Sorry about that. Please submit your suggestions and votes for next week in the \
                usual thread on the forum, we read every one of them.";
    let picks = [
        "ripgrep, a search tool that respects your ignore files",
        "tokio, the asynchronous runtime behind most network services",
        "serde, which turns your structs into any format and back",
        "rayon, which makes a loop parallel by changing one call",
        "clap, the command line parser with derive support and help",
    ];
    for i in 0..7 {
        let text = match i {
            2 | 5 => none.to_string(),
            _ => format!(
                "This week's crate is {}. Thanks to a reader for the suggestion!",
                picks[i % 5]
            ),
        };
        s.write(
            &format!("weekly/2026-0{}-01.md", i + 1),
            format!("# Weekly {i}\n\n## Crate of the Week\n\n{text}\n\n## News {i}\n\nSomething new happened, item {i}.\n"),
        );
    }
    s.reindex();
    let r = s.search("nominations");
    assert_eq!(r["total"], 2, "{r}");
    assert!(r["hits"].as_array().unwrap().iter().all(|h| h.get("story").is_none()), "{r}");
}

/// `(date, date_precision, date_source, title)` of an entry, from `show --json`.
fn dated(s: &Sandbox, id: &str) -> (String, String, String, String) {
    let e = s.json(&["show", id], 0);
    let text = |k: &str| e[k].as_str().unwrap_or("-").to_string();
    (text("date"), text("date_precision"), text("date_source"), text("title"))
}

#[test]
fn months_and_years_are_dates_of_their_own_precision() {
    let s = Sandbox::copy_of(&fixture("dates"));
    let r = s.reindex();
    assert_eq!(r["skipped"], Value::Array(vec![]), "{r}");
    let want = |d: &str, p: &str, src: &str, t: &str| (d.into(), p.into(), src.into(), t.into());
    let cases = [
        ("frontend-monthly/2024-05", want("2024-05", "month", "heading", "2024-05")),
        ("frontend-monthly/june", want("2024-06", "month", "heading", "2024년 6월")),
        ("newsletter/2020/issue-192", want("2020", "year", "folder", "Issue 192")),
        (
            "osdev/2021-03/index",
            want("2021-03", "month", "folder", "This Month in OSDev (March 2021)"),
        ),
        ("daily/2024/05/allocators", want("2024-05", "month", "folder", "Allocators")),
        ("web/WebDigest-20250102", want("2025-01-02", "day", "file_name", "Web Digest 2025-01-02")),
    ];
    for (id, expected) in cases {
        assert_eq!(dated(&s, id), expected, "{id}");
    }
    // A month is found by its month and the ranges around it, and shown as a month.
    let r = s.search("date:2024-05");
    let mut ids = crate::util::hit_ids(&r);
    ids.sort();
    ids.dedup();
    assert_eq!(ids, ["daily/2024/05/allocators", "frontend-monthly/2024-05"], "{r}");
    assert_eq!(r["hits"][0]["date"], "2024-05", "{r}");
    assert_eq!(s.search("after:2024-04 wasm")["total"], 1);
    assert_eq!(s.search("before:2024-01 zanzibarite")["hits"][0]["date"], "2020");
    assert_eq!(s.search("date:2024-05-10 wasm")["total"], 0);
    // Newest first: a month sorts at its start, after the days of the month before.
    let r = s.json(&["search", "--sort", "newest", "--limit", "50", ""], 0);
    let mut order = crate::util::hit_ids(&r);
    order.dedup();
    assert_eq!(order.first().map(String::as_str), Some("web/WebDigest-20250102"), "{order:?}");
    assert_eq!(order.last().map(String::as_str), Some("newsletter/2020/issue-192"), "{order:?}");
}

#[test]
fn each_item_of_a_dated_section_takes_its_day() {
    let s = Sandbox::copy_of(&fixture("dates"));
    s.reindex();
    let day = |q: &str| s.search(q)["hits"][0]["date"].as_str().unwrap_or("-").to_string();
    assert_eq!(day("wombatgo"), "2020-01-09");
    assert_eq!(day("并发模式"), "2020-01-07");
    assert_eq!(day("marmotflake"), "2020-01-15");
    assert_eq!(day("kestrelcache"), "2020-01-13");
    // Found by its own day, not its file's.
    assert_eq!(s.search("date:2020-01-09")["total"], 1);
    assert_eq!(s.search("date:2020-01-15 flaky")["total"], 1);
    assert_eq!(s.search("date:2020-01-13 flaky")["total"], 0);
    // The entry is dated by its first day; a week without one in its name too.
    assert_eq!(dated(&s, "gocn/2020-01-06").0, "2020-01-06");
    let week = dated(&s, "dev-week/week-2");
    assert_eq!(
        (week.0.as_str(), week.2.as_str(), week.3.as_str()),
        ("2020-01-13", "heading", "Dev Week 2")
    );
}

/// Runs git in `dir` with the author and committer dates set to `date`.
fn git(dir: &std::path::Path, date: &str, args: &[&str]) {
    let out = std::process::Command::new("git")
        .current_dir(dir)
        .args(["-c", "user.name=Editor", "-c", "user.email=editor@example.org"])
        .args(args)
        .env("GIT_AUTHOR_DATE", date)
        .env("GIT_COMMITTER_DATE", date)
        .output()
        .unwrap();
    assert!(out.status.success(), "git {args:?}: {}", crate::util::text(&out.stderr));
}

#[test]
fn files_that_give_no_day_take_the_day_git_first_added_them() {
    let s = Sandbox::empty();
    let repo = s.archive.parent().unwrap().join("repo");
    let root = repo.join("weekly");
    std::fs::create_dir_all(root.join("docs")).unwrap();
    std::fs::create_dir_all(root.join("2019")).unwrap();
    let write = |rel: &str, text: &str| std::fs::write(root.join(rel), text).unwrap();
    git(&repo, "2019-03-04T10:00:00+08:00", &["init", "-q"]);
    write("docs/issue-300.md", "# 科技爱好者周刊（第 300 期）\n\n本周的话题是推测解码。\n");
    write("2019/issue-1.md", "# Issue 1\n\nText of the first issue.\n");
    git(&repo, "2019-03-04T10:00:00+08:00", &["add", "-A"]);
    git(&repo, "2019-03-04T10:00:00+08:00", &["commit", "-qm", "first"]);
    // Late at night in New York: the author's own day, not UTC's.
    write("docs/issue-301.md", "# 第 301 期\n\nThe second issue, written in the evening.\n");
    write("dated.md", "---\ndate: 2018-01-02\n---\n\nDated in its front matter.\n");
    git(&repo, "2019-03-11T23:30:00-05:00", &["add", "-A"]);
    git(&repo, "2019-03-11T23:30:00-05:00", &["commit", "-qm", "second"]);
    // A rename keeps the day the file was first added; a year folder that the day
    // contradicts keeps its year (archives are put in git years after they are written).
    git(
        &repo,
        "2021-06-01T12:00:00Z",
        &["mv", "weekly/docs/issue-300.md", "weekly/docs/issue-0300.md"],
    );
    git(
        &repo,
        "2021-06-01T12:00:00Z",
        &["mv", "weekly/2019/issue-1.md", "weekly/2019/issue-001.md"],
    );
    std::fs::create_dir_all(root.join("2016")).unwrap();
    write("2016/old.md", "# Old\n\nWritten in 2016, committed in 2021.\n");
    git(&repo, "2021-06-01T12:00:00Z", &["add", "-A"]);
    git(&repo, "2021-06-01T12:00:00Z", &["commit", "-qm", "moved"]);
    write("docs/draft.md", "# Not committed\n\nNo day anywhere.\n");

    let s = Sandbox::over(&root);
    let r = s.reindex();
    assert_eq!(r["entries"], 6, "{r}");
    let cases = [
        ("docs/issue-0300", ("2019-03-04", "day", "git")),
        ("docs/issue-301", ("2019-03-11", "day", "git")),
        ("2019/issue-001", ("2019-03-04", "day", "git")),
        ("dated", ("2018-01-02", "day", "front_matter")),
        ("2016/old", ("2016", "year", "folder")),
        ("docs/draft", ("-", "-", "-")),
    ];
    for (id, (date, precision, source)) in cases {
        let (d, p, src, _) = dated(&s, id);
        assert_eq!((d.as_str(), p.as_str(), src.as_str()), (date, precision, source), "{id}");
    }
    assert_eq!(s.search("date:2019-03-11")["hits"][0]["entry_id"], "docs/issue-301");
    // Kept beside the index, and the same answers from it; `[dates] git = false` turns it off.
    assert!(s.index.join("archive-git.tsv").is_file());
    let c = s.json(&["check"], 0);
    assert_eq!(c["dates"]["git"], 3, "{c}");
    // A shallow clone's history would date every file by its one commit: not used.
    let shallow = s.archive.parent().unwrap().join("shallow");
    let url = format!("file://{}", repo.display());
    git(
        &repo,
        "2021-06-01T12:00:00Z",
        &["clone", "-q", "--depth", "1", &url, shallow.to_str().unwrap()],
    );
    let c = Sandbox::over(&shallow.join("weekly"));
    let r = c.reindex();
    assert!(r["notes"].to_string().contains("shallow clone"), "{r}");
    assert_eq!(dated(&c, "docs/issue-301").0, "-");

    std::fs::write(root.join("taxonomy.toml"), "[dates]\ngit = false\n").unwrap();
    s.reindex();
    assert_eq!(dated(&s, "docs/issue-301").0, "-");
}

#[test]
fn the_atom_feed_is_xml_whatever_the_digests_hold() {
    let s = Sandbox::empty();
    s.write(
        "2026-04-01-ctl.md",
        "# Bell\n\nA line with a bell \u{7} and an escape \u{1b}[31m in it, feedword.\n",
    );
    s.write("notes/undated.md", "An undated note about feedword.\n");
    s.reindex();
    let server = s.serve(&[]);
    for query in ["feedword", "nothingmatchesthis"] {
        let (status, body) = http_get(server.addr(), &format!("/feed.atom?q={query}")).unwrap();
        assert_eq!(status, 200, "{body}");
        let forbidden = |c: char| c < ' ' && !matches!(c, '\t' | '\n' | '\r');
        assert!(!body.chars().any(forbidden), "{query}: a control character in {body:?}");
        let feed = <atom_syndication::Feed as std::str::FromStr>::from_str(&body)
            .unwrap_or_else(|e| panic!("{e}: {body}"));
        let years: Vec<i32> = std::iter::once(feed.updated())
            .chain(feed.entries().iter().map(|e| e.updated()))
            .map(chrono::Datelike::year)
            .collect();
        assert!(years.iter().all(|&y| (1970..3000).contains(&y)), "{query}: {years:?}");
    }
}

/// Twelve dailies in the shape of a chat-summary newsletter, among sixty others: each
/// summarises a chat channel (its heading links the channel), repeats a footer and a
/// "CFP" section under the same links, links the site's terms; two of them cite one chat
/// message and three one paper. Twelve of seventy-two is under the boilerplate share, so
/// only the rules of issue 29 keep places, footers and recurring sections from making
/// stories; the message and the paper still make theirs.
#[test]
fn places_footers_and_recurring_sections_are_no_story() {
    let s = Sandbox::empty();
    for n in 0..60 {
        s.write(
            &format!("other/2026-{:02}-{:02}.md", 1 + n / 28, 1 + n % 28),
            format!("---\ntitle: Other {n}\n---\n\n## Item {n}\n\nNothing to see, [link](https://example.net/{n}).\n"),
        );
    }
    for day in 1..=12 {
        // Days 1 and 2 cite one message; every other day its own.
        let (message, highlight) = if day <= 2 {
            (999, "Fine-tuning numbers compared")
        } else {
            (1000 + day, "Highlights")
        };
        let paper = match day {
            3..=5 => format!(
                "## A paper on sparse attention\n\nDay {day}'s take on [the sparse attention paper](https://arxiv.org/abs/2606.0123{}) and what it means for long context.\n\n",
                if day == 4 { "v2" } else { "" }
            ),
            _ => String::new(),
        };
        s.write(
            &format!("daily/2026-06-{day:02}.md"),
            format!(
                "---\ntitle: AI chats, June {day}\ndate: 2026-06-{day:02}\n---\n\n\
                 ## [Unsloth AI ▷ #general](https://discord.com/channels/1179035537009545276/1179035537529643040) ({} messages)\n\n\
                 Talk of the day {day}: people compared fine-tuning runs.\n\n\
                 ## {highlight}\n\n[One message](https://discord.com/channels/1179035537009545276/1179035537529643040/{message}) had the numbers of day {day}.\n\n\
                 {paper}\
                 ## CFP - Projects\n\nAlways wanted to contribute to open-source projects but did not know where to start? Every week we highlight some tasks: see the [guidelines](https://example.org/cfp/guidelines) for day {day}.\n\n\
                 ## Smol Talk\n\nWe summarize AI discords, and send you a roundup each day! Read [how we pick](https://news.example.com/p/how-we-pick) · [Terms of use](https://news.example.com/terms)\n",
                100 + day
            ),
        );
    }
    s.reindex();
    let stories_of = |q: &str| -> Vec<(String, Value)> {
        let r = s.search(q);
        r["hits"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|h| h["matched"] == "item")
            .map(|h| (h["title"].as_str().unwrap().to_string(), h["story"]["entries"].clone()))
            .collect()
    };
    // The channel's heading, the footer, the recurring section: twelve items each, no story.
    for q in ["general", "smol talk", "\"always wanted to contribute\""] {
        let found = stories_of(q);
        assert_eq!(found.len(), 12, "{q}: {found:?}");
        assert!(found.iter().all(|(_, story)| story.is_null()), "{q}: {found:?}");
    }
    // The message and the paper are stories, of their own digests only.
    let found = stories_of("numbers date:2026-06-01..2026-06-03");
    let mut entries: Vec<Value> = found.iter().map(|(_, story)| story.clone()).collect();
    entries.sort_by_key(|e| e.as_u64());
    assert_eq!(entries, [Value::Null, json!(2), json!(2)], "{found:?}");
    let found = stories_of("sparse attention");
    assert_eq!(found.len(), 3, "{found:?}");
    assert!(found.iter().all(|(_, story)| story == &json!(3)), "{found:?}");
}

/// A weekly of ten issues whose calendar lists each event until it happens (in three
/// ways of writing a date), whose job board runs one ad for six weeks, and whose stories
/// are a proposal moving from section to section, a post told again in other words, and
/// a call for participation run twice word for word.
#[test]
fn listings_make_no_story_and_stories_that_move_on_come_first() {
    let s = Sandbox::empty();
    for week in 0..10u32 {
        let day = chrono::NaiveDate::from_ymd_opt(2026, 1, 7).unwrap()
            + chrono::Days::new(7 * week as u64);
        let mut text = format!("# Rust weekly {week}\n\nDate: {day}\n\n");
        text.push_str("## Upcoming Events\n\n");
        if week < 4 {
            text.push_str("- [2026-02-10 | Berlin, DE | Rust Berlin: Hack night](https://www.meetup.com/rust-berlin/events/3001/)\n");
        }
        if (1..5).contains(&week) {
            text.push_str(
                "- [Feb 12. Seattle, US - Seattle Rust Meetup](https://example.org/seattle/feb)\n",
            );
        }
        if (3..6).contains(&week) {
            text.push_str("- [February 20, 2026 | Toronto, CA | Rust Toronto: WebAssembly plugins](https://example.org/toronto/20)\n");
        }
        if week < 6 {
            text.push_str("\n## Jobs\n\n- [Senior Rust Engineer at Acme (Remote)](https://jobs.example.com/acme/42)\n");
        }
        if week == 0 || week == 2 {
            text.push_str(
                "- [Rust Compiler Engineer at Bolt](https://boards.greenhouse.io/bolt/jobs/77)\n",
            );
        }
        if week < 3 {
            text.push_str("\n## Help Wanted\n\n- [serde: document how flatten buffers](https://github.com/serde-rs/serde/issues/2222)\n");
        }
        let rfc = "[RFC: Default field values](https://github.com/rust-lang/rfcs/pull/3681)";
        match week {
            0 => text.push_str(&format!("\n## New RFCs\n\n- {rfc}\n")),
            2 | 4 => text.push_str(&format!("\n## Final Comment Period\n\n- {rfc}\n")),
            6 => text.push_str(&format!("\n## Approved RFCs\n\n- {rfc}\n")),
            _ => {}
        }
        let post = "https://blog.example.com/async-drop";
        match week {
            1 => text.push_str(&format!("\n## Articles\n\nTopics: rust\n\n[Async drop, explained]({post}): how destructors could await, with a design sketch.\n")),
            3 => text.push_str(&format!("\n## Quote of the Week\n\nTopics: rust\n\n\"Await in a destructor is the hard part\", from [the async drop write-up]({post}) a fortnight ago.\n")),
            _ => {}
        }
        if week == 0 || week == 8 {
            text.push_str("\n## Our Projects\n\nThe quasar-alloc crate provides a small allocator for kernels that cannot link the standard library, with pools sized at build time and a fallback to a bump arena when every pool is full.\n");
        }
        if week == 1 || week == 7 {
            text.push_str("\n## Call for Participation\n\nTopics: rust\n\n[tokei: add the Gleam language](https://github.com/XAMPPRocky/tokei/issues/1111), a good first issue.\n");
        }
        s.write(&format!("weekly/{day}.md"), text);
    }
    s.reindex();
    let story_of = |q: &str| -> Vec<Value> {
        let r = s.search(q);
        let hits = r["hits"].as_array().unwrap();
        assert!(!hits.is_empty(), "{q}: {r}");
        hits.iter().map(|h| h["story"].clone()).collect()
    };
    // The calendar's listings, the ads (run six weeks, or twice on a hiring board), the
    // call for help listed three weeks running and a project's blurb copied two months
    // apart: no story, whatever the date's style.
    for q in ["hack night", "seattle", "toronto", "acme", "bolt", "flatten", "quasar"] {
        let stories = story_of(q);
        assert!(stories.iter().all(Value::is_null), "{q}: {stories:?}");
    }
    // The proposal, the same words under four headings over six weeks, is one.
    assert!(story_of("\"default field values\"").iter().all(|s| s["entries"] == 4));
    let post = story_of("async drop");
    assert_eq!(post[0]["entries"], 2, "{post:?}");

    let server = s.serve(&[]);
    let get = |path: &str| {
        let (status, body) = http_get(server.addr(), path).unwrap();
        assert_eq!(status, 200, "{path}: {body}");
        body
    };
    // The post told again ranks above the call run twice word for word, whose span is
    // longer.
    let t: Value = serde_json::from_str(&get("/api/topics/rust")).unwrap();
    let stories: Vec<(&str, u64, u64)> = t["stories"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["title"].as_str().unwrap(),
                s["days"].as_u64().unwrap(),
                s["versions"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(stories, [("Articles", 14, 2), ("Call for Participation", 42, 1)], "{t}");
    // The call's second mention says again what its first said; the page folds it.
    let id = t["stories"][1]["id"].as_str().unwrap();
    let view: Value = serde_json::from_str(&get(&format!("/api/stories/{id}"))).unwrap();
    assert_eq!(view["versions"], 1, "{view}");
    assert_eq!(view["mentions"][0].get("says_again"), None, "{view}");
    assert_eq!(view["mentions"][1]["says_again"], 0, "{view}");
    let page = get(&format!("/stories/{id}"));
    assert!(page.contains("Every mention says the same thing."), "{page}");
    assert!(page.contains("says again what <a href=\"#mention-0\">2026-01-14</a> said"), "{page}");
    let id = t["stories"][0]["id"].as_str().unwrap();
    let page = get(&format!("/stories/{id}"));
    assert!(page.contains("Its mentions say 2 different things"), "{page}");
    assert!(!page.contains("says again"), "{page}");
}

/// Entries that share no topic, source or story with an entry: the one about the same
/// thing in other words is its first related entry, found by the items' vectors.
#[test]
fn an_entry_about_the_same_thing_in_other_words_is_related() {
    let s = Sandbox::empty();
    let day = |d: u32, title: &str, body: &str| {
        s.write(
            &format!("daily/2026-07-{d:02}.md"),
            format!("# Daily, July {d}\n\n## {title}\n\n{body}\n"),
        );
    };
    day(
        1,
        "Agents that remember",
        "Long-horizon memory consolidation lets language model agents keep \
        what they learned across sessions instead of forgetting it after every task.",
    );
    day(
        2,
        "Cheaper sourdough",
        "A bakery explains how a slower fermentation and a colder proof give \
        a better crust with less flour and less oven time.",
    );
    day(
        3,
        "Forgetting less",
        "A paper on continual learning shows assistants that retain knowledge \
        from earlier conversations and recall it weeks later.",
    );
    day(
        4,
        "Faster joins",
        "A database engine rewrites hash joins to spill to disk less often, \
        halving query latency on large analytical tables.",
    );
    day(
        5,
        "Garden notes",
        "Tomatoes planted in raised beds with mulch need half the watering \
        of those in open ground through a dry summer.",
    );
    s.reindex();
    let server = s.serve(&[]);
    let (status, body) = http_get(server.addr(), "/api/entries/daily/2026-07-01").unwrap();
    assert_eq!(status, 200, "{body}");
    let entry: Value = serde_json::from_str(&body).unwrap();
    let related: Vec<&str> =
        entry["related"].as_array().unwrap().iter().map(|r| r["id"].as_str().unwrap()).collect();
    assert_eq!(related.first(), Some(&"daily/2026-07-03"), "{entry}");
}

/// A monthly whose sections are headed by their project's link: the project's sections
/// make its story, and a repository two sections on other projects only use (its name
/// in neither title, after their own first link) makes none.
#[test]
fn a_heading_link_is_what_a_section_is_about_and_a_repository_used_in_passing_no_story() {
    let s = Sandbox::empty();
    let month = |m: u32, other: &str| {
        s.write(
            &format!("this-month/2026-{m:02}.md"),
            format!(
                "# This month in kernels, 2026-{m:02}\n\n\
                 ## [netstack](https://github.com/acme/netstack)\n\n\
                 The netstack crate gives small kernels TCP; update {m} of its maintainers.\n\n\
                 {other}\n"
            ),
        );
    };
    month(
        3,
        "## [Hermit](https://github.com/hermit/kernel)\n\nHermit is a unikernel; its \
         networking now uses [tcpstack](https://github.com/acme/tcpstack).",
    );
    month(
        4,
        "## [Eural](https://github.com/eural/os)\n\nEural is a hobby kernel whose drivers \
         sit on [tcpstack](https://github.com/acme/tcpstack) too.",
    );
    s.reindex();
    let story = |q: &str| -> Vec<Value> {
        s.search(q)["hits"]
            .as_array()
            .unwrap()
            .iter()
            .map(|h| h["story"]["entries"].clone())
            .collect()
    };
    assert_eq!(story("\"update 3 of its maintainers\""), [json!(2)]);
    assert_eq!(story("unikernel"), [Value::Null]);
    assert_eq!(story("\"hobby kernel\""), [Value::Null]);
}
