//! The real binary on a temporary copy of the sample archive: reindex, search, edit,
//! delete, break files, and check what a user sees.

use serde_json::Value;

use crate::util::{Sandbox, any_contains, hit_ids, strings, text};

fn count(v: &Value, key: &str) -> u64 {
    v[key].as_u64().unwrap_or_else(|| panic!("no count `{key}` in {v}"))
}

#[test]
fn reindex_the_sample_then_nothing_changes() {
    let s = Sandbox::sample();
    let first = s.reindex();
    assert_eq!(count(&first, "added"), 39);
    assert_eq!(count(&first, "entries"), 39);
    assert!(count(&first, "items") >= 180, "{first}");
    assert_eq!(first["skipped"], Value::Array(vec![]));
    for key in ["updated", "removed", "unchanged", "seconds"] {
        assert!(first.get(key).is_some(), "missing {key}");
    }

    let second = s.reindex();
    assert_eq!(
        (count(&second, "added"), count(&second, "updated"), count(&second, "removed")),
        (0, 0, 0)
    );
    assert_eq!(count(&second, "unchanged"), 39);
    assert_eq!(count(&second, "items"), count(&first, "items"));
}

#[test]
fn search_filters_facets_and_json_shape() {
    let s = Sandbox::sample();
    s.reindex();
    let r = s.search("speculative decoding source:r/LocalLLaMA");
    let hits = r["hits"].as_array().unwrap();
    assert!(hits.len() >= 3, "{r}");
    for hit in hits {
        assert!(strings(&hit["sources"]).contains(&"r/LocalLLaMA".into()), "{hit}");
        for key in
            ["entry_id", "anchor", "date", "entry_title", "title", "snippet", "topics", "score"]
        {
            assert!(hit.get(key).is_some(), "missing {key} in {hit}");
        }
    }
    // Snippets mark the words they show, and start after the title they would repeat.
    let snippet = |h: &Value| h["snippet"].as_str().unwrap().to_string();
    for hit in hits {
        let shows = snippet(hit).replace("<mark>", "").to_lowercase().contains("decoding");
        assert_eq!(shows, snippet(hit).contains("<mark>"), "{hit}");
    }
    let marked = s.search("acceptance-rate charts");
    assert!(snippet(&marked["hits"][0]).contains("<mark>"), "{marked}");
    let first = &hits[0];
    assert!(first["title"].as_str().unwrap().starts_with("Speculative decoding"), "{first}");
    assert!(!snippet(first).to_lowercase().starts_with("speculative decoding"), "{first}");
    assert_eq!(r["interpreted"], "speculative AND decoding AND source:r/LocalLLaMA");
    let sources = r["facets"]["sources"].as_array().unwrap();
    assert_eq!(sources[0]["value"], "r/LocalLLaMA");
    assert_eq!(sources[0]["count"].as_u64().unwrap(), r["total"].as_u64().unwrap());
    assert!(r["facets"]["months"][0]["value"].as_str().unwrap().starts_with("2026-"));

    // Topic and date filters; case is ignored in values.
    let r = s.search("topic:\"AGENT MEMORY\" date:2026-04");
    assert!(r["total"].as_u64().unwrap() >= 3, "{r}");
    for hit in r["hits"].as_array().unwrap() {
        assert!(hit["date"].as_str().unwrap().starts_with("2026-04"), "{hit}");
        assert!(strings(&hit["topics"]).contains(&"agent memory".into()), "{hit}");
    }

    // Exclusion removes every item that has the word.
    let all = s.search("quantization")["total"].as_u64().unwrap();
    let without = s.search("quantization -gguf");
    assert!(without["total"].as_u64().unwrap() < all);
    assert!(
        without["hits"].as_array().unwrap().iter().all(|h| !h["snippet"]
            .as_str()
            .unwrap()
            .to_lowercase()
            .contains("gguf"))
    );

    // An empty query browses newest first.
    let r = s.json(&["search", "--limit", "5", ""], 0);
    let dates: Vec<&str> =
        r["hits"].as_array().unwrap().iter().map(|h| h["date"].as_str().unwrap()).collect();
    assert_eq!(dates[0], "2026-05-06", "{dates:?}");
    assert!(dates.windows(2).all(|w| w[0] >= w[1]), "{dates:?}");
}

#[test]
fn entry_titles_and_plain_digests_are_found() {
    let s = Sandbox::sample();
    s.reindex();
    let r = s.search("\"Local Models Digest #3\"");
    assert_eq!(hit_ids(&r)[0], "local-models/2026-03-05");
    let r = s.search("author:\"Bo Chen\" leaked system prompt");
    assert_eq!(hit_ids(&r)[0], "friday-notes/issue-01");
    assert!(
        hit_ids(&r).iter().all(|id| id.starts_with("friday-notes/")),
        "the author filter stays: {r}"
    );
    let r = s.search("models:glm-5");
    assert!(hit_ids(&r).contains(&"weekly-ai-roundup/2026-02-09-roundup".to_string()), "{r}");
}

#[test]
fn show_prints_the_entry_as_indexed() {
    let s = Sandbox::sample();
    s.reindex();
    let e = s.json(&["show", "friday-notes/issue-01"], 0);
    assert_eq!(e["id"], "friday-notes/issue-01");
    assert_eq!(e["date"], "2026-02-13");
    assert_eq!(e["authors"], serde_json::json!(["Bo Chen"]));
    assert_eq!(e["series"], "Friday Notes");
    let items = e["items"].as_array().unwrap();
    assert_eq!(items.len(), 4, "date line and signature are not items");
    assert_eq!(items[0]["sources"], serde_json::json!(["r/LocalLLaMA"]));
    for key in ["anchor", "title", "text", "sources", "topics", "links"] {
        assert!(items[0].get(key).is_some(), "missing {key}");
    }
    let e = s.json(&["show", "local-models/2026-02-05"], 0);
    let first = e["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["title"] == "Qwen3 8B GGUF quants are up")
        .unwrap();
    assert_eq!(first["links"][0]["url"], "https://huggingface.co/example-quants/Qwen3-8B-GGUF");
    assert_eq!(first["sources"], serde_json::json!(["Hugging Face"]));

    let missing = s.run(&["show", "no/such/entry"]);
    assert_eq!(missing.status.code(), Some(1));
    assert!(text(&missing.stderr).contains("no entry with id `no/such/entry`"));
}

#[test]
fn edit_delete_and_add_are_picked_up() {
    let s = Sandbox::sample();
    s.reindex();
    assert_eq!(s.search("zyzzyva")["total"], 0);
    let rel = "agent-notes/2026-02-11-agent-notes.md";
    let edited = s
        .read(rel)
        .replace("Episodic versus semantic memory", "Zyzzyva memory")
        .replace("episodic/semantic split", "beetle split");
    s.write(rel, edited);
    let r = s.reindex();
    assert_eq!(
        (count(&r, "updated"), count(&r, "added"), count(&r, "unchanged")),
        (1, 0, 38),
        "{r}"
    );
    assert_eq!(hit_ids(&s.search("zyzzyva")), ["agent-notes/2026-02-11-agent-notes"]);
    assert_eq!(s.search("\"episodic/semantic split\"")["total"], 0, "old text is gone");

    s.remove("friday-notes/issue-02.md");
    let r = s.reindex();
    assert_eq!(count(&r, "removed"), 1);
    assert_eq!(count(&r, "entries"), 38);
    assert_eq!(s.search("\"own bookmarks\"")["total"], 0);

    s.write("new/2026-05-01-extra.md", "## Brand new\n\nA quokka benchmark appears.\n");
    let r = s.reindex();
    assert_eq!(count(&r, "added"), 1);
    let r = s.search("quokka");
    assert_eq!(hit_ids(&r), ["new/2026-05-01-extra"]);
    assert_eq!(r["hits"][0]["date"], "2026-05-01");
}

#[test]
fn broken_files_are_reported_and_their_old_version_kept() {
    let s = Sandbox::sample();
    s.reindex();
    let rel = "local-models/2026-02-19.md";
    let before = s.search("\"mining frame\" OR \"KV cache quantization: worth it\"")["total"]
        .as_u64()
        .unwrap();
    assert!(before > 0);
    s.write(rel, "+++\ntitle = \"broken\"\n\nno closing fence\n");
    s.write("bad/binary.md", b"\x00\x01\x02PNG\x00");
    s.write("bad/latin1.md", b"caf\xe9 au lait\n");
    s.write("good/2026-05-02.md", "A wombat thread.\n");
    let r = s.reindex();
    let skipped = r["skipped"].as_array().unwrap();
    let reason = |path: &str| {
        skipped
            .iter()
            .find(|x| x["path"] == path)
            .map(|x| x["reason"].as_str().unwrap().to_string())
            .unwrap_or_else(|| panic!("{path} not skipped: {r}"))
    };
    assert!(reason(rel).contains("never closed"));
    assert!(reason("bad/binary.md").contains("binary"));
    assert!(reason("bad/latin1.md").contains("UTF-8"));
    assert_eq!(count(&r, "added"), 1, "the good file is indexed");
    assert_eq!(s.search("wombat")["total"], 1);
    assert_eq!(
        s.search("\"mining frame\" OR \"KV cache quantization: worth it\"")["total"]
            .as_u64()
            .unwrap(),
        before,
        "old version kept"
    );

    // --strict: the same problems are fatal and nothing is committed.
    s.write("good/2026-05-03.md", "A numbat thread.\n");
    let out = s.run(&["reindex", "--strict"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains("--strict"), "{}", text(&out.stderr));
    assert_eq!(s.search("numbat")["total"], 0);

    // check lists every problem by file and exits 1.
    let out = s.run(&["check"]);
    assert_eq!(out.status.code(), Some(1));
    let stdout = text(&out.stdout);
    for path in [rel, "bad/binary.md", "bad/latin1.md"] {
        assert!(stdout.contains(&format!("{path}: error:")), "{stdout}");
    }
}

#[test]
fn check_is_clean_on_the_sample_and_reports_undated_entries() {
    let s = Sandbox::sample();
    let report = s.json(&["check"], 0);
    assert_eq!(report["errors"], 0);
    assert_eq!(report["entries"], 39);
    s.write("undated-note.md", "Just a thought, no date anywhere.\n");
    s.write("taxonomy.toml", "[topics]\nagents = \"not a list\"\n");
    let report = s.json(&["check"], 1);
    let problems = report["problems"].as_array().unwrap();
    assert!(problems.iter().any(|p| p["path"] == "undated-note.md"
        && p["severity"] == "warning"
        && p["message"].as_str().unwrap().contains("no date")));
    assert!(problems.iter().any(|p| p["path"] == "taxonomy.toml" && p["severity"] == "error"));
    assert!(s.index.read_dir().is_err(), "check never touches the index");
}

#[test]
fn dry_run_lists_changes_and_changes_nothing() {
    let s = Sandbox::sample();
    let r = s.json(&["reindex", "--dry-run"], 0);
    assert_eq!(count(&r, "added"), 39);
    assert!(!s.index.join("meta.json").exists());
    s.reindex();
    s.remove("friday-notes/issue-03.md");
    s.write("extra.md", "## x\n\ny\n");
    let out = s.run(&["reindex", "--dry-run"]);
    let stdout = text(&out.stdout);
    assert!(stdout.contains("would add extra"), "{stdout}");
    assert!(stdout.contains("would remove friday-notes/issue-03"), "{stdout}");
    assert!(s.search("kitchen voice assistant")["total"].as_u64().unwrap() > 0, "nothing removed");
}

#[test]
fn a_changed_taxonomy_rereads_every_entry() {
    let s = Sandbox::sample();
    s.reindex();
    assert_eq!(s.search("topic:marsupials")["total"], 0);
    s.write(
        "taxonomy.toml",
        "[topics]\nmarsupials = [\"wombat\", \"speculative decoding\"]\n[sources]\n",
    );
    let r = s.reindex();
    assert!(any_contains(&r["notes"], "taxonomy changed"), "{r}");
    assert!(s.search("topic:marsupials")["total"].as_u64().unwrap() >= 5);
    s.write("taxonomy.toml", "[topics\n");
    let out = s.run(&["reindex"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("taxonomy.toml"), "{}", text(&out.stderr));
}

#[test]
fn queries_never_fail_and_explain_themselves() {
    let s = Sandbox::sample();
    s.reindex();
    for q in [
        "\"unclosed",
        "((agents",
        "agents))",
        "wat:ever agents",
        "date:2026-02-30 agents",
        "OR",
        "-",
        "()",
        "\u{1F600}",
        "topic:",
        "AND OR NOT",
    ] {
        let out = s.command().args(["search", "--json", "--", q]).output().unwrap();
        assert!(matches!(out.status.code(), Some(0 | 1)), "{q:?}: {}", text(&out.stderr));
        let r: Value = serde_json::from_slice(&out.stdout).unwrap();
        assert!(r["interpreted"].is_string(), "{q:?}");
    }
    let r = s.search("date:2026-02-30 agents");
    assert!(r["warnings"][0].as_str().unwrap().contains("not a date"), "{r}");
    assert!(r["total"].as_u64().unwrap() > 0);

    let long = "agents ".repeat(200);
    let out = s.run(&["search", &long]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("the limit is 1000"), "{}", text(&out.stderr));
}

#[test]
fn missing_index_and_bad_arguments_are_clear() {
    let s = Sandbox::sample();
    let out = s.run(&["search", "agents"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("run `archive reindex` first"), "{}", text(&out.stderr));
    s.reindex();
    let out = s.run(&["search", "--page", "0", "agents"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("`page`"), "{}", text(&out.stderr));
    let out = s.run(&["search", "--sort", "sideways", "agents"]);
    assert_eq!(out.status.code(), Some(2));
    let missing = Sandbox::empty();
    std::fs::remove_dir(&missing.archive).unwrap();
    let out = missing.run(&["reindex"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("cannot read the archive"), "{}", text(&out.stderr));
}

#[test]
fn a_second_writer_waits_then_fails_with_a_clear_message() {
    let s = Sandbox::sample();
    s.reindex();
    let index = tantivy::Index::open_in_dir(&s.index).unwrap();
    let _writer: tantivy::IndexWriter = index.writer(15_000_000).unwrap();
    s.write("new.md", "## x\n\nA platypus.\n");
    let out = s.run(&["reindex"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("another reindex has been writing the index"),
        "{}",
        text(&out.stderr)
    );
    drop(_writer);
    assert_eq!(count(&s.reindex(), "added"), 1);

    // A writer released within the wait: the reindex waits for it and goes through.
    let held: tantivy::IndexWriter = index.writer(15_000_000).unwrap();
    let release = std::thread::spawn(move || {
        std::thread::sleep(std::time::Duration::from_millis(1500));
        drop(held);
    });
    s.write("newer.md", "## y\n\nA numbat.\n");
    assert_eq!(count(&s.reindex(), "added"), 1);
    release.join().unwrap();
}

#[test]
fn sorting_and_paging() {
    let s = Sandbox::sample();
    s.reindex();
    let newest = s.json(&["search", "--sort", "newest", "--limit", "50", "agents"], 0);
    let dates: Vec<String> = newest["hits"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["date"].as_str().unwrap().to_string())
        .collect();
    assert!(dates.windows(2).all(|w| w[0] >= w[1]), "{dates:?}");
    let oldest = s.json(&["search", "--sort", "oldest", "--limit", "50", "agents"], 0);
    let dates: Vec<String> = oldest["hits"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["date"].as_str().unwrap().to_string())
        .collect();
    assert!(dates.windows(2).all(|w| w[0] <= w[1]), "{dates:?}");
    let page1 = s.json(&["search", "--limit", "3", "agents"], 0);
    let page2 = s.json(&["search", "--limit", "3", "--page", "2", "agents"], 0);
    assert_eq!(page2["page"], 2);
    let key = |h: &Value| format!("{}#{}", h["entry_id"], h["anchor"]);
    let first: Vec<String> = page1["hits"].as_array().unwrap().iter().map(key).collect();
    assert!(page2["hits"].as_array().unwrap().iter().all(|h| !first.contains(&key(h))));
}

#[test]
fn an_index_from_another_version_is_rebuilt_in_full() {
    let s = Sandbox::sample();
    s.reindex();
    let meta_path = s.index.join("meta.json");
    // Pretend an older version wrote the index (its commit records another schema), then
    // one whose vectors are another model's (the same schema, another model's id).
    type Edit = fn(&mut Value);
    let edits: [Edit; 2] = [
        |payload| *payload = serde_json::json!({"schema": 0, "taxonomy": 0}),
        |payload| payload["model"] = "another-model/f32".into(),
    ];
    for edit in edits {
        let mut v: Value =
            serde_json::from_str(&std::fs::read_to_string(&meta_path).unwrap()).unwrap();
        let mut payload: Value = serde_json::from_str(v["payload"].as_str().unwrap()).unwrap();
        edit(&mut payload);
        v["payload"] = Value::String(payload.to_string());
        std::fs::write(&meta_path, v.to_string()).unwrap();
        let out = s.run(&["search", "agents"]);
        assert_eq!(out.status.code(), Some(2));
        assert!(text(&out.stderr).contains("another version"), "{}", text(&out.stderr));
        let r = s.reindex();
        assert!(r["notes"][0].as_str().unwrap().contains("another version"), "{r}");
        assert_eq!(r["full"], true);
        assert_eq!(count(&r, "entries"), 39);
        assert!(s.search("agents")["total"].as_u64().unwrap() > 0);
    }
}

#[test]
fn the_benchmark_runs_and_finds_every_needle() {
    let dir = tempfile::tempdir().unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_bench"))
        .args([
            "--digests",
            "1000",
            "--runs",
            "1",
            "--repeat",
            "1",
            "--no-rg",
            "--http-seconds",
            "1",
            "--dir",
        ])
        .arg(dir.path())
        .output()
        .unwrap();
    let stdout = text(&out.stdout);
    assert!(out.status.success(), "{stdout}\n{}", text(&out.stderr));
    assert!(stdout.contains("needles: ok"), "{stdout}");
    assert!(stdout.contains("| full |"), "{stdout}");
    assert!(stdout.contains("| engine alone"), "{stdout}");
    assert!(stdout.contains("estimate `the` from a tenth of its matches"), "{stdout}");
}

/// Sets every Markdown file's mtime a minute back (old enough not to be racy).
fn age_all(root: &std::path::Path) {
    let past = std::time::SystemTime::now() - std::time::Duration::from_secs(60);
    for entry in walkdir::WalkDir::new(root) {
        let entry = entry.unwrap();
        if entry.file_type().is_file() {
            let file = std::fs::File::options().append(true).open(entry.path()).unwrap();
            file.set_modified(past).unwrap();
        }
    }
}

#[test]
fn files_that_only_moved_are_hashed_never_parsed_and_write_no_document() {
    let s = Sandbox::sample();
    s.reindex();
    let meta = || std::fs::read_to_string(s.index.join("meta.json")).unwrap();
    let before = meta();

    // Every file touched: hashed once, found unchanged, nothing rewritten...
    age_all(&s.archive);
    let r = s.reindex();
    assert_eq!(
        (count(&r, "added"), count(&r, "updated"), count(&r, "unchanged")),
        (0, 0, 39),
        "{r}"
    );
    assert!(count(&r, "bytes_read") > 0, "{r}");
    assert_eq!(meta(), before, "no commit: no document was written");
    // ...and trusted from then on without being read.
    let r = s.reindex();
    assert_eq!(count(&r, "bytes_read"), 0, "{r}");
    assert_eq!(s.json(&["search", "speculative decoding"], 0)["total"], 16);

    // The archive copied elsewhere (`cp -r`): the same.
    let copy = Sandbox::copy_of(&s.archive);
    age_all(&copy.archive);
    let at_copy = |args: &[&str]| {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_archive"))
            .arg("--archive")
            .arg(&copy.archive)
            .arg("--index")
            .arg(&s.index)
            .args(args)
            .output()
            .unwrap();
        serde_json::from_slice::<Value>(&out.stdout)
            .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stderr)))
    };
    let r = at_copy(&["reindex", "--json"]);
    assert_eq!((count(&r, "updated"), count(&r, "unchanged")), (0, 39), "{r}");
    assert_eq!(meta(), before);
    assert_eq!(count(&at_copy(&["reindex", "--json"]), "bytes_read"), 0);

    // A changed file among them is still seen.
    let rel = "local-models/2026-02-05.md";
    copy.write(rel, copy.read(rel).replace("speculative", "zyzzyvative"));
    let r = at_copy(&["reindex", "--json"]);
    assert_eq!((count(&r, "updated"), count(&r, "unchanged")), (1, 38), "{r}");
}

#[test]
fn check_says_how_entries_were_dated_and_which_titles_repeat() {
    let s = Sandbox::empty();
    s.write("x/weekly.md", "Hello.\n");
    s.write("y/weekly.md", "Hi.\n");
    s.write("2024-05.md", "# 2024-05\n\nA month.\n");
    s.write("2026-04-16-notes.md", "---\ndate: 2026-04-16\n---\n\nA day.\n");
    let r = s.json(&["check"], 0);
    assert_eq!(
        r["dates"],
        serde_json::json!({"front_matter": 1, "heading": 1, "undated": 2}),
        "{r}"
    );
    assert_eq!(r["shared_titles"][0]["title"], "Weekly", "{r}");
    assert_eq!(strings(&r["shared_titles"][0]["entries"]), ["x/weekly", "y/weekly"]);
    let undated: Vec<&str> = r["problems"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| p["message"].as_str().unwrap().starts_with("no date"))
        .map(|p| p["path"].as_str().unwrap())
        .collect();
    assert_eq!(undated, ["x/weekly.md", "y/weekly.md"]);
}
