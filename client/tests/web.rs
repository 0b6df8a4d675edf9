//! Browser tests: the client compiled to wasm32, in headless Chromium, through
//! `daaki-imap-bridge` to the harness Dovecot.
//!
//! Run by `cargo xtask browser`, which starts Dovecot and two bridges and passes their
//! addresses at compile time:
//!
//! - `DAAKI_BRIDGE_URL`: a bridge whose Origin allowlist names the test page's origin and
//!   whose configured target `dovecot` is the harness Dovecot;
//! - `DAAKI_BRIDGE_BAD_ORIGIN_URL`: a bridge that allows some other origin only;
//! - `DAAKI_IMAP_USER`, `DAAKI_IMAP_PASSWORD`: a user whose INBOX has at least 1,000 messages.
//!
//! Each test needs every variable; without them (a plain `wasm-pack test`) the tests fail
//! with a message naming the stage.
#![cfg(target_arch = "wasm32")]

use std::time::Duration;

use daaki_imap::runtime::sleep;
use daaki_imap::types::response::FetchResponse;
use daaki_imap::types::{FetchAttr, MailboxName, SequenceSet};
use daaki_imap::wire::BridgeTarget;
use daaki_imap::{Error, IdleEvent, ImapConnection};
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
        Err(Error::Bridge { code, .. }) => assert!((4000..=4999).contains(&code.as_u16())),
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
