//! The README's "Streaming FETCH" section, run against a server: every message's UID and size
//! through a bounded channel.

// Native-only (tokio runtime, TCP/TLS): on wasm32 this example compiles to nothing, so
// `wasm-pack test`/`cargo test --target wasm32-unknown-unknown` can build every target.
#![cfg_attr(target_arch = "wasm32", no_main)]
#![cfg(not(target_arch = "wasm32"))]

mod common;

use daaki_imap::{
    ImapConnection,
    types::{FetchAttr, FetchResponse, SequenceSet},
};
use std::time::Duration;

#[tokio::main]
async fn main() -> daaki_imap::Result<()> {
    let account = common::account();
    let conn = common::login(&account).await?;
    conn.select("INBOX", Duration::from_secs(30)).await?;
    example(&conn).await?;
    conn.logout().await
}

// The README's code, unchanged.
async fn example(conn: &ImapConnection) -> daaki_imap::Result<()> {
    let seq = SequenceSet::new("1:*")?;
    let (tx, mut rx) = tokio::sync::mpsc::channel::<daaki_imap::Result<FetchResponse>>(64);
    let consumer = tokio::spawn(async move {
        while let Some(result) = rx.recv().await {
            match result {
                Ok(msg) => println!(
                    "UID {}: {} bytes",
                    msg.uid.unwrap_or(0),
                    msg.rfc822_size.unwrap_or(0)
                ),
                Err(e) => eprintln!("fetch error: {e}"),
            }
        }
    });
    conn.uid_fetch_streaming(
        &seq,
        &[FetchAttr::Uid, FetchAttr::Rfc822Size],
        tx,
        Duration::from_secs(120),
    )
    .await?;
    consumer.await.expect("consumer task panicked");
    Ok(())
}
