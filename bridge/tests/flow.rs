//! Wire contract version 2 (flow control) over a real socket (127.0.0.1:0, this process),
//! with a fake resolver and a recording connector whose upstream is an in-memory pipe of
//! 64 KiB: negotiation, the `ready` message, credit (nothing flows without it, exactly what
//! was granted flows with it), control messages and their errors, stalls in the metrics,
//! idle stalled sessions, and a 20 MiB transfer through a small window with backpressure
//! reaching the upstream. The upload window: the bridge's first grant, the upload deadlock
//! (a large upload while the server writes a reply the client has no credit for yet), the
//! upload credit's limit, grants as the upstream takes the data (with a gated upstream that
//! takes only what the test allows) and the bounded upload buffer.

mod common;

use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll, Waker};
use std::time::{Duration, Instant};

use common::{FakeResolver, RecordingConnector};
use daaki_imap::wire::{
    BridgeTarget, CloseCode, Control, DEFAULT_UPLOAD_WINDOW, MAX_CONTROL_LEN, MAX_WINDOW,
    ReceiveWindow, SUBPROTOCOL, SUBPROTOCOL_V2, SendCredit,
};
use daaki_imap_bridge::config::WireVersion;
use daaki_imap_bridge::metrics::{Metrics, Reason};
use daaki_imap_bridge::policy::{BoxFuture, BoxIo, ConnectError, Connector, Upstream};
use daaki_imap_bridge::ticket::{TicketKey, unix_now};
use daaki_imap_bridge::{Bridge, Config};
use futures_util::{SinkExt, Stream, StreamExt};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, DuplexStream, ReadBuf};
use tokio::net::TcpStream;
use tokio_tungstenite::WebSocketStream;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::http::HeaderValue;
use tokio_tungstenite::tungstenite::protocol::frame::coding::{Data, OpCode};
use tokio_tungstenite::tungstenite::protocol::frame::{Frame, FrameHeader};
use tokio_tungstenite::tungstenite::{Bytes, Error as WsError, Message};

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
    let connector = Arc::new(RecordingConnector::default());
    let (addr, metrics) = serve(top, limits, tickets, connector.clone()).await;
    Running {
        addr,
        connector,
        metrics,
    }
}

/// Serves the bridge [`start`] describes, dialling with `connector`.
async fn serve(
    top: &str,
    limits: &str,
    tickets: bool,
    connector: Arc<dyn Connector>,
) -> (SocketAddr, Arc<Metrics>) {
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
    let resolver = Arc::new(FakeResolver::with("imap.example.com", &["93.184.216.34"]));
    let mut bridge = Bridge::with_parts(config, resolver, connector);
    if tickets {
        bridge = bridge.with_ticket_key(key());
    }
    common::serve(bridge).await
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

/// The next data or close message (pings and pongs skipped), from a session or its reading
/// half.
/// Waits for the bridge's close reply, skipping the grants (text frames) it may still send
/// for upload payload the upstream took just before: a binary frame fails the test.
async fn close_reply<S>(ws: &mut S)
where
    S: Stream<Item = Result<Message, WsError>> + Unpin,
{
    loop {
        match next(ws).await {
            Message::Close(_) => return,
            Message::Text(grant) => assert!(grant.starts_with("credit "), "{grant}"),
            other => panic!("expected the close reply, got {other:?}"),
        }
    }
}

async fn next<S>(ws: &mut S) -> Message
where
    S: Stream<Item = Result<Message, WsError>> + Unpin,
{
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

/// The next message, which must be a text message.
async fn text(ws: &mut Ws) -> String {
    match next(ws).await {
        Message::Text(text) => text.as_str().to_owned(),
        other => panic!("expected a text message, got {other:?}"),
    }
}

/// The first two messages of a version-2 session: its `ready` and the upload credit the
/// bridge grants right after it.
async fn opened(ws: &mut Ws) -> (String, String) {
    (text(ws).await, text(ws).await)
}

/// What [`opened`] returns for a session to the `mail` target with the default upload window.
fn opened_mail() -> (String, String) {
    ("ready tls=bridge".into(), "credit 262144".into())
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
    assert_eq!(opened(&mut ws).await, opened_mail());
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
    assert_eq!(
        opened(&mut ws).await,
        ("ready tls=none".into(), "credit 262144".into())
    );
    assert!(!bridge.connector.calls()[0].tls);
}

#[tokio::test]
async fn the_client_may_upload_its_upload_credit_in_one_frame() {
    let bridge = start("", "", false).await;
    let (mut ws, _) = connect(bridge.addr, "target=mail", BOTH).await;
    assert_eq!(opened(&mut ws).await, opened_mail());
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
    assert_eq!(opened(&mut ws).await, opened_mail());
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
    assert_eq!(opened(&mut ws).await, opened_mail());
}

#[tokio::test]
async fn version_2_only_offered_to_a_version_1_bridge_is_refused() {
    let bridge = start("wire_versions = [1]", "", false).await;
    let (head, code) = raw_refusal(bridge.addr, SUBPROTOCOL_V2).await;
    assert!(head.starts_with("HTTP/1.1 101"), "{head}");
    assert_eq!(code, CloseCode::SubprotocolRequired.as_u16());
    assert_eq!(bridge.metrics.refusals(Reason::Subprotocol), 1);
}

/// A version-2 session on `bridge` that got its `ready` and the default upload credit, and
/// its upstream end.
async fn v2_session(bridge: &Running) -> (Ws, DuplexStream) {
    let (mut ws, echoed) = connect(bridge.addr, "target=mail", BOTH).await;
    assert_eq!(echoed, [SUBPROTOCOL_V2]);
    assert_eq!(opened(&mut ws).await, opened_mail());
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

// The upload window: the client's payload is read at all times, buffered up to the credit
// the bridge granted, and granted again as the upstream takes it.

/// The largest binary frame the test clients send.
const FRAME: usize = 16 * 1024;

/// Byte `i` of the clients' upload stream (another stream than [`pattern`]'s).
fn upload_byte(i: usize) -> u8 {
    pattern(i + 12_345_678)
}

fn upload_bytes(range: std::ops::Range<usize>) -> Vec<u8> {
    range.map(upload_byte).collect()
}

/// Sends upload bytes `range` in binary frames of at most [`FRAME`] bytes.
async fn send_upload(ws: &mut Ws, range: std::ops::Range<usize>) {
    let mut at = range.start;
    while at < range.end {
        let end = (at + FRAME).min(range.end);
        ws.send(Message::Binary(Bytes::from(upload_bytes(at..end))))
            .await
            .expect("send");
        at = end;
    }
}

/// The client payload the bridge holds now, all sessions (`upload_buffered_bytes`).
fn buffered(metrics: &Metrics) -> u64 {
    metrics.upload_buffered_bytes.load(Relaxed)
}

/// The `n` of a `credit <n>` text.
fn credit_of(text: &str) -> u64 {
    match Control::parse(text.as_bytes()) {
        Ok(Control::Credit(n)) => u64::from(n),
        other => panic!("expected a credit message, got {text:?}: {other:?}"),
    }
}

/// Pings and waits for the pong: the session is open (anything else is a failure).
async fn alive(ws: &mut Ws) {
    ws.send(Message::Ping(Bytes::from_static(b"alive")))
        .await
        .expect("send");
    loop {
        match tokio::time::timeout(T, ws.next()).await {
            Ok(Some(Ok(Message::Pong(payload)))) if &payload[..] == b"alive" => return,
            Ok(Some(Ok(Message::Ping(_) | Message::Pong(_)))) => {}
            other => panic!("expected the pong of an open session, got {other:?}"),
        }
    }
}

/// How many more bytes a gated upstream takes from the bridge, and the bridge's write waiting
/// for more.
#[derive(Default)]
struct Gate {
    state: Mutex<(u64, Option<Waker>)>,
}

impl Gate {
    /// Lets the upstream take `n` more bytes.
    fn open(&self, n: u64) {
        let mut state = self.state.lock().expect("lock");
        state.0 += n;
        if let Some(waker) = state.1.take() {
            waker.wake();
        }
    }
}

/// The bridge's end of a gated upstream: reads come from the test's end of an in-memory
/// pipe; writes take only what the gate allows (and wait while it is shut).
struct GatedIo {
    inner: DuplexStream,
    gate: Arc<Gate>,
}

impl AsyncRead for GatedIo {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.inner).poll_read(cx, buf)
    }
}

impl AsyncWrite for GatedIo {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        let this = &mut *self;
        let mut state = this.gate.state.lock().expect("lock");
        if buf.is_empty() {
            return Poll::Ready(Ok(0));
        }
        if state.0 == 0 {
            state.1 = Some(cx.waker().clone());
            return Poll::Pending;
        }
        let max = buf.len().min(usize::try_from(state.0).expect("fits"));
        let written = Pin::new(&mut this.inner).poll_write(cx, &buf[..max]);
        if let Poll::Ready(Ok(n)) = written {
            state.0 -= n as u64;
        }
        written
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}

/// Hands out gated upstreams, all behind one gate (shut at first), and keeps their other
/// ends for the test.
#[derive(Default)]
struct GatedConnector {
    gate: Arc<Gate>,
    peers: Mutex<Vec<DuplexStream>>,
}

impl Connector for GatedConnector {
    fn connect<'a>(&'a self, _: &'a Upstream) -> BoxFuture<'a, Result<BoxIo, ConnectError>> {
        let (ours, theirs) = tokio::io::duplex(PIPE);
        self.peers.lock().expect("lock").push(theirs);
        let io = GatedIo {
            inner: ours,
            gate: self.gate.clone(),
        };
        Box::pin(async move { Ok(Box::new(io) as BoxIo) })
    }
}

/// A version-2 session through a bridge with `limits` whose upstream takes only what the
/// gate allows.
struct Gated {
    ws: Ws,
    /// The upload credit the bridge granted after `ready`.
    credit: u64,
    /// The test's end of the upstream.
    up: DuplexStream,
    gate: Arc<Gate>,
    metrics: Arc<Metrics>,
}

async fn gated_session(limits: &str) -> Gated {
    let connector = Arc::new(GatedConnector::default());
    let (addr, metrics) = serve("", limits, false, connector.clone()).await;
    let (mut ws, echoed) = connect(addr, "target=mail", BOTH).await;
    assert_eq!(echoed, [SUBPROTOCOL_V2]);
    let (ready, credit) = opened(&mut ws).await;
    assert_eq!(ready, "ready tls=bridge");
    let deadline = Instant::now() + T;
    let up = loop {
        if let Some(peer) = connector.peers.lock().expect("lock").pop() {
            break peer;
        }
        assert!(Instant::now() < deadline, "the upstream was never dialled");
        tokio::time::sleep(Duration::from_millis(10)).await;
    };
    Gated {
        ws,
        credit: credit_of(&credit),
        up,
        gate: connector.gate.clone(),
        metrics,
    }
}

#[tokio::test]
async fn the_bridge_grants_its_upload_window_right_after_ready_before_any_data() {
    let bridge = start("", "", false).await;
    let (mut ws, _) = connect(bridge.addr, "target=mail", BOTH).await;
    // The client grants download credit at once and the upstream greets at once: the
    // greeting still comes after the two control messages.
    grant(&mut ws, 100).await;
    let mut up = upstream(&bridge.connector).await;
    up.write_all(b"* OK hi\r\n").await.expect("write");
    assert_eq!(
        opened(&mut ws).await,
        (
            "ready tls=bridge".into(),
            format!("credit {DEFAULT_UPLOAD_WINDOW}")
        )
    );
    assert_eq!(binary(&mut ws, 9).await, b"* OK hi\r\n");
    // A configured window is granted as configured: the smallest and the largest.
    for (limits, credit) in [
        ("upload_window = 16384", "credit 16384"),
        ("upload_window = 16777216", "credit 16777216"),
    ] {
        let bridge = start("", limits, false).await;
        let (mut ws, _) = connect(bridge.addr, "target=plain", BOTH).await;
        assert_eq!(
            opened(&mut ws).await,
            ("ready tls=none".into(), credit.to_owned()),
            "{limits}"
        );
    }
}

#[tokio::test]
async fn payload_up_to_the_upload_credit_is_held_and_one_byte_more_is_a_protocol_error() {
    const WINDOW: usize = 65_536;
    let mut s = gated_session("upload_window = 65536").await;
    assert_eq!(s.credit, WINDOW as u64);
    // The upstream takes nothing: everything stays in the bridge, in frames of any size.
    s.ws.send(Message::Binary(Bytes::from(upload_bytes(0..40_000))))
        .await
        .expect("send");
    send_upload(&mut s.ws, 40_000..WINDOW - 1).await;
    send_upload(&mut s.ws, WINDOW - 1..WINDOW).await;
    // Exactly the credit: all of it held (never more: the gauge is this session's buffer),
    // and the session is open.
    until("the upload buffer", WINDOW as u64, || buffered(&s.metrics)).await;
    alive(&mut s.ws).await;
    assert_eq!(s.metrics.refusals(Reason::Protocol), 0);
    assert_eq!(buffered(&s.metrics), WINDOW as u64);
    assert_eq!(s.metrics.bytes_client_to_upstream.load(Relaxed), 0);
    // One byte more is beyond the credit.
    send_upload(&mut s.ws, WINDOW..WINDOW + 1).await;
    assert_eq!(
        close_code(&mut s.ws).await,
        CloseCode::ProtocolError.as_u16()
    );
    until("protocol refusals", 1, || {
        s.metrics.refusals(Reason::Protocol)
    })
    .await;
    // The session's buffer leaves the gauge with it.
    until("the upload buffer", 0, || buffered(&s.metrics)).await;

    // One frame crossing the credit, on a fresh session: the same.
    let mut s = gated_session("upload_window = 65536").await;
    s.ws.send(Message::Binary(Bytes::from(upload_bytes(0..WINDOW + 1))))
        .await
        .expect("send");
    assert_eq!(
        close_code(&mut s.ws).await,
        CloseCode::ProtocolError.as_u16()
    );
    until("protocol refusals", 1, || {
        s.metrics.refusals(Reason::Protocol)
    })
    .await;
}

#[tokio::test]
async fn upload_grants_follow_what_the_upstream_takes() {
    const WINDOW: u64 = 65_536;
    const QUARTER: u64 = WINDOW / 4;
    let mut s = gated_session("upload_window = 65536").await;
    assert_eq!(s.credit, WINDOW);
    // The client sends all its credit; the upstream takes nothing yet, so no grant comes.
    let mut sent = WINDOW as usize;
    send_upload(&mut s.ws, 0..sent).await;
    until("the upload buffer", WINDOW, || buffered(&s.metrics)).await;
    nothing_arrives(&mut s.ws).await;
    // The upstream takes the data in steps: after each, the grants received add up to what
    // it took, less at most a quarter window not granted yet — never more than it took.
    let mut consumed = 0u64;
    let mut granted = 0u64;
    for step in [10_000, 10_000, 1, 30_000, 16_383, 16_384, 49_000, 7, 40_000] {
        s.gate.open(step);
        let mut got = vec![0; step as usize];
        tokio::time::timeout(T, s.up.read_exact(&mut got))
            .await
            .expect("in time")
            .expect("read");
        let from = consumed as usize;
        assert!(
            got == upload_bytes(from..from + got.len()),
            "the upstream got other bytes at {from}"
        );
        consumed += step;
        let mut credit = 0;
        while granted + QUARTER <= consumed {
            let n = credit_of(&text(&mut s.ws).await);
            granted += n;
            credit += n;
        }
        assert!(
            granted <= consumed,
            "granted {granted} for {consumed} bytes taken"
        );
        // The client sends what it was granted: the bridge holds the window less what the
        // upstream took and was not granted yet.
        send_upload(&mut s.ws, sent..sent + credit as usize).await;
        sent += credit as usize;
        until("the upload buffer", WINDOW - (consumed - granted), || {
            buffered(&s.metrics)
        })
        .await;
        assert_eq!(s.metrics.bytes_client_to_upstream.load(Relaxed), consumed);
    }
    assert!(
        consumed > 2 * WINDOW,
        "more than twice the window went through"
    );
    // Nothing more was taken, so nothing more is granted.
    nothing_arrives(&mut s.ws).await;
}

#[tokio::test]
async fn download_grants_are_read_while_the_upstream_takes_no_upload() {
    let mut s = gated_session("upload_window = 65536").await;
    // A whole window held in the bridge; the upstream takes none of it.
    send_upload(&mut s.ws, 0..65_536).await;
    until("the upload buffer", 65_536, || buffered(&s.metrics)).await;
    // The client's grant, behind all its upload data, is still read: the upstream's reply
    // flows. (Had the bridge read the client only as fast as the upstream takes its bytes,
    // it would still be writing the first of those bytes, and never see the grant.)
    s.up.write_all(&pattern_bytes(0..1000))
        .await
        .expect("write");
    grant(&mut s.ws, 1000).await;
    assert_eq!(binary(&mut s.ws, 1000).await, pattern_bytes(0..1000));
    assert_eq!(buffered(&s.metrics), 65_536);
}

#[tokio::test]
async fn held_payload_reaches_the_upstream_when_the_client_closes() {
    let mut s = gated_session("upload_window = 65536").await;
    send_upload(&mut s.ws, 0..50_000).await;
    until("the upload buffer", 50_000, || buffered(&s.metrics)).await;
    s.ws.send(Message::Close(None)).await.expect("close");
    close_reply(&mut s.ws).await;
    // The session ended; what it held still goes to the upstream, then the upstream's end.
    s.gate.open(u64::MAX / 2);
    let mut got = Vec::new();
    tokio::time::timeout(T, s.up.read_to_end(&mut got))
        .await
        .expect("in time")
        .expect("read");
    assert!(got == upload_bytes(0..50_000), "{} bytes", got.len());
    assert_eq!(s.metrics.bytes_client_to_upstream.load(Relaxed), 50_000);
    until("the upload buffer", 0, || buffered(&s.metrics)).await;
}

/// The upload deadlock: an IMAP client APPENDs a large message (LITERAL+, so it does not wait
/// for the server) while the server is still writing a large FETCH reply, and the server reads
/// nothing until that reply is out. The client reads slowly, granting download credit as it
/// reads, and uploads within its upload credit. Everything must arrive, both ways.
///
/// Against the pipe before the upload window (the bridge read the client only as fast as
/// the upstream took its bytes) this cannot finish: at the end of the first phase below the
/// upstream pipe is full and the server reads nothing until the client has its reply; the
/// bridge is blocked writing the client's upload into that pipe, so it reads no further
/// client frames, and the client's download grant was sent after its upload frames. Without
/// the grant the bridge reads none of the reply, so the server never reads again: nothing
/// moves either way, and the bounded waits below fail.
#[tokio::test]
async fn an_upload_during_a_reply_the_client_has_no_credit_for_completes() {
    const REPLY: usize = 2 * 1024 * 1024;
    const UPLOAD: usize = 4 * 1024 * 1024;
    const DOWNLOAD_WINDOW: u32 = 64 * 1024;
    const UPLOAD_WINDOW: u64 = DEFAULT_UPLOAD_WINDOW as u64;
    const TRAILER: &[u8] = b"A1 OK APPEND completed\r\n";
    let bridge = start("", "", false).await;
    let metrics = bridge.metrics.clone();
    let (ws, up) = v2_session(&bridge).await;
    let (mut up_rx, mut up_tx) = tokio::io::split(up);
    let (got_reply, reply_read) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(async move {
        up_tx
            .write_all(&pattern_bytes(0..REPLY))
            .await
            .expect("reply");
        // Nothing is read until the client has the whole reply.
        reply_read.await.expect("the client got the reply");
        let mut got = vec![0; UPLOAD];
        up_rx.read_exact(&mut got).await.expect("upload");
        assert!(got == upload_bytes(0..UPLOAD), "the server got other bytes");
        up_tx.write_all(TRAILER).await.expect("trailer");
        (up_rx, up_tx)
    });

    // The client: one task writes its frames in order (upload data and grants share the
    // socket: a grant queues behind upload data), one uploads within its upload credit, and
    // this one reads.
    let (mut sink, mut stream) = ws.split();
    let (out, mut queued) = tokio::sync::mpsc::unbounded_channel::<Message>();
    let writer = tokio::spawn(async move {
        while let Some(message) = queued.recv().await {
            sink.send(message).await.expect("send");
        }
    });
    let upload_credit = Arc::new((Mutex::new(SendCredit::new()), tokio::sync::Notify::new()));
    let grant_upload = |n: u64| {
        let n = u32::try_from(n).expect("a grant fits");
        upload_credit
            .0
            .lock()
            .expect("lock")
            .grant(n)
            .expect("never above the maximum window");
        upload_credit.1.notify_one();
    };
    grant_upload(UPLOAD_WINDOW);
    let credit = upload_credit.clone();
    let uploads = out.clone();
    let uploader = tokio::spawn(async move {
        let mut at = 0;
        while at < UPLOAD {
            let available = credit.0.lock().expect("lock").available();
            if available == 0 {
                credit.1.notified().await;
                continue;
            }
            let n = (available as usize).min(FRAME).min(UPLOAD - at);
            credit.0.lock().expect("lock").spend(n);
            uploads
                .send(Message::Binary(Bytes::from(upload_bytes(at..at + n))))
                .expect("queued");
            at += n;
        }
    });

    // Phase 1, no download credit yet: the server blocks writing its reply, the upload fills
    // the upstream pipe (64 KiB, granted again) and then the bridge's whole upload window.
    let deadline = Instant::now() + T;
    while buffered(&metrics) != UPLOAD_WINDOW {
        assert!(
            Instant::now() < deadline,
            "the bridge holds {} bytes",
            buffered(&metrics)
        );
        tokio::select! {
            message = next(&mut stream) => match message {
                Message::Text(text) => grant_upload(credit_of(&text)),
                other => panic!("expected an upload grant, got {other:?}"),
            },
            () = tokio::time::sleep(Duration::from_millis(10)) => {}
        }
    }
    assert_eq!(
        metrics.bytes_client_to_upstream.load(Relaxed),
        PIPE as u64,
        "the upstream pipe is full"
    );
    assert_eq!(metrics.bytes_upstream_to_client.load(Relaxed), 0);

    // Phase 2: the client grants download credit — after all that upload data — and reads
    // slowly, granting as it reads.
    let mut window = ReceiveWindow::new(DOWNLOAD_WINDOW);
    out.send(Message::Text(window.initial().to_string().into()))
        .expect("queued");
    let mut got_reply = Some(got_reply);
    let mut received = 0;
    let mut since_pause = 0;
    while received < REPLY + TRAILER.len() {
        let bytes = match next(&mut stream).await {
            Message::Binary(bytes) => bytes,
            Message::Text(text) => {
                grant_upload(credit_of(&text));
                continue;
            }
            other => panic!("expected data at byte {received}, got {other:?}"),
        };
        window
            .received(bytes.len())
            .expect("the bridge sent no more than granted");
        for (i, byte) in bytes.iter().enumerate() {
            let at = received + i;
            let expected = if at < REPLY {
                pattern(at)
            } else {
                TRAILER[at - REPLY]
            };
            assert_eq!(*byte, expected, "byte {at}");
        }
        received += bytes.len();
        assert!(
            buffered(&metrics) <= UPLOAD_WINDOW,
            "the bridge holds {} bytes",
            buffered(&metrics)
        );
        if received >= REPLY
            && let Some(got_reply) = got_reply.take()
        {
            got_reply.send(()).expect("the server waits");
        }
        since_pause += bytes.len();
        if since_pause >= 64 * 1024 {
            since_pause = 0;
            tokio::time::sleep(Duration::from_millis(1)).await;
        }
        if let Some(grant) = window.consumed(bytes.len()) {
            out.send(Message::Text(grant.to_string().into()))
                .expect("queued");
        }
    }
    assert_eq!(received, REPLY + TRAILER.len());
    tokio::time::timeout(T, uploader)
        .await
        .expect("in time")
        .expect("uploader");
    let _server = tokio::time::timeout(T, server)
        .await
        .expect("in time")
        .expect("the server got the whole upload");
    assert_eq!(
        metrics.bytes_client_to_upstream.load(Relaxed),
        UPLOAD as u64
    );
    assert_eq!(
        metrics.bytes_upstream_to_client.load(Relaxed),
        (REPLY + TRAILER.len()) as u64
    );
    assert_eq!(buffered(&metrics), 0);
    out.send(Message::Close(None)).expect("queued");
    drop(out);
    close_reply(&mut stream).await;
    writer.await.expect("writer");
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
