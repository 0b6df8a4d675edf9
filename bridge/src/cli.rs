//! The `daaki-imap-bridge` command line: flags, environment, logs, serving until SIGTERM.
//!
//! The binary's `main` is [`main`]; it lives in the library so that other packages (the
//! integration tests, which run the bridge as a real process behind nginx) can build the very
//! same program as a binary of their own. The command line is documented on the binary
//! (`bridge/src/main.rs`) and by `daaki-imap-bridge --help`.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

use clap::{Parser, Subcommand, ValueEnum};
use daaki_imap::wire::BridgeTarget;

use crate::config::Config;
use crate::metrics;
use crate::server::Bridge;
use crate::ticket::{TicketKey, TicketSubject, unix_now};

/// A WebSocket-to-TLS bridge that lets browsers reach IMAP servers.
#[derive(Debug, Parser)]
#[command(name = "daaki-imap-bridge", version)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
    /// The TOML configuration file (required to serve).
    #[arg(long, env = "DAAKI_BRIDGE_CONFIG")]
    config: Option<PathBuf>,
    /// Listen here instead of the configuration's `listen`.
    #[arg(long, env = "DAAKI_BRIDGE_LISTEN")]
    listen: Option<SocketAddr>,
    /// Serve /metrics and /healthz here instead of the configuration's `metrics_listen`.
    #[arg(long, env = "DAAKI_BRIDGE_METRICS_LISTEN")]
    metrics_listen: Option<SocketAddr>,
    /// Log format.
    #[arg(long, env = "DAAKI_BRIDGE_LOG_FORMAT", value_enum, default_value_t = LogFormat::Text)]
    log_format: LogFormat,
    /// Check the configuration (and the files it names), print the effective configuration
    /// and its warnings, and exit without serving.
    #[arg(long)]
    check_config: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum LogFormat {
    /// Human-readable lines.
    Text,
    /// One JSON object per line.
    Json,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Print a ticket for a named target (for testing; app backends mint their own).
    Ticket {
        /// The file holding the shared secret (as `ticket_secret_file`).
        #[arg(long)]
        secret_file: PathBuf,
        /// The configured target name the ticket is for.
        #[arg(long)]
        target: String,
        /// Seconds until the ticket expires.
        #[arg(long, default_value_t = 300)]
        ttl: u64,
        /// The user or account the ticket is for (1-128 bytes, no control characters): mints
        /// a version-2 ticket, counted against `limits.max_sessions_per_subject`. Without it,
        /// a version-1 ticket (no subject, not capped per subject).
        #[arg(long)]
        subject: Option<String>,
    },
}

type CliResult = Result<(), Box<dyn std::error::Error>>;

/// Runs the bridge's command line (`std::env::args`): serves, checks the configuration, or
/// prints a ticket. Returns failure (exit code 1) after printing the error on standard
/// error; a command-line usage error exits through clap (code 2).
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Some(Command::Ticket {
            ref secret_file,
            ref target,
            ttl,
            ref subject,
        }) => ticket(secret_file, target, ttl, subject.as_deref()),
        None if cli.check_config => check_config(&cli),
        None => {
            init_logs(cli.log_format);
            tokio::runtime::Builder::new_multi_thread()
                .enable_all()
                .build()
                .map_err(Into::into)
                .and_then(|runtime| runtime.block_on(serve(cli)))
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("daaki-imap-bridge: {error}");
            ExitCode::FAILURE
        }
    }
}

fn init_logs(format: LogFormat) {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .with_writer(std::io::stderr);
    match format {
        LogFormat::Text => builder.init(),
        LogFormat::Json => builder.json().init(),
    }
}

fn ticket(secret_file: &Path, target: &str, ttl: u64, subject: Option<&str>) -> CliResult {
    let key = TicketKey::load(secret_file)?;
    let target = BridgeTarget::named(target)?;
    let expires = unix_now().saturating_add(ttl);
    let ticket = match subject {
        None => key.mint(&target, expires),
        Some(subject) => key.mint_for(&TicketSubject::new(subject)?, &target, expires),
    };
    println!("{ticket}");
    Ok(())
}

/// Completes on SIGTERM or SIGINT.
async fn shutdown_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = term.recv() => {}
                    _ = tokio::signal::ctrl_c() => {}
                }
            }
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}

/// The configuration file with the flags' and environment's overrides applied.
fn effective_config(cli: &Cli) -> Result<Config, Box<dyn std::error::Error>> {
    let path = cli
        .config
        .as_deref()
        .ok_or("--config (or DAAKI_BRIDGE_CONFIG) is required")?;
    let mut config = Config::load(path)?;
    if let Some(listen) = cli.listen {
        config.listen = listen;
    }
    if let Some(listen) = cli.metrics_listen {
        config.metrics_listen = Some(listen);
    }
    Ok(config)
}

/// `--check-config`: the fatal checks of start-up, then the effective configuration and the
/// warnings on standard output.
fn check_config(cli: &Cli) -> CliResult {
    let config = effective_config(cli)?;
    let warnings = config.warnings();
    println!("{config:#?}");
    Bridge::new(config)?;
    for warning in &warnings {
        println!("warning: {warning}");
    }
    println!("configuration OK ({} warning(s))", warnings.len());
    Ok(())
}

async fn serve(cli: Cli) -> CliResult {
    let config = effective_config(&cli)?;
    for warning in config.warnings() {
        tracing::warn!("configuration: {warning}");
    }
    let (listen, metrics_listen) = (config.listen, config.metrics_listen);
    let (path, tickets) = (config.path.clone(), config.ticket_secret_file.is_some());
    // Connections are descriptors: use the whole hard limit (the budget is read from it).
    let nofile = crate::admission::raise_nofile_limit();
    // Every fatal check (ticket secret, TLS certificate) before binding and "listening".
    let bridge = Arc::new(Bridge::new(config)?);
    let caps = bridge.admission().caps();
    if caps.descriptors.connections < caps.max_connections {
        tracing::warn!(
            nofile = ?nofile,
            connections = caps.descriptors.connections,
            max_connections = caps.max_connections,
            "the descriptor limit (RLIMIT_NOFILE) allows fewer connections than \
             max_connections; the rest are closed at accept (raise LimitNOFILE / ulimit -n)"
        );
    }
    let listener = tokio::net::TcpListener::bind(listen).await?;
    let metrics_listener = match metrics_listen {
        Some(addr) => Some(tokio::net::TcpListener::bind(addr).await?),
        None => None,
    };
    tracing::info!(
        addr = %listener.local_addr()?,
        path = %path,
        tickets,
        "listening"
    );
    if let Some(metrics_listener) = metrics_listener {
        tracing::info!(addr = %metrics_listener.local_addr()?, "serving /metrics and /healthz");
        tokio::spawn(metrics::serve(metrics_listener, bridge.metrics().clone()));
    }
    bridge.serve_until(listener, shutdown_signal()).await?;
    Ok(())
}
