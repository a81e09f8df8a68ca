//! I/O errors and a full disk during `reindex`: a Tantivy `Directory` wrapping the real
//! one fails the Nth file creation, first write, fsync, atomic write, directory sync or
//! delete, for N = 1, 2, ... until a run meets no fault; then runs with a byte budget
//! that grows step by step. Each time: an error naming the index folder and the cause,
//! an index that answers as before or as after (never a mix), and a clean reindex after.

use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use archive::index::{ReindexOptions, reindex, reindex_in};
use archive::search::{Engine, SearchRequest};
use tantivy::directory::error::{DeleteError, LockError, OpenReadError, OpenWriteError};
use tantivy::directory::{
    AntiCallToken, Directory, DirectoryLock, FileHandle, Lock, MmapDirectory, TerminatingWrite,
    WatchCallback, WatchHandle, WritePtr,
};

use crate::util::Sandbox;

/// When to fail.
#[derive(Debug, Default)]
struct Plan {
    /// Fail the Nth operation (1-based) with EIO.
    fail_at: Option<usize>,
    /// Fail writes past this many bytes with ENOSPC.
    budget: Option<u64>,
    ops: AtomicUsize,
    written: AtomicU64,
    /// The fault injected, if one was.
    injected: Mutex<Option<String>>,
}

impl Plan {
    fn op(&self, what: &str, path: &Path) -> io::Result<()> {
        let n = self.ops.fetch_add(1, Ordering::SeqCst) + 1;
        if self.fail_at == Some(n) {
            *self.injected.lock().unwrap() = Some(format!("{what} {}", path.display()));
            return Err(io::Error::from_raw_os_error(5)); // EIO
        }
        Ok(())
    }

    fn write(&self, bytes: usize, path: &Path) -> io::Result<()> {
        let before = self.written.fetch_add(bytes as u64, Ordering::SeqCst);
        if self.budget.is_some_and(|b| before + bytes as u64 > b) {
            *self.injected.lock().unwrap() = Some(format!("disk full writing {}", path.display()));
            return Err(io::Error::from_raw_os_error(28)); // ENOSPC
        }
        Ok(())
    }
}

#[derive(Debug, Clone)]
struct Faulty {
    inner: MmapDirectory,
    plan: Arc<Plan>,
}

struct FaultyWrite {
    inner: WritePtr,
    plan: Arc<Plan>,
    path: PathBuf,
    started: bool,
}

impl Write for FaultyWrite {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        if !self.started {
            self.started = true;
            self.plan.op("first write", &self.path)?;
        }
        self.plan.write(buf.len(), &self.path)?;
        self.inner.write(buf)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

impl TerminatingWrite for FaultyWrite {
    fn terminate_ref(&mut self, token: AntiCallToken) -> io::Result<()> {
        self.plan.op("fsync", &self.path)?;
        self.inner.terminate_ref(token)
    }
}

impl Directory for Faulty {
    fn get_file_handle(&self, path: &Path) -> Result<Arc<dyn FileHandle>, OpenReadError> {
        self.inner.get_file_handle(path)
    }

    fn delete(&self, path: &Path) -> Result<(), DeleteError> {
        self.plan.op("delete", path).map_err(|e| DeleteError::IoError {
            io_error: Arc::new(e),
            filepath: path.to_path_buf(),
        })?;
        self.inner.delete(path)
    }

    fn exists(&self, path: &Path) -> Result<bool, OpenReadError> {
        self.inner.exists(path)
    }

    fn open_write(&self, path: &Path) -> Result<WritePtr, OpenWriteError> {
        self.plan
            .op("create", path)
            .map_err(|e| OpenWriteError::wrap_io_error(e, path.to_path_buf()))?;
        let inner = self.inner.open_write(path)?;
        let plan = Arc::clone(&self.plan);
        let write = FaultyWrite { inner, plan, path: path.to_path_buf(), started: false };
        Ok(io::BufWriter::new(Box::new(write)))
    }

    fn atomic_read(&self, path: &Path) -> Result<Vec<u8>, OpenReadError> {
        self.inner.atomic_read(path)
    }

    fn atomic_write(&self, path: &Path, data: &[u8]) -> io::Result<()> {
        self.plan.op("atomic write", path)?;
        self.plan.write(data.len(), path)?;
        self.inner.atomic_write(path, data)
    }

    fn sync_directory(&self) -> io::Result<()> {
        self.plan.op("directory sync", Path::new("."))?;
        self.inner.sync_directory()
    }

    fn acquire_lock(&self, lock: &Lock) -> Result<DirectoryLock, LockError> {
        self.inner.acquire_lock(lock)
    }

    fn watch(&self, callback: WatchCallback) -> tantivy::Result<WatchHandle> {
        self.inner.watch(callback)
    }
}

const QUERIES: [&str; 5] =
    ["agents", "speculative decoding", "topic:agents", "faultmarker", "memory"];

fn answers(index: &Path) -> Vec<usize> {
    let engine = Engine::open(index).unwrap_or_else(|e| panic!("the index does not open: {e}"));
    QUERIES.iter().map(|q| engine.search(&SearchRequest::new(*q)).unwrap().total).collect()
}

fn copy_index(from: &Path, to: &Path) {
    let _ = std::fs::remove_dir_all(to);
    std::fs::create_dir_all(to).unwrap();
    for f in std::fs::read_dir(from).unwrap() {
        let f = f.unwrap();
        std::fs::copy(f.path(), to.join(f.file_name())).unwrap();
    }
}

/// An archive indexed (state A), then changed (state B: edits, an addition, a removal).
fn changed_archive() -> (Sandbox, Vec<usize>) {
    let s = Sandbox::sample();
    reindex(&s.archive, &s.index, &ReindexOptions::default(), &|_, _| {}).unwrap();
    let before = answers(&s.index);
    let mut files: Vec<_> = walkdir::WalkDir::new(&s.archive)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.path().extension().is_some_and(|x| x == "md"))
        .map(|e| e.into_path())
        .collect();
    files.sort();
    for path in files.iter().take(6) {
        let mut text = std::fs::read_to_string(path).unwrap();
        text.push_str("\n\nfaultmarker: edited during the fault test.\n");
        std::fs::write(path, text).unwrap();
    }
    std::fs::remove_file(files.last().unwrap()).unwrap();
    s.write("added/new.md", "# New\n\nDate: 2026-07-01\n\n## faultmarker agents memory\n\nText.\n");
    (s, before)
}

/// Runs one faulty reindex on a copy of state A and checks what it left. Returns the
/// fault injected (none: the plan reached past the run's last operation) and whether
/// the reindex failed.
fn attempt(
    s: &Sandbox,
    work: &Path,
    plan: Plan,
    before: &[usize],
    after: &[usize],
) -> (Option<String>, bool) {
    copy_index(&s.index, work);
    // A server reading the index meanwhile.
    let serving = Engine::open(work).unwrap();
    let plan = Arc::new(plan);
    let opened = Arc::clone(&plan);
    let result = reindex_in(&s.archive, work, &ReindexOptions::default(), &|_, _| {}, &move |p| {
        Ok(Box::new(Faulty { inner: MmapDirectory::open(p)?, plan: Arc::clone(&opened) }))
    });
    let injected = plan.injected.lock().unwrap().clone();
    // Every copy of the directory is gone: no thread of the run's writer (an indexing
    // thread, a merge) still writes: in CI one once wrote a file after a failed run.
    assert_eq!(Arc::strong_count(&plan), 1, "{injected:?}: the reindex returned before its writer");
    assert!(
        serving.search(&SearchRequest::new("agents")).is_ok(),
        "{injected:?}: the server stopped answering"
    );
    let now = answers(work);
    match &result {
        Err(e) => {
            let message = e.to_string();
            let cause = injected.as_deref().expect("an error without an injected fault");
            if std::env::var_os("ARCHIVE_SHOW_FAULTS").is_some() {
                println!("{cause} -> {message}");
            }
            assert!(message.contains(&work.display().to_string()), "{cause}: {message}");
            assert!(
                message.contains("Input/output error")
                    || message.contains("No space left on device"),
                "{cause}: {message}"
            );
            assert_eq!(now, before, "{cause}: a failed reindex changed what the index answers");
            // Its segment files are gone (a full disk is not left full), and it says its
            // cause once.
            assert_eq!(strays(work), Vec::<String>::new(), "{cause}: left behind");
            for said in ["Input/output error", "No space left on device"] {
                assert!(message.matches(said).count() <= 1, "{cause}: {message}");
            }
        }
        // A fault after the commit (a merge, a cleanup) may be absorbed: the new state.
        Ok(_) => assert_eq!(now, after, "{injected:?}"),
    }
    // A reindex without faults converges.
    reindex(&s.archive, work, &ReindexOptions::default(), &|_, _| {}).unwrap();
    assert_eq!(answers(work), after, "{injected:?}: after a clean reindex");
    (injected, result.is_err())
}

/// Segment files in an index folder that its `meta.json` does not list.
fn strays(index: &Path) -> Vec<String> {
    let meta: serde_json::Value =
        serde_json::from_slice(&std::fs::read(index.join("meta.json")).unwrap()).unwrap();
    let listed: Vec<String> = meta["segments"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["segment_id"].as_str().unwrap().replace('-', ""))
        .collect();
    let mut found: Vec<String> = std::fs::read_dir(index)
        .unwrap()
        .map(|f| f.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|name| {
            let id = name.split('.').next().unwrap();
            id.len() == 32 && !listed.iter().any(|l| l == id)
        })
        .collect();
    found.sort();
    found
}

#[test]
fn the_nth_write_sync_or_delete_fails_for_every_n_and_nothing_is_lost() {
    let (s, before) = changed_archive();
    let expected = {
        let clean = s.index.with_file_name("clean");
        copy_index(&s.index, &clean);
        reindex(&s.archive, &clean, &ReindexOptions::default(), &|_, _| {}).unwrap();
        answers(&clean)
    };
    assert_ne!(before, expected);
    let work = s.index.with_file_name("work");
    let (mut failed, mut absorbed) = (vec![], 0);
    for n in 1.. {
        let plan = Plan { fail_at: Some(n), ..Default::default() };
        match attempt(&s, &work, plan, &before, &expected) {
            (None, _) => break,
            (Some(cause), true) => failed.push(cause),
            (Some(_), false) => absorbed += 1,
        }
        assert!(n < 2000, "never converged");
    }
    println!(
        "{} operations failed one at a time and were reported, {absorbed} after the commit were absorbed; first: {:?}",
        failed.len(),
        &failed[..failed.len().min(6)]
    );
    assert!(failed.len() >= 10, "{failed:?}");
}

#[test]
fn a_disk_that_fills_up_fails_the_reindex_cleanly_until_there_is_room() {
    let (s, before) = changed_archive();
    let clean = s.index.with_file_name("clean");
    copy_index(&s.index, &clean);
    reindex(&s.archive, &clean, &ReindexOptions::default(), &|_, _| {}).unwrap();
    let expected = answers(&clean);
    let work = s.index.with_file_name("work");
    let step = 16 * 1024;
    let mut full = 0;
    for k in 0.. {
        let plan = Plan { budget: Some(k * step), ..Default::default() };
        match attempt(&s, &work, plan, &before, &expected) {
            (None, _) => break,
            (Some(_), failed) => full += usize::from(failed),
        }
        assert!(k < 1000, "never had room");
    }
    println!("{full} budgets too small (steps of {step} bytes), each failed cleanly");
    assert!(full >= 3);
}

/// Two reindexes of a folder with no index yet, the second started while the first
/// builds it: the first is never told its index is damaged or of another version (the
/// second once removed the first's files as it made a new index); the second waits for
/// it or says another reindex is running; the index ends whole.
#[test]
fn a_second_reindex_waits_for_the_first_to_build_the_index() {
    let s = Sandbox::empty();
    for n in 0..1500 {
        let body: String = (0..8).map(|i| format!("## Item {n}.{i}\n\nWords about topic {i} and number {n}, [a link](https://example.org/{n}/{i}).\n\n")).collect();
        s.write(&format!("d/{n:04}.md"), format!("# Digest {n}\n\nDate: 2026-01-01\n\n{body}"));
    }
    for _ in 0..3 {
        let _ = std::fs::remove_dir_all(&s.index);
        let first =
            s.command().arg("reindex").stderr(std::process::Stdio::piped()).spawn().unwrap();
        // Once the first has made the folder.
        while !s.index.exists() {
            std::thread::sleep(std::time::Duration::from_millis(5));
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
        let second = s.run(&["reindex"]);
        let first = first.wait_with_output().unwrap();
        let said = |o: &std::process::Output| String::from_utf8_lossy(&o.stderr).into_owned();
        assert!(first.status.success(), "the first: {}", said(&first));
        assert!(
            second.status.success() || said(&second).contains("another reindex"),
            "the second: {}",
            said(&second)
        );
        let r = s.json(&["search", "number", "--limit", "1", "--exact"], 0);
        assert_eq!(r["total"], 12000, "{r}");
    }
}
