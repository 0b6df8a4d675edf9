//! The real-server harness: test CA, Dovecot and Cyrus instances, deterministic mail, and an
//! nginx in front of bridge processes ([`nginx`]).
//!
//! One instance of each server is started lazily per test binary ([`shared_dovecot`],
//! [`shared_cyrus`]); tests that need isolation create their own users
//! ([`TestServer::new_user`]) instead of their own server. Every process the harness starts is
//! tied to the lifetime of the test process through a pipe (see the `process` module), so servers stop
//! when the tests end — also when a test panics or the test binary is killed.
//!
//! Tests that apply to both servers are written once against [`TestServer`] and instantiated
//! per server with [`server_tests!`](crate::server_tests).

mod certs;
pub mod cyrus;
pub mod dovecot;
pub mod nginx;
mod process;
pub mod seed;
mod server;

pub use certs::TestCa;
pub use cyrus::{Cyrus, CyrusOptions, shared_cyrus};
pub use dovecot::{Dovecot, DovecotOptions, TestUser, shared_dovecot};
pub use nginx::{Nginx, NginxOptions};
pub use server::{ServerKind, TestServer, shared_server};

pub use process::SETUP_HINT;
