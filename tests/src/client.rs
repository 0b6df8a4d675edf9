//! Connecting daaki-imap to the harness servers (Dovecot or Cyrus).

use std::time::Duration;

use daaki_imap::{ImapConnection, ImapConnectionBuilder, TlsMode, TrustRoots};

use crate::harness::{TestServer, TestUser};
use crate::proxy::Recorder;

/// The timeout tests give every call: generous, so a slow CI machine never fails a test that
/// is merely slow (speed is measured by benchmarks, not asserted here).
pub const T: Duration = Duration::from_secs(30);

/// Connects to `server` in `mode`, trusting only the harness's test CA.
pub async fn connect<S: TestServer + ?Sized>(server: &S, mode: TlsMode) -> ImapConnection {
    try_connect(server, mode)
        .await
        .unwrap_or_else(|e| panic!("connect to the test {} ({mode:?}): {e}", server.kind()))
}

/// As [`connect`], returning the error.
pub async fn try_connect<S: TestServer + ?Sized>(
    server: &S,
    mode: TlsMode,
) -> daaki_imap::Result<ImapConnection> {
    let pem = std::fs::read(server.ca_cert_path()).map_err(daaki_imap::Error::Io)?;
    let port = match mode {
        TlsMode::Implicit => server.tls_port(),
        _ => server.plain_port(),
    };
    ImapConnection::builder()
        .trust_roots(TrustRoots::None)
        .add_root_pem(&pem)?
        .connect(server.host(), port, mode, T)
        .await
}

/// Connects and logs in as `user`.
pub async fn login<S: TestServer + ?Sized>(
    server: &S,
    user: &TestUser,
    mode: TlsMode,
) -> ImapConnection {
    login_as(server, &user.name, &user.password, mode).await
}

/// Connects and logs in with `name` and `password` (e.g. [`TestServer::admin`]).
pub async fn login_as<S: TestServer + ?Sized>(
    server: &S,
    name: &str,
    password: &str,
    mode: TlsMode,
) -> ImapConnection {
    let conn = connect(server, mode).await;
    conn.login(name, password, T)
        .await
        .unwrap_or_else(|e| panic!("login to the test {} as {name}: {e}", server.kind()));
    conn
}

/// Connects with `builder`'s settings through `relay` (a [`Recorder`] in front of `server`'s
/// plain port) and logs in as `user` — plaintext, so the relay sees every byte both ways.
///
/// # Panics
/// When the connection or the login fails (a harness failure, reported with the server).
pub async fn login_via(
    builder: ImapConnectionBuilder,
    server: &dyn TestServer,
    relay: &Recorder,
    user: &TestUser,
) -> ImapConnection {
    let conn = builder
        .connect(server.host(), relay.port(), TlsMode::Plaintext, T)
        .await
        .unwrap_or_else(|e| {
            panic!(
                "connect to the test {} through the relay: {e}",
                server.kind()
            )
        });
    conn.login(&user.name, &user.password, T)
        .await
        .unwrap_or_else(|e| panic!("login to the test {} as {}: {e}", server.kind(), user.name));
    conn
}
