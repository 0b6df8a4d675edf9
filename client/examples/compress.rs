//! The README's COMPRESS=DEFLATE example: switch on compression, then use the connection as
//! always.
//!
//! ```text
//! IMAP_HOST=imap.example.com IMAP_USER=me IMAP_PASSWORD=secret cargo run --example compress
//! ```
//! `IMAP_PORT` defaults to 993 (implicit TLS); `SSL_CERT_FILE=/path/ca.pem` trusts a private CA
//! (see the quickstart example).

// Native-only (tokio runtime, TCP/TLS): on wasm32 this example compiles to nothing, so
// `wasm-pack test`/`cargo test --target wasm32-unknown-unknown` can build every target.
#![cfg_attr(target_arch = "wasm32", no_main)]
#![cfg(not(target_arch = "wasm32"))]

mod common;

use std::time::Duration;

#[tokio::main]
async fn main() -> daaki_imap::Result<()> {
    let timeout = Duration::from_secs(30);
    let conn = common::login(&common::account()).await?;
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
