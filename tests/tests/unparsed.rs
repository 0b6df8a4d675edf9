//! Nothing lost silently: an untypeable response in the middle of a 10,000-message FETCH is
//! reported with that FETCH — in its place among 9,999 typed results, buffered and streamed —
//! and the connection stays usable.
//!
//! A scripted fake server (`daaki_imap_tests::fake`), because no real server sends an
//! untypeable FETCH response on demand. The broken response is `UID` without its number, the
//! shape of real servers' truncated or mangled items; the other 9,999 are what Dovecot sends
//! for `FETCH (UID FLAGS)`.

use daaki_imap::TlsMode;
use daaki_imap::types::response::FetchResponse;
use daaki_imap::types::{FetchAttr, Quirk, SequenceSet};
use daaki_imap_tests::client::T;
use daaki_imap_tests::fake::{FakeServer, Step};

const MESSAGES: u32 = 10_000;
/// The message whose FETCH response does not parse.
const BROKEN: u32 = 5_000;

const PREAUTH: &str = "* PREAUTH [CAPABILITY IMAP4rev1] fake server, logged in\r\n";

/// `MESSAGES` FETCH responses (UID = 100 + seq), the one for `BROKEN` without its UID number.
fn reply() -> String {
    let mut out = String::new();
    for seq in 1..=MESSAGES {
        if seq == BROKEN {
            out.push_str(&format!("* {seq} FETCH (UID FLAGS (\\Seen))\r\n"));
        } else {
            out.push_str(&format!(
                "* {seq} FETCH (UID {} FLAGS (\\Seen))\r\n",
                100 + seq
            ));
        }
    }
    out.push_str("{tag} OK Fetch completed\r\n");
    out
}

/// 9,999 typed results in order, one unparsed in `BROKEN`'s place carrying its bytes.
fn assert_results(results: &[FetchResponse]) {
    assert_eq!(results.len(), MESSAGES as usize);
    for (i, r) in results.iter().enumerate() {
        let seq = i as u32 + 1;
        assert_eq!(r.seq, seq);
        if seq == BROKEN {
            let unparsed = r
                .unparsed
                .as_ref()
                .expect("the broken response is reported");
            assert_eq!(
                unparsed.raw,
                format!("* {BROKEN} FETCH (UID FLAGS (\\Seen))\r\n").as_bytes()
            );
            assert!(!unparsed.error.is_empty());
            assert_eq!(r.uid, None);
        } else {
            assert!(r.unparsed.is_none(), "message {seq}: {:?}", r.unparsed);
            assert_eq!(r.uid, Some(100 + seq));
            assert_eq!(r.flags.as_deref().map(<[_]>::len), Some(1));
        }
    }
    let typed = results.iter().filter(|r| r.unparsed.is_none()).count();
    assert_eq!(typed, MESSAGES as usize - 1);
}

#[tokio::test]
async fn an_untypeable_response_in_a_10000_message_fetch_is_reported_with_it() {
    let server = FakeServer::start(vec![vec![
        Step::send(PREAUTH),
        Step::expect("FETCH 1:10000"),
        Step::send(reply()),
        Step::expect("UID FETCH 101:10100"),
        Step::send(reply()),
        Step::expect("NOOP"),
        Step::send("{tag} OK done\r\n"),
        Step::Stall,
    ]])
    .await;
    let conn = server.connect(TlsMode::Plaintext).await.expect("connect");
    let attrs = [FetchAttr::Uid, FetchAttr::Flags];

    // Buffered.
    let set = SequenceSet::new("1:10000").expect("set");
    let buffered = conn.fetch(&set, &attrs, T).await.expect("buffered FETCH");
    assert_results(&buffered);

    // Streamed: every item in order, the unparsed one among them, then the completion.
    let (tx, mut rx) = tokio::sync::mpsc::channel::<daaki_imap::Result<FetchResponse>>(64);
    let stream = tokio::spawn({
        let conn = conn.clone();
        async move {
            let uids = SequenceSet::new("101:10100").expect("set");
            conn.uid_fetch_streaming(&uids, &[FetchAttr::Flags], tx, T)
                .await
        }
    });
    let mut streamed = Vec::new();
    while let Some(item) = rx.recv().await {
        streamed.push(item.expect("a streamed item, not an error"));
    }
    stream
        .await
        .expect("task")
        .expect("the streamed UID FETCH completes OK");
    assert_results(&streamed);

    // Still usable, and nothing else was queued as an event.
    conn.noop(T).await.expect("NOOP after both fetches");
    assert_eq!(conn.drain_events().await, Vec::new());
    drop(conn);
    assert_eq!(server.finish(T).await, Vec::<String>::new());
}

/// A connection counts the responses that needed a tolerated quirk: Exchange 2016's bare
/// string as a multipart's disposition (javaee/javamail #278, the bytes of that report).
#[tokio::test]
async fn the_quirks_a_server_needed_are_counted_per_connection() {
    let exchange = "* 1 FETCH (BODYSTRUCTURE ((\"text\" \"plain\" (\"charset\" \"us-ascii\") NIL NIL \"7bit\" 21 0 NIL (\"inline\" NIL) NIL NIL)(\"application\" \"octet-stream\" (\"name\" \"private.txt\") NIL NIL \"base64\" 690 NIL (\"attachment\" (\"filename\" \"private.txt\")) NIL NIL) \"mixed\" (\"boundary\" \"----=_Part_0_-1731707885.1504253815584\") \"S/MIME Encrypted Message\" NIL))\r\n";
    let server = FakeServer::start(vec![vec![
        Step::send(PREAUTH),
        Step::expect("FETCH 1"),
        Step::send(format!("{exchange}{{tag}} OK done\r\n")),
        Step::expect("FETCH 1"),
        Step::send(format!("{exchange}{{tag}} OK done\r\n")),
        Step::Stall,
    ]])
    .await;
    let conn = server.connect(TlsMode::Plaintext).await.expect("connect");
    assert!(conn.quirks().is_empty(), "none before any quirk");
    let one = SequenceSet::new("1").expect("set");
    for expected in [1, 2] {
        let got = conn
            .fetch(&one, &[FetchAttr::BodyStructure], T)
            .await
            .expect("FETCH");
        assert!(got[0].body_structure.is_some(), "typed despite the quirk");
        assert_eq!(
            conn.quirks().iter().collect::<Vec<_>>(),
            [(Quirk::BareStringDisposition, expected)]
        );
    }
    drop(conn);
    assert_eq!(server.finish(T).await, Vec::<String>::new());
}
