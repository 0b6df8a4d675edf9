//! The README's COMPRESS=DEFLATE example: switch on compression, then use the connection as
//! always.
//!
//! ```text
//! IMAP_HOST=imap.example.com IMAP_USER=me IMAP_PASSWORD=secret cargo run --example compress
//! ```
//! `IMAP_PORT` defaults to 993 (implicit TLS); `SSL_CERT_FILE=/path/ca.pem` trusts a private CA
//! (see the quickstart example).

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
    let timeout = Duration::from_secs(30);
    let conn = ImapConnection::connect(&host, port, TlsMode::Implicit, timeout).await?;
    conn.login(
        &env("IMAP_USER", None),
        &env("IMAP_PASSWORD", None),
        timeout,
    )
    .await?;
    example(&conn).await?;
    // Everything from here on travels compressed.
    let inbox = conn.select("INBOX", timeout).await?;
    println!("compressed: INBOX has {} messages", inbox.exists);
    conn.logout().await?;
    Ok(())
}

/// Exactly as in the README.
async fn example(conn: &daaki_imap::ImapConnection) -> daaki_imap::Result<()> {
    conn.compress(std::time::Duration::from_secs(10)).await?;
    Ok(())
}
