//! `archive user`: the users file `serve --auth-file` reads. Secrets are read from the
//! terminal without echo (or from stdin for scripts) and stored only as argon2 hashes.

use std::io::BufRead;
use std::process::ExitCode;

use anyhow::{Context, bail};
use archive::auth::Users;

use crate::cli::{UserAction, UserArgs};

pub fn run(args: &UserArgs) -> anyhow::Result<ExitCode> {
    let path = &args.auth_file;
    let mut users = Users::load_or_new(path)?;
    match &args.action {
        UserAction::Add { name, password_stdin } => {
            let password = if *password_stdin {
                let mut line = String::new();
                std::io::stdin().lock().read_line(&mut line).context("cannot read stdin")?;
                line.trim_end_matches(['\r', '\n']).to_owned()
            } else {
                let first = rpassword::prompt_password(format!("password for {name}: "))
                    .context("cannot read the password from the terminal (use --password-stdin)")?;
                let again = rpassword::prompt_password("again: ")?;
                if first != again {
                    bail!("the two passwords differ; nothing changed");
                }
                first
            };
            let new = !users.list().iter().any(|(user, ..)| user == name);
            users.set_password(name, &password)?;
            users.save(path)?;
            let what = if new { "added" } else { "changed the password of" };
            let to = if new { "to" } else { "in" };
            eprintln!("{what} `{name}` {to} {}", path.display());
        }
        UserAction::Token { name } => {
            let token = users.new_token(name)?;
            users.save(path)?;
            eprintln!("a new token for `{name}` (shown once; the old one no longer works):");
            println!("{token}");
        }
        UserAction::Remove { name } => {
            users.remove(name)?;
            users.save(path)?;
            eprintln!("removed `{name}` from {}", path.display());
        }
        UserAction::List => {
            for (name, password, token) in users.list() {
                let has = |yes, what| if yes { what } else { "" };
                println!("{name}\t{}\t{}", has(password, "password"), has(token, "token"));
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}
