//! A deliberately tiny, blocking, line-level IMAP peer for harness self-tests.
//!
//! It exists so the harness can prove the *server* is real and configured as promised without
//! depending on the client under test. It understands just enough IMAP for that: it sends one
//! command and collects lines until the tagged completion. It does not parse literals beyond
//! collecting their bytes, and it is not used to test daaki-imap itself.

use std::io::{self, BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::sync::Arc;
use std::time::Duration;

use rustls::pki_types::{CertificateDer, ServerName};
use rustls::{ClientConfig, ClientConnection, RootCertStore, StreamOwned};

/// How to secure the connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Security {
    /// No TLS at all.
    Plain,
    /// Plain connect, then `STARTTLS`.
    StartTls,
    /// TLS from the first byte.
    Implicit,
}

enum Stream {
    Plain(BufReader<TcpStream>),
    Tls(Box<BufReader<StreamOwned<ClientConnection, TcpStream>>>),
}

/// A blocking line-level IMAP session.
pub struct RawSession {
    stream: Stream,
    next_tag: u32,
    /// The server greeting line.
    pub greeting: String,
}

impl std::fmt::Debug for RawSession {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RawSession")
            .field("greeting", &self.greeting)
            .finish_non_exhaustive()
    }
}

/// The reply to one command: untagged lines and the tagged completion line.
#[derive(Debug, Clone)]
pub struct Reply {
    /// Every line before the tagged one (CRLF stripped).
    pub untagged: Vec<String>,
    /// The tagged completion line without the tag, e.g. `OK [CAPABILITY ...] Logged in`.
    pub completion: String,
}

impl Reply {
    /// Whether the completion is `OK`.
    pub fn is_ok(&self) -> bool {
        self.completion.starts_with("OK")
    }
}

impl RawSession {
    /// Connects to `host:port`; `ca_der` is the root to trust for TLS.
    pub fn connect(host: &str, port: u16, security: Security, ca_der: &[u8]) -> io::Result<Self> {
        let tcp = TcpStream::connect((host, port))?;
        tcp.set_read_timeout(Some(Duration::from_secs(20)))?;
        let mut session = match security {
            Security::Implicit => RawSession {
                stream: Stream::Tls(Box::new(BufReader::new(tls(tcp, host, ca_der)?))),
                next_tag: 1,
                greeting: String::new(),
            },
            Security::Plain | Security::StartTls => RawSession {
                stream: Stream::Plain(BufReader::new(tcp)),
                next_tag: 1,
                greeting: String::new(),
            },
        };
        session.greeting = session.read_line()?;
        if security == Security::StartTls {
            let reply = session.command("STARTTLS")?;
            if !reply.is_ok() {
                return Err(io::Error::other(format!(
                    "STARTTLS refused: {}",
                    reply.completion
                )));
            }
            let Stream::Plain(reader) = session.stream else {
                return Err(io::Error::other("STARTTLS on a TLS stream"));
            };
            if !reader.buffer().is_empty() {
                return Err(io::Error::other("server sent bytes after STARTTLS OK"));
            }
            session.stream = Stream::Tls(Box::new(BufReader::new(tls(
                reader.into_inner(),
                host,
                ca_der,
            )?)));
        }
        Ok(session)
    }

    /// Sends `command` with a fresh tag and reads until its tagged completion.
    pub fn command(&mut self, command: &str) -> io::Result<Reply> {
        let (tag, responses) = self.exchange(command)?;
        let mut untagged = Vec::new();
        for raw in responses {
            let text = String::from_utf8_lossy(&raw).replace("\r\n", "");
            if let Some(rest) = text.strip_prefix(&format!("{tag} ")) {
                return Ok(Reply {
                    untagged,
                    completion: rest.to_owned(),
                });
            }
            untagged.push(text);
        }
        Err(io::Error::other("no tagged completion"))
    }

    /// Sends `command` and returns the raw bytes of every response up to and including the
    /// tagged completion, one entry per response (literals included, CRLFs kept) — exactly
    /// what the server sent, for parser tests.
    pub fn command_bytes(&mut self, command: &str) -> io::Result<Vec<Vec<u8>>> {
        self.exchange(command).map(|(_, responses)| responses)
    }

    fn exchange(&mut self, command: &str) -> io::Result<(String, Vec<Vec<u8>>)> {
        let tag = format!("r{}", self.next_tag);
        self.next_tag += 1;
        let line = format!("{tag} {command}\r\n");
        match &mut self.stream {
            Stream::Plain(r) => r.get_mut().write_all(line.as_bytes())?,
            Stream::Tls(r) => {
                let s = r.get_mut();
                s.write_all(line.as_bytes())?;
                s.flush()?;
            }
        }
        let tag_prefix = format!("{tag} ");
        let mut responses = Vec::new();
        loop {
            let raw = self.read_response()?;
            let done = raw.starts_with(tag_prefix.as_bytes());
            responses.push(raw);
            if done {
                return Ok((tag, responses));
            }
        }
    }

    /// Reads one line as text (for the greeting).
    fn read_line(&mut self) -> io::Result<String> {
        let raw = self.read_response()?;
        Ok(String::from_utf8_lossy(&raw).trim_end().to_owned())
    }

    /// Reads one complete response: a line, and for every `{n}` it ends with, n literal bytes
    /// and the line that follows.
    fn read_response(&mut self) -> io::Result<Vec<u8>> {
        let reader: &mut dyn BufRead = match &mut self.stream {
            Stream::Plain(r) => r,
            Stream::Tls(r) => r.as_mut(),
        };
        let mut out = Vec::new();
        loop {
            let start = out.len();
            if reader.read_until(b'\n', &mut out)? == 0 {
                return Err(io::Error::new(
                    io::ErrorKind::UnexpectedEof,
                    "server closed the connection",
                ));
            }
            let line = out[start..].trim_ascii_end();
            let literal = line
                .strip_suffix(b"}")
                .and_then(|l| {
                    l.iter()
                        .rposition(|&b| b == b'{')
                        .map(|open| &l[open + 1..])
                })
                .and_then(|digits| std::str::from_utf8(digits).ok()?.parse::<u64>().ok());
            match literal {
                Some(n) => {
                    reader.take(n).read_to_end(&mut out)?;
                }
                None => return Ok(out),
            }
        }
    }
}

fn tls(
    tcp: TcpStream,
    host: &str,
    ca_der: &[u8],
) -> io::Result<StreamOwned<ClientConnection, TcpStream>> {
    let mut roots = RootCertStore::empty();
    roots
        .add(CertificateDer::from(ca_der.to_vec()))
        .map_err(io::Error::other)?;
    let config =
        ClientConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
            .with_safe_default_protocol_versions()
            .map_err(io::Error::other)?
            .with_root_certificates(roots)
            .with_no_client_auth();
    let name = ServerName::try_from(host.to_owned()).map_err(io::Error::other)?;
    let conn = ClientConnection::new(Arc::new(config), name).map_err(io::Error::other)?;
    let mut stream = StreamOwned::new(conn, tcp);
    // Complete the handshake now so certificate errors surface here.
    while stream.conn.is_handshaking() {
        stream
            .conn
            .complete_io(&mut stream.sock)
            .map_err(|e| io::Error::other(format!("TLS handshake failed: {e}")))?;
    }
    Ok(stream)
}
