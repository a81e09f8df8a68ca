//! The integration tests, one crate for speed. Where a new test goes:
//!
//! | file | what it drives | kind of test |
//! | --- | --- | --- |
//! | `cli.rs` | the real binary on a copy of the sample archive | reindex, search, show, check as a user runs them |
//! | `real_archives.rs`, `bad_archive.rs` | the real binary on `tests/fixtures` | digests in real shapes (HTML, drafts, languages); bad files reported by name |
//! | `datasets.rs` | the parser on the four archives of `../shared/datasets` and the sample | no entry loses its date, title or items against `tests/baselines/` |
//! | `twir.rs` | the parser and the binary on `../shared/datasets/twir` | a real archive end to end (fails clearly where it is missing) |
//! | `quality.rs` | the binary and `bin/quality` | recall fallbacks, and a floor on the quality figures |
//! | `http.rs` | the router in process (`oneshot`), no socket | status codes, JSON fields, headers, every error path |
//! | `serve.rs`, `auth.rs`, `replicas.rs` | `archive serve` as a process, over sockets (nginx for replicas) | following commits, `--watch`, shutdown, credentials, load balancing |
//! | `browser.rs` | headless Chromium against `archive serve` | what a reader sees and clicks |
//! | `mcp.rs` | `archive mcp` through the official Python MCP SDK (`tests/mcp/client.py`) | tools, resources and errors, against the JSON API |
//! | `user_files.rs` | the real binary | the user's files are never deleted or dropped |
//! | `growth.rs` | the parser in process | each stage linear in its input: 8x the input within 20x the time |
//! | `kill.rs`, `damage.rs`, `faults.rs` | the binary killed; index files damaged; `index::reindex_in` with a failing directory | crashes, damage and I/O errors leave an index that answers as before or after |
//!
//! Unit tests sit beside the code they test (`#[cfg(test)]`, or a sibling `tests.rs`).

mod util;

mod auth;
mod bad_archive;
mod browser;
mod cli;
mod damage;
mod datasets;
mod faults;
mod growth;
mod http;
mod kill;
mod mcp;
mod quality;
mod real_archives;
mod replicas;
mod serve;
mod twir;
mod user_files;
