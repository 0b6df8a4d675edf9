//! The real [`Connector`]: TCP to the vetted address, then TLS with rustls (ring provider),
//! the certificate verified against the OS roots plus a target's extra PEM roots, SNI = host.

use std::collections::HashMap;
use std::io;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName};
use rustls::{ClientConfig, RootCertStore};
use tokio::io::AsyncWriteExt;
use tokio::net::TcpStream;
use tokio_rustls::TlsConnector;

use crate::config::Config;
use crate::policy::{BoxFuture, BoxIo, ConnectError, Connector, Upstream};

/// Connects over TCP + rustls.
#[derive(Clone)]
pub struct RustlsConnector {
    default: Arc<ClientConfig>,
    per_target: HashMap<String, Arc<ClientConfig>>,
    connect_timeout: Duration,
}

impl std::fmt::Debug for RustlsConnector {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RustlsConnector")
            .field("targets_with_extra_roots", &self.per_target.keys())
            .field("connect_timeout", &self.connect_timeout)
            .finish()
    }
}

fn client_config(roots: RootCertStore) -> io::Result<Arc<ClientConfig>> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(io::Error::other)?
        .with_root_certificates(roots)
        .with_no_client_auth();
    Ok(Arc::new(config))
}

fn os_roots() -> RootCertStore {
    let mut roots = RootCertStore::empty();
    let found = rustls_native_certs::load_native_certs();
    for error in &found.errors {
        tracing::warn!(%error, "skipping an OS root certificate store entry");
    }
    let (added, ignored) = roots.add_parsable_certificates(found.certs);
    tracing::debug!(added, ignored, "loaded OS root certificates");
    roots
}

fn add_pem_roots(roots: &mut RootCertStore, path: &Path) -> io::Result<()> {
    let certs = CertificateDer::pem_file_iter(path)
        .and_then(|iter| iter.collect::<Result<Vec<_>, _>>())
        .map_err(|e| io::Error::other(format!("{}: {e}", path.display())))?;
    if certs.is_empty() {
        return Err(io::Error::other(format!(
            "{}: no certificates found",
            path.display()
        )));
    }
    for cert in certs {
        roots
            .add(cert)
            .map_err(|e| io::Error::other(format!("{}: {e}", path.display())))?;
    }
    Ok(())
}

/// The listener's TLS settings (`wss://`) from a PEM certificate chain and private key.
pub fn listener_tls(cert: &Path, key: &Path) -> io::Result<Arc<rustls::ServerConfig>> {
    use rustls::pki_types::PrivateKeyDer;
    let chain = CertificateDer::pem_file_iter(cert)
        .and_then(|iter| iter.collect::<Result<Vec<_>, _>>())
        .map_err(|e| io::Error::other(format!("{}: {e}", cert.display())))?;
    if chain.is_empty() {
        return Err(io::Error::other(format!(
            "{}: no certificates found",
            cert.display()
        )));
    }
    let key = PrivateKeyDer::from_pem_file(key)
        .map_err(|e| io::Error::other(format!("{}: {e}", key.display())))?;
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(io::Error::other)?
        .with_no_client_auth()
        .with_single_cert(chain, key)
        .map_err(io::Error::other)?;
    Ok(Arc::new(config))
}

impl RustlsConnector {
    /// Builds the TLS settings for every target of `config` (reads extra root files now, so
    /// a bad file fails at start-up, not per connection).
    pub fn new(config: &Config) -> io::Result<Self> {
        let base = os_roots();
        let default = client_config(base.clone())?;
        let mut per_target = HashMap::new();
        for target in &config.targets {
            if let Some(path) = &target.extra_roots {
                let mut roots = base.clone();
                add_pem_roots(&mut roots, path)?;
                per_target.insert(target.name.clone(), client_config(roots)?);
            }
        }
        Ok(Self {
            default,
            per_target,
            connect_timeout: Duration::from_secs(10),
        })
    }

    /// How long a TCP connect may take (default 10 s).
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }
}

impl Connector for RustlsConnector {
    fn connect<'a>(&'a self, upstream: &'a Upstream) -> BoxFuture<'a, Result<BoxIo, ConnectError>> {
        Box::pin(async move {
            let mut tcp =
                tokio::time::timeout(self.connect_timeout, TcpStream::connect(upstream.addr))
                    .await
                    .map_err(|_| {
                        ConnectError::Connect(io::Error::new(io::ErrorKind::TimedOut, "timed out"))
                    })?
                    .map_err(ConnectError::Connect)?;
            tcp.set_nodelay(true).map_err(ConnectError::Connect)?;
            if let Some(header) = &upstream.proxy_header {
                tcp.write_all(header).await.map_err(ConnectError::Connect)?;
            }
            if !upstream.tls {
                return Ok(Box::new(tcp) as BoxIo);
            }
            let config = upstream
                .target
                .as_ref()
                .and_then(|name| self.per_target.get(name))
                .unwrap_or(&self.default)
                .clone();
            let name = ServerName::try_from(upstream.host.clone())
                .map_err(|e| ConnectError::Tls(io::Error::new(io::ErrorKind::InvalidInput, e)))?;
            let tls = TlsConnector::from(config)
                .connect(name, tcp)
                .await
                .map_err(ConnectError::Tls)?;
            Ok(Box::new(tls) as BoxIo)
        })
    }
}
