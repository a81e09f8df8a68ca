//! One file per subcommand, one public function each. `anyhow` with context lives here
//! and only here.

mod check;
mod mcp;
mod reindex;
mod search;
mod serve;
mod show;
mod story;
mod user;
mod watch;

use std::process::ExitCode;

use crate::cli::{Cli, Command};

/// Runs the subcommand.
pub fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    match cli.command {
        Command::Reindex(args) => reindex::run(&cli.archive, &cli.index, &args),
        Command::Search(args) => search::run(&cli.index, &args),
        Command::Check(args) => check::run(&cli.archive, &cli.index, &args),
        Command::Show(args) => show::run(&cli.index, &args),
        Command::Story(args) => story::run(&cli.index, &args),
        Command::Serve(args) => serve::run(&cli.archive, &cli.index, &args),
        Command::User(args) => user::run(&args),
        Command::Mcp(args) => mcp::run(&cli.index, &args),
    }
}

/// A name from the archive (a path, an id) as a terminal or a log line may show it: its
/// control characters escaped (`\n`, `\u{1b}`), so that a file name cannot forge a line
/// or colour the terminal.
fn shown(name: &str) -> std::borrow::Cow<'_, str> {
    if !name.chars().any(char::is_control) {
        return name.into();
    }
    let escape = |c: char| match c.is_control() {
        true => c.escape_default().to_string(),
        false => c.to_string(),
    };
    name.chars().map(escape).collect::<String>().into()
}

/// Prints a value as pretty JSON on stdout.
fn print_json(value: &impl serde::Serialize) -> anyhow::Result<()> {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    serde_json::to_writer_pretty(&mut out, value)?;
    writeln!(out)?;
    Ok(())
}
