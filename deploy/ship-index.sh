#!/usr/bin/env bash
# Ships the writer's index to a replica's copy (another folder, or HOST:folder over ssh)
# so the replica never sees a half-copied index:
#
#   1. a snapshot: hard links to the index's files, taken while holding the writer's
#      lock (so no reindex commits or removes files half-way; it waits for one running);
#      Tantivy never changes a file in place (meta.json is replaced by a rename), so
#      the links hold one commit;
#   2. every file of the snapshot but meta.json is copied (segment files are immutable:
#      rsync skips those the replica has);
#   3. meta.json last, which rsync replaces by a rename: replicas switch to the new
#      commit only now, when every file it names is there;
#   4. files the new commit no longer names are deleted (a replica still reading an
#      older commit keeps its open files).
#
# Usage: deploy/ship-index.sh INDEX_DIR DEST_DIR     (DEST_DIR may be host:/path)
# Run it after `archive reindex`, from cron or the same script.
set -euo pipefail
if [ $# -ne 2 ]; then
  echo "usage: $0 INDEX_DIR DEST_DIR" >&2
  exit 2
fi
src=${1%/}
dest=${2%/}
if [ ! -f "$src/meta.json" ]; then
  echo "$0: $src holds no index (no meta.json)" >&2
  exit 2
fi
snapshot=$(mktemp -d "$(dirname "$src")/.ship-snapshot.XXXXXX")
trap 'rm -rf "$snapshot"' EXIT
# The writer's lock file is Tantivy's (flock): a reindex waits while we link. Only what
# a replica reads: the commit, its file list, and segment files (named by a 32-digit
# segment id); not the locks, nor reindex's own cache, nor temporary files.
flock "$src/.tantivy-writer.lock" \
  find "$src" -maxdepth 1 -type f \( -name meta.json -o -name .managed.json \
    -o -regextype posix-extended -regex '.*/[0-9a-f]{32}\.[^/]*' \) -exec ln -t "$snapshot" {} +
case "$dest" in
  *:*) ;;                      # remote: rsync creates it
  *) mkdir -p "$dest" ;;
esac
rsync -a --exclude meta.json "$snapshot/" "$dest/"
rsync -a "$snapshot/meta.json" "$dest/meta.json"
rsync -a --delete --exclude meta.json --exclude '.tantivy-*.lock' "$snapshot/" "$dest/"
