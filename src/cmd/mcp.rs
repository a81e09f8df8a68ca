//! `archive mcp`: the MCP server on stdio, for an assistant that launches it. It reads
//! the index only (following new commits, as `serve` does), so it runs beside a
//! `serve --watch` or a `reindex`; stdout carries the protocol alone, the log goes to
//! stderr.

use std::io::IsTerminal;
use std::path::Path;
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::Context;
use archive::search::Engine;
use archive::web::AppState;
use archive::web::mcp::ArchiveMcp;
use rmcp::ServiceExt;

use crate::cli::McpArgs;

pub fn run(index_dir: &Path, args: &McpArgs) -> anyhow::Result<ExitCode> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "warn".into()),
        )
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal())
        .init();
    let engine = Engine::open(index_dir)?.with_drafts(args.drafts);
    engine.verify_stores()?;
    let state = Arc::new(AppState::new(Arc::new(engine), archive::web::MAX_IN_FLIGHT));
    let server = ArchiveMcp::new(state, &args.base_url);
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    runtime.block_on(async {
        let running = server.serve(rmcp::transport::stdio()).await.context("MCP handshake")?;
        running.waiting().await.context("MCP session")?;
        anyhow::Ok(())
    })?;
    Ok(ExitCode::SUCCESS)
}
