//! Sessions end within their limits whatever the peers do: an upstream that completes TLS and
//! then never reads, a client that never reads. Each session must end (its close path has
//! deadlines), free its per-IP slot and its gauges, and be counted — the bridge in this
//! process on 127.0.0.1:0, the peers stalled on purpose.

mod common;

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::Ordering::Relaxed;
use std::time::{Duration, Instant};

use common::{FakeResolver, RecordingConnector, TestTls, serve};
use daaki_imap::wire::CloseCode;
use daaki_imap_bridge::metrics::{Metrics, Reason};
use daaki_imap_bridge::upstream::RustlsConnector;
use daaki_imap_bridge::{Bridge, Config};
use futures_util::{SinkExt, StreamExt};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::mpsc;
use tokio_tungstenite::WebSocketStream;
use tokio_tungstenite::tungstenite::{Bytes, Message};

const T: Duration = Duration::from_secs(10);
const GREETING: &[u8] = b"* OK upstream greeting\r\n";

fn config(host: &str, port: u16, extra: &str) -> Config {
    Config::from_toml(&format!(
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
    .expect("config")
}

async fn connect(addr: SocketAddr) -> WebSocketStream<TcpStream> {
    common::ws_connect(addr, "target=mail", None).await
}

/// Reads binary frames until `n` bytes arrived.
async fn read_n(ws: &mut WebSocketStream<TcpStream>, n: usize) -> Vec<u8> {
    let mut out = Vec::new();
    while out.len() < n {
        match tokio::time::timeout(T, ws.next()).await.expect("timely") {
            Some(Ok(Message::Binary(data))) => out.extend_from_slice(&data),
            Some(Ok(_)) => {}
            other => panic!("unexpected {other:?}"),
        }
    }
    out
}

/// Waits (bounded by `limit`) until no connection and no session is open.
async fn all_ended(metrics: &Metrics, limit: Duration) {
    let deadline = Instant::now() + limit;
    loop {
        let open = (
            metrics.connections_current.load(Relaxed),
            metrics.sessions_current.load(Relaxed),
        );
        if open == (0, 0) {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "(connections, sessions) still open after {limit:?}: {open:?}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// A TLS "IMAP server" on 127.0.0.1 that greets every connection and then never reads: its
/// streams are held open (never dropped) so the bridge's writes and TLS close stall.
async fn deaf_tls_upstream(tls: &TestTls) -> (u16, mpsc::UnboundedReceiver<()>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let port = listener.local_addr().expect("addr").port();
    let acceptor = tokio_rustls::TlsAcceptor::from(tls.server.clone());
    let (accepted_tx, accepted) = mpsc::unbounded_channel();
    tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((tcp, _)) = listener.accept().await {
            if let Ok(mut stream) = acceptor.accept(tcp).await {
                let _ = stream.write_all(GREETING).await;
                let _ = stream.flush().await;
                held.push(stream);
                let _ = accepted_tx.send(());
            }
        }
    });
    (port, accepted)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_tls_upstream_that_stops_reading_is_cut_at_the_idle_limit_and_frees_its_slot() {
    let tls = TestTls::new();
    let (port, mut accepted) = deaf_tls_upstream(&tls).await;
    let roots = std::env::temp_dir().join(format!("daaki-bridge-stuck-{}.pem", std::process::id()));
    std::fs::write(&roots, &tls.ca_pem).expect("write");
    let extra = format!(
        "extra_roots = {:?}\n[limits]\nidle_timeout_secs = 1\nmax_connections_per_ip = 1\n\
         ping_interval_secs = 0\nmax_session_secs = 0",
        roots.display().to_string()
    );
    let config = config("localhost", port, &extra);
    let connector = RustlsConnector::new(&config).expect("connector");
    let resolver = Arc::new(FakeResolver::with("localhost", &["127.0.0.1"]));
    let (addr, metrics) = serve(Bridge::with_parts(config, resolver, Arc::new(connector))).await;

    let ws = connect(addr).await;
    let (mut tx, mut rx) = ws.split();
    let mut greeting = Vec::new();
    while greeting.len() < GREETING.len() {
        match tokio::time::timeout(T, rx.next()).await.expect("greeted") {
            Some(Ok(Message::Binary(data))) => greeting.extend_from_slice(&data),
            other => panic!("unexpected {other:?}"),
        }
    }
    assert_eq!(greeting, GREETING);
    // The client writes far more than the socket buffers hold; the upstream reads none of it,
    // so the bridge's upstream write, and then its TLS close_notify, can never complete.
    let sender = tokio::spawn(async move {
        let frame = Bytes::from(vec![b'x'; 64 * 1024]);
        let mut sent = 0usize;
        while sent < 256 << 20 {
            if tx.send(Message::Binary(frame.clone())).await.is_err() {
                break;
            }
            sent += frame.len();
        }
        sent
    });
    let started = Instant::now();
    let code = loop {
        match tokio::time::timeout(T, rx.next())
            .await
            .expect("a close within 10 s")
        {
            Some(Ok(Message::Close(frame))) => break frame.map(|f| u16::from(f.code)),
            Some(Ok(_)) => {}
            other => panic!("unexpected {other:?}"),
        }
    };
    assert_eq!(code, Some(CloseCode::Timeout.as_u16()));
    all_ended(&metrics, T).await;
    let took = started.elapsed();
    assert!(took >= Duration::from_millis(900), "ended after {took:?}");
    assert_eq!(metrics.refusals(Reason::Idle), 1);
    let sent = sender.await.expect("sender");
    assert!(
        sent < 256 << 20,
        "the bridge read {sent} bytes for a deaf upstream"
    );

    // The per-IP slot (cap 1) is free: the same address is piped again.
    let mut again = connect(addr).await;
    assert_eq!(read_n(&mut again, GREETING.len()).await, GREETING);
    tokio::time::timeout(T, accepted.recv())
        .await
        .expect("dialled")
        .expect("first");
    tokio::time::timeout(T, accepted.recv())
        .await
        .expect("dialled again")
        .expect("second");
    let _ = std::fs::remove_file(&roots);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_that_never_reads_is_cut_at_the_maximum_duration_and_frees_its_slot() {
    let config = config(
        "imap.example.com",
        993,
        "[limits]\nmax_session_secs = 2\nidle_timeout_secs = 600\nmax_connections_per_ip = 1\n\
         ping_interval_secs = 0",
    );
    let connector = Arc::new(RecordingConnector::default());
    let resolver = Arc::new(FakeResolver::with("imap.example.com", &["93.184.216.34"]));
    let (addr, metrics) = serve(Bridge::with_parts(config, resolver, connector.clone())).await;

    let ws = connect(addr).await;
    let deadline = Instant::now() + T;
    let upstream = loop {
        if let Some(peer) = connector.take_peer() {
            break peer;
        }
        assert!(Instant::now() < deadline, "never dialled");
        tokio::time::sleep(Duration::from_millis(10)).await;
    };
    // The upstream talks without pause and reads everything; the client sends a command
    // every 50 ms (so the session is never idle) and never reads a byte.
    let (mut up_rx, mut up_tx) = tokio::io::split(upstream);
    let writer = tokio::spawn(async move {
        let chunk = vec![b'*'; 16 * 1024];
        while up_tx.write_all(&chunk).await.is_ok() {}
    });
    let reader = tokio::spawn(async move {
        let mut buf = vec![0u8; 16 * 1024];
        let mut got = 0usize;
        while let Ok(n @ 1..) = up_rx.read(&mut buf).await {
            got += n;
        }
        got
    });
    let (mut tx, rx) = ws.split();
    let talker = tokio::spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_millis(50));
        loop {
            tick.tick().await;
            if tx
                .send(Message::Binary(Bytes::from_static(b"a NOOP\r\n")))
                .await
                .is_err()
            {
                return;
            }
        }
    });
    let started = Instant::now();
    all_ended(&metrics, T).await;
    let took = started.elapsed();
    assert!(took >= Duration::from_millis(1900), "ended after {took:?}");
    assert_eq!(metrics.refusals(Reason::MaxDuration), 1);
    assert_eq!(metrics.refusals(Reason::Idle), 0);
    // The upstream saw the session end (its reader got end of stream) after the commands.
    let got = tokio::time::timeout(T, reader)
        .await
        .expect("upstream closed")
        .expect("reader");
    assert!(got >= 8, "the upstream received {got} bytes");
    tokio::time::timeout(T, writer)
        .await
        .expect("upstream writes fail once the bridge is gone")
        .expect("writer");
    talker.abort();
    drop(rx);

    // The per-IP slot (cap 1) is free again.
    let _again = connect(addr).await;
    let deadline = Instant::now() + T;
    while connector.calls().len() < 2 {
        assert!(
            Instant::now() < deadline,
            "the second session was not dialled"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert_eq!(metrics.refusals(Reason::LimitPerIp), 0);
}
