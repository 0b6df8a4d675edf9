//! What the driver shares with the handles (events, capabilities, state, closed) and how a
//! connection ends: LOGOUT, a BYE without hang-up, EOF, a response over a size limit.

use tokio::io::{AsyncWriteExt, DuplexStream};

use super::{T, connect, connect_greeted, connect_with, read_line, spawn};
use crate::proto::Limits;
use crate::proto::session::ConnectionState;
use crate::types::{Quirk, TypedEvent};
use crate::{Error, ImapConnection};

/// Plays NOOP `A1` from the server's side: checks the command, sends `replies` (which end
/// with `A1`'s tagged OK), waits for the call to succeed and returns the events it left.
async fn noop_events(
    conn: &ImapConnection,
    server: &mut DuplexStream,
    replies: &[u8],
) -> Vec<TypedEvent> {
    let noop = spawn(conn, |conn| async move { conn.noop(T).await });
    assert_eq!(read_line(server).await, "A1 NOOP");
    server.write_all(replies).await.unwrap();
    noop.await.expect("task").expect("noop");
    conn.drain_events().await
}

#[tokio::test(flavor = "current_thread")]
async fn untagged_data_around_a_command_is_queued_as_events_in_order() {
    let (conn, mut server) = connect().await;
    let events = noop_events(
        &conn,
        &mut server,
        b"* 4 EXISTS\r\n* 2 EXPUNGE\r\n* 1 RECENT\r\nA1 OK NOOP done\r\n",
    )
    .await;
    assert!(
        matches!(
            events[..],
            [
                TypedEvent::Exists(4),
                TypedEvent::Expunge(2),
                TypedEvent::Recent(1)
            ]
        ),
        "{events:?}"
    );
    assert!(conn.drain_events().await.is_empty(), "drained once");
}

#[tokio::test(flavor = "current_thread")]
async fn next_event_wakes_when_the_server_pushes_data_without_a_command() {
    let (conn, mut server) = connect().await;
    let waiting = spawn(&conn, |conn| async move { conn.next_event(T).await });
    super::settle().await;
    assert!(!waiting.is_finished(), "nothing was sent yet");
    server.write_all(b"* 9 EXISTS\r\n").await.unwrap();
    let event = waiting.await.expect("task").expect("no error");
    assert!(matches!(event, Some(TypedEvent::Exists(9))), "{event:?}");
}

#[tokio::test(flavor = "current_thread")]
async fn a_full_event_queue_drops_the_oldest_and_says_how_many_first() {
    let (conn, mut server) = connect_with(ImapConnection::builder().event_queue_size(2)).await;
    let events = noop_events(
        &conn,
        &mut server,
        b"* 1 EXISTS\r\n* 2 EXISTS\r\n* 3 EXISTS\r\n* 4 EXISTS\r\nA1 OK done\r\n",
    )
    .await;
    assert!(
        matches!(
            events[..],
            [
                TypedEvent::Overflow { dropped: 2 },
                TypedEvent::Exists(3),
                TypedEvent::Exists(4)
            ]
        ),
        "{events:?}"
    );
}

#[tokio::test(flavor = "current_thread")]
async fn capabilities_and_state_follow_the_server_through_login_and_logout() {
    let (conn, mut server) = connect().await;
    assert!(conn.capabilities().has("IDLE"), "from the greeting");
    assert!(!conn.capabilities().has("MOVE"));
    assert_eq!(conn.state(), ConnectionState::NotAuthenticated);
    assert!(!conn.is_closed());

    let login = spawn(&conn, |conn| async move {
        conn.login("alice", "secret", T).await
    });
    assert_eq!(read_line(&mut server).await, "A1 LOGIN alice secret");
    server
        .write_all(b"A1 OK [CAPABILITY IMAP4rev1 MOVE] logged in\r\n")
        .await
        .unwrap();
    login.await.expect("task").expect("login");
    let caps = conn.capabilities();
    assert!(caps.has("MOVE") && !caps.has("IDLE"), "replaced: {caps:?}");
    assert_eq!(conn.state(), ConnectionState::Authenticated);
    assert!(!conn.is_closed());

    let logout = spawn(&conn, |conn| async move { conn.logout().await });
    assert_eq!(read_line(&mut server).await, "A2 LOGOUT");
    server
        .write_all(b"* BYE logging out\r\nA2 OK LOGOUT done\r\n")
        .await
        .unwrap();
    logout
        .await
        .expect("task")
        .expect("a BYE during LOGOUT is the normal end");
    assert!(conn.is_closed(), "closed as soon as LOGOUT completed");
    assert_eq!(conn.state(), ConnectionState::Logout);
    let after = conn.noop(T).await;
    assert!(matches!(after, Err(Error::Closed)), "{after:?}");
}

#[tokio::test(flavor = "current_thread")]
async fn a_bye_outside_logout_fails_the_pending_command_with_it_without_waiting_for_eof() {
    let (conn, mut server) = connect().await;
    let noop = spawn(&conn, |conn| async move { conn.noop(T).await });
    assert_eq!(read_line(&mut server).await, "A1 NOOP");
    // The server says BYE but keeps the connection open.
    server
        .write_all(b"* BYE [ALERT] shutting down\r\n")
        .await
        .unwrap();
    let result = noop.await.expect("task");
    match result {
        Err(Error::Bye { code, text }) => {
            assert_eq!(text, "shutting down");
            assert!(code.is_some(), "the ALERT code is kept");
        }
        other => panic!("expected Error::Bye, got {other:?}"),
    }
    assert!(conn.is_closed());
    assert!(matches!(conn.noop(T).await, Err(Error::Closed)));
    drop(server);
}

#[tokio::test(flavor = "current_thread")]
async fn eof_fails_the_pending_command_as_unexpected_eof_and_later_calls_as_closed() {
    let (conn, mut server) = connect().await;
    let noop = spawn(&conn, |conn| async move { conn.noop(T).await });
    assert_eq!(read_line(&mut server).await, "A1 NOOP");
    drop(server);
    match noop.await.expect("task") {
        Err(Error::Io(e)) => assert_eq!(e.kind(), std::io::ErrorKind::UnexpectedEof),
        other => panic!("expected an EOF error, got {other:?}"),
    }
    assert!(conn.is_closed());
    assert_eq!(conn.state(), ConnectionState::Logout);
    assert!(matches!(conn.noop(T).await, Err(Error::Closed)));
}

#[tokio::test(flavor = "current_thread")]
async fn a_malformed_response_becomes_an_unparsed_event_and_the_command_still_completes() {
    let (conn, mut server) = connect().await;
    let events = noop_events(
        &conn,
        &mut server,
        b"* 3 EXISTS extra junk (\r\n* 5 EXISTS\r\nA1 OK done\r\n",
    )
    .await;
    match &events[..] {
        [TypedEvent::Unparsed(u), TypedEvent::Exists(5)] => {
            assert_eq!(u.raw, b"* 3 EXISTS extra junk (\r\n");
            assert_eq!((u.keyword(), u.number()), (Some("EXISTS"), Some(3)));
        }
        other => panic!("the malformed line kept, then the next one: {other:?}"),
    }
    assert!(!conn.is_closed());
}

#[tokio::test(flavor = "current_thread")]
async fn the_quirks_a_response_needed_are_counted_on_the_handle() {
    let (conn, mut server) = connect().await;
    assert!(conn.quirks().is_empty());
    // SmarterMail's negative size (MailKit #385), unsolicited during a NOOP.
    let events = noop_events(
        &conn,
        &mut server,
        b"* 1 FETCH (BODYSTRUCTURE (\"text\" \"plain\" NIL NIL NIL \"7bit\" -2 0))\r\nA1 OK done\r\n",
    )
    .await;
    assert!(matches!(events[..], [TypedEvent::Fetch(_)]), "{events:?}");
    assert_eq!(
        conn.quirks().iter().collect::<Vec<_>>(),
        [(Quirk::NegativeBodySize, 1)]
    );
}

#[tokio::test(flavor = "current_thread")]
async fn what_the_server_enabled_is_published_on_the_handle() {
    let (conn, mut server) = connect().await;
    assert_eq!(conn.enabled().iter().count(), 0);
    noop_events(
        &conn,
        &mut server,
        b"* ENABLED CONDSTORE IMAP4rev2\r\nA1 OK done\r\n",
    )
    .await;
    assert_eq!(
        conn.enabled().iter().collect::<Vec<_>>(),
        ["CONDSTORE", "IMAP4REV2"]
    );
    assert_eq!(conn.enabled().dialect(), crate::Dialect::Imap4rev2);
}

#[tokio::test(flavor = "current_thread")]
async fn a_response_over_the_line_limit_closes_the_connection_with_the_frame_error() {
    let limits = Limits {
        max_line: 256,
        ..Limits::default()
    };
    let (conn, mut server) = connect_with(ImapConnection::builder().limits(limits)).await;
    let noop = spawn(&conn, |conn| async move { conn.noop(T).await });
    assert_eq!(read_line(&mut server).await, "A1 NOOP");
    let long = format!("* OK {}\r\nA1 OK done\r\n", "x".repeat(1000));
    server.write_all(long.as_bytes()).await.unwrap();
    let result = noop.await.expect("task");
    assert!(matches!(result, Err(Error::Frame(_))), "{result:?}");
    assert!(conn.is_closed());
}

/// Starts `AUTHENTICATE LOGIN` as alice/secret against a server offering it and plays the
/// two challenges, checking the answers; the exchange then waits for the server's next step.
async fn login_exchange() -> (
    ImapConnection,
    DuplexStream,
    tokio::task::JoinHandle<crate::Result<()>>,
) {
    let (conn, mut server) = connect_greeted(
        ImapConnection::builder(),
        "* OK [CAPABILITY IMAP4rev1 IDLE AUTH=LOGIN] fake server ready",
    )
    .await;
    let auth = spawn(&conn, |conn| async move {
        conn.authenticate_login("alice", "secret", T).await
    });
    assert_eq!(read_line(&mut server).await, "A1 AUTHENTICATE LOGIN");
    server.write_all(b"+ VXNlcm5hbWU6\r\n").await.unwrap(); // "Username:"
    assert_eq!(read_line(&mut server).await, "YWxpY2U="); // "alice"
    server.write_all(b"+ UGFzc3dvcmQ6\r\n").await.unwrap(); // "Password:"
    assert_eq!(read_line(&mut server).await, "c2VjcmV0"); // "secret"
    (conn, server, auth)
}

#[tokio::test(flavor = "current_thread")]
async fn a_sasl_exchange_answers_each_challenge_with_the_clients_response() {
    let (conn, mut server, auth) = login_exchange().await;
    server
        .write_all(b"A1 OK [CAPABILITY IMAP4rev1 IDLE MOVE] authenticated\r\n")
        .await
        .unwrap();
    auth.await.expect("task").expect("authenticated");
    assert_eq!(conn.state(), ConnectionState::Authenticated);
    assert!(conn.capabilities().has("MOVE"));
}

#[tokio::test(flavor = "current_thread")]
async fn a_sasl_challenge_the_client_cannot_answer_cancels_the_exchange() {
    let (conn, mut server, auth) = login_exchange().await;
    // A third challenge: LOGIN has nothing more to say, so the client cancels (RFC 3501 §6.2.2).
    server.write_all(b"+ TW9yZTo=\r\n").await.unwrap();
    assert_eq!(read_line(&mut server).await, "*");
    server
        .write_all(b"A1 BAD AUTHENTICATE cancelled\r\n")
        .await
        .unwrap();
    let result = auth.await.expect("task");
    assert!(matches!(result, Err(Error::Bad { .. })), "{result:?}");
    assert_eq!(conn.state(), ConnectionState::NotAuthenticated);
}

#[tokio::test(flavor = "current_thread")]
async fn dropping_every_handle_ends_the_driver_and_hangs_up() {
    use tokio::io::AsyncReadExt;
    use tokio_util::compat::TokioAsyncReadCompatExt;

    let (client, mut server) = tokio::io::duplex(1 << 16);
    server
        .write_all(b"* OK [CAPABILITY IMAP4rev1] fake server ready\r\n")
        .await
        .unwrap();
    let (conn, driver) = ImapConnection::builder()
        .from_stream(client.compat(), T)
        .await
        .expect("greeting");
    let driver = tokio::spawn(driver);
    let noop = spawn(&conn, |conn| async move { conn.noop(T).await });
    assert_eq!(read_line(&mut server).await, "A1 NOOP");
    drop(conn);
    // Only the NOOP's task still holds a handle: the driver runs until NOOP completes.
    super::settle().await;
    assert!(!driver.is_finished(), "NOOP is still pending");
    server.write_all(b"A1 OK done\r\n").await.unwrap();
    noop.await.expect("task").expect("noop");
    tokio::time::timeout(T, driver)
        .await
        .expect("the driver ends once nothing is pending")
        .expect("and does not panic");
    let mut rest = Vec::new();
    let read = tokio::time::timeout(T, server.read_to_end(&mut rest)).await;
    assert!(
        matches!(read, Ok(Ok(0))),
        "the transport is closed: {read:?}"
    );
}
