//! Black-box tests of the real `archive` binary, one integration test crate for speed.

mod util;

mod auth;
mod bad_archive;
mod browser;
mod cli;
mod damage;
mod faults;
mod http;
mod kill;
mod quality;
mod real_archives;
mod replicas;
mod serve;
mod twir;
mod user_files;
