//! The pipe: bytes both ways, unchanged, with bounded buffers.
//!
//! Client frames are decoded as they arrive ([`crate::websocket::Decoder`]): the payload of a
//! binary frame is written to the upstream piece by piece, as its bytes come in, so a session
//! holds one 16 KiB read buffer ([`CLIENT_READ`]) whatever the frame sizes, the
//! fragmentation or the pace of the client — never a whole frame. In version 1 the next read
//! waits until those bytes are written and flushed, so a slow upstream slows the client down
//! (TCP backpressure); version 2 reads on and buffers at most its upload window (below).
//! Upstream reads of at most [`UPSTREAM_CHUNK`] bytes become one binary frame each (the next
//! read waits until the frame is flushed). A text frame (version 1) or a malformed frame
//! ends the session with [`CloseCode::ProtocolError`]; the upstream closing
//! ends it with [`CloseCode::UpstreamClosed`]; the client closing shuts the upstream down. A
//! frame or message over the size limit closes with [`CloseCode::LimitReached`] (seen in the
//! frame's header, so none of that frame reaches the upstream); idle and maximum-duration
//! limits close with [`CloseCode::Timeout`]; shutdown closes with 1001. The bridge pings the
//! client at an interval and answers its pings. No payload byte is ever logged.
//!
//! Closing has deadlines ([`CLOSE_GRACE`]): a peer that stopped reading cannot hold a session
//! open past its limits.
//!
//! # Wire contract version 2: flow control
//!
//! A session negotiated as version 2 ([`Wire::V2`], see [`daaki_imap::wire::flow`]) differs in
//! four ways:
//!
//! - The bridge's first frames are the text frames `ready tls=bridge` (`tls=none` for a
//!   plaintext upstream) and `credit <upload window>` ([`PipeLimits::upload_window`]), before
//!   any binary frame.
//! - **Client frames are read at all times**, whatever the upstream does: their payload goes
//!   into the session's upload buffer ([`ReceiveWindow`](daaki_imap::wire::ReceiveWindow) accounting), which holds at most the
//!   upload window, since that is all the credit the client ever has; a piece of payload
//!   beyond the credit granted ends the session with [`CloseCode::ProtocolError`]. A writer
//!   drains the buffer into the upstream as the upstream takes it and, for every quarter
//!   window written, makes a grant due, which the backward direction sends as a
//!   `credit <n>` text frame between two whole frames (never inside a data frame). So the
//!   client's own grants (its download credit) are always read, even while the upstream
//!   reads nothing: were the client read only as fast as the upstream takes its bytes
//!   (version 1), a server blocked writing a reply the client has no credit for, while the
//!   client uploads, would leave the client's grant behind its own upload data, and nothing
//!   would ever move again.
//!   The buffer is allocated as it fills (never past the window) and freed whenever it is
//!   empty; it is counted in `daaki_bridge_upload_buffered_bytes`. When the session ends,
//!   what is buffered is still written to the upstream before it is shut down (within
//!   [`CLOSE_GRACE`]).
//! - Text messages from the client are control messages, reassembled across fragments in a
//!   fixed [`MAX_CONTROL_LEN`](daaki_imap::wire::MAX_CONTROL_LEN)-byte buffer. `credit <n>` adds to the session's credit; an
//!   unknown message is ignored; anything else — longer than [`MAX_CONTROL_LEN`](daaki_imap::wire::MAX_CONTROL_LEN), malformed,
//!   `ready` (which only the bridge sends), or a grant that raises the credit above
//!   [`MAX_WINDOW`](daaki_imap::wire::MAX_WINDOW) — ends the session with [`CloseCode::ProtocolError`].
//! - The backward direction reads the upstream only while it holds credit, at most
//!   `min(credit, UPSTREAM_CHUNK)` bytes per read, and spends what it sends. With none left
//!   it reads nothing (so TCP slows the server down) and waits for a grant, still answering
//!   pings and honouring close, the limits and shutdown. A session starts with no credit; it
//!   **stalls** each time it spends its last byte of credit (counted in
//!   `daaki_bridge_credit_stalls_total`, and in the `daaki_bridge_sessions_stalled` gauge
//!   until the next grant or the session's end). A grant counts as client activity for the
//!   idle timeout (it shows the page is alive and consuming); so a client that stops
//!   granting while the upstream has data ends, like any quiet session, as idle after
//!   `idle_timeout` — unless it still sends payload bytes. Unknown messages do not count.
//!
//! Both directions, the upload writer (version 2) and the watchdog are polled by one task,
//! never on two threads at once.
//! The client stream and the upstream are each split into halves that share a lock; with the
//! client → upstream direction on a task of its own, the two threads contended for those
//! locks and woke each other on every frame. Measured over 128 MiB echoed each way, one task
//! makes 71 futex calls instead of 4,912, 2,033 `epoll_wait`s instead of 4,237 and 23 %
//! fewer syscalls in all; a profile showed thread switches costing several times the
//! WebSocket framing. A busy bridge still uses every core: one per session at a time.

use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use daaki_imap::wire::{CloseCode, Control, TlsPlacement};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, ReadHalf, WriteHalf};
use tokio::sync::{Notify, watch};
use tokio::time::Instant;

use crate::metrics::Metrics;
use crate::policy::BoxIo;
use crate::websocket::{self, ControlFrame, Decoder, Event, MAX_HEADER_LEN};

mod credit;
use credit::{ControlReader, Flow, Upload};

/// The largest upstream read, hence the largest binary frame the bridge sends.
pub const UPSTREAM_CHUNK: usize = 16 * 1024;

/// The largest client read: the session's one buffer for client frames, whatever their size.
pub const CLIENT_READ: usize = 16 * 1024;

/// The wire contract version a session runs, as negotiated in the handshake.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Wire {
    /// `daaki-imap.v1`: binary frames only; a text frame ends the session.
    V1,
    /// `daaki-imap.v2`: control messages and credit-based flow control (module docs).
    V2 {
        /// Where TLS to the server is done, announced in the `ready` message.
        tls: TlsPlacement,
    },
}

/// How a pipe ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PipeEnd {
    /// The client closed the WebSocket (or its stream ended).
    ClientClosed,
    /// The WebSocket failed (I/O or protocol error below the frame level).
    ClientError,
    /// The client sent a text frame (version 1).
    TextFrame,
    /// Version 2: the client sent a text message that is no control message the bridge
    /// accepts: longer than [`MAX_CONTROL_LEN`](daaki_imap::wire::MAX_CONTROL_LEN) bytes, malformed (not UTF-8, a `credit`
    /// without a valid count, …) or `ready`, which only the bridge sends.
    BadControl,
    /// Version 2: a grant would raise the credit above [`MAX_WINDOW`](daaki_imap::wire::MAX_WINDOW).
    CreditOverflow,
    /// Version 2: the client sent more payload than the upload credit the bridge granted.
    CreditExceeded,
    /// The client broke the framing rules (RFC 6455 §5: an unmasked frame, reserved bits or
    /// opcodes, a bad control frame, a continuation out of place, a bad close body).
    MalformedFrame,
    /// The client sent a frame or message over the size limit (nothing of it was forwarded).
    FrameTooLarge,
    /// The upstream closed its side.
    UpstreamClosed,
    /// Reading from or writing to the upstream failed.
    UpstreamError,
    /// No payload bytes either way (and no grant, version 2) for the idle timeout.
    Idle,
    /// The session reached its maximum duration.
    MaxDuration,
    /// The bridge is shutting down and the drain deadline passed (closed with 1001).
    Shutdown,
}

/// The limits of one session.
#[derive(Debug, Clone, Copy)]
pub struct PipeLimits {
    /// Close after this long without payload bytes either way (or, version 2, a grant).
    pub idle_timeout: Duration,
    /// Close after this long regardless (`None`: never).
    pub max_session: Option<Duration>,
    /// Send a WebSocket ping this often (`None`: never).
    pub ping_interval: Option<Duration>,
    /// The largest frame and message the client may send.
    pub max_frame_len: usize,
    /// Version 2: the upload window, the client's credit for payload it sends and so the
    /// most of it the session buffers (clamped to 1..=[`MAX_WINDOW`](daaki_imap::wire::MAX_WINDOW)).
    pub upload_window: u32,
}

fn millis(d: Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX)
}

/// Pipes the client (`client`, past its WebSocket upgrade, with the `early` bytes it sent
/// before the upgrade's response) and `upstream` under the `wire` contract until either side
/// ends, a limit is hit or `close_now` turns `true`, then closes the WebSocket with the
/// matching code. Payload bytes (and version 2's stalls) are counted in `metrics`, never
/// logged.
pub async fn run<S>(
    client: S,
    early: Vec<u8>,
    upstream: BoxIo,
    wire: Wire,
    limits: PipeLimits,
    metrics: Arc<Metrics>,
    mut close_now: watch::Receiver<bool>,
) -> PipeEnd
where
    S: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    let (mut client_rx, client_tx) = tokio::io::split(client);
    let mut client_tx = FrameWriter::new(client_tx);
    let (mut up_rx, mut up_tx) = tokio::io::split(upstream);
    let start = Instant::now();
    // Milliseconds since `start` of the last payload byte either way (or grant, version 2).
    let last_activity = AtomicU64::new(0);
    let touch = || last_activity.store(millis(start.elapsed()), Relaxed);
    let mut decoder = match wire {
        Wire::V1 => Decoder::new(limits.max_frame_len),
        Wire::V2 { .. } => Decoder::new(limits.max_frame_len).with_text_payloads(),
    };
    // Version 2: the credit (shared by the direction that reads grants and the one that
    // spends it) and the control message being reassembled.
    let flow = Flow::new(matches!(wire, Wire::V2 { .. }), &metrics);
    let mut control = ControlReader::new();
    // Version 2: the client's payload on its way to the upstream, and the first grant of the
    // upload window (the credit is granted from here on, before the message is sent).
    let (upload, upload_credit) = Upload::new(limits.upload_window, &metrics);
    // Version 1 writes client payload straight to the upstream (`direct`); version 2 buffers
    // it, and the upload writer (`buffered`) writes it.
    let (mut direct, buffered) = match wire {
        Wire::V1 => (Some(&mut up_tx), None),
        Wire::V2 { .. } => (None, Some(&mut up_tx)),
    };
    let mut input = early;
    input.reserve(CLIENT_READ.saturating_sub(input.len()));
    // The pong owed to the client's latest ping (the forward direction decodes pings; the
    // backward direction owns the client's write half).
    let pong = PendingPong::default();
    // The code of the client's close frame (echoed in the reply), if it sent one.
    let mut client_close: Option<Option<u16>> = None;

    // `input[at..]`: read from the client, not yet decoded (if the forward direction is
    // stopped mid-way, closing decodes them first, staying in step with the frames).
    let mut at = 0;
    let forward = async {
        loop {
            while at < input.len() {
                let (used, event) = match decoder.decode(&mut input[at..]) {
                    Ok(decoded) => decoded,
                    Err(error) if error.is_too_large() => return PipeEnd::FrameTooLarge,
                    Err(_) => return PipeEnd::MalformedFrame,
                };
                at += used;
                match event {
                    Some(Event::Data(bytes)) => {
                        touch();
                        let Some(up_tx) = direct.as_mut() else {
                            // Version 2: buffered within the credit; read on.
                            if upload.received(bytes).is_err() {
                                return PipeEnd::CreditExceeded;
                            }
                            continue;
                        };
                        if up_tx.write_all(bytes).await.is_err() {
                            return PipeEnd::UpstreamError;
                        }
                        let n = u64::try_from(bytes.len()).unwrap_or(u64::MAX);
                        metrics.bytes_client_to_upstream.fetch_add(n, Relaxed);
                    }
                    Some(Event::Ping(payload)) => pong.owe(websocket::pong(payload)),
                    Some(Event::Pong) | None => {}
                    Some(Event::Close(body)) => {
                        client_close = Some(body.map(|(code, _)| code));
                        return PipeEnd::ClientClosed;
                    }
                    Some(Event::Text) => return PipeEnd::TextFrame,
                    Some(Event::TextData { bytes, last }) => match control.push(bytes, last) {
                        Ok(None | Some(Control::Unknown(_))) => {}
                        Ok(Some(Control::Credit(n))) => {
                            if flow.grant(n).is_err() {
                                return PipeEnd::CreditOverflow;
                            }
                            // A grant shows the client alive and consuming.
                            touch();
                        }
                        // `ready` (the bridge's message) and anything malformed.
                        Ok(Some(_)) | Err(_) => return PipeEnd::BadControl,
                    },
                }
            }
            // Version 1: everything decoded is written; flush it before waiting for more.
            if let Some(up_tx) = direct.as_mut()
                && up_tx.flush().await.is_err()
            {
                return PipeEnd::UpstreamError;
            }
            input.clear();
            at = 0;
            // Into the buffer's spare capacity (never zero-filled: an idle session's buffer
            // stays untouched memory).
            match client_rx.read_buf(&mut input).await {
                Ok(0) => return PipeEnd::ClientClosed,
                Ok(_) => {}
                Err(_) => return PipeEnd::ClientError,
            }
        }
    };
    // Version 2: writes the buffered client payload to the upstream as it takes it (each
    // write consumes credit and may make a grant due); flushes whenever the buffer is empty.
    let upload_writer = async {
        let Some(up_tx) = buffered else {
            return std::future::pending().await;
        };
        loop {
            if std::future::poll_fn(|cx| upload.poll_write(cx, &mut *up_tx))
                .await
                .is_err()
            {
                return PipeEnd::UpstreamError;
            }
            if upload.is_empty() && up_tx.flush().await.is_err() {
                return PipeEnd::UpstreamError;
            }
        }
    };
    let backward = async {
        if let Wire::V2 { tls } = wire {
            let ready = Control::Ready { tls: Some(tls) }.to_string();
            for message in [ready, upload_credit.to_string()] {
                if client_tx
                    .send_owned(websocket::text(&message), 0)
                    .await
                    .is_err()
                {
                    return PipeEnd::ClientError;
                }
            }
        }
        let period = limits
            .ping_interval
            .unwrap_or(Duration::from_secs(86_400 * 365));
        let mut ping = tokio::time::interval_at(start + period, period);
        ping.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            // Version 1: always a whole chunk; version 2: what the credit allows.
            let allowance = flow.allowance(UPSTREAM_CHUNK);
            tokio::select! {
                read = read_chunk(&mut up_rx, allowance), if allowance > 0 => match read {
                    Ok(mut chunk) => {
                        let n = chunk.len() - MAX_HEADER_LEN;
                        if n == 0 {
                            return PipeEnd::UpstreamClosed;
                        }
                        touch();
                        let Some(frame_len) =
                            websocket::frame_binary(&mut chunk, MAX_HEADER_LEN).map(<[u8]>::len)
                        else {
                            return PipeEnd::UpstreamError;
                        };
                        let start = chunk.len() - frame_len;
                        if client_tx.send_owned(chunk, start).await.is_err() {
                            return PipeEnd::ClientError;
                        }
                        flow.spent(n);
                        let n = u64::try_from(n).unwrap_or(u64::MAX);
                        metrics.bytes_upstream_to_client.fetch_add(n, Relaxed);
                    }
                    Err(_) => return PipeEnd::UpstreamError,
                },
                // Out of credit: nothing is read until the client grants more.
                () = flow.granted.notified(), if allowance == 0 => {}
                // Version 2: the upstream took a quarter window of the client's payload.
                () = upload.grant_due.notified() => {
                    if let Some(grant) = upload.take_grant()
                        && client_tx
                            .send_owned(websocket::text(&grant.to_string()), 0)
                            .await
                            .is_err()
                    {
                        return PipeEnd::ClientError;
                    }
                }
                () = pong.owed.notified() => {
                    if let Some(frame) = pong.take()
                        && client_tx.send(frame.as_bytes()).await.is_err()
                    {
                        return PipeEnd::ClientError;
                    }
                }
                _ = ping.tick(), if limits.ping_interval.is_some() => {
                    if client_tx.send(websocket::ping(&[]).as_bytes()).await.is_err() {
                        return PipeEnd::ClientError;
                    }
                }
            }
        }
    };
    let watchdog = async {
        let mut bridge_gone = false;
        loop {
            let idle_at =
                start + Duration::from_millis(last_activity.load(Relaxed)) + limits.idle_timeout;
            let end_at = limits.max_session.map(|max| start + max);
            let wake = end_at.map_or(idle_at, |end| end.min(idle_at));
            tokio::select! {
                () = tokio::time::sleep_until(wake) => {
                    let now = Instant::now();
                    if end_at.is_some_and(|end| now >= end) {
                        return PipeEnd::MaxDuration;
                    }
                    let idle_at = start
                        + Duration::from_millis(last_activity.load(Relaxed))
                        + limits.idle_timeout;
                    if now >= idle_at {
                        return PipeEnd::Idle;
                    }
                }
                changed = close_now.wait_for(|now| *now), if !bridge_gone => {
                    if changed.is_ok() {
                        return PipeEnd::Shutdown;
                    }
                    // The bridge is gone without a shutdown: keep to the other limits.
                    bridge_gone = true;
                }
            }
        }
    };
    let end = tokio::select! {
        end = forward => end,
        end = backward => end,
        end = upload_writer => end,
        end = watchdog => end,
    };

    let close = match end {
        // The reply to the client's close echoes its code.
        PipeEnd::ClientClosed => client_close.map(|code| match code {
            Some(code) => websocket::close(code, ""),
            None => websocket::close_empty(),
        }),
        PipeEnd::ClientError => None,
        PipeEnd::TextFrame
        | PipeEnd::MalformedFrame
        | PipeEnd::BadControl
        | PipeEnd::CreditOverflow
        | PipeEnd::CreditExceeded => Some(close_frame(CloseCode::ProtocolError)),
        PipeEnd::FrameTooLarge => Some(close_frame(CloseCode::LimitReached)),
        PipeEnd::UpstreamClosed | PipeEnd::UpstreamError => {
            Some(close_frame(CloseCode::UpstreamClosed))
        }
        PipeEnd::Idle | PipeEnd::MaxDuration => Some(close_frame(CloseCode::Timeout)),
        PipeEnd::Shutdown => Some(going_away()),
    };
    // Both peers may have stopped reading: the upstream's TLS close_notify (after the client
    // payload still buffered, version 2) and the client's close frame each wait at most
    // `CLOSE_GRACE` (together), then both are dropped.
    let upstream_closed = async {
        let _ = upload.write_all(&mut up_tx).await;
        let _ = up_tx.shutdown().await;
    };
    let client_told = async {
        match close {
            // A data frame cut short by stopping the backward direction is finished first:
            // the close frame must start at a frame boundary.
            Some(frame) => {
                client_tx.finish().await.is_ok() && client_tx.send(frame.as_bytes()).await.is_ok()
            }
            None => false,
        }
    };
    let both = async { tokio::join!(upstream_closed, client_told) };
    let told = matches!(
        tokio::time::timeout(CLOSE_GRACE, both).await,
        Ok(((), true))
    );
    if told && end != PipeEnd::ClientClosed {
        // Let the client's close reply arrive (bounded), so the TCP close is orderly.
        let pending = input.get_mut(at..).unwrap_or_default();
        let drained = drain(&mut client_rx, &mut decoder, pending);
        let _ = tokio::time::timeout(CLOSE_GRACE, drained).await;
    }
    let _ = tokio::time::timeout(CLOSE_GRACE, client_tx.tx.shutdown()).await;
    end
}

/// Closes a client past its WebSocket upgrade with `code`, before any upstream exists (a
/// refusal): sends the close frame, waits for the client's reply, shuts the stream down —
/// each step bounded by [`CLOSE_GRACE`].
pub async fn refuse<S>(client: S, code: CloseCode)
where
    S: AsyncRead + AsyncWrite + Unpin,
{
    let (mut rx, tx) = tokio::io::split(client);
    let mut tx = FrameWriter::new(tx);
    let frame = close_frame(code);
    let told = tokio::time::timeout(CLOSE_GRACE, tx.send(frame.as_bytes())).await;
    if matches!(told, Ok(Ok(()))) {
        let mut decoder = Decoder::new(daaki_imap::wire::MAX_FRAME_LEN);
        let _ = tokio::time::timeout(CLOSE_GRACE, drain(&mut rx, &mut decoder, &mut [])).await;
    }
    let _ = tokio::time::timeout(CLOSE_GRACE, tx.tx.shutdown()).await;
}

/// Decodes `pending` (bytes already read, not yet decoded), then reads and decodes the
/// client until its close frame, the end of the stream, an error or a framing error
/// (payload is dropped). Closing the socket before the client's close frame arrived would
/// reset the connection if the client had sent more, and a reset can destroy what the client
/// has not read yet — our close frame included.
async fn drain<S: AsyncRead>(
    client_rx: &mut ReadHalf<S>,
    decoder: &mut Decoder,
    pending: &mut [u8],
) {
    if closes(decoder, pending) {
        return;
    }
    let mut buf = Vec::with_capacity(CLIENT_READ);
    loop {
        buf.clear();
        match client_rx.read_buf(&mut buf).await {
            Ok(1..) => {}
            _ => return,
        }
        if closes(decoder, &mut buf) {
            return;
        }
    }
}

/// Decodes all of `bytes`; whether they end the stream (a close frame or a framing error).
fn closes(decoder: &mut Decoder, bytes: &mut [u8]) -> bool {
    let mut at = 0;
    while at < bytes.len() {
        match decoder.decode(&mut bytes[at..]) {
            Ok((_, Some(Event::Close(_)))) | Err(_) => return true,
            Ok((used, _)) => at += used,
        }
    }
    false
}

/// The client's write half, writing whole frames even across cancellation: a frame whose
/// write was stopped stays queued, and [`FrameWriter::finish`] completes it, so the stream
/// never carries a cut frame (the closing handshake follows at a frame boundary).
struct FrameWriter<S> {
    tx: WriteHalf<S>,
    /// The frame being written: `frame[at..]` is not written yet.
    frame: Vec<u8>,
    at: usize,
}

impl<S: AsyncWrite> FrameWriter<S> {
    fn new(tx: WriteHalf<S>) -> Self {
        Self {
            tx,
            frame: Vec::new(),
            at: 0,
        }
    }

    /// Writes `frame` (a copy: control frames are small) and flushes.
    async fn send(&mut self, frame: &[u8]) -> std::io::Result<()> {
        self.send_owned(frame.to_vec(), 0).await
    }

    /// Writes `buf[start..]`, taking the buffer (no copy), and flushes.
    async fn send_owned(&mut self, buf: Vec<u8>, start: usize) -> std::io::Result<()> {
        self.frame = buf;
        self.at = start;
        self.finish().await
    }

    /// Writes what is left of the current frame, flushes, and frees the frame's buffer (an
    /// idle session holds none). Cancel-safe: `at` moves only by what was written.
    async fn finish(&mut self) -> std::io::Result<()> {
        while self.at < self.frame.len() {
            let n = self.tx.write(&self.frame[self.at..]).await?;
            if n == 0 {
                return Err(std::io::ErrorKind::WriteZero.into());
            }
            self.at += n;
        }
        self.frame = Vec::new();
        self.at = 0;
        self.tx.flush().await
    }
}

/// The pong owed to the client (only the latest ping's, RFC 6455 §5.5.3), and a wake-up for
/// the direction that writes to the client.
#[derive(Default)]
struct PendingPong {
    frame: Mutex<Option<ControlFrame>>,
    owed: Notify,
}

impl PendingPong {
    fn owe(&self, frame: ControlFrame) {
        *self.frame.lock().unwrap_or_else(PoisonError::into_inner) = Some(frame);
        self.owed.notify_one();
    }

    fn take(&self) -> Option<ControlFrame> {
        self.frame
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take()
    }
}

/// How long closing a session may take at most, for each of its two steps: telling both
/// peers (the upstream's TLS close_notify and the client's close frame, together), then
/// waiting for the client's close reply. A peer that stopped reading is dropped after it.
pub const CLOSE_GRACE: Duration = Duration::from_secs(2);

/// Reads at most `max` bytes (and at most [`UPSTREAM_CHUNK`]) from the upstream into a
/// fresh buffer, after [`MAX_HEADER_LEN`] bytes of headroom for the frame header (so the
/// frame goes out in one write); only the headroom: it closed.
async fn read_chunk(up_rx: &mut ReadHalf<BoxIo>, max: usize) -> std::io::Result<Vec<u8>> {
    let max = max.min(UPSTREAM_CHUNK);
    let mut buf = Vec::with_capacity(MAX_HEADER_LEN + max);
    buf.resize(MAX_HEADER_LEN, 0);
    let limit = u64::try_from(max).unwrap_or(u64::MAX);
    (&mut *up_rx).take(limit).read_buf(&mut buf).await?;
    Ok(buf)
}

/// The standard close 1001 (going away) the bridge sends when it shuts down.
pub fn going_away() -> ControlFrame {
    websocket::close(1001, CloseCode::GoingAway.reason())
}

/// A close frame with `code` and its standard reason.
pub fn close_frame(code: CloseCode) -> ControlFrame {
    websocket::close(code.as_u16(), code.reason())
}
