//! `serve --auth-file` as a process, over real sockets: 401 without credentials on every
//! page, feed and API route (not `/healthz`), Basic and bearer credentials written by
//! `archive user`, failures logged without the secret, 429 with `Retry-After` past the
//! per-client budget, a removed user refused without a restart, and the warning for a
//! public address without an auth file.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::Stdio;
use std::time::{Duration, Instant};

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use serde_json::Value;

use crate::util::{Answer, Sandbox, http_request, text};

const PASSWORD: &str = "correct horse battery";

fn basic(user: &str, password: &str) -> String {
    format!("Basic {}", STANDARD.encode(format!("{user}:{password}")))
}

/// `archive user add NAME` with the password on stdin.
pub fn add_user(s: &Sandbox, file: &Path, name: &str, password: &str) {
    use std::io::Write;
    let mut child = s
        .command()
        .args(["user", "--auth-file"])
        .arg(file)
        .args(["add", name, "--password-stdin"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    writeln!(child.stdin.take().unwrap(), "{password}").unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
}

fn user(s: &Sandbox, file: &Path, args: &[&str]) -> std::process::Output {
    s.command().args(["user", "--auth-file"]).arg(file).args(args).output().unwrap()
}

fn get(addr: &str, path: &str, authorization: Option<&str>) -> Answer {
    let headers: Vec<(&str, &str)> =
        authorization.map(|a| ("Authorization", a)).into_iter().collect();
    http_request(addr, path, &headers).unwrap()
}

fn get_from(addr: &str, path: &str, authorization: &str, client: &str) -> Answer {
    http_request(addr, path, &[("Authorization", authorization), ("X-Forwarded-For", client)])
        .unwrap()
}

#[test]
fn every_route_but_healthz_needs_credentials_and_guessing_is_limited() {
    let s = Sandbox::sample();
    s.reindex();
    let file = s.beside("users.auth");
    add_user(&s, &file, "alice", PASSWORD);
    add_user(&s, &file, "bob", "hunter2hunter2");
    let out = user(&s, &file, &["token", "alice"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let token = text(&out.stdout).trim().to_string();
    assert!(token.starts_with("alice."), "{token}");
    let listed = text(&user(&s, &file, &["list"]).stdout);
    assert_eq!(listed, "alice\tpassword\ttoken\nbob\tpassword\t\n");
    let stored = std::fs::read_to_string(&file).unwrap();
    assert!(!stored.contains(PASSWORD) && !stored.contains(&token));

    // The request log too (info): what it holds of a request must hold no secret.
    let log = s.beside("serve.log");
    let mut command = s.command();
    command
        .args(["serve", "--bind", "127.0.0.1:0", "--auth-file", file.to_str().unwrap()])
        .args(["--trusted-proxy", "127.0.0.1"])
        .env("RUST_LOG", "info")
        .stderr(std::fs::File::create(&log).unwrap());
    let server = crate::util::Server::start(command);
    let addr = server.addr();

    // Without credentials: 401 and the challenge everywhere, JSON on the API.
    for path in [
        "/",
        "/search?q=agents",
        "/entries/weekly-ai-roundup/2026-03-02",
        "/topics",
        "/topics/agents",
        "/sources",
        "/feed.atom",
        "/api/search?q=agents",
        "/api/topics",
        "/api/openapi.json",
        "/no/such/page",
    ] {
        let r = get(addr, path, None);
        assert_eq!(r.status, 401, "{path}: {}", r.body);
        assert!(r.head.contains("www-authenticate: basic realm=\"archive\""), "{path}: {}", r.head);
        assert!(
            !r.body.contains("\"hits\"") && !r.body.contains("class=\"hit"),
            "{path}: {}",
            r.body
        );
        if path.starts_with("/api/") {
            let v: Value = serde_json::from_str(&r.body).unwrap();
            assert_eq!(v["error"]["code"], "unauthorized", "{path}");
            assert!(r.head.contains("www-authenticate: bearer realm=\"archive\""), "{}", r.head);
        } else {
            assert!(r.body.contains("<h1>401"), "{path}: {}", r.body);
        }
    }
    // `/healthz` without credentials: the status, not what the archive holds.
    let health = get(addr, "/healthz", None);
    assert_eq!(health.status, 200, "{}", health.body);
    let v: Value = serde_json::from_str(&health.body).unwrap();
    assert_eq!(v, serde_json::json!({"status": "ok"}));

    // With credentials: Basic for people, the bearer token for scripts. What they read is
    // private: no cache on the way may keep it.
    let alice = basic("alice", PASSWORD);
    let r = get(addr, "/api/search?q=agents", Some(&alice));
    assert_eq!(r.status, 200, "{}", r.body);
    assert!(r.head.contains("cache-control: private, no-store"), "{}", r.head);
    let page = get(addr, "/search?q=agents", Some(&alice));
    assert!(page.head.contains("cache-control: private, no-store"), "{}", page.head);
    let health = get(addr, "/healthz", Some(&alice));
    let v: Value = serde_json::from_str(&health.body).unwrap();
    assert!(v["entries"].as_u64().unwrap() > 0, "{v}");
    let v: Value = serde_json::from_str(&r.body).unwrap();
    assert!(v["total"].as_u64().unwrap() > 0);
    assert_eq!(get(addr, "/search?q=agents", Some(&alice)).status, 200);
    assert_eq!(get(addr, "/feed.atom", Some(&alice)).status, 200);
    let bearer = format!("Bearer {token}");
    assert_eq!(get(addr, "/api/search?q=agents", Some(&bearer)).status, 200);

    // Wrong ones: 401, and the log names the user and the client, never the secret, nor a
    // name the users file does not have (a password typed in the user field).
    for wrong in [
        basic("alice", "correct horse battery!"),
        basic("mallory", PASSWORD),
        basic("Tr0ub4dor&3", ""),
        basic("alice", &token),
        format!("Bearer alice.{}", "A".repeat(43)),
    ] {
        let r = get_from(addr, "/api/search?q=agents", &wrong, "10.0.0.1");
        assert_eq!(r.status, 401, "{wrong}: {}", r.body);
    }
    // A token in the query string is refused, and its value kept out of the request log
    // (which the failure's warning carries).
    let in_query = format!("/api/search?q=agents&token={token}");
    let r = get_from(addr, &in_query, &basic("alice", "not it"), "10.0.0.9");
    assert_eq!(r.status, 401);
    let logged = std::fs::read_to_string(&log).unwrap();
    assert!(logged.contains("authentication failed"), "{logged}");
    assert!(logged.contains("10.0.0.1") && logged.contains("alice"), "{logged}");
    assert!(logged.contains("(not a user of the file)"), "{logged}");
    for secret in ["battery", &token[6..], "mallory", "Tr0ub4dor"] {
        assert!(!logged.contains(secret), "a secret in the log: {logged}");
    }

    // Guessing: 10 new credentials per client, then 429 with Retry-After, unchecked
    // (the right password too); another client, and credentials accepted before, pass.
    let mut statuses = Vec::new();
    for n in 0..8 {
        statuses
            .push(get_from(addr, "/", &basic("alice", &format!("guess {n}")), "10.0.0.1").status);
    }
    let refused = get_from(addr, "/", &basic("alice", "guess 9"), "10.0.0.1");
    assert_eq!(statuses, vec![401, 401, 401, 401, 401, 429, 429, 429], "5 wrong before, 10 in all");
    assert_eq!(refused.status, 429);
    let retry: u64 = refused
        .head
        .lines()
        .find_map(|l| l.strip_prefix("retry-after: "))
        .expect("Retry-After")
        .parse()
        .unwrap();
    assert!((1..=6).contains(&retry), "{retry}");
    assert_eq!(get_from(addr, "/", &basic("bob", "hunter2hunter2"), "10.0.0.1").status, 429);
    assert_eq!(get_from(addr, "/", &basic("bob", "hunter2hunter2"), "10.0.0.2").status, 200);
    assert_eq!(get_from(addr, "/", &alice, "10.0.0.1").status, 200, "accepted before");
    let logged = std::fs::read_to_string(&log).unwrap();
    assert!(logged.contains("too many sign-in attempts"), "{logged}");

    // A removed user is refused within seconds, without a restart.
    let bob = basic("bob", "hunter2hunter2");
    assert!(user(&s, &file, &["remove", "bob"]).status.success());
    let started = Instant::now();
    while get_from(addr, "/", &bob, "10.0.0.3").status != 401 {
        assert!(started.elapsed() < Duration::from_secs(10), "bob still let in");
        std::thread::sleep(Duration::from_millis(200));
    }
    assert_eq!(get(addr, "/", Some(&alice)).status, 200);
}

#[test]
fn bad_users_files_and_passwords_are_refused_clearly() {
    let s = Sandbox::sample();
    s.reindex();
    let file = s.beside("users.auth");
    let out = s
        .command()
        .args(["user", "--auth-file"])
        .arg(&file)
        .args(["add", "alice", "--password-stdin"])
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("the password is 0 characters; at least 8"),
        "{}",
        text(&out.stderr)
    );
    assert!(!file.exists(), "nothing written");
    let out = user(&s, &file, &["token", "nobody"]);
    assert!(text(&out.stderr).contains("there is no user `nobody`"), "{}", text(&out.stderr));

    add_user(&s, &file, "alice", PASSWORD);
    let mut lines = std::fs::read_to_string(&file).unwrap();
    lines.push_str("bob:hunter2\n");
    std::fs::write(&file, lines).unwrap();
    let out = s
        .command()
        .args(["serve", "--bind", "127.0.0.1:0", "--auth-file"])
        .arg(&file)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = text(&out.stderr);
    assert!(err.contains("users.auth:3: expected `name:password:hash`"), "{err}");
    assert!(!err.contains("checksums"), "the file is read before anything else: {err}");
}

#[test]
fn a_public_address_without_an_auth_file_is_warned_about() {
    let s = Sandbox::sample();
    s.reindex();
    let mut child = s
        .command()
        .args(["serve", "--bind", "0.0.0.0:0"])
        .env("RUST_LOG", "off")
        .env_remove("ARCHIVE_AUTH_FILE")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).unwrap();
    assert!(line.contains("serving http://0.0.0.0:"), "{line}");
    child.kill().unwrap();
    let out = child.wait_with_output().unwrap();
    let err = text(&out.stderr);
    assert!(
        err.contains("warning: serving on 0.0.0.0:0 without --auth-file: anyone who can reach this address can read the archive"),
        "{err}"
    );
    // On loopback, no warning.
    let mut quiet = s.serve_logging(&[], Stdio::piped());
    quiet.child.kill().unwrap();
    let mut err = String::new();
    std::io::Read::read_to_string(&mut quiet.child.stderr.take().unwrap(), &mut err).unwrap();
    assert!(!err.contains("without --auth-file"), "{err}");
}
