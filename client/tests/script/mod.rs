//! One list of scripted IMAP steps, run natively over direct TLS (`tests/tests/script_native.rs`
//! in the `daaki-imap-tests` crate) and in the browser through the bridge (`client/tests/web.rs`).
//! Both compare the normalised transcript with `expected.txt`, so the two paths must give the
//! same results.
//!
//! Preconditions: a logged-in connection to a user whose INBOX holds the harness's seeded
//! messages (at least 1,000). `nonce` makes the scratch mailbox's name unique; it is replaced
//! by `N` in the transcript; UIDVALIDITY values and `\Recent` are left out (they differ per server
//! run and per session).

use std::fmt::Write as _;
use std::num::NonZeroU32;
use std::time::Duration;

use daaki_imap::types::{FetchAttr, Flag, Section, SequenceSet};
use daaki_imap::{ImapConnection, StoreKind};

/// The expected transcript.
pub(crate) const EXPECTED: &str = include_str!("expected.txt");

const T: Duration = Duration::from_secs(30);

fn set(s: &str) -> SequenceSet {
    SequenceSet::new(s).expect("sequence set")
}

fn message(i: u32) -> Vec<u8> {
    format!(
        "From: script@example.com\r\nTo: demo@example.com\r\nSubject: Script message {i}\r\n\
         Message-ID: <script-{i}@example.com>\r\n\r\nBody {i}.\r\n"
    )
    .into_bytes()
}

/// The flags without `\Recent`, which depends on which session saw the mailbox first.
fn flags(flags: Option<Vec<Flag>>) -> Option<Vec<Flag>> {
    flags.map(|f| f.into_iter().filter(|f| *f != Flag::Recent).collect())
}

/// Runs the steps on `conn` and returns the normalised transcript.
pub(crate) async fn run(conn: &ImapConnection, nonce: &str) -> String {
    let mut out = String::new();
    let scratch = format!("Script-{nonce}");

    let inbox = conn.examine("INBOX", T).await.expect("examine INBOX");
    let _ = writeln!(
        out,
        "examine INBOX: exists>=1000={} read_only={}",
        inbox.exists >= 1000,
        inbox.read_only
    );
    let attrs = [
        FetchAttr::Uid,
        FetchAttr::Flags,
        FetchAttr::Envelope,
        FetchAttr::Rfc822Size,
    ];
    for item in conn.fetch(&set("1:5"), &attrs, T).await.expect("fetch") {
        let envelope = item.envelope.as_deref();
        let _ = writeln!(
            out,
            "fetch {}: uid={:?} flags={:?} size={:?} subject={:?} from={:?}",
            item.seq,
            item.uid,
            flags(item.flags.clone()),
            item.rfc822_size,
            envelope.and_then(|e| e.subject.clone()),
            envelope.map(|e| e.from.len()),
        );
    }
    // Partial fetch: one range, then the whole message in 100-byte chunks.
    let nz = |n| NonZeroU32::new(n).expect("not zero");
    let head = conn
        .uid_fetch_partial(4, &Section::full(), 6, nz(20), T)
        .await
        .expect("partial fetch");
    let _ = writeln!(
        out,
        "partial UID 4 BODY[]<6.20>: {:?}",
        head.map(|b| String::from_utf8_lossy(&b).into_owned())
    );
    let whole = conn
        .uid_fetch(&set("4"), &[FetchAttr::body_peek(Section::full())], T)
        .await
        .expect("fetch BODY.PEEK[]");
    let whole = whole.first().and_then(|m| m.body()).unwrap_or_default();
    let (tx, mut rx) = tokio::sync::mpsc::channel(2);
    let consume = async {
        let mut pieces = Vec::new();
        while let Some(piece) = rx.recv().await {
            pieces.push(piece);
        }
        pieces
    };
    let full = Section::full();
    let (total, pieces) = tokio::join!(
        conn.uid_fetch_body_chunks(4, &full, nz(100), tx, T),
        consume
    );
    let _ = writeln!(
        out,
        "chunks UID 4 by 100: total={:?} pieces={} same_as_whole={}",
        total.expect("chunked fetch"),
        pieces.len(),
        pieces.concat() == whole
    );
    conn.unselect(T).await.expect("unselect");

    conn.create(scratch.as_str(), T).await.expect("create");
    for i in 1..=3 {
        let appended = conn
            .append(scratch.as_str(), &[], &message(i), T)
            .await
            .expect("append");
        let _ = writeln!(out, "append {i}: uids={:?}", appended.uids);
    }
    let selected = conn.select(scratch.as_str(), T).await.expect("select");
    let _ = writeln!(
        out,
        "select Script-N: exists={} uid_next={:?}",
        selected.exists, selected.uid_next
    );
    conn.store(&set("2"), StoreKind::Add, &[Flag::Seen, Flag::Flagged], T)
        .await
        .expect("store");
    conn.store(&set("3"), StoreKind::Add, &[Flag::Deleted], T)
        .await
        .expect("store");
    let expunged = conn.expunge(T).await.expect("expunge");
    let _ = writeln!(out, "expunge: {expunged:?}");
    for item in conn
        .fetch(
            &set("1:*"),
            &[FetchAttr::Uid, FetchAttr::Flags, FetchAttr::Envelope],
            T,
        )
        .await
        .expect("fetch scratch")
    {
        let _ = writeln!(
            out,
            "fetch Script-N {}: uid={:?} flags={:?} subject={:?}",
            item.seq,
            item.uid,
            flags(item.flags.clone()),
            item.envelope.as_deref().and_then(|e| e.subject.clone()),
        );
    }
    conn.close(T).await.expect("close");
    conn.delete(scratch.as_str(), T).await.expect("delete");
    let left = conn.list("", &scratch, T).await.expect("list after delete");
    let _ = writeln!(out, "list Script-N after delete: {}", left.len());
    out.replace(nonce, "N")
}
