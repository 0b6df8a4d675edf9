//! BINARY (RFC 3516) against the real harness Dovecot and Cyrus (each scenario on both,
//! via `server_tests!`): `BINARY[part]`, `BINARY.PEEK`, `BINARY.SIZE` and partial fetches, which servers answer as `BINARY[n]<origin>` (not RFC
//! 9051 syntax, but what both Dovecot and Cyrus send). `literal8` APPEND is in
//! `ext_append.rs`.
//!
//! The expected bytes are computed here, independently of the client: the sample corpus
//! ([`seed::message`]) puts a base64 attachment (bytes 0 to 31) in every 13th message and a
//! quoted-printable UTF-8 text in every 10th; this file decodes both itself.

use std::num::NonZeroU32;

use daaki_imap::types::{FetchAttr, Flag, SequenceSet};
use daaki_imap::{AppendMessage, ImapConnection, TlsMode};
use daaki_imap_tests::client::{T, login};
use daaki_imap_tests::harness::{TestServer, seed};
use daaki_imap_tests::server_tests;

fn set(s: &str) -> SequenceSet {
    SequenceSet::new(s).expect("valid set")
}

fn part(path: &[u32]) -> Vec<NonZeroU32> {
    path.iter()
        .map(|&n| NonZeroU32::new(n).expect("part numbers start at 1"))
        .collect()
}

/// The body of the MIME part that follows `header_line` in `message`, up to the next
/// boundary line (`--…`), without the CRLF before the boundary.
fn raw_part_after(message: &[u8], header_line: &str) -> String {
    let text = String::from_utf8(message.to_vec()).expect("the corpus is UTF-8");
    let start = text.find(header_line).expect("header present");
    let body_start = start + text[start..].find("\r\n\r\n").expect("part body") + 4;
    let body_end = body_start + text[body_start..].find("\r\n--").expect("boundary");
    text[body_start..body_end].to_owned()
}

/// Standard base64 (RFC 4648), ignoring line breaks; written here so the expected bytes do not
/// come from the code under test.
fn base64_decode(text: &str) -> Vec<u8> {
    let value = |c: u8| -> u32 {
        match c {
            b'A'..=b'Z' => u32::from(c - b'A'),
            b'a'..=b'z' => u32::from(c - b'a') + 26,
            b'0'..=b'9' => u32::from(c - b'0') + 52,
            b'+' => 62,
            b'/' => 63,
            _ => panic!("not base64: {c}"),
        }
    };
    let clean: Vec<u8> = text.bytes().filter(|b| !b.is_ascii_whitespace()).collect();
    let mut out = Vec::new();
    for chunk in clean.chunks(4) {
        let pad = chunk.iter().filter(|&&b| b == b'=').count();
        let mut n = 0u32;
        for &c in chunk {
            n = (n << 6) | if c == b'=' { 0 } else { value(c) };
        }
        let bytes = n.to_be_bytes();
        out.extend_from_slice(&bytes[1..4 - pad]);
    }
    out
}

/// Quoted-printable (RFC 2045 §6.7) with soft line breaks; written here for the same reason.
fn qp_decode(text: &str) -> Vec<u8> {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'=' {
            if bytes.get(i + 1..i + 3) == Some(b"\r\n") {
                i += 3;
                continue;
            }
            let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).expect("hex");
            out.push(u8::from_str_radix(hex, 16).expect("hex digits"));
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    out
}

/// Creates `mailbox` with sample messages `ids` (in that order, UIDs from 1).
async fn fill(conn: &ImapConnection, mailbox: &str, ids: &[u32]) {
    conn.create(mailbox, T).await.expect("create");
    let messages = ids
        .iter()
        .map(|&i| AppendMessage::new(seed::message(i)))
        .collect();
    conn.append_many(mailbox, messages, T)
        .await
        .expect("append");
}

fn seen(conn_result: &[daaki_imap::types::response::FetchResponse]) -> bool {
    conn_result[0]
        .flags
        .as_ref()
        .is_some_and(|f| f.contains(&Flag::Seen))
}

// ----- scenarios (server-independent) -----

/// BINARY.PEEK[2] of a base64 attachment is the decoded bytes, without setting `\Seen`;
/// BINARY[2] sets it; BINARY.SIZE[2] is the decoded length.
async fn binary_part_is_the_decoded_attachment(conn: &ImapConnection) {
    fill(conn, "Attachments", &[13]).await;
    let source = seed::message(13);
    let expected = base64_decode(&raw_part_after(
        &source,
        "Content-Transfer-Encoding: base64",
    ));
    assert_eq!(expected.len(), 32, "the corpus attachment is 32 bytes");
    conn.select("Attachments", T).await.expect("select");

    let peeked = conn
        .fetch(
            &set("1"),
            &[
                FetchAttr::binary_peek(part(&[2])),
                FetchAttr::BinarySize { part: part(&[2]) },
                FetchAttr::Flags,
            ],
            T,
        )
        .await
        .expect("fetch binary.peek");
    let msg = &peeked[0];
    assert_eq!(msg.binary_sections.len(), 1, "{msg:?}");
    assert_eq!(msg.binary_sections[0].section, "2");
    assert_eq!(msg.binary_sections[0].data.as_deref(), Some(&expected[..]));
    assert_eq!(msg.binary_sizes[0].size, expected.len() as u64);
    assert!(!seen(&peeked), "PEEK leaves \\Seen alone");

    let fetched = conn
        .fetch(
            &set("1"),
            &[FetchAttr::Binary {
                part: part(&[2]),
                partial: None,
                peek: false,
            }],
            T,
        )
        .await
        .expect("fetch binary");
    assert!(
        fetched.iter().any(
            |m| m.binary_sections.first().and_then(|s| s.data.as_deref()) == Some(&expected[..])
        )
    );
    let flags = conn
        .fetch(&set("1"), &[FetchAttr::Flags], T)
        .await
        .expect("flags");
    assert!(seen(&flags), "BINARY without PEEK sets \\Seen");
}

/// A partial BINARY fetch comes back as `BINARY[2]<origin>` with the slice of the decoded
/// bytes.
async fn partial_binary_fetch_returns_the_slice_and_origin(conn: &ImapConnection) {
    fill(conn, "Partial", &[13]).await;
    let expected = base64_decode(&raw_part_after(
        &seed::message(13),
        "Content-Transfer-Encoding: base64",
    ));
    conn.examine("Partial", T).await.expect("examine");
    let fetched = conn
        .fetch(
            &set("1"),
            &[FetchAttr::Binary {
                part: part(&[2]),
                partial: Some((4, NonZeroU32::new(8).expect("non-zero"))),
                peek: true,
            }],
            T,
        )
        .await
        .expect("partial fetch");
    let section = &fetched[0].binary_sections[0];
    assert_eq!(section.origin, Some(4));
    assert_eq!(section.data.as_deref(), Some(&expected[4..12]));
    // From the start: the reply is `BINARY[2]<0> ~{n}` / `{n}`.
    let head = conn
        .fetch(
            &set("1"),
            &[FetchAttr::Binary {
                part: part(&[2]),
                partial: Some((0, NonZeroU32::new(5).expect("non-zero"))),
                peek: true,
            }],
            T,
        )
        .await
        .expect("partial fetch from 0");
    let section = &head[0].binary_sections[0];
    assert_eq!(section.origin, Some(0));
    assert_eq!(section.data.as_deref(), Some(&expected[..5]));
}

/// BINARY of a quoted-printable text part is its decoded UTF-8.
async fn binary_decodes_quoted_printable(conn: &ImapConnection) {
    fill(conn, "Alternative", &[10]).await;
    let source = seed::message(10);
    let raw = raw_part_after(&source, "Content-Type: text/plain; charset=utf-8");
    let expected = qp_decode(&raw);
    assert!(
        String::from_utf8(expected.clone()).is_ok_and(|t| t.contains("Grüße!")),
        "independent decoding works"
    );
    conn.examine("Alternative", T).await.expect("examine");
    let fetched = conn
        .fetch(
            &set("1"),
            &[
                FetchAttr::binary_peek(part(&[1])),
                FetchAttr::BinarySize { part: part(&[1]) },
            ],
            T,
        )
        .await
        .expect("fetch");
    let msg = &fetched[0];
    assert_eq!(msg.binary_sections[0].data.as_deref(), Some(&expected[..]));
    assert_eq!(msg.binary_sizes[0].size, expected.len() as u64);
}

// ----- both servers -----

async fn binary_peek_returns_the_base64_decoded_attachment(server: &'static dyn TestServer) {
    let conn = login(server, &server.new_user(0), TlsMode::Plaintext).await;
    binary_part_is_the_decoded_attachment(&conn).await;
}

async fn partial_binary_fetch_is_answered_with_origin(server: &'static dyn TestServer) {
    let conn = login(server, &server.new_user(0), TlsMode::Plaintext).await;
    partial_binary_fetch_returns_the_slice_and_origin(&conn).await;
}

async fn binary_of_a_quoted_printable_part_is_decoded_utf8(server: &'static dyn TestServer) {
    let conn = login(server, &server.new_user(0), TlsMode::Plaintext).await;
    binary_decodes_quoted_printable(&conn).await;
}

server_tests!(
    binary_peek_returns_the_base64_decoded_attachment,
    partial_binary_fetch_is_answered_with_origin,
    binary_of_a_quoted_printable_part_is_decoded_utf8,
);

#[test]
fn the_independent_decoders_decode() {
    assert_eq!(base64_decode("AAECAw=="), vec![0, 1, 2, 3]);
    assert_eq!(base64_decode("TWFu"), b"Man".to_vec());
    assert_eq!(qp_decode("a=3Db=\r\nc"), b"a=bc".to_vec());
}
