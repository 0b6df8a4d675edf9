//! COMPRESS=DEFLATE (RFC 4978) against both harness servers (Dovecot's `imap_zlib`, Cyrus):
//! after `compress()` every command works as before and returns the same data as an
//! uncompressed connection.

use std::time::Duration;

use daaki_imap::types::response::ResponseCode;
use daaki_imap::types::{FetchAttr, Section, SequenceSet};
use daaki_imap::{Error, IdleEvent, ImapConnection, TlsMode, TypedEvent};
use daaki_imap_tests::client::{T, connect, login};
use daaki_imap_tests::harness::{TestServer, seed};
use daaki_imap_tests::proxy::Recorder;
use daaki_imap_tests::server_tests;
use tokio_util::sync::CancellationToken;

fn set(s: &str) -> SequenceSet {
    SequenceSet::new(s).expect("valid set")
}

fn envelope_and_body() -> Vec<FetchAttr> {
    vec![
        FetchAttr::Uid,
        FetchAttr::Envelope,
        FetchAttr::body_peek(Section::full()),
    ]
}

async fn fetch_all(conn: &ImapConnection) -> Vec<daaki_imap::types::response::FetchResponse> {
    conn.select("INBOX", T).await.expect("select");
    conn.fetch(&set("1:*"), &envelope_and_body(), T)
        .await
        .expect("fetch")
}

async fn same_data_with_and_without_compression(server: &'static dyn TestServer, mode: TlsMode) {
    let user = server.new_user(200);
    let plain = login(server, &user, mode).await;
    let compressed = login(server, &user, mode).await;
    assert!(compressed.capabilities().has("COMPRESS=DEFLATE"));
    compressed.compress(T).await.expect("compress");

    let expected = fetch_all(&plain).await;
    let got = fetch_all(&compressed).await;
    assert_eq!(expected.len(), 200);
    assert!(
        expected
            .iter()
            .all(|m| m.envelope.is_some() && m.body().is_some_and(|b| !b.is_empty())),
        "ENVELOPE and BODY[] came back"
    );
    assert_eq!(
        got, expected,
        "the same responses over the compressed stream"
    );
    compressed.logout().await.expect("logout");
}

async fn fetch_after_compress_returns_the_same_data_plaintext(server: &'static dyn TestServer) {
    same_data_with_and_without_compression(server, TlsMode::Plaintext).await;
}

async fn fetch_after_compress_returns_the_same_data_over_tls(server: &'static dyn TestServer) {
    same_data_with_and_without_compression(server, TlsMode::Implicit).await;
}

async fn idle_and_noop_work_after_compress(server: &'static dyn TestServer) {
    let user = server.new_user(3);
    let relay = Recorder::start(server.plain_port()).await;
    let watcher = ImapConnection::builder()
        .connect(server.host(), relay.port(), TlsMode::Plaintext, T)
        .await
        .expect("connect through the relay");
    watcher
        .login(&user.name, &user.password, T)
        .await
        .expect("login");
    let writer = login(server, &user, TlsMode::Plaintext).await;
    watcher.compress(T).await.expect("compress");
    assert_eq!(watcher.select("INBOX", T).await.expect("select").exists, 3);

    // The APPEND waits until the server answered IDLE (its `+`): compressed, so the relay
    // cannot read it, but with nothing else in flight the first bytes the server sends after
    // the client's IDLE are that answer.
    let (client_before, server_before) = (relay.client_text().len(), relay.server_text().len());
    let idle = tokio::spawn({
        let watcher = watcher.clone();
        async move { watcher.idle(T, CancellationToken::new()).await }
    });
    tokio::time::timeout(T, async {
        while relay.client_text().len() == client_before
            || relay.server_text().len() == server_before
        {
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    })
    .await
    .expect("the server answered IDLE");
    writer
        .append("INBOX", &[], &seed::message(4), T)
        .await
        .expect("append");
    let woke = idle.await.expect("idle task").expect("idle");
    assert_eq!(woke, IdleEvent::Exists(4));

    // DONE went out compressed and the connection goes on.
    watcher.drain_events().await;
    writer
        .append("INBOX", &[], &seed::message(5), T)
        .await
        .expect("append");
    watcher.noop(T).await.expect("noop after IDLE");
    let events = watcher.drain_events().await;
    assert!(events.contains(&TypedEvent::Exists(5)), "{events:?}");
    let fetched = watcher
        .fetch(&set("5"), &[FetchAttr::Envelope], T)
        .await
        .expect("fetch");
    assert_eq!(fetched.len(), 1);
}

async fn a_second_compress_is_refused_with_compressionactive(server: &'static dyn TestServer) {
    let user = server.new_user(1);
    let conn = login(server, &user, TlsMode::Plaintext).await;
    conn.compress(T).await.expect("compress");
    let again = conn.compress(T).await;
    // Dovecot answers `NO [COMPRESSIONACTIVE]` (RFC 4978), Cyrus `BAD [COMPRESSIONACTIVE]`.
    assert!(
        matches!(
            again,
            Err(Error::No {
                code: Some(ResponseCode::CompressionActive),
                ..
            } | Error::Bad {
                code: Some(ResponseCode::CompressionActive),
                ..
            })
        ),
        "{again:?}"
    );
    // Refused, and still usable (still compressed).
    conn.noop(T).await.expect("noop");
    assert_eq!(conn.select("INBOX", T).await.expect("select").exists, 1);
}

async fn compress_without_the_capability_is_unsupported_and_sends_nothing(
    server: &'static dyn TestServer,
) {
    // Before login neither server advertises COMPRESS=DEFLATE.
    let conn = connect(server, TlsMode::Plaintext).await;
    assert!(!conn.capabilities().has("COMPRESS=DEFLATE"));
    let result = conn.compress(T).await;
    assert!(matches!(result, Err(Error::Unsupported(_))), "{result:?}");
    conn.noop(T).await.expect("connection unaffected");
}

/// The read path stays correct while a streamed FETCH pauses it: compressed bytes already
/// read wait (bounded) until the slow consumer makes room, then decompression resumes.
async fn streaming_fetch_with_a_slow_consumer_after_compress(server: &'static dyn TestServer) {
    let user = server.new_user(300);
    let conn = login(server, &user, TlsMode::Plaintext).await;
    let expected = fetch_all(&conn).await;
    conn.compress(T).await.expect("compress");
    let (tx, mut rx) = tokio::sync::mpsc::channel::<
        daaki_imap::Result<daaki_imap::types::response::FetchResponse>,
    >(2);
    let consumer = tokio::spawn(async move {
        let mut got = Vec::new();
        while let Some(item) = rx.recv().await {
            got.push(item.expect("streamed response"));
            if got.len() % 50 == 0 {
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
        }
        got
    });
    conn.uid_fetch_streaming(&set("1:*"), &envelope_and_body(), tx, T)
        .await
        .expect("streaming fetch");
    let got = consumer.await.expect("consumer");
    assert_eq!(got, expected);
    conn.noop(T).await.expect("noop");
}

server_tests!(
    fetch_after_compress_returns_the_same_data_plaintext,
    fetch_after_compress_returns_the_same_data_over_tls,
    idle_and_noop_work_after_compress,
    a_second_compress_is_refused_with_compressionactive,
    compress_without_the_capability_is_unsupported_and_sends_nothing,
    streaming_fetch_with_a_slow_consumer_after_compress
);
