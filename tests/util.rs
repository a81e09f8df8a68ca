//! A temporary archive and index, and a runner for the real binary.

use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};

use serde_json::Value;
use tempfile::TempDir;

/// The repository's sample archive.
pub fn sample_archive() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("archive")
}

/// A fixture folder of `tests/fixtures`.
pub fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures").join(name)
}

pub struct Sandbox {
    _dir: TempDir,
    pub archive: PathBuf,
    pub index: PathBuf,
}

impl Sandbox {
    /// An empty archive folder and no index.
    pub fn empty() -> Sandbox {
        let dir = tempfile::tempdir().unwrap();
        let archive = dir.path().join("archive");
        std::fs::create_dir(&archive).unwrap();
        let index = dir.path().join("index");
        Sandbox { _dir: dir, archive, index }
    }

    /// A copy of the sample archive.
    pub fn sample() -> Sandbox {
        Sandbox::copy_of(&sample_archive())
    }

    /// A copy of an archive folder.
    pub fn copy_of(archive: &Path) -> Sandbox {
        let sandbox = Sandbox::empty();
        copy_dir(archive, &sandbox.archive);
        sandbox
    }

    /// An index over another folder (read in place, never written).
    pub fn over(archive: &Path) -> Sandbox {
        let sandbox = Sandbox::empty();
        Sandbox { archive: archive.to_path_buf(), ..sandbox }
    }

    pub fn write(&self, rel: &str, content: impl AsRef<[u8]>) {
        let path = self.archive.join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, content).unwrap();
    }

    pub fn read(&self, rel: &str) -> String {
        std::fs::read_to_string(self.archive.join(rel)).unwrap()
    }

    pub fn remove(&self, rel: &str) {
        std::fs::remove_file(self.archive.join(rel)).unwrap();
    }

    pub fn command(&self) -> Command {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_archive"));
        cmd.arg("--archive").arg(&self.archive).arg("--index").arg(&self.index);
        cmd.env_remove("ARCHIVE_DIR").env_remove("ARCHIVE_INDEX");
        cmd
    }

    /// Starts `archive serve` on a free port of 127.0.0.1; killed when dropped.
    pub fn serve(&self, extra: &[&str]) -> Server {
        self.serve_logging(extra, Stdio::null())
    }

    /// A file beside the archive and the index (not inside either).
    pub fn beside(&self, name: &str) -> PathBuf {
        self.archive.parent().unwrap().join(name)
    }

    /// [`Sandbox::serve`] with its log (warnings and errors) on `stderr`.
    pub fn serve_logging(&self, extra: &[&str], stderr: impl Into<Stdio>) -> Server {
        let mut command = self.command();
        command.args(["serve", "--bind", "127.0.0.1:0"]).args(extra).stderr(stderr);
        Server::start(command)
    }

    pub fn run(&self, args: &[&str]) -> Output {
        self.command().args(args).output().unwrap()
    }

    /// Runs with `--json`, expects the exit code, and parses stdout.
    pub fn json(&self, args: &[&str], code: i32) -> Value {
        let out = self.command().args(args).arg("--json").output().unwrap();
        assert_eq!(
            out.status.code(),
            Some(code),
            "{args:?}\nstdout: {}\nstderr: {}",
            text(&out.stdout),
            text(&out.stderr)
        );
        serde_json::from_slice(&out.stdout)
            .unwrap_or_else(|e| panic!("{args:?}: bad JSON ({e}): {}", text(&out.stdout)))
    }

    pub fn reindex(&self) -> Value {
        self.json(&["reindex"], 0)
    }

    pub fn search(&self, query: &str) -> Value {
        let out = self
            .command()
            .args(["search", "--json", "--limit", "100", "--", query])
            .output()
            .unwrap();
        assert!(
            matches!(out.status.code(), Some(0 | 1)),
            "search {query:?}: {}\nmeta.json: {}",
            text(&out.stderr),
            // What the index's last commit recorded, to tell a real failure from a flake.
            std::fs::read_to_string(self.index.join("meta.json"))
                .map(|m| {
                    let tail: String = m.chars().rev().take(600).collect();
                    let segments = m.matches("segment_id").count();
                    format!("{segments} segments, ...{}", tail.chars().rev().collect::<String>())
                })
                .unwrap_or_else(|e| e.to_string())
        );
        serde_json::from_slice(&out.stdout).unwrap()
    }
}

/// A running `archive serve`.
pub struct Server {
    pub child: Child,
    /// `http://127.0.0.1:PORT`
    pub url: String,
}

impl Server {
    /// Spawns an `archive ... serve` command (logging warnings unless the command sets
    /// `RUST_LOG`, without an auth file from the environment) and waits for its
    /// "serving http://..." line.
    pub fn start(mut command: Command) -> Server {
        if !command.get_envs().any(|(name, value)| name == "RUST_LOG" && value.is_some()) {
            command.env("RUST_LOG", "warn");
        }
        let mut child =
            command.env_remove("ARCHIVE_AUTH_FILE").stdout(Stdio::piped()).spawn().unwrap();
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).unwrap();
        let url = line
            .split_whitespace()
            .find(|w| w.starts_with("http://"))
            .unwrap_or_else(|| panic!("{line:?}"));
        Server { url: url.to_string(), child }
    }

    /// `127.0.0.1:PORT`
    pub fn addr(&self) -> &str {
        self.url.trim_start_matches("http://")
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn copy_dir(from: &Path, to: &Path) {
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            std::fs::create_dir_all(&target).unwrap();
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

/// A JSON array of strings (warnings, notes, topics, sources) as strings.
pub fn strings(v: &Value) -> Vec<String> {
    v.as_array()
        .unwrap_or_else(|| panic!("not an array: {v}"))
        .iter()
        .map(|x| x.as_str().unwrap().to_string())
        .collect()
}

/// Whether some string of a JSON array contains `needle`.
pub fn any_contains(v: &Value, needle: &str) -> bool {
    strings(v).iter().any(|s| s.contains(needle))
}

/// A minimal HTTP/1.1 GET: status and body.
pub fn http_get(addr: &str, path: &str) -> std::io::Result<(u16, String)> {
    http_request(addr, path, &[]).map(|r| (r.status, r.body))
}

/// An HTTP/1.1 answer: status, head (lowercased) and body.
pub struct Answer {
    pub status: u16,
    pub head: String,
    pub body: String,
}

/// A minimal HTTP/1.1 GET with extra headers.
pub fn http_request(addr: &str, path: &str, headers: &[(&str, &str)]) -> std::io::Result<Answer> {
    let mut stream = std::net::TcpStream::connect(addr)?;
    stream.set_read_timeout(Some(std::time::Duration::from_secs(10)))?;
    let extra: String = headers.iter().map(|(k, v)| format!("{k}: {v}\r\n")).collect();
    write!(stream, "GET {path} HTTP/1.1\r\nHost: {addr}\r\n{extra}Connection: close\r\n\r\n")?;
    let mut response = String::new();
    stream.read_to_string(&mut response)?;
    let status = response.split_whitespace().nth(1).and_then(|s| s.parse().ok()).unwrap_or(0);
    let (head, body) = response.split_once("\r\n\r\n").unwrap_or((&response, ""));
    Ok(Answer { status, head: head.to_ascii_lowercase(), body: body.to_string() })
}

/// The entry ids of a search's hits, in order.
pub fn hit_ids(results: &Value) -> Vec<String> {
    results["hits"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["entry_id"].as_str().unwrap().to_string())
        .collect()
}
