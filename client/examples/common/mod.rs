//! Shared set-up of the examples: where the server is (from the environment) and a second
//! connection that delivers mail, so the examples have something to react to.
//!
//! `IMAP_HOST`, `IMAP_PORT` (default 993, implicit TLS), `IMAP_USER`, `IMAP_PASSWORD`; the
//! server certificate is checked against the OS roots (`SSL_CERT_FILE` to trust a private CA).
#![allow(dead_code, reason = "each example uses a different part")]

use std::time::Duration;

use daaki_imap::types::Flag;
use daaki_imap::{ImapConnection, TlsMode};

/// The server and account the examples use.
#[derive(Clone)]
pub(crate) struct Account {
    pub(crate) host: String,
    pub(crate) port: u16,
    pub(crate) user: String,
    pub(crate) password: String,
}

pub(crate) fn account() -> Account {
    let var = |name: &str| std::env::var(name).unwrap_or_else(|_| panic!("set {name}"));
    Account {
        host: var("IMAP_HOST"),
        port: std::env::var("IMAP_PORT")
            .unwrap_or_else(|_| "993".into())
            .parse()
            .expect("IMAP_PORT is a port number"),
        user: var("IMAP_USER"),
        password: var("IMAP_PASSWORD"),
    }
}

/// Connects over implicit TLS and logs in.
pub(crate) async fn login(account: &Account) -> daaki_imap::Result<ImapConnection> {
    let timeout = Duration::from_secs(30);
    let conn =
        ImapConnection::connect(&account.host, account.port, TlsMode::Implicit, timeout).await?;
    conn.login(&account.user, &account.password, timeout)
        .await?;
    Ok(conn)
}

/// After `delay`, delivers one message to `mailbox` over a second connection.
pub(crate) fn deliver_later(account: &Account, mailbox: &'static str, delay: Duration) {
    let account = account.clone();
    tokio::spawn(async move {
        tokio::time::sleep(delay).await;
        let other = login(&account).await.expect("second connection");
        let message =
            b"From: example@daaki.test\r\nSubject: delivered by the example\r\n\r\nHi!\r\n";
        other
            .append(mailbox, &[] as &[Flag], message, Duration::from_secs(30))
            .await
            .expect("append");
        other.logout().await.expect("logout");
    });
}
