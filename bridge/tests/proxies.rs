//! Behind reverse proxies (in this process, 127.0.0.1:0; a fake resolver and a recording
//! connector): `Forwarded` and `X-Forwarded-For` name the client only when the connection
//! comes from a `trusted_proxies` block, and the per-IP cap then counts the named client —
//! IPv6 clients per /64. From an untrusted peer the same headers are ignored (spoofing).

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
    let config = Config::from_toml(&format!(
        r#"
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
