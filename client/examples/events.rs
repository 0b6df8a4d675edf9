//! The README's "Events" section, run against a server: a second connection delivers mail,
//! and the events arrive as `TypedEvent`s.
//!
//! ```text
//! IMAP_HOST=… IMAP_USER=… IMAP_PASSWORD=… cargo run --example events
//! ```

// Native-only (tokio runtime, TCP/TLS): on wasm32 this example compiles to nothing, so
// `wasm-pack test`/`cargo test --target wasm32-unknown-unknown` can build every target.
#![cfg_attr(target_arch = "wasm32", no_main)]
#![cfg(not(target_arch = "wasm32"))]

mod common;

use std::time::Duration;

use daaki_imap::{ImapConnection, TypedEvent};

#[tokio::main]
async fn main() -> daaki_imap::Result<()> {
    let account = common::account();
    let conn = common::login(&account).await?;
    conn.select("INBOX", Duration::from_secs(30)).await?;
    // Something to report: one message now (seen at the NOOP), one later (for next_event).
    common::deliver_later(&account, "INBOX", Duration::ZERO);
    tokio::time::sleep(Duration::from_secs(2)).await;
    conn.noop(Duration::from_secs(30)).await?;
    let poller = conn.clone();
    common::deliver_later(&account, "INBOX", Duration::from_millis(500));
    tokio::spawn(async move {
        tokio::time::sleep(Duration::from_secs(3)).await;
        let _ = poller.noop(Duration::from_secs(30)).await;
    });
    example(&conn).await?;
    conn.logout().await
}

// The README's code, unchanged.
async fn example(conn: &ImapConnection) -> daaki_imap::Result<()> {
    for event in conn.drain_events().await {
        match event {
            TypedEvent::Alert(text) => eprintln!("ALERT: {text}"),
            TypedEvent::Exists(n) => println!("mailbox now has {n} messages"),
            TypedEvent::Expunge(seq) => println!("message {seq} removed"),
            TypedEvent::Bye { text, .. } => println!("server says goodbye: {text}"),
            _ => {}
        }
    }
    let timeout = std::time::Duration::from_secs(60);
    if let Some(event) = conn.next_event(timeout).await? {
        println!("got event: {event:?}");
    }
    Ok(())
}
