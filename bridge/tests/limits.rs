//! Tickets, limits and operations over a real socket (127.0.0.1:0, this process) with a fake
//! resolver and a recording connector: every refusal gets its documented close code, is
//! counted in the metrics, and dials nothing.

mod common;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use common::{FakeResolver, RecordingConnector};
use daaki_imap::wire::{BridgeTarget, CloseCode, SUBPROTOCOL};
use daaki_imap_bridge::metrics::{self, Metrics, Reason};
use daaki_imap_bridge::policy::{BoxFuture, BoxIo, ConnectError, Connector, Upstream};
use daaki_imap_bridge::ticket::{TicketKey, TicketSubject, unix_now};
use daaki_imap_bridge::{Bridge, Config};
use futures_util::{SinkExt, StreamExt};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::sync::oneshot;
use tokio_tungstenite::WebSocketStream;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::http::HeaderValue;
use tokio_tungstenite::tungstenite::{Bytes, Message};

const ORIGIN: &str = "https://mail.example.com";
const T: Duration = Duration::from_secs(10);

struct Running {
    addr: SocketAddr,
    connector: Arc<RecordingConnector>,
    metrics: Arc<Metrics>,
    stop: Option<oneshot::Sender<()>>,
    served: tokio::task::JoinHandle<std::io::Result<()>>,
}

fn key() -> TicketKey {
    TicketKey::new(*b"test-secret-test-secret-test-sec").expect("key")
}

/// The configuration of every bridge here: targets `mail` and `other`, and `limits`.
fn config(limits: &str) -> Config {
    let mut config = Config::from_toml(&format!(
        r#"
        origins = ["https://mail.example.com"]
        [[targets]]
        name = "mail"
        host = "imap.example.com"
        [[targets]]
        name = "other"
        host = "imap.example.com"
        [limits]
        {limits}
        "#
    ))
    .expect("config");
    config.listen = "127.0.0.1:0".parse().expect("addr");
    config
}

fn resolver() -> Arc<FakeResolver> {
    Arc::new(FakeResolver::with("imap.example.com", &["93.184.216.34"]))
}

/// Serves `bridge` on 127.0.0.1:0 (until the process ends).
async fn serve(bridge: Bridge) -> SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(Arc::new(bridge).serve(listener));
    addr
}

async fn start(limits: &str, tickets: bool) -> Running {
    let config = config(limits);
    let connector = Arc::new(RecordingConnector::default());
    let mut bridge = Bridge::with_parts(config, resolver(), connector.clone());
    if tickets {
        bridge = bridge.with_ticket_key(key());
    }
    let bridge = Arc::new(bridge);
    let metrics = bridge.metrics().clone();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    let (stop, stopped) = oneshot::channel::<()>();
    let served = tokio::spawn(bridge.serve_until(listener, async {
        let _ = stopped.await;
    }));
    Running {
        addr,
        connector,
        metrics,
        stop: Some(stop),
        served,
    }
}

async fn connect(addr: SocketAddr, query: &str, protocols: &str) -> WebSocketStream<TcpStream> {
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
    let (ws, response) = tokio_tungstenite::client_async(request, tcp)
        .await
        .expect("upgrade accepted");
    let echoed: Vec<_> = response
        .headers()
        .get_all("Sec-WebSocket-Protocol")
        .iter()
        .collect();
    assert_eq!(echoed, vec![SUBPROTOCOL], "only the subprotocol is echoed");
    ws
}

/// The close code the bridge ends the session with (skipping data frames and pings).
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

/// Waits until the connector has been called `n` times.
async fn dialled(connector: &RecordingConnector, n: usize) {
    let deadline = Instant::now() + T;
    while connector.calls().len() < n {
        assert!(Instant::now() < deadline, "connector not called {n} times");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

/// Waits until `reason` has been counted `n` times (a session's end is counted after its
/// close frame went out).
async fn counted(metrics: &Metrics, reason: Reason, n: u64) {
    let deadline = Instant::now() + T;
    while metrics.refusals(reason) != n {
        assert!(
            Instant::now() < deadline,
            "{reason:?} counted {} times, not {n}",
            metrics.refusals(reason)
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

fn with_ticket(ticket: &str) -> String {
    format!("{SUBPROTOCOL}, {ticket}")
}

#[tokio::test]
async fn expired_forged_wrong_target_and_missing_tickets_are_refused_without_dialling() {
    let bridge = start("", true).await;
    let mail = BridgeTarget::named("mail").expect("name");
    let other = BridgeTarget::named("other").expect("name");
    let forger = TicketKey::new(vec![b'x'; 32]).expect("key");
    let cases = [
        ("expired", with_ticket(&key().mint(&mail, unix_now() - 1))),
        ("forged", with_ticket(&forger.mint(&mail, unix_now() + 300))),
        (
            "wrong target",
            with_ticket(&key().mint(&other, unix_now() + 300)),
        ),
        ("malformed", with_ticket("not-a-ticket")),
        ("missing", SUBPROTOCOL.to_owned()),
    ];
    for (what, protocols) in &cases {
        let mut ws = connect(bridge.addr, "target=mail", protocols).await;
        assert_eq!(
            close_code(&mut ws).await,
            CloseCode::TicketInvalid.as_u16(),
            "{what}"
        );
    }
    assert!(bridge.connector.calls().is_empty());
    assert_eq!(bridge.metrics.refusals(Reason::Ticket), cases.len() as u64);

    // A valid ticket, in either position, reaches the upstream.
    let ticket = key().mint(&mail, unix_now() + 300);
    let mut ws = connect(
        bridge.addr,
        "target=mail",
        &format!("{ticket}, {SUBPROTOCOL}"),
    )
    .await;
    dialled(&bridge.connector, 1).await;
    ws.close(None).await.expect("close");
    let mut ws = connect(bridge.addr, "target=mail", &with_ticket(&ticket)).await;
    dialled(&bridge.connector, 2).await;
    ws.close(None).await.expect("close");
    assert_eq!(bridge.metrics.refusals(Reason::Ticket), cases.len() as u64);
}

#[tokio::test]
async fn the_per_ip_cap_closes_with_limit_reached_and_dials_nothing() {
    let bridge = start("max_connections_per_ip = 2", false).await;
    let _a = connect(bridge.addr, "target=mail", SUBPROTOCOL).await;
    let _b = connect(bridge.addr, "target=mail", SUBPROTOCOL).await;
    dialled(&bridge.connector, 2).await;
    let mut c = connect(bridge.addr, "target=mail", SUBPROTOCOL).await;
    assert_eq!(close_code(&mut c).await, CloseCode::LimitReached.as_u16());
    assert_eq!(bridge.connector.calls().len(), 2);
    assert_eq!(bridge.metrics.refusals(Reason::LimitPerIp), 1);
    assert_eq!(bridge.metrics.refusals(Reason::LimitGlobal), 0);
}

/// The subprotocol list with a version-2 ticket for `subject` and target `mail`.
fn subject_ticket(subject: &str) -> String {
    let subject = TicketSubject::new(subject).expect("subject");
    let mail = BridgeTarget::named("mail").expect("name");
    with_ticket(&key().mint_for(&subject, &mail, unix_now() + 300))
}

#[tokio::test]
async fn the_per_subject_cap_closes_with_limit_reached_and_frees_slots_when_sessions_end() {
    let bridge = start("max_sessions_per_subject = 2", true).await;
    // Two sessions for alice are piped (a version-2 ticket verifies end to end)…
    let mut alice_1 = connect(bridge.addr, "target=mail", &subject_ticket("alice")).await;
    dialled(&bridge.connector, 1).await;
    let _alice_2 = connect(bridge.addr, "target=mail", &subject_ticket("alice")).await;
    dialled(&bridge.connector, 2).await;
    // …a third is closed with LimitReached after its ticket was checked, dialling nothing.
    let mut alice_3 = connect(bridge.addr, "target=mail", &subject_ticket("alice")).await;
    assert_eq!(
        close_code(&mut alice_3).await,
        CloseCode::LimitReached.as_u16()
    );
    assert_eq!(bridge.connector.calls().len(), 2);
    assert_eq!(bridge.metrics.refusals(Reason::LimitPerSubject), 1);
    assert_eq!(bridge.metrics.refusals(Reason::LimitPerIp), 0);
    assert_eq!(bridge.metrics.refusals(Reason::Ticket), 0);
    assert!(
        bridge
            .metrics
            .render()
            .contains("daaki_bridge_refusals_total{reason=\"limit_per_subject\"} 1\n")
    );

    // Bob is another subject: his own two sessions.
    let _bob_1 = connect(bridge.addr, "target=mail", &subject_ticket("bob")).await;
    dialled(&bridge.connector, 3).await;
    let _bob_2 = connect(bridge.addr, "target=mail", &subject_ticket("bob")).await;
    dialled(&bridge.connector, 4).await;

    // Version-1 tickets carry no subject and are not capped per subject (a version-1 ticket
    // verifies end to end): three sessions with one, past the cap of 2.
    let mail = BridgeTarget::named("mail").expect("name");
    let v1 = with_ticket(&key().mint(&mail, unix_now() + 300));
    let mut v1_sessions = Vec::new();
    for n in 5..=7 {
        v1_sessions.push(connect(bridge.addr, "target=mail", &v1).await);
        dialled(&bridge.connector, n).await;
    }
    assert_eq!(bridge.metrics.refusals(Reason::LimitPerSubject), 1);

    // Once one of alice's sessions ends, her slot is free again. (The bridge frees it when
    // its side of the session is over, just after the close: until then a new session is
    // still refused, and counted.)
    alice_1.close(None).await.expect("close");
    while alice_1.next().await.is_some() {}
    let deadline = Instant::now() + T;
    let mut refused = 1;
    let _alice_again = loop {
        let mut ws = connect(bridge.addr, "target=mail", &subject_ticket("alice")).await;
        match tokio::time::timeout(Duration::from_millis(300), ws.next()).await {
            Err(_) => break ws, // no close: admitted
            Ok(message) => {
                let code = match message {
                    Some(Ok(Message::Close(Some(frame)))) => u16::from(frame.code),
                    other => panic!("unexpected {other:?}"),
                };
                assert_eq!(code, CloseCode::LimitReached.as_u16());
                refused += 1;
                assert!(Instant::now() < deadline, "alice's slot was never freed");
            }
        }
    };
    dialled(&bridge.connector, 8).await;
    assert_eq!(bridge.metrics.refusals(Reason::LimitPerSubject), refused);
    // And the cap holds again: alice has two sessions open.
    let mut alice_4 = connect(bridge.addr, "target=mail", &subject_ticket("alice")).await;
    assert_eq!(
        close_code(&mut alice_4).await,
        CloseCode::LimitReached.as_u16()
    );
    assert_eq!(
        bridge.metrics.refusals(Reason::LimitPerSubject),
        refused + 1
    );
    assert_eq!(bridge.connector.calls().len(), 8);
    assert_eq!(bridge.metrics.refusals(Reason::Ticket), 0);
}

#[tokio::test]
async fn without_tickets_nothing_is_capped_per_subject() {
    // Tickets off: no subject, so the per-subject cap of 1 never applies.
    let bridge = start("max_sessions_per_subject = 1", false).await;
    let _a = connect(bridge.addr, "target=mail", SUBPROTOCOL).await;
    let _b = connect(bridge.addr, "target=mail", SUBPROTOCOL).await;
    dialled(&bridge.connector, 2).await;
    assert_eq!(bridge.metrics.refusals(Reason::LimitPerSubject), 0);
}

#[tokio::test]
async fn the_global_cap_closes_with_limit_reached_and_frees_slots_when_sessions_end() {
    let bridge = start("max_connections = 1", false).await;
    let mut a = connect(bridge.addr, "target=mail", SUBPROTOCOL).await;
    dialled(&bridge.connector, 1).await;
    let mut b = connect(bridge.addr, "target=mail", SUBPROTOCOL).await;
    assert_eq!(close_code(&mut b).await, CloseCode::LimitReached.as_u16());
    assert_eq!(bridge.connector.calls().len(), 1);
    assert_eq!(bridge.metrics.refusals(Reason::LimitGlobal), 1);
    // Once the first session ends, its slot is free again.
    a.close(None).await.expect("close");
    while a.next().await.is_some() {}
    let deadline = Instant::now() + T;
    loop {
        let mut c = connect(bridge.addr, "target=mail", SUBPROTOCOL).await;
        let next = tokio::time::timeout(Duration::from_millis(300), c.next()).await;
        if next.is_err() {
            break; // no close: admitted
        }
        assert!(Instant::now() < deadline, "slot never freed");
    }
    dialled(&bridge.connector, 2).await;
}

#[tokio::test]
async fn an_oversized_frame_closes_with_limit_reached_and_forwards_nothing() {
    let bridge = start("max_frame_size = 1024", false).await;
    let mut ws = connect(bridge.addr, "target=mail", SUBPROTOCOL).await;
    dialled(&bridge.connector, 1).await;
    let mut upstream = bridge.connector.take_peer().expect("peer");
    ws.send(Message::Binary(Bytes::from(vec![b'x'; 2000])))
        .await
        .expect("send");
    assert_eq!(close_code(&mut ws).await, CloseCode::LimitReached.as_u16());
    let mut got = Vec::new();
    let read = tokio::time::timeout(T, upstream.read_to_end(&mut got)).await;
    assert!(matches!(read, Ok(Ok(0))), "{read:?}");
    assert!(got.is_empty(), "the upstream received {} bytes", got.len());
    counted(&bridge.metrics, Reason::FrameTooLarge, 1).await;
    assert_eq!(
        bridge
            .metrics
            .bytes_client_to_upstream
            .load(std::sync::atomic::Ordering::Relaxed),
        0
    );
}

#[tokio::test]
async fn a_slowloris_handshake_is_dropped_after_the_handshake_timeout() {
    let bridge = start("handshake_timeout_secs = 1", false).await;
    let request = format!(
        "GET /imap?target=mail HTTP/1.1\r\nHost: {}\r\nOrigin: {ORIGIN}\r\nUpgrade: websocket\r\n\
         Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\
         Sec-WebSocket-Version: 13\r\nSec-WebSocket-Protocol: {SUBPROTOCOL}\r\n\r\n",
        bridge.addr
    );
    let mut tcp = TcpStream::connect(bridge.addr).await.expect("connect");
    let started = Instant::now();
    let mut sent = 0;
    let (mut rx, mut tx) = tcp.split();
    let writer = async {
        for byte in request.bytes() {
            if tx.write_all(&[byte]).await.is_err() {
                return;
            }
            sent += 1;
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        // Finished without being dropped: wait for the read side to decide.
        std::future::pending::<()>().await;
    };
    let reader = async {
        let mut buf = [0u8; 256];
        match rx.read(&mut buf).await {
            Ok(0) | Err(_) => {}
            Ok(_) => panic!("the bridge answered a slow handshake"),
        }
    };
    tokio::time::timeout(Duration::from_secs(8), async {
        tokio::select! {
            () = writer => {}
            () = reader => {}
        }
    })
    .await
    .expect("the slow client was not dropped within 8 s");
    let took = started.elapsed();
    assert!(
        took >= Duration::from_millis(900),
        "dropped too early: {took:?}"
    );
    assert!(sent < request.len(), "the whole request was sent");
    assert!(bridge.connector.calls().is_empty());
    counted(&bridge.metrics, Reason::HandshakeTimeout, 1).await;
}

#[tokio::test]
async fn an_idle_session_closes_with_timeout_and_pings_keep_nothing_alive() {
    let bridge = start("idle_timeout_secs = 1\nping_interval_secs = 1", false).await;
    let mut ws = connect(bridge.addr, "target=mail", SUBPROTOCOL).await;
    let started = Instant::now();
    // The bridge pings (tungstenite answers with a pong), but pings are not activity.
    let mut pinged = false;
    let code = loop {
        let message = tokio::time::timeout(T, ws.next())
            .await
            .expect("timely")
            .expect("not ended")
            .expect("no error");
        match message {
            Message::Ping(_) => pinged = true,
            Message::Close(frame) => break frame.map(|f| u16::from(f.code)),
            other => panic!("unexpected {other:?}"),
        }
    };
    assert_eq!(code, Some(CloseCode::Timeout.as_u16()));
    assert!(started.elapsed() >= Duration::from_millis(900));
    assert!(pinged || started.elapsed() < Duration::from_secs(2));
    counted(&bridge.metrics, Reason::Idle, 1).await;
}

#[tokio::test]
async fn max_session_secs_closes_a_busy_session_with_timeout() {
    let bridge = start("max_session_secs = 1\nping_interval_secs = 0", false).await;
    let mut ws = connect(bridge.addr, "target=mail", SUBPROTOCOL).await;
    let started = Instant::now();
    dialled(&bridge.connector, 1).await;
    let mut upstream = bridge.connector.take_peer().expect("peer");
    // Traffic both ways the whole time: the limit is on duration, not on idleness (the idle
    // timeout is its default, 40 min).
    let talker = tokio::spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_millis(100));
        // Until the bridge drops its end (the client's replies wait in the pipe's buffer).
        loop {
            tick.tick().await;
            if upstream.write_all(b"* OK still here\r\n").await.is_err() {
                return;
            }
        }
    });
    let mut frames = 0;
    let code = loop {
        let message = tokio::time::timeout(T, ws.next())
            .await
            .expect("closed within 10 s")
            .expect("not ended")
            .expect("no error");
        match message {
            Message::Binary(_) => {
                frames += 1;
                ws.send(Message::Binary(Bytes::from_static(b"a NOOP\r\n")))
                    .await
                    .expect("send");
            }
            Message::Close(frame) => break frame.map(|f| u16::from(f.code)),
            other => panic!("unexpected {other:?}"),
        }
    };
    let took = started.elapsed();
    assert_eq!(code, Some(CloseCode::Timeout.as_u16()));
    assert!(took >= Duration::from_millis(900), "closed after {took:?}");
    assert!(
        frames >= 3,
        "only {frames} frames: the session was not busy"
    );
    counted(&bridge.metrics, Reason::MaxDuration, 1).await;
    assert_eq!(bridge.metrics.refusals(Reason::Idle), 0);
    tokio::time::timeout(T, talker)
        .await
        .expect("the upstream was closed")
        .expect("talker");
}

/// Never completes a connection (an upstream that never answers), and counts the attempts.
#[derive(Default)]
struct StalledConnector {
    calls: std::sync::atomic::AtomicUsize,
}

impl Connector for StalledConnector {
    fn connect<'a>(&'a self, _: &'a Upstream) -> BoxFuture<'a, Result<BoxIo, ConnectError>> {
        self.calls
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        Box::pin(std::future::pending())
    }
}

#[tokio::test]
async fn the_upstream_connect_timeout_closes_with_upstream_connect_failed() {
    let connector = Arc::new(StalledConnector::default());
    let bridge = Bridge::with_parts(
        config("upstream_connect_timeout_secs = 1"),
        resolver(),
        connector.clone(),
    );
    let metrics = bridge.metrics().clone();
    let addr = serve(bridge).await;
    let started = Instant::now();
    let mut ws = connect(addr, "target=mail", SUBPROTOCOL).await;
    assert_eq!(
        close_code(&mut ws).await,
        CloseCode::UpstreamConnectFailed.as_u16()
    );
    let took = started.elapsed();
    assert!(took >= Duration::from_millis(900), "closed after {took:?}");
    assert_eq!(
        connector.calls.load(std::sync::atomic::Ordering::Relaxed),
        1
    );
    assert!(
        metrics
            .render()
            .contains("daaki_bridge_upstream_errors_total{kind=\"timeout\"} 1\n"),
        "{}",
        metrics.render()
    );
    assert_eq!(
        metrics
            .sessions_total
            .load(std::sync::atomic::Ordering::Relaxed),
        0
    );
}

#[tokio::test]
async fn the_bridge_pings_at_its_interval() {
    let bridge = start("ping_interval_secs = 1", false).await;
    let mut ws = connect(bridge.addr, "target=mail", SUBPROTOCOL).await;
    let message = tokio::time::timeout(Duration::from_secs(5), ws.next())
        .await
        .expect("a ping within 5 s")
        .expect("not ended")
        .expect("no error");
    assert!(matches!(message, Message::Ping(_)), "{message:?}");
}

async fn http_get(addr: SocketAddr, path: &str) -> String {
    let mut tcp = TcpStream::connect(addr).await.expect("connect");
    tcp.write_all(format!("GET {path} HTTP/1.1\r\nHost: x\r\n\r\n").as_bytes())
        .await
        .expect("write");
    let mut response = String::new();
    tokio::time::timeout(T, tcp.read_to_string(&mut response))
        .await
        .expect("timely")
        .expect("read");
    response
}

#[tokio::test]
async fn healthz_answers_and_metrics_count_refusals() {
    let bridge = start("", true).await;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let maddr = listener.local_addr().expect("addr");
    tokio::spawn(metrics::serve(listener, bridge.metrics.clone()));

    let health = http_get(maddr, "/healthz").await;
    assert!(health.starts_with("HTTP/1.1 200 OK\r\n"), "{health}");
    assert!(health.ends_with("\r\n\r\nok\n"), "{health}");
    assert!(http_get(maddr, "/nope").await.starts_with("HTTP/1.1 404"));

    let mut ws = connect(bridge.addr, "target=mail", SUBPROTOCOL).await;
    assert_eq!(close_code(&mut ws).await, CloseCode::TicketInvalid.as_u16());
    let text = http_get(maddr, "/metrics").await;
    assert!(text.starts_with("HTTP/1.1 200 OK\r\n"), "{text}");
    assert!(
        text.contains("daaki_bridge_refusals_total{reason=\"ticket\"} 1\n"),
        "{text}"
    );
    assert!(
        text.contains("daaki_bridge_connections_total 1\n"),
        "{text}"
    );
    assert!(!text.contains(&key().mint(&BridgeTarget::named("mail").expect("n"), 1)));
}

#[tokio::test]
async fn shutdown_stops_accepting_lets_sessions_drain_then_closes_with_1001() {
    let mut bridge = start("shutdown_drain_secs = 2", false).await;
    let mut ws = connect(bridge.addr, "target=mail", SUBPROTOCOL).await;
    dialled(&bridge.connector, 1).await;
    let mut upstream = bridge.connector.take_peer().expect("peer");
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let maddr = listener.local_addr().expect("addr");
    tokio::spawn(metrics::serve(listener, bridge.metrics.clone()));
    assert!(
        http_get(maddr, "/healthz")
            .await
            .starts_with("HTTP/1.1 200 OK\r\n")
    );
    assert!(
        http_get(maddr, "/metrics")
            .await
            .contains("\ndaaki_bridge_draining 0\n")
    );
    let stopped_at = Instant::now();
    bridge.stop.take().expect("stop").send(()).expect("stop");

    // New connections are refused…
    let deadline = Instant::now() + T;
    while TcpStream::connect(bridge.addr).await.is_ok() {
        assert!(Instant::now() < deadline, "still accepting");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    // …health checks say so (load balancers and readiness probes stop sending)…
    let health = http_get(maddr, "/healthz").await;
    assert!(
        health.starts_with("HTTP/1.1 503 Service Unavailable\r\n")
            && health.ends_with("draining\n"),
        "{health}"
    );
    assert!(
        http_get(maddr, "/metrics")
            .await
            .contains("\ndaaki_bridge_draining 1\n")
    );
    // …while the open session keeps working during the drain…
    ws.send(Message::Binary(Bytes::from_static(b"a1 NOOP\r\n")))
        .await
        .expect("send");
    let mut got = [0u8; 9];
    upstream.read_exact(&mut got).await.expect("read");
    assert_eq!(&got, b"a1 NOOP\r\n");
    // …and is closed with 1001 at the deadline.
    assert_eq!(close_code(&mut ws).await, 1001);
    assert!(stopped_at.elapsed() >= Duration::from_millis(1900));
    tokio::time::timeout(T, &mut bridge.served)
        .await
        .expect("serve_until returned")
        .expect("joined")
        .expect("ok");
    assert_eq!(
        bridge
            .metrics
            .connections_current
            .load(std::sync::atomic::Ordering::Relaxed),
        0
    );
}

#[tokio::test]
async fn shutdown_returns_as_soon_as_sessions_end_on_their_own() {
    let mut bridge = start("shutdown_drain_secs = 30", false).await;
    let mut ws = connect(bridge.addr, "target=mail", SUBPROTOCOL).await;
    dialled(&bridge.connector, 1).await;
    bridge.stop.take().expect("stop").send(()).expect("stop");
    tokio::time::sleep(Duration::from_millis(200)).await;
    let started = Instant::now();
    ws.close(None).await.expect("close");
    tokio::time::timeout(T, &mut bridge.served)
        .await
        .expect("serve_until returned")
        .expect("joined")
        .expect("ok");
    assert!(started.elapsed() < Duration::from_secs(5));
}

#[tokio::test]
async fn a_client_that_does_not_read_stops_the_upstream_read_memory_stays_bounded() {
    let bridge = start("", false).await;
    let mut ws = connect(bridge.addr, "target=mail", SUBPROTOCOL).await;
    dialled(&bridge.connector, 1).await;
    let mut upstream = bridge.connector.take_peer().expect("peer");
    // The upstream writes until its writes stall because the browser does not read.
    let chunk = vec![7u8; 16 * 1024];
    let mut written = 0usize;
    let stall = Duration::from_millis(500);
    while let Ok(result) = tokio::time::timeout(stall, upstream.write_all(&chunk)).await {
        result.expect("write");
        written += chunk.len();
        assert!(written < 64 << 20, "64 MiB accepted without a reader");
    }
    // Bounded by socket buffers and one frame per direction, not by what the upstream sends.
    assert!(written < 32 << 20, "{written} bytes buffered");
    // Once the browser reads, everything arrives.
    let reader = async {
        let mut received = 0usize;
        while received < written {
            match ws.next().await {
                Some(Ok(Message::Binary(data))) => {
                    assert!(data.iter().all(|b| *b == 7));
                    received += data.len();
                }
                Some(Ok(_)) => {}
                other => panic!("unexpected {other:?}"),
            }
        }
        received
    };
    let received = tokio::time::timeout(T, reader).await.expect("drained");
    assert!(received >= written);
}
