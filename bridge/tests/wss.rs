//! TLS on the listener (`wss://`): a client that trusts the test CA pipes bytes through; a
//! plaintext client is dropped and counted. Everything on 127.0.0.1.

mod common;

use std::sync::Arc;
use std::time::Duration;

use common::{FakeResolver, RecordingConnector, test_tls};
use daaki_imap::wire::SUBPROTOCOL;
use daaki_imap_bridge::metrics::Reason;
use daaki_imap_bridge::{Bridge, Config};
use futures_util::{SinkExt, StreamExt};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::http::HeaderValue;
use tokio_tungstenite::tungstenite::{Bytes, Message};

const T: Duration = Duration::from_secs(10);

#[tokio::test]
async fn wss_pipes_bytes_and_a_plaintext_client_is_dropped() {
    let (server, client) = test_tls();
    let config = Config::from_toml(
        "origins = [\"*\"]\n[[targets]]\nname = \"mail\"\nhost = \"imap.example.com\"\n",
    )
    .expect("config");
    let connector = Arc::new(RecordingConnector::default());
    let resolver = Arc::new(FakeResolver::with("imap.example.com", &["93.184.216.34"]));
    let bridge =
        Arc::new(Bridge::with_parts(config, resolver, connector.clone()).with_listener_tls(server));
    let metrics = bridge.metrics().clone();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(bridge.serve(listener));

    let tcp = TcpStream::connect(addr).await.expect("connect");
    let name = rustls::pki_types::ServerName::try_from("localhost").expect("name");
    let tls = tokio_rustls::TlsConnector::from(client)
        .connect(name, tcp)
        .await
        .expect("TLS to the listener");
    let mut request = "wss://localhost/imap?target=mail"
        .into_client_request()
        .expect("request");
    request.headers_mut().insert(
        "Sec-WebSocket-Protocol",
        HeaderValue::from_static(SUBPROTOCOL),
    );
    let (mut ws, _) = tokio_tungstenite::client_async(request, tls)
        .await
        .expect("upgrade over TLS");
    let mut upstream = loop {
        if let Some(peer) = connector.take_peer() {
            break peer;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    };
    upstream.write_all(b"* OK hello\r\n").await.expect("write");
    match tokio::time::timeout(T, ws.next()).await.expect("timely") {
        Some(Ok(Message::Binary(data))) => assert_eq!(&data[..], b"* OK hello\r\n"),
        other => panic!("unexpected {other:?}"),
    }
    ws.send(Message::Binary(Bytes::from_static(b"a1 NOOP\r\n")))
        .await
        .expect("send");
    let mut got = [0u8; 9];
    upstream.read_exact(&mut got).await.expect("read");
    assert_eq!(&got, b"a1 NOOP\r\n");

    // A plaintext WebSocket request to the TLS listener never gets an HTTP answer.
    let mut plain = TcpStream::connect(addr).await.expect("connect");
    plain
        .write_all(b"GET /imap?target=mail HTTP/1.1\r\nHost: x\r\n\r\n")
        .await
        .expect("write");
    let mut buf = Vec::new();
    let _ = tokio::time::timeout(T, plain.read_to_end(&mut buf)).await;
    assert!(!buf.starts_with(b"HTTP/"), "answered in plaintext");
    let deadline = std::time::Instant::now() + T;
    while metrics.refusals(Reason::Handshake) != 1 {
        assert!(std::time::Instant::now() < deadline, "not counted");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert_eq!(connector.calls().len(), 1);
}
