//! "Any executor" tested, not claimed: `ImapConnectionBuilder::from_stream` on
//! `futures-executor` (a thread pool for the driver and the server, `block_on` for the
//! caller), with no tokio runtime anywhere — each task asserts
//! `tokio::runtime::Handle::try_current().is_err()`. Timeouts then run on the crate's
//! non-tokio timer (`futures-timer`, chosen by `runtime::sleep` when no tokio runtime is
//! current); tokio's timer would panic here.
//!
//! The peer is a **scripted in-memory server** over a `futures-io` pipe defined below (no
//! tokio type on the transport path): a real socket needs a reactor, and the client crate has
//! none without tokio (the real-server tests in `tests/` run on tokio).
// Native only: futures-executor's thread pool and tokio's runtime handle (checked to be
// absent) are native dev-dependencies.
#![cfg(not(target_arch = "wasm32"))]

use std::collections::VecDeque;
use std::future::poll_fn;
use std::io;
use std::pin::Pin;
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll, Waker};
use std::time::{Duration, Instant};

use daaki_imap::types::{FetchAttr, SequenceSet, TypedEvent};
use daaki_imap::{Error, ImapConnection};
use futures_executor::{ThreadPool, block_on};
use futures_io::{AsyncRead, AsyncWrite};

/// Generous: only reached when something is broken.
const T: Duration = Duration::from_secs(20);

/// One direction of the pipe.
#[derive(Default)]
struct Buffer {
    data: VecDeque<u8>,
    closed: bool,
    reader: Option<Waker>,
}

impl Buffer {
    fn close(&mut self) {
        self.closed = true;
        if let Some(waker) = self.reader.take() {
            waker.wake();
        }
    }
}

/// One end of an in-memory byte pipe: reads what the other end wrote.
struct End {
    rx: Arc<Mutex<Buffer>>,
    tx: Arc<Mutex<Buffer>>,
}

fn pipe() -> (End, End) {
    let a = Arc::new(Mutex::new(Buffer::default()));
    let b = Arc::new(Mutex::new(Buffer::default()));
    (
        End {
            rx: a.clone(),
            tx: b.clone(),
        },
        End { rx: b, tx: a },
    )
}

impl AsyncRead for End {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut [u8],
    ) -> Poll<io::Result<usize>> {
        let mut rx = self.rx.lock().unwrap();
        if rx.data.is_empty() {
            if rx.closed {
                return Poll::Ready(Ok(0));
            }
            rx.reader = Some(cx.waker().clone());
            return Poll::Pending;
        }
        let n = buf.len().min(rx.data.len());
        for (slot, byte) in buf.iter_mut().zip(rx.data.drain(..n)) {
            *slot = byte;
        }
        Poll::Ready(Ok(n))
    }
}

impl AsyncWrite for End {
    fn poll_write(
        self: Pin<&mut Self>,
        _: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let mut tx = self.tx.lock().unwrap();
        if tx.closed {
            return Poll::Ready(Err(io::ErrorKind::BrokenPipe.into()));
        }
        tx.data.extend(buf);
        if let Some(waker) = tx.reader.take() {
            waker.wake();
        }
        Poll::Ready(Ok(buf.len()))
    }

    fn poll_flush(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(Ok(()))
    }

    fn poll_close(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.tx.lock().unwrap().close();
        Poll::Ready(Ok(()))
    }
}

impl Drop for End {
    fn drop(&mut self) {
        self.tx.lock().unwrap().close();
        self.rx.lock().unwrap().close();
    }
}

impl End {
    /// Reads one CRLF-terminated line; `None` once the client has closed.
    async fn line(&mut self) -> Option<String> {
        let mut line = Vec::new();
        while !line.ends_with(b"\r\n") {
            let mut byte = [0];
            let n = poll_fn(|cx| Pin::new(&mut *self).poll_read(cx, &mut byte))
                .await
                .ok()?;
            if n == 0 {
                return None;
            }
            line.push(byte[0]);
        }
        line.truncate(line.len() - 2);
        Some(String::from_utf8(line).expect("the client sends UTF-8 here"))
    }

    fn send(&mut self, text: &str) {
        let written = Pin::new(&mut *self)
            .poll_write(&mut Context::from_waker(Waker::noop()), text.as_bytes());
        assert!(
            matches!(written, Poll::Ready(Ok(n)) if n == text.len()),
            "client gone"
        );
    }
}

/// The scripted server: a greeting, then answers by command name. The first NOOP is answered
/// only when the next command arrives, so the client's NOOP times out.
async fn server(mut io: End) {
    io.send("* OK [CAPABILITY IMAP4rev1 IDLE] scripted server ready\r\n");
    let mut stalled: Option<String> = None;
    while let Some(line) = io.line().await {
        let mut words = line.split(' ');
        let tag = words.next().unwrap_or_default().to_owned();
        let command = words.next().unwrap_or_default().to_ascii_uppercase();
        if let Some(noop) = stalled.take() {
            io.send(&format!("{noop} OK NOOP completed late\r\n"));
        }
        match command.as_str() {
            "LOGIN" => io.send(&format!(
                "{tag} OK [CAPABILITY IMAP4rev1 IDLE] logged in\r\n"
            )),
            "SELECT" => io.send(&format!(
                "* 3 EXISTS\r\n* 0 RECENT\r\n* FLAGS (\\Seen \\Deleted)\r\n\
                 * OK [UIDVALIDITY 42] ok\r\n* OK [UIDNEXT 13] ok\r\n\
                 {tag} OK [READ-WRITE] SELECT completed\r\n"
            )),
            "FETCH" => io.send(&format!(
                "* 1 FETCH (UID 10 FLAGS (\\Seen))\r\n* 2 FETCH (UID 11 FLAGS ())\r\n\
                 * 4 EXISTS\r\n{tag} OK FETCH completed\r\n"
            )),
            "NOOP" => stalled = Some(tag),
            "LOGOUT" => {
                io.send(&format!(
                    "* BYE logging out\r\n{tag} OK LOGOUT completed\r\n"
                ));
                return;
            }
            _ => io.send(&format!("{tag} BAD unexpected {command}\r\n")),
        }
    }
}

fn no_tokio_runtime() -> bool {
    tokio::runtime::Handle::try_current().is_err()
}

#[test]
fn from_stream_runs_on_futures_executor_without_tokio() {
    let pool = ThreadPool::builder()
        .pool_size(2)
        .create()
        .expect("thread pool");
    let (client_io, server_io) = pipe();
    let (server_tx, server_rx) = mpsc::channel();
    pool.spawn_ok(async move {
        let no_tokio = no_tokio_runtime();
        server(server_io).await;
        let _ = server_tx.send(no_tokio);
    });
    let (driver_tx, driver_rx) = mpsc::channel();

    let conn = block_on(async {
        assert!(no_tokio_runtime(), "the caller runs inside a tokio runtime");
        let (conn, driver) = ImapConnection::builder()
            .default_timeout(T)
            .from_stream(client_io, T)
            .await
            .expect("greeting");
        pool.spawn_ok(async move {
            let no_tokio = no_tokio_runtime();
            driver.await;
            let _ = driver_tx.send(no_tokio);
        });

        conn.login("alice", "secret", T).await.expect("login");
        let inbox = conn.select("INBOX", T).await.expect("select");
        assert_eq!((inbox.exists, inbox.uid_validity), (3, Some(42)));

        let set = SequenceSet::new("1:2").unwrap();
        let messages = conn
            .fetch(&set, &[FetchAttr::Uid, FetchAttr::Flags], T)
            .await
            .expect("fetch");
        let uids: Vec<_> = messages.iter().map(|m| m.uid).collect();
        assert_eq!(uids, [Some(10), Some(11)]);
        // The unsolicited EXISTS in the FETCH reply went to the event queue.
        assert!(conn.drain_events().await.contains(&TypedEvent::Exists(4)));

        // Timers: the event wait and the command timeout both end on futures-timer.
        let started = Instant::now();
        assert_eq!(
            conn.next_event(Duration::from_millis(50))
                .await
                .expect("no error"),
            None
        );
        assert!(started.elapsed() >= Duration::from_millis(50));
        let started = Instant::now();
        let stalled = conn.noop(Duration::from_millis(100)).await;
        assert!(matches!(stalled, Err(Error::Timeout)), "{stalled:?}");
        assert!((Duration::from_millis(100)..T).contains(&started.elapsed()));

        conn.logout().await.expect("logout");
        conn
    });

    // The driver ends once the server has hung up; later calls fail instead of hanging.
    assert!(
        driver_rx.recv_timeout(T).expect("driver finished"),
        "driver saw a tokio runtime"
    );
    assert!(
        server_rx.recv_timeout(T).expect("server finished"),
        "server saw a tokio runtime"
    );
    let after = block_on(conn.noop(T));
    assert!(matches!(after, Err(Error::Closed)), "{after:?}");
}
