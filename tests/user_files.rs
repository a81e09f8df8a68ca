//! The user's files are never lost: an index folder that holds other files is refused
//! (through `reindex` and `serve`), the index never overlaps the archive, a folder that
//! cannot be read keeps its indexed entries, and a `\` in a file name stays part of it.

use std::path::Path;
use std::process::{Command, Output, Stdio};

use crate::util::{Sandbox, Server, hit_ids, http_get, text};

/// Runs `archive ARGS` on the sandbox and expects `code`; returns stderr.
fn fails(s: &Sandbox, args: &[&str], code: i32) -> String {
    let out = s.run(args);
    assert_eq!(out.status.code(), Some(code), "{args:?}: {}", text(&out.stderr));
    text(&out.stderr)
}

#[test]
fn an_index_folder_holding_other_files_is_refused_and_they_stay() {
    let s = Sandbox::sample();
    std::fs::create_dir_all(&s.index).unwrap();
    std::fs::write(s.index.join("thesis.docx"), "important").unwrap();
    std::fs::write(s.index.join(".gitignore"), "*\n").unwrap();
    for args in [&["reindex"][..], &["reindex", "--full"], &["serve", "--bind", "127.0.0.1:0"]] {
        let err = fails(&s, args, 2);
        assert!(err.contains("thesis.docx") && err.contains("not an archive index"), "{err}");
        assert!(err.contains(&s.index.display().to_string()), "{err}");
    }
    assert_eq!(std::fs::read_to_string(s.index.join("thesis.docx")).unwrap(), "important");
    assert!(!s.index.join("meta.json").exists());

    // Emptied (but for its dot-file), the folder takes the index; the dot-file stays.
    std::fs::remove_file(s.index.join("thesis.docx")).unwrap();
    assert_eq!(s.reindex()["added"], 39);
    assert_eq!(std::fs::read_to_string(s.index.join(".gitignore")).unwrap(), "*\n");
}

#[test]
fn the_index_never_overlaps_the_archive() {
    let s = Sandbox::sample();
    let before = listing(&s.archive);
    let inside = s.archive.join("idx");
    let parent = s.archive.parent().unwrap().to_path_buf();
    for index in [&s.archive, &inside, &parent] {
        let out = Command::new(env!("CARGO_BIN_EXE_archive"))
            .arg("--archive")
            .arg(&s.archive)
            .arg("--index")
            .arg(index)
            .arg("reindex")
            .output()
            .unwrap();
        let err = text(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{}: {err}", index.display());
        assert!(err.contains("overlap") && err.contains("outside the archive"), "{err}");
    }
    assert_eq!(listing(&s.archive), before, "the archive was changed");
}

#[test]
fn an_index_of_another_version_is_rebuilt_without_touching_other_files() {
    let s = Sandbox::sample();
    s.reindex();
    // An index of another version: its commit names another schema version.
    let meta = s.index.join("meta.json");
    let text = std::fs::read_to_string(&meta).unwrap();
    let old = replace_number_after(&text, "\\\"schema\\\":", "\\\"schema\\\":1000");
    std::fs::write(&meta, old).unwrap();
    std::fs::write(s.index.join("notes.txt"), "mine").unwrap();
    let r = s.reindex();
    assert!(r["notes"].to_string().contains("another version"), "{r}");
    assert_eq!(r["added"], 39);
    assert_eq!(std::fs::read_to_string(s.index.join("notes.txt")).unwrap(), "mine");
    assert!(!hit_ids(&s.search("speculative decoding")).is_empty());
}

/// `text` with the first number after `key` replaced (the payload is JSON in a string).
fn replace_number_after(text: &str, key: &str, with: &str) -> String {
    let at = text.find(key).unwrap_or_else(|| panic!("no {key} in {text}"));
    let digits = text[at + key.len()..].bytes().take_while(u8::is_ascii_digit).count();
    assert!(digits > 0, "{}", &text[at..]);
    format!("{}{with}{}", &text[..at], &text[at + key.len() + digits..])
}

#[test]
fn an_unreadable_folder_keeps_its_entries() {
    let s = Sandbox::sample();
    s.reindex();
    let folder = s.archive.join("agent-notes");
    let before = hit_ids(&s.search("agent"));
    assert!(before.iter().any(|id| id.starts_with("agent-notes/")), "{before:?}");
    set_mode(&folder, 0o000);
    let out = unprivileged(&s, &["reindex", "--json"]);
    let strict = unprivileged(&s, &["reindex", "--strict", "--json"]);
    set_mode(&folder, 0o755);

    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let r: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!((r["removed"].as_u64(), r["entries"].as_u64()), (Some(0), Some(39)), "{r}");
    let skipped = &r["skipped"][0];
    assert_eq!(skipped["path"], "agent-notes", "{r}");
    assert!(skipped["reason"].as_str().unwrap().contains("Permission denied"), "{r}");
    assert_eq!(strict.status.code(), Some(1), "{}", text(&strict.stderr));
    assert_eq!(hit_ids(&s.search("agent")), before);

    // Readable again: nothing to do.
    let r = s.reindex();
    assert_eq!((r["added"].as_u64(), r["removed"].as_u64()), (Some(0), Some(0)), "{r}");
}

#[test]
fn a_backslash_in_a_file_name_is_part_of_the_name() {
    let s = Sandbox::empty();
    s.write("back\\slash.md", "# Backslash\n\nThe one with a backslash: quokka.\n");
    s.write("back/slash.md", "# Slash\n\nThe one in a folder: wombat.\n");
    let r = s.reindex();
    assert_eq!((r["added"].as_u64(), r["skipped"].as_array().map(Vec::len)), (Some(2), Some(0)));
    assert_eq!(hit_ids(&s.search("quokka")), ["back\\slash"]);
    assert_eq!(hit_ids(&s.search("wombat")), ["back/slash"]);
}

/// Every file below `dir`, with its content.
fn listing(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut out: Vec<_> = walkdir::WalkDir::new(dir)
        .into_iter()
        .map(Result::unwrap)
        .filter(|e| e.file_type().is_file())
        .map(|e| (e.path().display().to_string(), std::fs::read(e.path()).unwrap()))
        .collect();
    out.sort();
    out
}

fn set_mode(path: &Path, mode: u32) {
    std::fs::set_permissions(path, std::os::unix::fs::PermissionsExt::from_mode(mode)).unwrap();
}

/// Runs the binary so that file modes bind it: as root (CI), without the capabilities
/// that let root read any folder.
fn unprivileged(s: &Sandbox, args: &[&str]) -> Output {
    unprivileged_command(s).args(args).output().unwrap()
}

/// [`unprivileged`], to be run as the caller likes.
fn unprivileged_command(s: &Sandbox) -> Command {
    let root = std::os::unix::fs::MetadataExt::uid(&std::fs::metadata("/proc/self").unwrap()) == 0;
    let mut command = s.command();
    if root {
        let mut wrapped = Command::new("setpriv");
        wrapped.args(["--bounding-set", "-dac_override,-dac_read_search"]);
        wrapped.arg(command.get_program()).args(command.get_args());
        command = wrapped;
    }
    command.env_remove("ARCHIVE_DIR").env_remove("ARCHIVE_INDEX");
    command
}

#[test]
fn a_file_name_cannot_forge_lines_or_colour_the_terminal() {
    let s = Sandbox::empty();
    let name = "evil\nskipped other.md: forged\u{1b}[31m.md";
    std::fs::write(s.archive.join(name), b"\xff\xfe bad bytes\n").unwrap();
    s.write("fine.md", "# Fine\n\nA good file.\n");
    for args in [&["reindex"][..], &["check"]] {
        let out = s.run(args);
        let all = format!("{}{}", text(&out.stdout), text(&out.stderr));
        assert!(!all.contains('\u{1b}'), "{args:?}: an escape reached the terminal: {all:?}");
        assert!(!all.lines().any(|l| l.starts_with("skipped other.md")), "{args:?}: {all}");
        assert!(all.contains("evil\\nskipped other.md: forged\\u{1b}[31m.md"), "{args:?}: {all}");
    }
}

/// An index this process may not write (a replica's read-only mount, another user's
/// index): `search`, `show` and `story` read it, and so does `serve --read-only`; nothing
/// in it changes. Before, every one failed with "Failed to acquire Lockfile", twice.
#[test]
fn an_index_that_cannot_be_written_is_searched_and_served() {
    let s = Sandbox::sample();
    s.reindex();
    let before = listing(&s.index);
    let modes: Vec<(std::path::PathBuf, u32)> = walkdir::WalkDir::new(&s.index)
        .into_iter()
        .map(Result::unwrap)
        .map(|e| {
            let mode =
                std::os::unix::fs::PermissionsExt::mode(&e.metadata().unwrap().permissions());
            (e.path().to_path_buf(), mode)
        })
        .collect();
    for (path, mode) in &modes {
        set_mode(path, mode & 0o555);
    }
    let out = unprivileged(&s, &["search", "--json", "agents"]);
    let all = format!("{}{}", text(&out.stdout), text(&out.stderr));
    assert_eq!(out.status.code(), Some(0), "{all}");
    let r: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(r["total"].as_u64().unwrap() > 0, "{r}");
    let id = r["hits"][0]["entry_id"].as_str().unwrap().to_string();
    let out = unprivileged(&s, &["show", &id]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));

    // A replica over it, run so that the modes bind it.
    let mut command = unprivileged_command(&s);
    command.args(["serve", "--read-only", "--bind", "127.0.0.1:0"]).stderr(Stdio::null());
    let server = Server::start(command);
    let (status, body) = http_get(server.addr(), "/api/search?q=agents").unwrap();
    assert_eq!(status, 200, "{body}");
    let (status, body) = http_get(server.addr(), "/healthz").unwrap();
    assert_eq!(status, 200, "{body}");
    drop(server);

    for (path, mode) in &modes {
        set_mode(path, *mode);
    }
    assert_eq!(listing(&s.index), before, "the index changed");
}
