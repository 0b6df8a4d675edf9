//! Fakes shared by the bridge's tests: a resolver that answers from a table, a connector
//! that records every call and hands out in-memory streams, and a throwaway test CA.
#![allow(dead_code, unreachable_pub)]

use std::collections::HashMap;
use std::io;
use std::net::IpAddr;
use std::sync::Mutex;

use daaki_imap_bridge::policy::{BoxFuture, BoxIo, ConnectError, Connector, Resolver, Upstream};
use tokio::io::DuplexStream;

/// Answers from a fixed table; unknown hosts fail like NXDOMAIN.
#[derive(Default)]
pub struct FakeResolver(pub HashMap<String, Vec<IpAddr>>);

impl FakeResolver {
    pub fn with(host: &str, ips: &[&str]) -> Self {
        let mut map = HashMap::new();
        map.insert(
            host.to_owned(),
            ips.iter().map(|ip| ip.parse().expect("ip")).collect(),
        );
        Self(map)
    }
}

impl Resolver for FakeResolver {
    fn resolve<'a>(&'a self, host: &'a str) -> BoxFuture<'a, io::Result<Vec<IpAddr>>> {
        let answer = self
            .0
            .get(host)
            .cloned()
            .ok_or_else(|| io::Error::new(io::ErrorKind::NotFound, "no such host"));
        Box::pin(async move { answer })
    }
}

/// Records every upstream it is asked for; returns the bridge end of an in-memory pipe and
/// keeps the other end for the test.
#[derive(Default)]
pub struct RecordingConnector {
    pub calls: Mutex<Vec<Upstream>>,
    pub peers: Mutex<Vec<DuplexStream>>,
}

impl RecordingConnector {
    pub fn calls(&self) -> Vec<Upstream> {
        self.calls.lock().expect("lock").clone()
    }

    pub fn take_peer(&self) -> Option<DuplexStream> {
        self.peers.lock().expect("lock").pop()
    }
}

impl Connector for RecordingConnector {
    fn connect<'a>(&'a self, upstream: &'a Upstream) -> BoxFuture<'a, Result<BoxIo, ConnectError>> {
        self.calls.lock().expect("lock").push(upstream.clone());
        let (ours, theirs) = tokio::io::duplex(64 * 1024);
        self.peers.lock().expect("lock").push(theirs);
        Box::pin(async move { Ok(Box::new(ours) as BoxIo) })
    }
}

/// A throwaway CA and a `localhost` certificate it signed, as PEM and as rustls configs.
pub struct TestTls {
    /// The CA certificate (PEM).
    pub ca_pem: String,
    /// The server certificate (PEM).
    pub cert_pem: String,
    /// The server key (PKCS#8 PEM).
    pub key_pem: String,
    /// A TLS server configuration with that certificate.
    pub server: std::sync::Arc<rustls::ServerConfig>,
    /// A client configuration that trusts only the CA.
    pub client: std::sync::Arc<rustls::ClientConfig>,
}

impl TestTls {
    /// A fresh CA and `localhost` certificate.
    pub fn new() -> Self {
        use rcgen::{BasicConstraints, CertificateParams, IsCa, Issuer, KeyPair};
        use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
        let ca_key = KeyPair::generate().expect("key");
        let mut ca_params = CertificateParams::new(Vec::<String>::new()).expect("params");
        ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        let ca_cert = ca_params.self_signed(&ca_key).expect("ca");
        let issuer = Issuer::new(ca_params, ca_key);
        let key = KeyPair::generate().expect("key");
        let cert = CertificateParams::new(vec!["localhost".to_owned()])
            .expect("params")
            .signed_by(&key, &issuer)
            .expect("cert");
        let provider = std::sync::Arc::new(rustls::crypto::ring::default_provider());
        let server = rustls::ServerConfig::builder_with_provider(provider.clone())
            .with_safe_default_protocol_versions()
            .expect("versions")
            .with_no_client_auth()
            .with_single_cert(
                vec![CertificateDer::from(cert.der().to_vec())],
                PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key.serialize_der())),
            )
            .expect("server config");
        let mut roots = rustls::RootCertStore::empty();
        roots
            .add(CertificateDer::from(ca_cert.der().to_vec()))
            .expect("root");
        let client = rustls::ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .expect("versions")
            .with_root_certificates(roots)
            .with_no_client_auth();
        Self {
            ca_pem: ca_cert.pem(),
            cert_pem: cert.pem(),
            key_pem: key.serialize_pem(),
            server: std::sync::Arc::new(server),
            client: std::sync::Arc::new(client),
        }
    }
}

/// [`TestTls::new`]'s server and client configurations.
pub fn test_tls() -> (
    std::sync::Arc<rustls::ServerConfig>,
    std::sync::Arc<rustls::ClientConfig>,
) {
    let tls = TestTls::new();
    (tls.server, tls.client)
}

/// A free TCP port on 127.0.0.1 (bound and released: good enough on loopback).
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("bind")
        .port()
}

/// The bridge binary under test: `DAAKI_BRIDGE_BIN` if set (to run these tests against
/// another build), else this package's.
pub fn bridge_bin() -> std::path::PathBuf {
    std::env::var_os("DAAKI_BRIDGE_BIN")
        .map(Into::into)
        .unwrap_or_else(|| env!("CARGO_BIN_EXE_daaki-imap-bridge").into())
}

/// The real `daaki-imap-bridge` binary as a child process (so its RSS and its descriptor
/// limit are its own); killed, and its config file removed, on drop.
pub struct BridgeProcess {
    pub child: std::process::Child,
    /// The WebSocket listener's port on 127.0.0.1.
    pub listen: u16,
    config: std::path::PathBuf,
}

impl Drop for BridgeProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_file(&self.config);
    }
}

impl BridgeProcess {
    /// Starts the binary with `body` as its configuration after a generated
    /// `listen = "127.0.0.1:<port>"` line, under a descriptor limit of `nofile` (soft and
    /// hard, through `sh -c 'ulimit -n'`) if given; returns once it accepts connections.
    pub async fn start(body: &str, nofile: Option<u64>) -> Self {
        let listen = free_port();
        let config = std::env::temp_dir().join(format!(
            "daaki-bridge-test-{}-{listen}.toml",
            std::process::id()
        ));
        std::fs::write(&config, format!("listen = \"127.0.0.1:{listen}\"\n{body}"))
            .expect("write config");
        let mut command = match nofile {
            None => std::process::Command::new(bridge_bin()),
            Some(n) => {
                let mut sh = std::process::Command::new("sh");
                sh.arg("-c")
                    .arg(format!("ulimit -n {n} && exec \"$0\" \"$@\""))
                    .arg(bridge_bin());
                sh
            }
        };
        let child = command
            .arg("--config")
            .arg(&config)
            .env("RUST_LOG", "warn")
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("spawn the bridge");
        let process = Self {
            child,
            listen,
            config,
        };
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
        while tokio::net::TcpStream::connect(("127.0.0.1", listen))
            .await
            .is_err()
        {
            assert!(
                std::time::Instant::now() < deadline,
                "the bridge never listened"
            );
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        }
        process
    }
}

/// The resident set of `pid` in KiB.
pub fn rss_kib(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).expect("status");
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .expect("VmRSS")
}

/// A plaintext "IMAP server" on 127.0.0.1 that greets every connection with `greeting` and
/// then echoes whatever comes; returns its port.
pub async fn greeting_upstream(greeting: &'static [u8]) -> u16 {
    use tokio::io::AsyncWriteExt;
    let upstream = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let port = upstream.local_addr().expect("addr").port();
    tokio::spawn(async move {
        while let Ok((mut tcp, _)) = upstream.accept().await {
            tokio::spawn(async move {
                let _ = tcp.write_all(greeting).await;
                let (mut r, mut w) = tcp.split();
                let _ = tokio::io::copy(&mut r, &mut w).await;
            });
        }
    });
    port
}

/// The value of the `daaki_bridge_refusals_total{reason="<reason>"}` line of a `/metrics`
/// exposition.
pub fn refusals(exposition: &str, reason: &str) -> u64 {
    let prefix = format!("daaki_bridge_refusals_total{{reason=\"{reason}\"}} ");
    exposition
        .lines()
        .find_map(|l| l.strip_prefix(&prefix))
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or_else(|| panic!("no refusals line for {reason:?}"))
}

/// `GET path` on 127.0.0.1:`port`: the whole response.
pub async fn http_get(port: u16, path: &str) -> String {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut tcp = tokio::net::TcpStream::connect(("127.0.0.1", port))
        .await
        .expect("connect");
    tcp.write_all(
        format!("GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").as_bytes(),
    )
    .await
    .expect("write");
    let mut out = String::new();
    tcp.read_to_string(&mut out).await.expect("read");
    out
}

/// Serves `bridge` on 127.0.0.1:0 in this process (until the process ends); returns its
/// address and its counters.
pub async fn serve(
    bridge: daaki_imap_bridge::Bridge,
) -> (
    std::net::SocketAddr,
    std::sync::Arc<daaki_imap_bridge::metrics::Metrics>,
) {
    let bridge = std::sync::Arc::new(bridge);
    let metrics = bridge.metrics().clone();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(bridge.serve(listener));
    (addr, metrics)
}

/// The upgrade request for `ws://{addr}/imap?{query}` offering the `daaki-imap.v1`
/// subprotocol.
pub fn ws_request(
    addr: impl std::fmt::Display,
    query: &str,
) -> tokio_tungstenite::tungstenite::handshake::client::Request {
    use tokio_tungstenite::tungstenite::client::IntoClientRequest;
    let mut request = format!("ws://{addr}/imap?{query}")
        .into_client_request()
        .expect("request");
    request.headers_mut().insert(
        "Sec-WebSocket-Protocol",
        tokio_tungstenite::tungstenite::http::HeaderValue::from_static(
            daaki_imap::wire::SUBPROTOCOL,
        ),
    );
    request
}

/// A WebSocket session through the bridge at `addr` to `?{query}`, over `tcp` if given
/// (else a fresh connection).
pub async fn ws_connect(
    addr: std::net::SocketAddr,
    query: &str,
    tcp: Option<tokio::net::TcpStream>,
) -> tokio_tungstenite::WebSocketStream<tokio::net::TcpStream> {
    let tcp = match tcp {
        Some(tcp) => tcp,
        None => tokio::net::TcpStream::connect(addr).await.expect("connect"),
    };
    tcp.set_nodelay(true).expect("nodelay");
    tokio_tungstenite::client_async(ws_request(addr, query), tcp)
        .await
        .expect("upgrade accepted")
        .0
}
