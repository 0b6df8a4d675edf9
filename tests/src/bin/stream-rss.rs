//! Test-side helper for `tests/tests/streaming.rs`: streams a mailbox with a deliberately slow
//! consumer and reports this process's memory, so the figure is the client's alone.
//!
//! Usage: `stream-rss HOST PORT USER PASSWORD COUNT`. Connects (plaintext), EXAMINEs INBOX,
//! runs `UID FETCH 1:* (UID RFC822.SIZE RFC822.HEADER)` through `uid_fetch_streaming` into a
//! 64-slot channel, and has the consumer pause 1 ms every 100 messages. Prints one line per
//! checkpoint (10,000 messages and every multiple of 10,000 after that):
//! `checkpoint messages=N vm_rss_kib=R vm_hwm_kib=H`, then `done messages=N header_bytes=B`.

use std::time::Duration;

use daaki_imap::types::{FetchAttr, SequenceSet};
use daaki_imap::{ImapConnection, TlsMode};

const T: Duration = Duration::from_secs(600);

/// `VmRSS` and `VmHWM` of this process in KiB, from `/proc/self/status`.
fn memory_kib() -> (u64, u64) {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let field = |name: &str| {
        status
            .lines()
            .find_map(|l| l.strip_prefix(name))
            .and_then(|rest| rest.split_whitespace().next())
            .and_then(|n| n.parse().ok())
            .unwrap_or(0)
    };
    (field("VmRSS:"), field("VmHWM:"))
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [host, port, user, password, count] = args.as_slice() else {
        return Err("usage: stream-rss HOST PORT USER PASSWORD COUNT".into());
    };
    let port: u16 = port.parse()?;
    let expected: u64 = count.parse()?;
    let conn = ImapConnection::builder()
        .connect(host, port, TlsMode::Plaintext, T)
        .await?;
    conn.login(user, password, T).await?;
    let inbox = conn.examine("INBOX", T).await?;
    if u64::from(inbox.exists) != expected {
        return Err(format!("INBOX has {} messages, not {expected}", inbox.exists).into());
    }
    let (tx, mut rx) = tokio::sync::mpsc::channel(64);
    let consumer = tokio::spawn(async move {
        let mut messages = 0u64;
        let mut header_bytes = 0u64;
        while let Some(result) = rx.recv().await {
            let msg: daaki_imap::types::response::FetchResponse = result?;
            messages += 1;
            header_bytes += msg.rfc822_header.as_ref().map_or(0, |h| h.len() as u64);
            if messages.is_multiple_of(100) {
                tokio::time::sleep(Duration::from_millis(1)).await;
            }
            if messages.is_multiple_of(10_000) {
                let (rss, hwm) = memory_kib();
                println!("checkpoint messages={messages} vm_rss_kib={rss} vm_hwm_kib={hwm}");
            }
        }
        Ok::<_, daaki_imap::Error>((messages, header_bytes))
    });
    let set = SequenceSet::new("1:*")?;
    conn.uid_fetch_streaming(
        &set,
        &[
            FetchAttr::Uid,
            FetchAttr::Rfc822Size,
            FetchAttr::Rfc822Header,
        ],
        tx,
        T,
    )
    .await?;
    let (messages, header_bytes) = consumer.await??;
    println!("done messages={messages} header_bytes={header_bytes}");
    conn.logout().await?;
    Ok(())
}
