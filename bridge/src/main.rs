//! `daaki-imap-bridge`: the WebSocket-to-TLS bridge service.
//!
//! ```text
//! daaki-imap-bridge --config bridge.toml [--listen ADDR] [--metrics-listen ADDR] [--log-format json]
//! daaki-imap-bridge --config bridge.toml --check-config
//! daaki-imap-bridge ticket --secret-file F --target NAME [--ttl 300] [--subject S]
//! ```
//! Every fatal check (the configuration, the ticket secret, the TLS certificate) runs before
//! the bridge binds and logs "listening"; likely mistakes in a valid configuration are logged
//! as warnings ([`Config::warnings`](daaki_imap_bridge::Config::warnings)). `--check-config`
//! runs the same checks, prints the effective configuration and the warnings, and exits (1 on
//! a fatal problem). Text logs carry ANSI colours only when standard error is a terminal.
//! Every serve flag also reads an environment variable (`DAAKI_BRIDGE_CONFIG`,
//! `DAAKI_BRIDGE_LISTEN`, `DAAKI_BRIDGE_METRICS_LISTEN`, `DAAKI_BRIDGE_LOG_FORMAT`); flags and
//! variables override the file. `RUST_LOG` sets the log filter (default `info`).
//!
//! The program itself is [`daaki_imap_bridge::cli`] (in the library, so the integration tests
//! can run the same program as a process of their own).
#![deny(unsafe_code)]

fn main() -> std::process::ExitCode {
    daaki_imap_bridge::cli::main()
}
