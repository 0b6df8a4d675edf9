//! TCP + TLS (rustls with the `ring` provider) for native targets.
//!
//! Trust comes from the operating system's store by default (`rustls-native-certs`, which
//! honours `SSL_CERT_FILE` and `SSL_CERT_DIR`), optionally plus or instead of Mozilla's bundled
//! roots and extra PEM roots. Certificate verification can only be switched off through the
//! explicitly named [`TlsOptions::dangerous_accept_any_certificate`].

use std::sync::Arc;

use tokio::net::TcpStream;
use tokio_rustls::TlsConnector;
use tokio_rustls::rustls::client::danger::{
    HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier,
};
use tokio_rustls::rustls::crypto::{CryptoProvider, ring};
use tokio_rustls::rustls::pki_types::pem::PemObject;
use tokio_rustls::rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use tokio_rustls::rustls::{
    self, ClientConfig, DigitallySignedStruct, RootCertStore, SignatureScheme,
};

use crate::{Error, Result};

/// Which certificate authorities to trust.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum TrustRoots {
    /// The operating system's store (honours `SSL_CERT_FILE` / `SSL_CERT_DIR`).
    #[default]
    Os,
    /// Mozilla's roots, bundled in the binary (`webpki-roots`).
    Mozilla,
    /// Only the extra PEM roots given with [`TlsOptions::add_root_pem`].
    None,
}

/// TLS settings of a connection.
#[derive(Clone, Default)]
pub struct TlsOptions {
    roots: TrustRoots,
    extra_roots: Vec<CertificateDer<'static>>,
    accept_any_certificate: bool,
}

impl std::fmt::Debug for TlsOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TlsOptions")
            .field("roots", &self.roots)
            .field("extra_roots", &self.extra_roots.len())
            .field("accept_any_certificate", &self.accept_any_certificate)
            .finish()
    }
}

impl TlsOptions {
    /// Chooses the base set of trusted roots.
    pub fn roots(&mut self, roots: TrustRoots) -> &mut Self {
        self.roots = roots;
        self
    }

    /// Also trusts every certificate in `pem` (one or more `BEGIN CERTIFICATE` blocks).
    pub fn add_root_pem(&mut self, pem: &[u8]) -> Result<&mut Self> {
        let mut added = 0;
        for cert in CertificateDer::pem_slice_iter(pem) {
            let cert =
                cert.map_err(|e| Error::InvalidInput(format!("bad PEM certificate: {e}")))?;
            self.extra_roots.push(cert);
            added += 1;
        }
        if added == 0 {
            return Err(Error::InvalidInput(
                "no certificate found in PEM data".into(),
            ));
        }
        Ok(self)
    }

    /// **Dangerous**: accepts any server certificate, so anyone on the path can read and change
    /// the session, passwords included. Only for tests against throw-away servers.
    pub fn dangerous_accept_any_certificate(&mut self) -> &mut Self {
        self.accept_any_certificate = true;
        self
    }

    fn client_config(&self) -> Result<ClientConfig> {
        let provider = Arc::new(ring::default_provider());
        let builder = ClientConfig::builder_with_provider(provider.clone())
            .with_safe_default_protocol_versions()
            .map_err(|e| Error::Tls(e.to_string()))?;
        if self.accept_any_certificate {
            return Ok(builder
                .dangerous()
                .with_custom_certificate_verifier(Arc::new(AcceptAny(provider)))
                .with_no_client_auth());
        }
        let mut store = RootCertStore::empty();
        match self.roots {
            TrustRoots::Os => {
                let found = rustls_native_certs::load_native_certs();
                for cert in found.certs {
                    // Skip certificates rustls cannot use rather than failing the connection.
                    let _ = store.add(cert);
                }
            }
            TrustRoots::Mozilla => store.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned()),
            TrustRoots::None => {}
        }
        for cert in &self.extra_roots {
            store
                .add(cert.clone())
                .map_err(|e| Error::Tls(format!("unusable root certificate: {e}")))?;
        }
        if store.is_empty() {
            return Err(Error::Tls(
                "no trusted root certificates (OS store empty and none added)".into(),
            ));
        }
        Ok(builder.with_root_certificates(store).with_no_client_auth())
    }

    /// Runs the TLS handshake over `tcp` for server name `host`.
    pub(crate) async fn handshake(
        &self,
        host: &str,
        tcp: TcpStream,
    ) -> Result<tokio_rustls::client::TlsStream<TcpStream>> {
        let name = ServerName::try_from(host.to_owned())
            .map_err(|e| Error::InvalidInput(format!("invalid server name {host:?}: {e}")))?;
        let connector = TlsConnector::from(Arc::new(self.client_config()?));
        connector
            .connect(name, tcp)
            .await
            .map_err(|e| Error::Tls(e.to_string()))
    }
}

/// The verifier behind [`TlsOptions::dangerous_accept_any_certificate`]: checks signatures
/// (so the handshake is well-formed) but not who signed the certificate.
#[derive(Debug)]
struct AcceptAny(Arc<CryptoProvider>);

impl ServerCertVerifier for AcceptAny {
    fn verify_server_cert(
        &self,
        _end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> std::result::Result<ServerCertVerified, rustls::Error> {
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> std::result::Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> std::result::Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.0.signature_verification_algorithms.supported_schemes()
    }
}
