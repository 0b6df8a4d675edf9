//! `ImapConnectionBuilder`: everything about a connection that is not per call.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::mpsc;

use super::ImapConnection;
use super::handle::AfterLogin;
use super::handshake;
use crate::driver::{Driver, DriverConfig, Shared};
use crate::proto::Limits;
use crate::proto::session::{Session, SessionConfig};
use crate::runtime::{self, MaybeSend};
use crate::transport::BoxStream;
use crate::transport::bridge::BridgeInfo;
#[cfg(any(target_arch = "wasm32", feature = "websocket"))]
use crate::transport::bridge::WireVersion;
use crate::types::{ImapString, TypedEvent};
use crate::{Error, Result};

#[cfg(all(not(target_arch = "wasm32"), feature = "tls"))]
use crate::transport::tls::{TlsOptions, TrustRoots};

/// How the connection is secured.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum TlsMode {
    /// TLS from the first byte (IMAPS, port 993). The default choice.
    Implicit,
    /// Plain connect, then `STARTTLS` (port 143). Required: if the server does not offer
    /// STARTTLS or refuses it, connecting fails — nothing is ever sent in the clear.
    StartTls,
    /// No TLS at all: passwords and mail cross the network readable by anyone. Only for local
    /// development and tests; must be chosen explicitly.
    Plaintext,
}

/// The driver's future, for running the connection on an executor of your choice (see
/// [`ImapConnectionBuilder::from_stream`]).
#[cfg(not(target_arch = "wasm32"))]
pub type DriverFuture = Pin<Box<dyn Future<Output = ()> + Send + 'static>>;
/// The driver's future, for running the connection on an executor of your choice (see
/// [`ImapConnectionBuilder::from_stream`]).
#[cfg(target_arch = "wasm32")]
pub type DriverFuture = Pin<Box<dyn Future<Output = ()> + 'static>>;

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
}

/// Builds [`ImapConnection`]s: trust roots, limits, queue sizes and the default timeout.
///
/// ```no_run
/// # async fn example() -> daaki_imap::Result<()> {
/// use std::time::Duration;
/// use daaki_imap::{ImapConnection, TlsMode};
/// let conn = ImapConnection::builder()
///     .default_timeout(Duration::from_secs(20))
///     .event_queue_size(1024)
///     .connect("imap.example.com", 993, TlsMode::Implicit, Duration::from_secs(30))
///     .await?;
/// # Ok(()) }
/// ```
#[derive(Debug, Clone)]
pub struct ImapConnectionBuilder {
    session: SessionConfig,
    event_capacity: usize,
    request_capacity: usize,
    default_timeout: Duration,
    /// `pub(crate)` so the driver's unit tests can refresh faster than the 1 s minimum.
    pub(crate) idle_refresh: Duration,
    after_login: AfterLogin,
    #[cfg(all(not(target_arch = "wasm32"), feature = "tls"))]
    tls: TlsOptions,
    #[cfg(all(not(target_arch = "wasm32"), feature = "websocket"))]
    bridge_origin: Option<String>,
    #[cfg(target_arch = "wasm32")]
    bridge_ticket: Option<String>,
    /// The newest wire version offered to the bridge.
    #[cfg(any(target_arch = "wasm32", feature = "websocket"))]
    bridge_wire_version: WireVersion,
    /// The receive window granted to the bridge under wire version 2.
    #[cfg(any(target_arch = "wasm32", feature = "websocket"))]
    bridge_window: u32,
}

impl Default for ImapConnectionBuilder {
    fn default() -> Self {
        Self {
            session: SessionConfig::default(),
            event_capacity: 4096,
            request_capacity: 256,
            default_timeout: Duration::from_secs(30),
            idle_refresh: Duration::from_secs(25 * 60),
            after_login: AfterLogin::default(),
            #[cfg(all(not(target_arch = "wasm32"), feature = "tls"))]
            tls: TlsOptions::default(),
            #[cfg(all(not(target_arch = "wasm32"), feature = "websocket"))]
            bridge_origin: None,
            #[cfg(target_arch = "wasm32")]
            bridge_ticket: None,
            #[cfg(any(target_arch = "wasm32", feature = "websocket"))]
            bridge_wire_version: WireVersion::LATEST,
            #[cfg(any(target_arch = "wasm32", feature = "websocket"))]
            bridge_window: crate::wire::DEFAULT_WINDOW,
        }
    }
}

impl ImapConnectionBuilder {
    /// The timeout of calls that take none, such as `logout()` (default 30 s).
    pub fn default_timeout(mut self, timeout: Duration) -> Self {
        self.default_timeout = timeout;
        self
    }

    /// Size limits for server responses (line, literal, whole response).
    pub fn limits(mut self, limits: Limits) -> Self {
        self.session.limits = limits;
        self
    }

    /// The most response bytes one buffered call (e.g. `fetch`) may collect (default 256 MiB).
    /// A larger reply fails with [`Error::ReplyTooLarge`]; use `uid_fetch_streaming` for it.
    pub fn max_reply_bytes(mut self, limit: u64) -> Self {
        self.session.max_collected_bytes = limit;
        self
    }

    /// How many unsolicited events are kept for `drain_events` / `next_event` (default 4096).
    /// When full, the oldest are dropped and a `TypedEvent::Overflow` says how many.
    pub fn event_queue_size(mut self, capacity: usize) -> Self {
        self.event_capacity = capacity.max(1);
        self
    }

    /// How long one IDLE runs before it is re-issued (default 25 minutes; servers may drop a
    /// client that is idle for 30).
    pub fn idle_refresh(mut self, interval: Duration) -> Self {
        self.idle_refresh = interval.max(Duration::from_secs(1));
        self
    }

    /// Whether to `ENABLE IMAP4rev2` (RFC 9051) and `UTF8=ACCEPT` (RFC 6855) right after
    /// LOGIN / AUTHENTICATE when the server offers them (default: yes). Every call returns
    /// the same types on either dialect; turn this off to stay on IMAP4rev1 on purpose (for
    /// example to keep LSUB and `\Recent`).
    ///
    /// ```
    /// let builder = daaki_imap::ImapConnection::builder().enable_imap4rev2(false);
    /// # drop(builder);
    /// ```
    pub fn enable_imap4rev2(mut self, enable: bool) -> Self {
        self.after_login.enable_rev2 = enable;
        self
    }

    /// The identification sent with `ID` (RFC 2971) right after authentication when the
    /// server advertises ID — by default `("name", "daaki-imap")` and `("version", <this
    /// crate's version>)`. Yahoo and 163.com refuse SELECT with "Unsafe Login" until the
    /// client has identified itself; other servers log it. Replaces the default fields; a
    /// key or value that is not a valid IMAP string (NUL, CR, LF) is
    /// [`Error::InvalidInput`](crate::Error::InvalidInput). [`send_client_id(false)`](Self::send_client_id)
    /// turns ID off.
    ///
    /// ```
    /// let builder = daaki_imap::ImapConnection::builder()
    ///     .client_id(&[("name", "my-mail-app"), ("version", "2.1"), ("vendor", "Example")])?;
    /// # drop(builder);
    /// # Ok::<(), daaki_imap::Error>(())
    /// ```
    pub fn client_id(mut self, fields: &[(&str, &str)]) -> Result<Self> {
        let fields = fields
            .iter()
            .map(|(k, v)| Ok((ImapString::new(k)?, Some(ImapString::new(v)?))))
            .collect::<Result<Vec<_>, crate::types::InvalidInput>>()?;
        self.after_login.client_id = Some(fields);
        Ok(self)
    }

    /// Whether to send `ID` after authentication when the server advertises it (default:
    /// yes, with the [`client_id`](Self::client_id) fields). `false` sends none;
    /// `true` again restores the default fields.
    ///
    /// ```
    /// let builder = daaki_imap::ImapConnection::builder().send_client_id(false);
    /// # drop(builder);
    /// ```
    pub fn send_client_id(mut self, send: bool) -> Self {
        self.after_login.client_id = match send {
            true => self
                .after_login
                .client_id
                .take()
                .or_else(|| AfterLogin::default().client_id),
            false => None,
        };
        self
    }

    /// Acts as if the server did not advertise `capability` (e.g. `MOVE`, to use the
    /// COPY/EXPUNGE fallback, or `LITERAL+`).
    pub fn ignore_capability(mut self, capability: &str) -> Self {
        self.session
            .ignored_capabilities
            .push(capability.to_owned());
        self
    }

    /// Chooses the base set of trusted root certificates (default: the OS store).
    #[cfg(all(not(target_arch = "wasm32"), feature = "tls"))]
    pub fn trust_roots(mut self, roots: TrustRoots) -> Self {
        self.tls.roots(roots);
        self
    }

    /// Also trusts the certificates in `pem` (e.g. a private CA).
    #[cfg(all(not(target_arch = "wasm32"), feature = "tls"))]
    pub fn add_root_pem(mut self, pem: &[u8]) -> Result<Self> {
        self.tls.add_root_pem(pem)?;
        Ok(self)
    }

    /// **Dangerous**: accept any server certificate. Anyone on the network path can then read
    /// and change the session, passwords included. For throw-away test servers only.
    #[cfg(all(not(target_arch = "wasm32"), feature = "tls"))]
    pub fn dangerous_accept_any_certificate(mut self) -> Self {
        self.tls.dangerous_accept_any_certificate();
        self
    }

    /// Connects over TCP (and TLS per `tls`), reads the greeting, does STARTTLS if asked, and
    /// starts the driver on the current tokio runtime. All of it within `timeout`.
    #[cfg(all(not(target_arch = "wasm32"), feature = "tls"))]
    pub async fn connect(
        self,
        host: &str,
        port: u16,
        tls: TlsMode,
        timeout: Duration,
    ) -> Result<ImapConnection> {
        let setup = async {
            let tcp = tokio::net::TcpStream::connect((host, port)).await?;
            tcp.set_nodelay(true)?;
            let mut session = Session::new(self.session.clone());
            let mut early = Vec::new();
            let stream: BoxStream = match tls {
                TlsMode::Implicit => {
                    let mut stream = self.tls.handshake(host, tcp).await?;
                    handshake::greeting(&mut session, &mut stream, &mut early).await?;
                    Box::new(stream)
                }
                TlsMode::StartTls => {
                    let mut tcp = tcp;
                    handshake::greeting(&mut session, &mut tcp, &mut early).await?;
                    handshake::starttls(&mut session, &mut tcp, &mut early).await?;
                    // Nothing received in the clear reaches the application: a man in the
                    // middle could have written it (an ALERT, fake mailbox news).
                    early.clear();
                    let mut stream = self.tls.handshake(host, tcp).await?;
                    session.transport_changed();
                    // Capabilities learned before TLS were discarded; ask again, protected.
                    handshake::capability(&mut session, &mut stream, &mut early).await?;
                    Box::new(stream)
                }
                TlsMode::Plaintext => {
                    let mut tcp = tcp;
                    handshake::greeting(&mut session, &mut tcp, &mut early).await?;
                    Box::new(tcp)
                }
            };
            Ok::<_, Error>((session, stream, early))
        };
        let (session, stream, early) = runtime::timeout(timeout, setup)
            .await
            .unwrap_or(Err(Error::Timeout))?;
        let (connection, driver) = self.start(session, stream, early, None);
        runtime::spawn(driver);
        // A PREAUTH greeting skips login: ID and ENABLE now, as login would.
        connection.after_login(timeout).await?;
        Ok(connection)
    }

    /// The `Origin` header [`connect_via_bridge`](Self::connect_via_bridge) sends (browsers
    /// set it themselves). The bridge refuses origins outside its allowlist with HTTP 403.
    #[cfg(all(not(target_arch = "wasm32"), feature = "websocket"))]
    pub fn bridge_origin(mut self, origin: impl Into<String>) -> Self {
        self.bridge_origin = Some(origin.into());
        self
    }

    /// Connects through `daaki-imap-bridge` at `bridge_url` (`ws://…/imap` or `wss://…/imap`;
    /// `wss` uses this builder's trust roots) to `target`, reads the greeting and starts the
    /// driver on the current tokio runtime, all within `timeout`. The bridge does the TLS to
    /// the IMAP server. A refusal by the bridge is [`Error::Bridge`] with its close code.
    ///
    /// Offers wire versions 2 and 1 ([`bridge_wire_version`](Self::bridge_wire_version)) and
    /// runs the one the bridge picks; under version 2 the bridge sends at most
    /// [`bridge_window`](Self::bridge_window) bytes ahead of what the connection has read,
    /// and the connection sends at most the upload credit the bridge granted (its upload
    /// window), reading the bridge meanwhile. [`ImapConnection::bridge_info`] says which
    /// version runs, with the figures of both directions.
    #[cfg(all(not(target_arch = "wasm32"), feature = "websocket"))]
    pub async fn connect_via_bridge(
        self,
        bridge_url: &str,
        target: crate::wire::BridgeTarget,
        timeout: Duration,
    ) -> Result<ImapConnection> {
        let open = async {
            let transport = crate::transport::websocket::connect(
                bridge_url,
                &target,
                self.bridge_origin.as_deref(),
                &self.tls,
                self.bridge_wire_version,
                self.bridge_window,
            )
            .await?;
            let info = transport.info().clone();
            Ok((transport, info))
        };
        self.greet_over_bridge(open, timeout).await
    }

    /// The receive window granted to the bridge under wire version 2 ([`crate::wire::flow`]):
    /// how many bytes the bridge may send ahead of what the connection has read. Default
    /// [`DEFAULT_WINDOW`](crate::wire::DEFAULT_WINDOW) (1 MiB); clamped to
    /// 1..=[`MAX_WINDOW`](crate::wire::MAX_WINDOW) (16 MiB). The connection grants more each
    /// time it has read a quarter of the window, so a larger window mainly helps on links with
    /// a long round trip (throughput is at most a window per round trip); a smaller one bounds
    /// memory tighter (in browsers the received bytes wait in the page's memory). No effect
    /// under wire version 1.
    ///
    /// ```
    /// let builder = daaki_imap::ImapConnection::builder().bridge_window(4 * 1024 * 1024);
    /// # let _ = builder;
    /// ```
    #[cfg(any(target_arch = "wasm32", feature = "websocket"))]
    pub fn bridge_window(mut self, bytes: u32) -> Self {
        self.bridge_window = bytes.clamp(1, crate::wire::MAX_WINDOW);
        self
    }

    /// The newest wire version [`connect_via_bridge`](Self::connect_via_bridge) offers
    /// (default [`WireVersion::LATEST`], version 2: the bridge picks version 1 if that is
    /// all it speaks). [`WireVersion::V1`] offers only `daaki-imap.v1` — for comparisons,
    /// or for a path that cannot carry version 2's text frames. The version in force is in
    /// [`ImapConnection::bridge_info`].
    ///
    /// ```
    /// use daaki_imap::{ImapConnection, WireVersion};
    /// let builder = ImapConnection::builder().bridge_wire_version(WireVersion::V1);
    /// # let _ = builder;
    /// ```
    #[cfg(any(target_arch = "wasm32", feature = "websocket"))]
    pub fn bridge_wire_version(mut self, newest: WireVersion) -> Self {
        self.bridge_wire_version = newest;
        self
    }

    /// A ticket for the bridge, sent as the last WebSocket subprotocol entry, after the wire
    /// versions offered (base64url without padding; see [`crate::wire::is_ticket_token`]).
    /// Checked when connecting. A bridge older than wire version 2 that requires tickets
    /// refuses a ticket offered next to `daaki-imap.v2` ([`CloseCode::TicketInvalid`]); the
    /// connection then tries once more offering only version 1.
    ///
    /// [`CloseCode::TicketInvalid`]: crate::wire::CloseCode::TicketInvalid
    #[cfg(target_arch = "wasm32")]
    pub fn bridge_ticket(mut self, ticket: impl Into<String>) -> Self {
        self.bridge_ticket = Some(ticket.into());
        self
    }

    /// Connects through `daaki-imap-bridge` at `bridge_url` (`ws://…/imap` or `wss://…/imap`;
    /// the browser does the TLS of `wss` and sends the page's `Origin`) to `target`, reads
    /// the greeting and starts the driver with `wasm-bindgen-futures`, all within `timeout`.
    /// The bridge does the TLS to the IMAP server. A refusal by the bridge is
    /// [`Error::Bridge`] with its close code; a refused handshake (such as an `Origin` outside
    /// the bridge's allowlist, which browsers report as close code 1006) is [`Error::Io`]
    /// of kind `ConnectionRefused`.
    ///
    /// Offers wire versions 2 and 1 ([`bridge_wire_version`](Self::bridge_wire_version)) and
    /// runs the one the bridge picks. Browsers give a WebSocket no receive backpressure:
    /// under version 2 the bridge sends at most [`bridge_window`](Self::bridge_window) bytes
    /// ahead of what the connection has read, so a slow consumer (a large
    /// `uid_fetch_streaming` read slowly) holds at most that much in the page; under
    /// version 1 the transport's emergency cap
    /// ([`MAX_QUEUED_BYTES`](crate::transport::browser::MAX_QUEUED_BYTES)) applies. Under
    /// version 2 uploads, too, go only as far as the bridge's upload credit.
    /// [`ImapConnection::bridge_info`] says which version runs.
    #[cfg(target_arch = "wasm32")]
    pub async fn connect_via_bridge(
        self,
        bridge_url: &str,
        target: crate::wire::BridgeTarget,
        timeout: Duration,
    ) -> Result<ImapConnection> {
        let ticket = self.bridge_ticket.as_deref();
        let (target, window) = (&target, self.bridge_window);
        let attempt = |offer: WireVersion| async move {
            let transport = crate::transport::browser::BrowserWebSocket::open_with(
                bridge_url, target, ticket, offer, window,
            )
            .await?;
            let info = transport.info().clone();
            Ok((transport, info))
        };
        let offer = self.bridge_wire_version;
        match self.greet_over_bridge(attempt(offer), timeout).await {
            Err(error) if retry_offering_v1(offer, ticket.is_some(), &error) => {
                self.greet_over_bridge(attempt(WireVersion::V1), timeout)
                    .await
            }
            result => result,
        }
    }

    /// The common tail of both `connect_via_bridge`s: open the WebSocket, read the greeting
    /// (a bridge close code surfacing as an I/O error becomes [`Error::Bridge`]), start and
    /// spawn the driver — all within `timeout`.
    #[cfg(any(target_arch = "wasm32", feature = "websocket"))]
    async fn greet_over_bridge<S>(
        &self,
        open: impl std::future::Future<Output = Result<(S, BridgeInfo)>>,
        timeout: Duration,
    ) -> Result<ImapConnection>
    where
        S: crate::transport::Stream,
    {
        let setup = async {
            let (mut stream, info) = open.await?;
            let mut session = Session::new(self.session.clone());
            let mut early = Vec::new();
            handshake::greeting(&mut session, &mut stream, &mut early)
                .await
                .map_err(|e| match e {
                    Error::Io(e) => crate::Error::from_io(e),
                    other => other,
                })?;
            Ok::<_, Error>((session, Box::new(stream) as BoxStream, early, info))
        };
        let (session, stream, early, info) = runtime::timeout(timeout, setup)
            .await
            .unwrap_or(Err(Error::Timeout))?;
        let (connection, driver) = self.start(session, stream, early, Some(info));
        runtime::spawn(driver);
        // A PREAUTH greeting skips login: ID and ENABLE now, as login would.
        connection.after_login(timeout).await?;
        Ok(connection)
    }

    /// Runs IMAP over a stream you opened (any `futures-io` byte stream: a TLS stream of
    /// async-std or smol, a Unix socket, an in-memory pipe). Reads the greeting within
    /// `timeout`, then returns the connection and the driver future: spawn it on your
    /// executor, or nothing will happen. The stream must already be secured as you need.
    pub async fn from_stream<S>(
        self,
        stream: S,
        timeout: Duration,
    ) -> Result<(ImapConnection, DriverFuture)>
    where
        S: futures_io::AsyncRead + futures_io::AsyncWrite + Unpin + MaybeSend + 'static,
    {
        use tokio_util::compat::FuturesAsyncReadCompatExt;
        let mut stream = stream.compat();
        let mut session = Session::new(self.session.clone());
        let mut early = Vec::new();
        runtime::timeout(
            timeout,
            handshake::greeting(&mut session, &mut stream, &mut early),
        )
        .await
        .unwrap_or(Err(Error::Timeout))?;
        Ok(self.start(session, Box::new(stream), early, None))
    }

    /// Creates the handle and the driver future for a greeted session.
    pub(crate) fn start(
        &self,
        session: Session,
        stream: BoxStream,
        early_events: Vec<TypedEvent>,
        bridge: Option<BridgeInfo>,
    ) -> (ImapConnection, DriverFuture) {
        let shared = Arc::new(Shared::new(self.event_capacity, &session));
        for event in early_events {
            shared.push_event(event);
        }
        let (tx, rx) = mpsc::channel(self.request_capacity);
        let driver = Driver::new(
            session,
            shared.clone(),
            DriverConfig {
                idle_refresh: self.idle_refresh,
            },
        );
        let connection = ImapConnection::new(
            tx,
            shared,
            self.default_timeout,
            self.after_login.clone(),
            bridge,
        );
        (connection, Box::pin(driver.run(stream, rx)))
    }
}

/// Whether a failed bridge connection is worth one more attempt offering only wire version 1:
/// a bridge older than version 2 that requires tickets takes every subprotocol entry besides
/// `daaki-imap.v1` for a ticket, so `daaki-imap.v2` next to a ticket reads to it as two
/// tickets and it refuses the session as [`CloseCode::TicketInvalid`](crate::wire::CloseCode).
/// (A bridge that speaks version 2 refuses a bad ticket the same way whatever is offered:
/// the second attempt then fails alike.)
#[cfg(any(target_arch = "wasm32", all(test, feature = "websocket")))]
fn retry_offering_v1(
    offered: crate::transport::bridge::WireVersion,
    ticket: bool,
    error: &Error,
) -> bool {
    offered >= crate::transport::bridge::WireVersion::V2
        && ticket
        && matches!(
            error,
            Error::Bridge {
                code: crate::wire::CloseCode::TicketInvalid,
                ..
            }
        )
}

#[cfg(all(test, feature = "websocket"))]
mod tests {
    use super::*;
    use crate::wire::CloseCode;

    #[test]
    fn only_a_ticket_refused_after_offering_version_2_is_retried_with_version_1() {
        let refused = |code| Error::Bridge {
            code,
            reason: String::new(),
        };
        let ticket_invalid = refused(CloseCode::TicketInvalid);
        assert!(retry_offering_v1(WireVersion::V2, true, &ticket_invalid));
        assert!(!retry_offering_v1(WireVersion::V1, true, &ticket_invalid));
        assert!(!retry_offering_v1(WireVersion::V2, false, &ticket_invalid));
        for other in [
            refused(CloseCode::LimitReached),
            refused(CloseCode::TargetNotAllowed),
            Error::Timeout,
        ] {
            assert!(
                !retry_offering_v1(WireVersion::V2, true, &other),
                "{other:?}"
            );
        }
    }

    #[test]
    fn the_window_is_clamped_and_version_2_is_offered_by_default() {
        let builder = ImapConnection::builder();
        assert_eq!(builder.bridge_window, crate::wire::DEFAULT_WINDOW);
        assert_eq!(builder.bridge_wire_version, WireVersion::V2);
        assert_eq!(ImapConnection::builder().bridge_window(0).bridge_window, 1);
        assert_eq!(
            ImapConnection::builder()
                .bridge_window(u32::MAX)
                .bridge_window,
            crate::wire::MAX_WINDOW
        );
        let v1 = ImapConnection::builder().bridge_wire_version(WireVersion::V1);
        assert_eq!(v1.bridge_wire_version, WireVersion::V1);
    }
}
