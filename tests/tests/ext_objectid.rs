//! Per-message metadata items: OBJECTID (RFC 8474: MAILBOXID, EMAILID, THREADID), SAVEDATE
//! (RFC 8514) and PREVIEW (RFC 8970).
//!
//! SAVEDATE and PREVIEW run against the real harness Dovecot. Dovecot 2.3 has no OBJECTID, so
//! OBJECTID parsing is shown with the scripted server here (opaque ids, including the junk
//! bytes Cyrus 3.6 can send as a MAILBOXID); real-server OBJECTID coverage comes from the Cyrus
//! harness, which calls [`object_ids_are_stable_and_searchable`] (Cyrus advertises OBJECTID).
//! Each scenario takes a logged-in connection so it runs on every server that supports the
//! feature.

use std::time::{SystemTime, UNIX_EPOCH};

use daaki_imap::types::response::FetchResponse;
use daaki_imap::types::{
    FetchAttr, ImapDateTime, ObjectId, SearchKey, SequenceSet, ServerDateTime, StatusAttr,
};
use daaki_imap::{AppendMessage, ImapConnection, TlsMode};
use daaki_imap_tests::client::{T, login};
use daaki_imap_tests::fake::{FakeServer, Step};
use daaki_imap_tests::harness::{seed, shared_dovecot};

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

// ----- scenarios (server-independent) -----

/// OBJECTID: the mailbox id is the same from SELECT and STATUS (MAILBOXID alone, as Cyrus
/// answers other items with junk); each message has its own EMAILID, kept by COPY; EMAILID
/// search finds the message. Ids are compared as opaque bytes.
pub async fn object_ids_are_stable_and_searchable(conn: &ImapConnection) {
    conn.create("Ids", T).await.expect("create");
    conn.create("IdsCopy", T).await.expect("create");
    let messages = (1..=2)
        .map(|i| AppendMessage::new(seed::message(i)))
        .collect();
    conn.append_many("Ids", messages, T).await.expect("append");
    let status = conn
        .status("Ids", &[StatusAttr::MailboxId], T)
        .await
        .expect("status mailboxid");
    let selected = conn.select("Ids", T).await.expect("select");
    assert!(selected.mailbox_id.is_some(), "SELECT gives MAILBOXID");
    assert_eq!(status.mailbox_id, selected.mailbox_id);
    let other = conn
        .status("IdsCopy", &[StatusAttr::MailboxId], T)
        .await
        .expect("status");
    assert_ne!(other.mailbox_id, selected.mailbox_id);

    let fetched = conn
        .uid_fetch(&set("1:2"), &[FetchAttr::EmailId, FetchAttr::ThreadId], T)
        .await
        .expect("fetch ids");
    let first = fetched[0].email_id.clone().expect("EMAILID");
    let second = fetched[1].email_id.clone().expect("EMAILID");
    assert_ne!(first, second);
    let id = ObjectId::from_bytes(&second).expect("a real server's EMAILID is an objectid");
    let found = conn
        .uid_search(&SearchKey::EmailId(id), T)
        .await
        .expect("search");
    assert_eq!(found, vec![uid_of(&fetched[1])]);

    conn.uid_copy(&set("1"), "IdsCopy", T).await.expect("copy");
    conn.select("IdsCopy", T).await.expect("select copy");
    let copied = conn
        .uid_fetch(&set("1:*"), &[FetchAttr::EmailId], T)
        .await
        .expect("fetch copy");
    assert_eq!(
        copied[0].email_id.as_ref(),
        Some(&first),
        "COPY keeps EMAILID"
    );
}

/// SAVEDATE is the time the message was saved (not its INTERNALDATE), and the SAVED* search
/// keys select by it.
pub async fn savedate_is_the_time_of_saving(conn: &ImapConnection) {
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

/// PREVIEW of each message (RFC 8970); `None` is allowed (Cyrus sends `PREVIEW NIL` for plain
/// messages). Returns the previews of sample messages 1 (plain) and 10 (quoted-printable).
pub async fn previews(conn: &ImapConnection) -> Vec<Option<String>> {
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
    for (full, lazy) in fetched.iter().zip(&lazy) {
        if let Some(text) = &lazy.preview {
            assert_eq!(
                Some(text),
                full.preview.as_ref(),
                "LAZY gives the same text or NIL"
            );
        }
    }
    fetched.into_iter().map(|m| m.preview).collect()
}

// ----- Dovecot -----

#[tokio::test]
async fn savedate_and_saved_search_keys_follow_the_append_time() {
    let dovecot = shared_dovecot();
    let conn = login(dovecot, &dovecot.new_user(0), TlsMode::Plaintext).await;
    assert!(conn.capabilities().has("SAVEDATE"));
    savedate_is_the_time_of_saving(&conn).await;
}

#[tokio::test]
async fn preview_is_the_decoded_start_of_the_text() {
    let dovecot = shared_dovecot();
    let conn = login(dovecot, &dovecot.new_user(0), TlsMode::Plaintext).await;
    assert!(conn.capabilities().has("PREVIEW"));
    let previews = previews(&conn).await;
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
