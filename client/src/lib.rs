#![doc = include_str!("../README.md")]
//!
//! ## How it is built
//!
//! The crate is layered; every layer depends only on the layers below it (checked in CI by
//! `cargo xtask layers`: no import cycle between files, no upward import, no file over 800
//! lines outside its tests):
//!
//! | layer | owns | never does |
//! | --- | --- | --- |
//! | [`types`] | every value a caller builds or receives: validated request types (`SequenceSet`, `MailboxName`, `SearchKey`, `NotifySetParams`, …), the one response model (`types::response`), [`types::InvalidInput`] | import anything above it; I/O, parsing of server bytes |
//! | [`proto`] | the sans-I/O core: framer, parser (with an internal borrowed model it converts from once), command bodies and their encoder, session state machine, [`proto::ProtoError`] | async, I/O, timers |
//! | [`Error`], [`wire`], [`runtime`] | the crate's error (wrapping `ProtoError` and `InvalidInput`); the bridge wire contract; spawn / sleep / timeout per target | protocol logic |
//! | [`transport`] | byte streams: TCP + rustls natively, WebSocket in the browser | IMAP parsing |
//! | driver (private) | the task that owns the transport and runs the session; the bounded event queue | anything a caller can block |
//! | [`ImapConnection`], [`dialects`] | the cheap, cloneable handle with typed methods, capability checks; server dialect notes | touch the socket itself |
//! | `js` (wasm32 + feature `js`) | the npm package's facade, one file per area like `connection` | protocol logic of its own |
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
    VERSION,
};
pub use error::{Error, Result};
pub use proto::session::{Capabilities, ConnectionState, Dialect, Enabled};
pub use transport::bridge::{BridgeInfo, WireVersion};
#[cfg(all(not(target_arch = "wasm32"), feature = "tls"))]
pub use transport::tls::TrustRoots;
/// The request types of the seed README's examples, at the crate root as the seed promises
/// (their home is [`types`]).
pub use types::{
    AppendMessage, MailboxFilter, NotifyEvent, NotifyEventGroup, NotifySetParams, QResyncParams,
    StoreKind,
};
pub use types::{IdleEvent, TypedEvent};
