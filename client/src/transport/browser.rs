//! The browser WebSocket transport: IMAP through `daaki-imap-bridge` (see [`crate::wire`]) on
//! `wasm32`, with the browser's own `WebSocket` (which also does the TLS of `wss://`).
//!
//! [`BrowserWebSocket`] adapts a `web_sys::WebSocket` (binary type `arraybuffer`) to tokio's
//! `AsyncRead` / `AsyncWrite`, so the driver runs over it like over TLS natively. The socket's
//! `onmessage` / `onclose` / `onerror` callbacks feed a receive queue that the reader drains.
//! Browsers give no receive backpressure, so the queue is bounded in bytes
//! ([`MAX_QUEUED_BYTES`]): a peer that outruns the reader by more than that ends the
//! connection with an error instead of growing memory without bound. A single received
//! message larger than [`MAX_FRAME_LEN`](crate::wire::MAX_FRAME_LEN) (the bridge sends at
//! most 16 KiB) ends it too, before it is copied. What the IMAP layer then does with the
//! bytes is bounded by the framer's [`Limits`](crate::proto::Limits): a literal or line over
//! them is a typed [`Error::Frame`]. For large message bodies use partial fetch
//! (`ImapConnection::uid_fetch_partial`, `uid_fetch_body_chunks`), which keeps each response
//! small.
//!
//! Sending has backpressure: `WebSocket.send` never blocks, it queues in the browser
//! (`bufferedAmount`). A write waits while more than [`SEND_HIGH_WATER_MARK`] bytes are
//! queued (looking again every [`SEND_DRAIN_POLL`], since browsers fire no event when the
//! queue drains), so a large APPEND costs at most that much browser memory, not the size of
//! the message.
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

use crate::wire::{
    BridgeClosed, BridgeTarget, CloseCode, MAX_FRAME_LEN, SUBPROTOCOL, is_ticket_token,
};
use crate::{Error, Result};

/// The largest binary frame a write produces.
pub const MAX_WRITE_FRAME: usize = 16 * 1024;

/// The most received bytes kept before the reader takes them (16 MiB).
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
    queue: VecDeque<Vec<u8>>,
    queued: usize,
    ending: Option<Ending>,
    waker: Option<Waker>,
}

impl Shared {
    fn wake(&mut self) {
        if let Some(waker) = self.waker.take() {
            waker.wake();
        }
    }

    fn end(&mut self, ending: Ending) {
        if self.ending.is_none() {
            self.ending = Some(ending);
        }
        self.wake();
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

/// A browser WebSocket to the bridge as a byte stream.
pub struct BrowserWebSocket {
    ws: WebSocket,
    shared: Rc<RefCell<Shared>>,
    /// The timer of a write waiting for `bufferedAmount` to drain below the high-water mark.
    drain_wait: Option<Pin<Box<dyn Future<Output = ()>>>>,
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
            .finish_non_exhaustive()
    }
}

fn js_error(what: &str, e: &JsValue) -> Error {
    Error::InvalidInput(format!("{what}: {e:?}"))
}

impl BrowserWebSocket {
    /// Opens a WebSocket to `bridge_url` (`ws://` or `wss://`) asking for `target`, offering
    /// [`SUBPROTOCOL`] (and `ticket` as the second entry, if given), and waits until it is open.
    pub async fn open(
        bridge_url: &str,
        target: &BridgeTarget,
        ticket: Option<&str>,
    ) -> Result<Self> {
        if !(bridge_url.starts_with("ws://") || bridge_url.starts_with("wss://")) {
            return Err(Error::InvalidInput(format!(
                "bridge URL must be ws:// or wss://: {bridge_url:?}"
            )));
        }
        let protocols = js_sys::Array::new();
        protocols.push(&JsValue::from_str(SUBPROTOCOL));
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

        let on_open = {
            let shared = shared.clone();
            Closure::<dyn FnMut(Event)>::new(move |_: Event| {
                let mut s = shared.borrow_mut();
                s.opened = true;
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
                    s.end(Ending::Error(
                        io::ErrorKind::InvalidData,
                        "bridge: text frame (binary frames only)".into(),
                        None,
                    ));
                    let _ = ws.close();
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
                let bytes = js_sys::Uint8Array::new(buffer).to_vec();
                if s.queued + bytes.len() > MAX_QUEUED_BYTES {
                    s.end(Ending::Error(
                        io::ErrorKind::OutOfMemory,
                        format!("more than {MAX_QUEUED_BYTES} received bytes waiting to be read"),
                        None,
                    ));
                    let _ = ws.close();
                    return;
                }
                if !bytes.is_empty() {
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
        let transport = Self {
            ws,
            shared,
            drain_wait: None,
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
        if transport.ws.protocol() != SUBPROTOCOL {
            return Err(Error::Io(io::Error::new(
                io::ErrorKind::InvalidData,
                format!(
                    "bridge answered with subprotocol {:?}, expected {SUBPROTOCOL:?}",
                    transport.ws.protocol()
                ),
            )));
        }
        Ok(transport)
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
        loop {
            if let Some(ending) = &this.shared.borrow().ending {
                this.drain_wait = None;
                return Poll::Ready(Err(ending.to_io().unwrap_or_else(|| {
                    io::Error::new(io::ErrorKind::BrokenPipe, "WebSocket closed")
                })));
            }
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
        let n = buf.len().min(MAX_WRITE_FRAME);
        // The browser queues the frame (`bufferedAmount`); `send` only fails once closed.
        match this.ws.send_with_u8_array(&buf[..n]) {
            Ok(()) => Poll::Ready(Ok(n)),
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
