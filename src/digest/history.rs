//! An archive's git history: the day each file was first added, for entries whose files
//! give no day (a weekly kept as `docs/issue-300.md`). Read with gix, once per commit of
//! the archive's HEAD (a reindex keeps it beside the index), following renames; the
//! day is the author's, in the author's time zone.

use std::collections::HashMap;
use std::ops::ControlFlow;
use std::path::Path;

use chrono::NaiveDate;
use gix::bstr::ByteSlice;
use gix::object::tree::diff::Change;

/// The day each file of the archive was first added, by its path below the archive root.
#[derive(Debug, Default, PartialEq)]
pub struct History {
    /// The commit it was read at.
    pub head: String,
    days: HashMap<String, NaiveDate>,
}

impl History {
    /// The history of the git repository that holds `root`, read at its HEAD; `None`
    /// when `root` is in no repository (or one without commits). `cached` is used as it
    /// is when it was read at the same HEAD.
    pub fn read(root: &Path, cached: Option<History>) -> Result<Option<History>, String> {
        let Ok(repo) = gix::discover(root) else { return Ok(None) };
        let Ok(head) = repo.head_commit() else { return Ok(None) };
        let head_id = head.id.to_string();
        if let Some(cached) = cached.filter(|c| c.head == head_id) {
            return Ok(Some(cached));
        }
        let err = |e: &dyn std::fmt::Display| format!("reading the git history: {e}");
        // A shallow clone's oldest commit seems to add every file it holds.
        if repo.is_shallow().unwrap_or(true) {
            return Err(err(
                &"the repository is a shallow clone (`git fetch --unshallow` gives its whole history)",
            ));
        }
        let root = root.canonicalize().map_err(|e| err(&e))?;
        let workdir = repo.workdir().ok_or_else(|| err(&"the repository has no work tree"))?;
        let workdir = workdir.canonicalize().map_err(|e| err(&e))?;
        // Git names files with `/` between folders, as the walk's paths do.
        let prefix = root.strip_prefix(&workdir).map_err(|e| err(&e))?;
        let prefix: String =
            prefix.components().map(|c| format!("{}/", c.as_os_str().to_string_lossy())).collect();

        // Oldest first, along the first parents: a file's day is that of the commit that
        // added it (or added it under an older name), a merged branch's files that of the
        // merge.
        let mut commits = vec![];
        for info in repo.rev_walk([head.id]).first_parent_only().all().map_err(|e| err(&e))? {
            commits.push(info.map_err(|e| err(&e))?.id);
        }
        commits.reverse();
        let mut days: HashMap<String, NaiveDate> = HashMap::new();
        let empty = repo.empty_tree();
        for id in commits {
            let commit = repo.find_commit(id).map_err(|e| err(&e))?;
            let time = commit.author().map_err(|e| err(&e))?.time().map_err(|e| err(&e))?;
            let local = time.seconds + i64::from(time.offset);
            let Some(day) = chrono::DateTime::from_timestamp(local, 0).map(|t| t.date_naive())
            else {
                continue;
            };
            let tree = commit.tree().map_err(|e| err(&e))?;
            let parent = match commit.parent_ids().next() {
                Some(p) => repo.find_commit(p).map_err(|e| err(&e))?.tree().map_err(|e| err(&e))?,
                None => empty.clone(),
            };
            let mut changes = parent.changes().map_err(|e| err(&e))?;
            changes.options(|o| {
                o.track_path().track_rewrites(Some(gix::diff::Rewrites::default()));
            });
            changes
                .for_each_to_obtain_tree(&tree, |change| {
                    let path = |p: &gix::bstr::BStr| p.to_str_lossy().into_owned();
                    match change {
                        Change::Addition { location, entry_mode, .. } if entry_mode.is_blob() => {
                            days.entry(path(location)).or_insert(day);
                        }
                        Change::Rewrite { source_location, location, .. } => {
                            let first = days.remove(&path(source_location)).unwrap_or(day);
                            days.insert(path(location), first);
                        }
                        Change::Deletion { location, .. } => {
                            days.remove(&path(location));
                        }
                        _ => {}
                    }
                    Ok(ControlFlow::Continue(()))
                })
                .map_err(|e| err(&e))?;
        }
        let days = days
            .into_iter()
            .filter_map(|(path, day)| Some((path.strip_prefix(&prefix)?.to_string(), day)))
            .collect();
        Ok(Some(History { head: head_id, days }))
    }

    /// The day the file at `rel` (below the archive root, `/`-separated) was first added.
    pub fn day(&self, rel: &str) -> Option<NaiveDate> {
        self.days.get(rel).copied()
    }

    /// As text, to be kept beside the index: the HEAD, then a line per file.
    pub fn to_text(&self) -> String {
        let mut lines: Vec<String> =
            self.days.iter().map(|(path, day)| format!("{day}\t{path}")).collect();
        lines.sort_unstable();
        format!("head\t{}\n{}\n", self.head, lines.join("\n"))
    }

    /// From [`History::to_text`]; `None` for anything else.
    pub fn from_text(text: &str) -> Option<History> {
        let mut lines = text.lines();
        let head = lines.next()?.strip_prefix("head\t")?.to_string();
        let mut days = HashMap::new();
        for line in lines.filter(|l| !l.is_empty()) {
            let (day, path) = line.split_once('\t')?;
            days.insert(path.to_string(), day.parse().ok()?);
        }
        Some(History { head, days })
    }
}
