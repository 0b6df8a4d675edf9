//! The pipe: bytes both ways, unchanged, with bounded buffers.
//!
//! WebSocket binary frames are written to the upstream as they arrive (the next frame is
//! not read until the write is done, so a slow upstream slows the client down: TCP
//! backpressure); upstream reads of at most [`UPSTREAM_CHUNK`] bytes become one binary frame
//! each (the next read waits until the frame is flushed). A text frame ends the session with
//! [`CloseCode::ProtocolError`]; the upstream closing ends it with
//! [`CloseCode::UpstreamClosed`]; the client closing shuts the upstream down. No payload byte
//! is ever logged.

use daaki_imap::wire::CloseCode;
use futures_util::{SinkExt, StreamExt};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio_tungstenite::WebSocketStream;
use tokio_tungstenite::tungstenite::protocol::CloseFrame;
use tokio_tungstenite::tungstenite::{Bytes, Message, Utf8Bytes};

use crate::policy::BoxIo;

/// The largest upstream read, hence the largest binary frame the bridge sends.
pub const UPSTREAM_CHUNK: usize = 16 * 1024;

/// How a pipe ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PipeEnd {
    /// The client closed the WebSocket (or its stream ended).
    ClientClosed,
    /// The WebSocket failed (I/O or protocol error below the frame level).
    ClientError,
    /// The client sent a text frame.
    TextFrame,
    /// The upstream closed its side.
    UpstreamClosed,
    /// Reading from or writing to the upstream failed.
    UpstreamError,
}

/// Pipes `ws` and `upstream` until either side ends, then closes the WebSocket with the
/// matching code.
pub async fn run<S>(ws: WebSocketStream<S>, upstream: BoxIo) -> PipeEnd
where
    S: AsyncRead + AsyncWrite + Unpin,
{
    let (mut ws_tx, mut ws_rx) = ws.split();
    let (mut up_rx, mut up_tx) = tokio::io::split(upstream);

    let client_to_upstream = async {
        while let Some(message) = ws_rx.next().await {
            match message {
                Ok(Message::Binary(data)) => {
                    if up_tx.write_all(&data).await.is_err() || up_tx.flush().await.is_err() {
                        return PipeEnd::UpstreamError;
                    }
                }
                Ok(Message::Text(_)) => return PipeEnd::TextFrame,
                Ok(Message::Close(_)) => return PipeEnd::ClientClosed,
                Ok(Message::Ping(_) | Message::Pong(_) | Message::Frame(_)) => {}
                Err(_) => return PipeEnd::ClientError,
            }
        }
        PipeEnd::ClientClosed
    };
    let upstream_to_client = async {
        let mut buf = vec![0u8; UPSTREAM_CHUNK];
        loop {
            match up_rx.read(&mut buf).await {
                Ok(0) => return PipeEnd::UpstreamClosed,
                Ok(n) => {
                    let chunk = Bytes::copy_from_slice(buf.get(..n).unwrap_or_default());
                    if ws_tx.send(Message::Binary(chunk)).await.is_err() {
                        return PipeEnd::ClientError;
                    }
                }
                Err(_) => return PipeEnd::UpstreamError,
            }
        }
    };
    let end = tokio::select! {
        end = client_to_upstream => end,
        end = upstream_to_client => end,
    };

    let code = match end {
        PipeEnd::ClientClosed => {
            let _ = up_tx.shutdown().await;
            // tungstenite queued the reply to the client's close; flush it.
            let _ = ws_tx.close().await;
            return end;
        }
        PipeEnd::ClientError => return end,
        PipeEnd::TextFrame => CloseCode::ProtocolError,
        PipeEnd::UpstreamClosed | PipeEnd::UpstreamError => CloseCode::UpstreamClosed,
    };
    let _ = ws_tx.send(close_message(code)).await;
    let _ = ws_tx.close().await;
    // Let the client's close reply arrive (bounded), so the TCP close is orderly.
    let drain = async { while let Some(Ok(_)) = ws_rx.next().await {} };
    let _ = tokio::time::timeout(std::time::Duration::from_secs(2), drain).await;
    end
}

/// A close frame with `code` and its standard reason.
pub fn close_message(code: CloseCode) -> Message {
    Message::Close(Some(CloseFrame {
        code: code.as_u16().into(),
        reason: Utf8Bytes::from_static(code.reason()),
    }))
}
