//! Behind reverse proxies (in this process, 127.0.0.1:0; a fake resolver and a recording
//! connector): `Forwarded` and `X-Forwarded-For` name the client only when the connection
//! comes from a `trusted_proxies` block, and the per-IP cap then counts the named client —
//! IPv6 clients per /64. From an untrusted peer the same headers are ignored (spoofing).
//! With `proxy_protocol = true`, the same for the PROXY header (version 1 and 2, written by
//! hand from HAProxy's specification here, not by the crate the bridge parses them with).

mod common;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use common::{FakeResolver, RecordingConnector};
use daaki_imap::wire::CloseCode;
use daaki_imap_bridge::metrics::{Metrics, Reason};
use daaki_imap_bridge::{Bridge, Config};
use futures_util::StreamExt;
use tokio::net::TcpStream;
use tokio_tungstenite::WebSocketStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::http::HeaderValue;

const T: Duration = Duration::from_secs(10);

async fn start(trusted: &str) -> (SocketAddr, Arc<RecordingConnector>, Arc<Metrics>) {
    start_with(trusted, "").await
}

/// As [`start`], with `extra` top-level configuration lines.
async fn start_with(
    trusted: &str,
    extra: &str,
) -> (SocketAddr, Arc<RecordingConnector>, Arc<Metrics>) {
    let config = Config::from_toml(&format!(
        r#"
        {extra}
        origins = ["*"]
        trusted_proxies = [{trusted}]
        [[targets]]
        name = "mail"
        host = "imap.example.com"
        [limits]
        max_connections_per_ip = 1
        ping_interval_secs = 0
        "#
    ))
    .expect("config");
    let connector = Arc::new(RecordingConnector::default());
    let resolver = Arc::new(FakeResolver::with("imap.example.com", &["93.184.216.34"]));
    let (addr, metrics) =
        common::serve(Bridge::with_parts(config, resolver, connector.clone())).await;
    (addr, connector, metrics)
}

/// A session from 127.0.0.1 whose request carries `header: value`.
async fn connect(
    addr: SocketAddr,
    header: &'static str,
    value: &str,
) -> WebSocketStream<TcpStream> {
    let mut request = common::ws_request(addr, "target=mail");
    request
        .headers_mut()
        .insert(header, HeaderValue::from_str(value).expect("header value"));
    let tcp = TcpStream::connect(addr).await.expect("connect");
    tokio_tungstenite::client_async(request, tcp)
        .await
        .expect("upgrade accepted")
        .0
}

/// Whether the session is piped (the upstream was dialled for it, the bridge stays quiet) or
/// closed with a code.
async fn outcome(
    ws: &mut WebSocketStream<TcpStream>,
    connector: &RecordingConnector,
    dialled_before: usize,
) -> Result<(), u16> {
    let deadline = tokio::time::Instant::now() + T;
    loop {
        if connector.calls().len() > dialled_before {
            return Ok(());
        }
        match tokio::time::timeout(Duration::from_millis(20), ws.next()).await {
            Ok(Some(Ok(Message::Close(frame)))) => {
                return Err(frame.map_or(0, |f| u16::from(f.code)));
            }
            Ok(other) => panic!("unexpected {other:?}"),
            Err(_) => assert!(
                tokio::time::Instant::now() < deadline,
                "neither piped nor closed"
            ),
        }
    }
}

/// Opens a session per `(value, expected outcome)` with `header: value`, in order, keeping
/// them all open; asserts each outcome.
async fn sessions(
    addr: SocketAddr,
    connector: &RecordingConnector,
    header: &'static str,
    cases: &[(&str, Result<(), u16>)],
) -> Vec<WebSocketStream<TcpStream>> {
    let mut open = Vec::new();
    for (value, expected) in cases {
        let before = connector.calls().len();
        let mut ws = connect(addr, header, value).await;
        assert_eq!(
            outcome(&mut ws, connector, before).await,
            *expected,
            "{value}"
        );
        open.push(ws);
    }
    open
}

#[tokio::test]
async fn x_forwarded_for_from_a_trusted_proxy_counts_each_client_on_its_own() {
    let (addr, connector, metrics) = start("\"127.0.0.1/32\"").await;
    let cases = [
        ("203.0.113.7", Ok(())),
        ("203.0.113.8", Ok(())),
        // A spoofed entry on the left is not believed past the untrusted hop.
        (
            "198.51.100.1, 203.0.113.7",
            Err(CloseCode::LimitReached.as_u16()),
        ),
    ];
    let _open = sessions(addr, &connector, "X-Forwarded-For", &cases).await;
    assert_eq!(metrics.refusals(Reason::LimitPerIp), 1);
}

#[tokio::test]
async fn forwarded_from_a_trusted_proxy_counts_ipv6_clients_per_64() {
    let (addr, connector, metrics) = start("\"127.0.0.0/8\", \"::1/128\"").await;
    let cases = [
        ("for=\"[2001:db8:0:7::1]:4711\";proto=https", Ok(())),
        // The same /64: the cap of 1 is reached.
        (
            "for=\"[2001:db8:0:7::ffff]\"",
            Err(CloseCode::LimitReached.as_u16()),
        ),
        // The next /64 is another client.
        ("for=\"[2001:db8:0:8::1]\"", Ok(())),
        ("for=192.0.2.60", Ok(())),
    ];
    let _open = sessions(addr, &connector, "Forwarded", &cases).await;
    assert_eq!(metrics.refusals(Reason::LimitPerIp), 1);
}

#[tokio::test]
async fn forwarding_headers_from_an_untrusted_peer_are_ignored() {
    let (addr, connector, metrics) = start("\"10.0.0.0/8\"").await;
    let before = connector.calls().len();
    let mut first = connect(addr, "X-Forwarded-For", "203.0.113.7").await;
    assert_eq!(outcome(&mut first, &connector, before).await, Ok(()));
    // Another claimed client, but the same real peer (127.0.0.1): the cap of 1 holds.
    for (header, value) in [
        ("X-Forwarded-For", "203.0.113.8"),
        ("Forwarded", "for=203.0.113.9"),
    ] {
        let before = connector.calls().len();
        let mut ws = connect(addr, header, value).await;
        assert_eq!(
            outcome(&mut ws, &connector, before).await,
            Err(CloseCode::LimitReached.as_u16()),
            "{header}: {value}"
        );
    }
    assert_eq!(metrics.refusals(Reason::LimitPerIp), 2);
}

/// A PROXY version 2 header (HAProxy's proxy-protocol.txt, section 2.2): the 12-byte
/// signature, version 2 with `command` (0 LOCAL, 1 PROXY), TCP over the source's family,
/// the address block's length, source and destination addresses and ports.
fn proxy_v2(command: u8, source: SocketAddr) -> Vec<u8> {
    let mut out = b"\r\n\r\n\0\r\nQUIT\n".to_vec();
    out.push(0x20 | command);
    let mut block = Vec::new();
    match source {
        SocketAddr::V4(v4) => {
            out.push(0x11);
            block.extend_from_slice(&v4.ip().octets());
            block.extend_from_slice(&[10, 0, 0, 1]);
        }
        SocketAddr::V6(v6) => {
            out.push(0x21);
            block.extend_from_slice(&v6.ip().octets());
            block.extend_from_slice(&std::net::Ipv6Addr::LOCALHOST.octets());
        }
    }
    block.extend_from_slice(&source.port().to_be_bytes());
    block.extend_from_slice(&8143u16.to_be_bytes());
    out.extend_from_slice(&u16::try_from(block.len()).expect("short").to_be_bytes());
    out.extend_from_slice(&block);
    out
}

/// A PROXY version 1 line naming `source`.
fn proxy_v1(source: SocketAddr) -> Vec<u8> {
    let family = if source.is_ipv4() { "TCP4" } else { "TCP6" };
    let destination = if source.is_ipv4() { "10.0.0.1" } else { "::1" };
    format!(
        "PROXY {family} {} {destination} {} 8143\r\n",
        source.ip(),
        source.port()
    )
    .into_bytes()
}

fn socket(text: &str) -> SocketAddr {
    text.parse().expect("socket address")
}

/// A session from 127.0.0.1 that first writes `header`, then upgrades (with `extra` request
/// headers).
async fn connect_proxied(
    addr: SocketAddr,
    header: &[u8],
    extra: &[(&'static str, &str)],
) -> WebSocketStream<TcpStream> {
    let mut tcp = TcpStream::connect(addr).await.expect("connect");
    tokio::io::AsyncWriteExt::write_all(&mut tcp, header)
        .await
        .expect("write the PROXY header");
    let mut request = common::ws_request(addr, "target=mail");
    for (name, value) in extra {
        request
            .headers_mut()
            .insert(*name, HeaderValue::from_str(value).expect("header value"));
    }
    tokio_tungstenite::client_async(request, tcp)
        .await
        .expect("upgrade accepted")
        .0
}

/// Opens a session per `(PROXY header, expected outcome)`, in order, keeping them all open.
async fn proxied_sessions(
    addr: SocketAddr,
    connector: &RecordingConnector,
    cases: &[(Vec<u8>, Result<(), u16>)],
) -> Vec<WebSocketStream<TcpStream>> {
    let mut open = Vec::new();
    for (header, expected) in cases {
        let before = connector.calls().len();
        let mut ws = connect_proxied(addr, header, &[]).await;
        assert_eq!(
            outcome(&mut ws, connector, before).await,
            *expected,
            "{:?}",
            String::from_utf8_lossy(header)
        );
        open.push(ws);
    }
    open
}

/// The outcome of a session refused at a cap.
const LIMIT: Result<(), u16> = Err(4006);

#[test]
fn the_limit_outcome_is_the_limit_reached_close_code() {
    assert_eq!(LIMIT, Err(CloseCode::LimitReached.as_u16()));
}

#[tokio::test]
async fn proxy_v1_from_a_trusted_proxy_counts_each_client_on_its_own() {
    let (addr, connector, metrics) = start_with("\"127.0.0.1/32\"", "proxy_protocol = true").await;
    let cases = [
        (proxy_v1(socket("203.0.113.7:50000")), Ok(())),
        (proxy_v1(socket("203.0.113.8:50000")), Ok(())),
        // The same client again (another port): the cap of 1 is reached.
        (proxy_v1(socket("203.0.113.7:50001")), LIMIT),
        // UNKNOWN names no client: counted as the peer, 127.0.0.1, its first session.
        (b"PROXY UNKNOWN\r\n".to_vec(), Ok(())),
        (b"PROXY UNKNOWN\r\n".to_vec(), LIMIT),
    ];
    let _open = proxied_sessions(addr, &connector, &cases).await;
    assert_eq!(metrics.refusals(Reason::LimitPerIp), 2);
    assert_eq!(metrics.refusals(Reason::ProxyHeader), 0);
}

#[tokio::test]
async fn proxy_v2_from_a_trusted_proxy_counts_ipv6_clients_per_64() {
    let (addr, connector, metrics) = start_with("\"127.0.0.1/32\"", "proxy_protocol = true").await;
    let cases = [
        (proxy_v2(1, socket("[2001:db8:0:7::1]:4711")), Ok(())),
        (proxy_v2(1, socket("[2001:db8:0:7::ffff]:4711")), LIMIT),
        (proxy_v2(1, socket("[2001:db8:0:8::1]:4711")), Ok(())),
        (proxy_v2(1, socket("192.0.2.60:4711")), Ok(())),
        // LOCAL (a health check of the balancer) names no client: the peer is counted.
        (proxy_v2(0, socket("192.0.2.61:4711")), Ok(())),
        (proxy_v2(0, socket("192.0.2.62:4711")), LIMIT),
    ];
    let _open = proxied_sessions(addr, &connector, &cases).await;
    assert_eq!(metrics.refusals(Reason::LimitPerIp), 2);
}

#[tokio::test]
async fn proxy_headers_from_an_untrusted_peer_are_read_and_ignored() {
    let (addr, connector, metrics) = start_with("\"10.0.0.0/8\"", "proxy_protocol = true").await;
    // Every header names another client, but they all come from 127.0.0.1: the cap of 1
    // holds after the first.
    let cases = [
        (proxy_v1(socket("203.0.113.7:1")), Ok(())),
        (proxy_v1(socket("203.0.113.8:1")), LIMIT),
        (proxy_v2(1, socket("203.0.113.9:1")), LIMIT),
        (proxy_v2(1, socket("[2001:db8::9]:1")), LIMIT),
    ];
    let _open = proxied_sessions(addr, &connector, &cases).await;
    assert_eq!(metrics.refusals(Reason::LimitPerIp), 3);
}

#[tokio::test]
async fn forwarding_headers_after_a_proxy_header_are_believed_only_from_a_trusted_source() {
    // The balancer (127.0.0.1) and an inner proxy (127.0.0.2) are trusted.
    let (addr, connector, metrics) = start_with("\"127.0.0.0/8\"", "proxy_protocol = true").await;
    let xff = |v: &'static str| vec![("X-Forwarded-For", v)];
    type Case = (
        SocketAddr,
        Vec<(&'static str, &'static str)>,
        Result<(), u16>,
    );
    let cases: [Case; 4] = [
        // From the inner proxy: X-Forwarded-For names the client.
        (socket("127.0.0.2:1"), xff("203.0.113.7"), Ok(())),
        (socket("127.0.0.2:2"), xff("203.0.113.8"), Ok(())),
        // From an untrusted source (198.51.100.1): its X-Forwarded-For is ignored, the
        // source is the client.
        (socket("198.51.100.1:1"), xff("203.0.113.9"), Ok(())),
        (socket("198.51.100.1:2"), xff("203.0.113.10"), LIMIT),
    ];
    let mut open = Vec::new();
    for (source, headers, expected) in cases {
        let before = connector.calls().len();
        let mut ws = connect_proxied(addr, &proxy_v1(source), &headers).await;
        assert_eq!(
            outcome(&mut ws, &connector, before).await,
            expected,
            "{source} {headers:?}"
        );
        open.push(ws);
    }
    assert_eq!(metrics.refusals(Reason::LimitPerIp), 1);
}

/// Sends `bytes` and returns what the bridge answers before it closes the connection (a
/// close with bytes left unread is a reset: also a close).
async fn raw_exchange(addr: SocketAddr, bytes: &[u8]) -> Vec<u8> {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut tcp = TcpStream::connect(addr).await.expect("connect");
    tcp.write_all(bytes).await.expect("write");
    let mut answer = Vec::new();
    let read = tokio::time::timeout(T, tcp.read_to_end(&mut answer))
        .await
        .expect("the bridge closes the connection");
    if let Err(error) = read {
        assert_eq!(error.kind(), std::io::ErrorKind::ConnectionReset, "{error}");
    }
    answer
}

#[tokio::test]
async fn without_a_valid_proxy_header_the_connection_is_closed_unanswered() {
    let (addr, connector, metrics) = start_with("\"127.0.0.1/32\"", "proxy_protocol = true").await;
    let request = b"GET /imap?target=mail HTTP/1.1\r\nHost: x\r\n\r\n";
    let mut bad_v2 = proxy_v2(1, socket("192.0.2.1:1"));
    bad_v2[12] = 0x2F; // an unknown command
    let mut too_long = proxy_v2(1, socket("192.0.2.1:1"));
    too_long[14..16].copy_from_slice(&2000u16.to_be_bytes());
    for bytes in [
        request.to_vec(),
        [b"PROXY TCP4 1.2.3\r\n".to_vec(), request.to_vec()].concat(),
        [bad_v2, request.to_vec()].concat(),
        too_long,
    ] {
        assert_eq!(
            raw_exchange(addr, &bytes).await,
            b"",
            "{:?}",
            String::from_utf8_lossy(&bytes)
        );
    }
    assert_eq!(metrics.refusals(Reason::ProxyHeader), 4);
    assert!(connector.calls().is_empty(), "nothing dialled");
}

#[tokio::test]
async fn a_proxy_header_that_never_ends_hits_the_handshake_timeout() {
    let config = Config::from_toml(
        r#"
        origins = ["*"]
        trusted_proxies = ["127.0.0.1/32"]
        proxy_protocol = true
        [limits]
        handshake_timeout_secs = 1
        "#,
    )
    .expect("config");
    let (addr, metrics) = common::serve(Bridge::with_parts(
        config,
        Arc::new(FakeResolver::default()),
        Arc::new(RecordingConnector::default()),
    ))
    .await;
    // A v1 header cut before its CRLF, the connection left open.
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut tcp = TcpStream::connect(addr).await.expect("connect");
    tcp.write_all(b"PROXY TCP4 192.0.2.1 10.0.0.1 1")
        .await
        .expect("write");
    let mut answer = Vec::new();
    tokio::time::timeout(T, tcp.read_to_end(&mut answer))
        .await
        .expect("closed at the handshake deadline")
        .expect("read");
    assert_eq!(answer, b"");
    assert_eq!(metrics.refusals(Reason::HandshakeTimeout), 1);
    assert_eq!(metrics.refusals(Reason::ProxyHeader), 0);
}
