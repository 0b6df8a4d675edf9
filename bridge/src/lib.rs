//! # daaki-imap-bridge
//!
//! A small, hardened WebSocket-to-TLS bridge that lets browsers reach IMAP servers without
//! ever becoming an open proxy. The wire contract (path, subprotocol, target query, close
//! codes) lives in [`daaki_imap::wire`]; this crate implements the bridge side of it.
//!
//! | module | owns |
//! | --- | --- |
//! | [`config`] | the TOML configuration: listen address, path, origins, targets, patterns, tickets, TLS, limits |
//! | [`policy`] | target selection, DNS resolved once, every address vetted; injectable resolver and connector |
//! | [`upstream`] | the real connector: TCP to the vetted address + rustls (ring), certificate verified; the listener's optional TLS |
//! | [`admission`] | which connections are held, admitted, or closed at accept (caps, grace bands, the descriptor budget) |
//! | [`proxy_protocol`] | the PROXY protocol header (v1/v2) a TCP load balancer writes first: read exactly, parsed by `ppp` |
//! | [`client_addr`] | who the client is behind trusted proxies (`Forwarded`, `X-Forwarded-For`), and its per-IP key (IPv6 per prefix) |
//! | [`server`] | admission, optional TLS, the WebSocket handshake and its checks (Origin → 403; everything else → 4xxx close), tickets, graceful shutdown |
//! | [`upgrade`] | the HTTP upgrade's reading side: no byte past the request head goes to tungstenite |
//! | [`websocket`] | server-side RFC 6455 framing, sans-I/O and streaming (no frame is ever held whole) |
//! | [`pipe`] | bytes both ways, unchanged, bounded; wire v2 control messages and credit (the upstream is read only while the client granted credit); idle/duration limits, pings, closing with deadlines |
//! | [`ticket`] | HMAC-SHA256 tickets: mint and verify, versions 1 and 2 (with a subject; format in [`daaki_imap::wire`]) |
//! | [`subjects`] | open sessions per ticket subject under `max_sessions_per_subject`: RAII slots, entries only while sessions are open |
//! | [`metrics`] | counters, the Prometheus exposition, `/metrics` and `/healthz` |
//! | [`cli`] | the `daaki-imap-bridge` command line (the binary's `main`): flags, environment, logs, serving until SIGTERM |
#![deny(unsafe_code)]
#![warn(missing_docs)]

pub mod address;
pub mod admission;
pub mod cli;
pub mod client_addr;
pub mod config;
pub mod metrics;
pub mod pipe;
pub mod policy;
pub mod proxy_protocol;
pub mod server;
pub mod subjects;
pub mod ticket;
pub mod upgrade;
pub mod upstream;
pub mod websocket;

pub use config::Config;
pub use server::Bridge;

/// The bridge's version, as reported by `daaki-imap-bridge --version`.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
