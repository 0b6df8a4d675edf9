//! `daaki-imap-bridge`: the WebSocket-to-TLS bridge service.
#![deny(unsafe_code)]

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use clap::Parser;
use daaki_imap_bridge::{Bridge, Config};

/// A WebSocket-to-TLS bridge that lets browsers reach IMAP servers.
#[derive(Debug, Parser)]
#[command(name = "daaki-imap-bridge", version)]
struct Cli {
    /// The TOML configuration file.
    #[arg(long)]
    config: PathBuf,
    /// Listen here instead of the configuration's `listen`.
    #[arg(long)]
    listen: Option<SocketAddr>,
}

#[tokio::main]
async fn main() {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .init();
    let cli = Cli::parse();
    if let Err(error) = run(cli).await {
        eprintln!("daaki-imap-bridge: {error}");
        std::process::exit(1);
    }
}

async fn run(cli: Cli) -> Result<(), Box<dyn std::error::Error>> {
    let mut config = Config::load(&cli.config)?;
    if let Some(listen) = cli.listen {
        config.listen = listen;
    }
    let listener = tokio::net::TcpListener::bind(config.listen).await?;
    tracing::info!(addr = %listener.local_addr()?, path = %config.path, "listening");
    let bridge = Arc::new(Bridge::new(config)?);
    tokio::select! {
        result = bridge.serve(listener) => result?,
        _ = tokio::signal::ctrl_c() => tracing::info!("shutting down"),
    }
    Ok(())
}
