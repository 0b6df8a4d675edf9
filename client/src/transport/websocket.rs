//! The native WebSocket transport: IMAP through `daaki-imap-bridge` (see [`crate::wire`]).
//!
//! [`WebSocketTransport`] adapts a tokio-tungstenite WebSocket to tokio's `AsyncRead` /
//! `AsyncWrite`, so the driver runs over it like over TLS. Binary frames carry the byte stream
//! (boundaries mean nothing); writes become binary frames of at most [`MAX_WRITE_FRAME`]
//! bytes. A close frame with a 4000–4999 code becomes [`Error::Bridge`] (through
//! [`BridgeClosed`] inside the `io::Error`); a normal close, or
//! [`CloseCode::UpstreamClosed`], is the end of the stream.
//!
//! **Wire versions.** `connect_via_bridge` offers `daaki-imap.v2, daaki-imap.v1` (or only
//! `daaki-imap.v1`, see [`WireVersion::offer`]) and runs the version the bridge echoes. Under
//! version 1 a text frame is an error. Under version 2 ([`crate::wire::flow`]) the transport
//! grants the bridge the receive window right after the handshake (`credit <window>`), checks
//! every binary frame against the credit it granted (more is an `InvalidData` error: the
//! bridge broke the contract), reads text frames as control messages (`ready` is recorded in
//! [`BridgeInfo`], unknown messages are ignored, a malformed one is an `InvalidData` error)
//! and grants what `poll_read` handed out once a quarter of the window was consumed. The
//! transport owns the sink, so it sends a due grant itself whenever it is polled (read, write
//! or flush) and the socket takes it; a grant that must wait merges with the next one, so at
//! most one is ever pending and none is lost. Natively the transport holds at most one frame
//! received and unread; the window bounds what the bridge has in flight.

use std::io;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll, Wake, Waker, ready};

use futures_util::{Sink, Stream as _};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio_tungstenite::WebSocketStream;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::http::HeaderValue;
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;
use tokio_tungstenite::tungstenite::{self, Bytes, Message};

use crate::transport::BoxStream;
use crate::transport::bridge::{BridgeInfo, Flow, WireVersion};
use crate::transport::tls::TlsOptions;
use crate::wire::{BridgeClosed, BridgeTarget, CloseCode, MAX_FRAME_LEN, SUBPROTOCOL};
use crate::{Error, Result};

/// The largest binary frame a write produces.
pub const MAX_WRITE_FRAME: usize = 16 * 1024;

/// The WebSocket limits of the client side: a 32 KiB read buffer (tungstenite's default is
/// 128 KiB), and frames/messages up to [`MAX_FRAME_LEN`] (the bridge sends at most 16 KiB
/// per frame; the cap only stops a broken peer from making us buffer without bound).
pub fn client_config() -> WebSocketConfig {
    WebSocketConfig::default()
        .read_buffer_size(32 * 1024)
        .write_buffer_size(0)
        .max_write_buffer_size(2 * MAX_FRAME_LEN)
        .max_message_size(Some(MAX_FRAME_LEN))
        .max_frame_size(Some(MAX_FRAME_LEN))
}

/// A WebSocket to the bridge as a byte stream (wire version 1 or 2, see the module docs).
#[derive(Debug)]
pub struct WebSocketTransport<S> {
    ws: WebSocketStream<S>,
    pending: Bytes,
    eof: bool,
    info: BridgeInfo,
    /// Version 2's credit; `None` under version 1.
    flow: Option<Flow>,
    /// A grant was handed to the sink and not yet flushed.
    grant_unflushed: bool,
    /// Sending a grant failed: reported by `poll_read` once no frame is left to read (a close
    /// frame already received says more about why the socket broke).
    grant_error: Option<io::Error>,
    /// The waker of the last write, flush or shutdown. The socket keeps one write waker: a
    /// grant sent from `poll_read` registers one that wakes this task too, so a writer in
    /// another task (`tokio::io::split`) is never left waiting.
    writer: Option<Waker>,
}

/// Wakes the reading and the writing task.
struct WakeBoth(Waker, Waker);

impl Wake for WakeBoth {
    fn wake(self: Arc<Self>) {
        self.wake_by_ref();
    }

    fn wake_by_ref(self: &Arc<Self>) {
        self.0.wake_by_ref();
        self.1.wake_by_ref();
    }
}

impl<S> WebSocketTransport<S>
where
    S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin,
{
    /// Wraps an open WebSocket (the handshake already done) that runs wire version 1.
    pub fn new(ws: WebSocketStream<S>) -> Self {
        Self::with_info(ws, BridgeInfo::new(WireVersion::V1, 0))
    }

    /// Wraps an open WebSocket (the handshake already done) that runs wire version 2 with a
    /// receive window of `window` bytes (clamped to 1..=[`MAX_WINDOW`](crate::wire::MAX_WINDOW)).
    /// The first grant (the whole window) is sent by the first poll of any kind: flush the
    /// transport to send it before waiting for data.
    ///
    /// ```no_run
    /// # async fn example(ws: tokio_tungstenite::WebSocketStream<tokio::net::TcpStream>)
    /// # -> std::io::Result<()> {
    /// use tokio::io::AsyncWriteExt;
    /// use daaki_imap::transport::websocket::WebSocketTransport;
    /// let mut transport = WebSocketTransport::new_v2(ws, daaki_imap::wire::DEFAULT_WINDOW);
    /// transport.flush().await?; // `credit 1048576`
    /// # Ok(()) }
    /// ```
    pub fn new_v2(ws: WebSocketStream<S>, window: u32) -> Self {
        Self::with_info(ws, BridgeInfo::new(WireVersion::V2, window))
    }

    fn with_info(ws: WebSocketStream<S>, info: BridgeInfo) -> Self {
        let flow = (info.wire_version() == WireVersion::V2).then(|| Flow::new(info.clone()));
        Self {
            ws,
            pending: Bytes::new(),
            eof: false,
            info,
            flow,
            grant_unflushed: false,
            grant_error: None,
            writer: None,
        }
    }

    /// The negotiated version and the figures measured so far (shared, live).
    pub fn info(&self) -> &BridgeInfo {
        &self.info
    }

    /// Sends the grant that is due, if the sink takes it now, and flushes it; registers for
    /// a wake-up otherwise (`reading`: for the writer too, see `writer`). Errors are kept for
    /// `poll_read` (see `grant_error`).
    fn send_grant(&mut self, cx: &mut Context<'_>, reading: bool) {
        if self.eof || self.grant_error.is_some() {
            return;
        }
        let Some(flow) = self.flow.as_mut() else {
            return;
        };
        if !flow.has_due() && !self.grant_unflushed {
            return;
        }
        match &self.writer {
            Some(writer) if reading && !writer.will_wake(cx.waker()) => {
                let both = Waker::from(Arc::new(WakeBoth(cx.waker().clone(), writer.clone())));
                self.send_grant_now(&mut Context::from_waker(&both));
            }
            _ => self.send_grant_now(cx),
        }
    }

    fn send_grant_now(&mut self, cx: &mut Context<'_>) {
        let Some(flow) = self.flow.as_mut() else {
            return;
        };
        if flow.has_due() {
            match Sink::<Message>::poll_ready(Pin::new(&mut self.ws), cx) {
                Poll::Pending => return,
                Poll::Ready(Err(e)) => {
                    self.grant_error = Some(ws_error(e));
                    return;
                }
                Poll::Ready(Ok(())) => {
                    let Some(grant) = flow.take_due() else { return };
                    if let Err(e) = Pin::new(&mut self.ws).start_send(Message::text(grant)) {
                        self.grant_error = Some(ws_error(e));
                        return;
                    }
                    self.grant_unflushed = true;
                }
            }
        }
        if self.grant_unflushed {
            match Sink::<Message>::poll_flush(Pin::new(&mut self.ws), cx) {
                Poll::Pending => {}
                Poll::Ready(Ok(())) => self.grant_unflushed = false,
                Poll::Ready(Err(e)) => self.grant_error = Some(ws_error(e)),
            }
        }
    }
}

impl<S> WebSocketTransport<S> {
    fn note_writer(&mut self, cx: &Context<'_>) {
        match &self.writer {
            Some(writer) if writer.will_wake(cx.waker()) => {}
            _ => self.writer = Some(cx.waker().clone()),
        }
    }
}

fn ws_error(e: tungstenite::Error) -> io::Error {
    match e {
        tungstenite::Error::Io(e) => e,
        tungstenite::Error::ConnectionClosed | tungstenite::Error::AlreadyClosed => {
            io::Error::new(io::ErrorKind::BrokenPipe, "WebSocket closed")
        }
        other => io::Error::other(other),
    }
}

fn protocol_error(what: &str) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, format!("bridge: {what}"))
}

impl<S> AsyncRead for WebSocketTransport<S>
where
    S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin,
{
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = &mut *self;
        // A grant that had to wait goes first: the bridge may be waiting for it.
        this.send_grant(cx, true);
        loop {
            if !this.pending.is_empty() {
                let n = this.pending.len().min(buf.remaining());
                let chunk = this.pending.split_to(n);
                buf.put_slice(&chunk);
                if let Some(flow) = this.flow.as_mut() {
                    flow.consumed(n);
                    this.send_grant(cx, true);
                }
                return Poll::Ready(Ok(()));
            }
            if this.eof {
                return Poll::Ready(Ok(()));
            }
            let next = match Pin::new(&mut this.ws).poll_next(cx) {
                Poll::Ready(next) => next,
                Poll::Pending => {
                    return match this.grant_error.take() {
                        Some(e) => Poll::Ready(Err(e)),
                        None => Poll::Pending,
                    };
                }
            };
            match next {
                None => this.eof = true,
                Some(Err(e)) => return Poll::Ready(Err(ws_error(e))),
                Some(Ok(Message::Binary(data))) => {
                    match this.flow.as_mut() {
                        Some(flow) => flow.received(data.len())?,
                        None => this.info.note_received(data.len(), data.len() as u64),
                    }
                    this.pending = data;
                }
                Some(Ok(Message::Text(text))) => match this.flow.as_mut() {
                    Some(flow) => flow.control(text.as_bytes())?,
                    None => {
                        return Poll::Ready(Err(protocol_error("text frame (binary frames only)")));
                    }
                },
                Some(Ok(Message::Ping(_) | Message::Pong(_) | Message::Frame(_))) => {}
                Some(Ok(Message::Close(frame))) => {
                    this.eof = true;
                    let Some(frame) = frame else { continue };
                    let number = u16::from(frame.code);
                    let known = match number {
                        // The standard "going away": the bridge shut down (its drain ended).
                        1001 => Some(CloseCode::GoingAway),
                        4000..=4999 => CloseCode::from_u16(number),
                        _ => continue,
                    };
                    match known {
                        Some(CloseCode::UpstreamClosed) => {}
                        Some(code) => {
                            return Poll::Ready(Err(BridgeClosed {
                                code,
                                reason: frame.reason.as_str().to_owned(),
                            }
                            .into()));
                        }
                        None => {
                            return Poll::Ready(Err(io::Error::new(
                                io::ErrorKind::ConnectionAborted,
                                format!(
                                    "bridge closed with unknown code {number}: {}",
                                    frame.reason
                                ),
                            )));
                        }
                    }
                }
            }
        }
    }
}

impl<S> AsyncWrite for WebSocketTransport<S>
where
    S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin,
{
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        if buf.is_empty() {
            return Poll::Ready(Ok(0));
        }
        self.note_writer(cx);
        // A due grant goes before the data (it never waits behind a large write).
        self.send_grant(cx, false);
        let ws = Pin::new(&mut self.ws);
        ready!(Sink::<Message>::poll_ready(ws, cx)).map_err(ws_error)?;
        let n = buf.len().min(MAX_WRITE_FRAME);
        let frame = Message::Binary(Bytes::copy_from_slice(&buf[..n]));
        Pin::new(&mut self.ws).start_send(frame).map_err(ws_error)?;
        Poll::Ready(Ok(n))
    }

    /// Flushes the socket, a due grant included (sent first if the socket was busy).
    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.note_writer(cx);
        loop {
            self.send_grant(cx, false);
            if let Some(e) = self.grant_error.take() {
                return Poll::Ready(Err(e));
            }
            ready!(Sink::<Message>::poll_flush(Pin::new(&mut self.ws), cx)).map_err(ws_error)?;
            self.grant_unflushed = false;
            // A grant the busy socket could not take: the flush made room for it.
            if self.eof || !self.flow.as_ref().is_some_and(Flow::has_due) {
                return Poll::Ready(Ok(()));
            }
        }
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.note_writer(cx);
        match ready!(Sink::<Message>::poll_close(Pin::new(&mut self.ws), cx)) {
            Ok(())
            | Err(tungstenite::Error::ConnectionClosed | tungstenite::Error::AlreadyClosed) => {
                Poll::Ready(Ok(()))
            }
            Err(e) => Poll::Ready(Err(ws_error(e))),
        }
    }
}

/// Opens a WebSocket to the bridge at `bridge_url` (`ws://` or `wss://`, TLS per `tls`)
/// asking for `target`, offering the subprotocols of wire versions up to `offer`
/// ([`WireVersion::offer`]) and sending `origin` if given; runs the version the bridge
/// echoes. Under version 2 the first grant (`window` bytes) is sent before this returns.
pub(crate) async fn connect(
    bridge_url: &str,
    target: &BridgeTarget,
    origin: Option<&str>,
    tls: &TlsOptions,
    offer: WireVersion,
    window: u32,
) -> Result<WebSocketTransport<BoxStream>> {
    let url = target.request_url(bridge_url);
    let mut request = url
        .as_str()
        .into_client_request()
        .map_err(|e| Error::InvalidInput(format!("invalid bridge URL {bridge_url:?}: {e}")))?;
    let uri = request.uri().clone();
    let secure = match uri.scheme_str() {
        Some("wss") => true,
        Some("ws") => false,
        _ => {
            return Err(Error::InvalidInput(format!(
                "bridge URL must be ws:// or wss://: {bridge_url:?}"
            )));
        }
    };
    let host = uri
        .host()
        .ok_or_else(|| Error::InvalidInput(format!("bridge URL has no host: {bridge_url:?}")))?;
    let host = host
        .trim_start_matches('[')
        .trim_end_matches(']')
        .to_owned();
    let port = uri.port_u16().unwrap_or(if secure { 443 } else { 80 });
    let headers = request.headers_mut();
    // Fixed tokens: always a valid header value.
    let offered = HeaderValue::from_str(&offer.offer().join(", "))
        .unwrap_or(HeaderValue::from_static(SUBPROTOCOL));
    headers.insert("Sec-WebSocket-Protocol", offered);
    if let Some(origin) = origin {
        let value = HeaderValue::from_str(origin)
            .map_err(|_| Error::InvalidInput(format!("invalid Origin {origin:?}")))?;
        headers.insert("Origin", value);
    }
    let tcp = tokio::net::TcpStream::connect((host.as_str(), port)).await?;
    tcp.set_nodelay(true)?;
    let stream: BoxStream = if secure {
        Box::new(tls.handshake(&host, tcp).await?)
    } else {
        Box::new(tcp)
    };
    let (ws, response) =
        tokio_tungstenite::client_async_with_config(request, stream, Some(client_config()))
            .await
            .map_err(|e| match e {
                tungstenite::Error::Http(response) => Error::Io(io::Error::new(
                    io::ErrorKind::ConnectionRefused,
                    format!(
                        "bridge refused the WebSocket handshake: HTTP {}",
                        response.status()
                    ),
                )),
                other => Error::Io(ws_error(other)),
            })?;
    // tungstenite has checked that the bridge echoed one of the entries offered.
    let echoed = response
        .headers()
        .get("Sec-WebSocket-Protocol")
        .and_then(|v| v.to_str().ok())
        .and_then(WireVersion::from_subprotocol);
    match echoed {
        Some(WireVersion::V2) if offer >= WireVersion::V2 => {
            let mut transport = WebSocketTransport::new_v2(ws, window);
            // The first grant. If the bridge is already closing (a refusal after the upgrade),
            // the greeting's read reports its close code; the write error only if no frame says
            // more.
            if let Err(e) = std::future::poll_fn(|cx| Pin::new(&mut transport).poll_flush(cx)).await
            {
                transport.grant_error = Some(e);
            }
            Ok(transport)
        }
        _ => Ok(WebSocketTransport::new(ws)),
    }
}

#[cfg(test)]
mod tests {
    use futures_util::SinkExt;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    use tokio_tungstenite::tungstenite::protocol::{CloseFrame, Role};

    use super::*;

    async fn pair() -> (
        WebSocketTransport<tokio::io::DuplexStream>,
        WebSocketStream<tokio::io::DuplexStream>,
    ) {
        let (a, b) = tokio::io::duplex(64 * 1024);
        let client = WebSocketStream::from_raw_socket(a, Role::Client, None).await;
        let server = WebSocketStream::from_raw_socket(b, Role::Server, None).await;
        (WebSocketTransport::new(client), server)
    }

    fn close(code: u16) -> Message {
        Message::Close(Some(CloseFrame {
            code: code.into(),
            reason: "why".into(),
        }))
    }

    #[tokio::test]
    async fn frames_join_into_one_byte_stream_and_a_bridge_close_code_becomes_bridge_closed() {
        let (mut transport, mut server) = pair().await;
        for part in [&b"* OK "[..], b"hello", b"\r\n"] {
            server
                .send(Message::Binary(Bytes::copy_from_slice(part)))
                .await
                .expect("send");
        }
        server
            .send(close(CloseCode::LimitReached.as_u16()))
            .await
            .expect("close");
        let mut got = vec![0u8; 12];
        transport.read_exact(&mut got).await.expect("read");
        assert_eq!(&got, b"* OK hello\r\n");
        let error = transport.read(&mut got).await.expect_err("bridge close");
        match crate::Error::from_io(error) {
            Error::Bridge { code, reason } => {
                assert_eq!(code, CloseCode::LimitReached);
                assert_eq!(reason, "why");
            }
            other => panic!("{other:?}"),
        }
    }

    #[tokio::test]
    async fn going_away_and_its_bridge_code_are_bridge_closed_going_away() {
        for number in [1001, CloseCode::GoingAway.as_u16()] {
            let (mut transport, mut server) = pair().await;
            server.send(close(number)).await.expect("close");
            let mut buf = [0u8; 8];
            let error = transport.read(&mut buf).await.expect_err("going away");
            match crate::Error::from_io(error) {
                Error::Bridge { code, reason } => {
                    assert_eq!((code, reason.as_str()), (CloseCode::GoingAway, "why"));
                }
                other => panic!("{number}: {other:?}"),
            }
        }
    }

    #[tokio::test]
    async fn upstream_closed_and_normal_closes_are_end_of_stream() {
        for code in [CloseCode::UpstreamClosed.as_u16(), 1000, 1002, 3000] {
            let (mut transport, mut server) = pair().await;
            server.send(close(code)).await.expect("close");
            let mut buf = [0u8; 8];
            assert_eq!(transport.read(&mut buf).await.expect("eof"), 0, "{code}");
        }
    }

    #[tokio::test]
    async fn a_text_frame_is_an_error_and_writes_become_bounded_binary_frames() {
        let (mut transport, mut server) = pair().await;
        let big = vec![b'x'; MAX_WRITE_FRAME + 10];
        transport.write_all(&big).await.expect("write");
        transport.flush().await.expect("flush");
        let mut sizes = Vec::new();
        while sizes.iter().sum::<usize>() < big.len() {
            match futures_util::StreamExt::next(&mut server).await {
                Some(Ok(Message::Binary(data))) => sizes.push(data.len()),
                other => panic!("{other:?}"),
            }
        }
        assert_eq!(sizes, vec![MAX_WRITE_FRAME, 10]);
        server.send(Message::text("no")).await.expect("send");
        let mut buf = [0u8; 8];
        let error = transport.read(&mut buf).await.expect_err("text frame");
        assert_eq!(error.kind(), io::ErrorKind::InvalidData);
    }

    // ---- Wire version 2 -----------------------------------------------------------------

    /// A transport running version 2 with `window`, over a duplex pipe of `pipe` bytes, with
    /// its first grant already read by the server side.
    async fn pair_v2(
        window: u32,
        pipe: usize,
    ) -> (
        WebSocketTransport<tokio::io::DuplexStream>,
        WebSocketStream<tokio::io::DuplexStream>,
    ) {
        let (a, b) = tokio::io::duplex(pipe);
        let client = WebSocketStream::from_raw_socket(a, Role::Client, None).await;
        let mut server = WebSocketStream::from_raw_socket(b, Role::Server, None).await;
        let mut transport = WebSocketTransport::new_v2(client, window);
        transport.flush().await.expect("the first grant");
        assert_eq!(next_text(&mut server).await, format!("credit {window}"));
        (transport, server)
    }

    /// The next frame the server gets, which must be a text frame.
    async fn next_text(server: &mut WebSocketStream<tokio::io::DuplexStream>) -> String {
        match tokio::time::timeout(WAIT, futures_util::StreamExt::next(server)).await {
            Ok(Some(Ok(Message::Text(text)))) => text.as_str().to_owned(),
            other => panic!("expected a text frame, got {other:?}"),
        }
    }

    /// Generous: only a hang waits this long.
    const WAIT: std::time::Duration = std::time::Duration::from_secs(20);

    fn binary(bytes: &[u8]) -> Message {
        Message::Binary(Bytes::copy_from_slice(bytes))
    }

    /// An in-process "bridge" on 127.0.0.1 that echoes `echo` (if any) as the subprotocol.
    /// Returns its `ws://` URL and a task that yields the server side of the one connection
    /// and the `Sec-WebSocket-Protocol` header the client offered.
    async fn serve(
        echo: Option<&'static str>,
    ) -> (
        String,
        tokio::task::JoinHandle<(WebSocketStream<tokio::net::TcpStream>, String)>,
    ) {
        use tokio_tungstenite::tungstenite::handshake::server::{Request, Response};
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let url = format!("ws://{}/imap", listener.local_addr().expect("addr"));
        let task = tokio::spawn(async move {
            let (tcp, _) = listener.accept().await.expect("accept");
            let offered = std::sync::Arc::new(std::sync::Mutex::new(String::new()));
            let seen = offered.clone();
            #[allow(clippy::result_large_err)] // tungstenite's callback type
            let callback = move |request: &Request, mut response: Response| {
                let header = request
                    .headers()
                    .get("Sec-WebSocket-Protocol")
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or_default();
                *seen.lock().expect("lock") = header.to_owned();
                if let Some(echo) = echo {
                    response
                        .headers_mut()
                        .insert("Sec-WebSocket-Protocol", HeaderValue::from_static(echo));
                }
                Ok(response)
            };
            let ws = tokio_tungstenite::accept_hdr_async(tcp, callback)
                .await
                .expect("handshake");
            let offered = offered.lock().expect("lock").clone();
            (ws, offered)
        });
        (url, task)
    }

    async fn connect_to(
        url: &str,
        offer: WireVersion,
        window: u32,
    ) -> Result<WebSocketTransport<BoxStream>> {
        let target = BridgeTarget::named("t").expect("name");
        connect(url, &target, None, &TlsOptions::default(), offer, window).await
    }

    #[tokio::test]
    async fn version_2_echoed_grants_the_window_first_then_each_quarter_read() {
        let (url, server) = serve(Some(crate::wire::SUBPROTOCOL_V2)).await;
        let mut transport = connect_to(&url, WireVersion::V2, 64 * 1024)
            .await
            .expect("connect");
        let (mut server, offered) = server.await.expect("server");
        assert_eq!(offered, "daaki-imap.v2, daaki-imap.v1");
        assert_eq!(transport.info().wire_version(), WireVersion::V2);
        assert_eq!(transport.info().window(), Some(64 * 1024));
        // The first frame the bridge gets: the whole window, sent before `connect` returned.
        match tokio::time::timeout(WAIT, futures_util::StreamExt::next(&mut server)).await {
            Ok(Some(Ok(Message::Text(text)))) => assert_eq!(text.as_str(), "credit 65536"),
            other => panic!("expected the first grant, got {other:?}"),
        }
        server
            .send(Message::text("ready tls=bridge"))
            .await
            .expect("ready");
        // Four frames of 8 KiB: half the window.
        let data: Vec<u8> = (0..32 * 1024).map(|i| (i % 251) as u8).collect();
        for frame in data.chunks(8 * 1024) {
            server.send(binary(frame)).await.expect("send");
        }
        let mut got = vec![0u8; data.len()];
        transport.read_exact(&mut got).await.expect("read");
        assert_eq!(got, data);
        assert!(transport.info().ready());
        assert_eq!(
            transport.info().tls(),
            Some(crate::wire::TlsPlacement::Bridge)
        );
        // A quarter of the window read: 16 KiB granted, twice (or merged into one).
        let mut granted = 0;
        while granted < 32 * 1024 {
            let text = match tokio::time::timeout(WAIT, futures_util::StreamExt::next(&mut server))
                .await
            {
                Ok(Some(Ok(Message::Text(text)))) => text.as_str().to_owned(),
                other => panic!("expected a grant, got {other:?}"),
            };
            let n: u32 = text
                .strip_prefix("credit ")
                .and_then(|n| n.parse().ok())
                .unwrap_or_else(|| panic!("not a grant: {text:?}"));
            assert!(n >= 16 * 1024, "grants are batched: {n}");
            granted += n;
        }
        assert_eq!(granted, 32 * 1024);
        let info = transport.info();
        assert_eq!(info.bytes_received(), 32 * 1024);
        assert_eq!(info.credit_granted(), 96 * 1024);
        assert!(info.max_buffered() <= 8 * 1024, "{info:?}");
        // The byte stream still works both ways.
        transport.write_all(b"a1 NOOP\r\n").await.expect("write");
        transport.flush().await.expect("flush");
        match tokio::time::timeout(WAIT, futures_util::StreamExt::next(&mut server)).await {
            Ok(Some(Ok(Message::Binary(bytes)))) => assert_eq!(&bytes[..], b"a1 NOOP\r\n"),
            other => panic!("expected the command, got {other:?}"),
        }
    }

    #[tokio::test]
    async fn version_1_echoed_runs_version_1_and_never_sends_a_text_frame() {
        for offer in [WireVersion::V2, WireVersion::V1] {
            let (url, server) = serve(Some(SUBPROTOCOL)).await;
            let mut transport = connect_to(&url, offer, 1024).await.expect("connect");
            let (mut server, offered) = server.await.expect("server");
            assert_eq!(offered, offer.offer().join(", "));
            assert_eq!(transport.info().wire_version(), WireVersion::V1);
            assert_eq!(transport.info().window(), None);
            // Far more than the window a version-2 session would have granted.
            let data = vec![7u8; 64 * 1024];
            for frame in data.chunks(16 * 1024) {
                server.send(binary(frame)).await.expect("send");
            }
            let mut got = vec![0u8; data.len()];
            transport.read_exact(&mut got).await.expect("read");
            assert_eq!(got, data);
            transport.write_all(b"bye").await.expect("write");
            transport.shutdown().await.expect("close");
            let mut frames = Vec::new();
            while let Ok(Some(Ok(message))) =
                tokio::time::timeout(WAIT, futures_util::StreamExt::next(&mut server)).await
            {
                frames.push(message);
            }
            assert!(
                matches!(frames.as_slice(), [Message::Binary(b), Message::Close(_)] if &b[..] == b"bye"),
                "{offer}: {frames:?}"
            );
            assert_eq!(transport.info().credit_granted(), 0);
            // A text frame is an error under version 1.
        }
        let (url, server) = serve(Some(SUBPROTOCOL)).await;
        let mut transport = connect_to(&url, WireVersion::V2, 1024)
            .await
            .expect("connect");
        let (mut server, _) = server.await.expect("server");
        server.send(Message::text("ready")).await.expect("send");
        let error = transport.read(&mut [0u8; 8]).await.expect_err("text frame");
        assert_eq!(error.kind(), io::ErrorKind::InvalidData);
    }

    #[tokio::test]
    async fn a_bridge_that_echoes_a_version_not_offered_is_refused_by_the_handshake() {
        let (url, server) = serve(Some(crate::wire::SUBPROTOCOL_V2)).await;
        let result = connect_to(&url, WireVersion::V1, 1024).await;
        assert!(
            matches!(result, Err(Error::Io(_))),
            "{:?}",
            result.map(|t| t.info().clone())
        );
        let (url, server_none) = serve(None).await;
        let result = connect_to(&url, WireVersion::V2, 1024).await;
        assert!(
            matches!(result, Err(Error::Io(_))),
            "{:?}",
            result.map(|t| t.info().clone())
        );
        drop((server, server_none));
    }

    #[tokio::test]
    async fn a_frame_beyond_the_credit_is_an_error() {
        // 200 bytes read grant nothing yet (less than a quarter of the window), so 801 more
        // are one byte too many.
        let (mut transport, mut server) = pair_v2(1000, 64 * 1024).await;
        server.send(binary(&[1u8; 200])).await.expect("send");
        server.send(binary(&[2u8; 801])).await.expect("send");
        let mut got = vec![0u8; 200];
        transport
            .read_exact(&mut got)
            .await
            .expect("within the credit");
        let error = transport
            .read(&mut got)
            .await
            .expect_err("beyond the credit");
        assert_eq!(error.kind(), io::ErrorKind::InvalidData);
        assert!(
            error
                .to_string()
                .contains("bridge exceeded its credit: the bridge sent 801 bytes with only 800"),
            "{error}"
        );
        match crate::Error::from_io(error) {
            Error::Io(e) => assert_eq!(e.kind(), io::ErrorKind::InvalidData),
            other => panic!("{other:?}"),
        }
        // One frame larger than the whole window.
        let (mut transport, mut server) = pair_v2(1000, 64 * 1024).await;
        server.send(binary(&[3u8; 1001])).await.expect("send");
        let error = transport
            .read(&mut got)
            .await
            .expect_err("beyond the credit");
        assert_eq!(error.kind(), io::ErrorKind::InvalidData);
        // After reading 600 (a grant of 600 is sent at once), 1000 more are within the credit.
        let (mut transport, mut server) = pair_v2(1000, 64 * 1024).await;
        server.send(binary(&[4u8; 600])).await.expect("send");
        let mut got = vec![0u8; 600];
        transport.read_exact(&mut got).await.expect("read");
        assert_eq!(next_text(&mut server).await, "credit 600");
        server.send(binary(&[5u8; 1000])).await.expect("send");
        let mut got = vec![0u8; 1000];
        transport
            .read_exact(&mut got)
            .await
            .expect("within the credit");
    }

    #[tokio::test]
    async fn ready_and_unknown_messages_are_tolerated_and_a_malformed_one_is_an_error() {
        let (mut transport, mut server) = pair_v2(1000, 64 * 1024).await;
        for text in ["ready tls=bridge", "pause for=10", "ready", "credit 5"] {
            server.send(Message::text(text)).await.expect("send");
        }
        server.send(binary(b"* OK hi\r\n")).await.expect("send");
        let mut got = [0u8; 9];
        transport.read_exact(&mut got).await.expect("read");
        assert_eq!(&got, b"* OK hi\r\n");
        assert!(transport.info().ready());
        // A later `ready` without `tls=` keeps what the first one said.
        assert_eq!(
            transport.info().tls(),
            Some(crate::wire::TlsPlacement::Bridge)
        );
        for bad in ["ready tls=maybe", "credit", " ready", ""] {
            let (mut transport, mut server) = pair_v2(1000, 64 * 1024).await;
            server.send(Message::text(bad)).await.expect("send");
            let error = transport.read(&mut got).await.expect_err(bad);
            assert_eq!(error.kind(), io::ErrorKind::InvalidData, "{bad:?}");
        }
        let (mut transport, mut server) = pair_v2(1000, 64 * 1024).await;
        server
            .send(Message::text("x".repeat(crate::wire::MAX_CONTROL_LEN + 1)))
            .await
            .expect("send");
        let error = transport.read(&mut got).await.expect_err("too long");
        assert_eq!(error.kind(), io::ErrorKind::InvalidData);
    }

    /// The socket is busy with a large write the bridge does not read yet while the reader
    /// consumes the whole window: the grants wait, merged, and reach the bridge once it reads
    /// again — nothing is lost and nothing deadlocks.
    #[tokio::test]
    async fn grants_wait_for_a_busy_socket_and_are_merged_not_lost() {
        const WINDOW: u32 = 4096;
        let (transport, mut server) = pair_v2(WINDOW, 4096).await;
        let (mut rd, mut wr) = tokio::io::split(transport);
        // Larger than the pipe and tungstenite's buffers: the write blocks until the bridge reads.
        let upload = vec![b'u'; 256 * 1024];
        let writer = tokio::spawn(async move {
            wr.write_all(&upload).await.expect("write");
            wr.flush().await.expect("flush");
            wr
        });
        // The whole window, in frames of 512 bytes, sent while the client's write blocks.
        let sender = tokio::spawn(async move {
            for _ in 0..(WINDOW / 512) {
                server.send(binary(&[b'd'; 512])).await.expect("send");
            }
            server
        });
        let mut got = vec![0u8; WINDOW as usize];
        tokio::time::timeout(WAIT, rd.read_exact(&mut got))
            .await
            .expect("in time")
            .expect("read");
        assert!(got.iter().all(|&b| b == b'd'));
        let mut server = tokio::time::timeout(WAIT, sender)
            .await
            .expect("in time")
            .expect("sender");
        // Keep reading (as the driver does) while the bridge drains the upload and the grants.
        let reader = tokio::spawn(async move {
            let mut more = vec![0u8; WINDOW as usize];
            rd.read_exact(&mut more).await.map(|_| (rd, more))
        });
        let (mut uploaded, mut credit, mut grants) = (0usize, 0u32, 0u32);
        while uploaded < 256 * 1024 || credit < WINDOW {
            match tokio::time::timeout(WAIT, futures_util::StreamExt::next(&mut server)).await {
                Ok(Some(Ok(Message::Binary(bytes)))) => uploaded += bytes.len(),
                Ok(Some(Ok(Message::Text(text)))) => {
                    let n: u32 = text
                        .as_str()
                        .strip_prefix("credit ")
                        .and_then(|n| n.parse().ok())
                        .unwrap_or_else(|| panic!("not a grant: {text:?}"));
                    credit += n;
                    grants += 1;
                }
                other => panic!("after {uploaded} bytes and {credit} credit: {other:?}"),
            }
        }
        assert_eq!((uploaded, credit), (256 * 1024, WINDOW));
        assert!((1..=4).contains(&grants), "{grants} grants");
        // The bridge spends the new credit; the client reads it all.
        for _ in 0..(WINDOW / 1024) {
            server.send(binary(&[b'e'; 1024])).await.expect("send");
        }
        let (rd, more) = tokio::time::timeout(WAIT, reader)
            .await
            .expect("in time")
            .expect("reader")
            .expect("read");
        assert!(more.iter().all(|&b| b == b'e'));
        let wr = writer.await.expect("writer");
        let transport = rd.unsplit(wr);
        assert_eq!(transport.info().bytes_received(), 2 * u64::from(WINDOW));
        assert!(transport.info().max_buffered() <= u64::from(WINDOW));
    }
}
