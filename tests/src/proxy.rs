//! A recording TCP relay between a test client and a harness server.
//!
//! Some behaviours are only visible on the wire: that an IDLE was re-issued, or that a command
//! was written while the client was not reading. [`Recorder`] forwards bytes unchanged in both
//! directions and keeps a copy of what the client sent, so a test can assert on it. It is a
//! plain relay — the server behind it is the real one.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// A relay on a free loopback port to `target`; records the client's bytes.
#[derive(Debug, Clone)]
pub struct Recorder {
    addr: SocketAddr,
    sent: Arc<Mutex<Vec<u8>>>,
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
        let record = sent.clone();
        tokio::spawn(async move {
            while let Ok((client, _)) = listener.accept().await {
                let record = record.clone();
                tokio::spawn(async move {
                    let Ok(server) = TcpStream::connect(("127.0.0.1", target_port)).await else {
                        return;
                    };
                    relay(client, server, record).await;
                });
            }
        });
        Recorder { addr, sent }
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

    /// How many client lines end with `suffix` (e.g. `" IDLE"`, `"DONE"`), ignoring case.
    pub fn count_lines_ending(&self, suffix: &str) -> usize {
        let suffix = suffix.to_ascii_uppercase();
        self.client_text()
            .split("\r\n")
            .filter(|line| line.to_ascii_uppercase().ends_with(&suffix))
            .count()
    }
}

async fn relay(client: TcpStream, server: TcpStream, record: Arc<Mutex<Vec<u8>>>) {
    let (mut client_rd, mut client_wr) = client.into_split();
    let (mut server_rd, mut server_wr) = server.into_split();
    let upstream = async move {
        let mut buf = vec![0u8; 16 * 1024];
        loop {
            let n = match client_rd.read(&mut buf).await {
                Ok(0) | Err(_) => break,
                Ok(n) => n,
            };
            if let Some(bytes) = buf.get(..n) {
                record
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .extend_from_slice(bytes);
                if server_wr.write_all(bytes).await.is_err() {
                    break;
                }
            }
        }
        let _ = server_wr.shutdown().await;
    };
    let downstream = async move {
        let _ = tokio::io::copy(&mut server_rd, &mut client_wr).await;
        let _ = client_wr.shutdown().await;
    };
    tokio::join!(upstream, downstream);
}
