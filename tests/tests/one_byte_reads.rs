//! One byte per read: the driver over an in-memory transport whose read side hands out at most
//! one byte per `poll_read`, against the same session with whole reads.
//!
//! Over loopback TCP a fake server's one-byte writes are merged again (Nagle, the kernel's
//! buffers), so a "trickled" reply may still arrive in a few reads. Here nothing can merge:
//! the transport under the driver ([`ImapConnectionBuilder::from_stream`] over a
//! `tokio::io::duplex`) is wrapped in [`Reads`], which limits each read to `max` bytes and
//! counts the reads. The test asserts that the one-byte run really made one read per byte
//! (reads = bytes = everything the server wrote) and that every result and event equals the
//! whole-read run's, which is itself checked against the script.
//!
//! [`ImapConnectionBuilder::from_stream`]: daaki_imap::ImapConnectionBuilder::from_stream

use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::task::{Context, Poll};

use daaki_imap::types::response::{FetchResponse, MailboxStatus, SelectedMailbox};
use daaki_imap::types::{AppendResult, FetchAttr, SearchKey, Section, SequenceSet, StatusAttr};
use daaki_imap::{IdleEvent, ImapConnection, TypedEvent};
use daaki_imap_tests::client::T;
use tokio::io::{
    AsyncBufReadExt, AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, BufReader, DuplexStream,
    ReadBuf,
};
use tokio_util::compat::TokioAsyncReadCompatExt;
use tokio_util::sync::CancellationToken;

/// The client's end of the pipe: reads of at most `max` bytes, counted. (A tokio stream,
/// handed to the driver through `compat()` as the `futures-io` stream `from_stream` takes.)
struct Reads {
    inner: DuplexStream,
    max: usize,
    /// Reads that returned data.
    reads: Arc<AtomicUsize>,
    /// Bytes those reads returned.
    bytes: Arc<AtomicUsize>,
}

impl AsyncRead for Reads {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        let mut chunk = vec![0; self.max.min(buf.remaining()).min(64 * 1024)];
        let mut limited = ReadBuf::new(&mut chunk);
        let polled = Pin::new(&mut self.inner).poll_read(cx, &mut limited);
        let n = limited.filled().len();
        if let Poll::Ready(Ok(())) = polled
            && n > 0
        {
            buf.put_slice(limited.filled());
            self.reads.fetch_add(1, Ordering::Relaxed);
            self.bytes.fetch_add(n, Ordering::Relaxed);
        }
        polled
    }
}

impl AsyncWrite for Reads {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        Pin::new(&mut self.inner).poll_write(cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}

/// The message the FETCH returns: its text contains what a careless framer would take for a
/// literal announcement, a closing parenthesis and a line break.
const BODY: &[u8] = b"Subject: one\r\n\r\nHello {5}\r\nworld ) * \r\n";

/// A scripted server for the session in [`run`]: answers each command by its name, with
/// every reply written whole. Returns how many bytes it wrote.
async fn serve(stream: DuplexStream) -> usize {
    let (rd, mut wr) = tokio::io::split(stream);
    let mut rd = BufReader::new(rd);
    let mut written = 0;
    let mut send = async |wr: &mut tokio::io::WriteHalf<DuplexStream>, text: &[u8]| {
        wr.write_all(text).await.expect("the client reads");
        written += text.len();
    };
    send(
        &mut wr,
        b"* OK [CAPABILITY IMAP4rev1 LITERAL+ IDLE UIDPLUS] in-memory server ready\r\n",
    )
    .await;
    loop {
        let mut line = String::new();
        if rd.read_line(&mut line).await.expect("a line") == 0 {
            break;
        }
        let line = line.trim_end_matches("\r\n");
        let (tag, command) = line.split_once(' ').expect("tag and command");
        let name = command
            .split(' ')
            .take(if command.starts_with("UID ") { 2 } else { 1 })
            .collect::<Vec<_>>()
            .join(" ");
        let reply = match name.as_str() {
            "LOGIN" => {
                format!("{tag} OK [CAPABILITY IMAP4rev1 LITERAL+ IDLE UIDPLUS] Logged in\r\n")
            }
            "SELECT" => format!(
                "* FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft)\r\n\
                 * OK [PERMANENTFLAGS (\\Seen \\*)] Limited\r\n\
                 * 2 EXISTS\r\n\
                 * 0 RECENT\r\n\
                 * OK [UIDVALIDITY 1700000000] UIDs valid\r\n\
                 * OK [UIDNEXT 3] Predicted next UID\r\n\
                 {tag} OK [READ-WRITE] Select completed\r\n"
            ),
            "FETCH" => {
                let mut reply = format!(
                    "* 1 FETCH (UID 1 FLAGS (\\Seen) RFC822.SIZE {} BODY[] {{{}}}\r\n",
                    BODY.len(),
                    BODY.len()
                )
                .into_bytes();
                reply.extend_from_slice(BODY);
                reply.extend_from_slice(
                    format!(
                        ")\r\n* 2 FETCH (UID 2 FLAGS () RFC822.SIZE 0 BODY[] {{0}}\r\n)\r\n\
                         * 2 FETCH (FLAGS (\\Flagged))\r\n\
                         {tag} OK Fetch completed\r\n"
                    )
                    .as_bytes(),
                );
                send(&mut wr, &reply).await;
                continue;
            }
            "UID SEARCH" => format!("* SEARCH 1 2\r\n{tag} OK Search completed\r\n"),
            "STATUS" => {
                format!("* STATUS Drafts (MESSAGES 4 UNSEEN 1)\r\n{tag} OK Status completed\r\n")
            }
            "NOOP" => format!(
                "* 3 EXISTS\r\n* 1 FETCH (FLAGS (\\Seen \\Answered))\r\n{tag} OK NOOP completed\r\n"
            ),
            "IDLE" => {
                send(&mut wr, b"+ idling\r\n* 4 EXISTS\r\n").await;
                let mut done = String::new();
                rd.read_line(&mut done).await.expect("DONE");
                assert_eq!(done, "DONE\r\n");
                format!("{tag} OK Idle completed\r\n")
            }
            "APPEND" => {
                // `APPEND INBOX {n+}`: LITERAL+ is advertised, so the literal follows at once.
                let n: usize = command
                    .rsplit_once('{')
                    .and_then(|(_, n)| n.strip_suffix("+}"))
                    .and_then(|n| n.parse().ok())
                    .expect("a non-synchronising literal");
                let mut literal = vec![0; n + 2];
                rd.read_exact(&mut literal).await.expect("the literal");
                assert!(literal.ends_with(b"\r\n"));
                format!("{tag} OK [APPENDUID 1700000000 3] Append completed\r\n")
            }
            "LOGOUT" => {
                send(
                    &mut wr,
                    format!("* BYE logging out\r\n{tag} OK Logout completed\r\n").as_bytes(),
                )
                .await;
                break;
            }
            other => format!("{tag} BAD unexpected {other}\r\n"),
        };
        send(&mut wr, reply.as_bytes()).await;
    }
    written
}

/// What the session produced.
#[derive(Debug, PartialEq)]
struct Outcome {
    capabilities: Vec<String>,
    select: SelectedMailbox,
    fetch: Vec<FetchResponse>,
    search: Vec<u32>,
    status: MailboxStatus,
    events_after_noop: Vec<TypedEvent>,
    idle: IdleEvent,
    append: AppendResult,
    events_at_the_end: Vec<TypedEvent>,
}

/// An [`Outcome`] and the transport's counts.
struct Run {
    outcome: Outcome,
    reads: usize,
    bytes: usize,
    server_wrote: usize,
}

/// The session over a pipe whose client end reads at most `max` bytes at a time.
async fn run(max: usize) -> Run {
    let (client, server) = tokio::io::duplex(64 * 1024);
    let server = tokio::spawn(serve(server));
    let (reads, bytes) = (Arc::new(AtomicUsize::new(0)), Arc::new(AtomicUsize::new(0)));
    let transport = Reads {
        inner: client,
        max,
        reads: reads.clone(),
        bytes: bytes.clone(),
    };
    let (conn, driver) = ImapConnection::builder()
        .from_stream(transport.compat(), T)
        .await
        .expect("greeting");
    let driver = tokio::spawn(driver);

    conn.login("user", "password", T).await.expect("login");
    let capabilities = conn.capabilities().iter().map(str::to_owned).collect();
    let select = conn.select("INBOX", T).await.expect("select");
    let set = SequenceSet::new("1:2").expect("set");
    let items = [
        FetchAttr::Uid,
        FetchAttr::Flags,
        FetchAttr::Rfc822Size,
        FetchAttr::body_peek(Section::full()),
    ];
    let fetch = conn.fetch(&set, &items, T).await.expect("fetch");
    let search = conn.uid_search(&SearchKey::All, T).await.expect("search");
    let attrs = [StatusAttr::Messages, StatusAttr::Unseen];
    let status = conn.status("Drafts", &attrs, T).await.expect("status");
    conn.noop(T).await.expect("noop");
    let events_after_noop = conn.drain_events().await;
    let idle = conn.idle(T, CancellationToken::new()).await.expect("idle");
    let append = conn.append("INBOX", &[], BODY, T).await.expect("append");
    conn.logout().await.expect("logout");
    let events_at_the_end = conn.drain_events().await;
    drop(conn);
    tokio::time::timeout(T, driver)
        .await
        .expect("the driver ends")
        .expect("the driver did not panic");
    let server_wrote = server.await.expect("the server did not panic");
    Run {
        outcome: Outcome {
            capabilities,
            select,
            fetch,
            search,
            status,
            events_after_noop,
            idle,
            append,
            events_at_the_end,
        },
        reads: reads.load(Ordering::Relaxed),
        bytes: bytes.load(Ordering::Relaxed),
        server_wrote,
    }
}

#[tokio::test]
async fn one_byte_per_read_gives_the_same_results_as_whole_reads() {
    let whole = run(usize::MAX).await;
    let trickled = run(1).await;

    // The whole-read run is what the script says (so "the same" below means right).
    let o = &whole.outcome;
    assert!(o.capabilities.iter().any(|c| c == "UIDPLUS"), "{o:?}");
    assert_eq!(
        (o.select.exists, o.select.uid_validity),
        (2, Some(1_700_000_000))
    );
    let fetched: Vec<_> = o
        .fetch
        .iter()
        .map(|m| (m.seq, m.uid, m.rfc822_size, m.body().map(<[u8]>::to_vec)))
        .collect();
    assert_eq!(
        fetched,
        [
            (1, Some(1), Some(BODY.len() as u64), Some(BODY.to_vec())),
            (2, Some(2), Some(0), Some(Vec::new())),
            // A FETCH by number claims every FETCH of its numbers, flag changes included.
            (2, None, None, None),
        ]
    );
    assert_eq!(o.search, [1, 2]);
    assert_eq!((o.status.messages, o.status.unseen), (Some(4), Some(1)));
    // The NOOP's data are events.
    let kinds: Vec<_> = o
        .events_after_noop
        .iter()
        .map(|e| match e {
            TypedEvent::Exists(n) => format!("exists {n}"),
            TypedEvent::Fetch(f) => format!("fetch {}", f.seq),
            other => format!("{other:?}"),
        })
        .collect();
    assert_eq!(kinds, ["exists 3", "fetch 1"]);
    assert_eq!(o.idle, IdleEvent::Exists(4));
    assert_eq!(o.append.uid_validity, Some(1_700_000_000));
    assert!(
        o.events_at_the_end
            .iter()
            .any(|e| matches!(e, TypedEvent::Bye { .. })),
        "{o:?}"
    );
    assert_eq!(whole.bytes, whole.server_wrote);
    assert!(
        whole.reads * 10 < whole.bytes,
        "whole reads take many bytes at once: {} reads of {} bytes",
        whole.reads,
        whole.bytes
    );

    // One byte per read, every byte: nothing merged.
    assert_eq!(trickled.bytes, trickled.server_wrote);
    assert_eq!(trickled.bytes, whole.bytes, "the same replies");
    assert!(
        trickled.reads >= trickled.bytes,
        "{} reads for {} bytes",
        trickled.reads,
        trickled.bytes
    );
    assert_eq!(trickled.outcome, whole.outcome);
}
