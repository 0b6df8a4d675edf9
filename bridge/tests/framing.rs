//! The bridge's own WebSocket framing over a real socket (127.0.0.1:0, this process; an
//! in-memory upstream): frames sent together with the upgrade request, fragmented messages
//! with control frames between the fragments, pings answered, the client's close echoed,
//! framing violations and over-size messages closed with their codes. The client writes
//! hand-built frames (tungstenite, the reference client, would never send the bad ones) and
//! reads the bridge's frames with tungstenite.

mod common;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use common::{FakeResolver, RecordingConnector};
use daaki_imap::wire::CloseCode;
use daaki_imap_bridge::metrics::{Metrics, Reason};
use daaki_imap_bridge::{Bridge, Config};
use futures_util::StreamExt;
use tokio::io::{AsyncReadExt, AsyncWriteExt, DuplexStream};
use tokio::net::TcpStream;
use tokio_tungstenite::WebSocketStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::protocol::Role;

const T: Duration = Duration::from_secs(10);
const MASK: [u8; 4] = [0x37, 0xfa, 0x21, 0x3d];

struct Running {
    addr: SocketAddr,
    connector: Arc<RecordingConnector>,
    metrics: Arc<Metrics>,
}

async fn start(limits: &str) -> Running {
    let mut config = Config::from_toml(&format!(
        r#"
        origins = ["https://mail.example.com"]
        [[targets]]
        name = "mail"
        host = "imap.example.com"
        [limits]
        ping_interval_secs = 0
        {limits}
        "#
    ))
    .expect("config");
    config.listen = "127.0.0.1:0".parse().expect("addr");
    let connector = Arc::new(RecordingConnector::default());
    let resolver = Arc::new(FakeResolver::with("imap.example.com", &["93.184.216.34"]));
    let (addr, metrics) =
        common::serve(Bridge::with_parts(config, resolver, connector.clone())).await;
    Running {
        addr,
        connector,
        metrics,
    }
}

/// A client frame: FIN and opcode in `first`, masked with [`MASK`].
fn masked(first: u8, payload: &[u8]) -> Vec<u8> {
    let mut frame = vec![first];
    match payload.len() {
        n @ 0..=125 => frame.push(0x80 | n as u8),
        n @ 126..=65535 => {
            frame.push(0x80 | 126);
            frame.extend_from_slice(&(n as u16).to_be_bytes());
        }
        n => {
            frame.push(0x80 | 127);
            frame.extend_from_slice(&(n as u64).to_be_bytes());
        }
    }
    frame.extend_from_slice(&MASK);
    frame.extend(payload.iter().enumerate().map(|(i, b)| b ^ MASK[i % 4]));
    frame
}

/// Upgrades a raw connection, writing `early` right behind the request (before the
/// response), and returns it as a tungstenite client stream for reading the bridge's frames.
async fn upgrade(addr: SocketAddr, early: &[u8]) -> WebSocketStream<TcpStream> {
    let mut tcp = TcpStream::connect(addr).await.expect("connect");
    let request = "GET /imap?target=mail HTTP/1.1\r\nHost: bridge\r\nUpgrade: websocket\r\n\
                   Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\
                   Sec-WebSocket-Version: 13\r\nSec-WebSocket-Protocol: daaki-imap.v1\r\n\
                   Origin: https://mail.example.com\r\n\r\n";
    tcp.write_all(&[request.as_bytes(), early].concat())
        .await
        .expect("write");
    let mut head = Vec::new();
    while !head.ends_with(b"\r\n\r\n") {
        let mut byte = [0u8; 1];
        tcp.read_exact(&mut byte).await.expect("response");
        head.push(byte[0]);
    }
    let head = String::from_utf8(head).expect("utf-8");
    assert!(head.starts_with("HTTP/1.1 101"), "{head}");
    WebSocketStream::from_raw_socket(tcp, Role::Client, None).await
}

async fn upstream_of(running: &Running) -> DuplexStream {
    let deadline = tokio::time::Instant::now() + T;
    loop {
        if let Some(peer) = running.connector.take_peer() {
            return peer;
        }
        assert!(tokio::time::Instant::now() < deadline, "never dialled");
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}

/// Reads exactly `n` bytes from the upstream end.
async fn upstream_reads(upstream: &mut DuplexStream, n: usize) -> Vec<u8> {
    let mut got = vec![0u8; n];
    tokio::time::timeout(T, upstream.read_exact(&mut got))
        .await
        .expect("timely")
        .expect("read");
    got
}

/// The next message from the bridge that is not a data frame.
async fn next_control(ws: &mut WebSocketStream<TcpStream>) -> Message {
    loop {
        let message = tokio::time::timeout(T, ws.next())
            .await
            .expect("timely")
            .expect("not ended")
            .expect("no error");
        if !matches!(message, Message::Binary(_)) {
            return message;
        }
    }
}

fn close_code(message: &Message) -> Option<u16> {
    match message {
        Message::Close(frame) => frame.as_ref().map(|f| u16::from(f.code)),
        _ => None,
    }
}

/// Waits until the end of the upstream's stream (the bridge shut it down).
async fn upstream_ends(upstream: &mut DuplexStream) -> Vec<u8> {
    let mut rest = Vec::new();
    tokio::time::timeout(T, upstream.read_to_end(&mut rest))
        .await
        .expect("the upstream was shut down")
        .expect("read");
    rest
}

#[tokio::test]
async fn a_frame_sent_together_with_the_upgrade_request_is_forwarded() {
    let bridge = start("").await;
    let _ws = upgrade(bridge.addr, &masked(0x82, b"a NOOP\r\n")).await;
    let mut upstream = upstream_of(&bridge).await;
    assert_eq!(upstream_reads(&mut upstream, 8).await, b"a NOOP\r\n");
}

#[tokio::test]
async fn a_fragmented_message_arrives_whole_and_a_ping_between_fragments_is_answered() {
    let bridge = start("").await;
    let mut ws = upgrade(bridge.addr, b"").await;
    let mut upstream = upstream_of(&bridge).await;
    let frames = [
        masked(0x02, b"a1 LOG"),        // binary, not final
        masked(0x89, b"are you there"), // ping between the fragments
        masked(0x00, b"IN user "),      // continuation
        masked(0x8A, b"unsolicited"),   // a pong: ignored
        masked(0x80, b"pass\r\n"),      // final continuation
    ];
    ws.get_mut()
        .write_all(&frames.concat())
        .await
        .expect("write");
    assert_eq!(
        upstream_reads(&mut upstream, 20).await,
        b"a1 LOGIN user pass\r\n"
    );
    match next_control(&mut ws).await {
        Message::Pong(payload) => assert_eq!(&payload[..], b"are you there"),
        other => panic!("expected the pong, got {other:?}"),
    }
    // Bytes go on flowing both ways after it.
    upstream.write_all(b"a1 OK\r\n").await.expect("write");
    match tokio::time::timeout(T, ws.next()).await.expect("timely") {
        Some(Ok(Message::Binary(data))) => assert_eq!(&data[..], b"a1 OK\r\n"),
        other => panic!("unexpected {other:?}"),
    }
}

#[tokio::test]
async fn the_clients_close_is_echoed_with_its_code_and_the_upstream_shut_down() {
    let bridge = start("").await;
    let mut ws = upgrade(bridge.addr, b"").await;
    let mut upstream = upstream_of(&bridge).await;
    let mut close = 1000u16.to_be_bytes().to_vec();
    close.extend_from_slice(b"bye");
    ws.get_mut()
        .write_all(&[masked(0x82, b"z LOGOUT\r\n"), masked(0x88, &close)].concat())
        .await
        .expect("write");
    assert_eq!(upstream_ends(&mut upstream).await, b"z LOGOUT\r\n");
    assert_eq!(close_code(&next_control(&mut ws).await), Some(1000));
    assert_eq!(bridge.metrics.refusals(Reason::Protocol), 0);
}

/// Sends `bytes` after the upgrade; the bridge must close with `code`, count `reason`, and
/// the upstream must receive exactly `forwarded` before being shut down.
async fn closes_with(
    limits: &str,
    bytes: &[u8],
    code: CloseCode,
    reason: Reason,
    forwarded: &[u8],
) {
    let bridge = start(limits).await;
    let mut ws = upgrade(bridge.addr, b"").await;
    let mut upstream = upstream_of(&bridge).await;
    ws.get_mut().write_all(bytes).await.expect("write");
    assert_eq!(
        close_code(&next_control(&mut ws).await),
        Some(code.as_u16())
    );
    assert_eq!(upstream_ends(&mut upstream).await, forwarded);
    let deadline = tokio::time::Instant::now() + T;
    while bridge.metrics.refusals(reason) != 1 {
        assert!(
            tokio::time::Instant::now() < deadline,
            "{reason:?} not counted"
        );
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}

#[tokio::test]
async fn an_unmasked_frame_closes_with_the_protocol_error_code() {
    let mut unmasked = vec![0x82, 3];
    unmasked.extend_from_slice(b"abc");
    let bytes = [masked(0x82, b"ok"), unmasked].concat();
    closes_with(
        "",
        &bytes,
        CloseCode::ProtocolError,
        Reason::Protocol,
        b"ok",
    )
    .await;
}

#[tokio::test]
async fn reserved_bits_a_reserved_opcode_and_a_stray_continuation_close_with_the_protocol_error_code()
 {
    for bad in [
        masked(0xC2, b"rsv1"),
        masked(0x83, b"op3"),
        masked(0x80, b"no message open"),
    ] {
        closes_with("", &bad, CloseCode::ProtocolError, Reason::Protocol, b"").await;
    }
}

#[tokio::test]
async fn a_message_over_the_limit_in_small_fragments_closes_with_limit_reached() {
    // Each fragment is within the 1 KiB limit, the message is not: the first is forwarded
    // (fragments stream), the second is refused from its header.
    let first = vec![b'x'; 600];
    let bytes = [masked(0x02, &first), masked(0x80, &[b'y'; 600])].concat();
    closes_with(
        "max_frame_size = 1024",
        &bytes,
        CloseCode::LimitReached,
        Reason::FrameTooLarge,
        &first,
    )
    .await;
}

#[tokio::test]
async fn a_frame_over_the_limit_forwards_nothing_of_it() {
    let bytes = [masked(0x82, b"ok"), masked(0x82, &[b'z'; 1025])].concat();
    closes_with(
        "max_frame_size = 1024",
        &bytes,
        CloseCode::LimitReached,
        Reason::FrameTooLarge,
        b"ok",
    )
    .await;
}
