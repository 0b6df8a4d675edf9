//! The README's "IDLE" section, run against a server: a second connection delivers a message a
//! second after IDLE starts, which ends it with `IdleEvent::Exists`.

// Native-only (tokio runtime, TCP/TLS): on wasm32 this example compiles to nothing, so
// `wasm-pack test`/`cargo test --target wasm32-unknown-unknown` can build every target.
#![cfg_attr(target_arch = "wasm32", no_main)]
#![cfg(not(target_arch = "wasm32"))]

mod common;

use daaki_imap::{IdleEvent, ImapConnection};
use std::time::Duration;
use tokio_util::sync::CancellationToken;

#[tokio::main]
async fn main() -> daaki_imap::Result<()> {
    let account = common::account();
    let conn = common::login(&account).await?;
    conn.select("INBOX", Duration::from_secs(30)).await?;
    common::deliver_later(&account, "INBOX", Duration::from_secs(1));
    example(&conn).await?;
    conn.logout().await
}

// The README's code, unchanged.
async fn example(conn: &ImapConnection) -> daaki_imap::Result<()> {
    let cancel = CancellationToken::new();
    match conn.idle(Duration::from_secs(300), cancel.clone()).await? {
        IdleEvent::Exists(n) => println!("mailbox now has {n} messages"),
        IdleEvent::Expunge(n) => println!("message {n} was deleted"),
        IdleEvent::Timeout => println!("idle timed out"),
        IdleEvent::Cancelled => println!("cancelled"),
        _ => {}
    }
    Ok(())
}
