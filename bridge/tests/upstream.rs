//! The real upstream connector ([`RustlsConnector`]) against TLS servers on 127.0.0.1: the
//! upstream certificate is verified (an untrusted CA or a wrong name closes with
//! `UpstreamTlsFailed` after dialling, and nothing is piped either way), a target's
//! `extra_roots` are trusted, and an upstream that accepts TCP but never answers the TLS
//! handshake is cut off by `upstream_connect_timeout_secs`. DNS is a fake table; no packet
//! leaves loopback.

mod common;

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::Ordering::Relaxed;
use std::time::{Duration, Instant};

use common::{FakeResolver, TestTls};
use daaki_imap::wire::{CloseCode, SUBPROTOCOL};
use daaki_imap_bridge::metrics::Metrics;
use daaki_imap_bridge::upstream::RustlsConnector;
use daaki_imap_bridge::{Bridge, Config};
use futures_util::{SinkExt, StreamExt};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::mpsc;
use tokio_tungstenite::WebSocketStream;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::http::HeaderValue;
use tokio_tungstenite::tungstenite::{Bytes, Message};

const T: Duration = Duration::from_secs(10);
const GREETING: &[u8] = b"* OK [CAPABILITY IMAP4rev1] upstream greeting\r\n";
const COMMAND: &[u8] = b"a1 LOGIN user secret-password\r\n";

/// What the TLS upstream saw on one connection.
#[derive(Debug)]
enum Seen {
    /// The TLS handshake failed (the bridge refused the certificate).
    HandshakeFailed,
    /// The handshake succeeded; these application bytes arrived before the bridge closed.
    Piped(Vec<u8>),
}

/// A TLS "IMAP server" on 127.0.0.1 with the test CA's `localhost` certificate: greets every
/// connection and reports what it saw on `seen`.
async fn tls_upstream(tls: &TestTls) -> (u16, mpsc::UnboundedReceiver<Seen>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let port = listener.local_addr().expect("addr").port();
    let acceptor = tokio_rustls::TlsAcceptor::from(tls.server.clone());
    let (seen_tx, seen) = mpsc::unbounded_channel();
    tokio::spawn(async move {
        while let Ok((tcp, _)) = listener.accept().await {
            let acceptor = acceptor.clone();
            let seen_tx = seen_tx.clone();
            tokio::spawn(async move {
                let Ok(mut stream) = acceptor.accept(tcp).await else {
                    let _ = seen_tx.send(Seen::HandshakeFailed);
                    return;
                };
                let mut got = Vec::new();
                if stream.write_all(GREETING).await.is_ok() {
                    let mut buf = [0u8; 1024];
                    while let Ok(n @ 1..) = stream.read(&mut buf).await {
                        got.extend_from_slice(&buf[..n]);
                    }
                }
                let _ = seen_tx.send(Seen::Piped(got));
            });
        }
    });
    (port, seen)
}

/// A scratch file of this test process.
fn scratch(name: &str) -> std::path::PathBuf {
    std::env::temp_dir().join(format!(
        "daaki-bridge-upstream-{}-{name}",
        std::process::id()
    ))
}

/// A bridge in this process with the real [`RustlsConnector`] and one target `mail` at
/// `host:port` (`host` resolves to 127.0.0.1 in a fake table).
async fn bridge(host: &str, port: u16, extra: &str) -> (SocketAddr, Arc<Metrics>) {
    let config = Config::from_toml(&format!(
        r#"
        origins = ["*"]
        [[targets]]
        name = "mail"
        host = "{host}"
        port = {port}
        allow_private = true
        {extra}
        "#
    ))
    .expect("config");
    let connector = RustlsConnector::new(&config).expect("connector");
    let resolver = Arc::new(FakeResolver::with(host, &["127.0.0.1"]));
    let bridge = Arc::new(Bridge::with_parts(config, resolver, Arc::new(connector)));
    let metrics = bridge.metrics().clone();
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(bridge.serve(listener));
    (addr, metrics)
}

async fn connect(addr: SocketAddr) -> WebSocketStream<TcpStream> {
    let mut request = format!("ws://{addr}/imap?target=mail")
        .into_client_request()
        .expect("request");
    request.headers_mut().insert(
        "Sec-WebSocket-Protocol",
        HeaderValue::from_static(SUBPROTOCOL),
    );
    let tcp = TcpStream::connect(addr).await.expect("connect");
    tokio_tungstenite::client_async(request, tcp)
        .await
        .expect("upgrade accepted")
        .0
}

/// Reads until the bridge closes: the payload bytes that arrived before, and the close code.
async fn until_close(ws: &mut WebSocketStream<TcpStream>) -> (Vec<u8>, u16) {
    let mut payload = Vec::new();
    loop {
        let message = tokio::time::timeout(T, ws.next())
            .await
            .expect("no close within the timeout")
            .expect("stream ended without a close frame")
            .expect("websocket error");
        match message {
            Message::Binary(data) => payload.extend_from_slice(&data),
            Message::Close(frame) => {
                return (payload, frame.map(|f| u16::from(f.code)).expect("a code"));
            }
            _ => {}
        }
    }
}

async fn next_seen(seen: &mut mpsc::UnboundedReceiver<Seen>) -> Seen {
    tokio::time::timeout(T, seen.recv())
        .await
        .expect("the upstream was not dialled within the timeout")
        .expect("upstream task gone")
}

fn upstream_errors(metrics: &Metrics, kind: &str) -> String {
    let line = format!("daaki_bridge_upstream_errors_total{{kind=\"{kind}\"}} ");
    metrics
        .render()
        .lines()
        .find_map(|l| l.strip_prefix(&line).map(str::to_owned))
        .expect("the metric is rendered")
}

/// Asserts that a refused upstream session moved no payload and counted one `kind` error.
fn nothing_piped(metrics: &Metrics, kind: &str) {
    assert_eq!(metrics.bytes_client_to_upstream.load(Relaxed), 0);
    assert_eq!(metrics.bytes_upstream_to_client.load(Relaxed), 0);
    assert_eq!(metrics.sessions_total.load(Relaxed), 0);
    assert_eq!(upstream_errors(metrics, kind), "1");
}

#[tokio::test]
async fn an_untrusted_upstream_certificate_closes_with_4004_after_dialling_and_pipes_nothing() {
    let tls = TestTls::new();
    let (port, mut seen) = tls_upstream(&tls).await;
    // The certificate names `localhost`, but its CA is in neither the OS roots nor extra_roots.
    let (addr, metrics) = bridge("localhost", port, "").await;
    let mut ws = connect(addr).await;
    // The client talks at once (a browser may queue its first command): nothing of it may
    // reach the upstream.
    let _ = ws.send(Message::Binary(Bytes::from_static(COMMAND))).await;
    let (payload, code) = until_close(&mut ws).await;
    assert_eq!(code, CloseCode::UpstreamTlsFailed.as_u16());
    assert!(
        payload.is_empty(),
        "{} bytes reached the client",
        payload.len()
    );
    // Dialled: the upstream saw the TLS handshake, and the bridge refused it.
    assert!(matches!(next_seen(&mut seen).await, Seen::HandshakeFailed));
    nothing_piped(&metrics, "tls");
    assert_eq!(upstream_errors(&metrics, "connect"), "0");
}

#[tokio::test]
async fn a_trusted_certificate_for_another_name_closes_with_4004() {
    let tls = TestTls::new();
    let (port, mut seen) = tls_upstream(&tls).await;
    let roots = scratch("other-name-ca.pem");
    std::fs::write(&roots, &tls.ca_pem).expect("write");
    // The CA is trusted, but the certificate is for `localhost`, not `imap.localhost`.
    let extra = format!("extra_roots = {:?}", roots.display().to_string());
    let (addr, metrics) = bridge("imap.localhost", port, &extra).await;
    let mut ws = connect(addr).await;
    let (payload, code) = until_close(&mut ws).await;
    assert_eq!(code, CloseCode::UpstreamTlsFailed.as_u16());
    assert!(payload.is_empty());
    assert!(matches!(next_seen(&mut seen).await, Seen::HandshakeFailed));
    nothing_piped(&metrics, "tls");
    let _ = std::fs::remove_file(&roots);
}

/// The control for the two refusals above: the same upstream, with its CA in the target's
/// `extra_roots`, is reached and bytes flow both ways.
#[tokio::test]
async fn extra_roots_make_the_same_upstream_trusted_and_bytes_flow_both_ways() {
    let tls = TestTls::new();
    let (port, mut seen) = tls_upstream(&tls).await;
    let roots = scratch("trusted-ca.pem");
    std::fs::write(&roots, &tls.ca_pem).expect("write");
    let extra = format!("extra_roots = {:?}", roots.display().to_string());
    let (addr, metrics) = bridge("localhost", port, &extra).await;
    let mut ws = connect(addr).await;
    let mut greeting = Vec::new();
    while greeting.len() < GREETING.len() {
        match tokio::time::timeout(T, ws.next()).await.expect("timely") {
            Some(Ok(Message::Binary(data))) => greeting.extend_from_slice(&data),
            other => panic!("unexpected {other:?}"),
        }
    }
    assert_eq!(greeting, GREETING);
    ws.send(Message::Binary(Bytes::from_static(COMMAND)))
        .await
        .expect("send");
    ws.close(None).await.expect("close");
    match next_seen(&mut seen).await {
        Seen::Piped(got) => assert_eq!(got, COMMAND),
        Seen::HandshakeFailed => panic!("the trusted handshake failed"),
    }
    assert_eq!(metrics.sessions_total.load(Relaxed), 1);
    assert_eq!(upstream_errors(&metrics, "tls"), "0");
    let _ = std::fs::remove_file(&roots);
}

#[tokio::test]
async fn an_upstream_that_never_answers_the_tls_handshake_times_out_with_4003() {
    // Accepts TCP (so the connect succeeds) and then never says a word.
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let port = listener.local_addr().expect("addr").port();
    let (accepted_tx, mut accepted) = mpsc::unbounded_channel();
    tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((tcp, _)) = listener.accept().await {
            held.push(tcp);
            let _ = accepted_tx.send(());
        }
    });
    let (addr, metrics) = bridge(
        "localhost",
        port,
        "[limits]\nupstream_connect_timeout_secs = 1",
    )
    .await;
    let started = Instant::now();
    let mut ws = connect(addr).await;
    let (payload, code) = until_close(&mut ws).await;
    let took = started.elapsed();
    assert_eq!(code, CloseCode::UpstreamConnectFailed.as_u16());
    assert!(payload.is_empty());
    assert!(took >= Duration::from_millis(900), "closed after {took:?}");
    tokio::time::timeout(T, accepted.recv())
        .await
        .expect("the upstream was dialled")
        .expect("listener task");
    nothing_piped(&metrics, "timeout");
    assert_eq!(upstream_errors(&metrics, "tls"), "0");
}
