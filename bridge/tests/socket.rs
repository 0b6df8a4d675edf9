//! The bridge over a real socket (bound to 127.0.0.1:0 in this process), with a fake resolver
//! and an in-memory upstream: the handshake checks, close codes, and the pipe itself.

mod common;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use common::{FakeResolver, RecordingConnector};
use daaki_imap::wire::{CloseCode, SUBPROTOCOL};
use daaki_imap_bridge::{Bridge, Config};
use futures_util::{SinkExt, StreamExt};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio_tungstenite::WebSocketStream;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::http::HeaderValue;
use tokio_tungstenite::tungstenite::{self, Bytes, Message};

const ORIGIN: &str = "https://mail.example.com";
const T: Duration = Duration::from_secs(10);

struct Running {
    addr: SocketAddr,
    connector: Arc<RecordingConnector>,
}

async fn start() -> Running {
    let mut config = Config::from_toml(
        r#"
        origins = ["https://mail.example.com"]
        [[targets]]
        name = "mail"
        host = "imap.example.com"
        "#,
    )
    .expect("config");
    config.listen = "127.0.0.1:0".parse().expect("addr");
    let connector = Arc::new(RecordingConnector::default());
    let resolver = Arc::new(FakeResolver::with("imap.example.com", &["93.184.216.34"]));
    let bridge = Arc::new(Bridge::with_parts(config, resolver, connector.clone()));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(bridge.serve(listener));
    Running { addr, connector }
}

async fn handshake(
    addr: SocketAddr,
    query: &str,
    origin: Option<&str>,
    protocols: Option<&str>,
) -> Result<
    (
        WebSocketStream<TcpStream>,
        tungstenite::handshake::client::Response,
    ),
    tungstenite::Error,
> {
    let mut request = format!("ws://{addr}/imap?{query}")
        .into_client_request()
        .expect("request");
    if let Some(origin) = origin {
        request
            .headers_mut()
            .insert("Origin", HeaderValue::from_str(origin).expect("origin"));
    }
    if let Some(protocols) = protocols {
        request.headers_mut().insert(
            "Sec-WebSocket-Protocol",
            HeaderValue::from_str(protocols).expect("protocols"),
        );
    }
    let tcp = TcpStream::connect(addr).await.expect("connect");
    tokio_tungstenite::client_async(request, tcp).await
}

/// The close code the bridge ends the session with (skipping data frames).
async fn close_code(ws: &mut WebSocketStream<TcpStream>) -> u16 {
    loop {
        let message = tokio::time::timeout(T, ws.next())
            .await
            .expect("no close within the timeout")
            .expect("stream ended without a close frame")
            .expect("websocket error");
        if let Message::Close(frame) = message {
            return frame
                .map(|f| u16::from(f.code))
                .expect("close frame has a code");
        }
    }
}

fn http_status(result: Result<impl std::fmt::Debug, tungstenite::Error>) -> u16 {
    match result {
        Err(tungstenite::Error::Http(response)) => response.status().as_u16(),
        other => panic!("expected an HTTP refusal, got {other:?}"),
    }
}

#[tokio::test]
async fn a_bad_or_missing_origin_gets_403_before_the_upgrade() {
    let bridge = start().await;
    let bad = handshake(
        bridge.addr,
        "target=mail",
        Some("https://evil.example"),
        Some(SUBPROTOCOL),
    )
    .await;
    assert_eq!(http_status(bad), 403);
    let missing = handshake(bridge.addr, "target=mail", None, Some(SUBPROTOCOL)).await;
    assert_eq!(http_status(missing), 403);
    assert!(bridge.connector.calls().is_empty());
}

#[tokio::test]
async fn a_missing_subprotocol_is_accepted_then_closed_with_its_code() {
    let bridge = start().await;
    let (mut ws, response) = handshake(bridge.addr, "target=mail", Some(ORIGIN), None)
        .await
        .expect("upgrade accepted");
    assert!(response.headers().get("Sec-WebSocket-Protocol").is_none());
    assert_eq!(
        close_code(&mut ws).await,
        CloseCode::SubprotocolRequired.as_u16()
    );
    assert!(bridge.connector.calls().is_empty());
}

#[tokio::test]
async fn a_bad_or_unknown_target_is_accepted_then_closed_with_its_code() {
    let bridge = start().await;
    for (query, code) in [
        ("", CloseCode::BadRequest),
        ("target=a%2", CloseCode::BadRequest),
        ("target=other", CloseCode::TargetNotAllowed),
        (
            "host=imap.example.com&port=993",
            CloseCode::TargetNotAllowed,
        ),
    ] {
        let (mut ws, _) = handshake(bridge.addr, query, Some(ORIGIN), Some(SUBPROTOCOL))
            .await
            .expect("upgrade accepted");
        assert_eq!(close_code(&mut ws).await, code.as_u16(), "{query:?}");
    }
    assert!(bridge.connector.calls().is_empty());
}

#[tokio::test]
async fn only_the_versioned_subprotocol_entry_is_echoed_never_the_ticket() {
    let bridge = start().await;
    let offered = format!("AbC-123_xyz, {SUBPROTOCOL}");
    let (mut ws, response) = handshake(bridge.addr, "target=mail", Some(ORIGIN), Some(&offered))
        .await
        .expect("upgrade accepted");
    let echoed = response
        .headers()
        .get_all("Sec-WebSocket-Protocol")
        .iter()
        .map(|v| v.to_str().expect("ascii").to_owned())
        .collect::<Vec<_>>();
    assert_eq!(echoed, vec![SUBPROTOCOL.to_owned()]);
    ws.close(None).await.expect("close");
}

#[tokio::test]
async fn bytes_pass_unchanged_both_ways_and_upstream_close_is_reported() {
    let bridge = start().await;
    let (mut ws, _) = handshake(bridge.addr, "target=mail", Some(ORIGIN), Some(SUBPROTOCOL))
        .await
        .expect("upgrade accepted");
    // The upstream greets first, in a chunk larger than one bridge frame.
    let greeting: Vec<u8> = (0..40_000u32).map(|i| (i % 251) as u8).collect();
    let mut upstream = loop {
        if let Some(peer) = bridge.connector.take_peer() {
            break peer;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    };
    upstream.write_all(&greeting).await.expect("write");
    let mut received = Vec::new();
    while received.len() < greeting.len() {
        match tokio::time::timeout(T, ws.next()).await.expect("timely") {
            Some(Ok(Message::Binary(data))) => {
                assert!(data.len() <= daaki_imap_bridge::pipe::UPSTREAM_CHUNK);
                received.extend_from_slice(&data);
            }
            other => panic!("unexpected {other:?}"),
        }
    }
    assert_eq!(received, greeting);
    // Client bytes in arbitrary frame boundaries arrive as one stream.
    for part in [&b"a1 NOOP"[..], b"\r\n", b"a2 LOG", b"OUT\r\n"] {
        ws.send(Message::Binary(Bytes::copy_from_slice(part)))
            .await
            .expect("send");
    }
    let mut got = vec![0u8; 20];
    upstream.read_exact(&mut got).await.expect("read");
    assert_eq!(&got, b"a1 NOOP\r\na2 LOGOUT\r\n");
    let calls = bridge.connector.calls();
    assert_eq!(calls.len(), 1);
    assert_eq!(calls[0].host, "imap.example.com");
    drop(upstream);
    assert_eq!(
        close_code(&mut ws).await,
        CloseCode::UpstreamClosed.as_u16()
    );
}

#[tokio::test]
async fn a_text_frame_closes_with_the_protocol_error_code() {
    let bridge = start().await;
    let (mut ws, _) = handshake(bridge.addr, "target=mail", Some(ORIGIN), Some(SUBPROTOCOL))
        .await
        .expect("upgrade accepted");
    ws.send(Message::text("a1 NOOP\r\n")).await.expect("send");
    assert_eq!(close_code(&mut ws).await, CloseCode::ProtocolError.as_u16());
}

#[tokio::test]
async fn a_wrong_path_gets_404() {
    let bridge = start().await;
    let mut request = format!("ws://{}/other?target=mail", bridge.addr)
        .into_client_request()
        .expect("request");
    request
        .headers_mut()
        .insert("Origin", HeaderValue::from_static(ORIGIN));
    let tcp = TcpStream::connect(bridge.addr).await.expect("connect");
    assert_eq!(
        http_status(tokio_tungstenite::client_async(request, tcp).await),
        404
    );
}
