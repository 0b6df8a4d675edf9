//! The README's pipelining example: two STATUS commands in one write, a tuple of results.
//!
//! ```text
//! IMAP_HOST=imap.example.com IMAP_USER=me IMAP_PASSWORD=secret cargo run --example pipeline
//! ```
//! `IMAP_PORT` defaults to 993 (implicit TLS); `SSL_CERT_FILE=/path/ca.pem` trusts a private CA
//! (see the quickstart example). A `Drafts` mailbox is created first if the account has none.

// Native-only (tokio runtime, TCP/TLS): on wasm32 this example compiles to nothing, so
// `wasm-pack test`/`cargo test --target wasm32-unknown-unknown` can build every target.
#![cfg_attr(target_arch = "wasm32", no_main)]
#![cfg(not(target_arch = "wasm32"))]

mod common;

use daaki_imap::{Error, ImapConnection, types::MailboxName};
use std::time::Duration;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let timeout = Duration::from_secs(30);
    let conn = common::login(&common::account()).await?;
    match conn.create("Drafts", timeout).await {
        // Most accounts have one already: the server says NO [ALREADYEXISTS].
        Ok(()) | Err(Error::No { .. }) => {}
        Err(e) => return Err(e.into()),
    }
    example(&conn).await?;
    conn.logout().await?;
    Ok(())
}

/// Exactly as in the README.
async fn example(conn: &ImapConnection) -> Result<(), Box<dyn std::error::Error>> {
    let inbox = MailboxName::new("INBOX")?;
    let drafts = MailboxName::new("Drafts")?;
    let (result_a, result_b) = conn
        .pipeline()
        .status(inbox, "(MESSAGES UNSEEN)".to_string())
        .status(drafts, "(MESSAGES)".to_string())
        .execute()
        .await?;
    let status_a = result_a?;
    let status_b = result_b?;
    println!("INBOX: {status_a:?}, Drafts: {status_b:?}");
    Ok(())
}
