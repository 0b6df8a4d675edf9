//! Accepting connections: the WebSocket handshake, its checks, and handing over to the pipe.
//!
//! Only a disallowed `Origin` (403) or a wrong path (404) is refused before the upgrade.
//! Everything else a client must tell apart — no subprotocol the bridge speaks, a bad or
//! unknown target, a refused address, an upstream that cannot be reached — **accepts** the
//! upgrade and then closes with its [`CloseCode`], because browsers only ever see close code
//! 1006 for a refused handshake.
//!
//! **Negotiation**: if the client offers `daaki-imap.v2` and `wire_versions` lists 2, the
//! response echoes `daaki-imap.v2` and the session runs version 2 (flow control,
//! [`pipe::Wire::V2`]); else if it offers `daaki-imap.v1` and `wire_versions` lists 1, it
//! echoes `daaki-imap.v1` and runs version 1; else it is refused with
//! `SubprotocolRequired`. The response echoes exactly that one entry, never another one (such
//! as a ticket); neither token counts as a ticket entry, whichever is chosen.
//!
//! With `proxy_protocol = true`, the PROXY header comes first, before TLS (a connection
//! without a valid one is closed unanswered, `proxy_header`).
//! Order of checks after the upgrade: connection caps (`LimitReached`), subprotocol, target
//! syntax (`BadRequest`), ticket (`TicketInvalid`), sessions per ticket subject
//! (`LimitReached`, version-2 tickets only), then the target policy — so every refusal
//! happens before anything is resolved or dialled, and each is counted in [`Metrics`].

use std::future::Future;
use std::io;
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::sync::atomic::Ordering::Relaxed;
use std::time::Duration;

use daaki_imap::wire::{BridgeTarget, CloseCode, SUBPROTOCOL, SUBPROTOCOL_V2, TlsPlacement};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;
use tokio_tungstenite::tungstenite::handshake::server::{ErrorResponse, Request, Response};
use tokio_tungstenite::tungstenite::http::{HeaderValue, StatusCode, header};
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;

use crate::admission::{Admission, Caps, DescriptorBudget, Held};
use crate::client_addr;
use crate::config::{Config, Limits, WireVersion};
use crate::metrics::{Metrics, Reason, UpstreamError};
use crate::pipe::{self, PipeEnd, PipeLimits, Wire};
use crate::policy::{Connector, Policy, Resolver, SystemResolver};
use crate::proxy_protocol;
use crate::subjects::Subjects;
use crate::ticket::{TicketError, TicketKey, TicketSubject, unix_now};
use crate::upgrade::HeadOnly;
use crate::upstream::RustlsConnector;

/// The WebSocket settings of the upgrade. tungstenite only parses the request and writes
/// the response ([`HeadOnly`] keeps it from reading past the request head); the pipe then
/// decodes frames itself, streaming ([`crate::websocket`]). Its buffers are therefore kept
/// small: they exist only for the moment between the upgrade and taking the stream back.
fn upgrade_config() -> WebSocketConfig {
    WebSocketConfig::default()
        .read_buffer_size(1024)
        .write_buffer_size(0)
}

/// The default of `limits.handshake_timeout_secs`.
pub const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);
/// The default of `limits.upstream_connect_timeout_secs`.
pub const UPSTREAM_TIMEOUT: Duration = Duration::from_secs(20);

/// Whether tickets are required, and with which key.
enum Tickets {
    /// No `ticket_secret_file`: tickets are not checked.
    Off,
    /// Tickets are required and checked with this key.
    Key(TicketKey),
    /// A secret file is configured but could not be read: refuse everything (fail closed).
    Unavailable,
}

/// TLS on the listener.
enum ListenerTls {
    /// Plain `ws://`.
    Off,
    /// `wss://` with this acceptor.
    On(tokio_rustls::TlsAcceptor),
    /// Configured but unreadable: drop every connection (never fall back to plaintext).
    Unavailable,
}

/// The bridge: configuration, policy and the injectable resolver and connector.
pub struct Bridge {
    config: Arc<Config>,
    policy: Policy,
    resolver: Arc<dyn Resolver>,
    connector: Arc<dyn Connector>,
    tickets: Tickets,
    tls: ListenerTls,
    metrics: Arc<Metrics>,
    admission: Arc<Admission>,
    /// Open sessions per ticket subject (`max_sessions_per_subject`).
    subjects: Arc<Subjects>,
    /// Turns `true` when open sessions must close now (the drain deadline passed).
    close_now: watch::Sender<bool>,
}

impl std::fmt::Debug for Bridge {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Bridge")
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}

/// What the handshake callback learned.
#[derive(Default)]
struct Handshake {
    /// The wire contract version negotiated (its subprotocol echoed), if any.
    wire: Option<WireVersion>,
    target: Option<BridgeTarget>,
    /// The entries offered besides `daaki-imap.v1` and `daaki-imap.v2` (the ticket, if any).
    others: Vec<String>,
    refused: Option<Reason>,
    /// From a trusted proxy only: the `Forwarded` and `X-Forwarded-For` values (at most
    /// [`MAX_FORWARDING_HEADERS`] of each).
    forwarded: Vec<String>,
    x_forwarded_for: Vec<String>,
}

/// How many `Forwarded` / `X-Forwarded-For` header lines are read (each).
const MAX_FORWARDING_HEADERS: usize = 16;

/// The values of the `name` headers of `request`, at most [`MAX_FORWARDING_HEADERS`].
fn header_values(request: &Request, name: &str) -> Vec<String> {
    request
        .headers()
        .get_all(name)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .take(MAX_FORWARDING_HEADERS)
        .map(str::to_owned)
        .collect()
}

fn refuse(status: StatusCode) -> ErrorResponse {
    let mut response = ErrorResponse::new(None);
    *response.status_mut() = status;
    response
}

fn subprotocol_entries(request: &Request) -> impl Iterator<Item = &str> {
    request
        .headers()
        .get_all(header::SEC_WEBSOCKET_PROTOCOL)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(str::trim)
        .filter(|entry| !entry.is_empty())
}

/// Whether the `Sec-WebSocket-Protocol` headers of `request` offer [`SUBPROTOCOL`].
pub fn offers_subprotocol(request: &Request) -> bool {
    subprotocol_entries(request).any(|entry| entry == SUBPROTOCOL)
}

/// The wire contract version to run with a client that offered the subprotocol `entries`,
/// among the versions the bridge speaks (`speaks`): version 2 when both sides have it, else
/// version 1 when both have it, else none (refused). The order of the entries does not
/// matter.
pub fn negotiate<'a>(
    entries: impl IntoIterator<Item = &'a str>,
    speaks: &[WireVersion],
) -> Option<WireVersion> {
    let (mut v1, mut v2) = (false, false);
    for entry in entries {
        v1 |= entry == SUBPROTOCOL;
        v2 |= entry == SUBPROTOCOL_V2;
    }
    if v2 && speaks.contains(&WireVersion::V2) {
        Some(WireVersion::V2)
    } else if v1 && speaks.contains(&WireVersion::V1) {
        Some(WireVersion::V1)
    } else {
        None
    }
}

/// Decrements a gauge when dropped.
struct Gauge<'a>(&'a std::sync::atomic::AtomicU64);

impl Drop for Gauge<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Relaxed);
    }
}

fn secs(s: u64) -> Duration {
    Duration::from_secs(s)
}

fn pipe_limits(limits: &Limits) -> PipeLimits {
    PipeLimits {
        idle_timeout: secs(limits.idle_timeout_secs),
        max_session: (limits.max_session_secs > 0).then(|| secs(limits.max_session_secs)),
        ping_interval: (limits.ping_interval_secs > 0).then(|| secs(limits.ping_interval_secs)),
        max_frame_len: limits.max_frame_size,
        upload_window: limits.upload_window,
    }
}

impl Bridge {
    /// A bridge with the system resolver and the rustls connector (reads extra roots and the
    /// ticket secret now, so a bad file fails at start-up).
    pub fn new(config: Config) -> io::Result<Self> {
        let connector = RustlsConnector::new(&config)?;
        if let (Some(cert), Some(key)) = (&config.tls_cert_file, &config.tls_key_file) {
            crate::upstream::listener_tls(cert, key)?;
        }
        let key = config
            .ticket_secret_file
            .as_deref()
            .map(TicketKey::load)
            .transpose()?;
        let bridge = Self::with_parts(config, Arc::new(SystemResolver), Arc::new(connector));
        Ok(match key {
            Some(key) => bridge.with_ticket_key(key),
            None => bridge,
        })
    }

    /// A bridge with the given resolver and connector (tests inject fakes). If the
    /// configuration names a `ticket_secret_file` that cannot be read, every connection is
    /// refused with `TicketInvalid` (fail closed); [`Bridge::new`] reports that error instead.
    pub fn with_parts(
        config: Config,
        resolver: Arc<dyn Resolver>,
        connector: Arc<dyn Connector>,
    ) -> Self {
        let tickets = match config.ticket_secret_file.as_deref().map(TicketKey::load) {
            None => Tickets::Off,
            Some(Ok(key)) => Tickets::Key(key),
            Some(Err(error)) => {
                tracing::error!(%error, "ticket secret unavailable: refusing every connection");
                Tickets::Unavailable
            }
        };
        let tls = match (&config.tls_cert_file, &config.tls_key_file) {
            (Some(cert), Some(key)) => match crate::upstream::listener_tls(cert, key) {
                Ok(tls) => ListenerTls::On(tls.into()),
                Err(error) => {
                    tracing::error!(%error, "listener TLS unavailable: refusing every connection");
                    ListenerTls::Unavailable
                }
            },
            _ => ListenerTls::Off,
        };
        let config = Arc::new(config);
        let admission = Admission::new(Caps {
            max_connections: config.limits.max_connections,
            max_connections_per_ip: config.limits.max_connections_per_ip,
            descriptors: DescriptorBudget::current(),
        });
        Self {
            policy: Policy::new(config.clone()),
            subjects: Subjects::new(config.limits.max_sessions_per_subject),
            config,
            resolver,
            connector,
            tickets,
            tls,
            metrics: Arc::new(Metrics::default()),
            admission,
            close_now: watch::Sender::new(false),
        }
    }

    /// Serves `wss://` with `tls` (instead of reading `tls_cert_file` / `tls_key_file`).
    pub fn with_listener_tls(mut self, tls: Arc<rustls::ServerConfig>) -> Self {
        self.tls = ListenerTls::On(tls.into());
        self
    }

    /// Requires tickets signed with `key` (instead of reading `ticket_secret_file`).
    pub fn with_ticket_key(mut self, key: TicketKey) -> Self {
        self.tickets = Tickets::Key(key);
        self
    }

    /// The configuration.
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// The counters (shared with the metrics endpoint).
    pub fn metrics(&self) -> &Arc<Metrics> {
        &self.metrics
    }

    /// Accepts connections from `listener` forever, each on its own task.
    pub async fn serve(self: Arc<Self>, listener: TcpListener) -> io::Result<()> {
        self.serve_until(listener, std::future::pending()).await
    }

    /// Accepts connections until `shutdown` completes; then stops accepting, lets open
    /// connections finish for `limits.shutdown_drain_secs`, closes the rest with 1001 and
    /// returns once they are gone (waiting at most 5 s more).
    pub async fn serve_until(
        self: Arc<Self>,
        listener: TcpListener,
        shutdown: impl Future<Output = ()>,
    ) -> io::Result<()> {
        let mut shutdown = std::pin::pin!(shutdown);
        loop {
            let accepted = tokio::select! {
                accepted = listener.accept() => accepted,
                () = &mut shutdown => break,
            };
            let (tcp, peer) = match accepted {
                Ok(accepted) => accepted,
                Err(error) => {
                    tracing::warn!(%error, "accept failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            };
            // Past a cap's grace band or the descriptor budget: closed now, unread, not
            // logged one by one (a flood would flood the log); counted.
            let (key, behind_proxy) = self.accept_key(peer.ip());
            let held = match self.admission.accept(key, behind_proxy) {
                Ok(held) => held,
                Err(reason) => {
                    self.metrics.refused(reason);
                    drop(tcp);
                    continue;
                }
            };
            let bridge = self.clone();
            tokio::spawn(async move { bridge.run(tcp, peer, held).await });
        }
        drop(listener);
        self.metrics.draining.store(true, Relaxed);
        let open = || self.metrics.connections_current.load(Relaxed);
        let drain = secs(self.config.limits.shutdown_drain_secs);
        tracing::info!(
            open = open(),
            ?drain,
            "shutting down: no longer accepting, draining"
        );
        self.wait_for_no_connections(drain).await;
        if open() > 0 {
            tracing::info!(open = open(), "drain deadline passed: closing with 1001");
            self.close_now.send_replace(true);
            self.wait_for_no_connections(secs(5)).await;
        }
        tracing::info!(open = open(), "shut down");
        Ok(())
    }

    async fn wait_for_no_connections(&self, limit: Duration) {
        let wait = async {
            while self.metrics.connections_current.load(Relaxed) > 0 {
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
        };
        let _ = tokio::time::timeout(limit, wait).await;
    }

    /// Checks the offered ticket for `target`: the subject of a version-2 ticket, `None` for
    /// version 1 or when tickets are off.
    fn check_ticket(
        &self,
        offered: &[String],
        target: &BridgeTarget,
    ) -> Result<Option<TicketSubject>, TicketError> {
        let key = match &self.tickets {
            Tickets::Off => return Ok(None),
            Tickets::Unavailable => return Err(TicketError::Missing),
            Tickets::Key(key) => key,
        };
        match offered {
            [] => Err(TicketError::Missing),
            [ticket] => key.verify(ticket, target, unix_now()),
            _ => Err(TicketError::Malformed),
        }
    }

    /// The key a connection from `peer` is counted under at accept, and whether `peer` is a
    /// trusted proxy (then the client is known only from the headers).
    fn accept_key(&self, peer: IpAddr) -> (IpAddr, bool) {
        let limits = &self.config.limits;
        let behind_proxy = client_addr::is_trusted_proxy(peer, &self.config.trusted_proxies);
        (
            client_addr::limit_key(peer, limits.ipv6_prefix_len),
            behind_proxy,
        )
    }

    /// The connection counts and caps (with the descriptor budget in force).
    pub fn admission(&self) -> &Arc<Admission> {
        &self.admission
    }

    /// Runs one connection: admission, TLS (if configured), handshake, checks, upstream, pipe.
    pub async fn handle(&self, tcp: TcpStream, peer: SocketAddr) {
        let (key, behind_proxy) = self.accept_key(peer.ip());
        match self.admission.accept(key, behind_proxy) {
            Ok(held) => self.run(tcp, peer, held).await,
            Err(reason) => self.metrics.refused(reason),
        }
    }

    /// Runs a held connection: the PROXY header (if configured), TLS (if configured),
    /// handshake, checks, upstream, pipe.
    async fn run(&self, mut tcp: TcpStream, peer: SocketAddr, held: Held) {
        let metrics = &self.metrics;
        metrics.connections_total.fetch_add(1, Relaxed);
        metrics.connections_current.fetch_add(1, Relaxed);
        let _open = Gauge(&metrics.connections_current);
        let _ = tcp.set_nodelay(true);
        // The TLS handshake and the HTTP upgrade share one deadline.
        let deadline =
            tokio::time::Instant::now() + secs(self.config.limits.handshake_timeout_secs);
        let source = if self.config.proxy_protocol {
            match self.proxy_source(&mut tcp, peer, deadline).await {
                Some(source) => source,
                None => return,
            }
        } else {
            peer
        };
        match &self.tls {
            ListenerTls::Off => self.session(tcp, peer, source, held, deadline).await,
            ListenerTls::On(acceptor) => {
                match tokio::time::timeout_at(deadline, acceptor.accept(tcp)).await {
                    Ok(Ok(tls)) => self.session(tls, peer, source, held, deadline).await,
                    Ok(Err(error)) => {
                        metrics.refused(Reason::Handshake);
                        tracing::info!(%peer, %error, "TLS handshake failed");
                    }
                    Err(_) => {
                        metrics.refused(Reason::HandshakeTimeout);
                        tracing::info!(%peer, "TLS handshake timed out");
                    }
                }
            }
            ListenerTls::Unavailable => metrics.refused(Reason::Handshake),
        }
    }

    /// Reads the PROXY header (`proxy_protocol = true`) within the handshake deadline.
    /// Returns the address the connection is from: the client the header names when `peer`
    /// is a trusted proxy, `peer` otherwise (also for a header that names no client). `None`:
    /// no valid header in time; refused and counted.
    async fn proxy_source(
        &self,
        tcp: &mut TcpStream,
        peer: SocketAddr,
        deadline: tokio::time::Instant,
    ) -> Option<SocketAddr> {
        match tokio::time::timeout_at(deadline, proxy_protocol::read_header(tcp)).await {
            Ok(Ok(header)) => {
                let trusted =
                    client_addr::is_trusted_proxy(peer.ip(), &self.config.trusted_proxies);
                Some(match header.source() {
                    Some(source) if trusted => source,
                    _ => peer,
                })
            }
            Ok(Err(error)) => {
                self.metrics.refused(Reason::ProxyHeader);
                tracing::info!(%peer, %error, "PROXY protocol header refused");
                None
            }
            Err(_) => {
                self.metrics.refused(Reason::HandshakeTimeout);
                tracing::info!(%peer, "PROXY protocol header timed out");
                None
            }
        }
    }

    /// The WebSocket part of a connection, over plain TCP or TLS. `source` is where the
    /// connection is from: `peer`, or the client a trusted proxy's PROXY header named.
    // The callback's error type is tungstenite's `ErrorResponse` (an HTTP response).
    #[allow(clippy::result_large_err)]
    async fn session<S>(
        &self,
        stream: S,
        peer: SocketAddr,
        source: SocketAddr,
        held: Held,
        deadline: tokio::time::Instant,
    ) where
        S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin + Send + 'static,
    {
        let metrics = &self.metrics;
        let limits = &self.config.limits;
        let mut learned = Handshake::default();
        let config = &self.config;
        let behind_proxy = client_addr::is_trusted_proxy(source.ip(), &config.trusted_proxies);
        let callback = |request: &Request, mut response: Response| {
            if behind_proxy {
                learned.forwarded = header_values(request, "forwarded");
                learned.x_forwarded_for = header_values(request, "x-forwarded-for");
            }
            let origin = request
                .headers()
                .get(header::ORIGIN)
                .and_then(|v| v.to_str().ok());
            if !config.origin_allowed(origin) {
                learned.refused = Some(Reason::Origin);
                return Err(refuse(StatusCode::FORBIDDEN));
            }
            if request.uri().path() != config.path {
                learned.refused = Some(Reason::Path);
                return Err(refuse(StatusCode::NOT_FOUND));
            }
            for entry in subprotocol_entries(request) {
                if entry != SUBPROTOCOL && entry != SUBPROTOCOL_V2 && learned.others.len() < 4 {
                    learned.others.push(entry.to_owned());
                }
            }
            learned.wire = negotiate(subprotocol_entries(request), &config.wire_versions);
            if let Some(wire) = learned.wire {
                // Exactly the chosen entry, never the ticket.
                response.headers_mut().insert(
                    header::SEC_WEBSOCKET_PROTOCOL,
                    HeaderValue::from_static(wire.subprotocol()),
                );
            }
            learned.target = BridgeTarget::from_query(request.uri().query().unwrap_or("")).ok();
            Ok(response)
        };
        let handshake = tokio_tungstenite::accept_hdr_async_with_config(
            HeadOnly::new(stream),
            callback,
            Some(upgrade_config()),
        );
        let (ws, early) = match tokio::time::timeout_at(deadline, handshake).await {
            Ok(Ok(ws)) => ws.into_inner().into_parts(),
            Ok(Err(error)) => {
                metrics.refused(learned.refused.unwrap_or(Reason::Handshake));
                tracing::info!(%peer, %error, "handshake refused or failed");
                return;
            }
            Err(_) => {
                metrics.refused(Reason::HandshakeTimeout);
                tracing::info!(%peer, "handshake timed out");
                return;
            }
        };
        // Behind a trusted proxy, the client the headers name is counted and logged.
        let forwarded: Vec<&str> = learned.forwarded.iter().map(String::as_str).collect();
        let x_forwarded_for: Vec<&str> =
            learned.x_forwarded_for.iter().map(String::as_str).collect();
        let client = client_addr::client_address(
            source.ip(),
            &forwarded,
            &x_forwarded_for,
            &config.trusted_proxies,
        );
        let mut held = held;
        let admitted = held.admit_client(client_addr::limit_key(client, limits.ipv6_prefix_len));
        let _held = match admitted {
            Ok(()) => held,
            Err(reason) => {
                metrics.refused(reason);
                tracing::info!(%peer, %client, reason = reason.label(), "connection limit reached");
                return pipe::refuse(ws, CloseCode::LimitReached).await;
            }
        };
        let Some(version) = learned.wire else {
            metrics.refused(Reason::Subprotocol);
            tracing::info!(%peer, "no subprotocol this bridge speaks");
            return pipe::refuse(ws, CloseCode::SubprotocolRequired).await;
        };
        let Some(target) = learned.target else {
            metrics.refused(Reason::BadRequest);
            tracing::info!(%peer, "missing or invalid target");
            return pipe::refuse(ws, CloseCode::BadRequest).await;
        };
        let subject = match self.check_ticket(&learned.others, &target) {
            Ok(subject) => subject,
            Err(error) => {
                metrics.refused(Reason::Ticket);
                // The ticket itself is never logged.
                tracing::info!(%peer, ?target, %error, "ticket refused");
                return pipe::refuse(ws, CloseCode::TicketInvalid).await;
            }
        };
        // A version-2 ticket's subject takes a slot under `max_sessions_per_subject`, held for
        // the whole session (version 1 and tickets off: no subject, no cap).
        let _subject_slot = match &subject {
            None => None,
            Some(subject) => match self.subjects.try_acquire(subject) {
                Some(slot) => Some(slot),
                None => {
                    metrics.refused(Reason::LimitPerSubject);
                    tracing::info!(%peer, %client, subject = subject.as_str(), "sessions per subject limit reached");
                    return pipe::refuse(ws, CloseCode::LimitReached).await;
                }
            },
        };
        let subject = subject.as_ref().map(TicketSubject::as_str);
        // The client's port is known when the connection (or a PROXY header) came from it;
        // from Forwarded / X-Forwarded-For it is not, and the nearest hop's port stands in
        // (a PROXY header needs one; Dovecot refuses port 0).
        let open = self.policy.open(
            &target,
            SocketAddr::new(client, source.port()),
            self.resolver.as_ref(),
            self.connector.as_ref(),
        );
        let timeout = secs(limits.upstream_connect_timeout_secs);
        let (upstream, vetted) = match tokio::time::timeout(timeout, open).await {
            Ok(Ok(opened)) => opened,
            Ok(Err(refusal)) => {
                match refusal.code {
                    CloseCode::UpstreamConnectFailed => {
                        metrics.upstream_error(UpstreamError::Connect)
                    }
                    CloseCode::UpstreamTlsFailed => metrics.upstream_error(UpstreamError::Tls),
                    _ => metrics.refused(Reason::TargetNotAllowed),
                }
                tracing::info!(%peer, ?target, code = refusal.code.as_u16(), detail = %refusal.detail, "target refused");
                return pipe::refuse(ws, refusal.code).await;
            }
            Err(_) => {
                metrics.upstream_error(UpstreamError::Timeout);
                tracing::info!(%peer, ?target, "upstream timed out");
                return pipe::refuse(ws, CloseCode::UpstreamConnectFailed).await;
            }
        };
        tracing::info!(%peer, %client, subject, host = %vetted.host, addr = %vetted.addr, tls = vetted.tls, wire = version.label(), "piping");
        let wire = match version {
            WireVersion::V1 => Wire::V1,
            WireVersion::V2 => Wire::V2 {
                tls: if vetted.tls {
                    TlsPlacement::Bridge
                } else {
                    TlsPlacement::None
                },
            },
        };
        metrics.sessions_total.fetch_add(1, Relaxed);
        metrics.wire_session(version);
        metrics.sessions_current.fetch_add(1, Relaxed);
        let _session = Gauge(&metrics.sessions_current);
        let started = tokio::time::Instant::now();
        let end = pipe::run(
            ws,
            early,
            upstream,
            wire,
            pipe_limits(limits),
            metrics.clone(),
            self.close_now.subscribe(),
        )
        .await;
        let duration = started.elapsed();
        metrics.session_ended(duration);
        match end {
            PipeEnd::FrameTooLarge => metrics.refused(Reason::FrameTooLarge),
            PipeEnd::TextFrame
            | PipeEnd::MalformedFrame
            | PipeEnd::BadControl
            | PipeEnd::CreditOverflow
            | PipeEnd::CreditExceeded => metrics.refused(Reason::Protocol),
            PipeEnd::Idle => metrics.refused(Reason::Idle),
            PipeEnd::MaxDuration => metrics.refused(Reason::MaxDuration),
            PipeEnd::UpstreamError => metrics.upstream_error(UpstreamError::Io),
            PipeEnd::ClientClosed
            | PipeEnd::ClientError
            | PipeEnd::UpstreamClosed
            | PipeEnd::Shutdown => {}
        }
        tracing::info!(%peer, %client, subject, ?end, secs = duration.as_secs(), "session ended");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn version_2_is_chosen_when_both_sides_have_it_else_version_1() {
        use WireVersion::{V1, V2};
        let both = [V1, V2];
        let n =
            |entries: &[&str], speaks: &[WireVersion]| negotiate(entries.iter().copied(), speaks);
        assert_eq!(n(&[SUBPROTOCOL_V2, SUBPROTOCOL], &both), Some(V2));
        assert_eq!(
            n(&[SUBPROTOCOL, SUBPROTOCOL_V2], &both),
            Some(V2),
            "order does not matter"
        );
        assert_eq!(n(&[SUBPROTOCOL_V2], &both), Some(V2));
        assert_eq!(n(&[SUBPROTOCOL, "ticket"], &both), Some(V1));
        assert_eq!(n(&[SUBPROTOCOL_V2, SUBPROTOCOL], &[V1]), Some(V1));
        assert_eq!(n(&[SUBPROTOCOL_V2, SUBPROTOCOL], &[V2]), Some(V2));
        assert_eq!(n(&[SUBPROTOCOL_V2], &[V1]), None);
        assert_eq!(n(&[SUBPROTOCOL], &[V2]), None);
        assert_eq!(
            n(&["ticket", "daaki-imap.v3", "DAAKI-IMAP.V1"], &both),
            None
        );
        assert_eq!(n(&[], &both), None);
    }
}
