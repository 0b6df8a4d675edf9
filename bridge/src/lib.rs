//! # daaki-imap-bridge
//!
//! A small, hardened WebSocket-to-TLS bridge that lets browsers reach IMAP servers without
//! ever becoming an open proxy. This crate is a placeholder until the bridge issues land; it
//! builds so the workspace layout is final from the start.
#![deny(unsafe_code)]
#![warn(missing_docs)]

/// The bridge's version, as reported by `daaki-imap-bridge --version`.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
