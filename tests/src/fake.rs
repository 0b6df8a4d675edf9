//! A scripted fake IMAP server — only for what no real server does on demand.
//!
//! Real behaviour is tested against the harness Dovecot ([`crate::harness`]); nothing that
//! Dovecot can show is tested here. This server exists for faults, injection and quirks a real
//! server will not produce when asked: stalling, hanging up mid-literal, a `BYE` in the middle
//! of a command, garbage lines, an impossible literal length, bytes injected right after
//! `OK Begin TLS`, a reply trickled one byte per write, or a capability list no real server
//! sends (no `STARTTLS`, `LOGINDISABLED` on a plain port).
//!
//! A [`FakeServer`] listens on `127.0.0.1:0`, accepts one connection per [`Script`] (in
//! order) and plays the script's [`Step`]s. It records every byte the client sent, separately
//! for the cleartext part and the part under TLS, so a test can assert that credentials never
//! crossed the wire in the clear. It does not parse IMAP: it reads lines and compares
//! prefixes, and does not answer client literals.
//!
//! ```no_run
//! # async fn example() {
//! use daaki_imap::TlsMode;
//! use daaki_imap_tests::fake::{FakeServer, Step};
//! let server = FakeServer::start(vec![vec![
//!     Step::send("* OK [CAPABILITY IMAP4rev1] fake\r\n"),
//!     Step::expect("NOOP"),
//!     Step::send("{tag} OK done\r\n"),
//! ]])
//! .await;
//! let conn = server.connect(TlsMode::Plaintext).await.unwrap();
//! conn.noop(daaki_imap_tests::client::T).await.unwrap();
//! # }
//! ```

use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use daaki_imap::{ImapConnection, ImapConnectionBuilder, TlsMode, TrustRoots};
use rustls::ServerConfig;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::Notify;
use tokio_rustls::TlsAcceptor;
use tokio_rustls::server::TlsStream;

use crate::client::T;
use crate::harness::{TestCa, seed};

/// One connection's worth of steps.
pub type Script = Vec<Step>;

/// One thing the fake server does.
///
/// In `Send` bytes, `{tag}` stands for the tag of the last line the client sent, and `{tag1}`,
/// `{tag2}`, … for the tags of its first, second, … line on this connection.
#[derive(Debug, Clone)]
pub enum Step {
    /// Write the bytes in one write.
    Send(Vec<u8>),
    /// Write the bytes in writes of at most this many bytes each (1 = one byte per write).
    SendChunked(Vec<u8>, usize),
    /// Read one client line; its text after the tag must start with this prefix (ASCII case
    /// ignored; an empty prefix accepts any line). The tag is remembered for `{tag}`.
    Expect(String),
    /// Read one client line that must equal this text exactly (no tag: for the client's
    /// lines inside an AUTHENTICATE exchange, or a literal's continuation). Tags are not
    /// changed.
    ExpectLine(String),
    /// Never answer again: keep reading (and recording) until the client hangs up.
    Stall,
    /// Drop the connection now.
    Close,
    /// Wait this long (what the client sends meanwhile is read by the next `Expect`).
    Sleep(Duration),
    /// Do a TLS handshake as the server, with a certificate of the harness's [`TestCa`].
    /// Later steps run under TLS.
    StartTls,
}

impl Step {
    /// [`Step::Send`] of text or bytes.
    pub fn send(bytes: impl AsRef<[u8]>) -> Step {
        Step::Send(bytes.as_ref().to_vec())
    }

    /// [`Step::ExpectLine`] of exactly `line` (without CRLF).
    pub fn expect_line(line: &str) -> Step {
        Step::ExpectLine(line.to_owned())
    }

    /// [`Step::Expect`] of a command prefix such as `"LOGIN"` or `"UID FETCH"`.
    pub fn expect(prefix: &str) -> Step {
        Step::Expect(prefix.to_owned())
    }
}

#[derive(Debug, Default)]
struct Record {
    clear: Vec<u8>,
    tls: Vec<u8>,
    errors: Vec<String>,
    finished: usize,
}

/// A running fake server. See the [module docs](self).
#[derive(Debug, Clone)]
pub struct FakeServer {
    port: u16,
    scripts: usize,
    record: Arc<Mutex<Record>>,
    progress: Arc<Notify>,
}

impl FakeServer {
    /// Starts listening (on the current tokio runtime); connection *n* plays `scripts[n]`.
    /// When a script ends, its connection is closed.
    ///
    /// # Panics
    /// When no loopback port can be bound.
    pub async fn start(scripts: Vec<Script>) -> FakeServer {
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind a loopback port for the fake server");
        let port = listener.local_addr().expect("fake server address").port();
        let server = FakeServer {
            port,
            scripts: scripts.len(),
            record: Arc::default(),
            progress: Arc::default(),
        };
        let shared = server.clone();
        tokio::spawn(async move {
            for script in scripts {
                let Ok((tcp, _)) = listener.accept().await else {
                    return;
                };
                let shared = shared.clone();
                tokio::spawn(async move {
                    let mut conn = Conn {
                        io: Some(Io::Plain(tcp)),
                        rbuf: Vec::new(),
                        tags: Vec::new(),
                        record: shared.record.clone(),
                    };
                    let result = conn.play(script).await;
                    drop(conn);
                    let mut record = lock(&shared.record);
                    if let Err(error) = result {
                        record.errors.push(error);
                    }
                    record.finished += 1;
                    drop(record);
                    shared.progress.notify_waiters();
                });
            }
        });
        server
    }

    /// The host to connect to (`127.0.0.1`, which the test certificate names).
    pub fn host(&self) -> &'static str {
        "127.0.0.1"
    }

    /// The listening port.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// A connection builder that trusts only the test CA the server's certificate comes from.
    pub fn builder(&self) -> ImapConnectionBuilder {
        ImapConnection::builder()
            .trust_roots(TrustRoots::None)
            .add_root_pem(&tls().1)
            .expect("the test CA is valid PEM")
    }

    /// Connects with [`FakeServer::builder`] in `mode`, within [`T`].
    pub async fn connect(&self, mode: TlsMode) -> daaki_imap::Result<ImapConnection> {
        self.builder()
            .connect(self.host(), self.port, mode, T)
            .await
    }

    /// Everything the client sent before TLS (all of it, without TLS), as text (lossy).
    pub fn cleartext(&self) -> String {
        String::from_utf8_lossy(&lock(&self.record).clear).into_owned()
    }

    /// Everything the client sent under TLS (decrypted), as text (lossy).
    pub fn tls_text(&self) -> String {
        String::from_utf8_lossy(&lock(&self.record).tls).into_owned()
    }

    /// Everything the client sent, cleartext part first, as text (lossy).
    pub fn client_text(&self) -> String {
        let record = lock(&self.record);
        let mut all = record.clear.clone();
        all.extend_from_slice(&record.tls);
        String::from_utf8_lossy(&all).into_owned()
    }

    /// Waits (at most `timeout`) until every script has ended, and returns the mismatches the
    /// scripts met (an `Expect` the client did not satisfy, an I/O error): empty when all went
    /// as written.
    ///
    /// # Panics
    /// When the scripts did not end in time.
    pub async fn finish(&self, timeout: Duration) -> Vec<String> {
        let wait = async {
            loop {
                let notified = self.progress.notified();
                {
                    let record = lock(&self.record);
                    if record.finished == self.scripts {
                        return record.errors.clone();
                    }
                }
                notified.await;
            }
        };
        tokio::time::timeout(timeout, wait)
            .await
            .expect("the fake server's scripts did not end in time")
    }
}

fn lock(record: &Mutex<Record>) -> std::sync::MutexGuard<'_, Record> {
    record.lock().unwrap_or_else(|e| e.into_inner())
}

/// The server TLS configuration and the CA certificate (PEM), made once per test process.
fn tls() -> &'static (Arc<ServerConfig>, Vec<u8>) {
    static TLS: OnceLock<(Arc<ServerConfig>, Vec<u8>)> = OnceLock::new();
    TLS.get_or_init(|| {
        let dir = std::env::temp_dir().join(format!(
            "daaki-fake-{}-{}",
            std::process::id(),
            seed::now_nanos()
        ));
        std::fs::create_dir_all(&dir).expect("create a directory for the fake server's CA");
        let ca = TestCa::generate(&dir).expect("generate the fake server's test CA");
        let certs = CertificateDer::pem_file_iter(&ca.server_cert)
            .and_then(|certs| certs.collect::<Result<Vec<_>, _>>())
            .expect("read the server certificate");
        let key = PrivateKeyDer::from_pem_file(&ca.server_key).expect("read the server key");
        let ca_pem = std::fs::read(&ca.ca_cert).expect("read the CA certificate");
        let _ = std::fs::remove_dir_all(&dir);
        let config =
            ServerConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
                .with_safe_default_protocol_versions()
                .and_then(|b| b.with_no_client_auth().with_single_cert(certs, key))
                .expect("a server TLS configuration");
        (Arc::new(config), ca_pem)
    })
}

enum Io {
    Plain(TcpStream),
    Tls(Box<TlsStream<TcpStream>>),
}

struct Conn {
    /// `None` only while the TLS handshake owns the socket.
    io: Option<Io>,
    rbuf: Vec<u8>,
    tags: Vec<String>,
    record: Arc<Mutex<Record>>,
}

/// Longest client line the fake server accepts (a sanity bound, not an IMAP limit).
const MAX_LINE: usize = 64 * 1024;

impl Conn {
    async fn play(&mut self, script: Script) -> Result<(), String> {
        for step in script {
            match step {
                Step::Send(bytes) => self.write(&self.substitute(&bytes)).await?,
                Step::SendChunked(bytes, size) => {
                    for chunk in self.substitute(&bytes).chunks(size.max(1)) {
                        self.write(chunk).await?;
                    }
                }
                Step::Expect(prefix) => {
                    let line = self.read_line().await?;
                    let (tag, rest) = line.split_once(' ').unwrap_or((&line, ""));
                    if !rest
                        .to_ascii_uppercase()
                        .starts_with(&prefix.to_ascii_uppercase())
                    {
                        return Err(format!("expected {prefix:?}, the client sent {line:?}"));
                    }
                    self.tags.push(tag.to_owned());
                }
                Step::ExpectLine(want) => {
                    let line = self.read_line().await?;
                    if line != want {
                        return Err(format!(
                            "expected the line {want:?}, the client sent {line:?}"
                        ));
                    }
                }
                Step::Stall => {
                    let mut buf = [0u8; 4096];
                    while let Ok(n) = self.read(&mut buf).await {
                        if n == 0 {
                            break;
                        }
                    }
                    return Ok(());
                }
                Step::Close => return Ok(()),
                Step::Sleep(d) => tokio::time::sleep(d).await,
                Step::StartTls => self.start_tls().await?,
            }
        }
        Ok(())
    }

    /// Replaces `{tag}` and `{tagN}` (1-based) with the client's tags.
    fn substitute(&self, bytes: &[u8]) -> Vec<u8> {
        let mut out = Vec::with_capacity(bytes.len());
        let mut rest = bytes;
        while let Some(start) = rest.windows(4).position(|w| w == b"{tag") {
            let after = &rest[start + 4..];
            let digits = after.iter().take_while(|b| b.is_ascii_digit()).count();
            if after.get(digits) != Some(&b'}') {
                out.extend_from_slice(&rest[..start + 4]);
                rest = after;
                continue;
            }
            let tag = if digits == 0 {
                self.tags.last()
            } else {
                std::str::from_utf8(&after[..digits])
                    .ok()
                    .and_then(|n| n.parse::<usize>().ok())
                    .and_then(|n| self.tags.get(n.wrapping_sub(1)))
            };
            out.extend_from_slice(&rest[..start]);
            out.extend_from_slice(tag.map_or("*", String::as_str).as_bytes());
            rest = &after[digits + 1..];
        }
        out.extend_from_slice(rest);
        out
    }

    async fn read_line(&mut self) -> Result<String, String> {
        loop {
            if let Some(end) = self.rbuf.iter().position(|&b| b == b'\n') {
                let line: Vec<u8> = self.rbuf.drain(..=end).collect();
                let text = String::from_utf8_lossy(&line);
                return Ok(text.trim_end_matches(['\r', '\n']).to_owned());
            }
            if self.rbuf.len() > MAX_LINE {
                return Err("the client sent an over-long line".into());
            }
            let mut buf = [0u8; 4096];
            match self.read(&mut buf).await {
                Ok(0) => return Err("the client hung up while a line was expected".into()),
                Ok(n) => self.rbuf.extend_from_slice(&buf[..n]),
                Err(e) => return Err(format!("read: {e}")),
            }
        }
    }

    /// Reads and records.
    async fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let (n, tls) = match self.io.as_mut() {
            Some(Io::Plain(s)) => (s.read(buf).await?, false),
            Some(Io::Tls(s)) => (s.read(buf).await?, true),
            None => return Ok(0),
        };
        let mut record = lock(&self.record);
        let sink = if tls {
            &mut record.tls
        } else {
            &mut record.clear
        };
        sink.extend_from_slice(&buf[..n]);
        Ok(n)
    }

    async fn write(&mut self, bytes: &[u8]) -> Result<(), String> {
        let result = match self.io.as_mut() {
            Some(Io::Plain(s)) => s.write_all(bytes).await,
            Some(Io::Tls(s)) => match s.write_all(bytes).await {
                Ok(()) => s.flush().await,
                Err(e) => Err(e),
            },
            None => Ok(()),
        };
        result.map_err(|e| format!("write: {e}"))
    }

    async fn start_tls(&mut self) -> Result<(), String> {
        if !self.rbuf.is_empty() {
            return Err(format!(
                "the client sent {:?} before the TLS handshake",
                String::from_utf8_lossy(&self.rbuf)
            ));
        }
        let Some(Io::Plain(tcp)) = self.io.take() else {
            return Err("StartTls on a connection that is not plain".into());
        };
        let acceptor = TlsAcceptor::from(tls().0.clone());
        let stream = acceptor
            .accept(tcp)
            .await
            .map_err(|e| format!("TLS handshake: {e}"))?;
        self.io = Some(Io::Tls(Box::new(stream)));
        Ok(())
    }
}
