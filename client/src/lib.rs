//! # daaki-imap
//!
//! A runtime-agnostic async IMAP client for IMAP4rev1 (RFC 3501) and IMAP4rev2 (RFC 9051) that
//! runs natively (tokio + rustls) and in the browser (`wasm32-unknown-unknown`, through the
//! `daaki-imap-bridge` WebSocket bridge).
//!
//! ## How it is built
//!
//! The crate is layered; every layer depends only on the layers below it:
//!
//! | module | owns | never does |
//! | --- | --- | --- |
//! | [`types`] | validated newtypes (`SequenceSet`, `MailboxName`, …) and the owned response model | I/O, parsing of server bytes |
//! | [`proto`] | the sans-I/O protocol core: framer, parser, encoder, session | async, I/O, timers |
//!
//! The driver task, transports and the public `ImapConnection` handle are built on top of
//! these (see the project README for the plan).
#![deny(unsafe_code)]
#![warn(missing_docs)]

mod connection;
mod driver;
mod error;
pub mod proto;
pub mod runtime;
pub mod transport;
pub mod types;

pub use connection::{
    DriverFuture, ImapConnection, ImapConnectionBuilder, IntoMailboxName, TlsMode,
};
pub use error::{Error, Result};
pub use proto::command::{
    MailboxFilter, NotifyEvent, NotifyEventGroup, NotifySetParams, StoreKind,
};
pub use proto::session::{Capabilities, ConnectionState};
#[cfg(all(not(target_arch = "wasm32"), feature = "tls"))]
pub use transport::tls::TrustRoots;
pub use types::{IdleEvent, TypedEvent};
