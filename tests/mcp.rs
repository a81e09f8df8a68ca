//! `archive mcp` driven by a real MCP client this project did not write: the official
//! Python SDK (`mcp`, in the virtual environment `.ci/run` makes; `ARCHIVE_TEST_PYTHON`
//! names another interpreter). `tests/mcp/client.py` lists the tools and resources,
//! makes the calls asked for and prints what it got; the answers are checked against
//! the JSON API's for the same input.

use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Stdio};

use serde_json::{Value, json};

use crate::util::{Sandbox, http_get};

/// The Python that has the `mcp` package.
fn python() -> PathBuf {
    if let Some(path) = std::env::var_os("ARCHIVE_TEST_PYTHON") {
        return path.into();
    }
    let venv = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/mcp-venv/bin/python");
    assert!(
        venv.exists(),
        "no Python with the MCP SDK at {}: run `python3 -m venv target/mcp-venv && target/mcp-venv/bin/pip install mcp==2.3.0` (as .ci/run does), or set ARCHIVE_TEST_PYTHON",
        venv.display()
    );
    venv
}

/// Runs the client (`mode` and its arguments) with `plan` (calls and reads).
fn client(args: &[&std::ffi::OsStr], plan: &Value) -> Value {
    let script = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/mcp/client.py");
    let mut child = Command::new(python())
        .arg(script)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(plan.to_string().as_bytes()).unwrap();
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "the MCP client failed:\n{stderr}");
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}: {stderr}"))
}

/// The client against `archive mcp` on stdio.
fn over_stdio(s: &Sandbox, extra: &[&str], plan: &Value) -> Value {
    let mut args: Vec<&std::ffi::OsStr> =
        vec!["stdio".as_ref(), env!("CARGO_BIN_EXE_archive").as_ref(), "--index".as_ref()];
    args.push(s.index.as_os_str());
    args.push("mcp".as_ref());
    args.extend(extra.iter().map(std::ffi::OsStr::new));
    client(&args, plan)
}

/// The JSON API's answer to a GET.
fn api(addr: &str, path: &str) -> (u16, Value) {
    let (status, body) = http_get(addr, path).unwrap();
    (status, serde_json::from_str(&body).unwrap_or_else(|e| panic!("{path}: {e}: {body}")))
}

#[test]
fn an_assistant_searches_opens_entries_and_follows_stories_over_stdio() {
    let s = Sandbox::sample();
    s.reindex();
    let server = s.serve(&[]);
    let addr = server.addr();
    let (_, found) = api(addr, "/api/search?q=agents+memory");
    let with_story = found["hits"]
        .as_array()
        .unwrap()
        .iter()
        .find(|h| h["story"].is_object())
        .expect("a hit with a story")
        .clone();
    let (entry_id, anchor) =
        (with_story["entry_id"].as_str().unwrap(), with_story["anchor"].as_str().unwrap());
    let story_id = with_story["story"]["id"].as_str().unwrap();
    let plan = json!({
        "calls": [
            ["search", {"q": "agents memory"}],
            ["search", {"q": "agents memory", "per_page": 1000}],
            ["search", {"q": "agents", "per_page": "many"}],
            ["no_such_tool", {}],
            ["search", {"q": "zebraxylophone topic:agents"}],
            ["get_entry", {"id": entry_id}],
            ["get_entry", {"id": entry_id, "anchor": anchor}],
            ["get_entry", {"id": "no/such-entry"}],
            ["get_story", {"id": story_id}],
            ["trend", {"of": "topic", "value": "agents"}],
            ["trend", {"of": "author", "value": "agents"}],
            ["facets", {}],
            ["facets", {"q": "topic:agents"}],
        ],
        "reads": [format!("archive://entries/{entry_id}"), "archive://entries/no/such-entry", "https://example.com/"],
    });
    let got = over_stdio(&s, &["--base-url", "http://archive.example:3000/"], &plan);
    let calls = got["calls"].as_array().unwrap();

    // Five tools, each with a schema and a description a model can choose by.
    let tools = got["tools"].as_object().unwrap();
    let names: Vec<&str> = tools.keys().map(String::as_str).collect();
    assert_eq!(names, ["facets", "get_entry", "get_story", "search", "trend"]);
    for (name, tool) in tools {
        assert!(tool["schema"]["properties"].is_object(), "{name}: {tool}");
        assert!(tool["description"].as_str().unwrap().len() > 80, "{name}: {tool}");
    }
    assert!(tools["search"]["description"].as_str().unwrap().contains("topic:"));
    assert!(got["instructions"].as_str().unwrap().contains("search"));

    // The same hits as the API, in the same order, as plain text with the words marked.
    let search = &calls[0]["structured"];
    assert_eq!(calls[0]["is_error"], false, "{}", calls[0]);
    assert_eq!(search["total"], found["total"]);
    let ids = |hits: &Value, id: &str| -> Vec<String> {
        hits.as_array()
            .unwrap()
            .iter()
            .map(|h| format!("{}#{}", h[id].as_str().unwrap(), h["anchor"].as_str().unwrap()))
            .collect()
    };
    assert_eq!(ids(&search["hits"], "entry_id"), ids(&found["hits"], "entry_id"));
    let first = &search["hits"][0];
    assert!(first["text"].as_str().unwrap().contains("**"), "{first}");
    assert!(!first["text"].as_str().unwrap().contains("<mark>"), "{first}");
    assert_eq!(first["title"], found["hits"][0]["title"]);
    assert_eq!(first["links"], found["hits"][0]["links"]);
    let url = format!(
        "http://archive.example:3000/entries/{}#{}",
        first["entry_id"].as_str().unwrap(),
        first["anchor"].as_str().unwrap()
    );
    assert_eq!(first["url"], url.as_str());

    // Bad input: the API's message as a tool error; a wrong type or an unknown tool is
    // refused by the protocol, and the server goes on answering.
    let (status, error) = api(addr, "/api/search?q=agents+memory&per_page=1000");
    assert_eq!(status, 400);
    assert_eq!(calls[1]["is_error"], true);
    assert_eq!(calls[1]["text"], error["error"]["message"]);
    assert!(calls[2]["is_error"] == true || calls[2]["protocol_error"].is_string(), "{}", calls[2]);
    assert!(calls[3]["protocol_error"].as_str().unwrap().contains("not found"), "{}", calls[3]);

    // Nothing found: what emptied it.
    let empty = &calls[4]["structured"];
    assert_eq!(empty["total"], 0);
    let why = empty["nothing_matched"].as_str().unwrap();
    assert!(
        why.contains("`zebraxylophone` matches 0 items alone") && why.contains("topic:agents"),
        "{why}"
    );

    // An entry: its Markdown as the API holds it; one item of it; an unknown id.
    let (_, entry) = api(addr, &format!("/api/entries/{entry_id}"));
    let opened = &calls[5]["structured"];
    let file = s.read(entry["path"].as_str().unwrap());
    let markdown = opened["markdown"].as_str().unwrap();
    assert!(markdown.len() > 100 && file.ends_with(markdown), "{opened}");
    assert_eq!(opened["title"], entry["title"]);
    assert!(opened["items"].as_array().unwrap().iter().any(|i| i["anchor"] == anchor));
    let item = &calls[6]["structured"];
    assert_eq!(item["title"], with_story["title"], "{item}");
    assert_eq!(item["links"], with_story["links"]);
    let (status, missing) = api(addr, "/api/entries/no/such-entry");
    assert_eq!(status, 404);
    assert_eq!(calls[7]["is_error"], true);
    assert_eq!(calls[7]["text"], missing["error"]["message"]);

    // A story: every mention, oldest first, as the API lists them.
    let (_, story) = api(addr, &format!("/api/stories/{story_id}"));
    let mentions = calls[8]["structured"]["mentions"].as_array().unwrap();
    assert_eq!(mentions.len(), story["mentions"].as_array().unwrap().len());
    assert_eq!(
        ids(&calls[8]["structured"]["mentions"], "entry_id"),
        ids(&story["mentions"], "entry_id")
    );
    let dates: Vec<&str> = mentions.iter().map(|m| m["date"].as_str().unwrap()).collect();
    assert!(dates.windows(2).all(|w| w[0] <= w[1]), "{dates:?}");

    // A trend and the vocabulary, as the API counts them.
    let (_, trend) = api(addr, "/api/topics/agents");
    let got_trend = &calls[9]["structured"];
    assert_eq!(got_trend["items"], trend["items"]);
    assert_eq!(got_trend["months"], trend["months"]);
    assert_eq!(got_trend["first_seen"], trend["first_seen"]);
    assert_eq!(calls[10]["is_error"], true);
    assert!(calls[10]["text"].as_str().unwrap().starts_with("`of`:"), "{}", calls[10]);
    let (_, all) = api(addr, "/api/search?per_page=1");
    assert_eq!(calls[11]["structured"]["topics"], all["facets"]["topics"]);
    assert_eq!(calls[11]["structured"]["sources"], all["facets"]["sources"]);
    let agents = calls[12]["structured"]["topics"].as_array().unwrap();
    assert_eq!(agents[0]["value"], "agents", "{agents:?}");

    // Resources: every entry, each readable as its Markdown.
    let (_, listed) = api(addr, "/api/search?group=entry&per_page=1");
    let resources = got["resources"].as_array().unwrap();
    assert_eq!(resources.len() as u64, listed["total_entries"].as_u64().unwrap());
    let uri = format!("archive://entries/{entry_id}");
    assert!(
        resources.iter().any(|r| r["uri"] == uri.as_str() && r["mime_type"] == "text/markdown")
    );
    let reads = got["reads"].as_array().unwrap();
    assert_eq!(reads[0]["text"], markdown);
    assert!(
        reads[1]["protocol_error"].as_str().unwrap().contains("no entry with id"),
        "{}",
        reads[1]
    );
    assert!(reads[2]["protocol_error"].as_str().unwrap().contains("not an entry"), "{}", reads[2]);
}

#[test]
fn without_an_index_the_mcp_server_says_so_and_exits() {
    let s = Sandbox::sample();
    let out = s.run(&["mcp"]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("reindex"), "{stderr}");
    assert!(out.stdout.is_empty(), "stdout is the protocol's alone");
}

#[test]
fn a_team_s_agents_reach_the_same_tools_over_http_with_a_token() {
    let s = Sandbox::sample();
    s.reindex();
    // Off unless asked.
    let plain = s.serve(&[]);
    assert_eq!(http_get(plain.addr(), "/mcp").unwrap().0, 404);
    drop(plain);

    let file = s.beside("users.auth");
    crate::auth::add_user(&s, &file, "alice", "correct horse battery");
    let out = s
        .command()
        .args(["user", "--auth-file"])
        .arg(&file)
        .args(["token", "alice"])
        .output()
        .unwrap();
    let token = String::from_utf8_lossy(&out.stdout).trim().to_string();
    let auth = file.to_str().unwrap();
    let server =
        s.serve(&["--mcp", "--auth-file", auth, "--base-url", "https://archive.example.org"]);
    let addr = server.addr();

    // Without credentials: 401 and the JSON error, as the API answers.
    let answer = crate::util::http_request(addr, "/mcp", &[]).unwrap();
    assert_eq!(answer.status, 401, "{}", answer.body);
    let error: Value = serde_json::from_str(&answer.body).unwrap();
    assert_eq!(error["error"]["code"], "unauthorized");

    // With the token: the tools answer as the API does.
    let plan = json!({
        "calls": [["search", {"q": "agents memory", "per_page": 5}], ["search", {"q": "x", "page": 0}]],
        "reads": ["archive://entries/local-models/2026-04-30"],
    });
    let url = format!("http://{addr}/mcp");
    let got = client(&["http".as_ref(), url.as_ref(), token.as_ref()], &plan);
    let bearer = format!("Bearer {token}");
    let headers = [("Authorization", bearer.as_str())];
    let api = |path: &str| -> Value {
        let answer = crate::util::http_request(addr, path, &headers).unwrap();
        serde_json::from_str(&answer.body).unwrap()
    };
    let found = api("/api/search?q=agents+memory&per_page=5");
    let hits = got["calls"][0]["structured"]["hits"].as_array().unwrap();
    let keys = |hits: &[Value]| -> Vec<String> {
        hits.iter()
            .map(|h| {
                format!("{}#{}", h["entry_id"].as_str().unwrap(), h["anchor"].as_str().unwrap())
            })
            .collect()
    };
    assert_eq!(keys(hits), keys(found["hits"].as_array().unwrap()));
    assert!(hits[0]["url"].as_str().unwrap().starts_with("https://archive.example.org/entries/"));
    let error = api("/api/search?q=x&page=0");
    assert_eq!(got["calls"][1]["is_error"], true);
    assert_eq!(got["calls"][1]["text"], error["error"]["message"]);
    assert_eq!(got["resources"].as_array().unwrap().len(), 39);
    assert!(got["reads"][0]["text"].as_str().unwrap().contains("## Releases"));
}
