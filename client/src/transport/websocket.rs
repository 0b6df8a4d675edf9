//! The native WebSocket transport: IMAP through `daaki-imap-bridge` (see [`crate::wire`]).
//!
//! [`WebSocketTransport`] adapts a tokio-tungstenite WebSocket to tokio's `AsyncRead` /
//! `AsyncWrite`, so the driver runs over it like over TLS. Binary frames carry the byte stream
//! (boundaries mean nothing); writes become binary frames of at most [`MAX_WRITE_FRAME`]
//! bytes. A close frame with a 4000–4999 code becomes [`Error::Bridge`] (through
//! [`BridgeClosed`] inside the `io::Error`); a normal close, or
//! [`CloseCode::UpstreamClosed`], is the end of the stream.

use std::io;
use std::pin::Pin;
use std::task::{Context, Poll, ready};

use futures_util::{Sink, Stream as _};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio_tungstenite::WebSocketStream;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::http::HeaderValue;
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;
use tokio_tungstenite::tungstenite::{self, Bytes, Message};

use crate::transport::BoxStream;
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

/// A WebSocket to the bridge as a byte stream.
#[derive(Debug)]
pub struct WebSocketTransport<S> {
    ws: WebSocketStream<S>,
    pending: Bytes,
    eof: bool,
}

impl<S> WebSocketTransport<S>
where
    S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin,
{
    /// Wraps an open WebSocket (the handshake already done).
    pub fn new(ws: WebSocketStream<S>) -> Self {
        Self {
            ws,
            pending: Bytes::new(),
            eof: false,
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
        loop {
            if !this.pending.is_empty() {
                let n = this.pending.len().min(buf.remaining());
                let chunk = this.pending.split_to(n);
                buf.put_slice(&chunk);
                return Poll::Ready(Ok(()));
            }
            if this.eof {
                return Poll::Ready(Ok(()));
            }
            match ready!(Pin::new(&mut this.ws).poll_next(cx)) {
                None => this.eof = true,
                Some(Err(e)) => return Poll::Ready(Err(ws_error(e))),
                Some(Ok(Message::Binary(data))) => this.pending = data,
                Some(Ok(Message::Text(_))) => {
                    return Poll::Ready(Err(protocol_error("text frame (binary frames only)")));
                }
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
        let ws = Pin::new(&mut self.ws);
        ready!(Sink::<Message>::poll_ready(ws, cx)).map_err(ws_error)?;
        let n = buf.len().min(MAX_WRITE_FRAME);
        let frame = Message::Binary(Bytes::copy_from_slice(&buf[..n]));
        Pin::new(&mut self.ws).start_send(frame).map_err(ws_error)?;
        Poll::Ready(Ok(n))
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Sink::<Message>::poll_flush(Pin::new(&mut self.ws), cx).map_err(ws_error)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
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
/// asking for `target`, offering [`SUBPROTOCOL`] and sending `origin` if given.
pub(crate) async fn connect(
    bridge_url: &str,
    target: &BridgeTarget,
    origin: Option<&str>,
    tls: &TlsOptions,
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
    headers.insert(
        "Sec-WebSocket-Protocol",
        HeaderValue::from_static(SUBPROTOCOL),
    );
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
    let (ws, _response) =
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
    Ok(WebSocketTransport::new(ws))
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
}
