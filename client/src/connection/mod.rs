//! `ImapConnection`: the public handle.
//!
//! A cheap, cloneable handle to a driver task ([`crate::driver`]) that owns the transport.
//! Every method takes `&self` and a `Duration`: the call fails with [`Error::Timeout`] when
//! the time is up — and the connection stays usable, because the driver finishes the command
//! and drops its result. Dropping any returned future is equally harmless.
//!
//! The handle and its one request path are in `handle.rs`, connecting (the builder and
//! [`ImapConnection::connect`]) in `builder.rs`. Methods are grouped by protocol area: [`session`](self) commands (capability, login,
//! logout, …) in `session.rs`, mailbox commands in `mailbox.rs`, message commands in
//! `message.rs`, ESEARCH/SORT/THREAD in `search.rs`, APPEND in `append.rs`,
//! CONDSTORE/QRESYNC in `sync.rs`, events in
//! `events.rs`, NOTIFY in `notify.rs`, COMPRESS in `compress.rs`,
//! pipelining in `pipeline.rs`, ACL / QUOTA / METADATA in `access.rs`.

mod access;
mod append;
mod args;
mod builder;
mod compress;
mod events;
mod gmail;
mod handle;
mod handshake;
mod mailbox;
mod message;
mod notify;
mod partial;
pub mod pipeline;
mod search;
mod session;
mod streaming;
mod sync;

pub use args::IntoMailboxName;
pub use builder::{DriverFuture, ImapConnectionBuilder, TlsMode};
pub use handle::{ImapConnection, VERSION};
pub use pipeline::Pipeline;
