//! Browser tests: the client compiled to wasm32, in headless Chromium, through
//! `daaki-imap-bridge` to the harness Dovecot.
//!
//! Run by `cargo xtask browser`, which starts Dovecot and two bridges and passes their
//! addresses at compile time:
//!
//! - `DAAKI_BRIDGE_URL`: a bridge whose Origin allowlist names the test page's origin and
//!   whose configured target `dovecot` is the harness Dovecot;
//! - `DAAKI_BRIDGE_BAD_ORIGIN_URL`: a bridge that allows some other origin only;
//! - `DAAKI_BRIDGE_TICKET_URL`, `DAAKI_BRIDGE_TICKET`: a bridge like the first that also
//!   requires a ticket, and a valid ticket for its target `dovecot`;
//! - `DAAKI_IMAP_USER`, `DAAKI_IMAP_PASSWORD`: a user whose INBOX has at least 1,000 messages.
//!
//! Each test needs every variable; without them (a plain `wasm-pack test`) the tests fail
//! with a message naming the stage.
#![cfg(target_arch = "wasm32")]

use std::num::NonZeroU32;
use std::time::Duration;

use daaki_imap::proto::{FrameError, Limits};
use daaki_imap::runtime::sleep;
use daaki_imap::transport::browser::{BrowserWebSocket, MAX_WRITE_FRAME, SEND_HIGH_WATER_MARK};
use daaki_imap::types::response::FetchResponse;
use daaki_imap::types::{FetchAttr, MailboxName, Section, SequenceSet};
use daaki_imap::wire::{
    BridgeTarget, CloseCode, DEFAULT_UPLOAD_WINDOW, DEFAULT_WINDOW, MAX_CONTROL_LEN,
};
use daaki_imap::{
    Error, IdleEvent, ImapConnection, MailboxFilter, NotifyEvent, NotifyEventGroup,
    NotifySetParams, WireVersion,
};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};

wasm_bindgen_test_configure!(run_in_browser);

const T: Duration = Duration::from_secs(30);
const HINT: &str = "set by `cargo xtask browser`";

fn env(value: Option<&'static str>, name: &str) -> &'static str {
    value.unwrap_or_else(|| panic!("{name} is not set at compile time ({HINT})"))
}

fn bridge_url() -> &'static str {
    env(option_env!("DAAKI_BRIDGE_URL"), "DAAKI_BRIDGE_URL")
}

fn user() -> (&'static str, &'static str) {
    (
        env(option_env!("DAAKI_IMAP_USER"), "DAAKI_IMAP_USER"),
        env(option_env!("DAAKI_IMAP_PASSWORD"), "DAAKI_IMAP_PASSWORD"),
    )
}

fn set(s: &str) -> SequenceSet {
    SequenceSet::new(s).expect("sequence set")
}

fn target() -> BridgeTarget {
    BridgeTarget::named("dovecot").expect("target name")
}

async fn connect() -> ImapConnection {
    ImapConnection::connect_via_bridge(bridge_url(), target(), T)
        .await
        .unwrap_or_else(|e| panic!("connect via the bridge: {e}"))
}

async fn login() -> ImapConnection {
    let conn = connect().await;
    let (name, password) = user();
    conn.login(name, password, T).await.expect("login");
    conn
}

/// A mailbox name no other test (or earlier run) uses.
fn unique(prefix: &str) -> String {
    format!("{prefix}-{}", js_sys::Date::now() as u64)
}

fn message(subject: &str) -> Vec<u8> {
    format!(
        "From: browser@example.com\r\nTo: demo@example.com\r\nSubject: {subject}\r\n\
         Message-ID: <{subject}@browser.test>\r\n\r\nHello from the browser.\r\n"
    )
    .into_bytes()
}

#[wasm_bindgen_test]
async fn login_list_select_and_fetch_envelope() {
    let conn = login().await;
    let mailboxes = conn.list("", "*", T).await.expect("list");
    assert!(
        mailboxes.iter().any(|m| m.name == MailboxName::inbox()),
        "{mailboxes:?}"
    );
    let inbox = conn.select("INBOX", T).await.expect("select");
    assert!(inbox.exists >= 1000, "INBOX has {} messages", inbox.exists);
    let fetched = conn
        .fetch(&set("1:3"), &[FetchAttr::Uid, FetchAttr::Envelope], T)
        .await
        .expect("fetch");
    assert_eq!(fetched.len(), 3);
    let subject = fetched[0].envelope.as_ref().and_then(|e| e.subject.clone());
    assert_eq!(subject.as_deref(), Some("Test message 1"));
    conn.logout().await.expect("logout");
    assert!(conn.is_closed());
}

#[wasm_bindgen_test]
async fn streaming_fetch_of_a_thousand_messages() {
    let conn = login().await;
    let inbox = conn.examine("INBOX", T).await.expect("examine");
    assert!(inbox.exists >= 1000);
    let (tx, mut rx) = mpsc::channel::<daaki_imap::Result<FetchResponse>>(64);
    let consume = async {
        let mut uids = Vec::new();
        while let Some(item) = rx.recv().await {
            let item = item.expect("streamed item");
            uids.push(item.uid.expect("UID"));
        }
        uids
    };
    let all = set("1:*");
    let attrs = [FetchAttr::Uid, FetchAttr::Flags, FetchAttr::Envelope];
    let (done, uids) = tokio::join!(conn.uid_fetch_streaming(&all, &attrs, tx, T), consume);
    done.expect("streaming fetch");
    assert_eq!(uids.len(), inbox.exists as usize);
    assert!(uids.windows(2).all(|w| w[0] < w[1]), "UIDs in order");
    conn.logout().await.expect("logout");
}

#[wasm_bindgen_test]
async fn idle_is_woken_by_an_append_on_a_second_connection() {
    let watcher = login().await;
    let writer = login().await;
    let mailbox = unique("IdleWake");
    writer.create(mailbox.as_str(), T).await.expect("create");
    assert_eq!(
        watcher
            .select(mailbox.as_str(), T)
            .await
            .expect("select")
            .exists,
        0
    );
    let (woke, appended) = tokio::join!(watcher.idle(T, CancellationToken::new()), async {
        sleep(Duration::from_millis(500)).await;
        writer
            .append(mailbox.as_str(), &[], &message("idle-wake"), T)
            .await
    });
    appended.expect("append");
    assert_eq!(woke.expect("idle"), IdleEvent::Exists(1));
    let fetched = watcher
        .fetch(&set("1"), &[FetchAttr::Envelope], T)
        .await
        .expect("fetch after IDLE");
    let subject = fetched[0].envelope.as_ref().and_then(|e| e.subject.clone());
    assert_eq!(subject.as_deref(), Some("idle-wake"));
    watcher.close(T).await.expect("close");
    writer.delete(mailbox.as_str(), T).await.expect("delete");
    watcher.logout().await.expect("logout");
    writer.logout().await.expect("logout");
}

#[wasm_bindgen_test]
async fn idle_is_cancelled_by_its_token() {
    let conn = login().await;
    conn.examine("INBOX", T).await.expect("examine");
    let cancel = CancellationToken::new();
    let (ended, ()) = tokio::join!(conn.idle(T, cancel.clone()), async {
        sleep(Duration::from_millis(300)).await;
        cancel.cancel();
    });
    assert_eq!(ended.expect("idle"), IdleEvent::Cancelled);
    conn.noop(T).await.expect("noop after a cancelled IDLE");
    conn.logout().await.expect("logout");
}

#[wasm_bindgen_test]
async fn pipelined_commands_all_complete() {
    let conn = login().await;
    let (noop, selected, fetched, listed) = conn
        .pipeline()
        .noop()
        .examine("INBOX")
        .fetch(&set("1:5"), &[FetchAttr::Uid])
        .list("", "INBOX")
        .execute()
        .await
        .expect("pipeline");
    noop.expect("NOOP");
    assert!(selected.expect("EXAMINE").exists >= 1000);
    assert_eq!(fetched.expect("FETCH").len(), 5);
    assert_eq!(listed.expect("LIST").len(), 1);
    conn.logout().await.expect("logout");
}

#[wasm_bindgen_test]
async fn compress_then_fetch() {
    let conn = login().await;
    conn.compress(T).await.expect("COMPRESS=DEFLATE");
    conn.examine("INBOX", T).await.expect("examine");
    let fetched = conn
        .fetch(&set("1:100"), &[FetchAttr::Uid, FetchAttr::Envelope], T)
        .await
        .expect("fetch over DEFLATE");
    assert_eq!(fetched.len(), 100);
    conn.logout().await.expect("logout");
}

#[wasm_bindgen_test]
async fn a_refused_target_is_a_bridge_error() {
    let target = BridgeTarget::named("elsewhere").expect("name");
    match ImapConnection::connect_via_bridge(bridge_url(), target, T).await {
        Err(Error::Bridge { code, .. }) => assert_eq!(code, CloseCode::TargetNotAllowed),
        other => panic!("expected a bridge refusal, got {:?}", other.map(|_| ())),
    }
}

#[wasm_bindgen_test]
async fn a_bad_origin_is_a_refused_connection() {
    let url = env(
        option_env!("DAAKI_BRIDGE_BAD_ORIGIN_URL"),
        "DAAKI_BRIDGE_BAD_ORIGIN_URL",
    );
    // The bridge answers HTTP 403; browsers only report close code 1006.
    match ImapConnection::connect_via_bridge(url, target(), T).await {
        Err(Error::Io(e)) => assert_eq!(e.kind(), std::io::ErrorKind::ConnectionRefused, "{e}"),
        other => panic!("expected a refused connection, got {:?}", other.map(|_| ())),
    }
}

#[path = "script/mod.rs"]
mod script;

#[wasm_bindgen_test]
async fn the_shared_script_gives_the_same_transcript_as_natively() {
    let conn = login().await;
    let nonce = format!("web{}", js_sys::Date::now() as u64);
    let transcript = script::run(&conn, &nonce).await;
    assert_eq!(transcript, script::EXPECTED);
    conn.logout().await.expect("logout");
}

#[wasm_bindgen_test]
async fn notify_reports_an_append_to_another_mailbox_during_idle() {
    let watcher = login().await;
    let writer = login().await;
    assert!(watcher.capabilities().has("NOTIFY"));
    let mailbox = unique("Notified");
    writer.create(mailbox.as_str(), T).await.expect("create");
    watcher.select("INBOX", T).await.expect("select");
    let name = MailboxName::new(mailbox.as_str()).expect("name");
    let params = NotifySetParams::new(
        vec![NotifyEventGroup::new(
            MailboxFilter::Mailboxes(vec![name.clone()]),
            vec![
                NotifyEvent::MessageNew {
                    fetch_attrs: vec![],
                },
                NotifyEvent::MessageExpunge,
            ],
        )],
        false,
    );
    watcher.notify_set(params, T).await.expect("NOTIFY SET");
    watcher.drain_events().await;
    let (woke, appended) = tokio::join!(watcher.idle(T, CancellationToken::new()), async {
        sleep(Duration::from_millis(500)).await;
        writer
            .append(mailbox.as_str(), &[], &message("notified"), T)
            .await
    });
    appended.expect("append");
    let woke = woke.expect("idle");
    let IdleEvent::MailboxStatus {
        mailbox: got,
        items,
    } = woke
    else {
        panic!("expected a STATUS of {mailbox}, got {woke:?}");
    };
    assert_eq!(got, name);
    assert_eq!(items.messages, Some(1), "{items:?}");
    watcher.notify_none(T).await.expect("NOTIFY NONE");
    writer.delete(mailbox.as_str(), T).await.expect("delete");
    watcher.logout().await.expect("logout");
    writer.logout().await.expect("logout");
}

fn ticket_bridge() -> (&'static str, &'static str) {
    (
        env(
            option_env!("DAAKI_BRIDGE_TICKET_URL"),
            "DAAKI_BRIDGE_TICKET_URL",
        ),
        env(option_env!("DAAKI_BRIDGE_TICKET"), "DAAKI_BRIDGE_TICKET"),
    )
}

#[wasm_bindgen_test]
async fn a_valid_ticket_admits_the_connection() {
    let (url, ticket) = ticket_bridge();
    let conn = ImapConnection::builder()
        .bridge_ticket(ticket)
        .connect_via_bridge(url, target(), T)
        .await
        .unwrap_or_else(|e| panic!("connect with a ticket: {e}"));
    let (name, password) = user();
    conn.login(name, password, T).await.expect("login");
    assert!(conn.examine("INBOX", T).await.expect("examine").exists >= 1000);
    conn.logout().await.expect("logout");
}

#[wasm_bindgen_test]
async fn a_missing_or_forged_ticket_is_ticket_invalid() {
    let (url, ticket) = ticket_bridge();
    // The last character changed: still base64url, but the MAC no longer matches.
    let mut forged = ticket[..ticket.len() - 1].to_owned();
    forged.push(if ticket.ends_with('A') { 'B' } else { 'A' });
    for offered in [None, Some(forged)] {
        let mut builder = ImapConnection::builder();
        if let Some(t) = &offered {
            builder = builder.bridge_ticket(t.clone());
        }
        match builder.connect_via_bridge(url, target(), T).await {
            Err(Error::Bridge { code, .. }) => {
                assert_eq!(code, CloseCode::TicketInvalid, "ticket {offered:?}")
            }
            other => panic!(
                "expected TicketInvalid for {offered:?}, got {:?}",
                other.map(|_| ())
            ),
        }
    }
}

#[wasm_bindgen_test]
async fn a_literal_over_the_limit_is_a_frame_error_and_closes_the_connection() {
    let limits = Limits {
        max_literal: 100,
        ..Limits::default()
    };
    let conn = ImapConnection::builder()
        .limits(limits)
        .connect_via_bridge(bridge_url(), target(), T)
        .await
        .expect("connect");
    let (name, password) = user();
    conn.login(name, password, T).await.expect("login");
    conn.examine("INBOX", T).await.expect("examine");
    // Message 1 is 283 bytes: its BODY[] literal is over the 100-byte limit.
    match conn
        .fetch(&set("1"), &[FetchAttr::body_peek(Section::full())], T)
        .await
    {
        Err(Error::Frame(FrameError::LiteralTooLarge { announced, limit })) => {
            assert_eq!((announced, limit), (283, 100));
        }
        other => panic!("expected LiteralTooLarge, got {other:?}"),
    }
    assert!(matches!(conn.noop(T).await, Err(Error::Closed)));
}

/// A message of at least `size` bytes, CRLF lines only, every line different.
fn big_message(size: usize) -> Vec<u8> {
    let mut out = message("big");
    let mut line = 0u64;
    while out.len() < size {
        line += 1;
        out.extend_from_slice(
            format!(
                "line {line:08} {:016x}\r\n",
                line.wrapping_mul(0x9e37_79b9_7f4a_7c15)
            )
            .as_bytes(),
        );
    }
    out
}

#[wasm_bindgen_test]
async fn a_large_message_appended_and_read_back_in_chunks_is_byte_identical() {
    let conn = login().await;
    let mailbox = unique("Big");
    conn.create(mailbox.as_str(), T).await.expect("create");
    let big = big_message(4 * 1024 * 1024 + 777);
    let appended = conn
        .append(mailbox.as_str(), &[], &big, T)
        .await
        .expect("append 4 MiB");
    let uid = appended.uids.first().expect("UIDPLUS").start;
    conn.select(mailbox.as_str(), T).await.expect("select");
    let chunk = NonZeroU32::new(256 * 1024).expect("not zero");
    let (tx, mut rx) = mpsc::channel::<Vec<u8>>(2);
    let consume = async {
        let mut pieces = Vec::new();
        while let Some(piece) = rx.recv().await {
            pieces.push(piece);
        }
        pieces
    };
    let full = Section::full();
    let (read, pieces) = tokio::join!(
        conn.uid_fetch_body_chunks(uid, &full, chunk, tx, T),
        consume
    );
    assert_eq!(read.expect("chunked fetch"), Some(big.len() as u64));
    assert_eq!(pieces.len(), big.len().div_ceil(256 * 1024));
    assert!(pieces.iter().all(|p| p.len() <= 256 * 1024));
    assert!(pieces.concat() == big, "reassembled bytes differ");
    let range = conn
        .uid_fetch_partial(uid, &full, 1_000_000, NonZeroU32::new(64).expect("nz"), T)
        .await
        .expect("partial fetch")
        .expect("message exists");
    assert_eq!(range, big[1_000_000..1_000_064]);
    conn.close(T).await.expect("close");
    conn.delete(mailbox.as_str(), T).await.expect("delete");
    conn.logout().await.expect("logout");
}

/// Reads from `ws` until a line starting with `tag ` has arrived; returns everything read.
async fn read_until_tagged(ws: &mut BrowserWebSocket, tag: &str) -> String {
    let mut got = Vec::new();
    let mut buf = [0u8; 4096];
    loop {
        let text = String::from_utf8_lossy(&got).into_owned();
        let complete = &text[..text.rfind("\r\n").map_or(0, |i| i + 2)];
        if complete
            .lines()
            .any(|line| line.starts_with(&format!("{tag} ")))
        {
            return text;
        }
        let n = ws.read(&mut buf).await.expect("read from the bridge");
        assert!(n > 0, "bridge closed; read so far: {text}");
        got.extend_from_slice(&buf[..n]);
    }
}

/// An 8 MiB LITERAL+ APPEND written as fast as the transport takes it. Under wire version 1
/// only `bufferedAmount` holds the writes back: the browser's queue reaches the high-water
/// mark and never exceeds it by more than a frame. Under version 2 the bridge's upload
/// credit holds them back first: nothing beyond the credit granted is sent, so the queue
/// stays below the upload window, and the writes wait for grants.
async fn a_large_append_is_held_back_by_the_send_side_flow_control(version: WireVersion) {
    let mut ws =
        BrowserWebSocket::open_with(bridge_url(), &target(), None, version, DEFAULT_WINDOW)
            .await
            .expect("open");
    assert_eq!(ws.info().wire_version(), version);
    read_until_tagged(&mut ws, "*").await;
    let (name, password) = user();
    ws.write_all(format!("a LOGIN \"{name}\" \"{password}\"\r\n").as_bytes())
        .await
        .expect("write LOGIN");
    assert!(read_until_tagged(&mut ws, "a").await.contains("a OK"));
    let mailbox = unique("FlowControl");
    ws.write_all(format!("b CREATE {mailbox}\r\n").as_bytes())
        .await
        .expect("write CREATE");
    assert!(read_until_tagged(&mut ws, "b").await.contains("b OK"));
    let big = big_message(8 * 1024 * 1024);
    // LITERAL+: the whole message follows the command line without waiting.
    ws.write_all(format!("c APPEND {mailbox} {{{}+}}\r\n", big.len()).as_bytes())
        .await
        .expect("write APPEND");
    let mut peak = 0;
    let mut sent = 0;
    while sent < big.len() {
        let end = (sent + 64 * 1024).min(big.len());
        ws.write_all(&big[sent..end]).await.expect("write literal");
        sent = end;
        peak = peak.max(ws.buffered_amount());
    }
    ws.write_all(b"\r\n").await.expect("write CRLF");
    let info = ws.info().clone();
    match version {
        WireVersion::V1 => {
            // Each write returns at once until the queue reaches the mark (the browser only
            // drains it between tasks), so the mark is reached — and never exceeded by more
            // than a frame.
            assert!(peak >= SEND_HIGH_WATER_MARK, "peak {peak}");
            assert!(
                peak <= SEND_HIGH_WATER_MARK + MAX_WRITE_FRAME as u32,
                "bufferedAmount peaked at {peak} bytes"
            );
            assert_eq!((info.upload_credit_received(), info.upload_waits()), (0, 0));
        }
        _ => {
            // Credit first: the queue never holds more than the bridge granted (its default
            // upload window, well below the mark; plus perhaps a grant of our own), and the
            // first window's worth of writes ran out of credit before a grant could arrive
            // (grants come between tasks).
            assert!(
                peak <= DEFAULT_UPLOAD_WINDOW + MAX_CONTROL_LEN as u32,
                "bufferedAmount peaked at {peak} bytes"
            );
            assert!(info.upload_waits() > 0, "{info:?}");
            assert!(
                info.upload_credit_received() >= info.bytes_sent(),
                "{info:?}"
            );
        }
    }
    assert!(info.bytes_sent() > big.len() as u64, "{info:?}");
    let appended = read_until_tagged(&mut ws, "c").await;
    assert!(appended.contains("c OK"), "{appended}");
    ws.write_all(format!("d SELECT {mailbox}\r\ne FETCH 1 RFC822.SIZE\r\n").as_bytes())
        .await
        .expect("write SELECT, FETCH");
    let fetched = read_until_tagged(&mut ws, "e").await;
    assert!(
        fetched.contains(&format!("RFC822.SIZE {})", big.len())),
        "{fetched}"
    );
    ws.write_all(format!("f CLOSE\r\ng DELETE {mailbox}\r\nh LOGOUT\r\n").as_bytes())
        .await
        .expect("write DELETE");
    assert!(read_until_tagged(&mut ws, "g").await.contains("g OK"));
}

#[wasm_bindgen_test]
async fn a_large_append_keeps_the_browser_send_queue_below_the_high_water_mark() {
    a_large_append_is_held_back_by_the_send_side_flow_control(WireVersion::V1).await;
}

#[wasm_bindgen_test]
async fn a_large_append_under_version_2_sends_only_within_the_bridges_credit() {
    a_large_append_is_held_back_by_the_send_side_flow_control(WireVersion::V2).await;
}
