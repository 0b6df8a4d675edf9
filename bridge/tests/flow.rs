//! Wire contract version 2 (flow control) over a real socket (127.0.0.1:0, this process),
//! with a fake resolver and a recording connector whose upstream is an in-memory pipe of
//! 64 KiB: negotiation, the `ready` message, credit (nothing flows without it, exactly what
//! was granted flows with it), control messages and their errors, stalls in the metrics,
//! idle stalled sessions, and a 20 MiB transfer through a small window with backpressure
//! reaching the upstream.

mod common;

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::time::{Duration, Instant};

use common::{FakeResolver, RecordingConnector};
use daaki_imap::wire::{
    BridgeTarget, CloseCode, MAX_CONTROL_LEN, MAX_WINDOW, ReceiveWindow, SUBPROTOCOL,
    SUBPROTOCOL_V2,
};
use daaki_imap_bridge::config::WireVersion;
use daaki_imap_bridge::metrics::{Metrics, Reason};
use daaki_imap_bridge::ticket::{TicketKey, unix_now};
use daaki_imap_bridge::{Bridge, Config};
use futures_util::{SinkExt, StreamExt};
use tokio::io::{AsyncReadExt, AsyncWriteExt, DuplexStream};
use tokio::net::TcpStream;
use tokio_tungstenite::WebSocketStream;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::http::HeaderValue;
use tokio_tungstenite::tungstenite::protocol::frame::coding::{Data, OpCode};
use tokio_tungstenite::tungstenite::protocol::frame::{Frame, FrameHeader};
use tokio_tungstenite::tungstenite::{Bytes, Message};

const ORIGIN: &str = "https://mail.example.com";
/// The generous bound of every wait for something that must happen.
const T: Duration = Duration::from_secs(10);
/// How long "nothing arrives" is watched for.
const QUIET: Duration = Duration::from_millis(300);
/// The capacity of the in-memory upstream pipe (`RecordingConnector`).
const PIPE: usize = 64 * 1024;
/// Both subprotocols, as a version-2 client offers them.
const BOTH: &str = "daaki-imap.v2, daaki-imap.v1";

type Ws = WebSocketStream<TcpStream>;

struct Running {
    addr: SocketAddr,
    connector: Arc<RecordingConnector>,
    metrics: Arc<Metrics>,
}

fn key() -> TicketKey {
    TicketKey::new(*b"test-secret-test-secret-test-sec").expect("key")
}

/// A bridge with targets `mail` (TLS) and `plain` (no TLS), `top` at the top of its
/// configuration and `limits` under `[limits]`.
async fn start(top: &str, limits: &str, tickets: bool) -> Running {
    let mut config = Config::from_toml(&format!(
        r#"
        {top}
        origins = ["{ORIGIN}"]
        [[targets]]
        name = "mail"
        host = "imap.example.com"
        [[targets]]
        name = "plain"
        host = "imap.example.com"
        port = 143
        tls = false
        [limits]
        {limits}
        "#
    ))
    .expect("config");
    config.listen = "127.0.0.1:0".parse().expect("addr");
    let connector = Arc::new(RecordingConnector::default());
    let resolver = Arc::new(FakeResolver::with("imap.example.com", &["93.184.216.34"]));
    let mut bridge = Bridge::with_parts(config, resolver, connector.clone());
    if tickets {
        bridge = bridge.with_ticket_key(key());
    }
    let (addr, metrics) = common::serve(bridge).await;
    Running {
        addr,
        connector,
        metrics,
    }
}

/// A WebSocket to `?{query}` offering `protocols`; the session and the subprotocol echoed.
async fn connect(addr: SocketAddr, query: &str, protocols: &str) -> (Ws, Vec<String>) {
    let mut request = format!("ws://{addr}/imap?{query}")
        .into_client_request()
        .expect("request");
    let headers = request.headers_mut();
    headers.insert("Origin", HeaderValue::from_static(ORIGIN));
    headers.insert(
        "Sec-WebSocket-Protocol",
        HeaderValue::from_str(protocols).expect("protocols"),
    );
    let tcp = TcpStream::connect(addr).await.expect("connect");
    tcp.set_nodelay(true).expect("nodelay");
    let (ws, response) = tokio_tungstenite::client_async(request, tcp)
        .await
        .expect("upgrade accepted");
    let echoed = response
        .headers()
        .get_all("Sec-WebSocket-Protocol")
        .iter()
        .map(|v| v.to_str().expect("ascii").to_owned())
        .collect();
    (ws, echoed)
}

/// The next data or close message (pings and pongs skipped).
async fn next(ws: &mut Ws) -> Message {
    loop {
        let message = tokio::time::timeout(T, ws.next())
            .await
            .expect("a message within the timeout")
            .expect("the stream ended without a close frame")
            .expect("websocket error");
        if !matches!(message, Message::Ping(_) | Message::Pong(_)) {
            return message;
        }
    }
}

/// The first message of a version-2 session: its `ready` text.
async fn ready(ws: &mut Ws) -> String {
    match next(ws).await {
        Message::Text(text) => text.as_str().to_owned(),
        other => panic!("expected the ready message first, got {other:?}"),
    }
}

/// Reads binary messages until exactly `n` bytes came (more is a failure).
async fn binary(ws: &mut Ws, n: usize) -> Vec<u8> {
    let mut out = Vec::with_capacity(n);
    while out.len() < n {
        match next(ws).await {
            Message::Binary(bytes) => out.extend_from_slice(&bytes),
            other => panic!("expected binary data, got {other:?}"),
        }
    }
    assert_eq!(out.len(), n, "more bytes than expected");
    out
}

/// Asserts that no data or close message arrives for [`QUIET`] (an absence check).
async fn nothing_arrives(ws: &mut Ws) {
    let deadline = tokio::time::Instant::now() + QUIET;
    loop {
        match tokio::time::timeout_at(deadline, ws.next()).await {
            Err(_) => return,
            Ok(Some(Ok(Message::Ping(_) | Message::Pong(_)))) => {}
            Ok(other) => panic!("expected nothing, got {other:?}"),
        }
    }
}

/// The close code the session ends with (data before it is a failure). Reads on to the
/// end, so tungstenite sends its close reply and the bridge ends the session at once.
async fn close_code(ws: &mut Ws) -> u16 {
    let code = match next(ws).await {
        Message::Close(frame) => frame.map(|f| u16::from(f.code)).expect("a close code"),
        other => panic!("expected a close frame, got {other:?}"),
    };
    let rest = async { while ws.next().await.is_some() {} };
    let _ = tokio::time::timeout(T, rest).await;
    code
}

async fn send_text(ws: &mut Ws, text: &str) {
    ws.send(Message::Text(text.into())).await.expect("send");
}

async fn grant(ws: &mut Ws, n: u64) {
    send_text(ws, &format!("credit {n}")).await;
}

/// The upstream end of the session the connector dialled last (waits for the dial).
async fn upstream(connector: &RecordingConnector) -> DuplexStream {
    let deadline = Instant::now() + T;
    loop {
        if let Some(peer) = connector.take_peer() {
            return peer;
        }
        assert!(Instant::now() < deadline, "the upstream was never dialled");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

/// Waits until `value()` is `expected`.
async fn until(what: &str, expected: u64, value: impl Fn() -> u64) {
    let deadline = Instant::now() + T;
    while value() != expected {
        assert!(
            Instant::now() < deadline,
            "{what} is {}, not {expected}",
            value()
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

/// The stall counter and gauge: (`credit_stalls_total`, `sessions_stalled`).
fn stalls(metrics: &Metrics) -> (u64, u64) {
    (
        metrics.credit_stalls_total.load(Relaxed),
        metrics.sessions_stalled.load(Relaxed),
    )
}

/// Byte `i` of the upstream's test stream: depends on the position, so a lost, repeated or
/// reordered piece shows.
fn pattern(i: usize) -> u8 {
    let i = i as u64;
    (i.wrapping_mul(2_654_435_761) >> 13) as u8 ^ (i >> 16) as u8
}

fn pattern_bytes(range: std::ops::Range<usize>) -> Vec<u8> {
    range.map(pattern).collect()
}

#[tokio::test]
async fn version_2_sends_ready_first_and_only_the_granted_bytes() {
    let bridge = start("", "", false).await;
    let (mut ws, echoed) = connect(bridge.addr, "target=mail", BOTH).await;
    assert_eq!(echoed, [SUBPROTOCOL_V2], "only daaki-imap.v2 is echoed");
    assert_eq!(ready(&mut ws).await, "ready tls=bridge");
    assert_eq!(bridge.metrics.wire_sessions(WireVersion::V2), 1);
    assert_eq!(bridge.metrics.wire_sessions(WireVersion::V1), 0);

    // The upstream writes 100 KiB at once (it blocks once the 64 KiB pipe is full).
    const TOTAL: usize = 100 * 1024;
    let (_up_rx, mut up_tx) = tokio::io::split(upstream(&bridge.connector).await);
    let writer = tokio::spawn(async move {
        up_tx
            .write_all(&pattern_bytes(0..TOTAL))
            .await
            .expect("write");
        up_tx
    });
    // No credit, nothing: and waiting for the first grant is no stall.
    nothing_arrives(&mut ws).await;
    assert_eq!(stalls(&bridge.metrics), (0, 0));

    // Exactly the grant, then nothing: the session stalled.
    grant(&mut ws, 1000).await;
    assert_eq!(binary(&mut ws, 1000).await, pattern_bytes(0..1000));
    until("the stall gauge", 1, || {
        bridge.metrics.sessions_stalled.load(Relaxed)
    })
    .await;
    assert_eq!(stalls(&bridge.metrics), (1, 1));
    nothing_arrives(&mut ws).await;

    // The rest, granted exactly: every byte, in order; spent to zero, it stalls again.
    // (The count reaching 2 shows the grant ended the first stall: a stalled session is
    // not counted again.)
    grant(&mut ws, (TOTAL - 1000) as u64).await;
    assert_eq!(
        binary(&mut ws, TOTAL - 1000).await,
        pattern_bytes(1000..TOTAL)
    );
    until("the stall count", 2, || {
        bridge.metrics.credit_stalls_total.load(Relaxed)
    })
    .await;
    assert_eq!(stalls(&bridge.metrics), (2, 1));
    until("bytes to the client", TOTAL as u64, || {
        bridge.metrics.bytes_upstream_to_client.load(Relaxed)
    })
    .await;

    // One byte of credit: the stall ends (the count stays), and the bridge reads again, so
    // it sees the upstream close.
    let up_tx = writer.await.expect("writer");
    grant(&mut ws, 1).await;
    until("the stall gauge", 0, || {
        bridge.metrics.sessions_stalled.load(Relaxed)
    })
    .await;
    assert_eq!(stalls(&bridge.metrics), (2, 0));
    drop(up_tx);
    drop(_up_rx);
    assert_eq!(
        close_code(&mut ws).await,
        CloseCode::UpstreamClosed.as_u16()
    );
}

#[tokio::test]
async fn a_plaintext_upstream_is_announced_as_tls_none() {
    let bridge = start("", "", false).await;
    let (mut ws, echoed) = connect(bridge.addr, "target=plain", BOTH).await;
    assert_eq!(echoed, [SUBPROTOCOL_V2]);
    assert_eq!(ready(&mut ws).await, "ready tls=none");
    assert!(!bridge.connector.calls()[0].tls);
}

#[tokio::test]
async fn the_client_to_upstream_direction_needs_no_credit_in_version_2() {
    let bridge = start("", "", false).await;
    let (mut ws, _) = connect(bridge.addr, "target=mail", BOTH).await;
    assert_eq!(ready(&mut ws).await, "ready tls=bridge");
    let mut up = upstream(&bridge.connector).await;
    let payload = pattern_bytes(0..200 * 1024);
    ws.send(Message::Binary(Bytes::from(payload.clone())))
        .await
        .expect("send");
    let mut got = vec![0; payload.len()];
    tokio::time::timeout(T, up.read_exact(&mut got))
        .await
        .expect("in time")
        .expect("read");
    assert!(got == payload, "the upstream got other bytes");
}

#[tokio::test]
async fn a_version_1_client_gets_version_1_without_text_or_credit() {
    let bridge = start("", "", false).await;
    let (mut ws, echoed) = connect(bridge.addr, "target=mail", SUBPROTOCOL).await;
    assert_eq!(echoed, [SUBPROTOCOL]);
    let mut up = upstream(&bridge.connector).await;
    let data = pattern_bytes(0..100 * 1024);
    let written = data.clone();
    let writer = tokio::spawn(async move {
        up.write_all(&written).await.expect("write");
        up
    });
    // The first frame is data: no `ready`, and no credit needed.
    assert_eq!(binary(&mut ws, data.len()).await, data);
    let _up = writer.await.expect("writer");
    assert_eq!(stalls(&bridge.metrics), (0, 0));
    assert_eq!(bridge.metrics.wire_sessions(WireVersion::V1), 1);
    assert_eq!(bridge.metrics.wire_sessions(WireVersion::V2), 0);
    // A credit message is a text frame like any other in version 1: a protocol error.
    grant(&mut ws, 5).await;
    assert_eq!(close_code(&mut ws).await, CloseCode::ProtocolError.as_u16());
}

#[tokio::test]
async fn a_bridge_with_wire_versions_1_answers_version_1_to_a_version_2_client() {
    let bridge = start("wire_versions = [1]", "", true).await;
    let mail = BridgeTarget::named("mail").expect("name");
    // The version-2 token is no ticket entry either: the ticket is the only other one.
    let ticket = key().mint(&mail, unix_now() + 300);
    let (mut ws, echoed) = connect(bridge.addr, "target=mail", &format!("{BOTH}, {ticket}")).await;
    assert_eq!(echoed, [SUBPROTOCOL]);
    let mut up = upstream(&bridge.connector).await;
    up.write_all(b"* OK hello\r\n").await.expect("write");
    assert_eq!(binary(&mut ws, 12).await, b"* OK hello\r\n");
    assert_eq!(bridge.metrics.wire_sessions(WireVersion::V1), 1);
    assert_eq!(bridge.metrics.wire_sessions(WireVersion::V2), 0);
}

#[tokio::test]
async fn a_version_2_client_with_a_ticket_is_admitted() {
    let bridge = start("", "", true).await;
    let mail = BridgeTarget::named("mail").expect("name");
    let ticket = key().mint(&mail, unix_now() + 300);
    let (mut ws, echoed) = connect(bridge.addr, "target=mail", &format!("{ticket}, {BOTH}")).await;
    assert_eq!(echoed, [SUBPROTOCOL_V2]);
    assert_eq!(ready(&mut ws).await, "ready tls=bridge");
    assert_eq!(bridge.metrics.refusals(Reason::Ticket), 0);
    // Without the ticket: the two tokens are not taken for one.
    let (mut ws, _) = connect(bridge.addr, "target=mail", BOTH).await;
    assert_eq!(close_code(&mut ws).await, CloseCode::TicketInvalid.as_u16());
    assert_eq!(bridge.metrics.refusals(Reason::Ticket), 1);
}

/// The upgrade by hand (tungstenite's client fails a handshake that echoes no subprotocol):
/// the response head and the code of the close frame that follows.
async fn raw_refusal(addr: SocketAddr, protocols: &str) -> (String, u16) {
    let mut tcp = TcpStream::connect(addr).await.expect("connect");
    let request = format!(
        "GET /imap?target=mail HTTP/1.1\r\nHost: {addr}\r\nOrigin: {ORIGIN}\r\n\
         Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\n\
         Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Protocol: {protocols}\r\n\r\n"
    );
    tcp.write_all(request.as_bytes()).await.expect("write");
    let mut read = Vec::new();
    let mut buf = [0; 1024];
    let head_end = loop {
        if let Some(at) = read.windows(4).position(|w| w == b"\r\n\r\n") {
            break at + 4;
        }
        let n = tokio::time::timeout(T, tcp.read(&mut buf))
            .await
            .expect("in time")
            .expect("read");
        assert_ne!(n, 0, "closed before the response");
        read.extend_from_slice(&buf[..n]);
    };
    while read.len() < head_end + 4 {
        let n = tokio::time::timeout(T, tcp.read(&mut buf))
            .await
            .expect("in time")
            .expect("read");
        assert_ne!(n, 0, "closed before the close frame");
        read.extend_from_slice(&buf[..n]);
    }
    let head = String::from_utf8_lossy(&read[..head_end]).into_owned();
    let frame = &read[head_end..];
    assert_eq!(frame[0], 0x88, "a close frame");
    (head, u16::from_be_bytes([frame[2], frame[3]]))
}

#[tokio::test]
async fn a_bridge_with_wire_versions_2_refuses_version_1_clients() {
    let bridge = start("wire_versions = [2]", "", false).await;
    let (head, code) = raw_refusal(bridge.addr, SUBPROTOCOL).await;
    assert!(head.starts_with("HTTP/1.1 101"), "{head}");
    assert!(
        !head.to_ascii_lowercase().contains("sec-websocket-protocol"),
        "{head}"
    );
    assert_eq!(code, CloseCode::SubprotocolRequired.as_u16());
    assert_eq!(bridge.metrics.refusals(Reason::Subprotocol), 1);
    assert!(bridge.connector.calls().is_empty());
    // A version-2 client is served.
    let (mut ws, echoed) = connect(bridge.addr, "target=mail", BOTH).await;
    assert_eq!(echoed, [SUBPROTOCOL_V2]);
    assert_eq!(ready(&mut ws).await, "ready tls=bridge");
}

#[tokio::test]
async fn version_2_only_offered_to_a_version_1_bridge_is_refused() {
    let bridge = start("wire_versions = [1]", "", false).await;
    let (head, code) = raw_refusal(bridge.addr, SUBPROTOCOL_V2).await;
    assert!(head.starts_with("HTTP/1.1 101"), "{head}");
    assert_eq!(code, CloseCode::SubprotocolRequired.as_u16());
    assert_eq!(bridge.metrics.refusals(Reason::Subprotocol), 1);
}

/// A version-2 session on `bridge` that got its `ready`, and its upstream end.
async fn v2_session(bridge: &Running) -> (Ws, DuplexStream) {
    let (mut ws, echoed) = connect(bridge.addr, "target=mail", BOTH).await;
    assert_eq!(echoed, [SUBPROTOCOL_V2]);
    assert_eq!(ready(&mut ws).await, "ready tls=bridge");
    let up = upstream(&bridge.connector).await;
    (ws, up)
}

#[tokio::test]
async fn credit_may_reach_max_window_and_one_byte_more_is_a_protocol_error() {
    let bridge = start("", "", false).await;
    let (mut ws, mut up) = v2_session(&bridge).await;
    grant(&mut ws, u64::from(MAX_WINDOW)).await;
    up.write_all(b"abc").await.expect("write");
    assert_eq!(binary(&mut ws, 3).await, b"abc");
    // Three bytes spent: granting them again is exactly the maximum again.
    grant(&mut ws, 3).await;
    up.write_all(b"d").await.expect("write");
    assert_eq!(binary(&mut ws, 1).await, b"d");
    grant(&mut ws, 2).await;
    assert_eq!(close_code(&mut ws).await, CloseCode::ProtocolError.as_u16());
    until("protocol refusals", 1, || {
        bridge.metrics.refusals(Reason::Protocol)
    })
    .await;
}

#[tokio::test]
async fn malformed_credit_and_a_ready_from_the_client_are_protocol_errors() {
    let bridge = start("", "", false).await;
    let over = format!("credit {}", u64::from(MAX_WINDOW) + 1);
    let cases = [
        "credit",
        "credit ",
        "credit 0",
        "credit -1",
        "credit abc",
        "credit 1 2",
        over.as_str(),
        " credit 1",
        "ready",
        "ready tls=bridge",
    ];
    for (i, message) in cases.iter().enumerate() {
        let (mut ws, _up) = v2_session(&bridge).await;
        send_text(&mut ws, message).await;
        assert_eq!(
            close_code(&mut ws).await,
            CloseCode::ProtocolError.as_u16(),
            "{message:?}"
        );
        until("protocol refusals", i as u64 + 1, || {
            bridge.metrics.refusals(Reason::Protocol)
        })
        .await;
    }
}

#[tokio::test]
async fn unknown_messages_up_to_max_control_len_are_ignored_and_one_byte_more_is_an_error() {
    let bridge = start("", "", false).await;
    let (mut ws, mut up) = v2_session(&bridge).await;
    send_text(&mut ws, "pause x=1").await;
    let longest = format!("x{}", " ".repeat(MAX_CONTROL_LEN - 1));
    send_text(&mut ws, &longest).await;
    // Still running, and those granted nothing.
    up.write_all(&pattern_bytes(0..10)).await.expect("write");
    nothing_arrives(&mut ws).await;
    grant(&mut ws, 5).await;
    assert_eq!(binary(&mut ws, 5).await, pattern_bytes(0..5));
    nothing_arrives(&mut ws).await;
    send_text(&mut ws, &format!("{longest} ")).await;
    assert_eq!(close_code(&mut ws).await, CloseCode::ProtocolError.as_u16());
    until("protocol refusals", 1, || {
        bridge.metrics.refusals(Reason::Protocol)
    })
    .await;
}

/// A text frame, `fin` or not, or a continuation of one.
fn text_frame(opcode: Data, fin: bool, payload: &'static [u8]) -> Message {
    let header = FrameHeader {
        is_final: fin,
        opcode: OpCode::Data(opcode),
        ..FrameHeader::default()
    };
    Message::Frame(Frame::from_payload(header, Bytes::from_static(payload)))
}

#[tokio::test]
async fn a_fragmented_credit_message_is_reassembled() {
    let bridge = start("", "", false).await;
    let (mut ws, mut up) = v2_session(&bridge).await;
    up.write_all(&pattern_bytes(0..10)).await.expect("write");
    ws.send(text_frame(Data::Text, false, b"cre"))
        .await
        .expect("send");
    ws.send(text_frame(Data::Continue, true, b"dit 5"))
        .await
        .expect("send");
    assert_eq!(binary(&mut ws, 5).await, pattern_bytes(0..5));
    nothing_arrives(&mut ws).await;
    // A message over the limit in fragments fails too.
    ws.send(text_frame(Data::Text, false, &[b'x'; MAX_CONTROL_LEN]))
        .await
        .expect("send");
    ws.send(text_frame(Data::Continue, true, b" "))
        .await
        .expect("send");
    assert_eq!(close_code(&mut ws).await, CloseCode::ProtocolError.as_u16());
}

#[tokio::test]
async fn a_stalled_session_ends_as_idle_and_leaves_the_gauge() {
    let bridge = start("", "idle_timeout_secs = 1", false).await;
    let (mut ws, mut up) = v2_session(&bridge).await;
    up.write_all(&pattern_bytes(0..100)).await.expect("write");
    grant(&mut ws, 10).await;
    assert_eq!(binary(&mut ws, 10).await, pattern_bytes(0..10));
    until("the stall gauge", 1, || {
        bridge.metrics.sessions_stalled.load(Relaxed)
    })
    .await;
    // No grant: no bytes either way, so the idle timeout ends it.
    assert_eq!(close_code(&mut ws).await, CloseCode::Timeout.as_u16());
    until("idle refusals", 1, || bridge.metrics.refusals(Reason::Idle)).await;
    until("the stall gauge", 0, || {
        bridge.metrics.sessions_stalled.load(Relaxed)
    })
    .await;
    assert_eq!(bridge.metrics.credit_stalls_total.load(Relaxed), 1);
}

#[tokio::test]
async fn grants_count_as_client_activity() {
    let bridge = start("", "idle_timeout_secs = 2", false).await;
    let (mut ws, _up) = v2_session(&bridge).await;
    // Three seconds of grants every 100 ms and no payload: past the idle timeout, the
    // session is still open (answered below), since every grant is activity.
    let started = Instant::now();
    while started.elapsed() < Duration::from_secs(3) {
        grant(&mut ws, 1).await;
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(bridge.metrics.refusals(Reason::Idle), 0);
    ws.send(Message::Ping(Bytes::from_static(b"alive")))
        .await
        .expect("send");
    loop {
        match tokio::time::timeout(T, ws.next()).await {
            Ok(Some(Ok(Message::Pong(payload)))) if &payload[..] == b"alive" => break,
            Ok(Some(Ok(Message::Ping(_) | Message::Pong(_)))) => {}
            other => panic!("expected the pong of an open session, got {other:?}"),
        }
    }
    // Without grants, the same session then ends as idle.
    assert_eq!(close_code(&mut ws).await, CloseCode::Timeout.as_u16());
}

#[tokio::test]
async fn twenty_mib_through_a_64_kib_window_arrive_whole_with_backpressure() {
    const TOTAL: usize = 20 * 1024 * 1024;
    const WINDOW: u32 = 64 * 1024;
    let bridge = start("", "", false).await;
    let (mut ws, up) = v2_session(&bridge).await;
    let (up_rx, mut up_tx) = tokio::io::split(up);
    // The upstream writes as fast as the pipe takes it; `written` counts what it took.
    let written = Arc::new(AtomicU64::new(0));
    let counter = written.clone();
    let writer = tokio::spawn(async move {
        let mut at = 0;
        while at < TOTAL {
            let end = (at + 8192).min(TOTAL);
            up_tx
                .write_all(&pattern_bytes(at..end))
                .await
                .expect("write");
            counter.store(end as u64, Relaxed);
            at = end;
        }
        drop(up_tx);
    });
    // The client: the real receive window (grants a quarter of it as it is consumed), and
    // it fails if the bridge ever sends more than granted.
    let mut window = ReceiveWindow::new(WINDOW);
    send_text(&mut ws, &window.initial().to_string()).await;
    let mut received = 0;
    let mut since_pause = 0;
    while received < TOTAL {
        let bytes = match next(&mut ws).await {
            Message::Binary(bytes) => bytes,
            other => panic!("expected data at byte {received}, got {other:?}"),
        };
        window
            .received(bytes.len())
            .expect("the bridge sent no more than granted");
        for (i, byte) in bytes.iter().enumerate() {
            assert_eq!(*byte, pattern(received + i), "byte {}", received + i);
        }
        received += bytes.len();
        // Backpressure: what the upstream wrote and the client has not received is at most
        // the pipe's contents and the window (granted, not yet received: in the bridge's
        // one read or on the way). Without flow control the socket buffers would hold MiBs.
        let ahead = written.load(Relaxed).saturating_sub(received as u64);
        assert!(
            ahead <= (PIPE + WINDOW as usize) as u64,
            "the upstream is {ahead} bytes ahead of the client at byte {received}"
        );
        // A slow reader: a pause every 64 KiB.
        since_pause += bytes.len();
        if since_pause >= 64 * 1024 {
            since_pause = 0;
            tokio::time::sleep(Duration::from_millis(1)).await;
        }
        if let Some(grant) = window.consumed(bytes.len()) {
            send_text(&mut ws, &grant.to_string()).await;
        }
    }
    assert_eq!(received, TOTAL);
    writer.await.expect("writer");
    drop(up_rx);
    // With credit left the bridge reads on and sees the upstream close.
    assert_eq!(
        close_code(&mut ws).await,
        CloseCode::UpstreamClosed.as_u16()
    );
    assert_eq!(
        bridge.metrics.bytes_upstream_to_client.load(Relaxed),
        TOTAL as u64
    );
    until("the stall gauge", 0, || {
        bridge.metrics.sessions_stalled.load(Relaxed)
    })
    .await;
}

#[test]
fn the_example_configuration_shows_wire_versions_and_its_default() {
    let example = include_str!("../bridge.example.toml");
    assert!(
        example
            .lines()
            .any(|l| l.starts_with("wire_versions = [1, 2]")),
        "bridge.example.toml does not show wire_versions"
    );
    let config = Config::from_toml(example).expect("valid");
    assert_eq!(config.wire_versions, WireVersion::ALL);
    assert_eq!(Config::empty().wire_versions, WireVersion::ALL);
}
