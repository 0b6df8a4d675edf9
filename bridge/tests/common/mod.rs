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
