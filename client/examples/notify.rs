//! The README's "NOTIFY" section, run against a server: with NOTIFY set, a message delivered to
//! another mailbox (Archive) ends IDLE with `IdleEvent::MailboxStatus`.

// Native-only (tokio runtime, TCP/TLS): on wasm32 this example compiles to nothing, so
// `wasm-pack test`/`cargo test --target wasm32-unknown-unknown` can build every target.
#![cfg_attr(target_arch = "wasm32", no_main)]
#![cfg(not(target_arch = "wasm32"))]

mod common;

use daaki_imap::{
    IdleEvent, ImapConnection, MailboxFilter, NotifyEvent, NotifyEventGroup, NotifySetParams,
};
use std::time::Duration;
use tokio_util::sync::CancellationToken;

#[tokio::main]
async fn main() -> daaki_imap::Result<()> {
    let account = common::account();
    let conn = common::login(&account).await?;
    conn.select("INBOX", Duration::from_secs(30)).await?;
    common::deliver_later(&account, "Archive", Duration::from_secs(1));
    example(&conn).await?;
    conn.logout().await
}

// The README's code, unchanged.
async fn example(conn: &ImapConnection) -> daaki_imap::Result<()> {
    let timeout = Duration::from_secs(30);
    let params = NotifySetParams::new(
        vec![
            NotifyEventGroup::new(
                MailboxFilter::Personal,
                vec![
                    NotifyEvent::MessageNew {
                        fetch_attrs: vec![],
                    },
                    NotifyEvent::MessageExpunge,
                ],
            ),
            NotifyEventGroup::new(
                MailboxFilter::Selected,
                vec![
                    NotifyEvent::MessageNew {
                        fetch_attrs: vec![],
                    },
                    NotifyEvent::MessageExpunge,
                    NotifyEvent::FlagChange,
                ],
            ),
        ],
        true,
    );
    conn.notify_set(params, timeout).await?;
    let cancel = CancellationToken::new();
    match conn.idle(Duration::from_secs(300), cancel.clone()).await? {
        IdleEvent::MailboxStatus { mailbox, items } => {
            println!("status changed for {mailbox}: {items:?}");
        }
        IdleEvent::MailboxEvent(info) => {
            println!("mailbox event: {}", info.name);
        }
        IdleEvent::MetadataChange { mailbox, entries } => {
            println!("metadata changed for {mailbox}: {entries:?}");
        }
        IdleEvent::NotificationOverflow { .. } => {
            conn.notify_set(NotifySetParams::new(vec![], false), timeout)
                .await?;
        }
        _ => {}
    }
    conn.notify_none(timeout).await?;
    Ok(())
}
