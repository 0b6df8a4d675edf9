//! The handle itself: the shared state behind [`ImapConnection`] and the one request path
//! every command method goes through.

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::{mpsc, oneshot};

use crate::driver::{CommandRequest, Request, Shared};
use crate::proto::command::CommandBody;
use crate::proto::session::{Capabilities, CommandOutcome, ConnectionState, Enabled};
use crate::runtime;
use crate::transport::bridge::BridgeInfo;
use crate::types::response::FetchResponse;
use crate::types::{ImapString, QuirkCounts};
use crate::{Error, Result};

/// A connection to an IMAP server. Clone it freely: clones share one connection.
#[derive(Clone)]
pub struct ImapConnection {
    pub(super) inner: Arc<Inner>,
}

/// This crate's version: the `version` a connection sends with `ID` after login unless told
/// otherwise ([`ImapConnectionBuilder::client_id`](crate::ImapConnectionBuilder::client_id)).
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

/// What the clones of one connection share.
pub(super) struct Inner {
    /// Requests to the driver task.
    pub(super) requests: mpsc::Sender<Request>,
    /// State the driver publishes (capabilities, connection state, events).
    pub(super) shared: Arc<Shared>,
    default_timeout: Duration,
    /// What is sent right after authentication.
    pub(super) after_login: AfterLogin,
    /// What a connection through the bridge negotiated and measured.
    bridge: Option<BridgeInfo>,
}

/// What a connection sends right after authentication (LOGIN, AUTHENTICATE or a PREAUTH
/// greeting), each only when the server offers it.
#[derive(Debug, Clone)]
pub(super) struct AfterLogin {
    /// `ENABLE IMAP4rev2 UTF8=ACCEPT`.
    pub(super) enable_rev2: bool,
    /// `ID (fields)` (RFC 2971); `None`: no ID.
    pub(super) client_id: Option<Vec<(ImapString, Option<ImapString>)>>,
}

impl Default for AfterLogin {
    /// Both on; the ID says `name` `daaki-imap` and this crate's `version`.
    fn default() -> Self {
        let field = |key: &str, value: &str| {
            // Fixed ASCII text without CR, LF or NUL: always a valid IMAP string.
            ImapString::new(key).ok().zip(ImapString::new(value).ok())
        };
        let client_id = [field("name", "daaki-imap"), field("version", VERSION)]
            .into_iter()
            .map(|pair| pair.map(|(k, v)| (k, Some(v))))
            .collect();
        AfterLogin {
            enable_rev2: true,
            client_id,
        }
    }
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
    /// The handle to a driver task that reads `requests`.
    pub(super) fn new(
        requests: mpsc::Sender<Request>,
        shared: Arc<Shared>,
        default_timeout: Duration,
        after_login: AfterLogin,
        bridge: Option<BridgeInfo>,
    ) -> Self {
        Self {
            inner: Arc::new(Inner {
                requests,
                shared,
                default_timeout,
                after_login,
                bridge,
            }),
        }
    }

    /// For a connection through `daaki-imap-bridge` (`connect_via_bridge`, feature
    /// `websocket` or wasm32): the wire
    /// version the bridge chose and the transport's flow-control figures (live). `None` for
    /// other connections.
    ///
    /// ```no_run
    /// # fn example(conn: &daaki_imap::ImapConnection) {
    /// if let Some(info) = conn.bridge_info() {
    ///     println!("{}: {} bytes received", info.wire_version(), info.bytes_received());
    /// }
    /// # }
    /// ```
    pub fn bridge_info(&self) -> Option<&BridgeInfo> {
        self.inner.bridge.as_ref()
    }

    /// The server's capabilities as last reported (refreshed after login and STARTTLS).
    pub fn capabilities(&self) -> Capabilities {
        self.inner.shared.capabilities()
    }

    /// The extensions the server confirmed with `* ENABLED` (RFC 5161) and the dialect in
    /// force: after login the connection enables `IMAP4rev2` and `UTF8=ACCEPT` where offered
    /// (unless [`enable_imap4rev2(false)`](crate::ImapConnectionBuilder::enable_imap4rev2)),
    /// and [`enable`](Self::enable) adds more. As of the last completed command.
    ///
    /// ```no_run
    /// # fn example(conn: &daaki_imap::ImapConnection) {
    /// let enabled = conn.enabled();
    /// println!("{} with {:?}", enabled.dialect(), enabled.iter().collect::<Vec<_>>());
    /// # }
    /// ```
    pub fn enabled(&self) -> Enabled {
        self.inner.shared.enabled()
    }

    /// How many of the server's responses needed each tolerated deviation from the IMAP
    /// grammar ([`Quirk`](crate::types::Quirk): what it is, the servers that send it, the
    /// public report) — to report a server bug upstream. As of the last completed command.
    ///
    /// ```no_run
    /// # fn example(conn: &daaki_imap::ImapConnection) {
    /// for (quirk, responses) in conn.quirks().iter() {
    ///     eprintln!("{quirk} ({}): {responses} responses; see {}", quirk.servers(), quirk.source());
    /// }
    /// # }
    /// ```
    pub fn quirks(&self) -> QuirkCounts {
        self.inner.shared.quirks()
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
    pub(super) async fn request<T>(
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
        Ok(self.run_with(body, None, timeout).await?.into_result()?)
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
