#![doc = include_str!("../README.md")]
//!
//! ## How it is built
//!
//! The crate is layered; every layer depends only on the layers below it:
//!
//! | layer | owns | never does |
//! | --- | --- | --- |
//! | [`types`] | validated newtypes (`SequenceSet`, `MailboxName`, …) and the owned response model | I/O, parsing of server bytes |
//! | [`proto`] | the sans-I/O core: framer, parser, encoder, session state machine | async, I/O, timers |
//! | [`runtime`] | spawn / sleep / timeout per target (tokio natively, `futures-timer` on other executors via `from_stream`, `setTimeout` in browsers) | protocol logic |
//! | [`transport`] | byte streams: TCP + rustls natively, WebSocket in the browser | IMAP parsing |
//! | driver (private) | the task that owns the transport and runs the session | anything a caller can block |
//! | [`ImapConnection`] | the cheap, cloneable handle with typed methods | touch the socket itself |
//!
//! A command travels like this: `ImapConnection::select` builds a typed
//! [`proto::command::CommandBody`] and sends it to the driver over a channel; the driver
//! submits it to the [`proto::Session`], which encodes it (choosing atoms, quoted strings or
//! literals by the server's capabilities) and queues the bytes; the driver writes them, feeds
//! what it reads back into the session, and the session routes the untagged data to the command
//! that asked for it (everything else becomes a [`TypedEvent`]). The tagged completion resolves
//! the caller's future with a typed result assembled by [`proto::session::assemble`].
#![deny(unsafe_code)]
#![warn(missing_docs)]

mod connection;
pub mod dialects;
mod driver;
mod error;
#[cfg(all(target_arch = "wasm32", feature = "js"))]
pub mod js;
pub mod proto;
pub mod runtime;
pub mod transport;
pub mod types;
pub mod wire;

/// Pipelining: the [`Pipeline`] builder and the step types that make its result tuple.
pub use connection::pipeline;
pub use connection::{
    DriverFuture, ImapConnection, ImapConnectionBuilder, IntoMailboxName, Pipeline, TlsMode,
};
pub use error::{Error, Result};
pub use proto::session::{Capabilities, ConnectionState};
#[cfg(all(not(target_arch = "wasm32"), feature = "tls"))]
pub use transport::tls::TrustRoots;
/// The request types of the seed README's examples, at the crate root as the seed promises
/// (their home is [`types`]).
pub use types::{
    AppendMessage, MailboxFilter, NotifyEvent, NotifyEventGroup, NotifySetParams, QResyncParams,
    StoreKind,
};
pub use types::{IdleEvent, TypedEvent};
