//! A recording TCP relay between a test client and a harness server.
//!
//! Some behaviours are only visible on the wire: that an IDLE was re-issued, or that a command
//! was written while the client was not reading, or which untagged data a server sent during a
//! command. [`Recorder`] forwards bytes unchanged in both directions and keeps a copy of each
//! direction, so a test can assert on it. It is a plain relay — the server behind it is the
//! real one.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// A relay on a free loopback port to `target`; records the bytes of both directions (of all
/// connections through it, each direction in arrival order).
#[derive(Debug, Clone)]
pub struct Recorder {
    addr: SocketAddr,
    sent: Arc<Mutex<Vec<u8>>>,
    received: Arc<Mutex<Vec<u8>>>,
}

impl Recorder {
    /// Starts relaying connections to `127.0.0.1:target_port` (on the current tokio runtime).
    ///
    /// # Panics
    /// When no loopback port can be bound (a harness failure).
    pub async fn start(target_port: u16) -> Recorder {
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind a loopback port for the relay");
        let addr = listener.local_addr().expect("relay address");
        let sent = Arc::new(Mutex::new(Vec::new()));
        let received = Arc::new(Mutex::new(Vec::new()));
        let (record_sent, record_received) = (sent.clone(), received.clone());
        tokio::spawn(async move {
            while let Ok((client, _)) = listener.accept().await {
                let (to_server, to_client) = (record_sent.clone(), record_received.clone());
                tokio::spawn(async move {
                    let Ok(server) = TcpStream::connect(("127.0.0.1", target_port)).await else {
                        return;
                    };
                    relay(client, server, to_server, to_client).await;
                });
            }
        });
        Recorder {
            addr,
            sent,
            received,
        }
    }

    /// The relay's port (connect the client here).
    pub fn port(&self) -> u16 {
        self.addr.port()
    }

    /// Everything clients sent so far, as text (lossy).
    pub fn client_text(&self) -> String {
        let sent = self.sent.lock().unwrap_or_else(|e| e.into_inner());
        String::from_utf8_lossy(&sent).into_owned()
    }

    /// Everything the server sent to clients so far, as text (lossy).
    pub fn server_text(&self) -> String {
        let received = self.received.lock().unwrap_or_else(|e| e.into_inner());
        String::from_utf8_lossy(&received).into_owned()
    }

    /// How many continuation requests (`+ …` lines) the server has sent so far.
    pub fn continuations(&self) -> usize {
        self.server_text()
            .split("\r\n")
            .filter(|line| line.starts_with('+'))
            .count()
    }

    /// Waits until the server has sent `n` continuation requests (`+`) — for IDLE, its
    /// acceptance: the server watches the mailbox from then on. The relay has no notification,
    /// so its record is polled every 5 ms, for at most `bound`.
    ///
    /// # Panics
    /// When fewer than `n` arrived within `bound`, with what the server sent.
    pub async fn wait_for_continuations(&self, n: usize, bound: std::time::Duration) {
        let waited = tokio::time::timeout(bound, async {
            while self.continuations() < n {
                tokio::time::sleep(std::time::Duration::from_millis(5)).await;
            }
        })
        .await;
        if waited.is_err() {
            panic!("no continuation #{n}: {}", self.server_text());
        }
    }

    /// How many client lines end with `suffix` (e.g. `" IDLE"`, `"DONE"`), ignoring case.
    pub fn count_lines_ending(&self, suffix: &str) -> usize {
        let suffix = suffix.to_ascii_uppercase();
        self.client_text()
            .split("\r\n")
            .filter(|line| line.to_ascii_uppercase().ends_with(&suffix))
            .count()
    }
}

async fn relay(
    client: TcpStream,
    server: TcpStream,
    to_server: Arc<Mutex<Vec<u8>>>,
    to_client: Arc<Mutex<Vec<u8>>>,
) {
    let (client_rd, client_wr) = client.into_split();
    let (server_rd, server_wr) = server.into_split();
    tokio::join!(
        copy_recording(client_rd, server_wr, to_server),
        copy_recording(server_rd, client_wr, to_client),
    );
}

/// Copies `from` to `to` until either side closes, appending every byte to `record` before
/// it is forwarded (so a reply the client has seen is always in the record).
async fn copy_recording(
    mut from: tokio::net::tcp::OwnedReadHalf,
    mut to: tokio::net::tcp::OwnedWriteHalf,
    record: Arc<Mutex<Vec<u8>>>,
) {
    let mut buf = vec![0u8; 16 * 1024];
    loop {
        let n = match from.read(&mut buf).await {
            Ok(0) | Err(_) => break,
            Ok(n) => n,
        };
        let Some(bytes) = buf.get(..n) else { break };
        record
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .extend_from_slice(bytes);
        if to.write_all(bytes).await.is_err() {
            break;
        }
    }
    let _ = to.shutdown().await;
}
