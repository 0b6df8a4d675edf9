//! The `daaki-imap-bridge` binary itself: the `ticket` subcommand, configuration through a
//! file plus flags and environment, `/healthz`, logs without payload or tickets (captured from
//! the child's stderr, at trace level, text and JSON), and SIGTERM — draining an open session,
//! and in the middle of a large transfer both ways (closed with 1001, the bytes that arrived
//! an uncorrupted prefix of what was sent) — before a clean exit. Everything stays on
//! 127.0.0.1.

use std::io::Read;
use std::path::PathBuf;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::time::{Duration, Instant};

use daaki_imap::wire::{BridgeTarget, CloseCode, SUBPROTOCOL};
use daaki_imap_bridge::ticket::{TicketKey, unix_now};
use futures_util::{SinkExt, StreamExt};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio_tungstenite::WebSocketStream;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::http::HeaderValue;
use tokio_tungstenite::tungstenite::{Bytes, Message};

const BIN: &str = env!("CARGO_BIN_EXE_daaki-imap-bridge");
const SECRET: &str = "0123456789abcdef0123456789abcdef0123456789abcdef";
const T: Duration = Duration::from_secs(10);

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

/// The bridge binary in a child process, its stderr collected by a thread (so a chatty log
/// level can never block it on a full pipe).
struct Bridge {
    child: Child,
    listen: u16,
    config: PathBuf,
    stderr: Option<std::thread::JoinHandle<String>>,
}

impl Drop for Bridge {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_file(&self.config);
    }
}

/// A `[[targets]]` table `name` for a plaintext upstream on 127.0.0.1:`port`.
fn local_target(name: &str, port: u16) -> String {
    format!(
        "[[targets]]\nname = \"{name}\"\nhost = \"127.0.0.1\"\nport = {port}\ntls = false\n\
         allow_private = true\n"
    )
}

/// Starts the binary with `config` (listen address and metrics address come from the
/// environment, as an operator's unit file might set them) and waits for `/healthz`.
async fn start(name: &str, config: &str, log_format: &str, rust_log: &str) -> Bridge {
    let (listen, metrics) = (free_port(), free_port());
    let path = scratch(&format!("{name}.toml"));
    std::fs::write(
        &path,
        format!("listen = \"127.0.0.1:1\"   # overridden by DAAKI_BRIDGE_LISTEN\n{config}"),
    )
    .expect("write");
    let mut child = Command::new(BIN)
        .arg("--config")
        .arg(&path)
        .args(["--log-format", log_format])
        .env("RUST_LOG", rust_log)
        .env("DAAKI_BRIDGE_LISTEN", format!("127.0.0.1:{listen}"))
        .env(
            "DAAKI_BRIDGE_METRICS_LISTEN",
            format!("127.0.0.1:{metrics}"),
        )
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    let mut pipe = child.stderr.take().expect("stderr");
    let stderr = std::thread::spawn(move || {
        let mut logs = String::new();
        let _ = pipe.read_to_string(&mut logs);
        logs
    });
    let bridge = Bridge {
        child,
        listen,
        config: path,
        stderr: Some(stderr),
    };
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
    bridge
}

impl Bridge {
    /// Opens a session to `target` offering `protocols`.
    async fn open(&self, target: &str, protocols: &str) -> WebSocketStream<TcpStream> {
        let mut request = format!("ws://127.0.0.1:{}/imap?target={target}", self.listen)
            .into_client_request()
            .expect("request");
        request.headers_mut().insert(
            "Sec-WebSocket-Protocol",
            HeaderValue::from_str(protocols).expect("protocols"),
        );
        let tcp = TcpStream::connect(("127.0.0.1", self.listen))
            .await
            .expect("connect");
        tokio_tungstenite::client_async(request, tcp)
            .await
            .expect("upgrade")
            .0
    }

    fn sigterm(&self) {
        let status = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .expect("kill");
        assert!(status.success());
    }

    /// Waits (bounded) for the process to exit: its status and everything it logged.
    async fn exited(&mut self) -> (ExitStatus, String) {
        let deadline = Instant::now() + Duration::from_secs(15);
        let status = loop {
            if let Some(status) = self.child.try_wait().expect("wait") {
                break status;
            }
            assert!(Instant::now() < deadline, "the bridge did not exit");
            tokio::time::sleep(Duration::from_millis(50)).await;
        };
        let logs = self
            .stderr
            .take()
            .expect("stderr collected once")
            .join()
            .expect("stderr thread");
        (status, logs)
    }
}

/// The close code the bridge ends the session with (skipping everything else).
async fn close_code(ws: &mut WebSocketStream<TcpStream>) -> Option<u16> {
    loop {
        match tokio::time::timeout(T, ws.next())
            .await
            .expect("closed within the timeout")
        {
            Some(Ok(Message::Close(frame))) => break frame.map(|f| u16::from(f.code)),
            Some(Ok(_)) => {}
            other => panic!("unexpected {other:?}"),
        }
    }
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
    assert_eq!(key.verify(ticket, &work, unix_now()), Ok(None));
    assert!(key.verify(ticket, &work, unix_now() + 121).is_err());
    let _ = std::fs::remove_file(&secret);
}

#[test]
fn the_ticket_subcommand_mints_a_subject_ticket_with_subject_and_refuses_a_bad_subject() {
    let secret = scratch("subject.secret");
    std::fs::write(&secret, format!("{SECRET}\n")).expect("write");
    let run = |subject: &str| {
        Command::new(BIN)
            .args(["ticket", "--secret-file"])
            .arg(&secret)
            .args(["--target", "work", "--ttl", "120", "--subject", subject])
            .output()
            .expect("run")
    };
    let out = run("alice@example.com");
    assert!(out.status.success(), "{out:?}");
    let ticket = String::from_utf8(out.stdout).expect("utf-8");
    let ticket = ticket.trim_end();
    let key = TicketKey::new(SECRET.as_bytes()).expect("key");
    let work = BridgeTarget::named("work").expect("name");
    let alice = daaki_imap::wire::TicketSubject::new("alice@example.com").expect("subject");
    assert_eq!(key.verify(ticket, &work, unix_now()), Ok(Some(alice)));
    assert!(key.verify(ticket, &work, unix_now() + 121).is_err());
    for bad in [String::new(), "a".repeat(129), "a\u{7}b".to_owned()] {
        let out = run(&bad);
        assert_eq!(out.status.code(), Some(1), "{bad:?}: {out:?}");
        assert!(out.stdout.is_empty(), "{bad:?}: a ticket was printed");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains("ticket subject"), "{bad:?}: {stderr}");
    }
    let _ = std::fs::remove_file(&secret);
}

#[tokio::test]
async fn sigterm_drains_an_open_session_then_exits_cleanly() {
    // A plaintext loopback "IMAP server" the bridge may reach (allow_private, tls = false).
    let upstream = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let port = upstream.local_addr().expect("addr").port();
    let config = format!(
        "origins = [\"*\"]\n{}[limits]\nshutdown_drain_secs = 1\n",
        local_target("local", port)
    );
    let mut bridge = start("drain", &config, "json", "info").await;
    let mut ws = bridge.open("local", SUBPROTOCOL).await;
    let (mut server, _) = upstream.accept().await.expect("accept");
    ws.send(Message::Binary(Bytes::from_static(
        b"a1 LOGIN secret-pw\r\n",
    )))
    .await
    .expect("send");
    let mut got = [0u8; 20];
    server.read_exact(&mut got).await.expect("read");
    assert_eq!(&got, b"a1 LOGIN secret-pw\r\n");

    bridge.sigterm();
    assert_eq!(close_code(&mut ws).await, Some(1001));
    let (status, logs) = bridge.exited().await;
    assert!(status.success(), "{status:?}");
    assert!(logs.lines().count() >= 3, "{logs}");
    for line in logs.lines() {
        assert!(
            line.starts_with('{') && line.ends_with('}'),
            "not JSON: {line}"
        );
    }
    assert!(logs.contains("shutting down"), "{logs}");
    assert!(!logs.contains("secret-pw"), "payload bytes were logged");
}

/// Tickets are bearer tokens: a valid one (piped), and expired, forged and wrong-target ones
/// (refused with 4007), sent to the real binary logging at `trace`, in both log formats —
/// none of them, nor a piece of one, is in the captured log, which does record those sessions.
#[tokio::test]
async fn tickets_never_appear_in_the_log_even_at_trace_level() {
    let upstream = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let port = upstream.local_addr().expect("addr").port();
    let secret = scratch("log.secret");
    std::fs::write(&secret, format!("{SECRET}\n")).expect("write");
    let config = format!(
        "origins = [\"*\"]\nticket_secret_file = {:?}\n{}{}[limits]\nshutdown_drain_secs = 1\n",
        secret.display().to_string(),
        local_target("local", port),
        local_target("other", port),
    );
    let key = TicketKey::new(SECRET.as_bytes()).expect("key");
    let forger = TicketKey::new(vec![b'f'; 32]).expect("key");
    let local = BridgeTarget::named("local").expect("name");
    let other = BridgeTarget::named("other").expect("name");
    for format in ["text", "json"] {
        let mut bridge = start(&format!("log-{format}"), &config, format, "trace").await;
        let valid = key.mint(&local, unix_now() + 300);
        let refused = [
            key.mint(&local, unix_now() - 1),
            forger.mint(&local, unix_now() + 300),
            key.mint(&other, unix_now() + 300),
        ];
        // The valid ticket, as the second entry (as `new WebSocket(url, [proto, ticket])`).
        let mut ws = bridge
            .open("local", &format!("{SUBPROTOCOL}, {valid}"))
            .await;
        let (mut server, _) = tokio::time::timeout(T, upstream.accept())
            .await
            .expect("dialled")
            .expect("accept");
        ws.send(Message::Binary(Bytes::from_static(b"a1 NOOP\r\n")))
            .await
            .expect("send");
        let mut got = [0u8; 9];
        server.read_exact(&mut got).await.expect("read");
        assert_eq!(&got, b"a1 NOOP\r\n");
        ws.close(None).await.expect("close");
        // The refused ones, in either position.
        for (i, ticket) in refused.iter().enumerate() {
            let protocols = if i % 2 == 0 {
                format!("{SUBPROTOCOL}, {ticket}")
            } else {
                format!("{ticket}, {SUBPROTOCOL}")
            };
            let mut ws = bridge.open("local", &protocols).await;
            assert_eq!(
                close_code(&mut ws).await,
                Some(CloseCode::TicketInvalid.as_u16())
            );
        }
        bridge.sigterm();
        let (status, logs) = bridge.exited().await;
        assert!(status.success(), "{status:?}");
        // The log covers those sessions…
        assert!(logs.contains("piping"), "{format}: {logs}");
        assert_eq!(
            logs.matches("ticket refused").count(),
            refused.len(),
            "{format}: {logs}"
        );
        assert!(logs.contains("expired") && logs.contains("signature invalid"));
        // …and holds no ticket, nor its first or last 16 characters.
        for ticket in refused.iter().chain([&valid]) {
            for piece in [&ticket[..], &ticket[..16], &ticket[ticket.len() - 16..]] {
                assert!(
                    !logs.contains(piece),
                    "{format}: ticket text {piece:?} logged:\n{logs}"
                );
            }
        }
    }
    let _ = std::fs::remove_file(&secret);
}

/// Byte `i` of the stream the upstream sends.
fn down(i: u64) -> u8 {
    (i % 251) as u8
}

/// Byte `i` of the stream the client sends.
fn up(i: u64) -> u8 {
    (i % 241) as u8 ^ 0x5a
}

/// Whether `chunk` is the stream `byte` at `offset`.
fn matches_at(chunk: &[u8], offset: u64, byte: fn(u64) -> u8) -> bool {
    chunk.iter().zip(offset..).all(|(b, i)| *b == byte(i))
}

/// A chunk of the stream `byte` starting at `offset`.
fn chunk_at(offset: u64, len: usize, byte: fn(u64) -> u8) -> Vec<u8> {
    (offset..offset + len as u64).map(byte).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_during_a_large_transfer_closes_with_1001_after_a_clean_prefix_and_exits_0() {
    const STARTED: u64 = 4 << 20;
    let upstream = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let port = upstream.local_addr().expect("addr").port();
    let config = format!(
        "origins = [\"*\"]\n{}[limits]\nshutdown_drain_secs = 1\nping_interval_secs = 0\n",
        local_target("local", port)
    );
    let mut bridge = start("transfer", &config, "text", "info").await;
    let ws = bridge.open("local", SUBPROTOCOL).await;
    let (server, _) = tokio::time::timeout(T, upstream.accept())
        .await
        .expect("dialled")
        .expect("accept");

    // The upstream streams `down` without end and checks what arrives against `up`.
    let (mut server_rx, mut server_tx) = server.into_split();
    let upstream_sent = Arc::new(AtomicU64::new(0));
    let sent = upstream_sent.clone();
    let upstream_writer = tokio::spawn(async move {
        let mut offset = 0u64;
        loop {
            let chunk = chunk_at(offset, 64 * 1024, down);
            if server_tx.write_all(&chunk).await.is_err() {
                return;
            }
            offset += chunk.len() as u64;
            sent.store(offset, Relaxed);
        }
    });
    let upstream_reader = tokio::spawn(async move {
        let (mut received, mut buf) = (0u64, vec![0u8; 64 * 1024]);
        while let Ok(n @ 1..) = server_rx.read(&mut buf).await {
            assert!(
                matches_at(&buf[..n], received, up),
                "upload corrupted near byte {received}"
            );
            received += n as u64;
        }
        received
    });

    // The client uploads `up` without end, and reads `down` until the bridge closes.
    let (mut ws_tx, mut ws_rx) = ws.split();
    let client_sent = Arc::new(AtomicU64::new(0));
    let sent = client_sent.clone();
    let client_writer = tokio::spawn(async move {
        let mut offset = 0u64;
        loop {
            let chunk = chunk_at(offset, 16 * 1024, up);
            let len = chunk.len() as u64;
            if ws_tx
                .send(Message::Binary(Bytes::from(chunk)))
                .await
                .is_err()
            {
                return;
            }
            offset += len;
            sent.store(offset, Relaxed);
        }
    });
    let mut received = 0u64;
    let mut at_sigterm = None;
    let close = loop {
        let message = tokio::time::timeout(T, ws_rx.next())
            .await
            .expect("a frame or the close within 10 s")
            .expect("stream ended without a close frame")
            .expect("websocket error");
        match message {
            Message::Binary(data) => {
                assert!(
                    matches_at(&data, received, down),
                    "download corrupted near byte {received}"
                );
                received += data.len() as u64;
                if at_sigterm.is_none() && received >= STARTED {
                    bridge.sigterm();
                    at_sigterm = Some(received);
                }
            }
            Message::Close(frame) => break frame.map(|f| u16::from(f.code)),
            _ => {}
        }
    };
    assert_eq!(close, Some(1001), "closed with {close:?}");
    let at_sigterm = at_sigterm.expect("4 MiB arrived before the close");
    // The session kept piping during the drain (the drain is not a cut at the signal).
    assert!(
        received > at_sigterm,
        "nothing arrived after SIGTERM ({received} bytes)"
    );
    assert!(received <= upstream_sent.load(Relaxed) + 64 * 1024);

    let (status, logs) = bridge.exited().await;
    assert!(status.success(), "{status:?}\n{logs}");
    assert!(logs.contains("drain deadline passed"), "{logs}");
    client_writer.abort();
    let _ = client_writer.await;
    let uploaded = tokio::time::timeout(T, upstream_reader)
        .await
        .expect("the upstream saw its end")
        .expect("upload intact");
    assert!(uploaded > 0, "nothing was uploaded");
    assert!(uploaded <= client_sent.load(Relaxed) + 16 * 1024);
    upstream_writer.abort();
}

/// `--check-config` prints the effective configuration (flags and environment applied) and
/// the configuration's warnings, and exits 0; a fatal problem (a ticket secret file that does
/// not exist) exits 1 with the reason.
#[test]
fn check_config_prints_the_effective_config_and_its_warnings() {
    let path = scratch("check.toml");
    std::fs::write(
        &path,
        "listen = \"127.0.0.1:1\"\norigins = [\"*\", \"https://mail.example.com/\"]\n\
         [[patterns]]\npattern = \"*.co.uk\"\n",
    )
    .expect("write");
    let out = Command::new(BIN)
        .arg("--config")
        .arg(&path)
        .arg("--check-config")
        .env("DAAKI_BRIDGE_LISTEN", "127.0.0.1:4242")
        .output()
        .expect("run");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{out:?}");
    assert!(
        stdout.contains("127.0.0.1:4242"),
        "the override applied: {stdout}"
    );
    let warnings: Vec<&str> = stdout
        .lines()
        .filter(|l| l.starts_with("warning: "))
        .collect();
    assert_eq!(warnings.len(), 3, "{stdout}");
    assert!(warnings[0].contains("origins = [\"*\"]"), "{stdout}");
    assert!(warnings[1].contains("trailing slash"), "{stdout}");
    assert!(warnings[2].contains("public suffix \"co.uk\""), "{stdout}");
    assert!(
        stdout.ends_with("configuration OK (3 warning(s))\n"),
        "{stdout}"
    );

    let missing = scratch("no-such.secret");
    std::fs::write(
        &path,
        format!(
            "listen = \"127.0.0.1:1\"\nticket_secret_file = \"{}\"\n",
            missing.display()
        ),
    )
    .expect("write");
    let out = Command::new(BIN)
        .arg("--config")
        .arg(&path)
        .arg("--check-config")
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("no-such.secret"),
        "{out:?}"
    );
    let _ = std::fs::remove_file(&path);
}

/// A fatal problem found at start-up (here a missing ticket secret) ends the process before it
/// binds or logs "listening"; the warnings come first, and text logs written to a pipe carry
/// no ANSI colour codes.
#[test]
fn fatal_checks_run_before_listening_and_logs_to_a_pipe_have_no_colours() {
    let path = scratch("fatal.toml");
    let port = free_port();
    let missing = scratch("fatal-no-such.secret");
    std::fs::write(
        &path,
        format!(
            "listen = \"127.0.0.1:{port}\"\norigins = [\"*\"]\nticket_secret_file = \"{}\"\n",
            missing.display()
        ),
    )
    .expect("write");
    let out = Command::new(BIN)
        .arg("--config")
        .arg(&path)
        .env("RUST_LOG", "info")
        .output()
        .expect("run");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(!stderr.contains("listening"), "{stderr}");
    assert!(stderr.contains("fatal-no-such.secret"), "{stderr}");
    assert!(
        stderr.contains("origins = [\\\"*\\\"]") || stderr.contains("origins = [\"*\"]"),
        "the warning is logged: {stderr}"
    );
    assert!(!stderr.contains('\u{1b}'), "no ANSI escapes: {stderr:?}");
    let _ = std::fs::remove_file(&path);
}
