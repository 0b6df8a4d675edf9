//! Partial FETCH (`uid_fetch_partial`, `uid_fetch_body_chunks`) against the real harness
//! Dovecot and Cyrus (every scenario on both, via `server_tests!`): a large APPENDed message
//! read back in chunks, byte for byte.

use std::num::NonZeroU32;

use daaki_imap::types::Section;
use daaki_imap::{Error, ImapConnection, TlsMode};
use daaki_imap_tests::client::{T, login};
use daaki_imap_tests::harness::TestServer;
use daaki_imap_tests::server_tests;
use tokio::sync::mpsc;

/// A message of at least `size` bytes, CRLF lines only, every line different (so a chunk
/// at a wrong offset cannot match by accident).
fn big_message(size: usize) -> Vec<u8> {
    let mut out = b"From: big@example.com\r\nTo: demo@example.com\r\nSubject: big one\r\n\
                    Message-ID: <big@partial.test>\r\n\r\n"
        .to_vec();
    let mut line = 0u64;
    while out.len() < size {
        line += 1;
        out.extend_from_slice(
            format!(
                "line {line:08} {:016x}\r\n",
                line.wrapping_mul(0x9e37_79b9_7f4a_7c15)
            )
            .as_bytes(),
        );
    }
    out
}

fn header_len(message: &[u8]) -> usize {
    message
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("header end")
        + 4
}

fn nz(n: u32) -> NonZeroU32 {
    NonZeroU32::new(n).expect("not zero")
}

/// Logs in as a fresh user, APPENDs `message` to INBOX, selects it and returns its UID.
async fn with_message(server: &'static dyn TestServer, message: &[u8]) -> (ImapConnection, u32) {
    let user = server.new_user(0);
    let conn = login(server, &user, TlsMode::Implicit).await;
    let appended = conn.append("INBOX", &[], message, T).await.expect("append");
    let uid = appended.uids.first().expect("UIDPLUS").start;
    conn.select("INBOX", T).await.expect("select");
    (conn, uid)
}

async fn read_chunks(
    conn: &ImapConnection,
    uid: u32,
    section: &Section,
    chunk: u32,
) -> (Option<u64>, Vec<Vec<u8>>) {
    let (tx, mut rx) = mpsc::channel(2);
    let consume = async {
        let mut pieces = Vec::new();
        while let Some(piece) = rx.recv().await {
            pieces.push(piece);
        }
        pieces
    };
    let (read, pieces) = tokio::join!(
        conn.uid_fetch_body_chunks(uid, section, nz(chunk), tx, T),
        consume
    );
    (read.expect("chunked fetch"), pieces)
}

async fn a_large_message_read_in_chunks_equals_what_was_appended(server: &'static dyn TestServer) {
    let message = big_message(3 * 1024 * 1024 + 1234);
    let (conn, uid) = with_message(server, &message).await;
    let chunk = 256 * 1024;
    let (read, pieces) = read_chunks(&conn, uid, &Section::full(), chunk).await;
    assert_eq!(read, Some(message.len() as u64));
    assert_eq!(pieces.len(), message.len().div_ceil(chunk as usize));
    let (last, full) = pieces.split_last().expect("pieces");
    assert!(full.iter().all(|p| p.len() == chunk as usize));
    assert_eq!(last.len(), message.len() % chunk as usize);
    assert!(pieces.concat() == message, "reassembled bytes differ");
    conn.logout().await.expect("logout");
}

async fn a_message_of_exactly_whole_chunks_ends_with_an_empty_read_and_no_empty_piece(
    server: &'static dyn TestServer,
) {
    let mut message = big_message(64 * 1024);
    message.truncate(64 * 1024 - 2);
    message.extend_from_slice(b"\r\n");
    let (conn, uid) = with_message(server, &message).await;
    let (read, pieces) = read_chunks(&conn, uid, &Section::full(), 16 * 1024).await;
    assert_eq!(read, Some(64 * 1024));
    assert_eq!(pieces.len(), 4);
    assert!(pieces.concat() == message);
}

async fn one_range_of_a_section_is_exactly_those_bytes(server: &'static dyn TestServer) {
    let message = big_message(200 * 1024);
    let (conn, uid) = with_message(server, &message).await;
    let body = &message[header_len(&message)..];
    let got = conn
        .uid_fetch_partial(uid, &Section::text(), 100_000, nz(5000), T)
        .await
        .expect("partial fetch")
        .expect("message exists");
    assert!(got == body[100_000..105_000], "TEXT<100000.5000> differs");
    let tail = conn
        .uid_fetch_partial(
            uid,
            &Section::full(),
            message.len() as u32 - 10,
            nz(5000),
            T,
        )
        .await
        .expect("partial fetch of the tail")
        .expect("message exists");
    assert_eq!(tail, message[message.len() - 10..]);
    let past = conn
        .uid_fetch_partial(uid, &Section::full(), message.len() as u32 + 1, nz(10), T)
        .await
        .expect("partial fetch past the end")
        .expect("message exists");
    assert!(past.is_empty(), "{} bytes past the end", past.len());
    // PEEK: reading did not set \Seen.
    let flags = conn
        .uid_fetch(
            &daaki_imap::types::SequenceSet::new(&uid.to_string()).expect("set"),
            &[daaki_imap::types::FetchAttr::Flags],
            T,
        )
        .await
        .expect("flags");
    let flags = flags[0].flags.clone().expect("FLAGS");
    assert!(!flags.contains(&daaki_imap::types::Flag::Seen), "{flags:?}");
}

async fn a_missing_uid_is_none_and_uid_zero_is_invalid_input(server: &'static dyn TestServer) {
    let (conn, uid) = with_message(server, &big_message(1000)).await;
    let missing = uid + 1000;
    assert_eq!(
        conn.uid_fetch_partial(missing, &Section::full(), 0, nz(10), T)
            .await
            .expect("fetch of a missing UID"),
        None
    );
    let (read, pieces) = read_chunks(&conn, missing, &Section::full(), 10).await;
    assert_eq!(read, None);
    assert!(pieces.is_empty());
    assert!(matches!(
        conn.uid_fetch_partial(0, &Section::full(), 0, nz(10), T)
            .await,
        Err(Error::InvalidInput(_))
    ));
}

async fn dropping_the_receiver_stops_the_reading_and_the_connection_stays_usable(
    server: &'static dyn TestServer,
) {
    let message = big_message(512 * 1024);
    let (conn, uid) = with_message(server, &message).await;
    let full = Section::full();
    let (tx, mut rx) = mpsc::channel(1);
    let consume = async {
        let first = rx.recv().await.expect("first piece");
        drop(rx);
        first
    };
    let (read, first) = tokio::join!(
        conn.uid_fetch_body_chunks(uid, &full, nz(8 * 1024), tx, T),
        consume
    );
    let read = read.expect("chunked fetch").expect("message exists");
    assert_eq!(first, message[..8 * 1024]);
    assert!(
        read < message.len() as u64,
        "stopped early: {read} of {} bytes",
        message.len()
    );
    conn.noop(T).await.expect("noop after stopping");
}

server_tests!(
    a_large_message_read_in_chunks_equals_what_was_appended,
    a_message_of_exactly_whole_chunks_ends_with_an_empty_read_and_no_empty_piece,
    one_range_of_a_section_is_exactly_those_bytes,
    a_missing_uid_is_none_and_uid_zero_is_invalid_input,
    dropping_the_receiver_stops_the_reading_and_the_connection_stays_usable,
);
