//! The real-server harness: test CA, Dovecot instances and deterministic mail.
//!
//! One Dovecot instance is started lazily per test binary ([`shared_dovecot`]); tests that need
//! isolation create their own users ([`Dovecot::new_user`]) instead of their own server. Every
//! process the harness starts is tied to the lifetime of the test process through a pipe (see
//! [`dovecot`]), so servers stop when the tests end — also when a test panics or the test
//! binary is killed.

mod certs;
pub mod dovecot;
pub mod seed;

pub use certs::TestCa;
pub use dovecot::{Dovecot, DovecotOptions, TestUser, shared_dovecot};

/// Error text used whenever a tool the harness needs is missing from the machine.
pub const SETUP_HINT: &str =
    "run `cargo xtask setup` (installs Dovecot, openssl and the other test prerequisites)";
