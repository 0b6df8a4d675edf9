//! Accepting connections: the WebSocket handshake, its checks, and handing over to the pipe.
//!
//! Only a disallowed `Origin` (403) or a wrong path (404) is refused before the upgrade.
//! Everything else a client must tell apart — no `daaki-imap.v1` subprotocol, a bad or
//! unknown target, a refused address, an upstream that cannot be reached — **accepts** the
//! upgrade and then closes with its [`CloseCode`], because browsers only ever see close code
//! 1006 for a refused handshake. The response echoes exactly the `daaki-imap.v1` entry of the
//! subprotocol list, never another one (such as a ticket).

use std::io;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use daaki_imap::wire::{BridgeTarget, CloseCode, MAX_FRAME_LEN, SUBPROTOCOL};
use futures_util::{SinkExt, StreamExt};
use tokio::net::{TcpListener, TcpStream};
use tokio_tungstenite::WebSocketStream;
use tokio_tungstenite::tungstenite::handshake::server::{ErrorResponse, Request, Response};
use tokio_tungstenite::tungstenite::http::{HeaderValue, StatusCode, header};
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;

use crate::config::Config;
use crate::pipe;
use crate::policy::{Connector, Policy, Resolver, SystemResolver};
use crate::upstream::RustlsConnector;

/// The WebSocket limits per connection.
///
/// tungstenite's default read buffer is 128 KiB per connection; the bridge only ever needs
/// one frame of client commands at a time, so 16 KiB keeps an idle session small (the goal is
/// many thousands of mostly idle sessions per instance). Messages and frames are capped at
/// [`MAX_FRAME_LEN`] (256 KiB): IMAP commands from a client are small except APPEND literals, which a client
/// sends in as many frames as it likes (boundaries carry no meaning). Writes go out
/// immediately (`write_buffer_size` 0) and at most 128 KiB may wait unsent before a write
/// fails — the pipe waits for each frame to flush anyway.
pub fn websocket_config() -> WebSocketConfig {
    WebSocketConfig::default()
        .read_buffer_size(16 * 1024)
        .write_buffer_size(0)
        .max_write_buffer_size(128 * 1024)
        .max_message_size(Some(MAX_FRAME_LEN))
        .max_frame_size(Some(MAX_FRAME_LEN))
}

/// How long the WebSocket handshake may take.
pub const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);
/// How long resolving, connecting and the upstream TLS handshake may take together.
pub const UPSTREAM_TIMEOUT: Duration = Duration::from_secs(20);

/// The bridge: configuration, policy and the injectable resolver and connector.
pub struct Bridge {
    config: Arc<Config>,
    policy: Policy,
    resolver: Arc<dyn Resolver>,
    connector: Arc<dyn Connector>,
}

impl std::fmt::Debug for Bridge {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Bridge")
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}

/// What the handshake callback learned.
struct Handshake {
    subprotocol: bool,
    target: Option<BridgeTarget>,
}

fn refuse(status: StatusCode) -> ErrorResponse {
    let mut response = ErrorResponse::new(None);
    *response.status_mut() = status;
    response
}

/// Whether the `Sec-WebSocket-Protocol` headers of `request` offer [`SUBPROTOCOL`].
pub fn offers_subprotocol(request: &Request) -> bool {
    request
        .headers()
        .get_all(header::SEC_WEBSOCKET_PROTOCOL)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .any(|entry| entry.trim() == SUBPROTOCOL)
}

impl Bridge {
    /// A bridge with the system resolver and the rustls connector (reads extra roots now).
    pub fn new(config: Config) -> io::Result<Self> {
        let connector = RustlsConnector::new(&config)?;
        Ok(Self::with_parts(
            config,
            Arc::new(SystemResolver),
            Arc::new(connector),
        ))
    }

    /// A bridge with the given resolver and connector (tests inject fakes).
    pub fn with_parts(
        config: Config,
        resolver: Arc<dyn Resolver>,
        connector: Arc<dyn Connector>,
    ) -> Self {
        let config = Arc::new(config);
        Self {
            policy: Policy::new(config.clone()),
            config,
            resolver,
            connector,
        }
    }

    /// The configuration.
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// Accepts connections from `listener` forever, each on its own task.
    pub async fn serve(self: Arc<Self>, listener: TcpListener) -> io::Result<()> {
        loop {
            let (tcp, peer) = match listener.accept().await {
                Ok(accepted) => accepted,
                Err(error) => {
                    tracing::warn!(%error, "accept failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            };
            let bridge = self.clone();
            tokio::spawn(async move { bridge.handle(tcp, peer).await });
        }
    }

    /// Runs one connection: handshake, checks, upstream, pipe.
    // The callback's error type is tungstenite's `ErrorResponse` (an HTTP response).
    #[allow(clippy::result_large_err)]
    pub async fn handle(&self, tcp: TcpStream, peer: SocketAddr) {
        let _ = tcp.set_nodelay(true);
        let mut learned = Handshake {
            subprotocol: false,
            target: None,
        };
        let config = &self.config;
        let callback = |request: &Request, mut response: Response| {
            let origin = request
                .headers()
                .get(header::ORIGIN)
                .and_then(|v| v.to_str().ok());
            if !config.origin_allowed(origin) {
                return Err(refuse(StatusCode::FORBIDDEN));
            }
            if request.uri().path() != config.path {
                return Err(refuse(StatusCode::NOT_FOUND));
            }
            if offers_subprotocol(request) {
                learned.subprotocol = true;
                response.headers_mut().insert(
                    header::SEC_WEBSOCKET_PROTOCOL,
                    HeaderValue::from_static(SUBPROTOCOL),
                );
            }
            learned.target = BridgeTarget::from_query(request.uri().query().unwrap_or("")).ok();
            Ok(response)
        };
        let handshake = tokio_tungstenite::accept_hdr_async_with_config(
            tcp,
            callback,
            Some(websocket_config()),
        );
        let ws = match tokio::time::timeout(HANDSHAKE_TIMEOUT, handshake).await {
            Ok(Ok(ws)) => ws,
            Ok(Err(error)) => {
                tracing::info!(%peer, %error, "handshake refused or failed");
                return;
            }
            Err(_) => {
                tracing::info!(%peer, "handshake timed out");
                return;
            }
        };
        if !learned.subprotocol {
            tracing::info!(%peer, "no {SUBPROTOCOL} subprotocol");
            return close(ws, CloseCode::SubprotocolRequired).await;
        }
        let Some(target) = learned.target else {
            tracing::info!(%peer, "missing or invalid target");
            return close(ws, CloseCode::BadRequest).await;
        };
        let open = self
            .policy
            .open(&target, self.resolver.as_ref(), self.connector.as_ref());
        let (upstream, vetted) = match tokio::time::timeout(UPSTREAM_TIMEOUT, open).await {
            Ok(Ok(opened)) => opened,
            Ok(Err(refusal)) => {
                tracing::info!(%peer, ?target, code = refusal.code.as_u16(), detail = %refusal.detail, "target refused");
                return close(ws, refusal.code).await;
            }
            Err(_) => {
                tracing::info!(%peer, ?target, "upstream timed out");
                return close(ws, CloseCode::UpstreamConnectFailed).await;
            }
        };
        tracing::info!(%peer, host = %vetted.host, addr = %vetted.addr, tls = vetted.tls, "piping");
        let end = pipe::run(ws, upstream).await;
        tracing::info!(%peer, ?end, "session ended");
    }
}

/// Closes `ws` with `code`, waiting (bounded) for the client's reply.
async fn close<S>(ws: WebSocketStream<S>, code: CloseCode)
where
    S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin,
{
    let (mut tx, mut rx) = ws.split();
    let _ = tx.send(pipe::close_message(code)).await;
    let drain = async { while let Some(Ok(_)) = rx.next().await {} };
    let _ = tokio::time::timeout(Duration::from_secs(2), drain).await;
}
