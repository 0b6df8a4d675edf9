//! Integration-test support for daaki-imap: the real-server harness and small helpers.
//!
//! The harness starts **real** IMAP servers (Dovecot 2.3 from Debian's `dovecot-imapd`) as plain
//! processes on free loopback ports, from a private configuration in a temporary directory,
//! with a freshly generated test CA. Nothing here is a fake server: where a test needs
//! behaviour no real server shows on demand, it uses the scripted server ([`fake`]) and says
//! so.
//!
//! ```no_run
//! let dovecot = daaki_imap_tests::harness::shared_dovecot();
//! let user = dovecot.new_user(100); // a fresh user with 100 seeded messages in INBOX
//! println!("{}:{} (TLS {}) as {}", dovecot.host(), dovecot.plain_port(), dovecot.tls_port(), user.name);
//! ```
#![deny(unsafe_code)]
#![warn(missing_docs)]

pub mod client;
pub mod fake;
pub mod harness;
pub mod proxy;
pub mod raw;
