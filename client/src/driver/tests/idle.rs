//! IDLE through the driver: ended by the first event, refreshed invisibly, refused, cancelled,
//! and failed by EOF.

use std::time::Duration;

use tokio::io::{AsyncWriteExt, DuplexStream};
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

use super::{T, connect, connect_with, read_line, spawn};
use crate::types::{IdleEvent, TypedEvent};
use crate::{Error, ImapConnection, Result};

/// A builder whose IDLEs are refreshed after 50 ms (below the public minimum of 1 s).
fn fast_refresh() -> crate::ImapConnectionBuilder {
    let mut builder = ImapConnection::builder();
    builder.idle_refresh = Duration::from_millis(50);
    builder
}

/// IDLE with no timeout of its own (beyond [`T`]) and no cancellation, on its own task.
fn spawn_idle(conn: &ImapConnection) -> JoinHandle<Result<IdleEvent>> {
    spawn(conn, |conn| async move {
        conn.idle(T, CancellationToken::new()).await
    })
}

/// The server side of an IDLE's start: the command `<tag> IDLE`, answered `+`.
async fn accept_idle(server: &mut DuplexStream, tag: &str) {
    assert_eq!(read_line(server).await, format!("{tag} IDLE"));
    server.write_all(b"+ idling\r\n").await.unwrap();
}

/// The server side of an IDLE's end: the client's DONE, answered with `<tag> OK`.
async fn end_idle(server: &mut DuplexStream, tag: &str) {
    assert_eq!(read_line(server).await, "DONE");
    server
        .write_all(format!("{tag} OK IDLE done\r\n").as_bytes())
        .await
        .unwrap();
}

#[tokio::test(flavor = "current_thread")]
async fn the_first_event_ends_idle_and_later_data_is_queued() {
    let (conn, mut server) = connect().await;
    let idle = spawn_idle(&conn);
    assert_eq!(read_line(&mut server).await, "A1 IDLE");
    server
        .write_all(b"+ idling\r\n* 7 EXISTS\r\n* 1 RECENT\r\n")
        .await
        .unwrap();
    assert_eq!(read_line(&mut server).await, "DONE");
    server
        .write_all(b"* 8 EXISTS\r\nA1 OK IDLE done\r\n")
        .await
        .unwrap();
    let result = idle.await.expect("task");
    assert!(matches!(result, Ok(IdleEvent::Exists(7))), "{result:?}");
    let events = conn.drain_events().await;
    assert!(
        matches!(events[..], [TypedEvent::Recent(1), TypedEvent::Exists(8)]),
        "{events:?}"
    );
}

#[tokio::test(flavor = "current_thread")]
async fn a_long_idle_is_refreshed_with_done_and_a_new_idle_invisibly() {
    let builder = fast_refresh();
    let (conn, mut server) = connect_with(builder).await;
    let idle = spawn_idle(&conn);
    accept_idle(&mut server, "A1").await;
    // After the refresh interval: DONE, then a new IDLE once the first completes.
    end_idle(&mut server, "A1").await;
    assert_eq!(read_line(&mut server).await, "A2 IDLE");
    assert!(
        !idle.is_finished(),
        "the refresh is invisible to the caller"
    );
    server.write_all(b"+ idling\r\n").await.unwrap();
    // Refreshed again, on the new IDLE's own clock.
    end_idle(&mut server, "A2").await;
    assert_eq!(read_line(&mut server).await, "A3 IDLE");
    server
        .write_all(b"+ idling\r\n* 3 EXISTS\r\n")
        .await
        .unwrap();
    end_idle(&mut server, "A3").await;
    let result = idle.await.expect("task");
    assert!(matches!(result, Ok(IdleEvent::Exists(3))), "{result:?}");
}

#[tokio::test(flavor = "current_thread")]
async fn an_event_arriving_while_a_refresh_ends_the_old_idle_ends_the_call() {
    let builder = fast_refresh();
    let (conn, mut server) = connect_with(builder).await;
    let idle = spawn_idle(&conn);
    accept_idle(&mut server, "A1").await;
    assert_eq!(read_line(&mut server).await, "DONE");
    // Between DONE and the OK, the mailbox changed: that is the call's result, no new IDLE.
    server
        .write_all(b"* 4 EXPUNGE\r\nA1 OK IDLE done\r\n")
        .await
        .unwrap();
    let result = idle.await.expect("task");
    assert!(matches!(result, Ok(IdleEvent::Expunge(4))), "{result:?}");
    let noop = spawn(&conn, |conn| async move { conn.noop(T).await });
    assert_eq!(
        read_line(&mut server).await,
        "A2 NOOP",
        "no IDLE was restarted"
    );
    server.write_all(b"A2 OK done\r\n").await.unwrap();
    noop.await.expect("task").expect("noop");
}

#[tokio::test(flavor = "current_thread")]
async fn idle_refused_by_the_server_is_an_error() {
    let (conn, mut server) = connect().await;
    let idle = spawn_idle(&conn);
    assert_eq!(read_line(&mut server).await, "A1 IDLE");
    server.write_all(b"A1 NO not now\r\n").await.unwrap();
    let result = idle.await.expect("task");
    match result {
        Err(Error::No { text, .. }) => assert_eq!(text, "not now"),
        other => panic!("expected NO, got {other:?}"),
    }
    // A new IDLE may start afterwards.
    let again = spawn_idle(&conn);
    assert_eq!(read_line(&mut server).await, "A2 IDLE");
    server
        .write_all(b"+ idling\r\n* 1 EXISTS\r\n")
        .await
        .unwrap();
    end_idle(&mut server, "A2").await;
    let result = again.await.expect("task");
    assert!(matches!(result, Ok(IdleEvent::Exists(1))), "{result:?}");
}

#[tokio::test(flavor = "current_thread")]
async fn cancelling_idle_sends_done_and_answers_cancelled() {
    let (conn, mut server) = connect().await;
    let token = CancellationToken::new();
    let idle = tokio::spawn({
        let (conn, token) = (conn.clone(), token.clone());
        async move { conn.idle(T, token).await }
    });
    accept_idle(&mut server, "A1").await;
    super::settle().await;
    token.cancel();
    end_idle(&mut server, "A1").await;
    let result = idle.await.expect("task");
    assert!(matches!(result, Ok(IdleEvent::Cancelled)), "{result:?}");
}

#[tokio::test(flavor = "current_thread")]
async fn a_second_idle_while_the_first_caller_waits_is_refused() {
    let (conn, mut server) = connect().await;
    let first = spawn_idle(&conn);
    accept_idle(&mut server, "A1").await;
    let second = conn.idle(T, CancellationToken::new()).await;
    assert!(matches!(second, Err(Error::InvalidInput(_))), "{second:?}");
    assert!(!first.is_finished(), "the first IDLE goes on");
    server.write_all(b"* 2 EXISTS\r\n").await.unwrap();
    end_idle(&mut server, "A1").await;
    let result = first.await.expect("task");
    assert!(matches!(result, Ok(IdleEvent::Exists(2))), "{result:?}");
}

#[tokio::test(flavor = "current_thread")]
async fn eof_during_idle_fails_it() {
    let (conn, mut server) = connect().await;
    let idle = spawn_idle(&conn);
    accept_idle(&mut server, "A1").await;
    super::settle().await;
    drop(server);
    let result = idle.await.expect("task");
    assert!(matches!(result, Err(Error::Io(_))), "{result:?}");
    assert!(conn.is_closed());
}

#[test]
fn the_public_refresh_interval_is_at_least_a_second() {
    let builder = ImapConnection::builder().idle_refresh(Duration::from_millis(50));
    assert_eq!(builder.idle_refresh, Duration::from_secs(1));
}
