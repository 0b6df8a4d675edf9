//! Nothing lost silently: an untypeable response in the middle of a 10,000-message FETCH is
//! reported with that FETCH — in its place among 9,999 typed results, buffered and streamed —
//! an untypeable response answering any other command makes that call fail with the whole
//! reply ([`Error::Incomplete`]), and the connection stays usable.
//!
//! A scripted fake server (`daaki_imap_tests::fake`), because no real server sends an
//! untypeable response on demand. The broken FETCH response is `UID` without its number, the
//! shape of real servers' truncated or mangled items; the other 9,999 are what Dovecot sends
//! for `FETCH (UID FLAGS)`.

use daaki_imap::types::response::{FetchResponse, ServerData};
use daaki_imap::types::{FetchAttr, Quirk, SequenceSet};
use daaki_imap::{Error, TlsMode, TypedEvent};
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

/// A LIST with 1,000 mailboxes, one of them sent without its name; a STATUS whose item list
/// never closes: each call fails with `Error::Incomplete` carrying every typed response and
/// the untyped one, and the next commands work.
#[tokio::test]
async fn an_untypeable_response_to_another_command_fails_the_call_with_the_whole_reply() {
    const BROKEN_LIST: &str = "* LIST (\\HasNoChildren) \"/\"\r\n";
    const BROKEN_STATUS: &str = "* STATUS INBOX (MESSAGES 3 UNSEEN\r\n";
    let mut list = String::new();
    for n in 1..=1_000 {
        if n == 500 {
            list.push_str(BROKEN_LIST);
        } else {
            list.push_str(&format!("* LIST (\\HasNoChildren) \"/\" box{n}\r\n"));
        }
    }
    list.push_str("{tag} OK List completed\r\n");
    let server = FakeServer::start(vec![vec![
        Step::send(PREAUTH),
        Step::expect("LIST"),
        Step::send(list),
        Step::expect("STATUS INBOX"),
        Step::send(format!("{BROKEN_STATUS}{{tag}} OK Status completed\r\n")),
        Step::expect("LIST"),
        Step::send("* LIST () \"/\" INBOX\r\n{tag} OK List completed\r\n"),
        Step::Stall,
    ]])
    .await;
    let conn = server.connect(TlsMode::Plaintext).await.expect("connect");

    let Err(Error::Incomplete(reply)) = conn.list("", "*", T).await else {
        unreachable!("the LIST call reports its incomplete reply");
    };
    let names: Vec<String> = reply
        .data
        .iter()
        .filter_map(|d| match d {
            ServerData::List(info) => Some(info.name.as_str().to_owned()),
            _ => None,
        })
        .collect();
    let expected: Vec<String> = (1..=1_000)
        .filter(|n| *n != 500)
        .map(|n| format!("box{n}"))
        .collect();
    assert_eq!(names, expected, "999 typed entries in order");
    assert_eq!(reply.data.len(), 999);
    assert_eq!(reply.unparsed.len(), 1);
    assert_eq!(reply.unparsed[0].raw, BROKEN_LIST.as_bytes());
    assert_eq!(reply.text, "List completed");

    let error = conn
        .status("INBOX", &[daaki_imap::types::StatusAttr::Messages], T)
        .await
        .expect_err("the STATUS call reports its incomplete reply");
    assert_eq!(error.unparsed().len(), 1);
    assert_eq!(error.unparsed()[0].raw, BROKEN_STATUS.as_bytes());
    assert!(
        error
            .to_string()
            .contains("1 untyped and 0 typed responses"),
        "{error}"
    );

    // Still usable, and nothing was queued as an event instead.
    let inbox = conn.list("", "INBOX", T).await.expect("LIST after both");
    assert_eq!(inbox.len(), 1);
    assert_eq!(conn.drain_events().await, Vec::<TypedEvent>::new());
    drop(conn);
    assert_eq!(server.finish(T).await, Vec::<String>::new());
}
