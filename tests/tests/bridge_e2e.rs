//! End to end through the bridge: `ImapConnection` over the native WebSocket transport,
//! through an in-process `daaki-imap-bridge` (127.0.0.1:0), to the harness Dovecot's
//! implicit-TLS port — with the same typed results as a direct connection.
//!
//! Wire versions: the client offers version 2 (flow control) and version 1; a bridge that
//! speaks both runs version 2, one configured with `wire_versions = [1]` runs version 1 with
//! the same client, and a client that offers only version 1 still gets version 1.

use std::sync::Arc;
use std::time::Duration;

use daaki_imap::types::{FetchAttr, SequenceSet};
use daaki_imap::wire::{BridgeTarget, CloseCode, TlsPlacement};
use daaki_imap::{Error, IdleEvent, ImapConnection, TlsMode, WireVersion};
use daaki_imap_bridge::config::{Limits, Target};
use daaki_imap_bridge::metrics::{Metrics, Reason};
use daaki_imap_bridge::{Bridge, Config};
use daaki_imap_tests::client::{T, login};
use daaki_imap_tests::harness::{Dovecot, TestUser, seed, shared_dovecot};
use daaki_imap_tests::proxy::Recorder;
use tokio_util::sync::CancellationToken;

const ORIGIN: &str = "http://app.localhost";

/// Starts a bridge whose only target, `dovecot`, is the harness's implicit-TLS listener
/// (loopback, hence `allow_private`), trusting the harness CA. Returns its `ws://` URL.
async fn start_bridge(dovecot: &Dovecot) -> String {
    start_bridge_with(dovecot, Limits::default()).await.0
}

/// As [`start_bridge`], with `limits`; also returns the bridge's counters.
async fn start_bridge_with(dovecot: &Dovecot, limits: Limits) -> (String, Arc<Metrics>) {
    start_bridge_config(dovecot, limits, |_| {}).await
}

/// As [`start_bridge_with`], with `configure` applied to the configuration last.
async fn start_bridge_config(
    dovecot: &Dovecot,
    limits: Limits,
    configure: impl FnOnce(&mut Config),
) -> (String, Arc<Metrics>) {
    let mut config = Config::empty();
    config.origins = vec![ORIGIN.to_owned()];
    config.limits = limits;
    config.targets = vec![Target {
        name: "dovecot".into(),
        host: dovecot.host().to_owned(),
        port: dovecot.tls_port(),
        tls: true,
        allow_private: true,
        extra_roots: Some(dovecot.ca_cert_path().to_owned()),
        send_proxy_protocol: None,
    }];
    configure(&mut config);
    let bridge = Arc::new(Bridge::new(config).expect("bridge"));
    let metrics = bridge.metrics().clone();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(bridge.serve(listener));
    (format!("ws://{addr}/imap"), metrics)
}

async fn via_bridge(url: &str, target: &str) -> daaki_imap::Result<ImapConnection> {
    ImapConnection::builder()
        .bridge_origin(ORIGIN)
        .connect_via_bridge(url, BridgeTarget::named(target)?, T)
        .await
}

async fn bridge_login(url: &str, user: &TestUser) -> ImapConnection {
    let conn = via_bridge(url, "dovecot")
        .await
        .expect("connect via bridge");
    conn.login(&user.name, &user.password, T)
        .await
        .expect("login via bridge");
    conn
}

fn set(s: &str) -> SequenceSet {
    SequenceSet::new(s).expect("set")
}

#[tokio::test]
async fn login_select_fetch_through_the_bridge_match_a_direct_connection() {
    let dovecot = shared_dovecot();
    let url = start_bridge(dovecot).await;
    let user = dovecot.new_user(5);
    let attrs = [
        FetchAttr::Uid,
        FetchAttr::Flags,
        FetchAttr::Envelope,
        FetchAttr::Rfc822Size,
        FetchAttr::BodyStructure,
        FetchAttr::Rfc822,
    ];

    let direct = login(dovecot, &user, TlsMode::Implicit).await;
    let direct_caps = direct.capability(T).await.expect("capability");
    let direct_select = direct.examine("INBOX", T).await.expect("examine");
    let direct_fetch = direct.fetch(&set("1:*"), &attrs, T).await.expect("fetch");
    direct.logout().await.expect("logout");

    let bridged = bridge_login(&url, &user).await;
    let info = bridged.bridge_info().expect("a bridge connection");
    assert_eq!(info.wire_version(), WireVersion::V2, "{info:?}");
    let bridged_caps = bridged.capability(T).await.expect("capability");
    let bridged_select = bridged.examine("INBOX", T).await.expect("examine");
    let bridged_fetch = bridged.fetch(&set("1:*"), &attrs, T).await.expect("fetch");

    assert_eq!(bridged_caps, direct_caps);
    assert_eq!(bridged_select, direct_select);
    assert_eq!(bridged_select.exists, 5);
    assert_eq!(bridged_fetch.len(), 5);
    assert_eq!(bridged_fetch, direct_fetch);
    let body = bridged_fetch[0].rfc822.as_deref().expect("RFC822 fetched");
    assert_eq!(body, &seed::message(1)[..]);

    bridged.logout().await.expect("logout via bridge");
    assert!(bridged.is_closed());
}

#[tokio::test]
async fn idle_through_the_bridge_is_woken_by_an_append_elsewhere() {
    let dovecot = shared_dovecot();
    let url = start_bridge(dovecot).await;
    // The watcher reaches the bridge through a recording relay: the bridge's WebSocket frames
    // to the client are not masked, so the server's answer to IDLE can be seen in them.
    let bridge_port: u16 = url
        .trim_start_matches("ws://127.0.0.1:")
        .trim_end_matches("/imap")
        .parse()
        .expect("the bridge's port");
    let relay = Recorder::start(bridge_port).await;
    let relayed_url = format!("ws://127.0.0.1:{}/imap", relay.port());
    let user = dovecot.new_user(3);
    let watcher = bridge_login(&relayed_url, &user).await;
    let info = watcher.bridge_info().expect("a bridge connection");
    assert_eq!(info.wire_version(), WireVersion::V2, "{info:?}");
    let writer = login(dovecot, &user, TlsMode::Implicit).await;
    assert_eq!(watcher.select("INBOX", T).await.expect("select").exists, 3);

    let idle = tokio::spawn({
        let watcher = watcher.clone();
        async move { watcher.idle(T, CancellationToken::new()).await }
    });
    // The APPEND waits until Dovecot accepted IDLE (`+ idling`).
    tokio::time::timeout(T, async {
        while !relay.server_text().contains("+ idling") {
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    })
    .await
    .expect("Dovecot accepted IDLE");
    writer
        .append("INBOX", &[], &seed::message(4), T)
        .await
        .expect("append");
    let woke = idle.await.expect("idle task").expect("idle");
    assert_eq!(woke, IdleEvent::Exists(4));
    // The connection goes on normally after IDLE.
    let fetched = watcher
        .fetch(&set("4"), &[FetchAttr::Envelope], T)
        .await
        .expect("fetch");
    assert_eq!(
        fetched[0].envelope.as_ref().and_then(|e| e.subject.clone()),
        Some("Test message 4".to_owned())
    );
    watcher.logout().await.expect("logout");
    writer.logout().await.expect("logout");
}

#[tokio::test]
async fn a_refusal_by_the_bridge_is_a_typed_bridge_error() {
    let dovecot = shared_dovecot();
    let url = start_bridge(dovecot).await;
    match via_bridge(&url, "elsewhere").await {
        Err(Error::Bridge { code, .. }) => assert_eq!(code, CloseCode::TargetNotAllowed),
        other => panic!("expected a bridge refusal, got {:?}", other.map(|_| ())),
    }
    // A disallowed origin is an HTTP 403: the client cannot get a close code for it.
    let refused = ImapConnection::builder()
        .bridge_origin("https://evil.example")
        .connect_via_bridge(&url, BridgeTarget::named("dovecot").expect("name"), T)
        .await;
    match refused {
        Err(Error::Io(e)) => assert!(e.to_string().contains("403"), "{e}"),
        other => panic!("expected an HTTP refusal, got {:?}", other.map(|_| ())),
    }
}

/// A raw WebSocket client that logs in, pipelines hundreds of large FETCHes and never reads a
/// reply: Dovecot's answers fill every buffer on the way, so the bridge's writes to the client
/// stall. The session still ends at the idle limit, its per-IP slot is freed, and the next
/// session from the same address works.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_that_pipelines_without_reading_is_cut_at_the_idle_limit() {
    use futures_util::{SinkExt, StreamExt};
    use tokio_tungstenite::tungstenite::client::IntoClientRequest;
    use tokio_tungstenite::tungstenite::http::HeaderValue;
    use tokio_tungstenite::tungstenite::{Bytes, Message};

    let dovecot = shared_dovecot();
    let limits = Limits {
        idle_timeout_secs: 1,
        max_connections_per_ip: 1,
        ping_interval_secs: 0,
        ..Limits::default()
    };
    let (url, metrics) = start_bridge_with(dovecot, limits).await;
    let user = dovecot.new_user(200);
    let mut request = format!("{url}?target=dovecot")
        .into_client_request()
        .expect("request");
    let headers = request.headers_mut();
    headers.insert("Origin", HeaderValue::from_static(ORIGIN));
    headers.insert(
        "Sec-WebSocket-Protocol",
        HeaderValue::from_static(daaki_imap::wire::SUBPROTOCOL),
    );
    let addr = url
        .trim_start_matches("ws://")
        .trim_end_matches("/imap")
        .to_owned();
    let tcp = tokio::net::TcpStream::connect(addr).await.expect("connect");
    let (mut ws, _) = tokio_tungstenite::client_async(request, tcp)
        .await
        .expect("upgrade");
    // The greeting, so the session is piping; then not one more read.
    match tokio::time::timeout(T, ws.next()).await.expect("greeted") {
        Some(Ok(Message::Binary(greeting))) => assert!(greeting.starts_with(b"* OK")),
        other => panic!("unexpected {other:?}"),
    }
    let mut commands = format!(
        "a LOGIN {} {}\r\nb SELECT INBOX\r\n",
        user.name, user.password
    );
    for i in 0..400 {
        commands.push_str(&format!("c{i} FETCH 1:* BODY.PEEK[]\r\n"));
    }
    for chunk in commands.as_bytes().chunks(4096) {
        ws.send(Message::Binary(Bytes::copy_from_slice(chunk)))
            .await
            .expect("send");
    }
    let started = std::time::Instant::now();
    let ended = async {
        while metrics
            .sessions_current
            .load(std::sync::atomic::Ordering::Relaxed)
            > 0
            || metrics
                .connections_current
                .load(std::sync::atomic::Ordering::Relaxed)
                > 0
        {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    };
    tokio::time::timeout(Duration::from_secs(30), ended)
        .await
        .expect("the session ended within 30 s although its client never reads");
    assert!(
        started.elapsed() >= Duration::from_millis(900),
        "ended after {:?}",
        started.elapsed()
    );
    assert_eq!(metrics.refusals(Reason::Idle), 1);
    // Dovecot's output reached the bridge (it was stalled, not idle from the start).
    let relayed = metrics
        .bytes_upstream_to_client
        .load(std::sync::atomic::Ordering::Relaxed);
    assert!(relayed > 1 << 20, "only {relayed} bytes relayed");
    drop(ws);
    // The per-IP slot (cap 1) is free: the same address logs in again.
    let conn = bridge_login(&url, &user).await;
    assert_eq!(conn.examine("INBOX", T).await.expect("examine").exists, 200);
    conn.logout().await.expect("logout");
}

/// A raw WebSocket session through the bridge at `url` to `?target={target}`, with `extra`
/// request headers.
async fn raw_session(
    url: &str,
    target: &str,
    extra: &[(&'static str, &str)],
) -> tokio_tungstenite::WebSocketStream<tokio::net::TcpStream> {
    use tokio_tungstenite::tungstenite::client::IntoClientRequest;
    use tokio_tungstenite::tungstenite::http::HeaderValue;
    let mut request = format!("{url}?target={target}")
        .into_client_request()
        .expect("request");
    let headers = request.headers_mut();
    headers.insert("Origin", HeaderValue::from_static(ORIGIN));
    headers.insert(
        "Sec-WebSocket-Protocol",
        HeaderValue::from_static(daaki_imap::wire::SUBPROTOCOL),
    );
    for (name, value) in extra {
        headers.insert(*name, HeaderValue::from_str(value).expect("value"));
    }
    let addr = url
        .trim_start_matches("ws://")
        .trim_end_matches("/imap")
        .to_owned();
    let tcp = tokio::net::TcpStream::connect(addr).await.expect("connect");
    tokio_tungstenite::client_async(request, tcp)
        .await
        .expect("upgrade")
        .0
}

/// Reads binary frames until the bytes end with a line starting with `tag` (or the session
/// closes: then the close code). Returns everything read.
async fn read_until_tagged(
    ws: &mut tokio_tungstenite::WebSocketStream<tokio::net::TcpStream>,
    tag: &str,
) -> Result<String, u16> {
    use futures_util::StreamExt;
    use tokio_tungstenite::tungstenite::Message;
    let mut text = String::new();
    loop {
        match tokio::time::timeout(T, ws.next())
            .await
            .expect("an answer in time")
        {
            Some(Ok(Message::Binary(bytes))) => {
                text.push_str(&String::from_utf8_lossy(&bytes));
                if text.lines().any(|l| l.starts_with(tag)) {
                    return Ok(text);
                }
            }
            Some(Ok(Message::Close(frame))) => return Err(frame.map_or(0, |f| u16::from(f.code))),
            Some(Ok(_)) => {}
            other => panic!("unexpected {other:?} after {text:?}"),
        }
    }
}

/// `send_proxy_protocol`: the bridge writes a PROXY header, before TLS, to Dovecot's
/// `haproxy = yes` listener, naming the client the bridge resolved (here from the
/// `X-Forwarded-For` of a trusted proxy, 127.0.0.1). Dovecot logs that client as `rip=`, not
/// the bridge's address — so its per-IP logging and lockouts see each user. Without the
/// header the same listener refuses the session (the TLS handshake never starts).
#[tokio::test]
async fn send_proxy_protocol_makes_dovecot_see_the_real_client() {
    use futures_util::SinkExt;
    use tokio_tungstenite::tungstenite::{Bytes, Message};

    let dovecot = shared_dovecot();
    let target = |name: &str, version: &str| {
        format!(
            r#"
            [[targets]]
            name = "{name}"
            host = "{host}"
            port = {port}
            allow_private = true
            extra_roots = "{ca}"
            {version}
            "#,
            host = dovecot.host(),
            port = dovecot.haproxy_tls_port(),
            ca = dovecot.ca_cert_path().display(),
        )
    };
    let config = Config::from_toml(&format!(
        "origins = [\"{ORIGIN}\"]\ntrusted_proxies = [\"127.0.0.1/32\"]\n{}{}{}",
        target("v1", "send_proxy_protocol = \"v1\""),
        target("v2", "send_proxy_protocol = \"v2\""),
        target("none", ""),
    ))
    .expect("config");
    let bridge = Arc::new(Bridge::new(config).expect("bridge"));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let url = format!("ws://{}/imap", listener.local_addr().expect("addr"));
    tokio::spawn(bridge.serve(listener));

    // An IPv4 client, and an IPv6 one (the header then maps the IPv4 upstream address).
    for (version, client) in [("v1", "203.0.113.41"), ("v2", "2001:db8:41::7")] {
        let user = dovecot.new_user(0);
        let mut ws = raw_session(&url, version, &[("X-Forwarded-For", client)]).await;
        let greeting = read_until_tagged(&mut ws, "* OK").await.expect("greeting");
        assert!(greeting.starts_with("* OK"), "{greeting}");
        let login = format!("a1 LOGIN {} {}\r\n", user.name, user.password);
        ws.send(Message::Binary(Bytes::from(login)))
            .await
            .expect("send");
        let answer = read_until_tagged(&mut ws, "a1 ")
            .await
            .expect("login answer");
        assert!(answer.contains("a1 OK"), "{answer}");
        ws.send(Message::Binary(Bytes::from_static(b"a2 LOGOUT\r\n")))
            .await
            .expect("send");
        let _ = read_until_tagged(&mut ws, "a2 ").await;
        // Dovecot writes its login line as the session starts.
        let wanted = format!("user=<{}>", user.name);
        let deadline = std::time::Instant::now() + T;
        let line = loop {
            if let Some(line) = dovecot
                .log()
                .lines()
                .find(|l| l.contains("Login:") && l.contains(&wanted))
            {
                break line.to_owned();
            }
            assert!(
                std::time::Instant::now() < deadline,
                "no login line for {wanted}"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        };
        assert!(
            line.contains(&format!("rip={client},")),
            "{version}: {line}"
        );
    }

    // The same listener without the header: the session is refused (4004, TLS failed).
    let mut ws = raw_session(&url, "none", &[]).await;
    assert_eq!(
        read_until_tagged(&mut ws, "* OK").await,
        Err(CloseCode::UpstreamTlsFailed.as_u16())
    );
}

// ---------------------------------------------------------------------------------------------
// Wire contract version 2 (flow control) and version 1 compatibility
// ---------------------------------------------------------------------------------------------

/// Logs `conn` in as `user` (with `messages` seeded messages), checks a whole-mailbox FETCH
/// against the seed byte for byte, and that IDLE is woken by an APPEND from a direct
/// connection (seen through the relay the bridge URL goes through: `+ idling` is waited for
/// in `relay`'s recording, so the APPEND cannot come first).
async fn login_fetch_idle(
    conn: &ImapConnection,
    relay: &Recorder,
    dovecot: &Dovecot,
    user: &TestUser,
    messages: u32,
) {
    conn.login(&user.name, &user.password, T)
        .await
        .expect("login via bridge");
    assert_eq!(
        conn.select("INBOX", T).await.expect("select").exists,
        messages
    );
    let fetched = conn
        .fetch(&set("1:*"), &[FetchAttr::Uid, FetchAttr::Rfc822], T)
        .await
        .expect("fetch");
    assert_eq!(fetched.len(), messages as usize);
    for (i, message) in (1..).zip(&fetched) {
        assert_eq!(
            message.rfc822.as_deref(),
            Some(&seed::message(i)[..]),
            "message {i}"
        );
    }
    let idle = tokio::spawn({
        let conn = conn.clone();
        async move { conn.idle(T, CancellationToken::new()).await }
    });
    tokio::time::timeout(T, async {
        while !relay.server_text().contains("+ idling") {
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    })
    .await
    .expect("Dovecot accepted IDLE");
    let writer = login(dovecot, user, TlsMode::Implicit).await;
    writer
        .append("INBOX", &[], &seed::message(messages + 1), T)
        .await
        .expect("append");
    let woke = idle.await.expect("idle task").expect("idle");
    assert_eq!(woke, IdleEvent::Exists(messages + 1));
    writer.logout().await.expect("logout");
    conn.logout().await.expect("logout via bridge");
}

/// The port of a `ws://127.0.0.1:port/imap` URL.
fn port_of(url: &str) -> u16 {
    url.trim_start_matches("ws://127.0.0.1:")
        .trim_end_matches("/imap")
        .parse()
        .expect("the bridge's port")
}

/// A bridge that speaks both versions runs version 2 with this client: the bridge says
/// `ready tls=bridge` first, the client grants credit as it reads, never holds more than its
/// window (16 KiB here, so hundreds of grants) — and login, FETCH and IDLE work as ever.
#[tokio::test]
async fn version_2_is_negotiated_end_to_end_and_a_small_window_carries_everything() {
    let dovecot = shared_dovecot();
    let (url, metrics) = start_bridge_config(dovecot, Limits::default(), |_| {}).await;
    let relay = Recorder::start(port_of(&url)).await;
    let user = dovecot.new_user(2000);
    const WINDOW: u32 = 16 * 1024;
    let conn = ImapConnection::builder()
        .bridge_origin(ORIGIN)
        .bridge_window(WINDOW)
        .connect_via_bridge(
            &format!("ws://127.0.0.1:{}/imap", relay.port()),
            BridgeTarget::named("dovecot").expect("name"),
            T,
        )
        .await
        .expect("connect via bridge");
    let info = conn.bridge_info().expect("a bridge connection").clone();
    assert_eq!(info.wire_version(), WireVersion::V2);
    assert_eq!(info.window(), Some(WINDOW));
    // `ready` precedes the greeting, which `connect_via_bridge` has read.
    assert!(info.ready(), "{info:?}");
    assert_eq!(info.tls(), Some(TlsPlacement::Bridge));
    login_fetch_idle(&conn, &relay, dovecot, &user, 2000).await;
    println!("version 2, window {WINDOW}: {info:?}");
    assert!(info.bytes_received() > 20 * u64::from(WINDOW), "{info:?}");
    assert!(info.credit_granted() >= info.bytes_received(), "{info:?}");
    assert!(info.grants_sent() > 20, "{info:?}");
    assert!(info.max_buffered() <= u64::from(WINDOW), "{info:?}");
    // The bridge ran the session as version 2 too.
    assert_eq!(
        metrics.wire_sessions(daaki_imap_bridge::config::WireVersion::V2),
        1
    );
    assert_eq!(
        metrics.wire_sessions(daaki_imap_bridge::config::WireVersion::V1),
        0
    );
}

/// Version 2's upload window end to end: a bridge granting the smallest upload window
/// (16 KiB, one frame) takes a 2 MiB APPEND through many grants; the client never sends
/// beyond the credit it received, waits for grants, and the message arrives byte for byte.
#[tokio::test]
async fn version_2_uploads_within_the_bridges_credit_through_a_small_upload_window() {
    use daaki_imap_bridge::config::MIN_UPLOAD_WINDOW;
    let dovecot = shared_dovecot();
    let limits = Limits {
        upload_window: MIN_UPLOAD_WINDOW,
        ..Limits::default()
    };
    let (url, _metrics) = start_bridge_with(dovecot, limits).await;
    let user = dovecot.new_user(0);
    let conn = via_bridge(&url, "dovecot")
        .await
        .expect("connect via bridge");
    let info = conn.bridge_info().expect("a bridge connection").clone();
    assert_eq!(info.wire_version(), WireVersion::V2);
    // The bridge's first grant (its whole upload window) came with `ready`, before the
    // greeting `connect_via_bridge` has read.
    assert!(info.ready(), "{info:?}");
    assert_eq!(info.upload_credit_received(), u64::from(MIN_UPLOAD_WINDOW));
    conn.login(&user.name, &user.password, T)
        .await
        .expect("login via bridge");
    let mut big = b"Subject: upload window\r\n\r\n".to_vec();
    let mut line = 0u32;
    while big.len() < 2 << 20 {
        line += 1;
        big.extend_from_slice(format!("line {line:08} of the upload window test\r\n").as_bytes());
    }
    conn.append("INBOX", &[], &big, T).await.expect("append");
    assert_eq!(conn.select("INBOX", T).await.expect("select").exists, 1);
    let fetched = conn
        .fetch(&set("1"), &[FetchAttr::Rfc822], T)
        .await
        .expect("fetch");
    assert!(
        fetched.first().and_then(|m| m.rfc822.as_deref()) == Some(&big[..]),
        "the appended message differs"
    );
    conn.logout().await.expect("logout via bridge");
    println!("upload window {MIN_UPLOAD_WINDOW}: {info:?}");
    assert!(info.bytes_sent() > big.len() as u64, "{info:?}");
    assert!(
        info.upload_credit_received() >= info.bytes_sent(),
        "{info:?}"
    );
    // More than a hundred windows went through: the credit was granted again and again,
    // and the writes waited for it.
    assert!(
        info.upload_credit_received() > 100 * u64::from(MIN_UPLOAD_WINDOW),
        "{info:?}"
    );
    assert!(info.upload_waits() > 0, "{info:?}");
}

/// A bridge configured with `wire_versions = [1]` answers like one that only knows version
/// 1: the same client (offering both) runs version 1 — no credit, no control messages — and
/// works end to end.
#[tokio::test]
async fn a_version_2_client_runs_version_1_with_a_bridge_that_speaks_only_version_1() {
    let dovecot = shared_dovecot();
    let (url, metrics) = start_bridge_config(dovecot, Limits::default(), |config| {
        config.wire_versions = vec![daaki_imap_bridge::config::WireVersion::V1];
    })
    .await;
    let relay = Recorder::start(port_of(&url)).await;
    let user = dovecot.new_user(50);
    let conn = ImapConnection::builder()
        .bridge_origin(ORIGIN)
        .connect_via_bridge(
            &format!("ws://127.0.0.1:{}/imap", relay.port()),
            BridgeTarget::named("dovecot").expect("name"),
            T,
        )
        .await
        .expect("connect via bridge");
    let info = conn.bridge_info().expect("a bridge connection").clone();
    assert_eq!(info.wire_version(), WireVersion::V1);
    assert_eq!(info.window(), None);
    login_fetch_idle(&conn, &relay, dovecot, &user, 50).await;
    assert!(!info.ready());
    assert_eq!((info.credit_granted(), info.grants_sent()), (0, 0));
    assert!(info.bytes_received() > 10_000, "{info:?}");
    assert_eq!(
        metrics.wire_sessions(daaki_imap_bridge::config::WireVersion::V1),
        1
    );
    assert_eq!(
        metrics.wire_sessions(daaki_imap_bridge::config::WireVersion::V2),
        0
    );
}

/// A client that offers only `daaki-imap.v1` (an older client; here a raw WebSocket) gets
/// version 1 from a bridge that speaks both: the echoed subprotocol is `daaki-imap.v1`, no
/// text frame ever comes, and a session with more data than any window runs to the end
/// without a single grant.
#[tokio::test]
async fn a_client_offering_only_version_1_gets_version_1_from_a_bridge_that_speaks_both() {
    use futures_util::{SinkExt, StreamExt};
    use tokio_tungstenite::tungstenite::client::IntoClientRequest;
    use tokio_tungstenite::tungstenite::http::HeaderValue;
    use tokio_tungstenite::tungstenite::{Bytes, Message};

    let dovecot = shared_dovecot();
    let (url, metrics) = start_bridge_config(dovecot, Limits::default(), |_| {}).await;
    let user = dovecot.new_user(4000);
    let mut request = format!("{url}?target=dovecot")
        .into_client_request()
        .expect("request");
    let headers = request.headers_mut();
    headers.insert("Origin", HeaderValue::from_static(ORIGIN));
    headers.insert(
        "Sec-WebSocket-Protocol",
        HeaderValue::from_static(daaki_imap::wire::SUBPROTOCOL),
    );
    let tcp = tokio::net::TcpStream::connect(("127.0.0.1", port_of(&url)))
        .await
        .expect("connect");
    let (mut ws, response) = tokio_tungstenite::client_async(request, tcp)
        .await
        .expect("upgrade");
    assert_eq!(
        response
            .headers()
            .get("Sec-WebSocket-Protocol")
            .and_then(|v| v.to_str().ok()),
        Some("daaki-imap.v1")
    );
    // Everything the bridge sends until a complete line starting with `tag`: binary frames
    // only (a text frame, such as version 2's `ready`, fails the test).
    async fn until_tagged(
        ws: &mut tokio_tungstenite::WebSocketStream<tokio::net::TcpStream>,
        tag: &str,
    ) -> Vec<u8> {
        let mut got = Vec::new();
        loop {
            if got.ends_with(b"\r\n")
                && String::from_utf8_lossy(&got)
                    .lines()
                    .any(|l| l.starts_with(tag))
            {
                return got;
            }
            match tokio::time::timeout(T, ws.next()).await.expect("in time") {
                Some(Ok(Message::Binary(bytes))) => got.extend_from_slice(&bytes),
                Some(Ok(Message::Ping(_) | Message::Pong(_))) => {}
                other => panic!(
                    "unexpected {other:?} after {} bytes (version 1: binary frames only)",
                    got.len()
                ),
            }
        }
    }
    let greeting = until_tagged(&mut ws, "* OK").await;
    assert!(greeting.starts_with(b"* OK"), "{greeting:?}");
    let commands = format!(
        "a LOGIN {} {}\r\nb EXAMINE INBOX\r\nc FETCH 1:* BODY.PEEK[]\r\n",
        user.name, user.password
    );
    ws.send(Message::Binary(Bytes::from(commands)))
        .await
        .expect("send");
    let answer = until_tagged(&mut ws, "c OK").await;
    // Every message's bytes arrived (far more than a version-2 window) in the FETCH answer.
    let text = String::from_utf8_lossy(&answer);
    assert!(
        text.contains("a OK") && text.contains("b OK"),
        "{text:.300}"
    );
    for i in [1, 2000, 4000] {
        let body = String::from_utf8(seed::message(i)).expect("ascii");
        assert!(text.contains(&body), "message {i} missing");
    }
    let window = daaki_imap::wire::DEFAULT_WINDOW as usize;
    assert!(answer.len() > window, "{} bytes", answer.len());
    ws.send(Message::Binary(Bytes::from_static(b"d LOGOUT\r\n")))
        .await
        .expect("send");
    let _ = until_tagged(&mut ws, "d OK").await;
    assert_eq!(
        metrics.wire_sessions(daaki_imap_bridge::config::WireVersion::V1),
        1
    );
}
