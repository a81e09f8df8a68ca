#!/usr/bin/env bash
# Instructions per warm search for each query of the bench's set, with callgrind (which
# this machine's noise does not move): a run with --repeat 1 and one with --repeat 6,
# counted inside Engine::search only; the difference over the 10 extra searches (each
# repeat is a page of items and a page of one hit per story) is printed in millions.
#
#   scripts/work-per-search.sh [BENCH_BINARY] [DIGESTS] [DIR]   (needs valgrind; the
#   bench's index for DIGESTS must exist, in DIR, by default target/bench/DIGESTS: run the
#   bench once first; a binary of another schema needs its own DIR)
set -euo pipefail
cd "$(dirname "$0")/.."
bench=${1:-target/release/bench}
digests=${2:-100000}
dir=${3:-target/bench/$digests}
out=$(mktemp -d)
# The query set, as written in the bench's source (one Rust string literal per line).
sed -n '/^const QUERIES/,/^];/p' src/bin/bench/main.rs | grep '^    "' |
    sed 's/^    "//; s/",$//; s/\\"/"/g' |
    while IFS= read -r query; do
        count() {
            valgrind --tool=callgrind --callgrind-out-file="$out/cg" --log-file="$out/vg" \
                --toggle-collect='*Engine*::search' "$bench" --digests "$digests" --dir "$dir" \
                --queries-only --no-rg --http-seconds 0 --repeat "$1" --query "$query" \
                >/dev/null 2>"$out/err" || {
                echo "the bench failed on \`$query\` (is there an index for $digests digests?):" >&2
                tail -5 "$out/err" >&2
                exit 1
            }
            awk '/^(summary|totals):/ {print $2; exit}' "$out/cg"
        }
        one=$(count 1)
        six=$(count 6)
        awk -v q="$query" -v a="$one" -v b="$six" \
            'BEGIN {printf "%s\t%.1f\n", q, (b - a) / 10 / 1e6}'
    done
rm -rf "$out"
