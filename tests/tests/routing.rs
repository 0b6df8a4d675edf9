//! Routing of untagged FETCH data on the real harness servers (Dovecot and Cyrus): a flag
//! change made by another client, reported while a `UID FETCH 1:*` or `UID STORE 1:*` runs,
//! is an event — never an entry of the command's result (issue 19's live bug: Dovecot's
//! `* 2 FETCH (MODSEQ (13) FLAGS (\Answered))`, without UID, was folded into the result of
//! `UID FETCH 1:* (UID FLAGS) (CHANGEDSINCE n)`).
//!
//! The client connects through the recording relay, so each test counts on the wire which
//! FETCH responses the server sent during the command with and without a UID item, and checks
//! that exactly the ones with UID are in the result and exactly the others are events. On
//! Dovecot, the UID FETCH cases must also see such a FETCH without UID on the wire (so the
//! rule is really exercised). During a UID STORE both servers report the change made
//! elsewhere with its UID (folded into the STORE's own replies), so no real server shows the
//! STORE half of the rule; the session's unit tests (`proto::session::routing::tests`) do.

use daaki_imap::types::response::FetchResponse;
use daaki_imap::types::{FetchAttr, Flag, ModSeq, SequenceSet};
use daaki_imap::{ImapConnection, StoreKind, TlsMode, TypedEvent};
use daaki_imap_tests::client::{T, login, login_via};
use daaki_imap_tests::harness::{ServerKind, TestServer, TestUser};
use daaki_imap_tests::proxy::Recorder;
use daaki_imap_tests::server_tests;

fn set(s: &str) -> SequenceSet {
    SequenceSet::new(s).expect("valid set")
}

/// The untagged FETCH lines in `server_text`: `(sequence number, has a UID item, line)`.
fn fetch_lines(server_text: &str) -> Vec<(u32, bool, String)> {
    server_text
        .split("\r\n")
        .filter_map(|line| {
            let rest = line.strip_prefix("* ")?;
            let (seq, rest) = rest.split_once(' ')?;
            let items = rest.strip_prefix("FETCH (")?;
            let seq = seq.parse().ok()?;
            let has_uid = items.starts_with("UID ") || items.contains(" UID ");
            Some((seq, has_uid, line.to_owned()))
        })
        .collect()
}

fn fetch_events(events: &[TypedEvent]) -> Vec<&FetchResponse> {
    events
        .iter()
        .filter_map(|e| match e {
            TypedEvent::Fetch(f) => Some(f),
            _ => None,
        })
        .collect()
}

/// Checks one command's routing against what the server sent during it (`wire`, the server's
/// bytes from the command's start): every FETCH with UID is in `result`, every FETCH without
/// UID is an event, and the result holds nothing else.
fn assert_routed(wire: &str, result: &[FetchResponse], events: &[TypedEvent], changed_seq: u32) {
    let lines = fetch_lines(wire);
    let with_uid: Vec<_> = lines.iter().filter(|l| l.1).collect();
    let without_uid: Vec<_> = lines.iter().filter(|l| !l.1).collect();
    assert!(
        result.iter().all(|f| f.uid.is_some()),
        "a FETCH without UID was folded into the result: {result:?}"
    );
    assert_eq!(result.len(), with_uid.len(), "wire: {lines:?}");
    let got = fetch_events(events);
    assert_eq!(
        got.len(),
        without_uid.len(),
        "each FETCH without UID is an event; wire: {lines:?}, events: {events:?}"
    );
    for (event, (seq, _, line)) in got.iter().zip(&without_uid) {
        assert_eq!(event.seq, *seq, "{line}");
        assert_eq!(
            *seq, changed_seq,
            "only the message changed elsewhere: {line}"
        );
        assert!(
            event
                .flags
                .as_ref()
                .is_some_and(|f| f.contains(&Flag::Answered)),
            "{event:?}"
        );
    }
}

/// What the issue saw: Dovecot reports a change made elsewhere without UID during the
/// command. If it ever stops doing so, the test no longer exercises the rule: say so.
fn require_unsolicited_on_dovecot(server: &dyn TestServer, wire: &str) {
    if server.kind() == ServerKind::Dovecot {
        let lines = fetch_lines(wire);
        assert!(
            lines.iter().any(|l| !l.1),
            "Dovecot sent no FETCH without UID during the command, so the routing rule was not \
             exercised: {lines:?}"
        );
    }
}

/// The other connection marks message 2 `\Answered` while `conn` has the mailbox selected;
/// the change is pending for `conn` until its next command.
async fn answer_message_2_elsewhere(server: &dyn TestServer, user: &TestUser) {
    let other = login(server, user, TlsMode::Plaintext).await;
    other.select("INBOX", T).await.expect("other select");
    other
        .store(&set("2"), StoreKind::Add, &[Flag::Answered], T)
        .await
        .expect("other store");
    other.logout().await.expect("other logout");
}

/// A user with 4 messages, logged in through a recording relay with INBOX selected
/// (CONDSTORE); then another connection answers message 2, so that change is pending for
/// `conn` until its next command. Returns the connection, the relay, the HIGHESTMODSEQ before
/// the change and how many server bytes the relay had seen by then.
async fn selected_with_a_change_elsewhere(
    server: &'static dyn TestServer,
) -> (ImapConnection, Recorder, ModSeq, usize) {
    let user = server.new_user(4);
    let relay = Recorder::start(server.plain_port()).await;
    let conn = login_via(ImapConnection::builder(), server, &relay, &user).await;
    let hms = conn
        .select_condstore("INBOX", T)
        .await
        .expect("select (CONDSTORE)")
        .highest_modseq
        .expect("HIGHESTMODSEQ");
    answer_message_2_elsewhere(server, &user).await;
    let before = relay.server_text().len();
    (conn, relay, ModSeq::new(hms).expect("mod-sequence"), before)
}

async fn uid_fetch_changedsince_over_all_messages_leaves_a_change_elsewhere_as_an_event(
    server: &'static dyn TestServer,
) {
    let (conn, relay, hms, before) = selected_with_a_change_elsewhere(server).await;
    let changed = conn
        .uid_fetch_changed_since(
            &set("1:*"),
            &[FetchAttr::Uid, FetchAttr::Flags],
            hms,
            false,
            T,
        )
        .await
        .expect("UID FETCH CHANGEDSINCE");
    let wire = relay.server_text().split_off(before);
    let events = conn.drain_events().await;
    assert_routed(&wire, &changed.fetches, &events, 2);
    require_unsolicited_on_dovecot(server, &wire);
    assert!(
        changed.fetches.iter().any(|f| f.uid == Some(2)
            && f.flags
                .as_ref()
                .is_some_and(|fl| fl.contains(&Flag::Answered))),
        "the command's own answer lists message 2 with its new flag: {changed:?}"
    );
}

async fn uid_fetch_over_all_messages_leaves_a_change_elsewhere_as_an_event(
    server: &'static dyn TestServer,
) {
    let (conn, relay, _, before) = selected_with_a_change_elsewhere(server).await;
    let fetched = conn
        .uid_fetch(&set("1:*"), &[FetchAttr::Uid, FetchAttr::Flags], T)
        .await
        .expect("UID FETCH");
    let wire = relay.server_text().split_off(before);
    let events = conn.drain_events().await;
    assert_routed(&wire, &fetched, &events, 2);
    require_unsolicited_on_dovecot(server, &wire);
    let mut uids: Vec<u32> = fetched.iter().filter_map(|f| f.uid).collect();
    uids.sort_unstable();
    uids.dedup();
    assert_eq!(uids, vec![1, 2, 3, 4], "every message once by UID");
}

/// `UID STORE 1:* +FLAGS (\Flagged)` after another client answered message 2: Dovecot folds
/// the pending change into the STORE's own FETCH responses (all with UID), so this checks the
/// accounting only; the UNCHANGEDSINCE variant below is the one where a FETCH without UID
/// arrives during a UID STORE.
async fn uid_store_over_all_messages_keeps_every_reply_with_its_uid(
    server: &'static dyn TestServer,
) {
    let (conn, relay, _, before) = selected_with_a_change_elsewhere(server).await;
    let stored = conn
        .uid_store(&set("1:*"), StoreKind::Add, &[Flag::Flagged], T)
        .await
        .expect("UID STORE");
    let wire = relay.server_text().split_off(before);
    let events = conn.drain_events().await;
    assert_routed(&wire, &stored.fetches, &events, 2);
    assert!(
        stored.fetches.iter().all(|f| f
            .flags
            .as_ref()
            .is_some_and(|fl| fl.contains(&Flag::Flagged))),
        "{stored:?}"
    );
}

/// `UID STORE 1:* (UNCHANGEDSINCE n) +FLAGS (\Flagged)` after another client answered message
/// 2: message 2 is not stored (it is in `[MODIFIED]`). Both servers report its change made
/// elsewhere with its UID during a UID command (so it is in the result, flagged as
/// `\Answered` only); whatever they send, the accounting of [`assert_routed`] holds.
async fn uid_store_unchangedsince_over_all_messages_reports_modified_and_routes_by_uid(
    server: &'static dyn TestServer,
) {
    let (conn, relay, hms, before) = selected_with_a_change_elsewhere(server).await;
    let stored = conn
        .uid_store_unchanged_since(&set("1:*"), StoreKind::Add, &[Flag::Flagged], hms, T)
        .await
        .expect("UID STORE UNCHANGEDSINCE");
    let wire = relay.server_text().split_off(before);
    let events = conn.drain_events().await;
    assert_routed(&wire, &stored.fetches, &events, 2);
    for f in &stored.fetches {
        let flags = f.flags.clone().unwrap_or_default();
        let stored_here = flags.contains(&Flag::Flagged);
        assert_eq!(stored_here, f.uid != Some(2), "{f:?}");
    }
    let modified: Vec<u32> = stored.modified.iter().flat_map(|r| r.iter()).collect();
    assert_eq!(modified, vec![2], "{stored:?}");
}

server_tests!(
    uid_fetch_changedsince_over_all_messages_leaves_a_change_elsewhere_as_an_event,
    uid_fetch_over_all_messages_leaves_a_change_elsewhere_as_an_event,
    uid_store_over_all_messages_keeps_every_reply_with_its_uid,
    uid_store_unchangedsince_over_all_messages_reports_modified_and_routes_by_uid,
);
