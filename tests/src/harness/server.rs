//! One face for both harness servers, so a test can be written once and run on each.

use std::io;
use std::path::Path;

use super::{Cyrus, Dovecot, TestCa, TestUser, shared_cyrus, shared_dovecot};

/// Which real server a [`TestServer`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ServerKind {
    /// Dovecot 2.3 (Debian `dovecot-imapd`).
    Dovecot,
    /// Cyrus IMAP 3.6 (Debian `cyrus-imapd`, run from the extracted package).
    Cyrus,
}

impl ServerKind {
    /// Both kinds, Dovecot first.
    pub const ALL: [ServerKind; 2] = [ServerKind::Dovecot, ServerKind::Cyrus];

    /// The server's name as it appears in messages (`Dovecot`, `Cyrus`).
    pub fn name(self) -> &'static str {
        match self {
            ServerKind::Dovecot => "Dovecot",
            ServerKind::Cyrus => "Cyrus",
        }
    }
}

impl std::fmt::Display for ServerKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// A running harness server: where it listens, what it trusts, and fresh users with mail.
pub trait TestServer: Send + Sync + std::fmt::Debug {
    /// Which server this is (for the few expectations that differ).
    fn kind(&self) -> ServerKind;
    /// The host to connect to (`127.0.0.1`; the certificate also names `localhost`).
    fn host(&self) -> &str;
    /// Port of the plain listener (offers STARTTLS).
    fn plain_port(&self) -> u16;
    /// Port of the implicit-TLS listener.
    fn tls_port(&self) -> u16;
    /// The test CA that signed the server certificate.
    fn ca(&self) -> &TestCa;
    /// Path of the CA certificate (PEM).
    fn ca_cert_path(&self) -> &Path {
        &self.ca().ca_cert
    }
    /// A fresh user (unique per instance) with `inbox_messages` sample messages
    /// ([`super::seed::message`], flags as [`super::seed::imap_flags`]) in INBOX.
    ///
    /// # Panics
    /// When the user cannot be created (a harness failure, reported as a test failure).
    fn new_user(&self, inbox_messages: u32) -> TestUser;
    /// Puts sample messages `1..=count` into `mailbox` of `user`, creating the mailbox if
    /// missing.
    fn seed_mailbox(&self, user: &TestUser, mailbox: &str, count: u32) -> io::Result<()>;
    /// An administrator's `(name, password)`, when the server has one (Cyrus).
    fn admin(&self) -> Option<(&str, &str)>;
}

/// The instance of `kind` shared by all tests of one test binary, started on first use.
///
/// # Panics
/// When the server cannot be started; the message says to run `cargo xtask setup`.
pub fn shared_server(kind: ServerKind) -> &'static dyn TestServer {
    match kind {
        ServerKind::Dovecot => shared_dovecot(),
        ServerKind::Cyrus => shared_cyrus(),
    }
}

impl TestServer for Dovecot {
    fn kind(&self) -> ServerKind {
        ServerKind::Dovecot
    }
    fn host(&self) -> &str {
        Dovecot::host(self)
    }
    fn plain_port(&self) -> u16 {
        Dovecot::plain_port(self)
    }
    fn tls_port(&self) -> u16 {
        Dovecot::tls_port(self)
    }
    fn ca(&self) -> &TestCa {
        Dovecot::ca(self)
    }
    fn new_user(&self, inbox_messages: u32) -> TestUser {
        Dovecot::new_user(self, inbox_messages)
    }
    fn seed_mailbox(&self, user: &TestUser, mailbox: &str, count: u32) -> io::Result<()> {
        Dovecot::seed_mailbox(self, user, mailbox, count)
    }
    fn admin(&self) -> Option<(&str, &str)> {
        None
    }
}

impl TestServer for Cyrus {
    fn kind(&self) -> ServerKind {
        ServerKind::Cyrus
    }
    fn host(&self) -> &str {
        Cyrus::host(self)
    }
    fn plain_port(&self) -> u16 {
        Cyrus::plain_port(self)
    }
    fn tls_port(&self) -> u16 {
        Cyrus::tls_port(self)
    }
    fn ca(&self) -> &TestCa {
        Cyrus::ca(self)
    }
    fn new_user(&self, inbox_messages: u32) -> TestUser {
        Cyrus::new_user(self, inbox_messages)
    }
    fn seed_mailbox(&self, user: &TestUser, mailbox: &str, count: u32) -> io::Result<()> {
        Cyrus::seed_mailbox(self, user, mailbox, count)
    }
    fn admin(&self) -> Option<(&str, &str)> {
        Some(Cyrus::admin(self))
    }
}

/// Instantiates async test scenarios once per server.
///
/// Each `scenario` is an `async fn scenario(server: &'static dyn TestServer)`; the macro makes
/// a module of the same name with the tests `dovecot` and `cyrus` (so `cargo test scenario`
/// runs both, `cargo test ::cyrus` only the Cyrus ones). Arguments for `#[tokio::test(...)]`
/// go in brackets first:
///
/// ```ignore
/// server_tests!(login_works, fetch_works);
/// server_tests!([flavor = "multi_thread", worker_threads = 2] busy_scenario);
/// ```
#[macro_export]
macro_rules! server_tests {
    (@list $args:tt) => {};
    (@list $args:tt $first:ident $(, $rest:ident)* $(,)?) => {
        $crate::server_tests!(@one $args $first);
        $crate::server_tests!(@list $args $($rest),*);
    };
    (@one ($($args:tt)*) $scenario:ident) => {
        mod $scenario {
            #[tokio::test($($args)*)]
            async fn dovecot() {
                super::$scenario($crate::harness::shared_server(
                    $crate::harness::ServerKind::Dovecot,
                ))
                .await
            }

            #[tokio::test($($args)*)]
            async fn cyrus() {
                super::$scenario($crate::harness::shared_server(
                    $crate::harness::ServerKind::Cyrus,
                ))
                .await
            }
        }
    };
    ([$($args:tt)*] $($scenario:ident),* $(,)?) => {
        $crate::server_tests!(@list ($($args)*) $($scenario),*);
    };
    ($($scenario:ident),* $(,)?) => {
        $crate::server_tests!(@list () $($scenario),*);
    };
}
