//! The driver over an in-memory transport: unit tests of what it does with each session
//! event, for orders and faults a real server cannot be made to show on demand.
//!
//! The peer here is a **scripted fake server** (a `tokio::io::duplex` pipe the test writes
//! replies into): it holds back the `+` of an IDLE until the test has dropped and queued the
//! calls it wants, sends BYE without hanging up, answers in chunks a streaming consumer must
//! wait for — none of which a real server does on request. The same behaviours against the
//! harness servers are in `tests/tests/` (cancellation, idle, streaming, faults).

use std::future::Future;
use std::pin::pin;
use std::task::Poll;
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt, DuplexStream};
use tokio_util::compat::TokioAsyncReadCompatExt;
use tokio_util::sync::CancellationToken;

use crate::types::IdleEvent;
use crate::{ImapConnection, ImapConnectionBuilder, Result};

mod compress;
mod idle;
mod lifecycle;
mod streaming;

const T: Duration = Duration::from_secs(10);

async fn connect() -> (ImapConnection, DuplexStream) {
    connect_with(ImapConnection::builder()).await
}

/// Connects a client built by `builder` to the scripted server, which greets with
/// `IMAP4rev1 IDLE`.
async fn connect_with(builder: ImapConnectionBuilder) -> (ImapConnection, DuplexStream) {
    connect_greeted(
        builder,
        "* OK [CAPABILITY IMAP4rev1 IDLE] fake server ready",
    )
    .await
}

/// Connects a client built by `builder` to the scripted server, which sends `greeting`.
async fn connect_greeted(
    builder: ImapConnectionBuilder,
    greeting: &str,
) -> (ImapConnection, DuplexStream) {
    let (client, mut server) = tokio::io::duplex(1 << 16);
    server
        .write_all(format!("{greeting}\r\n").as_bytes())
        .await
        .unwrap();
    let (conn, driver) = builder
        .default_timeout(T)
        .from_stream(client.compat(), T)
        .await
        .expect("greeting");
    tokio::spawn(driver);
    (conn, server)
}

/// Runs `call` with a clone of `conn` on its own task (so the test can play the server while
/// the call waits for it).
fn spawn<F, Fut, R>(conn: &ImapConnection, call: F) -> tokio::task::JoinHandle<R>
where
    F: FnOnce(ImapConnection) -> Fut,
    Fut: Future<Output = R> + Send + 'static,
    R: Send + 'static,
{
    tokio::spawn(call(conn.clone()))
}

/// Reads one CRLF-terminated line (without the CRLF); fails the test when none comes within
/// [`T`].
async fn read_line(server: &mut DuplexStream) -> String {
    let mut line = Vec::new();
    while !line.ends_with(b"\r\n") {
        let mut byte = [0u8; 1];
        let read = tokio::time::timeout(T, server.read(&mut byte))
            .await
            .unwrap_or_else(|_| panic!("no line from the client; so far {line:?}"));
        assert_eq!(read.unwrap(), 1, "client hung up");
        line.push(byte[0]);
    }
    line.truncate(line.len() - 2);
    String::from_utf8(line).unwrap()
}

/// Polls `fut` once (so its request reaches the driver's queue), then drops it.
async fn poll_once_then_drop<F: Future>(fut: F) {
    let mut fut = pin!(fut);
    let polled = std::future::poll_fn(|cx| Poll::Ready(fut.as_mut().poll(cx).is_ready())).await;
    assert!(!polled, "the call cannot finish before the server answers");
}

/// Lets the driver task take everything queued.
async fn settle() {
    for _ in 0..20 {
        tokio::task::yield_now().await;
    }
}

#[tokio::test(flavor = "current_thread")]
async fn an_idle_after_two_dropped_idles_replaces_the_queued_one_instead_of_failing() {
    let (conn, mut server) = connect().await;
    // A: sent, then dropped before the server accepts it (DONE must follow its `+`).
    poll_once_then_drop(conn.idle(T, CancellationToken::new())).await;
    // B: queued behind the ending A, then dropped too.
    poll_once_then_drop(conn.idle(T, CancellationToken::new())).await;
    // C: the caller waits for it.
    let waiting = spawn(&conn, |conn| async move {
        conn.idle(Duration::from_millis(50), CancellationToken::new())
            .await
    });
    settle().await;
    assert!(
        !waiting.is_finished(),
        "C must wait for A to end, not fail: {:?}",
        waiting.await
    );

    assert_eq!(read_line(&mut server).await, "A1 IDLE");
    server.write_all(b"+ idling\r\n").await.unwrap();
    assert_eq!(read_line(&mut server).await, "DONE", "A was dropped");
    server.write_all(b"A1 OK IDLE done\r\n").await.unwrap();
    // The dropped B is never started: the next IDLE on the wire is C's.
    assert_eq!(read_line(&mut server).await, "A2 IDLE");
    server.write_all(b"+ idling\r\n").await.unwrap();
    assert_eq!(read_line(&mut server).await, "DONE", "C timed out");
    server.write_all(b"A2 OK IDLE done\r\n").await.unwrap();
    let result: Result<IdleEvent> = waiting.await.expect("task");
    assert!(matches!(result, Ok(IdleEvent::Timeout)), "{result:?}");

    let noop = spawn(&conn, |conn| async move { conn.noop(T).await });
    assert_eq!(read_line(&mut server).await, "A3 NOOP");
    server.write_all(b"A3 OK NOOP done\r\n").await.unwrap();
    noop.await.expect("task").expect("noop");
}

#[tokio::test(flavor = "current_thread")]
async fn an_idle_queued_and_then_cancelled_is_answered_cancelled_when_replaced() {
    let (conn, mut server) = connect().await;
    poll_once_then_drop(conn.idle(T, CancellationToken::new())).await;
    // B waits, queued behind the ending A; then its token fires and C comes.
    let token = CancellationToken::new();
    let b = tokio::spawn({
        let (conn, token) = (conn.clone(), token.clone());
        async move { conn.idle(T, token).await }
    });
    settle().await;
    token.cancel();
    let c = spawn(&conn, |conn| async move {
        conn.idle(Duration::from_millis(50), CancellationToken::new())
            .await
    });
    settle().await;
    let b = b.await.expect("task");
    assert!(matches!(b, Ok(IdleEvent::Cancelled)), "{b:?}");

    assert_eq!(read_line(&mut server).await, "A1 IDLE");
    server.write_all(b"+ idling\r\n").await.unwrap();
    assert_eq!(read_line(&mut server).await, "DONE");
    server.write_all(b"A1 OK IDLE done\r\n").await.unwrap();
    assert_eq!(read_line(&mut server).await, "A2 IDLE");
    server.write_all(b"+ idling\r\n").await.unwrap();
    assert_eq!(read_line(&mut server).await, "DONE");
    server.write_all(b"A2 OK IDLE done\r\n").await.unwrap();
    let c = c.await.expect("task");
    assert!(matches!(c, Ok(IdleEvent::Timeout)), "{c:?}");
}
