//! Pipelines over an in-memory transport that records every write call.
//!
//! The peer here is a **scripted fake server**, by necessity: what these tests assert — how
//! many write calls reach the transport, what the server answers out of order, a hang-up at
//! an exact point — cannot be observed or provoked on a real server. The same behaviour
//! against the harness Dovecot is in `tests/tests/pipeline.rs`.

use std::io;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt, DuplexStream};
use tokio_util::compat::{Compat, TokioAsyncReadCompatExt};

use crate::types::{MailboxName, StatusAttr};
use crate::{Error, ImapConnection};

const T: Duration = Duration::from_secs(10);

/// The client's end of the pipe: records the bytes of each `poll_write` that succeeded.
struct Recording {
    inner: Compat<DuplexStream>,
    writes: Arc<Mutex<Vec<Vec<u8>>>>,
}

impl futures_io::AsyncRead for Recording {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut [u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.inner).poll_read(cx, buf)
    }
}

impl futures_io::AsyncWrite for Recording {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let result = Pin::new(&mut self.inner).poll_write(cx, buf);
        if let Poll::Ready(Ok(n)) = &result {
            self.writes.lock().unwrap().push(buf[..*n].to_vec());
        }
        result
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_close(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_close(cx)
    }
}

type Writes = Arc<Mutex<Vec<Vec<u8>>>>;

/// A connection whose server end is returned for the test to script.
async fn connect() -> (ImapConnection, DuplexStream, Writes) {
    let (client, mut server) = tokio::io::duplex(1 << 20);
    let writes = Writes::default();
    let stream = Recording {
        inner: client.compat(),
        writes: writes.clone(),
    };
    server
        .write_all(b"* OK [CAPABILITY IMAP4rev1 LITERAL+] fake server ready\r\n")
        .await
        .unwrap();
    let (conn, driver) = ImapConnection::builder()
        .default_timeout(T)
        .from_stream(stream, T)
        .await
        .expect("greeting");
    tokio::spawn(driver);
    (conn, server, writes)
}

/// Reads until `n` command lines have arrived; returns them without CRLF.
async fn read_lines(server: &mut DuplexStream, n: usize) -> Vec<String> {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    while buf.windows(2).filter(|w| w == b"\r\n").count() < n {
        let got = server.read(&mut chunk).await.unwrap();
        assert!(got > 0, "client hung up");
        buf.extend_from_slice(&chunk[..got]);
    }
    String::from_utf8(buf)
        .unwrap()
        .split_terminator("\r\n")
        .map(str::to_owned)
        .collect()
}

fn name(s: &str) -> MailboxName {
    MailboxName::new(s).unwrap()
}

#[tokio::test]
async fn eight_pipelined_status_leave_in_one_write_and_come_back_in_order() {
    let (conn, mut server, writes) = connect().await;
    let boxes = [
        "INBOX", "Drafts", "Sent", "Trash", "Junk", "Archive", "Lists", "Work",
    ];
    let peer = tokio::spawn(async move {
        let lines = read_lines(&mut server, 8).await;
        // Answer in reverse order: the data is routed by mailbox name, completions by tag.
        let mut reply = String::new();
        for (i, line) in lines.iter().enumerate().rev() {
            let mailbox = line.split(' ').nth(2).unwrap();
            reply.push_str(&format!(
                "* STATUS {mailbox} (MESSAGES {} UNSEEN 1)\r\n",
                i * 10
            ));
        }
        for line in lines.iter().rev() {
            let tag = line.split(' ').next().unwrap();
            reply.push_str(&format!("{tag} OK STATUS done\r\n"));
        }
        server.write_all(reply.as_bytes()).await.unwrap();
        (server, lines)
    });
    let items = || "(MESSAGES UNSEEN)".to_string();
    let results = conn
        .pipeline()
        .status(name(boxes[0]), items())
        .status(name(boxes[1]), items())
        .status(name(boxes[2]), items())
        .status(name(boxes[3]), items())
        .status(name(boxes[4]), items())
        .status(name(boxes[5]), items())
        .status(name(boxes[6]), items())
        .status_attrs(name(boxes[7]), &[StatusAttr::Messages, StatusAttr::Unseen])
        .execute()
        .await
        .expect("pipeline");
    let (_server, lines) = peer.await.unwrap();
    let r = [
        results.0, results.1, results.2, results.3, results.4, results.5, results.6, results.7,
    ];
    for (i, result) in r.into_iter().enumerate() {
        let status = result.expect("STATUS ok");
        assert_eq!(status.mailbox, Some(name(boxes[i])));
        assert_eq!(status.messages, Some(i as u32 * 10));
    }
    let writes = writes.lock().unwrap().clone();
    assert_eq!(
        writes.len(),
        1,
        "one write call for all 8 commands: {writes:?}"
    );
    let expected: String = lines.iter().map(|l| format!("{l}\r\n")).collect();
    assert_eq!(String::from_utf8_lossy(&writes[0]), expected);
    assert!(lines[0].starts_with("A1 STATUS INBOX (MESSAGES UNSEEN)"));
    assert!(lines[7].starts_with("A8 STATUS Work (MESSAGES UNSEEN)"));
}

#[tokio::test]
async fn an_invalid_status_item_list_sends_nothing() {
    let (conn, mut server, writes) = connect().await;
    let result = conn
        .pipeline()
        .noop()
        .status(name("INBOX"), "(MESSAGES BOGUS)".to_string())
        .execute()
        .await;
    assert!(matches!(result, Err(Error::InvalidInput(_))), "{result:?}");
    // The next command is the first thing the server sees, with the first tag.
    let peer = tokio::spawn(async move {
        let lines = read_lines(&mut server, 1).await;
        server.write_all(b"A1 OK NOOP done\r\n").await.unwrap();
        (server, lines)
    });
    conn.noop(T).await.expect("noop");
    let (_server, lines) = peer.await.unwrap();
    assert_eq!(lines, ["A1 NOOP"]);
    assert_eq!(writes.lock().unwrap().concat(), b"A1 NOOP\r\n");
}

#[tokio::test]
async fn a_no_in_the_middle_is_that_commands_error_only() {
    let (conn, mut server, _writes) = connect().await;
    let peer = tokio::spawn(async move {
        read_lines(&mut server, 3).await;
        server
            .write_all(
                b"* STATUS INBOX (MESSAGES 4)\r\nA1 OK done\r\n\
                  A2 NO [NONEXISTENT] Mailbox doesn't exist: Nope\r\nA3 OK NOOP done\r\n",
            )
            .await
            .unwrap();
        server
    });
    let (inbox, nope, noop) = conn
        .pipeline()
        .status(name("INBOX"), "MESSAGES".to_string())
        .status(name("Nope"), "MESSAGES".to_string())
        .noop()
        .execute()
        .await
        .expect("the pipeline as a whole succeeds");
    let _server = peer.await.unwrap();
    assert_eq!(inbox.unwrap().messages, Some(4));
    assert!(matches!(nope, Err(Error::No { .. })), "{nope:?}");
    noop.expect("noop");
}

#[tokio::test]
async fn a_hang_up_fails_the_whole_pipeline() {
    let (conn, mut server, _writes) = connect().await;
    let peer = tokio::spawn(async move {
        read_lines(&mut server, 2).await;
        server.write_all(b"A1 OK NOOP done\r\n").await.unwrap();
        drop(server);
    });
    let result = conn.pipeline().noop().noop().execute().await;
    peer.await.unwrap();
    assert!(matches!(result, Err(Error::Io(_))), "{result:?}");
    assert!(conn.is_closed());
}

#[tokio::test]
async fn an_empty_pipeline_sends_nothing_and_returns_unit() {
    let (conn, _server, writes) = connect().await;
    let () = conn.pipeline().execute().await.expect("empty pipeline");
    assert!(writes.lock().unwrap().is_empty());
}
