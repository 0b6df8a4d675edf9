//! Streaming FETCH through the driver: every response reaches a slow consumer in order
//! (one is held while the channel is full, none lost), and a consumer that goes away does
//! not stop the command.

use tokio::io::AsyncWriteExt;
use tokio::sync::mpsc;

use super::{T, connect, read_line, spawn};
use crate::types::{FetchAttr, SequenceSet};

/// `* n FETCH (UID n)` for n in 1..=count, then the tagged OK of `A1`.
fn fetch_replies(count: u32) -> Vec<u8> {
    let mut out = Vec::new();
    for n in 1..=count {
        out.extend_from_slice(format!("* {n} FETCH (UID {})\r\n", 100 + n).as_bytes());
    }
    out.extend_from_slice(b"A1 OK FETCH done\r\n");
    out
}

/// Starts `UID FETCH 1:* (UID)` streaming into a one-slot channel and checks the command
/// reached the server; returns the call's task and the receiving end.
async fn start_uid_fetch(
    conn: &crate::ImapConnection,
    server: &mut tokio::io::DuplexStream,
) -> (
    tokio::task::JoinHandle<crate::Result<()>>,
    mpsc::Receiver<crate::Result<crate::types::response::FetchResponse>>,
) {
    let (tx, rx) = mpsc::channel(1);
    let fetch = spawn(conn, |conn| async move {
        conn.uid_fetch_streaming(&SequenceSet::all(), &[FetchAttr::Uid], tx, T)
            .await
    });
    assert_eq!(read_line(server).await, "A1 UID FETCH 1:* UID");
    (fetch, rx)
}

#[tokio::test(flavor = "current_thread")]
async fn a_slow_consumer_of_a_one_slot_channel_gets_every_response_in_order() {
    let (conn, mut server) = connect().await;
    let (fetch, mut rx) = start_uid_fetch(&conn, &mut server).await;
    // All 50 replies arrive in one write; the channel holds one at a time.
    server.write_all(&fetch_replies(50)).await.unwrap();
    let mut uids = Vec::new();
    while let Some(item) = rx.recv().await {
        uids.push(item.expect("fetch").uid);
        tokio::task::yield_now().await;
    }
    assert_eq!(uids, (101..=150).map(Some).collect::<Vec<_>>());
    fetch.await.expect("task").expect("the command completes");
}

#[tokio::test(flavor = "current_thread")]
async fn a_consumer_that_goes_away_does_not_stop_the_command_or_the_connection() {
    let (conn, mut server) = connect().await;
    let (fetch, mut rx) = start_uid_fetch(&conn, &mut server).await;
    server.write_all(&fetch_replies(20)).await.unwrap();
    let first = rx.recv().await.expect("one reply").expect("fetch");
    assert_eq!(first.uid, Some(101));
    drop(rx);
    fetch
        .await
        .expect("task")
        .expect("the rest is read and discarded");
    // The connection goes on: the next command is answered.
    let noop = spawn(&conn, |conn| async move { conn.noop(T).await });
    assert_eq!(read_line(&mut server).await, "A2 NOOP");
    server.write_all(b"A2 OK done\r\n").await.unwrap();
    noop.await.expect("task").expect("noop");
    assert!(
        conn.drain_events().await.is_empty(),
        "the discarded replies belonged to the FETCH: none became an event"
    );
}

#[tokio::test(flavor = "current_thread")]
async fn a_stalled_consumer_stops_the_driver_reading_so_the_server_cannot_write() {
    let (conn, mut server) = connect().await;
    let (fetch, mut rx) = start_uid_fetch(&conn, &mut server).await;
    // ~270 KB: more than one driver read (64 KiB) plus the pipe's own buffer (64 KiB).
    let replies = fetch_replies(10_000);
    let (_server_rd, mut server_wr) = tokio::io::split(server);
    let writer = tokio::spawn(async move { server_wr.write_all(&replies).await });
    for _ in 0..500 {
        tokio::task::yield_now().await;
    }
    assert!(
        !writer.is_finished(),
        "the driver must stop reading while the consumer takes nothing"
    );
    let mut count = 0u32;
    while let Some(item) = rx.recv().await {
        count += 1;
        assert_eq!(item.expect("fetch").uid, Some(100 + count));
    }
    assert_eq!(count, 10_000);
    writer
        .await
        .expect("task")
        .expect("the server's write completes");
    fetch.await.expect("task").expect("the command completes");
}
