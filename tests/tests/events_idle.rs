//! Events and IDLE against both real harness servers (Dovecot, and Cyrus with `idled`):
//! changes made on a second connection reach the first as `IdleEvent`s during IDLE and as `TypedEvent`s after a NOOP; IDLE ends by
//! token, by time and by being dropped, and the connection keeps working after each; the event
//! queue is bounded and says when it dropped something; long IDLEs are re-issued invisibly.

use std::time::Duration;

use daaki_imap::types::{FetchAttr, Flag, SequenceSet};
use daaki_imap::{
    Error, IdleEvent, ImapConnection, ImapConnectionBuilder, TlsMode, TrustRoots, TypedEvent,
};
use daaki_imap_tests::client::{T, login};
use daaki_imap_tests::harness::{TestServer, TestUser, seed};
use daaki_imap_tests::proxy::Recorder;
use daaki_imap_tests::server_tests;
use tokio_util::sync::CancellationToken;

fn set(s: &str) -> SequenceSet {
    SequenceSet::new(s).expect("valid set")
}

/// Connects `builder` (plaintext) to `port` — the server's or a relay's — and logs in.
async fn login_with(
    builder: ImapConnectionBuilder,
    server: &dyn TestServer,
    port: u16,
    user: &TestUser,
) -> ImapConnection {
    let pem = std::fs::read(server.ca_cert_path()).expect("test CA");
    let conn = builder
        .trust_roots(TrustRoots::None)
        .add_root_pem(&pem)
        .expect("test CA parses")
        .connect(server.host(), port, TlsMode::Plaintext, T)
        .await
        .expect("connect");
    conn.login(&user.name, &user.password, T)
        .await
        .expect("login");
    conn
}

/// Appends sample message `i` to `mailbox` on `conn`.
async fn append(conn: &ImapConnection, mailbox: &str, i: u32) {
    conn.append(mailbox, &[], &seed::message(i), T)
        .await
        .expect("append");
}

/// Waits until the server has sent `n` continuation requests (`+`) on the connection through
/// `relay` — for IDLE, its acceptance (bound: the generous [`T`]).
async fn continuations(relay: &Recorder, n: usize) {
    relay.wait_for_continuations(n, T).await;
}

async fn append_elsewhere_wakes_idle_as_exists_and_noop_as_typed_exists(
    server: &'static dyn TestServer,
) {
    let user = server.new_user(3);
    let relay = Recorder::start(server.plain_port()).await;
    let watcher = login_with(ImapConnection::builder(), server, relay.port(), &user).await;
    let writer = login(server, &user, TlsMode::Plaintext).await;
    assert_eq!(watcher.select("INBOX", T).await.expect("select").exists, 3);

    // During IDLE: the first event ends IDLE and is its result.
    let idle = tokio::spawn({
        let watcher = watcher.clone();
        async move { watcher.idle(T, CancellationToken::new()).await }
    });
    continuations(&relay, 1).await;
    append(&writer, "INBOX", 4).await;
    let woke = idle.await.expect("idle task").expect("idle");
    assert_eq!(woke, IdleEvent::Exists(4));

    // Without IDLE: the server reports the change with the next command's responses.
    watcher.drain_events().await;
    append(&writer, "INBOX", 5).await;
    watcher.noop(T).await.expect("noop");
    let events = watcher.drain_events().await;
    assert!(
        events.contains(&TypedEvent::Exists(5)),
        "NOOP queued the new EXISTS before returning: {events:?}"
    );
}

async fn idle_cancelled_by_its_token_returns_cancelled_and_the_connection_keeps_working(
    server: &'static dyn TestServer,
) {
    let user = server.new_user(3);
    let relay = Recorder::start(server.plain_port()).await;
    let conn = login_with(ImapConnection::builder(), server, relay.port(), &user).await;
    conn.select("INBOX", T).await.expect("select");
    let cancel = CancellationToken::new();
    let idle = tokio::spawn({
        let (conn, cancel) = (conn.clone(), cancel.clone());
        async move { conn.idle(T, cancel).await }
    });
    // Cancelled while the server is idling, not before IDLE went out.
    continuations(&relay, 1).await;
    cancel.cancel();
    let ended = tokio::time::timeout(T, idle)
        .await
        .expect("IDLE ends soon after cancel")
        .expect("idle task")
        .expect("idle");
    assert_eq!(ended, IdleEvent::Cancelled);
    conn.noop(T).await.expect("noop after a cancelled IDLE");
    let fetched = conn
        .fetch(&set("1:3"), &[FetchAttr::Uid], T)
        .await
        .expect("fetch after a cancelled IDLE");
    assert_eq!(fetched.len(), 3);
    // A token cancelled before the call ends IDLE at once.
    assert_eq!(
        conn.idle(T, cancel).await.expect("idle"),
        IdleEvent::Cancelled
    );
    conn.noop(T).await.expect("noop");
}

async fn idle_with_a_short_timeout_returns_timeout(server: &'static dyn TestServer) {
    let user = server.new_user(1);
    let conn = login(server, &user, TlsMode::Plaintext).await;
    conn.select("INBOX", T).await.expect("select");
    let ended = conn
        .idle(Duration::from_secs(1), CancellationToken::new())
        .await
        .expect("idle");
    assert_eq!(ended, IdleEvent::Timeout);
    conn.noop(T).await.expect("noop after IDLE timed out");
}

async fn an_abandoned_idle_still_sends_done_and_the_next_command_works(
    server: &'static dyn TestServer,
) {
    let user = server.new_user(3);
    let relay = Recorder::start(server.plain_port()).await;
    let conn = login_with(ImapConnection::builder(), server, relay.port(), &user).await;
    conn.select("INBOX", T).await.expect("select");

    // Dropped by a timeout around it.
    let abandoned = tokio::time::timeout(
        Duration::from_millis(500),
        conn.idle(T, CancellationToken::new()),
    )
    .await;
    assert!(abandoned.is_err(), "the outer timeout fired first");
    let fetched = conn
        .fetch(&set("1:3"), &[FetchAttr::Uid], T)
        .await
        .expect("the next command works after an abandoned IDLE");
    assert_eq!(fetched.len(), 3);

    // Dropped by losing a select, as soon as the server accepted it (the first IDLE's
    // acceptance was continuation #1).
    tokio::select! {
        r = conn.idle(T, CancellationToken::new()) => panic!("IDLE ended by itself: {r:?}"),
        () = continuations(&relay, 2) => {}
    }
    conn.noop(T).await.expect("noop after an abandoned IDLE");
    assert_eq!(
        relay.count_lines_ending("DONE"),
        2,
        "each abandoned IDLE was ended with DONE: {}",
        relay.client_text()
    );
}

async fn a_new_idle_right_after_an_abandoned_one_is_accepted(server: &'static dyn TestServer) {
    // The abandoned IDLE is still ending (DONE sent, OK not yet received) when the next IDLE
    // request arrives: it must wait for its turn rather than fail.
    let user = server.new_user(1);
    let conn = login(server, &user, TlsMode::Plaintext).await;
    conn.select("INBOX", T).await.expect("select");
    for round in 0..3 {
        let abandoned = tokio::time::timeout(
            Duration::from_millis(300),
            conn.idle(T, CancellationToken::new()),
        )
        .await;
        assert!(abandoned.is_err(), "round {round}: the outer timeout fired");
        let next = conn
            .idle(Duration::from_millis(500), CancellationToken::new())
            .await;
        assert!(
            matches!(next, Ok(IdleEvent::Timeout)),
            "round {round}: IDLE right after an abandoned one: {next:?}"
        );
    }
}

async fn next_event_times_out_with_none_and_reports_closed_after_logout(
    server: &'static dyn TestServer,
) {
    let user = server.new_user(1);
    let conn = login(server, &user, TlsMode::Plaintext).await;
    conn.select("INBOX", T).await.expect("select");
    conn.drain_events().await;

    // drain_events never waits: it completes on its first poll.
    let drained = tokio::time::timeout(Duration::ZERO, conn.drain_events()).await;
    assert_eq!(drained.ok(), Some(Vec::new()));

    let quiet = conn
        .next_event(Duration::from_millis(300))
        .await
        .expect("open connection");
    assert_eq!(quiet, None, "nothing happened: Ok(None) after the timeout");

    conn.logout().await.expect("logout");
    // Whatever was queued (Dovecot's `* BYE Logging out`) is still delivered, then Closed.
    let mut delivered = Vec::new();
    let closed = loop {
        match conn.next_event(T).await {
            Ok(Some(event)) if delivered.len() < 100 => delivered.push(event),
            other => break other,
        }
    };
    assert!(
        matches!(closed, Err(Error::Closed)),
        "{closed:?} after {delivered:?}"
    );
    assert!(
        delivered
            .iter()
            .all(|e| matches!(e, TypedEvent::Bye { .. } | TypedEvent::Status { .. })),
        "{delivered:?}"
    );
    assert!(matches!(conn.next_event(T).await, Err(Error::Closed)));
    assert!(conn.drain_events().await.is_empty());
}

async fn a_full_event_queue_drops_the_oldest_and_says_so_first(server: &'static dyn TestServer) {
    let user = server.new_user(6);
    let small = login_with(
        ImapConnection::builder().event_queue_size(2),
        server,
        server.plain_port(),
        &user,
    )
    .await;
    let writer = login(server, &user, TlsMode::Plaintext).await;
    small.select("INBOX", T).await.expect("select");
    small.drain_events().await;

    // Six flag changes and three new messages: far more unsolicited responses than 2.
    writer.select("INBOX", T).await.expect("select");
    writer
        .store(
            &set("1:6"),
            daaki_imap::StoreKind::Add,
            &[Flag::keyword("$Overflow").expect("keyword")],
            T,
        )
        .await
        .expect("store");
    for i in 7..=9 {
        append(&writer, "INBOX", i).await;
    }
    small.noop(T).await.expect("noop");

    let events = small.drain_events().await;
    let Some((TypedEvent::Overflow { dropped }, newest)) = events.split_first() else {
        panic!("the overflow marker comes first: {events:?}");
    };
    assert!(*dropped >= 3, "dropped {dropped}: {events:?}");
    assert_eq!(newest.len(), 2, "the two newest survive: {events:?}");
    assert!(
        newest
            .iter()
            .all(|e| !matches!(e, TypedEvent::Overflow { .. })),
        "{events:?}"
    );
    // The marker is reported once; the queue is usable again.
    assert!(small.drain_events().await.is_empty());
    small.noop(T).await.expect("noop");
}

async fn long_idle_is_reissued_transparently_and_still_ends_on_time_and_on_new_mail(
    server: &'static dyn TestServer,
) {
    let user = server.new_user(1);
    let relay = Recorder::start(server.plain_port()).await;
    let conn = login_with(
        ImapConnection::builder().idle_refresh(Duration::from_secs(2)),
        server,
        relay.port(),
        &user,
    )
    .await;
    let writer = login(server, &user, TlsMode::Plaintext).await;
    conn.select("INBOX", T).await.expect("select");

    let started = tokio::time::Instant::now();
    let ended = conn
        .idle(Duration::from_secs(5), CancellationToken::new())
        .await
        .expect("idle");
    let took = started.elapsed();
    assert_eq!(ended, IdleEvent::Timeout);
    assert!(took >= Duration::from_secs(4), "IDLE ended early: {took:?}");
    let idles = relay.count_lines_ending(" IDLE");
    println!("a 5 s IDLE with a 2 s refresh took {took:?} and sent IDLE {idles} times");
    assert!(
        idles >= 2,
        "IDLE was re-issued during the 5 s wait: {}",
        relay.client_text()
    );

    // New mail after a refresh still wakes IDLE: the APPEND waits until the new IDLE was
    // re-issued once (DONE, then IDLE again) and the re-issued one accepted.
    let accepted = relay
        .server_text()
        .split("\r\n")
        .filter(|line| line.starts_with('+'))
        .count();
    let idle = tokio::spawn({
        let conn = conn.clone();
        async move { conn.idle(T, CancellationToken::new()).await }
    });
    continuations(&relay, accepted + 2).await;
    append(&writer, "INBOX", 2).await;
    let woke = idle.await.expect("idle task").expect("idle");
    assert_eq!(woke, IdleEvent::Exists(2));
    assert!(
        relay.count_lines_ending(" IDLE") > idles + 1,
        "the second IDLE was refreshed before the APPEND: {}",
        relay.client_text()
    );
    conn.noop(T).await.expect("noop");
}

server_tests!(
    append_elsewhere_wakes_idle_as_exists_and_noop_as_typed_exists,
    idle_cancelled_by_its_token_returns_cancelled_and_the_connection_keeps_working,
    idle_with_a_short_timeout_returns_timeout,
    an_abandoned_idle_still_sends_done_and_the_next_command_works,
    a_new_idle_right_after_an_abandoned_one_is_accepted,
    next_event_times_out_with_none_and_reports_closed_after_logout,
    a_full_event_queue_drops_the_oldest_and_says_so_first,
    long_idle_is_reissued_transparently_and_still_ends_on_time_and_on_new_mail
);
