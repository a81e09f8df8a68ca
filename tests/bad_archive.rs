//! A fixture of bad files next to good ones: each bad file is reported by name with its
//! cause, every other file is indexed, and nothing panics.

use serde_json::Value;

use crate::util::{Sandbox, http_get, text};

fn skipped_reason(r: &Value, path: &str) -> Option<String> {
    r["skipped"]
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["path"] == path)
        .map(|x| x["reason"].as_str().unwrap().to_string())
}

#[test]
fn bad_files_are_reported_and_the_rest_indexed() {
    let s = Sandbox::empty();
    s.write("good/2026-01-01.md", "## Good\n\nA kiwi item.\n");
    s.write("bad/not-utf8.md", b"---\ntitle: caf\xe9\n---\n\nx\n");
    s.write("bad/binary.md", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR");
    s.write("bad/empty.md", "");
    s.write("bad/unclosed.md", "---\ntitle: never closed\n\n## A heading\n\nText.\n");
    s.write(
        "bad/wrong-types.md",
        "---\ndate: not a date\ntags: 5\n---\n\n## Typed\n\nA weka item.\n",
    );
    s.write("bad/2026-01-02-long-line.md", format!("## Long\n\n{}\n", "moa ".repeat(250_000)));
    s.write(
        "bad/2026-01-03-nested.md",
        format!("{}deep\n\n{}quoted\n", "- ".repeat(10_000), "> ".repeat(10_000)),
    );
    s.write(
        "bad/2026-01-04-brackets.md",
        format!("{}\n\n{}\n", "[a](<b".repeat(20_000), "*a **b ".repeat(20_000)),
    );
    s.write(
        "bad/2026-01-05-template.md",
        "## Templates\n\n{% if x %}{{ x }}{% endif %} a takahe item\n",
    );
    s.write(
        "bad/2026-01-06-bom-crlf.md",
        "\u{feff}---\r\ntitle: Windows\r\n---\r\n\r\n## Item\r\n\r\nA kakapo item.\r\n",
    );
    s.write("dup/a.md", "## A\n\nFirst.\n");
    s.write("dup/a.markdown", "## A\n\nSecond.\n");
    let big = format!("## Big\n\n{}", "x".repeat(33 << 20));
    s.write("bad/huge.md", big);
    #[cfg(unix)]
    {
        std::os::unix::fs::symlink("/etc/passwd", s.archive.join("bad/outside.md")).unwrap();
        std::os::unix::fs::symlink(
            s.archive.join("bad/loop-b.md"),
            s.archive.join("bad/loop-a.md"),
        )
        .unwrap();
        std::os::unix::fs::symlink(
            s.archive.join("bad/loop-a.md"),
            s.archive.join("bad/loop-b.md"),
        )
        .unwrap();
        std::os::unix::fs::symlink(
            s.archive.join("good/2026-01-01.md"),
            s.archive.join("good/alias.md"),
        )
        .unwrap();
    }

    let out = s.command().args(["reindex", "--json"]).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let r: Value = serde_json::from_slice(&out.stdout).unwrap();
    let expect = [
        ("bad/not-utf8.md", "UTF-8"),
        ("bad/binary.md", "binary"),
        ("bad/unclosed.md", "never closed"),
        ("bad/huge.md", "over the limit"),
        ("dup/a.md", "duplicate id `dup/a`"),
    ];
    for (path, cause) in expect {
        let reason = skipped_reason(&r, path).unwrap_or_else(|| panic!("{path} not reported: {r}"));
        assert!(reason.contains(cause), "{path}: {reason}");
    }
    #[cfg(unix)]
    {
        assert!(skipped_reason(&r, "bad/outside.md").unwrap().contains("outside the archive"));
        assert!(skipped_reason(&r, "bad/loop-a.md").unwrap().contains("symlink"));
    }
    // Warnings, not failures: indexed with what could be read.
    let warnings = r["warnings"].as_array().unwrap();
    assert!(
        warnings.iter().any(|w| w["path"] == "bad/wrong-types.md"
            && w["reason"].as_str().unwrap().contains("not a date")),
        "{r}"
    );
    assert!(warnings.iter().any(|w| w["path"] == "bad/empty.md"), "{r}");

    for word in ["kiwi", "weka", "takahe", "kakapo", "moa", "deep", "quoted"] {
        assert!(s.search(word)["total"].as_u64().unwrap() >= 1, "{word} not indexed");
    }
    assert!(
        s.search("kiwi")["hits"].as_array().unwrap().iter().any(|h| h["entry_id"] == "good/alias"),
        "a link inside the archive is followed"
    );
    let first = s.json(&["show", "dup/a"], 0);
    assert_eq!(first["items"][0]["text"], "Second.", "a.markdown sorts first and wins");

    // check reports the same files.
    let out = s.run(&["check"]);
    assert_eq!(out.status.code(), Some(1));
    let report = text(&out.stdout);
    for (path, _) in expect {
        assert!(report.contains(path), "{path} missing from check: {report}");
    }
}

#[test]
fn pathological_markdown_renders_in_the_server() {
    use std::time::Instant;
    let s = Sandbox::empty();
    s.write("p/2026-01-01-nested.md", format!("{}deep\n", "> ".repeat(10_000)));
    s.write("p/2026-01-02-lists.md", format!("{}deep\n", "* ".repeat(10_000)));
    s.write("p/2026-01-03-brackets.md", "[a](<b".repeat(50_000));
    s.reindex();
    let server = s.serve(&[]);
    for id in ["p/2026-01-01-nested", "p/2026-01-02-lists", "p/2026-01-03-brackets"] {
        let started = Instant::now();
        let (status, body) = http_get(server.addr(), &format!("/entries/{id}")).unwrap();
        assert_eq!(status, 200, "{id}: {}", &body[..body.len().min(300)]);
        assert!(body.contains("deep") || body.contains("[a]("), "{id}: the text is rendered");
        eprintln!("{id}: rendered in {:?}", started.elapsed());
    }
}
