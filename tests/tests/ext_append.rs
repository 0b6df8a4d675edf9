//! The APPEND family against the real harness Dovecot and Cyrus: APPEND with UIDPLUS's APPENDUID,
//! MULTIAPPEND, COPYUID for COPY and MOVE, UID EXPUNGE, `literal8` for binary content, and
//! how literals travel (LITERAL+ non-synchronising, synchronising without it), seen on the
//! wire through the recording relay.
//!
//! Each scenario runs on both servers (`server_tests!`: `<scenario>::dovecot`,
//! `<scenario>::cyrus`). APPENDLIMIT differs: Dovecot 2.3 has none and is never asked;
//! Cyrus advertises `APPENDLIMIT=4294967295` and answers `STATUS (APPENDLIMIT)` with BAD, so
//! the client takes the limit from the capability and sends no STATUS (checked on the wire).
//! What neither server does — a limit small enough to refuse, LITERAL- (both advertise
//! LITERAL+), `[UIDNOTSTICKY]` — is tested with the scripted server, and those tests say so.

use daaki_imap::types::{FetchAttr, Flag, SearchKey, SequenceSet, StatusAttr};
use daaki_imap::{AppendMessage, Error, ImapConnection, StoreKind, TlsMode};
use daaki_imap_tests::client::{T, login, login_via};
use daaki_imap_tests::fake::{FakeServer, Step};
use daaki_imap_tests::harness::{ServerKind, TestServer, seed};
use daaki_imap_tests::proxy::Recorder;
use daaki_imap_tests::server_tests;

fn set(s: &str) -> SequenceSet {
    SequenceSet::new(s).expect("valid set")
}

/// A small message with a unique Message-ID.
fn message(id: &str) -> Vec<u8> {
    format!(
        "From: a@example.org\r\nTo: b@example.org\r\nSubject: {id}\r\nMessage-ID: <{id}@daaki.test>\r\n\r\nBody of {id}.\r\n"
    )
    .into_bytes()
}

fn uids(ranges: &[daaki_imap::types::response::SeqRange]) -> Vec<u32> {
    ranges.iter().flat_map(|r| r.iter()).collect()
}

// ----- scenarios (server-independent) -----

/// APPENDUID's UID is the one UID SEARCH finds for the message, and its UIDVALIDITY the
/// mailbox's.
pub async fn appenduid_matches_uid_search(conn: &ImapConnection) {
    conn.create("Appended", T).await.expect("create");
    conn.append("Appended", &[], &message("first"), T)
        .await
        .expect("first append");
    let result = conn
        .append("Appended", &[Flag::Flagged], &message("second"), T)
        .await
        .expect("append");
    let validity = conn
        .status("Appended", &[StatusAttr::UidValidity], T)
        .await
        .expect("status")
        .uid_validity;
    assert!(result.uid_validity.is_some(), "UIDPLUS gives APPENDUID");
    assert_eq!(result.uid_validity, validity);
    conn.select("Appended", T).await.expect("select");
    let found = conn
        .uid_search(
            &SearchKey::header("Message-ID", "second@daaki.test").expect("key"),
            T,
        )
        .await
        .expect("uid search");
    assert_eq!(uids(&result.uids), found);
    let fetched = conn
        .uid_fetch(&set(&found[0].to_string()), &[FetchAttr::Flags], T)
        .await
        .expect("fetch");
    assert!(
        fetched[0]
            .flags
            .as_ref()
            .is_some_and(|f| f.contains(&Flag::Flagged)),
        "the flags given to APPEND are set: {fetched:?}"
    );
}

/// MULTIAPPEND adds every message in one command, with its own flags, and reports one UID
/// per message in order; into a missing mailbox it adds none.
pub async fn multiappend_adds_all_messages_in_order(conn: &ImapConnection) {
    conn.create("Multi", T).await.expect("create");
    let mut messages = Vec::new();
    for i in 1..=3 {
        let mut m = AppendMessage::new(seed::message(i));
        if i == 2 {
            m.flags = vec![Flag::Seen];
        }
        messages.push(m);
    }
    let result = conn
        .append_many("Multi", messages, T)
        .await
        .expect("multiappend");
    let new = uids(&result.uids);
    assert_eq!(new.len(), 3, "{result:?}");
    conn.select("Multi", T).await.expect("select");
    let all = conn.uid_search(&SearchKey::All, T).await.expect("search");
    assert_eq!(all, new);
    let seen = conn
        .uid_search(&SearchKey::Seen, T)
        .await
        .expect("search seen");
    assert_eq!(seen, vec![new[1]], "only the second message got \\Seen");
    let bodies = conn
        .uid_fetch(
            &set("1:*"),
            &[FetchAttr::body_peek(daaki_imap::types::Section::full())],
            T,
        )
        .await
        .expect("fetch");
    for (i, msg) in bodies.iter().enumerate() {
        assert_eq!(msg.body(), Some(&seed::message(i as u32 + 1)[..]));
    }

    let missing = conn
        .append_many(
            "Missing",
            vec![
                AppendMessage::new(message("x")),
                AppendMessage::new(message("y")),
            ],
            T,
        )
        .await;
    assert!(
        matches!(&missing, Err(Error::No { .. })),
        "a missing mailbox refuses the whole MULTIAPPEND: {missing:?}"
    );
    assert!(matches!(
        conn.append_many("Multi", Vec::new(), T).await,
        Err(Error::InvalidInput(_))
    ));
}

/// COPY and MOVE report COPYUID; the destination UIDs hold the same messages.
pub async fn copyuid_maps_source_to_destination(conn: &ImapConnection) {
    conn.create("Source", T).await.expect("create");
    conn.create("Target", T).await.expect("create");
    let messages = (1..=4)
        .map(|i| AppendMessage::new(message(&format!("m{i}"))))
        .collect();
    conn.append_many("Source", messages, T)
        .await
        .expect("append");
    conn.select("Source", T).await.expect("select");
    let copied = conn.uid_copy(&set("1:2"), "Target", T).await.expect("copy");
    let moved = conn.uid_move(&set("3"), "Target", T).await.expect("move");
    assert_eq!(uids(&copied.source_uids), vec![1, 2]);
    assert_eq!(uids(&moved.copy.source_uids), vec![3]);
    assert!(
        !moved.expunged.is_empty() || !moved.vanished.is_empty(),
        "MOVE reports the source's expunge: {moved:?}"
    );
    let validity = conn
        .status("Target", &[StatusAttr::UidValidity], T)
        .await
        .expect("status")
        .uid_validity;
    assert_eq!(copied.uid_validity, validity);
    assert_eq!(moved.copy.uid_validity, validity);

    conn.select("Target", T).await.expect("select target");
    let mut expected = uids(&copied.destination_uids);
    expected.extend(uids(&moved.copy.destination_uids));
    for (uid, id) in expected.iter().zip(["m1", "m2", "m3"]) {
        let found = conn
            .uid_search(
                &SearchKey::header("Message-ID", &format!("{id}@daaki.test")).expect("key"),
                T,
            )
            .await
            .expect("search");
        assert_eq!(found, vec![*uid], "{id} is at its COPYUID destination UID");
    }
}

/// UID EXPUNGE removes only the `\Deleted` messages among the UIDs given.
pub async fn uid_expunge_removes_only_the_given_uids(conn: &ImapConnection) {
    conn.create("Expunging", T).await.expect("create");
    let messages = (1..=4)
        .map(|i| AppendMessage::new(message(&format!("e{i}"))))
        .collect();
    conn.append_many("Expunging", messages, T)
        .await
        .expect("append");
    conn.select("Expunging", T).await.expect("select");
    conn.uid_store(&set("1:3"), StoreKind::Add, &[Flag::Deleted], T)
        .await
        .expect("store");
    let result = conn.uid_expunge(&set("2"), T).await.expect("uid expunge");
    assert_eq!(result.expunged.len() + uids(&result.vanished).len(), 1);
    let left = conn.uid_search(&SearchKey::All, T).await.expect("search");
    assert_eq!(left, vec![1, 3, 4], "1 and 3 stay although \\Deleted");
}

/// A message holding NUL bytes goes out as `literal8` (BINARY) and its body comes back
/// intact from `BINARY[1]`. (Servers may store it re-encoded: Cyrus turns a binary body into
/// base64 — RFC 3516 allows that — so the decoded part is compared, not the raw message.)
pub async fn binary_content_is_appended_as_literal8(conn: &ImapConnection) {
    conn.create("Binary", T).await.expect("create");
    let body: &[u8] = &[0, 1, 2, 0, 255, 0, b'\r', b'\n'];
    let data = [
        &b"Subject: binary\r\nContent-Type: application/octet-stream\r\nContent-Transfer-Encoding: binary\r\n\r\n"[..],
        body,
    ]
    .concat();
    let result = conn
        .append("Binary", &[], &data, T)
        .await
        .expect("append with NUL bytes");
    conn.select("Binary", T).await.expect("select");
    let uid = uids(&result.uids)[0];
    let one = std::num::NonZeroU32::MIN;
    let fetched = conn
        .uid_fetch(
            &set(&uid.to_string()),
            &[FetchAttr::binary_peek(vec![one])],
            T,
        )
        .await
        .expect("fetch");
    assert_eq!(
        fetched[0].binary_sections[0].data.as_deref(),
        Some(body),
        "BINARY[1] returns the body appended"
    );
}

// ----- both servers -----

async fn fresh(server: &'static dyn TestServer) -> ImapConnection {
    login(server, &server.new_user(0), TlsMode::Plaintext).await
}

async fn appenduid_equals_the_uid_that_uid_search_finds(server: &'static dyn TestServer) {
    let conn = fresh(server).await;
    appenduid_matches_uid_search(&conn).await;
}

async fn multiappend_adds_every_message_with_its_flags_or_none(server: &'static dyn TestServer) {
    let conn = fresh(server).await;
    multiappend_adds_all_messages_in_order(&conn).await;
}

async fn copy_and_move_copyuid_point_at_the_copied_messages(server: &'static dyn TestServer) {
    let conn = fresh(server).await;
    copyuid_maps_source_to_destination(&conn).await;
}

async fn uid_expunge_leaves_other_deleted_messages(server: &'static dyn TestServer) {
    let conn = fresh(server).await;
    uid_expunge_removes_only_the_given_uids(&conn).await;
}

async fn nul_bytes_travel_as_literal8_and_round_trip(server: &'static dyn TestServer) {
    let user = server.new_user(0);
    let relay = Recorder::start(server.plain_port()).await;
    let conn = login_via(ImapConnection::builder(), server, &relay, &user).await;
    binary_content_is_appended_as_literal8(&conn).await;
    assert!(
        relay.client_text().contains(" ~{"),
        "the APPEND used literal8: {}",
        relay.client_text()
    );
}

async fn nul_bytes_without_binary_are_refused_before_sending(server: &'static dyn TestServer) {
    let user = server.new_user(0);
    let relay = Recorder::start(server.plain_port()).await;
    let builder = ImapConnection::builder().ignore_capability("BINARY");
    let conn = login_via(builder, server, &relay, &user).await;
    let result = conn
        .append("INBOX", &[], b"Subject: x\r\n\r\n\0\r\n", T)
        .await;
    assert!(matches!(result, Err(Error::InvalidInput(_))), "{result:?}");
    conn.noop(T).await.expect("the connection is still usable");
    assert!(
        !relay.client_text().to_ascii_uppercase().contains("APPEND"),
        "nothing of the APPEND was sent"
    );
}

async fn literal_plus_sends_the_message_without_waiting_for_a_continuation(
    server: &'static dyn TestServer,
) {
    let user = server.new_user(0);
    let relay = Recorder::start(server.plain_port()).await;
    let conn = login_via(ImapConnection::builder(), server, &relay, &user).await;
    assert!(conn.capabilities().has("LITERAL+"));
    let data = seed::message(13);
    let big = [data.clone(), vec![b'x'; 10_000], b"\r\n".to_vec()].concat();
    conn.append("INBOX", &[], &data, T).await.expect("append");
    conn.append("INBOX", &[], &big, T)
        .await
        .expect("append big");
    let text = relay.client_text();
    // With LITERAL+ the header is `{n+}` and the data follows at once: the server sends
    // no `+` for it, so the appends completing shows there was no continuation round trip.
    assert!(text.contains(&format!("{{{}+}}\r\n", data.len())), "{text}");
    assert!(text.contains(&format!("{{{}+}}\r\n", big.len())), "{text}");
    assert!(!text.contains(&format!("{{{}}}\r\n", data.len())), "{text}");
    conn.select("INBOX", T).await.expect("select");
    let sizes = conn
        .fetch(&set("1:2"), &[FetchAttr::Rfc822Size], T)
        .await
        .expect("fetch");
    let sizes: Vec<_> = sizes.iter().map(|m| m.rfc822_size).collect();
    assert_eq!(sizes, vec![Some(data.len() as u64), Some(big.len() as u64)]);
}

async fn without_literal_plus_literals_are_synchronising(server: &'static dyn TestServer) {
    let user = server.new_user(0);
    let relay = Recorder::start(server.plain_port()).await;
    let builder = ImapConnection::builder().ignore_capability("LITERAL+");
    let conn = login_via(builder, server, &relay, &user).await;
    assert!(!conn.capabilities().has("LITERAL+"));
    let data = seed::message(10);
    let result = conn.append("INBOX", &[], &data, T).await.expect("append");
    let text = relay.client_text();
    assert!(text.contains(&format!("{{{}}}\r\n", data.len())), "{text}");
    assert!(!text.contains("+}"), "no non-synchronising literal: {text}");
    conn.select("INBOX", T).await.expect("select");
    let body = conn
        .uid_fetch(
            &set(&uids(&result.uids)[0].to_string()),
            &[FetchAttr::body_peek(daaki_imap::types::Section::full())],
            T,
        )
        .await
        .expect("fetch");
    assert_eq!(body[0].body(), Some(&data[..]));
}

/// APPENDLIMIT as each server has it. Dovecot 2.3: none, so `append_limit` is `None` and
/// nothing about it is sent. Cyrus: `APPENDLIMIT=4294967295` in the capabilities is the
/// answer, and `STATUS (APPENDLIMIT)` — which Cyrus answers with BAD, shown here directly —
/// never goes on the wire. A message within the limit is appended on both.
async fn append_limit_comes_from_the_capability_and_status_is_never_sent(
    server: &'static dyn TestServer,
) {
    let user = server.new_user(0);
    let relay = Recorder::start(server.plain_port()).await;
    let conn = login_via(ImapConnection::builder(), server, &relay, &user).await;
    let expected = match server.kind() {
        ServerKind::Dovecot => {
            assert!(!conn.capabilities().has("APPENDLIMIT"));
            None
        }
        ServerKind::Cyrus => Some(4_294_967_295),
    };
    assert_eq!(conn.capabilities().append_limit(), expected);
    assert_eq!(
        conn.append_limit("INBOX", T).await.expect("limit"),
        expected
    );
    conn.append("INBOX", &[], &seed::message(1), T)
        .await
        .expect("a message within the limit is appended");
    assert!(
        !relay
            .client_text()
            .to_ascii_uppercase()
            .contains("APPENDLIMIT"),
        "no STATUS (APPENDLIMIT) was sent: {}",
        relay.client_text()
    );
    if server.kind() == ServerKind::Cyrus {
        // Why the client must not ask: Cyrus 3.6 refuses the STATUS item it advertises.
        let asked = conn.status("INBOX", &[StatusAttr::AppendLimit], T).await;
        assert!(matches!(asked, Err(Error::Bad { .. })), "{asked:?}");
        conn.noop(T).await.expect("usable after BAD");
    }
}

server_tests!(
    appenduid_equals_the_uid_that_uid_search_finds,
    multiappend_adds_every_message_with_its_flags_or_none,
    copy_and_move_copyuid_point_at_the_copied_messages,
    uid_expunge_leaves_other_deleted_messages,
    nul_bytes_travel_as_literal8_and_round_trip,
    nul_bytes_without_binary_are_refused_before_sending,
    literal_plus_sends_the_message_without_waiting_for_a_continuation,
    without_literal_plus_literals_are_synchronising,
    append_limit_comes_from_the_capability_and_status_is_never_sent,
);

// ----- scripted server: what neither harness server does -----

/// Scripted: Dovecot 2.3 has no APPENDLIMIT and Cyrus's (4 GiB) cannot be exceeded here. A
/// message over `APPENDLIMIT=n` fails with
/// `AppendLimit` and no byte of the APPEND is sent; one at the limit goes out.
#[tokio::test]
async fn append_over_the_advertised_limit_fails_before_sending() {
    let server = FakeServer::start(vec![vec![
        Step::send("* PREAUTH [CAPABILITY IMAP4rev1 LITERAL+ APPENDLIMIT=64] fake\r\n"),
        Step::expect("APPEND INBOX {64+}"),
        Step::expect(""),
        Step::expect(""),
        Step::send("{tag1} OK [APPENDUID 9 5] done\r\n"),
    ]])
    .await;
    let conn = server.connect(TlsMode::Plaintext).await.expect("connect");
    assert_eq!(
        conn.append_limit("INBOX", T).await.expect("limit"),
        Some(64)
    );
    let too_big = vec![b'a'; 65];
    let result = conn.append("INBOX", &[], &too_big, T).await;
    assert!(
        matches!(
            result,
            Err(Error::AppendLimit {
                size: 65,
                limit: 64
            })
        ),
        "{result:?}"
    );
    assert_eq!(server.client_text(), "", "nothing was sent");
    let fits = [vec![b'a'; 62], b"\r\n".to_vec()].concat();
    let ok = conn.append("INBOX", &[], &fits, T).await.expect("append");
    assert_eq!(ok.uid_validity, Some(9));
    assert_eq!(uids(&ok.uids), vec![5]);
    assert_eq!(server.finish(T).await, Vec::<String>::new());
}

/// Scripted: neither server advertises a bare `APPENDLIMIT` (Cyrus sends `=n` and refuses
/// `STATUS (APPENDLIMIT)`). A bare `APPENDLIMIT` means limits per mailbox:
/// the client asks `STATUS (APPENDLIMIT)` and refuses a message over the answer.
#[tokio::test]
async fn bare_appendlimit_is_asked_per_mailbox_with_status() {
    let server = FakeServer::start(vec![vec![
        Step::send("* PREAUTH [CAPABILITY IMAP4rev1 APPENDLIMIT] fake\r\n"),
        Step::expect("STATUS Small (APPENDLIMIT)"),
        Step::send("* STATUS Small (APPENDLIMIT 10)\r\n{tag} OK done\r\n"),
        Step::expect("STATUS Big (APPENDLIMIT)"),
        Step::send("* STATUS Big (APPENDLIMIT NIL)\r\n{tag} OK done\r\n"),
        Step::expect("APPEND Big {13}"),
        Step::send("+ go\r\n"),
        Step::expect(""),
        Step::expect(""),
        Step::send("{tag3} OK done\r\n"),
    ]])
    .await;
    let conn = server.connect(TlsMode::Plaintext).await.expect("connect");
    let result = conn.append("Small", &[], b"0123456789a\r\n", T).await;
    assert!(
        matches!(
            result,
            Err(Error::AppendLimit {
                size: 13,
                limit: 10
            })
        ),
        "{result:?}"
    );
    let ok = conn.append("Big", &[], b"0123456789a\r\n", T).await;
    assert!(ok.is_ok(), "NIL is no limit: {ok:?}");
    assert!(!server.client_text().contains("APPEND Small"));
    assert_eq!(server.finish(T).await, Vec::<String>::new());
}

/// Scripted: Dovecot 2.3 and Cyrus 3.6 advertise LITERAL+, never LITERAL-. With LITERAL- a literal of at
/// most 4096 bytes is non-synchronising; a larger one waits for the server's `+`.
#[tokio::test]
async fn literal_minus_is_non_synchronising_only_up_to_4096_bytes() {
    let small = b"Subject: small\r\n\r\nhello\r\n".to_vec();
    let big = [
        b"X-Pad: ".to_vec(),
        vec![b'p'; 5000],
        b"\r\n\r\nbig\r\n".to_vec(),
    ]
    .concat();
    let server = FakeServer::start(vec![vec![
        Step::send("* PREAUTH [CAPABILITY IMAP4rev1 LITERAL-] fake\r\n"),
        Step::expect(&format!("APPEND INBOX {{{}+}}", small.len())),
        // The data's lines (Subject, blank, hello) and the command's final CRLF.
        Step::expect(""),
        Step::expect(""),
        Step::expect(""),
        Step::expect(""),
        Step::send("{tag1} OK done\r\n"),
        Step::expect(&format!("APPEND INBOX {{{}}}", big.len())),
        Step::Sleep(std::time::Duration::from_millis(600)),
        Step::send("+ go\r\n"),
        // X-Pad, blank, big, final CRLF.
        Step::expect(""),
        Step::expect(""),
        Step::expect(""),
        Step::expect(""),
        Step::send("{tag6} OK done\r\n"),
    ]])
    .await;
    let conn = server.connect(TlsMode::Plaintext).await.expect("connect");
    conn.append("INBOX", &[], &small, T)
        .await
        .expect("small append");
    let pending = {
        let conn = conn.clone();
        let big = big.clone();
        tokio::spawn(async move { conn.append("INBOX", &[], &big, T).await })
    };
    // Once the command line is out, the server holds its `+` back for 600 ms: 200 ms of that
    // (the point of the test, not synchronisation) in which no literal data may follow.
    let line = format!("{{{}}}\r\n", big.len());
    tokio::time::timeout(T, async {
        while !server.client_text().contains(&line) {
            tokio::time::sleep(std::time::Duration::from_millis(5)).await;
        }
    })
    .await
    .expect("the APPEND line with a synchronising literal was sent");
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    let sent = server.client_text();
    assert!(
        !sent.contains("X-Pad"),
        "the large literal's data waits for the server's continuation: {sent}"
    );
    pending
        .await
        .expect("task")
        .expect("large append completes after the continuation");
    assert_eq!(server.finish(T).await, Vec::<String>::new());
}

/// Scripted: neither harness server sends `[UIDNOTSTICKY]`; a server whose mailbox cannot keep UIDs
/// does, and SELECT reports it.
#[tokio::test]
async fn select_reports_uidnotsticky() {
    let server = FakeServer::start(vec![vec![
        Step::send("* PREAUTH [CAPABILITY IMAP4rev1 UIDPLUS] fake\r\n"),
        Step::expect("SELECT INBOX"),
        Step::send(
            "* 3 EXISTS\r\n* OK [UIDVALIDITY 7] ok\r\n* NO [UIDNOTSTICKY] Non-persistent UIDs\r\n{tag} OK [READ-WRITE] done\r\n",
        ),
        Step::expect("SELECT INBOX"),
        Step::send("* 3 EXISTS\r\n* OK [UIDVALIDITY 7] ok\r\n{tag} OK [READ-WRITE] done\r\n"),
    ]])
    .await;
    let conn = server.connect(TlsMode::Plaintext).await.expect("connect");
    let selected = conn.select("INBOX", T).await.expect("select");
    assert!(selected.uid_not_sticky);
    assert_eq!(selected.exists, 3);
    let again = conn.select("INBOX", T).await.expect("select");
    assert!(!again.uid_not_sticky);
    assert_eq!(server.finish(T).await, Vec::<String>::new());
}
