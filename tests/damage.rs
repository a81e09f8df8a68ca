//! A damaged index: every file of a built index damaged in each of the six ways Lucene's
//! test directory damages files after a power loss (deleted, zeroed, half-truncated,
//! one bit flipped, emptied, untouched). Each time `search` answers as before or says
//! the index is damaged (never a panic, never different results that `check` misses),
//! and `reindex --full` brings back exactly the original answers.

use std::path::Path;
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::util::{Sandbox, hit_ids, http_get, text};

/// Queries whose answers must survive (or be restored after) any damage.
const QUERIES: [&str; 5] =
    ["speculative decoding", "agents", "topic:agents", "source:LessWrong", "memory -agents"];

#[derive(Debug, Clone, Copy)]
enum Damage {
    Deleted,
    Zeroed,
    HalfTruncated,
    BitFlipped,
    Emptied,
    Untouched,
}

const DAMAGES: [Damage; 6] = [
    Damage::Deleted,
    Damage::Zeroed,
    Damage::HalfTruncated,
    Damage::BitFlipped,
    Damage::Emptied,
    Damage::Untouched,
];

fn damage(path: &Path, how: Damage) {
    let len = std::fs::metadata(path).unwrap().len();
    match how {
        Damage::Deleted => std::fs::remove_file(path).unwrap(),
        Damage::Zeroed => std::fs::write(path, vec![0u8; len as usize]).unwrap(),
        Damage::HalfTruncated => std::fs::File::options()
            .write(true)
            .open(path)
            .and_then(|f| f.set_len(len / 2))
            .unwrap(),
        Damage::BitFlipped => {
            let mut bytes = std::fs::read(path).unwrap();
            if !bytes.is_empty() {
                let at = bytes.len() / 3;
                bytes[at] ^= 0x10;
            }
            std::fs::write(path, bytes).unwrap();
        }
        Damage::Emptied => std::fs::write(path, b"").unwrap(),
        Damage::Untouched => {}
    }
}

/// Every query's total and hit ids, as `archive search --json` gives them.
fn answers(s: &Sandbox) -> Vec<(u64, Vec<String>)> {
    QUERIES
        .iter()
        .map(|q| {
            let v = s.search(q);
            (v["total"].as_u64().unwrap(), hit_ids(&v))
        })
        .collect()
}

/// Like [`answers`], or the error a search printed (never a panic).
fn try_answers(s: &Sandbox) -> Result<Vec<(u64, Vec<String>)>, String> {
    let mut found = vec![];
    for q in QUERIES {
        let out = s.run(&["search", "--json", "--limit", "100", "--", q]);
        let stderr = text(&out.stderr);
        if !matches!(out.status.code(), Some(0 | 1)) {
            // A panic inside Tantivy on a flipped bit is caught and reported as damage
            // (its message still goes to stderr): never a crash.
            assert_eq!(out.status.code(), Some(2), "{q}: {stderr}");
            return Err(stderr);
        }
        assert!(!stderr.contains("panicked"), "{q}: {stderr}");
        let v: Value = serde_json::from_slice(&out.stdout).unwrap();
        found.push((v["total"].as_u64().unwrap(), hit_ids(&v)));
    }
    Ok(found)
}

fn copy_index(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for f in std::fs::read_dir(from).unwrap() {
        let f = f.unwrap();
        std::fs::copy(f.path(), to.join(f.file_name())).unwrap();
    }
}

/// The files of an index worth damaging: its metadata and every file of one segment.
fn files_to_damage(index: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(index)
        .unwrap()
        .map(|f| f.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| !n.ends_with(".lock"))
        .collect();
    names.sort();
    // A segment with deletions if there is one, so that its .del file is damaged too.
    let file = names.iter().find(|n| n.ends_with(".del") || n.ends_with(".store")).unwrap();
    let segment = file.split('.').next().unwrap().to_string();
    names.retain(|n| n.starts_with('.') || n == "meta.json" || n.starts_with(&segment));
    names
}

/// `archive check --json`: exit 1 when the index is damaged, else 0 (also when it is
/// missing: there is nothing to check).
fn check(s: &Sandbox) -> Value {
    let out = s.run(&["check", "--json"]);
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let expected = if v["index"]["status"] == "damaged" { 1 } else { 0 };
    assert_eq!(out.status.code(), Some(expected), "{v}");
    v
}

#[test]
fn every_damage_is_answered_as_before_or_reported_and_full_reindex_recovers() {
    let base = Sandbox::sample();
    base.reindex();
    let expected = answers(&base);
    let files = files_to_damage(&base.index);
    assert!(files.len() >= 8, "{files:?}");

    let mut outcomes = std::collections::BTreeMap::<&str, usize>::new();
    for file in &files {
        for how in DAMAGES {
            let case = format!("{file} {how:?}");
            let s = Sandbox::over(&base.archive);
            copy_index(&base.index, &s.index);
            damage(&s.index.join(file), how);

            let checked = check(&s);
            let check_ok = checked["index"]["status"] == "ok";
            match try_answers(&s) {
                // Answers as before, or the check names the damage.
                Ok(found) if found == expected => {
                    let outcome = if check_ok {
                        "as before, check ok"
                    } else {
                        "as before, check reports damage"
                    };
                    *outcomes.entry(outcome).or_default() += 1;
                }
                Ok(_) => {
                    assert!(!check_ok, "{case}: different answers, check says ok");
                    *outcomes.entry("different answers, check reports damage").or_default() += 1;
                }
                Err(stderr) => {
                    // Damage, or (meta.json deleted) no commit at all.
                    assert!(
                        stderr.contains("damaged") && stderr.contains("reindex --full")
                            || stderr.contains("no index at"),
                        "{case}: {stderr}"
                    );
                    assert!(!check_ok, "{case}: search says damaged, check says ok");
                    *outcomes.entry("search reports damage").or_default() += 1;
                }
            }
            if !check_ok && !file.starts_with('.') && file != "meta.json" {
                let message = checked["index"]["message"].as_str().unwrap();
                assert!(message.contains("damaged") && message.contains(file), "{case}: {message}");
            }

            // A plain reindex either works or refuses with the same clear message.
            let plain = s.run(&["reindex"]);
            let stderr = text(&plain.stderr);
            assert!(
                plain.status.success() || stderr.contains("reindex --full"),
                "{case}: {stderr}"
            );
            s.json(&["reindex", "--full"], 0);
            assert_eq!(answers(&s), expected, "{case}: after reindex --full");
            assert_eq!(check(&s)["index"]["status"], "ok", "{case}");
        }
    }
    println!("{} damaged copies: {outcomes:?}", files.len() * DAMAGES.len());
}

#[test]
fn the_server_reports_a_damaged_index_in_healthz_and_rebuilds_one_that_does_not_open() {
    let s = Sandbox::sample();
    s.reindex();
    let expected = answers(&s);

    // A flipped bit opens fine, but fails its checksum: /healthz turns unhealthy.
    let store = std::fs::read_dir(&s.index)
        .unwrap()
        .map(|f| f.unwrap().path())
        .find(|p| p.extension().is_some_and(|e| e == "store"))
        .unwrap();
    damage(&store, Damage::BitFlipped);
    let server = s.serve(&[]);
    let started = Instant::now();
    let body = loop {
        let (status, body) = http_get(server.addr(), "/healthz").unwrap();
        if status == 503 {
            break body;
        }
        assert_eq!(status, 200, "{body}");
        assert!(started.elapsed() < Duration::from_secs(10), "never unhealthy: {body}");
        std::thread::sleep(Duration::from_millis(20));
    };
    let v: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(v["status"], "unhealthy");
    assert_eq!(v["error"]["code"], "index_damaged");
    let message = v["error"]["message"].as_str().unwrap();
    let name = store.file_name().unwrap().to_str().unwrap();
    assert!(message.contains(name) && message.contains("reindex --full"), "{message}");
    drop(server);

    // Metadata that does not parse: the server rebuilds the index before serving.
    std::fs::write(s.index.join("meta.json"), b"{garbage").unwrap();
    let server = s.serve(&[]);
    let (status, body) = http_get(server.addr(), "/healthz").unwrap();
    assert_eq!(status, 200, "{body}");
    drop(server);
    assert_eq!(answers(&s), expected);
}
