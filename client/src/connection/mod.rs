//! `ImapConnection`: the public handle.
//!
//! A cheap, cloneable handle to a driver task ([`crate::driver`]) that owns the transport.
//! Every method takes `&self` and a `Duration`: the call fails with [`Error::Timeout`] when
//! the time is up — and the connection stays usable, because the driver finishes the command
//! and drops its result. Dropping any returned future is equally harmless.
//!
//! Methods are grouped by protocol area: [`session`](self) commands (capability, login,
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

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::{mpsc, oneshot};

pub use args::IntoMailboxName;
pub use builder::{DriverFuture, ImapConnectionBuilder, TlsMode};
pub use pipeline::Pipeline;

use crate::driver::{CommandRequest, Request, Shared};
use crate::proto::command::CommandBody;
use crate::proto::session::{Capabilities, CommandOutcome, ConnectionState};
use crate::runtime;
use crate::types::response::FetchResponse;
use crate::{Error, Result};

/// A connection to an IMAP server. Clone it freely: clones share one connection.
#[derive(Clone)]
pub struct ImapConnection {
    inner: Arc<Inner>,
}

struct Inner {
    requests: mpsc::Sender<Request>,
    shared: Arc<Shared>,
    default_timeout: Duration,
    /// ENABLE IMAP4rev2 / UTF8=ACCEPT after login when offered.
    auto_enable: bool,
}

impl std::fmt::Debug for ImapConnection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ImapConnection")
            .field("state", &self.state())
            .field("closed", &self.is_closed())
            .finish_non_exhaustive()
    }
}

impl ImapConnection {
    /// A builder for trust roots, limits, queue sizes and the default timeout.
    pub fn builder() -> ImapConnectionBuilder {
        ImapConnectionBuilder::default()
    }

    /// Connects to `host:port` with default settings (OS trust roots), reads the greeting and,
    /// for [`TlsMode::StartTls`], upgrades the connection before returning.
    ///
    /// ```no_run
    /// # async fn example() -> daaki_imap::Result<()> {
    /// use daaki_imap::{ImapConnection, TlsMode};
    /// let t = std::time::Duration::from_secs(30);
    /// let conn = ImapConnection::connect("imap.example.com", 993, TlsMode::Implicit, t).await?;
    /// # Ok(()) }
    /// ```
    #[cfg(all(not(target_arch = "wasm32"), feature = "tls"))]
    pub async fn connect(host: &str, port: u16, tls: TlsMode, timeout: Duration) -> Result<Self> {
        Self::builder().connect(host, port, tls, timeout).await
    }

    /// Connects through `daaki-imap-bridge` with default settings; see
    /// [`ImapConnectionBuilder::connect_via_bridge`].
    #[cfg(any(target_arch = "wasm32", feature = "websocket"))]
    pub async fn connect_via_bridge(
        bridge_url: &str,
        target: crate::wire::BridgeTarget,
        timeout: Duration,
    ) -> Result<Self> {
        Self::builder()
            .connect_via_bridge(bridge_url, target, timeout)
            .await
    }

    fn new(
        requests: mpsc::Sender<Request>,
        shared: Arc<Shared>,
        default_timeout: Duration,
        auto_enable: bool,
    ) -> Self {
        Self {
            inner: Arc::new(Inner {
                requests,
                shared,
                default_timeout,
                auto_enable,
            }),
        }
    }

    /// The server's capabilities as last reported (refreshed after login and STARTTLS).
    pub fn capabilities(&self) -> Capabilities {
        self.inner.shared.capabilities()
    }

    /// The connection state as of the last completed command.
    pub fn state(&self) -> ConnectionState {
        self.inner.shared.state()
    }

    /// Whether the connection is closed (after LOGOUT, BYE or a transport failure).
    pub fn is_closed(&self) -> bool {
        self.inner.shared.is_closed()
    }

    /// The timeout used by calls that take none (e.g. [`ImapConnection::logout`]).
    pub fn default_timeout(&self) -> Duration {
        self.inner.default_timeout
    }

    /// Sends one request and waits for its reply, within `timeout`.
    async fn request<T>(
        &self,
        make: impl FnOnce(oneshot::Sender<Result<T>>) -> Request,
        timeout: Duration,
    ) -> Result<T> {
        let (tx, rx) = oneshot::channel();
        let request = make(tx);
        let exchange = async {
            self.inner
                .requests
                .send(request)
                .await
                .map_err(|_| Error::Closed)?;
            rx.await.map_err(|_| Error::Closed)?
        };
        runtime::timeout(timeout, exchange)
            .await
            .unwrap_or(Err(Error::Timeout))
    }

    /// Runs one command; `NO`/`BAD` become [`Error::No`] / [`Error::Bad`].
    pub(crate) async fn run(&self, body: CommandBody, timeout: Duration) -> Result<CommandOutcome> {
        self.run_with(body, None, timeout).await?.into_result()
    }

    /// Runs one command whose FETCH data goes to `stream` as it arrives.
    pub(crate) async fn run_with(
        &self,
        body: CommandBody,
        stream: Option<mpsc::Sender<Result<FetchResponse>>>,
        timeout: Duration,
    ) -> Result<CommandOutcome> {
        use tracing::Instrument;
        // The span names the command only: arguments (passwords, message data) never reach
        // logs.
        let span = tracing::debug_span!("imap_command", command = body.name());
        let result = self
            .request(
                |reply| {
                    Request::Commands(vec![CommandRequest {
                        body,
                        reply,
                        stream,
                    }])
                },
                timeout,
            )
            .instrument(span.clone())
            .await;
        if let Err(error) = &result {
            span.in_scope(|| tracing::debug!(%error, "command failed"));
        }
        result
    }
}
