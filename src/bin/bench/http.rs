//! `/api/search` over HTTP under `wrk`, against the in-process rate on as many threads,
//! with the server's CPU per request.

use std::path::Path;
use std::process::Command;
use std::time::Instant;

use super::{Args, QUERIES};

/// CPU seconds (user and system, every thread) a process has used so far: `self`, or a
/// pid. `None` where /proc does not say.
pub(super) fn cpu_seconds(pid: &str) -> Option<f64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // After the command name, which may hold spaces: state is field 3, utime 14, stime 15.
    let fields: Vec<&str> = stat.rsplit_once(')')?.1.split_whitespace().collect();
    let ticks = |i: usize| fields.get(i - 3)?.parse::<f64>().ok();
    // /proc counts in USER_HZ, 100 on Linux.
    Some((ticks(14)? + ticks(15)?) / 100.0)
}

/// `archive serve` under `wrk` on 127.0.0.1: the query set through `/api/search`,
/// `/healthz` on the same server, the time from start to first answer, and the
/// server's memory after the load, against the in-process rates of the same queries (one
/// thread, and `threads` threads).
// Long on purpose: one scenario (start, load, measure, stop) whose steps share the
// server process; each step is a commented paragraph.
pub(super) fn http(
    args: &Args,
    archive: &Path,
    index: &Path,
    (in_process_rate, threaded_rate, threads, cpu_ms): (f64, f64, usize, Option<f64>),
) -> Vec<String> {
    use std::io::{BufRead, BufReader};
    let binary = std::env::current_exe().unwrap().with_file_name("archive");
    let started = Instant::now();
    let mut child = Command::new(&binary)
        .arg("--archive")
        .arg(archive)
        .arg("--index")
        .arg(index)
        .args(["serve", "--bind", "127.0.0.1:0"])
        .env("RUST_LOG", "error")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start {}: {e}", binary.display()));
    let mut first = String::new();
    BufReader::new(child.stdout.take().unwrap()).read_line(&mut first).unwrap();
    let url =
        first.split_whitespace().find(|w| w.starts_with("http://")).expect("a URL").to_string();
    let addr = url.trim_start_matches("http://").to_string();
    let ok = |path: &str| {
        use std::io::{Read, Write};
        let Ok(mut stream) = std::net::TcpStream::connect(&addr) else { return false };
        let _ = write!(stream, "GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
        let mut reply = String::new();
        let _ = stream.read_to_string(&mut reply);
        reply.starts_with("HTTP/1.1 200")
    };
    let ready = loop {
        if ok("/healthz") {
            break started.elapsed().as_secs_f64() * 1e3;
        }
        std::thread::sleep(std::time::Duration::from_millis(2));
    };
    let paths: Vec<String> = QUERIES
        .iter()
        .map(|q| {
            let q = url::form_urlencoded::byte_serialize(q.as_bytes()).collect::<String>();
            format!("/api/search?q={q}")
        })
        .collect();
    // Each query once before the load, as in process (whose first search of each query
    // is untimed): the first search of a commit also reads its facts and its stories.
    for path in &paths {
        assert!(ok(path), "GET {path} failed");
    }
    let script = std::env::temp_dir().join(format!("archive-bench-{}.lua", std::process::id()));
    let quoted: Vec<String> = paths.iter().map(|p| format!("\"{p}\"")).collect();
    std::fs::write(
        &script,
        format!("local paths = {{{}}}\nlocal i = 0\nrequest = function()\n  i = i % #paths + 1\n  return wrk.format(\"GET\", paths[i])\nend\n", quoted.join(", ")),
    )
    .unwrap();
    let wrk = |target: &str, lua: Option<&Path>| -> (f64, String, String, Option<f64>) {
        let mut cmd = Command::new("wrk");
        cmd.args([
            "-t2",
            &format!("-c{}", args.connections),
            &format!("-d{}s", args.http_seconds),
            "--latency",
        ]);
        if let Some(lua) = lua {
            cmd.arg("-s").arg(lua);
        }
        let out =
            String::from_utf8_lossy(&cmd.arg(target).output().expect("wrk").stdout).into_owned();
        let field = |prefix: &str| {
            out.lines()
                .find_map(|l| l.trim().strip_prefix(prefix).map(|v| v.trim().to_string()))
                .unwrap_or_default()
        };
        let rate = field("Requests/sec:").parse().unwrap_or(0.0);
        // "4455 requests in 10.01s, 95.31MB read"
        let requests = out.lines().find_map(|l| {
            l.trim().split_once(" requests in ").and_then(|(n, _)| n.parse::<f64>().ok())
        });
        (rate, field("50%"), field("99%"), requests)
    };
    let server = child.id().to_string();
    let cpu_before = cpu_seconds(&server);
    let (search_rate, search_p50, search_p99, requests) = wrk(&format!("{url}/"), Some(&script));
    // The server's CPU per request, and its share of the cores during the load.
    let server_cpu = match (cpu_seconds(&server), cpu_before, requests) {
        (Some(after), Some(before), Some(n)) if n > 0.0 => Some((
            (after - before) * 1e3 / n,
            (after - before) / (args.http_seconds as f64 * threads as f64),
        )),
        _ => None,
    };
    let (health_rate, health_p50, health_p99, _) = wrk(&format!("{url}/healthz"), None);
    let rss = std::fs::read_to_string(format!("/proc/{}/status", child.id()))
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmRSS:"))
                .map(|l| l.trim_start_matches("VmRSS:").trim().to_string())
        })
        .unwrap_or_else(|| "?".into());
    let _ = child.kill();
    let _ = child.wait();
    let _ = std::fs::remove_file(&script);
    vec![
        format!(
            "| HTTP, wrk -t2 -c{} -d{}s | requests/s | p50 | p99 |\n| --- | ---: | ---: | ---: |",
            args.connections, args.http_seconds
        ),
        format!(
            "| `/api/search`, the query set in turn | {search_rate:.0} | {search_p50} | {search_p99} |"
        ),
        format!("| `/healthz` | {health_rate:.0} | {health_p50} | {health_p99} |"),
        format!("| in process, one thread, the same queries | {in_process_rate:.0} | | |"),
        format!(
            "| in process, {threads} threads, the same queries | {threaded_rate:.0} | | |\n\n`/api/search` over HTTP = {:.0}% of the in-process rate on as many threads ({threads}; {:.0}% of one thread). Server RSS after the load: {rss}. Start to first answer (index built): {ready:.0} ms.\n",
            100.0 * search_rate / threaded_rate,
            100.0 * search_rate / in_process_rate
        ),
        match (cpu_ms, server_cpu) {
            (Some(own), Some((server, share))) => format!(
                "CPU per search: {own:.2} ms in process, {server:.2} ms in the server per request; the server used {:.0}% of the {threads} cores during the load (the rest: `wrk`, the kernel, idle).\n",
                100.0 * share
            ),
            _ => "CPU per search: not measured (no /proc).\n".into(),
        },
    ]
}
