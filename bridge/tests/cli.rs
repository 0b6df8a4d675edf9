//! The `daaki-imap-bridge` binary itself: the `ticket` subcommand, configuration through a
//! file plus flags and environment, `/healthz`, JSON logs without payload, and SIGTERM
//! draining an open session (closed with 1001) before a clean exit. Everything stays on
//! 127.0.0.1.

use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use daaki_imap::wire::{BridgeTarget, SUBPROTOCOL};
use daaki_imap_bridge::ticket::{TicketKey, unix_now};
use futures_util::{SinkExt, StreamExt};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::http::HeaderValue;
use tokio_tungstenite::tungstenite::{Bytes, Message};

const BIN: &str = env!("CARGO_BIN_EXE_daaki-imap-bridge");
const SECRET: &str = "0123456789abcdef0123456789abcdef0123456789abcdef";

/// A file of this test process in the temporary directory.
fn scratch(name: &str) -> PathBuf {
    std::env::temp_dir().join(format!("daaki-bridge-cli-{}-{name}", std::process::id()))
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("bind")
        .port()
}

#[test]
fn the_ticket_subcommand_prints_a_ticket_the_bridge_accepts() {
    let secret = scratch("ticket.secret");
    std::fs::write(&secret, format!("{SECRET}\n")).expect("write");
    let out = Command::new(BIN)
        .args(["ticket", "--secret-file"])
        .arg(&secret)
        .args(["--target", "work", "--ttl", "120"])
        .output()
        .expect("run");
    assert!(out.status.success(), "{out:?}");
    let ticket = String::from_utf8(out.stdout).expect("utf-8");
    let ticket = ticket.trim_end();
    let key = TicketKey::new(SECRET.as_bytes()).expect("key");
    let work = BridgeTarget::named("work").expect("name");
    assert_eq!(key.verify(ticket, &work, unix_now()), Ok(()));
    assert!(key.verify(ticket, &work, unix_now() + 121).is_err());
    let _ = std::fs::remove_file(&secret);
}

#[tokio::test]
async fn sigterm_drains_an_open_session_then_exits_cleanly() {
    // A plaintext loopback "IMAP server" the bridge may reach (allow_private, tls = false).
    let upstream = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let upstream_port = upstream.local_addr().expect("addr").port();
    let (listen, metrics) = (free_port(), free_port());
    let config = scratch("bridge.toml");
    std::fs::write(
        &config,
        format!(
            r#"
            listen = "127.0.0.1:1"   # overridden by DAAKI_BRIDGE_LISTEN
            origins = ["*"]
            [[targets]]
            name = "local"
            host = "127.0.0.1"
            port = {upstream_port}
            tls = false
            allow_private = true
            [limits]
            shutdown_drain_secs = 1
            "#
        ),
    )
    .expect("write");
    let mut child = Command::new(BIN)
        .arg("--config")
        .arg(&config)
        .args(["--log-format", "json"])
        .env("DAAKI_BRIDGE_LISTEN", format!("127.0.0.1:{listen}"))
        .env(
            "DAAKI_BRIDGE_METRICS_LISTEN",
            format!("127.0.0.1:{metrics}"),
        )
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");

    // Wait for /healthz.
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        assert!(Instant::now() < deadline, "the bridge never became healthy");
        if let Ok(mut tcp) = TcpStream::connect(("127.0.0.1", metrics)).await {
            tcp.write_all(b"GET /healthz HTTP/1.1\r\n\r\n")
                .await
                .expect("write");
            let mut response = String::new();
            let _ = tcp.read_to_string(&mut response).await;
            if response.starts_with("HTTP/1.1 200") && response.ends_with("ok\n") {
                break;
            }
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }

    let mut request = format!("ws://127.0.0.1:{listen}/imap?target=local")
        .into_client_request()
        .expect("request");
    request.headers_mut().insert(
        "Sec-WebSocket-Protocol",
        HeaderValue::from_static(SUBPROTOCOL),
    );
    let tcp = TcpStream::connect(("127.0.0.1", listen))
        .await
        .expect("connect");
    let (mut ws, _) = tokio_tungstenite::client_async(request, tcp)
        .await
        .expect("upgrade");
    let (mut server, _) = upstream.accept().await.expect("accept");
    ws.send(Message::Binary(Bytes::from_static(
        b"a1 LOGIN secret-pw\r\n",
    )))
    .await
    .expect("send");
    let mut got = [0u8; 20];
    server.read_exact(&mut got).await.expect("read");
    assert_eq!(&got, b"a1 LOGIN secret-pw\r\n");

    let status = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .expect("kill");
    assert!(status.success());
    let close = loop {
        match tokio::time::timeout(Duration::from_secs(10), ws.next())
            .await
            .expect("closed within 10 s")
        {
            Some(Ok(Message::Close(frame))) => break frame.map(|f| u16::from(f.code)),
            Some(Ok(_)) => {}
            other => panic!("unexpected {other:?}"),
        }
    };
    assert_eq!(close, Some(1001));

    let deadline = Instant::now() + Duration::from_secs(15);
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait") {
            break status;
        }
        assert!(Instant::now() < deadline, "the bridge did not exit");
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    assert!(status.success(), "{status:?}");
    let mut logs = String::new();
    if let Some(mut stderr) = child.stderr.take() {
        use std::io::Read;
        stderr.read_to_string(&mut logs).expect("stderr");
    }
    assert!(logs.lines().count() >= 3, "{logs}");
    for line in logs.lines() {
        assert!(
            line.starts_with('{') && line.ends_with('}'),
            "not JSON: {line}"
        );
    }
    assert!(logs.contains("shutting down"), "{logs}");
    assert!(!logs.contains("secret-pw"), "payload bytes were logged");
    let _ = std::fs::remove_file(&config);
}
