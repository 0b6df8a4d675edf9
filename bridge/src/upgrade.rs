//! The HTTP upgrade's reading side: tungstenite parses the request and writes the response,
//! reading through [`HeadOnly`], which never hands out a byte past the end of the request
//! head. After the upgrade the bridge takes the stream back ([`HeadOnly::into_parts`]) with
//! whatever the client sent early, and speaks WebSocket frames itself
//! ([`crate::websocket`]): tungstenite would assemble every frame in memory.

use std::io;
use std::pin::Pin;
use std::task::{Context, Poll};

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};

/// A stream whose reads stop at the end of the HTTP request head (an empty line, `\r\n` or
/// a bare `\n` as httparse accepts); bytes read past it are kept for
/// [`HeadOnly::into_parts`]. Writes pass through.
#[derive(Debug)]
pub struct HeadOnly<S> {
    inner: S,
    /// Bytes read from `inner` past the head.
    early: Vec<u8>,
    /// Whether the last significant byte (ignoring `\r`) was a line feed.
    after_newline: bool,
    /// Whether the head is complete.
    done: bool,
}

impl<S> HeadOnly<S> {
    /// Wraps `inner` before anything has been read from it.
    pub fn new(inner: S) -> Self {
        Self {
            inner,
            early: Vec::new(),
            after_newline: false,
            done: false,
        }
    }

    /// The stream, and the bytes the client sent after the request head (frames sent before
    /// the upgrade's response arrived).
    pub fn into_parts(self) -> (S, Vec<u8>) {
        (self.inner, self.early)
    }

    /// Scans `bytes` for the end of the head; returns how many of them belong to it.
    fn head_len(&mut self, bytes: &[u8]) -> usize {
        for (i, byte) in bytes.iter().enumerate() {
            match byte {
                b'\n' if self.after_newline => {
                    self.done = true;
                    return i + 1;
                }
                b'\n' => self.after_newline = true,
                b'\r' => {}
                _ => self.after_newline = false,
            }
        }
        bytes.len()
    }
}

impl<S: AsyncRead + Unpin> AsyncRead for HeadOnly<S> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        if self.done {
            // Nothing more belongs to the head: end of stream for the HTTP parser.
            return Poll::Ready(Ok(()));
        }
        let before = buf.filled().len();
        std::task::ready!(Pin::new(&mut self.inner).poll_read(cx, buf))?;
        let head = self.head_len(&buf.filled()[before..]);
        let end = before + head;
        if end < buf.filled().len() {
            let early = buf.filled()[end..].to_vec();
            self.early = early;
            buf.set_filled(end);
        }
        Poll::Ready(Ok(()))
    }
}

impl<S: AsyncWrite + Unpin> AsyncWrite for HeadOnly<S> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.inner).poll_write(cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}

#[cfg(test)]
mod tests {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    use super::*;

    /// Reads through `HeadOnly` in reads of at most `chunk` bytes until it reports the end;
    /// returns what it handed out and the early bytes.
    async fn split(input: &[u8], chunk: usize) -> (Vec<u8>, Vec<u8>) {
        let mut head = HeadOnly::new(input);
        let mut out = Vec::new();
        let mut buf = vec![0u8; chunk];
        loop {
            let n = head.read(&mut buf).await.expect("read");
            if n == 0 {
                break;
            }
            out.extend_from_slice(&buf[..n]);
        }
        let (rest, early) = head.into_parts();
        // What `inner` still holds is neither head nor early bytes.
        let mut early = early;
        early.extend_from_slice(rest);
        (out, early)
    }

    #[tokio::test]
    async fn reads_stop_at_the_end_of_the_head_in_any_chunking() {
        let request = b"GET /imap HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\n\r\n";
        let frames = b"\x82\x85maskXhello";
        let input = [&request[..], &frames[..]].concat();
        for chunk in 1..=input.len() {
            let (head, early) = split(&input, chunk).await;
            assert_eq!(head, request, "chunk {chunk}");
            assert_eq!(early, frames, "chunk {chunk}");
        }
    }

    #[tokio::test]
    async fn bare_line_feeds_end_the_head_too() {
        for (head, rest) in [
            (&b"GET / HTTP/1.1\nHost: x\n\n"[..], &b"after"[..]),
            (b"GET / HTTP/1.1\r\nHost: x\n\r\n", b"after"),
            (b"GET / HTTP/1.1\r\nHost: x\r\n\n", b""),
        ] {
            let input = [head, rest].concat();
            assert_eq!(split(&input, 64).await, (head.to_vec(), rest.to_vec()));
        }
    }

    #[tokio::test]
    async fn a_carriage_return_alone_or_text_between_line_feeds_does_not_end_it() {
        let input = b"GET / HTTP/1.1\r\nA: b\r\r\nC: d\n \nE: f\r\n\r\nrest";
        let (head, early) = split(input, 7).await;
        assert_eq!(head, &input[..input.len() - 4]);
        assert_eq!(early, b"rest");
    }

    #[tokio::test]
    async fn a_stream_that_ends_inside_the_head_ends_the_reads() {
        let (head, early) = split(b"GET / HTTP/1.1\r\nHost", 4).await;
        assert_eq!(head, b"GET / HTTP/1.1\r\nHost");
        assert_eq!(early, b"");
    }

    /// A writer that records what reaches it: bytes, flushes, shutdowns.
    #[derive(Default)]
    struct Recorder {
        written: Vec<u8>,
        flushes: usize,
        shutdowns: usize,
    }

    impl AsyncWrite for Recorder {
        fn poll_write(
            mut self: Pin<&mut Self>,
            _: &mut Context<'_>,
            buf: &[u8],
        ) -> Poll<io::Result<usize>> {
            self.written.extend_from_slice(buf);
            Poll::Ready(Ok(buf.len()))
        }

        fn poll_flush(mut self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<io::Result<()>> {
            self.flushes += 1;
            Poll::Ready(Ok(()))
        }

        fn poll_shutdown(mut self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<io::Result<()>> {
            self.shutdowns += 1;
            Poll::Ready(Ok(()))
        }
    }

    #[tokio::test]
    async fn writes_flushes_and_shutdowns_reach_the_inner_stream() {
        let mut head = HeadOnly::new(Recorder::default());
        head.write_all(b"HTTP/1.1 101\r\n\r\n")
            .await
            .expect("write");
        head.flush().await.expect("flush");
        head.shutdown().await.expect("shutdown");
        let (inner, early) = head.into_parts();
        assert_eq!(
            (inner.written, inner.flushes, inner.shutdowns, early),
            (b"HTTP/1.1 101\r\n\r\n".to_vec(), 1, 1, Vec::new())
        );
    }

    #[tokio::test]
    async fn writes_pass_through() {
        let (ours, mut theirs) = tokio::io::duplex(64);
        let mut head = HeadOnly::new(ours);
        head.write_all(b"HTTP/1.1 101\r\n\r\n")
            .await
            .expect("write");
        head.flush().await.expect("flush");
        head.shutdown().await.expect("shutdown");
        let mut got = Vec::new();
        theirs.read_to_end(&mut got).await.expect("read");
        assert_eq!(got, b"HTTP/1.1 101\r\n\r\n");
    }
}
