//! Connecting daaki-imap to the harness servers.

use std::time::Duration;

use daaki_imap::{ImapConnection, TlsMode, TrustRoots};

use crate::harness::{Dovecot, TestUser};

/// The timeout tests give every call: generous, so a slow CI machine never fails a test that
/// is merely slow (speed is measured by benchmarks, not asserted here).
pub const T: Duration = Duration::from_secs(30);

/// Connects to `dovecot` in `mode`, trusting only the harness's test CA.
pub async fn connect(dovecot: &Dovecot, mode: TlsMode) -> ImapConnection {
    try_connect(dovecot, mode)
        .await
        .unwrap_or_else(|e| panic!("connect to the test Dovecot ({mode:?}): {e}"))
}

/// As [`connect`], returning the error.
pub async fn try_connect(dovecot: &Dovecot, mode: TlsMode) -> daaki_imap::Result<ImapConnection> {
    let pem = std::fs::read(dovecot.ca_cert_path()).map_err(daaki_imap::Error::Io)?;
    let port = match mode {
        TlsMode::Implicit => dovecot.tls_port(),
        _ => dovecot.plain_port(),
    };
    ImapConnection::builder()
        .trust_roots(TrustRoots::None)
        .add_root_pem(&pem)?
        .connect(dovecot.host(), port, mode, T)
        .await
}

/// Connects and logs in as `user`.
pub async fn login(dovecot: &Dovecot, user: &TestUser, mode: TlsMode) -> ImapConnection {
    let conn = connect(dovecot, mode).await;
    conn.login(&user.name, &user.password, T)
        .await
        .unwrap_or_else(|e| panic!("login as {}: {e}", user.name));
    conn
}
