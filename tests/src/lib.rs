//! Integration-test support for daaki-imap: the real-server harness and small helpers.
//!
//! The harness starts **real** IMAP servers as plain processes on free loopback ports, from a
//! private configuration in a temporary directory, with a freshly generated test CA:
//!
//! - **Dovecot 2.3** from Debian's `dovecot-imapd` ([`harness::shared_dovecot`]), with users'
//!   mail written straight into Maildir;
//! - **Cyrus IMAP 3.6** ([`harness::shared_cyrus`]), run from the `cyrus-imapd` .deb that
//!   `cargo xtask setup` extracts into `target/cyrus-imapd` (the package conflicts with
//!   `dovecot-imapd`; `DAAKI_CYRUS_ROOT` points elsewhere), with users in a private sasldb and
//!   mail seeded over IMAP.
//!
//! Both implement [`harness::TestServer`]; [`server_tests!`] turns one
//! `async fn scenario(server: &'static dyn TestServer)` into the tests `scenario::dovecot` and
//! `scenario::cyrus`, so a behaviour is written once and checked on both, with each server's
//! own answer asserted where they differ. A missing server is a test failure that says to run
//! `cargo xtask setup`, never a skip. Nothing here is a fake server: where a test needs
//! behaviour no real server shows on demand, it uses the scripted server ([`fake`]) and says
//! so.
//!
//! ```no_run
//! use daaki_imap_tests::harness::{ServerKind, shared_server};
//! for kind in ServerKind::ALL {
//!     let server = shared_server(kind); // once per test binary and kind
//!     let user = server.new_user(100); // a fresh user with 100 seeded messages in INBOX
//!     let (host, port) = (server.host(), server.plain_port());
//!     println!("{kind}: {host}:{port} (TLS {}) as {}", server.tls_port(), user.name);
//! }
//! ```
#![deny(unsafe_code)]
#![warn(missing_docs)]

pub mod bridge_process;
pub mod client;
pub mod fake;
pub mod gmail;
pub mod harness;
pub mod proxy;
pub mod raw;
