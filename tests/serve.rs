//! `archive serve` as a process: it picks up a `reindex` run from another shell without
//! a restart or a failed request, reindexes by itself with `--watch`, and shuts down
//! gracefully on SIGTERM. What it remembers per commit (stories read) follows the next one.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::util::{Sandbox, Server, http_get as get};

fn total(addr: &str, q: &str) -> u64 {
    let (status, body) = get(addr, &format!("/api/search?q={q}")).unwrap();
    assert_eq!(status, 200, "{body}");
    let v: Value = serde_json::from_str(&body).unwrap();
    v["total"].as_u64().unwrap()
}

fn wait_for(what: &str, limit: Duration, ready: impl FnMut() -> bool) -> Duration {
    within(limit, ready).unwrap_or_else(|| panic!("{what}: not within {limit:?}"))
}

/// How long until `ready`, if it is within `limit`.
fn within(limit: Duration, mut ready: impl FnMut() -> bool) -> Option<Duration> {
    let started = Instant::now();
    while started.elapsed() < limit {
        if ready() {
            return Some(started.elapsed());
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    None
}

#[test]
fn a_reindex_from_another_shell_is_picked_up_without_failed_requests() {
    let s = Sandbox::sample();
    s.reindex();
    let server = s.serve(&[]);
    assert_eq!(total(server.addr(), "capybara"), 0);

    // A steady stream of searches while the archive changes and is reindexed.
    let stop = Arc::new(AtomicBool::new(false));
    let (ok, failed) = (Arc::new(AtomicUsize::new(0)), Arc::new(AtomicUsize::new(0)));
    let load = {
        let (addr, stop, ok, failed) =
            (server.addr().to_string(), stop.clone(), ok.clone(), failed.clone());
        std::thread::spawn(move || {
            while !stop.load(Ordering::Relaxed) {
                match get(&addr, "/api/search?q=agents&per_page=5") {
                    Ok((200, _)) => ok.fetch_add(1, Ordering::Relaxed),
                    _ => failed.fetch_add(1, Ordering::Relaxed),
                };
            }
        })
    };
    for round in 0..3 {
        s.write(
            &format!("new/2026-06-0{}-capybara.md", round + 1),
            format!("## Capybara {round}\n\nA capybara digest.\n"),
        );
        if round == 1 {
            s.remove("friday-notes/issue-01.md");
        }
        let out = s.run(&["reindex"]);
        assert!(out.status.success());
        let took = wait_for("the new entry", Duration::from_secs(5), || {
            total(server.addr(), "capybara") == round as u64 + 1
        });
        eprintln!("reindex picked up by the server in {took:?}");
    }
    stop.store(true, Ordering::Relaxed);
    load.join().unwrap();
    assert_eq!(failed.load(Ordering::Relaxed), 0, "failed requests during reindex");
    assert!(ok.load(Ordering::Relaxed) > 10);
    assert_eq!(total(server.addr(), "%22leaked+system+prompt%22"), 0, "the removed entry is gone");
}

#[test]
fn an_index_behind_the_archive_is_served_at_once_and_caught_up() {
    let s = Sandbox::sample();
    s.reindex();
    s.write("late/2026-06-20.md", "## Late\n\nA pangolin arrived while the server was down.\n");
    let server = s.serve(&[]);
    wait_for("the background reindex", Duration::from_secs(10), || {
        total(server.addr(), "pangolin") == 1
    });
}

#[test]
fn watch_reindexes_by_itself_and_sigterm_shuts_down() {
    let s = Sandbox::sample();
    let mut server = s.serve(&["--watch"]);
    assert_eq!(total(server.addr(), "axolotl"), 0);
    s.write("watched/2026-06-10.md", "## Axolotl news\n\nAn axolotl benchmark.\n");
    wait_for("the watcher's reindex", Duration::from_secs(10), || {
        total(server.addr(), "axolotl") == 1
    });

    let pid = server.child.id().to_string();
    assert!(std::process::Command::new("kill").args(["-TERM", &pid]).status().unwrap().success());
    let started = Instant::now();
    loop {
        if let Some(status) = server.child.try_wait().unwrap() {
            assert!(status.success(), "{status}");
            break;
        }
        assert!(started.elapsed() < Duration::from_secs(5), "no shutdown after SIGTERM");
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// `serve --watch` left alone reindexes nothing (before: about four runs a second, each
/// set off by the reads of the one before); a run that keeps failing is tried again
/// after longer and longer pauses (before: four times a second at 180% CPU), and
/// `/healthz` says so until a run succeeds.
#[test]
fn watch_sees_changes_only_and_backs_off_from_a_failing_reindex() {
    let s = Sandbox::sample();
    s.reindex();
    let log = s.beside("serve.log");
    let server = s.serve_logging(&["--watch"], std::fs::File::create(&log).unwrap());
    let said = |what: &str| std::fs::read_to_string(&log).unwrap().matches(what).count();
    let health = || -> Value {
        let (status, body) = get(server.addr(), "/healthz").unwrap();
        assert_eq!(status, 200, "{body}");
        serde_json::from_str(&body).unwrap()
    };
    // A search reads the index; nothing in the archive changes.
    assert!(total(server.addr(), "agents") > 0);
    std::thread::sleep(Duration::from_secs(3));
    assert_eq!(said("archive changed"), 0, "{}", std::fs::read_to_string(&log).unwrap());
    assert_eq!(said("reindexed"), 0);

    // A broken taxonomy: every run fails until it is mended.
    s.write(
        "taxonomy.toml",
        "[topics
this is not toml",
    );
    wait_for("the failing run", Duration::from_secs(10), || said("reindex failed") >= 1);
    std::thread::sleep(Duration::from_secs(4));
    let failures = said("reindex failed");
    assert!((2..=4).contains(&failures), "{failures} runs in about 4 s");
    let h = health();
    assert_eq!(h["status"], "degraded", "{h}");
    let reindex = h["reindex"].as_str().unwrap();
    assert!(reindex.starts_with("failing since ") && reindex.contains("taxonomy.toml"), "{h}");
    // Searches go on from the index as it was.
    assert!(total(server.addr(), "agents") > 0);

    s.remove("taxonomy.toml");
    s.write("watched/2026-06-11.md", "## Okapi news\n\nAn okapi benchmark.\n");
    wait_for("the mended run", Duration::from_secs(20), || total(server.addr(), "okapi") == 1);
    let h = health();
    assert_eq!((h["status"].as_str(), h.get("reindex")), (Some("ok"), None), "{h}");
}

/// An archive folder replaced by another of the same name is watched anew (before: the
/// watcher followed the old folder, and changes went unseen).
#[test]
fn watch_follows_an_archive_folder_that_is_replaced() {
    let s = Sandbox::sample();
    s.reindex();
    // Its log, shown if a change goes unseen (once in CI, the second).
    let log = s.beside("serve.log");
    let mut command = s.command();
    command.args(["serve", "--bind", "127.0.0.1:0", "--watch"]).env("RUST_LOG", "info");
    command.stderr(std::fs::File::create(&log).unwrap());
    let server = Server::start(command);
    let wait_for = |what: &str, ready: &dyn Fn() -> bool| {
        let limit = Duration::from_secs(15);
        if within(limit, ready).is_none() {
            let said = std::fs::read_to_string(&log).unwrap();
            panic!("{what}: not within {limit:?}; the server's log:\n{said}");
        }
    };
    let old = s.beside("archive.old");
    std::fs::rename(&s.archive, &old).unwrap();
    let copied = std::process::Command::new("cp").arg("-r").arg(&old).arg(&s.archive).status();
    assert!(copied.unwrap().success());
    s.write("new/2026-06-12.md", "## Narwhal news\n\nA narwhal benchmark.\n");
    wait_for("the new folder's digest", &|| total(server.addr(), "narwhal") == 1);
    s.write("new/2026-06-13.md", "## Quokka news\n\nA quokka benchmark.\n");
    wait_for("a change in the new folder", &|| total(server.addr(), "quokka") == 1);
}

/// One raw GET: the status line and headers, and the body.
fn raw_get(addr: &str, path: &str) -> (String, String) {
    use std::io::{Read, Write};
    let mut stream = std::net::TcpStream::connect(addr).unwrap();
    stream.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    write!(stream, "GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n").unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    let (head, body) = response.split_once("\r\n\r\n").unwrap();
    (head.to_ascii_lowercase(), body.to_string())
}

#[test]
fn past_its_limit_the_server_answers_503_with_retry_after_at_once() {
    let s = Sandbox::sample();
    s.reindex();
    let server = s.serve(&["--max-in-flight", "1"]);
    let addr = server.addr().to_string();
    let threads: Vec<_> = (0..16)
        .map(|_| {
            let addr = addr.clone();
            std::thread::spawn(move || {
                (0..25).map(|_| raw_get(&addr, "/api/search?q=agents+memory")).collect::<Vec<_>>()
            })
        })
        .collect();
    let replies: Vec<(String, String)> =
        threads.into_iter().flat_map(|t| t.join().unwrap()).collect();
    let (mut ok, mut shed) = (0, 0);
    for (head, body) in &replies {
        if head.starts_with("http/1.1 200") {
            ok += 1;
        } else {
            assert!(head.starts_with("http/1.1 503"), "{head}\n{body}");
            assert!(head.contains("\r\nretry-after: 1"), "{head}");
            let v: Value = serde_json::from_str(body).unwrap();
            assert_eq!(v["error"]["code"], "overloaded");
            shed += 1;
        }
    }
    println!("{ok} answered, {shed} shed with 503");
    assert!(ok > 0 && shed > 0, "{ok} answered, {shed} shed");
    // Once the burst is over, requests are answered again.
    assert!(raw_get(&addr, "/api/search?q=agents").0.starts_with("http/1.1 200"));
}

/// Sends raw bytes; the status line of the answer ("" when the server closed silently).
fn raw_status(addr: &str, request: &[u8]) -> String {
    raw_response(addr, request).lines().next().unwrap_or("").to_string()
}

/// Sends raw bytes; the whole answer, read until the server closes.
fn raw_response(addr: &str, request: &[u8]) -> String {
    use std::io::{Read, Write};
    let mut stream = std::net::TcpStream::connect(addr).unwrap();
    stream.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
    // The server may answer and close before the whole request is written.
    let _ = stream.write_all(request);
    let mut response = vec![];
    let _ = stream.read_to_end(&mut response);
    String::from_utf8_lossy(&response).into_owned()
}

#[test]
fn oversized_request_heads_are_refused_and_slow_clients_are_cut_off() {
    let s = Sandbox::sample();
    s.reindex();
    let server = s.serve(&[]);
    let addr = server.addr().to_string();
    let big_header =
        [b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: ".as_slice(), &[b'a'; 200_000], b"\r\n\r\n"]
            .concat();
    assert_eq!(raw_status(&addr, &big_header), "HTTP/1.1 431 Request Header Fields Too Large");
    let many: String = (0..500).map(|i| format!("X-{i}: a\r\n")).collect();
    let many_headers = format!("GET /healthz HTTP/1.1\r\nHost: x\r\n{many}\r\n");
    assert_eq!(
        raw_status(&addr, many_headers.as_bytes()),
        "HTTP/1.1 431 Request Header Fields Too Large"
    );
    let long_uri = format!("GET /api/search?q={} HTTP/1.1\r\nHost: x\r\n\r\n", "a".repeat(100_000));
    assert_eq!(raw_status(&addr, long_uri.as_bytes()), "HTTP/1.1 414 URI Too Long");

    // A client that never finishes its request head is answered 408 and disconnected
    // after 10 s, while others are answered meanwhile.
    let slow = {
        let addr = addr.clone();
        std::thread::spawn(move || {
            let started = Instant::now();
            let response = raw_response(&addr, b"GET /healthz HTTP/1.1\r\nHost: x\r\n");
            (response, started.elapsed())
        })
    };
    std::thread::sleep(Duration::from_millis(200));
    assert_eq!(get(&addr, "/healthz").unwrap().0, 200);
    let (response, after) = slow.join().unwrap();
    assert!(response.starts_with("HTTP/1.1 408 Request Timeout\r\n"), "{response}");
    assert!(
        response.ends_with(
            r#""code":"request_timeout","message":"the request head did not arrive within 10 s"}}"#
        ),
        "{response}"
    );
    assert!(after >= Duration::from_secs(9) && after < Duration::from_secs(15), "{after:?}");
    println!("a half-sent request was answered 408 after {after:?}");
}

#[test]
fn under_repeated_reindexes_every_answer_shows_whole_entries() {
    let s = Sandbox::sample();
    // Each churn digest has four items, all with the marker word.
    let digest = |k: usize, edit: usize| {
        (0..4)
            .map(|i| format!("## Wombatmarker item {i} of {k}, revision {edit}\n\nText {i}.\n\n"))
            .collect::<String>()
    };
    for k in 0..3 {
        s.write(&format!("churn/{k}.md"), digest(k, 0));
    }
    s.reindex();
    let server = s.serve(&[]);
    let stop = Arc::new(AtomicBool::new(false));
    let load = {
        let (addr, stop) = (server.addr().to_string(), stop.clone());
        std::thread::spawn(move || {
            let (mut answers, mut failed, mut torn) = (0, 0, vec![]);
            while !stop.load(Ordering::Relaxed) {
                match get(&addr, "/api/search?q=wombatmarker&per_page=100") {
                    Ok((200, body)) => {
                        answers += 1;
                        let v: Value = serde_json::from_str(&body).unwrap();
                        let mut per_entry = std::collections::HashMap::<String, usize>::new();
                        for hit in v["hits"].as_array().unwrap() {
                            *per_entry
                                .entry(hit["entry_id"].as_str().unwrap().into())
                                .or_default() += 1;
                        }
                        if per_entry.values().any(|&n| n != 4) {
                            torn.push(per_entry);
                        }
                    }
                    _ => failed += 1,
                }
            }
            (answers, failed, torn)
        })
    };
    // Add one, edit one, remove one, reindex: twenty times.
    for round in 0..20 {
        s.write(&format!("churn/{}.md", round + 3), digest(round + 3, 0));
        s.write(&format!("churn/{}.md", round + 1), digest(round + 1, round + 1));
        s.remove(&format!("churn/{round}.md"));
        s.reindex();
    }
    std::thread::sleep(Duration::from_millis(300));
    stop.store(true, Ordering::Relaxed);
    let (answers, failed, torn) = load.join().unwrap();
    println!("{answers} answers during 20 reindexes, {failed} failed, {} torn", torn.len());
    assert_eq!(failed, 0);
    assert!(torn.is_empty(), "entries with some of their items: {:?}", &torn[..torn.len().min(3)]);
    assert!(answers >= 20, "{answers}");
    assert_eq!(total(server.addr(), "wombatmarker"), 12);
}

/// A running server remembers the stories it has read for one commit only: after a
/// reindex from another shell adds a mention, every hit shows the story with it.
#[test]
fn stories_a_server_has_shown_follow_the_next_commit() {
    let s = Sandbox::empty();
    let day = |d: u32| {
        s.write(
            &format!("daily/2026-07-{d:02}.md"),
            format!("# Daily, July {d}\n\n## Otterquill, day {d}\n\nThe [otterquill thread](https://forum.example/t/otterquill) again, day {d}.\n"),
        );
    };
    day(1);
    day(2);
    s.reindex();
    let server = s.serve(&[]);
    let stories = || -> Vec<Value> {
        let (status, body) = get(server.addr(), "/api/search?q=otterquill").unwrap();
        assert_eq!(status, 200, "{body}");
        let v: Value = serde_json::from_str(&body).unwrap();
        v["hits"].as_array().unwrap().iter().map(|h| h["story"].clone()).collect()
    };
    let before = stories();
    assert_eq!(before.len(), 2);
    assert!(before.iter().all(|st| st["entries"] == 2 && st["last_seen"] == "2026-07-02"));
    day(5);
    s.reindex();
    wait_for("the third mention", Duration::from_secs(10), || {
        total(server.addr(), "otterquill") == 3
    });
    let after = stories();
    assert!(
        after.iter().all(|st| st["entries"] == 3 && st["last_seen"] == "2026-07-05"),
        "{after:?}"
    );
}

/// Every link to an entry that the pages and the feed give, for digests whose names hold a
/// space, a plus, a percent sign, a hash, a question mark, an ampersand, quotes or letters
/// beyond ASCII, opens that entry.
#[test]
fn every_link_to_an_oddly_named_entry_opens_it() {
    let s = Sandbox::empty();
    let names = [
        "odd dir/a b.md",
        "c++ & more.md",
        "100% done.md",
        "hash#tag.md",
        "what?.md",
        "\"quoted\" 'single'.md",
        "ünïcödé/日本語.md",
    ];
    for (n, name) in names.iter().enumerate() {
        s.write(
            name,
            format!("---\ntitle: Odd {n}\ndate: 2026-03-{:02}\n---\n\n## Oddities {n}\n\nSomething odd, number {n}.\n", n + 1),
        );
    }
    s.reindex();
    let server = s.serve(&[]);
    let links = |page: &str| -> Vec<String> {
        let mut found = vec![];
        for quote in ["href=\"", "href='"] {
            for part in page.split(quote).skip(1) {
                let end = part.find(['"', '\'']).unwrap();
                let link = part[..end].replace("&amp;", "&");
                let link = link.strip_prefix("http://localhost").unwrap_or(&link).to_string();
                let path = link.split('#').next().unwrap().to_string();
                if path.starts_with("/entries/") {
                    found.push(path);
                }
            }
        }
        found
    };
    let (status, page) = get(server.addr(), "/search?q=oddities").unwrap();
    assert_eq!(status, 200);
    let mut followed = links(&page);
    let (status, feed) = get(server.addr(), "/feed.atom?q=oddities").unwrap();
    assert_eq!(status, 200, "{feed}");
    followed.extend(links(&feed));
    assert!(followed.len() >= 2 * names.len(), "{followed:?}");
    let (mut seen, mut titles) =
        (std::collections::BTreeSet::new(), std::collections::BTreeSet::new());
    while let Some(path) = followed.pop() {
        if !seen.insert(path.clone()) {
            continue;
        }
        let (status, entry) = get(server.addr(), &path).unwrap();
        assert_eq!(status, 200, "{path}");
        let title = entry.split("<h1").nth(1).and_then(|h| h.split('<').next()).unwrap_or("");
        titles.insert(title.to_string());
        // Its neighbours and related entries.
        followed.extend(links(&entry).into_iter().filter(|l| !l.contains('?')));
    }
    assert_eq!(titles.len(), names.len(), "{titles:?}");
}

/// An entry over 4 MB is searched like any other, but its page and JSON answer 413 at
/// once, naming its size (before: 16 requests for a 31 MB digest took 2 GB and 408s).
#[test]
fn an_entry_too_large_to_show_answers_413_and_its_items_are_found() {
    let s = Sandbox::empty();
    let item = |n: usize| {
        format!("## Item {n}\n\n{}\n\n", "A long paragraph of filler words. ".repeat(40))
    };
    let body: String = (0..3_600).map(item).collect();
    s.write(
        "huge.md",
        format!("# A huge digest\n\nDate: 2026-01-01\n\n## Wombat news\n\nA wombat.\n\n{body}"),
    );
    s.write(
        "small.md",
        "# A small digest\n\nDate: 2026-01-02\n\n## Wombat too\n\nAnother wombat.\n",
    );
    s.reindex();
    let server = s.serve(&[]);
    assert_eq!(total(server.addr(), "wombat"), 2);
    let (status, body) = get(server.addr(), "/api/entries/huge").unwrap();
    assert_eq!(status, 413, "{}", &body[..body.len().min(300)]);
    let v: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(v["error"]["code"], "entry_too_large", "{v}");
    assert!(v["error"]["message"].as_str().unwrap().contains("MB of Markdown"), "{v}");
    let (status, page) = get(server.addr(), "/entries/huge").unwrap();
    assert_eq!(status, 413);
    assert!(page.contains("more than the 4 MB"), "{}", &page[..page.len().min(500)]);
    let (status, _) = get(server.addr(), "/entries/small").unwrap();
    assert_eq!(status, 200);
}

/// The CPU time `archive serve` has used so far, in clock ticks (user and system).
fn cpu_ticks(server: &crate::util::Server) -> u64 {
    let stat = std::fs::read_to_string(format!("/proc/{}/stat", server.child.id())).unwrap();
    // Past the command's name in parentheses: state is field 3, utime 14, stime 15.
    let fields: Vec<&str> = stat.rsplit_once(')').unwrap().1.split_whitespace().collect();
    fields[11].parse::<u64>().unwrap() + fields[12].parse::<u64>().unwrap()
}

/// Four GETs of a large entry page at once; their statuses and the server's CPU time
/// from their start until `settled` and the server is idle again.
fn burst(server: &crate::util::Server, settled: impl Fn() -> bool) -> (Vec<u16>, u64) {
    let before = cpu_ticks(server);
    let threads: Vec<_> = (0..4)
        .map(|_| {
            let addr = server.addr().to_string();
            std::thread::spawn(move || get(&addr, "/entries/big").unwrap().0)
        })
        .collect();
    let statuses = threads.into_iter().map(|t| t.join().unwrap()).collect();
    wait_for("the burst's work to end", Duration::from_secs(20), &settled);
    // Then until the server is idle: no CPU time used for 300 ms.
    let mut last = cpu_ticks(server);
    wait_for("the server to be idle", Duration::from_secs(60), || {
        std::thread::sleep(Duration::from_millis(300));
        let now = cpu_ticks(server);
        std::mem::replace(&mut last, now) == now
    });
    (statuses, last - before)
}

/// Issue 30, fault 5: the work of a request answered 408 stops with it, rather than
/// holding the cores for as long as its answer would have taken.
#[test]
fn the_work_of_a_request_that_timed_out_stops_with_it() {
    let s = Sandbox::empty();
    let mut text = String::from("# Big digest\n\nDate: 2026-01-05\n\n");
    for i in 0..4200 {
        let said = format!("word{i} alpha beta gamma [link](https://example.com/{i}) ").repeat(8);
        let (open, close) = ("<div>".repeat(40), "</div>".repeat(40));
        text.push_str(&format!("## Item {i}\n\n{open}{said}{close}\n\n"));
    }
    s.write("big.md", &text);
    s.reindex();

    // The whole work: four answers.
    let server = s.serve(&[]);
    let (statuses, whole) = burst(&server, || true);
    assert_eq!(statuses, [200; 4]);
    drop(server);

    // Answered 408 after 50 ms: each running request's work stops within a step.
    let log = s.beside("serve.log");
    let server =
        s.serve_logging(&["--request-timeout", "0.05"], std::fs::File::create(&log).unwrap());
    let stopped = || {
        let log = std::fs::read_to_string(&log).unwrap_or_default();
        log.lines().filter(|l| l.contains("the work of an abandoned request stopped")).count()
    };
    let (statuses, cut) = burst(&server, || stopped() >= 1);
    assert_eq!(statuses, [408; 4]);
    eprintln!("CPU ticks: whole work {whole}, abandoned at 50 ms {cut}");
    assert!(
        cut * 2 < whole,
        "the abandoned work took {cut} ticks of CPU, the whole work {whole}:\n{}",
        std::fs::read_to_string(&log).unwrap()
    );
    // Bad values are refused by name.
    let out = s.run(&["serve", "--request-timeout", "0"]);
    assert!(!out.status.success());
    assert!(crate::util::text(&out.stderr).contains("--request-timeout"));
}
