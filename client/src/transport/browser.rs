//! The browser WebSocket transport: IMAP through `daaki-imap-bridge` (see [`crate::wire`]) on
//! `wasm32`, with the browser's own `WebSocket` (which also does the TLS of `wss://`).
//!
//! [`BrowserWebSocket`] adapts a `web_sys::WebSocket` (binary type `arraybuffer`) to tokio's
//! `AsyncRead` / `AsyncWrite`, so the driver runs over it like over TLS natively. The socket's
//! `onmessage` / `onclose` / `onerror` callbacks feed a receive queue that the reader drains.
//!
//! **Receive flow control.** Browsers give no receive backpressure: whatever the bridge
//! sends is delivered to the page, read or not. So the transport offers wire version 2
//! ([`crate::wire::flow`]) first — `["daaki-imap.v2", "daaki-imap.v1", ticket?]` — and when
//! the bridge echoes `daaki-imap.v2`, grants it credit as the reader consumes: the whole
//! window (default [`DEFAULT_WINDOW`], 1 MiB) as soon as the socket opens, then what was
//! read, a quarter of the window at a time. The bridge sends nothing beyond its credit (and
//! stops reading the IMAP server), so the queue never holds more than the window however
//! slowly the page consumes; a frame beyond the credit is a broken bridge and ends the
//! connection (`InvalidData`). Text frames are control messages (`ready` is recorded in
//! [`BridgeInfo`], unknown ones are ignored, a malformed one ends the connection). With a
//! bridge that speaks only version 1 there is no flow control: the queue is then bounded by
//! [`MAX_QUEUED_BYTES`] — a peer that outruns the reader by more than that ends the
//! connection with an `OutOfMemory` error instead of growing memory without bound. A single
//! received message larger than [`MAX_FRAME_LEN`] (the bridge sends at most 16 KiB) ends it
//! too, before it is copied. What the IMAP layer then does with the
//! bytes is bounded by the framer's [`Limits`](crate::proto::Limits): a literal or line over
//! them is a typed [`Error::Frame`]. For large message bodies use partial fetch
//! (`ImapConnection::uid_fetch_partial`, `uid_fetch_body_chunks`), which keeps each response
//! small.
//!
//! Sending has backpressure: `WebSocket.send` never blocks, it queues in the browser
//! (`bufferedAmount`). A write waits while more than [`SEND_HIGH_WATER_MARK`] bytes are
//! queued (looking again every [`SEND_DRAIN_POLL`], since browsers fire no event when the
//! queue drains), so a large APPEND costs at most that much browser memory, not the size of
//! the message. Under version 2 a write also sends at most the upload credit the bridge
//! granted (its `credit <n>` messages, which `onmessage` applies whether or not anything is
//! reading, and which wake a write waiting for them): credit first, then the browser's
//! queue. A grant that would raise the credit above [`MAX_WINDOW`](crate::wire::MAX_WINDOW)
//! ends the connection (`InvalidData`).
//!
//! Closing: a 4000–4999 close code becomes [`Error::Bridge`] (through [`BridgeClosed`] inside
//! the `io::Error`, as natively); a normal close (1000) or [`CloseCode::UpstreamClosed`] is the
//! end of the stream; an abnormal close (1006: refused handshake, bad `Origin`, network loss)
//! is an `io::Error` of kind `ConnectionRefused` before the socket opened and
//! `ConnectionReset` after.

use std::cell::RefCell;
use std::collections::VecDeque;
use std::future::Future;
use std::io;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll, Waker};
use std::time::Duration;

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use web_sys::{BinaryType, CloseEvent, Event, MessageEvent, WebSocket};

use crate::transport::bridge::{BridgeInfo, Flow, WireVersion};
use crate::wire::{
    BridgeClosed, BridgeTarget, CloseCode, DEFAULT_WINDOW, MAX_FRAME_LEN, is_ticket_token,
};
use crate::{Error, Result};

/// The largest binary frame a write produces.
pub const MAX_WRITE_FRAME: usize = 16 * 1024;

/// Under wire version 1 (no flow control), the most received bytes kept before the reader
/// takes them (16 MiB). Under version 2 the receive window bounds the queue instead.
pub const MAX_QUEUED_BYTES: usize = 16 * 1024 * 1024;

/// A write waits while the browser holds at least this many bytes given to `send` and not
/// yet transmitted (`WebSocket.bufferedAmount`): 1 MiB. The queue can thus reach at most
/// this plus one [`MAX_WRITE_FRAME`].
pub const SEND_HIGH_WATER_MARK: u32 = 1024 * 1024;

/// How often a waiting write looks at `bufferedAmount` again (browsers fire no event when it
/// drains). 1 MiB per 5 ms is faster than any link a browser sends over.
pub const SEND_DRAIN_POLL: Duration = Duration::from_millis(5);

/// How the socket ended, as far as the reader is concerned.
#[derive(Debug)]
enum Ending {
    /// The end of the stream (normal close, upstream closed).
    Eof,
    /// An error to report once the queued bytes are read.
    Error(io::ErrorKind, String, Option<BridgeClosed>),
}

#[derive(Debug, Default)]
struct Shared {
    opened: bool,
    /// The version the bridge chose, set when the socket opens (`None`: one not offered).
    info: Option<BridgeInfo>,
    /// Version 2's credit; `None` under version 1.
    flow: Option<Flow>,
    queue: VecDeque<Vec<u8>>,
    queued: usize,
    ending: Option<Ending>,
    /// The reader's waker.
    waker: Option<Waker>,
    /// The waker of a write waiting for upload credit (version 2).
    writer: Option<Waker>,
}

impl Shared {
    fn wake(&mut self) {
        if let Some(waker) = self.waker.take() {
            waker.wake();
        }
    }

    fn wake_writer(&mut self) {
        if let Some(waker) = self.writer.take() {
            waker.wake();
        }
    }

    fn end(&mut self, ending: Ending) {
        if self.ending.is_none() {
            self.ending = Some(ending);
        }
        self.wake();
        self.wake_writer();
    }
}

fn close_ending(opened: bool, code: u16, reason: String) -> Ending {
    match code {
        1000 => Ending::Eof,
        // The standard "going away": the bridge shut down (its drain ended).
        1001 if opened => Ending::Error(
            io::ErrorKind::ConnectionAborted,
            String::new(),
            Some(BridgeClosed {
                code: CloseCode::GoingAway,
                reason,
            }),
        ),
        4000..=4999 => match CloseCode::from_u16(code) {
            Some(CloseCode::UpstreamClosed) => Ending::Eof,
            Some(code) => Ending::Error(
                io::ErrorKind::ConnectionAborted,
                String::new(),
                Some(BridgeClosed { code, reason }),
            ),
            None => Ending::Error(
                io::ErrorKind::ConnectionAborted,
                format!("bridge closed with unknown code {code}: {reason}"),
                None,
            ),
        },
        _ if !opened => Ending::Error(
            io::ErrorKind::ConnectionRefused,
            format!("the bridge WebSocket could not be opened (close code {code})"),
            None,
        ),
        _ => Ending::Error(
            io::ErrorKind::ConnectionReset,
            format!("the bridge WebSocket closed abnormally (close code {code}) {reason}"),
            None,
        ),
    }
}

impl Ending {
    fn to_io(&self) -> Option<io::Error> {
        match self {
            Self::Eof => None,
            Self::Error(kind, message, closed) => Some(match closed {
                Some(closed) => BridgeClosed {
                    code: closed.code,
                    reason: closed.reason.clone(),
                }
                .into(),
                None => io::Error::new(*kind, message.clone()),
            }),
        }
    }
}

/// A browser WebSocket to the bridge as a byte stream (wire version 1 or 2, see the module
/// docs).
pub struct BrowserWebSocket {
    ws: WebSocket,
    shared: Rc<RefCell<Shared>>,
    info: BridgeInfo,
    /// The timer of a write waiting for `bufferedAmount` to drain below the high-water mark.
    drain_wait: Option<Pin<Box<dyn Future<Output = ()>>>>,
    /// A write waits for upload credit (version 2): counted once per wait.
    credit_wait: bool,
    _on_open: Closure<dyn FnMut(Event)>,
    _on_message: Closure<dyn FnMut(MessageEvent)>,
    _on_close: Closure<dyn FnMut(CloseEvent)>,
    _on_error: Closure<dyn FnMut(Event)>,
}

impl std::fmt::Debug for BrowserWebSocket {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BrowserWebSocket")
            .field("url", &self.ws.url())
            .field("ready_state", &self.ws.ready_state())
            .field("info", &self.info)
            .finish_non_exhaustive()
    }
}

fn js_error(what: &str, e: &JsValue) -> Error {
    Error::InvalidInput(format!("{what}: {e:?}"))
}

impl BrowserWebSocket {
    /// Opens a WebSocket to `bridge_url` (`ws://` or `wss://`) asking for `target`, offering
    /// wire versions 2 and 1 (and `ticket` after them, if given), with the default receive
    /// window; waits until it is open. See [`BrowserWebSocket::open_with`].
    pub async fn open(
        bridge_url: &str,
        target: &BridgeTarget,
        ticket: Option<&str>,
    ) -> Result<Self> {
        Self::open_with(
            bridge_url,
            target,
            ticket,
            WireVersion::LATEST,
            DEFAULT_WINDOW,
        )
        .await
    }

    /// Opens a WebSocket to `bridge_url` (`ws://` or `wss://`) asking for `target`, offering
    /// the wire versions up to `offer` ([`WireVersion::offer`]; `ticket` after them, if
    /// given), and waits until it is open. Runs the version the bridge echoes; under version
    /// 2 the receive window is `window` bytes (clamped to
    /// 1..=[`MAX_WINDOW`](crate::wire::MAX_WINDOW)), granted as the socket opens.
    pub async fn open_with(
        bridge_url: &str,
        target: &BridgeTarget,
        ticket: Option<&str>,
        offer: WireVersion,
        window: u32,
    ) -> Result<Self> {
        if !(bridge_url.starts_with("ws://") || bridge_url.starts_with("wss://")) {
            return Err(Error::InvalidInput(format!(
                "bridge URL must be ws:// or wss://: {bridge_url:?}"
            )));
        }
        let protocols = js_sys::Array::new();
        for entry in offer.offer() {
            protocols.push(&JsValue::from_str(entry));
        }
        if let Some(ticket) = ticket {
            if !is_ticket_token(ticket) {
                return Err(Error::InvalidInput(
                    "bridge ticket must be base64url without padding".into(),
                ));
            }
            protocols.push(&JsValue::from_str(ticket));
        }
        let url = target.request_url(bridge_url);
        let ws = WebSocket::new_with_str_sequence(&url, &protocols)
            .map_err(|e| js_error("invalid bridge URL", &e))?;
        ws.set_binary_type(BinaryType::Arraybuffer);
        let shared = Rc::new(RefCell::new(Shared::default()));

        // The version is settled here, before any message can arrive (the bridge may send
        // `ready` at once), and the first grant leaves with it.
        let on_open = {
            let shared = shared.clone();
            let ws = ws.clone();
            Closure::<dyn FnMut(Event)>::new(move |_: Event| {
                let mut s = shared.borrow_mut();
                s.opened = true;
                let chosen = WireVersion::from_subprotocol(&ws.protocol())
                    .filter(|version| *version <= offer);
                if let Some(version) = chosen {
                    let info = BridgeInfo::new(version, window);
                    if version >= WireVersion::V2 {
                        let mut flow = Flow::new(info.clone());
                        if let Some(grant) = flow.take_due() {
                            // `send` only fails once the socket is closing: `close` tells why.
                            let _ = ws.send_with_str(&grant);
                        }
                        s.flow = Some(flow);
                    }
                    s.info = Some(info);
                }
                s.wake();
            })
        };
        let on_message = {
            let shared = shared.clone();
            let ws = ws.clone();
            Closure::<dyn FnMut(MessageEvent)>::new(move |event: MessageEvent| {
                let mut s = shared.borrow_mut();
                if s.ending.is_some() {
                    return;
                }
                let data = event.data();
                let Some(buffer) = data.dyn_ref::<js_sys::ArrayBuffer>() else {
                    // A text frame: a control message under version 2 (a grant wakes a
                    // waiting write), an error under 1.
                    let control = match (s.flow.as_mut(), data.as_string()) {
                        (Some(flow), Some(text)) => match flow.control(text.as_bytes()) {
                            Ok(granted) => {
                                if granted {
                                    s.wake_writer();
                                }
                                Ok(())
                            }
                            Err(e) => Err((e.kind(), e.to_string())),
                        },
                        (Some(_), None) => Err((
                            io::ErrorKind::InvalidData,
                            "bridge: unexpected message type".to_owned(),
                        )),
                        (None, _) => Err((
                            io::ErrorKind::InvalidData,
                            "bridge: text frame (binary frames only)".to_owned(),
                        )),
                    };
                    if let Err((kind, message)) = control {
                        s.end(Ending::Error(kind, message, None));
                        let _ = ws.close();
                    }
                    return;
                };
                let len = buffer.byte_length() as usize;
                if len > MAX_FRAME_LEN {
                    s.end(Ending::Error(
                        io::ErrorKind::InvalidData,
                        format!(
                            "bridge: frame of {len} bytes exceeds the limit of {MAX_FRAME_LEN}"
                        ),
                        None,
                    ));
                    let _ = ws.close();
                    return;
                }
                // Checked before the bytes are copied out of the browser's buffer.
                let queued = s.queued;
                let accepted = match s.flow.as_mut() {
                    Some(flow) => flow.received(len).map_err(|e| (e.kind(), e.to_string())),
                    None if queued + len > MAX_QUEUED_BYTES => Err((
                        io::ErrorKind::OutOfMemory,
                        format!("more than {MAX_QUEUED_BYTES} received bytes waiting to be read"),
                    )),
                    None => {
                        if let Some(info) = &s.info {
                            info.note_received(len, (queued + len) as u64);
                        }
                        Ok(())
                    }
                };
                if let Err((kind, message)) = accepted {
                    s.end(Ending::Error(kind, message, None));
                    let _ = ws.close();
                    return;
                }
                if len > 0 {
                    let bytes = js_sys::Uint8Array::new(buffer).to_vec();
                    s.queued += bytes.len();
                    s.queue.push_back(bytes);
                    s.wake();
                }
            })
        };
        let on_close = {
            let shared = shared.clone();
            Closure::<dyn FnMut(CloseEvent)>::new(move |event: CloseEvent| {
                let mut s = shared.borrow_mut();
                let ending = close_ending(s.opened, event.code(), event.reason());
                s.end(ending);
            })
        };
        // An `error` event is always followed by `close` (with the code that says why), so it
        // only wakes the reader.
        let on_error = {
            let shared = shared.clone();
            Closure::<dyn FnMut(Event)>::new(move |_: Event| shared.borrow_mut().wake())
        };
        ws.set_onopen(Some(on_open.as_ref().unchecked_ref()));
        ws.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        ws.set_onclose(Some(on_close.as_ref().unchecked_ref()));
        ws.set_onerror(Some(on_error.as_ref().unchecked_ref()));
        let mut transport = Self {
            ws,
            shared,
            info: BridgeInfo::new(WireVersion::V1, 0),
            drain_wait: None,
            credit_wait: false,
            _on_open: on_open,
            _on_message: on_message,
            _on_close: on_close,
            _on_error: on_error,
        };
        std::future::poll_fn(|cx| {
            let mut s = transport.shared.borrow_mut();
            if s.opened {
                return Poll::Ready(Ok(()));
            }
            if let Some(ending) = &s.ending {
                let error = ending.to_io().unwrap_or_else(|| {
                    io::Error::new(io::ErrorKind::ConnectionRefused, "bridge closed at once")
                });
                return Poll::Ready(Err(crate::Error::from_io(error)));
            }
            s.waker = Some(cx.waker().clone());
            Poll::Pending
        })
        .await?;
        let chosen = transport.shared.borrow().info.clone();
        let Some(info) = chosen else {
            return Err(Error::Io(io::Error::new(
                io::ErrorKind::InvalidData,
                format!(
                    "bridge answered with subprotocol {:?}, expected one of {:?}",
                    transport.ws.protocol(),
                    offer.offer()
                ),
            )));
        };
        transport.info = info;
        Ok(transport)
    }

    /// The negotiated wire version and the figures measured so far (shared, live):
    /// [`BridgeInfo::max_buffered`] is the high-water mark of the receive queue.
    pub fn info(&self) -> &BridgeInfo {
        &self.info
    }

    /// Bytes given to the socket and not yet transmitted by the browser
    /// (`WebSocket.bufferedAmount`); writes keep it below [`SEND_HIGH_WATER_MARK`] plus one
    /// frame.
    pub fn buffered_amount(&self) -> u32 {
        self.ws.buffered_amount()
    }
}

impl Drop for BrowserWebSocket {
    fn drop(&mut self) {
        self.ws.set_onopen(None);
        self.ws.set_onmessage(None);
        self.ws.set_onclose(None);
        self.ws.set_onerror(None);
        let _ = self.ws.close();
    }
}

impl AsyncRead for BrowserWebSocket {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let mut s = self.shared.borrow_mut();
        if buf.remaining() == 0 {
            return Poll::Ready(Ok(()));
        }
        if let Some(front) = s.queue.front_mut() {
            let n = front.len().min(buf.remaining());
            buf.put_slice(&front[..n]);
            if n == front.len() {
                s.queue.pop_front();
            } else {
                front.drain(..n);
            }
            s.queued -= n;
            if let Some(flow) = s.flow.as_mut() {
                flow.consumed(n);
                if let Some(grant) = flow.take_due() {
                    // `send` never blocks (the browser queues it) and only fails once the
                    // socket is closing, which `close` reports.
                    let _ = self.ws.send_with_str(&grant);
                }
            }
            return Poll::Ready(Ok(()));
        }
        if let Some(ending) = &s.ending {
            return Poll::Ready(ending.to_io().map_or(Ok(()), Err));
        }
        s.waker = Some(cx.waker().clone());
        Poll::Pending
    }
}

impl AsyncWrite for BrowserWebSocket {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        if buf.is_empty() {
            return Poll::Ready(Ok(0));
        }
        let mut limit = MAX_WRITE_FRAME;
        loop {
            let mut s = this.shared.borrow_mut();
            if let Some(ending) = &s.ending {
                this.drain_wait = None;
                return Poll::Ready(Err(ending.to_io().unwrap_or_else(|| {
                    io::Error::new(io::ErrorKind::BrokenPipe, "WebSocket closed")
                })));
            }
            // Version 2: the bridge's credit first (`onmessage` wakes the write on a grant).
            if let Some(flow) = s.flow.as_ref() {
                let available = flow.upload_available();
                if available == 0 {
                    if !this.credit_wait {
                        this.credit_wait = true;
                        flow.note_upload_wait();
                    }
                    s.writer = Some(cx.waker().clone());
                    this.drain_wait = None;
                    return Poll::Pending;
                }
                this.credit_wait = false;
                limit =
                    usize::try_from(available).map_or(MAX_WRITE_FRAME, |a| a.min(MAX_WRITE_FRAME));
            }
            drop(s);
            if this.ws.buffered_amount() < SEND_HIGH_WATER_MARK {
                this.drain_wait = None;
                break;
            }
            let wait = this
                .drain_wait
                .get_or_insert_with(|| Box::pin(crate::runtime::sleep(SEND_DRAIN_POLL)));
            match wait.as_mut().poll(cx) {
                Poll::Pending => return Poll::Pending,
                Poll::Ready(()) => this.drain_wait = None,
            }
        }
        let n = buf.len().min(limit);
        // The browser queues the frame (`bufferedAmount`); `send` only fails once closed.
        match this.ws.send_with_u8_array(&buf[..n]) {
            Ok(()) => {
                match this.shared.borrow_mut().flow.as_mut() {
                    Some(flow) => flow.sent(n),
                    None => this.info.note_sent(n),
                }
                Poll::Ready(Ok(n))
            }
            Err(e) => Poll::Ready(Err(io::Error::new(
                io::ErrorKind::BrokenPipe,
                format!("WebSocket send failed: {e:?}"),
            ))),
        }
    }

    fn poll_flush(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(Ok(()))
    }

    fn poll_shutdown(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<io::Result<()>> {
        let _ = self.ws.close();
        Poll::Ready(Ok(()))
    }
}
