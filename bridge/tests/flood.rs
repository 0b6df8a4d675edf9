//! Floods against the real `daaki-imap-bridge` binary (a child process with its own
//! descriptor limit): thousands of idle sockets from one address, while a legitimate client
//! on another address (127.0.0.2) opens sessions and times them. Past the per-IP cap plus
//! its grace band the bridge closes sockets at accept, so the flood holds a bounded number
//! of sockets and descriptors, and the legitimate sessions all succeed — also under a
//! 512-descriptor limit. The upstream is a plaintext greeter in this process.

mod common;

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use common::{BridgeProcess, greeting_upstream, http_get, refusals};
use daaki_imap_bridge::admission::{GRACE_PER_IP, raise_nofile_limit};
use futures_util::StreamExt;
use tokio::net::{TcpSocket, TcpStream};
use tokio_tungstenite::tungstenite::Message;

const GREETING: &[u8] = b"* OK flood test upstream\r\n";
const PER_IP: usize = 20;
const LEGIT_SESSIONS: usize = 20;
/// The flood's idle sockets within the grace band are held this long (the handshake
/// timeout): longer than the test, so the counts stay exact on a slow machine.
const HANDSHAKE_SECS: u64 = 60;

/// One legitimate session from 127.0.0.2: TCP, WebSocket upgrade, the upstream's greeting.
/// Returns how long that took, or what failed.
async fn legit_session(listen: u16) -> Result<Duration, String> {
    let started = Instant::now();
    let socket = TcpSocket::new_v4().map_err(|e| e.to_string())?;
    socket
        .bind("127.0.0.2:0".parse().expect("addr"))
        .map_err(|e| e.to_string())?;
    let bridge: SocketAddr = ([127, 0, 0, 1], listen).into();
    let tcp = socket.connect(bridge).await.map_err(|e| e.to_string())?;
    let request = common::ws_request(bridge, "target=local");
    let (mut ws, _) = tokio_tungstenite::client_async(request, tcp)
        .await
        .map_err(|e| format!("upgrade: {e}"))?;
    let mut greeting = Vec::new();
    while greeting.len() < GREETING.len() {
        match ws.next().await {
            Some(Ok(Message::Binary(data))) => greeting.extend_from_slice(&data),
            Some(Ok(_)) => {}
            other => return Err(format!("before the greeting: {other:?}")),
        }
    }
    let took = started.elapsed();
    if greeting != GREETING {
        return Err(format!("greeting {greeting:?}"));
    }
    let _ = ws.close(None).await;
    Ok(took)
}

/// The `p`-th percentile (nearest rank) of `times`, in milliseconds.
fn percentile(times: &[Duration], p: usize) -> f64 {
    let mut sorted = times.to_vec();
    sorted.sort();
    let rank = (p * sorted.len()).div_ceil(100).max(1) - 1;
    sorted[rank].as_secs_f64() * 1000.0
}

/// Whether the bridge still holds `tcp` (no end of stream, no reset, nothing to read).
fn still_open(tcp: TcpStream) -> bool {
    let mut std = tcp.into_std().expect("std");
    let mut buf = [0u8; 1];
    matches!(
        std::io::Read::read(&mut std, &mut buf),
        Err(e) if e.kind() == std::io::ErrorKind::WouldBlock
    )
}

/// The bridge binary under `nofile` descriptors (if given) with per-IP cap [`PER_IP`],
/// target `local` = a greeter in this process, and metrics; returns it and its metrics port.
async fn start_flood_target(nofile: Option<u64>) -> (BridgeProcess, u16) {
    let upstream = greeting_upstream(GREETING).await;
    let metrics_port = common::free_port();
    let bridge = BridgeProcess::start(
        &format!(
            r#"
            origins = ["*"]
            metrics_listen = "127.0.0.1:{metrics_port}"
            [[targets]]
            name = "local"
            host = "127.0.0.1"
            port = {upstream}
            tls = false
            allow_private = true
            [limits]
            max_connections_per_ip = {PER_IP}
            ping_interval_secs = 0
            handshake_timeout_secs = {HANDSHAKE_SECS}
            "#
        ),
        nofile,
    )
    .await;
    (bridge, metrics_port)
}

/// Floods the bridge with `flood` idle sockets from 127.0.0.1 while timing
/// [`LEGIT_SESSIONS`] sessions from 127.0.0.2; asserts the flood is bounded and every
/// legitimate session succeeds.
async fn flood_with_legit_sessions(flood: usize, nofile: Option<u64>) {
    // This process holds the whole flood: use the hard descriptor limit.
    let limit = raise_nofile_limit();
    assert!(
        limit.is_none_or(|n| n >= flood as u64 + 256),
        "this test needs {} descriptors, the hard limit is {limit:?}: raise it (ulimit -Hn)",
        flood + 256
    );
    let (bridge, metrics_port) = start_flood_target(nofile).await;
    let listen = bridge.listen;
    let started = Instant::now();
    let flooder = tokio::spawn(async move {
        let mut sockets = Vec::with_capacity(flood);
        for _ in 0..flood {
            // Connecting succeeds even when the bridge closes the socket at accept.
            sockets.push(
                TcpStream::connect(("127.0.0.1", listen))
                    .await
                    .expect("flood connect"),
            );
        }
        sockets
    });
    let mut times = Vec::new();
    let mut failures = Vec::new();
    let mut after_flood = 0;
    // Sessions while the flood comes in, then LEGIT_SESSIONS more once all of it is in.
    while after_flood < LEGIT_SESSIONS {
        if flooder.is_finished() {
            after_flood += 1;
        }
        match tokio::time::timeout(Duration::from_secs(30), legit_session(listen)).await {
            Ok(Ok(took)) => times.push(took),
            Ok(Err(error)) => failures.push(error),
            Err(_) => failures.push("no greeting within 30 s".into()),
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let sockets = flooder.await.expect("flooder");
    let flooded_in = started.elapsed();
    // Let the bridge catch up with its accept queue.
    tokio::time::sleep(Duration::from_millis(500)).await;
    let open = sockets
        .into_iter()
        .map(still_open)
        .filter(|open| *open)
        .count();
    println!(
        "flood of {flood} idle sockets from one address (per-IP cap {PER_IP}, nofile {nofile:?}) \
         in {flooded_in:?}: {open} held by the bridge; \
         {} legit sessions from another address: p50 {:.1} ms, p95 {:.1} ms, {} failed",
        times.len(),
        if times.is_empty() {
            f64::NAN
        } else {
            percentile(&times, 50)
        },
        if times.is_empty() {
            f64::NAN
        } else {
            percentile(&times, 95)
        },
        failures.len()
    );
    assert_eq!(failures, Vec::<String>::new(), "legitimate sessions failed");
    assert!(
        open <= PER_IP + GRACE_PER_IP,
        "the flood holds {open} sockets (cap {PER_IP} + grace {GRACE_PER_IP})"
    );
    let exposition = http_get(metrics_port, "/metrics").await;
    let at_accept = refusals(&exposition, "limit_per_ip_at_accept");
    let told = refusals(&exposition, "limit_per_ip");
    // Within the handshake timeout nothing the flood holds is released, so the counts are
    // exact: the cap plus the grace band held, every other socket closed at accept.
    assert!(
        started.elapsed() < Duration::from_secs(HANDSHAKE_SECS),
        "too slow for exact counts"
    );
    assert_eq!(open, PER_IP + GRACE_PER_IP);
    assert_eq!(at_accept, (flood - PER_IP - GRACE_PER_IP) as u64);
    // The over-cap sockets within the grace band are still in their handshake, not yet told.
    assert_eq!(told, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_2000_socket_flood_from_one_address_holds_the_cap_plus_grace_and_legit_sessions_pass() {
    flood_with_legit_sessions(2000, None).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn under_a_512_descriptor_limit_a_600_socket_flood_leaves_room_for_legit_sessions() {
    flood_with_legit_sessions(600, Some(512)).await;
}

/// Opens a session from `source` and returns it after the greeting.
async fn session_from(listen: u16, source: &str) -> tokio_tungstenite::WebSocketStream<TcpStream> {
    let socket = TcpSocket::new_v4().expect("socket");
    socket
        .bind(format!("{source}:0").parse().expect("addr"))
        .expect("bind");
    let tcp = socket
        .connect(([127, 0, 0, 1], listen).into())
        .await
        .expect("connect");
    let mut ws =
        common::ws_connect(([127, 0, 0, 1], listen).into(), "target=local", Some(tcp)).await;
    let mut greeting = Vec::new();
    while greeting.len() < GREETING.len() {
        match ws.next().await {
            Some(Ok(Message::Binary(data))) => greeting.extend_from_slice(&data),
            other => panic!("unexpected {other:?}"),
        }
    }
    assert_eq!(greeting, GREETING);
    ws
}

/// A flood from many addresses, each within the per-IP cap: under a 512-descriptor limit
/// the descriptor budget ((512 − 64) / 2 = 224 connections) closes the excess at accept,
/// so the bridge never runs out of descriptors and a session opened before the flood keeps
/// working (its upstream descriptor is already counted).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_flood_from_many_addresses_is_cut_at_the_descriptor_budget() {
    use futures_util::SinkExt;
    use tokio_tungstenite::tungstenite::Bytes;

    const FLOOD: usize = 400;
    const BUDGET: usize = 224;
    raise_nofile_limit();
    let (bridge, metrics_port) = start_flood_target(Some(512)).await;
    let mut established = session_from(bridge.listen, "127.0.0.2").await;
    let mut flood = Vec::with_capacity(FLOOD);
    for i in 0..FLOOD {
        let socket = TcpSocket::new_v4().expect("socket");
        let source = format!("127.0.1.{}:0", 10 + i / PER_IP);
        socket.bind(source.parse().expect("addr")).expect("bind");
        flood.push(
            socket
                .connect(([127, 0, 0, 1], bridge.listen).into())
                .await
                .expect("flood connect"),
        );
    }
    tokio::time::sleep(Duration::from_millis(500)).await;
    let open = flood
        .into_iter()
        .map(still_open)
        .filter(|open| *open)
        .count();
    // The session from before the flood still goes both ways.
    established
        .send(Message::Binary(Bytes::from_static(b"a NOOP\r\n")))
        .await
        .expect("send");
    match tokio::time::timeout(Duration::from_secs(10), established.next()).await {
        Ok(Some(Ok(Message::Binary(echo)))) => assert_eq!(&echo[..], b"a NOOP\r\n"),
        other => panic!("the established session broke: {other:?}"),
    }
    let exposition = http_get(metrics_port, "/metrics").await;
    println!(
        "flood of {FLOOD} sockets from {} addresses under nofile 512: {open} held",
        FLOOD / PER_IP
    );
    assert_eq!(open, BUDGET - 1);
    assert_eq!(
        refusals(&exposition, "descriptors"),
        (FLOOD - (BUDGET - 1)) as u64
    );
    assert_eq!(refusals(&exposition, "limit_per_ip_at_accept"), 0);
}
