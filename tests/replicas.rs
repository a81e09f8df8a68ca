//! Replicas behind Debian's nginx, run with `deploy/nginx.conf` as shipped (only the
//! ports changed), and replicas fed by `deploy/ship-index.sh`. A steady stream of searches
//! goes on while `reindex` adds, edits and removes entries again and again, one replica
//! is killed with SIGKILL and restarted, and another drains on SIGTERM and restarts:
//! no request may fail, and every answer must be consistent (the four items of an
//! entry appear and vanish together, all of one version). The figures are printed.

use std::collections::BTreeMap;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::util::{Sandbox, Server, http_get, text};

/// Items per test entry.
const ITEMS: usize = 4;
/// The query every reader sends: it matches every item of every test entry.
const QUERY: &str = "/api/search?q=quokka&per_page=100&sort=oldest";

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// nginx, or a loud skip (a failure under CI).
fn have_nginx() -> bool {
    if Path::new("/usr/sbin/nginx").exists() && Path::new("/usr/bin/rsync").exists() {
        return true;
    }
    let message = "REPLICA TESTS NOT RUN: /usr/sbin/nginx or /usr/bin/rsync is missing (apt-get install nginx rsync)";
    if std::env::var_os("CI").is_some() {
        panic!("{message}");
    }
    eprintln!("\n!!!!!!!!\n{message}\n!!!!!!!!\n");
    false
}

fn entry(n: usize, version: usize) -> String {
    let mut text = format!("---\ntitle: Quokka census {n}\ndate: 2026-07-{:02}\n---\n", n % 28 + 1);
    for i in 1..=ITEMS {
        text.push_str(&format!(
            "\n## Quokka {n} version {version} item {i}\n\nThe quokka census, part {i}, counted again.\n"
        ));
    }
    text
}

/// An `archive serve --read-only` on a fixed port; SIGKILLed when dropped.
struct Replica(Server);

impl Replica {
    fn start(index: &Path, port: u16, log: &Path) -> Replica {
        let mut command = Command::new(env!("CARGO_BIN_EXE_archive"));
        command
            .args(["--archive", "/nonexistent", "--index"])
            .arg(index)
            .args(["serve", "--read-only", "--bind", &format!("127.0.0.1:{port}")])
            .stderr(std::fs::OpenOptions::new().create(true).append(true).open(log).unwrap());
        Replica(Server::start(command))
    }

    /// SIGTERM, and the exit status once it has drained.
    fn terminate(mut self) -> std::process::ExitStatus {
        let pid = self.0.child.id().to_string();
        assert!(Command::new("kill").args(["-TERM", &pid]).status().unwrap().success());
        let started = Instant::now();
        loop {
            if let Some(status) = self.0.child.try_wait().unwrap() {
                return status;
            }
            assert!(started.elapsed() < Duration::from_secs(15), "no exit after SIGTERM");
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

/// nginx with `deploy/nginx.conf`, its ports replaced; stopped when dropped.
struct Nginx {
    child: Child,
    prefix: PathBuf,
}

impl Nginx {
    fn start(prefix: &Path, listen: u16, replicas: &[u16]) -> Nginx {
        let shipped = std::fs::read_to_string(
            Path::new(env!("CARGO_MANIFEST_DIR")).join("deploy/nginx.conf"),
        )
        .unwrap();
        assert!(
            shipped.contains("server 127.0.0.1:3001 ")
                && shipped.contains("listen 127.0.0.1:8080;")
        );
        let upstreams: String = replicas
            .iter()
            .map(|p| format!("server 127.0.0.1:{p} max_fails=1 fail_timeout=2s;\n        "))
            .collect();
        let conf = shipped
            .replace("server 127.0.0.1:3001 max_fails=1 fail_timeout=2s;\n        ", &upstreams)
            .replace("server 127.0.0.1:3002 max_fails=1 fail_timeout=2s;\n        ", "")
            .replace("listen 127.0.0.1:8080;", &format!("listen 127.0.0.1:{listen};"));
        std::fs::create_dir_all(prefix.join("logs")).unwrap();
        std::fs::create_dir_all(prefix.join("temp")).unwrap();
        let conf_path = prefix.join("nginx.conf");
        std::fs::write(&conf_path, conf).unwrap();
        let child = Command::new("/usr/sbin/nginx")
            .arg("-p")
            .arg(prefix)
            .arg("-c")
            .arg(&conf_path)
            .args(["-g", "daemon off;"])
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let nginx = Nginx { child, prefix: prefix.to_owned() };
        let started = Instant::now();
        while std::net::TcpStream::connect(("127.0.0.1", listen)).is_err() {
            assert!(
                started.elapsed() < Duration::from_secs(10),
                "nginx did not start: {}",
                nginx.errors()
            );
            std::thread::sleep(Duration::from_millis(20));
        }
        nginx
    }

    fn errors(&self) -> String {
        std::fs::read_to_string(self.prefix.join("logs/error.log")).unwrap_or_default()
    }
}

impl Drop for Nginx {
    fn drop(&mut self) {
        let _ = Command::new("kill").args(["-QUIT", &self.child.id().to_string()]).status();
        let _ = self.child.wait();
    }
}

/// What the readers saw.
#[derive(Default)]
struct Tally {
    latencies: Vec<Duration>,
    failures: Vec<String>,
    inconsistent: Vec<String>,
    /// Distinct sets of entries seen: proof the writer's changes came through.
    states: std::collections::HashSet<String>,
}

/// Whether one answer is consistent: every entry with all its items, of one version.
fn check(body: &str) -> Result<String, String> {
    let v: Value = serde_json::from_str(body).map_err(|e| format!("not JSON ({e}): {body}"))?;
    let mut entries: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for hit in v["hits"].as_array().ok_or("no hits")? {
        let title = hit["title"].as_str().unwrap_or_default();
        let version = title.split(" item ").next().unwrap_or_default().to_string();
        entries
            .entry(hit["entry_id"].as_str().unwrap_or_default().to_string())
            .or_default()
            .push(version);
    }
    if v["total"].as_u64() != Some(entries.values().map(Vec::len).sum::<usize>() as u64) {
        return Err(format!(
            "total {} but {} hits",
            v["total"],
            entries.values().map(Vec::len).sum::<usize>()
        ));
    }
    for (id, versions) in &entries {
        if versions.len() != ITEMS || versions.iter().any(|v| v != &versions[0]) {
            return Err(format!("{id}: {versions:?}"));
        }
    }
    Ok(entries.values().map(|v| v[0].clone()).collect::<Vec<_>>().join(","))
}

/// Readers sending [`QUERY`] to `addr` until stopped.
fn readers(
    addr: String,
    n: usize,
    stop: Arc<AtomicBool>,
    tally: Arc<Mutex<Tally>>,
) -> Vec<std::thread::JoinHandle<()>> {
    (0..n)
        .map(|_| {
            let (addr, stop, tally) = (addr.clone(), stop.clone(), tally.clone());
            std::thread::spawn(move || {
                while !stop.load(Ordering::Relaxed) {
                    let started = Instant::now();
                    let answer = http_get(&addr, QUERY);
                    let took = started.elapsed();
                    let mut t = tally.lock().unwrap();
                    t.latencies.push(took);
                    match answer {
                        Ok((200, body)) => match check(&body) {
                            Ok(state) => {
                                t.states.insert(state);
                            }
                            Err(e) => t.inconsistent.push(e),
                        },
                        Ok((status, body)) => t.failures.push(format!("{status}: {body}")),
                        Err(e) => t.failures.push(e.to_string()),
                    }
                }
            })
        })
        .collect()
}

/// Adds, edits and removes test entries and reindexes, until stopped; returns the
/// number of reindex runs.
fn writer(s: &Sandbox, stop: &AtomicBool) -> usize {
    let mut versions: BTreeMap<usize, usize> = BTreeMap::new();
    let mut runs = 0;
    let mut next = 0;
    while !stop.load(Ordering::Relaxed) {
        let action = if versions.len() < 3 { 0 } else { runs % 3 };
        match action {
            0 if versions.len() < 20 => {
                versions.insert(next, 0);
                s.write(&format!("quokka/{next:03}.md"), entry(next, 0));
                next += 1;
            }
            1 | 0 => {
                let at = runs % versions.len();
                let (&n, version) = versions.iter_mut().nth(at).unwrap();
                *version += 1;
                s.write(&format!("quokka/{n:03}.md"), entry(n, *version));
            }
            _ => {
                let n = *versions.keys().nth(runs % versions.len()).unwrap();
                versions.remove(&n);
                s.remove(&format!("quokka/{n:03}.md"));
            }
        }
        let out = s.run(&["reindex"]);
        assert!(out.status.success(), "reindex: {}", text(&out.stderr));
        runs += 1;
        std::thread::sleep(Duration::from_millis(50));
    }
    runs
}

fn report(what: &str, tally: &Tally, seconds: f64) {
    let mut l = tally.latencies.clone();
    l.sort();
    let at = |q: f64| l[((l.len() as f64 * q) as usize).min(l.len() - 1)];
    eprintln!(
        "{what}: {} requests in {seconds:.1} s ({:.0}/s), p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms, {} failed, {} inconsistent, {} distinct states seen",
        l.len(),
        l.len() as f64 / seconds,
        at(0.5).as_secs_f64() * 1e3,
        at(0.99).as_secs_f64() * 1e3,
        l.last().unwrap().as_secs_f64() * 1e3,
        tally.failures.len(),
        tally.inconsistent.len(),
        tally.states.len(),
    );
}

fn assert_clean(tally: &Tally, runs: usize) {
    assert!(
        tally.failures.is_empty(),
        "failed requests: {:?}",
        &tally.failures[..tally.failures.len().min(5)]
    );
    assert!(
        tally.inconsistent.is_empty(),
        "inconsistent answers: {:?}",
        &tally.inconsistent[..tally.inconsistent.len().min(5)]
    );
    assert!(runs >= 5, "only {runs} reindex runs");
    assert!(
        tally.states.len() >= 5,
        "the readers saw only {} states of the archive",
        tally.states.len()
    );
}

#[test]
fn replicas_behind_nginx_survive_reindex_sigkill_and_sigterm() {
    if !have_nginx() {
        return;
    }
    let s = Sandbox::sample();
    s.reindex();
    let log = s.beside("replicas.log");
    let ports = [free_port(), free_port()];
    let mut a = Some(Replica::start(&s.index, ports[0], &log));
    let mut b = Some(Replica::start(&s.index, ports[1], &log));
    let listen = free_port();
    // nginx's workers drop root for `nobody`, who must reach its temporary files.
    let prefix = tempfile::tempdir().unwrap();
    std::fs::set_permissions(prefix.path(), std::os::unix::fs::PermissionsExt::from_mode(0o755))
        .unwrap();
    let nginx = Nginx::start(prefix.path(), listen, &ports);

    let stop = Arc::new(AtomicBool::new(false));
    let tally = Arc::new(Mutex::new(Tally::default()));
    let readers = readers(format!("127.0.0.1:{listen}"), 4, stop.clone(), tally.clone());
    let started = Instant::now();
    let (runs, events) = std::thread::scope(|scope| {
        let writing = scope.spawn(|| writer(&s, &stop));
        let mut events = Vec::new();
        std::thread::sleep(Duration::from_secs(3));
        // (b) SIGKILL in the middle of the stream, then a restart on the same port.
        drop(a.take());
        events
            .push(format!("{:.1} s: replica A killed (SIGKILL)", started.elapsed().as_secs_f64()));
        std::thread::sleep(Duration::from_secs(2));
        a = Some(Replica::start(&s.index, ports[0], &log));
        events.push(format!("{:.1} s: replica A restarted", started.elapsed().as_secs_f64()));
        std::thread::sleep(Duration::from_secs(3));
        // (c) SIGTERM: B drains what it has and exits 0; A takes the rest.
        let status = b.take().unwrap().terminate();
        assert!(status.success(), "replica B after SIGTERM: {status}");
        events.push(format!(
            "{:.1} s: replica B drained and exited (SIGTERM)",
            started.elapsed().as_secs_f64()
        ));
        std::thread::sleep(Duration::from_secs(2));
        b = Some(Replica::start(&s.index, ports[1], &log));
        events.push(format!("{:.1} s: replica B restarted", started.elapsed().as_secs_f64()));
        std::thread::sleep(Duration::from_secs(3));
        stop.store(true, Ordering::Relaxed);
        (writing.join().unwrap(), events)
    });
    for r in readers {
        r.join().unwrap();
    }
    let seconds = started.elapsed().as_secs_f64();
    for e in &events {
        eprintln!("{e}");
    }
    let tally = tally.lock().unwrap();
    report(&format!("through nginx, 2 replicas, {runs} reindex runs"), &tally, seconds);
    assert_clean(&tally, runs);
    // nginx did meet the failures, and retried them on the other replica.
    let errors = nginx.errors();
    assert!(
        errors.contains("failed") || errors.contains("refused") || errors.contains("closed"),
        "{errors}"
    );
    drop((a, b));
}

#[test]
fn a_replica_fed_by_ship_index_never_sees_a_half_copied_index() {
    if !have_nginx() {
        return;
    }
    let s = Sandbox::sample();
    s.reindex();
    let shipped = s.beside("replica-index");
    let ship = || {
        let out = Command::new(Path::new(env!("CARGO_MANIFEST_DIR")).join("deploy/ship-index.sh"))
            .arg(&s.index)
            .arg(&shipped)
            .output()
            .unwrap();
        assert!(out.status.success(), "ship-index.sh: {}", text(&out.stderr));
    };
    ship();
    let port = free_port();
    let replica = Replica::start(&shipped, port, &s.beside("replica.log"));

    let stop = Arc::new(AtomicBool::new(false));
    let tally = Arc::new(Mutex::new(Tally::default()));
    let readers = readers(format!("127.0.0.1:{port}"), 3, stop.clone(), tally.clone());
    let started = Instant::now();
    let (runs, ships) = std::thread::scope(|scope| {
        let writing = scope.spawn(|| writer(&s, &stop));
        // Shipping runs beside the writer, not after it: the snapshot must hold.
        let shipping = scope.spawn(|| {
            let mut ships = 0;
            while !stop.load(Ordering::Relaxed) {
                ship();
                ships += 1;
            }
            ships
        });
        std::thread::sleep(Duration::from_secs(8));
        stop.store(true, Ordering::Relaxed);
        (writing.join().unwrap(), shipping.join().unwrap())
    });
    for r in readers {
        r.join().unwrap();
    }
    let tally = tally.lock().unwrap();
    report(
        &format!("one replica over a shipped copy, {runs} reindex runs, {ships} ships"),
        &tally,
        started.elapsed().as_secs_f64(),
    );
    assert_clean(&tally, runs);
    // Nothing the replica would not need was left behind, and no snapshot either.
    let leftovers: Vec<_> = std::fs::read_dir(s.archive.parent().unwrap())
        .unwrap()
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .filter(|n| n.starts_with(".ship-snapshot"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
    drop(replica);
}

#[test]
fn a_read_only_replica_never_builds_an_index() {
    let s = Sandbox::sample();
    let out = s.command().args(["serve", "--read-only", "--bind", "127.0.0.1:0"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = text(&out.stderr);
    assert!(err.contains("--read-only never builds or repairs the index"), "{err}");
    assert!(!s.index.join("meta.json").exists(), "an index was built");
    let out = s.command().args(["serve", "--read-only", "--watch"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2), "--watch writes the index: not with --read-only");
}
