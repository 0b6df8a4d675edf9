//! A freshly generated test CA and a server certificate for `localhost` / `127.0.0.1`.

use std::path::{Path, PathBuf};

use rcgen::{
    BasicConstraints, CertificateParams, DnType, ExtendedKeyUsagePurpose, IsCa, Issuer, KeyPair,
    KeyUsagePurpose,
};

/// A test certificate authority and one server certificate it signed, written as PEM files.
#[derive(Debug, Clone)]
pub struct TestCa {
    /// PEM file with the CA certificate: the root clients must trust (`SSL_CERT_FILE`).
    pub ca_cert: PathBuf,
    /// PEM file with the server certificate (SAN `localhost`, `127.0.0.1`, `::1`).
    pub server_cert: PathBuf,
    /// PEM file with the server's private key.
    pub server_key: PathBuf,
    /// The CA certificate in DER form, for building rustls root stores directly.
    pub ca_der: Vec<u8>,
}

impl TestCa {
    /// Generates a new CA and server certificate into `dir` (`ca.pem`, `server.pem`, `server.key`).
    pub fn generate(dir: &Path) -> std::io::Result<Self> {
        Self::try_generate(dir).map_err(std::io::Error::other)
    }

    fn try_generate(dir: &Path) -> Result<Self, Box<dyn std::error::Error + Send + Sync>> {
        let ca_key = KeyPair::generate()?;
        let mut ca_params = CertificateParams::new(Vec::<String>::new())?;
        ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        ca_params
            .distinguished_name
            .push(DnType::CommonName, "daaki-imap test CA");
        ca_params.key_usages = vec![
            KeyUsagePurpose::KeyCertSign,
            KeyUsagePurpose::CrlSign,
            KeyUsagePurpose::DigitalSignature,
        ];
        let ca_cert = ca_params.self_signed(&ca_key)?;
        let issuer = Issuer::new(ca_params, ca_key);

        let server_key = KeyPair::generate()?;
        let mut server_params = CertificateParams::new(vec![
            "localhost".to_owned(),
            "127.0.0.1".to_owned(),
            "::1".to_owned(),
        ])?;
        server_params
            .distinguished_name
            .push(DnType::CommonName, "localhost");
        server_params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
        let server_cert = server_params.signed_by(&server_key, &issuer)?;

        let ca = Self {
            ca_cert: dir.join("ca.pem"),
            server_cert: dir.join("server.pem"),
            server_key: dir.join("server.key"),
            ca_der: ca_cert.der().to_vec(),
        };
        std::fs::write(&ca.ca_cert, ca_cert.pem())?;
        std::fs::write(&ca.server_cert, server_cert.pem())?;
        std::fs::write(&ca.server_key, server_key.serialize_pem())?;
        Ok(ca)
    }
}
