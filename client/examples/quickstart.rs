//! The README's quick start: connect, log in, and print the subjects of the first 5 messages in
//! INBOX.
//!
//! ```text
//! IMAP_HOST=imap.example.com IMAP_USER=me IMAP_PASSWORD=secret cargo run --example quickstart
//! ```
//! `IMAP_PORT` defaults to 993 (implicit TLS). The server certificate is checked against the
//! operating system's roots; `SSL_CERT_FILE=/path/ca.pem` trusts a private CA instead (that is
//! how `cargo xtask test` runs this example against its test Dovecot).

// Native-only (tokio runtime, TCP/TLS): on wasm32 this example compiles to nothing, so
// `wasm-pack test`/`cargo test --target wasm32-unknown-unknown` can build every target.
#![cfg_attr(target_arch = "wasm32", no_main)]
#![cfg(not(target_arch = "wasm32"))]

use daaki_imap::{ImapConnection, TlsMode};
use std::time::Duration;

fn env(name: &str, default: Option<&str>) -> String {
    std::env::var(name)
        .ok()
        .or_else(|| default.map(str::to_owned))
        .unwrap_or_else(|| panic!("set {name}"))
}

#[tokio::main]
async fn main() -> daaki_imap::Result<()> {
    let host = env("IMAP_HOST", None);
    let port: u16 = env("IMAP_PORT", Some("993"))
        .parse()
        .expect("IMAP_PORT is a port number");
    let user = env("IMAP_USER", None);
    let password = env("IMAP_PASSWORD", None);

    // From here on, the quick start exactly as in the README.
    let timeout = Duration::from_secs(30);
    let conn = ImapConnection::connect(&host, port, TlsMode::Implicit, timeout).await?;
    conn.login(&user, &password, timeout).await?;
    let mailbox = conn.select("INBOX", timeout).await?;
    println!("INBOX has {} messages", mailbox.exists);
    let seq = daaki_imap::types::SequenceSet::new("1:5")?;
    let messages = conn
        .fetch(&seq, &[daaki_imap::types::FetchAttr::Envelope], timeout)
        .await?;
    for msg in &messages {
        if let Some(env) = &msg.envelope {
            println!("Subject: {}", env.subject.as_deref().unwrap_or("(none)"));
        }
    }
    conn.logout().await?;
    Ok(())
}
