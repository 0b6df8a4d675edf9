//! Faults: a server that stalls, hangs up mid-literal, says BYE mid-command, sends garbage or
//! an impossible literal, or trickles its reply one byte per write.
//!
//! These tests use the scripted fake server (`daaki_imap_tests::fake`) because no real server
//! produces these faults on demand; everything a well-behaved server does is tested against
//! the harness Dovecot in the other test files. The promise under test: every call resolves
//! — with a typed error where the server misbehaved — nothing panics or hangs, and once the
//! connection is gone later calls get [`Error::Closed`].
//!
//! Each call is wrapped in [`bounded`], a generous outer timeout that turns a hang into a test
//! failure; no test asserts on speed.

use std::future::Future;
use std::time::Duration;

use daaki_imap::types::response::FetchResponse;
use daaki_imap::types::{FetchAttr, Section, SequenceSet};
use daaki_imap::{Error, ImapConnection, TlsMode, TypedEvent};
use daaki_imap_tests::client::T;
use daaki_imap_tests::fake::{FakeServer, Script, Step};

/// A short per-call timeout for the calls that are meant to time out.
const SHORT: Duration = Duration::from_millis(500);

const PREAUTH: &str = "* PREAUTH [CAPABILITY IMAP4rev1 IDLE] fake server, logged in\r\n";

/// Awaits `call`, failing the test if it does not resolve within the generous [`T`].
async fn bounded<F: Future>(what: &str, call: F) -> F::Output {
    tokio::time::timeout(T, call)
        .await
        .unwrap_or_else(|_| panic!("{what} hung"))
}

fn set(s: &str) -> SequenceSet {
    SequenceSet::new(s).expect("valid set")
}

async fn start(script: Script) -> (FakeServer, ImapConnection) {
    let server = FakeServer::start(vec![script]).await;
    let conn = server
        .connect(TlsMode::Plaintext)
        .await
        .expect("connect to the fake server");
    (server, conn)
}

/// Asserts that the connection is closed and later calls say so.
async fn assert_closed_for_later_calls(conn: &ImapConnection) {
    let later = bounded("a call after the connection closed", conn.noop(T)).await;
    assert!(matches!(later, Err(Error::Closed)), "{later:?}");
    assert!(conn.is_closed());
}

/// A connection-ending error: the transport failed, the server said BYE, or it is closed.
fn is_connection_error(e: &Error) -> bool {
    matches!(e, Error::Io(_) | Error::Bye { .. } | Error::Closed)
}

#[tokio::test]
async fn a_stalled_server_gives_timeout_and_the_connection_recovers_when_it_answers() {
    let (server, conn) = start(vec![
        Step::send(PREAUTH),
        Step::expect("NOOP"),
        // The client gives up on the first NOOP and sends a second; only then the server
        // answers both (the late answer to the first is dropped by the driver).
        Step::expect("NOOP"),
        Step::send("{tag1} OK late\r\n{tag2} OK on time\r\n"),
        Step::Stall,
    ])
    .await;
    let first = bounded("noop on a stalled server", conn.noop(SHORT)).await;
    assert!(matches!(first, Err(Error::Timeout)), "{first:?}");
    assert!(!conn.is_closed(), "a timeout does not close the connection");
    bounded("noop after the timeout", conn.noop(T))
        .await
        .expect("the connection is usable after a timeout");
    drop(conn);
    assert_eq!(server.finish(T).await, Vec::<String>::new());
}

#[tokio::test]
async fn a_server_that_never_answers_gives_timeout_for_every_call() {
    let (_server, conn) = start(vec![Step::send(PREAUTH), Step::Stall]).await;
    for _ in 0..2 {
        let result = bounded("noop on a stalled server", conn.noop(SHORT)).await;
        assert!(matches!(result, Err(Error::Timeout)), "{result:?}");
    }
    assert!(!conn.is_closed());
}

#[tokio::test]
async fn a_server_that_never_greets_gives_timeout_for_connect() {
    let server = FakeServer::start(vec![vec![Step::Stall]]).await;
    let result = bounded(
        "connect to a silent server",
        server
            .builder()
            .connect(server.host(), server.port(), TlsMode::Plaintext, SHORT),
    )
    .await;
    assert!(matches!(result, Err(Error::Timeout)), "{:?}", result.err());
}

#[tokio::test]
async fn disconnect_mid_literal_fails_the_fetch_and_later_calls_get_closed() {
    let (_server, conn) = start(vec![
        Step::send(PREAUTH),
        Step::expect("FETCH"),
        Step::send("* 1 FETCH (UID 7 BODY[] {100}\r\n0123456789"),
        Step::Close,
    ])
    .await;
    let result = bounded(
        "fetch cut mid-literal",
        conn.fetch(&set("1"), &[FetchAttr::body_peek(Section::full())], T),
    )
    .await;
    let error = result.expect_err("a literal cut short cannot complete");
    assert!(is_connection_error(&error), "{error:?}");
    assert_closed_for_later_calls(&conn).await;
}

#[tokio::test]
async fn bye_mid_command_fails_the_command_with_bye_and_later_calls_get_closed() {
    let (_server, conn) = start(vec![
        Step::send(PREAUTH),
        Step::expect("FETCH"),
        Step::send("* 1 FETCH (UID 7)\r\n* BYE [UNAVAILABLE] shutting down\r\n"),
        Step::Close,
    ])
    .await;
    let result = bounded(
        "fetch interrupted by BYE",
        conn.fetch(&set("1:2"), &[FetchAttr::Uid], T),
    )
    .await;
    match result {
        Err(Error::Bye { text, .. }) => assert_eq!(text, "shutting down"),
        other => panic!("expected Bye, got {other:?}"),
    }
    assert_closed_for_later_calls(&conn).await;
}

#[tokio::test]
async fn bye_mid_command_without_hangup_still_resolves_the_command() {
    // RFC 3501 §7.1.5: after BYE the server closes the connection. This one does not.
    let (_server, conn) = start(vec![
        Step::send(PREAUTH),
        Step::expect("FETCH"),
        Step::send("* 1 FETCH (UID 7)\r\n* BYE shutting down\r\n"),
        Step::Stall,
    ])
    .await;
    let result = bounded(
        "fetch interrupted by BYE",
        conn.fetch(&set("1:2"), &[FetchAttr::Uid], T),
    )
    .await;
    assert!(matches!(result, Err(Error::Bye { .. })), "{result:?}");
    assert_closed_for_later_calls(&conn).await;
}

#[tokio::test]
async fn garbage_lines_between_responses_are_kept_as_unparsed_events() {
    let (server, conn) = start(vec![
        Step::send(PREAUTH),
        Step::expect("FETCH"),
        Step::send(b"* 1 FETCH (UID 7)\r\n\x00\xff garbage\r\n)))\r\n* 2 FETCH (UID 8)\r\n{tag} OK done\r\n"),
        Step::expect("NOOP"),
        Step::send(b"\x00\xff garbage\r\n{tag} OK done\r\n"),
        Step::Stall,
    ])
    .await;
    let fetched = bounded(
        "fetch around garbage",
        conn.fetch(&set("1:2"), &[FetchAttr::Uid], T),
    )
    .await
    .expect("the FETCH completes around the garbage");
    let uids: Vec<_> = fetched.iter().map(|m| m.uid).collect();
    assert_eq!(uids, vec![Some(7), Some(8)]);
    bounded("noop after garbage", conn.noop(T))
        .await
        .expect("noop after garbage");
    // Nothing is dropped unseen: each garbage line is an unparsed event, in order.
    let raw: Vec<Vec<u8>> = conn
        .drain_events()
        .await
        .into_iter()
        .map(|e| match e {
            TypedEvent::Unparsed(u) => u.raw,
            other => panic!("only unparsed events expected, got {other:?}"),
        })
        .collect();
    assert_eq!(
        raw,
        [
            &b"\x00\xff garbage\r\n"[..],
            b")))\r\n",
            b"\x00\xff garbage\r\n"
        ]
    );
    drop(conn);
    assert_eq!(server.finish(T).await, Vec::<String>::new());
}

#[tokio::test]
async fn a_garbled_tagged_response_fails_only_its_command() {
    let (server, conn) = start(vec![
        Step::send(PREAUTH),
        Step::expect("NOOP"),
        Step::send(b"{tag} \x00\xff garbage\r\n"),
        Step::expect("NOOP"),
        Step::send("{tag} OK done\r\n"),
        Step::Stall,
    ])
    .await;
    let result = bounded("noop answered with garbage", conn.noop(T)).await;
    assert!(matches!(result, Err(Error::Parse(_))), "{result:?}");
    bounded("noop after the garbled one", conn.noop(T))
        .await
        .expect("the connection goes on");
    drop(conn);
    assert_eq!(server.finish(T).await, Vec::<String>::new());
}

#[tokio::test]
async fn an_impossible_literal_fails_the_pending_call_and_closes() {
    let (_server, conn) = start(vec![
        Step::send(PREAUTH),
        Step::expect("FETCH"),
        Step::send("* 1 FETCH (BODY[] {4294967295}\r\n"),
        // The server keeps the connection open: only the client can end this.
        Step::Stall,
    ])
    .await;
    let result = bounded(
        "fetch with a 4 GiB literal",
        conn.fetch(&set("1"), &[FetchAttr::body_peek(Section::full())], T),
    )
    .await;
    let error = result.expect_err("a 4 GiB literal cannot be fetched");
    assert!(matches!(error, Error::Frame(_)), "{error:?}");
    assert_closed_for_later_calls(&conn).await;
}

#[tokio::test]
async fn a_literal_length_that_overflows_fails_the_pending_call_and_closes() {
    let (_server, conn) = start(vec![
        Step::send(PREAUTH),
        Step::expect("FETCH"),
        Step::send("* 1 FETCH (BODY[] {99999999999999999999999}\r\n"),
        Step::Stall,
    ])
    .await;
    let result = bounded(
        "fetch with an overflowing literal",
        conn.fetch(&set("1"), &[FetchAttr::body_peek(Section::full())], T),
    )
    .await;
    let error = result.expect_err("an overflowing literal cannot be fetched");
    assert!(matches!(error, Error::Frame(_)), "{error:?}");
    assert_closed_for_later_calls(&conn).await;
}

/// A realistic session: greeting, LOGIN, SELECT and a FETCH with literals, sent by the server
/// in writes of `chunk` bytes.
fn session_script(chunk: usize) -> Script {
    let send = |s: &str| Step::SendChunked(s.as_bytes().to_vec(), chunk);
    vec![
        send("* OK [CAPABILITY IMAP4rev1 LITERAL+ AUTH=PLAIN] fake server ready\r\n"),
        Step::expect("LOGIN"),
        send("{tag} OK [CAPABILITY IMAP4rev1 IDLE MOVE UIDPLUS] Logged in\r\n"),
        Step::expect("SELECT"),
        send(
            "* FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft)\r\n\
             * OK [PERMANENTFLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft \\*)] ok\r\n\
             * 2 EXISTS\r\n\
             * 0 RECENT\r\n\
             * OK [UIDVALIDITY 1700000000] UIDs valid\r\n\
             * OK [UIDNEXT 3] Predicted next UID\r\n\
             {tag} OK [READ-WRITE] Select completed\r\n",
        ),
        Step::expect("FETCH"),
        send(
            "* 1 FETCH (UID 1 FLAGS (\\Seen) RFC822.SIZE 39 BODY[] {39}\r\n\
             Subject: one\r\n\r\nHello {5}\r\nworld ) * \r\n)\r\n\
             * 2 FETCH (UID 2 FLAGS () RFC822.SIZE 0 BODY[] {0}\r\n)\r\n\
             * 2 FETCH (FLAGS (\\Recent))\r\n\
             {tag} OK Fetch completed\r\n",
        ),
        Step::Stall,
    ]
}

async fn run_session(
    chunk: usize,
) -> (
    daaki_imap::types::response::SelectedMailbox,
    Vec<FetchResponse>,
) {
    let server = FakeServer::start(vec![session_script(chunk)]).await;
    let conn = bounded("connect", server.connect(TlsMode::Plaintext))
        .await
        .expect("connect");
    bounded("login", conn.login("user", "password", T))
        .await
        .expect("login");
    assert!(conn.capabilities().has("UIDPLUS"));
    let inbox = bounded("select", conn.select("INBOX", T))
        .await
        .expect("select");
    let fetched = bounded(
        "fetch",
        conn.fetch(
            &set("1:2"),
            &[
                FetchAttr::Uid,
                FetchAttr::Flags,
                FetchAttr::Rfc822Size,
                FetchAttr::body_peek(Section::full()),
            ],
            T,
        ),
    )
    .await
    .expect("fetch");
    drop(conn);
    assert_eq!(server.finish(T).await, Vec::<String>::new());
    (inbox, fetched)
}

#[tokio::test]
async fn a_reply_trickled_one_byte_per_write_parses_like_a_whole_one() {
    let whole = run_session(usize::MAX).await;
    let trickled = run_session(1).await;
    assert_eq!(whole.0.exists, 2);
    assert_eq!(whole.0.uid_validity, Some(1_700_000_000));
    let bodies: Vec<_> = whole
        .1
        .iter()
        .map(|m| m.body().map(<[u8]>::to_vec))
        .collect();
    assert_eq!(
        bodies,
        vec![
            Some(b"Subject: one\r\n\r\nHello {5}\r\nworld ) * \r\n".to_vec()),
            Some(Vec::new()),
            None
        ]
    );
    assert_eq!(trickled, whole);
}

#[tokio::test]
async fn every_pipelined_call_resolves_when_the_server_hangs_up() {
    let (_server, conn) = start(vec![
        Step::send(PREAUTH),
        // Some of the calls conflict (FETCH waits for SELECT), so not all of them are written:
        // wait for the first, give the others time to queue, hang up.
        Step::expect(""),
        Step::Sleep(Duration::from_millis(300)),
        Step::Close,
    ])
    .await;
    let (tx, mut rx) = tokio::sync::mpsc::channel(4);
    let (a, b, c, d) = (conn.clone(), conn.clone(), conn.clone(), conn.clone());
    let consumer = tokio::spawn(async move {
        let mut n = 0;
        while rx.recv().await.is_some() {
            n += 1;
        }
        n
    });
    let all = set("1:*");
    let (noop, fetch, select, streamed) = tokio::join!(
        bounded("noop", a.noop(T)),
        bounded("fetch", b.fetch(&all, &[FetchAttr::Flags], T)),
        bounded("select", c.select("INBOX", T)),
        bounded(
            "streaming fetch",
            d.uid_fetch_streaming(&all, &[FetchAttr::Uid], tx, T)
        ),
    );
    for (what, error) in [
        ("noop", noop.err()),
        ("fetch", fetch.err()),
        ("select", select.err()),
        ("streaming fetch", streamed.err()),
    ] {
        let error = error.unwrap_or_else(|| panic!("{what} succeeded on a closed connection"));
        assert!(is_connection_error(&error), "{what}: {error:?}");
    }
    assert_eq!(
        bounded("stream consumer", consumer)
            .await
            .expect("consumer"),
        0
    );
    assert_closed_for_later_calls(&conn).await;
}

#[tokio::test]
async fn logout_succeeds_when_its_bye_and_ok_arrive_in_separate_writes() {
    // The BYE of a LOGOUT is the normal sequence (RFC 3501 §6.1.3), not a fault: the client
    // must wait for the tagged OK even when it comes in a later read.
    let (server, conn) = start(vec![
        Step::send(PREAUTH),
        Step::expect("LOGOUT"),
        Step::send("* BYE logging out\r\n"),
        Step::Sleep(Duration::from_millis(200)),
        Step::send("{tag} OK Logout completed\r\n"),
        Step::Stall,
    ])
    .await;
    bounded("logout", conn.logout())
        .await
        .expect("logout with a split BYE / OK");
    assert_closed_for_later_calls(&conn).await;
    drop(conn);
    assert_eq!(server.finish(T).await, Vec::<String>::new());
}
