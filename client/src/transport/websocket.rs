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
//! most one is ever pending and none is lost.
//!
//! **Upload credit (version 2).** The bridge's own `credit <n>` messages are the upload
//! credit: `poll_write` sends at most what it holds (splitting a write to fit; with none it
//! waits), and a grant that would raise it above [`MAX_WINDOW`](crate::wire::MAX_WINDOW) is
//! an `InvalidData` error. **A write that waits — for credit, or for a busy socket — reads the
//! bridge's frames itself**, because the reader may not be reading (the driver stops reading
//! while a streamed FETCH's consumer is slow): their control messages are applied (so the
//! grant it waits for is seen) and their payload is queued for the reader. The bridge sends
//! nothing beyond the credit the transport granted, so the queue never holds more than the
//! window ([`BridgeInfo::max_buffered`]); under version 1 only reads read the socket and it
//! holds at most one frame.

use std::collections::VecDeque;
use std::io;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll, Wake, Waker, ready};

use futures_util::{Sink, Stream as _};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio_tungstenite::WebSocketStream;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::http::HeaderValue;
use tokio_tungstenite::tungstenite::protocol::{CloseFrame, WebSocketConfig};
use tokio_tungstenite::tungstenite::{self, Bytes, Message};
use tokio_util::bytes::BytesMut;

use crate::transport::BoxStream;
use crate::transport::bridge::{BridgeInfo, Flow, WireVersion};
use crate::transport::tls::TlsOptions;
use crate::wire::{BridgeClosed, BridgeTarget, CloseCode, MAX_FRAME_LEN, SUBPROTOCOL};
use crate::{Error, Result};

/// The largest binary frame a write produces.
pub const MAX_WRITE_FRAME: usize = 16 * 1024;

/// Received frames smaller than this are copied together while they wait for the reader.
const COALESCE_BELOW: usize = 1024;

/// The size at which copied-together small frames become one entry of the receive queue.
const COALESCE_CHUNK: usize = 16 * 1024;

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
    /// Payload received and not yet read, oldest first (never an empty entry): frames as
    /// they came, without a copy. Version 1: one frame at most. Version 2: up to the window
    /// (a waiting write reads frames too).
    queue: VecDeque<Bytes>,
    /// Payload newer than all of `queue`: frames smaller than [`COALESCE_BELOW`], copied
    /// together so that a queue of tiny frames costs about their bytes, not an entry each.
    /// Moved to `queue` as one entry once it holds [`COALESCE_CHUNK`] bytes or a larger
    /// frame comes.
    tail: BytesMut,
    /// No frame will be read any more: the socket closed or broke, or the bridge broke the
    /// contract.
    eof: bool,
    /// Why the stream ended, if not cleanly: `poll_read` reports it once the queue is read.
    end_error: Option<io::Error>,
    /// A copy of it, which every write after the end reports.
    write_error: Option<io::Error>,
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
    /// The waker of the last read: registered with the socket too when a write reads
    /// frames, so the payload a write takes off the socket never leaves the reader waiting.
    reader: Option<Waker>,
    /// A write waits for upload credit (version 2): a read registers the writer's waker with
    /// the socket too (so a grant the reader takes off the socket wakes it), and the wait is
    /// counted once ([`BridgeInfo::upload_waits`]).
    credit_wait: bool,
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

/// Who takes a frame off the socket.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Side {
    Reader,
    Writer,
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
    /// transport to send it before waiting for data. Writes send nothing until the bridge
    /// granted upload credit (`credit <n>`, which it sends right after `ready`).
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
            queue: VecDeque::new(),
            tail: BytesMut::new(),
            eof: false,
            end_error: None,
            write_error: None,
            info,
            flow,
            grant_unflushed: false,
            grant_error: None,
            writer: None,
            reader: None,
            credit_wait: false,
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

    /// Takes the next frame off the socket, if one is there, and acts on it (see
    /// [`Self::on_frame`]); `Pending` when none is, with `cx` registered — and the other
    /// side's waker too when that side may wait on frames as well (a reader always may; a
    /// writer while it waits for credit). So whichever side takes a frame, a frame's arrival
    /// has woken the other one too: it finds the payload queued, or the credit granted.
    fn poll_frame(&mut self, cx: &mut Context<'_>, side: Side) -> Poll<()> {
        let other = match side {
            Side::Reader => self.writer.as_ref().filter(|_| self.credit_wait),
            Side::Writer => self.reader.as_ref(),
        };
        let next = match other {
            Some(other) if !other.will_wake(cx.waker()) => {
                let both = Waker::from(Arc::new(WakeBoth(cx.waker().clone(), other.clone())));
                ready!(Pin::new(&mut self.ws).poll_next(&mut Context::from_waker(&both)))
            }
            _ => ready!(Pin::new(&mut self.ws).poll_next(cx)),
        };
        self.on_frame(next);
        Poll::Ready(())
    }

    /// Acts on what the socket yielded: payload is checked against the credit granted and
    /// queued, a control message applied, a close frame, an error or a broken contract ends
    /// the stream (`eof`, with the error kept in `end_error`).
    fn on_frame(&mut self, next: Option<tungstenite::Result<Message>>) {
        match next {
            None => self.eof = true,
            Some(Err(e)) => self.end(ws_error(e)),
            Some(Ok(Message::Binary(data))) => {
                let accepted = match self.flow.as_mut() {
                    Some(flow) => flow.received(data.len()),
                    None => {
                        self.info.note_received(data.len(), data.len() as u64);
                        Ok(())
                    }
                };
                match accepted {
                    Err(e) => self.end(e),
                    Ok(()) if data.is_empty() => {}
                    Ok(()) => self.queue_payload(data),
                }
            }
            Some(Ok(Message::Text(text))) => {
                let applied = match self.flow.as_mut() {
                    Some(flow) => flow.control(text.as_bytes()).map(drop),
                    None => Err(protocol_error("text frame (binary frames only)")),
                };
                if let Err(e) = applied {
                    self.end(e);
                }
            }
            Some(Ok(Message::Ping(_) | Message::Pong(_) | Message::Frame(_))) => {}
            Some(Ok(Message::Close(frame))) => match frame.and_then(close_error) {
                Some(error) => self.end(error),
                None => self.eof = true,
            },
        }
    }

    /// Queues payload for the reader (see `tail`).
    fn queue_payload(&mut self, data: Bytes) {
        if data.len() < COALESCE_BELOW {
            self.tail.extend_from_slice(&data);
            if self.tail.len() >= COALESCE_CHUNK {
                self.queue.push_back(self.tail.split().freeze());
            }
        } else {
            if !self.tail.is_empty() {
                self.queue.push_back(self.tail.split().freeze());
            }
            self.queue.push_back(data);
        }
    }

    /// Takes up to `max` of the oldest payload received and not yet read.
    fn take_payload(&mut self, max: usize) -> Option<Bytes> {
        if let Some(front) = self.queue.front_mut() {
            let chunk = front.split_to(max.min(front.len()));
            if front.is_empty() {
                self.queue.pop_front();
            }
            return Some(chunk);
        }
        if self.tail.is_empty() {
            return None;
        }
        Some(self.tail.split_to(max.min(self.tail.len())).freeze())
    }

    fn end(&mut self, error: io::Error) {
        self.eof = true;
        self.write_error = Some(copy_error(&error));
        self.end_error = Some(error);
    }

    /// Reads the bridge's frames while a write or flush waits (version 2 only), until none
    /// is there or the stream ended.
    fn drain_frames(&mut self, cx: &mut Context<'_>) {
        if self.flow.is_none() {
            return;
        }
        while !self.eof && self.poll_frame(cx, Side::Writer).is_ready() {}
    }

    /// The error of a write that cannot go on because the stream ended: a copy of why it
    /// ended, else "closed".
    fn writer_error(&self) -> io::Error {
        match &self.write_error {
            Some(e) => copy_error(e),
            None => io::Error::new(io::ErrorKind::BrokenPipe, "WebSocket closed"),
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

    fn note_reader(&mut self, cx: &Context<'_>) {
        match &self.reader {
            Some(reader) if reader.will_wake(cx.waker()) => {}
            _ => self.reader = Some(cx.waker().clone()),
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

/// A copy of `e`: its kind and message (a bridge close stays a [`BridgeClosed`]).
fn copy_error(e: &io::Error) -> io::Error {
    match e
        .get_ref()
        .and_then(|inner| inner.downcast_ref::<BridgeClosed>())
    {
        Some(closed) => closed.clone().into(),
        None => io::Error::new(e.kind(), e.to_string()),
    }
}

fn protocol_error(what: &str) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, format!("bridge: {what}"))
}

/// What a close frame means for the reader: `None` for the end of the stream (a normal
/// close, [`CloseCode::UpstreamClosed`], codes the contract gives no meaning), else the error.
fn close_error(frame: CloseFrame) -> Option<io::Error> {
    let number = u16::from(frame.code);
    let known = match number {
        // The standard "going away": the bridge shut down (its drain ended).
        1001 => Some(CloseCode::GoingAway),
        4000..=4999 => CloseCode::from_u16(number),
        _ => return None,
    };
    match known {
        Some(CloseCode::UpstreamClosed) => None,
        Some(code) => Some(
            BridgeClosed {
                code,
                reason: frame.reason.as_str().to_owned(),
            }
            .into(),
        ),
        None => Some(io::Error::new(
            io::ErrorKind::ConnectionAborted,
            format!("bridge closed with unknown code {number}: {}", frame.reason),
        )),
    }
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
        this.note_reader(cx);
        // A grant that had to wait goes first: the bridge may be waiting for it.
        this.send_grant(cx, true);
        loop {
            if let Some(chunk) = this.take_payload(buf.remaining()) {
                let n = chunk.len();
                buf.put_slice(&chunk);
                if let Some(flow) = this.flow.as_mut() {
                    flow.consumed(n);
                    this.send_grant(cx, true);
                }
                return Poll::Ready(Ok(()));
            }
            if this.eof {
                return Poll::Ready(this.end_error.take().map_or(Ok(()), Err));
            }
            if this.poll_frame(cx, Side::Reader).is_pending() {
                return match this.grant_error.take() {
                    Some(e) => Poll::Ready(Err(e)),
                    None => Poll::Pending,
                };
            }
        }
    }
}

impl<S> AsyncWrite for WebSocketTransport<S>
where
    S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin,
{
    /// Sends one binary frame of at most [`MAX_WRITE_FRAME`] bytes — under version 2 at most
    /// the upload credit held, waiting (and reading the bridge's frames) while there is none.
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        if buf.is_empty() {
            return Poll::Ready(Ok(0));
        }
        let this = &mut *self;
        this.note_writer(cx);
        // A due grant goes before the data (it never waits behind a large write).
        this.send_grant(cx, false);
        let limit = match this.flow.as_ref() {
            None => {
                ready!(Sink::<Message>::poll_ready(Pin::new(&mut this.ws), cx))
                    .map_err(ws_error)?;
                MAX_WRITE_FRAME
            }
            Some(_) => loop {
                // Once the stream ended (a close, a broken socket or contract), nothing more
                // is sent: the reader says why.
                if this.eof {
                    return Poll::Ready(Err(this.writer_error()));
                }
                let available = this.flow.as_ref().map_or(0, Flow::upload_available);
                if available > 0 {
                    if let Poll::Ready(ready) =
                        Sink::<Message>::poll_ready(Pin::new(&mut this.ws), cx)
                    {
                        ready.map_err(ws_error)?;
                        this.credit_wait = false;
                        break usize::try_from(available).unwrap_or(usize::MAX);
                    }
                } else if !this.credit_wait {
                    this.credit_wait = true;
                    if let Some(flow) = &this.flow {
                        flow.note_upload_wait();
                    }
                }
                // Waiting (for credit or a busy socket): read the bridge meanwhile, since
                // the reader may not be reading — its grants, and its payload within the
                // window.
                ready!(this.poll_frame(cx, Side::Writer));
            },
        };
        let n = buf.len().min(MAX_WRITE_FRAME).min(limit);
        let frame = Message::Binary(Bytes::copy_from_slice(&buf[..n]));
        Pin::new(&mut this.ws).start_send(frame).map_err(ws_error)?;
        match this.flow.as_mut() {
            Some(flow) => flow.sent(n),
            None => this.info.note_sent(n),
        }
        Poll::Ready(Ok(n))
    }

    /// Flushes the socket, a due grant included (sent first if the socket was busy). Under
    /// version 2 a flush that waits reads the bridge's frames meanwhile, as a write does.
    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = &mut *self;
        this.note_writer(cx);
        loop {
            this.send_grant(cx, false);
            if let Some(e) = this.grant_error.take() {
                return Poll::Ready(Err(e));
            }
            match Sink::<Message>::poll_flush(Pin::new(&mut this.ws), cx) {
                Poll::Ready(flushed) => flushed.map_err(ws_error)?,
                Poll::Pending => {
                    this.drain_frames(cx);
                    return Poll::Pending;
                }
            }
            this.grant_unflushed = false;
            // A grant the busy socket could not take: the flush made room for it.
            if this.eof || !this.flow.as_ref().is_some_and(Flow::has_due) {
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
        server
            .send(Message::text("credit 262144"))
            .await
            .expect("the upload window");
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
        let info = transport.info().clone();
        assert_eq!(info.bytes_received(), 32 * 1024);
        assert_eq!(info.credit_granted(), 96 * 1024);
        assert!(info.max_buffered() <= 8 * 1024, "{info:?}");
        // The byte stream still works both ways, within the upload credit.
        assert_eq!(info.upload_credit_received(), 262_144);
        transport.write_all(b"a1 NOOP\r\n").await.expect("write");
        transport.flush().await.expect("flush");
        match tokio::time::timeout(WAIT, futures_util::StreamExt::next(&mut server)).await {
            Ok(Some(Ok(Message::Binary(bytes)))) => assert_eq!(&bytes[..], b"a1 NOOP\r\n"),
            other => panic!("expected the command, got {other:?}"),
        }
        assert_eq!((info.bytes_sent(), info.upload_waits()), (9, 0));
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
            // No upload credit under version 1: writes go as the socket takes them.
            assert_eq!(transport.info().bytes_sent(), 3);
            assert_eq!(transport.info().upload_credit_received(), 0);
            assert_eq!(transport.info().upload_waits(), 0);
        }
        let (url, server) = serve(Some(SUBPROTOCOL)).await;
        let mut transport = connect_to(&url, WireVersion::V2, 1024)
            .await
            .expect("connect");
        let (mut server, _) = server.await.expect("server");
        server.send(Message::text("ready")).await.expect("send");
        // A text frame is an error under version 1.
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
                .contains("bridge exceeded its credit: 801 bytes received with only 800 granted"),
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
        // The whole upload is within the bridge's credit: only the socket holds it back.
        server
            .send(Message::text("credit 262144"))
            .await
            .expect("upload credit");
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

    // ---- Upload credit (version 2) ------------------------------------------------------

    /// One poll of a write with a waker that does nothing: whether it is pending, or how
    /// many bytes it took.
    fn poll_write_once<S>(transport: &mut WebSocketTransport<S>, data: &[u8]) -> Poll<usize>
    where
        S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin,
    {
        let mut cx = Context::from_waker(Waker::noop());
        match Pin::new(transport).poll_write(&mut cx, data) {
            Poll::Ready(result) => Poll::Ready(result.expect("write")),
            Poll::Pending => Poll::Pending,
        }
    }

    /// The payload of the next frame the server gets, which must be a binary frame.
    async fn next_binary(server: &mut WebSocketStream<tokio::io::DuplexStream>) -> Vec<u8> {
        match tokio::time::timeout(WAIT, futures_util::StreamExt::next(server)).await {
            Ok(Some(Ok(Message::Binary(bytes)))) => bytes.to_vec(),
            other => panic!("expected a binary frame, got {other:?}"),
        }
    }

    #[tokio::test]
    async fn nothing_is_sent_before_the_bridges_credit_and_then_exactly_the_credit() {
        let (mut transport, mut server) = pair_v2(64 * 1024, 64 * 1024).await;
        let info = transport.info().clone();
        let data: Vec<u8> = (0..100u8).collect();
        // `ready` is no credit: the write waits, once (however often it is polled).
        server.send(Message::text("ready")).await.expect("send");
        assert_eq!(poll_write_once(&mut transport, &data), Poll::Pending);
        assert!(info.ready(), "the waiting write read `ready`");
        assert_eq!(poll_write_once(&mut transport, &data), Poll::Pending);
        assert_eq!((info.upload_waits(), info.bytes_sent()), (1, 0));
        // A grant of 10: one frame of exactly 10 bytes, then the write waits again.
        server.send(Message::text("credit 10")).await.expect("send");
        assert_eq!(poll_write_once(&mut transport, &data), Poll::Ready(10));
        assert_eq!(poll_write_once(&mut transport, &data[10..]), Poll::Pending);
        assert_eq!(info.upload_waits(), 2);
        transport.flush().await.expect("flush");
        assert_eq!(next_binary(&mut server).await, &data[..10]);
        // The rest, granted in one: written whole, and then no credit is left.
        server.send(Message::text("credit 90")).await.expect("send");
        tokio::time::timeout(WAIT, transport.write_all(&data[10..]))
            .await
            .expect("in time")
            .expect("write");
        transport.flush().await.expect("flush");
        assert_eq!(next_binary(&mut server).await, &data[10..]);
        assert_eq!(poll_write_once(&mut transport, b"x"), Poll::Pending);
        assert_eq!(
            (
                info.upload_credit_received(),
                info.bytes_sent(),
                info.upload_waits()
            ),
            (100, 100, 3)
        );
        // Credit beyond a frame: frames stay at most MAX_WRITE_FRAME, credit splits the rest.
        let grant = MAX_WRITE_FRAME + 1;
        server
            .send(Message::text(format!("credit {grant}")))
            .await
            .expect("send");
        let big = vec![b'b'; 2 * MAX_WRITE_FRAME];
        let first = tokio::time::timeout(WAIT, transport.write(&big))
            .await
            .expect("in time")
            .expect("write");
        assert_eq!(first, MAX_WRITE_FRAME);
        assert_eq!(
            poll_write_once(&mut transport, &big[first..]),
            Poll::Ready(1)
        );
        assert_eq!(
            poll_write_once(&mut transport, &big[first + 1..]),
            Poll::Pending
        );
        transport.flush().await.expect("flush");
        assert_eq!(next_binary(&mut server).await.len(), MAX_WRITE_FRAME);
        assert_eq!(next_binary(&mut server).await.len(), 1);
        assert_eq!(info.bytes_sent(), 100 + grant as u64);
        assert_eq!(info.upload_waits(), 4);
        // A write of nothing needs no credit.
        assert_eq!(poll_write_once(&mut transport, b""), Poll::Ready(0));
    }

    /// The deadlock's root: nobody reads while a write waits for credit that arrives behind
    /// a whole window of data. The write reads the frames itself — queuing the data (within
    /// the window), applying the control messages — and goes on once the grant came.
    #[tokio::test]
    async fn a_write_waiting_for_credit_reads_the_frames_nobody_else_reads() {
        const WINDOW: u32 = 4096;
        let (transport, mut server) = pair_v2(WINDOW, 64 * 1024).await;
        let info = transport.info().clone();
        let upload: Vec<u8> = (0..1000u32).map(|i| (i % 253) as u8).collect();
        let writer = tokio::spawn({
            let upload = upload.clone();
            let mut transport = transport;
            async move {
                transport.write_all(&upload).await.expect("write");
                transport.flush().await.expect("flush");
                transport
            }
        });
        // The write is parked, waiting for credit, before anything comes.
        tokio::time::timeout(WAIT, async {
            while info.upload_waits() == 0 {
                tokio::time::sleep(std::time::Duration::from_millis(5)).await;
            }
        })
        .await
        .expect("the write waits for credit");
        assert_eq!(info.bytes_sent(), 0);
        server
            .send(Message::text("ready tls=bridge"))
            .await
            .expect("send");
        let download: Vec<u8> = (0..WINDOW).map(|i| (i % 251) as u8).collect();
        for frame in download.chunks(1024) {
            server.send(binary(frame)).await.expect("send");
        }
        for text in ["pause for=1", "credit 600", "credit 400"] {
            server.send(Message::text(text)).await.expect("send");
        }
        let mut transport = tokio::time::timeout(WAIT, writer)
            .await
            .expect("the write completed")
            .expect("writer");
        // Exactly the credit went out, in two frames.
        assert_eq!(next_binary(&mut server).await, &upload[..600]);
        assert_eq!(next_binary(&mut server).await, &upload[600..]);
        // The whole window was read off the socket and held for the reader, unread.
        assert!(info.ready());
        assert_eq!(info.tls(), Some(crate::wire::TlsPlacement::Bridge));
        assert_eq!(info.bytes_received(), u64::from(WINDOW));
        assert_eq!(info.max_buffered(), u64::from(WINDOW));
        assert_eq!(
            info.grants_sent(),
            1,
            "nothing was read, so nothing granted"
        );
        assert_eq!(
            (
                info.upload_credit_received(),
                info.bytes_sent(),
                info.upload_waits()
            ),
            (1000, 1000, 2)
        );
        let mut got = vec![0u8; WINDOW as usize];
        transport.read_exact(&mut got).await.expect("read");
        assert_eq!(got, download);
        // Read: the window is granted again (in quarters, perhaps merged).
        let mut granted = 0;
        while granted < WINDOW {
            let text = next_text(&mut server).await;
            granted += text
                .strip_prefix("credit ")
                .and_then(|n| n.parse::<u32>().ok())
                .unwrap_or_else(|| panic!("not a grant: {text:?}"));
        }
        assert_eq!(granted, WINDOW);
        // More than the window is still a broken bridge, even when the write reads it.
        server.send(binary(&[0u8; 4097])).await.expect("send");
        server.send(Message::text("credit 1")).await.expect("send");
        let error = transport
            .write_all(b"x")
            .await
            .expect_err("beyond the credit");
        assert_eq!(error.kind(), io::ErrorKind::InvalidData, "{error}");
        assert!(error.to_string().contains("exceeded its credit"), "{error}");
        let error = transport.read(&mut got).await.expect_err("the reader too");
        assert_eq!(error.kind(), io::ErrorKind::InvalidData, "{error}");
    }

    /// Split into halves in two tasks, both waiting on the socket: whichever half registered
    /// last, the frame's arrival wakes the one it concerns — a grant for a writer waiting for
    /// credit, payload for the reader.
    #[tokio::test]
    async fn the_halves_wake_each_other_for_grants_and_data() {
        /// Lets the spawned tasks run until they wait (a current-thread runtime).
        async fn settle() {
            for _ in 0..8 {
                tokio::task::yield_now().await;
            }
        }
        for writer_parks_last in [false, true] {
            let (transport, mut server) = pair_v2(4096, 64 * 1024).await;
            let info = transport.info().clone();
            let (rd, wr) = tokio::io::split(transport);
            let start_writer = |mut wr: tokio::io::WriteHalf<_>| {
                tokio::spawn(async move {
                    wr.write_all(b"a1 APPEND").await.expect("write");
                    wr.flush().await.expect("flush");
                    wr
                })
            };
            let start_reader = |mut rd: tokio::io::ReadHalf<_>| {
                tokio::spawn(async move {
                    let mut got = [0u8; 5];
                    rd.read_exact(&mut got).await.expect("read");
                    (rd, got)
                })
            };
            let (writer, reader) = if writer_parks_last {
                let reader = start_reader(rd);
                settle().await;
                (start_writer(wr), reader)
            } else {
                let writer = start_writer(wr);
                settle().await;
                (writer, start_reader(rd))
            };
            settle().await;
            assert_eq!(info.upload_waits(), 1, "the writer waits for credit");
            assert!(!writer.is_finished() && !reader.is_finished());
            if writer_parks_last {
                // The data first: the reader must be woken though the writer registered last.
                server.send(binary(b"* OK ")).await.expect("send");
                let (rd, got) = tokio::time::timeout(WAIT, reader)
                    .await
                    .expect("the reader was woken")
                    .expect("reader");
                assert_eq!(&got, b"* OK ");
                assert!(!writer.is_finished(), "no credit yet");
                server.send(Message::text("credit 9")).await.expect("send");
                let wr = tokio::time::timeout(WAIT, writer)
                    .await
                    .expect("the writer was woken")
                    .expect("writer");
                drop(rd.unsplit(wr));
            } else {
                // The grant first: the writer must be woken though the reader registered last.
                server.send(Message::text("credit 9")).await.expect("send");
                let wr = tokio::time::timeout(WAIT, writer)
                    .await
                    .expect("the writer was woken")
                    .expect("writer");
                assert!(!reader.is_finished(), "no data yet");
                server.send(binary(b"* OK ")).await.expect("send");
                let (rd, got) = tokio::time::timeout(WAIT, reader)
                    .await
                    .expect("the reader was woken")
                    .expect("reader");
                assert_eq!(&got, b"* OK ");
                drop(rd.unsplit(wr));
            }
            assert_eq!(next_binary(&mut server).await, b"a1 APPEND");
            assert_eq!((info.bytes_sent(), info.bytes_received()), (9, 5));
        }
    }

    #[tokio::test]
    async fn a_flush_waiting_for_a_busy_socket_reads_the_bridges_frames() {
        const WINDOW: u32 = 8192;
        let (transport, mut server) = pair_v2(WINDOW, 4096).await;
        let info = transport.info().clone();
        server
            .send(Message::text("credit 65536"))
            .await
            .expect("send");
        let upload = vec![b'u'; 64 * 1024];
        let writer = tokio::spawn({
            let mut transport = transport;
            let upload = upload.clone();
            async move {
                // Taken whole by the socket's write buffer; the flush then waits for the
                // pipe, which the bridge does not read yet.
                transport.write_all(&upload).await.expect("write");
                transport.flush().await.expect("flush");
                transport
            }
        });
        tokio::time::timeout(WAIT, async {
            while info.bytes_sent() < upload.len() as u64 {
                tokio::time::sleep(std::time::Duration::from_millis(5)).await;
            }
        })
        .await
        .expect("the write went into the socket");
        // More than the pipe holds: these sends complete only if the client reads.
        let download: Vec<u8> = (0..WINDOW).map(|i| (i % 241) as u8).collect();
        tokio::time::timeout(WAIT, async {
            server.send(Message::text("ready")).await.expect("send");
            for frame in download.chunks(2048) {
                server.send(binary(frame)).await.expect("send");
            }
        })
        .await
        .expect("the flushing client read the frames");
        tokio::time::timeout(WAIT, async {
            while info.bytes_received() < u64::from(WINDOW) {
                tokio::time::sleep(std::time::Duration::from_millis(5)).await;
            }
        })
        .await
        .expect("all of them");
        assert!(info.ready());
        assert_eq!(info.max_buffered(), u64::from(WINDOW));
        // The bridge drains the upload; the flush completes; the reader gets the download.
        let mut uploaded = 0;
        while uploaded < upload.len() {
            uploaded += next_binary(&mut server).await.len();
        }
        assert_eq!(uploaded, upload.len());
        let mut transport = tokio::time::timeout(WAIT, writer)
            .await
            .expect("the flush completed")
            .expect("writer");
        let mut got = vec![0u8; WINDOW as usize];
        transport.read_exact(&mut got).await.expect("read");
        assert_eq!(got, download);
    }

    /// One poll of a flush with a waker that does nothing.
    fn poll_flush_once<S>(transport: &mut WebSocketTransport<S>) -> Poll<io::Result<()>>
    where
        S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin,
    {
        let mut cx = Context::from_waker(Waker::noop());
        Pin::new(transport).poll_flush(&mut cx)
    }

    /// Version 1 is unchanged: only reads read the socket, whatever a write waits for.
    #[tokio::test]
    async fn under_version_1_writes_and_flushes_never_read_the_socket() {
        let (a, b) = tokio::io::duplex(4096);
        let client = WebSocketStream::from_raw_socket(a, Role::Client, None).await;
        let mut server = WebSocketStream::from_raw_socket(b, Role::Server, None).await;
        let mut transport = WebSocketTransport::new(client);
        server.send(binary(b"* OK hi\r\n")).await.expect("send");
        // Taken by the socket's write buffer; the flush then waits for the full pipe.
        let upload = vec![b'u'; 64 * 1024];
        let mut written = 0;
        while written < upload.len() {
            match poll_write_once(&mut transport, &upload[written..]) {
                Poll::Ready(n) => written += n,
                Poll::Pending => panic!("the socket buffers this much"),
            }
        }
        assert!(poll_flush_once(&mut transport).is_pending());
        assert_eq!(transport.info().bytes_received(), 0);
        assert!(transport.queue.is_empty() && transport.tail.is_empty());
        assert_eq!(transport.info().bytes_sent(), upload.len() as u64);
        let mut got = [0u8; 9];
        transport.read_exact(&mut got).await.expect("read");
        assert_eq!(&got, b"* OK hi\r\n");
    }

    /// A flush that reads the bridge's close stops reading there (the stream ended) and
    /// keeps waiting for the socket; the reader then sees the end.
    #[tokio::test]
    async fn a_flush_that_reads_the_end_stops_reading() {
        let (transport, mut server) = pair_v2(4096, 4096).await;
        let mut transport = transport;
        server
            .send(Message::text("credit 65536"))
            .await
            .expect("send");
        server.send(binary(b"bye")).await.expect("send");
        server
            .send(close(CloseCode::UpstreamClosed.as_u16()))
            .await
            .expect("close");
        let upload = vec![b'u'; 64 * 1024];
        let mut written = 0;
        while written < upload.len() {
            match poll_write_once(&mut transport, &upload[written..]) {
                Poll::Ready(n) => written += n,
                Poll::Pending => panic!("the credit and the socket's buffer take it all"),
            }
        }
        assert!(poll_flush_once(&mut transport).is_pending());
        assert!(transport.eof, "the flush read up to the close");
        assert_eq!(transport.info().bytes_received(), 3);
        let mut got = [0u8; 8];
        assert_eq!(transport.read(&mut got).await.expect("data"), 3);
        assert_eq!(&got[..3], b"bye");
        assert_eq!(transport.read(&mut got).await.expect("the end"), 0);
        // Nothing more is written after the end.
        let error = transport.write(b"x").await.expect_err("ended");
        assert_eq!(error.kind(), io::ErrorKind::BrokenPipe);
        // The bridge's side of the socket ends without a close frame (a half-closed socket:
        // the socket yields an error, then nothing more, ever): the flush stops reading too.
        let (mut transport, mut server) = pair_v2(4096, 4096).await;
        server
            .send(Message::text("credit 65536"))
            .await
            .expect("send");
        server.get_mut().shutdown().await.expect("half-close");
        let mut written = 0;
        while written < upload.len() {
            match poll_write_once(&mut transport, &upload[written..]) {
                Poll::Ready(n) => written += n,
                Poll::Pending => panic!("the credit and the socket's buffer take it all"),
            }
        }
        assert!(poll_flush_once(&mut transport).is_pending());
        assert!(transport.eof, "the flush read up to the end");
        transport.read(&mut got).await.expect_err("no close frame");
        transport.write(b"x").await.expect_err("ended");
    }

    /// Tiny frames queued while a write waits are copied together (one entry per
    /// [`COALESCE_CHUNK`], or per larger frame), and come out in order.
    #[tokio::test]
    async fn tiny_frames_queued_for_the_reader_are_copied_together_in_order() {
        let (mut transport, mut server) = pair_v2(64 * 1024, 64 * 1024).await;
        let byte = |i: usize| (i % 251) as u8;
        let mut sent = Vec::new();
        let mut send = async |server: &mut WebSocketStream<_>, frame: Vec<u8>| {
            sent.extend_from_slice(&frame);
            server.send(binary(&frame)).await.expect("send");
        };
        // 3000 frames of one byte, one of COALESCE_BELOW bytes, 100 of one byte.
        for i in 0..3000 {
            send(&mut server, vec![byte(i)]).await;
        }
        send(&mut server, (0..COALESCE_BELOW).map(byte).collect()).await;
        for i in 0..100 {
            send(&mut server, vec![byte(i + 7)]).await;
        }
        // The write waits for credit and reads them all.
        assert_eq!(poll_write_once(&mut transport, b"w"), Poll::Pending);
        assert_eq!(
            transport.queue.len(),
            2,
            "the 3000 bytes, then the larger frame"
        );
        assert_eq!(transport.queue[0].len(), 3000);
        assert_eq!(transport.queue[1].len(), COALESCE_BELOW);
        assert_eq!(transport.tail.len(), 100);
        // One byte below COALESCE_BELOW is still copied.
        send(&mut server, vec![9u8; COALESCE_BELOW - 1]).await;
        assert_eq!(poll_write_once(&mut transport, b"w"), Poll::Pending);
        assert_eq!(
            (transport.queue.len(), transport.tail.len()),
            (2, 100 + COALESCE_BELOW - 1)
        );
        let mut got = vec![0u8; 3000 + COALESCE_BELOW + 100 + COALESCE_BELOW - 1];
        transport.read_exact(&mut got).await.expect("read");
        assert!(transport.queue.is_empty() && transport.tail.is_empty());
        // A chunk of exactly COALESCE_CHUNK becomes one entry; the rest stays in the tail.
        for i in 0..COALESCE_CHUNK + 5 {
            send(&mut server, vec![byte(i + 3)]).await;
        }
        assert_eq!(poll_write_once(&mut transport, b"w"), Poll::Pending);
        assert_eq!(transport.queue.len(), 1);
        assert_eq!(transport.queue[0].len(), COALESCE_CHUNK);
        assert_eq!(transport.tail.len(), 5);
        let mut more = vec![0u8; COALESCE_CHUNK + 5];
        transport.read_exact(&mut more).await.expect("read");
        got.extend_from_slice(&more);
        assert!(got == sent, "the bytes came out of order or changed");
        // The larger of the two batches, all of it held at once.
        assert_eq!(transport.info().max_buffered(), COALESCE_CHUNK as u64 + 5);
    }

    #[tokio::test]
    async fn the_bridges_credit_is_capped_at_the_maximum_window() {
        use crate::wire::MAX_WINDOW;
        let (mut transport, mut server) = pair_v2(1000, 64 * 1024).await;
        let info = transport.info().clone();
        server
            .send(Message::text(format!("credit {}", MAX_WINDOW - 1)))
            .await
            .expect("send");
        tokio::time::timeout(WAIT, transport.write_all(b"x"))
            .await
            .expect("in time")
            .expect("within the credit");
        // MAX - 2 held: a grant of 2 reaches exactly the maximum, which is allowed…
        server.send(Message::text("credit 2")).await.expect("send");
        server.send(binary(b"ok")).await.expect("send");
        let mut got = [0u8; 2];
        transport.read_exact(&mut got).await.expect("read");
        assert_eq!(&got, b"ok");
        assert_eq!(info.upload_credit_received(), u64::from(MAX_WINDOW) + 1);
        // …one byte more is a broken bridge.
        server.send(Message::text("credit 1")).await.expect("send");
        let error = transport.read(&mut got).await.expect_err("overflow");
        assert_eq!(error.kind(), io::ErrorKind::InvalidData);
        assert!(error.to_string().contains("maximum window"), "{error}");
        assert_eq!(info.upload_credit_received(), u64::from(MAX_WINDOW) + 1);
        // Nothing more is sent once the stream ended, credit or not.
        let error = transport.write(b"y").await.expect_err("ended");
        assert_eq!(error.kind(), io::ErrorKind::InvalidData);
        assert_eq!(info.bytes_sent(), 1);
    }

    #[tokio::test]
    async fn a_close_or_a_malformed_grant_while_a_write_waits_ends_the_write_and_the_read() {
        // A bridge close code reaches the waiting write as the same typed close.
        let (mut transport, mut server) = pair_v2(1000, 64 * 1024).await;
        assert_eq!(poll_write_once(&mut transport, b"a"), Poll::Pending);
        server.send(binary(b"* BYE")).await.expect("send");
        server
            .send(close(CloseCode::Timeout.as_u16()))
            .await
            .expect("close");
        let error = tokio::time::timeout(WAIT, transport.write(b"a"))
            .await
            .expect("in time")
            .expect_err("closed");
        match crate::Error::from_io(error) {
            Error::Bridge { code, reason } => {
                assert_eq!((code, reason.as_str()), (CloseCode::Timeout, "why"));
            }
            other => panic!("{other:?}"),
        }
        // The reader gets the data read before the close, then the close.
        let mut got = [0u8; 5];
        transport.read_exact(&mut got).await.expect("read");
        assert_eq!(&got, b"* BYE");
        let error = transport.read(&mut got).await.expect_err("closed");
        assert!(matches!(
            crate::Error::from_io(error),
            Error::Bridge {
                code: CloseCode::Timeout,
                ..
            }
        ));
        assert_eq!(transport.read(&mut got).await.expect("then the end"), 0);
        // A normal close: the write fails as closed, the reader sees the end.
        let (mut transport, mut server) = pair_v2(1000, 64 * 1024).await;
        server.send(close(1000)).await.expect("close");
        let error = tokio::time::timeout(WAIT, transport.write(b"a"))
            .await
            .expect("in time")
            .expect_err("closed");
        assert_eq!(error.kind(), io::ErrorKind::BrokenPipe);
        assert_eq!(transport.read(&mut got).await.expect("the end"), 0);
        // A malformed grant.
        let (mut transport, mut server) = pair_v2(1000, 64 * 1024).await;
        server.send(Message::text("credit 0")).await.expect("send");
        let error = tokio::time::timeout(WAIT, transport.write(b"a"))
            .await
            .expect("in time")
            .expect_err("malformed");
        assert_eq!(error.kind(), io::ErrorKind::InvalidData);
        assert!(error.to_string().contains("malformed credit"), "{error}");
        assert_eq!(transport.info().bytes_sent(), 0);
    }
}
