//! Per-message metadata items: OBJECTID (RFC 8474: MAILBOXID, EMAILID, THREADID), SAVEDATE
//! (RFC 8514) and PREVIEW (RFC 8970), against both harness servers.
//!
//! OBJECTID is real on Cyrus (`conversations: yes` gives EMAILID and THREADID); Dovecot 2.3
//! has none and answers its FETCH items with BAD, which the Dovecot half asserts. SAVEDATE
//! runs on both. PREVIEW on both, each with its documented answer (Dovecot previews every
//! message; Cyrus 3.6 sends `PREVIEW NIL` unless it has a preview stored). The scripted
//! server adds the junk MAILBOXID bytes Cyrus can send next to other STATUS items.

use std::time::{SystemTime, UNIX_EPOCH};

use daaki_imap::proto::parse_response;
use daaki_imap::proto::response::{Data, FetchItem, Response};
use daaki_imap::types::response::FetchResponse;
use daaki_imap::types::{
    FetchAttr, ImapDateTime, ObjectId, SearchKey, SequenceSet, ServerDateTime, StatusAttr,
};
use daaki_imap::{AppendMessage, Error, ImapConnection, TlsMode};
use daaki_imap_tests::client::{T, login};
use daaki_imap_tests::fake::{FakeServer, Step};
use daaki_imap_tests::harness::{ServerKind, TestServer, seed};
use daaki_imap_tests::proxy::Recorder;
use daaki_imap_tests::server_tests;

fn set(s: &str) -> SequenceSet {
    SequenceSet::new(s).expect("valid set")
}

fn now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .expect("clock after 1970")
        .as_secs() as i64
}

fn uid_of(msg: &FetchResponse) -> u32 {
    msg.uid.expect("UID FETCH responses carry the UID")
}

async fn fresh(server: &'static dyn TestServer) -> ImapConnection {
    login(server, &server.new_user(0), TlsMode::Plaintext).await
}

/// A reply to sample message 3 (same subject, `References` to it): one conversation.
fn reply_to_3() -> Vec<u8> {
    b"From: Replier <replier@example.org>\r\n\
      To: Test User <user@example.org>\r\n\
      Subject: Re: Test message 3\r\n\
      Date: Tue, 14 Nov 2023 22:20:00 +0000\r\n\
      Message-ID: <reply3@daaki.test>\r\n\
      In-Reply-To: <msg3@daaki.test>\r\n\
      References: <msg3@daaki.test>\r\n\
      \r\n\
      A reply.\r\n"
        .to_vec()
}

// ----- OBJECTID -----

/// OBJECTID. On Cyrus: the MAILBOXID is the same from SELECT and STATUS (asked alone, as
/// Cyrus answers it next to other items with junk) and differs between mailboxes; each
/// message has its own EMAILID, kept by COPY, and EMAILID search finds it; a reply shares its
/// parent's THREADID and THREADID search finds exactly the conversation. Ids are compared as
/// opaque bytes. On Dovecot (no OBJECTID): not advertised, and its FETCH items are refused
/// with BAD — the client sends them as asked and reports the refusal.
async fn object_ids_are_stable_and_searchable(server: &'static dyn TestServer) {
    let conn = fresh(server).await;
    let advertised = conn.capabilities().has("OBJECTID");
    if server.kind() == ServerKind::Dovecot {
        assert!(!advertised, "Dovecot 2.3 has no OBJECTID");
        conn.append_many("INBOX", vec![AppendMessage::new(seed::message(1))], T)
            .await
            .expect("append");
        conn.select("INBOX", T).await.expect("select");
        let refused = conn.uid_fetch(&set("1"), &[FetchAttr::EmailId], T).await;
        assert!(matches!(refused, Err(Error::Bad { .. })), "{refused:?}");
        conn.noop(T).await.expect("usable after BAD");
        return;
    }
    assert!(advertised, "Cyrus advertises OBJECTID");
    conn.create("Ids", T).await.expect("create");
    conn.create("IdsCopy", T).await.expect("create");
    let messages = [seed::message(3), reply_to_3(), seed::message(5)]
        .into_iter()
        .map(AppendMessage::new)
        .collect();
    conn.append_many("Ids", messages, T).await.expect("append");

    // MAILBOXID: STATUS before and after SELECT, and SELECT, agree; another mailbox differs.
    let status = conn
        .status("Ids", &[StatusAttr::MailboxId], T)
        .await
        .expect("status mailboxid");
    let selected = conn.select("Ids", T).await.expect("select");
    let id = selected.mailbox_id.clone().expect("SELECT gives MAILBOXID");
    assert!(!id.is_empty());
    assert_eq!(status.mailbox_id.as_ref(), Some(&id));
    let again = conn
        .status("Ids", &[StatusAttr::MailboxId], T)
        .await
        .expect("status mailboxid again");
    assert_eq!(again.mailbox_id.as_ref(), Some(&id), "stable");
    let other = conn
        .status("IdsCopy", &[StatusAttr::MailboxId], T)
        .await
        .expect("status");
    assert!(other.mailbox_id.is_some());
    assert_ne!(other.mailbox_id.as_ref(), Some(&id));

    // EMAILID and THREADID via FETCH.
    let fetched = conn
        .uid_fetch(&set("1:3"), &[FetchAttr::EmailId, FetchAttr::ThreadId], T)
        .await
        .expect("fetch ids");
    assert_eq!(fetched.len(), 3, "{fetched:?}");
    let email = |i: usize| fetched[i].email_id.clone().expect("EMAILID");
    let thread = |i: usize| fetched[i].thread_id.clone().expect("THREADID");
    assert_ne!(email(0), email(1));
    assert_ne!(email(1), email(2));
    assert_eq!(thread(0), thread(1), "a reply joins its parent's thread");
    assert_ne!(
        thread(0),
        thread(2),
        "an unrelated message has its own thread"
    );

    // SEARCH EMAILID finds the one message; SEARCH THREADID the conversation.
    let second = ObjectId::from_bytes(&email(1)).expect("a real server's EMAILID is an objectid");
    let found = conn
        .uid_search(&SearchKey::EmailId(second), T)
        .await
        .expect("search emailid");
    assert_eq!(found, vec![uid_of(&fetched[1])]);
    let conversation =
        ObjectId::from_bytes(&thread(0)).expect("a real server's THREADID is an objectid");
    let mut found = conn
        .uid_search(&SearchKey::ThreadId(conversation), T)
        .await
        .expect("search threadid");
    found.sort_unstable();
    assert_eq!(found, vec![uid_of(&fetched[0]), uid_of(&fetched[1])]);

    // COPY keeps EMAILID; the copy lives in a mailbox with another MAILBOXID.
    conn.uid_copy(&set("1"), "IdsCopy", T).await.expect("copy");
    let copy_box = conn.select("IdsCopy", T).await.expect("select copy");
    assert_eq!(copy_box.mailbox_id, other.mailbox_id);
    let copied = conn
        .uid_fetch(&set("1:*"), &[FetchAttr::EmailId], T)
        .await
        .expect("fetch copy");
    assert_eq!(
        copied[0].email_id.as_ref(),
        Some(&email(0)),
        "COPY keeps EMAILID"
    );
}

// ----- SAVEDATE -----

/// SAVEDATE is the time the message was saved (not its INTERNALDATE), and the SAVED* search
/// keys select by it.
async fn savedate_is_the_time_of_saving(server: &'static dyn TestServer) {
    let conn = fresh(server).await;
    assert!(conn.capabilities().has("SAVEDATE"));
    conn.create("Saved", T).await.expect("create");
    let mut m = AppendMessage::new(seed::message(1));
    let old = ImapDateTime::from_unix(978_307_200, 0).expect("2001-01-01");
    m.internal_date = Some(old);
    let before = now();
    conn.append_many("Saved", vec![m], T).await.expect("append");
    conn.select("Saved", T).await.expect("select");
    let fetched = conn
        .fetch(
            &set("1"),
            &[FetchAttr::SaveDate, FetchAttr::InternalDate],
            T,
        )
        .await
        .expect("fetch savedate");
    let msg = &fetched[0];
    assert_eq!(
        msg.internal_date
            .as_ref()
            .and_then(ServerDateTime::unix_timestamp),
        Some(978_307_200),
        "INTERNALDATE is what APPEND set"
    );
    let saved = msg
        .save_date
        .as_ref()
        .and_then(ServerDateTime::unix_timestamp)
        .expect("SAVEDATE of a saved message");
    assert!(
        (before - 5..=now() + 5).contains(&saved),
        "saved at {saved}, appended at {before}"
    );

    let yesterday = ImapDateTime::from_unix(now() - 86_400, 0)
        .expect("date")
        .date();
    let since = conn
        .search(&SearchKey::SavedSince(yesterday), T)
        .await
        .expect("search savedsince");
    assert_eq!(since, vec![1]);
    let before_yesterday = conn
        .search(&SearchKey::SavedBefore(yesterday), T)
        .await
        .expect("search savedbefore");
    assert!(before_yesterday.is_empty(), "{before_yesterday:?}");
    let supported = conn
        .search(&SearchKey::SaveDateSupported, T)
        .await
        .expect("search savedatesupported");
    assert_eq!(supported, vec![1]);
}

// ----- PREVIEW -----

/// PREVIEW of sample messages 1 (plain) and 10 (quoted-printable), full and LAZY: LAZY gives
/// the same text or NIL. Dovecot previews every message: the decoded start of the text, at
/// most 256 characters (RFC 8970). Cyrus 3.6 answers `PREVIEW NIL` (it previews only what
/// it has stored, which the harness does not configure).
///
/// The typed [`FetchResponse::preview`] is an `Option<String>`: `None` both for `PREVIEW NIL`
/// and for a response without PREVIEW, so it cannot prove the NIL. The connection runs
/// through a recording relay, and the Cyrus half parses the server's FETCH responses with
/// the crate's own parser ([`daaki_imap::proto::parse_response`]), whose items do tell them
/// apart: each must carry `PREVIEW` with the value NIL.
async fn preview_is_the_decoded_start_of_the_text(server: &'static dyn TestServer) {
    let recorder = Recorder::start(server.plain_port()).await;
    let user = server.new_user(0);
    let conn = ImapConnection::builder()
        .connect(server.host(), recorder.port(), TlsMode::Plaintext, T)
        .await
        .expect("connect through the relay");
    conn.login(&user.name, &user.password, T)
        .await
        .expect("login");
    assert!(conn.capabilities().has("PREVIEW"));
    conn.create("Previews", T).await.expect("create");
    let messages = [1, 10]
        .into_iter()
        .map(|i| AppendMessage::new(seed::message(i)))
        .collect();
    conn.append_many("Previews", messages, T)
        .await
        .expect("append");
    conn.examine("Previews", T).await.expect("examine");
    let fetched = conn
        .fetch(&set("1:2"), &[FetchAttr::Preview { lazy: false }], T)
        .await
        .expect("fetch preview");
    let lazy = conn
        .fetch(&set("1:2"), &[FetchAttr::Preview { lazy: true }], T)
        .await
        .expect("fetch preview (lazy)");
    assert_eq!((fetched.len(), lazy.len()), (2, 2));
    for (full, lazy) in fetched.iter().zip(&lazy) {
        if let Some(text) = &lazy.preview {
            assert_eq!(
                Some(text),
                full.preview.as_ref(),
                "LAZY gives the same text or NIL"
            );
        }
    }
    let previews: Vec<Option<String>> = fetched.into_iter().map(|m| m.preview).collect();
    match server.kind() {
        ServerKind::Dovecot => {
            let plain = previews[0]
                .as_deref()
                .expect("Dovecot previews every message");
            assert!(
                plain.starts_with("This is the body of message 1."),
                "{plain:?}"
            );
            let qp = previews[1].as_deref().expect("preview");
            assert!(
                qp.contains("Hello from message 10. Grüße!"),
                "the preview is decoded text: {qp:?}"
            );
            assert!(
                qp.chars().count() <= 256,
                "RFC 8970: at most 256 characters"
            );
        }
        ServerKind::Cyrus => {
            assert_eq!(previews, vec![None, None], "Cyrus 3.6: PREVIEW NIL");
            // On the wire: four FETCH responses (full and LAZY, messages 1 and 2), each with
            // a PREVIEW item whose value is NIL — not a response without PREVIEW.
            let wire = recorder.server_text();
            let mut nil_previews = Vec::new();
            for line in wire.split_inclusive("\r\n") {
                if !(line.starts_with("* ") && line.contains(" FETCH ")) {
                    continue;
                }
                let (response, _) = parse_response(line.as_bytes())
                    .unwrap_or_else(|e| panic!("{line:?} parses: {e:?}"));
                let Response::Data(Data::Fetch(fetch)) = response else {
                    panic!("{line:?} is FETCH data")
                };
                let previews: Vec<_> = fetch
                    .items
                    .iter()
                    .filter_map(|item| match item {
                        FetchItem::Preview(value) => Some(value.is_none()),
                        _ => None,
                    })
                    .collect();
                assert_eq!(previews, [true], "one PREVIEW, NIL, in {line:?}");
                nil_previews.push(fetch.seq);
            }
            assert_eq!(nil_previews, [1, 2, 1, 2], "server said:\n{wire}");
        }
    }
}

server_tests!(
    object_ids_are_stable_and_searchable,
    savedate_is_the_time_of_saving,
    preview_is_the_decoded_start_of_the_text,
);

// ----- scripted server: OBJECTID (Dovecot 2.3 has none; Cyrus covers it for real) -----

/// Scripted: object ids are opaque bytes, parsed whatever they hold — a Cyrus-style
/// MAILBOXID of junk bytes next to other STATUS items, `THREADID NIL`, `PREVIEW NIL` — and
/// an EMAILID search writes the id as sent.
#[tokio::test]
async fn object_ids_are_kept_as_opaque_bytes() {
    let server = FakeServer::start(vec![vec![
        Step::send("* PREAUTH [CAPABILITY IMAP4rev1 OBJECTID PREVIEW] fake\r\n"),
        Step::expect("SELECT INBOX"),
        Step::send(
            "* 2 EXISTS\r\n* OK [UIDVALIDITY 9] ok\r\n* OK [MAILBOXID (F2212ea87-6097-4256-9d51-71338625)] Ok\r\n{tag} OK [READ-WRITE] done\r\n",
        ),
        Step::expect("STATUS INBOX (MESSAGES MAILBOXID)"),
        Step::send(b"* STATUS INBOX (MESSAGES 2 MAILBOXID (\x01\xfe\xc3 j(u\"nk))\r\n{tag} OK done\r\n"),
        Step::expect("UID FETCH 1:2 (EMAILID THREADID PREVIEW)"),
        Step::send(
            "* 1 FETCH (UID 1 EMAILID (M6d99ac3275bb4e) THREADID (T64b478a75b7ea9) PREVIEW NIL)\r\n\
             * 2 FETCH (UID 2 EMAILID (Mcc8a5bd5c0a2ae) THREADID NIL PREVIEW \"Hi there\")\r\n\
             {tag} OK done\r\n",
        ),
        Step::expect("UID SEARCH EMAILID Mcc8a5bd5c0a2ae"),
        Step::send("* SEARCH 2\r\n{tag} OK done\r\n"),
    ]])
    .await;
    let conn = server.connect(TlsMode::Plaintext).await.expect("connect");
    let selected = conn.select("INBOX", T).await.expect("select");
    assert_eq!(
        selected.mailbox_id.as_deref(),
        Some(&b"F2212ea87-6097-4256-9d51-71338625"[..])
    );
    let status = conn
        .status("INBOX", &[StatusAttr::Messages, StatusAttr::MailboxId], T)
        .await
        .expect("status with junk mailboxid");
    assert_eq!(status.messages, Some(2));
    assert_eq!(
        status.mailbox_id.as_deref(),
        Some(&b"\x01\xfe\xc3 j(u\"nk"[..])
    );
    assert!(
        ObjectId::from_bytes(status.mailbox_id.as_deref().unwrap_or_default()).is_err(),
        "junk is kept, not mistaken for an objectid"
    );
    let fetched = conn
        .uid_fetch(
            &set("1:2"),
            &[
                FetchAttr::EmailId,
                FetchAttr::ThreadId,
                FetchAttr::Preview { lazy: false },
            ],
            T,
        )
        .await
        .expect("fetch");
    assert_eq!(
        fetched[0].email_id.as_deref(),
        Some(&b"M6d99ac3275bb4e"[..])
    );
    assert_eq!(
        fetched[0].thread_id.as_deref(),
        Some(&b"T64b478a75b7ea9"[..])
    );
    assert_eq!(fetched[0].preview, None, "PREVIEW NIL");
    assert_eq!(fetched[1].thread_id, None, "THREADID NIL");
    assert_eq!(fetched[1].preview.as_deref(), Some("Hi there"));
    let id = ObjectId::from_bytes(fetched[1].email_id.as_deref().unwrap_or_default())
        .expect("a valid objectid");
    let found = conn
        .uid_search(&SearchKey::EmailId(id), T)
        .await
        .expect("search");
    assert_eq!(found, vec![2]);
    assert_eq!(server.finish(T).await, Vec::<String>::new());
}
