//! COMPRESS=DEFLATE through the driver: after the OK, both directions are deflated — the
//! scripted server decodes what the client sends and answers deflated, with the crate's own
//! codec playing the server's side.

use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt, DuplexStream};

use super::{T, connect_greeted, read_line, spawn};
use crate::ImapConnection;
use crate::transport::compress::Deflate;
use crate::types::TypedEvent;

/// Reads deflated bytes from the client until `inflate` yields a whole line.
async fn read_deflated_line(server: &mut DuplexStream, inflate: &mut Deflate) -> String {
    let mut plain = Vec::new();
    while !plain.ends_with(b"\r\n") {
        let mut buf = [0u8; 4096];
        let n = tokio::time::timeout(T, server.read(&mut buf))
            .await
            .expect("the client sends")
            .unwrap();
        assert!(n > 0, "client hung up");
        let mut input = &buf[..n];
        while !input.is_empty() || inflate.output_pending() {
            let used = inflate.decompress(input, &mut plain).unwrap();
            input = &input[used..];
        }
    }
    plain.truncate(plain.len() - 2);
    String::from_utf8(plain).unwrap()
}

#[tokio::test(flavor = "current_thread")]
async fn after_compress_commands_and_replies_are_deflated_and_nothing_else_is_sent() {
    let (conn, mut server) = connect_greeted(
        ImapConnection::builder(),
        "* OK [CAPABILITY IMAP4rev1 COMPRESS=DEFLATE] fake server ready",
    )
    .await;
    let compress = spawn(&conn, |conn| async move { conn.compress(T).await });
    assert_eq!(read_line(&mut server).await, "A1 COMPRESS DEFLATE");
    server.write_all(b"A1 OK DEFLATE active\r\n").await.unwrap();
    compress.await.expect("task").expect("compress");

    let (mut inflate, mut deflate) = (Deflate::new(), Deflate::new());
    let noop = spawn(&conn, |conn| async move { conn.noop(T).await });
    assert_eq!(
        read_deflated_line(&mut server, &mut inflate).await,
        "A2 NOOP"
    );
    let mut wire = Vec::new();
    deflate
        .compress(b"* 3 EXISTS\r\nA2 OK done\r\n", &mut wire)
        .unwrap();
    server.write_all(&wire).await.unwrap();
    noop.await.expect("task").expect("noop");
    let events = conn.drain_events().await;
    assert!(matches!(events[..], [TypedEvent::Exists(3)]), "{events:?}");

    // With nothing to send, nothing is sent (not even empty deflate blocks).
    let mut buf = [0u8; 64];
    let idle = tokio::time::timeout(Duration::from_millis(50), server.read(&mut buf)).await;
    assert!(
        idle.is_err(),
        "unexpected bytes from an idle client: {idle:?}"
    );
}
